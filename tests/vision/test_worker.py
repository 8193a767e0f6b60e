"""InferenceWorker: frames through a QVideoSink, latest-frame-wins dropping, engine swaps,
superseded builds, failures, downloads, shutdown time; and the real engine on fixture photos.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, QThread, Slot
from PySide6.QtMultimedia import QVideoFrameFormat

from explorer.arch.spec import MobileNetSpec
from explorer.vision.frames import packet_from_rgb, rgb_to_video_frame
from explorer.vision.sources import VideoSinkSource
from explorer.vision.stats import RollingLatency
from explorer.vision.types import EngineInfo, EngineRequest
from explorer.vision.worker import DownloadOutcome, InferenceWorker, PredictionResult

SMALL = MobileNetSpec(0.25, 128)
OTHER = MobileNetSpec(0.5, 160)


class FakeEngine:
    """Stands in for a compiled model: optional per-frame delay, a class index derived from
    the variant (so tests can tell which engine answered) and from the frame brightness."""

    def __init__(self, spec: MobileNetSpec, predict_delay: float = 0.0) -> None:
        self.info = EngineInfo(spec, "fake engine", "CPU (fake)", "fake weights", True)
        self.predict_delay = predict_delay
        self.calls = 0
        self.closed = False

    def predict(self, batch: np.ndarray) -> np.ndarray:
        assert not self.closed, "predict on a closed engine"
        assert batch.shape == (1, self.info.spec.resolution, self.info.spec.resolution, 3)
        self.calls += 1
        if self.predict_delay:
            time.sleep(self.predict_delay)
        probs = np.full((1, 1000), 1e-4, np.float32)
        probs[0, int(self.info.spec.alpha * 100)] = 0.9
        return probs

    def close(self) -> None:
        self.closed = True


class FakeFactory:
    """Engine factory with a cancellable build delay; records what it built."""

    def __init__(self, build_delay: float = 0.0, predict_delay: float = 0.0,
                 fail_for: MobileNetSpec | None = None) -> None:
        self.build_delay = build_delay
        self.predict_delay = predict_delay
        self.fail_for = fail_for
        self.requests: list[EngineRequest] = []
        self.cancelled: list[EngineRequest] = []
        self.engines: list[FakeEngine] = []
        self.threads: set[str] = set()

    def __call__(self, request, progress=None, cancel=None):
        self.requests.append(request)
        self.threads.add(threading.current_thread().name)
        if progress:
            progress("building model", 0.1)
        end = time.monotonic() + self.build_delay
        while time.monotonic() < end:
            if cancel and cancel():
                self.cancelled.append(request)
                raise RuntimeError("cancelled")
            time.sleep(0.01)
        if self.fail_for is not None and request.spec == self.fail_for:
            raise ValueError("mobilenet_5_0_160_tf.h5: this file holds alpha 0.50 weights;"
                             " the model is alpha 0.25")
        if progress:
            progress("warming up", 0.9)
        engine = FakeEngine(request.spec, self.predict_delay)
        self.engines.append(engine)
        return engine


class Collector(QObject):
    """Receives the worker's signals on the GUI thread (queued), as the Classify view does."""

    def __init__(self, worker: InferenceWorker) -> None:
        super().__init__()
        self.results: list[PredictionResult] = []
        self.ready: list[EngineInfo] = []
        self.building: list[EngineRequest] = []
        self.failed: list[tuple[EngineRequest, str]] = []
        self.frame_errors: list[str] = []
        self.progress: list[tuple[str, float]] = []
        self.download_progress: list[tuple[str, float]] = []
        self.downloads: list[DownloadOutcome] = []
        worker.predictions_ready.connect(self.on_result)
        worker.engine_ready.connect(self.on_ready)
        worker.engine_building.connect(self.on_building)
        worker.engine_failed.connect(self.on_failed)
        worker.frame_failed.connect(self.on_frame_failed)
        worker.progress.connect(self.on_progress)
        worker.download_progress.connect(self.on_download_progress)
        worker.download_finished.connect(self.on_download)

    @Slot(object)
    def on_result(self, result):
        assert QThread.currentThread() is self.thread()
        self.results.append(result)

    @Slot(object)
    def on_ready(self, info):
        self.ready.append(info)

    @Slot(object)
    def on_building(self, request):
        self.building.append(request)

    @Slot(object, str)
    def on_failed(self, request, message):
        self.failed.append((request, message))

    @Slot(str)
    def on_frame_failed(self, message):
        self.frame_errors.append(message)

    @Slot(str, float)
    def on_progress(self, text, fraction):
        self.progress.append((text, fraction))

    @Slot(str, float)
    def on_download_progress(self, text, fraction):
        self.download_progress.append((text, fraction))

    @Slot(object)
    def on_download(self, outcome):
        self.downloads.append(outcome)


