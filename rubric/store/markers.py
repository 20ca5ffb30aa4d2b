"""Several markers on one set: allocation, blind marking, agreed and definitive marks,
comparative judgements.

:class:`MarkerWork` is mixed into :class:`rubric.store.MarkingSet`, so these are methods of
the open set: every change commits at once, is audited and returns :class:`Changes`.

* **Allocation** gives each script to one marker (by hand, by class, or evenly at random
  with the remainder spread fairly); :meth:`MarkerWork.scripts_for` lists a marker's
  scripts first.
* **Blind marking**: while a marker is blind, their view of every script hides everyone
  else's marks, comments, annotations, agreed and definitive marks. The reads the GUI and
  the exports use take the viewer (``marks_visible_to`` and the rest, or the rule
  :meth:`MarkerWork.hidden_markers`); :meth:`MarkerWork.reveal` ends it and is audited.
* **Agreed marks** are a separate, explicit choice per criterion (the first marker's, the
  second's, their mean rounded half up, or typed), recorded with who agreed it; every
  marker's own marks and comments are kept.
* **Definitive marks** (standardisation): the head of department's level and mark per
  criterion; :func:`compare_with_definitive` is the plain comparison of a marker's marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rubric.errors import MarkError, NotFoundError, SetError
from rubric.ids import MarkerId, ScriptId, new_row_uuid
from rubric.record import record
from rubric.scheme import Scheme
from rubric.store.records import (
    ROLES,
    Annotation,
    Changes,
    Mark,
    Marker,
    OverallComment,
    ScriptSummary,
    initials_of,
)

if TYPE_CHECKING:  # pragma: no cover
    import sqlite3

#: How an agreed mark was reached.
AGREE_METHODS = ("first", "second", "mean", "typed")
#: Longest teaching-group name (e.g. "13B", "Y13 History set 2").
MAX_CLASS = 100


@record
class AgreedMark:
    script_id: ScriptId
    criterion: str
    level: str | None
    mark: int
    method: str
    agreed_by: MarkerId | None
    agreed_at: str
    uuid: str


@record
class DefinitiveMark:
    script_id: ScriptId
    criterion: str
    level: str | None
    mark: int
    set_by: MarkerId | None
    set_at: str
    uuid: str


@record
class Judgement:
    """One comparative judgement: ``judge`` preferred ``winner`` to ``loser``."""

    id: int
    uuid: str
    judge_id: MarkerId
    winner_id: ScriptId
    loser_id: ScriptId
    seconds: float | None
    created_at: str


@record
class DefinitiveComparison:
    """A marker's mark on one criterion of a standardisation script beside the definitive
    one: ``difference`` is theirs minus the definitive mark (None when they have not placed
    a mark), ``within`` whether its size is at most ``tolerance``."""

    script_id: ScriptId
    criterion: str
    definitive_level: str | None
    definitive_mark: int
    level: str | None
    mark: int | None
    difference: int | None
    tolerance: float
    within: bool | None

    @property
    def same_level(self) -> bool | None:
        if self.level is None:
            return None
        return self.level == self.definitive_level

    def to_json(self) -> dict[str, Any]:
        return {"script": int(self.script_id), "criterion": self.criterion,
                "definitive_level": self.definitive_level,
                "definitive_mark": self.definitive_mark, "level": self.level,
                "mark": self.mark, "difference": self.difference,
                "tolerance": self.tolerance, "within": self.within,
                "same_level": self.same_level}


def default_tolerance(maximum: int) -> int:
    """3 marks on 25, scaled by the criterion's maximum (rounded half up)."""
    from rubric.moderation import default_tolerance as rule

    return rule(maximum)


def mean_half_up(first: int, second: int) -> int:
    """The mean of two whole marks, a half rounded up (17 and 18 give 18)."""
    return (first + second + 1) // 2


