"""What the import summary shows for a skipped duplicate: the file's name once."""

from __future__ import annotations

from importlib import resources

from rubric import RESOURCES


def test_a_skipped_duplicate_names_its_file_once(window, qtbot, tmp_path):
    sample = resources.files(RESOURCES).joinpath("samples", "4017_Khan_Amira.txt")
    again = tmp_path / "4017_Khan_Amira.txt"
    again.write_bytes(sample.read_bytes())      # already in the demo set
    unsupported = tmp_path / "notes.xyz"
    unsupported.write_text("not an essay", encoding="utf-8")
    window.last_import_summary = None
    window.import_paths([again, unsupported])
    qtbot.waitUntil(lambda: window.last_import_summary is not None, timeout=20_000)
    summary = window.last_import_summary
    assert "0 imported" in summary.headline.text() and "2 skipped" in summary.headline.text()
    lines = sorted(summary.list.item(i).text() for i in range(summary.list.count()))
    assert lines[0] == "skipped   4017_Khan_Amira.txt: already in this set, as Amira Khan (4017)"
    assert lines[1].startswith("skipped   notes.xyz: .xyz files are not supported")
    assert all(line.count(name) == 1 for line, name in zip(
        lines, ("4017_Khan_Amira.txt", "notes.xyz"), strict=True))
    summary.close()
