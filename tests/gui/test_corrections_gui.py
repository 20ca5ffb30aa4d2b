"""Correcting what import got wrong, in the app: edit a candidate, remove a script (undo
brings it back with its mark), replace a file (annotations follow their passage), set the
file-name pattern when importing (a re-import updates the names)."""

from __future__ import annotations

from importlib import resources

from gui import dialogs
from gui.dialogs import EditCandidateDialog, ImportDialog
from gui.models import AnnotationListModel
from gui.settings import NAME_PATTERN

QUESTION = "‘Witte’s reforms saved the regime.’ Assess the validity of this view."
BODY = ("Witte’s railway building and the gold standard drew foreign loans into Russian "
        "industry, and the boom of the 1890s doubled output in a decade. ")


def script_named(window, name: str):
    return next(s for s in window.marking_set.scripts() if s.candidate_name == name)


def cell(window, script_id, column: int) -> str:
    model = window.script_model
    return model.index(model.row_of(script_id), column).data()


def action(menu, name: str):
    return next(a for a in menu.actions() if a.objectName() == name)


def test_edit_candidate_from_the_script_menu_shows_in_the_list_and_undoes(window, monkeypatch):
    amira = script_named(window, "Amira Khan")
    window.select_script(amira.id)
    asked = {}

    def fake_ask(parent, name, number, file_name):
        asked.update(name=name, number=number, file=file_name)
        return "Amira Khan-Smith", "4019"

    monkeypatch.setattr(EditCandidateDialog, "ask", staticmethod(fake_ask))
    action(window.script_menu, "edit_candidate").trigger()
    assert asked == {"name": "Amira Khan", "number": "4017", "file": "4017_Khan_Amira.txt"}
    assert cell(window, amira.id, 1) == "Amira Khan-Smith"
    assert cell(window, amira.id, 0) == "4019"
    assert "Amira Khan-Smith (4019)" in window.script_view.toPlainText()
    assert window.current_script.id == amira.id
    window.undo_stack.undo()
    assert cell(window, amira.id, 1) == "Amira Khan"
    assert window.marking_set.summary(amira.id).candidate_number == "4017"
    window.undo_stack.redo()
    assert cell(window, amira.id, 1) == "Amira Khan-Smith"


def test_double_click_on_the_candidate_and_the_context_menu_edit_it(window, qtbot,
                                                                   monkeypatch):
    daniel = script_named(window, "Daniel Okafor")
    monkeypatch.setattr(EditCandidateDialog, "ask",
                        staticmethod(lambda *a: ("Dan Okafor", "4023")))
    table = window.list_panel.table
    index = window.filter_model.mapFromSource(
        window.script_model.index(window.script_model.row_of(daniel.id), 1))
    table.doubleClicked.emit(index)
    qtbot.waitUntil(lambda: cell(window, daniel.id, 1) == "Dan Okafor")
    assert window.current_script.id == daniel.id
    index = window.filter_model.mapFromSource(
        window.script_model.index(window.script_model.row_of(daniel.id), 1))
    position = table.visualRect(index).center()
    window._script_context_menu(position)
    menu = window.last_context_menu
    assert [a.objectName() for a in menu.actions() if not a.isSeparator()] == [
        "edit_candidate", "replace_file", "allocate_script_to", "remove_script"]
    menu.close()


def test_remove_script_asks_first_and_undo_brings_it_back_with_its_mark(window, monkeypatch):
    ms = window.marking_set
    amira = script_named(window, "Amira Khan")
    window.select_script(amira.id)
    rows = window.script_model.rowCount()
    total = cell(window, amira.id, 4)
    assert total == "23"
    monkeypatch.setattr(dialogs, "confirm", lambda *a: False)
    action(window.script_menu, "remove_script").trigger()
    assert window.script_model.rowCount() == rows     # cancelled: nothing happens
    questions = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text, button:
                        questions.append(text) or True)
    action(window.script_menu, "remove_script").trigger()
    assert "Amira Khan (4017)" in questions[0] and "Undo" in questions[0]
    assert window.script_model.rowCount() == rows - 1
    assert window.script_model.row_of(amira.id) == -1
    assert window.current_script is not None and window.current_script.id != amira.id
    assert amira.id not in ms.statuses()
    window.undo_stack.undo()
    assert window.script_model.rowCount() == rows
    assert cell(window, amira.id, 4) == "23"
    assert cell(window, amira.id, 5) == "marked"
    assert window.current_script.id == amira.id
    assert window.rubric_panel.sections["AO1"].spin.value() == 23
    assert window.annotation_panel.model.rowCount() == 3


