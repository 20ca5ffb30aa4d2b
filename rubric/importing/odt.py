"""OpenDocument text (.odt): ``content.xml`` read with lxml from a checked zip.

``text:p`` paragraphs are body, ``text:h`` headings; paragraph styles called Title /
Subtitle give the title hint, Heading… a heading, Quotations a quote. Footnotes and
endnotes (``text:note``) are taken out of the paragraph they sit in and returned
separately. Lists, tables and sections are read in order; the table of contents,
tracked deletions and comments are left out.
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

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def _t(name: str) -> str:
    return f"{{{TEXT}}}{name}"


T_P, T_H, T_S, T_TAB, T_BR = _t("p"), _t("h"), _t("s"), _t("tab"), _t("line-break")
T_NOTE, T_NOTE_BODY, T_NOTE_CLASS = _t("note"), _t("note-body"), _t("note-class")
T_STYLE_NAME, T_C = _t("style-name"), _t("c")
_BLOCK_CONTAINERS = {
    _t("list"), _t("list-item"), _t("list-header"), _t("section"), _t("index-body"),
    f"{{{TABLE}}}table", f"{{{TABLE}}}table-row", f"{{{TABLE}}}table-rows",
    f"{{{TABLE}}}table-header-rows", f"{{{TABLE}}}table-row-group", f"{{{TABLE}}}table-cell",
    f"{{{TABLE}}}table-column-group",
}
_SKIP_BLOCKS = {
    _t("tracked-changes"), _t("table-of-content"), _t("alphabetical-index"),
    _t("illustration-index"), _t("sequence-decls"), _t("variable-decls"),
    _t("user-field-decls"), f"{{{OFFICE}}}forms", f"{{{TABLE}}}covered-table-cell",
}
_SKIP_INLINE = {
    f"{{{OFFICE}}}annotation", f"{{{OFFICE}}}annotation-end", _t("tracked-changes"),
    _t("change"), _t("change-start"), _t("change-end"), _t("bookmark-ref-start"),
}
_FRAME = f"{{{DRAW}}}frame"
_TEXT_BOX = f"{{{DRAW}}}text-box"
_ANCHOR = f"{{{DRAW}}}a"

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
            if tag == T_P or tag == T_H:
                parts: list[str] = []
                boxes: list = []
                self.inline(child, parts, boxes)
                hint = self.hints.get(child.get(T_STYLE_NAME) or "", "body")
                if tag == T_H and hint == "body":
                    hint = "heading"
                out.append(Block("".join(parts), hint))
                for box in boxes:
                    self.blocks(box, out)
            elif tag in _BLOCK_CONTAINERS:
                self.blocks(child, out)
            elif tag in _SKIP_BLOCKS or not isinstance(tag, str):
                continue

    def inline(self, element, parts: list[str], boxes: list) -> None:
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
            elif tag == _FRAME or tag == _ANCHOR:
                boxes.extend(child.iter(_TEXT_BOX))
            elif tag in _SKIP_INLINE:
                pass
            else:  # spans, links, fields, ruby…: their text is the displayed text
                self.inline(child, parts, boxes)
            if child.tail:
                parts.append(child.tail)


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
