"""Qt item models over the core's objects: the script list, annotations and the comment bank."""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QTableView

from gui.errors import never_raises
from rubric import marking
from rubric.ids import ScriptId
from rubric.store import Annotation, BankComment, Changes, Mark, MarkingSet, ScriptSummary

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
SCRIPT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 4

STATUS_COLOURS = {
    "unmarked": "#8a8f98",
    "in progress": "#c77700",
    "marked": "#2e7d32",
    "moderated": "#1565c0",
}


def short_level(label: str | None) -> str:
    """'Level 4' → 'L4' for narrow columns."""
    if not label:
        return ""
    if not isinstance(label, str):
        return "?"
    return "L" + label.split()[-1] if label.lower().startswith("level ") else label


def whole_number(value: object) -> int | None:
    """``value`` when it is a whole number (not a bool), else None: a damaged set can hold
    'lots' or 18.5 where a count or a mark belongs, and a view shows that as '?'."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str:
    """A stored text shown as text whatever its stored type (None as empty)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


#: the roles a QStyledItemDelegate paints a cell from (initStyleOption asks for these)
PAINTED_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
                 Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole,
                 Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.CheckStateRole,
                 Qt.ItemDataRole.BackgroundRole)
LOOK_KEY = -1   # where a kept cell keeps its look (no Qt role is negative)


def _look_of(cell: dict[int, Any]) -> tuple | None:
    """The painted roles' values of a kept cell as one hashable value; None when a role
    has not been asked for yet or its value is of a kind not compared by value here."""
    look = []
    for role in PAINTED_ROLES:
        if role not in cell:
            return None
        value = cell[role]
        if value is None or isinstance(value, (str, int, float)):
            look.append(value)
        elif isinstance(value, QColor):
            look.append(("colour", value.rgba()))
        else:
            return None
    return tuple(look)


