"""The rubric panel: the question, each criterion's levels as cards, the mark within the
level, the total, the overall comments and the comment bank.

The panel shows state and reports what the marker chose through signals; the main window
turns those into undoable commands on the marking set and calls back ``show_*``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QRegion,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.models import BankListModel, whole_number
from gui.panels.labels import LineLabel, SteadyBox, SteadyLabel, WrappedLabel, backdrop_of
from gui.panels.pictures import KeptPictures, new_picture
from gui.panels.scrollbar import keep_scroll_bar
from rubric import marking
from rubric.scheme import Criterion, Level, Scheme
from rubric.store import BankComment, Mark, OverallComment

COMMENT_FIELDS = (
    ("www", "What went well"),
    ("ebi", "Even better if"),
    ("general", "General comment"),
)


class CardToggle(QToolButton):
    """A level card's "Indicative content" button. The card draws it, in its picture (see
    LevelCard), so a card moved or chosen on a switch of script repaints by copying
    pixels, not by the style drawing the button again; when the button's look changes
    (hovered, pressed, checked, focused, enabled) it has the card draw that part again."""

    _LOOKS = frozenset({QEvent.Type.Enter, QEvent.Type.Leave, QEvent.Type.HoverEnter,
                        QEvent.Type.HoverLeave, QEvent.Type.FocusIn, QEvent.Type.FocusOut,
                        QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                        QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
                        QEvent.Type.EnabledChange, QEvent.Type.StyleChange,
                        QEvent.Type.FontChange, QEvent.Type.PaletteChange})

    def __init__(self, parent=None):
        super().__init__(parent)
        self.toggled.connect(self._changed)

    def state(self) -> tuple:
        """What the button's look depends on, besides what the card's look holds."""
        return (self.isChecked(), self.isDown(), self.underMouse(), self.hasFocus(),
                self.isEnabled(), self.isVisible(), self.text(), self.arrowType().value,
                self.x(), self.y(), self.width(), self.height())

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() in self._LOOKS:
            self._changed()
        return handled

    def _changed(self, *_args) -> None:
        card = self.parentWidget()
        if card is not None:
            card.update(self.geometry())


class LevelCard(QFrame):
    """One level: label, range, descriptor; indicative content on demand. Click to choose.

    The card keeps a picture of itself with its texts (per size and state: selected,
    hovered...), so that choosing a level, or a card moving when the mark box moves,
    repaints it by copying pixels: its labels (a descriptor of six wrapped lines) would
    each lay their text out again for every repaint, the most of a switch of script in
    this panel. The labels stay (read, measured, laid out and seen by screen readers as
    before) but Qt no longer paints them (their updates are off): the card draws them,
    into its picture, and so the indicative-content button too (see CardToggle)."""

    chosen = Signal(str)
    PICTURES_KEPT = 3   # selected, not selected, hovered

    def __init__(self, level: Level, shortcut: str, parent=None):
        super().__init__(parent)
        self.level = level
        self.setObjectName("levelCard")
        self.setProperty("selected", False)
        # it paints every pixel (its picture is opaque): what is behind it is not painted
        # first, and a card moved by the mark box is moved by copying its pixels
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._pictures = KeptPictures(self.PICTURES_KEPT)
        self._looks: tuple | None = None
        self._hover = False
        self._texts: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 7)
        layout.setSpacing(2)
        top = QHBoxLayout()
        title = QLabel(f"<b>{level.label}</b>")
        marks = QLabel(f"{level.range_text} marks" if level.min_mark != level.max_mark
                       else f"{level.min_mark} marks")
        marks.setObjectName("levelRange")
        hint = QLabel(shortcut)
        hint.setObjectName("shortcutHint")
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(marks)
        top.addSpacing(6)
        top.addWidget(hint)
        layout.addLayout(top)
        self._texts += [title, marks, hint]
        if level.descriptor:
            descriptor = WrappedLabel(level.descriptor)   # measured once, see labels
            descriptor.setObjectName("levelDescriptor")
            layout.addWidget(descriptor)
            self._texts.append(descriptor)
        self.indicative_label: QLabel | None = None
        if level.indicative:
            toggle = CardToggle()
            toggle.setText("Indicative content")
            toggle.setCheckable(True)
            toggle.setObjectName("indicativeToggle")
            toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            toggle.setArrowType(Qt.ArrowType.RightArrow)
            self.indicative_label = WrappedLabel(level.indicative)
            self.indicative_label.setObjectName("indicative")
            self.indicative_label.hide()
            self._texts.append(self.indicative_label)

            def flip(on: bool) -> None:
                toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
                self.indicative_label.setVisible(on)

            toggle.toggled.connect(flip)
            layout.addWidget(toggle, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(self.indicative_label)
            self._toggle = toggle
            self._texts.append(toggle)   # drawn by the card too, in its state of the moment
        for text in self._texts:
            text.setUpdatesEnabled(False)   # drawn by the card, see paintEvent

    _selected = False
    _toggle: CardToggle | None = None

    def set_selected(self, selected: bool) -> None:
        # Painted by hand (no style-sheet re-polish): switching scripts stays fast.
        if self._selected != selected:
            self._selected = selected
            self.setProperty("selected", selected)
            self.update()

    def enterEvent(self, event) -> None:
        self._hover = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = False
        self.update()
        super().leaveEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange,
                            QEvent.Type.PaletteChange, QEvent.Type.EnabledChange,
                            QEvent.Type.ParentChange):
            self._pictures.clear()
            self._looks = None
        super().changeEvent(event)

    def _backdrop(self) -> QColor:
        """What the card is drawn over: the first ancestor that fills its background."""
        return backdrop_of(self)

    def _look(self) -> tuple:
        """What the card's picture depends on besides its size and state: its palette,
        font and backdrop, asked once until one of them changes (see changeEvent)."""
        if self._looks is None:
            self._looks = (self.palette().cacheKey(), self.font().key(),
                           self._backdrop().rgba())
        return self._looks

    def _paint_frame(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        selected = self._selected
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if selected:
            fill = QColor(palette.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(40)
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), 2)
        else:
            fill = QColor(palette.color(QPalette.ColorRole.Text))
            fill.setAlpha(18 if self._hover else 7)
            pen = QPen(palette.color(QPalette.ColorRole.Mid), 1)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 6, 6)

    def _paint_texts(self, painter: QPainter) -> None:
        for text in self._texts:
            if text.isVisible():
                text.render(painter, text.pos(), QRegion(),
                            QWidget.RenderFlag(0))   # no background: as Qt paints them

    def _picture(self, ratio: float) -> QPixmap:
        toggle = self._toggle
        key = (self.width(), self.height(), self._selected, self._hover, ratio, self._look(),
               None if toggle is None else toggle.state(),
               self.indicative_label is not None and self.indicative_label.isVisible())
        picture = self._pictures.get(key)
        if picture is None:
            # opaque: the texts keep the screen's smoothing
            picture = new_picture(self.width(), self.height(), ratio, self._backdrop())
            painter = QPainter(picture)
            try:
                self._paint_frame(painter)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                self._paint_texts(painter)
            finally:
                painter.end()
            self._pictures.put(key, picture)
        return picture

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        if self.width() * self.height() <= 1 << 20:
            painter.drawPixmap(0, 0, self._picture(painter.device().devicePixelRatioF()))
        else:   # too big to keep a picture of (a very narrow panel, a huge font)
            painter.fillRect(self.rect(), self._backdrop())   # opaque, as the picture is
            self._paint_frame(painter)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            self._paint_texts(painter)
        painter.end()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.chosen.emit(self.level.label)
        super().mousePressEvent(event)


class MarkButton(QPushButton):
    """A mark button, drawn as the style draws it into a picture kept per look (its text,
    checked, pressed, hovered, size): switching script changes some buttons' numbers and
    which one is checked, and the style drew every one of them from scratch each time.
    Opaque (the backdrop under it), so that its digits keep the screen's smoothing."""

    PICTURES_KEPT = 64   # the numbers 0 to 25 or so, checked or not

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pictures = KeptPictures(self.PICTURES_KEPT)
        self._drawing = False
        self._looks: tuple | None = None

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange,
                            QEvent.Type.PaletteChange, QEvent.Type.EnabledChange,
                            QEvent.Type.ParentChange):
            self._pictures.clear()
            self._looks = None
        super().changeEvent(event)

    def _look(self) -> tuple:
        if self._looks is None:
            self._looks = (self.palette().cacheKey(), self.font().key(),
                           backdrop_of(self).rgba())
        return self._looks

    def paintEvent(self, event) -> None:  # noqa: N802
        if self._drawing:   # as a QPushButton draws itself (to compare)
            super().paintEvent(event)
            return
        ratio = self.devicePixelRatioF()
        key = (self.text(), self.isChecked(), self.isDown(), self.underMouse(),
               self.hasFocus(), self.width(), self.height(), ratio, self._look())
        picture = self._pictures.get(key)
        if picture is None:
            picture = new_picture(self.width(), self.height(), ratio, backdrop_of(self))
            option = QStyleOptionButton()
            self.initStyleOption(option)   # as QPushButton paints itself
            painter = QPainter(picture)
            try:
                self.style().drawControl(QStyle.ControlElement.CE_PushButton, option, painter,
                                         self)
            finally:
                painter.end()
            self._pictures.put(key, picture)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, picture)
        painter.end()


