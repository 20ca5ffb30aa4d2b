"""Word (.docx) fidelity: tables, embedded web pages (altChunk), ruby, drop caps, note
marks, list numbers and bullets; the zip-bomb guard against embedded pictures; old and
encrypted Office files; the styles cache. Every file is made here (python-docx, or raw
WordprocessingML written with zipfile)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from rubric.errors import ImportFailure
from rubric.importing import count_words, inspect_file, reader, safety
from rubric.importing import docx as docx_reader
from rubric.importing.analysis import classify
from rubric.importing.paragraphs import Block

try:
    from tests.core import makefiles as mk
except ImportError:  # tests/ is not a package: pytest puts this folder on sys.path
    import makefiles as mk

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
NS = f'xmlns:w="{W}" xmlns:r="{R}"'
BODY = mk.essay_paragraphs(400, seed=61)


# --- building files -------------------------------------------------------------------------


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def p(text: str, ppr: str = "", runs: str = "") -> str:
    run = f'<w:r><w:t xml:space="preserve">{esc(text)}</w:t></w:r>' if text else ""
    return f"<w:p><w:pPr>{ppr}</w:pPr>{run}{runs}</w:p>"


def cell(*paragraphs: str) -> str:
    return "<w:tc>" + "".join(x if x.startswith("<") else p(x) for x in paragraphs) + "</w:tc>"


def row(*cells: str) -> str:
    return "<w:tr>" + "".join(c if c.startswith("<w:tc>") else cell(c) for c in cells) + "</w:tr>"


def table(*rows: str) -> str:
    return "<w:tbl><w:tblPr/>" + "".join(rows) + "</w:tbl>"


def numbered(text: str, num_id: int, ilvl: int = 0) -> str:
    return p(text, f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')


def raw_docx(path: Path, body: str, parts: dict[str, bytes | str] | None = None,
             rels: list[tuple[str, str, str]] | None = None, compress: dict[str, int] | None = None) -> Path:
    """A minimal WordprocessingML package: ``rels`` are (id, type, target) of the main part."""
    rel_xml = "".join(f'<Relationship Id="{i}" Type="{RT}{t}" Target="{target}"/>' for i, t, target in rels or [])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RT}officeDocument" Target="word/document.xml"/></Relationships>',
        )
        zf.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{body}</w:body></w:document>',
        )
        zf.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rel_xml}</Relationships>",
        )
        for name, data in (parts or {}).items():
            zf.writestr(name, data, compress_type=(compress or {}).get(name, zipfile.ZIP_DEFLATED))
    return path


def read(path: Path):
    """What the Word reader hands to the analysis (blocks with hints, notes, warnings)."""
    zipped = safety.open_zip(path, path.read_bytes())
    try:
        return docx_reader.read_docx(path, zipped)
    finally:
        zipped.zf.close()


def blocks(path: Path) -> list[tuple[str, str]]:
    return [(b.hint, b.text) for b in read(path).blocks if b.text.strip()]


def texts(path: Path) -> list[str]:
    return [text for _, text in blocks(path)]


def analysis_knows_tables() -> bool:
    """The analysis keeps ``table`` hints as ``table`` paragraphs (analysis.py, not this module)."""
    return classify([Block("Year | Event", "table"), Block(BODY[0])])[0].kind == "table"


def marks_are_not_words() -> bool:
    return count_words("began.[1]") == 1


# --- tables -------------------------------------------------------------------------------------


def test_table_rows_are_blocks_cells_joined_never_headings(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph(BODY[0])
    grid = document.add_table(rows=3, cols=3)
    values = [["Year", "Event", "Result"], ["1917", "February Revolution", "Tsar abdicates"], ["1918", "Brest-Litovsk", ""]]
    for r, cells in enumerate(values):
        for c, value in enumerate(cells):
            grid.cell(r, c).text = value
    grid.cell(0, 0).paragraphs[0].style = document.styles["Heading 1"]  # a styled cell is still a cell
    grid.cell(1, 2).add_paragraph("and the Provisional Government")  # two paragraphs in one cell
    document.add_paragraph(BODY[1])
    path = tmp_path / "table.docx"
    document.save(str(path))

    assert blocks(path) == [
        ("body", BODY[0]),
        ("table", "Year | Event | Result"),
        ("table", "1917 | February Revolution | Tsar abdicates and the Provisional Government"),
        ("table", "1918 | Brest-Litovsk"),  # an empty last cell is dropped
        ("body", BODY[1]),
    ]


def test_nested_tables_empty_rows_line_breaks_and_boxes(tmp_path):
    inner = table(row("Inner one", "Inner two"), row("Inner three", "Inner four"))
    body = (
        p("Before the table.")
        + table(
            row(cell(p("Outer cell"), inner), "Second cell"),
            row("", ""),  # an empty row is skipped
            row(cell(p("", runs="<w:r><w:t>Line one</w:t><w:br/><w:t>line two</w:t></w:r>")), "", "Third"),
        )
        + table(row(cell(p("A box drawn round a paragraph."), p("And a second paragraph in it."))))
        + p("After the table.")
    )
    path = raw_docx(tmp_path / "nested.docx", body)
    assert blocks(path) == [
        ("body", "Before the table."),
        ("table", "Outer cell | Second cell"),
        ("table", "Inner one | Inner two"),  # a nested table's rows follow the row that holds it
        ("table", "Inner three | Inner four"),
        ("table", "Line one line two | | Third"),  # a line break in a cell stays in its row
        ("body", "A box drawn round a paragraph."),  # a one-cell table is a box, not a table
        ("body", "And a second paragraph in it."),
        ("body", "After the table."),
    ]


@pytest.mark.skipif(not analysis_knows_tables(), reason="needs analysis.classify to keep 'table' hints")
def test_table_rows_in_the_script_are_table_paragraphs_and_count(tmp_path):
    body = (
        p(BODY[0])
        + table(row("Year", "Event"), row("1917", "Revolution"), row("1918", "Civil war"))
        + p(BODY[1])
    )
    draft = inspect_file(raw_docx(tmp_path / "t.docx", body))
    rows = [(q.kind, q.text) for q in draft.paragraphs if "|" in q.text]
    assert rows == [("table", "Year | Event"), ("table", "1917 | Revolution"), ("table", "1918 | Civil war")]
    assert not any(q.kind == "heading" for q in draft.paragraphs)
    assert draft.coursework_word_count == count_words(BODY[0]) + count_words(BODY[1]) + 7  # the cells count


# --- embedded parts (w:altChunk) -------------------------------------------------------------------

HTML_CHUNK = (
    "<!DOCTYPE html><html><head><title>Not text</title><style>p { color: red }</style>"
    "<script>document.write('no')</script></head><body>"
    "<h2>Sources</h2><p class=MsoNormal>Lenin&#8217;s &amp; Trotsky&rsquo;s\n   roles <b>were</b> different.</p>"
    "<ol><li>First point</li><li>Second point</li></ol><ul><li>A bullet</li></ul>"
    "<table><tr><th>Year</th><th>Event</th></tr><tr><td>1905</td><td>Bloody Sunday</td></tr></table>"
    "<blockquote>“A quotation from a source that the student pasted in.”</blockquote>"
    "</body></html>"
)


def chunk_docx(tmp_path: Path, name: str, data: bytes, target: str | None = None, repeat: int = 1) -> Path:
    target = target or name.split("/")[-1]
    body = p("Before the chunk.") + '<w:altChunk r:id="rIdC"/>' * repeat + p("After the chunk.")
    return raw_docx(tmp_path / "chunk.docx", body, {name: data}, [("rIdC", "aFChunk", target)])


def test_alt_chunk_html_is_read_in_place(tmp_path):
    path = chunk_docx(tmp_path, "word/afchunk1.htm", HTML_CHUNK.encode("utf-8"))
    assert blocks(path) == [
        ("body", "Before the chunk."),
        ("heading", "Sources"),
        ("body", "Lenin’s & Trotsky’s roles were different."),
        ("body", "1. First point"),
        ("body", "2. Second point"),
        ("body", "• A bullet"),
        ("table", "Year | Event"),
        ("table", "1905 | Bloody Sunday"),
        ("quote", "“A quotation from a source that the student pasted in.”"),
        ("body", "After the chunk."),
    ]


def test_alt_chunk_in_a_legacy_code_page_and_read_once(tmp_path):
    page = '<html><head><meta http-equiv=Content-Type content="text/html; charset=windows-1252"></head><body><p>Caf\xe9 society \u2013 1920s</p></body></html>'
    path = chunk_docx(tmp_path, "word/page.html", page.encode("cp1252"), repeat=3)
    assert texts(path) == ["Before the chunk.", "Café society – 1920s", "After the chunk."]


def _mht(html: str) -> bytes:
    import quopri

    encoded = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    return (
        "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart_01\"\r\n\r\n"
        "------=_NextPart_01\r\nContent-Location: file:///C:/chunk.htm\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n"
        f"{encoded}\r\n"
        "------=_NextPart_01\r\nContent-Location: file:///C:/image001.png\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Type: image/png\r\n\r\niVBORw0KGgo=\r\n------=_NextPart_01--\r\n"
    ).encode("ascii")


def test_alt_chunk_mht_is_read(tmp_path):
    html = "<html><body><p>Stalin’s “revolution from above” — a long quoted-printable line " + "x" * 90 + "</p><p>Second paragraph.</p></body></html>"
    path = chunk_docx(tmp_path, "word/afchunk.mht", _mht(html))
    assert texts(path) == [
        "Before the chunk.", "Stalin’s “revolution from above” — a long quoted-printable line " + "x" * 90,
        "Second paragraph.", "After the chunk.",
    ]


def test_alt_chunk_plain_text_and_embedded_docx(tmp_path):
    path = chunk_docx(tmp_path, "word/chunk.txt", b"First line of text\r\nSecond line\r\n")
    assert texts(path) == ["Before the chunk.", "First line of text", "Second line", "After the chunk."]

    inner = mk.make_docx(tmp_path / "inner.docx", [("Heading 1", "Embedded heading"), "Embedded paragraph."])
    mk.add_docx_footnotes(inner, ["Inner note."], in_paragraph=1)
    path = chunk_docx(tmp_path, "word/inner.docx", inner.read_bytes())
    extracted = read(path)
    assert [(b.hint, b.text) for b in extracted.blocks if b.text] == [
        ("body", "Before the chunk."), ("heading", "Embedded heading"), ("body", "Embedded paragraph.[1]"),
        ("body", "After the chunk."),
    ]
    assert extracted.footnotes == ["[1] Inner note."]


def test_alt_chunk_limits_and_hostile_chunks(tmp_path):
    rtf = chunk_docx(tmp_path, "word/chunk.rtf", b"{\\rtf1\\ansi Hello}")
    extracted = read(rtf)
    assert [b.text for b in extracted.blocks if b.text] == ["Before the chunk.", "After the chunk."]
    assert [w.code for w in extracted.warnings] == ["embedded_part_skipped"]
    assert "RTF" in extracted.warnings[0].message

    big = chunk_docx(tmp_path, "word/big.htm", b"<html><body><p>" + b"word " * 600_000 + b"</p></body></html>")
    extracted = read(big)  # 3 MB that compress over 100 times: refused, never inflated; the rest is read
    assert [b.text for b in extracted.blocks if b.text] == ["Before the chunk.", "After the chunk."]
    assert "zip bomb" in extracted.warnings[0].message
    stored = raw_docx(  # over the 4 MB cap but not compressible: skipped with a warning
        tmp_path / "stored.docx", p("Before.") + '<w:altChunk r:id="rIdC"/>',
        {"word/big.htm": b"<p>" + bytes(range(97, 123)) * 200_000 + b"</p>"}, [("rIdC", "aFChunk", "big.htm")],
        compress={"word/big.htm": zipfile.ZIP_STORED},
    )
    extracted = read(stored)
    assert [b.text for b in extracted.blocks if b.text] == ["Before."]
    assert "too large" in extracted.warnings[0].message

    laughs = chunk_docx(tmp_path, "word/laughs.htm", b'<!DOCTYPE html [<!ENTITY a "aaaa">]><html><body><p>&a;</p></body></html>')
    extracted = read(laughs)
    assert [b.text for b in extracted.blocks if b.text] == ["Before the chunk.", "After the chunk."]
    assert "entity declaration" in extracted.warnings[0].message

    draft = inspect_file(big)  # the teacher sees why
    assert "embedded_part_skipped" in [w.code for w in draft.warnings]


# --- ruby, drop caps -------------------------------------------------------------------------------


def test_ruby_gives_its_base_text_only(tmp_path):
    ruby = (
        "<w:r><w:ruby><w:rubyPr><w:rubyAlign w:val=\"distributeSpace\"/></w:rubyPr>"
        "<w:rt><w:r><w:t>とうきょう</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>東京</w:t></w:r></w:rubyBase></w:ruby></w:r>"
    )
    path = raw_docx(tmp_path / "ruby.docx", p("The treaty was signed in ", runs=ruby + "<w:r><w:t xml:space=\"preserve\"> in 1905.</w:t></w:r>"))
    assert texts(path) == ["The treaty was signed in 東京 in 1905."]


def test_drop_cap_joins_its_word(tmp_path):
    drop = '<w:framePr w:dropCap="drop" w:lines="3" w:wrap="around" w:vAnchor="text" w:hAnchor="text"/>'
    body = (
        p("T", drop) + p("he war began in 1914 and lasted four years.")
        + p("“W", '<w:framePr w:dropCap="margin" w:lines="2"/>') + p("ar,” said the minister, “is coming.”")
        + p("Framed, but not a drop cap.", '<w:framePr w:w="2000" w:h="400" w:wrap="around"/>')
        + p("A", drop) + table(row("x", "y"))
    )
    path = raw_docx(tmp_path / "drop.docx", body)
    assert texts(path) == [
        "The war began in 1914 and lasted four years.",
        "“War,” said the minister, “is coming.”",
        "Framed, but not a drop cap.",
        "A",  # nothing to join: kept
        "x | y",
    ]


# --- footnotes and endnotes ---------------------------------------------------------------------


def _notes_part(kind: str, notes: dict[str, str]) -> str:
    items = "".join(
        f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {esc(t)}</w:t></w:r></w:p></w:{kind}>'
        for i, t in notes.items()
    )
    return (
        f'<?xml version="1.0"?><w:{kind}s {NS}><w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{kind}>{items}</w:{kind}s>'
    )


def ref(kind: str, note_id: str, custom: str = "") -> str:
    if custom:
        return f'<w:r><w:{kind}Reference w:customMarkFollows="1" w:id="{note_id}"/><w:t>{custom}</w:t></w:r>'
    return f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:{kind}Reference w:id="{note_id}"/></w:r>'


def test_note_marks_stay_in_the_text_and_notes_are_numbered_the_same(tmp_path):
    body = (
        p("Stalin consolidated power by 1929.", runs=ref("footnote", "7"))
        + p("Collectivisation followed.", runs=ref("footnote", "3") + "<w:r><w:t xml:space=\"preserve\"> It was brutal.</w:t></w:r>")
        + p("Some claim otherwise.", runs=ref("footnote", "9", custom="*"))
        + p("The purges began in 1936.", runs=ref("endnote", "2"))
        + p("They ended in 1938.", runs=ref("endnote", "4"))
    )
    parts = {
        # ids out of order: the numbers follow the order of the marks in the text
        "word/footnotes.xml": _notes_part("footnote", {"3": "Conquest, p. 4.", "7": "Service, p. 12.", "9": "A custom mark.", "11": "Never referred to."}),
        "word/endnotes.xml": _notes_part("endnote", {"2": "Getty, p. 80.", "4": "Khlevniuk, p. 9."}),
    }
    rels = [("rIdF", "footnotes", "footnotes.xml"), ("rIdE", "endnotes", "endnotes.xml")]
    path = raw_docx(tmp_path / "notes.docx", body, parts, rels)
    extracted = read(path)
    assert [b.text for b in extracted.blocks] == [
        "Stalin consolidated power by 1929.[1]",
        "Collectivisation followed.[2] It was brutal.",
        "Some claim otherwise.[*]",
        "The purges began in 1936.[i]",  # Word numbers endnotes i, ii, iii unless told otherwise
        "They ended in 1938.[ii]",
    ]
    assert extracted.footnotes == [
        "[1] Service, p. 12.", "[2] Conquest, p. 4.", "[*] A custom mark.", "Never referred to.",
        "[i] Getty, p. 80.", "[ii] Khlevniuk, p. 9.",
    ]

    draft = inspect_file(path)
    assert [q.text for q in draft.paragraphs if q.kind == "footnote"] == extracted.footnotes


def test_note_number_formats_from_the_document_settings(tmp_path):
    body = (
        p("One.", runs=ref("footnote", "1")) + p("Two.", runs=ref("endnote", "1"))
        + p("Three.", runs=ref("endnote", "2"))
        + '<w:sectPr><w:footnotePr><w:numFmt w:val="lowerLetter"/></w:footnotePr></w:sectPr>'
    )
    settings = (
        f'<?xml version="1.0"?><w:settings {NS}><w:footnotePr><w:numFmt w:val="upperRoman"/></w:footnotePr>'
        '<w:endnotePr><w:numFmt w:val="decimal"/><w:numStart w:val="5"/></w:endnotePr></w:settings>'
    )
    parts = {
        "word/footnotes.xml": _notes_part("footnote", {"1": "Foot."}),
        "word/endnotes.xml": _notes_part("endnote", {"1": "End one.", "2": "End two."}),
        "word/settings.xml": settings,
    }
    rels = [("r1", "footnotes", "footnotes.xml"), ("r2", "endnotes", "endnotes.xml"), ("r3", "settings", "settings.xml")]
    extracted = read(raw_docx(tmp_path / "fmt.docx", body, parts, rels))
    assert [b.text for b in extracted.blocks if b.text] == ["One.[a]", "Two.[5]", "Three.[6]"]  # the section wins over settings
    assert extracted.footnotes == ["[a] Foot.", "[5] End one.", "[6] End two."]


def test_rich_python_docx_footnotes_are_numbered(tmp_path):
    path = mk.make_docx(tmp_path / "essay.docx", [("Title", "How far was Stalin a revolutionary?"), *BODY])
    mk.add_docx_footnotes(path, ["Evans, p. 12.", "Kershaw, p. 3."], in_paragraph=1)
    draft = inspect_file(path)
    assert draft.title == "How far was Stalin a revolutionary?"
    assert draft.paragraphs[0].text == BODY[0] + "[1][2]"
    assert [(q.kind, q.text) for q in draft.paragraphs[-2:]] == [("footnote", "[1] Evans, p. 12."), ("footnote", "[2] Kershaw, p. 3.")]


@pytest.mark.skipif(not marks_are_not_words(), reason="needs count_words (words.py) to skip note marks such as [1]")
def test_note_marks_do_not_count_as_words(tmp_path):
    path = mk.make_docx(tmp_path / "essay.docx", BODY)
    mk.add_docx_footnotes(path, ["Evans, p. 12.", "Kershaw, p. 3."], in_paragraph=0)
    draft = inspect_file(path)
    assert draft.coursework_word_count == sum(count_words(t) for t in BODY)


# --- list numbers and bullets ---------------------------------------------------------------------


def lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "", font: str = "") -> str:
    fonts = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:hint="default"/></w:rPr>' if font else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{esc(text)}"/><w:lvlJc w:val="left"/>{fonts}</w:lvl>'
    )


def numbering_xml(abstracts: dict[int, str], nums: dict[int, str]) -> str:
    body = "".join(f'<w:abstractNum w:abstractNumId="{a}">{levels}</w:abstractNum>' for a, levels in abstracts.items())
    body += "".join(f'<w:num w:numId="{n}">{inner}</w:num>' for n, inner in nums.items())
    return f'<?xml version="1.0"?><w:numbering {NS}>{body}</w:numbering>'


def list_docx(tmp_path: Path, body: str, abstracts: dict[int, str], nums: dict[int, str], styles: str | None = None) -> Path:
    parts = {"word/numbering.xml": numbering_xml(abstracts, nums)}
    rels = [("rIdN", "numbering", "numbering.xml")]
    if styles is not None:
        parts["word/styles.xml"] = styles
        rels.append(("rIdS", "styles", "styles.xml"))
    return raw_docx(tmp_path / "lists.docx", body, parts, rels)


def test_list_numbers_as_word_shows_them(tmp_path):
    abstracts = {
        0: lvl(0, "decimal", "%1.") + lvl(1, "lowerLetter", "%2)") + lvl(2, "lowerRoman", "(%3)"),
        1: lvl(0, "upperLetter", "%1.", start=3) + lvl(1, "upperRoman", "%1.%2"),
        2: lvl(0, "decimal", "%1.") + lvl(1, "decimal", "%1.%2.", extra='<w:lvlRestart w:val="0"/>'),
        3: lvl(0, "decimal", "Step %1:", extra='<w:suff w:val="space"/>'),
        4: lvl(0, "upperRoman", "%1.") + lvl(1, "lowerLetter", "%1.%2", extra="<w:isLgl/>"),
    }
    nums = {1: '<w:abstractNumId w:val="0"/>', 2: '<w:abstractNumId w:val="1"/>', 3: '<w:abstractNumId w:val="2"/>',
            4: '<w:abstractNumId w:val="3"/>', 5: '<w:abstractNumId w:val="4"/>'}
    body = (
        numbered("Causes", 1) + numbered("Economic", 1, 1) + numbered("Detail", 1, 2) + numbered("Detail two", 1, 2)
        + numbered("Political", 1, 1) + numbered("Consequences", 1) + numbered("Social", 1, 1)
        + p("An unnumbered paragraph between.")
        + numbered("Third letter", 2) + numbered("Roman below", 2, 1) + numbered("Roman again", 2, 1)
        + numbered("Fourth letter", 2) + numbered("Restarts", 2, 1)
        + numbered("One", 3) + numbered("One.one", 3, 1) + numbered("Two", 3) + numbered("Never restarted", 3, 1)
        + numbered("First step", 4) + numbered("Second step", 4)
        + numbered("Legal", 5) + numbered("Legal sub", 5, 1)
        + numbered("", 1)  # an empty numbered paragraph shows nothing
    )
    assert texts(list_docx(tmp_path, body, abstracts, nums)) == [
        "1. Causes", "a) Economic", "(i) Detail", "(ii) Detail two", "b) Political", "2. Consequences", "a) Social",
        "An unnumbered paragraph between.",
        "C. Third letter", "C.I Roman below", "C.II Roman again", "D. Fourth letter", "D.I Restarts",
        "1. One", "1.1. One.one", "2. Two", "2.2. Never restarted",
        "Step 1: First step", "Step 2: Second step",
        "I. Legal", "1.1 Legal sub",
    ]


def test_bullets_in_symbol_fonts_become_bullets(tmp_path):
    abstracts = {
        0: lvl(0, "bullet", "\uf0b7", font="Symbol") + lvl(1, "bullet", "o", font="Courier New") + lvl(2, "bullet", "\uf0a7", font="Wingdings"),
        1: lvl(0, "bullet", "§", font="Wingdings") + lvl(1, "bullet", "–"),
        2: lvl(0, "bullet", "\uf0d8"),  # a private-use glyph whatever the font
    }
    nums = {1: '<w:abstractNumId w:val="0"/>', 2: '<w:abstractNumId w:val="1"/>', 3: '<w:abstractNumId w:val="2"/>'}
    body = (
        numbered("Symbol bullet", 1) + numbered("Courier o", 1, 1) + numbered("Wingdings square", 1, 2)
        + numbered("Wingdings section sign", 2) + numbered("En dash", 2, 1) + numbered("Arrow", 3)
    )
    assert texts(list_docx(tmp_path, body, abstracts, nums)) == [
        "• Symbol bullet", "◦ Courier o", "• Wingdings square", "• Wingdings section sign", "– En dash", "• Arrow",
    ]


def test_a_lists_items_are_never_taken_for_headings(tmp_path):
    """Short numbered items one after another are a list, counted as coursework; numbered
    headings, each over its own paragraphs, stay headings."""
    abstracts = {0: lvl(0, "decimal", "%1.")}
    nums = {1: '<w:abstractNumId w:val="0"/>', 2: '<w:abstractNumId w:val="0"/><w:lvlOverride '
            'w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'}
    items = ["Ending the commune’s control over peasant land",
             "Creating a class of loyal peasant proprietors",
             "Resettling surplus peasants in Siberia and Central Asia"]
    body = (p(BODY[0]) + p("Stolypin pursued three broad aims, as follows:")
            + "".join(numbered(item, 1) for item in items) + p(BODY[1])
            + numbered("Repression", 2) + p(BODY[2]) + numbered("Reform", 2) + p(BODY[3]))
    draft = inspect_file(list_docx(tmp_path, body, abstracts, nums))
    kinds = {par.text: par.kind for par in draft.paragraphs}
    assert [kinds[f"{n}. {item}"] for n, item in enumerate(items, start=1)] == ["body"] * 3
    assert (kinds["1. Repression"], kinds["2. Reform"]) == ("heading", "heading")


def test_lists_restart_per_instance_only_when_told(tmp_path):
    """Two numbering instances of one list continue each other (as in Word) unless one has
    a start override; instances of different lists count separately; numId 0 means none."""
    abstracts = {0: lvl(0, "decimal", "%1."), 1: lvl(0, "decimal", "%1.", start=5)}
    nums = {
        1: '<w:abstractNumId w:val="0"/>',
        2: '<w:abstractNumId w:val="0"/>',
        3: '<w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>',
        4: '<w:abstractNumId w:val="1"/>',
    }
    body = (
        numbered("a", 1) + numbered("b", 1) + numbered("continued", 2) + numbered("restarted", 3)
        + numbered("restarted two", 3) + numbered("own list from five", 4) + numbered("not numbered", 0)
        + p("bad level", '<w:numPr><w:ilvl w:val="12"/><w:numId w:val="1"/></w:numPr>')
        + p("unknown list", '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="99"/></w:numPr>')
    )
    assert texts(list_docx(tmp_path, body, abstracts, nums)) == [
        "1. a", "2. b", "3. continued", "1. restarted", "2. restarted two", "5. own list from five",
        "not numbered", "bad level", "unknown list",
    ]


def test_numbering_from_styles_and_numbering_styles(tmp_path):
    import docx

    document = docx.Document()  # python-docx's template: List Number and List Bullet styles carry numPr
    for text in ("First cause", "Second cause"):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("A bullet", style="List Bullet")
    document.add_paragraph(BODY[0])
    path = tmp_path / "styled.docx"
    document.save(str(path))
    assert texts(path) == ["1. First cause", "2. Second cause", "• A bullet", BODY[0]]

    styles = (
        f'<?xml version="1.0"?><w:styles {NS}>'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr></w:style>'
        '<w:style w:type="numbering" w:styleId="OutlineList"><w:name w:val="Outline List"/><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>'
        "</w:styles>"
    )
    abstracts = {
        0: '<w:numStyleLink w:val="OutlineList"/>',
        1: '<w:styleLink w:val="OutlineList"/>' + lvl(0, "decimal", "%1") + lvl(1, "decimal", "%1.%2"),
    }
    nums = {1: '<w:abstractNumId w:val="0"/>', 2: '<w:abstractNumId w:val="1"/>'}
    body = (
        p("Introduction", '<w:pStyle w:val="Heading1"/>') + p(BODY[0])
        + p("Background", '<w:pStyle w:val="Heading2"/>') + p(BODY[1])
        + p("Conclusion", '<w:pStyle w:val="Heading1"/>')
        + p("Unnumbered heading", '<w:pStyle w:val="Heading1"/><w:numPr><w:numId w:val="0"/></w:numPr>')
    )
    assert blocks(list_docx(tmp_path, body, abstracts, nums, styles)) == [
        ("heading", "1 Introduction"), ("body", BODY[0]), ("heading", "1.1 Background"), ("body", BODY[1]),
        ("heading", "2 Conclusion"), ("heading", "Unnumbered heading"),
    ]


def test_number_formats():
    fmt = docx_reader.format_number
    assert [fmt(n, "lowerLetter") for n in (1, 26, 27, 53)] == ["a", "z", "aa", "aaa"]
    assert [fmt(n, "upperRoman") for n in (4, 9, 14, 1994)] == ["IV", "IX", "XIV", "MCMXCIV"]
    assert [fmt(n, "decimalZero") for n in (3, 12)] == ["03", "12"]
    assert [fmt(n, "ordinal") for n in (1, 2, 3, 11, 22)] == ["1st", "2nd", "3rd", "11th", "22nd"]
    assert [fmt(n, "chicago") for n in (1, 4, 5)] == ["*", "§", "**"]
    assert fmt(3, "none") == "" and fmt(3, "japaneseCounting") == "3"


# --- the zip-bomb guard -------------------------------------------------------------------------


def _emf_like(size: int) -> bytes:
    """An EMF-shaped drawing that is mostly empty records: compresses about 200:1 or better."""
    header = struct.pack("<II", 1, 108) + b"\0" * 100
    return header + b"\0" * (size - len(header))


def test_embedded_picture_that_compresses_well_is_not_a_bomb(tmp_path, monkeypatch):
    path = mk.make_docx(tmp_path / "picture.docx", BODY)
    emf = _emf_like(2 * 1024 * 1024)
    mk.rewrite_zip(path, {}, {"word/media/image1.emf": emf, "word/embeddings/oleObject1.bin": emf, "word/media/image2.png": emf})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/media/image1.emf")
        assert info.file_size / info.compress_size > 200
    inflated: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: inflated.append(getattr(name, "filename", name)) or real_open(self, name, *a, **k))
    draft = inspect_file(path)
    assert [q.text for q in draft.paragraphs] == BODY
    assert not any(name.startswith("word/media/") or name.startswith("word/embeddings/") for name in inflated)


def test_parts_that_would_be_inflated_are_still_refused(tmp_path, monkeypatch):
    # the text itself compresses 1,000:1: refused before it is inflated
    path = raw_docx(tmp_path / "bomb.docx", p("x"))
    mk.rewrite_zip(path, {"word/document.xml": f'<w:document {NS}><w:body>'.encode() + b" " * (3 * 1024 * 1024) + b"</w:body></w:document>"})
    inflated: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: inflated.append(getattr(name, "filename", name)) or real_open(self, name, *a, **k))
    with pytest.raises(ImportFailure, match=r"zip bomb \(word/document.xml would expand"):
        inspect_file(path)
    assert "word/document.xml" not in inflated

    # a picture named as the main document is read, so it is checked like any part that is read
    main = raw_docx(tmp_path / "disguised.docx", p("x"))
    with zipfile.ZipFile(main, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/doc.emf", f'<w:document {NS}><w:body>'.encode() + b" " * (3 * 1024 * 1024) + b"</w:body></w:document>")
    data = main.read_bytes()
    zipped = safety.open_zip(main, data)
    with pytest.raises(ImportFailure, match="zip bomb"):
        zipped.read("word/media/doc.emf")


def test_huge_declared_sizes_are_refused_whatever_the_part(tmp_path):
    path = mk.make_docx(tmp_path / "huge.docx", BODY[:1])
    mk.rewrite_zip(path, {}, {"word/media/image1.emf": b"\0" * 1024})
    data = bytearray(path.read_bytes())
    name = b"word/media/image1.emf"
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:  # the central directory entry
        length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + length]) == name:
            struct.pack_into("<I", data, position + 24, 400 * 1024 * 1024)
        position += 4
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFailure, match=r"zip bomb \(word/media/image1.emf would expand .* to 400.0 MB"):
        inspect_file(path)


# --- old and encrypted Office files -----------------------------------------------------------------


def make_cfb(streams: list[str], fib_flags: int | None = None, second_sector: list[str] | None = None) -> bytes:
    """An OLE compound file by hand: header, FAT, one or two directory sectors (chained in
    the FAT), and a WordDocument stream sector holding a FIB when ``fib_flags`` is given."""
    sector = 512
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    # sectors: 0 directory, 1 stream, 2 FAT, 3 second directory sector
    header = bytearray(sector)
    header[0:8] = safety.CFB_MAGIC
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)
    struct.pack_into("<I", header, 48, 0)
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<III", header, 60, end, 0, end)
    header[76:512] = b"\xff" * (512 - 76)
    struct.pack_into("<I", header, 76, 2)

    def directory(names: list[str], first: bool) -> bytearray:
        out = bytearray(sector)
        for index, name in enumerate(names[:4]):
            entry = bytearray(128)
            encoded = name.encode("utf-16-le") + b"\0\0"
            entry[: len(encoded)] = encoded
            struct.pack_into("<H", entry, 64, len(encoded))
            entry[66] = 5 if first and index == 0 else 2
            struct.pack_into("<III", entry, 68, free, free, free)
            is_word = name.lower() == "worddocument"
            struct.pack_into("<II", entry, 116, 1 if is_word else end, 4096 if is_word else 0)
            out[index * 128 : (index + 1) * 128] = entry
        return out

    stream = bytearray(sector)
    if fib_flags is not None:
        struct.pack_into("<HH", stream, 0, 0xA5EC, 0xC1)
        struct.pack_into("<H", stream, 10, fib_flags)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<IIII", fat, 0, 3 if second_sector else end, end, fat_mark, end)
    data = header + directory(["Root Entry", *streams], True) + stream + fat
    if second_sector:
        data += directory(second_sector, False)
    return bytes(data)


def failure(path: Path) -> str:
    with pytest.raises(ImportFailure) as caught:
        inspect_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: ") and "\n" not in message
    return message


def test_old_word_file_renamed_docx_gets_one_line_reason(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(make_cfb(["WordDocument", "1Table", "\x05SummaryInformation"], fib_flags=0))
    assert failure(path) == "old.docx: old Word 97–2003 file: save it as .docx and import again"
    assert safety.describe_cfb(make_cfb(["worddocument", "1Table"], fib_flags=0)) == safety.OLD_WORD_REASON


@pytest.mark.skipif(".doc" not in reader.SUPPORTED_SUFFIXES, reason="needs reader.py to read .doc files (to refuse them with this reason)")
def test_old_word_file_named_doc_gets_the_same_reason(tmp_path):
    path = tmp_path / "essay.doc"
    path.write_bytes(make_cfb(["WordDocument", "1Table"], fib_flags=0))
    assert failure(path) == "essay.doc: old Word 97–2003 file: save it as .docx and import again"


@pytest.mark.parametrize(
    "streams, second",
    [
        (["EncryptionInfo", "EncryptedPackage"], None),
        (["encryptioninfo", "encryptedpackage"], None),  # names in any letter case
        (["ENCRYPTIONINFO"], None),
        (["\x06DataSpaces", "Version", "Other"], ["EncryptedPackage"]),  # in a later directory sector
        (["WordDocument", "\x06DataSpaces"], ["encryptionInfo"]),
    ],
    ids=["usual", "lower", "upper", "second-sector", "with-word-stream"],
)
def test_encrypted_office_file_is_always_password_protected(tmp_path, streams, second):
    path = tmp_path / "locked.docx"
    path.write_bytes(make_cfb(streams, second_sector=second))
    assert "password-protected" in failure(path)


def test_encrypted_old_word_file_and_unreadable_directory(tmp_path):
    path = tmp_path / "oldlocked.docx"
    path.write_bytes(make_cfb(["WordDocument", "1Table"], fib_flags=0x0100))
    assert "password-protected old Word 97–2003 file" in failure(path)
    # a directory that cannot be followed: the names are still found
    broken = bytearray(make_cfb(["WordDocument"], fib_flags=0))
    struct.pack_into("<H", broken, 30, 3)  # impossible sector size
    assert safety.describe_cfb(bytes(broken)) == safety.OLD_WORD_REASON
    broken = bytearray(make_cfb(["Encryptedpackage"]))
    struct.pack_into("<I", broken, 48, 0xFFFFFFFE)  # no directory sector
    assert "password-protected" in safety.describe_cfb(bytes(broken))


# --- the styles cache -------------------------------------------------------------------------------


def test_styles_are_read_once_for_a_class_sharing_a_template(tmp_path, monkeypatch):
    docx_reader._STYLE_CACHE.clear()
    paths = []
    for i in range(3):
        paths.append(mk.make_docx(tmp_path / f"s{i}.docx", [("Title", "How far was Stalin a revolutionary?"), ("Heading 1", "Introduction"), *BODY[:2]]))
    read_parts: list[str] = []
    real_read = safety.SafeZip.read
    monkeypatch.setattr(safety.SafeZip, "read", lambda self, name, *a, **k: read_parts.append(name) or real_read(self, name, *a, **k))
    drafts = [inspect_file(path) for path in paths]
    assert read_parts.count("word/styles.xml") == 1
    for draft in drafts:
        assert draft.title == "How far was Stalin a revolutionary?"
        assert (draft.paragraphs[0].kind, draft.paragraphs[0].text) == ("heading", "Introduction")

    # another template (another CRC) is read; the cache stays small
    other = mk.make_docx(tmp_path / "other.docx", [("Heading 1", "Introduction"), *BODY[:2]])
    with zipfile.ZipFile(other) as zf:
        styles = zf.read("word/styles.xml").replace(b"</w:styles>", b"<!-- another school --></w:styles>")
    mk.rewrite_zip(other, {"word/styles.xml": styles})
    inspect_file(other)
    assert read_parts.count("word/styles.xml") == 2
    cache = docx_reader._STYLE_CACHE
    for i in range(cache.size + 5):
        cache.put(("x", i, i), docx_reader._Styles())
    assert len(cache.items) == cache.size


def test_the_document_relationships_are_read_once_for_a_class(tmp_path, monkeypatch):
    docx_reader._RELS_CACHE.clear()
    paths = [mk.make_docx(tmp_path / f"r{i}.docx", [("Heading 1", "Introduction"), *BODY[i:i + 2]])
             for i in range(3)]
    read_parts: list[str] = []
    real_read = safety.SafeZip.read
    monkeypatch.setattr(safety.SafeZip, "read", lambda self, name, *a, **k: read_parts.append(name) or real_read(self, name, *a, **k))
    drafts = [inspect_file(path) for path in paths]
    assert read_parts.count("word/_rels/document.xml.rels") == 1
    assert [d.paragraphs[0].kind for d in drafts] == ["heading"] * 3  # styles found through it


_RUN = '<w:r><w:rPr><w:i/><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
_PARAGRAPH_SHAPES = [
    _RUN.format("Stalin’s “Great Terror” – café") + _RUN.format(" déjà vu — 1937"),
    '<w:pPr><w:pStyle w:val="Quote"/></w:pPr><w:proofErr w:type="spellStart"/>' + _RUN.format("a")
    + '<w:proofErr w:type="spellEnd"/><w:bookmarkStart w:id="0" w:name="x"/><w:bookmarkEnd w:id="0"/>',
    '<w:hyperlink r:id="rId9"><w:r><w:t>linked</w:t></w:r></w:hyperlink><w:ins w:id="1"><w:r><w:t> inserted</w:t></w:r></w:ins>',
    '<w:del w:id="2"><w:r><w:delText>deleted</w:delText></w:r></w:del><w:r><w:t>kept</w:t></w:r>',
    '<w:del w:id="3"><w:r><w:t>text in a deletion</w:t></w:r></w:del><w:r><w:t>kept</w:t></w:r>',
    '<w:moveFrom w:id="4"><w:r><w:t>moved away</w:t></w:r></w:moveFrom><w:moveTo w:id="5"><w:r><w:t>moved here</w:t></w:r></w:moveTo>',
    '<w:sdt><w:sdtPr><w:alias w:val="x"/><w:t>in the properties</w:t></w:sdtPr><w:sdtContent><w:r><w:t>content</w:t></w:r></w:sdtContent></w:sdt>',
    '<w:smartTag w:uri="u" w:element="e"><w:customXml w:element="c"><w:r><w:t>deep</w:t></w:r></w:customXml></w:smartTag>',
    '<w:fldSimple w:instr="PAGE"><w:r><w:t>3</w:t></w:r></w:fldSimple><w:r><w:instrText>PAGE</w:instrText></w:r>',
    '<w:t>text straight in the paragraph</w:t><w:r><w:t></w:t><w:t/></w:r>',
    '<w:r><w:rPr><w:t>text in run properties</w:t></w:rPr><w:t>run</w:t></w:r>',
    '<w:r><w:t>tab</w:t><w:tab/><w:t>after</w:t><w:br/><w:t>line</w:t><w:noBreakHyphen/></w:r>',
    '<w:r><w:t>ruby </w:t></w:r><w:r><w:ruby><w:rt><w:r><w:t>reading</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>base</w:t></w:r></w:rubyBase></w:ruby></w:r>',
    '<w:r><w:t>note</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>',
    '<w:r><w:t>box</w:t><w:drawing><w:txbxContent><w:p><w:r><w:t>in a box</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r>',
    '<mc:AlternateContent><mc:Choice Requires="w14"><w:r><w:t>choice</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>fallback</w:t></w:r></mc:Fallback></mc:AlternateContent>',
    '<w:dir w:val="rtl"><w:bdo w:val="ltr"><w:r><w:t>directed</w:t></w:r></w:bdo></w:dir><w:r><w:sym w:char="F0E0"/></w:r>',
    "",
]


def test_the_fast_text_of_a_plain_paragraph_is_what_the_full_walk_gives():
    """Most paragraphs hold only runs of text, read by lxml's own iteration; whenever that
    is taken, it must give exactly the full walk's text (and it must not be taken for a
    paragraph with anything more in it)."""
    from lxml import etree

    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    xml = (f'<w:document {NS} xmlns:mc="{mc}"><w:body>'
           + "".join(f"<w:p>{shape}</w:p>" for shape in _PARAGRAPH_SHAPES) + "</w:body></w:document>")
    root = etree.fromstring(xml.encode())
    tags = docx_reader._Tags(W)
    reader_ = docx_reader._Reader.__new__(docx_reader._Reader)
    reader_.tags, reader_.custom_mark = tags, None
    # no note mark is read on the fast path; the document has no style that hides text
    reader_.doc = SimpleNamespace(styles=SimpleNamespace(hidden=frozenset()))
    reader_.paragraph_hidden = False
    taken = 0
    for shape, paragraph in zip(_PARAGRAPH_SHAPES, root.find(tags.body), strict=True):
        fast = reader_.plain_text(paragraph)
        if fast is None:
            assert any(s in shape for s in ("tab", "br/", "noBreak", "ruby", "footnote", "drawing",
                                            "Alternate", "<w:del w:id=\"3\"", "moveFrom", "sdtPr><w:alias",
                                            "rPr><w:t>", "<w:sym ", "vanish", "showingPlcHdr")), shape
            continue
        taken += 1
        parts: list[str] = []
        boxes: list = []
        reader_.inline(paragraph, parts, boxes)
        assert fast == "".join(parts) and not boxes, shape
    assert taken >= 7


def test_reading_stays_fast(tmp_path):
    import time

    path = mk.make_docx(tmp_path / "fast.docx", [("Title", "How far was Stalin a revolutionary?"), *mk.essay_paragraphs(1500, seed=3)])
    inspect_file(path)
    start = time.perf_counter()
    for _ in range(20):
        inspect_file(path)
    assert (time.perf_counter() - start) / 20 < 0.02


def test_what_word_does_not_show_is_not_the_script(tmp_path):
    """Hidden text, a content control still showing its prompt, a paragraph whose mark is
    hidden or deleted as a tracked change (Word runs it into the next), and a footnote
    whose only mark was deleted; a symbol inserted from the Symbol font is what it shows."""
    rpr_del = '<w:rPr><w:del w:id="9" w:author="Teacher" w:date="2026-11-30T10:00:00Z"/></w:rPr>'
    body = (
        '<w:p><w:r><w:t xml:space="preserve">The reforms </w:t></w:r>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t xml:space="preserve">COPIED FROM A WEBSITE </w:t></w:r>'
        '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t xml:space="preserve">aimed </w:t></w:r>'
        '<w:r><w:t>to transform the peasantry.</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:rPr><w:vanish/></w:rPr></w:pPr><w:r><w:rPr><w:vanish/></w:rPr>'
        '<w:t>Teacher guidance: delete this line.</w:t></w:r></w:p>'
        '<w:p><w:r><w:t xml:space="preserve">Date submitted: </w:t></w:r><w:sdt><w:sdtPr>'
        '<w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:r><w:t>Click or tap to enter a date.</w:t>'
        '</w:r></w:sdtContent></w:sdt></w:p>'
        '<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r>'
        '<w:t>Click or tap here to enter text.</w:t></w:r></w:p></w:sdtContent></w:sdt>'
        f'<w:p><w:pPr>{rpr_del}</w:pPr><w:r><w:t xml:space="preserve">Repression was brutally '
        'effective </w:t></w:r></w:p><w:p><w:r><w:t>in the short term, until 1908.</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>Chronology: 1906</w:t></w:r><w:r><w:sym w:font="Symbol" w:char="F0AE"/>'
        '</w:r><w:r><w:t>1911, as Figes shows.</w:t></w:r><w:del w:id="7" w:author="T" '
        'w:date="2026-11-30T10:00:00Z"><w:r><w:footnoteReference w:id="2"/></w:r></w:del></w:p>'
    )
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}'
           '</w:body></w:document>')
    path = mk.docx_with_document_xml(tmp_path / "4017_Khan_Amira.docx", xml.encode())
    mk.add_docx_footnotes(path, ["O. Figes, A People's Tragedy (1996), p. 12.",
                                 "A note whose mark was deleted."], in_paragraph=0)
    with zipfile.ZipFile(path) as zf:   # note 2's only mark is the deleted one
        document = zf.read("word/document.xml").replace(
            b'<w:r><w:footnoteReference w:id="2"/></w:r></w:p>', b"</w:p>", 1)
    mk.rewrite_zip(path, {"word/document.xml": document})
    draft = inspect_file(path)
    assert [p.text for p in draft.paragraphs] == [
        "The reforms aimed to transform the peasantry.[1]",
        "Date submitted:",
        "Repression was brutally effective in the short term, until 1908.",
        "Chronology: 1906→1911, as Figes shows.",
        "[1] O. Figes, A People's Tragedy (1996), p. 12.",
    ]


def test_libreoffices_quotations_style_is_a_quotation(tmp_path):
    """LibreOffice writes a block quotation in its "Quotations" style, in a .docx too."""
    styles = (f'<?xml version="1.0"?><w:styles {NS}><w:style w:type="paragraph" '
              'w:styleId="Quotations"><w:name w:val="Quotations"/><w:basedOn w:val="Normal"/>'
              '<w:pPr><w:ind w:left="567" w:right="567"/></w:pPr></w:style></w:styles>')
    quotation = ("The government must stake its wager not on the needy and the drunken but on "
                 "the sturdy and the strong, said the minister to the Duma in 1908.")
    body = p(BODY[0]) + p(quotation, '<w:pStyle w:val="Quotations"/>') + p(BODY[1])
    path = raw_docx(tmp_path / "lo.docx", body, {"word/styles.xml": styles},
                    [("rIdS", "styles", "styles.xml")])
    assert [par.kind for par in inspect_file(path).paragraphs] == ["body", "quote", "body"]


def test_text_in_a_hidden_style_is_not_the_script(tmp_path):
    """A character style or paragraph style that hides its text (Word's Font ▸ Hidden,
    kept in a style so a teacher's template can carry guidance that never prints), and a
    style based on one: what Word does not show is not read; a run that turns the hiding
    off again is."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE

    document = Document()
    hidden_char = document.styles.add_style("Guidance Char", WD_STYLE_TYPE.CHARACTER)
    hidden_char.font.hidden = True
    based = document.styles.add_style("Guidance Char Bold", WD_STYLE_TYPE.CHARACTER)
    based.base_style = hidden_char
    based.font.bold = True
    hidden_par = document.styles.add_style("Guidance", WD_STYLE_TYPE.PARAGRAPH)
    hidden_par.font.hidden = True
    document.add_paragraph("How far was the New Deal a success?", style="Title")
    paragraph = document.add_paragraph("Roosevelt’s first hundred days ")
    paragraph.add_run("[aim for 2,000 words] ", style="Guidance Char")
    paragraph.add_run("restored confidence in the banks ")
    paragraph.add_run("— cite Badger here — ", style="Guidance Char Bold")
    paragraph.add_run("within a week.")
    document.add_paragraph("Remember to answer the question in every paragraph.", style="Guidance")
    shown = document.add_paragraph("", style="Guidance")
    shown.add_run("The Second New Deal went further.").font.hidden = False
    document.add_paragraph(" ".join(mk.essay_paragraphs(300, seed=5)))
    path = tmp_path / "4021_Shah_Priya.docx"
    document.save(path)
    texts = [p.text for p in inspect_file(path).paragraphs]
    assert texts[0] == "Roosevelt’s first hundred days restored confidence in the banks within a week."
    assert "The Second New Deal went further." in texts
    assert not any("Remember" in t or "aim for" in t or "Badger" in t for t in texts)


def test_styles_that_hide_nothing_are_not_hidden(tmp_path):
    from lxml import etree

    xml = (f'<w:styles {NS}><w:style w:type="character" w:styleId="A"><w:rPr><w:vanish/></w:rPr></w:style>'
           '<w:style w:type="character" w:styleId="B"><w:basedOn w:val="A"/><w:rPr><w:vanish w:val="0"/></w:rPr></w:style>'
           '<w:style w:type="character" w:styleId="C"><w:basedOn w:val="B"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="D"><w:basedOn w:val="A"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="E"/></w:styles>')
    tags = docx_reader._Tags(W)
    assert docx_reader._hidden_styles(etree.fromstring(xml.encode()), tags) == {"A", "D"}
