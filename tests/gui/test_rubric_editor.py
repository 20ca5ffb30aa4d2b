"""The rubric editor dialog: live validation, conflicts with existing marks, template files."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
)

from gui.dialogs.rubric_editor import LevelsModel, RubricEditorDialog
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.record import replace
from rubric.scheme import Level, load_scheme, problems
from rubric.store import MarkingSet
from rubric.templates import bundled_templates, default_scheme, template

LEVEL_3 = 3  # row of "Level 3" (11–15) in the default template, after Level 0
# The real question, taken before the autouse fixture answers every one with "Discard".
REAL_CONFIRM = RubricEditorDialog.__dict__["_confirm_discard"]
TO = LevelsModel.TO


@pytest.fixture
def open_editor(qtbot):
    def make(scheme=None, conflicts=None, script_names=None) -> RubricEditorDialog:
        dialog = RubricEditorDialog(scheme or default_scheme(), conflicts=conflicts,
                                    script_names=script_names)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog
    return make


def set_cell(dialog: RubricEditorDialog, row: int, column: int, value) -> None:
    model = dialog.levels_model
    assert model.setData(model.index(row, column), value)


def select_level(dialog: RubricEditorDialog, row: int) -> None:
    table = dialog.levels_table
    table.setCurrentIndex(dialog.levels_model.index(row, 0))


def problems_text(dialog: RubricEditorDialog) -> str:
    return dialog.findChild(QLabel, "problems_label").text()


def ok_button(dialog: RubricEditorDialog) -> QPushButton:
    return dialog.findChild(QPushButton, "ok_button")


# -- opening and simple edits ------------------------------------------------------------


def test_opens_on_the_default_template_unchanged(open_editor):
    scheme = default_scheme()
    dialog = open_editor(scheme)
    assert dialog.result_scheme() == scheme
    assert dialog.findChild(QPlainTextEdit, "question_edit").toPlainText() == scheme.question
    criteria = dialog.findChild(QListWidget, "criteria_list")
    assert criteria.count() == 1 and criteria.currentRow() == 0
    assert dialog.findChild(QTableView, "levels_table").model().rowCount() == 6
    assert dialog.findChild(QLabel, "total_label").text() == "Total: 25 marks"
    assert problems_text(dialog) == "No problems: the rubric is ready to use."
    assert ok_button(dialog).isEnabled()
    assert ok_button(dialog).text() == "Apply"
    assert not dialog.conflicts_frame.isVisibleTo(dialog)


def test_edited_question_and_header_fields_are_in_the_result(open_editor, qtbot):
    dialog = open_editor()
    question = dialog.findChild(QPlainTextEdit, "question_edit")
    question.clear()
    # QTest types ASCII only; curly quotes go in through the widget's own setter below.
    qtbot.keyClicks(question, "'Stolypin saved Tsarism.' Assess the validity of this view.")
    dialog.title_edit.setText("Russia essay, mock")
    dialog.board_edit.setText("Edexcel")
    dialog.word_limit_spin.setValue(2000)
    result = dialog.result_scheme()
    assert result.question == "'Stolypin saved Tsarism.' Assess the validity of this view."
    assert result.title == "Russia essay, mock"
    assert result.board == "Edexcel"
    assert result.word_limit == 2000
    assert result.id == default_scheme().id
    question.setPlainText("‘Stolypin’s reforms saved Tsarism.’ Assess the validity of this view.\n")
    assert dialog.result_scheme().question.startswith("‘Stolypin’s")
    assert not dialog.result_scheme().question.endswith("\n")
    dialog.word_limit_spin.setValue(0)  # shown as "none"
    assert dialog.word_limit_spin.text() == "none"
    assert dialog.result_scheme().word_limit is None


def test_an_empty_question_is_a_problem_until_it_is_written(open_editor):
    dialog = open_editor()
    dialog.question_edit.setPlainText("   ")
    assert "the question is empty" in problems_text(dialog)
    assert not ok_button(dialog).isEnabled()
    dialog.question_edit.setPlainText("To what extent …?")
    assert ok_button(dialog).isEnabled()


def test_descriptor_and_indicative_content_of_the_selected_level(open_editor):
    dialog = open_editor()
    select_level(dialog, LEVEL_3)
    assert dialog.descriptor_edit.toPlainText() == default_scheme().criteria[0].levels[3].descriptor
    assert "Level 3" in dialog.descriptor_label.text()
    dialog.descriptor_edit.setPlainText("Some analysis,\nlimited balance.")
    dialog.indicative_edit.setPlainText("Mentions the October Manifesto.")
    level = dialog.result_scheme().criteria[0].levels[LEVEL_3]
    assert level.descriptor == "Some analysis,\nlimited balance."
    assert level.indicative == "Mentions the October Manifesto."
    # The table shows a one-line preview of the descriptor.
    preview = dialog.levels_model.index(LEVEL_3, LevelsModel.DESCRIPTOR).data()
    assert preview == "Some analysis, limited balance."
    # Another level shows its own text, and editing it does not touch Level 3.
    select_level(dialog, 1)
    assert dialog.descriptor_edit.toPlainText() == default_scheme().criteria[0].levels[1].descriptor
    assert dialog.result_scheme().criteria[0].levels[LEVEL_3].descriptor.startswith("Some")


# -- live validation -----------------------------------------------------------------------


def test_an_overlapping_level_shows_the_core_message_and_disables_ok(open_editor):
    dialog = open_editor()
    set_cell(dialog, LEVEL_3, TO, 17)  # Level 3: 11–17 overlaps Level 4: 16–20

    found = problems(dialog.result_scheme())
    assert found and any("overlaps" in message for message in found)
    text = problems_text(dialog)
    for message in found:
        assert message in text  # the core's exact words
    assert not ok_button(dialog).isEnabled()
    assert not dialog.save_template_button.isEnabled()
    # The criterion and the level carry a warning too.
    assert not dialog.criteria_list.item(0).icon().isNull()
    assert "overlaps" in dialog.criteria_list.item(0).toolTip()
    assert dialog.levels_model.index(LEVEL_3, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert dialog.levels_model.index(1, 0).data(Qt.ItemDataRole.DecorationRole) is None

    # Enter does not get round the disabled button.
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted

    set_cell(dialog, LEVEL_3, TO, 15)
    assert problems_text(dialog) == "No problems: the rubric is ready to use."
    assert ok_button(dialog).isEnabled()
    assert dialog.levels_model.index(LEVEL_3, 0).data(Qt.ItemDataRole.DecorationRole) is None


def test_a_range_typed_into_the_table_editor_is_validated(open_editor, qtbot):
    dialog = open_editor()
    table = dialog.levels_table
    index = dialog.levels_model.index(LEVEL_3, TO)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.findChild(QSpinBox)
    assert editor is not None and editor.maximum() == 999
    editor.setValue(17)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on a queued call
    qtbot.waitUntil(lambda: dialog.result_scheme().criteria[0].levels[LEVEL_3].max_mark == 17)
    assert "overlaps" in problems_text(dialog)
    assert not ok_button(dialog).isEnabled()


def test_the_total_follows_the_criterion_maxima(open_editor):
    dialog = open_editor()
    dialog.criterion_maximum_spin.setValue(30)
    # The maximum is now above the top level: a problem, but never a total mismatch.
    assert dialog.result_scheme().total == 30
    assert dialog.total_label.text() == "Total: 30 marks"
    assert not any("scheme total" in message for message in dialog.problems())
    assert any("top level ends at 25" in message for message in dialog.problems())
    set_cell(dialog, 5, TO, 30)
    assert dialog.problems() == []


# -- criteria --------------------------------------------------------------------------------


def test_adding_renaming_and_reordering_criteria(open_editor, qtbot):
    dialog = open_editor()
    dialog.add_criterion_button.click()
    assert dialog.criteria_list.count() == 2
    assert dialog.criteria_list.currentRow() == 1
    assert dialog.total_label.text() == "Total: 35 marks"
    assert dialog.result_scheme().total == 35
    assert dialog.problems() == []  # a new criterion is valid as it stands

    dialog.criterion_name_edit.selectAll()
    qtbot.keyClicks(dialog.criterion_name_edit, "AO2")
    dialog.criterion_maximum_spin.setValue(15)
    set_cell(dialog, 1, TO, 15)  # its top level reaches the new maximum
    assert dialog.criteria_list.item(1).text() == "AO2  ·  15 marks"
    assert dialog.total_label.text() == "Total: 40 marks"
    assert dialog.problems() == []

    dialog.criterion_up_button.click()
    assert [c.name for c in dialog.result_scheme().criteria] == ["AO2", "AO1"]
    assert dialog.criteria_list.currentRow() == 0
    assert dialog.criterion_name_edit.text() == "AO2"
    assert not dialog.criterion_up_button.isEnabled()
    dialog.criterion_down_button.click()
    assert [c.name for c in dialog.result_scheme().criteria] == ["AO1", "AO2"]

    dialog.remove_criterion_button.click()
    assert [c.name for c in dialog.result_scheme().criteria] == ["AO1"]
    assert dialog.total_label.text() == "Total: 25 marks"


def test_a_duplicate_criterion_name_is_a_problem(open_editor):
    dialog = open_editor()
    dialog.add_criterion()
    dialog.criterion_name_edit.setText("AO1")
    assert "criterion AO1: the name is used by another criterion" in dialog.problems()
    assert not ok_button(dialog).isEnabled()


def test_removing_every_criterion_is_a_problem(open_editor):
    dialog = open_editor()
    dialog.remove_criterion()
    assert dialog.criteria_list.count() == 0
    assert not dialog.criterion_group.isEnabled()
    assert "the rubric has no criteria" in problems_text(dialog)
    assert not ok_button(dialog).isEnabled()


# -- levels --------------------------------------------------------------------------------


def test_removing_and_reordering_levels(open_editor):
    dialog = open_editor()
    select_level(dialog, 5)
    dialog.level_up_button.click()
    labels = [lv.label for lv in dialog.result_scheme().criteria[0].levels]
    assert labels == ["Level 0", "Level 1", "Level 2", "Level 3", "Level 5", "Level 4"]
    assert dialog.levels_table.currentIndex().row() == 4
    assert any("ascending order" in message for message in dialog.problems())
    assert not ok_button(dialog).isEnabled()

    dialog.level_down_button.click()
    assert [lv.label for lv in dialog.result_scheme().criteria[0].levels][-1] == "Level 5"
    assert dialog.problems() == []

    select_level(dialog, 5)
    dialog.remove_level_button.click()
    levels = dialog.result_scheme().criteria[0].levels
    assert [lv.label for lv in levels][-1] == "Level 4"
    assert dialog.levels_table.currentIndex().row() == 4
    assert any("top level ends at 20" in message for message in dialog.problems())
    # Lowering the maximum to the new top level makes it valid again (20 marks).
    dialog.criterion_maximum_spin.setValue(20)
    assert dialog.problems() == []
    assert dialog.result_scheme().total == 20


def test_adding_a_level_continues_above_the_selected_one(open_editor):
    dialog = open_editor()
    select_level(dialog, 5)
    dialog.add_level_button.click()
    new = dialog.result_scheme().criteria[0].levels[6]
    assert new == Level("Level 6", 26, 30)
    assert dialog.levels_table.currentIndex().row() == 6
    assert any("outside 0–25" in message for message in dialog.problems())
    dialog.criterion_maximum_spin.setValue(30)
    assert dialog.problems() == []
    assert dialog.total_label.text() == "Total: 30 marks"


def test_a_level_label_is_edited_in_the_table(open_editor):
    dialog = open_editor()
    set_cell(dialog, 1, LevelsModel.LABEL, "  Level 2 ")
    assert "the label is used by another level" in problems_text(dialog)
    set_cell(dialog, 1, LevelsModel.LABEL, "Band 1")
    assert dialog.result_scheme().criteria[0].levels[1].label == "Band 1"
    assert dialog.problems() == []


def test_levels_model_is_a_well_behaved_qt_model(qtmodeltester):
    model = LevelsModel()
    model.set_levels(default_scheme().criteria[0].levels)
    qtmodeltester.check(model)
    model.move_level(5, -1)
    model.insert_level(0, Level("Level -", 0, 0))
    model.remove_level(1)
    model.set_problems({0: ["a problem"]})
    qtmodeltester.check(model)


# -- conflicts with marks already given ----------------------------------------------------


def test_conflicts_are_listed_and_counted_on_the_ok_button(open_editor):
    calls = []

    def conflicts(scheme):
        calls.append(scheme)
        maximum = scheme.criteria[0].maximum if scheme.criteria else 0
        return [SimpleNamespace(mark=SimpleNamespace(script_id=script_id),
                                reason=f"AO1: {mark} is above the new maximum of {maximum}")
                for script_id, mark in ((3, 22), (7, 24), (12, 21)) if mark > maximum]

    names = {3: "Callum MacLeod (4226)", 7: "Amira Khan (4017)", 12: "Grace Chen (4211)"}
    dialog = open_editor(conflicts=conflicts, script_names=names)
    assert ok_button(dialog).text() == "Apply"
    assert not dialog.conflicts_frame.isVisibleTo(dialog)

    dialog.criterion_maximum_spin.setValue(20)
    set_cell(dialog, 5, LevelsModel.FROM, 17)
    set_cell(dialog, 5, TO, 20)
    set_cell(dialog, 4, TO, 16)
    assert dialog.problems() == []
    text = dialog.findChild(QLabel, "conflicts_label").text()
    assert text.splitlines()[0] == "3 marks no longer fit and will be flagged for review:"
    assert "Callum MacLeod (4226): AO1: 22 is above the new maximum of 20" in text
    assert "Grace Chen (4211): AO1: 21 is above the new maximum of 20" in text
    assert "script 3" not in text and "script 12" not in text
    assert dialog.conflicts_frame.isVisibleTo(dialog)
    assert ok_button(dialog).text() == "Apply and flag 3 marks"
    assert ok_button(dialog).isEnabled()  # marks are flagged, never a reason to refuse

    # Editing text that cannot change whether a mark fits does not query the set again.
    before = len(calls)
    dialog.question_edit.setPlainText("How far …?")
    assert len(calls) == before

    dialog.criterion_maximum_spin.setValue(21)
    assert ok_button(dialog).text() == "Apply and flag 2 marks"
    dialog.criterion_maximum_spin.setValue(23)
    assert dialog.conflicts_label.text().startswith("1 mark no longer fits")
    assert ok_button(dialog).text() == "Apply and flag 1 mark"
    dialog.criterion_maximum_spin.setValue(24)
    assert ok_button(dialog).text() == "Apply"
    assert not dialog.conflicts_frame.isVisibleTo(dialog)


def _draft(name: str, number: str) -> ScriptDraft:
    paragraphs = [Paragraph("Stolypin's reforms gave the regime breathing space.")]
    return ScriptDraft(path=Path(f"{number}_{name}.docx"), format="docx", paragraphs=paragraphs,
                       candidate_name=name, candidate_number=number, word_count=7,
                       source_bytes=f"{name}{number}".encode())


def test_conflicts_come_from_a_real_marking_set(open_editor, tmp_path):
    marking_set = MarkingSet.create(tmp_path / "13B.markset", "13B", default_scheme())
    try:
        first = marking_set.add_script(_draft("Ann", "1001")).created
        second = marking_set.add_script(_draft("Ben", "1002")).created
        marking_set.set_mark(first, "AO1", 23)
        marking_set.set_mark(second, "AO1", 12)
        names = {s.id: s.candidate for s in marking_set.scripts()}
        dialog = open_editor(marking_set.scheme, conflicts=marking_set.conflicts_with,
                             script_names=names)
        dialog.criteria_list.setCurrentRow(0)
        dialog.criterion_name_edit.setText("AO1 (knowledge)")
        assert ok_button(dialog).text() == "Apply and flag 2 marks"
        text = dialog.conflicts_label.text()
        assert "Ann (1001): criterion AO1 is no longer in the rubric" in text
        assert "Ben (1002): " in text and f"script {first}" not in text
        assert second is not None
        dialog.criterion_name_edit.setText("AO1")
        assert ok_button(dialog).text() == "Apply"
    finally:
        marking_set.close()


# -- template files --------------------------------------------------------------------------


def test_save_as_template_writes_a_file_that_loads_back_equal(open_editor, tmp_path, monkeypatch):
    dialog = open_editor()
    dialog.question_edit.setPlainText("‘Witte’s policies transformed Russia.’ Assess.")
    dialog.add_criterion()
    target = tmp_path / "witte"  # the .json suffix is added
    monkeypatch.setattr(dialog, "_ask_save_path", lambda suggested: str(target))
    dialog.save_template_button.click()
    saved = load_scheme(tmp_path / "witte.json")
    assert saved == dialog.result_scheme()
    assert saved.total == 35


def test_a_failed_save_is_reported(open_editor, tmp_path, monkeypatch):
    dialog = open_editor()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args))
    (tmp_path / "a file").write_text("in the way of a folder")
    missing = tmp_path / "a file" / "scheme.json"
    monkeypatch.setattr(dialog, "_ask_save_path", lambda suggested: str(missing))
    assert dialog.save_template_file() is False
    assert len(shown) == 1 and "scheme.json" in shown[0][2]
    assert not missing.exists()


def test_loading_a_file_with_an_unknown_key_shows_a_message_and_changes_nothing(
        open_editor, tmp_path, monkeypatch):
    dialog = open_editor()
    dialog.question_edit.setPlainText("My own question?")
    before = dialog.result_scheme()
    data = default_scheme().to_dict()
    data["colour"] = "red"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args))
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args))
    monkeypatch.setattr(dialog, "_ask_open_path", lambda: str(bad))

    from_file = next(a for a in dialog.template_menu.actions() if a.text() == "From file…")
    from_file.trigger()

    assert len(shown) == 1
    message = shown[0][2]
    assert "'colour'" in message and "\n" not in message
    assert dialog.result_scheme() == before
    assert dialog.question_edit.toPlainText() == "My own question?"


def test_loading_a_good_file_or_a_bundled_template_replaces_the_scheme(
        open_editor, tmp_path, monkeypatch):
    dialog = open_editor()
    nea = template("aqa-history-nea-40")
    path = tmp_path / "nea.json"
    nea.save(path)
    monkeypatch.setattr(dialog, "_ask_open_path", lambda: str(path))
    dialog.load_template_file()
    assert dialog.result_scheme() == nea
    assert dialog.criteria_list.count() == 3
    assert dialog.total_label.text() == "Total: 40 marks"
    assert dialog.word_limit_spin.value() == 4500

    titles = [a.text() for a in dialog.template_menu.actions() if not a.isSeparator()]
    assert titles[:-1] == [s.title for s in bundled_templates()]
    edexcel = template("edexcel-history-essay-20")
    action = next(a for a in dialog.template_menu.actions() if a.text() == edexcel.title)
    action.trigger()
    assert dialog.result_scheme() == edexcel
    assert dialog.total_label.text() == "Total: 20 marks"


def test_cancelling_the_file_dialog_changes_nothing(open_editor, monkeypatch):
    dialog = open_editor()
    before = dialog.result_scheme()
    monkeypatch.setattr(dialog, "_ask_open_path", lambda: None)
    monkeypatch.setattr(dialog, "_ask_save_path", lambda suggested: None)
    dialog.load_template_file()
    assert dialog.save_template_file() is False
    assert dialog.result_scheme() == before


# -- the dialog as a whole -------------------------------------------------------------------


def test_edit_returns_the_scheme_when_accepted_and_none_when_cancelled(qtbot, monkeypatch):
    scheme = default_scheme()

    def accept_after_editing(self):
        qtbot.addWidget(self)
        self.question_edit.setPlainText("Edited?")
        self.ok_button.click()
        return self.result()

    monkeypatch.setattr(RubricEditorDialog, "exec", accept_after_editing)
    edited = RubricEditorDialog.edit(scheme)
    assert edited == replace(scheme, question="Edited?")

    def cancel(self):
        qtbot.addWidget(self)
        self.question_edit.setPlainText("Thrown away")
        self.cancel_button.click()
        return self.result()

    monkeypatch.setattr(RubricEditorDialog, "exec", cancel)
    assert RubricEditorDialog.edit(scheme) is None


def test_fields_have_labels_with_buddies_and_names(open_editor):
    dialog = open_editor()
    buddies = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy()}
    for widget in (dialog.title_edit, dialog.question_edit, dialog.word_limit_spin,
                   dialog.criterion_name_edit, dialog.criterion_maximum_spin,
                   dialog.levels_table, dialog.descriptor_edit, dialog.indicative_edit):
        assert widget in buddies, widget.objectName()
    for name in ("question_edit", "criteria_list", "levels_table", "problems_label",
                 "ok_button", "conflicts_label", "total_label"):
        assert dialog.findChild(object, name) is not None, name
    assert dialog.question_edit.tabChangesFocus()


# -- asking before edits are thrown away ------------------------------------------------------


@pytest.fixture
def asked(monkeypatch):
    """Records each "Discard your changes?" question; ``answer`` is what the user says."""
    record = SimpleNamespace(count=0, answer=False)

    def confirm(self):
        record.count += 1
        return record.answer

    monkeypatch.setattr(RubricEditorDialog, "_confirm_discard", confirm)
    return record


def test_esc_without_edits_closes_without_asking(open_editor, asked, qtbot):
    dialog = open_editor()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked.count == 0
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


@pytest.mark.parametrize("how", ["escape", "cancel", "close"])
def test_leaving_with_edits_asks_and_keeping_them_stays_open(open_editor, asked, qtbot, how):
    dialog = open_editor()
    dialog.question_edit.setPlainText("To what extent…?")
    assert dialog.has_unsaved_edits()

    def leave():
        if how == "escape":
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        elif how == "cancel":
            dialog.cancel_button.click()
        else:
            dialog.close()

    asked.answer = False   # "Keep editing"
    leave()
    assert asked.count == 1
    assert dialog.isVisible()
    assert dialog.question_edit.toPlainText() == "To what extent…?"
    asked.answer = True    # "Discard changes"
    leave()
    assert asked.count == 2
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_an_edit_undone_by_hand_is_not_unsaved(open_editor, asked):
    scheme = default_scheme()
    dialog = open_editor(scheme)
    dialog.title_edit.setText(scheme.title + " (edited)")
    assert dialog.has_unsaved_edits()
    dialog.title_edit.setText(scheme.title)
    assert not dialog.has_unsaved_edits()
    dialog.cancel_button.click()
    assert asked.count == 0


def test_a_loaded_template_counts_as_an_edit(open_editor, asked):
    dialog = open_editor(default_scheme())
    dialog.load_template(template("aqa-history-nea-40"))
    assert dialog.has_unsaved_edits()
    asked.answer = True
    dialog.cancel_button.click()
    assert asked.count == 1 and not dialog.isVisible()


def test_the_question_is_a_real_message_box_with_keep_editing_as_default(
        open_editor, qtbot, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(RubricEditorDialog, "_confirm_discard", REAL_CONFIRM)
    dialog = open_editor()
    dialog.question_edit.setPlainText("Edited")
    seen = {}

    def answer(button_text: str):
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and box.objectName() == "discard_rubric_box"
        seen["text"] = box.text()
        seen["default"] = box.defaultButton().text()
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, lambda: answer("Keep editing"))
    dialog.cancel_button.click()
    assert seen == {"text": "Discard your changes to the rubric?", "default": "Keep editing"}
    assert dialog.isVisible()
    QTimer.singleShot(0, lambda: answer("Discard changes"))
    dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_the_editor_says_rubric_not_scheme(open_editor):
    dialog = open_editor()
    assert dialog.windowTitle() == "Edit rubric"
    dialog.remove_criterion()
    shown = [problems_text(dialog), dialog.title_edit.placeholderText(),
             dialog.total_label.toolTip(), dialog.problems_label.toolTip()]
    assert all("scheme" not in text.lower() for text in shown), shown


def test_conflicts_of_a_script_not_in_the_list_say_it_was_removed(open_editor):
    def conflicts(scheme):
        return [SimpleNamespace(mark=SimpleNamespace(script_id=9), reason="AO1: 3 is outside")]

    dialog = open_editor(conflicts=conflicts, script_names={1: "Ann (1001)"})
    assert "a removed script: AO1: 3 is outside" in dialog.conflicts_label.text()
