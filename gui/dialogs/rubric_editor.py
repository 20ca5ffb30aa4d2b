"""The rubric editor: a dialog to edit a scheme's question, criteria and levels.

The user sees the word "rubric" throughout (the core and the CLI say "scheme"; the core's
messages are shown in the GUI's words by :func:`gui_words`).

Every edit rebuilds an immutable :class:`~rubric.scheme.Scheme` and lists
``rubric.scheme.problems(scheme)`` in a panel; the OK button stays disabled while there is
any problem, so an invalid scheme never leaves the dialog. The scheme total always follows
the sum of the criterion maxima. When the marking set already holds marks, a ``conflicts``
callback lists the marks that would no longer fit, each named by its script's candidate
(``script_names``); they are kept and flagged, never dropped. Esc, Cancel or closing the
window asks before edits are thrown away.

Typical use (the main window wraps the result in one undo command)::

    names = {s.id: s.candidate for s in marking_set.scripts()}
    scheme = RubricEditorDialog.edit(marking_set.scheme, window, marking_set.conflicts_with,
                                     names)
    if scheme is not None:
        ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.errors import never_raises
from rubric.errors import EssayMarkerError
from rubric.record import replace
from rubric.scheme import Criterion, Level, Scheme, SchemeProblem, load_scheme, scheme_problems
from rubric.templates import bundled_templates

ConflictsCallback = Callable[[Scheme], Sequence[Any]]
"""``MarkingSet.conflicts_with``: objects with ``.reason`` and ``.mark.script_id``."""
ScriptNames = Mapping[int, str]
"""How each script is named: its candidate label by script id ("Callum MacLeod (4226)")."""

MAX_MARK = 999
MAX_WORD_LIMIT = 50_000
SHOWN_PROBLEMS = 4  # messages listed before "… and N more" (all are in the tooltip)
SHOWN_CONFLICTS = 3

_Index = QModelIndex | QPersistentModelIndex

_PANEL_STYLES = {
    "problems": "background:#fdf0ef; border:1px solid #e8b4ae; border-radius:6px; color:#6b1d16;",
    "ok": "background:#eff7ef; border:1px solid #bcdcbc; border-radius:6px; color:#1f4d22;",
    "conflicts": "background:#fff7e6; border:1px solid #ecd09a; border-radius:6px; color:#5c3c00;",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _next_label(levels: Sequence[Level], after: int) -> str:
    """A free label for a level added after row ``after``: 'Level 5' follows 'Level 4'."""
    taken = {level.label for level in levels}
    prefix, number = "Level ", len(levels) + 1
    if after >= 0:
        match = re.fullmatch(r"(.*?)(\d+)", levels[after].label.strip())
        if match:
            prefix, number = match.group(1), int(match.group(2)) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


_SCHEME_WORD = re.compile(r"\b([Ss])cheme\b")


def gui_words(message: str) -> str:
    """A core message in the GUI's words: the user sees a "rubric", never a "scheme"."""
    return _SCHEME_WORD.sub(lambda m: "Rubric" if m.group(1) == "S" else "rubric", message)


# -- the levels table ---------------------------------------------------------------------


