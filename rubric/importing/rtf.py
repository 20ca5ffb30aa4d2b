"""Rich Text Format: striprtf, run in the limited child process (its regular
expressions can take minutes on crafted input). Headings come from the stylesheet's
styles and the text heuristics of the analysis.

Before striprtf sees the file, :func:`prepare_rtf` rewrites it in one linear pass (a
regular expression without nested repeats, and a forward-only skip over pictures):

* **Symbol fonts.** Fonts named Symbol, Wingdings, Webdings, Zapf Dingbats… draw their
  own glyphs for ordinary byte values (Symbol's ``\\'b7`` is a bullet, Wingdings'
  ``\\'a7`` a square, ``\\'d8`` an arrow; Word also writes them as private-use
  characters, ``\\u61623`` = U+F0B7). Their characters are translated:
  Symbol by its published table (Greek letters, maths), Wingdings' few text faces (☺ ✓ ✗
  ☐ ☑), and every other dingbat as a bullet "•". Another font declared with
  ``\\fcharset2`` (a symbol font we do not know, or a text font wrongly declared so) keeps
  its ASCII and has its other bytes read as bullets. Inside a list label every symbol-font
  character is "•". Nothing reaches the text as "�" or as a private-use character.
* **List labels.** ``{\\listtext …}`` and the older ``{\\pntext …}`` hold the bullet or
  number Word drew ("•", "1."): they are kept (striprtf drops ``\\pntext``), once per
  paragraph; a bulleted ``{\\*\\pn \\pnlvlblt …}`` with no label text gives "•".
* **Tables.** Each row (``\\row``) is one paragraph with its cells joined by " | " and
  the hint ``table`` (the docx convention); paragraphs inside a cell stay in that cell.
* **Paragraph styles.** The stylesheet's names say which ``\\sN`` are headings, titles and
  quotations ("heading 2", "Title", "Quote"…), as do outline levels (``\\outlinelevelN``);
  such paragraphs carry that hint, as in a .docx.
* **Footnotes and endnotes.** Each ``{\\footnote …}`` (striprtf drops them) leaves its
  number in the text where its mark was ("…shows.[1]", as for a .docx) and is read as a
  note at the end: "[1] R. J. Evans, …", numbered in the order the text refers to them.
* **Page headers** (``\\header``, ``\\headerl``…) are read apart, for the candidate's name
  and number; they are not the script.
* **Pictures and other large binary destinations** (``\\pict``, theme data, data
  stores, style and list tables) are cut out before striprtf walks them character by
  character; ``\\binN`` data is skipped by its length.

:func:`rtf_to_text` (the child's work) is importable without the rest of the project.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from rubric.importing.style_names import hint_of_style_name

if TYPE_CHECKING:
    from rubric.importing.base import Extracted
    from rubric.importing.model import ImportOptions

BULLET = "\u2022"

#: Adobe Symbol encoding: bytes 0x20–0x7E, then 0xA0–0xFF (0xF0 and 0xFF are unused).
_SYMBOL_LOW = (
    " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_‾"
    "αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼"
)
_SYMBOL_HIGH = (
    "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…⏐⎯↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓"
    "◊〈®©™∑⎛⎜⎝⎡⎢⎣⎧⎨⎩⎪•〉∫⌠⎮⌡⎞⎟⎠⎤⎥⎦⎫⎬⎭•"
)
SYMBOL_FONT = {0x20 + i: char for i, char in enumerate(_SYMBOL_LOW)} | {
    0xA0 + i: char for i, char in enumerate(_SYMBOL_HIGH)
}
#: The Wingdings faces that stand for something in running text; the rest are bullets,
#: boxes and arrows, read as "•".
WINGDINGS_FONT = {
    0x20: " ", 0x4A: "☺", 0x4B: "😐", 0x4C: "☹", 0xA8: "☐", 0xFB: "✗", 0xFC: "✓",
    0xFD: "☒", 0xFE: "☑",
}
_DINGBAT_NAMES = (
    "wingdings", "webdings", "zapf", "dingbat", "monotype sorts", "marlett", "mt extra",
    "opensymbol", "starsymbol",
)

_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word
    r"|\\'([0-9a-fA-F]{2})"  # hex byte
    r"|\\([^a-zA-Z])"  # control symbol
    r"|([{}])"
    r"|([^\\{}\r\n]+)"  # a run of text
    r"|[\r\n]+"
    r"|\\",  # a lone backslash at the very end
    re.S,
)
_SKIP = re.compile(r"\\bin(-?\d{1,10}) ?|\\.|[{}]", re.S)
#: Destinations striprtf ignores that can be megabytes long (pictures, themes…).
_DROP = frozenset({
    "pict", "themedata", "datastore", "colorschememapping", "latentstyles", "rsidtbl",
    "xmlnstbl", "objdata", "blipuid", "listtable", "listoverridetable", "stylesheet",
    "generator", "info", "revtbl",
})
_PARAGRAPH_ENDS = frozenset({"par", "sect", "page", "cell", "nestcell", "row"})
#: Character formatting that hides text: hidden text and tracked deletions (``\v0`` and
#: ``\deleted0`` end them, as does ``\plain``).
_HIDING = frozenset({"v", "deleted"})
#: What ``\line`` becomes (striprtf passes it through): U+2028, the line separator, so a
#: manual line break stays apart from a paragraph's end.
LINE_BREAK = "\u2028"
#: Deeper groups than this share their parent's state (crafted files nest thousands).
_MAX_DEPTH = 500
#: Private-use marks that carry structure through striprtf to :func:`read_rtf`: the end
#: of a table cell, and the hint of a styled paragraph (written just before its end).
CELL_MARK = "\ue100"
HINT_MARKS = {"heading": "\ue101", "title": "\ue102", "quote": "\ue103"}
#: Starts the paragraph of a footnote's text, moved to the end of the document.
NOTE_MARK = "\ue104"
#: Starts the paragraph of a page header's text, moved there too.
HEADER_MARK = "\ue105"
#: Destinations read apart from the text: notes, and page headers (for the candidate).
_MOVED = frozenset({"footnote", "header", "headerl", "headerr", "headerf"})
_MARK_HINTS = {mark: hint for hint, mark in HINT_MARKS.items()}
_STYLE_ENTRY = re.compile(r"\\s(\d{1,5})(?![a-zA-Z])")
#: Word's automatic note number (the mark in the text, the number before the note).
_CHFTN = re.compile(r"\\chftn(?![a-zA-Z]) ?")
#: A note's own paragraph ends and line breaks: its text becomes one paragraph.
_NOTE_BREAKS = re.compile(r"\\(?:par|line)(?![a-zA-Z]) ?")
_BRACES = re.compile(r"\\.|[{}]", re.S)
_CONTROL = re.compile(r"\\[a-zA-Z]{1,32}-?\d{0,10} ?|\\'[0-9a-fA-F]{2}|\\.")


def stylesheet_hints(group: str) -> dict[str, str]:
    """The paragraph styles (``\\sN``) of a stylesheet whose names make them headings,
    titles or quotations. ``group`` is the stylesheet's content; each entry is a group
    ``{\\sN …formatting… name;}`` (character and table styles, ``\\csN`` ``\\tsN``, are
    not paragraph styles)."""
    hints: dict[str, str] = {}
    depth, start = 0, -1
    for brace in _BRACES.finditer(group):
        char = brace.group()
        if len(char) > 1:  # an escape: \\{ \\} \\\\ are text
            continue
        if char == "{":
            depth += 1
            if depth == 1:
                start = brace.end()
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                entry = group[start:brace.start()]
                number = _STYLE_ENTRY.search(entry)
                if number and not entry.lstrip().startswith(("\\*\\cs", "\\cs", "\\*\\ts", "\\ts")):
                    inner = re.sub(r"\{[^{}]*\}", "", entry)  # nested groups (\\*\\keycode…)
                    name = _CONTROL.sub("", inner).split(";")[0]
                    hint = hint_of_style_name(name)
                    if hint:
                        hints[number.group(1)] = hint
    return hints


def font_kind(name: str, charset: str) -> str | None:
    name = name.strip().lower()
    if name.startswith("symbol"):
        return "symbol"
    if name.startswith("wingdings"):
        return "wingdings"
    if any(word in name for word in _DINGBAT_NAMES):
        return "dingbats"
    if charset == "2":  # a symbol font we do not know, or a text font declared as one
        return "charset2"
    return None


def symbol_char(kind: str, code: int) -> str:
    """The character a symbol font draws for byte ``code``."""
    if code < 0x20:
        return ""
    if kind == "symbol":
        return SYMBOL_FONT.get(code, BULLET)
    if kind == "wingdings":
        return WINGDINGS_FONT.get(code, BULLET)
    if kind == "charset2":  # only what cannot be ordinary text: bytes above ASCII
        return chr(code) if code < 0x80 else BULLET
    return " " if code == 0x20 else BULLET


def _as_unicode(text: str) -> str:
    """``text`` as ``{\\uN …}``: striprtf prints it, and the group keeps the fallback-skip
    count and control-word delimiters around it exactly as they were."""
    return "{" + "".join(f"\\u{ord(char)} " for char in text) + "}" if text else ""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")


def _byte(char: str) -> int:
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(char) & 0xFF


def _skip_group(source: str, position: int) -> int:
    """Position of the ``}`` that closes the group ``position`` is in (or the end):
    braces are counted, escapes and ``\\binN`` data skipped."""
    depth = 0
    end = len(source)
    while position < end:
        match = _SKIP.search(source, position)
        if match is None:
            return end
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            if depth == 0:
                return match.start()
            depth -= 1
        elif match.group(1) is not None:
            position = match.end() + max(int(match.group(1)), 0)
            continue
        position = match.end()
    return end


class _Group:
    """The state a group inherits and restores."""

    __slots__ = ("font", "uc", "ignorable", "dest", "list_text", "pn_bullet", "hidden", "start")

    def __init__(self) -> None:
        self.font: str | None = None
        self.uc = 1
        self.ignorable = False  # striprtf prints nothing here (a destination, or after \*)
        self.dest = ""  # "fonttbl", "pn", "*"…: what the group is, where it matters
        self.list_text = False  # a list label (\listtext, \pntext)
        self.pn_bullet = False  # a {\*\pn …} group for a bulleted paragraph
        self.hidden = False  # hidden text (\v) or a tracked deletion (\deleted): not shown
        self.start = -1  # where the group's "{" is in the output

    def copy(self) -> _Group:
        other = _Group()
        other.font, other.uc, other.ignorable = self.font, self.uc, self.ignorable
        other.dest, other.list_text, other.hidden = self.dest, self.list_text, self.hidden
        return other


def prepare_rtf(source: str, destinations: frozenset[str] | set[str] = frozenset(), *,
                with_notes: bool = True) -> str:
    """Rewrite symbol-font characters, list labels and large binary groups (see the
    module docstring) so that striprtf reads them right. ``destinations`` are the
    control words striprtf ignores; its skip count after ``\\uN`` is followed exactly, so
    the fallback characters are left alone. One pass, linear in the length (each note's
    text is read once more; a note inside a note is dropped, as Word has none)."""
    kinds: dict[str, str | None] = {}  # font id -> "symbol" / "wingdings" / "dingbats" / None
    out: list[str] = []
    append = out.append
    stack: list[_Group] = []
    overflow = 0
    state = _Group()
    deff: str | None = None
    curskip = 0  # characters striprtf still skips after a \uN
    marker_done = False  # this paragraph already has its list label
    style_hints: dict[str, str] = {}  # \sN -> hint, from the stylesheet
    paragraph_hint = ""  # this paragraph's hint (its \sN or \outlinelevelN)
    in_table = False  # this paragraph is in a table cell (\intbl)
    notes: list[str] = []  # the footnotes' RTF, taken out of the text
    marks: dict[int, str] = {}  # output index -> a note's mark, written before it
    headers: list[str] = []  # the page headers' RTF, read apart from the text
    entry_id, entry_charset, entry_name = "", "", []

    def finish_entry() -> None:
        nonlocal entry_id
        if entry_id and entry_id not in kinds:
            kinds[entry_id] = font_kind("".join(entry_name), entry_charset)
        entry_id = ""

    position, end = 0, len(source)
    while position < end:
        match = _TOKEN.match(source, position)
        position = match.end()
        token = match.group(0)
        word, arg, hexa, symbol, brace, text = match.groups()
        if brace == "{":
            curskip = 0
            if len(stack) < _MAX_DEPTH:
                stack.append(state)
                state = state.copy()
                state.start = len(out)
            else:
                overflow += 1
            append(token)
        elif brace == "}":
            curskip = 0
            closing = state
            if closing.dest == "fonttbl":
                finish_entry()
            if overflow:
                overflow -= 1
            elif stack:
                state = stack.pop()
            append(token)
            if closing.pn_bullet and not state.ignorable and not marker_done:
                append("\\bullet\\tab ")
                marker_done = True
        elif word is not None:
            curskip = 0
            if word == "bin" and arg is not None:  # raw bytes, never text
                position = min(end, position + max(int(arg), 0))
                append("{}")  # (so that the tokens either side cannot run together)
            elif word in _DROP and state.dest != "fonttbl":  # keep the word, cut its content
                append(token)
                group_end = _skip_group(source, position)
                if word == "stylesheet" and not style_hints:
                    style_hints = stylesheet_hints(source[position:group_end])
                position = group_end
                state.ignorable, state.dest = True, word
            elif state.dest == "fonttbl":
                if word == "f":
                    finish_entry()
                    entry_id, entry_charset, entry_name = arg or "", "", []
                elif word == "fcharset":
                    entry_charset = arg or ""
                append(token)
            elif word in _MOVED and with_notes and not state.hidden and (
                    not state.ignorable or (state.dest == "*" and stack and not stack[-1].ignorable)):
                # a note or page header, read apart (LibreOffice writes {\*\footnote …},
                # Word {\footnote …}); its group's "}" closes it
                group_end = _skip_group(source, position)
                if word == "footnote":
                    notes.append(source[position:group_end])
                    # the mark goes before the note's group, outside what striprtf skips
                    marks[state.start if state.start >= 0 else len(out)] = _as_unicode(f"[{len(notes)}]")
                elif len(headers) < 8:
                    headers.append(source[position:group_end])
                append(f"\\{word} ")
                position = group_end
                state.ignorable, state.dest = True, word
            elif word in ("pntext", "listtext"):
                if state.ignorable or marker_done:  # one label a paragraph: drop the other
                    append("\\pntext ")
                    state.ignorable, state.dest = True, word
                else:  # leave the word out, so that striprtf prints the label
                    append("{}")
                    state.list_text = True
                    marker_done = True
            elif word in destinations:
                state.ignorable = True
                if word == "fonttbl":
                    state.dest = "fonttbl"
                    entry_id, entry_charset, entry_name = "", "", []
                elif state.dest in ("", "*"):
                    state.dest = word
                append(token)
            elif state.ignorable:
                if word == "pnlvlblt" and state.dest == "pn":
                    state.pn_bullet = True
                append(token)
            elif word in _HIDING:
                state.hidden = arg != "0"
                append(token)
            elif state.hidden and word in ("u", "line", "tab", "emdash", "endash", "bullet",
                                           "lquote", "rquote", "ldblquote", "rdblquote"):
                if word == "u":   # its fallback characters are hidden too: dropped below
                    curskip = state.uc
            elif word == "line":   # a manual line break inside the paragraph (see read_rtf)
                append(LINE_BREAK)
            else:
                if word == "f":
                    state.font = arg
                elif word == "plain":
                    state.font = deff
                    state.hidden = False
                elif word == "deff":
                    deff = arg
                elif word == "uc" and arg is not None:
                    state.uc = max(int(arg), 0)
                elif word == "pard":
                    paragraph_hint, in_table = "", False
                elif word == "s":
                    paragraph_hint = style_hints.get(arg or "0", "")
                elif word == "outlinelevel" and arg is not None and 0 <= int(arg) <= 8:
                    paragraph_hint = paragraph_hint or "heading"
                elif word == "intbl":
                    in_table = True
                elif word in _PARAGRAPH_ENDS:
                    marker_done = False
                    if word in ("cell", "nestcell"):  # a cell's end: marked (nested: a space)
                        token = _as_unicode(CELL_MARK) if word == "cell" else " "
                    elif word == "par" and in_table:  # a paragraph inside a cell stays in it
                        token = " "
                    elif word == "par" and paragraph_hint:
                        token = _as_unicode(HINT_MARKS[paragraph_hint]) + token
                elif word == "u" and arg is not None:
                    curskip = state.uc
                    code = int(arg) + (0x10000 if int(arg) < 0 else 0)
                    if not 0 <= code <= 0x10FFFF:  # striprtf would fail on the whole file
                        token = "\\u65533 "
                    elif replacement := _symbol_for(kinds.get(state.font or ""), code, state.list_text):
                        token = f"\\u{ord(replacement)} "
                append(token)
        elif hexa is not None:
            if state.hidden and not state.ignorable:
                curskip -= curskip > 0
                continue
            if curskip > 0 or state.ignorable:
                curskip -= curskip > 0
                append(token)
                continue
            kind = kinds.get(state.font or "")
            code = int(hexa, 16)
            if kind:
                append(_as_unicode(BULLET if state.list_text and code > 0x20 else symbol_char(kind, code)))
            elif state.list_text and code == 0xB7:
                append(_as_unicode(BULLET))
            else:
                append(token)
        elif symbol is not None:
            curskip = 0
            if symbol == "*":
                state.ignorable = True
                state.dest = "fonttbl-skip" if state.dest == "fonttbl" else (state.dest or "*")
            append(token)
        elif text is not None:
            if state.dest == "fonttbl":
                name, ends, _rest = text.partition(";")
                entry_name.append(name)
                if ends:
                    finish_entry()
                append(token)
                continue
            skipped = min(curskip, len(text))
            curskip -= skipped
            if state.hidden and not state.ignorable:
                continue
            kind = kinds.get(state.font or "")
            if state.ignorable or skipped == len(text) or not (kind or state.list_text):
                append(token)
                continue
            rest = text[skipped:]
            if kind and state.list_text:
                rest = "".join(c if c.isspace() else BULLET for c in rest)
            elif kind:  # literal characters, 1:1 (none is an ASCII letter or digit but itself)
                rest = _escape("".join(symbol_char(kind, _byte(c)) for c in rest))
            else:
                rest = rest.replace("\u00b7", BULLET)
            append(text[:skipped] + rest)
        else:  # line breaks in the source, a lone backslash at the end
            append(token)
    if notes or headers:  # each a paragraph at the end, inside the outermost group
        for index in sorted(marks, reverse=True):
            out.insert(index, marks[index])
        text = "".join(out)
        last = text.rstrip().rfind("}")
        moved = "".join(
            "\\par\\pard\\plain " + _as_unicode(NOTE_MARK + f"[{number}] ")
            + prepare_rtf(_NOTE_BREAKS.sub(" ", _CHFTN.sub("", note)), destinations, with_notes=False)
            + "\\par "
            for number, note in enumerate(notes, start=1))
        moved += "".join(
            "\\par\\pard\\plain " + _as_unicode(HEADER_MARK)
            + prepare_rtf(_NOTE_BREAKS.sub(lambda _: " " + _as_unicode(HEADER_MARK), header), destinations,
                          with_notes=False) + "\\par "
            for header in headers)
        return text[:last] + moved + text[last:] if last >= 0 else text + moved
    return "".join(out)


def _symbol_for(kind: str | None, code: int, list_text: bool) -> str | None:
    """What a ``\\uN`` becomes: private-use symbol codes and, in a symbol font, byte
    values are translated; anything else is left alone (``None``)."""
    if 0xF020 <= code <= 0xF0FF:
        return BULLET if list_text else symbol_char(kind or "dingbats", code - 0xF000)
    if kind and 0x20 < code < 0x100:
        return BULLET if list_text else symbol_char(kind, code)
    if list_text and code == 0xB7:
        return BULLET
    return None


#: Private-use codes a symbol font left behind (U+F020–U+F0FF): bullets.
_PRIVATE_SYMBOLS = re.compile("[\uf020-\uf0ff]")


def rtf_to_text(data: bytes) -> str:
    """The text of an RTF file (run in the limited child process)."""
    from striprtf.striprtf import destinations
    from striprtf.striprtf import rtf_to_text as striprtf_text

    try:
        source = data.decode("cp1252")
    except UnicodeDecodeError:
        source = data.decode("latin-1")
    return striprtf_text(prepare_rtf(source, destinations), errors="replace")


def read_rtf(path: Path, data: bytes, options: ImportOptions, page_header: bool = False) -> Extracted:
    """``page_header``: also give the page headers' lines (where a student often types
    their name and number), as for a .docx."""
    from rubric.importing.base import REWRAP_AUTO, Extracted
    from rubric.importing.model import ScriptWarning
    from rubric.importing.sandbox import run_child

    result = run_child(path, data, "rtf", options, "RTF file")
    text = str(result.get("text", ""))
    # striprtf turns each \\uN of a surrogate pair into its own character: join the pairs
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = _PRIVATE_SYMBOLS.sub(BULLET, text)
    # one block a paragraph (\par), its manual line breaks (\line) kept inside it
    paragraphs = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    notes = [_clean_note(p) for p in paragraphs if p.lstrip().startswith(NOTE_MARK)]
    header: list[str] = []
    for paragraph in paragraphs:
        if paragraph.lstrip().startswith(HEADER_MARK):  # a header's lines, marked each
            header += [line for line in (_clean_note(part) for part in paragraph.split(HEADER_MARK))
                       if line and line not in header]
    blocks = [_block(p) for p in paragraphs if not p.lstrip().startswith((NOTE_MARK, HEADER_MARK))]
    warnings = [] if _closes(data) else [ScriptWarning(
        "cut_short", "the file seems cut short (it ends before its last group closes): "
                     "the end of the script may be missing; check it against the original")]
    return Extracted("rtf", [block for block in blocks if block is not None], rewrap=REWRAP_AUTO,
                     footnotes=[note for note in notes if note], warnings=warnings,
                     running_header=header[:12] if page_header else [])


def _clean_note(paragraph: str) -> str:
    """A note's paragraph as one line ("[1] R. J. Evans, …"); empty when it has no text."""
    text = paragraph.replace(NOTE_MARK, "")
    for mark in (*_MARK_HINTS, CELL_MARK, LINE_BREAK):
        text = text.replace(mark, " ")
    text = " ".join(text.split())
    return "" if re.fullmatch(r"\[\d+\]", text) else text


def _block(paragraph: str):
    """A paragraph of striprtf's text as a block: a table row's cells joined by " | "
    (an empty row is left out), a styled paragraph with its hint."""
    from rubric.importing.paragraphs import CELL_SEPARATOR, Block

    if CELL_MARK in paragraph:
        cells = [cell.strip() for cell in paragraph.split(CELL_MARK)]
        while cells and not cells[-1]:
            cells.pop()
        stray = "".join(_MARK_HINTS)
        cells = [cell.strip(stray) for cell in cells]
        return Block(CELL_SEPARATOR.join(cells), "table") if any(cells) else None
    hint = "body"
    for mark, mark_hint in _MARK_HINTS.items():
        if mark in paragraph:
            paragraph = paragraph.replace(mark, "")
            hint = mark_hint
    return Block(paragraph, hint)


_ESCAPED = re.compile(rb"\\[\\{}]")


def _closes(data: bytes) -> bool:
    """Whether every group the file opens is closed by its end: a file cut short (a
    truncated download or copy) ends inside its outermost group."""
    body = _ESCAPED.sub(b"", data.rstrip(b"\x00 \t\r\n"))
    return body.count(b"{") <= body.count(b"}")
