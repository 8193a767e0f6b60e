"""Memory benchmark (issue 5, budget 5; issue 6, soak): resident memory, threads, file handles.

Four phases, all through the real ``InferenceWorker`` with the app's default CPU engine:

1. frames: ``frames`` (default 5,000) camera-sized frames in a closed loop (the next frame is
   submitted when the previous result arrived), each a fresh array as a camera would deliver.
   RSS is read from ``/proc/self/status`` after 200 frames and every 500 after; the budget is
   growth < 50 MB from frame 200 to the end.
2. variants: the worker alone is moved through ``variants`` (default 50) different variants as
   the sliders would move it, classifying a few frames at each and checking
   the predictions come from the variant asked for.  RSS after the first 10 and after all.
3. classify_view: the same with the real window and its Classify view open on a photo; the
   variant is set as the sliders do, and each step waits for the view to show a result from
   the new variant.
4. tf_retrace: the TensorFlow engine on many frames must trace its ``tf.function`` once only.

Thread and file-descriptor counts are read before the worker starts and after it stopped, so
a leaked thread or handle shows as a difference (after one throwaway worker cycle, because
TensorFlow's thread pools are created on first use and kept for the process's life).
``soak=True`` runs phase 1 only, with 10,000 frames at the smallest published variant
(0.25/128) by default (issue 6).
"""

from __future__ import annotations

import gc
import time
from typing import Any

from explorer.bench import (
    BenchError,
    BenchResult,
    budget,
    chosen_variant,
    environment,
    fd_count,
    rss_mb,
    thread_count,
    wait_until,
)
from explorer.bench.inference_bench import (
    camera_frame,
    engine_request,
    qt_core_app,
    start_pipeline,
    stop_pipeline,
    temporary_engine_cache,
)

DEFAULT_FRAMES = 5000
SOAK_FRAMES = 10000
BASELINE_FRAME = 200
SAMPLE_EVERY = 500
GROWTH_BUDGET_MB = 50.0
#: "Does not grow without bound" over 50 variants: besides the growth after the first 10,
#: the sweep runs twice, each time ending back at the first variant, and RSS there after
#: the second sweep may exceed its value after the first by less than this.  Growth alone
#: passed a steady leak of ~1.25 MB per variant; a trend over one sweep cannot tell a leak
#: from the sweep's own rise (0.25-96 to 0.7-224, an engine ~30 MB larger), and one
#: revisit read +12 to +18 MB (allocator arenas, cached models read back) with nothing
#: growing.  Across a second sweep, 50 variants leaking 0.1 MB each would show 5 MB.
REVISIT_BUDGET_MB = 5.0
DEFAULT_VARIANT = (1.0, 224)
SOAK_VARIANT = (0.25, 128)
#: 50 slider positions a user might pass through: alpha 0.25..0.70 x resolution 96..224.
SWEEP_ALPHAS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
SWEEP_RESOLUTIONS = (96, 128, 160, 192, 224)


def sweep_variants(count: int) -> list[tuple[float, int]]:
    """``count`` distinct variants in slider order: the alpha slider swept up and down
    (serpentine) at each resolution, so model size oscillates instead of trending upwards
    and RSS growth over the sweep is not just "later models are bigger"."""
    out: list[tuple[float, int]] = []
    for i, res in enumerate(SWEEP_RESOLUTIONS):
        order = SWEEP_ALPHAS if i % 2 == 0 else tuple(reversed(SWEEP_ALPHAS))
        out += [(a, res) for a in order]
    while len(out) < count:  # more than 50 asked: go back through the same positions
        out += out[:count - len(out)]
    return out[:count]