BUTTON_GAP = 2   # pixels between two mark buttons
BANK_ROWS_SHOWN = 8.5   # eight entries without scrolling, and half of one saying there are more


class BankEntryDelegate(QStyledItemDelegate):
    """A bank entry in at most two lines (the whole text is in its tooltip) with its
    shortcut code at the right: rows of one height, so the list shows eight entries, and
    the code a marker can type into the bank's search is always in sight."""

    LINES = 2

    @staticmethod
    def shortcut_of(index) -> str:
        comment = index.data(BankListModel.COMMENT_ROLE)
        code = getattr(comment, "shortcut", None)
        return code if isinstance(code, str) else ""

    def row_height(self, font) -> int:
        return QFontMetrics(font).lineSpacing() * self.LINES + 8

    def sizeHint(self, option, index) -> QSize:
        return QSize(1, self.row_height(option.font))   # as wide as the list, never wider

    @classmethod
    def lines(cls, text: str, font, width: int) -> list[str]:
        """``text`` broken at words into lines of ``width`` pixels, at most ``LINES``; the
        last one elided when there is more."""
        text = " ".join(text.split())
        layout = QTextLayout(text, font)
        layout.beginLayout()
        spans = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(width, 1))
            spans.append((line.textStart(), line.textLength()))
        layout.endLayout()
        shown = [text[start:start + length].strip() for start, length in spans[:cls.LINES]]
        if len(spans) > cls.LINES:
            rest = text[spans[cls.LINES - 1][0]:]
            shown[-1] = QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)
        return shown

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        metrics = QFontMetrics(opt.font)
        rect = opt.rect.adjusted(6, 4, -6, -4)
        painter.save()
        painter.setFont(opt.font)
        code = self.shortcut_of(index)
        if code:
            width = metrics.horizontalAdvance(code)
            painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText if selected
                                             else QPalette.ColorRole.PlaceholderText))
            painter.drawText(rect.right() - width, rect.top() + metrics.ascent(), code)
            rect.setRight(rect.right() - width - 10)
        painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText if selected
                                         else QPalette.ColorRole.Text))
        for number, line in enumerate(self.lines(text, opt.font, rect.width())):
            painter.drawText(rect.left(), rect.top() + number * metrics.lineSpacing()
                             + metrics.ascent(), line)
        painter.restore()


