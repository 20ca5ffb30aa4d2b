"""Import Cancel really stops, and a big import never freezes the window.

Cancel is a flag the worker checks between files (it closes the core's generator on its
own thread); results that arrive after Cancel, or are still waiting, are dropped; scripts
are added on the GUI thread in small groups, one transaction per turn of the event loop."""

from __future__ import annotations

import itertools
import threading
import time

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPushButton

from gui.tasks import Batches, GeneratorTask, start

FILES = 200


def press_cancel(window) -> None:
    """Click the progress dialog's Cancel button, as the teacher does."""
    window._import_progress.findChild(QPushButton).click()


def write_scripts(folder, count: int = FILES):
    folder.mkdir()
    body = ("Witte's reforms changed the Russian economy in the 1890s, as the railway "
            "boom shows. ") * 12
    for n in range(count):
        (folder / f"{6000 + n}_Pupil_Sam{n:03d}.txt").write_text(
            f"Essay {n}\n\n{body}\n\n{body}\n", encoding="utf-8")
    return folder


def test_cancel_stops_the_import_and_nothing_more_is_added(window, qtbot, tmp_path,
                                                           monkeypatch):
    import functools

    from gui import main_window
    from gui.tasks import Batches

    # small groups, so that on a fast machine the worker cannot hand over all 200 files in
    # the first group before Cancel is seen (the behaviour is the same at any group size)
    monkeypatch.setattr(main_window, "Batches", functools.partial(Batches, budget=0.001))
    folder = write_scripts(tmp_path / "class")
    ms = window.marking_set
    before = len(ms.script_ids())
    task = window.import_paths([folder])
    batches = window._import_batches
    at_cancel: dict[str, int] = {}

    def cancel_after_twenty() -> None:
        if not at_cancel and window.import_counts["imported"] >= 20:
            at_cancel["reported"] = window.import_counts["imported"]
            at_cancel["in set"] = len(ms.script_ids()) - before
            press_cancel(window)

    batches.group_done.connect(cancel_after_twenty)
    qtbot.waitUntil(lambda: batches.finished, timeout=60_000)
    assert batches.cancelled, "the import finished before it could be cancelled"
    reported = at_cancel["reported"]
    assert 20 <= reported < FILES
    added = len(ms.script_ids()) - before
    assert added <= reported + 1        # at most the one file in flight
    assert window.import_counts["imported"] == reported
    # the worker stops (the file it was reading is dropped) and nothing more arrives
    qtbot.waitUntil(lambda: window._import_task is None, timeout=30_000)
    assert task.cancelled
    qtbot.wait(300)
    assert len(ms.script_ids()) - before == added
    assert window.script_model.rowCount() == before + added
    message = window.statusBar().currentMessage()
    assert message == f"Import cancelled: {reported} imported, {FILES - reported} not imported"
    summary = window.last_import_summary
    assert summary is not None and "cancelled" in summary.headline.text()
    assert f"{reported} imported" in summary.headline.text()


def test_a_result_that_arrives_after_cancel_is_dropped(window, qtbot, tmp_path):
    from rubric.importing import import_batch

    folder = write_scripts(tmp_path / "class", 40)
    late_file = write_scripts(tmp_path / "late", 1) / "6000_Pupil_Sam000.txt"
    late_file.write_text("A different essay about Stolypin's reforms.\n", encoding="utf-8")
    (late,) = list(import_batch([late_file]))
    assert late.ok
    ms = window.marking_set
    task = window.import_paths([folder])
    batches = window._import_batches
    batches.group_done.connect(lambda: press_cancel(window))   # Cancel after one group
    qtbot.waitUntil(lambda: batches.finished, timeout=60_000)
    assert batches.cancelled
    count = len(ms.script_ids())
    dropped = batches.dropped
    task.signals.item.emit(late)   # the worker's result for a file read during Cancel
    assert batches.dropped == dropped + 1
    qtbot.waitUntil(lambda: window._import_task is None, timeout=30_000)
    qtbot.wait(100)
    assert len(ms.script_ids()) == count
    assert ms.script_with_hash(late.draft.source_hash) is None


def test_the_worker_checks_cancel_between_items_and_closes_the_generator_itself(qtbot):
    produced: list[int] = []
    closed_on: list[int] = []
    gate = threading.Semaphore(0)

    def generator():
        try:
            for n in itertools.count():
                gate.acquire()   # the test lets items through one at a time
                produced.append(n)
                yield n
        finally:
            closed_on.append(threading.get_ident())

    task = GeneratorTask(generator)
    received: list[int] = []
    task.signals.item.connect(received.append)
    start(task)
    for _ in range(3):
        gate.release()
    qtbot.waitUntil(lambda: len(received) == 3, timeout=10_000)
    with qtbot.waitSignal(task.signals.finished, timeout=10_000) as finished:
        task.cancel()
        gate.release()   # the worker may be waiting for a fourth item: it is not posted
    assert finished.args == [True]
    assert received == [0, 1, 2]
    assert produced[:3] == [0, 1, 2] and len(produced) <= 4
    assert closed_on and closed_on[0] != threading.get_ident()   # closed on the worker


def test_items_are_added_in_small_groups_so_the_window_keeps_repainting(qtbot):
    task = GeneratorTask(lambda: iter(range(100)))
    groups: list[list[int]] = []
    done: list[bool] = []

    def handle(take) -> None:
        group = []
        while (item := take()) is not None:
            time.sleep(0.002)   # the cost of adding one script (not a synchronisation)
            group.append(item)
        groups.append(group)

    Batches(task, handle, done.append, budget=0.02)
    ticks: list[float] = []
    ticker = QObject()
    ticker.startTimer(0)
    ticker.timerEvent = lambda _event: ticks.append(time.perf_counter())
    start(task)
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    assert done == [False]
    assert [item for group in groups for item in group] == list(range(100))
    assert max(len(group) for group in groups) <= 11   # 20 ms of 2 ms items, plus one
    assert len(groups) >= 10
    assert len(ticks) >= len(groups) - 1   # the event loop turned between the groups