def compare_with_definitive(
    scheme: Scheme, definitive: Iterable[Any], marks: Iterable[Any],
    tolerance: float | Mapping[str, float] | None = None,
) -> list[DefinitiveComparison]:
    """Each definitive mark (rows with ``script_id``, ``criterion``, ``level``, ``mark``)
    beside one marker's mark on the same script and criterion (rows of the same shape).
    ``tolerance`` is a number of marks, or one per criterion name; by default 3 on 25,
    scaled by the criterion's maximum. Criteria the current scheme lacks are left out."""
    theirs = {(m.script_id, m.criterion): m for m in marks}
    result = []
    for row in sorted(definitive, key=lambda d: (d.script_id, d.criterion)):
        criterion = scheme.criterion(row.criterion)
        if criterion is None:
            continue
        if isinstance(tolerance, Mapping):
            allowed = tolerance.get(criterion.name, default_tolerance(criterion.maximum))
        elif tolerance is None:
            allowed = default_tolerance(criterion.maximum)
        else:
            allowed = tolerance
        mine = theirs.get((row.script_id, row.criterion))
        mark = None if mine is None else mine.mark
        difference = None if mark is None else mark - row.mark
        result.append(DefinitiveComparison(
            ScriptId(row.script_id), criterion.name, row.level, row.mark,
            None if mine is None else mine.level, mark, difference, allowed,
            None if difference is None else abs(difference) <= allowed))
    return result


def _role_rank(marker: Marker) -> tuple[int, int]:
    return (ROLES.index(marker.role) if marker.role in ROLES else len(ROLES), marker.id)