def _trim_heap() -> None:
    """Hand freed heap pages back to the OS (glibc), so RSS shows live memory.

    Model conversion frees hundreds of MB that glibc keeps mapped until some later call
    trims them; without this the baseline would be inflated and growth could even read
    negative.  A real leak is live memory and survives the trim.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: RSS is read untrimmed


def _counts() -> dict[str, Any]:
    gc.collect()
    _trim_heap()
    return {"rss_mb": rss_mb(), "threads": thread_count(), "fds": fd_count()}


def frames_phase(alpha: float, resolution: int, frames: int) -> dict[str, Any]:
    """``frames`` frames through the pipeline; RSS at 200 and every 500 frames."""
    from explorer.vision.frames import packet_from_rgb

    frame = camera_frame()

    def packet_fn() -> Any:
        # a fresh array per frame, like a camera: leaks of per-frame buffers show up
        return packet_from_rgb(frame.copy(), source="bench")

    before = _counts()
    with temporary_engine_cache():
        worker, driver = start_pipeline()
        try:
            driver.build(engine_request(alpha, resolution))
            info = driver.engine_info
            samples: list[dict[str, Any]] = []
            done = 0
            t0 = time.perf_counter()
            checkpoints = [BASELINE_FRAME] + list(range(SAMPLE_EVERY, frames + 1, SAMPLE_EVERY))
            checkpoints = sorted({c for c in checkpoints if c <= frames} | {frames})
            for checkpoint in checkpoints:
                driver.closed_loop(checkpoint - done, packet_fn, timeout_s=3600)
                done = checkpoint
                samples.append({"frames": done, **_counts()})
            elapsed = time.perf_counter() - t0
            during = _counts()
            processed = worker.processed_count
            dropped = worker.dropped_count
            failed = worker.failed_count
        finally:
            stop_pipeline(worker, driver)
    after = _counts()
    base = next((s for s in samples if s["frames"] >= BASELINE_FRAME), samples[0])
    growth = (samples[-1]["rss_mb"] - base["rss_mb"]
              if samples[-1]["rss_mb"] is not None and base["rss_mb"] is not None else None)
    return {
        "alpha": alpha,
        "resolution": resolution,
        "engine": info.engine_name if info else None,
        "frames": frames,
        "processed": processed,
        "dropped": dropped,
        "failed": failed,
        "seconds": round(elapsed, 2),
        "fps": round(frames / elapsed, 1) if elapsed > 0 else None,
        "rss_baseline_frame": base["frames"],
        "rss_at_baseline_mb": base["rss_mb"],
        "rss_end_mb": samples[-1]["rss_mb"],
        "rss_growth_mb": round(growth, 2) if growth is not None else None,
        "samples": samples,
        "before": before,
        "during": during,
        "after": after,
        "threads_leaked": (after["threads"] - before["threads"]
                           if after["threads"] is not None else None),
        "fds_leaked": after["fds"] - before["fds"] if after["fds"] is not None else None,
        "threads_growth_during": _diff(samples[-1]["threads"], base["threads"]),
        "fds_growth_during": _diff(samples[-1]["fds"], base["fds"]),
    }


def _bounded(what: str, growth: float | None, revisit: float | None) -> dict[str, Any]:
    """The budget entry for memory over variants: growth after the first 10, and what a
    second sweep added (RSS back at the first variant after it, against after the first)."""
    met = None if growth is None or revisit is None else (
        growth < GROWTH_BUDGET_MB and revisit < REVISIT_BUDGET_MB)
    return budget(f"{what}: growth after the first 10 < {GROWTH_BUDGET_MB:g} MB, and back at"
                  " the first variant after a second sweep < "
                  f"{REVISIT_BUDGET_MB:g} MB above the value after the first sweep",
                  {"growth_mb": growth, "second_sweep_mb": revisit}, met)


def _revisit_fields(revisits: list[float | None], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """RSS back at the first variant after one and two sweeps, and the differences."""
    first = rows[0]["rss_mb"] if rows else None
    one, two = (revisits + [None, None])[:2]
    return {"rss_back_at_first_mb": [one, two],
            "rss_back_vs_first_mb": None if one is None or first is None else round(one - first, 2),
            "rss_second_sweep_mb": None if one is None or two is None else round(two - one, 2)}


def _signed(value: float | None) -> str:
    """"+1.5" / "-0.3", or "n/a" (RSS is not read off Linux)."""
    return "n/a" if value is None else f"{value:+}"


def _slope(values: list[Any]) -> float | None:
    """Least-squares slope of ``values`` against their index (MB per step)."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(pts) < 2:
        return None
    mx = sum(i for i, _ in pts) / len(pts)
    my = sum(v for _, v in pts) / len(pts)
    den = sum((i - mx) ** 2 for i, _ in pts)
    return round(sum((i - mx) * (v - my) for i, v in pts) / den, 3) if den else None


