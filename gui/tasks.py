"""Running long work (import, export) off the GUI thread.

The work is a plain generator from the core that yields progress; a QRunnable iterates it
and posts each item back through a queued signal. Widgets are touched only on the GUI
thread. Cancel is a flag the worker checks between items: it stops asking the generator
for more and closes it (on the worker thread, the one that iterates it: a generator must
never be closed from another thread while it runs). What was done stays done.

:class:`Batches` takes a task's items on the GUI thread and hands them on in small groups,
one group per turn of the event loop, so that the window repaints and Cancel is seen while
a big import is added; after Cancel, items that arrive (or wait) are dropped.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal


class _Signals(QObject):
    item = Signal(object)
    failed = Signal(str, str)
    finished = Signal(bool)  # True when cancelled


class GeneratorTask(QRunnable):
    """Iterate ``make_generator()`` on a pool thread; ``signals.item`` fires per yield."""

    def __init__(self, make_generator: Callable[[], Iterator[Any]]):
        super().__init__()
        self.setAutoDelete(False)
        self._make_generator = make_generator
        self._cancel = threading.Event()
        self.signals = _Signals()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        generator = None
        try:
            if not self._cancel.is_set():
                generator = iter(self._make_generator())
            while generator is not None and not self._cancel.is_set():
                try:
                    item = next(generator)
                except StopIteration:
                    break
                if self._cancel.is_set():
                    break   # the item finished while Cancel was pressed: not posted
                self.signals.item.emit(item)
        except Exception as exc:  # reported on the GUI thread
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        finally:
            close = getattr(generator, "close", None)
            if close is not None:
                try:
                    close()   # here, on the thread that iterated it
                except Exception:  # noqa: BLE001 - a generator's clean-up must not stop us
                    pass
        self.signals.finished.emit(self._cancel.is_set())


#: Tasks started and not yet finished (plus a grace period): a QRunnable that is not
#: auto-deleted must outlive its run() on the pool thread, whoever else drops it.
_alive: set[GeneratorTask] = set()


def start(task: GeneratorTask) -> GeneratorTask:
    _alive.add(task)
    task.signals.finished.connect(
        lambda _cancelled: QTimer.singleShot(1000, lambda: _alive.discard(task)))
    QThreadPool.globalInstance().start(task)
    return task


class Batches(QObject):
    """Hand ``task``'s items to ``handle_group`` on the GUI thread, a small group per turn
    of the event loop.

    ``handle_group(take)`` calls ``take()`` for the next item until it returns None: the
    group is over when the queue is empty, ``budget`` seconds have passed, or Cancel was
    pressed (so a caller can wrap a group in one transaction, and the window repaints
    between groups). ``done(cancelled)`` is called once: when the worker has finished and
    every item was handled, or at once on :meth:`cancel`, which stops the worker and drops
    every item not handled yet (queued, or arriving later). A ``handle_group`` that is
    running when Cancel is pressed (a modal progress dialog processes events) ends its
    group at the next ``take()``.
    """

    #: after each group has been handled (for progress displays and tests)
    group_done = Signal()

    _alive: set[Batches] = set()   # until done and the worker has finished

    def __init__(self, task: GeneratorTask, handle_group: Callable[[Callable[[], Any]], None],
                 done: Callable[[bool], None], budget: float = 0.04,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.task = task
        self._handle_group = handle_group
        self._done = done
        self._budget = budget
        self._queue: deque[Any] = deque()
        self._deadline = 0.0
        self._running = False
        self._worker_finished = False
        self.cancelled = False
        self.finished = False
        self.dropped = 0   # items that arrived and were never handled (after Cancel)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._drain)
        task.signals.item.connect(self._arrived)
        task.signals.finished.connect(self._worker_done)
        Batches._alive.add(self)

    @property
    def pending(self) -> int:
        return len(self._queue)

    def _arrived(self, item: Any) -> None:
        if self.cancelled or self.finished:
            self.dropped += 1
            return
        self._queue.append(item)
        if not self._timer.isActive():
            self._timer.start()

    def _worker_done(self, _cancelled: bool) -> None:
        self._worker_finished = True
        if not self._queue and not self._running:
            self._finish(False)
        if self.finished:
            Batches._alive.discard(self)

    def _take(self) -> Any:
        if self.cancelled or not self._queue or time.perf_counter() > self._deadline:
            return None
        return self._queue.popleft()

    def _drain(self) -> None:
        if self._running or self.finished:
            return   # re-entered from a modal dialog's event processing
        if self.cancelled or not self._queue:
            self._timer.stop()
            return
        self._running = True
        self._deadline = time.perf_counter() + self._budget
        try:
            self._handle_group(self._take)
        finally:
            self._running = False
        self.group_done.emit()
        if self.cancelled:
            self._finish(True)   # Cancel was pressed during the group (or just after)
            return
        if not self._queue:
            self._timer.stop()
            if self._worker_finished and not self.cancelled:
                self._finish(False)

    def cancel(self) -> None:
        """Stop the worker and drop what it has not handed over yet (GUI thread)."""
        if self.cancelled or self.finished:
            return
        self.cancelled = True
        self.task.cancel()
        self.dropped += len(self._queue)
        self._queue.clear()
        self._timer.stop()
        if not self._running:
            self._finish(True)   # else when the running group has ended

    def _finish(self, cancelled: bool) -> None:
        if self.finished:
            return
        self.finished = True
        self._timer.stop()
        if self._worker_finished:
            Batches._alive.discard(self)
        self._done(cancelled)
