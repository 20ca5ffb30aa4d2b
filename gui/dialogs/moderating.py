"""Moderation › Allocate scripts…, Agree marks… and Set as definitive.

Each dialog only asks (its ``ask`` function, which the tests replace); the change goes
through the window's :class:`~gui.session.MarkingSession`, so a refusal by the core (a
blind marker agreeing, a mark that does not fit) is one line on its ``failed`` signal.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.common import ok_cancel
from rubric.store.records import ROLES

#: (method value, label) for allocation.
ALLOCATE_METHODS = (("random", "Evenly at random"), ("class", "By class"))
#: (method value, label) for agreeing a criterion's mark.
AGREE_CHOICES = (("first", "First marker's"), ("second", "Second marker's"),
                 ("mean", "Mean (half rounded up)"), ("typed", "Typed mark"))


class AllocateDialog(QDialog):
    """Choose the markers (and perhaps add one) and how to deal the scripts out."""

    def __init__(self, parent: QWidget | None, markers: list[tuple[int, str]]):
        super().__init__(parent)
        self.setWindowTitle("Allocate scripts")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Give the scripts to these markers:"))
        self.marker_list = QListWidget()
        for marker_id, label in markers:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, marker_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.marker_list.addItem(item)
        layout.addWidget(self.marker_list)
        row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("Add a marker: name")
        self.new_role = QComboBox()
        for role in ROLES:
            self.new_role.addItem(str(role), str(role))
        row.addWidget(self.new_name, 1)
        row.addWidget(self.new_role)
        layout.addLayout(row)
        form = QFormLayout()
        self.method = QComboBox()
        for value, label in ALLOCATE_METHODS:
            self.method.addItem(label, value)
        form.addRow("Method:", self.method)
        layout.addLayout(form)
        buttons, _ok = ok_cancel(self, "Allocate")
        layout.addWidget(buttons)

    def choice(self) -> tuple[list[int], str, str, str]:
        """(checked marker ids, method, new marker's name or '', new marker's role)."""
        ids = [self.marker_list.item(n).data(Qt.ItemDataRole.UserRole)
               for n in range(self.marker_list.count())
               if self.marker_list.item(n).checkState() == Qt.CheckState.Checked]
        return ids, self.method.currentData(), self.new_name.text().strip(), \
            self.new_role.currentData()


def ask_allocation(parent, markers: list[tuple[int, str]]):
    """The user's choice (see :meth:`AllocateDialog.choice`), or None when cancelled."""
    dialog = AllocateDialog(parent, markers)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


class AgreeDialog(QDialog):
    """Per criterion: the first marker's, the second's, the mean, or a typed mark."""

    def __init__(self, parent: QWidget | None, criteria: list[tuple[str, int, str]]):
        super().__init__(parent)
        self.setWindowTitle("Agree marks")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.rows: dict[str, tuple[QComboBox, QSpinBox]] = {}
        for name, maximum, hint in criteria:
            method = QComboBox()
            for value, label in AGREE_CHOICES:
                method.addItem(label, value)
            spin = QSpinBox()
            spin.setRange(0, maximum)
            spin.setEnabled(False)
            method.currentIndexChanged.connect(
                lambda _i, m=method, s=spin: s.setEnabled(m.currentData() == "typed"))
            row = QHBoxLayout()
            row.addWidget(method, 1)
            row.addWidget(spin)
            if hint:
                row.addWidget(QLabel(hint))
            form.addRow(f"{name}:", row)
            self.rows[name] = (method, spin)
        layout.addLayout(form)
        buttons, _ok = ok_cancel(self, "Agree")
        layout.addWidget(buttons)

    def choice(self) -> dict[str, tuple[str, int | None]]:
        return {name: (m.currentData(), s.value() if m.currentData() == "typed" else None)
                for name, (m, s) in self.rows.items()}


def ask_agreement(parent, criteria: list[tuple[str, int, str]]):
    """{criterion: (method, typed mark or None)}, or None when cancelled."""
    dialog = AgreeDialog(parent, criteria)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def show_result(window, text: str) -> None:
    window.statusBar().showMessage(text, 10000)


# -- the actions -------------------------------------------------------------------------


def allocate_scripts(window) -> bool:
    session = window.session
    ms = session.marking_set
    if ms is None:
        return False
    markers = [(int(m.id), f"{m.name} ({m.role})") for m in ms.markers()]
    answer = ask_allocation(window, markers)
    if answer is None:
        return False
    ids, method, new_name, new_role = answer
    ids = list(ids)
    if new_name:
        added = session.add_marker(new_name, new_role)
        if added is None:
            return False
        ids.append(added)
    if not session.allocate_scripts(ids, method):
        return False
    counts: dict[str, int] = {}
    names = {m.id: m.name for m in ms.markers()}
    for marker in ms.allocation().values():
        counts[names[marker]] = counts.get(names[marker], 0) + 1
    show_result(window, "Allocated: " + ", ".join(f"{n} {c}" for n, c in counts.items()))
    return True


def agree_marks(window) -> bool:
    session = window.session
    ms = session.marking_set
    script = window.current_script
    if ms is None or script is None:
        return False
    if ms.is_blind():
        ms_marker = ms.current_marker
        session.report(f"{ms_marker.name} is marking blind: reveal the other marks before "
                       "agreeing one")
        return False
    criteria = []
    for criterion in ms.scheme.criteria:
        one, two = ms.first_and_second(script.id, criterion.name)
        hint = f"{'–' if one is None else one.mark} / {'–' if two is None else two.mark}"
        criteria.append((criterion.name, criterion.maximum, hint))
    answer = ask_agreement(window, criteria)
    if answer is None:
        return False
    for name, (method, mark) in answer.items():
        if not session.agree(script.id, name, method, mark):
            return False
    agreed = ms.agreed_marks(script.id)
    show_result(window, "Agreed: " + ", ".join(f"{a.criterion} {a.mark} ({a.method})"
                                               for a in agreed))
    return True


def set_definitive(window) -> bool:
    session = window.session
    script = window.current_script
    if session.marking_set is None or script is None:
        return False
    if not session.set_definitive(script.id):
        return False
    marks = session.marking_set.definitive_marks(script.id)
    show_result(window, "Definitive: " + ", ".join(f"{d.criterion} {d.mark}" for d in marks))
    return True
