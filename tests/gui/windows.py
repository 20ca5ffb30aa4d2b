"""What the GUI tests share: a main window opened on a set as a user opens it, and a
one-paragraph script draft for sets built in a fixture."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow
from gui.settings import Settings
from rubric.importing.model import Paragraph, ScriptDraft


def open_window(qtbot, path: Path | None = None,
                size: tuple[int, int] | None = (1440, 900),
                ask_marker: bool = True) -> MainWindow:
    """A shown main window (``size`` None: Qt's default size) with ``path`` open;
    ``ask_marker`` False: marking as the set's teacher, without the first-run question."""
    window = MainWindow(Settings())
    window.ask_marker_on_first_open = ask_marker
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    if path is not None:
        assert window.open_set(path)
        QApplication.processEvents()
    return window


def one_paragraph_draft(number: str, sentence: str, repeat: int, words: int,
                        surname: str = "Khan_Amira") -> ScriptDraft:
    """Candidate "Amira NUMBER" whose script is ``sentence`` ``repeat`` times, counted as
    ``words`` words."""
    return ScriptDraft(path=Path(f"{number}_{surname}.docx"), format="docx",
                       paragraphs=[Paragraph(sentence * repeat)],
                       candidate_name=f"Amira {number}", candidate_number=number,
                       word_count=words, coursework_word_count=words,
                       source_bytes=number.encode())
