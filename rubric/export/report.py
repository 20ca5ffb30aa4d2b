"""What a batch export did, and the progress it reports while it runs."""

from __future__ import annotations

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

    Iterate it (``for done, total, path in task``) to run the export and drive a progress bar;
    stop iterating and call :meth:`cancel` (or ``close()``) to stop: files already written stay,
    nothing is left half-written. ``report`` fills in as the export goes.
    """

    def __init__(self, steps: Generator[ExportProgress, None, None], report: ExportReport,
                 total: int):
        self._steps = steps
        self.report = report
        self.total = total
        self._finished = False
        self._last = 0

    def __iter__(self) -> ExportTask:
        return self

    def __next__(self) -> ExportProgress:
        try:
            step = next(self._steps)
        except StopIteration:
            self._finished = True
            raise
        self._last = step.done
        return step

    def cancel(self) -> None:
        """Stop the export (running workers finish their file; nothing new starts)."""
        if not self._finished:
            self._steps.close()
            self._finished = True
            if self._last < self.total:
                self.report.cancelled = True

    close = cancel

    def run(self) -> ExportReport:
        """Run to the end and return the report."""
        for _ in self:
            pass
        return self.report
