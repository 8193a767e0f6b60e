"""Frame sources: injected sink frames, stalls, camera errors, video files (good, audio-only,
unsupported codec, not a video, ending), single images and folders.

There is no camera and no ffmpeg binary here, so video files are written by hand: a tiny
MJPEG AVI (RIFF chunks + Pillow JPEGs), one with an unknown codec tag, and a WAV file.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtMultimedia import QCamera, QCameraDevice, QMediaDevices

from explorer.vision.frames import rgb_to_video_frame
from explorer.vision.sources import (
    NO_CAMERA_MESSAGE,
    CameraSource,
    FolderSource,
    FrameSource,
    ImageSource,
    VideoFileSource,
    VideoSinkSource,
    available_cameras,
    list_images,
    source_for_path,
)


class Events(QObject):
    """Collects a source's signals on the GUI thread."""

    def __init__(self, source: FrameSource) -> None:
        super().__init__()
        self.frames: list = []
        self.errors: list[str] = []
        self.status: list[str] = []
        self.stalls: list[str] = []
        self.recovered = 0
        source.frame_ready.connect(self.on_frame)
        source.error_occurred.connect(self.on_error)
        source.status_changed.connect(self.on_status)
        source.stalled.connect(self.on_stall)
        source.recovered.connect(self.on_recovered)

    @Slot(object)
    def on_frame(self, packet):
        self.frames.append(packet)

    @Slot(str)
    def on_error(self, message):
        self.errors.append(message)

    @Slot(str)
    def on_status(self, message):
        self.status.append(message)

    @Slot(str)
    def on_stall(self, message):
        self.stalls.append(message)

    @Slot()
    def on_recovered(self):
        self.recovered += 1


# ------------------------------------------------------------------ tiny media files

def _chunk(fourcc: bytes, data: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def _list(kind: bytes, payload: bytes) -> bytes:
    return b"LIST" + struct.pack("<I", len(payload) + 4) + kind + payload


def write_mjpeg_avi(path: Path, frames: list[np.ndarray], fps: int = 10,
                    codec: bytes = b"MJPG") -> Path:
    """A minimal AVI 1.0 file with one MJPEG video stream (what many webcams record)."""
    jpegs = []
    for rgb in frames:
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=90)
        jpegs.append(buf.getvalue())
    h, w = frames[0].shape[:2]
    n = len(jpegs)
    avih = struct.pack("<14I", 1_000_000 // fps, 0, 0, 0x10, n, 0, 1, 0, w, h, 0, 0, 0, 0)
    strh = struct.pack("<4s4sIHHIIIIIIIIhhhh", b"vids", codec, 0, 0, 0, 0, 1, fps, 0, n, 0,
                       0xFFFFFFFF, 0, 0, 0, w, h)
    strf = struct.pack("<IiiHH4sIiiII", 40, w, h, 1, 24, codec, w * h * 3, 0, 0, 0, 0)
    hdrl = _list(b"hdrl", _chunk(b"avih", avih)
                 + _list(b"strl", _chunk(b"strh", strh) + _chunk(b"strf", strf)))
    movi, index, offset = b"", b"", 4
    for data in jpegs:
        chunk = _chunk(b"00dc", data)
        index += struct.pack("<4sIII", b"00dc", 0x10, offset, len(data))
        offset += len(chunk)
        movi += chunk
    body = b"AVI " + hdrl + _list(b"movi", movi) + _chunk(b"idx1", index)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def _colour_frames(n: int = 6) -> list[np.ndarray]:
    frames = []
    for i in range(n):
        rgb = np.zeros((48, 64, 3), np.uint8)
        rgb[:, :, 0] = 200  # red dominates every frame
        rgb[:, : 8 + i * 8, 1] = 100
        frames.append(rgb)
    return frames


def write_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 4000)
    return path


# ------------------------------------------------------------------ sink, stalls

def test_sink_source_converts_and_emits(qtbot):
    source = VideoSinkSource("sink", stall_timeout_ms=None)
    events = Events(source)
    rgb = np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)
    source.video_sink().setVideoFrame(rgb_to_video_frame(rgb))
    assert not events.frames, "an inactive source must not emit"
    source.start()
    source.video_sink().setVideoFrame(rgb_to_video_frame(rgb))
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    np.testing.assert_array_equal(events.frames[0].rgb, rgb)
    source.set_paused(True)
    source.video_sink().setVideoFrame(rgb_to_video_frame(rgb))
    qtbot.wait(50)
    assert len(events.frames) == 1, "a paused source must not emit"
    source.stop()


def test_no_frames_for_a_while_reports_stall_and_recovery(qtbot):
    source = VideoSinkSource("test camera", stall_timeout_ms=200)
    events = Events(source)
    source.start()
    frame = rgb_to_video_frame(np.zeros((8, 8, 3), np.uint8))
    source.video_sink().setVideoFrame(frame)
    qtbot.waitUntil(lambda: bool(events.stalls), timeout=2000)
    assert "No frames from test camera for 0.2 s" in events.stalls[0]
    qtbot.wait(300)
    assert len(events.stalls) == 1, "a stall is reported once, not every tick"
    # A new frame (the sink ignores the very same frame set twice).
    source.video_sink().setVideoFrame(rgb_to_video_frame(np.ones((8, 8, 3), np.uint8)))
    qtbot.waitUntil(lambda: events.recovered == 1, timeout=2000)
    source.stop()


