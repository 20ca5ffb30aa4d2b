"""PDF import: what a teacher expects to read from the PDFs scripts come in (made here, in
tests/core/pdfcorpus.py, at the level of their content streams), and the pool of
long-lived, limited child processes that reads them."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rubric.errors import ImportFailure
from rubric.importing import ImportOptions, count_words, import_batch, inspect_file, sandbox
from rubric.importing._pdf_child import (
    Word,
    cluster_lines,
    compose_accents,
    find_gutters,
    line_text,
    read_pdf,
    reading_order,
)
from rubric.importing.pdf import Line, Page, extracted_from_pages
from tests.core import makefiles as mk

try:
    from tests.core import pdfcorpus as pc
except ImportError:  # tests/ is not a package: pytest puts this folder on sys.path
    import pdfcorpus as pc

BODY = pc.essay_text(900, seed=3)
SHORT = pc.essay_text(400, seed=8)


def texts(draft, kind=None):
    return [p.text for p in draft.paragraphs if kind is None or p.kind == kind]


def make(tmp_path, name, style, blocks, notes=None, **kwargs) -> Path:
    return pc.write(tmp_path / name, style, blocks, notes, **kwargs)


# --- the text a teacher expects --------------------------------------------------------------

STYLES = {
    "word processor": pc.Style(kerning=True, page_numbers=True),
    "latex": pc.Style(font=pc.LATEX, bold=pc.TIMES_BOLD, emit="kerned", size=10, indent=15, parskip=0, page_numbers=True),
    "words placed one by one": pc.Style(font=pc.TIMES, bold=pc.TIMES_BOLD, emit="words"),
    "double spaced": pc.Style(leading=27, parskip=0, indent=36),
    "running header": pc.Style(header="Candidate 4321 – History NEA", page_numbers=True),
}


@pytest.mark.parametrize("kind", sorted(STYLES))
def test_typed_essays_read_exactly(tmp_path, kind):
    path = make(tmp_path, "essay.pdf", STYLES[kind], [("title", pc.QUESTION), *BODY])
    draft = inspect_file(path)
    assert draft.has_text and draft.warnings == []
    assert draft.title == pc.QUESTION
    assert texts(draft) == BODY
    assert draft.word_count == sum(count_words(p) for p in BODY)


@pytest.mark.parametrize("order", ["columns", "rows"])
def test_two_columns_are_read_one_after_the_other(tmp_path, order):
    """Written column by column or line by line across both columns (as some converters
    do), the left column is read before the right, under a title across both."""
    style = pc.Style(font=pc.TIMES, bold=pc.TIMES_BOLD, columns=2, size=10, margins=(54, 54, 72, 72),
                     order=order, page_numbers=True)
    path = make(tmp_path, "columns.pdf", style, [("title", pc.QUESTION), *BODY])
    draft = inspect_file(path)
    assert draft.page_count >= 2
    assert draft.title == pc.QUESTION
    assert texts(draft) == BODY


def test_three_columns(tmp_path):
    style = pc.Style(font=pc.TIMES, bold=pc.TIMES_BOLD, columns=3, size=9, gutter=14, margins=(40, 40, 60, 60),
                     order="rows")
    path = make(tmp_path, "three.pdf", style, [("title", "The Weimar Republic, 1918–1933"), *BODY])
    assert texts(inspect_file(path)) == BODY


@pytest.mark.parametrize("ligatures", ["names", "tounicode"])
def test_ligature_glyphs_become_letters(tmp_path, ligatures):
    font = pc.Font("Times-Roman", ligatures=ligatures)
    body = ["The effective influence of the financiers was sufficient: a baffling, fluffy offer."] + SHORT
    path = make(tmp_path, "ligatures.pdf", pc.Style(font=font, bold=pc.TIMES_BOLD, emit="kerned"), body)
    draft = inspect_file(path)
    assert texts(draft) == body
    text = " ".join(texts(draft))
    assert "effective" in text and not any(ch in text for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04")
    assert draft.word_count == sum(count_words(p) for p in body)


@pytest.mark.parametrize("where", ["before", "after"])
def test_latex_accents_are_composed(tmp_path, where):
    font = pc.Font("Times-Roman", ligatures="names", split_accents=where)
    body = [" ".join(["Pokémon, Gödel, Brüning’s naïve façade, the rôle of the Länder and señor Núñez."] * 3)] + SHORT
    path = make(tmp_path, "accents.pdf", pc.Style(font=font, bold=pc.TIMES_BOLD, emit="kerned"), body)
    draft = inspect_file(path)
    assert texts(draft) == body
    assert "Pok´emon" not in texts(draft)[0] and "¨o" not in texts(draft)[0]


def test_a_typed_accent_that_is_not_over_a_letter_stays(tmp_path):
    body = ["Some students type don´t with an acute accent, and that is what they wrote."]
    path = make(tmp_path, "typed.pdf", pc.Style(), body)
    assert texts(inspect_file(path)) == body


def test_curly_quotes_dashes_and_accents_are_kept(tmp_path):
    body = ["Stalin’s “Great Terror” – a nineteenth-century idea — café déjà vu, Brüning’s rôle."]
    path = make(tmp_path, "quotes.pdf", pc.Style(font=pc.TIMES, emit="words"), body + SHORT)
    assert texts(inspect_file(path))[0] == body[0]


def test_line_end_hyphen_is_kept_and_the_word_rejoined(tmp_path):
    paragraph = ("Khrushchev’s speech of 1956 argued that the policy of peaceful co-existence was the only "
                 "sensible course for both superpowers in the nuclear age, and the Western powers were slow "
                 "to believe him.")
    for width in range(40, 60):  # find a margin that breaks the line after "co-"
        style = pc.Style(margins=(72, 72 + width * 3, 72, 72))
        setter = pc.essay(style, [paragraph])
        if any(run.elements and run.elements[-1:] == [b"co-"] for run in setter.pages[0].runs):
            break
    path = make(tmp_path, "hyphen.pdf", style, [paragraph])
    assert texts(inspect_file(path)) == [paragraph]


@pytest.mark.parametrize(
    "rotate, upright, size",
    [(90, True, (595, 842)), (270, True, (595, 842)), (180, True, (595, 842)),
     (90, False, (595, 842)), (0, True, (842, 595))],
    ids=["rotated 90", "rotated 270", "upside down", "sideways on screen", "landscape"],
)
def test_rotated_pages(tmp_path, rotate, upright, size):
    style = pc.Style(rotate=rotate, upright=upright, page=size)
    path = make(tmp_path, "rotated.pdf", style, [("title", pc.QUESTION), *SHORT])
    draft = inspect_file(path)
    assert draft.title == pc.QUESTION
    assert texts(draft) == SHORT


def test_filled_in_form_fields_are_read(tmp_path):
    pdf = pc.PdfFile()
    pdf.font(pc.HELVETICA)
    pdf.font(pc.HELVETICA_BOLD)
    fields = [
        pc.text_field(pdf, "name", "Jane Smith", (200, 740, 400, 760)),
        pc.text_field(pdf, "number", "4321", (200, 710, 400, 730)),
        pc.text_field(pdf, "essay", "\n".join(SHORT), (72, 100, 523, 690), multiline=True),
    ]
    note = pc.comment(pdf, "Teacher: see me about this", (420, 700, 560, 760))
    labels = b"BT /F2 12 Tf 1 0 0 1 72 745 Tm (Candidate name:) Tj 1 0 0 1 72 715 Tm (Candidate number:) Tj ET"
    pdf.page(labels, annots=[*fields, note])
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf.output())
    draft = inspect_file(path)
    assert (draft.candidate_name, draft.candidate_number) == ("Jane Smith", "4321")
    assert texts(draft) == SHORT  # the reviewer's comment is not the script


def test_comments_on_the_page_are_not_read(tmp_path):
    pdf = pc.essay(pc.Style(), SHORT).write()
    note = pc.comment(pdf, "Good point: develop it", (420, 700, 560, 760))
    pdf.put(pdf.pages[0], pdf.objects[pdf.pages[0] - 1][:-2] + b" /Annots [%d 0 R] >>" % note)
    path = tmp_path / "commented.pdf"
    path.write_bytes(pdf.output())
    assert texts(inspect_file(path)) == SHORT


def test_footnotes_in_a_smaller_font_with_raised_marks(tmp_path):
    blocks = [SHORT[0], SHORT[1] + " as Evans shows.{1}", SHORT[2]]
    notes = {1: "R. J. Evans, The Coming of the Third Reich (London, 2003), p. 12."}
    draft = inspect_file(make(tmp_path, "notes.pdf", pc.Style(), blocks, notes))
    assert texts(draft, "body") == [SHORT[0], SHORT[1] + " as Evans shows.[1]", SHORT[2]]
    assert texts(draft, "footnote") == [f"[1] {notes[1]}"]


def test_diagonal_watermark_and_fake_bold_are_not_read(tmp_path):
    style = pc.Style(watermark="CONFIDENTIAL DRAFT", fake_bold=True)
    draft = inspect_file(make(tmp_path, "marked.pdf", style, SHORT))
    assert texts(draft) == SHORT


def test_text_outside_the_page_is_not_read(tmp_path):
    hidden = b"BT /F1 11 Tf 1 0 0 1 700 400 Tm (Hidden keywords for the search engine) Tj ET"
    draft = inspect_file(make(tmp_path, "hidden.pdf", pc.Style(extra=hidden), SHORT))
    assert texts(draft) == SHORT


@pytest.mark.parametrize("ascent, descent", [(50000, -50000), (0, 0)], ids=["huge", "zero"])
def test_a_font_with_a_broken_ascent_still_gives_lines(tmp_path, ascent, descent):
    """The line height comes from the font's ascent and descent; when a font gives
    nonsense, the lines are found from the baseline and the font size instead."""
    pdf = pc.PdfFile()
    descriptor = pdf.add(b"<< /Type /FontDescriptor /FontName /Odd /Flags 32 /FontBBox [0 %d 500 %d] /ItalicAngle 0"
                         b" /Ascent %d /Descent %d /CapHeight 700 /StemV 80 >>" % (descent, ascent, ascent, descent))
    font = pdf.add(b"<< /Type /Font /Subtype /TrueType /BaseFont /Odd /FirstChar 32 /LastChar 126 /Widths [%s]"
                   b" /FontDescriptor %d 0 R /Encoding /WinAnsiEncoding >>" % (b" ".join([b"500"] * 95), descriptor))
    pdf.fonts[pc.Font("Odd")] = ("F1", font)
    lines = [f"Line {n} of a short note about the Weimar Republic." for n in range(8)]
    pdf.page(b"\n".join(b"BT /F1 11 Tf 1 0 0 1 72 %d Tm (%s) Tj ET" % (700 - 14 * n, line.encode())
                        for n, line in enumerate(lines)))
    page = read_pdf(pdf.output())["pages"][0]
    assert [line[0] for line in page["lines"]] == lines


def test_invisible_ocr_text_over_a_scan_is_the_text_layer(tmp_path):
    draft = inspect_file(make(tmp_path, "ocr.pdf", pc.Style(invisible=True), SHORT, image_under=True))
    assert draft.has_text and texts(draft) == SHORT and draft.warnings == []


# --- scans: a page with no text at all ---------------------------------------------------------


def test_a_page_with_three_words_is_not_a_scan(tmp_path):
    setter = pc.essay(pc.Style(), SHORT)
    setter._new_page()
    setter.paragraph("Word count: 1,503")
    path = tmp_path / "short.pdf"
    path.write_bytes(setter.write().output())
    draft = inspect_file(path)
    assert draft.page_count == 2 and draft.warnings == []
    assert texts(draft)[-1] == "Word count: 1,503"

    alone = make(tmp_path, "alone.pdf", pc.Style(), ["Three words only"])
    draft = inspect_file(alone)
    assert draft.has_text and texts(draft) == ["Three words only"]
    assert not {"no_text_layer", "pages_without_text"} & {w.code for w in draft.warnings}


def test_a_page_without_text_is_a_scan(tmp_path):
    pdf = pc.PdfFile()
    style = pc.Style(indent=24)  # so that the paragraph starting page 3 shows that it does
    pc.essay(style, SHORT[:2]).write(pdf)
    pc.scan_page(pdf, seed=1)
    pc.essay(style, SHORT[2:]).write(pdf)
    path = tmp_path / "mixed.pdf"
    path.write_bytes(pdf.output())
    draft = inspect_file(path)
    assert draft.has_text and draft.page_count == 3
    assert [w.code for w in draft.warnings] == ["pages_without_text"]
    assert "page 2 of 3" in draft.warnings[0].message
    assert texts(draft) == SHORT


def test_a_blank_page_is_not_called_a_scan(tmp_path):
    pdf = pc.essay(pc.Style(), SHORT).write()
    pdf.page(b"")
    path = tmp_path / "blank.pdf"
    path.write_bytes(pdf.output())
    draft = inspect_file(path)
    assert draft.page_count == 2 and draft.warnings == [] and texts(draft) == SHORT


def test_only_scanned_pages_are_page_images(tmp_path):
    pdf = pc.PdfFile()
    for seed in range(3):
        pc.scan_page(pdf, seed)
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf.output())
    draft = inspect_file(path)
    assert draft.has_text is False and draft.paragraphs == [] and draft.page_count == 3
    assert [w.code for w in draft.warnings] == ["no_text_layer"]


# --- the same text whatever else is installed ----------------------------------------------


def _child_output(data: bytes, block: list[str]) -> tuple[dict, list[str]]:
    script = (
        "import sys, json\n"
        f"for name in {block!r}: sys.modules[name] = None\n"
        "from rubric.importing._pdf_child import read_pdf\n"
        "result = read_pdf(sys.stdin.buffer.read())\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'fontTools', 'pypdf', 'pdfminer', 'cryptography', 'PIL'})\n"
        "print(json.dumps([result, loaded]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True, check=True, timeout=60,
                          cwd=str(Path(__file__).resolve().parents[2]))
    return tuple(json.loads(done.stdout))


def test_the_text_does_not_depend_on_optional_packages(tmp_path):
    style = pc.Style(font=pc.Font("Times-Roman", ligatures="tounicode", split_accents="before"), emit="kerned")
    data = make(tmp_path, "essay.pdf", style, [("title", pc.QUESTION), *BODY]).read_bytes()
    plain, loaded = _child_output(data, [])
    blocked, _ = _child_output(data, ["fontTools", "cryptography", "PIL", "pypdf", "pdfminer"])
    assert plain == blocked and plain["ok"]
    assert loaded == []  # the child loads none of them


# --- how lines and columns are found (no PDF needed) ------------------------------------------


def _line(words: list[str], u: float, v: float, size: float = 10.0, gap: float = 3.0) -> list[Word]:
    out = []
    for text in words:
        width = len(text) * size * 0.5
        out.append(Word(text, u, u + width, v, v + size))
        u += width + gap
    return out


def test_cluster_lines_keeps_raised_marks_on_their_line():
    words = _line(["as", "Evans", "shows."], 72, 100)
    mark = Word("1", words[-1].u1, words[-1].u1 + 3.5, 97.5, 104)  # smaller and raised
    below = _line(["the", "next", "line"], 72, 113)
    lines = cluster_lines([*below, mark, *words])
    assert [line_text(line) for line in lines] == ["as Evans shows.1", "the next line"]


def test_gutter_found_between_columns_not_in_ragged_text():
    left = [_line(["left", "column", "text", "here"], 54, 100 + 12 * i) for i in range(20)]
    right = [_line(["right", "column", "words", "too"], 320, 100 + 12 * i) for i in range(20)]
    lines = cluster_lines([w for line in left + right for w in line])
    gutters = find_gutters(lines, 10)
    assert len(gutters) == 1 and 150 < gutters[0][0] < gutters[0][1] <= 320
    single = [_line(["a", "ragged", "line", "of", "prose"][: 2 + i % 4], 54, 100 + 12 * i) for i in range(20)]
    assert find_gutters(cluster_lines([w for line in single for w in line]), 10) == []


def test_reading_order_bands_under_a_line_across_the_columns():
    title = _line(["A", "title", "right", "across", "both", "columns", "of", "the", "page", "here"], 54, 60)
    left = [_line(["left", "column", "text", "here"], 54, 100 + 12 * i) for i in range(8)]
    right = [_line(["right", "column", "words", "too"], 320, 100 + 12 * i) for i in range(8)]
    footer = _line(["3"], 290, 400)
    words = [w for line in [title, *right, *left, footer] for w in line]
    ordered, columns = reading_order(words)
    labels = [(line_text(line).split()[0], column) for line, column in ordered]
    assert labels == [("A", -1)] + [("left", 0)] * 8 + [("right", 1)] * 8 + [("3", -1)]
    assert len(columns) == 2


def test_ligatures_and_accents_at_the_character_level():
    assert line_text([Word("\ufb01nancial", 0, 40, 0, 10), Word("e\ufb00ect", 43, 80, 0, 10)]) == "financial effect"
    chars, spans = list("Pok´emon"), [(0, 5), (5, 10), (10, 15), (16, 19), (15, 20), (20, 25), (25, 30), (30, 35)]
    assert "".join(compose_accents(chars, spans)) == "Pokémon"
    chars, spans = list("nai¨ve"), [(0, 5), (5, 10), (10, 13), (10, 13), (13, 18), (18, 23)]
    assert "".join(compose_accents(chars, spans)) == "naïve"
    chars, spans = list("don´t"), [(0, 5), (5, 10), (10, 15), (15, 18), (18, 22)]
    assert "".join(compose_accents(chars, spans)) == "don´t"


def test_page_blocks_from_positions():
    lines = [Line("First line of a paragraph that runs on", 72, 520, 100, 112),
             Line("and ends here.", 72, 200, 114, 126),
             Line("A new paragraph after a gap", 72, 520, 138, 150),
             Line("and another line,", 72, 300, 152, 164),
             Line("Indented start of the next one", 100, 520, 166, 178),
             Line("and its end.", 72, 200, 180, 192)]
    blocks = extracted_from_pages([Page(lines, [(72, 520)])]).blocks
    assert [(b.gap_before, b.indent) for b in blocks] == [
        (False, False), (False, False), (True, False), (False, False), (False, True), (False, False)]


def test_a_footnote_wrapped_at_a_dash_keeps_its_range_whole():
    body = [Line(f"Line {n} of the essay, which argues its case at some length here,", 72, 520,
                 100 + 14 * n, 112 + 14 * n) for n in range(12)]
    body[-1].text = "as Overy argues.1"
    notes = [Line("1 R. Overy, The Origins of the Second World War (Harlow, 2008), pp. 12–", 72,
                  520, 300, 308),
             Line("19; and the Nazi–", 72, 160, 309, 317), Line("Soviet pact.", 72, 140, 318, 326)]
    extracted = extracted_from_pages([Page(body + notes, [(72, 520)])])
    assert extracted.footnotes == [
        "[1] R. Overy, The Origins of the Second World War (Harlow, 2008), pp. 12–19; and the "
        "Nazi–Soviet pact."]
    assert extracted.blocks[-1].text == "as Overy argues.[1]"


def test_a_running_header_read_among_the_columns_is_dropped_on_every_page():
    """In two columns the header above the right-hand column is read in the middle of the
    page (after the left column); repeated on every page, it is furniture wherever it is."""
    header = "Eleanor Whitfield — Candidate 4017"
    words = " ".join(BODY).split()
    lines = iter(" ".join(words[i:i + 7]) for i in range(0, len(words), 7))
    pages = []
    for number in range(1, 4):
        left = [Line(next(lines), 71, 287, 80 + 12 * k, 90 + 12 * k, 0) for k in range(20)]
        right = [Line(next(lines), 309, 524, 80 + 12 * k, 90 + 12 * k, 1) for k in range(20)]
        if number == 2:
            first_right = right[0].text
        top = Line(header, 374, 524, 45, 52, 1)
        foot = Line(f"Page {number} of 3", 275, 320, 790, 797, -1)
        pages.append(Page(left + [top] + right + [foot], [(71, 287), (309, 524)]))
    text = " ".join(b.text for b in extracted_from_pages(pages).blocks)
    assert header not in text and "Page 2 of 3" not in text
    assert first_right in text


# --- the pool of children ------------------------------------------------------------------

#: A child that serves like the real one but hangs on a file containing HANG and dies on
#: one containing CRASH.
FLAKY_CHILD = """
import os, signal, sys, time
from rubric.importing import _pdf_child
real = _pdf_child.handle
def handle(mode, data):
    if b"HANG" in data:
        time.sleep(60)
    if b"CRASH" in data:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(mode, data)
