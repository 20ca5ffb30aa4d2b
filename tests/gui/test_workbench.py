"""The workbench driven offscreen through its real widgets, checking what the user would see
and what is stored in the marking set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from gui import dialogs
from gui.main_window import MainWindow
from gui.models import AnnotationListModel, BankListModel, ScriptFilterModel, ScriptListModel
from gui.settings import Settings
from rubric.errors import SetError
from rubric.record import replace
from rubric.store import MarkingSet


def shown_candidate(window) -> str:
    return window.current_script.candidate


def unmarked_script(window):
    ms = window.marking_set
    statuses = ms.statuses()
    script_id = next(s for s, status in statuses.items() if status == "unmarked")
    window.select_script(script_id)
    return script_id


def test_start_page_offers_recent_sets_new_set_and_demo(qtbot, demo_path):
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.show()
    assert win.stack.currentWidget() is win.start_page
    recent = win.start_page.recent
    assert any(Path(recent.item(i).data(Qt.ItemDataRole.UserRole)) == demo_path
               for i in range(recent.count()))
    win.start_page.findChild(type(win.start_page.continue_button), "demo_button").click()
    assert win.stack.currentWidget() is win.workbench
    assert win.script_model.rowCount() >= 8
    assert "Demo" in win.windowTitle()
    win.close()


def test_demo_set_shows_a_script_with_its_question_candidate_and_rubric(window):
    ms = window.marking_set
    assert window.current_script is not None
    text = window.script_view.toPlainText()
    assert window.current_script.title in text
    assert window.current_script.paragraphs[0].text[:60] in text
    assert ms.scheme.question in window.rubric_panel.question_label.text()
    assert len(window.rubric_panel.sections["AO1"].cards) == 6
    # at least 8 scripts, some marked, some not, every one on the set's own question
    statuses = set(ms.statuses().values())
    assert {"marked", "unmarked"} <= statuses
    assert len(ms.scripts()) >= 8
    assert {s.title for s in ms.scripts()} == {ms.scheme.question}
    assert "of" in window.position_label.text()
    assert window.marker_label.text().startswith("Mr D. Hughes")


def test_choosing_a_level_and_a_mark_saves_at_once(window):
    script_id = unmarked_script(window)
    section = window.rubric_panel.sections["AO1"]
    level4 = next(card for card in section.cards if card.level.label == "Level 4")
    level4.chosen.emit("Level 4")
    assert level4.property("selected") is True
    assert (section.spin.minimum() + 1, section.spin.maximum()) == (16, 20)
    section.spin.setValue(19)
    mark = window.marking_set.marks_for(script_id)["AO1"]
    assert (mark.level, mark.mark) == ("Level 4", 19)
    assert "upper Level 4" in section.position_label.text()
    assert "19" in window.rubric_panel.total_label.text()
    assert window.saved_label.text().startswith("✓ Saved")
    row = window.script_model.row_of(script_id)
    assert window.script_model.index(row, 3).data() == "L4 · 19"


def test_undo_and_redo_every_kind_of_marking_edit(window):
    script_id = unmarked_script(window)
    ms = window.marking_set
    panel = window.rubric_panel
    panel.sections["AO1"].cards[3].chosen.emit("Level 3")
    panel.sections["AO1"].spin.setValue(14)
    panel.comment_edits["www"].setPlainText("Clear focus on the question")
    assert ms.comments(script_id).www == "Clear focus on the question"
    window.undo_stack.undo()   # the comment
    assert ms.comments(script_id).www == ""
    assert panel.comment_edits["www"].toPlainText() == ""
    window.undo_stack.undo()   # the mark
    assert ms.marks_for(script_id)["AO1"].mark is None
    window.undo_stack.undo()   # the level
    assert "AO1" not in ms.marks_for(script_id)
    assert ms.status(script_id) == "unmarked"
    window.undo_stack.redo()
    window.undo_stack.redo()
    window.undo_stack.redo()
    assert ms.marks_for(script_id)["AO1"].mark == 14
    assert ms.comments(script_id).www == "Clear focus on the question"
    assert panel.sections["AO1"].spin.value() == 14


def test_typing_in_a_comment_merges_into_one_undo_step(window, qtbot):
    script_id = unmarked_script(window)
    edit = window.rubric_panel.comment_edits["ebi"]
    edit.setFocus()
    qtbot.keyClicks(edit, "Use dates")
    assert window.marking_set.comments(script_id).ebi == "Use dates"
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert window.marking_set.comments(script_id).ebi == ""


def select_in_view(view, start: int, end: int) -> None:
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.to_document(start))
    cursor.setPosition(view.to_document(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)


def test_annotation_from_a_text_selection(window, monkeypatch):
    script_id = unmarked_script(window)
    script = window.current_script
    passage = script.paragraphs[1].text[:40]
    start = script.text.index(passage)
    select_in_view(window.script_view, start, start + len(passage))
    asked = {}

    def fake_ask(parent, quote, criteria, bank, comment="", criterion=None):
        asked["quote"] = quote
        return "Needs a date here", "AO1"

    monkeypatch.setattr(dialogs.AnnotationDialog, "ask", fake_ask)
    window.act_annotate.trigger()
    assert asked["quote"] == passage.strip()
    [annotation] = window.marking_set.annotations(script_id)
    assert (annotation.quote, annotation.comment, annotation.criterion) == (
        passage.strip(), "Needs a date here", "AO1")
    # highlighted in the text and listed beside it, selected in both
    assert len(window.script_view.extraSelections()) == 1
    assert window.annotation_panel.model.rowCount() == 1
    assert window.annotation_panel.view.currentIndex().row() == 0
    # edit, then delete, then undo the delete
    monkeypatch.setattr(dialogs.AnnotationDialog, "ask",
                        lambda *a, **k: ("Give the year", None))
    window.edit_annotation()
    assert window.marking_set.annotation(annotation.id).comment == "Give the year"
    window.delete_annotation()
    assert window.marking_set.annotations(script_id) == []
    assert window.script_view.extraSelections() == []
    window.undo_stack.undo()
    assert window.marking_set.annotation(annotation.id).comment == "Give the year"


def test_clicking_a_highlight_selects_its_comment_and_back(window, qtbot):
    ms = window.marking_set
    annotated = ms.annotations(marker=ms.current_marker.id)
    window.select_script(annotated[0].script_id)
    annotations = ms.annotations(annotated[0].script_id)
    assert len(annotations) >= 2
    second = annotations[1]
    view = window.script_view
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.to_document(second.start + 2))
    view.ensureCursorVisible()
    QApplication.processEvents()
    point = view.cursorRect(cursor).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.annotation_panel.view.currentIndex().row() == 1
    # and clicking the list entry selects the passage
    first_index = window.annotation_panel.model.index(0)
    window.annotation_panel.view.clicked.emit(first_index)
    selections = view.extraSelections()
    strong = [s for s in selections if s.format.background().color().alpha() > 160]
    assert len(strong) == 1 and strong[0].cursor.selectedText() == annotations[0].quote


def test_inserting_a_bank_comment_saves_it(window):
    script_id = unmarked_script(window)
    panel = window.rubric_panel
    panel.show_bank_for("www")
    first = panel.bank_model.comment_at(0)
    assert first.kind == "www"
    panel.bank_view.activated.emit(panel.bank_model.index(0, 0))
    assert window.marking_set.comments(script_id).www == first.text
    panel.show_bank_for("ebi")
    ebi = panel.bank_model.comment_at(0)
    assert ebi.kind == "ebi"
    panel.bank_view.activated.emit(panel.bank_model.index(0, 0))
    assert window.marking_set.comments(script_id).ebi.startswith(ebi.text)


def test_adding_comment_text_to_the_bank(window):
    unmarked_script(window)
    panel = window.rubric_panel
    before = len(window.marking_set.bank())
    panel.focus_comment("ebi")
    panel.comment_edits["ebi"].setPlainText("Compare the two crises directly")
    panel.add_to_bank.click()
    bank = window.marking_set.bank()
    assert len(bank) == before + 1
    assert (bank[-1].text, bank[-1].kind) == ("Compare the two crises directly", "ebi")


def test_switching_scripts_by_keyboard(window, keys):
    window.list_panel.table.setFocus()
    window.select_script(window.script_model.script_ids()[0])
    first = shown_candidate(window)
    keys.press(Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    second = shown_candidate(window)
    assert second != first
    assert window.position_label.text().startswith("2 of")
    keys.press(Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert shown_candidate(window) == first


def test_a_routine_script_takes_at_most_eight_key_presses(window, keys):
    """Choose the level, place the mark, one WWW and one EBI from the bank, mark complete and
    go to the next unmarked script: key events only, no mouse."""
    script_id = unmarked_script(window)
    ms = window.marking_set
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)        # Level 4
    keys.type("18")                                                  # mark 18
    keys.press(Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)        # WWW from the bank
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)        # EBI from the bank
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # complete, next
    assert keys.count <= 8
    mark = ms.marks_for(script_id)["AO1"]
    assert (mark.level, mark.mark) == ("Level 4", 18)
    comments = ms.comments(script_id)
    assert comments.www and comments.ebi
    assert ms.status(script_id) == "marked"
    assert window.current_script.id != script_id
    assert ms.status(window.current_script.id) in ("unmarked", "in progress")


def test_every_shortcut_is_in_a_menu(window):
    in_menus = set()
    for menu in window.menuBar().findChildren(type(window.file_menu)):
        in_menus |= {a.objectName() for a in menu.actions()}
    for action in window.actions():
        if action.shortcut().toString():
            assert action.objectName() in in_menus, action.text()


def test_editing_the_rubric_flags_marks_that_no_longer_fit_and_can_be_undone(window,
                                                                              monkeypatch):
    from gui.dialogs import rubric_editor

    ms = window.marking_set
    scheme = ms.scheme
    ao1 = scheme.criteria[0]
    levels = list(ao1.levels)
    levels[4] = replace(levels[4], max_mark=16)     # Level 4 becomes 16 only
    levels[5] = replace(levels[5], min_mark=17)     # Level 5 becomes 17–25
    edited = replace(scheme, criteria=(replace(ao1, levels=tuple(levels)),))
    seen = {}

    def fake_edit(current, parent, conflicts, script_names=None):
        seen["conflicts"] = [c.reason for c in conflicts(edited)] if conflicts else []
        return edited

    monkeypatch.setattr(rubric_editor.RubricEditorDialog, "edit", staticmethod(fake_edit))
    window.act_edit_rubric.trigger()
    assert any("now outside Level 4" in r for r in seen["conflicts"])
    assert ms.scheme == edited
    flagged = ms.marks_needing_review()
    assert flagged and all(m.mark is not None for m in flagged)
    window.undo_stack.undo()
    assert ms.scheme == scheme
    assert ms.marks_needing_review() == []


def test_import_by_drop_adds_scripts_and_reports_bad_files(window, qtbot, tmp_path):
    good = tmp_path / "5001_Lee_Sam.docx"
    document = docx.Document()
    document.add_paragraph("‘Witte’s reforms saved the regime.’ Assess the validity of this view.")
    for n in range(5):
        document.add_paragraph(f"Paragraph {n} argues a point about Witte and the railways, "
                               "with evidence from the 1890s industrial boom. " * 3)
    document.save(good)
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    before = window.script_model.rowCount()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(good)), QUrl.fromLocalFile(str(bad))])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.last_import_summary is not None, timeout=20_000)
    assert window.script_model.rowCount() == before + 1
    summary = window.last_import_summary
    assert "1 imported" in summary.headline.text()
    assert "1 could not be read" in summary.headline.text()
    lines = [summary.list.item(i).text() for i in range(summary.list.count())]
    assert any(line.startswith("failed") and "broken.docx" in line for line in lines)
    assert window.current_script.candidate_name == "Sam Lee"


def test_item_models_pass_the_model_tester(window, qtmodeltester):
    ms = window.marking_set
    qtmodeltester.check(ScriptListModel(ms))
    proxy = ScriptFilterModel()
    proxy.setSourceModel(ScriptListModel(ms))
    proxy.set_status_filter("Marked")
    qtmodeltester.check(proxy)
    annotations = AnnotationListModel()
    annotations.set_annotations(ms.annotations())
    qtmodeltester.check(annotations)
    bank = BankListModel()
    bank.set_comments(ms.bank())
    bank.set_context("www", "AO1", "Level 4")
    qtmodeltester.check(bank)


def test_filter_and_search_the_script_list(window):
    window.list_panel.filter.setCurrentText("Unmarked")
    rows = window.filter_model.rowCount()
    statuses = window.marking_set.statuses()
    assert rows == sum(1 for s in statuses.values() if s == "unmarked")
    window.list_panel.filter.setCurrentText("All scripts")
    window.list_panel.search.setText("khan")
    assert window.filter_model.rowCount() == 1
    assert "shown" in window.list_panel.count_label.text()


def test_layout_and_last_set_are_restored(qtbot, demo_path):
    first = MainWindow(Settings())
    qtbot.addWidget(first)
    first.show()
    first.resize(780, 560)   # the offscreen screen is small: keep the window inside it
    first.open_set(demo_path)
    QApplication.processEvents()
    first.main_splitter.setSizes([150, 400, 200])
    sizes = first.main_splitter.sizes()
    first.close()
    second = MainWindow(Settings())
    qtbot.addWidget(second)
    second.show()
    assert second.start_page.continue_button.isVisibleTo(second)
    with MarkingSet.open(demo_path) as ms:   # the set's name, not its file's
        assert f"“{ms.name}”" in second.start_page.continue_button.text()
    second.start_page.continue_button.click()
    assert second.marking_set is not None and second.marking_set.path == demo_path
    QApplication.processEvents()
    assert second.size() == first.size()
    assert second.main_splitter.sizes() == sizes
    second.close()


def test_closing_never_asks_and_loses_nothing(window, qtbot):
    script_id = unmarked_script(window)
    window.rubric_panel.comment_edits["general"].setPlainText("Seen in class")
    path = window.marking_set.path
    window.close()
    assert window.marking_set is None
    with MarkingSet.open(path) as ms:
        assert ms.comments(script_id).general == "Seen in class"


def test_an_unexpected_error_is_shown_with_copy_details_and_logged_without_names(window,
                                                                               qtbot,
                                                                               fresh_data_dir):
    from gui.errors import install_exception_hook

    install_exception_hook()
    try:
        raise RuntimeError(f"boom for {window.current_script.candidate_name}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    box = next(w for w in QApplication.topLevelWidgets()
               if w.objectName() == "unexpected_error_box" and w.isVisible())
    assert "already saved" in box.text()
    copy = next(b for b in box.buttons() if b.text() == "Copy details")
    copy.click()
    assert "RuntimeError" in QApplication.clipboard().text()
    log = (fresh_data_dir / "logs" / "essay-marker.log").read_text()
    assert "RuntimeError" in log
    assert window.current_script.candidate_name not in log
    box.close()


def test_a_mark_error_is_a_message_box_not_a_crash(window):
    script_id = unmarked_script(window)
    window._mark_chosen("AO1", 99)
    box = next(w for w in QApplication.topLevelWidgets()
               if w.objectName() == "error_box" and w.isVisible())
    assert "above the maximum of 25" in box.text()
    assert "AO1" not in window.marking_set.marks_for(script_id)


def test_scanned_pdf_scripts_are_shown_as_pages(window, qtbot, tmp_path):
    from fpdf import FPDF
    from PIL import Image

    image = tmp_path / "page.png"
    Image.new("RGB", (600, 800), "white").save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=180)
    scanned = tmp_path / "5002_Scan_Ada.pdf"
    pdf.output(str(scanned))
    outcomes = list(window.marking_set.import_files([scanned]))
    assert outcomes[0].imported, outcomes[0].error
    window.script_model.reload()
    window.select_script(outcomes[0].script_id)
    assert window.script_stack.currentWidget() is window.pdf_view
    qtbot.waitUntil(lambda: window.pdf_document.pageCount() == 1, timeout=5000)
    assert "no text" in window.banner.text().lower()
    window.rubric_panel.sections["AO1"].cards[2].chosen.emit("Level 2")
    assert window.marking_set.marks_for(outcomes[0].script_id)["AO1"].level == "Level 2"


def test_screenshot_option_writes_a_png_of_the_workbench(tmp_path):
    out = tmp_path / "shot.png"
    exe = Path(sys.executable).with_name("essay-marker")
    result = subprocess.run([str(exe), "--screenshot", str(out)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    from PIL import Image

    with Image.open(out) as image:
        assert image.size[0] >= 1200 and image.size[1] >= 800
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is None or len(colours) > 50   # a real window, not a blank one



def test_rubric_edit_through_the_real_editor_refuses_an_invalid_scheme(window, monkeypatch):
    """Open the real editor from the window, make an overlap (refused), fix it, apply."""
    from PySide6.QtWidgets import QDialog, QLabel

    from gui.dialogs import rubric_editor

    ms = window.marking_set
    seen = {}

    def drive(scheme, parent, conflicts, script_names=None):
        dialog = rubric_editor.RubricEditorDialog(scheme, parent, conflicts, script_names)
        model = dialog.levels_model
        level3 = model.index(3, 2)                       # Level 3, "To" column
        model.setData(level3, 17)                        # now overlaps Level 4 (16–20)
        seen["problems"] = dialog.findChild(QLabel, "problems_label").text()
        seen["ok_enabled"] = dialog.ok_button.isEnabled()
        dialog.accept()                                  # refused while invalid
        seen["accepted_while_invalid"] = dialog.result() == QDialog.DialogCode.Accepted
        model.setData(level3, 15)
        dialog.question_edit.setPlainText("‘Witte, not Stolypin, saved Tsarism.’ Assess the "
                                          "validity of this view.")
        assert dialog.ok_button.isEnabled()
        dialog.accept()
        return dialog.result_scheme()

    monkeypatch.setattr(rubric_editor.RubricEditorDialog, "edit", staticmethod(drive))
    window.act_edit_rubric.trigger()
    assert "overlaps" in seen["problems"] and not seen["ok_enabled"]
    assert not seen["accepted_while_invalid"]
    assert ms.scheme.question.startswith("‘Witte, not Stolypin")
    assert "Witte, not Stolypin" in window.rubric_panel.question_label.text()
    assert ms.scheme_version >= 2
    window.undo_stack.undo()
    assert ms.scheme.question.startswith("‘The loyalty of the army")


def test_opening_a_set_given_on_the_command_line(demo_path, tmp_path, fresh_data_dir):
    from gui.app import parse_args, resolve_target

    by_name = resolve_target("Demo – 1905: the army and the Tsar")
    assert by_name == demo_path
    with MarkingSet.open(demo_path) as ms:
        shared = ms.export_to(tmp_path / "usb" / "shared.markset")
    copied = resolve_target(str(shared))          # a file from elsewhere is copied in
    assert copied.parent == fresh_data_dir / "sets" and copied.exists()
    # now two sets share the name: naming it is ambiguous, and the message lists both
    with pytest.raises(SetError, match="several sets"):
        resolve_target("Demo – 1905: the army and the Tsar")
    args = parse_args(["--screenshot", "x.png", str(copied)])
    assert args.target == str(copied) and args.screenshot == "x.png"
