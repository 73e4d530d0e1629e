"""The hand-written pages under the docs folder, as far as the cards are concerned.

Trainers link cards from their own pages, and those links must never silently break: every
``[[link]]`` and ``![[embed]]`` in every page is checked with the same code as card fields, and
each page that links a card is recorded so the card's page can list where it is used.
"""

from __future__ import annotations

import re
from pathlib import Path

from .link import LinkLocator, check_markdown_links
from .model import ContentPage, KnowledgeBase
from .problems import Location, Problems
from .wikilinks import WikiLink

_FRONT_MATTER_TITLE = re.compile(
    r"\A---\s*\n(?:.*\n)*?title:\s*[\"']?(.+?)[\"']?\s*\n(?:.*\n)*?---")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class _OffsetLocator(LinkLocator):
    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text

    def __call__(self, link: WikiLink) -> Location:
        line_start = self.text.rfind("\n", 0, link.start) + 1
        return Location(self.path, self.text.count("\n", 0, link.start) + 1,
                        link.start - line_start + 1)


def page_title(text: str, fallback: str) -> str:
    if match := _FRONT_MATTER_TITLE.match(text):
        return match.group(1)
    if match := _HEADING.search(text):
        return match.group(1)
    return fallback


def check_content(root: Path, docs_dir: str, kb: KnowledgeBase, problems: Problems) -> None:
    """Check the links of every Markdown page under ``docs_dir`` and record "used in"."""
    folder = root / docs_dir
    for file in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        src_uri = file.relative_to(folder).as_posix()
        rel_path = f"{docs_dir}/{src_uri}"
        try:
            text = file.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            problems.error(Location(rel_path), "cannot be read as UTF-8 text")
            continue
        if "[[" not in text:
            continue
        page = ContentPage(src_uri, page_title(text, file.stem))
        resolved = check_markdown_links(text, kb, problems, referrer=None, embeds=True,
                                        locate=_OffsetLocator(rel_path, text))
        for _link, target in resolved:
            if page not in target.used_in:
                target.used_in.append(page)
