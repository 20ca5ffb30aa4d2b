"""A real office suite opens what we write: LibreOffice converts a feedback document to PDF
and the markbook to CSV, and the text is there. Skipped where LibreOffice is not installed."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

from rubric.export import WordOptions, export_feedback, export_markbook

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.slow


def convert(source, target_format: str, outdir, home) -> None:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    home.mkdir(exist_ok=True)
    command = [SOFFICE, "--headless", "--norestore",
               f"-env:UserInstallation={home.resolve().as_uri()}",
               "--convert-to", target_format, "--outdir", str(outdir), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=100,
                            env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr


@pytest.fixture
def marked(marking_set, make_draft):
    ms = marking_set
    ms.use_marker("Ms Priya Patel", "PP")
    script_id = ms.add_script(make_draft("Amira Khan", "4017")).created
    ms.set_mark(script_id, "AO1", 17)
    ms.set_comments(script_id, www="A sustained argument", ebi="=SUM(A1) is not a formula")
    ms.annotate_quote(script_id, "loyal peasantry", "Good link to the question")
    return ms, script_id


def test_libreoffice_renders_the_feedback_document(marked, tmp_path):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    ms, script_id = marked
    source = tmp_path / "feedback.docx"
    export_feedback(ms, script_id, source, WordOptions(school="Riverside Academy"))
    convert(source, "pdf", tmp_path, tmp_path / "home")
    pdf = tmp_path / "feedback.pdf"
    assert pdf.stat().st_size > 5000
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        assert pdf.read_bytes().startswith(b"%PDF")
        return
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    flat = " ".join(text.split())
    for expected in ("Amira Khan", "13B Russia", "Riverside Academy", "Ms Priya Patel",
                     "AO1: 17 out of 25 (Level 4)", "A sustained argument", "Your essay",
                     "loyal peasantry"):
        assert expected in flat, expected


def test_libreoffice_reads_the_markbook(marked, make_draft, tmp_path):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    ms, _ = marked
    ms.add_script(make_draft("=1+1", "@2", seed="formula"))
    source = tmp_path / "markbook.xlsx"
    export_markbook(ms, source)
    convert(source, "csv", tmp_path, tmp_path / "home")
    with open(tmp_path / "markbook.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["Candidate number", "Candidate name", "AO1 level", "AO1 mark"]
    assert rows[1][:4] == ["4017", "Amira Khan", "Level 4", "17"]
    assert "Ms Priya Patel" in rows[1]
    # Formula-like names stay text in a real spreadsheet program (not "2").
    assert rows[2][:2] == ["@2", "=1+1"]


def pdf_text(pdf) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    return " ".join(text.split())


def test_libreoffice_renders_the_class_pack_and_cover_sheets(marked, make_draft, tmp_path):
    from rubric.export import export_class_pack, export_cover_sheets

    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    ms, _ = marked
    second = ms.add_script(make_draft("Daniel Okafor", "4023", seed="okafor")).created
    ms.set_mark(second, "AO1", 12)
    export_class_pack(ms, tmp_path / "pack.docx")
    convert(tmp_path / "pack.docx", "pdf", tmp_path, tmp_path / "home")
    pack = pdf_text(tmp_path / "pack.pdf")
    assert "Amira Khan" in pack and "Daniel Okafor" in pack
    report = export_cover_sheets(ms, tmp_path / "covers")
    assert report.ok and len(report.written) == 2
    cover = report.written[0]
    convert(cover, "pdf", tmp_path, tmp_path / "home")
    text = pdf_text(tmp_path / (cover.stem + ".pdf"))
    assert "4017" in text or "4023" in text
    assert "ignature" in text
