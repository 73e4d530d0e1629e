"""The knowledge base as typed data: patterns, cards and the links between them.

Fields an author writes are set by the validate stage; fields marked *derived* are filled in by the
link stage and are never written by hand (backlinks, "use instead of", "also in", "used in").
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar, Literal

from .yaml_source import JsonPath, YamlDocument

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ID_LENGTH = 64

SEEN_IN = ("client", "therapist", "process", "measure")
Verdict = Literal["backfires", "works"]


class Status(Enum):
    PUBLISHED = "published"
    DRAFT = "draft"
    RETIRED = "retired"


@dataclass(frozen=True)
class Sign:
    text: str
    seen_in: str | None
    path: JsonPath


@dataclass(frozen=True)
class Ref:
    """A reference written by an author: an id, with an optional reason."""

    id: str
    why: str | None
    path: JsonPath


@dataclass(frozen=True)
class Review:
    by: str | None = None
    date: datetime.date | None = None
    due: datetime.date | None = None
    #: the reviewer's clinical qualification: only a review that names one counts as a
    #: qualified clinician's review on the page
    qualification: str | None = None


@dataclass(frozen=True)
class RelatedLink:
    """One end of a ``related`` link, as shown on a page: the other entity and why."""

    target: Entity
    why: str | None


@dataclass(frozen=True)
class TellApartLink:
    """One end of a ``tell_apart`` entry, as shown on a pattern's page: the other pattern and
    how to tell the two apart (the same text on both pages, so it names both)."""

    target: Pattern
    how: str


@dataclass(frozen=True)
class ContentPage:
    """A hand-written page under the docs folder, as far as the cards are concerned."""

    src_uri: str
    title: str


@dataclass(eq=False, repr=False)
class Entity:
    """What patterns and cards have in common: an id in one shared namespace, and a file."""

    id: str
    title: str
    document: YamlDocument
    related: list[Ref] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    review: Review | None = None
    # derived
    related_links: list[RelatedLink] = field(default_factory=list)
    used_in: list[ContentPage] = field(default_factory=list)

    kind: ClassVar[str] = "entity"

    @property
    def source_path(self) -> str:
        return self.document.path

    def __repr__(self) -> str:
        # Patterns and cards link to each other both ways: the generated repr would print the
        # whole knowledge base (and hang a failing test's report). The id says which one it is.
        return f"<{type(self).__name__} {self.id!r}>"


@dataclass(eq=False, repr=False)
class Pattern(Entity):
    summary: str = ""
    signs: list[Sign] = field(default_factory=list)
    dynamics: str = ""
    shift: str | None = None
    safety: str | None = None
    #: how supervisees tend to put the pattern, in their own words (weighted high by the finder)
    heard_as: list[str] = field(default_factory=list)
    #: similar patterns and how to tell this one from each
    tell_apart: list[Ref] = field(default_factory=list)
    status: Status = Status.PUBLISHED
    # derived: every card shown on this pattern's page, its own first, then those from also_in
    cards: list[Card] = field(default_factory=list)
    # derived: "how to tell it apart from ...", written on either of the two patterns
    tell_apart_links: list[TellApartLink] = field(default_factory=list)

    kind: ClassVar[str] = "pattern"


@dataclass(eq=False, repr=False)
class Card(Entity):
    pattern_id: str = ""
    verdict: Verdict = "works"
    sign: str = ""
    move: str = ""
    wording: list[str] = field(default_factory=list)
    why: str = ""
    instead: list[Ref] = field(default_factory=list)
    also_in: list[Ref] = field(default_factory=list)
    cautions: str | None = None
    status: Status = Status.PUBLISHED
    replaced_by: Ref | None = None
    aliases: list[Ref] = field(default_factory=list)
    # derived
    pattern: Pattern | None = None
    also_in_patterns: list[Pattern] = field(default_factory=list)
    alternatives: list[Card] = field(default_factory=list)
    replaces: list[Card] = field(default_factory=list)
    replacement: Card | None = None

    kind: ClassVar[str] = "card"

    @property
    def patterns(self) -> list[Pattern]:
        """Its own pattern first, then the patterns of ``also_in``."""
        return ([self.pattern] if self.pattern else []) + self.also_in_patterns


@dataclass
class KnowledgeBase:
    """Every pattern and card, by id, in display order, with derived links filled in."""

    patterns: dict[str, Pattern] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)
    aliases: dict[str, Card] = field(default_factory=dict)
    show_drafts: bool = False
    #: ids of files whose shape is wrong, by kind: they exist, but are not part of the site
    invalid_ids: dict[str, str] = field(default_factory=dict)
    #: those files, by kind, as far as they could be read: their text is still checked
    invalid_documents: list[tuple[str, YamlDocument]] = field(default_factory=list)

    def resolve(self, id_: str) -> Pattern | Card | None:
        """The entity an id names; a former id (alias) resolves to its card."""
        return self.patterns.get(id_) or self.cards.get(id_) or self.aliases.get(id_)

    def is_draft(self, entity: Entity) -> bool:
        """A draft pattern, a draft card, or a card whose own pattern is a draft."""
        if isinstance(entity, Card):
            own = self.patterns.get(entity.pattern_id)
            return entity.status is Status.DRAFT or (own is not None and self.is_draft(own))
        return isinstance(entity, Pattern) and entity.status is Status.DRAFT

    def is_visible(self, entity: Entity) -> bool:
        """Whether the entity has a page on the site: drafts only when drafts are shown."""
        return self.show_drafts or not self.is_draft(entity)

    def visible_patterns(self) -> list[Pattern]:
        return [pattern for pattern in self.patterns.values() if self.is_visible(pattern)]

    def visible_cards(self) -> list[Card]:
        return [card for card in self.cards.values() if self.is_visible(card)]

    def listed_cards(self, pattern: Pattern) -> list[Card]:
        """The cards a pattern's page lists: visible and not retired."""
        return [c for c in pattern.cards if self.is_visible(c) and c.status is not Status.RETIRED]
