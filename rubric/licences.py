"""The libraries Essay Marker runs on, with their versions and licences, read at run time
from the installed distributions' metadata (never a hand-kept list).

The walk starts at the ``essay-marker`` distribution and follows its requirements (not
its extras) recursively; requirements whose environment marker does not apply, or that are
not installed, are left out. A frozen build ships the same metadata (the PyInstaller spec
copies it with ``copy_metadata(..., recursive=True)``) and adds the Python it bundles.
"""

from __future__ import annotations

import platform
import re
import sys
from importlib import metadata

#: The distribution the walk starts from.
APP_DISTRIBUTION = "essay-marker"

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_CLASSIFIER = "License :: "


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _marker_applies(marker: str) -> bool:
    """Whether a requirement's environment marker applies here (extras never do)."""
    marker = marker.strip()
    if not marker:
        return True
    if "extra" in marker:
        return False
    try:
        from packaging.markers import Marker  # present in most environments, not required
    except ImportError:
        return True   # the requirement is kept only when it is installed anyway
    try:
        return Marker(marker).evaluate()
    except Exception:
        return True


def _requirements(dist: metadata.Distribution) -> list[str]:
    names = []
    for requirement in dist.requires or []:
        spec, _, marker = requirement.partition(";")
        match = _NAME.match(spec)
        if match and _marker_applies(marker):
            names.append(match.group(1))
    return names


def licence_of(dist: metadata.Distribution) -> str:
    """The licence a distribution declares: its SPDX ``License-Expression``, else a short
    ``License`` field, else its ``License ::`` classifiers, else "unknown"."""
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80 and text.upper() != "UNKNOWN":
        return text
    classifiers = [c[len(_CLASSIFIER):].split(" :: ")[-1]
                   for c in (meta.get_all("Classifier") or []) if c.startswith(_CLASSIFIER)]
    if classifiers:
        return ", ".join(dict.fromkeys(classifiers))
    if text:   # a whole licence text pasted into the field: its first line names it
        return text.splitlines()[0].strip()[:80]
    return "unknown"


def bundled_licences(root: str = APP_DISTRIBUTION) -> list[tuple[str, str, str]]:
    """(name, version, licence) of every distribution ``root`` needs, sorted by name
    (case-insensitive), without ``root`` itself. Empty when ``root`` is not installed."""
    try:
        start = metadata.distribution(root)
    except metadata.PackageNotFoundError:
        return []
    seen = {_normal(root)}
    found: list[tuple[str, str, str]] = []
    queue = _requirements(start)
    while queue:
        name = queue.pop()
        key = _normal(name)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found.append((dist.metadata.get("Name") or name, dist.version, licence_of(dist)))
        queue.extend(_requirements(dist))
    found.sort(key=lambda row: row[0].lower())
    if getattr(sys, "frozen", False):
        found.append(("Python", platform.python_version(), "PSF-2.0"))
    return found
