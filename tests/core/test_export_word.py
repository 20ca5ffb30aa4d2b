"""Word exports: feedback documents, class pack, one file per script, cover sheets.

Every document is opened again with python-docx and its XML inspected: the shading of the
awarded level, the comment ranges around the annotated passages, the page breaks of the pack.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from rubric.export import (
    ExportProgress,
    PatternError,
    WordOptions,
    export_class_pack,
    export_cover_sheets,
    export_feedback,
    export_feedback_folder,
    feedback_document,
    iter_export_feedback_folder,
)
from rubric.export.docx_template import AWARDED_FILL, HEADER_FILL
from rubric.export.names import file_name, safe_stem, unique_names
from rubric.store import MarkingSet

DATE = dt.date(2025, 3, 14)
OPTIONS = WordOptions(school="Riverside Academy", date=DATE, processes=1)


def add_marked_script(ms: MarkingSet, make_draft, name: str, number: str, mark: int = 17,
                      seed: str = "Stolypin"):
    script_id = ms.add_script(make_draft(name, number, seed=seed)).created
    ms.set_mark(script_id, "AO1", mark)
    ms.set_comments(script_id, www="A sustained argument.\nGood use of evidence.",
                    ebi="Weigh repression against reform.", general="A strong Level 4 answer.")
    ms.annotate_quote(script_id, "loyal peasantry", "Good link to the question", "AO1")
    ms.annotate_quote(script_id, "kept it in power", "Needs evidence")
    return script_id


@pytest.fixture
def marked(marking_set, make_draft):
    marking_set.use_marker("Ms Priya Patel", "PP")
    ids = [add_marked_script(marking_set, make_draft, "Amira Khan", "4017", 17),
           add_marked_script(marking_set, make_draft, "Daniel Okafor", "4023", 12, seed="Witte")]
    return marking_set, ids


def body_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def all_text(document) -> str:
    parts = [body_text(document)]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def commented_passages(document) -> dict[int, str]:
    """Comment id → the text between its commentRangeStart and commentRangeEnd (paragraph
    breaks as "\\n")."""
    open_ids: dict[int, list[str]] = {}
    done: dict[int, str] = {}
    for element in document.element.body.iter():
        if element.tag == qn("w:p"):
            for parts in open_ids.values():
                parts.append("\n")
        elif element.tag == qn("w:commentRangeStart"):
            open_ids[int(element.get(qn("w:id")))] = []
        elif element.tag == qn("w:commentRangeEnd"):
            comment_id = int(element.get(qn("w:id")))
            done[comment_id] = "".join(open_ids.pop(comment_id))
        elif element.tag == qn("w:t"):
            for parts in open_ids.values():
                parts.append(element.text or "")
    assert not open_ids, "every comment range is closed"
    return done


def comments_by_id(document) -> dict[int, tuple[str, str, str]]:
    return {c.comment_id: (c.text, c.author, c.initials) for c in document.comments}


def level_rows(table):
    """(level label, shading fills of its cells) for each row after the header."""
    rows = []
    for row in table.rows[1:]:
        fills = []
        for tc in row._tr.iter(qn("w:tc")):
            shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
            fills.append(None if shd is None else shd.get(qn("w:fill")))
        rows.append((row.cells[0].text, fills))
    return rows


def level_tables(document):
    return [t for t in document.tables if t.rows[0].cells[0].text == "Level"]


# -- one feedback document ----------------------------------------------------------------


def test_feedback_shows_set_school_candidate_question_date_marker_and_total(marked, tmp_path):
    ms, ids = marked
    path = export_feedback(ms, ids[0], tmp_path / "feedback.docx", OPTIONS)
    document = Document(path)
    text = all_text(document)
    assert document.paragraphs[0].text == "Amira Khan"
    assert document.paragraphs[0].style.name == "Title"
    for expected in ("13B Russia", "Riverside Academy", "4017", ms.scheme.question,
                     "Ms Priya Patel", "14 March 2025", "17 / 25 (68%)",
                     "AO1: 17 out of 25 (Level 4)", "What went well", "A sustained argument.",
                     "Good use of evidence.", "Even better if", "Weigh repression against reform.",
                     "General comment", "A strong Level 4 answer.", "Your essay"):
        assert expected in text, expected
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == ["Marks", "Comments", "Your essay"]
    # The script itself follows, every paragraph of it.
    for paragraph in ms.script(ids[0]).paragraphs:
        assert paragraph.text in body_text(document)


def test_only_the_awarded_level_is_shaded(marked, tmp_path):
    ms, ids = marked
    document = Document(export_feedback(ms, ids[0], tmp_path / "f.docx", OPTIONS))
    [table] = level_tables(document)
    labels = [lv.label for lv in ms.scheme.criterion("AO1").levels]
    rows = level_rows(table)
    assert [label for label, _ in rows] == labels
    for label, fills in rows:
        if label == "Level 4":
            assert fills == [AWARDED_FILL] * 3
        else:
            assert fills == [None] * 3, label
    header_fills = {tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}").get(qn("w:fill"))
                    for tc in table.rows[0]._tr.iter(qn("w:tc"))}
    assert header_fills == {HEADER_FILL}
    # Every level's range and descriptor is listed, and the mark sits in the awarded row.
    level4 = next(r for r in table.rows if r.cells[0].text == "Level 4")
    assert "16–20" in level4.cells[1].text and "Your mark: 17" in level4.cells[1].text
    descriptor = ms.scheme.criterion("AO1").level("Level 2").descriptor
    assert any(r.cells[2].text == descriptor for r in table.rows)


def test_each_criterion_of_a_coursework_scheme_gets_its_table(tmp_path, make_draft, nea_scheme):
    ms = MarkingSet.create(tmp_path / "nea.markset", "13C NEA", nea_scheme)
    try:
        script_id = ms.add_script(make_draft()).created
        ms.set_mark(script_id, "AO1", 15)
        ms.set_mark(script_id, "AO2", 6)
        document = feedback_document(ms, script_id, OPTIONS)
        tables = level_tables(document)
        assert len(tables) == 3
        shaded = [[label for label, fills in level_rows(t) if AWARDED_FILL in fills]
                  for t in tables]
        assert shaded == [["Level 4"], ["Level 3"], []]
        text = all_text(document)
        assert "AO3: not marked yet" in text
        assert "Total: 21 / 40 (52%) so far (not every criterion is marked yet)" in text
    finally:
        ms.close()


def test_annotations_are_word_comments_anchored_to_their_passages(marked, tmp_path):
    ms, ids = marked
    document = Document(export_feedback(ms, ids[0], tmp_path / "f.docx", OPTIONS))
    passages = commented_passages(document)
    comments = comments_by_id(document)
    assert len(passages) == len(comments) == 2
    found = {passages[i]: comments[i] for i in passages}
    assert found == {
        "loyal peasantry": ("AO1: Good link to the question", "Ms Priya Patel", "PP"),
        "kept it in power": ("Needs evidence", "Ms Priya Patel", "PP"),
    }
    # Each comment also has its reference mark in the text (what Word shows in the margin).
    references = document.element.body.findall(f".//{qn('w:commentReference')}")
    assert sorted(int(r.get(qn("w:id"))) for r in references) == sorted(comments)


def test_overlapping_and_cross_paragraph_annotations_keep_their_exact_passages(
        marking_set, make_draft, tmp_path):
    ms = marking_set
    ms.use_marker("Jo Bloggs", "JB")
    script_id = ms.add_script(make_draft()).created
    text = ms.script(script_id).text
    first_end = text.index("\n")
    spans = [(0, 30), (10, 45), (10, 20), (first_end - 12, first_end + 9), (40, 41)]
    for start, end in spans:
        ms.add_annotation(script_id, start, end, f"note {start}-{end}")
    document = feedback_document(ms, script_id, OPTIONS)
    passages = commented_passages(document)
    comments = comments_by_id(document)
    got = sorted((comments[i][0], passages[i]) for i in passages)
    expected = sorted((f"note {s}-{e}", text[s:e]) for s, e in spans)
    assert got == expected
    # The script's text is unchanged by the splitting into runs.
    essay = [p.text for p in document.paragraphs][-2:]
    assert essay == [p.text for p in ms.script(script_id).paragraphs]


def test_options_leave_out_script_descriptors_and_annotations(marked, tmp_path):
    ms, ids = marked
    script_text = ms.script(ids[0]).paragraphs[0].text
    descriptor = ms.scheme.criterion("AO1").level("Level 2").descriptor

    full = feedback_document(ms, ids[0], OPTIONS)
    assert script_text in body_text(full) and descriptor in all_text(full)
    assert len(full.comments) == 2

    no_script = feedback_document(ms, ids[0], WordOptions(include_script=False, date=DATE))
    assert script_text not in body_text(no_script)
    assert len(no_script.comments) == 0
    # Annotations still reach the student, as a table of passage and comment.
    assert "“loyal peasantry”" in all_text(no_script)
    assert "AO1: Good link to the question" in all_text(no_script)

    no_descriptors = feedback_document(ms, ids[0], WordOptions(include_descriptors=False,
                                                               date=DATE))
    assert descriptor not in all_text(no_descriptors)
    [table] = level_tables(no_descriptors)
    assert len(table.columns) == 2
    assert [label for label, fills in level_rows(table) if AWARDED_FILL in fills] == ["Level 4"]

    no_annotations = feedback_document(ms, ids[0], WordOptions(include_annotations=False,
                                                               date=DATE))
    assert len(no_annotations.comments) == 0
    assert not no_annotations.element.body.findall(f".//{qn('w:commentRangeStart')}")
    assert script_text in body_text(no_annotations)
    assert "Comments on your essay" not in all_text(no_annotations)

    nothing = feedback_document(ms, ids[0], WordOptions(
        include_script=False, include_annotations=False, date=DATE))
    assert "loyal peasantry" not in all_text(nothing)


def test_control_characters_are_removed_and_anchors_still_fit(marking_set, make_draft, tmp_path):
    ms = marking_set
    ms.use_marker("Ms\x07 Patel", "P\x00P")
    draft = make_draft(name="Amira\x0b Khan\x1f")
    draft.paragraphs[0] = type(draft.paragraphs[0])("Bell\x07 ring: loyal\x00 peasantry here.")
    draft.title = "Title\x0c with form feed"
    script_id = ms.add_script(draft).created
    ms.set_mark(script_id, "AO1", 12)
    ms.set_comments(script_id, www="Good\x01 work\x1b", general="\ufffe odd \x08")
    ms.annotate_quote(script_id, "loyal\x00 peasantry", "Nice\x02 point")
    path = export_feedback(ms, script_id, tmp_path / "f.docx", OPTIONS)
    document = Document(path)
    text = all_text(document)
    assert "Bell ring: loyal peasantry here." in text
    assert "Good work" in text and "Ms Patel" in text
    assert not any(ch in text for ch in "\x00\x01\x02\x07\x08\x0b\x0c\x1b\x1f\ufffe")
    [comment] = list(document.comments)
    assert (comment.text, comment.author, comment.initials) == ("Nice point", "Ms Patel", "PP")
    assert list(commented_passages(document).values()) == ["loyal peasantry"]


def test_an_unmarked_script_still_gets_a_document(marking_set, make_draft):
    script_id = marking_set.add_script(make_draft()).created
    document = feedback_document(marking_set, script_id, OPTIONS)
    text = all_text(document)
    assert "AO1: not marked yet" in text and "not marked yet" in text
    [table] = level_tables(document)
    assert all(AWARDED_FILL not in fills for _, fills in level_rows(table))
    assert marking_set.markers() == [], "exporting must not create a marker"


# -- class pack ----------------------------------------------------------------------------


def test_class_pack_has_every_script_each_in_a_section_of_its_own(marked, make_draft, tmp_path):
    ms, ids = marked
    ids.append(add_marked_script(ms, make_draft, "Niamh Walsh", "4031", 22, seed="Lenin"))
    path = export_class_pack(ms, tmp_path / "pack.docx", OPTIONS)
    document = Document(path)
    titles = [p for p in document.paragraphs if p.style.name == "Title"]
    assert [p.text for p in titles] == ["Amira Khan", "Daniel Okafor", "Niamh Walsh"]
    # Each script is a section of its own (a new page, its own footer), not a page break.
    breaks = document.element.body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']")
    assert len(breaks) == 0
    assert len(document.sections) == 3
    for section, name in zip(document.sections, ["Amira Khan", "Daniel Okafor", "Niamh Walsh"],
                             strict=True):
        assert f"Feedback for {name}" in section.footer.paragraphs[0].text
    assert len(document.comments) == 6
    passages = commented_passages(document)
    assert sorted(passages.values()) == sorted(["loyal peasantry", "kept it in power"] * 3)
    assert len(level_tables(document)) == 3


# -- one file per script -------------------------------------------------------------------


def test_folder_export_names_files_from_the_pattern(marking_set, make_draft, tmp_path):
    ms = marking_set
    for name, number in [("Amira Khan", "4017"), ("Amira Khan", "4017"), ("Rhys: Evans/Jr?", "4112"),
                         ("", "")]:
        ms.add_script(make_draft(name, number, seed=name + number + str(len(ms.scripts()))))
    report = export_feedback_folder(ms, tmp_path / "out", WordOptions(
        file_pattern="{number}_{name}_{set}", date=DATE, processes=1))
    assert report.ok and not report.failed
    names = [p.name for p in report.written]
    assert names == ["4017_Amira Khan_13B Russia.docx", "4017_Amira Khan_13B Russia (2).docx",
                     "4112_Rhys_ Evans_Jr__13B Russia.docx", "13B Russia.docx"]
    for path in report.written:
        assert path.parent == tmp_path / "out" and Document(path).paragraphs


def test_default_pattern_and_script_id_field(marked, tmp_path):
    ms, ids = marked
    report = export_feedback_folder(ms, tmp_path / "out", OPTIONS)
    assert [p.name for p in report.written] == ["Amira Khan (4017)_13B Russia.docx",
                                                "Daniel Okafor (4023)_13B Russia.docx"]
    report = export_feedback_folder(ms, tmp_path / "ids", WordOptions(file_pattern="script-{id}"))
    assert [p.name for p in report.written] == [f"script-{i}.docx" for i in ids]


def test_a_bad_pattern_is_refused_before_anything_is_written(marked, tmp_path):
    ms, _ = marked
    with pytest.raises(PatternError, match="unknown field {surname}"):
        export_feedback_folder(ms, tmp_path / "out", WordOptions(file_pattern="{surname}.docx"))
    with pytest.raises(PatternError, match="no field"):
        export_feedback_folder(ms, tmp_path / "out", WordOptions(file_pattern="feedback.docx"))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_file_names_are_safe_everywhere():
    assert safe_stem("CON") == "_CON"
    assert safe_stem("  trailing dots... ") == "trailing dots"
    assert safe_stem('a<b>c:d"e/f\\g|h?i*j\x00k') == "a_b_c_d_e_f_g_h_i_jk"
    assert len(safe_stem("x" * 500)) == 120
    assert file_name("{name}", {"name": ""}, ".docx").startswith("script")
    assert unique_names(["A.docx", "a.docx", "A.docx", "b"]) == [
        "A.docx", "a (2).docx", "A (3).docx", "b"]
    # "Zoë" typed and "Zoë" from a Mac (e + a combining diaeresis) are one name on disk
    decomposed = file_name("{name}", {"name": "Zoe\u0308 Smith"}, ".docx")
    assert decomposed == "Zo\u00eb Smith.docx"
    assert unique_names(["Zo\u00eb Smith.docx", "Zoe\u0308 Smith.docx"]) == [
        "Zo\u00eb Smith.docx", "Zoe\u0308 Smith (2).docx"]


def test_folder_export_reports_progress_and_can_be_cancelled(marking_set, make_draft, tmp_path):
    ms = marking_set
    for i in range(6):
        ms.add_script(make_draft(f"Student {i}", str(5000 + i), seed=str(i)))
    out = tmp_path / "out"
    task = iter_export_feedback_folder(ms, out, OPTIONS)
    steps = []
    for step in task:
        steps.append(step)
        if len(steps) == 3:
            break
    task.cancel()
    assert all(isinstance(s, ExportProgress) for s in steps)
    assert [(s.done, s.total) for s in steps] == [(1, 6), (2, 6), (3, 6)]
    assert task.report.cancelled and len(task.report.written) == 3
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in task.report.written)
    assert task.report.lines()[-1] == "3 files written (cancelled)"

    finished = iter_export_feedback_folder(ms, tmp_path / "all", OPTIONS)
    assert [done for done, _, _ in finished] == [1, 2, 3, 4, 5, 6]
    finished.cancel()  # after the end: not a cancellation
    assert finished.report.ok and len(finished.report.written) == 6


def test_big_batches_are_built_by_worker_processes(marking_set, make_draft, tmp_path):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    for i in range(20):
        add_marked_script(ms, make_draft, f"Student {i}", str(6000 + i), mark=i, seed=str(i))
    out = tmp_path / "out"
    task = iter_export_feedback_folder(ms, out, WordOptions(date=DATE, processes=2))
    steps = list(task)
    assert [s.done for s in steps] == list(range(1, 21))
    assert task.report.ok and len(task.report.written) == 20
    for path in task.report.written:
        document = Document(path)
        assert len(document.comments) == 2
        assert sorted(commented_passages(document).values()) == ["kept it in power",
                                                                 "loyal peasantry"]
    assert sorted(out.iterdir()) == sorted(task.report.written)


# -- coursework cover sheets ---------------------------------------------------------------


def test_cover_sheets_summarise_each_coursework_script(tmp_path, make_draft, nea_scheme):
    ms = MarkingSet.create(tmp_path / "nea.markset", "13C NEA", nea_scheme)
    try:
        ms.use_marker("Mr Tom Reid", "TR")
        first = ms.add_script(make_draft("Amira Khan", "4017", words=600)).created
        ms.add_script(make_draft("Daniel Okafor", "4023", seed="Witte"))
        for criterion, mark in (("AO1", 15), ("AO2", 8), ("AO3", 7)):
            ms.set_mark(first, criterion, mark)
        ms.set_comments(first, general="Well-chosen sources; the judgement is supported.",
                        ebi="Cover the 1930s more fully.")
        report = export_cover_sheets(ms, tmp_path / "covers", OPTIONS)
        assert report.ok
        assert [p.name for p in report.written] == [
            "Amira Khan (4017)_13C NEA_cover.docx", "Daniel Okafor (4023)_13C NEA_cover.docx"]
        document = Document(report.written[0])
        text = all_text(document)
        summary = ms.summary(first)
        for expected in ("Coursework record", "Amira Khan", "4017", "Riverside Academy",
                         f"{summary.word_count:,}", f"{summary.coursework_word_count:,} "
                         "(limit 4,500)", "Mr Tom Reid", "14 March 2025",
                         "Well-chosen sources; the judgement is supported.",
                         "Cover the 1930s more fully.", "Declarations", "Teacher", "Candidate"):
            assert expected in text, expected
        marks_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Criterion")
        rows = [[c.text for c in r.cells] for r in marks_table.rows[1:]]
        assert [r[0] for r in rows[:3]] == ["AO1", "AO2", "AO3"]
        assert [(r[2], r[3], r[4]) for r in rows[:3]] == [
            ("Level 4", "15", "20"), ("Level 4", "8", "10"), ("Level 4", "7", "10")]
        assert rows[3][0] == "Total" and rows[3][-2:] == ["30", "40"]
        signature_cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        assert signature_cells.count("Signature") == 2 and signature_cells.count("Date") >= 2
        unmarked = all_text(Document(report.written[1]))
        assert "Daniel Okafor" in unmarked and "No comments recorded." in unmarked
    finally:
        ms.close()


def test_documents_use_the_trimmed_template_with_a4_and_footer(marked):
    ms, ids = marked
    document = feedback_document(ms, ids[0], OPTIONS)
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=1)
    assert "13B Russia · Feedback for Amira Khan (4017)" in section.footer.paragraphs[0].text
    assert len(document.styles) < 30
    assert document.core_properties.title == "Feedback: Amira Khan (4017)"


def test_saved_files_open_and_leave_no_temporary_files(marked, tmp_path):
    ms, ids = marked
    out = tmp_path / "out"
    out.mkdir()
    export_feedback(ms, ids[0], out / "a.docx", OPTIONS)
    export_class_pack(ms, out / "pack.docx", OPTIONS)
    assert sorted(p.name for p in out.iterdir()) == ["a.docx", "pack.docx"]
    assert Path(out / "a.docx").stat().st_size > 3000


def test_every_public_name_resolves():
    import rubric.export as export

    for name in export.__all__:
        assert getattr(export, name) is not None, name
    with pytest.raises(AttributeError):
        export.no_such_export  # noqa: B018


def test_cancelling_a_pooled_export_reports_every_file_it_wrote(marking_set, make_draft,
                                                                  tmp_path):
    ms = marking_set
    for i in range(24):
        ms.add_script(make_draft(f"Student {i}", str(6100 + i), seed=str(i)))
    out = tmp_path / "out"
    task = iter_export_feedback_folder(ms, out, WordOptions(processes=2))
    next(task)
    next(task)
    task.cancel()
    assert task.report.cancelled
    assert 2 <= len(task.report.written) < 24
    on_disk = sorted(out.iterdir())
    assert on_disk == sorted(task.report.written), "no file written but unreported, no temp file"
    for path in on_disk:
        assert Document(path).paragraphs


def test_a_default_batch_is_written_by_threads_in_order_and_cancels_cleanly(
        marking_set, make_draft, tmp_path):
    """By default a batch is built here and written by a few threads: the progress comes
    in order, every file is a whole .docx that python-docx opens with its comments, a file
    that cannot be written fails alone, and a Cancel reports every file on disk."""
    import zipfile

    from rubric.export.word import THREAD_THRESHOLD

    ms = marking_set
    ms.use_marker("Ms Zoë O’Brien", "ZO")
    for i in range(THREAD_THRESHOLD + 8):
        add_marked_script(ms, make_draft, f"Élodie Brontë {i}", str(6300 + i), mark=i, seed=str(i))
    out = tmp_path / "out"
    out.mkdir()
    blocked = out / "Élodie Brontë 3 (6303)_13B Russia.docx"
    blocked.mkdir()  # a folder where a file should go: that one file fails
    task = iter_export_feedback_folder(ms, out, WordOptions(date=DATE))
    steps = list(task)
    assert [s.done for s in steps] == list(range(1, THREAD_THRESHOLD + 9))
    assert [s.path.name for s in steps] == [f"Élodie Brontë {i} ({6300 + i})_13B Russia.docx"
                                            for i in range(THREAD_THRESHOLD + 8)]
    assert [p for p, _ in task.report.failed] == [blocked]
    assert len(task.report.written) == THREAD_THRESHOLD + 7
    for path in task.report.written:
        with zipfile.ZipFile(path) as zipped:
            assert zipped.testzip() is None
        document = Document(path)
        assert [(c.author, c.initials) for c in document.comments] == [("Ms Zoë O’Brien", "ZO")] * 2
        assert sorted(commented_passages(document).values()) == ["kept it in power",
                                                                 "loyal peasantry"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]

    again = tmp_path / "again"
    task = iter_export_feedback_folder(ms, again, WordOptions(date=DATE))
    next(task)
    next(task)
    task.cancel()
    assert task.report.cancelled and 2 <= len(task.report.written) < THREAD_THRESHOLD + 8
    assert sorted(again.iterdir()) == sorted(task.report.written), "no unreported or temp file"
    for path in task.report.written:
        assert len(Document(path).comments) == 2


def test_if_worker_processes_fail_the_batch_is_built_here(marking_set, make_draft, tmp_path,
                                                          monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    from rubric.export import word

    class BrokenPool:
        def __init__(self, *args, **kwargs):
            pass

        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("a worker died")

        def shutdown(self, *args, **kwargs):
            pass

    monkeypatch.setattr(word, "ProcessPoolExecutor", BrokenPool)
    for i in range(5):
        marking_set.add_script(make_draft(f"Student {i}", str(6200 + i), seed=str(i)))
    report = export_feedback_folder(marking_set, tmp_path / "out", WordOptions(processes=2))
    assert report.ok and len(report.written) == 5


def test_a_comments_tabs_and_lines_are_word_tabs_and_paragraphs(marking_set, make_draft,
                                                                  tmp_path):
    """A tab typed in a comment is a Word tab (a raw tab inside w:t is dropped by Word and
    LibreOffice: 'Good\\tpoint' became 'Goodpoint'), and each line its own paragraph."""
    ms = marking_set
    script_id = ms.add_script(make_draft()).created
    ms.annotate_quote(script_id, "loyal peasantry", "Good\tpoint\there\nNext line")
    document = Document(export_feedback(ms, script_id, tmp_path / "f.docx", OPTIONS))
    [comment] = document.comments
    paragraphs = comment._comment_elm.findall(qn("w:p"))
    assert [p.xpath("string(.)") for p in paragraphs] == ["Goodpointhere", "Next line"]
    assert len(paragraphs[0].findall(f".//{qn('w:tab')}")) == 2
    assert not any("\t" in (t.text or "") for t in comment._comment_elm.iter(qn("w:t")))
    assert comment.text == "Good\tpoint\there\nNext line"
