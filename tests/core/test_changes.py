"""Every mutating core call returns :class:`Changes` naming what it changed, so that views
refresh only that and the GUI never has to build a ``Changes`` of its own. A new public
method of ``MarkingSet`` must be listed here as mutating or reading, so none slips by."""

from __future__ import annotations

import inspect

import pytest

from rubric.ids import ScriptId
from rubric.importing.batch import ImportResult
from rubric.record import replace
from rubric.store import MarkingSet
from rubric.store.records import Changes

#: Methods that only read (or manage the connection, backups and snapshots).
READING = {
    "create", "open", "close", "closed", "atomic", "name", "scheme", "scheme_version",
    "current_marker", "markers", "marker", "script_with_hash", "scripts", "script_ids",
    "removed_scripts", "summary", "script", "titles_and_paragraphs", "find_script", "source_bytes", "check_mark",
    "marks", "marks_for", "total", "marks_needing_review", "statuses", "status",
    "annotation", "annotations", "comments", "all_comments", "bank", "conflicts_with",
    "scheme_versions", "audit_log", "export_to", "backup_now", "integrity_ok",
    "import_files",  # a generator of add_import_result outcomes (each carries its Changes)
    "backup_every_seconds", "backup_keep", "typing_pause_seconds",
    "import_group_files", "import_group_seconds",  # settings of import_files
    # several markers (rubric/store/markers.py)
    "set_uuid", "script_uuid", "marker_uuid", "find_marker", "is_blind", "blind_markers",
    "hidden_markers", "sees_others", "marks_visible_to", "annotations_visible_to",
    "comments_visible_to", "class_of", "classes", "allocation", "allocated_to", "scripts_for",
    "first_and_second", "agreed_marks", "definitive_marks", "definitive_comparison",
    "judgements",
    # comparative judgement (rubric/store/judging.py)
    "judging_pairs", "judging_progress",
}


def _changes(result) -> Changes:
    if isinstance(result, Changes):
        return result
    assert isinstance(getattr(result, "changes", None), Changes), f"{result!r} has no Changes"
    return result.changes


@pytest.fixture
def ms(marking_set, make_draft):
    marking_set.add_script(make_draft("Jane Smith", "4321"))
    marking_set.add_script(make_draft("Tom Jones", "4322", seed="Witte"))
    return marking_set


