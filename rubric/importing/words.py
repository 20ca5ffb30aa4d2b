"""What counts as a word.

A word is a run of letters and digits (any script, with combining accents), possibly
joined by an apostrophe (' or ’) or a hyphen (-, ‐ or the non-breaking ‑): so
"nineteenth-century", "Stalin’s" and "1930s" are one word each, "1917–1924" (an en dash)
is two, and punctuation, dashes and symbols on their own are none.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W_][\w\u0300-\u036f]*(?:['’\-\u2010\u2011][\w\u0300-\u036f]+)*")


def count_words(text: str) -> int:
    """The number of words in ``text`` (see the module docstring)."""
    return len(WORD.findall(text))
