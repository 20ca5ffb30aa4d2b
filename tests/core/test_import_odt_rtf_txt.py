"""OpenDocument, RTF and plain-text fidelity: indexes, tables and shapes in .odt; bullets
in symbol fonts in .rtf; legacy code pages in .txt. Every fixture is made here (the
content.xml, the RTF and the sample sentences are written for these tests)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from rubric.importing import txt
from rubric.importing.odt import read_odt
from rubric.importing.reader import inspect_file
from rubric.importing.rtf import BULLET, prepare_rtf, rtf_to_text, symbol_char
from rubric.importing.safety import open_zip
from rubric.importing.words import count_words
from tests.core import makefiles as mk


def texts(draft, kind=None):
    return [p.text for p in draft.paragraphs if kind is None or p.kind == kind]


def kinds(draft):
    return {p.text: p.kind for p in draft.paragraphs}


BODY = mk.essay_paragraphs(600, seed=7, per_paragraph=120)
QUESTION = "To what extent was the Treaty of Versailles the main cause of the collapse of the Weimar Republic?"

# --- odt ---------------------------------------------------------------------------------------

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3"'
)


def _p(text: str, style: str = "Text_20_body") -> str:
    return f'<text:p text:style-name="{style}">{text}</text:p>'


def make_odt(path: Path, body_xml: str, styles: str = "", styles_xml: str | None = None) -> Path:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}>'
        f'<office:automatic-styles>{styles}</office:automatic-styles>'
        f"<office:body><office:text>{body_xml}</office:text></office:body></office:document-content>"
    ).encode()
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        if styles_xml is not None:
            zf.writestr("styles.xml", (
                f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_NS}>'
                f"<office:styles>{styles_xml}</office:styles></office:document-styles>").encode())
    return path


def odt_blocks(path: Path):
    zipped = open_zip(path, path.read_bytes())
    try:
        return read_odt(path, zipped).blocks
    finally:
        zipped.zf.close()


def essay_odt(path: Path, *, before: str = "", after: str = "") -> Path:
    body = "".join(_p(p) for p in BODY)
    return make_odt(path, _p(QUESTION, "Title") + before + body + after)


ENTRIES = [
    "Evans, R. J. The Coming of the Third Reich. London: Allen Lane, 2003.",
    "Kershaw, I. Hitler, 1889–1936: Hubris. London: Penguin, 1998.",
    "Peukert, D. The Weimar Republic. London: Penguin, 1991.",
]


def _bibliography(title: str | None, tag: str = "bibliography", entry_style: str = "Bibliography_20_1") -> str:
    title_xml = (
        f'<text:index-title text:name="{tag}1_Head">{_p(title, "Bibliography_20_Heading")}</text:index-title>'
        if title is not None
        else ""
    )
    return (
        f'<text:{tag} text:name="{tag}1"><text:{tag}-source>'
        '<text:index-title-template text:style-name="Bibliography_20_Heading">Template title</text:index-title-template>'
        f"</text:{tag}-source><text:index-body>{title_xml}"
        + "".join(_p(entry, entry_style) for entry in ENTRIES)
        + f"</text:index-body></text:{tag}>"
    )


def test_odt_bibliography_is_read_and_counted_as_references(tmp_path):
    path = essay_odt(tmp_path / "1234_Smith_Jane.odt", after=_bibliography("Bibliography"))
    draft = inspect_file(path)
    assert draft.title == QUESTION
    assert texts(draft, "body") == BODY
    assert texts(draft, "reference") == ENTRIES
    assert kinds(draft)["Bibliography"] == "heading"
    assert "Template title" not in draft.text  # the source template is not the document
    assert draft.coursework_word_count == sum(count_words(p) for p in BODY)
    assert draft.word_count == draft.coursework_word_count + 1 + sum(count_words(e) for e in ENTRIES)


def test_odt_bibliography_blocks_have_the_reference_hint(tmp_path):
    """Without an index title the entries still say what they are (the hint analysis maps
    to the reference kind)."""
    blocks = odt_blocks(essay_odt(tmp_path / "b.odt", after=_bibliography(None)))
    assert [(b.text, b.hint) for b in blocks[-3:]] == [(entry, "reference") for entry in ENTRIES]
    titled = odt_blocks(essay_odt(tmp_path / "t.odt", after=_bibliography("Works Cited")))
    assert [(b.text, b.hint) for b in titled[-4:]] == [("Works Cited", "heading")] + [(e, "reference") for e in ENTRIES]


def test_odt_alphabetical_index_is_read_as_references(tmp_path):
    index = _bibliography("Alphabetical Index", tag="alphabetical-index", entry_style="Index_20_1")
    blocks = odt_blocks(essay_odt(tmp_path / "i.odt", after=index))
    assert [(b.text, b.hint) for b in blocks[-4:]] == [("Alphabetical Index", "heading")] + [
        (e, "reference") for e in ENTRIES
    ]


def test_odt_index_without_a_reference_heading_is_not_coursework(tmp_path):
    index = _bibliography("Alphabetical Index", tag="alphabetical-index", entry_style="Index_20_1")
    draft = inspect_file(essay_odt(tmp_path / "i.odt", after=index))
    assert texts(draft, "reference") == ENTRIES
    assert draft.coursework_word_count == sum(count_words(p) for p in BODY)


TOC_ENTRIES = ["Introduction\t1", "The Treaty of Versailles\t2", "Conclusion\t5"]


def _toc(title: bool = True) -> str:
    title_xml = (
        f'<text:index-title text:name="Table of Contents1_Head">{_p("Contents", "Contents_20_Heading")}</text:index-title>'
        if title
        else ""
    )
    return (
        '<text:table-of-content text:protected="true" text:name="Table of Contents1">'
        '<text:table-of-content-source text:outline-level="10">'
        '<text:index-title-template text:style-name="Contents_20_Heading">Table of Contents</text:index-title-template>'
        f"</text:table-of-content-source><text:index-body>{title_xml}"
        + "".join(
            _p(f'<text:a xlink:type="simple" xlink:href="#__RefHeading__{i}">{e.split(chr(9))[0]}<text:tab/>{e.split(chr(9))[1]}</text:a>', "Contents_20_1")
            for i, e in enumerate(TOC_ENTRIES)
        )
        + "</text:index-body></text:table-of-content>"
    )


def test_odt_table_of_contents_is_kept_as_front_matter(tmp_path):
    path = essay_odt(tmp_path / "toc.odt", before=_toc())
    blocks = odt_blocks(path)
    assert [(b.text, b.hint) for b in blocks[1:5]] == [("Contents", "front_matter")] + [
        (e, "front_matter") for e in TOC_ENTRIES
    ]
    draft = inspect_file(path)
    assert draft.title == QUESTION
    assert "The Treaty of Versailles 2" in draft.text  # kept, shown to the teacher
    assert texts(draft, "body")[-len(BODY) + 1 :] == BODY[1:]


def test_odt_untitled_table_of_contents_is_not_counted(tmp_path):
    """(A contents page with its title is already found by the header analysis.)"""
    draft = inspect_file(essay_odt(tmp_path / "toc.odt", before=_toc(title=False)))
    assert [p.kind for p in draft.paragraphs[:3]] == ["front_matter"] * 3
    assert texts(draft, "body") == BODY
    assert draft.coursework_word_count == sum(count_words(p) for p in BODY)


def test_odt_shape_titles_and_descriptions_are_not_text(tmp_path):
    frame = (
        '<draw:frame draw:name="Chart 1" text:anchor-type="as-char" svg:width="5cm" svg:height="3cm">'
        '<draw:image xlink:href="Pictures/chart.png"/>'
        "<svg:title>Figure title for screen readers</svg:title>"
        "<svg:desc>A bar chart of unemployment, 1928–1933</svg:desc></draw:frame>"
    )
    shape = (
        '<draw:custom-shape draw:name="Arrow" text:anchor-type="paragraph">'
        "<svg:title>Arrow shape title</svg:title><svg:desc>An arrow pointing right</svg:desc>"
        f"{_p('Label inside the shape')}<draw:enhanced-geometry draw:type="
        '"right-arrow"/></draw:custom-shape>'
    )
    box = (
        '<draw:frame draw:name="Box"><svg:title>Box title</svg:title>'
        f"<draw:text-box>{_p('Text in a text box')}</draw:text-box></draw:frame>"
    )
    group = f'<draw:g><svg:desc>Grouped shapes</svg:desc>{shape.replace("Label inside the shape", "Label in a group")}</draw:g>'
    sentence = "Unemployment rose sharply after 1929, as the chart shows."
    path = make_odt(
        tmp_path / "shapes.odt",
        _p(QUESTION, "Title")
        + _p(f"Unemployment rose sharply after 1929, {frame}as the chart shows.{shape}")
        + _p(f"{box}{BODY[0]}")
        + group
        + "".join(_p(p) for p in BODY[1:]),
    )
    draft = inspect_file(path)
    for hidden in ("Figure title", "bar chart", "Arrow shape", "pointing right", "Box title", "Grouped shapes"):
        assert hidden not in draft.text
    assert texts(draft)[:5] == [sentence, "Label inside the shape", BODY[0], "Text in a text box", "Label in a group"]
    assert texts(draft)[5:] == BODY[1:]


def test_odt_table_rows_are_one_paragraph_each(tmp_path):
    def cell(*paragraphs: str, attrs: str = "") -> str:
        return f"<table:table-cell{attrs}>" + "".join(_p(p) for p in paragraphs) + "</table:table-cell>"

    table = (
        '<table:table table:name="Factors"><table:table-column table:number-columns-repeated="3"/>'
        "<table:table-header-rows><table:table-row>"
        + cell("Factor") + cell("Evidence") + cell("Judgement")
        + "</table:table-row></table:table-header-rows>"
        "<table:table-row>" + cell("Versailles") + cell("Reparations of £6,600 million", "War-guilt clause") + cell("Important")
        + "</table:table-row>"
        '<table:table-row>' + cell("Depression", attrs=' table:number-columns-spanned="2"')
        + "<table:covered-table-cell/>" + cell("Decisive") + "</table:table-row>"
        "<table:table-row>" + cell("Nested") + "<table:table-cell><table:table>"
        "<table:table-row>" + cell("a") + cell("b") + "</table:table-row></table:table></table:table-cell>"
        + cell() + "</table:table-row>"
        "<table:table-row>" + cell() + cell() + cell() + "</table:table-row>"
        "</table:table>"
    )
    path = make_odt(tmp_path / "table.odt", _p(QUESTION, "Title") + _p(BODY[0]) + table + "".join(_p(p) for p in BODY[1:]))
    rows = [
        "Factor | Evidence | Judgement",
        "Versailles | Reparations of £6,600 million War-guilt clause | Important",
        "Depression | Decisive",
        "Nested | a | b",
    ]
    blocks = odt_blocks(path)
    assert [(b.text, b.hint) for b in blocks if b.hint == "table"] == [(row, "table") for row in rows]
    draft = inspect_file(path)
    assert texts(draft, "table") == rows
    assert texts(draft, "body") == BODY


# --- rtf ---------------------------------------------------------------------------------------

_FONTS = (
    r"{\fonttbl{\f0\fswiss\fcharset0 Arial;}"
    r"{\f1\froman\fcharset2\fprq2{\*\panose 05050102010706020507}Symbol;}"
    r"{\f2\fnil\fcharset2\fprq2{\*\panose 05000000000000000000}Wingdings;}"
    r"{\f3\fmodern\fcharset0 Courier New;}"
    r"{\f4\fnil\fcharset0 Webdings;}}"
)
POINTS = [
    "Reparations damaged the German economy after 1921 and fed resentment.",
    "The army resented the limits placed on it by the peace settlement.",
    "Nationalists called the politicians who signed the treaty traitors.",
    "The stab-in-the-back myth spread widely in the right-wing press.",
    "Hyperinflation in 1923 ruined savers and discredited the republic.",
    "The loss of territory was felt most keenly in the east.",
    "The war-guilt clause became a rallying cry for every opponent of Weimar.",
]


def make_rtf(path: Path, middle: str) -> Path:
    body = "".join(mk.rtf_escape(p) + r"\par " for p in BODY)
    source = (
        r"{\rtf1\ansi\ansicpg1252\deff0" + _FONTS + r"{\colortbl;\red0\green0\blue0;}"
        r"{\*\listtable{\list\listtemplateid1{\listlevel\levelnfc23{\leveltext\'01\u-3913 ?;}{\levelnumbers;}\f1}}}"
        r"\pard\plain\f0\fs24 " + QUESTION + r"\par " + body + middle + r"\pard\plain\f0 " + mk.rtf_escape(BODY[0]) + r"\par}"
    )
    path.write_bytes(source.encode("ascii"))
    return path


def test_rtf_bullets_in_symbol_fonts_are_bullets(tmp_path):
    middle = (
        # Word: the label in \listtext, Symbol \'b7 and Wingdings \'a7 / \'d8
        r"{\listtext\pard\plain\ltrpar \f1\fs24\loch\af1\hich\af1\dbch\af0 \'b7\tab}\pard\plain\ls1\f0 " + POINTS[0] + r"\par "
        r"{\listtext\pard\plain\f2\'a7\tab}\pard\plain\f0 " + POINTS[1] + r"\par "
        r"{\listtext\pard\plain\f2\'d8\tab}\pard\plain\f0 " + POINTS[2] + r"\par "
        # WordPad: \pntext with the old {\*\pn} definition (one bullet, not two)
        r"{\pntext\f1\'B7\tab}{\*\pn\pnlvlblt\pnf1\pnindent0{\pntxtb\'B7}}\fi-720\li720\f0 " + POINTS[3] + r"\par "
        # only the {\*\pn} definition
        r"\pard{\*\pn\pnlvlblt\pnf1\pnindent0{\pntxtb\'B7}}\f0 " + POINTS[4] + r"\par "
        # private-use characters, in the symbol font and without one
        r"\pard{\f1\u61623\'b7}\tab " + POINTS[5] + r"\par "
        r"\pard\u61607?\tab " + POINTS[6] + r"\par "
    )
    draft = inspect_file(make_rtf(tmp_path / "bullets.rtf", middle))
    assert draft.title == QUESTION
    assert texts(draft) == [*BODY, *(f"{BULLET} {point}" for point in POINTS), BODY[0]]
    assert not any(c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF for c in draft.text)


def test_rtf_list_numbers_and_second_level_labels_are_kept(tmp_path):
    middle = (
        r"{\listtext\pard\plain\f0 1.\tab}\pard\plain\f0 " + POINTS[0] + r"\par "
        r"{\listtext\pard\plain\f0 2.\tab}\pard\plain\f0 " + POINTS[1] + r"\par "
        r"{\listtext\pard\plain\f3 o\tab}\pard\plain\f0 " + POINTS[2] + r"\par "
    )
    draft = inspect_file(make_rtf(tmp_path / "numbers.rtf", middle))
    assert texts(draft)[len(BODY) : len(BODY) + 3] == [f"1. {POINTS[0]}", f"2. {POINTS[1]}", f"o {POINTS[2]}"]


def test_rtf_symbol_font_characters_in_running_text(tmp_path):
    middle = (
        r"\pard\f0 The angle {\f1 a} was {\f1\'b3} 30{\f1\'b0}, so {\f1 p}r{\f1\'b2} grew; "
        r"well done {\f2 J} and {\f2\'fc} checked {\f4\'3d}.\par "
    )
    draft = inspect_file(make_rtf(tmp_path / "greek.rtf", middle))
    assert "The angle α was ≥ 30°, so πr″ grew; well done ☺ and ✓ checked •." in texts(draft)


def test_rtf_pictures_are_cut_before_striprtf_walks_them(tmp_path):
    picture = r"{\*\shppict{\pict\pngblip\picw100\pich100 " + ("89504e470d0a1a0a" * 8 + "\r\n") * 40000 + "}}"
    binary = r"{\pict\wmetafile8\bin6 " + "{}\\}{x" + "}"
    path = make_rtf(tmp_path / "picture.rtf", r"\pard\f0 Before the picture " + picture + binary + r" and after it.\par ")
    assert path.stat().st_size > 5_000_000
    start = time.perf_counter()
    draft = inspect_file(path, mk_options(time_limit=10))
    assert time.perf_counter() - start < 3
    assert "Before the picture and after it." in texts(draft)


def mk_options(**kwargs):
    from rubric.importing.model import ImportOptions

    return ImportOptions(max_bytes=50 * 1024 * 1024, **kwargs)


def test_rtf_bad_unicode_escape_does_not_lose_the_file(tmp_path):
    draft = inspect_file(make_rtf(tmp_path / "bad.rtf", r"\pard\f0 A character \u99999999? here.\par "))
    assert texts(draft, "body")[: len(BODY)] == BODY
    assert "A character \ufffd here." in texts(draft)


def test_prepare_rtf_leaves_ordinary_rtf_as_striprtf_reads_it():
    """Symbol-free RTF with \\uc skips, hex escapes and destinations reads exactly as
    striprtf alone reads it: the rewrite follows striprtf's skip state."""
    from striprtf.striprtf import destinations
    from striprtf.striprtf import rtf_to_text as striprtf_text

    source = (
        r"{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}}{\*\generator Writer}{\info{\title T}}"
        r"caf\'e9 \u8220?quoted\u8221? {\uc2 \u233\'3f\'3fwide} \uc0\u8212 dash\uc1 "
        r'{\field{\*\fldinst{ HYPERLINK "http://example.org"}}{\fldrslt{\ul link}}}'
        r"{\*\bkmkstart x}\{braces\}\\ \emdash\tab end\par}"
    )
    assert rtf_to_text(source.encode("ascii")) == striprtf_text(source) == striprtf_text(prepare_rtf(source, destinations))
    assert "café “quoted” éwide —dash" in striprtf_text(source)