def wait_for(qtbot, items: list, count: int = 1, timeout: int = 5000):
    """Wait until ``items`` holds ``count`` entries; return the newest."""
    qtbot.waitUntil(lambda: len(items) >= count, timeout=timeout)
    return items[-1]


@pytest.fixture
def make_worker():
    workers: list[InferenceWorker] = []

    def make(factory, **kwargs) -> tuple[InferenceWorker, Collector]:
        worker = InferenceWorker(factory, **kwargs)
        got = Collector(worker)
        worker.start()
        workers.append(worker)
        return worker, got

    yield make
    for worker in workers:
        assert worker.stop(2000), "worker did not stop within 2 s"


def _frame(value: int, size: tuple[int, int] = (48, 64)):
    rgb = np.full((*size, 3), value, np.uint8)
    rgb[::7, ::5] = 255 - value  # some structure
    return rgb_to_video_frame(rgb, QVideoFrameFormat.PixelFormat.Format_XRGB8888)


def _connect(source: VideoSinkSource, worker: InferenceWorker) -> None:
    source.frame_ready.connect(worker.submit_frame, Qt.ConnectionType.DirectConnection)


def test_frames_through_video_sink_produce_predictions(qtbot, make_worker):
    factory = FakeFactory()
    worker, got = make_worker(factory)
    source = VideoSinkSource("test sink", stall_timeout_ms=None)
    _connect(source, worker)
    source.start()
    worker.request_engine(EngineRequest(SMALL))
    assert wait_for(qtbot, got.ready).spec == SMALL
    for count, value in enumerate((10, 120, 240), start=1):
        source.video_sink().setVideoFrame(_frame(value))
        wait_for(qtbot, got.results, count)
    assert len(got.results) == 3
    first = got.results[0]
    assert first.spec == SMALL and first.info.engine_name == "fake engine"
    assert first.predictions[0].class_index == 25  # int(0.25 * 100): from the fake engine
    assert len(first.predictions) == 5
    assert first.rgb.shape == (48, 64, 3)
    assert first.timings.convert >= 0 and first.timings.infer >= 0
    sequences = [r.frame_sequence for r in got.results]
    assert sequences == sorted(sequences)
    # The build ran on the worker thread, never on the GUI (test) thread.
    assert factory.threads and threading.main_thread().name not in factory.threads
    assert any(text == "building model" for text, _ in got.progress)
    source.stop()


def test_slow_worker_drops_frames_instead_of_queueing(qtbot, make_worker):
    factory = FakeFactory(predict_delay=0.08)
    worker, got = make_worker(factory)
    source = VideoSinkSource("test sink", stall_timeout_ms=None)
    _connect(source, worker)
    source.start()
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    emitted: list[int] = []
    source.frame_ready.connect(lambda packet: emitted.append(packet.sequence))
    pushed = 60
    pending_seen = []
    for i in range(pushed):
        source.video_sink().setVideoFrame(_frame(i * 4 % 256))
        pending_seen.append(worker.pending_frames)
        qtbot.wait(5)  # ~150 frames/s offered against ~12 frames/s of capacity
    qtbot.waitUntil(lambda: worker.pending_frames == 0, timeout=5000)
    qtbot.waitUntil(lambda: got.results and got.results[-1].frame_sequence == emitted[-1],
                    timeout=5000)
    processed = worker.processed_count
    print(f"pushed {pushed}, processed {processed}, dropped {worker.dropped_count}")
    assert len(emitted) == worker.received_count == pushed
    assert 2 <= processed < pushed / 3
    assert max(pending_seen) <= 1, "the mailbox held more than one frame"
    assert worker.dropped_count >= pushed - processed - 1
    # Latest frame wins: the newest frame pushed is the last one classified, and results
    # arrive in frame order.
    assert got.results[-1].frame_sequence == emitted[-1]
    sequences = [r.frame_sequence for r in got.results]
    assert sequences == sorted(sequences)
    source.stop()


