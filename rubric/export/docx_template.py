"""A small Word template of our own, built once per process, for every document we write.

python-docx's default template carries ~160 styles (350 KB) and a 440 KB
``stylesWithEffects`` part that are parsed, copied and compressed for every document. Ours
holds only the styles the exports use, with the fonts, sizes and colours of the house look,
an A4 page with 2 cm margins and a footer ("set name … Page n of m").
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import cache

#: Colours (hex RGB) shared by the Word exports.
NAVY = "1F3864"
BLUE = "2F5496"
GREY_TEXT = "595959"
HEADER_FILL = "DEEAF6"  # light blue: table header rows
AWARDED_FILL = "E2EFDA"  # light green: the awarded level
BORDER = "BFBFBF"
FONT = "Calibri"

#: A4 page, 2 cm margins; text width in twentieths of a point (twips).
PAGE_WIDTH = 11906
PAGE_HEIGHT = 16838
MARGIN = 1134
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG_REL}">
<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

_DOCUMENT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG_REL}">
<Relationship Id="rId1" Type="{_DOC_REL}/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="{_DOC_REL}/settings" Target="settings.xml"/>
<Relationship Id="rId3" Type="{_DOC_REL}/footer" Target="footer1.xml"/>
</Relationships>"""

_CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title></dc:title><dc:creator>Essay Marker</dc:creator><cp:lastModifiedBy>Essay Marker</cp:lastModifiedBy>
</cp:coreProperties>"""

_DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{_W}" xmlns:r="{_R}"><w:body>
<w:sectPr><w:footerReference w:type="default" r:id="rId3"/>
<w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>
<w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" w:header="567" w:footer="567" w:gutter="0"/>
</w:sectPr></w:body></w:document>"""

_FOOTER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="{_W}" xmlns:r="{_R}"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>
<w:r><w:t xml:space="preserve"></w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Page </w:t></w:r>
<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>
<w:r><w:t xml:space="preserve"> of </w:t></w:r>
<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>"""

_SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{_W}"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>
<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>
</w:settings>"""


def _rpr(size: float | None = None, bold: bool = False, italic: bool = False,
         colour: str | None = None) -> str:
    parts = []
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if italic:
        parts.append("<w:i/><w:iCs/>")
    if colour:
        parts.append(f'<w:color w:val="{colour}"/>')
    if size:
        parts.append(f'<w:sz w:val="{int(size * 2)}"/><w:szCs w:val="{int(size * 2)}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _paragraph_style(style_id: str, name: str, ppr: str = "", rpr: str = "",
                     based_on: str | None = "Normal", next_style: str | None = None,
                     ui_priority: int = 10) -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    nxt = f'<w:next w:val="{next_style}"/>' if next_style else ""
    return (f'<w:style w:type="paragraph" w:customStyle="0" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>{based}{nxt}<w:uiPriority w:val="{ui_priority}"/>'
            f'<w:qFormat/>{f"<w:pPr>{ppr}</w:pPr>" if ppr else ""}{rpr}</w:style>')


def _heading(level: int, size: float, colour: str, before: int, after: int,
             border: bool = False) -> str:
    rule = ('<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="2" w:color="B4C6E7"/></w:pBdr>'
            if border else "")
    ppr = (f'<w:keepNext/><w:keepLines/>{rule}<w:spacing w:before="{before}" w:after="{after}"/>'
           f'<w:outlineLvl w:val="{level - 1}"/>')
    return _paragraph_style(f"Heading{level}", f"heading {level}", ppr,
                            _rpr(size, bold=True, colour=colour), next_style="Normal",
                            ui_priority=9)


