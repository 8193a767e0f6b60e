"""Work around PySide6 6.12.0 reference-count bugs that crash Python 3.11 within minutes.

Measured here with PySide6 6.12.0 on CPython 3.11 (6.11.3 does not do this):

* every Python-side ``SignalInstance.emit()`` drops one reference to ``True``;
* many ``void`` QPainter calls made from Python (``drawLine``, ``drawRect``, ``save``...) drop
  one reference to ``None`` each; pyqtgraph paints every axis and bar that way.

pyqtgraph emits and paints many times per redraw, so a few hundred slider steps end in
"Fatal Python error: bool_dealloc" (or "none_dealloc").  Python 3.12+ makes these singletons
immortal and is not affected.  On older Pythons, when the leak is measured, we give True,
False and None an enormous reference count once: exactly what 3.12 does by design (the
singletons are never freed in a running interpreter anyway).  Only singletons leak; objects
returned from overrides (strings from ``data()``, ``QSize`` from ``sizeHint``) were checked and
keep correct counts.  The real fix is a PySide6 without the bug (see pyproject.toml).
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40  # 10^12 leaked references before a count could fall to its starting value
_applied = False


def singleton_leaks() -> dict[str, bool]:
    """Measure whether emits leak ``True`` and QPainter calls leak ``None`` (no app needed)."""
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtGui import QImage, QPainter

    class _Probe(QObject):
        probed = Signal()

    probe = _Probe()
    rounds = 16
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.probed.emit()
    true_leak = sys.getrefcount(True) < before - rounds // 2
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(rounds):
        painter.drawLine(0, 0, 3, 3)
    none_leak = sys.getrefcount(None) < before - rounds // 2
    painter.end()
    return {"True": true_leak, "None": none_leak}


def protect_bool_singletons() -> bool:
    """Apply the workaround if this interpreter and PySide6 need it; returns True if applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal singletons, or a debug build with another object layout
    if not any(singleton_leaks().values()):
        return False
    for singleton in (True, False, None):
        # ob_refcnt is the first field of every object in release builds of CPython <= 3.11.
        refcnt = ctypes.c_ssize_t.from_address(id(singleton))
        refcnt.value += _BOOST
    _applied = True
    return True
