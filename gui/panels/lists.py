"""The script list (search, status filter, the table) and the annotation list."""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QCursor,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QRegion,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.models import AnnotationListModel, ScriptFilterModel, ScriptListModel
from gui.panels.pictures import KeptPictures, new_picture
from gui.panels.scrollbar import keep_scroll_bar


class RowHeader(QHeaderView):
    """The script table's column header. Its sections are drawn highlighted while a row is
    selected (every column of a row is); going from one row to another changes nothing
    in it, so it is not repainted then (Qt would repaint the whole header each time)."""

    def selectionChanged(self, selected, deselected) -> None:  # noqa: N802 - Qt's name
        if self.highlightSections() and not selected.isEmpty() and not deselected.isEmpty():
            return   # one whole row for another: every section highlighted before and after
        super().selectionChanged(selected, deselected)


def forget_pictures(view, event) -> None:
    """A view's kept pictures no longer show what it would draw once its font, style or
    palette changed (called from the view's ``changeEvent``: an event filter on the view
    would be called, in Python, for each of its events)."""
    if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                        QEvent.Type.PaletteChange):
        delegate = view.itemDelegate()
        if isinstance(delegate, KeptPictureDelegate):
            delegate.forget()


class ScriptTable(QTableView):
    """The script table: its delegate's pictures are forgotten when its looks change, and
    ``resized`` is called when its visible area is resized."""

    ROWS_KEPT = 64   # rows' pictures (a switch repaints two rows: the old and the new)

    def __init__(self, resized, parent=None):
        super().__init__(parent)
        keep_scroll_bar(self)
        self._resized = resized
        # a row's picture, by its cells' looks, the columns' places and the row's state
        self._row_pictures = KeptPictures(self.ROWS_KEPT)
        self._placed_columns: tuple | None = None   # (header, its state, columns): _columns

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        forget_pictures(self, event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.PaletteChange):
            self._row_pictures.clear()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name (the viewport's size)
        super().resizeEvent(event)
        self._resized()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """The cells in the damaged area, each copied from the picture its delegate keeps
        for its look (see :class:`ScriptCellDelegate`): selecting another script repaints
        two rows, and Qt's own paint would call the delegate, in Python, once per cell.
        A cell not yet drawn in its look and state is drawn by the delegate as Qt would
        (the same option: the row's panel, then the item). Anything unusual for this list
        (a grid, spans, another model or delegate) is left to Qt."""
        model, delegate = self.model(), self.itemDelegate()
        if not isinstance(model, ScriptFilterModel) or \
                not isinstance(delegate, ScriptCellDelegate) or self.showGrid() or \
                self.isRightToLeft():
            super().paintEvent(event)
            return
        source = model.sourceModel()
        rows_header, columns_header = self.verticalHeader(), self.horizontalHeader()
        row_count, column_count = model.rowCount(), model.columnCount()
        if not row_count or not column_count or not isinstance(source, ScriptListModel):
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        palette = option.palette
        palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)   # as Qt's cells are
        option.palette = palette
        states = _EntryStates(option.state)
        plain = option.features & ~QStyleOptionViewItem.ViewItemFeature.Alternate
        features = (plain, plain | QStyleOptionViewItem.ViewItemFeature.Alternate) \
            if self.alternatingRowColors() else (plain, plain)
        feature_values = (features[0].value, features[1].value)
        position = option.viewItemPosition.value
        palette_key = option.palette.cacheKey()
        ratio = self.viewport().devicePixelRatioF()
        selection = self.selectionModel()
        current = self.currentIndex()
        focused = self.hasFocus() and current.isValid()
        hovered = (-1, -1)
        if self.viewport().underMouse():
            under = self.indexAt(self.viewport().mapFromGlobal(QCursor.pos()))
            hovered = (under.row(), under.column()) if under.isValid() else hovered
        columns = self._columns(columns_header, column_count)
        if not columns:
            return
        # the rows in the damaged area, each drawn whole (Qt clips it to the area)
        rows: set[int] = set()
        for area in event.region():
            top_row = rows_header.logicalIndexAt(area.top())
            bottom_row = rows_header.logicalIndexAt(area.bottom())
            if top_row < 0:
                continue
            rows.update(range(top_row, (row_count - 1 if bottom_row < 0 else bottom_row) + 1))
        left = columns[0][1]
        placing = tuple((x - left, width) for _column, x, width in columns)
        numbers = [column for column, _x, _width in columns]
        look = (placing, feature_values, position, palette_key, ratio)
        painter = QPainter(self.viewport())
        try:
            for row in sorted(rows):
                y, height = rows_header.sectionViewportPosition(row), rows_header.sectionSize(row)
                first = model.index(row, 0)
                source_row = model.mapToSource(first).row()
                # (a whole row is selected, or none of it: isRowSelected would ask the
                # proxy and the source for every column's flags)
                selected = selection is not None and selection.isSelected(first)
                odd = rows_header.visualIndex(row) % 2
                focus = current.column() if focused and current.row() == row else -1
                hover = hovered[1] if hovered[0] == row else -1
                cells = source.row_look(source_row, numbers)
                key = None if cells is None else \
                    (cells, height, selected, focus, hover, odd, look)
                picture = self._row_pictures.get(key) if key is not None else None
                if picture is None:
                    picture = self._row_picture(painter, row, y, height, columns, selected,
                                                focus, hover, odd, source, source_row, model,
                                                option, states, features, ratio, key)
                if picture is not None:
                    painter.drawPixmap(left, y, picture)
        finally:
            painter.end()

    def _columns(self, header: QHeaderView, count: int) -> list[tuple[int, int, int]]:
        """The shown columns, left to right, each with where it is in the view and its
        width: asked of the header again only when a column was resized, moved, hidden or
        shown, or the list scrolled sideways (three calls into Qt per column, each paint,
        before). Sorted by place, so that a moved column is drawn where it now is."""
        offset = header.offset()
        kept = self._placed_columns
        if kept is None or kept[0] is not header or kept[1] != (offset, count):
            if kept is None or kept[0] is not header:
                for signal in (header.sectionResized, header.sectionMoved,
                               header.sectionCountChanged, header.geometriesChanged):
                    signal.connect(self._forget_columns)
            columns = [(column, header.sectionViewportPosition(column),
                        header.sectionSize(column)) for column in range(count)
                       if not header.isSectionHidden(column)]
            columns.sort(key=lambda placed: placed[1])   # left to right (a moved column)
            kept = self._placed_columns = (header, (offset, count), columns)
        return kept[2]

    def _forget_columns(self, *_args) -> None:
        if self._placed_columns is not None:
            self._placed_columns = (self._placed_columns[0], None, [])

    def _row_picture(self, painter, row, y, height, columns, selected, focus, hover, odd,
                     source, source_row, model, option, states, features, ratio,
                     key) -> QPixmap | None:
        """A row drawn cell by cell from the cells' kept pictures, kept as ``key`` when
        every cell could be (else drawn straight to the view, each cell as Qt draws it)."""
        delegate = self.itemDelegate()
        feature = features[odd]
        left = columns[0][1]
        width_of_row = columns[-1][1] + columns[-1][2] - left
        pieces = []
        for column, x, width in columns:
            state, state_value = states.of(selected, column == focus, column == hover)
            look = source.cell_look(source_row, column)
            picture = None if look is None else delegate.kept_picture(
                (look, width, height, state_value, feature.value, option.viewItemPosition.value,
                 option.palette.cacheKey(), ratio))
            if picture is None:
                option.rect = QRect(x, y, width, height)
                option.state = state
                option.features = feature
                picture = delegate.cell_picture(option, model.index(row, column), ratio)
            if picture is None:   # not one to keep: the row is drawn as Qt draws it
                self._draw_row_as_qt(painter, row, y, height, columns, selected, focus,
                                     hover, model, option, states, feature, pieces)
                return None
            pieces.append((x - left, picture))
        whole = new_picture(width_of_row, height, ratio, QColor(Qt.GlobalColor.transparent))
        row_painter = QPainter(whole)
        for x, picture in pieces:   # (opaque: they cover it all)
            row_painter.drawPixmap(x, 0, picture)
        row_painter.end()
        return whole if key is None else self._row_pictures.put(key, whole)

    def _draw_row_as_qt(self, painter, row, y, height, columns, selected, focus, hover,
                        model, option, states, feature, drawn) -> None:
        """The row straight to the view: the cells already drawn from their pictures,
        the rest as Qt draws them (the row's panel, then the item)."""
        delegate = self.itemDelegate()
        left = columns[0][1]
        done = len(drawn)
        for x, picture in drawn:
            painter.drawPixmap(left + x, y, picture)
        for column, x, width in columns[done:]:
            state, _value = states.of(selected, column == focus, column == hover)
            option.rect = QRect(x, y, width, height)
            option.state = state
            option.features = feature
            index = model.index(row, column)
            picture = delegate.cell_picture(option, index, painter.device().devicePixelRatioF())
            if picture is not None:
                painter.drawPixmap(x, y, picture)
                continue
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, option,
                                       painter, self)
            delegate.paint(painter, option, index)


