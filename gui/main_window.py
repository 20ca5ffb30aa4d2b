"""The main window: start page, or the workbench (script list | script | rubric panel)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QItemSelectionModel,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gui.errors import log_model_error, show_error
from gui.icons import ACTION_ICONS, action_icon
from gui.models import (
    SCRIPT_ID_ROLE,
    AnnotationListModel,
    ScriptFilterModel,
    ScriptListModel,
)
from gui.panels.labels import SteadyLabel
from gui.panels.lists import AnnotationPanel, ScriptListPanel
from gui.panels.rubric import RubricPanel, panel_style
from gui.panels.script_view import ScriptView
from gui.session import MarkingSession
from gui.settings import (
    CENTRE_SPLITTER,
    GEOMETRY,
    MAIN_SPLITTER,
    MARKER_INITIALS,
    MARKER_NAME,
    MARKER_ROLE,
    NAME_PATTERN,
    RECENT_SETS,
    SCRIPT_FONT_SIZE,
    WINDOW_STATE,
    Settings,
)
from gui.tasks import Batches, GeneratorTask, start
from rubric.errors import EssayMarkerError
from rubric.ids import AnnotationId, ScriptId
from rubric.importing.model import ImportOptions
from rubric.store import Changes, MarkingSet, Script

# dialogs are imported where they are used: the first frame needs none (start-up time)
if TYPE_CHECKING:
    from gui.dialogs import ImportSummaryDialog
    from gui.panels.start_page import StartPage


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None):
        super().__init__()
        self.settings = settings or Settings()
        self.setWindowTitle("Essay Marker")
        self.setAcceptDrops(True)
        # the only way this window changes the set; views subscribe to its broadcast
        self.session = MarkingSession(self)
        self.session.failed.connect(self._show_failure)
        self._last_row = 0
        self.undo_stack = self.session.undo_stack
        self.current_script: Script | None = None
        self._import_task: GeneratorTask | None = None
        self._markbook_task: GeneratorTask | None = None   # reading a markbook
        self.markbook_progress: QProgressDialog | None = None
        self.last_import_summary: ImportSummaryDialog | None = None
        self.save_layout_on_close = True
        # No marker name in the settings yet: opening a set asks who is marking first
        # (off for a rendering such as --screenshot, which must not wait for anyone).
        self.ask_marker_on_first_open = True
        self.last_export_dialog = None
        self.last_context_menu: QMenu | None = None
        self.last_replacement = None   # the FileReplacement of the last Replace File
        self._replace_task: GeneratorTask | None = None

        # Start-up: the start page is built when first needed (never, when a set is opened
        # directly), and with defer_first_script (set by gui.app) a set opened before the
        # window is shown lays out its first script just after the first frame is painted.
        self._start_page: StartPage | None = None
        self.defer_first_script = False
        self._deferred_script: ScriptId | None = None
        self._enabled_for: tuple | None = None   # what the actions were last enabled for
        self._checked_scripts: dict = {}   # each script shown whose text was checked

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self._build_workbench()
        self._build_actions()
        self._build_status_bar()
        self._restore_layout()
        self._update_enabled()

    @property
    def start_page(self) -> StartPage:
        """The start page (built on first use, and then shown if no set is open)."""
        if self._start_page is None:
            from gui.panels.start_page import StartPage

            page = StartPage()
            page.open_requested.connect(self.open_set)
            page.new_requested.connect(self.new_set)
            page.open_file_requested.connect(self.open_set_file)
            page.demo_requested.connect(self.open_demo)
            self.stack.insertWidget(0, page)
            self._start_page = page
            page.refresh(self.settings.get(RECENT_SETS))
            if self.marking_set is None:
                self.stack.setCurrentWidget(page)
        return self._start_page

    def showEvent(self, event) -> None:  # noqa: N802
        if self.marking_set is None:
            self.start_page  # noqa: B018 - built and shown
        elif self._deferred_script is not None:
            # normally paintEvent shows it; this is the safety net if no paint reaches us
            QTimer.singleShot(150, self._show_deferred_script)
        super().showEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if self._deferred_script is not None:
            QTimer.singleShot(0, self._show_deferred_script)

    def _show_deferred_script(self) -> None:
        script_id, self._deferred_script = self._deferred_script, None
        if script_id is not None and self.marking_set is not None and self.current_script is None:
            self.select_script(script_id)

    @property
    def marking_set(self) -> MarkingSet | None:
        """The open set (owned by the session)."""
        return self.session.marking_set

    # -- construction --------------------------------------------------------------------

    def _build_workbench(self) -> None:
        self.workbench = QWidget()
        outer = QVBoxLayout(self.workbench)
        outer.setContentsMargins(0, 0, 0, 0)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("main_splitter")
        self.main_splitter.setChildrenCollapsible(False)
        self.list_panel = ScriptListPanel()
        self.main_splitter.addWidget(self.list_panel)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        self.banner = QLabel()
        self.banner.setObjectName("warning_banner")
        self.banner.setWordWrap(True)
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.banner.hide()
        centre_layout.addWidget(self.banner)
        from gui.panels.blind_banner import BlindBanner

        self.blind_banner = BlindBanner()
        centre_layout.addWidget(self.blind_banner)
        self.centre_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.centre_splitter.setObjectName("centre_splitter")
        self.script_stack = QStackedWidget()
        self.script_view = ScriptView()
        self.script_view.set_font_size(self.settings.get(SCRIPT_FONT_SIZE))
        self.script_stack.addWidget(self.script_view)
        self.pdf_view = None  # made on first use: QtPdf costs start-up time
        self.script_message: QLabel | None = None   # made on first use, see _show_message
        self._pdf_verdicts: dict[str, str] = {}   # sha256 of a PDF → "" (shown) or why not
        self._pdf_checks: dict[str, GeneratorTask] = {}
        self._pdf_wanted: tuple[ScriptId, str] | None = None
        self.centre_splitter.addWidget(self.script_stack)
        self.annotation_panel = AnnotationPanel()
        self.centre_splitter.addWidget(self.annotation_panel)
        self.centre_splitter.setStretchFactor(0, 4)
        self.centre_splitter.setStretchFactor(1, 1)
        centre_layout.addWidget(self.centre_splitter)
        self.main_splitter.addWidget(centre)

        self.rubric_panel = RubricPanel()
        self.main_splitter.addWidget(self.rubric_panel)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 5)
        self.main_splitter.setStretchFactor(2, 3)
        self.main_splitter.setSizes([505, 575, 360])   # the list: whole names, marks and status
        self.centre_splitter.setSizes([520, 200])
        outer.addWidget(self.main_splitter)
        self.stack.addWidget(self.workbench)

        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.rubric_panel.setStyleSheet(panel_style())
        self.banner.setStyleSheet(
            "QLabel#warning_banner { background: %s; color: %s; padding: 7px 12px; "
            "border-bottom: 1px solid #e0b252; }" % (("#4a3b12", "#ffe9b0") if dark
                                                     else ("#fff4d6", "#5c4400")))
        self.annotation_panel.hint.setStyleSheet("color: palette(placeholder-text);")

        self.script_view.annotation_clicked.connect(self._annotation_clicked_in_text)
        self.script_view.passage_selected.connect(lambda _has: self._update_enabled())
        self.annotation_panel.view.clicked.connect(self._annotation_clicked_in_list)
        self.annotation_panel.view.doubleClicked.connect(lambda _i: self.edit_annotation())
        # the panel's Edit… and Delete (buttons, right-click menu, Delete key in the list)
        self.annotation_panel.edit_action.triggered.connect(lambda _c=False: self.edit_annotation())
        self.annotation_panel.delete_action.triggered.connect(
            lambda _c=False: self.delete_annotation())
        # the panels subscribe to the session's broadcast themselves
        self.rubric_panel.follow(self.session)
        self.blind_banner.follow(self.session)
        self.annotation_panel.follow(self.session, self.script_view)
        self.rubric_panel.level_chosen.connect(self._level_chosen)
        self.rubric_panel.mark_chosen.connect(self._mark_chosen)
        self.rubric_panel.comment_edited.connect(self._comment_edited)
        self.rubric_panel.bank_used.connect(self._bank_used)
        self.rubric_panel.bank_add_requested.connect(self._bank_add)
        self.list_panel.search.textChanged.connect(self._search_changed)
        self.list_panel.search.returnPressed.connect(self._choose_from_list)
        self.list_panel.table.activated.connect(self._choose_from_list)
        self.list_panel.filter.currentTextChanged.connect(self._filter_changed)
        self.list_panel.table.customContextMenuRequested.connect(self._script_context_menu)
        self.list_panel.table.doubleClicked.connect(self._script_double_clicked)

    def _action(self, text: str, slot, shortcuts=(), name: str = "", tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
        action.setObjectName(name or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_new = a("&New marking set…", self.new_set, [QKeySequence.StandardKey.New],
                         "new_set")
        self.act_open_file = a("&Open set file…", self.open_set_file,
                               [QKeySequence.StandardKey.Open], "open_set_file")
        self.act_demo = a("Open the &demo set", self.open_demo, (), "open_demo")
        self.act_import = a("&Import scripts…", self.import_files_dialog, ["Ctrl+I"],
                            "import_scripts", "Add essays (docx, pdf, txt, odt, rtf) to this set")
        self.act_import_folder = a("Import a &folder…", self.import_folder_dialog,
                                   ["Ctrl+Shift+I"], "import_folder")
        self.act_export = a("&Export feedback and marks…", self.export_dialog, ["Ctrl+E"],
                            "export", "Word feedback, class pack, cover sheets, Excel, CSV")
        self.act_import_marks = a("Import marks from a &markbook…", self.import_marks, (),
                                  "import_marks")
        self.act_share = a("&Share a copy of this set…", self.share_set, (), "share_set")
        self.act_restore = a("&Restore from a backup…", self.restore_from_backup, (),
                             "restore_backup", "Go back to an automatic backup of this set")
        self.act_marker = a("Marker &details…", self.edit_marker, (), "marker_details")
        self.act_merge = a("&Merge markers' copies…", self.merge_files, (), "merge_files",
                           "Bring in marks from copies of this set that other markers marked")
        self.act_close_set = a("&Close set", self.close_set, ["Ctrl+Shift+W"], "close_set")
        self.act_quit = a("&Quit", self.close, [QKeySequence.StandardKey.Quit], "quit")

        self.act_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.act_undo.setObjectName("undo")
        self.act_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo),
                                    QKeySequence("Ctrl+Y")])
        self.act_redo.setObjectName("redo")
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_edit_rubric = a("Edit &rubric…", self.edit_rubric, ["Ctrl+Shift+R"],
                                 "edit_rubric")

        self.act_prev = a("&Previous script", lambda: self.step_script(-1),
                          ["Ctrl+Left", "Ctrl+PgUp"], "previous_script")
        self.act_next = a("&Next script", lambda: self.step_script(1),
                          ["Ctrl+Right", "Ctrl+PgDown"], "next_script")
        self.act_complete_next = a("Mark complete, next &unmarked", self.complete_and_next,
                                   ["Ctrl+Return", "Ctrl+Enter"], "complete_next")
        self.act_reopen = a("Re&open script", self.reopen_script, (), "reopen_script")
        self.act_edit_candidate = a("Edit &Candidate…", self.edit_candidate, ["F2"],
                                    "edit_candidate", "Correct the candidate's name and number")
        self.act_remove_script = a("&Remove Script…", self.remove_script, (), "remove_script",
                                   "Take this script out of the set (undo brings it back)")
        self.act_replace_file = a("Replace &File…", self.replace_file_dialog, (), "replace_file",
                                  "Put a new version of the file in, keeping the marks")

        self.level_actions = []
        for digit in range(0, 10):   # by the number in a level's label, see RubricPanel
            action = a(f"Choose level {digit}" if digit else "Choose level 0 (nothing creditworthy)",
                       lambda d=digit: self.choose_level(d), [f"Alt+{digit}"], f"level_{digit}")
            self.level_actions.append(action)
        self.act_focus_mark = a("Focus &mark", lambda: self.rubric_panel.focus_mark(),
                                ["Ctrl+K"], "focus_mark")
        self.act_next_criterion = a("Next criterion", lambda: self.rubric_panel.next_criterion(1),
                                    ["Alt+Down"], "next_criterion")
        self.act_prev_criterion = a("Previous criterion",
                                    lambda: self.rubric_panel.next_criterion(-1),
                                    ["Alt+Up"], "previous_criterion")
        self.act_www = a("What went well", lambda: self.rubric_panel.focus_comment("www"),
                         ["Ctrl+1"], "focus_www")
        self.act_ebi = a("Even better if", lambda: self.rubric_panel.focus_comment("ebi"),
                         ["Ctrl+2"], "focus_ebi")
        self.act_general = a("General comment",
                             lambda: self.rubric_panel.focus_comment("general"),
                             ["Ctrl+3"], "focus_general")
        self.act_bank_www = a("What went well from the bank…",
                              lambda: self.rubric_panel.show_bank_for("www"), ["Alt+W"],
                              "bank_www")
        self.act_bank_ebi = a("Even better if from the bank…",
                              lambda: self.rubric_panel.show_bank_for("ebi"), ["Alt+B"],
                              "bank_ebi")
        self.act_annotate = a("&Comment on selection…", self.annotate_selection, ["Ctrl+M"],
                              "annotate", "Select a passage in the script first")

        self.act_bigger = a("&Larger text", lambda: self.zoom_script(1),
                            [QKeySequence.StandardKey.ZoomIn, "Ctrl+="], "zoom_in")
        self.act_smaller = a("&Smaller text", lambda: self.zoom_script(-1),
                             [QKeySequence.StandardKey.ZoomOut], "zoom_out")
        self.act_shortcuts = a("&Keyboard shortcuts", self.show_shortcuts, ["F1"], "shortcuts")
        self.act_about = a("&About Essay Marker", self.show_about, (), "about")
        self.act_compare = a("&Compare scripts (comparative judgement)…",
                             lambda: self.open_tool("judging"), (), "compare_scripts",
                             "Which of two scripts is the better answer? A scale from many pairs")
        self.act_similar = a("&Similar scripts…", lambda: self.open_tool("similarity"), (),
                             "similar_scripts", "Pairs of scripts that share passages")
        self.act_moderation = a("&Moderation…", self.moderation_dialog, (), "moderation",
                                "Agreement of two markers, their scatter plot, adjustment")
        self.act_side_by_side = a("Compare side &by side…", self.compare_dialog, (),
                                  "compare_side_by_side",
                                  "Two scripts, or one script's two markers, side by side")

        self.act_allocate = a("&Allocate scripts…", self.allocate_scripts_dialog, (),
                              "allocate_scripts", "Give the scripts to markers")
        self.act_allocate_one = a("Allocate this script &to…", self.allocate_script_to, (),
                                  "allocate_script_to", "Give this script to one marker (by hand)")
        self.act_agree = a("A&gree marks…", self.agree_marks_dialog, (), "agree_marks",
                           "Agree this script's marks from two markers' marks")
        self.act_definitive = a("Set as &definitive", self.set_definitive_marks, (),
                                "set_definitive",
                                "Store your marks on this script as its definitive marks")

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.act_new, self.act_open_file, self.act_demo, None, self.act_import,
                       self.act_import_folder, None, self.act_export, self.act_import_marks,
                       self.act_share, self.act_merge, self.act_restore, None,
                       self.act_marker,
                       self.act_close_set, None, self.act_quit):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        self.file_menu = file_menu
        edit_menu = bar.addMenu("&Edit")
        for action in (self.act_undo, self.act_redo, None, self.act_edit_rubric):
            edit_menu.addSeparator() if action is None else edit_menu.addAction(action)
        self.edit_menu = edit_menu
        marking_menu = bar.addMenu("&Marking")
        for action in (*self.level_actions, None, self.act_focus_mark, self.act_next_criterion,
                       self.act_prev_criterion, None, self.act_www, self.act_ebi,
                       self.act_general, self.act_bank_www, self.act_bank_ebi, None,
                       self.act_annotate):
            marking_menu.addSeparator() if action is None else marking_menu.addAction(action)
        script_menu = bar.addMenu("&Script")
        for action in (self.act_prev, self.act_next, self.act_complete_next, self.act_reopen,
                       None, self.act_edit_candidate, self.act_replace_file,
                       self.act_remove_script):
            script_menu.addSeparator() if action is None else script_menu.addAction(action)
        self.script_menu = script_menu
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.act_bigger)
        view_menu.addAction(self.act_smaller)
        tools_menu = bar.addMenu("&Tools")
        tools_menu.addAction(self.act_compare)
        tools_menu.addAction(self.act_similar)
        tools_menu.addAction(self.act_moderation)
        tools_menu.addAction(self.act_side_by_side)
        self.tools_menu = tools_menu
        moderation_menu = bar.addMenu("&Moderation")
        moderation_menu.addAction(self.act_allocate)
        moderation_menu.addAction(self.act_allocate_one)
        moderation_menu.addAction(self.act_agree)
        moderation_menu.addAction(self.act_definitive)
        self.moderation_menu = moderation_menu
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_shortcuts)
        help_menu.addAction(self.act_about)

        # icons (tinted from the palette when painted) and short toolbar labels; menus and
        # tooltips keep the full text
        for action, label in ((self.act_import, "Import"), (self.act_prev, "Previous"),
                              (self.act_next, "Next"), (self.act_complete_next, "Complete && next"),
                              (self.act_annotate, "Comment"), (self.act_undo, "Undo"),
                              (self.act_redo, "Redo"), (self.act_edit_rubric, "Rubric"),
                              (self.act_export, "Export")):
            action.setIcon(action_icon(ACTION_ICONS[action.objectName()]))
            action.setIconText(label)
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.act_import, None, self.act_prev, self.act_next,
                       self.act_complete_next, None, self.act_annotate, None, self.act_undo,
                       self.act_redo, None, self.act_edit_rubric, self.act_export):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        self.toolbar = toolbar
        self.addToolBar(toolbar)
        self.undo_stack.indexChanged.connect(lambda _i: self._update_enabled())

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("saved_label")
        self.marker_label = QLabel("")
        self.marker_label.setObjectName("marker_label")
        self.position_label = QLabel("")
        self.position_label.setObjectName("position_label")
        # "3 of 30" changes on every switch: shown without laying the status bar (and
        # with it the window) out again, see SteadyLabel
        self._position = SteadyLabel(self.position_label, sized_by_text=True)
        bar.addWidget(self.saved_label)
        bar.addPermanentWidget(self.marker_label)
        bar.addPermanentWidget(self._position)

    # -- layout persistence --------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.get(GEOMETRY)
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None and (screen.width() < 1500 or screen.height() < 950):
                self.resize(int(screen.width() * 0.94), int(screen.height() * 0.92))
            else:
                self.resize(1440, 900)
        state = self.settings.get(WINDOW_STATE)
        if state:
            self.restoreState(QByteArray(state))
        for splitter, option in ((self.main_splitter, MAIN_SPLITTER),
                                 (self.centre_splitter, CENTRE_SPLITTER)):
            saved = self.settings.get(option)
            if saved:
                splitter.restoreState(QByteArray(saved))

    def _save_layout(self) -> None:
        self.settings.set(GEOMETRY, bytes(self.saveGeometry().data()))
        self.settings.set(WINDOW_STATE, bytes(self.saveState().data()))
        self.settings.set(MAIN_SPLITTER, bytes(self.main_splitter.saveState().data()))
        self.settings.set(CENTRE_SPLITTER, bytes(self.centre_splitter.saveState().data()))
        self.settings.set(SCRIPT_FONT_SIZE, self.script_view.font_size())
        self.settings.sync()

    # -- sets ----------------------------------------------------------------------------

    def open_set(self, path: str | Path) -> bool:
        path = Path(path)
        self.close_set()
        try:
            marking_set = self.session.open(path)
        except EssayMarkerError as exc:
            show_error(self, "Cannot open the marking set", str(exc))
            return False
        name = self.settings.get(MARKER_NAME)
        asked = not name and self.ask_marker_on_first_open
        if asked:
            name = self._ask_first_marker(marking_set)
        if name:
            self.session.use_marker(name, self.settings.get(MARKER_INITIALS) or None,
                                    self.settings.get(MARKER_ROLE))
        else:
            marking_set.current_marker  # noqa: B018 - the set's teacher, or a default one
        self.settings.add_recent(str(path))
        self.script_model = ScriptListModel(marking_set, self)
        # the list follows every change; the window's own refresh comes after it
        self.session.changed.connect(self.script_model.apply)
        self.session.changed.connect(self._on_changed)
        self.filter_model = ScriptFilterModel(self)
        self.filter_model.setSourceModel(self.script_model)
        # rows leaving the list as shown (a search, a filter, a status change) move Qt's
        # current row; the shown script stays until the user chooses another. Connected
        # before setModel, so the flag is up before the view and selection react.
        self._rows_leaving = False
        self.filter_model.rowsAboutToBeRemoved.connect(self._list_rows_leaving)
        self.filter_model.rowsRemoved.connect(self._follow_shown_script)
        self.filter_model.rowsInserted.connect(self._follow_shown_script)
        table = self.list_panel.table
        table.setModel(self.filter_model)
        header = table.horizontalHeader()
        # sized from a sample when the list is (re)loaded, never per edit: ResizeToContents
        # reads every row and column of the model again on each change
        from gui.models.lists import fit_script_columns

        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(28)
        header.setStretchLastSection(False)
        table.setIconSize(QSize(9, 9))
        fit_script_columns(table)
        self.filter_model.modelReset.connect(lambda: fit_script_columns(table))
        self.list_panel.stretch_names()
        self.filter_model.modelReset.connect(self.list_panel.stretch_names)
        self.filter_model.modelReset.connect(self._follow_shown_script)
        table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.filter_model.modelReset.connect(self._update_counts)
        self.filter_model.rowsInserted.connect(self._update_counts)
        self.rubric_panel.set_scheme(marking_set.scheme)
        self.rubric_panel.set_bank(marking_set.bank())
        self.setWindowTitle(f"{marking_set.name} — Essay Marker")
        self.stack.setCurrentWidget(self.workbench)
        self._update_marker_label()
        self._update_counts()
        self.current_script = None
        self._deferred_script = None
        if self.script_model.rowCount():
            if self.defer_first_script and not self.isVisible():
                self._deferred_script = self._first_script_to_show()   # see paintEvent
            else:
                self.select_script(self._first_script_to_show())
        else:
            self._show_empty()
        self._set_saved("Opened")
        self._update_enabled()
        if asked and not name:
            marker = marking_set.current_marker
            self.statusBar().showMessage(
                f"Marking as {marker.name} ({marker.initials}): to mark under your own name, "
                "use File ▸ Marker details", 15000)
        return True

    def _ask_first_marker(self, marking_set: MarkingSet) -> str:
        """Ask who is marking (the set's teacher filled in, if it has one) and remember the
        answer; the name, or "" when the user cancels (the set's teacher is then used)."""
        teacher = next((m for m in marking_set.markers() if m.role == "teacher"), None)
        from gui.dialogs import MarkerDialog

        answer = MarkerDialog.ask(self, teacher.name if teacher else "",
                                  teacher.initials if teacher else "", "teacher",
                                  first_run=True)
        if answer is None:
            return ""
        name, initials, role = answer
        self.settings.set(MARKER_NAME, name)
        self.settings.set(MARKER_INITIALS, initials)
        self.settings.set(MARKER_ROLE, role)
        self.settings.sync()
        return name

    def _first_script_to_show(self) -> ScriptId:
        ids = self.script_model.script_ids()
        for script_id in ids:
            if self.script_model.status(script_id) in ("unmarked", "in progress"):
                return script_id
        return ids[0]

    def close_set(self, show_start_page: bool = True) -> None:
        if self.marking_set is None:
            return
        if getattr(self, "script_model", None) is not None:
            for slot in (self.script_model.apply, self._on_changed):
                try:
                    self.session.changed.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self.session.close()
        self.current_script = None
        if show_start_page:   # not when the window is closing
            built = self._start_page is not None
            self.stack.setCurrentWidget(self.start_page)
            if built:
                self.start_page.refresh(self.settings.get(RECENT_SETS))
        self.setWindowTitle("Essay Marker")
        self._position.set_text("")
        self.marker_label.setText("")
        self.saved_label.setText("")
        self._update_enabled()

    def new_set(self) -> None:
        from gui.dialogs import NewSetDialog

        answer = NewSetDialog.ask(self)
        if answer is None:
            return
        from rubric.store.library import new_set
        from rubric.templates import template

        name, scheme_id = answer
        try:
            path = new_set(name, template(scheme_id))
        except EssayMarkerError as exc:
            show_error(self, "Cannot create the set", str(exc))
            return
        self.open_set(path)

    def _ask_open_set_path(self) -> str:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Open a marking set file", str(Path.home()),
                                              "Marking sets (*.markset)")
        return path

    def open_set_file(self) -> None:
        """Bring a set file from elsewhere into the data folder (a copy), then open it."""
        path = self._ask_open_set_path()
        if not path:
            return
        from rubric.store import sets_dir
        from rubric.store.library import import_set_file

        if Path(path).resolve().parent == sets_dir().resolve():
            self.open_set(path)
            return
        try:
            copy = import_set_file(path)
        except EssayMarkerError as exc:
            show_error(self, "Cannot open the set file", str(exc))
            return
        self.open_set(copy)
        self.statusBar().showMessage(f"Copied into your marking sets as “{copy.stem}”", 8000)

    def open_demo(self) -> None:
        from rubric.demo import demo_set_path

        try:
            path = demo_set_path()
        except EssayMarkerError as exc:
            show_error(self, "Cannot make the demo set", str(exc))
            return
        self.open_set(path)

    def share_set(self) -> None:
        if self.marking_set is None:
            return
        suggested = str(Path.home() / f"{self.marking_set.path.stem}.markset")
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(self, "Save a copy of this set", suggested,
                                              "Marking sets (*.markset)")
        if not path:
            return
        try:
            self.marking_set.export_to(path)
        except EssayMarkerError as exc:
            show_error(self, "Cannot save the copy", str(exc))
            return
        self.statusBar().showMessage(f"Saved a copy to {path}", 8000)

    def edit_marker(self) -> None:
        if self.marking_set is None:
            return
        marker = self.marking_set.current_marker
        from gui.dialogs import MarkerDialog

        answer = MarkerDialog.ask_details(self, marker.name, marker.initials, marker.role,
                                          self.marking_set.is_blind())
        if answer is None:
            return
        name, initials, role, blind = answer
        if not self.session.use_marker(name, initials or None, role):
            return
        if blind != self.marking_set.is_blind() and (blind or role == "teacher"):
            self.session.set_blind(blind)   # ending it by hand: Reveal… on the banner
        self.settings.set(MARKER_NAME, name)
        self.settings.set(MARKER_INITIALS, initials)
        self.settings.set(MARKER_ROLE, role)

    # -- the shown script ----------------------------------------------------------------

    def select_script(self, script_id: ScriptId) -> None:
        row = self.script_model.row_of(script_id)
        if row < 0:
            return
        proxy_index = self.filter_model.mapFromSource(self.script_model.index(row, 0))
        if not proxy_index.isValid():
            # hidden by the filter: show all so the user can see where they are
            self.list_panel.filter.setCurrentIndex(0)
            self.list_panel.search.clear()
            proxy_index = self.filter_model.mapFromSource(self.script_model.index(row, 0))
        self.list_panel.table.selectionModel().setCurrentIndex(
            proxy_index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.list_panel.table.scrollTo(proxy_index)
        if self.current_script is None or self.current_script.id != script_id:
            self.show_script(script_id)

    def _row_changed(self, current, _previous) -> None:
        if not current.isValid() or self._rows_leaving:
            return
        script_id = current.data(SCRIPT_ID_ROLE)
        if self.current_script is None or self.current_script.id != script_id:
            self.show_script(script_id)

    def show_script(self, script_id: ScriptId) -> None:
        ms = self.marking_set
        assert ms is not None
        session = self.session   # its reads are kept: going back to a script reads nothing
        try:
            script = session.script(script_id)
            if self._checked_scripts.get(script_id) is not script:   # (the session keeps
                # what it read: a script come back to is the same object, checked before)
                if not all(isinstance(p.text, str) and isinstance(p.kind, str)
                           for p in script.paragraphs):
                    raise TypeError("a paragraph that is not text")
            damaged = False
        except (ValueError, TypeError) as exc:   # its stored text is damaged (a broken set)
            log_model_error(ms, "script", (), exc)
            script = Script(**ms.summary(script_id).__dict__)   # without its text
            damaged = True
        self.current_script = script
        if not damaged:
            if len(self._checked_scripts) > 512:
                self._checked_scripts.clear()
            self._checked_scripts[script_id] = script
        annotations = session.annotations(script_id)
        if damaged:
            self._show_message("The text of this script is damaged in the set file and "
                               "cannot be shown. Its marks and comments are kept; Script ▸ "
                               "Replace File… with the student's file brings it back.")
        elif script.has_text:
            self.script_stack.setCurrentWidget(self.script_view)
            self.script_view.show_script(script, annotations)
        else:
            self._show_pdf(script)
        self.annotation_panel.model.set_annotations(annotations)
        self.annotation_panel.shown_script = script_id
        warnings = [w.message for w in script.warnings]
        self.banner.setText("⚠  " + "\n⚠  ".join(warnings))
        self.banner.setVisible(bool(warnings))
        self.rubric_panel.show_script(script_id, session.marks_for(script_id),
                                      session.comments(script_id))
        self._last_row = self._proxy_row(script_id)
        self._update_position()
        self._update_enabled()
        self._lay_out_now()

    def _lay_out_now(self) -> None:
        """Lay out now what a switch changed (the annotation list, the rubric panel around
        a mark box that moved): otherwise Qt paints the window first and lays these out
        after, and the window is painted twice, the list a frame late."""
        for _ in range(3):   # a layout done can ask for another (a scroll bar that came,
            self.annotation_panel.lay_out_now()   # a parent's): a few rounds at most
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _show_message(self, text: str) -> None:
        """A plain message where the script would be (a file that cannot be shown)."""
        if self.script_message is None:
            self.script_message = QLabel()
            self.script_message.setObjectName("script_message")
            self.script_message.setWordWrap(True)
            self.script_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.script_message.setMargin(40)
            self.script_stack.addWidget(self.script_message)
        self.script_message.setText(text)
        self.script_stack.setCurrentWidget(self.script_message)

    def _show_pdf(self, script: Script) -> None:
        """Show a scanned script's pages. Its bytes come from the set file (perhaps a
        colleague's), so QtPdf sees them only after the import's sandboxed child has read
        them (on a worker thread; the verdict is kept per file content, so coming back to
        a script is instant). A rejected file shows a message instead."""
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        if self.pdf_view is None:
            self.pdf_view = QPdfView()
            self.pdf_view.setObjectName("pdf_view")
            self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
            self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.pdf_document = QPdfDocument(self)
            self.pdf_view.setDocument(self.pdf_document)
            self.script_stack.addWidget(self.pdf_view)
        self.pdf_document.close()
        data = self.marking_set.source_bytes(script.id)
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        self._pdf_wanted = (script.id, digest)
        self.script_stack.setCurrentWidget(self.pdf_view)
        if digest in self._pdf_verdicts:
            self._load_checked_pdf(script.id, digest, data)
            return
        self.statusBar().showMessage("Checking the scanned file before showing it…", 5000)
        if digest in self._pdf_checks:
            return   # already being checked: its verdict will show it
        from rubric.errors import ImportFailure
        from rubric.importing.pdf_check import check_pdf_bytes

        def verdict():
            try:
                check_pdf_bytes(data, script.file_name if isinstance(script.file_name, str)
                                else "script.pdf")
            except ImportFailure as exc:
                yield exc.reason
            except Exception as exc:  # noqa: BLE001 - a check that fails is a refusal
                yield f"it could not be checked ({type(exc).__name__})"
            else:
                yield ""

        task = GeneratorTask(verdict)

        def on_verdict(reason: str) -> None:
            self._pdf_verdicts[digest] = reason
            if self.marking_set is not None and self.current_script is not None and \
                    self._pdf_wanted == (self.current_script.id, digest):
                self._load_checked_pdf(self.current_script.id, digest, data)

        task.signals.item.connect(on_verdict)
        task.signals.finished.connect(lambda _cancelled: self._pdf_checks.pop(digest, None))
        self._pdf_checks[digest] = task
        start(task)

    def _load_checked_pdf(self, script_id: ScriptId, digest: str, data: bytes) -> None:
        reason = self._pdf_verdicts[digest]
        if reason:
            self._show_message(
                "This scanned script's file cannot be shown: " + reason.rstrip(".")
                + ". Showing it could make Essay Marker crash or hang, so it is not opened. "
                "Its marks and comments are kept; Script ▸ Replace File… with a good copy of "
                "the student's file shows it again.")
            return
        self.pdf_document.close()
        self._pdf_buffer = QBuffer(self)
        self._pdf_buffer.setData(QByteArray(data))
        self._pdf_buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf_document.load(self._pdf_buffer)
        self.script_stack.setCurrentWidget(self.pdf_view)

    def _show_empty(self) -> None:
        self.current_script = None
        self.banner.setText("This set has no scripts yet. Import essays with Ctrl+I, or drop "
                            "files and folders onto this window.")
        self.banner.show()
        self.script_view.clear()
        self.annotation_panel.model.set_annotations([])
        self.annotation_panel.shown_script = None
        self.rubric_panel.shown_script = None
        self._update_position()

    def step_script(self, step: int) -> None:
        """Next/previous script in the list as shown (sorted and filtered)."""
        if self.marking_set is None:
            return
        table = self.list_panel.table
        rows = self.filter_model.rowCount()
        if not rows:
            return
        current = table.currentIndex().row()
        target = min(max(current + step, 0), rows - 1) if current >= 0 else 0
        if target != current:
            table.selectRow(target)

    def complete_and_next(self) -> None:
        if self.marking_set is None or self.current_script is None:
            return
        script_id = self.current_script.id
        ms = self.marking_set
        if not ms.summary(script_id).completed:
            missing = self._criteria_without_a_mark(script_id)
            from gui import dialogs

            if missing and not dialogs.complete_anyway(self, missing):
                return
        if not self.session.set_complete(script_id, True):
            return
        next_id = self._next_unmarked(script_id)
        if next_id is None:
            self.statusBar().showMessage("Every script in this set is marked.", 8000)
            return
        self.select_script(next_id)
        self.script_view.setFocus()

    def _criteria_without_a_mark(self, script_id: ScriptId) -> list[str]:
        """The scheme's criteria with no placed mark on this script (a level alone is not a
        mark); what counts is the total's rule, criterion by criterion."""
        from rubric import marking

        ms = self.marking_set
        marks = ms.marks_for(script_id)
        return [c.name for c in ms.scheme.criteria
                if c.name not in marks or marking.total(ms.scheme, {c.name: marks[c.name]}) is None]

    def _next_unmarked(self, after: ScriptId) -> ScriptId | None:
        ids = self.script_model.script_ids()
        start = ids.index(after) + 1 if after in ids else 0
        ordered = ids[start:] + ids[:start]
        for wanted in (("unmarked",), ("in progress",)):
            for script_id in ordered:
                if script_id != after and self.script_model.status(script_id) in wanted:
                    return script_id
        return None

    def reopen_script(self) -> None:
        if self.marking_set and self.current_script:
            self.session.set_complete(self.current_script.id, False)

    # -- correcting what import got wrong ----------------------------------------------------

    def _script_context_menu(self, position) -> None:
        index = self.list_panel.table.indexAt(position)
        if not index.isValid() or self.marking_set is None:
            return
        self.select_script(index.data(SCRIPT_ID_ROLE))
        menu = QMenu(self)
        menu.setObjectName("script_context_menu")
        for action in (self.act_edit_candidate, self.act_replace_file, None,
                       self.act_allocate_one, None, self.act_remove_script):
            menu.addSeparator() if action is None else menu.addAction(action)
        self.last_context_menu = menu
        menu.popup(self.list_panel.table.viewport().mapToGlobal(position))

    def _script_double_clicked(self, index) -> None:
        if index.isValid() and index.column() in (0, 1):   # No. or Candidate: edit them
            script_id = index.data(SCRIPT_ID_ROLE)
            # after the view has finished with the click (the edit resets the model)
            QTimer.singleShot(0, lambda: self._edit_candidate_of(script_id))

    def _edit_candidate_of(self, script_id: ScriptId) -> None:
        if self.marking_set is not None and self.script_model.row_of(script_id) >= 0:
            self.select_script(script_id)
            self.edit_candidate()

    def edit_candidate(self) -> None:
        if self.marking_set is None or self.current_script is None:
            return
        script = self.marking_set.summary(self.current_script.id)
        from gui.dialogs import EditCandidateDialog

        answer = EditCandidateDialog.ask(self, script.candidate_name, script.candidate_number,
                                         script.file_name)
        if answer is None or answer == (script.candidate_name, script.candidate_number):
            return
        self.session.edit_candidate(script.id, *answer)

    def remove_script(self) -> None:
        if self.marking_set is None or self.current_script is None:
            return
        ms = self.marking_set
        script = ms.summary(self.current_script.id)
        marked = bool(ms.marks(script.id)) or bool(ms.annotations(script.id))
        detail = " Its marks, comments and annotations are kept with it." if marked else ""
        from gui import dialogs

        if not dialogs.confirm(
                self, "Remove script",
                f"Remove {script.candidate} ({script.file_name}) from this set? It leaves the "
                f"list, the exports and the markbook.{detail} Undo (Ctrl+Z) brings it back.",
                "Remove"):
            return
        if self.session.remove_script(script.id):
            self.statusBar().showMessage(f"Removed {script.candidate}. Undo brings it back.",
                                         8000)

    def _ask_replacement_file(self) -> str:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self, "Replace the script's file", str(Path.home()),
            "Essays (*.docx *.pdf *.txt *.odt *.rtf);;All files (*)")
        return path

    def replace_file_dialog(self) -> GeneratorTask | None:
        path = self._ask_replacement_file()
        if path:
            return self.replace_file(path)
        return None

    def replace_file(self, path: str | Path) -> GeneratorTask | None:
        """Read the new version on a worker thread, then replace the shown script's file
        (undoable): marks and comments stay, annotations are re-anchored by their passage."""
        if self.marking_set is None or self.current_script is None:
            return None
        from rubric.importing import import_batch

        script_id = self.current_script.id
        options = ImportOptions(name_pattern=self.settings.get(NAME_PATTERN),
                                word_limit=self.marking_set.scheme.word_limit)
        task = GeneratorTask(lambda: import_batch([Path(path)], options))
        self.last_replacement = None

        def on_item(result) -> None:
            ms = self.marking_set
            if ms is None or result.draft is None:
                if ms is not None:
                    show_error(self, "File not replaced", result.error or "cannot read the file")
                return
            other = ms.script_with_hash(result.draft.source_hash)
            if other == script_id:
                self.statusBar().showMessage("That is the file the script already has.", 8000)
                return
            if other is not None:
                show_error(self, "File not replaced",
                           f"{result.path.name} is already in this set as "
                           f"{ms.summary(other).candidate}.")
                return
            outcome = self.session.replace_file(script_id, result.draft)
            if outcome is None:
                return
            self.last_replacement = outcome
            line = outcome.line()[:1].upper() + outcome.line()[1:]
            self.statusBar().showMessage(line, 12000)
            if outcome.lost:
                show_error(self, "Some annotations were not found",
                           f"{line}. They are marked “passage not "
                           "found” in the annotation list: delete them, or comment on the "
                           "passage again. Undo (Ctrl+Z) puts the old file back.")

        def on_failed(message: str, details: str) -> None:
            show_error(self, "File not replaced", message)

        task.signals.item.connect(on_item)
        task.signals.failed.connect(on_failed)
        self._replace_task = task
        return start(task)

    # -- marking ---------------------------------------------------------------------------

    def _show_failure(self, message: str) -> None:
        """The core refused a change (the session says so once, in plain words)."""
        show_error(self, "Not saved", message)

    def choose_level(self, digit: int) -> None:
        if self.current_script is None:
            return
        self.rubric_panel.choose_level_by_digit(digit)

    def _level_chosen(self, criterion: str, level: str) -> None:
        if self.current_script is not None:
            self.session.set_level(self.current_script.id, criterion, level)

    def _mark_chosen(self, criterion: str, mark: int) -> None:
        if self.current_script is not None:
            self.session.set_mark(self.current_script.id, criterion, mark)

    def _comment_edited(self, field: str, text: str) -> None:
        if self.current_script is not None:
            self.session.set_comment(self.current_script.id, field, text)

    def _bank_used(self, comment) -> None:
        self.session.note_bank_use(comment.id)

    def _bank_add(self, text: str, kind: str) -> None:
        if self.marking_set is None:
            return
        criterion = self.rubric_panel.current_criterion
        mark = self.marking_set.marks_for(self.current_script.id).get(criterion or "") \
            if self.current_script else None
        if self.session.add_bank_comment(text, kind, criterion, mark.level if mark else None):
            self.statusBar().showMessage("Added to the comment bank", 5000)

    def annotate_selection(self) -> None:
        if self.marking_set is None or self.current_script is None:
            return
        span = self.script_view.selected_span()
        if span is None:
            self.statusBar().showMessage("Select a passage in the script first.", 5000)
            return
        start, end = span
        quote = self.current_script.text[start:end]
        criteria = [c.name for c in self.marking_set.scheme.criteria]
        from gui.dialogs import AnnotationDialog

        answer = AnnotationDialog.ask(self, quote, criteria, self.marking_set.bank("annotation"),
                                      criterion=self.rubric_panel.current_criterion)
        if answer is None:
            return
        comment, criterion = answer
        annotation_id = self.session.add_annotation(self.current_script.id, start, end,
                                                    comment, criterion)
        if annotation_id is not None:
            self._select_annotation(annotation_id)

    def _selected_annotation_id(self) -> AnnotationId | None:
        return self.annotation_panel.selected_id()

    def edit_annotation(self) -> None:
        annotation_id = self._selected_annotation_id()
        if annotation_id is None or self.marking_set is None:
            return
        annotation = self.marking_set.annotation(annotation_id)
        criteria = [c.name for c in self.marking_set.scheme.criteria]
        from gui.dialogs import AnnotationDialog

        answer = AnnotationDialog.ask(self, annotation.quote, criteria,
                                      self.marking_set.bank("annotation"), annotation.comment,
                                      annotation.criterion)
        if answer is None:
            return
        comment, criterion = answer
        if self.session.edit_annotation(annotation_id, comment, criterion):
            self._select_annotation(annotation_id)

    def delete_annotation(self) -> None:
        annotation_id = self._selected_annotation_id()
        if annotation_id is None or self.marking_set is None:
            return
        self.session.delete_annotation(annotation_id)

    def _annotation_clicked_in_text(self, annotation_id: int) -> None:
        self._select_annotation(AnnotationId(annotation_id), scroll=False)

    def _annotation_clicked_in_list(self, index) -> None:
        annotation = index.data(AnnotationListModel.ANNOTATION_ROLE)
        if annotation is not None:
            self.script_view.highlight(annotation.id)

    def _select_annotation(self, annotation_id: AnnotationId, scroll: bool = True) -> None:
        row = self.annotation_panel.model.row_of(annotation_id)
        if row >= 0:
            self.annotation_panel.view.setCurrentIndex(self.annotation_panel.model.index(row))
        self.script_view.highlight(annotation_id, scroll=scroll)

    def edit_rubric(self) -> None:
        if self.marking_set is None:
            return
        from gui.dialogs.rubric_editor import RubricEditorDialog

        ms = self.marking_set
        has_marks = bool(ms.marks())
        names = {s.id: s.candidate for s in ms.scripts()}
        scheme = RubricEditorDialog.edit(ms.scheme, self,
                                         ms.conflicts_with if has_marks else None,
                                         script_names=names)
        if scheme is None or scheme == ms.scheme:
            return
        self.session.change_scheme(scheme)

    # -- refreshing views from Changes ---------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        """The window's own part of a change (the views subscribe for theirs): the saved
        time, which script is shown when the list changed, counts and actions."""
        ms = self.marking_set
        if ms is None or changes.nothing:
            return
        self._set_saved("Saved")
        shown = self.current_script
        if changes.markers:
            self._update_marker_label()
        if changes.markers and shown is not None:
            self.show_script(shown.id)   # whose marks are "mine" changed: show them
        if shown is None:
            self._update_counts()
            if changes.script_list and changes.created is not None and \
                    self.script_model.rowCount() == 1:
                self.select_script(ScriptId(changes.created))
            return
        if changes.script_list and not changes.scheme:
            if self.script_model.row_of(shown.id) < 0:
                self._show_row(self._last_row)   # the shown script was removed: a neighbour
                return
            if len(changes.scripts) == 1:
                # a script's names or file changed, or a removed one is back: show it
                (changed,) = changes.scripts
                if self.script_model.row_of(changed) >= 0:
                    if changed == shown.id:
                        self.show_script(changed)
                    self.select_script(changed)
        self._last_row = self._proxy_row(shown.id)
        self._update_counts()
        self._update_position()
        self._update_enabled()

    def _proxy_row(self, script_id: ScriptId) -> int:
        row = self.script_model.row_of(script_id)
        if row < 0:
            return -1
        return self.filter_model.mapFromSource(self.script_model.index(row, 0)).row()

    def _show_row(self, row: int) -> None:
        """Show the script at this row of the list as shown (or the nearest row)."""
        rows = self.filter_model.rowCount()
        if rows:
            index = self.filter_model.index(min(max(row, 0), rows - 1), 0)
            self.select_script(index.data(SCRIPT_ID_ROLE))
        elif self.script_model.rowCount():
            self.select_script(self.script_model.script_ids()[0])
        else:
            self._show_empty()
        self._update_counts()
        self._update_enabled()

    def _set_saved(self, word: str) -> None:
        from datetime import datetime

        problem = self.marking_set.backup_problem if self.marking_set is not None else None
        if problem:
            # the change is saved; only the backup failed (a full disk, say)
            self.saved_label.setText(f"✓ {word} {datetime.now():%H:%M:%S} · ⚠ {problem}")
            self.saved_label.setToolTip(f"Your work is saved, but {problem}.")
        else:
            self.saved_label.setText(f"✓ {word} {datetime.now():%H:%M:%S}")
            self.saved_label.setToolTip("")

    def restore_from_backup(self) -> bool:
        """Go back to one of the set's automatic backups (the current state is kept as a
        backup first); the set is closed and opened again around the restore."""
        from rubric.store.backups import backups_of
        from rubric.store.library import restore_backup

        if self.marking_set is None:
            return False
        path = self.marking_set.path
        infos = backups_of(path)
        if not infos:
            QMessageBox.information(self, "Restore from a backup", "This set has no backups yet.")
            return False
        reasons = {"before-restore": "before a restore"}
        labels = []
        for info in infos:
            why = reasons.get(info.reason, "before an upgrade" if info.reason.startswith(
                "before-upgrade") else info.reason)
            labels.append(f"{info.taken_at:%a %d %b %Y, %H:%M:%S}" + (f" — {why}" if why else ""))
        from gui import dialogs

        index = dialogs.ask_backup(self, labels)
        if index is None:
            return False
        self.close_set()
        try:
            restore_backup(path, infos[index].path)
        except EssayMarkerError as exc:
            show_error(self, "Cannot restore the backup", str(exc))
            self.open_set(path)
            return False
        self.open_set(path)
        self.statusBar().showMessage(f"Restored the backup of {labels[index]}", 8000)
        return True

    def _update_marker_label(self) -> None:
        if self.marking_set is None:
            return
        marker = self.marking_set.current_marker
        role = {"teacher": "teacher", "second": "second marker", "moderator": "moderator"}
        self.marker_label.setText(f"{marker.name} ({marker.initials}) · {role[marker.role]}")

    def _update_position(self) -> None:
        if self.marking_set is None:
            return
        total = self.script_model.rowCount()
        if self.current_script is None or total == 0:
            self._position.set_text(f"0 of {total}")
            return
        row = self.script_model.row_of(self.current_script.id)
        self._position.set_text(f"{row + 1} of {total}")

    def _update_counts(self) -> None:
        if self.marking_set is None:
            return
        counts = self.script_model.status_counts()   # kept edit by edit: O(1) per change
        done = counts.get("marked", 0) + counts.get("moderated", 0)
        shown = self.filter_model.rowCount()
        total = sum(counts.values())
        prefix = f"{shown} of {total} shown · " if shown != total else ""
        self.list_panel.count_label.setText(f"{prefix}{done} of {total} marked")

    def _search_changed(self, text: str) -> None:
        if self.marking_set is not None:
            self.filter_model.set_search(text)
            self._update_counts()

    def _filter_changed(self, name: str) -> None:
        if self.marking_set is not None:
            self.filter_model.set_status_filter(name)
            self._update_counts()

    def _list_rows_leaving(self, *_args) -> None:
        self._rows_leaving = True

    def _follow_shown_script(self, *_args) -> None:
        """Rows left or came back into the list as shown, or it was reloaded: the shown
        script's row is the current one if it is listed, else no row is. The shown script
        stays whatever the list shows."""
        self._rows_leaving = True
        try:
            selection = self.list_panel.table.selectionModel()
            row = self._proxy_row(self.current_script.id) if self.current_script else -1
            if row < 0:
                selection.clear()
            elif selection.currentIndex().row() != row or not selection.isRowSelected(row):
                selection.setCurrentIndex(self.filter_model.index(row, 0),
                                          QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._rows_leaving = False

    def _choose_from_list(self, index=None) -> None:
        """Enter in the search box (the highlighted row, else the first one listed) or on
        a row: show that script."""
        if self.marking_set is None or not self.filter_model.rowCount():
            return
        if index is None or not index.isValid():
            current = self.list_panel.table.currentIndex()
            index = current if current.isValid() else self.filter_model.index(0, 0)
        self.select_script(index.data(SCRIPT_ID_ROLE))

    def _update_enabled(self) -> None:
        has_set = self.marking_set is not None
        has_script = has_set and self.current_script is not None
        annotate = bool(has_script and self.current_script.has_text)
        digits = frozenset(self.rubric_panel.level_digits()) if has_script else frozenset()
        wanted = (has_set, has_script, annotate, digits)
        if wanted != self._enabled_for:   # (nothing else enables these: a switch of script
            self._enabled_for = wanted     # mostly changes none of them)
            for action in (self.act_import, self.act_import_folder, self.act_share,
                           self.act_marker, self.act_close_set, self.act_edit_rubric,
                           self.act_export, self.act_import_marks, self.act_compare,
                           self.act_similar, self.act_merge, self.act_moderation,
                           self.act_side_by_side, self.act_allocate):
                action.setEnabled(has_set)
            for action in (self.act_prev, self.act_next, self.act_complete_next,
                           self.act_reopen, self.act_edit_candidate, self.act_remove_script,
                           self.act_replace_file, self.act_focus_mark, self.act_www,
                           self.act_ebi, self.act_general, self.act_bank_www,
                           self.act_bank_ebi, self.act_next_criterion,
                           self.act_prev_criterion, self.act_agree, self.act_definitive,
                           self.act_allocate_one):
                action.setEnabled(has_script)
            self.act_annotate.setEnabled(annotate)
            self.toolbar.setVisible(has_set)
            for digit, action in enumerate(self.level_actions):
                # only what some level card advertises (set once: each change is an event)
                action.setEnabled(digit in digits)
        self.annotation_panel.update_buttons()

    # -- import ----------------------------------------------------------------------------

    def _ask_import_files(self) -> list[str]:
        from PySide6.QtWidgets import QFileDialog

        files, _ = QFileDialog.getOpenFileNames(
            self, "Import scripts", str(Path.home()),
            "Essays (*.docx *.pdf *.txt *.odt *.rtf);;All files (*)")
        return files

    def _ask_import_folder(self) -> str:
        from PySide6.QtWidgets import QFileDialog

        return QFileDialog.getExistingDirectory(self, "Import a folder of scripts",
                                                str(Path.home()))

    def import_files_dialog(self) -> None:
        files = self._ask_import_files()
        if files:
            self._import_with_pattern(files)

    def import_folder_dialog(self) -> None:
        folder = self._ask_import_folder()
        if folder:
            self._import_with_pattern([folder])

    def _import_with_pattern(self, paths: list[str | Path]) -> GeneratorTask | None:
        """Ask for the file-name pattern (with a preview of the first file), then import."""
        from rubric.importing import SUPPORTED_SUFFIXES, iter_candidate_files

        files = [f for f in iter_candidate_files([Path(p) for p in paths])
                 if f.suffix.lower() in SUPPORTED_SUFFIXES]
        from gui.dialogs import ImportDialog

        pattern = ImportDialog.ask(self, files, self.settings.get(NAME_PATTERN))
        if pattern is None:
            return None
        self.settings.set(NAME_PATTERN, pattern)
        return self.import_paths(paths, pattern)

    def import_paths(self, paths: list[str | Path],
                     pattern: str | None = None) -> GeneratorTask | None:
        """Parse files on a worker thread; add the scripts to the set on this thread in
        small groups, one transaction and one turn of the event loop each (so the window
        repaints and Cancel is seen during a big import). Cancel stops the worker between
        files and drops every file not added yet; what was added stays. ``pattern`` is the
        file-name pattern (default: the one last used)."""
        if self.marking_set is None:
            return None
        from rubric.importing import import_batch, iter_candidate_files

        ms = self.marking_set
        paths = [Path(p) for p in paths]
        total = sum(1 for _ in iter_candidate_files(paths))
        options = ImportOptions(name_pattern=pattern or self.settings.get(NAME_PATTERN),
                                word_limit=ms.scheme.word_limit)
        progress = QProgressDialog("Importing scripts…", "Cancel", 0, max(total, 1), self)
        progress.setObjectName("import_progress")
        progress.setWindowTitle("Import")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoReset(False)
        progress.setAutoClose(False)
        progress.setValue(0)
        task = GeneratorTask(lambda: import_batch(paths, options))
        lines: list[str] = []
        counts = {"imported": 0, "updated": 0, "skipped": 0, "failed": 0}
        self.import_counts = counts
        first_new: list[ScriptId] = []

        def record(outcome) -> None:
            kind = "imported" if outcome.imported else "updated" if outcome.updated else \
                "skipped" if outcome.skipped else "failed"
            counts[kind] += 1
            lines.append(outcome.line())
            if outcome.imported:
                first_new.append(outcome.script_id)

        def add_group(take) -> None:
            if self.marking_set is not ms or ms.closed:
                batches.cancel()
                return
            staged = self.session.add_import_group(take, options.name_pattern)
            if staged is None:   # the group could not be saved (the session said why)
                lines.append(f"stopped: {self.session.last_error}")
                batches.cancel()
                return
            for outcome in staged:
                if isinstance(outcome, str):
                    counts["failed"] += 1
                    lines.append(outcome)
                else:
                    record(outcome)
            done = sum(counts.values())
            progress.setLabelText(
                f"Importing scripts… {done:,} of {total:,} files\n"
                f"{counts['imported']:,} imported · {counts['skipped']:,} skipped · "
                f"{counts['failed']:,} could not be read")
            progress.setValue(min(done, progress.maximum()))

        def on_failed(message: str, details: str) -> None:
            lines.append(f"stopped: {message}")

        def on_done(cancelled: bool) -> None:
            try:
                progress.canceled.disconnect(batches.cancel)
            except (RuntimeError, TypeError):
                pass
            progress.reset()
            progress.close()
            if self.marking_set is not ms:
                return
            if first_new:
                self.select_script(first_new[0])
            elif counts["updated"] and self.current_script is not None:
                self.show_script(self.current_script.id)   # its names may have changed
            if cancelled:
                self.statusBar().showMessage(
                    f"Import cancelled: {counts['imported']:,} imported, "
                    f"{max(total - counts['imported'], 0):,} not imported", 15000)
            from gui.dialogs import ImportSummaryDialog

            summary = ImportSummaryDialog(self, lines, counts["imported"], counts["skipped"],
                                          counts["failed"], cancelled, counts["updated"])
            self.last_import_summary = summary
            summary.open()

        def on_worker_finished(_cancelled: bool) -> None:
            if self._import_task is task:
                self._import_task = None

        batches = Batches(task, add_group, on_done)
        task.signals.failed.connect(on_failed)
        task.signals.finished.connect(on_worker_finished)
        progress.canceled.connect(batches.cancel)
        self._import_task = task
        self._import_batches = batches
        self._import_progress = progress
        return start(task)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and paths[0].endswith(".markset"):
            QTimer.singleShot(0, lambda: self._open_dropped_set(paths[0]))
            return
        if self.marking_set is None:
            self.statusBar().showMessage("Open or create a marking set first, then drop "
                                         "essays onto it.", 8000)
            return
        self.import_paths(paths)

    def _open_dropped_set(self, path: str) -> None:
        from rubric.store.library import import_set_file

        try:
            self.open_set(import_set_file(path))
        except EssayMarkerError as exc:
            show_error(self, "Cannot open the set file", str(exc))

    # -- export and marks back in ------------------------------------------------------------

    def export_dialog(self):
        if self.marking_set is None:
            return None
        from gui.dialogs.export import ExportDialog

        dialog = ExportDialog(self.marking_set, self, self.settings)
        self.last_export_dialog = dialog
        dialog.open()
        return dialog

    def _ask_markbook_path(self) -> str:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Import marks from a markbook",
                                              str(Path.home()), "Markbooks (*.xlsx)")
        return path

    def import_marks(self) -> GeneratorTask | None:
        """Read an edited markbook on a worker thread (a busy dialog with Cancel meanwhile,
        the window repainting), then show old → new for every change and, on confirmation,
        apply them all in one transaction."""
        if self.marking_set is None or self._markbook_task is not None:
            return None
        path = self._ask_markbook_path()
        if not path:
            return None
        from rubric.export import MarkbookChanges, MarkbookError, read_markbook
        from rubric.export.snapshot import SetSnapshot

        ms = self.marking_set
        name = Path(path).name
        snapshot = SetSnapshot(ms)   # read here, so the worker never touches the set
        progress = QProgressDialog(f"Reading the markbook {name}…", "Cancel", 0, 0, self)
        progress.setObjectName("markbook_progress")
        progress.setWindowTitle("Import marks")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setAutoReset(False)
        progress.setAutoClose(False)

        def read():
            try:
                yield read_markbook(Path(path), snapshot)
            except MarkbookError as exc:
                yield exc

        task = GeneratorTask(read)
        outcome: list = []

        def on_item(item) -> None:
            outcome.append(item)

        def on_failed(message: str, details: str) -> None:
            outcome.append(f"{name}: cannot read the markbook ({message})")

        def on_finished(cancelled: bool) -> None:
            if self._markbook_task is task:
                self._markbook_task = None
            progress.reset()
            progress.close()
            if self.marking_set is not ms or ms.closed:
                return
            if cancelled or not outcome:
                self.statusBar().showMessage("Import of marks cancelled: nothing was changed",
                                             8000)
                return
            result = outcome[0]
            if isinstance(result, MarkbookChanges):
                self._confirm_markbook(ms, result)
            else:
                show_error(self, "Cannot read the markbook", str(result))

        task.signals.item.connect(on_item)
        task.signals.failed.connect(on_failed)
        task.signals.finished.connect(on_finished)
        progress.canceled.connect(task.cancel)
        self._markbook_task = task
        self.markbook_progress = progress
        progress.show()
        return start(task)

    def open_tool(self, name: str):
        """Tools › comparative judgement ("judging") or similar scripts ("similarity"): one
        window each, raised when already open."""
        from gui.dialogs import judging, similarity

        return {"judging": judging, "similarity": similarity}[name].show_for(self)

    def merge_files(self):
        """File › Merge…: markers' copies of this set, previewed before anything is applied."""
        from gui.dialogs.merge import merge_files

        return merge_files(self)

    def moderation_dialog(self):
        """Tools › Moderation…: two markers' agreement, the scatter plot, adjustment."""
        from gui.dialogs.moderation import ModerationDialog

        return ModerationDialog.show_for(self)

    def allocate_script_to(self) -> bool:
        """Moderation › Allocate this script to…: by hand, to one of the set's markers."""
        ms = self.marking_set
        if ms is None or self.current_script is None:
            return False
        markers = ms.markers()
        labels = [f"{m.name} ({m.role})" for m in markers]
        from gui import dialogs

        index = dialogs.ask_marker_choice(self, "Allocate this script to", labels)
        if index is None:
            return False
        return self.session.allocate_by_hand([self.current_script.id], markers[index].id)

    def allocate_scripts_dialog(self):
        """Moderation › Allocate scripts…: markers and a method (at random / by class)."""
        from gui.dialogs.moderating import allocate_scripts

        return allocate_scripts(self)

    def agree_marks_dialog(self):
        """Moderation › Agree marks…: the shown script's agreed mark per criterion."""
        from gui.dialogs.moderating import agree_marks

        return agree_marks(self)

    def set_definitive_marks(self):
        """Moderation › Set as definitive: the current marker's marks on the shown script."""
        from gui.dialogs.moderating import set_definitive

        return set_definitive(self)

    def compare_dialog(self):
        """Tools › Compare side by side…: two scripts, or one script's two markers."""
        from gui.dialogs.compare import CompareDialog

        return CompareDialog.show_for(self)

    def _confirm_markbook(self, ms: MarkingSet, changes) -> None:
        """Show what a markbook read would change; apply it (all or nothing) if confirmed."""
        import sqlite3

        from gui.dialogs.export import MarkbookImportDialog

        marker = ms.current_marker
        if not MarkbookImportDialog.ask(self, changes.lines(), len(changes.changes),
                                        f"{marker.name} ({marker.role})"):
            return
        if self.marking_set is not ms or ms.closed:
            return
        try:
            done = self.session.import_markbook(changes, marker.id)   # one undoable step
        except (OSError, sqlite3.Error) as exc:
            show_error(self, "Marks not imported", f"{exc}\n\nNothing was changed.")
            return
        if done:
            self.statusBar().showMessage(
                f"Imported {len(changes.changes)} marks (Undo puts them all back)", 8000)

    # -- view and help ---------------------------------------------------------------------

    def zoom_script(self, step: int) -> None:
        self.script_view.set_font_size(self.script_view.font_size() + step)

    def show_shortcuts(self) -> None:
        # undo and redo say what they would undo ("Undo Mark 8 for AO1"): not here
        fixed = {self.act_undo: "Undo", self.act_redo: "Redo"}
        rows = []
        for menu in self.menuBar().findChildren(type(self.file_menu)):
            for action in menu.actions():
                if action.shortcut().toString():
                    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                    name = fixed.get(action, action.text().replace("&", ""))
                    rows.append(f"<tr><td>{name}</td><td><b>{shortcut}</b></td></tr>")
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts",
                          "<table cellspacing=4>" + "".join(rows) + "</table>",
                          QMessageBox.StandardButton.Close, self)
        box.setObjectName("shortcuts_box")
        self.shortcuts_box = box
        box.open()

    def show_about(self) -> None:
        from html import escape

        from rubric import __version__
        from rubric.licences import bundled_licences

        rows = "".join(f"<tr><td>{escape(name)}</td><td>{escape(version)}</td>"
                       f"<td>{escape(licence)}</td></tr>"
                       for name, version, licence in bundled_licences())
        libraries = (f"<p>Built with these libraries (read from the installed packages):</p>"
                     f"<table cellspacing='6'><tr><th align='left'>Library</th>"
                     f"<th align='left'>Version</th><th align='left'>Licence</th></tr>"
                     f"{rows}</table>") if rows else ""
        QMessageBox.about(self, "About Essay Marker",
                          f"<b>Essay Marker {__version__}</b><p>Marks essays against "
                          "level-based rubrics, offline. Student work never leaves this "
                          f"computer.</p>{libraries}")

    def closeEvent(self, event) -> None:
        # Nothing to ask: every edit is already saved.
        if self._import_task is not None:
            self._import_task.cancel()
        if self._markbook_task is not None:
            self._markbook_task.cancel()
        if self.save_layout_on_close:
            self._save_layout()
        self.close_set(show_start_page=False)
        event.accept()

