"""Find anything in example wording that could identify a person.

Cards are published, and their example wording is copied into real sessions and notes, so it
must never carry a trace of a real client: no names, dates, numbers or addresses. The HIPAA Safe
Harbor list of 18 identifiers is the checklist. This module only *finds* candidates in a string;
``cardkb check`` turns them into ``path:line:col`` problems. Each pattern is tuned to leave
ordinary clinical prose alone ("6 sessions", "0 to 10", "12/40", "in May", "since 2013").

Standard library only: this module must never import MkDocs.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IdentifierHit:
    start: int  # offset of the match in the text
    end: int
    kind: str  # a plain-English name of what was found, e.g. "email address"
    found: str  # the matched text


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    accept: Callable[[re.Match[str]], bool] = lambda _match: True


# Whitespace between the words of one identifier: it may wrap onto the next line of a YAML
# block, but never across a blank line.
_S = r"(?=\s)[^\S\n]*\n?[^\S\n]*"

# Capitalised words that start sentences rather than name people ("... your Dr. Then we ...").
_SENTENCE_STARTERS = (
    r"(?:I|A|An|The|And|But|So|Or|Then|Now|What|When|Where|Why|Who|How|Which|If|It|Its|This"
    r"|That|These|Those|There|Here|They|We|You|Your|He|She|His|Her|My|Our|Do|Does|Did|Is|Are"
    r"|Was|Were|Has|Have|Had|Can|Could|Would|Should|Will|May|Might|Let|Yes|No|Not|Maybe"
    r"|Perhaps|Also|Just|Still|Even|Only|Please|Thank|Thanks|Ok|Okay|After|Before|In|On|At"
    r"|For|To|With|Some|Sometimes|Often|Next|Today|Try|Tell|Ask|See|Take|Notice)\b"
)
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"
_NAME = rf"(?!{_SENTENCE_STARTERS}){_NAME_WORD}"

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_YEAR_TAIL = rf"(?:,?{_S}\d{{4}}\b)?"

_STREET_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl"
    r"|Terrace)"
)

_US_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE"
    r"|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_TLD = r"(?:com|org|net|edu|gov|info|io|co|uk|ie|ca|au|nz|eu|de|us|biz|app|health)"
# A URL ends on a character that is not sentence punctuation.
_URL_TAIL = r"[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]"

_RECORD_WORD = (
    r"(?:\b(?i:MRN|medical[ \t]+record|patient|record|case|file|account|acct|policy"
    r"|licen[cs]e)|\bID)"
)
_RECORD_MARKER = r"(?i:#|no\.|num\.|nr\.|number)"

_THREE_DIGITS = re.compile(r"\d{3}")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _digits(text: str) -> int:
    return sum(char.isdigit() for char in text)


def _at_least_seven_digits(match: re.Match[str]) -> bool:
    return _digits(match.group()) >= 7


def _valid_day_month(match: re.Match[str]) -> bool:
    """Numeric date as D/M/Y or M/D/Y: both parts are days, and one of them is a month."""
    first, second = int(match.group("a")), int(match.group("b"))
    return 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12


def _valid_iso(match: re.Match[str]) -> bool:
    return 1 <= int(match.group("m")) <= 12 and 1 <= int(match.group("d")) <= 31


def _record_number(match: re.Match[str]) -> bool:
    """Accept "record #4", or a word like "case" with a run of three digits.

    Without a marker the number must not look like a count or a year ("in case 2 ...",
    "the file 2019 ...").
    """
    if match.group("marker") is not None:
        return True
    number = match.group("number")
    return _THREE_DIGITS.search(number) is not None and _YEAR.fullmatch(number) is None


_URL_KIND = "URL"

# Order matters only to break ties between matches of the same span: the earlier rule wins.
_RULES: tuple[_Rule, ...] = (
    _Rule(
        "email address",
        re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b"),
    ),
    _Rule(_URL_KIND, re.compile(rf"\bhttps?://{_URL_TAIL}", re.IGNORECASE)),
    _Rule(_URL_KIND, re.compile(rf"(?<![\w./@])www\.{_URL_TAIL}", re.IGNORECASE)),
    _Rule(
        _URL_KIND,
        re.compile(
            rf"(?<![\w@./-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+{_TLD}(?![\w-])"
            rf"(?:/{_URL_TAIL})?"
        ),
    ),
    _Rule("IP address", re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?![\w]|\.\d)")),
    # International: +44 20 7946 0000, +1 (555) 123-4567, +447700900123.
    _Rule(
        "phone number",
        re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,5}(?!\d)"),
        _at_least_seven_digits,
    ),
    # US: (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567.
    _Rule(
        "phone number",
        re.compile(r"(?<![\w(])(?:1[-. ])?(?:\(\d{3}\)[ ]?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-])"),
    ),
    # US local: 555-1234.
    _Rule("phone number", re.compile(r"(?<![\w-])\d{3}-\d{4}(?![\w-])")),
    # Trunk-prefixed runs: 020 7946 0958, 07700 900123, 0161-496-0000.
    _Rule(
        "phone number",
        re.compile(r"(?<![\w+-])0\d{2,4}[ -]?\d{3,4}(?:[ -]?\d{3,4})?(?![\w-])"),
        _at_least_seven_digits,
    ),
    # 2026-01-10, 2026/1/10.
    _Rule(
        "date",
        re.compile(
            r"(?<![\w./-])\d{4}(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
            r"(?![\w]|[-/.]\d)"
        ),
        _valid_iso,
    ),
    # 10/01/2026, 1/10/26, 10.01.2026, 10-01-2026 (the same separator twice).
    _Rule(
        "date",
        re.compile(
            r"(?<![\w./-])(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?:\d{4}|\d{2})"
            r"(?![\w]|[-/.]\d)"
        ),
        _valid_day_month,
    ),
    # January 10, Jan 3, May 3rd, March 10, 2024. Never a month name on its own.
    _Rule("date", re.compile(rf"\b{_MONTH}\.?{_S}{_DAY}(?:st|nd|rd|th)?\b(?!:){_YEAR_TAIL}")),
    # 10 January, 10th of March 2024, 3 Jan.
    _Rule(
        "date",
        re.compile(
            rf"(?<![\w.,/-]){_DAY}(?:st|nd|rd|th)?(?:{_S}of)?{_S}{_MONTH}\b"
            rf"(?:\.?,?{_S}\d{{4}}\b)?"
        ),
    ),
    _Rule("record number", re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")),  # SSN
    _Rule(
        "record number",
        re.compile(
            rf"{_RECORD_WORD}(?:[ \t]*(?P<marker>{_RECORD_MARKER})|[ \t]*:)?[ \t]*"
            r"(?P<number>(?:[A-Z]{1,3}-?)?\d(?:[\d-]*\d)?)(?![\w-])"
        ),
        _record_number,
    ),
    _Rule("record number", re.compile(r"(?<![\w.,])\d{6,}(?![\w]|[.,]\d)")),
    _Rule("postal code", re.compile(r"(?<![\w-])\d{5}-\d{4}(?![\w-])")),  # US ZIP+4
    _Rule("postal code", re.compile(rf"\b{_US_STATES}[ \t]\d{{5}}(?:-\d{{4}})?(?![\w-])")),
    # UK: SW1A 1AA, M1 1AE, EC1A1BB (the inward letters never use C I K M O V).
    _Rule(
        "postal code",
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[ABD-HJLNP-UW-Z]{2}\b"),
    ),
    _Rule(
        "street address",
        re.compile(
            rf"(?<![\w.,/-])\d{{1,5}}[A-Za-z]?(?:{_S}(?!(?:The|A|An|My|Your|Our|This|That)\b)"
            rf"[A-Z][a-z'’]+){{1,3}}{_S}{_STREET_SUFFIX}\b"
        ),
    ),
    _Rule("age", re.compile(r"\b(?i:aged?(?:[ \t]+of)?[ \t]*:?[ \t]*)\d{1,3}\b(?![.,]\d)")),
    _Rule(
        "age",
        re.compile(r"(?<![\w.,-])\d{1,3}(?i:[ -]?(?:years?|yrs?)[ -]old|[ ]?y/o|[ ]?yo)\b"),
    ),
    # Dr. Smith, Mrs Patel, Dr J. Smith, Dr. Will Smith. Not "Dr." at the end of a sentence:
    # never across a line break after the dot, and not before a word that starts sentences
    # ("... your Dr. Then we ...") unless a name follows it.
    _Rule(
        "name after an honorific",
        re.compile(
            r"\b(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof(?:essor)?)\b"
            rf"(?:\.[ \t]+|{_S})"
            rf"(?:{_NAME}|{_SENTENCE_STARTERS}(?=[ \t]+{_NAME}))"
            # Up to two more words, after an initial's dot if any: "Dr J. Smith".
            rf"(?:(?:(?<=\b[A-Z])\.)?{_S}{_NAME}){{0,2}}"
        ),
    ),
)


_REPORTED_INSIDE_LINKS = frozenset({"email address", "IP address"})


class _LinkSpans:
    """Whether a hit overlaps any link, by bisection: a field of many addresses once took
    minutes, comparing every hit with every link."""

    def __init__(self, links: list[IdentifierHit]) -> None:
        ordered = sorted(links, key=lambda link: link.start)
        self.starts = [link.start for link in ordered]
        self.reach = list(itertools.accumulate((link.end for link in ordered), max))

    def __call__(self, hit: IdentifierHit) -> bool:
        before = bisect.bisect_left(self.starts, hit.end)  # links that start before it ends
        return before > 0 and self.reach[before - 1] > hit.start


# Every kind above needs a digit, an "@", an honorific or something shaped like a web address.
# Most clinical prose has none of these, and one search for them is far cheaper than every rule.
_MAY_IDENTIFY = re.compile(
    rf"\d|@|\b(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof(?:essor)?)\b|(?i:www\.|://|\.{_TLD}\b)")


def find_identifiers(text: str, *, urls: bool = True) -> list[IdentifierHit]:
    """Return everything in ``text`` that could identify a person, sorted by ``start``.

    Where candidate matches overlap, the one that starts first wins, and of those the longest
    ("MRN 483920" rather than "483920"), so no two hits overlap. With ``urls=False`` (Markdown,
    where links are legitimate) URLs are not reported, and nothing inside a URL is reported
    except email and IP addresses.
    """
    if not _MAY_IDENTIFY.search(text):
        return []
    candidates: list[tuple[int, int, int, IdentifierHit]] = []
    for priority, rule in enumerate(_RULES):
        for match in rule.pattern.finditer(text):
            if rule.accept(match):
                hit = IdentifierHit(match.start(), match.end(), rule.kind, match.group())
                candidates.append((hit.start, -(hit.end - hit.start), priority, hit))
    candidates.sort(key=lambda candidate: candidate[:3])

    if not urls:
        inside_link = _LinkSpans([hit for *_, hit in candidates if hit.kind == _URL_KIND])
        candidates = [
            candidate
            for candidate in candidates
            if candidate[3].kind in _REPORTED_INSIDE_LINKS or not inside_link(candidate[3])
        ]

    hits: list[IdentifierHit] = []
    for *_, hit in candidates:
        if not hits or hit.start >= hits[-1].end:
            hits.append(hit)
    return hits
