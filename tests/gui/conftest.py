from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow
from gui.settings import Settings
from rubric.demo import demo_set_path


@pytest.fixture(autouse=True)
def non_blocking_dialogs(qapp):
    """Message boxes open without blocking, so a test can look at them."""
    qapp.setProperty("essay_marker_non_blocking_dialogs", True)
    yield
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and widget.objectName() in ("error_box", "unexpected_error_box",
                                                          "import_summary"):
            widget.close()


@pytest.fixture(autouse=True)
def no_first_run_marker_question(monkeypatch):
    """Opening a set with no marker in the settings asks who is marking; tests answer
    "Cancel" (the set's teacher is used, as before) unless they replace this themselves."""
    from gui.dialogs.common import MarkerDialog

    monkeypatch.setattr(MarkerDialog, "ask", classmethod(lambda cls, *a, **k: None))


@pytest.fixture(autouse=True)
def rubric_edits_discarded_without_asking(monkeypatch):
    """The rubric editor asks before Esc or Cancel throws edits away; tests (and qtbot's
    closing of widgets at the end) answer "Discard" unless they replace this themselves."""
    from gui.dialogs.rubric_editor import RubricEditorDialog

    monkeypatch.setattr(RubricEditorDialog, "_confirm_discard", lambda self: True)


@pytest.fixture
def demo_path():
    return demo_set_path()


@pytest.fixture
def window(qtbot, demo_path):
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_set(demo_path)
    win.activateWindow()
    yield win
    win.close()


class Keys:
    """Sends key presses to whatever has focus, as a user would, and counts them."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.count = 0

    def press(self, key, modifiers=Qt.KeyboardModifier.NoModifier, text: str | None = None):
        target = QApplication.focusWidget() or QApplication.activeWindow()
        assert target is not None, "nothing has keyboard focus"
        QTest.keyClick(target, key, modifiers)
        self.count += 1
        QApplication.processEvents()

    def type(self, text: str):
        for char in text:
            target = QApplication.focusWidget()
            QTest.keyClicks(target, char)
            self.count += 1
            QApplication.processEvents()


@pytest.fixture
def keys(qtbot):
    return Keys(qtbot)
