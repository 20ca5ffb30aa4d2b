"""OpenDocument text (.odt): ``content.xml`` read with lxml from a checked zip.

``text:p`` paragraphs are body, ``text:h`` headings; paragraph styles called Title /
Subtitle give the title hint, Heading… a heading, Quotations a quote. Footnotes and
endnotes (``text:note``) are taken out of the paragraph they sit in and returned
separately, numbered as the document shows them ("[1] Service, …"), the number left in
the text where the mark was (``…p. 4.[1]``), as for a .docx. Lists and sections are read in order.

* **List numbers and bullets** as LibreOffice shows them, from the list styles
  (``text:list-style``: number formats 1, a, A, i, I with their prefix, suffix, start value
  and the number of levels shown, as in "2.1)"; bullet characters, symbol-font and
  private-use ones as "•"): counters run through nested lists, restart with a new list
  unless it continues an earlier one (``text:continue-numbering``, ``text:continue-list``)
  or an item sets ``text:start-value``; a number the file stores itself (``text:number``)
  is taken as it is. Only an item's first paragraph carries its label, as on screen.
* **Tables**: each row is one block with the hint ``table``, its cells joined by " | "
  (the docx convention); merged (covered) cells are left out, a nested table's rows are
  read into the cell that holds it.
* **Indexes** (the generated ``text:index-body``): a bibliography's title is a heading
  and its entries have the hint ``reference``; an alphabetical or user index the same; a
  table of contents (and a list of figures, tables or objects) is ``front_matter``, title
  and entries, so it is kept but never counted.
* **Frames and shapes** (``draw:frame``, ``draw:custom-shape``, groups…): the text of
  their text boxes and paragraphs becomes blocks of its own after the paragraph they are
  anchored in; their titles and descriptions (``svg:title``, ``svg:desc``, alt text) are
  not text and are left out, as are tracked deletions and comments.
"""

from __future__ import annotations

from pathlib import Path

from rubric.errors import ImportFailure
from rubric.importing.base import REWRAP_AUTO, Extracted
from rubric.importing.numbering import format_number
from rubric.importing.paragraphs import CELL_SEPARATOR, Block
from rubric.importing.safety import SafeZip, parse_xml
from rubric.importing.style_names import hint_of_style_name
from rubric.record import record

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def _t(name: str) -> str:
    return f"{{{TEXT}}}{name}"


T_P, T_H, T_S, T_TAB, T_BR = _t("p"), _t("h"), _t("s"), _t("tab"), _t("line-break")
T_NOTE, T_NOTE_BODY, T_NOTE_CLASS = _t("note"), _t("note-body"), _t("note-class")
T_NOTE_CITATION = _t("note-citation")
T_STYLE_NAME, T_C = _t("style-name"), _t("c")
T_INDEX_BODY, T_INDEX_TITLE = _t("index-body"), _t("index-title")
_BLOCK_CONTAINERS = {
    _t("list"), _t("list-item"), _t("list-header"), _t("section"), T_INDEX_BODY, T_INDEX_TITLE,
}
_SKIP_INLINE = {
    f"{{{OFFICE}}}annotation", f"{{{OFFICE}}}annotation-end", _t("tracked-changes"),
    _t("change"), _t("change-start"), _t("change-end"), _t("bookmark-ref-start"),
}
#: Generated indexes: (hint of the index title, hint of its entries).
_INDEXES = {
    _t("bibliography"): ("heading", "reference"),
    _t("alphabetical-index"): ("heading", "reference"),
    _t("user-index"): ("heading", "reference"),
    _t("table-of-content"): ("front_matter", "front_matter"),
    _t("illustration-index"): ("front_matter", "front_matter"),
    _t("table-index"): ("front_matter", "front_matter"),
    _t("object-index"): ("front_matter", "front_matter"),
}
_TABLE = f"{{{TABLE}}}table"
_ROW = f"{{{TABLE}}}table-row"
_CELL = f"{{{TABLE}}}table-cell"
_ROW_GROUPS = {
    f"{{{TABLE}}}table-rows", f"{{{TABLE}}}table-header-rows", f"{{{TABLE}}}table-row-group",
}
_DRAW_NS = f"{{{DRAW}}}"
_TEXT_BOX = f"{{{DRAW}}}text-box"

