"""Small dialogs. Each has an ``ask`` classmethod so tests can replace the modal step."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rubric.scheme import Scheme
from rubric.store import BankComment
from rubric.store.records import candidate_label, initials_of
from rubric.templates import bundled_templates


def ok_cancel(dialog: QDialog, ok_text: str | None = None) -> tuple[QDialogButtonBox, QPushButton]:
    """The dialog's OK and Cancel buttons, wired to accept and reject, and its OK button
    (named ``ok_text`` when given: "Create", "Import", "Agree")."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    if ok_text:
        ok.setText(ok_text)
    return buttons, ok


class AnnotationDialog(QDialog):
    """Comment on a passage: the comment (with the bank's annotation comments as a
    completer and a pick list) and an optional criterion."""

    def __init__(self, parent: QWidget | None, quote: str, criteria: list[str],
                 bank: list[BankComment], comment: str = "", criterion: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Comment on passage")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        shown = quote if len(quote) <= 240 else quote[:237] + "…"
        passage = QLabel(f"“{shown}”")
        passage.setWordWrap(True)
        passage.setStyleSheet("font-style: italic; color: palette(placeholder-text);")
        layout.addWidget(passage)
        self.comment_edit = QPlainTextEdit(comment)
        self.comment_edit.setObjectName("annotation_comment")
        self.comment_edit.setPlaceholderText("Your comment on this passage…")
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setFixedHeight(90)
        layout.addWidget(self.comment_edit)
        form = QFormLayout()
        self.bank_combo = QComboBox()
        self.bank_combo.setObjectName("annotation_bank")
        self.bank_combo.addItem("Insert a comment from the bank…", None)
        for item in bank:
            if item.kind == "annotation":
                self.bank_combo.addItem(item.text, item.text)
        self.bank_combo.activated.connect(self._use_bank)
        completer = QCompleter([b.text for b in bank if b.kind == "annotation"], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        form.addRow("Bank:", self.bank_combo)
        self.criterion_combo = QComboBox()
        self.criterion_combo.setObjectName("annotation_criterion")
        self.criterion_combo.addItem("No criterion", None)
        for name in criteria:
            self.criterion_combo.addItem(name, name)
        if criterion:
            self.criterion_combo.setCurrentIndex(self.criterion_combo.findData(criterion))
        elif len(criteria) == 1:
            self.criterion_combo.setCurrentIndex(1)
        form.addRow("Criterion:", self.criterion_combo)
        layout.addLayout(form)
        buttons, self.ok_button = ok_cancel(self)
        self.comment_edit.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.comment_edit.toPlainText().strip())))
        self.ok_button.setEnabled(bool(comment.strip()))
        layout.addWidget(buttons)

    def _use_bank(self, index: int) -> None:
        text = self.bank_combo.itemData(index)
        if text:
            self.comment_edit.setPlainText(text)
            self.comment_edit.setFocus()

    def values(self) -> tuple[str, str | None]:
        return self.comment_edit.toPlainText().strip(), self.criterion_combo.currentData()

    @classmethod
    def ask(cls, parent, quote: str, criteria: list[str], bank: list[BankComment],
            comment: str = "", criterion: str | None = None) -> tuple[str, str | None] | None:
        dialog = cls(parent, quote, criteria, bank, comment, criterion)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.values()
        return None


