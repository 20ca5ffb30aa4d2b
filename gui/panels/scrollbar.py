"""A scroll bar drawn from kept pictures, for the views a switch of script fills anew.

A new script gives the script view, the annotation list and the rubric panel (scrolled
back to the top) another scroll range, so each repaints its scroll bar. The style draws a
scroll bar from scratch each time, its groove, arrows and handle shaded with gradients:
measured with callgrind, about 1.8 million instructions a bar, as much as a tenth of
what the script view does to show a 4,500-word script. This bar asks the style for the
same drawing in two pieces, each kept: everything but the handle (per size and state),
and the handle with the groove under it, cut from the whole bar's drawing (per length,
and apart when it is near an end of the groove), which is then copied to where it
belongs: the groove is the same all along but at its ends. A new range draws nothing; a
handle of a length not yet seen draws only that piece. While the mouse is over the bar or
holds its handle, Qt draws it (it alone knows which part is lit).

Drawn over what is behind it as the style draws it, so it looks as the plain scroll bar
does (compared pixel by pixel in the tests). A style sheet's scroll bar, or a style that
draws it otherwise (animated, or a handle whose look depends on where it is), is left to
Qt: only Fusion, without a style sheet, is drawn in pieces.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QAbstractScrollArea, QScrollBar, QStyle, QStyleOptionSlider

from gui.panels.labels import backdrop_of
from gui.panels.pictures import KeptPictures, new_picture

_CONTROL = QStyle.ComplexControl.CC_ScrollBar
_HANDLE = QStyle.SubControl.SC_ScrollBarSlider
_GROOVE = QStyle.SubControl.SC_ScrollBarGroove
_RELOOK = (QEvent.Type.StyleChange, QEvent.Type.PaletteChange, QEvent.Type.EnabledChange,
           QEvent.Type.ParentChange, QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange)
# Qt's styles whose scroll bars are drawn in pieces: a handle shaded by its own size alone,
# a groove the same all along, nothing animated (a style sheet is QStyleSheetStyle: not
# here; Windows' groove is a dotted pattern that moves with the handle's pixel)
_PIECEWISE = frozenset({"QFusionStyle"})
_REACH = 2   # pixels around the handle kept with it (a style may shade just outside it)
_NEAR = _REACH + 2   # a handle this close to an end of the groove is drawn there apart


class KeptScrollBar(QScrollBar):
    """A ``QScrollBar`` in every way but its painting (see the module)."""

    KEPT = 48   # pictures: a few states of the bar, handles of the lengths last seen

    def __init__(self, orientation: Qt.Orientation = Qt.Orientation.Vertical, parent=None):
        super().__init__(orientation, parent)
        self._pictures = KeptPictures(self.KEPT)
        self._placed = KeptPictures(self.KEPT)   # (bar, handle, where) by all they depend on
        self._looks: tuple | None = None
        self._opaque_since_polish = False

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.type() in _RELOOK:
            self._pictures.clear()
            self._placed.clear()
            self._looks = None
            self._opaque_since_polish = False
            self._look()   # at once: whether it is opaque decides what Qt paints behind
        super().changeEvent(event)

    def _look(self) -> tuple | None:
        """What every picture depends on besides size and state, or None when the bar is
        better drawn by Qt (a style sheet, or a style of someone else's)."""
        if self._looks is None:
            style = self.style()
            plain = style.metaObject().className() in _PIECEWISE
            self._looks = (plain, style.objectName(), self.palette().cacheKey(),
                           backdrop_of(self).rgba(), self.layoutDirection().value)
            # drawn in pieces, the bar covers every pixel of itself (its pictures are
            # drawn over its backdrop): Qt then paints nothing behind it, where the
            # scroll area, its splitter and the window each painted a strip of the bar's
            # size on every new scroll range
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, plain)
        return self._looks if self._looks[0] else None

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        look = self._look()
        if look is not None and not self._opaque_since_polish:
            # again: Fusion's polish, when the bar is first shown, makes it not opaque
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
            self._opaque_since_polish = True
        if look is None or self.underMouse() or self.isSliderDown():
            self._paint_as_qt(look, event)
            return
        size = self.size()
        # everything the style's drawing of the bar depends on (see initStyleOption), so
        # that a bar shown again as it was (a script come back to, a repaint) is two
        # copies found in one look-up, not a dozen questions to the style
        placed_key = (size.width(), size.height(), self.minimum(), self.maximum(),
                      self.sliderPosition(), self.value(), self.pageStep(),
                      self.orientation(), self.invertedAppearance(), self.isEnabled(),
                      self.isActiveWindow(), self.hasFocus(), self.devicePixelRatioF(), look)
        placed = self._placed.get(placed_key)
        if placed is None:
            if size.width() * size.height() > 1 << 20:
                self._paint_as_qt(look, event)
                return
            placed = self._placed.put(placed_key, self._place(look))
        base, handle, corner = placed
        painter = QPainter(self)
        try:
            painter.drawPixmap(0, 0, base)
            if handle is not None:
                painter.drawPixmap(corner, handle)
        finally:
            painter.end()

    def _paint_as_qt(self, look: tuple | None, event) -> None:
        """Hovered or held, a part of the bar is lit (which one, only Qt knows); a style
        sheet's bar, or another style's, is Qt's too."""
        if look is not None:   # opaque (see _look): over its backdrop, as Qt would
            painter = QPainter(self)
            painter.fillRect(self.rect(), backdrop_of(self))
            painter.end()
        super().paintEvent(event)

    def _place(self, look: tuple) -> tuple[QPixmap, QPixmap | None, QPoint]:
        """The bar without its handle, the handle with the groove under it, and where the
        handle goes: from the pictures kept, drawn by the style when not yet kept."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)   # then as QScrollBar's own paint, no part lit
        option.subControls = QStyle.SubControl.SC_All
        option.activeSubControls = QStyle.SubControl.SC_None
        style = self.style()
        ratio = self.devicePixelRatioF()
        handle = style.subControlRect(_CONTROL, option, _HANDLE, self)
        bar = self.rect()
        # the state: enabled, active window, orientation...
        state = (option.state.value, option.orientation.value, option.upsideDown,
                 option.direction.value)
        base_key = ("bar", bar.width(), bar.height(), ratio, state, look)
        base = self._pictures.get(base_key)
        if base is None:
            base = self._pictures.put(base_key, self._draw(
                option, bar, ~_HANDLE & QStyle.SubControl.SC_All, ratio))
        if not handle.isValid():
            return base, None, QPoint()
        groove = style.subControlRect(_CONTROL, option, _GROOVE, self)
        around = handle.adjusted(-_REACH, -_REACH, _REACH, _REACH).intersected(bar)
        if option.orientation == Qt.Orientation.Vertical:
            gaps = (handle.top() - groove.top(), groove.bottom() - handle.bottom())
        else:
            gaps = (handle.left() - groove.left(), groove.right() - handle.right())
        handle_key = ("handle", handle.width(), handle.height(), around.width(),
                      around.height(), tuple(min(gap, _NEAR) for gap in gaps), ratio, state,
                      look)
        picture = self._pictures.get(handle_key)
        if picture is None:   # the whole bar's drawing, where the handle is
            picture = self._pictures.put(handle_key, self._draw(
                option, around, QStyle.SubControl.SC_All, ratio))
        return base, picture, around.topLeft()

    def _draw(self, option: QStyleOptionSlider, area: QRect, parts, ratio: float) -> QPixmap:
        """The style's drawing of ``parts`` of the bar, the part in ``area`` of it."""
        # over what Qt paints behind a scroll bar
        picture = new_picture(area.width(), area.height(), ratio, backdrop_of(self))
        piece = QStyleOptionSlider(option)
        piece.subControls = parts
        painter = QPainter(picture)
        try:
            painter.translate(QPoint(-area.left(), -area.top()))
            self.style().drawComplexControl(_CONTROL, piece, painter, self)
        finally:
            painter.end()
        return picture


def keep_scroll_bar(area: QAbstractScrollArea) -> None:
    """Give ``area`` a :class:`KeptScrollBar` for its vertical one (call it first in the
    area's constructor: whatever is connected to the bar it had is lost with it)."""
    bar = KeptScrollBar(Qt.Orientation.Vertical)
    bar.setObjectName(area.verticalScrollBar().objectName())
    area.setVerticalScrollBar(bar)


__all__ = ["KeptScrollBar", "keep_scroll_bar"]
