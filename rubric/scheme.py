"""Schemes (rubrics): the question, its criteria and their levels.

A scheme is an immutable value. Editing produces a new scheme (``rubric.record.replace``),
which a marking set stores as a new version. ``problems(scheme)`` lists every
located problem; ``Scheme.validated()`` raises :class:`SchemeError` when there is any.

The JSON file format carries a ``schema_version``; older versions are upgraded on load,
unknown keys are refused with a message that names them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rubric.errors import SchemeError
from rubric.record import factory, record, replace

SCHEME_FORMAT_VERSION = 2


@record
class Level:
    """A mark range inside a criterion with its descriptor (e.g. Level 4: 16–20)."""

    label: str
    min_mark: int
    max_mark: int
    descriptor: str = ""
    indicative: str = ""

    @property
    def range_text(self) -> str:
        if self.min_mark == self.max_mark:
            return str(self.min_mark)
        return f"{self.min_mark}–{self.max_mark}"

    def contains(self, mark: int) -> bool:
        return self.min_mark <= mark <= self.max_mark

    def position_of(self, mark: int) -> str:
        """'lower', 'middle' or 'upper' third of the level for ``mark`` (best fit)."""
        width = self.max_mark - self.min_mark + 1
        if width <= 1:
            return "middle"
        # Each mark stands for the unit cell [offset, offset + 1); place it by its centre so
        # that the thirds are symmetric (16–20: 16–17 lower, 18 middle, 19–20 upper).
        centre = mark - self.min_mark + 0.5
        third = width / 3
        if centre < third:
            return "lower"
        if centre > width - third:
            return "upper"
        return "middle"


@record
class Criterion:
    """One assessed strand with its own mark, e.g. AO1 out of 25."""

    name: str
    maximum: int
    levels: tuple[Level, ...]
    description: str = ""

    def level(self, label: str) -> Level | None:
        for level in self.levels:
            if level.label == label:
                return level
        return None

    def level_for_mark(self, mark: int) -> Level | None:
        for level in self.levels:
            if level.contains(mark):
                return level
        return None


@record
class Scheme:
    """The question, its criteria and their levels; ``total`` is the sum of criterion maxima."""

    id: str
    title: str
    question: str
    criteria: tuple[Criterion, ...]
    total: int
    subject: str = ""
    board: str = ""
    paper: str = ""
    word_limit: int | None = None
    guidance: str = ""
    extra: dict[str, Any] = factory(dict, compare=False)

    def criterion(self, name: str) -> Criterion | None:
        for criterion in self.criteria:
            if criterion.name == name:
                return criterion
        return None

    def validated(self, source: str | None = None) -> Scheme:
        found = problems(self)
        if found:
            raise SchemeError(found, source)
        return self

    # -- JSON ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema_version": SCHEME_FORMAT_VERSION,
            "id": self.id,
            "title": self.title,
            "subject": self.subject,
            "board": self.board,
            "paper": self.paper,
            "question": self.question,
            "total": self.total,
            "word_limit": self.word_limit,
            "guidance": self.guidance,
            "criteria": [
                {
                    "name": c.name,
                    "maximum": c.maximum,
                    "description": c.description,
                    "levels": [
                        {
                            "label": lv.label,
                            "min": lv.min_mark,
                            "max": lv.max_mark,
                            "descriptor": lv.descriptor,
                            "indicative": lv.indicative,
                        }
                        for lv in c.levels
                    ],
                }
                for c in self.criteria
            ],
        }
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def save(self, path: str | Path) -> None:
        from rubric.safe_write import write_text_atomically

        write_text_atomically(Path(path), self.to_json())


def _level_name(label: str) -> str:
    """'Level 4' stays as it is; a bare label '4' reads 'level 4'."""
    return label if label.lower().startswith("level") else f"level {label}"


@record
class SchemeProblem:
    """One problem of a scheme, located by position so that an editor can mark the row
    without reading the message: ``criterion`` and ``level`` are 0-based indexes (None
    when the problem belongs to the scheme or the whole criterion); ``str()`` gives the
    located message ("criterion AO2, Level 3: range 5–7 overlaps Level 4 (7–8)")."""

    message: str
    criterion: int | None = None
    level: int | None = None
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def scheme_problems(scheme: Scheme) -> list[SchemeProblem]:
    """Every problem of ``scheme`` as structured values (see :class:`SchemeProblem`)."""
    found: list[SchemeProblem] = []
    if not scheme.id.strip():
        found.append(SchemeProblem("scheme id is empty"))
    if not scheme.question.strip():
        found.append(SchemeProblem("the question is empty"))
    if not scheme.criteria:
        found.append(SchemeProblem("the scheme has no criteria"))
    seen_names: set[str] = set()
    for c, criterion in enumerate(scheme.criteria):
        where = f"criterion {criterion.name}" if criterion.name.strip() else f"criterion {c + 1}"

        def at_criterion(message: str, c=c, where=where) -> None:
            found.append(SchemeProblem(message, c, None, where))

        if not criterion.name.strip():
            at_criterion("the name is empty")
        elif criterion.name in seen_names:
            at_criterion("the name is used by another criterion")
        seen_names.add(criterion.name)
        if criterion.maximum <= 0:
            at_criterion(f"maximum must be above 0 (it is {criterion.maximum})")
        if not criterion.levels:
            at_criterion("no levels")
            continue
        labels: set[str] = set()
        previous: Level | None = None
        for index, level in enumerate(criterion.levels):
            lwhere = f"{where}, {_level_name(level.label.strip() or str(index + 1))}"

            def at_level(message: str, index=index, lwhere=lwhere, c=c) -> None:
                found.append(SchemeProblem(message, c, index, lwhere))

            if not level.label.strip():
                found.append(SchemeProblem("the label is empty", c, index,
                                           f"{where}, level {index + 1}"))
            elif level.label in labels:
                at_level("the label is used by another level")
            labels.add(level.label)
            if level.min_mark > level.max_mark:
                at_level(f"range {level.min_mark}–{level.max_mark} runs backwards")
            if level.min_mark < 0 or level.max_mark > criterion.maximum:
                at_level(f"range {level.min_mark}–{level.max_mark} is outside "
                         f"0–{criterion.maximum}")
            if previous is not None:
                if level.min_mark <= previous.max_mark:
                    if level.min_mark < previous.min_mark:
                        at_level(f"levels are not in ascending order "
                                 f"({level.range_text} comes after {previous.range_text})")
                    else:
                        found.append(SchemeProblem(
                            f"range {previous.min_mark}–{previous.max_mark} overlaps "
                            f"{_level_name(level.label)} ({level.min_mark}–{level.max_mark})",
                            c, index - 1,
                            f"{where}, {_level_name(previous.label.strip() or str(index))}"))
                elif level.min_mark > previous.max_mark + 1:
                    gap = (
                        str(previous.max_mark + 1)
                        if level.min_mark == previous.max_mark + 2
                        else f"{previous.max_mark + 1}–{level.min_mark - 1}"
                    )
                    at_criterion(f"marks {gap} fall between {_level_name(previous.label)} and "
                                 f"{_level_name(level.label)}")
            previous = level
        first, last = criterion.levels[0], criterion.levels[-1]
        if first.min_mark > 1:
            at_criterion(f"marks 0–{first.min_mark - 1} are in no level (start the lowest "
                         "level at 0 or 1)")
        if last.max_mark < criterion.maximum and last.min_mark <= last.max_mark:
            at_criterion(f"the top level ends at {last.max_mark} but the maximum is "
                         f"{criterion.maximum}")
    total = sum(c.maximum for c in scheme.criteria)
    if scheme.criteria and total != scheme.total:
        found.append(SchemeProblem(
            f"criterion maxima add up to {total} but the scheme total is {scheme.total}"))
    if scheme.word_limit is not None and scheme.word_limit <= 0:
        found.append(SchemeProblem(f"word limit must be above 0 (it is {scheme.word_limit})"))
    return found


def problems(scheme: Scheme) -> list[str]:
    """Every problem of ``scheme``, each located ("criterion AO2, level 3: ...")."""
    return [str(problem) for problem in scheme_problems(scheme)]


# -- loading --------------------------------------------------------------------------

_TOP_KEYS = {
    "schema_version", "id", "title", "subject", "board", "paper", "question", "total",
    "word_limit", "guidance", "criteria",
}
_CRITERION_KEYS = {"name", "maximum", "description", "levels"}
_LEVEL_KEYS = {"label", "min", "max", "descriptor", "indicative"}


def _upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 wrote ``marks`` for a criterion's maximum and ``range: "16-20"`` on levels."""
    data = dict(data)
    criteria = []
    for c in data.get("criteria", []):
        c = dict(c)
        if "marks" in c:
            c["maximum"] = c.pop("marks")
        levels = []
        for lv in c.get("levels", []):
            lv = dict(lv)
            if "range" in lv:
                low, _, high = str(lv.pop("range")).replace("–", "-").partition("-")
                lv["min"] = int(low.strip())
                lv["max"] = int((high or low).strip())
            levels.append(lv)
        c["levels"] = levels
        criteria.append(c)
    data["criteria"] = criteria
    if "total" not in data:
        data["total"] = sum(int(c.get("maximum", 0)) for c in criteria)
    data["schema_version"] = 2
    return data