def _one_of_each(ms, make_draft):
    """(method name, call, what the Changes must say) for every mutating method."""
    one = ScriptId(1)
    kept: list = []   # a judgement withdrawn, to restore
    scheme = ms.scheme
    ao1 = scheme.criteria[0]
    edited = replace(scheme, criteria=(replace(ao1, description="edited"),))
    return [
        ("rename", lambda: ms.rename("13B Russia (mock)"), dict(script_list=True)),
        ("use_marker", lambda: ms.use_marker("Ms Patel", "MP"), dict(markers=True)),
        ("add_script", lambda: ms.add_script(make_draft("New One", "4999", seed="Kerensky")),
         dict(script_list=True)),
        ("add_import_result", lambda: ms.add_import_result(ImportResult(
            make_draft("Imported", "4888", seed="Lvov").path,
            make_draft("Imported", "4888", seed="Lvov"))), dict(script_list=True)),
        ("update_candidate", lambda: ms.update_candidate(one, "Janet Smith"), dict(scripts={one})),
        ("set_mark", lambda: ms.set_mark(one, "AO1", 18), dict(scripts={one}, marks=True)),
        ("set_level", lambda: ms.set_level(one, "AO1", "Level 5"), dict(scripts={one}, marks=True)),
        ("restore_mark", lambda: ms.restore_mark(one, "AO1", "Level 4", 17),
         dict(scripts={one}, marks=True)),
        ("clear_mark", lambda: ms.clear_mark(one, "AO1"), dict(scripts={one}, marks=True)),
        ("set_complete", lambda: ms.set_complete(one), dict(scripts={one}, status=True)),
        ("add_annotation", lambda: ms.add_annotation(one, 0, 10, "Good"),
         dict(scripts={one}, annotations=True)),
        ("annotate_quote", lambda: ms.annotate_quote(one, "land reform", "Precise"),
         dict(scripts={one}, annotations=True)),
        ("update_annotation", lambda: ms.update_annotation(ms.annotations(one)[0].id, comment="Better"),
         dict(scripts={one}, annotations=True)),
        ("delete_annotation", lambda: ms.delete_annotation(ms.annotations(one)[0].id),
         dict(scripts={one}, annotations=True)),
        ("set_comments", lambda: ms.set_comments(one, www="Sustained"),
         dict(scripts={one}, comments=True)),
        ("add_bank_comment", lambda: ms.add_bank_comment("Clear line of argument", "www"),
         dict(bank=True)),
        ("add_bank_comments", lambda: ms.add_bank_comments([{"kind": "ebi", "text": "Weigh it"}]),
         dict(bank=True)),
        ("update_bank_comment", lambda: ms.update_bank_comment(ms.bank()[0].id, "Edited"),
         dict(bank=True)),
        ("note_bank_use", lambda: ms.note_bank_use(ms.bank()[0].id), dict(bank=True)),
        ("delete_bank_comment", lambda: ms.delete_bank_comment(ms.bank()[0].id), dict(bank=True)),
        ("update_scheme", lambda: ms.update_scheme(edited), dict(scheme=True)),
        ("replace_script_file", lambda: ms.replace_script_file(
            ScriptId(2), make_draft("Tom Jones", "4322", seed="Witte2")), dict(scripts={ScriptId(2)})),
        ("remove_script", lambda: ms.remove_script(ScriptId(2)), dict(script_list=True)),
        ("restore_script", lambda: ms.restore_script(ScriptId(2)), dict(script_list=True)),
        ("add_marker", lambda: ms.add_marker("Mr Second", role="second"), dict(markers=True)),
        ("set_class", lambda: ms.set_class(one, "13B"), dict(scripts={one}, script_list=True)),
        ("allocate", lambda: ms.allocate([one], ms.find_marker("Mr Second").id),
         dict(scripts={one}, script_list=True)),
        ("allocate_evenly", lambda: ms.allocate_evenly(
            [ms.find_marker("Mr Second").id, ms.find_marker("Ms Patel").id], seed=1),
         dict(script_list=True)),
        ("allocate_by_class", lambda: ms.allocate_by_class([ms.find_marker("Ms Patel").id]),
         dict(script_list=True)),
        ("agree", lambda: ms.agree(one, "AO1", "typed", 15), dict(scripts={one}, marks=True)),
        ("clear_agreed", lambda: ms.clear_agreed(one, "AO1"), dict(scripts={one}, marks=True)),
        ("set_definitive", lambda: ms.set_definitive(one, "AO1", 19),
         dict(scripts={one}, marks=True)),
        ("clear_definitive", lambda: ms.clear_definitive(one, "AO1"),
         dict(scripts={one}, marks=True)),
        ("add_judgement", lambda: ms.add_judgement(one, ScriptId(2), 30.0),
         dict(scripts={one, ScriptId(2)})),
        ("withdraw_judgement", lambda: (kept.append(ms.judgements()[0]),
                                        ms.withdraw_judgement(ms.judgements()[0].id))[1],
         dict(scripts={one, ScriptId(2)})),
        ("restore_judgement", lambda: ms.restore_judgement(kept[0]),
         dict(scripts={one, ScriptId(2)})),
        ("set_blind", lambda: ms.set_blind(ms.find_marker("Mr Second").id),
         dict(markers=True, marks=True, annotations=True, comments=True)),
        ("reveal", lambda: ms.reveal(ms.find_marker("Mr Second").id),
         dict(markers=True, marks=True, annotations=True, comments=True)),
    ]


def test_every_public_method_is_listed_as_mutating_or_reading(ms, make_draft):
    mutating = {name for name, _, _ in _one_of_each(ms, make_draft)}
    public = {name for name, _ in inspect.getmembers(MarkingSet) if not name.startswith("_")}
    unlisted = public - mutating - READING
    assert not unlisted, f"say whether these change the set: {sorted(unlisted)}"


def test_every_mutating_call_returns_changes_that_name_what_changed(ms, make_draft):
    for name, call, expected in _one_of_each(ms, make_draft):
        changes = _changes(call())
        assert not changes.nothing, f"{name} changed something but said nothing"
        for key, value in expected.items():
            got = getattr(changes, key)
            if key == "scripts":
                assert value <= got, f"{name}: scripts {got} should include {value}"
            else:
                assert got == value, f"{name}: {key} is {got}"


def test_a_call_that_changes_nothing_says_so(ms):
    ms.set_mark(ScriptId(1), "AO1", 18)
    assert ms.set_mark(ScriptId(1), "AO1", 18).nothing
    assert ms.set_comments(ScriptId(1)).nothing
    assert ms.update_scheme(ms.scheme).nothing
