"""Cleaning text and rebuilding paragraphs from hard-wrapped lines."""

from __future__ import annotations

import textwrap

import pytest

from rubric.importing import inspect_file, rebuild_paragraphs
from rubric.importing.paragraphs import (
    Block,
    clean_blocks,
    clean_text,
    looks_hard_wrapped,
    rebuild_blocks,
)

try:
    from tests.core import makefiles as mk
except ImportError:
    import makefiles as mk


def wrap(paragraphs: list[str], width: int = 72, blank: bool = False) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, width))
        if blank:
            lines.append("")
    return lines


def paragraphs_ending_short(count: int, width: int = 72, seed: int = 30) -> list[str]:
    """Paragraphs whose last wrapped line leaves room for a word (true paragraph ends
    the fit rule can see); drawn from generated prose."""
    pool = mk.essay_paragraphs(count * 400, seed=seed, per_paragraph=70)
    chosen = [p for p in pool if len(textwrap.wrap(p, width)[-1]) < width - 15]
    assert len(chosen) >= count
    return chosen[:count]


# --- cleaning -----------------------------------------------------------------------------------


def test_clean_text_drops_junk_but_keeps_the_students_characters():
    raw = "\x00Start\x07  of\t\ttext\u200b with\u00ad soft\ufeff hyphen \x85 “quote” – — é\u00a0NBSP  "
    assert clean_text(raw) == "Start of text with soft hyphen “quote” – — é\u00a0NBSP"
    assert clean_text(mk.CURLY) == mk.CURLY


def test_clean_text_replaces_lone_surrogates():
    assert clean_text("a\ud800b") == "a\ufffdb"


def _clean_text_always_translating(text: str) -> str:
    """clean_text as it was before the pre-check: every text through the whole table."""
    import re

    from rubric.importing.paragraphs import _CLEAN_TABLE

    text = text.translate(_CLEAN_TABLE)
    if "  " in text:
        text = re.sub(r" {2,}", " ", text)
    return text.strip(" ")


def test_clean_text_pre_check_gives_exactly_what_translating_everything_gives():
    """clean_text translates only text that holds a character of its table (a regex
    looks first); the result must be the same as translating every text, on essays with
    curly quotes, dashes and accents, on every character the table changes, placed
    anywhere, and on random characters from every plane (controls, surrogates, emoji,
    private use, non-characters)."""
    import random

    from rubric.importing.paragraphs import _CLEAN_TABLE, _NEEDS_CLEANING
    from tests.core import pdfcorpus as pc

    # the pre-check's class holds exactly the table's characters, no more, no fewer
    assert {c for c in range(0x110000) if _NEEDS_CLEANING.search(chr(c))} == set(_CLEAN_TABLE)
    rng = random.Random(1010)
    texts = [*pc.essay_text(3000, seed=10), *mk.essay_paragraphs(800, seed=11), mk.CURLY,
             "", " ", "  a  ", "\u00a0 NBSP\u00a0", "\u3000ideographic space"]
    essay = pc.essay_text(400, seed=12)
    for code in sorted(_CLEAN_TABLE):
        base = rng.choice(essay)
        at = rng.randrange(len(base) + 1)
        texts += [base[:at] + chr(code) + base[at:], chr(code) + base, base + chr(code),
                  chr(code), f"  {chr(code)}  {chr(code)}"]
    planes = [(0, 0x80), (0x80, 0x800), (0x2000, 0x2100), (0xD7F0, 0xE010), (0xFFF0, 0x10000),
              (0x1F300, 0x1F700), (0xE000, 0xE100), (0x10FFF0, 0x110000)]
    for _ in range(3000):
        pieces = []
        for _ in range(rng.randint(1, 40)):
            low, high = rng.choice(planes)
            pieces.append(chr(rng.randrange(low, high)) if rng.random() < 0.3 else rng.choice(" ab é’—"))
        texts.append("".join(pieces))
    for text in texts:
        assert clean_text(text) == _clean_text_always_translating(text), repr(text)


# --- rebuilding ----------------------------------------------------------------------------------


def test_wrapped_lines_become_paragraphs():
    original = paragraphs_ending_short(4)
    assert rebuild_paragraphs(wrap(original)) == original


def test_blank_lines_always_separate():
    original = mk.essay_paragraphs(600, seed=31, per_paragraph=70)
    assert rebuild_paragraphs(wrap(original, blank=True)) == original


