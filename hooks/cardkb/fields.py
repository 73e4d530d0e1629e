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


@cache
def form_description(kind: str) -> list[dict[str, Any]]:
    """The fields of a ``pattern`` or ``card`` file as a form shows them, in the schema's
    order: each with its name, whether it is required, its help text and what it holds
    (``text``, ``markdown``, a reference, ``choice`` with its choices, ``date``, a ``list``
    of one kind of item, a ``mapping`` of fields, or ``either`` a text or a mapping).

    The editor in the preview builds its form from this, so a field added to the schema
    appears in the form without a change to the editor.
    """
    schema = load_schema(kind)
    required = set(schema.get("required", []))
    return [{"name": name, "required": name in required, **_describe(node, schema)}
            for name, node in schema["properties"].items()]


def _describe(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    description = node.get("description", "")
    ref = node.get("$ref")
    if ref in _KIND_OF_DEF:
        base = schema["$defs"][ref.removeprefix("#/$defs/")]
        return {"type": _KIND_OF_DEF[ref].value,
                "description": description or base.get("description", "")}
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        described = _describe(schema["$defs"][ref.removeprefix("#/$defs/")], schema)
        return {**described, "description": description or described["description"]}
    if "enum" in node:
        return {"type": "choice", "choices": list(node["enum"]), "description": description}
    if node.get("format") == "date":
        return {"type": "date", "description": description}
    branches = node.get("anyOf", []) + node.get("oneOf", [])
    if branches:
        options = [_describe(branch, schema) for branch in branches]
        mapping = next((option for option in options if option["type"] == "mapping"), None)
        if mapping is not None and len(options) == 2:
            # a text, or a mapping whose required field holds that same text
            return {**mapping, "type": "either", "description": description}
        return {**options[0], "description": description}
    if node.get("type") == "array":
        return {"type": "list", "item": _describe(node.get("items", {}), schema),
                "unique": bool(node.get("uniqueItems")), "description": description}
    if node.get("type") == "object":
        required = set(node.get("required", []))
        return {"type": "mapping", "description": description,
                "fields": [{"name": name, "required": name in required,
                            **_describe(child, schema)}
                           for name, child in node.get("properties", {}).items()]}
    return {"type": "text", "description": description}
