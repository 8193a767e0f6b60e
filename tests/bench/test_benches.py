"""Each benchmark in a tiny mode: it runs, its JSON has the documented shape, and the
invariants that are not timings hold (closed loop drops nothing, predictions come from the
variant asked for, the tf.function traces once, engines agree on top-1 with real weights).

No timing is asserted here: budgets are figures in benchmarks/RESULTS.md, not test outcomes.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest

from explorer.bench import percentile, timing_stats

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_fixtures(fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the benchmarks at the same fixtures folder the tests use."""
    monkeypatch.setenv("MOBILENET_FIXTURES", str(fixtures_dir))
    return fixtures_dir


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def test_percentile_and_stats_match_definitions() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5.0], 95) == 5.0
    assert percentile([0, 10], 90) == pytest.approx(9.0)
    st = timing_stats([1.0, 1.0, 4.0])
    assert st["ms_median"] == 1.0
    assert st["fps"] == pytest.approx(500.0)  # 1000 / mean(2 ms): outliers count


def test_ui_bench_tiny(qapp) -> None:
    from explorer.bench import ui_bench

    result = ui_bench.run(frames=5, keras_samples=0)
    data = result.data
    for key in ("p50_ms", "p95_ms", "cost_model_ms"):
        assert _number(data[key]), key
    assert "keras_build_ms" in data
    assert data["steps"] == 5
    assert data["empty_table_steps"] == 0
    assert data["alpha_positions"] == 29  # 0.10 .. 1.50 step 0.05
    assert data["resolution_positions"] == 31  # 32 .. 512 step 16
    assert data["budgets"]["slider_p95"]["met"] in (True, False)
    assert set(data["per_view"]) == {"layers", "blocks", "blocks-table", "types", "accuracy",
                                     "compare", "paper"}
    assert all(v["steps"] == 5 for v in data["per_view"].values())
    # The verdict covers every view in front, and the timer left no paint behind: with a
    # chart or Compare in front one processEvents pass stopped it before the summary,
    # status bar and Compare tables were painted.
    every = data["budgets"]["slider_p95_every_view"]
    assert every["value"] == max(v["p95_ms"] for v in data["per_view"].values())
    assert data["profile_top"]["paint_events_after_timer"] == 0
    # Hidden views update when shown: the switch to each after a step behind it is timed.
    switches = data["view_switch_after_step"]
    assert set(switches) == {"blocks", "types", "accuracy", "compare", "paper"}
    assert all(v["switches"] == 5 and _number(v["p95_ms"]) for v in switches.values())
    assert _number(data["cost_model_p95_ms"]) and data["budgets"]["cost_model"]["target"] == (
        "p95 < 1 ms per variant")
    assert result.summary.startswith("ui: ")


def test_settle_waits_for_work_posted_by_the_first_pass(qapp) -> None:
    """A repaint that requests a relayout, whose own repaint comes a pass later."""
    from PySide6.QtCore import QTimer

    from explorer.bench.ui_bench import settle

    done: list[int] = []

    def busy(depth: int) -> None:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 0.002:
            pass
        done.append(depth)
        if depth < 3:
            QTimer.singleShot(0, lambda: busy(depth + 1))

    QTimer.singleShot(0, lambda: busy(1))
    assert settle(qapp) >= 3 and done == [1, 2, 3]


def test_stream_bench_tiny(qapp) -> None:
    """Every stream size with each view in front; frames flow only into a shown Classify
    view (a hidden one neither converts nor shows them)."""
    from explorer.bench import stream_bench

    result = stream_bench.run(frames=3)
    rows = {(row["stream"], row["view"]): row for row in result.data["results"]}
    assert set(rows) == {(s, v) for s in ("none", "480p", "720p", "1080p")
                         for v in ("classify", "layers")}
    for (stream, view), row in rows.items():
        assert row["steps"] == 3 and _number(row["p95_ms"]) and row["p95_ms"] >= row["p50_ms"]
        assert row["budget"]["met"] in (True, False)
        if stream == "none":
            assert row["frames_pushed_per_s"] == 0
            continue
        assert row["frames_pushed_per_s"] > 0
        if view == "classify":
            assert row["frames_converted_per_s"] > 0 and row["frames_shown_per_s"] > 0
        else:
            assert row["frames_converted_per_s"] == 0 and row["frames_shown_per_s"] == 0
    assert result.summary.startswith("stream (slider p95 while frames play at 30 fps")


