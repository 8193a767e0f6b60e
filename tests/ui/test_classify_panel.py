"""ClassifyPanel with fake engines: frames in, top-5 out, honest labels while variants build,
random-weights warnings, bad weights files, source problems, pause, snapshot, drag-and-drop,
shutdown time, and no TensorFlow at construction.  One test uses the real engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtMultimedia import QMediaDevices, QVideoFrameFormat

from explorer.arch.spec import MobileNetSpec
from explorer.ui.classify_panel import ClassifyPanel, prepare_screenshot, same_variant
from explorer.ui.variant_state import VariantState
from explorer.vision.frames import packet_from_rgb, rgb_to_video_frame
from explorer.vision.sources import NO_CAMERA_MESSAGE, FolderSource, ImageSource, VideoSinkSource
from explorer.vision.types import EngineInfo

SMALL = MobileNetSpec(0.25, 128)
OTHER = MobileNetSpec(0.5, 160)
REPO = Path(__file__).resolve().parents[2]


class FakeEngine:
    def __init__(self, spec, pretrained=True, predict_delay=0.0):
        warnings = () if pretrained else (
            "Random weights: no ImageNet weights exist for alpha 0.35; choose alpha 0.25.",)
        self.info = EngineInfo(spec, "fake engine", "CPU (fake)",
                               "fake.h5" if pretrained else "random weights", pretrained,
                               warnings)
        self.predict_delay = predict_delay
        self.closed = False

    def predict(self, batch):
        if self.predict_delay:
            time.sleep(self.predict_delay)
        probs = np.full((1, 1000), 1e-4, np.float32)
        probs[0, int(self.info.spec.alpha * 100)] = 0.9
        return probs

    def close(self):
        self.closed = True


class FakeFactory:
    def __init__(self, build_delay=0.0, predict_delay=0.0):
        self.build_delay = build_delay
        self.predict_delay = predict_delay
        self.requests = []

    def __call__(self, request, progress=None, cancel=None):
        self.requests.append(request)
        stages = ("Building model", "Loading weights", "Converting to LiteRT", "Warming up")
        for i, stage in enumerate(stages):
            if progress:
                progress(stage, i / len(stages))
            end = time.monotonic() + self.build_delay / len(stages)
            while time.monotonic() < end:
                if cancel and cancel():
                    raise RuntimeError("cancelled")
                time.sleep(0.01)
        spec = request.spec
        return FakeEngine(spec, pretrained=spec.has_pretrained_alpha,
                          predict_delay=self.predict_delay)


class NoWeightsFactory(FakeFactory):
    """Every variant on random weights (no weights file found), with the engine's own
    ``warnings`` when given."""

    def __init__(self, warnings=None, **kwargs):
        super().__init__(**kwargs)
        self.warnings = warnings

    def __call__(self, request, progress=None, cancel=None):
        engine = FakeEngine(request.spec, pretrained=False)
        if self.warnings is not None:
            engine.info = replace(engine.info, warnings=self.warnings)
        return engine


class FailingFactory(FakeFactory):
    """Building ``spec`` raises ``error``; every other variant builds."""

    def __init__(self, spec, error, **kwargs):
        super().__init__(**kwargs)
        self.failing_spec = spec
        self.error = error

    def __call__(self, request, progress=None, cancel=None):
        if request.spec == self.failing_spec:
            raise self.error
        return super().__call__(request, progress, cancel)


@pytest.fixture
def make_panel(qtbot):
    panels = []

    def make(spec=SMALL, factory=None, **kwargs):
        state = VariantState(spec)
        kwargs.setdefault("autostart_camera", False)
        panel = ClassifyPanel(state, engine_factory=factory or FakeFactory(), **kwargs)
        qtbot.addWidget(panel)
        panel.resize(1000, 640)
        panel.show()
        panels.append(panel)
        return panel, state

    yield make
    for panel in panels:
        assert panel.shutdown()


def _push(source: VideoSinkSource, value: int, fmt=QVideoFrameFormat.PixelFormat.Format_RGBX8888):
    rgb = np.full((60, 80, 3), value % 256, np.uint8)
    source.video_sink().setVideoFrame(rgb_to_video_frame(rgb, fmt))


def _sink_source(panel, stall_ms=None) -> VideoSinkSource:
    source = VideoSinkSource("test camera", stall_timeout_ms=stall_ms)
    panel.set_source(source)
    return source


def test_frames_in_top5_out(qtbot, make_panel):
    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    assert panel.header_text() == "Top 5 · MobileNet 0.25-128"
    rows = panel.prediction_texts()
    assert len(rows) == 5 and rows[0][1] == "90.0 %"
    assert panel.rows[0].isEnabled()
    assert panel.engine_label.text() == "fake engine"
    assert panel.device_label.text() == "CPU (fake)"
    assert panel.weights_label.text() == "fake.h5"
    assert panel.frame_view.frames_shown == 1
    panel._refresh_stats()  # noqa: SLF001 - the timer does this every 500 ms
    assert "infer" in panel.latency_label.text() and "FPS" in panel.fps_label.text()


def test_progress_bar_while_building(qtbot, make_panel):
    panel, _ = make_panel(factory=FakeFactory(build_delay=0.8))
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.progress_bar.isVisible(), timeout=5000)
    # Only the step's first letter is lowered: it read "converting to litert…".
    qtbot.waitUntil(lambda: panel.progress_bar.format() == "MobileNet 0.25-128: converting to"
                    " LiteRT… %p%", timeout=5000)
    assert panel.header_text().startswith("Building MobileNet 0.25-128")
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    assert not panel.progress_bar.isVisible()


def test_predictions_are_labelled_while_new_variant_builds(qtbot, make_panel):
    factory = FakeFactory(build_delay=0.6)
    panel, state = make_panel(factory=factory)
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 1)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    state.set_spec(OTHER)
    # At once, before any build: the old predictions are marked as the old variant's.
    assert panel.header_text() == "From previous variant 0.25-128 while 0.5-160 builds"
    assert not panel.rows[0].isEnabled()
    seen_headers = set()
    value = 2
    deadline = time.monotonic() + 5
    while not same_variant(panel.last_result.spec, OTHER) and time.monotonic() < deadline:
        _push(source, value)
        value += 1
        qtbot.wait(20)
        result = panel.last_result
        header = panel.header_text()
        seen_headers.add(header)
        # Invariant: what is shown is either the variant shown or labelled as previous.
        if same_variant(result.spec, state.spec):
            assert header.startswith("Top 5 · MobileNet 0.5-160")
        else:
            assert header.startswith("From previous variant 0.25-128")
    assert same_variant(panel.last_result.spec, OTHER)
    assert panel.header_text() == "Top 5 · MobileNet 0.5-160"
    assert panel.rows[0].isEnabled()
    assert any(h.startswith("From previous") for h in seen_headers)


def test_scrubbing_variants_while_frames_flow(qtbot, make_panel):
    """Sliders moved continuously while frames arrive: no crash, bounded queue, honest labels."""
    factory = FakeFactory(build_delay=0.1, predict_delay=0.01)
    panel, state = make_panel(factory=factory)
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    alphas = (0.25, 0.5, 0.75, 1.0)
    resolutions = (128, 160, 192, 224)
    start = time.monotonic()
    i = 0
    pending = []
    while time.monotonic() - start < 2.0:
        state.set_variant(alphas[i % 4], resolutions[(i // 3) % 4])
        _push(source, i)
        pending.append(panel.worker.pending_frames)
        qtbot.wait(15)
        result = panel.last_result
        if result is not None:
            header = panel.header_text()
            assert same_variant(result.spec, state.spec) or header.startswith("From previous")
        i += 1
    assert max(pending) <= 1
    final = state.spec
    _push(source, 255)
    qtbot.waitUntil(lambda: panel.last_result is not None
                    and same_variant(panel.last_result.spec, final), timeout=8000)
    # The debounce plus latest-wins builds far fewer engines than slider steps.
    print(f"slider steps {i}, builds started {len(factory.requests)}")
    assert len(factory.requests) < i / 2


def test_random_weights_warning_and_switch_to_pretrained(qtbot, make_panel):
    panel, state = make_panel(spec=MobileNetSpec(0.35, 128))
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 3)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    assert panel.warning_label.isVisible()
    assert "Random weights" in panel.warning_label.text()
    assert "RANDOM WEIGHTS" in panel.header_text()
    assert panel.switch_alpha_button.isVisible()
    assert panel.switch_alpha_button.text() == "Use alpha 0.25 (pretrained)"
    panel.switch_alpha_button.click()
    assert state.spec == MobileNetSpec(0.25, 128)
    qtbot.waitUntil(lambda: same_variant(panel.last_result.spec, state.spec), timeout=5000)
    assert not panel.warning_label.isVisible()
    assert "RANDOM" not in panel.header_text()


def test_missing_weights_offer_download_with_cancel(qtbot, make_panel):
    started = threading.Event()

    def slow_download(alpha, resolution, progress=None, cancel=None):
        for i in range(500):
            if cancel():
                raise RuntimeError("download cancelled")
            progress(i * 1000, 500_000)
            started.set()
            time.sleep(0.01)
        raise AssertionError("the test cancels before the end")

    panel, _ = make_panel(spec=OTHER, factory=NoWeightsFactory(), downloader=slow_download)
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    assert panel.warning_label.isVisible() and panel.download_button.isVisible()
    assert panel.download_button.text() == "Download weights for alpha 0.5"
    # short on screen, the engine's whole message (where it looked) in the tooltip
    assert panel.warning_label.text().startswith(
        "Random weights (no weights file for alpha 0.5 found)")
    assert len(panel.warning_label.text()) < 160
    assert panel.warning_label.toolTip().startswith("Random weights")
    panel.download_button.click()
    assert started.wait(5)
    qtbot.waitUntil(lambda: "downloading weights" in panel.progress_bar.format(), timeout=5000)
    assert panel.cancel_download_button.isVisible()
    panel.cancel_download_button.click()
    qtbot.waitUntil(lambda: "cancelled" in panel.last_message, timeout=5000)
    assert not panel.progress_bar.isVisible()
    assert panel.download_button.isVisible()  # can try again


def test_finished_download_rebuilds_with_the_downloaded_file(qtbot, make_panel, tmp_path):
    """The request was unchanged (weights looked up in the Keras cache), so the worker kept
    the random-weights engine after the download until the variant changed."""
    arrived = threading.Event()

    class CacheFactory(FakeFactory):
        def __call__(self, request, progress=None, cancel=None):
            self.requests.append(request)
            return FakeEngine(request.spec, pretrained=arrived.is_set())

    def download(alpha, resolution, progress=None, cancel=None):
        path = tmp_path / "mobilenet_5_0_160_tf.h5"
        path.write_bytes(b"weights")
        arrived.set()
        return path

    factory = CacheFactory()
    panel, _ = make_panel(spec=OTHER, factory=factory, downloader=download)
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    assert not panel.engine_info.pretrained and panel.download_button.isVisible()
    panel.download_button.click()
    qtbot.waitUntil(lambda: panel.engine_info.pretrained, timeout=5000)
    assert len(factory.requests) == 2 and factory.requests[0] == factory.requests[1]
    assert not panel.warning_label.isVisible()


@pytest.mark.fixtures
def test_load_weights_file_errors_keep_app_running(qtbot, make_panel, fixtures_dir, tmp_path):
    panel, state = make_panel(spec=MobileNetSpec(0.75, 128))
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    derived = fixtures_dir / "weights" / "derived_from_coral_quant_tflite"
    assert not panel.load_weights_file(derived / "mobilenet_5_0_160_tf.h5")
    assert "this file holds alpha 0.50 weights; the model is alpha 0.75" in panel.last_error
    assert not panel.load_weights_file(derived / "mobilenet_7_5_192_tf_no_top.h5")
    assert "no-top" in panel.last_error
    not_hdf5 = tmp_path / "weights.h5"
    not_hdf5.write_text("definitely not HDF5")
    assert not panel.load_weights_file(not_hdf5)
    assert "not an HDF5 file" in panel.last_error
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes((derived / "mobilenet_7_5_192_tf.h5").read_bytes()[:50_000])
    assert not panel.load_weights_file(truncated)
    assert "truncated or corrupt" in panel.last_error
    assert not panel.load_weights_file(tmp_path / "missing.h5")
    assert "does not exist" in panel.last_error
    # The app still classifies with what it had.
    _push(source, 9)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    # A good file for this alpha is accepted and used for the next build.
    assert panel.load_weights_file(derived / "mobilenet_7_5_192_tf.h5")
    qtbot.waitUntil(lambda: panel.worker.building is None and panel.engine_info is not None,
                    timeout=5000)
    assert panel.current_request().weights == derived / "mobilenet_7_5_192_tf.h5"
    # The file serves only its own alpha: another alpha falls back to the lookup.
    state.set_alpha(0.5)
    assert panel.current_request().weights is None
    assert panel.current_request().weights_dir == derived  # the file's folder, then the cache


def test_engine_failure_is_shown_and_previous_engine_kept(qtbot, make_panel):
    panel, state = make_panel(
        factory=FailingFactory(OTHER, ValueError("conversion failed: out of memory")))
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 5)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    state.set_spec(OTHER)
    qtbot.waitUntil(lambda: "Could not build" in panel.last_message, timeout=5000)
    assert "out of memory" in panel.last_error
    assert panel.header_text() == "From previous variant 0.25-128 while 0.5-160 could not be" \
        " built"
    _push(source, 6)
    qtbot.wait(200)
    assert same_variant(panel.last_result.spec, SMALL)  # the old engine still answers
    # a later build that works takes the stale error away
    state.set_spec(SMALL)
    qtbot.waitUntil(lambda: "Could not build" not in panel.last_message, timeout=5000)
    assert same_variant(panel.engine_info.spec, SMALL)


def test_no_camera_message(qtbot, make_panel):
    panel, _ = make_panel(autostart_camera=True)
    qtbot.waitUntil(lambda: panel.last_message == NO_CAMERA_MESSAGE, timeout=3000)
    assert panel.message_label.isVisible()
    assert panel.camera_combo.currentText() == "No camera found"
    assert not panel.camera_combo.isEnabled()
    assert panel.open_camera() is None
    # The alternatives are right there.
    for button in (panel.open_video_button, panel.open_image_button, panel.open_folder_button):
        assert button.isVisible() and button.isEnabled()


def test_camera_list_follows_hot_plug(qtbot, make_panel):
    panel, _ = make_panel(autostart_camera=True)
    qtbot.waitUntil(lambda: panel.last_message == NO_CAMERA_MESSAGE, timeout=3000)
    panel.clear_message()
    # What QMediaDevices emits when a camera is plugged in or out: the list is re-read.
    panel._media_devices.videoInputsChanged.emit()  # noqa: SLF001
    assert panel.camera_combo.count() == max(1, len(QMediaDevices.videoInputs()))
    assert panel.last_message == NO_CAMERA_MESSAGE  # still none here, and it says so


def test_camera_error_and_stall_are_shown(qtbot, make_panel):
    panel, _ = make_panel()
    source = _sink_source(panel, stall_ms=250)
    _push(source, 1)
    qtbot.waitUntil(lambda: "No frames from test camera" in panel.last_message, timeout=3000)
    assert panel.message_label.property("level") == "warning"
    _push(source, 2)
    qtbot.waitUntil(lambda: not panel.message_label.isVisible(), timeout=3000)
    # The camera dies mid-stream.
    source._fail("The camera 'test' reported an error: device lost.")  # noqa: SLF001
    assert "device lost" in panel.last_error
    assert not source.is_active()


def test_video_without_video_stream_is_reported(qtbot, make_panel, tmp_path):
    import wave

    path = tmp_path / "audio only.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 800)
    panel, _ = make_panel()
    panel.open_path(path)
    qtbot.waitUntil(lambda: "no video stream" in panel.last_error, timeout=8000)
    not_video = tmp_path / "clip.mp4"
    not_video.write_bytes(b"hello" * 100)
    panel.open_path(not_video)
    qtbot.waitUntil(lambda: "clip.mp4" in panel.last_error, timeout=8000)


def _drop(panel, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    panel.frame_view.dropEvent(event)


def test_drag_and_drop_image_and_folder(qtbot, make_panel, tmp_path):
    panel, _ = make_panel()
    image = tmp_path / "photo één.png"  # spaces and non-ASCII
    Image.fromarray(np.full((30, 40, 3), 77, np.uint8)).save(image)
    _drop(panel, [image])
    assert isinstance(panel.source, ImageSource)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 8, 3), i * 50, np.uint8)).save(folder / f"{i}.png")
    _drop(panel, [folder])
    assert isinstance(panel.source, FolderSource)
    qtbot.waitUntil(lambda: panel.frame_view.frames_shown >= 2, timeout=5000)
    assert panel.next_button.isEnabled()
    shown = panel.frame_view.frames_shown
    panel.next_button.click()  # decoded on a pool thread, shown when it comes back
    qtbot.waitUntil(lambda: panel.frame_view.frames_shown == shown + 1, timeout=3000)


@pytest.mark.fixtures
def test_dropped_weights_file_is_loaded_not_opened_as_media(qtbot, make_panel, fixtures_dir,
                                                            tmp_path):
    panel, _ = make_panel(spec=MobileNetSpec(0.5, 160))
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    bad = tmp_path / "broken.keras"
    bad.write_text("not a zip")
    _drop(panel, [bad])
    assert "Cannot use these weights" in panel.last_error and "broken.keras" in panel.last_error
    assert panel.source is None  # not tried as a video
    weights = fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_5_0_160_tf.h5"
    image = tmp_path / "grey.png"
    Image.fromarray(np.full((30, 40, 3), 90, np.uint8)).save(image)
    _drop(panel, [image, weights])  # both at once: weights loaded, photo opened
    assert panel.current_request().weights == weights
    assert isinstance(panel.source, ImageSource)
    qtbot.waitUntil(lambda: panel.worker.building is None and panel.engine_info is not None,
                    timeout=5000)


def test_pause_freezes_and_resume(qtbot, make_panel):
    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 10)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    shown = panel.frame_view.frames_shown
    panel.pause_button.click()
    assert panel.paused and panel.pause_button.text() == "Resume"
    for v in range(5):
        _push(source, 20 + v)
    qtbot.wait(100)
    assert panel.frame_view.frames_shown == shown
    panel.pause_button.click()
    _push(source, 99)
    qtbot.waitUntil(lambda: panel.frame_view.frames_shown == shown + 1, timeout=3000)


def test_save_snapshot_png_and_json(qtbot, make_panel, tmp_path):
    panel, _ = make_panel()
    with pytest.raises(ValueError, match="nothing to save"):
        panel.save_snapshot(tmp_path / "x.png")
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 123)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    png, meta = panel.save_snapshot(tmp_path / "snap.png")
    assert png.exists() and meta.exists()
    saved = np.asarray(Image.open(png).convert("RGB"))
    np.testing.assert_array_equal(saved, panel.last_result.rgb)
    data = json.loads(meta.read_text())
    assert data["variant"] == "0.25-128" and data["image"] == "snap.png"
    assert data["predictions"][0]["class_index"] == 25
    assert set(data["timings_ms"]) == {"convert", "preprocess", "infer", "decode"}
    with pytest.raises(OSError, match="does not exist"):
        panel.save_snapshot(tmp_path / "missing folder" / "snap.png")
    # A name with a dot of its own keeps it: "holiday.2024" wrote over holiday.png / .json.
    (tmp_path / "holiday.png").write_bytes(b"keep")
    png, meta = panel.save_snapshot(tmp_path / "holiday.2024")
    assert (png.name, meta.name) == ("holiday.2024.png", "holiday.2024.json")
    assert (tmp_path / "holiday.png").read_bytes() == b"keep"
    # The dialog asks before replacing the PNG, not the JSON: an unrelated notes.json beside
    # the chosen notes.png was replaced without a word.  An earlier snapshot's may be.
    (tmp_path / "notes.json").write_text('{"mine": 1}')
    with pytest.raises(OSError, match="notes.json already exists and is not a snapshot"):
        panel.save_snapshot(tmp_path / "notes.png")
    assert (tmp_path / "notes.json").read_text() == '{"mine": 1}'
    assert not (tmp_path / "notes.png").exists()
    png, meta = panel.save_snapshot(tmp_path / "snap.png")  # its own earlier JSON: replaced
    assert json.loads(meta.read_text())["image"] == "snap.png"


def test_snapshot_button_writes_off_the_gui_thread(qtbot, make_panel, tmp_path, monkeypatch):
    """Encoding a 48 MP photo's PNG took 2 s on the GUI thread: the window froze."""
    import explorer.ui.classify_panel as classify_panel
    import explorer.ui.snapshot as snapshot

    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 123)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    chosen = [tmp_path / "snap.png"]
    monkeypatch.setattr(classify_panel.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(chosen[0]), "")))
    real_write = snapshot.write_snapshot
    release = threading.Event()
    writers: list[int] = []

    def held_write(job):
        writers.append(threading.get_ident())
        release.wait(5)
        real_write(job)

    monkeypatch.setattr(snapshot, "write_snapshot", held_write)
    panel.snapshot_button.click()  # returns while the file is being written
    assert not panel.snapshot_button.isEnabled()
    assert panel.snapshot_button.text() == "Saving…"
    qtbot.waitUntil(lambda: bool(writers), timeout=3000)
    assert writers[0] != threading.get_ident()
    release.set()
    qtbot.waitUntil(panel.snapshot_button.isEnabled, timeout=5000)
    assert panel.snapshot_button.text() == "Save snapshot…"
    assert panel.last_message.startswith("Saved snap.png and snap.json in ")
    saved = np.asarray(Image.open(chosen[0]).convert("RGB"))
    np.testing.assert_array_equal(saved, panel.last_result.rgb)

    def failed_write(job):
        raise OSError(f"cannot save the snapshot: writing {job.png} failed")

    monkeypatch.setattr(snapshot, "write_snapshot", failed_write)
    panel.snapshot_button.click()
    qtbot.waitUntil(panel.snapshot_button.isEnabled, timeout=5000)
    assert panel.last_message == f"cannot save the snapshot: writing {chosen[0]} failed"

    # Closing while a snapshot is written waits for it: the user's file is not cut off.
    def slow_write(job):
        time.sleep(0.3)
        real_write(job)

    monkeypatch.setattr(snapshot, "write_snapshot", slow_write)
    chosen[0] = tmp_path / "last.png"
    panel.snapshot_button.click()
    panel.shutdown()
    assert (tmp_path / "last.png").exists() and (tmp_path / "last.json").exists()


