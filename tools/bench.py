"""Benchmark: cardkb against the best plain Material for MkDocs setup, on the same text.

Why this exists: a training institute holds thousands of cards, and plain Material gets slow and
large when its navigation grows. cardkb must cost no more than the best plain Material setup on the
same content (pattern folders, ``navigation.prune``, search on) and must grow linearly. This
command generates synthetic knowledge bases (deterministic, valid against the card contract), writes
the same text as hand-written Markdown pages, builds both in one run, and prints a table for the
README with PASS/FAIL per target. It is a report, not a test: it exits 0 even when a target fails.

Then it opens both built sites cold in headless Chromium (tools/bench_browser.py): how soon the
finder answers a query compared with plain Material's search, what it loads until then, and how
quickly each later keystroke answers.

    make bench                          # 1,000 and 3,000 cards, each build twice
    .venv/bin/python tools/bench.py --sizes 1000 --repeat 1 --keep /tmp/kb --profile
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import bench_browser
import yaml

# The plain pages say what cardkb's pages say, in the same words.
from cardkb.config import DEFAULT_DISCLAIMER, Settings
from cardkb.render import SEEN_IN_HEADINGS
from cardkb.wikilinks import replace_wikilinks

REPO = Path(__file__).resolve().parents[1]
CARDS_PER_PATTERN = 20
SEED = 20261121
BIN = Path(sys.executable).parent

# The targets of the issues.
MAX_RATIO = 1.25  # cardkb build / plain Material build, at every size
MAX_GROWTH_PER_LINEAR = 1.2  # 3.6x from 1,000 to 3,000 cards: 1.2 times linear
MAX_CHECK_SHARE = 0.10  # cardkb check / cardkb build
MAX_SITE_KB_PER_CARD = 80.0
MAX_FIRST_RESULT_RATIO = 0.3  # the finder's first result / plain Material search's, opened cold
MAX_FIRST_RESULT_MB = 1.5  # bytes the finder's page loads until its first result
MAX_KEYSTROKE_P95_MS = 50.0  # each later keystroke's answer, in the browser
#: what each side's search loads before it can answer (the floor has no search, as cardkb has no
#: Material search: the same plugins as cardkb)
SEARCH_INDEX = {"cardkb": "find/index.js", "plain": "search/search_index.json"}

# -- synthetic text ------------------------------------------------------------------------------

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


# -- the synthetic knowledge base ---------------------------------------------------------------


@dataclass
class SynCard:
    id: str
    pattern: str
    title: str
    verdict: str
    sign: str
    move: str
    wording: list[str]
    why: str
    instead: list[str] = field(default_factory=list)
    also_in: list[str] = field(default_factory=list)
    related: list[tuple[str, str | None]] = field(default_factory=list)
    cautions: str | None = None
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # derived, as the link stage derives them
    replaces: list[str] = field(default_factory=list)
    related_links: list[tuple[str, str | None]] = field(default_factory=list)

    kind = "card"


@dataclass
class SynPattern:
    id: str
    title: str
    summary: str
    signs: list[tuple[str, str | None]]
    dynamics: str
    shift: str
    safety: str | None = None
    related: list[tuple[str, str | None]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    own: list[SynCard] = field(default_factory=list)
    # derived: own cards, then cards listing this pattern in also_in
    cards: list[SynCard] = field(default_factory=list)
    related_links: list[tuple[str, str | None]] = field(default_factory=list)

    kind = "pattern"


REVIEW = {"by": "cardkb benchmark", "date": datetime.date(2026, 1, 10),
          "due": datetime.date(2027, 1, 10)}


@dataclass
class Corpus:
    patterns: list[SynPattern]
    by_id: dict[str, SynPattern | SynCard] = field(default_factory=dict)

    @property
    def cards(self) -> Iterator[SynCard]:
        for pattern in self.patterns:
            yield from pattern.own

    def title(self, id_: str) -> str:
        return self.by_id[id_].title


def generate(n_cards: int, seed: int = SEED) -> Corpus:
    """A deterministic knowledge base of ``n_cards`` cards in patterns of twenty."""
    rng = random.Random(seed + n_cards)
    n_patterns = -(-n_cards // CARDS_PER_PATTERN)
    pattern_ids = [f"{rng.choice(OBJECTS).split()[-1]}-{letters(i)}" for i in range(n_patterns)]
    patterns = [_pattern(rng, pid, i, n_cards, pattern_ids) for i, pid in enumerate(pattern_ids)]
    corpus = Corpus(patterns)
    for pattern in patterns:
        corpus.by_id[pattern.id] = pattern
        for card in pattern.own:
            corpus.by_id[card.id] = card
    all_cards = list(corpus.cards)
    for pattern in patterns:
        _add_pattern_links(rng, pattern, pattern_ids)
        for card in pattern.own:
            _add_card_links(rng, card, pattern, pattern_ids, all_cards)
    _derive(corpus)
    return corpus


def _pattern(rng: random.Random, pid: str, index: int, n_cards: int,
             pattern_ids: list[str]) -> SynPattern:
    count = min(CARDS_PER_PATTERN, n_cards - index * CARDS_PER_PATTERN)
    pattern = SynPattern(
        id=pid,
        title=f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}",
        summary=f"{sentence(rng)} {sentence(rng)}",
        signs=[(sentence(rng), rng.choice([*SEEN_IN, None]))
               for _ in range(rng.randint(3, 5))],
        dynamics="", shift="",
        safety=markdown_text(rng, 1) if index % 10 == 3 else None,
        tags=rng.sample(TAGS, 3), sources=rng.sample(SOURCES, 2),
    )
    pattern.own = [_card(rng, pid, index, j) for j in range(count)]
    return pattern


def _card(rng: random.Random, pid: str, p_index: int, index: int) -> SynCard:
    verdict = "backfires" if index % 2 == 0 else "works"
    return SynCard(
        id=f"{rng.choice(IMPERATIVES).split()[0].lower()}-{rng.choice(OBJECTS).split()[-1]}-"
           f"{letters(p_index * CARDS_PER_PATTERN + index)}",
        pattern=pid,
        title=f"{rng.choice(IMPERATIVES)} {rng.choice(OBJECTS)}",
        verdict=verdict, sign=sentence(rng), move="", why="",
        wording=[f"{sentence(rng)} {sentence(rng)}" for _ in range(rng.randint(2, 3))],
        cautions=None, tags=rng.sample(TAGS, 2),
        sources=rng.sample(SOURCES, 1) if rng.random() < 0.3 else [],
    )


def _add_pattern_links(rng: random.Random, pattern: SynPattern, pattern_ids: list[str]) -> None:
    """Markdown fields with ``[[links]]`` to the pattern's own cards, and related patterns."""
    works = [c.id for c in pattern.own if c.verdict == "works"] or [pattern.own[0].id]
    pattern.dynamics = markdown_text(rng, 3, [f"[[{rng.choice(works)}]]"])
    pattern.shift = markdown_text(rng, 1, [f"[[{rng.choice(works)}]]"])
    others = [p for p in rng.sample(pattern_ids, min(3, len(pattern_ids))) if p != pattern.id]
    pattern.related = [(p, sentence(rng)) for p in others[:rng.randint(1, 2)]]


