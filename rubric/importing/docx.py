"""Word .docx: read the zip with :mod:`zipfile` and the XML with lxml (no python-docx).

What is read, in document order:

* body paragraphs, content controls, inserted tracked changes, field results, hyperlinks,
  text boxes (after the paragraph that anchors them);
* **tables**: each row is one block with the hint ``table``, its cells joined by " | "
  (a cell's paragraphs are joined by spaces; empty cells at the end of a row are dropped,
  empty rows are skipped). Cell styles are ignored, so a cell is never a heading or a
  title. A nested table's rows follow the row that holds it. A table of one cell (a box
  drawn round the text) is not a table: its paragraphs are read as ordinary paragraphs;
* **embedded parts** (``w:altChunk``): an HTML page, an MHT web archive, plain text or
  another .docx merged into the document is read in place (an RTF part is skipped with a
  warning). Each is capped (4 MB, 16 MB in all) and parsed with no entities and no network;
* **ruby** text gives its base text only (the reading aid above it is left out);
* a **drop cap** (a paragraph framed with ``w:dropCap``) joins the word it starts:
  "T" + "he war began" → "The war began";
* **list numbers and bullets** as Word shows them, from ``numbering.xml`` ("1.", "a)",
  "iv.", "2.1", "•"): counters belong to the abstract list, so two numbering instances of
  one list continue each other unless one restarts (``w:startOverride``); a deeper level
  restarts after a shallower one (``w:lvlRestart``); bullets in symbol fonts (Symbol,
  Wingdings) or private-use characters become "•". Numbering set by a paragraph style
  (List Number, numbered headings) is followed too;
* **footnote and endnote marks** stay in the text as ``[1]``, ``[2]``… in the order they
  are referred to; the notes come back separately (:attr:`Extracted.footnotes`), each
  starting with the same mark ("[1] Evans, p. 12."), footnotes first, then endnotes.
  Footnotes and endnotes are numbered separately, as Word numbers them: footnotes
  1, 2, 3… and endnotes i, ii, iii… unless the document sets another format
  (``w:footnotePr``/``w:endnotePr``, e.g. decimal endnotes give [1], [2]…). A custom
  mark ("*") is kept as ``[*]``. A note that the text never refers to comes last with no mark.

What is left out: deleted text, field codes, comments, headers and footers.

Paragraph styles give hints: ``Title``/``Subtitle`` → title, ``Heading N`` (or any
style based on one, or with an outline level) → heading, ``Quote``/``Intense Quote``/
``Block Text`` → quote, ``TOC N`` → heading. The styles part is usually the same for a
whole class (one school template), so what is read from it is cached by the part's
CRC-32 and size, and the next file with the same styles does not even inflate it.
"""

from __future__ import annotations

import html
import posixpath
import re
import threading
from collections import OrderedDict
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.importing.base import REWRAP_AUTO, Extracted
from rubric.importing.model import ScriptWarning
from rubric.importing.numbering import format_number
from rubric.importing.paragraphs import CELL_SEPARATOR, Block
from rubric.importing.safety import MB, SafeZip, check_xml, open_zip, parse_xml
from rubric.importing.style_names import HEADING_NAME as _HEADING_NAME
from rubric.importing.style_names import QUOTE_NAME as _QUOTE_NAME
from rubric.importing.style_names import TITLE_NAME as _TITLE_NAME
from rubric.record import factory, record, replace

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
R_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"

_TOC_NAME = re.compile(r"^(toc \d|toc heading|table of contents)$", re.I)

