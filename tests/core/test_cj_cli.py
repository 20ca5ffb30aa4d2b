"""Comparative judgement and the similarity check on a marking set, through the command line
(``judge``, ``cj``, ``cj-pairs``, ``similar``), the store (withdrawing and restoring a
judgement) and the markbook (the Similarity and Comparative judgement sheets)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from rubric import cj
from rubric.cli import main
from rubric.errors import NotFoundError
from rubric.ids import ScriptId
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet, sets_dir
from rubric.templates import template
from tests.core.essay_text import QUESTION, essay

VALIDATE = Path("/work/shared/ooxml-schemas/validate.py")

PLANTED = (
    "Witte's programme of state-led industrialisation transformed the Russian economy in the "
    "1890s, but it also concentrated a new and resentful working class in a handful of "
    "overcrowded cities. The factories of St Petersburg and Moscow drew peasants from the "
    "villages who kept their ties to the commune, so grievances moved quickly between town and "
    "countryside. When news of Bloody Sunday spread in January 1905, strikes broke out along the "
    "railways and in the textile mills within days."
)
NAMES = [("Amira Khan", "4017"), ("Daniel Okafor", "4023"), ("Niamh Walsh", "4031"),
         ("Kacper Nowak", "4042"), ("Ellie Thompson", "4026"), ("Sadia Begum", "4014")]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def draft(name: str, number: str, paragraphs: list[str]) -> ScriptDraft:
    words = sum(len(p.split()) for p in paragraphs)
    return ScriptDraft(
        path=Path(f"{number}_{name.replace(' ', '_')}.docx"), format="docx",
        paragraphs=[Paragraph(p) for p in paragraphs], title=QUESTION,
        candidate_name=name, candidate_number=number, word_count=words,
        coursework_word_count=words, source_bytes=f"{name}{number}".encode())


@pytest.fixture
def class_set(fresh_data_dir) -> Path:
    """Six generated essays in the sets folder; Niamh Walsh (3) and Sadia Begum (6) share
    PLANTED, at different places."""
    path = sets_dir() / "13B Russia.markset"
    with MarkingSet.create(path, "13B Russia", template("aqa-history-essay-25")) as ms:
        for k, (name, number) in enumerate(NAMES):
            paragraphs = essay(500 + k, words=600)
            if k == 2:
                paragraphs.insert(1, PLANTED)
            if k == 5:
                paragraphs.append(PLANTED + " This shows how fragile the regime was.")
            ms.add_script(draft(name, number, paragraphs))
        for script_id, mark in zip(ms.script_ids(), (23, 17, 7, 12, 15, None), strict=True):
            if mark is not None:
                ms.set_mark(script_id, "AO1", mark)
    return path


def judge_all(capsys, path: Path, judgements: list[tuple[int, int, str]]) -> None:
    for winner, loser, judge in judgements:
        code, _, err = run_cli(capsys, "judge", str(path), str(winner), str(loser),
                               "--judge", judge, "--seconds", "20")
        assert code == 0, err


def some_judgements() -> list[tuple[int, int, str]]:
    """Higher ids mostly beat lower ones; three judges."""
    result = []
    for round_ in range(3):
        judge = ["Ms Patel", "Mr Hughes", "Dr Lee"][round_]
        for a in range(1, 7):
            for b in range(a + 1, 7):
                if (a + b + round_) % 2:
                    continue
                upset = (a * b + round_) % 5 == 0
                result.append((a, b, judge) if upset else (b, a, judge))
    return result


# --------------------------------------------------------------------------- judge


def test_judge_records_one_judgement_with_its_judge_and_time(capsys, class_set):
    code, out, err = run_cli(capsys, "judge", str(class_set), "4031", "#1", "--judge",
                             "Ms Patel", "--seconds", "42.5", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["winner"] == 3 and data["loser"] == 1 and data["judge"] == "Ms Patel"
    assert data["made"] == 1 and data["target"] == 30   # 10 per script × 6 scripts / 2
    assert data["progress"] == "1 of 30 judgements (10 per script)"
    with MarkingSet.open(class_set) as ms:
        (j,) = ms.judgements()
        assert (j.winner_id, j.loser_id, j.seconds) == (3, 1, 42.5)
        assert ms.marker(j.judge_id).name == "Ms Patel"
        assert ms.audit_log()[0].action == "judge"   # newest first
    code, out, _ = run_cli(capsys, "judge", str(class_set), "2", "5")
    assert code == 0
    assert out.startswith("recorded  Daniel Okafor (4023) better than Ellie Thompson (4026)")
    assert out.rstrip().endswith("2 of 30 judgements (10 per script)")


@pytest.mark.parametrize("args, message", [
    (("3", "3"), "a judgement compares two different scripts"),
    (("3", "99"), "99"),
    (("3", "1", "--seconds", "-4"), "0 seconds or more"),
])
def test_a_bad_judgement_is_a_one_line_error_and_records_nothing(capsys, class_set, args,
                                                                 message):
    code, out, err = run_cli(capsys, "judge", str(class_set), *args)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    with MarkingSet.open(class_set) as ms:
        assert ms.judgements() == []


# --------------------------------------------------------------------------- cj


def test_cj_json_is_the_core_fit_of_the_recorded_judgements(capsys, class_set):
    judgements = some_judgements()
    judge_all(capsys, class_set, judgements)
    code, out, err = run_cli(capsys, "cj", str(class_set), "--json")
    assert code == 0, err
    data = json.loads(out)
    expected = cj.fit(judgements, list(range(1, 7)))
    assert data["ssr"] == round(expected.ssr, 3)
    assert data["split_half"] == round(expected.split_half, 3)
    assert data["judgements"] == len(judgements)
    assert [j["judge"] for j in data["judges"]] == ["Dr Lee", "Mr Hughes", "Ms Patel"]
    assert data["progress"] == {"made": len(judgements), "target": 30,
                                "fraction": round(min(1, len(judgements) / 30), 4),
                                "per_script": 10}
    by_id = {s["id"]: s for s in data["scripts"]}
    assert sorted(by_id) == list(range(1, 7))
    for score in expected.scripts:
        row = by_id[score.id]
        for key in ("id", "score", "se", "infit", "scaled", "judgements", "rank"):
            assert key in row
        assert row["score"] == pytest.approx(score.score, abs=1e-4)
        assert row["se"] == pytest.approx(score.se, abs=1e-4)
        assert row["infit"] == pytest.approx(score.infit, abs=1e-3)
        assert row["scaled"] == pytest.approx(score.scaled, abs=0.05)
        assert row["judgements"] == score.judgements and row["rank"] == score.rank
    assert by_id[1]["candidate"] == "Amira Khan (4017)"
    assert [by_id[i]["rubric_total"] for i in range(1, 7)] == [23, 17, 7, 12, 15, None]
    # the ranks beside the rubric are those of the scripts both judged and marked
    comparison = cj.compare_with_marks(expected, {1: 23, 2: 17, 3: 7, 4: 12, 5: 15})
    for row in comparison.rows:
        assert by_id[row.id]["cj_rank"] == row.cj_rank
        assert by_id[row.id]["rubric_rank"] == row.mark_rank
        assert by_id[row.id]["flagged"] == row.flagged
    assert by_id[6]["cj_rank"] is None and by_id[6]["rubric_rank"] is None
    assert data["flagged"] == [r.id for r in sorted(comparison.flagged, key=lambda r: r.id)]
    assert data["spearman"] == round(comparison.spearman, 3)


def test_cj_plain_text_is_a_ranked_table_with_the_figures_explained(capsys, class_set):
    judge_all(capsys, class_set, some_judgements())
    code, out, _ = run_cli(capsys, "cj", str(class_set))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("13B Russia: ") and "by 3 judges" in lines[0]
    table = [line for line in lines if line[:4].strip().isdigit()]
    assert len(table) == 6
    assert [int(line[:4]) for line in table] == [1, 2, 3, 4, 5, 6]
    assert any(line.startswith("SSR ") and "measurement error" in line for line in lines)
    assert any(line.startswith("Split-half ") and "halves of the judges" in line
               for line in lines)
    assert any(line.startswith("Beside the rubric: Spearman") for line in lines)


def test_cj_maps_scores_onto_marks_through_definitive_anchors(capsys, class_set):
    judge_all(capsys, class_set, some_judgements())
    with MarkingSet.open(class_set) as ms:
        ms.use_marker("Head of History", "HH", "teacher")
        for script_id, mark in ((1, 6), (4, 14), (6, 22)):
            ms.set_definitive(ScriptId(script_id), "AO1", mark)
        expected = cj.fit([(j.winner_id, j.loser_id, ms.marker(j.judge_id).name)
                           for j in ms.judgements()], ms.script_ids())
    line = cj.anchor_line(expected, {1: 6, 4: 14, 6: 22}, max_mark=25)
    code, out, _ = run_cli(capsys, "cj", str(class_set), "--json")
    data = json.loads(out)
    assert data["anchor"]["anchors"] == 3
    assert data["anchor"]["slope"] == round(line.slope, 4)
    for row in data["scripts"]:
        assert row["mapped_mark"] == round(line.mapped[row["id"]], 2)
    code, out, _ = run_cli(capsys, "cj", str(class_set))
    assert any(line.startswith("Mapped marks: mark = ") for line in out.splitlines())


def test_a_blind_marker_fits_only_their_own_judgements(capsys, class_set):
    judge_all(capsys, class_set, some_judgements())
    with MarkingSet.open(class_set) as ms:
        patel = ms.find_marker("Ms Patel")
        ms.set_blind(patel.id)
        mine = [(j.winner_id, j.loser_id, "Ms Patel") for j in ms.judgements(patel.id)]
    code, out, _ = run_cli(capsys, "cj", str(class_set), "--json")
    assert json.loads(out)["judgements"] == len(some_judgements())   # the teacher sees all
    code, out, _ = run_cli(capsys, "cj", str(class_set), "--json", "--marker", "Ms Patel")
    data = json.loads(out)
    assert data["judgements"] == len(mine) and [j["judge"] for j in data["judges"]] == [
        "Ms Patel"]
    assert all(s["rubric_total"] is None for s in data["scripts"])   # others' marks hidden


def test_cj_with_no_judgements_says_how_to_start(capsys, class_set):
    code, out, _ = run_cli(capsys, "cj", str(class_set))
    assert code == 0
    assert "No script has been judged yet" in out and "cj-pairs" in out
    code, out, _ = run_cli(capsys, "cj", str(class_set), "--json")
    data = json.loads(out)
    assert all(s["score"] is None and s["rank"] is None for s in data["scripts"])
    assert data["judgements"] == 0


def test_cj_fits_a_csv_of_judgements_instead_of_the_set(capsys, class_set, tmp_path):
    judgements = some_judgements()
    csv_file = tmp_path / "judgements.csv"
    rows = ["winner_id,loser_id,judge"] + [f"{w},{lo},{j}" for w, lo, j in judgements] + [""]
    csv_file.write_text("\n".join(rows), encoding="utf-8")
    code, out, err = run_cli(capsys, "cj", str(class_set), "--judgements", str(csv_file),
                             "--json")
    assert code == 0, err
    data = json.loads(out)
    expected = cj.fit(judgements, list(range(1, 7)))
    assert data["source"] == "judgements.csv"
    assert data["ssr"] == round(expected.ssr, 3)
    assert data["split_half"] == round(expected.split_half, 3)
    assert {s["id"]: s["score"] for s in data["scripts"]} == {
        s.id: round(s.score, 4) for s in expected.scripts}
    with MarkingSet.open(class_set) as ms:
        assert ms.judgements() == []   # read, never recorded
    # two columns: no judges, so no split-half
    csv_file.write_text("\n".join(f"{w},{lo}" for w, lo, _ in judgements), encoding="utf-8")
    code, out, _ = run_cli(capsys, "cj", str(class_set), "--judgements", str(csv_file),
                           "--json")
    data = json.loads(out)
    assert data["split_half"] is None and data["judges"] == []
    assert data["ssr"] == round(cj.fit([(w, lo) for w, lo, _ in judgements],
                                       list(range(1, 7))).ssr, 3)


@pytest.mark.parametrize("rows, message", [
    ("3,1\n3,77\n", "judgements.csv row 2: "),
    ("winner_id,loser_id\n3,1\n2,2\n", "judgements.csv row 3: a script cannot be judged "
                                       "against itself"),
    ("3,1,Ms Patel,extra\n", "judgements.csv row 1: expected winner_id,loser_id[,judge], "
                             "found 4 values"),
    ("3\n", "judgements.csv row 1: expected"),
])
def test_a_bad_csv_row_is_a_one_line_error_naming_the_row(capsys, class_set, tmp_path, rows,
                                                          message):
    csv_file = tmp_path / "judgements.csv"
    csv_file.write_text(rows, encoding="utf-8")
    code, out, err = run_cli(capsys, "cj", str(class_set), "--judgements", str(csv_file))
    assert code == 1 and out == ""
    assert err.startswith(f"error: {message}") and err.count("\n") == 1


# --------------------------------------------------------------------------- cj-pairs


def test_cj_pairs_are_balanced_and_never_repeat_for_a_judge(capsys, class_set):
    seen: Counter = Counter()
    counts: Counter = Counter()
    sides: Counter = Counter()
    for _ in range(3):   # 3 × 5 = the 15 pairs of six scripts
        code, out, err = run_cli(capsys, "cj-pairs", str(class_set), "--judge", "Ms Patel",
                                 "--n", "5", "--json")
        assert code == 0, err
        pairs = json.loads(out)
        assert len(pairs) == 5
        for p in pairs:
            assert {"left", "right"} <= set(p)
            seen[frozenset((p["left"], p["right"]))] += 1
            counts.update((p["left"], p["right"]))
            sides[p["left"]] += 1
            # the judge chooses: the smaller id wins
            judge_all(capsys, class_set, [(min(p["left"], p["right"]),
                                           max(p["left"], p["right"]), "Ms Patel")])
    assert len(seen) == 15 and set(seen.values()) == {1}   # every pair once, none again
    assert max(counts.values()) - min(counts.values()) <= 2
    assert len(sides) > 1   # left and right are not always the same way round


def test_cj_pairs_plain_text_names_both_candidates(capsys, class_set):
    code, out, _ = run_cli(capsys, "cj-pairs", str(class_set), "--judge", "New Judge", "--n",
                           "3", "--seed", "4")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    names = {int(number): f"{name} ({cand})" for number, (name, cand) in
             enumerate(NAMES, 1)}
    for line in lines:
        ids, candidates = line.split("  ", 1)
        left, right = map(int, ids.split())
        assert candidates == f"{names[left]} | {names[right]}"
    with MarkingSet.open(class_set) as ms:   # asking for pairs writes nothing
        assert ms.find_marker("New Judge") is None


def test_a_cj_session_is_scriptable_from_pairs_to_the_fit(capsys, class_set):
    """Two judges take pairs and judge them until the set reaches its target."""
    turn = 0
    while True:
        judge = ["Ms Patel", "Mr Hughes"][turn % 2]
        _, out, _ = run_cli(capsys, "cj-pairs", str(class_set), "--judge", judge, "--n", "5",
                            "--json")
        for p in json.loads(out):
            winner, loser = sorted((p["left"], p["right"]), reverse=True)
            judge_all(capsys, class_set, [(winner, loser, judge)])
        _, out, _ = run_cli(capsys, "cj", str(class_set), "--json")
        data = json.loads(out)
        if data["progress"]["made"] >= data["progress"]["target"]:
            break
        turn += 1
    per_script = [s["judgements"] for s in data["scripts"]]
    assert max(per_script) - min(per_script) <= 2
    ranks = {s["id"]: s["rank"] for s in data["scripts"]}
    assert ranks[6] == 1 and ranks[1] == 6   # the higher id always won


# --------------------------------------------------------------------------- the store


def test_a_withdrawn_judgement_comes_back_with_its_identity(class_set):
    with MarkingSet.open(class_set) as ms:
        ms.use_marker("Ms Patel", "PP", "teacher")
        created = ms.add_judgement(ScriptId(2), ScriptId(4), 12.0).created
        (before,) = ms.judgements()
        changes = ms.withdraw_judgement(created)
        assert changes.scripts == {2, 4} and ms.judgements() == []
        assert ms.judging_progress().made == 0
        restored = ms.restore_judgement(before)
        (after,) = ms.judgements()
        assert restored.created == after.id
        assert (after.uuid, after.winner_id, after.loser_id, after.seconds, after.created_at,
                after.judge_id) == (before.uuid, 2, 4, 12.0, before.created_at, before.judge_id)
        assert ms.restore_judgement(before).created == after.id   # once only
        actions = [e.action for e in ms.audit_log(limit=2)]   # newest first
        assert actions == ["restore judgement", "withdraw judgement"]
        with pytest.raises(NotFoundError):
            ms.withdraw_judgement(999)


# --------------------------------------------------------------------------- similar


def test_similar_finds_the_planted_passage(capsys, class_set):
    code, out, err = run_cli(capsys, "similar", str(class_set), "--json")
    assert code == 0, err
    data = json.loads(out)
    first = data["pairs"][0]
    assert {first["script_a"], first["script_b"]} == {3, 6}
    assert {first["candidate_a"], first["candidate_b"]} == {"Niamh Walsh (4031)",
                                                            "Sadia Begum (4014)"}
    assert first["shared_words"] >= len(PLANTED.split()) - 2
    assert 0 < first["containment"] <= 1
    texts = {}
    with MarkingSet.open(class_set) as ms:
        for sid in (3, 6):
            texts[sid] = "\n".join(p.text for p in ms.script(ScriptId(sid)).paragraphs)
    passage = max(first["passages"], key=lambda p: p["words"])
    assert "state-led industrialisation" in passage["text"]
    a, b = texts[first["script_a"]], texts[first["script_b"]]
    assert a[passage["a_start"]:passage["a_end"]] == passage["text"]
    assert b[passage["b_start"]:passage["b_end"]] == passage["text"]
    assert "not proof of copying" in data["caveat"]

    code, out, _ = run_cli(capsys, "similar", str(class_set))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("1 pair of scripts shares 15 words or more")
    assert lines[2].lstrip().startswith("1. ") and "Niamh Walsh (4031)" in lines[2]
    assert any("“Witte's programme of state-led" in line and "…" in line for line in lines)
    assert lines[-1].startswith("Shared wording is not proof of copying")


def test_similar_options_count_quotations_and_the_question(capsys, fresh_data_dir):
    quote = ("the autocracy rests on the bayonets of the soldiers and on nothing else besides "
             "in the whole of the empire")
    question = ("To what extent was the loyalty of the army the main reason why the Tsarist "
                "regime survived the revolution of 1905")
    path = sets_dir() / "quotes.markset"
    with MarkingSet.create(path, "Quotes", template("aqa-history-essay-25")) as ms:
        for k in range(5):
            body = essay(900 + k, words=300)
            if k in (0, 1):   # the same quotation, in quotation marks
                body[0] += f" As Witte warned, “{quote}”."
            if k in (2, 3):   # the question restated
                body[1] = f"{question}? I will argue that it was. " + body[1]
            script = draft(f"Pupil {k}", str(5000 + k), body)
            script.title = f"{question}?"
            ms.add_script(script)
    code, out, _ = run_cli(capsys, "similar", str(path), "--json")
    assert json.loads(out)["pairs"] == []
    code, out, _ = run_cli(capsys, "similar", str(path), "--json", "--include-quotes")
    pairs = json.loads(out)["pairs"]
    assert [(p["script_a"], p["script_b"]) for p in pairs] == [(1, 2)]
    assert pairs[0]["shared_words"] >= 15
    code, out, _ = run_cli(capsys, "similar", str(path), "--json", "--include-question")
    pairs = json.loads(out)["pairs"]
    assert [(p["script_a"], p["script_b"]) for p in pairs] == [(3, 4)]
    code, out, _ = run_cli(capsys, "similar", str(path), "--json", "--include-quotes",
                           "--min-words", "40")
    assert json.loads(out)["pairs"] == []
    code, _, err = run_cli(capsys, "similar", str(path), "--min-words", "0")
    assert code == 1 and "--min-words must be 1 or more" in err


# --------------------------------------------------------------------------- markbook


def test_the_markbook_has_similarity_and_cj_sheets_that_validate(capsys, class_set, tmp_path):
    from rubric.export.excel import export_markbook

    out = tmp_path / "markbook.xlsx"
    with MarkingSet.open(class_set) as ms:
        ms.update_candidate(ScriptId(6), "=HYPERLINK(\"x\")", "4014")
        export_markbook(ms, out)
    book = openpyxl.load_workbook(out)
    assert "Similarity" in book.sheetnames and "Comparative judgement" not in book.sheetnames
    sheet = book["Similarity"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    header = rows.index(("Pair", "Candidate A", "Candidate B", "Shared words", "Containment",
                         "Common words", "Passages", "First shared passage"))
    pair = rows[header + 1]
    assert pair[0] == 1 and {pair[1], pair[2]} == {"Niamh Walsh (4031)", "=HYPERLINK(\"x\") (4014)"}
    assert isinstance(pair[3], int) and 0 < pair[4] <= 1
    assert "state-led industrialisation" in pair[7]
    for cell in sheet[header + 2]:
        if isinstance(cell.value, str):
            assert cell.data_type == "s"   # text, never a formula

    judge_all(capsys, class_set, some_judgements())
    with MarkingSet.open(class_set) as ms:
        export_markbook(ms, out)
        expected = cj.fit([(j.winner_id, j.loser_id, ms.marker(j.judge_id).name)
                           for j in ms.judgements()], ms.script_ids())
    book = openpyxl.load_workbook(out)
    sheet = book["Comparative judgement"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    header = [k for k, r in enumerate(rows) if r[0] == "Rank"][0]
    assert rows[header][:8] == ("Rank", "Candidate", "Score", "SE", "Scaled", "Infit",
                                "Judgements", "Rubric total")
    table = rows[header + 1:header + 7]
    assert [r[0] for r in table] == [1, 2, 3, 4, 5, 6]
    best = expected.ranked()[0]
    assert table[0][2] == pytest.approx(best.score, abs=1e-3)
    assert table[0][3] == pytest.approx(best.se, abs=1e-3)
    assert any(str(r[0]).startswith("SSR ") for r in rows[:header] if r[0])
    if VALIDATE.exists():
        result = subprocess.run([sys.executable, str(VALIDATE), str(out)], capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr


def test_no_comparison_sheets_without_pairs_or_judgements(tmp_path, fresh_data_dir):
    from rubric.export.excel import export_markbook

    path = sets_dir() / "plain.markset"
    with MarkingSet.create(path, "Plain", template("aqa-history-essay-25")) as ms:
        for k in range(3):
            ms.add_script(draft(f"Pupil {k}", str(6000 + k), essay(700 + k, words=300)))
        export_markbook(ms, tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert "Similarity" not in book.sheetnames
    assert "Comparative judgement" not in book.sheetnames


def test_the_subcommands_are_in_the_one_registry():
    from rubric.subcommands import NAMES

    assert {"cj", "cj-pairs", "judge", "similar"} <= NAMES
