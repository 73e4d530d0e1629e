"""Stage 2, validate: check each file's shape and turn it into a typed pattern or card.

The shape of a single file is the JSON Schema's business (``schemas.py``). What a schema cannot
say about one file (a review due before it was done) is checked here; what concerns several files
(ids, references, kinds) belongs to the link stage. A pattern or card is built from every field the
schema names, typed as the model declares it, so a new field needs the schema and the model only.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from .fields import FieldKind, fields_of_kind
from .load import SourceFile
from .model import Card, Entity, Pattern, Ref, Review, Sign, Status
from .problems import Problems
from .schemas import check_shape, field_names
from .yaml_source import JsonPath, YamlDocument

EntityT = TypeVar("EntityT", bound=Entity)


@dataclass
class ValidatedFiles:
    patterns: list[Pattern] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    #: files whose shape is wrong (already reported): their ids exist, so that references to
    #: them are not reported a second time, and their links are still checked
    invalid: list[SourceFile] = field(default_factory=list)


def validate(sources: list[SourceFile], problems: Problems) -> ValidatedFiles:
    result = ValidatedFiles()
    for source in sources:
        document = source.document
        if document is None or not document.derived(
                "shape", partial(_check_file, document, source.kind), problems):
            result.invalid.append(source)
            continue
        if source.kind == "pattern":
            result.patterns.append(_from_data(Pattern, source, document))
        else:
            result.cards.append(_from_data(Card, source, document,
                                           pattern_id=source.pattern_id))
    return result


def _check_file(document: YamlDocument, kind: str, problems: Problems) -> bool:
    """The checks of one file on its own; whether its shape is right."""
    _check_list_items_in_plain_text(document, kind, problems)
    if not check_shape(document, kind, problems):
        return False
    _check_review(document, document.data, problems)
    return True


_LIST_ITEM_LINE = re.compile(r"\n[ \t]*- ")


def _check_list_items_in_plain_text(document: YamlDocument, kind: str,
                                    problems: Problems) -> None:
    """A ``- item`` line under a field that already holds unquoted text.

    YAML reads the line as more of that text (``sign: the cue`` and ``- another`` below it make
    one sign, "the cue - another"), so nothing fails, and the author's list is silently lost.
    Quoted text and blocks written after ``|`` may hold such lines on purpose; a field that
    must be a list is the schema's to explain.
    """
    for path, _text, _kind in fields_of_kind(document.data, kind, FieldKind.TEXT):
        span = document.values[path]
        raw = document.source[span.start:span.end]
        if raw[:1] in ("'", '"', "|", ">") or "\n" not in raw:
            continue
        if match := _LIST_ITEM_LINE.search(raw):
            problems.error(document.at_offset(span.start + match.end() - 2),
                           "this list item stands under a field that already holds a text after "
                           "its colon: a field holds either one text or a list; for a list, leave "
                           "the first line empty after the colon and start each item on its own "
                           "line with '- '")


def _check_review(document: YamlDocument, data: dict[str, Any], problems: Problems) -> None:
    review = data.get("review") or {}
    done, due = _date(review.get("date")), _date(review.get("due"))
    if done and due and due < done:
        problems.error(document.value_location(("review", "due")),
                       f"review: due ({due}) is before the review date ({done})")


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return None


def _from_data(cls: type[EntityT], source: SourceFile, document: YamlDocument,
               **file_fields: Any) -> EntityT:
    """A pattern or card from its file's data: every field of the schema, typed as the model
    declares it. A field added to the schema and the model needs nothing here."""
    def convert_all(_: Problems) -> dict[str, Any]:
        data = document.data
        return {name: convert(data[name], (name,))
                for name, convert in _converters(cls, source.kind) if name in data}

    fields = document.derived(f"{cls.__name__} fields", convert_all, Problems())
    # lists copied: each check links fresh entities, and must not share what they hold
    copied: dict[str, Any] = {name: list(value) if isinstance(value, list) else value
                              for name, value in fields.items()}
    return cls(id=source.id, document=document, **file_fields, **copied)


Converter = Callable[[Any, JsonPath], Any]
_CONVERTERS: dict[tuple[type, str], list[tuple[str, Converter]]] = {}


def _converters(cls: type, kind: str) -> list[tuple[str, Converter]]:
    """For each field of the schema, how its value becomes the model's type; worked out once."""
    if (cls, kind) not in _CONVERTERS:
        hints = get_type_hints(cls)
        _CONVERTERS[cls, kind] = [(name, _converter(hints[name])) for name in field_names(kind)]
    return _CONVERTERS[cls, kind]


def _converter(hint: Any) -> Converter:
    """How a value becomes the model's type ``hint``: a list, a reference, a sign, a review..."""
    if get_origin(hint) in (Union, UnionType):  # X | None: a value that is there is an X
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    if get_origin(hint) is list:
        item = _converter(get_args(hint)[0])
        return lambda value, path: [item(element, (*path, index))
                                    for index, element in enumerate(value)]
    return _SIMPLE_CONVERTERS.get(hint, lambda value, path: value)


def _ref(value: Any, path: JsonPath) -> Ref:
    if isinstance(value, dict):  # {id: ..., why: ...} or {id: ..., how: ...}
        text = next((value[key] for key in value if key != "id"), None)
        return Ref(value["id"], text, (*path, "id"))
    return Ref(value, None, path)


def _sign(value: Any, path: JsonPath) -> Sign:
    if isinstance(value, dict):
        return Sign(value["text"], value.get("seen_in"), (*path, "text"))
    return Sign(value, None, path)


_SIMPLE_CONVERTERS: dict[Any, Converter] = {
    Ref: _ref,
    Sign: _sign,
    Review: lambda value, path: Review(value.get("by"), _date(value.get("date")),
                                       _date(value.get("due")), value.get("qualification")),
    Status: lambda value, path: Status(value),
}