_pdf_child.handle = handle
sys.exit(_pdf_child.main(sys.argv[1:]))
"""


def _pids() -> set[int]:
    with sandbox._POOL._condition:
        return {child.process.pid for child in sandbox._POOL._idle}


def test_children_serve_file_after_file(tmp_path):
    """A child per core at most, whatever the batch's length (the batch reads ahead on
    that many), and the same children serve the next batch."""
    paths = [make(tmp_path, f"{n}.pdf", pc.Style(), SHORT) for n in range(12)]
    sandbox.shutdown()
    results = list(import_batch(paths))
    assert all(r.ok for r in results)
    first = _pids()
    assert 1 <= len(first) <= sandbox.POOL_SIZE
    assert all(r.ok for r in import_batch(paths[:4]))
    assert _pids() == first


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_time_out_or_crash_spoils_one_file_and_the_batch_goes_on(tmp_path, monkeypatch):
    good, hang, crash, after = (make(tmp_path, f"{name}.pdf", pc.Style(), SHORT) for name in "abcd")
    for path, marker in ((hang, b"% HANG\n"), (crash, b"% CRASH\n")):  # after %%EOF: readers ignore it
        path.write_bytes(path.read_bytes() + marker)
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-c", FLAKY_CHILD])
    start = time.perf_counter()
    results = list(import_batch([good, hang, crash, after], ImportOptions(time_limit=1, memory_limit_mb=250)))
    assert time.perf_counter() - start < 8
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[1].error == "b.pdf: took too long to read (over 1 s); the PDF may be damaged"
    assert results[2].error.startswith("c.pdf: the PDF reader stopped")
    assert texts(results[3].draft) == SHORT
    with sandbox._POOL._condition:  # the replacement child has the same limits
        commands = [child.process.args for child in sandbox._POOL._idle if child.key[0][:2] == (sys.executable, "-c")]
    assert commands and commands[-1][-3:-1] == ["serve", "250"]


def test_time_limit_message_for_the_default_limit(tmp_path, monkeypatch):
    path = make(tmp_path, "slow.pdf", pc.Style(), ["Some text."])

    def timeout(self, header, data, seconds):
        raise subprocess.TimeoutExpired("child", seconds)

    monkeypatch.setattr(sandbox._Child, "exchange", timeout)
    with pytest.raises(ImportFailure) as caught:
        inspect_file(path)
    assert str(caught.value) == "slow.pdf: took too long to read (over 10 s); the PDF may be damaged"


def test_threads_share_the_pool(tmp_path):
    paths = [make(tmp_path, f"{n}.pdf", pc.Style(), [SHORT[n % len(SHORT)]]) for n in range(12)]
    running = []
    real_acquire = sandbox._POOL.acquire

    def counting(*args):
        child = real_acquire(*args)
        with sandbox._POOL._condition:
            running.append(len(sandbox._POOL._busy) + len(sandbox._POOL._idle))
        return child

    sandbox._POOL.acquire = counting
    try:
        with ThreadPoolExecutor(6) as pool:
            drafts = list(pool.map(inspect_file, paths))
    finally:
        del sandbox._POOL.acquire
    assert [texts(d) for d in drafts] == [[SHORT[n % len(SHORT)]] for n in range(12)]
    assert max(running) <= sandbox.POOL_SIZE
    assert threading.active_count() < 20


def test_a_child_renews_its_cpu_limit_for_each_file():
    script = (
        "import resource\n"
        "from rubric.importing._pdf_child import _set_limits, _renew_cpu_limit\n"
        "_set_limits(300, 2)\n"
        "used = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])\n"
        "for i in range(3):  # 3.6 s of CPU in all, 1.2 s a file\n"
        "    _renew_cpu_limit(2)\n"
        "    end = used() + 1.2\n"
        "    while used() < end: pass\n"
        "print('survived')\n"
    )
    if sys.platform == "win32":
        pytest.skip("RLIMIT_CPU is POSIX")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert done.stdout.strip() == b"survived"


def test_a_long_pdf_is_read_whole(tmp_path):
    """A 20-page essay: every page's text (its speed is in tests/benchmarks/bench_pdf.py)."""
    style = pc.Style(page_numbers=True, header="Candidate 4321 – History NEA", kerning=True)
    twenty = make(tmp_path, "twenty.pdf", style, [("title", pc.QUESTION), *pc.essay_text(12500, seed=20)])
    draft = inspect_file(twenty)
    assert draft.page_count == 20
    assert draft.word_count > 11000
    assert not any("Candidate 4321" in p.text for p in draft.paragraphs)  # the running header


