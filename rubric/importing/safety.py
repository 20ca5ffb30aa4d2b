"""Guards for untrusted files: size limits, format sniffing, zip-bomb checks, safe XML.

Everything here raises :class:`ImportFailure` with a one-line reason; nothing inflates a
zip entry before its declared size, the entry count and the compression ratio have been
checked, and no XML is parsed if it carries a DOCTYPE (Office XML never has one).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import threading
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.record import record

# --- reading the file ------------------------------------------------------------------

MB = 1024 * 1024


def describe_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


#: What ``Path.exists()`` takes for "there is no such file" (the other errors propagate).
_MISSING_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_MISSING_WINERRORS = (21, 123, 1921)  # not ready, invalid name, cannot resolve the name


def read_file_limited(path: Path, max_bytes: int) -> bytes:
    """Read the whole file after checking its size; never reads more than ``max_bytes``."""
    try:
        try:
            info = os.stat(path)  # one look at the file (exists? a folder? how big?)
        except ValueError:  # an embedded NUL: no such file
            raise ImportFailure(path, "the file does not exist (was it moved or deleted?)") from None
        except OSError as exc:
            if exc.errno in _MISSING_ERRNOS or getattr(exc, "winerror", None) in _MISSING_WINERRORS:
                raise ImportFailure(path, "the file does not exist (was it moved or deleted?)") from None
            raise
        if stat.S_ISDIR(info.st_mode):
            raise ImportFailure(path, "this is a folder, not a file")
        size = info.st_size
        if size == 0:
            raise ImportFailure(path, "the file is empty (0 bytes)")
        if size > max_bytes:
            raise ImportFailure(
                path, f"the file is too large ({describe_size(size)}; the limit is {describe_size(max_bytes)})"
            )
        with path.open("rb", buffering=0) as handle:
            # as much as the size said, and one byte more to see whether it has grown since
            data = handle.read(size + 1)
            if len(data) > size:
                data += handle.read(max_bytes + 1 - len(data))
    except PermissionError:
        raise ImportFailure(path, "permission denied: the file could not be opened") from None
    except IsADirectoryError:
        raise ImportFailure(path, "this is a folder, not a file") from None
    except OSError as exc:
        raise ImportFailure(path, f"the file could not be read ({exc.strerror or type(exc).__name__})") from None
    if not data:
        raise ImportFailure(path, "the file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ImportFailure(path, f"the file is too large (over {describe_size(max_bytes)})")
    return data


# --- what is it really? ------------------------------------------------------------------

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes, suffix: str = "") -> str:
    """The container a file's bytes show: zip | pdf | cfb | rtf | unknown. A PDF header
    may follow up to 1 KB of junk, but only in a file named .pdf (a text that merely
    mentions "%PDF-" stays text)."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(CFB_MAGIC):
        return "cfb"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if head.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in data[:1024]):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    return "unknown"


