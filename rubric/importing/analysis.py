"""From cleaned blocks to a :class:`ScriptDraft`: the opening of a script (title,
candidate, cover page), paragraph kinds, word counts and warnings.

**Where the opening is read.** For a source whose lines are visual lines (PDF, hard-wrapped
text, a Word file with one paragraph per line) the opening is found line by line *before*
paragraphs are rebuilt (:func:`mark_header_lines`): a question that wraps over several
lines is joined into one title line (a line-end hyphen is rejoined and kept: ``co-`` +
``existence`` → ``co-existence``), and candidate, teacher, date and cover-page lines are
marked so that the rebuild never runs them into the question or the first paragraph. Then
:func:`split_header` reads the opening blocks of every source the same way.

**The opening**, in any order, until the first paragraph of the essay:

* *Candidate lines* (taken into the candidate's name and number, removed from the text):
  "Candidate: Jane Smith (4321)", "Name: J. Smith", "Candidate number: 4321", "Jane Smith
  4321", "4321 Jane Smith", "By Jane Smith", initials ("J.S.", "A. Bc."), and a bare name
  ("Jimmy Page", "An Nguyen", "María José García López"). A bare name is taken when the
  line is name-shaped (two to five capitalised words, with particles such as "de" or
  "van" inside), none of its words is a topic word ("Weimar Germany", "The Cold War",
  "Economic Factors" are headings), and its words are not what the essay is about (a
  word of it used three or more times in the essay's paragraphs, or the whole line used
  once, makes it a heading: "Nikita Khrushchev"). Ordinary words that are also names
  ("Page", "Rose", "Mark") do not stop a name-shaped line. A bare name is taken before
  the title, or within three lines after it.
* *The title*: a Title-styled paragraph; a first heading that is not a section name
  ("Introduction"…); a question (ends "?", starts "To what extent"/"How far"/"Assess"…,
  or ends "Assess the validity of this view." / "How far do you agree…?" / "Discuss.");
  a quoted statement followed by such an instruction (both parts are joined; a statement
  whose opening quotation mark was lost in conversion counts too); a "Title:"/"Question:"
  line; or, failing those, a short line (≤ 20 words) that does not end like a sentence,
  followed by more text. A short line or heading followed by a question (a topic line
  such as "Unit 2: Weimar Germany") is not the title: the question is.
* *School and MLA header lines* (kept, as ``front_matter``): teacher ("Mr Thompson",
  "Teacher: Ms Patel"), course ("A-level History", "Year 13 History NEA"), a labelled
  line ("Class: 13X", "Centre number: 12345", "School: …", "Date: …", "Word count:
  2,345"), a submission date ("12 March 2026"; dates before 2000 are history, not
  headers), a school name, and label-only lines ("Answer", "Question 1").
* *A cover page* (kept, as ``front_matter``): an AI-use statement ("Gen AI Statement",
  "Use of AI", "AI declaration: …"), an authentication declaration ("Declaration",
  "Statement of authenticity", "I confirm that this is my own work…", "Signed: …"), a
  contents page ("Contents" and its entries, up to the first entry repeated as the
  essay's own heading), acknowledgements, a cover sheet table ("Name | Jimmy Page" — a
  name or number in it is read too).

Title and candidate lines are removed from the paragraphs: what they say is in the
script's title and candidate fields. Everything else in the opening is kept.

**Candidate from both sources** — the number comes from the file name when its pattern
gives one, else from the text. The name comes from the file name when it gives a full
name (teachers and VLE downloads name files consistently and correctly), else from the
text's candidate line, else from the file name's initials.

**Kinds** — styled headings, and short lines (≤ 10 words) that do not end in
punctuation and come before a longer paragraph, are ``heading``. A heading such as
"Bibliography", "References", "Works cited", "Sources consulted" starts a ``reference``
section, "Appendix…" an ``appendix`` section: every later paragraph takes that kind.
Quote-styled paragraphs and paragraphs wholly inside quotation marks are ``quote``;
table rows are ``table`` (inside a reference or appendix section they take its kind). A
block the parser already knew the kind of (an ODF bibliography entry, a table of
contents: hints ``reference``, ``front_matter``, ``footnote``, ``appendix``) keeps it.

**Counts** — ``word_count`` counts every paragraph shown, cover page and school header
included (it is "everything in the script", and a teacher can see where the words are);
the removed title and candidate lines are not counted, nor are note marks such as "[1]".
``coursework_word_count`` counts only the
:data:`~rubric.importing.model.COURSEWORK_KINDS` (body, quotations and tables: the NEA
rule counts quotations and leaves out titles, headings, footnotes, references,
bibliography and appendices; a cover page and header lines are not part of the essay).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from pathlib import Path

from rubric.importing.base import REWRAP_ALWAYS, Extracted
from rubric.importing.model import (
    COURSEWORK_KINDS,
    ImportOptions,
    Paragraph,
    ScriptDraft,
    ScriptWarning,
)
from rubric.importing.names import NOT_NAMES, candidate_from_filename
from rubric.importing.paragraphs import (
    FIT_MONOSPACED,
    FIT_PROPORTIONAL,
    SOFT_HYPHEN,
    Block,
    clean_blocks,
    clean_text,
    ends_sentence,
    estimate_width,
    join_broken_lines,
    join_lines,
    looks_hard_wrapped,
    rebuild_blocks,
    split_lines,
)
from rubric.importing.words import WORD, count_words, words_of
from rubric.record import factory, record

NEAR_EMPTY_WORDS = 50
DUPLICATE_MIN_WORDS = 40
_SHINGLE = 8
_MAX_DUPLICATE_WARNINGS = 10
#: How many blocks (paragraphs) of an opening are read at most; a cover page with a
#: contents list can be long, but the scan stops at the essay's first paragraph.
_HEADER_SCAN = 60
#: How many lines of a wrapped source are read for its opening at most.
_LINE_SCAN = 80

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
#: Initials alone: "J.S.", "J. S.", "A. Bc." (an initial may be a capital and a small letter).
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.\s?){1,3}[A-Z][a-z]?\.?$")
_NOT_INITIALS = frozenset("mr ms dr st mx no co jr sr vs pp ed ch cf ca op eg ie".split())
_CENTRE_LINE = re.compile(r"^cent(?:re|er)\s*(?:number|no\.?|#)?\s*[:\-–—]?\s*\d{4,6}$", re.I)
_NOT_NAME_WORDS = frozenset(
    """the of and in on at to for a an by with from essay question war wars revolution treaty
    act empire republic reich party century history assignment coursework nea paper unit
    component section part chapter introduction conclusion word words count total date
    year version draft final submitted number candidate name student""".split()
)

# --- names without a label ------------------------------------------------------------------

#: Lower-case words that may sit inside a name ("María de la Cruz", "Ludwig van Beethoven").
_PARTICLES = frozenset("de da di do du del della der den van von ter ten le la el al bin binti bint ibn dos das y e".split())
_HONORIFICS = frozenset("mr mrs ms miss mx dr prof professor sir dame lord lady rev revd".split())
#: Words that make a capitalised line a heading, not a name ("Weimar Germany", "Economic
#: Factors"). Words that are also surnames ("Page", "Rose", "Mark", "French") are not here.
_TOPIC_WORDS = _NOT_NAME_WORDS - {"an"} | frozenset(
    """or nor not is was were be his her their its this that these those into under over after
    before during between against answer response title revolutions acts parties centuries
    historical historians historiography homework summary teacher class school college academy
    centre center course level contents statement declaration bibliography references appendix
    appendices policy policies economic economy economics political politics social society
    cultural religious military foreign domestic factors factor causes cause consequences
    consequence impact effects role reasons reason reform reforms origins rise fall collapse
    crisis crises decline growth development success failure aims aim background context
    overview analysis evaluation judgement interpretation interpretations sources source
    extract extracts germany russia britain france italy spain china japan america india
    europe africa asia ussr usa uk german russian british italian spanish chinese japanese
    american indian european soviet union weimar nazi nazis tsarist tsarism bolshevik
    bolsheviks communist communism fascism fascist liberal liberals conservative conservatives
    labour socialist socialism democracy dictatorship cold civil world great depression deal
    league nations government state states regime monarchy opposition terror purges
    collectivisation industrialisation cuban missile berlin wall review literature research
    methods study studies terms thoughts plan proposal objectives information events list
    reading notes points argument arguments discussion findings results abstract report
    project investigation questions topic theme themes issues problems perspectives views
    debate works cited further final main personal primary secondary legacy significance
    importance nature extent years period era decade revision lesson task exercise exam mock
    practice scheme grade international national modern medieval ancient contemporary
    industrial agricultural""".split()
)
_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-])*\.?")
#: Word endings that names (almost) never have: (ending, shortest word it applies to).
_NOT_NAME_ENDINGS = (
    ("tion", 5), ("sion", 5), ("ness", 5), ("ism", 5), ("ship", 6), ("ology", 6), ("ful", 6),
    ("ment", 8), ("ics", 7), ("ence", 10), ("ance", 10),
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def name_shaped(text: str) -> bool:
    """A line that is only a person's name: two to five capitalised words (initials with a
    full stop, hyphens and apostrophes allowed, particles such as "de" inside), no topic
    word and no possessive."""
    text = _nfc(text.strip())
    if not text or len(text) > 50:
        return False
    words = text.split()
    if not 2 <= len(words) <= 5:
        return False
    last = len(words) - 1
    for position, word in enumerate(words):
        if not _NAME_WORD.fullmatch(word):
            return False
        bare = word.rstrip(".").lower()
        if word[0].islower():
            if 0 < position < last and bare in _PARTICLES:
                continue
            return False
        if word.endswith("."):
            if len(bare) > 2:
                return False  # "Jan." or "Co." rather than an initial
            continue
        if bare in _HONORIFICS or word.endswith(("’s", "'s", "s’", "s'")):
            return False
        if bare in _TOPIC_WORDS and not (bare == "an" and position == 0):
            return False
        if any(len(bare) >= shortest and bare.endswith(ending) for ending, shortest in _NOT_NAME_ENDINGS):
            return False
    return True


def _mentioned(name: str, prose: str) -> bool:
    """Is ``name`` what the essay is about? (The whole line used in the essay's
    paragraphs, or one of its words three or more times.) A student does not write about
    themselves; a heading such as "Nikita Khrushchev" names the essay's subject."""
    if not prose:
        return False
    name = _nfc(name.strip())
    if name in prose:
        return True
    for word in name.split():
        word = word.strip(".")
        if len(word) < 3 or word.lower() in _PARTICLES:
            continue
        if word.isupper():
            word = word[0] + word[1:].lower()
        if prose.count(word) >= 3 and len(re.findall(rf"\b{re.escape(word)}\b", prose)) >= 3:
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
    """``(name, number)`` when the line is a candidate line (``("", "")`` for a centre
    number line), else None. A bare name is not a candidate line here: whether it is one
    depends on where it stands (see :func:`split_header`)."""
    text = _nfc(text.strip())
    if not text or len(text) > 90:
        return None
    if _INITIALS.match(text) and not any(
        part.lower() in _NOT_INITIALS for part in re.split(r"[.\s]+", text) if part
    ):
        return " ".join(text.split()), ""
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


