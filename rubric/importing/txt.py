"""Plain text (.txt): detect the encoding, refuse binary files, one block per line.

The encoding is decided by cheap rules first, in this order:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. UTF-16 without a mark, recognised by its pattern of zero bytes;
3. strict UTF-8 (almost every file today: nothing more is done);
4. mostly UTF-8 with a few stray Windows-1252 bytes (text pasted from an old file): the
   UTF-8 is kept and the stray bytes are read as 1252;
5. a file whose only non-ASCII bytes are the typographic punctuation that every Windows
   code page puts in the same place (curly quotes, dashes, ellipsis, no-break space): an
   English essay, read as Windows-1252.

Only when those fail is the encoding detected, with charset-normalizer, among the code
pages a school is likely to meet (:data:`CANDIDATES`: Western, Central European,
Cyrillic, Greek, Turkish, Hebrew, Arabic, Japanese, Chinese, Korean). Every candidate
that decodes the bytes is scored on its own (charset-normalizer's "mess" and language
coherence); Windows-1252 wins whenever it reads as cleanly as the best and its text
looks Western (charset-normalizer names a Western language, or under 2% of the letters
are accented), so an English or French essay is never read as Baltic or Central
European. A guess that is a close call (another reading scores almost as well) or weak
(a single-byte reading whose letters fit no language well) gives an
``encoding_uncertain`` warning naming the encoding assumed; a confident non-Western
detection gives an ``encoding_detected`` note, so the teacher can see how the file was
read. Nothing usable at all: Windows-1252 (the five bytes it leaves undefined are read as
Latin-1), with the uncertain warning. Decoding never fails.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from rubric.errors import ImportFailure
from rubric.importing.base import REWRAP_AUTO, Extracted
from rubric.importing.model import ScriptWarning
from rubric.importing.paragraphs import Block, split_lines
from rubric.record import record

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
#: How much of a file the stray-bytes rule looks at.
_STRAY_SAMPLE = 1 << 20
#: Bytes every Windows code page (1250–1258) maps to the same punctuation: ‚ „ … † ‡ ‰ ‹
#: ‘ ’ “ ” • – — ™ › and the no-break space.
_SHARED_PUNCTUATION = bytes([0x82, 0x84, 0x85, 0x86, 0x87, 0x89, 0x8B, *range(0x91, 0x98), 0x99, 0x9B, 0xA0])
_NOT_SHARED = bytes(b for b in range(0x80, 0x100) if b not in _SHARED_PUNCTUATION)
_C1 = re.compile("[\x80-\x9f]")
_LETTER = re.compile(r"[^\W\d_]")
_ACCENTED = re.compile(r"[^\W\d_a-zA-Z]")

#: Codec → how the encoding is named to people. The order breaks ties: Western first;
#: ISO-8859-2 before Windows-1250 (when both read cleanly the file has none of the bytes
#: 0x80–0x9F, where Windows-1250 keeps š ś ť ž ź, which real Windows-1250 Czech or Polish
#: text almost always uses).
CANDIDATES: dict[str, str] = {
    "cp1252": "Windows-1252 (Western European)",
    "iso8859_2": "ISO-8859-2 (Central European)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8_r": "KOI8-R (Cyrillic)",
    "koi8_u": "KOI8-U (Cyrillic)",
    "iso8859_5": "ISO-8859-5 (Cyrillic)",
    "cp866": "DOS 866 (Cyrillic)",
    "iso8859_7": "ISO-8859-7 (Greek)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)",
    "cp932": "Shift-JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)",
    "gb18030": "GB18030 (Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "cp949": "EUC-KR (Korean)",
}
#: Languages charset-normalizer may name for text that Windows-1252 serves.
_WESTERN_LANGUAGES = frozenset({
    "English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch", "Danish",
    "Norwegian", "Swedish", "Finnish", "Indonesian", "Estonian",
})
#: How much of a file is used to choose its encoding (the whole file is then decoded).
_SAMPLE_BYTES = 65536
#: Readings whose mess ratio is this close to the cleanest one count as equally clean.
_CLEAN_MARGIN = 0.01
#: Two clean readings whose coherence is this close are a toss-up.
_CLOSE_COHERENCE = 0.03
#: A single-byte reading whose language coherence is below this is a guess.
_WEAK_COHERENCE = 0.2
_MULTIBYTE = frozenset({"cp932", "euc_jp", "gb18030", "big5", "cp949"})
#: Fewer non-ASCII bytes than this is too little evidence for any other code page.
_FEW_BYTES = 8


@record
class Decoding:
    """How a text file was decoded."""

    text: str
    #: Python codec name ("utf-8", "utf-16-le", "windows-1252", "cp1251"…).
    encoding: str
    #: For people: "UTF-8", "Windows-1251 (Cyrillic)"…
    label: str
    #: Chosen by detection (not by a byte-order mark or the UTF rules).
    detected: bool = False
    #: The detection was a close call or the text reads badly in every encoding.
    uncertain: bool = False
    #: The runner-up, when the call was close.
    alternative: str = ""

    def warning(self) -> ScriptWarning | None:
        """``encoding_uncertain`` for a doubtful guess, ``encoding_detected`` for a
        confident non-Western one, else nothing."""
        if self.uncertain:
            also = f" (it may be {self.alternative})" if self.alternative else ""
            return ScriptWarning(
                "encoding_uncertain",
                f"the text file's encoding is unclear: it was read as {self.label}{also}; "
                "if characters look wrong, save it as UTF-8 and import it again",
            )
        if self.detected and self.encoding != "windows-1252":
            return ScriptWarning(
                "encoding_detected", f"the text file is not UTF-8: it was read as {self.label}"
            )
        return None


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


def _mostly_utf8(data: bytes) -> bool:
    """Real UTF-8 characters outnumber the bytes that are not UTF-8 by three to one (a
    Shift-JIS or GB18030 file has a few accidental UTF-8 sequences, never that many)."""
    head = data[:_STRAY_SAMPLE]
    valid = len(head.decode("utf-8", "ignore"))
    stray = len(head.decode("utf-8", "surrogateescape")) - valid
    multibyte = valid - len(head.translate(None, _HIGH_BYTES))
    return multibyte >= 3 * stray


def _sample(data: bytes) -> bytes:
    """The first 64 KiB, cut after a newline (or space) so that no multibyte character
    is split: 0x0A and 0x20 are never part of a character in the candidate encodings."""
    if len(data) <= _SAMPLE_BYTES:
        return data
    head = data[:_SAMPLE_BYTES]
    cut = max(head.rfind(b"\n"), head.rfind(b" "))
    return head[: cut + 1] if cut > _SAMPLE_BYTES // 2 else head


@record(frozen=False)
class _Reading:
    codec: str
    text: str
    chaos: float = 1.0
    coherence: float = 0.0
    language: str = ""
    also: tuple[str, ...] = ()


def _readings(sample: bytes) -> list[_Reading]:
    """Each distinct text the candidate encodings make of ``sample``, scored by
    charset-normalizer one encoding at a time (together, it skips encodings "similar"
    to one that failed, and misses ISO-8859-2 after Windows-1250)."""
    from charset_normalizer import from_bytes

    by_text: dict[str, _Reading] = {}
    for codec in CANDIDATES:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        if _C1.search(text):  # C1 controls: an ISO page reading Windows bytes
            continue
        if text in by_text:
            by_text[text].also += (codec,)
            continue
        by_text[text] = _Reading(codec, text)
    scored: list[_Reading] = []
    for reading in by_text.values():
        match = from_bytes(
            sample, cp_isolation=[reading.codec], preemptive_behaviour=False, enable_fallback=False
        ).best()
        if match is None:
            continue
        reading.chaos, reading.coherence, reading.language = match.chaos, match.coherence, match.language
        scored.append(reading)
    return scored


def _accented_share(text: str) -> float:
    letters = len(_LETTER.findall(text))
    return len(_ACCENTED.findall(text)) / letters if letters else 1.0


def _choose(sample: bytes) -> tuple[str, bool, str]:
    """``(codec, uncertain, alternative label)`` for a sample the cheap rules did not
    settle."""
    readings = _readings(sample)
    if not readings:
        return "cp1252", True, ""
    cleanest = min(r.chaos for r in readings)
    clean = [r for r in readings if r.chaos <= cleanest + _CLEAN_MARGIN]
    most_coherent = max(r.coherence for r in clean)
    western = next((r for r in clean if r.codec == "cp1252"), None)
    if western is not None and western.coherence >= most_coherent - 0.15:
        if western.language in _WESTERN_LANGUAGES or _accented_share(western.text) < 0.02:
            return "cp1252", False, ""
    if len(sample) - len(sample.translate(None, _HIGH_BYTES)) < _FEW_BYTES:
        return "cp1252", True, ""  # too little evidence to leave the Western default
    # Windows-1252 had its chance above: text that does not look Western but reads cleanly
    # in another code page belongs to that one, unless 1252 is clearly the more coherent
    others = [r for r in clean if r.codec != "cp1252"]
    if others and (western is None or western.coherence <= max(r.coherence for r in others) + _CLOSE_COHERENCE):
        clean = others
    order = list(CANDIDATES)
    clean.sort(key=lambda r: (-r.coherence, order.index(r.codec)))
    chosen = clean[0]
    rivals = [r for r in clean[1:] if r.coherence >= chosen.coherence - _CLOSE_COHERENCE]
    # a letter-frequency match means little for Chinese or Japanese (charset-normalizer
    # scores even right readings near 0): there a clean strict multibyte decode is the evidence
    weak = chosen.codec not in _MULTIBYTE and chosen.coherence < _WEAK_COHERENCE
    uncertain = weak or bool(rivals)
    return chosen.codec, uncertain, CANDIDATES[rivals[0].codec] if rivals else ""


def detect_encoding(data: bytes) -> Decoding:
    """Decode ``data`` (see the module docstring); never raises."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoding(data[3:].decode("utf-8", errors="essaymarker-cp1252"), "utf-8-sig", "UTF-8")
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return Decoding(data.decode("utf-32", errors="replace"), "utf-32", "UTF-32")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return Decoding(data.decode("utf-16", errors="replace"), "utf-16", "UTF-16")
    if b"\x00" in data:
        guess = _utf16_without_bom(data)
        if guess:
            return Decoding(data.decode(guess, errors="replace"), guess, "UTF-16")
        return Decoding(decode_cp1252(data), "windows-1252", CANDIDATES["cp1252"])  # binary: refused later
    try:
        return Decoding(data.decode("utf-8"), "utf-8", "UTF-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return Decoding(data.decode("utf-8", errors="essaymarker-cp1252"), "utf-8 (with stray bytes)", "UTF-8")
    if len(data.translate(None, _NOT_SHARED)) == len(data):  # only shared punctuation
        return Decoding(decode_cp1252(data), "windows-1252", CANDIDATES["cp1252"])
    codec, uncertain, alternative = _choose(_sample(data))
    if codec == "cp1252":
        text, encoding = decode_cp1252(data), "windows-1252"
    else:
        text, encoding = data.decode(codec, errors="replace"), codec
    return Decoding(text, encoding, CANDIDATES[codec], detected=True, uncertain=uncertain, alternative=alternative)


def decode_text(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding name)``; never raises."""
    decoding = detect_encoding(data)
    return decoding.text, decoding.encoding


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f\ufffd]")


def looks_binary(text: str) -> bool:
    """NUL characters, or more than 2% control/replacement characters."""
    if "\x00" in text:
        return True
    sample = text[:65536]
    bad = len(_CONTROL.findall(sample))
    return bad > 3 and bad > 0.02 * len(sample)


def read_txt(path: Path, data: bytes) -> Extracted:
    decoding = detect_encoding(data)
    if looks_binary(decoding.text):
        raise ImportFailure(path, "this is not a text file (it contains binary data)")
    blocks = [Block(line) for line in split_lines(decoding.text)]
    warning = decoding.warning()
    return Extracted("txt", blocks, rewrap=REWRAP_AUTO, warnings=[warning] if warning else [])
