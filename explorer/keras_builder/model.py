"""Build a Keras MobileNet v1 whose layers match ``keras.applications.MobileNet`` 1:1.

Layer names and order come from ``explorer.arch.layer_rows`` (the cost model), so the model,
the table and Keras' ImageNet weight files all agree by construction, and a mismatch shows up
as a failing cross-check test rather than as a silently wrong number.  TensorFlow is imported
inside the function: importing this module is free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from explorer.arch.layers import LayerRow, layer_rows
from explorer.arch.spec import MobileNetSpec

if TYPE_CHECKING:  # pragma: no cover
    import keras

DROPOUT_RATE = 1e-3  # Keras' default for MobileNet


def _layer_for(row: LayerRow, keras: Any) -> Any:
    layers = keras.layers
    if row.kind in ("conv", "pointwise"):
        return layers.Conv2D(row.output_shape[-1], row.kernel, strides=row.stride,
                             padding=row.padding, use_bias=False, name=row.name)
    if row.kind == "depthwise":
        return layers.DepthwiseConv2D(row.kernel, strides=row.stride, padding=row.padding,
                                      use_bias=False, name=row.name)
    if row.kind == "batchnorm":
        return layers.BatchNormalization(axis=-1, name=row.name)
    if row.kind == "relu":
        return layers.ReLU(6.0, name=row.name)
    if row.kind == "pad":
        return layers.ZeroPadding2D(((0, 1), (0, 1)), name=row.name)
    if row.kind == "pool":
        return layers.GlobalAveragePooling2D(keepdims=True, name=row.name)
    if row.kind == "dropout":
        return layers.Dropout(DROPOUT_RATE, name=row.name)
    if row.kind == "classifier":
        return layers.Conv2D(row.output_shape[-1], (1, 1), padding="same", name=row.name)
    if row.kind == "reshape":
        return layers.Reshape(row.output_shape, name=row.name)
    if row.kind == "softmax":
        return layers.Activation("softmax", name=row.name)
    raise ValueError(f"no Keras layer for kind {row.kind!r} ({row.name})")


def build_model(spec: MobileNetSpec, name: str | None = None) -> keras.Model:
    """A Keras functional model for ``spec`` with Keras' MobileNet layer names.

    Args:
        spec: the variant; ``body`` "standard" and "shallow" build the paper's Table 4/5 nets.
        name: model name; defaults to Keras' ``mobilenet_<alpha>_<res>``.

    Returns:
        An uncompiled model with random weights (load ImageNet weights separately).
    """
    import keras

    rows = layer_rows(spec)
    inputs = keras.Input(shape=rows[0].output_shape, name=rows[0].name)
    x = inputs
    for row in rows[1:]:
        x = _layer_for(row, keras)(x)
    return keras.Model(inputs, x, name=name or spec.keras_name)