def test_rtf_unknown_charset2_font_keeps_its_ascii():
    """A text font wrongly declared as a symbol font keeps its words."""
    source = (
        r"{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}{\f5\fnil\fcharset2 Calibri;}}"
        r"{\f5 Stalin\rquote s policy \'95\tab worked.}\par}"
    )
    assert rtf_to_text(source.encode("ascii")) == f"Stalin’s policy {BULLET}\tworked.\n"


def test_symbol_tables():
    assert symbol_char("symbol", 0xB7) == BULLET and symbol_char("symbol", ord("a")) == "α"
    assert symbol_char("wingdings", 0xA7) == BULLET and symbol_char("wingdings", 0xD8) == BULLET
    assert symbol_char("dingbats", 0x6C) == BULLET and symbol_char("dingbats", 0x20) == " "


def test_rtf_crafted_input_stays_linear():
    """Thousands of nested groups, pictures and \\bin runs: one pass, no blow-up."""
    source = r"{\rtf1" + "{" * 20000 + r"\f1 x" + "}" * 20000 + (r"{\pict\bin99999999 }" * 5) + r"{\pntext" * 3000 + "}"
    start = time.perf_counter()
    prepared = prepare_rtf(source)
    assert time.perf_counter() - start < 1
    assert len(prepared) <= len(source) + 10_000


