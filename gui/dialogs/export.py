"""Exporting a set (Word feedback, class pack, cover sheets, Excel markbook, CSV) and reading
marks back in from an edited markbook.

An export holds the scripts marked (or moderated) unless "Include scripts not marked yet"
is ticked (the core chooses them: ``rubric.export.snapshot.exported_scripts``). The
dialog's choices are remembered in the settings for the next export.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from gui import settings as opts
from gui.settings import Settings
from gui.tasks import GeneratorTask, start
from rubric.errors import EssayMarkerError
from rubric.record import replace
from rubric.store import MarkingSet
from rubric.store.locations import safe_file_stem


def default_export_folder(set_name: str) -> Path:
    documents = Path.home() / "Documents"
    base = documents if documents.is_dir() else Path.home()
    return base / "Essay Marker" / safe_file_stem(set_name)


class ExportDialog(QDialog):
    """Choose what to export and where; runs with a progress bar and Cancel, then offers to
    open the folder."""

    def __init__(self, marking_set: MarkingSet, parent=None, settings: Settings | None = None):
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)
        self.marking_set = marking_set
        self.settings = settings or Settings()
        self.task: GeneratorTask | None = None
        self.written: list[str] = []
        self.failed: list[str] = []
        layout = QVBoxLayout(self)

        where = QHBoxLayout()
        self.folder_edit = QLineEdit(str(default_export_folder(marking_set.name)))
        self.folder_edit.setObjectName("export_folder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        where.addWidget(QLabel("Folder:"))
        where.addWidget(self.folder_edit, 1)
        where.addWidget(browse)
        layout.addLayout(where)

        what = QGroupBox("What to export")
        form = QVBoxLayout(what)
        self.feedback_box = QCheckBox("Feedback sheets: one Word file per script")
        self.feedback_box.setChecked(True)
        self.pattern_edit = QLineEdit("{candidate}_{set}.docx")
        self.pattern_edit.setToolTip("Fields: {candidate} {name} {number} {set} {id}")
        pattern_row = QFormLayout()
        pattern_row.setContentsMargins(24, 0, 0, 0)
        pattern_row.addRow("File names:", self.pattern_edit)
        self.pack_box = QCheckBox("Class pack: every script's feedback in one Word file")
        self.cover_box = QCheckBox("Coursework cover sheets (one Word file per script)")
        self.cover_box.setChecked(bool(marking_set.scheme.word_limit))
        self.excel_box = QCheckBox("Markbook (Excel): marks, comments, summary and chart")
        self.excel_box.setChecked(True)
        self.csv_box = QCheckBox("Marks as CSV")
        for widget in (self.feedback_box,):
            form.addWidget(widget)
        form.addLayout(pattern_row)
        for widget in (self.pack_box, self.cover_box, self.excel_box, self.csv_box):
            form.addWidget(widget)
        self.unmarked_box = QCheckBox("Include scripts not marked yet")
        self.unmarked_box.setObjectName("include_unmarked")
        self.unmarked_box.setToolTip("Off: only scripts marked (or moderated) are exported")
        self.which_note = QLabel()
        self.which_note.setObjectName("which_note")
        self.which_note.setWordWrap(True)
        self.which_note.setStyleSheet("color: palette(placeholder-text);")
        form.addSpacing(4)
        form.addWidget(self.unmarked_box)
        form.addWidget(self.which_note)
        layout.addWidget(what)

        options = QGroupBox("In the Word documents")
        options_layout = QVBoxLayout(options)
        self.script_box = QCheckBox("Include the script, with annotations as Word comments")
        self.script_box.setChecked(True)
        self.annotations_box = QCheckBox("Include annotations")
        self.annotations_box.setChecked(True)
        self.descriptors_box = QCheckBox("Include level descriptors")
        self.descriptors_box.setChecked(True)
        self.school_edit = QLineEdit()
        self.school_edit.setPlaceholderText("School name (optional)")
        for widget in (self.script_box, self.annotations_box, self.descriptors_box,
                       self.school_edit):
            options_layout.addWidget(widget)
        layout.addWidget(options)

        self.progress = QProgressBar()
        self.progress.setObjectName("export_progress")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setObjectName("export_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.results = QListWidget()
        self.results.setObjectName("export_results")
        self.results.hide()
        layout.addWidget(self.results)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("export_button")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_folder_button = self.buttons.addButton(
            "Open the folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder_button.setObjectName("open_folder_button")
        self.open_folder_button.hide()
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.open_folder_button.clicked.connect(self.open_folder)
        layout.addWidget(self.buttons)
        self._load_choices()
        self.unmarked_box.toggled.connect(self._update_which_note)
        self._update_which_note()

    # -- the choices, remembered between exports --------------------------------------------

    def _choice_boxes(self) -> list[tuple[QCheckBox, opts.Option]]:
        return [(self.feedback_box, opts.EXPORT_FEEDBACK), (self.pack_box, opts.EXPORT_PACK),
                (self.cover_box, opts.EXPORT_COVER), (self.excel_box, opts.EXPORT_EXCEL),
                (self.csv_box, opts.EXPORT_CSV), (self.script_box, opts.EXPORT_SCRIPT),
                (self.annotations_box, opts.EXPORT_ANNOTATIONS),
                (self.descriptors_box, opts.EXPORT_DESCRIPTORS),
                (self.unmarked_box, opts.EXPORT_UNMARKED)]

    def _load_choices(self) -> None:
        for box, option in self._choice_boxes():
            if option is opts.EXPORT_COVER and not self.settings.has(option):
                continue   # never chosen: on for coursework (a scheme with a word limit)
            box.setChecked(self.settings.get(option))
        self.pattern_edit.setText(self.settings.get(opts.EXPORT_FILE_PATTERN)
                                  or opts.EXPORT_FILE_PATTERN.default)
        self.school_edit.setText(self.settings.get(opts.EXPORT_SCHOOL))

    def save_choices(self) -> None:
        """Remember what is ticked and typed, for the next export."""
        for box, option in self._choice_boxes():
            self.settings.set(option, box.isChecked())
        self.settings.set(opts.EXPORT_FILE_PATTERN, self.pattern_edit.text().strip()
                          or opts.EXPORT_FILE_PATTERN.default)
        self.settings.set(opts.EXPORT_SCHOOL, self.school_edit.text().strip())
        self.settings.sync()

    def which(self) -> str:
        """Which scripts the export holds: "all", or only those "marked"."""
        return "all" if self.unmarked_box.isChecked() else "marked"

    def _counts(self) -> tuple[int, int]:
        """(scripts the export would hold, scripts in the set)."""
        from rubric.export.snapshot import exported_scripts

        ms = self.marking_set
        scripts = ms.scripts()
        return len(exported_scripts(scripts, ms.statuses(), self.which())), len(scripts)

    def _update_which_note(self) -> None:
        exported, total = self._counts()
        if self.unmarked_box.isChecked():
            text = f"All {total} script{'s' if total != 1 else ''} will be exported."
        else:
            left = total - exported
            text = (f"{exported} of {total} scripts are marked and will be exported"
                    + (f"; {left} not marked yet {'is' if left == 1 else 'are'} left out."
                       if left else "."))
        self.which_note.setText(text)

    # -- running ---------------------------------------------------------------------------

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder",
                                                  self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def folder(self) -> Path:
        return Path(self.folder_edit.text()).expanduser()

    def word_options(self):
        from rubric.export import WordOptions

        return replace(WordOptions(), include_script=self.script_box.isChecked(),
                       include_annotations=self.annotations_box.isChecked(),
                       include_descriptors=self.descriptors_box.isChecked(),
                       school=self.school_edit.text().strip(),
                       file_pattern=self.pattern_edit.text().strip() or
                       "{candidate}_{set}.docx", which=self.which())

    def start_export(self) -> GeneratorTask | None:
        """Spreadsheets are written here (they take well under a second); Word documents
        are built on a worker thread, from a snapshot taken here, with progress and Cancel."""
        from rubric import export

        folder = self.folder()
        stem = safe_file_stem(self.marking_set.name)
        self.written, self.failed = [], []
        self.results.clear()
        self.save_choices()
        if self._counts()[0] == 0:
            self.status.setText("No script is marked yet, so there is nothing to export. Tick "
                                "“Include scripts not marked yet” to export them all.")
            return None
        which = self.which()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._finish_line(f"failed: {folder}: {exc.strerror or exc}")
            self._done(False)
            return None
        options = self.word_options()
        ms = self.marking_set
        for box, path, run in (
            (self.excel_box, folder / f"{stem} markbook.xlsx",
             lambda p: export.export_markbook(ms, p, which=which)),
            (self.csv_box, folder / f"{stem} marks.csv",
             lambda p: export.export_csv(ms, p, which=which)),
        ):
            if not box.isChecked():
                continue
            try:
                for warning in run(path):
                    self._finish_line(f"warning: {warning}")
                self.written.append(str(path))
                self._finish_line(f"written: {path.name}")
            except EssayMarkerError as exc:
                self.failed.append(str(exc))
                self._finish_line(f"failed: {exc}")
        tasks = []
        try:
            if self.feedback_box.isChecked():
                tasks.append(export.iter_export_feedback_folder(ms, folder / "Feedback", options))
            if self.cover_box.isChecked():
                tasks.append(export.iter_export_cover_sheets(ms, folder / "Cover sheets",
                                                             options))
            if self.pack_box.isChecked():
                tasks.append(export.iter_export_class_pack(ms, folder / f"{stem} class pack.docx",
                                                           options))
        except EssayMarkerError as exc:
            self.failed.append(str(exc))
            self._finish_line(f"failed: {exc}")
            tasks = []
        if not tasks:
            self._done(False)
            return None
        self._export_tasks = tasks
        total = sum(task.total for task in tasks)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.show()
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.status.setText("Writing Word documents…")

        def work():
            for task in tasks:
                yield from task

        counter = {"done": 0}

        def on_item(step) -> None:
            counter["done"] += 1
            self.progress.setValue(counter["done"])
            self.status.setText(f"Writing {Path(step.path).name}…")

        def on_finished(cancelled: bool) -> None:
            for task in tasks:
                for path in task.report.written:
                    self.written.append(str(path))
                for path, reason in task.report.failed:
                    self.failed.append(f"{Path(path).name}: {reason}")
                    self._finish_line(f"failed: {Path(path).name}: {reason}")
            self._finish_line(f"written: {sum(len(t.report.written) for t in tasks)} Word "
                              "documents")
            self.task = None
            self._done(cancelled)

        task = GeneratorTask(work)
        task.signals.item.connect(on_item)
        task.signals.failed.connect(lambda message, _details: self._finish_line(
            f"failed: {message}"))
        task.signals.finished.connect(on_finished)
        self.task = task
        return start(task)

    def _finish_line(self, line: str) -> None:
        self.results.show()
        self.results.addItem(line)

    def _done(self, cancelled: bool) -> None:
        self.progress.hide()
        written, failed = len(self.written), len(self.failed)
        text = f"Done: {written} file{'s' if written != 1 else ''} written"
        if failed:
            text += f", {failed} could not be written (see the list)"
        if cancelled:
            text = f"Cancelled: {written} files written before stopping"
        self.status.setText(text)
        self.export_button.setEnabled(True)
        self.cancel_button.setText("Close")
        self.open_folder_button.setVisible(written > 0)

    def _cancel_or_close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            for task in getattr(self, "_export_tasks", []):
                task.cancel()
            self.status.setText("Cancelling…")
            return
        self.reject()

    def open_folder(self) -> bool:
        """Open the export folder in the file manager; when it cannot (no file manager, or
        the folder has gone) the dialog and the window's status bar say where it is."""
        folder = self.folder()
        if not folder.is_dir():
            message = f"The folder {folder} is not there any more."
        elif QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            return True
        else:
            message = f"Could not open the folder. The files are in {folder}"
        self.status.setText(message)
        parent = self.parent()
        if parent is not None and hasattr(parent, "statusBar"):
            parent.statusBar().showMessage(message, 15000)
        return False


class MarkbookImportDialog(QDialog):
    """What an edited markbook would change (old → new), and rows that cannot be used.
    Nothing is applied until the user confirms."""

    def __init__(self, lines: list[str], change_count: int, marker_text: str, parent=None):
        super().__init__(parent)
        self.setObjectName("markbook_import_dialog")
        self.setWindowTitle("Import marks from a markbook")
        self.setMinimumSize(620, 380)
        layout = QVBoxLayout(self)
        head = QLabel(f"<b>{change_count} change{'s' if change_count != 1 else ''}</b> "
                      f"would be recorded as {marker_text}. Rows that cannot be used are "
                      "listed and left alone.")
        head.setWordWrap(True)
        layout.addWidget(head)
        self.list = QListWidget()
        self.list.addItems(lines)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton(
            f"Apply {change_count} change{'s' if change_count != 1 else ''}",
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(change_count > 0)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent, lines: list[str], change_count: int, marker_text: str) -> bool:
        dialog = cls(lines, change_count, marker_text, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted


__all__ = ["ExportDialog", "MarkbookImportDialog", "default_export_folder"]
