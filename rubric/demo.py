"""The bundled demo set: the sample essays in ``resources/samples``, some of them marked,
so that a newcomer sees a real class set at once."""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path

from rubric import RESOURCES
from rubric.ids import ScriptId
from rubric.store.library import new_set
from rubric.store.locations import safe_file_stem, sets_dir
from rubric.store.markingset import MarkingSet
from rubric.templates import template


def _manifest() -> dict:
    return json.loads(resources.files(RESOURCES).joinpath("samples", "demo.json")
                      .read_text(encoding="utf-8"))


def demo_set_path() -> Path:
    """The demo set in the data folder, built on first use."""
    manifest = _manifest()
    path = sets_dir() / f"{safe_file_stem(manifest['name'])}.markset"
    if path.exists():
        return path
    return build_demo_set(path.parent)


def build_demo_set(folder: Path | None = None) -> Path:
    manifest = _manifest()
    path = new_set(manifest["name"], template(manifest["scheme"]), folder=folder)
    samples = resources.files(RESOURCES).joinpath("samples")
    with tempfile.TemporaryDirectory() as tmp, MarkingSet.open(path) as marking_set:
        marker = manifest["marker"]
        marking_set.use_marker(marker["name"], marker["initials"], marker["role"])
        by_file: dict[str, ScriptId] = {}
        for name in manifest["files"]:
            copy = Path(tmp) / name
            copy.write_bytes(samples.joinpath(name).read_bytes())
            for outcome in marking_set.import_files([copy]):
                if outcome.script_id is not None:
                    by_file[name] = outcome.script_id
        for name, plan in manifest["marking"].items():
            script_id = by_file.get(name)
            if script_id is None:
                continue
            if "mark" in plan:
                marking_set.set_mark(script_id, "AO1", plan["mark"], plan.get("level"))
            elif "level" in plan:
                marking_set.set_level(script_id, "AO1", plan["level"])
            marking_set.set_comments(script_id, www=plan.get("www"), ebi=plan.get("ebi"))
            for quote, comment, criterion in plan.get("annotations", []):
                marking_set.annotate_quote(script_id, quote, comment, criterion)
            if plan.get("complete"):
                marking_set.set_complete(script_id)
    return path
