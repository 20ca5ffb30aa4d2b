"""Untrusted input: every bad file gives one ImportFailure whose message is a single line
starting with the file name and naming the problem; nothing hangs, nothing inflates."""

from __future__ import annotations

import os
import sys
import time
import zipfile

import pytest

from rubric.errors import ImportFailure, UnsupportedFile
from rubric.importing import ImportOptions, inspect_file, reader, safety, sandbox

try:
    from tests.core import makefiles as mk
except ImportError:
    import makefiles as mk


def failure(path, options: ImportOptions | None = None) -> str:
    with pytest.raises(ImportFailure) as caught:
        inspect_file(path, options or ImportOptions())
    message = str(caught.value)
    assert message.startswith(f"{path.name}: ")
    assert "\n" not in message and "Traceback" not in message
    assert caught.value.path == path
    return message


def random_bytes(n: int = 6000) -> bytes:
    data = bytearray(os.urandom(n))
    data[:2] = b"\x8f\x01"  # never a magic number by chance
    return bytes(data)


def _truncated_docx(tmp_path):
    good = mk.make_docx(tmp_path / "good.docx", mk.essay_paragraphs(300))
    path = tmp_path / "truncated.docx"
    path.write_bytes(good.read_bytes()[:4000])
    return path


def _write(name, data):
    def make(tmp_path):
        path = tmp_path / name
        path.write_bytes(data() if callable(data) else data)
        return path

    return make


BAD_FILES = {
    "empty docx": (_write("empty.docx", b""), "empty"),
    "empty txt": (_write("empty.txt", b""), "empty"),
    "random docx": (_write("random.docx", random_bytes), "not a real Word document"),
    "random pdf": (_write("random.pdf", random_bytes), "not a real PDF"),
    "random odt": (_write("random.odt", random_bytes), "not a real OpenDocument"),
    "random rtf": (_write("random.rtf", random_bytes), "not a real RTF"),
    "truncated zip": (_truncated_docx, "damaged or incomplete"),
    "encrypted docx": (lambda p: mk.make_cfb(p / "locked.docx", ["EncryptionInfo", "EncryptedPackage"]), "password-protected"),
    "old doc": (lambda p: mk.make_cfb(p / "old.docx", ["WordDocument", "1Table"], fib_flags=0), "old Word 97–2003 file: save it as .docx and import again"),
    "encrypted old doc": (lambda p: mk.make_cfb(p / "oldlocked.docx", ["WordDocument", "1Table"], fib_flags=0x0100), "password-protected"),
    "old xls": (lambda p: mk.make_cfb(p / "book.docx", ["Workbook"]), "old Excel workbook"),
    "xlsx renamed": (lambda p: mk.make_xlsx(p / "marks.docx"), "this is an Excel workbook, not a Word document"),
    "html renamed": (_write("page.docx", b"<!DOCTYPE html><html><body>Essay</body></html>"), "web page"),
    "billion laughs": (lambda p: mk.docx_with_document_xml(p / "laughs.docx", mk.BILLION_LAUGHS), "DOCTYPE"),
    "external entity": (lambda p: mk.docx_with_document_xml(p / "xxe.docx", mk.EXTERNAL_ENTITY), "DOCTYPE"),
    "utf16 doctype": (
        lambda p: mk.docx_with_document_xml(p / "xxe16.docx", mk.EXTERNAL_ENTITY.replace(b"UTF-8", b"UTF-16").decode().encode("utf-16")),
        "DOCTYPE",
    ),
    "declared zip bomb": (lambda p: mk.make_declared_size_bomb(p / "bomb.docx"), "zip bomb"),
    "binary txt": (_write("binary.txt", random_bytes), "not a text file"),
    "control txt": (_write("control.txt", bytes(range(1, 32)) * 50 + b"hello"), "not a text file"),
    "nul txt": (_write("nul.txt", b"Essay text" + b"\x00" * 3 + b"more text"), "not a text file"),
    "encrypted odt": (lambda p: mk.make_odt(p / "locked.odt", ["text"], encrypted=True), "password-protected"),
    "spreadsheet odt": (
        lambda p: _ods(p / "sheet.odt"),
        "spreadsheet",
    ),
    "missing": (lambda p: p / "missing.docx", "does not exist"),
    "folder": (lambda p: _folder(p / "folder.docx"), "folder"),
    "encrypted pdf": (lambda p: mk.make_encrypted_pdf(p / "locked.pdf"), "the PDF is password-protected"),
    "damaged pdf": (_write("damaged.pdf", lambda: b"%PDF-1.7\n" + random_bytes()), "the PDF is damaged"),
    "broken xml": (lambda p: mk.docx_with_document_xml(p / "broken.docx", b"<w:document><w:body><w:p>"), "damaged"),
}


