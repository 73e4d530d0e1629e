"""Read a YAML file safely, keeping the position of every key and value.

PyYAML's loaders drop positions, silently keep the last of two duplicate keys and expand aliases
(the "billion laughs" attack). This module builds the data itself from the parser's events, so it
can point at any key or value, report duplicates, refuse anchors and aliases outright and bound the
size and nesting of a file before any of it is expanded.

Every step is linear in the size of the file: the parser reads it once, positions are looked up
by bisection, and :meth:`YamlDocument.find_in_value` finds what a caller asks for in reading
order, resuming where the last search ended (O(n) per value in all, with a bounded window once a
value turns out not to hold its text verbatim), or, given a ``tokens`` pattern, from one index
of the value built in one scan (O(n) once, then O(1) per lookup). A file is read only after its
size and type were checked (``project_files``), so nothing unbounded ever reaches the parser.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .problems import Location, Problem, Problems
from .project_files import MAX_BYTES, decode_utf8, read_limited

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_ITEMS", "MAX_KEYS", "YamlDocument", "parse_yaml",
           "read_yaml_file"]
MAX_DEPTH = 20

#: More keys in one mapping, or items in one list, than any card needs: each costs a check and
#: maybe a problem line, so a file of 90,000 keys would take a minute to explain.
MAX_KEYS = 1_000
MAX_ITEMS = 10_000

JsonPath = tuple[str | int, ...]

# The C parser when PyYAML was built with libyaml; the pure-Python one otherwise.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
_NEWLINE = re.compile("\n")

#: How far past the last match a value that is not written verbatim is searched.
_UNALIGNED_WINDOW = 4096

#: How a YAML value that is not text reads to an author, for hints about quoting.
TYPE_NAMES = {
    bool: "a yes/no value",
    int: "a number",
    float: "a number",
    type(None): "nothing (an empty value)",
    datetime.date: "a date",
    datetime.datetime: "a date and time",
}


T = TypeVar("T")


@dataclass(frozen=True)
class Span:
    """Where a value stands in the source: start and end as character offsets."""

    start: int
    end: int


@dataclass
class YamlDocument:
    """The data of one YAML file with the positions of its keys and values."""

    path: str
    source: str
    data: Any = None
    values: dict[JsonPath, Span] = field(default_factory=dict)
    keys: dict[JsonPath, Span] = field(default_factory=dict)
    raw: dict[JsonPath, str] = field(default_factory=dict)

    _cursors: dict[JsonPath, int] = field(default_factory=dict, repr=False)
    _unaligned: set[JsonPath] = field(default_factory=set, repr=False)
    _token_index: dict[tuple[JsonPath, str], dict[str, list[int]]] = field(
        default_factory=dict, repr=False)
    _derived: dict[str, tuple[Any, tuple[Problem, ...]]] = field(default_factory=dict,
                                                                  repr=False)

    def derived(self, stage: str, compute: Callable[[Problems], T], problems: Problems) -> T:
        """What ``stage`` of the pipeline works out from this file alone, and the problems it
        finds there: worked out once per document. A live preview keeps a file's document while
        the file is unchanged, so a save checks only the saved file again."""
        if stage not in self._derived:
            own = Problems()
            self._derived[stage] = compute(own), tuple(own)
        result, found = self._derived[stage]
        problems.extend(found)
        return result  # type: ignore[no-any-return]

    @cached_property
    def _line_starts(self) -> list[int]:
        """Where each line starts; only a file with a problem ever needs them."""
        return [0] + [match.end() for match in _NEWLINE.finditer(self.source)]

    def at_offset(self, offset: int) -> Location:
        """The location of a character offset, always on a line of the file.

        The parser's end marks may stand just past a final line break, on a line the file does
        not have; such a place is shown at the end of the last line instead.
        """
        offset = max(0, min(offset, len(self.source)))
        starts = self._line_starts
        line = bisect.bisect_right(starts, offset)
        if line > 1 and starts[line - 1] == len(self.source):
            line -= 1
            offset = len(self.source) - 1  # the final line break itself: the end of that line
        return Location(self.path, line, offset - starts[line - 1] + 1)

    def at_mark(self, line: int, column: int) -> Location:
        """A parser's 0-based line and column, kept inside the file."""
        starts = self._line_starts
        if line >= len(starts) or (line and starts[line] == len(self.source)):
            return self.at_offset(len(self.source))
        line_end = starts[line + 1] - 1 if line + 1 < len(starts) else len(self.source)
        return Location(self.path, line + 1, min(column, line_end - starts[line]) + 1)

    def value_location(self, path: JsonPath) -> Location:
        """The location of the value at ``path``, or of its nearest enclosing value."""
        while path not in self.values and path:
            path = path[:-1]
        span = self.values.get(path)
        return self.at_offset(span.start) if span else Location(self.path)

    def key_location(self, path: JsonPath) -> Location:
        """The location of the key that holds the value at ``path`` (its value if a list item)."""
        span = self.keys.get(path)
        return self.at_offset(span.start) if span else self.value_location(path)

    def find_in_value(self, path: JsonPath, needle: str, occurrence: int = 0, *,
                      tokens: re.Pattern[str] | None = None) -> Location:
        """Where ``needle`` is written inside the value at ``path``.

        Without ``tokens``, callers ask in reading order: the search resumes where the last one
        in this value ended (``occurrence`` is not used). With ``tokens``, a pattern whose
        matches include every needle a caller will ask for, the value is indexed in one scan and
        the ``occurrence``-th match equal to ``needle`` is returned. Either way a text that is not
        written verbatim (escapes) is shown at the value's start.
        """
        span = self.values.get(path)
        if span is None:
            return self.value_location(path)
        if tokens is not None:
            found = self._tokens(path, span, tokens).get(needle, [])
            return self.at_offset(found[occurrence] if occurrence < len(found) else span.start)
        cursor = self._cursors.get(path, span.start)
        end = min(span.end, cursor + _UNALIGNED_WINDOW) if path in self._unaligned else span.end
        index = self.source.find(needle, cursor, end)
        if index < 0:
            self._unaligned.add(path)
            return self.at_offset(span.start)
        self._cursors[path] = index + len(needle)
        return self.at_offset(index)

    def _tokens(self, path: JsonPath, span: Span, tokens: re.Pattern[str]) -> dict[str, list[int]]:
        key = (path, tokens.pattern)
        if key not in self._token_index:
            index: dict[str, list[int]] = defaultdict(list)
            for match in tokens.finditer(self.source, span.start, span.end):
                index[match.group(match.lastindex or 0)].append(match.start())
            self._token_index[key] = index
        return self._token_index[key]


