"""``cardkb render OUT``: everything a site engine needs, rendered ahead of the build.

The seam between cardkb and any engine. ``OUT/docs/`` is a complete docs folder: the pages the
cards produce, the hand-written pages with their ``[[links]]``, embeds and pattern lists filled
in, their other files, and the site assets the pages rely on; ``OUT/navigation.json`` is the
navigation, the patterns and their cards filled in. The MkDocs plugin does the same in memory,
with the same renderer and the same :func:`build_navigation`, so the two cannot drift apart.

Titles and descriptions in the generated pages' front matter are HTML-escaped (MkDocs and
Material print them as HTML); navigation titles are plain text.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Settings
from .mkdocs_config import SiteConfig
from .model import KnowledgeBase
from .navigation import NavNode, build_navigation, navigation_data
from .pins import Pin, read_pins
from .problems import Problems
from .project import check_project
from .project_files import is_ordinary_file
from .render import SiteRenderer
from .site_files import site_assets
from .urls import UrlLayout

DOCS_FOLDER = "docs"
NAVIGATION_FILE = "navigation.json"


@dataclass(frozen=True)
class RenderedSite:
    renderer: SiteRenderer
    navigation: list[NavNode]


def prepare_site(kb: KnowledgeBase, layout: UrlLayout, settings: Settings,
                 configured_nav: Sequence[Any] | None, docs_dir: Path,
                 pins: Mapping[str, Pin] | None = None) -> RenderedSite:
    """The renderer and the navigation of a checked knowledge base: what every engine gets,
    the MkDocs plugin included (``pins``: the curricula's, for their drift banners)."""
    navigation = build_navigation(configured_nav, kb, layout, docs_dir, settings.nav_max_patterns)
    return RenderedSite(SiteRenderer(kb, layout, settings, pins=pins), navigation)


def render_site(site: SiteConfig, layout: UrlLayout, problems: Problems) -> RenderedSite | None:
    """Check the project and prepare its pages and navigation; None when the check failed,
    since a build stops on any error too."""
    checked = check_project(site.root, site.settings, site.docs_dir, problems)
    if problems.errors:
        return None
    return prepare_site(checked.knowledge_base, layout, site.settings, site.nav,
                        site.root / site.docs_dir, read_pins(site.root))


class OutputRefusedError(Exception):
    """An output ``cardkb render`` will not write, with a message for the author."""


def refuse_unsafe_output(site: SiteConfig, out: Path) -> None:
    """Refuse an output whose ``docs/`` would replace the author's own files: the project's
    folder, its docs folder or cards folder (or a folder inside or around them), or a
    ``docs`` that is a symbolic link. Zensical's work folder inside the project is fine."""
    root = site.root.resolve()
    target = out.resolve()
    if target == root:
        raise OutputRefusedError(f"{out} is the knowledge base's own folder: its pages would be "
                            "replaced; name a new folder, such as build")
    for name, folder in (("docs folder", site.docs_dir), ("cards folder", site.settings.cards_dir)):
        protected = (root / folder).resolve()
        if target == protected or target.is_relative_to(protected) or \
                protected.is_relative_to(target):
            raise OutputRefusedError(f"{out} is, holds or lies inside the {name} ({folder}): "
                                "its files would be replaced; name a new folder, such as build")
    if (out / DOCS_FOLDER).is_symlink():
        raise OutputRefusedError(f"{out / DOCS_FOLDER} is a symbolic link; cardkb replaces that "
                            "folder, so it writes only into a real one: remove the link")


def write_site(rendered: RenderedSite, site: SiteConfig, out: Path) -> int:
    """Write the docs folder and the navigation into ``out``; return the number of files
    written into the docs folder. The docs folder is written whole into a new folder beside it
    and then swapped in, so a failure leaves the last one as it was."""
    refuse_unsafe_output(site, out)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{DOCS_FOLDER}.cardkb-new-", dir=out))
    try:
        written = _write_docs(rendered, site, staging)
    except BaseException:
        shutil.rmtree(staging)
        raise
    docs_out = out / DOCS_FOLDER
    if docs_out.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{DOCS_FOLDER}.cardkb-old-", dir=out))
        os.replace(docs_out, previous)
        os.replace(staging, docs_out)
        shutil.rmtree(previous)  # an error here is the author's to see, never ignored
    else:
        os.replace(staging, docs_out)
    navigation = json.dumps(navigation_data(rendered.navigation), indent=2, ensure_ascii=False)
    partial = out / f".{NAVIGATION_FILE}.cardkb-new"
    partial.write_text(navigation + "\n", "utf-8")
    os.replace(partial, out / NAVIGATION_FILE)
    return written


def _write_docs(rendered: RenderedSite, site: SiteConfig, docs_out: Path) -> int:
    written = 0
    layout = rendered.renderer.layout
    docs = site.root / site.docs_dir
    for source in _docs_files(docs, site.root):
        src_uri = source.relative_to(docs).as_posix()
        target = docs_out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".md":
            text = rendered.renderer.content_page(source.read_text("utf-8"),
                                                  layout.content_url(src_uri), src_uri)
            target.write_text(text, "utf-8")
        else:
            shutil.copyfile(source, target)
        written += 1
    for page in rendered.renderer.pages():
        target = docs_out / page.src_uri
        if target.exists():
            raise OutputRefusedError(f"{site.docs_dir}/{page.src_uri}: this page would hide a "
                                "generated cardkb page; rename or move it")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content, "utf-8")
        written += 1
    for asset in site_assets():
        target = docs_out / asset.src_uri
        source = docs / asset.src_uri
        if target.exists() and not (source.is_file() and asset.is_source_of(source)):
            continue  # the site's own file of that name wins
        written += not target.exists()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.published())
    return written


def _docs_files(docs: Path, root: Path) -> list[Path]:
    """The docs folder's files as an engine would publish them (no hidden files or folders);
    the check has already refused anything that is not an ordinary file of the project."""
    files: list[Path] = []
    for current, folders, names in os.walk(docs):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        here = Path(current)
        files += [here / n for n in sorted(names)
                  if not n.startswith(".") and is_ordinary_file(here / n, root)]
    return files
