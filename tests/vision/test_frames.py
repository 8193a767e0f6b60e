"""QVideoFrame / QImage -> RGB conversion: strides, pixel formats, ownership, the mailbox."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from explorer.vision.frames import (
    FrameConversionError,
    LatestSlot,
    packet_from_rgb,
    packet_from_video_frame,
    qimage_to_rgb,
    rgb_to_qimage,
    rgb_to_video_frame,
    video_frame_to_rgb,
)

PF = QVideoFrameFormat.PixelFormat


def _pattern(height: int, width: int) -> np.ndarray:
    """Distinct values per pixel and channel, so any shear or channel swap shows."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([(x * 7 + y * 3) % 256, (x * 5 + y * 11) % 256, (x * 13 + y * 2 + 90) % 256],
                    axis=2).astype(np.uint8)


def _padded_qimage(rgb: np.ndarray, fmt: QImage.Format, bpp: int, order: tuple[int, ...],
                   pad: int = 13) -> tuple[QImage, bytearray]:
    """A QImage over our own buffer with ``pad`` garbage bytes at the end of every row."""
    h, w = rgb.shape[:2]
    bpl = ((w * bpp + pad) + 3) // 4 * 4  # QImage needs 32-bit aligned rows
    buf = np.full((h, bpl), 0xAB, np.uint8)  # garbage in the padding
    px = buf[:, : w * bpp].reshape(h, w, bpp)
    px[:] = 255
    for channel, offset in enumerate(order):
        px[:, :, offset] = rgb[:, :, channel] if channel < 3 else 255
    raw = bytearray(buf.tobytes())
    image = QImage(raw, w, h, bpl, fmt)
    assert image.bytesPerLine() == bpl > w * bpp
    return image, raw  # keep raw alive while the QImage is used


@pytest.mark.parametrize("fmt,bpp,order", [
    (QImage.Format.Format_RGB888, 3, (0, 1, 2)),
    (QImage.Format.Format_BGR888, 3, (2, 1, 0)),
    (QImage.Format.Format_RGB32, 4, (2, 1, 0)),     # 0xffRRGGBB words, little-endian bytes
    (QImage.Format.Format_ARGB32, 4, (2, 1, 0)),
    (QImage.Format.Format_RGBA8888, 4, (0, 1, 2)),
])
def test_qimage_with_padded_stride(fmt, bpp, order):
    rgb = _pattern(7, 5)
    image, _raw = _padded_qimage(rgb, fmt, bpp, order)
    out = qimage_to_rgb(image)
    assert out.shape == (7, 5, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, rgb)


def test_qimage_grayscale8_with_padded_stride():
    gray = _pattern(6, 9)[:, :, 0]
    h, w = gray.shape
    bpl = 16
    buf = np.full((h, bpl), 0xEE, np.uint8)
    buf[:, :w] = gray
    raw = bytearray(buf.tobytes())
    image = QImage(raw, w, h, bpl, QImage.Format.Format_Grayscale8)
    out = qimage_to_rgb(image)
    np.testing.assert_array_equal(out, np.repeat(gray[:, :, None], 3, axis=2))


def test_qimage_other_format_goes_through_qt():
    rgb = _pattern(4, 6)
    image = rgb_to_qimage(rgb).convertToFormat(QImage.Format.Format_RGB16)  # lossy 5-6-5
    out = qimage_to_rgb(image)
    assert out.shape == (4, 6, 3)
    assert np.abs(out.astype(int) - rgb.astype(int)).max() <= 8


def test_qimage_result_owns_its_memory():
    rgb = _pattern(5, 5)
    image, raw = _padded_qimage(rgb, QImage.Format.Format_RGB888, 3, (0, 1, 2))
    out = qimage_to_rgb(image)
    raw[:] = b"\0" * len(raw)  # the Qt buffer changes afterwards ...
    np.testing.assert_array_equal(out, rgb)  # ... our copy does not
    assert out.flags.c_contiguous and out.flags.writeable


def test_null_qimage_raises():
    with pytest.raises(FrameConversionError, match="empty"):
        qimage_to_rgb(QImage())


PACKED = [PF.Format_XRGB8888, PF.Format_ARGB8888, PF.Format_BGRX8888, PF.Format_BGRA8888,
          PF.Format_RGBX8888, PF.Format_RGBA8888, PF.Format_XBGR8888, PF.Format_ABGR8888]


