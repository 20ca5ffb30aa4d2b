"""OpenDocument text (.odt): ``content.xml`` read with lxml from a checked zip.

``text:p`` paragraphs are body, ``text:h`` headings; paragraph styles called Title /
Subtitle give the title hint, Heading… a heading, Quotations a quote. Footnotes and
endnotes (``text:note``) are taken out of the paragraph they sit in and returned
separately. Lists and sections are read in order.

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

import re
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.importing.base import REWRAP_AUTO, Extracted
from rubric.importing.paragraphs import Block
from rubric.importing.safety import SafeZip, parse_xml

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
#: Cell separator in a table-row block (the docx convention).
CELL_SEPARATOR = " | "

_TITLE = re.compile(r"^(title|subtitle)$", re.I)
_HEADING = re.compile(r"^heading", re.I)
_QUOTE = re.compile(r"quotation|quote", re.I)


class _Reader:
    def __init__(self, hints: dict[str, str]):
        self.hints = hints
        self.notes: list[str] = []

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
                out.append(Block("".join(parts), hint))
                for shape in shapes:
                    self.shape(shape, out)
            elif tag in _BLOCK_CONTAINERS:
                self.blocks(child, out)
            elif tag == _TABLE:
                self.table(child, out)
            elif tag in _INDEXES:
                self.index(child, _INDEXES[tag], out)
            elif tag.startswith(_DRAW_NS):  # a frame anchored to the page
                self.shape(child, out)
            # anything else (tracked changes, declarations, forms, soft page breaks) is skipped

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
                        self.notes.append(text)
                    self.notes.extend(sub.notes)
            elif tag.startswith(_DRAW_NS):  # frames, shapes, links around them: read after
                shapes.append(child)
            elif tag in _SKIP_INLINE or tag.startswith(f"{{{SVG}}}"):
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


def _style_hints(path: Path, zipped: SafeZip, content_root) -> dict[str, str]:
    """Map style names used by paragraphs to hints, following parent styles."""
    parents: dict[str, str] = {}
    display: dict[str, str] = {}
    sources = [content_root]
    if zipped.has("styles.xml"):
        sources.append(parse_xml(path, zipped.read("styles.xml"), "styles.xml"))
    for root in sources:
        for style in root.iter(f"{{{STYLE}}}style"):
            if style.get(f"{{{STYLE}}}family") not in (None, "paragraph"):
                continue
            name = style.get(f"{{{STYLE}}}name") or ""
            parents.setdefault(name, style.get(f"{{{STYLE}}}parent-style-name") or "")
            display.setdefault(name, style.get(f"{{{STYLE}}}display-name") or name.replace("_20_", " "))

    def hint_of(name: str) -> str:
        for _ in range(12):
            if not name:
                break
            label = display.get(name, name.replace("_20_", " "))
            if _TITLE.match(label):
                return "title"
            if _HEADING.match(label):
                return "heading"
            if _QUOTE.search(label):
                return "quote"
            name = parents.get(name, "")
        return "body"

    return {name: hint_of(name) for name in display}


def _hint_of_name(name: str) -> str:
    """The hint of a style the file names but does not define (LibreOffice leaves its own
    unchanged "Quotations" out): its name alone says what it is."""
    label = name.replace("_20_", " ")
    if not label:
        return "body"
    if _TITLE.match(label):
        return "title"
    if _HEADING.match(label):
        return "heading"
    return "quote" if _QUOTE.search(label) else "body"


def is_encrypted(path: Path, zipped: SafeZip) -> bool:
    if not zipped.has("META-INF/manifest.xml"):
        return False
    manifest = zipped.read("META-INF/manifest.xml", cap=4 * 1024 * 1024)
    return b"encryption-data" in manifest


def read_odt(path: Path, zipped: SafeZip) -> Extracted:
    if is_encrypted(path, zipped):
        raise ImportFailure(path, "the document is password-protected; ask for a copy saved without a password")
    if not zipped.has("content.xml"):
        raise ImportFailure(path, "this is not an OpenDocument text file (it has no content.xml); the file may be damaged")
    root = parse_xml(path, zipped.read("content.xml"), "content.xml")
    body = root.find(f"{{{OFFICE}}}body")
    text_root = body.find(f"{{{OFFICE}}}text") if body is not None else None
    if text_root is None:
        raise ImportFailure(path, "this OpenDocument file is not a text document")
    reader = _Reader(_style_hints(path, zipped, root))
    blocks: list[Block] = []
    reader.blocks(text_root, blocks)
    return Extracted("odt", blocks, footnotes=reader.notes, rewrap=REWRAP_AUTO)