class NewSetDialog(QDialog):
    """A name and a scheme (a bundled template or a scheme file)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New marking set")
        self.setMinimumWidth(460)
        layout = QFormLayout(self)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. 13B Russia mock, November")
        layout.addRow("&Name:", self.name_edit)
        self.scheme_combo = QComboBox()
        self.scheme_combo.setObjectName("new_set_rubric")
        for scheme in bundled_templates():
            self.scheme_combo.addItem(scheme_label(scheme), scheme.id)
        layout.addRow("&Rubric:", self.scheme_combo)
        buttons, ok = ok_cancel(self, "Create")
        ok.setEnabled(False)
        self.name_edit.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        layout.addRow(buttons)

    @classmethod
    def ask(cls, parent) -> tuple[str, str] | None:
        dialog = cls(parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.name_edit.text().strip(), dialog.scheme_combo.currentData()
        return None


class MarkerDialog(QDialog):
    """Who is marking: name, initials, role. The initials follow the name as it is typed
    ("Priya Patel" gives "PP") until the user edits the initials themselves."""

    ROLES = (("Teacher", "teacher"), ("Second marker", "second"), ("Moderator", "moderator"))

    def __init__(self, parent, name: str, initials: str, role: str, first_run: bool = False,
                 blind: bool | None = None):
        super().__init__(parent)
        self.setObjectName("marker_dialog")
        self.setWindowTitle("Who is marking?" if first_run else "Marker details")
        self.setMinimumWidth(420)
        outer = QVBoxLayout(self)
        if first_run:
            text = ("Who is marking? Your name and initials go on every mark, comment and "
                    "annotation you make, and on the feedback you export.")
            if name.strip():
                text += (f" This set's teacher is {name.strip()}: keep these details to mark "
                         "as them, or enter your own.")
            intro = QLabel(text + " You can change them later in File ▸ Marker details.")
            intro.setTextFormat(Qt.TextFormat.PlainText)
            intro.setObjectName("marker_intro")
            intro.setWordWrap(True)
            outer.addWidget(intro)
        layout = QFormLayout()
        outer.addLayout(layout)
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("marker_name")
        self.name_edit.setPlaceholderText("e.g. Priya Patel")
        self.initials_edit = QLineEdit(initials)
        self.initials_edit.setObjectName("marker_initials")
        self.initials_edit.setMaxLength(4)
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("marker_role")
        for text, value in self.ROLES:
            self.role_combo.addItem(text, value)
        self.role_combo.setCurrentIndex(max(0, self.role_combo.findData(role)))
        layout.addRow("&Name:", self.name_edit)
        layout.addRow("&Initials:", self.initials_edit)
        layout.addRow("&Role:", self.role_combo)
        # blind second marking: only for second markers and moderators (None: not offered)
        self.blind_check: QCheckBox | None = None
        if blind is not None:
            self.blind_check = QCheckBox("Mark &blind (hide other markers' marks)")
            self.blind_check.setObjectName("marker_blind")
            self.blind_check.setChecked(blind)
            self.blind_check.setToolTip("Other markers' marks, comments and annotations stay "
                                        "hidden until you reveal them (the reveal is recorded)")
            layout.addRow("", self.blind_check)
            self.role_combo.currentIndexChanged.connect(lambda _i: self._role_changed())
            self._role_changed()
        # Initials the marker chose (not those the name gives) are never overwritten; on
        # first run the details offered are the set's teacher's, so a new name gets its own.
        self._initials_edited = not first_run and bool(initials.strip()) and (
            not name.strip() or initials.strip() != initials_of(name))
        self.name_edit.textChanged.connect(self._name_changed)
        self.initials_edit.textEdited.connect(self._initials_typed)
        buttons, self.ok_button = ok_cancel(self)
        self.ok_button.setEnabled(bool(name.strip()))
        outer.addWidget(buttons)
        if not initials.strip() and name.strip():
            self._name_changed(name)

    def _name_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))
        if not self._initials_edited:
            self.initials_edit.setText(initials_of(text) if text.strip() else "")

    def _initials_typed(self, text: str) -> None:
        # An emptied box follows the name again (an empty box means the name's initials).
        self._initials_edited = bool(text.strip())

    def _role_changed(self) -> None:
        if self.blind_check is not None:
            teacher = self.role_combo.currentData() == "teacher"
            self.blind_check.setEnabled(not teacher)
            if teacher:
                self.blind_check.setChecked(False)

    def blind(self) -> bool:
        return self.blind_check is not None and self.blind_check.isChecked()

    def values(self) -> tuple[str, str, str]:
        name = " ".join(self.name_edit.text().split())
        initials = self.initials_edit.text().strip() or initials_of(name)
        return name, initials, self.role_combo.currentData()

    @classmethod
    def ask(cls, parent, name: str, initials: str, role: str,
            first_run: bool = False) -> tuple[str, str, str] | None:
        dialog = cls(parent, name, initials, role, first_run)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.name_edit.text().strip():
            return dialog.values()
        return None

    @classmethod
    def ask_details(cls, parent, name: str, initials: str, role: str,
                    blind: bool) -> tuple[str, str, str, bool] | None:
        """File ▸ Marker details…: the marker and whether they mark blind."""
        dialog = cls(parent, name, initials, role, blind=blind)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.name_edit.text().strip():
            return (*dialog.values(), dialog.blind())
        return None


class ImportDialog(QDialog):
    """Before an import: the file-name pattern that candidate names and numbers are read
    from, with a live preview of what the first file gives and the pattern's problems."""

    def __init__(self, parent: QWidget | None, files: list[Path], pattern: str):
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.setWindowTitle("Import scripts")
        self.setMinimumWidth(560)
        self.files = files
        layout = QVBoxLayout(self)
        count = len(files)
        intro = QLabel(f"<b>{count} file{'s' if count != 1 else ''}</b> to import. Candidate "
                       "names and numbers are read from each file name by this pattern (and "
                       "from the text when the name does not fit).")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.pattern_edit = QLineEdit(pattern)
        self.pattern_edit.setObjectName("name_pattern")
        self.pattern_edit.setPlaceholderText("{number}_{surname}_{forename}")
        form.addRow("File-name &pattern:", self.pattern_edit)
        fields = QLabel("Fields: {number} {surname} {forename} {name} {initials}, and * for "
                        "anything. Importing a file that is already in the set with a new "
                        "pattern updates its names.")
        fields.setWordWrap(True)
        fields.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", fields)
        self.preview = QLabel()
        self.preview.setObjectName("pattern_preview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("Preview:", self.preview)
        layout.addLayout(form)
        buttons, self.ok_button = ok_cancel(self, "Import")
        layout.addWidget(buttons)
        self.pattern_edit.textChanged.connect(self._update_preview)
        self._update_preview()

    def pattern(self) -> str:
        return self.pattern_edit.text().strip()

    def _update_preview(self) -> None:
        from rubric.importing import candidate_from_filename, pattern_problems

        pattern = self.pattern()
        problems = pattern_problems(pattern)
        self.ok_button.setEnabled(not problems)
        if problems:
            self.preview.setStyleSheet("color: #c62828;")
            text = "; ".join(problems)
            self.preview.setText(text[:1].upper() + text[1:])
            return
        self.preview.setStyleSheet("")
        if not self.files:
            self.preview.setText("(no files)")
            return
        first = self.files[0]
        name, number = candidate_from_filename(first.name, pattern)
        if name or number:
            shown = " · ".join(p for p in (f"name: {name}" if name else "",
                                           f"number: {number}" if number else "") if p)
            self.preview.setText(f"{first.name} → {shown}")
        else:
            self.preview.setText(
                f"{first.name} does not fit this pattern: the names are read from the text "
                f"if it has them, else the script is shown as "
                f"“{candidate_label('', '', first.name)}”")

    @classmethod
    def ask(cls, parent, files: list[Path], pattern: str) -> str | None:
        """The pattern to import with, or None when the user cancels."""
        dialog = cls(parent, files, pattern)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.ok_button.isEnabled():
            return dialog.pattern()
        return None


class EditCandidateDialog(QDialog):
    """Correct a script's candidate name and number."""

    def __init__(self, parent: QWidget | None, name: str, number: str, file_name: str):
        super().__init__(parent)
        self.setObjectName("edit_candidate")
        self.setWindowTitle("Edit candidate")
        self.setMinimumWidth(420)
        layout = QFormLayout(self)
        source = QLabel(file_name)
        source.setTextFormat(Qt.TextFormat.PlainText)
        source.setStyleSheet("color: palette(placeholder-text);")
        layout.addRow("File:", source)
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("candidate_name")
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText(f"(none: shown as “{candidate_label('', '', file_name)}”)")
        layout.addRow("Candidate &name:", self.name_edit)
        self.number_edit = QLineEdit(number)
        self.number_edit.setObjectName("candidate_number")
        self.number_edit.setMaxLength(40)
        layout.addRow("Candidate n&umber:", self.number_edit)
        buttons, _ok = ok_cancel(self)
        layout.addRow(buttons)

    def values(self) -> tuple[str, str]:
        return " ".join(self.name_edit.text().split()), self.number_edit.text().strip()

    @classmethod
    def ask(cls, parent, name: str, number: str, file_name: str) -> tuple[str, str] | None:
        dialog = cls(parent, name, number, file_name)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.values()
        return None


def confirm(parent, title: str, text: str, button: str) -> bool:
    """A yes/no question with a named action button (tests replace this)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("confirm_box")
    action = box.addButton(button, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is action


def complete_anyway(parent, criteria: list[str]) -> bool:
    """Mark a script complete though these criteria have no mark yet? (tests replace this)"""
    names = criteria[0] if len(criteria) == 1 else \
        ", ".join(criteria[:-1]) + " and " + criteria[-1]
    return confirm(parent, "Mark complete", f"No mark yet for {names}. Complete anyway?",
                   "&Complete anyway")


class ImportSummaryDialog(QDialog):
    """What an import did: counts, then one line per file with its reason."""

    def __init__(self, parent, lines: list[str], imported: int, skipped: int, failed: int,
                 cancelled: bool, updated: int = 0):
        super().__init__(parent)
        self.setObjectName("import_summary")
        self.setWindowTitle("Import finished" if not cancelled else "Import cancelled")
        self.setMinimumSize(620, 360)
        layout = QVBoxLayout(self)
        names = f", {updated} names updated" if updated else ""
        head = (f"<b>{imported} imported</b>{names}, {skipped} skipped, {failed} could not be "
                "read")
        if cancelled:
            head += " — cancelled; the scripts imported so far are kept"
        self.headline = QLabel(head)
        layout.addWidget(self.headline)
        self.list = QListWidget()
        self.list.addItems(lines)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


def scheme_label(scheme: Scheme) -> str:
    """A rubric as a list shows it: "AQA-style NEA historical investigation — 40 marks (AO1
    20, AO2 10, AO3 10)"; the marks are said once even when the title ends "(40 marks)"."""
    title = scheme.title.strip()
    said = re.search(r"\s*\(\s*(\d+)\s*marks?\s*\)\s*$", title)
    if said and int(said.group(1)) == scheme.total:
        title = title[:said.start()].rstrip()
    marks = f"{scheme.total} mark{'s' if scheme.total != 1 else ''}"
    if len(scheme.criteria) > 1:
        marks += " (" + ", ".join(f"{c.name} {c.maximum}" for c in scheme.criteria) + ")"
    return f"{title or scheme.id} — {marks}"


def ask_backup(parent, labels: list[str]) -> int | None:
    """Which backup to restore (an index into ``labels``, newest first), or None."""
    from PySide6.QtWidgets import QInputDialog

    if not labels:
        return None
    choice, ok = QInputDialog.getItem(
        parent, "Restore from a backup",
        "Choose the backup to go back to. The set as it is now is kept as a backup first,\n"
        "so a restore can itself be undone by restoring again.", labels, 0, False)
    return labels.index(choice) if ok and choice in labels else None


def ask_marker_choice(parent, title: str, labels: list[str]) -> int | None:
    """Which of the set's markers (an index into ``labels``), or None."""
    from PySide6.QtWidgets import QInputDialog

    if not labels:
        return None
    choice, ok = QInputDialog.getItem(parent, title, "Marker:", labels, 0, False)
    return labels.index(choice) if ok and choice in labels else None
