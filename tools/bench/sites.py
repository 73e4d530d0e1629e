"""What gets built: one knowledge base, three sites.

- **cardkb**: the generated cards in YAML and a small ``content/``, built by the cardkb plugin.
- **plain Material**: the same knowledge base rendered ahead of the build by cardkb's own core
  (what ``cardkb render OUT`` writes: every generated page as Markdown, the content pages with
  their links filled in, the site's assets), built by plain Material with no cardkb plugin, in
  the best plain setup a person would write: every pattern and its cards in the navigation,
  ``navigation.prune`` (from the repository's configuration) and Material's ``search`` on. The
  finder's page and data (``find/``) are left out: Material's search takes their place.
- **floor**: exactly what ``cardkb render`` writes, finder included, with cardkb's own
  navigation and no search, built by plain Material with no cardkb plugin.

The plain and floor sides therefore carry the very pages the cardkb side serves, in the same
words and markup, so the comparison measures the engine around them rather than two renderers:
against plain Material, what cardkb's navigation and finder save over Material's full
navigation and search; against the floor, what the cardkb plugin itself costs (loading,
checking, linking and rendering the cards inside the build) beyond MkDocs and Material building
the same output.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cardkb.config import DEFAULT_DISCLAIMER
from cardkb.engine_files import DOCS_FOLDER, render_site, write_site
from cardkb.finder import FIND_FOLDER
from cardkb.mkdocs_config import read_site_config
from cardkb.mkdocs_plugin import REQUIRED_EXTENSIONS, VERDICT_STATUS
from cardkb.navigation import NavNode, build_navigation, config_nav
from cardkb.problems import Problems
from cardkb.urls import UrlLayout

from .config import copy_static_content, dump_yaml, site_config, with_material_search
from .generate import KnowledgeBaseFiles

#: the generated project's own navigation; cardkb fills the patterns in
NAV = [{"Home": "index.md"}, {"Sign finder": "signs/index.md"},
       {"Patterns": "patterns/index.md"}]
SIDES = ("cardkb", "plain", "floor")


def home_page(kb: KnowledgeBaseFiles) -> str:
    """The home page: a few links into the cards, and the list of patterns."""
    first = kb.patterns[0]
    return (f"# Knowledge base\n\nStart with [[{first.id}]] or with the card "
            f"[[{first.cards[0].id}|that most people need first]].\n\n"
            "<!-- cardkb:patterns -->\n")


def write_cardkb_project(root: Path, kb: KnowledgeBaseFiles, base: dict[str, Any]) -> Path:
    """A cardkb project: ``cards/`` in YAML, a small ``content/`` and the repository's config."""
    shutil.rmtree(root, ignore_errors=True)
    kb.write(root / "cards")
    content = root / "content"
    copy_static_content(content, base)
    (content / "index.md").write_text(home_page(kb), "utf-8")
    config = root / "mkdocs.yml"
    dump_yaml(site_config(base, "content", nav=NAV, cardkb=True), config)
    return config


def write_rendered_projects(cardkb_config: Path, plain_root: Path, floor_root: Path,
                            base: dict[str, Any]) -> tuple[Path, Path]:
    """The plain Material and floor projects, from the cardkb project through cardkb's core."""
    problems = Problems()
    site = read_site_config(cardkb_config, problems)
    rendered = None if site is None else render_site(site, UrlLayout(site.directory_urls),
                                                     problems)
    if site is None or rendered is None:
        sys.exit("bench: the generated knowledge base has problems:\n"
                 + "\n".join(map(str, problems.sorted())))
    for root in (plain_root, floor_root):
        shutil.rmtree(root, ignore_errors=True)
    write_site(rendered, site, floor_root)
    full_nav = build_navigation(site.nav, rendered.renderer.kb, rendered.renderer.layout,
                                site.root / site.docs_dir, max_patterns=sys.maxsize)
    shutil.copytree(floor_root / DOCS_FOLDER, plain_root / DOCS_FOLDER,
                    ignore=_finder_files(floor_root / DOCS_FOLDER))
    plain = plain_config(base, full_nav)
    plain["plugins"] = with_material_search(plain.get("plugins") or [])
    dump_yaml(plain, plain_root / "mkdocs.yml")
    dump_yaml(plain_config(base, rendered.navigation), floor_root / "mkdocs.yml")
    return plain_root / "mkdocs.yml", floor_root / "mkdocs.yml"


def _finder_files(docs: Path) -> Callable[[str, list[str]], list[str]]:
    """``shutil.copytree``'s ignore: the finder's folder (its page and data)."""
    finder = docs / FIND_FOLDER.strip("/")

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if Path(folder, n) == finder]
    return ignore


def plain_config(base: dict[str, Any], navigation: list[NavNode]) -> dict[str, Any]:
    """The repository's configuration without the cardkb plugin, plus what that plugin adds to
    the configuration (its Markdown extensions, the disclaimer, the verdicts' names), with the
    navigation in MkDocs' shape."""
    config = site_config(base, DOCS_FOLDER, nav=config_nav(navigation), cardkb=False)
    extensions = list(config.get("markdown_extensions") or [])
    names = {next(iter(e)) if isinstance(e, dict) else e for e in extensions}
    config["markdown_extensions"] = extensions + [e for e in REQUIRED_EXTENSIONS
                                                  if e not in names]
    extra = dict(config.get("extra") or {})
    extra["cardkb"] = {"disclaimer": DEFAULT_DISCLAIMER, **(extra.get("cardkb") or {})}
    extra["status"] = {**VERDICT_STATUS, **(extra.get("status") or {})}
    config["extra"] = extra
    return config


def write_projects(root: Path, n_cards: int, kb: KnowledgeBaseFiles,
                   base: dict[str, Any]) -> dict[str, Path]:
    """The three projects of one size, by side."""
    cardkb = write_cardkb_project(root / f"cardkb-{n_cards}", kb, base)
    plain, floor = write_rendered_projects(cardkb, root / f"plain-{n_cards}",
                                           root / f"floor-{n_cards}", base)
    return {"cardkb": cardkb, "plain": plain, "floor": floor}