def test_engine_and_device_choices_rebuild(qtbot, make_panel):
    factory = FakeFactory()
    panel, _ = make_panel(factory=factory)
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    panel.set_device("cpu")
    panel.set_engine_kind("tf")
    qtbot.waitUntil(lambda: factory.requests[-1].engine == "tf"
                    and factory.requests[-1].device == "cpu", timeout=5000)
    panel.set_engine_kind("int8")
    qtbot.waitUntil(lambda: factory.requests[-1].engine == "int8", timeout=5000)
    assert panel.engine_combo.currentText() == "LiteRT int8 (Google)"
    with pytest.raises(ValueError):
        panel.set_device("tpu")


def test_closing_during_build_stops_within_2s(qtbot):
    state = VariantState(SMALL)
    panel = ClassifyPanel(state, engine_factory=FakeFactory(build_delay=30.0),
                          autostart_camera=False)
    qtbot.addWidget(panel)
    panel.show()
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.progress_bar.isVisible(), timeout=5000)
    start = time.perf_counter()
    panel.close()
    elapsed = time.perf_counter() - start
    print(f"close during build: {elapsed * 1e3:.0f} ms")
    assert elapsed < 2.0 and not panel.worker.is_running()


def test_closing_during_inference_stops_within_2s(qtbot):
    state = VariantState(SMALL)
    panel = ClassifyPanel(state, engine_factory=FakeFactory(predict_delay=0.8),
                          autostart_camera=False)
    qtbot.addWidget(panel)
    panel.show()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 1)
    qtbot.wait(100)  # the worker is inside predict()
    start = time.perf_counter()
    panel.close()
    elapsed = time.perf_counter() - start
    print(f"close during inference: {elapsed * 1e3:.0f} ms")
    assert elapsed < 2.0 and not panel.worker.is_running()


