"""Pure-Python cost model of MobileNet v1 (no Qt, no TensorFlow, no numpy).

Everything the explorer shows is computed here from a frozen ``MobileNetSpec`` in
microseconds, layer for layer as ``keras.applications.MobileNet`` builds the model.
"""

from explorer.arch.accuracy import PUBLISHED_ACCURACY, PublishedAccuracy, published_accuracy
from explorer.arch.blocks import BlockCost, BlockTotals, block_costs, block_totals
from explorer.arch.breakdown import TYPE_LABELS, TypeShare, cost_by_type
from explorer.arch.layers import (
    LAYER_KINDS,
    MAC_KINDS,
    LayerRow,
    ModelTotals,
    base_layer_name,
    layer_rows,
    model_totals,
)
from explorer.arch.spec import (
    BLOCK_CONFIG,
    PRETRAINED_ALPHAS,
    PRETRAINED_RESOLUTIONS,
    MobileNetSpec,
    format_alpha,
    pretrained_specs,
    scaled_channels,
)

__all__ = [
    "BLOCK_CONFIG",
    "LAYER_KINDS",
    "MAC_KINDS",
    "PRETRAINED_ALPHAS",
    "PRETRAINED_RESOLUTIONS",
    "PUBLISHED_ACCURACY",
    "TYPE_LABELS",
    "BlockCost",
    "BlockTotals",
    "LayerRow",
    "MobileNetSpec",
    "ModelTotals",
    "PublishedAccuracy",
    "TypeShare",
    "base_layer_name",
    "block_costs",
    "block_totals",
    "cost_by_type",
    "format_alpha",
    "layer_rows",
    "model_totals",
    "pretrained_specs",
    "published_accuracy",
    "scaled_channels",
]
