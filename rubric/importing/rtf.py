"""Rich Text Format: striprtf, run in the limited child process (its regular
expressions can take minutes on crafted input). Footnotes are dropped by striprtf;
headings come from the text heuristics of the analysis."""

from __future__ import annotations

from pathlib import Path

from rubric.importing.base import REWRAP_AUTO, Extracted
from rubric.importing.model import ImportOptions
from rubric.importing.paragraphs import Block, split_lines
from rubric.importing.sandbox import run_child


def read_rtf(path: Path, data: bytes, options: ImportOptions) -> Extracted:
    result = run_child(path, data, "rtf", options, "RTF file")
    text = str(result.get("text", ""))
    # striprtf turns each \\uN of a surrogate pair into its own character: join the pairs
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return Extracted("rtf", [Block(line) for line in split_lines(text)], rewrap=REWRAP_AUTO)
