"""What a paragraph style's name says it is, the same for every format that names its
styles (Word's "Heading 2", LibreOffice's "Quotations", an RTF stylesheet's "heading 1").
Imports only the standard library: the RTF child reads its stylesheet with it."""

from __future__ import annotations

import re

HEADING_NAME = re.compile(r"^heading( \d{1,2})?$", re.I)
TITLE_NAME = re.compile(r"^(title|subtitle)$", re.I)
QUOTE_NAME = re.compile(r"quot(?:e|ation)|block text|extract", re.I)


def hint_of_style_name(name: str) -> str | None:
    """"title", "heading" or "quote" for a style so named, else None."""
    name = name.strip()
    if TITLE_NAME.match(name):
        return "title"
    if HEADING_NAME.match(name):
        return "heading"
    if QUOTE_NAME.search(name):
        return "quote"
    return None
