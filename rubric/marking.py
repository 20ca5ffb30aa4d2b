"""The marking rules every layer needs, in one place (pure: no SQLite, no Qt).

The store, the exports, the markbook import, the CLI and the GUI all call these; none of
them re-implements a rule. A rule copied into a view handler or an exporter drifts (an
NEA set once showed 50/40 because three places summed marks of a removed criterion).

* :func:`check_mark` — does a mark (and/or level) fit a criterion; returns its level.
* :func:`parse_level` — a level as a person types it: ``4``, ``L4``, ``Level 4``.
* :func:`level_for_mark` — the level a mark belongs to.
* :func:`mark_after_level_change` — what choosing a level does to the mark.
* :func:`misfit` — why a stored mark no longer fits an edited scheme.
* :func:`total`, :func:`percentage`, :func:`is_complete` — what a total counts: only the
  current scheme's criteria, only marks inside 0..maximum. Marks of a renamed or removed
  criterion stay stored and flagged for review, but are never summed.
* :func:`out_of_scheme` — plain-words warnings for marks that do not fit (exports).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from rubric.errors import MarkError
from rubric.scheme import Criterion, Level, Scheme


class MarkLike(Protocol):
    """Anything with a criterion name, a level label and a mark (store rows, exports)."""

    @property
    def criterion(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def mark(self) -> int | None: ...


_LEVEL_TEXT = re.compile(r"^\s*(?:l(?:evel|vl)?\.?\s*)?(\d{1,2})\s*$", re.I)


def find_criterion(scheme: Scheme, name: str) -> Criterion | None:
    """A criterion by name, exactly or ignoring case (``ao1`` is AO1)."""
    found = scheme.criterion(name)
    if found is not None:
        return found
    folded = name.strip().casefold()
    matches = [c for c in scheme.criteria if c.name.casefold() == folded]
    return matches[0] if len(matches) == 1 else None


def parse_level(criterion: Criterion, text: str) -> Level | None:
    """A level as typed: its exact label, or ``4``, ``L4``, ``Level 4``, ``level 4``
    meaning the level whose label carries that number (not the fourth in the list)."""
    exact = criterion.level(text)
    if exact is not None:
        return exact
    folded = text.strip().casefold()
    for level in criterion.levels:
        if level.label.casefold() == folded:
            return level
    match = _LEVEL_TEXT.match(text)
    if not match:
        return None
    number = int(match.group(1))
    for level in criterion.levels:
        if level_number(level) == number:
            return level
    return None


def level_number(level: Level) -> int | None:
    """The number in a level's label ("Level 4" → 4, "L0" → 0), or None."""
    found = re.search(r"(\d+)\s*$", level.label)
    return int(found.group(1)) if found else None


def level_for_mark(criterion: Criterion, mark: int) -> Level | None:
    return criterion.level_for_mark(mark)


def check_mark(criterion: Criterion, mark: int | None, level_label: str | None) -> str:
    """The label of the level ``mark`` belongs to; raises :class:`MarkError` (a message
    naming the criterion) when the mark or level does not fit."""
    level = None
    if level_label is not None:
        level = criterion.level(level_label) or parse_level(criterion, level_label)
        if level is None:
            labels = ", ".join(lv.label for lv in criterion.levels)
            raise MarkError(f"{criterion.name}: no level '{level_label}' (levels: {labels})")
    if mark is None:
        if level is None:
            raise MarkError(f"{criterion.name}: give a level or a mark")
        return level.label
    if isinstance(mark, bool) or not isinstance(mark, int):
        raise MarkError(f"{criterion.name}: a mark must be a whole number, not {mark!r}")
    if mark < 0:
        raise MarkError(f"{criterion.name}: {mark} is below 0")
    if mark > criterion.maximum:
        raise MarkError(f"{criterion.name}: {mark} is above the maximum of {criterion.maximum}")
    if level is not None:
        if not level.contains(mark):
            raise MarkError(f"{criterion.name}: {mark} is outside {level.label} ({level.range_text})")
        return level.label
    found = criterion.level_for_mark(mark)
    if found is None:
        raise MarkError(f"{criterion.name}: {mark} is in no level of the scheme")
    return found.label


