"""Tools › Compare scripts (comparative judgement) and Tools › Similar scripts, driven as a
teacher drives them: arrow keys choose, S skips, Ctrl+Z takes a judgement back; the pairs
list and the side-by-side view with the shared passages highlighted in both."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from gui.dialogs.judging import CJResultsDialog, JudgingWindow
from gui.dialogs.similarity import SimilarityDialog
from gui.main_window import MainWindow
from gui.settings import CJ_SHOW_CANDIDATES, Settings
from rubric.importing.model import Paragraph, ScriptDraft
from rubric.store import MarkingSet, sets_dir
from rubric.templates import template
from tests.core.essay_text import QUESTION, essay

PLANTED = (
    "Witte's programme of state-led industrialisation transformed the Russian economy in the "
    "1890s, but it also concentrated a new and resentful working class in a handful of "
    "overcrowded cities, so grievances moved quickly between the town and the countryside."
)
TAUGHT = ("the regime survived through a combination of timely concessions, ruthless repression "
          "and the divisions within the opposition")


def open_judging(window, qtbot) -> JudgingWindow:
    window.act_compare.trigger()
    dialog = window.findChild(JudgingWindow)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key, modifiers)
    QApplication.processEvents()


def test_the_tools_menu_has_both_tools(window):
    texts = [a.text() for a in window.tools_menu.actions()]
    assert texts == ["&Compare scripts (comparative judgement)…", "&Similar scripts…",
                     "&Moderation…", "Compare side &by side…"]
    assert window.act_compare.isEnabled() and window.act_similar.isEnabled()


def test_left_and_right_keys_record_a_judgement_and_move_the_progress(window, qtbot):
    ms = window.marking_set
    dialog = open_judging(window, qtbot)
    assert dialog.question_label.text() == "Which is the better answer?"
    made = len(ms.judgements())
    target = ms.judging_progress().target
    assert dialog.progress_label.text().startswith(f"{made} of {target} judgements "
                                                   "(10 per script)")
    left, right = dialog.pair
    assert dialog.left_text.toPlainText().startswith(ms.script(left).paragraphs[0].text[:40])

    press(dialog, Qt.Key.Key_Left)
    judgements = ms.judgements()
    assert len(judgements) == made + 1
    newest = judgements[-1]
    assert (newest.winner_id, newest.loser_id) == (left, right)
    assert newest.judge_id == ms.current_marker.id
    assert newest.seconds is not None and newest.seconds >= 0
    assert dialog.progress_label.text().startswith(f"{made + 1} of {target} judgements")

    left, right = dialog.pair
    press(dialog, Qt.Key.Key_Right)
    newest = ms.judgements()[-1]
    assert (newest.winner_id, newest.loser_id) == (right, left)
    assert dialog.progress_label.text().startswith(f"{made + 2} of {target} judgements")

    # the buttons do the same
    left, right = dialog.pair
    qtbot.mouseClick(dialog.left_button, Qt.MouseButton.LeftButton)
    assert (ms.judgements()[-1].winner_id, ms.judgements()[-1].loser_id) == (left, right)
    assert len(ms.judgements()) == made + 3


def test_skip_records_nothing_and_shows_another_pair(window, qtbot):
    ms = window.marking_set
    dialog = open_judging(window, qtbot)
    made = len(ms.judgements())
    first = dialog.pair
    press(dialog, Qt.Key.Key_S)
    assert len(ms.judgements()) == made
    assert set(dialog.pair) != set(first)
    second = dialog.pair
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert len(ms.judgements()) == made
    assert set(dialog.pair) not in (set(first), set(second))
    assert dialog.progress_label.text().startswith(f"{made} of ")


def test_ctrl_z_takes_the_judgement_back_and_shows_its_pair_again(window, qtbot):
    ms = window.marking_set
    dialog = open_judging(window, qtbot)
    made = len(ms.judgements())
    pair = dialog.pair
    press(dialog, Qt.Key.Key_Right)
    assert len(ms.judgements()) == made + 1
    press(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(ms.judgements()) == made
    assert dialog.pair == pair
    # redo (from the main window's Edit menu) records it again, with its identity
    window.act_redo.trigger()
    assert len(ms.judgements()) == made + 1
    assert (ms.judgements()[-1].winner_id, ms.judgements()[-1].loser_id) == (pair[1], pair[0])


def test_the_window_shows_no_marks_and_no_other_markers(window, qtbot):
    ms = window.marking_set
    dialog = open_judging(window, qtbot)
    assert dialog.left_title.text() == "Left: Script A"
    assert dialog.right_title.text() == "Right: Script B"
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    shown += dialog.left_text.toPlainText() + dialog.right_text.toPlainText()
    others = [m.name for m in ms.markers() if m.id != ms.current_marker.id]
    for name in [*others, ms.current_marker.name]:
        assert name not in shown
    assert "AO1" not in shown and "Level" not in shown
    # the judge may choose to see the candidates' names (remembered)
    dialog.show_names.setChecked(True)
    left, right = dialog.pair
    assert dialog.left_title.text() == f"Left: {ms.summary(left).candidate}"
    assert window.settings.get(CJ_SHOW_CANDIDATES) is True


def test_results_show_the_scale_beside_the_rubric(window, qtbot, qtmodeltester):
    dialog = open_judging(window, qtbot)
    for _ in range(12):
        press(dialog, Qt.Key.Key_Left)
    qtbot.mouseClick(dialog.results_button, Qt.MouseButton.LeftButton)
    results = dialog.results_dialog
    assert isinstance(results, CJResultsDialog)
    qtbot.waitUntil(lambda: results.report is not None, timeout=10_000)
    judged = [r for r in results.report.rows if r.figures["rank"]]
    assert results.model.rowCount() == len(judged) > 0
    qtmodeltester.check(results.model)
    assert "SSR" in results.figures.text() and "Split-half" in results.figures.text()
    assert results.model.index(0, 0).data() == "1"
    results.close()


def test_the_window_goes_with_its_set_and_leaves_nothing_behind(window, qtbot, demo_path):
    dialog = open_judging(window, qtbot)
    assert window.open_tool("judging") is dialog   # raised, not opened twice
    dialog.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChild(JudgingWindow) is None
    # the session's signals no longer reach the deleted window
    assert window.session.set_mark(window.current_script.id, "AO1", 11)
    window.close_set()
    assert window.open_set(demo_path)
    dialog = open_judging(window, qtbot)
    window.close_set()   # closing the set closes the window
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChild(JudgingWindow) is None


# --------------------------------------------------------------------------- similarity


def _draft(name: str, number: str, paragraphs: list[str]) -> ScriptDraft:
    words = sum(len(p.split()) for p in paragraphs)
    return ScriptDraft(path=Path(f"{number}.docx"), format="docx",
                       paragraphs=[Paragraph(p) for p in paragraphs], title=QUESTION,
                       candidate_name=name, candidate_number=number, word_count=words,
                       coursework_word_count=words, source_bytes=number.encode())


@pytest.fixture
def similar_window(qtbot):
    """A window on six essays: 2 and 5 share PLANTED; all but 4 use TAUGHT (common)."""
    path = sets_dir() / "similar.markset"
    with MarkingSet.create(path, "Similar", template("aqa-history-essay-25")) as ms:
        for k in range(6):
            paragraphs = essay(300 + k, words=500)
            if k in (2, 5):
                paragraphs.insert(1 if k == 2 else 3, PLANTED)
            if k != 4:
                paragraphs[0] = f"Overall {TAUGHT}. " + paragraphs[0]
            ms.add_script(_draft(f"Pupil {k}", str(7000 + k), paragraphs))
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_set(path)
    yield win
    win.close()


def test_the_similarity_view_highlights_the_shared_passage_in_both(similar_window, qtbot,
                                                                    qtmodeltester):
    similar_window.act_similar.trigger()
    dialog = similar_window.findChild(SimilarityDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() >= 1
    assert dialog.model.index(0, 0).data() == "Pupil 2 (7002)"
    assert dialog.model.index(0, 1).data() == "Pupil 5 (7005)"
    assert int(dialog.model.index(0, 2).data()) >= 30
    pair = dialog.shown_pair
    assert pair is not None and (pair.a, pair.b) == (3, 6)
    for side in ("left", "right"):
        marked = dialog.highlighted(side)
        shared = [text for text, common in marked if not common]
        assert any("state-led industrialisation" in text for text in shared), marked
        assert any(TAUGHT[:40] in text for text, common in marked if common), marked
    assert "1 shared passage highlighted in both" in dialog.passages_label.text()
    assert "common passage" in dialog.passages_label.text()
    assert "not proof of copying" in dialog.findChild(QLabel, "similarity_caveat").text()


def test_checking_again_with_other_options(similar_window, qtbot):
    dialog = similar_window.open_tool("similarity")
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.task is None, timeout=20_000)
    dialog.min_words.setValue(500)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task is None and dialog.report.options.min_shared_words == 500,
                    timeout=20_000)
    assert dialog.model.rowCount() == 0
    assert dialog.left_text.toPlainText() == ""
    assert dialog.status.text().startswith("0 pairs of scripts share 500 words or more")
    # opening it again raises the same dialog
    assert similar_window.open_tool("similarity") is dialog