def test_panel_construction_does_not_import_tensorflow():
    code = textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from explorer.ui.classify_panel import ClassifyPanel
        from explorer.ui.variant_state import VariantState
        panel = ClassifyPanel(VariantState(), autostart_camera=False)
        app.processEvents()
        loaded = [m for m in ("tensorflow", "keras") if m in sys.modules]
        assert panel.shutdown()
        print("LOADED", loaded)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "LOADED []" in out.stdout


# ------------------------------------------------------------------ real engine

@pytest.mark.tf
@pytest.mark.fixtures
@pytest.mark.slow
def test_prepare_screenshot_with_real_engine(qtbot, fixtures_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MOBILENET_EXPLORER_CACHE", str(tmp_path / "cache"))
    weights = fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_5_0_160_tf.h5"
    state = VariantState(OTHER)
    panel = ClassifyPanel(state, autostart_camera=False)
    qtbot.addWidget(panel)
    panel.resize(1000, 640)
    panel.show()
    try:
        assert prepare_screenshot(panel, fixtures_dir / "images" / "panda.jpg", weights, None,
                                  timeout_s=180)
        assert panel.header_text() == "Top 5 · MobileNet 0.5-160"
        assert panel.prediction_texts()[0][0] == "giant panda"
        assert panel.engine_info.pretrained and "mobilenet_5_0_160_tf.h5" in \
            panel.weights_label.text().replace("\u200b", "")
        assert "mobilenet_5_0_160_tf.h5" in panel.weights_label.toolTip()
        assert not panel.warning_label.isVisible()
        # Same engine kind, other alpha without pretrained weights: warned, not hidden.
        state.set_spec(replace(OTHER, alpha=0.35))
        assert prepare_screenshot(panel, None, timeout_s=180)
        assert "RANDOM WEIGHTS" in panel.header_text() and panel.warning_label.isVisible()
    finally:
        assert panel.shutdown()


def test_closing_during_weights_download_stops_within_2s_and_leaves_no_file(qtbot, tmp_path):
    """Issue 6: close while a download runs; the real downloader's temp file goes away."""
    import http.server
    import socketserver

    from explorer.keras_builder.download import download_weights

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            self.send_response(200)
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
            try:
                for _ in range(5000):  # ~50 s of trickle unless the client goes away
                    self.wfile.write(b"\0" * 10_000)
                    time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    dest = tmp_path / "keras-models"
    dest.mkdir()

    def downloader(alpha, resolution, progress=None, cancel=None):
        return download_weights(alpha, resolution, dest_dir=dest, progress=progress,
                                cancel=cancel, base_url=base, timeout=5)

    try:
        panel = ClassifyPanel(VariantState(OTHER), engine_factory=NoWeightsFactory(),
                              downloader=downloader, autostart_camera=False)
        qtbot.addWidget(panel)
        panel.show()
        _sink_source(panel)
        qtbot.waitUntil(lambda: panel.download_button.isVisible(), timeout=5000)
        panel.download_button.click()
        qtbot.waitUntil(lambda: any(dest.iterdir()), timeout=5000)  # the .part file exists
        start = time.perf_counter()
        panel.close()
        elapsed = time.perf_counter() - start
        assert elapsed < 2.0 and not panel.worker.is_running()
        qtbot.waitUntil(lambda: not any(dest.iterdir()), timeout=3000)  # no partial file left
    finally:
        server.shutdown()
        server.server_close()


def test_engine_and_device_choices_are_remembered(qtbot, make_panel):
    from explorer.ui import settings as st

    panel, _ = make_panel(factory=FakeFactory())
    assert (panel.engine_combo.currentData(), panel.device_combo.currentData()) == \
        ("auto", "auto")
    panel.set_engine_kind("int8")
    panel.set_device("cpu")
    again, _ = make_panel(factory=FakeFactory())
    assert (again.engine_combo.currentData(), again.device_combo.currentData()) == \
        ("int8", "cpu")
    # A hand-edited or stale value falls back to Auto instead of failing.
    settings = st.app_settings()
    settings.setValue(st.KEY_ENGINE, "onnx")
    settings.sync()
    third, _ = make_panel(factory=FakeFactory())
    assert third.engine_combo.currentData() == "auto"


def test_screenshot_panels_ignore_saved_choices(qtbot, make_panel):
    from explorer.ui import settings as st

    settings = st.app_settings()
    settings.setValue(st.KEY_ENGINE, "tf")
    settings.sync()
    panel, _ = make_panel(factory=FakeFactory(), remember_choices=False)
    assert panel.engine_combo.currentData() == "auto"
    panel.set_engine_kind("litert")
    assert st.app_settings().value(st.KEY_ENGINE) == "tf"  # not overwritten


# ------------------------------------------------------------------ still images, screenshots

def test_prepare_screenshot_stops_at_once_on_an_unreadable_photo(qtbot, make_panel, tmp_path):
    """The wait used to end only on a build error: a bad photo cost the whole timeout."""
    panel, _ = make_panel()
    photo = tmp_path / "photo.jpg"
    photo.write_text("a text file renamed .jpg")
    start = time.monotonic()
    assert not prepare_screenshot(panel, photo, timeout_s=60)
    assert time.monotonic() - start < 20
    assert "Cannot open image" in panel.source.last_error
    assert panel.last_error == panel.source.last_error


def test_still_image_shows_no_frame_rate(qtbot, make_panel, tmp_path):
    """One photo is classified once: "0.0 FPS" would be noise, the latency is the number."""
    panel, _ = make_panel()
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (30, 160, 90)).save(photo)
    assert prepare_screenshot(panel, photo, timeout_s=30)
    assert "FPS" not in panel.fps_label.text()
    assert panel.fps_label.text().startswith("Still image")
    assert "infer" in panel.latency_label.text()
    # one classification: its times, not a median / p90 of a single value
    assert panel.latency_label.text().startswith("Latency of 1 frame:")
    assert " / " not in panel.latency_label.text()


