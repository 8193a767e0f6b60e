"""QVideoFrame / QImage -> RGB numpy conversion, and the frame packet that crosses threads.

Camera and video frames arrive as ``QVideoFrame`` objects whose buffers belong to the
multimedia backend (often a small pool: holding one stalls the camera).  Everything here
therefore converts a frame *immediately* into an owned, C-contiguous ``uint8`` array of shape
``(H, W, 3)`` in RGB order and lets the frame go.  Row strides (``bytesPerLine``) are honoured:
rows of a mapped frame or a QImage are often padded to 4, 16 or 32 bytes, and viewing the
buffer as ``width * channels`` bytes per row would shear the picture.

Packed RGB and grayscale formats are read straight from the mapped plane with numpy (fast, no
Qt conversion), common YUV formats (NV12, YUV420P, P010, YUYV, ...) are converted from their
planes by ``explorer.vision.yuv`` (Qt's CPU conversion gets 10-bit, BT.709 and odd sizes
wrong), and everything else (MJPEG, ...) goes through ``QVideoFrame.toImage()``.
Either way the array is oriented the way Qt presents the frame (``QVideoFrame.paint()``, video
widgets): scan-line direction, surface rotation and mirroring, then the frame's own rotation
and mirroring; see ``_qt_orientations``.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from PySide6.QtCore import QSize, qVersion
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from explorer.vision.yuv import YUV_FORMATS, yuv_frame_to_rgb

PF = QVideoFrameFormat.PixelFormat
_LITTLE_ENDIAN = sys.byteorder == "little"

# Packed video formats: (bytes per pixel, byte offsets of R, G, B inside one pixel).
# QVideoFrameFormat names give the *memory byte order* (checked against toImage()).
_PACKED_VIDEO_FORMATS: dict[PF, tuple[int, tuple[int, int, int]]] = {
    PF.Format_ARGB8888: (4, (1, 2, 3)),
    PF.Format_ARGB8888_Premultiplied: (4, (1, 2, 3)),
    PF.Format_XRGB8888: (4, (1, 2, 3)),
    PF.Format_BGRA8888: (4, (2, 1, 0)),
    PF.Format_BGRA8888_Premultiplied: (4, (2, 1, 0)),
    PF.Format_BGRX8888: (4, (2, 1, 0)),
    PF.Format_ABGR8888: (4, (3, 2, 1)),
    PF.Format_XBGR8888: (4, (3, 2, 1)),
    PF.Format_RGBA8888: (4, (0, 1, 2)),
    PF.Format_RGBX8888: (4, (0, 1, 2)),
}

# QImage formats read directly.  RGB32/ARGB32 are 32-bit words 0xAARRGGBB, so their byte
# order depends on the host's endianness; the *8888 formats are byte-ordered.
_WORD_BGRA = (2, 1, 0) if _LITTLE_ENDIAN else (1, 2, 3)
_PACKED_IMAGE_FORMATS: dict[QImage.Format, tuple[int, tuple[int, int, int]]] = {
    QImage.Format.Format_RGB888: (3, (0, 1, 2)),
    QImage.Format.Format_BGR888: (3, (2, 1, 0)),
    QImage.Format.Format_RGB32: (4, _WORD_BGRA),
    QImage.Format.Format_ARGB32: (4, _WORD_BGRA),
    QImage.Format.Format_RGBX8888: (4, (0, 1, 2)),
    QImage.Format.Format_RGBA8888: (4, (0, 1, 2)),
}

# What Qt presents (QVideoFrame.paint(), video widgets) is the *surface* transform - flip
# vertically when scan lines run BottomToTop, rotate by surfaceFormat().rotation(), mirror when
# surfaceFormat().isMirrored() - followed by the *frame* transform: rotate by frame.rotation(),
# then mirror when frame.mirrored().  Since Qt 6.8 toImage() applies the surface transform only
# and ignores the frame's rotation() and mirrored(): we add those.  Before 6.8 the surface
# format had no rotation, toImage() applied the whole transform Qt presented (BottomToTop flip,
# frame rotation, frame mirror) and neither it nor paint() used surfaceFormat().isMirrored().
# The fast path reads the stored pixels and applies everything itself.
_QT_VERSION = tuple(int(p) for p in qVersion().split(".")[:2])
_TOIMAGE_IGNORES_FRAME_TRANSFORM = _QT_VERSION >= (6, 8)

# An orientation is one of the 8 ways to lay a frame down: (clockwise quarter turns, then
# mirrored left-right or not).  Qt composes its transforms the same way (a rotation, then
# "mirroredHorizontallyAfterRotation").
_Orientation = tuple[int, bool]
_UPRIGHT: _Orientation = (0, False)
_UPSIDE_DOWN: _Orientation = (2, True)  # a vertical flip is a half turn, then a mirror


class FrameConversionError(ValueError):
    """A frame could not be turned into an RGB array (invalid, unmappable, unknown format)."""


def _rows(buffer: memoryview | bytes, height: int, bytes_per_line: int) -> np.ndarray:
    """View a (possibly padded) buffer as ``(height, bytes_per_line)`` uint8 rows."""
    flat = np.frombuffer(buffer, dtype=np.uint8)
    needed = height * bytes_per_line
    if flat.size < needed:
        # The last row of some buffers is not padded; pad our view instead of failing.
        padded = np.zeros(needed, dtype=np.uint8)
        padded[: flat.size] = flat
        flat = padded
    return flat[:needed].reshape(height, bytes_per_line)


def _oriented(pixels: np.ndarray, orientation: _Orientation) -> np.ndarray:
    """A view of ``pixels`` (rows first) laid down as ``orientation``; nothing is copied."""
    turns, mirrored = orientation
    out = np.rot90(pixels, k=-turns) if turns else pixels  # np.rot90 turns counter-clockwise
    return out[:, ::-1] if mirrored else out


def _packed_to_rgb(rows: np.ndarray, width: int, bpp: int, offsets: tuple[int, int, int],
                   orientation: _Orientation = _UPRIGHT) -> np.ndarray:
    pixels = _oriented(rows[:, : width * bpp].reshape(rows.shape[0], width, bpp), orientation)
    # Fancy indexing copies (the only copy), so the result owns its memory and survives
    # unmap(); ascontiguousarray is a no-op unless numpy kept a strided layout.
    return np.ascontiguousarray(pixels[:, :, list(offsets)])


def _gray_to_rgb(rows: np.ndarray, width: int, bytes_per_sample: int = 1,
                 orientation: _Orientation = _UPRIGHT) -> np.ndarray:
    if bytes_per_sample == 2:
        # 16-bit little-endian samples: keep the high byte.
        gray = rows[:, : width * 2].reshape(rows.shape[0], width, 2)[:, :, 1]
    else:
        gray = rows[:, :width]
    return np.repeat(_oriented(gray, orientation)[:, :, None], 3, axis=2)  # one owned copy


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """Copy a QImage into an owned ``(H, W, 3)`` uint8 RGB array, honouring ``bytesPerLine``.

    Alpha is dropped (colour values are taken as they are); indexed, 16-bit and other exotic
    formats are converted by Qt to RGB888 first.

    Raises:
        FrameConversionError: for a null image.
    """
    if image.isNull() or image.width() <= 0 or image.height() <= 0:
        raise FrameConversionError("the image is empty (null QImage)")
    fmt = image.format()
    if fmt == QImage.Format.Format_Grayscale8:
        rows = _rows(image.constBits(), image.height(), image.bytesPerLine())
        return _gray_to_rgb(rows, image.width())
    if fmt not in _PACKED_IMAGE_FORMATS:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
        fmt = QImage.Format.Format_RGB888
    bpp, offsets = _PACKED_IMAGE_FORMATS[fmt]
    rows = _rows(image.constBits(), image.height(), image.bytesPerLine())
    return _packed_to_rgb(rows, image.width(), bpp, offsets)


def _then(first: _Orientation, second: _Orientation) -> _Orientation:
    """The orientation of laying a frame down as ``first`` and then as ``second``."""
    (turns1, mirrored1), (turns2, mirrored2) = first, second
    # A mirror reverses the sense of every rotation that comes after it.
    return ((turns1 - turns2 if mirrored1 else turns1 + turns2) % 4, mirrored1 != mirrored2)


def _undone(orientation: _Orientation) -> _Orientation:
    """The orientation that puts ``orientation`` back upright."""
    turns, mirrored = orientation
    return orientation if mirrored else (-turns % 4, False)


def _quarter_turns(item: QVideoFrame | QVideoFrameFormat) -> int:
    """Clockwise quarter turns of a frame or surface format; 0 where this Qt has no such API
    (surface formats before 6.8; Qt 6.6 frames name it ``rotationAngle``)."""
    rotation = getattr(item, "rotation", None) or getattr(item, "rotationAngle", None)
    if rotation is None:
        return 0
    try:
        return int(rotation().value) // 90 % 4
    except (AttributeError, RuntimeError, TypeError, ValueError):
        return 0


_mirror_order_lock = threading.Lock()
_mirrors_first: bool | None = None


def _probe_mirrors_first() -> bool:
    """Ask Qt whether its conversion mirrors *before* rotating.

    Qt means "rotate, then mirror" and 6.11.3 does that.  The CPU (raster) conversion of
    6.8.0-6.11.2 and 6.12.0 mirrors first, in toImage() and paint() alike, which turns a
    mirrored quarter-turn picture by 180 degrees (measured with the wheels of each version).
    Rather than keep a list of versions (and guess what a GPU conversion does), we look at
    what toImage() does with a red|blue pixel pair on a surface rotated 90 degrees and
    mirrored: rotating first puts red on top (mirroring the resulting one-pixel-wide column
    changes nothing), mirroring first puts blue on top.  Anything unexpected: Qt's intent.
    """
    try:
        from PySide6.QtMultimedia import QtVideo  # Qt 6.7+

        fmt = QVideoFrameFormat(QSize(2, 1), PF.Format_RGBX8888)
        fmt.setRotation(QtVideo.Rotation.Clockwise90)
        fmt.setMirrored(True)
        frame = QVideoFrame(fmt)
        if not frame.map(QVideoFrame.MapMode.WriteOnly):
            return False
        try:
            np.frombuffer(frame.bits(0), np.uint8)[:8] = (255, 0, 0, 255, 0, 0, 255, 255)
        finally:
            frame.unmap()
        image = frame.toImage()
    except (AttributeError, ImportError, RuntimeError, TypeError, ValueError):
        return False
    if image.isNull() or (image.width(), image.height()) != (1, 2):
        return False
    top = image.pixelColor(0, 0)
    return top.blue() > top.red()


def _qt_mirrors_first() -> bool:
    global _mirrors_first
    with _mirror_order_lock:
        if _mirrors_first is None:
            _mirrors_first = _probe_mirrors_first()
        return _mirrors_first


def _as_qt_draws(orientation: _Orientation) -> _Orientation:
    """``orientation`` as this Qt's conversion really lays it down (see _probe_mirrors_first):
    mirroring before a quarter turn equals mirroring after the opposite quarter turn."""
    turns, mirrored = orientation
    if mirrored and turns % 2 and _TOIMAGE_IGNORES_FRAME_TRANSFORM and _qt_mirrors_first():
        return (-turns % 4, True)
    return orientation


def _qt_orientations(frame: QVideoFrame) -> tuple[_Orientation, _Orientation]:
    """``(presented, by_to_image)``: how Qt presents the stored pixels of ``frame``, and how
    much of that ``frame.toImage()`` has already done (see the comment at _QT_VERSION)."""
    surface = frame.surfaceFormat()
    bottom_to_top = surface.scanLineDirection() == QVideoFrameFormat.Direction.BottomToTop
    orientation = _UPSIDE_DOWN if bottom_to_top else _UPRIGHT
    if _TOIMAGE_IGNORES_FRAME_TRANSFORM:
        orientation = _then(orientation, (_quarter_turns(surface), False))
        orientation = _then(orientation, (0, surface.isMirrored()))
    surface_only = orientation
    orientation = _then(orientation, (_quarter_turns(frame), False))
    orientation = _then(orientation, (0, frame.mirrored()))
    by_to_image = surface_only if _TOIMAGE_IGNORES_FRAME_TRANSFORM else orientation
    return _as_qt_draws(orientation), _as_qt_draws(by_to_image)


def video_frame_to_rgb(frame: QVideoFrame) -> np.ndarray:
    """Copy a QVideoFrame into an owned ``(H, W, 3)`` uint8 RGB array.

    Packed 32-bit RGB formats and Y8/Y16 are read from the mapped plane with its
    ``bytesPerLine``, the formats in ``yuv.YUV_FORMATS`` from their planes; MJPEG and the
    rest go through ``toImage()``.  Either way the array comes out oriented as Qt presents
    the frame (as ``QVideoFrame.paint()`` draws it).
    The frame is unmapped before returning and nothing keeps a reference to it.

    Raises:
        FrameConversionError: invalid or unmappable frame, or a format Qt cannot convert.
    """
    if not frame.isValid():
        raise FrameConversionError("the video frame is invalid (no buffer)")
    fmt = frame.pixelFormat()
    width, height = frame.width(), frame.height()
    if width <= 0 or height <= 0:
        raise FrameConversionError(f"the video frame has no pixels ({width}x{height})")
    presented, by_to_image = _qt_orientations(frame)
    direct = (fmt in _PACKED_VIDEO_FORMATS or fmt in (PF.Format_Y8, PF.Format_Y16)
              or fmt in YUV_FORMATS)
    if direct and frame.map(QVideoFrame.MapMode.ReadOnly):
        try:
            return _mapped_to_rgb(frame, fmt, width, height, presented)
        finally:
            frame.unmap()
    image = frame.toImage()
    if image.isNull():
        raise FrameConversionError(
            f"cannot convert a {fmt.name.removeprefix('Format_')} video frame to RGB"
        )
    return _owned_oriented(qimage_to_rgb(image), _then(_undone(by_to_image), presented))


def _owned_oriented(rgb: np.ndarray, orientation: _Orientation) -> np.ndarray:
    """``rgb`` laid down as ``orientation``, contiguous (copied only when turned)."""
    return rgb if orientation == _UPRIGHT else np.ascontiguousarray(_oriented(rgb, orientation))


def _mapped_to_rgb(frame: QVideoFrame, fmt: PF, width: int, height: int,
                   presented: _Orientation) -> np.ndarray:
    """The stored pixels of a mapped packed RGB, Y8/Y16 or YUV frame, oriented and copied
    once into an owned array."""
    if fmt in YUV_FORMATS:
        try:
            return _owned_oriented(yuv_frame_to_rgb(frame), presented)
        except ValueError as exc:
            raise FrameConversionError(
                f"cannot read a {fmt.name.removeprefix('Format_')} video frame: {exc}"
            ) from None
    rows = _rows(frame.bits(0), height, frame.bytesPerLine(0))
    if fmt == PF.Format_Y8:
        return _gray_to_rgb(rows, width, orientation=presented)
    if fmt == PF.Format_Y16:
        return _gray_to_rgb(rows, width, bytes_per_sample=2, orientation=presented)
    bpp, offsets = _PACKED_VIDEO_FORMATS[fmt]
    return _packed_to_rgb(rows, width, bpp, offsets, orientation=presented)


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """Wrap an ``(H, W, 3)`` uint8 RGB array as an owned QImage (copied, safe to keep)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise FrameConversionError(f"expected an (H, W, 3) RGB array, got shape {rgb.shape}")
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.copy()  # detach from the numpy buffer


