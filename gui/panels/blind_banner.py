"""The banner above the script while the current marker marks blind: what is hidden, and
a Reveal… button (asks first; the reveal goes through the session and is audited)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSizePolicy

from rubric.store import Changes

BLIND_TEXT = ("Blind marking: other markers' marks, comments and annotations are hidden. "
              "Reveal… shows them (the reveal is recorded in the audit log).")


class BlindBanner(QFrame):
    """Shown while the session's current marker is blind; hidden otherwise."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("blind_banner")
        self.session = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel(BLIND_TEXT)
        self.label.setObjectName("blind_text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self.reveal_button = QPushButton("Reveal…")
        self.reveal_button.setObjectName("blind_reveal")
        self.reveal_button.setToolTip("Show the other markers' marks, comments and annotations")
        self.reveal_button.clicked.connect(lambda _c=False: self.ask_reveal())
        layout.addWidget(self.reveal_button)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        background, text = ("#173a5e", "#d6e8ff") if dark else ("#e3effc", "#0d3a6b")
        self.setStyleSheet(
            f"QFrame#blind_banner {{ background: {background}; border-bottom: 1px solid "
            f"#6b9bd1; }} QLabel#blind_text {{ color: {text}; }}")
        self.hide()

    def follow(self, session) -> None:
        self.session = session
        session.opened.connect(lambda _ms: self.refresh())
        session.closed.connect(self.refresh)
        session.changed.connect(self._changed)
        self.refresh()

    def _changed(self, changes: Changes) -> None:
        if changes.markers:
            self.refresh()

    def refresh(self) -> None:
        ms = self.session.marking_set if self.session is not None else None
        blind = ms is not None and ms.is_blind()
        if blind:
            others = len(ms.hidden_markers())
            self.label.setText(BLIND_TEXT if others else
                               BLIND_TEXT.replace("are hidden", "will be hidden"))
        self.setVisible(blind)

    def confirm_reveal(self) -> bool:
        """Ask before revealing (tests replace this)."""
        answer = QMessageBox.question(
            self, "Reveal other markers' marks?",
            "Show the other markers' marks, comments and annotations? Your marking is no "
            "longer blind from then on, and the reveal is recorded in the audit log.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def ask_reveal(self) -> bool:
        if self.session is None or self.session.marking_set is None:
            return False
        if not self.confirm_reveal():
            return False
        return self.session.reveal()
