"""GPU benchmark (issue 5, "Also"): batch-1 latency for 1.0/224 on the GPU beside the CPU.

Where TensorFlow sees a GPU: raw (the TensorFlow engine's tf.function alone) and pipeline
(through the real ``InferenceWorker`` with the TensorFlow engine on the GPU), and in the same run
the CPU engines (LiteRT float and the tf.function on the CPU, raw), measured in interleaved
rounds.  Where TensorFlow sees no GPU it says so, prints why (the install hint), measures
nothing and exits 0: the figures are "unmeasured", never invented.

``measure(device=...)`` is the measurement itself; tests call it with ``device="cpu"`` so the
code path is exercised on machines without a GPU.
"""

from __future__ import annotations

import gc
from functools import partial
from typing import Any

from explorer.bench import BenchResult, chosen_variant, environment, timing_stats
from explorer.bench.inference_bench import (
    ROUNDS,
    camera_frame,
    engine_request,
    start_pipeline,
    stop_pipeline,
    temporary_engine_cache,
    time_calls,
)

DEFAULT_VARIANT = (1.0, 224)
DEFAULT_FRAMES = 200


def measure(alpha: float, resolution: int, frames: int, device: str = "gpu"
            ) -> dict[str, Any]:
    """TF engine on ``device`` (raw + pipeline) and the CPU engines (raw), interleaved."""
    import numpy as np

    from explorer.vision.engines import create_engine
    from explorer.vision.frames import packet_from_rgb
    from explorer.vision.preprocess import preprocess

    frame = camera_frame()
    x = np.ascontiguousarray(preprocess(frame, resolution), dtype=np.float32)

    def packet_fn() -> Any:
        return packet_from_rgb(frame, source="bench")

    with temporary_engine_cache():
        worker, driver = start_pipeline()
        try:
            driver.build(engine_request(alpha, resolution, engine="tf", device=device))
            pipe_info = driver.engine_info
            driver.closed_loop(3, packet_fn)
            tf_dev = create_engine(engine_request(alpha, resolution, engine="tf",
                                                  device=device))
            tf_cpu = create_engine(engine_request(alpha, resolution, engine="tf",
                                                  device="cpu"))
            lite = create_engine(engine_request(alpha, resolution, engine="litert",
                                                device="cpu"))
            for engine in (tf_dev, tf_cpu, lite):
                time_calls(partial(engine.predict, x), 5)
            times: dict[str, list[float]] = {"raw": [], "pipeline": [], "raw_tf_cpu": [],
                                             "raw_litert_cpu": []}
            per_round = max(1, frames // ROUNDS)
            for _ in range(ROUNDS if frames >= ROUNDS else 1):
                gc.collect()
                times["raw"] += time_calls(lambda: tf_dev.predict(x), per_round)
                times["pipeline"] += driver.closed_loop(per_round, packet_fn)
                times["raw_tf_cpu"] += time_calls(lambda: tf_cpu.predict(x), per_round)
                times["raw_litert_cpu"] += time_calls(lambda: lite.predict(x), per_round)
            names = {"raw": (tf_dev.info.engine_name, tf_dev.info.device_name),
                     "pipeline": (f"InferenceWorker + {pipe_info.engine_name}",
                                  pipe_info.device_name),
                     "raw_tf_cpu": (tf_cpu.info.engine_name, tf_cpu.info.device_name),
                     "raw_litert_cpu": (lite.info.engine_name, lite.info.device_name)}
            for engine in (tf_dev, tf_cpu, lite):
                engine.close()
        finally:
            stop_pipeline(worker, driver)
    results: list[dict[str, Any]] = []
    for key, (engine_name, device_name) in names.items():
        st = timing_stats(times[key])
        results.append({"name": "raw" if key.startswith("raw") else "pipeline",
                        "key": key, "engine": engine_name, "device": device_name,
                        "ms_median": st["ms_median"], "ms_p90": st["ms_p90"], "fps": st["fps"],
                        "n": st["n"]})
    return {"alpha": alpha, "resolution": resolution, "device": names["raw"][1],
            "results": results}


def run(alpha: float | None = None, resolution: int | None = None,
        frames: int | None = None) -> BenchResult:
    """Measure on the GPU if TensorFlow sees one, else report that nothing was measured."""
    from explorer.vision.devices import list_gpus, no_gpu_hint

    a, r = chosen_variant(alpha, resolution, DEFAULT_VARIANT)
    env_before = environment()
    gpus = list_gpus()
    if not gpus:
        hint = no_gpu_hint()
        data: dict[str, Any] = {"gpu_present": False, "measured": False, "alpha": a,
                                "resolution": r, "reason": hint, "results": [],
                                "environment": env_before}
        return BenchResult(data, [f"gpu: TensorFlow sees no GPU on this machine, nothing "
                                  f"measured ({hint})"])
    data = measure(a, r, frames or DEFAULT_FRAMES, device="gpu")
    data.update({"gpu_present": True, "measured": True,
                 "gpus": [g.label for g in gpus], "environment": env_before})
    by_key = {row["key"]: row for row in data["results"]}
    lines = [f"gpu {data['device']}: {a:g}/{r} batch 1: TF raw {by_key['raw']['ms_median']:.2f} "
             f"ms, pipeline {by_key['pipeline']['ms_median']:.2f} ms; CPU: LiteRT "
             f"{by_key['raw_litert_cpu']['ms_median']:.2f} ms, TF "
             f"{by_key['raw_tf_cpu']['ms_median']:.2f} ms (median)"]
    for row in data["results"]:
        lines.append(f"  {row['key']:<15} {row['ms_median']:8.2f} ms median "
                     f"{row['ms_p90']:8.2f} ms p90 {row['fps']:8.1f} fps  {row['engine']} on "
                     f"{row['device']}")
    return BenchResult(data, lines)
