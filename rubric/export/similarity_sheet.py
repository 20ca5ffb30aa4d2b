"""The markbook's Similarity and Comparative judgement sheets.

* **Similarity** (only when some pair of the exported scripts shares passages above the
  threshold, :mod:`rubric.similarity`'s defaults): per pair, the candidates, shared words,
  containment, words in common passages and the first shared passage, with a note of what a
  match does and does not show.
* **Comparative judgement** (only when the set has judgements): the CJ scale, best first:
  rank, candidate, score, standard error, scaled score, infit, judgements, the rubric total
  and its rank, and whether the two disagree; the reliability figures above it. The fit is
  the one ``essay-marker cj`` prints (:func:`rubric.comparing.cj_report`).

A blind marker's markbook fits only their own judgements (as it shows only their marks).
Every text is stored as text (the markbook's :class:`~rubric.export.excel.SheetWriter`),
never as a formula; every figure as a number.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rubric.export.excel import SheetWriter
from rubric.export.snapshot import SetSnapshot
from rubric.store import MarkingSet

if TYPE_CHECKING:
    from rubric.forked import Background

_EXTRA_STYLES = {"two places": "0.00", "signed two places": "+0.00;-0.00;0.00"}
#: Longest passage written whole into a cell (a longer one is cut at a word, with "…").
PASSAGE_CHARACTERS = 1_500


def _add_styles(workbook: Workbook) -> None:
    for kind, number_format in _EXTRA_STYLES.items():
        name = f"EM {kind}"
        if name not in workbook.named_styles:
            workbook.add_named_style(NamedStyle(
                name=name, number_format=number_format, font=Font(name="Calibri", size=11),
                alignment=Alignment(vertical="top", horizontal="center")))


def _short(text: str, limit: int = PASSAGE_CHARACTERS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _table_layout(writer: SheetWriter, top: int, last_row: int, columns: int,
                  fixed: dict[int, int]) -> None:
    sheet = writer.sheet
    writer.set_widths(minimum=8, maximum=40, fixed=fixed)
    sheet.row_dimensions[top].height = 32
    sheet.freeze_panes = f"C{top + 1}"
    sheet.print_title_rows = f"{top}:{top}"
    if last_row > top:
        sheet.auto_filter.ref = f"A{top}:{get_column_letter(columns)}{last_row}"
    sheet.page_setup.orientation = "landscape"


def similarity_sheet(sheet: Worksheet, snapshot: SetSnapshot, report, warnings: list[str]) -> None:
    """Fill ``sheet`` with the pairs of ``report`` (a :class:`SimilarityReport` over the
    snapshot's scripts)."""
    from rubric.comparing import SIMILARITY_CAVEAT

    writer = SheetWriter(sheet, warnings)
    names = {s.id: s.candidate for s in snapshot.scripts}
    o = report.options
    writer.text(1, 1, "Similarity", "EM Title")
    writer.text(2, 1, f"{snapshot.name} · {len(report.pairs)} pairs of scripts share "
                      f"{o.min_shared_words} words or more, of {report.scripts} scripts "
                      "compared (quotations, the question and bibliographies left out; a "
                      f"passage in {report.common_threshold} scripts or more is common and "
                      "not counted)", "EM Note")
    writer.text(3, 1, SIMILARITY_CAVEAT, "EM Note")
    top = 5
    headers = ["Pair", "Candidate A", "Candidate B", "Shared words", "Containment",
               "Common words", "Passages", "First shared passage"]
    writer.header(top, headers)
    row = top
    for number, pair in enumerate(report.pairs, 1):
        row += 1
        shared = [p for p in pair.passages if not p.common] or list(pair.passages)
        writer.number(row, 1, number, "mark")
        writer.text(row, 2, names.get(pair.a, str(pair.a)))
        writer.text(row, 3, names.get(pair.b, str(pair.b)))
        writer.number(row, 4, pair.shared_words, "words")
        writer.number(row, 5, pair.containment, "percent")
        writer.number(row, 6, pair.common_words, "words")
        writer.number(row, 7, len(pair.passages), "mark")
        writer.text(row, 8, _short(shared[0].text) if shared else "", "EM Wrapped",
                    what="shared passage")
    if report.truncated:
        writer.text(row + 2, 1, f"Only the first {len(report.pairs)} pairs are listed.",
                    "EM Note")
    _table_layout(writer, top, row, len(headers), {1: 7, 2: 26, 3: 26, 8: 80})


def cj_sheet(sheet: Worksheet, snapshot: SetSnapshot, report, warnings: list[str],
             listed: set | None = None) -> None:
    """Fill ``sheet`` with the CJ scale of ``report`` (a :class:`rubric.comparing.CJReport`):
    the judged scripts, or those of them in ``listed``."""
    _add_styles(sheet.parent)
    writer = SheetWriter(sheet, warnings)
    result = report.result
    writer.text(1, 1, "Comparative judgement", "EM Title")
    lines = report.lines()
    writer.text(2, 1, lines[0], "EM Note")
    ssr = f"SSR {result.ssr:.2f} (scale separation reliability: the share of the spread of " \
          "scores that is not measurement error)"
    split = ("split-half: needs two judges or more" if result.split_half is None else
             f"split-half {result.split_half:.2f}, stepped up {result.split_half_corrected:.2f} "
             "(how well two random halves of the judges agree)")
    writer.text(3, 1, f"{ssr}; {split}.", "EM Note")
    spearman = report.comparison.spearman
    writer.text(4, 1, "Score: logits, mean 0; SE: its standard error; scaled: mean 50, SD 15. "
                      "Flag “disagrees”: the rubric rank and the CJ rank are "
                      f"{report.comparison.threshold:g} places or more apart; “misfit”: infit "
                      "above 1.2 (judges disagreed)."
                + ("" if spearman is None else
                   f" Spearman between CJ scores and rubric totals: {spearman:.2f}."), "EM Note")
    top = 6
    headers = ["Rank", "Candidate", "Score", "SE", "Scaled", "Infit", "Judgements",
               "Rubric total", "Rubric rank", "Flag"]
    if report.anchor is not None:
        headers.append("Mapped mark")
    writer.header(top, headers)
    row = top
    for item in report.ranked():
        if listed is not None and item.id not in listed:
            continue
        f = item.figures
        row += 1
        writer.number(row, 1, f["rank"], "mark")
        writer.text(row, 2, item.candidate)
        writer.number(row, 3, f["score"], "signed two places")
        writer.number(row, 4, f["se"], "two places")
        writer.number(row, 5, f["scaled"], "decimal")
        writer.number(row, 6, f["infit"], "two places")
        writer.number(row, 7, f["judgements"], "mark")
        writer.number(row, 8, item.rubric_total, "mark")
        writer.number(row, 9, item.rubric_rank, "decimal")
        writer.text(row, 10, " ".join(t for t, on in (("disagrees", item.flagged),
                                                      ("misfit", f["misfit"])) if on))
        if report.anchor is not None:
            writer.number(row, 11, item.mapped_mark, "decimal")
    if row == top:
        writer.text(top + 1, 1, "No script of this markbook has been judged yet.", "EM Note")
    _table_layout(writer, top, row, len(headers), {1: 7, 2: 30})


#: From how many scripts with text a process that cannot fork (the app, whose exports run
#: on a thread) compares them in a new Python beside it: starting one and importing the
#: check costs about 0.1 s, which a class's check (about 0.1 s for 30 scripts) does not
#: repay, and a year group's does (0.15-0.2 s saved of 0.5 s at 300 scripts).
SPAWN_FROM = 150


def start_similarity(marking_set: MarkingSet, snapshot: SetSnapshot) -> Background | None:
    """The similarity check of the snapshot's scripts, begun now: their texts are read here
    (the set's connection belongs to this process), and compared by a fork of this process
    where :mod:`rubric.forked` allows, or for ``SPAWN_FROM`` scripts or more by a new Python
    (the markbook's other sheets are made meanwhile), else here when the result is asked
    for. None when there is nothing to compare."""
    from rubric import comparing
    from rubric.forked import Background

    with_text = [s.id for s in snapshot.scripts if s.has_text]
    if len(snapshot.scripts) < 2 or not with_text:
        return None
    texts, questions = comparing.similarity_inputs(marking_set, with_text)
    return Background(comparing.find_similar, texts, questions,
                      spawn=len(with_text) >= SPAWN_FROM)


def comparison_sheets(workbook: Workbook, marking_set: MarkingSet, snapshot: SetSnapshot,
                      warnings: list[str], similarity: Background | None) -> None:
    """Add the Similarity sheet when some pair of the snapshot's scripts shares passages
    (``similarity``: the check :func:`start_similarity` began, None when it had nothing to
    compare), and the Comparative judgement sheet when the set has judgements."""
    from rubric.comparing import cj_report, recorded_judgements

    ids = [s.id for s in snapshot.scripts]
    if similarity is not None:
        with similarity:
            if similarity.running() and "rubric.similarity" not in sys.modules:
                # while the copy compares: load what it loaded (NumPy), so that the next
                # check in this process starts its copy with it
                import rubric.similarity  # noqa: F401
            report = similarity.result()
        if report.pairs:
            similarity_sheet(workbook.create_sheet("Similarity"), snapshot, report, warnings)
    if marking_set.judgements():
        # the scale of the whole set (as the app and the CLI fit it); this markbook's
        # scripts are listed
        judgements = recorded_judgements(marking_set, snapshot.requested, hide_others=True)
        exported = set(ids)
        if any(j[0] in exported or j[1] in exported for j in judgements):
            totals = {s.id: snapshot.shown_total(s.id) for s in snapshot.scripts}
            report = cj_report(marking_set, judgements, totals=totals)
            cj_sheet(workbook.create_sheet("Comparative judgement"), snapshot, report,
                     warnings, listed=exported)
