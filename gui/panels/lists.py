"""The script list (search, status filter, the table) and the annotation list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.models import AnnotationListModel, ScriptFilterModel


class ScriptListPanel(QWidget):
    """Search, status filter and the script table."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        self.search = QLineEdit()
        self.search.setObjectName("script_search")
        self.search.setPlaceholderText("Search candidates…")
        self.search.setClearButtonEnabled(True)
        self.filter = QComboBox()
        self.filter.setObjectName("status_filter")
        self.filter.addItems(ScriptFilterModel.FILTERS)
        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.filter, 2)
        layout.addLayout(top)
        self.table = QTableView()
        self.table.setObjectName("script_table")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        layout.addWidget(self.table)
        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        layout.addWidget(self.count_label)


class AnnotationPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 8)
        title = QLabel("<b>Annotations</b>")
        layout.addWidget(title)
        self.model = AnnotationListModel(self)
        self.view = QListView()
        self.view.setObjectName("annotation_list")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setSpacing(3)
        self.view.setAlternatingRowColors(True)
        layout.addWidget(self.view)
        self.hint = QLabel("Select a passage in the script and press Ctrl+M to comment on it.")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        layout.addWidget(self.hint)
        buttons = QHBoxLayout()
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        layout.addLayout(buttons)

    def follow(self, session, script_view) -> None:
        """Subscribe to the session's broadcast: when the shown script's annotations
        change, the list and the highlights in ``script_view`` follow, keeping the
        selection."""
        self._session = session
        self._script_view = script_view
        self.shown_script = None
        session.changed.connect(self._changes)

    def selected_id(self):
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        annotation = index.data(AnnotationListModel.ANNOTATION_ROLE)
        return None if annotation is None else annotation.id

    def _changes(self, changes) -> None:
        ms = self._session.marking_set
        script_id = self.shown_script
        if ms is None or script_id is None:
            return
        if not ((changes.annotations and script_id in changes.scripts) or changes.markers):
            return
        annotations = ms.annotations(script_id, ms.current_marker.id)
        selected = self.selected_id()
        self.model.set_annotations(annotations)
        self._script_view.set_annotations(annotations, selected)
        if selected is not None:
            row = self.model.row_of(selected)
            if row >= 0:
                self.view.setCurrentIndex(self.model.index(row))