def test_sentence_end_on_a_full_line_is_not_a_paragraph_end():
    lines = [
        "The treaty was signed in June 1919 by the new German republic. Its terms",
        "were harsh and the reparations burden was heavy for the weak economy. The",
        "army was cut to one hundred thousand men and conscription was banned here.",
        "Many Germans called it a diktat.",
        "A second paragraph starts here.",
    ]
    result = rebuild_paragraphs(lines)
    assert len(result) == 2  # line 3 ends a sentence but "Many" would not have fitted
    assert result[0].endswith("banned here. Many Germans called it a diktat.")


def test_sentence_end_with_room_to_spare_is_a_paragraph_end():
    lines = [
        "The treaty was signed in June 1919 by the new German republic. Its terms",
        "were harsh.",
        "Reparations were fixed in 1921 at 132 billion gold marks, a figure that",
        "shocked the country.",
    ]
    assert rebuild_paragraphs(lines) == [
        "The treaty was signed in June 1919 by the new German republic. Its terms were harsh.",
        "Reparations were fixed in 1921 at 132 billion gold marks, a figure that shocked the country.",
    ]


def test_closing_quote_after_full_stop_ends_a_sentence():
    lines = [
        "Hitler told the generals that the army would be rebuilt within a year and",
        "that ‘the Versailles chains will fall.’",
        "Within two years conscription had returned and the Luftwaffe was public.",
    ]
    assert len(rebuild_paragraphs(lines)) == 2


def test_headings_and_indented_lines_start_paragraphs():
    body = paragraphs_ending_short(2)
    lines = ["The Weimar Republic", *wrap(body[:1]), "Economic recovery", *wrap(body[1:])]
    assert rebuild_paragraphs(lines) == ["The Weimar Republic", body[0], "Economic recovery", body[1]]

    full = mk.essay_paragraphs(2000, seed=32, per_paragraph=90)[:4]
    indented = []
    for paragraph in full:
        wrapped = textwrap.wrap(paragraph, 72)
        indented.extend(["    " + wrapped[0], *wrapped[1:]])
    assert rebuild_paragraphs(indented) == full


def test_hyphens_and_soft_hyphens_at_line_ends():
    lines = ["The nineteenth-", "century state was weak; its ad\u00ad", "ministration was poor."]
    assert rebuild_paragraphs(lines) == ["The nineteenth-century state was weak; its administration was poor."]


def _hyphenated_essay() -> list[str]:
    """Lines of an essay set with automatic hyphenation (as LibreOffice and Word print it),
    the breaks between lower-case pieces, beside a true compound broken at its hyphen."""
    return [
        "The treaty was, it is temp-",
        "ting to say, a humiliation for the whole popul-",
        "ation; Germany lost Alsace-Lorraine and its posi-",
        "tion in Europe, and the war-",
        "guilt clause was felt as an unwork-",
        "able insult. The war left a great resent-",
        "ment, and the guilt that the clause imposed was a grievance; the war",
        "was lost, not settled, and the Nazi–",
        "Soviet pact of 1939 (see pp. 231–",
        "255) ended the Versailles order of 1919-",
        "20 for good.",
    ]


def test_a_hyphenated_document_loses_its_line_end_breaks_and_keeps_its_compounds():
    (text,) = rebuild_paragraphs(_hyphenated_essay(), monospaced=False)
    for word in ("tempting", "population", "position", "unworkable", "resentment"):
        assert word in text
    assert "war-guilt" in text and "Alsace-Lorraine" in text   # both halves are words
    assert "Nazi–Soviet" in text and "pp. 231–255)" in text and "1919-20" in text


def test_a_document_typed_without_hyphenation_keeps_its_line_end_hyphens():
    # one line-end break in twelve lines: a compound's own hyphen, never a word processor's
    lines = ["The Russo-Japanese war was a disaster for the regime and its army, and the"] * 11
    lines[4] = "defeat was also a self-"
    lines[5] = "inflicted wound, as the strikes that followed showed to the regime."
    assert "self-inflicted" in rebuild_paragraphs(lines, monospaced=False)[0]
    lines[4] = "the humiliation in Manchuria left a feeling of temp-"
    assert "temp-ting" in " ".join(rebuild_paragraphs(lines[:5] + ["ting fate"] + lines[6:],
                                                       monospaced=False))


def test_styled_blocks_are_never_joined():
    blocks = [Block("A heading", "heading"), Block("Some text that goes on"), Block("and on.")]
    assert [(b.text, b.hint) for b in rebuild_blocks(blocks)] == [("A heading", "heading"), ("Some text that goes on and on.", "body")]


