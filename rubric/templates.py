"""The bundled scheme templates in ``resources/templates`` (loaded with importlib.resources)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from rubric import RESOURCES
from rubric.errors import SchemeError
from rubric.scheme import Scheme, load_scheme, scheme_from_json

DEFAULT_TEMPLATE_ID = "aqa-history-essay-25"


def _template_files() -> list:
    folder = resources.files(RESOURCES).joinpath("templates")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)


@cache
def bundled_templates() -> tuple[Scheme, ...]:
    """Every bundled template, default first."""
    schemes = [scheme_from_json(f.read_text(encoding="utf-8"), f.name) for f in _template_files()]
    schemes.sort(key=lambda s: (s.id != DEFAULT_TEMPLATE_ID, s.id))
    return tuple(schemes)


def template(template_id: str) -> Scheme:
    for scheme in bundled_templates():
        if scheme.id == template_id:
            return scheme
    known = ", ".join(s.id for s in bundled_templates())
    raise SchemeError([f"no template with id '{template_id}' (known: {known})"])


def default_scheme() -> Scheme:
    return template(DEFAULT_TEMPLATE_ID)


def scheme_from_id_or_file(value: str) -> Scheme:
    """A template id, or a path to a scheme JSON file."""
    path = Path(value)
    if path.suffix.lower() == ".json" or path.exists():
        return load_scheme(path)
    return template(value)
