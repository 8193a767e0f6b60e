"""int8 benchmark (issue 5, "Also"): float vs int8 latency and top-1 agreement on the photos.

Default: the three variants for which Google's quantization-aware-trained models are in the
fixtures (0.25/128, 0.5/160, 0.75/192).  The float side is the app's LiteRT float engine with
the fixtures' derived Keras weights, which are the dequantized weights of those same models,
so agreement measures the quantisation alone (see explorer.vision.quantized).  With --alpha /
--resolution another variant is measured; where Google has no model for it, the int8 model is
the post-training quantisation of the built model, calibrated on the photos.
"""

from __future__ import annotations

from typing import Any

from explorer.bench import (
    BenchError,
    BenchResult,
    chosen_variants,
    environment,
    fixture_images,
    fixture_weights,
    fixtures_dir,
)
from explorer.bench.inference_bench import temporary_engine_cache

DEFAULT_VARIANTS = ((0.25, 128), (0.5, 160), (0.75, 192))
DEFAULT_FRAMES = 100


def run(alpha: float | None = None, resolution: int | None = None,
        frames: int | None = None) -> BenchResult:
    """Compare float and int8 for the default variants (or the one given)."""
    from explorer.arch.spec import MobileNetSpec
    from explorer.vision.quantized import compare_float_int8

    folder = fixtures_dir()
    images = fixture_images()
    if folder is None or not images:
        raise BenchError("the int8 benchmark needs the fixture photos (set MOBILENET_FIXTURES "
                         "to the shared fixtures folder)")
    variants = chosen_variants(alpha, resolution, DEFAULT_VARIANTS, (0.25, 128))
    n = frames or DEFAULT_FRAMES
    env_before = environment()
    rows: list[dict[str, Any]] = []
    with temporary_engine_cache():
        for a, r in variants:
            weights = fixture_weights(a)
            comparison = compare_float_int8(MobileNetSpec(a, r), images,
                                            quant_dirs=[folder / "weights" / "tflite"],
                                            weights=weights, frames=n)
            row = comparison.as_dict()
            row["speedup"] = round(row["speedup"], 3)
            row["pretrained"] = weights is not None
            if weights is None:
                # Random float weights: both models answer "tench" at ~0 % for every photo,
                # and "12/12 agree" would be a number about nothing.  Speed still counts.
                row["agreement"] = None
                row["images"] = []
                row["note"] = ("no pretrained float weights for this alpha in the fixtures:"
                               " random weights, speed only")
            rows.append(row)
    data: dict[str, Any] = {
        "images": len(images),
        "frames": n,
        "variants": rows,
        "environment": env_before,
        "environment_after": environment(),
    }
    parts = [f"{row['alpha']:g}/{row['resolution']}: float {row['float_ms_median']:.2f} ms vs "
             f"int8 {row['int8_ms_median']:.2f} ms ({row['speedup']:.2f}x), "
             + (f"top-1 agree {row['agreement']}/{row['total']}" if row["pretrained"]
                else "top-1 not compared (random weights)") for row in rows]
    lines = ["int8 (LiteRT, batch 1, CPU): " + "; ".join(parts)]
    for row in rows:
        lines.append(f"  {row['alpha']:g}/{row['resolution']}: {row['float_engine']} vs "
                     f"{row['int8_engine']}")
        for img in row["images"]:
            mark = "=" if img["agree"] else "!"
            lines.append(f"    {mark} {img['image']:<20} float {img['float']} "
                         f"({img['float_p']:.2f})  int8 {img['int8']} ({img['int8_p']:.2f})")
    lines.append(f"  load average: start {env_before['load_average']}, "
                 f"end {data['environment_after']['load_average']}")
    return BenchResult(data, lines)
