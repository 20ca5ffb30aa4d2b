"""Tools › Compare side by side…: read-only views for moderators and heads of department.

* **Two scripts**: two scripts chosen from combo boxes (e.g. a Level 4 and a Level 5
  script), each with its text and the current marker's highlights, and below it a compact
  rubric summary (each criterion's level and mark, the total) of the current marker.
* **Two markers**: one script with two markers' levels and marks per criterion, totals,
  comments (www / ebi) and annotations side by side; a mark that differs from the other
  marker's is shown in bold with the difference. When the script has definitive marks
  (standardisation), a third column shows them and each marker's difference from them per
  criterion, with "within tolerance" (:func:`rubric.store.markers.compare_with_definitive`).

Nothing here changes the set. Blind marking is respected: a blind current marker cannot
compare other markers' work (the Two markers tab says why) and sees only their own marks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gui.panels.script_view import ScriptView
from rubric import marking
from rubric.ids import MarkerId, ScriptId
from rubric.store.markers import DefinitiveComparison, compare_with_definitive

ROLE_WORDS = {"teacher": "teacher", "second": "second marker", "moderator": "moderator"}
DIFFERS_BACKGROUND = QColor(255, 236, 179)
OUTSIDE_BACKGROUND = QColor(255, 205, 210)

BLIND_WORDS = ("You are marking blind ({name}): other markers' marks, comments and "
               "annotations stay hidden from you until you reveal them (Reveal… on the "
               "banner above the script), so two markers cannot be compared here. The Two "
               "scripts tab shows your own marks.")


# -- what is shown (plain data, read from the set) ------------------------------------------

@dataclass(frozen=True)
class CriterionRow:
    criterion: str
    level: str | None
    mark: int | None
    #: this marker's mark minus the other marker's (None when either has not placed one)
    difference: int | None = None
    #: beside the definitive mark, when the script has one for this criterion
    definitive: DefinitiveComparison | None = None


@dataclass
class MarkerSide:
    marker_id: MarkerId
    name: str
    rows: list[CriterionRow] = field(default_factory=list)
    total: int | None = None
    total_difference: int | None = None
    www: str = ""
    ebi: str = ""
    general: str = ""
    annotations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_marks(self) -> bool:
        return any(r.mark is not None for r in self.rows)


def script_label(ms, summary) -> str:
    who = " ".join(p for p in (summary.candidate_number, summary.candidate_name) if p)
    return who or summary.title or summary.file_name


def rubric_summary(ms, script_id: ScriptId, marker_id: MarkerId) -> list[tuple[str, str, str]]:
    """(criterion, level, mark) of one marker on one script, then the total row."""
    marks = ms.marks_for(script_id, marker_id)
    rows = []
    for criterion in ms.scheme.criteria:
        mark = marks.get(criterion.name)
        rows.append((criterion.name, (mark.level or "—") if mark else "—",
                     f"{mark.mark}/{criterion.maximum}" if mark and mark.mark is not None
                     else "—"))
    total = marking.total(ms.scheme, marks)
    rows.append(("Total", "", "—" if total is None else f"{total}/{ms.scheme.total}"))
    return rows


def marker_side(ms, script_id: ScriptId, marker_id: MarkerId,
                other_id: MarkerId | None) -> MarkerSide:
    """One marker's work on a script, each mark beside the other marker's and (when the
    script has definitive marks) the definitive one. The caller checks blind mode."""
    scheme = ms.scheme
    mine = ms.marks_for(script_id, marker_id)
    theirs = ms.marks_for(script_id, other_id) if other_id is not None else {}
    definitive = ms.definitive_marks(script_id)
    against = {c.criterion: c for c in compare_with_definitive(
        scheme, definitive, ms.marks(script_id, marker=marker_id))} if definitive else {}
    side = MarkerSide(marker_id, ms.marker(marker_id).name)
    for criterion in scheme.criteria:
        m, o = mine.get(criterion.name), theirs.get(criterion.name)
        mark = None if m is None else m.mark
        other = None if o is None else o.mark
        side.rows.append(CriterionRow(
            criterion.name, None if m is None else m.level, mark,
            None if mark is None or other is None else mark - other,
            against.get(criterion.name)))
    side.total = marking.total(scheme, mine)
    other_total = marking.total(scheme, theirs) if theirs else None
    if side.total is not None and other_total is not None:
        side.total_difference = side.total - other_total
    comments = ms.comments(script_id, marker_id)
    side.www, side.ebi, side.general = comments.www, comments.ebi, comments.general
    side.annotations = [(a.quote, a.comment) for a in ms.annotations(script_id, marker_id)]
    return side


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else ("±0" if value == 0 else f"−{-value}")


# -- widgets -------------------------------------------------------------------------------

def _table(name: str, fit: bool = False) -> QTableWidget:
    """A read-only table; ``fit`` makes it exactly as tall as its rows."""
    table = QTableWidget(0, 0)
    table.setObjectName(name)
    table.setProperty("fit", fit)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, headings: list[str], rows: list[list]) -> None:
    """Rows of cells: a str, or (text, bold, background or None)."""
    table.clear()
    table.setColumnCount(len(headings))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(headings)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            text, bold, background = cell if isinstance(cell, tuple) else (cell, False, None)
            item = QTableWidgetItem("" if text is None else str(text))
            if bold:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            if background is not None:
                item.setBackground(QBrush(background))
                item.setForeground(QBrush(QColor("#222222")))
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    for c in range(len(headings) - 1):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    table.resizeRowsToContents()
    if table.property("fit"):
        height = table.horizontalHeader().height() + 2 * table.frameWidth() + sum(
            table.rowHeight(r) for r in range(table.rowCount()))
        if table.horizontalScrollBar().isVisible() or table.horizontalHeader().length() > \
                table.viewport().width():
            height += table.horizontalScrollBar().sizeHint().height()
        table.setFixedHeight(height)


def cell_texts(table: QTableWidget) -> list[list[str]]:
    """The table's text, row by row (for tests and checks)."""
    return [[table.item(r, c).text() if table.item(r, c) else ""
             for c in range(table.columnCount())] for r in range(table.rowCount())]


