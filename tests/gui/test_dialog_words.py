"""Menus and dialogs say "rubric" (the core and its CLI say "scheme"), and the new-set
dialog says each rubric's marks once."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel

from gui.dialogs.common import NewSetDialog, scheme_label
from rubric.templates import bundled_templates, template


def _menu_texts(menu) -> list[str]:
    texts = []
    for action in menu.actions():
        texts.append(action.text())
        if action.menu() is not None:
            texts += _menu_texts(action.menu())
    return texts


def test_the_new_set_dialog_says_the_marks_once(qtbot):
    dialog = NewSetDialog()
    qtbot.addWidget(dialog)
    combo = dialog.scheme_combo
    items = [combo.itemText(i) for i in range(combo.count())]
    assert len(items) == len(bundled_templates())
    for text in items:
        assert len(re.findall(r"\d+ marks", text)) == 1, text
    assert "AQA-style essay: Assess the validity of this view — 25 marks" in items
    assert "AQA-style NEA historical investigation — 40 marks (AO1 20, AO2 10, AO3 10)" in items
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "&Rubric:" in labels and not any("scheme" in t.lower() for t in labels)


def test_a_title_that_gives_other_marks_keeps_them():
    from rubric.record import replace

    scheme = replace(template("aqa-history-essay-25"), title="Mock (30 marks)")
    assert scheme_label(scheme) == "Mock (30 marks) — 25 marks"


def test_menus_say_rubric_never_scheme(window):
    texts = _menu_texts(window.menuBar())
    assert "Edit &rubric…" in texts
    assert not [t for t in texts if "scheme" in t.lower()]


def test_a_mark_for_a_criterion_gone_from_the_rubric_says_rubric(window):
    failures = []
    window.session.failed.connect(failures.append)
    script_id = window.current_script.id
    assert not window.session.set_mark(script_id, "AO9", 3)
    assert failures == ["AO9 is no longer in the rubric"]