_LIST, _LIST_ITEM, _LIST_HEADER, T_NUMBER = _t("list"), _t("list-item"), _t("list-header"), _t("number")
_LIST_LEVELS = {_t("list-level-style-number"), _t("list-level-style-bullet"), _t("list-level-style-image")}
_OUTLINE_LEVEL = _t("outline-level-style")
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"



# --- list numbers and bullets ----------------------------------------------------------


@record
class _Level:
    """One level of a list style: a number (``fmt`` as ODF writes it: "1", "a", "A", "i",
    "I", "" for none) or a bullet, what is written around it, and what follows it."""

    bullet: str | None = None  # the bullet character; None for a numbered level
    fmt: str = "1"
    prefix: str = ""
    suffix: str = ""
    start: int = 1
    display: int = 1  # how many levels' numbers are shown ("2.1" shows two)
    sync: bool = False  # letters as a, …, z, aa, bb (True) or a, …, z, aa, ab (ODF's default)
    follow: str = " "  # what separates the label from the text


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _parse_level(element) -> tuple[int, _Level]:
    level = _int(element.get(_t("level")), 1)
    follow = " "
    for props in element.iter(f"{{{STYLE}}}list-level-label-alignment"):
        if props.get(_t("label-followed-by")) == "nothing":
            follow = ""
    common = dict(prefix=element.get(f"{{{STYLE}}}num-prefix") or "",
                  suffix=element.get(f"{{{STYLE}}}num-suffix") or "", follow=follow)
    if element.tag == _t("list-level-style-bullet"):
        return level, _Level(bullet=element.get(_t("bullet-char")) or "•", **common)
    if element.tag == _t("list-level-style-image"):
        return level, _Level(bullet="•", **common)
    return level, _Level(
        fmt=element.get(f"{{{STYLE}}}num-format") or "", start=max(0, _int(element.get(_t("start-value")), 1)),
        display=max(1, min(10, _int(element.get(_t("display-levels")), 1))),
        sync=element.get(f"{{{STYLE}}}num-letter-sync") == "true", **common)


def _list_styles(sources) -> tuple[dict[str, dict[int, _Level]], dict[int, _Level]]:
    """The list styles by name (content.xml's automatic styles first), and the outline
    style that numbers headings."""
    styles: dict[str, dict[int, _Level]] = {}
    outline: dict[int, _Level] = {}
    for root in sources:
        for style in root.iter(_t("list-style")):
            name = style.get(f"{{{STYLE}}}name") or ""
            if name in styles:
                continue
            styles[name] = dict(_parse_level(child) for child in style if child.tag in _LIST_LEVELS)
        if not outline:
            for style in root.iter(_t("outline-style")):
                outline = {n: lv for n, lv in (_parse_level(c) for c in style if c.tag == _OUTLINE_LEVEL)}
                break
    return styles, outline


def _letters(n: int) -> str:
    """ODF's letters without ``num-letter-sync``: a, …, z, aa, ab (Word's, with it: aa, bb)."""
    text = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def format_odf_number(n: int, fmt: str, sync: bool = False) -> str:
    """``n`` in the ODF number format ``fmt``; formats not known here fall back to decimal."""
    if fmt == "":
        return ""
    if fmt in ("a", "A") and n > 0 and not sync:
        return _letters(n).upper() if fmt == "A" else _letters(n)
    word_format = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
    return format_number(n, word_format.get(fmt, "decimal"))


def _bullet_text(char: str) -> str:
    """Bullets drawn from a symbol font are stored as private-use characters (and
    OpenSymbol's own as U+E00x): a reader sees "•"."""
    char = char.strip()
    if not char or any("\ue000" <= c <= "\uf8ff" for c in char):
        return "•"
    return char


