"""Looks and start-up: the application icon at every size, icons on the main actions in light
and dark palettes, the start page's set list and first-run welcome, no light panel in a dark
palette, and what the first frame leaves for later."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolBar

from gui.app import make_application
from gui.icons import ACTION_ICONS, APP_ICON_SIZES, action_icon
from gui.main_window import MainWindow
from gui.panels.start_page import when_marked
from gui.settings import Settings
from rubric import RESOURCES
from rubric.demo import about as about_the_demo
from rubric.store import MarkingSet

ICONS = resources.files(RESOURCES).joinpath("icons")


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1f1f1f"),
                         (QPalette.ColorRole.AlternateBase, "#262626"),
                         (QPalette.ColorRole.Text, "#e6e6e6"),
                         (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e6e6e6"),
                         (QPalette.ColorRole.Highlight, "#3d7bd9"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.PlaceholderText, "#8a8a8a"),
                         (QPalette.ColorRole.Mid, "#444444"),
                         (QPalette.ColorRole.Light, "#505050"),
                         (QPalette.ColorRole.Dark, "#1a1a1a")):
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.Text):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777777"))
    return palette


@pytest.fixture
def dark(qapp):
    """The app in a dark palette for one test, then back as it was."""
    before = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    yield
    qapp.setPalette(before)


def ink(icon: QIcon, size: int = 24, mode=QIcon.Mode.Normal) -> int:
    """The median lightness of an icon's drawn (opaque) pixels; -1 when nothing is drawn."""
    image = icon.pixmap(QSize(size, size), mode).toImage()
    values = [image.pixelColor(x, y).lightness() for x in range(image.width())
              for y in range(image.height()) if image.pixelColor(x, y).alpha() > 200]
    return int(statistics.median(values)) if values else -1


