"""``essay-marker set-scheme`` applies an edited scheme as the rubric editor does: a new
version, every mark kept, the ones that no longer fit flagged and listed."""

from __future__ import annotations

import json

from rubric.cli import main
from rubric.ids import ScriptId
from rubric.store import MarkingSet
from rubric.store.library import new_set


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_set_scheme_flags_marks_and_versions_the_scheme(capsys, tmp_path, nea_scheme, make_draft):
    path = new_set("13B NEA", nea_scheme)
    with MarkingSet.open(path) as ms:
        ms.add_script(make_draft("Jane Smith", "4321"))
        ms.set_mark(ScriptId(1), "AO1", 16)
        ms.set_mark(ScriptId(1), "AO3", 9)
        version = ms.scheme_version
    data = nea_scheme.to_dict()
    for criterion in data["criteria"]:
        if criterion["name"] == "AO3":
            criterion["name"] = "AO3 interpretations"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")

    code, out, err = run_cli(capsys, "set-scheme", "13B NEA", str(edited), "--dry-run", "--json")
    assert code == 0, err
    preview = json.loads(out)
    assert preview["applied"] is False and preview["flagged"][0]["criterion"] == "AO3"
    with MarkingSet.open(path) as ms:
        assert ms.scheme_version == version

    code, out, err = run_cli(capsys, "set-scheme", "13B NEA", str(edited))
    assert code == 0, err
    assert "Jane Smith (4321)" in out and "AO3" in out and "1 mark to review" in out
    with MarkingSet.open(path) as ms:
        assert ms.scheme_version == version + 1
        assert ms.marks_for(ScriptId(1))["AO3"].needs_review
        assert ms.total(ScriptId(1)) == 16          # the old AO3 mark is not summed

    code, out, _ = run_cli(capsys, "set-scheme", "13B NEA", str(edited))
    assert code == 0 and "unchanged" in out


def test_an_invalid_scheme_changes_nothing(capsys, tmp_path, essay_scheme):
    path = new_set("13B", essay_scheme)
    bad = tmp_path / "bad.json"
    data = essay_scheme.to_dict()
    data["criteria"][0]["levels"][2]["min"] = 4    # overlaps the level below
    bad.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run_cli(capsys, "set-scheme", "13B", str(bad))
    assert code == 1 and err.startswith("error:") and err.count("\n") == 1
    with MarkingSet.open(path) as ms:
        assert ms.scheme_version == 1
