"""YUV frames read from their planes: every format, colour matrix, range and odd sizes.

Frames are encoded here from a known RGB picture with the textbook equations (float64), then
converted back by ``video_frame_to_rgb``; the picture is made of 8x8 blocks of one colour so
chroma subsampling loses nothing and the round trip is exact to the 8-bit quantisation.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from explorer.vision.frames import video_frame_to_rgb
from explorer.vision.yuv import YUV_FORMATS

PF = QVideoFrameFormat.PixelFormat
CS = QVideoFrameFormat.ColorSpace
CR = QVideoFrameFormat.ColorRange

KR_KB = {CS.ColorSpace_BT601: (0.299, 0.114), CS.ColorSpace_BT709: (0.2126, 0.0722),
         CS.ColorSpace_BT2020: (0.2627, 0.0593)}
#: Bits per sample and where they sit in a 16-bit word ("low" or "high").
DEPTH = {PF.Format_YUV420P10: (10, "low"), PF.Format_P010: (10, "high"),
         PF.Format_P016: (16, "high")}


def block_picture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """8x8 blocks of random colours, the saturated primaries among them."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, ((height + 7) // 8, (width + 7) // 8, 3), dtype=np.uint8)
    primaries = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
    blocks[0, : len(primaries)] = primaries[: blocks.shape[1]]
    return np.ascontiguousarray(blocks.repeat(8, 0).repeat(8, 1)[:height, :width])


def encode(rgb: np.ndarray, space: CS, full: bool, bits: int) -> tuple[np.ndarray, ...]:
    """RGB -> (Y, U, V) integer samples at full resolution with ``bits`` per sample."""
    kr, kb = KR_KB[space]
    r, g, b = (rgb[:, :, i].astype(np.float64) / 255 for i in range(3))
    y = kr * r + (1 - kr - kb) * g + kb * b
    cb, cr = (b - y) / (2 * (1 - kb)), (r - y) / (2 * (1 - kr))
    top = 2 ** bits - 1
    if full:
        scaled = (y * top, cb * top + 2 ** (bits - 1), cr * top + 2 ** (bits - 1))
    else:
        unit = 2 ** (bits - 8)
        scaled = (16 * unit + 219 * unit * y, 128 * unit + 224 * unit * cb,
                  128 * unit + 224 * unit * cr)
    return tuple(np.clip(np.rint(p), 0, top).astype(np.uint16) for p in scaled)


