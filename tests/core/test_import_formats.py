"""Each supported format, read from real files: paragraphs, kinds, title, candidate,
footnotes, source bytes, and exact preservation of the student's characters."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from rubric.importing import ImportOptions, count_words, inspect_file

try:
    from tests.core import makefiles as mk
except ImportError:  # tests/ is not a package: pytest puts this folder on sys.path
    import makefiles as mk

BODY = mk.essay_paragraphs(600, seed=4)


def texts(draft, kind=None):
    return [p.text for p in draft.paragraphs if kind is None or p.kind == kind]


# --- docx ------------------------------------------------------------------------------------


@pytest.fixture
def rich_docx(tmp_path):
    path = mk.make_docx(
        tmp_path / "essay.docx",
        [
            ("Title", mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION),
            "Candidate: Jane Smith (4321)",
            ("Heading 1", "Introduction"),
            BODY[0],
            ("Quote", "“The peace settlement was a diktat imposed upon a defeated nation by its enemies.”"),
            *BODY[1:],
            mk.CURLY,
            ("table", "Cell text one|Cell text two"),
            ("Heading 1", "Bibliography"),
            "Evans, R. The Coming of the Third Reich (London, 2003).",
        ],
    )
    return mk.add_docx_footnotes(path, ["Evans, The Coming of the Third Reich, p. 12.", "Kershaw, Hitler, p. 3."], in_paragraph=3)


def test_docx_reads_title_candidate_kinds_and_footnotes(rich_docx):
    draft = inspect_file(rich_docx)
    assert draft.format == "docx"
    assert draft.title == mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION
    assert (draft.candidate_name, draft.candidate_number) == ("Jane Smith", "4321")
    kinds = [p.kind for p in draft.paragraphs]
    assert draft.paragraphs[0] == draft.paragraphs[0].__class__("Introduction", "heading")
    assert texts(draft, "body")[:1] == [BODY[0] + "[1][2]"]  # note marks stay in the text
    assert texts(draft, "quote") == ["“The peace settlement was a diktat imposed upon a defeated nation by its enemies.”"]
    assert mk.CURLY in texts(draft, "body")
    # a table row is read as one row; after "Bibliography" everything is a reference
    assert "Cell text one | Cell text two" in texts(draft, "table")
    assert texts(draft, "reference") == ["Evans, R. The Coming of the Third Reich (London, 2003)."]
    # footnotes come last, in reference order, and only there
    assert texts(draft, "footnote") == ["[1] Evans, The Coming of the Third Reich, p. 12.", "[2] Kershaw, Hitler, p. 3."]
    assert kinds[-2:] == ["footnote", "footnote"]
    assert not any("Kershaw" in t for t in texts(draft, "body"))
    # the title and candidate lines are not paragraphs
    assert not any("Candidate" in t or "Assess the validity" in t for t in texts(draft))


def test_docx_keeps_source_bytes_and_characters(rich_docx):
    draft = inspect_file(rich_docx)
    assert draft.source_bytes == rich_docx.read_bytes()
    assert len(draft.source_hash) == 64
    body = next(p.text for p in draft.paragraphs if p.text.startswith("Stalin"))
    assert body.encode("utf-8") == mk.CURLY.encode("utf-8")
    assert draft.to_json()["candidate"] == "Jane Smith (4321)"


def test_docx_heading_question_is_title_but_introduction_is_not(tmp_path):
    path = mk.make_docx(tmp_path / "a.docx", [("Heading 1", "How far was Stalin a revolutionary?"), ("Heading 2", "Introduction"), *BODY[:2]])
    draft = inspect_file(path)
    assert draft.title == "How far was Stalin a revolutionary?"
    assert draft.paragraphs[0].text == "Introduction" and draft.paragraphs[0].kind == "heading"

    path = mk.make_docx(tmp_path / "b.docx", [("Heading 1", "Introduction"), *BODY[:2]])
    draft = inspect_file(path)
    assert draft.title == ""
    assert draft.paragraphs[0].kind == "heading"


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def test_docx_xml_details(tmp_path):
    """Tracked deletions, field codes and the Fallback copy of a text box are left out;
    insertions, hyperlinks, field results, soft line breaks and text boxes are read."""
    body = (
        "<w:p><w:r><w:t xml:space=\"preserve\">Kept </w:t></w:r>"
        "<w:del><w:r><w:delText>DELETED</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>inserted</w:t></w:r></w:ins>"
        "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE \\* MERGEFORMAT </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t xml:space=\"preserve\"> result</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
        "<w:hyperlink><w:r><w:t xml:space=\"preserve\"> and a link.</w:t></w:r></w:hyperlink></w:p>"
        "<w:p><w:r><w:t>First line</w:t><w:br/><w:t>Second line</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Anchor</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        "<w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
        "<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>In a content control</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Outer cell</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Inner cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc>"
        "<w:tc><w:p><w:r><w:t>Second cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{body}</w:body></w:document>'
    draft = inspect_file(mk.docx_with_document_xml(tmp_path / "x.docx", xml.encode("utf-8")))
    assert texts(draft) == [
        "Kept inserted result and a link.", "First line", "Second line", "Anchor", "Box text",
        "In a content control", "Outer cell | Second cell", "Inner cell",
    ]


MID_SENTENCE = ("Stresemann pursued fulfilment", "and Germany joined the League in 1926, which "
                "many nationalists regarded as a betrayal.")


def _docx_with_breaks(path: Path, paragraphs: list[list[str]]) -> Path:
    body = "".join("<w:p><w:r>" + "<w:br/>".join(f"<w:t>{line}</w:t>" for line in lines)
                   + "</w:r></w:p>" for lines in paragraphs)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}><w:body>{body}</w:body></w:document>'
    return mk.docx_with_document_xml(path, xml.encode("utf-8"))


def test_a_manual_line_break_in_mid_sentence_is_no_heading_in_any_format(tmp_path):
    """Shift+Enter in Word (and a line break in ODF or RTF) in the middle of a sentence
    leaves one paragraph, never a short line taken for a heading; a break before a capital
    (an address, "Name:" and "Candidate:" lines) keeps the lines apart."""
    essay = BODY[:3]
    odt_break = MID_SENTENCE[0] + "<text:line-break/>" + MID_SENTENCE[1]
    files = {
        "docx": _docx_with_breaks(tmp_path / "b.docx", [[p] for p in essay[:2]]
                                  + [list(MID_SENTENCE), ["Dear Sir", "Yours faithfully"]]),
        "odt": mk.make_odt(tmp_path / "b.odt", [*essay[:2], ("raw", f"<text:p>{odt_break}</text:p>")]),
        "rtf": mk.make_rtf(tmp_path / "b.rtf", [*essay[:2], "LINE-BREAK".join(MID_SENTENCE)]),
    }
    rtf = files["rtf"].read_bytes().replace(b"LINE-BREAK", b"\\line ")
    files["rtf"].write_bytes(rtf)
    for kind, path in files.items():
        draft = inspect_file(path)
        joined = " ".join(MID_SENTENCE)
        assert joined in texts(draft), kind
        assert [p.kind for p in draft.paragraphs if p.text == joined] == ["body"], kind
        assert not any(p.text == MID_SENTENCE[0] for p in draft.paragraphs), kind
    assert texts(inspect_file(files["docx"]))[-2:] == ["Dear Sir", "Yours faithfully"]


def test_text_pasted_from_a_pdf_with_a_break_at_every_line_keeps_its_paragraphs(tmp_path):
    """Each paragraph one Word paragraph whose lines end in manual line breaks (text pasted
    from a PDF): the lines are joined, and every paragraph ends where Word's does, even
    when its last line is full."""
    import textwrap

    pool = mk.essay_paragraphs(6000, seed=11, per_paragraph=90)
    full = [p for p in pool if len(textwrap.wrap(p, 80)[-1]) >= 74]   # no room left at the end
    short = [p for p in pool if len(textwrap.wrap(p, 80)[-1]) < 60]
    assert len(full) >= 4 and len(short) >= 2
    paragraphs = [short[0], full[0], full[1], short[1], full[2], full[3]]
    lines = [textwrap.wrap(p, 80) for p in paragraphs]
    draft = inspect_file(_docx_with_breaks(tmp_path / "pasted.docx", lines))
    assert texts(draft) == paragraphs


def test_docx_cleans_control_and_zero_width_characters(tmp_path):
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}><w:body>'
        "<w:p><w:r><w:t xml:space=\"preserve\">Zero\u200bwidth\ufeff and\u00a0NBSP   and\t\ttabs &#x7F;ok</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    draft = inspect_file(mk.docx_with_document_xml(tmp_path / "c.docx", xml.encode("utf-8")))
    assert texts(draft) == ["Zerowidth and\u00a0NBSP and tabs ok"]


# --- txt -------------------------------------------------------------------------------------

TXT = "\n".join([mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION, "Name: J. Smith", *BODY, mk.CURLY])


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le-nobom", "cp1252"],
)
def test_txt_encodings(tmp_path, encoding):
    if encoding == "utf-16-le-bom":
        data = b"\xff\xfe" + TXT.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + TXT.encode("utf-16-be")
    elif encoding == "utf-16-le-nobom":
        data = TXT.encode("utf-16-le")
    else:
        data = TXT.encode(encoding)
    path = tmp_path / "essay.txt"
    path.write_bytes(data)
    draft = inspect_file(path)
    assert draft.format == "txt"
    assert draft.title.startswith("‘The Treaty of Versailles")
    assert draft.candidate_name == "J. Smith"
    assert texts(draft) == [*BODY, mk.CURLY]
    assert draft.source_bytes == data


def test_txt_mostly_utf8_with_a_stray_windows_byte(tmp_path):
    data = ("Stalin’s “Great Terror” " * 3).encode("utf-8") + b"caf\xe9 " + " ".join(BODY).encode("utf-8")
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    text = inspect_file(path).text
    assert "Stalin’s “Great Terror”" in text and "café" in text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_txt_line_endings(tmp_path, newline):
    path = tmp_path / "essay.txt"
    path.write_bytes(newline.join(BODY).encode("utf-8"))
    assert texts(inspect_file(path)) == BODY


# --- pdf -------------------------------------------------------------------------------------

QUESTION_ASCII = "'The Treaty of Versailles was the main reason for the collapse of the Weimar Republic.'"


def test_pdf_text_layer_title_candidate_and_paragraphs(tmp_path):
    blocks = [QUESTION_ASCII, mk.QUESTION_INSTRUCTION, "Candidate: Jane Smith (4321)", *BODY, "Bibliography", "Evans, R. The Coming of the Third Reich (2003)."]
    path = mk.make_pdf(tmp_path / "essay.pdf", blocks)
    draft = inspect_file(path)
    assert draft.format == "pdf" and draft.has_text and draft.page_count == 1
    assert draft.title == QUESTION_ASCII + " " + mk.QUESTION_INSTRUCTION
    assert draft.candidate == "Jane Smith (4321)"
    assert texts(draft, "body") == BODY
    assert texts(draft, "reference") == ["Evans, R. The Coming of the Third Reich (2003)."]
    assert draft.source_bytes == path.read_bytes()
    assert draft.warnings == []


def test_pdf_pages_numbers_and_running_headers_are_dropped(tmp_path):
    body = mk.essay_paragraphs(2000, seed=11, per_paragraph=150)
    path = mk.make_pdf(
        tmp_path / "long.pdf",
        ["How far was Stalin a revolutionary?", *body],
        page_numbers=True,
        running_header="Candidate 4321 - History NEA",
    )
    draft = inspect_file(path)
    assert draft.page_count == 3
    assert draft.title == "How far was Stalin a revolutionary?"
    assert texts(draft) == body  # paragraphs that run across pages are joined again


@pytest.mark.skipif(not mk.DEJAVU.exists(), reason="needs the DejaVu font")
def test_pdf_keeps_curly_quotes_dashes_and_accents(tmp_path):
    path = mk.make_pdf(tmp_path / "u.pdf", [mk.CURLY + " " + BODY[0], BODY[1]], unicode_font=True)
    draft = inspect_file(path)
    assert texts(draft) == [mk.CURLY + " " + BODY[0], BODY[1]]


def test_pdf_footnotes_at_the_bottom_of_the_page(tmp_path):
    blocks = [BODY[0], BODY[1] + "1", BODY[2], "1 Evans, The Coming of the Third Reich (London, 2003), p. 12."]
    draft = inspect_file(mk.make_pdf(tmp_path / "notes.pdf", blocks, gap=5))
    assert texts(draft, "body") == [BODY[0], BODY[1] + "[1]", BODY[2]]  # the mark as its number
    assert texts(draft, "footnote") == ["[1] Evans, The Coming of the Third Reich (London, 2003), p. 12."]


def test_scanned_pdf_is_accepted_as_page_images(tmp_path):
    path = mk.make_scanned_pdf(tmp_path / "scan.pdf", pages=2)
    draft = inspect_file(path)
    assert draft.has_text is False
    assert draft.paragraphs == [] and draft.page_count == 2
    assert [w.code for w in draft.warnings] == ["no_text_layer"]
    assert "no text" in draft.warnings[0].message and "page images" in draft.warnings[0].message
    assert draft.source_bytes == path.read_bytes()


# --- odt -------------------------------------------------------------------------------------


def test_odt_headings_quotes_and_footnotes(tmp_path):
    path = mk.make_odt(
        tmp_path / "1234_Smith_Jane.odt",
        [
            ("title", "To what extent was Stalin a revolutionary?"),
            ("h", "Introduction"),
            ("raw", f"<text:p>{BODY[0]}{mk.odt_note('Service, Stalin, p. 4.')} It <text:span>mattered</text:span>.<text:s text:c=\"3\"/>Yes.</text:p>"),
            *BODY[1:],
            ("quote", "“Quotations count towards the word limit of the investigation, said the board.”"),
            mk.CURLY,
        ],
    )
    draft = inspect_file(path)
    assert draft.format == "odt"
    assert draft.title == "To what extent was Stalin a revolutionary?"
    assert draft.candidate == "Jane Smith (1234)"
    assert draft.paragraphs[0].kind == "heading"
    assert draft.paragraphs[1].text == BODY[0] + "[1] It mattered. Yes."  # the mark as its number
    assert texts(draft, "footnote") == ["[1] Service, Stalin, p. 4."]
    assert texts(draft, "quote") == ["“Quotations count towards the word limit of the investigation, said the board.”"]
    assert mk.CURLY in texts(draft, "body")


# --- rtf -------------------------------------------------------------------------------------


def test_rtf_escapes_and_unicode(tmp_path):
    path = mk.make_rtf(tmp_path / "essay.rtf", ["To what extent was Stalin a revolutionary?", "Jane Smith 4321", *BODY, mk.CURLY + " 😀"])
    raw = path.read_text("ascii")
    assert "\\'93" in raw and "\\u" in raw  # cp1252 escapes and \uN escapes both used
    draft = inspect_file(path)
    assert draft.format == "rtf"
    assert draft.title == "To what extent was Stalin a revolutionary?"
    assert draft.candidate == "Jane Smith (4321)"
    assert texts(draft) == [*BODY, mk.CURLY + " 😀"]


# --- the real format wins over the suffix ------------------------------------------------------


def test_word_document_named_txt_is_read_as_word(tmp_path):
    path = mk.make_docx(tmp_path / "essay.docx", BODY)
    renamed = path.rename(tmp_path / "essay.txt")
    draft = inspect_file(renamed)
    assert draft.format == "docx" and texts(draft) == BODY
    assert draft.warnings[0].code == "suffix_mismatch"
    assert "Word document" in draft.warnings[0].message


def test_plain_text_named_rtf_is_read_as_text(tmp_path):
    path = tmp_path / "essay.rtf"
    path.write_text("\n".join(BODY), encoding="utf-8")
    draft = inspect_file(path)
    assert draft.format == "txt" and texts(draft) == BODY
    assert [w.code for w in draft.warnings] == ["suffix_mismatch"]


def test_opendocument_named_docx_is_read_as_odt(tmp_path):
    odt = mk.make_odt(tmp_path / "x.odt", BODY[:2])
    renamed = odt.rename(tmp_path / "x.docx")
    draft = inspect_file(renamed)
    assert draft.format == "odt" and texts(draft) == BODY[:2]


def test_options_are_used(tmp_path):
    path = tmp_path / "Smith-Jane-0042.txt"
    path.write_text("\n".join(BODY), encoding="utf-8")
    draft = inspect_file(path, ImportOptions(name_pattern="{surname}-{forename}-{number}", word_limit=100))
    assert draft.candidate == "Jane Smith (0042)"
    assert "over_word_limit" in [w.code for w in draft.warnings]
    assert draft.word_count == sum(count_words(p) for p in BODY)


def test_docx_footnotes_without_references_are_still_included(tmp_path):
    path = mk.make_docx(tmp_path / "n.docx", BODY[:2])
    mk.add_docx_footnotes(path, ["A note."], in_paragraph=0)
    # remove the reference: the note is still in footnotes.xml
    with zipfile.ZipFile(path) as zf:
        document = zf.read("word/document.xml").replace(b'<w:r><w:footnoteReference w:id="1"/></w:r>', b"")
    mk.rewrite_zip(path, {"word/document.xml": document})
    assert texts(inspect_file(path), "footnote") == ["A note."]


def test_text_that_mentions_pdf_or_html_stays_text(tmp_path):
    path = tmp_path / "essay.txt"
    lines = ["The archive sent a file that began %PDF-1.4 and a page with <html> in it.", *BODY]
    path.write_text("\n".join(lines), encoding="utf-8")
    draft = inspect_file(path)
    assert draft.format == "txt" and texts(draft) == lines


def saved_by_libreoffice(source: Path, folder: Path) -> dict[str, Path]:
    """``source`` saved by LibreOffice as ODT, RTF and PDF (a profile of its own in ``folder``)."""
    profile = (folder / "profile").as_uri()
    saved = {}
    for target in ("odt", "rtf", "pdf"):
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", target, "--outdir",
             str(folder / target), str(source)], check=True, capture_output=True, timeout=120)
        saved[target] = folder / target / f"{source.stem}.{target}"
    return saved


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_files_written_by_libreoffice(tmp_path):
    """Real conversions of a Word document (with a footnote and paragraph spacing) to
    PDF, ODT and RTF all give the same title, paragraphs and characters."""
    import docx
    from docx.shared import Pt

    body = [p + " Stalin’s “terror” – déjà vu." for p in mk.essay_paragraphs(1200, seed=21, per_paragraph=140)]
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(8)
    document.add_paragraph("To what extent was Stalin a revolutionary?", style="Title")
    for paragraph in body:
        document.add_paragraph(paragraph)
    source = tmp_path / "essay.docx"
    document.save(str(source))
    mk.add_docx_footnotes(source, ["Evans, The Coming of the Third Reich, p. 12."], in_paragraph=2)
    note = "Evans, The Coming of the Third Reich, p. 12."
    for path in (source, *saved_by_libreoffice(source, tmp_path).values()):
        draft = inspect_file(path)
        assert draft.title == "To what extent was Stalin a revolutionary?", path.name
        # the note reference stays in the text as [1], and the note is numbered, in
        # every format alike
        marked = [*body[:1], body[1] + "[1]", *body[2:]]
        assert texts(draft, "body") == marked, path.name
        assert texts(draft, "footnote") == [f"[1] {note}"], path.name


def test_docx_in_utf16_and_strict_namespace(tmp_path):
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Stalin’s “terror”</w:t></w:r></w:p></w:body></w:document>'
    )
    assert texts(inspect_file(mk.docx_with_document_xml(tmp_path / "u16.docx", xml.encode("utf-16")))) == ["Stalin’s “terror”"]
    strict = xml.replace("UTF-16", "UTF-8").replace(
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main"
    )
    assert texts(inspect_file(mk.docx_with_document_xml(tmp_path / "strict.docx", strict.encode()))) == ["Stalin’s “terror”"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_lists_tables_and_headings_read_alike_in_every_format(tmp_path):
    """A Word essay with a heading, a numbered and a bulleted list and a table, saved by
    LibreOffice as ODT, RTF and PDF: every format gives the .docx's paragraphs, kinds,
    list labels and table rows."""
    import docx

    paragraphs = mk.essay_paragraphs(700, seed=21, per_paragraph=110)
    document = docx.Document()
    document.add_paragraph("How far was Stalin a revolutionary?", style="Title")
    document.add_paragraph(paragraphs[0])
    document.add_heading("The causes", level=1)
    document.add_paragraph(paragraphs[1])
    for item in ["Collectivisation of agriculture from 1929", "The Five-Year Plans for industry"]:
        document.add_paragraph(item, style="List Number")
    for item in ["Continuity with the Tsars", "A new ruling class"]:
        document.add_paragraph(item, style="List Bullet")
    document.add_paragraph(paragraphs[2])
    rows = [("Year", "Event", "Significance"), ("1928", "First Five-Year Plan", "Rapid industrial growth"),
            ("1934", "Murder of Kirov", "Start of the Great Terror"), ("1936", "Stalin Constitution", "A façade of democracy")]
    table = document.add_table(rows=len(rows), cols=3)
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph(paragraphs[3])
    source = tmp_path / "essay.docx"
    document.save(str(source))
    expected = [("body", paragraphs[0]), ("heading", "The causes"), ("body", paragraphs[1]),
                ("body", "1. Collectivisation of agriculture from 1929"), ("body", "2. The Five-Year Plans for industry"),
                ("body", "• Continuity with the Tsars"), ("body", "• A new ruling class"), ("body", paragraphs[2]),
                *(("table", " | ".join(cells)) for cells in rows), ("body", paragraphs[3])]
    assert [(p.kind, p.text) for p in inspect_file(source).paragraphs] == expected
    for target, saved in saved_by_libreoffice(source, tmp_path).items():
        draft = inspect_file(saved)
        assert draft.title == "How far was Stalin a revolutionary?", target
        assert [(p.kind, p.text) for p in draft.paragraphs] == expected, target


def test_symbol_font_glyphs_in_a_pdf_read_as_what_they_show():
    """A PDF from Word or LibreOffice draws list bullets in the Symbol font, which text
    extraction gives as private-use codes (U+F0B7): they read as bullets and symbols."""
    from rubric.importing.pdf import Page

    page = Page.from_child({"lines": [["\uf0b7 Continuity with the Tsars", 90, 250, 600, 610, 0],
                                      ["1906 \uf0ae 1911 and \uf0b3 30\uf0b0", 72, 300, 620, 630, 0]]})
    assert [line.text for line in page.lines] == ["• Continuity with the Tsars", "1906 → 1911 and ≥ 30°"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_name_in_the_page_header_and_notes_read_alike_in_every_format(tmp_path):
    """The candidate typed in the page header, two notes marked side by side ("…1840.¹²"),
    a bibliography: LibreOffice's ODT, RTF and PDF give what the .docx gives."""
    import docx
    from docx.shared import Cm

    paragraphs = mk.essay_paragraphs(1400, seed=31, per_paragraph=130)
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Candidate 4017 – Amira Khan"
    document.add_paragraph("‘Stalin’s rule was a break with the Tsarist past.’ Assess the validity of this view.",
                           style="Title")
    for paragraph in paragraphs[:6]:
        document.add_paragraph(paragraph)
    document.add_heading("Bibliography", level=1)
    for entry in ["Fitzpatrick, S., The Russian Revolution (Oxford, 2008).", "Service, R., Stalin: A Biography (London, 2004)."]:
        item = document.add_paragraph(entry)
        item.paragraph_format.left_indent, item.paragraph_format.first_line_indent = Cm(1), Cm(-1)
    source = tmp_path / "essay.docx"
    document.save(str(source))
    mk.add_docx_footnotes(source, ["Service, Stalin, p. 4.", "Fitzpatrick, Revolution, pp. 12–15."], in_paragraph=2)
    expected = inspect_file(source)
    assert expected.candidate == "Amira Khan (4017)"
    assert [p.text for p in expected.paragraphs if p.kind == "footnote"] == [
        "[1] Service, Stalin, p. 4.", "[2] Fitzpatrick, Revolution, pp. 12–15."]
    assert sum(p.text.endswith(".[1][2]") for p in expected.paragraphs) == 1
    for target, saved in saved_by_libreoffice(source, tmp_path).items():
        draft = inspect_file(saved)
        assert draft.candidate == expected.candidate, target
        assert [(p.kind, p.text) for p in draft.paragraphs] == [(p.kind, p.text) for p in expected.paragraphs], target
        assert draft.coursework_word_count == expected.coursework_word_count, target