def _offset(mark: Any) -> int:
    """A parser mark's character offset (the C and Python parsers type marks differently)."""
    return int(mark.index)


class _RefusedError(Exception):
    """Raised inside the builder when a file must not be read any further."""


def read_yaml_file(file: Path, rel_path: str, problems: Problems) -> YamlDocument | None:
    """Read and parse one file; on failure record the problems and return None.

    The file's type and size are checked before it is read (see ``project_files``).
    """
    data = read_limited(file, rel_path, problems)
    if data is None:
        return None
    text = decode_utf8(data, rel_path, problems)
    return None if text is None else parse_yaml(text, rel_path, problems)


def parse_yaml(text: str, rel_path: str, problems: Problems) -> YamlDocument | None:
    """Parse YAML text into a :class:`YamlDocument`; problems are recorded, never raised."""
    document = YamlDocument(rel_path, text)
    builder = _Builder(document, problems)
    try:
        builder.run()
    except _RefusedError:
        return None
    except yaml.MarkedYAMLError as error:
        offset, message = _explain_yaml_error(error, text)
        problems.error(document.at_offset(offset) if offset is not None else Location(rel_path),
                       message)
        return None
    except yaml.YAMLError as error:  # a reader error: a character YAML does not allow
        position = getattr(error, "position", 0)
        problems.error(document.at_offset(position), _explain_reader_error(error, text, position))
        return None
    return document


def _explain_reader_error(error: yaml.YAMLError, text: str, position: int) -> str:
    """A character YAML refuses, named on one line (PyYAML's own message takes two)."""
    character = text[position] if 0 <= position < len(text) else ""
    if not character:
        return "YAML does not parse: the text holds a character YAML does not allow"
    name = unicodedata.name(character, "").lower() or "a control character"
    return (f"YAML does not parse: an invisible or special character (U+{ord(character):04X}, "
            f"{name}) is not allowed here: delete it, or retype the text around it")


