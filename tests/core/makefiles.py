"""Real script files for the importer tests: docx (python-docx), PDF (fpdf2), odt and rtf
(written by hand), txt in several encodings, and hostile files (zip bombs, XML entities,
OLE containers, renamed workbooks)."""

from __future__ import annotations

import random
import struct
import zipfile
from io import BytesIO
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# --- text ---------------------------------------------------------------------------------

_SUBJECTS = """the Weimar government | Stresemann | the Nazi leadership | the German army |
the Reichstag | the Communist party | the middle classes | the peasantry | Hindenburg |
the industrial elite | the trade unions | the Allied powers | Lenin | the Provisional
Government | the Bolsheviks | the Tsarist regime | Stolypin | the Duma | the Kulaks |
the urban workers | Gladstone | Disraeli | the Liberal cabinet | the Chartists |
Parliament | the Whig aristocracy | Bismarck | the Catholic Centre party""".split("|")
_VERBS = """undermined | strengthened | exploited | ignored | reformed | challenged |
transformed | weakened | supported | opposed | destabilised | consolidated | financed |
mobilised | alienated | restrained | accelerated | questioned""".split("|")
_OBJECTS = """the authority of the state | public confidence in democracy | the economic
recovery of the mid-1920s | the loyalty of the armed forces | the demand for land reform |
the power of the aristocracy | the credibility of the opposition | the position of the
monarchy | the reparations settlement | the process of industrialisation | popular
support for reform | the stability of the coalition | the grievances of the peasantry |
the influence of the press | the balance of power in Europe | the pace of political
change""".split("|")
_LINKS = """Consequently, | However, | In contrast, | Moreover, | Nevertheless, | Arguably, |
For example, | In the short term, | By 1929, | As a result, | Historians such as Evans
suggest that | It is clear that | Significantly, | To some extent, | Even so,""".split("|")
_TAILS = """after the crisis of 1923 | during the depression | in the years before the war |
throughout the period | by the end of the decade | within a few months | despite fierce
resistance | with remarkable speed | at considerable cost | in the provinces | across
the country""".split("|")


def _clean(items: list[str]) -> list[str]:
    return [" ".join(item.split()) for item in items]


_SUBJECTS, _VERBS, _OBJECTS, _LINKS, _TAILS = map(_clean, (_SUBJECTS, _VERBS, _OBJECTS, _LINKS, _TAILS))


def sentence(rng: random.Random) -> str:
    link = rng.choice(_LINKS)
    subject = rng.choice(_SUBJECTS)
    text = f"{link} {subject} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
    return text[0].upper() + text[1:]


