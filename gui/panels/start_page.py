"""The first thing a user sees: the ways in (a new set, a set file, the demo set) and the
recent marking sets with their counts, or on first run a short welcome instead of the list.

Every colour comes from the palette (and is worked out again when the palette changes), so a
dark palette gives a dark page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from string import Template

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCommandLinkButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gui.icons import action_icon, app_icon
from rubric.demo import about as about_the_demo
from rubric.store import set_files
from rubric.store.summary import SetSummary, summarise

WAYS_IN = (
    ("new_set_button", "new-set", "New marking set…",
     "Choose a rubric, then import your class's essays (Word, PDF, text)."),
    ("open_file_button", "open-file", "Open a set file…",
     "A .markset from a colleague or another computer; a copy is kept here."),
    # what the demo shows, in one line: the demo's own manifest says it (rubric.demo.about)
    ("demo_button", "demo", "Open the demo set", None),
)
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
#: the page's style sheet; $names are palette colours (see StartPage._restyle)
_STYLE = Template("""
    QScrollArea#start_scroll, QWidget#start_content { background: $window; }
    QLabel#startTitle { font-size: 26px; font-weight: 600; }
    QLabel#startSubtitle, QLabel#continue_detail, QLabel#startHint {
        color: $muted; }
    QLabel#startSection { color: $muted; font-size: 11px; font-weight: 600; }
    QPushButton#continue_button { background: $highlight;
        color: $on_highlight; border: none; border-radius: 6px;
        padding: 9px 20px; font-size: 14px; font-weight: 600; }
    QPushButton#continue_button:hover { background: $highlight_hover; }
    QPushButton#continue_button:pressed { background: $pressed; }
    QCommandLinkButton { background: $base; border: 1px solid $border; border-radius: 6px;
        color: $text; padding: 4px 6px; }
    QCommandLinkButton:hover { background: $hover; border-color: $highlight; }
    QCommandLinkButton:focus { border-color: $highlight; }
    QListWidget#recent_sets { background: $base; border: 1px solid $border;
        border-radius: 6px; padding: 2px; }
    QFrame#welcome_panel { background: $base; border: 1px solid $border;
        border-radius: 6px; }
    QFrame#welcome_panel QLabel { background: transparent; }
    QLabel#welcomeHeading { font-size: 16px; font-weight: 600; }
    QFrame#welcome_panel QLabel#welcomeStep { background: $badge; color: $text;
        border-radius: 12px; font-weight: 600; }
""")
MAX_LISTED = 20


def when_marked(moment: datetime | None, now: datetime | None = None) -> str:
    """"today, 14:05", "yesterday, 09:10", "Tuesday", "3 Dec 2026", in local time."""
    if moment is None:
        return "not marked yet"
    local = moment.astimezone()
    now = now or datetime.now().astimezone()
    days = (now.date() - local.date()).days
    if days == 0:
        return f"today, {local:%H:%M}"
    if days == 1:
        return f"yesterday, {local:%H:%M}"
    if 1 < days < 7:
        return f"{local:%A}"
    return f"{local.day} {local:%b %Y}"


def counts_line(summary: SetSummary) -> str:
    scripts = f"{summary.scripts} script{'' if summary.scripts == 1 else 's'}"
    if not summary.scripts:
        return "no scripts yet"
    return f"{scripts} · {summary.marked} marked · last marked {when_marked(summary.last_marked)}"


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` of the way towards ``b``."""
    return QColor(round(a.red() + (b.red() - a.red()) * amount),
                  round(a.green() + (b.green() - a.green()) * amount),
                  round(a.blue() + (b.blue() - a.blue()) * amount))


