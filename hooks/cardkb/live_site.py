"""A knowledge base kept in memory for a live preview: after a save, only the pages it changed.

A full build of 3,000 cards takes half a minute, but a save changes one file. :class:`LiveSite`
checks the project again with a :class:`ReadCache` (only changed files are parsed), then renders
only the pages that can show what changed, and keeps those whose text really differs:

- the page of each entity (or hand-written page) whose file changed;
- every page that links to it (its patterns, cards that link to it, hand-written pages): a link
  is how a page shows another entity's title or text, so such a page holds its address;
- every page it links to, before and after the save (a new ``also_in`` adds the card to that
  pattern's page; a new link adds a "linked from" to the target);
- the pages that list many entities (the sign finder, the patterns list, the editors' page),
  which any save can change; and the practice page, its data and its sheets, which gather the
  prompts of many cards (a client's sheet links to none of them).

The finder's index and the JSON export are left as they are until the next full build: they
hold every card, and rebuilding them would cost the second the preview has. A new or deleted
card or pattern adds or removes its page like any other change. A save that changes the
navigation (which every page carries) or the set of hand-written pages needs every page built
again, and :meth:`LiveSite.update` says so instead of rendering anything.

Engine-agnostic: an engine adapter builds the pages this returns.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .config import Settings
from .engine_files import prepare_site
from .finder import DATA_FILE, MORE_FILE, RISK_VECTORS_FILE, VECTORS_FILE
from .load import PATTERN_FILE
from .model import KnowledgeBase
from .navigation import NavNode, navigation_data
from .pins import read_pins
from .practice import PRACTICE_DATA_FILE, PRACTICE_FOLDER, SHEETS, sheet_folder
from .problems import Problem, Problems
from .project import check_project
from .project_files import decode_utf8, read_limited
from .read_cache import ReadCache
from .render import GeneratedPage, SiteRenderer
from .urls import UrlLayout

#: the finder's index and the export, which hold every card: refreshed by the next full build
LAGGING = frozenset({DATA_FILE, MORE_FILE, VECTORS_FILE, RISK_VECTORS_FILE, "cards.json"})
#: pages that list many entities, rendered again after every save (and kept if unchanged)
LISTS = ("signs/index.md", "patterns/index.md", "editors/index.md")
#: a link in a page's text, Markdown's or HTML's (the generated pages use both)
_LINK = re.compile(r"""(?:href=["']|\]\()([^"'()#?\s]+)""")

@dataclass(frozen=True)
class Snapshot:
    """One state of the preview: what is checked, and the text of every page built from it."""

    kb: KnowledgeBase
    renderer: SiteRenderer
    navigation: list[NavNode]
    problems: list[Problem]
    #: every generated page (the pages of files with problems included), by ``src_uri``
    pages: dict[str, str]
    #: every hand-written page with its links filled in, by ``src_uri``
    content: dict[str, str]


@dataclass(frozen=True)
class Update:
    """What one save changed."""

    snapshot: Snapshot
    #: the set of pages or the navigation changed: every page must be built again
    everything: bool = False
    #: generated pages whose text changed, or that are new, by ``src_uri``
    pages: dict[str, str] = field(default_factory=dict)
    #: generated pages that are gone (a card deleted, renamed or retired from the preview)
    removed: list[str] = field(default_factory=list)
    #: hand-written pages whose text or filled-in links changed
    content: list[str] = field(default_factory=list)
    #: how many pages were rendered to find those
    rendered: int = 0


@dataclass
class LiveSite:
    root: Path
    settings: Settings
    docs_dir: str
    layout: UrlLayout
    configured_nav: Sequence[Any] | None
    cache: ReadCache = field(default_factory=ReadCache)
    snapshot: Snapshot | None = None

    def start(self, problems: Problems) -> Snapshot:
        """Check the project and render every page (``problems`` may hold some already)."""
        kb, renderer, navigation = self._check(problems)
        pages = {uri: render().content for uri, render in self._plan(renderer).items()}
        self.snapshot = Snapshot(kb, renderer, navigation, problems.sorted(), pages,
                                 self._content(renderer))
        return self.snapshot

    def update(self, changed_files: set[str], problems: Problems | None = None) -> Update:
        """The pages that the saves of ``changed_files`` (paths relative to the project root)
        changed; the snapshot moves on to the new state."""
        old = self.snapshot
        assert old is not None, "start() first"
        problems = problems if problems is not None else Problems()
        self.cache.forget(changed_files)
        kb, renderer, navigation = self._check(problems)
        plan = self._plan(renderer)
        new_problems = problems.sorted()
        content = self._content(renderer)
        if navigation_data(navigation) != navigation_data(old.navigation) or \
                set(content) != set(old.content):
            self.snapshot = Snapshot(kb, renderer, navigation, new_problems, {}, {})
            return Update(self.snapshot, everything=True)
        changed_content = [uri for uri, text in content.items() if old.content[uri] != text]
        added, removed = set(plan) - set(old.pages), set(old.pages) - set(plan)
        sources = self._entity_pages(self.cache.reread | self.cache.gone) | added | removed | {
            uri for uri in content if f"{self.docs_dir}/{uri}" in changed_files}
        rendered = _Rendered(plan)
        candidates = self._candidates(sources, old, content, rendered)
        candidates |= self._showing(candidates, (old.kb, kb)) & set(plan)
        candidates |= self._practice(sources, (old.kb, kb)) & set(plan)
        changed: dict[str, str] = {}
        for uri in sorted(candidates):
            text = rendered[uri]
            if text != old.pages.get(uri):
                changed[uri] = text
        pages = {uri: changed[uri] if uri in changed else old.pages[uri] for uri in plan}
        self.snapshot = Snapshot(kb, renderer, navigation, new_problems, pages, content)
        return Update(self.snapshot, pages=changed, removed=sorted(removed),
                      content=changed_content, rendered=len(rendered))

    # -- steps ------------------------------------------------------------------------------

    def _check(self, problems: Problems) -> tuple[KnowledgeBase, SiteRenderer, list[NavNode]]:
        checked = check_project(self.root, self.settings, self.docs_dir, problems,
                                cache=self.cache)
        kb = checked.knowledge_base
        kb.show_drafts = True  # the author sees drafts in the preview, marked as drafts
        site = prepare_site(kb, self.layout, self.settings, self.configured_nav,
                            self.root / self.docs_dir, read_pins(self.root))
        return kb, site.renderer, site.navigation

    def _plan(self, renderer: SiteRenderer) -> dict[str, Callable[[], GeneratedPage]]:
        """Every page of the preview, the pages of files with problems included."""
        plan = renderer.page_plan()
        for page in renderer.broken_pages():
            plan.setdefault(page.src_uri, _given(page))
        return plan

    def _content(self, renderer: SiteRenderer) -> dict[str, str]:
        """Each hand-written page's text with its links filled in, as the engine will get it."""
        docs = self.root / self.docs_dir
        pages: dict[str, str] = {}
        for file in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
            src_uri = file.relative_to(docs).as_posix()
            if any(part.startswith(".") for part in PurePosixPath(src_uri).parts):
                continue
            data = read_limited(file, f"{self.docs_dir}/{src_uri}", Problems())
            text = decode_utf8(data, src_uri, Problems()) if data is not None else None
            pages[src_uri] = renderer.content_page(text or "", self.layout.content_url(src_uri),
                                                   src_uri)
        return pages

    def _entity_pages(self, files: set[str]) -> set[str]:
        """The pages of the pattern and card files that were read again."""
        pages = set()
        for path in files:
            file = PurePosixPath(path)
            if file.name == PATTERN_FILE:
                pages.add(self.layout.src_uri("pattern", file.parent.name))
            else:
                pages.add(self.layout.src_uri("card", file.stem))
        return pages

    def _candidates(self, sources: set[str], old: Snapshot, content: dict[str, str],
                    rendered: _Rendered) -> set[str]:
        """The pages that can show what changed in ``sources`` (see the module's docstring)."""
        plan = rendered.plan
        by_address = {self._address(uri): uri for uri in plan}
        candidates = {uri for uri in sources if uri in plan} | set(LISTS)
        changed = {self._address(uri) for uri in sources}
        # Every link to a page ends in its last folder's name (``../name-it/``,
        # ``../../cards/name-it/index.html``): only pages holding that are read for links.
        names = {address.rstrip("/").rsplit("/", 1)[-1] + "/" for address in changed}
        for uri, text in old.pages.items():
            if any(name in text for name in names) and \
                    not changed.isdisjoint(self._links(uri, text)):
                candidates.add(uri)
        for uri in sources:
            before = old.pages.get(uri) or old.content.get(uri, "")
            after = rendered[uri] if uri in plan else content.get(uri, "")
            for text in (before, after):
                candidates.update(by_address[address] for address in self._links(uri, text)
                                  if address in by_address)
        return {uri for uri in candidates if uri in plan and uri not in LAGGING}

    def _showing(self, pages: set[str], kbs: tuple[KnowledgeBase, ...]) -> set[str]:
        """The pattern pages that show the cards of ``pages`` in full, before and after: a
        card's block there shows what the card links to (its alternatives, its caution's
        links), so it changes when they appear or go, though it does not link the card's
        page for it."""
        shown = set()
        for uri in pages:
            kind, _, rest = uri.partition("/")
            if kind != "cards":
                continue
            card_id = rest.split("/", 1)[0]
            for kb in kbs:
                card = kb.cards.get(card_id)
                for pattern in card.patterns if card is not None else []:
                    shown.add(self.layout.src_uri("pattern", pattern.id))
        return shown

    def _practice(self, pages: set[str], kbs: tuple[KnowledgeBase, ...]) -> set[str]:
        """The practice page, its data, and the sheets of every pattern whose prompts or
        contrasts the changed cards and patterns can show (a client's sheet links to no card,
        so the links do not find it)."""
        patterns = set()
        for uri in pages:
            kind, _, rest = uri.partition("/")
            entity_id = rest.split("/", 1)[0]
            if kind == "patterns":
                patterns.add(entity_id)
            for kb in kbs if kind == "cards" else ():
                card = kb.cards.get(entity_id)
                for shown in [card, *card.alternatives] if card is not None else []:
                    patterns.update(pattern.id for pattern in shown.patterns)
        return {PRACTICE_FOLDER + "index.md", PRACTICE_DATA_FILE} | {
            sheet_folder(pattern, sheet) + "index.md" for pattern in patterns for sheet in SHEETS}

    def _address(self, src_uri: str) -> str:
        """The page's address from the site root, as :meth:`_links` gives links to it."""
        if src_uri.endswith(("/index.md", "/index.html")) and \
                src_uri.startswith(("cards/", "patterns/")):
            return src_uri.rsplit("/", 1)[0] + "/"
        return _folder(self.layout.content_url(src_uri))

    def _links(self, src_uri: str, text: str) -> set[str]:
        """The addresses (from the site root) of the pages that the page's text links to."""
        base = "/" + (self.layout.page_url(self._address(src_uri)) if src_uri.endswith(
            ("/index.md", "/index.html")) else self.layout.content_url(src_uri))
        return {_folder(posixpath.normpath(posixpath.join(posixpath.dirname(base), href))
                        .lstrip("/") + ("/" if href.endswith("/") else ""))
                for href in _LINK.findall(text) if "://" not in href and ":" not in href[:8]}


def _folder(url: str) -> str:
    """``cards/x/index.html`` and ``cards/x/`` are the same page."""
    return url.removesuffix("index.html")


class _Rendered:
    """Pages of a plan, each rendered once when first asked for."""

    def __init__(self, plan: dict[str, Callable[[], GeneratedPage]]) -> None:
        self.plan = plan
        self._texts: dict[str, str] = {}

    def __getitem__(self, src_uri: str) -> str:
        if src_uri not in self._texts:
            self._texts[src_uri] = self.plan[src_uri]().content
        return self._texts[src_uri]

    def __len__(self) -> int:
        return len(self._texts)


def _given(page: GeneratedPage) -> Callable[[], GeneratedPage]:
    return lambda: page
