"""PDFs written object by object, in the shapes real scripts come in, for the PDF importer's
tests (tests/core/test_import_pdf.py) and benchmarks (tests/benchmarks/bench_pdf.py).

What a PDF's text layer looks like depends on the program that wrote it, so each shape is
reproduced at the level of the content stream:

* ``spaces`` (a word processor): each line one text run with real space characters,
  justified with word spacing (``Tw``) and small kerning numbers inside words;
* ``kerned`` (LaTeX): no space characters at all; the gaps between words are kerning
  numbers in a ``TJ`` array; ligature glyphs (``ﬁ`` ``ﬀ`` ``ﬂ`` ``ﬃ`` ``ﬄ``, by glyph name or
  through a ToUnicode CMap) and accents drawn as separate glyphs over the letter
  (``Pok´emon``);
* ``words`` (some converters): every word placed on its own, no spaces;
* two or more columns, written column by column or row by row (the left line, then the
  right line at the same height, ...), full-width titles, running headers, page numbers,
  footnotes in a smaller font with raised reference marks, rotated and landscape pages,
  form fields, pages that are only an image (scans) and invisible OCR text.

Fonts are the standard 14 (no font files are embedded), with metrics from fpdf2's tables.
"""

from __future__ import annotations

import functools
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from fpdf.fonts import CORE_FONTS_CHARWIDTHS

_METRICS = {
    "Helvetica": "helvetica",
    "Helvetica-Bold": "helveticaB",
    "Times-Roman": "times",
    "Times-Bold": "timesB",
    "Times-Italic": "timesI",
    "Courier": "courier",
}

# extra glyphs at codes 1-6 (never used by WinAnsiEncoding text)
_EXTRA_GLYPHS = {1: "fi", 2: "fl", 3: "ff", 4: "ffi", 5: "ffl", 6: "dotlessi"}
_EXTRA_UNICODE = {1: "FB01", 2: "FB02", 3: "FB00", 4: "FB03", 5: "FB04", 6: "0131"}
_EXTRA_WIDTHS = {1: 556, 2: 556, 3: 600, 4: 834, 5: 834, 6: 278}
_LIGATURE_CODES = (("ffi", 4), ("ffl", 5), ("ff", 3), ("fi", 1), ("fl", 2))
#: an accented letter -> (base letter, WinAnsi code of the spacing accent)
_SPLIT = {}
for _letters, _accent in (("áéíóúÁÉÓÚ", 0xB4), ("àèìòùÀÈ", 0x60), ("âêîôûÂÊ", 0x88),
                          ("äëïöüÄÖÜ", 0xA8), ("ñãõÑ", 0x98), ("çÇ", 0xB8)):
    for _letter in _letters:
        _base = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "à": "a", "è": "e", "ì": "i",
                 "ò": "o", "ù": "u", "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ä": "a",
                 "ë": "e", "ï": "i", "ö": "o", "ü": "u", "ñ": "n", "ã": "a", "õ": "o", "ç": "c"}
        _SPLIT[_letter] = (_base[_letter.lower()].upper() if _letter.isupper() else _base[_letter], _accent)


