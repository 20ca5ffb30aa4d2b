"""A department comment bank: a set's comment bank as a JSON file, to send to every teacher.

* :func:`export_bank` writes a set's bank (kind, criterion, level, text, shortcut of each
  comment) atomically.
* :func:`read_bank_file` reads one (the file is untrusted: its size, the number of comments
  and every field are checked; a bad file is refused with a one-line reason).
* :func:`merge_bank` adds a bank's comments to a set without duplicates: a comment already
  there (the same text once case, spacing, quotation marks and dashes are set aside, of the
  same kind and criterion) is skipped; each comment keeps its criterion, level and
  shortcut (a shortcut another comment of the set already uses is left off that one).
* :func:`set_default_bank` makes a bank the one every new set starts with (kept in the
  app's data folder; :func:`starting_bank` falls back to the bundled bank).

The file format is the bundled bank's (``resources/banks/history.json``)::

    {"schema_version": 1, "comments": [{"kind": "www", "criterion": "AO1",
      "level": "Level 4", "text": "…", "shortcut": "w3"}, …]}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rubric.errors import SetError
from rubric.store.records import COMMENT_KINDS, Changes

BANK_FORMAT = 1
#: Limits of a bank file from elsewhere (a real department bank is a few hundred comments).
MAX_BYTES = 5 * 1024 * 1024
MAX_COMMENTS = 10_000
MAX_TEXT = 5_000
MAX_LABEL = 100
DEFAULT_BANK_NAME = "default-bank.json"

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "“": '"', "”": '"',
                         "„": '"', "″": '"', "‐": "-", "‑": "-", "‒": "-", "–": "-",
                         "—": "-", "―": "-", "\u00a0": " "})


def normalised(text: str) -> str:
    """A comment's text for finding duplicates: case, spacing, the form of quotation marks
    and dashes, and a final full stop set aside."""
    text = " ".join(text.translate(_QUOTES).split()).casefold()
    return text.rstrip(".").rstrip()


def _key(comment: dict[str, Any]) -> tuple[str, str, str]:
    return (normalised(comment["text"]), comment["kind"], comment.get("criterion") or "")


def bank_comments(marking_set) -> list[dict[str, Any]]:
    """The set's bank as plain comments (in the bank's order)."""
    return [{"kind": c.kind, "criterion": c.criterion, "level": c.level, "text": c.text,
             "shortcut": c.shortcut} for c in marking_set.bank()]


def export_bank(marking_set, path: str | Path) -> int:
    """Write the set's comment bank to ``path`` (JSON); returns how many comments."""
    from rubric.safe_write import write_text_atomically

    comments = bank_comments(marking_set)
    data = {"schema_version": BANK_FORMAT, "set": marking_set.name, "comments": comments}
    write_text_atomically(Path(path), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return len(comments)


def _label(value: Any, what: str, where: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_LABEL or re.search(r"[\x00-\x1f]", value):
        raise SetError(f"{where}: its {what} is not a short piece of text")
    return value.strip() or None


def parse_bank(data: Any, shown: str) -> list[dict[str, Any]]:
    """Checked comments from a bank file's parsed JSON (a list, or ``{"comments": [...]}``)."""
    if isinstance(data, dict):
        version = data.get("schema_version", BANK_FORMAT)
        if not isinstance(version, int) or version > BANK_FORMAT:
            raise SetError(f"{shown}: made by a newer Essay Marker (bank format {version!r})")
        data = data.get("comments")
    if not isinstance(data, list):
        raise SetError(f"{shown}: this is not a comment bank (no list of comments)")
    if len(data) > MAX_COMMENTS:
        raise SetError(f"{shown}: too many comments ({len(data):,}; at most {MAX_COMMENTS:,})")
    comments = []
    for number, item in enumerate(data, start=1):
        where = f"{shown}: comment {number}"
        if not isinstance(item, dict):
            raise SetError(f"{where} is not a comment")
        kind = item.get("kind", "general")
        if kind not in COMMENT_KINDS:
            raise SetError(f"{where}: kind must be one of {', '.join(COMMENT_KINDS)}")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise SetError(f"{where} has no text")
        if len(text) > MAX_TEXT:
            raise SetError(f"{where} is longer than {MAX_TEXT:,} characters")
        text = "".join(c for c in text if c in "\n\t" or ord(c) >= 32).strip()
        comments.append({"kind": kind, "criterion": _label(item.get("criterion"), "criterion",
                                                            where),
                         "level": _label(item.get("level"), "level", where), "text": text,
                         "shortcut": _label(item.get("shortcut"), "shortcut", where)})
    return comments


def read_bank_file(path: str | Path) -> list[dict[str, Any]]:
    """The checked comments of a bank file (raises :class:`SetError` with one line)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SetError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise SetError(f"{path.name}: too large for a comment bank (over "
                       f"{MAX_BYTES // 1024 // 1024} MB)")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SetError(f"{path.name}: this is not a comment bank (not JSON)") from None
    return parse_bank(data, path.name)


@dataclass(frozen=True)
class BankMerge:
    """What merging a bank into a set did."""

    added: int
    duplicates: int
    #: Comments left out: their criterion is not in the set's scheme.
    other_criteria: int
    #: Comments added without their shortcut (the set already uses it).
    shortcuts_dropped: int
    changes: Changes

    def line(self) -> str:
        parts = [f"{self.added} added", f"{self.duplicates} already there"]
        if self.other_criteria:
            parts.append(f"{self.other_criteria} for criteria this scheme does not have "
                         "(left out)")
        if self.shortcuts_dropped:
            parts.append(f"{self.shortcuts_dropped} shortcuts already in use (left off)")
        return ", ".join(parts)


def merge_bank(marking_set, comments: list[dict[str, Any]]) -> BankMerge:
    """Add ``comments`` (checked, e.g. by :func:`read_bank_file`) to the set's bank, in one
    transaction, without duplicates."""
    existing = bank_comments(marking_set)
    seen = {_key(c) for c in existing}
    shortcuts = {c["shortcut"].casefold() for c in existing if c.get("shortcut")}
    rows, duplicates, other, dropped = [], 0, 0, 0
    for comment in comments:
        criterion = comment.get("criterion")
        if criterion is not None:
            found = marking_set.scheme.criterion(criterion)
            if found is None:
                other += 1
                continue
            comment = {**comment, "criterion": found.name}
        key = _key(comment)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        shortcut = comment.get("shortcut")
        if shortcut and shortcut.casefold() in shortcuts:
            comment = {**comment, "shortcut": None}
            dropped += 1
        elif shortcut:
            shortcuts.add(shortcut.casefold())
        rows.append(comment)
    changes = marking_set.add_bank_comments(rows) if rows else Changes()
    return BankMerge(len(rows), duplicates, other, dropped, changes)


def default_bank_path() -> Path:
    from rubric.store.locations import data_dir

    return data_dir() / DEFAULT_BANK_NAME


def set_default_bank(comments: list[dict[str, Any]]) -> Path:
    """Make ``comments`` the bank every new set starts with; returns where it is kept."""
    from rubric.safe_write import write_text_atomically

    path = default_bank_path()
    data = {"schema_version": BANK_FORMAT, "comments": comments}
    write_text_atomically(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path


def starting_bank() -> list[dict[str, Any]]:
    """The comments a new set starts with: the department's default bank when one was
    imported (``bank import --default``) and can be read, else the bundled bank."""
    from rubric.store.library import bundled_bank

    path = default_bank_path()
    if path.is_file():
        try:
            return read_bank_file(path)
        except SetError:
            pass
    return bundled_bank()


__all__ = ["BankMerge", "bank_comments", "default_bank_path", "export_bank", "merge_bank",
           "normalised", "parse_bank", "read_bank_file", "set_default_bank", "starting_bank"]
