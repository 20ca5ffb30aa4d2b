"""Merging markers' copies of a set back into it.

The head of department sends out copies of a set (``export-set``); each teacher marks in
their own copy and sends it back; :func:`plan_merge` previews what a returned file would
bring in and :func:`apply_merge` applies that preview in one transaction.

The rules:

* **The file is untrusted.** Its bytes (and a ``-wal`` beside it) are copied to a private
  temporary file and checked like any set from a colleague
  (:func:`rubric.store.verify.check_set_file`: no triggers or views, the app's own schema,
  values in range) before anything is read, and it is read from that copy only.
* **Only copies of this set, marked against this scheme.** A file whose ``set_uuid`` is
  another set's, or whose current scheme differs from this set's, is refused with a
  one-line reason.
* **Rows are matched by identity** (their uuid; a mark also by script, criterion and
  marker, an overall comment by script and marker, so the same marker's work from two
  machines meets).
* **Each marker's rows are owned by that marker.** A file speaks only for its own markers:
  the markers who worked in it since it was copied from this set (the acting marker of each
  entry of its audit log after the history the two share), and markers this set has never
  seen. It may add or change only their marks, overall comments, annotations and
  judgements; a change it carries to anyone else's row is listed as *ignored*. Scripts and
  the scheme belong to the set: a script the set lacks is ignored, never added.
* **Conflicts are never settled silently.** When the same row has changed on both sides
  since the two last agreed, it is a *conflict*, shown side by side for a choice
  (``choices={uuid: "mine" | "theirs"}``). What "last agreed" means: the version of that
  row this set last merged from the same copy (a per-row base kept in ``merge_base``, by
  the copy's lineage: the first entry of its own history); before any merge of that copy,
  the moment it was copied (the last audit entry both share), compared with each side's
  ``updated_at``.
* **Idempotent.** Merging the same file again finds nothing new, changed or in conflict,
  and writes nothing. The ledger (``merge_ledger``) records each merged file: its hash,
  its markers, the time and the counts.

Deletions are not carried over: a mark cleared or an annotation deleted in a copy stays in
the set (merging only adds and updates).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rubric import marking
from rubric.errors import EssayMarkerError, MarkError, SetError
from rubric.ids import MarkerId, ScriptId
from rubric.scheme import scheme_from_json
from rubric.store.records import Changes, candidate_label

#: The oldest format that can be merged: rows have identities from format 4 on.
MERGE_FORMAT = 4
CHOICES = ("mine", "theirs")


class MergeConflicts(SetError):
    """A merge plan with conflicts was applied without a choice for each."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True)
                          .encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class MergeItem:
    """One line of a merge preview: a row that is new, changed, ignored or in conflict.
    ``mine`` is this set's version (None when it has none), ``theirs`` the file's."""

    kind: str             # mark, comments, annotation, judgement, marker, script
    uuid: str
    script: str           # the candidate, as this set names them ('' for a marker)
    criterion: str | None
    marker: str
    mine: Any
    theirs: Any
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "script": self.script, "criterion": self.criterion,
                "marker": self.marker, "mine": self.mine, "theirs": self.theirs,
                "uuid": self.uuid, "reason": self.reason}

    def _where(self) -> str:
        parts = [p for p in (self.script, self.criterion) if p]
        where = " ".join(parts)
        if self.marker:
            where = f"{where}, {self.marker}" if where else self.marker
        return where

    def line(self, status: str) -> str:
        head = f"{status:9} {self.kind:10} {self._where()}"
        if status == "conflict":
            return f"{head}: mine {_shown(self.mine)} | theirs {_shown(self.theirs)}"
        if status == "ignored":
            return f"{head}: {self.reason}"
        if status == "changed":
            return f"{head}: {_shown(self.mine)} → {_shown(self.theirs)}"
        return f"{head}: {_shown(self.theirs)}"


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        if "mark" in value or "level" in value:
            mark = "?" if value.get("mark") is None else str(value["mark"])
            return f"{mark} ({value['level']})" if value.get("level") else mark
        if "comment" in value:
            return f"“{_short(value.get('quote', ''))}”: {_short(value['comment'])}"
        if "www" in value:
            return "; ".join(f"{k} “{_short(v)}”" for k, v in value.items() if v) or "(empty)"
        if "winner" in value:
            return f"{value['winner']} over {value['loser']}"
        if "name" in value:
            return f"{value['name']} ({value.get('role', '')})"
    return _short(str(value))


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class _Row:
    """What applying one item writes: ``values`` in this set's ids (a marker not yet in
    the set is named by ``marker_uuid``), ``mine_id`` the row it updates (None: insert)."""

    kind: str
    uuid: str
    values: Mapping[str, Any]
    marker_uuid: str
    mine_id: int | None
    mine_hash: str | None
    theirs_hash: str
    script_id: ScriptId | None


