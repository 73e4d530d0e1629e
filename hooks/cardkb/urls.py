"""Where pages live: the contract's URLs, and relative links between pages.

Every link the core writes is relative, so the same site works at a server's root, under a
sub-path (``https://intranet.example/kb/``) and opened from disk, where directory URLs become
explicit ``index.html`` files.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache

from .model import Entity

SECTIONS = {"pattern": "patterns", "card": "cards"}


@dataclass(frozen=True)
class UrlLayout:
    directory_urls: bool = True

    def folder(self, kind: str, id_: str) -> str:
        """The page's folder relative to the site root, such as ``cards/defend-the-process/``."""
        return f"{SECTIONS[kind]}/{id_}/"

    def src_uri(self, kind: str, id_: str) -> str:
        return self.folder(kind, id_) + "index.md"

    def url(self, kind: str, id_: str) -> str:
        return self.page_url(self.folder(kind, id_))

    def page_url(self, folder: str) -> str:
        """The URL of the index page of a folder: the folder itself, or its index.html on disk."""
        return folder if self.directory_urls else folder + "index.html"

    def entity_url(self, entity: Entity) -> str:
        return self.url(entity.kind, entity.id)

    def content_url(self, src_uri: str) -> str:
        """The URL of a hand-written page, by the usual convention (``a/b.md`` -> ``a/b/``)."""
        stem = src_uri.removesuffix(".md")
        if stem == "index" or stem.endswith("/index"):
            return self.page_url(stem.removesuffix("index"))
        return stem + "/" if self.directory_urls else stem + ".html"


@lru_cache(maxsize=1 << 16)
def relative_href(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url``, both relative to the site root."""
    if from_url and not from_url.endswith("/"):
        from_url = posixpath.dirname(from_url) + "/"
    from_dir = from_url
    target_dir, name = posixpath.split(to_url)
    relative = posixpath.relpath(target_dir or ".", from_dir.rstrip("/") or ".")
    href = name if relative == "." else posixpath.join(relative, name)
    if not href:
        return "./"
    return href + "/" if to_url.endswith("/") and not href.endswith("/") else href