def test_paused_source_never_stalls(qtbot):
    source = VideoSinkSource("test camera", stall_timeout_ms=100)
    events = Events(source)
    source.start()
    source.set_paused(True)
    qtbot.wait(350)
    assert not events.stalls
    source.stop()


# ------------------------------------------------------------------ camera

def test_no_camera_gives_clear_message(qtbot):
    assert available_cameras() == list(QMediaDevices.videoInputs())
    source = CameraSource(QCameraDevice())  # what the view builds when the list is empty
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=2000)
    assert events.errors == [NO_CAMERA_MESSAGE]
    assert not source.is_active()


class _FakeFormat:
    """Duck-typed QCameraFormat (Qt offers no public way to build one with values)."""

    def __init__(self, width: int, height: int, fps: float, pixel_format) -> None:
        self._size, self._fps, self._fmt = (width, height), fps, pixel_format

    def resolution(self):
        from PySide6.QtCore import QSize

        return QSize(*self._size)

    def maxFrameRate(self) -> float:  # noqa: N802 - Qt naming
        return self._fps

    def pixelFormat(self):  # noqa: N802 - Qt naming
        return self._fmt


def test_camera_asks_for_the_smallest_video_rate_format(qtbot):
    from types import SimpleNamespace

    from PySide6.QtMultimedia import QVideoFrameFormat

    pf = QVideoFrameFormat.PixelFormat
    formats = [_FakeFormat(1920, 1080, 30, pf.Format_Jpeg),
               _FakeFormat(640, 480, 30, pf.Format_Jpeg),
               _FakeFormat(640, 480, 30, pf.Format_YUYV),
               _FakeFormat(320, 240, 30, pf.Format_YUYV)]
    source = CameraSource(QCameraDevice())
    statuses: list[str] = []
    source.status_changed.connect(statuses.append)
    chosen: list = []
    real_camera = source._camera  # noqa: SLF001
    source._device = SimpleNamespace(videoFormats=lambda: formats)  # noqa: SLF001
    source._camera = SimpleNamespace(setCameraFormat=chosen.append)  # noqa: SLF001
    try:
        source._choose_format()  # noqa: SLF001
    finally:
        source._camera = real_camera  # noqa: SLF001
    assert chosen == [formats[2]]
    assert source.chosen_mode is not None
    assert source.chosen_mode.describe() == "640x480 @ 30 fps (YUYV)"
    assert statuses == ["camera: 640x480 @ 30 fps (YUYV)"]


def _running_fake_camera(qtbot, stall_ms=None):
    """A CameraSource whose QCamera is never started: we play the backend's part by pushing
    frames into its sink and emitting QCamera's own signals."""
    source = CameraSource(QCameraDevice(), stall_timeout_ms=stall_ms)
    events = Events(source)
    source._device = _AnyDevice()  # noqa: SLF001 - pretend a device is present
    source._active = True  # noqa: SLF001
    source.video_sink().setVideoFrame(rgb_to_video_frame(np.zeros((8, 8, 3), np.uint8)))
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    return source, events


class _AnyDevice:
    def isNull(self) -> bool:  # noqa: N802 - Qt naming
        return False

    def id(self):  # noqa: A003
        return b"fake-camera-id"


def test_camera_error_mid_stream_stops_with_message(qtbot):
    source, events = _running_fake_camera(qtbot)
    source.camera().errorOccurred.emit(QCamera.Error.CameraError, "device lost")
    qtbot.waitUntil(lambda: bool(events.errors), timeout=2000)
    assert "reported an error: device lost" in events.errors[0]
    assert not source.is_active()


def test_camera_stopping_by_itself_is_reported(qtbot):
    source, events = _running_fake_camera(qtbot)
    source.camera().activeChanged.emit(False)
    qtbot.waitUntil(lambda: bool(events.errors), timeout=2000)
    assert "stopped unexpectedly" in events.errors[0]


def test_camera_unplugged_is_reported(qtbot):
    source, events = _running_fake_camera(qtbot)
    source._on_inputs_changed()  # noqa: SLF001 - what videoInputsChanged triggers
    qtbot.waitUntil(lambda: bool(events.errors), timeout=2000)
    assert "was disconnected" in events.errors[0]


def test_deliberate_stop_is_not_an_error(qtbot):
    source, events = _running_fake_camera(qtbot)
    source.stop()
    source.camera().activeChanged.emit(False)
    qtbot.wait(50)
    assert not events.errors


# ------------------------------------------------------------------ video files

@pytest.mark.slow
def test_video_file_plays_loops_and_converts(qtbot, tmp_path):
    path = write_mjpeg_avi(tmp_path / "clip.avi", _colour_frames(6))  # 0.6 s at 10 fps
    source = VideoFileSource(path, loop=True, stall_timeout_ms=None)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) >= 10, timeout=8000)  # more than one pass
    assert not events.errors
    rgb = events.frames[0].rgb
    assert rgb.shape == (48, 64, 3)
    assert rgb[:, :, 0].mean() > 150 and rgb[:, :, 2].mean() < 60  # red, decoded as RGB
    source.stop()


@pytest.mark.slow
def test_video_file_that_ends_without_looping(qtbot, tmp_path):
    path = write_mjpeg_avi(tmp_path / "short.avi", _colour_frames(3))
    source = VideoFileSource(path, loop=False, stall_timeout_ms=300)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: source.ended, timeout=8000)
    assert any("ended" in s for s in events.status)
    qtbot.wait(500)
    assert not events.errors and not events.stalls, "an ended video is not a stalled one"
    source.stop()