@dataclass(frozen=True)
class MergePlan:
    """A preview of merging ``file`` into a set (from :func:`plan_merge`)."""

    file: Path
    file_hash: str
    set_uuid: str
    source_name: str
    markers: tuple[str, ...]          # the file's own markers (names)
    marker_uuids: tuple[str, ...]
    lineage: str
    new: tuple[MergeItem, ...] = ()
    changed: tuple[MergeItem, ...] = ()
    ignored: tuple[MergeItem, ...] = ()
    conflicts: tuple[MergeItem, ...] = ()
    already_merged: bool = False
    target: Path = Path()
    _rows: tuple[_Row, ...] = field(default=(), repr=False)
    _new_markers: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    _bases: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def empty(self) -> bool:
        """Nothing to bring in: no new or changed rows and no conflicts (ignored rows are
        only reported)."""
        return not (self.new or self.changed or self.conflicts)

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed),
                "ignored": len(self.ignored), "conflicts": len(self.conflicts)}

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "hash": self.file_hash, "set": self.source_name,
                "markers": list(self.markers), "already_merged": self.already_merged,
                **{key: [i.to_json() for i in getattr(self, key)]
                   for key in ("new", "changed", "ignored", "conflicts")}}

    def lines(self) -> list[str]:
        out = []
        for status, items in (("new", self.new), ("changed", self.changed),
                              ("conflict", self.conflicts), ("ignored", self.ignored)):
            out += [item.line(status) for item in items]
        counts = self.counts()
        whose = ", ".join(self.markers) or "no marker of its own"
        out.append(f"{self.file.name} ({whose}): {counts['new']} new, {counts['changed']} "
                   f"changed, {counts['conflicts']} conflicts, {counts['ignored']} ignored"
                   + (" (merged before)" if self.already_merged else ""))
        return out


@dataclass(frozen=True)
class MergeResult:
    plan: MergePlan
    applied: bool
    changes: Changes
    counts: Mapping[str, Any]


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    file_hash: str
    source_set_uuid: str
    marker_uuids: tuple[str, ...]
    merged_at: str
    counts: Mapping[str, Any]


def ledger(marking_set) -> list[LedgerEntry]:
    """Every file merged into the set, oldest first."""
    entries = []
    for row in marking_set._db.execute(
            "SELECT id, file_hash, source_set_uuid, marker_uuid, merged_at, counts"
            " FROM merge_ledger ORDER BY id"):
        try:
            counts = json.loads(row[5])
        except ValueError:
            counts = {}
        entries.append(LedgerEntry(row[0], row[1], row[2],
                                   tuple(u for u in row[3].split(",") if u), row[4], counts))
    return entries


# -- reading the file -----------------------------------------------------------------------


@contextmanager
def _checked_copy(path: Path) -> Iterator[tuple[Path, str]]:
    """A private, checked copy of ``path`` (its ``-wal`` folded in) and the hash of the
    bytes it was made from; removed afterwards."""
    from rubric.store.library import _settle
    from rubric.store.locations import sets_dir
    from rubric.store.verify import check_set_file

    if not path.is_file():
        raise SetError(f"{path.name}: no such file")
    fd, tmp_name = tempfile.mkstemp(prefix=".merging-", suffix=".tmp", dir=sets_dir())
    os.close(fd)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        try:
            for source, target in ((path, tmp), (path.with_name(path.name + "-wal"),
                                                 tmp.with_name(tmp.name + "-wal"))):
                if source is not path and not source.is_file():
                    continue
                with open(source, "rb") as src, open(target, "wb") as dst:
                    while chunk := src.read(1024 * 1024):
                        digest.update(chunk)
                        dst.write(chunk)
        except OSError as exc:
            raise SetError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from None
        check_set_file(tmp, shown_name=path.name)
        _settle(tmp, path.name)
        yield tmp, digest.hexdigest()
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm",
                                                                       "-journal"))):
            leftover.unlink(missing_ok=True)


@dataclass
class _File:
    """The rows of a checked copy, as plain values."""

    version: int
    set_uuid: str
    name: str
    scheme_json: str
    scheme_version: int
    markers: dict[int, tuple[str, str, str, str, int]]   # id: (uuid, name, initials, role, blind)
    scripts: dict[int, str]                              # id: uuid
    marks: list[tuple]
    comments: list[tuple]
    annotations: list[tuple]
    judgements: list[tuple]
    audit: list[tuple]                                   # (id, at, action, marker_id)


