"""``@record``: the value classes of the marking set, its schemes and the importer behave as
the frozen dataclasses they replaced (equality, hash, immutability, defaults, replace,
pickling), so that nothing a marker sees changes with the quicker start-up."""

from __future__ import annotations

import copy
import pickle

import pytest

from rubric.importing.model import Paragraph, ScriptDraft
from rubric.record import as_dict, factory, fields_of, record, replace
from rubric.scheme import Criterion, Level, Scheme
from rubric.store.records import Changes, Script, ScriptSummary
from rubric.templates import default_scheme


@record
class Point:
    x: int
    y: int = 0
    tags: list[str] = factory(list)
    note: str = factory(str, compare=False)


@record
class Labelled(Point):
    label: str = ""


def test_construction_by_position_keyword_and_defaults():
    assert Point(1) == Point(x=1, y=0)
    assert Point(1, 2).y == 2
    assert Point(1).tags == [] and Point(1).tags is not Point(1).tags
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, 2, [], "", "one too many")
    with pytest.raises(TypeError):
        Point(1, z=3)


def test_equality_hash_and_repr_follow_the_compared_fields():
    assert Point(1, 2, note="a") == Point(1, 2, note="b")
    assert hash(Changes(marks=True)) == hash(Changes(marks=True))
    assert Point(1) != Labelled(1)   # another class is never equal, as with dataclasses
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[], note='')"
    assert {Changes(marks=True), Changes(marks=True), Changes()} == {Changes(marks=True), Changes()}


def test_records_are_immutable_unless_made_mutable():
    point = Point(1)
    with pytest.raises(AttributeError, match="immutable"):
        point.x = 5
    with pytest.raises(AttributeError):
        del point.x
    draft = ScriptDraft(path=None, format="txt", paragraphs=[])
    draft.title = "changed"   # the importer's draft is filled in step by step
    assert draft.title == "changed" and draft.warnings == []
    with pytest.raises(TypeError):
        hash(draft)


def test_inheritance_puts_the_base_fields_first():
    assert fields_of(Labelled) == ("x", "y", "tags", "note", "label")
    assert Labelled(1, label="a").label == "a"
    assert fields_of(Script)[: len(fields_of(ScriptSummary))] == fields_of(ScriptSummary)
    with pytest.raises(TypeError, match="without a default"):
        @record
        class Bad:
            a: int = 1
            b: int


def test_replace_copies_with_changes_and_refuses_unknown_fields():
    scheme = default_scheme()
    changed = replace(scheme, question="Another question?")
    assert changed.question == "Another question?" and scheme.question != changed.question
    assert changed.criteria == scheme.criteria
    with pytest.raises(TypeError, match="no field"):
        replace(scheme, colour="red")
    level = Level("Level 1", 1, 5)
    criterion = Criterion("AO1", 5, (level,))
    assert replace(criterion, levels=()).levels == ()
    assert as_dict(level) == {"label": "Level 1", "min_mark": 1, "max_mark": 5,
                              "descriptor": "", "indicative": ""}


def test_scheme_extra_is_left_out_of_equality():
    scheme = default_scheme()
    assert replace(scheme, extra={"note": "x"}) == scheme
    assert isinstance(hash(scheme), int)


def test_pickle_and_copy_keep_the_value():
    scheme = default_scheme()
    assert pickle.loads(pickle.dumps(scheme)) == scheme
    paragraph = Paragraph("“Curly” text – with a dash", "quote")
    assert copy.deepcopy(paragraph) == paragraph
    assert copy.copy(Scheme(**as_dict(scheme))) == scheme
