"""Render the Markdown fields of cards and patterns to HTML, treating card text as data.

Card text is written by many hands and read on a practice's intranet, so it is rendered with raw
HTML switched off (shown as text) and with every link checked: only ``http``, ``https``,
``mailto`` and relative links stay active, and images from outside the site are turned into plain
links, because the built site must never request anything from outside.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
from markdown.treeprocessors import Treeprocessor

from .wikilinks import WikiLink, replace_wikilinks

SAFE_SCHEMES = {"", "http", "https", "mailto"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def escape_markdown(text: str) -> str:
    """Plain text made safe to put into Markdown: shown as written, never as markup."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", escaped)


def _as_browser_reads(url: str) -> str:
    """The URL as a browser will follow it: character references decoded (``java&#115;cript:``,
    ``&colon;``), then control characters and whitespace dropped, as the URL parser does."""
    previous = None
    while previous != url:  # Markdown may keep '&amp;#115;' as written: decode until it settles
        previous, url = url, html.unescape(url)
    return _CONTROL.sub("", url)


def is_safe_url(url: str) -> bool:
    """Whether a link may stay active: no ``javascript:``, ``data:`` or other schemes."""
    cleaned = _as_browser_reads(url)
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


def is_outside_url(url: str) -> bool:
    """Whether loading this URL would reach outside the site."""
    cleaned = _as_browser_reads(url)
    try:
        return bool(urlsplit(cleaned).scheme) or cleaned.startswith(("//", "\\\\", "/\\", "\\/"))
    except ValueError:
        return True


class _LinkGuard(Treeprocessor):
    def run(self, root: ElementTree.Element) -> None:
        for parent in root.iter():
            for index, element in enumerate(list(parent)):
                if element.tag == "a" and not is_safe_url(element.get("href", "")):
                    del element.attrib["href"]
                elif element.tag == "img":
                    src = element.get("src", "")
                    if is_outside_url(src) or not is_safe_url(src):
                        link = ElementTree.Element("a", {"href": src} if is_safe_url(src) else {})
                        link.text = element.get("alt") or src
                        link.tail = element.tail
                        parent.remove(element)
                        parent.insert(index, link)


class _LinkGuardExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_LinkGuard(md), "cardkb_link_guard", 0)


class MarkdownRenderer:
    """Markdown to safe HTML, with ``[[links]]`` turned into links by ``link_for``."""

    def __init__(self, link_for: Callable[[WikiLink], tuple[str, str]]) -> None:
        self._link_for = link_for
        self._md = markdown.Markdown(extensions=["sane_lists", _LinkGuardExtension()])

    def __call__(self, text: str) -> str:
        def as_markdown_link(link: WikiLink) -> str:
            href, title = self._link_for(link)
            return f"[{escape_markdown(link.text or title)}]({href})"

        self._md.reset()
        return self._md.convert(replace_wikilinks(text, as_markdown_link))
