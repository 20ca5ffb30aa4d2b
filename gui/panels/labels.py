"""Labels for panels that change on every switch of script (the rubric panel, the status
bar): a word-wrapped label that measures its height for a width once, a holder for a
label whose text changes without laying out the panel around it, and a one-line rich-text
label that keeps a picture of each text it has shown.

Qt asks each word-wrapped label of a panel for its height at the panel's width on every
layout of it (``QWidgetItem.minimumHeightForWidth`` is not cached), and each answer lays
the label's text out: the rubric panel's descriptors made a moved mark box cost a
millisecond. ``QLabel.setText`` always tells the parent's layout that the label may have
changed size, so a new total laid out the whole panel again (and "3 of 30" the status bar
and the window). And a rich-text ``QLabel`` parses and lays out each new text again."""

from __future__ import annotations

import re

from PySide6 import QtGui
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QPainter,
    QPalette,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QLabel, QWidget

from gui.panels.pictures import KeptPictures, new_picture

_DIGITS = re.compile(r"\d")
_RELOOK = (QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.PaletteChange,
           QEvent.Type.EnabledChange, QEvent.Type.ParentChange)
_REMEASURE = (QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.ContentsRectChange,
              QEvent.Type.LayoutDirectionChange)


class WrappedLabel(QLabel):
    """A word-wrapped ``QLabel`` that remembers its height for each width, per text (a
    label whose text changes, the rubric's "upper Level 4", comes back to the same few),
    until its font, style or margins change. Set its text with :meth:`setText` (from
    Python)."""

    TEXTS_KEPT = 32

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self._by_text: dict[str, dict[int, int]] = {}
        self.setWordWrap(True)
        self._heights = self._by_text.setdefault(text, {})

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name
        if len(self._by_text) >= self.TEXTS_KEPT and text not in self._by_text:
            self._by_text.clear()
        self._heights = self._by_text.setdefault(text, {})
        super().setText(text)

    def setWordWrap(self, on: bool) -> None:  # noqa: N802
        self._forget()
        super().setWordWrap(on)

    def _forget(self) -> None:
        self._by_text.clear()
        self._heights = self._by_text.setdefault(self.text(), {})

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) > 32:
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() in _REMEASURE:
            self._forget()
        super().changeEvent(event)


class SteadyLabel(QWidget):
    """Holds ``label`` (styled and read as before: the label keeps its object name and its
    text); change its text through :meth:`set_text`. The label sits in a widget without a
    layout, so a new text is only drawn; the panel is laid out again only when the new
    text needs another height (a second line, say) or, in a row where the label is as
    wide as its text (``sized_by_text``: a status bar), another width."""

    def __init__(self, label: QLabel, parent: QWidget | None = None, *,
                 sized_by_text: bool = False):
        super().__init__(parent)
        self.label = label
        label.setParent(self)
        label.move(0, 0)
        self.setSizePolicy(label.sizePolicy())
        self._hints: dict[str, QSize] = {}   # a one-line label's size, by its text's shape
        # in a row its width is its text's (a status bar): a new width is a new layout; in
        # a column (a panel) it has the column's width whatever its text
        self._sized_by_text = sized_by_text
        self._laid_out_for: QSize | None = None

    def set_text(self, text: str) -> None:
        if text == self.label.text():
            return
        self.label.setText(text)
        # laid out and shown: only another height (wrapped), another size (a line sized
        # by its text), or more room than it has (a line in a column) needs the layout
        if not self.isVisible():
            self.updateGeometry()
        elif self.label.wordWrap():
            if self.label.heightForWidth(self.width()) != self.height():
                self.updateGeometry()
        else:
            needed = self._line_hint()
            if self._sized_by_text:
                if needed != self._laid_out_for:
                    self.updateGeometry()
            elif needed.height() > self.height() or needed.width() > self.width():
                self.updateGeometry()

    def text(self) -> str:
        return self.label.text()

    def _line_hint(self) -> QSize:
        """A one-line label's size for its text, measured once per shape of text (digits
        are as wide as one another): measuring rich text lays it out again each time."""
        shape = _DIGITS.sub("0", self.label.text())
        hint = self._hints.get(shape)
        if hint is None:
            if len(self._hints) > 64:
                self._hints.clear()
            hint = self._hints[shape] = self.label.sizeHint()
        return hint

    def _height_for(self, width: int) -> int:
        if self.label.wordWrap():
            return self.label.heightForWidth(width)
        return self._line_hint().height()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() in _REMEASURE:
            self._hints.clear()
        super().changeEvent(event)

    # -- the layout's questions, answered by the label -------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = self.label.sizeHint()
        self._laid_out_for = hint
        return hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.label.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return self.label.wordWrap()

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._height_for(width)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self.label.resize(event.size())
        super().resizeEvent(event)


