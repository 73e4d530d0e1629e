"""Deliberate practice: the prompts of the cards that work, for ``practice/``, its print sheets
and the Anki export.

A trainee answers a client statement out loud, then compares with what a good reply does (the
card's ``criteria``, or its title), the card's example wording and why, and the contrast: the
cards that backfire and name this one in ``instead``, with their wording and why. This module
says which prompts are practised and what each one's answer is; the page, the sheets and the
export only lay it out.

``practice/index.js`` is a script (``window.cardkbPractice = {...}``) for the same reason as the
finder's data: a page opened from disk may load scripts but not fetch files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import LEVELS, Card, KnowledgeBase, Pattern, Prompt, Status
from .urls import UrlLayout, relative_href

PRACTICE_FOLDER = "practice/"
PRACTICE_DATA_FILE = "practice/index.js"
#: the two print sheets of each pattern, under ``practice/<pattern-id>/``
SHEETS = ("client", "supervisor")
LEVEL_NAMES = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}


@dataclass(frozen=True)
class PracticeItem:
    """One prompt with everything its answer shows."""

    card: Card
    prompt: Prompt
    #: the cards that tend to backfire where this one works (they name it in ``instead``)
    contrast: tuple[Card, ...]

    @property
    def key(self) -> str:
        """``<card-id>/<prompt-id>``, as the page marks the prompt (``data-cardkb-prompt``)."""
        return f"{self.card.id}/{self.prompt.id}"

    @property
    def criteria(self) -> str:
        return self.card.criteria or self.card.title


def practised_cards(kb: KnowledgeBase, *, published_only: bool = False) -> list[Card]:
    """The cards whose prompts are practised: visible (or published), not retired, with
    prompts, in the knowledge base's order."""
    def shown(card: Card) -> bool:
        if published_only:
            return not kb.is_draft(card)
        return kb.is_visible(card)

    return [card for card in kb.cards.values()
            if card.practice and card.status is not Status.RETIRED and shown(card)]


def practice_items(kb: KnowledgeBase, *, published_only: bool = False) -> list[PracticeItem]:
    """Every practised prompt, card by card, each card's prompts as written."""
    items: list[PracticeItem] = []
    for card in practised_cards(kb, published_only=published_only):
        contrast = tuple(other for other in card.replaces
                         if other.status is not Status.RETIRED and (
                             not kb.is_draft(other) if published_only else kb.is_visible(other)))
        items += [PracticeItem(card, prompt, contrast) for prompt in card.practice]
    return items


def practised_patterns(kb: KnowledgeBase, items: list[PracticeItem]) -> list[Pattern]:
    """The visible patterns that have prompts (a card's own pattern or an ``also_in`` one)."""
    ids = {pattern.id for item in items for pattern in item.card.patterns}
    return [pattern for pattern in kb.visible_patterns() if pattern.id in ids]


def pattern_items(pattern: Pattern, items: list[PracticeItem]) -> list[PracticeItem]:
    """A pattern's prompts, easiest level first, in the cards' order within a level."""
    mine = [item for item in items if pattern in item.card.patterns]
    return sorted(mine, key=lambda item: LEVELS.index(item.prompt.level))


def sheet_folder(pattern_id: str, sheet: str) -> str:
    """``practice/<pattern-id>/client/`` or ``.../supervisor/``."""
    return f"{PRACTICE_FOLDER}{pattern_id}/{sheet}/"


def practice_href(layout: UrlLayout, from_url: str, card: Card) -> str:
    """A link from a page to the practice of one card (``practice/?card=<id>``)."""
    return relative_href(from_url, layout.page_url(PRACTICE_FOLDER)) + f"?card={card.id}"


def practice_data(kb: KnowledgeBase, layout: UrlLayout, plain: Callable[[str], str]) -> str:
    """``practice/index.js``: the prompts and their answers, as the page reads them.

    ``plain`` turns a Markdown field into the plain text a reader sees (the page sets every
    piece of author text as text, never as HTML).
    """
    page_url = layout.page_url(PRACTICE_FOLDER)
    items = practice_items(kb)
    patterns = practised_patterns(kb, items)
    index_of = {pattern.id: i for i, pattern in enumerate(patterns)}
    cards: dict[str, dict[str, Any]] = {}
    contrasts: dict[str, dict[str, Any]] = {}
    for item in items:
        card = item.card
        if card.id not in cards:
            cards[card.id] = {
                "title": card.title, "url": relative_href(page_url, layout.entity_url(card)),
                "criteria": item.criteria, "wording": card.wording, "why": plain(card.why),
                "patterns": [index_of[p.id] for p in card.patterns if p.id in index_of],
                "contrast": [other.id for other in item.contrast],
            }
            for other in item.contrast:
                contrasts[other.id] = {
                    "title": other.title, "wording": other.wording, "why": plain(other.why),
                    "url": relative_href(page_url, layout.entity_url(other))}
    data = {
        "levels": list(LEVELS),
        "patterns": [{"id": p.id, "title": p.title} for p in patterns],
        "cards": cards,
        "contrasts": contrasts,
        "prompts": [{"card": item.card.id, "id": item.prompt.id, "level": item.prompt.level,
                     "says": item.prompt.client_says, "context": item.prompt.context or ""}
                    for item in items],
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.cardkbPractice={payload};\n"