def test_a_page_the_layout_cannot_handle_is_still_read(tmp_path, monkeypatch):
    """Should the layout ever fail on a page, PDFium's own lines are used for it."""
    from rubric.importing import _pdf_child

    def broken(*args):
        raise ValueError("layout bug")

    monkeypatch.setattr(_pdf_child, "reading_order", broken)
    data = make(tmp_path, "essay.pdf", pc.Style(), SHORT).read_bytes()
    page = _pdf_child.read_pdf(data)["pages"][0]
    assert " ".join(line[0] for line in page["lines"]).split() == " ".join(SHORT).split()


# --- tables drawn in the text ----------------------------------------------------------------

_TIMELINE = [("Year", "Event", "Significance"),
             ("1905", "Bloody Sunday and the October Manifesto", "The Tsar conceded a Duma but kept power"),
             ("1906", "Stolypin becomes Prime Minister", "Repression and land reform together"),
             ("1911", "Stolypin is assassinated in Kiev", "Reform lost its driving force")]
_FACTORS = [("Factor", "Evidence", "Judgement"),
            ("Economic", "Reparations of 132 billion gold marks; hyperinflation in 1923 wiped out savings",
             "Serious, but the Dawes Plan and Stresemann brought recovery by 1924"),
            ("Political", "Article 48 emergency powers used again and again by Ebert and Hindenburg",
             "The decisive weakness in the long run"),
            ("Social", "Resentment", "Limited")]
