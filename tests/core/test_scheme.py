"""Schemes: validation messages a teacher reads, the JSON file format and best-fit positions."""

from __future__ import annotations

import json

import pytest

from rubric.errors import SchemeError
from rubric.record import replace
from rubric.scheme import (
    SCHEME_FORMAT_VERSION,
    Criterion,
    Level,
    Scheme,
    load_scheme,
    problems,
    scheme_from_dict,
    scheme_from_json,
    scheme_summary,
    with_levels,
)

# -- helpers ----------------------------------------------------------------------------


def levels(*ranges: tuple[int, int], labels: list[str] | None = None) -> tuple[Level, ...]:
    """Levels 'Level 1', 'Level 2'… (or ``labels``) over ``ranges``, with descriptors."""
    names = labels or [f"Level {i}" for i in range(1, len(ranges) + 1)]
    return tuple(
        Level(name, lo, hi, descriptor=f"descriptor for {name}")
        for name, (lo, hi) in zip(names, ranges, strict=True)
    )


ESSAY_RANGES = ((1, 5), (6, 10), (11, 15), (16, 20), (21, 25))


def essay_criterion(name: str = "AO1") -> Criterion:
    return Criterion(name, 25, levels((0, 0), *ESSAY_RANGES,
                                      labels=[f"Level {i}" for i in range(6)]))


def make_scheme(*criteria: Criterion, total: int | None = None, **fields) -> Scheme:
    criteria = criteria or (essay_criterion(),)
    return Scheme(
        id=fields.pop("id", "test-scheme"),
        title=fields.pop("title", "Test scheme"),
        question=fields.pop("question", "‘Witte was the saviour of Tsarism.’ Assess the "
                                        "validity of this view."),
        criteria=tuple(criteria),
        total=sum(c.maximum for c in criteria) if total is None else total,
        **fields,
    )


def problems_of(*criteria: Criterion, **fields) -> list[str]:
    return problems(make_scheme(*criteria, **fields))


# -- a valid scheme ----------------------------------------------------------------------


def test_a_well_formed_scheme_has_no_problems_and_validates_to_itself():
    scheme = make_scheme()
    assert problems(scheme) == []
    assert scheme.validated() is scheme


def test_lookups_by_name_label_and_mark():
    scheme = make_scheme()
    ao1 = scheme.criterion("AO1")
    assert ao1 is not None and scheme.criterion("AO9") is None
    assert ao1.level("Level 4") == Level("Level 4", 16, 20, "descriptor for Level 4")
    assert ao1.level("Level 9") is None
    assert ao1.level_for_mark(0).label == "Level 0"
    assert ao1.level_for_mark(18).label == "Level 4"
    assert ao1.level_for_mark(21).label == "Level 5"
    assert ao1.level_for_mark(26) is None


def test_range_text_uses_an_en_dash_and_a_single_mark_for_level_0():
    assert Level("Level 4", 16, 20).range_text == "16–20"
    assert Level("Level 0", 0, 0).range_text == "0"


def test_with_levels_replaces_levels_only():
    criterion = essay_criterion()
    changed = with_levels(criterion, levels((1, 10), (11, 25)))
    assert [lv.range_text for lv in changed.levels] == ["1–10", "11–25"]
    assert (changed.name, changed.maximum) == ("AO1", 25)
    assert problems(make_scheme(changed)) == []


def test_summary_lists_criteria_with_maxima():
    nea_like = make_scheme(
        Criterion("AO1", 20, levels((1, 4), (5, 8), (9, 12), (13, 16), (17, 20))),
        Criterion("AO2", 10, levels((1, 2), (3, 4), (5, 6), (7, 8), (9, 10))),
        Criterion("AO3", 10, levels((1, 2), (3, 4), (5, 6), (7, 8), (9, 10))),
        board="AQA",
    )
    assert scheme_summary(nea_like) == {
        "id": "test-scheme", "title": "Test scheme", "board": "AQA", "total": 40,
        "criteria": {"AO1": 20, "AO2": 10, "AO3": 10},
    }


