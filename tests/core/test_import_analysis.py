"""Title and candidate detection, file-name patterns, word counts and warnings."""

from __future__ import annotations

import pytest

from rubric.importing import (
    ImportOptions,
    ScriptWarning,
    candidate_from_filename,
    count_words,
    inspect_file,
    pattern_problems,
    word_limit_warning,
)
from rubric.importing.analysis import find_duplicates, merge_candidate, parse_candidate_line
from rubric.importing.model import Paragraph

try:
    from tests.core import makefiles as mk
except ImportError:
    import makefiles as mk

BODY = mk.essay_paragraphs(400, seed=50)


def txt(tmp_path, lines, name="essay.txt"):
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return inspect_file(path)


# --- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("nineteenth-century", 1),
        ("Stalin’s", 1),
        ("Stalin's policy", 2),
        ("1917–1924", 2),
        ("In 1933, Hitler — the Führer — ruled.", 6),
        ("o’clock rock-n-roll", 2),
        ("  ", 0),
        ("– — … “ ”", 0),
        ("e.g. 4,500 words", 5),
        ("cafe\u0301 déjà", 2),
    ],
)
def test_count_words(text, words):
    assert count_words(text) == words


def _tokens_the_long_way(text: str) -> list[str]:
    """The words found first, then lower-cased: what ``tokens`` must always give."""
    from rubric.importing.words import words_of

    found = words_of(text)
    return " ".join(found).lower().replace("’", "'").split(" ") if found else []


@pytest.mark.parametrize("text", [
    "Stalin’s “Great Terror” — 1936–38 — DÉJÀ VU, ÉCOLE; o’clock rock-n-roll",
    "İSTANBUL and İzmir",  # İ lower-cases to two characters
    "ΟΔΟΣ.Α and ΟΔΟΣ Α",  # final sigma depends on what follows
    "Über STRASSE ẞ ǅemal ﬁne ΑΘΗΝΑ Москва 東京 한국어 café\u0301",
    "[I]t was [1] and [IV] or [iv] — [*]",
    "snake_case _x x_ __init__ ⅫⅣ ⓐⒶ",
    "",
])
def test_comparable_words_are_the_words_lower_cased(text):
    from rubric.importing.analysis import tokens

    assert tokens(text) == _tokens_the_long_way(text)
    assert len(tokens(text)) == count_words(text)


def test_lower_casing_first_is_safe_for_every_character_it_is_used_for():
    """``tokens`` lower-cases a text before finding its words unless the text holds a
    character outside the ranges where lower-casing changes no word boundary: every
    character let through maps to one character of the same kind (start of a word, inside
    a word, joiner, or neither)."""
    import re

    from rubric.importing.analysis import _LOWER_CHANGES_WORDS

    kinds = [re.compile(r"[^\W_]"), re.compile(r"[\w\u0300-\u036f]"), re.compile(r"['’\-\u2010\u2011]")]
    allowed = 0
    for code in range(0x2200):
        char = chr(code)
        if _LOWER_CHANGES_WORDS.match(char):
            continue
        allowed += 1
        lower = char.lower()
        assert len(lower) == 1, f"U+{code:04X}"
        assert [bool(k.fullmatch(char)) for k in kinds] == [bool(k.fullmatch(lower)) for k in kinds], \
            f"U+{code:04X}"
    assert allowed > 1500


# --- title and candidate ------------------------------------------------------------------------

