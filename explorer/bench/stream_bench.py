"""Slider to screen while a live stream plays (issue 5, budget 1, under load).

``bench ui`` times slider steps with nothing else running.  A user moves sliders while the
camera or a video runs, too: frames arrive at 30 fps from another thread (as a camera or
QMediaPlayer delivers them), are converted, shown and classified by the real default engine.
This benchmark pushes fresh NV12 frames (640x480, 1280x720, 1920x1080) from a producer thread
into the Classify view's video sink and times resolution-slider steps, as ``bench ui`` does
(``setValue`` until the screen has settled), with the Classify view in front and with the
Layers view in front (the stream then runs behind a hidden view).  Between steps the event
loop runs for ``STEP_GAP_MS``, so frames flow as they would between two mouse moves.

Per case it reports the steps' p50/p95 and what the stream did meanwhile: frames pushed,
converted, shown and classified.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from explorer.bench import (
    BenchError,
    BenchResult,
    bench_window,
    budget,
    chosen_variant,
    environment,
    fixtures_dir,
    percentile,
    wait_until,
)

#: Frame sizes of the stream; "none" is the same window with no stream, for comparison.
STREAMS = {"none": None, "480p": (640, 480), "720p": (1280, 720), "1080p": (1920, 1080)}
VIEWS = ("classify", "layers")
FPS = 30.0
DEFAULT_STEPS = 120
STEP_GAP_MS = 40
WARM_UP_S = 0.5
SLIDER_P95_BUDGET_MS = 16.0
#: The Classify view classifies with this variant's fixture weights while the resolution
#: slider moves.  No engine is rebuilt during the steps: the view waits for the slider to
#: rest 150 ms (its debounce) and the steps come every STEP_GAP_MS, so the stream keeps the
#: engine built at the start; what the steps compete with is conversion and inference.
DEFAULT_VARIANT = (0.5, 160)


class FrameProducer:
    """Pushes a fresh NV12 frame into ``sink`` at ``fps`` from its own thread."""

    def __init__(self, sink: Any, size: tuple[int, int], fps: float = FPS) -> None:
        import numpy as np

        width, height = size
        yy, xx = np.mgrid[0:height, 0:width]
        self._y = ((xx + yy // 2) % 220 + 16).astype(np.uint8)  # structure, not a flat field
        self._uv = np.full((height // 2, width), 128, np.uint8)
        self._uv[:, 0::2] = (128 + 50 * np.sin(np.arange(width // 2) / 40.0)).astype(np.uint8)
        self._sink, self._period = sink, 1.0 / fps
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-stream", daemon=True)
        self.pushed = 0

    def _frame(self) -> Any:
        from PySide6.QtCore import QSize
        from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

        height, width = self._y.shape
        fmt = QVideoFrameFormat(QSize(width, height), QVideoFrameFormat.PixelFormat.Format_NV12)
        frame = QVideoFrame(fmt)  # a buffer of its own: every frame is really converted
        if not frame.map(QVideoFrame.MapMode.WriteOnly):
            raise BenchError("cannot map an NV12 frame for writing")
        try:
            import numpy as np

            for index, plane in ((0, self._y), (1, self._uv)):
                bpl = frame.bytesPerLine(index)
                rows = np.frombuffer(frame.bits(index), np.uint8)[: plane.shape[0] * bpl]
                rows.reshape(plane.shape[0], bpl)[:, : plane.shape[1]] = plane
        finally:
            frame.unmap()
        return frame

    def _run(self) -> None:
        due = time.perf_counter()
        while not self._stop.is_set():
            self._sink.setVideoFrame(self._frame())
            self.pushed += 1
            due += self._period
            self._stop.wait(max(0.0, due - time.perf_counter()))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _run_loop(app: Any, ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def measure_case(app: Any, window: Any, panel: Any, source: Any, r_slider: Any,
                 stream: str, view: str, steps: int) -> dict[str, Any]:
    """Slider steps with ``view`` in front while a ``stream`` plays (or none)."""
    from explorer.bench.ui_bench import clear_arch_caches, timed_slider_steps

    window.show_view(view)
    size = STREAMS[stream]
    producer = FrameProducer(source.video_sink(), size) if size else None
    if producer:
        producer.start()
    try:
        _run_loop(app, int(WARM_UP_S * 1000))
        start = (source.conversions_done, panel.frame_view.frames_shown,
                 panel.inference_rate.total, time.perf_counter())
        pushed_at_start = producer.pushed if producer else 0
        clear_arch_caches()
        # Frames flow between two moves, as between two mouse moves of a drag.
        times = timed_slider_steps(app, r_slider, steps, lambda: _run_loop(app, STEP_GAP_MS))
        seconds = time.perf_counter() - start[3]
        pushed = (producer.pushed if producer else 0) - pushed_at_start
    finally:
        if producer:
            producer.stop()
    converted = source.conversions_done - start[0]
    shown = panel.frame_view.frames_shown - start[1]
    classified = panel.inference_rate.total - start[2]
    p95 = percentile(times, 95)
    return {
        "stream": stream, "view": view, "steps": len(times),
        "p50_ms": round(percentile(times, 50), 3), "p95_ms": round(p95, 3),
        "max_ms": round(max(times), 3),
        "frames_pushed_per_s": round(pushed / seconds, 1),
        "frames_converted_per_s": round(converted / seconds, 1),
        "frames_shown_per_s": round(shown / seconds, 1),
        "frames_classified_per_s": round(classified / seconds, 1),
        "budget": budget(f"p95 < {SLIDER_P95_BUDGET_MS:g} ms", round(p95, 3),
                         p95 < SLIDER_P95_BUDGET_MS),
    }


def run(alpha: float | None = None, resolution: int | None = None,
        frames: int | None = None) -> BenchResult:
    """Every stream size x both views; ``frames`` = slider steps per case."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QSlider

    from explorer.bench.inference_bench import temporary_engine_cache
    from explorer.vision.sources import VideoSinkSource

    app = QApplication.instance() or QApplication([])
    steps = frames or DEFAULT_STEPS
    a, r = chosen_variant(alpha, resolution, DEFAULT_VARIANT)
    folder = fixtures_dir()
    weights_dir = folder / "weights" / "derived_from_coral_quant_tflite" if folder else None
    env_before = environment()
    rows: list[dict[str, Any]] = []
    with temporary_engine_cache(), bench_window(weights_dir) as window:
        window.show()
        window.state.set_variant(a, r)
        panel: Any = window.show_view("classify")
        if window.classify_error or not hasattr(panel, "set_source"):
            raise BenchError(window.classify_error or "the Classify view is missing")
        source = VideoSinkSource("bench stream", stall_timeout_ms=None)
        panel.set_source(source)
        wait_until(app, lambda: panel.engine_info is not None, 180, "the first engine")
        engine = panel.engine_info.engine_name
        r_slider = window.findChild(QSlider, "resolutionSlider")
        if r_slider is None:
            raise BenchError("main window has no resolution slider")
        for stream in STREAMS:
            for view in VIEWS:
                rows.append(measure_case(app, window, panel, source, r_slider, stream,
                                         view, steps))
        panel.shutdown()
    worst = max(rows, key=lambda row: row["p95_ms"])
    summary = (f"stream (slider p95 while frames play at {FPS:g} fps, {engine}): "
               + "; ".join(f"{row['stream']} {row['view']} {row['p95_ms']:.1f} ms"
                           for row in rows)
               + f" (budget < {SLIDER_P95_BUDGET_MS:g} ms; worst {worst['stream']}"
               f" {worst['view']})")
    lines = [summary] + [
        f"{row['stream']:>5} {row['view']:<8} p50 {row['p50_ms']:6.2f} ms  p95"
        f" {row['p95_ms']:6.2f} ms  frames/s pushed {row['frames_pushed_per_s']:5.1f},"
        f" converted {row['frames_converted_per_s']:5.1f}, shown"
        f" {row['frames_shown_per_s']:5.1f}, classified {row['frames_classified_per_s']:5.1f}"
        for row in rows]
    data = {"alpha": a, "resolution": r, "engine": engine, "fps": FPS,
            "steps_per_case": steps, "step_gap_ms": STEP_GAP_MS,
            "pretrained": weights_dir is not None, "results": rows,
            "environment": env_before, "environment_after": environment()}
    return BenchResult(data, lines)
