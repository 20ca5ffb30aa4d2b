"""The rough edges a teacher hits in the marking workbench (issue 9), driven through the
real widgets and keys, checking what the teacher sees and what the set stores."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from gui import dialogs
from gui.dialogs import common
from rubric.record import replace
from rubric.store import MarkingSet
from rubric.store.library import new_set
from rubric.templates import template


def show_unmarked(window):
    ms = window.marking_set
    script_id = next(s for s, status in ms.statuses().items() if status == "unmarked")
    window.select_script(script_id)
    return script_id


def show_annotated(window):
    ms = window.marking_set
    script_id = ms.annotations(marker=ms.current_marker.id)[0].script_id
    window.select_script(script_id)
    return script_id


def in_view(panel, widget) -> bool:
    """Is all of ``widget`` inside the scroll area's viewport?"""
    top_left = widget.mapTo(panel.viewport(), QPoint(0, 0))
    return panel.viewport().rect().contains(QRect(top_left, widget.size()))


# -- 1. completing a script with no mark asks first ---------------------------------------

def test_complete_and_next_asks_when_a_criterion_has_no_mark(window, keys, monkeypatch):
    script_id = show_unmarked(window)
    ms = window.marking_set
    asked = []

    def say_no(parent, criteria):
        asked.append(list(criteria))
        return False

    monkeypatch.setattr(dialogs, "complete_anyway", say_no)
    depth = window.undo_stack.count()
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert asked == [["AO1"]]
    assert ms.status(script_id) == "unmarked"             # No: nothing changed
    assert window.current_script.id == script_id
    assert window.undo_stack.count() == depth

    monkeypatch.setattr(dialogs, "complete_anyway", lambda parent, criteria: True)
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert ms.summary(script_id).completed                # Complete anyway: done, next
    assert window.current_script.id != script_id


def test_a_script_with_every_mark_completes_without_asking(window, keys, monkeypatch):
    script_id = show_unmarked(window)
    monkeypatch.setattr(dialogs, "complete_anyway",
                        lambda *a: pytest.fail("asked though every criterion has a mark"))
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    keys.type("13")
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.marking_set.status(script_id) == "marked"


def test_the_question_names_every_criterion_without_a_mark(monkeypatch):
    seen = {}

    def fake_confirm(parent, title, text, button):
        seen["text"] = text
        return False

    monkeypatch.setattr(common, "confirm", fake_confirm)
    assert not common.complete_anyway(None, ["AO1"])
    assert seen["text"] == "No mark yet for AO1. Complete anyway?"
    common.complete_anyway(None, ["AO1", "AO2", "AO3"])
    assert seen["text"] == "No mark yet for AO1, AO2 and AO3. Complete anyway?"


# -- 2. the annotation list's Edit…, Delete, Delete key and right-click --------------------

def test_annotation_buttons_follow_the_selection(window, qtbot):
    show_annotated(window)
    panel = window.annotation_panel
    assert panel.model.rowCount() >= 2
    assert not panel.edit_button.isEnabled() and not panel.delete_button.isEnabled()
    rect = panel.view.visualRect(panel.model.index(1))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.edit_button.isEnabled() and panel.delete_button.isEnabled()
    panel.view.clearSelection()
    assert not panel.edit_button.isEnabled() and not panel.delete_button.isEnabled()


def test_delete_key_in_the_list_deletes_and_undo_brings_it_back(window, qtbot, keys):
    script_id = show_annotated(window)
    ms = window.marking_set
    panel = window.annotation_panel
    before = ms.annotations(script_id, ms.current_marker.id)
    rect = panel.view.visualRect(panel.model.index(0))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert QApplication.focusWidget() is panel.view
    keys.press(Qt.Key.Key_Delete)
    after = ms.annotations(script_id, ms.current_marker.id)
    assert [a.id for a in after] == [a.id for a in before[1:]]
    assert panel.model.rowCount() == len(before) - 1
    keys.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [a.id for a in ms.annotations(script_id, ms.current_marker.id)] == \
        [a.id for a in before]
    assert panel.model.rowCount() == len(before)


def test_right_click_on_an_annotation_offers_edit_and_delete(window, monkeypatch):
    script_id = show_annotated(window)
    ms = window.marking_set
    panel = window.annotation_panel
    second = panel.model.annotations()[1]
    point = panel.view.visualRect(panel.model.index(1)).center()
    panel.view.customContextMenuRequested.emit(point)
    menu = panel.last_context_menu
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["Edit…", "Delete"]
    assert panel.selected_id() == second.id               # the one right-clicked
    monkeypatch.setattr(dialogs.AnnotationDialog, "ask",
                        lambda *a, **k: ("Date this claim", "AO1"))
    menu.actions()[0].trigger()
    assert ms.annotation(second.id).comment == "Date this claim"
    menu.close()
    panel.view.customContextMenuRequested.emit(point)
    panel.last_context_menu.actions()[1].trigger()
    assert second.id not in [a.id for a in ms.annotations(script_id)]
    panel.last_context_menu.close()
    window.undo_stack.undo()
    assert ms.annotation(second.id).comment == "Date this claim"


