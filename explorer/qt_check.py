"""Refuse to run on a Qt binding known to crash this app.

PySide6 6.12.0 on CPython < 3.12 drops a reference to ``True`` on every ``Signal.emit()`` and
one to ``None`` on many void calls (measured here: 10,000 emits of a bare signal abort the
interpreter with "Fatal Python error: bool_dealloc"; 6.11.3 is clean).  pyproject.toml pins
``pyside6<6.12`` for those Pythons; this check explains the crash to anyone who bypassed it.
"""

from __future__ import annotations

import sys


def broken_pyside_message() -> str | None:
    """A one-line explanation when the installed PySide6 is the broken one, else None."""
    import PySide6

    version = tuple(int(p) for p in PySide6.__version__.split(".")[:2] if p.isdigit())
    if sys.version_info < (3, 12) and version == (6, 12):
        return (f"PySide6 {PySide6.__version__} crashes Python {sys.version_info.major}."
                f"{sys.version_info.minor} within minutes (reference-count bug); install the"
                " supported version with: pip install \"pyside6<6.12\" (pip install -e . does)")
    return None