def median_lightness(widget) -> int:
    """A widget's median pixel lightness: its background, whatever text it holds."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    step = max(1, min(image.width(), image.height()) // 40)
    values = [image.pixelColor(x, y).lightness() for x in range(0, image.width(), step)
              for y in range(0, image.height(), step)]
    return int(statistics.median(values))


# -- the application icon ------------------------------------------------------------------

def test_the_window_icon_is_set_and_drawn_at_16_px(qapp):
    app = make_application()
    icon = app.windowIcon()
    assert not icon.isNull()
    assert app.desktopFileName() == "essay-marker"
    small = icon.pixmap(QSize(16, 16))
    assert not small.isNull() and small.size() == QSize(16, 16)
    image = small.toImage()
    opaque = sum(image.pixelColor(x, y).alpha() > 200 for x in range(16) for y in range(16))
    assert opaque > 16 * 16 * 0.7          # a full tile, not a faint scaled-down drawing
    assert {s.width() for s in icon.availableSizes()} >= {16, 24, 32, 48, 256}
    window = MainWindow(Settings())
    assert not window.windowIcon().isNull()
    window.close()


def test_the_icon_files_exist_at_every_size_and_the_ico_holds_several():
    from PIL import Image

    assert ICONS.joinpath("essay-marker.svg").is_file()
    for size in APP_ICON_SIZES:
        png = ICONS.joinpath(f"essay-marker-{size}.png")
        with Image.open(png) as image:
            assert image.size == (size, size) and image.mode == "RGBA"
    with Image.open(ICONS.joinpath("essay-marker.ico")) as ico:
        sizes = ico.info["sizes"]
    assert {(16, 16), (24, 24), (32, 32), (48, 48), (256, 256)} <= set(sizes)
    with Image.open(ICONS.joinpath("essay-marker.icns")) as icns:
        assert icns.format == "ICNS" and max(icns.info["sizes"])[0] >= 256
    for name in ACTION_ICONS.values():
        assert ICONS.joinpath("actions", f"{name}.svg").is_file()


def test_make_icons_renders_the_same_pngs_again(tmp_path):
    """packaging/make_icons.py regenerates the files from the SVGs: run it on a copy."""
    import shutil

    root = Path(__file__).resolve().parents[2]
    copy = tmp_path / "repo"
    (copy / "packaging").mkdir(parents=True)
    shutil.copy(root / "packaging" / "make_icons.py", copy / "packaging")
    shutil.copytree(root / "resources" / "icons", copy / "resources" / "icons")
    for png in (copy / "resources" / "icons").glob("*.png"):
        png.unlink()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, str(copy / "packaging" / "make_icons.py")], check=True,
                   env=env, capture_output=True, timeout=120)
    for size in APP_ICON_SIZES:
        made = QImage(str(copy / "resources" / "icons" / f"essay-marker-{size}.png"))
        shipped = QImage(str(root / "resources" / "icons" / f"essay-marker-{size}.png"))
        assert made.size() == shipped.size() == QSize(size, size)
        assert made.convertToFormat(QImage.Format.Format_ARGB32) == \
            shipped.convertToFormat(QImage.Format.Format_ARGB32)


# -- the actions ---------------------------------------------------------------------------

def test_every_main_action_has_an_icon_and_the_toolbar_shows_it_beside_its_text(window):
    toolbar = window.findChild(QToolBar, "main_toolbar")
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    on_toolbar = {a.objectName() for a in toolbar.actions() if not a.isSeparator()}
    assert on_toolbar == set(ACTION_ICONS)
    for name in ACTION_ICONS:
        action = next(a for a in window.actions() if a.objectName() == name)
        assert not action.icon().isNull(), name
        assert ink(action.icon()) >= 0, f"{name}: nothing drawn"
        assert action.iconText() and "…" not in action.iconText(), name


def test_action_icons_follow_the_palette(qapp, dark):
    light_ink_on_dark = ink(action_icon("import"))
    assert light_ink_on_dark > 160
    disabled = ink(action_icon("import"), mode=QIcon.Mode.Disabled)
    assert 0 <= disabled < light_ink_on_dark
    qapp.setPalette(QPalette(QColor("#efefef")))
    assert 0 <= ink(action_icon("import")) < 100
    # sharp at a device pixel ratio of 2: drawn at 48 pixels, not scaled up from 24
    pixmap = action_icon("next").pixmap(QSize(24, 24), 2.0)
    assert pixmap.devicePixelRatio() == 2.0 and pixmap.width() == 48


# -- the start page ------------------------------------------------------------------------

def test_the_start_page_lists_a_set_with_its_counts(qtbot, demo_path):
    with MarkingSet.open(demo_path) as ms:
        statuses = ms.statuses()
    marked = sum(s in ("marked", "moderated") for s in statuses.values())
    settings = Settings()
    settings.add_recent(str(demo_path))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    page = win.start_page
    assert win.stack.currentWidget() is page
    summary = next(s for s in page.summaries() if s and s.path == demo_path)
    assert (summary.scripts, summary.marked) == (len(statuses), marked)
    assert page.recent.isVisible() and not page.empty_hint.isVisible()
    detail = page.continue_detail.text()
    assert f"{len(statuses)} scripts" in detail and f"{marked} marked" in detail
    assert "last marked today" in detail
    page.recent.setCurrentRow(0)
    page.open_button.click()
    assert win.marking_set is not None and win.marking_set.path == demo_path
    win.close()


def test_first_run_shows_a_welcome_and_the_three_ways_in(qtbot):
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.show()
    page = win.start_page
    assert page.empty_hint.isVisible() and not page.recent.isVisible()
    assert not page.continue_box.isVisible()
    titles = {name: b.text() for name, b in page.way_buttons.items()}
    assert titles == {"new_set_button": "New marking set…",
                      "open_file_button": "Open a set file…",
                      "demo_button": "Open the demo set"}
    assert page.way_buttons["demo_button"].description() == about_the_demo()
    assert "marking" in about_the_demo()
    assert all(not b.icon().isNull() for b in page.way_buttons.values())
    win.close()


def test_when_marked_reads_as_a_person_would_say_it():
    from datetime import datetime, timedelta

    now = datetime(2026, 3, 12, 15, 0).astimezone()
    assert when_marked(None) == "not marked yet"
    assert when_marked(now.replace(hour=9, minute=5), now) == "today, 09:05"
    assert when_marked(now - timedelta(days=1), now).startswith("yesterday, ")
    assert when_marked(now - timedelta(days=3), now) == "Monday"
    assert when_marked(now - timedelta(days=40), now) == "31 Jan 2026"


# -- the dark palette ----------------------------------------------------------------------

def test_the_dark_palette_has_no_light_panel(qtbot, demo_path, dark):
    settings = Settings()
    settings.add_recent(str(demo_path))
    win = MainWindow(settings)
    win.ask_marker_on_first_open = False
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    page = win.start_page
    QApplication.processEvents()
    panels = {"start page": page, "recent sets": page.recent.viewport(),
              **{name: button for name, button in page.way_buttons.items()}}
    win.open_set(demo_path)
    QApplication.processEvents()
    panels.update({"script list": win.list_panel.table.viewport(),
                   "script": win.script_view.viewport(),
                   "annotations": win.annotation_panel.view.viewport(),
                   "rubric panel": win.rubric_panel,
                   "toolbar": win.toolbar})
    light = {name: median_lightness(widget) for name, widget in panels.items()
             if median_lightness(widget) > 110}
    assert not light, f"light panels in a dark palette: {light}"
    win.close()


# -- start-up ------------------------------------------------------------------------------

def test_a_set_opened_at_start_up_lays_out_its_first_script_after_the_first_frame(qtbot,
                                                                                 demo_path):
    win = MainWindow(Settings())
    win.ask_marker_on_first_open = False
    win.defer_first_script = True          # as gui.app sets it
    qtbot.addWidget(win)
    win.open_set(demo_path)
    assert win.current_script is None      # not before the window is painted
    win.show()
    qtbot.waitUntil(lambda: win.current_script is not None, timeout=3000)
    assert win._start_page is None         # never built: a set was opened directly
    win.close()
    assert win._start_page is None         # nor when the window closes


def run_app(*args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", "import sys, gui.app; "
                           "sys.exit(gui.app.run(sys.argv[1:]))", *args],
                          env=env, capture_output=True, text=True, timeout=timeout)


def test_start_up_defers_what_the_first_frame_does_not_need():
    code = ("import sys, gui.app\n"
            "assert gui.app.run(['--demo', '--quit-after-ready']) == 0\n"
            "later = ['gui.dialogs', 'gui.dialogs.export', 'gui.dialogs.rubric_editor',\n"
            "         'gui.panels.start_page', 'logging.handlers', 'rubric.export']\n"
            "print(sorted(m for m in later if m in sys.modules))\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, "-c", "import rubric.demo; rubric.demo.demo_set_path()"],
                   env=env, check=True, timeout=60)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_screenshots_of_the_start_page_and_the_workbench(tmp_path):
    start, bench = tmp_path / "start.png", tmp_path / "bench.png"
    done = run_app("--demo", "--screenshot-start", str(start), "--screenshot-size", "1280x720")
    assert done.returncode == 0, done.stderr
    done = run_app("--screenshot", str(bench), "--screenshot-size", "1280x720")
    assert done.returncode == 0, done.stderr
    assert QImage(str(start)).size() == QImage(str(bench)).size() == QSize(1280, 720)
    assert run_app("--screenshot", str(bench), "--screenshot-size", "big").returncode == 2


def test_every_demo_candidate_name_is_shown_whole_at_the_default_size(window):
    """At the default 1440 x 900 window the script list shows every demo candidate's name
    whole, beside their number, words, mark, total and status: a name cut to "Kacper No…"
    is a name the teacher has to guess."""
    from PySide6.QtWidgets import QStyle, QTableView

    QApplication.processEvents()
    table = window.findChild(QTableView)
    header = table.horizontalHeader()
    assert header.sectionViewportPosition(header.count() - 1) + header.sectionSize(
        header.count() - 1) <= table.viewport().width()   # no column hidden off the side
    model = table.model()
    metrics = table.fontMetrics()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
    room = header.sectionSize(1) - table.iconSize().width() - 4 * (margin + 1)
    names = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert len(names) == 10
    too_long = [n for n in names if metrics.horizontalAdvance(n) > room]
    assert not too_long, (too_long, header.sectionSize(1))