# --- school and MLA header lines ---------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
#: A submission date is recent: "12 March 2026", "12/03/26"; "March 1917" is history.
_RECENT_YEAR = r"(?:20\d\d|['’]?\d\d)"
_DATE = (
    rf"{_WEEKDAY}(?:(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_RECENT_YEAR}|{_MONTH}\s+{_DAY},?\s+{_RECENT_YEAR}"
    rf"|{_MONTH}\s+20\d\d|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:20)?\d\d|20\d\d[/.\-]\d{{1,2}}[/.\-]\d{{1,2}})"
)
_DATE_LINE = re.compile(
    rf"^(?:(?:date(?:\s+(?:submitted|of\s+submission|handed\s+in))?|dated|submitted(?:\s+on)?|submission\s+date|"
    rf"due(?:\s+date)?|deadline|hand(?:ed)?[\s-]?in(?:\s+date)?)\s*[:\-–—]?\s*)?{_DATE}\.?$",
    re.I,
)
_HEADER_LABEL = (
    r"(?:(?:class|subject|history|form)\s+)?(?:teacher|tutor|supervisor|marker)(?:['’]s)?(?:\s+(?:name|initials))?|"
    r"subject|course|qualification|specification|spec|exam(?:ination)?\s+board|board|level|class|set|group|"
    r"teaching\s+group|form|tutor\s+group|year(?:\s+group)?|component|unit|paper|module|topic|option|school|"
    r"college|academy|cent(?:re|er)(?:\s+name)?|date(?:\s+(?:submitted|of\s+submission|set|due))?|"
    r"submitted(?:\s+on)?|submission\s+date|due(?:\s+date)?|deadline|hand[\s-]?in\s+date|draft|version|"
    r"(?:exam\s+)?series|session"
)
_LABELLED_HEADER = re.compile(
    rf"^(?:{_HEADER_LABEL})(?:\s+[\w/.\-]{{1,8}})?\s*(?::|\||\s[-–—]\s)\s*\S.{{0,100}}$", re.I
)
_WORD_COUNT = re.compile(
    r"^(?:(?:total\s+)?word\s*count|words|no\.?\s+of\s+words|number\s+of\s+words|total\s+words|length)"
    r"(?:\s*\(.{0,60}\))?\s*[:\-–—=]?\s*(?:approx\.?\s*|c\.\s*|~\s*)?\d[\d,.]*(?:\s*words)?\.?$"
    r"|^(?:approx\.?\s*|c\.\s*)?\d[\d,.]*\s+words(?:\s*\(.{0,60}\))?\.?$",
    re.I,
)
_TEACHER = re.compile(
    r"^(?:mr|mrs|ms|miss|mx|dr|prof(?:essor)?|sir|madam|dame)\.?\s+[^\W\d_][\w'’\-.]*(?:\s+[^\W\d_][\w'’\-.]*){0,2}$",
    re.I,
)
_COURSE_WORDS = re.compile(
    r"\b(?:a[\s-]?levels?|as[\s-]?levels?|a2|i?gcses?|ib|btec|pre-u|epq|y(?:ea)?r?\s*1[0-3][a-z]?|"
    r"sixth\s+form|upper\s+sixth|lower\s+sixth|nea|coursework|non[\s-]examined\s+assessment|homework|"
    r"component\s*\d|unit\s*\d|paper\s*\d|module\s*\d|aqa|ocr|edexcel|pearson|wjec|eduqas|ccea|cie)\b",
    re.I,
)
_SUBJECT_LINE = re.compile(
    r"^(?:ancient\s+|modern\s+|early\s+modern\s+)?history(?:\s+(?:coursework|essay|homework|assignment|nea|class))?$",
    re.I,
)
_SCHOOL_LINE = re.compile(
    r"^[^\W\d_][\w'’&.\- ]{1,60}\s(?:academy|school|college|high\s+school|grammar\s+school|sixth\s+form(?:\s+college)?)$",
    re.I,
)
_LABEL_ONLY = re.compile(
    r"^(?:answer|my\s+answer|response|essay|my\s+essay|essay\s+answer|question(?:\s*\d+[a-z]?)?|"
    r"q\.?\s*\d+[a-z]?|essay\s+(?:title|question)|title|the\s+question|name|candidate(?:\s+name)?|"
    r"candidate\s+number|date)\s*[:.]?$",
    re.I,
)


