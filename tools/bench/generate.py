"""The synthetic knowledge base: deterministic cards and patterns, valid against the contract.

Only what an author writes is generated (``cards/<pattern>/pattern.yml`` and one file per card);
everything derived from it (backlinks, pages, navigation) is cardkb's own work, on every side of
the benchmark. The text is plausible sentences from a small vocabulary, with ``[[links]]``,
``instead``, ``related`` and ``also_in`` as real authors use them.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import dump_yaml

CARDS_PER_PATTERN = 20
SEED = 20261121

SUBJECTS = [
    "The client", "The therapist", "The session", "The work", "Your curiosity", "A small shift",
    "The alliance", "The family at home", "The old arrangement", "A long silence", "The complaint",
    "The agreed task", "The supervisor", "The client's partner", "The outcome measure",
    "A careful question", "The plan you made together", "The first minutes of the session",
]
VERBS = [
    "notices", "returns to", "avoids", "softens", "tests", "protects", "names", "reframes", "holds",
    "invites", "questions", "slows down", "leans on", "circles around", "takes over", "hands back",
    "makes room for", "keeps hidden", "quietly steers", "brings into the open",
]
OBJECTS = [
    "the same impasse", "a sense of failure", "the goals they came with", "the pace of change",
    "an unspoken fear", "the question of who does the work", "the feeling of being judged",
    "the hope that something could be different", "the effort of changing", "the last session",
    "a promise nobody can keep", "the shame under the anger", "the wish to be rescued",
    "the risk of trying and failing", "the therapist's need to help", "the small signs of progress",
    "what the client already does well", "the story they tell about themselves",
]
TAILS = [
    "before anything else can move", "when the session nears its end", "without anyone saying so",
    "because the old arrangement still does a job", "and the effort quietly moves to you",
    "while both of you pretend that nothing has changed", "in a way that is easy to miss",
    "each time the conversation gets close to the real problem", "long before it is put into words",
    "and the client feels understood for the first time", "so that the next step becomes theirs",
    "because safety has to come before any technique", "when the pressure to perform is lifted",
]
IMPERATIVES = [
    "Name", "Validate", "Slow down", "Externalise", "Reflect", "Explore", "Defend", "Push past",
    "Reassure about", "Agree with", "Argue against", "Invite", "Share", "Ask about",
    "Step back from",
]
TAGS = [
    "alliance", "stuckness", "shame", "motivational-interviewing", "solution-focused", "narrative",
    "ifs", "cbt", "act", "systemic", "measurement", "risk", "homework", "attendance", "validation",
]
SEEN_IN = ["client", "therapist", "process", "measure"]
SOURCES = [
    "Miller, W. R., & Rollnick, S. (2013). *Motivational Interviewing* (3rd ed.). Guilford Press.",
    "Safran, J. D., & Muran, J. C. (2000). *Negotiating the Therapeutic Alliance*. Guilford.",
    "White, M., & Epston, D. (1990). *Narrative Means to Therapeutic Ends*. Norton.",
    "de Shazer, S. (1988). *Clues: Investigating Solutions in Brief Therapy*. Norton.",
    "Lambert, M. J. (2010). *Prevention of Treatment Failure*. American Psychological Association.",
]
REVIEW = {"by": "cardkb benchmark", "date": datetime.date(2026, 1, 10),
          "due": datetime.date(2027, 1, 10)}


def letters(number: int) -> str:
    """A unique id part without digits (real ids are words, and digits wake the identifier lint)."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[digit] + word
        if not number:
            return word


def sentence(rng: random.Random) -> str:
    """One plausible sentence of about fifteen words."""
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def paragraph(rng: random.Random, sentences: int) -> str:
    """A paragraph; now and then one sentence is bold, as authors write."""
    parts = [sentence(rng) for _ in range(sentences)]
    if rng.random() < 0.3:
        parts[0] = f"**{parts[0]}**"
    return " ".join(parts)


def markdown_text(rng: random.Random, paragraphs: int, links: Sequence[str] = ()) -> str:
    """Markdown: paragraphs, sometimes a short list, and the given ``[[links]]`` woven in."""
    blocks = [paragraph(rng, rng.randint(2, 4)) for _ in range(paragraphs)]
    if rng.random() < 0.25:
        blocks.append("\n".join(f"- {sentence(rng)}" for _ in range(3)))
    for link in links:
        index = rng.randrange(len(blocks))
        blocks[index] += f" See {link} for the other side of this."
    return "\n\n".join(blocks) + "\n"


# -- what the author writes ----------------------------------------------------------------------


@dataclass
class CardFile:
    """One card as its YAML file holds it (nothing derived)."""

    id: str
    pattern: str
    fields: dict[str, Any]

    @property
    def verdict(self) -> str:
        return str(self.fields["verdict"])


@dataclass
class PatternFile:
    """A pattern's ``pattern.yml`` and its own cards."""

    id: str
    fields: dict[str, Any]
    cards: list[CardFile] = field(default_factory=list)


@dataclass
class KnowledgeBaseFiles:
    patterns: list[PatternFile]

    @property
    def cards(self) -> Iterator[CardFile]:
        for pattern in self.patterns:
            yield from pattern.cards

    def write(self, cards_dir: Path) -> None:
        """``cards/<pattern>/pattern.yml`` and ``cards/<pattern>/<card>.yml``."""
        for pattern in self.patterns:
            dump_yaml(pattern.fields, cards_dir / pattern.id / "pattern.yml")
            for card in pattern.cards:
                dump_yaml(card.fields, card_path(cards_dir, card))