class SteadyBox(QWidget):
    """A box whose own layout (set one on it) is laid out again without laying out what
    holds it: Qt ends every layout of a widget by telling its parent the widget may want
    another size (``QLayout::activate`` calls ``updateGeometry``), so a widget moved inside
    a panel's section laid out the whole panel again. The box keeps a fixed size, which
    stops that, and takes the width its holder gives it (:meth:`fit`, from the holder's
    ``resizeEvent``); when its contents need another height, it tells the holder. The
    holder answers the layout's questions from :meth:`height_for` and the box's layout
    (see ``CriterionSection`` in the rubric panel)."""

    def __init__(self, holder: QWidget):
        super().__init__(holder)
        self.move(0, 0)

    def height_for(self, width: int) -> int:
        layout = self.layout()
        if layout is None:
            return self.sizeHint().height()
        if layout.hasHeightForWidth():
            return layout.totalHeightForWidth(width)
        return layout.totalSizeHint().height()

    def fit(self, width: int) -> bool:
        """Take ``width`` and the height the contents need at it; whether the height
        changed."""
        height = self.height_for(width)
        changed = height != self.height()
        if changed or width != self.width() or self.minimumSize() != self.maximumSize():
            self.setFixedSize(width, height)
        return changed

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.fit(self.width()):
            holder = self.parentWidget()
            if holder is not None:
                holder.updateGeometry()   # its contents need another height now
        return handled


