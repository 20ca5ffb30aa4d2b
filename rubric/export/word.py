"""Word exports: a feedback document per script, a class pack, coursework cover sheets.

A feedback document shows the set, candidate, question, date and marker; a table per
criterion listing every level with the awarded one shaded; the total; what went well / even
better if / general comment; then the script with every annotation as a real Word comment
in the margin, anchored to its passage.

Documents are built from plain values (:class:`~rubric.export.snapshot.ScriptFeedback`) read
from the set in the calling process, so a batch can be built by worker processes. Every file
is written through :mod:`rubric.safe_write`: a failure leaves the old file untouched.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

from rubric import marking
from rubric.export.cells import clean_text
from rubric.export.docx_package import (
    WordPackage,
    comment_end,
    comment_start,
    text_runs_content,
)
from rubric.export.docx_template import (
    AWARDED_FILL,
    GREY_TEXT,
    HEADER_FILL,
    NAVY,
    TEXT_WIDTH,
    template_parts,
)
from rubric.export.docx_xml import (
    Cell,
    Text,
    append_xml,
    cell,
    paragraph_xml,
    run_xml,
    table_xml,
)
from rubric.export.names import check_pattern, file_name, unique_names
from rubric.export.report import ExportProgress, ExportReport, ExportTask
from rubric.export.snapshot import ScriptFeedback, SetSnapshot
from rubric.ids import MarkerId, ScriptId
from rubric.safe_write import ExportError, describe_os_error, write_with
from rubric.scheme import Criterion, Scheme
from rubric.store import MarkingSet, find_passage

#: Batches at least this big are built here and written by :data:`WRITER_THREADS` threads:
#: compressing a file and syncing it to disk release the interpreter, so they overlap the
#: building of the next documents, and a disk takes several syncs at once about as fast
#: as one. (A document is built in about a millisecond; starting a worker process costs
#: hundreds, so worker processes are used only when asked for.)
THREAD_THRESHOLD = 4
WRITER_THREADS = 4
#: Worker processes when ``WordOptions.processes`` asks for more than one.
MAX_PROCESSES = 2

_AWARDED_TEXT = "375623"  # dark green for "Your mark" in the awarded row


@dataclass(frozen=True)
class WordOptions:
    """What goes into the Word exports."""

    include_script: bool = True
    include_descriptors: bool = True
    include_annotations: bool = True
    school: str = ""
    #: File names for "one file per script"; fields {candidate} {name} {number} {set} {id}.
    file_pattern: str = "{candidate}_{set}.docx"
    cover_pattern: str = "{candidate}_{set}_cover.docx"
    #: Whose marks and comments to show (None: see ``snapshot.SetSnapshot``).
    marker: MarkerId | None = None
    #: The date printed on the documents (None: today).
    date: dt.date | None = None
    #: Worker processes for big batches (None: build in this process and write with two
    #: threads; 1: build and write each file in turn in this process; 2 or more: worker
    #: processes build and write them).
    processes: int | None = None
    #: Which scripts a batch or class pack holds, when no script ids are given: "all", or
    #: only those "marked" (see ``snapshot.exported_scripts``).
    which: str = "all"

    def printed_date(self) -> str:
        day = self.date or dt.date.today()
        return f"{day.day} {day:%B %Y}"


# -- building a feedback document ----------------------------------------------------------


def _percent(total: int | None, scheme: Scheme) -> str:
    share = marking.percentage(scheme, total)
    return "" if share is None else f" ({round(100 * share)}%)"


def _total_text(data: ScriptFeedback) -> str:
    total = data.total
    if total is None:
        return "not marked yet"
    text = f"{total} / {data.scheme.total}{_percent(total, data.scheme)}"
    if not data.complete:
        text += " so far (not every criterion is marked yet)"
    return text


def _criterion_heading(criterion: Criterion, data: ScriptFeedback) -> str:
    mark = data.marks.get(criterion.name)
    if mark is None or (mark.mark is None and mark.level is None):
        return f"{criterion.name}: not marked yet"
    if mark.mark is None:
        return f"{criterion.name}: {mark.level} (mark not placed yet)"
    return f"{criterion.name}: {mark.mark} out of {criterion.maximum} ({mark.level})"


def _level_table(criterion: Criterion, data: ScriptFeedback, descriptors: bool) -> str:
    mark = data.marks.get(criterion.name)
    awarded = mark.level if mark else None
    if descriptors:
        widths = [1450, 1550, TEXT_WIDTH - 3000]
        header = ["Level", "Marks", "Descriptor"]
    else:
        widths = [2200, 2400]
        header = ["Level", "Marks"]
    rows: list[list[Cell]] = [[cell(h, "TableHeading", HEADER_FILL) for h in header]]
    for level in criterion.levels:
        here = level.label == awarded
        fill = AWARDED_FILL if here else None
        label = [Text(level.label, bold=here)]
        marks = [Text(level.range_text, bold=here)]
        if here:
            placed = f"Your mark: {mark.mark}" if mark and mark.mark is not None else "Your level"
            marks = [Text(level.range_text + "\n", bold=True),
                     Text(placed, bold=True, colour=_AWARDED_TEXT)]
        row = [cell(label, fill=fill), cell(marks, fill=fill)]
        if descriptors:
            row.append(cell(level.descriptor, fill=fill))
        rows.append(row)
    return table_xml(widths, rows, header_rows=1)


def _info_table(rows: Sequence[tuple[str, str]]) -> str:
    widths = [1900, TEXT_WIDTH - 1900]
    cells = [[cell([Text(label, bold=True, colour=NAVY)]), cell(value)] for label, value in rows]
    return table_xml(widths, cells, style="PlainTable")


def _add_comments_section(document, data: ScriptFeedback) -> None:
    sections = [("What went well", data.www), ("Even better if", data.ebi),
                ("General comment", data.general)]
    present = [(title, text) for title, text in sections if clean_text(text).strip()]
    if not present:
        return
    append_xml(document, paragraph_xml("Comments", "Heading1"))
    for title, text in present:
        append_xml(document, paragraph_xml(title, "Heading2"))
        for line in clean_text(text).strip().split("\n"):
            append_xml(document, paragraph_xml(line))


def _comment_text(annotation) -> str:
    comment = clean_text(annotation.comment).strip()
    if annotation.criterion:
        return f"{annotation.criterion}: {comment}" if comment else annotation.criterion
    return comment


def _anchored(data: ScriptFeedback) -> list[tuple[int, int, object]]:
    """Each annotation with the span it covers in the script text (re-anchored by its quote
    if the offsets no longer match, as a safeguard), sorted by position."""
    text = data.text
    spans = []
    for annotation in data.annotations:
        start, end = max(0, annotation.start), min(len(text), annotation.end)
        if annotation.quote and text[start:end] != annotation.quote:
            found = find_passage(text, annotation.quote)
            if found is not None:
                start, end = found
        if start >= end:
            continue
        spans.append((start, end, annotation))
    spans.sort(key=lambda s: (s[0], -s[1]))
    return spans


_KIND_STYLES = {"heading": "Heading3", "quote": "Quote", "footnote": "Note", "front_matter": "Note",
                "reference": "Note", "appendix": "ScriptText", "body": "ScriptText"}


def _add_script(document: WordPackage, data: ScriptFeedback, options: WordOptions) -> None:
    """The script's paragraphs, split into runs at every annotation start and end, with each
    annotation a Word comment over its runs (overlapping annotations overlap in Word too).
    The comments' range marks are written beside their runs in one pass (linear in the
    number of annotations, 20,000 on one script included)."""
    spans = _anchored(data) if options.include_annotations else []
    cuts = sorted({point for start, end, _ in spans for point in (start, end)})
    run_starts: list[int] = []
    run_ends: list[int] = []
    paragraphs: list[tuple[str, list[str]]] = []  # (style, the XML of its runs)
    offset = 0
    for text, kind in data.paragraphs:
        end = offset + len(text)
        points = [offset]
        points += cuts[bisect.bisect_right(cuts, offset):bisect.bisect_left(cuts, end)]
        points.append(end)
        segments = [(a, b) for a, b in zip(points, points[1:], strict=False) if a != b]
        paragraphs.append((_KIND_STYLES.get(kind, "ScriptText"),
                           [run_xml(text[a - offset:b - offset]) for a, b in segments]))
        for a, b in segments:
            run_starts.append(a)
            run_ends.append(b)
        offset = end + 1  # the "\n" between paragraphs
    before: dict[int, list[str]] = {}  # run index -> range starts just before it
    after: dict[int, list[str]] = {}  # run index -> range ends and references just after it
    if run_starts:
        for start, end, annotation in spans:
            first = bisect.bisect_right(run_ends, start)  # first run ending after start
            last = bisect.bisect_left(run_starts, end) - 1  # last run starting before end
            if first > last:  # the span covers only paragraph breaks: anchor to the run before
                first = last = min(max(last, 0), len(run_starts) - 1)
            number = document.add_comment(_comment_text(annotation),
                                          clean_text(annotation.author) or "Marker",
                                          clean_text(annotation.initials))
            before.setdefault(first, []).append(comment_start(number))
            # a later comment ending at the same run ends nearer to it (nested ranges)
            after.setdefault(last, []).insert(0, comment_end(number))
    index = 0
    for style, runs in paragraphs:
        pieces = [f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>']
        for run in runs:
            if index in before:
                pieces.extend(before[index])
            pieces.append(run)
            if index in after:
                pieces.extend(after[index])
            index += 1
        pieces.append("</w:p>")
        document.append("".join(pieces))


def _add_annotation_list(document, data: ScriptFeedback) -> None:
    """Annotations as a table of passage and comment (when the script itself is left out)."""
    spans = _anchored(data)
    if not spans:
        return
    append_xml(document, paragraph_xml("Comments on your essay", "Heading1"))
    widths = [TEXT_WIDTH // 2, TEXT_WIDTH - TEXT_WIDTH // 2]
    rows = [[cell("Passage", "TableHeading", HEADER_FILL),
             cell("Comment", "TableHeading", HEADER_FILL)]]
    for _, _, annotation in spans:
        quote = annotation.quote if len(annotation.quote) <= 400 else annotation.quote[:397] + "…"
        rows.append([cell([Text(f"“{quote}”", italic=True)]), cell(_comment_text(annotation))])
    append_xml(document, table_xml(widths, rows, header_rows=1))


def _set_footer(document: WordPackage, text: str) -> None:
    document.footer = clean_text(text)


def write_feedback(document, data: ScriptFeedback, options: WordOptions,
                   new_page: bool = False) -> None:
    """Append one script's feedback to ``document`` (``new_page``: start on a new page)."""
    scheme = data.scheme
    title = data.candidate_name or data.candidate
    break_run = '<w:r><w:br w:type="page"/></w:r>' if new_page else ""
    title_xml = paragraph_xml(title, "Title")
    if break_run:
        title_xml = title_xml.replace("<w:r>", break_run + "<w:r>", 1)
    append_xml(document, title_xml)
    subtitle = [p for p in (f"Candidate {data.candidate_number}" if data.candidate_number else "",
                            data.set_name, options.school) if clean_text(p).strip()]
    append_xml(document, paragraph_xml(" · ".join(subtitle), "Subtitle"))
    info = [("Question", scheme.question)]
    if data.title and data.title.strip() != scheme.question.strip():
        info.append(("Title", data.title))
    info += [("Marked by", data.marker_name or "—"), ("Date", options.printed_date()),
             ("Total mark", _total_text(data))]
    append_xml(document, _info_table(info))

    append_xml(document, paragraph_xml("Marks", "Heading1"))
    for criterion in scheme.criteria:
        append_xml(document, paragraph_xml(_criterion_heading(criterion, data), "Heading2"))
        if options.include_descriptors and criterion.description:
            append_xml(document, paragraph_xml(criterion.description, "Note", keep_next=True))
        append_xml(document, _level_table(criterion, data, options.include_descriptors))
    if len(scheme.criteria) > 1:
        append_xml(document, paragraph_xml(f"Total: {_total_text(data)}", "Total"))

    _add_comments_section(document, data)

    if options.include_script:
        append_xml(document, paragraph_xml("Your essay", "Heading1"))
        if options.include_annotations and data.annotations:
            who = data.marker_name or "your teacher"
            append_xml(document, paragraph_xml(
                [Text(f"Comments from {who} are in the margin, next to the passages they "
                      "refer to.", italic=True)], "Note"))
        if data.title and data.title.strip():
            append_xml(document, paragraph_xml(data.title, "Heading2"))
        _add_script(document, data, options)
    elif options.include_annotations:
        _add_annotation_list(document, data)