def test_rtf_notes_nested_thousands_deep_are_read_once():
    """A note inside a note is dropped: crafted nesting costs one more pass, not one a level."""
    source = r"{\rtf1 Text." + r"{\footnote x" * 5000 + "}" * 5000 + r" More.\par " + r"{\footnote n}" * 3000 + "}"
    prepared = prepare_rtf(source)
    assert len(prepared) <= 2 * len(source) + 100 * 3001  # a mark and a paragraph a note
    assert rtf_to_text(source.encode("ascii")).count("\ue104") == 3001  # each note once, none nested


# --- txt ---------------------------------------------------------------------------------------

RUSSIAN = (
    "Вопрос о том, насколько Сталин был революционером, остаётся предметом спора среди историков. "
    "С одной стороны, коллективизация сельского хозяйства и стремительная индустриализация полностью изменили "
    "жизнь миллионов крестьян и рабочих.\n\nС другой стороны, многие черты его правления напоминали старую "
    "царскую систему: культ личности, всесильная бюрократия и жестокие репрессии против любого несогласия. "
    "Поэтому можно утверждать, что его политика сочетала радикальные перемены с глубокой преемственностью, "
    "и окончательная оценка зависит от того, какие критерии историк считает главными."
)
POLISH = (
    "Traktat wersalski był bez wątpienia ważnym czynnikiem, który osłabił Republikę Weimarską, ale nie był "
    "jedyną przyczyną jej upadku. Wielki kryzys gospodarczy po roku 1929 doprowadził do masowego bezrobocia, "
    "a zwykli obywatele stracili zaufanie do demokratycznych partii.\n\nPolitycy prawicy wykorzystywali to "
    "niezadowolenie, obiecując przywrócenie porządku i dumy narodowej. Dlatego należy stwierdzić, że źródła "
    "katastrofy były złożone, a ówczesne decyzje przywódców miały równie duże znaczenie jak warunki pokoju "
    "narzucone Niemcom przez zwycięskie mocarstwa."
)
CZECH = (
    "Otázka, do jaké míry byla studená válka nevyhnutelná, vyvolává mezi historiky dlouhou a živou debatu. "
    "Po skončení druhé světové války se spojenci rychle rozešli, protože Sovětský svaz i Spojené státy sledovaly "
    "odlišné cíle ve střední Evropě.\n\nRozdělení Německa, blokáda Berlína a vznik dvou vojenských aliancí "
    "ukázaly, že vzájemná nedůvěra byla hluboká. Přesto někteří autoři tvrdí, že rozumnější diplomacie mohla "
    "napětí zmírnit, a že konflikt nebyl předem určen žádným železným zákonem dějin."
)
JAPANESE = (
    "明治維新は日本の近代化において決定的な転換点であったと言われている。幕府が倒れた後、新しい政府は西洋の技術や制度を"
    "積極的に取り入れ、鉄道や工場を建設し、近代的な軍隊を組織した。\n\nしかし、この改革は多くの農民や武士にとって大きな"
    "負担となり、各地で反乱が起きた。したがって、明治時代の変化は急速な発展であると同時に、深い社会的な対立を伴うもので"
    "あったと考えるべきである。歴史家の間では、伝統と革新のどちらが重要であったかについて、今も議論が続いている。"
)
GREEK = (
    "Η Ελληνική Επανάσταση του 1821 αποτέλεσε ένα από τα σημαντικότερα γεγονότα της ευρωπαϊκής ιστορίας του "
    "δέκατου ένατου αιώνα. Οι επαναστάτες εμπνεύστηκαν από τις ιδέες του Διαφωτισμού και από το παράδειγμα της "
    "Γαλλικής Επανάστασης.\n\nΗ επιτυχία τους εξαρτήθηκε σε μεγάλο βαθμό από την παρέμβαση των Μεγάλων Δυνάμεων, "
    "και η ναυμαχία του Ναυαρίνου το 1827 έδειξε ότι η διεθνής διπλωματία ήταν καθοριστική. Επομένως, η "
    "ανεξαρτησία της Ελλάδας ήταν αποτέλεσμα τόσο της εσωτερικής αντίστασης όσο και των συμφερόντων των ξένων κυβερνήσεων."
)
CHINESE = (
    "辛亥革命推翻了清朝的统治，结束了中国两千多年的君主专制制度。然而，革命之后的中国并没有立即走向稳定与繁荣，"
    "各地军阀割据，政治局势十分混乱。\n\n许多历史学家认为，这场革命的意义在于它传播了民主共和的思想，为后来的社会变革"
    "奠定了基础。但是也有学者指出，革命的领导者未能解决农民的土地问题，因此它的成果是有限的。总的来说，我们应当全面地"
    "评价这一重要的历史事件。"
)
ENGLISH_1252 = (
    mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION + "\n\n"
    "The café owners of Berlin – and the naïve politicians of the Reichstag – watched the “stab in the back” "
    "myth spread… Reparations of £6,600 million were a burden, but déjà vu is not evidence, and Stresemann’s "
    "policy of fulfilment showed that the treaty could be revised.\n\n" + "\n\n".join(BODY)
)