def test_ui_bench_refuses_values_off_the_sliders(qapp) -> None:
    """--alpha 4 swept at the slider's 1.5 end without saying so."""
    from explorer.bench import BenchError, ui_bench

    with pytest.raises(BenchError, match=r"alpha 4 is not a slider position .* 0.1 to 1.5"):
        ui_bench.run(alpha=4.0, frames=2, keras_samples=0)
    with pytest.raises(BenchError, match=r"resolution 4096 is not a slider position"):
        ui_bench.run(resolution=4096, frames=2, keras_samples=0)
    assert ui_bench.run(alpha=0.5, frames=2, keras_samples=0).data["alpha_positions"] == 1


@pytest.mark.tf
@pytest.mark.slow
def test_ui_bench_keras_ratio(qapp) -> None:
    from explorer.bench import ui_bench

    data = ui_bench.run(frames=3, keras_samples=1).data
    assert _number(data["keras_build_ms"]) and data["keras_build_ms"] > 0
    assert _number(data["keras_over_cost_model"])
    assert data["keras_samples"][0]["alpha"] == 0.25


@pytest.mark.tf
@pytest.mark.slow
def test_inference_bench_tiny(qapp, bench_fixtures: Path) -> None:
    from explorer.bench import inference_bench

    result = inference_bench.run(alpha=0.25, resolution=128, frames=4)
    data = result.data
    assert (data["alpha"], data["resolution"], data["device"]) == (0.25, 128, "CPU")
    names = [r["name"] for r in data["results"]]
    assert sorted(names) == ["litert", "naive", "pipeline", "pipeline_model_size",
                             "pipeline_vga", "raw", "raw_tf", "raw_tf_loaded"]  # one each
    sizes = {r["name"]: r.get("frame_size") for r in data["results"]}
    assert sizes["pipeline"] == [1280, 720] and sizes["pipeline_vga"] == [640, 480]
    assert sizes["pipeline_model_size"] == [128, 128]
    kinds = {r["name"]: r.get("engine_kind") for r in data["results"]}
    assert (kinds["raw"], kinds["raw_tf"]) == ("litert", "tf")
    # budgets judged on medians; a run of 4 frames times 4 calls per method, not 1
    assert data["budgets"]["default_vs_litert"]["value"] == data["ratios_by_median"][
        "default_vs_litert"]
    assert _number(data["ratios_by_median"]["default_app_vs_litert"])
    assert all(r["n"] >= 4 for r in data["results"] if r["name"] not in ("naive",)), [
        (r["name"], r["n"]) for r in data["results"]]
    assert sum(bool(r.get("default")) for r in data["results"]) == 1
    for r in data["results"]:
        assert r["engine"]
        for key in ("ms_median", "ms_p90", "fps"):
            assert _number(r[key]) and r[key] > 0, (r["name"], key)
    assert data["pipeline_spec_ok"] is True
    # real (fixture) weights: every engine and the pipeline name the same top-1 class
    assert data["pretrained"] is True
    assert data["top1_agree"] is True
    first = data["first_prediction"]
    assert _number(first["after_variant_change_s"]) and _number(first["cached_s"])
    for key in ("pipeline_vs_raw", "pipeline_vga_vs_raw", "pipeline_model_size_vs_raw",
                "pipeline_vs_naive", "default_vs_litert", "tensorflow_loaded_vs_not"):
        assert _number(data["ratios"][key])
    assert data["variants"][0]["results"] == data["results"]


@pytest.mark.tf
@pytest.mark.slow
def test_memory_bench_tiny(qapp, bench_fixtures: Path) -> None:
    from explorer.bench import memory_bench

    data = memory_bench.run(alpha=0.25, resolution=128, frames=20, variants=2).data
    frames = data["frames_phase"]
    # closed loop: every frame classified, none dropped or failed
    assert (frames["processed"], frames["dropped"], frames["failed"]) == (20, 0, 0)
    assert _number(frames["rss_end_mb"]) and _number(frames["rss_growth_mb"])
    assert isinstance(frames["threads_leaked"], int) and isinstance(frames["fds_leaked"], int)
    variants = data["variants_phase"]
    assert variants["variants"] == 2
    assert variants["wrong_variant_predictions"] == 0
    assert _number(variants["rss_second_sweep_mb"])  # swept twice, back at the first
    view = data["classify_view_phase"]
    assert view["measured"] is True, view.get("reason")
    assert [(r["alpha"], r["resolution"]) for r in view["rows"]] == [(0.25, 96), (0.3, 96)]
    assert _number(view["rss_second_sweep_mb"])
    assert data["tf_retrace_phase"]["tracing_count"] == 1