def build_feedback(data: ScriptFeedback, options: WordOptions) -> WordPackage:
    """One script's feedback document, from plain values."""
    document = WordPackage()
    write_feedback(document, data, options)
    _set_footer(document, f"{data.set_name} · Feedback for {data.candidate}")
    document.title = clean_text(f"Feedback: {data.candidate}")
    return document


def _options_for(options: WordOptions | None) -> WordOptions:
    options = options or WordOptions()
    if options.date is None:
        options = replace(options, date=dt.date.today())
    return options


def feedback_document(marking_set: MarkingSet, script_id: ScriptId,
                      options: WordOptions | None = None):
    """The feedback document of one script (a python-docx ``Document``, not yet saved)."""
    options = _options_for(options)
    snapshot = SetSnapshot(marking_set, options.marker)
    return build_feedback(snapshot.feedback(marking_set, script_id), options).document()


def _save(document: WordPackage, path: Path) -> None:
    write_with(path, document.save)


def export_feedback(marking_set: MarkingSet, script_id: ScriptId, path: str | Path,
                    options: WordOptions | None = None) -> Path:
    """Write one feedback document; raises :class:`ExportError` naming the file on failure
    (the previous file, if any, is untouched)."""
    path = Path(path)
    options = _options_for(options)
    snapshot = SetSnapshot(marking_set, options.marker)
    _save(build_feedback(snapshot.feedback(marking_set, script_id), options), path)
    return path