def test_video_file_without_video_stream(qtbot, tmp_path):
    source = VideoFileSource(write_wav(tmp_path / "tone.wav"), stall_timeout_ms=None)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=8000)
    assert "has no video stream" in events.errors[0]
    assert not source.is_active()


def test_video_file_with_unsupported_codec(qtbot, tmp_path):
    path = write_mjpeg_avi(tmp_path / "odd.avi", _colour_frames(2), codec=b"ZZZZ")
    source = VideoFileSource(path, stall_timeout_ms=None)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=8000)
    assert "codec is not supported" in events.errors[0]


@pytest.mark.parametrize("loop", [True, False], ids=["loop", "once"])
def test_video_that_never_gives_a_frame_is_stopped_naming_its_codec(qtbot, tmp_path, loop):
    """An AV1 file: Qt's FFmpeg has no decoder, reports no error and keeps a core busy; the
    panel said the video "may be in use by another program, covered, or disconnected".
    (JPEG data labelled HEVC fails the same way: a codec FFmpeg knows, no frame out.)"""
    from PySide6.QtMultimedia import QMediaPlayer

    path = write_mjpeg_avi(tmp_path / "clip.avi", _colour_frames(3), codec=b"HEVC")
    source = VideoFileSource(path, loop=loop, stall_timeout_ms=1000)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=8000)
    assert events.errors == [
        "Cannot play clip.avi: no frame could be decoded from its H265 video (the file is"
        " damaged, or this Qt's FFmpeg has no decoder for it). Convert it (to H.264, say) or"
        " open another file."]
    assert not events.stalls and not source.is_active()
    qtbot.wait(100)
    assert source.player().playbackState() == QMediaPlayer.PlaybackState.StoppedState


@pytest.mark.slow
def test_video_damaged_after_playing_keeps_its_last_frame(qtbot, tmp_path):
    """A file cut short mid-way played, then was called "not a video file Qt can read", and
    the panel cleared the frame and answers it had shown."""
    from PySide6.QtMultimedia import QMediaPlayer

    path = write_mjpeg_avi(tmp_path / "clip.avi", _colour_frames(6))
    source = VideoFileSource(path, loop=True, stall_timeout_ms=None)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) >= 2, timeout=8000)
    source.player().errorOccurred.emit(QMediaPlayer.Error.FormatError, "Invalid data found")
    assert not events.errors, "an error clears the panel's frame"
    assert source.ended and not source.is_active()
    assert events.status[-1].startswith("clip.avi is damaged or cut short after ")
    assert events.status[-1].endswith("s (Invalid data found); playback stopped at the last"
                                      " good frame.")


@pytest.mark.parametrize("content", [b"not a video at all " * 50, b""])
def test_not_a_video_file(qtbot, tmp_path, content):
    path = tmp_path / "fake.mp4"
    path.write_bytes(content)
    source = VideoFileSource(path, stall_timeout_ms=None)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=8000)
    assert "fake.mp4" in events.errors[0]
    assert ("not a video file" in events.errors[0] or "not a playable" in events.errors[0]
            or "empty" in events.errors[0])


def test_missing_video_file(qtbot, tmp_path):
    source = VideoFileSource(tmp_path / "nope.mp4")
    events = Events(source)
    source.start()
    assert events.errors and "does not exist" in events.errors[0]


# ------------------------------------------------------------------ images and folders

def _save(path: Path, rgb: np.ndarray) -> Path:
    Image.fromarray(rgb).save(path)
    return path


def test_image_source_emits_once_and_on_refresh(qtbot, tmp_path):
    rgb = np.full((20, 30, 3), (10, 200, 30), np.uint8)
    source = ImageSource(_save(tmp_path / "green.png", rgb))
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    np.testing.assert_array_equal(events.frames[0].rgb, rgb)
    source.refresh()  # decoded on a pool thread, delivered on this one
    qtbot.waitUntil(lambda: len(events.frames) == 2, timeout=2000)
    source.stop()


def test_image_source_bad_file(qtbot, tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff garbage")
    source = ImageSource(bad)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=2000)
    assert "broken.jpg" in events.errors[0]


def test_folder_source_steps_and_skips_bad_files(qtbot, tmp_path):
    for i, value in enumerate((10, 20, 30)):
        _save(tmp_path / f"img{i * 5}.png", np.full((4, 4, 3), value, np.uint8))
    (tmp_path / "img7.jpg").write_bytes(b"not a jpeg")
    (tmp_path / "notes.txt").write_text("ignored")
    assert [p.name for p in list_images(tmp_path)] == ["img0.png", "img5.png", "img7.jpg",
                                                       "img10.png"]
    source = FolderSource(tmp_path)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    for shown in (2, 3, 4, 5):
        if shown == 4:
            source.next_image()  # wraps around
        elif shown == 5:
            source.previous_image()
        else:
            source.next_image()  # the second: img7.jpg is broken, skipped to img10
        qtbot.waitUntil(lambda n=shown: len(events.frames) == n, timeout=2000)
    values = [int(p.rgb[0, 0, 0]) for p in events.frames]
    assert values == [10, 20, 30, 10, 30]
    assert any("Skipped img7.jpg" in s for s in events.status)
    source.stop()