class RecentSetDelegate(QStyledItemDelegate):
    """A recent set as three lines (name; scheme; counts) and a bar of how much is marked."""

    PADDING = 10

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        metrics = option.fontMetrics
        return QSize(320, metrics.height() * 3 + metrics.leading() * 2 + 6 + self.PADDING * 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        summary: SetSummary | None = index.data(SUMMARY_ROLE)
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, view_option,
                                painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        ink = palette.color(QPalette.ColorRole.HighlightedText if selected
                            else QPalette.ColorRole.Text)
        muted = _mix(ink, palette.color(QPalette.ColorRole.Highlight if selected
                                        else QPalette.ColorRole.Base), 0.35)
        rect = option.rect.adjusted(self.PADDING + 4, self.PADDING, -self.PADDING - 4,
                                    -self.PADDING)
        line = option.fontMetrics.height() + option.fontMetrics.leading() + 3
        painter.save()
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        bold.setPointSizeF(option.font.pointSizeF() * 1.08)
        name = summary.name if summary else str(index.data(Qt.ItemDataRole.DisplayRole))
        bar_width = 120 if summary and summary.scripts and rect.width() > 420 else 0
        text_width = rect.width() - (bar_width + 20 if bar_width else 0)
        painter.setPen(ink)
        painter.setFont(bold)
        painter.drawText(QRect(rect.left(), rect.top(), text_width, line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight,
                                                          text_width))
        painter.setFont(option.font)
        painter.setPen(muted)
        details = [summary.scheme_title or "", counts_line(summary)] if summary else [
            "cannot be read", ""]
        for row, text in enumerate(details, start=1):
            painter.drawText(QRect(rect.left(), rect.top() + row * line, text_width, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                                           text_width))
        if bar_width:
            self._paint_bar(painter, QRect(rect.right() - bar_width, rect.top(), bar_width,
                                           rect.height()), summary, palette, selected, ink)
        painter.restore()

    @staticmethod
    def _paint_bar(painter: QPainter, area: QRect, summary: SetSummary, palette: QPalette,
                   selected: bool, ink: QColor) -> None:
        metrics = painter.fontMetrics()
        label = f"{summary.marked} of {summary.scripts}"
        painter.drawText(QRect(area.left(), area.top(), area.width(), metrics.height() + 3),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        track = QRect(area.left(), area.top() + metrics.height() + 10, area.width(), 6)
        fill_colour = ink if selected else palette.color(QPalette.ColorRole.Highlight)
        track_colour = _mix(fill_colour, palette.color(
            QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base), 0.75)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track_colour)
        painter.drawRoundedRect(track, 3, 3)
        done = round(track.width() * min(summary.marked, summary.scripts) / summary.scripts)
        if done:
            painter.setBrush(fill_colour)
            painter.drawRoundedRect(QRect(track.left(), track.top(), done, track.height()), 3, 3)


class StartPage(QWidget):
    open_requested = Signal(str)
    new_requested = Signal()
    open_file_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("start_page")
        self._restyling = False
        # the page scrolls in a small window (a 1280x720 laptop at 150 % is 853x480)
        # rather than forcing the window to grow
        scroll = QScrollArea(self)
        scroll.setObjectName("start_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(scroll)
        content = QWidget()
        content.setObjectName("start_content")
        scroll.setWidget(content)
        outer = QHBoxLayout(content)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(0)
        column.addStretch(1)
        column.addLayout(self._header())
        column.addSpacing(22)

        continue_row = QHBoxLayout()
        continue_row.setSpacing(14)
        self.continue_button = QPushButton()
        self.continue_button.setObjectName("continue_button")
        self.continue_button.setDefault(True)
        self.continue_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.continue_button.clicked.connect(
            lambda: self.open_requested.emit(self.continue_button.property("path")))
        self.continue_detail = QLabel()
        self.continue_detail.setObjectName("continue_detail")
        self.continue_detail.setWordWrap(True)   # it gives way to the button, never clips it
        self.continue_button.setSizePolicy(QSizePolicy.Policy.Fixed,
                                           QSizePolicy.Policy.Fixed)
        continue_row.addWidget(self.continue_button)
        continue_row.addWidget(self.continue_detail, 1)
        self.continue_box = QWidget()
        self.continue_box.setLayout(continue_row)
        continue_row.setContentsMargins(0, 0, 0, 22)
        column.addWidget(self.continue_box)

        row = QHBoxLayout()
        row.setSpacing(28)
        row.addLayout(self._ways_in(), 5)
        row.addLayout(self._recent_column(), 8)
        column.addLayout(row)
        column.addStretch(2)
        body = QWidget()
        body.setObjectName("start_body")
        body.setLayout(column)
        body.setMaximumWidth(1040)
        body.setMinimumWidth(640)
        outer.addWidget(body, 12)
        outer.addStretch(1)
        self._restyle()

    # -- construction --------------------------------------------------------------------

    def _header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        header.setSpacing(16)
        self.logo = QLabel()
        self.logo.setObjectName("start_logo")
        self.logo.setFixedSize(56, 56)
        self.logo.setPixmap(app_icon().pixmap(QSize(56, 56), self.devicePixelRatioF()))
        header.addWidget(self.logo, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(2)
        title = QLabel("Essay Marker")
        title.setObjectName("startTitle")
        subtitle = QLabel("Mark a class set against a level-based rubric. Everything stays on "
                          "this computer, and every mark is saved as you make it.")
        subtitle.setWordWrap(True)
        subtitle.setObjectName("startSubtitle")
        words.addWidget(title)
        words.addWidget(subtitle)
        header.addLayout(words, 1)
        return header

    def _section_title(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("startSection")
        return label

    def _ways_in(self) -> QVBoxLayout:
        ways = QVBoxLayout()
        ways.setSpacing(6)
        ways.addWidget(self._section_title("START"))
        ways.addSpacing(4)
        signals = {"new_set_button": self.new_requested,
                   "open_file_button": self.open_file_requested,
                   "demo_button": self.demo_requested}
        self.way_buttons: dict[str, QCommandLinkButton] = {}
        for name, icon, title, description in WAYS_IN:
            button = QCommandLinkButton(title, description or about_the_demo())
            button.setObjectName(name)
            button.setIcon(action_icon(icon))
            button.setIconSize(QSize(22, 22))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(signals[name])
            self.way_buttons[name] = button
            ways.addWidget(button)
        ways.addStretch(1)
        return ways

    def _recent_column(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(6)
        self.recent_title = self._section_title("RECENT MARKING SETS")
        box.addWidget(self.recent_title)
        box.addSpacing(4)
        self.recent = QListWidget()
        self.recent.setObjectName("recent_sets")
        self.recent.setItemDelegate(RecentSetDelegate(self.recent))
        self.recent.setFrameShape(QFrame.Shape.NoFrame)
        self.recent.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.recent.setUniformItemSizes(True)
        self.recent.itemActivated.connect(
            lambda item: self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.recent.currentItemChanged.connect(lambda *_: self._update_open_button())
        box.addWidget(self.recent, 1)
        buttons = QHBoxLayout()
        self.recent_hint = QLabel("Double-click a set, or choose it and press Open.")
        self.recent_hint.setObjectName("startHint")
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("open_recent_button")
        self.open_button.setMinimumWidth(96)
        self.open_button.clicked.connect(self._open_selected)
        buttons.addWidget(self.recent_hint, 1)
        buttons.addWidget(self.open_button)
        box.addLayout(buttons)

        # first run: a welcome in the list's place
        self.empty_hint = QFrame()
        self.empty_hint.setObjectName("welcome_panel")
        welcome = QVBoxLayout(self.empty_hint)
        welcome.setContentsMargins(22, 18, 22, 20)
        welcome.setSpacing(10)
        heading = QLabel("Welcome")
        heading.setObjectName("welcomeHeading")
        welcome.addWidget(heading)
        for number, text in (
            ("1", "Choose the level that fits an essay best, then the mark within it."),
            ("2", "Select a passage to comment on it; reuse comments from the bank."),
            ("3", "Hand back Word feedback sheets and a markbook for your spreadsheet."),
        ):
            step = QHBoxLayout()
            step.setSpacing(10)
            badge = QLabel(number)
            badge.setObjectName("welcomeStep")
            badge.setFixedSize(24, 24)
            badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
            words = QLabel(text)
            words.setWordWrap(True)
            step.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
            step.addWidget(words, 1)
            welcome.addLayout(step)
        welcome.addSpacing(4)
        first = QLabel("New here? Open the demo set to try it, or start a new set for your "
                       "class. Your sets will be listed here.")
        first.setObjectName("startHint")
        first.setWordWrap(True)
        welcome.addWidget(first)
        welcome.addStretch(1)
        box.addWidget(self.empty_hint, 1)
        return box

    # -- colours -------------------------------------------------------------------------

    def _restyle(self) -> None:
        """The page's style sheet, from the current palette's colours."""
        if self._restyling:
            return
        self._restyling = True
        try:
            palette = self.palette()
            window = palette.color(QPalette.ColorRole.Window)
            text = palette.color(QPalette.ColorRole.WindowText)
            base = palette.color(QPalette.ColorRole.Base)
            highlight = palette.color(QPalette.ColorRole.Highlight)
            on_highlight = palette.color(QPalette.ColorRole.HighlightedText)
            muted = _mix(text, window, 0.38)
            border = _mix(text, window, 0.82)
            hover = _mix(highlight, window, 0.88)
            values = {
                "window": window.name(),
                "muted": muted.name(), "border": border.name(), "base": base.name(),
                "text": text.name(), "highlight": highlight.name(),
                "on_highlight": on_highlight.name(), "hover": hover.name(),
                "pressed": _mix(highlight, text, 0.2).name(),
                "highlight_hover": _mix(highlight, on_highlight, 0.12).name(),
                "badge": _mix(highlight, base, 0.82).name(),
            }
            self.setStyleSheet(_STYLE.substitute(values))
        finally:
            self._restyling = False

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()
        super().changeEvent(event)

    # -- the list ------------------------------------------------------------------------

    def _open_selected(self) -> None:
        item = self.recent.currentItem()
        if item is not None:
            self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _update_open_button(self) -> None:
        self.open_button.setEnabled(self.recent.currentItem() is not None)

    def summaries(self) -> list[SetSummary | None]:
        return [self.recent.item(i).data(SUMMARY_ROLE) for i in range(self.recent.count())]

    def refresh(self, recent: list[str]) -> None:
        """List the recent sets first, then the other sets in the data folder, newest first."""
        self.recent.clear()
        seen: list[Path] = []
        for text in recent:
            path = Path(text)
            if path.exists() and path not in seen:
                seen.append(path)
        for path in set_files():
            if path not in seen:
                seen.append(path)
        for path in seen[:MAX_LISTED]:
            summary = summarise(path)
            item = QListWidgetItem(summary.name if summary else path.stem)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setData(SUMMARY_ROLE, summary)
            item.setToolTip(str(path))
            self.recent.addItem(item)
        has_sets = bool(seen)
        for widget in (self.recent, self.open_button, self.recent_hint):
            widget.setVisible(has_sets)
        self.recent_title.setText("RECENT MARKING SETS" if has_sets else "GETTING STARTED")
        self.empty_hint.setVisible(not has_sets)
        last = next((Path(p) for p in recent if Path(p).exists()), None)
        self.continue_box.setVisible(last is not None)
        if last is not None:
            summary = next((s for s in self.summaries() if s and s.path == last), None)
            name = summary.name if summary else last.stem
            self.continue_button.setText(f"Continue marking “{name}”")
            self.continue_button.setProperty("path", str(last))
            self.continue_detail.setText(counts_line(summary) if summary else "")
            self.continue_button.setFocus()
        if has_sets:
            # tall enough for five sets without scrolling; more scroll
            rows = min(self.recent.count(), 5)
            row_height = self.recent.sizeHintForRow(0)
            frame = self.recent.frameWidth() * 2 + 8
            self.recent.setMinimumHeight(max(rows * row_height + frame, 160))
            self.recent.setCurrentRow(0)
        elif last is None:
            self.way_buttons["demo_button"].setFocus()   # first run: try the demo first
        self._update_open_button()