def card_path(cards_dir: Path, card: CardFile) -> Path:
    return cards_dir / card.pattern / f"{card.id}.yml"


def generate(n_cards: int, seed: int = SEED) -> KnowledgeBaseFiles:
    """A deterministic knowledge base of ``n_cards`` cards in patterns of twenty."""
    rng = random.Random(seed + n_cards)
    n_patterns = -(-n_cards // CARDS_PER_PATTERN)
    pattern_ids = [f"{rng.choice(OBJECTS).split()[-1]}-{letters(i)}" for i in range(n_patterns)]
    patterns = [_pattern(rng, pid, i, n_cards) for i, pid in enumerate(pattern_ids)]
    all_cards = [card for pattern in patterns for card in pattern.cards]
    for pattern in patterns:
        _add_pattern_links(rng, pattern, pattern_ids)
        for card in pattern.cards:
            _add_card_links(rng, card, pattern, pattern_ids, all_cards)
    entities: list[PatternFile | CardFile] = [*patterns, *all_cards]
    for entity in entities:
        entity.fields = {k: v for k, v in entity.fields.items() if v}  # absent, never empty
        entity.fields["review"] = REVIEW
    return KnowledgeBaseFiles(patterns)


def _pattern(rng: random.Random, pid: str, index: int, n_cards: int) -> PatternFile:
    count = min(CARDS_PER_PATTERN, n_cards - index * CARDS_PER_PATTERN)
    fields: dict[str, Any] = {
        "title": f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}",
        "summary": f"{sentence(rng)} {sentence(rng)}",
    }
    signs = [(sentence(rng), rng.choice([*SEEN_IN, None])) for _ in range(rng.randint(3, 5))]
    fields["signs"] = [{"text": text, "seen_in": seen_in} if seen_in else text
                       for text, seen_in in signs]
    fields.update(dynamics="", shift="",
                  safety=markdown_text(rng, 1) if index % 10 == 3 else None,
                  related=[], tags=rng.sample(TAGS, 3), sources=rng.sample(SOURCES, 2))
    pattern = PatternFile(pid, fields)
    pattern.cards = [_card(rng, pid, index, j) for j in range(count)]
    return pattern


def _card(rng: random.Random, pid: str, p_index: int, index: int) -> CardFile:
    card_id = (f"{rng.choice(IMPERATIVES).split()[0].lower()}-{rng.choice(OBJECTS).split()[-1]}-"
               f"{letters(p_index * CARDS_PER_PATTERN + index)}")
    fields: dict[str, Any] = {"title": f"{rng.choice(IMPERATIVES)} {rng.choice(OBJECTS)}",
                              "verdict": "backfires" if index % 2 == 0 else "works"}
    fields["sign"] = sentence(rng)
    fields.update(move="", wording=[f"{sentence(rng)} {sentence(rng)}"
                                    for _ in range(rng.randint(2, 3))], why="")
    fields.update(instead=[], also_in=[], related=[], cautions=None, tags=rng.sample(TAGS, 2))
    fields["sources"] = rng.sample(SOURCES, 1) if rng.random() < 0.3 else []
    return CardFile(card_id, pid, fields)


def _add_pattern_links(rng: random.Random, pattern: PatternFile, pattern_ids: list[str]) -> None:
    """Markdown fields with ``[[links]]`` to the pattern's own cards, and related patterns."""
    works = [c.id for c in pattern.cards if c.verdict == "works"] or [pattern.cards[0].id]
    pattern.fields["dynamics"] = markdown_text(rng, 3, [f"[[{rng.choice(works)}]]"])
    pattern.fields["shift"] = markdown_text(rng, 1, [f"[[{rng.choice(works)}]]"])
    others = [p for p in rng.sample(pattern_ids, min(3, len(pattern_ids))) if p != pattern.id]
    pattern.fields["related"] = [{"id": p, "why": sentence(rng)}
                                 for p in others[:rng.randint(1, 2)]]


def _add_card_links(rng: random.Random, card: CardFile, pattern: PatternFile,
                    pattern_ids: list[str], all_cards: list[CardFile]) -> None:
    """``instead`` to works cards of the pattern; some links, ``related`` and ``also_in``."""
    fields = card.fields
    works = [c.id for c in pattern.cards if c.verdict == "works"]
    if card.verdict == "backfires":
        fields["instead"] = rng.sample(works, min(len(works), rng.randint(1, 3)))
    move_links = [f"[[{rng.choice(pattern.cards).id}]]"] if rng.random() < 0.3 else []
    why_links = [f"[[{rng.choice(pattern_ids)}|that pattern]]"] if rng.random() < 0.2 else []
    fields["move"] = markdown_text(rng, 2, [link for link in move_links if card.id not in link])
    fields["why"] = markdown_text(rng, 2, why_links)
    if rng.random() < 0.33:
        fields["cautions"] = markdown_text(rng, 1)
    if rng.random() < 0.3:
        target = rng.choice(all_cards).id if rng.random() < 0.7 else rng.choice(pattern_ids)
        if target not in (card.id, card.pattern):
            why = sentence(rng) if rng.random() < 0.7 else None
            fields["related"] = [{"id": target, "why": why} if why else target]
    if rng.random() < 0.05 and len(pattern_ids) > 1:
        fields["also_in"] = [rng.choice([p for p in pattern_ids if p != card.pattern])]
