"""``essay-marker mark`` starts only what marking needs: no Qt, no Word or Excel library, no
PDF engine (their import alone would cost more than the whole call should). Checked in a
fresh process through the real entry point, ``gui.launcher``."""

from __future__ import annotations

import json
import subprocess
import sys

from rubric.ids import ScriptId
from rubric.store import MarkingSet
from rubric.store.library import new_set

HEAVY = ("PySide6", "shiboken6", "gui.app", "gui.main_window", "openpyxl", "docx", "lxml",
         "pypdf", "pypdfium2", "pdfminer", "numpy", "scipy", "rubric.export",
         "rubric.importing.docx", "rubric.importing.pdf")


def test_cli_mark_imports_no_qt_and_no_office_or_pdf_library(essay_scheme, make_draft):
    path = new_set("Imports", essay_scheme)
    with MarkingSet.open(path) as ms:
        ms.add_script(make_draft())
    code = (
        "import json, sys\n"
        "from gui.launcher import main\n"
        f"status = main(['mark', {str(path)!r}, '1', '--mark', '17', '--criterion', 'AO1'])\n"
        f"heavy = {HEAVY!r}\n"
        "loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.')"
        " for h in heavy))\n"
        "print(json.dumps({'status': status, 'loaded': loaded}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"status": 0, "loaded": []}
    with MarkingSet.open(path) as ms:
        assert ms.total(ScriptId(1)) == 17


def test_cli_mark_shows_the_status_of_its_script(essay_scheme, make_draft, capsys):
    from rubric.cli import main

    path = new_set("Status", essay_scheme)
    with MarkingSet.open(path) as ms:
        first = ms.add_script(make_draft()).created
        ms.add_script(make_draft(name="Amira Khan", number="4017", seed="Witte"))
    assert main(["mark", str(path), str(first), "--mark", "18", "--complete", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["status"], row["total"]) == ("marked", 18)
    assert main(["mark", str(path), "4017", "--www", "Clear line of argument", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["candidate_number"], row["status"], row["total"]) == ("4017", "in progress",
                                                                      None)
