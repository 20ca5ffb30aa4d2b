"""What the importer understood of one file: a :class:`ScriptDraft`, before it joins a set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rubric.record import factory, record

#: Paragraph kinds. Only ``body``, ``quote`` and ``table`` count towards the coursework word
#: count. ``table`` is one table row (cells joined by " | "); ``front_matter`` is a cover
#: page (an AI-use statement, an authentication declaration, a contents page): kept and
#: shown, never counted as coursework.
PARAGRAPH_KINDS = ("body", "quote", "heading", "footnote", "reference", "appendix", "table", "front_matter")
#: The kinds that count towards the coursework word count (the NEA rule).
COURSEWORK_KINDS = ("body", "quote", "table")


@record
class Paragraph:
    text: str
    kind: str = "body"


@record
class ScriptWarning:
    """A problem worth the marker's attention; ``code`` is stable, ``message`` is for people."""

    code: str  # duplicate_passage | over_word_limit | empty | near_empty | no_text_layer | ...
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@record
class ImportOptions:
    #: How candidate number and name are read from a file name; see rubric.importing.names.
    name_pattern: str = "{number}_{surname}_{forename}"
    max_bytes: int = 25 * 1024 * 1024
    word_limit: int | None = None
    #: Wall-clock limit for parsing one file (PDFs are parsed in a limited child process).
    time_limit: float = 10.0
    memory_limit_mb: int = 300


@record(frozen=False)
class ScriptDraft:
    """One script as read from its file. ``text`` joins paragraphs with ``\\n``; annotation
    offsets index that text."""

    path: Path
    format: str
    paragraphs: list[Paragraph]
    title: str = ""
    candidate_name: str = ""
    candidate_number: str = ""
    word_count: int = 0
    coursework_word_count: int = 0
    warnings: list[ScriptWarning] = factory(list)
    has_text: bool = True
    page_count: int | None = None
    source_bytes: bytes = b""

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def source_hash(self) -> str:
        import hashlib  # here: loading OpenSSL's hashes costs start-up time

        return hashlib.sha256(self.source_bytes).hexdigest()

    @property
    def candidate(self) -> str:
        """Display form: 'Jane Smith (1234)', 'Jane Smith', '1234', or ''."""
        if self.candidate_name and self.candidate_number:
            return f"{self.candidate_name} ({self.candidate_number})"
        return self.candidate_name or self.candidate_number

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "format": self.format,
            "title": self.title,
            "candidate": self.candidate,
            "candidate_name": self.candidate_name,
            "candidate_number": self.candidate_number,
            "paragraphs": [p.text for p in self.paragraphs],
            "paragraph_kinds": [p.kind for p in self.paragraphs],
            "word_count": self.word_count,
            "coursework_word_count": self.coursework_word_count,
            "warnings": [w.message for w in self.warnings],
            "warning_codes": [w.code for w in self.warnings],
            "has_text": self.has_text,
            "page_count": self.page_count,
        }
