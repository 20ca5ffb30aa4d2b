"""Everything an export needs, read from a marking set in one pass into plain values.

Exports read the set only here, in the calling process; documents are then built from these
plain (picklable) values, so worker processes never touch the SQLite file.

Whose marks an export shows for a script (:func:`shown_marker`): the marker asked for; else the
current marker if they have marked the script; else the first marker who has (teachers before
second markers before moderators). A merged markbook thus shows each teacher's own class.

Which scripts an export holds (:func:`exported_scripts`, the ``which`` of every export):
``"marked"``, the scripts whose status is marked or moderated (what the app and the CLI
export unless asked for all), or ``"all"``, every script in the set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rubric import marking
from rubric.ids import MarkerId, ScriptId
from rubric.scheme import Scheme
from rubric.store import MarkingSet
from rubric.store.records import (
    ROLES,
    Annotation,
    Mark,
    Marker,
    OverallComment,
    ScriptSummary,
    Status,
    candidate_label,
    display_name,
)


@dataclass(frozen=True)
class MarkData:
    level: str | None
    mark: int | None


@dataclass(frozen=True)
class AnnotationData:
    start: int
    end: int
    quote: str
    comment: str
    criterion: str | None
    author: str
    initials: str


@dataclass(frozen=True)
class ScriptFeedback:
    """One script's marks, comments, annotations and text, as plain values."""

    script_id: int
    set_name: str
    scheme: Scheme
    candidate_name: str
    candidate_number: str
    title: str
    word_count: int
    coursework_word_count: int
    paragraphs: tuple[tuple[str, str], ...]  # (text, kind)
    marker_name: str
    marker_initials: str
    marks: dict[str, MarkData] = field(default_factory=dict)
    www: str = ""
    ebi: str = ""
    general: str = ""
    annotations: tuple[AnnotationData, ...] = ()
    file_name: str = ""

    @property
    def display_name(self) -> str:
        """The candidate's name, else the script's file name without its suffix."""
        return display_name(self.candidate_name, self.file_name)

    @property
    def candidate(self) -> str:
        return candidate_label(self.candidate_name, self.candidate_number, self.file_name)

    @property
    def text(self) -> str:
        return "\n".join(text for text, _ in self.paragraphs)

    @property
    def total(self) -> int | None:
        return marking.total(self.scheme, self.marks)

    @property
    def complete(self) -> bool:
        return marking.is_complete(self.scheme, self.marks)

    @property
    def mark_warnings(self) -> list[str]:
        """Marks stored but not fitting the scheme (shown in an export's Warnings)."""
        return marking.out_of_scheme(self.scheme, self.marks)


Which = Literal["marked", "all"]
#: The choices of ``which``: the scripts marked (or moderated), or every script.
WHICH: tuple[str, ...] = ("marked", "all")
_MARKED = (Status.MARKED, Status.MODERATED)


def exported_scripts(scripts: Sequence[ScriptSummary], statuses: Mapping[ScriptId, str],
                     which: str = "all") -> list[ScriptSummary]:
    """The scripts an export holds, in order: ``"all"`` of them, or only those ``"marked"``
    (status marked or moderated)."""
    if which not in WHICH:
        raise ValueError(f"which must be one of {', '.join(WHICH)} (not {which!r})")
    if which == "all":
        return list(scripts)
    return [s for s in scripts if statuses.get(s.id) in _MARKED]


def _role_rank(marker: Marker) -> tuple[int, int]:
    role = ROLES.index(marker.role) if marker.role in ROLES else len(ROLES)
    return role, marker.id


