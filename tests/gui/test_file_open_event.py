"""A .markset double-clicked in macOS's Finder arrives as a FileOpen event, not argv."""

from __future__ import annotations

from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from gui.app import open_files_from_the_system
from gui.application import EssayMarkerApplication
from gui.main_window import MainWindow
from gui.settings import Settings
from rubric.store import MarkingSet


def test_a_file_open_event_opens_the_set(qtbot, demo_path, tmp_path):
    window = MainWindow(Settings())
    window.ask_marker_on_first_open = False
    qtbot.addWidget(window)
    app = QApplication.instance()
    assert isinstance(app, EssayMarkerApplication)   # the app's own class, as in the app
    connection = open_files_from_the_system(app, window)
    try:
        with MarkingSet.open(demo_path) as ms:
            shared = ms.export_to(tmp_path / "from-a-colleague.markset")
        QApplication.sendEvent(app, QFileOpenEvent(str(shared)))
        assert window.marking_set is not None
        assert window.marking_set.path.parent != shared.parent   # copied into the sets folder
    finally:
        app.disconnect(connection)
    window.close()


def test_a_file_open_event_with_no_file_opens_nothing(qtbot):
    window = MainWindow(Settings())
    window.ask_marker_on_first_open = False
    qtbot.addWidget(window)
    app = QApplication.instance()
    connection = open_files_from_the_system(app, window)
    try:
        assert app.event(QFileOpenEvent("")) is True   # taken, and nothing else happens
        assert window.marking_set is None
    finally:
        app.disconnect(connection)
