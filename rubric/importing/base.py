"""What every format parser hands to the analysis: blocks of text plus what it knows."""

from __future__ import annotations

from dataclasses import dataclass, field

from rubric.importing.model import ScriptWarning
from rubric.importing.paragraphs import Block

#: When to rebuild paragraphs from wrapped lines.
REWRAP_ALWAYS = "always"  # PDF text: every line is a visual line
REWRAP_AUTO = "auto"  # only when the blocks look hard-wrapped


@dataclass
class Extracted:
    format: str
    blocks: list[Block]
    footnotes: list[str] = field(default_factory=list)
    rewrap: str = REWRAP_AUTO
    has_text: bool = True
    page_count: int | None = None
    warnings: list[ScriptWarning] = field(default_factory=list)
