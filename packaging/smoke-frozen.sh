#!/usr/bin/env bash
# Smoke test of the frozen Linux build (bash packaging/build.sh first): it starts offscreen
# on the demo set, inspects a .docx and a PDF (the PDF through the sandbox child, which the
# frozen app starts as "essay-marker --import-child"), has its background child (started as
# "essay-marker --background-child" by the app's exports) compare two scripts, exports Word
# and Excel from the demo set and validates them against the OOXML schemas when
# /work/shared/ooxml-schemas is there.
set -euo pipefail
cd "$(dirname "$0")/.."
app=dist/essay-marker/essay-marker
python=.venv/bin/python
[[ -x $app ]] || { echo "no $app: run bash packaging/build.sh first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ESSAY_MARKER_HOME=$work/home XDG_CONFIG_HOME=$work/home/config QT_QPA_PLATFORM=offscreen
# nothing from the checkout or the venv may leak into the frozen app
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
step() { echo "== $*"; }

step "version and schemes"
"$app" --version
"$app" scheme list | grep -q aqa-history-essay-25

step "the window opens offscreen on the demo set"
timeout 120 "$app" --demo --quit-after-show
demo=$(find "$ESSAY_MARKER_HOME" -path '*/backups' -prune -o -name '*.markset' -print | sort | head -1)
[[ -n $demo ]] || { echo "no demo set was built" >&2; exit 1; }

step "inspect a .docx and a PDF"
"$python" - "$work" <<'PY'
import sys
from pathlib import Path
import docx
from fpdf import FPDF
work = Path(sys.argv[1])
text = ("The loyalty of the army was the main reason the Tsar survived 1905, "
        "although the October Manifesto split the opposition. ") * 8
d = docx.Document()
d.add_paragraph("4031 Niamh Walsh")
d.add_paragraph(text)
d.save(work / "4031_Walsh_Niamh.docx")
pdf = FPDF()
pdf.add_page()
pdf.set_font("Helvetica", size=12)
pdf.multi_cell(0, 8, text)
pdf.output(str(work / "4049_Brooks_Jordan.pdf"))
PY
"$app" inspect "$work/4031_Walsh_Niamh.docx" | tee "$work/docx.txt"
grep -q "October Manifesto" "$work/docx.txt" || grep -qi "words" "$work/docx.txt"
"$app" inspect --json "$work/4049_Brooks_Jordan.pdf" > "$work/pdf.json"
"$python" -c "import json,sys; r=json.load(open(sys.argv[1])); print({k: r[k] for k in list(r)[:6]})" "$work/pdf.json"
grep -q "Manifesto" "$work/pdf.json"

step "the background child compares two scripts"
"$python" - "$app" <<'PY'
import pickle, subprocess, sys
from rubric import comparing, forked
shared = ("The October Manifesto split the liberals from the socialists and left the "
          "soviets isolated when the army came back from Manchuria in the winter of 1905.")
texts = {1: ((shared, "body"), ("The army stayed loyal.", "body")),
         2: (("Witte negotiated the loan.", "body"), (shared, "body"))}
done = subprocess.run([sys.argv[1], "--background-child"], capture_output=True, timeout=120,
                      input=forked.framed((comparing.find_similar, (texts, []))))
assert done.returncode == 0, done.returncode
outcome, report = pickle.loads(done.stdout[8:])
assert outcome == "done" and report.pairs, (outcome, report)
print(f"the child found {len(report.pairs)} pair(s)")
PY

step "export Word and Excel from the demo set"
"$app" export "$demo" --word "$work/word" --excel "$work/marks.xlsx" --all
ls "$work/word" | head -3
"$python" - "$work" <<'PY'
import sys
from pathlib import Path
import docx, openpyxl
work = Path(sys.argv[1])
files = sorted((work / "word").glob("*.docx"))
assert len(files) >= 5, files
d = docx.Document(str(files[0]))
assert d.paragraphs and any(p.text for p in d.paragraphs)
assert d.sections[0].header is not None
wb = openpyxl.load_workbook(work / "marks.xlsx")
assert "Marks" in wb.sheetnames, wb.sheetnames
print(f"{len(files)} Word files, sheets {wb.sheetnames}")
PY
validator=/work/shared/ooxml-schemas/validate.py
if [[ -f $validator ]]; then
  step "validate against the OOXML schemas"
  "$python" "$validator" "$work"/word/*.docx "$work/marks.xlsx"
fi
echo "frozen smoke test passed"
