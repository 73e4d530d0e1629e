"""The hand-written pages under the docs folder, as far as the cards are concerned.

Trainers link cards from their own pages, and those links must never silently break: every
``[[link]]`` and ``![[embed]]`` in every page is checked with the same code as card fields, and
each page that links a card is recorded so the card's page can list where it is used. The docs
folder is held to the same rules as ``cards/`` (see ``project_files``): the engine publishes every
file in it, so a link leading outside the project, a named pipe or a device stops the build.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from .link import LinkLocator, check_markdown_links
from .model import ContentPage, KnowledgeBase
from .problems import Location, Problems
from .project_files import check_file, check_link, decode_utf8, read_limited
from .wikilinks import StrayBrackets, WikiLink

_FRONT_MATTER_TITLE = re.compile(
    r"\A---\s*\n(?:.*\n)*?title:\s*[\"']?(.+?)[\"']?\s*\n(?:.*\n)*?---")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class _OffsetLocator(LinkLocator):
    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text

    def __call__(self, link: WikiLink | StrayBrackets) -> Location:
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
    for file in _pages(root, folder, docs_dir, problems):
        src_uri = file.relative_to(folder).as_posix()
        rel_path = f"{docs_dir}/{src_uri}"
        data = read_limited(file, rel_path, problems)
        text = decode_utf8(data, rel_path, problems) if data is not None else None
        if text is None or "[[" not in text:
            continue
        page = ContentPage(src_uri, page_title(text, file.stem))
        resolved = check_markdown_links(text, kb, problems, referrer=None, embeds=True,
                                        locate=_OffsetLocator(rel_path, text))
        for _link, target in resolved:
            if page not in target.used_in:
                target.used_in.append(page)


def _pages(root: Path, folder: Path, docs_dir: str, problems: Problems) -> Iterator[Path]:
    """The Markdown pages under ``folder`` that may be read, after checking every entry there.

    The engine publishes every file of the docs folder, so each is checked, not only pages:
    links must stay in the project, and only ordinary files (and folders) may be there.
    """
    if not folder.is_dir() or not check_link(folder, docs_dir, root, problems):
        return
    for current, folders, files in os.walk(folder):
        here = Path(current)
        rel_here = f"{docs_dir}/{here.relative_to(folder).as_posix()}".removesuffix("/.")
        for name in sorted(folders):
            if not check_link(here / name, f"{rel_here}/{name}", root, problems):
                folders.remove(name)  # never walked into: os.walk does not follow links
        folders.sort()
        for name in sorted(files):
            path, rel = here / name, f"{rel_here}/{name}"
            if name.endswith(".md"):
                if check_file(path, rel, root, problems):
                    yield path
            elif check_link(path, rel, root, problems) and path.exists() and not path.is_file():
                problems.error(Location(rel), "this is not an ordinary file (a named pipe, device "
                               "or socket): remove it from the docs folder")