@dataclass(frozen=True)
class Font:
    """A standard font in WinAnsiEncoding, optionally with ligature glyphs (``"names"``:
    glyph names only, as pdfTeX writes Type 1 fonts; ``"tounicode"``: a ToUnicode CMap that
    maps them to U+FB00–FB04) and accents drawn as their own glyph (``"before"`` or
    ``"after"`` the letter, as TeX's ``\\'e`` does with OT1 fonts)."""

    base: str = "Helvetica"
    ligatures: str | None = None
    split_accents: str | None = None

    def width(self, code: int) -> float:
        if self.ligatures and code in _EXTRA_WIDTHS:
            return _EXTRA_WIDTHS[code]
        return CORE_FONTS_CHARWIDTHS[_METRICS[self.base]][chr(code)]

    def pieces(self, word: str) -> tuple[list[bytes | float], float]:
        """TJ elements that draw ``word`` and its advance in thousandths of an em."""
        elements, advance = _pieces(self, word)
        return list(elements), advance

    def _pieces(self, word: str) -> tuple[tuple[bytes | float, ...], float]:
        out: list[bytes | float] = []
        advance = 0.0
        run = bytearray()

        def flush():
            if run:
                out.append(bytes(run))
                run.clear()

        i = 0
        while i < len(word):
            if self.ligatures:
                for letters, code in _LIGATURE_CODES:
                    if word.startswith(letters, i):
                        run.append(code)
                        advance += self.width(code)
                        i += len(letters)
                        break
                else:
                    code = None
                if code is not None:
                    continue
            char = word[i]
            i += 1
            if self.split_accents and char in _SPLIT:
                base, accent = _SPLIT[char]
                base_code = 6 if base == "i" and self.ligatures else ord(base)
                bw, aw = self.width(base_code), self.width(accent)
                offset = (bw - aw) / 2
                if self.split_accents == "before":
                    flush()
                    out.extend([-offset, bytes([accent]), aw + offset, bytes([base_code])])
                else:
                    run.append(base_code)
                    flush()
                    out.extend([bw - offset, bytes([accent]), offset + aw - bw])
                advance += bw
                continue
            code = char.encode("cp1252")[0]
            run.append(code)
            advance += self.width(code)
        flush()
        return tuple(out), advance

    def advance(self, text: str) -> float:
        return self.pieces(text)[1]


@functools.lru_cache(maxsize=100_000)
def _pieces(font: Font, word: str) -> tuple[tuple[bytes | float, ...], float]:
    return font._pieces(word)


HELVETICA = Font("Helvetica")
HELVETICA_BOLD = Font("Helvetica-Bold")
TIMES = Font("Times-Roman")
TIMES_BOLD = Font("Times-Bold")
LATEX = Font("Times-Roman", ligatures="names", split_accents="before")


def _pdf_string(data: bytes) -> bytes:
    out = bytearray(b"(")
    for byte in data:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b")")


def _number(value: float) -> bytes:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def _tj(elements: list[bytes | float]) -> bytes:
    parts = [_pdf_string(e) if isinstance(e, bytes) else _number(e) for e in elements if e != 0]
    return b"[" + b" ".join(parts) + b"] TJ"


class PdfFile:
    """Objects, fonts and pages; :meth:`output` writes the file with a correct xref."""

    def __init__(self) -> None:
        self.objects: list[bytes | None] = [None, None]  # 1: catalog, 2: pages
        self.pages: list[int] = []
        self.fonts: dict[Font, tuple[str, int]] = {}
        self.fields: list[int] = []

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects)

    def put(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    @staticmethod
    def stream(data: bytes, dictionary: bytes = b"", compress: bool = True) -> bytes:
        if compress:
            data = zlib.compress(data)
            dictionary += b" /Filter /FlateDecode"
        return b"<< /Length %d%s >>\nstream\n" % (len(data), dictionary) + data + b"\nendstream"

    def font(self, font: Font) -> str:
        if font not in self.fonts:
            name = f"F{len(self.fonts) + 1}"
            widths = b" ".join(_number(font.width(code)) for code in range(256))
            encoding = b"/WinAnsiEncoding"
            extra = b""
            if font.ligatures:
                names = b" ".join(b"/" + _EXTRA_GLYPHS[c].encode() for c in sorted(_EXTRA_GLYPHS))
                encoding = self.add(b"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 %s] >>" % names)
                encoding = b"%d 0 R" % encoding
                if font.ligatures == "tounicode":
                    extra = b" /ToUnicode %d 0 R" % self.add(self.stream(_tounicode(_EXTRA_UNICODE)))
            number = self.add(
                b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding %s /FirstChar 0 /LastChar 255 /Widths [%s]%s >>"
                % (font.base.encode(), encoding, widths, extra)
            )
            self.fonts[font] = (name, number)
        return self.fonts[font][0]

    def page(self, content: bytes, size: tuple[float, float] = (595, 842), rotate: int = 0,
             annots: list[int] | None = None, xobjects: dict[str, int] | None = None) -> int:
        fonts = b" ".join(b"/%s %d 0 R" % (name.encode(), number) for name, number in self.fonts.values())
        resources = b"/Font << %s >>" % fonts
        if xobjects:
            resources += b" /XObject << %s >>" % b" ".join(b"/%s %d 0 R" % (k.encode(), v) for k, v in xobjects.items())
        contents = self.add(self.stream(content))
        extra = b" /Rotate %d" % rotate if rotate else b""
        if annots:
            extra += b" /Annots [%s]" % b" ".join(b"%d 0 R" % a for a in annots)
        number = self.add(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << %s >> /Contents %d 0 R%s >>"
            % (_number(size[0]), _number(size[1]), resources, contents, extra)
        )
        self.pages.append(number)
        return number

    def output(self) -> bytes:
        kids = b" ".join(b"%d 0 R" % n for n in self.pages)
        self.put(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.pages)))
        acroform = b""
        if self.fields:
            helv = self.font(HELVETICA)
            acroform = b" /AcroForm << /Fields [%s] /DA (/%s 0 Tf 0 g) /DR << /Font << /%s %d 0 R >> >> >>" % (
                b" ".join(b"%d 0 R" % f for f in self.fields), helv.encode(), helv.encode(), self.fonts[HELVETICA][1])
        self.put(1, b"<< /Type /Catalog /Pages 2 0 R%s >>" % acroform)
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + (body or b"null") + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(self.objects) + 1, xref)
        return bytes(out)