def _new_uuid() -> str:
    return new_row_uuid()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class MarkerWork:
    """The several-markers part of :class:`MarkingSet` (a mixin: it uses the set's
    connection, transactions, audit log and scheme)."""

    _db: sqlite3.Connection
    _marker: Marker | None

    # -- identities --------------------------------------------------------------------

    @property
    def set_uuid(self) -> str:
        """The set's identity, kept by every copy of it (merging checks it)."""
        row = self._db.execute("SELECT value FROM meta WHERE key='set_uuid'").fetchone()
        return row[0] if row else ""

    def script_uuid(self, script_id: ScriptId) -> str:
        row = self._db.execute("SELECT uuid FROM scripts WHERE id=?", (script_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no script with id {script_id} in this set")
        return row[0]

    def marker_uuid(self, marker_id: MarkerId) -> str:
        row = self._db.execute("SELECT uuid FROM markers WHERE id=?", (marker_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no marker with id {marker_id} in this set")
        return row[0]

    # -- markers -----------------------------------------------------------------------

    def find_marker(self, name: str, role: str | None = None) -> Marker | None:
        """The marker called ``name`` (with ``role``, or of any role: a teacher first)."""
        name = " ".join(name.split())
        found = [m for m in self.markers() if m.name == name
                 and (role is None or m.role == role)]
        return min(found, key=_role_rank) if found else None

    def add_marker(self, name: str, initials: str | None = None,
                   role: str = "teacher") -> Changes:
        """Add a marker without marking as them (allocation names markers who have not
        marked yet); ``Changes.created`` is the new id. An existing marker of that name
        and role changes nothing (find them with :meth:`find_marker`)."""
        name = " ".join(name.split())
        if not name:
            raise SetError("a marker needs a name")
        if role not in ROLES:
            raise SetError(f"role must be one of {', '.join(ROLES)} (not '{role}')")
        if self.find_marker(name, role) is not None:
            return Changes()
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO markers(name, initials, role, uuid) VALUES (?, ?, ?, ?)",
                (name, (initials or initials_of(name)).strip(), role, _new_uuid()))
            self._audit("add marker", entity_id=cursor.lastrowid,
                        new={"name": name, "role": role})
        return Changes(markers=True, created=cursor.lastrowid)

    def _viewer(self, viewer: MarkerId | None) -> MarkerId | None:
        if viewer is not None:
            return viewer
        return self._marker.id if self._marker is not None else None

    # -- blind marking -----------------------------------------------------------------

    def is_blind(self, marker: MarkerId | None = None) -> bool:
        """Whether ``marker`` (default: the current marker, if one is chosen) marks blind."""
        marker = self._viewer(marker)
        if marker is None:
            return False
        row = self._db.execute("SELECT blind FROM markers WHERE id=?", (marker,)).fetchone()
        return bool(row and row[0])

    def blind_markers(self) -> frozenset[MarkerId]:
        return frozenset(MarkerId(r[0]) for r in self._db.execute(
            "SELECT id FROM markers WHERE blind=1"))

    def set_blind(self, marker: MarkerId, blind: bool = True) -> Changes:
        """Make ``marker`` mark blind (everyone else's marks, comments and annotations are
        hidden from them), or end it (:meth:`reveal` is the same, said as a reveal)."""
        if not blind:
            return self.reveal(marker)
        self.marker(marker)
        if self.is_blind(marker):
            return Changes()
        with self._transaction():
            self._db.execute("UPDATE markers SET blind=1 WHERE id=?", (marker,))
            self._audit("blind", entity_id=marker,
                        new={"marker": self.marker(marker).name})
        return self._everything_shown_changed()

    def reveal(self, marker: MarkerId | None = None) -> Changes:
        """Show a blind marker (default: the current one) everyone else's marks, comments
        and annotations; recorded as "reveal" in the audit log."""
        marker = self._viewer(marker)
        if marker is None or not self.is_blind(marker):
            return Changes()
        name = self.marker(marker).name
        with self._transaction():
            self._db.execute("UPDATE markers SET blind=0 WHERE id=?", (marker,))
            self._audit("reveal", entity_id=marker, old={"blind": True},
                        new={"marker": name, "blind": False})
        return self._everything_shown_changed()

    def _everything_shown_changed(self) -> Changes:
        ids = frozenset(ScriptId(r[0]) for r in self._db.execute(
            "SELECT id FROM scripts WHERE removed_at IS NULL"))
        return Changes(scripts=ids, markers=True, marks=True, annotations=True, comments=True,
                       status=True, script_list=True)

    def hidden_markers(self, viewer: MarkerId | None = None) -> frozenset[MarkerId]:
        """The markers whose rows ``viewer`` (default: the current marker, if chosen) may
        not see: everyone else while they are blind, else nobody."""
        viewer = self._viewer(viewer)
        if viewer is None or not self.is_blind(viewer):
            return frozenset()
        return frozenset(m.id for m in self.markers() if m.id != viewer)

    def sees_others(self, viewer: MarkerId | None = None) -> bool:
        """False while ``viewer`` is blind: then agreed and definitive marks, and other
        markers' rows, are hidden from them."""
        return not self.is_blind(viewer)

    def marks_visible_to(self, viewer: MarkerId | None,
                         script_id: ScriptId | None = None) -> list[Mark]:
        """:meth:`marks` (of one script, or of the set) as ``viewer`` may see them."""
        hidden = self.hidden_markers(viewer)
        return [m for m in self.marks(script_id)
                if m.marker_id not in hidden]

    def annotations_visible_to(self, viewer: MarkerId | None,
                               script_id: ScriptId | None = None) -> list[Annotation]:
        hidden = self.hidden_markers(viewer)
        return [a for a in self.annotations(script_id)
                if a.marker_id not in hidden]

    def comments_visible_to(self, viewer: MarkerId | None,
                            script_id: ScriptId | None = None) -> list[OverallComment]:
        """Every marker's overall comments (of one script, or of the set) that ``viewer``
        may see; all markers' comments are kept whoever's mark is agreed."""
        hidden = self.hidden_markers(viewer)
        return [c for c in self.all_comments()
                if c.marker_id not in hidden and (script_id is None or c.script_id == script_id)]

    # -- classes and allocation ----------------------------------------------------------

    def set_class(self, script_id: ScriptId, class_group: str) -> Changes:
        """The teaching group a script belongs to ("13B"; '' for none)."""
        self._require_script(script_id)
        value = " ".join(class_group.split())
        if len(value) > MAX_CLASS or any(ord(c) < 32 for c in value):
            raise SetError(f"a class is at most {MAX_CLASS} characters, without control "
                           "characters")
        old = self.class_of(script_id)
        if old == value:
            return Changes()
        with self._transaction():
            self._db.execute("UPDATE scripts SET class_group=? WHERE id=?", (value, script_id))
            self._audit("edit class", script_id=script_id, old=old,
                        new=value)
        return Changes(scripts=frozenset({script_id}), script_list=True)

    def class_of(self, script_id: ScriptId) -> str:
        row = self._db.execute(
            "SELECT class_group FROM scripts WHERE id=?", (script_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no script with id {script_id} in this set")
        return row[0]

    def classes(self) -> dict[ScriptId, str]:
        """Each script's class ('' for none), scripts in the set only."""
        return {ScriptId(r[0]): r[1] for r in self._db.execute(
            "SELECT id, class_group FROM scripts WHERE removed_at IS NULL ORDER BY position")}

    def allocation(self) -> dict[ScriptId, MarkerId]:
        """Which marker each allocated script is given to (scripts in the set only)."""
        return {ScriptId(r[0]): MarkerId(r[1]) for r in self._db.execute(
            "SELECT a.script_id, a.marker_id FROM allocations a JOIN scripts s"
            " ON s.id=a.script_id WHERE s.removed_at IS NULL ORDER BY s.position")}

    def allocated_to(self, marker: MarkerId) -> list[ScriptId]:
        return [s for s, m in self.allocation().items() if m == marker]

    def scripts_for(self, marker: MarkerId | None = None) -> list[ScriptSummary]:
        """Every script, ``marker``'s own (allocated) scripts first, each part in the set's
        order (default: the current marker)."""
        marker = self._viewer(marker)
        scripts = self.scripts()
        if marker is None:
            return scripts
        mine = set(self.allocated_to(marker))
        return [s for s in scripts if s.id in mine] + [s for s in scripts if s.id not in mine]

    def allocate(self, script_ids: Iterable[ScriptId], marker: MarkerId | None) -> Changes:
        """Give scripts to ``marker`` by hand (None takes them off everyone)."""
        ids = list(dict.fromkeys(script_ids))
        for script_id in ids:
            self._require_script(script_id)
        if marker is not None:
            self.marker(marker)
        plan = {s: marker for s in ids}
        return self._write_allocation(plan, "hand")

    def allocate_evenly(self, markers: Sequence[MarkerId], seed: int | None = None,
                        script_ids: Iterable[ScriptId] | None = None) -> Changes:
        """Deal the scripts (default: all in the set) to ``markers`` at random, evenly:
        the counts differ by at most one, and which markers get one more is random too
        (never always the first named). The same ``seed`` gives the same allocation."""
        markers = self._check_markers(markers)
        ids = list(self.script_ids() if script_ids is None else script_ids)
        import random  # here: only allocating uses it

        rng = random.Random(seed)
        rng.shuffle(ids)
        order = list(markers)
        rng.shuffle(order)
        plan = {script_id: order[n % len(order)] for n, script_id in enumerate(ids)}
        return self._write_allocation(plan, "random", seed=seed)

    def allocate_by_class(self, markers: Sequence[MarkerId] | None = None,
                          classes: Mapping[str, MarkerId] | None = None) -> Changes:
        """Keep each class together. With ``classes`` ({class: marker}) each named class
        goes to its marker; otherwise whole classes are shared out among ``markers``, the
        largest first to whoever has fewest scripts so far. Scripts with no class are then
        dealt one by one to whoever has fewest (never split across a class)."""
        by_class: dict[str, list[ScriptId]] = {}
        for script_id, group in self.classes().items():
            by_class.setdefault(group, []).append(script_id)
        plan: dict[ScriptId, MarkerId | None] = {}
        if classes is not None:
            for group, marker in classes.items():
                if group not in by_class:
                    known = ", ".join(sorted(g for g in by_class if g)) or "none"
                    raise SetError(f"no script is in class '{group}' (classes: {known})")
                self.marker(marker)
                plan.update({s: marker for s in by_class[group]})
            return self._write_allocation(plan, "class")
        markers = self._check_markers(markers or [])
        load = {m: 0 for m in markers}
        named = sorted((g for g in by_class if g), key=lambda g: (-len(by_class[g]), g))
        for group in named:
            marker = min(markers, key=lambda m: load[m])
            plan.update({s: marker for s in by_class[group]})
            load[marker] += len(by_class[group])
        for script_id in by_class.get("", []):
            marker = min(markers, key=lambda m: load[m])
            plan[script_id] = marker
            load[marker] += 1
        return self._write_allocation(plan, "class")

    def _check_markers(self, markers: Sequence[MarkerId]) -> list[MarkerId]:
        markers = list(dict.fromkeys(markers))
        if not markers:
            raise SetError("name at least one marker to allocate scripts to")
        for marker in markers:
            self.marker(marker)
        return markers

    def _write_allocation(self, plan: Mapping[ScriptId, MarkerId | None], how: str,
                          seed: int | None = None) -> Changes:
        before = self.allocation()
        changed = {s: m for s, m in plan.items() if before.get(s) != m}
        if not changed:
            return Changes()
        names = {m.id: m.name for m in self.markers()}
        with self._transaction():
            for script_id, marker in changed.items():
                if marker is None:
                    self._db.execute("DELETE FROM allocations WHERE script_id=?", (script_id,))
                else:
                    self._db.execute(
                        "INSERT INTO allocations(script_id, marker_id) VALUES (?, ?)"
                        " ON CONFLICT(script_id) DO UPDATE SET marker_id=excluded.marker_id",
                        (script_id, marker))
            counts: dict[str, int] = {}
            for marker in plan.values():
                if marker is not None:
                    counts[names[marker]] = counts.get(names[marker], 0) + 1
            self._audit("allocate", old=None,
                        new={"by": how, "seed": seed, "scripts": len(changed),
                             "counts": counts})
        return Changes(scripts=frozenset(changed), script_list=True)

    # -- agreed marks --------------------------------------------------------------------

    def first_and_second(self, script_id: ScriptId, criterion: str, *,
                         first: MarkerId | None = None,
                         second: MarkerId | None = None) -> tuple[Mark | None, Mark | None]:
        """The first and second markers' placed marks on one criterion of a script. The
        first marker is the one the script is allocated to (if they have marked it), else
        the teacher who marked it; the second is another marker who marked it (a second
        marker before a moderator before another teacher). Either can be named."""
        placed = {m.marker_id: m for m in self.marks(script_id)
                  if m.criterion == criterion and m.mark is not None}
        markers = {m.id: m for m in self.markers()}
        if first is None:
            allocated = self.allocation().get(script_id)
            if allocated in placed:
                first = allocated
            else:
                teachers = sorted((markers[i] for i in placed), key=_role_rank)
                first = teachers[0].id if teachers else None
        if second is None:
            others = [markers[i] for i in placed if i != first]
            second = min(others, key=_role_rank).id if others else None
        return placed.get(first) if first is not None else None, \
            placed.get(second) if second is not None else None

    def agree(self, script_id: ScriptId, criterion: str, method: str,
              mark: int | None = None, *, level: str | None = None,
              first: MarkerId | None = None, second: MarkerId | None = None) -> Changes:
        """Record the agreed mark for one criterion of a script, chosen explicitly:
        ``first`` (the first marker's level and mark), ``second``, ``mean`` (of the two,
        a half rounded up) or ``typed`` (``mark``, with ``level`` or the level it falls
        in). Who agreed it is the current marker; the markers' own marks stay as they are.
        A blind marker cannot agree a mark (they would have to see the others')."""
        self._require_script(script_id)
        name = self._criterion(criterion).name
        if method not in AGREE_METHODS:
            raise MarkError(f"the method must be one of {', '.join(AGREE_METHODS)} "
                            f"(not '{method}')")
        agreed_by = self.current_marker
        if self.is_blind(agreed_by.id):
            raise MarkError(f"{agreed_by.name} is marking blind: reveal the other marks "
                            "before agreeing one")
        one, two = self.first_and_second(script_id, name, first=first, second=second)
        detail: dict[str, Any] = {}
        if method == "typed":
            if mark is None:
                raise MarkError("a typed agreed mark needs the mark (--mark N)")
        elif method in ("first", "second"):
            chosen = one if method == "first" else two
            if chosen is None:
                raise MarkError(f"{name}: there is no {method} marker's mark to agree")
            mark, level = chosen.mark, chosen.level
            detail[method] = int(chosen.marker_id)
        else:
            if one is None or two is None:
                raise MarkError(f"{name}: the mean needs two markers' marks "
                                f"({'none' if one is None else 'only one'} placed)")
            assert one.mark is not None and two.mark is not None
            mark, level = mean_half_up(one.mark, two.mark), None
            detail.update(first=int(one.marker_id), second=int(two.marker_id),
                          of=[one.mark, two.mark])
        assert mark is not None
        level = self.check_mark(name, mark, level)
        old = self._agreed_row(script_id, name)
        if old is not None and (old.mark, old.level, old.method) == (mark, level, method) \
                and old.agreed_by == agreed_by.id:
            return Changes()
        with self._transaction():
            self._db.execute(
                "INSERT INTO agreed_marks(script_id, criterion, level, mark, method, agreed_by,"
                " agreed_at, uuid) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(script_id, criterion)"
                " DO UPDATE SET level=excluded.level, mark=excluded.mark,"
                " method=excluded.method, agreed_by=excluded.agreed_by,"
                " agreed_at=excluded.agreed_at",
                (script_id, name, level, mark, method, agreed_by.id, _now(), _new_uuid()))
            self._audit("agree mark", script_id=script_id,
                        old=None if old is None else {"criterion": name, "level": old.level,
                                                      "mark": old.mark, "method": old.method},
                        new={"criterion": name, "level": level, "mark": mark,
                             "method": method, "agreed_by": agreed_by.name, **detail})
        return Changes(scripts=frozenset({script_id}), marks=True)

    def clear_agreed(self, script_id: ScriptId, criterion: str) -> Changes:
        old = self._agreed_row(script_id, criterion)
        if old is None:
            return Changes()
        with self._transaction():
            self._db.execute("DELETE FROM agreed_marks WHERE script_id=? AND criterion=?",
                             (script_id, criterion))
            self._audit("clear agreed mark", script_id=script_id,
                        old={"criterion": criterion, "level": old.level, "mark": old.mark,
                             "method": old.method})
        return Changes(scripts=frozenset({script_id}), marks=True)

    def _agreed_row(self, script_id: ScriptId, criterion: str) -> AgreedMark | None:
        rows = self.agreed_marks(script_id)
        return next((r for r in rows if r.criterion == criterion), None)

    def agreed_marks(self, script_id: ScriptId | None = None) -> list[AgreedMark]:
        """Agreed marks (of one script, or of every script in the set)."""
        sql = ("SELECT script_id, criterion, level, mark, method, agreed_by, agreed_at, uuid"
               " FROM agreed_marks")
        sql, params = self._one_or_present(sql, script_id)
        return [AgreedMark(ScriptId(r[0]), r[1], r[2], r[3], r[4],
                           None if r[5] is None else MarkerId(r[5]), r[6], r[7])
                for r in self._db.execute(sql + " ORDER BY script_id, criterion", params)]

    @staticmethod
    def _one_or_present(sql: str, script_id: ScriptId | None) -> tuple[str, tuple]:
        if script_id is not None:
            return sql + " WHERE script_id=?", (script_id,)
        return sql + " WHERE script_id IN (SELECT id FROM scripts WHERE removed_at IS NULL)", ()

    # -- definitive marks (standardisation) ----------------------------------------------

    def set_definitive(self, script_id: ScriptId, criterion: str, mark: int,
                       level: str | None = None) -> Changes:
        """The definitive level and mark of one criterion of a standardisation script,
        set by the current marker (the head of department)."""
        self._require_script(script_id)
        name = self._criterion(criterion).name
        level = self.check_mark(name, mark, level)
        set_by = self.current_marker
        old = next((d for d in self.definitive_marks(script_id) if d.criterion == name), None)
        if old is not None and (old.mark, old.level) == (mark, level):
            return Changes()
        with self._transaction():
            self._db.execute(
                "INSERT INTO definitive_marks(script_id, criterion, level, mark, set_by,"
                " set_at, uuid) VALUES (?,?,?,?,?,?,?) ON CONFLICT(script_id, criterion)"
                " DO UPDATE SET level=excluded.level, mark=excluded.mark,"
                " set_by=excluded.set_by, set_at=excluded.set_at",
                (script_id, name, level, mark, set_by.id, _now(), _new_uuid()))
            self._audit("set definitive mark", script_id=script_id,
                        old=None if old is None else {"criterion": name, "level": old.level,
                                                      "mark": old.mark},
                        new={"criterion": name, "level": level, "mark": mark,
                             "set_by": set_by.name})
        return Changes(scripts=frozenset({script_id}), marks=True)

    def clear_definitive(self, script_id: ScriptId, criterion: str) -> Changes:
        old = next((d for d in self.definitive_marks(script_id) if d.criterion == criterion),
                   None)
        if old is None:
            return Changes()
        with self._transaction():
            self._db.execute("DELETE FROM definitive_marks WHERE script_id=? AND criterion=?",
                             (script_id, criterion))
            self._audit("clear definitive mark", script_id=script_id,
                        old={"criterion": criterion, "level": old.level, "mark": old.mark})
        return Changes(scripts=frozenset({script_id}), marks=True)

    def definitive_marks(self, script_id: ScriptId | None = None) -> list[DefinitiveMark]:
        sql = "SELECT script_id, criterion, level, mark, set_by, set_at, uuid FROM definitive_marks"
        sql, params = self._one_or_present(sql, script_id)
        return [DefinitiveMark(ScriptId(r[0]), r[1], r[2], r[3],
                               None if r[4] is None else MarkerId(r[4]), r[5], r[6])
                for r in self._db.execute(sql + " ORDER BY script_id, criterion", params)]

    def definitive_comparison(self, marker: MarkerId,
                              tolerance: float | Mapping[str, float] | None = None,
                              ) -> list[DefinitiveComparison]:
        """``marker``'s marks beside the definitive ones (:func:`compare_with_definitive`)."""
        return compare_with_definitive(
            self.scheme, self.definitive_marks(),
            self.marks(marker=marker), tolerance)

    # -- comparative judgements ----------------------------------------------------------

    def add_judgement(self, winner: ScriptId, loser: ScriptId, seconds: float | None = None,
                      judge: MarkerId | None = None) -> Changes:
        """Record that ``judge`` (default: the current marker) preferred ``winner``."""
        if winner == loser:
            raise MarkError("a judgement compares two different scripts")
        for script_id in (winner, loser):
            self._require_script(script_id)
        if seconds is not None and not (0 <= float(seconds) <= 1e7):
            raise MarkError("the time of a judgement must be 0 seconds or more")
        judge_id = judge if judge is not None else self.current_marker.id
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO judgements(uuid, judge_id, winner_id, loser_id, seconds,"
                " created_at) VALUES (?,?,?,?,?,?)",
                (_new_uuid(), judge_id, winner, loser,
                 None if seconds is None else float(seconds), _now()))
            self._audit("judge", entity_id=cursor.lastrowid,
                        new={"winner": int(winner), "loser": int(loser)})
        return Changes(scripts=frozenset({winner, loser}), created=cursor.lastrowid)

    def judgements(self, judge: MarkerId | None = None) -> list[Judgement]:
        sql = ("SELECT id, uuid, judge_id, winner_id, loser_id, seconds, created_at FROM"
               " judgements WHERE winner_id IN (SELECT id FROM scripts WHERE removed_at IS NULL)"
               " AND loser_id IN (SELECT id FROM scripts WHERE removed_at IS NULL)")
        params: tuple = ()
        if judge is not None:
            sql += " AND judge_id=?"
            params = (judge,)
        return [Judgement(r[0], r[1], MarkerId(r[2]), ScriptId(r[3]), ScriptId(r[4]), r[5], r[6])
                for r in self._db.execute(sql + " ORDER BY id", params)]


__all__ = [
    "AGREE_METHODS", "AgreedMark", "DefinitiveComparison", "DefinitiveMark", "Judgement",
    "MarkerWork", "compare_with_definitive", "default_tolerance", "mean_half_up",
]