@pytest.mark.parametrize(
    ("sample", "encoding", "label"),
    [
        (RUSSIAN, "cp1251", "Windows-1251 (Cyrillic)"),
        (RUSSIAN, "koi8_r", "KOI8-R (Cyrillic)"),
        (POLISH, "cp1250", "Windows-1250 (Central European)"),
        (POLISH, "iso8859_2", "ISO-8859-2 (Central European)"),
        (CZECH, "cp1250", "Windows-1250 (Central European)"),
        (JAPANESE, "shift_jis", "Shift-JIS (Japanese)"),
        (GREEK, "iso8859_7", "ISO-8859-7 (Greek)"),
        (CHINESE, "gb18030", "GB18030 (Chinese)"),
    ],
    ids=["ru-1251", "ru-koi8", "pl-1250", "pl-latin2", "cs-1250", "ja-sjis", "el-iso", "zh-gb18030"],
)
def test_txt_legacy_code_pages_are_detected(tmp_path, sample, encoding, label):
    path = tmp_path / "essay.txt"
    path.write_bytes((QUESTION + "\n\n" + sample).encode(encoding).replace(b"\n", b"\r\n"))
    draft = inspect_file(path)
    assert draft.format == "txt"
    assert draft.title == QUESTION
    assert texts(draft) == sample.split("\n\n")
    assert draft.word_count == count_words(sample)
    warnings = [w for w in draft.warnings if w.code.startswith("encoding_")]
    assert [(w.code, w.message) for w in warnings] == [
        ("encoding_detected", f"the text file is not UTF-8: it was read as {label}")
    ]


