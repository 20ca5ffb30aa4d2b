"""Tools › Compare scripts (comparative judgement): two scripts side by side and one question,
"Which is the better answer?".

The judge is the current marker. Left/Right (or the buttons) choose, S (or Skip) skips: a
skipped pair is not recorded. Each judgement is saved at once, with the seconds the pair was
on screen, through :meth:`gui.session.MarkingSession.judge` (so Ctrl+Z takes it back, here or
in the main window). Pairs come from the core (:meth:`MarkingSet.judging_pairs`): balanced
and random, never adaptive. Nothing here shows a mark, a comment or another marker's name;
the candidates are "Script A" and "Script B" unless the judge chooses to see their names.

:class:`CJResultsDialog` (the Results… button) shows the fitted scale beside the rubric
totals, with the reliability figures explained, as ``essay-marker cj`` prints them.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.errors import never_raises
from gui.models.table import RowsTableModel
from gui.settings import CJ_SHOW_CANDIDATES, Settings
from rubric.ids import ScriptId

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
QUESTION = "Which is the better answer?"
#: Pairs asked of the core at a time: the first not skipped in this session is shown.
_LOOKAHEAD = 6


def _script_text(marking_set, script_id: ScriptId) -> str:
    script = marking_set.script(script_id)
    text = "\n\n".join(p.text for p in script.paragraphs if p.text.strip())
    return text or ("(This script has no text to show: it may be a scan. Open its file from "
                    "the main window to read it.)")


class JudgingWindow(QDialog):
    """The CJ window (one per main window; :func:`show_for` raises it when open)."""

    def __init__(self, session, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("judging_window")
        self.setWindowTitle("Compare scripts — comparative judgement")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.settings = settings
        self.pair: tuple[ScriptId, ScriptId] | None = None
        self.skipped: set[frozenset] = set()
        self.judged_here = 0
        #: the pairs judged in this window, as they were shown (for Ctrl+Z)
        self.history: list[tuple[ScriptId, ScriptId]] = []
        self._shown_at = time.monotonic()
        self.per_script = 10

        self.question_label = QLabel(QUESTION)
        self.question_label.setObjectName("question_label")
        font = QFont(self.question_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.question_label.setFont(font)
        self.question_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ms = session.marking_set
        self.set_question = QLabel(f"The question: {ms.scheme.question}" if ms and
                                   ms.scheme.question else "")
        self.set_question.setObjectName("set_question")
        self.set_question.setWordWrap(True)
        self.set_question.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.left_title, self.left_text = QLabel(), self._text_view("left_text")
        self.right_title, self.right_text = QLabel(), self._text_view("right_text")
        for label, name in ((self.left_title, "left_title"), (self.right_title, "right_title")):
            label.setObjectName(name)
            bold = QFont(label.font())
            bold.setBold(True)
            label.setFont(bold)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for title, view in ((self.left_title, self.left_text),
                            (self.right_title, self.right_text)):
            pane = QWidget()
            column = QVBoxLayout(pane)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(title)
            column.addWidget(view, 1)
            splitter.addWidget(pane)

        self.left_button = self._button("◀  Left is better", "left_button",
                                        lambda: self.choose("left"))
        self.skip_button = self._button("Skip (S)", "skip_button", self.skip)
        self.right_button = self._button("Right is better  ▶", "right_button",
                                         lambda: self.choose("right"))
        self.left_button.setToolTip("Left arrow")
        self.right_button.setToolTip("Right arrow")
        self.skip_button.setToolTip("S: show another pair; nothing is recorded")
        choices = QHBoxLayout()
        choices.addWidget(self.left_button, 2)
        choices.addWidget(self.skip_button, 1)
        choices.addWidget(self.right_button, 2)

        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress_label")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progress_bar")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(8)
        self.show_names = QCheckBox("Show candidates' names")
        self.show_names.setObjectName("show_names")
        self.show_names.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.show_names.setChecked(bool(settings and settings.get(CJ_SHOW_CANDIDATES)))
        self.show_names.toggled.connect(self._names_toggled)
        self.results_button = self._button("Results…", "results_button", self.show_results)
        self.results_button.setToolTip("The scale so far, beside the rubric totals")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        close.button(QDialogButtonBox.StandardButton.Close).setFocusPolicy(
            Qt.FocusPolicy.NoFocus)
        footer = QHBoxLayout()
        footer.addWidget(self.progress_label, 1)
        footer.addWidget(self.show_names)
        footer.addWidget(self.results_button)
        footer.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.question_label)
        layout.addWidget(self.set_question)
        layout.addWidget(splitter, 1)
        layout.addLayout(choices)
        layout.addWidget(self.progress_bar)
        layout.addLayout(footer)

        # the keys go to the window itself: nothing in it takes the keyboard focus
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        session.changed.connect(self._on_changed)
        session.closed.connect(self.close)
        session.opened.connect(self._another_set)   # a bound slot: dropped with the window
        self.resize(1200, 800)
        self.next_pair()

    # -- building ------------------------------------------------------------------------

    def _another_set(self, _marking_set) -> None:
        self.close()

    def _text_view(self, name: str) -> QTextEdit:
        view = QTextEdit()
        view.setObjectName(name)
        view.setReadOnly(True)
        # never takes the keyboard: the arrow keys choose, the wheel scrolls
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return view

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Left/Right choose, S skips, Ctrl+Z takes the last judgement back."""
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)
        if plain and event.key() == Qt.Key.Key_Left:
            self.choose("left")
        elif plain and event.key() == Qt.Key.Key_Right:
            self.choose("right")
        elif plain and event.key() == Qt.Key.Key_S:
            self.skip()
        elif event.matches(QKeySequence.StandardKey.Undo):
            self.undo_last()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -- the pair ------------------------------------------------------------------------

    def next_pair(self) -> None:
        """Ask the core for the next pair for this judge (one not skipped here if it can)."""
        ms = self.session.marking_set
        self.pair = None
        if ms is None or len(ms.script_ids()) < 2:
            self._show_none("Comparative judgement needs two scripts or more in the set.")
            return
        pairs = ms.judging_pairs(_LOOKAHEAD, target_per_script=self.per_script)
        fresh = [p for p in pairs if frozenset(p) not in self.skipped]
        if not fresh:
            self.skipped.clear()   # every pair on offer was skipped: start the round again
            fresh = pairs
        self.show_pair(*fresh[0])

    def show_pair(self, left: ScriptId, right: ScriptId) -> None:
        ms = self.session.marking_set
        self.pair = (left, right)
        self.left_text.setPlainText(_script_text(ms, left))
        self.right_text.setPlainText(_script_text(ms, right))
        for view in (self.left_text, self.right_text):
            view.verticalScrollBar().setValue(0)
        self._set_titles()
        for button in (self.left_button, self.right_button, self.skip_button):
            button.setEnabled(True)
        self._update_progress()
        self._shown_at = time.monotonic()

    def _show_none(self, message: str) -> None:
        self.left_text.setPlainText(message)
        self.right_text.clear()
        self.left_title.setText("")
        self.right_title.setText("")
        for button in (self.left_button, self.right_button, self.skip_button):
            button.setEnabled(False)
        self._update_progress()

    def _set_titles(self) -> None:
        if self.pair is None:
            return
        ms = self.session.marking_set
        if self.show_names.isChecked():
            left, right = (ms.summary(s).candidate for s in self.pair)
        else:
            left, right = "Script A", "Script B"
        self.left_title.setText(f"Left: {left}")
        self.right_title.setText(f"Right: {right}")

    def _names_toggled(self, checked: bool) -> None:
        if self.settings is not None:
            self.settings.set(CJ_SHOW_CANDIDATES, checked)
        self._set_titles()

    # -- choosing ------------------------------------------------------------------------

    def choose(self, side: str) -> bool:
        """The judge chose the ``side`` ("left" or "right") script: saved at once."""
        if self.pair is None or self.session.marking_set is None:
            return False
        left, right = self.pair
        winner, loser = (left, right) if side == "left" else (right, left)
        seconds = round(time.monotonic() - self._shown_at, 1)
        if not self.session.judge(winner, loser, seconds):
            return False   # the session reported why
        self.judged_here += 1
        self.history.append(self.pair)
        self.skipped.discard(frozenset(self.pair))
        self.next_pair()
        return True

    def skip(self) -> None:
        """Another pair; nothing is recorded."""
        if self.pair is None:
            return
        self.skipped.add(frozenset(self.pair))
        self.next_pair()

    def undo_last(self) -> None:
        """Ctrl+Z: take back the last judgement and show its pair again."""
        from gui.commands import JudgeCommand

        stack = self.session.undo_stack
        command = stack.command(stack.index() - 1) if stack.index() > 0 else None
        if not isinstance(command, JudgeCommand):
            stack.undo()
            return
        winner, loser, _seconds = command.args
        stack.undo()
        self.judged_here = max(0, self.judged_here - 1)
        shown = self.history.pop() if self.history else None
        if shown is not None and set(shown) == {winner, loser}:
            self.show_pair(*shown)   # as it was on screen
        else:
            self.show_pair(winner, loser)

    # -- progress ------------------------------------------------------------------------

    def _on_changed(self, _changes: Any) -> None:
        if self.session.marking_set is not None:
            self._update_progress()

    def progress_text(self) -> str:
        from rubric.comparing import progress_line

        ms = self.session.marking_set
        if ms is None:
            return ""
        progress = ms.judging_progress(self.per_script)
        text = progress_line(progress, self.per_script)
        if progress.target and progress.made >= progress.target:
            text += " — the target is reached; more judgements still help"
        return text + (f" · {self.judged_here} here" if self.judged_here else "")

    def _update_progress(self) -> None:
        ms = self.session.marking_set
        if ms is None:
            return
        progress = ms.judging_progress(self.per_script)
        self.progress_label.setText(self.progress_text())
        self.progress_bar.setRange(0, max(1, progress.target))
        self.progress_bar.setValue(min(progress.made, progress.target))

    # -- results -------------------------------------------------------------------------

    def show_results(self) -> CJResultsDialog | None:
        """The scale so far beside the rubric totals: read here, fitted on a worker thread."""
        from gui import tasks

        ms = self.session.marking_set
        if ms is None:
            return None
        inputs = cj_inputs_for(ms)
        dialog = CJResultsDialog(self)
        self.results_dialog = dialog

        def fit():
            from rubric.comparing import fit_report

            yield fit_report(inputs)

        task = tasks.GeneratorTask(fit)
        task.signals.item.connect(dialog.set_report)
        task.signals.failed.connect(dialog.fit_failed)
        dialog.task = task
        dialog.open()
        tasks.start(task)
        return dialog


