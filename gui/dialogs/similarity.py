"""Tools › Similar scripts: the pairs of scripts in the set that share passages, and a pair
side by side with the shared passages highlighted in both (common passages, found in many
scripts, in a lighter colour).

The texts are read from the set on the GUI thread; the comparison (:mod:`rubric.similarity`,
NumPy/SciPy) runs on a worker thread (:class:`gui.tasks.GeneratorTask`) and never touches the
set or a widget. Shared wording is not proof of copying: the dialog says so.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui import tasks
from gui.errors import never_raises
from gui.models.table import RowsTableModel
from gui.tasks import GeneratorTask
from rubric.ids import ScriptId

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
PAIR_ROLE = Qt.ItemDataRole.UserRole + 1


def qt_position(text: str, offset: int) -> int:
    """A Python offset into ``text`` as a Qt (UTF-16) position."""
    if text.isascii():
        return offset
    head = text[:offset]
    return offset + sum(1 for ch in head if ord(ch) > 0xFFFF)


def highlight_colours(widget: QWidget) -> tuple[QColor, QColor]:
    """(shared, common) backgrounds readable in the widget's palette, light or dark."""
    dark = widget.palette().color(QPalette.ColorRole.Base).lightness() < 128
    return (QColor("#806200"), QColor("#3c4650")) if dark else (QColor("#ffd54f"),
                                                                  QColor("#e3e9ef"))