_GLOSSARY = [("Term", "Meaning"), ("Kulak", "A richer peasant who owned land and hired labour"),
             ("Mir", "The village commune that shared out the land"),
             ("Zemstvo", "An elected local council created in 1864")]


def _pdf_with(path: Path, middle) -> Path:
    """An essay page with something drawn between two paragraphs (fpdf2, as a word
    processor lays it out: cells top-aligned, text from the left)."""
    from fpdf import FPDF
    from fpdf.enums import VAlign

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", "", str(mk.DEJAVU))  # curly quotes, dashes and accents
    pdf.add_font("dejavu", "B", str(mk.DEJAVU.with_name("DejaVuSans-Bold.ttf")))  # table headings
    pdf.set_font("dejavu", size=11)
    pdf.multi_cell(0, 6, SHORT[0])
    pdf.ln(4)
    if isinstance(middle, list):
        widths = (20, 70, 90) if len(middle[0]) == 3 else (30, 150)
        if middle is _FACTORS:
            widths = (30, 80, 70)
        with pdf.table(col_widths=widths, text_align="LEFT", v_align=VAlign.T, line_height=5.5) as table:
            for cells in middle:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
    else:
        middle(pdf)
    pdf.ln(4)
    pdf.multi_cell(0, 6, SHORT[1])
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("table", [_TIMELINE, _FACTORS, _GLOSSARY], ids=["timeline", "wrapped cells", "two columns"])
def test_a_table_in_a_pdf_is_read_row_by_row(tmp_path, table):
    """Each row one paragraph, its cells joined by " | " as in a .docx (a cell's wrapped
    lines kept together), in its place between the paragraphs around it; not a column of
    the page read after the rest."""
    draft = inspect_file(_pdf_with(tmp_path / "4021_Shah_Priya.pdf", table))
    assert [(p.text, p.kind) for p in draft.paragraphs] == [
        (SHORT[0], "body"), *((" | ".join(cells), "table") for cells in table), (SHORT[1], "body")]