def test_replace_file_reanchors_annotations_flags_the_lost_one_and_undoes(window, qtbot,
                                                                         tmp_path):
    ms = window.marking_set
    amira = script_named(window, "Amira Khan")
    window.select_script(amira.id)
    old_text = ms.script(amira.id).text
    sample = resources.files("resources").joinpath("samples", "4017_Khan_Amira.txt")
    text = sample.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n\n")
    rest = rest.replace("That something was the October Manifesto",
                        "That something was the manifesto of 17 October")
    new = tmp_path / "4017_Khan_Amira_v2.txt"
    new.write_text(f"{head}\n\nI have added this paragraph after my teacher's feedback.\n\n"
                   f"{rest}", encoding="utf-8")
    window.replace_file(new)
    qtbot.waitUntil(lambda: window.last_replacement is not None, timeout=20_000)
    result = window.last_replacement
    assert (result.reanchored, len(result.lost)) == (2, 1)
    assert "added this paragraph" in window.script_view.toPlainText()
    script = ms.script(amira.id)
    for annotation in ms.annotations(amira.id):
        if not annotation.lost:
            assert script.text[annotation.start:annotation.end] == annotation.quote
    model = window.annotation_panel.model
    shown = [model.index(r).data() for r in range(model.rowCount())]
    assert sum(AnnotationListModel.LOST_TEXT in s for s in shown) == 1
    assert "could not be placed" in window.banner.text()
    assert window.banner.isVisible()
    assert cell(window, amira.id, 4) == "23"      # the mark is kept
    window.undo_stack.undo()
    script = ms.script(amira.id)
    assert script.text == old_text and script.file_name == "4017_Khan_Amira.txt"
    assert not any(a.lost for a in ms.annotations(amira.id))
    assert "added this paragraph" not in window.script_view.toPlainText()
    assert not window.banner.isVisible() or "could not be placed" not in window.banner.text()


def test_import_dialog_previews_the_pattern_and_refuses_a_bad_one(qtbot, tmp_path):
    file = tmp_path / "Khan_Amira_4017.txt"
    dialog = ImportDialog(None, [file], "{number}_{surname}_{forename}")
    qtbot.addWidget(dialog)
    assert "does not fit this pattern" in dialog.preview.text()
    assert "Khan_Amira_4017" in dialog.preview.text()
    dialog.pattern_edit.setText("{surname}_{forename}_{number}")
    assert dialog.preview.text() == "Khan_Amira_4017.txt → name: Amira Khan · number: 4017"
    assert dialog.ok_button.isEnabled()
    dialog.pattern_edit.setText("{surname}_{first}")
    assert dialog.preview.text().startswith("Unknown field {first}")
    assert not dialog.ok_button.isEnabled()


def test_a_new_pattern_on_import_updates_the_names_of_a_file_already_in_the_set(
        window, qtbot, tmp_path, monkeypatch):
    file = tmp_path / "Khan_Amira_4017.txt"
    file.write_text(QUESTION + "\n\n" + BODY * 8 + "\n\n" + BODY * 6, encoding="utf-8")
    patterns = iter(["{number}_{surname}_{forename}", "{surname}_{forename}_{number}"])
    previews = []

    def fake_ask(parent, files, pattern):
        previews.append([f.name for f in files])
        return next(patterns)

    monkeypatch.setattr(ImportDialog, "ask", staticmethod(fake_ask))
    rows = window.script_model.rowCount()
    window.last_import_summary = None
    window._import_with_pattern([str(file)])
    qtbot.waitUntil(lambda: window.last_import_summary is not None, timeout=20_000)
    assert previews == [["Khan_Amira_4017.txt"]]
    assert window.script_model.rowCount() == rows + 1
    new_id = window.current_script.id
    # no name in the file name (the pattern does not fit) nor in the text: the file's stem
    assert cell(window, new_id, 1) == "Khan_Amira_4017"
    window.last_import_summary.close()
    window.last_import_summary = None
    window._import_with_pattern([str(file)])
    qtbot.waitUntil(lambda: window.last_import_summary is not None, timeout=20_000)
    summary = window.last_import_summary
    assert "1 names updated" in summary.headline.text()
    lines = [summary.list.item(i).text() for i in range(summary.list.count())]
    assert lines[0].startswith("names updated") and "Amira Khan (4017)" in lines[0]
    assert window.script_model.rowCount() == rows + 1
    assert (cell(window, new_id, 1), cell(window, new_id, 0)) == ("Amira Khan", "4017")
    assert window.settings.get(NAME_PATTERN) == "{surname}_{forename}_{number}"


def test_the_script_menu_has_the_corrections(window):
    names = [a.objectName() for a in window.script_menu.actions()]
    assert {"edit_candidate", "remove_script", "replace_file"} <= set(names)
    assert action(window.script_menu, "edit_candidate").text() == "Edit &Candidate…"
    assert action(window.script_menu, "remove_script").isEnabled()
