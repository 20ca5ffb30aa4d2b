"""The scroll bars of the views a switch of script fills anew (the script, the annotation
list, the rubric, the script list) are drawn from kept pictures: they must look exactly as
the style draws them, wherever the handle is, and follow a new look at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QScrollBar, QStyle, QStyleOptionSlider, QWidget

from gui.panels.scrollbar import KeptScrollBar

# (range, page, value, length): a handle at the top, in the middle and at the bottom of
# one length (drawn once, then copied), other lengths, no range at all
CASES = [(1300, 700, 0, 600), (1300, 700, 500, 600), (1300, 700, 1300, 600),
         (1300, 700, 3, 600), (100, 700, 50, 600), (5000, 300, 4999, 450),
         (5000, 300, 1, 450), (0, 100, 0, 400), (800, 50, 123, 510)]


def as_the_style_draws(bar: QScrollBar, backdrop: QColor) -> QImage:
    """The bar as its style draws it with no part lit, over ``backdrop``."""
    option = QStyleOptionSlider()
    bar.initStyleOption(option)
    option.subControls = QStyle.SubControl.SC_All
    option.activeSubControls = QStyle.SubControl.SC_None
    picture = QPixmap(bar.size())
    picture.fill(backdrop)
    painter = QPainter(picture)
    bar.style().drawComplexControl(QStyle.ComplexControl.CC_ScrollBar, option, painter, bar)
    painter.end()
    return picture.toImage().convertToFormat(QImage.Format.Format_RGB32)


def shown(bar: QScrollBar) -> QImage:
    QApplication.processEvents()
    return bar.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


@pytest.fixture
def host(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(700, 700)
    host.move(400, 300)   # away from where the (offscreen) pointer rests
    host.show()
    qtbot.waitExposed(host)
    return host


def _tall_bar(host: QWidget) -> KeptScrollBar:
    """A shown vertical bar 500 pixels tall, its range 0-1,000 with a page of 400."""
    bar = KeptScrollBar(Qt.Orientation.Vertical, host)
    bar.move(100, 50)
    bar.resize(15, 500)
    bar.setRange(0, 1000)
    bar.setPageStep(400)
    bar.show()
    return bar


@pytest.mark.parametrize("orientation", [Qt.Orientation.Vertical, Qt.Orientation.Horizontal])
def test_the_bar_looks_as_the_style_draws_it_wherever_its_handle_is(host, orientation):
    bar = KeptScrollBar(orientation, host)
    bar.move(100, 50)
    backdrop = host.palette().color(QPalette.ColorRole.Window)
    for maximum, page, value, length in CASES:
        bar.resize(*((15, length) if orientation == Qt.Orientation.Vertical else (length, 15)))
        bar.setRange(0, maximum)
        bar.setPageStep(page)
        bar.setValue(value)
        bar.show()
        assert not bar.underMouse()
        assert shown(bar) == as_the_style_draws(bar, backdrop), (maximum, page, value)
    # a handle of one length, drawn once and copied to each place (and near the ends apart)
    assert len(bar._pictures) < 2 * len(CASES)


def test_a_new_palette_is_drawn_at_once(host):
    bar = _tall_bar(host)
    before = shown(bar)
    palette = bar.palette()
    palette.setColor(QPalette.ColorRole.Button, QColor("#3949ab"))
    bar.setPalette(palette)
    after = shown(bar)
    assert after != before
    assert after == as_the_style_draws(bar, host.palette().color(QPalette.ColorRole.Window))


def test_under_the_pointer_or_a_style_sheet_qt_draws_it(host):
    """Which part is lit under the pointer only Qt knows, and a style sheet draws its own
    bar: in both cases the bar is Qt's own drawing, pixel for pixel."""
    ours, theirs = KeptScrollBar(Qt.Orientation.Vertical, host), QScrollBar(host)
    for x, bar in ((100, ours), (200, theirs)):
        bar.move(x, 50)
        bar.resize(15, 500)
        bar.setRange(0, 1000)
        bar.setPageStep(400)
        bar.setValue(200)
        bar.show()
    for bar in (ours, theirs):
        bar.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
        bar.update()
    assert shown(ours) == shown(theirs)
    for bar in (ours, theirs):
        bar.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    host.setStyleSheet("QScrollBar:vertical { background: #f0d0d0; width: 15px; }"
                       "QScrollBar::handle:vertical { background: #804040; min-height: 20px; }")
    styled = shown(ours)
    assert styled == shown(theirs)
    assert QColor("#f0d0d0").rgb() in {styled.pixel(7, y) for y in range(styled.height())}