def test_folder_slideshow_and_empty_folder(qtbot, tmp_path):
    (tmp_path / "a").mkdir()
    for i in range(2):
        _save(tmp_path / "a" / f"{i}.png", np.full((4, 4, 3), i * 100, np.uint8))
    show = FolderSource(tmp_path / "a", interval_ms=30)
    events = Events(show)
    show.start()
    qtbot.waitUntil(lambda: len(events.frames) >= 4, timeout=3000)
    show.stop()
    (tmp_path / "empty").mkdir()
    empty = FolderSource(tmp_path / "empty")
    empty_events = Events(empty)
    empty.start()
    assert empty_events.errors and "holds no images" in empty_events.errors[0]


def test_source_for_path_picks_the_kind(qapp, tmp_path):
    img = _save(tmp_path / "x.jpg", np.zeros((4, 4, 3), np.uint8))
    assert isinstance(source_for_path(tmp_path), FolderSource)
    assert isinstance(source_for_path(img), ImageSource)
    assert isinstance(source_for_path(tmp_path / "clip.mp4"), VideoFileSource)
    # AVIF is a photo (Pillow reads it); it went to the video player, which shows nothing.
    assert isinstance(source_for_path(tmp_path / "photo.avif"), ImageSource)


def test_one_frame_gif_is_a_still_image(tmp_path):
    """Played as a video, a one-frame GIF was classified ten times a second and read
    "Display 10 FPS" instead of "Still image"."""
    from PIL import Image

    still = tmp_path / "still.gif"
    Image.new("RGB", (8, 8), (200, 10, 10)).save(still)
    assert isinstance(source_for_path(still), ImageSource)
    moving = tmp_path / "moving.gif"
    frames = [Image.new("RGB", (8, 8), (v, v, v)) for v in (0, 120, 240)]
    frames[0].save(moving, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert isinstance(source_for_path(moving), VideoFileSource)


def test_bad_gifs_and_heic_go_to_the_still_decoder_without_blocking(qtbot, tmp_path):
    """A huge or damaged GIF raised DecompressionBombError / IndexError / struct.error out of
    the GUI-thread check (a traceback; the previous photo stayed on screen), and a pipe named
    .gif blocked the GUI for good.  They now reach the still decoder, which names the problem
    in one line; so does a HEIC photo, which the video player called "not a video file"."""
    import io
    import os
    import struct

    from PIL import Image

    buffer = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), (v, v, v)) for v in (0, 120, 240)]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    whole = buffer.getvalue()
    bomb = bytearray(whole)
    bomb[6:10] = struct.pack("<HH", 14000, 13000)  # a 182 M pixel logical screen
    files = {"bomb.gif": bytes(bomb), "cut_index.gif": whole[:84], "cut_struct.gif": whole[:90],
             "junk.gif": b"GIF89a junk", "photo.heic": b"\0\0\0\x18ftypheic" + bytes(64)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    fifo = tmp_path / "pipe.gif"
    os.mkfifo(fifo)
    for name in [*files, fifo.name]:
        source = source_for_path(tmp_path / name)
        assert isinstance(source, ImageSource), name
        events = Events(source)
        source.start()
        qtbot.waitUntil(lambda e=events: bool(e.errors), timeout=5000)
        assert events.errors[0].count("\n") == 0 and not events.frames, name
        source.stop()


def test_device_as_video_file_is_not_called_missing(qtbot):
    source = VideoFileSource(Path("/dev/zero"))
    events = Events(source)
    source.start()
    assert events.errors and "not a regular file" in events.errors[0]


def test_folder_names_every_skipped_file_and_withdraws_the_notice(qtbot, tmp_path):
    """Three bad files in a row were reported as "Skipped" the last one only, and that
    notice stayed while later good images showed."""
    _save(tmp_path / "a1.png", np.full((4, 4, 3), 10, np.uint8))
    for name in ("b2.jpg", "b3.jpg", "b4.png"):
        (tmp_path / name).write_bytes(b"not an image")
    _save(tmp_path / "c5.png", np.full((4, 4, 3), 50, np.uint8))
    source = FolderSource(tmp_path)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    source.next_image()  # over b2, b3, b4 to c5
    qtbot.waitUntil(lambda: len(events.frames) == 2, timeout=2000)
    assert events.status[-1] == "Skipped 3 unreadable files: b2.jpg, b3.jpg, b4.png"
    assert len(source.skipped) == 3 and "not an image file" in source.skipped[0]
    source.next_image()  # a1, nothing skipped: the notice is withdrawn
    qtbot.waitUntil(lambda: len(events.frames) == 3, timeout=2000)
    assert events.status[-1] == ""
    source.stop()


# ------------------------------------------------------------------ pause and resume of stills

def test_image_opened_while_paused_is_delivered_on_resume(qtbot, tmp_path):
    """The panel pauses a source right after starting it when Pause is on; the image's one
    delivery was then skipped and nothing sent it on Resume: "Waiting for frames" for good."""
    rgb = np.full((6, 9, 3), (200, 10, 10), np.uint8)
    source = ImageSource(_save(tmp_path / "red.png", rgb))
    events = Events(source)
    source.start()
    source.set_paused(True)  # what the panel does when Pause is on
    qtbot.wait(50)
    assert not events.frames, "a paused source must not emit"
    source.set_paused(False)
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    np.testing.assert_array_equal(events.frames[0].rgb, rgb)
    source.stop()


def test_image_paused_after_its_delivery_is_not_sent_twice(qtbot, tmp_path):
    source = ImageSource(_save(tmp_path / "grey.png", np.full((4, 4, 3), 90, np.uint8)))
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    source.set_paused(True)
    source.set_paused(False)
    qtbot.wait(50)
    assert len(events.frames) == 1, "nothing was withheld, so nothing is re-sent"
    source.set_paused(True)
    source.refresh()  # withheld while paused ...
    source.set_paused(False)
    qtbot.waitUntil(lambda: len(events.frames) == 2, timeout=2000)  # ... and sent on resume
    source.stop()


def test_folder_opened_or_stepped_while_paused_shows_nothing_until_resume(qtbot, tmp_path):
    """While paused the caption moved on to files the view never showed (the panel drops
    paused frames); on resume the file the caption names must be the one delivered."""
    for i in range(3):
        _save(tmp_path / f"{i}.png", np.full((4, 4, 3), 10 * (i + 1), np.uint8))
    source = FolderSource(tmp_path)
    events = Events(source)
    positions: list[tuple[int, int, str]] = []
    source.position_changed.connect(lambda *args: positions.append(args))
    source.start()
    source.set_paused(True)  # before the first image is shown, as the panel does
    qtbot.wait(50)
    source.next_image()
    source.previous_image()
    source.next_image()
    assert not events.frames and not positions, "nothing moves or shows while paused"
    assert source.index == 0
    source.set_paused(False)
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=2000)
    assert positions == [(0, 3, "0.png")]
    assert int(events.frames[0].rgb[0, 0, 0]) == 10
    source.next_image()
    qtbot.waitUntil(lambda: len(events.frames) == 2, timeout=2000)
    assert positions[-1] == (1, 3, "1.png") and int(events.frames[-1].rgb[0, 0, 0]) == 20
    source.set_paused(True)
    source.set_paused(False)
    qtbot.wait(50)
    assert len(events.frames) == 2, "an image already shown is not sent again"
    source.stop()


