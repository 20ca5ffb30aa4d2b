import statistics
import time

from .bench_gui import _open_window, finish_layouts, realistic_set, settle


def run(window, ids, n0=64):
    from PySide6.QtWidgets import QApplication
    view = window.script_view
    out = []
    for n in range(n0):
        sid = ids[(n * 3) % len(ids)]
        finish_layouts(view); settle()
        start = time.perf_counter()
        window.select_script(sid)
        QApplication.processEvents(); QApplication.processEvents()
        out.append((time.perf_counter() - start) * 1000)
    return statistics.median(out[4:])
def test_parts(qtbot):
    from PySide6.QtWidgets import QApplication
    path = realistic_set(10, words=4500, annotations=30)
    window = _open_window(qtbot, path)
    QApplication.processEvents()
    ids = window.script_model.script_ids()
    rp, ap = window.rubric_panel, window.annotation_panel
    orig = {"rubric": rp.show_script, "comments": rp.show_comments, "marks": rp.show_marks, "ann": ap.model.set_annotations, "lay": window._lay_out_now, "enabled": window._update_enabled, "pos": window._update_position}
    def restore():
        rp.show_script = orig["rubric"]; rp.show_comments = orig["comments"]; rp.show_marks = orig["marks"]; ap.model.set_annotations = orig["ann"]; window._lay_out_now = orig["lay"]; window._update_enabled = orig["enabled"]; window._update_position = orig["pos"]
    res = {}
    for rep in range(3):
        for what in ["all", "no rubric", "no comments", "no marks", "no annotations", "no rubric+ann", "no enabled/pos"]:
            restore()
            if "rubric" in what: rp.show_script = lambda *a: None
            if what == "no comments": rp.show_comments = lambda *a: None
            if what == "no marks": rp.show_marks = lambda *a: None
            if "ann" in what: ap.model.set_annotations = lambda *a: None; window._lay_out_now = lambda: None
            if what == "no enabled/pos": window._update_enabled = lambda: None; window._update_position = lambda: None
            res.setdefault(what, []).append(run(window, ids, 24))
    restore()
    for k, v in res.items(): print(f"{k:18s} {statistics.median(v):.2f}  {[round(x,2) for x in v]}")
