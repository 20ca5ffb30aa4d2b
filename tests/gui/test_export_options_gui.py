"""The export dialog: marked scripts only unless asked for all, choices remembered between
exports, and a clear word when the folder cannot be opened."""

from __future__ import annotations

import openpyxl
from PySide6.QtGui import QDesktopServices

from gui.dialogs.export import ExportDialog
from gui.settings import EXPORT_PACK, EXPORT_SCHOOL, EXPORT_UNMARKED


def _export(dialog, qtbot) -> None:
    dialog.start_export()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)


def _counts(marking_set) -> tuple[int, int]:
    statuses = marking_set.statuses()
    marked = sum(1 for s in statuses.values() if s in ("marked", "moderated"))
    return marked, len(statuses)


def test_only_marked_scripts_are_exported_by_default(window, qtbot, tmp_path):
    marked, count = _counts(window.marking_set)
    assert 0 < marked < count   # the demo set has scripts of both kinds
    left = count - marked
    dialog = window.export_dialog()
    assert not dialog.unmarked_box.isChecked()
    assert dialog.unmarked_box.text() == "Include scripts not marked yet"
    assert dialog.which_note.text() == (
        f"{marked} of {count} scripts are marked and will be exported; {left} not marked yet "
        f"{'is' if left == 1 else 'are'} left out.")
    dialog.folder_edit.setText(str(tmp_path / "marked"))
    _export(dialog, qtbot)
    assert dialog.failed == []
    assert len(list((tmp_path / "marked" / "Feedback").glob("*.docx"))) == marked
    markbook = next((tmp_path / "marked").glob("*markbook.xlsx"))
    assert openpyxl.load_workbook(markbook)["Marks"].max_row == 1 + marked

    dialog.unmarked_box.setChecked(True)
    assert dialog.which_note.text() == f"All {count} scripts will be exported."
    dialog.folder_edit.setText(str(tmp_path / "all"))
    _export(dialog, qtbot)
    assert len(list((tmp_path / "all" / "Feedback").glob("*.docx"))) == count
    dialog.close()


def test_the_choices_are_remembered_for_the_next_export(window, qtbot, tmp_path):
    first = window.export_dialog()
    first.folder_edit.setText(str(tmp_path / "out"))
    first.feedback_box.setChecked(False)
    first.excel_box.setChecked(False)
    first.csv_box.setChecked(True)
    first.descriptors_box.setChecked(False)
    first.unmarked_box.setChecked(True)
    first.pack_box.setChecked(False)
    first.pattern_edit.setText("{number}_{name}.docx")
    first.school_edit.setText("Northfield Academy")
    first.start_export()
    first.close()

    second = window.export_dialog()
    assert not second.feedback_box.isChecked() and not second.excel_box.isChecked()
    assert second.csv_box.isChecked() and second.unmarked_box.isChecked()
    assert not second.descriptors_box.isChecked() and second.script_box.isChecked()
    assert second.pattern_edit.text() == "{number}_{name}.docx"
    assert second.school_edit.text() == "Northfield Academy"
    second.close()
    # stored in the INI file with their types: a false box reads back as False
    assert window.settings.get(EXPORT_PACK) is False
    assert window.settings.get(EXPORT_UNMARKED) is True
    assert window.settings.get(EXPORT_SCHOOL) == "Northfield Academy"


def test_cover_sheets_default_to_the_rubric_until_chosen(window, qtbot):
    dialog = window.export_dialog()
    assert dialog.cover_box.isChecked() == bool(window.marking_set.scheme.word_limit)
    dialog.close()


def test_nothing_marked_exports_nothing_and_says_why(qtbot, tmp_path, window):
    from rubric.store.library import new_set
    from rubric.templates import template

    path = new_set("Nothing marked", template("aqa-history-essay-25"))
    assert window.open_set(path)
    dialog = window.export_dialog()
    assert dialog.which_note.text() == "0 of 0 scripts are marked and will be exported."
    dialog.folder_edit.setText(str(tmp_path / "out"))
    assert dialog.start_export() is None
    assert "No script is marked yet" in dialog.status.text()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    dialog.close()


def test_open_the_folder_says_so_when_it_cannot(window, qtbot, tmp_path, monkeypatch):
    dialog = window.export_dialog()
    dialog.folder_edit.setText(str(tmp_path / "out"))
    _export(dialog, qtbot)
    assert dialog.open_folder_button.isVisible()
    opened = []

    def open_url(url):
        opened.append(url.toLocalFile())
        return False   # as offscreen, or with no file manager

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    assert dialog.open_folder() is False
    assert opened == [str(tmp_path / "out")]
    message = f"Could not open the folder. The files are in {tmp_path / 'out'}"
    assert dialog.status.text() == message
    assert window.statusBar().currentMessage() == message

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: True))
    assert dialog.open_folder() is True
    dialog.folder_edit.setText(str(tmp_path / "gone"))
    assert dialog.open_folder() is False
    assert "is not there any more" in dialog.status.text()
    dialog.close()


def test_the_dialog_can_be_made_without_a_window(qtbot, demo_path, tmp_path):
    from rubric.store import MarkingSet

    with MarkingSet.open(demo_path) as ms:
        dialog = ExportDialog(ms)
        qtbot.addWidget(dialog)
        dialog.folder_edit.setText(str(tmp_path / "gone"))
        assert dialog.open_folder() is False   # no window: the dialog says it
        assert "is not there any more" in dialog.status.text()
