"""``inspect_file``: one file in, one :class:`ScriptDraft` or one :class:`ImportFailure` out.

The real format is read from the bytes, not trusted from the suffix: a Word document
saved with a .txt or .odt name is read as Word (with a ``suffix_mismatch`` warning);
files that are not a supported format at all get a reason that says what they are.
"""

from __future__ import annotations

import re
from pathlib import Path

from rubric.errors import ImportFailure, UnsupportedFile
from rubric.importing.analysis import build_draft
from rubric.importing.base import Extracted
from rubric.importing.model import ImportOptions, ScriptDraft, ScriptWarning
from rubric.importing.safety import (
    describe_cfb,
    looks_like_html,
    open_zip,
    read_file_limited,
    sniff,
)

SUPPORTED_SUFFIXES = (".docx", ".pdf", ".txt", ".odt", ".rtf", ".doc")

_FORMAT_NAMES = {
    "docx": "a Word document (.docx)",
    "odt": "an OpenDocument text (.odt)",
    "pdf": "a PDF",
    "rtf": "an RTF document",
    "txt": "a plain-text file",
}
_NOT_FORMAT = {
    ".docx": "this is not a real Word document (.docx); it may be damaged or have the wrong name",
    # .doc is "supported" only so that an old Word file gets told what to do with it
    ".doc": "this is not a real Word document (.doc); it may be damaged or have the wrong name",
    ".odt": "this is not a real OpenDocument text (.odt); it may be damaged or have the wrong name",
    ".pdf": "this is not a real PDF; it may be damaged or have the wrong name",
    ".rtf": "this is not a real RTF document; it may be damaged or have the wrong name",
}


def _zip_kind(path: Path, data: bytes):
    """Open a zip and decide what Office/OpenDocument file it holds."""
    from rubric.importing.docx import main_document_part
    from rubric.importing.odt import ODT_MIMETYPE

    zipped = open_zip(path, data)
    if zipped.has("mimetype"):
        mimetype = zipped.read("mimetype", cap=256).decode("ascii", "replace").strip()
        if mimetype == ODT_MIMETYPE or mimetype.startswith(ODT_MIMETYPE + "-"):
            return "odt", zipped  # also a template (.ott), a web page or master document from Writer
        if "spreadsheet" in mimetype:
            raise ImportFailure(path, "this is a spreadsheet (OpenDocument .ods), not a text document")
        if "presentation" in mimetype:
            raise ImportFailure(path, "this is a presentation (OpenDocument .odp), not a text document")
        if mimetype.startswith("application/vnd.oasis.opendocument"):
            raise ImportFailure(path, "this OpenDocument file is not a text document (.odt)")
    if any(name.startswith("xl/") for name in zipped.names):
        raise ImportFailure(path, "this is an Excel workbook, not a Word document")
    if any(name.startswith("ppt/") for name in zipped.names):
        raise ImportFailure(path, "this is a PowerPoint presentation, not a Word document")
    if main_document_part(zipped) is not None:
        return "docx", zipped
    if zipped.has("content.xml") and zipped.has("META-INF/manifest.xml"):
        return "odt", zipped
    if zipped.has("[Content_Types].xml"):
        raise ImportFailure(path, "this is an Office file but not a Word document")
    raise ImportFailure(path, "this is a zip archive, not a Word document")


def _name_not_in_file_name(path: Path, options: ImportOptions) -> bool:
    """Whether the file name leaves the name or the number to the text (then a Word file's
    page header is read too: it may hold them)."""
    from rubric.importing.names import candidate_from_filename

    try:
        name, number = candidate_from_filename(path.name, options.name_pattern)
    except ValueError:
        return True
    return not (name and number)


def _extract(path: Path, data: bytes, suffix: str, options: ImportOptions) -> Extracted:
    container = sniff(data, suffix)
    if container == "cfb":
        raise ImportFailure(path, describe_cfb(data))
    if container == "zip":
        kind, zipped = _zip_kind(path, data)
        try:
            if kind == "odt":
                from rubric.importing.odt import read_odt

                return read_odt(path, zipped, page_header=_name_not_in_file_name(path, options))
            from rubric.importing.docx import read_docx

            return read_docx(path, zipped, page_header=_name_not_in_file_name(path, options))
        finally:
            zipped.zf.close()
    if container == "pdf":
        from rubric.importing.pdf import read_pdf

        return read_pdf(path, data, options)
    if container == "rtf":
        from rubric.importing.rtf import read_rtf

        return read_rtf(path, data, options, page_header=_name_not_in_file_name(path, options))
    # not a container we know: plain text if it is text, else say what was expected
    from rubric.importing.txt import read_txt

    if suffix != ".txt":
        if looks_like_html(data):
            raise ImportFailure(path, "this is a web page (HTML), not a document; open it in Word and save it as .docx")
        if data.startswith(b"PK"):
            raise ImportFailure(path, "the file is damaged (an incomplete zip archive); try saving or downloading it again")
        try:
            extracted = read_txt(path, data)
        except ImportFailure:
            raise ImportFailure(path, _NOT_FORMAT[suffix]) from None
        return extracted
    if looks_like_html(data):
        raise ImportFailure(path, "this is a web page (HTML), not a text file")
    return read_txt(path, data)


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    text = re.sub(r"\s+", " ", text.splitlines()[0]) if text else ""
    if len(text) > 80:
        text = text[:79] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def inspect_file(path: str | Path, options: ImportOptions = ImportOptions()) -> ScriptDraft:  # noqa: B008
    """Read one script file. Raises :class:`UnsupportedFile` for a suffix that is not
    in :data:`SUPPORTED_SUFFIXES` and :class:`ImportFailure` (one line, starting with the
    file name) for anything that cannot be read; no other exception escapes."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        what = f"{suffix} files" if suffix else "files without a suffix"
        raise UnsupportedFile(path, f"{what} are not supported (use .docx, .pdf, .txt, .odt or .rtf)")
    try:
        data = read_file_limited(path, options.max_bytes)
        extracted = _extract(path, data, suffix, options)
        draft = build_draft(path, data, extracted, options)
        if extracted.format != suffix.lstrip("."):
            draft.warnings.insert(
                0,
                ScriptWarning(
                    "suffix_mismatch",
                    f"the file is really {_FORMAT_NAMES.get(extracted.format, extracted.format)} although its name ends {suffix}",
                ),
            )
        return draft
    except ImportFailure:
        raise
    except MemoryError:
        raise ImportFailure(path, "ran out of memory while reading the file; it may be damaged") from None
    except RecursionError:
        raise ImportFailure(path, "the file is nested too deeply to read; it may be damaged") from None
    except Exception as exc:  # noqa: BLE001 - every other failure becomes a one-line reason
        raise ImportFailure(path, f"could not read the file ({_short(exc)})") from None