class LevelsModel(QAbstractTableModel):
    """The levels of one criterion: label, from, to and a one-line descriptor preview.

    Label and range are edited in the table; descriptor and indicative content through
    :meth:`set_level_text`. Every change emits :attr:`levels_edited`.
    """

    LABEL, FROM, TO, DESCRIPTOR = range(4)
    HEADERS = ("Level", "From", "To", "Descriptor")

    levels_edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._levels: list[Level] = []
        self._problems: dict[int, list[str]] = {}
        self._warning_icon: QIcon | None = None

    # -- reading and replacing ------------------------------------------------------------

    def levels(self) -> tuple[Level, ...]:
        return tuple(self._levels)

    def level(self, row: int) -> Level:
        return self._levels[row]

    def set_levels(self, levels: Sequence[Level]) -> None:
        self.beginResetModel()
        self._levels = list(levels)
        self._problems = {}
        self.endResetModel()

    def set_problems(self, by_row: dict[int, list[str]]) -> None:
        """Mark rows that have problems (a warning icon and the messages as a tooltip)."""
        if by_row == self._problems:
            return
        self._problems = dict(by_row)
        if self._levels:
            self.dataChanged.emit(self.index(0, self.LABEL),
                                  self.index(len(self._levels) - 1, self.LABEL))

    # -- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._levels)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    @never_raises()
    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._levels):
            return str(section + 1)
        return None

    @never_raises(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() != self.DESCRIPTOR:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    @never_raises()
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._levels):
            return None
        level = self._levels[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == self.LABEL:
                return level.label
            if column == self.FROM:
                return level.min_mark
            if column == self.TO:
                return level.max_mark
            if column == self.DESCRIPTOR:
                if role == Qt.ItemDataRole.EditRole:
                    return level.descriptor
                return _one_line(level.descriptor)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.LABEL and index.row() in self._problems:
                return "\n".join(self._problems[index.row()])
            if column == self.DESCRIPTOR and level.descriptor:
                return level.descriptor
        if (role == Qt.ItemDataRole.DecorationRole and column == self.LABEL
                and index.row() in self._problems):
            return self._warning()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.FROM, self.TO):
            return Qt.AlignmentFlag.AlignCenter
        return None

    def setData(self, index: _Index, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.EditRole or not index.isValid()
                or not 0 <= index.row() < len(self._levels)):
            return False
        row, column = index.row(), index.column()
        level = self._levels[row]
        if column == self.LABEL:
            changed = replace(level, label=str(value).strip())
        elif column in (self.FROM, self.TO):
            try:
                number = int(value)
            except (TypeError, ValueError):
                return False
            changed = (replace(level, min_mark=number) if column == self.FROM
                       else replace(level, max_mark=number))
        else:
            return False
        if changed != level:
            self._levels[row] = changed
            self.dataChanged.emit(index, index)
            self.levels_edited.emit()
        return True

    # -- edits that change rows -----------------------------------------------------------

    def set_level_text(self, row: int, *, descriptor: str | None = None,
                       indicative: str | None = None) -> None:
        level = self._levels[row]
        changed = replace(
            level,
            descriptor=level.descriptor if descriptor is None else descriptor,
            indicative=level.indicative if indicative is None else indicative,
        )
        if changed != level:
            self._levels[row] = changed
            cell = self.index(row, self.DESCRIPTOR)
            self.dataChanged.emit(cell, cell)
            self.levels_edited.emit()

    def insert_level(self, row: int, level: Level) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._levels.insert(row, level)
        self.endInsertRows()
        self.levels_edited.emit()

    def remove_level(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._levels[row]
        self.endRemoveRows()
        self.levels_edited.emit()

    def move_level(self, row: int, step: int) -> bool:
        """Move a level one place up (``step=-1``) or down (``step=1``)."""
        target = row + step
        if step not in (-1, 1) or not (0 <= row < len(self._levels)
                                       and 0 <= target < len(self._levels)):
            return False
        # Qt's destination is the row the moved one lands *before*, in the old numbering.
        destination = target if step < 0 else target + 1
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._levels.insert(target, self._levels.pop(row))
        self.endMoveRows()
        self.levels_edited.emit()
        return True

    def _warning(self) -> QIcon:
        if self._warning_icon is None:
            self._warning_icon = QApplication.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon


class _MarkDelegate(QStyledItemDelegate):
    """A spin box limited to sensible marks for the From and To columns."""

    def createEditor(self, parent: QWidget, option: Any, index: _Index) -> QWidget:
        spin = QSpinBox(parent)
        spin.setRange(0, MAX_MARK)
        spin.setFrame(False)
        spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return spin


# -- the dialog -----------------------------------------------------------------------------


class RubricEditorDialog(QDialog):
    """Edit a scheme; after ``exec()`` returns Accepted, :meth:`result_scheme` is valid."""

    def __init__(self, scheme: Scheme, parent: QWidget | None = None,
                 conflicts: ConflictsCallback | None = None,
                 script_names: ScriptNames | None = None):
        super().__init__(parent)
        self.setObjectName("rubric_editor")
        self.setWindowTitle("Edit rubric")
        self.setSizeGripEnabled(True)
        self._conflicts_callback = conflicts
        self._script_names = dict(script_names or {})
        self._original = scheme      # what "unsaved edits" are measured against
        self._base = scheme          # id, extra and untouched fields are kept from here
        self._edits: dict[str, Any] = {}  # header fields the user changed
        self._criteria: list[Criterion] = []
        self._row = -1               # the criterion shown on the right
        self._quiet_depth = 0        # >0 while widgets are filled from the scheme
        self._problems: list[str] = []
        self._located: list[SchemeProblem] = []
        self._conflicts: list[Any] = []
        self._conflicts_for: tuple[Criterion, ...] | None = None
        self._blank: QIcon | None = None

        self._build()
        self._show_scheme(scheme)
        self._fit_to_screen()

    # -- public API -----------------------------------------------------------------------

    @classmethod
    def edit(cls, scheme: Scheme, parent: QWidget | None = None,
             conflicts: ConflictsCallback | None = None,
             script_names: ScriptNames | None = None) -> Scheme | None:
        """Show the editor; the edited, valid scheme, or None when cancelled."""
        dialog = cls(scheme, parent, conflicts, script_names)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_scheme()
            return None
        finally:
            dialog.deleteLater()

    def result_scheme(self) -> Scheme:
        """The scheme as edited (valid whenever the dialog was accepted)."""
        return replace(
            self._base,
            **self._edits,
            criteria=tuple(self._criteria),
            total=sum(c.maximum for c in self._criteria),
        )

    def problems(self) -> list[str]:
        """The core's messages for the scheme as it stands."""
        return list(self._problems)

    def conflicts(self) -> list[Any]:
        """The marks that would no longer fit (empty without a ``conflicts`` callback)."""
        return list(self._conflicts)

    def load_template(self, scheme: Scheme) -> None:
        """Replace everything in the editor with ``scheme`` (a template or a loaded file)."""
        self._show_scheme(scheme)

    def load_template_file(self) -> None:
        """Ask for a scheme .json file and load it; a bad file changes nothing."""
        path = self._ask_open_path()
        if not path:
            return
        try:
            scheme = load_scheme(path)
        except EssayMarkerError as exc:
            QMessageBox.warning(self, "Cannot load the template", gui_words(str(exc)))
            return
        self.load_template(scheme)

    def save_template_file(self) -> bool:
        """Ask for a file name and save the scheme there as a template; True when saved."""
        if self._problems:
            return False
        scheme = self.result_scheme()
        path = self._ask_save_path(f"{scheme.id or 'scheme'}.json")
        if not path:
            return False
        target = Path(path)
        if target.suffix.lower() != ".json":
            target = target.with_name(target.name + ".json")
        try:
            scheme.save(target)
        except (EssayMarkerError, OSError) as exc:
            QMessageBox.critical(self, "Cannot save the template", str(exc))
            return False
        return True

    def has_unsaved_edits(self) -> bool:
        """Whether the rubric as edited differs from the one the editor opened with."""
        return self.result_scheme() != self._original

    def accept(self) -> None:
        if self._problems:  # the button is disabled, but Enter must not get round it
            return
        super().accept()

    def reject(self) -> None:
        """Esc, Cancel and closing the window all come here: edits are only thrown away
        when the user says so."""
        if self.has_unsaved_edits() and not self._confirm_discard():
            return
        super().reject()

    def _confirm_discard(self) -> bool:
        """Ask before throwing edits away (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Discard changes?",
                          "Discard your changes to the rubric?",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("discard_rubric_box")
        box.setInformativeText("The rubric stays as it was before you opened the editor.")
        discard = box.addButton("Discard changes", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is discard

    # -- file dialogs (tests replace these) -----------------------------------------------

    def _ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a rubric template", self._start_folder(),
            "Rubric templates (*.json);;All files (*)")
        return path or None

    def _ask_save_path(self, suggested_name: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the rubric as a template file",
            str(Path(self._start_folder()) / suggested_name),
            "Rubric templates (*.json)")
        return path or None

    @staticmethod
    def _start_folder() -> str:
        return QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())

    def _fit_to_screen(self) -> None:
        """A roomy default size that still fits a 1366×768 laptop."""
        screen = self.screen()
        available = screen.availableGeometry() if screen is not None else None
        width, height = 1120, 860
        if available is not None and available.height() >= 500:
            width = min(width, int(available.width() * 0.95))
            height = min(height, int(available.height() * 0.92))
        self.resize(max(width, self.minimumSizeHint().width()),
                    max(height, self.minimumSizeHint().height()))

    # -- building the widgets -------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(self._build_question_group())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("criteria_splitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_criteria_group())
        splitter.addWidget(self._build_criterion_group())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 850])
        layout.addWidget(splitter, 1)

        # Side by side, so that a long list of conflicts does not squeeze the levels table.
        panels = QHBoxLayout()
        panels.setSpacing(12)
        panels.addWidget(self._build_problems_panel(), 1)
        panels.addWidget(self._build_conflicts_panel(), 1)
        layout.addLayout(panels)
        layout.addLayout(self._build_buttons())
        self._set_tab_order()

    def _build_question_group(self) -> QGroupBox:
        group = QGroupBox("Question")
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)

        self.title_edit = QLineEdit(objectName="title_edit")
        self.title_edit.setPlaceholderText("A name for this rubric")
        self.board_edit = QLineEdit(objectName="board_edit")
        self.board_edit.setPlaceholderText("e.g. AQA")
        self.paper_edit = QLineEdit(objectName="paper_edit")
        self.paper_edit.setPlaceholderText("e.g. Component 1, Section B")
        self.subject_edit = QLineEdit(objectName="subject_edit")
        self.subject_edit.setPlaceholderText("e.g. History")
        self.word_limit_spin = QSpinBox(objectName="word_limit_spin")
        self.word_limit_spin.setRange(0, MAX_WORD_LIMIT)
        self.word_limit_spin.setSingleStep(100)
        self.word_limit_spin.setSpecialValueText("none")
        self.word_limit_spin.setSuffix(" words")
        self.word_limit_spin.setToolTip("The word limit for scripts; 0 means none")
        self.question_edit = QPlainTextEdit(objectName="question_edit")
        self.question_edit.setPlaceholderText("The question exactly as the students saw it")
        self.question_edit.setTabChangesFocus(True)
        self.guidance_edit = QPlainTextEdit(objectName="guidance_edit")
        self.guidance_edit.setPlaceholderText("Notes for markers (optional)")
        self.guidance_edit.setTabChangesFocus(True)
        for edit in (self.question_edit, self.guidance_edit):
            self._set_lines(edit, 2, 3)

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = QLabel(text)
            widget.setBuddy(buddy)
            return widget

        grid.addWidget(label("&Title:", self.title_edit), 0, 0)
        grid.addWidget(self.title_edit, 0, 1, 1, 7)
        grid.addWidget(label("&Board:", self.board_edit), 1, 0)
        grid.addWidget(self.board_edit, 1, 1)
        grid.addWidget(label("&Paper:", self.paper_edit), 1, 2)
        grid.addWidget(self.paper_edit, 1, 3)
        grid.addWidget(label("S&ubject:", self.subject_edit), 1, 4)
        grid.addWidget(self.subject_edit, 1, 5)
        grid.addWidget(label("&Word limit:", self.word_limit_spin), 1, 6)
        grid.addWidget(self.word_limit_spin, 1, 7)
        question_label = label("&Question:", self.question_edit)
        question_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(question_label, 2, 0)
        grid.addWidget(self.question_edit, 2, 1, 1, 3)
        guidance_label = label("&Guidance:", self.guidance_edit)
        guidance_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(guidance_label, 2, 4)
        grid.addWidget(self.guidance_edit, 2, 5, 1, 3)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)
        grid.setColumnStretch(3, 2)
        for row_label in (0, 2, 4, 6):
            item = grid.itemAtPosition(1, row_label)
            if item is not None and item.widget() is not None:
                item.widget().setAlignment(Qt.AlignmentFlag.AlignRight
                                           | Qt.AlignmentFlag.AlignVCenter)
        title_label = grid.itemAtPosition(0, 0).widget()
        title_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        for field, edit in (("title", self.title_edit), ("board", self.board_edit),
                            ("paper", self.paper_edit), ("subject", self.subject_edit)):
            edit.textChanged.connect(
                lambda text, field=field: self._header_edited(field, text.strip()))
        self.question_edit.textChanged.connect(
            lambda: self._header_edited("question", self.question_edit.toPlainText().strip()))
        self.guidance_edit.textChanged.connect(
            lambda: self._header_edited("guidance", self.guidance_edit.toPlainText().strip()))
        self.word_limit_spin.valueChanged.connect(
            lambda value: self._header_edited("word_limit", value or None))
        return group

    def _build_criteria_group(self) -> QGroupBox:
        group = QGroupBox("Criteria")
        layout = QVBoxLayout(group)
        layout.setSpacing(8)

        self.criteria_list = QListWidget(objectName="criteria_list")
        self.criteria_list.setAccessibleName("Criteria")
        self.criteria_list.setMinimumWidth(200)
        self.criteria_list.setIconSize(QSize(16, 16))
        self.criteria_list.currentRowChanged.connect(self._show_criterion)
        layout.addWidget(self.criteria_list, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.add_criterion_button = self._tool_button(
            "add_criterion_button", "+", "Add a criterion", self.add_criterion)
        self.remove_criterion_button = self._tool_button(
            "remove_criterion_button", "−", "Remove the selected criterion",
            self.remove_criterion)
        self.criterion_up_button = self._tool_button(
            "criterion_up_button", "↑", "Move the criterion up",
            lambda: self.move_criterion(-1))
        self.criterion_down_button = self._tool_button(
            "criterion_down_button", "↓", "Move the criterion down",
            lambda: self.move_criterion(1))
        for button in (self.add_criterion_button, self.remove_criterion_button,
                       self.criterion_up_button, self.criterion_down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.total_label = QLabel(objectName="total_label")
        self.total_label.setToolTip("The rubric's total is the sum of the criterion maxima")
        font = self.total_label.font()
        font.setBold(True)
        self.total_label.setFont(font)
        layout.addWidget(self.total_label)
        return group

    def _build_criterion_group(self) -> QGroupBox:
        self.criterion_group = QGroupBox("Criterion")
        layout = QVBoxLayout(self.criterion_group)
        layout.setSpacing(8)

        top = QHBoxLayout()
        top.setSpacing(10)
        self.criterion_name_edit = QLineEdit(objectName="criterion_name_edit")
        self.criterion_name_edit.setPlaceholderText("e.g. AO1")
        self.criterion_name_edit.textChanged.connect(self._criterion_name_edited)
        self.criterion_maximum_spin = QSpinBox(objectName="criterion_maximum_spin")
        self.criterion_maximum_spin.setRange(1, MAX_MARK)
        self.criterion_maximum_spin.setSuffix(" marks")
        self.criterion_maximum_spin.valueChanged.connect(self._criterion_maximum_edited)
        name_label = QLabel("&Name:")
        name_label.setBuddy(self.criterion_name_edit)
        maximum_label = QLabel("Ma&ximum:")
        maximum_label.setBuddy(self.criterion_maximum_spin)
        top.addWidget(name_label)
        top.addWidget(self.criterion_name_edit, 1)
        top.addSpacing(8)
        top.addWidget(maximum_label)
        top.addWidget(self.criterion_maximum_spin)
        layout.addLayout(top)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.criterion_description_edit = QPlainTextEdit(
            objectName="criterion_description_edit")
        self.criterion_description_edit.setPlaceholderText("What this criterion assesses")
        self.criterion_description_edit.setTabChangesFocus(True)
        self._set_lines(self.criterion_description_edit, 2, 2)
        self.criterion_description_edit.textChanged.connect(
            self._criterion_description_edited)
        description_label = QLabel("D&escription:")
        description_label.setBuddy(self.criterion_description_edit)
        form.addRow(description_label, self.criterion_description_edit)
        layout.addLayout(form)

        self.levels_heading = QLabel("&Levels")
        font = self.levels_heading.font()
        font.setBold(True)
        self.levels_heading.setFont(font)
        layout.addSpacing(4)
        layout.addWidget(self.levels_heading)

        self.levels_model = LevelsModel(self)
        self.levels_model.levels_edited.connect(self._levels_edited)
        self.levels_table = QTableView(objectName="levels_table")
        self.levels_table.setAccessibleName("Levels")
        self.levels_table.setModel(self.levels_model)
        self.levels_heading.setBuddy(self.levels_table)
        self.levels_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.levels_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.levels_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked)
        self.levels_table.setAlternatingRowColors(True)
        self.levels_table.setWordWrap(False)
        self.levels_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.levels_table.verticalHeader().setVisible(False)
        self.levels_table.verticalHeader().setDefaultSectionSize(
            self.levels_table.fontMetrics().height() + 12)
        self._mark_delegate = _MarkDelegate(self.levels_table)
        for column in (LevelsModel.FROM, LevelsModel.TO):
            self.levels_table.setItemDelegateForColumn(column, self._mark_delegate)
        header = self.levels_table.horizontalHeader()
        header.setSectionResizeMode(LevelsModel.LABEL, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LevelsModel.FROM, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(LevelsModel.TO, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(LevelsModel.DESCRIPTOR, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.levels_table.setColumnWidth(LevelsModel.LABEL, 130)
        self.levels_table.setColumnWidth(LevelsModel.FROM, 64)
        self.levels_table.setColumnWidth(LevelsModel.TO, 64)
        self.levels_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_level(current.row()))
        self.levels_table.setMinimumHeight(
            self.levels_table.horizontalHeader().sizeHint().height()
            + 3 * self.levels_table.verticalHeader().defaultSectionSize() + 4)
        layout.addWidget(self.levels_table, 1)

        level_buttons = QHBoxLayout()
        level_buttons.setSpacing(4)
        self.add_level_button = self._tool_button(
            "add_level_button", "+ Add level", "Add a level after the selected one",
            self.add_level)
        self.remove_level_button = self._tool_button(
            "remove_level_button", "− Remove level", "Remove the selected level",
            self.remove_level)
        self.level_up_button = self._tool_button(
            "level_up_button", "↑", "Move the level up", lambda: self.move_level(-1))
        self.level_down_button = self._tool_button(
            "level_down_button", "↓", "Move the level down", lambda: self.move_level(1))
        for button in (self.add_level_button, self.remove_level_button,
                       self.level_up_button, self.level_down_button):
            level_buttons.addWidget(button)
        level_buttons.addStretch(1)
        hint = QLabel("Double-click a cell to edit it")
        hint.setEnabled(False)
        level_buttons.addWidget(hint)
        layout.addLayout(level_buttons)

        texts = QGridLayout()
        texts.setHorizontalSpacing(12)
        texts.setVerticalSpacing(4)
        self.descriptor_edit = QPlainTextEdit(objectName="descriptor_edit")
        self.descriptor_edit.setPlaceholderText("What work at this level does")
        self.descriptor_edit.setTabChangesFocus(True)
        self.descriptor_edit.textChanged.connect(self._descriptor_edited)
        self.indicative_edit = QPlainTextEdit(objectName="indicative_edit")
        self.indicative_edit.setPlaceholderText("What answers at this level might include")
        self.indicative_edit.setTabChangesFocus(True)
        self.indicative_edit.textChanged.connect(self._indicative_edited)
        for edit in (self.descriptor_edit, self.indicative_edit):
            self._set_lines(edit, 3, 5)
        self.descriptor_label = QLabel(objectName="descriptor_label")
        self.descriptor_label.setBuddy(self.descriptor_edit)
        self.indicative_label = QLabel(objectName="indicative_label")
        self.indicative_label.setBuddy(self.indicative_edit)
        texts.addWidget(self.descriptor_label, 0, 0)
        texts.addWidget(self.indicative_label, 0, 1)
        texts.addWidget(self.descriptor_edit, 1, 0)
        texts.addWidget(self.indicative_edit, 1, 1)
        texts.setColumnStretch(0, 1)
        texts.setColumnStretch(1, 1)
        layout.addLayout(texts)
        return self.criterion_group

    def _build_problems_panel(self) -> QFrame:
        self.problems_frame, self.problems_icon, self.problems_label = self._panel(
            "problems_frame", "problems_label")
        return self.problems_frame

    def _build_conflicts_panel(self) -> QFrame:
        self.conflicts_frame, self.conflicts_icon, self.conflicts_label = self._panel(
            "conflicts_frame", "conflicts_label")
        self.conflicts_frame.setStyleSheet(
            f"QFrame#conflicts_frame {{ {_PANEL_STYLES['conflicts']} }}")
        self.conflicts_icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(20, 20))
        self.conflicts_frame.setVisible(False)
        return self.conflicts_frame

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.load_template_button = QPushButton("Load &template…",
                                                objectName="load_template_button")
        self.load_template_button.setAutoDefault(False)
        self.template_menu = QMenu(self.load_template_button)
        for scheme in bundled_templates():
            action = QAction(scheme.title or scheme.id, self.template_menu)
            action.setToolTip(scheme.id)
            action.triggered.connect(lambda _=False, s=scheme: self.load_template(s))
            self.template_menu.addAction(action)
        self.template_menu.addSeparator()
        from_file = QAction("From file…", self.template_menu)
        from_file.setObjectName("template_from_file_action")
        from_file.triggered.connect(self.load_template_file)
        self.template_menu.addAction(from_file)
        self.load_template_button.setMenu(self.template_menu)

        self.save_template_button = QPushButton("&Save as template file…",
                                                objectName="save_template_button")
        self.save_template_button.setAutoDefault(False)
        self.save_template_button.clicked.connect(self.save_template_file)

        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("ok_button")
        self.cancel_button = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancel_button")
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        row.addWidget(self.load_template_button)
        row.addWidget(self.save_template_button)
        row.addStretch(1)
        row.addWidget(self.button_box)
        return row

    def _set_tab_order(self) -> None:
        chain = [
            self.title_edit, self.board_edit, self.paper_edit, self.subject_edit,
            self.word_limit_spin, self.question_edit, self.guidance_edit,
            self.criteria_list, self.add_criterion_button, self.remove_criterion_button,
            self.criterion_up_button, self.criterion_down_button,
            self.criterion_name_edit, self.criterion_maximum_spin,
            self.criterion_description_edit, self.levels_table, self.add_level_button,
            self.remove_level_button, self.level_up_button, self.level_down_button,
            self.descriptor_edit, self.indicative_edit, self.load_template_button,
            self.save_template_button, self.ok_button, self.cancel_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _tool_button(self, name: str, text: str, tip: str,
                     slot: Callable[[], Any]) -> QToolButton:
        button = QToolButton(objectName=name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumWidth(30)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.clicked.connect(slot)
        return button

    def _panel(self, frame_name: str, label_name: str) -> tuple[QFrame, QLabel, QLabel]:
        frame = QFrame(objectName=frame_name)
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 8, 10, 8)
        row.setSpacing(10)
        icon = QLabel()
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        icon.setFixedWidth(22)
        label = QLabel(objectName=label_name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        row.addWidget(icon)
        row.addWidget(label, 1)
        return frame, icon, label

    @staticmethod
    def _listing(head: str, lines: Sequence[str], limit: int) -> str:
        """``head`` and up to ``limit`` bullet lines; the rest are counted, not shown."""
        shown = [f"•  {line}" for line in lines[:limit]]
        if len(lines) > limit:
            shown.append(f"…  and {len(lines) - limit} more")
        return "\n".join([head, *shown])

    @staticmethod
    def _set_lines(edit: QPlainTextEdit, fewest: int, most: int) -> None:
        """Between ``fewest`` and ``most`` lines tall: roomy on a big screen, still usable
        on a 1366×768 laptop."""
        def height(lines: int) -> int:
            margins = edit.contentsMargins()
            return int(edit.fontMetrics().lineSpacing() * lines
                       + 2 * edit.document().documentMargin()
                       + margins.top() + margins.bottom() + 4)

        edit.setMinimumHeight(height(fewest))
        edit.setMaximumHeight(height(most))

    # -- showing the scheme ---------------------------------------------------------------

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Fill widgets without treating the change as a user's edit."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _show_scheme(self, scheme: Scheme) -> None:
        self._base = scheme
        self._edits = {}
        self._criteria = list(scheme.criteria)
        with self._quiet():
            self.title_edit.setText(scheme.title)
            self.board_edit.setText(scheme.board)
            self.paper_edit.setText(scheme.paper)
            self.subject_edit.setText(scheme.subject)
            self.word_limit_spin.setValue(scheme.word_limit or 0)
            self.question_edit.setPlainText(scheme.question)
            self.guidance_edit.setPlainText(scheme.guidance)
        self._fill_criteria_list(0 if self._criteria else -1)
        self._revalidate()

    def _fill_criteria_list(self, select_row: int) -> None:
        with self._quiet():
            self.criteria_list.clear()
            for criterion in self._criteria:
                item = QListWidgetItem(self._criterion_text(criterion))
                self.criteria_list.addItem(item)
        self.criteria_list.setCurrentRow(select_row)
        self._show_criterion(select_row)

    @staticmethod
    def _criterion_text(criterion: Criterion) -> str:
        name = criterion.name or "(no name)"
        return f"{name}  ·  {_plural(criterion.maximum, 'mark')}"

    def _show_criterion(self, row: int) -> None:
        self._row = row if 0 <= row < len(self._criteria) else -1
        criterion = self._criteria[self._row] if self._row >= 0 else None
        with self._quiet():
            self.criterion_group.setEnabled(criterion is not None)
            self.criterion_name_edit.setText(criterion.name if criterion else "")
            self.criterion_maximum_spin.setValue(criterion.maximum if criterion else 1)
            self.criterion_description_edit.setPlainText(
                criterion.description if criterion else "")
            self.levels_model.set_levels(criterion.levels if criterion else ())
            self._update_criterion_title()
        self._select_level(0)
        self._mark_level_problems()
        self._update_buttons()

    def _select_level(self, row: int) -> None:
        count = self.levels_model.rowCount()
        if count == 0:
            self.levels_table.setCurrentIndex(QModelIndex())
            self._show_level(-1)
            return
        row = max(0, min(row, count - 1))
        index = self.levels_model.index(row, LevelsModel.LABEL)
        self.levels_table.setCurrentIndex(index)
        self.levels_table.selectRow(row)
        self.levels_table.scrollTo(index)
        self._show_level(row)

    def _show_level(self, row: int) -> None:
        valid = 0 <= row < self.levels_model.rowCount()
        level = self.levels_model.level(row) if valid else None
        with self._quiet():
            self.descriptor_edit.setPlainText(level.descriptor if level else "")
            self.indicative_edit.setPlainText(level.indicative if level else "")
        self.descriptor_edit.setEnabled(valid)
        self.indicative_edit.setEnabled(valid)
        self._update_level_labels(level)
        self._update_buttons()

    def _update_level_labels(self, level: Level | None) -> None:
        name = level.label.strip() if level else ""
        if name:
            self.descriptor_label.setText(f"&Descriptor · {name}")
            self.indicative_label.setText(f"&Indicative content · {name}")
        else:
            self.descriptor_label.setText("&Descriptor")
            self.indicative_label.setText("&Indicative content")

    def _update_criterion_title(self) -> None:
        if self._row < 0:
            self.criterion_group.setTitle("Criterion")
            self.levels_heading.setText("&Levels")
            return
        name = self._criteria[self._row].name.strip() or f"criterion {self._row + 1}"
        self.criterion_group.setTitle(f"Criterion {name}")
        self.levels_heading.setText(f"&Levels of {name}")

    def _current_level_row(self) -> int:
        index = self.levels_table.currentIndex()
        return index.row() if index.isValid() else -1

    def _update_buttons(self) -> None:
        count = len(self._criteria)
        self.remove_criterion_button.setEnabled(self._row >= 0)
        self.criterion_up_button.setEnabled(self._row > 0)
        self.criterion_down_button.setEnabled(0 <= self._row < count - 1)
        level_row = self._current_level_row()
        levels = self.levels_model.rowCount()
        self.add_level_button.setEnabled(self._row >= 0)
        self.remove_level_button.setEnabled(level_row >= 0)
        self.level_up_button.setEnabled(level_row > 0)
        self.level_down_button.setEnabled(0 <= level_row < levels - 1)

    # -- edits ----------------------------------------------------------------------------

    def _header_edited(self, field: str, value: Any) -> None:
        if self._quiet_depth:
            return
        self._edits[field] = value
        self._revalidate()

    def _replace_current(self, **changes: Any) -> None:
        if self._quiet_depth or self._row < 0:
            return
        criterion = replace(self._criteria[self._row], **changes)
        self._criteria[self._row] = criterion
        item = self.criteria_list.item(self._row)
        if item is not None:
            item.setText(self._criterion_text(criterion))
        self._revalidate()

    def _criterion_name_edited(self, text: str) -> None:
        self._replace_current(name=text.strip())
        self._update_criterion_title()

    def _criterion_maximum_edited(self, value: int) -> None:
        self._replace_current(maximum=value)

    def _criterion_description_edited(self) -> None:
        self._replace_current(description=self.criterion_description_edit.toPlainText().strip())

    def _levels_edited(self) -> None:
        if self._quiet_depth or self._row < 0:
            return
        self._criteria[self._row] = replace(self._criteria[self._row],
                                            levels=self.levels_model.levels())
        row = self._current_level_row()
        self._update_level_labels(self.levels_model.level(row) if row >= 0 else None)
        self._revalidate()

    def _descriptor_edited(self) -> None:
        row = self._current_level_row()
        if self._quiet_depth or row < 0:
            return
        self.levels_model.set_level_text(
            row, descriptor=self.descriptor_edit.toPlainText().strip())

    def _indicative_edited(self) -> None:
        row = self._current_level_row()
        if self._quiet_depth or row < 0:
            return
        self.levels_model.set_level_text(
            row, indicative=self.indicative_edit.toPlainText().strip())

    def add_criterion(self) -> None:
        """Add a criterion (10 marks, two levels) after the last and select its name."""
        taken = {c.name for c in self._criteria}
        number = len(self._criteria) + 1
        while f"AO{number}" in taken:
            number += 1
        criterion = Criterion(
            name=f"AO{number}",
            maximum=10,
            levels=(Level("Level 1", 1, 5), Level("Level 2", 6, 10)),
        )
        self._criteria.append(criterion)
        self._fill_criteria_list(len(self._criteria) - 1)
        self._revalidate()
        self.criterion_name_edit.setFocus()
        self.criterion_name_edit.selectAll()

    def remove_criterion(self) -> None:
        if self._row < 0:
            return
        row = self._row
        del self._criteria[row]
        self._fill_criteria_list(min(row, len(self._criteria) - 1))
        self._revalidate()

    def move_criterion(self, step: int) -> None:
        """Move the selected criterion one place up (-1) or down (1)."""
        row, target = self._row, self._row + step
        if row < 0 or not 0 <= target < len(self._criteria):
            return
        self._criteria.insert(target, self._criteria.pop(row))
        self._fill_criteria_list(target)
        self._revalidate()

    def add_level(self) -> None:
        """Add a level after the selected one, starting just above its range."""
        if self._row < 0:
            return
        levels = self.levels_model.levels()
        after = self._current_level_row()
        if after < 0:
            after = len(levels) - 1
        label = _next_label(levels, after)
        if after >= 0:
            previous = levels[after]
            width = max(1, previous.max_mark - previous.min_mark + 1)
            start = previous.max_mark + 1
            level = Level(label, start, start + width - 1)
        else:
            level = Level(label, 1, self._criteria[self._row].maximum)
        self.levels_model.insert_level(after + 1, level)
        self._select_level(after + 1)

    def remove_level(self) -> None:
        row = self._current_level_row()
        if self._row < 0 or row < 0:
            return
        self.levels_model.remove_level(row)
        self._select_level(min(row, self.levels_model.rowCount() - 1))

    def move_level(self, step: int) -> None:
        """Move the selected level one place up (-1) or down (1)."""
        row = self._current_level_row()
        if self._row < 0 or row < 0:
            return
        if self.levels_model.move_level(row, step):
            self._select_level(row + step)

    # -- validation -------------------------------------------------------------------------

    def _revalidate(self) -> None:
        scheme = self.result_scheme()
        self._located = scheme_problems(scheme)
        self._problems = [str(p) for p in self._located]   # the core's words (problems())
        self.total_label.setText(f"Total: {_plural(scheme.total, 'mark')}")
        self._show_problems()
        self._mark_criterion_problems()
        self._mark_level_problems()
        self._update_conflicts(scheme)
        self._update_ok_button()

    def _show_problems(self) -> None:
        style = self.style()
        if self._problems:
            count = len(self._problems)
            head = (f"{_plural(count, 'problem')} to fix before the rubric can be used:")
            text = self._listing(head, [gui_words(p) for p in self._problems], SHOWN_PROBLEMS)
            icon = QStyle.StandardPixmap.SP_MessageBoxWarning
            kind = "problems"
        else:
            text = "No problems: the rubric is ready to use."
            icon = QStyle.StandardPixmap.SP_DialogApplyButton
            kind = "ok"
        self.problems_label.setText(text)
        self.problems_label.setAccessibleName(text)
        self.problems_label.setToolTip("\n".join(gui_words(p) for p in self._problems))
        self.problems_icon.setPixmap(style.standardIcon(icon).pixmap(20, 20))
        self.problems_frame.setStyleSheet(
            f"QFrame#problems_frame {{ {_PANEL_STYLES[kind]} }}")

    def _mark_criterion_problems(self) -> None:
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for index in range(min(self.criteria_list.count(), len(self._criteria))):
            # the core locates each problem by position: no message is parsed here
            mine = [gui_words(str(p)) for p in self._located if p.criterion == index]
            item = self.criteria_list.item(index)
            if mine:
                item.setIcon(warning)
                item.setToolTip("\n".join(mine))
            else:
                item.setIcon(self._blank_icon())
                item.setToolTip("")

    def _blank_icon(self) -> QIcon:
        # Items without a problem keep an empty icon so names stay aligned.
        if self._blank is None:
            pixmap = QPixmap(16, 16)
            pixmap.fill(Qt.GlobalColor.transparent)
            self._blank = QIcon(pixmap)
        return self._blank

    def _mark_level_problems(self) -> None:
        if self._row < 0 or self._row >= len(self._criteria):
            self.levels_model.set_problems({})
            return
        by_row: dict[int, list[str]] = {}
        for problem in self._located:
            if problem.criterion == self._row and problem.level is not None:
                by_row.setdefault(problem.level, []).append(gui_words(str(problem)))
        self.levels_model.set_problems(by_row)

    def _update_conflicts(self, scheme: Scheme) -> None:
        if self._conflicts_callback is None:
            return
        # Only the criteria decide whether a mark fits: skip the look-up for other edits.
        if scheme.criteria != self._conflicts_for:
            self._conflicts = list(self._conflicts_callback(scheme))
            self._conflicts_for = scheme.criteria
        count = len(self._conflicts)
        self.conflicts_frame.setVisible(count > 0)
        if not count:
            self.conflicts_label.setText("")
            return
        verb = "no longer fits" if count == 1 else "no longer fit"
        head = f"{_plural(count, 'mark')} {verb} and will be flagged for review:"
        reasons = [f"{self._conflict_where(c)}{gui_words(c.reason)}" for c in self._conflicts]
        text = self._listing(head, reasons, SHOWN_CONFLICTS)
        self.conflicts_label.setText(text)
        self.conflicts_label.setAccessibleName(text)
        self.conflicts_label.setToolTip("\n".join(reasons))

    def _conflict_where(self, conflict: Any) -> str:
        """The script a conflicting mark belongs to, by its candidate: "Callum MacLeod
        (4226): "."""
        script = getattr(getattr(conflict, "mark", None), "script_id", None)
        if script is None:
            return ""
        name = self._script_names.get(script) or getattr(conflict, "candidate", "")
        if name:
            return f"{name}: "
        # not in the list: a script that was removed (its marks are kept, and flagged too)
        return "a removed script: " if self._script_names else f"script {script}: "

    def _update_ok_button(self) -> None:
        count = len(self._conflicts)
        if count:
            self.ok_button.setText(f"Apply and flag {_plural(count, 'mark')}")
        else:
            self.ok_button.setText("Apply")
        valid = not self._problems
        self.ok_button.setEnabled(valid)
        self.save_template_button.setEnabled(valid)
        self.ok_button.setToolTip("" if valid else "Fix the problems listed above first")


__all__ = ["ConflictsCallback", "LevelsModel", "RubricEditorDialog", "ScriptNames", "gui_words"]