# -- coursework cover sheet -------------------------------------------------------------


def write_cover_sheet(document, data: ScriptFeedback, options: WordOptions,
                      new_page: bool = False) -> None:
    """A coursework cover summary in the spirit of a candidate record form."""
    scheme = data.scheme
    title_xml = paragraph_xml("Coursework record", "Title")
    if new_page:
        title_xml = title_xml.replace("<w:r>", '<w:r><w:br w:type="page"/></w:r><w:r>', 1)
    append_xml(document, title_xml)
    subtitle = [p for p in (data.set_name, options.school, scheme.paper) if p.strip()]
    append_xml(document, paragraph_xml(" · ".join(subtitle), "Subtitle"))

    limit = scheme.word_limit
    counted = f"{data.coursework_word_count:,}"
    if limit:
        counted += f" (limit {limit:,}"
        over = data.coursework_word_count - limit
        counted += f"; {over:,} over)" if over > 0 else ")"
    label_width = 2200
    value_width = TEXT_WIDTH // 2 - label_width
    widths = [label_width, value_width, label_width, TEXT_WIDTH - 2 * label_width - value_width]

    def label(text: str) -> Cell:
        return cell([Text(text, bold=True, colour=NAVY)], fill=HEADER_FILL)

    rows = [
        [label("Candidate name"), cell(data.candidate_name or "—"),
         label("Candidate number"), cell(data.candidate_number or "—")],
        [label("Centre"), cell(options.school or "—"), label("Date"), cell(options.printed_date())],
        [label("Title"), cell(data.title.strip() or scheme.question, span=3)],
        [label("Words (whole script)"), cell(f"{data.word_count:,}"),
         label("Words counted"), cell(counted)],
        [label("Marked by"), cell(data.marker_name or "—", span=3)],
    ]
    append_xml(document, table_xml(widths, rows))

    append_xml(document, paragraph_xml("Marks", "Heading1"))
    widths = [1300, TEXT_WIDTH - 1300 - 1500 - 1000 - 1000, 1500, 1000, 1000]
    rows = [[cell(h, "TableHeading", HEADER_FILL)
             for h in ("Criterion", "Assesses", "Level", "Mark", "Out of")]]
    for criterion in scheme.criteria:
        mark = data.marks.get(criterion.name)
        rows.append([
            cell([Text(criterion.name, bold=True)]),
            cell(criterion.description if options.include_descriptors else ""),
            cell(mark.level if mark and mark.level else "—"),
            cell("—" if mark is None or mark.mark is None else str(mark.mark)),
            cell(str(criterion.maximum)),
        ])
    total = data.total
    rows.append([
        cell([Text("Total", bold=True)], fill=AWARDED_FILL, span=3),
        cell([Text("—" if total is None else str(total), bold=True)], fill=AWARDED_FILL),
        cell([Text(str(scheme.total), bold=True)], fill=AWARDED_FILL),
    ])
    append_xml(document, table_xml(widths, rows, header_rows=1))

    append_xml(document, paragraph_xml("Marker’s comments", "Heading1"))
    present = [(t, c) for t, c in (("Summary", data.general), ("Strengths", data.www),
                                   ("To improve", data.ebi)) if clean_text(c).strip()]
    if present:
        rows = [[cell([Text(heading, bold=True, colour=NAVY)], fill=HEADER_FILL),
                 cell(clean_text(text).strip())] for heading, text in present]
        append_xml(document, table_xml([label_width, TEXT_WIDTH - label_width], rows))
    else:
        append_xml(document, paragraph_xml(
            [Text("No comments recorded.", italic=True, colour=GREY_TEXT)]))

    append_xml(document, paragraph_xml("Declarations", "Heading1"))
    _signature_table(document)


