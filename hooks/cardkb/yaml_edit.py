"""Write a changed card or pattern back into its YAML file, touching only what changed.

Form editors for static sites rebuild the file from data on save: comments vanish, keys are
re-sorted, quotes and Markdown are rewritten and a one-word edit becomes a diff of the whole file.
Here the file's own text is kept and only the text of the values that differ is replaced, found by
the positions :mod:`cardkb.yaml_source` records for every key and value. Lists are edited item by
item (a new wording line is one inserted line), mappings key by key (a new ``review: due`` is one
line), and a new field goes where the schema puts it.

Each new value is written in the plainest form YAML reads back as the same text (plain, then the
author's own quoting, a literal block for Markdown, double quotes as the last resort), at the
file's own indentation, with its line endings and byte-order mark. The result is then checked:
parsed again it must give exactly the intended data, and its differences from the file must lie
inside the lines of the fields that changed. Anything else is refused with the diff, rather than
written.

Saving is atomic (a new file in the same folder moved into place) and guarded by the hash of the
file as the form read it: a file changed on disk since is a conflict and is left as it is.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import Problems
from .yaml_source import JsonPath, YamlDocument, parse_yaml

_BOM = b"\xef\xbb\xbf"
#: the JSON shape of a file's data, as the form sends and receives it
Data = dict[str, Any]


class EditError(Exception):
    """A change that cannot be written, with a message for the author (and the diff, if one
    was made and refused)."""

    def __init__(self, message: str, diff: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.diff = diff


class ConflictError(EditError):
    """The file changed on disk since the form read it."""


def changed_on_disk(rel_path: str) -> ConflictError:
    return ConflictError(f"{rel_path} was changed on disk after this form was opened (by "
                         "another window or a text editor); nothing was saved. Copy your "
                         "changes, reload the page, and make them again.")


def content_hash(data: bytes) -> str:
    """The version of a file the form was opened on."""
    return hashlib.sha256(data).hexdigest()


def as_json(value: Any) -> Any:
    """A file's data in JSON's terms: dates as ISO text (the only non-JSON values cards hold)."""
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class SourceText:
    """A file's text and what must survive an edit: its byte-order mark and line ending."""

    text: str
    bom: bool
    newline: str

    @classmethod
    def decode(cls, data: bytes) -> SourceText:
        bom = data.startswith(_BOM)
        try:
            text = data.removeprefix(_BOM).decode("utf-8")
        except UnicodeDecodeError:
            raise EditError("the file is not UTF-8 text: open it in a text editor and save it "
                            "as UTF-8") from None
        return cls(text, bom, "\r\n" if "\r\n" in text else "\n")

    def encode(self, text: str) -> bytes:
        return (_BOM if self.bom else b"") + text.encode("utf-8")


def read_document(data: bytes, rel_path: str) -> tuple[SourceText, YamlDocument]:
    """A file's text and parsed document; a file the form cannot stand on is refused."""
    source = SourceText.decode(data)
    problems = Problems()
    document = parse_yaml(source.text, rel_path, problems)
    if document is None or problems.errors or not isinstance(document.data, dict):
        first = problems.errors[0] if problems.errors else None
        raise EditError("the file cannot be edited in the form until it reads as fields"
                        + (f" ({first})" if first else "") + ": open it in a text editor")
    return source, document


def edit_text(data: bytes, intended: Data, rel_path: str,
              field_order: Sequence[str] = ()) -> bytes:
    """The file ``data`` with its values changed to ``intended`` (the whole file's data, in
    JSON's terms), changing only the text of what differs; ``data`` itself when nothing does.

    ``field_order`` is the schema's order of the top-level fields: a new field goes after the
    nearest field before it that the file has.
    """
    source, document = read_document(data, rel_path)
    if as_json(document.data) == intended:
        return data
    for quoted in (False, True):  # the plainest forms; else every new text in double quotes
        editor = _Editor(source, document, list(field_order), quoted)
        editor.mapping((), document.data, intended)
        editor.allow_changed_fields(intended)
        new_text = editor.result()
        try:
            _verify(source.text, new_text, intended, editor.allowed, rel_path)
        except EditError:
            if quoted:
                raise
            continue
        break
    return source.encode(new_text)


