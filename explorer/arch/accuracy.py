"""Published ImageNet top-1 accuracy of the 16 pretrained MobileNet v1 variants.

Sources: TF-slim ``mobilenet_v1.md`` (float and quantized checkpoints) and Keras' own
measurement at 224.  Numbers are percentages exactly as published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from explorer.arch.spec import MobileNetSpec


@dataclass(frozen=True)
class PublishedAccuracy:
    """Top-1 (%) published for one alpha x resolution point."""

    alpha: float
    resolution: int
    top1_float: float
    top1_quant: float
    top1_keras: float | None  # Keras measured only the 224 models


#: (alpha, resolution) -> (TF-slim float top-1, TF-slim quantized top-1)
_TF_SLIM: Final[dict[tuple[float, int], tuple[float, float]]] = {
    (1.0, 224): (70.9, 69.7), (1.0, 192): (70.0, 69.0), (1.0, 160): (68.0, 67.3),
    (1.0, 128): (65.2, 64.0),
    (0.75, 224): (68.4, 67.9), (0.75, 192): (67.2, 66.2), (0.75, 160): (65.3, 63.9),
    (0.75, 128): (62.1, 59.8),
    (0.5, 224): (63.3, 62.2), (0.5, 192): (61.7, 60.4), (0.5, 160): (59.1, 57.7),
    (0.5, 128): (56.3, 54.9),
    (0.25, 224): (49.8, 48.2), (0.25, 192): (47.7, 45.8), (0.25, 160): (45.5, 43.5),
    (0.25, 128): (41.5, 39.9),
}
_KERAS_224: Final[dict[float, float]] = {1.0: 70.4, 0.75: 68.4, 0.5: 64.3, 0.25: 51.6}

PUBLISHED_ACCURACY: Final[tuple[PublishedAccuracy, ...]] = tuple(
    PublishedAccuracy(a, r, f, q, _KERAS_224.get(a) if r == 224 else None)
    for (a, r), (f, q) in _TF_SLIM.items()
)


def published_accuracy(spec: MobileNetSpec) -> PublishedAccuracy | None:
    """The published figures for ``spec``, or None when it is not one of the 16 variants."""
    if not spec.is_pretrained or spec.classes != 1000:
        return None
    for acc in PUBLISHED_ACCURACY:
        if acc.alpha == spec.alpha and acc.resolution == spec.resolution:
            return acc
    return None