# ------------------------------------------------------------------ camera permission

class _FakeCamera:
    """Stands in for the source's QCamera: records start/stop, accepts a format."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")

    def stop(self) -> None:
        self.calls.append("stop")

    def setCameraFormat(self, fmt) -> None:  # noqa: N802 - Qt naming
        self.calls.append("format")


class _ListedDevice(_AnyDevice):
    def videoFormats(self):  # noqa: N802 - Qt naming
        return []


def _camera_with_permission(monkeypatch, status, answer=None):
    """A CameraSource on a fake listed device whose permission status is ``status``; when
    undetermined, the permission request is answered later with ``answer`` (a bool)."""
    from PySide6.QtCore import Qt

    import explorer.vision.sources as sources

    device = _ListedDevice()
    source = CameraSource(QCameraDevice(), stall_timeout_ms=None)
    monkeypatch.setattr(sources, "QMediaDevices",
                        type("Devices", (), {"videoInputs": staticmethod(lambda: [device])}))
    monkeypatch.setattr(sources, "camera_permission_status", lambda: status)
    requests: list = []
    monkeypatch.setattr(sources, "request_camera_permission",
                        lambda context, callback: requests.append(callback))
    source._device = device  # noqa: SLF001
    camera = _FakeCamera()
    source._camera = camera  # noqa: SLF001
    return source, Events(source), camera, requests, Qt.PermissionStatus


def test_camera_with_denied_permission_says_so(qtbot, monkeypatch):
    """On macOS a camera without permission never starts and says nothing; after 5 s the
    panel blamed another program or a cable."""
    from PySide6.QtCore import Qt

    from explorer.vision.sources import CAMERA_DENIED_MESSAGE

    source, events, camera, requests, _ = _camera_with_permission(
        monkeypatch, Qt.PermissionStatus.Denied)
    source.start()
    assert events.errors == [CAMERA_DENIED_MESSAGE]
    assert "Privacy & Security > Camera" in CAMERA_DENIED_MESSAGE
    assert "start" not in camera.calls and not requests
    assert not source.is_active()


def test_camera_with_granted_permission_starts_at_once(qtbot, monkeypatch):
    from PySide6.QtCore import Qt

    source, events, camera, requests, _ = _camera_with_permission(
        monkeypatch, Qt.PermissionStatus.Granted)
    source.start()
    assert camera.calls[-1] == "start" and not requests and not events.errors
    source.stop()


@pytest.mark.parametrize("granted", [True, False])
def test_camera_asks_for_undetermined_permission(qtbot, monkeypatch, granted):
    from PySide6.QtCore import Qt

    from explorer.vision.sources import CAMERA_DENIED_MESSAGE

    source, events, camera, requests, _ = _camera_with_permission(
        monkeypatch, Qt.PermissionStatus.Undetermined)
    source._stall_timeout_ms = 50  # noqa: SLF001 - the user may take a while to answer
    source.start()
    assert len(requests) == 1 and "start" not in camera.calls
    assert any("permission" in s for s in events.status)
    qtbot.wait(200)
    assert not events.stalls, "waiting for the user's answer is not a stall"
    requests[0](granted)
    if granted:
        assert camera.calls[-1] == "start" and not events.errors
        assert source.is_active()
        assert events.status[-1] == "camera: access granted."  # not left "waiting"
        source.stop()
    else:
        assert "start" not in camera.calls
        assert events.errors == [CAMERA_DENIED_MESSAGE] and not source.is_active()


def test_camera_permission_answer_after_stop_is_ignored(qtbot, monkeypatch):
    from PySide6.QtCore import Qt

    source, events, camera, requests, _ = _camera_with_permission(
        monkeypatch, Qt.PermissionStatus.Undetermined)
    source.start()
    source.stop()  # the user picked another source before answering
    requests[0](True)
    assert "start" not in camera.calls and not events.errors


def test_camera_permission_helpers_on_this_platform(qtbot):
    """Linux and Windows grant camera access without asking: nothing changes there."""
    from PySide6.QtCore import Qt

    from explorer.vision.sources import camera_permission_status, request_camera_permission

    status = camera_permission_status()
    assert isinstance(status, Qt.PermissionStatus)
    if status != Qt.PermissionStatus.Granted:
        pytest.skip(f"camera permission is {status.name} here")
    answers: list[bool] = []
    context = QObject()
    request_camera_permission(context, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=2000)
    assert answers == [True]


# ------------------------------------------------------------------ failed videos stop playing

@pytest.mark.parametrize("kind", ["audio only", "unknown codec"])
def test_failed_video_leaves_the_player_stopped(qtbot, tmp_path, kind):
    """stop() from inside the player's status/error callback was overridden by the play()
    already requested: the failed file went on decoding in the background."""
    from PySide6.QtMultimedia import QMediaPlayer

    path = (write_wav(tmp_path / "tone.wav") if kind == "audio only" else
            write_mjpeg_avi(tmp_path / "odd.avi", _colour_frames(2), codec=b"ZZZZ"))
    source = VideoFileSource(path, stall_timeout_ms=None)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=8000)
    qtbot.wait(300)  # the overriding play() lands after the failure
    assert source.player().playbackState() == QMediaPlayer.PlaybackState.StoppedState
    assert source.player().position() == 0
    assert events.errors[-1] == source.last_error and len(events.errors) == 1


@pytest.mark.slow
def test_video_source_plays_again_after_stop_and_restart(qtbot, tmp_path):
    """stop() now also clears the player's source; start() sets it again."""
    path = write_mjpeg_avi(tmp_path / "clip.avi", _colour_frames(4))
    source = VideoFileSource(path, stall_timeout_ms=None)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) >= 2, timeout=8000)
    for settle_ms in (0, 100):  # restarted before and after the player was released
        source.stop()
        qtbot.wait(settle_ms)
        seen = len(events.frames)
        source.start()
        qtbot.waitUntil(lambda seen=seen: len(events.frames) >= seen + 2, timeout=8000)
    assert not events.errors
    source.stop()


