"""The annotation list places and paints its entries itself (gui.panels.lists
AnnotationListView): to the marker it must behave as any list does. Entries are
stacked in order without overlap and wrap to the list's width; the keys move the
selection and keep it in sight; a click selects the entry under it; an edited comment
that takes more lines makes its entry taller; what is painted is each entry's text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from gui.panels.lists import AnnotationPanel
from rubric.store import Annotation


def _annotation(n: int, comment: str | None = None) -> Annotation:
    return Annotation(id=n + 1, script_id=1, marker_id=1, start=n * 50, end=n * 50 + 20,
                      quote=f"the army stayed loyal in passage {n}",
                      comment=comment or f"note {n}" + " — a longer comment that wraps" * (n % 3),
                      criterion="AO1")


@pytest.fixture
def panel(qtbot) -> AnnotationPanel:
    panel = AnnotationPanel()
    qtbot.addWidget(panel)
    panel.resize(220, 420)
    panel.show()
    qtbot.waitExposed(panel)
    panel.model.set_annotations([_annotation(n) for n in range(20)])
    panel.lay_out_now()
    QApplication.processEvents()
    return panel


def _rects(panel):
    view, model = panel.view, panel.model
    return [view.visualRect(model.index(row)) for row in range(model.rowCount())]


def test_entries_are_stacked_in_order_and_fill_the_width(panel):
    rects = _rects(panel)
    assert len(rects) == 20 and all(r.isValid() for r in rects)
    for above, below in zip(rects, rects[1:], strict=False):
        assert below.top() > above.bottom()   # no overlap, in order
    width = panel.view.viewport().width()
    assert all(r.left() >= 0 and r.right() < width for r in rects)
    assert rects[0].width() >= width - 2 * panel.view.spacing() - 1
    # a comment of three lines' worth makes a taller entry than a one-line one
    assert rects[2].height() > rects[0].height()


def test_a_narrower_list_wraps_its_entries_onto_more_lines(panel):
    before = _rects(panel)[2].height()
    panel.resize(150, 420)
    QApplication.processEvents()
    assert _rects(panel)[2].height() > before


def test_clicking_an_entry_selects_it(panel, qtbot):
    view, model = panel.view, panel.model
    rect = view.visualRect(model.index(3))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.currentIndex().row() == 3
    assert panel.selected_id() == model.annotations()[3].id
    assert view.indexAt(QPoint(rect.center().x(), rect.bottom() + 2 * view.spacing())).row() \
        in (-1, 4)   # the gap between entries, or the next one: never this one


def test_the_keys_move_the_selection_and_keep_it_in_sight(panel, qtbot):
    view, model = panel.view, panel.model
    view.setFocus()
    view.setCurrentIndex(model.index(0))
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().row() == model.rowCount() - 1
    last = view.visualRect(view.currentIndex())
    assert view.verticalScrollBar().value() > 0
    assert 0 <= last.top() and last.bottom() <= view.viewport().height()
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert 0 < view.currentIndex().row() < model.rowCount() - 1
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.currentIndex().row() == 0
    assert view.verticalScrollBar().value() == 0
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.currentIndex().row() == 0


def test_an_edited_comment_that_takes_more_lines_makes_its_entry_taller(panel):
    rects = _rects(panel)
    annotations = panel.model.annotations()
    longer = [*annotations]
    longer[0] = _annotation(0, "note 0" + " — now a much longer comment" * 6)
    panel.model.set_annotations(longer)   # one row edited: the view hears dataChanged
    QApplication.processEvents()
    after = _rects(panel)
    assert after[0].height() > rects[0].height()
    assert after[1].top() > after[0].bottom()
    assert after[1].top() - rects[1].top() == after[0].height() - rects[0].height()


def test_what_is_painted_is_the_entries_and_the_selection(panel):
    """Painted by the list itself: each entry in sight shows (dark text on the light list)
    and the selected entry is drawn in the selection colour."""
    view, model = panel.view, panel.model
    view.setCurrentIndex(model.index(1))
    QApplication.processEvents()
    image: QImage = view.viewport().grab().toImage()
    highlight = view.palette().color(view.palette().ColorRole.Highlight)
    rect = view.visualRect(model.index(1))
    selected_pixels = sum(1 for x in range(rect.left() + 2, rect.right() - 2, 3)
                          for y in range(rect.top() + 2, rect.bottom() - 2, 3)
                          if image.pixelColor(x, y).rgb() == highlight.rgb())
    assert selected_pixels > 20
    for row in (0, 2):
        r = view.visualRect(model.index(row))
        dark = sum(1 for x in range(r.left(), r.right()) for y in range(r.top(), r.bottom())
                   if image.pixelColor(x, y).lightness() < 100)
        assert dark > 30   # its text is drawn
    below = _rects(panel)[-1].bottom() + 10
    assert below > view.viewport().height()   # the rest are out of sight, not drawn over


def test_no_entries_paints_an_empty_list(panel):
    panel.model.set_annotations([])
    panel.lay_out_now()
    QApplication.processEvents()
    assert panel.view.laid_out_rows() == 0
    assert not panel.view.verticalScrollBar().isVisible()
    assert not panel.view.visualRect(panel.model.index(0)).isValid()


def test_a_new_font_measures_and_draws_the_entries_again(panel):
    view = panel.view
    before = _rects(panel)
    image = view.viewport().grab().toImage()
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    view.setFont(font)
    panel.lay_out_now()
    QApplication.processEvents()
    after = _rects(panel)
    assert after[0].height() > before[0].height()
    assert view.viewport().grab().toImage() != image