class _Counters:
    """The numbers of one list (a top-level ``text:list`` and its nested lists), level by
    level (1–10)."""

    def __init__(self) -> None:
        self.values: list[int | None] = [None] * 11

    def label(self, levels: dict[int, _Level], level: int, start: int | None) -> str:
        spec = levels.get(level) or levels.get(min(levels, key=lambda k: abs(k - level))) if levels else None
        if spec is None:
            return ""
        current = self.values[level]
        if start is not None:
            self.values[level] = start
        else:
            self.values[level] = spec.start if current is None else current + 1
        for deeper in range(level + 1, 11):
            self.values[deeper] = None
        if spec.bullet is not None:  # (LibreOffice repeats the bullet as its suffix: unshown)
            text = _bullet_text(spec.bullet)
        elif spec.fmt == "":
            text = spec.prefix + spec.suffix
        else:
            numbers = []
            for shown in range(max(1, level - spec.display + 1), level + 1):
                of = levels.get(shown, spec)
                value = self.values[shown] if self.values[shown] is not None else of.start
                numbers.append(format_odf_number(value, of.fmt or "1", of.sync))
            text = spec.prefix + ".".join(n for n in numbers if n) + spec.suffix
        text = text.strip()
        return text + spec.follow if text else ""


class _Reader:
    def __init__(self, hints: dict[str, str], lists: dict[str, dict[int, _Level]] | None = None,
                 outline: dict[int, _Level] | None = None, paragraph_lists: dict[str, str] | None = None):
        self.hints = hints
        self.notes: list[str] = []
        self.lists = lists or {}
        self.outline = outline or {}
        self.paragraph_lists = paragraph_lists or {}  # paragraph style → its list style
        self.outline_counters = _Counters()
        # the list being read: (list style name, level, its counters), innermost last
        self.list_stack: list[tuple[str, int, _Counters]] = []
        self.by_style: dict[str, _Counters] = {}  # the last list of each style
        self.by_id: dict[str, _Counters] = {}  # lists by xml:id (text:continue-list)
        self.last_list: _Counters | None = None
        # the label the next paragraph of the current item carries, or None once used
        self.pending: list[str | None] = []

    def blocks(self, container, out: list[Block]) -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == T_P or tag == T_H:
                parts: list[str] = []
                shapes: list = []
                self.inline(child, parts, shapes)
                name = child.get(T_STYLE_NAME) or ""
                hint = self.hints.get(name) or _hint_of_name(name)
                if tag == T_H and hint == "body":
                    hint = "heading"
                text = "".join(parts)
                label = self.paragraph_label(child, name)
                if label and text.strip():
                    text = label + text
                out.append(Block(text, hint))
                for shape in shapes:
                    self.shape(shape, out)
            elif tag == _LIST:
                self.list(child, out)
            elif tag == _LIST_ITEM or tag == _LIST_HEADER:
                self.item(child, out)
            elif tag in _BLOCK_CONTAINERS:
                self.blocks(child, out)
            elif tag == _TABLE:
                self.table(child, out)
            elif tag in _INDEXES:
                self.index(child, _INDEXES[tag], out)
            elif tag.startswith(_DRAW_NS):  # a frame anchored to the page
                self.shape(child, out)
            # anything else (tracked changes, declarations, forms, soft page breaks) is skipped

    def list(self, element, out: list[Block]) -> None:
        """A ``text:list``: nested in an item it is the next level of the same list;
        otherwise a new list, unless it continues an earlier one."""
        style = element.get(T_STYLE_NAME) or ""
        if self.list_stack:
            outer_style, level, counters = self.list_stack[-1]
            level += 1
            style = style or outer_style
        else:
            level = 1
            counters = None
            continues = element.get(_t("continue-list"))
            if continues:
                counters = self.by_id.get(continues)
            elif element.get(_t("continue-numbering")) == "true":
                counters = self.by_style.get(style) or self.last_list
            counters = counters or _Counters()
            self.last_list = counters
            if style:
                self.by_style[style] = counters
        if element.get(XML_ID):
            self.by_id[element.get(XML_ID)] = counters
        self.list_stack.append((style, min(level, 10), counters))
        try:
            self.blocks(element, out)
        finally:
            self.list_stack.pop()

    def item(self, element, out: list[Block]) -> None:
        """A list item: its first paragraph carries the number or bullet (a header
        carries none; an item holding only a nested list is not counted)."""
        if not self.list_stack:
            self.blocks(element, out)
            return
        style, level, counters = self.list_stack[-1]
        label: str | None = None
        first = next((c for c in element if isinstance(c.tag, str)), None)
        if element.tag == _LIST_ITEM and first is not None and first.tag in (T_P, T_H, T_NUMBER):
            levels = self.lists.get(style) or self.lists.get(self.paragraph_lists.get(first.get(T_STYLE_NAME) or "", ""), {})
            start = element.get(_t("start-value"))
            label = counters.label(levels, level, _int(start, 1) if start is not None else None)
            stored = element.find(T_NUMBER)
            if stored is not None:  # the label as the file itself shows it
                text = "".join(stored.itertext()).strip()
                label = text + " " if text else ""
        self.pending.append(label)
        try:
            self.blocks(element, out)
        finally:
            self.pending.pop()

    def paragraph_label(self, paragraph, style: str) -> str:
        """The label a paragraph shows: its list item's (once), or a heading's outline
        number."""
        if self.pending and self.pending[-1] is not None:
            label = self.pending[-1]
            self.pending[-1] = None
            return label
        if self.pending:
            return ""
        if paragraph.tag == T_H:
            stored = paragraph.find(T_NUMBER)
            if stored is not None:
                text = "".join(stored.itertext()).strip()
                return text + " " if text else ""
            if self.outline and paragraph.get(_t("is-list-header")) != "true":
                level = max(1, min(10, _int(paragraph.get(_t("outline-level")), 1)))
                if level in self.outline:
                    return self.outline_counters.label(self.outline, level, None)
        return ""

    def inline(self, element, parts: list[str], shapes: list) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                pass
            elif tag == T_S:
                count = child.get(T_C) or "1"
                parts.append(" " * min(int(count) if count.isdigit() else 1, 100))
            elif tag == T_TAB:
                parts.append("\t")
            elif tag == T_BR:
                parts.append("\n")
            elif tag == T_NOTE:
                body = child.find(T_NOTE_BODY)
                if body is not None:
                    note_blocks: list[Block] = []
                    sub = _Reader({})
                    sub.blocks(body, note_blocks)
                    text = " ".join(b.text.replace("\n", " ") for b in note_blocks if b.text.strip())
                    if text.strip():
                        # the number the reader sees, in the text and before the note (as
                        # for a .docx): the file's own citation, else the note's place
                        citation = child.find(T_NOTE_CITATION)
                        label = " ".join("".join(citation.itertext()).split()) if citation is not None else ""
                        label = label or str(len(self.notes) + 1)
                        parts.append(f"[{label}]")
                        self.notes.append(f"[{label}] {text.strip()}")
                    self.notes.extend(sub.notes)
            elif tag.startswith(_DRAW_NS):  # frames, shapes, links around them: read after
                shapes.append(child)
            elif tag in _SKIP_INLINE or tag == T_NUMBER or tag.startswith(f"{{{SVG}}}"):
                pass
            else:  # spans, links, fields, ruby…: their text is the displayed text
                self.inline(child, parts, shapes)
            if child.tail:
                parts.append(child.tail)

    def shape(self, element, out: list[Block]) -> None:
        """The text in a frame or shape: text boxes and the shape's own paragraphs, each
        a block; ``svg:title``/``svg:desc`` and other drawing detail are not text."""
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == _TEXT_BOX:
                self.blocks(child, out)
            elif tag == T_P or tag == T_H or tag in _BLOCK_CONTAINERS or tag == _TABLE:
                self.blocks((child,), out)
            elif tag.startswith(_DRAW_NS):  # nested frames, shapes in a group, images
                self.shape(child, out)

    def table(self, element, out: list[Block]) -> None:
        """One ``table`` block per row that has any text."""
        for row in _rows(element):
            cells: list[str] = []
            for cell in row:
                if cell.tag == _CELL:  # covered (merged) cells are skipped
                    cell_blocks: list[Block] = []
                    self.blocks(cell, cell_blocks)
                    cells.append(" ".join(b.text.replace("\n", " ").strip() for b in cell_blocks if b.text.strip()))
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                out.append(Block(CELL_SEPARATOR.join(cells), "table"))

    def index(self, element, hints: tuple[str, str], out: list[Block]) -> None:
        """The generated body of an index, its title and entries with their hints."""
        body = element.find(T_INDEX_BODY)
        if body is None:
            return
        title_hint, entry_hint = hints
        for child in body:
            found: list[Block] = []
            if child.tag == T_INDEX_TITLE:
                self.blocks(child, found)
                hint = title_hint
            else:
                self.blocks((child,), found)
                hint = entry_hint
            for block in found:
                block.hint = hint
            out.extend(found)


