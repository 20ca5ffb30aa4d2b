"""Candidate name and number from a file name, by a pattern the teacher sets.

A pattern is a file name (without its suffix) with fields in braces:

* ``{number}``  — the candidate number (digits);
* ``{surname}``, ``{forename}`` — parts of the name (letters, with ' ’ - or spaces inside);
* ``{name}``    — a whole name as written ("Jane Smith", "Jane_Smith");
* ``{initials}`` — "JS" or "J.S.";
* ``*``         — anything (e.g. ``{name}_{number}_*`` for VLE downloads).

Separators in the pattern (``_``, ``-``, space) each match a run of any of them, so
``1234_Smith_Jane``, ``1234-Smith-Jane`` and ``1234 Smith Jane`` all fit the default
``{number}_{surname}_{forename}``. Other characters must match literally. The whole
file name must match, apart from a trailing copy marker such as `` (1)``; a name that
does not match gives nothing. Names written all in capitals or all in lower case are
given capitals ("SMITH" → "Smith"); mixed case is kept ("McDonald").

A file name that fits the pattern only with words no one is called by gives nothing too:
"01 Russia essay.docx" or "2024_History_Coursework.docx" name an essay, not a student, so
the candidate line in the text decides (see ``NOT_NAMES``). A name saved in decomposed form
(macOS writes "Zoë" as "Zoe" and a combining diaeresis) is read as it is shown.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

FIELDS = ("number", "surname", "forename", "name", "initials")

_LETTERS = r"[^\W\d_]"
_NAME_PART = rf"{_LETTERS}+(?:[-'’ .]+{_LETTERS}+)*\.?"
_FIELD_RE = {
    "number": r"(?P<number>\d+)",
    "surname": rf"(?P<surname>{_NAME_PART})",
    "forename": rf"(?P<forename>{_NAME_PART})",
    "name": rf"(?P<name>{_LETTERS}+(?:[-'’ ._]+{_LETTERS}+)*)",
    "initials": r"(?P<initials>(?:[A-Za-z]\.?){1,4})",
}
_TOKEN = re.compile(r"\{(\w*)\}|\*|[ _-]+|[^{}*_ -]+|[{}]")
_DOCUMENT_SUFFIX = re.compile(r"\.(docx|docm|doc|pdf|txt|odt|rtf|pages|html?|md)$", re.I)
_COPY_MARKER = r"(?:\s*\(\d+\)|[ _-]+copy|[ _-]+\d{1,2})?"


def pattern_problems(pattern: str) -> list[str]:
    """Problems that make ``pattern`` unusable (empty list when it is fine)."""
    problems = []
    fields = re.findall(r"\{(\w*)\}", pattern)
    for field in fields:
        if field not in FIELDS:
            problems.append(f"unknown field {{{field}}} (use {', '.join('{' + f + '}' for f in FIELDS)})")
    for field in set(fields):
        if fields.count(field) > 1:
            problems.append(f"field {{{field}}} appears twice")
    stripped = re.sub(r"\{\w*\}", "", pattern)
    if "{" in stripped or "}" in stripped:
        problems.append("unbalanced braces")
    if not fields:
        problems.append("the pattern has no fields")
    return problems


@lru_cache(maxsize=32)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression for a file-name pattern; ValueError when it is invalid."""
    problems = pattern_problems(pattern)
    if problems:
        raise ValueError(f"file-name pattern {pattern!r}: " + "; ".join(problems))
    parts: list[str] = []
    for match in _TOKEN.finditer(pattern):
        token = match.group()
        if match.group(1) is not None:
            parts.append(_FIELD_RE[match.group(1)])
        elif token == "*":
            parts.append(".*?")
        elif token.strip(" _-") == "":
            parts.append(r"[ _-]+")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts) + _COPY_MARKER, re.IGNORECASE)


#: Words of a file name that say what it is (the work, the subject, its topic), never
#: whose: a name field holding one of them is no name. Words that are also surnames or
#: forenames (English, French, Stuart, Tudor, Mao) are not among them.
NOT_NAMES = frozenset("""
essay essays coursework nea assignment homework draft drafts final version revised edited
edit mock mocks exam exams test paper question questions answer answers response submission
submitted task plan notes copy document doc untitled feedback marked unit topic year term
source sources analysis investigation project report history historical economics sociology
geography philosophy religion government russia russian germany weimar nazi nazis tudors
stuarts britain british america american usa soviet ussr cold war wars revolution empire
civil rights reform reforms crusades medieval victorian industrial versailles tsar tsarist
tsars stalin hitler lenin mussolini communism fascism democracy
""".split())


def _capitalise(name: str) -> str:
    letters = [c for c in name if c.isalpha()]
    if not letters or not (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
        return name
    return re.sub(_LETTERS + "+", lambda m: m.group()[0].upper() + m.group()[1:].lower(), name)


def _tidy(part: str | None) -> str:
    if not part:
        return ""
    return _capitalise(re.sub(r"[ _]+", " ", part).strip(" -"))


def candidate_from_filename(name: str, pattern: str) -> tuple[str, str]:
    """``(candidate name, candidate number)`` read from a file name; ``("", "")`` when
    it does not match. Raises ValueError for an invalid pattern.

    >>> candidate_from_filename("1234_Smith_Jane.docx", "{number}_{surname}_{forename}")
    ('Jane Smith', '1234')
    """
    regex = compile_pattern(pattern)
    stem = unicodedata.normalize("NFC", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = _DOCUMENT_SUFFIX.sub("", stem).strip()
    match = regex.fullmatch(stem)
    if not match:
        return "", ""
    fields = match.groupdict()
    named = " ".join(fields.get(f) or "" for f in ("forename", "surname", "name"))
    if any(word.lower() in NOT_NAMES for word in re.findall(_LETTERS + "+", named)):
        return "", ""
    forename = _tidy(fields.get("forename"))
    surname = _tidy(fields.get("surname"))
    if forename or surname:
        full = " ".join(part for part in (forename, surname) if part)
    elif fields.get("name"):
        full = _tidy(fields["name"])
    else:
        initials = fields.get("initials") or ""
        full = initials.upper() if initials.isalpha() else initials
    return full, fields.get("number") or ""
