"""Cost by layer type (the paper's Table 2), for any variant.

The paper counts parameters without biases and without batch norm, so this module does too:
only kernel weights of Conv 3x3 (conv1, or all blocks of the standard-conv body), depthwise
3x3, pointwise 1x1 and the fully connected classifier (conv_preds kernel).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from explorer.arch.layers import layer_rows
from explorer.arch.spec import MobileNetSpec

#: Row labels in the paper's order, with the layer kinds each gathers.
TYPE_LABELS: Final[tuple[str, ...]] = ("Conv 1x1", "Conv DW 3x3", "Conv 3x3", "Fully Connected")
_KIND_TO_LABEL: Final = {
    "pointwise": "Conv 1x1",
    "depthwise": "Conv DW 3x3",
    "conv": "Conv 3x3",
    "classifier": "Fully Connected",
}


@dataclass(frozen=True)
class TypeShare:
    """Mult-adds and weight count of one layer type, with shares of the whole."""

    label: str
    macs: int
    params: int
    macs_share: float  # 0..1
    params_share: float  # 0..1


@lru_cache(maxsize=256)
def cost_by_type(spec: MobileNetSpec) -> tuple[TypeShare, ...]:
    """MACs and weights (biases and batch norm excluded, as in the paper) per layer type."""
    macs = dict.fromkeys(TYPE_LABELS, 0)
    params = dict.fromkeys(TYPE_LABELS, 0)
    for row in layer_rows(spec):
        label = _KIND_TO_LABEL.get(row.kind)
        if label is None:
            continue
        macs[label] += row.macs
        bias = row.output_shape[-1] if row.kind == "classifier" else 0
        params[label] += row.params - bias
    total_macs = sum(macs.values()) or 1
    total_params = sum(params.values()) or 1
    return tuple(
        TypeShare(label, macs[label], params[label], macs[label] / total_macs,
                  params[label] / total_params)
        for label in TYPE_LABELS
    )
