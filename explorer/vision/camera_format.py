"""Which of a camera's formats to ask for: the smallest one that still looks good, at video rate.

Why: a camera left on its default often delivers 1080p or 720p, and every frame is converted
to RGB and resized (exact PIL bilinear, see ``preprocess``) before a 128-224 px model sees it.
At 720p that preprocessing (2.0-2.3 ms) costs more than the whole 0.25/128 inference (0.3 ms)
and half of 1.0/224's (4.5 ms).  A 640x480 frame carries every pixel a <= 480 px model can
use, shows well in the preview, and costs a third as much to convert and resize.

A mode whose maximum frame rate is 0 has an unknown rate (Qt's V4L2 listing fills in only
discrete frame intervals): it is not taken for too slow, only ranked below a mode of the same
size known to reach video rate.

The choice is a pure function of plain ``CameraMode`` values, so it is tested without a camera.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Short side we want at least: enough for a sharp preview and any model up to 480 px.
MIN_SHORT_SIDE = 480
#: Frame rate we want at least (many cameras offer their largest sizes at 5-15 fps only).
MIN_FPS = 24.0
#: Compressed formats the CPU must decode before conversion (MJPEG and friends).
_COMPRESSED = ("jpeg", "jpg", "h264", "h265", "hevc")


@dataclass(frozen=True)
class CameraMode:
    """One format a camera offers."""

    width: int
    height: int
    max_fps: float  # <= 0: unknown
    pixel_format: str  # e.g. "YUYV", "NV12", "Jpeg"

    @property
    def fps_known(self) -> bool:
        return self.max_fps > 0

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @property
    def compressed(self) -> bool:
        name = self.pixel_format.lower()
        return any(tag in name for tag in _COMPRESSED)

    def describe(self) -> str:
        fps = f"{self.max_fps:g}" if self.fps_known else "unknown"
        return f"{self.width}x{self.height} @ {fps} fps ({self.pixel_format})"


def choose_camera_mode(modes: Sequence[CameraMode], min_short_side: int = MIN_SHORT_SIDE,
                       min_fps: float = MIN_FPS) -> int | None:
    """Index of the mode to use, or None when the camera lists none (keep its default).

    Among modes at video rate or of unknown rate (all modes when none is), the smallest whose
    short side reaches ``min_short_side``; when none does, the largest.  Ties go to a known
    rate, then to uncompressed formats (no JPEG decode per frame), then to the higher rate.
    """
    if not modes:
        return None
    indices = ([i for i, m in enumerate(modes) if m.max_fps >= min_fps or not m.fps_known]
               or list(range(len(modes))))

    def key(i: int) -> tuple[bool, int, bool, bool, float]:
        m = modes[i]
        big_enough = m.short_side >= min_short_side
        area = m.width * m.height
        return (not big_enough, area if big_enough else -area, not m.fps_known, m.compressed,
                -m.max_fps)

    return min(indices, key=key)


__all__ = ["MIN_FPS", "MIN_SHORT_SIDE", "CameraMode", "choose_camera_mode"]