def test_a_numbered_list_with_hanging_text_is_no_table(tmp_path):
    items = ["The first cause was the economic crisis which affected every class of society and lasted "
             "for several years after the war ended in 1918.",
             "The second cause was political: the constitution gave the president powers that were used "
             "again and again.",
             "The third cause was the resentment of the treaty."]

    def numbered(pdf):
        for number, text in enumerate(items, 1):
            y = pdf.get_y()
            pdf.set_x(15)
            pdf.cell(8, 6, f"{number}.")
            pdf.set_xy(25, y)
            pdf.multi_cell(0, 6, text)

    draft = inspect_file(_pdf_with(tmp_path / "list.pdf", numbered))
    assert [p.kind for p in draft.paragraphs] == ["body"] * 5
    assert texts(draft)[1:4] == [f"{n}. {t}" for n, t in enumerate(items, 1)]


def test_two_columns_of_justified_prose_are_no_table(tmp_path):
    two = dict(font=pc.TIMES, bold=pc.TIMES_BOLD, columns=2, size=10, margins=(54, 54, 72, 72), page_numbers=True)
    body = pc.essay_text(1500, seed=5)
    draft = inspect_file(make(tmp_path, "two.pdf", pc.Style(**two), [("title", pc.QUESTION), *body]))
    assert not [p for p in draft.paragraphs if p.kind == "table"]
    flat = " ".join(" ".join(texts(draft)).split())
    assert " ".join(body[1].split()[:40]) in flat and " ".join(body[-1].split()[-40:]) in flat