def _add_card_links(rng: random.Random, card: SynCard, pattern: SynPattern,
                    pattern_ids: list[str], all_cards: list[SynCard]) -> None:
    """``instead`` to works cards of the pattern; some links, ``related`` and ``also_in``."""
    works = [c.id for c in pattern.own if c.verdict == "works"]
    if card.verdict == "backfires":
        card.instead = rng.sample(works, min(len(works), rng.randint(1, 3)))
    move_links = [f"[[{rng.choice(pattern.own).id}]]"] if rng.random() < 0.3 else []
    why_links = [f"[[{rng.choice(pattern_ids)}|that pattern]]"] if rng.random() < 0.2 else []
    card.move = markdown_text(rng, 2, [link for link in move_links if card.id not in link])
    card.why = markdown_text(rng, 2, why_links)
    if rng.random() < 0.33:
        card.cautions = markdown_text(rng, 1)
    if rng.random() < 0.3:
        target = rng.choice(all_cards).id if rng.random() < 0.7 else rng.choice(pattern_ids)
        if target not in (card.id, card.pattern):
            card.related = [(target, sentence(rng) if rng.random() < 0.7 else None)]
    if rng.random() < 0.05 and len(pattern_ids) > 1:
        card.also_in = [rng.choice([p for p in pattern_ids if p != card.pattern])]


def _derive(corpus: Corpus) -> None:
    """Backlinks as cardkb's link stage derives them, so the plain pages carry the same text."""
    for pattern in corpus.patterns:
        pattern.cards.extend(pattern.own)
    for card in corpus.cards:
        for alt in card.instead:
            target = corpus.by_id[alt]
            assert isinstance(target, SynCard)
            target.replaces.append(card.id)
        for pid in card.also_in:
            other = corpus.by_id[pid]
            assert isinstance(other, SynPattern)
            other.cards.append(card)
    entities: list[SynPattern | SynCard] = [*corpus.patterns, *corpus.cards]
    for entity in entities:
        for target_id, why in entity.related:
            target = corpus.by_id[target_id]
            entity.related_links.append((target_id, why))
            if not any(t == entity.id for t, _ in target.related_links) and not any(
                    t == entity.id for t, _ in target.related):
                target.related_links.append((entity.id, why))
    for pattern in corpus.patterns:
        pattern.cards.sort(key=lambda c: (c.pattern != pattern.id, c.title.casefold()))


# -- mkdocs.yml: the repository's own, mirrored --------------------------------------------------