class ScriptListPanel(QWidget):
    """Search, status filter and the script table."""

    NAME_ROOM = 96   # the narrowest the names get before the list scrolls sideways

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
        self.table = ScriptTable(self.stretch_names)
        self.table.setObjectName("script_table")
        header = RowHeader(Qt.Orientation.Horizontal, self.table)
        header.setSectionsClickable(True)   # as QTableView's own header
        header.setHighlightSections(True)
        self.table.setHorizontalHeader(header)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setItemDelegate(ScriptCellDelegate(self.table))
        layout.addWidget(self.table)
        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        layout.addWidget(self.count_label)

    def stretch_names(self) -> None:
        """The candidate column takes the room the other columns leave (names elided), so
        the status and warnings columns stay in sight; when that room is less than
        ``NAME_ROOM`` the names keep their own width and the list scrolls sideways.
        Called after the columns are fitted, then again whenever the list is resized."""
        column = self._name_column()
        if column < 0:
            return
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != column and not header.isSectionHidden(c))
        room = self.table.viewport().width() - others
        stretch = room >= self.NAME_ROOM
        mode = QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.Interactive
        if header.sectionResizeMode(column) != mode:
            header.setSectionResizeMode(column, mode)
            if not stretch:   # the names of the rows in sight, whole
                header.resizeSection(column, max(self.table.sizeHintForColumn(column),
                                                 self.NAME_ROOM))

    def _name_column(self) -> int:
        model = self.table.model()
        header = self.table.horizontalHeader()
        for column in range(header.count() if model is not None else 0):
            if model.headerData(column, Qt.Orientation.Horizontal) == "Candidate":
                return column
        return -1


