"""Stage 3, link: one namespace of ids, every reference checked, every backlink derived.

Patterns and cards share one namespace because both can be linked by id; a card's former ids
(``aliases``) live in it too. References are checked for existence *and* kind (``instead`` names
cards that work, ``also_in`` names patterns), and the derived links (use instead of, also in,
related on both ends) are filled in here, once per build, in time linear in the number of links.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .fields import FieldKind, fields_of_kind
from .load import SourceFile
from .model import (
    ID_PATTERN,
    Card,
    Entity,
    KnowledgeBase,
    Pattern,
    Ref,
    RelatedLink,
    Status,
    TellApartLink,
)
from .problems import Location, Problems, did_you_mean
from .validate import ValidatedFiles
from .wikilinks import RAW_TOKENS, StrayBrackets, WikiLink, scan_wikilinks
from .yaml_source import JsonPath, YamlDocument

_REFERENCES = (FieldKind.CARD_REF, FieldKind.PATTERN_REF, FieldKind.REF)


@dataclass(frozen=True)
class _Referrer:
    """The file a reference is written in: a pattern or card, or a file with shape problems."""

    id: str
    kind: str
    document: YamlDocument
    draft: bool

    @classmethod
    def of(cls, entity: Entity, kb: KnowledgeBase) -> _Referrer:
        return cls(entity.id, entity.kind, entity.document, kb.is_draft(entity))
#: what may follow '#' in an embed: ``![[card-id#wording]]`` shows every wording of the card
EMBED_SECTIONS = ("wording",)


def link(files: ValidatedFiles, problems: Problems, *, show_drafts: bool = False) -> KnowledgeBase:
    kb = KnowledgeBase(show_drafts=show_drafts)
    kb.invalid_ids = {source.id: source.kind for source in files.invalid}
    kb.invalid_documents = [(source.kind, source.document) for source in files.invalid
                            if source.document is not None]
    _register(files, kb, problems)
    for card in kb.cards.values():
        _link_card(card, kb, problems)
    for pattern in kb.patterns.values():
        for ref in pattern.related:
            _relate(pattern, ref, kb, problems, patterns_only=True)
        for ref in pattern.tell_apart:
            _tell_apart(pattern, ref, kb, problems)
    for entity in [*kb.patterns.values(), *kb.cards.values()]:
        for path, text in markdown_fields(entity):
            check_markdown_links(text, kb, problems, referrer=entity,
                                 locate=FieldLocator(entity.document, path))
    for source in files.invalid:
        _check_what_can_be_read(source, kb, problems)
    for pattern in kb.patterns.values():
        pattern.cards.sort(key=lambda c: (c.pattern is not pattern, c.title.casefold()))
    return kb


def markdown_fields(entity: Entity) -> list[tuple[JsonPath, str]]:
    """Every Markdown field of a pattern or card, with its path in the file (from the schema)."""
    document, kind = entity.document, entity.kind
    return document.derived("markdown fields", lambda _: [
        (path, text) for path, text, _kind in
        fields_of_kind(document.data, kind, FieldKind.MARKDOWN)], Problems())


def _check_what_can_be_read(source: SourceFile, kb: KnowledgeBase, problems: Problems) -> None:
    """The references and links of a file with shape problems, as far as they can be read.

    A misspelled field must not hide a wrong id three lines below it: the author should see
    every problem of a file in one run.
    """
    document = source.document
    if document is None or not isinstance(document.data, dict):
        return
    data = document.data
    own_pattern = kb.patterns.get(source.pattern_id)
    draft = data.get("status") == "draft" or (
        source.kind == "card" and own_pattern is not None and kb.is_draft(own_pattern))
    referrer = _Referrer(source.id, source.kind, document, draft)
    for path, value, kind in fields_of_kind(data, source.kind, FieldKind.MARKDOWN, *_REFERENCES):
        if kind is FieldKind.MARKDOWN:
            check_markdown_links(value, kb, problems, referrer=None, from_draft=draft,
                                 locate=FieldLocator(document, path))
            continue
        if not ID_PATTERN.match(value):
            continue  # not an id at all: the shape check has said so
        ref, field = Ref(value, None, path), str(path[0])
        if field == "instead":
            _resolve_alternative(referrer, ref, kb, problems)
        elif kind is FieldKind.CARD_REF:
            _resolve_card(referrer, ref, field, kb, problems)
        else:
            _resolve(referrer, ref, field, kb, problems, want=kind.wants)


def _register(files: ValidatedFiles, kb: KnowledgeBase, problems: Problems) -> None:
    owners: dict[str, list[Location]] = defaultdict(list)
    for entity in [*files.patterns, *files.cards]:
        owners[entity.id].append(Location(entity.source_path))
    for source in files.invalid:
        if source.document is not None:
            owners[source.id].append(Location(source.document.path))
    for card in files.cards:
        for alias in card.aliases:
            owners[alias.id].append(card.document.value_location(alias.path))
    for id_, places in owners.items():
        for place in places if len(places) > 1 else []:
            others = ", ".join(p.path for p in places if p != place)
            problems.error(place, f"the id '{id_}' is used more than once (also in {others}); "
                           "ids of patterns, cards and aliases must all be different")
    for pattern in sorted(files.patterns, key=lambda p: p.title.casefold()):
        kb.patterns.setdefault(pattern.id, pattern)
    for card in sorted(files.cards, key=lambda c: c.title.casefold()):
        kb.cards.setdefault(card.id, card)
        for alias in card.aliases:
            kb.aliases.setdefault(alias.id, card)


def _link_card(card: Card, kb: KnowledgeBase, problems: Problems) -> None:
    card.pattern = kb.patterns.get(card.pattern_id)
    if card.pattern:
        card.pattern.cards.append(card)
    referrer = _Referrer.of(card, kb)
    for ref in card.instead:
        alternative = _resolve_alternative(referrer, ref, kb, problems)
        if alternative is not None:
            card.alternatives.append(alternative)
            alternative.replaces.append(card)
    for ref in card.also_in:
        pattern = _resolve(referrer, ref, "also_in", kb, problems, want="pattern")
        if pattern is card.pattern:
            problems.error(_at(card, ref), f"also_in: '{ref.id}' is this card's own pattern; "
                           "list only other patterns")
        elif isinstance(pattern, Pattern):
            card.also_in_patterns.append(pattern)
            pattern.cards.append(card)
    for ref in card.related:
        _relate(card, ref, kb, problems, patterns_only=False)
    if card.replaced_by:
        card.replacement = _resolve_card(referrer, card.replaced_by, "replaced_by", kb, problems)


def _resolve_alternative(referrer: _Referrer, ref: Ref, kb: KnowledgeBase,
                         problems: Problems) -> Card | None:
    """A card named in ``instead``: it must exist, be visible, and work."""
    alternative = _resolve_card(referrer, ref, "instead", kb, problems)
    if alternative is not None and alternative.verdict != "works":
        problems.error(referrer.document.value_location(ref.path),
                       f"instead: '{ref.id}' backfires too; 'instead' names cards that work"
                       + _suggest(ref.id, _works_ids(kb)))
        return None
    return alternative


def _resolve_card(referrer: _Referrer, ref: Ref, field: str, kb: KnowledgeBase,
                  problems: Problems) -> Card | None:
    target = _resolve(referrer, ref, field, kb, problems, want="card")
    if not isinstance(target, Card):
        return None
    if target.status is Status.RETIRED:
        replacement = f": use '{target.replaced_by.id}'" if target.replaced_by else ""
        problems.error(referrer.document.value_location(ref.path),
                       f"{field}: '{ref.id}' is retired{replacement}")
        return None
    return target


def _resolve(referrer: _Referrer, ref: Ref, field: str, kb: KnowledgeBase, problems: Problems,
             *, want: str | None) -> Entity | None:
    """The entity a reference names, checked for existence, kind and visibility."""
    location = referrer.document.value_location(ref.path)
    target = kb.resolve(ref.id)
    kinds: dict[str, dict[str, Any]] = {"pattern": kb.patterns, "card": kb.cards}
    what = want or "card or pattern"
    if target is None and kb.invalid_ids.get(ref.id) in (want, *([] if want else kinds)):
        return None  # that file has problems of its own, already reported
    if target is None:
        candidates = kinds[want] if want else [*kb.patterns, *kb.cards]
        hint = _suggest(ref.id, candidates)
        problems.error(location, f"{field}: '{ref.id}' is not a {what}{hint}")
        return None
    if want and target.kind != want:
        problems.error(location, f"{field}: '{ref.id}' is a {target.kind}, not a {want}"
                       + _suggest(ref.id, kinds[want]))
        return None
    if target.id == referrer.id and target.kind == referrer.kind:
        problems.error(location, f"{field}: '{ref.id}' is this {referrer.kind} itself")
        return None
    if not (referrer.draft or kb.is_visible(target)):
        problems.error(location, f"{field}: '{ref.id}' is a draft, and drafts are hidden: publish "
                       "it, or set 'show_drafts: true' under extra: cardkb: in mkdocs.yml")
        return None
    return target


def _relate(entity: Entity, ref: Ref, kb: KnowledgeBase, problems: Problems, *,
            patterns_only: bool) -> None:
    target = _resolve(_Referrer.of(entity, kb), ref, "related", kb, problems,
                      want="pattern" if patterns_only else None)
    if target is None:
        return
    entity.related_links.append(RelatedLink(target, ref.why))
    if not any(link.target is entity for link in target.related_links) and not any(
            r.id == entity.id for r in target.related):
        target.related_links.append(RelatedLink(entity, ref.why))


def _tell_apart(pattern: Pattern, ref: Ref, kb: KnowledgeBase, problems: Problems) -> None:
    """Shown on both patterns' pages, unless the other pattern says it in its own words."""
    target = _resolve(_Referrer.of(pattern, kb), ref, "tell_apart", kb, problems, want="pattern")
    if not isinstance(target, Pattern):
        return
    if any(link.target is target for link in pattern.tell_apart_links):
        problems.error(pattern.document.value_location(ref.path),
                       f"tell_apart: '{ref.id}' is listed twice; keep one of them")
        return
    pattern.tell_apart_links.append(TellApartLink(target, ref.why or ""))
    if not any(other.id == pattern.id for other in target.tell_apart):
        target.tell_apart_links.append(TellApartLink(pattern, ref.why or ""))