@pytest.mark.parametrize("pixel_format", PACKED, ids=lambda f: f.name)
def test_video_frame_packed_formats_with_stride(pixel_format):
    rgb = _pattern(5, 7)  # 7 px * 4 B = 28 B; Qt pads rows to 32 B
    frame = rgb_to_video_frame(rgb, pixel_format, padding_value=0x5A)
    assert frame.map(QVideoFrame.MapMode.ReadOnly)
    bpl = frame.bytesPerLine(0)
    frame.unmap()
    assert bpl > 7 * 4, "want a padded stride for this test"
    np.testing.assert_array_equal(video_frame_to_rgb(frame), rgb)


@pytest.mark.parametrize("pixel_format", [PF.Format_XRGB8888, PF.Format_BGRX8888,
                                          PF.Format_RGBX8888, PF.Format_XBGR8888],
                         ids=lambda f: f.name)
def test_video_frame_fast_path_agrees_with_qt_to_image(pixel_format):
    rgb = _pattern(9, 11)
    frame = rgb_to_video_frame(rgb, pixel_format)
    via_qt = qimage_to_rgb(frame.toImage())
    np.testing.assert_array_equal(video_frame_to_rgb(frame), via_qt)


def test_video_frame_y8_with_stride():
    rgb = np.repeat(_pattern(6, 5)[:, :, :1], 3, axis=2)  # gray input
    frame = rgb_to_video_frame(rgb, PF.Format_Y8, padding_value=0xFF)
    np.testing.assert_array_equal(video_frame_to_rgb(frame), rgb)


