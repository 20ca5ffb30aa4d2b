"""Small builders of WordprocessingML for the tables and paragraphs of our documents.

Paragraphs and tables are written as XML text (python-docx's cell-by-cell API costs several
milliseconds a table and offers no cell shading), for a
:class:`~rubric.export.docx_package.WordPackage` (the exports) or, through
:func:`append_xml`, a python-docx ``Document``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rubric.export.cells import clean_text
from rubric.export.docx_package import WordPackage, comment_xml, text_runs_content

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = f'xmlns:w="{W_NS}"'
_PSTYLE = re.compile(r'(<w:pStyle w:val="[^"]*"/>)(?!<w:keepNext/>)')


@dataclass(frozen=True)
class Text:
    """A run of text with simple formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    colour: str | None = None
    size: float | None = None


def run_xml(run: Text | str) -> str:
    if isinstance(run, str):  # plain text, the usual case (a script's runs)
        text = clean_text(run)
        return f"<w:r>{text_runs_content(text)}</w:r>" if text else "<w:r></w:r>"
    props = []
    if run.bold:
        props.append("<w:b/><w:bCs/>")
    if run.italic:
        props.append("<w:i/><w:iCs/>")
    if run.colour:
        props.append(f'<w:color w:val="{run.colour}"/>')
    if run.size:
        props.append(f'<w:sz w:val="{int(run.size * 2)}"/><w:szCs w:val="{int(run.size * 2)}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    text = clean_text(run.text)
    return f"<w:r>{rpr}{text_runs_content(text) if text else ''}</w:r>"


def paragraph_xml(runs: Sequence[Text | str] | Text | str, style: str | None = None,
                  align: str | None = None, keep_next: bool = False) -> str:
    if isinstance(runs, Text | str):
        runs = [runs]
    ppr = []
    if style:
        ppr.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        ppr.append("<w:keepNext/>")
    if align:
        ppr.append(f'<w:jc w:val="{align}"/>')
    ppr_xml = f"<w:pPr>{''.join(ppr)}</w:pPr>" if ppr else ""
    return f"<w:p>{ppr_xml}{''.join(run_xml(r) for r in runs)}</w:p>"


def text_paragraphs_xml(text: str, style: str | None = None, **run_format) -> str:
    """One paragraph per line of ``text`` (at least one, possibly empty)."""
    lines = clean_text(text).split("\n") or [""]
    return "".join(paragraph_xml([Text(line, **run_format)] if line else [], style)
                   for line in lines)


@dataclass(frozen=True)
class Cell:
    """A table cell: its paragraphs' XML, an optional fill, an optional bottom rule."""

    content: str
    fill: str | None = None
    span: int = 1
    rule: bool = False  # a bottom border only (signature lines)
    valign: str | None = None


def cell(text: str | Sequence[Text] | Text = "", style: str = "TableText",
         fill: str | None = None, **kwargs) -> Cell:
    if isinstance(text, str):
        content = text_paragraphs_xml(text, style)
    else:
        content = paragraph_xml(text, style)
    return Cell(content, fill=fill, **kwargs)


def _keep_with_next(content: str) -> str:
    """Give every paragraph of ``content`` "keep with next" (keeps table rows together)."""
    content = _PSTYLE.sub(r"\1<w:keepNext/>", content)
    content = content.replace("<w:p/>", "<w:p><w:pPr><w:keepNext/></w:pPr></w:p>")
    return content.replace("<w:p><w:r>", "<w:p><w:pPr><w:keepNext/></w:pPr><w:r>")


def table_xml(widths: Sequence[int], rows: Sequence[Sequence[Cell]], style: str = "MarkingTable",
              header_rows: int = 0, indent: int = 0, keep_together: bool = False) -> str:
    """A fixed-layout table; ``widths`` in twips; the first ``header_rows`` rows repeat on
    each page; no row splits across pages; ``keep_together`` keeps all rows on one page."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    parts = [
        f"<w:tbl><w:tblPr><w:tblStyle w:val=\"{style}\"/>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        + (f'<w:tblInd w:w="{indent}" w:type="dxa"/>' if indent else "")
        + '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0000" w:firstRow="0" '
        'w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    ]
    for index, row in enumerate(rows):
        trpr = "<w:cantSplit/>" + ("<w:tblHeader/>" if index < header_rows else "")
        parts.append(f"<w:tr><w:trPr>{trpr}</w:trPr>")
        column = 0
        for c in row:
            width = sum(widths[column:column + c.span])
            column += c.span
            tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
            if c.span > 1:
                tcpr.append(f'<w:gridSpan w:val="{c.span}"/>')
            if c.rule:
                tcpr.append('<w:tcBorders><w:top w:val="nil"/><w:left w:val="nil"/>'
                            '<w:bottom w:val="single" w:sz="6" w:space="0" w:color="808080"/>'
                            '<w:right w:val="nil"/></w:tcBorders>')
            if c.fill:
                tcpr.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{c.fill}"/>')
            if c.valign:
                tcpr.append(f'<w:vAlign w:val="{c.valign}"/>')
            content = c.content or "<w:p/>"
            if keep_together and index < len(rows) - 1:
                content = _keep_with_next(content)
            parts.append(f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr>{content}</w:tc>")
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


_SECT_PR = f"{{{W_NS}}}sectPr"


def append_xml(document, xml: str):
    """Append body-level XML (a table or a paragraph) to a :class:`WordPackage` (returns
    None), or to a python-docx ``Document`` before the section properties (returns the new
    element)."""
    if isinstance(document, WordPackage):
        document.append(xml)
        return None
    from docx.oxml import parse_xml

    element = parse_xml(xml if "xmlns:w=" in xml[:200] else _with_namespace(xml))
    body = document.element.body
    # The section properties are the body's last child. Looking only there keeps appending
    # linear: ``body.sectPr`` searches the children from the first, which made a script of
    # 20,000 paragraphs quadratic (6 s, and 41 s for 50,000).
    try:
        last = body[-1]  # lxml finds a negative index from the end; len() would count
    except IndexError:
        last = None
    if last is not None and last.tag == _SECT_PR:
        last.addprevious(element)
    else:
        body.append(element)
    return element


def _with_namespace(xml: str) -> str:
    # Put the namespace declaration on the root element of a fragment.
    end = xml.index(">")
    if xml[end - 1] == "/":
        end -= 1
    return xml[:end] + " " + _NS + xml[end:]


@dataclass(frozen=True)
class CommentAnchor:
    """A Word comment over the runs ``first``..``last`` (lxml ``w:r`` elements)."""

    first: object
    last: object
    text: str
    author: str
    initials: str


def add_comments(document, anchors: Sequence[CommentAnchor]) -> None:
    """Add real Word comments in one pass: the comment elements are written as XML text
    and parsed once, and the range marks are placed beside their runs. Linear in the
    number of comments (python-docx's ``add_comment`` looks up every existing id for each
    new one, which made 20,000 annotations take minutes)."""
    if not anchors:
        return
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    comments = document.part._comments_part.element
    used = [int(c.get(qn("w:id"))) for c in comments.findall(qn("w:comment"))]
    first_id = max(used, default=-1) + 1
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pieces = [f"<w:comments {_NS}>"]
    for number, anchor in enumerate(anchors, start=first_id):
        pieces.append(comment_xml(number, anchor.text, anchor.author, anchor.initials, stamp))
    pieces.append("</w:comments>")
    for element in list(parse_xml("".join(pieces))):
        comments.append(element)
    start_tag, end_tag, ref_tag = qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:commentReference")
    run_tag, rpr_tag, style_tag, id_attr = qn("w:r"), qn("w:rPr"), qn("w:rStyle"), qn("w:id")
    for number, anchor in enumerate(anchors, start=first_id):
        start = anchor.first.makeelement(start_tag, {id_attr: str(number)})
        anchor.first.addprevious(start)
        end = anchor.last.makeelement(end_tag, {id_attr: str(number)})
        reference = anchor.last.makeelement(run_tag, {})
        rpr = reference.makeelement(rpr_tag, {})
        rpr.append(rpr.makeelement(style_tag, {qn("w:val"): "CommentReference"}))
        reference.append(rpr)
        reference.append(reference.makeelement(ref_tag, {id_attr: str(number)}))
        anchor.last.addnext(reference)
        anchor.last.addnext(end)