def is_header_line(text: str) -> bool:
    """A school or MLA header line that is kept as front matter: teacher, course, a
    labelled line (class, centre, school, date, word count…), a submission date, a school
    name, or a label on its own ("Answer", "Question 1")."""
    text = text.strip()
    if not text or len(text) > 120:
        return False
    if _LABELLED_HEADER.match(text) or _WORD_COUNT.match(text) or _DATE_LINE.match(text):
        return True
    if _TEACHER.match(text) or _LABEL_ONLY.match(text) or _SUBJECT_LINE.match(text):
        return True
    if _SCHOOL_LINE.match(text) and count_words(text) <= 8:
        return True
    return (
        count_words(text) <= 6
        and ":" not in text
        and "?" not in text
        and _COURSE_WORDS.search(text) is not None
    )


# --- cover pages -------------------------------------------------------------------------------

_AI = r"(?:gen(?:erative)?\.?[\s-]*)?(?:ai|a\.i\.|artificial\s+intelligence|chat\s?gpt|llms?)"
_FRONT_STATEMENT = (
    rf"{_AI}(?:[\s-]+(?:use|usage|tools?))?\s+(?:statement|declaration|disclosure|acknowledge?ment|policy|log|use|usage)"
    rf"|(?:statement|declaration|disclosure|acknowledge?ment)\s+(?:of|on|about)\s+(?:the\s+)?(?:use\s+of\s+)?{_AI}"
    rf"(?:\s+(?:use|tools?))?"
    rf"|(?:use|usage)\s+of\s+{_AI}(?:\s+tools?)?"
    r"|(?:candidate(?:['’]s)?\s+|student(?:['’]s)?\s+)?(?:authentication|authenticity|originality|plagiarism|"
    r"academic\s+(?:honesty|integrity))(?:\s+(?:statement|declaration|form|policy))?"
    r"|(?:statement|declaration|confirmation|certificate)\s+of\s+(?:authenticity|originality|authentication|own\s+work)"
    r"|(?:candidate(?:['’]s)?|student(?:['’]s)?|personal)\s+declaration|declaration"
    r"|candidate\s+record\s+form|cover\s+(?:sheet|page)|acknowledge?ments"
)
_CONTENTS = r"(?:table\s+of\s+)?contents(?:\s+page)?"
_FRONT_HEADING = re.compile(
    rf"^{_NUMBERING}(?:(?P<statement>{_FRONT_STATEMENT})|(?P<contents>{_CONTENTS}))\s*:?$", re.I
)
_FRONT_INLINE = re.compile(rf"^(?:{_FRONT_STATEMENT})\s*[:\-–—]\s*\S", re.I)
_SIGNATURE = re.compile(
    r"^(?:(?:candidate|student|pupil|teacher|supervisor|assessor)(?:['’]s)?\s+)?(?:signed|signature)\b.{0,80}$"
    r"|^(?:date\s+signed|print(?:ed)?\s+name)\b.{0,80}$",
    re.I,
)
#: A statement on its own, without a heading: "I confirm that this is my own work", "I did
#: not use any AI tools".
_DECLARES = re.compile(r"^(?:i|we)\s+(?:hereby\s+)?(?:confirm|declare|certify)\b", re.I)
_DECLARATION_WORDS = re.compile(
    r"\b(?:own\s+work|my\s+own|plagiari[sz]\w*|authentic\w*|acknowledge?\w*|unaided|ai|generative)\b", re.I
)
_USES = re.compile(
    r"^(?:i|we)\s+(?:have\s+not\s+used|did\s+not\s+use|have\s+used|used|made\s+use|have\s+made\s+use)\b", re.I
)
_AI_WORDS = re.compile(
    r"\b(?:ai|a\.i\.|chat\s?gpt|gpt-?\d*|copilot|gemini|claude|grammarly|quillbot|generative|"
    r"artificial\s+intelligence|language\s+models?|chatbots?)\b",
    re.I,
)
_FRONT_WORDS = re.compile(
    r"\b(?:ai|a\.i\.|chat\s?gpt|gpt-?\d*|copilot|gemini|claude|grammarly|quillbot|generative|chatbots?|"
    r"artificial\s+intelligence|language\s+models?|declare|declaration|confirm|own\s+work|my\s+own|"
    r"plagiari[sz]\w*|authentic\w*|acknowledge?\w*|signed|signature|tools?|software|assistance|"
    r"candidate\s+record|none|n/a|not\s+applicable)\b",
    re.I,
)
#: A contents entry's page reference: "Introduction ........ 3", "Conclusion 12", "p. 4".
_PAGE_REF = re.compile(r"(?:\.{2,}|…+|[\s.·_\-]{2,}|\s)\s*(?:p\.?\s*|page\s+)?\d{1,3}(?:\s*[-–]\s*\d{1,3})?$", re.I)
_ENTRY_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*[.):]?|[IVXivx]+[.):]|(?:chapter|section|part)\s+\w+[.:)]?)\s+", re.I)