_TEACHER_STATEMENT = ("I confirm that I have marked this work against the scheme and that, as "
                      "far as I know, it is the candidate’s own work.")
_CANDIDATE_STATEMENT = ("I confirm that this work is my own and that I have acknowledged every "
                        "source I used.")


def _signature_table(document) -> None:
    """Teacher and candidate side by side: a statement, then lines to sign, name and date."""
    gap = 400
    label_width = 1300
    line_width = (TEXT_WIDTH - gap) // 2 - label_width
    widths = [label_width, line_width, gap, label_width, line_width]

    def statement(who: str, text: str) -> Cell:
        content = (paragraph_xml([Text(who, bold=True, colour=NAVY)], "TableText")
                   + paragraph_xml(text, "TableText"))
        return Cell(content, span=2)

    rows = [[statement("Teacher", _TEACHER_STATEMENT), cell(""),
             statement("Candidate", _CANDIDATE_STATEMENT)]]
    for field in ("Signature", "Name", "Date"):
        rows.append([cell([Text(field, bold=True)], valign="bottom"),
                     cell("", rule=True, valign="bottom"), cell(""),
                     cell([Text(field, bold=True)], valign="bottom"),
                     cell("", rule=True, valign="bottom")])
    xml = table_xml(widths, rows, style="PlainTable", keep_together=True)
    # Taller rows for the lines leave room for a handwritten signature.
    head, _, rest = xml.partition("</w:tr>")
    rest = rest.replace("<w:trPr><w:cantSplit/>",
                        '<w:trPr><w:cantSplit/><w:trHeight w:val="560" w:hRule="atLeast"/>')
    append_xml(document, head + "</w:tr>" + rest)