#: unclosed or misbracketed links reported per text; the rest are counted in one line
MAX_STRAYS = 50


def check_markdown_links(text: str, kb: KnowledgeBase, problems: Problems, *,
                         referrer: Entity | None, locate: LinkLocator,
                         embeds: bool = False,
                         from_draft: bool = False) -> list[tuple[WikiLink, Entity]]:
    """Check every ``[[link]]`` in a Markdown text; return the ones that resolve.

    A published page may not link to a page that will not exist; a draft may. Only a link with
    a problem is located in its file (``locate.mark`` is cheap, the location is worked out when
    needed), so a text of many good links costs little.
    """
    from_draft = from_draft or (referrer is not None and kb.is_draft(referrer))
    resolved: list[tuple[WikiLink, Entity]] = []
    links, strays = scan_wikilinks(text)
    misbracketed = {stray.start for stray in strays if not stray.unclosed}
    found: list[WikiLink | StrayBrackets] = [*links, *strays]
    reported_strays = 0
    for link in sorted(found, key=lambda item: (item.start, isinstance(item, WikiLink))):
        where = locate.mark(link)
        if isinstance(link, StrayBrackets):
            reported_strays += 1
            if reported_strays <= MAX_STRAYS:
                problems.error(where(), _stray_message(link))
            elif reported_strays == len(strays):
                problems.error(where(), f"and {len(strays) - MAX_STRAYS:,} more unclosed or "
                               "misbracketed links in this text, not shown")
            continue
        if link.start in misbracketed:
            continue
        target, message, is_warning = _judge(link, kb, from_draft, embeds)
        if message and is_warning:
            problems.warning(where(), message)
        elif message:
            problems.error(where(), message)
        if target is not None:
            resolved.append((link, target))
    return resolved