def _rows(element):
    for child in element:
        if child.tag == _ROW:
            yield child
        elif child.tag in _ROW_GROUPS:
            yield from _rows(child)


def _style_hints(sources) -> tuple[dict[str, str], dict[str, str]]:
    """Map style names used by paragraphs to hints, and to the list style each applies
    (``style:list-style-name``), following parent styles."""
    parents: dict[str, str] = {}
    display: dict[str, str] = {}
    list_names: dict[str, str] = {}
    for root in sources:
        for style in root.iter(f"{{{STYLE}}}style"):
            if style.get(f"{{{STYLE}}}family") not in (None, "paragraph"):
                continue
            name = style.get(f"{{{STYLE}}}name") or ""
            parents.setdefault(name, style.get(f"{{{STYLE}}}parent-style-name") or "")
            display.setdefault(name, style.get(f"{{{STYLE}}}display-name") or name.replace("_20_", " "))
            if style.get(f"{{{STYLE}}}list-style-name") is not None:
                list_names.setdefault(name, style.get(f"{{{STYLE}}}list-style-name") or "")

    def hint_of(name: str) -> str:
        for _ in range(12):
            if not name:
                break
            hint = hint_of_style_name(display.get(name, name.replace("_20_", " ")))
            if hint:
                return hint
            name = parents.get(name, "")
        return "body"

    def list_of(name: str) -> str:
        for _ in range(12):
            if not name or name in list_names:
                return list_names.get(name, "")
            name = parents.get(name, "")
        return ""

    return {name: hint_of(name) for name in display}, {name: list_of(name) for name in display}


