"""A .markset double-clicked in macOS's Finder arrives as a FileOpen event, not argv."""

from __future__ import annotations

from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from gui.app import open_files_from_the_system
from gui.main_window import MainWindow
from gui.settings import Settings
from rubric.store import MarkingSet


def test_a_file_open_event_opens_the_set(qtbot, demo_path, tmp_path):
    window = MainWindow(Settings())
    window.ask_marker_on_first_open = False
    qtbot.addWidget(window)
    app = QApplication.instance()
    open_files_from_the_system(app, window)
    with MarkingSet.open(demo_path) as ms:
        shared = ms.export_to(tmp_path / "from-a-colleague.markset")
    QApplication.sendEvent(app, QFileOpenEvent(str(shared)))
    assert window.marking_set is not None
    assert window.marking_set.path.parent != shared.parent   # copied into the sets folder
    app.removeEventFilter(app._file_open_filter)
    window.close()