class ScriptListModel(QAbstractTableModel):
    """One row per script: candidate, words, level and mark per criterion, total, status,
    warnings. Refreshed from a :class:`Changes` object: only changed rows are re-read."""

    def __init__(self, marking_set: MarkingSet, parent=None):
        super().__init__(parent)
        self._set = marking_set
        self._scripts: list[ScriptSummary] = []
        self._row_of: dict[ScriptId, int] = {}
        self._marks: dict[ScriptId, dict[str, Mark]] = {}
        self._statuses: dict[ScriptId, str] = {}
        self._counts: Counter[str] = Counter()
        self._criteria: list[str] = []
        # what each painted cell showed, by role: a repaint (a row selected, say) asks
        # for seven roles of every cell again; kept until the cell is announced changed
        self._cells: dict[tuple[int, int], dict[int, Any]] = {}
        self.reload()

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        self.beginResetModel()
        self._criteria = [c.name for c in self._set.scheme.criteria]
        self._scripts = self._set.scripts_for()   # the current marker's allocated first
        self._row_of = {s.id: row for row, s in enumerate(self._scripts)}
        marker = self._set.current_marker.id
        self._marks = {}
        for mark in self._set.marks(marker=marker):
            self._marks.setdefault(mark.script_id, {})[mark.criterion] = mark
        self._statuses = self._set.statuses()
        self._counts = Counter(self._statuses.values())
        self._cells.clear()
        self.endResetModel()

    def apply(self, changes: Changes) -> None:
        """Refresh from what an edit changed, in time that does not grow with the set: only
        the changed scripts are re-read (their marks, their status: O(1) each), and only
        the cells whose text changed are announced, one by one, so that the view repaints
        those cells and the filter looks again at those rows alone. A keystroke in a
        comment box usually changes nothing shown here (at most the status)."""
        if changes.script_list or changes.scheme:
            self.reload()
            return
        n = len(self._criteria)
        status_cells = (1, 4 + n)   # the status colour beside the name, and the status
        if changes.status and not changes.scripts:
            # a change that names no script: every status, read once
            statuses = self._set.statuses()
            changed_rows = [self._row_of[i] for i, s in statuses.items()
                            if i in self._row_of and self._statuses.get(i) != s]
            self._statuses = statuses
            self._counts = Counter(statuses.values())
            for row in changed_rows:
                self._announce(row, status_cells)
            return
        marker = self._set.current_marker.id
        for script_id in changes.scripts:
            row = self._row_of.get(script_id)
            if row is None:
                continue
            columns: set[int] = set()
            if changes.marks:
                old = self._marks.get(script_id, {})
                new = self._set.marks_for(script_id, marker)
                self._marks[script_id] = new
                moved = [3 + c for c, name in enumerate(self._criteria)
                         if old.get(name) != new.get(name)]
                if moved:
                    columns.update(moved)
                    columns.add(3 + n)   # the total
            if changes.annotations:
                # deleting a lost annotation changes the script's warnings
                summary = self._set.summary(script_id)
                if summary.warnings != self._scripts[row].warnings:
                    columns.update((1, 5 + n))
                self._scripts[row] = summary
                self._forget_row(row)
            if changes.status:
                status = self._set.status(script_id)
                old_status = self._statuses.get(script_id)
                if status != old_status:
                    self._statuses[script_id] = status
                    self._counts[old_status] -= 1
                    self._counts[status] += 1
                    columns.update(status_cells)
            self._announce(row, columns)

    def _announce(self, row: int, columns) -> None:
        """dataChanged for each of these cells of ``row`` alone (a range would make the
        view repaint, and the filter re-read, everything between)."""
        for column in sorted(columns):
            self._cells.pop((row, column), None)
            index = self.index(row, column)
            self.dataChanged.emit(index, index)

    def _forget_row(self, row: int) -> None:
        for column in range(len(self._criteria) + 6):
            self._cells.pop((row, column), None)

    # -- lookups -------------------------------------------------------------------------

    def script_at(self, row: int) -> ScriptSummary:
        return self._scripts[row]

    def row_of(self, script_id: ScriptId) -> int:
        return self._row_of.get(script_id, -1)

    def status(self, script_id: ScriptId) -> str:
        return self._statuses.get(script_id, "unmarked")

    def status_counts(self) -> dict[str, int]:
        """How many scripts have each status, kept up to date edit by edit (so a count
        shown after every change costs nothing, however large the set)."""
        return {status: count for status, count in self._counts.items() if count > 0}

    def script_ids(self) -> list[ScriptId]:
        return [s.id for s in self._scripts]

    def sample_texts(self, column: int, rows: int = 40) -> list[str]:
        """What ``column`` shows or can come to show, to size it once (never from every row
        on every change): the text of the first ``rows`` rows, of the longest names, and
        the widest an edit can put there (a level and mark, a total, a status)."""
        n = len(self._criteria)
        sample = set(range(min(rows, len(self._scripts))))
        if column == 1:
            sample.update(heapq.nlargest(
                5, range(len(self._scripts)),
                key=lambda r: len(_text(self._scripts[r].display_name))))
        texts = [self.data(self.index(row, column)) for row in sorted(sample)]
        if column == 2:
            words = [w for s in self._scripts if (w := whole_number(s.word_count)) is not None]
            texts += ["scan", f"{max(words, default=0):,}"]
        elif 3 <= column < 3 + n:
            criterion = self._set.scheme.criterion(self._criteria[column - 3])
            for level in criterion.levels if criterion is not None else ():
                texts.append(f"{short_level(level.label)} · {level.max_mark}")
        elif column == 3 + n:
            texts.append(str(self._set.scheme.total))
        elif column == 4 + n:
            texts += list(STATUS_COLOURS)
        return [text for text in texts if isinstance(text, str)]

    # -- Qt model ------------------------------------------------------------------------

    def columns(self) -> list[str]:
        return ["No.", "Candidate", "Words", *self._criteria, "Total", "Status", "⚠"]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._scripts)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._criteria) + 6

    @never_raises()
    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            columns = self.columns()
            return columns[section] if 0 <= section < len(columns) else None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if 3 <= section < 3 + len(self._criteria):
                criterion = self._set.scheme.criterion(self._criteria[section - 3])
                if criterion is None:
                    return None
                return f"{criterion.name}: level and mark (out of {criterion.maximum})"
        return None

    @never_raises()
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._scripts)):
            return None
        script = self._scripts[index.row()]
        column = index.column()
        n = len(self._criteria)
        marks = self._marks.get(script.id, {})
        if role == SCRIPT_ID_ROLE:
            return script.id
        if role == STATUS_ROLE:
            return self.status(script.id)
        if role == REVIEW_ROLE:
            return any(m.needs_review for m in marks.values())
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return _text(script.candidate_number)
            if role == SORT_ROLE:
                number = _text(script.candidate_number)
                return f"{int(number):012d}" if number.isdecimal() else f"~{number.lower()}"
        elif column == 1:
            if role == Qt.ItemDataRole.DisplayRole:
                return _text(script.display_name)
            if role == Qt.ItemDataRole.ToolTipRole:
                return (f"{_text(script.candidate)}\n{_text(script.file_name)}\n"
                        f"{self.status(script.id)}")
            if role == Qt.ItemDataRole.DecorationRole:
                return QColor(STATUS_COLOURS.get(self.status(script.id), "#8a8f98"))
            if role == SORT_ROLE:
                return _text(script.display_name).lower()
        elif column == 2:
            words = whole_number(script.word_count)
            if role == Qt.ItemDataRole.DisplayRole:
                if not script.has_text:
                    return "scan"
                return "?" if words is None else f"{words:,}"
            if role == Qt.ItemDataRole.ToolTipRole and script.has_text and words is None:
                return "The word count stored in the set is not a number"
            if role == SORT_ROLE:
                return -1 if words is None else words
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif 3 <= column < 3 + n:
            mark = marks.get(self._criteria[column - 3])
            value = None if mark is None else whole_number(mark.mark)
            damaged = mark is not None and mark.mark is not None and value is None
            if role == Qt.ItemDataRole.DisplayRole:
                if mark is None:
                    return ""
                shown = "?" if damaged else "–" if value is None else str(value)
                return f"{short_level(mark.level)} · {shown}" if mark.level else shown
            if role == SORT_ROLE:
                return -1 if value is None else value
            if role == Qt.ItemDataRole.ToolTipRole and damaged:
                return "The mark stored in the set is not a number: set it again"
            if role == Qt.ItemDataRole.ToolTipRole and mark is not None and mark.needs_review:
                return f"Check this mark: {_text(mark.review_reason)}"
            if role == Qt.ItemDataRole.ForegroundRole and mark is not None and (
                    mark.needs_review or damaged):
                return QColor("#c62828")
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
        elif column == 3 + n:
            total = marking.total(self._set.scheme, marks)
            if role == Qt.ItemDataRole.DisplayRole:
                return "" if total is None else str(total)
            if role == SORT_ROLE:
                return -1 if total is None else total
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
        elif column == 4 + n:
            status = self.status(script.id)
            if role == Qt.ItemDataRole.DisplayRole:
                return status
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(STATUS_COLOURS.get(status, "#8a8f98"))
            if role == SORT_ROLE:
                order = ("unmarked", "in progress", "marked", "moderated")
                return order.index(status) if status in order else -1
        elif column == 5 + n:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"⚠ {len(script.warnings)}" if script.warnings else ""
            if role == Qt.ItemDataRole.ToolTipRole and script.warnings:
                return "\n".join(_text(w.message) for w in script.warnings)
            if role == SORT_ROLE:
                return len(script.warnings)
            if role == Qt.ItemDataRole.ForegroundRole and script.warnings:
                return QColor("#b26a00")
        if role == SORT_ROLE:
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None


    def cell_look(self, row: int, column: int) -> tuple | None:
        """What the cell showed when last painted, as one hashable value (every role a
        delegate paints from), or None when it has not been painted since it last changed
        or holds a value that cannot be told apart by value. Two cells of one look are
        drawn alike: the script list keeps a picture per look."""
        cell = self._cells.get((row, column))
        if cell is None:
            return None
        if LOOK_KEY not in cell:
            cell[LOOK_KEY] = _look_of(cell)
        return cell[LOOK_KEY]

    def row_look(self, row: int, columns) -> tuple | None:
        """The looks of these cells of ``row`` (see :meth:`cell_look`) as one value, or
        None when one of them has none: two rows of one look are drawn alike."""
        cells = self._cells
        looks = []
        for column in columns:
            cell = cells.get((row, column))
            if cell is None:
                return None
            if LOOK_KEY not in cell:
                cell[LOOK_KEY] = _look_of(cell)
            look = cell[LOOK_KEY]
            if look is None:
                return None
            looks.append(look)
        return tuple(looks)

    @never_raises()
    def multiData(self, index: Index, roles) -> None:  # noqa: N802 - Qt's name
        """The roles a delegate asks for together (seven for each cell it paints), in one
        call from Qt rather than one each, from what the cell showed last time when it has
        not changed since."""
        key = (index.row(), index.column())
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = {}
        for number in range(len(roles)):
            wanted = roles[number]
            role = wanted.role()
            value = cell[role] if role in cell else cell.setdefault(role, self.data(index, role))
            if value is None:
                wanted.clearData()   # Qt reuses these from one cell to the next
            else:
                wanted.setData(value)