def looks_like_html(data: bytes) -> bool:
    """The file starts like a web page (what a VLE sometimes saves instead of a file)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower()


#: What an old Word file is told (whatever its suffix, .doc or a renamed .docx).
OLD_WORD_REASON = "old Word 97–2003 file: save it as .docx and import again"
ENCRYPTED_REASON = "the document is password-protected; ask for a copy saved without a password"
_ENCRYPTED_STREAMS = frozenset({"encryptioninfo", "encryptedpackage"})
_FREE_SECTORS = 0xFFFFFFFA  # sector numbers from here up are markers (end of chain, free…)
_MAX_DIRECTORY_SECTORS = 4096


#: Stream names that tell what an OLE compound file holds (compared in lower case).
_KNOWN_STREAMS = ("encryptioninfo", "encryptedpackage", "worddocument", "workbook", "book", "powerpoint document")


def _names_in_bytes(data: bytes, wanted) -> set[str]:
    """Which of ``wanted`` (lower-case names) occur as NUL-terminated UTF-16LE strings
    anywhere in ``data``, in any letter case (``bytes.lower`` lowers the ASCII half of each
    UTF-16 code unit); ~50 ms for 25 MB."""
    low = data.lower()
    return {name for name in wanted if name.encode("utf-16-le") + b"\x00\x00" in low}


@record
class _CfbEntry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


def _cfb_entries(data: bytes) -> tuple[int, list[_CfbEntry]] | None:
    """``(sector size, directory entries)`` of an OLE compound file, read from its header,
    FAT and directory chain; None when the structure is not readable (then the caller
    falls back to looking for the names anywhere in the bytes)."""
    try:
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        fat_count, first_dir = struct.unpack_from("<II", data, 44)
        difat = list(struct.unpack_from("<109I", data, 76))
        fat_sectors = [s for s in difat[: min(fat_count, 109)] if s < _FREE_SECTORS]
        fat: list[int] = []
        for sector in fat_sectors[:64]:  # 64 FAT sectors map 8,192+ sectors: far past a directory
            offset = (sector + 1) * size
            if offset + size > len(data):
                break
            fat.extend(struct.unpack_from(f"<{size // 4}I", data, offset))
        entries: list[_CfbEntry] = []
        sector, seen = first_dir, set()
        while sector < _FREE_SECTORS and sector not in seen and len(seen) < _MAX_DIRECTORY_SECTORS:
            seen.add(sector)
            offset = (sector + 1) * size
            if offset + size > len(data):
                break
            for start in range(offset, offset + size, 128):
                length = struct.unpack_from("<H", data, start + 64)[0]
                kind = data[start + 66]
                if kind == 0 or not 2 <= length <= 64:
                    continue
                name = data[start : start + length - 2].decode("utf-16-le", "replace")
                first, stream_size = struct.unpack_from("<II", data, start + 116)
                entries.append(_CfbEntry(name, kind, first, stream_size))
            sector = fat[sector] if sector < len(fat) else _FREE_SECTORS
        return size, entries
    except (struct.error, IndexError):
        return None


def describe_cfb(data: bytes) -> str:
    """Why an OLE compound file (old Office format or encrypted new one) is refused.
    Stream names are matched whatever their letter case (some writers store
    ``encryptionInfo``); an encrypted file is always told it is password-protected."""
    parsed = _cfb_entries(data)
    names = {entry.name.lower() for entry in parsed[1]} if parsed is not None else set()
    if not names & set(_KNOWN_STREAMS):  # unreadable directory: look for the names anywhere
        names |= _names_in_bytes(data, _KNOWN_STREAMS)
    else:  # an encrypted file is always told so, even when its directory misleads
        names |= _names_in_bytes(data, _ENCRYPTED_STREAMS)
    if names & _ENCRYPTED_STREAMS:
        return ENCRYPTED_REASON
    if "worddocument" in names:
        if _doc_is_encrypted(data, parsed):
            return "the document is a password-protected old Word 97–2003 file (.doc); ask for a copy saved as .docx without a password"
        return OLD_WORD_REASON
    if "workbook" in names or "book" in names:
        return "this is an old Excel workbook (.xls), not a Word document"
    if "powerpoint document" in names:
        return "this is an old PowerPoint presentation (.ppt), not a Word document"
    return "this is an old Microsoft Office file, not a Word .docx document"


def _doc_is_encrypted(data: bytes, parsed: tuple[int, list[_CfbEntry]] | None = None) -> bool:
    """Read the fEncrypted flag of a .doc file's FIB (best effort; False when unsure)."""
    try:
        if parsed is None:
            parsed = _cfb_entries(data)
        if parsed is None:
            return False
        sector_size, entries = parsed
        word = next((e for e in entries if e.kind == 2 and e.name.lower() == "worddocument"), None)
        if word is None or word.start >= _FREE_SECTORS:
            return False
        fib = (word.start + 1) * sector_size
        if fib + 12 > len(data):
            return False
        ident, = struct.unpack_from("<H", data, fib)
        flags, = struct.unpack_from("<H", data, fib + 10)
        return ident == 0xA5EC and bool(flags & 0x0100)
    except struct.error:
        return False


# --- zip archives ----------------------------------------------------------------------

#: Limits checked in the central directory before anything is inflated.
MAX_ENTRIES = 5000
MAX_TOTAL_UNCOMPRESSED = 1024 * MB
#: No single part may claim more than this, whatever it is (a 25 MB file cannot hold it
#: without compressing it over 10 times).
MAX_DECLARED_PART = 256 * MB
#: Checked on every part that is inflated (XML, an embedded web page), before inflating;
#: parts that are never inflated (a picture, an EMF drawing, an embedded object, which
#: may well compress 200:1) are held only to the absolute limits above.
MAX_RATIO = 100
RATIO_CHECK_FROM = 1 * MB
#: The most we inflate for one XML part (a 4,500-word document.xml is well under 1 MB).
MAX_XML_PART = 20 * MB


def _bomb_reason(info: zipfile.ZipInfo) -> str:
    ratio = info.file_size / max(1, info.compress_size)
    return f"the file looks like a zip bomb ({info.filename} would expand {ratio:,.0f} times to {describe_size(info.file_size)}); refused"


def _would_bomb(info: zipfile.ZipInfo) -> bool:
    return info.file_size > RATIO_CHECK_FROM and info.file_size / max(1, info.compress_size) > MAX_RATIO


