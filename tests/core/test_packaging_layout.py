"""The installed layout: every package on disk is listed in pyproject.toml, and the
resources ship inside the app's own namespace (``rubric.resources``), never as a
top-level package called ``resources``."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_listed_for_installation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for top in ("rubric", "gui") for p in (ROOT / top).rglob("__init__.py")}
    assert on_disk | {"rubric.resources"} == listed
    assert config["tool"]["setuptools"]["package-dir"] == {"rubric.resources": "resources"}


def test_resources_are_read_from_the_app_namespace():
    templates = resources.files("rubric.resources").joinpath("templates")
    assert any(entry.name == "aqa-history-essay-25.json" for entry in templates.iterdir())
