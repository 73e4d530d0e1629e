"""Find ``[[id]]``, ``[[id|text]]``, ``![[id]]`` and ``![[id#wording]]`` in Markdown, not in code.

One scanner serves validation (with positions, for errors) and rendering (rewriting each link),
so what is checked is exactly what is rendered. Code spans, fenced code blocks and indented code
blocks are masked first, so ``[[...]]`` inside them stays as written. Brackets that do not make a
link (``[[id`` never closed, ``[[[id]]]``) are found too, so an author hears about a forgotten
``]]`` instead of reading it on the page.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

_LINK = re.compile(r"(!?)\[\[([^\[\]\n]*)\]\]")
_OPENING = re.compile(r"\[\[")
_NEWLINE = re.compile(r"\n")
#: Every link, and every unclosed ``[[`` up to the end of its line, at every position (overlaps
#: included): what :class:`WikiLink` and :class:`StrayBrackets` ``raw`` texts are made of, for
#: finding them again in a file's source.
RAW_TOKENS = re.compile(r"(?=(!\[\[[^\[\]\n]*(?:\]\])?|(?<!!)\[\[[^\[\]\n]*(?:\]\])?))")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^ {0,3}([-*+]|\d+[.)])\s")
_BACKTICKS = re.compile(r"`+")


@dataclass(frozen=True)
class WikiLink:
    start: int
    end: int
    raw: str
    target: str
    text: str | None
    embed: bool
    alone_on_line: bool
    #: in an embed, what follows ``#`` after the id (``![[id#wording]]``: every wording)
    section: str | None = None


@dataclass(frozen=True)
class StrayBrackets:
    """Double brackets outside code that do not make a link: ``[[id`` or ``[[[id]]]``.

    ``raw`` is the text as :data:`RAW_TOKENS` finds it at ``start`` (to locate it in a file);
    ``shown`` is what to quote to the author.
    """

    start: int
    raw: str
    shown: str
    unclosed: bool


def find_wikilinks(markdown: str) -> list[WikiLink]:
    return scan_wikilinks(markdown)[0]


def scan_wikilinks(markdown: str) -> tuple[list[WikiLink], list[StrayBrackets]]:
    """Every link outside code, and every pair of brackets there that does not make one."""
    if "[[" not in markdown:  # most text has no links: skip the masking
        return [], []
    links, strays = _scan(markdown)
    return list(links), list(strays)


@lru_cache(maxsize=1 << 16)
def _scan(markdown: str) -> tuple[tuple[WikiLink, ...], tuple[StrayBrackets, ...]]:
    """Scanned once per text: a live preview checks the same texts after every save."""
    masked = mask_code(markdown)
    links = _links(markdown, masked)
    return tuple(links), tuple(_strays(markdown, masked, links))


def _strays(markdown: str, masked: str, links: list[WikiLink]) -> list[StrayBrackets]:
    """Brackets next to a link (``[[[id]]]``) and ``[[`` that no link closes, in one pass."""
    strays: list[StrayBrackets] = []
    for link in links:
        opening = link.start + (1 if link.embed else 0)
        before = opening > 0 and masked[opening - 1] == "["
        after = masked.startswith("]", link.end)
        if before or after:
            shown = ("[" if before else "") + link.raw + ("]" if after else "")
            strays.append(StrayBrackets(link.start, link.raw, shown, unclosed=False))
    index = 0
    for match in _OPENING.finditer(masked):
        position = match.start()
        while index < len(links) and links[index].end <= position:
            index += 1
        if index < len(links) and links[index].start - 1 <= position:
            continue  # part of a link, or a bracket next to one (reported above)
        token = RAW_TOKENS.match(markdown, position)
        raw = token.group(1) if token else "[["
        strays.append(StrayBrackets(position, raw, raw, unclosed=True))
    return sorted(strays, key=lambda stray: stray.start)


def _links(markdown: str, masked: str) -> list[WikiLink]:
    """The links, each told whether it stands alone on its line: O(n) for the whole text."""
    links = []
    breaks = [match.start() for match in _NEWLINE.finditer(markdown)]
    for match in _LINK.finditer(masked):
        inner = markdown[match.start(2):match.end(2)]
        target, bar, text = inner.partition("|")
        target, hash_, section = target.partition("#") if match.group(1) else (target, "", "")
        line = bisect.bisect_left(breaks, match.start())
        line_start = breaks[line - 1] + 1 if line else 0
        line_end = breaks[line] if line < len(breaks) else len(markdown)
        alone = (line_end - line_start < 2 * len(match.group(0)) + 80
                 and markdown[line_start:line_end].strip() == match.group(0))
        links.append(WikiLink(
            start=match.start(), end=match.end(), raw=match.group(0), target=target.strip(),
            text=text.strip() if bar else None, embed=bool(match.group(1)),
            alone_on_line=alone,
            section=section.strip() if hash_ else None,
        ))
    return links


def replace_wikilinks(markdown: str, render: Callable[[WikiLink], str]) -> str:
    """Markdown with every link replaced by ``render(link)``."""
    parts, last = [], 0
    for link in find_wikilinks(markdown):
        parts += [markdown[last:link.start], render(link)]
        last = link.end
    parts.append(markdown[last:])
    return "".join(parts)


def mask_code(markdown: str) -> str:
    """The text with every character of code replaced by a space (offsets are kept)."""
    lines = markdown.splitlines(keepends=True)
    out: list[str] = []
    fence: str | None = None
    previous_blank, in_list, in_code_block = True, False, False
    for line in lines:
        stripped = line.strip()
        if fence:
            out.append(_blank(line))
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            out.append(_blank(line))
            continue
        indented = line.startswith(("    ", "\t"))
        if stripped and indented and not in_list and (previous_blank or in_code_block):
            in_code_block = True
            out.append(_blank(line))
            continue
        if stripped:
            in_code_block = False
            if _LIST_ITEM.match(line):
                in_list = True
            elif not indented and previous_blank:
                in_list = False
        previous_blank = not stripped
        out.append(line)
    return _mask_code_spans("".join(out))


def _mask_code_spans(text: str) -> str:
    """Blank every code span: a run of backticks up to the next run of the same length.

    The runs are listed once and grouped by length, so finding each closing run is a step along
    a list, never a search to the end of the text: O(n), however many backticks stay unclosed.
    """
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(text)]
    if not runs:
        return text
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    next_of_length = [0] * len(runs)
    for indices in by_length.values():
        for here, there in itertools.pairwise([*indices, -1]):
            next_of_length[here] = there
    chars = list(text)
    index = 0
    while index < len(runs):
        closing = next_of_length[index]
        if closing < 0:
            index += 1
            continue
        for i in range(runs[index][0], runs[closing][1]):
            if chars[i] != "\n":
                chars[i] = " "
        index = closing + 1
    return "".join(chars)


def _blank(line: str) -> str:
    return "".join(c if c == "\n" else " " for c in line)
