"""One version number (rubric.__version__) and the licences of the libraries, read from the
installed distributions at run time."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import rubric
from rubric.licences import bundled_licences, licence_of

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_lives_only_in_rubric():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"]
    assert config["project"]["dynamic"] == ["version"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "rubric.__version__"}
    assert metadata.version("essay-marker") == rubric.__version__


def test_every_required_library_is_listed_with_version_and_licence():
    rows = bundled_licences()
    names = {name.lower().replace("_", "-") for name, _, _ in rows}
    # the direct requirements, and what they need in turn (python-docx → typing-extensions,
    # openpyxl → et-xmlfile, PySide6-Essentials → shiboken6)
    assert {"pyside6-essentials", "python-docx", "openpyxl", "lxml", "pypdfium2", "numpy",
            "scipy", "platformdirs", "defusedxml", "striprtf", "charset-normalizer",
            "et-xmlfile", "shiboken6"} <= names
    assert "essay-marker" not in names
    # extras are not followed: the test tools are not "bundled"
    assert not names & {"pytest", "ruff", "scikit-learn", "fpdf2"}
    for name, version, licence in rows:
        assert version == metadata.version(name)
        assert licence and licence != "unknown", name
    assert [r[0].lower() for r in rows] == sorted(r[0].lower() for r in rows)
    by_name = {name.lower().replace("_", "-"): licence for name, _, licence in rows}
    assert by_name["openpyxl"] == "MIT"
    assert "LGPL" in by_name["pyside6-essentials"]


def test_licence_prefers_expression_then_short_field_then_classifier():
    class Dist:
        def __init__(self, **fields):
            self.metadata = _Meta(fields)

    class _Meta:
        def __init__(self, fields):
            self.fields = fields

        def get(self, key, default=None):
            return self.fields.get(key, default)

        def get_all(self, key):
            return self.fields.get(key)

    assert licence_of(Dist(**{"License-Expression": "MIT", "License": "BSD"})) == "MIT"
    assert licence_of(Dist(License="Apache-2.0")) == "Apache-2.0"
    long_text = "Copyright (c) 2001 Someone\nAll rights reserved.\n" * 5
    assert licence_of(Dist(License=long_text, Classifier=[
        "License :: OSI Approved :: BSD License", "Programming Language :: Python"])) == "BSD License"
    assert licence_of(Dist()) == "unknown"


def test_an_uninstalled_root_gives_an_empty_list():
    assert bundled_licences("no-such-distribution-here") == []