def essay_paragraphs(words: int, seed: int = 1, per_paragraph: int = 120) -> list[str]:
    """Varied prose (no 8-word passage repeats by chance) of about ``words`` words."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < words:
        sentences: list[str] = []
        count = 0
        while count < per_paragraph and total + count < words:
            s = f"{sentence(rng)} In {rng.randint(1815, 1945)} the number {rng.randint(10, 99999)} mattered."
            sentences.append(s)
            count += len(s.split())
        paragraphs.append(" ".join(sentences))
        total += count
    return paragraphs


QUESTION_STATEMENT = "‘The Treaty of Versailles was the main reason for the collapse of the Weimar Republic.’"
QUESTION_INSTRUCTION = "Assess the validity of this view."
CURLY = "Stalin’s “Great Terror” – a nineteenth-century idea — café déjà vu"

# --- docx ---------------------------------------------------------------------------------


def make_docx(path: Path, items: list[tuple[str, str] | str]) -> Path:
    """``items``: texts (Normal style) or ``(style name, text)`` pairs; style "table:a|b"
    adds a one-row table with those cells."""
    import docx

    document = docx.Document()
    for item in items:
        style, text = ("Normal", item) if isinstance(item, str) else item
        if style == "table":
            cells = text.split("|")
            table = document.add_table(rows=1, cols=len(cells))
            for cell, value in zip(table.rows[0].cells, cells, strict=True):
                cell.text = value
        else:
            document.add_paragraph(text, style=style)
    document.save(str(path))
    return path


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:footnotes xmlns:w="{W}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "{notes}</w:footnotes>"
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rewrite_zip(path: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> None:
    """Rewrite a zip, replacing some entries and adding others."""
    source = path.read_bytes()
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(source)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = replace.get(info.filename, old.read(info.filename))
            new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    path.write_bytes(out.getvalue())


def add_docx_footnotes(path: Path, notes: list[str], in_paragraph: int = 0) -> Path:
    """Inject real footnotes (footnotes.xml, relationship, content type, references at
    the end of body paragraph ``in_paragraph``)."""
    with zipfile.ZipFile(path) as zf:
        document = zf.read("word/document.xml").decode("utf-8")
        rels = zf.read("word/_rels/document.xml.rels").decode("utf-8")
        types = zf.read("[Content_Types].xml").decode("utf-8")
    refs = "".join(f'<w:r><w:footnoteReference w:id="{i + 1}"/></w:r>' for i in range(len(notes)))
    # insert the references at the end of the wanted paragraph
    position = -1
    for _ in range(in_paragraph + 1):
        position = document.index("</w:p>", position + 1)
    document = document[:position] + refs + document[position:]
    body = "".join(
        f'<w:footnote w:id="{i + 1}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {_escape(text)}</w:t></w:r></w:p></w:footnote>'
        for i, text in enumerate(notes)
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdFoot1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
    )
    rewrite_zip(
        path,
        {
            "word/document.xml": document.encode("utf-8"),
            "word/_rels/document.xml.rels": rels.encode("utf-8"),
            "[Content_Types].xml": types.encode("utf-8"),
        },
        {"word/footnotes.xml": _FOOTNOTES_XML.format(notes=body).encode("utf-8")},
    )
    return path


def docx_with_document_xml(path: Path, document_xml: bytes) -> Path:
    """A real docx whose word/document.xml is replaced by ``document_xml``."""
    make_docx(path, ["placeholder"])
    rewrite_zip(path, {"word/document.xml": document_xml})
    return path


# --- pdf ----------------------------------------------------------------------------------


def make_pdf(
    path: Path,
    blocks: list[str],
    *,
    unicode_font: bool = False,
    gap: float = 3,
    size: int = 11,
    page_numbers: bool = False,
    running_header: str = "",
) -> Path:
    """One multi_cell per block (fpdf2 wraps it into lines), ``gap`` mm between blocks;
    optionally a page number in the footer and a running header on every page."""
    from fpdf import FPDF

    class Document(FPDF):
        def header(self):
            if running_header:
                self.set_font("Helvetica", size=8)
                self.cell(0, 5, running_header)
                self.ln(8)
                self._body_font()

        def footer(self):
            if page_numbers:
                self.set_y(-15)
                self.set_font("Helvetica", size=8)
                self.cell(0, 10, str(self.page_no()), align="C")
                self._body_font()

        def _body_font(self):
            self.set_font("dejavu" if unicode_font else "Helvetica", size=size)

    pdf = Document(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    if unicode_font:
        pdf.add_font("dejavu", "", str(DEJAVU))
    pdf.set_font("dejavu" if unicode_font else "Helvetica", size=size)
    pdf.add_page()
    for block in blocks:
        pdf.multi_cell(0, 5, block)
        pdf.ln(gap)
    pdf.output(str(path))
    return path


def make_encrypted_pdf(path: Path, user_password: str = "secret", aes: bool = False) -> Path:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    method = EncryptionMethod.AES_128 if aes else EncryptionMethod.RC4
    pdf.set_encryption(owner_password="owner", user_password=user_password,
                       encryption_method=method)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5, " ".join(essay_paragraphs(80, seed=7)))
    pdf.output(str(path))
    return path


def make_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF whose pages are only images (what a scanner produces)."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    pdf = FPDF(format="A4")
    for page in range(pages):
        image = Image.new("RGB", (620, 877), "white")
        draw = ImageDraw.Draw(image)
        for line in range(30):
            y = 40 + line * 26
            draw.line((40, y, 560 - (line * 37 + page * 11) % 200, y), fill="black", width=2)
        pdf.add_page()
        pdf.image(image, x=0, y=0, w=210)
    pdf.output(str(path))
    return path


# --- odt ----------------------------------------------------------------------------------

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3"'
)


def odt_paragraph(kind: str, text: str) -> str:
    """``kind``: p, h, title, quote, or raw (``text`` is XML already)."""
    if kind == "raw":
        return text
    if kind == "h":
        return f'<text:h text:style-name="Heading_20_1" text:outline-level="1">{_escape(text)}</text:h>'
    style = {"title": "Title", "quote": "Quotations", "p": "P1"}[kind]
    return f'<text:p text:style-name="{style}">{_escape(text)}</text:p>'


def make_odt(path: Path, items: list[tuple[str, str] | str], *, content_xml: bytes | None = None, encrypted: bool = False) -> Path:
    body = "".join(odt_paragraph(*item) if isinstance(item, tuple) else odt_paragraph("p", item) for item in items)
    content = content_xml or (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        '<office:automatic-styles><style:style style:name="P1" style:family="paragraph" '
        'style:parent-style-name="Text_20_body"/></office:automatic-styles>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    ).encode()
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>' if encrypted else ""
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{encryption}</manifest:file-entry>'
        "</manifest:manifest>"
    ).encode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def odt_note(text: str) -> str:
    return (
        '<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        f"<text:note-body><text:p>{_escape(text)}</text:p></text:note-body></text:note>"
    )


# --- rtf ----------------------------------------------------------------------------------


def rtf_escape(text: str) -> str:
    """RTF for ``text``: cp1252 characters as \\'hh, others as \\uN?."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char in "\\{}":
            out.append("\\" + char)
        elif code < 128:
            out.append(char)
        else:
            try:
                byte = char.encode("cp1252")
                out.append(f"\\'{byte[0]:02x}")
            except UnicodeEncodeError:
                units = struct.unpack(f"<{len(char.encode('utf-16-le')) // 2}H", char.encode("utf-16-le"))
                out.extend(f"\\u{unit if unit < 32768 else unit - 65536}?" for unit in units)
    return "".join(out)


