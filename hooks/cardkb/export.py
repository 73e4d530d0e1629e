"""``cards.json``: the knowledge base as data, for a learning platform or another tool.

Every published pattern and card with every field of the schema, its URL and its derived links.
Markdown fields keep their Markdown, with ``[[links]]`` turned into ordinary links relative to the
site root, so a consumer needs nothing from cardkb to follow them. The fields are read from the
schema, so a field added there is exported without a change here.
"""

from __future__ import annotations

import datetime
import json
from enum import Enum
from typing import Any

from .fields import FieldKind, top_level_kind
from .markdown_text import escape_markdown
from .model import Card, Entity, KnowledgeBase, Pattern, Ref, Review, Sign, Status
from .schemas import field_names, load_schema
from .urls import UrlLayout
from .wikilinks import WikiLink, replace_wikilinks

FORMAT = "cardkb/1"


def export_json(kb: KnowledgeBase, layout: UrlLayout, today: datetime.date) -> str:
    return json.dumps(export(kb, layout, today), ensure_ascii=False, indent=1) + "\n"


def export(kb: KnowledgeBase, layout: UrlLayout, today: datetime.date) -> dict[str, Any]:
    exporter = _Exporter(kb, layout)
    return {
        "format": FORMAT,
        "generated": today.isoformat(),
        "patterns": [exporter.pattern(p) for p in kb.patterns.values() if exporter.published(p)],
        "cards": [exporter.card(c) for c in kb.cards.values() if exporter.published(c)],
    }


#: fields exported as derived links (both ends, visible targets only) rather than as written;
#: ``status`` and ``replaced_by`` say nothing here, since only published content is exported
NOT_EXPORTED_AS_WRITTEN = frozenset({"related", "instead", "also_in", "status", "replaced_by"})


class _Exporter:
    def __init__(self, kb: KnowledgeBase, layout: UrlLayout) -> None:
        self.kb, self.layout = kb, layout

    def _fields(self, entity: Entity) -> dict[str, Any]:
        """Every field of the schema, as written, with Markdown fields' links made ordinary."""
        fields: dict[str, Any] = {"id": entity.id, "url": self.layout.entity_url(entity)}
        for name in field_names(entity.kind):
            if name not in NOT_EXPORTED_AS_WRITTEN:
                fields[name] = self._value(entity.kind, name, getattr(entity, name))
        return fields

    def _value(self, kind: str, name: str, value: Any) -> Any:
        if isinstance(value, list):
            return [self._value(kind, name, item) for item in value
                    if not isinstance(item, Ref) or self._names_published(item)]
        if isinstance(value, str) and top_level_kind(kind, name) is FieldKind.MARKDOWN:
            return self._markdown(value)
        if isinstance(value, Sign):
            return {"text": value.text, "seen_in": value.seen_in}
        if isinstance(value, Ref):
            text_key = _ref_text_key(kind, name)
            return {"id": value.id, text_key: value.why} if text_key else value.id
        if isinstance(value, Review):
            return _review(value)
        if isinstance(value, Enum):
            return value.value
        return value

    def _links(self, entity: Entity) -> dict[str, Any]:
        return {
            "related": [{"id": link.target.id, "kind": link.target.kind, "why": link.why}
                        for link in entity.related_links if self.published(link.target)],
            "used_in": [{"page": page.src_uri, "title": page.title,
                         "url": self.layout.content_url(page.src_uri)}
                        for page in entity.used_in],
        }

    def pattern(self, pattern: Pattern) -> dict[str, Any]:
        return {
            **self._fields(pattern),
            "links": {"cards": [c.id for c in pattern.cards if self.published(c)],
                      "tell_apart": [{"id": link.target.id, "how": link.how}
                                     for link in pattern.tell_apart_links
                                     if self.published(link.target)],
                      **self._links(pattern)},
        }

    def card(self, card: Card) -> dict[str, Any]:
        return {
            **self._fields(card),
            "pattern": card.pattern_id,
            "links": {
                "alternatives": [c.id for c in card.alternatives if self.published(c)],
                "use_instead_of": [c.id for c in card.replaces if self.published(c)],
                "also_in": [p.id for p in card.also_in_patterns if self.published(p)],
                **self._links(card),
            },
        }

    def published(self, entity: Entity) -> bool:
        """Published: neither a draft (even when drafts are shown) nor a retired card."""
        if isinstance(entity, Card) and entity.status is Status.RETIRED:
            return False
        return not self.kb.is_draft(entity)

    def _names_published(self, ref: Ref) -> bool:
        target = self.kb.resolve(ref.id)
        return target is None or self.published(target)

    def _markdown(self, text: str | None) -> str | None:
        if text is None:
            return None

        def as_link(link: WikiLink) -> str:
            target = self.kb.resolve(link.target)
            if target is None:
                return link.raw
            label = escape_markdown(link.text or target.title)
            return f"[{label}]({self.layout.entity_url(target)})"

        return replace_wikilinks(text, as_link)


def _ref_text_key(kind: str, name: str) -> str | None:
    """For a list of ``{id: ..., how: ...}`` mappings, the text's key as the schema names it."""
    items = load_schema(kind)["properties"][name].get("items", {})
    others = [key for key in items.get("properties", {}) if key != "id"]
    return others[0] if others else None


def _review(review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {"by": review.by,
            "date": review.date.isoformat() if review.date else None,
            "due": review.due.isoformat() if review.due else None,
            "qualification": review.qualification}