class ScriptColumn(QWidget):
    """A script picked from a combo box, its text, and the current marker's rubric summary."""

    def __init__(self, side: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setObjectName(f"script_{side}_combo")
        self.combo.setAccessibleName(f"Script {side.upper()}")
        layout.addWidget(self.combo)
        self.view = ScriptView()
        self.view.setObjectName(f"script_{side}_view")
        layout.addWidget(self.view, 1)
        self.summary = _table(f"script_{side}_summary", fit=True)
        layout.addWidget(self.summary)


class MarkerColumn(QGroupBox):
    """One marker's levels and marks, total, comments and annotations."""

    def __init__(self, side: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"marker_{side}_box")
        layout = QVBoxLayout(self)
        self.marks = _table(f"marker_{side}_marks", fit=True)
        layout.addWidget(self.marks)
        self.comments = QTextBrowser()
        self.comments.setObjectName(f"marker_{side}_comments")
        self.comments.setAccessibleName("Comments")
        self.comments.setMaximumHeight(120)
        layout.addWidget(self.comments)
        self.annotations = _table(f"marker_{side}_annotations")
        layout.addWidget(self.annotations, 1)

    def show_side(self, side: MarkerSide, maxima: dict[str, int], total_max: int,
                  with_definitive: bool) -> None:
        self.setTitle(side.name)
        headings = ["Criterion", "Level", "Mark"]
        if with_definitive:
            headings += ["From definitive", "Within tolerance"]
        rows = []
        for row in side.rows:
            mark = "—" if row.mark is None else f"{row.mark}/{maxima[row.criterion]}"
            cell: object = mark
            if row.difference:
                cell = (f"{mark} ({signed(row.difference)})", True, DIFFERS_BACKGROUND)
            cells = [row.criterion, row.level or "—", cell]
            if with_definitive:
                d = row.definitive
                if d is None or d.difference is None:
                    cells += ["—", "—"]
                else:
                    outside = not d.within
                    cells += [(signed(d.difference), outside, OUTSIDE_BACKGROUND if outside
                               else None),
                              (f"{'yes' if d.within else 'no'} (±{d.tolerance:g})", outside,
                               OUTSIDE_BACKGROUND if outside else None)]
            rows.append(cells)
        total = "—" if side.total is None else f"{side.total}/{total_max}"
        total_cell: object = (total, True, None)
        if side.total_difference:
            total_cell = (f"{total} ({signed(side.total_difference)})", True,
                          DIFFERS_BACKGROUND)
        rows.append(["Total", "", total_cell] + (["", ""] if with_definitive else []))
        _fill(self.marks, headings, rows)

        parts = []
        for label, text in (("What went well", side.www), ("Even better if", side.ebi),
                            ("General", side.general)):
            if text.strip():
                parts.append(f"<b>{label}:</b> {html.escape(text)}")
        if not side.has_marks:
            parts.insert(0, "<i>No marks from this marker on this script.</i>")
        self.comments.setHtml("<br>".join(parts) or "<i>No comments.</i>")
        _fill(self.annotations, ["Quote", "Comment"],
              [[quote, comment] for quote, comment in side.annotations])


class CompareDialog(QDialog):
    """Two scripts side by side, or one script's two markers side by side (read-only)."""

    def __init__(self, parent: QWidget | None, session):
        super().__init__(parent)
        self.setObjectName("compare_dialog")
        self.setWindowTitle("Compare side by side")
        self.resize(1200, 780)
        self.session = session
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("compare_tabs")
        layout.addWidget(self.tabs, 1)

        # (a) two scripts
        scripts_tab = QWidget()
        row = QHBoxLayout(scripts_tab)
        self.script_a, self.script_b = ScriptColumn("a"), ScriptColumn("b")
        row.addWidget(self.script_a, 1)
        row.addWidget(self.script_b, 1)
        self.tabs.addTab(scripts_tab, "Two &scripts")

        # (b) two markers
        markers_tab = QWidget()
        column = QVBoxLayout(markers_tab)
        form = QFormLayout()
        self.script_combo = QComboBox()
        self.script_combo.setObjectName("compare_script_combo")
        self.marker_a_combo, self.marker_b_combo = QComboBox(), QComboBox()
        self.marker_a_combo.setObjectName("marker_a_combo")
        self.marker_b_combo.setObjectName("marker_b_combo")
        form.addRow("S&cript:", self.script_combo)
        pair = QHBoxLayout()
        pair.addWidget(self.marker_a_combo, 1)
        pair.addWidget(QLabel("and"))
        pair.addWidget(self.marker_b_combo, 1)
        markers_label = QLabel("&Markers:")
        markers_label.setBuddy(self.marker_a_combo)
        form.addRow(markers_label, pair)
        column.addLayout(form)
        self.note = QLabel()
        self.note.setObjectName("compare_note")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        column.addWidget(self.note)
        self.sides = QWidget()
        sides = QHBoxLayout(self.sides)
        sides.setContentsMargins(0, 0, 0, 0)
        self.marker_a, self.marker_b = MarkerColumn("a"), MarkerColumn("b")
        self.definitive_box = QGroupBox("Definitive")
        self.definitive_box.setObjectName("definitive_box")
        box = QVBoxLayout(self.definitive_box)
        self.definitive_marks = _table("definitive_marks", fit=True)
        box.addWidget(self.definitive_marks)
        box.addStretch(1)
        for widget, stretch in ((self.marker_a, 3), (self.marker_b, 3),
                                (self.definitive_box, 2)):
            sides.addWidget(widget, stretch)
        column.addWidget(self.sides, 1)
        column.addStretch(0)   # keeps the note at the top while the sides are hidden
        self.tabs.addTab(markers_tab, "Two &markers")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.a_side: MarkerSide | None = None
        self.b_side: MarkerSide | None = None
        self._load()
        self.script_a.combo.currentIndexChanged.connect(lambda _i: self.show_scripts())
        self.script_b.combo.currentIndexChanged.connect(lambda _i: self.show_scripts())
        for combo in (self.script_combo, self.marker_a_combo, self.marker_b_combo):
            combo.currentIndexChanged.connect(lambda _i: self.show_markers())
        session.changed.connect(self._changed)
        session.closed.connect(self.close)
        self.refresh()

    # -- choices ---------------------------------------------------------------------------

    def _load(self) -> None:
        ms = self.session.marking_set
        if ms is None:
            return
        scripts = ms.scripts_for()
        me = ms.current_marker.id
        totals = {s.id: ms.total(s.id, me) for s in scripts}
        single = ms.scheme.criteria[0].name if len(ms.scheme.criteria) == 1 else None
        combos = (self.script_a.combo, self.script_b.combo, self.script_combo)
        kept = [c.currentData() for c in combos]
        for combo in combos:
            combo.blockSignals(True)
            combo.clear()
        for summary in scripts:
            label = script_label(ms, summary)
            total = totals[summary.id]
            if total is not None:
                level = ms.marks_for(summary.id, me).get(single) if single else None
                label += f" — {level.level + ', ' if level and level.level else ''}" \
                         f"{total}/{ms.scheme.total}"
            for combo in (self.script_a.combo, self.script_b.combo):
                combo.addItem(label, int(summary.id))
            self.script_combo.addItem(script_label(ms, summary), int(summary.id))
        for combo, value in zip(combos, kept, strict=True):
            index = combo.findData(value) if value is not None else -1
            combo.setCurrentIndex(index if index >= 0 else 0)
        if kept[1] is None and self.script_b.combo.count() > 1:
            self.script_b.combo.setCurrentIndex(1)
        for combo in combos:
            combo.blockSignals(False)

        markers = ms.markers()
        kept_markers = [self.marker_a_combo.currentData(), self.marker_b_combo.currentData()]
        for combo in (self.marker_a_combo, self.marker_b_combo):
            combo.blockSignals(True)
            combo.clear()
            for marker in markers:
                combo.addItem(f"{marker.name} ({ROLE_WORDS.get(str(marker.role), marker.role)})",
                              int(marker.id))
        with_marks = [m.id for m in markers if ms.marks(marker=m.id)] or [m.id for m in markers]
        defaults = [kept_markers[0] if kept_markers[0] is not None
                    else (with_marks[0] if with_marks else None),
                    kept_markers[1] if kept_markers[1] is not None
                    else (with_marks[1] if len(with_marks) > 1 else None)]
        for combo, value in zip((self.marker_a_combo, self.marker_b_combo), defaults,
                                strict=True):
            index = combo.findData(value) if value is not None else -1
            combo.setCurrentIndex(index if index >= 0 else min(1, combo.count() - 1)
                                  if combo is self.marker_b_combo else 0)
            combo.blockSignals(False)

    def choose_scripts(self, a: int, b: int) -> None:
        self.script_a.combo.setCurrentIndex(self.script_a.combo.findData(int(a)))
        self.script_b.combo.setCurrentIndex(self.script_b.combo.findData(int(b)))
        self.show_scripts()

    def choose_markers(self, script: int, a: int, b: int) -> None:
        for combo, value in ((self.script_combo, script), (self.marker_a_combo, a),
                             (self.marker_b_combo, b)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(int(value)))
            combo.blockSignals(False)
        self.tabs.setCurrentIndex(1)
        self.show_markers()

    def _changed(self, changes) -> None:
        if changes.marks or changes.markers or changes.scheme or changes.annotations \
                or changes.comments or changes.script_list or changes.scripts:
            self._load()
            self.refresh()

    def refresh(self) -> None:
        self.show_scripts()
        self.show_markers()

    # -- (a) two scripts -------------------------------------------------------------------

    def show_scripts(self) -> None:
        ms = self.session.marking_set
        if ms is None:
            return
        me = ms.current_marker.id
        for column in (self.script_a, self.script_b):
            script_id = column.combo.currentData()
            if script_id is None:
                column.view.clear()
                _fill(column.summary, ["Criterion", "Level", "Mark"], [])
                continue
            sid = ScriptId(script_id)
            column.view.show_script(ms.script(sid), ms.annotations(sid, me))
            rows = rubric_summary(ms, sid, me)
            _fill(column.summary, ["Criterion", "Level", "Mark"],
                  [list(r[:2]) + [(r[2], True, None)] if r[0] == "Total" and
                   n == len(rows) - 1 else list(r) for n, r in enumerate(rows)])

    # -- (b) two markers -------------------------------------------------------------------

    def show_markers(self) -> None:
        ms = self.session.marking_set
        self.a_side = self.b_side = None
        if ms is None:
            return
        blind = ms.is_blind()
        for combo in (self.script_combo, self.marker_a_combo, self.marker_b_combo):
            combo.setEnabled(not blind)
        if blind:
            self.note.setText(BLIND_WORDS.format(name=ms.current_marker.name))
            self.note.show()
            self.sides.hide()
            return
        script, a, b = (self.script_combo.currentData(), self.marker_a_combo.currentData(),
                        self.marker_b_combo.currentData())
        if script is None or a is None or b is None:
            self.note.setText("Choose a script and two markers.")
            self.note.show()
            self.sides.hide()
            return
        sid, a, b = ScriptId(script), MarkerId(a), MarkerId(b)
        self.a_side = marker_side(ms, sid, a, b if a != b else None)
        self.b_side = marker_side(ms, sid, b, a if a != b else None)
        definitive = ms.definitive_marks(sid)
        maxima = {c.name: c.maximum for c in ms.scheme.criteria}
        for column, side in ((self.marker_a, self.a_side), (self.marker_b, self.b_side)):
            column.show_side(side, maxima, ms.scheme.total, bool(definitive))
        self.definitive_box.setVisible(bool(definitive))
        if definitive:
            by_name = {d.criterion: d for d in definitive}
            rows = []
            for criterion in ms.scheme.criteria:
                d = by_name.get(criterion.name)
                rows.append([criterion.name, "—" if d is None else (d.level or "—"),
                             "—" if d is None else f"{d.mark}/{criterion.maximum}"])
            placed = [by_name[c.name].mark for c in ms.scheme.criteria if c.name in by_name]
            rows.append(["Total", "", (f"{sum(placed)}/{ms.scheme.total}", True, None)])
            _fill(self.definitive_marks, ["Criterion", "Level", "Mark"], rows)
        words = []
        if a == b:
            words.append("Choose two different markers.")
        else:
            differ = [r.criterion for r in self.a_side.rows if r.difference]
            if not self.a_side.has_marks or not self.b_side.has_marks:
                missing = [s.name for s in (self.a_side, self.b_side) if not s.has_marks]
                words.append(f"{' and '.join(missing)} {'has' if len(missing) == 1 else 'have'}"
                             " not marked this script.")
            elif differ:
                words.append(f"The marks differ on {', '.join(differ)} (in bold, with the "
                             "difference from the other marker).")
            else:
                words.append("Both markers gave the same marks.")
        if definitive:
            words.append("This is a standardisation script: the Definitive column shows the "
                         "head of department's marks, and each marker's difference from them "
                         "with whether it is within tolerance.")
        self.note.setText(" ".join(words))
        self.note.show()
        self.sides.show()

    @classmethod
    def show_for(cls, window) -> CompareDialog | None:
        if window.session.marking_set is None:
            return None
        dialog = getattr(window, "_compare_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            return dialog
        dialog = cls(window, window.session)
        window._compare_dialog = dialog
        dialog.show()
        return dialog
