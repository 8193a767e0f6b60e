"""Would overlapping preprocessing with inference meet "pipeline >= 0.9x raw"? (issue 5, budget 3)

The app's worker is serial: preprocess a frame, then infer it.  This experiment measures, for
the same LiteRT engine and the same frames, without Qt in the way:

- ``raw``: ``engine.predict(x)`` on a ready batch;
- ``serial``: ``engine.predict(preprocess(frame))``, one after the other, as the worker does;
- ``overlapped``: a second thread preprocesses frame n+1 (queue of one) while frame n is
  inferred, the design the worker does not use.

for 1280x720 and 640x480 frames and for 2 and 1 LiteRT threads (ratios against raw with the
same thread count and against raw with the default thread count).  It backs the explanation
in benchmarks/RESULTS.md; nothing in the app depends on it.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from explorer.bench import FIXTURE_WEIGHTS_SOURCE, BenchResult, chosen_variants, environment

DEFAULT_VARIANTS = ((1.0, 224), (0.25, 128))
DEFAULT_FRAMES = 300
FRAME_SIZES = ((1280, 720), (640, 480))


def _ms_per_frame(fn: Any, n: int) -> float:
    t0 = time.perf_counter()
    fn(n)
    return (time.perf_counter() - t0) / n * 1000.0


def measure(alpha: float, resolution: int, frames: int, threads: int) -> dict[str, Any]:
    """raw / serial / overlapped ms per frame for one variant and LiteRT thread count."""
    from explorer.arch.spec import MobileNetSpec
    from explorer.bench import fixture_weights
    from explorer.bench.inference_bench import camera_frame
    from explorer.vision.engines import create_engine
    from explorer.vision.preprocess import preprocess
    from explorer.vision.types import EngineRequest

    engine = create_engine(EngineRequest(MobileNetSpec(alpha, resolution),
                                         weights=fixture_weights(alpha),
                                         weights_source=FIXTURE_WEIGHTS_SOURCE,
                                         engine="litert"),
                           num_threads=threads)
    try:
        x = preprocess(camera_frame(FRAME_SIZES[0]), resolution)
        for _ in range(20):
            engine.predict(x)

        def raw(n: int) -> None:
            for _ in range(n):
                engine.predict(x)

        out: dict[str, Any] = {"threads": threads, "raw_ms": round(_ms_per_frame(raw, frames), 4)}
        for size in FRAME_SIZES:
            frame = camera_frame(size)

            def serial(n: int, frame: Any = frame) -> None:
                for _ in range(n):
                    engine.predict(preprocess(frame, resolution))

            def overlapped(n: int, frame: Any = frame) -> None:
                ready: queue.Queue[Any] = queue.Queue(maxsize=1)

                def produce() -> None:
                    for _ in range(n):
                        ready.put(preprocess(frame, resolution))
                    ready.put(None)

                producer = threading.Thread(target=produce, name="overlap-preprocess")
                producer.start()
                while (batch := ready.get()) is not None:
                    engine.predict(batch)
                producer.join()

            key = f"{size[0]}x{size[1]}"
            out[key] = {"serial_ms": round(_ms_per_frame(serial, max(frames // 2, 1)), 4),
                        "overlapped_ms": round(_ms_per_frame(overlapped, frames), 4)}
        return out
    finally:
        engine.close()


def run(alpha: float | None = None, resolution: int | None = None,
        frames: int | None = None) -> BenchResult:
    """Both default variants (or the one given), 2 and 1 LiteRT threads, both frame sizes."""
    import os

    n = frames or DEFAULT_FRAMES
    default_threads = os.cpu_count() or 1
    env_before = environment()
    rows = []
    for a, r in chosen_variants(alpha, resolution, DEFAULT_VARIANTS, (1.0, 224)):
        per_threads = [measure(a, r, n, t) for t in sorted({default_threads, 1}, reverse=True)]
        reference = per_threads[0]["raw_ms"]  # raw with the app's thread count
        for m in per_threads:
            for size in FRAME_SIZES:
                cell = m[f"{size[0]}x{size[1]}"]
                for kind in ("serial", "overlapped"):
                    ms = cell[f"{kind}_ms"]
                    cell[f"{kind}_vs_raw_same_threads"] = round(m["raw_ms"] / ms, 3)
                    cell[f"{kind}_vs_raw_default_threads"] = round(reference / ms, 3)
        rows.append({"alpha": a, "resolution": r, "results": per_threads})
    lines = []
    for row in rows:
        for m in row["results"]:
            parts = [f"{k} serial {m[k]['serial_vs_raw_same_threads']:.2f}x / overlapped "
                     f"{m[k]['overlapped_vs_raw_same_threads']:.2f}x"
                     for k in (f"{w}x{h}" for w, h in FRAME_SIZES)]
            plural = "s" if m["threads"] != 1 else ""
            lines.append(f"{row['alpha']:g}/{row['resolution']}, {m['threads']} LiteRT "
                         f"thread{plural} (raw {m['raw_ms']:.2f} ms): " + "; ".join(parts))
    summary = "overlap (pipeline / raw, same thread count): " + " | ".join(lines)
    data = {"frames": n, "variants": rows, "environment": env_before,
            "environment_after": environment()}
    return BenchResult(data, [summary, *lines])