@dataclass
class Tagged:
    """A YAML value with a tag a safe loader refuses (``!!python/name:``, ``!ENV``): kept as is."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        return Tagged(node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tagged(node.tag, loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.MappingNode)
    return Tagged(node.tag, loader.construct_mapping(node, deep=True))


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Loader.add_multi_constructor("!", _construct_tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
_Dumper.add_representer(Tagged, _represent_tagged)
_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                              width=100), "utf-8")


def repo_config() -> dict[str, Any]:
    """The repository's mkdocs.yml, whatever plugins and extensions a colleague has added."""
    text = (REPO / "mkdocs.yml").read_text("utf-8")
    config = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    assert isinstance(config, dict)
    return config


NAV = [{"Home": "index.md"}, {"Sign finder": "signs/index.md"},
       {"Patterns": "patterns/index.md"}]


def site_config(base: dict[str, Any], docs_dir: str, *, hooks: bool,
                nav: list[Any]) -> dict[str, Any]:
    """The repository's configuration for a generated project: same theme, plugins, extensions.

    Paths become absolute (hooks, the theme's ``custom_dir``); ``watch`` goes (it only matters
    to ``mkdocs serve``); the plain side loses cardkb (its hooks, or its ``cardkb`` plugin) and
    nothing else.
    """
    config = {k: v for k, v in base.items() if k not in ("hooks", "watch", "nav")}
    config.update(docs_dir=docs_dir, site_dir="site", strict=True, nav=nav)
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        config["theme"] = {**theme, "custom_dir": str(REPO / theme["custom_dir"])}
    if hooks:
        config["hooks"] = [str(REPO / h) for h in base.get("hooks") or []]
    else:
        config["plugins"] = [p for p in config.get("plugins") or []
                             if (next(iter(p)) if isinstance(p, dict) else p) != "cardkb"]
        extensions = list(config.get("markdown_extensions") or [])
        names = {next(iter(e)) if isinstance(e, dict) else e for e in extensions}
        extensions += [e for e in ("admonition", "attr_list", "toc") if e not in names]
        config["markdown_extensions"] = extensions
        extra = dict(config.get("extra") or {})
        cardkb = dict(extra.get("cardkb") or {})
        cardkb.setdefault("disclaimer", DEFAULT_DISCLAIMER)
        config["extra"] = {**extra, "cardkb": cardkb}
    return config


def with_material_search(plugins: list[Any]) -> list[Any]:
    """The plugins with Material's ``search`` on: what a plain Material site searches with (cardkb
    has its own finder instead, find/)."""
    names = {next(iter(p)) if isinstance(p, dict) else p for p in plugins}
    return plugins if "search" in names else ["search", *plugins]


def copy_static_content(docs: Path, base: dict[str, Any]) -> None:
    """The repository's stylesheets, scripts and images (not its pages) into a docs folder."""
    source = REPO / str(base.get("docs_dir", "docs"))
    for file in source.rglob("*"):
        if file.is_file() and file.suffix != ".md":
            target = docs / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)


# -- the cardkb project --------------------------------------------------------------------------


def _refs(items: list[tuple[str, str | None]]) -> list[Any]:
    return [{"id": i, "why": why} if why else i for i, why in items]


def card_yaml(card: SynCard) -> dict[str, Any]:
    data: dict[str, Any] = {"title": card.title, "verdict": card.verdict, "sign": card.sign,
                            "move": card.move, "wording": card.wording, "why": card.why}
    optional = {"instead": card.instead, "also_in": card.also_in,
                "related": _refs(card.related), "cautions": card.cautions, "tags": card.tags,
                "sources": card.sources, "review": REVIEW}
    data.update({k: v for k, v in optional.items() if v})
    return data


def pattern_yaml(pattern: SynPattern) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": pattern.title, "summary": pattern.summary,
        "signs": [{"text": t, "seen_in": s} if s else t for t, s in pattern.signs],
        "dynamics": pattern.dynamics, "shift": pattern.shift,
    }
    optional = {"safety": pattern.safety, "related": _refs(pattern.related),
                "tags": pattern.tags, "sources": pattern.sources, "review": REVIEW}
    data.update({k: v for k, v in optional.items() if v})
    return data


def home_page(corpus: Corpus, link: Callable[[str, str | None], str], pattern_list: str) -> str:
    """The home page: a few links into the cards, and the list of patterns."""
    first = corpus.patterns[0]
    return (f"# Knowledge base\n\nStart with {link(first.id, None)} or with the card "
            f"{link(first.own[0].id, 'that most people need first')}.\n\n{pattern_list}\n")