def _front_section(text: str) -> str | None:
    """"statement" or "contents" when ``text`` is a cover-page heading."""
    if len(text) > 80:
        return None
    match = _FRONT_HEADING.match(text.strip())
    if not match:
        return None
    return "contents" if match.group("contents") else "statement"


def is_front_line(text: str) -> bool:
    """One cover-page line on its own: "AI statement: none used", "Signed: …", "I confirm
    that this essay is my own work."."""
    text = text.strip()
    if _FRONT_INLINE.match(text) or (len(text) <= 100 and _SIGNATURE.match(text)):
        return True
    if count_words(text) > 120:
        return False
    if _DECLARES.match(text):
        return _DECLARATION_WORDS.search(text) is not None
    return bool(_USES.match(text) and _AI_WORDS.search(text))


def _entry_key(text: str) -> str:
    text = _PAGE_REF.sub("", text.strip()).strip(" .·_-…")
    return " ".join(_ENTRY_NUMBER.sub("", text).lower().split())

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


def _strip_title_prefix(text: str) -> str:
    return _TITLE_PREFIX.sub("", text, count=1).strip()


def _heading_like(text: str, words: int, following_words: int) -> bool:
    """A short line (≤ 10 words) without final punctuation, before a longer paragraph."""
    if not text or len(text) > 100 or _END_PUNCT.search(text):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    return 0 < words <= 10 and following_words > words


#: A list item's label as Word and the other formats show it: "1.", "2)", "a)", "iv.",
#: "•", "o" (Word's second-level bullet), "-", "–", "▪".
_LIST_LABEL = re.compile(r"^(?:\d{1,3}[.)]|[a-z][.)]|[ivx]{1,5}[.)]|[•◦▪‣·o\-–—*])\s", re.I)


def _in_a_list(blocks: list[Block], index: int) -> bool:
    """Whether the block at ``index`` is one item of a list: it starts with a list label
    and so does the block before or after it (numbered headings are set apart by the
    paragraphs under them; a list's items come one after another)."""
    if not _LIST_LABEL.match(blocks[index].text):
        return False
    return any(0 <= i < len(blocks) and blocks[i].hint == "body" and _LIST_LABEL.match(blocks[i].text)
               for i in (index - 1, index + 1))


def _short_line(text: str) -> bool:
    """A short line that does not end like a sentence: a topic, heading or title line."""
    return (
        0 < len(text) <= 100
        and (text[0].isupper() or text[0].isdigit())
        and not _END_PUNCT.search(text)
        and count_words(text) <= 12
    )


def _lost_open_quote(text: str) -> bool:
    """A statement whose opening quotation mark was lost in conversion: it ends with a
    closing mark after a full stop ("…peaceful co-existence.’") and opens none."""
    text = text.strip()
    return (
        bool(re.search(r"[.?!][’”\"']$", text))
        and not any(q in text for q in "“‘«„")
        and count_words(text) <= 60
    )


