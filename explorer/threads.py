"""Registry of the app's worker QThreads so shutdown and tests can find every one."""

from __future__ import annotations

import weakref
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, QThreadPool, Signal, Slot

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


class _GuiRelay(QObject):
    """Carries a call from a pool thread to the GUI thread.

    A pool thread that emitted a signal of a QObject the GUI thread could delete meanwhile
    (a photo's decoder, when another photo was opened while it decoded) crashed the app in
    Qt's signal code: the object was destroyed during the emit.  This one object, made on
    the GUI thread and never deleted, is what pool threads emit on; the call then runs on the
    GUI thread only if its receiver still exists.
    """

    call = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object)
    def _run(self, method: Callable[..., object], args: tuple[object, ...]) -> None:
        owner = getattr(method, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return  # deleted while the pool thread worked: nobody waits for the answer
        method(*args)


_RELAY: _GuiRelay | None = None


def gui_relay() -> _GuiRelay:
    """The app's relay to the GUI thread; call it first on the GUI thread (it is made there)."""
    global _RELAY
    if _RELAY is None:
        _RELAY = _GuiRelay()
    return _RELAY