class KeptPictureDelegate(QStyledItemDelegate):
    """Draws an item exactly as the style does, into a picture it keeps (per what the item
    shows, its size and its state: selected, focused, alternate row...), so that painting
    it again is a copy of pixels instead of laying its text out again. The pictures are
    opaque (the view's background under the item), so that text keeps the screen's
    sub-pixel smoothing; all are forgotten when the view's font, style or palette
    changes."""

    PICTURES_KEPT = 256
    #: whether the view draws the row's panel with its selection under each item (a
    #: table does, for every cell; a list draws only the alternate rows' shade there)
    ROW_SELECTION_UNDER = False

    def __init__(self, view):
        super().__init__(view)
        self._pictures = KeptPictures(self.PICTURES_KEPT)

    @staticmethod
    def keeps(text, width: int, height: int) -> bool:
        """Whether an item of this text and size is drawn from a kept picture."""
        return text is not None and 0 < width and 0 < height and width * height <= 1 << 18

    def kept_picture(self, key: tuple) -> QPixmap | None:
        """The picture kept for ``key``, or None."""
        return self._pictures.get(key)

    def picture(self, key: tuple, option, index, ratio: float) -> QPixmap:
        """The item drawn for ``option`` (its rect, state and features), kept as ``key``."""
        picture = self._pictures.get(key)
        if picture is None:
            picture = self._pictures.put(key, self._draw(option, index, ratio))
        return picture

    def _draw(self, option, index, ratio: float) -> QPixmap:
        """The item as the view and the style draw it: on the view's background, the row's
        shade (the view draws that under each item), then the item."""
        rect = option.rect
        state = option.state
        group = (QPalette.ColorGroup.Disabled if not state & QStyle.StateFlag.State_Enabled
                 else QPalette.ColorGroup.Active if state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        picture = new_picture(rect.width(), rect.height(), ratio,
                              option.palette.color(group, QPalette.ColorRole.Base))
        here = QStyleOptionViewItem(option)
        here.rect = QRect(0, 0, rect.width(), rect.height())
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        painter = QPainter(picture)
        try:
            if self.ROW_SELECTION_UNDER or \
                    here.features & QStyleOptionViewItem.ViewItemFeature.Alternate:
                row = QStyleOptionViewItem(here)
                if not self.ROW_SELECTION_UNDER:
                    row.state &= ~QStyle.StateFlag.State_Selected
                style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, row, painter,
                                    widget)
            super().paint(painter, here, index)
        finally:
            painter.end()
        return picture

    def forget(self) -> None:
        """Forget every picture (the view's font, style or palette changed)."""
        self._pictures.clear()


