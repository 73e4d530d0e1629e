"""The MkDocs adapter for cardkb: a thin layer over the engine-agnostic ``cardkb`` package.

This is the only module that imports MkDocs. It runs the pipeline before MkDocs touches
``site_dir``, hands the rendered pages to MkDocs as generated files, fills ``[[links]]`` into the
hand-written pages, puts the patterns into the navigation, and builds into a staging folder that
replaces the site only when the whole build succeeded. In a live preview (``mkdocs serve``) a
problem does not stop the server: the preview leaves out what is wrong and lists the problems at
the top of every page, where an author who never looks at the terminal will see them.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from cardkb.config import Settings
from cardkb.model import Card, KnowledgeBase
from cardkb.problems import Location, Problem, Problems, Severity
from cardkb.project import check_project
from cardkb.project_files import is_ordinary_file
from cardkb.render import SiteRenderer
from cardkb.staging import StagedSite
from cardkb.urls import UrlLayout

log = logging.getLogger("mkdocs.plugins.cardkb")
# In a live preview, problems are printed through a logger of their own: on MkDocs' loggers,
# strict mode would count them and refuse to serve anything until they are fixed.
preview_log = logging.getLogger("cardkb.preview")
if not preview_log.handlers:
    _preview_handler = logging.StreamHandler()
    _preview_handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    preview_log.addHandler(_preview_handler)
    preview_log.propagate = False

PATTERNS_INDEX = "patterns/index.md"
SIGNS_PAGE = "signs/index.md"
REQUIRED_EXTENSIONS = ("attr_list", "toc", "admonition")
#: a card page's ``status`` (its verdict) as Material's sidebar names it on hover
VERDICT_STATUS = {"backfires": "Tends to backfire", "works": "Works"}


@dataclass
class _Build:
    """What one run of MkDocs knows between events."""

    command: str | None = None
    renderer: SiteRenderer | None = None
    staged: StagedSite | None = None
    finished: bool = False
    failed: bool = False
    generated: set[str] = field(default_factory=set)
    #: the problems shown at the top of every page of a live preview
    notice: str = ""


_build = _Build()


def on_startup(command: str, dirty: bool) -> None:
    # `mkdocs serve --clean` reports itself as "build", but serves a temporary folder of its own:
    # staging that build would leave the server an empty folder. Only serve imports its module.
    serving = command == "serve" or "mkdocs.commands.serve" in sys.modules
    _build.command = "serve" if serving else command


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = Path(config.config_file_path).parent
    problems = Problems()
    settings = Settings.from_mapping(config.extra.get("cardkb"), problems, Location("mkdocs.yml"))
    docs_dir = Path(config.docs_dir).relative_to(root).as_posix()
    if config.extra.get("analytics"):
        # Material loads analytics from a script at run time, where the privacy plugin cannot
        # see it: refuse it here, since a practice's site must request nothing from outside.
        problems.error(Location("mkdocs.yml"), "extra: analytics would send every reader's "
                       "visits outside the practice; a cardkb site requests nothing from outside, "
                       "so remove it")
    checked = check_project(root, settings, docs_dir, problems)
    previewing = _build.command == "serve"
    found = problems.sorted()
    _report(found, preview_log if previewing else log)
    if problems.errors and not previewing:
        raise Abort(f"cardkb: {len(problems.errors)} problem(s) in the cards or their links; "
                    "nothing was built and the last site is unchanged")
    kb = checked.knowledge_base
    if previewing:
        # The author sees drafts in the preview, marked as drafts; the problems listed are
        # still exactly those a build would stop on.
        kb.show_drafts = True
    _build.renderer = SiteRenderer(kb, UrlLayout(config.use_directory_urls), settings)
    notice = _build.renderer.problems_notice(found) if previewing else ""
    _build.notice = str(notice)  # plain text from here: Markup + str would escape the page
    _build.finished = _build.failed = False
    config.extra["cardkb"] = {**(config.extra.get("cardkb") or {}),
                              "disclaimer": settings.disclaimer}
    config.extra["status"] = {**VERDICT_STATUS, **(config.extra.get("status") or {})}
    _drop_worker_shim(config)
    for extension in REQUIRED_EXTENSIONS:
        if extension not in config.markdown_extensions:
            config.markdown_extensions.append(extension)
    cards_dir = str(root / settings.cards_dir)
    if cards_dir not in config.watch:
        config.watch.append(cards_dir)
    config.nav = _navigation(config.nav, kb, Path(config.docs_dir), settings.nav_max_patterns)
    if _build.command == "build":
        _build.staged = StagedSite(Path(config.site_dir))
        config.site_dir = str(_build.staged.begin())
    return config


def _drop_worker_shim(config: MkDocsConfig) -> None:
    """Material's offline plugin (``OFFLINE=true``) adds iframe-worker from unpkg.com, a shim
    for its search's Web Worker on ``file://``. cardkb has no Material search and no page starts
    a worker (the finder needs none), so the shim would only be a script from outside."""
    polyfills = config.extra.get("polyfills")
    if polyfills:
        config.extra["polyfills"] = [url for url in polyfills if "iframe-worker" not in url]


def on_files(files: Files, config: MkDocsConfig) -> Files:
    assert _build.renderer is not None
    _build.generated.clear()
    # A build has stopped already on a file that is not an ordinary file of the project; a live
    # preview goes on, so it must not read (a named pipe would hang it) or publish such a file.
    root = Path(config.config_file_path).parent
    for file in list(files):  # the docs folder's files only: the theme's live elsewhere
        if file.src_dir == config.docs_dir and file.abs_src_path and not is_ordinary_file(
                Path(file.abs_src_path), root):
            files.remove(file)
    for page in _build.renderer.pages():
        if files.get_file_from_path(page.src_uri) is not None:
            raise Abort(f"{Path(config.docs_dir).name}/{page.src_uri}: this page would hide a "
                        "generated cardkb page; rename or move it")
        # Generated pages need not be in the nav (cards of a large site are reached through
        # their pattern), so MkDocs should not list them as omitted.
        files.append(File.generated(config, page.src_uri, content=page.content,
                                    inclusion=InclusionLevel.NOT_IN_NAV))
        _build.generated.add(page.src_uri)
    if _build.command == "serve":
        for page in _build.renderer.broken_pages():
            if page.src_uri not in _build.generated and not files.get_file_from_path(page.src_uri):
                files.append(File.generated(config, page.src_uri, content=page.content,
                                            inclusion=InclusionLevel.NOT_IN_NAV))
                _build.generated.add(page.src_uri)
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri in _build.generated:
        _mark_escaped(page)
    if _build.renderer is None or page.file.src_uri in _build.generated:
        return markdown
    return _build.renderer.content_page(markdown, page.url)


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not _build.notice:
        return html
    title_end = html.find("</h1>") + len("</h1>") if "</h1>" in html else 0
    return html[:title_end] + _build.notice + html[title_end:]


def on_post_build(config: MkDocsConfig) -> None:
    _build.finished = True


def on_build_error(error: Exception) -> None:
    _build.failed = True


def on_shutdown() -> None:
    staged, _build.staged = _build.staged, None
    if staged is None:
        return
    if _build.finished and not _build.failed:
        staged.commit()
    else:
        staged.abandon()
        log.info("cardkb: the build failed, so the last good site was left as it was")


def _mark_escaped(page: Page) -> None:
    """Tell the theme that a generated page's title and description are HTML already.

    MkDocs and Material print titles as HTML (unescaped) in the navigation, header, footer and
    ``<title>``, and the description into an attribute, so the core writes them escaped; as
    Markup they are also left alone where Material escapes them again (``title | e``), so a
    reader sees "A & B", never "A &amp; B".
    """
    for key in ("title", "description"):
        if isinstance(page.meta.get(key), str):
            page.meta[key] = Markup(page.meta[key])


def _text(title: str) -> Markup:
    """Author text as an HTML-escaped title for MkDocs' navigation (which prints it as HTML)."""
    return Markup.escape(title)


