"""Small helpers to read built pages: the article, its links and its text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def article(html: str) -> str:
    """The page's main content, without Material's navigation and header."""
    match = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', html, re.S)
    assert match, "no article in page"
    return match.group(1)


def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every link in some HTML."""
    parser = _Links()
    parser.feed(html)
    return parser.links


def link_targets(html: str, page_url: str) -> dict[str, str]:
    """Link text -> URL path relative to the site root, for links in the page's article."""
    return {text: urljoin("http://site/" + page_url, href).removeprefix("http://site/")
            for href, text in links(article(html)) if text}


def resolve(site: Path, url_path: str) -> Path:
    """The file a site-relative URL path is served from."""
    path = urlsplit(url_path).path
    file = site / path
    return file / "index.html" if path.endswith("/") or not path else file
