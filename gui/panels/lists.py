"""The script list (search, status filter, the table) and the annotation list."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
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

from gui.models import AnnotationListModel, ScriptFilterModel


class RowHeader(QHeaderView):
    """The script table's column header. Its sections are drawn highlighted while a row is
    selected (every column of a row is); going from one row to another changes nothing
    in it, so it is not repainted then (Qt would repaint the whole header each time)."""

    def selectionChanged(self, selected, deselected) -> None:  # noqa: N802 - Qt's name
        if self.highlightSections() and not selected.isEmpty() and not deselected.isEmpty():
            return   # one whole row for another: every section highlighted before and after
        super().selectionChanged(selected, deselected)


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
        self.table = QTableView()
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
        layout.addWidget(self.table)
        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        layout.addWidget(self.count_label)
        self.table.viewport().installEventFilter(self)

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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.stretch_names()
        return super().eventFilter(watched, event)


class AnnotationEntryDelegate(QStyledItemDelegate):
    """Draws an annotation's entry exactly as the style does, but keeps what it drew: its
    size (per text and width) and its picture (per text, size and state: selected,
    focused, alternate row...). A script's entries are measured and drawn the first time
    it is shown; coming back to it, or the list laid out and painted again, costs a look-up
    and a copy of pixels instead of laying the text out twice more. All is forgotten when
    the list's font, style or palette changes."""

    SIZES_KEPT = 4096     # entries' sizes (a class's annotations many times over)
    PICTURES_KEPT = 256   # entries' pictures (those in sight in a few dozen scripts)

    def __init__(self, view: QListView):
        super().__init__(view)
        self._sizes: dict[tuple[str, int], QSize] = {}
        self._pictures: OrderedDict[tuple, QPixmap] = OrderedDict()
        view.installEventFilter(self)

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

    def paint(self, painter: QPainter, option, index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        rect = option.rect
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        if not isinstance(text, str) or rect.isEmpty() or rect.width() * rect.height() > 1 << 18:
            super().paint(painter, option, index)
            return
        key = (text, rect.width(), rect.height(), option.state.value, option.features.value,
               option.palette.cacheKey(), ratio)
        picture = self._pictures.get(key)
        if picture is None:
            picture = self._draw(option, index, ratio)
            self._pictures[key] = picture
            if len(self._pictures) > self.PICTURES_KEPT:
                self._pictures.popitem(last=False)
        else:
            self._pictures.move_to_end(key)
        painter.drawPixmap(rect.topLeft(), picture)

    def _draw(self, option, index, ratio: float) -> QPixmap:
        """The entry as the list and the style draw it: on the list's background, the
        alternate rows' shade (the list draws that under each entry), then the entry.
        Opaque, so that text keeps the screen's sub-pixel smoothing."""
        rect = option.rect
        picture = QPixmap(round(rect.width() * ratio), round(rect.height() * ratio))
        picture.setDevicePixelRatio(ratio)
        state = option.state
        group = (QPalette.ColorGroup.Disabled if not state & QStyle.StateFlag.State_Enabled
                 else QPalette.ColorGroup.Active if state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        picture.fill(option.palette.color(group, QPalette.ColorRole.Base))
        here = QStyleOptionViewItem(option)
        here.rect = QRect(0, 0, rect.width(), rect.height())
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        painter = QPainter(picture)
        try:
            if here.features & QStyleOptionViewItem.ViewItemFeature.Alternate:
                row = QStyleOptionViewItem(here)
                row.state &= ~QStyle.StateFlag.State_Selected
                style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, row, painter,
                                    widget)
            super().paint(painter, here, index)
        finally:
            painter.end()
        return picture

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.PaletteChange):
            self._sizes.clear()
            self._pictures.clear()
        return super().eventFilter(watched, event)


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
        # one pass (the default): in batches the vertical scroll bar came and went for ever
        # (each batch measured a list too short to scroll, the last one too long), a
        # flicker that also kept a core busy while the window sat idle
        self.view.setLayoutMode(QListView.LayoutMode.SinglePass)
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
        self.update_buttons()

    def lay_out_now(self) -> None:
        """Lay the list out now rather than on Qt's timer after the next paint, its scroll
        bar shown or hidden for the new length (Qt does that in a queued call, after the
        paint) and the entries laid out again for the width that leaves: a switch of
        script then paints the new entries once, in the same frame as the new text."""
        if self.model.rowCount():
            self.view.visualRect(self.model.index(0))   # runs the pending layout
        QApplication.sendPostedEvents(self.view, QEvent.Type.MetaCall)   # the scroll bar

    def update_buttons(self, *_args) -> None:
        """Edit… and Delete are there exactly when an annotation is selected."""
        selected = self.selected_id() is not None
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