class SetSnapshot:
    """The set's scripts, markers, marks, comments and annotations, read once.
    ``scripts`` are those the export holds (``which``: see :func:`exported_scripts`);
    ``left_out`` counts the set's other scripts."""

    def __init__(self, marking_set: MarkingSet, marker: MarkerId | None = None,
                 which: str = "all", listed: Callable[[SetSnapshot], Any] | None = None):
        """``listed``: called as soon as :attr:`scripts` are known, before the marks,
        comments and annotations are read (work on the scripts can start meanwhile); what
        it returns is kept as :attr:`started`."""
        self.name = marking_set.name
        self.scheme: Scheme = marking_set.scheme
        self.statuses: dict[ScriptId, str] = marking_set.statuses()
        every = marking_set.scripts()
        self.which = which
        self.scripts: list[ScriptSummary] = exported_scripts(every, self.statuses, which)
        self.left_out = len(every) - len(self.scripts)
        self.started = listed(self) if listed is not None else None
        try:
            self._read_marking(marking_set, marker)
        except BaseException:
            close = getattr(self.started, "close", None)
            if close is not None:   # what was started on the scripts is not wanted now
                close()
            raise

    def _read_marking(self, marking_set: MarkingSet, marker: MarkerId | None) -> None:
        self.markers: dict[MarkerId, Marker] = {m.id: m for m in marking_set.markers()}
        # A blind marker (asked for, or the current one) exports only their own rows.
        hidden = marking_set.hidden_markers(marker)
        self.marks: dict[tuple[ScriptId, MarkerId], dict[str, Mark]] = defaultdict(dict)
        for mark in marking_set.marks():
            if mark.marker_id not in hidden:
                self.marks[(mark.script_id, mark.marker_id)][mark.criterion] = mark
        self.comments: dict[tuple[ScriptId, MarkerId], OverallComment] = {
            (c.script_id, c.marker_id): c for c in marking_set.all_comments()
            if c.marker_id not in hidden
        }
        self.annotations: dict[ScriptId, list[Annotation]] = defaultdict(list)
        for annotation in marking_set.annotations():
            if annotation.marker_id not in hidden:
                self.annotations[annotation.script_id].append(annotation)
        self.requested = marker
        # The current marker, read without creating one (``current_marker`` adds a "Teacher"
        # when a set has no teacher yet, and an export must not write to the set).
        self.current: MarkerId | None = None
        if marker is None and any(m.role == "teacher" for m in self.markers.values()):
            self.current = marking_set.current_marker.id
        self._shown = {s.id: self._choose(s.id) for s in self.scripts}

    def _choose(self, script_id: ScriptId) -> Marker | None:
        if self.requested is not None:
            return self.markers.get(self.requested)
        marked = [m for m in self.markers.values() if (script_id, m.id) in self.marks]
        if self.current is not None and any(m.id == self.current for m in marked):
            return self.markers[self.current]
        if marked:
            return min(marked, key=_role_rank)
        if self.current is not None:
            return self.markers[self.current]
        return None

    def shown_marker(self, script_id: ScriptId) -> Marker | None:
        """Whose marks the export shows for this script (None: nobody has marked it)."""
        return self._shown.get(script_id)

    def shown_marks(self, script_id: ScriptId) -> dict[str, Mark]:
        marker = self.shown_marker(script_id)
        return {} if marker is None else self.marks.get((script_id, marker.id), {})

    def shown_total(self, script_id: ScriptId) -> int | None:
        return marking.total(self.scheme, self.shown_marks(script_id))

    def is_complete(self, script_id: ScriptId) -> bool:
        return marking.is_complete(self.scheme, self.shown_marks(script_id))

    def mark_warnings(self, script_id: ScriptId) -> list[str]:
        """Shown marks stored but not fitting the scheme (an export's Warnings column)."""
        return marking.out_of_scheme(self.scheme, self.shown_marks(script_id))

    def markers_with_marks(self) -> list[Marker]:
        """Markers who have marked at least one script, teachers first."""
        ids = {marker_id for _, marker_id in self.marks}
        return sorted((self.markers[i] for i in ids if i in self.markers), key=_role_rank)

    def feedback(self, marking_set: MarkingSet, script_id: ScriptId) -> ScriptFeedback:
        """The plain values of one script's feedback (reads the script's text)."""
        script = marking_set.script(script_id)
        marker = self.shown_marker(script_id)
        marks: dict[str, MarkData] = {}
        comment = OverallComment(script_id, MarkerId(0))
        annotations: list[AnnotationData] = []
        if marker is not None:
            marks = {name: MarkData(m.level, m.mark)
                     for name, m in self.marks.get((script_id, marker.id), {}).items()}
            comment = self.comments.get((script_id, marker.id), comment)
            for a in self.annotations.get(script_id, []):
                if a.marker_id != marker.id or a.lost:  # lost: its passage is not in the text
                    continue
                annotations.append(AnnotationData(a.start, a.end, a.quote, a.comment,
                                                  a.criterion, marker.name, marker.initials))
        return ScriptFeedback(
            script_id=int(script_id),
            set_name=self.name,
            scheme=self.scheme,
            candidate_name=script.candidate_name,
            candidate_number=script.candidate_number,
            title=script.title,
            word_count=script.word_count,
            coursework_word_count=script.coursework_word_count,
            paragraphs=tuple((p.text, p.kind) for p in script.paragraphs),
            marker_name=marker.name if marker else "",
            marker_initials=marker.initials if marker else "",
            marks=marks,
            www=comment.www,
            ebi=comment.ebi,
            general=comment.general,
            annotations=tuple(annotations),
            file_name=script.file_name,
        )