def _explain_yaml_error(error: yaml.MarkedYAMLError, text: str) -> tuple[int | None, str]:
    """Where the mistake starts, and what it is, in words an author who is not a programmer
    understands.

    The parser notices a mistake where it can no longer go on, often lines after the author made
    it (an unclosed quote swallows the lines below it). Each explanation looks back from there
    to the place the author has to change; anything not recognised keeps the parser's words.
    """
    mark = error.problem_mark or error.context_mark
    offset = int(mark.index) if mark is not None else None
    problem = error.problem or "the text is not valid YAML"
    context = error.context or ""
    if offset is None:
        return None, f"YAML does not parse: {problem}"
    line = _YamlLine(text, offset)
    if "while scanning a quoted scalar" in context and error.context_mark is not None:
        return int(error.context_mark.index), _UNCLOSED_QUOTE
    if text[offset : offset + 1] == "\t" or "tab" in problem:
        return line.start, ("this line is indented with a tab; YAML needs spaces: indent with "
                            "spaces only (two for each level)")
    if "mapping values are not allowed" in problem:
        return line.value_start, ("this text holds a colon followed by a space, which YAML reads "
                                  "as the start of another field: put the whole text in double "
                                  'quotes, such as "The client says: nothing changes"')
    if "could not find expected ':'" in problem and error.context_mark is not None:
        return _explain_missing_colon(_YamlLine(text, int(error.context_mark.index)))
    if "did not find expected" in problem or "expected <block end>" in problem:
        quote = _unclosed_quote_before(text, offset)
        if quote is not None:
            return quote, _UNCLOSED_QUOTE
        if line.content.startswith("- ") or line.content == "-":
            return line.first_char, ("this list item stands under a field that already holds a "
                                     "text after its colon: a field holds either one text or a "
                                     "list; for a list, leave the first line empty after the "
                                     "colon and start each item on its own line with '- '")
        if _KEY.match(line.content):
            return line.first_char, ("this field is not lined up with the fields above it: "
                                     "fields of the same level start in the same column")
    if "found character '@'" in problem or "found character '`'" in problem:
        return offset, (f"YAML does not parse: {problem} (text starting with this character "
                        "must be put in quotes)")
    return offset, f"YAML does not parse: {problem}"


_UNCLOSED_QUOTE = ("this quotation mark is never closed: end the text with the same quotation "
                   "mark on this line")
_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:(\s|$)")


class _YamlLine:
    """The line of the source around an offset, and where its parts start."""

    def __init__(self, text: str, offset: int) -> None:
        self.start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        self.text = text[self.start : end if end >= 0 else len(text)]
        self.content = self.text.lstrip(" ")
        self.first_char = self.start + len(self.text) - len(self.content)

    @property
    def value_start(self) -> int:
        """Where the text after ``- `` and a field's ``name:`` starts."""
        item = re.match(r"-\s+", self.content)
        rest = self.content[item.end():] if item else self.content
        key = _KEY.match(rest)
        value = rest[key.end():].lstrip(" ") if key else rest
        return self.first_char + len(self.content) - len(value)


def _explain_missing_colon(line: _YamlLine) -> tuple[int, str]:
    """The parser read a line as the start of a field and found no ``: `` after it."""
    if re.match(r"^-[^\s-]", line.content):
        return line.first_char, ("put a space after '-': a list item is written '- ' and then "
                                 "the text")
    colon = re.search(r":(?=\S)", line.content)
    if colon and _KEY.match(line.content[: colon.start() + 1] + " "):
        return line.first_char + colon.start(), (
            "put a space after the colon: a field is written 'name: text', such as "
            "'title: \"...\"'")
    return line.first_char, ("this line is neither a field ('name: text') nor a list item "
                             "('- text'): if it continues the text above, put that whole text "
                             "in quotes, or write it as a block after '|'")


def _unclosed_quote_before(text: str, offset: int) -> int | None:
    """The opening quotation mark of a quoted text that runs on past its line, if any.

    Scanning the source up to the error finds the quoted texts; one that starts on a line and
    ends on another, just before the parser gave up, is almost always a quote left open.
    """
    last: Any = None
    try:
        for token in yaml.scan(text[:offset], Loader=_Loader):
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.style not in ("'", '"'):
        return None
    if last.start_mark.line == last.end_mark.line:
        return None
    return int(last.start_mark.index)