def _nv12_frame(y_plane: np.ndarray, u: int, v: int) -> QVideoFrame:
    h, w = y_plane.shape
    frame = QVideoFrame(QVideoFrameFormat(QSize(w, h), PF.Format_NV12))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    bpl0, bpl1 = frame.bytesPerLine(0), frame.bytesPerLine(1)
    luma = np.frombuffer(frame.bits(0), np.uint8)[: h * bpl0].reshape(h, bpl0)
    luma[:] = 0x33  # garbage padding
    luma[:, :w] = y_plane
    chroma = np.frombuffer(frame.bits(1), np.uint8)[: (h // 2) * bpl1].reshape(h // 2, bpl1)
    chroma[:] = 0x33
    chroma[:, 0:w:2] = u
    chroma[:, 1:w:2] = v
    frame.unmap()
    return frame


def test_video_frame_nv12_neutral_chroma_is_gray():
    # Mid-gray luma, neutral chroma -> gray RGB; a bright left half stays brighter.
    y = np.full((8, 12), 126, np.uint8)
    y[:, :6] = 200
    out = video_frame_to_rgb(_nv12_frame(y, 128, 128))
    assert out.shape == (8, 12, 3)
    assert np.ptp(out[:, :, :].astype(int), axis=2).max() <= 3  # neutral chroma: R == G == B
    assert out[:, :6].mean() > out[:, 6:].mean() + 50


def test_video_frame_nv12_red_chroma():
    out = video_frame_to_rgb(_nv12_frame(np.full((4, 4), 81, np.uint8), 90, 240))  # BT.601 red
    r, g, b = out[..., 0].mean(), out[..., 1].mean(), out[..., 2].mean()
    assert r > 200 and g < 60 and b < 60


def test_video_frame_rotation_and_mirroring_are_applied():
    from PySide6.QtMultimedia import QtVideo

    rgb = _pattern(3, 5)
    frame = rgb_to_video_frame(rgb, PF.Format_RGBX8888)
    frame.setRotation(QtVideo.Rotation.Clockwise90)
    out = video_frame_to_rgb(frame)
    np.testing.assert_array_equal(out, np.rot90(rgb, k=-1))
    frame.setRotation(QtVideo.Rotation.None_)
    frame.setMirrored(True)
    np.testing.assert_array_equal(video_frame_to_rgb(frame), rgb[:, ::-1])


# Four distinct quadrants on a non-square frame: every rotation/mirror combination gives a
# different picture.  Quadrants are 4x2 pixels so they line up with NV12's 2x2 chroma blocks.
_QUAD_H, _QUAD_W = 4, 8
_QUAD_COLOURS = np.array([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)], np.uint8)
_QUAD_GRAYS = np.array([60, 120, 180, 240], np.uint8)  # Y8: distinct, none near black
_QUAD_NAMES = "RGBW"  # top-left, top-right, bottom-left, bottom-right of the stored frame


def _quadrant_picture(palette: np.ndarray) -> np.ndarray:
    h, w = _QUAD_H // 2, _QUAD_W // 2
    top = np.concatenate([np.broadcast_to(palette[0], (h, w, 3)),
                          np.broadcast_to(palette[1], (h, w, 3))], axis=1)
    bottom = np.concatenate([np.broadcast_to(palette[2], (h, w, 3)),
                             np.broadcast_to(palette[3], (h, w, 3))], axis=1)
    return np.ascontiguousarray(np.concatenate([top, bottom], axis=0))


def _frame_with_format(rgb: np.ndarray, fmt: QVideoFrameFormat) -> QVideoFrame:
    """A frame of ``fmt`` (which carries the surface transform) holding ``rgb``."""
    h, w = rgb.shape[:2]
    frame = QVideoFrame(fmt)
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    bpl = frame.bytesPerLine(0)
    plane0 = np.frombuffer(frame.bits(0), np.uint8)[: h * bpl].reshape(h, bpl)
    if fmt.pixelFormat() == PF.Format_RGBX8888:
        pixels = plane0[:, : w * 4].reshape(h, w, 4)
        pixels[:] = 255
        pixels[:, :, :3] = rgb
    elif fmt.pixelFormat() == PF.Format_Y8:
        plane0[:, :w] = rgb[:, :, 0]
    else:  # NV12 or AYUV, BT.601 limited range
        r, g, b = (rgb[:, :, i].astype(float) for i in range(3))
        y = np.clip(16 + 0.257 * r + 0.504 * g + 0.098 * b, 0, 255)
        u = np.clip(128 - 0.148 * r - 0.291 * g + 0.439 * b, 0, 255)
        v = np.clip(128 + 0.439 * r - 0.368 * g - 0.071 * b, 0, 255)
        if fmt.pixelFormat() == PF.Format_AYUV:
            pixels = plane0[:, : w * 4].reshape(h, w, 4)
            pixels[:, :, 0], pixels[:, :, 1], pixels[:, :, 2], pixels[:, :, 3] = 255, y, u, v
            frame.unmap()
            return frame
        plane0[:, :w] = y
        u, v = u[::2, ::2], v[::2, ::2]
        bpl1 = frame.bytesPerLine(1)
        chroma = np.frombuffer(frame.bits(1), np.uint8)[: (h // 2) * bpl1].reshape(h // 2, bpl1)
        chroma[:, 0:w:2] = u
        chroma[:, 1:w:2] = v
    frame.unmap()
    return frame


def _presented_by_qt(frame: QVideoFrame) -> np.ndarray:
    """What Qt itself shows: ``QVideoFrame.paint()`` applies the full presentation transform
    (surface format, then the frame's own rotation and mirroring).  Paint into a square with
    the aspect ratio kept, find the painted box (its aspect gives the orientation) and sample
    the centre of every source pixel, giving an (H, W, 3) array comparable with ours."""
    cell = 20
    side = cell * max(_QUAD_H, _QUAD_W)
    canvas = QImage(side, side, QImage.Format.Format_RGB888)
    canvas.fill(QColor(0, 0, 0))
    options = QVideoFrame.PaintOptions()
    options.aspectRatioMode = Qt.AspectRatioMode.KeepAspectRatio
    painter = QPainter(canvas)
    frame.paint(painter, QRectF(0, 0, side, side), options)
    painter.end()
    shown = qimage_to_rgb(canvas)
    ys, xs = np.nonzero(shown.max(axis=2) > 30)  # every quadrant colour is far from black
    rows = round((ys.max() - ys.min() + 1) / cell)
    cols = round((xs.max() - xs.min() + 1) / cell)
    return shown[ys.min() + cell // 2 :: cell, xs.min() + cell // 2 :: cell][:rows, :cols]


def _describe(rgb: np.ndarray, palette: np.ndarray) -> str:
    """``WxH:TL TR/BL BR`` with each corner named after its nearest quadrant colour."""
    def name(pixel: np.ndarray) -> str:
        return _QUAD_NAMES[int(np.abs(palette.astype(int) - pixel.astype(int)).sum(1).argmin())]

    return (f"{rgb.shape[1]}x{rgb.shape[0]}:{name(rgb[0, 0])}{name(rgb[0, -1])}/"
            f"{name(rgb[-1, 0])}{name(rgb[-1, -1])}")


@pytest.mark.parametrize("pixel_format", [PF.Format_RGBX8888, PF.Format_Y8, PF.Format_NV12,
                                          PF.Format_AYUV], ids=lambda f: f.name)
def test_video_frame_orientation_matches_qt_presentation(pixel_format):
    """Every combination of scan-line direction, surface mirroring/rotation and frame
    rotation/mirroring must come out as Qt presents it.  RGBX, Y8 and NV12 are read from the
    mapped planes (we apply the whole transform); AYUV goes through toImage(), which
    (Qt >= 6.8) applies the surface part only, so we apply the rest."""
    if not hasattr(QVideoFrame, "PaintOptions"):
        pytest.skip("this PySide6 does not expose QVideoFrame.paint()")
    from PySide6.QtMultimedia import QtVideo

    palette = (np.repeat(_QUAD_GRAYS[:, None], 3, axis=1) if pixel_format == PF.Format_Y8
               else _QUAD_COLOURS)
    picture = _quadrant_picture(palette)
    rotations = (0, 90, 180, 270)
    surface_rotations = rotations if hasattr(QVideoFrameFormat, "setRotation") else (0,)  # 6.8+
    combos = list(itertools.product((False, True), (False, True), surface_rotations, rotations,
                                    (False, True)))
    mismatches = []
    for bottom_to_top, surface_mirrored, surface_rotation, rotation, mirrored in combos:
        fmt = QVideoFrameFormat(QSize(_QUAD_W, _QUAD_H), pixel_format)
        if bottom_to_top:
            fmt.setScanLineDirection(QVideoFrameFormat.Direction.BottomToTop)
        fmt.setMirrored(surface_mirrored)
        if surface_rotation:
            fmt.setRotation(QtVideo.Rotation(surface_rotation))
        frame = _frame_with_format(picture, fmt)
        frame.setRotation(QtVideo.Rotation(rotation))
        frame.setMirrored(mirrored)
        ours = video_frame_to_rgb(frame)
        shown = _presented_by_qt(frame)
        if ours.shape != shown.shape or np.abs(ours.astype(int) - shown.astype(int)).max() > 40:
            mismatches.append(
                f"surface(bottom_to_top={bottom_to_top:d} mirrored={surface_mirrored:d} "
                f"rotation={surface_rotation}) frame(rotation={rotation} mirrored={mirrored:d}): "
                f"ours {_describe(ours, palette)}, Qt shows {_describe(shown, palette)}")
    assert not mismatches, (f"{len(mismatches)} of {len(combos)} combinations differ from "
                            "QVideoFrame.paint():\n" + "\n".join(mismatches))


def test_invalid_video_frame_raises():
    with pytest.raises(FrameConversionError, match="invalid"):
        video_frame_to_rgb(QVideoFrame())


def test_packet_is_owned_and_timed():
    frame = rgb_to_video_frame(_pattern(4, 4))
    packet = packet_from_video_frame(frame, "test")
    del frame  # nothing may refer to the QVideoFrame any more
    assert packet.rgb.flags.owndata  # a fresh numpy buffer, not a view of Qt memory
    assert packet.convert_ms >= 0 and packet.size == (4, 4) and packet.source == "test"
    view = _pattern(6, 6)[1:5, 1:5]  # a non-contiguous view gets copied
    assert packet_from_rgb(view).rgb.flags.c_contiguous
    with pytest.raises(FrameConversionError):
        packet_from_rgb(np.zeros((4, 4), np.uint8))


def test_latest_slot_keeps_only_the_newest():
    slot: LatestSlot[int] = LatestSlot()
    assert slot.take() is None
    assert slot.put(1) is False
    assert slot.put(2) is True  # replaced 1
    assert len(slot) == 1
    assert slot.take() == 2 and slot.take() is None
    assert (slot.put_count, slot.taken_count, slot.dropped_count) == (2, 1, 1)


def test_latest_slot_threaded_producers_never_exceed_one_item():
    slot: LatestSlot[int] = LatestSlot()
    sizes = []

    def produce(base: int) -> None:
        for i in range(2000):
            slot.put(base + i)
            sizes.append(len(slot))

    threads = [threading.Thread(target=produce, args=(k * 10000,)) for k in range(3)]
    for t in threads:
        t.start()
    taken = 0
    while any(t.is_alive() for t in threads):
        taken += slot.take() is not None
    for t in threads:
        t.join()
    taken += slot.take() is not None
    assert max(sizes) == 1
    assert slot.put_count == 6000
    assert taken + slot.dropped_count == 6000