def fit_script_columns(view: QTableView, widest: int = 320) -> None:
    """Size the script table's columns once, from the header and each column's
    :meth:`ScriptListModel.sample_texts`. (``ResizeToContents`` would ask the model for
    every row and column again on every edit.) The user can still drag them wider."""
    proxy = view.model()
    model = proxy.sourceModel() if isinstance(proxy, QSortFilterProxyModel) else proxy
    if not isinstance(model, ScriptListModel):
        return
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
    padding = 2 * (margin + 1) + 8
    for column in range(model.columnCount()):
        text = max((metrics.horizontalAdvance(t) for t in model.sample_texts(column)),
                   default=0)
        if column == 1:   # the status colour before the name
            text += view.iconSize().width() + 2 * (margin + 1)
        width = max(text + padding, header.sectionSizeHint(column), header.minimumSectionSize())
        header.resizeSection(column, min(width, widest))


class ScriptFilterModel(QSortFilterProxyModel):
    """Search by candidate or file name, and a status filter."""

    FILTERS = ("All scripts", "Unmarked", "In progress", "Marked", "Moderated",
               "Needs review", "With warnings")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._search = ""
        self._filter = "All scripts"
        self.setSortRole(SORT_ROLE)

    def _refilter(self, change) -> None:
        if hasattr(self, "beginFilterChange"):   # Qt 6.10+
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_search", text.strip().lower()))

    def set_status_filter(self, name: str) -> None:
        self._refilter(lambda: setattr(self, "_filter", name))

    def cell_look(self, index: Index) -> tuple | None:
        """The source cell's look (see :meth:`ScriptListModel.cell_look`), or None."""
        model = self.sourceModel()
        if not isinstance(model, ScriptListModel):
            return None
        source = self.mapToSource(index)
        return model.cell_look(source.row(), source.column())

    @never_raises()
    def multiData(self, index: Index, roles) -> None:  # noqa: N802 - Qt's name
        """A cell's roles from the script list in one call (Qt's proxy would ask for each
        role apart, mapping the cell to the source and asking the source each time)."""
        model = self.sourceModel()
        if isinstance(model, ScriptListModel):
            model.multiData(self.mapToSource(index), roles)
        else:
            super().multiData(index, roles)

    @never_raises(True)
    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ScriptListModel):
            return True
        script = model.script_at(source_row)
        if self._search and self._search not in _text(script.candidate).lower() \
                and self._search not in _text(script.file_name).lower():
            return False
        if self._filter == "All scripts":
            return True
        index = model.index(source_row, 0)
        if self._filter == "Needs review":
            return bool(model.data(index, REVIEW_ROLE))
        if self._filter == "With warnings":
            return bool(script.warnings)
        return model.status(script.id) == self._filter.lower()