def _tounicode(mapping: dict[int, str]) -> bytes:
    lines = [f"<{code:02X}> <{target}>" for code, target in sorted(mapping.items())]
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        f"{len(lines)} beginbfchar\n" + "\n".join(lines) + "\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


# --- typesetting -------------------------------------------------------------------------


@dataclass
class Style:
    """How a document is set. Lengths in points; ``margins`` = left, right, top, bottom."""

    font: Font = HELVETICA
    bold: Font = HELVETICA_BOLD
    size: float = 11
    leading: float = 0  # 0: 1.25 × size
    parskip: float = 6
    indent: float = 0  # first-line indent of paragraphs
    justify: bool = True
    emit: str = "spaces"  # spaces | kerned | words
    columns: int = 1
    gutter: float = 18
    order: str = "columns"  # columns | rows: the order lines are written in the content stream
    page: tuple[float, float] = (595, 842)
    margins: tuple[float, float, float, float] = (72, 72, 72, 72)
    header: str = ""
    page_numbers: bool = False
    rotate: int = 0  # /Rotate of every page
    upright: bool = True  # with rotate: draw the content so that it reads upright on screen
    kerning: bool = False  # small kerning numbers inside words (word processors)
    invisible: bool = False  # text render mode 3 (the OCR layer of a scan)
    fake_bold: bool = False  # every run drawn twice, a quarter point apart
    watermark: str = ""  # drawn diagonally across every page, in grey
    extra: bytes = b""  # more content for every page (the fonts are /F1 and /F2)
    note_size: float = 8

    def __post_init__(self) -> None:
        if not self.leading:
            self.leading = round(self.size * 1.25, 2)


@dataclass
class _Run:
    x: float
    y: float  # baseline, PDF coordinates (from the bottom)
    font: Font
    size: float
    elements: list[bytes | float]
    word_spacing: float = 0.0


@dataclass
class _Page:
    runs: list[_Run] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return text.split()


