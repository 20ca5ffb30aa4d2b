"""From cleaned blocks to a :class:`ScriptDraft`: title and candidate, paragraph kinds,
word counts and warnings.

**Title** — the opening block(s) before the body: a Title-styled paragraph; a first
heading that is not a section name ("Introduction"…); a question (ends "?", starts
"To what extent"/"How far"/"Assess"…, or ends "Assess the validity of this view." /
"How far do you agree…?" / "Discuss."); a quoted statement followed by such an
instruction (both parts are joined); a "Title:"/"Question:" line; or, failing those, a
short first line (≤ 20 words) that does not end like a sentence, followed by more text.

**Candidate line** — among those opening blocks, in any order: "Candidate: Jane Smith
(4321)", "Name: J. Smith", "Candidate number: 4321", "Jane Smith 4321", "4321 Jane
Smith", "By Jane Smith", or initials alone ("J.S."). A bare name without a label or
number ("Jane Smith") is taken only on the line directly above the question or title;
elsewhere it cannot be told from a heading such as "Weimar Germany".

Title and candidate lines are removed from the paragraphs.

**Candidate from both sources** — the number comes from the file name when its pattern
gives one, else from the text. The name comes from the file name when it gives a full
name (teachers and VLE downloads name files consistently and correctly), else from the
text's candidate line, else from the file name's initials.

**Kinds** — styled headings, and short lines (≤ 10 words) that do not end in
punctuation and come before a longer paragraph, are ``heading``. A heading such as
"Bibliography", "References", "Works cited", "Sources consulted" starts a ``reference``
section, "Appendix…" an ``appendix`` section: every later paragraph takes that kind.
Quote-styled paragraphs and paragraphs wholly inside quotation marks are ``quote``.

**Counts** — ``word_count`` counts every paragraph (not title/candidate lines);
``coursework_word_count`` only ``body`` and ``quote`` (the NEA rule: quotations count;
titles, headings, footnotes, references, bibliography and appendices do not).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

from rubric.importing.base import REWRAP_ALWAYS, Extracted
from rubric.importing.model import ImportOptions, Paragraph, ScriptDraft, ScriptWarning
from rubric.importing.names import candidate_from_filename
from rubric.importing.paragraphs import (
    FIT_MONOSPACED,
    FIT_PROPORTIONAL,
    SOFT_HYPHEN,
    Block,
    clean_blocks,
    clean_text,
    looks_hard_wrapped,
    rebuild_blocks,
    split_lines,
)
from rubric.importing.words import WORD, count_words

NEAR_EMPTY_WORDS = 50
DUPLICATE_MIN_WORDS = 40
_SHINGLE = 8
_MAX_DUPLICATE_WARNINGS = 10
_HEADER_SCAN = 8

_OPEN_QUOTES = "“\"‘'«„"
_CLOSE_QUOTES = "”\"’'»“"

# --- sections ----------------------------------------------------------------------------

_NUMBERING = r"(?:(?:\d+(?:\.\d+)*[.):]?|(?:[IVXivx]+|[A-Za-z])[.):])\s+)?"
_REFERENCE_WORDS = (
    r"(?:bibliography|references?|reference list|list of references|works cited|works consulted|"
    r"sources(?: consulted| used| cited)?|list of sources|primary sources|secondary sources|"
    r"further reading|reading list|citations|notes)"
)
#: "Bibliography", "References", "Works cited", "Sources consulted", "Bibliography and
#: sources", "3. References:" — a short heading, not a sentence that starts with the word.
_REFERENCE_HEADING = re.compile(
    _NUMBERING + _REFERENCE_WORDS + r"(?:\s*(?:and|&)\s*" + _REFERENCE_WORDS + r")?\s*:?$", re.I
)
_APPENDIX_HEADING = re.compile(_NUMBERING + r"(appendix|appendices|annex(?:es)?)\b[^!?]{0,80}$", re.I)
_GENERIC_SECTION = re.compile(
    _NUMBERING
    + r"(introduction|conclusions?|contents|table of contents|abstract|summary|acknowledge?ments|"
    r"preface|foreword|glossary|timeline|notes|endnotes|footnotes|methodology|evaluation|"
    r"analysis|main body|chapter\b.*|section\b.*|part\b.*)\s*:?$",
    re.I,
)
_END_PUNCT = re.compile(r"[.,;:!?…][\"'’”»)\]]*$")

# --- title ---------------------------------------------------------------------------------

_QUESTION_NUMBER = r"(?:(?:q(?:uestion)?\s*)?\d+[a-z]?\s*[.):\-–]?\s*)?"
_INSTRUCTION_START = re.compile(
    r"^" + _QUESTION_NUMBER + r"(to what extent|how far|how (?:significant|important|successful|"
    r"effective|accurate|valid|convincing|useful|much|serious|far)|assess|evaluate|explain why|"
    r"explain|discuss|examine|analy[sz]e|compare|consider|in what ways?|with reference to|"
    r"using your understanding|why (?:did|was|were|do|does|has|have|is)|what (?:was|were) the "
    r"(?:main|most))\b",
    re.I,
)
_INSTRUCTION_END = re.compile(
    r"(assess the (?:validity|accuracy) of (?:this|these|the) (?:view|statement|claim|judgement|"
    r"interpretation|opinion|argument)s?|how far do you agree(?: with (?:this|these|the) [a-z]+)?|"
    r"to what extent do you agree(?: with (?:this|these|the) [a-z]+)?|do you agree(?: with "
    r"(?:this|these|the) [a-z]+)?|discuss|explain your answer|evaluate (?:this|these|the) (?:view|"
    r"claim|statement|judgement|interpretation)s?|assess (?:this|these|the) (?:view|claim|statement|"
    r"judgement|interpretation)s?|how (?:valid|convincing|accurate|far) (?:is|are) (?:this|these|the) "
    r"(?:view|statement|claim|interpretation|judgement)s?)\s*[.?!]?\s*$",
    re.I,
)
_TITLE_PREFIX = re.compile(
    r"^(?:essay\s+|nea\s+|coursework\s+)?(?:title|question|essay question|task)\s*[:\-–—]\s*", re.I
)
_SENTENCE_BREAK = re.compile(r"[.?!][\"'’”)]*\s+[\"'“‘(]?[A-Z]")

# --- candidate line --------------------------------------------------------------------------

_TOKEN = r"(?!(?:candidate|cand|number|no|student|exam|examination|centre|center)\b)[^\W\d_](?:[^\W\d_]|['’\-])*\.?"
_NAME = rf"(?P<name>{_TOKEN}(?:\s+{_TOKEN}){{0,4}})"
_NUM = r"(?P<number>\d{3,6})"
_LABEL = (
    r"(?:candidate(?:['’]s)?\s+name|student(?:['’]s)?\s+name|full\s+name|pupil(?:['’]s)?\s+name|"
    r"candidate|student|pupil|name|author)"
)
_NUM_LABEL = (
    r"(?:candidate\s*(?:number|no\.?|num\.?|#)|cand\.?\s*no\.?|student\s*(?:number|no\.?|id)|"
    r"exam(?:ination)?\s*(?:number|no\.?)|number|no\.?)"
)
_NUM_TAIL = rf"(?:(?:\s*[,;|/\-–—(\[]\s*|\s+)(?:{_NUM_LABEL}\s*[:\-–—]?\s*)?{_NUM}\s*[)\]]?)?"
_CANDIDATE_PATTERNS = [
    (re.compile(rf"^{_LABEL}\s*[:\-–—]\s*{_NAME}{_NUM_TAIL}\s*$", re.I), False),
    (re.compile(rf"^(?:written\s+)?by\s+{_NAME}{_NUM_TAIL}\s*$", re.I), True),
    (re.compile(rf"^{_NUM_LABEL}\s*[:\-–—]?\s*{_NUM}(?:\s*[,;|/\-–—]?\s*(?:{_LABEL}\s*[:\-–—]\s*)?{_NAME})?\s*$", re.I), False),
    (re.compile(rf"^{_NAME}\s*(?:[,;|/\-–—:]\s*|\s+)[(\[]?(?:{_NUM_LABEL}\s*[:\-–—]?\s*)?{_NUM}[)\]]?\s*$", re.I), True),
    (re.compile(rf"^{_NUM}\s*[,;|/\-–—:]?\s*{_NAME}\s*$", re.I), True),
]
_INITIALS = re.compile(r"^(?P<name>(?:[A-Z]\.\s?){2,3})$")
_CENTRE_LINE = re.compile(r"^cent(?:re|er)\s*(?:number|no\.?|#)?\s*[:\-–—]?\s*\d{4,6}$", re.I)
_NOT_NAME_WORDS = frozenset(
    """the of and in on at to for a an by with from essay question war wars revolution treaty
    act empire republic reich party century history assignment coursework nea paper unit
    component section part chapter introduction conclusion page word words count total date
    year version draft final submitted number candidate name student""".split()
)


# --- small predicates ---------------------------------------------------------------------

def _starts_with_quote(text: str) -> bool:
    return text[:1] in _OPEN_QUOTES


def is_quoted_statement(text: str) -> bool:
    """A statement wholly in quotation marks, perhaps with an attribution after it."""
    text = text.strip()
    if not _starts_with_quote(text) or count_words(text) > 80:
        return False
    last = max(text.rfind(q) for q in _CLOSE_QUOTES)
    if last <= 0:
        return False
    rest = text[last + 1 :].strip(" .,;")
    return not rest or (len(rest) <= 60 and (rest[:1] in "([-–—" or count_words(rest) <= 6))


def _single_sentence(text: str) -> bool:
    return not _SENTENCE_BREAK.search(text.rstrip())


def is_question_like(text: str) -> bool:
    words = count_words(text)
    if words == 0 or words > 80:
        return False
    if _TITLE_PREFIX.match(text):
        return True
    end = _INSTRUCTION_END.search(text)
    if end:
        prefix = text[: end.start()].strip()
        if not prefix or is_quoted_statement(prefix):
            return True
        if re.search(r"[.?!][\"'’”)]*$", prefix) and count_words(prefix) <= 40:
            return True
    if _INSTRUCTION_START.match(text) and words <= 60 and _single_sentence(text):
        return True
    if text.rstrip(_CLOSE_QUOTES + " ").endswith("?") and words <= 40 and _single_sentence(text):
        return True
    return False


def _plausible_name(name: str, strict: bool) -> bool:
    tokens = name.split()
    if not tokens or any(t.lower().strip(".") in _NOT_NAME_WORDS for t in tokens):
        return False
    if strict:
        if not 2 <= len(tokens) <= 4:
            return False
        return all(t[0].isupper() for t in tokens)
    return True


def parse_candidate_line(text: str) -> tuple[str, str] | None:
    """``(name, number)`` when the line is a candidate line, else None."""
    text = text.strip()
    if not text or len(text) > 90:
        return None
    initials = _INITIALS.match(text)
    if initials:
        return initials.group("name").replace(" ", ""), ""
    if _CENTRE_LINE.match(text):
        return "", ""
    for regex, strict in _CANDIDATE_PATTERNS:
        match = regex.match(text)
        if not match:
            continue
        name = (match.groupdict().get("name") or "").strip()
        number = match.groupdict().get("number") or ""
        if name and not _plausible_name(name, strict):
            continue
        if not name and not number:
            continue
        return name, number
    return None


def _strip_title_prefix(text: str) -> str:
    return _TITLE_PREFIX.sub("", text, count=1).strip()


def _heading_like(text: str, words: int, following_words: int) -> bool:
    """A short line (≤ 10 words) without final punctuation, before a longer paragraph."""
    if not text or len(text) > 100 or _END_PUNCT.search(text):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    return 0 < words <= 10 and following_words > words


def _is_title_part(blocks: list[Block], index: int, found: list[str]) -> bool:
    block = blocks[index]
    text = block.text
    if block.hint == "title":
        return True
    if count_words(text) > 80:
        return False
    if block.hint == "heading" and not found and not _GENERIC_SECTION.match(text):
        return not _REFERENCE_HEADING.match(text) and not _APPENDIX_HEADING.match(text)
    if is_question_like(text):
        return True
    following = blocks[index + 1].text if index + 1 < len(blocks) else None
    if is_quoted_statement(text) and following is not None and is_question_like(following):
        return True
    if found or following is None:
        return False
    words = count_words(text)
    if (
        block.hint == "body"
        and 0 < words <= 20
        and not re.search(r"[.,;:][\"'’”)]*$", text)
        and not _GENERIC_SECTION.match(text)
        and not _REFERENCE_HEADING.match(text)
        and not _APPENDIX_HEADING.match(text)
        and (count_words(following) > words or parse_candidate_line(following) is not None)
    ):
        # a first line of an essay that does not end like a sentence is its title
        return all(parse_candidate_line(b.text) is not None for b in blocks[:index])
    return False


def _bare_name_before_title(blocks: list[Block], index: int) -> bool:
    """A line that is only a name ("Jane Smith"), directly above the question or a
    Title-styled line: a name is taken without a label only there, where no heading
    could be."""
    block = blocks[index]
    if block.hint != "body" or index + 1 >= len(blocks) or len(block.text) > 40:
        return False
    if not re.fullmatch(rf"{_NAME}", block.text.strip()) or not _plausible_name(block.text, strict=True):
        return False
    following = blocks[index + 1]
    return following.hint == "title" or is_question_like(following.text)


def split_header(blocks: list[Block]) -> tuple[str, str, str, int]:
    """``(title, name, number, count)`` — the opening blocks that are title or candidate
    lines; ``count`` of them are to be removed from the start of ``blocks``."""
    title_parts: list[str] = []
    name = number = ""
    index = 0
    limit = min(len(blocks), _HEADER_SCAN)
    while index < limit:
        text = blocks[index].text
        candidate = parse_candidate_line(text) if blocks[index].hint != "title" else None
        if candidate is None and not title_parts and _bare_name_before_title(blocks, index):
            candidate = (text.strip(), "")
        if candidate is not None:
            name = name or candidate[0]
            number = number or candidate[1]
            index += 1
            continue
        if _is_title_part(blocks, index, title_parts):
            title_parts.append(_strip_title_prefix(text))
            index += 1
            continue
        break
    return " ".join(part for part in title_parts if part), name, number, index


# --- kinds ---------------------------------------------------------------------------------

def looks_like_quote(text: str, words: int | None = None) -> bool:
    """A paragraph wholly inside quotation marks (a citation may follow)."""
    if not _starts_with_quote(text):
        return False
    if (count_words(text) if words is None else words) < 8:
        return False
    last = max(text.rfind(q) for q in _CLOSE_QUOTES)
    if last <= 0:
        return False
    rest = text[last + 1 :].strip(" .,;")
    return not rest or (len(rest) <= 80 and rest[:1] in "([-–—0123456789")


def classify(blocks: list[Block], counts: list[int] | None = None) -> list[Paragraph]:
    """Paragraph kinds for the blocks after the header (see the module docstring)."""
    if counts is None:
        counts = [count_words(b.text) for b in blocks]
    paragraphs: list[Paragraph] = []
    section: str | None = None
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        text = block.text
        words = counts[index]
        styled_heading = block.hint in ("heading", "title")
        heading = styled_heading or (index < last and _heading_like(text, words, counts[index + 1]))
        short = words <= 12 and not _END_PUNCT.search(text.rstrip(":"))
        if (heading or short) and _REFERENCE_HEADING.match(text):
            section = "reference"
            kind = "heading"
        elif (heading or short) and _APPENDIX_HEADING.match(text):
            section = "appendix"
            kind = "heading"
        elif heading:
            kind = "heading"
        elif section:
            kind = section
        elif block.hint == "quote" or looks_like_quote(text, words):
            kind = "quote"
        else:
            kind = "body"
        paragraphs.append(Paragraph(text, kind))
    return paragraphs


# --- warnings ------------------------------------------------------------------------------

def _excerpt(text: str, word_index: int, words: int = 6) -> str:
    matches = list(WORD.finditer(text))[word_index : word_index + words]
    if not matches:
        return ""
    return f"“{text[matches[0].start() : matches[-1].end()]}…”"


def tokens(text: str) -> list[str]:
    """The words of ``text`` in comparable form (lower case, straight apostrophes);
    ``len(tokens(t)) == count_words(t)``."""
    return WORD.findall(text.lower().replace("’", "'"))


def find_duplicates(
    paragraphs: list[Paragraph],
    min_words: int = DUPLICATE_MIN_WORDS,
    paragraph_tokens: list[list[str]] | None = None,
) -> list[ScriptWarning]:
    """Passages of ``min_words`` or more words that appear twice in the body (headings,
    body and quotations; not footnotes or references). Every 8-word shingle is looked up
    in a dict of first occurrences; a repeat is then extended word by word up to the end
    of its paragraph (a repeat of several paragraphs gives one warning for each). Linear
    time: about 2 ms for 4,500 words."""
    words: list[str] = []
    starts: list[int] = []  # index of each paragraph's first word in ``words``
    for index, paragraph in enumerate(paragraphs):
        starts.append(len(words))
        if paragraph.kind in ("body", "quote", "heading"):
            words.extend(paragraph_tokens[index] if paragraph_tokens else tokens(paragraph.text))
            words.append(f"\x00{index}")  # a unique separator: no passage runs on past its paragraph
    count = len(words)
    if count < 2 * min_words:
        return []
    seen: dict[tuple[str, ...], int] = {}
    remember = seen.setdefault
    shingles = zip(*(words[offset:] for offset in range(_SHINGLE)), strict=False)
    firsts = [remember(shingle, index) for index, shingle in enumerate(shingles)]
    warnings: list[ScriptWarning] = []
    resume = 0
    for j in [j for j, i in enumerate(firsts) if i != j]:  # shingles seen before: usually few
        if j < resume:
            continue
        i = firsts[j]
        length = 0
        while j + length < count and i + length < j and words[i + length] == words[j + length]:
            length += 1
        if length < min_words:
            continue
        first_p = bisect_right(starts, i) - 1
        second_p = bisect_right(starts, j) - 1
        excerpt = _excerpt(paragraphs[first_p].text, i - starts[first_p])
        if first_p == second_p:
            message = f"paragraph {second_p + 1} repeats {length} words from earlier in the same paragraph ({excerpt})"
        else:
            message = f"paragraph {second_p + 1} repeats {length} words from paragraph {first_p + 1} ({excerpt})"
        warnings.append(ScriptWarning("duplicate_passage", message))
        if len(warnings) >= _MAX_DUPLICATE_WARNINGS:
            break
        resume = j + length
    return warnings


def word_limit_warning(coursework_word_count: int, word_limit: int | None) -> ScriptWarning | None:
    """An ``over_word_limit`` warning when the coursework count is over the limit."""
    if not word_limit or coursework_word_count <= word_limit:
        return None
    over = coursework_word_count - word_limit
    return ScriptWarning(
        "over_word_limit",
        f"{coursework_word_count:,} words: {over:,} over the {word_limit:,}-word limit",
    )


def size_warning(word_count: int) -> ScriptWarning | None:
    if word_count == 0:
        return ScriptWarning("empty", "the script has no text")
    if word_count < NEAR_EMPTY_WORDS:
        return ScriptWarning("near_empty", f"the script has only {word_count} words; is this the whole script?")
    return None


# --- assembling the draft --------------------------------------------------------------------

def _is_initials(name: str) -> bool:
    letters = name.replace(".", "").replace(" ", "")
    return len(letters) <= 3 and letters.isupper()


def merge_candidate(file_name: str, file_number: str, text_name: str, text_number: str) -> tuple[str, str]:
    """Choose name and number from the file name and the text (see the module docstring)."""
    number = file_number or text_number
    if file_name and not _is_initials(file_name):
        name = file_name
    else:
        name = text_name or file_name
    return name, number


def prepare_blocks(extracted: Extracted) -> list[Block]:
    """Clean the blocks and rebuild wrapped paragraphs when needed; no blank blocks."""
    blocks = clean_blocks(extracted.blocks)
    rewrap = extracted.rewrap == REWRAP_ALWAYS or looks_hard_wrapped(
        [b.text for b in blocks if b.hint == "body"]
    )
    if rewrap:
        return rebuild_blocks(blocks, FIT_MONOSPACED if extracted.format == "txt" else FIT_PROPORTIONAL)
    return [Block(b.text.rstrip(SOFT_HYPHEN), b.hint, b.indent) for b in blocks if b.text.rstrip(SOFT_HYPHEN)]


def build_draft(path: Path, data: bytes, extracted: Extracted, options: ImportOptions) -> ScriptDraft:
    blocks = prepare_blocks(extracted)
    title, text_name, text_number, header = split_header(blocks)
    body = blocks[header:]
    words = [tokens(b.text) for b in body]
    counts = [len(w) for w in words]
    paragraphs = classify(body, counts)
    for note in extracted.footnotes:
        text = clean_text(" ".join(split_lines(note)))
        if text:
            paragraphs.append(Paragraph(text, "footnote"))
            counts.append(count_words(text))
            words.append([])

    warnings = list(extracted.warnings)
    try:
        file_name, file_number = candidate_from_filename(path.name, options.name_pattern)
    except ValueError as exc:
        file_name = file_number = ""
        warnings.append(ScriptWarning("name_pattern_invalid", str(exc)))
    name, number = merge_candidate(file_name, file_number, text_name, text_number)

    word_count = sum(counts)
    coursework = sum(n for p, n in zip(paragraphs, counts, strict=True) if p.kind in ("body", "quote"))
    if extracted.has_text:
        for warning in (size_warning(word_count), word_limit_warning(coursework, options.word_limit)):
            if warning is not None:
                warnings.append(warning)
        warnings.extend(find_duplicates(paragraphs, paragraph_tokens=words))

    return ScriptDraft(
        path=path,
        format=extracted.format,
        paragraphs=paragraphs,
        title=title,
        candidate_name=name,
        candidate_number=number,
        word_count=word_count,
        coursework_word_count=coursework,
        warnings=warnings,
        has_text=extracted.has_text,
        page_count=extracted.page_count,
        source_bytes=data,
    )