# -- located validation messages --------------------------------------------------------


def test_overlapping_levels_name_the_criterion_both_levels_and_both_ranges():
    ao2 = Criterion("AO2", 16, levels((1, 4), (5, 8), (9, 12), (12, 16),
                                      labels=["1", "2", "3", "4"]))
    found = problems_of(essay_criterion(), ao2)
    assert found == ["criterion AO2, level 3: range 9–12 overlaps level 4 (12–16)"]


def test_a_gap_between_levels_names_the_missing_marks():
    one_mark = Criterion("AO1", 20, levels((1, 4), (6, 10), (11, 20)))
    assert problems_of(one_mark) == [
        "criterion AO1: marks 5 fall between Level 1 and Level 2"
    ]
    two_marks = Criterion("AO1", 20, levels((1, 4), (7, 10), (11, 20)))
    assert problems_of(two_marks) == [
        "criterion AO1: marks 5–6 fall between Level 1 and Level 2"
    ]


def test_a_level_above_the_maximum_is_outside_the_range():
    criterion = Criterion("AO1", 25, levels(*ESSAY_RANGES[:-1], (21, 26)))
    assert problems_of(criterion) == ["criterion AO1, Level 5: range 21–26 is outside 0–25"]


def test_a_negative_mark_is_outside_the_range():
    criterion = Criterion("AO1", 25, levels((-1, 5), *ESSAY_RANGES[1:]))
    assert problems_of(criterion) == ["criterion AO1, Level 1: range -1–5 is outside 0–25"]


def test_levels_out_of_order_are_reported_as_not_ascending():
    swapped = (ESSAY_RANGES[0], ESSAY_RANGES[1], ESSAY_RANGES[3], ESSAY_RANGES[2],
               ESSAY_RANGES[4])
    criterion = Criterion("AO1", 25, levels(*swapped))
    found = problems_of(criterion)
    assert ("criterion AO1, Level 4: levels are not in ascending order "
            "(11–15 comes after 16–20)") in found


def test_a_range_that_runs_backwards_is_reported():
    criterion = Criterion("AO1", 25, levels((1, 5), (10, 6), (11, 15), (16, 20), (21, 25)))
    assert "criterion AO1, Level 2: range 10–6 runs backwards" in problems_of(criterion)


def test_an_empty_level_label_is_located_by_position():
    criterion = Criterion("AO1", 25, levels(*ESSAY_RANGES,
                                            labels=["Level 1", "  ", "Level 3", "Level 4",
                                                    "Level 5"]))
    assert problems_of(criterion) == ["criterion AO1, level 2: the label is empty"]


def test_a_repeated_level_label_is_reported():
    criterion = Criterion("AO1", 25, levels(*ESSAY_RANGES,
                                            labels=["Level 1", "Level 2", "Level 2", "Level 4",
                                                    "Level 5"]))
    assert problems_of(criterion) == [
        "criterion AO1, Level 2: the label is used by another level"
    ]


def test_an_empty_criterion_name_is_located_by_position():
    nameless = Criterion(" ", 10, levels((1, 2), (3, 4), (5, 6), (7, 8), (9, 10)))
    assert problems_of(essay_criterion(), nameless) == ["criterion 2: the name is empty"]


def test_an_overlap_in_an_unnamed_criterion_is_still_located():
    nameless = Criterion("", 10, levels((1, 5), (5, 10)))
    assert "criterion 1, Level 1: range 1–5 overlaps Level 2 (5–10)" in (
        problems_of(nameless))


def test_two_criteria_with_the_same_name_are_reported():
    assert problems_of(essay_criterion(), essay_criterion()) == [
        "criterion AO1: the name is used by another criterion"
    ]