@record(frozen=False)
class SafeZip:
    path: Path
    zf: zipfile.ZipFile
    names: set[str]

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str, cap: int = MAX_XML_PART) -> bytes:
        """Inflate one entry, never more than ``cap`` bytes, after checking its declared
        size and compression ratio (a part that is read is never a bomb, whatever its name)."""
        info = self.zf.getinfo(name)
        if _would_bomb(info):
            raise ImportFailure(self.path, _bomb_reason(info))
        if info.file_size > cap:
            raise ImportFailure(
                self.path,
                f"a part of the file is too large to read ({name}: {describe_size(info.file_size)}; the limit is {describe_size(cap)})",
            )
        if info.flag_bits & 0x1:
            raise ImportFailure(self.path, "the file's contents are encrypted (password-protected)")
        try:
            with self.zf.open(info) as handle:
                data = handle.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            raise ImportFailure(self.path, f"the file is damaged ({_short(exc)}); try saving it again") from None
        except NotImplementedError:
            raise ImportFailure(self.path, "the file uses a zip compression method that is not supported") from None
        except RuntimeError as exc:  # "password required for extraction"
            raise ImportFailure(self.path, f"the file could not be unpacked ({_short(exc)})") from None
        if len(data) > cap:
            raise ImportFailure(self.path, f"a part of the file is larger than it claims ({name}); refused")
        return data

    def info(self, name: str) -> zipfile.ZipInfo:
        """The central-directory entry of ``name`` (its CRC-32 and sizes), without inflating."""
        return self.zf.getinfo(name)


def _short(exc: BaseException, limit: int = 80) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def open_zip(path: Path, data: bytes) -> SafeZip:
    """Open a zip archive from bytes after checking its central directory for bombs: the
    entry count, the total declared size and each part's declared size. The compression
    ratio is checked by :meth:`SafeZip.read` on each part that is inflated, before
    inflating it: a picture or embedded object that compresses 200:1 is no bomb when
    nothing reads it."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile:
        if data.startswith(b"PK\x03\x04"):
            reason = "the file is damaged or incomplete (its zip archive has no table of contents); try saving or downloading it again"
        else:
            reason = "the file is damaged (not a valid zip archive)"
        raise ImportFailure(path, reason) from None
    except (OSError, EOFError, ValueError, struct.error) as exc:
        raise ImportFailure(path, f"the file is damaged ({_short(exc)})") from None
    if len(infos) > MAX_ENTRIES:
        raise ImportFailure(path, f"the file has too many parts ({len(infos):,}); refused as unsafe")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_DECLARED_PART:
            raise ImportFailure(path, _bomb_reason(info))
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise ImportFailure(
            path, f"the file looks like a zip bomb (it would expand to {describe_size(total)}); refused"
        )
    return SafeZip(path, zf, {info.filename for info in infos})


# --- XML ---------------------------------------------------------------------------------

_local = threading.local()


def _parser():
    parser = getattr(_local, "parser", None)
    if parser is None:
        from lxml import etree

        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}


def check_xml(path: Path, data: bytes, part: str) -> bool:
    """Raise :class:`ImportFailure` if ``data`` (UTF-8 XML) declares a DOCTYPE or entity
    or another encoding; True when it is plain UTF-8 XML that may be scanned as bytes,
    False when it is UTF-16 (then only :func:`parse_xml` can read it)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 3 and b"\x00" in data[:4]):
        return False
    declared = _DECLARATION.match(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    if declared and declared.group(1).decode().lower() not in _UTF8_NAMES:
        raise ImportFailure(path, f"{part} uses an unexpected text encoding; refused for safety")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ImportFailure(path, _unsafe_reason(part))
    return True


def _unsafe_reason(part: str) -> str:
    return f"{part} contains a DOCTYPE or entity declaration, which Office files never have; refused for safety"


def parse_xml(path: Path, data: bytes, part: str):
    """Parse one XML part of an Office file safely; returns the root element.

    Refuses a DOCTYPE or ENTITY declaration outright (Word and LibreOffice never write
    one), and parses with entity resolution, DTD loading and network access all off."""
    from lxml import etree

    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 3 and b"\x00" in data[:4]):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFailure(path, f"the file is damaged ({part} is not readable XML)") from None
        text = _DECLARATION_TEXT.sub("", text, count=1)
        probe = text
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        declared = _DECLARATION.match(data)
        if declared and declared.group(1).decode().lower() not in _UTF8_NAMES:
            raise ImportFailure(path, f"{part} uses an unexpected text encoding; refused for safety")
        probe = data
    if isinstance(probe, str):
        unsafe = "<!DOCTYPE" in probe or "<!ENTITY" in probe
    else:
        unsafe = b"<!DOCTYPE" in probe or b"<!ENTITY" in probe
    if unsafe:
        raise ImportFailure(path, _unsafe_reason(part))
    try:
        if text is not None:
            return etree.fromstring(text, _parser())
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ImportFailure(path, f"the file is damaged ({part} is not well-formed XML: {_short(exc, 60)})") from None
