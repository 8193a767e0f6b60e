"""Write a file all at once: a temp file in the same folder, then a rename.

Readers never see half a file, and a failed write leaves nothing behind.  The file gets the
permissions a plain ``open(path, "w")`` would give (mkstemp alone would make it 0600).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``; raises OSError (and removes the temp file) on failure."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
