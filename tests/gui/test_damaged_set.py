"""Whatever is in a live set's database, the views show it without raising or crashing.

The damage is done with sqlite3 directly after the set is open (a set file from elsewhere
is checked before it is opened, but a live set can still be damaged later)."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from gui.models import (
    SCRIPT_ID_ROLE,
    SORT_ROLE,
    AnnotationListModel,
    BankListModel,
    ScriptFilterModel,
    ScriptListModel,
)
from rubric.store import Changes

ROLES = [*range(0, 15), SORT_ROLE, SCRIPT_ID_ROLE, Qt.ItemDataRole.UserRole + 3,
         Qt.ItemDataRole.UserRole + 4, AnnotationListModel.ANNOTATION_ROLE,
         BankListModel.COMMENT_ROLE]


def every_value(model) -> int:
    """Ask the model for every role of every cell and header; count the answers."""
    answers = 0
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
    for row in range(model.rowCount()):
        for column in range(columns):
            index = model.index(row, column)
            for role in ROLES:
                model.data(index, role)
                answers += 1
            model.flags(index)
    for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
        for section in range(-1, max(columns, model.rowCount()) + 2):
            for role in ROLES:
                model.headerData(section, orientation, role)
    model.data(QModelIndex(), Qt.ItemDataRole.DisplayRole)
    return answers


@pytest.fixture
def damaged(window):
    """The demo set, damaged behind the app's back: wrong types, bad JSON, blobs."""
    ms = window.marking_set
    ids = ms.script_ids()
    marked = [m.script_id for m in ms.marks()]
    db = sqlite3.connect(ms.path)
    try:
        db.execute("UPDATE marks SET mark='eighteen' WHERE script_id=?", (marked[0],))
        db.execute("UPDATE marks SET mark=18.5, level=5 WHERE script_id=?", (marked[1],))
        db.execute("UPDATE marks SET mark=x'00ff', level=x'ff' WHERE script_id=?", (marked[2],))
        db.execute("UPDATE scripts SET word_count='lots' WHERE id=?", (ids[0],))
        db.execute("UPDATE scripts SET coursework_word_count='x', page_count='many' WHERE id=?",
                   (ids[0],))
        db.execute("UPDATE scripts SET paragraphs='{not json' WHERE id=?", (ids[1],))
        db.execute("UPDATE scripts SET paragraphs='[[1, 2, 3]]' WHERE id=?", (ids[2],))
        db.execute("UPDATE scripts SET candidate_name=x'ff00', candidate_number=x'01' "
                   "WHERE id=?", (ids[3],))
        db.execute("UPDATE scripts SET word_count=4.5, paragraphs='[[1, 2]]' WHERE id=?",
                   (ids[4],))
        db.execute("UPDATE annotations SET comment=x'ff', quote=5, criterion=7 "
                   "WHERE id=(SELECT MIN(id) FROM annotations)")
        db.execute("UPDATE bank SET uses='lots', text=x'ff', shortcut=3 "
                   "WHERE id=(SELECT MIN(id) FROM bank)")
        db.commit()
    finally:
        db.close()
    window.session.announce(Changes(script_list=True))   # the views read the set again
    window.rubric_panel.set_bank(ms.bank())
    return ids


def test_the_models_never_raise_on_a_damaged_set(window, damaged, qtbot, qtmodeltester):
    ms = window.marking_set
    model = window.script_model
    assert model.rowCount() == len(damaged)
    assert every_value(model) > 0
    assert every_value(window.filter_model) > 0
    # the damaged values are shown as '?', not as a crash or as a made-up number
    words = model.data(model.index(model.row_of(damaged[0]), 2))
    assert words == "?"
    marks = [model.data(model.index(row, 3)) for row in range(model.rowCount())]
    assert any(m and m.endswith("?") for m in marks)
    qtmodeltester.check(ScriptListModel(ms))
    proxy = ScriptFilterModel()
    proxy.setSourceModel(ScriptListModel(ms))
    for name in ScriptFilterModel.FILTERS:
        proxy.set_status_filter(name)
        qtmodeltester.check(proxy)
        every_value(proxy)
    proxy.set_search("a")
    qtmodeltester.check(proxy)
    annotations = AnnotationListModel()
    annotations.set_annotations(ms.annotations())
    qtmodeltester.check(annotations)
    assert every_value(annotations) > 0
    bank = BankListModel()
    bank.set_comments(ms.bank())
    bank.set_search("x")
    bank.set_search("")
    qtmodeltester.check(bank)
    assert every_value(bank) > 0
    # sorting by every column compares the damaged values too
    table = window.list_panel.table
    for column in range(model.columnCount()):
        table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    qtbot.wait(50)   # let the table paint the damaged rows
    assert window.list_panel.table.isVisible()
    assert window.filter_model.rowCount() == len(damaged)


def test_the_window_shows_every_script_of_a_damaged_set(window, damaged, qtbot):
    for script_id in damaged:
        window.select_script(script_id)
        qtbot.wait(5)
        assert window.current_script.id == script_id
    window.select_script(damaged[1])   # its text is bad JSON: a message, not a crash
    assert window.script_stack.currentWidget() is window.script_message
    assert "damaged" in window.script_message.text()
    window.select_script(damaged[4])   # paragraphs that are numbers: the same message
    assert window.script_stack.currentWidget() is window.script_message
    window.select_script(damaged[0])   # 'lots' words: shown, the count as '?'
    assert window.script_stack.currentWidget() is window.script_view
    assert "? words" in window.script_view.toPlainText()
    window.step_script(1)
    window.step_script(-1)
    assert window.list_panel.table.isVisible()


def test_an_unexpected_error_in_a_model_is_logged_once_without_student_text(
        window, monkeypatch, caplog):
    from gui import errors
    from rubric import marking

    monkeypatch.setattr(errors, "_logged_model_errors", set())
    name = window.marking_set.scripts()[0].candidate_name
    assert name

    def broken_total(*_args, **_kwargs):
        raise RuntimeError(f"cannot add up the marks of {name}")

    monkeypatch.setattr(marking, "total", broken_total)
    model = window.script_model
    total_column = model.columnCount() - 3
    caplog.set_level(logging.WARNING, logger="essay_marker")
    caplog.clear()
    for row in range(model.rowCount()):
        assert model.data(model.index(row, total_column)) is None
        assert model.data(model.index(row, 1)) is not None   # the rest still shows
    records = [r for r in caplog.records if "ScriptListModel.data" in r.getMessage()]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "RuntimeError" in message and f"column {total_column}" in message
    assert name not in caplog.text
