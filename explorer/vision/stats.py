"""Rolling latency statistics and frame rates for the Classify view (pure Python + numpy).

Latencies are skewed (a GC pause or a retrace makes one frame slow), so the view shows the
rolling median and the 90th percentile instead of a mean.  Two rates are kept apart on purpose:
*display FPS* (frames the view painted) and *inference FPS* (frames the model classified); with
latest-frame-wins dropping, the second is lower whenever the model is slower than the camera.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

#: The stages a frame goes through, in order; the worker reports each in milliseconds.
STAGES: tuple[str, ...] = ("convert", "preprocess", "infer", "decode")


@dataclass(frozen=True)
class StageTimings:
    """Milliseconds spent on one frame in each stage."""

    convert: float = 0.0
    preprocess: float = 0.0
    infer: float = 0.0
    decode: float = 0.0

    @property
    def total(self) -> float:
        return self.convert + self.preprocess + self.infer + self.decode

    def as_dict(self) -> dict[str, float]:
        return {stage: float(getattr(self, stage)) for stage in STAGES}


@dataclass(frozen=True)
class LatencySummary:
    """Rolling median and p90 of one stage, in milliseconds (NaN before any sample)."""

    stage: str
    median: float
    p90: float
    count: int


class RollingLatency:
    """The last ``window`` samples of each stage; thread-safe."""

    def __init__(self, window: int = 120, stages: Iterable[str] = STAGES) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self._lock = threading.Lock()
        self._stages = tuple(stages)
        self._samples: dict[str, deque[float]] = {
            s: deque(maxlen=window) for s in self._stages
        }

    def add(self, timings: StageTimings) -> None:
        with self._lock:
            for stage in self._stages:
                self._samples[stage].append(float(getattr(timings, stage)))

    def add_sample(self, stage: str, milliseconds: float) -> None:
        with self._lock:
            self._samples[stage].append(float(milliseconds))

    def summary(self, stage: str) -> LatencySummary:
        with self._lock:
            values = np.fromiter(self._samples[stage], dtype=np.float64)
        if values.size == 0:
            return LatencySummary(stage, float("nan"), float("nan"), 0)
        median, p90 = np.percentile(values, [50, 90])
        return LatencySummary(stage, float(median), float(p90), int(values.size))

    def summaries(self) -> list[LatencySummary]:
        return [self.summary(stage) for stage in self._stages]

    def clear(self) -> None:
        with self._lock:
            for samples in self._samples.values():
                samples.clear()


class RateMeter:
    """Events per second over a sliding time window (e.g. frames shown, frames classified).

    The two newest events are kept even when they are older than the window, so a stream
    slower than one event per window (a 2.0-2048 model runs at about 0.5 frames/s on two
    cores) still reads its rate instead of 0.0.
    """

    def __init__(self, window_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if window_s <= 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        self._window = float(window_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._times: deque[float] = deque()
        self.total = 0

    def tick(self) -> None:
        now = self._clock()
        with self._lock:
            self._times.append(now)
            self.total += 1
            self._trim(now)

    def _trim(self, now: float) -> None:
        limit = now - self._window
        while len(self._times) > 2 and self._times[0] < limit:
            self._times.popleft()

    def rate(self) -> float:
        """Events per second: intervals / the time they span; 0.0 with fewer than two events.

        While no new event comes, the wait beyond one of the stream's own intervals is added
        to the span (the rate decays as frames are late), and the rate is 0.0 once the wait
        is longer than both the window and two intervals (a stalled stream).
        """
        now = self._clock()
        with self._lock:
            self._trim(now)
            count = len(self._times)
            if count < 2:
                return 0.0
            span = self._times[-1] - self._times[0]
            interval = span / (count - 1)
            waited = now - self._times[-1]
            if waited > max(self._window, 2 * interval):
                return 0.0
            span += max(0.0, waited - interval)
            return (count - 1) / span if span > 0 else 0.0

    def clear(self) -> None:
        with self._lock:
            self._times.clear()
            self.total = 0


def format_latency(summary: LatencySummary) -> str:
    """``"infer 12.3 / 15.0 ms"`` (median / p90), ``"infer 12.3 ms"`` from one sample (a
    median and p90 of one value would claim a spread that was never measured), or
    ``"infer -"`` before any sample."""
    if summary.count == 0:
        return f"{summary.stage} -"
    if summary.count == 1:
        return f"{summary.stage} {summary.median:.1f} ms"
    return f"{summary.stage} {summary.median:.1f} / {summary.p90:.1f} ms"


def latency_heading(summaries: Iterable[LatencySummary]) -> str:
    """What the latency lines are: one frame's times, or median / p90 over how many."""
    count = max((s.count for s in summaries), default=0)
    if count == 1:
        return "Latency of 1 frame:"
    if count == 0:
        return "Latency median / p90:"
    return f"Latency median / p90 ({count} frames):"