def test_txt_czech_in_latin2_is_read_right_and_called_uncertain(tmp_path):
    """With none of the bytes 0x80–0x9F, Windows-1250 and ISO-8859-2 both read cleanly:
    ISO-8859-2 is taken (Windows-1250 Czech would use those bytes for š ť ž) and the
    teacher is told which was assumed."""
    path = tmp_path / "essay.txt"
    path.write_bytes(CZECH.encode("iso8859_2"))
    draft = inspect_file(path)
    assert texts(draft) == CZECH.split("\n\n")
    (warning,) = [w for w in draft.warnings if w.code.startswith("encoding_")]
    assert warning.code == "encoding_uncertain"
    assert "read as ISO-8859-2 (Central European)" in warning.message
    assert "Windows-1250" in warning.message


@pytest.mark.parametrize("language", ["english", "french", "german", "spanish"])
def test_txt_western_essays_in_1252_stay_1252(tmp_path, language):
    samples = {
        "english": ENGLISH_1252,
        "french": "La Révolution française a profondément transformé la société, mais il serait naïf de croire "
        "qu’elle a effacé d’un coup l’héritage de l’Ancien Régime. Les élites locales ont souvent conservé leur "
        "pouvoir, et l’Église est restée très présente dans la vie quotidienne des campagnes.",
        "german": "Die Weimarer Republik scheiterte nicht allein am Versailler Vertrag. Die Weltwirtschaftskrise "
        "führte zu Massenarbeitslosigkeit, und viele Bürger verloren das Vertrauen in die demokratischen Parteien. "
        "Außerdem schwächten die Notverordnungen des Reichspräsidenten das Parlament.",
        "spanish": "La guerra civil española fue el resultado de profundas divisiones sociales, económicas y "
        "políticas. Los campesinos sin tierra exigían una reforma agraria, mientras que los terratenientes y la "
        "Iglesia defendían el orden tradicional. ¿Podía evitarse? Además, el ejército desconfiaba de la República.",
    }
    sample = samples[language]
    decoding = txt.detect_encoding(sample.encode("cp1252"))
    assert (decoding.text, decoding.encoding, decoding.uncertain) == (sample, "windows-1252", False)
    assert decoding.warning() is None


def test_txt_english_1252_essay_keeps_title_candidate_and_no_warning(tmp_path):
    path = tmp_path / "essay.txt"
    text = ENGLISH_1252.replace("\n\n", "\nName: J. Smith\n", 1)
    path.write_bytes(text.encode("cp1252"))
    draft = inspect_file(path)
    assert draft.title == mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION
    assert draft.candidate_name == "J. Smith"
    assert "the “stab in the back” myth spread…" in draft.text and "£6,600" in draft.text
    assert not [w for w in draft.warnings if w.code.startswith("encoding_")]


def test_txt_cheap_rules_never_run_detection(monkeypatch):
    def refuse(_sample):
        raise AssertionError("charset-normalizer must not run")

    monkeypatch.setattr(txt, "_readings", refuse)
    essay = " ".join(mk.essay_paragraphs(4500, seed=3)) + " Stalin’s “terror” – déjà vu, naïve, Œuvre."
    assert count_words(essay) >= 4500
    start = time.perf_counter()
    decoding = txt.detect_encoding(essay.encode("utf-8"))
    assert time.perf_counter() - start < 0.05
    assert (decoding.text, decoding.encoding, decoding.detected) == (essay, "utf-8", False)
    # curly quotes and dashes only: the same bytes in every Windows code page
    quotes = "Stalin’s “Great Terror” – a policy… of fear — and more." * 50
    decoding = txt.detect_encoding(quotes.encode("cp1252"))
    assert (decoding.text, decoding.encoding, decoding.warning()) == (quotes, "windows-1252", None)
    # byte-order marks and UTF-16
    assert txt.detect_encoding(b"\xef\xbb\xbf" + essay.encode("utf-8")).text == essay
    assert txt.detect_encoding(essay.encode("utf-16-le")).encoding == "utf-16-le"


