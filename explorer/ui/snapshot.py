"""Saving a classified frame: the frame as PNG and its top-5 as JSON beside it.

``plan_snapshot`` checks the destination and gathers what to write on the GUI thread (fast);
``write_snapshot`` encodes and writes, and may run on any thread.  The Classify view's Save
snapshot button writes through ``SnapshotSaver`` on a pool thread, because encoding a photo's
PNG is slow: on a 2-core VM a 12 MP phone photo takes 0.5 s and a 48 MP one 2.1 s, which on
the GUI thread froze the window (the live view, the sliders) for that long.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QStandardPaths, Signal

from explorer.atomic_write import folder_problem, write_bytes_atomic
from explorer.threads import gui_relay, one_thread_pool
from explorer.vision.frames import rgb_to_qimage
from explorer.vision.worker import PredictionResult

#: Qt's PNG "quality" maps 0..100 to zlib level 9..0 (80 -> 1): lossless at any value, only
#: speed and size move (level 1 is 4x faster than 6 on a photo, for a 5 % larger file).
SNAPSHOT_PNG_QUALITY = 80


@dataclass(frozen=True)
class SnapshotJob:
    """One snapshot to write: the PNG, the JSON beside it, the frame and the JSON's data."""

    png: Path
    meta: Path
    rgb: np.ndarray
    data: dict[str, Any]


def default_snapshot_path() -> Path:
    """``mobilenet_snapshot_<date>_<time>.png`` in the user's Pictures folder (else home)."""
    folder = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.PicturesLocation) or Path.home())
    return folder / f"mobilenet_snapshot_{datetime.now():%Y%m%d_%H%M%S}.png"


def _not_a_snapshot_file(meta: Path) -> str | None:
    """Why the predictions file next to a snapshot must not be written, or None.

    The save dialog asks before replacing the PNG, but not about the JSON beside it: an
    unrelated ``holiday.json`` next to the chosen ``holiday.png`` was silently replaced.  A
    JSON that an earlier snapshot wrote (it has "image" and "predictions") may be replaced.
    """
    if not meta.exists():
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        if isinstance(data, dict) and {"image", "predictions"} <= data.keys():
            return None
    except (OSError, ValueError):
        pass
    return (f"{meta} already exists and is not a snapshot's predictions; choose another"
            " name so that it is kept")


def plan_snapshot(result: PredictionResult, path: str | Path) -> SnapshotJob:
    """What saving ``result`` at ``path`` writes.

    Raises:
        OSError: the files cannot be written there (the message names the path).
    """
    png = Path(path)
    if png.suffix.lower() != ".png":
        # Appended, not swapped in: "holiday.2024" must not become (and overwrite)
        # "holiday.png".
        png = png.with_name(png.name + ".png")
    meta = png.with_suffix(".json")
    problem = folder_problem(png) or _not_a_snapshot_file(meta)
    if problem:
        raise OSError(f"cannot save the snapshot: {problem}")
    data = {
        "image": png.name,
        "variant": result.spec.label,
        "alpha": result.spec.alpha,
        "resolution": result.spec.resolution,
        "engine": result.info.engine_name,
        "device": result.info.device_name,
        "weights": result.info.weights_description,
        "pretrained": result.info.pretrained,
        "warnings": list(result.info.warnings),
        "source": result.source,
        "predictions": [
            {"label": p.label, "class_index": p.class_index, "probability": p.probability}
            for p in result.predictions
        ],
        "timings_ms": result.timings.as_dict(),
        "saved_at": datetime.now().isoformat(timespec="seconds"),
    }
    return SnapshotJob(png, meta, result.rgb, data)


def write_snapshot(job: SnapshotJob) -> None:
    """Write the PNG, then the JSON, each whole or not at all (written beside and renamed:
    a failed save neither leaves a partial file nor removes the one it would replace).

    Raises:
        OSError: a file could not be written (the message names it).
    """
    encoded = QByteArray()
    buffer = QBuffer(encoded)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not rgb_to_qimage(job.rgb).save(buffer, "PNG", SNAPSHOT_PNG_QUALITY):
        raise OSError(f"cannot save the snapshot: encoding {job.png.name} as PNG failed")
    buffer.close()
    try:
        write_bytes_atomic(job.png, bytes(encoded.data()))
    except OSError as exc:
        raise OSError(f"cannot save the snapshot: {job.png}: {exc.strerror or exc}") from None
    try:
        write_bytes_atomic(job.meta, json.dumps(job.data, indent=2).encode("utf-8"))
    except OSError as exc:
        job.png.unlink(missing_ok=True)  # the PNG written a moment ago, without its top-5
        raise OSError(f"cannot save the snapshot: {job.meta}: {exc.strerror or exc}") from None


def wait_for_snapshots(timeout_ms: int) -> bool:
    """Wait for snapshots still being written (on quit: a photo's file must not be cut off);
    False if one is still writing after ``timeout_ms``."""
    return one_thread_pool("snapshot").waitForDone(timeout_ms)


class SnapshotSaver(QObject):
    """Writes snapshots on the snapshot pool thread, one at a time.  ``finished(job, error)``
    comes back on this object's (GUI) thread, ``error`` being None or the message."""

    finished = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending = 0

    @property
    def busy(self) -> bool:
        """True while a snapshot given to ``save`` has not finished."""
        return self._pending > 0

    def save(self, job: SnapshotJob) -> None:
        self._pending += 1
        relay = gui_relay()  # made here, on the GUI thread
        one_thread_pool("snapshot").start(lambda: self._run(job, relay))

    def _run(self, job: SnapshotJob, relay: Any) -> None:
        error: str | None = None
        try:
            write_snapshot(job)
        except Exception as exc:  # noqa: BLE001 - MemoryError too: the view must hear back
            error = str(exc) if isinstance(exc, OSError) else \
                f"cannot save the snapshot: {type(exc).__name__}: {exc}"
        # Through the relay: emitting on this object from the pool thread while the GUI
        # thread deleted it could crash (see explorer/threads.py).  The file is complete
        # either way.
        relay.call.emit(self._deliver, (job, error))

    def _deliver(self, job: SnapshotJob, error: str | None) -> None:
        """On the GUI thread, through the relay (which skips a deleted saver)."""
        self._pending -= 1  # before the signal: its receivers read ``busy``
        self.finished.emit(job, error)