def write_cardkb_project(root: Path, corpus: Corpus, base: dict[str, Any]) -> Path:
    """A cardkb project: ``cards/`` in YAML, a small ``content/`` and the repository's config."""
    shutil.rmtree(root, ignore_errors=True)
    for pattern in corpus.patterns:
        dump_yaml(pattern_yaml(pattern), root / "cards" / pattern.id / "pattern.yml")
        for card in pattern.own:
            dump_yaml(card_yaml(card), root / "cards" / pattern.id / f"{card.id}.yml")
    content = root / "content"
    copy_static_content(content, base)
    home = home_page(corpus, lambda i, text: f"[[{i}|{text}]]" if text else f"[[{i}]]",
                     "<!-- cardkb:patterns -->")
    (content / "index.md").write_text(home, "utf-8")
    config = site_config(base, "content", hooks=True, nav=NAV)
    dump_yaml(config, root / "mkdocs.yml")
    return root / "mkdocs.yml"


# -- the same text as hand-written Markdown for plain Material -----------------------------------
#
# Pattern folders: ``patterns/<pattern-id>/index.md`` is the pattern, and its cards sit beside it
# as ``patterns/<pattern-id>/<card-id>.md`` (folders of twenty, as in the best plain
# setup). The navigation is the same tree cardkb builds: Patterns > pattern sections > cards.