class AnnotationListModel(QAbstractListModel):
    """The annotations of the shown script, in text order: comment, criterion and passage.

    Each row's values are made once, when the view first asks for them, and answered from
    then on by one lookup; the delegate's several questions per row (text, colour, font,
    alignment...) come in one call (:meth:`multiData`)."""

    ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 10
    LOST_TEXT = "⚠ passage not found in the new file"

    KEPT = 2048   # annotations whose values are kept (going back to a script)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._annotations: list[Annotation] = []
        self._rows: list[dict[int, Any] | None] = []   # each row's values, once asked
        self._made: dict[Annotation, dict[int, Any]] = {}   # by annotation (a value)

    def set_annotations(self, annotations: list[Annotation]) -> None:
        """Show these annotations. When they differ from those shown by one run of rows
        added or taken away (an annotation added, deleted, undone) and rows edited, the
        view hears of those rows alone; otherwise (another script) the model is reset."""
        new, old = list(annotations), self._annotations
        same_start = 0
        while same_start < min(len(old), len(new)) and old[same_start].id == new[same_start].id:
            same_start += 1
        same_end = 0
        while same_end < min(len(old), len(new)) - same_start and \
                old[-1 - same_end].id == new[-1 - same_end].id:
            same_end += 1
        gone = len(old) - same_start - same_end
        came = len(new) - same_start - same_end
        if (gone and came) or not (same_start or same_end):
            self.beginResetModel()
            self._annotations = new
            self._rows = [None] * len(new)
            self.endResetModel()
            return
        if gone:
            self.beginRemoveRows(ROOT, same_start, same_start + gone - 1)
            self._annotations = old[:same_start] + old[same_start + gone:]
            del self._rows[same_start:same_start + gone]
            self.endRemoveRows()
        elif came:
            self.beginInsertRows(ROOT, same_start, same_start + came - 1)
            self._annotations = old[:same_start] + new[same_start:same_start + came] + \
                old[same_start:]
            self._rows[same_start:same_start] = [None] * came
            self.endInsertRows()
        shown, self._annotations = self._annotations, new
        for row, (before, after) in enumerate(zip(shown, new, strict=True)):
            if before != after:
                self._rows[row] = None
                self.dataChanged.emit(self.index(row), self.index(row))

    def annotations(self) -> list[Annotation]:
        return list(self._annotations)

    def display_texts(self) -> list[Any]:
        """Every row's entry text, as ``data`` gives it (the list lays them out at once)."""
        return [self._values(row).get(Qt.ItemDataRole.DisplayRole)
                for row in range(len(self._annotations))]

    def row_of(self, annotation_id: int) -> int:
        for row, annotation in enumerate(self._annotations):
            if annotation.id == annotation_id:
                return row
        return -1

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._annotations)

    def _values(self, row: int) -> dict[int, Any]:
        """Every role's value of one row (made on first use)."""
        values = self._rows[row]
        if values is None:
            annotation = self._annotations[row]
            try:
                values = self._made.get(annotation)
            except TypeError:   # a damaged row's value that cannot be hashed
                values = None
            if values is not None:
                self._rows[row] = values
                return values
            tag = f"[{_text(annotation.criterion)}] " if annotation.criterion else ""
            quote = _text(annotation.quote)
            short = quote if len(quote) <= 70 else quote[:67] + "…"
            lost = f"\n{self.LOST_TEXT}" if annotation.lost else ""
            why = (f"\n\n{self.LOST_TEXT}: the file was replaced and this passage is not in "
                   "the new version. Delete the annotation, or comment on the passage "
                   "again.") if annotation.lost else ""
            values = {
                Qt.ItemDataRole.DisplayRole: f"{tag}{_text(annotation.comment)}\n“{short}”{lost}",
                Qt.ItemDataRole.ToolTipRole: f"{_text(annotation.comment)}\n\n“{quote}”{why}",
                self.ANNOTATION_ROLE: annotation,
            }
            if annotation.lost:
                values[Qt.ItemDataRole.ForegroundRole] = QColor("#b26a00")
            self._rows[row] = values
            if len(self._made) >= self.KEPT:
                self._made.clear()
            try:
                self._made[annotation] = values
            except TypeError:
                pass
        return values

    @never_raises()
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._annotations)):
            return None
        return self._values(index.row()).get(role)

    @never_raises()
    def multiData(self, index: Index, roles) -> None:  # noqa: N802 - Qt's name
        """The roles a delegate asks for together, in one call."""
        if not index.isValid() or not (0 <= index.row() < len(self._annotations)):
            for number in range(len(roles)):
                roles[number].clearData()
            return
        values = self._values(index.row())
        for number in range(len(roles)):
            wanted = roles[number]
            value = values.get(wanted.role())
            if value is None:
                wanted.clearData()   # Qt reuses these from one item to the next
            else:
                wanted.setData(value)