# -- 3. the rubric keeps the level and mark in view; the next script opens at the top -----

def test_choosing_a_level_keeps_its_card_and_the_mark_box_in_view(window, keys):
    show_unmarked(window)
    panel = window.rubric_panel
    section = panel.sections["AO1"]
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)      # the card at the bottom
    card = section.chosen_card()
    assert card.level.label == "Level 5"
    assert in_view(panel, card) and in_view(panel, section.spin)
    assert QApplication.focusWidget() is section.spin
    panel.verticalScrollBar().setValue(0)                            # scrolled away…
    assert not in_view(panel, section.spin)
    keys.type("24")                                                  # …typing brings it back
    assert window.marking_set.marks_for(window.current_script.id)["AO1"].mark == 24
    assert in_view(panel, section.chosen_card()) and in_view(panel, section.spin)
    # clicking a card near the top, with the panel scrolled to the bottom
    panel.verticalScrollBar().setValue(panel.verticalScrollBar().maximum())
    level1 = next(c for c in section.cards if c.level.label == "Level 1")
    level1.chosen.emit("Level 1")
    assert section.chosen_card() is level1
    assert in_view(panel, level1) and in_view(panel, section.spin)


def test_the_mark_buttons_offer_the_chosen_levels_marks_and_a_click_saves_one(window, qtbot):
    """Under the chosen level, one button per mark of that level, in a row that keeps its
    size; clicking one saves that mark, and only its button is checked."""
    show_unmarked(window)
    section = window.rubric_panel.sections["AO1"]
    row = section._button_row
    size = row.size()
    shown = lambda: [b.text() for b in row.findChildren(QPushButton) if b.isVisible()]  # noqa: E731
    assert shown() == []                                   # no level yet
    for label, marks in (("Level 4", ["16", "17", "18", "19", "20"]),
                         ("Level 0", ["0"]), ("Level 2", ["6", "7", "8", "9", "10"])):
        next(c for c in section.cards if c.level.label == label).chosen.emit(label)
        QApplication.processEvents()
        assert shown() == marks
        assert row.size() == size                          # nothing around it moves
        buttons = [b for b in row.findChildren(QPushButton) if b.isVisible()]
        assert all(row.rect().contains(b.geometry()) for b in buttons)
        lefts = [b.x() for b in sorted(buttons, key=lambda b: int(b.text()))]
        assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts)
    eight = next(b for b in row.findChildren(QPushButton) if b.text() == "8")
    qtbot.mouseClick(eight, Qt.MouseButton.LeftButton)
    mark = window.marking_set.marks_for(window.current_script.id)["AO1"]
    assert (mark.level, mark.mark) == ("Level 2", 8)
    assert [b.text() for b in row.findChildren(QPushButton) if b.isChecked()] == ["8"]
    assert section.spin.value() == 8


def test_the_mark_buttons_look_as_the_style_draws_them(window, qtbot):
    """Each mark button is drawn from a picture kept per number and state: the same pixels
    as the button drawing itself, checked or not, and another number is drawn anew."""
    show_unmarked(window)
    section = window.rubric_panel.sections["AO1"]
    next(c for c in section.cards if c.level.label == "Level 4").chosen.emit("Level 4")
    QApplication.processEvents()
    qtbot.mouseClick(next(b for b in section._buttons if b.text() == "18"),
                     Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    for button in section._buttons:
        kept = button.grab().toImage()
        kept = button.grab().toImage()   # the second from the kept picture
        button._drawing = True           # as QPushButton draws itself
        try:
            itself = button.grab().toImage()
        finally:
            button._drawing = False
        assert kept == itself, button.text()
    checked = next(b for b in section._buttons if b.text() == "18").grab().toImage()
    other = next(b for b in section._buttons if b.text() == "17").grab().toImage()
    assert checked != other


def test_the_next_script_opens_at_the_top_of_the_rubric_and_the_essay(window, keys,
                                                                         monkeypatch):
    show_unmarked(window)
    monkeypatch.setattr(dialogs, "complete_anyway", lambda parent, criteria: True)
    rubric_bar = window.rubric_panel.verticalScrollBar()
    essay_bar = window.script_view.verticalScrollBar()
    rubric_bar.setValue(rubric_bar.maximum())
    essay_bar.setValue(essay_bar.maximum())
    assert rubric_bar.value() > 0 and essay_bar.value() > 0
    shown = window.current_script.id
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert window.current_script.id != shown
    assert rubric_bar.value() == 0 and essay_bar.value() == 0


def test_the_comment_bank_shows_eight_entries_and_their_codes(window):
    panel = window.rubric_panel
    panel.bank_kind.setCurrentIndex(panel.bank_kind.findData(None))    # All
    view, model = panel.bank_view, panel.bank_model
    assert model.rowCount() > 8
    QApplication.processEvents()
    whole = [row for row in range(model.rowCount())
             if view.viewport().rect().contains(view.visualRect(model.index(row, 0)))]
    assert len(whole) >= 8
    codes = [panel.bank_delegate.shortcut_of(model.index(row, 0)) for row in whole]
    assert codes == [model.comment_at(row).shortcut or "" for row in whole]
    assert any(codes)
    # a long entry is cut to two lines, ending in an ellipsis; the whole text is its tooltip
    long_text = "Support every point with precise evidence from the period " * 4
    lines = panel.bank_delegate.lines(long_text, view.font(), 200)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert not view.grab().isNull()                                    # paints


def test_typing_in_the_search_box_keeps_the_shown_script(window, keys):
    first, other = window.marking_set.scripts()[:2]
    window.select_script(first.id)
    window.list_panel.search.setFocus()
    keys.type(other.candidate_name)
    assert window.filter_model.rowCount() == 1                       # only the other one…
    assert window.current_script.id == first.id                      # …and the first shown
    assert not window.list_panel.table.currentIndex().isValid()
    keys.press(Qt.Key.Key_Return)                                    # chosen: now shown
    assert window.current_script.id == other.id
    window.list_panel.search.clear()
    assert window.current_script.id == other.id
    row = window.list_panel.table.currentIndex()
    assert row.isValid() and row.siblingAtColumn(1).data() == other.candidate_name


def test_a_status_filter_or_a_new_status_never_switches_the_script(window, keys):
    script_id = show_unmarked(window)
    window.list_panel.filter.setCurrentText("Marked")                # hides the shown script
    assert window.current_script.id == script_id
    window.list_panel.filter.setCurrentText("Unmarked")
    assert window.list_panel.table.currentIndex().isValid()
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)        # now "in progress":
    assert window.marking_set.status(script_id) == "in progress"    # gone from the list…
    assert window.current_script.id == script_id                     # …and still shown
    assert window.rubric_panel.sections["AO1"].chosen_card().level.label == "Level 2"