def test_txt_shift_jis_is_not_taken_for_utf8_with_stray_bytes():
    decoding = txt.detect_encoding(JAPANESE.encode("shift_jis"))
    assert decoding.text == JAPANESE and not decoding.encoding.startswith("utf-8")
    mixed = ("Stalin’s “Great Terror” " * 3).encode("utf-8") + b"caf\xe9 " + " ".join(BODY).encode("utf-8")
    assert txt.detect_encoding(mixed).encoding == "utf-8 (with stray bytes)"


def test_txt_too_little_evidence_is_uncertain_windows_1252():
    decoding = txt.detect_encoding("30°C".encode("cp1252"))
    assert decoding.text == "30°C" and decoding.encoding == "windows-1252"
    warning = decoding.warning()
    assert warning is not None and warning.code == "encoding_uncertain"
    assert "read as Windows-1252 (Western European)" in warning.message


def test_decode_text_still_returns_text_and_encoding():
    assert txt.decode_text(RUSSIAN.encode("cp1251")) == (RUSSIAN, "cp1251")
    assert txt.decode_text(b"plain") == ("plain", "utf-8")


def test_rtf_hidden_text_and_tracked_deletions_are_not_read(tmp_path):
    """What Word does not show is not the script: hidden text (``\\v``) and deletions
    tracked as changes (``\\deleted``); the inserted text and the rest of the line are."""
    path = tmp_path / "4023_Okafor_Daniel.rtf"
    path.write_bytes(
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}}\\f0 "
        b"The treaty was resented, but it was not {\\deleted\\revauthdel1 utterly }"
        b"{\\revised quite }unworkable.\\par "
        b"Visible {\\v HIDDEN \\u8212? NOTE }words, \\v hidden again\\v0  and the rest.\\par "
        b"Poincar\\'e9 ordered the occupation of the Ruhr.\\par }")
    assert texts(inspect_file(path)) == [
        "The treaty was resented, but it was not quite unworkable.",
        "Visible words, and the rest.",
        "Poincaré ordered the occupation of the Ruhr.",
    ]


def test_an_rtf_file_cut_short_is_read_and_says_so(tmp_path):
    whole = mk.make_rtf(tmp_path / "4023_Okafor_Daniel.rtf", BODY[:4])
    assert not [w for w in inspect_file(whole).warnings if w.code == "cut_short"]
    cut = tmp_path / "4024_Okafor_Dana.rtf"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) * 6 // 10])
    draft = inspect_file(cut)
    assert texts(draft)[0] == BODY[0]   # what is there is read
    (warning,) = [w for w in draft.warnings if w.code == "cut_short"]
    assert "end of the script may be missing" in warning.message


def test_an_odt_quotation_in_a_style_the_file_does_not_define_is_a_quotation(tmp_path):
    """LibreOffice leaves its own unchanged "Quotations" style out of the file: the
    paragraph names it, and its name says what it is."""
    quotation = ("The government must stake its wager not on the needy and the drunken but on "
                 "the sturdy and the strong, said the minister to the Duma in 1908.")
    draft = inspect_file(mk.make_odt(tmp_path / "lo.odt", [BODY[0], ("quote", quotation), BODY[1]]))
    assert [par.kind for par in draft.paragraphs] == ["body", "quote", "body"]


# --- odt lists ---------------------------------------------------------------------------------

_ALIGN = ('<style:list-level-properties text:list-level-position-and-space-mode="label-alignment">'
          '<style:list-level-label-alignment text:label-followed-by="listtab"/></style:list-level-properties>')


def _number_level(level: int, fmt: str = "1", suffix: str = ".", prefix: str = "", display: int = 1, start: int = 1) -> str:
    return (f'<text:list-level-style-number text:level="{level}" style:num-format="{fmt}" '
            f'style:num-prefix="{prefix}" style:num-suffix="{suffix}" text:display-levels="{display}" '
            f'text:start-value="{start}">{_ALIGN}</text:list-level-style-number>')


NUMBERED = ('<text:list-style style:name="L1">' + _number_level(1) + _number_level(2, "a", ")")
            + _number_level(3, "i", ".") + "</text:list-style>")
BULLETED = ('<text:list-style style:name="L2">'
            '<text:list-level-style-bullet text:level="1" text:bullet-char="\uf0b7">' + _ALIGN
            + '</text:list-level-style-bullet><text:list-level-style-bullet text:level="2" text:bullet-char="–">'
            + _ALIGN + "</text:list-level-style-bullet></text:list-style>")


def _items(*texts: str) -> str:
    return "".join(f"<text:list-item>{_p(t, 'P1')}</text:list-item>" for t in texts)


CAUSES = ["The reparations bill of 1921", "The occupation of the Ruhr in 1923", "The Wall Street Crash of 1929"]


def test_odt_numbered_list_items_keep_their_numbers(tmp_path):
    body = _p("The causes in order:") + f'<text:list text:style-name="L1">{_items(*CAUSES)}</text:list>'
    blocks = odt_blocks(make_odt(tmp_path / "list.odt", body, NUMBERED))
    assert [b.text for b in blocks] == ["The causes in order:"] + [f"{n}. {t}" for n, t in enumerate(CAUSES, 1)]