class CriterionSection(QFrame):
    """A criterion: its level cards and the mark control."""

    level_chosen = Signal(str, str)   # criterion, level label
    mark_chosen = Signal(str, int)    # criterion, mark
    activated = Signal(str)

    def __init__(self, criterion: Criterion, parent=None):
        super().__init__(parent)
        self.criterion = criterion
        self.setObjectName("criterionSection")
        self._level: str | None = None
        self._mark: int | None = None
        # the header, the cards and the mark box sit in a box of their own: the mark box
        # moved under another card lays out this section alone, not the panel (see
        # SteadyBox); the section answers the panel's layout from the box's
        self._body = SteadyBox(self)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(6)
        header = WrappedLabel(f"<b>{criterion.name}</b> · out of {criterion.maximum}"
                              + (f" — {criterion.description}" if criterion.description
                                 else ""))
        header.setObjectName("criterionHeader")
        layout.addWidget(header)
        self._header = header
        # the mark box: under the chosen level's card (under the header until a level is
        # chosen), so the descriptor and the mark are seen together
        self.mark_box = QWidget()
        self.mark_box.setObjectName("markBox")
        self.mark_box.setAutoFillBackground(True)   # opaque: what it covers is not painted
        self._mark_slot = QVBoxLayout(self.mark_box)
        self._mark_slot.setContentsMargins(0, 0, 0, 0)
        self._mark_slot.setSpacing(2)
        layout.addWidget(self.mark_box)
        self.cards: list[LevelCard] = []
        self._by_digit: dict[int, Level] = {}
        for level in criterion.levels:
            digit = self._digit_for(level)
            if digit in self._by_digit:
                digit = None   # two levels with one number: the first has the shortcut
            if digit is not None:
                self._by_digit[digit] = level
            card = LevelCard(level, f"Alt+{digit}" if digit is not None else "")
            card.chosen.connect(lambda label: self.level_chosen.emit(self.criterion.name, label))
            card.chosen.connect(lambda _label: self.activated.emit(self.criterion.name))
            layout.addWidget(card)
            self.cards.append(card)

        mark_row = QHBoxLayout()
        mark_row.setSpacing(4)
        mark_label = QLabel("&Mark")
        self.spin = QSpinBox()
        self.spin.setObjectName(f"mark_{criterion.name}")
        self.spin.setAccessibleName(f"{criterion.name} mark")
        self.spin.setSpecialValueText("–")
        self.spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.spin.setMinimumWidth(64)
        self._sized = False   # see _fix_sizes
        mark_label.setBuddy(self.spin)
        self.spin.valueChanged.connect(self._spin_changed)
        self.spin.installEventFilter(self)
        mark_row.addWidget(mark_label)
        mark_row.addWidget(self.spin)
        # the buttons sit in a row of their own, of one fixed size (as many buttons as the
        # criterion's widest level needs), placed by hand: a button shown, hidden or
        # renamed on a switch of script lays nothing out (in a layout, each one laid out
        # the row, the mark box and the panel around them again)
        self._button_row = QWidget()
        self._button_row.setObjectName("markButtons")
        self._most_buttons = max((level.max_mark - level.min_mark + 1
                                  for level in criterion.levels
                                  if level.max_mark - level.min_mark <= 9), default=0)
        mark_row.addWidget(self._button_row)
        mark_row.addStretch(1)
        self._mark_slot.addLayout(mark_row)
        self.position_label = WrappedLabel("")
        self.position_label.setObjectName("positionLabel")
        self._position = SteadyLabel(self.position_label)   # a new text is not a relayout
        self._mark_slot.addWidget(self._position)
        self._buttons: list[QPushButton] = []
        self._pool: list[QPushButton] = []
        self._updating = False
        self.show_mark(None)

    def _fix_sizes(self) -> None:
        """Sizes that do not change from script to script, measured as styled (when first
        shown): the mark box as wide as the criterion's widest mark needs (64 pixels at
        least) whatever the level's range, and the row of mark buttons as high as a button
        even while it is hidden. A fixed-size widget's new range does not lay the panel out
        again, and the mark box keeps its height, so the panel below never moves."""
        self._sized = True
        low, high = self.spin.minimum(), self.spin.maximum()
        self.spin.setMinimumSize(0, 0)
        self.spin.setMaximumSize(16777215, 16777215)
        self._updating = True
        try:
            self.spin.setRange(-1, self.criterion.maximum)
            hint = self.spin.sizeHint()
            self.spin.setRange(low, high)
        finally:
            self._updating = False
        self.spin.setFixedSize(max(64, hint.width()), hint.height())
        if not self._pool:
            self._pool.append(self._new_button())
            self._pool[0].hide()
        for index, button in enumerate(self._pool):
            self._fix_button_size(button)
            self._place_button(button, index)
        button = self._pool[0]
        self._button_row.setFixedSize(
            max(self._most_buttons * (button.width() + BUTTON_GAP) - BUTTON_GAP, 0),
            button.height())

    def showEvent(self, event) -> None:  # noqa: N802
        if not self._sized:
            self._fix_sizes()
        super().showEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange) and self._sized:
            self._fix_sizes()   # measured again as now styled
        super().changeEvent(event)

    @staticmethod
    def _digit_for(level: Level) -> int | None:
        """The Alt+digit of a level: the number in its label (Level 4 is Alt+4, whatever
        its place in the list); a level without a number, or above 9, has none."""
        number = marking.level_number(level)
        return number if number is not None and 0 <= number <= 9 else None

    def level_for_digit(self, digit: int) -> Level | None:
        """The level Alt+``digit`` chooses: the one whose label carries that number."""
        return self._by_digit.get(digit)

    @property
    def digits(self) -> set[int]:
        """The Alt+digits this criterion's cards advertise."""
        return set(self._by_digit)

    def chosen_card(self) -> LevelCard | None:
        return next((card for card in self.cards if card.property("selected")), None)

    # -- the panel's layout asks the section; the section answers from its box ----------

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self._body.layout().totalSizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self._body.layout().totalMinimumSize()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._body.height_for(width)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._body.fit(event.size().width())

    def _place_mark_box(self, level_label: str | None) -> None:
        layout = self._body.layout()
        anchor = next((card for card in self.cards if card.level.label == level_label),
                      self._header)
        if layout.indexOf(self.mark_box) == layout.indexOf(anchor) + 1:
            return
        layout.removeWidget(self.mark_box)
        layout.insertWidget(layout.indexOf(anchor) + 1, self.mark_box)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.spin and event.type() == QEvent.Type.FocusIn:
            self.activated.emit(self.criterion.name)
        return super().eventFilter(watched, event)

    def show_mark(self, mark: Mark | None) -> None:
        level_label = mark.level if mark and isinstance(mark.level, str) else None
        value = whole_number(mark.mark) if mark else None   # a damaged set may hold 'eighteen'
        level = self.criterion.level(level_label) if level_label else None
        self._updating = True
        try:
            if level_label != self._level:   # (only the cards left and chosen change)
                for card in self.cards:
                    card.set_selected(card.level.label == level_label)
            low, high = (level.min_mark, level.max_mark) if level else (0, self.criterion.maximum)
            shown = value if value is not None and low <= value <= high else low - 1
            # shown, not typed: no signal (each one was a call into Python, to be ignored)
            was_blocked = self.spin.blockSignals(True)
            try:
                if (self.spin.minimum(), self.spin.maximum()) != (low - 1, high):
                    self.spin.setRange(low - 1, high)
                if self.spin.value() != shown:
                    self.spin.setValue(shown)
            finally:
                self.spin.blockSignals(was_blocked)
            if level_label != self._level or (level is not None and not self._buttons):
                self._place_mark_box(level_label if level is not None else None)
                self._rebuild_buttons(level)
            for button in self._buttons:
                button.setChecked(value is not None and int(button.text()) == value)
            if level and value is not None and level.contains(value):
                self._position.set_text(f"{level.position_of(value)} {level.label}")
            elif mark is not None and mark.needs_review:
                self._position.set_text("⚠ check: " + mark.review_reason)
            elif level:
                self._position.set_text(f"place the mark in {level.range_text}")
            else:
                self._position.set_text("choose a level")
            self._level, self._mark = level_label, value
        finally:
            self._updating = False

    def _new_button(self) -> QPushButton:
        button = MarkButton(self._button_row)
        button.setCheckable(True)
        button.setObjectName("markButton")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _=False, b=button: self._button_clicked(int(b.text())))
        self._fix_button_size(button)
        self._place_button(button, len(self._pool))
        return button

    @staticmethod
    def _place_button(button: QPushButton, index: int) -> None:
        """Button number ``index`` (from 0) of the row, left to right."""
        button.move(index * (button.width() + BUTTON_GAP), 0)

    @staticmethod
    def _fix_button_size(button: QPushButton) -> None:
        """Fixed in both directions (its height as styled): a new number on the button,
        switching scripts, does not lay the panel out again."""
        button.setMinimumSize(0, 0)
        button.setMaximumSize(16777215, 16777215)
        button.ensurePolished()
        button.setFixedSize(30, button.sizeHint().height())

    def _rebuild_buttons(self, level: Level | None) -> None:
        """One button per mark of the level (up to ten), reusing the same buttons: switching
        scripts must not create and destroy widgets, nor lay anything out (see the row)."""
        values = [] if level is None or level.max_mark - level.min_mark > 9 else \
            list(range(level.min_mark, level.max_mark + 1))
        while len(self._pool) < len(values):
            self._pool.append(self._new_button())
        for index, button in enumerate(self._pool):
            if index < len(values):
                text = str(values[index])
                if button.text() != text:
                    button.setText(text)
                if button.isHidden():
                    button.show()
            elif not button.isHidden():
                button.hide()
        self._buttons = self._pool[:len(values)]

    def _button_clicked(self, value: int) -> None:
        self.activated.emit(self.criterion.name)
        self.mark_chosen.emit(self.criterion.name, value)

    def _spin_changed(self, value: int) -> None:
        if self._updating or value < self.spin.minimum() + 1:
            return
        if value != self._mark:
            self.mark_chosen.emit(self.criterion.name, value)


