"""Stage 2, validate: check each file's shape and turn it into a typed pattern or card.

The shape of a single file is the JSON Schema's business (``schemas.py``). What a schema cannot
say about one file (a review due before it was done) is checked here; what concerns several files
(ids, references, kinds) belongs to the link stage.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from .fields import ANY_ITEM, FieldKind, field_kinds
from .load import SourceFile
from .model import Card, Pattern, Ref, Review, Sign, Status
from .problems import Problems
from .schemas import check_shape
from .yaml_source import JsonPath, YamlDocument


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
        if source.document is not None:
            _check_list_items_in_plain_text(source.document, source.kind, problems)
        if source.document is None or not check_shape(source.document, source.kind, problems):
            result.invalid.append(source)
            continue
        data = source.document.data
        _check_review(source.document, data, problems)
        if source.kind == "pattern":
            result.patterns.append(_pattern(source, data))
        else:
            result.cards.append(_card(source, data))
    return result


_LIST_ITEM_LINE = re.compile(r"\n[ \t]*- ")


def _check_list_items_in_plain_text(document: YamlDocument, kind: str,
                                    problems: Problems) -> None:
    """A ``- item`` line under a field that already holds unquoted text.

    YAML reads the line as more of that text (``sign: the cue`` and ``- another`` below it make
    one sign, "the cue - another"), so nothing fails, and the author's list is silently lost.
    Quoted text and blocks written after ``|`` may hold such lines on purpose; a field that
    must be a list is the schema's to explain.
    """
    kinds = field_kinds(kind)
    for path, span in document.values.items():
        schema_path = tuple(ANY_ITEM if isinstance(step, int) else step for step in path)
        raw = document.source[span.start:span.end]
        if kinds.get(schema_path) is not FieldKind.TEXT or raw[:1] in ("'", '"', "|", ">"):
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


def _refs(items: list[Any] | None, field_name: str) -> list[Ref]:
    refs = []
    for index, item in enumerate(items or []):
        path: JsonPath = (field_name, index)
        if isinstance(item, dict):
            refs.append(Ref(item["id"], item.get("why"), path + ("id",)))
        else:
            refs.append(Ref(item, None, path))
    return refs


def _common(source: SourceFile, data: dict[str, Any]) -> dict[str, Any]:
    review = data.get("review")
    return {
        "id": source.id,
        "title": data["title"],
        "document": source.document,
        "related": _refs(data.get("related"), "related"),
        "tags": list(data.get("tags", [])),
        "sources": list(data.get("sources", [])),
        "review": Review(review.get("by"), _date(review.get("date")), _date(review.get("due")))
        if review else None,
    }


def _pattern(source: SourceFile, data: dict[str, Any]) -> Pattern:
    signs = [
        Sign(item, None, ("signs", i)) if isinstance(item, str)
        else Sign(item["text"], item.get("seen_in"), ("signs", i, "text"))
        for i, item in enumerate(data["signs"])
    ]
    tell_apart = [Ref(item["id"], item["how"], ("tell_apart", i, "id"))
                  for i, item in enumerate(data.get("tell_apart", []))]
    return Pattern(**_common(source, data), summary=data["summary"], signs=signs,
                   dynamics=data["dynamics"], shift=data.get("shift"), safety=data.get("safety"),
                   heard_as=list(data.get("heard_as", [])), tell_apart=tell_apart,
                   status=Status(data.get("status", "published")))


def _card(source: SourceFile, data: dict[str, Any]) -> Card:
    replaced_by = data.get("replaced_by")
    return Card(
        **_common(source, data),
        pattern_id=source.pattern_id,
        verdict=data["verdict"],
        sign=data["sign"],
        move=data["move"],
        wording=list(data["wording"]),
        why=data["why"],
        instead=_refs(data.get("instead"), "instead"),
        also_in=_refs(data.get("also_in"), "also_in"),
        cautions=data.get("cautions"),
        status=Status(data.get("status", "published")),
        replaced_by=Ref(replaced_by, None, ("replaced_by",)) if replaced_by else None,
        aliases=_refs(data.get("aliases"), "aliases"),
    )