def _diff(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def warm_up(alpha: float, resolution: int) -> None:
    """One throwaway worker cycle: TensorFlow's and LiteRT's process-wide thread pools are
    created on first use and kept; counting them as leaks would be wrong."""
    from explorer.vision.frames import packet_from_rgb

    frame = camera_frame()
    with temporary_engine_cache():
        worker, driver = start_pipeline()
        try:
            driver.build(engine_request(alpha, resolution))
            driver.closed_loop(5, lambda: packet_from_rgb(frame.copy(), source="bench"))
        finally:
            stop_pipeline(worker, driver)


def variants_phase(count: int, frames_per_variant: int = 3) -> dict[str, Any]:
    """Move the worker through ``count`` variants, classifying a few frames at each."""
    from explorer.vision.frames import packet_from_rgb

    frame = camera_frame()

    def packet_fn() -> Any:
        return packet_from_rgb(frame.copy(), source="bench")

    variants = sweep_variants(count)
    before = _counts()
    rows: list[dict[str, Any]] = []
    wrong_variant = 0
    with temporary_engine_cache():
        worker, driver = start_pipeline()
        try:
            t0 = time.perf_counter()
            for alpha, res in variants:
                build_s = driver.build(engine_request(alpha, res))
                driver.closed_loop(frames_per_variant, packet_fn)
                got = driver.last_result.spec
                if (got.alpha, got.resolution) != (alpha, res):
                    wrong_variant += 1
                rows.append({"alpha": alpha, "resolution": res, "build_s": round(build_s, 3),
                             **_counts()})
            elapsed = time.perf_counter() - t0
            revisits: list[float | None] = []
            for again in (False, True):  # back at the first variant, after one sweep and two
                if again:
                    for alpha, res in variants[1:]:
                        driver.build(engine_request(alpha, res))
                        driver.closed_loop(frames_per_variant, packet_fn)
                if variants:
                    driver.build(engine_request(*variants[0]))
                    driver.closed_loop(frames_per_variant, packet_fn)
                    revisits.append(_counts()["rss_mb"])
        finally:
            stop_pipeline(worker, driver)
    after = _counts()
    first_n = min(10, len(rows))
    rss = [r["rss_mb"] for r in rows if r["rss_mb"] is not None]
    early = rows[first_n - 1]["rss_mb"] if rows else None
    end = rows[-1]["rss_mb"] if rows else None
    checkpoints = {str(i): rows[i - 1]["rss_mb"] for i in (1, 10, 20, 30, 40, 50)
                   if i <= len(rows)}
    return {
        "variants": len(rows),
        "rss_mb_after_n_variants": checkpoints,
        "rss_slope_mb_per_variant_after_10": _slope([r["rss_mb"] for r in rows[9:]]),
        "frames_per_variant": frames_per_variant,
        "seconds": round(elapsed, 1),
        "wrong_variant_predictions": wrong_variant,
        "rss_after_first_mb": rows[0]["rss_mb"] if rows else None,
        f"rss_after_{first_n}_mb": early,
        "rss_end_mb": end,
        "rss_max_mb": max(rss) if rss else None,
        "rss_growth_after_first_10_mb": (round(end - early, 2)
                                         if end is not None and early is not None else None),
        **_revisit_fields(revisits, rows),
        "rows": rows,
        "before": before,
        "after": after,
        "threads_leaked": (after["threads"] - before["threads"]
                           if after["threads"] is not None else None),
        "fds_leaked": after["fds"] - before["fds"] if after["fds"] is not None else None,
    }


def classify_view_phase(count: int, timeout_s: float = 180.0) -> dict[str, Any]:
    """The real window with the Classify view open on a photo; the variant is changed
    ``count`` times as the sliders would, waiting each time until the view shows a result from
    the new variant.  RSS after each variant."""
    import tempfile
    from pathlib import Path

    from explorer.bench import bench_window, fixture_images, fixtures_dir

    app = qt_core_app()
    from PySide6.QtWidgets import QApplication

    if not isinstance(app, QApplication):
        return {"measured": False, "reason": "needs a QApplication (widgets)"}

    variants = sweep_variants(count)
    folder = fixtures_dir()
    weights_dir = folder / "weights" / "derived_from_coral_quant_tflite" if folder else None
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp, temporary_engine_cache():
        photos = [p for p in fixture_images() if p.name == "cat_720p.jpg"]
        if photos:
            photo = photos[0]
        else:
            from PIL import Image

            photo = Path(tmp) / "frame.png"
            Image.fromarray(camera_frame()).save(photo)
        with bench_window(weights_dir) as window:
            window.show()
            panel: Any = window.show_view("classify")
            if window.classify_error or not hasattr(panel, "open_path"):
                return {"measured": False,
                        "reason": window.classify_error or "no Classify panel"}
            app.processEvents()
            panel.open_path(photo)

            def shown(alpha: float, res: int) -> bool:
                result = panel.last_result
                return result is not None and (result.spec.alpha, result.spec.resolution) \
                    == (alpha, res)

            first = window.state.spec
            wait_until(app, lambda: shown(first.alpha, first.resolution), timeout_s,
                  lambda: f"the first result ({panel.last_error or 'no error shown'})")
            before = _counts()
            t0 = time.perf_counter()
            for alpha, res in variants:
                window.state.set_variant(alpha, res)
                t_var = time.perf_counter()
                wait_until(app, lambda a=alpha, r=res: shown(a, r), timeout_s,
                      lambda a=alpha, r=res: f"a result from {a:g}/{r} "
                      f"({panel.last_error or 'no error shown'})")
                rows.append({"alpha": alpha, "resolution": res,
                             "to_result_s": round(time.perf_counter() - t_var, 3),
                             **_counts()})
            elapsed = time.perf_counter() - t0
            revisits: list[float | None] = []
            for again in (False, True):  # back at the first variant, after one sweep and two
                for alpha, res in (variants[1:] if again else []) + variants[:1]:
                    window.state.set_variant(alpha, res)
                    wait_until(app, lambda a=alpha, r=res: shown(a, r), timeout_s,
                          lambda a=alpha, r=res: f"a result from {a:g}/{r} again")
                if variants:
                    revisits.append(_counts()["rss_mb"])
            panel.shutdown()
    after = _counts()
    first_n = min(10, len(rows))
    early = rows[first_n - 1]["rss_mb"] if rows else None
    end = rows[-1]["rss_mb"] if rows else None
    return {
        "measured": True,
        "variants": len(rows),
        "seconds": round(elapsed, 1),
        "rss_before_mb": before["rss_mb"],
        "rss_mb_after_n_variants": {str(i): rows[i - 1]["rss_mb"]
                                    for i in (1, 10, 20, 30, 40, 50) if i <= len(rows)},
        "rss_end_mb": end,
        "rss_growth_after_first_10_mb": (round(end - early, 2)
                                         if end is not None and early is not None else None),
        "rss_slope_mb_per_variant_after_10": _slope([r["rss_mb"] for r in rows[9:]]),
        **_revisit_fields(revisits, rows),
        "to_result_s_median": sorted(r["to_result_s"] for r in rows)[len(rows) // 2]
        if rows else None,
        "rows": rows,
        "before": before,
        "after": after,
    }


def tf_retrace_phase(frames: int = 200, alpha: float = 0.25, resolution: int = 128
                     ) -> dict[str, Any]:
    """The TensorFlow engine on ``frames`` frames: how often its tf.function traced."""
    import numpy as np

    from explorer.vision.engines import create_engine
    from explorer.vision.preprocess import preprocess

    frame = camera_frame()
    engine = create_engine(engine_request(alpha, resolution, engine="tf"))
    try:
        rss0 = rss_mb()
        for _ in range(frames):
            engine.predict(np.ascontiguousarray(preprocess(frame.copy(), resolution)))
        fn = getattr(engine, "_fn", None)  # the engine's tf.function (private: bench only)
        traces = fn.experimental_get_tracing_count() if fn is not None else None
        rss1 = rss_mb()
    finally:
        engine.close()
    return {"frames": frames, "tracing_count": traces,
            "rss_growth_mb": round(rss1 - rss0, 2) if rss0 and rss1 else None}


def run(alpha: float | None = None, resolution: int | None = None,
        frames: int | None = None, variants: int | None = None,
        soak: bool = False) -> BenchResult:
    """Frames phase (+ variants and tf_retrace phases unless ``soak``)."""
    if rss_mb() is None:
        raise BenchError("resident memory is read from /proc/self/status: Linux only")
    qt_core_app()
    env_before = environment()
    a, r = chosen_variant(alpha, resolution, SOAK_VARIANT if soak else DEFAULT_VARIANT)
    n = frames or (SOAK_FRAMES if soak else DEFAULT_FRAMES)
    warm_up(a, r)
    phase1 = frames_phase(a, r, n)
    data: dict[str, Any] = {"mode": "soak" if soak else "memory", "frames_phase": phase1}
    growth = phase1["rss_growth_mb"]
    budgets = {
        "rss_growth": budget(f"< {GROWTH_BUDGET_MB:g} MB from frame {BASELINE_FRAME} to "
                             f"frame {n}", growth,
                             None if growth is None else growth < GROWTH_BUDGET_MB),
        "threads": budget("no thread left after the worker stopped",
                          phase1["threads_leaked"], (phase1["threads_leaked"] or 0) <= 0),
        "fds": budget("no file handle left after the worker stopped",
                      phase1["fds_leaked"], (phase1["fds_leaked"] or 0) <= 0),
    }
    lines = [
        f"memory ({data['mode']}): {n} frames at {a:g}/{r} through the pipeline "
        f"({phase1['fps']} fps): RSS {phase1['rss_at_baseline_mb']} MB at frame "
        f"{phase1['rss_baseline_frame']} -> {phase1['rss_end_mb']} MB at frame {n} "
        f"(growth {growth} MB, budget < {GROWTH_BUDGET_MB:g} MB: "
        f"{'met' if budgets['rss_growth']['met'] else 'MISSED'}); threads "
        f"{phase1['before']['threads']} -> {phase1['after']['threads']}, fds "
        f"{phase1['before']['fds']} -> {phase1['after']['fds']} (before start -> after stop; "
        f"during the run: threads {phase1['threads_growth_during']:+d}, fds "
        f"{phase1['fds_growth_during']:+d})",
    ]
    if not soak:
        count = variants if variants is not None else 50
        if count > 0:
            phase2 = variants_phase(count)
            data["variants_phase"] = phase2
            g2 = phase2["rss_growth_after_first_10_mb"]
            budgets["variants_bounded"] = _bounded(
                "RSS bounded while moving through variants", g2,
                phase2["rss_second_sweep_mb"])
            budgets["variants_correct"] = budget(
                "predictions come from the variant asked for",
                phase2["wrong_variant_predictions"], phase2["wrong_variant_predictions"] == 0)
            lines.append(
                f"  {phase2['variants']} variants in {phase2['seconds']} s: RSS "
                f"{phase2['rss_after_first_mb']} MB after the first, "
                f"{phase2['rss_end_mb']} MB at the end (max {phase2['rss_max_mb']} MB, growth "
                f"after the first 10: {g2} MB; back at the first variant "
                f"{_signed(phase2['rss_back_vs_first_mb'])} MB, after a second sweep "
                f"{_signed(phase2['rss_second_sweep_mb'])} MB more); wrong-variant "
                f"predictions "
                f"{phase2['wrong_variant_predictions']}; threads "
                f"{phase2['before']['threads']} -> {phase2['after']['threads']}, fds "
                f"{phase2['before']['fds']} -> {phase2['after']['fds']}")
            view = classify_view_phase(count)
            data["classify_view_phase"] = view
            if view.get("measured"):
                g3 = view["rss_growth_after_first_10_mb"]
                budgets["classify_view_bounded"] = _bounded(
                    "Classify view open, sliders through the variants: RSS bounded", g3,
                    view["rss_second_sweep_mb"])
                lines.append(
                    f"  Classify view open, {view['variants']} variants in {view['seconds']} s "
                    f"(median {view['to_result_s_median']} s from slider to new result): RSS "
                    f"{view['rss_mb_after_n_variants']} MB after n variants (growth after the "
                    f"first 10: {g3} MB; back at the first variant "
                    f"{_signed(view['rss_back_vs_first_mb'])} MB, after a second sweep "
                    f"{_signed(view['rss_second_sweep_mb'])} MB more)")
            else:
                lines.append(f"  Classify view phase not measured: {view.get('reason')}")
            phase3 = tf_retrace_phase(frames=min(n, 200))
            data["tf_retrace_phase"] = phase3
            budgets["no_retracing"] = budget("tf.function traced once", phase3["tracing_count"],
                                             phase3["tracing_count"] == 1
                                             if phase3["tracing_count"] is not None else None)
            lines.append(f"  TensorFlow engine: {phase3['frames']} frames, tf.function traced "
                         f"{phase3['tracing_count']} time(s), RSS growth "
                         f"{phase3['rss_growth_mb']} MB")
    data["budgets"] = budgets
    data["environment"] = env_before
    data["environment_after"] = environment()
    lines.append(f"  load average: start {env_before['load_average']}, "
                 f"end {data['environment_after']['load_average']}")
    return BenchResult(data, lines)
