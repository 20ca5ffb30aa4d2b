from __future__ import annotations

from pathlib import Path

import pytest

from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet
from rubric.templates import template


def make_draft(name: str = "Jane Smith", number: str = "1234", words: int = 300,
               seed: str = "Stolypin") -> ScriptDraft:
    body = [
        f"{seed} argued that land reform would create a loyal peasantry. " * (words // 40 or 1),
        "However, the regime’s repression — not reform — kept it in power until 1914. "
        * (words // 40 or 1),
    ]
    paragraphs = [Paragraph(text.strip()) for text in body]
    return ScriptDraft(
        path=Path(f"{number}_{name.replace(' ', '_')}.docx"),
        format="docx",
        paragraphs=paragraphs,
        title="‘Stolypin’s reforms saved Tsarism.’ Assess the validity of this view.",
        candidate_name=name,
        candidate_number=number,
        word_count=sum(len(p.text.split()) for p in paragraphs),
        coursework_word_count=sum(len(p.text.split()) for p in paragraphs),
        source_bytes=f"{name}{number}{seed}".encode(),
    )


@pytest.fixture(name="make_draft")
def make_draft_fixture():
    """A factory of ScriptDrafts (no file needed) for store tests."""
    return make_draft


@pytest.fixture
def essay_scheme():
    return template("aqa-history-essay-25")


@pytest.fixture
def nea_scheme():
    return template("aqa-history-nea-40")


@pytest.fixture
def marking_set(tmp_path, essay_scheme):
    ms = MarkingSet.create(tmp_path / "13B.markset", "13B Russia", essay_scheme)
    yield ms
    ms.close()