def save_file(file: Path, intended: Data, expected_hash: str, rel_path: str,
              field_order: Sequence[str] = ()) -> bool:
    """Write ``intended`` into ``file`` if it is still the version the form read; whether
    anything was written (an unchanged form writes nothing)."""
    data = file.read_bytes()
    if content_hash(data) != expected_hash:
        raise changed_on_disk(rel_path)
    new = edit_text(data, intended, rel_path, field_order)
    if new == data:
        return False
    write_atomically(file, new, expected_hash)
    return True


def write_atomically(file: Path, content: bytes, expected_hash: str | None = None) -> None:
    """Replace ``file`` in one step (a new file in its folder moved over it), keeping its mode;
    with ``expected_hash``, only if the file is still that version just before the move."""
    mode = file.stat().st_mode & 0o7777
    descriptor, temporary = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".cardkb-edit",
                                             dir=file.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if expected_hash is not None and content_hash(file.read_bytes()) != expected_hash:
            raise ConflictError(f"{file.name} was changed on disk while saving; nothing was "
                                "saved. Reload the page and make your changes again.")
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- finding the text of values ------------------------------------------------------------------


@dataclass
class _Editor:
    source: SourceText
    document: YamlDocument
    field_order: list[str]
    #: write every new text in double quotes (when the plainest forms did not read back)
    quoted: bool = False
    #: (start, end, new text) replacements in the original text
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    #: lines of the original text (0-based) that the edits may change, or add lines beside
    allowed: set[int] = field(default_factory=set)

    @property
    def text(self) -> str:
        return self.document.source

    # -- positions ---------------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset)

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line of ``offset`` (its ``\\r`` if CRLF)."""
        end = self.text.find("\n", offset)
        if end < 0:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def column(self, offset: int) -> int:
        return offset - self.line_start(offset)

    def is_flow(self, path: JsonPath) -> bool:
        return self.text[self.document.values[path].start:][:1] in ("[", "{")

    def end(self, path: JsonPath, value: Any) -> int:
        """Where the text of the value at ``path`` ends: a block list or mapping ends with its
        last item (its end mark stands at the next key, after any comments between)."""
        span = self.document.values[path]
        if isinstance(value, (list, dict)) and value and not self.is_flow(path):
            last = len(value) - 1 if isinstance(value, list) else list(value)[-1]
            return self.end((*path, last), value[last])
        end = span.end
        while end > span.start and self.text[end - 1] in " \t\r\n":
            end -= 1  # a block scalar's end mark stands after its line breaks
        return end

    def after_colon(self, path: JsonPath) -> int:
        key_end = self.document.keys[path].end
        colon = self.text.index(":", key_end)
        return colon + 1

    def content_column(self, path: JsonPath) -> int:
        """Where the lines of a block written for the value at ``path`` start."""
        step = 2 if path and isinstance(path[-1], int) else self.indent_step()
        return self.owner_column(path) + step

    def scalar(self, value: Any, column: int, style: str = "") -> str:
        if self.quoted and isinstance(value, str):
            return _double_quoted(value)
        return _scalar(value, column, style)

    def owner_column(self, path: JsonPath) -> int:
        """The column of what holds the value at ``path``: its key, or its item's ``-``."""
        if path and isinstance(path[-1], int):
            start = self.document.values[path].start
            dash = self.text.rfind("-", self.line_start(start), start)
            return self.column(dash) if dash >= 0 else self.column(start)
        return self.column(self.document.keys[path].start)

    # -- the file's style -------------------------------------------------------------------

    def indent_step(self) -> int:
        """How far the file indents a mapping under its key (2 unless it shows otherwise)."""
        for path, value in self.document.data.items():
            if isinstance(value, dict) and value and not self.is_flow((path,)):
                first = next(iter(value))
                step = self.column(self.document.keys[(path, first)].start)
                if step > 0:
                    return step
        return 2

    def list_offset(self) -> int:
        """Where the file puts a list's ``-`` under its key: 0, 2 or 4 columns in."""
        for path, value in self.document.data.items():
            if isinstance(value, list) and value and not self.is_flow((path,)):
                return self.owner_column((path, 0))
        return 2

    def allow_changed_fields(self, intended: Data) -> None:
        """Every line of each top-level field that changes may change: a line diff may align
        a removed list item with its neighbour's last line."""
        for key, value in self.document.data.items():
            if key not in intended or as_json(value) != intended[key]:
                first = self.line_of(self.document.keys[(key,)].start)
                self.allowed.update(range(first, self.line_of(self.end((key,), value)) + 1))

    # -- edits ------------------------------------------------------------------------------

    def replace(self, start: int, end: int, new: str) -> None:
        self.edits.append((start, end, new.replace("\n", self.source.newline)))
        self.allowed.update(range(self.line_of(start), self.line_of(end) + 1))

    def insert(self, at: int, new: str) -> None:
        self.edits.append((at, at, new.replace("\n", self.source.newline)))
        self.allowed.add(self.line_of(at))  # new lines before or after that line

    def result(self) -> str:
        text, last = [], 0
        for start, end, new in sorted(self.edits, key=lambda edit: (edit[0], edit[1])):
            assert start >= last, "edits overlap"
            text.append(self.text[last:start])
            text.append(new)
            last = end
        text.append(self.text[last:])
        return "".join(text)

    # -- by kind of value -------------------------------------------------------------------

    def value(self, path: JsonPath, old: Any, new: Any) -> None:
        if as_json(old) == new:
            return
        both_dicts = isinstance(old, dict) and isinstance(new, dict) and bool(old)
        both_lists = isinstance(old, list) and isinstance(new, list) and bool(old) and bool(new)
        flow = (both_dicts or both_lists) and self.is_flow(path)
        if both_dicts and (not flow or list(old) == list(new)):
            self.mapping(path, old, new)
        elif both_lists and (not flow or len(old) == len(new)):
            if flow:
                for index, (before, after) in enumerate(zip(old, new, strict=True)):
                    self.value((*path, index), before, after)
            else:
                self.sequence(path, old, new)
        elif flow and all(_is_scalar(item) for item in (new.values() if isinstance(
                new, dict) else new)):
            span = self.document.values[path]
            self.replace(span.start, span.end, _flow(new, self.quoted))
        elif _is_scalar(old) and _is_scalar(new) and self.document.raw.get(path, "") != "":
            span = self.document.values[path]
            self.replace(span.start, self.end(path, old),
                         self.scalar(new, self.content_column(path), self.text[span.start]))
        else:
            self.whole(path, old, new)

    def whole(self, path: JsonPath, old: Any, new: Any) -> None:
        """The value at ``path`` written anew, after its key or its item's ``-``."""
        span = self.document.values[path]
        owner = self.owner_column(path)
        is_item = isinstance(path[-1], int)
        start = span.start if is_item else self.after_colon(path)
        end = self.end(path, old) if self.document.raw.get(path, None) != "" else start
        written = self.written(new, owner, is_item)
        if is_item:
            written = written.lstrip(" ")
        self.replace(start, max(start, end), written)

    def written(self, value: Any, owner: int, is_item: bool, style: str = "") -> str:
        """A value as it follows its key's colon (or an item's ``- ``); a text in ``style``
        (a quotation mark) if it reads back so."""
        if _is_scalar(value):
            return " " + self.scalar(value, owner + (2 if is_item else self.indent_step()),
                                     style)
        if isinstance(value, list):
            column = owner + 2 if is_item else owner + self.list_offset()
            if not value:
                return " []"
        else:
            column = owner + 2 if is_item else owner + self.indent_step()
            if not value:
                return " {}"
        lines = self.block(value, column)
        if is_item and isinstance(value, dict):
            return " " + "\n".join(lines).lstrip(" ")
        return "\n" + "\n".join(lines)

    def block(self, value: Any, column: int, style: str = "") -> list[str]:
        """The lines of a list or mapping whose items start at ``column``."""
        pad = " " * column
        lines: list[str] = []
        if isinstance(value, list):
            for item in value:
                if isinstance(item, (dict, list)) and item:
                    inner = self.block(item, column + 2)
                    lines.append(pad + "- " + inner[0].lstrip(" "))
                    lines.extend(inner[1:])
                else:
                    lines.append(pad + "-" + self.written(item, column, True, style))
            return lines
        for key, item in value.items():
            lines.append(pad + _key(key) + ":" + self.written(item, column, False))
        return lines

    def mapping(self, path: JsonPath, old: dict[str, Any], new: Data) -> None:
        for key in old:
            if key not in new:
                self.remove_key((*path, key), old[key])
            else:
                self.value((*path, key), old[key], new[key])
        added = [key for key in new if key not in old]
        for key in added:
            self.add_key(path, old, key, new[key])

    def remove_key(self, path: JsonPath, old: Any) -> None:
        """A key and its value gone, with the whole lines they stood on."""
        self.remove_lines(self.line_start(self.document.keys[path].start),
                          self.end(path, old))

    def remove_lines(self, start: int, last: int) -> None:
        """The lines from the one of ``start`` to the one of ``last``, with their line breaks;
        the file's last line keeps having none if it had none."""
        end = self.text.find("\n", self.line_end(last))
        if end >= 0:
            self.replace(start, end + 1, "")
        elif start > 0:
            self.replace(start - len(self.source.newline), len(self.text), "")
        else:
            self.replace(start, len(self.text), "")

    def add_key(self, path: JsonPath, old: dict[str, Any], key: str, value: Any) -> None:
        """A new key, after the nearest key before it in the schema's order (else the last)."""
        order = self.field_order if not path else []
        before = [name for name in order[: order.index(key)] if name in old] \
            if key in order else list(old)
        after = [name for name in order[order.index(key) + 1:] if name in old] \
            if key in order else []
        if not before and not after:
            before = list(old)
        column = self.column(self.document.keys[(*path, next(iter(old)))].start) if old else 0
        line = " " * column + _key(key) + ":" + self.written(value, column, False)
        if before:
            anchor = before[-1]
            span = self.document.values[(*path, anchor)]
            if _KEEP_BLOCK.match(self.text, span.start) and span.end <= len(self.text):
                # a block that keeps its trailing blank lines: the new key goes after them
                self.insert(span.end, line + "\n")
                return
            at = self.line_end(self.end((*path, anchor), old[anchor]))
            self.insert(at, "\n" + line)
        else:
            at = self.line_start(self.document.keys[(*path, after[0])].start)
            self.insert(at, line + "\n")

    def sequence(self, path: JsonPath, old: list[Any], new: list[Any]) -> None:
        """Items compared as a diff: equal ones untouched, changed ones rewritten in place,
        new ones as lines of their own, removed ones with their lines."""
        matcher = difflib.SequenceMatcher(a=[_key_of(as_json(item)) for item in old],
                                          b=[_key_of(item) for item in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            common = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for offset in range(common):
                self.value((*path, i1 + offset), old[i1 + offset], new[j1 + offset])
            if i2 - i1 > common:
                self.remove_items(path, old, i1 + common, i2)
            if j2 - j1 > common:
                self.insert_items(path, old, i1 + common, new[j1 + common: j2])

    def remove_items(self, path: JsonPath, old: list[Any], first: int, stop: int) -> None:
        start = self.line_start(self.document.values[(*path, first)].start)
        if stop < len(old):
            self.replace(start, self.line_start(self.document.values[(*path, stop)].start), "")
        else:
            self.remove_lines(start, self.end((*path, stop - 1), old[stop - 1]))

    def insert_items(self, path: JsonPath, old: list[Any], before: int,
                     items: list[Any]) -> None:
        column = self.owner_column((*path, 0))
        lines = self.block(items, column, self.text[self.document.values[(*path, 0)].start])
        if before < len(old):
            at = self.line_start(self.document.values[(*path, before)].start)
            self.insert(at, "\n".join(lines) + "\n")
        else:
            at = self.line_end(self.end((*path, len(old) - 1), old[-1]))
            self.insert(at, "\n" + "\n".join(lines))


# -- writing values ------------------------------------------------------------------------------

_KEEP_BLOCK = re.compile(r"[|>][1-9]?\+")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else _double_quoted(name)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _key_of(value: Any) -> Any:
    """A hashable stand-in for a JSON value, for comparing list items."""
    if isinstance(value, dict):
        return ("mapping", tuple(sorted((key, _key_of(item)) for key, item in value.items())))
    if isinstance(value, list):
        return ("list", tuple(_key_of(item) for item in value))
    return (type(value).__name__, value)


def _reads_back(snippet: str, value: Any) -> bool:
    """Whether ``key: <snippet>`` reads as exactly ``value`` in the project's own parser."""
    problems = Problems()
    document = parse_yaml("k: " + snippet + "\n", "", problems)
    return document is not None and not problems.errors and \
        isinstance(document.data, dict) and as_json(document.data.get("k")) == value and \
        type(document.data.get("k")) is type(value)


def _scalar(value: Any, content_column: int, style: str = "") -> str:
    """A value in the plainest form that reads back as itself; continuation lines (of a
    block) start at ``content_column``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    candidates = []
    if style == "'":
        candidates.append(_single_quoted(text))
    elif style == '"':
        candidates.append(_double_quoted(text))
    if "\n" in text or style == "|":  # a literal block stays one
        candidates.append(_literal_block(text, content_column))
    else:
        candidates.append(text)
        candidates.append(_single_quoted(text))
    for candidate in candidates:
        if candidate is not None and _reads_back(candidate.replace(
                "\n" + " " * content_column, "\n  "), text):
            return candidate
    return _double_quoted(text)


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'" if "\n" not in text else ""


def _double_quoted(text: str) -> str:
    escaped = []
    for character in text:
        code = ord(character)
        if character in ('"', "\\"):
            escaped.append("\\" + character)
        elif character == "\n":
            escaped.append("\\n")
        elif character == "\t":
            escaped.append("\\t")
        elif code < 0x20 or 0x7F <= code <= 0x9F or character in "\u2028\u2029\ufeff":
            escaped.append(f"\\u{code:04x}")
        else:
            escaped.append(character)
    return '"' + "".join(escaped) + '"'


def _literal_block(text: str, column: int) -> str:
    """Markdown as a literal block (``|``): its lines kept as they are, indented."""
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    lines = body.split("\n")
    pad = " " * column
    block = "|" + chomp + "".join("\n" + (pad + line if line else "") for line in lines)
    if trailing > 1:
        block += "\n" * (trailing - 1)
    return block


def _flow(value: list[Any] | dict[str, Any], quoted: bool) -> str:
    """A list or mapping written as ``[a, b]`` or ``{k: v}``, as the file had it: plain items
    where YAML allows."""
    def item(value: Any) -> str:
        text = _double_quoted(str(value)) if quoted and isinstance(value, str) else \
            _scalar(value, 0)
        if text.startswith(("|", ">")) or (any(mark in text for mark in ",[]{}") and
                                            not text.startswith(("'", '"'))):
            text = _double_quoted(str(value))
        return text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(key)}: {item(each)}" for key, each in value.items()) + "}"
    return "[" + ", ".join(item(each) for each in value) + "]"


# -- checking the result -------------------------------------------------------------------------


def _verify(old: str, new: str, intended: Data, allowed: set[int],
            rel_path: str) -> None:
    """The new text reads as ``intended`` and differs only in the lines allowed; else refuse."""
    diff = "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), rel_path, rel_path))
    problems = Problems()
    document = parse_yaml(new, rel_path, problems)
    if document is None or problems.errors or as_json(document.data) != intended:
        raise EditError("the change could not be written without touching other fields, so "
                        "nothing was saved; make it in a text editor", diff)
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        inside = all(line in allowed for line in range(i1, i2)) if i2 > i1 else \
            i1 in allowed or i1 - 1 in allowed
        if not inside:
            raise EditError("the change would have touched lines outside the fields that "
                            "changed, so nothing was saved; make it in a text editor", diff)
