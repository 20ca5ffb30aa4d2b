"""What a batch export did, and the progress it reports while it runs."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class ExportProgress(NamedTuple):
    """One step of a long export: ``done`` of ``total`` finished, the last being ``path``."""

    done: int
    total: int
    path: Path


@dataclass
class ExportReport:
    """Files written and files that failed (with a one-line reason each)."""

    written: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled

    def lines(self) -> list[str]:
        """One line per failure, then a count (for a message box or the CLI)."""
        lines = [f"failed  {path.name}: {reason}" for path, reason in self.failed]
        summary = f"{len(self.written)} file{'s' if len(self.written) != 1 else ''} written"
        if self.failed:
            summary += f", {len(self.failed)} failed"
        if self.cancelled:
            summary += " (cancelled)"
        lines.append(summary)
        return lines


class ExportTask(Iterator[ExportProgress]):
    """A long export as an iterator of :class:`ExportProgress` (napari style).

    Iterate it (``for done, total, path in task``) to run the export and drive a progress bar.
    :meth:`cancel` may be called from any thread: it only sets a flag, and the thread that
    iterates stops at the next step and closes the generator itself (closing a generator
    from another thread while it runs raises ``ValueError: generator already executing``).
    Files already written stay, nothing is left half-written. ``report`` fills in as the
    export goes.
    """

    def __init__(self, steps: Generator[ExportProgress, None, None], report: ExportReport,
                 total: int):
        self._steps = steps
        self.report = report
        self.total = total
        self._finished = False
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._iterating = False
        self._last = 0

    def __iter__(self) -> ExportTask:
        return self

    def __next__(self) -> ExportProgress:
        with self._lock:
            if self._cancel.is_set():
                self._close()
                raise StopIteration
            self._iterating = True
        try:
            step = next(self._steps)
        except StopIteration:
            self._finished = True
            raise
        finally:
            with self._lock:
                self._iterating = False
                if self._cancel.is_set():
                    self._close()   # here, on the thread that iterates
        self._last = step.done
        return step

    def cancel(self) -> None:
        """Ask the export to stop, from any thread. If a step is running, the thread that
        iterates closes the generator when it returns; otherwise it is closed now (nothing
        is executing it). Running workers finish their file; nothing new starts."""
        with self._lock:
            self._cancel.set()
            if not self._iterating:
                self._close()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def close(self) -> None:
        """Stop now (from the thread that iterates, or when nothing iterates)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if not self._finished:
            self._finished = True
            self._steps.close()
            if self._last < self.total:
                self.report.cancelled = True

    def run(self) -> ExportReport:
        """Run to the end (or to a cancel) and return the report."""
        for _ in self:
            pass
        return self.report
