"""Work around a reference-count bug of PySide6 6.12.0 on CPython < 3.12.

Measured here (PySide6 6.12.0, Python 3.11.7): every call of a ``void`` Qt method
(``QThread.quit()``, ``QVideoFrame.unmap()``, ``QVideoSink.setVideoFrame()``,
``QLabel.setText()``, ...) returns ``None`` without taking a reference, and every
``Signal.emit()`` does the same with ``True``/``False``.  On Python 3.12+ these singletons are
immortal, so nothing happens; on 3.11 each call steals one reference, and after a few thousand
frames of live video the interpreter aborts with "Fatal Python error: none_dealloc" (or
"bool_dealloc").  PySide6 6.11.2 does not have the bug.

The fix is what Python 3.12 does: make the three singletons effectively immortal by adding
2**40 to their reference counts (a billion calls a second would need 13 days to use that up).
It is applied only after a probe shows the leak, so a fixed PySide6 leaves the process alone,
and not twice: ``explorer.ui.pyside_compat`` applies the same cure for the window (whichever
module runs first boosts the counts; the other sees them already huge and does nothing).
"""

from __future__ import annotations

import ctypes
import sys

_PROBE_CALLS = 64
_BOOST = 1 << 40
_state: dict[str, bool] = {}


def _leaks() -> bool:
    from PySide6.QtCore import QObject, QSize, Signal

    class _Probe(QObject):
        pinged = Signal()

    size = QSize(1, 1)
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        size.setWidth(2)
    none_lost = before - sys.getrefcount(None)
    probe = _Probe()
    before_true, before_false = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(_PROBE_CALLS):
        probe.pinged.emit()
    bool_lost = (before_true - sys.getrefcount(True)) + (before_false - sys.getrefcount(False))
    # Other threads may touch these counts meanwhile; a real leak loses one per call.
    return none_lost >= _PROBE_CALLS // 2 or bool_lost >= _PROBE_CALLS // 2


def apply_pyside_refcount_workaround() -> bool:
    """Protect None/True/False from PySide6's stolen references; True when it was needed.

    Idempotent and cheap after the first call.
    """
    if "applied" in _state:
        return _state["applied"]
    if sys.getrefcount(None) > _BOOST // 2:  # already made immortal (by us or the UI's copy)
        _state["applied"] = True
        return True
    needed = (sys.implementation.name == "cpython" and sys.version_info < (3, 12)
              and _leaks())
    if needed:
        for obj in (None, True, False):
            count = ctypes.c_ssize_t.from_address(id(obj))
            # Only where ob_refcnt sits first in the object (release builds), checked by value.
            if abs(count.value - sys.getrefcount(obj)) <= 8:
                count.value += _BOOST
    _state["applied"] = needed
    return needed
