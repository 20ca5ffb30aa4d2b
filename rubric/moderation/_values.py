"""Shared plumbing of the moderation statistics: reading plain marks, the default tolerance,
the order of script keys. Pure Python (no SQLite, no Qt)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from rubric.errors import EssayMarkerError

Key: TypeAlias = Hashable
#: One marker's marks: ``{script key: mark or None}``, or a list (the key is the position).
Marks: TypeAlias = Mapping[Any, "int | None"] | Sequence["int | None"]


class ModerationError(EssayMarkerError, ValueError):
    """Marks that the statistics cannot use (a mark off the scale, an unknown rule…)."""


class AdjustmentRefused(ModerationError):
    """No adjustment line can be proposed; ``str(error)`` says why in plain words."""


def default_tolerance(maximum: int) -> int:
    """3 marks on 25, scaled by the maximum and rounded half up: 2 on 20, 4 on 30, 5 on 40."""
    check_maximum(maximum)
    return math.floor(3 * maximum / 25 + 0.5)


def check_maximum(maximum: int) -> int:
    if isinstance(maximum, bool) or not isinstance(maximum, int) or maximum < 1:
        raise ModerationError(f"the maximum mark must be a whole number of at least 1, "
                              f"not {maximum!r}")
    return maximum


def resolve_tolerance(maximum: int, tolerance: float | None) -> float:
    if tolerance is None:
        return default_tolerance(maximum)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0 \
            or math.isnan(tolerance):
        raise ModerationError(f"the tolerance must be a number of marks of 0 or more, "
                              f"not {tolerance!r}")
    return tolerance


def as_mapping(marks: Marks) -> dict[Any, int | None]:
    """A marker's marks as ``{key: mark or None}`` (a list's keys are its positions)."""
    if isinstance(marks, Mapping):
        return dict(marks)
    if isinstance(marks, str | bytes):
        raise ModerationError("marks must be a mapping or a list of marks, not text")
    return dict(enumerate(marks))


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def checked_mark(value: object, maximum: int | None, who: str, key: object) -> int:
    """A whole mark in 0..maximum, or a :class:`ModerationError` naming the script."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ModerationError(f"{who}'s mark for script {key!r} is {value!r}: "
                                  "marks must be whole numbers")
    if value < 0 or (maximum is not None and value > maximum):
        top = "" if maximum is None else f"..{maximum}"
        raise ModerationError(f"{who}'s mark for script {key!r} is {value}, "
                              f"outside the scale 0{top}")
    return value


def present(marks: Marks, maximum: int | None, who: str) -> dict[Any, int]:
    """The scripts a marker has marked (missing marks dropped), each mark checked."""
    return {key: checked_mark(value, maximum, who, key)
            for key, value in as_mapping(marks).items() if not is_missing(value)}


def sort_keys(keys: Iterable[Any]) -> list[Any]:
    """Keys in their natural order (ints as numbers, text as text); mixed kinds by repr."""
    keys = list(keys)
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=lambda k: (type(k).__name__, repr(k)))


def key_rank(keys: Iterable[Any]) -> dict[Any, int]:
    """Each key's position in :func:`sort_keys` order (a deterministic tie-break)."""
    return {key: n for n, key in enumerate(sort_keys(keys))}


def json_key(key: Any) -> Any:
    return key if isinstance(key, str | int) and not isinstance(key, bool) else str(key)


def json_number(value: float | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return float(value)
