"""The opening of a script: title or question, candidate, school and MLA headers, cover
pages, in every format (issue 7).

The essay below is invented for these tests. Its opening has the shape of a real
extracted script: the question wraps over two lines with a line-end hyphen inside a word,
its opening quotation mark is lost, then an initials line, then the body, with no blank
line anywhere."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from rubric.importing import count_words, inspect_file, rebuild_paragraphs
from rubric.importing.analysis import name_shaped, parse_candidate_line, split_header
from rubric.importing.base import Extracted
from rubric.importing.paragraphs import Block

try:
    from tests.core import makefiles as mk
except ImportError:
    import makefiles as mk

QUESTION_LINES = ["Khrushchev’s policy was one of peaceful co-", "existence.’ Assess the validity of this view"]
TITLE = "Khrushchev’s policy was one of peaceful co-existence.’ Assess the validity of this view"
INITIALS = "A. Bc."

BODY = [
    "In February 1956 Nikita Khrushchev told the Twentieth Party Congress that war between the capitalist "
    "and socialist camps was no longer fatally inevitable. This was a striking break with the Leninist view "
    "that conflict between the two systems had to end in war, and it suggests that Khrushchev genuinely "
    "wanted a new relationship with the West. Yet the phrase peaceful co-existence meant competition by "
    "other means rather than friendship, and his record between 1956 and 1962 shows that he was willing to "
    "take great risks when he believed Soviet interests were at stake. This essay will argue that the view "
    "is valid only in part.",
    "There is considerable evidence that Khrushchev sought to reduce tension. He agreed to the Austrian "
    "State Treaty in 1955, which removed Soviet troops from eastern Austria, and he met Eisenhower at Geneva "
    "in the same year, the first summit of the leaders of the great powers since Potsdam. In 1959 he became "
    "the first Soviet leader to visit the United States, and the talks at Camp David produced a brief "
    "period of warmth that contemporaries called the spirit of Camp David. He also cut the Red Army by more "
    "than a million men between 1955 and 1958, partly to save money for consumer goods and partly to show "
    "that the Soviet Union did not intend to attack.",
    "However, peaceful co-existence never meant that the Soviet Union would give up its control of eastern "
    "Europe. When Hungarian reformers announced that they would leave the Warsaw Pact in October 1956, "
    "Khrushchev sent tanks into Budapest and thousands of Hungarians were killed. The lesson drawn in "
    "Washington was that co-existence applied only to relations between the blocs and not to the right of "
    "the satellite states to choose their own governments. In this sense the policy was defensive: it "
    "sought to freeze the division of Europe rather than to end it.",
    "Khrushchev’s handling of Berlin points in the same direction. His ultimatum of November 1958 demanded "
    "that the Western powers leave West Berlin within six months, and when the flight of skilled workers "
    "from East Germany continued he approved the building of the Berlin Wall in August 1961. The wall "
    "stopped the crisis from turning into war, but it was hardly a sign of peaceful intent. Moreover, his "
    "boasts about Soviet missiles after the launch of Sputnik in 1957 encouraged the Americans to believe "
    "that a missile gap existed, and so fuelled the arms race that co-existence was supposed to calm.",
    "The Cuban missile crisis of October 1962 is the strongest evidence against the view. By placing "
    "medium-range missiles on Cuba, Khrushchev gambled that Kennedy would accept a fait accompli, and for "
    "thirteen days the world came closer to nuclear war than at any other point in the Cold War. On the "
    "other hand, it was Khrushchev who offered the compromise that ended the crisis, withdrawing the "
    "missiles in return for an American promise not to invade Cuba and the secret removal of Jupiter "
    "missiles from Turkey. The hotline of 1963 and the Partial Test Ban Treaty of the same year show that "
    "he drew the lesson that the two sides had to manage their rivalry.",
    "In conclusion, Khrushchev’s policy was one of peaceful co-existence in aim more than in practice. He "
    "believed that the Soviet system would win the contest with capitalism without a war, and he took real "
    "steps to lower the risk of one. Yet his impulsive style, his use of nuclear threats and his "
    "determination to hold on to eastern Europe meant that the years of co-existence were also years of "
    "repeated crisis. The view is therefore valid as a description of his intentions but much less "
    "convincing as a description of what his policy achieved.",
]
#: A paragraph with ordinary words that are also names ("mark", "rose", "page").
ORDINARY_WORDS = (
    "Prices rose in Moscow after 1962 and the leadership feared unrest. A mark of how far his colleagues "
    "had lost patience came in October 1964, when the Presidium removed him; the official account, printed "
    "on the front page of Pravda, blamed his hare-brained schemes rather than his foreign policy."
)
BIBLIOGRAPHY = [
    "Hargreaves, L. Khrushchev and the West, 1953–1964 (Northbridge, 2011).",
    "Okafor, T. The Thaw and its Limits (Eastport, 2017).",
]
WIDTH = 86  # every paragraph's last line leaves room for the next one's first word
BODY_WORDS = sum(count_words(p) for p in BODY)


def wrapped(paragraphs: list[str], width: int = WIDTH) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, width))
    return lines


def hard_wrapped_lines() -> list[str]:
    """The real essay's shape: wrapped question, initials, wrapped body, no blank line."""
    return [*QUESTION_LINES, INITIALS, *wrapped(BODY)]


