"""Check the shape of a pattern or card against its JSON Schema, in words an author understands.

The schema files in ``schema/`` are the single description of the shapes: editors use them for
completion and hover help, and this module uses them to validate. jsonschema's messages are written
for programmers, so each error is translated here into a sentence with a location and, where YAML
read something the author did not mean (``no`` as false, a date), a hint to quote it.

Most files are valid, and a pre-commit check of thousands of them should not wait for
jsonschema's careful traversal: each file first meets the same schema compiled to Python by
fastjsonschema, and only a file that fails it goes through jsonschema, for every error and its
place. Both read the same schema files; a test holds the two to the same verdict.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import fastjsonschema

from .problems import Location, Problems, did_you_mean
from .yaml_source import TYPE_NAMES, JsonPath, YamlDocument

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_FILES = {"pattern": "pattern.json", "card": "card.json"}
_JSON_TYPES = {"string": "text", "array": "a list", "object": "a mapping of fields",
               "boolean": "yes or no", "integer": "a whole number", "number": "a number"}


@cache
def load_schema(kind: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("schema", SCHEMA_FILES[kind]).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(kind: str) -> Draft202012Validator:
    """jsonschema's validator, which explains every error; imported only when a file has one."""
    from jsonschema import Draft202012Validator, FormatChecker, validators

    # jsonschema compares list items pairwise when they cannot be sorted (a list of mappings):
    # a long list took minutes. The same verdict from one pass with hashing keeps it linear.
    validator: Any = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {"uniqueItems": _unique_items})
    checker: Draft202012Validator = validator(_inlined_schema(kind),
                                              format_checker=FormatChecker(formats=["date"]))
    return checker


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if unique and validator.is_type(instance, "array"):
        keys = [_json_key(item) for item in instance]
        if len(set(keys)) < len(keys):
            yield ValidationError("has items listed twice")


_NO_SPACE_AFTER_DASH = re.compile(r"^-[^\s-]")
_NO_SPACE_AFTER_COLON = re.compile(r"^[A-Za-z_][\w-]*:\S")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def is_iso_date(value: object) -> bool:
    """The ``date`` format as jsonschema checks it: YYYY-MM-DD, and a day that exists."""
    if not isinstance(value, str):
        return True
    try:
        return bool(_ISO_DATE.match(value)) and bool(datetime.date.fromisoformat(value))
    except ValueError:
        return False


@cache
def _fast_validator(kind: str) -> Callable[[Any], Any]:
    """The schema compiled to Python: it only says whether a file is valid, quickly."""
    return fastjsonschema.compile(
        _inlined_schema(kind), formats={"date": is_iso_date}, use_default=False)


def is_valid_shape(data: Any, kind: str) -> bool:
    """Whether ``data`` fits the schema of ``kind``, by the compiled check."""
    try:
        _fast_validator(kind)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@cache
def _inlined_schema(kind: str) -> dict[str, Any]:
    # The schema's $refs only point into its own $defs: inlining them once saves a reference
    # lookup at every field of every file.
    schema = load_schema(kind)
    inlined: dict[str, Any] = _inline_refs(schema, schema)
    return inlined


