"""Benchmarks for the budgets of issue 5 (sliders, startup, inference, memory, GPU, int8).

Each benchmark module exposes ``run(alpha=None, resolution=None, frames=None) -> BenchResult``;
``run_bench`` (``python main.py bench WHAT``) dispatches to it and prints either the JSON object
(``--format json``: JSON on stdout, the one-line human summary on stderr so stdout stays
parseable) or human lines (``--format text``).  Budgets are reported, never asserted: a missed
budget is a figure to act on, not a crash, so the exit status is 0 whenever the measurement ran.

What ``--alpha``, ``--resolution`` and ``--frames`` mean per benchmark (all optional):

- ui: alpha -> sweep only the resolution slider at that alpha (and vice versa); frames caps the
  timed slider steps (default: every alpha x every resolution position, ~900 steps).
- startup: frames = number of fresh processes started (default 5); alpha/resolution are
  refused (see ``unused_options``).
- inference: alpha/resolution -> that variant only (default 1.0/224 and 0.25/128 in one run);
  frames per method (default 200; naive at most 40).
- gpu: variant (default 1.0/224), frames per method (default 200).
- int8: variant (default the three with Google QAT models), frames per engine (default 100).
- memory: variant, frames (default 5,000; with --soak 10,000 at 0.25/128).
- overlap: variant (default 1.0/224 and 0.25/128), frames per measurement (default 300); an
  experiment behind budget 3's explanation, not a budget.
- stream: budget 1 while a 30 fps stream plays into the Classify view (480p, 720p, 1080p,
  Classify or Layers in front); variant classified (default 0.5/160), frames = slider steps
  per case (default 120).

Heavy modules (Qt, TensorFlow, LiteRT) are imported inside the benchmark modules, so importing
this package is free.  The small helpers here (percentiles, /proc readers, fixture lookup) are
shared by all benchmark modules.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

#: ``what`` -> module under explorer.bench.
BENCHES = {
    "ui": "explorer.bench.ui_bench",
    "startup": "explorer.bench.startup_bench",
    "inference": "explorer.bench.inference_bench",
    "gpu": "explorer.bench.gpu_bench",
    "int8": "explorer.bench.int8_bench",
    "memory": "explorer.bench.memory_bench",
    "overlap": "explorer.bench.overlap_bench",
    "stream": "explorer.bench.stream_bench",
}

#: Benchmarks that measure a variant, so take ``--alpha`` / ``--resolution``; the startup
#: probe opens the window at the app's default variant and would ignore them.
VARIANT_BENCHES = ("ui", "inference", "gpu", "int8", "memory", "overlap", "stream")


def unused_options(what: str, alpha: float | None, resolution: int | None,
                   soak: bool = False) -> list[str]:
    """The options given that benchmark ``what`` would ignore (refused, not dropped: a
    silently ignored ``--alpha`` prints figures for a variant the user did not ask for)."""
    unused = []
    if what not in VARIANT_BENCHES:
        unused += [opt for opt, value in (("--alpha", alpha), ("--resolution", resolution))
                   if value is not None]
    if soak and what != "memory":
        unused.append("--soak")
    return unused


def unused_options_message(what: str, options: list[str]) -> str:
    """One line naming the options ``bench what`` does not take and where they belong."""
    if len(options) > 1:
        return f"{' and '.join(options)} are not used by bench {what}"
    where = "memory" if options == ["--soak"] else ", ".join(VARIANT_BENCHES)
    return f"{options[0]} is not used by bench {what}; it applies to bench {where}"


class BenchError(RuntimeError):
    """A benchmark could not run (missing part, no fixtures); reported as one line."""


@dataclass
class BenchResult:
    """What a benchmark measured: the JSON object and the human lines (first = summary)."""

    data: dict[str, Any]
    lines: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return self.lines[0] if self.lines else ""


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default method) without importing numpy."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def timing_stats(ms: Sequence[float]) -> dict[str, float]:
    """Median / p90 / p95 / min / max of per-item times in milliseconds, plus frames/s.

    fps is throughput over the busy time (1000 / mean), so slow outliers count against it.
    """
    med = percentile(ms, 50)
    mean = sum(ms) / len(ms) if ms else math.nan
    return {
        "n": len(ms),
        "ms_median": round(med, 4),
        "ms_p90": round(percentile(ms, 90), 4),
        "ms_p95": round(percentile(ms, 95), 4),
        "ms_min": round(min(ms), 4) if ms else math.nan,
        "ms_max": round(max(ms), 4) if ms else math.nan,
        "ms_mean": round(mean, 4),
        "fps": round(1000.0 / mean, 2) if mean and mean > 0 else math.nan,
    }


def budget(target: str, value: object, met: bool | None) -> dict[str, Any]:
    """One budget line for the JSON: what was promised, what was measured, whether it held."""
    return {"target": target, "value": value, "met": met}


def chosen_variant(alpha: float | None, resolution: int | None,
                   default: tuple[float, int]) -> tuple[float, int]:
    """The variant the user asked for, each missing half taken from ``default``."""
    return (alpha if alpha is not None else default[0],
            resolution if resolution is not None else default[1])


def chosen_variants(alpha: float | None, resolution: int | None,
                    defaults: Sequence[tuple[float, int]],
                    fallback: tuple[float, int]) -> list[tuple[float, int]]:
    """The benchmark's own ``defaults`` when nothing was asked, else the one variant asked
    for (missing halves from ``fallback``)."""
    if alpha is None and resolution is None:
        return list(defaults)
    return [chosen_variant(alpha, resolution, fallback)]


# --------------------------------------------------------------------------- /proc readers


def _proc_status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float | None:
    """Resident memory of this process in MiB (VmRSS from /proc/self/status), None off Linux."""
    kb = _proc_status_kb("VmRSS")
    return None if kb is None else round(kb / 1024.0, 2)


def thread_count() -> int | None:
    """OS threads of this process (Qt, TensorFlow and LiteRT pools included)."""
    return _proc_status_kb("Threads")


def fd_count() -> int | None:
    """Open file descriptors of this process."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def environment() -> dict[str, Any]:
    """Machine context printed with every figure: timings mean little without the load."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu_count": os.cpu_count(),
        "load_average": load,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def wait_until(app: Any, condition: Callable[[], bool], timeout_s: float,
               what: str | Callable[[], str]) -> None:
    """Process events until ``condition()`` holds (checked every ~2 ms); BenchError naming
    ``what`` (a text, or a callable for one made at the time) after ``timeout_s``."""
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            text = what if isinstance(what, str) else what()
            raise BenchError(f"timed out after {timeout_s:g} s waiting for {text}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


# --------------------------------------------------------------------------- the window

@contextlib.contextmanager
def bench_window(weights_dir: Path | None = None) -> Iterator[Any]:
    """The real main window (not yet shown) on a throwaway settings file: the user's saved
    layout and variant neither skew the figures nor get overwritten.  Closed, and the
    settings variable restored, on the way out."""
    import tempfile

    from PySide6.QtWidgets import QApplication

    from explorer.ui.main_window import MainWindow
    from explorer.ui.settings import SETTINGS_ENV

    with tempfile.TemporaryDirectory(prefix="bench-settings-") as tmp:
        old = os.environ.get(SETTINGS_ENV)
        os.environ[SETTINGS_ENV] = str(Path(tmp) / "settings.ini")
        window = MainWindow(weights_dir=weights_dir)
        try:
            yield window
        finally:
            window.close()
            window.deleteLater()
            QApplication.processEvents()
            if old is None:
                os.environ.pop(SETTINGS_ENV, None)
            else:
                os.environ[SETTINGS_ENV] = old


# --------------------------------------------------------------------------- fixtures


def fixtures_dir() -> Path | None:
    """The shared fixtures folder (MOBILENET_FIXTURES or ../shared/fixtures), None if absent.

    Raises:
        BenchError: MOBILENET_FIXTURES names a folder without the fixtures.  Falling back to
            random weights there measured something else than asked, said only by
            ``"pretrained": false`` in the JSON.
    """
    env = os.environ.get("MOBILENET_FIXTURES")
    folder = Path(os.path.expanduser(env)) if env else REPO_ROOT.parent / "shared" / "fixtures"
    if (folder / "SOURCES.md").exists():
        return folder
    if env:
        raise BenchError(f"MOBILENET_FIXTURES={env} holds no fixtures (no SOURCES.md in"
                         f" {folder}); point it at the shared fixtures folder, or unset it to"
                         " measure with random weights")
    return None


_ALPHA_CODES = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}


#: How engines describe the fixture file a benchmark picked itself (benchmarks take no
#: --weights; "from --weights" in their output was untrue).
FIXTURE_WEIGHTS_SOURCE = "picked from the test fixtures"


def fixture_weights(alpha: float) -> Path | None:
    """A full (with top) Keras .h5 for ``alpha`` from the fixtures, any resolution, or None.

    MobileNet v1 weights do not depend on the input size, so the file made for one resolution
    loads at every other one.
    """
    folder = fixtures_dir()
    code = _ALPHA_CODES.get(round(alpha, 4))
    if folder is None or code is None:
        return None
    for sub in ("weights", "weights/derived_from_coral_quant_tflite"):
        hits = sorted((folder / sub).glob(f"mobilenet_{code}_*_tf.h5"))
        if hits:
            return hits[0]
    return None


def fixture_images() -> list[Path]:
    """The 12 fixture photos (empty list when the fixtures are absent)."""
    folder = fixtures_dir()
    if folder is None:
        return []
    return sorted(p for p in (folder / "images").iterdir() if p.suffix.lower() in
                  (".jpg", ".jpeg", ".png"))


# --------------------------------------------------------------------------- dispatch


def get_runner(what: str) -> Callable[..., BenchResult]:
    """The ``run`` function of benchmark ``what``."""
    if what not in BENCHES:
        raise BenchError(f"unknown benchmark {what!r}; choose one of {', '.join(BENCHES)}")
    return importlib.import_module(BENCHES[what]).run  # type: ignore[no-any-return]


def emit(result: BenchResult, fmt: str, out: Any = None, err: Any = None) -> None:
    """Print ``result`` as JSON (+ summary on stderr) or as human lines."""
    out = out or sys.stdout
    err = err or sys.stderr
    if fmt == "json":
        out.write(json.dumps(result.data, indent=2, default=str) + "\n")
        out.flush()
        err.write(result.summary + "\n")
    else:
        out.write("\n".join(result.lines) + "\n")


def run_bench(args: argparse.Namespace) -> int:
    """``python main.py bench ui|startup|inference|gpu|int8|memory``: measure and print."""
    what = args.what
    fmt = getattr(args, "format", "text") or "text"
    runner = get_runner(what)
    kwargs: dict[str, Any] = {"alpha": getattr(args, "alpha", None),
                              "resolution": getattr(args, "resolution", None),
                              "frames": getattr(args, "frames", None)}
    if what == "memory":
        kwargs["soak"] = bool(getattr(args, "soak", False))
    try:
        result = run_quietly(runner, kwargs)
    except BenchError as exc:
        sys.stderr.write(f"bench {what}: error: {exc}\n")
        return 1
    emit(result, fmt)
    return 0


def run_quietly(runner: Callable[..., BenchResult], kwargs: dict[str, Any]) -> BenchResult:
    """Run a benchmark with what libraries print held back: TensorFlow's and absl's start-up
    lines on file descriptor 2, and Python-level prints (Keras' export prints its
    signature), which would otherwise bury the one summary line and spoil JSON on stdout.
    The held-back text is shown when the benchmark fails, before its error."""
    from explorer.native_output import captured_native_stderr

    native: list[str] = []
    try:
        with captured_native_stderr() as native, contextlib.redirect_stdout(sys.stderr):
            return runner(**kwargs)
    except BaseException:
        if native and native[0].strip():
            sys.stderr.write(native[0])
        raise


def script_main(what: str, argv: Sequence[str] | None = None,
                extra: Callable[[argparse.ArgumentParser], None] | None = None,
                runner_kwargs: Callable[[argparse.Namespace], dict[str, Any]] | None = None
                ) -> int:
    """Entry point of the thin ``benchmarks/bench_*.py`` scripts.

    Prints the JSON object on stdout and the one human-readable line on stderr, so
    ``python benchmarks/bench_ui.py > ui.json`` keeps a clean JSON file.
    """
    from explorer.cli import alpha_arg, positive_int_arg, resolution_arg

    parser = argparse.ArgumentParser(prog=f"bench_{what}.py",
                                     description=f"MobileNet Explorer {what} benchmark")
    parser.add_argument("--alpha", type=alpha_arg, default=None,
                        help="width multiplier alpha (default: the benchmark's own variants)")
    parser.add_argument("--resolution", type=resolution_arg, default=None,
                        help="input resolution (default: the benchmark's own variants)")
    parser.add_argument("--frames", type=positive_int_arg, default=None,
                        help="frames / steps / runs to measure (default: the full benchmark)")
    parser.add_argument("--format", choices=("json", "text"), default="json",
                        help="json (default): JSON on stdout, summary on stderr")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    unused = unused_options(what, args.alpha, args.resolution, bool(getattr(args, "soak", 0)))
    if unused:
        parser.error(unused_options_message(what, unused))
    kwargs = {"alpha": args.alpha, "resolution": args.resolution, "frames": args.frames}
    if runner_kwargs is not None:
        kwargs.update(runner_kwargs(args))
    try:
        result = run_quietly(get_runner(what), kwargs)
    except BenchError as exc:
        sys.stderr.write(f"bench_{what}: error: {exc}\n")
        return 1
    emit(result, args.format)
    return 0
