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


def write_site(rendered: RenderedSite, site: SiteConfig, out: Path) -> int:
    """Write the docs folder and the navigation into ``out`` (replaced); return the number of
    files written into the docs folder."""
    docs_out = out / DOCS_FOLDER
    shutil.rmtree(docs_out, ignore_errors=True)
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
            raise FileExistsError(f"{site.docs_dir}/{page.src_uri}: this page would hide a "
                                  "generated cardkb page; rename or move it")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content, "utf-8")
        written += 1
    for asset in site_assets():
        target = docs_out / asset.src_uri
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset.path, target)
            written += 1
    navigation = json.dumps(navigation_data(rendered.navigation), indent=2, ensure_ascii=False)
    (out / NAVIGATION_FILE).write_text(navigation + "\n", "utf-8")
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