def test_the_views_a_switch_fills_use_it(window):
    for area in (window.script_view, window.annotation_panel.view,
                 window.rubric_panel, window.list_panel.table):
        assert isinstance(area.verticalScrollBar(), KeptScrollBar), area


def test_kept_pictures_forget_the_least_recently_used_first(qapp):
    from PySide6.QtGui import QPixmap

    from gui.panels.pictures import KeptPictures, new_picture

    kept = KeptPictures(2)
    red = new_picture(4, 3, 2.0, QColor("red"))
    assert (red.width(), red.height(), red.devicePixelRatio()) == (8, 6, 2.0)
    assert QColor(red.toImage().pixel(7, 5)) == QColor("red")
    kept.put("a", red)
    kept.put("b", QPixmap(1, 1))
    assert kept.get("a") is not None   # "a" used last: "b" goes first
    kept.put("c", QPixmap(1, 1))
    assert len(kept) == 2 and kept.get("b") is None and kept.get("a") is not None
    kept.clear()
    assert len(kept) == 0 and not kept


def test_a_new_range_paints_nothing_behind_the_bar_unless_a_style_sheet_draws_it(host):
    """Drawn from its pictures the bar covers itself: a new scroll range (each switch of
    script) repaints the bar alone, not the widgets behind it (the scroll area, the
    splitter, the window). A style sheet's bar may be see-through: then Qt paints what is
    behind it, as for any scroll bar."""
    from PySide6.QtCore import QEvent, QObject

    class Paints(QObject):
        count = 0

        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    bar = _tall_bar(host)
    shown(bar)
    behind = Paints()
    host.installEventFilter(behind)
    for maximum in (2000, 3000):
        bar.setRange(0, maximum)
        before = shown(bar)
        assert before == as_the_style_draws(bar, host.palette().color(QPalette.ColorRole.Window))
    assert behind.count == 0
    host.setStyleSheet("QScrollBar:vertical { background: transparent; width: 15px; }"
                       "QScrollBar::handle:vertical { background: #804040; min-height: 20px; }")
    shown(bar)
    behind.count = 0
    bar.setRange(0, 4000)
    shown(bar)
    assert behind.count > 0


def test_a_bar_shown_again_as_it_was_asks_the_style_nothing(host, monkeypatch):
    """Coming back to a script: the same range and place of the handle is drawn from what
    was kept, without a question to the style, and looks as the style draws it."""
    bar = _tall_bar(host)
    for maximum in (1000, 3000, 1000, 3000):
        bar.setRange(0, maximum)
        shown(bar)
    asked = []
    style = bar.style()
    monkeypatch.setattr(bar, "style", lambda: asked.append(1) or style)
    for maximum in (1000, 3000):
        bar.setRange(0, maximum)
        assert shown(bar) == as_the_style_draws(bar, host.palette().color(QPalette.ColorRole.Window))
    assert asked == [1, 1]   # as_the_style_draws asked, the bar did not
    bar.setRange(0, 2000)    # a range not seen: the style is asked where the handle goes
    shown(bar)
    assert len(asked) > 2


def test_a_view_s_bar_is_opaque_once_shown(qtbot):
    """As the views use it: given to a scroll area before it is shown (the style's polish
    on first show makes a scroll bar see-through), it is opaque from its first paint."""
    from PySide6.QtWidgets import QTextEdit

    from gui.panels.scrollbar import keep_scroll_bar

    edit = QTextEdit()
    keep_scroll_bar(edit)
    qtbot.addWidget(edit)
    edit.setPlainText("A line of an essay.\n" * 400)
    edit.resize(300, 300)
    edit.show()
    qtbot.waitExposed(edit)
    bar = edit.verticalScrollBar()
    shown(bar)
    assert bar.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