class SimilarPairsModel(RowsTableModel):
    """One row per pair: the two candidates, shared words, containment, common words."""

    HEADERS = ("Candidate A", "Candidate B", "Shared words", "Containment", "Common words")

    def __init__(self, pairs=(), names: dict | None = None, parent=None):
        super().__init__(pairs, parent)
        self.names = dict(names or {})

    @property
    def pairs(self) -> list:
        return self.rows

    def set_pairs(self, pairs, names: dict) -> None:
        self.names = dict(names)
        self.set_rows(pairs)

    @never_raises()
    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole):
        pair = self.row_at(index)
        if pair is None:
            return None
        column = index.column()
        if role == PAIR_ROLE:
            return index.row()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight if column >= 2 else Qt.AlignmentFlag.AlignLeft
                       ) | int(Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return "The share of the shorter script's words that the other script also holds"
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return ("Words in passages found in many scripts (taught phrases, common "
                    "quotations): shown, not counted")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (self.names.get(pair.a, str(pair.a)), self.names.get(pair.b, str(pair.b)),
                  f"{pair.shared_words:,}", f"{pair.containment:.0%}", f"{pair.common_words:,}")
        return values[column] if column < len(values) else None


class SimilarityDialog(QDialog):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("similarity_dialog")
        self.setWindowTitle("Similar scripts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.report = None
        self.task: GeneratorTask | None = None
        self.texts: dict[ScriptId, str] = {}
        self.names: dict[ScriptId, str] = {}
        self.shown_pair = None

        self.include_quotes = QCheckBox("Count quotations")
        self.include_quotes.setObjectName("include_quotes")
        self.include_quotes.setToolTip("Text in quotation marks is left out unless this is ticked")
        self.include_question = QCheckBox("Count the question")
        self.include_question.setObjectName("include_question")
        self.min_words = QSpinBox()
        self.min_words.setObjectName("min_words")
        self.min_words.setRange(8, 10_000)
        self.min_words.setValue(15)
        self.min_words.setSuffix(" shared words or more")
        self.check_button = QPushButton("Check again")
        self.check_button.setObjectName("check_button")
        self.check_button.clicked.connect(lambda _checked=False: self.run())
        options = QHBoxLayout()
        options.addWidget(QLabel("List pairs with"))
        options.addWidget(self.min_words)
        options.addWidget(self.include_quotes)
        options.addWidget(self.include_question)
        options.addStretch(1)
        options.addWidget(self.check_button)

        self.status = QLabel()
        self.status.setObjectName("similarity_status")
        self.status.setWordWrap(True)
        from rubric.comparing import SIMILARITY_CAVEAT

        caveat = QLabel(SIMILARITY_CAVEAT)
        caveat.setObjectName("similarity_caveat")
        caveat.setWordWrap(True)

        self.model = SimilarPairsModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("pairs_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.show_pair(current.row()))

        self.left_title, self.right_title = QLabel(), QLabel()
        self.left_title.setObjectName("left_title")
        self.right_title.setObjectName("right_title")
        self.left_text, self.right_text = self._view("left_text"), self._view("right_text")
        self.passages_label = QLabel()
        self.passages_label.setObjectName("passages_label")
        sides = QSplitter(Qt.Orientation.Horizontal)
        for title, view in ((self.left_title, self.left_text),
                            (self.right_title, self.right_text)):
            pane = QWidget()
            column = QVBoxLayout(pane)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(title)
            column.addWidget(view, 1)
            sides.addWidget(pane)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.passages_label)
        lower_layout.addWidget(sides, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 560])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        layout.addWidget(caveat)
        layout.addWidget(buttons)
        session.closed.connect(self.close)
        session.opened.connect(self._another_set)   # a bound slot: dropped with the window
        self.resize(1200, 850)

    def _another_set(self, _marking_set) -> None:
        self.close()

    def _view(self, name: str) -> QTextEdit:
        view = QTextEdit()
        view.setObjectName(name)
        view.setReadOnly(True)
        return view

    # -- running -------------------------------------------------------------------------

    def run(self) -> GeneratorTask | None:
        """Read the texts here, compare them on a worker thread."""
        from rubric.comparing import find_similar, similarity_inputs, similarity_options

        ms = self.session.marking_set
        if ms is None or self.task is not None:
            return None
        texts, questions = similarity_inputs(ms)
        self.texts = {sid: "\n".join(text for text, _ in paragraphs)
                      for sid, paragraphs in texts.items()}
        self.names = {s.id: s.candidate for s in ms.scripts()}
        options = similarity_options(self.include_quotes.isChecked(),
                                     self.include_question.isChecked(), self.min_words.value())
        self.status.setText(f"Comparing {len(texts)} scripts…")
        self.check_button.setEnabled(False)

        def compare():
            yield find_similar(texts, questions, options)

        task = GeneratorTask(compare)
        task.signals.item.connect(self._arrived)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._finished)
        self.task = task
        return tasks.start(task)

    def _arrived(self, report: Any) -> None:
        self.report = report
        self.model.set_pairs(report.pairs, self.names)
        n = len(report.pairs)
        o = report.options
        self.status.setText(
            f"{n} pair{'s' if n != 1 else ''} of scripts share {o.min_shared_words} words or "
            f"more ({report.scripts} scripts compared"
            f"{'' if o.exclude_quotes else '; quotations counted'}"
            f"{'' if o.exclude_question else '; the question counted'}; a passage found in "
            f"{report.common_threshold} scripts or more is common, shown lighter and not "
            "counted)." + (" Only the first pairs are listed." if report.truncated else ""))
        if n:
            self.table.selectRow(0)
        else:
            self.show_pair(-1)

    def _failed(self, message: str, _details: str) -> None:
        self.status.setText(f"The comparison failed ({message}).")

    def _finished(self, _cancelled: bool) -> None:
        self.task = None
        self.check_button.setEnabled(True)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.task is not None:
            self.task.cancel()
        super().closeEvent(event)

    # -- one pair ------------------------------------------------------------------------

    def show_pair(self, row: int) -> None:
        pairs = self.report.pairs if self.report is not None else ()
        if not 0 <= row < len(pairs):
            self.shown_pair = None
            for view in (self.left_text, self.right_text):
                view.clear()
            self.left_title.setText("")
            self.right_title.setText("")
            self.passages_label.setText("")
            return
        pair = pairs[row]
        self.shown_pair = pair
        self.left_title.setText(self.names.get(pair.a, str(pair.a)))
        self.right_title.setText(self.names.get(pair.b, str(pair.b)))
        shared = sum(not p.common for p in pair.passages)
        common = len(pair.passages) - shared
        self.passages_label.setText(
            f"{shared} shared passage{'s' if shared != 1 else ''} highlighted in both"
            + (f"; {common} common passage{'s' if common != 1 else ''} in a lighter colour"
               if common else ""))
        for view, sid, side in ((self.left_text, pair.a, "a"), (self.right_text, pair.b, "b")):
            self._show_text(view, self.texts.get(sid, ""),
                            [(getattr(p, f"{side}_start"), getattr(p, f"{side}_end"), p.common)
                             for p in pair.passages])

    def _show_text(self, view: QTextEdit, text: str,
                   spans: list[tuple[int, int, bool]]) -> None:
        view.setPlainText(text)
        cursor = QTextCursor(view.document())
        cursor.select(QTextCursor.SelectionType.Document)
        spacing = QTextBlockFormat()
        spacing.setBottomMargin(8)
        cursor.mergeBlockFormat(spacing)
        shared_colour, common_colour = highlight_colours(view)
        selections = []
        for start, end, common in spans:
            selection = QTextEdit.ExtraSelection()
            c = QTextCursor(view.document())
            c.setPosition(qt_position(text, start))
            c.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = c
            fmt = QTextCharFormat()
            fmt.setBackground(common_colour if common else shared_colour)
            selection.format = fmt
            selections.append(selection)
        view.setExtraSelections(selections)
        first = next((s for s in spans if not s[2]), spans[0] if spans else None)
        if first is not None:
            c = QTextCursor(view.document())
            c.setPosition(qt_position(text, first[0]))
            view.setTextCursor(c)
            view.ensureCursorVisible()

    def highlighted(self, side: str = "left") -> list[tuple[str, bool]]:
        """The highlighted texts of one side and whether each is common (for tests)."""
        view = self.left_text if side == "left" else self.right_text
        _, common_colour = highlight_colours(view)
        return [(s.cursor.selectedText().replace("\u2029", "\n"),
                 s.format.background().color() == common_colour)
                for s in view.extraSelections()]


def show_for(window) -> SimilarityDialog | None:
    """Open the similarity dialog of ``window`` and start the comparison (or raise the one
    already open)."""
    if window.marking_set is None:
        return None
    existing = window.findChild(SimilarityDialog)
    if existing is not None and existing.isVisible():
        existing.raise_()
        existing.activateWindow()
        return existing
    dialog = SimilarityDialog(window.session, window)
    dialog.show()
    dialog.run()
    return dialog