def test_switching_variant_while_frames_flow_swaps_engine(qtbot, make_worker):
    factory = FakeFactory(build_delay=0.2, predict_delay=0.005)
    worker, got = make_worker(factory)
    source = VideoSinkSource("test sink", stall_timeout_ms=None)
    _connect(source, worker)
    source.start()
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    deadline = time.monotonic() + 1.2
    switched = False
    i = 0
    while time.monotonic() < deadline:
        source.video_sink().setVideoFrame(_frame(i % 256))
        i += 1
        if not switched and time.monotonic() > deadline - 1.0:
            worker.request_engine(EngineRequest(OTHER))
            switched = True
        qtbot.wait(10)
    assert wait_for(qtbot, got.ready, 2).spec == OTHER
    source.video_sink().setVideoFrame(_frame(7))
    qtbot.waitUntil(lambda: got.results[-1].spec == OTHER, timeout=5000)
    specs = [r.spec for r in got.results]
    assert SMALL in specs and OTHER in specs
    # Once the new engine answered, the old one never did again.
    first_new = specs.index(OTHER)
    assert all(s == OTHER for s in specs[first_new:])
    assert all(r.predictions[0].class_index == int(r.spec.alpha * 100) for r in got.results)
    assert factory.engines[0].closed and not factory.engines[-1].closed
    assert worker.failed_count == 0 and not got.failed
    source.stop()


def test_superseded_builds_are_discarded(qtbot, make_worker):
    factory = FakeFactory(build_delay=0.3)
    worker, got = make_worker(factory)
    specs = [MobileNetSpec(a, 128) for a in (0.25, 0.5, 0.75, 1.0)]
    for spec in specs:
        worker.request_engine(EngineRequest(spec))
        qtbot.wait(20)
    wait_for(qtbot, got.ready)
    qtbot.wait(200)
    assert [info.spec for info in got.ready] == [specs[-1]], "only the latest request may win"
    # Every build but the last was cancelled at a checkpoint and never became an engine.
    assert factory.cancelled == factory.requests[:-1]
    assert len(factory.engines) == 1 and worker.engine_info.spec == specs[-1]
    assert not got.failed


def test_burst_of_requests_coalesces(qtbot, make_worker):
    factory = FakeFactory(build_delay=0.2)
    worker, got = make_worker(factory)
    specs = [MobileNetSpec(0.25, r) for r in range(128, 228, 4)]  # a slider being scrubbed
    for spec in specs:
        worker.request_engine(EngineRequest(spec))
    wait_for(qtbot, got.ready)
    qtbot.wait(100)
    assert [info.spec for info in got.ready] == [specs[-1]]
    assert len(factory.requests) <= 2  # at most the first (cancelled) and the last


def test_forced_request_rebuilds_an_unchanged_request(qtbot, make_worker):
    """A request names files, not contents: after a download into the Keras cache (weights
    looked up, so the request is unchanged) the worker answered "already loaded" and the
    view stayed on random weights."""
    factory = FakeFactory()
    worker, got = make_worker(factory)
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    worker.request_engine(EngineRequest(SMALL))  # unchanged: reuses the loaded engine
    qtbot.waitUntil(lambda: len(got.ready) == 2, timeout=5000)
    assert len(factory.requests) == 1
    worker.request_engine(EngineRequest(SMALL), force=True)
    qtbot.waitUntil(lambda: len(got.ready) == 3, timeout=5000)
    assert len(factory.requests) == 2 and worker.builds_started == 2