# ------------------------------------------------------------------ conversion failures

def _failing_conversion(monkeypatch, failing: set[int]):
    """Make conversion of frames whose top-left red value is in ``failing`` raise, as Qt's
    CPU path does for YUV420P10 (and a corrupt MJPEG frame)."""
    import explorer.vision.sources as sources
    from explorer.vision.frames import FrameConversionError

    real = sources.packet_from_video_frame

    def convert(frame, name):
        packet = real(frame, name)
        if int(packet.rgb[0, 0, 0]) in failing:
            raise FrameConversionError(
                f"cannot convert a {frame.pixelFormat().name.removeprefix('Format_')} video"
                " frame to RGB")
        return packet

    monkeypatch.setattr(sources, "packet_from_video_frame", convert)


def _push(qtbot, source, events, value: int) -> None:
    """One frame in, and its conversion (on the conversion thread) back."""
    before = source.conversions_done
    source.video_sink().setVideoFrame(rgb_to_video_frame(np.full((8, 8, 3), value, np.uint8)))
    qtbot.waitUntil(lambda: source.conversions_done > before, timeout=2000)


def test_skip_notice_is_withdrawn_when_frames_convert_again(qtbot, monkeypatch):
    """One unreadable frame left "skipping frames" up while every later frame was fine."""
    import explorer.vision.sources as sources
    from explorer.vision.sources import SKIPPED_PREFIX

    _failing_conversion(monkeypatch, {1})
    monkeypatch.setattr(sources, "CONVERSION_RECOVERY_S", 0.0)
    source = VideoSinkSource("camera 'Demo'", stall_timeout_ms=None)
    events = Events(source)
    source.start()
    _push(qtbot, source, events, 1)
    _push(qtbot, source, events, 1)
    assert source.conversion_errors == 2
    assert len(events.status) == 1, "one notice, not one per frame"
    # The panel withdraws a notice starting with SKIPPED_PREFIX when status_changed("").
    assert events.status[0].startswith(SKIPPED_PREFIX)
    assert "camera 'Demo'" in events.status[0] and "cannot convert" in events.status[0]
    _push(qtbot, source, events, 2)
    assert len(events.frames) == 1
    assert events.status[-1] == "" and source.conversion_errors == 0
    _push(qtbot, source, events, 3)
    assert events.status.count("") == 1, "withdrawn once"
    _push(qtbot, source, events, 1)  # a new failure is reported again
    assert events.status[-1].startswith(SKIPPED_PREFIX) and len(events.status) == 3
    source.stop()


