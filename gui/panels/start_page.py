"""The first thing a user sees: recent marking sets, a new set, a set file, the demo set."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rubric.store import set_files


class StartPage(QWidget):
    open_requested = Signal(str)
    new_requested = Signal()
    open_file_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("start_page")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(14)
        column.addStretch(1)
        title = QLabel("Essay Marker")
        title.setObjectName("startTitle")
        subtitle = QLabel("Mark a class set against a level-based rubric. Everything stays on "
                          "this computer, and every mark is saved as you make it.")
        subtitle.setWordWrap(True)
        subtitle.setObjectName("startSubtitle")
        column.addWidget(title)
        column.addWidget(subtitle)

        self.continue_button = QPushButton()
        self.continue_button.setObjectName("continue_button")
        self.continue_button.setMinimumHeight(44)
        self.continue_button.setDefault(True)
        self.continue_button.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.continue_button.clicked.connect(
            lambda: self.open_requested.emit(self.continue_button.property("path")))
        column.addWidget(self.continue_button)

        row = QHBoxLayout()
        row.setSpacing(24)
        actions = QVBoxLayout()
        actions.setSpacing(8)
        for text, signal, name in (
            ("New marking set…", self.new_requested, "new_set_button"),
            ("Open a set file…", self.open_file_requested, "open_file_button"),
            ("Open the demo set", self.demo_requested, "demo_button"),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.setMinimumHeight(36)
            button.clicked.connect(signal)
            actions.addWidget(button)
        actions.addStretch(1)
        row.addLayout(actions, 1)

        recent_box = QVBoxLayout()
        recent_title = QLabel("<b>Recent marking sets</b>")
        self.recent = QListWidget()
        self.recent.setObjectName("recent_sets")
        self.recent.setFrameShape(QFrame.Shape.StyledPanel)
        self.recent.itemActivated.connect(
            lambda item: self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.empty_hint = QLabel("No marking sets yet. Start with the demo set to look around, "
                                 "or create a new set and import your class's essays.")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setObjectName("startSubtitle")
        self.recent.setSpacing(3)
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("open_recent_button")
        self.open_button.clicked.connect(self._open_selected)
        recent_box.addWidget(recent_title)
        recent_box.addWidget(self.recent)
        recent_box.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        recent_box.addWidget(self.empty_hint)
        row.addLayout(recent_box, 2)
        column.addLayout(row)
        column.addStretch(2)
        body = QWidget()
        body.setLayout(column)
        body.setMaximumWidth(820)
        body.setMinimumWidth(560)
        outer.addWidget(body, 4)
        outer.addStretch(1)
        self.setStyleSheet("""
            QLabel#startTitle { font-size: 28px; font-weight: 600; }
            QLabel#startSubtitle { color: palette(placeholder-text); font-size: 13px; }
        """)

    def _open_selected(self) -> None:
        item = self.recent.currentItem()
        if item is not None:
            self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def refresh(self, recent: list[str]) -> None:
        self.recent.clear()
        seen: list[Path] = []
        for text in recent:
            path = Path(text)
            if path.exists() and path not in seen:
                seen.append(path)
        for path in set_files():
            if path not in seen:
                seen.append(path)
        for path in seen[:20]:
            changed = datetime.fromtimestamp(path.stat().st_mtime).strftime("%d %b %Y, %H:%M")
            item = QListWidgetItem(f"{path.stem}\n{changed}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        self.empty_hint.setVisible(not seen)
        last = next((Path(p) for p in recent if Path(p).exists()), None)
        self.continue_button.setVisible(last is not None)
        if last is not None:
            self.continue_button.setText(f"Continue marking “{last.stem}”")
            self.continue_button.setProperty("path", str(last))
            self.continue_button.setFocus()
        self.recent.setVisible(bool(seen))
        self.open_button.setVisible(bool(seen))
        if seen:
            self.recent.setCurrentRow(0)