def _inline_refs(node: Any, schema: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith("#/$defs/"):
            target = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return _inline_refs(merged, schema)
        return {key: _inline_refs(value, schema) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_refs(item, schema) for item in node]
    return node


def field_names(kind: str) -> list[str]:
    return list(load_schema(kind)["properties"])


def check_shape(document: YamlDocument, kind: str, problems: Problems) -> bool:
    """Validate one document's data; record every problem and return whether it was clean."""
    data = document.data
    if not isinstance(data, dict):
        problems.error(document.value_location(()),
                       f"a {kind} file holds fields such as 'title: ...', one per line")
        return False
    data = _with_review_dates(data)
    if is_valid_shape(data, kind):
        return True
    before = len(problems)
    errors = sorted(_validator(kind).iter_errors(data),
                    key=lambda e: list(map(str, e.absolute_path)))
    misspelled = _misspelled_required(errors)
    for error in errors:
        for location, message in _translate(error, document, misspelled):
            problems.error(location, message)
    return len(problems) == before


#: (path of a mapping, required field) -> the unknown key there that is a near miss of it
_Misspellings = dict[tuple[JsonPath, str], str]


def _misspelled_required(errors: list[ValidationError]) -> _Misspellings:
    """Required fields that are missing because their key is misspelled (``wordng:``).

    The misspelled key is what the author must see, at its own line: the missing field is
    reported there, as one problem, instead of a second one at the top of the mapping.
    """
    unknown: dict[JsonPath, list[str]] = {}
    for error in _flatten(errors):
        schema: Any = error.schema
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = schema.get("properties", {})
            unknown[tuple(error.absolute_path)] = [k for k in error.instance if k not in allowed]
    found: _Misspellings = {}
    for error in _flatten(errors):
        path = tuple(error.absolute_path)
        required: Any = error.validator_value
        instance: Any = error.instance
        if error.validator != "required" or path not in unknown:
            continue
        for name in required:
            if name in instance:
                continue
            near = difflib.get_close_matches(name, unknown[path], n=1, cutoff=0.6)
            if near and near[0] not in found.values():
                found[(path, name)] = near[0]
    return found


def _flatten(errors: list[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        yield error
        yield from _flatten(list(error.context or []))


def _with_review_dates(data: dict[str, Any]) -> dict[str, Any]:
    """Dates are dates only in ``review``: there they become ISO text for the schema."""
    review = data.get("review")
    if not isinstance(review, dict):
        return data
    iso = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in review.items()}
    return {**data, "review": iso}


def _label(path: JsonPath) -> str:
    """A field's name as an author reads it: ``signs``, ``signs item 2``, ``review: due``."""
    parts: list[str] = []
    for part in path:
        parts.append(f"item {part + 1}" if isinstance(part, int) else str(part))
    return ": ".join(parts) if parts else "the file"


def _translate(error: ValidationError, doc: YamlDocument,
               misspelled: _Misspellings) -> Iterator[tuple[Location, str]]:
    path: JsonPath = tuple(error.absolute_path)
    label = _label(path)
    instance: Any = error.instance
    value: Any = error.validator_value
    schema: Any = error.schema
    validator = error.validator
    if validator == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        meant = {key: name for (where, name), key in misspelled.items() if where == path}
        for key in instance:
            if key in meant:
                yield doc.key_location(path + (key,)), (
                    f"unknown field '{key}' (did you mean '{meant[key]}'?); "
                    f"'{meant[key]}' is required, so it is missing until the name is corrected")
            elif key not in allowed:
                hint = did_you_mean(key, allowed) or f" (fields here: {', '.join(allowed)})"
                yield doc.key_location(path + (key,)), f"unknown field '{key}'{hint}"
    elif validator == "required":
        missing = [f for f in value if f not in instance and (path, f) not in misspelled]
        for name in missing:
            yield doc.value_location(path), _missing_message(name, error)
    elif validator == "not":
        for name in value.get("required", []):
            yield doc.key_location(path + (name,)), _forbidden_message(name)
    elif validator in ("anyOf", "oneOf"):
        yield from _translate_alternatives(error, doc, misspelled)
    else:
        yield doc.value_location(path), f"{label}: {_describe(error, doc, path)}"


def _missing_message(name: str, error: ValidationError) -> str:
    if name == "instead":
        return "a card that backfires needs 'instead': the ids of the cards that work instead"
    if name == "replaced_by":
        return "a retired card needs 'replaced_by': the id of the card that replaces it"
    return f"missing required field '{name}'"


def _forbidden_message(name: str) -> str:
    if name == "instead":
        return ("'instead' is only for cards that backfire; a card that works is shown as "
                "'use instead of' on the cards that name it")
    if name == "replaced_by":
        return "'replaced_by' is only for retired cards: add 'status: retired' or remove it"
    if name in ("practice", "criteria"):
        return (f"'{name}' is only for cards that work: a card that backfires is shown, with its "
                "wording and why, as the contrast when the cards in its 'instead' are practised")
    return f"'{name}' is not allowed here"


def _translate_alternatives(error: ValidationError, doc: YamlDocument,
                            misspelled: _Misspellings) -> Iterator[tuple[Location, str]]:
    """For "text or mapping" items, explain against the alternative the author chose."""
    branches: Any = error.validator_value
    chosen = [e for e in error.context or [] if e.validator != "type"]
    branch_types = {e.relative_schema_path[0] for e in error.context or [] if e.validator == "type"}
    if chosen and len(branch_types) < len(branches):
        for sub in chosen:
            yield from _translate(sub, doc, misspelled)
        return
    path: JsonPath = tuple(error.absolute_path)
    instance = error.instance
    if instance is None or (path in doc.raw and doc.raw[path] == ""):
        advice = "is empty: write something, or remove the line"
    elif isinstance(instance, (dict, list)):
        advice = f"{_read_as(instance, doc, path)}; write a text, or a mapping of its fields"
    else:
        advice = (f"{_read_as(instance, doc, path)}; put it in quotes if you mean the text: "
                  f"\"{doc.raw.get(path, instance)}\"")
    yield doc.value_location(path), f"{_label(path)}: {advice}"


def _read_as(instance: Any, doc: YamlDocument, path: JsonPath) -> str:
    raw = doc.raw.get(path)
    type_name = TYPE_NAMES.get(type(instance))
    if raw is not None and type_name:
        if instance is None and raw == "":
            return "is empty"
        return f"YAML reads {raw} as {type_name}"
    if isinstance(instance, list):
        return "is a list"
    if isinstance(instance, dict):
        return "is a mapping of fields"
    return f"is {instance!r}"


def _listed_twice(items: list[Any], doc: YamlDocument, path: JsonPath) -> str:
    """The first item equal to an earlier one, as JSON Schema compares (1 and 1.0 are equal)."""
    seen: set[Any] = set()
    for index, item in enumerate(items):
        key = _json_key(item)
        if key in seen:
            return doc.raw.get(path + (index,), str(item))
        seen.add(key)
    return str(items[-1]) if items else ""


def _json_key(value: Any) -> Any:
    """A hashable stand-in for a JSON value, equal exactly when JSON Schema calls values equal."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, (int, float)):
        return ("number", value)  # 1 == 1.0 in Python too, and they hash alike
    if isinstance(value, dict):
        return ("mapping", frozenset((key, _json_key(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_json_key(item) for item in value))
    if isinstance(value, str):
        return ("text", value)
    return ("other", repr(value))  # dates and the like: never equal to text


def _describe(error: ValidationError, doc: YamlDocument, path: JsonPath) -> str:
    instance: Any = error.instance
    value: Any = error.validator_value
    schema: Any = error.schema
    match error.validator:
        case "type":
            expected = _JSON_TYPES.get(value, value) if isinstance(value, str) else "another type"
            if instance is None:
                return "is empty: write something, or remove the line"
            read_as = _read_as(instance, doc, path)
            if expected == "text" and path in doc.raw:
                return f"{read_as}; put it in quotes if you mean the text: \"{doc.raw[path]}\""
            if expected == "a list" and isinstance(instance, str) and _NO_SPACE_AFTER_DASH.match(
                    instance):
                return "put a space after '-': a list item is written '- ' and then the text"
            if expected == "a list" and isinstance(instance, str):
                return "must be a list: put each item on its own line starting with '- '"
            if expected == "a mapping of fields" and isinstance(instance, str) and \
                    _NO_SPACE_AFTER_COLON.match(instance):
                return "put a space after the colon: a field is written 'name: text'"
            return f"{read_as}, but it must be {expected}"
        case "enum":
            options = " or ".join(f"'{v}'" for v in value)
            shown = doc.raw.get(path, repr(instance))
            hint = did_you_mean(str(instance), [str(v) for v in value])
            return f"must be {options}, not '{shown}'{hint}"
        case "const":
            return f"must be '{value}'"
        case "minLength" | "minProperties":
            return "is empty: write something, or remove the line"
        case "minItems":
            return "is an empty list: add at least one item, or remove the line"
        case "pattern" if value == r"\S":
            return "is blank: write something, or remove the line"
        case "pattern" | "maxLength" if "a-z0-9" in str(schema.get("pattern", "")):
            return (f"'{instance}' is not a valid id: lower-case letters and digits in words "
                    "joined by single hyphens, at most 64 characters, such as 'name-the-stuckness'")
        case "uniqueItems":
            return f"'{_listed_twice(instance, doc, path)}' is listed twice"
        case "format":
            return f"'{instance}' is not a date: write it as YYYY-MM-DD, such as 2026-01-31"
        case "maxLength":
            return f"is longer than {value} characters"
    return error.message