def yuv_frame(rgb: np.ndarray, fmt: PF, space: CS = CS.ColorSpace_BT601,
              full: bool = False, tagged: bool = True) -> QVideoFrame:
    """A Qt-allocated frame of ``fmt`` holding ``rgb``; row padding is filled with junk.
    ``tagged=False`` leaves the colour space and range undefined, as many files do."""
    height, width = rgb.shape[:2]
    bits, where = DEPTH.get(fmt, (8, "low"))
    y, u, v = encode(rgb, space, full, bits)
    if where == "high":
        y, u, v = (p << (16 - bits) for p in (y, u, v))
    surface = QVideoFrameFormat(QSize(width, height), fmt)
    if tagged:
        surface.setColorSpace(space)
        surface.setColorRange(CR.ColorRange_Full if full else CR.ColorRange_Video)
    frame = QVideoFrame(surface)
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    dtype = np.dtype("<u2") if fmt in DEPTH else np.dtype(np.uint8)

    def plane(i: int) -> np.ndarray:
        bpl = frame.bytesPerLine(i)
        raw = np.frombuffer(frame.bits(i), np.uint8)
        rows = raw[: raw.size // bpl * bpl].reshape(-1, bpl)
        rows[:] = 0x5A  # junk in the padding must never show
        return rows[:, : bpl // dtype.itemsize * dtype.itemsize].view(dtype)

    def fill(target: np.ndarray, samples: np.ndarray) -> None:
        target[: samples.shape[0], : samples.shape[1]] = samples[: target.shape[0],
                                                                 : target.shape[1]]

    sub = (slice(None, None, 2), slice(None, None, 2))
    try:
        if fmt in (PF.Format_YUV420P, PF.Format_YV12, PF.Format_YUV422P, PF.Format_YUV420P10):
            rows = slice(None) if fmt == PF.Format_YUV422P else sub[0]
            chroma = (u[rows, ::2], v[rows, ::2])
            if fmt == PF.Format_YV12:
                chroma = chroma[::-1]
            fill(plane(0), y)
            fill(plane(1), chroma[0])
            fill(plane(2), chroma[1])
        elif fmt in (PF.Format_NV12, PF.Format_NV21, PF.Format_P010, PF.Format_P016):
            first, second = (u[sub], v[sub]) if fmt != PF.Format_NV21 else (v[sub], u[sub])
            pairs = np.stack([first, second], axis=2).reshape(first.shape[0], -1)
            fill(plane(0), y)
            fill(plane(1), pairs)
        else:  # YUYV / UYVY macropixels
            padded = np.pad(y, ((0, 0), (0, width % 2)), mode="edge")
            macro = np.empty((height, padded.shape[1] // 2, 4), np.uint16)
            y0, u_at, y1, v_at = (0, 1, 2, 3) if fmt == PF.Format_YUYV else (1, 0, 3, 2)
            macro[:, :, y0], macro[:, :, y1] = padded[:, 0::2], padded[:, 1::2]
            macro[:, :, u_at], macro[:, :, v_at] = u[:, ::2], v[:, ::2]
            fill(plane(0), macro.reshape(height, -1))
    finally:
        frame.unmap()
    return frame


@pytest.mark.parametrize("fmt", sorted(YUV_FORMATS, key=lambda f: f.name), ids=lambda f: f.name)
@pytest.mark.parametrize("size", [(48, 64), (479, 641)], ids=["even", "odd"])
def test_every_yuv_format_round_trips(fmt: PF, size: tuple[int, int]) -> None:
    """Odd sizes: Qt's conversion left the last column and row uninitialised."""
    rgb = block_picture(*size)
    out = video_frame_to_rgb(yuv_frame(rgb, fmt))
    assert out.shape == rgb.shape
    error = np.abs(out.astype(int) - rgb.astype(int))
    assert error.max() <= 2, f"worst at {np.unravel_index(error.argmax(), error.shape)}"
    assert error[:, -1].max() <= 2 and error[-1].max() <= 2


@pytest.mark.parametrize("space", [CS.ColorSpace_BT601, CS.ColorSpace_BT709,
                                   CS.ColorSpace_BT2020], ids=lambda s: s.name)
@pytest.mark.parametrize("full", [False, True], ids=["limited", "full"])
@pytest.mark.parametrize("fmt", [PF.Format_NV12, PF.Format_YUV420P10], ids=lambda f: f.name)
def test_colour_matrix_and_range_follow_the_frame_tags(space: CS, full: bool, fmt: PF) -> None:
    """HD video is BT.709: its pure red came out (234, 0, 2) through BT.601 coefficients."""
    rgb = block_picture(32, 48, seed=1)
    out = video_frame_to_rgb(yuv_frame(rgb, fmt, space, full))
    assert np.abs(out.astype(int) - rgb.astype(int)).max() <= 2
    assert tuple(int(c) for c in out[0, 0]) == pytest.approx((255, 0, 0), abs=2)


def test_untagged_frames_use_bt601_like_qt_and_ffmpeg() -> None:
    """An untagged 8-bit frame converts as Qt's own conversion did (within its rounding)."""
    from explorer.vision.frames import qimage_to_rgb

    rgb = block_picture(48, 64, seed=2)
    frame = yuv_frame(rgb, PF.Format_NV12, tagged=False)
    assert frame.surfaceFormat().colorSpace() == CS.ColorSpace_Undefined
    ours = video_frame_to_rgb(frame).astype(int)
    by_qt = qimage_to_rgb(frame.toImage()).astype(int)
    assert np.abs(ours - rgb.astype(int)).max() <= 2
    assert np.abs(ours - by_qt).max() <= 3 and np.abs(ours - by_qt).mean() < 1


def test_ten_bit_frames_are_converted() -> None:
    """HEVC Main10 / VP9 profile 2 frames: Qt's toImage() gave a null image, so a phone's HDR
    video was never shown nor classified."""
    rgb = block_picture(16, 16, seed=3)
    frame = yuv_frame(rgb, PF.Format_YUV420P10, CS.ColorSpace_BT2020)
    assert np.abs(video_frame_to_rgb(frame).astype(int) - rgb.astype(int)).max() <= 2


def test_rotated_yuv_frame_is_presented_upright() -> None:
    from PySide6.QtMultimedia import QtVideo

    rgb = block_picture(16, 24, seed=4)
    frame = yuv_frame(rgb, PF.Format_NV12)
    frame.setRotation(QtVideo.Rotation.Clockwise90)
    out = video_frame_to_rgb(frame)
    assert np.abs(out.astype(int) - np.rot90(rgb, k=-1).astype(int)).max() <= 2


class _Planes:
    """Planes with the exact sizes a backend reports (Qt's own frames always pad them)."""

    def __init__(self, planes: list[np.ndarray], bytes_per_line: list[int]) -> None:
        self.planes, self.bpl = planes, bytes_per_line

    def bytesPerLine(self, index: int) -> int:  # noqa: N802 - QVideoFrame's name
        return self.bpl[index]

    def bits(self, index: int) -> memoryview:
        return memoryview(self.planes[index])


def test_unpadded_last_row_and_short_macropixel_rows_are_read() -> None:
    """A last row not padded to bytesPerLine was dropped (the row above shown twice), and in
    an odd-width YUYV row of exactly 2 x width bytes the last pixel's V came from its U."""
    from explorer.vision.yuv import _read_planes

    width, height, bpl = 8, 6, 16
    luma = np.zeros((height, bpl), np.uint8)
    luma[:, :width] = (np.arange(height) * 30 + 16)[:, None]
    unpadded = luma.reshape(-1)[: (height - 1) * bpl + width].copy()
    chroma = np.full((height // 2) * bpl, 128, np.uint8)
    y, _, _ = _read_planes(_Planes([unpadded, chroma], [bpl, bpl]), PF.Format_NV12, width,
                           height)
    assert y[:, 0].tolist() == luma[:, 0].tolist()
    row = np.array([100, 90, 100, 200] * 2 + [100, 90], np.uint8)  # 5 pixels: U 90, V 200
    y, u, v = _read_planes(_Planes([np.tile(row, 2)], [10]), PF.Format_YUYV, 5, 2)
    assert v.tolist() == [[200, 200, 200]] * 2 and u.tolist() == [[90, 90, 90]] * 2
    assert y.shape == (2, 5)