def test_paused_stream_shows_no_frame_rate_and_live_one_does(qtbot, make_panel):
    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    panel._refresh_stats()  # noqa: SLF001 - the timer does this every 500 ms
    assert panel.fps_label.text().startswith("Display ") and "inference" in \
        panel.fps_label.text()
    panel.set_paused(True)
    panel._refresh_stats()  # noqa: SLF001
    assert panel.fps_label.text().startswith("Paused") and "FPS" not in panel.fps_label.text()
    panel.set_paused(False)
    source.stop()
    panel._refresh_stats()  # noqa: SLF001
    assert panel.fps_label.text().startswith("Stopped")


def test_top5_rows_say_when_the_other_classes_are_exactly_zero(qtbot, make_panel):
    """An int8-like output (two classes above 0) fills two rows and says why the rest are empty."""
    from explorer.vision.labels import ZERO_CLASSES_NOTE

    class QuantizedLike(FakeEngine):
        def predict(self, batch):
            probs = np.zeros((1, 1000), np.float32)
            probs[0, [388, 805]] = [254 / 256, 2 / 256]
            return probs

    class Factory(FakeFactory):
        def __call__(self, request, progress=None, cancel=None):
            return QuantizedLike(request.spec)

    panel, _ = make_panel(factory=Factory())
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 3)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    names = [row.name.text() for row in panel.rows]
    assert names == ["giant panda", "soccer ball", ZERO_CLASSES_NOTE, "", ""]
    assert panel.rows[2].bar.value() == 0 and panel.rows[2].bar.format() == ""