def is_header_element(text: str) -> bool:
    """Any line that belongs to a script's opening other than its title: a candidate,
    header or cover-page line, or a name-shaped line."""
    return (
        parse_candidate_line(text) is not None
        or is_header_line(text)
        or is_front_line(text)
        or _front_section(text) is not None
        or name_shaped(text)
    )


def _question_ahead(blocks: list[Block], index: int) -> bool:
    """Does a question (or a Title-styled line) follow within a few header lines?"""
    for j in range(index + 1, min(len(blocks), index + 4)):
        block = blocks[j]
        if block.hint == "title" or is_question_like(block.text):
            return True
        following = blocks[j + 1].text if j + 1 < len(blocks) else ""
        if (is_quoted_statement(block.text) or _lost_open_quote(block.text)) and is_question_like(following):
            return True
        if not (_short_line(block.text) or is_header_element(block.text)):
            return False
    return False


def _is_title_part(blocks: list[Block], index: int, found: list[str]) -> bool:
    block = blocks[index]
    text = block.text
    if block.hint == "title":
        # a Title-styled topic ("Vichy France") over the question (a Subtitle, or a
        # line): the question is the title, the topic a front-matter line
        return found or is_question_like(text) or not _short_line(text) or not any(
            is_question_like(blocks[j].text) for j in range(index + 1, min(len(blocks), index + 3)))
    if block.hint == "table" or count_words(text) > 80:
        return False
    if block.hint == "heading" and not found and not _GENERIC_SECTION.match(text):
        if _REFERENCE_HEADING.match(text) or _APPENDIX_HEADING.match(text):
            return False
        return is_question_like(text) or not _question_ahead(blocks, index)
    if is_question_like(text):
        return True
    following = blocks[index + 1].text if index + 1 < len(blocks) else None
    if following is not None and (is_quoted_statement(text) or _lost_open_quote(text)) and is_question_like(following):
        return True
    if found or following is None:
        return False
    words = count_words(text)
    # a first line of an essay that does not end like a sentence is its title
    return (
        block.hint in ("body", "header")
        and 0 < words <= 20
        and not re.search(r"[.,;:][\"'’”)]*$", text)
        and not _GENERIC_SECTION.match(text)
        and not _REFERENCE_HEADING.match(text)
        and not _APPENDIX_HEADING.match(text)
        and (count_words(following) > words or is_header_element(following))
        and not _question_ahead(blocks, index)
    )


@record(frozen=False)
class Header:
    """The opening of a script: ``blocks[:end]``. Of those, the ``front`` ones are kept
    (as ``front_matter``); the others were title or candidate lines."""

    title: str = ""
    name: str = ""
    number: str = ""
    end: int = 0
    front: list[int] = factory(list)


def _prose(blocks: list[Block]) -> str:
    """The essay's paragraphs (long blocks), to tell a name from the essay's subject."""
    return "\n".join(_nfc(b.text) for b in blocks if len(b.text) >= 200)


def _consume_statement(blocks: list[Block], start: int, limit: int, front: list[int]) -> int:
    """The paragraphs of an AI-use statement or a declaration after its heading."""
    j = start
    while j < limit and j - start < 8:
        block = blocks[j]
        text = block.text
        if block.hint in ("title", "heading") or _front_section(text) or is_question_like(text):
            break
        if parse_candidate_line(text) is not None:
            break
        words = count_words(text)
        if is_front_line(text) or _DATE_LINE.match(text) or (block.hint == "table" and _FRONT_WORDS.search(text)):
            pass
        elif words > 200:
            break
        elif j == start and (not _short_line(text) or _FRONT_WORDS.search(text)):
            pass  # the statement itself
        elif words <= 120 and _AI_WORDS.search(text) and not _short_line(text):
            pass  # more of an AI-use statement
        else:
            break
        front.append(j)
        j += 1
    return j


def _consume_contents(blocks: list[Block], start: int, limit: int, front: list[int], entries: set[str]) -> int:
    """The entries of a contents page: lines with page numbers, or (without) short lines up
    to the first entry that is repeated (the essay's own first heading)."""
    j = start
    paged: bool | None = None
    while j < limit and len(entries) < 60:
        block = blocks[j]
        text = block.text
        if block.hint == "title" or _front_section(text) or is_question_like(text):
            break
        if parse_candidate_line(text) is not None:
            break
        words = count_words(text)
        has_page = words <= 20 and _PAGE_REF.search(text) is not None
        if paged is None:
            paged = has_page
        key = _entry_key(text)
        if not key or key in entries:
            break
        if paged and not has_page:
            break
        if not paged:
            if words > 15 or (_END_PUNCT.search(text) and not text.endswith(":")):
                break
            after = blocks[j + 1] if j + 1 < len(blocks) else None
            if after is not None and after.hint == "body" and count_words(after.text) > 20:
                break  # this line heads the essay's first paragraph
        entries.add(key)
        front.append(j)
        j += 1
    return j


def _cover_table_row(text: str) -> tuple[str, str] | None:
    """``(name, number)`` from a cover-sheet table row ("Candidate name | Jimmy Page |
    Candidate number | 1234"), None when the row is not a cover-sheet row."""
    cells = [cell.strip() for cell in text.split("|")]
    found = False
    name = number = ""
    pieces = cells + [f"{a}: {b}" for a, b in zip(cells, cells[1:], strict=False) if a and b]
    for piece in pieces:
        if not piece:
            continue
        candidate = parse_candidate_line(piece)
        if candidate is not None:
            found = True
            name = name or candidate[0]
            number = number or candidate[1]
        elif is_header_line(piece) or is_front_line(piece):
            found = True
    return (name, number) if found else None