def _report(problems: list[Problem], logger: logging.Logger) -> None:
    for problem in problems:
        if problem.severity is Severity.ERROR:
            logger.error(str(problem))
        else:
            logger.warning(str(problem))


def _navigation(nav: list[Any] | None, kb: KnowledgeBase, docs_dir: Path,
                max_patterns: int) -> list[Any]:
    """The site's navigation with the patterns filled in.

    A ``patterns/index.md`` entry in the configured nav becomes a section of pattern sections,
    each holding its cards; with ``navigation.prune`` a page then carries every pattern's title
    and its own pattern's cards. Material writes that into every page, so beyond
    ``max_patterns`` patterns the entry stays the one Patterns page, which lists them all, and
    each page's navigation keeps the same size however large the knowledge base grows.
    """
    patterns = kb.visible_patterns()
    sections = [{_text(p.title): [f"patterns/{p.id}/index.md", *(
        {_text(c.title): f"cards/{c.id}/index.md"} for c in _in_page_order(kb.listed_cards(p))
        if c.pattern is p)]}
        for p in patterns] if len(patterns) <= max_patterns else []
    patterns_entry = {"Patterns": [PATTERNS_INDEX, *sections]}
    if nav is None:
        return [*_content_nav(docs_dir, docs_dir), {"Sign finder": SIGNS_PAGE}, patterns_entry]
    expanded, found = [], False
    for item in nav:
        title, target = next(iter(item.items())) if isinstance(item, dict) else (None, item)
        if target == PATTERNS_INDEX:
            expanded.append({title or "Patterns": [PATTERNS_INDEX, *sections]})
            found = True
        else:
            expanded.append(item)
    return expanded if found else [*expanded, patterns_entry]


def _in_page_order(cards: list[Card]) -> list[Card]:
    """Cards as their pattern page shows them: those that backfire, then those that work.

    Each card's page carries its verdict as Material's navigation ``status`` (see VERDICT_STATUS),
    so the sidebar marks it without touching the plain-text title."""
    return sorted(cards, key=lambda card: card.verdict != "backfires")


def _content_nav(folder: Path, docs_dir: Path) -> list[Any]:
    """The hand-written pages as MkDocs would list them: index first, then files, then folders."""
    files = sorted(folder.glob("*.md"), key=lambda f: (f.name != "index.md", f.name))
    entries: list[Any] = [f.relative_to(docs_dir).as_posix() for f in files]
    for sub in sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")):
        if children := _content_nav(sub, docs_dir):
            entries.append({_text(sub.name.replace("-", " ").capitalize()): children})
    return entries