# ------------------------------------------------------------------ stale results, weights folder

def _photo(tmp_path, name="photo.png", value=120):
    path = tmp_path / name
    Image.fromarray(np.full((30, 40, 3), value, np.uint8)).save(path)
    return path


@pytest.mark.fixtures
def test_explicit_weights_file_folder_serves_other_alphas(qtbot, make_panel, fixtures_dir):
    """Only a weights file given: alpha 0.75 is looked for next to it before the Keras cache."""
    from explorer.keras_builder.weights import find_weights

    derived = fixtures_dir / "weights" / "derived_from_coral_quant_tflite"
    panel, state = make_panel(spec=MobileNetSpec(0.5, 160))
    panel.set_weights(derived / "mobilenet_5_0_160_tf.h5", None)
    request = panel.current_request()
    assert request.weights == derived / "mobilenet_5_0_160_tf.h5"
    state.set_alpha(0.75)
    request = panel.current_request()
    assert request.weights is None
    assert request.weights_dir == derived
    choice = find_weights(request.spec, request.weights, request.weights_dir)
    assert choice.path == derived / "mobilenet_7_5_192_tf.h5"
    # An explicit --weights-dir still wins over the file's folder.
    panel.set_weights(derived / "mobilenet_5_0_160_tf.h5", fixtures_dir)
    assert panel.current_request().weights_dir == fixtures_dir


@pytest.mark.fixtures
def test_weights_found_next_to_the_loaded_file_are_described_as_such(qtbot, make_panel,
                                                                       fixtures_dir):
    """Other alphas are looked up next to the loaded file: the request names that folder so,
    and the view must not claim a --weights-dir option the user never passed."""
    from explorer.keras_builder.weights import find_weights

    class Describing(FakeFactory):
        def __call__(self, request, progress=None, cancel=None):
            engine = super().__call__(request, progress, cancel)
            choice = find_weights(request.spec, request.weights, request.weights_dir,
                                  weights_dir_source=request.weights_dir_source)
            engine.info = replace(engine.info, weights_description=choice.description)
            return engine

    derived = fixtures_dir / "weights" / "derived_from_coral_quant_tflite"
    panel, state = make_panel(spec=MobileNetSpec(0.5, 160), factory=Describing())
    panel.set_weights(derived / "mobilenet_5_0_160_tf.h5", None)
    panel._ensure_engine()  # noqa: SLF001 - what the first show does
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    state.set_alpha(0.75)
    qtbot.waitUntil(lambda: panel.engine_info.spec.alpha == 0.75, timeout=5000)
    tip = panel.weights_label.toolTip()
    assert "mobilenet_7_5_192_tf.h5" in tip
    assert "--weights-dir" not in tip and "found next to mobilenet_5_0_160_tf.h5" in tip


def test_failed_source_clears_the_top5_and_keeps_the_error(qtbot, make_panel, tmp_path):
    """A bad file after a good photo: the old photo's top-5 must not stay beside the error."""
    panel, state = make_panel()
    panel.open_path(_photo(tmp_path))
    qtbot.waitUntil(lambda: len(panel.prediction_texts()) == 5, timeout=5000)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    panel.open_path(bad)
    qtbot.waitUntil(lambda: "Cannot open image" in panel.last_error, timeout=5000)
    assert panel.prediction_texts() == []
    assert panel.last_result is None
    assert panel.header_text().startswith("Nothing classified")
    assert panel.message_label.isVisible() and "bad.jpg" in panel.message_label.text()
    # A new variant has no frame to wait for: the header must not promise one.
    state.set_spec(OTHER)
    qtbot.waitUntil(lambda: panel.engine_info is not None
                    and same_variant(panel.engine_info.spec, OTHER), timeout=5000)
    assert "previous variant" not in panel.header_text()
    assert "waits for a frame" not in panel.header_text()
    assert panel.header_text().startswith("Nothing classified")
    assert panel.prediction_texts() == []


def test_closed_source_clears_the_top5(qtbot, make_panel, tmp_path):
    panel, _ = make_panel()
    panel.open_path(_photo(tmp_path))
    qtbot.waitUntil(lambda: len(panel.prediction_texts()) == 5, timeout=5000)
    panel.set_source(None)
    assert panel.prediction_texts() == []
    assert panel.header_text().startswith("Nothing classified")
    # A result of a frame sent before the source closed must not bring the rows back.
    qtbot.wait(300)
    assert panel.prediction_texts() == []


def test_folder_source_shows_which_file_is_shown(qtbot, make_panel, tmp_path):
    panel, _ = make_panel()
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(3):
        _photo(folder, f"img{i}.png", i * 50)
    panel.open_path(folder)
    qtbot.waitUntil(lambda: panel.frame_caption.text() == "img0.png (1 of 3)", timeout=5000)
    assert panel.frame_caption.isVisible()
    panel.next_image()
    qtbot.waitUntil(lambda: panel.frame_caption.text() == "img1.png (2 of 3)", timeout=5000)
    panel.previous_image()
    panel.previous_image()
    qtbot.waitUntil(lambda: panel.frame_caption.text() == "img2.png (3 of 3)", timeout=5000)
    # Another kind of source: no folder position.
    panel.open_path(_photo(tmp_path))
    assert not panel.frame_caption.isVisible()


def test_latency_counts_only_the_current_variant_and_engine(qtbot, make_panel):
    """The median beside "Engine: ..." once mixed frames of earlier engines and variants."""
    panel, state = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    for value in (10, 20, 30):
        before = panel.last_result
        _push(source, value)
        qtbot.waitUntil(lambda before=before: panel.last_result is not before, timeout=5000)
    assert panel.latency.summary("infer").count == 3
    state.set_variant(0.5, 160)
    qtbot.waitUntil(lambda: panel.engine_info is not None
                    and panel.engine_info.spec.label == "0.5-160", timeout=5000)
    qtbot.waitUntil(lambda: panel.last_result is not None
                    and panel.last_result.spec.label == "0.5-160", timeout=5000)
    assert panel.latency.summary("infer").count == 1  # the new variant's frames only


def test_frame_classified_again_is_not_counted_again(qtbot, make_panel):
    """Resume, or Device Auto -> CPU (same engine rebuilt), classify the last frame again;
    each repeat counted as a frame: "inference 24 FPS" beside "Display 20 FPS"."""
    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    for value in (10, 20):
        before = panel.last_result
        _push(source, value)
        qtbot.waitUntil(lambda before=before: panel.last_result is not before, timeout=5000)
    assert panel.inference_rate.total == 2 and panel.latency.summary("infer").count == 2
    for _ in range(3):
        before = panel.last_result
        panel.set_paused(True)
        panel.set_paused(False)
        qtbot.waitUntil(lambda before=before: panel.last_result is not before, timeout=5000)
        assert panel.last_result.repeat
    assert panel.inference_rate.total == 2 and panel.latency.summary("infer").count == 2


