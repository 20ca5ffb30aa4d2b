"""The application object: Qt's, with the events the system sends to the application
itself handled here."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QApplication


class EssayMarkerApplication(QApplication):
    """macOS hands a double-clicked or dropped ``.markset`` to the application object as a
    FileOpen event: it is announced by :attr:`file_open_requested`. Handled by overriding
    the application's own ``event`` rather than by an event filter on the application,
    which Qt would call (in Python) for every event of every widget: each paint, layout
    and timer of the window."""

    file_open_requested = Signal(str)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.FileOpen:
            path = event.file()
            if path:
                self.file_open_requested.emit(path)
            return True
        return super().event(event)
