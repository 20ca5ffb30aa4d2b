"""Cancelling an export from another thread while a worker runs it (the app's Cancel
button): the flag is set, the iterating thread stops and closes the generator itself.
Without Qt, and repeated so that a race would show."""

from __future__ import annotations

import threading
from pathlib import Path

from rubric.export.report import ExportProgress, ExportReport, ExportTask


def _slow_export(report: ExportReport, total: int, started: threading.Event,
                 release: threading.Event):
    for done in range(1, total + 1):
        if done == 3:
            started.set()
            release.wait(5)   # a file being written when Cancel is pressed
        report.written.append(Path(f"{done}.docx"))
        yield ExportProgress(done, total, Path(f"{done}.docx"))


def test_cancel_from_another_thread_while_a_step_runs_never_raises():
    for _ in range(50):
        report = ExportReport()
        started, release = threading.Event(), threading.Event()
        task = ExportTask(_slow_export(report, 10, started, release), report, 10)
        errors: list[BaseException] = []

        def work(task=task, errors=errors) -> None:
            try:
                for _step in task:
                    pass
            except BaseException as exc:  # noqa: BLE001 - the test looks at it
                errors.append(exc)

        worker = threading.Thread(target=work)
        worker.start()
        assert started.wait(5)
        task.cancel()            # the GUI thread, while the worker is inside next()
        release.set()
        worker.join(5)
        assert not worker.is_alive()
        assert errors == []
        assert report.cancelled
        assert len(report.written) == 3   # the file in progress finished; nothing new


def test_cancel_when_nothing_iterates_stops_at_once():
    report = ExportReport()
    started, release = threading.Event(), threading.Event()
    release.set()
    task = ExportTask(_slow_export(report, 5, started, release), report, 5)
    next(task)
    task.cancel()
    assert report.cancelled
    assert list(task) == []
