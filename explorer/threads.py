"""Registry of the app's worker QThreads so shutdown and tests can find every one."""

from __future__ import annotations

import weakref

from PySide6.QtCore import QThread, QThreadPool

_THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()
_POOLS: dict[str, QThreadPool] = {}


def register_thread(thread: QThread) -> QThread:
    """Track ``thread``; every QThread the app starts goes through here."""
    _THREADS.add(thread)
    return thread


def running_threads() -> list[str]:
    """Names of tracked threads that are still running."""
    out = []
    for thread in list(_THREADS):
        try:
            if thread.isRunning():
                out.append(thread.objectName() or repr(thread))
        except RuntimeError:  # C++ object already deleted: not running
            continue
    return out


def stop_all_threads(timeout_ms: int = 2000) -> list[str]:
    """Ask every tracked thread to quit and wait; returns names that did not stop in time."""
    stuck = []
    for thread in list(_THREADS):
        try:
            if thread.isRunning():
                thread.requestInterruption()
                thread.quit()
                if not thread.wait(timeout_ms):
                    stuck.append(thread.objectName() or repr(thread))
        except RuntimeError:
            continue
    return stuck


def one_thread_pool(purpose: str) -> QThreadPool:
    """The app's one-thread pool for ``purpose`` ("convert", "decode", "snapshot"), made on
    first use: work of one kind runs in order, never on more than one core at a time."""
    pool = _POOLS.get(purpose)
    if pool is None:
        pool = _POOLS[purpose] = QThreadPool()
        pool.setMaxThreadCount(1)
    return pool