#: Embedded parts (w:altChunk): the most read for one, and for one document in all.
MAX_CHUNK = 4 * MB
MAX_CHUNKS_TOTAL = 16 * MB
#: How deep a .docx embedded in a .docx is followed (1: the embedded one, not its own).
MAX_CHUNK_DEPTH = 1
_TRUE = ("1", "true", "on", None)


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace."""

    def __init__(self, ns: str):
        def w(name: str) -> str:
            return f"{{{ns}}}{name}"

        self.ns = ns
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
        self.rpr = w("rPr")
        self.pstyle = w("pStyle")
        self.outline = w("outlineLvl")
        self.ind = w("ind")
        self.left = w("left")
        self.start = w("start")
        self.first_line = w("firstLine")
        self.footnote_ref = w("footnoteReference")
        self.endnote_ref = w("endnoteReference")
        self.custom_mark = w("customMarkFollows")
        self.drawing = w("drawing")
        self.pict = w("pict")
        self.txbx = w("txbxContent")
        self.style = w("style")
        self.name = w("name")
        self.based_on = w("basedOn")
        self.style_id = w("styleId")
        self.footnote = w("footnote")
        self.endnote = w("endnote")
        self.ruby = w("ruby")
        self.ruby_base = w("rubyBase")
        self.frame = w("framePr")
        self.drop_cap = w("dropCap")
        self.num_pr = w("numPr")
        self.ilvl = w("ilvl")
        self.num_id = w("numId")
        self.alt_chunk = w("altChunk")
        self.sect_pr = w("sectPr")
        self.footnote_pr = w("footnotePr")
        self.endnote_pr = w("endnotePr")
        self.num_fmt = w("numFmt")
        self.num_start = w("numStart")
        self.vanish = w("vanish")
        self.rstyle = w("rStyle")
        self.rpr_tag = w("rPr")
        self.deleted = w("del")
        self.move_from = w("moveFrom")
        self.sdt_pr = w("sdtPr")
        self.showing_placeholder = w("showingPlcHdr")
        self.sym = w("sym")
        self.sym_font, self.sym_char = w("font"), w("char")
        # numbering.xml
        self.abstract_num = w("abstractNum")
        self.abstract_num_id = w("abstractNumId")
        self.num = w("num")
        self.lvl = w("lvl")
        self.lvl_text = w("lvlText")
        self.lvl_restart = w("lvlRestart")
        self.is_lgl = w("isLgl")
        self.suff = w("suff")
        self.lvl_override = w("lvlOverride")
        self.start_override = w("startOverride")
        self.num_style_link = w("numStyleLink")
        self.style_link = w("styleLink")
        self.rfonts = w("rFonts")
        self.font_attrs = (w("ascii"), w("hAnsi"), w("cs"), w("eastAsia"))
        r_ns = R_STRICT if ns == W_STRICT else R_MAIN
        self.r_id = f"{{{r_ns}}}id"
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
        # what :meth:`_Reader.inline` does more with than keep its text (or never reads)
        self.inline_specials = (
            self.tab, self.ptab, self.br, self.cr, self.no_break_hyphen, self.footnote_ref,
            self.endnote_ref, self.ruby, self.drawing, self.pict, self.alternate, self.vanish,
            self.showing_placeholder, self.sym,
        )


# --- relationships ---------------------------------------------------------------------

def _rels_name(part: str) -> str:
    base_dir = posixpath.dirname(part)
    return posixpath.join(base_dir, "_rels", posixpath.basename(part) + ".rels")


def _relationships(zipped: SafeZip, part: str) -> dict[str, tuple[str, str]]:
    """``{rId: (type, zip name)}`` for the internal relationships of ``part`` (never
    changed by the caller: a class set's files share one, cached by CRC-32 and size)."""
    rels_part = _rels_name(part)
    if not zipped.has(rels_part):
        return {}
    info = zipped.info(rels_part)
    key = (rels_part, info.CRC, info.file_size)
    cached = _RELS_CACHE.get(key)
    if cached is not None:
        return cached
    base_dir = posixpath.dirname(part)
    root = parse_xml(zipped.path, zipped.read(rels_part, cap=2 * MB), rels_part)
    out: dict[str, tuple[str, str]] = {}
    for rel in root.iter(f"{{{REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base_dir, target))
        out[rel.get("Id") or ""] = (rel.get("Type") or "", name)
    _RELS_CACHE.put(key, out)
    return out


def _related(zipped: SafeZip, rels: dict[str, tuple[str, str]], suffix: str, default: str) -> str | None:
    for rel_type, name in rels.values():
        if rel_type.endswith(suffix) and zipped.has(name):
            return name
    return default if zipped.has(default) else None


def _find_part(zipped: SafeZip, rels_part: str, base_dir: str, rel_suffix: str, default: str) -> str | None:
    """The zip name of a related part, from a .rels file when there is one."""
    if zipped.has(rels_part):
        root = parse_xml(zipped.path, zipped.read(rels_part, cap=2 * MB), rels_part)
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


# --- a small cache for parts that a class set shares (styles, numbering) ----------------

class _LRU:
    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_STYLE_CACHE = _LRU(16)
_NUMBERING_CACHE = _LRU(16)
_RELS_CACHE = _LRU(64)


def _cache_key(zipped: SafeZip, part: str, ns: str) -> tuple:
    info = zipped.info(part)
    return (ns, info.CRC, info.file_size)


# --- styles ----------------------------------------------------------------------------

class _Styles:
    """What the importer needs from styles.xml: names, parents and outline levels of the
    paragraph styles, and the list numbering a style applies (``(numId, ilvl)``, either may
    be None). Shared between files through the cache (so thread-safe).

    Filled either at once (:func:`_parse_styles`, for unusual prefixes and Strict files)
    or, usually, lazily from the raw bytes (:func:`_scan_styles`): only the styles a
    document uses, and the styles they are based on, are ever looked at."""

    def __init__(self, data: bytes | None = None, index: dict[str, tuple[bytes, int]] | None = None):
        self.names: dict[str, str] = {}
        self.parents: dict[str, str] = {}
        self.outline: set[str] = set()
        self.numbering: dict[str, tuple[str | None, str | None]] = {}
        #: styles (character or paragraph) whose text is hidden (w:vanish, inherited too)
        self.hidden: frozenset[str] = frozenset()
        self._hints: dict[str, str] = {}
        self._num_prs: dict[str, tuple[str | None, str | None, str] | None] = {}
        self._data = data
        self._index = index
        self._done: set[str] = set()
        self._lock = threading.Lock()

    def _load(self, sid: str) -> None:
        """Read style ``sid`` from the raw bytes, once."""
        if self._index is None or sid in self._done:
            return
        with self._lock:
            if sid in self._done:
                return
            entry = self._index.get(sid)
            if entry is not None:
                self._read(sid, *entry)
            self._done.add(sid)

    def _read(self, sid: str, attrs: bytes, start: int) -> None:
        data = self._data or b""
        if _attr("type", attrs) not in (None, "paragraph", "numbering"):
            return
        self.names[sid] = sid
        if attrs.rstrip().endswith(b"/"):
            return
        end = data.find(b"</w:style>", start)
        body = data[start : end if end != -1 else len(data)]
        num_id = ilvl = None
        for child in _STYLE_CHILD.finditer(body):
            value = _attr("val", child.group(2)) or ""
            tag = child.group(1)
            if tag == b"name":
                self.names[sid] = value or sid
            elif tag == b"basedOn":
                self.parents[sid] = value
            elif tag == b"outlineLvl":
                if value and value < "9":
                    self.outline.add(sid)
            elif tag == b"numId":
                num_id = value
            else:
                ilvl = value
        if num_id is not None or ilvl is not None:
            self.numbering[sid] = (num_id, ilvl)

    def parent(self, sid: str) -> str:
        self._load(sid)
        return self.parents.get(sid, "")

    def num(self, sid: str) -> tuple[str | None, str | None] | None:
        self._load(sid)
        return self.numbering.get(sid)

    def hint(self, sid: str) -> str:
        cached = self._hints.get(sid)
        if cached is not None:
            return cached
        start, seen, hint = sid, 0, "body"
        while sid and seen < 12:
            self._load(sid)
            name = self.names.get(sid, sid)
            if _TITLE_NAME.match(name):
                hint = "title"
                break
            if _HEADING_NAME.match(name) or _TOC_NAME.match(name) or sid in self.outline:
                hint = "heading"
                break
            if _QUOTE_NAME.search(name):
                hint = "quote"
                break
            sid = self.parents.get(sid, "")
            seen += 1
        self._hints[start] = hint
        return hint

    def num_pr(self, sid: str) -> tuple[str | None, str | None, str] | None:
        """``(numId, ilvl, style)`` from the style or the styles it is based on (each from
        the nearest style that sets it; ``style`` is the one that gave the numId)."""
        try:
            return self._num_prs[sid]
        except KeyError:
            found = self._num_prs[sid] = self._find_num_pr(sid)
            return found

    def _find_num_pr(self, sid: str) -> tuple[str | None, str | None, str] | None:
        num_id = ilvl = None
        source = sid
        seen = 0
        while sid and seen < 12 and (num_id is None or ilvl is None):
            found = self.num(sid)
            if found is not None:
                if num_id is None and found[0] is not None:
                    num_id, source = found[0], sid
                if ilvl is None and found[1] is not None:
                    ilvl = found[1]
            sid = self.parent(sid)
            seen += 1
        if num_id is None and ilvl is None:
            return None
        return num_id, ilvl, source


_STYLE_START = re.compile(rb"""<w:style\b([^>]*?)\bw:styleId\s*=\s*(?:"([^"]*)"|'([^']*)')([^>]*)>""")
_ATTR = {
    name: re.compile(rb"\bw:" + name.encode() + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    for name in ("type", "val")
}
_STYLE_CHILD = re.compile(rb"<w:(name|basedOn|outlineLvl|numId|ilvl)\b([^>]*)>")
#: Bigger styles parts are read at once rather than kept in the cache as bytes.
_LAZY_STYLES_MAX = 4 * MB


def _attr(name: str, text: bytes) -> str | None:
    match = _ATTR[name].search(text)
    if not match:
        return None
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return html.unescape(raw.decode("utf-8", "replace"))


def _scan_styles(data: bytes) -> _Styles | None:
    """The styles of styles.xml, read from its raw bytes with regular expressions: a full
    parse of the 350 KB styles part that Word templates carry costs ~5 ms, indexing it
    ~0.4 ms, and only the styles a document uses are then read. None when the part does not
    use the usual ``w:`` prefix, so the caller parses it properly. (The bytes have passed
    :func:`check_xml`.)"""
    if b'xmlns:w="' + W_MAIN.encode() + b'"' not in data[:4096] or b"<w:vanish" in data:
        return None  # (a style that hides text is rare: the full parse finds them)
    index: dict[str, tuple[bytes, int]] = {}
    for match in _STYLE_START.finditer(data):
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        sid = html.unescape(raw.decode("utf-8", "replace"))
        index.setdefault(sid, (match.group(1) + match.group(4), match.end()))
    styles = _Styles(data, index)
    if len(data) > _LAZY_STYLES_MAX:  # do not keep megabytes alive in the cache
        for sid in index:
            styles._load(sid)
        styles._data = None
        styles._index = None
    return styles


def _parse_styles(root, tags: _Tags) -> _Styles:
    styles = _Styles()
    for style in root.iter(tags.style):
        if style.get(tags.type) not in (None, "paragraph", "numbering"):
            continue
        sid = style.get(tags.style_id) or ""
        name_el = style.find(tags.name)
        styles.names[sid] = (name_el.get(tags.val) if name_el is not None else sid) or sid
        based = style.find(tags.based_on)
        if based is not None:
            styles.parents[sid] = based.get(tags.val) or ""
        ppr = style.find(tags.ppr)
        if ppr is not None:
            level = ppr.find(tags.outline)
            if level is not None and (level.get(tags.val) or "9") < "9":
                styles.outline.add(sid)
            num_pr = ppr.find(tags.num_pr)
            if num_pr is not None:
                num_id, ilvl = num_pr.find(tags.num_id), num_pr.find(tags.ilvl)
                styles.numbering[sid] = (
                    num_id.get(tags.val) if num_id is not None else None,
                    ilvl.get(tags.val) if ilvl is not None else None,
                )
    styles.hidden = _hidden_styles(root, tags)
    return styles


def _hidden_styles(root, tags: _Tags) -> frozenset[str]:
    """The styles whose text Word hides: a character or paragraph style whose run
    properties set ``w:vanish``, or that is based on one (unless it turns it off)."""
    own: dict[str, bool] = {}
    parents: dict[str, str] = {}
    for style in root.iter(tags.style):
        sid = style.get(tags.style_id) or ""
        based = style.find(tags.based_on)
        if based is not None:
            parents[sid] = based.get(tags.val) or ""
        rpr = style.find(tags.rpr_tag)
        vanish = rpr.find(tags.vanish) if rpr is not None else None
        if vanish is not None:
            own[sid] = (vanish.get(tags.val) or "1") not in ("0", "false", "off")
    if not any(own.values()):
        return frozenset()
    hidden = set()
    for sid in set(own) | set(parents):
        seen, current = 0, sid
        while current and seen < 12 and current not in own:
            current, seen = parents.get(current, ""), seen + 1
        if own.get(current):
            hidden.add(sid)
    return frozenset(hidden)


def _load_styles(zipped: SafeZip, part: str | None, tags: _Tags) -> _Styles:
    if part is None:
        return _Styles()
    key = _cache_key(zipped, part, tags.ns)
    cached = _STYLE_CACHE.get(key)
    if cached is not None:
        return cached
    data = zipped.read(part)
    styles = _scan_styles(data) if tags.ns == W_MAIN and check_xml(zipped.path, data, part) else None
    if styles is None:
        styles = _parse_styles(parse_xml(zipped.path, data, part), tags)
    _STYLE_CACHE.put(key, styles)
    return styles


# --- numbers: lists and notes ----------------------------------------------------------

_SYMBOL_FONTS = re.compile(r"^(symbol|wingdings( [23])?|webdings|zapf ?dingbats|marlett|monotype sorts)$", re.I)


def _bullet(text: str, symbol_font: bool) -> str:
    """A bullet as a reader sees it: glyphs of symbol fonts and private-use characters
    (how Word stores the Symbol font's bullet, U+F0B7) become "•", and Word's second-level
    bullet (the letter "o") "◦"."""
    out = []
    for char in text:
        if symbol_font or "\ue000" <= char <= "\uf8ff":
            if not char.isspace():
                out.append("•")
        else:
            out.append(char)
    label = "".join(out)
    if label == "o":   # Word's second-level bullet: a letter o in Courier New, drawn as ◦
        return "◦"
    return re.sub("•+", "•", label)


@record
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart: None = after any shallower level, 0 = never
    legal: bool = False
    suffix: str = " "
    symbol_font: bool = False
    style: str = ""


@record(frozen=False)
class _NumberingDefs:
    abstracts: dict[str, dict[int, _Level]] = factory(dict)
    links: dict[str, str] = factory(dict)  # abstractNumId → numStyleLink style
    style_links: dict[str, str] = factory(dict)  # styleLink style → abstractNumId
    # numId → (abstractNumId, {ilvl: start override}, {ilvl: redefined level})
    nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = factory(dict)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _parse_level(lvl, tags: _Tags) -> _Level:
    def val(tag: str) -> str | None:
        el = lvl.find(tag)
        return el.get(tags.val) if el is not None else None

    fonts = lvl.find(tags.rpr)
    symbol = False
    if fonts is not None:
        rfonts = fonts.find(tags.rfonts)
        if rfonts is not None:
            symbol = any(_SYMBOL_FONTS.match(rfonts.get(a) or "") for a in tags.font_attrs)
    restart = val(tags.lvl_restart)
    legal = lvl.find(tags.is_lgl)
    suffix = {"nothing": "", "space": " "}.get(val(tags.suff) or "tab", " ")
    return _Level(
        start=_int(val(tags.start), 1),
        fmt=val(tags.num_fmt) or "decimal",
        text=val(tags.lvl_text) or "",
        restart=_int(restart, 0) if restart is not None else None,
        legal=legal is not None and legal.get(tags.val) in _TRUE,
        suffix=suffix,
        symbol_font=symbol,
        style=val(tags.pstyle) or "",
    )


def _parse_numbering(root, tags: _Tags) -> _NumberingDefs:
    defs = _NumberingDefs()
    for abstract in root.iter(tags.abstract_num):
        aid = abstract.get(tags.abstract_num_id) or ""
        levels: dict[int, _Level] = {}
        for lvl in abstract.findall(tags.lvl):
            ilvl = _int(lvl.get(tags.ilvl), -1)
            if 0 <= ilvl <= 8:
                levels[ilvl] = _parse_level(lvl, tags)
        defs.abstracts[aid] = levels
        link = abstract.find(tags.num_style_link)
        if link is not None and link.get(tags.val):
            defs.links[aid] = link.get(tags.val) or ""
        link = abstract.find(tags.style_link)
        if link is not None and link.get(tags.val):
            defs.style_links[link.get(tags.val) or ""] = aid
    for num in root.iter(tags.num):
        num_id = num.get(tags.num_id) or ""
        abstract_id = num.find(tags.abstract_num_id)
        if abstract_id is None:
            continue
        starts: dict[int, int] = {}
        redefined: dict[int, _Level] = {}
        for override in num.findall(tags.lvl_override):
            ilvl = _int(override.get(tags.ilvl), -1)
            if not 0 <= ilvl <= 8:
                continue
            start = override.find(tags.start_override)
            if start is not None:
                starts[ilvl] = _int(start.get(tags.val), 1)
            lvl = override.find(tags.lvl)
            if lvl is not None:
                redefined[ilvl] = _parse_level(lvl, tags)
        defs.nums[num_id] = (abstract_id.get(tags.val) or "", starts, redefined)
    return defs


def _load_numbering(zipped: SafeZip, part: str | None, tags: _Tags) -> _NumberingDefs:
    if part is None:
        return _NumberingDefs()
    key = _cache_key(zipped, part, tags.ns)
    cached = _NUMBERING_CACHE.get(key)
    if cached is None:
        cached = _parse_numbering(parse_xml(zipped.path, zipped.read(part), part), tags)
        _NUMBERING_CACHE.put(key, cached)
    return cached


class _Lists:
    """The list counters of one document (see the module docstring for Word's rules)."""

    def __init__(self, defs: _NumberingDefs, styles: _Styles):
        self.defs = defs
        self.styles = styles
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        self._levels: dict[str, dict[int, _Level]] = {}

    def _abstract(self, num_id: str) -> str | None:
        entry = self.defs.nums.get(num_id)
        if entry is None:
            return None
        aid = entry[0]
        for _ in range(4):  # a numbering style's list: follow numStyleLink
            link = self.defs.links.get(aid)
            if link is None:
                break
            target = self.defs.style_links.get(link)
            if target is None:
                styled = self.styles.num(link)
                linked = self.defs.nums.get(styled[0] or "") if styled else None
                target = linked[0] if linked else None
            if target is None or target == aid:
                break
            aid = target
        return aid

    def levels(self, num_id: str) -> dict[int, _Level]:
        cached = self._levels.get(num_id)
        if cached is not None:
            return cached
        aid = self._abstract(num_id)
        levels: dict[int, _Level] = {}
        if aid is not None:
            _, starts, redefined = self.defs.nums[num_id]
            levels = dict(self.defs.abstracts.get(aid, {}))
            levels.update(redefined)
            for ilvl, start in starts.items():
                if ilvl in levels:
                    levels[ilvl] = replace(levels[ilvl], start=start)
        self._levels[num_id] = levels
        return levels

    def level_of_style(self, num_id: str, style: str) -> int:
        for ilvl, level in self.levels(num_id).items():
            if level.style == style:
                return ilvl
        return 0

    def label(self, num_id: str, ilvl: int) -> str:
        """The number or bullet of the next paragraph of list ``num_id`` at level ``ilvl``
        (with the space after it), and count it."""
        if num_id in ("", "0") or not 0 <= ilvl <= 8:
            return ""
        levels = self.levels(num_id)
        level = levels.get(ilvl)
        if level is None:
            return ""
        aid = self._abstract(num_id) or ""
        counters = self.counters.setdefault(aid, [None] * 9)
        if num_id not in self.started:
            self.started.add(num_id)
            for restarted in self.defs.nums[num_id][1]:
                counters[restarted] = None
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart != 0 and ilvl < restart):
                counters[deeper] = None
        if level.fmt == "bullet":
            text = _bullet(level.text, level.symbol_font)
        else:
            def number(match: re.Match) -> str:
                k = int(match.group(1)) - 1
                of = levels.get(k, level)
                value = counters[k] if counters[k] is not None else of.start
                return format_number(value, "decimal" if level.legal and of.fmt != "none" else of.fmt)

            text = re.sub(r"%([1-9])", number, level.text)
            if level.symbol_font or any("\ue000" <= c <= "\uf8ff" for c in text):
                text = _bullet(text, level.symbol_font)
        text = text.strip()
        return text + level.suffix if text else ""


class _Notes:
    """Footnote and endnote marks, numbered in the order the text refers to them. Shared
    by a document and the documents embedded in it, so their numbers run on."""

    def __init__(self, formats):
        self._formats = formats  # () → {kind: (numFmt, first number)}, read on first use
        self.counts: dict[str, int] = {"footnote": 0, "endnote": 0}
        self.labels: dict[tuple[str, int, str], str] = {}  # (kind, document, note id) → label
        self.order: list[tuple[str, int, str]] = []

    def mark(self, kind: str, doc: int, note_id: str, custom: str | None = None) -> str:
        key = (kind, doc, note_id)
        label = self.labels.get(key)
        if label is None:
            if custom is not None:
                label = custom
            else:
                if callable(self._formats):
                    self._formats = self._formats()
                fmt, first = self._formats.get(kind, ("decimal", 1))
                label = format_number(first + self.counts[kind], fmt) or str(first + self.counts[kind])
                self.counts[kind] += 1
            self.labels[key] = label
            self.order.append(key)
        return label


def _note_formats(root, zipped: SafeZip, rels, tags: _Tags) -> dict[str, tuple[str, int]]:
    """Word's numbering of footnotes (1, 2, 3…) and endnotes (i, ii, iii…) unless the last
    section or the settings part says otherwise."""
    formats = {"footnote": ("decimal", 1), "endnote": ("lowerRoman", 1)}
    sources = []
    body = root.find(tags.body)
    sect = body.find(tags.sect_pr) if body is not None else None
    if sect is not None:
        sources.append(sect)
    settings = _related(zipped, rels, "/settings", "word/settings.xml")
    if settings is not None:
        try:
            sources.append(parse_xml(zipped.path, zipped.read(settings, cap=4 * MB), settings))
        except ImportFailure:
            pass  # Word's own numbering, then
    for kind, tag in (("footnote", tags.footnote_pr), ("endnote", tags.endnote_pr)):
        for source in sources:
            props = source.find(tag)
            if props is None:
                continue
            fmt, start = props.find(tags.num_fmt), props.find(tags.num_start)
            formats[kind] = (
                (fmt.get(tags.val) if fmt is not None else None) or formats[kind][0],
                _int(start.get(tags.val) if start is not None else None, formats[kind][1]),
            )
            break
    return formats


# --- embedded web pages (w:altChunk) ------------------------------------------------------

_HTML_BLOCK = frozenset(
    """p div h1 h2 h3 h4 h5 h6 li blockquote pre section article header footer address dt dd
    hr caption figcaption main aside nav center dl ul ol form fieldset legend details summary""".split()
)
_HTML_SKIP = frozenset(
    "head script style title noscript template svg math object iframe select option button textarea frameset frame".split()
)
_HTML_HINTS = {f"h{n}": "heading" for n in range(1, 7)} | {"blockquote": "quote"}
_HTML_CLASS_HINTS = (
    (re.compile(r"\bmso(title|subtitle)\b", re.I), "title"),
    (re.compile(r"\bmso(intense)?quote\b", re.I), "quote"),
)
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.I)


def _decode(data: bytes, charset: str | None = None) -> str:
    """Text of an embedded part: a BOM, else the declared charset, else UTF-8, else
    Windows-1252 (which decodes any byte)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    if charset is None:
        declared = _CHARSET.search(data[:4096])
        charset = declared.group(1).decode("ascii") if declared else None
    for codec in (charset, "utf-8"):
        if not codec:
            continue
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


class _HtmlReader:
    """Blocks from an HTML page, the way the docx body is read: a paragraph per block
    element, headings and quotations as hints, a table row per block, list items with
    their bullet or number."""

    def __init__(self):
        self.out: list[Block] = []
        self.parts: list[str] = []
        self.hint = "body"
        self.lists: list[list] = []  # [tag, next number, type]

    def flush(self) -> None:
        text = "".join(self.parts)
        self.parts = []
        if text.strip(" \n"):
            self.out.append(Block(text.strip(" "), self.hint))
        self.hint = "body"

    def walk(self, element, pre: bool = False) -> None:
        for child in element:
            tag = child.tag.lower() if isinstance(child.tag, str) else None
            if tag is None or tag in _HTML_SKIP:
                pass
            elif tag == "br":
                self.parts.append("\n")
            elif tag == "table":
                self.flush()
                self.table(child)
            elif tag in _HTML_BLOCK:
                self.flush()
                hint = _HTML_HINTS.get(tag, "body")
                for pattern, class_hint in _HTML_CLASS_HINTS:
                    if pattern.search(child.get("class") or ""):
                        hint = class_hint
                if tag in ("ul", "ol"):
                    kind = (child.get("type") or "1") if tag == "ol" else "•"
                    self.lists.append([tag, _int(child.get("start"), 1), kind])
                self.hint = hint
                if tag == "li":
                    self.parts.append(self.item_label(child))
                if child.text:
                    self.parts.append(self.space(child.text, pre or tag == "pre"))
                self.walk(child, pre or tag == "pre")
                self.flush()
                if tag in ("ul", "ol") and self.lists:
                    self.lists.pop()
            else:
                if child.text:
                    self.parts.append(self.space(child.text, pre))
                self.walk(child, pre)
            if child.tail:
                self.parts.append(self.space(child.tail, pre))

    @staticmethod
    def space(text: str, pre: bool) -> str:
        return text if pre else _HTML_SPACE.sub(" ", text)

    def item_label(self, li) -> str:
        if not self.lists:
            return "• "
        current = self.lists[-1]
        if current[0] == "ul":
            return "• "
        number = _int(li.get("value"), current[1])
        current[1] = number + 1
        fmt = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}.get(current[2], "decimal")
        return format_number(number, fmt) + ". "

    def table(self, table) -> None:
        for row in _html_rows(table):
            cells: list[str] = []
            nested: list[Block] = []
            for cell in row:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                inner = _HtmlReader()
                if cell.text:
                    inner.parts.append(inner.space(cell.text, False))
                inner.walk(cell)
                inner.flush()
                cells.append(" ".join(b.text.replace("\n", " ").strip() for b in inner.out if b.hint != "table"))
                nested.extend(b for b in inner.out if b.hint == "table")
            while cells and not cells[-1].strip():
                cells.pop()
            if any(c.strip() for c in cells):
                self.out.append(Block(CELL_SEPARATOR.join(cells), "table"))
            self.out.extend(nested)


def _html_rows(table):
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from _html_rows(child)


def html_blocks(path: Path, data: bytes, charset: str | None = None) -> list[Block]:
    """Blocks from an embedded HTML page, parsed by libxml2's HTML parser with no
    network; an entity declaration (never in a real page) refuses the file."""
    from lxml import etree

    if re.search(rb"<!ENTITY", data, re.I):
        raise ImportFailure(path, "an embedded web page contains an entity declaration; refused for safety")
    text = _decode(data, charset)
    parser = etree.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
        huge_tree=False, default_doctype=False, collect_ids=False,
    )
    try:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    reader = _HtmlReader()
    body = root.find("body")
    start = body if body is not None else root
    if start.text:
        reader.parts.append(reader.space(start.text, False))
    reader.walk(start)
    reader.flush()
    return reader.out


def mht_blocks(path: Path, data: bytes) -> list[Block]:
    """Blocks from an MHT web archive (MIME): its first HTML part, else its first text part."""
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    fallback = None
    for count, part in enumerate(message.walk()):
        if count > 200:
            break
        kind = part.get_content_type()
        if kind not in ("text/html", "text/plain", "application/xhtml+xml"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        payload = payload[: MAX_CHUNK + 1]
        if kind == "text/plain":
            fallback = fallback or (payload, part.get_content_charset())
            continue
        return html_blocks(path, payload, part.get_content_charset())
    if fallback is not None:
        return text_blocks(*fallback)
    return []


def text_blocks(data: bytes, charset: str | None = None) -> list[Block]:
    return [Block(line) for line in _decode(data, charset).splitlines() if line.strip()]


# --- reading a document ------------------------------------------------------------------

class _Document:
    """One WordprocessingML main part and what it refers to (styles, numbering, notes,
    embedded parts). ``number`` tells embedded documents apart in the shared note marks."""

    def __init__(self, zipped: SafeZip, part: str, root, tags: _Tags, *, parent: _Document | None = None):
        self.zipped = zipped
        self.path = zipped.path
        self.part = part
        self.root = root
        self.tags = tags
        self.rels = _relationships(zipped, part)
        self.base_dir = posixpath.dirname(part)
        if parent is None:
            self.depth, self.number = 0, 0
            self.notes = _Notes(lambda: _note_formats(root, zipped, self.rels, tags))
            self.budget = [MAX_CHUNKS_TOTAL]  # bytes of embedded parts still allowed
            self.warnings: list[ScriptWarning] = []
            self.top = self
        else:
            self.top = parent.top
            self.depth = parent.depth + 1
            self.number = len(self.top.embedded) + 1
            self.notes, self.budget, self.warnings = parent.notes, parent.budget, parent.warnings
        self._styles: _Styles | None = None
        self._lists: _Lists | None = None
        self._note_bodies: dict[str, dict[str, str]] | None = None
        self.chunks_read: set[str] = set()
        self.embedded: list[_Document] = []

    def related(self, suffix: str, default: str) -> str | None:
        return _related(self.zipped, self.rels, suffix, posixpath.join(self.base_dir, default))

    @property
    def styles(self) -> _Styles:
        if self._styles is None:
            self._styles = _load_styles(self.zipped, self.related("/styles", "styles.xml"), self.tags)
        return self._styles

    @property
    def lists(self) -> _Lists:
        if self._lists is None:
            try:
                defs = _load_numbering(self.zipped, self.related("/numbering", "numbering.xml"), self.tags)
            except ImportFailure:  # numbers are a nicety: a bad numbering part costs only them
                defs = _NumberingDefs()
                self.warn("the list numbering could not be read; list numbers and bullets are left out", "numbering_unreadable")
            self._lists = _Lists(defs, self.styles)
        return self._lists

    def warn(self, message: str, code: str = "embedded_part_skipped") -> None:
        if not any(w.message == message for w in self.warnings):
            self.warnings.append(ScriptWarning(code, message))

    def chunk(self, rid: str, out: list[Block]) -> None:
        """Read the part an ``w:altChunk`` refers to, in place. A part that cannot be read,
        or is refused (a bomb, an entity declaration), is left out with a warning: the rest
        of the script is still the student's work."""
        try:
            self._chunk(rid, out)
        except ImportFailure as exc:
            self.warn(f"an embedded part was not read: {exc.reason}")

    def _chunk(self, rid: str, out: list[Block]) -> None:
        rel = self.rels.get(rid)
        if rel is None or not self.zipped.has(rel[1]):
            return
        name = rel[1]
        if name in self.chunks_read:  # the same part again adds nothing but work
            return
        self.chunks_read.add(name)
        size = self.zipped.info(name).file_size
        if size > MAX_CHUNK or size > self.budget[0]:
            self.warn(f"an embedded part ({posixpath.basename(name)}, {size // 1024:,} KB) was too large to read")
            return
        self.budget[0] -= size
        data = self.zipped.read(name, cap=MAX_CHUNK)
        lowered = name.lower()
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        found: list[Block] = []
        if data.startswith(b"PK\x03\x04"):
            found = self.embedded_docx(data, name)
        elif head.startswith(b"{\\rtf"):
            self.warn("an embedded RTF part was not read; open the file in Word and save it again to include it")
        elif lowered.endswith((".mht", ".mhtml")) or head.startswith(b"mime-version") or b"content-type: multipart" in head:
            found = mht_blocks(self.path, data)
        elif lowered.endswith((".htm", ".html", ".xhtml")) or b"<html" in head or b"<body" in head:
            found = html_blocks(self.path, data)
        elif head.startswith(b"<?xml") or head.startswith(b"<w:") or head.startswith(b"<pkg:"):
            self.warn("an embedded Word XML part was not read; open the file in Word and save it again to include it")
        else:
            found = text_blocks(data)
        out.extend(found)

    def embedded_docx(self, data: bytes, name: str) -> list[Block]:
        if self.depth >= MAX_CHUNK_DEPTH:
            self.warn("a Word document embedded in an embedded document was not read")
            return []
        inner = open_zip(self.path, data)
        try:
            part = main_document_part(inner)
            if part is None:
                return []
            root = parse_xml(self.path, inner.read(part), f"{name}:{part}")
            ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
            if ns not in (W_MAIN, W_STRICT) or root.find(f"{{{ns}}}body") is None:
                return []
            doc = _Document(inner, part, root, _Tags(ns), parent=self)
            self.top.embedded.append(doc)
            blocks = doc.read_body()
            doc.note_bodies()  # read while the inner zip is open
            return blocks
        finally:
            inner.zf.close()

    def read_body(self) -> list[Block]:
        reader = _Reader(self)
        blocks: list[Block] = []
        reader.blocks(self.root.find(self.tags.body), blocks)
        reader.flush_drop_cap(blocks)
        return blocks

    def note_bodies(self) -> dict[str, dict[str, str]]:
        """``{kind: {note id: text}}`` for this document's footnotes and endnotes."""
        if self._note_bodies is not None:
            return self._note_bodies
        result: dict[str, dict[str, str]] = {}
        for kind, tag, suffix in (
            ("footnote", self.tags.footnote, "/footnotes"),
            ("endnote", self.tags.endnote, "/endnotes"),
        ):
            part = self.related(suffix, f"{kind}s.xml")
            by_id: dict[str, str] = {}
            if part is not None:
                root = parse_xml(self.path, self.zipped.read(part), part)
                for note in root.iter(tag):
                    if note.get(self.tags.type) not in (None, "normal"):
                        continue  # separators
                    blocks: list[Block] = []
                    sub = _Reader(self, in_note=True)
                    sub.blocks(note, blocks)
                    sub.flush_drop_cap(blocks)
                    text = " ".join(b.text.replace("\n", " ") for b in blocks if b.text.strip())
                    by_id.setdefault(note.get(self.tags.id) or str(len(by_id)), text)
            result[kind] = by_id
        self._note_bodies = result
        return result


class _Reader:
    def __init__(self, doc: _Document, in_note: bool = False):
        self.doc = doc
        self.tags = doc.tags
        self.in_note = in_note
        self.drop_cap = ""
        self.custom_mark: tuple[str, str] | None = None  # a note whose mark is the next text
        #: a paragraph whose mark is hidden or deleted as a tracked change: Word shows it
        #: run into the next one
        self.run_on = ""
        self.paragraph_hidden = False  # the paragraph's style hides its text

    # block level ------------------------------------------------------------------
    def blocks(self, container, out: list[Block], nested: list[Block] | None = None) -> None:
        """Paragraphs and tables of ``container`` into ``out``; inside a table cell
        (``nested`` given), the rows of tables in it go to ``nested`` instead."""
        if container is None:
            return
        tg = self.tags
        for child in container:
            tag = child.tag
            if tag == tg.p:
                self.paragraph(child, out)
            elif tag == tg.tbl:
                self.flush_drop_cap(out)
                self.table(child, out if nested is None else nested)
            elif tag == tg.sdt:
                if not self.placeholder(child):
                    self.blocks(child.find(tg.sdt_content), out, nested)
            elif tag in tg.block_containers:
                self.blocks(child, out, nested)
            elif tag == tg.alternate and len(child):
                self.blocks(child[0], out, nested)
            elif tag == tg.alt_chunk and not self.in_note:
                self.flush_drop_cap(out)
                self.doc.chunk(child.get(tg.r_id) or "", out if nested is None else nested)
        if self.run_on:   # the last paragraph's mark was hidden or deleted: nothing follows
            out.append(Block(self.run_on))
            self.run_on = ""

    def placeholder(self, sdt) -> bool:
        """A content control still showing its placeholder ("Click or tap here to enter
        text."): the template's prompt, not the student's text."""
        props = sdt.find(self.tags.sdt_pr)
        return props is not None and props.find(self.tags.showing_placeholder) is not None

    def hidden(self, properties) -> bool:
        """Whether run properties (``w:rPr``) hide the text: hidden text (``w:vanish``),
        set on the run, by its character style or by the paragraph's style."""
        if properties is not None:
            vanish = properties.find(self.tags.vanish)
            if vanish is not None:
                return (vanish.get(self.tags.val) or "1") not in ("0", "false", "off")
            if self.doc.styles.hidden:
                rstyle = properties.find(self.tags.rstyle)
                if rstyle is not None and (rstyle.get(self.tags.val) or "") in self.doc.styles.hidden:
                    return True
        return self.paragraph_hidden

    def flush_drop_cap(self, out: list[Block]) -> None:
        if self.drop_cap:
            out.append(Block(self.drop_cap))
            self.drop_cap = ""

    def table(self, tbl, out: list[Block]) -> None:
        tg = self.tags
        rows = [list(_children(row, tg.tc, tg)) for row in _children(tbl, tg.tr, tg)]
        if len(rows) == 1 and len(rows[0]) == 1:  # a box round some text, not a table
            self.blocks(rows[0][0], out)
            self.flush_drop_cap(out)
            return
        for cells in rows:
            texts: list[str] = []
            nested: list[Block] = []
            for cell in cells:
                paragraphs: list[Block] = []
                self.blocks(cell, paragraphs, nested)
                self.flush_drop_cap(paragraphs)
                texts.append(" ".join(" ".join(b.text.split()) for b in paragraphs if b.text.strip()))
            while texts and not texts[-1]:
                texts.pop()
            if texts:
                out.append(Block(CELL_SEPARATOR.join(texts).replace("  ", " "), "table"))
            out.extend(nested)

    def paragraph(self, p, out: list[Block]) -> None:
        tg = self.tags
        hint = "body"
        indent = False
        drop_cap = False
        style = ""
        num_pr = None
        self.paragraph_hidden = False
        ppr = p.find(tg.ppr)
        if ppr is not None:
            style_el = ppr.find(tg.pstyle)
            if style_el is not None:
                style = style_el.get(tg.val) or ""
                hint = self.doc.styles.hint(style) if style else "body"
                self.paragraph_hidden = bool(style) and style in self.doc.styles.hidden
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
            frame = ppr.find(tg.frame)
            if frame is not None and (frame.get(tg.drop_cap) or "none") != "none":
                drop_cap = True
            num_pr = ppr.find(tg.num_pr)
            mark = ppr.find(tg.rpr)
            runs_on = mark is not None and (self.hidden(mark) or mark.find(tg.deleted) is not None
                                            or mark.find(tg.move_from) is not None)
        else:
            runs_on = False
        boxes: list = []
        text = None if self.doc.styles.hidden else self.plain_text(p)
        if text is None:
            parts: list[str] = []
            self.inline(p, parts, boxes)
            text = "".join(parts)
        self.custom_mark = None  # a custom note mark never runs on into the next paragraph
        if drop_cap:
            self.drop_cap += text.strip()
            for box in boxes:
                self.blocks(box, out)
            return
        label = self.list_label(style, num_pr)
        if label and text.strip():
            text = label + text
        if self.drop_cap:
            text = self.drop_cap + text.lstrip()
            self.drop_cap = ""
        if self.run_on:
            text, self.run_on = self.run_on + text, ""
        if runs_on and not self.in_note:
            self.run_on = text
        else:
            out.append(Block(text, hint, indent))
        for box in boxes:
            self.blocks(box, out)

    def list_label(self, style: str, num_pr) -> str:
        tg = self.tags
        num_id = ilvl = None
        if num_pr is not None:
            num_el, ilvl_el = num_pr.find(tg.num_id), num_pr.find(tg.ilvl)
            num_id = num_el.get(tg.val) if num_el is not None else None
            ilvl = ilvl_el.get(tg.val) if ilvl_el is not None else None
        styled = self.doc.styles.num_pr(style) if style and (num_id is None or ilvl is None) else None
        if num_id is None and ilvl is None and styled is None:
            return ""
        if styled is not None:
            num_id = num_id if num_id is not None else styled[0]
            if ilvl is None and styled[1] is not None:
                ilvl = styled[1]
        if not num_id or num_id == "0":
            return ""
        lists = self.doc.lists
        level = _int(ilvl, -1) if ilvl is not None else (lists.level_of_style(num_id, styled[2]) if styled else 0)
        return lists.label(num_id, level)

    # inline level -----------------------------------------------------------------
    def plain_text(self, p) -> str | None:
        """The text of a paragraph that holds nothing but text in runs (and containers
        of runs), the usual case: exactly what :meth:`inline` gives, found by lxml's own
        iteration; None when the paragraph holds anything more (a tab, a break, a note
        mark, a drawing, ruby, alternate content, text outside runs), for :meth:`inline`."""
        tg = self.tags
        if self.custom_mark is not None or next(p.iter(*tg.inline_specials), None) is not None:
            return None
        containers = tg.inline_containers
        parts: list[str] = []
        for t in p.iter(tg.t):
            parent = t.getparent()
            while parent is not p:
                if parent is None or parent.tag not in containers:
                    return None  # text inside something inline() does not read
                parent = parent.getparent()
            if t.text:
                parts.append(t.text)
        return "".join(parts)

    def inline(self, element, parts: list[str], boxes: list) -> None:
        tg = self.tags
        for child in element:
            tag = child.tag
            if tag == tg.t:
                if child.text:
                    if self.custom_mark is not None:
                        kind, note_id = self.custom_mark
                        self.custom_mark = None
                        label = self.doc.notes.mark(kind, self.doc.number, note_id, custom=child.text.strip() or "*")
                        parts.append(f"[{label}]")
                    else:
                        parts.append(child.text)
            elif tag in tg.inline_containers:
                if tag == tg.r and self.hidden(child.find(tg.rpr)):
                    continue   # hidden text: Word neither shows nor prints it
                if tag == tg.sdt and self.placeholder(child):
                    continue   # a content control's prompt, never filled in
                self.inline(child, parts, boxes)
            elif tag == tg.tab or tag == tg.ptab:
                parts.append("\t")
            elif tag == tg.br or tag == tg.cr:
                parts.append("\n")
            elif tag == tg.no_break_hyphen:
                parts.append("\u2011")
            elif tag == tg.sym:
                parts.append(_symbol(child.get(tg.sym_font) or "", child.get(tg.sym_char) or ""))
            elif tag == tg.footnote_ref or tag == tg.endnote_ref:
                self.note_mark("footnote" if tag == tg.footnote_ref else "endnote", child, parts)
            elif tag == tg.ruby:
                base = child.find(tg.ruby_base)
                if base is not None:
                    self.inline(base, parts, boxes)
            elif tag == tg.drawing or tag == tg.pict:
                boxes.extend(child.iter(tg.txbx))
            elif tag == tg.alternate and len(child):
                self.inline(child[0], parts, boxes)  # mc:Choice only; the Fallback repeats it

    def note_mark(self, kind: str, ref, parts: list[str]) -> None:
        if self.in_note:
            return
        note_id = ref.get(self.tags.id) or ""
        if ref.get(self.tags.custom_mark) in ("1", "true", "on"):
            self.custom_mark = (kind, note_id)  # the mark is the text that follows
            return
        parts.append(f"[{self.doc.notes.mark(kind, self.doc.number, note_id)}]")


def _symbol(font: str, code: str) -> str:
    """What a ``w:sym`` (Insert › Symbol in Word) shows: a character of a symbol font
    (Symbol, Wingdings) by its code, Word's private-use ``F0xx`` or the byte itself."""
    from rubric.importing.rtf import font_kind, symbol_char

    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if 0xF000 <= value <= 0xF0FF:
        value -= 0xF000
    kind = font_kind(font, "")
    if kind is None:
        return chr(value) if 0x20 <= value <= 0x10FFFF and not 0xD800 <= value < 0xE000 else ""
    return symbol_char(kind, value)


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


def _page_header(doc: _Document) -> list[str]:
    """The lines of the document's page headers (the first section's first, as Word lists
    them): where a student often types their name and candidate number."""
    lines: list[str] = []
    for rel_type, name in doc.rels.values():
        if not rel_type.endswith("/header") or not doc.zipped.has(name):
            continue
        try:
            root = parse_xml(doc.path, doc.zipped.read(name, cap=MB), name)
        except ImportFailure:
            continue   # a damaged header costs only itself
        blocks: list[Block] = []
        _Reader(doc, in_note=True).blocks(root, blocks)
        lines += [b.text.strip() for b in blocks if b.text.strip()]
        if len(lines) >= 12:
            break
    return lines[:12]


def read_docx(path: Path, zipped: SafeZip, page_header: bool = False) -> Extracted:
    part = main_document_part(zipped)
    if part is None:
        raise ImportFailure(path, "this is not a Word document (it has no main document part); the file may be damaged")
    root = parse_xml(path, zipped.read(part), part)
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if ns not in (W_MAIN, W_STRICT):
        raise ImportFailure(path, "this is not a Word document (its main part is not WordprocessingML)")
    tags = _Tags(ns)
    if root.find(tags.body) is None:
        raise ImportFailure(path, "the Word document has no body; the file may be damaged")
    doc = _Document(zipped, part, root, tags)
    blocks = doc.read_body()
    bodies = {d.number: d.note_bodies() for d in (doc, *doc.embedded)}
    shown = set(doc.notes.order)
    for deletion in (*root.iter(tags.deleted), *root.iter(tags.move_from)):
        # a note whose only mark was deleted as a tracked change is gone from what Word shows
        for kind, tag in (("footnote", tags.footnote_ref), ("endnote", tags.endnote_ref)):
            for ref in deletion.iter(tag):
                note_id = ref.get(tags.id) or ""
                if (kind, doc.number, note_id) not in shown:
                    bodies[doc.number][kind].pop(note_id, None)
    notes: list[str] = []
    for kind in ("footnote", "endnote"):
        for ref_kind, number, note_id in doc.notes.order:
            text = bodies[number][kind].pop(note_id, None) if ref_kind == kind and number in bodies else None
            if text and text.strip():
                notes.append(f"[{doc.notes.labels[(ref_kind, number, note_id)]}] {text.strip()}")
        for number in bodies:  # notes the text never refers to: last, with no mark
            notes.extend(text.strip() for text in bodies[number][kind].values() if text.strip())
    return Extracted("docx", blocks, footnotes=notes, rewrap=REWRAP_AUTO, warnings=doc.warnings,
                     running_header=_page_header(doc) if page_header else [])
