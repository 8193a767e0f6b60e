"""MobileNet v1 variant description: the frozen spec every view and builder reads.

A ``MobileNetSpec`` names one point in the design space (width multiplier alpha,
input resolution, classifier size, body variant).  It is validated on
construction so that nothing downstream ever sees an impossible variant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

BodyKind = Literal["separable", "standard", "shallow"]

#: (pointwise filters, stride) of blocks 1..13, as in keras.applications.MobileNet.
BLOCK_CONFIG: Final[tuple[tuple[int, int], ...]] = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)
#: Filters of the first full 3x3 convolution (conv1, stride 2).
STEM_FILTERS: Final = 32
#: The five 14x14x512 blocks that the paper's "Shallow MobileNet" (Table 5) drops.
SHALLOW_DROPPED_BLOCKS: Final[frozenset[int]] = frozenset({7, 8, 9, 10, 11})

ALPHA_MIN: Final = 0.0  # exclusive
ALPHA_MAX: Final = 4.0
#: The smallest valid alpha: int(32 * alpha) >= 1 (exactly 1/32 = 0.03125).
ALPHA_SMALLEST: Final = 1 / STEM_FILTERS
RESOLUTION_MIN: Final = 32
RESOLUTION_MAX: Final = 4096
#: The valid input resolutions in words, as every message and help text states them.
RESOLUTION_RANGE: Final = f"an integer from {RESOLUTION_MIN} to {RESOLUTION_MAX}"
#: The most classifier outputs a spec takes: ten times ImageNet-21k's 21,843 and far past any
#: published head, yet small enough that every total prints in the units the views know
#: (4.0-32 with 10^12 classes would read "4.1e+03 P" mult-adds and 7,276 TiB of activations).
CLASSES_MAX: Final = 1_000_000
CLASSES_RANGE: Final = f"an integer from 1 to {CLASSES_MAX:,}"

PRETRAINED_ALPHAS: Final[tuple[float, ...]] = (1.0, 0.75, 0.5, 0.25)
PRETRAINED_RESOLUTIONS: Final[tuple[int, ...]] = (224, 192, 160, 128)


def scaled_channels(filters: int, alpha: float) -> int:
    """Channels after the width multiplier: plain truncation, exactly as Keras does."""
    return int(filters * alpha)


@dataclass(frozen=True)
class MobileNetSpec:
    """One MobileNet v1 variant.

    Args:
        alpha: width multiplier alpha, in (0, 4].
        resolution: square input resolution in pixels, an integer from 32 to 4096.
        classes: classifier outputs (only used with ``include_top``).
        include_top: whether the classifier head (pool, dropout, conv_preds, softmax) exists.
        body: ``"separable"`` (MobileNet), ``"standard"`` (paper Table 4's Conv MobileNet,
            every depthwise-separable pair replaced by a full 3x3 convolution) or
            ``"shallow"`` (paper Table 5, blocks 7..11 removed).
    """

    alpha: float = 1.0
    resolution: int = 224
    classes: int = 1000
    include_top: bool = True
    body: BodyKind = "separable"

    def __post_init__(self) -> None:
        alpha = self.alpha
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
            raise ValueError(
                f"width multiplier alpha must be a number in (0, {ALPHA_MAX:g}], got {alpha!r}"
            )
        if not math.isfinite(alpha) or not ALPHA_MIN < alpha <= ALPHA_MAX:
            raise ValueError(
                f"width multiplier alpha must be in (0, {ALPHA_MAX:g}], got {alpha!r}"
            )
        res = self.resolution
        if isinstance(res, bool) or not isinstance(res, int):
            raise ValueError(f"input resolution must be {RESOLUTION_RANGE}, got {res!r}")
        if not RESOLUTION_MIN <= res <= RESOLUTION_MAX:
            raise ValueError(f"input resolution must be {RESOLUTION_RANGE}, got {res!r}")
        cls = self.classes
        if isinstance(cls, bool) or not isinstance(cls, int) or not 1 <= cls <= CLASSES_MAX:
            raise ValueError(f"classes must be {CLASSES_RANGE}, got {cls!r}")
        if self.body not in ("separable", "standard", "shallow"):
            raise ValueError(
                f"body must be 'separable', 'standard' or 'shallow', got {self.body!r}"
            )
        if scaled_channels(STEM_FILTERS, float(alpha)) < 1:
            raise ValueError(
                f"width multiplier alpha {alpha!r} leaves conv1 with no channels"
                f" (int({STEM_FILTERS} * alpha) = 0); use alpha >= {format_alpha(ALPHA_SMALLEST)}"
            )
        # Store alpha as a float so that equal variants hash equally (1 vs 1.0).
        object.__setattr__(self, "alpha", float(alpha))

    @property
    def label(self) -> str:
        """Short human name, e.g. ``"1.0-224"`` or ``"0.75-192"``."""
        return f"{format_alpha(self.alpha)}-{self.resolution}"

    @property
    def keras_name(self) -> str:
        """The model name keras.applications.MobileNet gives this variant."""
        return f"mobilenet_{self.alpha:0.2f}_{self.resolution}"

    @property
    def is_pretrained(self) -> bool:
        """True for the 16 alpha x resolution points with published ImageNet weights."""
        return (
            self.body == "separable"
            and self.alpha in PRETRAINED_ALPHAS
            and self.resolution in PRETRAINED_RESOLUTIONS
        )

    @property
    def has_pretrained_alpha(self) -> bool:
        """True when ImageNet weights exist for this alpha (they load at any resolution)."""
        return self.body == "separable" and self.alpha in PRETRAINED_ALPHAS

    @property
    def resolution_multiplier(self) -> float:
        """The paper's rho: resolution / 224."""
        return self.resolution / 224.0

    def nearest_pretrained_alpha(self) -> float:
        """The pretrained alpha closest to this one (ties go to the larger)."""
        return min(PRETRAINED_ALPHAS, key=lambda a: (abs(a - self.alpha), -a))


#: Every filter count alpha scales; equal channels for these means the same layers.
_CHANNEL_FILTERS: Final = (STEM_FILTERS, *sorted({f for f, _ in BLOCK_CONFIG}))


def _all_channels(alpha: float) -> tuple[int, ...]:
    return tuple(scaled_channels(f, alpha) for f in _CHANNEL_FILTERS)


@lru_cache(maxsize=4096)  # called for every label on every slider step; the check costs ~3 us
def format_alpha(alpha: float) -> str:
    """Alpha as people write it: 1.0, 0.75, 0.5, 0.25, 0.35, 1.3.

    Four decimals at most, unless those round to an alpha with other channel counts: then as
    many decimals as it takes (3.99999999 is not shown as 4.0, 0.03125 not as 0.0312), up to
    ten, else Python's exact shortest repr.  The text always parses back to an alpha that
    builds the same layers.
    """
    alpha = float(alpha)
    if not math.isfinite(alpha):
        return repr(alpha)
    channels = _all_channels(alpha)
    for decimals in range(4, 11):
        text = f"{alpha:.{decimals}f}".rstrip("0")
        text = text + "0" if text.endswith(".") else text
        if _all_channels(float(text)) == channels:
            return text
    return repr(alpha)


def pretrained_specs() -> list[MobileNetSpec]:
    """The 16 variants with published ImageNet weights, largest first."""
    return [
        MobileNetSpec(alpha=a, resolution=r)
        for a in PRETRAINED_ALPHAS
        for r in PRETRAINED_RESOLUTIONS
    ]