def test_forced_request_survives_an_equal_request_made_before_the_build(qtbot, make_worker):
    """Forced (a download ended), then the slider moved away and back before the worker got
    to it: the equal, unforced request replaced the forced one and the old engine stayed."""
    factory = FakeFactory(build_delay=0.3)
    worker, got = make_worker(factory)
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    worker.request_engine(EngineRequest(OTHER))  # keeps the worker busy building
    qtbot.waitUntil(lambda: worker.building is not None, timeout=5000)
    worker.request_engine(EngineRequest(SMALL), force=True)
    worker.request_engine(EngineRequest(OTHER))
    worker.request_engine(EngineRequest(SMALL))  # back, unforced, before any build started
    qtbot.waitUntil(lambda: worker.engine_info is not None
                    and worker.engine_info.spec == SMALL and worker.building is None,
                    timeout=5000)
    qtbot.wait(200)
    assert [r.spec for r in factory.requests].count(SMALL) == 2  # rebuilt, not reused


def test_failed_build_keeps_previous_engine(qtbot, make_worker):
    factory = FakeFactory(fail_for=OTHER)
    worker, got = make_worker(factory)
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    worker.request_engine(EngineRequest(OTHER))
    request, message = wait_for(qtbot, got.failed)
    assert request.spec == OTHER and "alpha 0.50" in message
    assert worker.engine_info.spec == SMALL
    worker.submit_frame(packet_from_rgb(np.zeros((32, 32, 3), np.uint8)))
    assert wait_for(qtbot, got.results).spec == SMALL


def test_bad_frame_is_reported_and_worker_goes_on(qtbot, make_worker):
    def picky_preprocess(rgb, resolution):
        if rgb.mean() > 200:
            raise ValueError("frame too bright for this test")
        from explorer.vision.preprocess import preprocess

        return preprocess(rgb, resolution)

    worker, got = make_worker(FakeFactory(), preprocess=picky_preprocess)
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    worker.submit_frame(packet_from_rgb(np.full((16, 16, 3), 250, np.uint8)))
    assert "too bright" in wait_for(qtbot, got.frame_errors)
    worker.submit_frame(packet_from_rgb(np.full((16, 16, 3), 20, np.uint8)))
    wait_for(qtbot, got.results)
    assert worker.failed_count == 1 and worker.processed_count == 1


def test_last_frame_is_reclassified_by_a_new_engine(qtbot, make_worker):
    worker, got = make_worker(FakeFactory())
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    packet = packet_from_rgb(np.full((16, 16, 3), 90, np.uint8))
    packet = replace(packet, convert_ms=52.0)  # a photo's decode
    worker.submit_frame(packet)
    first = wait_for(qtbot, got.results)
    assert first.spec == SMALL and first.timings.convert == 52.0
    # A still image: no new frame arrives, yet the new variant answers for it.
    worker.request_engine(EngineRequest(OTHER))
    again = wait_for(qtbot, got.results, 2)
    assert again.spec == OTHER and again.repeat and not first.repeat
    # The view leaves a repeat out of its rates unless it is a new engine's first answer.
    assert again.timings.convert == 52.0


def test_stop_during_build_is_fast(qtbot):
    factory = FakeFactory(build_delay=30.0)
    worker = InferenceWorker(factory)
    got = Collector(worker)
    worker.start()
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.building)
    start = time.perf_counter()
    assert worker.stop(2000)
    elapsed = time.perf_counter() - start
    print(f"stop during build: {elapsed * 1e3:.0f} ms")
    assert elapsed < 2.0
    assert not worker.is_running() and not got.ready


def test_shutdown_after_qt_deleted_the_thread_is_silent(qtbot):
    """At interpreter exit the destroyed-signal safety net can call shutdown() after Qt has
    deleted the QThread: no 'already deleted' RuntimeError may escape."""
    import shiboken6

    worker = InferenceWorker(FakeFactory())
    worker.start()
    assert worker.stop(2000)
    shiboken6.delete(worker._thread)  # noqa: SLF001 - what teardown does to the C++ object
    worker.shutdown()  # raised RuntimeError before
    assert worker.stopping


