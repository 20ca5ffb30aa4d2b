"""Comparative judgements on an open set, beyond recording one (``add_judgement`` and
``judgements`` are in :mod:`rubric.store.markers`).

:class:`JudgingWork` is mixed into :class:`rubric.store.MarkingSet`:

* :meth:`JudgingWork.withdraw_judgement` takes a judgement back and
  :meth:`JudgingWork.restore_judgement` puts it back with its identity (the app's Undo and
  Redo of a judgement). Both commit at once, are audited and return :class:`Changes`.
* :meth:`JudgingWork.judging_pairs` gives the next pairs for a judge (balanced and random,
  never adaptive: :func:`rubric.cj.next_pairs`) and :meth:`JudgingWork.judging_progress`
  how far the set is towards its target (:func:`rubric.cj.progress`).

A skipped pair is simply not recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rubric.errors import MarkError, NotFoundError
from rubric.ids import MarkerId, ScriptId
from rubric.store.records import Changes

if TYPE_CHECKING:  # pragma: no cover
    import sqlite3

    from rubric.cj import Progress
    from rubric.store.markers import Judgement


class JudgingWork:
    """Methods of :class:`rubric.store.MarkingSet` for comparative judgement (a mixin: it
    uses the set's connection, transactions, audit log and judgements)."""

    _db: sqlite3.Connection

    def withdraw_judgement(self, judgement_id: int) -> Changes:
        """Take back one recorded judgement (Undo in the app). Audited with what it was."""
        row = self._db.execute(
            "SELECT winner_id, loser_id, judge_id FROM judgements WHERE id=?",
            (judgement_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no judgement with id {judgement_id} in this set")
        with self._transaction():
            self._db.execute("DELETE FROM judgements WHERE id=?",
                             (judgement_id,))
            self._audit("withdraw judgement", entity_id=judgement_id,
                        old={"winner": row[0], "loser": row[1], "judge": row[2]})
        return Changes(scripts=frozenset({ScriptId(row[0]), ScriptId(row[1])}))

    def restore_judgement(self, judgement: Judgement) -> Changes:
        """Record a withdrawn judgement again, with its identity (uuid), judge, time taken
        and when it was made (Redo in the app). ``Changes.created`` is its (new) row id."""
        for script_id in (judgement.winner_id, judgement.loser_id):
            self._require_script(script_id)
        if judgement.winner_id == judgement.loser_id:
            raise MarkError("a judgement compares two different scripts")
        exists = self._db.execute(
            "SELECT id FROM judgements WHERE uuid=?", (judgement.uuid,)).fetchone()
        if exists is not None:
            return Changes(created=exists[0])
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO judgements(uuid, judge_id, winner_id, loser_id, seconds,"
                " created_at) VALUES (?,?,?,?,?,?)",
                (judgement.uuid, judgement.judge_id, judgement.winner_id, judgement.loser_id,
                 judgement.seconds, judgement.created_at))
            self._audit("restore judgement", entity_id=cursor.lastrowid,
                        new={"winner": int(judgement.winner_id),
                             "loser": int(judgement.loser_id)})
        return Changes(scripts=frozenset({judgement.winner_id, judgement.loser_id}),
                       created=cursor.lastrowid)

    def judging_pairs(self, n: int, judge: MarkerId | None = None,
                      target_per_script: int | None = None,
                      seed: int | None = None) -> list[tuple[ScriptId, ScriptId]]:
        """The next ``n`` pairs for ``judge`` (default: the current marker) as (left, right):
        balanced over every judge's judgements, pairs this judge has judged last, left and
        right at random. Reads only."""
        from rubric import cj  # NumPy and SciPy: only when judging

        judge_id = judge if judge is not None else self.current_marker.id
        recorded = [(j.winner_id, j.loser_id, j.judge_id)
                    for j in self.judgements()]
        return cj.next_pairs(self.script_ids(), recorded, judge_id, n,
                             target_per_script or cj.DEFAULT_TARGET, seed=seed)

    def judging_progress(self, target_per_script: int | None = None) -> Progress:
        """Judgements made between the set's scripts against ``target_per_script``
        (default 10) × the scripts / 2."""
        from rubric import cj

        recorded = [(j.winner_id, j.loser_id) for j in self.judgements()]
        return cj.progress(self.script_ids(), recorded,
                           target_per_script or cj.DEFAULT_TARGET)


__all__ = ["JudgingWork"]