def test_a_two_column_section_under_one_column_text_keeps_its_paragraphs(tmp_path):
    """A page with a paragraph across the page, then two columns, then one column again:
    the columns' lines are half as long, and are not taken for short lines (headings, or
    a paragraph's end at every full stop)."""
    from fpdf import FPDF

    paragraphs = mk.essay_paragraphs(1000, seed=11, per_paragraph=90)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, paragraphs[0])
    pdf.ln(4)
    top = pdf.get_y()
    for x, column in ((10, paragraphs[1:3]), (108, paragraphs[3:5])):
        pdf.set_xy(x, top)
        for paragraph in column:
            pdf.set_x(x)
            pdf.multi_cell(92, 5.5, paragraph)
            pdf.ln(3)
    pdf.set_y(pdf.get_y() + 4)
    pdf.multi_cell(0, 5.5, paragraphs[5])
    path = tmp_path / "4030_Ali_Sara.pdf"
    pdf.output(str(path))
    draft = inspect_file(path)
    assert [(p.text, p.kind) for p in draft.paragraphs] == [(text, "body") for text in paragraphs[:6]]


def test_notes_set_apart_by_gaps_and_marks_side_by_side_are_footnotes():
    """Two notes at the foot of the page, a gap before each, marked together in the text
    ("…mattered.12"): both are notes, the marks "[1][2]", and the paragraph they end is
    not cut off as a heading."""
    body = [Line(f"Line {n} of the essay, which argues its case at some length across the page,", 72, 520,
                 100 + 14 * n, 111 + 14 * n) for n in range(12)]
    body[-2].text = "Line 10 of the essay, which argues its case at some length, came to an end."
    body[-1].text = "In 1840 the number 83519 mattered.12"
    body[-1].x1 = 260
    notes = [Line("1 Service, Stalin, p. 4.", 72, 200, 300, 310), Line("2 Fitzpatrick, Revolution, pp. 12–15.", 72, 260, 325, 335)]
    extracted = extracted_from_pages([Page(body + notes, [(72, 520)])])
    assert extracted.footnotes == ["[1] Service, Stalin, p. 4.", "[2] Fitzpatrick, Revolution, pp. 12–15."]
    assert extracted.blocks[-1].text == "In 1840 the number 83519 mattered.[1][2]"
    from rubric.importing.paragraphs import ends_sentence

    assert ends_sentence("…as Evans shows.[1][2]") and ends_sentence("…the end.[iv]")
    assert not ends_sentence("the reforms of [1906]")