def build_cover_sheet(data: ScriptFeedback, options: WordOptions) -> WordPackage:
    document = WordPackage()
    write_cover_sheet(document, data, options)
    _set_footer(document, f"{data.set_name} · Coursework record for {data.candidate}")
    document.title = clean_text(f"Coursework record: {data.candidate}")
    return document


def cover_sheet_document(marking_set: MarkingSet, script_id: ScriptId,
                         options: WordOptions | None = None):
    options = _options_for(options)
    snapshot = SetSnapshot(marking_set, options.marker)
    return build_cover_sheet(snapshot.feedback(marking_set, script_id), options).document()


# -- batches: one file per script ------------------------------------------------------

_BUILDERS: dict[str, Callable] = {"feedback": build_feedback, "cover": build_cover_sheet}


def _write_one(kind: str, data: ScriptFeedback, options: WordOptions,
               path: Path) -> tuple[Path, str | None]:
    """Build and write one document; never raises (a worker's result is its outcome)."""
    return _outcome(path, lambda: _save(_BUILDERS[kind](data, options), path))


def _outcome(path: Path, action: Callable[[], object]) -> tuple[Path, str | None]:
    """``(path, None)`` when ``action()`` succeeds, else ``(path, the reason it failed)``."""
    try:
        action()
    except ExportError as exc:
        return path, exc.reason
    except OSError as exc:
        return path, describe_os_error(exc)
    except Exception as exc:  # a bug must fail one file, not the batch
        return path, f"could not build the document ({type(exc).__name__}: {exc})"
    return path, None


