"""The bundled templates, comment bank and sample essays that a new user starts from."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from rubric.errors import SchemeError
from rubric.scheme import load_scheme, problems, scheme_from_json
from rubric.templates import (
    DEFAULT_TEMPLATE_ID,
    bundled_templates,
    default_scheme,
    scheme_from_id_or_file,
    template,
)

TEMPLATE_IDS = {
    "aqa-history-essay-25",
    "aqa-history-extracts-30",
    "aqa-history-sources-30",
    "aqa-history-nea-40",
    "edexcel-history-essay-20",
}

RESOURCES = resources.files("resources")


def template_files():
    return sorted((f for f in RESOURCES.joinpath("templates").iterdir()
                   if f.name.endswith(".json")), key=lambda f: f.name)


def ranges(criterion) -> list[tuple[str, int, int]]:
    return [(lv.label, lv.min_mark, lv.max_mark) for lv in criterion.levels]


def five_levels_of(width: int) -> list[tuple[str, int, int]]:
    return [("Level 0", 0, 0)] + [
        (f"Level {i}", (i - 1) * width + 1, i * width) for i in range(1, 6)]


# -- templates ---------------------------------------------------------------------------


def test_the_five_templates_are_bundled_with_stable_unique_ids():
    ids = [s.id for s in bundled_templates()]
    assert len(ids) == len(set(ids))
    assert set(ids) == TEMPLATE_IDS


@pytest.mark.parametrize("file", template_files(), ids=lambda f: f.name)
def test_every_template_file_loads_validates_and_is_named_after_its_id(file):
    with resources.as_file(file) as path:
        scheme = load_scheme(path)
    assert problems(scheme) == []
    assert file.name == f"{scheme.id}.json"
    assert scheme.to_json() == file.read_text(encoding="utf-8")  # saved in canonical form
    assert scheme_from_json(scheme.to_json()) == scheme


@pytest.mark.parametrize("scheme", bundled_templates(), ids=lambda s: s.id)
def test_every_template_is_complete_enough_to_mark_with(scheme):
    assert scheme.subject == "History"
    assert scheme.board in {"AQA", "Edexcel"}
    assert scheme.title and scheme.paper and scheme.question and scheme.guidance
    assert scheme.total == sum(c.maximum for c in scheme.criteria)
    for criterion in scheme.criteria:
        assert criterion.description
        assert criterion.levels[0].label == "Level 0"
        assert (criterion.levels[0].min_mark, criterion.levels[0].max_mark) == (0, 0)
        for mark in range(criterion.maximum + 1):
            holding = [lv.label for lv in criterion.levels if lv.contains(mark)]
            assert len(holding) == 1, f"{criterion.name} mark {mark} is in {holding}"
        descriptors = [lv.descriptor for lv in criterion.levels]
        assert all(d.strip() for d in descriptors)
        assert len(set(descriptors)) == len(descriptors)
    assert any(lv.indicative.strip() for c in scheme.criteria for lv in c.levels)


def test_default_template_is_first_and_is_the_25_mark_essay():
    schemes = bundled_templates()
    assert schemes[0].id == DEFAULT_TEMPLATE_ID == "aqa-history-essay-25"
    scheme = default_scheme()
    assert scheme is schemes[0]
    assert scheme.total == 25
    assert [c.name for c in scheme.criteria] == ["AO1"]
    assert ranges(scheme.criteria[0]) == five_levels_of(5)
    assert scheme.question.endswith("Assess the validity of this view.")
    assert scheme.word_limit is None
    assert scheme.criteria[0].level_for_mark(18).label == "Level 4"


def test_extract_and_source_templates_are_30_marks_in_levels_of_six():
    extracts = template("aqa-history-extracts-30")
    sources = template("aqa-history-sources-30")
    assert [(c.name, c.maximum) for c in extracts.criteria] == [("AO3", 30)]
    assert [(c.name, c.maximum) for c in sources.criteria] == [("AO2", 30)]
    assert ranges(extracts.criteria[0]) == five_levels_of(6)
    assert ranges(sources.criteria[0]) == five_levels_of(6)
    assert "extracts" in extracts.question and "sources" in sources.question


def test_nea_template_splits_40_marks_and_has_the_word_limit():
    nea = template("aqa-history-nea-40")
    assert [(c.name, c.maximum) for c in nea.criteria] == [("AO1", 20), ("AO2", 10), ("AO3", 10)]
    assert nea.total == 40
    assert nea.word_limit == 4500
    assert ranges(nea.criterion("AO1")) == five_levels_of(4)
    assert ranges(nea.criterion("AO2")) == five_levels_of(2)
    assert ranges(nea.criterion("AO3")) == five_levels_of(2)
    guidance = nea.guidance.lower()
    assert "quotations count" in guidance
    for excluded in ("title", "headings", "footnotes", "references", "bibliography",
                     "appendices"):
        assert excluded in guidance


def test_edexcel_template_is_20_marks_in_levels_of_four():
    edexcel = template("edexcel-history-essay-20")
    assert edexcel.board == "Edexcel"
    assert edexcel.question.startswith("How far do you agree")
    assert [(c.name, c.maximum) for c in edexcel.criteria] == [("AO1", 20)]
    assert ranges(edexcel.criteria[0]) == five_levels_of(4)


def test_an_unknown_template_id_lists_the_known_ones():
    with pytest.raises(SchemeError) as caught:
        template("ocr-history-essay-30")
    message = str(caught.value)
    assert message.startswith("no template with id 'ocr-history-essay-30' (known: ")
    for known in TEMPLATE_IDS:
        assert known in message


def test_a_template_can_be_chosen_by_id_or_by_file(tmp_path):
    assert scheme_from_id_or_file("aqa-history-nea-40") is template("aqa-history-nea-40")
    edited = template("edexcel-history-essay-20")
    path = tmp_path / "our-version.json"
    edited.save(path)
    assert scheme_from_id_or_file(str(path)) == edited


# -- comment bank ------------------------------------------------------------------------

COMMENT_KINDS = {"www", "ebi", "general", "annotation"}


def bank() -> dict:
    return json.loads(RESOURCES.joinpath("banks", "history.json").read_text(encoding="utf-8"))


def test_comment_bank_is_valid_and_covers_every_kind():
    data = bank()
    assert set(data) == {"schema_version", "comments"}
    assert data["schema_version"] == 1
    comments = data["comments"]
    assert 30 <= len(comments) <= 60
    criteria = {c.name for s in bundled_templates() for c in s.criteria}
    labels = {lv.label for c in default_scheme().criteria for lv in c.levels}
    for comment in comments:
        assert set(comment) == {"kind", "criterion", "level", "text", "shortcut"}
        assert comment["kind"] in COMMENT_KINDS
        assert comment["criterion"] is None or comment["criterion"] in criteria
        assert comment["level"] is None or comment["level"] in labels
        assert isinstance(comment["text"], str) and comment["text"].strip() == comment["text"]
        assert comment["text"]
        assert comment["shortcut"] is None or re.fullmatch(r"[a-z]\d{1,2}", comment["shortcut"])
    assert {c["kind"] for c in comments} == COMMENT_KINDS
    shortcuts = [c["shortcut"] for c in comments if c["shortcut"]]
    assert len(shortcuts) == len(set(shortcuts))
    texts = [c["text"] for c in comments]
    assert len(texts) == len(set(texts))


def test_comment_bank_has_what_went_well_and_even_better_if_at_several_levels():
    comments = bank()["comments"]
    for kind in ("www", "ebi"):
        assert sum(c["kind"] == kind for c in comments) >= 8
    ebi_levels = {c["level"] for c in comments if c["kind"] == "ebi" and c["level"]}
    assert len(ebi_levels) >= 3
    assert sum(c["kind"] == "annotation" for c in comments) >= 10


# -- sample essays -----------------------------------------------------------------------

NAME_PATTERN = re.compile(r"(?P<number>\d{4})_(?P<surname>[A-Z][A-Za-z'’-]+)_"
                          r"(?P<forename>[A-Z][A-Za-z'’-]+)\.txt")
CANDIDATE_LINE = re.compile(r"Candidate: (?P<name>.+) \((?P<number>\d{4})\)")


def samples() -> list:
    return sorted((f for f in RESOURCES.joinpath("samples").iterdir() if f.name.endswith(".txt")),
                  key=lambda f: f.name)


def words(text: str) -> list[str]:
    return text.split()


def body(file) -> str:
    return file.read_text(encoding="utf-8").split("\n", 3)[3]


def test_there_are_at_least_ten_sample_essays_on_at_least_three_questions():
    files = samples()
    assert len(files) >= 10
    questions = {f.read_text(encoding="utf-8").splitlines()[0] for f in files}
    assert len(questions) >= 3


@pytest.mark.parametrize("file", samples(), ids=lambda f: f.name)
def test_each_sample_is_utf8_and_follows_the_layout(file):
    raw = file.read_bytes()
    text = raw.decode("utf-8")  # raises if not UTF-8
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "\r" not in text and "\t" not in text
    match = NAME_PATTERN.fullmatch(file.name)
    assert match, f"{file.name} does not follow NUMBER_Surname_Forename.txt"
    lines = text.split("\n")
    assert lines[0].rstrip().endswith(("?", "Assess the validity of this view."))
    candidate = CANDIDATE_LINE.fullmatch(lines[1])
    assert candidate
    assert candidate["number"] == match["number"]
    assert candidate["name"] == f"{match['forename']} {match['surname']}"
    assert lines[2] == ""
    paragraphs = body(file).rstrip("\n").split("\n\n")
    assert len(paragraphs) >= 5
    assert all(p.strip() == p and p for p in paragraphs)
    # One paragraph per line, except the entries of a bibliography, one per line.
    prose = paragraphs[:paragraphs.index("Bibliography")] if "Bibliography" in paragraphs \
        else paragraphs
    assert all("\n" not in p for p in prose)
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_candidate_numbers_are_unique():
    numbers = [NAME_PATTERN.fullmatch(f.name)["number"] for f in samples()]
    assert len(numbers) == len(set(numbers))


def test_samples_range_from_weak_to_strong():
    counts = [len(words(body(f))) for f in samples()]
    assert min(counts) < 700
    assert sum(900 <= n <= 1200 for n in counts) >= 3
    assert sum(n >= 1300 for n in counts) >= 3


def test_samples_look_word_typed():
    text = "".join(f.read_text(encoding="utf-8") for f in samples())
    for mark in ("’", "“", "”", "–"):
        assert mark in text


def test_the_default_template_question_has_a_demo_class():
    question = default_scheme().question
    answering = [f for f in samples() if f.read_text(encoding="utf-8").startswith(question + "\n")]
    assert len(answering) >= 4


def test_there_is_a_coursework_sample_with_headings_and_a_bibliography():
    nea_question = template("aqa-history-nea-40").question
    nea = [f for f in samples() if f.read_text(encoding="utf-8").startswith(nea_question)]
    assert len(nea) == 1
    paragraphs = body(nea[0]).split("\n\n")
    assert "Bibliography" in paragraphs
    assert "Introduction" in paragraphs and "Conclusion" in paragraphs
    assert len(words(body(nea[0]))) >= 1500
    assert body(nea[0]).count("“") >= 2


def repeated_passage(text: str, length: int = 45) -> tuple[int, int] | None:
    """Start indices of the first ``length``-word run that occurs twice without overlap."""
    tokens = words(text)
    first_seen: dict[tuple[str, ...], int] = {}
    for i in range(len(tokens) - length + 1):
        key = tuple(tokens[i:i + length])
        if key in first_seen and i - first_seen[key] >= length:
            return first_seen[key], i
        first_seen.setdefault(key, i)
    return None


def test_exactly_one_sample_has_a_passage_pasted_twice():
    faulty = [f.name for f in samples() if repeated_passage(body(f))]
    assert faulty == ["4211_Chen_Grace.txt"]


def test_samples_readme_lists_every_sample_with_an_intended_mark():
    readme = RESOURCES.joinpath("samples", "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line
            for line in readme.splitlines() if line.startswith("| `")}
    assert set(rows) == {f.name for f in samples()}
    for line in rows.values():
        assert re.search(r"Level \d, \d+/(20|25|40)", line)