def test_skip_notice_stays_while_failures_keep_coming(qtbot, monkeypatch):
    """Every other frame failing must not make the notice blink at the frame rate."""
    _failing_conversion(monkeypatch, {1})
    source = VideoSinkSource("camera 'Demo'", stall_timeout_ms=None)
    events = Events(source)
    source.start()
    for value in (1, 2, 1, 3, 1, 4):
        _push(qtbot, source, events, value)
    assert len(events.frames) == 3
    assert len(events.status) == 1 and events.status[0], "shown once, never withdrawn"
    source.stop()


def test_frames_that_never_convert_are_not_blamed_on_the_camera(qtbot, monkeypatch):
    """Every frame failing conversion was reported as "No frames ... in use by another
    program, covered, or disconnected" although frames arrived all the time."""
    _failing_conversion(monkeypatch, {1, 2})
    source = VideoSinkSource("camera 'Demo10bit'", stall_timeout_ms=200)
    events = Events(source)
    source.start()
    value = 1
    while not events.stalls:
        _push(qtbot, source, events, value)
        value = 3 - value  # a new frame each time (the sink ignores the same frame twice)
        qtbot.wait(20)
    assert not events.frames
    message = events.stalls[0]
    assert message.startswith("Frames arrive from camera 'Demo10bit'")
    assert "cannot be converted to RGB (RGBX8888)" in message
    assert "in use by another program" not in message
    _failing_conversion(monkeypatch, set())
    _push(qtbot, source, events, 5)
    assert events.recovered == 1 and len(events.frames) == 1
    source.stop()


def test_a_stalled_video_file_is_never_blamed_on_another_program(qtbot, tmp_path):
    """A file whose frames once failed to convert, then played, then stalled, got the
    camera's "in use by another program, covered, or disconnected" wording."""
    source = VideoFileSource(tmp_path / "clip.mp4", stall_timeout_ms=None)
    now = time.monotonic()
    source._failed_pixel_format = "RGBX8888"
    source._last_conversion_failure = now - 30  # failed once, long ago
    source._last_frame_time = source._last_arrival = now - 20  # then played until 20 s ago
    message = source.stall_message(5)
    assert message.startswith("No new frame from clip.mp4 for 5 s")
    assert "in use by another program" not in message
    # Frames still arriving, none converting: the format is named instead.
    source._last_arrival = source._last_conversion_failure = now
    assert "cannot be converted to RGB (RGBX8888)" in source.stall_message(5)
    source.deleteLater()


def test_no_frames_at_all_still_blames_the_camera(qtbot, monkeypatch):
    _failing_conversion(monkeypatch, {1})
    source = VideoSinkSource("camera 'Demo'", stall_timeout_ms=300)
    events = Events(source)
    source.start()
    _push(qtbot, source, events, 1)  # one bad frame, then nothing for longer than 300 ms
    qtbot.wait(350)
    qtbot.waitUntil(lambda: bool(events.stalls), timeout=2000)
    assert "in use by another program" in events.stalls[0]
    source.stop()


def _slow_decodes(monkeypatch, delay: float) -> list[tuple[str, int]]:
    """Make every still decode take ``delay`` s more; returns (file name, thread) per decode."""
    import explorer.vision.sources as sources

    calls: list[tuple[str, int]] = []
    real_load = sources._load_rgb

    def slow_load(path):
        calls.append((path.name, threading.get_ident()))
        time.sleep(delay)
        return real_load(path)

    monkeypatch.setattr(sources, "_load_rgb", slow_load)
    return calls


def _grey_folder(folder: Path, count: int) -> None:
    """0.png .. (count-1).png, each one grey level: 10, 20, ..."""
    for i in range(count):
        _save(folder / f"{i}.png", np.full((4, 4, 3), 10 * (i + 1), np.uint8))


def test_stills_decode_off_the_gui_thread_and_only_the_newest_step_shows(qtbot, tmp_path,
                                                                        monkeypatch):
    """Photos are decoded in full (a 48 M pixel JPEG ~0.5 s): on the GUI thread that froze
    the window on opening a photo and on every folder step.  Steps taken while a decode
    runs replace it: only the newest file is shown."""
    gui = threading.get_ident()
    calls = _slow_decodes(monkeypatch, 0.15)
    _grey_folder(tmp_path, 4)
    source = FolderSource(tmp_path)
    events = Events(source)
    positions: list[tuple[int, int, str]] = []
    source.position_changed.connect(lambda *args: positions.append(args))
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=3000)
    t0 = time.perf_counter()
    source.next_image()
    source.next_image()
    source.next_image()
    assert time.perf_counter() - t0 < 0.1, "the steps waited for decodes"
    qtbot.waitUntil(lambda: len(events.frames) == 2, timeout=3000)
    qtbot.wait(400)  # the two replaced decodes finish meanwhile, and are dropped
    assert len(events.frames) == 2 and int(events.frames[-1].rgb[0, 0, 0]) == 40
    assert positions[-1] == (3, 4, "3.png") and len(positions) == 2
    assert calls and gui not in {thread for _name, thread in calls}
    source.stop()


