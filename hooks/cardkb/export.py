"""``cards.json``: the knowledge base as data, for a learning platform or another tool.

Every published pattern and card with its fields, its URL and its derived links. Markdown fields
keep their Markdown, with ``[[links]]`` turned into ordinary links relative to the site root, so
a consumer needs nothing from cardkb to follow them.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from .markdown_text import escape_markdown
from .model import Card, Entity, KnowledgeBase, Pattern, Review, Status
from .urls import UrlLayout
from .wikilinks import WikiLink, replace_wikilinks

FORMAT = "cardkb/1"


def export_json(kb: KnowledgeBase, layout: UrlLayout, today: datetime.date) -> str:
    return json.dumps(export(kb, layout, today), ensure_ascii=False, indent=1) + "\n"


def export(kb: KnowledgeBase, layout: UrlLayout, today: datetime.date) -> dict[str, Any]:
    published = [c for c in kb.cards.values() if c.status is Status.PUBLISHED]
    exporter = _Exporter(kb, layout)
    return {
        "format": FORMAT,
        "generated": today.isoformat(),
        "patterns": [exporter.pattern(p) for p in kb.patterns.values()],
        "cards": [exporter.card(c) for c in published],
    }


class _Exporter:
    def __init__(self, kb: KnowledgeBase, layout: UrlLayout) -> None:
        self.kb, self.layout = kb, layout

    def _common(self, entity: Entity) -> dict[str, Any]:
        return {
            "id": entity.id,
            "url": self.layout.entity_url(entity),
            "title": entity.title,
            "tags": entity.tags,
            "sources": [self._markdown(s) for s in entity.sources],
            "review": _review(entity.review),
        }

    def _links(self, entity: Entity) -> dict[str, Any]:
        return {
            "related": [{"id": link.target.id, "kind": link.target.kind, "why": link.why}
                        for link in entity.related_links if self._published(link.target)],
            "used_in": [{"page": page.src_uri, "title": page.title,
                         "url": self.layout.content_url(page.src_uri)}
                        for page in entity.used_in],
        }

    def pattern(self, pattern: Pattern) -> dict[str, Any]:
        return {
            **self._common(pattern),
            "summary": pattern.summary,
            "signs": [{"text": s.text, "seen_in": s.seen_in} for s in pattern.signs],
            "dynamics": self._markdown(pattern.dynamics),
            "shift": self._markdown(pattern.shift),
            "safety": self._markdown(pattern.safety),
            "links": {"cards": [c.id for c in pattern.cards if self._published(c)],
                      **self._links(pattern)},
        }

    def card(self, card: Card) -> dict[str, Any]:
        return {
            **self._common(card),
            "pattern": card.pattern_id,
            "verdict": card.verdict,
            "sign": card.sign,
            "move": self._markdown(card.move),
            "wording": card.wording,
            "why": self._markdown(card.why),
            "cautions": self._markdown(card.cautions),
            "aliases": [ref.id for ref in card.aliases],
            "links": {
                "alternatives": [c.id for c in card.alternatives if self._published(c)],
                "use_instead_of": [c.id for c in card.replaces if self._published(c)],
                "also_in": [p.id for p in card.also_in_patterns],
                **self._links(card),
            },
        }

    def _published(self, entity: Entity) -> bool:
        return not isinstance(entity, Card) or entity.status is Status.PUBLISHED

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


def _review(review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {"by": review.by,
            "date": review.date.isoformat() if review.date else None,
            "due": review.due.isoformat() if review.due else None}
