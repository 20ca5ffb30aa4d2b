"""File › Restore from a backup…, and a failed backup shown beside "Saved" (the change
itself is saved)."""

from __future__ import annotations

from gui import dialogs
from rubric.safe_write import ExportError
from rubric.store import backups


def _first_script_with_mark(window):
    script_id = window.current_script.id
    criterion = window.marking_set.scheme.criteria[0].name
    return script_id, criterion


def test_restore_from_a_backup_goes_back_and_can_be_undone(window, monkeypatch):
    ms = window.marking_set
    script_id, criterion = _first_script_with_mark(window)
    ms.set_mark(script_id, criterion, 3)
    ms.backup_now()                                         # the backup holds 3
    ms.set_mark(script_id, criterion, 24)
    path = ms.path
    chosen = []
    monkeypatch.setattr(dialogs, "ask_backup", lambda parent, labels: chosen.append(labels) or 0)
    assert window.restore_from_backup()
    assert window.marking_set is not None and window.marking_set.path == path
    assert window.marking_set.marks_for(script_id)[criterion].mark == 3
    # the state before the restore is now the newest backup: restoring it goes back to 24
    assert window.restore_from_backup()
    assert window.marking_set.marks_for(script_id)[criterion].mark == 24
    assert "before a restore" in chosen[1][0]


def test_cancelling_the_choice_changes_nothing(window, monkeypatch):
    window.marking_set.backup_now()
    monkeypatch.setattr(dialogs, "ask_backup", lambda parent, labels: None)
    before = window.marking_set
    assert not window.restore_from_backup()
    assert window.marking_set is before


def test_a_failed_backup_is_shown_but_the_mark_is_saved(window, monkeypatch):
    def disk_full(db, set_path, keep=10, reason=None):
        raise ExportError(set_path, "the disk is full")

    monkeypatch.setattr(backups, "backup_set", disk_full)
    ms = window.marking_set
    ms.backup_every_seconds = 0
    ms._backup_pending = True
    script_id, criterion = _first_script_with_mark(window)
    window._mark_chosen(criterion, 7)
    assert ms.marks_for(script_id)[criterion].mark == 7
    assert "the backup could not be written: the disk is full" in window.saved_label.text()