def _ods(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    return path


def _folder(path):
    path.mkdir()
    return path


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_gives_one_line_reason(tmp_path, case):
    make, expected = BAD_FILES[case]
    path = make(tmp_path)
    message = failure(path)
    assert expected in message


def test_truncated_pdf_is_read_or_refused_cleanly(tmp_path):
    good = mk.make_pdf(tmp_path / "good.pdf", mk.essay_paragraphs(400))
    path = tmp_path / "half.pdf"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    try:
        inspect_file(path)
    except ImportFailure as exc:
        assert str(exc).startswith("half.pdf: ") and "\n" not in str(exc)


@pytest.mark.parametrize("aes", [False, True], ids=["rc4", "aes-128"])
def test_pdf_locked_only_against_editing_is_readable(tmp_path, aes):
    path = mk.make_encrypted_pdf(tmp_path / "owner.pdf", user_password="", aes=aes)
    draft = inspect_file(path)
    assert draft.has_text and draft.word_count > 50


def test_unsupported_suffixes_raise_unsupported_file(tmp_path):
    for name in ("marks.xlsx", "README", "essay.pages"):
        path = tmp_path / name
        path.write_bytes(b"x")
        with pytest.raises(UnsupportedFile) as caught:
            inspect_file(path)
        assert str(caught.value).startswith(f"{name}: ") and "not supported" in str(caught.value)


def test_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse where the file system allows
        handle.truncate(100 * 1024**2)
    opened = []
    real_open = type(path).open
    monkeypatch.setattr(type(path), "open", lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    message = failure(path)
    assert "too large (100.0 MB; the limit is 25.0 MB)" in message
    assert opened == []
    small = mk.make_docx(tmp_path / "small.docx", mk.essay_paragraphs(200))
    assert "too large" in failure(small, ImportOptions(max_bytes=1000))


def test_zip_bomb_is_refused_without_inflating(tmp_path, monkeypatch):
    path = mk.make_declared_size_bomb(tmp_path / "bomb.docx")
    inflated = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        inflated.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    message = failure(path)
    assert "zip bomb" in message and "300.0 MB" in message
    assert inflated == []  # refused from the directory: nothing was inflated


@pytest.mark.slow
def test_real_300_mb_zip_bomb_is_refused_quickly(tmp_path):
    path = mk.make_stream_zip_bomb(tmp_path / "bomb.docx", megabytes=300)
    assert path.stat().st_size < 2 * 1024 * 1024
    inflated = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = real_read(self, n)
        inflated.append(len(data))
        return data

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(zipfile.ZipExtFile, "read", counting_read)
        message = failure(path)
    assert "zip bomb" in message
    # refused long before 300 MB were inflated (speed is for the benchmarks)
    assert sum(inflated) < 20 * 1024 * 1024


def test_too_many_entries_and_lying_sizes(tmp_path, monkeypatch):
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(20):
            zf.writestr(f"word/media/{i}.bin", b"x")
    monkeypatch.setattr(safety, "MAX_ENTRIES", 10)
    assert "too many parts" in failure(path)


def test_entities_are_never_resolved_even_past_the_doctype_check():
    """Defence in depth: the parser itself does not read external files or expand."""
    from lxml import etree

    root = etree.fromstring(mk.EXTERNAL_ENTITY, safety._parser())
    text = "".join(root.itertext())
    assert "root:" not in text
    try:
        root = etree.fromstring(mk.BILLION_LAUGHS, safety._parser())
    except etree.XMLSyntaxError:
        return  # libxml2 refuses the amplification itself
    assert len("".join(root.itertext())) < 100


def test_external_entity_content_never_appears(tmp_path):
    path = mk.docx_with_document_xml(tmp_path / "xxe.docx", mk.EXTERNAL_ENTITY)
    message = failure(path)
    assert "root:" not in message


def test_pdf_time_limit(tmp_path, monkeypatch):
    path = mk.make_pdf(tmp_path / "slow.pdf", ["Some text."])
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-c", "import time; time.sleep(30)"])
    start = time.perf_counter()
    message = failure(path, ImportOptions(time_limit=1))
    assert time.perf_counter() - start < 5
    assert message == "slow.pdf: took too long to read (over 1 s); the PDF may be damaged"


def test_pdf_time_limit_message_for_the_default_limit(tmp_path, monkeypatch):
    path = mk.make_pdf(tmp_path / "slow.pdf", ["Some text."])

    def timeout(self, header, data, seconds):
        raise sandbox.subprocess.TimeoutExpired("pdf child", seconds)

    monkeypatch.setattr(sandbox._Child, "exchange", timeout)
    assert failure(path).endswith("took too long to read (over 10 s); the PDF may be damaged")


MEMORY_HOG = """
import json, sys
from rubric.importing._pdf_child import _set_limits
_set_limits(int(sys.argv[2]), int(sys.argv[3]))
try:
    hog = bytearray(2 * 1024 ** 3)
    print(json.dumps({"ok": True, "pages": [], "page_count": 0}))
except MemoryError:
    print(json.dumps({"ok": False, "error": "memory", "detail": ""}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")
def test_child_memory_limit(tmp_path, monkeypatch):
    path = mk.make_pdf(tmp_path / "big.pdf", ["Some text."])
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-c", MEMORY_HOG])
    message = failure(path, ImportOptions(memory_limit_mb=200))
    assert message == "big.pdf: needed more than 200 MB of memory to read; the PDF may be damaged"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_child_crash_is_reported(tmp_path, monkeypatch):
    path = mk.make_pdf(tmp_path / "crash.pdf", ["Some text."])
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    assert "the PDF reader stopped" in failure(path)


def test_real_child_runs_under_its_limits(tmp_path):
    path = mk.make_pdf(tmp_path / "ok.pdf", mk.essay_paragraphs(300))
    draft = inspect_file(path, ImportOptions(memory_limit_mb=300))
    assert draft.word_count > 250


@pytest.mark.slow
def test_rtf_that_would_take_minutes_is_stopped(tmp_path):
    """striprtf's hyperlink regex is cubic on this input (2,000 repeats ≈ 60 s)."""
    path = tmp_path / "evil.rtf"
    path.write_text("{\\rtf1 " + '{\\field{\\*\\fldinst{ HYPERLINK "' * 3000 + "}", encoding="ascii")
    start = time.perf_counter()
    message = failure(path, ImportOptions(time_limit=2))
    assert time.perf_counter() - start < 6
    assert message == "evil.rtf: took too long to read (over 2 s); the RTF file may be damaged"


def test_unexpected_errors_become_import_failures(tmp_path, monkeypatch):
    path = tmp_path / "essay.txt"
    path.write_text("Some text", encoding="utf-8")

    def boom(*args, **kwargs):
        raise KeyError("something\ninternal")

    monkeypatch.setattr(reader, "build_draft", boom)
    message = failure(path)
    assert message.startswith("essay.txt: could not read the file (KeyError")