class Typesetter:
    """Flows titles, headings, paragraphs and footnotes into pages and columns.

    In paragraph text ``{1}`` is a footnote reference (a raised, smaller number); the note
    itself is given with :meth:`note` and set at the foot of the page."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.pages: list[_Page] = []
        self.notes: dict[int, str] = {}
        self._new_page()

    # geometry
    @property
    def _text_width(self) -> float:
        width, _ = self._frame_size()
        left, right, _, _ = self.style.margins
        return width - left - right

    def _frame_size(self) -> tuple[float, float]:
        width, height = self.style.page
        if self.style.rotate in (90, 270) and self.style.upright:
            width, height = height, width
        return width, height

    @property
    def _column_width(self) -> float:
        s = self.style
        return (self._text_width - (s.columns - 1) * s.gutter) / s.columns

    def _column_x(self, column: int) -> float:
        return self.style.margins[0] + column * (self._column_width + self.style.gutter)

    def _new_page(self) -> None:
        self.pages.append(_Page())
        self.column = 0
        self.top_y = self._frame_size()[1] - self.style.margins[2]
        self.y = self.top_y  # the top of the next line (baseline = y - size)
        self.bottom = self.style.margins[3]

    def _next_column(self) -> None:
        if self.column + 1 < self.style.columns:
            self.column += 1
            self.y = self.top_y
        else:
            self._new_page()

    def _reserve_line(self, height: float) -> float:
        if self.y - height < self.bottom:
            self._next_column()
        self.y -= height
        return self.y

    # content
    def title(self, text: str, size: float = 14) -> None:
        """A bold, centred title across the whole text width (all columns)."""
        font = self.style.bold
        for line in self._wrap(text, font, size, self._text_width):
            width = sum(font.advance(w) for w in line) * size / 1000 + font.width(32) * size / 1000 * (len(line) - 1)
            y = self._reserve_line(size * 1.3)
            x = self.style.margins[0] + (self._text_width - width) / 2
            self._add_line(line, x, y, font, size, justify_to=None)
        self.y -= self.style.parskip * 2
        self.top_y = self.y

    def heading(self, text: str) -> None:
        self.paragraph(text, font=self.style.bold, justify=False, indent=0)

    def note(self, number: int, text: str) -> None:
        self.notes[number] = text

    def paragraph(self, text: str, *, font: Font | None = None, justify: bool | None = None,
                  indent: float | None = None) -> None:
        s = self.style
        font = font or s.font
        justify = s.justify if justify is None else justify
        indent = s.indent if indent is None else indent
        width = self._column_width
        lines = self._wrap(text, font, s.size, width, first_indent=indent)
        for number, line in enumerate(lines):
            y = self._reserve_line(s.leading)
            x = self._column_x(self.column) + (indent if number == 0 else 0)
            last = number == len(lines) - 1
            self._add_line(line, x, y, font, s.size,
                           justify_to=None if (last or not justify) else width - (indent if number == 0 else 0))
        self.y -= s.parskip

    def _wrap(self, text: str, font: Font, size: float, width: float, first_indent: float = 0) -> list[list[str]]:
        space = font.width(32) * size / 1000
        lines: list[list[str]] = []
        line: list[str] = []
        used = 0.0
        words = _words(text)
        index = 0
        while index < len(words):
            word = words[index]
            index += 1
            w = font.advance(word.replace("{", "").replace("}", "")) * size / 1000
            limit = width - (first_indent if not lines else 0)
            if line and used + space + w > limit and "-" in word[1:-1]:
                # break after a hyphen when the first part still fits: "co-" / "existence"
                head, _, tail = word.partition("-")
                head += "-"
                if used + space + font.advance(head) * size / 1000 <= limit:
                    line.append(head)
                    lines.append(line)
                    line, used = [], 0.0
                    words.insert(index, tail)
                    continue
            if line and used + space + w > limit:
                lines.append(line)
                line, used = [], 0.0
            used += (space if line else 0) + w
            line.append(word)
        if line:
            lines.append(line)
        return lines

    def _add_line(self, words: list[str], x: float, y: float, font: Font, size: float, justify_to: float | None) -> None:
        s = self.style
        page = self.pages[-1]
        baseline = y + (s.leading - size) * 0.5 + size * 0.22
        space = font.width(32) * size / 1000
        parts = []  # (word text, superscript number or None)
        for word in words:
            if "{" in word:
                head, _, rest = word.partition("{")
                number, _, tail = rest.partition("}")
                parts.append((head, number, tail))
                if int(number) in self.notes:
                    page.notes.append((int(number), self.notes[int(number)]))
            else:
                parts.append((word, None, ""))
        natural = sum(font.advance(w + t) * size / 1000 for w, _, t in parts) + space * (len(parts) - 1)
        natural += sum(font.advance(n) * size * 0.7 / 1000 for _, n, _ in parts if n)
        gap = space
        if justify_to is not None and len(parts) > 1:
            gap = space + (justify_to - natural) / (len(parts) - 1)
        positions = []
        cursor = x
        for word, number, tail in parts:
            positions.append(cursor)
            cursor += font.advance(word + tail) * size / 1000 + gap
            if number:
                cursor += font.advance(number) * size * 0.7 / 1000
        rng = random.Random(hash((round(x), round(y))) & 0xFFFF)
        if s.emit == "words" or any(n for _, n, _ in parts):
            for (word, number, tail), position in zip(parts, positions, strict=True):
                elements, advance = self._pieces(font, word, rng)
                page.runs.append(_Run(position, baseline, font, size, elements))
                if number:
                    sx = position + advance * size / 1000
                    page.runs.append(_Run(sx, baseline + size * 0.35, font, size * 0.7, font.pieces(number)[0]))
                    if tail:
                        tx = sx + font.advance(number) * size * 0.7 / 1000
                        page.runs.append(_Run(tx, baseline, font, size, font.pieces(tail)[0]))
            return
        if s.emit == "kerned":
            elements: list[bytes | float] = []
            for index, (word, _, _) in enumerate(parts):
                pieces, advance = self._pieces(font, word, rng)
                elements.extend(pieces)
                if index + 1 < len(parts):
                    end = positions[index] + advance * size / 1000
                    elements.append(-(positions[index + 1] - end) * 1000 / size)
            page.runs.append(_Run(x, baseline, font, size, elements))
            return
        elements = []
        for index, (word, _, _) in enumerate(parts):
            elements.extend(self._pieces(font, word + (" " if index + 1 < len(parts) else ""), rng)[0])
        page.runs.append(_Run(x, baseline, font, size, elements, word_spacing=gap - space))

    def _pieces(self, font: Font, word: str, rng: random.Random) -> tuple[list[bytes | float], float]:
        elements, advance = font.pieces(word)
        if not self.style.kerning or font.split_accents:
            return elements, advance
        out: list[bytes | float] = []
        for element in elements:  # split words and add tiny kerning pairs, as word processors do
            if isinstance(element, bytes) and len(element) > 3 and rng.random() < 0.5:
                cut = rng.randint(1, len(element) - 1)
                kern = rng.choice((-15, -7, 7, 12))
                out.extend([element[:cut], kern, element[cut:]])
                advance -= kern
            else:
                out.append(element)
        return out, advance

    # output
    def _furniture(self, number: int, page: _Page) -> list[_Run]:
        s = self.style
        width, height = self._frame_size()
        runs = []
        if s.header:
            runs.append(_Run(s.margins[0], height - s.margins[2] + 20, s.font, 8, s.font.pieces(s.header)[0]))
        if s.page_numbers:
            label = str(number)
            w = s.font.advance(label) * 9 / 1000
            runs.append(_Run((width - w) / 2, s.margins[3] / 2, s.font, 9, s.font.pieces(label)[0]))
        y = s.margins[3] + 4
        for note_number, text in reversed(page.notes):  # footnotes above the bottom margin
            lines = self._wrap(f"{note_number} {text}", s.font, s.note_size, self._column_width)
            for line in reversed(lines):
                parts = []
                for index, word in enumerate(line):
                    parts.extend(s.font.pieces(word + (" " if index + 1 < len(line) else ""))[0])
                runs.append(_Run(s.margins[0], y, s.font, s.note_size, parts))
                y += s.note_size * 1.2
        return runs

    def content(self, number: int, page: _Page) -> bytes:
        s = self.style
        runs = list(page.runs)
        if s.order == "rows":
            runs.sort(key=lambda r: (-round(r.y), r.x))
        runs += self._furniture(number, page)
        out = bytearray()
        width, height = self._frame_size()
        if s.watermark:
            out += b"q 0.8 g BT /%s 48 Tf 0.7071 0.7071 -0.7071 0.7071 150 250 Tm %s ET Q\n" % (
                self.file.font(s.bold).encode(), _tj(s.bold.pieces(s.watermark)[0]))
        if s.rotate and s.upright:
            w, h = s.page
            matrix = {90: f"0 1 -1 0 {w} 0", 180: f"-1 0 0 -1 {w} {h}", 270: f"0 -1 1 0 0 {h}"}[s.rotate]
            out += f"q {matrix} cm\n".encode()
        for run in runs:
            mode = b" 3 Tr" if s.invisible else b""
            for offset in (0, 0.25) if s.fake_bold else (0,):
                out += b"BT /%s %s Tf%s %s Tw 1 0 0 1 %s %s Tm %s ET\n" % (
                    self.file.font(run.font).encode(), _number(run.size), mode, _number(run.word_spacing),
                    _number(run.x + offset), _number(run.y), _tj(run.elements))
        if s.rotate and s.upright:
            out += b"Q\n"
        return bytes(out) + s.extra

    def write(self, pdf: PdfFile | None = None, image_under: bool = False) -> PdfFile:
        self.file = pdf or PdfFile()
        for font in (self.style.font, self.style.bold):
            self.file.font(font)
        for number, page in enumerate(self.pages, start=1):
            if not page.runs and number == len(self.pages) and number > 1:
                continue
            content = self.content(number, page)
            xobjects = None
            if image_under:
                name, image = _image(self.file)
                content = b"q %s 0 0 %s 0 0 cm /%s Do Q\n" % (_number(self.style.page[0]), _number(self.style.page[1]),
                                                              name.encode()) + content
                xobjects = {name: image}
            self.file.page(content, self.style.page, self.style.rotate, xobjects=xobjects)
        return self.file


def _image(pdf: PdfFile, seed: int = 0) -> tuple[str, int]:
    """A small grey 'photo' of a handwritten page."""
    rng = random.Random(seed)
    width, height = 62, 88
    pixels = bytearray(255 for _ in range(width * height))
    for row in range(6, height - 6, 3):
        end = rng.randint(30, width - 4)
        for column in range(4, end):
            if rng.random() < 0.7:
                pixels[row * width + column] = rng.randint(0, 90)
    number = pdf.add(PdfFile.stream(bytes(pixels), b" /Type /XObject /Subtype /Image /Width %d /Height %d"
                                    b" /ColorSpace /DeviceGray /BitsPerComponent 8" % (width, height)))
    return f"Im{number}", number


# --- documents ---------------------------------------------------------------------------


def essay(style: Style, blocks: list, notes: dict[int, str] | None = None) -> Typesetter:
    """``blocks``: ``("title", text)``, ``("heading", text)`` or paragraph strings."""
    setter = Typesetter(style)
    for number, text in (notes or {}).items():
        setter.note(number, text)
    for block in blocks:
        if isinstance(block, tuple):
            kind, text = block
            getattr(setter, kind)(text)
        else:
            setter.paragraph(block)
    return setter


def write(path: Path, style: Style, blocks: list, notes: dict[int, str] | None = None, **kwargs) -> Path:
    path.write_bytes(essay(style, blocks, notes).write(**kwargs).output())
    return path


def scan_page(pdf: PdfFile, seed: int = 0, size: tuple[float, float] = (595, 842)) -> None:
    """A page that is only a picture (what a scanner produces)."""
    name, image = _image(pdf, seed)
    pdf.page(b"q %s 0 0 %s 0 0 cm /%s Do Q\n" % (_number(size[0]), _number(size[1]), name.encode()), size,
             xobjects={name: image})


def text_field(pdf: PdfFile, name: str, value: str, rect: tuple[float, float, float, float],
               multiline: bool = False, size: float = 10) -> int:
    """A filled-in form text field (a widget with its value and an appearance stream)."""
    font = HELVETICA
    resource = pdf.font(font)
    x0, y0, x1, y1 = rect
    lines = []
    if multiline:
        setter = Typesetter(Style(font=font, size=size))
        for paragraph in value.split("\n"):
            lines.extend(setter._wrap(paragraph, font, size, x1 - x0 - 4))
    else:
        lines = [value.split()]
    body = bytearray(b"/Tx BMC q BT /%s %s Tf 0 g\n" % (resource.encode(), _number(size)))
    y = y1 - y0 - size - 2
    for line in lines:
        body += b"1 0 0 1 2 %s Tm %s\n" % (_number(y), _tj(font.pieces(" ".join(line))[0]))
        y -= size * 1.2
    body += b"ET Q EMC"
    appearance = pdf.add(PdfFile.stream(bytes(body), b" /Type /XObject /Subtype /Form /BBox [0 0 %s %s]"
                                        b" /Resources << /Font << /%s %d 0 R >> >>"
                                        % (_number(x1 - x0), _number(y1 - y0), resource.encode(), pdf.fonts[font][1])))
    value_string = _pdf_string(value.encode("cp1252"))
    flags = b" /Ff 4096" if multiline else b""
    widget = pdf.add(
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T %s /V %s /Rect [%s %s %s %s] /F 4%s"
        b" /DA (/%s %s Tf 0 g) /AP << /N %d 0 R >> >>"
        % (_pdf_string(name.encode()), value_string, *(_number(v) for v in rect), flags, resource.encode(),
           _number(size), appearance)
    )
    pdf.fields.append(widget)
    return widget


def comment(pdf: PdfFile, text: str, rect: tuple[float, float, float, float]) -> int:
    """A reviewer's typed comment on the page (a FreeText annotation with its appearance)."""
    resource = pdf.font(HELVETICA)
    x0, y0, x1, y1 = rect
    body = b"q 1 1 0.6 rg 0 0 %s %s re f BT 0 g /%s 9 Tf 1 0 0 1 2 %s Tm %s ET Q" % (
        _number(x1 - x0), _number(y1 - y0), resource.encode(), _number(y1 - y0 - 11), _tj(HELVETICA.pieces(text)[0]))
    appearance = pdf.add(PdfFile.stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 %s %s]"
                                        b" /Resources << /Font << /%s %d 0 R >> >>"
                                        % (_number(x1 - x0), _number(y1 - y0), resource.encode(), pdf.fonts[HELVETICA][1])))
    return pdf.add(b"<< /Type /Annot /Subtype /FreeText /Rect [%s %s %s %s] /Contents %s /DA (/%s 9 Tf 0 g)"
                   b" /F 4 /AP << /N %d 0 R >> >>" % (*(_number(v) for v in rect), _pdf_string(text.encode("cp1252")),
                                                      resource.encode(), appearance))


