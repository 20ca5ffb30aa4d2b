"""A Word document written as text: its body, comments and footer as WordprocessingML
strings, saved as a zip straight from the template's cached parts.

python-docx parses the template for every document, keeps every element as an object, and
serialises the whole tree again on saving; for a batch of feedback documents that was most
of the time. A :class:`WordPackage` keeps what a document adds (body XML, comment
elements, the footer's text, the title) as strings and writes the package in one pass:

* ``[Content_Types].xml``, ``_rels/.rels``, ``word/_rels/document.xml.rels``: the
  template's, with the comments part added when there are comments;
* ``word/styles.xml``, ``word/settings.xml``: the template's bytes, shared by every
  document;
* ``docProps/core.xml`` (the title), ``word/document.xml`` (the body before the section
  properties), ``word/footer1.xml`` (the footer's text), ``word/comments.xml`` (real Word
  comments, anchored in the body by ``w:commentRangeStart``/``End`` and a reference run).

Every part is the same XML python-docx wrote from the same template, and python-docx opens
the result (:meth:`WordPackage.document`). The zip is written here too (:func:`zip_bytes`):
the parts every document shares are compressed once per process, the others with one
``zlib`` call each.
"""

from __future__ import annotations

import datetime as _dt
import io
import struct
import time
import zlib
from functools import cache, lru_cache
from typing import BinaryIO
from xml.sax.saxutils import escape

from rubric.export.cells import clean_text
from rubric.export.docx_template import template_parts

_ATTR = {'"': "&quot;"}
_COMMENTS_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                  '2006/main">')
_REFERENCE_RUN = ('<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
                  '<w:commentReference w:id="{}"/></w:r>')


def text_runs_content(text: str) -> str:
    """What python-docx's ``run.text = text`` puts in a run: ``w:t`` pieces, a ``w:br``
    for each line break and a ``w:tab`` for each tab (``text`` already cleaned)."""
    if "\n" not in text and "\t" not in text:
        return f'<w:t xml:space="preserve">{escape(text)}</w:t>'
    pieces = []
    for index, line in enumerate(text.split("\n")):
        if index:
            pieces.append("<w:br/>")
        for t_index, chunk in enumerate(line.split("\t")):
            if t_index:
                pieces.append("<w:tab/>")
            if chunk:
                pieces.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return "".join(pieces) or '<w:t xml:space="preserve"></w:t>'


def comment_xml(number: int, text: str, author: str, initials: str, stamp: str) -> str:
    """One ``w:comment``: a paragraph per line of ``text`` (its tabs as ``w:tab``, which
    Word and LibreOffice keep; a raw tab in ``w:t`` is lost), the first with the
    annotation reference mark."""
    paragraphs = []
    for index, line in enumerate(clean_text(text).split("\n") or [""]):
        ref = ('<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
               "<w:annotationRef/></w:r>") if index == 0 else ""
        run = f"<w:r>{text_runs_content(line)}</w:r>" if line else ""
        paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>{ref}{run}</w:p>')
    return (f'<w:comment w:id="{number}" w:author="{escape(clean_text(author), _ATTR)}" '
            f'w:date="{stamp}" w:initials="{escape(clean_text(initials), _ATTR)}">'
            f"{''.join(paragraphs)}</w:comment>")


