"""What every format parser hands to the analysis: blocks of text plus what it knows."""

from __future__ import annotations

from rubric.importing.model import ScriptWarning
from rubric.importing.paragraphs import Block
from rubric.record import factory, record

#: When to rebuild paragraphs from wrapped lines.
REWRAP_ALWAYS = "always"  # PDF text: every line is a visual line
REWRAP_AUTO = "auto"  # only when the blocks look hard-wrapped


@record(frozen=False)
class Extracted:
    format: str
    blocks: list[Block]
    footnotes: list[str] = factory(list)
    rewrap: str = REWRAP_AUTO
    has_text: bool = True
    page_count: int | None = None
    warnings: list[ScriptWarning] = factory(list)
    #: The page header's lines (a Word header part, a PDF's repeated top lines): not the
    #: script, but where a student often puts their name and candidate number.
    running_header: list[str] = factory(list)