HEADERS = [
    (
        [mk.QUESTION_STATEMENT, mk.QUESTION_INSTRUCTION, "Candidate: Jane Smith (4321)"],
        mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION,
        ("Jane Smith", "4321"),
    ),
    (
        [mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION, "Name: J. Smith"],
        mk.QUESTION_STATEMENT + " " + mk.QUESTION_INSTRUCTION,
        ("J. Smith", ""),
    ),
    (["To what extent was the New Economic Policy a retreat from socialism?", "Jane Smith 4321"], "To what extent was the New Economic Policy a retreat from socialism?", ("Jane Smith", "4321")),
    (["Jane Smith 4321", "How far do you agree that Stalin was a revolutionary?"], "How far do you agree that Stalin was a revolutionary?", ("Jane Smith", "4321")),
    (["‘Bismarck was a pragmatist.’ How far do you agree with this view?", "J.S."], "‘Bismarck was a pragmatist.’ How far do you agree with this view?", ("J.S.", "")),
    (["Title: The causes of the Russian Revolution", "Candidate number: 0042"], "The causes of the Russian Revolution", ("", "0042")),
    (["Assess the reasons for the collapse of the Weimar Republic."], "Assess the reasons for the collapse of the Weimar Republic.", ("", "")),
    (["The Weimar Republic and its enemies", "By Jane Smith"], "The Weimar Republic and its enemies", ("Jane Smith", "")),
    (["Name: Jane Smith   Candidate number: 4321", "Was Stalin a revolutionary?"], "Was Stalin a revolutionary?", ("Jane Smith", "4321")),
    (["Jane Smith", "How far was Stalin a revolutionary?"], "How far was Stalin a revolutionary?", ("Jane Smith", "")),
    (["Introduction"], "", ("", "")),
    ([], "", ("", "")),
]


@pytest.mark.parametrize(("opening", "title", "candidate"), HEADERS)
def test_title_and_candidate_lines(tmp_path, opening, title, candidate):
    draft = txt(tmp_path, [*opening, *BODY])
    assert draft.title == title
    assert (draft.candidate_name, draft.candidate_number) == candidate
    expected_paragraphs = BODY if opening != ["Introduction"] else ["Introduction", *BODY]
    assert [p.text for p in draft.paragraphs] == expected_paragraphs


def test_bare_name_after_the_title_is_not_taken_for_a_candidate(tmp_path):
    draft = txt(tmp_path, ["How far was Stalin a revolutionary?", "Economic Factors", *BODY])
    assert draft.candidate == "" and draft.paragraphs[0].text == "Economic Factors"
    assert draft.paragraphs[0].kind == "heading"


def test_body_that_starts_with_a_sentence_has_no_title(tmp_path):
    draft = txt(tmp_path, BODY)
    assert draft.title == "" and [p.text for p in draft.paragraphs] == BODY


def test_short_intro_that_mentions_the_question_is_not_a_title(tmp_path):
    intro = "To what extent was Hitler responsible? This essay will argue that he was, but only in part."
    draft = txt(tmp_path, [intro, *BODY])
    assert draft.title == "" and draft.paragraphs[0].text == intro


@pytest.mark.parametrize(
    "line",
    ["Word count 1523", "Russian Revolution 1917", "The Russian Revolution 1917", "In 1917 the Tsar abdicated.", "By the end of the war"],
)
def test_not_candidate_lines(line):
    assert parse_candidate_line(line) is None


# --- file names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [
        ("1234_Smith_Jane.docx", "{number}_{surname}_{forename}", ("Jane Smith", "1234")),
        ("1234-Smith-Jane.pdf", "{number}_{surname}_{forename}", ("Jane Smith", "1234")),
        ("1234 Smith Jane.txt", "{number}_{surname}_{forename}", ("Jane Smith", "1234")),
        ("1234_SMITH-JONES_Mary-Ann.docx", "{number}_{surname}_{forename}", ("Mary-Ann Smith-Jones", "1234")),
        ("1234_O'Neil_Sean (1).docx", "{number}_{surname}_{forename}", ("Sean O'Neil", "1234")),
        ("1234_McDonald_amy.docx", "{number}_{surname}_{forename}", ("Amy McDonald", "1234")),
        ("essay final.docx", "{number}_{surname}_{forename}", ("", "")),
        ("Smith_Jane.docx", "{number}_{surname}_{forename}", ("", "")),
        ("Jane Smith_51234_assignsubmission_file_Essay.docx", "{name}_{number}_*", ("Jane Smith", "51234")),
        ("JS-0042.docx", "{initials}-{number}", ("JS", "0042")),
        ("Smith, Jane - 0042.odt", "{surname}, {forename} - {number}", ("Jane Smith", "0042")),
        # what the file is, not whose: the text decides
        ("01 Russia essay.docx", "{number}_{surname}_{forename}", ("", "")),
        ("2024_History_Coursework.docx", "{number}_{surname}_{forename}", ("", "")),
        ("3_Weimar_Germany.pdf", "{number}_{surname}_{forename}", ("", "")),
        # names that are also words of a subject stay names
        ("4021_English_Stuart.docx", "{number}_{surname}_{forename}", ("Stuart English", "4021")),
        ("4022_French_Tudor.docx", "{number}_{surname}_{forename}", ("Tudor French", "4022")),
        # a name saved in decomposed form (macOS) reads as it is shown
        ("2292_Smith-Jones_Zoe\u0308.docx", "{number}_{surname}_{forename}",
         ("Zo\u00eb Smith-Jones", "2292")),
    ],
)
def test_candidate_from_filename(name, pattern, expected):
    assert candidate_from_filename(name, pattern) == expected