def cj_inputs_for(marking_set):
    """What the fit needs, as the current marker may see it: a blind marker's own
    judgements and marks only (the snapshot behind the totals hides other markers' marks
    from them)."""
    from rubric.comparing import cj_inputs

    return cj_inputs(marking_set)


# --------------------------------------------------------------------------- results


class CJResultsModel(RowsTableModel):
    """One row per judged script, best first: the CJ scale beside the rubric total."""

    HEADERS = ("Rank", "Candidate", "Score", "SE", "Scaled", "Infit", "Judged", "Rubric total",
               "Rubric rank", "Flag")

    def __init__(self, report=None, parent=None):
        super().__init__(report.ranked() if report is not None else (), parent)

    def set_report(self, report) -> None:
        self.set_rows(report.ranked())

    @never_raises()
    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft if column in (1, 9)
                       else Qt.AlignmentFlag.AlignRight) | int(Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 9:
            return _flag_tip(row)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        f = row.figures
        values = (f["rank"], row.candidate, f"{f['score']:+.2f}", f"{f['se']:.2f}",
                  f"{f['scaled']:.1f}", f"{f['infit']:.2f}", f["judgements"],
                  "" if row.rubric_total is None else row.rubric_total,
                  "" if row.rubric_rank is None else f"{row.rubric_rank:g}",
                  _flag(row))
        return None if column >= len(values) else str(values[column])


def _flag(row) -> str:
    return " ".join(t for t, on in (("disagrees", row.flagged), ("misfit", row.figures["misfit"]))
                    if on)


def _flag_tip(row) -> str:
    tips = []
    if row.flagged:
        tips.append(f"Rubric rank {row.rubric_rank:g}, CJ rank {row.cj_rank:g}: "
                    "they disagree by a quarter of the set or more")
    if row.figures["misfit"]:
        tips.append("Infit above 1.2: judges disagreed about this script")
    return "\n".join(tips)


class CJResultsDialog(QDialog):
    """The fitted scale: a table of the judged scripts and the figures explained."""

    def __init__(self, parent: QWidget | None = None, report=None):
        super().__init__(parent)
        self.setObjectName("cj_results")
        self.setWindowTitle("Comparative judgement — results")
        self.report = None
        self.task = None
        self.model = CJResultsModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("cj_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel("Fitting the scale…")
        self.summary.setObjectName("cj_summary")
        self.summary.setWordWrap(True)
        self.figures = QLabel()
        self.figures.setObjectName("cj_figures")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.figures)
        layout.addWidget(buttons)
        self.resize(900, 600)
        if report is not None:
            self.set_report(report)

    def fit_failed(self, message: str, _details: str) -> None:
        self.summary.setText(f"The fit failed ({message}).")

    def set_report(self, report) -> None:
        self.report = report
        self.model.set_report(report)
        lines = report.lines()
        # the heading line, then (after the table) the figures, each explained
        blank = [k for k, line in enumerate(lines) if not line]
        figures = lines[blank[-1] + 1:] if len(blank) >= 2 else lines[1:]
        self.summary.setText(lines[0])
        self.figures.setText("\n".join(figures))


def show_for(window) -> JudgingWindow | None:
    """Open the CJ window of ``window`` (a :class:`gui.main_window.MainWindow`), or raise
    the one already open."""
    if window.marking_set is None:
        return None
    existing = window.findChild(JudgingWindow)
    if existing is not None and existing.isVisible():
        existing.raise_()
        existing.activateWindow()
        return existing
    dialog = JudgingWindow(window.session, window.settings, window)
    dialog.show()
    dialog.activateWindow()
    return dialog