def _styles_xml() -> str:
    styles = [
        # Defaults: Calibri 11 pt, British English, a little space after each paragraph.
        f'<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" '
        f'w:eastAsia="{FONT}" w:cs="{FONT}"/><w:sz w:val="22"/><w:szCs w:val="22"/>'
        '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
        '</w:pPr></w:pPrDefault></w:docDefaults>',
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        '<w:qFormat/></w:style>',
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        '<w:unhideWhenUsed/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" '
        'w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        '</w:style>',
        _paragraph_style("Title", "Title", '<w:spacing w:before="0" w:after="40"/>',
                         _rpr(22, bold=True, colour=NAVY), next_style="Normal"),
        _paragraph_style("Subtitle", "Subtitle", '<w:spacing w:before="0" w:after="200"/>',
                         _rpr(11.5, colour=GREY_TEXT), next_style="Normal"),
        _heading(1, 14, NAVY, 320, 120, border=True),
        _heading(2, 12, BLUE, 220, 80),
        _heading(3, 11, "404040", 160, 60),
        _paragraph_style("Quote", "Quote",
                         '<w:spacing w:after="120"/><w:ind w:left="567" w:right="567"/>',
                         _rpr(italic=True, colour="404040")),
        _paragraph_style("Note", "Note", '<w:spacing w:after="80"/>',
                         _rpr(9, colour=GREY_TEXT)),
        _paragraph_style("ScriptText", "Script Text",
                         '<w:spacing w:after="160" w:line="300" w:lineRule="auto"/>'),
        _paragraph_style("TableText", "Table Text",
                         '<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
                         _rpr(10)),
        _paragraph_style("TableHeading", "Table Heading",
                         '<w:keepNext/><w:spacing w:before="40" w:after="40" w:line="240" '
                         'w:lineRule="auto"/>', _rpr(10, bold=True, colour=NAVY)),
        _paragraph_style("Total", "Total", '<w:spacing w:before="200" w:after="120"/>',
                         _rpr(12, bold=True, colour=NAVY)),
        _paragraph_style("Footer", "footer",
                         f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
                         '<w:spacing w:after="0"/>', _rpr(8.5, colour=GREY_TEXT),
                         ui_priority=99),
        _paragraph_style("CommentText", "annotation text", '<w:spacing w:after="60"/>',
                         _rpr(10), ui_priority=99),
        '<w:style w:type="character" w:styleId="CommentReference"><w:name w:val="annotation '
        'reference"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>'
        '<w:semiHidden/><w:unhideWhenUsed/><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>'
        '</w:style>',
        # Thin grey grid with roomy cell margins for every table we draw.
        '<w:style w:type="table" w:styleId="MarkingTable"><w:name w:val="Marking Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:pPr><w:spacing '
        'w:after="0"/></w:pPr><w:tblPr><w:tblBorders>'
        + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblCellMar><w:top w:w="43" w:type="dxa"/><w:left w:w="100" '
        'w:type="dxa"/><w:bottom w:w="43" w:type="dxa"/><w:right w:w="100" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr></w:style>',
        # No borders: for the label/value block at the top of a document.
        '<w:style w:type="table" w:styleId="PlainTable"><w:name w:val="Plain Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="60"/><w:pPr><w:spacing '
        'w:after="0"/></w:pPr><w:tblPr><w:tblCellMar><w:top w:w="20" w:type="dxa"/>'
        '<w:left w:w="0" w:type="dxa"/><w:bottom w:w="20" w:type="dxa"/><w:right w:w="100" '
        'w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
    ]
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{_W}">'
            + "".join(styles) + "</w:styles>")


_COMMENTS_TYPE = ('<Override PartName="/word/comments.xml" ContentType="application/'
                  'vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>')
_COMMENTS_REL = f'<Relationship Id="rId4" Type="{_DOC_REL}/comments" Target="comments.xml"/>'


@dataclass(frozen=True)
class TemplateParts:
    """The template's parts as text, for writing a document's package directly (see
    :mod:`rubric.export.docx_package`): the parts every document shares as they are, the
    others split where a document's own text goes."""

    shared: tuple[tuple[str, bytes], ...]  # (zip name, bytes): styles, settings
    content_types: tuple[bytes, bytes]  # without, with the comments part
    document_rels: tuple[bytes, bytes]  # without, with the comments part
    root_rels: bytes
    #: core.xml before and after the title; document.xml before and after the body;
    #: footer1.xml before and after the footer's text.
    core: tuple[str, str]
    document: tuple[str, str]
    footer: tuple[str, str]


def _split(text: str, marker: str) -> tuple[str, str]:
    head, found, tail = text.partition(marker)
    assert found, marker
    return head, tail


@cache
def template_parts() -> TemplateParts:
    """The template's parts as text, built once per process."""
    return TemplateParts(
        shared=(("word/styles.xml", _styles_xml().encode("utf-8")),
                ("word/settings.xml", _SETTINGS.encode("utf-8"))),
        content_types=(_CONTENT_TYPES.encode(), _CONTENT_TYPES.replace(
            "</Types>", _COMMENTS_TYPE + "\n</Types>").encode()),
        document_rels=(_DOCUMENT_RELS.encode(), _DOCUMENT_RELS.replace(
            "</Relationships>", _COMMENTS_REL + "\n</Relationships>").encode()),
        root_rels=_ROOT_RELS.encode(),
        core=_split(_CORE, "<dc:title></dc:title>"),
        document=_split(_DOCUMENT, "<w:body>\n<w:sectPr>"),
        footer=_split(_FOOTER, '<w:t xml:space="preserve"></w:t>'),
    )


@cache
def template_bytes() -> bytes:
    """The template .docx, built once per process."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("docProps/core.xml", _CORE)
        package.writestr("word/document.xml", _DOCUMENT)
        package.writestr("word/_rels/document.xml.rels", _DOCUMENT_RELS)
        package.writestr("word/styles.xml", _styles_xml())
        package.writestr("word/settings.xml", _SETTINGS)
        package.writestr("word/footer1.xml", _FOOTER)
    return buffer.getvalue()


def new_document():
    """A fresh python-docx ``Document`` from the template."""
    from docx import Document

    return Document(io.BytesIO(template_bytes()))