def test_a_file_named_for_the_essay_leaves_the_candidate_to_the_text(tmp_path):
    path = tmp_path / "01 Russia essay.txt"
    path.write_text("Candidate: Jane Smith (1234)\n\n" + "\n\n".join(BODY), encoding="utf-8")
    draft = inspect_file(path)
    assert (draft.candidate_name, draft.candidate_number) == ("Jane Smith", "1234")


def test_invalid_patterns():
    assert pattern_problems("{number}_{surname}_{forename}") == []
    assert pattern_problems("{num}_{surname}")[0].startswith("unknown field {num}")
    assert "no fields" in pattern_problems("essay")[0]
    with pytest.raises(ValueError):
        candidate_from_filename("1234.docx", "{nope}")


def test_invalid_pattern_in_options_is_a_warning_not_a_failure(tmp_path):
    path = tmp_path / "1234_Smith_Jane.txt"
    path.write_text("\n".join(BODY), encoding="utf-8")
    draft = inspect_file(path, ImportOptions(name_pattern="{nope}"))
    assert draft.candidate == ""
    assert [w.code for w in draft.warnings] == ["name_pattern_invalid"]


def test_file_name_and_text_together(tmp_path):
    # file name gives the full name and number; the text's initials do not override them
    draft = txt(tmp_path, ["J.S.", *BODY], name="1234_Smith_Jane.txt")
    assert draft.candidate == "Jane Smith (1234)"
    # file name without a match: the text's line is used
    draft = txt(tmp_path, ["Candidate: Jane Smith (4321)", *BODY], name="essay.txt")
    assert draft.candidate == "Jane Smith (4321)"
    # number only in the text, name only in the file
    draft = txt(tmp_path, ["Candidate number: 4321", *BODY], name="Smith_Jane.txt")
    # the default pattern needs a number, so this file name gives nothing
    assert (draft.candidate_name, draft.candidate_number) == ("", "4321")
    assert merge_candidate("Jane Smith", "", "J. Smith", "4321") == ("Jane Smith", "4321")
    assert merge_candidate("JS", "1234", "Jane Smith", "") == ("Jane Smith", "1234")
    assert merge_candidate("", "", "Jane Smith", "4321") == ("Jane Smith", "4321")


# --- kinds and counts -----------------------------------------------------------------------------