def _judge(link: WikiLink, kb: KnowledgeBase, from_draft: bool,
           embeds: bool) -> tuple[Entity | None, str | None, bool]:
    """A link's target (if it may be used), and what is wrong with it (and if only a warning)."""
    if link.embed and not embeds:
        return None, (f"{link.raw}: embeds work only in pages under the docs folder; write "
                      "[[...]] to link instead"), False
    if link.embed and not link.alone_on_line:
        return None, f"{link.raw}: an embed must stand on a line of its own", False
    if link.text is not None and not link.text:
        return None, f"{link.raw}: the text after '|' is empty", False
    if not link.target:
        return None, (f"{link.raw}: write an id between the brackets, such as "
                      "[[stuck-client]]"), False
    target = kb.resolve(link.target)
    if link.section is not None and target is not None and (
            link.section not in EMBED_SECTIONS or not isinstance(target, Card)):
        return None, (f"{link.raw}: after '#' an embed takes only 'wording', to show every "
                      "example wording of a card, such as "
                      "![[defend-the-therapy-process#wording]]"), False
    if target is None and link.target in kb.invalid_ids:
        return None, None, False  # that file has problems of its own, already reported
    if target is None:
        hint = _suggest(link.target, [*kb.patterns, *kb.cards])
        return None, f"{link.raw}: '{link.target}' is not a card or pattern{hint}", False
    if not (from_draft or kb.is_visible(target)):
        return None, (f"{link.raw}: '{link.target}' is a draft, and drafts are hidden: publish "
                      "it, or remove the link"), False
    if isinstance(target, Card) and target.status is Status.RETIRED:
        instead = f": link '{target.replaced_by.id}' instead" if target.replaced_by else ""
        return target, f"{link.raw}: '{link.target}' is retired{instead}", True
    return target, None, False


