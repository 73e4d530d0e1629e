"""What each field holds, read from the JSON Schemas: the one description of the format.

A field is plain text, Markdown or a reference to a card or pattern because the schema says so
(``$ref: #/$defs/text``, ``#/$defs/markdown``, ``#/$defs/card-ref``...). The link stage checks
``[[links]]`` in Markdown fields, the identifier lint reads plain-text fields, and the export
converts Markdown, all from these lists: a field added to the schema is handled everywhere
without a second list to update.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from functools import cache
from typing import Any

from .schemas import load_schema
from .yaml_source import JsonPath

#: a path in the schema: property names, and ``*`` for every item of a list
SchemaPath = tuple[str, ...]
ANY_ITEM = "*"


class FieldKind(Enum):
    TEXT = "text"
    MARKDOWN = "markdown"
    CARD_REF = "card-ref"
    PATTERN_REF = "pattern-ref"
    REF = "ref"

    @property
    def is_reference(self) -> bool:
        return self in (FieldKind.CARD_REF, FieldKind.PATTERN_REF, FieldKind.REF)

    @property
    def wants(self) -> str | None:
        """The kind of entity a reference names: ``card``, ``pattern``, or None for either."""
        return {FieldKind.CARD_REF: "card", FieldKind.PATTERN_REF: "pattern"}.get(self)


_KIND_OF_DEF = {f"#/$defs/{kind.value}": kind for kind in FieldKind}


@cache
def field_kinds(kind: str) -> dict[SchemaPath, FieldKind]:
    """Every path of a ``pattern`` or ``card`` file that holds text, Markdown or a reference."""
    schema = load_schema(kind)
    found: dict[SchemaPath, FieldKind] = {}
    _walk(schema, (), schema, found)
    return found


def _walk(node: Any, path: SchemaPath, schema: dict[str, Any],
          found: dict[SchemaPath, FieldKind]) -> None:
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref in _KIND_OF_DEF:
        found[path] = _KIND_OF_DEF[ref]
        return
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        _walk(schema["$defs"][ref.removeprefix("#/$defs/")], path, schema, found)
    for name, child in node.get("properties", {}).items():
        _walk(child, (*path, name), schema, found)
    _walk(node.get("items"), (*path, ANY_ITEM), schema, found)
    for branch in node.get("anyOf", []) + node.get("oneOf", []):
        _walk(branch, path, schema, found)


def fields_of_kind(data: Any, kind: str, *wanted: FieldKind) -> Iterator[tuple[JsonPath, str,
                                                                               FieldKind]]:
    """Every text value in ``data`` (a file's data, valid or not) of the wanted field kinds.

    Values of another type are skipped: in a file with problems, whatever can be read is still
    checked.
    """
    for schema_path, field_kind in field_kinds(kind).items():
        if field_kind in wanted:
            for path, value in _values(data, schema_path, ()):
                yield path, value, field_kind


def _values(data: Any, schema_path: SchemaPath, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if not schema_path:
        if isinstance(data, str):
            yield path, data
        return
    step, rest = schema_path[0], schema_path[1:]
    if step == ANY_ITEM:
        for index, item in enumerate(data if isinstance(data, list) else []):
            yield from _values(item, rest, (*path, index))
    elif isinstance(data, dict) and step in data:
        yield from _values(data[step], rest, (*path, step))


def top_level_kind(kind: str, name: str) -> FieldKind | None:
    """The kind of a field itself, or of each item when it is a list of texts or references."""
    kinds = field_kinds(kind)
    return kinds.get((name,)) or kinds.get((name, ANY_ITEM))