def test_coursework_count_leaves_out_headings_footnotes_references_appendices(tmp_path):
    body = mk.essay_paragraphs(300, seed=51)
    quote = "“The Nazi seizure of power was not inevitable; it was the result of choices made by a few men.”"
    path = mk.make_docx(
        tmp_path / "nea.docx",
        [
            ("Title", "How far was the Nazi seizure of power inevitable?"),
            ("Heading 1", "Introduction"),
            *body,
            ("Quote", quote),
            "Economic factors",  # an unstyled heading: short, no full stop, before a longer paragraph
            body[0].replace("Moreover", "Furthermore"),
            ("Heading 1", "Bibliography"),
            "Evans, R. The Coming of the Third Reich (London, 2003).",
            ("Heading 2", "Primary sources"),
            "Speech by Hitler, 1932.",
            ("Heading 1", "Appendix 1: Election results 1928–1933"),
            "A table of results with some commentary on them.",
        ],
    )
    mk.add_docx_footnotes(path, ["Evans, p. 12, a footnote of nine words."])
    draft = inspect_file(path)
    kinds = {p.text: p.kind for p in draft.paragraphs}
    assert kinds["Introduction"] == "heading"
    assert kinds["Economic factors"] == "heading"
    assert kinds[quote] == "quote"
    assert kinds["Evans, R. The Coming of the Third Reich (London, 2003)."] == "reference"
    assert kinds["Speech by Hitler, 1932."] == "reference"
    assert kinds["Appendix 1: Election results 1928–1933"] == "heading"
    assert kinds["A table of results with some commentary on them."] == "appendix"
    assert kinds["[1] Evans, p. 12, a footnote of nine words."] == "footnote"

    counted = [*body, quote, body[0].replace("Moreover", "Furthermore")]
    assert draft.coursework_word_count == sum(count_words(t) for t in counted)
    assert draft.word_count == sum(count_words(p.text) for p in draft.paragraphs)
    assert draft.word_count > draft.coursework_word_count
    assert "inevitable" not in " ".join(p.text for p in draft.paragraphs if p.kind == "heading")


def test_a_sources_heading_over_the_students_analysis_is_part_of_the_essay(tmp_path):
    """An NEA's "Primary sources" section analyses the sources: it is coursework, and so is
    the conclusion after it; the bibliography at the end is not."""
    body = mk.essay_paragraphs(500, seed=52)
    analysis = ("The primary sources for Stolypin’s reforms are unusually rich, because the "
                "Duma reports, the Okhrana files and the minister’s own speeches all survive, "
                "and each must be read with its purpose in mind.")
    entries = ["Figes, O., A People’s Tragedy (London, 1996).",
               "Waldron, P., Between Two Revolutions (London, 1998)."]
    path = mk.make_docx(tmp_path / "nea.docx", [
        ("Title", "How far did Stolypin’s reforms strengthen Tsarist rule?"), body[0],
        ("Heading 1", "Primary sources"), analysis, *body[1:3],
        ("Heading 1", "Conclusion"), body[3],
        ("Heading 1", "Bibliography"), *entries])
    draft = inspect_file(path)
    kinds = {p.text: p.kind for p in draft.paragraphs}
    assert [kinds[t] for t in (analysis, *body[1:4])] == ["body"] * 4
    assert [kinds[t] for t in entries] == ["reference", "reference"]
    assert draft.coursework_word_count == sum(count_words(t) for t in (analysis, *body[:4]))


@pytest.mark.parametrize("text, kind", [
    ("“The government must stake its wager not on the needy and the drunken, but on the "
     "sturdy and the strong.” (Stolypin, 1908)", "quote"),
    ("“Stolypin’s ‘wager on the strong’ was lost before it was placed, and the peasants "
     "knew it.” (Figes, 1996)", "quote"),
    ("“Peace, land and bread” was the slogan that Lenin used in 1917, and the Provisional "
     "Government could offer none of the three, only “patience”.", "body"),
    ("“We need a great Russia,” Stolypin told his radical opponents in the Duma, and he "
     "meant a Russia of property-owning peasants loyal to the Tsar.", "body"),
])
def test_a_paragraph_that_opens_with_a_quoted_phrase_is_the_students_prose(tmp_path, text, kind):
    path = mk.make_docx(tmp_path / "q.docx", [BODY[0], text, BODY[1]])
    assert {p.text: p.kind for p in inspect_file(path).paragraphs}[text] == kind


@pytest.mark.parametrize("heading", ["References", "Works cited", "Sources consulted", "BIBLIOGRAPHY", "Bibliography:"])
def test_reference_sections_in_plain_text(tmp_path, heading):
    draft = txt(tmp_path, [*BODY, heading, "Evans, R. The Coming of the Third Reich (2003).", "Kershaw, I. Hitler (1998)."])
    assert [p.kind for p in draft.paragraphs][-3:] == ["heading", "reference", "reference"]
    assert draft.coursework_word_count == sum(count_words(t) for t in BODY)