def make_rtf(path: Path, paragraphs: list[str]) -> Path:
    body = "".join(rtf_escape(p) + "\\par\n" for p in paragraphs)
    path.write_bytes(
        ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Helvetica;}}\\f0\\fs22\n" + body + "}").encode("ascii")
    )
    return path


# --- hostile files ------------------------------------------------------------------------


def make_stream_zip_bomb(path: Path, megabytes: int = 300) -> Path:
    """A docx-shaped zip whose word/document.xml inflates to ``megabytes`` MB of zeros;
    written in 1 MB chunks so making it needs little memory."""
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as handle:
            for _ in range(megabytes):
                handle.write(chunk)
    return path


def make_declared_size_bomb(path: Path, declared: int = 300 * 1024 * 1024) -> Path:
    """A small docx whose central directory claims word/document.xml is ``declared``
    bytes (local header too): the lie must be caught before inflating."""
    make_docx(path, ["placeholder text"])
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    # central directory entries: signature PK\x01\x02, uncompressed size at offset 24
    position = 0
    while True:
        position = data.find(b"PK\x01\x02", position)
        if position == -1:
            break
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == name:
            struct.pack_into("<I", data, position + 24, declared)
        position += 4
    path.write_bytes(bytes(data))
    return path


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Before &xxe; after</w:t></w:r></w:p></w:body></w:document>"""


def make_xlsx(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Candidate"
    workbook.save(str(path))
    return path


def make_cfb(path: Path, streams: list[str], fib_flags: int | None = None) -> Path:
    """A minimal OLE compound file whose directory holds ``streams`` (names only; enough
    for format sniffing). With ``fib_flags``, the first stream's first sector holds a
    Word FIB with those flags."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # number of FAT sectors
    struct.pack_into("<I", header, 48, 0)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)
    header[76:512] = b"\xff" * (512 - 76)
    struct.pack_into("<I", header, 76, 2)  # FAT in sector 2
    directory = bytearray(sector)
    names = ["Root Entry", *streams][:4]
    for index, name in enumerate(names):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        entry[66] = 5 if index == 0 else 2
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        struct.pack_into("<I", entry, 116, 1 if index == 1 else 0xFFFFFFFE)
        struct.pack_into("<I", entry, 120, 4096 if index == 1 else 0)
        directory[index * 128 : (index + 1) * 128] = entry
    stream = bytearray(sector)
    if fib_flags is not None:
        struct.pack_into("<HH", stream, 0, 0xA5EC, 0xC1)
        struct.pack_into("<H", stream, 10, fib_flags)
    fat = bytearray(b"\xff" * sector)
    path.write_bytes(bytes(header + directory + stream + fat))
    return path