def test_criterion_maxima_must_add_up_to_the_total():
    scheme = make_scheme(
        Criterion("AO1", 20, levels((1, 4), (5, 8), (9, 12), (13, 16), (17, 20))),
        Criterion("AO2", 10, levels((1, 2), (3, 4), (5, 6), (7, 8), (9, 10))),
        Criterion("AO3", 10, levels((1, 2), (3, 4), (5, 6), (7, 8), (9, 10))),
        total=45,
    )
    assert problems(scheme) == ["criterion maxima add up to 40 but the scheme total is 45"]


def test_top_level_must_reach_the_maximum_and_lowest_level_must_start_at_0_or_1():
    short = Criterion("AO1", 25, levels(*ESSAY_RANGES[:-1]))
    assert problems_of(short) == [
        "criterion AO1: the top level ends at 20 but the maximum is 25"
    ]
    late_start = Criterion("AO1", 25, levels(*ESSAY_RANGES[1:]))
    assert problems_of(late_start) == [
        "criterion AO1: marks 0–5 are in no level (start the lowest level at 0 or 1)"
    ]


def test_a_criterion_needs_levels_and_a_positive_maximum():
    assert problems_of(Criterion("AO1", 25, ())) == ["criterion AO1: no levels"]
    zero = Criterion("AO1", 0, (Level("Level 0", 0, 0),))
    assert "criterion AO1: maximum must be above 0 (it is 0)" in problems_of(zero)


def test_scheme_level_problems_id_question_criteria_and_word_limit():
    assert "scheme id is empty" in problems_of(id=" ")
    assert "the question is empty" in problems_of(question="")
    assert "word limit must be above 0 (it is 0)" in problems_of(word_limit=0)
    empty = Scheme(id="x", title="", question="Q?", criteria=(), total=0)
    assert problems(empty) == ["the scheme has no criteria"]


def test_every_problem_is_reported_at_once():
    broken = Criterion("AO1", 25, levels((1, 5), (7, 10), (10, 15), (16, 20), (21, 26)))
    found = problems_of(broken, total=30)
    assert len(found) == 4
    assert found[0].startswith("criterion AO1: marks 6 fall between")
    assert "overlaps" in found[1]
    assert "is outside 0–25" in found[2]
    assert found[3] == "criterion maxima add up to 25 but the scheme total is 30"


def test_validated_raises_a_scheme_error_with_every_problem_and_the_source():
    scheme = make_scheme(total=30, question="")
    with pytest.raises(SchemeError) as caught:
        scheme.validated("my-scheme.json")
    error = caught.value
    assert error.source == "my-scheme.json"
    assert error.problems == ["the question is empty",
                              "criterion maxima add up to 25 but the scheme total is 30"]
    assert str(error) == ("my-scheme.json: 2 problems: the question is empty; "
                          "criterion maxima add up to 25 but the scheme total is 30")


def test_a_single_problem_reads_as_one_line():
    with pytest.raises(SchemeError) as caught:
        make_scheme(total=30).validated("s.json")
    assert str(caught.value) == "s.json: criterion maxima add up to 25 but the scheme total is 30"


# -- JSON format -------------------------------------------------------------------------


def full_scheme() -> Scheme:
    return make_scheme(
        Criterion("AO1", 20, levels((0, 0), (1, 4), (5, 8), (9, 12), (13, 16), (17, 20),
                                    labels=[f"Level {i}" for i in range(6)]),
                  description="Knowledge and judgement"),
        Criterion("AO2", 10, tuple(replace(lv, indicative="• primary sources in context")
                                   for lv in levels((1, 2), (3, 4), (5, 6), (7, 8), (9, 10)))),
        Criterion("AO3", 10, levels((1, 2), (3, 4), (5, 6), (7, 8), (9, 10))),
        subject="History", board="AQA", paper="Component 3", word_limit=4500,
        guidance="Quotations count; the bibliography does not.",
    )


def test_json_round_trip_gives_an_equal_scheme():
    scheme = full_scheme()
    text = scheme.to_json()
    assert json.loads(text)["schema_version"] == SCHEME_FORMAT_VERSION
    assert scheme_from_json(text) == scheme