class BankListModel(QAbstractListModel):
    """Comment-bank entries, filtered by kind, criterion and level and a search text;
    entries for the chosen level come first, then often-used ones."""

    COMMENT_ROLE = Qt.ItemDataRole.UserRole + 20

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[BankComment] = []
        self._shown: list[BankComment] = []
        self._kind: str | None = None
        self._criterion: str | None = None
        self._level: str | None = None
        self._search = ""

    def set_comments(self, comments: list[BankComment]) -> None:
        self._all = list(comments)
        self._refilter()

    def context(self) -> tuple[str | None, str | None, str | None]:
        """The kind, criterion and level the entries are chosen and ordered for."""
        return self._kind, self._criterion, self._level

    def set_context(self, kind: str | None = None, criterion: str | None = None,
                    level: str | None = None) -> None:
        if (kind, criterion, level) == (self._kind, self._criterion, self._level):
            return   # switching scripts often keeps the context: no reset, no relayout
        self._kind, self._criterion, self._level = kind, criterion, level
        self._refilter()

    def set_search(self, text: str) -> None:
        self._search = text.strip().lower()
        self._refilter()

    def _refilter(self) -> None:
        def fits(comment: BankComment) -> bool:
            if self._kind and comment.kind != self._kind:
                return False
            if self._criterion and comment.criterion not in (None, self._criterion):
                return False
            if self._search and self._search not in _text(comment.text).lower() and \
                    self._search != _text(comment.shortcut).lower():
                return False
            return True

        def order(comment: BankComment) -> tuple:
            same_level = self._level is not None and comment.level == self._level
            return (not same_level, comment.level is not None and not same_level,
                    -(whole_number(comment.uses) or 0))

        self.beginResetModel()
        self._shown = sorted((c for c in self._all if fits(c)), key=order)
        self.endResetModel()

    def comment_at(self, row: int) -> BankComment:
        return self._shown[row]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    @never_raises()
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._shown)):
            return None
        comment = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            prefix = {"www": "WWW", "ebi": "EBI", "general": "Gen", "annotation": "Note"}
            level = f" · {short_level(comment.level)}" if comment.level else ""
            return f"{prefix.get(comment.kind, 'Note')}{level}  {_text(comment.text)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            shortcut = f"\nShortcut: {_text(comment.shortcut)}" if comment.shortcut else ""
            return f"{_text(comment.text)}{shortcut}"
        if role == self.COMMENT_ROLE:
            return comment
        if role == Qt.ItemDataRole.ForegroundRole and self._level and \
                comment.level not in (None, self._level):
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None
