"""First run asks who is marking; the initials follow the name until they are edited."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from gui.dialogs.common import MarkerDialog
from gui.main_window import MainWindow
from gui.settings import MARKER_INITIALS, MARKER_NAME, MARKER_ROLE, Settings

# The real ``ask``, taken before the autouse fixture answers every question with Cancel.
REAL_ASK = MarkerDialog.__dict__["ask"]


def _dialog(qtbot, name="", initials="", role="teacher", first_run=True) -> MarkerDialog:
    dialog = MarkerDialog(None, name, initials, role, first_run)
    qtbot.addWidget(dialog)
    return dialog


def test_initials_follow_the_name_as_it_is_typed(qtbot):
    dialog = _dialog(qtbot)
    assert not dialog.ok_button.isEnabled()   # no name yet
    QTest.keyClicks(dialog.name_edit, "Priya")
    assert dialog.initials_edit.text() == "P"
    QTest.keyClicks(dialog.name_edit, " Patel")
    assert dialog.initials_edit.text() == "PP"
    assert dialog.ok_button.isEnabled()
    assert dialog.values() == ("Priya Patel", "PP", "teacher")


def test_initials_the_user_typed_are_kept_when_the_name_changes(qtbot):
    dialog = _dialog(qtbot)
    QTest.keyClicks(dialog.name_edit, "Priya Patel")
    dialog.initials_edit.selectAll()
    QTest.keyClicks(dialog.initials_edit, "PKP")
    QTest.keyClicks(dialog.name_edit, "-Singh")
    assert dialog.initials_edit.text() == "PKP"
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("moderator"))
    assert dialog.values() == ("Priya Patel-Singh", "PKP", "moderator")


def test_an_emptied_initials_box_follows_the_name_again(qtbot):
    dialog = _dialog(qtbot)
    QTest.keyClicks(dialog.name_edit, "Priya Patel")
    dialog.initials_edit.selectAll()
    QTest.keyClicks(dialog.initials_edit, "X")
    dialog.initials_edit.selectAll()
    QTest.keyClick(dialog.initials_edit, "\b")   # the user empties the box
    assert dialog.initials_edit.text() == ""
    assert dialog.values()[1] == "PP"          # an empty box means the name's initials
    QTest.keyClicks(dialog.name_edit, " Jones")
    assert dialog.initials_edit.text() == "PPJ"


def test_initials_a_marker_chose_are_kept_when_they_correct_their_name(qtbot):
    dialog = _dialog(qtbot, "Priya Patl", "PKP", first_run=False)   # Marker details…
    assert dialog.windowTitle() == "Marker details"
    QTest.keyClick(dialog.name_edit, "\b")
    QTest.keyClicks(dialog.name_edit, "el")
    assert dialog.name_edit.text() == "Priya Patel" and dialog.initials_edit.text() == "PKP"


def test_on_first_run_a_new_name_replaces_the_set_teachers_initials(qtbot):
    dialog = _dialog(qtbot, "Mr D. Hughes", "DH")
    assert dialog.windowTitle() == "Who is marking?"
    assert "This set's teacher is Mr D. Hughes" in dialog.findChild(QLabel, "marker_intro").text()
    assert dialog.initials_edit.text() == "DH"   # kept until the name changes
    dialog.name_edit.selectAll()
    QTest.keyClicks(dialog.name_edit, "Priya Patel")
    assert dialog.initials_edit.text() == "PP"


def test_the_dialog_is_answered_through_ask(qtbot, monkeypatch):
    monkeypatch.setattr(MarkerDialog, "ask", REAL_ASK)

    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, MarkerDialog)
        QTest.keyClicks(dialog.name_edit, "Priya Patel")
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert MarkerDialog.ask(None, "", "", "teacher", first_run=True) == (
        "Priya Patel", "PP", "teacher")


def _window(qtbot) -> MainWindow:
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_first_open_asks_who_is_marking_and_remembers(qtbot, monkeypatch, demo_path):
    asked = []

    def ask(cls, parent, name, initials, role, first_run=False):
        asked.append((name, initials, role, first_run))
        return "Priya Patel", "PP", "second"

    monkeypatch.setattr(MarkerDialog, "ask", classmethod(ask))
    win = _window(qtbot)
    assert win.open_set(demo_path)
    # the set's teacher is offered; the answer is used and remembered
    assert asked == [("Mr D. Hughes", "DH", "teacher", True)]
    marker = win.marking_set.current_marker
    assert (marker.name, marker.initials, marker.role) == ("Priya Patel", "PP", "second")
    assert win.marker_label.text() == "Priya Patel (PP) · second marker"
    assert win.settings.get(MARKER_NAME) == "Priya Patel"
    assert win.settings.get(MARKER_INITIALS) == "PP"
    assert win.settings.get(MARKER_ROLE) == "second"
    # the next set opened does not ask again
    win.close_set()
    assert win.open_set(demo_path)
    assert len(asked) == 1
    assert win.marking_set.current_marker.name == "Priya Patel"
    win.close()


def test_cancelling_the_question_marks_as_the_sets_teacher_and_says_so(qtbot, demo_path):
    win = _window(qtbot)
    assert win.open_set(demo_path)   # the autouse fixture answers Cancel
    assert win.marking_set.current_marker.name == "Mr D. Hughes"
    message = win.statusBar().currentMessage()
    assert "Mr D. Hughes (DH)" in message and "Marker details" in message
    assert win.settings.get(MARKER_NAME) == ""
    win.close()


def test_a_new_set_with_no_teacher_offers_an_empty_name(qtbot, monkeypatch):
    from rubric.store.library import new_set
    from rubric.templates import template

    asked = []
    monkeypatch.setattr(MarkerDialog, "ask", classmethod(
        lambda cls, parent, name, initials, role, first_run=False:
        asked.append((name, initials)) or ("Priya Patel", "PP", "teacher")))
    path = new_set("First set", template("aqa-history-essay-25"))
    win = _window(qtbot)
    assert win.open_set(path)
    assert asked == [("", "")]
    assert [m.name for m in win.marking_set.markers()] == ["Priya Patel"]   # no "Teacher"
    win.close()
