"""The inference worker: one QThread that holds the current engine and classifies frames.

Two "latest wins" rules keep the GUI responsive however fast frames or slider moves arrive:

* Frames go into a one-slot mailbox (``LatestSlot``).  While the worker is busy, a newer frame
  replaces the older one; at most one wake-up event is ever queued, so nothing piles up.
* Engine requests (a new variant, device, engine or weights file) also go into a one-slot
  mailbox.  A build that a newer request supersedes is cancelled at its next checkpoint (the
  factory polls ``cancel()``) or, if it finishes anyway, closed and discarded.

Builds run on the same thread as inference, so while one runs no frame is classified; the
old engine stays loaded until its replacement is ready (a failed build keeps it), and the view
labels the predictions it still shows as coming from the previous variant.  TensorFlow is only
imported by the engine factory, which runs on this thread, never on the GUI thread.

Weights downloads run on a thread of their own: a 17 MB download on the worker's thread held
every frame and every build (a variant whose weights were present) until it ended.

All public methods are thread-safe; results come back through Qt signals (queued to the GUI).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from explorer.arch.spec import MobileNetSpec
from explorer.threads import register_thread
from explorer.vision.frames import FramePacket, LatestSlot
from explorer.vision.stats import StageTimings
from explorer.vision.types import EngineInfo, EngineRequest, InferenceEngine, Prediction

#: progress(stage text, fraction in [0, 1] or -1 when unknown)
ProgressFn = Callable[[str, float], None]
CancelFn = Callable[[], bool]
EngineFactory = Callable[[EngineRequest, Any, Any], InferenceEngine]
PreprocessFn = Callable[[np.ndarray, int], np.ndarray]
DecodeFn = Callable[[np.ndarray, int], list[Prediction]]


class BuildCancelled(Exception):
    """Raised inside a build when ``cancel()`` turned true (superseded or shutting down)."""


@dataclass(frozen=True)
class PredictionResult:
    """Top-k predictions for one frame, with the variant and engine that made them."""

    predictions: tuple[Prediction, ...]
    spec: MobileNetSpec
    info: EngineInfo
    timings: StageTimings
    frame_sequence: int
    frame_timestamp: float
    source: str
    rgb: np.ndarray  # the frame that was classified (read-only by convention)
    #: The same frame was classified just before (again after an engine change or Resume):
    #: its answer is shown, but it is no new frame for frame rates and latency medians.
    repeat: bool = False


@dataclass(frozen=True)
class DownloadOutcome:
    """How a weights download ended: ``path`` on success, else ``message`` says why."""

    alpha: float
    path: Path | None
    message: str
    cancelled: bool = False


def default_engine_factory(request: EngineRequest, progress: Any = None,
                           cancel: Any = None) -> InferenceEngine:
    """``explorer.vision.engines.create_engine`` (imports TensorFlow; worker thread only).

    The class names are read here too, with the model: otherwise the first frame's decode
    stage pays for reading them (~7 ms) and the view shows that as its latency.
    """
    from explorer.vision.engines import create_engine
    from explorer.vision.labels import imagenet_labels

    engine = create_engine(request, progress=progress, cancel=cancel)
    imagenet_labels()
    return engine


def default_preprocess(rgb: np.ndarray, resolution: int) -> np.ndarray:
    """Keras MobileNet preprocessing: center crop, resize, x / 127.5 - 1 -> (1, R, R, 3)."""
    from explorer.vision import preprocess

    return preprocess.preprocess(rgb, resolution)


def default_decode(probs: np.ndarray, k: int) -> list[Prediction]:
    from explorer.vision.labels import decode_top_k

    return list(decode_top_k(probs, k))


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().split("\n")[0] or type(exc).__name__
    return text


class _PythonLoopThread(QThread):
    """A QThread whose event loop runs *inside* a Python ``run()``.

    With a plain ``QThread().start()``, each queued slot call creates and destroys a fresh
    Python thread state, so ``threading.local`` data dies between calls.  TensorFlow keeps its
    graph-building state in thread-locals and crashed (segfault in ``graph_def_versions``) on
    the second model built by a plain QThread worker; a Python ``run()`` keeps one thread
    state alive for the thread's whole life.
    """

    def run(self) -> None:
        self.exec()


class InferenceWorker(QObject):
    """Classifies the newest frame with the current engine, on its own registered QThread.

    Signals:
        predictions_ready(PredictionResult): one frame classified.
        engine_building(EngineRequest): a build for this request started.
        engine_ready(EngineInfo): the new engine replaced the old one (or the request matched
            the engine already loaded).
        engine_failed(EngineRequest, str): the build failed; the previous engine stays.
        progress(str, float): build/download stage and fraction in [0, 1] (-1: unknown).
        frame_failed(str): preprocessing/inference of one frame raised; the worker goes on.
        download_finished(DownloadOutcome): a weights download ended (ok, failed, cancelled).
    """

    predictions_ready = Signal(object)
    engine_building = Signal(object)
    engine_ready = Signal(object)
    engine_failed = Signal(object, str)
    progress = Signal(str, float)
    frame_failed = Signal(str)
    download_finished = Signal(object)
    #: (text, fraction or -1) of a weights download; apart from ``progress`` (builds), since
    #: a download now runs beside builds and the two shared one bar.
    download_progress = Signal(str, float)

    # Internal wake-ups, queued onto the worker thread.
    _frame_posted = Signal()
    _engine_posted = Signal()

    def __init__(self, engine_factory: EngineFactory | None = None,
                 preprocess: PreprocessFn | None = None, decode: DecodeFn | None = None,
                 top_k: int = 5, name: str = "InferenceWorker") -> None:
        super().__init__()
        self._factory = engine_factory or default_engine_factory
        self._preprocess = preprocess or default_preprocess
        self._decode = decode or default_decode
        self._top_k = int(top_k)
        self._lock = threading.Lock()
        self._frames: LatestSlot[FramePacket] = LatestSlot()
        self._wake_posted = False
        self._requests: LatestSlot[tuple[int, EngineRequest]] = LatestSlot()
        self._request_seq = 0
        # A request to build afresh even if equal to the engine loaded (request_engine's
        # force), kept until a build of it starts.
        self._forced: EngineRequest | None = None
        self._downloads: LatestSlot[tuple[MobileNetSpec, Any]] = LatestSlot()
        self._download_cancel = threading.Event()
        self._download_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._engine: InferenceEngine | None = None
        self._engine_request: EngineRequest | None = None
        self._building: EngineRequest | None = None
        self._last_packet: FramePacket | None = None
        # Sequence of the frame classified last: classifying it again (a new engine, Resume)
        # makes a result marked ``repeat``, which the view leaves out of its rates.
        self._last_classified = -1
        self.processed_count = 0
        self.failed_count = 0
        self.builds_started = 0
        self.builds_discarded = 0

        self._thread = register_thread(_PythonLoopThread())
        self._thread.setObjectName(name)
        self.moveToThread(self._thread)
        self._frame_posted.connect(self._process_frames)
        self._engine_posted.connect(self._build_latest)

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Start the worker thread (idempotent)."""
        if not self._stopping.is_set() and not self._thread.isRunning():
            self._thread.start()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def stop(self, timeout_ms: int = 2000) -> bool:
        """Cancel builds and downloads, stop the thread, release the engine.

        Returns True when the thread stopped within ``timeout_ms``.
        """
        self._stopping.set()
        self._download_cancel.set()
        self._frames.clear()
        stopped = True
        deadline = time.monotonic() + timeout_ms / 1000
        try:
            if self._thread.isRunning():
                self._thread.requestInterruption()
                self._thread.quit()
                stopped = self._thread.wait(timeout_ms)
        except RuntimeError:
            # The C++ QThread is already deleted: at interpreter exit, the panel's destroyed
            # signal (the safety net) can fire after Qt tore the thread object down.  A
            # deleted QThread runs nothing, so there is nothing left to stop.
            pass
        with self._lock:
            download = self._download_thread
        if download is not None:
            # The downloader polls cancel() between chunks: it ends within one read.
            download.join(max(0.0, deadline - time.monotonic()))
            stopped = stopped and not download.is_alive()
        if stopped:
            self._close_engine()
        return stopped

    @Slot()
    def shutdown(self) -> None:
        """``stop()`` with the default 2 s budget, as a slot (e.g. for ``destroyed``)."""
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ----------------------------------------------------------------- requests (any thread)
    @Slot(object)
    def submit_frame(self, packet: FramePacket) -> bool:
        """Offer a frame; returns True when it replaced an older one still waiting (a drop)."""
        if self._stopping.is_set():
            return False
        dropped = self._frames.put(packet)
        self._post_wake()
        return dropped

    def request_engine(self, request: EngineRequest, force: bool = False) -> int:
        """Ask for an engine; a newer request supersedes this one. Returns its sequence number.

        An equal request reuses the engine loaded or being built, unless ``force``: a request
        names files, not their contents, so after a download or a reload of the same path
        the caller forces a fresh build.
        """
        with self._lock:
            if force:
                # Remembered until that request is built: an equal request made before the
                # worker gets to it (the slider moved away and back) must still rebuild.
                self._forced = request
            if (request != self._forced and request == self._building
                    and self._requests.peek() is None):
                return self._request_seq  # already being built: let that build finish
            self._request_seq += 1
            seq = self._request_seq
            self._requests.put((seq, request))
        if not self._stopping.is_set():
            self._engine_posted.emit()
        return seq

    def request_download(self, spec: MobileNetSpec, downloader: Any = None) -> None:
        """Download the Keras weights for ``spec``'s alpha on a thread of its own.

        ``downloader(alpha, resolution, progress=, cancel=) -> WeightsFileInfo`` defaults to
        ``explorer.keras_builder.download.download_weights``.  One download at a time: a
        request made during one runs after it (the newest request wins).
        """
        if self._stopping.is_set():
            return
        with self._lock:
            self._download_cancel.clear()
            self._downloads.put((spec, downloader))
            if self._download_thread is None:
                self._download_thread = threading.Thread(
                    target=self._run_downloads, name="weights-download", daemon=True)
                self._download_thread.start()

    def cancel_download(self) -> None:
        self._download_cancel.set()

    def clear_frames(self) -> None:
        """Forget the waiting frame and the last classified one (e.g. when the source changes)."""
        self._frames.clear()
        with self._lock:
            self._last_packet = None

    # ----------------------------------------------------------------- state (any thread)
    @property
    def received_count(self) -> int:
        return self._frames.put_count

    @property
    def dropped_count(self) -> int:
        return self._frames.dropped_count

    @property
    def pending_frames(self) -> int:
        """Frames waiting for the worker: 0 or 1, by construction."""
        return len(self._frames)

    @property
    def engine_info(self) -> EngineInfo | None:
        engine = self._engine
        return engine.info if engine is not None else None

    @property
    def building(self) -> EngineRequest | None:
        return self._building

    # ----------------------------------------------------------------- worker thread
    def _post_wake(self) -> None:
        with self._lock:
            if self._wake_posted or self._stopping.is_set():
                return
            self._wake_posted = True
        self._frame_posted.emit()

    def _cancelled(self, seq: int) -> bool:
        return (self._stopping.is_set() or self._request_seq != seq
                or self._thread.isInterruptionRequested())

    @Slot()
    def _build_latest(self) -> None:
        item = self._requests.take()
        if item is None or self._stopping.is_set():
            return  # an earlier wake-up already handled the newest request
        seq, request = item
        with self._lock:
            force = request == self._forced
            if force:
                self._forced = None  # this build honours it
        if not force and self._engine is not None and request == self._engine_request:
            self.engine_ready.emit(self._engine.info)  # back to the variant already loaded
            return
        self._building = request
        self.builds_started += 1
        self.engine_building.emit(request)

        def cancel() -> bool:
            return self._cancelled(seq)

        def progress(*args: Any) -> None:
            self._emit_progress(args, cancel)

        engine: InferenceEngine | None = None
        try:
            engine = self._factory(request, progress, cancel)
        except BaseException as exc:  # noqa: BLE001 - any build failure becomes a message
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            if not cancel():
                message = _short_error(exc)
                if not isinstance(exc, (ValueError, OSError, RuntimeError, ImportError)):
                    # Unexpected: keep the traceback for whoever reads stderr.
                    traceback.print_exception(exc)
                self._building = None
                self.engine_failed.emit(request, message)
                return
        if cancel():
            # Superseded (or shutting down) while building: discard the result.
            self.builds_discarded += 1
            if engine is not None:
                engine.close()
            if self._building is request:
                self._building = None
            return
        assert engine is not None
        old, self._engine = self._engine, engine
        self._engine_request = request
        self._building = None
        if old is not None:
            old.close()
        self.engine_ready.emit(engine.info)
        # Re-classify the last frame so a still image shows the new variant's answer at once.
        with self._lock:
            last = self._last_packet
        if last is not None and self._frames.peek() is None:
            self._frames.put(last)
        if self._frames.peek() is not None:
            self._post_wake()

    def _emit_progress(self, args: tuple[Any, ...], cancel: CancelFn) -> None:
        """Accept progress(stage), progress(stage, fraction) or progress(fraction, stage)."""
        stage, fraction = "", -1.0
        for arg in args:
            if isinstance(arg, str):
                stage = arg
            elif isinstance(arg, (int, float)) and not isinstance(arg, bool):
                fraction = float(arg)
        if fraction > 1.0:  # percentages
            fraction /= 100.0
        self.progress.emit(stage, fraction)
        if cancel():
            raise BuildCancelled(stage or "build cancelled")

    @Slot()
    def _process_frames(self) -> None:
        with self._lock:
            self._wake_posted = False
        if self._stopping.is_set() or self._thread.isInterruptionRequested():
            return
        packet = self._frames.take()
        if packet is None:
            return
        with self._lock:
            self._last_packet = packet
        engine = self._engine
        if engine is None:
            return  # no model yet: the frame is kept as _last_packet for when one is ready
        info = engine.info
        try:
            t0 = time.perf_counter()
            batch = self._preprocess(packet.rgb, info.spec.resolution)
            t1 = time.perf_counter()
            probs = engine.predict(batch)
            t2 = time.perf_counter()
            predictions = tuple(self._decode(np.asarray(probs), self._top_k))
            t3 = time.perf_counter()
        except Exception as exc:  # noqa: BLE001 - one bad frame must not kill the worker
            self.failed_count += 1
            self.frame_failed.emit(f"could not classify frame: {_short_error(exc)}")
        else:
            self.processed_count += 1
            repeat = packet.sequence == self._last_classified
            self._last_classified = packet.sequence
            timings = StageTimings(packet.convert_ms, (t1 - t0) * 1e3, (t2 - t1) * 1e3,
                                   (t3 - t2) * 1e3)
            self.predictions_ready.emit(PredictionResult(
                predictions, info.spec, info, timings, packet.sequence, packet.timestamp,
                packet.source, packet.rgb, repeat,
            ))
        if self._frames.peek() is not None:
            self._post_wake()

    def _run_downloads(self) -> None:
        try:
            while not self._stopping.is_set():
                with self._lock:
                    item = self._downloads.take()
                    if item is None:
                        # In the same lock as the take: a request made from now on starts
                        # a new thread instead of waiting for this one.
                        self._download_thread = None
                        return
                self._run_download(item)
        finally:
            with self._lock:  # an unexpected error must not block later downloads
                if self._download_thread is threading.current_thread():
                    self._download_thread = None

    def _run_download(self, item: tuple[MobileNetSpec, Any]) -> None:
        spec, downloader = item
        if downloader is None:
            from explorer.keras_builder.download import download_weights as downloader

        def progress(done: int, total: int | None) -> None:
            mib = done / 2**20
            if total:
                self.download_progress.emit(
                    f"downloading weights {mib:.1f} / {total / 2**20:.1f} MiB", done / total)
            else:
                self.download_progress.emit(f"downloading weights {mib:.1f} MiB", -1.0)

        def cancel() -> bool:
            return self._download_cancel.is_set() or self._stopping.is_set()

        resolution = spec.resolution if spec.is_pretrained else 224
        try:
            info = downloader(spec.alpha, resolution, progress=progress, cancel=cancel)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            cancelled = cancel() or type(exc).__name__ == "DownloadCancelled"
            text = "download cancelled" if cancelled else _short_error(exc)
            self.download_finished.emit(DownloadOutcome(spec.alpha, None, text, cancelled))
            return
        path = getattr(info, "path", info)
        self.download_finished.emit(
            DownloadOutcome(spec.alpha, Path(path), f"downloaded {Path(path).name}")
        )

    def _close_engine(self) -> None:
        engine, self._engine = self._engine, None
        self._engine_request = None
        if engine is not None:
            try:
                engine.close()
            except Exception:  # noqa: BLE001 - closing is best effort at shutdown
                pass