class ScriptCellDelegate(KeptPictureDelegate):
    """The script list's cells, each drawn from a kept picture per look (what the model
    says the cell shows: see :meth:`ScriptListModel.cell_look`), size and state. Selecting
    another script repaints the two rows; Qt's own delegate lays out and shapes the text
    of every cell of both again (the most of the list's part of a switch)."""

    PICTURES_KEPT = 2048   # a few hundred rows' cells, in both states
    ROW_SELECTION_UNDER = True

    def cell_picture(self, option, index, ratio: float) -> QPixmap | None:
        """The cell drawn for ``option`` from its kept picture (drawn now if need be), or
        None for a cell whose look cannot be kept (it is then drawn as Qt draws it)."""
        model = index.model()
        if not isinstance(model, ScriptFilterModel):
            return None
        look = model.cell_look(index)
        if look is None:
            # not painted since it changed: reading its roles as a paint does keeps them
            self.initStyleOption(QStyleOptionViewItem(option), index)
            look = model.cell_look(index)
        rect = option.rect
        if look is None or not self.keeps(look, rect.width(), rect.height()):
            return None
        return self.picture(self._key(look, option, ratio), option, index, ratio)

    def paint(self, painter: QPainter, option, index) -> None:
        """A cell painted by Qt (the list paints its cells itself: see ScriptTable)."""
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        picture = self.cell_picture(option, index, ratio)
        if picture is None:
            super().paint(painter, option, index)
        else:
            painter.drawPixmap(option.rect.topLeft(), picture)

    @staticmethod
    def _key(look: tuple, option, ratio: float) -> tuple:
        rect = option.rect
        return (look, rect.width(), rect.height(), option.state.value, option.features.value,
                option.viewItemPosition.value, option.palette.cacheKey(), ratio)