class PlainSite:
    """Paths and links of the plain Markdown pages."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def src(self, id_: str) -> str:
        entity = self.corpus.by_id[id_]
        if isinstance(entity, SynPattern):
            return f"patterns/{id_}/index.md"
        return f"patterns/{entity.pattern}/{id_}.md"

    def card(self, id_: str) -> SynCard:
        entity = self.corpus.by_id[id_]
        assert isinstance(entity, SynCard)
        return entity

    def link(self, id_: str, text: str | None, from_dir: str, anchor: str = "") -> str:
        """A Markdown link from a page in ``from_dir`` (``""`` or ``patterns/x``)."""
        href = os.path.relpath(self.src(id_), from_dir or ".")
        title = text or self.corpus.title(id_)
        return f"[{title}]({href}{'#' + anchor if anchor else ''})"

    def wikilinks(self, text: str, from_dir: str) -> str:
        """``[[id]]`` and ``[[id|text]]`` written out as the Markdown links a person would write."""
        return replace_wikilinks(text, lambda link: self.link(link.target, link.text, from_dir))


def _front_matter(title: str, description: str) -> str:
    """Front matter as cardkb writes it (JSON strings are YAML strings)."""
    return f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n---\n\n"


def _admonition(kind: str, title: str, text: str) -> str:
    body = "\n".join(f"    {line}" if line else "" for line in text.strip().split("\n"))
    return f'!!! {kind} "{title}"\n\n{body}\n\n'


def _footer(site: PlainSite, entity: SynPattern | SynCard, here: str) -> str:
    parts = []
    if entity.related_links:
        items = "\n".join(
            f"- {site.link(t, None, here)} *{site.corpus.by_id[t].kind}*" + (f": {w}" if w else "")
            for t, w in entity.related_links)
        parts.append(f"## Related {{#related}}\n\n{items}\n\n")
    if entity.sources:
        parts.append("## Sources {#sources}\n\n" + "\n".join(f"- {s}" for s in entity.sources)
                     + "\n\n")
    review = (f"Reviewed by {REVIEW['by']} on {REVIEW['date']}; next review due {REVIEW['due']}.")
    parts.append(f"Tags: {' '.join(entity.tags)}\n\n{review}\n")
    return "".join(parts)


def plain_card(site: PlainSite, card: SynCard) -> str:
    """A card page: the headings and text cardkb writes, as ordinary Markdown."""
    here = f"patterns/{card.pattern}"
    verdict = "Backfires" if card.verdict == "backfires" else "Works"
    patterns = [card.pattern, *card.also_in]
    out = [_front_matter(card.title, card.sign), f"# {card.title}\n\n"]
    for pid in patterns:
        p = site.corpus.by_id[pid]
        if isinstance(p, SynPattern) and p.safety:
            out.append(_admonition("danger", f"Safety: {p.title}", site.wikilinks(p.safety, here)))
    trail = " · ".join(site.link(p, None, here, card.id) for p in patterns)
    out.append(f"**{verdict}** · {trail}\n\n")
    out.append(f"## The sign {{#sign}}\n\n{card.sign}\n\n")
    out.append(f"## The move {{#move}}\n\n{site.wikilinks(card.move, here)}\n")
    out.append("## How it sounds {#wording}\n\n" + "".join(f"> {w}\n\n" for w in card.wording))
    why = "Why it backfires" if card.verdict == "backfires" else "Why it works"
    out.append(f"## {why} {{#why}}\n\n{site.wikilinks(card.why, here)}\n")
    if card.cautions:
        out.append("## Cautions {#cautions}\n\n"
                   + _admonition("warning", "", site.wikilinks(card.cautions, here)))
    if card.instead:
        out.append("## What to do instead {#instead}\n\n" + "".join(
            f"- {site.link(a, None, here)}: {site.card(a).sign}\n"
            for a in card.instead) + "\n")
    if card.replaces:
        out.append("## Use instead of {#instead-of}\n\n" + "".join(
            f"- {site.link(r, None, here)} *backfires*\n" for r in card.replaces) + "\n")
    if card.also_in:
        out.append("## Also in {#also-in}\n\n" + "".join(
            f"- {site.link(p, None, here, card.id)}\n" for p in card.also_in) + "\n")
    return "".join(out) + _footer(site, card, here)


def _card_block(site: PlainSite, card: SynCard, pattern: SynPattern, here: str) -> str:
    """A card as its pattern page shows it (templates/_card_block.html.j2: no move, since the
    card's own page has it)."""
    verdict = "Backfires" if card.verdict == "backfires" else "Works"
    origin = "" if card.pattern == pattern.id else f" · from {site.link(card.pattern, None, here)}"
    why = "Why it backfires" if card.verdict == "backfires" else "Why it works"
    out = [f"### {card.title} {{#{card.id}}}\n\n**{verdict}**{origin}\n\n",
           f"*The sign:* {card.sign}\n\n",
           "".join(f"> {w}\n\n" for w in card.wording),
           f"*{why}*\n\n{site.wikilinks(card.why, here)}\n"]
    if card.instead:
        out.append("*Instead:* " + ", ".join(site.link(a, None, here) for a in card.instead)
                   + "\n\n")
    out.append(f"{site.link(card.id, 'Open the card: ' + card.title, here)}\n\n")
    return "".join(out)


def plain_pattern(site: PlainSite, pattern: SynPattern) -> str:
    """A pattern page with every card block, as cardkb's pattern page has."""
    here = f"patterns/{pattern.id}"
    out = [_front_matter(pattern.title, pattern.summary), f"# {pattern.title}\n\n"]
    if pattern.safety:
        out.append(_admonition("danger", "Safety", site.wikilinks(pattern.safety, here)))
    out.append(f"{pattern.summary}\n\n## Signs {{#signs}}\n\n")
    out.append("".join(f"- {t}" + (f" *{s}*" if s else "") + "\n" for t, s in pattern.signs))
    out.append(f"\n## What is going on {{#dynamics}}\n\n{site.wikilinks(pattern.dynamics, here)}\n")
    out.append(f"## The shift that helps {{#shift}}\n\n{site.wikilinks(pattern.shift, here)}\n")
    for verdict, heading in (("backfires", "What backfires"), ("works", "What works")):
        cards = [c for c in pattern.cards if c.verdict == verdict]
        if cards:
            out.append(f"## {heading} {{#{verdict}}}\n\n")
            out += [_card_block(site, c, pattern, here) for c in cards]
    return "".join(out) + _footer(site, pattern, here)


def plain_pattern_list(site: PlainSite, from_dir: str) -> str:
    return "".join(f"- {site.link(p.id, None, from_dir)}" + (" *safety*" if p.safety else "")
                   + f"<br>{p.summary}\n" for p in site.corpus.patterns)


def plain_signs(site: PlainSite) -> str:
    """The sign finder: every pattern sign by where it shows, then every card's cue."""
    groups: dict[str | None, list[tuple[str, SynPattern]]] = {k: [] for k in SEEN_IN_HEADINGS}
    for pattern in site.corpus.patterns:
        for text, seen_in in pattern.signs:
            groups[seen_in].append((text, pattern))
    out = ["---\ntitle: Sign finder\n---\n\n# Sign finder\n\nWhat are you noticing? Every sign "
           "of every pattern, grouped by where it shows. Each leads to its pattern.\n\n"]
    for key, signs in groups.items():
        if signs:
            out.append(f"## {SEEN_IN_HEADINGS[key]}\n\n" + "".join(
                f"- {site.link(p.id, t, 'signs', 'signs')} {p.title}\n"
                for t, p in sorted(signs, key=lambda s: s[0].casefold())) + "\n")
    cues = sorted(site.corpus.cards, key=lambda c: c.sign.casefold())
    out.append("## Cues that prompt a move {#cues}\n\n" + "".join(
        f"- {site.link(c.id, c.sign, 'signs')} {c.title} ({c.verdict})\n" for c in cues))
    return "".join(out)


def plain_nav(corpus: Corpus, site: PlainSite) -> list[Any]:
    sections = [{p.title: [site.src(p.id), *({c.title: site.src(c.id)} for c in p.own)]}
                for p in corpus.patterns]
    return [*NAV[:2], {"Patterns": ["patterns/index.md", *sections]}]


def cardkb_nav(corpus: Corpus, site: PlainSite, base: dict[str, Any]) -> list[Any]:
    """The navigation cardkb gives the same content: every pattern and its cards up to
    ``nav_max_patterns`` patterns, beyond that the Patterns page alone (see mkdocs_hooks.py)."""
    settings = (base.get("extra") or {}).get("cardkb") or {}
    if len(corpus.patterns) <= int(settings.get("nav_max_patterns", Settings.nav_max_patterns)):
        return plain_nav(corpus, site)
    return NAV


def write_plain_project(root: Path, corpus: Corpus, base: dict[str, Any], *,
                        same_nav_as_cardkb: bool = False) -> Path:
    """The same text as hand-written Markdown, with the same theme and plugins and no hooks.

    The navigation is every pattern and its cards, as a person would write it for Material with
    ``navigation.prune``; or, with ``same_nav_as_cardkb``, the one cardkb builds, so that the
    comparison shows what cardkb costs beyond MkDocs itself (the floor).
    """
    shutil.rmtree(root, ignore_errors=True)
    site, docs = PlainSite(corpus), root / "docs"
    copy_static_content(docs, base)
    pages = {
        "index.md": home_page(corpus, lambda i, t: site.link(i, t, ""),
                              plain_pattern_list(site, "")),
        "signs/index.md": plain_signs(site),
        "patterns/index.md": "---\ntitle: Patterns\nsearch:\n  exclude: true\n---\n\n"
                             "# Patterns\n\n" + plain_pattern_list(site, "patterns"),
    }
    for pattern in corpus.patterns:
        pages[site.src(pattern.id)] = plain_pattern(site, pattern)
        for card in pattern.own:
            pages[site.src(card.id)] = plain_card(site, card)
    for src, text in pages.items():
        (docs / src).parent.mkdir(parents=True, exist_ok=True)
        (docs / src).write_text(text, "utf-8")
    nav = cardkb_nav(corpus, site, base) if same_nav_as_cardkb else plain_nav(corpus, site)
    config = site_config(base, "docs", hooks=False, nav=nav)
    if not same_nav_as_cardkb:
        config["plugins"] = with_material_search(config.get("plugins") or [])
    dump_yaml(config, root / "mkdocs.yml")
    return root / "mkdocs.yml"


# -- measuring -----------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float  # wall-clock
    cpu: float  # user + system seconds: what other work on a shared machine cannot inflate as much
    peak_mb: float


def _env() -> dict[str, str]:
    """The subprocess environment: the repository's ``cardkb`` first, MkDocs 2 notice off."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "hooks"),
                                                      env.get("PYTHONPATH")]))
    return env


def _tool(name: str, module: str) -> list[str]:
    script = BIN / name
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


def timed(command: list[str], log: Path) -> Run:
    """Wall-clock seconds and peak memory (resident set) of one command; stop on failure."""
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=_env())
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed ({process.returncode}):\n"
                 + log.read_text("utf-8", "replace")[-4000:])
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def build(config: Path) -> Run:
    """One ``mkdocs build`` from an empty site folder, so neither side pays for cleaning up."""
    shutil.rmtree(config.parent / "site", ignore_errors=True)
    return timed([*_tool("mkdocs", "mkdocs"), "build", "-q", "-f", str(config)],
                 config.parent / "build.log")


def check(config: Path) -> Run:
    """``cardkb check`` on the project, as a pre-commit hook runs it."""
    return timed([*_tool("cardkb", "cardkb.cli"), "-f", str(config), "check"],
                 config.parent / "check.log")


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


@dataclass
class Side:
    build: Run
    site_bytes: int
    index_bytes: int


@dataclass
class Result:
    cards: int
    cardkb: Side
    plain: Side
    floor: Side  # plain Material with cardkb's own navigation: what MkDocs alone costs
    check: Run
    browser: bench_browser.Reading

    @property
    def ratio(self) -> float:
        return self.cardkb.build.seconds / self.plain.build.seconds

    @property
    def floor_ratio(self) -> float:
        return self.cardkb.build.seconds / self.floor.build.seconds

    @property
    def cpu_ratio(self) -> float:
        return self.cardkb.build.cpu / self.plain.build.cpu

    @property
    def check_share(self) -> float:
        return self.check.seconds / self.cardkb.build.seconds

    def kb_per_card(self, side: Side, index: bool = False) -> float:
        return (side.index_bytes if index else side.site_bytes) / 1024 / self.cards


def best_of(runs: list[Run]) -> Run:
    """The fastest run (noise only ever adds time), with the highest peak memory seen."""
    return Run(min(r.seconds for r in runs), min(r.cpu for r in runs),
               max(r.peak_mb for r in runs))


SIDES = ("cardkb", "plain", "floor")


def measure(n_cards: int, root: Path, repeat: int, base: dict[str, Any]) -> Result:
    """Generate the three projects for one size and build each ``repeat`` times, in turn
    (A/B/C, then C/B/A), so that a slow spell of the machine does not fall on one side only."""
    corpus = generate(n_cards)
    configs = {"cardkb": write_cardkb_project(root / f"cardkb-{n_cards}", corpus, base),
               "plain": write_plain_project(root / f"plain-{n_cards}", corpus, base),
               "floor": write_plain_project(root / f"floor-{n_cards}", corpus, base,
                                            same_nav_as_cardkb=True)}
    runs: dict[str, list[Run]] = {side: [] for side in SIDES}
    for attempt in range(repeat):
        order = SIDES if attempt % 2 == 0 else SIDES[::-1]
        for side in order:
            runs[side].append(build(configs[side]))
            last = runs[side][-1]
            print(f"  {n_cards} cards, {side} build {attempt + 1}: {last.seconds:.1f} s "
                  f"(CPU {last.cpu:.1f} s), {last.peak_mb:.0f} MB", flush=True)
    checks = [check(configs["cardkb"]) for _ in range(repeat)]
    sites = {name: config.parent / "site" for name, config in configs.items()}
    sides = {name: Side(best_of(runs[name]), folder_bytes(site),
                        (site / SEARCH_INDEX[name]).stat().st_size if name in SEARCH_INDEX else 0)
             for name, site in sites.items()}
    reading = bench_browser.read(sites["cardkb"], sites["plain"], repeat)
    print(f"  {n_cards} cards, first result: cardkb {reading.cardkb.ms:.0f} ms, plain Material "
          f"{reading.plain.ms:.0f} ms; keystrokes p95 {reading.keystroke_p95:.1f} ms", flush=True)
    return Result(n_cards, sides["cardkb"], sides["plain"], sides["floor"], best_of(checks),
                  reading)


# -- the report ----------------------------------------------------------------------------------


def machine() -> list[str]:
    """What the numbers were measured on: they mean little without it."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((line.split()[1] for line in _read("/proc/meminfo").splitlines()
                if line.startswith("MemTotal")), "")
    memory = f", {int(mem) / 1024 / 1024:.0f} GB memory" if mem else ""
    versions = ", ".join(f"{name} {_version(name)}"
                         for name in ("mkdocs", "mkdocs-material", "Markdown", "Jinja2"))
    return [f"CPU: {cpu}, {os.cpu_count()} cores{memory}",
            f"System: {platform.platform()}",
            f"Python {platform.python_version()}, {versions}"]