def mark_after_level_change(level: Level, old_mark: int | None) -> int | None:
    """Choosing ``level``: the old mark is kept if it lies in the level; a single-mark
    level (such as Level 0) sets its mark; otherwise the mark waits to be placed."""
    if old_mark is not None and level.contains(old_mark):
        return old_mark
    if level.min_mark == level.max_mark:
        return level.min_mark
    return None


def misfit(scheme: Scheme, mark: MarkLike) -> str:
    """Why a stored mark does not fit ``scheme`` ('' when it fits)."""
    return _misfit(scheme, mark.criterion, mark.level, mark.mark)


def _misfit(scheme: Scheme, name: str, level_label: str | None, value: int | None) -> str:
    criterion = scheme.criterion(name)
    if criterion is None:
        return f"criterion {name} is no longer in the scheme"
    if value is not None and not _fits(criterion, value):
        return f"{name}: {value} is outside 0–{criterion.maximum}"
    if level_label is not None:
        level = criterion.level(level_label)
        if level is None:
            return f"{name}: {level_label} is no longer a level"
        if value is not None and not level.contains(value):
            return f"{name}: {value} is now outside {level_label} ({level.range_text})"
    return ""


def _fits(criterion: Criterion, value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= criterion.maximum


class _LevelAndMark(Protocol):
    @property
    def level(self) -> str | None: ...
    @property
    def mark(self) -> int | None: ...


Marks = Mapping[str, _LevelAndMark] | Iterable[MarkLike]


def _triples(marks: Marks) -> Iterable[tuple[str, str | None, int | None]]:
    """(criterion name, level, mark) from a mapping by criterion name or from mark rows."""
    if isinstance(marks, Mapping):
        return ((name, m.level, m.mark) for name, m in marks.items())
    return ((m.criterion, m.level, m.mark) for m in marks)


def total(scheme: Scheme, marks: Marks) -> int | None:
    """The sum of one marker's placed marks on one script, counting only the current
    scheme's criteria and only marks inside 0..maximum; None when none is placed."""
    counted = []
    for name, _level, value in _triples(marks):
        criterion = scheme.criterion(name)
        if criterion is not None and value is not None and _fits(criterion, value):
            counted.append(value)
    return sum(counted) if counted else None


def percentage(scheme: Scheme, total_mark: int | None) -> float | None:
    """``total_mark`` as a fraction of the scheme's total (0..1), or None."""
    if total_mark is None or not scheme.total:
        return None
    return total_mark / scheme.total


def is_complete(scheme: Scheme, marks: Mapping[str, _LevelAndMark]) -> bool:
    """Every current criterion has a placed mark that fits it."""
    for criterion in scheme.criteria:
        mark = marks.get(criterion.name)
        if mark is None or mark.mark is None or not _fits(criterion, mark.mark):
            return False
    return True


def out_of_scheme(scheme: Scheme, marks: Marks) -> list[str]:
    """Plain-words warnings for marks that are stored but do not fit the scheme (an export
    says so in its Warnings column; nothing out of range is exported silently)."""
    warnings = []
    for name, level_label, value in _triples(marks):
        reason = _misfit(scheme, name, level_label, value)
        if not reason:
            continue
        criterion = scheme.criterion(name)
        if criterion is None or (value is not None and not _fits(criterion, value)):
            reason += " (not counted in the total)"
        warnings.append(reason)
    return warnings


def level_for_typed_mark(criterion: Criterion, current_level: str | None, mark: int) -> str | None:
    """The level to record with a typed mark: the chosen level when it still exists and
    the mark lies in it; otherwise None, so the mark goes to its own level (a level that a
    scheme edit removed is never looked up)."""
    if current_level is None:
        return None
    level = criterion.level(current_level)
    if level is None or not level.contains(mark):
        return None
    return current_level
