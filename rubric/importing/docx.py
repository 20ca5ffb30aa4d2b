"""Word .docx: read the zip with :mod:`zipfile` and the XML with lxml (no python-docx).

What is read: body paragraphs in order, table cells (as body paragraphs), content
controls, text boxes (after the paragraph that anchors them), inserted tracked changes
and field results. What is left out: deleted text, field codes, comments, headers and
footers. Footnotes and endnotes (``word/footnotes.xml``, ``word/endnotes.xml``) come back
separately, in the order the body refers to them.

Paragraph styles give hints: ``Title``/``Subtitle`` → title, ``Heading N`` (or any
style based on one, or with an outline level) → heading, ``Quote``/``Intense Quote``/
``Block Text`` → quote, ``TOC N`` → heading.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.importing.base import REWRAP_AUTO, Extracted
from rubric.importing.paragraphs import Block
from rubric.importing.safety import SafeZip, check_xml, parse_xml

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_HEADING_NAME = re.compile(r"^(heading \d|heading)$", re.I)
_TITLE_NAME = re.compile(r"^(title|subtitle)$", re.I)
_QUOTE_NAME = re.compile(r"quote|block text", re.I)
_TOC_NAME = re.compile(r"^(toc \d|toc heading|table of contents)$", re.I)


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace."""

    def __init__(self, ns: str):
        def w(name: str) -> str:
            return f"{{{ns}}}{name}"

        self.val = w("val")
        self.id = w("id")
        self.type = w("type")
        self.body = w("body")
        self.p = w("p")
        self.r = w("r")
        self.t = w("t")
        self.tab = w("tab")
        self.ptab = w("ptab")
        self.br = w("br")
        self.cr = w("cr")
        self.no_break_hyphen = w("noBreakHyphen")
        self.tbl = w("tbl")
        self.tr = w("tr")
        self.tc = w("tc")
        self.sdt = w("sdt")
        self.sdt_content = w("sdtContent")
        self.custom_xml = w("customXml")
        self.ppr = w("pPr")
        self.pstyle = w("pStyle")
        self.outline = w("outlineLvl")
        self.ind = w("ind")
        self.left = w("left")
        self.start = w("start")
        self.first_line = w("firstLine")
        self.footnote_ref = w("footnoteReference")
        self.endnote_ref = w("endnoteReference")
        self.drawing = w("drawing")
        self.pict = w("pict")
        self.txbx = w("txbxContent")
        self.style = w("style")
        self.name = w("name")
        self.based_on = w("basedOn")
        self.style_id = w("styleId")
        self.footnote = w("footnote")
        self.endnote = w("endnote")
        self.alternate = f"{{{MC}}}AlternateContent"
        # inline containers whose children are runs or more containers
        self.inline_containers = frozenset(
            w(n)
            for n in (
                "hyperlink", "ins", "moveTo", "smartTag", "customXml", "fldSimple", "sdt",
                "sdtContent", "dir", "bdo", "r",
            )
        )
        # block containers whose children are paragraphs/tables
        self.block_containers = frozenset((self.sdt_content, self.custom_xml))


def _find_part(zipped: SafeZip, rels_part: str, base_dir: str, rel_suffix: str, default: str) -> str | None:
    """The zip name of a related part, from a .rels file when there is one."""
    if zipped.has(rels_part):
        root = parse_xml(zipped.path, zipped.read(rels_part, cap=2 * 1024 * 1024), rels_part)
        for rel in root.iter(f"{{{REL}}}Relationship"):
            if (rel.get("Type") or "").endswith(rel_suffix) and rel.get("TargetMode") != "External":
                target = rel.get("Target") or ""
                name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base_dir, target))
                if zipped.has(name):
                    return name
    return default if zipped.has(default) else None


def main_document_part(zipped: SafeZip) -> str | None:
    if zipped.has("word/document.xml"):
        return "word/document.xml"
    return _find_part(zipped, "_rels/.rels", "", "/officeDocument", "word/document.xml")


