"""Hold back what native libraries print on file descriptor 2 (TensorFlow, absl, LiteRT).

TensorFlow's start-up lines ("oneDNN custom operations are on", "Could not find cuda
drivers", "failed call to cuInit") bypass Python's ``sys.stderr``.  Commands that promise one
line per problem capture the descriptor around the noisy calls and show the text only when
something failed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def captured_native_stderr() -> Iterator[list[str]]:
    """Redirect file descriptor 2 (C++ logs included) into a buffer for the duration.

    Yields a list that receives the captured text when the block ends.  Does nothing when
    stderr has no real file descriptor (e.g. under some test runners).
    """
    captured: list[str] = []
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield captured
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), fd)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            tmp.seek(0)
            captured.append(tmp.read().decode("utf-8", "replace"))