# --- text that looks like an A-level essay -------------------------------------------------

_OPENERS = ["However,", "Moreover,", "Consequently,", "Nevertheless,", "In contrast,", "Arguably,",
            "For example,", "By 1929,", "Significantly,", "To some extent,", "Even so,", "Indeed,"]
_SUBJECTS = ["the Weimar government", "Stresemann’s coalition", "the Nazi leadership", "the Reichswehr",
             "the Reichstag", "the KPD", "the Mittelstand", "Hindenburg", "the industrial élite",
             "the trade unions", "the Allied powers", "Brüning’s cabinet", "the Rentenbank", "Ebert",
             "the Freikorps", "Schacht"]
_VERBS = ["undermined", "strengthened", "exploited", "ignored", "reformed", "challenged",
          "transformed", "weakened", "supported", "opposed", "destabilised", "consolidated",
          "financed", "mobilised", "alienated", "restrained"]
_OBJECTS = ["the authority of the state", "public confidence in democracy",
            "the economic recovery of the mid-1920s", "the loyalty of the armed forces",
            "the “stab-in-the-back” myth", "the reparations settlement", "the Dawes Plan’s effects",
            "the credibility of the opposition", "the fragile coalition", "popular support for reform",
            "the influence of the press", "the balance of power in Europe", "the rôle of the Länder",
            "the efficiency of the civil service", "the officers’ coup", "the sufficiency of the reforms"]
_TAILS = ["after the crisis of 1923", "during the Depression", "in the years before 1933",
          "throughout the period", "by the end of the decade", "within a few months",
          "despite fierce resistance", "with remarkable speed", "at considerable cost",
          "in the provinces", "across the country", "— or so Evans argues —", "(as Kershaw notes)"]
QUESTION = "‘The Treaty of Versailles was the main reason for the collapse of the Weimar Republic.’ Assess the validity of this view."


def sentence(rng: random.Random) -> str:
    text = f"{rng.choice(_OPENERS)} {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
    if rng.random() < 0.25:
        text += f" In {rng.randint(1918, 1933)} some {rng.randint(2, 99)}% of voters – “the silent majority” – agreed."
    return text


def essay_text(words: int, seed: int = 1, per_paragraph: int = 150) -> list[str]:
    """Paragraphs of about ``words`` words in all, with curly quotes, dashes and accents."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < words:
        sentences: list[str] = []
        count = 0
        while count < per_paragraph and total + count < words:
            text = sentence(rng)
            sentences.append(text)
            count += len(text.split())
        paragraphs.append(" ".join(sentences))
        total += count
    return paragraphs