def test_json_keeps_non_ascii_text_readable():
    text = make_scheme().to_json()
    assert "‘Witte" in text and "\\u2018" not in text


def test_saved_file_loads_back_equal(tmp_path):
    scheme = full_scheme()
    path = tmp_path / "nea.json"
    scheme.save(path)
    assert load_scheme(path) == scheme
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_a_file_with_a_utf8_bom_loads(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + make_scheme().to_json().encode("utf-8"))
    assert load_scheme(path) == make_scheme()


def v1_data() -> dict:
    return {
        "schema_version": 1,
        "id": "old-essay",
        "title": "Essay from version 1",
        "question": "How far do you agree…?",
        "criteria": [{
            "name": "AO1",
            "marks": 25,
            "levels": [
                {"label": "Level 0", "range": "0"},
                {"label": "Level 1", "range": "1-5"},
                {"label": "Level 2", "range": "6-10"},
                {"label": "Level 3", "range": "11 - 15"},
                {"label": "Level 4", "range": "16-20", "descriptor": "Analytical"},
                {"label": "Level 5", "range": "21–25"},
            ],
        }],
    }


def test_a_version_1_file_is_upgraded():
    scheme = scheme_from_dict(v1_data())
    ao1 = scheme.criterion("AO1")
    assert ao1.maximum == 25 and scheme.total == 25
    assert [(lv.min_mark, lv.max_mark) for lv in ao1.levels] == [
        (0, 0), (1, 5), (6, 10), (11, 15), (16, 20), (21, 25)]
    assert ao1.level("Level 4").descriptor == "Analytical"
    assert json.loads(scheme.to_json())["schema_version"] == 2


def test_a_file_without_schema_version_is_read_as_version_1():
    data = v1_data()
    del data["schema_version"]
    assert scheme_from_dict(data) == scheme_from_dict(v1_data())


def test_a_version_1_file_with_an_unreadable_range_says_so():
    data = v1_data()
    data["criteria"][0]["levels"][1]["range"] = "one to five"
    with pytest.raises(SchemeError) as caught:
        scheme_from_dict(data)
    assert caught.value.problems[0].startswith("cannot upgrade from version 1:")


def test_unknown_keys_are_refused_by_name():
    data = make_scheme().to_dict()
    data["colour"] = "blue"
    with pytest.raises(SchemeError) as caught:
        scheme_from_dict(data, "essay.json")
    assert caught.value.problems == ["scheme: unknown key 'colour'"]
    assert str(caught.value) == "essay.json: scheme: unknown key 'colour'"


def test_unknown_keys_in_a_level_are_located():
    data = make_scheme().to_dict()
    data["criteria"][0]["levels"][4]["colour"] = "green"
    data["criteria"][0]["levels"][4]["weight"] = 2
    with pytest.raises(SchemeError) as caught:
        scheme_from_dict(data)
    assert caught.value.problems == ["criterion AO1, Level 4: unknown keys 'colour', 'weight'"]


def test_a_newer_schema_version_is_refused():
    data = make_scheme().to_dict()
    data["schema_version"] = SCHEME_FORMAT_VERSION + 1
    with pytest.raises(SchemeError) as caught:
        scheme_from_dict(data)
    message = caught.value.problems[0]
    assert message.startswith(f"schema_version {SCHEME_FORMAT_VERSION + 1} is newer than")
    assert "update Essay Marker" in message


@pytest.mark.parametrize("version", ["2", 2.0, True, None])
def test_a_schema_version_that_is_not_a_whole_number_is_refused(version):
    data = make_scheme().to_dict()
    data["schema_version"] = version
    with pytest.raises(SchemeError, match="schema_version must be a whole number"):
        scheme_from_dict(data)


