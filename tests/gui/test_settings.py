"""Settings are read with their declared type from an INI file (Picard's way): an INI file
holds only text, and "false" must never come back as a true string."""

from __future__ import annotations

from gui.settings import (
    EXPORT_PACK,
    EXPORT_UNMARKED,
    GEOMETRY,
    MARKER_NAME,
    RECENT_SETS,
    SCRIPT_FONT_SIZE,
    Option,
    Settings,
)


def _ini(tmp_path, text: str) -> str:
    path = tmp_path / "settings.ini"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_ini_false_reads_as_false_and_true_as_true(tmp_path):
    settings = Settings(_ini(tmp_path, "[export]\ninclude_unmarked=false\nclass_pack=true\n"))
    assert settings.get(EXPORT_UNMARKED) is False
    assert settings.get(EXPORT_PACK) is True


def test_numbers_lists_and_text_read_with_their_type(tmp_path):
    settings = Settings(_ini(tmp_path, "[view]\nscript_font_size=15\n[sets]\n"
                                       "recent=\"/sets/Smith, J.markset\", /sets/b.markset\n"
                                       "[marker]\nname=false\n"))
    assert settings.get(SCRIPT_FONT_SIZE) == 15
    assert settings.get(RECENT_SETS) == ["/sets/Smith, J.markset", "/sets/b.markset"]
    assert settings.get(MARKER_NAME) == "false"   # text stays text


def test_a_value_that_is_not_its_type_gives_the_default(tmp_path):
    settings = Settings(_ini(tmp_path, "[view]\nscript_font_size=big\n"
                                       "[export]\ninclude_unmarked=perhaps\n"))
    assert settings.get(SCRIPT_FONT_SIZE) == 12
    assert settings.get(EXPORT_UNMARKED) is False


def test_missing_values_give_the_defaults(tmp_path):
    settings = Settings(_ini(tmp_path, ""))
    assert settings.get(EXPORT_UNMARKED) is False
    assert settings.get(RECENT_SETS) == []
    assert settings.get(GEOMETRY) == b""
    assert not settings.has(EXPORT_UNMARKED)
    # the default list is never shared between calls
    settings.get(RECENT_SETS).append("x")
    assert settings.get(RECENT_SETS) == []


def test_values_round_trip_through_the_file(tmp_path):
    path = str(tmp_path / "settings.ini")
    first = Settings(path)
    first.set(EXPORT_UNMARKED, False)
    first.set(EXPORT_PACK, True)
    first.set(SCRIPT_FONT_SIZE, 14)
    first.set(GEOMETRY, b"\x00\x01\xff")
    first.set(RECENT_SETS, ["/sets/a.markset"])
    first.sync()
    text = (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert "include_unmarked=false" in text
    assert "PyObjectWrapper" not in text   # bytes are stored as a byte array, not a pickle
    second = Settings(path)
    assert second.get(EXPORT_UNMARKED) is False
    assert second.get(EXPORT_PACK) is True
    assert second.get(SCRIPT_FONT_SIZE) == 14
    assert second.get(GEOMETRY) == b"\x00\x01\xff"
    assert second.get(RECENT_SETS) == ["/sets/a.markset"]
    assert second.has(EXPORT_PACK)


def test_every_option_declares_a_default_of_its_type():
    import gui.settings as module

    options = [v for v in vars(module).values() if isinstance(v, Option)]
    assert len({o.key for o in options}) == len(options)
    for option in options:
        assert isinstance(option.default, option.kind), option.key