def _wrapped_title(blocks: list[Block], index: int) -> tuple[str, int] | None:
    """A question broken over paragraphs of a source that is not otherwise wrapped (a
    typed text whose question alone was wrapped): the break is inside a word ("co-") or
    inside a sentence (the next paragraph starts in lower case)."""
    block = blocks[index]
    if block.hint not in ("body", "header") or index + 1 >= len(blocks) or len(block.text) > 200:
        return None
    following = blocks[index + 1].text
    if not (block.text.endswith(("-", "\u2010")) or following[:1].islower()) or ends_sentence(block.text):
        return None
    span = _title_span(blocks, index, 0)
    return span if span is not None and span[1] - index >= 2 else None


def split_header(blocks: list[Block]) -> Header:
    """The opening blocks of a script (see the module docstring): title, candidate, and
    which of them are kept as front matter."""
    header = Header()
    title_parts: list[str] = []
    last_title = -1
    contents: set[str] = set()
    prose: str | None = None
    index = 0
    limit = min(len(blocks), _HEADER_SCAN)
    while index < limit:
        block = blocks[index]
        text = block.text
        if block.hint == "front_matter":  # the parser knew: a contents page, a list of figures
            header.front.append(index)
            if not _front_section(text):
                contents.add(_entry_key(text))
            index += 1
            continue
        if block.hint == "table":
            row = _cover_table_row(text)
            if row is None:
                break
            header.name = header.name or row[0]
            header.number = header.number or row[1]
            header.front.append(index)
            index += 1
            continue
        if block.hint != "title" or title_parts:  # a Subtitle may hold the name or the course
            section = _front_section(text)
            if section is not None:
                header.front.append(index)
                if section == "contents":
                    index = _consume_contents(blocks, index + 1, limit, header.front, contents)
                else:
                    index = _consume_statement(blocks, index + 1, limit, header.front)
                continue
            if is_front_line(text) or is_header_line(text):
                header.front.append(index)
                index += 1
                continue
            candidate = parse_candidate_line(text)
            if candidate is not None:
                if candidate == ("", ""):
                    header.front.append(index)  # a centre number: kept
                header.name = header.name or candidate[0]
                header.number = header.number or candidate[1]
                index += 1
                continue
            if (
                block.hint in ("body", "header", "title", "heading")
                and (last_title < 0 or index - last_title <= 3)
                and name_shaped(text)
            ):
                if prose is None:
                    prose = _prose(blocks)
                if not _mentioned(text, prose):
                    header.name = header.name or " ".join(_nfc(text).split())
                    index += 1
                    continue
        if contents and _entry_key(text) in contents:
            break  # a heading listed in the contents: the essay starts here
        span = _wrapped_title(blocks, index)
        if span is not None:
            title_parts.append(_strip_title_prefix(span[0]))
            last_title = span[1] - 1
            index = span[1]
            continue
        if _is_title_part(blocks, index, title_parts):
            title_parts.append(_strip_title_prefix(text))
            last_title = index
            index += 1
            continue
        if not title_parts and block.hint in ("body", "header", "heading", "title") and _short_line(text) and _question_ahead(blocks, index):
            header.front.append(index)  # a topic line above the question
            index += 1
            continue
        break
    header.title = " ".join(part for part in title_parts if part)
    header.end = index
    return header


# --- the opening of a wrapped source, line by line ----------------------------------------------

def _complete(text: str) -> bool:
    return bool(re.search(r"[.?!…][\"'’”»)\]]*$", text) or _INSTRUCTION_END.search(text))


def _title_span(blocks: list[Block], start: int, full_width: int) -> tuple[str, int] | None:
    """A title or question that starts at line ``start`` and wraps over up to five lines:
    ``(the lines joined, the index after them)``. A line-end hyphen is kept: a question is
    typed (or set by the exam board), not hyphenated by a typesetter, so "co-" +
    "existence" is "co-existence" whatever spelling the essay itself uses."""
    first = blocks[start].text
    if not (first[:1].isupper() or first[:1].isdigit() or first[:1] in _OPEN_QUOTES):
        return None
    joined = ""
    j = start
    while j < len(blocks) and j - start < 5:
        block = blocks[j]
        if not block.text or block.hint != "body" or (j > start and _is_line_header(block.text, full_width)):
            break
        if j > start and not _continues(blocks[j - 1].text, block.text, full_width):
            break
        joined = join_lines(joined, block.text)
        j += 1
        if count_words(joined) > 80:
            break
        if not is_question_like(joined):
            continue
        following = blocks[j] if j < len(blocks) else None
        if following is not None and following.hint == "body" and following.text[:1].islower():
            continue  # the sentence goes on
        if following is not None and following.hint == "body" and following.text and \
                block.text.rsplit(None, 1)[-1].lower() in _GOES_ON:
            continue  # "…the Treaty of" / "Versailles caused the Second World War."
        ends_unit = (
            following is None
            or not following.text
            or following.hint != "body"
            or _is_line_header(following.text, full_width)
            or (len(block.text) < 0.7 * full_width and not block.text.endswith(("-", ",", SOFT_HYPHEN)))
        )
        if _complete(joined) or ends_unit:
            return joined, j
    return None


def _continues(line: str, following: str, full_width: int) -> bool:
    """Can a wrapped title go on from ``line`` to ``following``? Not after a short line
    that ends neither a word nor a sentence when the next line starts with a capital: that
    is a line of its own (a contents entry, a topic line)."""
    if following[:1].islower() or line.endswith(("-", "\u2010", ",", SOFT_HYPHEN)) or ends_sentence(line):
        return True
    last = line.rsplit(None, 1)[-1].lower() if line.strip() else ""
    if last in _GOES_ON:   # "…the view that the Treaty of" / "Versailles caused…" (a title in
        return True        # a larger font than the body's wraps on a shorter line)
    return bool(full_width) and len(line) >= 0.7 * full_width


