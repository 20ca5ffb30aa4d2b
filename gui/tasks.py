"""Running long work (import, export) off the GUI thread.

The work is a plain generator from the core that yields progress; a QRunnable iterates it
and posts each item back through a queued signal. Widgets are touched only on the GUI
thread. Cancel stops the iteration between items; what was done stays done.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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
        try:
            for item in self._make_generator():
                if self._cancel.is_set():
                    break
                self.signals.item.emit(item)
        except Exception as exc:  # reported on the GUI thread
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        self.signals.finished.emit(self._cancel.is_set())


def start(task: GeneratorTask) -> GeneratorTask:
    QThreadPool.globalInstance().start(task)
    return task