class RubricPanel(QScrollArea):
    level_chosen = Signal(str, str)
    mark_chosen = Signal(str, int)
    comment_edited = Signal(str, str)         # field, full new text
    bank_used = Signal(object)                # BankComment
    bank_add_requested = Signal(str, str)     # text, kind

    def __init__(self, parent=None):
        super().__init__(parent)
        self._bank_wanted: tuple | None = None   # a context not yet applied (bank out of sight)
        keep_scroll_bar(self)   # back to the top on a switch: drawn from pictures
        self.setObjectName("rubric_panel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._content = QWidget()
        self._content.setObjectName("rubricContent")
        self.setWidget(self._content)
        self._layout = QVBoxLayout(self._content)
        self._layout.setContentsMargins(14, 12, 14, 12)
        self._layout.setSpacing(10)

        self.question_label = WrappedLabel()
        self.question_label.setObjectName("questionLabel")
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.question_label)
        self.total_label = LineLabel()   # drawn from a kept text, see labels
        self.total_label.setObjectName("totalLabel")
        self._total = SteadyLabel(self.total_label)   # a new total is not a relayout
        self._layout.addWidget(self._total)
        self._criteria_box = QVBoxLayout()
        self._criteria_box.setSpacing(8)
        self._layout.addLayout(self._criteria_box)

        self.comment_edits: dict[str, QPlainTextEdit] = {}
        for field, title in COMMENT_FIELDS:
            label = QLabel(f"<b>{title}</b>")
            edit = QPlainTextEdit()
            edit.setObjectName(f"comment_{field}")
            edit.setAccessibleName(title)
            edit.setPlaceholderText({"www": "Strengths of this essay…",
                                     "ebi": "The next step for this student…",
                                     "general": "Anything else (optional)…"}[field])
            edit.setUndoRedoEnabled(False)   # the window's undo stack owns undo
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(74)
            edit.textChanged.connect(lambda f=field: self._comment_changed(f))
            edit.installEventFilter(self)
            label.setBuddy(edit)
            self._layout.addWidget(label)
            self._layout.addWidget(edit)
            self.comment_edits[field] = edit
        self._last_comment_field = "www"
        self._setting_comments = False

        bank_header = QHBoxLayout()
        bank_title = QLabel("<b>Comment bank</b>")
        self.bank_kind = QComboBox()
        self.bank_kind.setObjectName("bank_kind")
        for text, kind in (("All", None), ("What went well", "www"), ("Even better if", "ebi"),
                           ("General", "general"), ("Annotation", "annotation")):
            self.bank_kind.addItem(text, kind)
        self.bank_kind.currentIndexChanged.connect(self._bank_context_changed)
        bank_header.addWidget(bank_title)
        bank_header.addStretch(1)
        bank_header.addWidget(self.bank_kind)
        self._layout.addLayout(bank_header)
        self.bank_search = QLineEdit()
        self.bank_search.setObjectName("bank_search")
        self.bank_search.setPlaceholderText("Search the bank or type a shortcut…")
        self.bank_search.setClearButtonEnabled(True)
        self._layout.addWidget(self.bank_search)
        self._bank_model = BankListModel(self)
        self.bank_view = QListView()
        self.bank_view.setObjectName("bank_view")
        self.bank_view.setModel(self._bank_model)
        self.bank_delegate = BankEntryDelegate(self.bank_view)
        self.bank_view.setItemDelegate(self.bank_delegate)
        self.bank_view.setUniformItemSizes(True)   # every entry is two lines high
        self.bank_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = int(BANK_ROWS_SHOWN * self.bank_delegate.row_height(self.bank_view.font()))
        self.bank_view.setMinimumHeight(rows + 2 * self.bank_view.frameWidth())
        self.bank_view.setToolTip("Double-click or press Enter to insert into the comment box "
                                  "you were last typing in")
        self.bank_view.activated.connect(self._bank_activated)
        self.bank_search.textChanged.connect(lambda text: self.bank_model.set_search(text))
        # the bank's context follows the chosen level; out of sight (below the fold) it
        # is applied when the bank comes into sight, not on every switch of script
        self.verticalScrollBar().valueChanged.connect(self._bank_maybe_in_sight)
        self.bank_view.installEventFilter(self)
        self.bank_view.viewport().installEventFilter(self)
        self.bank_search.returnPressed.connect(self._bank_search_enter)
        self._layout.addWidget(self.bank_view)
        self.add_to_bank = QPushButton("Add selected comment text to the bank")
        self.add_to_bank.setObjectName("add_to_bank")
        self.add_to_bank.clicked.connect(self._add_selection_to_bank)
        self._layout.addWidget(self.add_to_bank)
        self._layout.addStretch(1)

        self._scheme: Scheme | None = None
        self.sections: dict[str, CriterionSection] = {}
        self.current_criterion: str | None = None
        self._marks: dict[str, Mark] = {}
        self._session = None
        self.shown_script = None

    # -- scheme and marks ----------------------------------------------------------------

    def set_scheme(self, scheme: Scheme) -> None:
        self._scheme = scheme
        self.question_label.setText(scheme.question)
        for section in self.sections.values():
            self._criteria_box.removeWidget(section)
            section.hide()
            section.deleteLater()
        self.sections = {}
        for criterion in scheme.criteria:
            section = CriterionSection(criterion)
            # the window saves the choice first (the card and mark box move), then the
            # panel scrolls to them
            section.level_chosen.connect(self.level_chosen)
            section.level_chosen.connect(lambda name, _level: self.reveal_mark(name))
            section.mark_chosen.connect(self.mark_chosen)
            section.mark_chosen.connect(lambda name, _mark: self.reveal_mark(name))
            section.activated.connect(self._set_current_criterion)
            self._criteria_box.addWidget(section)
            self.sections[criterion.name] = section
        self.current_criterion = scheme.criteria[0].name if scheme.criteria else None
        self.show_marks(self._marks)

    def _set_current_criterion(self, name: str) -> None:
        self.current_criterion = name
        self._update_bank_context()

    def follow(self, session) -> None:
        """Subscribe to the session's broadcast: the panel refreshes what concerns it (the
        scheme, the bank, the shown script's marks and comments) and nothing else."""
        self._session = session
        session.changed.connect(self._changes)

    def show_script(self, script_id, marks: dict[str, Mark], comments: OverallComment) -> None:
        """Show one script's marks and comments (the window calls this on switching); a
        different script opens at the top of the rubric."""
        switched = script_id != self.shown_script
        self.shown_script = script_id
        self.show_marks(marks)
        self.show_comments(comments)
        if switched:
            self.verticalScrollBar().setValue(0)

    def _changes(self, changes) -> None:
        ms = self._session.marking_set if self._session is not None else None
        if ms is None:
            return
        if changes.scheme:
            self.set_scheme(ms.scheme)
        if changes.bank:
            self.set_bank(ms.bank())
        script_id = getattr(self, "shown_script", None)
        if script_id is None:
            return
        mine = script_id in changes.scripts or changes.markers
        if changes.scheme or (mine and changes.marks) or changes.markers:
            self.show_marks(ms.marks_for(script_id))
        if (mine and changes.comments) or changes.markers:
            self.show_comments(ms.comments(script_id))

    def show_marks(self, marks: dict[str, Mark]) -> None:
        self._marks = dict(marks)
        for name, section in self.sections.items():
            section.show_mark(marks.get(name))
        if self._scheme is None:
            return
        total = marking.total(self._scheme, marks)
        flagged = sum(1 for m in marks.values() if m.needs_review)
        text = f"Total  <b>{'–' if total is None else total}</b> / {self._scheme.total}"
        share = marking.percentage(self._scheme, total)
        if share is not None:
            text += f"  ({round(100 * share)}%)"
        if flagged:
            text += f"  <span style='color:#c62828'>⚠ {flagged} to check</span>"
        self._total.set_text(text)
        self._update_bank_context()

    def choose_level_by_digit(self, digit: int) -> bool:
        """Alt+digit: choose a level of the current criterion and put focus on its mark."""
        section = self.sections.get(self.current_criterion or "")
        if section is None:
            return False
        level = section.level_for_digit(digit)
        if level is None:
            return False
        self.level_chosen.emit(section.criterion.name, level.label)
        self.focus_mark(section.criterion.name)
        self.reveal_mark(section.criterion.name)
        return True

    def level_digits(self) -> set[int]:
        """Every Alt+digit some level card of the scheme advertises."""
        return set().union(*(section.digits for section in self.sections.values()))

    def reveal_mark(self, criterion: str | None = None) -> None:
        """Scroll so the chosen level's card and the mark box under it are in view (the
        top of them when they cannot both fit)."""
        section = self.sections.get(criterion or self.current_criterion or "")
        if section is None:
            return
        # the card and the box may just have moved: lay out first, then measure
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        card = section.chosen_card()
        area = section.mark_box.geometry()
        if card is not None:
            area = area.united(card.geometry())
        top = section.mapTo(self._content, area.topLeft()).y() - 6
        bottom = top + area.height() + 12
        bar = self.verticalScrollBar()
        height = self.viewport().height()
        if bottom > bar.value() + height:
            bar.setValue(bottom - height)
        if top < bar.value():
            bar.setValue(top)

    def focus_mark(self, criterion: str | None = None) -> None:
        section = self.sections.get(criterion or self.current_criterion or "")
        if section is None:
            return
        self.current_criterion = section.criterion.name
        section.spin.setFocus(Qt.FocusReason.ShortcutFocusReason)
        section.spin.selectAll()
        self.ensureWidgetVisible(section.spin)

    def next_criterion(self, step: int) -> None:
        names = list(self.sections)
        if not names:
            return
        index = names.index(self.current_criterion) if self.current_criterion in names else 0
        self.focus_mark(names[(index + step) % len(names)])

    # -- comments ------------------------------------------------------------------------

    def show_comments(self, comments: OverallComment) -> None:
        self._setting_comments = True
        try:
            for field, _title in COMMENT_FIELDS:
                edit = self.comment_edits[field]
                text = getattr(comments, field)
                if edit.toPlainText() != text:
                    cursor_at = edit.textCursor().position()
                    edit.setPlainText(text)
                    cursor = edit.textCursor()
                    cursor.setPosition(min(cursor_at, len(text)))
                    edit.setTextCursor(cursor)
        finally:
            self._setting_comments = False

    def _comment_changed(self, field: str) -> None:
        if not self._setting_comments:
            self.comment_edited.emit(field, self.comment_edits[field].toPlainText())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._bank_wanted is not None and event.type() in (
                QEvent.Type.Move, QEvent.Type.Show, QEvent.Type.Paint, QEvent.Type.FocusIn) \
                and watched in (self.bank_view, self.bank_view.viewport()):
            self._bank_maybe_in_sight()   # moved into sight (a panel above it shrank)
            if event.type() in (QEvent.Type.Paint, QEvent.Type.FocusIn):
                self._apply_bank_context()
        if event.type() == QEvent.Type.FocusIn:
            for field, edit in self.comment_edits.items():
                if edit is watched:
                    self._last_comment_field = field
                    self._update_bank_context()
        return super().eventFilter(watched, event)

    def focus_comment(self, field: str) -> None:
        edit = self.comment_edits[field]
        self._last_comment_field = field
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.moveCursor(edit.textCursor().MoveOperation.End)
        self.ensureWidgetVisible(edit)

    def insert_into_comment(self, field: str, text: str) -> None:
        """Append ``text`` to a comment box as its own line (saved like typing)."""
        edit = self.comment_edits[field]
        current = edit.toPlainText().rstrip()
        edit.setPlainText(f"{current}\n{text}" if current else text)
        edit.moveCursor(edit.textCursor().MoveOperation.End)

    # -- comment bank --------------------------------------------------------------------

    @property
    def bank_model(self) -> BankListModel:
        """The bank's entries as they should be shown now (a pending context applied)."""
        self._apply_bank_context()
        return self._bank_model

    def set_bank(self, comments: list[BankComment]) -> None:
        self._bank_model.set_comments(comments)
        self._update_bank_context()

    def _bank_context_changed(self) -> None:
        self._update_bank_context()

    def _update_bank_context(self) -> None:
        kind = self.bank_kind.currentData()
        mark = self._marks.get(self.current_criterion or "")
        wanted = (kind, self.current_criterion, mark.level if mark else None)
        if wanted == self._bank_model.context():   # as shown (a switch often keeps it)
            self._bank_wanted = None
            return
        self._bank_wanted = wanted
        if not self.isVisible() or self._bank_in_sight():
            self._apply_bank_context()

    def _bank_in_sight(self) -> bool:
        return not self.bank_view.visibleRegion().isEmpty()

    def _apply_bank_context(self) -> None:
        wanted, self._bank_wanted = self._bank_wanted, None
        if wanted is not None:
            self._bank_model.set_context(*wanted)

    def _bank_maybe_in_sight(self, *_args) -> None:
        if self._bank_wanted is not None and self._bank_in_sight():
            self._apply_bank_context()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._bank_maybe_in_sight()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._bank_maybe_in_sight()

    def bank_kind_for(self, field: str) -> str:
        return field if field in ("www", "ebi") else "general"

    def show_bank_for(self, field: str) -> None:
        """Filter the bank to comments for ``field`` and put focus on the list."""
        self._last_comment_field = field
        index = self.bank_kind.findData(self.bank_kind_for(field))
        self.bank_kind.setCurrentIndex(index)
        self.bank_search.clear()
        self.bank_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.bank_model.rowCount():
            self.bank_view.setCurrentIndex(self.bank_model.index(0, 0))
        self.ensureWidgetVisible(self.bank_view)

    def _bank_search_enter(self) -> None:
        if self.bank_model.rowCount():
            self._bank_activated(self.bank_model.index(0, 0))

    def _bank_activated(self, index) -> None:
        if not index.isValid():
            return
        comment: BankComment = self.bank_model.comment_at(index.row())
        field = self._last_comment_field
        if comment.kind in ("www", "ebi") and self.bank_kind.currentData() in ("www", "ebi"):
            field = comment.kind
        self.insert_into_comment(field, comment.text)
        self.bank_used.emit(comment)

    def _add_selection_to_bank(self) -> None:
        field = self._last_comment_field
        edit = self.comment_edits[field]
        text = edit.textCursor().selectedText().replace("\u2029", "\n").strip() or \
            edit.toPlainText().strip()
        if text:
            self.bank_add_requested.emit(text, self.bank_kind_for(field))


def panel_style() -> str:
    """The panel's look, in palette roles, so it follows a light or dark palette."""
    return """
    QLabel#levelDescriptor { color: palette(text); }
    QLabel#levelRange, QLabel#shortcutHint, QLabel#positionLabel { color: palette(placeholder-text); }
    QLabel#shortcutHint { font-size: 10px; }
    QLabel#indicative { color: palette(placeholder-text); padding-left: 14px; }
    QToolButton#indicativeToggle { border: none; color: palette(link); }
    QLabel#questionLabel { font-style: italic; padding: 4px 0 6px 0; }
    QLabel#criterionHeader { font-size: 13px; padding-top: 4px; }
    QLabel#totalLabel { font-size: 15px; padding: 6px 0; }
    QPushButton#markButton { padding: 3px 0; }
    QPushButton#markButton:checked { background: palette(highlight);
                                      color: palette(highlighted-text); }
    """


__all__ = ["RubricPanel", "CriterionSection", "LevelCard", "COMMENT_FIELDS", "panel_style"]