def _read(path: str) -> str:
    try:
        return Path(path).read_text("utf-8", "replace")
    except OSError:
        return ""


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def table(results: list[Result]) -> list[str]:
    """Build seconds are the fastest of the repeats; "floor" is plain Material with cardkb's
    navigation, the same pages and plugins: what MkDocs and Material cost without cardkb."""
    lines = [
        "| cards | cardkb build s | plain Material s | ratio | floor s | ratio to floor "
        "| cardkb check s | check / build | site KB per card (cardkb, plain, floor) "
        "| search index KB per card (cardkb, plain) | peak MB (cardkb, plain) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.cards:,} | {r.cardkb.build.seconds:.1f} | {r.plain.build.seconds:.1f} "
            f"| {r.ratio:.2f} | {r.floor.build.seconds:.1f} | {r.floor_ratio:.2f} "
            f"| {r.check.seconds:.2f} | {r.check_share:.3f} "
            f"| {r.kb_per_card(r.cardkb):.1f}, {r.kb_per_card(r.plain):.1f}, "
            f"{r.kb_per_card(r.floor):.1f} "
            f"| {r.kb_per_card(r.cardkb, True):.1f}, {r.kb_per_card(r.plain, True):.1f} "
            f"| {r.cardkb.build.peak_mb:.0f}, {r.plain.build.peak_mb:.0f} |")
    return lines


