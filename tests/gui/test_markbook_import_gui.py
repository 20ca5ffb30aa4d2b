"""Import marks from a markbook in the window: the workbook is read on a worker thread while
the window stays responsive; Cancel and unreadable files change nothing."""

from __future__ import annotations

import threading

import openpyxl
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

import rubric.export
from gui.dialogs import export as export_dialog


@pytest.fixture
def edited(window, tmp_path, monkeypatch):
    """The demo set's markbook with Niamh Walsh's AO1 mark changed from 7 to 9, chosen in
    the file dialog; the preview records what it was shown and answers ``confirm``."""
    ms = window.marking_set
    rubric.export.export_markbook(ms, tmp_path / "marks.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "marks.xlsx")
    sheet = workbook["Marks"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1)
               if sheet.cell(r, headers.index("Candidate name") + 1).value == "Niamh Walsh")
    sheet.cell(row, headers.index("AO1 mark") + 1).value = 9
    workbook.save(tmp_path / "edited.xlsx")
    monkeypatch.setattr(window, "_ask_markbook_path", lambda: str(tmp_path / "edited.xlsx"))
    shown = {"confirm": True}

    def answer(parent, lines, count, marker_text):
        shown["lines"], shown["count"] = lines, count
        return shown["confirm"]

    monkeypatch.setattr(export_dialog.MarkbookImportDialog, "ask", staticmethod(answer))
    walsh = next(s for s in ms.scripts() if s.candidate_name == "Niamh Walsh")
    return ms, walsh, shown


@pytest.fixture
def gated_read(monkeypatch):
    """read_markbook held on its thread until ``gate`` is set; records that thread."""
    real = rubric.export.read_markbook
    gate = threading.Event()
    seen: dict = {}

    def read(path, source, marker=None):
        seen["thread"] = threading.get_ident()
        seen["source"] = source
        assert gate.wait(20), "the test never let the read finish"
        return real(path, source, marker)

    monkeypatch.setattr(rubric.export, "read_markbook", read)
    return gate, seen


def test_the_markbook_is_read_off_the_gui_thread_and_the_window_stays_responsive(
        window, qtbot, edited, gated_read):
    ms, walsh, shown = edited
    gate, seen = gated_read
    task = window.import_marks()
    assert task is not None
    qtbot.waitUntil(lambda: "thread" in seen, timeout=10_000)
    # The read is held on its thread, and the GUI thread goes on: timers fire, the window
    # repaints, and a busy dialog with Cancel is up.
    assert seen["thread"] != threading.get_ident()
    assert not isinstance(seen["source"], type(ms))  # a snapshot, not the live set
    ticks = []
    QTimer.singleShot(0, lambda: ticks.append("tick"))
    qtbot.waitUntil(lambda: ticks == ["tick"], timeout=5_000)
    window.repaint()
    progress = window.markbook_progress
    assert progress.isVisible() and progress.maximum() == 0  # busy, not a fake percentage
    assert "count" not in shown and ms.marks_for(walsh.id)["AO1"].mark == 7
    gate.set()
    qtbot.waitUntil(lambda: window._markbook_task is None, timeout=20_000)
    assert shown["count"] == 1 and "Level 2 7 → Level 2 9" in shown["lines"][0]
    assert ms.marks_for(walsh.id)["AO1"].mark == 9
    assert not progress.isVisible()
    [entry] = [e for e in ms.audit_log() if e.action == "import markbook"]
    assert entry.new["changes"] == 1 and entry.new["file"] == "edited.xlsx"


def test_cancel_while_reading_changes_nothing(window, qtbot, edited, gated_read):
    ms, walsh, shown = edited
    gate, seen = gated_read
    window.import_marks()
    qtbot.waitUntil(lambda: "thread" in seen, timeout=10_000)
    qtbot.mouseClick(window.markbook_progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: window._markbook_task is None, timeout=20_000)
    QApplication.processEvents()
    assert "count" not in shown  # no preview, nothing applied
    assert ms.marks_for(walsh.id)["AO1"].mark == 7
    assert "cancelled" in window.statusBar().currentMessage()


def test_an_unreadable_markbook_is_an_error_and_changes_nothing(window, qtbot, tmp_path,
                                                                monkeypatch):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("just text")
    monkeypatch.setattr(window, "_ask_markbook_path", lambda: str(bad))
    before = [(m.script_id, m.mark) for m in window.marking_set.marks()]
    window.import_marks()
    qtbot.waitUntil(lambda: window._markbook_task is None, timeout=20_000)
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.objectName() == "error_box" and w.isVisible()]
    assert boxes and "not an Excel workbook" in boxes[-1].text()
    assert [(m.script_id, m.mark) for m in window.marking_set.marks()] == before