# -- 4. level shortcuts by level number ---------------------------------------------------

@pytest.fixture
def set_without_level_0(tmp_path):
    """A set whose AO1 has no Level 0, and whose top level has no number in its label."""
    scheme = template("aqa-history-essay-25")
    ao1 = scheme.criteria[0]
    levels = [lv for lv in ao1.levels if lv.label != "Level 0"]
    levels[-1] = replace(levels[-1], label="Top band")
    scheme = replace(scheme, criteria=(replace(ao1, levels=tuple(levels)),))
    path = new_set("No level 0", scheme)
    essay = tmp_path / "5100_Lee_Sam.txt"
    essay.write_text("Title\n\n" + "The regime survived because the army stayed loyal. " * 40,
                     encoding="utf-8")
    with MarkingSet.open(path) as ms:
        assert list(ms.import_files([essay]))[0].imported
    return path


def test_alt_1_chooses_level_1_in_a_scheme_without_level_0(window, keys, set_without_level_0):
    assert window.open_set(set_without_level_0)
    script_id = window.current_script.id
    section = window.rubric_panel.sections["AO1"]
    hints = {card.level.label: card.findChild(QLabel, "shortcutHint")
             .text() for card in section.cards}
    assert hints == {"Level 1": "Alt+1", "Level 2": "Alt+2", "Level 3": "Alt+3",
                     "Level 4": "Alt+4", "Top band": ""}
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.marking_set.marks_for(script_id)["AO1"].level == "Level 1"
    keys.press(Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    assert window.marking_set.marks_for(script_id)["AO1"].level == "Level 4"
    # digits no card advertises do nothing (and are greyed in the Marking menu)
    assert not window.level_actions[0].isEnabled() and not window.level_actions[5].isEnabled()
    keys.press(Qt.Key.Key_0, Qt.KeyboardModifier.AltModifier)
    keys.press(Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    assert window.marking_set.marks_for(script_id)["AO1"].level == "Level 4"


def test_alt_0_to_alt_9_exist(window):
    names = [action.shortcut().toString() for action in window.level_actions]
    assert names == [f"Alt+{digit}" for digit in range(10)]
    enabled = [digit for digit, action in enumerate(window.level_actions) if action.isEnabled()]
    assert enabled == [0, 1, 2, 3, 4, 5]                              # the demo's levels


# -- 5. F1 and the status column -----------------------------------------------------------

def test_f1_lists_undo_and_redo_by_name(window, keys):
    show_unmarked(window)
    window._mark_chosen("AO1", 8)
    assert window.act_undo.text() != "&Undo"                          # "Undo Mark 8 …"
    window.script_view.setFocus()
    keys.press(Qt.Key.Key_F1)
    text = window.shortcuts_box.text()
    assert "<td>Undo</td>" in text and "<td>Redo</td>" in text
    assert "Undo Mark" not in text and "Undo Set" not in text
    assert "<td>Choose level 9</td>" in text
    window.shortcuts_box.close()


def test_the_status_column_is_in_sight_at_the_default_size(window):
    QApplication.processEvents()
    table = window.list_panel.table
    header = table.horizontalHeader()
    titles = [window.filter_model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(header.count())]
    for title in ("Status", "⚠"):
        column = titles.index(title)
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert 0 <= header.sectionViewportPosition(column) and right <= table.viewport().width()
    assert header.sectionSize(titles.index("Candidate")) >= window.list_panel.NAME_ROOM
