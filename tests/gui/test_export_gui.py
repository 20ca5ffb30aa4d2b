"""Export and marks back in, from the window."""

from __future__ import annotations

import docx
import openpyxl
from PySide6.QtWidgets import QApplication

from gui.dialogs import export as export_dialog


def test_export_dialog_writes_word_and_excel_with_progress(window, qtbot, tmp_path):
    dialog = window.export_dialog()
    dialog.folder_edit.setText(str(tmp_path / "out"))
    dialog.pack_box.setChecked(True)
    dialog.csv_box.setChecked(True)
    dialog.unmarked_box.setChecked(True)   # every script, marked or not
    dialog.school_edit.setText("Northfield Academy")
    task = dialog.start_export()
    assert task is not None and dialog.progress.isVisible()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)
    assert dialog.failed == []
    assert "Done" in dialog.status.text()
    assert dialog.open_folder_button.isVisible()
    feedback = sorted((tmp_path / "out" / "Feedback").glob("*.docx"))
    assert len(feedback) == window.script_model.rowCount()
    markbook = next((tmp_path / "out").glob("*markbook.xlsx"))
    assert "Marks" in openpyxl.load_workbook(markbook).sheetnames
    pack = next((tmp_path / "out").glob("*class pack.docx"))
    assert "Northfield Academy" in "\n".join(p.text for p in docx.Document(str(pack)).paragraphs)
    dialog.close()


def test_export_can_be_cancelled_and_keeps_what_was_written(window, qtbot, tmp_path):
    dialog = window.export_dialog()
    dialog.folder_edit.setText(str(tmp_path / "out"))
    dialog.excel_box.setChecked(False)
    dialog.start_export()
    dialog.cancel_button.click()          # cancel while running
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)
    written = list((tmp_path / "out" / "Feedback").glob("*.docx"))
    assert len(written) <= window.script_model.rowCount()
    assert not list((tmp_path / "out" / "Feedback").glob("*.tmp"))   # no half files
    assert dialog.cancel_button.text() == "Close"
    dialog.close()


def test_a_failed_export_is_reported_not_crashing(window, qtbot, tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    dialog = window.export_dialog()
    dialog.folder_edit.setText(str(blocker))
    dialog.start_export()
    assert any(dialog.results.item(i).text().startswith("failed")
               for i in range(dialog.results.count()))
    assert not dialog.open_folder_button.isVisible()
    dialog.close()


def test_import_marks_shows_changes_and_applies_only_on_confirmation(window, monkeypatch,
                                                                     tmp_path, qtbot):
    from rubric.export import export_markbook

    ms = window.marking_set
    export_markbook(ms, tmp_path / "marks.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "marks.xlsx")
    sheet = workbook["Marks"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1)
               if sheet.cell(r, headers.index("Candidate name") + 1).value == "Niamh Walsh")
    sheet.cell(row, headers.index("AO1 mark") + 1).value = 9
    workbook.save(tmp_path / "edited.xlsx")
    monkeypatch.setattr(window, "_ask_markbook_path", lambda: str(tmp_path / "edited.xlsx"))
    shown = {}

    def answer(parent, lines, count, marker_text):
        shown["lines"], shown["count"] = lines, count
        return shown.get("confirm", False)

    monkeypatch.setattr(export_dialog.MarkbookImportDialog, "ask", staticmethod(answer))
    walsh = next(s for s in ms.scripts() if s.candidate_name == "Niamh Walsh")
    assert window.import_marks() is not None      # read on a worker thread
    qtbot.waitUntil(lambda: window._markbook_task is None, timeout=20_000)
    assert shown["count"] == 1 and "Level 2 7 → Level 2 9" in shown["lines"][0]
    assert ms.marks_for(walsh.id)["AO1"].mark == 7          # not applied: not confirmed
    shown["confirm"] = True
    window.import_marks()
    qtbot.waitUntil(lambda: window._markbook_task is None, timeout=20_000)
    assert ms.marks_for(walsh.id)["AO1"].mark == 9
    row = window.script_model.row_of(walsh.id)
    assert window.script_model.index(row, 3).data() == "L2 · 9"
    QApplication.processEvents()