# --- warnings -------------------------------------------------------------------------------------


def test_duplicate_passage_says_where(tmp_path):
    body = mk.essay_paragraphs(1200, seed=52, per_paragraph=100)
    repeated = body[2]
    lines = ["How far was Stalin a revolutionary?", *body[:8], repeated, *body[8:]]
    draft = txt(tmp_path, lines)
    codes = [w.code for w in draft.warnings]
    assert codes == ["duplicate_passage"]
    words = count_words(repeated)
    first_words = " ".join(repeated.split()[:6])
    assert draft.warnings[0].message == f"paragraph 9 repeats {words} words from paragraph 3 (“{first_words}…”)"


def test_duplicate_within_a_paragraph_and_no_false_alarm(tmp_path):
    passage = " ".join(mk.essay_paragraphs(60, seed=53))
    paragraphs = [Paragraph(mk.essay_paragraphs(200, seed=54)[0]), Paragraph(passage + " " + passage)]
    warning = find_duplicates(paragraphs)
    assert len(warning) == 1 and "paragraph 2 repeats" in warning[0].message and "same paragraph" in warning[0].message
    assert find_duplicates([Paragraph(p) for p in mk.essay_paragraphs(4500, seed=55)]) == []
    # 39 repeated words are not enough
    short = " ".join(passage.split()[:39])
    assert find_duplicates([Paragraph(short + " " + mk.essay_paragraphs(100, seed=56)[0]), Paragraph(short)]) == []
    # footnotes and references are not compared
    assert find_duplicates([Paragraph(passage), Paragraph(passage, "footnote")]) == []


def test_duplicate_detection_finds_one_repeat_in_a_long_script():
    # (its speed, about 2 ms for 4,500 words, is measured in tests/benchmarks)
    paragraphs = [Paragraph(p) for p in mk.essay_paragraphs(4500, seed=57)]
    paragraphs.append(Paragraph(paragraphs[3].text))
    warnings = find_duplicates(paragraphs)
    assert len(warnings) == 1
    assert f"paragraph {len(paragraphs)} repeats" in warnings[0].message
    assert "from paragraph 4 " in warnings[0].message


def test_word_limit_warning():
    assert word_limit_warning(4812, 4500) == ScriptWarning("over_word_limit", "4,812 words: 312 over the 4,500-word limit")
    assert word_limit_warning(4500, 4500) is None
    assert word_limit_warning(9999, None) is None


def test_word_limit_uses_the_coursework_count(tmp_path):
    lines = [*BODY, "Bibliography", *mk.essay_paragraphs(300, seed=58)]
    draft = txt(tmp_path, lines)
    limit = draft.coursework_word_count
    assert txt(tmp_path, lines).warnings == []
    assert inspect_file(tmp_path / "essay.txt", ImportOptions(word_limit=limit)).warnings == []
    over = inspect_file(tmp_path / "essay.txt", ImportOptions(word_limit=limit - 12)).warnings
    assert over == [ScriptWarning("over_word_limit", f"{limit:,} words: 12 over the {limit - 12:,}-word limit")]


def test_empty_and_near_empty(tmp_path):
    draft = txt(tmp_path, ["To what extent was Stalin a revolutionary?"])
    assert draft.paragraphs == [] and [w.code for w in draft.warnings] == ["empty"]
    draft = txt(tmp_path, ["   ", "\t"])
    assert [w.code for w in draft.warnings] == ["empty"]
    draft = txt(tmp_path, ["Stalin was a revolutionary in some ways but not in others, as this short answer shows."])
    assert [w.code for w in draft.warnings] == ["near_empty"]
    assert "16 words" in draft.warnings[0].message


def test_a_word_count_line_at_the_end_is_not_counted(tmp_path):
    path = mk.make_docx(tmp_path / "nea.docx", [*BODY, "Word count: 1,503"])
    draft = inspect_file(path)
    assert draft.paragraphs[-1].text == "Word count: 1,503"
    assert draft.paragraphs[-1].kind == "front_matter"
    assert draft.coursework_word_count == sum(count_words(t) for t in BODY)