def test_odt_nested_list_levels_use_their_own_formats_and_reset_below(tmp_path):
    nested = (f'<text:list text:style-name="L1"><text:list-item>{_p("Economic causes")}'
              f'<text:list>{_items("Reparations", "Hyperinflation")}</text:list></text:list-item>'
              f'<text:list-item>{_p("Political causes")}<text:list>{_items("Article 48")}'
              f'<text:list-item><text:list>{_items("Brüning’s decrees")}</text:list></text:list-item>'
              "</text:list></text:list-item></text:list>")
    blocks = odt_blocks(make_odt(tmp_path / "nested.odt", nested, NUMBERED))
    assert [b.text for b in blocks] == [
        "1. Economic causes", "a) Reparations", "b) Hyperinflation",
        "2. Political causes", "a) Article 48", "i. Brüning’s decrees"]


def test_odt_list_shows_several_levels_and_its_prefix(tmp_path):
    style = ('<text:list-style style:name="L3">' + _number_level(1, "1", ".")
             + _number_level(2, "1", ")", prefix="(", display=2) + "</text:list-style>")
    body = (f'<text:list text:style-name="L3"><text:list-item>{_p("Weimar")}'
            f'<text:list>{_items("Spartacists", "Kapp Putsch")}</text:list></text:list-item></text:list>')
    blocks = odt_blocks(make_odt(tmp_path / "levels.odt", body, style))
    assert [b.text for b in blocks] == ["1. Weimar", "(1.1) Spartacists", "(1.2) Kapp Putsch"]


def test_odt_a_new_list_restarts_unless_it_continues_the_last(tmp_path):
    body = (f'<text:list xml:id="first" text:style-name="L1">{_items("Versailles", "Dawes Plan")}</text:list>'
            + _p("A paragraph between the lists.")
            + f'<text:list text:style-name="L1" text:continue-numbering="true">{_items("Young Plan")}</text:list>'
            + f'<text:list text:style-name="L1">{_items("A fresh list")}</text:list>'
            + f'<text:list text:style-name="L1" text:continue-list="first">{_items("Locarno")}</text:list>'
            + f'<text:list text:style-name="L1"><text:list-item text:start-value="7">{_p("Seventh")}</text:list-item></text:list>')
    blocks = odt_blocks(make_odt(tmp_path / "continue.odt", body, NUMBERED))
    assert [b.text for b in blocks] == ["1. Versailles", "2. Dawes Plan", "A paragraph between the lists.",
                                        "3. Young Plan", "1. A fresh list", "4. Locarno", "7. Seventh"]


def test_odt_bullets_from_a_symbol_font_read_as_bullets_and_only_the_first_paragraph_has_one(tmp_path):
    body = (f'<text:list text:style-name="L2"><text:list-item>{_p("Stresemann’s diplomacy")}'
            f'{_p("A second paragraph of the same item.")}<text:list>{_items("Locarno, 1925")}</text:list>'
            "</text:list-item><text:list-header>" + _p("A header with no bullet")
            + "</text:list-header></text:list>")
    blocks = odt_blocks(make_odt(tmp_path / "bullets.odt", body, BULLETED))
    assert [b.text for b in blocks] == ["• Stresemann’s diplomacy", "A second paragraph of the same item.",
                                        "– Locarno, 1925", "A header with no bullet"]


def test_odt_list_style_from_the_paragraph_style_and_a_stored_number(tmp_path):
    styles_xml = ('<style:style style:name="List_20_Number" style:display-name="List Number" '
                  'style:family="paragraph" style:list-style-name="Numbering_20_123"/>'
                  '<text:list-style style:name="Numbering_20_123">' + _number_level(1, "A", ".") + "</text:list-style>")
    body = ("<text:list>" + "".join(f"<text:list-item>{_p(t, 'List_20_Number')}</text:list-item>" for t in CAUSES[:2])
            + "</text:list>"
            + '<text:list text:style-name="L1"><text:list-item><text:number>IV.</text:number>'
            + _p("A number the file stores itself") + "</text:list-item></text:list>")
    blocks = odt_blocks(make_odt(tmp_path / "pstyle.odt", body, NUMBERED, styles_xml=styles_xml))
    assert [b.text for b in blocks] == [f"A. {CAUSES[0]}", f"B. {CAUSES[1]}", "IV. A number the file stores itself"]


def test_odt_numbered_headings_from_the_outline_style(tmp_path):
    styles_xml = ('<text:outline-style style:name="Outline">'
                  '<text:outline-level-style text:level="1" style:num-format="1" style:num-suffix="."/>'
                  '<text:outline-level-style text:level="2" style:num-format="1" text:display-levels="2"/>'
                  "</text:outline-style>")
    body = ('<text:h text:outline-level="1">Introduction</text:h>' + _p(BODY[0])
            + '<text:h text:outline-level="1">The Treaty</text:h>'
            + '<text:h text:outline-level="2">Reparations</text:h>' + _p(BODY[1]))
    blocks = odt_blocks(make_odt(tmp_path / "outline.odt", body, styles_xml=styles_xml))
    assert [(b.text, b.hint) for b in blocks if b.hint == "heading"] == [
        ("1. Introduction", "heading"), ("2. The Treaty", "heading"), ("2.1 Reparations", "heading")]


def test_odt_letters_run_on_as_aa_ab_unless_letter_sync_is_set():
    from rubric.importing.odt import format_odf_number

    assert [format_odf_number(n, "a") for n in (1, 26, 27, 28)] == ["a", "z", "aa", "ab"]
    assert [format_odf_number(n, "A", sync=True) for n in (27, 28)] == ["AA", "BB"]
    assert [format_odf_number(n, "I") for n in (4, 9, 14, 1999)] == ["IV", "IX", "XIV", "MCMXCIX"]


# --- rtf tables and styles ---------------------------------------------------------------------

_STYLESHEET = (
    r"{\stylesheet{\ql \li0\ri0\widctlpar\f0\fs24 \snext0 \sqformat \spriority0 Normal;}"
    r"{\s1\ql \li0\ri0\sb240\keepn\outlinelevel0\b\fs32 \sbasedon0 \snext0 \slink15 \sqformat heading 1;}"
    r"{\s2\ql \keepn\b\fs28 \sbasedon0 \snext0 {\*\keycode \shift\ctrl 2}heading 2;}"
    r"{\s15\qc\fs40 \sbasedon0 \snext0 Title;}"
    r"{\s16\li720\ri720\i \sbasedon0 \snext0 Quote;}"
    r"{\*\cs10 \additive \ssemihidden Default Paragraph Font;}"
    r"{\*\cs17 \additive\b heading 1 Char;}}"
)


