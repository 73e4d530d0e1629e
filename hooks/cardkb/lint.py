"""Lint the free text of cards and patterns for anything that could identify a person.

Example wording is copied into real sessions and notes, so a name, a date or a phone number in it
is a privacy problem, reported like any other: at the line where it is written. Markdown fields
may hold links, so URLs are only flagged in plain-text fields; sources and review are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .identifiers import find_identifiers
from .link import markdown_fields
from .model import Card, Entity, KnowledgeBase, Pattern
from .problems import Problems
from .yaml_source import JsonPath

_WIKILINK = re.compile(r"!?\[\[[^\[\]\n]*\]\]")


def plain_text_fields(entity: Entity) -> Iterator[tuple[JsonPath, str]]:
    """Every plain-text field of a pattern or card, with its path in the file."""
    yield ("title",), entity.title
    if isinstance(entity, Pattern):
        yield ("summary",), entity.summary
        for sign in entity.signs:
            yield sign.path, sign.text
        for index, phrase in enumerate(entity.heard_as):
            yield ("heard_as", index), phrase
        for ref in entity.tell_apart:
            yield ref.path[:-1] + ("how",), ref.why or ""
    if isinstance(entity, Card):
        yield ("sign",), entity.sign
        for index, wording in enumerate(entity.wording):
            yield ("wording", index), wording
    for ref in entity.related:
        if ref.why:
            yield ref.path[:-1] + ("why",), ref.why


def lint_identifiers(kb: KnowledgeBase, problems: Problems) -> None:
    for entity in [*kb.patterns.values(), *kb.cards.values()]:
        document = entity.document
        texts = [(path, text, True) for path, text in plain_text_fields(entity)]
        texts += [(path, text, False) for path, text in markdown_fields(entity)
                  if path[0] != "sources"]
        for path, text, urls in texts:
            for hit in find_identifiers(_without_links(text), urls=urls):
                where = document.find_in_value(path, hit.found)
                field = path[0]
                problems.error(where, f"{field}: this looks like {_article(hit.kind)} "
                               f"('{hit.found}'); example text must not identify anyone: "
                               "use a placeholder such as [partner] or leave it out")


def _without_links(text: str) -> str:
    """The text with each ``[[link]]`` blanked out: ids are names of cards, not of people."""
    if "[[" not in text:
        return text
    return _WIKILINK.sub(lambda match: " " * len(match.group()), text)


def _article(kind: str) -> str:
    return ("an " if kind[0] in "aeiouAEIOU" else "a ") + kind