#: Words a title's line cannot end on: the line goes on.
_GOES_ON = frozenset("""
of the a an and or nor to in into on onto at by for from with within without that which
who whom whose than as is was were are be been its their his her our your this these those
""".split())


def _is_line_header(text: str, full_width: int) -> bool:
    """A short line of a wrapped opening that must stay a line of its own: a candidate,
    header or cover-page line."""
    if full_width and len(text) >= 0.85 * full_width:
        return False
    if not (text[:1].isupper() or text[:1].isdigit()):
        return False
    return (
        parse_candidate_line(text) is not None
        or is_header_line(text)
        or is_front_line(text)
        or _front_section(text) is not None
    )


def mark_header_lines(blocks: list[Block]) -> list[Block]:
    """The opening of a wrapped source, read line by line before paragraphs are rebuilt:
    a question wrapped over several lines becomes one ``title`` block, candidate, header
    and cover-page lines become ``header`` blocks (never joined to their neighbours).
    Stops at the first line of the essay's first paragraph."""
    full_width = estimate_width(b.text for b in blocks if b.text and b.hint == "body")
    out: list[Block] = []
    index = 0
    seen = 0
    in_front = 0  # lines still allowed for a cover-page section's paragraphs
    boundary = True  # could a paragraph start at this line?
    while index < len(blocks) and seen < _LINE_SCAN:
        block = blocks[index]
        text = block.text
        if not text or block.hint != "body":
            out.append(block)
            index += 1
            boundary = True
            continue
        seen += 1
        if _is_line_header(text, full_width):
            out.append(Block(text.rstrip(SOFT_HYPHEN), "header", block.indent, block.gap_before))
            if _front_section(text) is not None:
                in_front = 40
            index += 1
            boundary = True
            continue
        span = _title_span(blocks, index, full_width) if boundary or block.gap_before else None
        if span is not None:
            title, after = span
            out.append(Block(title.rstrip(SOFT_HYPHEN), "title", block.indent, block.gap_before))
            index = after
            boundary = True
            continue
        if _short_line(text) and len(text) < 0.7 * full_width:
            out.append(block)  # a name, topic, title or contents line: the rebuild keeps it apart
            index += 1
            boundary = True
            continue
        if in_front > 0:
            out.append(block)  # a line of a cover-page paragraph
            in_front -= 1
            index += 1
            boundary = ends_sentence(text) and len(text) < 0.85 * full_width
            continue
        break
    out.extend(blocks[index:])
    return out

# --- kinds ---------------------------------------------------------------------------------

def looks_like_quote(text: str, words: int | None = None) -> bool:
    """A paragraph wholly inside quotation marks (a citation may follow)."""
    if not _starts_with_quote(text):
        return False
    if (count_words(text) if words is None else words) < 8:
        return False
    last = _quote_end(text)
    if last <= 0:
        return False
    rest = text[last + 1 :].strip(" .,;")
    return not rest or (len(rest) <= 80 and rest[:1] in "([-–—0123456789")


_CLOSING = {"“": "”", "„": "“”", "«": "»", "‘": "’", "\"": "\"", "'": "'"}


def _quote_end(text: str) -> int:
    """Where the quotation that opens ``text`` closes (-1 when it does not): the first
    closing mark of its kind, an apostrophe inside a word ("Stolypin’s") excepted. A
    student's sentence that opens with a quoted phrase ("“Peace, land and bread” was the
    slogan…") closes it early, so it is prose, not a quotation."""
    closers = _CLOSING.get(text[:1], _CLOSE_QUOTES)
    for index in range(1, len(text)):
        char = text[index]
        if char in closers and not (char in "’'" and index + 1 < len(text)
                                    and text[index - 1].isalpha() and text[index + 1].isalpha()):
            return index
    return -1


#: Block hints that are paragraph kinds already: the parser knew what the block is.
_KIND_HINTS = ("reference", "front_matter", "footnote", "appendix")

#: Reference headings that may also head a part of the essay (its sources analysed).
_SOURCES_OR_NOTES = re.compile(r"\b(sources?|notes|citations)\b", re.I)
#: A paragraph of this many words or more that does not open as a reference entry does is
#: prose (a reference entry is a dozen or two: author, title, place and year).
PROSE_WORDS = 30
#: How a reference entry opens: "Figes, O.", "Figes, Orlando", "FIGES, O." or a web address.
_ENTRY_OPENING = re.compile(r"^(?:[^\W\d_][\w'’-]*,\s+[^\W\d_]|https?://|www\.)")


def _prose_follows(blocks: list[Block], counts: list[int], index: int) -> bool:
    """Whether the first paragraph after the heading at ``index`` is prose: at least
    ``PROSE_WORDS`` words, not opening as a reference entry, ending a sentence."""
    for following in range(index + 1, len(blocks)):
        block = blocks[following]
        if block.hint in ("heading", "title") or not block.text.strip():
            continue
        text = block.text.strip()
        return counts[following] >= PROSE_WORDS and not _ENTRY_OPENING.match(text) and \
            bool(_END_PUNCT.search(text)) and "http" not in text
    return False


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
        if block.hint == "table":
            paragraphs.append(Paragraph(text, section or "table"))
            continue
        if block.hint in _KIND_HINTS:  # the parser knew (an ODF index, a contents page)
            paragraphs.append(Paragraph(text, block.hint))
            continue
        if index >= last - 2 and _WORD_COUNT.match(text.strip()):
            # "Word count: 1,503" at the end says how long the essay is; it is not the essay
            paragraphs.append(Paragraph(text, "front_matter"))
            continue
        styled_heading = block.hint in ("heading", "title")
        heading = styled_heading or (index < last and _heading_like(text, words, counts[index + 1])
                                     and not _in_a_list(blocks, index))
        short = words <= 12 and not _END_PUNCT.search(text.rstrip(":"))
        if (heading or short) and _REFERENCE_HEADING.match(text):
            # "Primary sources" over the student's analysis of them is a section of the
            # essay; over a list of titles, a bibliography
            section = None if _SOURCES_OR_NOTES.search(text) and _prose_follows(
                blocks, counts, index) else "reference"
            kind = "heading"
        elif heading and section == "reference" and (
                _GENERIC_SECTION.match(text) or _prose_follows(blocks, counts, index)):
            section = None   # "Conclusion" after the sources: the essay goes on
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