def _script_ids(snapshot: SetSnapshot, script_ids: Iterable[ScriptId] | None) -> list[ScriptId]:
    """The scripts given, else those the snapshot exports (``WordOptions.which``)."""
    return list(script_ids) if script_ids is not None else [s.id for s in snapshot.scripts]


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ExportError(folder, "this is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(folder, describe_os_error(exc)) from None
    if not folder.is_dir():
        raise ExportError(folder, "this is a file, not a folder")


def _process_count(options: WordOptions, jobs: int) -> int:
    if options.processes is not None:
        return max(1, min(options.processes, MAX_PROCESSES, os.cpu_count() or 1, jobs))
    return 1


def _iter_folder(marking_set: MarkingSet, folder: str | Path, options: WordOptions | None,
                 script_ids: Iterable[ScriptId] | None, kind: str, pattern_of) -> ExportTask:
    options = _options_for(options)
    pattern = pattern_of(options)
    check_pattern(pattern)
    folder = Path(folder)
    _prepare_folder(folder)
    snapshot = SetSnapshot(marking_set, options.marker, options.which)
    ids = _script_ids(snapshot, script_ids)
    datas = [snapshot.feedback(marking_set, script_id) for script_id in ids]
    names = unique_names([
        file_name(pattern, {"candidate": d.candidate, "name": d.candidate_name,
                            "number": d.candidate_number, "set": d.set_name,
                            "id": d.script_id}, ".docx")
        for d in datas
    ])
    jobs = [(data, folder / name) for data, name in zip(datas, names, strict=True)]
    report = ExportReport()
    steps = _run_jobs(kind, jobs, options, report)
    return ExportTask(steps, report, len(jobs))


def _record(report: ExportReport, path: Path, reason: str | None) -> None:
    if reason is None:
        report.written.append(path)
    else:
        report.failed.append((path, reason))


def _run_jobs(kind: str, jobs: list[tuple[ScriptFeedback, Path]], options: WordOptions,
              report: ExportReport) -> Generator[ExportProgress, None, None]:
    total = len(jobs)
    processes = _process_count(options, total)
    done = 0
    remaining = jobs
    if processes > 1:
        finished: set[Path] = set()

        def late(path: Path, reason: str | None) -> None:
            # A file a worker finished while the export was being cancelled.
            _record(report, path, reason)
            finished.add(path)

        pooled = _run_pool(kind, jobs, options, processes, late)
        try:
            for path, reason in pooled:
                _record(report, path, reason)
                finished.add(path)
                done += 1
                yield ExportProgress(done, total, path)
        except (BrokenExecutor, OSError):
            # The workers could not start or died: build the rest in this process.
            pass
        finally:
            pooled.close()
        remaining = [job for job in jobs if job[1] not in finished]
    elif options.processes is None and total >= THREAD_THRESHOLD:

        def written_late(path: Path, reason: str | None) -> None:
            # A file a writer thread finished while the export was being cancelled.
            _record(report, path, reason)

        threaded = _run_threaded(kind, jobs, options, written_late)
        try:
            for path, reason in threaded:
                _record(report, path, reason)
                done += 1
                yield ExportProgress(done, total, path)
        finally:
            threaded.close()
        remaining = []
    for data, path in remaining:
        _record(report, *_write_one(kind, data, options, path))
        done += 1
        yield ExportProgress(done, total, path)


def _run_threaded(kind: str, jobs: list[tuple[ScriptFeedback, Path]], options: WordOptions,
                  late: Callable[[Path, str | None], None],
                  ) -> Generator[tuple[Path, str | None], None, None]:
    """``(path, failure reason or None)`` per job, in order: each document is built here and
    handed to a writer thread, which zips it and writes it safely (temporary file, fsync,
    replace). When closed early (Cancel), files not begun are dropped; files being written
    are finished and go to ``late``."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    executor = ThreadPoolExecutor(max_workers=WRITER_THREADS, thread_name_prefix="word-export")
    pending: deque[Future] = deque()

    def save_later(document: WordPackage, path: Path) -> tuple[Path, str | None]:
        return _outcome(path, lambda: _save(document, path))

    try:
        for data, path in jobs:
            built: list[WordPackage] = []
            failed = _outcome(path, lambda data=data, built=built: built.append(
                _BUILDERS[kind](data, options)))
            if built:
                pending.append(executor.submit(save_later, built[0], path))
            else:
                done: Future = Future()
                done.set_result(failed)
                pending.append(done)
            # a few files in flight, not the whole batch: memory stays small, Cancel quick
            while pending and (pending[0].done() or len(pending) > 2 * WRITER_THREADS):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        for future in pending:
            if future.done() and not future.cancelled():
                late(*future.result())


def _run_pool(kind: str, jobs: list[tuple[ScriptFeedback, Path]], options: WordOptions,
              processes: int, late: Callable[[Path, str | None], None],
              ) -> Generator[tuple[Path, str | None], None, None]:
    """``(path, failure reason or None)`` per job, built by worker processes. When closed
    early (Cancel), jobs not started are dropped, running ones finish and go to ``late``."""
    # Spawned (not forked) workers: safe when the caller has threads (the GUI). The program's
    # entry point must be guarded by ``if __name__ == "__main__"`` (and call
    # ``multiprocessing.freeze_support()`` in a frozen build).
    executor = ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn"))
    try:
        queue = iter(jobs)
        pending: set[Future] = set()

        def submit_next() -> None:
            job = next(queue, None)
            if job is not None:
                pending.add(executor.submit(_write_one, kind, job[0], options, job[1]))

        # A few jobs queued per worker, not the whole batch, so Cancel is quick.
        for _ in range(processes * 4):
            submit_next()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                # Leave the others in ``pending`` until yielded, so a Cancel still reports them.
                pending.discard(future)
                result = future.result()
                submit_next()
                yield result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        for future in pending:
            if future.done() and not future.cancelled() and future.exception() is None:
                late(*future.result())


def iter_export_feedback_folder(marking_set: MarkingSet, folder: str | Path,
                                options: WordOptions | None = None,
                                script_ids: Iterable[ScriptId] | None = None) -> ExportTask:
    """Write one feedback document per script into ``folder``, named from
    ``options.file_pattern``; iterate the task for progress (``for done, total, path in
    task``); ``task.report`` lists written files and failures. One failing file does not stop
    the others. Big batches are built by a pool of worker processes."""
    return _iter_folder(marking_set, folder, options, script_ids, "feedback",
                        lambda o: o.file_pattern)


def export_feedback_folder(marking_set: MarkingSet, folder: str | Path,
                           options: WordOptions | None = None,
                           script_ids: Iterable[ScriptId] | None = None) -> ExportReport:
    return iter_export_feedback_folder(marking_set, folder, options, script_ids).run()


def iter_export_cover_sheets(marking_set: MarkingSet, folder: str | Path,
                             options: WordOptions | None = None,
                             script_ids: Iterable[ScriptId] | None = None) -> ExportTask:
    """One coursework cover sheet per script into ``folder`` (``options.cover_pattern``)."""
    return _iter_folder(marking_set, folder, options, script_ids, "cover",
                        lambda o: o.cover_pattern)


def export_cover_sheets(marking_set: MarkingSet, folder: str | Path,
                        options: WordOptions | None = None,
                        script_ids: Iterable[ScriptId] | None = None) -> ExportReport:
    return iter_export_cover_sheets(marking_set, folder, options, script_ids).run()


# -- class pack: one document ----------------------------------------------------------


_PAGE_COUNT = re.compile(r'<w:r><w:t xml:space="preserve"> of </w:t></w:r>\s*'
                         r'<w:fldSimple w:instr=" NUMPAGES ">.*?</w:fldSimple>', re.S)


class _ClassPack(WordPackage):
    """The class pack: one section per script, each starting on a new page with its own
    footer naming the candidate and its own page numbers ("Page 1", "Page 2"), so a printed
    pack can be split between the students.

    A section ends with a paragraph holding its ``w:sectPr`` (the template's page size and
    margins, a reference to the section's footer part); the last section's properties are
    the body's own, whose footer is ``footer1.xml`` (:attr:`footer`). The other footers are
    ``footer2.xml``… with their relationships and content types."""

    def __init__(self) -> None:
        super().__init__()
        self.section_footers: list[str] = []   # footer2.xml, footer3.xml, …

    @staticmethod
    def _section_properties(relationship: str) -> str:
        tail = template_parts().document[1]   # after "<w:body>\n<w:sectPr>"
        inner = tail[:tail.index("</w:sectPr>")]
        inner = inner.replace('r:id="rId3"', f'r:id="{relationship}"', 1)
        return f'<w:sectPr>{inner}<w:pgNumType w:start="1"/></w:sectPr>'

    def end_section(self, footer: str) -> None:
        """End the section of the script just written; ``footer`` is its footer's text."""
        self.section_footers.append(clean_text(footer))
        number = len(self.section_footers) + 1
        self.append(f"<w:p><w:pPr>{self._section_properties(f'rIdFooter{number}')}"
                    "</w:pPr></w:p>")

    def parts(self) -> list[tuple[str, bytes]]:
        parts = dict(super().parts())
        head, tail = template_parts().footer
        # "Page 2", counted from each student's first page: "of N" would count the whole
        # pack, and LibreOffice cannot count a section's pages (Word's SECTIONPAGES)
        tail = _PAGE_COUNT.sub("", tail)
        names = [f"footer{n}.xml" for n in range(2, len(self.section_footers) + 2)]
        parts["word/footer1.xml"] = (
            f"{head}{text_runs_content(clean_text(self.footer))}{tail}".encode())
        for name, text in zip(names, self.section_footers, strict=True):
            parts[f"word/{name}"] = f"{head}{text_runs_content(text)}{tail}".encode()
        types = "".join(f'<Override PartName="/word/{name}" ContentType="application/vnd.'
                        'openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
                        for name in names)
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", types.encode() + b"</Types>")
        relationships = "".join(
            f'<Relationship Id="rIdFooter{n}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/footer" Target="{name}"/>'
            for n, name in enumerate(names, start=2))
        parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
            b"</Relationships>", relationships.encode() + b"</Relationships>")
        # the last section restarts its page numbers too
        last = self._section_properties("rId3").encode()
        body = parts["word/document.xml"]
        start = body.rindex(b"<w:sectPr>")
        end = body.index(b"</w:sectPr>", start) + len(b"</w:sectPr>")
        parts["word/document.xml"] = body[:start] + last + body[end:]
        return list(parts.items())


def iter_export_class_pack(marking_set: MarkingSet, path: str | Path,
                           options: WordOptions | None = None,
                           script_ids: Iterable[ScriptId] | None = None) -> ExportTask:
    """Every script's feedback in one document, each in a section of its own (a new page,
    a footer naming the candidate, its own page numbers). Progress counts the scripts, then
    the saving; a failure to save is in ``task.report.failed``."""
    options = _options_for(options)
    path = Path(path)
    snapshot = SetSnapshot(marking_set, options.marker, options.which)
    ids = _script_ids(snapshot, script_ids)
    datas = [snapshot.feedback(marking_set, script_id) for script_id in ids]
    report = ExportReport()
    total = len(datas) + 1

    def steps() -> Generator[ExportProgress, None, None]:
        document = _ClassPack()
        _set_footer(document, f"{snapshot.name} · Feedback")   # a pack of no scripts
        for index, data in enumerate(datas):
            # a section break, not a page break, starts the next script on a new page
            write_feedback(document, data, options)
            footer = f"{data.set_name} · Feedback for {data.candidate}"
            if index < len(datas) - 1:
                document.end_section(footer)
            else:
                _set_footer(document, footer)   # the last section is the body's own
            yield ExportProgress(index + 1, total, path)
        document.title = clean_text(f"Feedback: {snapshot.name}")
        try:
            _save(document, path)
        except ExportError as exc:
            report.failed.append((path, exc.reason))
        else:
            report.written.append(path)
        yield ExportProgress(total, total, path)

    return ExportTask(steps(), report, total)


def export_class_pack(marking_set: MarkingSet, path: str | Path,
                      options: WordOptions | None = None,
                      script_ids: Iterable[ScriptId] | None = None) -> Path:
    """Write the class pack; raises :class:`ExportError` naming the file on failure."""
    report = iter_export_class_pack(marking_set, path, options, script_ids).run()
    if report.failed:
        failed_path, reason = report.failed[0]
        raise ExportError(failed_path, reason)
    return Path(path)