def _read(copy: Path, shown: str) -> _File:
    from rubric.store.verify import connect_untrusted

    db = connect_untrusted(copy)
    try:
        db.execute("PRAGMA query_only=ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version < MERGE_FORMAT:
            raise SetError(f"{shown}: refused: it was saved by an older Essay Marker (format "
                           f"{version}), before rows had identities; it cannot be merged "
                           "(send out copies made by this version)")
        meta = dict(db.execute("SELECT key, value FROM meta"))
        scheme_version, scheme_json = db.execute(
            "SELECT version, json FROM schemes ORDER BY version DESC LIMIT 1").fetchone()
        return _File(
            version=version, set_uuid=meta.get("set_uuid", ""), name=meta.get("name", ""),
            scheme_json=scheme_json, scheme_version=scheme_version,
            markers={r[0]: tuple(r[1:]) for r in db.execute(
                "SELECT id, uuid, name, initials, role, blind FROM markers")},
            scripts=dict(db.execute("SELECT id, uuid FROM scripts")),
            marks=db.execute(
                "SELECT uuid, script_id, criterion, marker_id, level, mark, created_at,"
                " updated_at FROM marks").fetchall(),
            comments=db.execute(
                "SELECT uuid, script_id, marker_id, www, ebi, general, updated_at"
                " FROM overall_comments").fetchall(),
            annotations=db.execute(
                "SELECT uuid, script_id, marker_id, start, end, quote, comment, criterion,"
                " lost, created_at, updated_at FROM annotations").fetchall(),
            judgements=db.execute(
                "SELECT uuid, judge_id, winner_id, loser_id, seconds, created_at"
                " FROM judgements").fetchall(),
            audit=db.execute(
                "SELECT id, at, action, marker_id FROM audit ORDER BY id").fetchall(),
        )
    except sqlite3.DatabaseError as exc:
        raise SetError(f"{shown}: cannot read the marking set ({exc})") from None
    finally:
        db.close()


# -- planning --------------------------------------------------------------------------------


def _split(mine_audit: dict[int, tuple[str, str]],
           theirs_audit: list[tuple]) -> tuple[str, str, set[int]]:
    """Where the file's history leaves this set's: (the time of the last entry both share,
    the file's lineage, the file markers acting after it)."""
    shared_at, shared = "", 0
    for entry_id, at, action, _marker in theirs_audit:
        if mine_audit.get(entry_id) != (at, action):
            break
        shared_at, shared = at, shared + 1
    after = theirs_audit[shared:]
    lineage = ""
    if after:
        first = after[0]
        lineage = _hash([first[0], first[1], first[2]])
    # (adding a marker is logged under the marker chosen before: not their work)
    acting = {entry[3] for entry in after if entry[3] is not None and entry[2] != "add marker"}
    return shared_at, lineage, acting


class _Planner:
    def __init__(self, marking_set, source: Path, data: _File, file_hash: str):
        self.ms = marking_set
        self.db = marking_set._db
        self.source = source
        self.data = data
        self.file_hash = file_hash
        self.new: list[MergeItem] = []
        self.changed: list[MergeItem] = []
        self.ignored: list[MergeItem] = []
        self.conflicts: list[MergeItem] = []
        self.rows: list[_Row] = []
        self.bases: list[tuple[str, str]] = []
        self.new_markers: list[dict[str, Any]] = []
        self._texts: dict[int, str] = {}

    # names ---------------------------------------------------------------------------
    def script_label(self, script_id: int | None) -> str:
        return self.labels.get(script_id, "") if script_id is not None else ""

    def marker_name(self, file_marker: int) -> str:
        return self.data.markers[file_marker][1] if file_marker in self.data.markers else "?"

    def text(self, script_id: int) -> str:
        if script_id not in self._texts:
            row = self.db.execute("SELECT paragraphs FROM scripts WHERE id=?",
                                  (script_id,)).fetchone()
            self._texts[script_id] = "\n".join(p[1] for p in json.loads(row[0]))
        return self._texts[script_id]

    def plan(self) -> MergePlan:
        ms, data = self.ms, self.data
        self.labels = {r[0]: candidate_label(r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT id, candidate_name, candidate_number, file_name FROM scripts")}
        self.scripts = dict(self.db.execute("SELECT uuid, id FROM scripts"))
        markers = self.db.execute("SELECT id, uuid, name, role FROM markers").fetchall()
        self.mine_markers = {r[1]: r[0] for r in markers}
        by_name = {(r[2], r[3]): r[0] for r in markers}
        mine_audit = {r[0]: (r[1], r[2]) for r in self.db.execute(
            "SELECT id, at, action FROM audit")}
        self.shared_at, self.lineage, acting = _split(mine_audit, data.audit)
        # Which of the file's markers are its own, and who each is in this set.
        self.marker_map: dict[int, int | None] = {}     # file marker id: this set's id
        self.marker_uuid: dict[int, str] = {}           # file marker id: uuid here
        self.owned: set[int] = set()
        for file_id, (uuid, name, initials, role, _blind) in data.markers.items():
            mine = self.mine_markers.get(uuid)
            if mine is None:
                self.owned.add(file_id)
                mine = by_name.get((name, role))  # the same person, added on both sides
                if mine is None:
                    self.new_markers.append({"uuid": uuid, "name": name,
                                             "initials": initials, "role": role})
                    self.new.append(MergeItem("marker", uuid, "", None, name, None,
                                              {"name": name, "role": role}))
            elif file_id in acting:
                self.owned.add(file_id)
            self.marker_map[file_id] = mine
            self.marker_uuid[file_id] = uuid if mine is None else next(
                u for u, i in self.mine_markers.items() if i == mine)
        self.script_map = {file_id: self.scripts.get(uuid)
                           for file_id, uuid in data.scripts.items()}
        on_missing: dict[int, int] = {}
        for kind, rows, script_of, marker_of in (
                ("mark", data.marks, 1, 3), ("comments", data.comments, 1, 2),
                ("annotation", data.annotations, 1, 2), ("judgement", data.judgements, 2, 1)):
            for row in rows:
                file_script = row[script_of]
                scripts = [file_script] if kind != "judgement" else [row[2], row[3]]
                if any(self.script_map.get(s) is None for s in scripts):
                    if row[marker_of] in self.owned:
                        for s in scripts:
                            if self.script_map.get(s) is None:
                                on_missing[s] = on_missing.get(s, 0) + 1
                    continue
                getattr(self, f"_{kind}")(row, row[marker_of] in self.owned)
        for file_id, uuid in data.scripts.items():
            if self.script_map[file_id] is None:
                count = on_missing.get(file_id, 0)
                extra = f"; {count} of its rows left out with it" if count else ""
                self.ignored.append(MergeItem(
                    "script", uuid, f"script {file_id} of {self.source.name}", None, "", None,
                    {"script": file_id},
                    "not in this set: scripts belong to the set, so a script added in a copy "
                    "is never merged (import its file here instead)" + extra))
        already = self.db.execute("SELECT 1 FROM merge_ledger WHERE file_hash=? LIMIT 1",
                                  (self.file_hash,)).fetchone() is not None
        owned = sorted(self.owned, key=lambda i: self.data.markers[i][1])
        return MergePlan(
            file=self.source, file_hash=self.file_hash, set_uuid=data.set_uuid,
            source_name=data.name, markers=tuple(self.data.markers[i][1] for i in owned),
            marker_uuids=tuple(self.data.markers[i][0] for i in owned), lineage=self.lineage,
            new=tuple(self.new), changed=tuple(self.changed), ignored=tuple(self.ignored),
            conflicts=tuple(self.conflicts), already_merged=already, target=ms.path,
            _rows=tuple(self.rows), _new_markers=tuple(self.new_markers),
            _bases=tuple(self.bases))

    # the three-way decision ----------------------------------------------------------
    def _decide(self, *, kind: str, uuid: str, owned: bool, mine: tuple | None,
                mine_content: Any, theirs_content: Any, mine_updated: str,
                theirs_updated: str, values: dict[str, Any], file_marker: int,
                script_id: int | None, criterion: str | None, shown_mine: Any,
                shown_theirs: Any) -> None:
        theirs_hash = _hash(theirs_content)
        item = MergeItem(kind, uuid, self.script_label(script_id), criterion,
                         self.marker_name(file_marker), shown_mine, shown_theirs)
        if not owned:
            changed_there = theirs_updated > self.shared_at
            if changed_there and (mine is None or _hash(mine_content) != theirs_hash):
                owner = self.marker_name(file_marker)
                self.ignored.append(_with(item, reason=(
                    f"belongs to {owner}: this file may change only its own marker's rows "
                    f"({', '.join(self.marker_name(i) for i in sorted(self.owned)) or 'none'})")))
            return
        row = _Row(kind, uuid, values, self.marker_uuid[file_marker],
                   None if mine is None else mine[0],
                   None if mine is None else _hash(mine_content), theirs_hash,
                   None if script_id is None else ScriptId(script_id))
        if self.lineage:
            self.bases.append((uuid, theirs_hash))
        if mine is None:
            self.new.append(item)
            self.rows.append(row)
            return
        mine_hash = _hash(mine_content)
        if mine_hash == theirs_hash:
            return
        base = None
        if self.lineage:
            found = self.db.execute("SELECT hash FROM merge_base WHERE lineage=? AND uuid=?",
                                    (self.lineage, uuid)).fetchone()
            base = found[0] if found else None
        if base is not None:
            theirs_changed, mine_changed = theirs_hash != base, mine_hash != base
        else:
            theirs_changed = theirs_updated > self.shared_at
            mine_changed = mine_updated > self.shared_at
            if not (theirs_changed or mine_changed):  # differ, yet neither says when
                theirs_changed = mine_changed = True
        if not theirs_changed:
            return  # only this set changed it: this set's version stands
        if mine_changed:
            self.conflicts.append(item)
        else:
            self.changed.append(item)
        self.rows.append(row)

    def _identity_clash(self, item_kind: str, uuid: str, file_marker: int,
                        script_id: int | None, criterion: str | None, reason: str) -> None:
        self.ignored.append(MergeItem(item_kind, uuid, self.script_label(script_id), criterion,
                                      self.marker_name(file_marker), None, None, reason))

    # each kind of row ----------------------------------------------------------------
    def _mark(self, row: tuple, owned: bool) -> None:
        uuid, file_script, criterion, file_marker, level, mark, _created, updated = row
        script_id = self.script_map[file_script]
        marker_id = self.marker_map.get(file_marker)
        mine = self.db.execute(
            "SELECT id, script_id, criterion, marker_id, level, mark, updated_at FROM marks"
            " WHERE uuid=?", (uuid,)).fetchone()
        if mine is not None and (mine[1], mine[2], mine[3]) != (script_id, criterion,
                                                                  marker_id):
            if owned:
                self._identity_clash("mark", uuid, file_marker, script_id, criterion,
                                     "its identity is another mark's in this set")
            return
        if mine is None and marker_id is not None:
            mine = self.db.execute(
                "SELECT id, script_id, criterion, marker_id, level, mark, updated_at FROM marks"
                " WHERE script_id=? AND criterion=? AND marker_id=?",
                (script_id, criterion, marker_id)).fetchone()
        if owned:
            try:
                if mark is not None or level is not None:
                    marking.check_mark(self._criterion(criterion), mark, level)
            except MarkError as exc:
                self._identity_clash("mark", uuid, file_marker, script_id, criterion,
                                     f"does not fit this set's scheme ({exc})")
                return
        self._decide(
            kind="mark", uuid=uuid, owned=owned, mine=mine,
            mine_content=None if mine is None else [mine[4], mine[5]],
            theirs_content=[level, mark], mine_updated="" if mine is None else mine[6],
            theirs_updated=updated,
            values={"script_id": script_id, "criterion": criterion, "level": level,
                    "mark": mark, "created_at": _created, "updated_at": updated},
            file_marker=file_marker, script_id=script_id, criterion=criterion,
            shown_mine=None if mine is None else {"level": mine[4], "mark": mine[5]},
            shown_theirs={"level": level, "mark": mark})

    def _criterion(self, name: str):
        criterion = self.ms.scheme.criterion(name)
        if criterion is None:
            raise MarkError(f"no criterion '{name}'")
        return criterion

    def _comments(self, row: tuple, owned: bool) -> None:
        uuid, file_script, file_marker, www, ebi, general, updated = row
        script_id = self.script_map[file_script]
        marker_id = self.marker_map.get(file_marker)
        columns = "rowid, script_id, marker_id, www, ebi, general, updated_at"
        mine = self.db.execute(f"SELECT {columns} FROM overall_comments WHERE uuid=?",
                               (uuid,)).fetchone()
        if mine is not None and (mine[1], mine[2]) != (script_id, marker_id):
            if owned:
                self._identity_clash("comments", uuid, file_marker, script_id, None,
                                     "its identity is another comment's in this set")
            return
        if mine is None and marker_id is not None:
            mine = self.db.execute(
                f"SELECT {columns} FROM overall_comments WHERE script_id=? AND marker_id=?",
                (script_id, marker_id)).fetchone()
        theirs = {"www": www, "ebi": ebi, "general": general}
        self._decide(
            kind="comments", uuid=uuid, owned=owned, mine=mine,
            mine_content=None if mine is None else list(mine[3:6]),
            theirs_content=[www, ebi, general], mine_updated="" if mine is None else mine[6],
            theirs_updated=updated,
            values={"script_id": script_id, **theirs, "updated_at": updated},
            file_marker=file_marker, script_id=script_id, criterion=None,
            shown_mine=None if mine is None else dict(zip(("www", "ebi", "general"),
                                                          mine[3:6], strict=True)),
            shown_theirs=theirs)

    def _annotation(self, row: tuple, owned: bool) -> None:
        (uuid, file_script, file_marker, start, end, quote, comment, criterion, lost,
         created, updated) = row
        script_id = self.script_map[file_script]
        marker_id = self.marker_map.get(file_marker)
        mine = self.db.execute(
            "SELECT id, script_id, marker_id, start, end, quote, comment, criterion, lost,"
            " updated_at FROM annotations WHERE uuid=?", (uuid,)).fetchone()
        if mine is not None and (mine[1], mine[2]) != (script_id, marker_id):
            if owned:
                self._identity_clash("annotation", uuid, file_marker, script_id, criterion,
                                     "its identity is another annotation's in this set")
            return
        place = (start, end, quote, bool(lost))
        if owned and not lost:
            text = self.text(script_id)
            if not 0 <= start < end <= len(text) or text[start:end] != quote:
                from rubric.store.markingset import find_passage_near

                # (an empty passage past the end of the text "matches" nothing there)
                span = find_passage_near(text, quote, start) if quote.strip() else None
                if span is None:
                    self._identity_clash(
                        "annotation", uuid, file_marker, script_id, criterion,
                        "its passage is not in this set's copy of the script")
                    return
                place = (span[0], span[1], text[span[0]:span[1]], False)
        if owned and criterion is not None and self.ms.scheme.criterion(criterion) is None:
            criterion = None
        shown = {"quote": quote, "comment": comment, "criterion": criterion}
        self._decide(
            kind="annotation", uuid=uuid, owned=owned, mine=mine,
            mine_content=None if mine is None else [mine[3], mine[4], mine[5], mine[6],
                                                    mine[7], bool(mine[8])],
            theirs_content=[place[0], place[1], place[2], comment, criterion, place[3]],
            mine_updated="" if mine is None else mine[9], theirs_updated=updated,
            values={"script_id": script_id, "start": place[0], "end": place[1],
                    "quote": place[2], "comment": comment, "criterion": criterion,
                    "lost": int(place[3]), "created_at": created, "updated_at": updated},
            file_marker=file_marker, script_id=script_id, criterion=criterion,
            shown_mine=None if mine is None else {"quote": mine[5], "comment": mine[6],
                                                  "criterion": mine[7]},
            shown_theirs=shown)

    def _judgement(self, row: tuple, owned: bool) -> None:
        uuid, file_judge, file_winner, file_loser, seconds, created = row
        winner, loser = self.script_map[file_winner], self.script_map[file_loser]
        mine = self.db.execute(
            "SELECT id, winner_id, loser_id, created_at FROM judgements WHERE uuid=?",
            (uuid,)).fetchone()
        shown = {"winner": self.script_label(winner), "loser": self.script_label(loser)}
        self._decide(
            kind="judgement", uuid=uuid, owned=owned, mine=mine,
            mine_content=None if mine is None else [mine[1], mine[2]],
            theirs_content=[winner, loser], mine_updated="" if mine is None else mine[3],
            theirs_updated=created,
            values={"winner_id": winner, "loser_id": loser, "seconds": seconds,
                    "created_at": created},
            file_marker=file_judge, script_id=winner, criterion=None,
            shown_mine=None if mine is None else shown, shown_theirs=shown)


def _with(item: MergeItem, **changes: Any) -> MergeItem:
    from rubric.record import replace

    return replace(item, **changes)


def plan_merge(marking_set, file: str | os.PathLike[str]) -> MergePlan:
    """Preview merging ``file`` (a marker's copy of this set) into ``marking_set``: what is
    new, changed, ignored and in conflict. Nothing is written. Raises :class:`SetError`
    with a one-line reason when the file is refused (crafted or damaged, another set's,
    marked against another scheme, too old to merge, or the set itself)."""
    source = Path(file)
    if source.exists() and os.path.realpath(source) == os.path.realpath(marking_set.path):
        raise SetError(f"{source.name}: refused: that is this set itself")
    with _checked_copy(source) as (copy, file_hash):
        data = _read(copy, source.name)
    if data.set_uuid != marking_set.set_uuid:
        raise SetError(f"{source.name}: refused: it is a copy of another set (“{data.name}”), "
                       f"not of “{marking_set.name}”")
    try:
        theirs = scheme_from_json(data.scheme_json, source.name).to_json()
    except EssayMarkerError:
        raise SetError(f"{source.name}: refused: its scheme cannot be read") from None
    mine = marking_set.scheme.to_json()
    if theirs != mine:
        raise SetError(
            f"{source.name}: refused: it was marked against a different scheme (version "
            f"{data.scheme_version} there, {_hash(theirs)[:8]}; version "
            f"{marking_set.scheme_version} here, {_hash(mine)[:8]}); apply the same scheme "
            "to both first")
    return _Planner(marking_set, source, data, file_hash).plan()


# -- applying --------------------------------------------------------------------------------

_MINE_HASH_SQL = {
    "mark": "SELECT level, mark FROM marks WHERE id=?",
    "comments": "SELECT www, ebi, general FROM overall_comments WHERE rowid=?",
    "annotation": "SELECT start, end, quote, comment, criterion, lost FROM annotations WHERE id=?",
    "judgement": "SELECT winner_id, loser_id FROM judgements WHERE id=?",
}


def _current_hash(db: sqlite3.Connection, row: _Row) -> str | None:
    found = db.execute(_MINE_HASH_SQL[row.kind], (row.mine_id,)).fetchone()
    if found is None:
        return None
    values = list(found)
    if row.kind == "annotation":
        values[5] = bool(values[5])
    return _hash(values)


def apply_merge(marking_set, plan: MergePlan, choices: Mapping[str, str] | None = None,
                take: str | None = None) -> MergeResult:
    """Apply a preview from :func:`plan_merge`, in one transaction. Every conflict needs
    a choice: ``choices[uuid]`` (``"mine"`` keeps this set's version, ``"theirs"`` takes
    the file's) or ``take`` for all of them; otherwise :class:`MergeConflicts` is raised
    and nothing is written. If the set has changed since the preview, :class:`SetError`
    asks for a new one. Merging a file that brings nothing new writes nothing (when it was
    merged before) or only its ledger entry."""
    if plan.target != marking_set.path or plan.set_uuid != marking_set.set_uuid:
        raise SetError(f"{plan.file.name}: this preview was made for another set")
    choices = dict(choices or {})
    if take is not None and take not in CHOICES:
        raise SetError(f"take must be 'mine' or 'theirs' (not '{take}')")
    if take is not None:
        for item in plan.conflicts:
            choices.setdefault(item.uuid, take)
    unresolved = [i for i in plan.conflicts if choices.get(i.uuid) not in CHOICES]
    if unresolved:
        raise MergeConflicts(
            f"{plan.file.name}: {len(unresolved)} conflict{'s' if len(unresolved) != 1 else ''}"
            " (the same rows changed here and in the file): choose mine or theirs for each")
    if plan.empty and plan.already_merged:
        return MergeResult(plan, False, Changes(), plan.counts())
    db = marking_set._db
    conflicted = {i.uuid for i in plan.conflicts}
    mine_taken = sum(1 for u in conflicted if choices[u] == "mine")
    counts: dict[str, Any] = {**plan.counts(), "mine": mine_taken,
                              "theirs": len(conflicted) - mine_taken,
                              "file": plan.file.name, "markers": list(plan.markers)}
    scripts: set[ScriptId] = set()
    touched = {"marks": False, "annotations": False, "comments": False}
    with marking_set.atomic("merge", detail=counts):
        for row in plan._rows:
            if row.mine_id is None:
                table = {"mark": "marks", "comments": "overall_comments",
                         "annotation": "annotations", "judgement": "judgements"}[row.kind]
                if db.execute(f"SELECT 1 FROM {table} WHERE uuid=?", (row.uuid,)).fetchone():
                    raise SetError(f"{plan.file.name}: the set changed since this merge was "
                                   "previewed; preview it again")
            elif _current_hash(db, row) != row.mine_hash:
                raise SetError(f"{plan.file.name}: the set changed since this merge was "
                               "previewed; preview it again")
        for marker in plan._new_markers:
            db.execute("INSERT INTO markers(name, initials, role, uuid) VALUES (?, ?, ?, ?)",
                       (marker["name"], marker["initials"], marker["role"], marker["uuid"]))
        marker_ids = dict(db.execute("SELECT uuid, id FROM markers"))
        for row in plan._rows:
            if row.uuid in conflicted and choices[row.uuid] == "mine":
                continue
            marker_id = marker_ids[row.marker_uuid]
            _write(marking_set, row, MarkerId(marker_id))
            if row.script_id is not None:
                scripts.add(row.script_id)
            if row.kind == "judgement":
                scripts.add(ScriptId(row.values["loser_id"]))
            if row.kind != "judgement":
                touched[{"mark": "marks", "annotation": "annotations",
                         "comments": "comments"}[row.kind]] = True
        if plan.lineage:
            db.executemany(
                "INSERT INTO merge_base(lineage, uuid, hash) VALUES (?, ?, ?)"
                " ON CONFLICT(lineage, uuid) DO UPDATE SET hash=excluded.hash",
                [(plan.lineage, uuid, digest) for uuid, digest in plan._bases])
        db.execute(
            "INSERT INTO merge_ledger(file_hash, source_set_uuid, marker_uuid, merged_at,"
            " counts) VALUES (?, ?, ?, ?, ?)",
            (plan.file_hash, plan.set_uuid, ",".join(plan.marker_uuids), _now(),
             json.dumps(counts, ensure_ascii=False)))
    changes = Changes(scripts=frozenset(scripts), marks=touched["marks"],
                      annotations=touched["annotations"], comments=touched["comments"],
                      markers=bool(plan._new_markers), status=bool(scripts),
                      script_list=bool(scripts or plan._new_markers))
    return MergeResult(plan, True, changes, counts)


def _write(marking_set, row: _Row, marker_id: MarkerId) -> None:
    db, v = marking_set._db, row.values
    if row.kind == "mark":
        if row.mine_id is None:
            db.execute(
                "INSERT INTO marks(script_id, criterion, marker_id, level, mark, needs_review,"
                " review_reason, created_at, updated_at, uuid) VALUES (?,?,?,?,?,0,'',?,?,?)",
                (v["script_id"], v["criterion"], marker_id, v["level"], v["mark"],
                 v["created_at"], v["updated_at"], row.uuid))
        else:
            db.execute("UPDATE marks SET level=?, mark=?, needs_review=0, review_reason='',"
                       " updated_at=? WHERE id=?",
                       (v["level"], v["mark"], v["updated_at"], row.mine_id))
        marking_set._audit("merge mark", script_id=v["script_id"],
                           new={"criterion": v["criterion"], "level": v["level"],
                                "mark": v["mark"], "marker": int(marker_id)})
    elif row.kind == "comments":
        if row.mine_id is None:
            db.execute(
                "INSERT INTO overall_comments(script_id, marker_id, www, ebi, general,"
                " updated_at, uuid) VALUES (?,?,?,?,?,?,?)",
                (v["script_id"], marker_id, v["www"], v["ebi"], v["general"],
                 v["updated_at"], row.uuid))
        else:
            db.execute("UPDATE overall_comments SET www=?, ebi=?, general=?, updated_at=?"
                       " WHERE rowid=?",
                       (v["www"], v["ebi"], v["general"], v["updated_at"], row.mine_id))
        marking_set._audit("merge comments", script_id=v["script_id"],
                           new={"marker": int(marker_id)})
    elif row.kind == "annotation":
        if row.mine_id is None:
            db.execute(
                "INSERT INTO annotations(script_id, marker_id, start, end, quote, comment,"
                " criterion, created_at, updated_at, lost, uuid) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (v["script_id"], marker_id, v["start"], v["end"], v["quote"], v["comment"],
                 v["criterion"], v["created_at"], v["updated_at"], v["lost"], row.uuid))
        else:
            db.execute("UPDATE annotations SET start=?, end=?, quote=?, comment=?, criterion=?,"
                       " lost=?, updated_at=? WHERE id=?",
                       (v["start"], v["end"], v["quote"], v["comment"], v["criterion"],
                        v["lost"], v["updated_at"], row.mine_id))
        marking_set._audit("merge annotation", script_id=v["script_id"],
                           new={"quote": v["quote"], "comment": v["comment"],
                                "marker": int(marker_id)})
    else:
        db.execute(
            "INSERT INTO judgements(uuid, judge_id, winner_id, loser_id, seconds, created_at)"
            " VALUES (?,?,?,?,?,?)",
            (row.uuid, marker_id, v["winner_id"], v["loser_id"], v["seconds"],
             v["created_at"]))


def merge_file(marking_set, file: str | os.PathLike[str],
               choices: Mapping[str, str] | None = None,
               take: str | None = None) -> MergeResult:
    """Plan and apply in one go (the plan is in the result)."""
    return apply_merge(marking_set, plan_merge(marking_set, file), choices, take)


__all__ = ["CHOICES", "LedgerEntry", "MergeConflicts", "MergeItem", "MergePlan", "MergeResult",
           "apply_merge", "ledger", "merge_file", "plan_merge"]