class AnnotationEntryDelegate(KeptPictureDelegate):
    """Draws an annotation's entry exactly as the style does, and keeps what it drew: its
    size (per text and width) and its picture (see :class:`KeptPictureDelegate`). A
    script's entries are measured and drawn the first time it is shown; coming back to
    it, or the list laid out and painted again, costs a look-up and a copy of pixels
    instead of laying the text out twice more."""

    SIZES_KEPT = 4096     # entries' sizes (a class's annotations many times over)
    PICTURES_KEPT = 256   # entries' pictures (those in sight in a few dozen scripts)

    def __init__(self, view: QListView):
        super().__init__(view)
        self._sizes: dict[tuple[str, int], QSize] = {}

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str):
            return super().sizeHint(option, index)
        key = (text, option.rect.width())
        size = self._sizes.get(key)
        if size is None:
            if len(self._sizes) >= self.SIZES_KEPT:
                self._sizes.clear()
            size = self._sizes[key] = super().sizeHint(option, index)
        return size

    @staticmethod
    def keeps(text, width: int, height: int) -> bool:
        return isinstance(text, str) and KeptPictureDelegate.keeps(text, width, height)

    def paint(self, painter: QPainter, option, index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        rect = option.rect
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        if not self.keeps(text, rect.width(), rect.height()):
            super().paint(painter, option, index)
            return
        key = (text, rect.width(), rect.height(), option.state.value, option.features.value,
               option.palette.cacheKey(), ratio)
        painter.drawPixmap(rect.topLeft(), self.picture(key, option, index, ratio))

    def forget(self) -> None:
        self._sizes.clear()
        super().forget()


class AnnotationListView(QListView):
    """The annotation list: a QListView to the keyboard, the mouse, the selection and screen
    readers (Qt's own code for all of those), whose entries it measures, places and paints
    itself. Qt's list lays a new script's entries out by asking the delegate each entry's
    size, one call into Python per entry and more for the data each call reads, then
    paints each entry in sight with another call per entry: about 1.5 ms of a switch of
    script. Here, a layout is one loop over the entries (their sizes kept per text and
    width) and a paint one call that copies the pictures of the entries in sight.

    The entries are placed as Qt's list places them (``spacing`` around each) and scroll
    by pixels. The delegate still measures and draws each entry, on its first sight."""

    # until laid out (Qt asks where entries are while the list is still being made)
    _tops: tuple[int, ...] | list[int] = ()   # each entry's top, in the list's coordinates
    _heights: tuple[int, ...] | list[int] = ()
    _extent = 0                               # all entries' height, spacing included
    _laid_width = -1                          # the entries' width when laid out
    _laid_texts: tuple | list = ()            # the entries' texts when laid out

    def __init__(self, parent=None):
        super().__init__(parent)
        keep_scroll_bar(self)   # a new script, a new scroll range: drawn from pictures
        self._sizes: dict[tuple[str, int], int] = {}   # an entry's height, by text and width
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    # -- layout --------------------------------------------------------------------------

    def _entry_width(self) -> int:
        return max(self.viewport().width() - 2 * self.spacing(), 1)

    def _texts(self) -> list:
        model = self.model()
        if isinstance(model, AnnotationListModel):
            return model.display_texts()
        if model is None:
            return []
        return [model.index(row, 0).data(Qt.ItemDataRole.DisplayRole)
                for row in range(model.rowCount())]

    def _measure(self, row: int, text, width: int) -> int:
        key = (text, width) if isinstance(text, str) else None
        height = self._sizes.get(key) if key is not None else None
        if height is None:
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            option.rect = QRect(0, 0, width, 1 << 16)
            height = max(self.itemDelegate().sizeHint(option, self.model().index(row, 0))
                         .height(), 1)
            if key is not None:
                if len(self._sizes) >= AnnotationEntryDelegate.SIZES_KEPT:
                    self._sizes.clear()
                self._sizes[key] = height
        return height

    def doItemsLayout(self) -> None:  # noqa: N802 - Qt's name
        """Measure and place every entry for the list's width now (Qt calls this after a
        change to the model, on its timer; :meth:`AnnotationPanel.lay_out_now` at once)."""
        spacing, width = self.spacing(), self._entry_width()
        texts = self._texts()
        tops, heights = [], []
        y = spacing
        for row, text in enumerate(texts):
            height = self._measure(row, text, width)
            tops.append(y)
            heights.append(height)
            y += height + 2 * spacing
        self._laid_texts, self._tops, self._heights = texts, tops, heights
        self._extent = y - spacing if tops else 0
        self._laid_width = width
        QAbstractItemView.doItemsLayout(self)   # geometries, a repaint; not QListView's

    def laid_out_rows(self) -> int:
        """How many entries are measured and placed (all of them, once laid out)."""
        return len(self._tops)

    def updateGeometries(self) -> None:  # noqa: N802 - Qt's name
        bar = self.verticalScrollBar()
        page = self.viewport().height()
        bar.setRange(0, max(self._extent - page, 0))
        bar.setPageStep(page)
        bar.setSingleStep(max(self.fontMetrics().height() * 2, 1))
        self.horizontalScrollBar().setRange(0, 0)
        QAbstractItemView.updateGeometries(self)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        QAbstractItemView.resizeEvent(self, event)
        if self._entry_width() != self._laid_width:
            self.doItemsLayout()   # the entries wrap anew (their scroll bar came or went)
        else:
            self.updateGeometries()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        forget_pictures(self, event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._sizes.clear()
            self.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:  # noqa: N802
        super().dataChanged(top_left, bottom_right, roles)
        self.doItemsLayout()   # an edited comment may take more lines

    # -- where entries are ---------------------------------------------------------------

    def _row_valid(self, index) -> bool:
        return index.isValid() and index.model() is self.model() and \
            0 <= index.row() < len(self._tops)

    def _content_rect(self, row: int) -> QRect:
        return QRect(self.spacing(), self._tops[row], self._entry_width(), self._heights[row])

    def visualRect(self, index) -> QRect:  # noqa: N802 - Qt's name
        if not self._row_valid(index):
            return QRect()
        return self._content_rect(index.row()).translated(0, -self.verticalOffset())

    def _row_at(self, y: int) -> int:
        """The entry under the list's ``y`` (in its own coordinates), or -1."""
        row = bisect_right(self._tops, y) - 1
        if 0 <= row < len(self._tops) and y < self._tops[row] + self._heights[row]:
            return row
        return -1

    def indexAt(self, point) -> QModelIndex:  # noqa: N802 - Qt's name
        row = self._row_at(point.y() + self.verticalOffset())
        if row < 0 or not 0 <= point.x() - self.spacing() < self._entry_width():
            return QModelIndex()
        return self.model().index(row, 0)

    def horizontalOffset(self) -> int:  # noqa: N802 - Qt's name
        return 0

    def verticalOffset(self) -> int:  # noqa: N802 - Qt's name
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index) -> bool:  # noqa: N802 - Qt's name
        return False

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        if not self._row_valid(index):
            return
        rect = self._content_rect(index.row())
        bar, page = self.verticalScrollBar(), self.viewport().height()
        top, bottom = rect.top() - self.spacing(), rect.bottom() + 1 + self.spacing()
        hints = QAbstractItemView.ScrollHint
        if hint == hints.PositionAtTop:
            bar.setValue(top)
        elif hint == hints.PositionAtBottom:
            bar.setValue(bottom - page)
        elif hint == hints.PositionAtCenter:
            bar.setValue((top + bottom - page) // 2)
        elif top < bar.value():
            bar.setValue(top)
        elif bottom > bar.value() + page:
            bar.setValue(min(top, bottom - page))

    def moveCursor(self, action, modifiers) -> QModelIndex:  # noqa: N802 - Qt's name
        count = len(self._tops)
        if not count:
            return QModelIndex()
        current = self.currentIndex()
        row = current.row() if self._row_valid(current) else -1
        moves = QAbstractItemView.CursorAction
        if action in (moves.MoveUp, moves.MovePrevious, moves.MoveLeft):
            row = count - 1 if row < 0 else max(row - 1, 0)
        elif action in (moves.MoveDown, moves.MoveNext, moves.MoveRight):
            row = 0 if row < 0 else min(row + 1, count - 1)
        elif action == moves.MoveHome:
            row = 0
        elif action == moves.MoveEnd:
            row = count - 1
        elif action in (moves.MovePageUp, moves.MovePageDown):
            page = self.viewport().height()
            y = (self._tops[row] if row >= 0 else 0) + \
                (-page if action == moves.MovePageUp else page)
            y = min(max(y, 0), self._tops[-1])
            row = max(self._row_at(y), bisect_right(self._tops, y) - 1, 0)
        return self.model().index(max(row, 0), 0)

    def setSelection(self, rect, command) -> None:  # noqa: N802 - Qt's name
        area = rect.normalized().translated(0, self.verticalOffset())
        rows = [row for row in range(len(self._tops))
                if self._content_rect(row).intersects(area)]
        selection = QItemSelection()
        if rows:
            model = self.model()
            selection.select(model.index(rows[0], 0), model.index(rows[-1], 0))
        self.selectionModel().select(selection, command)

    def visualRegionForSelection(self, selection) -> QRegion:  # noqa: N802 - Qt's name
        region = QRegion()
        for index in selection.indexes():
            region += self.visualRect(index)
        return region

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """The entries in the damaged area, each copied from its kept picture (the delegate
        draws one on its first sight); no call into the model or the delegate per entry."""
        self.executeDelayedItemsLayout()
        if not self._tops:
            return
        area = event.rect()
        offset = self.verticalOffset()
        first = max(bisect_right(self._tops, area.top() + offset) - 1, 0)
        last_y = area.bottom() + offset
        model, selection, delegate = self.model(), self.selectionModel(), self.itemDelegate()
        quick = isinstance(delegate, AnnotationEntryDelegate)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        states = _EntryStates(option.state)
        plain = option.features & ~QStyleOptionViewItem.ViewItemFeature.Alternate
        features = (plain, plain | QStyleOptionViewItem.ViewItemFeature.Alternate) \
            if self.alternatingRowColors() else (plain, plain)
        feature_values = (features[0].value, features[1].value)
        selected = {index.row() for index in selection.selectedIndexes()} \
            if selection is not None else set()
        current = self.currentIndex()
        current_row = current.row() if self.hasFocus() and self._row_valid(current) else -1
        hovered = -1
        if self.viewport().underMouse():
            hovered = self._row_at(self.viewport().mapFromGlobal(QCursor.pos()).y() + offset)
        x, width = self.spacing(), self._entry_width()
        palette_key = option.palette.cacheKey()
        ratio = self.viewport().devicePixelRatioF()
        texts, tops, heights = self._laid_texts, self._tops, self._heights
        painter = QPainter(self.viewport())
        try:
            for row in range(first, len(tops)):
                top = tops[row]
                if top > last_y:
                    break
                height = heights[row]
                state, state_value = states.of(row in selected, row == current_row,
                                               row == hovered)
                odd = row % 2
                text = texts[row]
                key = (text, width, height, state_value, feature_values[odd], palette_key,
                       ratio)
                picture = delegate.kept_picture(key) if quick and \
                    delegate.keeps(text, width, height) else None
                if picture is not None:
                    painter.drawPixmap(x, top - offset, picture)
                    continue
                option.rect = QRect(x, top - offset, width, height)
                option.state = state
                option.features = features[odd]
                index = model.index(row, 0)
                if quick and delegate.keeps(text, width, height):
                    painter.drawPixmap(x, top - offset,
                                       delegate.picture(key, option, index, ratio))
                else:
                    delegate.paint(painter, option, index)
        finally:
            painter.end()


class _EntryStates:
    """An entry's style state (selected, focused, under the mouse) from the list's, made
    once per kind in a paint: combining Qt's flags costs more than copying a picture."""

    def __init__(self, base):
        self._base = base
        self._made: dict[tuple[bool, bool, bool], tuple] = {}

    def of(self, selected: bool, focused: bool, hovered: bool) -> tuple:
        kind = (selected, focused, hovered)
        made = self._made.get(kind)
        if made is None:
            state = self._base
            if selected:
                state |= QStyle.StateFlag.State_Selected
            if focused:
                state |= QStyle.StateFlag.State_HasFocus
            if hovered:
                state |= QStyle.StateFlag.State_MouseOver
            made = self._made[kind] = (state, state.value)
        return made


class AnnotationPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 8)
        title = QLabel("<b>Annotations</b>")
        layout.addWidget(title)
        self.model = AnnotationListModel(self)
        self.view = AnnotationListView()
        self.view.setObjectName("annotation_list")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setSpacing(3)
        self.view.setAlternatingRowColors(True)
        self.delegate = AnnotationEntryDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        layout.addWidget(self.view)
        self.hint = QLabel("Select a passage in the script and press Ctrl+M to comment on it.")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        layout.addWidget(self.hint)
        # Edit… and Delete: the buttons, the right-click menu and the keys in the list
        self.edit_action = QAction("Edit…", self)
        self.edit_action.setObjectName("edit_annotation")
        self.delete_action = QAction("Delete", self)
        self.delete_action.setObjectName("delete_annotation")
        self.delete_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete),
                                         QKeySequence(Qt.Key.Key_Backspace)])
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(self.delete_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.last_context_menu: QMenu | None = None
        buttons = QHBoxLayout()
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.edit_button.clicked.connect(self.edit_action.trigger)
        self.delete_button.clicked.connect(self.delete_action.trigger)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        layout.addLayout(buttons)
        self.view.selectionModel().selectionChanged.connect(self.update_buttons)
        self.view.selectionModel().currentChanged.connect(self.update_buttons)
        self.model.modelReset.connect(self.update_buttons)
        self._buttons_on: bool | None = None
        self.update_buttons()

    def lay_out_now(self) -> None:
        """Lay the list out now rather than on Qt's timer after the next paint, its scroll
        bar shown or hidden for the new length (Qt does that in a queued call, after the
        paint) and the entries laid out again for the width that leaves: a switch of
        script then paints the new entries once, in the same frame as the new text."""
        self.view.executeDelayedItemsLayout()
        QApplication.sendPostedEvents(self.view, QEvent.Type.MetaCall)   # the scroll bar

    def update_buttons(self, *_args) -> None:
        """Edit… and Delete are there exactly when an annotation is selected."""
        selected = self.selected_id() is not None
        if selected == self._buttons_on:   # (nothing else enables them: a switch of script
            return                         # mostly changes nothing here)
        self._buttons_on = selected
        for widget in (self.edit_action, self.delete_action, self.edit_button,
                       self.delete_button):
            widget.setEnabled(selected)

    def _context_menu(self, position) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.setObjectName("annotation_context_menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.edit_action)
        menu.addAction(self.delete_action)
        self.last_context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(position))

    def follow(self, session, script_view) -> None:
        """Subscribe to the session's broadcast: when the shown script's annotations
        change, the list and the highlights in ``script_view`` follow, keeping the
        selection."""
        self._session = session
        self._script_view = script_view
        self.shown_script = None
        session.changed.connect(self._changes)

    def selected_id(self):
        """The selected annotation's id, or None."""
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
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
