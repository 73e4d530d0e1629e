"""Read a YAML file safely, keeping the position of every key and value.

PyYAML's loaders drop positions, silently keep the last of two duplicate keys and expand aliases
(the "billion laughs" attack). This module builds the data itself from the parser's events, so it
can point at any key or value, report duplicates, refuse anchors and aliases outright and bound the
size and nesting of a file before any of it is expanded.
"""

from __future__ import annotations

import bisect
import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .problems import Location, Problems

MAX_BYTES = 1_000_000
MAX_DEPTH = 20

JsonPath = tuple[str | int, ...]

# The C parser when PyYAML was built with libyaml; the pure-Python one otherwise.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
_NEWLINE = re.compile("\n")

#: How a YAML value that is not text reads to an author, for hints about quoting.
TYPE_NAMES = {
    bool: "a yes/no value",
    int: "a number",
    float: "a number",
    type(None): "nothing (an empty value)",
    datetime.date: "a date",
    datetime.datetime: "a date and time",
}


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

    @cached_property
    def _line_starts(self) -> list[int]:
        """Where each line starts; only a file with a problem ever needs them."""
        return [0] + [match.end() for match in _NEWLINE.finditer(self.source)]

    def at_offset(self, offset: int) -> Location:
        line = bisect.bisect_right(self._line_starts, offset)
        return Location(self.path, line, offset - self._line_starts[line - 1] + 1)

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

    def find_in_value(self, path: JsonPath, needle: str, occurrence: int = 0) -> Location:
        """The location of the n-th ``needle`` inside the source text of the value at ``path``.

        Links inside a Markdown field are reported where they are written, whatever the scalar
        style; when the text cannot be found verbatim (escapes), the value's start stands in.
        """
        span = self.values.get(path)
        if span is None:
            return self.value_location(path)
        index = span.start - 1
        for _ in range(occurrence + 1):
            index = self.source.find(needle, index + 1, span.end)
            if index < 0:
                return self.at_offset(span.start)
        return self.at_offset(index)


def _offset(mark: Any) -> int:
    """A parser mark's character offset (the C and Python parsers type marks differently)."""
    return int(mark.index)


class _RefusedError(Exception):
    """Raised inside the builder when a file must not be read any further."""


def read_yaml_file(file: Path, rel_path: str, problems: Problems) -> YamlDocument | None:
    """Read and parse one file; on failure record the problems and return None."""
    try:
        data = file.read_bytes()
    except OSError as error:
        problems.error(Location(rel_path), f"cannot be read: {error.strerror}")
        return None
    if len(data) > MAX_BYTES:
        problems.error(
            Location(rel_path),
            f"the file is {len(data) / 1_000_000:.1f} MB; files over 1 MB are refused "
            "(a card is a few kilobytes: split it up)",
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.error(
            Location(rel_path, line, column),
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} here): "
            "save it as UTF-8 in your editor",
        )
        return None
    return parse_yaml(text, rel_path, problems)


def parse_yaml(text: str, rel_path: str, problems: Problems) -> YamlDocument | None:
    """Parse YAML text into a :class:`YamlDocument`; problems are recorded, never raised."""
    document = YamlDocument(rel_path, text)
    builder = _Builder(document, problems)
    try:
        builder.run()
    except _RefusedError:
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = (Location(rel_path, mark.line + 1, mark.column + 1) if mark
                    else Location(rel_path))
        at_tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
        problems.error(location, _explain_yaml_error(error, at_tab))
        return None
    except yaml.YAMLError as error:  # a reader error: a character YAML does not allow
        position = getattr(error, "position", 0)
        problems.error(document.at_offset(position), f"YAML does not parse: {error}")
        return None
    return document


def _explain_yaml_error(error: yaml.MarkedYAMLError, at_tab: bool) -> str:
    problem = error.problem or "the text is not valid YAML"
    message = f"YAML does not parse: {problem}"
    if at_tab or "tab" in problem:
        return message + " (indent with spaces, not tabs)"
    if "mapping values are not allowed" in problem:
        return message + " (a colon inside unquoted text? put the whole text in double quotes)"
    if "found character '@'" in problem or "found character '`'" in problem:
        return message + " (text starting with this character must be put in quotes)"
    if "expected <block end>" in problem or "could not find expected" in problem:
        return message + " (check the indentation and that every quote is closed)"
    return message


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
        self.problems.error(Location(self.document.path, mark.line + 1, mark.column + 1), message)
        return _RefusedError()

    def run(self) -> None:
        self._next()  # StreamStart
        event = self._next()
        if isinstance(event, yaml.StreamEndEvent):
            self.problems.error(Location(self.document.path), "the file is empty")
            raise _RefusedError()
        self.document.data = self._node(self._next(), (), 0)
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
        while True:
            event: Any = self._next()
            if isinstance(event, yaml.MappingEndEvent):
                self._end = _offset(event.end_mark)
                return mapping
            if not isinstance(event, yaml.ScalarEvent):
                raise self._fail(event, "a key must be a plain word such as 'title'")
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
        return constructor(_CONSTRUCTOR, ScalarNode(tag, event.value))

    _end: int = 0