def test_gap_before_starts_a_paragraph_only_where_one_could_end():
    wide = "x" * 70
    blocks = [Block(wide), Block("This line ends a sentence."), Block("New paragraph.", gap_before=True), Block(wide + " mid"), Block("sentence", gap_before=True)]
    texts = [b.text for b in rebuild_blocks(blocks)]
    assert texts == [f"{wide} This line ends a sentence.", f"New paragraph. {wide} mid sentence"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (wrap(mk.essay_paragraphs(400, seed=33)), True),
        (mk.essay_paragraphs(1200, seed=34, per_paragraph=90), False),
        (["Short.", "Lines.", "Only."], False),
        ([*("A heading" for _ in range(3)), *mk.essay_paragraphs(600, seed=35)], False),
    ],
)
def test_looks_hard_wrapped(lines, expected):
    assert looks_hard_wrapped(lines) is expected


# --- through real files -------------------------------------------------------------------------


def test_docx_with_one_paragraph_per_line_is_rebuilt(tmp_path):
    original = paragraphs_ending_short(5, width=80, seed=36)
    path = mk.make_docx(tmp_path / "converted.docx", ["How far was Stalin a revolutionary?", *wrap(original, 80)])
    draft = inspect_file(path)
    assert draft.title == "How far was Stalin a revolutionary?"
    assert [p.text for p in draft.paragraphs] == original


def test_normal_docx_is_not_rewrapped(tmp_path):
    original = [*mk.essay_paragraphs(900, seed=37), "A short closing line"]
    path = mk.make_docx(tmp_path / "normal.docx", original)
    assert [p.text for p in inspect_file(path).paragraphs] == original


def test_hard_wrapped_txt_is_rebuilt(tmp_path):
    original = paragraphs_ending_short(5, seed=38)
    path = tmp_path / "wrapped.txt"
    path.write_text("\n".join(wrap(original)), encoding="utf-8")
    assert [p.text for p in inspect_file(path).paragraphs] == original

    path.write_text("\n".join(wrap(mk.essay_paragraphs(800, seed=39), blank=True)), encoding="utf-8")
    assert [p.text for p in inspect_file(path).paragraphs] == mk.essay_paragraphs(800, seed=39)


def test_pdf_with_wrapped_lines_gives_the_right_paragraphs(tmp_path):
    original = mk.essay_paragraphs(1500, seed=40, per_paragraph=140)
    path = mk.make_pdf(tmp_path / "wrapped.pdf", original, gap=4)
    assert [p.text for p in inspect_file(path).paragraphs] == original
    # without vertical gaps, sentence ends with room to spare still split paragraphs
    short_ends = paragraphs_ending_short(4, width=100, seed=41)
    path = mk.make_pdf(tmp_path / "tight.pdf", short_ends, gap=0)
    assert len(inspect_file(path).paragraphs) >= 3


def test_list_items_and_bibliography_entries_stay_apart_when_rewrapped():
    """A PDF's numbered list (items ending in semicolons, nearly full lines) and its
    bibliography (each entry ending a sentence, the next opening "Surname, Forename,")."""
    lines = [
        "Hitler’s aims went far beyond the revision of the treaty, as the Hossbach",
        "Memorandum of November 1937 made clear; his goals were, in order:",
        "1. the destruction of the Versailles settlement and the rearmament of Germany;",
        "2. the union of all German-speaking peoples in a single Reich, whatever it cost;",
        "3. the conquest of Lebensraum in Eastern Europe at the expense of Poland and",
        "the Soviet Union.",
        "Bibliography",
        "Keynes, J. M., The Economic Consequences of the Peace (London, 1919), pp. 1–12.",
        "MacMillan, Margaret, Peacemakers: The Paris Conference of 1919 and Its Attempt",
        "to End War (London, 2001), with a long subtitle that runs to the line’s end.",
        "Overy, Richard, The Origins of the Second World War (3rd edn, Harlow, 2008).",
    ]
    blocks = clean_blocks(Block(line) for line in lines)
    assert [b.text for b in rebuild_blocks(blocks)] == [
        " ".join(lines[0:2]), lines[2], lines[3], " ".join(lines[4:6]), lines[6], lines[7],
        " ".join(lines[8:10]), lines[10]]


def test_a_sentence_that_names_people_is_not_an_entry():
    lines = ["The revolution of 1917 was not made by the masses alone, whatever the later",
             "myth said; it was the work of a small party and of its leaders in Petrograd.",
             "Lenin, Trotsky and Kamenev argued over the timing of the rising in 1917,",
             "and only Lenin’s insistence carried the Central Committee in the end."]
    assert len(rebuild_blocks(clean_blocks(Block(line) for line in lines))) == 1
