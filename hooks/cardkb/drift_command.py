"""``cardkb pin PAGE…`` and ``cardkb drift [PAGE…]``: the commands' work, without argparse.

Both read only the pages named (by default, every page that links a card) and the card files
those pages need, never the whole check: they answer in a fraction of a build on a large site,
and they answer on a project whose check fails. Author text is printed on one line each
(:func:`one_line`), so a card's text cannot send the terminal a control sequence.
"""

from __future__ import annotations

import datetime
import json
import os
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .drift import LEVELS, FieldChange, LinkDrift, PageDrift, page_drift, rank
from .drift_sources import FileSources, Found, resolve, snapshot
from .mkdocs_config import SiteConfig
from .pins import Pin, PinError, PinnedLink, read_pin, write_pin
from .problems import Problems, one_line
from .project_files import check_file, decode_utf8, read_limited
from .wikilinks import find_wikilinks

#: words of unchanged text kept on each side of a change in the plain report
CONTEXT_WORDS = 6


class DriftError(Exception):
    """A problem of the command's own (a page that is not one, a pin that cannot be read)."""


@dataclass(frozen=True)
class Page:
    src_uri: str
    #: from the project's root
    path: str
    text: str

    @property
    def targets(self) -> list[str]:
        return [link.target for link in find_wikilinks(self.text)]


def named_pages(site: SiteConfig, names: Sequence[Path]) -> list[Page]:
    """The pages named on the command line (paths from here, or from the project's root)."""
    docs = (site.root / site.docs_dir).resolve()
    pages = []
    for name in names:
        candidates = [name] if name.is_absolute() else [Path.cwd() / name, site.root / name]
        path = next((c.resolve() for c in candidates if c.is_file() and c.suffix == ".md"
                     and c.resolve().is_relative_to(docs)), None)
        if path is None:
            raise DriftError(f"{name}: not a page (a .md file) under {site.docs_dir}/")
        pages.append(_read_page(site, path.relative_to(docs).as_posix()))
    return pages


def linking_pages(site: SiteConfig) -> list[Page]:
    """Every page of the docs folder that links or embeds a card or pattern."""
    docs = site.root / site.docs_dir
    pages = []
    for current_dir, folders, files in os.walk(docs):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith("."):
                src_uri = (Path(current_dir) / name).relative_to(docs).as_posix()
                page = _read_page(site, src_uri)
                if page.targets:
                    pages.append(page)
    return pages


def _read_page(site: SiteConfig, src_uri: str) -> Page:
    rel = f"{site.docs_dir}/{src_uri}"
    problems = Problems()
    path = site.root / rel
    data = read_limited(path, rel, problems) if check_file(path, rel, site.root,
                                                           problems) else None
    text = decode_utf8(data, rel, problems) if data is not None else None
    if text is None:
        raise DriftError(str(problems.sorted()[0]) if problems.errors else f"{rel}: unreadable")
    return Page(src_uri, rel, text)


# -- cardkb pin -----------------------------------------------------------------------------


def pin_pages(site: SiteConfig, pages: Sequence[Page],
              today: datetime.date | None = None) -> Iterator[str]:
    """Pin each page; yield one line per page saying what was done. A page whose links do not
    all lead to a readable card raises :class:`DriftError` (its pin is left as it was)."""
    sources = FileSources(site.root, site.settings.cards_dir)
    for page in pages:
        found: dict[tuple[str, str], Found] = {}
        for target in page.targets:
            entity = resolve(target, sources)
            if entity is None:
                raise DriftError(f"{page.path}: [[{one_line(target)}]] is not a card or "
                                 "pattern, so it cannot be pinned (`cardkb check` says more)")
            if entity.broken:
                raise DriftError(f"{page.path}: '{entity.id}' has problems in its file; fix "
                                 "them (`cardkb check`) before pinning")
            found.setdefault((entity.kind, entity.id), entity)
        if not found:
            yield f"{page.path}: links no card or pattern, nothing to pin"
            continue
        links = tuple(PinnedLink(e.id, e.kind, snapshot(e, sources)) for e in found.values())
        pin = Pin(page.path, today or datetime.date.today(), links)
        written = write_pin(site.root, page.src_uri, pin)
        yield (f"{page.path}: pinned {len(links)} linked card{'s' * (len(links) != 1)} and "
               f"patterns as of {pin.reviewed.isoformat()}, in {written}")