def _hint_of_name(name: str) -> str:
    """The hint of a style the file names but does not define (LibreOffice leaves its own
    unchanged "Quotations" out): its name alone says what it is."""
    return hint_of_style_name(name.replace("_20_", " ")) or "body"


def is_encrypted(path: Path, zipped: SafeZip) -> bool:
    if not zipped.has("META-INF/manifest.xml"):
        return False
    manifest = zipped.read("META-INF/manifest.xml", cap=4 * 1024 * 1024)
    return b"encryption-data" in manifest


def read_odt(path: Path, zipped: SafeZip, page_header: bool = False) -> Extracted:
    """``page_header``: also read the page headers (when the file name leaves the
    candidate's name or number to the text, as for a .docx)."""
    if is_encrypted(path, zipped):
        raise ImportFailure(path, "the document is password-protected; ask for a copy saved without a password")
    if not zipped.has("content.xml"):
        raise ImportFailure(path, "this is not an OpenDocument text file (it has no content.xml); the file may be damaged")
    root = parse_xml(path, zipped.read("content.xml"), "content.xml")
    body = root.find(f"{{{OFFICE}}}body")
    text_root = body.find(f"{{{OFFICE}}}text") if body is not None else None
    if text_root is None:
        raise ImportFailure(path, "this OpenDocument file is not a text document")
    sources = [root]
    if zipped.has("styles.xml"):
        sources.append(parse_xml(path, zipped.read("styles.xml"), "styles.xml"))
    hints, paragraph_lists = _style_hints(sources)
    lists, outline = _list_styles(sources)
    reader = _Reader(hints, lists, outline, paragraph_lists)
    blocks: list[Block] = []
    reader.blocks(text_root, blocks)
    header = _page_header(sources[1:], hints) if page_header else []
    return Extracted("odt", blocks, footnotes=reader.notes, rewrap=REWRAP_AUTO, running_header=header)


_HEADERS = (f"{{{STYLE}}}header", f"{{{STYLE}}}header-first", f"{{{STYLE}}}header-left")


def _page_header(style_roots, hints: dict[str, str]) -> list[str]:
    """The lines of the page headers of the master pages (styles.xml): where a student
    often types their name and candidate number."""
    lines: list[str] = []
    for root in style_roots:
        for master in root.iter(f"{{{STYLE}}}master-page"):
            for child in master:
                if child.tag in _HEADERS:
                    found: list[Block] = []
                    _Reader(hints).blocks(child, found)
                    lines += [b.text.strip() for b in found if b.text.strip() and b.text.strip() not in lines]
    return lines[:12]