def rgb_to_video_frame(rgb: np.ndarray, pixel_format: PF = PF.Format_RGBX8888,
                       padding_value: int = 0) -> QVideoFrame:
    """Build a QVideoFrame holding ``rgb`` in a packed or Y8 format (for injection and tests).

    Qt chooses the row stride (it pads rows, e.g. to 32 bytes); we write through it and fill
    the padding bytes with ``padding_value`` (tests use garbage there to prove it is ignored).
    """
    rgb = np.asarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    frame = QVideoFrame(QVideoFrameFormat(QSize(width, height), pixel_format))
    if not frame.map(QVideoFrame.MapMode.WriteOnly):
        raise FrameConversionError(f"cannot map a new {pixel_format.name} frame for writing")
    try:
        bpl = frame.bytesPerLine(0)
        rows = np.frombuffer(frame.bits(0), dtype=np.uint8)[: height * bpl].reshape(height, bpl)
        rows[:] = padding_value
        if pixel_format == PF.Format_Y8:
            rows[:, :width] = rgb.mean(axis=2).round().astype(np.uint8)
        elif pixel_format in _PACKED_VIDEO_FORMATS:
            bpp, offsets = _PACKED_VIDEO_FORMATS[pixel_format]
            pixels = rows[:, : width * bpp].reshape(height, width, bpp)
            pixels[:] = 255  # opaque alpha / filler byte
            for channel, offset in enumerate(offsets):
                pixels[:, :, offset] = rgb[:, :, channel]
        else:
            raise FrameConversionError(f"cannot build {pixel_format.name} frames")
    finally:
        frame.unmap()
    return frame


