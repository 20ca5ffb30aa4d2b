"""Plain text (.txt): detect the encoding, refuse binary files, one block per line.

Encodings: a byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE); without one,
UTF-16 is recognised by its pattern of zero bytes, then strict UTF-8 is tried, and
anything else is read as Windows-1252 (the five bytes 1252 leaves undefined are read as
Latin-1). A file that is mostly UTF-8 with a few stray Windows-1252 bytes keeps its
UTF-8 and reads the stray bytes as 1252. Decoding never fails.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.importing.base import REWRAP_AUTO, Extracted
from rubric.importing.paragraphs import Block, split_lines

#: Latin-1 code points 0x80–0x9F → the characters Windows-1252 puts there.
_LATIN1_TO_CP1252 = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def decode_cp1252(data: bytes) -> str:
    """Windows-1252 that never fails (undefined bytes fall back to Latin-1)."""
    return data.decode("latin-1").translate(_LATIN1_TO_CP1252)


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start : error.end]
    return decode_cp1252(bytes(bad)), error.end


codecs.register_error("essaymarker-cp1252", _cp1252_fallback)

_HIGH_BYTES = bytes(range(0x80, 0x100))
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_zeros > 0.3 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.3 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding name)``; never raises."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="essaymarker-cp1252"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return data.decode("utf-32", errors="replace"), "utf-32"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data:
        guess = _utf16_without_bom(data)
        if guess:
            return data.decode(guess, errors="replace"), guess
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        valid = sum(len(m) for m in _UTF8_MULTIBYTE.findall(data))
        high = len(data) - len(data.translate(None, _HIGH_BYTES))
        if valid > high - valid:
            return data.decode("utf-8", errors="essaymarker-cp1252"), "utf-8 (with stray bytes)"
    return decode_cp1252(data), "windows-1252"


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f\ufffd]")


def looks_binary(text: str) -> bool:
    """NUL characters, or more than 2% control/replacement characters."""
    if "\x00" in text:
        return True
    sample = text[:65536]
    bad = len(_CONTROL.findall(sample))
    return bad > 3 and bad > 0.02 * len(sample)


def read_txt(path: Path, data: bytes) -> Extracted:
    text, _encoding = decode_text(data)
    if looks_binary(text):
        raise ImportFailure(path, "this is not a text file (it contains binary data)")
    blocks = [Block(line) for line in split_lines(text)]
    return Extracted("txt", blocks, rewrap=REWRAP_AUTO)
