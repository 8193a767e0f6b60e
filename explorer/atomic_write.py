"""Write a file all at once: a temp file in the same folder, then a rename.

Readers never see half a file, and a failed write leaves nothing behind.  A new file gets the
permissions a plain ``open(path, "w")`` would give (mkstemp alone would make it 0600); a
replaced file keeps its own.  The rename only ever replaces regular files: a symbolic link is
followed (the file it points to is replaced, the link stays), and a FIFO, a terminal or a
device such as ``/dev/stdout`` is written to directly, since renaming over it would destroy it
and its reader would get nothing.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

#: Bytes of the target's name kept in the temporary file's name.
TEMP_NAME_KEEP = 200


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``; raises OSError (and removes the temp file) on failure."""
    path = Path(path)
    try:
        st = os.stat(path)  # follows links, /dev/stdout's included
    except FileNotFoundError:
        st = None  # a new file, or a link to one
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        with open(path, "wb") as fh:  # a stream: there is no "all at once"
            fh.write(data)
        return
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(st.st_mode) if st is not None else _default_mode()
    # The temporary name carries the target's (to be recognisable if a crash leaves it), cut
    # short: ".NAME.XXXXXXXX.tmp" must fit the 255-byte name limit when NAME itself does.
    stem = os.fsencode(target.name)[:TEMP_NAME_KEEP].decode("utf-8", "ignore")
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def folder_problem(target: str | os.PathLike[str]) -> str | None:
    """Why ``target``'s folder cannot hold a new file, or None: "folder X does not exist",
    or "X is a file, not a folder" (``out.txt/report.txt``)."""
    try:
        folder = Path(target).resolve().parent
        if folder.is_dir():
            return None
        for parent in (folder, *folder.parents):
            if parent.exists():
                if not parent.is_dir():
                    return f"{parent} is a file, not a folder"
                break
    except OSError as exc:  # a folder one cannot enter, a name over 255 bytes
        return f"cannot use folder {Path(target).parent}: {exc.strerror or exc}"
    except ValueError as exc:  # a NUL byte in the path
        return f"cannot use {target!r}: {exc}"
    return f"folder {folder} does not exist"
