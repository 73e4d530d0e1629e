"""Lint the free text of cards and patterns for anything that could identify a person.

Example wording is copied into real sessions and notes, so a name, a date or a phone number in it
is a privacy problem, reported like any other: at the line where it is written. Markdown fields
may hold links, so URLs are only flagged in plain-text fields; sources and review are left alone
(a citation names its authors and its year). Which field is plain text and which is Markdown is
the schema's word (``fields.py``). Files with shape problems are linted too, as far as they can
be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from .fields import FieldKind, fields_of_kind
from .identifiers import find_identifiers
from .model import KnowledgeBase
from .problems import Problems
from .yaml_source import JsonPath, YamlDocument

_WIKILINK = re.compile(r"!?\[\[[^\[\]\n]*\]\]")
#: citations and reviewers are names and dates by nature
_NOT_LINTED = ("sources", "review")


def plain_text_fields(document: YamlDocument, kind: str) -> Iterator[tuple[JsonPath, str]]:
    """Every plain-text field of a pattern or card file, with its path in the file."""
    for path, text, _kind in fields_of_kind(document.data, kind, FieldKind.TEXT):
        if path[0] not in _NOT_LINTED:
            yield path, text


def lint_identifiers(kb: KnowledgeBase, problems: Problems) -> None:
    documents = [(e.kind, e.document) for e in [*kb.patterns.values(), *kb.cards.values()]]
    for kind, document in [*documents, *kb.invalid_documents]:
        document.derived("lint", partial(_lint, document, kind), problems)


def _lint(document: YamlDocument, kind: str, problems: Problems) -> None:
    texts = [(path, text, True) for path, text in plain_text_fields(document, kind)]
    texts += [(path, text, False) for path, text, _kind in
              fields_of_kind(document.data, kind, FieldKind.MARKDOWN)
              if path[0] not in _NOT_LINTED]
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
