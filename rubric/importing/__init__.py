"""Reading student scripts (.docx, .pdf, .txt, .odt, .rtf) into :class:`ScriptDraft`.

Public API::

    SUPPORTED_SUFFIXES
    inspect_file(path, options=ImportOptions()) -> ScriptDraft
    iter_candidate_files(paths) -> Iterator[Path]
    import_batch(paths, options=ImportOptions(), parallel=False) -> Iterator[ImportResult]
    count_words(text) -> int
    rebuild_paragraphs(lines) -> list[str]
    candidate_from_filename(name, pattern) -> (name, number)
    word_limit_warning(coursework_word_count, word_limit) -> ScriptWarning | None

Every file is untrusted: zip entries are checked before inflating, XML with a DOCTYPE is
refused and entities are never resolved, PDFs and RTF are parsed in a child process with
time and memory limits, and every failure is an :class:`~rubric.errors.ImportFailure`
whose message is one line starting with the file name.

Modules: ``reader`` (dispatch), ``safety`` (limits, sniffing, zip and XML guards),
``docx``/``odt``/``txt``/``pdf``/``rtf`` (formats), ``sandbox`` + ``_pdf_child`` (the
limited child process), ``paragraphs`` (cleaning, rewrapping), ``analysis`` (title,
candidate, kinds, counts, warnings), ``names`` (file-name patterns), ``words``, ``batch``,
``parallel`` (a batch read by worker processes while the caller stores).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The names are loaded on first use, so that the PDF child process (which runs as
# ``python -m rubric.importing._pdf_child`` and therefore imports this package first)
# starts without loading the importer itself.
_EXPORTS = {
    "word_limit_warning": "rubric.importing.analysis",
    "ImportResult": "rubric.importing.batch",
    "import_batch": "rubric.importing.batch",
    "iter_candidate_files": "rubric.importing.batch",
    "PARAGRAPH_KINDS": "rubric.importing.model",
    "ImportOptions": "rubric.importing.model",
    "Paragraph": "rubric.importing.model",
    "ScriptDraft": "rubric.importing.model",
    "ScriptWarning": "rubric.importing.model",
    "candidate_from_filename": "rubric.importing.names",
    "pattern_problems": "rubric.importing.names",
    "rebuild_paragraphs": "rubric.importing.paragraphs",
    "SUPPORTED_SUFFIXES": "rubric.importing.reader",
    "inspect_file": "rubric.importing.reader",
    "count_words": "rubric.importing.words",
}

if TYPE_CHECKING:
    from rubric.importing.analysis import word_limit_warning
    from rubric.importing.batch import ImportResult, import_batch, iter_candidate_files
    from rubric.importing.model import (
        PARAGRAPH_KINDS,
        ImportOptions,
        Paragraph,
        ScriptDraft,
        ScriptWarning,
    )
    from rubric.importing.names import candidate_from_filename, pattern_problems
    from rubric.importing.paragraphs import rebuild_paragraphs
    from rubric.importing.reader import SUPPORTED_SUFFIXES, inspect_file
    from rubric.importing.words import count_words


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rubric.importing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_EXPORTS))


__all__ = [
    "PARAGRAPH_KINDS",
    "SUPPORTED_SUFFIXES",
    "ImportOptions",
    "ImportResult",
    "Paragraph",
    "ScriptDraft",
    "ScriptWarning",
    "candidate_from_filename",
    "count_words",
    "import_batch",
    "inspect_file",
    "iter_candidate_files",
    "pattern_problems",
    "rebuild_paragraphs",
    "word_limit_warning",
]
