"""Word and Excel are stricter than LibreOffice: every kind of export validates against the
ECMA-376 transitional schemas (``../shared/ooxml-schemas``, or ``OOXML_SCHEMAS``)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from rubric.export import (
    WordOptions,
    export_class_pack,
    export_cover_sheets,
    export_feedback,
    export_markbook,
)
from rubric.ids import ScriptId
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet

SCHEMAS = Path(os.environ.get("OOXML_SCHEMAS",
                              Path(__file__).resolve().parents[3] / "shared" / "ooxml-schemas"))
needs_schemas = pytest.mark.skipif(not (SCHEMAS / "validate.py").is_file(),
                                   reason=f"the ECMA-376 schemas are not at {SCHEMAS}")
OPTIONS = WordOptions(school="Riverside Academy", processes=1)


def validate(*files: Path) -> str:
    result = subprocess.run([sys.executable, str(SCHEMAS / "validate.py"), *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    return result.stdout + result.stderr


@pytest.fixture
def marked(tmp_path, nea_scheme, make_draft):
    ms = MarkingSet.create(tmp_path / "nea.markset", "13B NEA", nea_scheme)
    for number, name in (("4017", "Amira Khan"), ("4023", "Daniel Okafor")):
        sid = ms.add_script(make_draft(name, number, words=600)).created
        ms.set_mark(sid, "AO1", 15)
        ms.set_mark(sid, "AO2", 7)
        ms.set_comments(sid, www="Sustained “argument” — well judged.", ebi="Weigh the Duma.")
        ms.annotate_quote(sid, "land reform", "Precise & apt <evidence>", "AO1")
        ms.annotate_quote(sid, "repression", "Balance this", "AO2")
    yield ms
    ms.close()


@needs_schemas
def test_every_kind_of_export_is_valid(marked, tmp_path):
    files = [export_feedback(marked, ScriptId(1), tmp_path / "one.docx", OPTIONS)]
    export_class_pack(marked, tmp_path / "pack.docx", OPTIONS)
    files.append(tmp_path / "pack.docx")
    export_cover_sheets(marked, tmp_path / "covers", OPTIONS)
    files += sorted((tmp_path / "covers").glob("*.docx"))
    export_markbook(marked, tmp_path / "markbook.xlsx")
    files.append(tmp_path / "markbook.xlsx")
    files = [Path(f) for f in files if f is not None]
    output = validate(*files)
    assert "invalid parts: 0 of" in output, output


@needs_schemas
def test_twenty_thousand_annotations_on_one_script_export_as_real_comments(tmp_path, essay_scheme):
    paragraphs = [Paragraph(f"Paragraph {i}: the Duma’s failure — déjà vu for Stolypin.")
                  for i in range(2000)]
    draft = ScriptDraft(path=Path("huge.docx"), format="docx", paragraphs=paragraphs,
                        candidate_name="Big Script", word_count=18000,
                        coursework_word_count=18000, source_bytes=b"huge")
    with MarkingSet.create(tmp_path / "huge.markset", "Huge", essay_scheme) as ms:
        sid = ms.add_script(draft).created
        text = ms.script(sid).text
        starts = [0]
        for p in paragraphs[:-1]:
            starts.append(starts[-1] + len(p.text) + 1)
        for i in range(20000):
            start = starts[i % len(starts)] + (i // len(starts)) % 5
            ms._db.execute(  # bulk-load annotations directly: the API commits each one
                "INSERT INTO annotations(script_id, marker_id, start, end, quote, comment,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', '')",
                (sid, ms.current_marker.id, start, start + 9, text[start:start + 9], f"note {i}"))
        out = export_feedback(ms, sid, tmp_path / "huge.docx", OPTIONS)
    with zipfile.ZipFile(out) as zipped:
        comments = etree.fromstring(zipped.read("word/comments.xml"))
        body = zipped.read("word/document.xml")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert len(comments.findall(f"{w}comment")) == 20000
    assert body.count(b"<w:commentRangeStart") == 20000
    assert "invalid parts: 0 of" in validate(out)



@needs_schemas
def test_moderation_exports_are_valid(marked, tmp_path, essay_scheme, make_draft):
    """The markbook with its Moderation sheet (two markers) and the moderation report, its
    scatter plot included, for a scheme of several criteria and for one of a single one."""
    from rubric.export.moderation_report import export_moderation_report

    for sid in (ScriptId(1), ScriptId(2)):
        marked.set_mark(sid, "AO3", 6)
    marked.use_marker("Jo Brown", "JB", "moderator")
    for sid, marks in ((ScriptId(1), (9, 6, 4)), (ScriptId(2), (14, 7, 5))):
        for name, mark in zip(("AO1", "AO2", "AO3"), marks, strict=True):
            marked.set_mark(sid, name, mark)
    files = [tmp_path / "nea markbook.xlsx", tmp_path / "nea report.docx"]
    export_markbook(marked, files[0])
    export_moderation_report(marked, files[1], school="Riverside Academy")
    with MarkingSet.create(tmp_path / "essays.markset", "13B essays", essay_scheme) as essays:
        ids = [essays.add_script(make_draft(f"Student {n}", str(5000 + n), words=80,
                                            seed=f"e{n}")).created for n in range(6)]
        for n, sid in enumerate(ids):
            essays.set_mark(sid, "AO1", 8 + 3 * n)
        essays.use_marker("Jo Brown", "JB", "moderator")
        for n, sid in enumerate(ids[::2]):
            essays.set_mark(sid, "AO1", 4 + 6 * n)
        files += [tmp_path / "essay markbook.xlsx", tmp_path / "essay report.docx"]
        export_markbook(essays, files[2])
        export_moderation_report(essays, files[3])
    output = validate(*files)
    assert "invalid parts: 0 of" in output, output


@needs_schemas
def test_comments_with_spaces_at_either_end_keep_the_markbook_valid(marked, tmp_path):
    marked.set_comments(ScriptId(1), www="  Sustained argument.  ", ebi=" Weigh the Duma\n")
    marked.annotate_quote(ScriptId(2), "land reform", " padded comment ")
    export_markbook(marked, tmp_path / "spaces.xlsx")
    output = validate(tmp_path / "spaces.xlsx")
    assert "invalid parts: 0 of" in output, output