def test_the_page_header_names_the_candidate_in_odt_and_rtf(tmp_path):
    """Where the file name does not give the name and number, the page header may."""
    body = "".join(f"<text:p>{p}</text:p>" for p in BODY[:3])
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    styles = ('<?xml version="1.0" encoding="UTF-8"?><office:document-styles '
              'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
              'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"><office:master-styles>'
              '<style:master-page style:name="Standard"><style:header><text:p>Candidate 4017 – Amira Khan'
              "</text:p></style:header></style:master-page></office:master-styles></office:document-styles>")
    odt = tmp_path / "history essay.odt"
    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
        zf.writestr("styles.xml", styles)
    draft = inspect_file(odt)
    assert draft.candidate == "Amira Khan (4017)"
    assert "Candidate 4017" not in draft.text  # the header is not the script
    rtf = tmp_path / "history essay.rtf"
    rtf.write_bytes((r"{\rtf1\ansi\deff0{\fonttbl{\f0 Calibri;}}{\header \pard\plain Candidate 4017 \endash  Amira Khan\par}"
                     + "".join(mk.rtf_escape(p) + r"\par " for p in BODY[:3]) + "}").encode("ascii"))
    draft = inspect_file(rtf)
    assert draft.candidate == "Amira Khan (4017)"
    assert "Candidate 4017" not in draft.text
    assert [p.text for p in draft.paragraphs] == BODY[:3]
