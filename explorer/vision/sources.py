"""Frame sources for the Classify view: camera, video file, single image, folder of images.

Every source is a ``FrameSource`` QObject with the same small interface: ``start()``,
``stop()``, ``set_paused()``, and the signals ``frame_ready(FramePacket)``,
``error_occurred(str)`` (the source stopped; the message says why and what to do),
``status_changed(str)``, ``stalled(str)`` and ``recovered()``.

Camera and video sources feed a ``QVideoSink``.  Its ``videoFrameChanged`` arrives on the
source's (GUI) thread through a queued connection; a *direct* connection would run Python in
the FFmpeg render thread, which then needs the GIL while the GUI thread, holding it, waits in
``QMediaPlayer.stop()`` for that very thread: a deadlock (seen with PySide6 6.12).  A queued
frame that is no longer the sink's newest is skipped unconverted, so a busy GUI drops stale
frames instead of converting a backlog.  The newest frame goes to a conversion thread
(``_FrameConverter``), which turns it into an owned numpy array and releases the
``QVideoFrame``; the packet comes back to the GUI thread.  Converting on the GUI thread cost
8 ms a frame at 720p and 18-25 ms at 1080p, so a slider move that met a frame took 16-63 ms
instead of under 16.  At most two frames are held (one converting, one waiting; a newer one
replaces the waiting one), well within a camera's buffer pool.

Stall detection: a timer in the source's thread checks how long ago the last frame was
delivered; after ``stall_timeout_ms`` (5 s by default, shorter in tests) without one, ``stalled``
is emitted once with a message, and ``recovered`` when frames flow again.  The message tells
frames that stopped arriving (camera busy, covered, unplugged) from frames that arrive but
cannot be converted to RGB (an unsupported pixel format): the user's remedy differs.

Frames that fail conversion are skipped with one ``status_changed`` notice starting with
``SKIPPED_PREFIX``; once frames have converted again for ``CONVERSION_RECOVERY_S``,
``status_changed("")`` withdraws it (as a folder does past its unreadable files).

Pausing a still source (image, folder) holds back its delivery instead of dropping it: what was
due while paused (the first image of a source opened while paused, say) is sent on resume,
since a still source has no next frame that would replace it.

Still images are decoded on a pool thread (``_StillDecoder``), not the GUI thread: photos are
decoded in full, as Keras does, and a 48 M pixel JPEG takes ~0.5 s (a 12 M pixel one ~0.13 s),
which froze the window on opening a photo or on every step of a folder.  Only the newest
request's result is delivered: a step taken while a decode runs replaces it.

Cameras ask for the platform's camera permission before starting (macOS; Linux and Windows
grant it): without it macOS's backend silently never starts, which looked like a stall.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QCameraPermission,
    QCoreApplication,
    QObject,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QCameraFormat,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaMetaData,
    QMediaPlayer,
    QVideoFrame,
    QVideoSink,
)

from explorer.threads import gui_relay, one_thread_pool
from explorer.vision.camera_format import CameraMode, choose_camera_mode
from explorer.vision.frames import (
    FrameConversionError,
    FramePacket,
    LatestSlot,
    packet_from_rgb,
    packet_from_video_frame,
)
from explorer.vision.images import IMAGE_SUFFIXES, list_images

#: Default time without frames after which a running source reports a stall.
DEFAULT_STALL_TIMEOUT_MS = 5000
#: Suffixes offered in the "Open video" dialog (Qt's FFmpeg backend plays many more).
VIDEO_SUFFIXES = frozenset({
    ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".ogv", ".gif",
})

NO_CAMERA_MESSAGE = (
    "No camera found. Open a video file, an image or a folder of images instead"
    " (or drop one onto the view)."
)

#: Start of the notice a source gives for input it skipped: files a folder could not read,
#: frames a camera or video sent that could not be converted.  ``status_changed("")``
#: withdraws such a notice once the source is past the problem.
SKIPPED_PREFIX = "Skipped "

#: How long frames must convert without a failure before the skip notice is withdrawn (a
#: source failing every other frame would otherwise make the notice blink at its frame rate).
CONVERSION_RECOVERY_S = 1.0

CAMERA_DENIED_MESSAGE = (
    "Camera access is denied: allow it in the system's privacy settings (macOS: System"
    " Settings > Privacy & Security > Camera), or pick another source."
)


def camera_permission_status() -> Qt.PermissionStatus:
    """The application's camera permission (Granted on Linux and Windows, which never ask)."""
    app = QCoreApplication.instance()
    if app is None:  # no application: nothing to ask through; QCamera will say what is wrong
        return Qt.PermissionStatus.Granted
    return app.checkPermission(QCameraPermission())