#: Characters that lower-casing might turn into something that splits words otherwise
#: (or, for "Σ", into what depends on its neighbours): anything outside Latin, Greek,
#: Cyrillic and the common punctuation and symbol blocks, and İ (U+0130) and Σ (U+03A3)
#: inside them. A text without any has the same words lower-cased as in the original
#: (tests/core/test_import_analysis.py checks every character these ranges let through).
_LOWER_CHANGES_WORDS = re.compile(
    "[^\x00-\u012f\u0131-\u03a2\u03a4-\u04ff\u2000-\u206f\u20a0-\u20cf\u2100-\u214f]")


def tokens(text: str) -> list[str]:
    """The words of ``text`` in comparable form (lower case, straight apostrophes);
    ``len(tokens(t)) == count_words(t)`` (note marks such as "[1]" are not words)."""
    if "[" in text or _LOWER_CHANGES_WORDS.search(text) is not None:
        found = words_of(text)  # before lower-casing: "[I]t" is an editor's bracket, "[i]" a note mark
        return " ".join(found).lower().replace("’", "'").split(" ") if found else []
    # the usual text: lower-cased first, its words are the lower-cased words (quicker)
    text = text.lower()
    return WORD.findall(text.replace("’", "'") if "’" in text else text)


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


_HEADER_PAGE = re.compile(r"\b(?:page\s*)?\d{1,4}\s*(?:of|/)\s*\d{1,4}\b|\bpage\s*\d{1,4}\b", re.I)
_HEADER_NUMBER = re.compile(r"^(?:candidate|cand\.?|student)\s*(?:no\.?|number|#)?\s*[:.]?\s*"
                            r"(\d{3,6})$", re.I)
_HEADER_SEPARATORS = re.compile(r"\s+[—–|/·•-]\s+|\s*[|\t]\s*|\s{3,}")


def candidate_from_running_header(lines: list[str]) -> tuple[str, str]:
    """``(name, number)`` from a page header ("Eleanor Whitfield — Candidate 4017",
    "Jane Smith | 1234 | Page 2 of 5", "Candidate: Jane Smith (1234)"); empty strings for
    what it does not give. Page numbers are left out; each part between separators is read
    as a candidate line, or as a name of two to four capitalised words."""
    name = number = ""
    for line in lines:
        text = _HEADER_PAGE.sub(" ", _nfc(line)).strip(" -–—|,")
        if not text:
            continue
        parts = [text, *(p.strip() for p in _HEADER_SEPARATORS.split(text) if p.strip())]
        for part in parts:
            found = parse_candidate_line(part)
            bare = _HEADER_NUMBER.match(part)
            if found is not None:
                name, number = name or found[0], number or found[1]
            elif bare:
                number = number or bare.group(1)
            elif not name and part is not text and _plausible_name(part, True) \
                    and not any(c.isdigit() for c in part) \
                    and not any(w.lower() in NOT_NAMES for w in re.findall(r"[^\W\d_]+", part)):
                name = " ".join(part.split())
            if name and number:
                return name, number
    return name, number


def prepare_blocks(extracted: Extracted) -> list[Block]:
    """Clean the blocks and rebuild wrapped paragraphs when needed (reading the opening
    line by line first); no blank blocks."""
    blocks = clean_blocks(extracted.blocks)
    rewrap = extracted.rewrap == REWRAP_ALWAYS or looks_hard_wrapped(
        [b.text for b in blocks if b.hint == "body"]
    )
    if rewrap:
        blocks = mark_header_lines(blocks)
        fit = FIT_MONOSPACED if extracted.format == "txt" else FIT_PROPORTIONAL
        return rebuild_blocks(blocks, fit)
    return [Block(b.text.rstrip(SOFT_HYPHEN), b.hint, b.indent) for b in join_broken_lines(blocks)
            if b.text.rstrip(SOFT_HYPHEN)]


def build_draft(path: Path, data: bytes, extracted: Extracted, options: ImportOptions) -> ScriptDraft:
    blocks = prepare_blocks(extracted)
    header = split_header(blocks)
    front = [Paragraph(blocks[i].text, "front_matter") for i in sorted(set(header.front))]
    body = [b if b.hint != "header" else Block(b.text, "body", b.indent) for b in blocks[header.end :]]
    words = [tokens(p.text) for p in front] + [tokens(b.text) for b in body]
    counts = [len(w) for w in words]
    paragraphs = front + classify(body, counts[len(front) :])
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
    text_name, text_number = header.name, header.number
    if extracted.running_header and not (text_name and text_number):
        page_name, page_number = candidate_from_running_header(extracted.running_header)
        text_name, text_number = text_name or page_name, text_number or page_number
    name, number = merge_candidate(file_name, file_number, text_name, text_number)

    word_count = sum(counts)
    coursework = sum(n for p, n in zip(paragraphs, counts, strict=True) if p.kind in COURSEWORK_KINDS)
    if extracted.has_text:
        for warning in (size_warning(word_count), word_limit_warning(coursework, options.word_limit)):
            if warning is not None:
                warnings.append(warning)
        warnings.extend(find_duplicates(paragraphs, paragraph_tokens=words))

    return ScriptDraft(
        path=path,
        format=extracted.format,
        paragraphs=paragraphs,
        title=header.title,
        candidate_name=name,
        candidate_number=number,
        word_count=word_count,
        coursework_word_count=coursework,
        warnings=warnings,
        has_text=extracted.has_text,
        page_count=extracted.page_count,
        source_bytes=data,
    )
