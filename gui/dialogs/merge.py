"""File › Merge…: bring in markers' copies of this set (``.markset`` files they marked).

Each file is previewed first (:func:`rubric.store.merge.plan_merge`): a table of what is
new, changed, ignored and in conflict, with "mine" and "theirs" side by side and a choice
per conflict. Apply brings each file in, in one transaction, through the session
(:meth:`gui.session.MarkingSession.apply_merge`); the views refresh from the
:class:`~rubric.store.Changes` it returns. A refused file (another set's, another scheme's,
a crafted or damaged file) is listed with its one-line reason."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rubric.errors import EssayMarkerError
from rubric.store.merge import MergePlan, _shown, plan_merge

LEDGER_NOTE = ("A merge is recorded in the ledger; restore a backup to go back "
               "(File ▸ Restore from a backup…). Merging the same file again changes nothing.")
COLUMNS = ("File", "Status", "Kind", "Script", "Criterion", "Marker", "Mine", "Theirs",
           "Choice")
STATUS_ORDER = (("conflict", "conflicts"), ("new", "new"), ("changed", "changed"),
                ("ignored", "ignored"))


def ask_merge_paths(parent: QWidget) -> list[str]:
    """The copies to merge (tests replace this)."""
    paths, _ = QFileDialog.getOpenFileNames(parent, "Merge markers' copies of this set", "",
                                            "Marking sets (*.markset);;All files (*)")
    return paths


class MergeDialog(QDialog):
    """The preview of merging ``paths`` into the session's set, and Apply."""

    def __init__(self, parent: QWidget | None, session, paths: list[str | Path]):
        super().__init__(parent)
        self.setObjectName("merge_dialog")
        self.setWindowTitle("Merge markers' copies")
        self.resize(1000, 520)
        self.session = session
        self.plans: list[MergePlan] = []
        self.refusals: list[str] = []
        self.results: list = []
        self.choices: dict[str, QComboBox] = {}
        ms = session.marking_set
        for path in paths:
            try:
                self.plans.append(plan_merge(ms, path))
            except EssayMarkerError as exc:
                self.refusals.append(str(exc))

        layout = QVBoxLayout(self)
        self.summary = QLabel(self._summary_text())
        self.summary.setObjectName("merge_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.refused_label = QLabel("\n".join(f"✗ {r}" for r in self.refusals))
        self.refused_label.setObjectName("merge_refusals")
        self.refused_label.setWordWrap(True)
        self.refused_label.setTextFormat(Qt.TextFormat.PlainText)
        self.refused_label.setStyleSheet("color: #b3261e;")
        self.refused_label.setVisible(bool(self.refusals))
        layout.addWidget(self.refused_label)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("merge_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self._fill()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (6, 7):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        note = QLabel(LEDGER_NOTE)
        note.setObjectName("merge_note")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(note)
        self.status = QLabel("")
        self.status.setObjectName("merge_status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Close)
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setObjectName("merge_apply")
        self.apply_button.setText("&Apply merge")
        self.apply_button.setEnabled(any(not p.empty or not p.already_merged for p in self.plans))
        self.apply_button.clicked.connect(lambda _c=False: self.apply())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # -- the preview ---------------------------------------------------------------------

    def _summary_text(self) -> str:
        if not self.plans:
            return "Nothing can be merged."
        parts = []
        for plan in self.plans:
            c = plan.counts()
            whose = ", ".join(plan.markers) or "no marker of its own"
            parts.append(f"{plan.file.name} ({whose}): {c['new']} new, {c['changed']} changed, "
                         f"{c['conflicts']} conflicts, {c['ignored']} ignored"
                         + (" — merged before" if plan.already_merged else ""))
        conflicts = sum(len(p.conflicts) for p in self.plans)
        if conflicts:
            parts.append(f"{conflicts} conflict{'s' if conflicts != 1 else ''}: the same rows "
                         "were changed here and in the file; choose mine or theirs for each.")
        return "\n".join(parts)

    def _fill(self) -> None:
        rows = [(plan, status, item) for plan in self.plans
                for status, field in STATUS_ORDER for item in getattr(plan, field)]
        self.table.setRowCount(len(rows))
        for row, (plan, status, item) in enumerate(rows):
            mine = "" if status == "new" else _shown(item.mine)
            theirs = _shown(item.theirs)
            if status == "ignored":
                theirs = f"{theirs} — {item.reason}" if item.reason else theirs
            values = (plan.file.name, status, item.kind, item.script, item.criterion or "",
                      item.marker, mine, theirs)
            for column, value in enumerate(values):
                cell = QTableWidgetItem(str(value))
                cell.setToolTip(str(value))
                if status == "conflict" and column == 1:
                    cell.setBackground(QColor("#ffe08a"))
                    cell.setForeground(QColor("#3d2e00"))
                self.table.setItem(row, column, cell)
            if status == "conflict":
                combo = QComboBox()
                combo.setObjectName(f"merge_choice_{item.uuid}")
                combo.addItem("Keep mine", "mine")
                combo.addItem("Take theirs", "theirs")
                self.table.setCellWidget(row, len(COLUMNS) - 1, combo)
                self.choices[item.uuid] = combo

    def choose(self, uuid: str, choice: str) -> None:
        combo = self.choices[uuid]
        combo.setCurrentIndex(combo.findData(choice))

    # -- applying ------------------------------------------------------------------------

    def apply(self) -> bool:
        """Apply every previewed file (each in one transaction). True when all were."""
        choices = {uuid: combo.currentData() for uuid, combo in self.choices.items()}
        self.results = []
        for plan in self.plans:
            mine = {i.uuid: choices[i.uuid] for i in plan.conflicts}
            result = self.session.apply_merge(plan, mine)
            if result is None:
                self.status.setText(f"Stopped: {self.session.last_error}")
                self.apply_button.setEnabled(False)
                return False
            self.results.append(result)
        self.apply_button.setEnabled(False)
        applied = sum(1 for r in self.results if r.applied)
        self.status.setText(f"Merged {applied} file{'s' if applied != 1 else ''}.")
        self.accept()
        return True


def merge_files(window, paths: list[str | Path] | None = None) -> MergeDialog | None:
    """Ask for the copies (unless given), then show their preview (non-modal)."""
    if window.session.marking_set is None:
        return None
    if paths is None:
        paths = ask_merge_paths(window)
    if not paths:
        return None
    dialog = MergeDialog(window, window.session, list(paths))
    window._merge_dialog = dialog
    dialog.finished.connect(lambda _r: _done(window, dialog))
    dialog.show()
    return dialog


def _done(window, dialog: MergeDialog) -> None:
    if dialog.results:
        window.statusBar().showMessage(
            "; ".join(r.plan.lines()[-1] for r in dialog.results), 15000)