def test_invalid_json_reports_line_and_column():
    text = '{\n  "id": "x",\n  "question": "Q?",,\n}'
    with pytest.raises(SchemeError) as caught:
        scheme_from_json(text, "broken.json")
    (message,) = caught.value.problems
    assert message.startswith("not valid JSON (line 3, column 20:")
    assert str(caught.value).startswith("broken.json: not valid JSON (line 3")


def test_a_mark_that_is_not_a_whole_number_is_located():
    data = make_scheme().to_dict()
    data["criteria"][0]["levels"][4]["min"] = "16"
    data["criteria"][0]["maximum"] = 25.0
    with pytest.raises(SchemeError) as caught:
        scheme_from_dict(data)
    assert caught.value.problems == [
        "criterion AO1, Level 4: 'min' must be a whole number, found '16'",
        "criterion AO1: 'maximum' must be a whole number, found 25.0",
    ]


def test_a_file_that_is_not_a_scheme_object_is_refused():
    with pytest.raises(SchemeError, match="does not hold a scheme object"):
        scheme_from_json("[1, 2, 3]")


def test_a_loaded_file_is_validated_and_problems_name_the_file(tmp_path):
    data = make_scheme().to_dict()
    data["total"] = 30
    path = tmp_path / "wrong-total.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    assert str(caught.value) == (
        "wrong-total.json: criterion maxima add up to 25 but the scheme total is 30")


def test_unreadable_and_non_utf8_files_give_one_line_reasons(tmp_path):
    with pytest.raises(SchemeError, match=r"^missing\.json: cannot read the file"):
        load_scheme(tmp_path / "missing.json")
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{"question": "Caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(SchemeError, match=r"^latin1\.json: the file is not UTF-8 text$"):
        load_scheme(latin)


# -- best fit within a level -------------------------------------------------------------


def test_position_in_a_five_mark_level():
    level4 = Level("Level 4", 16, 20)
    assert [level4.position_of(m) for m in range(16, 21)] == [
        "lower", "lower", "middle", "upper", "upper"]


def test_position_in_a_six_mark_level():
    level5 = Level("Level 5", 25, 30)
    assert [level5.position_of(m) for m in range(25, 31)] == [
        "lower", "lower", "middle", "middle", "upper", "upper"]


def test_position_in_a_four_mark_level():
    level3 = Level("Level 3", 9, 12)
    assert [level3.position_of(m) for m in range(9, 13)] == [
        "lower", "middle", "middle", "upper"]


@pytest.mark.parametrize("lo,hi", [(1, 2), (1, 3), (1, 4), (16, 20), (25, 30), (1, 10)])
def test_positions_are_symmetric_about_the_middle_of_the_level(lo, hi):
    level = Level("L", lo, hi)
    mirror = {"lower": "upper", "middle": "middle", "upper": "lower"}
    for k in range(hi - lo + 1):
        assert level.position_of(lo + k) == mirror[level.position_of(hi - k)]


def test_position_in_two_mark_and_single_mark_levels():
    assert [Level("L", 9, 10).position_of(m) for m in (9, 10)] == ["lower", "upper"]
    assert Level("Level 0", 0, 0).position_of(0) == "middle"


def test_problems_are_located_by_position_for_the_editor():
    from rubric.record import replace
    from rubric.scheme import scheme_problems
    from rubric.templates import template

    scheme = template("aqa-history-essay-25")
    ao1 = scheme.criteria[0]
    levels = list(ao1.levels)
    levels[3] = replace(levels[3], max_mark=levels[4].min_mark)   # Level 3 overlaps Level 4
    broken = replace(scheme, criteria=(replace(ao1, levels=tuple(levels)),))
    found = scheme_problems(broken)
    overlap = next(p for p in found if "overlaps" in p.message)
    assert (overlap.criterion, overlap.level) == (0, 3)
    assert str(overlap).startswith("criterion AO1, Level 3: range")
    total = scheme_problems(replace(scheme, total=30))
    assert [(p.criterion, p.level) for p in total] == [(None, None)]
