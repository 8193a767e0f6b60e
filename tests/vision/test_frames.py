"""QVideoFrame / QImage -> RGB conversion: strides, pixel formats, ownership, the mailbox."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
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


def test_video_frame_nv12_goes_through_to_image():
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