def test_memory_sweep_is_fifty_distinct_variants() -> None:
    from explorer.bench.memory_bench import sweep_variants

    sweep = sweep_variants(50)
    assert len(set(sweep)) == 50
    # slider-like: consecutive variants differ in one slider only
    assert all((a1 == a2) != (r1 == r2) for (a1, r1), (a2, r2) in zip(sweep, sweep[1:]))


@pytest.mark.tf
@pytest.mark.slow
def test_int8_bench_tiny(bench_fixtures: Path) -> None:
    from explorer.bench import int8_bench

    data = int8_bench.run(alpha=0.25, resolution=128, frames=4).data
    assert data["images"] == 12
    (row,) = data["variants"]
    assert row["total"] == 12
    assert "Google QAT" in row["int8_engine"]
    # the derived float weights are the dequantized QAT weights: top-1 nearly always agrees
    assert row["agreement"] >= 10 and row["pretrained"] is True
    assert _number(row["float_ms_median"]) and _number(row["int8_ms_median"])


@pytest.mark.tf
def test_int8_bench_does_not_count_agreement_of_random_models(bench_fixtures: Path) -> None:
    """No alpha-1.0 file in the fixtures: random float weights, post-training int8.  Both
    said "tench" for every photo, reported as "12/12 agree"."""
    from explorer.bench import int8_bench

    result = int8_bench.run(alpha=1.0, resolution=96, frames=2)
    (row,) = result.data["variants"]
    assert row["pretrained"] is False and row["agreement"] is None and row["images"] == []
    assert "top-1 not compared (random weights)" in result.lines[0]
    assert _number(row["float_ms_median"]) and _number(row["int8_ms_median"])


@pytest.mark.tf
@pytest.mark.slow
def test_gpu_measurement_path_on_cpu(qapp, bench_fixtures: Path) -> None:
    """The GPU measurement code, run with device=cpu so it is exercised without a GPU."""
    from explorer.bench import gpu_bench

    data = gpu_bench.measure(0.25, 128, frames=4, device="cpu")
    keys = [r["key"] for r in data["results"]]
    assert keys == ["raw", "pipeline", "raw_tf_cpu", "raw_litert_cpu"]
    assert all(_number(r["ms_median"]) for r in data["results"])


