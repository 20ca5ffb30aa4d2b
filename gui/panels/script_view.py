"""The script, readable like a document: serif body, a comfortable line length, paragraph
numbers in the margin, the question and candidate on top, annotations as highlights."""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right, insort

import shiboken6
from PySide6.QtCore import QEvent, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QFrame, QTextEdit

from gui.panels.scrollbar import keep_scroll_bar
from rubric.store import Annotation, Script

_KEEP_ANCHOR = QTextCursor.MoveMode.KeepAnchor
MEASURE = 700          # the text column's width in pixels: about 75 characters
NUMBER_GUTTER = 56     # room for paragraph numbers left of the text
MARGIN = 24            # the document's margin above and below the text
REST_AFTER_MS = 40     # the text below the first screen comes this long after a switch


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _astral_positions(text: str) -> list[int] | None:
    """The Python offsets of the characters outside the Basic Multilingual Plane (emoji,
    say), which take two UTF-16 units in Qt; None when there are none, so that Python and
    Qt offsets are the same. Whether there are any is found without a loop in Python."""
    if text.isascii():
        return None
    # CPython keeps a str with a character outside the plane in 4 bytes a character, and
    # one without in 1 or 2 (PEP 393): its size answers at once for a text of any length
    if len(text) > 64 and sys.getsizeof(text) < 4 * len(text):
        return None
    if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
        return None
    return [match.start() for match in _ASTRAL.finditer(text)]