class LineLabel(QLabel):
    """A one-line rich-text label (the rubric panel's total) that keeps, per text, its
    laid-out document and a picture of it: a ``QLabel`` parses and lays out its text
    again for each new one when it is drawn or measured, a good part of a switch of
    script. Read, measured and styled like a ``QLabel`` (``text()``, its size, the style
    sheet's font and padding) and drawn as ``QLabel`` draws rich text, step for step (its
    document rectangle, indent, vertical centring and clip), into an opaque picture of
    what it is drawn over (see :func:`backdrop_of`)."""

    KEPT = 64

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self._documents: dict[tuple, QTextDocument] = {}
        self._pictures = KeptPictures(self.KEPT)
        self._looks: tuple | None = None
        self._rich_text: str | None = None   # the last text asked about, and the answer
        self._is_rich = False

    def _document_rect(self) -> QRect:
        """Where QLabel lays its text out (``QLabelPrivate::documentRect``)."""
        area = self.contentsRect()
        margin = self.margin()
        area.adjust(margin, margin, -margin, -margin)
        indent = self.indent()
        if indent < 0 and self.frameWidth():
            indent = self.fontMetrics().horizontalAdvance("x") // 2 - margin
        if indent > 0:
            align = self.alignment()
            if align & Qt.AlignmentFlag.AlignLeft:
                area.setLeft(area.left() + indent)
            if align & Qt.AlignmentFlag.AlignRight:
                area.setRight(area.right() - indent)
            if align & Qt.AlignmentFlag.AlignTop:
                area.setTop(area.top() + indent)
            if align & Qt.AlignmentFlag.AlignBottom:
                area.setBottom(area.bottom() - indent)
        return area

    def _document(self, width: int) -> QTextDocument:
        text = self.text()
        key = (text, self.font().key(), width, self.alignment().value)
        document = self._documents.get(key)
        if document is None:
            if len(self._documents) >= self.KEPT:
                self._documents.clear()
            document = QTextDocument()
            document.setUndoRedoEnabled(False)
            document.setDefaultFont(self.font())
            document.setHtml(text)
            option = document.defaultTextOption()
            option.setAlignment(self.alignment())
            option.setWrapMode(QTextOption.WrapMode.ManualWrap)
            document.setDefaultTextOption(option)
            frame = document.rootFrame().frameFormat()
            frame.setMargin(0)
            document.rootFrame().setFrameFormat(frame)
            document.setTextWidth(width)
            self._documents[key] = document
        return document

    # its size is QLabel's own (asked for rarely: its holder answers the layout, see
    # SteadyLabel); drawing is what a new text on every switch of script costs

    def _rich(self, text: str) -> bool:
        text_format = self.textFormat()
        if text_format != Qt.TextFormat.AutoText:
            return text_format == Qt.TextFormat.RichText
        if self._rich_text != text:
            self._rich_text, self._is_rich = text, QtGui.Qt.mightBeRichText(text)
        return self._is_rich

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() in _RELOOK:
            self._pictures.clear()
            self._looks = None
        super().changeEvent(event)

    def _look(self) -> tuple:
        """What a picture depends on besides its text and size: asked once until one of
        them changes (see changeEvent); alignment, margin and indent are asked each time
        (they change without an event)."""
        if self._looks is None:
            self._looks = (self.font().key(), self.palette().cacheKey(),
                           self.foregroundRole().value, self.isEnabled(),
                           backdrop_of(self).rgba())
        return (self._looks, self.alignment().value, self.margin(), self.indent())

    def paintEvent(self, event) -> None:  # noqa: N802
        """Copied from a picture kept per text and look (drawn as below the first time):
        the total changes on every switch of script, and drawing the text of a document
        again was, with what it asks the widget first, most of this label's cost."""
        text = self.text()
        if self.hasSelectedText() or not self._rich(text):
            super().paintEvent(event)   # plain text: QLabel draws it without a document
            return
        ratio = self.devicePixelRatioF()
        key = (text, self.width(), self.height(), ratio, self._look())
        picture = self._pictures.get(key)
        if picture is None:
            if self.width() * self.height() > 1 << 20:   # too big to keep a picture of
                painter = QPainter(self)
                self._draw(painter)
                painter.end()
                return
            # opaque: the text keeps the screen's smoothing
            picture = new_picture(self.width(), self.height(), ratio, backdrop_of(self))
            painter = QPainter(picture)
            try:
                self._draw(painter)
            finally:
                painter.end()
            self._pictures.put(key, picture)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, picture)
        painter.end()

    def _draw(self, painter: QPainter) -> None:
        """The text as ``QLabel`` draws rich text, step for step."""
        area = self._document_rect()
        document = self._document(area.width())
        height = document.documentLayout().documentSize().height()
        top = 0.0
        align = self.alignment()
        if align & Qt.AlignmentFlag.AlignVCenter:
            top = max((area.height() - height) / 2, 0.0)
        elif align & Qt.AlignmentFlag.AlignBottom:
            top = max(area.height() - height, 0.0)
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = self.palette()
        if self.foregroundRole() != QPalette.ColorRole.Text and self.isEnabled():
            palette.setColor(QPalette.ColorRole.Text, palette.color(self.foregroundRole()))
        context.palette = palette
        painter.translate(QPointF(area.left(), area.top() + top))
        painter.setClipRect(QRectF(0, 0, area.width(), area.height()))
        document.documentLayout().draw(painter, context)


def backdrop_of(widget: QWidget) -> QColor:
    """What ``widget`` is drawn over: the first ancestor that fills its background."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent.autoFillBackground():
            return parent.palette().color(parent.backgroundRole())
        parent = parent.parentWidget()
    return widget.palette().color(QPalette.ColorRole.Window)