def test_replaced_decodes_do_not_pile_up_and_a_fast_slideshow_still_shows(qtbot, tmp_path,
                                                                        monkeypatch):
    """Holding Next through big photos queued one full decode per step, run to the end
    (4.4 GB on 8 cores, the newest frame 8 s late); a slideshow ticking faster than a decode
    replaced every decode and showed nothing."""
    calls = _slow_decodes(monkeypatch, 0.2)
    _grey_folder(tmp_path, 6)
    source = FolderSource(tmp_path)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: len(events.frames) == 1, timeout=3000)
    calls.clear()
    for _ in range(10):  # back to back, as fast as key repeat at its fastest
        source.next_image()
    qtbot.waitUntil(lambda: len(events.frames) == 2, timeout=3000)
    assert int(events.frames[-1].rgb[0, 0, 0]) == 50  # 10 steps from 0.png: 4.png
    assert len(calls) <= 2, calls  # at most the one already running, and the newest
    source.stop()

    slideshow = FolderSource(tmp_path, interval_ms=50)  # ticks 4x faster than a decode
    shown = Events(slideshow)
    slideshow.start()
    qtbot.waitUntil(lambda: len(shown.frames) >= 3, timeout=5000)
    slideshow.stop()


def test_any_decode_failure_reaches_the_user(qtbot, tmp_path, monkeypatch):
    """Only ValueError/OSError were caught: a MemoryError left the view waiting forever."""
    import explorer.vision.sources as sources

    def no_memory(path):
        raise MemoryError("cannot allocate 144 MB")

    monkeypatch.setattr(sources, "_load_rgb", no_memory)
    source = ImageSource(_save(tmp_path / "big.png", np.zeros((4, 4, 3), np.uint8)))
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=3000)
    assert "cannot allocate 144 MB" in events.errors[0] and not source.is_active()


def test_frames_convert_off_the_gui_thread_and_only_the_newest_waits(qtbot, monkeypatch):
    """Conversion ran on the GUI thread: 8 ms a frame at 720p, 18-25 ms at 1080p, so a
    slider move that met a frame took 16-63 ms.  Now a conversion thread does it; frames that
    arrive meanwhile replace each other, and the newest is the one shown next."""
    import threading

    import explorer.vision.sources as sources

    real = sources.packet_from_video_frame
    threads = []

    def slow(frame, name):
        threads.append(threading.current_thread())
        time.sleep(0.15)
        return real(frame, name)

    monkeypatch.setattr(sources, "packet_from_video_frame", slow)
    source = VideoSinkSource("camera 'Demo'", stall_timeout_ms=None)
    events = Events(source)
    source.start()
    started = time.perf_counter()
    for value in range(10, 60, 10):  # five frames while the first converts
        source.video_sink().setVideoFrame(
            rgb_to_video_frame(np.full((8, 8, 3), value, np.uint8)))
        QCoreApplication.processEvents()
    assert time.perf_counter() - started < 0.15, "the GUI thread waited for a conversion"
    qtbot.waitUntil(lambda: bool(events.frames) and events.frames[-1].rgb[0, 0, 0] == 50,
                    timeout=3000)
    assert threading.main_thread() not in threads
    assert len(threads) < 5 and source.conversions_done == len(threads)
    # Every frame received is converted or counted as skipped.
    assert source.conversions_done + source.stale_frames_skipped == source.frames_received
    source.stop()


def test_pool_threads_answer_on_the_gui_thread_and_never_a_deleted_source(qtbot, tmp_path,
                                                                          monkeypatch):
    """A photo's decoder emitted its answer on the decode thread while the GUI thread
    deleted it (another photo opened meanwhile): the app segfaulted in Qt's signal code
    (2 of 3 runs of 6,000 open-and-replace cycles).  Answers now travel through one relay
    that is never deleted, and reach the GUI thread only for a source still alive."""
    from PySide6.QtCore import Qt

    from explorer.threads import one_thread_pool

    photo = _save(tmp_path / "a.png", np.full((8, 8, 3), 90, np.uint8))
    source = ImageSource(photo)
    threads: list[int] = []
    source._decoder.decoded.connect(lambda *_: threads.append(threading.get_ident()),
                                    Qt.ConnectionType.DirectConnection)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.frames), timeout=5000)
    assert threads == [threading.get_ident()]  # emitted on the GUI thread, not the pool's

    sink = VideoSinkSource("camera 'Demo'", stall_timeout_ms=None)
    converted: list[int] = []
    sink._converter.converted.connect(lambda *_: converted.append(threading.get_ident()),
                                      Qt.ConnectionType.DirectConnection)
    sink_events = Events(sink)
    sink.start()
    _push(qtbot, sink, sink_events, 7)
    assert converted == [threading.get_ident()]
    sink.stop()

    # Deleted while its photo decodes: the answer is dropped, nothing crashes.
    calls = _slow_decodes(monkeypatch, 0.3)
    doomed = ImageSource(photo)
    doomed.start()
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    doomed.stop()
    doomed.deleteLater()
    qtbot.wait(50)
    assert one_thread_pool("decode").waitForDone(5000)
    qtbot.wait(50)  # the relay's queued call runs and finds the decoder gone


def test_a_folder_of_unreadable_files_says_why_the_first_failed(qtbot, tmp_path):
    """"None of the 2 images ... could be read." gave no reason at all."""
    (tmp_path / "a.jpg").write_bytes(b"not an image")
    (tmp_path / "b.png").write_bytes(b"nor this")
    source = FolderSource(tmp_path)
    events = Events(source)
    source.start()
    qtbot.waitUntil(lambda: bool(events.errors), timeout=5000)
    assert events.errors[0].startswith(f"None of the 2 images in {tmp_path} could be read;"
                                       " the first: a.jpg: ")
    assert "not an image file PIL can read" in events.errors[0]