_UPGRADES = {1: _upgrade_v1}


def _check_keys(found: list[str], where: str, data: Any, allowed: set[str]) -> bool:
    if not isinstance(data, dict):
        found.append(f"{where}: expected an object, found {type(data).__name__}")
        return False
    unknown = sorted(set(data) - allowed)
    if unknown:
        found.append(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
                     + ", ".join(repr(k) for k in unknown))
    return True


def _int(found: list[str], where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        found.append(f"{where} must be a whole number, found {value!r}")
        return 0
    return value


def scheme_from_dict(data: Any, source: str | None = None) -> Scheme:
    """Build and validate a scheme from parsed JSON, upgrading older format versions."""
    if not isinstance(data, dict):
        raise SchemeError(["the file does not hold a scheme object"], source)
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise SchemeError([f"schema_version must be a whole number, found {version!r}"], source)
    if version > SCHEME_FORMAT_VERSION:
        raise SchemeError(
            [f"schema_version {version} is newer than this app understands "
             f"({SCHEME_FORMAT_VERSION}); update Essay Marker"], source)
    while version < SCHEME_FORMAT_VERSION:
        upgrade = _UPGRADES.get(version)
        if upgrade is None:
            raise SchemeError([f"schema_version {version} is not a known version"], source)
        try:
            data = upgrade(data)
        except (TypeError, ValueError, AttributeError) as exc:
            raise SchemeError([f"cannot upgrade from version {version}: {exc}"], source) from None
        version = data["schema_version"]

    found: list[str] = []
    _check_keys(found, "scheme", data, _TOP_KEYS)
    for key in ("id", "question"):
        if key not in data:
            found.append(f"scheme: missing key '{key}'")
    criteria: list[Criterion] = []
    raw_criteria = data.get("criteria", [])
    if not isinstance(raw_criteria, list):
        found.append("scheme: 'criteria' must be a list")
        raw_criteria = []
    for c_index, raw in enumerate(raw_criteria, start=1):
        cwhere = f"criterion {raw.get('name', c_index) if isinstance(raw, dict) else c_index}"
        if not _check_keys(found, cwhere, raw, _CRITERION_KEYS):
            continue
        levels: list[Level] = []
        raw_levels = raw.get("levels", [])
        if not isinstance(raw_levels, list):
            found.append(f"{cwhere}: 'levels' must be a list")
            raw_levels = []
        for l_index, rl in enumerate(raw_levels, start=1):
            label = str(rl.get("label", l_index)) if isinstance(rl, dict) else str(l_index)
            lwhere = f"{cwhere}, {_level_name(label)}"
            if not _check_keys(found, lwhere, rl, _LEVEL_KEYS):
                continue
            levels.append(Level(
                label=str(rl.get("label", "")),
                min_mark=_int(found, f"{lwhere}: 'min'", rl.get("min")),
                max_mark=_int(found, f"{lwhere}: 'max'", rl.get("max")),
                descriptor=str(rl.get("descriptor", "")),
                indicative=str(rl.get("indicative", "")),
            ))
        criteria.append(Criterion(
            name=str(raw.get("name", "")),
            maximum=_int(found, f"{cwhere}: 'maximum'", raw.get("maximum")),
            levels=tuple(levels),
            description=str(raw.get("description", "")),
        ))
    if found:
        raise SchemeError(found, source)
    word_limit = data.get("word_limit")
    scheme = Scheme(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        question=str(data.get("question", "")),
        criteria=tuple(criteria),
        total=_int(found, "scheme: 'total'", data.get("total", sum(c.maximum for c in criteria))),
        subject=str(data.get("subject", "")),
        board=str(data.get("board", "")),
        paper=str(data.get("paper", "")),
        word_limit=None if word_limit is None else _int(found, "scheme: 'word_limit'", word_limit),
        guidance=str(data.get("guidance", "")),
    )
    if found:
        raise SchemeError(found, source)
    return scheme.validated(source)


def scheme_from_json(text: str, source: str | None = None) -> Scheme:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemeError([f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"],
                          source) from None
    return scheme_from_dict(data, source)


def load_scheme(path: str | Path) -> Scheme:
    """Load and validate a scheme file; any problem raises :class:`SchemeError` naming the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemeError([f"cannot read the file ({exc.strerror or exc})"], path.name) from None
    if len(raw) > 2_000_000:
        raise SchemeError(["the file is too large to be a scheme (over 2 MB)"], path.name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemeError(["the file is not UTF-8 text"], path.name) from None
    return scheme_from_json(text, path.name)


def with_levels(criterion: Criterion, levels: Iterable[Level]) -> Criterion:
    return replace(criterion, levels=tuple(levels))


def scheme_summary(scheme: Scheme) -> dict[str, Any]:
    """A short dict for listings: id, title, total, criteria with maxima."""
    return {
        "id": scheme.id,
        "title": scheme.title,
        "board": scheme.board,
        "total": scheme.total,
        "criteria": {c.name: c.maximum for c in scheme.criteria},
    }


__all__ = [
    "Criterion", "Level", "Scheme", "SCHEME_FORMAT_VERSION", "load_scheme", "problems",
    "scheme_from_dict", "scheme_from_json", "scheme_summary", "with_levels",
]
