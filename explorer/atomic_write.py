"""Write a file all at once: a temp file in the same folder, then a rename.

Readers never see half a file, and a failed write leaves nothing behind.  A new file gets the
permissions a plain ``open(path, "w")`` would give (mkstemp alone would make it 0600); a
replaced file keeps its own.  The rename only ever replaces regular files: a symbolic link is
followed (the file it points to is replaced, the link stays), and a FIFO, a terminal or a
device such as ``/dev/stdout`` is written to directly, since renaming over it would destroy it
and its reader would get nothing.

Two more cases are not replaced:

- The file this process's stdout or stderr already writes to (``--output /dev/stdout >>
  log.txt``).  Opening ``/dev/stdout`` again would truncate it, and a rename would leave the
  shell's stream on the old file, so everything before and after would be lost.  The data goes
  through the open descriptor instead.
- A file the user may not write.  The rename needs write access only to the folder, so a
  read-only file was replaced (and kept its 0444 mode); it is refused with "Permission denied",
  as ``open(path, "w")`` would refuse it.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

#: Bytes of the target's name kept in the temporary file's name.
TEMP_NAME_KEEP = 200


def _not_writable(path: Path) -> OSError:
    """Why ``path`` may not be written: its file system is mounted read-only, or else the
    file's permissions ("Permission denied" read wrongly on a read-only mount)."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
    except (AttributeError, OSError):  # no statvfs on Windows
        pass
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))


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
    if st is not None:
        fd = _open_stream_on(st)
        if fd is not None:
            _write_all(fd, data)
            _cut_tail(fd)
            return
        if not os.access(path, os.W_OK):
            raise _not_writable(path)
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
        if st is not None and hasattr(os, "geteuid") and hasattr(os, "chown") and (
                (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid())):  # not on Windows
            _keep_owner(tmp, st)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _open_stream_on(st: os.stat_result) -> int | None:
    """stdout's or stderr's descriptor when it is open on the file ``st`` describes."""
    import sys

    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        try:
            same = os.path.samestat(st, os.fstat(fd))
        except OSError:  # closed
            continue
        if same:
            if stream is not None:
                stream.flush()  # what was printed before comes first
            return fd
    return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _cut_tail(fd: int) -> None:
    """After writing through a descriptor opened without O_APPEND or O_TRUNC (``1<>file``),
    drop what the file held past the new end: the old tail made the JSON unparseable."""
    try:
        import fcntl
    except ImportError:  # Windows: no fcntl, and no ``1<>``
        return
    try:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND:
            return  # ``>>``: the end is the end
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.ftruncate(fd, os.lseek(fd, 0, os.SEEK_CUR))
    except OSError:
        pass  # a descriptor that cannot seek or be cut: nothing was there to cut


def _keep_owner(tmp: str, st: os.stat_result) -> None:
    """Give the new file the replaced file's owner and group where allowed (root replacing a
    user's file made it root's); where not allowed, the new file is the writer's, as with any
    editor that saves by renaming."""
    try:
        os.chown(tmp, st.st_uid, st.st_gid)
    except OSError:
        try:
            os.chown(tmp, -1, st.st_gid)
        except OSError:
            pass


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
    except RuntimeError as exc:  # Python < 3.13: "Symlink loop from ..." out of resolve()
        text = str(exc)
        return text[:1].lower() + text[1:]
    return f"folder {folder} does not exist"