def _stray_message(stray: StrayBrackets) -> str:
    shown = stray.shown.strip() if len(stray.shown) <= 60 else stray.shown[:57] + "..."
    if stray.unclosed:
        return (f"{shown}: this link is not closed: end it with ]] on the same line, such as "
                "[[stuck-client]] (inside `backticks`, brackets are left as written)")
    return (f"{shown}: too many square brackets around a link: write two on each side, such as "
            "[[stuck-client]]")


class LinkLocator:
    """Where a link (or stray brackets) found in some Markdown text stands in its file."""

    def __call__(self, link: WikiLink | StrayBrackets) -> Location:  # pragma: no cover
        raise NotImplementedError

    def mark(self, link: WikiLink | StrayBrackets) -> Callable[[], Location]:
        """Note a link, in reading order; the returned function tells where it stands."""
        return lambda: self(link)


class FieldLocator(LinkLocator):
    """Links in a field of a YAML file: the n-th occurrence of the same text, in order.

    The field's source is indexed once (``RAW_TOKENS``), so a field of n links costs O(n).
    """

    def __init__(self, document: YamlDocument, path: JsonPath) -> None:
        self.document, self.path, self.seen = document, path, Counter[str]()

    def __call__(self, link: WikiLink | StrayBrackets) -> Location:
        return self.mark(link)()

    def mark(self, link: WikiLink | StrayBrackets) -> Callable[[], Location]:
        occurrence = self.seen[link.raw]
        self.seen[link.raw] += 1
        return lambda: self.document.find_in_value(self.path, link.raw, occurrence,
                                                   tokens=RAW_TOKENS)


def _at(entity: Entity, ref: Ref) -> Location:
    return entity.document.value_location(ref.path)


def _works_ids(kb: KnowledgeBase) -> list[str]:
    return [c.id for c in kb.cards.values() if c.verdict == "works"]


def _suggest(word: str, candidates: Iterable[str]) -> str:
    return did_you_mean(word, candidates)