def test_hidden_view_neither_converts_nor_classifies(qtbot, make_panel, tmp_path):
    """Behind another tab the stream was converted and classified at full rate (11-73 % of
    the GUI thread at 480p-1080p) with nothing shown; slider moves then missed 16 ms."""
    panel, _ = make_panel()
    source = _sink_source(panel, stall_ms=300)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 10)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    shown, converted, answered = (panel.frame_view.frames_shown, source.conversions_done,
                                  panel.last_result)
    panel.hide()
    for value in (20, 30, 40, 50, 60, 70):
        _push(source, value)
        qtbot.wait(80)  # 480 ms in all: past the 300 ms stall timeout
    assert source.frames_received >= 7 and source.conversions_done == converted
    assert panel.frame_view.frames_shown == shown and panel.last_result is answered
    assert not panel.last_message.startswith("No frames"), "an unwatched stream is no stall"
    panel.show()  # the newest frame that came while hidden is shown and classified
    qtbot.waitUntil(lambda: panel.last_result.rgb[0, 0, 0] == 70, timeout=5000)
    assert panel.frame_view.frames_shown == shown + 1
    _push(source, 80)
    qtbot.waitUntil(lambda: panel.last_result.rgb[0, 0, 0] == 80, timeout=5000)
    assert panel.frame_view.frames_shown == shown + 2
    # A still image opened while hidden is shown and classified on return.
    panel.hide()
    panel.open_path(_photo(tmp_path, value=200))  # a new source clears the answers
    qtbot.wait(300)
    assert panel.last_result is None
    panel.show()
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    assert panel.frame_view.image() is not None


def test_view_shown_again_shows_the_newest_frame_not_a_stale_one(qtbot, make_panel):
    """The sink's newest frame came while hidden; on return the view showed the frame from
    before until another arrived, which a still camera or an ended video never sends.  And
    a frame held while hidden came back over a source error that came meanwhile."""
    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 10)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    panel.hide()
    _push(source, 200)
    qtbot.wait(100)
    panel.show()
    qtbot.waitUntil(lambda: panel.last_result.rgb[0, 0, 0] == 200, timeout=5000)
    image = panel.frame_view.image()
    assert image is not None and image.pixelColor(0, 0).red() == 200
    # A frame converted just as the view was hidden is held; the camera fails meanwhile.
    panel.hide()
    source.frame_ready.emit(packet_from_rgb(np.full((60, 80, 3), 50, np.uint8), "late"))
    source._fail("The test camera was disconnected.")  # noqa: SLF001 - as unplugging does
    panel.show()
    qtbot.wait(200)
    assert panel.frame_view.image() is None and panel.last_result is None
    assert panel.header_text() == "Nothing classified: the source failed."


def test_hidden_view_builds_the_variant_when_shown_again(qtbot, make_panel):
    """Sliders dragged in another view started an engine build at every pause, for answers
    nobody could see, taking the CPU from the view being dragged in."""
    factory = FakeFactory()
    panel, state = make_panel(factory=factory)
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    built = len(factory.requests)
    panel.hide()
    for resolution in (160, 192, 224):
        state.set_variant(0.5, resolution)
        qtbot.wait(250)  # past the debounce each time
    assert len(factory.requests) == built
    panel.show()
    qtbot.waitUntil(lambda: panel.engine_info.spec.label == "0.5-224", timeout=5000)
    assert [r.spec.label for r in factory.requests[built:]] == ["0.5-224"]


class _NoInt8Factory(FakeFactory):
    """int8 fails as it does for a variant without Google's model."""

    def __call__(self, request, progress=None, cancel=None):
        if request.engine == "int8":
            self.requests.append(request)
            raise RuntimeError("no int8 model: put mobilenet_v1_0.25_128_quant.tflite ...")
        return super().__call__(request, progress, cancel)


def test_failed_engine_choice_says_which_engine_still_answers(qtbot, make_panel):
    """The Engine menu said int8 and a red bar explained the failure, but the top-5 kept
    coming from the float engine with nothing saying so."""
    panel, _ = make_panel(factory=_NoInt8Factory())
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    panel.set_engine_kind("int8")
    qtbot.waitUntil(lambda: "could not be built" in panel.header_text(), timeout=5000)
    assert panel.header_text() == ("Top 5 · MobileNet 0.25-128 · still by fake engine: the"
                                   " engine chosen could not be built")
    panel.set_engine_kind("litert")
    qtbot.waitUntil(lambda: panel.header_text() == "Top 5 · MobileNet 0.25-128", timeout=5000)


@pytest.mark.fixtures
def test_weights_picked_in_the_window_are_not_called_command_line_weights(
        qtbot, make_panel, fixtures_dir):
    """File > Load weights was described as "(alpha 0.75, from --weights)"."""
    from explorer.keras_builder.weights import find_weights

    panel, _ = make_panel(spec=MobileNetSpec(0.75, 192))
    weights = fixtures_dir / "weights" / "derived_from_coral_quant_tflite" / \
        "mobilenet_7_5_192_tf.h5"
    panel.set_weights(weights)
    assert panel.current_request().weights_source == "--weights"
    assert panel.load_weights_file(weights)
    request = panel.current_request()
    assert request.weights_source == "loaded with Load weights"
    choice = find_weights(request.spec, request.weights,
                          weights_source=request.weights_source)
    assert choice.description.endswith("(alpha 0.75, loaded with Load weights)")


class _BadFileFactory(FakeFactory):
    """A weights file that passes Load weights' inspection fails the build (a NaN, a layer
    missing), naming the file as the real engines do."""

    def __call__(self, request, progress=None, cancel=None):
        if request.weights is not None and request.weights.name == "damaged.h5":
            raise RuntimeError(f"could not read {request.weights.name}: conv_pw_7 missing")
        return super().__call__(request, progress, cancel)


@pytest.mark.fixtures
def test_weights_file_that_fails_the_build_is_named_as_the_cause(qtbot, make_panel,
                                                                 fixtures_dir, tmp_path):
    """The header blamed "the engine chosen", though the engine was the one running."""
    import shutil

    panel, _ = make_panel(factory=_BadFileFactory())
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    damaged = tmp_path / "damaged.h5"
    shutil.copy(fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_2_5_128_tf.h5",
                damaged)
    assert panel.load_weights_file(damaged)
    qtbot.waitUntil(lambda: "could not be built" in panel.header_text(), timeout=5000)
    assert panel.header_text() == ("Top 5 · MobileNet 0.25-128 · still by fake engine: the"
                                   " weights file loaded could not be built")


def test_failed_download_message_goes_once_another_alpha_runs(qtbot, make_panel):
    """"Download failed ... mobilenet_5_0_..." stayed on screen after moving to alpha 0.25."""
    def offline(alpha, resolution, progress=None, cancel=None):
        raise OSError("no network")

    panel, state = make_panel(spec=OTHER, factory=NoWeightsFactory(), downloader=offline)
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    panel.download_button.click()
    qtbot.waitUntil(lambda: panel.last_message.startswith("Download failed"), timeout=5000)
    state.set_variant(0.25, 128)
    qtbot.waitUntil(lambda: panel.engine_info.spec.alpha == 0.25, timeout=5000)
    assert not panel.last_message.startswith("Download failed")


def test_photo_opened_while_paused_is_shown_and_classified_on_resume(qtbot, make_panel,
                                                                     tmp_path):
    """A photo opened while paused is delivered once: it was lost for good and the view said
    "Waiting for frames" after Resume."""
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), (200, 120, 40)).save(photo)
    panel, _ = make_panel()
    panel.set_paused(True)
    panel.open_path(photo)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    qtbot.wait(100)
    assert panel.last_result is None
    panel.set_paused(False)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    assert panel.header_text() == "Top 5 · MobileNet 0.25-128"
    assert panel.frame_view.image() is not None