def test_fixture_paragraph_ends_leave_room():
    # the rebuild can only see a paragraph end where the next word would have fitted
    for paragraph, following in zip(BODY, BODY[1:], strict=False):
        assert len(textwrap.wrap(paragraph, WIDTH)[-1]) + 1 + len(following.split()[0]) <= WIDTH


# --- fixture builders ---------------------------------------------------------------------------


def write_txt(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    text = "\r\n".join(lines) if encoding == "cp1252" else "\n".join(lines)
    path.write_bytes(text.encode(encoding))
    return path


def make_line_pdf(path: Path, opening: list[str], paragraphs: list[str], gap: float = 4) -> Path:
    """A PDF whose opening lines are set one by one (the question broken where the real
    one was), then the paragraphs wrapped by fpdf2 with ``gap`` mm between them; no gap
    between the opening and the body."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("dejavu", "", str(mk.DEJAVU))
    pdf.set_font("dejavu", size=11)
    pdf.add_page()
    for line in opening:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    for number, paragraph in enumerate(paragraphs):
        if number:
            pdf.ln(gap)
        pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def clean_docx(path: Path, opening: list[tuple[str, str] | str]) -> Path:
    """A tidy Word file: the opening given, the body paragraphs, a Bibliography."""
    return mk.make_docx(path, [*opening, *BODY, ("Heading 1", "Bibliography"), *BIBLIOGRAPHY])


def texts(draft, kind: str | None = None) -> list[str]:
    return [p.text for p in draft.paragraphs if kind is None or p.kind == kind]


def squash(text: str) -> str:
    return " ".join(text.split())


# --- 1. hard-wrapped openings, every format -------------------------------------------------------

HARD_WRAPPED = {
    "txt-utf8": lambda d: write_txt(d / "essay.txt", hard_wrapped_lines()),
    "txt-utf8-bom": lambda d: write_txt(d / "essay.txt", hard_wrapped_lines(), "utf-8-sig"),
    "txt-utf16": lambda d: write_txt(d / "essay.txt", hard_wrapped_lines(), "utf-16"),
    "txt-cp1252": lambda d: write_txt(d / "essay.txt", hard_wrapped_lines(), "cp1252"),
    "docx-line-per-paragraph": lambda d: mk.make_docx(d / "essay.docx", hard_wrapped_lines()),
}


@pytest.mark.parametrize("shape", sorted(HARD_WRAPPED))
def test_hard_wrapped_opening(tmp_path, shape):
    draft = inspect_file(HARD_WRAPPED[shape](tmp_path))
    assert draft.title == TITLE
    assert (draft.candidate_name, draft.candidate_number) == (INITIALS, "")
    assert texts(draft) == BODY  # neither the question nor the initials left in the body
    assert {p.kind for p in draft.paragraphs} == {"body"}
    assert draft.word_count == draft.coursework_word_count == BODY_WORDS


def test_hard_wrapped_opening_in_a_pdf(tmp_path):
    path = make_line_pdf(tmp_path / "essay.pdf", [*QUESTION_LINES, INITIALS], BODY)
    draft = inspect_file(path)
    assert squash(draft.title) == TITLE
    assert draft.candidate_name == INITIALS
    body = texts(draft)
    assert squash(body[0]) == BODY[0]
    assert [squash(t) for t in body] == BODY
    assert "Assess the validity" not in " ".join(body) and "Bc." not in " ".join(body)
    assert draft.coursework_word_count == BODY_WORDS


@pytest.mark.parametrize("lines", [
    ["Assess the validity of the view that the Treaty of", "Versailles caused the Second World War."],
    ["How far was the Weimar Republic doomed by the", "Treaty of Versailles?"],
])
def test_a_question_wrapped_before_a_capital_is_joined(tmp_path, lines):
    """A question set in a larger font than the body wraps on a shorter line: a line that
    ends on "of" or "the" goes on, even when the next starts with a capital."""
    path = make_line_pdf(tmp_path / "essay.pdf", lines, BODY)
    draft = inspect_file(path)
    assert squash(draft.title) == " ".join(lines)
    assert [squash(t) for t in texts(draft)] == BODY


def test_clean_docx_gives_the_same_title_and_candidate(tmp_path):
    path = clean_docx(tmp_path / "clean.docx", [("Heading 1", TITLE), INITIALS])
    draft = inspect_file(path)
    assert draft.title == TITLE
    assert draft.candidate_name == INITIALS
    assert texts(draft, "body") == BODY
    assert [p.kind for p in draft.paragraphs] == ["body"] * len(BODY) + ["heading", "reference", "reference"]
    assert draft.paragraphs[0].text == BODY[0]
    assert draft.coursework_word_count == BODY_WORDS


@pytest.mark.parametrize(
    ("opening", "title"),
    [
        # a question on one line, then a full name
        (["To what extent was Khrushchev’s foreign policy a success?", "Jimmy Page"],
         "To what extent was Khrushchev’s foreign policy a success?"),
        # a question wrapped in mid-sentence (no hyphen), ending with a question mark
        (["How far do you agree that Khrushchev’s policy of peaceful co-existence was", "a success?", "J.P."],
         "How far do you agree that Khrushchev’s policy of peaceful co-existence was a success?"),
        # the statement and the instruction on lines of their own, with the quotation marks kept
        (["‘Khrushchev’s policy was one of peaceful co-existence.’", "Assess the validity of this view.", INITIALS],
         "‘Khrushchev’s policy was one of peaceful co-existence.’ Assess the validity of this view."),
        # a blank line between the question and the body
        ([*QUESTION_LINES, INITIALS, ""], TITLE),
        # the initials before the question
        ([INITIALS, *QUESTION_LINES], TITLE),
        # no candidate line: the body straight after the question
        (QUESTION_LINES, TITLE),
    ],
)
def test_other_wrapped_openings(tmp_path, opening, title):
    draft = inspect_file(write_txt(tmp_path / "essay.txt", [*opening, *wrapped(BODY)]))
    assert draft.title == title
    assert draft.candidate_name in ("Jimmy Page", "J.P.", INITIALS, "")
    assert (draft.candidate_name == "") == (opening == QUESTION_LINES)
    assert texts(draft) == BODY


def test_line_end_hyphens(tmp_path):
    # in the question the hyphen is kept, whatever spelling the essay uses ("coexistence")
    body = [p.replace("co-existence", "coexistence") for p in BODY]
    draft = inspect_file(write_txt(tmp_path / "essay.txt", [*QUESTION_LINES, INITIALS, *wrapped(body)]))
    assert draft.title == TITLE and texts(draft) == body
    # in the body the essay's own spelling decides: "So-" + "viet" is a break inside a
    # word the essay uses many times, "co-" + "existence" a compound it writes hyphenated
    lines = wrapped(BODY)
    at = next(i for i in range(1, len(lines)) if lines[i].startswith("Soviet missiles"))
    lines[at - 1] += " So-"
    lines[at] = lines[at][len("So") :]
    draft = inspect_file(write_txt(tmp_path / "essay.txt", [*QUESTION_LINES, INITIALS, *lines]))
    assert texts(draft) == BODY
    assert rebuild_paragraphs(["Both sides spoke of peaceful co-", "existence; co-existence was the word."]) == [
        "Both sides spoke of peaceful co-existence; co-existence was the word."
    ]
    assert rebuild_paragraphs(["The new govern-", "ment fell, and the next government too."]) == [
        "The new government fell, and the next government too."
    ]
    assert rebuild_paragraphs(["The nineteenth-", "century state was weak."]) == ["The nineteenth-century state was weak."]


# --- 2. school and MLA headers ---------------------------------------------------------------------

MLA = ["Jimmy Page", "Mr Thompson", "A-level History", "12 March 2026"]
MLA_FRONT = ["Mr Thompson", "A-level History", "12 March 2026"]

MLA_FILES = {
    "txt": lambda d, opening: write_txt(d / "mla.txt", [*opening, *BODY]),
    "txt-wrapped": lambda d, opening: write_txt(d / "mla.txt", [*opening, *wrapped(BODY)]),
    "txt-cp1252": lambda d, opening: write_txt(d / "mla.txt", [*opening, *wrapped(BODY)], "cp1252"),
    "docx": lambda d, opening: mk.make_docx(d / "mla.docx", [*opening, *BODY]),
    "docx-heading-title": lambda d, opening: mk.make_docx(
        d / "mla.docx", [*opening[:-1], ("Heading 1", opening[-1]), *BODY]
    ),
    "docx-line-per-paragraph": lambda d, opening: mk.make_docx(d / "mla.docx", [*opening, *wrapped(BODY)]),
    "pdf": lambda d, opening: make_line_pdf(d / "mla.pdf", opening, BODY),
    "odt": lambda d, opening: mk.make_odt(d / "mla.odt", [*opening, *BODY]),
    "rtf": lambda d, opening: mk.make_rtf(d / "mla.rtf", [*opening, *BODY]),
}


@pytest.mark.parametrize("fmt", sorted(MLA_FILES))
@pytest.mark.parametrize(
    "title",
    ["To what extent was Khrushchev’s foreign policy a success?", "Khrushchev and the West, 1953–1964"],
)
def test_mla_header(tmp_path, fmt, title):
    draft = inspect_file(MLA_FILES[fmt](tmp_path, [*MLA, title]))
    assert squash(draft.title) == title
    assert (draft.candidate_name, draft.candidate_number) == ("Jimmy Page", "")
    assert texts(draft, "front_matter") == MLA_FRONT
    assert [p.kind for p in draft.paragraphs] == ["front_matter"] * 3 + ["body"] * len(BODY)
    assert [squash(t) for t in texts(draft, "body")] == BODY
    assert draft.coursework_word_count == BODY_WORDS
    assert draft.word_count == BODY_WORDS + sum(count_words(t) for t in MLA_FRONT)


SCHOOL = [
    "Name: Jimmy Page",
    "Candidate number: 1234",
    "Centre number: 12345",
    "Teacher: Ms Patel",
    "Class: 13X",
    "Date: 12/03/2026",
    "Word count: 1,234",
]


@pytest.mark.parametrize("fmt", ["txt", "txt-wrapped", "docx", "docx-line-per-paragraph", "odt", "rtf", "pdf"])
def test_school_header(tmp_path, fmt):
    draft = inspect_file(MLA_FILES[fmt](tmp_path, [*SCHOOL, *QUESTION_LINES]))
    assert squash(draft.title) == TITLE
    assert (draft.candidate_name, draft.candidate_number) == ("Jimmy Page", "1234")
    assert texts(draft, "front_matter") == SCHOOL[2:]
    assert [squash(t) for t in texts(draft, "body")] == BODY
    assert draft.coursework_word_count == BODY_WORDS


def test_name_and_course_in_a_subtitle(tmp_path):
    items = [("Title", "Khrushchev and the West, 1953–1964"), ("Subtitle", "Jimmy Page"), ("Subtitle", "A-level History"),
             *BODY]
    draft = inspect_file(mk.make_docx(tmp_path / "essay.docx", items))
    assert draft.title == "Khrushchev and the West, 1953–1964"
    assert draft.candidate_name == "Jimmy Page"
    assert texts(draft, "front_matter") == ["A-level History"]
    assert texts(draft, "body") == BODY


def test_name_styled_as_a_heading_is_not_the_title(tmp_path):
    items = [("Heading 2", "Jimmy Page"), ("Heading 1", TITLE), ("Heading 2", "Nikita Khrushchev"), *BODY]
    draft = inspect_file(mk.make_docx(tmp_path / "essay.docx", items))
    assert draft.title == TITLE
    assert draft.candidate_name == "Jimmy Page"
    assert draft.paragraphs[0].text == "Nikita Khrushchev" and draft.paragraphs[0].kind == "heading"


def test_numbers_and_name_after_the_title(tmp_path):
    opening = ["To what extent was Khrushchev’s foreign policy a success?", "Jimmy Page", "Candidate number: 1234",
               "Centre number: 12345"]
    draft = inspect_file(write_txt(tmp_path / "essay.txt", [*opening, *BODY]))
    assert draft.title == opening[0]
    assert draft.candidate == "Jimmy Page (1234)"
    assert texts(draft) == ["Centre number: 12345", *BODY]


def test_question_and_answer_labels(tmp_path):
    opening = ["Question 2", "‘Khrushchev’s policy was one of peaceful co-existence.’ Assess the validity of this view.",
               "Answer"]
    draft = inspect_file(mk.make_docx(tmp_path / "essay.docx", [*opening, *BODY]))
    assert draft.title == opening[1]
    assert texts(draft, "front_matter") == ["Question 2", "Answer"]
    assert texts(draft, "body") == BODY


def test_topic_line_above_the_question_is_not_the_title(tmp_path):
    opening = ["Unit 2: The Cold War, 1945–1991", "To what extent was Khrushchev’s foreign policy a success?"]
    draft = inspect_file(write_txt(tmp_path / "essay.txt", [*opening, *BODY]))
    assert draft.title == opening[1]
    assert texts(draft, "front_matter") == [opening[0]]


# --- cover pages -----------------------------------------------------------------------------------

AI_STATEMENT = (
    "I used an AI chatbot to suggest a reading list at the start of my research. I did not use AI tools to "
    "write or rewrite any part of this essay, and every source I quote was read by me."
)
DECLARATION = "I confirm that this essay is my own work and that I have acknowledged every source I used."
CONTENTS = ["Introduction 3", "Khrushchev and the West 3", "Conclusion 6", "Bibliography 7"]


def cover_page_items(title_style: str = "Title") -> list[tuple[str, str] | str]:
    return [
        (title_style, TITLE),
        "Jimmy Page",
        "Candidate number: 1234",
        "Centre number: 12345",
        ("Heading 1", "Gen AI Statement"),
        AI_STATEMENT,
        ("Heading 1", "Declaration"),
        DECLARATION,
        "Signed: Jimmy Page    Date: 12 March 2026",
        ("Heading 1", "Contents"),
        *CONTENTS,
        ("Heading 1", "Introduction"),
        BODY[0],
        ("Heading 1", "Khrushchev and the West"),
        *BODY[1:5],
        ("Heading 1", "Conclusion"),
        BODY[5],
        ("Heading 1", "Bibliography"),
        *BIBLIOGRAPHY,
    ]


COVER_FRONT = [
    "Centre number: 12345", "Gen AI Statement", AI_STATEMENT, "Declaration", DECLARATION,
    "Signed: Jimmy Page Date: 12 March 2026", "Contents", *CONTENTS,
]


@pytest.mark.parametrize("title_style", ["Title", "Heading 1", "Normal"])
def test_cover_page_is_front_matter(tmp_path, title_style):
    draft = inspect_file(mk.make_docx(tmp_path / "nea.docx", cover_page_items(title_style)))
    assert draft.title == TITLE
    assert draft.candidate == "Jimmy Page (1234)"
    assert texts(draft, "front_matter") == COVER_FRONT
    assert draft.paragraphs[len(COVER_FRONT)].text == "Introduction"
    assert [p.kind for p in draft.paragraphs[len(COVER_FRONT) :]] == (
        ["heading", "body", "heading"] + ["body"] * 4 + ["heading", "body", "heading", "reference", "reference"]
    )
    assert texts(draft, "body") == BODY
    assert draft.coursework_word_count == BODY_WORDS
    front_words = sum(count_words(t) for t in COVER_FRONT)
    heading_words = sum(count_words(t) for t in ("Introduction", "Khrushchev and the West", "Conclusion", "Bibliography"))
    assert draft.word_count == BODY_WORDS + front_words + heading_words + sum(count_words(t) for t in BIBLIOGRAPHY)


def test_cover_page_before_the_title(tmp_path):
    items = [
        ("Heading 1", "Gen AI Statement"),
        "No generative AI tools were used in the research or writing of this essay.",
        ("Heading 1", "Contents"),
        "Introduction",
        "Conclusion",
        ("Heading 1", TITLE),
        INITIALS,
        ("Heading 1", "Introduction"),
        *BODY[:5],
        ("Heading 1", "Conclusion"),
        BODY[5],
    ]
    draft = inspect_file(mk.make_docx(tmp_path / "nea.docx", items))
    assert draft.title == TITLE  # never "Gen AI Statement" or "Contents"
    assert draft.candidate_name == INITIALS
    assert texts(draft, "front_matter") == [
        "Gen AI Statement", "No generative AI tools were used in the research or writing of this essay.",
        "Contents", "Introduction", "Conclusion",
    ]
    assert draft.paragraphs[5] == draft.paragraphs[5].__class__("Introduction", "heading")
    assert draft.coursework_word_count == BODY_WORDS


def test_ai_statement_stops_where_the_essay_starts(tmp_path):
    # no title and no heading between the statement and the essay, whose paragraphs
    # mention "tools" and "acknowledged" too
    first = "Khrushchev acknowledged that the tools of diplomacy had changed once both sides held the bomb. " + BODY[0]
    items = [("Heading 1", "AI statement"), "None used.", first, *BODY[1:]]
    draft = inspect_file(mk.make_docx(tmp_path / "essay.docx", items))
    assert texts(draft, "front_matter") == ["AI statement", "None used."]
    assert texts(draft, "body") == [first, *BODY[1:]]
    assert draft.title == ""


def test_cover_page_in_a_wrapped_text_file(tmp_path):
    lines = ["Gen AI Statement", *textwrap.wrap(AI_STATEMENT, WIDTH), *QUESTION_LINES, INITIALS, *wrapped(BODY)]
    draft = inspect_file(write_txt(tmp_path / "essay.txt", lines))
    assert draft.title == TITLE
    assert draft.candidate_name == INITIALS
    assert texts(draft, "front_matter") == ["Gen AI Statement", AI_STATEMENT]
    assert texts(draft, "body") == BODY


@pytest.mark.parametrize("fmt", ["txt", "pdf"])
def test_wrapped_cover_page_with_contents(tmp_path, fmt):
    opening = ["Jimmy Page", "Candidate number: 1234", "Gen AI Statement", *textwrap.wrap(AI_STATEMENT, WIDTH),
               "Declaration", DECLARATION, "Signed: Jimmy Page", "Contents", *CONTENTS, *QUESTION_LINES, "Introduction"]
    if fmt == "txt":
        path = write_txt(tmp_path / "nea.txt", [*opening, *wrapped(BODY)])
    else:
        path = make_line_pdf(tmp_path / "nea.pdf", opening, BODY)
    draft = inspect_file(path)
    assert squash(draft.title) == TITLE  # the contents entries are not run into the question
    assert draft.candidate == "Jimmy Page (1234)"
    front = ["Gen AI Statement", AI_STATEMENT, "Declaration", DECLARATION, "Signed: Jimmy Page", "Contents", *CONTENTS]
    assert [squash(t) for t in texts(draft, "front_matter")] == front
    assert draft.paragraphs[len(front)].text == "Introduction"
    assert [squash(t) for t in texts(draft, "body")] == BODY
    assert draft.coursework_word_count == BODY_WORDS


def test_cover_sheet_table(tmp_path):
    items = [
        ("table", "Candidate name|Jimmy Page"),
        ("table", "Candidate number|1234"),
        ("table", "Centre number|12345"),
        ("Heading 1", TITLE),
        *BODY,
    ]
    draft = inspect_file(mk.make_docx(tmp_path / "nea.docx", items))
    assert draft.title == TITLE
    assert draft.candidate == "Jimmy Page (1234)"
    front = texts(draft, "front_matter")
    assert len(front) == 3 and "Jimmy Page" in front[0]  # the cover sheet is kept as written
    assert texts(draft, "body") == BODY
    assert draft.coursework_word_count == BODY_WORDS


# --- 3. names ---------------------------------------------------------------------------------------

NAMES = ["Jimmy Page", "An Nguyen", "María José García López", "Mark Rose", "Siobhán O’Neill-Byrne", "Ludwig van Berg",
         "J. Page"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("where", ["before", "after", "mla"])
def test_names_are_candidates(tmp_path, name, where):
    question = "To what extent was Khrushchev’s foreign policy a success?"
    opening = {
        "before": [name, question],
        "after": [question, name],
        "mla": [name, "Mrs Okafor", "AS History", "Monday 2nd February 2026", question],
    }[where]
    draft = inspect_file(mk.make_docx(tmp_path / "essay.docx", [*opening, *BODY, ORDINARY_WORDS]))
    assert draft.title == question
    assert draft.candidate_name == name
    assert texts(draft, "body") == [*BODY, ORDINARY_WORDS]


def test_name_in_decomposed_unicode(tmp_path):
    import unicodedata

    name = unicodedata.normalize("NFD", "María José García López")
    draft = inspect_file(write_txt(tmp_path / "essay.txt", [name, TITLE, *BODY]))
    assert draft.candidate_name == "María José García López"


@pytest.mark.parametrize("heading", ["Weimar Germany", "The Cold War", "Nikita Khrushchev", "Economic Factors",
                                     "Peaceful Coexistence", "Khrushchev’s Aims"])
def test_headings_in_the_body_are_not_names(tmp_path, heading):
    question = "To what extent was Khrushchev’s foreign policy a success?"
    draft = inspect_file(mk.make_docx(tmp_path / "essay.docx", [question, heading, *BODY]))
    assert draft.title == question
    assert draft.candidate_name == ""
    assert draft.paragraphs[0].text == heading and draft.paragraphs[0].kind == "heading"


@pytest.mark.parametrize("line", ["Weimar Germany", "Nikita Khrushchev", "The Cold War"])
def test_topic_above_the_question_is_not_a_name(tmp_path, line):
    question = "To what extent was Khrushchev’s foreign policy a success?"
    draft = inspect_file(write_txt(tmp_path / "essay.txt", [line, question, *BODY]))
    assert draft.title == question and draft.candidate_name == ""
    assert texts(draft, "front_matter") == [line]


@pytest.mark.parametrize("line", ["Jimmy Page", "An Nguyen", "María José García López", "Mark Rose", "Ludwig van Berg"])
def test_name_shaped(line):
    assert name_shaped(line)


@pytest.mark.parametrize(
    "line",
    ["The Cold War", "Weimar Germany", "Economic Factors", "Mr Thompson", "Khrushchev’s Aims", "A-level History",
     "Word Count", "Jimmy", "jimmy page", "Peaceful Coexistence", "In 1956 Khrushchev"],
)
def test_not_name_shaped(line):
    assert not name_shaped(line)


@pytest.mark.parametrize(("line", "expected"), [("A. Bc.", "A. Bc."), ("J.S.", "J.S."), ("J. S.", "J. S."),
                                                ("Ab. C.", "Ab. C."), ("Name: Jimmy Page", "Jimmy Page")])
def test_initials_and_labelled_names(line, expected):
    assert parse_candidate_line(line) == (expected, "")


@pytest.mark.parametrize("line", ["Mr. T.", "St. Ab.", "U.S. policy", "A.", "Co."])
def test_not_initials(line):
    assert parse_candidate_line(line) is None


# --- speed -------------------------------------------------------------------------------------------


def test_the_opening_is_read_fast():
    from rubric.importing.analysis import prepare_blocks

    body = mk.essay_paragraphs(4500, seed=60)
    lines = [*MLA, *QUESTION_LINES, INITIALS, *wrapped(body)]
    extracted = Extracted("txt", [Block(line) for line in lines])
    prepare_blocks(extracted)
    start = time.perf_counter()
    for _ in range(10):
        blocks = prepare_blocks(extracted)
        header = split_header(blocks)
    elapsed = (time.perf_counter() - start) / 10
    assert header.title == TITLE and header.name == "Jimmy Page"
    assert elapsed < 0.03, f"{elapsed * 1000:.1f} ms for 4,500 words"


def _docx_with_page_header(path: Path, header: str) -> Path:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    document.add_paragraph(TITLE)
    for paragraph in BODY:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


@pytest.mark.parametrize("header, expected", [
    ("Eleanor Whitfield — Candidate 4017", ("Eleanor Whitfield", "4017")),
    ("Jane Smith | 1234 | Page 2 of 5", ("Jane Smith", "1234")),
    ("Candidate: Zoë Smith-Jones (2291)", ("Zoë Smith-Jones", "2291")),
    ("A-level History NEA — Weimar Germany", ("", "")),   # a topic is no one's name
])
def test_a_word_page_header_names_the_candidate(tmp_path, header, expected):
    """A student's name and number typed in Word's page header (not the script: it is not
    read into the text), used when the file name does not give them."""
    draft = inspect_file(_docx_with_page_header(tmp_path / "Russia essay.docx", header))
    assert (draft.candidate_name, draft.candidate_number) == expected
    assert header not in " ".join(texts(draft))
    named = _docx_with_page_header(tmp_path / "4021_English_Stuart.docx", header)
    assert inspect_file(named).candidate_name == "Stuart English"   # the file name wins


def test_a_pdfs_running_header_names_the_candidate(tmp_path):
    path = mk.make_pdf(tmp_path / "essay.pdf", [TITLE, *BODY, *BODY],
                       running_header="Eleanor Whitfield - Candidate 4017", page_numbers=True,
                       unicode_font=True)
    draft = inspect_file(path)
    assert draft.page_count and draft.page_count >= 2
    assert (draft.candidate_name, draft.candidate_number) == ("Eleanor Whitfield", "4017")
    assert "Whitfield" not in " ".join(texts(draft))


@pytest.mark.parametrize("question_style", ["Subtitle", "Normal"])
def test_a_title_styled_topic_over_the_question_is_front_matter(tmp_path, question_style):
    """Google Docs and Word templates set a topic in Title and the question under it: the
    question is the script's title, the topic a front-matter line (not run into it)."""
    question = "How far was Vichy France a puppet regime of Nazi Germany?"
    path = mk.make_docx(tmp_path / "essay.docx",
                        [("Title", "Vichy France"), (question_style, question), *BODY])
    draft = inspect_file(path)
    assert draft.title == question
    assert [(p.kind, p.text) for p in draft.paragraphs[:1]] == [("front_matter", "Vichy France")]
    assert texts(draft, "body") == BODY