class _Builder:
    """Turns the parser's events into plain data, recording spans as it goes."""

    def __init__(self, document: YamlDocument, problems: Problems) -> None:
        self.document = document
        self.problems = problems
        self.events: Any = yaml.parse(document.source, Loader=_Loader)

    def _next(self) -> Any:
        return next(self.events)

    def _fail(self, event: Any, message: str) -> _RefusedError:
        mark = event.start_mark
        self.problems.error(self.document.at_mark(mark.line, mark.column), message)
        return _RefusedError()

    def run(self) -> None:
        self._next()  # StreamStart
        event = self._next()
        if isinstance(event, yaml.StreamEndEvent):
            self.problems.error(Location(self.document.path), "the file is empty")
            raise _RefusedError()
        root = self._next()
        if (isinstance(root, yaml.ScalarEvent) and root.value == "" and root.implicit[0]
                and not root.tag and not root.anchor):  # '---' and nothing else
            self.problems.error(Location(self.document.path), "the file is empty")
            raise _RefusedError()
        self.document.data = self._node(root, (), 0)
        self._next()  # DocumentEnd
        event = self._next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise self._fail(event, "only one YAML document per file: remove the second '---'")

    def _node(self, event: Any, path: JsonPath, depth: int) -> Any:
        if isinstance(event, yaml.AliasEvent):
            raise self._fail(event, f"YAML aliases (*{event.anchor}) are not allowed in cards: "
                             "write the value out in full")
        if getattr(event, "anchor", None):
            raise self._fail(event, f"YAML anchors (&{event.anchor}) are not allowed in cards: "
                             "write the value out in full")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if depth >= MAX_DEPTH:
                raise self._fail(event, f"nesting is deeper than {MAX_DEPTH} levels; "
                                 "cards never need this")
            if isinstance(event, yaml.MappingStartEvent):
                value: Any = self._mapping(path, depth + 1)
            else:
                value = self._sequence(path, depth + 1)
        else:
            value = self._scalar(event, path)
        self.document.values[path] = Span(event.start_mark.index, self._end)
        return value

    def _mapping(self, path: JsonPath, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        entries = 0
        while True:
            event: Any = self._next()
            if isinstance(event, yaml.MappingEndEvent):
                self._end = _offset(event.end_mark)
                return mapping
            if not isinstance(event, yaml.ScalarEvent):
                raise self._fail(event, "a key must be a plain word such as 'title'")
            entries += 1
            if entries > MAX_KEYS:
                raise self._fail(event, f"more than {MAX_KEYS:,} keys in one mapping; a card "
                                 "has about fifteen fields")
            key = event.value
            key_span = Span(_offset(event.start_mark), _offset(event.end_mark))
            if key in mapping:
                first = self.document.at_offset(self.document.keys[path + (key,)].start)
                self._fail(event, f"duplicate key '{key}' (first written on line {first.line}): "
                           "keep one of them")
                self._node(self._next(), path + ("\0duplicate",), depth)  # read past its value
                continue
            self.document.keys[path + (key,)] = key_span
            mapping[key] = self._node(self._next(), path + (key,), depth)

    def _sequence(self, path: JsonPath, depth: int) -> list[Any]:
        items: list[Any] = []
        while True:
            event: Any = self._next()
            if isinstance(event, yaml.SequenceEndEvent):
                self._end = _offset(event.end_mark)
                return items
            if len(items) == MAX_ITEMS:
                raise self._fail(event, f"more than {MAX_ITEMS:,} items in one list; no card "
                                 "needs this many")
            items.append(self._node(event, path + (len(items),), depth))

    def _scalar(self, event: Any, path: JsonPath) -> Any:
        self._end = event.end_mark.index
        self.document.raw[path] = event.value
        plain, _quoted = event.implicit
        if event.tag and event.tag not in ("!", _STR_TAG, "!!str"):
            raise self._fail(event, f"YAML tags such as '{event.tag}' are not allowed in cards")
        if not plain or event.tag:
            return event.value
        tag = _RESOLVER.resolve(ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
        if tag == _STR_TAG:
            return event.value
        constructor = _CONSTRUCTOR.yaml_constructors.get(tag)
        if constructor is None:  # merge keys and the like: keep the text
            return event.value
        try:
            return constructor(_CONSTRUCTOR, ScalarNode(tag, event.value))
        except (ValueError, OverflowError, TypeError, yaml.YAMLError) as error:
            raise self._fail(event, _impossible_value(event.value, tag, error)) from None

    _end: int = 0


_TAG_NAMES = {"tag:yaml.org,2002:timestamp": "a date", "tag:yaml.org,2002:int": "a number",
              "tag:yaml.org,2002:float": "a number", "tag:yaml.org,2002:bool": "a yes/no value"}


def _impossible_value(raw: str, tag: str, error: Exception) -> str:
    """An unquoted value YAML takes for a date or number that cannot exist (2026-02-30, 0x_)."""
    what = _TAG_NAMES.get(tag, "a special value")
    if what == "a date":
        reason = str(error).split(", not ")[0].rstrip(".")
        if "offset" in reason:
            reason = "the time zone is more than 24 hours off"
        return (f"YAML reads {raw} as a date, but there is no such date ({reason}): write a real "
                f"date as YYYY-MM-DD, or put it in quotes if you mean the text: \"{raw}\"")
    return (f"YAML reads {raw} as {what}, but it is not a valid one: put it in quotes if you mean "
            f"the text: \"{raw}\"")