def test_a_source_opened_while_paused_keeps_the_frozen_frame_until_resume(qtbot, make_panel,
                                                                         tmp_path):
    """Opening a photo while paused cleared the frozen frame and top-5 and read "Waiting
    for frames" until Resume, which looked like a hang (README: shown on Resume)."""
    for i in range(2):
        Image.new("RGB", (20, 20), (90 * i, 90, 10)).save(tmp_path / f"{i}.png")
    photo = tmp_path / "other" / "photo.png"
    photo.parent.mkdir()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(photo)
    panel, _ = make_panel()
    panel.open_path(tmp_path)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    frozen = (panel.frame_view.image(), panel.prediction_texts(), panel.header_text())
    assert panel.frame_caption.text() == "0.png (1 of 2)"
    panel.set_paused(True)
    panel.open_path(photo)
    qtbot.wait(100)
    assert (panel.frame_view.image(), panel.prediction_texts(), panel.header_text()) == frozen
    assert panel.frame_caption.isVisible()
    assert panel.last_message == "Paused: image 'photo.png' is shown on Resume."
    panel.set_paused(False)
    qtbot.waitUntil(lambda: panel.last_result.source == "image 'photo.png'", timeout=5000)
    assert not panel.frame_caption.isVisible()  # the folder's caption went with its frame
    assert panel.frame_view.image().size().toTuple() == (40, 30)


def test_the_previous_photos_top5_is_marked_while_the_next_one_waits(qtbot, make_panel,
                                                                     tmp_path):
    """Stepping through a folder while an engine built showed the new photo beside the old
    photo's top-5, unmarked, for the whole build (4-6 s for TensorFlow)."""
    for i in range(2):
        Image.new("RGB", (20, 20), (90 * i, 90, 10)).save(tmp_path / f"{i}.png")
    factory = FakeFactory()
    panel, _ = make_panel(factory=factory)
    panel.open_path(tmp_path)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    assert panel.header_text() == "Top 5 · MobileNet 0.25-128"
    factory.build_delay = 1.5
    panel.set_engine_kind("tf")
    qtbot.waitUntil(lambda: len(factory.requests) == 2, timeout=5000)
    panel.next_button.click()
    qtbot.waitUntil(lambda: panel.frame_caption.text() == "1.png (2 of 2)", timeout=5000)
    qtbot.waitUntil(lambda: panel.header_text().startswith("From image '0.png'"), timeout=1000)
    assert panel.header_text() == "From image '0.png' while MobileNet 0.25-128 builds"
    assert not any(row.isEnabled() for row in panel.rows)
    qtbot.waitUntil(lambda: panel.last_result.source == "image '1.png'", timeout=5000)
    assert panel.header_text() == "Top 5 · MobileNet 0.25-128"
    assert all(row.isEnabled() for row in panel.rows)


def test_variant_chosen_while_paused_is_answered_on_resume(qtbot, make_panel):
    """The new variant's answer came back while paused and was dropped; a still source sends
    no other frame, so the header stayed "From previous variant ..." for good."""
    panel, state = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    panel.set_paused(True)
    state.set_variant(0.5, 160)
    qtbot.waitUntil(lambda: panel.engine_info.spec == MobileNetSpec(0.5, 160), timeout=5000)
    qtbot.wait(100)
    # Frames keep coming while paused: not "0.5-160 waits for a frame".
    assert panel.header_text() == ("From previous variant 0.25-128 while paused: 0.5-160"
                                   " answers on Resume")
    panel.set_paused(False)
    qtbot.waitUntil(lambda: panel.last_result.spec == MobileNetSpec(0.5, 160), timeout=5000)
    assert panel.header_text() == "Top 5 · MobileNet 0.5-160"


class _FakeDevice:
    def __init__(self, name: str) -> None:
        self._name = name

    def description(self) -> str:
        return self._name

    def id(self) -> bytes:
        return self._name.encode()

    def isNull(self) -> bool:  # noqa: N802 - Qt's name
        return False


def test_camera_list_after_hot_plug_keeps_the_running_camera_and_reopens_it(
        qtbot, make_panel, monkeypatch):
    """The rebuilt list showed the first camera while another one ran, and a camera unplugged
    and plugged back in stayed "disconnected" until picked again by hand."""
    import explorer.ui.classify_panel as panel_module

    class FakeCameraSource(VideoSinkSource):
        def __init__(self, device, stall_timeout_ms=None, parent=None):
            super().__init__(f"camera '{device.description()}'", parent=parent)
            self._device = device

        def device(self):
            return self._device

    cameras = [_FakeDevice("Built-in IR"), _FakeDevice("Logitech C920")]
    monkeypatch.setattr(panel_module, "available_cameras", lambda: list(cameras))
    monkeypatch.setattr(panel_module, "CameraSource", FakeCameraSource)
    panel, _ = make_panel()
    panel.refresh_cameras()
    panel.camera_combo.setCurrentIndex(1)
    panel._on_camera_chosen(1)  # noqa: SLF001 - what picking it in the list does
    running = panel.source
    assert running.name == "camera 'Logitech C920'"
    cameras.insert(0, _FakeDevice("USB microscope"))  # another camera plugged in
    panel.refresh_cameras()
    assert panel.camera_combo.currentText() == "Logitech C920" and panel.source is running
    del cameras[2]  # the C920 unplugged: the list changes, then the source fails
    panel.refresh_cameras()
    running._fail("The camera 'Logitech C920' was disconnected.")  # noqa: SLF001
    assert not running.is_active() and panel.source is running
    cameras.append(_FakeDevice("Logitech C920"))  # plugged back in
    panel.refresh_cameras()
    assert panel.source is not running and panel.source.name == "camera 'Logitech C920'"
    assert panel.source.is_active() and "is back" in panel.last_message
    assert panel.camera_combo.currentText() == "Logitech C920"


def test_folder_steps_are_off_while_paused(qtbot, make_panel, tmp_path):
    """A paused folder stays on the image shown; the arrows did nothing while enabled."""
    for i in range(2):
        Image.new("RGB", (20, 20), (40 * i, 90, 10)).save(tmp_path / f"{i}.png")
    panel, _ = make_panel()
    panel.open_path(tmp_path)
    qtbot.waitUntil(panel.next_button.isEnabled, timeout=5000)
    panel.set_paused(True)
    assert not panel.next_button.isEnabled() and not panel.previous_button.isEnabled()
    panel.set_paused(False)
    assert panel.next_button.isEnabled()


@pytest.mark.fixtures
def test_loaded_weights_survive_a_build_that_failed_for_another_reason(qtbot, make_panel,
                                                                       fixtures_dir):
    """Engine int8 with no Google model for the variant: Load weights failed for the int8
    reason, yet the good file was dropped, and LiteRT float then ran random weights."""
    class NoInt8Factory(FakeFactory):
        def __call__(self, request, progress=None, cancel=None):
            self.requests.append(request)
            if request.engine == "int8":
                raise RuntimeError(f"no int8 model for {request.spec.label}")
            return FakeEngine(request.spec, pretrained=request.weights is not None)

    panel, _ = make_panel(spec=MobileNetSpec(0.5, 224), factory=NoInt8Factory())
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    panel.set_engine_kind("int8")
    weights = fixtures_dir / "weights" / "derived_from_coral_quant_tflite" / \
        "mobilenet_5_0_160_tf.h5"
    assert panel.load_weights_file(weights)
    qtbot.waitUntil(lambda: "no int8 model" in panel.last_message, timeout=5000)
    assert panel.current_request().weights == weights  # kept: the file was not the problem
    panel.set_engine_kind("litert")
    qtbot.waitUntil(lambda: panel.engine_info.engine_name == "fake engine"
                    and panel.engine_info.pretrained, timeout=5000)


def test_labels_describe_the_answers_on_screen_while_paused(qtbot, make_panel):
    """Paused, then another engine chosen: the labels named the new engine beside the
    frozen answers of the old one."""
    class NamedFactory(FakeFactory):
        def __call__(self, request, progress=None, cancel=None):
            engine = FakeEngine(request.spec)
            engine.info = replace(engine.info, engine_name=f"engine {request.engine}")
            return engine

    panel, _ = make_panel(factory=NamedFactory())
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    assert panel.engine_label.text() == "engine auto"
    panel.set_paused(True)
    panel.set_engine_kind("tf")
    qtbot.waitUntil(lambda: panel.engine_info.engine_name == "engine tf", timeout=5000)
    assert panel.engine_label.text() == "engine auto"  # what produced the top-5 shown
    panel.set_paused(False)
    qtbot.waitUntil(lambda: panel.engine_label.text() == "engine tf", timeout=5000)