def test_rtf_table_rows_are_one_paragraph_each_with_cells_joined(tmp_path):
    row = r"\trowd\trgaph108\cellx3000\cellx6000\cellx9000\pard\intbl "
    middle = (
        row + r"Year\cell Event\cell Effect\cell\row "
        + row + r"1923\cell Occupation of the Ruhr\cell Hyperinflation\par worsened\cell\row "
        + row + r"1924\cell Dawes Plan\cell \cell\row "
        + row + r"\cell\cell\cell\row "
    )
    draft = inspect_file(make_rtf(tmp_path / "table.rtf", middle))
    assert [(p.text, p.kind) for p in draft.paragraphs if "|" in p.text] == [
        ("Year | Event | Effect", "table"),
        ("1923 | Occupation of the Ruhr | Hyperinflation worsened", "table"),
        ("1924 | Dawes Plan", "table"),
    ]
    assert texts(draft)[-1] == BODY[0]  # the essay goes on after the table
    assert not any(0xE000 <= ord(c) <= 0xF8FF for c in draft.text)


def test_rtf_paragraph_styles_from_the_stylesheet_give_headings_and_quotations(tmp_path):
    heading = "How far did the Treaty of Versailles weaken the new republic in its first five years"
    source = (
        r"{\rtf1\ansi\ansicpg1252\deff0" + _FONTS + _STYLESHEET
        + r"\pard\plain\s15\qc\fs40 " + QUESTION + r"\par "
        + r"\pard\plain\s1\b\fs32 Introduction\par "
        + r"\pard\plain\f0 " + mk.rtf_escape(BODY[0]) + r"\par "
        + r"\pard\plain\s2\b\fs28 " + heading + r"\par "
        + r"\pard\plain\f0 " + mk.rtf_escape(BODY[1]) + r"\par "
        + r"\pard\plain\s16\li720\i " + "Germany will be squeezed until the pips squeak." + r"\par "
        + r"\pard\plain\outlinelevel1\b Conclusion\par "
        + r"\pard\plain\f0 " + mk.rtf_escape(BODY[2]) + r"\par}"
    )
    path = tmp_path / "styled.rtf"
    path.write_bytes(source.encode("ascii"))
    draft = inspect_file(path)
    assert draft.title == QUESTION
    assert kinds(draft) == {"Introduction": "heading", BODY[0]: "body", heading: "heading", BODY[1]: "body",
                            "Germany will be squeezed until the pips squeak.": "quote",
                            "Conclusion": "heading", BODY[2]: "body"}


def test_rtf_stylesheet_names_only_paragraph_styles():
    from rubric.importing.rtf import stylesheet_hints

    assert stylesheet_hints(_STYLESHEET[len(r"{\stylesheet"):-1]) == {
        "1": "heading", "2": "heading", "15": "title", "16": "quote"}


def test_rtf_footnotes_are_read_as_notes_with_their_marks_in_the_text(tmp_path):
    """Word writes a footnote as ``{\\footnote …}`` where its mark stands (striprtf drops
    it): the mark becomes its number, as in a .docx, and the note is read at the end,
    numbered, its paragraphs joined; a note in hidden text is not read."""
    source = (
        r"{\rtf1\ansi\ansicpg1252\deff0" + _FONTS
        + r"{\stylesheet{\s0 Normal;}{\s15 footnote text;}{\*\cs16 \super footnote reference;}}"
        + r"\pard\plain\f0 " + QUESTION + r"\par "
        + r"\pard\plain\f0 " + mk.rtf_escape(BODY[0]) + r" as Evans shows.{\cs16\super \chftn {\footnote \pard\plain \s15 "
        + r"{\cs16\super \chftn } R. J. Evans, {\i The Coming of the Third Reich} (London, 2003), p. 12.}}"
        + r" The army blamed the politicians.\par "
        + r"\pard\plain\f0 Hyperinflation ruined savers.{\cs16\super \chftn {\footnote \pard\plain \s15 {\cs16\super \chftn }"
        + r" I. Kershaw, {\i Hitler, 1889\endash 1936: Hubris} (London, 1998), pp. 231\endash 5.\par See also Peukert.}}"
        + r"{\v  hidden{\footnote a hidden note}} It discredited the republic.\par "
        + r"\pard\plain\f0 " + mk.rtf_escape(BODY[1]) + r"\par}"
    )
    path = tmp_path / "4023_Okafor_Daniel.rtf"
    path.write_bytes(source.encode("ascii"))
    draft = inspect_file(path)
    assert texts(draft, "body") == [BODY[0] + " as Evans shows.[1] The army blamed the politicians.",
                                    "Hyperinflation ruined savers.[2] It discredited the republic.", BODY[1]]
    assert texts(draft, "footnote") == [
        "[1] R. J. Evans, The Coming of the Third Reich (London, 2003), p. 12.",
        "[2] I. Kershaw, Hitler, 1889–1936: Hubris (London, 1998), pp. 231–5. See also Peukert."]
    assert draft.coursework_word_count < draft.word_count  # notes are not coursework


@pytest.mark.parametrize("kind", ["text-template", "text-web", "text-master"])
def test_writer_templates_web_pages_and_master_documents_are_read_as_odt(tmp_path, kind):
    """A student who saved the essay as a template (.ott), or from Writer/Web, still has
    a text document: it is read, not refused as "not a text document"."""
    path = essay_odt(tmp_path / "4017_Khan_Amira.odt")
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["mimetype"] = f"application/vnd.oasis.opendocument.{kind}".encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    draft = inspect_file(path)
    assert draft.title == QUESTION and texts(draft) == BODY