def request_camera_permission(context: QObject, on_answer: Callable[[bool], None]) -> None:
    """Ask the user for camera access (macOS shows its prompt once); ``on_answer(granted)``
    is called in ``context``'s thread, and not at all if ``context`` is deleted first."""
    app = QCoreApplication.instance()
    if app is None:
        on_answer(True)
        return

    def answered(permission) -> None:  # receives the QPermission with the user's answer
        on_answer(permission.status() == Qt.PermissionStatus.Granted)

    app.requestPermission(QCameraPermission(), context, answered)


class FrameSource(QObject):
    """Base class: start/stop/pause, frame delivery, and stall detection.

    Signals:
        frame_ready(FramePacket): a converted frame, emitted in the source's thread.
        error_occurred(str): the source failed and stopped; the message is for the user.
        status_changed(str): an informational message (playing, ended, skipped a file);
            "" withdraws a notice starting with ``SKIPPED_PREFIX`` (the source is past it).
        stalled(str): no frame arrived for ``stall_timeout_ms`` while running.
        recovered(): frames arrive again after a stall.
        active_changed(bool): started or stopped.
    """

    frame_ready = Signal(object)
    error_occurred = Signal(str)
    status_changed = Signal(str)
    stalled = Signal(str)
    recovered = Signal()
    active_changed = Signal(bool)

    #: What the view shows in its source picker, e.g. "camera", "video", "image", "folder".
    kind = "source"

    def __init__(self, name: str, stall_timeout_ms: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._active = False
        self._paused = False
        self._lock = threading.Lock()
        self._last_frame_time = 0.0
        self._stall_reported = False
        self.frames_emitted = 0
        self.last_error = ""
        # A still source's delivery that fell into a pause, made on resume (_hold_while_paused).
        self._due_on_resume: Callable[[], None] | None = None
        self._stall_timeout_ms = stall_timeout_ms
        self._stall_timer = QTimer(self)
        if stall_timeout_ms:
            self._stall_timer.setInterval(max(20, min(500, stall_timeout_ms // 4)))
            self._stall_timer.timeout.connect(self._check_stall)

    # ------------------------------------------------------------------ interface
    @property
    def name(self) -> str:
        return self._name

    @property
    def stall_timeout_ms(self) -> int | None:
        return self._stall_timeout_ms

    def is_active(self) -> bool:
        return self._active

    def is_paused(self) -> bool:
        return self._paused

    def start(self) -> None:
        """Begin delivering frames; failures are reported through ``error_occurred``."""
        if self._active:
            return
        self._active = True
        self._paused = False
        self.last_error = ""
        self._reset_stall_clock()
        if self._stall_timeout_ms:
            self._stall_timer.start()
        self.active_changed.emit(True)
        self._start_impl()

    def stop(self) -> None:
        """Stop delivering frames (idempotent)."""
        if not self._active:
            return
        self._active = False
        self._due_on_resume = None
        self._stall_timer.stop()
        self._stop_impl()
        self.active_changed.emit(False)

    def set_paused(self, paused: bool) -> None:
        """Pause or resume delivery; a paused source never reports a stall."""
        if paused == self._paused:
            return
        self._paused = paused
        self._reset_stall_clock()
        self._pause_impl(paused)
        due, self._due_on_resume = self._due_on_resume, None
        if not paused and due is not None:
            QTimer.singleShot(0, self, due)

    # ------------------------------------------------------------------ for subclasses
    def _start_impl(self) -> None:
        pass

    def _stop_impl(self) -> None:
        pass

    def _pause_impl(self, paused: bool) -> None:
        pass

    def _hold_while_paused(self, delivery: Callable[[], None]) -> bool:
        """True when paused, with ``delivery`` kept to run on resume: a still source (image,
        folder) has no next frame that would replace what fell into the pause (the first
        image of a source opened while paused, say)."""
        if self._paused:
            self._due_on_resume = delivery
        return self._paused

    def _deliver(self, packet: FramePacket) -> None:
        """Emit ``packet`` (any thread) and feed the stall clock."""
        with self._lock:
            self._last_frame_time = time.monotonic()
            was_stalled, self._stall_reported = self._stall_reported, False
            self.frames_emitted += 1
        if was_stalled:
            self.recovered.emit()
        self.frame_ready.emit(packet)

    def _when_unpaused(self, action: Callable[[], None]) -> None:
        """Run ``action`` (a still frame's delivery) now, or on resume when paused, if the
        source is still active then."""
        def run() -> None:
            if self._active:
                action()

        if not self._hold_while_paused(run):
            run()

    def _fail(self, message: str) -> None:
        """Report a fatal problem once and stop."""
        self.last_error = message
        self.stop()
        self.error_occurred.emit(message)

    def _reset_stall_clock(self) -> None:
        with self._lock:
            self._last_frame_time = time.monotonic()
            self._stall_reported = False

    def stall_message(self, seconds: float) -> str:
        return (f"No frames from {self._name} for {seconds:g} s. It may be in use by another"
                " program, covered, or disconnected.")

    @Slot()
    def _check_stall(self) -> None:
        if not self._active or self._paused or not self._stall_timeout_ms:
            return
        with self._lock:
            idle_ms = (time.monotonic() - self._last_frame_time) * 1e3
            report = idle_ms >= self._stall_timeout_ms and not self._stall_reported
            if report:
                self._stall_reported = True
        if report:
            self._report_stall(self._stall_timeout_ms / 1e3)

    def _report_stall(self, seconds: float) -> None:
        """No frame for ``seconds``: a warning, since a camera or stream may recover."""
        self.stalled.emit(self.stall_message(seconds))


def _convert_pool() -> QThreadPool:
    """One thread that converts every video frame in the app (one stream runs at a time)."""
    return one_thread_pool("convert")


class _FrameConverter(QObject):
    """Converts video frames to packets on the conversion thread.  ``converted(result,
    arrival, pixel format)`` comes back on this object's (GUI) thread, the result being a
    ``FramePacket`` or the ``FrameConversionError``.  Only the newest waiting frame is kept:
    one submitted while another converts replaces any frame still waiting."""

    converted = Signal(object, float, str)

    def __init__(self, name: str, parent: QObject) -> None:
        super().__init__(parent)
        self._name = name
        self._waiting: LatestSlot[tuple[QVideoFrame, float]] = LatestSlot()
        self._lock = threading.Lock()
        self._draining = False

    def submit(self, frame: QVideoFrame, arrival: float) -> bool:
        """Queue ``frame``; True when it replaced a waiting frame, which is then dropped."""
        replaced = self._waiting.put((QVideoFrame(frame), arrival))
        with self._lock:
            if self._draining:
                return replaced  # the running drain takes it
            self._draining = True
        relay = gui_relay()  # made here, on the GUI thread
        _convert_pool().start(lambda: self._drain(relay))
        return replaced

    def clear(self) -> None:
        """Drop the frame waiting, if any (the one converting still reports back)."""
        self._waiting.clear()

    def _drain(self, relay: QObject) -> None:
        while True:
            item = self._waiting.take()
            if item is None:
                with self._lock:  # in the lock submit() checks: no frame is left behind
                    if self._waiting.peek() is None:
                        self._draining = False
                        return
                continue
            frame, arrival = item
            pixel_format = frame.pixelFormat().name.removeprefix("Format_")
            result: FramePacket | Exception
            try:
                result = packet_from_video_frame(frame, self._name)
            except Exception as exc:  # noqa: BLE001 - any failure is this frame's, reported
                result = exc if isinstance(exc, FrameConversionError) else \
                    FrameConversionError(f"{type(exc).__name__}: {exc}")
            del frame, item  # the buffer goes back to the camera or decoder now
            # Through the relay, never on this object from here: the GUI thread may delete it
            # (its source replaced) during the emit, which crashed the app for still photos.
            relay.call.emit(self._deliver, (result, arrival, pixel_format))  # type: ignore[attr-defined]

    def _deliver(self, result: object, arrival: float, pixel_format: str) -> None:
        """On the GUI thread, through the relay (which skips a deleted converter)."""
        self.converted.emit(result, arrival, pixel_format)


class VideoSinkSource(FrameSource):
    """Frames pushed into a ``QVideoSink`` (by a camera, a media player, or a test).

    ``video_sink().setVideoFrame(frame)`` injects frames without any device.
    """

    kind = "sink"

    def __init__(self, name: str = "video sink",
                 stall_timeout_ms: int | None = DEFAULT_STALL_TIMEOUT_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(name, stall_timeout_ms, parent)
        self._sink = QVideoSink(self)
        #: Frames that failed conversion since the last recovery (reset when frames convert
        #: again for ``CONVERSION_RECOVERY_S``).
        self.conversion_errors = 0
        self.stale_frames_skipped = 0
        #: Valid frames that reached the source while it ran, converted or not.
        self.frames_received = 0
        #: Frames whose conversion came back (delivered, failed, or too late to show).
        self.conversions_done = 0
        # Monotonic times of the newest frame received and the newest conversion failure, and
        # that failure's pixel format: the stall message tells "no frames" from "frames that
        # cannot be converted".
        self._last_arrival = 0.0
        self._last_conversion_failure = 0.0
        self._failed_pixel_format = ""
        # Queued when the backend delivers from its own thread (see the module docstring).
        self._sink.videoFrameChanged.connect(self._on_video_frame,
                                             Qt.ConnectionType.AutoConnection)
        self._converter = _FrameConverter(name, self)
        self._converter.converted.connect(self._on_converted)
        #: False while nobody looks (the Classify view hidden behind another tab): frames
        #: are counted but not converted, and they keep the stall clock from running out.
        self._wanted = True

    def video_sink(self) -> QVideoSink:
        return self._sink

    def set_wanted(self, wanted: bool) -> None:
        """Convert frames (True) or let them pass unconverted while nobody looks (False).

        On True the sink's newest frame is converted at once: a source that went still
        meanwhile (a camera pointed at a wall, a video at its end) would otherwise keep
        showing the frame from before.
        """
        was, self._wanted = self._wanted, bool(wanted)
        if not wanted:
            self._converter.clear()
        elif not was and self._active and not self._paused:
            newest = self._sink.videoFrame()
            if newest.isValid():
                self._converter.submit(newest, time.monotonic())

    @Slot(QVideoFrame)
    def _on_video_frame(self, frame: QVideoFrame) -> None:
        if not self._active or self._paused or not frame.isValid():
            return  # players emit an invalid frame when they stop; not an error
        now = time.monotonic()
        self.frames_received += 1
        self._last_arrival = now
        if not self._wanted:
            self._reset_stall_clock()  # the stream is alive, only unwatched
            return
        if frame != self._sink.videoFrame():
            self.stale_frames_skipped += 1  # a newer frame is already waiting
            return
        if self._converter.submit(frame, now):
            self.stale_frames_skipped += 1  # the frame waiting for the converter

    @Slot(object, float, str)
    def _on_converted(self, result: FramePacket | Exception, arrival: float,
                      pixel_format: str) -> None:
        self.conversions_done += 1
        if not self._active or self._paused:
            return  # converted while the source stopped or paused: not shown
        if not isinstance(result, FramePacket):
            self.conversion_errors += 1
            self._last_conversion_failure = arrival
            self._failed_pixel_format = pixel_format
            if self.conversion_errors == 1:  # once, not 30 times a second
                self.status_changed.emit(f"{SKIPPED_PREFIX}frames from {self._name}: {result}")
            return
        if (self.conversion_errors
                and arrival - self._last_conversion_failure >= CONVERSION_RECOVERY_S):
            # Frames convert again: withdraw the notice (the panel clears a "Skipped" notice
            # on an empty status); a later failure is reported afresh.
            self.conversion_errors = 0
            self.status_changed.emit("")
        self._deliver(result)

    def _unconvertible_message(self, seconds: float) -> str | None:
        """Why nothing showed for ``seconds`` if frames came but none converted, else None."""
        # Frames still arriving (one in the last half of the timeout), none converted since the
        # last delivery: the source works, its pixel format is what we cannot handle.
        with self._lock:
            last_delivery = self._last_frame_time
        now = time.monotonic()
        arriving = now - self._last_arrival < seconds / 2
        if arriving and self._last_conversion_failure > last_delivery:
            return (f"Frames arrive from {self._name} but cannot be converted to RGB"
                    f" ({self._failed_pixel_format}), so nothing can be shown or classified."
                    " Pick another source.")
        return None

    def stall_message(self, seconds: float) -> str:
        return self._unconvertible_message(seconds) or super().stall_message(seconds)


def available_cameras() -> list[QCameraDevice]:
    """The cameras Qt sees now (empty on machines without one)."""
    return list(QMediaDevices.videoInputs())


def camera_label(device: QCameraDevice) -> str:
    return device.description() or bytes(device.id().data()).decode(errors="replace")


def camera_mode(fmt: QCameraFormat) -> CameraMode:
    """A QCameraFormat as a plain ``CameraMode``."""
    size = fmt.resolution()
    name = fmt.pixelFormat().name.removeprefix("Format_")
    return CameraMode(size.width(), size.height(), float(fmt.maxFrameRate()), name)


class CameraSource(VideoSinkSource):
    """A camera through QCamera -> QMediaCaptureSession -> QVideoSink.

    Reports: no camera, camera errors, the camera stopping on its own, the device vanishing
    from ``QMediaDevices.videoInputs()`` (unplugged), and stalls (no frames for 5 s).
    """

    kind = "camera"

    def __init__(self, device: QCameraDevice | None = None,
                 stall_timeout_ms: int | None = DEFAULT_STALL_TIMEOUT_MS,
                 parent: QObject | None = None) -> None:
        device = device if device is not None else QMediaDevices.defaultVideoInput()
        name = f"camera '{camera_label(device)}'" if not device.isNull() else "camera"
        super().__init__(name, stall_timeout_ms, parent)
        self._device = device
        self._stopping_on_purpose = False
        self._camera = QCamera(device, self)
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._camera.errorOccurred.connect(self._on_camera_error)
        self._camera.activeChanged.connect(self._on_active_changed)
        self._media_devices = QMediaDevices(self)
        self._media_devices.videoInputsChanged.connect(self._on_inputs_changed)
        self.chosen_mode: CameraMode | None = None

    def camera(self) -> QCamera:
        return self._camera

    def device(self) -> QCameraDevice:
        return self._device

    def _start_impl(self) -> None:
        if self._device.isNull():
            self._fail(NO_CAMERA_MESSAGE)
            return
        if not any(d.id() == self._device.id() for d in QMediaDevices.videoInputs()):
            self._fail(f"The {self._name} is not connected any more. Pick another source.")
            return
        self._stopping_on_purpose = False
        status = camera_permission_status()
        if status == Qt.PermissionStatus.Denied:
            self._fail(CAMERA_DENIED_MESSAGE)
        elif status == Qt.PermissionStatus.Granted:
            self._open_camera()
        else:
            # The system asks the user (macOS); no stall while they decide.
            self._stall_timer.stop()
            self.status_changed.emit(f"{self._name}: waiting for permission to use the camera…")
            request_camera_permission(self, self._on_permission_answer)

    def _on_permission_answer(self, granted: bool) -> None:
        if not self._active:
            return  # stopped (another source picked) before the user answered
        if not granted:
            self._fail(CAMERA_DENIED_MESSAGE)
            return
        self._reset_stall_clock()
        if self._stall_timeout_ms:
            self._stall_timer.start()
        self._open_camera()
        if self.chosen_mode is None:  # no format notice replaced the "waiting" one
            self.status_changed.emit(f"{self._name}: access granted.")

    def _open_camera(self) -> None:
        self._choose_format()
        self._camera.start()

    def _choose_format(self) -> None:
        """Ask for the smallest video-rate format with a short side >= 480 (camera_format)."""
        formats = list(self._device.videoFormats())
        modes = [camera_mode(f) for f in formats]
        chosen = choose_camera_mode(modes)
        self.chosen_mode = None
        if chosen is None:
            return  # the backend lists no formats: keep the camera's default
        self._camera.setCameraFormat(formats[chosen])
        self.chosen_mode = modes[chosen]
        self.status_changed.emit(f"{self._name}: {modes[chosen].describe()}")

    def _stop_impl(self) -> None:
        self._stopping_on_purpose = True
        self._camera.stop()

    def _pause_impl(self, paused: bool) -> None:
        # Keep the camera running (restarting one takes seconds); frames are just ignored.
        pass

    @Slot(QCamera.Error, str)
    def _on_camera_error(self, error: QCamera.Error, text: str) -> None:
        if error == QCamera.Error.NoError or not self._active:
            return
        detail = text or "unknown error"
        self._fail(f"The {self._name} reported an error: {detail}. Check that no other program"
                   " uses it, or pick another source.")

    @Slot(bool)
    def _on_active_changed(self, active: bool) -> None:
        if not active and self._active and not self._stopping_on_purpose:
            self._fail(f"The {self._name} stopped unexpectedly (unplugged?). Pick another"
                       " source or reconnect it.")

    @Slot()
    def _on_inputs_changed(self) -> None:
        if not self._active or self._device.isNull():
            return
        if not any(d.id() == self._device.id() for d in QMediaDevices.videoInputs()):
            self._fail(f"The {self._name} was disconnected. Reconnect it or pick another"
                       " source.")


class VideoFileSource(VideoSinkSource):
    """A video file through QMediaPlayer -> QVideoSink, looping by default (no audio)."""

    kind = "video"

    def __init__(self, path: str | Path, loop: bool = True,
                 stall_timeout_ms: int | None = DEFAULT_STALL_TIMEOUT_MS,
                 parent: QObject | None = None) -> None:
        self._path = Path(path)
        super().__init__(f"video '{self._path.name}'", stall_timeout_ms, parent)
        self._loop = loop
        self.ended = False
        self._player = QMediaPlayer(self)
        self._player.setVideoOutput(self._sink)
        self._player.errorOccurred.connect(self._on_player_error)
        self._player.mediaStatusChanged.connect(self._on_media_status)

    @property
    def path(self) -> Path:
        return self._path

    def player(self) -> QMediaPlayer:
        return self._player

    def _start_impl(self) -> None:
        self.ended = False
        if not self._path.is_file():
            what = ("is a folder" if self._path.is_dir() else
                    "is not a regular file (a device or pipe)" if self._path.exists() else
                    "does not exist")
            self._fail(f"Video file {self._path} {what}.")
            return
        try:
            if self._path.stat().st_size == 0:
                self._fail(f"Video file {self._path} is empty (0 bytes).")
                return
        except OSError as exc:
            self._fail(f"Cannot read video file {self._path}: {exc.strerror or exc}.")
            return
        self._player.setLoops(QMediaPlayer.Loops.Infinite if self._loop
                              else QMediaPlayer.Loops.Once)
        self._player.setSource(QUrl.fromLocalFile(str(self._path)))
        self._player.play()

    def _stop_impl(self) -> None:
        self._player.stop()
        # A stop() issued from inside the player's status or error callback (a failure: no
        # video stream, unsupported codec) is overridden by the play() under way, and the file
        # would go on decoding in the background.  So stop again once that has returned, and
        # drop the source, which also frees the file (_start_impl sets it again).  Clearing
        # the source at once is not enough: a codec error is raised inside play(), which then
        # still enters PlayingState, and a player without a source ignores stop().
        QTimer.singleShot(0, self, self._release_player)

    @Slot()
    def _release_player(self) -> None:
        if self._active:
            return  # restarted meanwhile
        self._player.stop()
        self._player.setSource(QUrl())

    def _pause_impl(self, paused: bool) -> None:
        if paused:
            self._player.pause()
        else:
            self._player.play()

    def _codec(self) -> str:
        """The video track's codec as Qt names it ("AV1", "H265"), or "" when unknown."""
        try:
            tracks = self._player.videoTracks()
            return tracks[0].stringValue(QMediaMetaData.Key.VideoCodec) if tracks else ""
        except (AttributeError, RuntimeError, TypeError):
            return ""

    def _no_frame_message(self) -> str:
        codec = self._codec()
        what = f"its {codec} video" if codec else "its video track"
        return (f"Cannot play {self._path.name}: no frame could be decoded from {what} (the"
                " file is damaged, or this Qt's FFmpeg has no decoder for it). Convert it (to"
                " H.264, say) or open another file.")

    def stall_message(self, seconds: float) -> str:
        # A file is never "in use by another program": past conversion failures that have
        # since recovered must not bring back the camera's wording.
        return self._unconvertible_message(seconds) or (
            f"No new frame from {self._path.name} for {seconds:g} s: the file may be"
            " damaged from here on.")

    def _report_stall(self, seconds: float) -> None:
        # A file that never gave a frame will not start to: Qt's FFmpeg reports no error for
        # a codec it has no decoder for (AV1) and keeps a core busy trying, so stop it.
        if self.frames_received == 0:
            self._fail(self._no_frame_message())
        else:
            super()._report_stall(seconds)

    @Slot(QMediaPlayer.Error, str)
    def _on_player_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError or not self._active:
            return
        if self.frames_received and error == QMediaPlayer.Error.FormatError:
            # It played, then hit damage (a truncated download): what was shown stays, with
            # its answer; the file is not "not a video file".
            seconds = self._player.position() / 1e3
            self.ended = True
            self.last_error = (f"{self._path.name} is damaged or cut short after"
                               f" {seconds:.1f} s ({text or error.name}); playback stopped at"
                               " the last good frame.")
            self.stop()
            self.status_changed.emit(self.last_error)
            return
        if error == QMediaPlayer.Error.FormatError and "codec" in text.lower():
            reason = f"its video codec is not supported ({text})"
        elif error == QMediaPlayer.Error.FormatError:
            reason = f"it is not a video file Qt can read ({text})"
        else:
            reason = text or error.name
        self._fail(f"Cannot play {self._path.name}: {reason}.")

    @Slot(QMediaPlayer.MediaStatus)
    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if not self._active:
            return
        MS = QMediaPlayer.MediaStatus
        if status == MS.InvalidMedia:
            self._fail(f"Cannot play {self._path.name}: not a playable video file.")
        elif status == MS.LoadedMedia and not self._player.hasVideo() and not self.ended:
            self._fail(f"{self._path.name} has no video stream (audio only?). Open a video"
                       " with a picture track.")
        elif status == MS.EndOfMedia and self.frames_received == 0:
            self._fail(self._no_frame_message())
        elif status == MS.EndOfMedia:
            self.ended = True
            self._stall_timer.stop()  # a finished video is not a stalled one
            self.status_changed.emit(f"{self._path.name} ended.")


def _load_rgb(path: Path) -> FramePacket:
    from explorer.vision.images import load_image_rgb  # PIL-based; no Qt, no TF

    start = time.perf_counter()
    rgb = load_image_rgb(path)
    return packet_from_rgb(rgb, f"image '{path.name}'", (time.perf_counter() - start) * 1e3)


def _decode_pool() -> QThreadPool:
    """One thread for every still decode in the app: a decode replaced before it started
    returns at once, so holding Next through a folder of 48 M pixel photos costs one decode
    at a time, not one per core at ~150 MB each (4.4 GB on 8 cores) finishing seconds late."""
    return one_thread_pool("decode")


class _StillDecoder(QObject):
    """Decodes still images on a pool thread; ``decoded(ticket, packet or exception)`` comes
    back on this object's (GUI) thread.  Each ``request`` makes older tickets stale, and a
    stale request that has not started yet is skipped."""

    decoded = Signal(int, object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._ticket = 0

    def request(self, path: Path) -> None:
        self._ticket += 1
        ticket = self._ticket
        relay = gui_relay()  # made here, on the GUI thread
        _decode_pool().start(lambda: self._run(ticket, path, relay))

    def cancel(self) -> None:
        self._ticket += 1  # a decode still running answers a stale ticket

    def is_current(self, ticket: int) -> bool:
        return ticket == self._ticket

    def _run(self, ticket: int, path: Path, relay: QObject) -> None:
        if ticket != self._ticket:  # an int read under the GIL: replaced before it started
            return
        result: FramePacket | Exception
        try:
            result = _load_rgb(path)
        except Exception as exc:  # noqa: BLE001 - ImageError, OSError, MemoryError...: any
            # failure must come back, or the view waits for this frame forever.
            result = exc
        # Through the relay: emitting on this object while the GUI thread deleted it (another
        # photo opened meanwhile) crashed the app.  The relay drops the answer of a deleted one.
        relay.call.emit(self._deliver, (ticket, result))  # type: ignore[attr-defined]

    def _deliver(self, ticket: int, result: object) -> None:
        """On the GUI thread, through the relay (which skips a deleted decoder)."""
        self.decoded.emit(ticket, result)


class ImageSource(FrameSource):
    """One still image, delivered once on start and again on ``refresh()``; a delivery due
    while paused is made on resume."""

    kind = "image"

    def __init__(self, path: str | Path, parent: QObject | None = None) -> None:
        self._path = Path(path)
        super().__init__(f"image '{self._path.name}'", None, parent)
        self._decoder = _StillDecoder(self)
        self._decoder.decoded.connect(self._on_decoded)

    @property
    def path(self) -> Path:
        return self._path

    def _start_impl(self) -> None:
        # Deliver from the event loop so callers can connect after start().
        QTimer.singleShot(0, self, self.refresh)

    def _stop_impl(self) -> None:
        self._decoder.cancel()

    @Slot()
    def refresh(self) -> None:
        """Decode the image again (on a pool thread) and deliver it."""
        if not self._active or self._hold_while_paused(self.refresh):
            return
        self._decoder.request(self._path)

    @Slot(int, object)
    def _on_decoded(self, ticket: int, result: object) -> None:
        if not self._active or not self._decoder.is_current(ticket):
            return
        if isinstance(result, Exception):
            self._fail(f"Cannot open image: {result}")
        else:
            self._when_unpaused(lambda: self._deliver(result))


class FolderSource(FrameSource):
    """The images in a folder, one at a time: ``next_image()`` / ``previous_image()``, or a
    slideshow every ``interval_ms``.  Unreadable files are skipped with a status message.
    While paused it stays on the image shown (steps are ignored); an image due while paused
    (the first one of a folder opened while paused) is shown on resume.

    Signals:
        position_changed(int, int, str): index, count, file name of the image shown.
    """

    kind = "folder"
    position_changed = Signal(int, int, str)

    def __init__(self, folder: str | Path, interval_ms: int = 0,
                 parent: QObject | None = None) -> None:
        self._folder = Path(folder)
        super().__init__(f"folder '{self._folder.name or self._folder}'", None, parent)
        self._files: list[Path] = []
        self._index = 0
        self._advance = QTimer(self)
        self._advance.timeout.connect(self._on_tick)
        self.set_interval(interval_ms)
        self.skipped: list[str] = []
        self._skip_notice_shown = False
        self._direction = 1
        self._skipped_now: list[str] = []  # files skipped on the way to the one decoding
        self._decoding = False  # a step's decode (and its skips) has not come back yet
        self._decoder = _StillDecoder(self)
        self._decoder.decoded.connect(self._on_decoded)

    @property
    def folder(self) -> Path:
        return self._folder

    @property
    def files(self) -> Sequence[Path]:
        return tuple(self._files)

    @property
    def index(self) -> int:
        return self._index

    def set_interval(self, interval_ms: int) -> None:
        """Slideshow period; 0 steps only on request."""
        self._advance.setInterval(max(0, int(interval_ms)))
        if self._active and not self._paused and interval_ms > 0:
            self._advance.start()
        elif interval_ms <= 0:
            self._advance.stop()

    def _start_impl(self) -> None:
        if not self._folder.is_dir():
            self._fail(f"Folder {self._folder} does not exist.")
            return
        try:
            self._files = list_images(self._folder)
        except OSError as exc:
            self._fail(f"Cannot read folder {self._folder}: {exc.strerror or exc}.")
            return
        if not self._files:
            self._fail(f"Folder {self._folder} holds no images"
                       f" ({', '.join(sorted(IMAGE_SUFFIXES))}).")
            return
        self._index = 0
        if self._advance.interval() > 0:
            self._advance.start()
        QTimer.singleShot(0, self, self._show_current)

    def _stop_impl(self) -> None:
        self._advance.stop()
        self._decoder.cancel()
        self._decoding = False

    def _pause_impl(self, paused: bool) -> None:
        if paused:
            self._advance.stop()
        elif self._advance.interval() > 0 and self._active:
            self._advance.start()

    @Slot()
    def _on_tick(self) -> None:
        # A slideshow faster than the decodes replaced each one before it finished and
        # showed nothing (and a tick replaced the image a Next press had asked for): the
        # interval counts from each image shown instead.
        if not self._decoding:
            self._step(+1)

    @Slot()
    def next_image(self) -> None:
        self._step(+1)

    @Slot()
    def previous_image(self) -> None:
        self._step(-1)

    def go_to(self, index: int) -> None:
        if self._files and not self._paused:
            self._index = index % len(self._files)
            self._show_current()

    def _step(self, delta: int) -> None:
        # Paused means frozen: a step would move the caption to a file the frozen view does
        # not show.
        if not self._active or not self._files or self._paused:
            return
        self._index = (self._index + delta) % len(self._files)
        self._show_current(direction=delta)

    @Slot()
    def _show_current(self, direction: int = 1) -> None:
        """Decode the current file (on a pool thread); unreadable ones are skipped on the
        way, in ``direction``."""
        if not self._active or not self._files or self._hold_while_paused(self._show_current):
            return
        self._direction = direction or 1
        self._skipped_now = []
        self._decoding = True
        self._decoder.request(self._files[self._index])

    @Slot(int, object)
    def _on_decoded(self, ticket: int, result: object) -> None:
        if not self._active or not self._files or not self._decoder.is_current(ticket):
            return  # stopped, or a newer step replaced this decode
        path = self._files[self._index]
        if isinstance(result, Exception):
            # Skip it, but never loop forever over a folder of broken ones.  One notice
            # names every file skipped on the way (one per file left only the last), and it
            # is withdrawn once an image shows without skipping.
            self.skipped.append(f"{SKIPPED_PREFIX}{path.name}: {result}")
            self._skipped_now.append(path.name)
            if len(self._skipped_now) >= len(self._files):
                self._decoding = False
                # With the first file's reason: "could not be read" alone left the user to
                # guess (the reasons were only in ``skipped``).
                first = self.skipped[-len(self._skipped_now)].removeprefix(SKIPPED_PREFIX)
                self._fail(f"None of the {len(self._files)} images in {self._folder} could"
                           f" be read; the first: {first}")
                return
            self._index = (self._index + self._direction) % len(self._files)
            self._decoder.request(self._files[self._index])
            return
        skipped_now, index = self._skipped_now, self._index
        self._decoding = False
        if self._advance.interval() > 0 and self._advance.isActive():
            self._advance.start()  # the next slide is an interval after this one shows

        def show() -> None:
            # Caption and frame together: paused meanwhile, both wait for the resume.
            if len(skipped_now) == 1:
                self.status_changed.emit(self.skipped[-1])
            elif skipped_now:
                self.status_changed.emit(f"{SKIPPED_PREFIX}{len(skipped_now)} unreadable"
                                         f" files: {', '.join(skipped_now)}")
            elif self._skip_notice_shown:
                self.status_changed.emit("")
            self._skip_notice_shown = bool(skipped_now)
            self.position_changed.emit(index, len(self._files), path.name)
            self._deliver(result)

        self._when_unpaused(show)


def _is_still_gif(path: Path) -> bool:
    """True for a GIF of one frame: a still image.  Played as a video it was classified ten
    times a second and read "Display 10 FPS".  ``is_animated`` stops at the second frame
    (counting every frame of a 46 MB GIF took 48 ms on the GUI thread).

    A GIF that is no regular file or cannot be read is also "still": the still decoder then
    names the problem in one line, off the GUI thread.  Opening a pipe here blocked the GUI
    for good, and PIL's DecompressionBombError, IndexError or struct.error (a huge or damaged
    GIF) escaped as a traceback, leaving the previous photo and its top-5 on screen."""
    from PIL import Image

    if not path.is_file():
        return True
    try:
        with Image.open(path) as image:
            return not getattr(image, "is_animated", False)
    except Exception:  # noqa: BLE001 - any failure: the decoder reports it
        return True


#: Photo formats this PIL cannot read (HEIC/HEIF need a plugin).  They go to the still
#: decoder, whose "not an image file PIL can read" is closer to the truth than the video
#: player's "not a video file".
UNREADABLE_PHOTO_SUFFIXES = frozenset({".heic", ".heif"})


def source_for_path(path: str | Path, parent: QObject | None = None,
                    stall_timeout_ms: int | None = DEFAULT_STALL_TIMEOUT_MS) -> FrameSource:
    """The right source for a dropped or opened path: folder, image, or else video."""
    p = Path(path)
    if p.is_dir():
        return FolderSource(p, parent=parent)
    suffix = p.suffix.lower()
    if (suffix in IMAGE_SUFFIXES and (suffix != ".gif" or _is_still_gif(p))
            or suffix in UNREADABLE_PHOTO_SUFFIXES):
        return ImageSource(p, parent=parent)
    return VideoFileSource(p, stall_timeout_ms=stall_timeout_ms, parent=parent)
