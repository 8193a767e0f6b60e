"""Keras side of the explorer: model builder and ImageNet weights (TensorFlow imported lazily)."""

from explorer.keras_builder.model import build_model

__all__ = ["build_model"]
