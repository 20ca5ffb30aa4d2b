"""The bundled demo sets: the sample essays in ``resources/samples``, one set per question
(each essay sits under the question it answers), some of them marked, so that a newcomer
sees real class sets at once. ``resources/samples/demo.json`` lists them; the first
("main") is the one the app opens with ``--demo``."""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path

from rubric import RESOURCES
from rubric.ids import ScriptId
from rubric.record import replace
from rubric.store.library import new_set
from rubric.store.locations import safe_file_stem, sets_dir
from rubric.store.markingset import MarkingSet
from rubric.templates import template


def manifest() -> dict:
    return json.loads(resources.files(RESOURCES).joinpath("samples", "demo.json")
                      .read_text(encoding="utf-8"))


def about() -> str:
    """What the demo shows, in one line (the start page says the same)."""
    return manifest()["about"]


def _path_of(folder: Path, name: str) -> Path:
    return folder / f"{safe_file_stem(name)}.markset"


def demo_set_paths(folder: Path | None = None) -> list[Path]:
    """Every demo set in the data folder (or ``folder``), built on first use; the main one
    first."""
    data = manifest()
    folder = folder or sets_dir()
    paths = []
    for entry in data["sets"]:
        path = _path_of(folder, entry["name"])
        if not path.exists():
            path = _build_one(entry, data["marker"], folder)
        paths.append(path)
    main = data.get("main", 0)
    return [paths[main], *(p for i, p in enumerate(paths) if i != main)]


def demo_set_path() -> Path:
    """The main demo set (built, with the others, on first use)."""
    return demo_set_paths()[0]


def build_demo_set(folder: Path | None = None) -> Path:
    """Build every demo set in ``folder``; returns the main one's path."""
    return demo_set_paths(folder)[0]


def _scheme_for(entry: dict):
    scheme = template(entry["scheme"])
    if entry.get("question"):
        scheme = replace(scheme, question=entry["question"])
    return scheme


def _build_one(entry: dict, marker: dict, folder: Path) -> Path:
    path = new_set(entry["name"], _scheme_for(entry), folder=folder)
    samples = resources.files(RESOURCES).joinpath("samples")
    with tempfile.TemporaryDirectory() as tmp, MarkingSet.open(path) as marking_set:
        marking_set.use_marker(marker["name"], marker["initials"], marker["role"])
        by_file: dict[str, ScriptId] = {}
        for name in entry["files"]:
            copy = Path(tmp) / name
            copy.write_bytes(samples.joinpath(name).read_bytes())
            for outcome in marking_set.import_files([copy]):
                if outcome.script_id is not None:
                    by_file[name] = outcome.script_id
        first = marking_set.scheme.criteria[0].name
        for name, plan in entry["marking"].items():
            script_id = by_file.get(name)
            if script_id is None:
                continue
            marks = dict(plan.get("marks", {}))
            if "mark" in plan or "level" in plan:
                marks[first] = [plan.get("level"), plan.get("mark")]
            for criterion, (level, mark) in marks.items():
                if mark is not None:
                    marking_set.set_mark(script_id, criterion, mark, level)
                elif level is not None:
                    marking_set.set_level(script_id, criterion, level)
            marking_set.set_comments(script_id, www=plan.get("www"), ebi=plan.get("ebi"))
            for quote, comment, criterion in plan.get("annotations", []):
                marking_set.annotate_quote(script_id, quote, comment, criterion)
            if plan.get("complete"):
                marking_set.set_complete(script_id)
    return path
