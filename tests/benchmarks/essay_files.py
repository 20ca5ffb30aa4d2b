"""Script files that look like a real class set, for the import and export benchmarks.

* The text: A-level essay prose with curly quotes, dashes and accents
  (:func:`tests.core.pdfcorpus.essay_text`), a question in curly quotes, headings and an
  indented quotation.
* The files: one **class template** (a school's Word template made with python-docx: its
  full styles part with latent styles, theme, settings, a header with the school's name
  and a footer with a page field, and the school's own paragraph styles), and each
  student's ``word/document.xml`` written the way Word writes it: paragraphs with
  ``w:rsid`` attributes and spacing, text split into several runs (editing sessions,
  italic names), ``w:proofErr`` marks, a bookmark, the Title/Heading/Quote styles. Every
  file of the class shares the template's parts, as a real class set does.
"""

from __future__ import annotations

import io
import random
import zipfile
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from tests.core import pdfcorpus as pc

QUESTION = pc.QUESTION
SCHOOL = "Hillcrest Académie — History Department"


@lru_cache(maxsize=1)
def class_template() -> tuple[dict[str, bytes], str]:
    """The parts of the school's template (every part but ``word/document.xml``) and the
    ``w:sectPr`` of its document (page, header and footer references)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    document = docx.Document()
    styles = document.styles
    body = styles.add_style("Essay Body", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = styles["Normal"]
    body.font.name = "Georgia"
    body.font.size = Pt(12)
    body.paragraph_format.space_after = Pt(8)
    question = styles.add_style("Question", WD_STYLE_TYPE.PARAGRAPH)
    question.base_style = styles["Normal"]
    question.font.bold = True
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{SCHOOL} · Year 13 · Mock examination 2025–26"
    footer = section.footer.paragraphs[0]
    footer.text = "Candidate work — page "
    document.add_paragraph("placeholder", style="Essay Body")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zipped:
        parts = {name: zipped.read(name) for name in zipped.namelist()}
    document_xml = parts.pop("word/document.xml").decode()
    sect_pr = document_xml[document_xml.index("<w:sectPr"):document_xml.index("</w:body>")]
    return parts, sect_pr


W_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14"')


def _rsid(rng: random.Random) -> str:
    return f"{rng.randrange(16 ** 8):08X}"


def _runs(text: str, rng: random.Random) -> str:
    """The paragraph's text as Word leaves it after a few editing sessions: several runs,
    some italic, the odd proofing mark."""
    words = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        step = rng.randint(4, 22)
        chunk = " ".join(words[i:i + step]) + (" " if i + step < len(words) else "")
        i += step
        props = '<w:rFonts w:cs="Times New Roman"/><w:lang w:val="en-GB"/>'
        if rng.random() < 0.12:
            props = "<w:i/><w:iCs/>" + props
        if rng.random() < 0.08:
            out.append('<w:proofErr w:type="spellStart"/>')
        out.append(f'<w:r w:rsidRPr="{_rsid(rng)}"><w:rPr>{props}</w:rPr>'
                   f'<w:t xml:space="preserve">{escape(chunk)}</w:t></w:r>')
        if rng.random() < 0.08:
            out.append('<w:proofErr w:type="spellEnd"/>')
    return "".join(out)


def _paragraph(text: str, rng: random.Random, style: str | None = None, extra: str = "") -> str:
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    ppr += '<w:spacing w:after="160" w:line="360" w:lineRule="auto"/><w:jc w:val="both"/>'
    return (f'<w:p w:rsidR="{_rsid(rng)}" w:rsidRDefault="{_rsid(rng)}" w:rsidP="{_rsid(rng)}">'
            f"<w:pPr>{ppr}</w:pPr>{extra}{_runs(text, rng)}</w:p>")


def essay_document_xml(n: int, words: int = 1500) -> tuple[bytes, list[str]]:
    """``word/document.xml`` of student ``n`` and its paragraphs' text."""
    rng = random.Random(n)
    texts = [QUESTION, f"Candidate: Zoë O’Brien-{n} ({5000 + n})"]
    body = [_paragraph(QUESTION, rng, "Question"),
            _paragraph(texts[1], rng, extra='<w:bookmarkStart w:id="0" w:name="_GoBack"/>'
                       '<w:bookmarkEnd w:id="0"/>')]
    paragraphs = pc.essay_text(words, seed=n)
    for index, text in enumerate(paragraphs):
        if index == len(paragraphs) // 2:
            heading = "Counter-argument: the Depression’s rôle"
            texts.append(heading)
            body.append(_paragraph(heading, rng, "Heading1"))
        if index == 1:
            quote = "“The Republic was a democracy without democrats” — a historian’s verdict."
            texts.append(quote)
            body.append(_paragraph(quote, rng, "Quote"))
        texts.append(text)
        body.append(_paragraph(text, rng, "EssayBody"))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f"<w:document {W_NS}><w:body>{''.join(body)}"
           f"{class_template()[1]}</w:body></w:document>")
    return xml.encode("utf-8"), texts


def write_class_set(folder: Path, count: int, words: int = 1500, start: int = 0) -> list[Path]:
    """``count`` student files sharing the class template (students ``start``…), named as
    a teacher's download from a VLE names them."""
    folder.mkdir(parents=True, exist_ok=True)
    parts, _ = class_template()
    paths = []
    for n in range(start, start + count):
        document, _ = essay_document_xml(n, words)
        path = folder / f"{5000 + n}_OBrien_Zoe_{n}.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr("[Content_Types].xml", parts["[Content_Types].xml"])
            for name, data in parts.items():
                if name != "[Content_Types].xml":
                    zipped.writestr(name, data)
            zipped.writestr("word/document.xml", document)
        paths.append(path)
    return paths


#: The floor of import: a fresh Python process reads every file's paragraph text with
#: zipfile and lxml, nothing else (argv: the files).
FLOOR_READER = r"""
import sys, zipfile
from lxml import etree
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P, T = W + "p", W + "t"
words = 0
for name in sys.argv[1:]:
    with zipfile.ZipFile(name) as zipped:
        root = etree.fromstring(zipped.read("word/document.xml"))
    for p in root.iter(P):
        text = "".join(t.text or "" for t in p.iter(T))
        words += len(text.split())
print(words)
"""
