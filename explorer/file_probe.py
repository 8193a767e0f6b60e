"""Existence checks for places the app searches on its own (caches, weight folders).

``Path.is_file()`` raises ``PermissionError`` when a folder on the way cannot be entered: a
cache folder left 0700 by another user (one ``sudo`` run with umask 077 does it) made every
build fail with "[Errno 13]".  A folder the user never named is only a place to look, so the
answer there is "not found" and the search goes on.  Paths the user gave keep the plain checks,
so their errors are reported.
"""

from __future__ import annotations

import os
from pathlib import Path


def is_reachable_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a regular file (after links) this process may see."""
    try:
        return Path(path).is_file()
    except OSError:
        return False


def is_reachable_dir(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a folder (after links) this process may see."""
    try:
        return Path(path).is_dir()
    except OSError:
        return False