def test_a_failure_is_not_announced_for_variants_not_yet_tried(qtbot, make_panel):
    """After one variant failed, every variant the slider passed read "could not be built"
    before it was even tried."""
    panel, state = make_panel(factory=FailingFactory(OTHER, RuntimeError("broken on purpose")))
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    state.set_variant(OTHER.alpha, OTHER.resolution)
    qtbot.waitUntil(lambda: "could not be built" in panel.header_text(), timeout=5000)
    state.set_variant(0.75, 192)  # not built yet: the debounce is running
    assert "could not be built" not in panel.header_text()


def test_frame_warning_goes_once_frames_are_classified_again(qtbot, make_panel):
    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    panel._on_frame_failed("could not classify frame: a bad one")  # noqa: SLF001
    assert panel.last_message.startswith("could not classify frame")
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    assert panel.last_message == ""


@pytest.mark.fixtures
def test_dropped_bad_weights_with_a_photo_keep_their_error(qtbot, make_panel, tmp_path):
    """Dropping a broken .h5 with a photo: the error was shown and wiped at once by the
    photo opening."""
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), (200, 120, 40)).save(photo)
    broken = tmp_path / "mobilenet_5_0_160_tf.h5"
    broken.write_bytes(b"not hdf5")
    panel, _ = make_panel()
    panel._on_paths_dropped([str(broken), str(photo)])  # noqa: SLF001 - what a drop calls
    assert "Cannot use these weights" in panel.last_message
    assert panel.source is not None and panel.source.name == "image 'photo.png'"


def test_dropping_a_model_or_text_file_keeps_the_source(qtbot, make_panel, tmp_path):
    """A dropped .tflite was opened as a video: it failed and stopped the running source."""
    model = tmp_path / "mobilenet_v1_0.5_160_quant.tflite"
    model.write_bytes(b"\x1c\x00\x00\x00TFL3")
    panel, _ = make_panel()
    source = _sink_source(panel)
    panel._on_paths_dropped([str(model)])  # noqa: SLF001 - what a drop calls
    assert panel.source is source and source.is_active()
    assert "is not an image, video or folder" in panel.last_message


def test_a_download_for_another_alpha_does_not_rebuild_the_variant_shown(qtbot, make_panel,
                                                                         tmp_path):
    release = threading.Event()

    def download(alpha, resolution, progress=None, cancel=None):
        while not release.is_set() and not cancel():
            progress(1000, 100_000)
            time.sleep(0.01)
        path = tmp_path / "mobilenet_5_0_160_tf.h5"
        path.write_bytes(b"weights")
        return path

    factory = FakeFactory()
    panel, state = make_panel(spec=OTHER, factory=factory, downloader=download)
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    panel.start_download()
    state.set_variant(SMALL.alpha, SMALL.resolution)  # built while the download runs
    qtbot.waitUntil(lambda: panel.engine_info.spec == SMALL, timeout=5000)
    assert "downloading weights" in panel.progress_bar.format()  # the bar stays the download's
    release.set()
    qtbot.waitUntil(lambda: "Downloaded" in panel.last_message, timeout=5000)
    qtbot.wait(300)
    assert [r.spec for r in factory.requests].count(SMALL) == 1  # its weights did not change



def test_unusable_weights_file_is_not_called_missing(qtbot, make_panel):
    """A truncated file in the Keras cache showed "no weights file for alpha 0.5 found"; the
    cause ("truncated or corrupt") was only in the tooltip."""
    reason = ("Random weights: weights file /home/u/.keras/models/mobilenet_5_0_160_tf.h5 is"
              " truncated or corrupt (eof = 5000); download it again. The ImageNet labels"
              " shown are meaningless until the weights file is loaded.")

    panel, _ = make_panel(spec=OTHER, factory=NoWeightsFactory(warnings=(reason,)))
    _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    assert panel.warning_label.isVisible()
    assert "weights file for alpha 0.5 is unusable" in panel.warning_label.text()
    assert "no weights file" not in panel.warning_label.text()
    assert panel.warning_label.toolTip() == reason


def test_classify_controls_are_named_for_screen_readers(make_panel) -> None:
    """Engine and Device were both announced as "Auto", the arrows by their glyphs."""
    panel, _ = make_panel()
    names = {w.objectName(): w.accessibleName() for w in (
        panel.engine_combo, panel.device_combo, panel.camera_combo, panel.previous_button,
        panel.next_button)}
    assert names == {"engineCombo": "Engine", "deviceCombo": "Device", "cameraCombo": "Camera",
                     "previousImage": "Previous image in the folder",
                     "nextImage": "Next image in the folder"}


class _NamedFactory(FakeFactory):
    """Engines named "fake <engine kind>"; the "tf" one answers after ``tf_delay`` s."""

    def __init__(self, tf_delay: float) -> None:
        super().__init__()
        self.tf_delay = tf_delay

    def __call__(self, request, progress=None, cancel=None):
        engine = super().__call__(request, progress, cancel)
        engine.info = replace(engine.info, engine_name=f"fake {request.engine}")
        engine.predict_delay = self.tf_delay if request.engine == "tf" else 0.0
        return engine


def _panel_with_named_engines(qtbot, make_panel, tf_delay: float):
    """A panel showing its first answer from a stream, its engines named by kind."""
    panel, _ = make_panel(factory=_NamedFactory(tf_delay))
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 100)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    return panel


def test_engine_labels_change_with_the_new_engines_first_answer(qtbot, make_panel):
    """The labels switched when a build finished, beside the previous engine's top-5 (a build
    the slider had already left named its engine next to another engine's answers)."""
    panel = _panel_with_named_engines(qtbot, make_panel, tf_delay=0.5)
    first = panel.engine_label.text()
    assert first == panel.last_result.info.engine_name
    panel.set_engine_kind("tf")
    qtbot.waitUntil(lambda: panel.engine_info.engine_name == "fake tf", timeout=5000)
    # Built, but its first answer takes 0.5 s: the top-5 shown is still the old engine's.
    assert panel.engine_label.text() == first
    qtbot.waitUntil(lambda: panel.last_result.info.engine_name == "fake tf", timeout=5000)
    assert panel.engine_label.text() == "fake tf"


def test_engine_labels_name_the_running_engine_once_the_top5_is_cleared(qtbot, make_panel):
    """With the labels waiting for the new engine's first answer, closing the source (which
    drops that answer) left them naming the old engine for good."""
    panel = _panel_with_named_engines(qtbot, make_panel, tf_delay=1.0)
    panel.set_engine_kind("tf")
    qtbot.waitUntil(lambda: panel.engine_info.engine_name == "fake tf", timeout=5000)
    panel.set_source(None)
    assert panel.engine_label.text() == "fake tf"


def test_a_failed_snapshot_keeps_the_file_it_would_have_replaced(qtbot, make_panel, tmp_path,
                                                                  monkeypatch):
    """A failed PNG save deleted whatever was at the chosen path (the user's own file)."""
    import explorer.ui.snapshot as snapshot

    panel, _ = make_panel()
    source = _sink_source(panel)
    qtbot.waitUntil(lambda: panel.engine_info is not None, timeout=5000)
    _push(source, 123)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=5000)
    mine = tmp_path / "mine.png"
    mine.write_bytes(b"the user's picture")

    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(snapshot, "write_bytes_atomic", refuse)
    with pytest.raises(OSError, match="Permission denied"):
        panel.save_snapshot(mine)
    assert mine.read_bytes() == b"the user's picture"