# prose for measuring the width of a character (the project's own words)
_PROSE = ("In 1905 the regime’s survival owed more to the army’s loyalty than to the "
          "October Manifesto: when the mutinies ended, Witte’s reforms — and the French "
          "loan — bought time, though the peasants’ grievances were left unresolved.")


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
        keep_scroll_bar(self)   # a new script, a new scroll range: drawn from pictures
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
        self._text = ""                            # the shown script's text
        self._body_font: QFont | None = None
        self._starts: list[int] = []               # where each paragraph starts in it
        self._kinds: list[str] = []                # and its kind of format
        self._formats: dict[str, tuple[QTextBlockFormat, QTextCharFormat]] = {}
        self._astral: list[int] | None = None      # see _astral_positions
        self._astral_ends: list[int] = []          # where each ends, in Qt units
        self._font_size = 12
        self._shown_to = 0                         # the text before this is in the document
        self._retired: list[QTextDocument] = []    # the scripts' before, to delete
        self._showing = False                      # in show_script
        self._looks: dict = {}                     # see _text_looks
        self._top_margins: dict[str, float] = {}   # each kind of paragraph's
        # the rest of a script, after its first screen (see show_script)
        self._rest_timer = QTimer(self)
        self._rest_timer.setSingleShot(True)
        self._rest_timer.setInterval(REST_AFTER_MS)
        self._rest_timer.timeout.connect(self.load_rest)
        bar = self.verticalScrollBar()
        bar.sliderPressed.connect(self.load_rest)      # the reader goes further down
        bar.actionTriggered.connect(self.load_rest)
        self.selectionChanged.connect(self._on_selection_changed)
        self._had_selection = False

    # -- content -------------------------------------------------------------------------

    def set_font_size(self, points: int) -> None:
        self._font_size = max(8, min(points, 28))
        self._looks = {}
        if self._script is not None:
            self.show_script(self._script, self._annotations)

    def font_size(self) -> int:
        return self._font_size

    def show_script(self, script: Script, annotations: list[Annotation]) -> None:
        """Show ``script`` with its annotations highlighted, from the top. The paragraphs
        that fill the first screen come at once and the rest of the text
        ``REST_AFTER_MS`` later (or the moment anything needs it: a key, the mouse, the
        scroll bar, an annotation to show, a resize, ``document()``): a switch of script
        lays out and draws what is seen, and flicking through scripts with the arrow keys
        builds no more than each one's first screen."""
        self._rest_timer.stop()
        self._drop_retired()   # (switching quicker than the rest comes)
        self._showing = True   # (the view resized meanwhile, by its scroll bar: see below)
        try:
            self._show_script(script, annotations)
        finally:
            self._showing = False
        self._fill_screen()
        if self._shown_to < len(self._text) or self._retired:
            self._rest_timer.start()

    def _drop_retired(self) -> None:
        """Delete the documents of the scripts shown before (see _show_script)."""
        while self._retired:
            shiboken6.delete(self._retired.pop())

    def _show_script(self, script: Script, annotations: list[Annotation]) -> None:
        self._script = script
        self._text = script.text
        self._astral = _astral_positions(self._text)
        self._astral_ends = [at + n + 2 for n, at in enumerate(self._astral or ())]
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        if self._body_font is None or self._body_font.pointSize() != self._font_size:
            self._body_font = QFont()   # made once: resolving the families costs each time
            self._body_font.setFamilies(["Georgia", "Charter", "Liberation Serif",
                                         "DejaVu Serif", "Times New Roman", "serif"])
            self._body_font.setStyleHint(QFont.StyleHint.Serif)
            self._body_font.setPointSize(self._font_size)
        document.setDefaultFont(self._body_font)
        document.setDocumentMargin(MARGIN)
        cursor = QTextCursor(document)
        cursor.beginEditBlock()

        looks = self._text_looks()
        title_block, title_format, meta_block, meta_format = looks["title"]
        cursor.setBlockFormat(title_block)
        cursor.insertText(script.title or script.file_name, title_format)
        cursor.insertBlock(meta_block)
        def count(value: object) -> str:   # a damaged set may hold 'lots' for a count
            return f"{value:,}" if isinstance(value, int) else "?"

        words = f"{count(script.word_count)} words"
        if script.coursework_word_count != script.word_count:
            words += f" ({count(script.coursework_word_count)} counted for coursework)"
        cursor.insertText(f"{script.candidate}  ·  {words}  ·  {script.file_name}", meta_format)

        self._first_block = cursor.block().blockNumber() + 1
        # a lost annotation (its passage is not in a replaced file) has no place to highlight
        self._annotations = _placeable(annotations)
        self._formats, self._top_margins = looks["paragraphs"], looks["top margins"]
        self._starts = script.paragraph_starts()
        self._kinds = [self._format_key(p.kind) for p in script.paragraphs]
        self._shown_to = 0
        if script.paragraphs:
            body_block, body_char = self._formats["body"]
            cursor.insertBlock(body_block, body_char)
            self._body_start = cursor.position()
            # The first screen's text in one call (each "\n" starts a block with the body's
            # formats), then the few other paragraphs' formats and the highlights, range
            # by range: a few dozen Qt calls, however long the script.
            self._append(cursor, self._first_screen())
        else:
            self._body_start = cursor.position()
        cursor.endEditBlock()
        self._apply_measure(document)   # before setDocument: lay the text out only once
        # and at the width it is shown at: a document without one is laid out (every
        # line shaped) at no width when QTextEdit first asks for its layout, then again
        # at the viewport's width, a third of a switch of script
        document.setPageSize(QSizeF(self.viewport().width(), -1))
        previous = QTextEdit.document(self)
        mine = previous is not None and previous.parent() is self   # (not QTextEdit's own)
        self.setDocument(document)
        if mine:   # QTextEdit does not delete a document it was given: each switch of
            # script kept the last one, laid out, and went on laying it out while idle (200
            # switches of 4,500-word scripts: 230 MB). Deleted a moment later, with the
            # rest of this script (freeing a laid-out script took 0.1 ms of the switch),
            # and laid out no further meanwhile (no page size).
            previous.setPageSize(QSizeF(0, 0))
            self._retired.append(previous)
        self._selected_annotation = None
        self.setExtraSelections([])
        self.verticalScrollBar().setValue(0)

    def _fill_screen(self) -> None:
        """Add text until what is in the document fills the view's height (the first
        screen's estimate fell short: headings, short paragraphs, a taller view)."""
        document = QTextEdit.document(self)
        layout, height = document.documentLayout(), self.viewport().height()
        while self._script is not None and self._shown_to < len(self._text) and \
                layout.blockBoundingRect(document.lastBlock()).bottom() < height:
            self._add(self._shown_to + 1000)

    def _first_screen(self) -> int:
        """Where the text that fills the view's first screen ends: the lines of the view's
        height at the body's line spacing, two more, each as full as a line of prose is
        (nine tenths: a word that does not fit goes to the next), the title and its line
        above them the margin of safety; at a space in a body paragraph, or at the end of
        another kind of paragraph. The rest is added after (see show_script)."""
        metrics = QFontMetricsF(self._body_font)
        left, right = self._sides()
        width = max(self.viewport().width() - left - right, 100)
        lines = self.viewport().height() / max(metrics.lineSpacing() * 1.35, 1.0) + 2
        per_line = 0.9 * width / max(self._text_looks()["character width"], 1.0)
        return self._break_after(int(lines * per_line))

    def _break_after(self, offset: int) -> int:
        """The first place at or after ``offset`` where the shown text may stop and go on
        later: a space inside a body paragraph (the rest of it continues its block), else
        the end of the paragraph; the text's end at the latest."""
        text = self._text
        if offset >= len(text):
            return len(text)
        number = max(bisect_right(self._starts, offset) - 1, 0)
        end = self._starts[number + 1] - 1 if number + 1 < len(self._starts) else len(text)
        if self._kinds[number] == "body":
            space = text.find(" ", max(offset, self._starts[number] + 1), end)
            if space > 0:
                return space
        return end

    def load_rest(self, *_args) -> None:
        """Add the text after the first screen to the shown document (at once if it is
        not there yet; nothing if it is), with its formats and highlights: the document
        is then the script's whole text."""
        self._rest_timer.stop()
        self._drop_retired()
        if self._script is not None and self._shown_to < len(self._text):
            self._add(len(self._text))

    def _add(self, offset: int) -> None:
        """Add the text not yet in the shown document up to (about) ``offset``."""
        document = QTextEdit.document(self)
        # Qt lays out at once, line by line, whatever is inserted into a document it shows
        # (about twice what building the whole script costs): with no page size, it lays
        # out nothing, and given its size back, it lays the document out anew, lazily, as
        # it does a document just shown (the lines in sight first, the rest while idle)
        size = document.pageSize()
        document.setPageSize(QSizeF(0, 0))
        try:
            cursor = QTextCursor(document)
            cursor.beginEditBlock()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._append(cursor, self._break_after(offset))
            cursor.endEditBlock()
        finally:
            document.setPageSize(size)

    def _append(self, cursor: QTextCursor, end: int) -> None:
        """Insert the text from where the document stops to ``end`` (a place from
        _break_after) at ``cursor``, the document's end, then the formats of the
        paragraphs that start in it and the highlights in it."""
        start, text = self._shown_to, self._text
        if end <= start:
            return
        piece = text[start:end] if start or end < len(text) else text
        if start and text[start] == "\n":   # a paragraph ended there: the next one's block
            body_block, body_char = self._formats["body"]
            cursor.insertBlock(body_block, body_char)
            piece = piece[1:]
        cursor.insertText(piece, self._formats["body"][1])
        self._shown_to = end
        first = bisect_left(self._starts, start + (1 if start else 0))
        self._format_paragraphs(cursor, first, bisect_left(self._starts, end))
        self._highlight(cursor, start, end)

    def document(self) -> QTextDocument:
        """The shown script's whole document (its rest added first, if still to come)."""
        self.load_rest()
        return super().document()

    def toPlainText(self) -> str:  # noqa: N802 - Qt's name
        self.load_rest()
        return super().toPlainText()

    def clear(self) -> None:
        self._rest_timer.stop()
        self._drop_retired()
        self._script, self._shown_to, self._annotations = None, 0, []
        super().clear()

    def _highlight_colours(self) -> tuple[QColor, QColor]:
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        return QColor(255, 214, 102, 110 if dark else 150), QColor(255, 160, 0, 170 if dark else 190)

    @staticmethod
    def _format_key(kind: str) -> str:
        if kind in ("heading", "quote"):
            return kind
        return "minor" if kind in ("footnote", "reference", "appendix", "front_matter") \
            else "body"

    def _text_looks(self) -> dict:
        """What the view draws with, made once per font size, font and palette (each
        switch made it anew, a few dozen calls into Qt): the formats of the title and its
        line, of each kind of paragraph and each kind's top margin, the paragraph numbers'
        font and colour, and the body font's average width of a character of prose
        (measured on a sample of it, for the first screen's estimate)."""
        if not self._looks:
            title_format = QTextCharFormat()
            title_format.setFontPointSize(self._font_size + 3)
            title_format.setFontWeight(QFont.Weight.DemiBold)
            title_block = QTextBlockFormat()
            title_block.setBottomMargin(4)
            placeholder = self.palette().color(QPalette.ColorRole.PlaceholderText)
            meta_format = QTextCharFormat()
            meta_format.setForeground(placeholder)
            meta_format.setFontPointSize(self._font_size - 1)
            meta_block = QTextBlockFormat()
            meta_block.setBottomMargin(18)
            formats = self._paragraph_formats()
            number_font = QFont(self.font())
            number_font.setPointSize(max(7, self._font_size - 3))
            body = QFontMetricsF(self._body_font if self._body_font is not None
                                 else self.font())
            self._looks = {"title": (title_block, title_format, meta_block, meta_format),
                           "paragraphs": formats,
                           "top margins": {kind: block.topMargin()
                                           for kind, (block, _char) in formats.items()},
                           "numbers": (number_font, placeholder),
                           "character width": body.horizontalAdvance(_PROSE) / len(_PROSE)}
        return self._looks

    def _paragraph_formats(self) -> dict[str, tuple[QTextBlockFormat, QTextCharFormat]]:
        """The block and character formats of each kind of paragraph."""
        formats = {}
        for key in ("body", "heading", "quote", "minor"):
            block = QTextBlockFormat()
            block.setBottomMargin(10)
            block.setLineHeight(135, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            char = QTextCharFormat()
            if key == "heading":
                char.setFontWeight(QFont.Weight.Bold)
                block.setTopMargin(8)
            elif key == "quote":
                block.setLeftMargin(28)
                char.setFontItalic(True)
            elif key == "minor":
                char.setFontPointSize(self._font_size - 1.5)
                char.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
            formats[key] = (block, char)
        return formats

    def _select(self, cursor: QTextCursor, start: int, end: int) -> None:
        cursor.setPosition(self.to_document(start))
        cursor.setPosition(self.to_document(end), _KEEP_ANCHOR)

    def _format_paragraphs(self, cursor: QTextCursor, first: int, stop: int) -> None:
        """Headings, quotations and notes among paragraphs ``first`` to ``stop`` (not
        included) get their formats (the body has its own already)."""
        kinds, starts, paragraphs = self._kinds, self._starts, self._script.paragraphs
        for number in range(first, stop):
            key = kinds[number]
            if key != "body":
                start, paragraph = starts[number], paragraphs[number]
                block, char = self._formats[key]
                self._select(cursor, start, start + len(paragraph.text))
                cursor.setBlockFormat(block)
                cursor.setBlockCharFormat(char)
                cursor.setCharFormat(char)

    def _highlight(self, cursor: QTextCursor, low: int, high: int) -> None:
        """Shade the annotated passages between text offsets ``low`` and ``high``: each
        piece between the bounds of annotations, inside one paragraph, darker the more
        annotations cover it, with their comments as its tooltip. (Formatting the built
        document costs nothing visible: extra selections would each force a layout.)"""
        text = self._text
        low, high = max(0, low), min(high, len(text))
        inside = [a for a in self._annotations if a.start < high and a.end > low]
        if not inside:
            return
        cuts = sorted({low, high, *(bound for a in inside for bound in (a.start, a.end)
                                    if low < bound < high)})
        colour, _strong = self._highlight_colours()
        # a sweep over the cuts: the annotations covering a piece are those begun at or
        # before its left end and not yet ended (every end inside is a cut), kept in the
        # annotations' order (their comments make the tooltip)
        starting = sorted(range(len(inside)), key=lambda i: inside[i].start)
        begun = 0
        active: list[int] = []
        for left, right in zip(cuts, cuts[1:], strict=False):
            while begun < len(starting) and inside[starting[begun]].start <= left:
                insort(active, starting[begun])
                begun += 1
            active = [i for i in active if inside[i].end > left]
            if not active:
                continue
            covering = [inside[i] for i in active]
            shade = QColor(colour)
            shade.setAlpha(min(255, colour.alpha() + 40 * (len(covering) - 1)))
            piece = QTextCharFormat()
            piece.setBackground(shade)
            piece.setToolTip("\n".join(str(a.comment) for a in covering))
            while left < right:   # never across the end of a paragraph
                stop = text.find("\n", left, right)
                stop = right if stop < 0 else stop
                if stop > left:
                    self._select(cursor, left, stop)
                    cursor.mergeCharFormat(piece)
                left = stop + 1

    def _rehighlight(self, low: int, high: int) -> None:
        """Redo the highlights between ``low`` and ``high`` in the shown document (after an
        annotation was added, edited or deleted), without building it again: the
        paragraphs there get back their own formats, then their highlights."""
        low, high = max(0, low), min(high, len(self._text))
        if high <= low:
            return
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        first = max(0, bisect_right(self._starts, low) - 1)
        for number in range(first, len(self._starts)):
            start = self._starts[number]
            if start >= high:
                break
            end = start + len(self._script.paragraphs[number].text)
            if end > low:
                self._select(cursor, max(start, low), min(end, high))
                cursor.setCharFormat(self._formats[self._kinds[number]][1])
        self._highlight(cursor, low, high)
        cursor.endEditBlock()

    def script(self) -> Script | None:
        return self._script

    # -- positions -----------------------------------------------------------------------

    def to_document(self, offset: int) -> int:
        """A position in the document from an offset into the script's text."""
        if self._astral is not None:
            offset = max(0, min(offset, len(self._text)))
            offset += bisect_left(self._astral, offset)   # each astral before it: one more
        return self._body_start + offset

    def to_text(self, position: int) -> int:
        """An offset into the script's text from a position in the document (inside an
        astral character: the offset after it)."""
        qt_offset = max(0, position - self._body_start)
        length = len(self._text)
        if self._astral is None:
            return min(qt_offset, length)
        return min(qt_offset - bisect_right(self._astral_ends, qt_offset), length)

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
            before = {a.id: a for a in self._annotations}
            after = {a.id: a for a in annotations}
            changed = [a for a in before.values() if after.get(a.id) != a] + \
                      [a for a in after.values() if before.get(a.id) != a]
            self._annotations = list(annotations)
            if changed:   # only where an annotation came, went or changed
                self._rehighlight(min(a.start for a in changed), max(a.end for a in changed))
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

    # the reader goes on: the whole text first (see show_script)
    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.load_rest()
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.load_rest()
        super().mousePressEvent(event)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.load_rest()
        super().wheelEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.load_rest()
        super().contextMenuEvent(event)

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
        if not self._showing:
            self._fill_screen()   # a taller or narrower view may need more of the text

    def _sides(self) -> tuple[int, int]:
        """The text column's left and right margins in the viewport (room for the
        paragraph numbers; centred, at most ``MEASURE`` wide, in a wide view)."""
        side = max(NUMBER_GUTTER, (self.viewport().width() - MEASURE) // 2)
        return side, max(16, side - 24)

    def _apply_measure(self, document: QTextDocument | None = None) -> None:
        left, right = self._sides()
        frame = (document or QTextEdit.document(self)).rootFrame()
        fmt: QTextFrameFormat = frame.frameFormat()
        if int(fmt.leftMargin()) != left or int(fmt.rightMargin()) != right:
            fmt.setLeftMargin(left)
            fmt.setRightMargin(right)
            frame.setFrameFormat(fmt)

    def paintEvent(self, event) -> None:
        """The text, then each paragraph's number in the margin beside its first line."""
        super().paintEvent(event)
        if self._script is None or not self._script.paragraphs:
            return
        document = QTextEdit.document(self)   # as it is: painting does not wait for the rest
        layout = document.documentLayout()
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        visible = event.rect()
        seen_top, seen_bottom = visible.top(), visible.bottom()
        x = self._sides()[0] + dx - 46   # the root frame's left margin (see _apply_measure)
        font, colour = self._text_looks()["numbers"]
        kinds, top_margins = self._kinds, self._top_margins
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter = QPainter(self.viewport())
        painter.setFont(font)
        painter.setPen(colour)
        block = document.findBlockByNumber(self._first_block)
        number = 1
        while block.isValid():
            _x, top, _width, height = layout.blockBoundingRect(block).getRect()
            top += dy
            if top > seen_bottom:
                break
            if top + height >= seen_top:
                first_line = block.layout().lineAt(0)
                if first_line.isValid():
                    height = first_line.height()
                margin = top_margins.get(kinds[number - 1] if number <= len(kinds) else "")
                painter.drawText(QRectF(x, top + (margin or 0.0), 34, height), align,
                                 str(number))
            block = block.next()
            number += 1
        painter.end()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange,
                            QEvent.Type.StyleChange):
            self._looks = {}
        super().changeEvent(event)
