"""File names for "one file per script" exports, made from a pattern such as
``{candidate}_{set}.docx``.

Fields: ``{candidate}`` (name and number, e.g. "Amira Khan (4017)"), ``{name}`` (candidate
name), ``{number}`` (candidate number), ``{set}`` (marking set name), ``{id}`` (the script's
id in the set). Names are made safe on Windows, macOS and Linux (no ``<>:"/\\|?*``, no
control characters, no trailing dots or spaces, no reserved names such as ``CON``), kept
short, and made unique within the batch (case-insensitively: "Smith.docx", "Smith (2).docx").
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping

from rubric.errors import PatternError
from rubric.export.cells import file_name_part

FIELDS = ("candidate", "name", "number", "set", "id")
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
MAX_STEM = 120
MAX_STEM_BYTES = 200
#: Bidirectional and zero-width controls: "Smith\u202excod.docx" would show as "Smithdocx.doc".
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def check_pattern(pattern: str) -> None:
    """Raise :class:`PatternError` unless ``pattern`` uses only the known fields."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise PatternError(f"file name pattern “{pattern}”: {exc}") from None
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in FIELDS or spec or conversion:
            known = " ".join("{" + f + "}" for f in FIELDS)
            raise PatternError(
                f"file name pattern “{pattern}”: unknown field {{{field}}} (use {known})")
    if not any(field for _, field, _, _ in parts if field):
        raise PatternError(
            f"file name pattern “{pattern}” has no field, so every file would get the same "
            "name (use {candidate}, {name}, {number} or {id})")


def _fit_bytes(text: str, limit: int) -> str:
    """The longest start of ``text`` whose UTF-8 form fits in ``limit`` bytes."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def safe_stem(text: str) -> str:
    """``text`` as a file name without extension, safe on every system: no bidi or
    zero-width controls (which can disguise an extension), no leading dot (a hidden
    file), and short enough in bytes for any file system (255-byte names) with room for
    " (12)" and the extension."""
    # composed (NFC): "Zoë" typed and "Zoë" pasted from a Mac (e + a combining mark) are
    # one name, so unique_names sees them as one (a Mac's disk would take them as one)
    stem = file_name_part(_UNSAFE.sub("_", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))))
    stem = _fit_bytes(stem[:MAX_STEM], MAX_STEM_BYTES).rstrip(" .")
    stem = stem.lstrip(" .")
    if not stem or stem.strip("._ ") == "":
        return ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return stem


def file_name(pattern: str, fields: Mapping[str, object], extension: str) -> str:
    """One file name from ``pattern``; ``extension`` (e.g. ``.docx``) is added if missing."""
    check_pattern(pattern)
    if pattern.lower().endswith(extension.lower()):
        pattern = pattern[: -len(extension)]
    values = {key: str(fields.get(key, "") or "") for key in FIELDS}
    stem = pattern.format(**values)
    # Separators left dangling by an empty field ("_13B" when there is no name) go too.
    stem = re.sub(r"_{2,}", "_", stem).strip("_- ")
    stem = safe_stem(stem)
    if not stem:
        stem = f"script {values['id']}".strip()
    return stem + extension


def unique_names(names: Iterable[str]) -> list[str]:
    """The same names, with " (2)", " (3)"… added where one repeats (ignoring case and
    Unicode composition, as Windows and macOS file systems do)."""
    seen: set[str] = set()
    result = []

    def key(name: str) -> str:
        return unicodedata.normalize("NFC", name).casefold()

    for name in names:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, number = name, 1
        while key(candidate) in seen:
            number += 1
            candidate = f"{stem} ({number})" + (f".{ext}" if ext else "")
        seen.add(key(candidate))
        result.append(candidate)
    return result