class _Reader:
    def __init__(self, tags: _Tags, style_hints: dict[str, str]):
        self.tags = tags
        self.style_hints = style_hints
        self.note_refs: list[tuple[str, str]] = []  # (kind, id) in order of reference

    # block level ------------------------------------------------------------------
    def blocks(self, container, out: list[Block]) -> None:
        tg = self.tags
        for child in container:
            tag = child.tag
            if tag == tg.p:
                self.paragraph(child, out)
            elif tag == tg.tbl:
                for row in _children(child, tg.tr, tg):
                    for cell in _children(row, tg.tc, tg):
                        self.blocks(cell, out)
            elif tag == tg.sdt:
                content = child.find(tg.sdt_content)
                if content is not None:
                    self.blocks(content, out)
            elif tag in tg.block_containers:
                self.blocks(child, out)
            elif tag == tg.alternate and len(child):
                self.blocks(child[0], out)

    def paragraph(self, p, out: list[Block]) -> None:
        tg = self.tags
        hint = "body"
        indent = False
        ppr = p.find(tg.ppr)
        if ppr is not None:
            style = ppr.find(tg.pstyle)
            if style is not None:
                hint = self.style_hints.get(style.get(tg.val) or "", "body")
            outline = ppr.find(tg.outline)
            if outline is not None and hint == "body" and (outline.get(tg.val) or "9") < "9":
                hint = "heading"
            ind = ppr.find(tg.ind)
            if ind is not None:
                for attr in (tg.left, tg.start, tg.first_line):
                    value = ind.get(attr)
                    if value and value.lstrip("-").isdigit() and int(value) > 0:
                        indent = True
                        break
        parts: list[str] = []
        boxes: list = []
        self.inline(p, parts, boxes)
        out.append(Block("".join(parts), hint, indent))
        for box in boxes:
            self.blocks(box, out)

    # inline level -----------------------------------------------------------------
    def inline(self, element, parts: list[str], boxes: list) -> None:
        tg = self.tags
        for child in element:
            tag = child.tag
            if tag == tg.t:
                if child.text:
                    parts.append(child.text)
            elif tag in tg.inline_containers:
                self.inline(child, parts, boxes)
            elif tag == tg.tab or tag == tg.ptab:
                parts.append("\t")
            elif tag == tg.br or tag == tg.cr:
                parts.append("\n")
            elif tag == tg.no_break_hyphen:
                parts.append("\u2011")
            elif tag == tg.footnote_ref:
                self.note_refs.append(("footnote", child.get(tg.id) or ""))
            elif tag == tg.endnote_ref:
                self.note_refs.append(("endnote", child.get(tg.id) or ""))
            elif tag == tg.drawing or tag == tg.pict:
                boxes.extend(child.iter(tg.txbx))
            elif tag == tg.alternate and len(child):
                self.inline(child[0], parts, boxes)  # mc:Choice only; the Fallback repeats it