def test_stop_during_slow_inference_is_fast(qtbot):
    factory = FakeFactory(predict_delay=0.5)
    worker = InferenceWorker(factory)
    got = Collector(worker)
    worker.start()
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    for _ in range(5):
        worker.submit_frame(packet_from_rgb(np.zeros((16, 16, 3), np.uint8)))
    qtbot.waitUntil(lambda: factory.engines[0].calls >= 1, timeout=5000)
    start = time.perf_counter()
    assert worker.stop(2000)
    elapsed = time.perf_counter() - start
    print(f"stop during inference: {elapsed * 1e3:.0f} ms")
    assert elapsed < 2.0
    assert factory.engines[0].closed


def test_download_progress_and_cancel(qtbot, make_worker, tmp_path):
    worker, got = make_worker(FakeFactory())
    started = threading.Event()

    def slow_download(alpha, resolution, progress=None, cancel=None):
        for done in range(0, 100):
            if cancel():
                raise RuntimeError("download cancelled")
            progress(done * 1000, 100_000)
            started.set()
            time.sleep(0.01)
        path = tmp_path / "w.h5"
        path.write_bytes(b"x")
        return path

    worker.request_download(MobileNetSpec(0.5, 160), slow_download)
    outcome = wait_for(qtbot, got.downloads)
    assert outcome.path == tmp_path / "w.h5" and not outcome.cancelled
    assert any("downloading weights" in text for text, _ in got.download_progress)
    assert not any("downloading" in text for text, _ in got.progress)  # builds' bar only

    started.clear()
    worker.request_download(MobileNetSpec(0.5, 160), slow_download)
    assert started.wait(5)
    worker.cancel_download()
    outcome = wait_for(qtbot, got.downloads, 2)
    assert outcome.cancelled and outcome.path is None


def test_frames_and_builds_go_on_during_a_download(qtbot, make_worker, tmp_path):
    """The download ran on the worker's thread: 0 of 75 live frames were classified and a
    variant whose weights were present was not built until the download ended."""
    worker, got = make_worker(FakeFactory())
    worker.request_engine(EngineRequest(SMALL))
    wait_for(qtbot, got.ready)
    release = threading.Event()

    def held_download(alpha, resolution, progress=None, cancel=None):
        while not release.is_set():
            if cancel():
                raise RuntimeError("download cancelled")
            time.sleep(0.01)
        path = tmp_path / "w.h5"
        path.write_bytes(b"x")
        return path

    worker.request_download(MobileNetSpec(0.5, 160), held_download)
    worker.submit_frame(packet_from_rgb(np.zeros((32, 32, 3), np.uint8)))
    assert wait_for(qtbot, got.results).spec == SMALL  # classified while downloading
    worker.request_engine(EngineRequest(OTHER))
    qtbot.waitUntil(lambda: worker.engine_info.spec == OTHER, timeout=5000)
    assert not got.downloads
    release.set()
    assert wait_for(qtbot, got.downloads).path == tmp_path / "w.h5"


def test_stop_during_a_download_is_fast(qtbot):
    worker = InferenceWorker(FakeFactory())
    worker.start()

    def endless(alpha, resolution, progress=None, cancel=None):
        while not cancel():
            time.sleep(0.01)
        raise RuntimeError("download cancelled")

    worker.request_download(MobileNetSpec(0.5, 160), endless)
    time.sleep(0.1)
    start = time.perf_counter()
    assert worker.stop(2000)
    assert time.perf_counter() - start < 1.0
    assert not any(t.name == "weights-download" for t in threading.enumerate())


def test_rolling_latency_and_rates():
    from explorer.vision.stats import RateMeter, StageTimings, format_latency, latency_heading

    stats = RollingLatency(window=10)
    for ms in range(1, 21):  # only the last 10 (11..20) count
        stats.add(StageTimings(convert=ms, preprocess=1, infer=2 * ms, decode=0.1))
    infer = stats.summary("infer")
    assert infer.count == 10
    assert infer.median == pytest.approx(31.0)
    assert infer.p90 == pytest.approx(np.percentile(np.arange(22, 41, 2), 90))
    assert format_latency(infer).startswith("infer 31.0 / ")
    assert latency_heading(stats.summaries()) == "Latency median / p90 (10 frames):"
    one = RollingLatency(window=10)
    one.add(StageTimings(convert=5, preprocess=1, infer=6.25, decode=0.1))
    # one sample: its time, not a "median / p90" of one value
    assert format_latency(one.summary("infer")) == "infer 6.2 ms"
    assert latency_heading(one.summaries()) == "Latency of 1 frame:"
    assert latency_heading(RollingLatency().summaries()) == "Latency median / p90:"

    now = [0.0]
    meter = RateMeter(window_s=1.0, clock=lambda: now[0])
    for _ in range(21):
        meter.tick()
        now[0] += 0.05  # 20 events per second
    assert meter.rate() == pytest.approx(20.0, rel=0.1)
    now[0] += 5.0
    assert meter.rate() == 0.0  # a stalled stream decays to 0


