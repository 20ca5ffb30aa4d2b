"""Plain records returned by a marking set, and the "what changed" object of every mutation."""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePath
from typing import Any

from rubric.ids import AnnotationId, BankCommentId, MarkerId, MarkId, ScriptId
from rubric.importing.model import Paragraph, ScriptWarning
from rubric.record import record


class Role(StrEnum):
    """Who a marker is in the marking of a set (stored as its value)."""

    TEACHER = "teacher"
    SECOND = "second"
    MODERATOR = "moderator"


class Status(StrEnum):
    """How far a script's marking has got."""

    UNMARKED = "unmarked"
    IN_PROGRESS = "in progress"
    MARKED = "marked"
    MODERATED = "moderated"


ROLES = tuple(Role)
STATUSES = tuple(Status)
COMMENT_KINDS = ("www", "ebi", "general", "annotation")


def display_name(candidate_name: str, file_name: str) -> str:
    """How a script is named wherever it is shown or exported: the candidate's name, else
    its file name without the suffix ("4017_essay"), never a made-up "Script 3"."""
    name = candidate_name.strip()
    if name:
        return name
    return PurePath(file_name.replace("\\", "/")).stem or file_name or "unnamed script"


def initials_of(name: str) -> str:
    """A marker's initials from their name: "Priya Patel" → "PP", "Anne-Marie Ng" → "AMN"
    (at most four letters; "?" for no name)."""
    parts = [p for p in name.replace("-", " ").split() if p]
    return "".join(p[0].upper() for p in parts)[:4] or "?"


def candidate_label(candidate_name: str, candidate_number: str, file_name: str) -> str:
    """The display name with the candidate number: 'Jane Smith (1234)', 'Jane Smith',
    '4017_essay (4017)' or '4017_essay'."""
    name = display_name(candidate_name, file_name)
    number = candidate_number.strip()
    return f"{name} ({number})" if number and number != name else name


@record
class Changes:
    """What a mutating call changed, so views refresh only that.

    ``created`` is the id of a new object (annotation, script, bank comment, marker) if any.
    """

    scripts: frozenset[ScriptId] = frozenset()
    marks: bool = False
    annotations: bool = False
    comments: bool = False
    status: bool = False
    scheme: bool = False
    bank: bool = False
    markers: bool = False
    script_list: bool = False
    created: int | None = None

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            scripts=self.scripts | other.scripts,
            marks=self.marks or other.marks,
            annotations=self.annotations or other.annotations,
            comments=self.comments or other.comments,
            status=self.status or other.status,
            scheme=self.scheme or other.scheme,
            bank=self.bank or other.bank,
            markers=self.markers or other.markers,
            script_list=self.script_list or other.script_list,
            created=other.created if other.created is not None else self.created,
        )

    @property
    def nothing(self) -> bool:
        return self == Changes()


@record
class Marker:
    id: MarkerId
    name: str
    initials: str
    role: Role


@record
class Mark:
    id: MarkId
    script_id: ScriptId
    criterion: str
    marker_id: MarkerId
    level: str | None
    mark: int | None
    needs_review: bool
    review_reason: str
    updated_at: str


@record
class Annotation:
    id: AnnotationId
    script_id: ScriptId
    marker_id: MarkerId
    start: int
    end: int
    quote: str
    comment: str
    criterion: str | None
    created_at: str = ""
    #: The passage could not be found when the script's file was replaced: the comment is
    #: kept but not anchored (not highlighted, not exported as a Word comment).
    lost: bool = False


@record
class OverallComment:
    script_id: ScriptId
    marker_id: MarkerId
    www: str = ""
    ebi: str = ""
    general: str = ""

    @property
    def empty(self) -> bool:
        return not (self.www.strip() or self.ebi.strip() or self.general.strip())


@record
class BankComment:
    id: BankCommentId
    kind: str
    criterion: str | None
    level: str | None
    text: str
    shortcut: str | None
    uses: int = 0


@record
class ScriptSummary:
    """A row of the script list: everything but the text."""

    id: ScriptId
    position: int
    candidate_name: str
    candidate_number: str
    title: str
    file_name: str
    format: str
    word_count: int
    coursework_word_count: int
    warnings: tuple[ScriptWarning, ...]
    has_text: bool
    page_count: int | None
    completed: bool

    @property
    def display_name(self) -> str:
        """The candidate's name, else the file name without its suffix."""
        return display_name(self.candidate_name, self.file_name)

    @property
    def candidate(self) -> str:
        return candidate_label(self.candidate_name, self.candidate_number, self.file_name)


@record
class Script(ScriptSummary):
    paragraphs: tuple[Paragraph, ...] = ()
    source_hash: str = ""

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def paragraph_starts(self) -> list[int]:
        """Offset in ``text`` where each paragraph starts."""
        starts, offset = [], 0
        for paragraph in self.paragraphs:
            starts.append(offset)
            offset += len(paragraph.text) + 1
        return starts


@record
class MarkConflict:
    """A mark that does not fit a (new) scheme, and why."""

    mark: Mark
    reason: str


@record
class AuditEntry:
    id: int
    at: str
    marker_id: MarkerId | None
    action: str
    script_id: ScriptId | None
    entity_id: int | None
    old: Any
    new: Any
