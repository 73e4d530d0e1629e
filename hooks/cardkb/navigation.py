"""The site's navigation as a neutral tree, for any engine.

The configured navigation (mkdocs.yml's ``nav``, or the hand-written pages when there is none) is
read into :class:`NavPage`, :class:`NavLink` and :class:`NavSection` nodes, and the patterns with
their cards are filled in where the Patterns page stands. Titles are plain text: each engine
escapes them as its templates need. Every page carries its URL in the site's :class:`UrlLayout`,
so an engine that does not work out URLs itself (or a reader of ``cardkb render``'s JSON) needs
nothing more.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Card, KnowledgeBase
from .urls import UrlLayout

PATTERNS_INDEX = "patterns/index.md"
SIGNS_PAGE = "signs/index.md"


@dataclass(frozen=True)
class NavPage:
    """A page of the site; ``title`` None means the page's own title."""

    src_uri: str
    url: str
    title: str | None = None
    #: a card's verdict ("works", "backfires"), which a theme may mark beside the title
    status: str | None = None


@dataclass(frozen=True)
class NavLink:
    """An entry that leads outside the site (or to an address given as it is)."""

    title: str
    url: str


@dataclass(frozen=True)
class NavSection:
    """A section; with ``navigation.indexes`` its first page, if an index, is the section's."""

    title: str
    children: tuple[NavNode, ...]


NavNode = NavPage | NavLink | NavSection


def build_navigation(configured: Sequence[Any] | None, kb: KnowledgeBase, layout: UrlLayout,
                     docs_dir: Path, max_patterns: int) -> list[NavNode]:
    """The site's navigation with the patterns filled in.

    A ``patterns/index.md`` entry in the configured nav becomes a section of pattern sections,
    each holding its cards; with ``navigation.prune`` a page then carries every pattern's title
    and its own pattern's cards. Material writes that into every page, so beyond
    ``max_patterns`` patterns the entry stays the one Patterns page, which lists them all, and
    each page's navigation keeps the same size however large the knowledge base grows.
    """
    patterns = kb.visible_patterns()
    sections: list[NavNode] = [
        NavSection(p.title, (_page(layout, f"patterns/{p.id}/index.md"), *(
            _page(layout, f"cards/{c.id}/index.md", c.title, c.verdict)
            for c in _in_page_order(kb.listed_cards(p)) if c.pattern is p)))
        for p in patterns] if len(patterns) <= max_patterns else []
    patterns_index = _page(layout, PATTERNS_INDEX)
    if configured is None:
        return [*_content_nav(docs_dir, docs_dir, layout),
                _page(layout, SIGNS_PAGE, "Sign finder"),
                NavSection("Patterns", (patterns_index, *sections))]
    expanded: list[NavNode] = []
    found = False
    for node in (_read_item(item, layout) for item in configured):
        if isinstance(node, NavPage) and node.src_uri == PATTERNS_INDEX:
            expanded.append(NavSection(node.title or "Patterns", (patterns_index, *sections)))
            found = True
        else:
            expanded.append(node)
    if not found:
        expanded.append(NavSection("Patterns", (patterns_index, *sections)))
    return expanded


def navigation_data(nodes: Sequence[NavNode]) -> list[dict[str, Any]]:
    """The tree as plain data (for JSON): each node's title, url, source and children."""
    data: list[dict[str, Any]] = []
    for node in nodes:
        if isinstance(node, NavSection):
            data.append({"title": node.title, "children": navigation_data(node.children)})
        elif isinstance(node, NavLink):
            data.append({"title": node.title, "url": node.url})
        else:
            entry = {"title": node.title, "url": node.url, "src": node.src_uri}
            data.append(entry | ({"status": node.status} if node.status else {}))
    return data


def config_nav(nodes: Sequence[NavNode],
               escape: Callable[[str], str] = html.escape) -> list[Any]:
    """The tree in mkdocs.yml's ``nav`` shape (which Zensical reads too), titles escaped with
    ``escape``: both engines print navigation titles as HTML."""
    entries: list[Any] = []
    for node in nodes:
        if isinstance(node, NavSection):
            entries.append({escape(node.title): config_nav(node.children, escape)})
        elif isinstance(node, NavLink):
            entries.append({escape(node.title): node.url})
        else:
            entries.append({escape(node.title): node.src_uri} if node.title else node.src_uri)
    return entries


def _page(layout: UrlLayout, src_uri: str, title: str | None = None,
          status: str | None = None) -> NavPage:
    return NavPage(src_uri, layout.content_url(src_uri), title, status)


def _read_item(item: Any, layout: UrlLayout) -> NavNode:
    """One entry of a configured nav (MkDocs' shape: ``page``, ``{title: page}`` or
    ``{title: [entries]}``) as a node."""
    if isinstance(item, dict) and len(item) == 1:
        title, target = next(iter(item.items()))
        title = str(title)
        if isinstance(target, list):
            return NavSection(title, tuple(_read_item(child, layout) for child in target))
        return _target(str(target), layout, title)
    return _target(str(item), layout, None)


def _target(target: str, layout: UrlLayout, title: str | None) -> NavNode:
    if "://" in target or target.startswith(("mailto:", "/", "#")) or \
            not target.endswith(".md"):
        return NavLink(title or target, target)
    return _page(layout, target, title)


def _in_page_order(cards: list[Card]) -> list[Card]:
    """Cards as their pattern page shows them: those that backfire, then those that work."""
    return sorted(cards, key=lambda card: card.verdict != "backfires")


def _content_nav(folder: Path, docs_dir: Path, layout: UrlLayout) -> list[NavNode]:
    """The hand-written pages as MkDocs would list them: index first, then files, then folders."""
    files = sorted(folder.glob("*.md"), key=lambda f: (f.name != "index.md", f.name))
    entries: list[NavNode] = [_page(layout, f.relative_to(docs_dir).as_posix()) for f in files]
    for sub in sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")):
        if children := _content_nav(sub, docs_dir, layout):
            entries.append(NavSection(sub.name.replace("-", " ").capitalize(), tuple(children)))
    return entries