def test_rate_of_a_stream_slower_than_the_window():
    """A model at 0.5 frames/s read "inference 0.0 FPS" for ever: the 2 s window never held
    two results."""
    from explorer.vision.stats import RateMeter

    now = [0.0]
    meter = RateMeter(window_s=2.0, clock=lambda: now[0])
    readings = []
    for _ in range(6):
        meter.tick()
        for _ in range(4):  # read four times between results, 0.5 s apart
            now[0] += 0.5
            readings.append(meter.rate())
    assert all(r == pytest.approx(0.5) for r in readings[4:])  # from the second result on
    now[0] += 3.0  # no result for 5 s, two and a half intervals: stalled
    assert meter.rate() == 0.0
    fast = RateMeter(window_s=2.0, clock=lambda: now[0])
    for _ in range(31):
        fast.tick()
        now[0] += 1 / 30
    assert fast.rate() == pytest.approx(30.0, rel=0.01)
    now[0] += 0.5  # a late frame reads as a slower rate, not yet as a stall
    assert 0 < fast.rate() < 30


# ----------------------------------------------------------------- real engine (TF/LiteRT)

EXPECTED_TOP1 = {"panda.jpg": "giant_panda", "soccer_ball.jpg": "soccer_ball",
                 "hot_dog.jpg": "hotdog"}


@pytest.fixture(scope="module")
def real_engine(fixtures_dir, tmp_path_factory):
    """One real engine for alpha 0.5 / 160 with the fixture weights, built once per module."""
    from explorer.vision.engines import create_engine

    weights = fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_5_0_160_tf.h5"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOBILENET_EXPLORER_CACHE", str(tmp_path_factory.mktemp("engine-cache")))
        engine = create_engine(EngineRequest(OTHER, weights=weights))
    yield engine, weights
    engine.close()


class _Shared:
    """The module's engine, lent to one worker; the worker's close() must not close it."""

    def __init__(self, engine) -> None:
        self._engine = engine
        self.info = engine.info

    def predict(self, batch):
        return self._engine.predict(batch)

    def close(self) -> None:
        pass


@pytest.mark.tf
@pytest.mark.fixtures
@pytest.mark.slow
def test_real_engine_live_pipeline_matches_keras_labels(qtbot, make_worker, real_engine,
                                                       fixtures_dir):
    from explorer.vision.images import load_image_rgb

    engine, weights = real_engine
    assert engine.info.pretrained and engine.info.spec.alpha == 0.5
    worker, got = make_worker(lambda request, progress, cancel: _Shared(engine))
    source = VideoSinkSource("fixture photos", stall_timeout_ms=None)
    _connect(source, worker)
    source.start()
    worker.request_engine(EngineRequest(OTHER, weights=weights))
    wait_for(qtbot, got.ready, timeout=10000)
    top1 = {}
    for count, name in enumerate(EXPECTED_TOP1, start=1):
        rgb = load_image_rgb(fixtures_dir / "images" / name)
        # Camera-like frames: BGRX with Qt's own (padded) row stride.
        frame = rgb_to_video_frame(rgb, QVideoFrameFormat.PixelFormat.Format_BGRX8888)
        source.video_sink().setVideoFrame(frame)
        result = wait_for(qtbot, got.results, count, timeout=10000)
        top = result.predictions[0]
        top1[name] = top.label
        assert result.spec == OTHER
        assert 0.0 < top.probability <= 1.0
    assert top1 == EXPECTED_TOP1
    source.stop()