def _run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.tf
def test_gpu_cli_prints_json_and_one_line() -> None:
    """``main.py bench gpu --format json``: clean JSON on stdout, exit 0 with or without GPU."""
    proc = _run_cli("main.py", "bench", "gpu", "--format", "json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert isinstance(data["gpu_present"], bool)
    if not data["gpu_present"]:
        assert data["measured"] is False and data["results"] == []
        # only our line: TensorFlow's start-up chatter ("oneDNN", "cuInit") is held back
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "no GPU" in proc.stderr.splitlines()[-1]


def test_startup_script_prints_json_and_one_line() -> None:
    """benchmarks/bench_startup.py: JSON on stdout, the human line last on stderr."""
    proc = _run_cli("benchmarks/bench_startup.py", "--frames", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert _number(data["window_shown_s"]) and data["window_shown_s"] > 0
    assert isinstance(data["tensorflow_imported_at_show"], bool)
    assert data["runs"] == 1 and data["window_found"] is True
    assert proc.stderr.strip().splitlines()[-1].startswith("startup: ")


def test_startup_probe_runs_the_entry_point_where_there_is_no_main_py(tmp_path,
                                                                     monkeypatch) -> None:
    """Installed from a wheel there is no main.py: `mobilenet-explorer bench startup` failed
    with "the app exited (status 1)" (FileNotFoundError for site-packages/main.py)."""
    import explorer.bench.startup_bench as startup_bench

    monkeypatch.setattr(startup_bench, "REPO_ROOT", tmp_path)  # no main.py there
    record = startup_bench.probe_once(timeout_s=120)
    assert record["window_shown_s"] > 0 and record["tensorflow_imported_at_show"] is False


def test_bench_cli_rejects_unknown_benchmark() -> None:
    proc = _run_cli("main.py", "bench", "nonsense", timeout=60)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.fixtures
def test_overlap_bench_tiny(bench_fixtures: Path) -> None:
    from explorer.bench import overlap_bench

    result = overlap_bench.run(alpha=0.25, resolution=128, frames=4)
    (row,) = result.data["variants"]
    assert (row["alpha"], row["resolution"]) == (0.25, 128)
    for m in row["results"]:
        assert _number(m["raw_ms"]) and m["raw_ms"] > 0
        for size in ("1280x720", "640x480"):
            cell = m[size]
            for key in ("serial_ms", "overlapped_ms", "serial_vs_raw_same_threads",
                        "overlapped_vs_raw_same_threads"):
                assert _number(cell[key]) and cell[key] > 0, (size, key)
    assert result.summary.startswith("overlap (pipeline / raw")


def test_bench_script_refuses_options_the_benchmark_ignores(capsys) -> None:
    """benchmarks/bench_startup.py --alpha 0.5 would time the default window all the same."""
    from explorer.bench import script_main

    with pytest.raises(SystemExit) as info:
        script_main("startup", ["--alpha", "0.5"])
    assert info.value.code == 2
    assert "--alpha is not used by bench startup" in capsys.readouterr().err


def test_bench_weights_are_not_said_to_come_from_an_option(bench_fixtures: Path) -> None:
    """Benchmarks take no --weights, yet their engines said "(alpha 0.25, from --weights)"."""
    from explorer.bench.inference_bench import engine_request
    from explorer.keras_builder.weights import find_weights

    request = engine_request(0.25, 128)
    choice = find_weights(request.spec, request.weights, weights_source=request.weights_source)
    assert choice.found and "--weights" not in choice.description
    assert "picked from the test fixtures" in choice.description


def test_fixtures_variable_naming_no_fixtures_is_an_error(tmp_path, monkeypatch) -> None:
    """A mistyped MOBILENET_FIXTURES made the benchmarks run with random weights, said only
    by "pretrained": false deep in the JSON."""
    from explorer.bench import BenchError, fixture_images, fixture_weights, fixtures_dir

    monkeypatch.setenv("MOBILENET_FIXTURES", str(tmp_path / "fixtures-typo"))
    for lookup in (fixtures_dir, fixture_images, lambda: fixture_weights(0.25)):
        with pytest.raises(BenchError, match="fixtures-typo holds no fixtures"):
            lookup()
    monkeypatch.delenv("MOBILENET_FIXTURES")
    monkeypatch.setattr("explorer.bench.REPO_ROOT", tmp_path / "clone")
    assert fixtures_dir() is None  # the default place, absent: random weights, as documented


def test_memory_bound_judges_a_second_sweep_not_only_the_growth() -> None:
    """Growth after the first 10 variants alone passed a steady ~1.25 MB-per-variant leak; a
    trend over the sweep mistook its own rise (0.25-96 to 0.7-224) for one, and one revisit
    its allocator's fixed overhead."""
    from explorer.bench.memory_bench import GROWTH_BUDGET_MB, _bounded, _revisit_fields

    assert _bounded("x", 24.0, 1.5)["met"] is True  # the sweep ends on a bigger engine
    leak = _bounded("x", 40 * 1.2, 50 * 1.2)  # 48 MB: under the growth budget alone
    assert 40 * 1.2 < GROWTH_BUDGET_MB and leak["met"] is False
    assert leak["value"] == {"growth_mb": 48.0, "second_sweep_mb": 60.0}
    assert _bounded("x", None, 0.1)["met"] is None
    assert _revisit_fields([144.0, 145.5], [{"rss_mb": 126.0}]) == {
        "rss_back_at_first_mb": [144.0, 145.5], "rss_back_vs_first_mb": 18.0,
        "rss_second_sweep_mb": 1.5}


def test_int8_timings_use_the_same_p90_as_every_other_bench() -> None:
    """int8's p90 was nearest rank, the other benches' linear interpolation."""
    from explorer.vision.quantized import median_p90

    times = [1.0, 2.0, 3.0, 4.0, 10.0]
    median, p90 = median_p90(times)
    assert median == 3.0 and p90 == pytest.approx(percentile(times, 90)) == pytest.approx(7.6)
    assert median_p90([2.5]) == (2.5, 2.5)


def test_memory_summary_survives_rss_unknown() -> None:
    """Off Linux RSS is None; formatting it with :+ crashed the bench after measuring."""
    from explorer.bench.memory_bench import _signed

    assert (_signed(None), _signed(1.5), _signed(-0.3)) == ("n/a", "+1.5", "-0.3")