def _children(element, tag: str, tg: _Tags):
    """Direct children with ``tag``, looking through content controls and custom XML."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag == tg.sdt:
            content = child.find(tg.sdt_content)
            if content is not None:
                yield from _children(content, tag, tg)
        elif child.tag == tg.custom_xml:
            yield from _children(child, tag, tg)


_STYLE_START = re.compile(rb"""<w:style\b([^>]*?)\bw:styleId\s*=\s*(?:"([^"]*)"|'([^']*)')([^>]*)>""")
_ATTR = {
    name: re.compile(rb"\bw:" + name.encode() + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    for name in ("type", "val")
}
_STYLE_CHILD = re.compile(rb"<w:(name|basedOn|outlineLvl)\b([^>]*)>")


def _attr(name: str, text: bytes) -> str | None:
    match = _ATTR[name].search(text)
    if not match:
        return None
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return html.unescape(raw.decode("utf-8", "replace"))


def _scan_styles(data: bytes, used: set[str]) -> tuple[dict[str, str], dict[str, str], set[str]] | None:
    """Names, parents and outline-level styles of the paragraph styles in ``used`` (and
    the styles they are based on), read from the raw bytes of styles.xml with regular
    expressions: a full parse of the 350 KB styles part that Word templates carry costs
    ~5 ms, this well under 1 ms. None when the part does not use the usual ``w:`` prefix,
    so the caller parses it properly. (The bytes have passed :func:`check_xml`.)"""
    if b'xmlns:w="' + W_MAIN.encode() + b'"' not in data[:4096]:
        return None
    index: dict[str, tuple[bytes, int]] = {}
    for match in _STYLE_START.finditer(data):
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        sid = html.unescape(raw.decode("utf-8", "replace"))
        index.setdefault(sid, (match.group(1) + match.group(4), match.end()))
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    outline: set[str] = set()
    queue = list(used)
    while queue:
        sid = queue.pop()
        if sid in names or sid not in index:
            continue
        attrs, start = index[sid]
        names[sid] = sid
        if _attr("type", attrs) not in (None, "paragraph") or attrs.rstrip().endswith(b"/"):
            continue
        end = data.find(b"</w:style>", start)
        body = data[start : end if end != -1 else len(data)]
        for child in _STYLE_CHILD.finditer(body):
            value = _attr("val", child.group(2)) or ""
            kind = child.group(1)
            if kind == b"name":
                names[sid] = value or sid
            elif kind == b"basedOn":
                parents[sid] = value
                queue.append(value)
            elif value and value < "9":
                outline.add(sid)
    return names, parents, outline


def _parse_styles(root, tags: _Tags) -> tuple[dict[str, str], dict[str, str], set[str]]:
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    outline: set[str] = set()
    for style in root.iter(tags.style):
        if style.get(tags.type) not in (None, "paragraph"):
            continue
        sid = style.get(tags.style_id) or ""
        name_el = style.find(tags.name)
        names[sid] = (name_el.get(tags.val) if name_el is not None else sid) or sid
        based = style.find(tags.based_on)
        if based is not None:
            parents[sid] = based.get(tags.val) or ""
        ppr = style.find(tags.ppr)
        if ppr is not None:
            level = ppr.find(tags.outline)
            if level is not None and (level.get(tags.val) or "9") < "9":
                outline.add(sid)
    return names, parents, outline


def _style_hints(zipped: SafeZip, part: str | None, tags: _Tags, used: set[str]) -> dict[str, str]:
    if not used or part is None:
        return {}
    data = zipped.read(part)
    scanned = _scan_styles(data, used) if tags.val == f"{{{W_MAIN}}}val" and check_xml(zipped.path, data, part) else None
    if scanned is None:
        scanned = _parse_styles(parse_xml(zipped.path, data, part), tags)
    names, parents, outline = scanned

    def hint_of(sid: str) -> str:
        seen = 0
        while sid and seen < 12:
            name = names.get(sid, sid)
            if _TITLE_NAME.match(name):
                return "title"
            if _HEADING_NAME.match(name) or _TOC_NAME.match(name) or sid in outline:
                return "heading"
            if _QUOTE_NAME.search(name):
                return "quote"
            sid = parents.get(sid, "")
            seen += 1
        return "body"

    return {sid: hint_of(sid) for sid in used}


def _notes(zipped: SafeZip, part: str | None, tag: str, tags: _Tags, reader: _Reader, kind: str) -> list[str]:
    if part is None:
        return []
    root = parse_xml(zipped.path, zipped.read(part), part)
    by_id: dict[str, str] = {}
    for note in root.iter(tag):
        if note.get(tags.type) not in (None, "normal"):
            continue  # separators
        blocks: list[Block] = []
        sub = _Reader(tags, {})
        sub.blocks(note, blocks)
        text = " ".join(b.text.replace("\n", " ") for b in blocks if b.text.strip())
        by_id[note.get(tags.id) or str(len(by_id))] = text
    ordered: list[str] = []
    for ref_kind, ref_id in reader.note_refs:
        if ref_kind == kind and ref_id in by_id:
            ordered.append(by_id.pop(ref_id))
    ordered.extend(by_id.values())
    return [text for text in ordered if text.strip()]


def read_docx(path: Path, zipped: SafeZip) -> Extracted:
    part = main_document_part(zipped)
    if part is None:
        raise ImportFailure(path, "this is not a Word document (it has no main document part); the file may be damaged")
    root = parse_xml(path, zipped.read(part), part)
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if ns not in (W_MAIN, W_STRICT):
        raise ImportFailure(path, "this is not a Word document (its main part is not WordprocessingML)")
    tags = _Tags(ns)
    body = root.find(tags.body)
    if body is None:
        raise ImportFailure(path, "the Word document has no body; the file may be damaged")

    used = {el.get(tags.val) or "" for el in body.iter(tags.pstyle)}
    base_dir = posixpath.dirname(part)
    rels = posixpath.join(base_dir, "_rels", posixpath.basename(part) + ".rels")
    styles_part = _find_part(zipped, rels, base_dir, "/styles", posixpath.join(base_dir, "styles.xml"))
    reader = _Reader(tags, _style_hints(zipped, styles_part, tags, used))
    blocks: list[Block] = []
    reader.blocks(body, blocks)

    footnotes_part = _find_part(zipped, rels, base_dir, "/footnotes", posixpath.join(base_dir, "footnotes.xml"))
    endnotes_part = _find_part(zipped, rels, base_dir, "/endnotes", posixpath.join(base_dir, "endnotes.xml"))
    notes = _notes(zipped, footnotes_part, tags.footnote, tags, reader, "footnote")
    notes += _notes(zipped, endnotes_part, tags.endnote, tags, reader, "endnote")
    return Extracted("docx", blocks, footnotes=notes, rewrap=REWRAP_AUTO)
