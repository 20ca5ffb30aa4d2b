"""The script, readable like a document: serif body, a comfortable line length, paragraph
numbers in the margin, the question and candidate on top, annotations as highlights."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QFrame, QTextEdit

from rubric.store import Annotation, Script

MEASURE = 700          # the text column's width in pixels: about 75 characters
NUMBER_GUTTER = 56     # room for paragraph numbers left of the text


def _utf16_offsets(text: str) -> list[int] | None:
    """Map Python string offsets to Qt (UTF-16) offsets, or None when they are the same."""
    if text.isascii() or all(ord(ch) < 0x10000 for ch in text):
        return None
    mapping, position = [], 0
    for ch in text:
        mapping.append(position)
        position += 2 if ord(ch) >= 0x10000 else 1
    mapping.append(position)
    return mapping


def _placeable(annotations: list[Annotation]) -> list[Annotation]:
    """The annotations that have a passage to highlight: not lost (their passage is not in
    a replaced file), and with offsets that are numbers (a damaged set may hold others)."""
    return [a for a in annotations if not a.lost and isinstance(a.start, int)
            and isinstance(a.end, int) and not isinstance(a.start, bool)]


class ScriptView(QTextEdit):
    """Shows one script. Emits ``annotation_clicked(id)`` when a highlight is clicked and
    ``passage_selected(has_selection)`` when a selection starts or ends."""

    annotation_clicked = Signal(int)
    passage_selected = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("script_view")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setUndoRedoEnabled(False)
        self._script: Script | None = None
        self._annotations: list[Annotation] = []
        self._selected_annotation: int | None = None
        self._body_start = 0
        self._first_block = 0
        self._offsets: list[int] | None = None
        self._font_size = 12
        self.selectionChanged.connect(self._on_selection_changed)
        self._had_selection = False

    # -- content -------------------------------------------------------------------------

    def set_font_size(self, points: int) -> None:
        self._font_size = max(8, min(points, 28))
        if self._script is not None:
            self.show_script(self._script, self._annotations)

    def font_size(self) -> int:
        return self._font_size

    def show_script(self, script: Script, annotations: list[Annotation]) -> None:
        self._script = script
        self._offsets = _utf16_offsets(script.text)
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        body_font = QFont()
        body_font.setFamilies(["Georgia", "Charter", "Liberation Serif", "DejaVu Serif",
                               "Times New Roman", "serif"])
        body_font.setStyleHint(QFont.StyleHint.Serif)
        body_font.setPointSize(self._font_size)
        document.setDefaultFont(body_font)
        document.setDocumentMargin(24)
        cursor = QTextCursor(document)
        cursor.beginEditBlock()

        title_format = QTextCharFormat()
        title_format.setFontPointSize(self._font_size + 3)
        title_format.setFontWeight(QFont.Weight.DemiBold)
        title_block = QTextBlockFormat()
        title_block.setBottomMargin(4)
        cursor.setBlockFormat(title_block)
        cursor.insertText(script.title or script.file_name, title_format)

        meta_format = QTextCharFormat()
        meta_format.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
        meta_format.setFontPointSize(self._font_size - 1)
        meta_block = QTextBlockFormat()
        meta_block.setBottomMargin(18)
        cursor.insertBlock(meta_block)
        def count(value: object) -> str:   # a damaged set may hold 'lots' for a count
            return f"{value:,}" if isinstance(value, int) else "?"

        words = f"{count(script.word_count)} words"
        if script.coursework_word_count != script.word_count:
            words += f" ({count(script.coursework_word_count)} counted for coursework)"
        cursor.insertText(f"{script.candidate}  ·  {words}  ·  {script.file_name}", meta_format)

        body_format = QTextCharFormat()
        self._first_block = cursor.block().blockNumber() + 1
        # a lost annotation (its passage is not in a replaced file) has no place to highlight
        self._annotations = _placeable(annotations)
        normal, _strong = self._highlight_colours()
        paragraph_start = 0
        for index, paragraph in enumerate(script.paragraphs):
            block = QTextBlockFormat()
            block.setBottomMargin(10)
            block.setLineHeight(135, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            char = QTextCharFormat(body_format)
            if paragraph.kind == "heading":
                char.setFontWeight(QFont.Weight.Bold)
                block.setTopMargin(8)
            elif paragraph.kind == "quote":
                block.setLeftMargin(28)
                char.setFontItalic(True)
            elif paragraph.kind in ("footnote", "reference", "appendix", "front_matter"):
                char.setFontPointSize(self._font_size - 1.5)
                char.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
            cursor.insertBlock(block)
            if index == 0:
                self._body_start = cursor.position()
            self._insert_highlighted(cursor, paragraph.text, paragraph_start, char, normal)
            paragraph_start += len(paragraph.text) + 1
        if not script.paragraphs:
            self._body_start = cursor.position()
        cursor.endEditBlock()
        self._apply_measure(document)   # before setDocument: lay the text out only once
        self.setDocument(document)
        self._selected_annotation = None
        self.setExtraSelections([])
        self.verticalScrollBar().setValue(0)

    def _highlight_colours(self) -> tuple[QColor, QColor]:
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        return QColor(255, 214, 102, 110 if dark else 150), QColor(255, 160, 0, 170 if dark else 190)

    def _insert_highlighted(self, cursor: QTextCursor, text: str, start: int,
                            char: QTextCharFormat, colour: QColor) -> None:
        """Insert a paragraph with its annotated passages already highlighted: formatting
        while inserting costs nothing, where extra selections each force a layout."""
        end = start + len(text)
        spans = [(max(a.start, start) - start, min(a.end, end) - start, a)
                 for a in self._annotations if a.start < end and a.end > start]
        if not spans:
            cursor.insertText(text, char)
            return
        cuts = sorted({0, len(text), *(b for s_, e_, _ in spans for b in (s_, e_))})
        for left, right in zip(cuts, cuts[1:], strict=False):
            covering = [a for s_, e_, a in spans if s_ <= left and right <= e_]
            piece = QTextCharFormat(char)
            if covering:
                shade = QColor(colour)
                shade.setAlpha(min(255, colour.alpha() + 40 * (len(covering) - 1)))
                piece.setBackground(shade)
                piece.setToolTip("\n".join(str(a.comment) for a in covering))
            cursor.insertText(text[left:right], piece)

    def script(self) -> Script | None:
        return self._script

    # -- positions -----------------------------------------------------------------------

    def to_document(self, offset: int) -> int:
        if self._offsets is not None:
            offset = self._offsets[max(0, min(offset, len(self._offsets) - 1))]
        return self._body_start + offset

    def to_text(self, position: int) -> int:
        qt_offset = max(0, position - self._body_start)
        if self._offsets is None:
            return min(qt_offset, len(self._script.text) if self._script else 0)
        import bisect

        return bisect.bisect_left(self._offsets, qt_offset)

    def selected_span(self) -> tuple[int, int] | None:
        """The selected passage as offsets into the script's text (None if nothing useful)."""
        if self._script is None:
            return None
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self.to_text(max(cursor.selectionStart(), self._body_start))
        end = self.to_text(cursor.selectionEnd())
        text = self._script.text
        end = min(end, len(text))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if end > start else None

    def select_span(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.to_document(start))
        cursor.setPosition(self.to_document(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    # -- highlights ----------------------------------------------------------------------

    def set_annotations(self, annotations: list[Annotation],
                        selected: int | None = None) -> None:
        """Show these annotations; the document is rebuilt only if they changed."""
        def key(items):
            return [(a.id, a.start, a.end, a.comment) for a in items]

        annotations = _placeable(annotations)
        if self._script is not None and key(annotations) != key(self._annotations):
            scroll = self.verticalScrollBar().value()
            self.show_script(self._script, annotations)
            self.verticalScrollBar().setValue(scroll)
        self._annotations = list(annotations)
        self._emphasise(selected)

    def _emphasise(self, selected: int | None) -> None:
        """A stronger highlight on the selected annotation (one extra selection)."""
        self._selected_annotation = selected
        chosen = next((a for a in self._annotations if a.id == selected), None)
        if chosen is None:
            self.setExtraSelections([])
            return
        _normal, strong = self._highlight_colours()
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.to_document(chosen.start))
        cursor.setPosition(self.to_document(chosen.end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format.setBackground(strong)
        self.setExtraSelections([selection])

    def highlight(self, annotation_id: int | None, scroll: bool = True) -> None:
        self._emphasise(annotation_id)
        if annotation_id is None or not scroll:
            return
        for annotation in self._annotations:
            if annotation.id == annotation_id:
                cursor = QTextCursor(self.document())
                cursor.setPosition(self.to_document(annotation.start))
                self.setTextCursor(cursor)
                self.ensureCursorVisible()
                break

    def annotation_at(self, position: int) -> Annotation | None:
        offset = self.to_text(position)
        hits = [a for a in self._annotations if a.start <= offset < a.end]
        return min(hits, key=lambda a: a.end - a.start) if hits else None

    # -- events --------------------------------------------------------------------------

    def _on_selection_changed(self) -> None:
        has = self.textCursor().hasSelection()
        if has != self._had_selection:
            self._had_selection = has
            self.passage_selected.emit(has)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            annotation = self.annotation_at(self.cursorForPosition(event.position().toPoint())
                                            .position())
            if annotation is not None:
                self.annotation_clicked.emit(annotation.id)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._apply_measure()

    def _apply_measure(self, document: QTextDocument | None = None) -> None:
        width = self.viewport().width()
        side = max(NUMBER_GUTTER, (width - MEASURE) // 2)
        frame = (document or self.document()).rootFrame()
        fmt: QTextFrameFormat = frame.frameFormat()
        if int(fmt.leftMargin()) != side or int(fmt.rightMargin()) != max(16, side - 24):
            fmt.setLeftMargin(side)
            fmt.setRightMargin(max(16, side - 24))
            frame.setFrameFormat(fmt)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._script is None or not self._script.paragraphs:
            return
        painter = QPainter(self.viewport())
        number_font = QFont(self.font())
        number_font.setPointSize(max(7, self._font_size - 3))
        painter.setFont(number_font)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        layout = self.document().documentLayout()
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        visible = event.rect()
        # an explicit left margin on the root frame replaces the document margin
        left = self.document().rootFrame().frameFormat().leftMargin()
        block = self.document().findBlockByNumber(self._first_block)
        number = 1
        while block.isValid():
            rect = layout.blockBoundingRect(block).translated(dx, dy)
            if rect.top() > visible.bottom():
                break
            if rect.bottom() >= visible.top():
                first_line = block.layout().lineAt(0)
                height = first_line.height() if first_line.isValid() else rect.height()
                area = QRectF(left + dx - 46, rect.top() + block.blockFormat().topMargin(),
                              34, height)
                painter.drawText(area, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 str(number))
            block = block.next()
            number += 1
        painter.end()