def browser_table(results: list[Result]) -> list[str]:
    """The reader's side: opened cold, the fastest opening of each side counts."""
    lines = [
        "| cards | finder first result ms | plain Material search first result ms | ratio "
        "| finder MB until then | finder index KB per card | keystroke p95 ms (max) "
        "| complete ranking ms | first part indexed ms | rest indexed ms | model decoded ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r.browser
        lines.append(
            f"| {r.cards:,} | {b.cardkb.ms:.0f} | {b.plain.ms:.0f} | {b.ratio:.3f} "
            f"| {b.cardkb.bytes / 1e6:.2f} | {r.kb_per_card(r.cardkb, True):.2f} "
            f"| {b.keystroke_p95:.1f} ({max(b.keystrokes_ms):.1f}) | {b.meaning_ms:.0f} "
            f"| {b.index_build_ms:.0f} | {b.more_index_ms:.0f} | {b.model_decode_ms:.0f} |")
    return lines


def verdicts(results: list[Result]) -> list[str]:
    """PASS or FAIL for each target of the issue."""
    def mark(ok: bool) -> str:
        return "PASS" if ok else "FAIL <<<"

    lines = []
    for r in results:
        lines.append(f"{mark(r.ratio <= MAX_RATIO)}  {r.cards:,} cards: cardkb build / plain "
                     f"Material build = {r.ratio:.2f} (target <= {MAX_RATIO}; "
                     f"in CPU time {r.cpu_ratio:.2f})")
        lines.append(f"info  {r.cards:,} cards: cardkb build / the floor (plain Material with "
                     f"cardkb's navigation) = {r.floor_ratio:.2f}")
    small, large = results[0], results[-1]
    if large.cards > small.cards:
        scale = large.cards / small.cards
        target = MAX_GROWTH_PER_LINEAR * scale
        grow_kb = large.cardkb.build.seconds / small.cardkb.build.seconds
        grow_plain = large.plain.build.seconds / small.plain.build.seconds
        grow_floor = large.floor.build.seconds / small.floor.build.seconds
        grow_cpu = large.cardkb.build.cpu / small.cardkb.build.cpu
        lines.append(f"{mark(grow_kb <= target)}  growth {small.cards:,} -> {large.cards:,} cards: "
                     f"cardkb x{grow_kb:.2f} (CPU x{grow_cpu:.2f}), plain Material "
                     f"x{grow_plain:.2f}, floor x{grow_floor:.2f} (linear x{scale:.1f}, "
                     f"target <= x{target:.1f})")
    for r in results:
        lines.append(f"{mark(r.check_share < MAX_CHECK_SHARE)}  {r.cards:,} cards: cardkb check "
                     f"= {r.check_share:.3f} of the build (target < {MAX_CHECK_SHARE})")
        kb = r.kb_per_card(r.cardkb)
        lines.append(f"{mark(kb < MAX_SITE_KB_PER_CARD)}  {r.cards:,} cards: site {kb:.1f} KB "
                     f"per card (target < {MAX_SITE_KB_PER_CARD:.0f})")
    for r in results:
        b = r.browser
        lines.append(f"{mark(b.ratio <= MAX_FIRST_RESULT_RATIO)}  {r.cards:,} cards, opened cold: "
                     f"the finder's first result / plain Material search's = {b.ratio:.3f} "
                     f"({b.cardkb.ms:.0f} / {b.plain.ms:.0f} ms; target <= "
                     f"{MAX_FIRST_RESULT_RATIO})")
        mb = b.cardkb.bytes / 1e6
        lines.append(f"{mark(mb <= MAX_FIRST_RESULT_MB)}  {r.cards:,} cards: {mb:.2f} MB loaded "
                     f"until the finder's first result (target <= {MAX_FIRST_RESULT_MB})")
        p95 = b.keystroke_p95
        lines.append(f"{mark(p95 < MAX_KEYSTROKE_P95_MS)}  {r.cards:,} cards: each keystroke "
                     f"after the first result answers in {p95:.1f} ms at p95, "
                     f"{len(b.keystrokes_ms)} keystrokes (target < {MAX_KEYSTROKE_P95_MS:.0f})")
    return lines


def profile(config: Path, top: int = 25) -> None:
    """One cardkb build under cProfile: where the time goes, by cumulative and by own time."""
    shutil.rmtree(config.parent / "site", ignore_errors=True)
    out = config.parent / "build.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "-q",
               "-f", str(config)]
    timed(command, config.parent / "profile.log")
    for order in ("cumulative", "tottime"):
        print(f"\n### cProfile of one cardkb build ({config.parent.name}), top {top} by {order}\n")
        stats = pstats.Stats(str(out), stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(top)
    print(f"\n### cardkb's own functions (hooks/), top {top} by cumulative\n")
    pstats.Stats(str(out), stream=sys.stdout).sort_stats("cumulative").print_stats(
        str(REPO / "hooks"), top)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1000,3000"],
                        help="numbers of cards, separated by commas or spaces "
                             "(default: 1000,3000)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="builds per side and size; the fastest counts (default: 2)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate the projects in DIR and keep them")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one cardkb build (the largest size) with cProfile")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(s) for item in args.sizes for s in item.split(",") if s.strip()})
    except ValueError:
        parser.error("sizes are numbers of cards, such as --sizes 1000 3000")
    if not args.sizes or min(args.sizes) < CARDS_PER_PATTERN or args.repeat < 1:
        parser.error(f"sizes must be at least {CARDS_PER_PATTERN} cards, repeat at least 1")
    return args


def run(args: argparse.Namespace, root: Path) -> None:
    base = repo_config()
    print(f"bench: generating and building in {root}", flush=True)
    results = [measure(n, root, args.repeat, base) for n in args.sizes]
    print("\n## Results\n")
    print(*machine(), sep="\n")
    plugins = [next(iter(p)) if isinstance(p, dict) else p for p in base.get("plugins") or []]
    print(f"Plugins on every side: {', '.join(map(str, plugins)) or 'none'}; builds per side: "
          f"{args.repeat}, fastest counts\n")
    print(*table(results), sep="\n")
    print()
    print(*browser_table(results), sep="\n")
    print()
    print(*verdicts(results), sep="\n")
    print(f"\nRepeat with: make bench   (or: {Path(sys.executable).name} tools/bench.py "
          f"--sizes {','.join(map(str, args.sizes))} --repeat {args.repeat})")
    if args.profile:
        profile(root / f"cardkb-{args.sizes[-1]}" / "mkdocs.yml")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args, args.keep.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="cardkb-bench-") as tmp:
            run(args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