# -- cardkb drift ---------------------------------------------------------------------------


def drift_pages(site: SiteConfig, pages: Sequence[Page]) -> list[PageDrift]:
    sources = FileSources(site.root, site.settings.cards_dir)
    report = []
    for page in pages:
        try:
            pin = read_pin(site.root, page.src_uri)
        except PinError as error:
            raise DriftError(str(error)) from None
        if pin is not None or page.targets:  # a page that links nothing has nothing to drift
            report.append(page_drift(page.path, page.targets, pin, sources))
    return report


def report_json(report: Sequence[PageDrift]) -> str:
    return json.dumps({"pages": [page.as_json() for page in report]}, indent=2,
                      ensure_ascii=False)


def worst(report: Sequence[PageDrift]) -> str:
    return max((link.level for page in report for link in page.links), key=rank,
               default=LEVELS[0])


def report_text(report: Sequence[PageDrift]) -> Iterator[str]:
    """The report for people: each page, then each changed link with its fields, word by word
    (``[-removed-]``, ``{+added+}``), then the unchanged ones on one line."""
    if not report:
        yield "cardkb: no page links a card or pattern"
    for page in report:
        yield from _page_text(page)


def _page_text(page: PageDrift) -> Iterator[str]:
    if page.pin is None:
        yield (f"{page.page}: links cards but has no pin; after reviewing it, "
               f"`cardkb pin {page.page}`")
        return
    changed = [link for link in page.links if link.level != "unchanged"]
    critical = len(page.at_least("critical"))
    summary = (f"{len(changed)} of {len(page.links)} changed"
               + (f", {critical} critically" if critical else "") if changed
               else f"all {len(page.links)} unchanged")
    yield f"{page.page} (reviewed {page.pin.reviewed.isoformat()}): {summary}"
    for link in sorted(changed, key=lambda link: -rank(link.level)):
        yield from _link_text(link)
    same = [link.id for link in page.links if link.level == "unchanged"]
    if same and changed:
        yield textwrap.fill(", ".join(same), width=100, initial_indent=f"  {'unchanged':<9}  ",
                            subsequent_indent=" " * 13, break_on_hyphens=False)
    if changed:
        yield f"  after reviewing them: cardkb pin {page.page}"


def _link_text(link: LinkDrift) -> Iterator[str]:
    yield f"  {link.level:<9}  {link.kind} {link.id}: {one_line(link.title)}"
    for note in link.notes:
        yield f"             {one_line(note)}"
    for change in link.changes:
        yield f"             {change.name} ({change.level}): {one_line(shown_diff(change))}"


def shown_diff(change: FieldChange) -> str:
    """The change word by word, long unchanged stretches shortened to the words next to it."""
    words = change.words()
    parts = []
    for index, (op, text) in enumerate(words):
        if op == "-":
            parts.append(f"[-{text}-]")
        elif op == "+":
            parts.append(f"{{+{text}+}}")
        else:
            parts.append(_context(text.split(), before=index > 0, after=index < len(words) - 1))
    return " ".join(parts) if parts else "(empty)"


def _context(words: list[str], *, before: bool, after: bool) -> str:
    """Unchanged words between changes: those next to a change kept, the rest as "…"."""
    keep_start = CONTEXT_WORDS if before else 0
    keep_end = CONTEXT_WORDS if after else 0
    if len(words) <= keep_start + keep_end + 1:
        return " ".join(words)
    return " ".join([*words[:keep_start], "…", *words[len(words) - keep_end:]])