_SEQUENCE = itertools.count(1)


@dataclass(frozen=True)
class FramePacket:
    """One converted frame: an owned RGB array plus where and when it came from.

    The array is never shared with Qt, so it may cross threads; nobody mutates it.
    """

    rgb: np.ndarray
    convert_ms: float = 0.0  # time spent in QVideoFrame/QImage -> numpy
    source: str = ""
    timestamp: float = field(default_factory=time.monotonic)
    sequence: int = field(default_factory=lambda: next(_SEQUENCE))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


def packet_from_video_frame(frame: QVideoFrame, source: str = "") -> FramePacket:
    """Convert ``frame`` now and wrap it with its conversion time."""
    start = time.perf_counter()
    rgb = video_frame_to_rgb(frame)
    return FramePacket(rgb, (time.perf_counter() - start) * 1e3, source)


def packet_from_rgb(rgb: np.ndarray, source: str = "", convert_ms: float = 0.0) -> FramePacket:
    """Wrap an RGB array (copied when it is not already an owned, contiguous uint8 array)."""
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise FrameConversionError(f"expected an (H, W, 3) RGB array, got shape {arr.shape}")
    if arr.dtype != np.uint8 or not arr.flags.c_contiguous or not arr.flags.owndata:
        arr = np.ascontiguousarray(arr, dtype=np.uint8).copy()
    return FramePacket(arr, convert_ms, source)


T = TypeVar("T")


class LatestSlot(Generic[T]):
    """A thread-safe mailbox with room for one item: a newer ``put`` replaces the older item.

    This is what keeps the pipeline from queueing: producers never block and never pile up,
    consumers always get the newest item.  Counters let tests and the stats view see drops.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self.put_count = 0
        self.taken_count = 0
        self.dropped_count = 0

    def put(self, item: T) -> bool:
        """Store ``item``; returns True when it replaced one nobody had taken (a drop)."""
        with self._lock:
            dropped = self._item is not None
            self._item = item
            self.put_count += 1
            if dropped:
                self.dropped_count += 1
            return dropped

    def take(self) -> T | None:
        """Remove and return the newest item, or None when empty."""
        with self._lock:
            item, self._item = self._item, None
            if item is not None:
                self.taken_count += 1
            return item

    def peek(self) -> T | None:
        with self._lock:
            return self._item

    def clear(self) -> None:
        with self._lock:
            self._item = None

    def __len__(self) -> int:
        with self._lock:
            return 0 if self._item is None else 1