class WordPackage:
    """A .docx being written: append body XML (paragraphs, tables) with :meth:`append`,
    add comments with :meth:`add_comment`, set :attr:`footer` and :attr:`title`, then
    :meth:`save` it to a binary file (or :meth:`to_bytes`)."""

    def __init__(self) -> None:
        self.body: list[str] = []
        self.comments: list[str] = []
        self.footer = ""
        self.title = ""
        self._stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def append(self, xml: str) -> None:
        """Add body-level XML (``w:p`` or ``w:tbl`` elements, in the ``w`` namespace of the
        document, as the builders in :mod:`rubric.export.docx_xml` write them)."""
        self.body.append(xml)

    def add_comment(self, text: str, author: str, initials: str) -> int:
        """A new Word comment; returns its id, for the range marks in the body
        (:func:`comment_start`, :func:`comment_end`)."""
        number = len(self.comments)
        self.comments.append(comment_xml(number, text, author, initials, self._stamp))
        return number

    def parts(self) -> list[tuple[str, bytes]]:
        """``(zip name, bytes)`` of every part, in the order they are written."""
        template = template_parts()
        commented = bool(self.comments)
        core_head, core_tail = template.core
        document_head, document_tail = template.document
        footer_head, footer_tail = template.footer
        title = escape(clean_text(self.title))
        parts = [
            ("[Content_Types].xml", template.content_types[commented]),
            ("_rels/.rels", template.root_rels),
            ("docProps/core.xml",
             f"{core_head}<dc:title>{title}</dc:title>{core_tail}".encode()),
            ("word/document.xml",
             f"{document_head}<w:body>{''.join(self.body)}<w:sectPr>{document_tail}".encode()),
            ("word/_rels/document.xml.rels", template.document_rels[commented]),
            *template.shared,
            ("word/footer1.xml",
             f"{footer_head}{text_runs_content(clean_text(self.footer))}{footer_tail}".encode()),
        ]
        if commented:
            parts.append(("word/comments.xml",
                          f"{_COMMENTS_HEAD}{''.join(self.comments)}</w:comments>".encode()))
        return parts

    def to_bytes(self) -> bytes:
        """The .docx file's bytes."""
        return zip_bytes(self.parts())

    def save(self, target: BinaryIO) -> None:
        """Write the .docx to a binary file opened for writing."""
        target.write(self.to_bytes())

    def document(self):
        """The document as a python-docx ``Document`` (for callers that inspect it)."""
        from docx import Document

        return Document(io.BytesIO(self.to_bytes()))


def comment_start(number: int) -> str:
    return f'<w:commentRangeStart w:id="{number}"/>'


def comment_end(number: int) -> str:
    """The end of a comment's range and its reference mark (what Word shows in the margin)."""
    return f'<w:commentRangeEnd w:id="{number}"/>' + _REFERENCE_RUN.format(number)


# -- the zip -------------------------------------------------------------------------------

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DEFLATED = 8
_VERSION = 20  # 2.0: deflate


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data, 6, -15)  # a raw deflate stream, as zip holds it


@lru_cache(maxsize=64)
def _compressed(data: bytes) -> tuple[int, bytes]:
    """CRC-32 and deflated bytes of a part documents share (done once per process)."""
    return zlib.crc32(data), zlib.compress(data, 9, -15)


def _dos_time(when: float | None = None) -> tuple[int, int]:
    t = time.localtime(when)
    year = max(1980, t.tm_year)
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), \
        ((year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday


def zip_bytes(parts: list[tuple[str, bytes]], shared: frozenset[str] | None = None) -> bytes:
    """A zip archive (deflated entries, ASCII names) of ``parts`` in order. Parts whose
    bytes are the template's shared ones are compressed once per process."""
    if shared is None:
        shared = _shared_names()
    clock, day = _dos_time()
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data in parts:
        raw_name = name.encode("ascii")
        if name in shared:
            crc, packed = _compressed(data)
        else:
            crc, packed = zlib.crc32(data), _deflate(data)
        header = _LOCAL.pack(0x04034B50, _VERSION, 0, _DEFLATED, clock, day, crc,
                             len(packed), len(data), len(raw_name), 0)
        central.append(_CENTRAL.pack(0x02014B50, _VERSION, _VERSION, 0, _DEFLATED, clock, day,
                                     crc, len(packed), len(data), len(raw_name), 0, 0, 0, 0,
                                     0, offset) + raw_name)
        out += (header, raw_name, packed)
        offset += len(header) + len(raw_name) + len(packed)
    directory = b"".join(central)
    out.append(directory)
    out.append(_END.pack(0x06054B50, 0, 0, len(parts), len(parts), len(directory), offset, 0))
    return b"".join(out)


@cache
def _shared_names() -> frozenset[str]:
    template = template_parts()
    return frozenset(["[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
                      *(name for name, _ in template.shared)])
