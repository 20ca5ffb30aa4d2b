"""Similarity across a set (rubric/similarity.py): a planted shared passage is found, ranked
first and located in both scripts; quotations, the question and bibliographies are left out;
a phrase the whole class uses is shown as common and not counted as copying."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rubric import similarity as sim
from tests.core.essay_text import QUESTION, essay

PLANTED = (
    "Witte's programme of state-led industrialisation transformed the Russian economy in the "
    "1890s, but it also concentrated a new and resentful working class in a handful of "
    "overcrowded cities. The factories of St Petersburg and Moscow drew peasants from the "
    "villages who kept their ties to the commune, so grievances moved quickly between town and "
    "countryside. When news of Bloody Sunday spread in January 1905, strikes broke out along the "
    "railways and in the textile mills within days. The regime had borrowed heavily from French "
    "banks to pay for this growth, and the cost of the war against Japan left it without the "
    "money to buy off discontent. It was therefore not the loyalty of the army alone that "
    "decided the outcome: the government survived because the opposition it had helped to "
    "create was divided between workers, peasants and liberals who wanted very different things "
    "from the revolution that autumn."
)
QUOTATION = ("we must not forget that the autocracy rests on the bayonets of the soldiers and on "
             "nothing else besides")
TAUGHT = ("the regime survived through a combination of timely concessions, ruthless repression "
          "and the divisions within the opposition")
BIBLIOGRAPHY = ("Figes, Orlando. A People's Tragedy: The Russian Revolution 1891-1924. London: "
                "Jonathan Cape, 1996. Pipes, Richard. The Russian Revolution. New York: Knopf, 1990.")


def words(text: str) -> int:
    return len(sim._WORD.findall(text.translate(sim._APOSTROPHES)))


def text_of(paragraphs) -> str:
    return "\n".join(p if isinstance(p, str) else p[0] for p in paragraphs)


@pytest.fixture(scope="module")
def class_set():
    """30 generated essays of about 800 words. Essays 7 and 22 share PLANTED (at different
    places); 20 essays quote the same line; 12 use the same taught phrase unquoted; every essay
    restates the question; 3 and 4 share a bibliography."""
    scripts: dict[str, list] = {}
    for n in range(30):
        paragraphs: list = [(f"{QUESTION.strip('‘')} In this essay I will argue my case.", "body")]
        paragraphs += [(p, "body") for p in essay(100 + n)]
        if n < 20:
            open_q, close_q = [("‘", "’"), ('"', '"'), ("“", "”")][n % 3]
            k = 1 + n % 3
            paragraphs[k] = (paragraphs[k][0] + f" As Witte warned, {open_q}{QUOTATION}{close_q}."
                             " This shows the point.", "body")
        if 10 <= n < 22:
            k = 2 + n % 2
            paragraphs[k] = (f"Overall {TAUGHT}. " + paragraphs[k][0], "body")
        if n in (3, 4):
            paragraphs.append(("Bibliography", "heading"))
            paragraphs.append((BIBLIOGRAPHY, "reference"))
        scripts[f"script-{n:02d}"] = paragraphs
    a, b = scripts["script-07"], scripts["script-22"]
    a[2] = (a[2][0] + " " + PLANTED, "body")
    b.insert(4, (PLANTED + " " + b[4][0], "body"))
    return scripts


def test_a_planted_passage_is_found_ranked_first_and_located_in_both(class_set):
    report = sim.find_similar(class_set, QUESTION)
    top = report.pairs[0]
    assert (top.a, top.b) == ("script-07", "script-22")
    planted_words = words(PLANTED)
    assert 145 <= planted_words <= 160
    runs = [p for p in top.passages if not p.common and p.words > 100]
    assert len(runs) == 1
    passage = runs[0]
    expected = PLANTED.rstrip(".")  # a passage runs from the first word to the last
    a_text, b_text = text_of(class_set["script-07"]), text_of(class_set["script-22"])
    assert passage.text == expected
    assert a_text[passage.a_start:passage.a_end] == expected
    assert b_text[passage.b_start:passage.b_end] == expected
    assert a_text.index(PLANTED) == passage.a_start
    assert b_text.index(PLANTED) == passage.b_start
    assert top.shared_words >= planted_words
    shorter = min(top.words_a, top.words_b)
    assert top.containment == pytest.approx(top.shared_words / shorter)
    # chance overlaps between other pairs are far smaller
    assert all(p.shared_words < planted_words / 2 for p in report.pairs[1:])
    data = json.loads(json.dumps(report.to_json()))
    first = data["pairs"][0]
    assert {"script_a", "script_b", "shared_words", "containment", "passages"} <= set(first)
    assert {"text", "a_start", "a_end", "b_start", "b_end", "common"} <= set(first["passages"][0])


def test_all_pairs_at_once_agree_with_each_pair(class_set):
    index = sim.index_scripts(class_set, QUESTION, sim.SimilarityOptions(min_shared_words=1))
    counts = index.shared_words()
    assert len(counts) > 20
    for (i, j), words in counts.items():
        assert index.pair(index.order[i], index.order[j]).shared_words == words
    counts5 = index.shared_counts()
    assert counts5.nnz >= len(counts) and (counts5.row < counts5.col).all()
    everything = sim.find_similar(class_set, QUESTION, min_shared_words=1, max_pairs=None)
    assert len(everything.pairs) >= 2 and not everything.truncated
    top = sim.find_similar(class_set, QUESTION, min_shared_words=1, max_pairs=1)
    assert top.truncated and top.pairs == everything.pairs[:1]
    assert sim.find_similar(class_set, QUESTION, max_pairs=0).pairs == ()


def test_quotations_the_question_and_the_bibliography_are_not_counted(class_set):
    report = sim.find_similar(class_set, QUESTION)
    for pair in report.pairs:
        for passage in pair.passages:
            for left_out in (QUOTATION, "the main reason why the Tsarist regime", "Jonathan Cape"):
                assert left_out not in passage.text
    assert ("script-03", "script-04") not in {(p.a, p.b) for p in report.pairs}

    # with the quotations included, the line quoted by 20 scripts is shared but common
    index = sim.index_scripts(class_set, QUESTION, sim.SimilarityOptions(exclude_quotes=False))
    pair = index.pair("script-00", "script-03")
    quoted = [p for p in pair.passages if QUOTATION in p.text or p.text in QUOTATION]
    assert quoted and all(p.common for p in quoted)
    # with the question included, it is shared by every script, so common too
    index = sim.index_scripts(class_set, QUESTION, sim.SimilarityOptions(exclude_question=False))
    pair = index.pair("script-00", "script-01")
    assert any("main reason why the Tsarist regime" in p.text and p.common for p in pair.passages)
    # the bibliography counts only when reference paragraphs are included
    report = sim.find_similar(class_set, QUESTION, exclude_kinds=frozenset())
    pair = next(p for p in report.pairs if (p.a, p.b) == ("script-03", "script-04"))
    assert any("Jonathan Cape" in p.text and not p.common for p in pair.passages)


def test_a_quotation_shared_by_two_scripts_only_is_left_out_by_default():
    base = {f"s{n}": essay(500 + n, 400) for n in range(12)}  # common from 4 scripts
    line = ("the government must be prepared to shoot and to go on shooting until order has "
            "been restored in every province of the empire")
    base["s1"] = base["s1"] + [f"Trepov ordered: ‘{line}’, and the troops obeyed."]
    base["s5"] = [f'He wrote "{_title(line)}" in his diary.'] + base["s5"]
    assert sim.find_similar(base).pairs == ()
    report = sim.find_similar(base, exclude_quotes=False)
    assert [(p.a, p.b) for p in report.pairs] == [("s1", "s5")]
    assert report.pairs[0].shared_words == words(line)
    # a block quotation (paragraph kind "quote") is left out like one in quotation marks
    base["s2"] = [(line, "quote")] + [(p, "body") for p in base["s2"]]
    base["s1"] = base["s1"][:-1] + [line]
    assert [(p.a, p.b) for p in sim.find_similar(base).pairs] == []
    assert ("s1", "s2") in {(p.a, p.b) for p in sim.find_similar(base, exclude_quotes=False).pairs}


def _title(text: str) -> str:
    return text[:1].upper() + text[1:]


def test_the_question_restated_by_two_scripts_is_not_counted():
    base = {f"s{n}": essay(600 + n, 400) for n in range(6)}
    restated = QUESTION.replace("‘", "").replace("’", "")
    base["s0"] = [restated] + base["s0"]
    base["s3"] = base["s3"] + ["In conclusion, " + restated.lower()]
    assert sim.find_similar(base, QUESTION).pairs == ()
    pairs = sim.find_similar(base, QUESTION, exclude_question=False).pairs
    assert [(p.a, p.b) for p in pairs] == [("s0", "s3")]


def test_a_class_wide_phrase_is_common_and_down_weighted(class_set):
    index = sim.index_scripts(class_set, QUESTION)
    assert index.common_threshold == 4
    pair = index.pair("script-10", "script-12")  # both use the taught phrase; nothing else
    taught = [p for p in pair.passages if TAUGHT in p.text]
    assert taught and all(p.common for p in taught)
    assert pair.common_words >= words(TAUGHT)
    assert pair.shared_words < 15  # so the pair is not listed
    listed = {(p.a, p.b): p for p in sim.find_similar(class_set, QUESTION).pairs}
    for key, p in listed.items():
        if key != ("script-07", "script-22"):
            assert not any(TAUGHT in x.text and not x.common for x in p.passages)
    # with only two users the same phrase is not common: it is counted
    two = {k: v for k, v in class_set.items() if k in ("script-10", "script-12", "script-00")}
    pair = sim.index_scripts(two, QUESTION).pair("script-10", "script-12")
    assert any(TAUGHT in p.text and not p.common for p in pair.passages)


def test_case_quotes_apostrophes_and_dashes_are_normalised():
    passage = ("Stolypin’s “wager on the strong” – a policy of land consolidation – was meant to "
               "create a class of prosperous, loyal peasants who would defend the regime")
    varied = ("STOLYPIN'S \"WAGER ON THE STRONG\" - a Policy of land consolidation -- was meant to "
              "create a class of prosperous; loyal peasants who would defend the regime")
    scripts = {"a": essay(1, 300) + [passage], "b": [varied] + essay(2, 300)}
    # the quoted words are left out, the rest still matches across the edits
    pair = sim.find_similar(scripts).pairs[0]
    assert pair.shared_words == words(passage) - 1 - 4  # "stolypin's" alone and the quotation
    pair = sim.find_similar(scripts, exclude_quotes=False).pairs[0]
    assert pair.shared_words == words(passage)
    p = pair.passages[0]
    a_text, b_text = text_of(scripts["a"]), text_of(scripts["b"])
    assert a_text[p.a_start:p.a_end] == passage
    assert b_text[p.b_start:p.b_end] == varied


def test_containment_is_the_share_of_the_shorter_script():
    long_essay = essay(11, 3000)
    short = " ".join(long_essay[3].split()[:120])
    scripts = {"long": long_essay, "short": [short], "other": essay(12, 3000)}
    report = sim.find_similar(scripts)
    pair = report.pairs[0]
    assert (pair.a, pair.b) == ("long", "short")
    assert pair.containment == pytest.approx(1.0)
    assert pair.words_b == 120 and pair.shared_words == 120
    assert sim.passage_at(pair.passages, pair.passages[0].b_start + 3, "b") is pair.passages[0]
    assert sim.passage_at(pair.passages, 0, "b") is pair.passages[0]
    assert sim.passage_at(pair.passages, 10**6, "b") is None


def test_store_paragraphs_and_integer_ids_are_accepted():
    from rubric.importing.model import Paragraph

    shared = " ".join(essay(40, 60)[0].split()[:40])
    scripts = {1: [Paragraph(p) for p in essay(41, 300)] + [Paragraph(shared)],
               2: [Paragraph(shared, "body"), Paragraph(BIBLIOGRAPHY, "reference")]
               + [Paragraph(p) for p in essay(42, 300)],
               3: [Paragraph(BIBLIOGRAPHY, "reference")] + [Paragraph(p) for p in essay(43, 300)]}
    report = sim.find_similar(scripts)
    assert [(p.a, p.b, p.shared_words) for p in report.pairs] == [(1, 2, 40)]
    data = json.loads(json.dumps(report.to_json()))
    assert data["pairs"][0]["script_a"] == 1 and data["truncated"] is False


def test_empty_and_tiny_scripts_are_harmless():
    scripts = {"empty": "", "tiny": "Too short.", "one": [("", "body")], "x": essay(3, 200)}
    assert sim.find_similar(scripts).pairs == ()
    assert sim.find_similar({}).pairs == ()
    pair = sim.index_scripts(scripts).pair("empty", "x")
    assert pair.shared_words == 0 and pair.containment == 0.0


# ---- the vectorised paths give what the plain Python ones gave

def reference_words(paragraphs, exclude_quotes=True, kinds=sim.EXCLUDED_KINDS):
    """The words as the regex implementation found them: each paragraph of a compared
    kind cut at its quotations (``_QUOTE.finditer``), each stretch normalised (apostrophes
    unified, folded when that keeps its length, else each word folded alone) and split by
    ``_WORD``: (start, end, word, stretch) with offsets in the paragraphs joined by "\\n"."""
    found, offset, stretch = [], 0, 0
    for text, kind in paragraphs:
        if kind not in kinds and not (exclude_quotes and kind == "quote"):
            pieces, start = [], 0
            if exclude_quotes:
                for m in sim._QUOTE.finditer(text):
                    if m.start() > start:
                        pieces.append((start, text[start:m.start()]))
                    start = m.end()
            if start < len(text):
                pieces.append((start, text[start:]))
            for base, piece in pieces:
                plain = piece.translate(sim._APOSTROPHES)
                folded = plain.casefold()
                whole = len(folded) == len(plain)
                for m in sim._WORD.finditer(folded if whole else plain):
                    word = m.group() if whole else m.group().casefold()
                    found.append((offset + base + m.start(), offset + base + m.end(), word,
                                  stretch))
                stretch += 1
        offset += len(text) + 1
    return found


TRICKY = [
    ("Stalin’s “wager on the strong” – anti–Semitic, don't ‘rock’ the boat; the peasants’ "
     "grievances (1905) and `quoted´ ′primes′ ʼokina", "body"),
    ("STRASSE, Straße and STRAẞE; İstanbul; ﬁnal ﬂight; ΣΊΣΥΦΟΣ ends in ς; café = café; "
     "snake_case and x_1 and ²³ and Ⅻ and ǅ and ŉ", "body"),
    ("A line\nwith a break inside, \"straight quotes\", «guillemets», „low-high“ and "
     "'single straight' quotes, it's 'unclosed", "body"),
    ("Block quotation, left out by default", "quote"),
    ("Figes, Orlando. A People's Tragedy. London: Jonathan Cape, 1996.", "reference"),
    ("", "body"),
    ("emoji 😀 between words, a lone \ud800 surrogate, tabs\tand\x0bcontrol\x1fcharacters "
     "— and the end’", "body"),
    ("Überraschung: ÄÖÜ äöü ÆØÅ æøå ŒœĲĳ; ‘don’t’ and ‘it’s’ and ‘the peasants’ land’", "body"),
]


def random_paragraphs(seed: int) -> list[tuple[str, str]]:
    import random

    rng = random.Random(seed)
    letters = list("abcdefgh") + ["ß", "İ", "ﬁ", "Σ", "é", "e\u0301", "Ä", "1", "_", "😀"]
    marks = ["’", "‘", "'", "`", "´", "′", "ʼ", "-", "–", "“", "”", '"', "«", "»", "„", "\n",
             " ", " ", " ", ",", "."]
    paragraphs = []
    for _ in range(rng.randint(1, 6)):
        text = "".join(rng.choice(letters) if rng.random() < 0.7 else rng.choice(marks)
                       for _ in range(rng.randint(0, 200)))
        paragraphs.append((text, rng.choice(["body", "body", "quote", "reference", "heading"])))
    return paragraphs


@pytest.mark.parametrize("exclude_quotes", [True, False])
@pytest.mark.parametrize("chunk", [1 << 20, 40])
def test_the_vectorised_words_are_the_regex_words(monkeypatch, exclude_quotes, chunk):
    """Curly and straight quotes, dashes, accents (composed and combining), every kind of
    apostrophe, letters whose case-folding is longer (ß, İ, ﬁ), final sigma, digits,
    underscores, emoji, a lone surrogate and control characters: the words found, their
    offsets and the stretches they fall in are the regex implementation's, and two words
    have the same hash exactly when they are the same normalised word. ``chunk``: texts
    tokenised a few at a time as well as all at once."""
    monkeypatch.setattr(sim, "_CHUNK", chunk)
    scripts = [TRICKY] + [random_paragraphs(seed) for seed in range(60)]
    texts = ["\n".join(t for t, _ in p) for p in scripts]
    layout = [sim._layout(p, exclude_quotes, sim.EXCLUDED_KINDS) for p in scripts]
    hashes, starts, ends, counts, stretch = sim._words(
        texts, [r for r, _ in layout], [b for _, b in layout], exclude_quotes)
    first = 0
    hash_of: dict[str, int] = {}
    for paragraphs, count in zip(scripts, counts.tolist(), strict=True):
        expected = reference_words(paragraphs, exclude_quotes)
        mine = slice(first, first + count)
        assert list(zip(starts[mine].tolist(), ends[mine].tolist(), strict=True)) == [
            (s, e) for s, e, _, _ in expected]
        # the same words share a stretch (no shingle spans a quotation or a paragraph end)
        same = [a[3] == b[3] for a, b in zip(expected, expected[1:], strict=False)]
        got = stretch[mine].tolist()
        assert [a == b for a, b in zip(got, got[1:], strict=False)] == same
        for (_, _, word, _), h in zip(expected, hashes[mine].tolist(), strict=True):
            assert hash_of.setdefault(word, h) == h
        first += count
    assert len(set(hash_of.values())) == len(hash_of)  # different words, different hashes
    # folded as str.casefold folds: ß and ẞ as ss, the ligature ﬁ as fi, İ as i and a dot
    assert {"strasse", "i̇stanbul", "final", "σίσυφοσ", "stalin's", "café"} <= set(hash_of)


def test_quotations_are_found_as_the_regex_finds_them():
    for seed in range(200):
        text = "\n".join(t for t, _ in random_paragraphs(seed)) + " ‘a’ 'b' \"c\" “d” «e» „f“"
        codes = sim._codes(text)
        opens = np.isin(codes, list(sim._OPENING))
        assert sim._quotations(text, np.flatnonzero(opens)) == [
            m.span() for m in sim._QUOTE.finditer(text)]


def test_array_helpers_agree_with_numpy():
    rng = np.random.default_rng(4)
    values = rng.integers(0, 1 << 63, 50_000, dtype=np.uint64)
    values[::7] = values[3]
    known = np.unique(values[rng.integers(0, len(values), 300)])
    assert (sim._distinct(values) == np.unique(values)).all()
    # many values looked for among few (the low-bits filter first), and the plain lookup
    assert (sim._member(values, known) == np.isin(values, known)).all()
    assert (sim._member(values[:100], known) == np.isin(values[:100], known)).all()
    for width in (1, 2, 5, 8, 13, 28):
        where = np.unique(rng.integers(0, 1000, 40))
        cover = np.zeros(1000, dtype=bool)
        for w in where:
            cover[w:w + width] = True
        assert (sim._dilate_at(where, width, 1000) == cover).all()


def test_reports_are_those_of_the_plain_python_implementation(class_set):
    """The class set's full report (every pair sharing a word, all passages with their
    offsets), with quotations and the question left out and with them included, is
    exactly what the implementation before the vectorised one gave (the SHA-256 of its
    JSON; if the method is changed on purpose, the digests change with it)."""
    import hashlib

    def digest(report) -> str:
        data = json.dumps(report.to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()[:16]

    report = sim.find_similar(class_set, QUESTION, min_shared_words=1, max_pairs=None)
    assert len(report.pairs) == 35 and sum(len(p.passages) for p in report.pairs) == 75
    assert digest(report) == "1bb9fb7fa1078dd6"
    report = sim.find_similar(class_set, QUESTION, min_shared_words=1, max_pairs=None,
                              exclude_quotes=False, exclude_question=False)
    assert len(report.pairs) == 37 and digest(report) == "7038deb1d49a3476"


def test_finding_pairs_does_not_import_scipy():
    import subprocess
    import sys

    code = ("import sys\n"
            "from rubric.similarity import find_similar\n"
            "from tests.core.essay_text import essay\n"
            "texts = {n: essay(n, 300) for n in range(5)}\n"
            "texts[9] = texts[0]\n"
            "assert find_similar(texts).pairs\n"
            "print('scipy' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "False"
