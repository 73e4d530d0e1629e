"""The MkDocs plugin (``plugins: - cardkb``): a thin layer over the engine-agnostic core.

This is the only module that imports MkDocs. It runs the pipeline before MkDocs touches
``site_dir``, hands the rendered pages to MkDocs as generated files, fills ``[[links]]`` into the
hand-written pages, puts the patterns into the navigation, and builds into a staging folder that
replaces the site only when the whole build succeeded. In a live preview (``mkdocs serve``) a
problem does not stop the server: the preview leaves out what is wrong and lists the problems at
the top of every page, where an author who never looks at the terminal will see them.

The package carries what the pages need besides themselves (the stylesheets and scripts, the
vendored libraries, the theme overrides), so a practice's repository holds only ``cards/``,
``content/`` and ``mkdocs.yml``; a file of the same name in the docs folder wins.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .config import Settings
from .engine_files import RenderedSite, prepare_site
from .live_site import LiveSite
from .navigation import NavNode, config_nav
from .pins import PINS_DIR, read_pins
from .preview_server import NOTICE_MARKER
from .problems import Location, Problem, Problems, Severity
from .project import check_project
from .project_files import is_ordinary_file
from .read_cache import ReadCache
from .render import GeneratedPage, SiteRenderer
from .site_files import OVERRIDES_DIR, SiteAsset, is_retired, site_assets
from .staging import StagedSite
from .theme import REQUIRED_EXTENSIONS, VERDICT_STATUS, refuse_analytics
from .urls import UrlLayout

log = logging.getLogger("mkdocs.plugins.cardkb")
#: the module each engine's ``serve`` command imports
SERVE_MODULES = frozenset({"mkdocs.commands.serve", "properdocs.commands.serve"})
ENGINE_RECOMMENDATION = (
    "cardkb: MkDocs 1.x is no longer maintained and Material for MkDocs ends on 2027-05-05. "
    "cardkb recommends ProperDocs, the maintained fork of MkDocs 1.x, installed with cardkb: "
    "`properdocs build -f mkdocs.yml` builds this same site with the same plugin. Zensical, "
    "Material's successor, builds it too (README, \"Three engines\").")
# In a live preview, problems are printed through a logger of their own: on MkDocs' loggers,
# strict mode would count them and refuse to serve anything until they are fixed.
preview_log = logging.getLogger("cardkb.preview")
if not preview_log.handlers:
    _preview_handler = logging.StreamHandler()
    _preview_handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    preview_log.addHandler(_preview_handler)
    preview_log.propagate = False


class CardkbPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    """No options of its own: cardkb's settings live under ``extra: cardkb:``, where the
    ``cardkb`` command (which does not import MkDocs) reads them too."""


@dataclass
class BuildState:
    """What one run of MkDocs knows between events."""

    command: str | None = None
    renderer: SiteRenderer | None = None
    staged: StagedSite | None = None
    finished: bool = False
    failed: bool = False
    generated: set[str] = field(default_factory=set)
    #: what each page of a live preview carries where the problems go (``cardkb preview``: a
    #: marker that its server replaces with :attr:`notice_html`)
    notice: str = ""
    notice_html: str = ""
    #: ``cardkb preview``'s knowledge base, kept between saves, and what MkDocs made of it
    live: LiveSite | None = None
    files: Files | None = None
    nav: Navigation | None = None
    env: jinja2.Environment | None = None


class CardkbPlugin(BasePlugin[CardkbPluginConfig]):  # type: ignore[no-untyped-call]
    """cardkb for MkDocs. With ``on_startup`` defined, MkDocs keeps one instance for a whole
    ``mkdocs serve``, so the state below lives exactly as long as the command."""

    def __init__(self) -> None:
        self.state = BuildState()
        #: set by ``cardkb preview`` (mkdocs_preview.py) before it builds: the preview keeps
        #: the knowledge base between saves, and the server adds the problems to each page
        self.read_cache: ReadCache | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # `mkdocs serve --clean` reports itself as "build", but serves a temporary folder of its
        # own: staging that build would leave the server an empty folder. Only serve imports its
        # module (ProperDocs' under its own name).
        serving = command == "serve" or not SERVE_MODULES.isdisjoint(sys.modules)
        self.state.command = "serve" if serving else command
        if running_the_mkdocs_command():
            recommend_a_maintained_engine()

    # Late, after other plugins changed the configuration (the offline plugin turns directory
    # URLs off, and every link cardkb writes depends on that).
    @event_priority(-100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        state = self.state
        root, config_name = config_root(config), config_file_name(config)
        problems = Problems()
        settings = Settings.from_mapping(config.extra.get("cardkb"), problems,
                                         Location(config_name))
        docs_dir = Path(config.docs_dir).relative_to(root).as_posix()
        refuse_analytics(config.extra, Location(config_name), problems)
        previewing = state.command == "serve"
        layout = UrlLayout(config.use_directory_urls)
        if self.read_cache is not None:
            state.live = LiveSite(root, settings, docs_dir, layout, config.nav, self.read_cache)
            snapshot = state.live.start(problems)
            report_problems(snapshot.problems, preview_log)
            site = RenderedSite(snapshot.renderer, snapshot.navigation)
            found = snapshot.problems
        else:
            state.live = None  # MkDocs keeps one instance per process: forget a preview's
            checked = check_project(root, settings, docs_dir, problems)
            found = problems.sorted()
            report_problems(found, preview_log if previewing else log)
            if problems.errors and not previewing:
                raise Abort(f"cardkb: {len(problems.errors)} problem(s) in the cards or their "
                            "links; nothing was built and the last site is unchanged")
            kb = checked.knowledge_base
            if previewing:
                # The author sees drafts in the preview, marked as drafts; the problems listed
                # are still exactly those a build would stop on.
                kb.show_drafts = True
            site = prepare_site(kb, layout, settings, config.nav, Path(config.docs_dir),
                                read_pins(root))
        state.renderer = site.renderer
        notice = state.renderer.problems_notice(found) if previewing else ""
        # plain text from here: Markup + str would escape the page; `cardkb preview`'s server
        # puts the problems where the marker is as it serves the page, so a save that adds or
        # mends a problem need not build every page again
        state.notice_html = str(notice)
        state.notice = NOTICE_MARKER if state.live else state.notice_html
        state.finished = state.failed = False
        config.extra["cardkb"] = {**(config.extra.get("cardkb") or {}),
                                  "disclaimer": settings.disclaimer}
        config.extra["status"] = {**VERDICT_STATUS, **(config.extra.get("status") or {})}
        _drop_worker_shim_from_outside(config)
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        cards_dir = str(root / settings.cards_dir)
        if cards_dir not in config.watch:
            config.watch.append(cards_dir)
        pins_dir = str(root / PINS_DIR)  # a page pinned again drops its drift banner
        if previewing and Path(pins_dir).is_dir() and pins_dir not in config.watch:
            config.watch.append(pins_dir)
        _add_theme_overrides(config)
        _add_site_assets(config, Path(config.docs_dir))
        config.nav = mkdocs_nav(site.navigation)
        if state.command == "build":
            state.staged = StagedSite(Path(config.site_dir))
            config.site_dir = str(state.staged.begin())
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        state = self.state
        assert state.renderer is not None
        state.generated.clear()
        # A build has stopped already on a file that is not an ordinary file of the project; a
        # live preview goes on, so it must not read (a named pipe would hang it) or publish such
        # a file.
        root = config_root(config)
        for file in list(files):  # the docs folder's files only: the theme's live elsewhere
            if file.src_dir == config.docs_dir and file.abs_src_path and not is_ordinary_file(
                    Path(file.abs_src_path), root):
                files.remove(file)
        for asset in site_assets():
            existing = files.get_file_from_path(asset.src_uri)
            if existing is not None and not (existing.abs_src_path and asset.is_source_of(
                    Path(existing.abs_src_path))):
                continue  # the site's own file of that name wins
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, asset.src_uri, content=asset.published()))
        pages = ([GeneratedPage(uri, text) for uri, text in state.live.snapshot.pages.items()]
                 if state.live is not None and state.live.snapshot is not None
                 else state.renderer.pages())
        for page in pages:
            if files.get_file_from_path(page.src_uri) is not None:
                raise Abort(f"{Path(config.docs_dir).name}/{page.src_uri}: this page would hide "
                            "a generated cardkb page; rename or move it")
            # Generated pages need not be in the nav (cards of a large site are reached through
            # their pattern), so MkDocs should not list them as omitted.
            files.append(File.generated(config, page.src_uri, content=page.content,
                                        inclusion=InclusionLevel.NOT_IN_NAV))
            state.generated.add(page.src_uri)
        if state.command == "serve" and state.live is None:  # the live site has them already
            for page in state.renderer.broken_pages():
                if page.src_uri not in state.generated and not files.get_file_from_path(
                        page.src_uri):
                    files.append(File.generated(config, page.src_uri, content=page.content,
                                                inclusion=InclusionLevel.NOT_IN_NAV))
                    state.generated.add(page.src_uri)
        if state.live is not None:
            state.files = files
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self.state.live is not None:
            self.state.nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig,
               files: Files) -> jinja2.Environment:
        if self.state.live is not None:
            self.state.env = env
        return env

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        state = self.state
        if page.file.src_uri in state.generated:
            _mark_escaped(page)
        if state.renderer is None or page.file.src_uri in state.generated:
            return markdown
        return state.renderer.content_page(markdown, page.url, page.file.src_uri)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        notice = self.state.notice
        if not notice:
            return html
        title_end = html.find("</h1>") + len("</h1>") if "</h1>" in html else 0
        return html[:title_end] + notice + html[title_end:]

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.state.finished = True

    def on_build_error(self, *, error: Exception) -> None:
        self.state.failed = True

    def on_shutdown(self) -> None:
        state = self.state
        staged, state.staged = state.staged, None
        if staged is None:
            return
        if state.finished and not state.failed:
            staged.commit()
        else:
            staged.abandon()
            log.info("cardkb: the build failed, so the last good site was left as it was")


def config_root(config: MkDocsConfig) -> Path:
    """The folder of the site's configuration, absolute: the engine records the file as it was
    named (``-f mkdocs.yml`` is relative), while ``docs_dir`` is always absolute."""
    return Path(config.config_file_path or "mkdocs.yml").resolve().parent


def config_file_name(config: MkDocsConfig) -> str:
    """``mkdocs.yml`` or ``properdocs.yml``, as problem lines name it."""
    return Path(config.config_file_path or "mkdocs.yml").name


def running_the_mkdocs_command() -> bool:
    """The ``mkdocs`` command (or ``python -m mkdocs``), the one Material's end-of-life notice is
    printed under; not ProperDocs, not ``cardkb preview``."""
    program = Path(sys.argv[0])
    return program.name in ("mkdocs", "mkdocs.exe") or (
        program.name == "__main__.py" and program.parent.name == "mkdocs")


@functools.cache
def recommend_a_maintained_engine() -> None:
    """Once per process, after Material's own end-of-life notice: what cardkb recommends
    instead (README, "Three engines"). ``mkdocs build -q`` leaves it out."""
    log.info(ENGINE_RECOMMENDATION)


def mkdocs_nav(nodes: Sequence[NavNode]) -> list[Any]:
    """The neutral navigation as MkDocs' ``nav``, titles escaped as Markup, so that Material's
    own ``| e`` leaves them as they are."""
    return config_nav(nodes, Markup.escape)


def _drop_worker_shim_from_outside(config: MkDocsConfig) -> None:
    """Material's offline plugin (``OFFLINE=true``) adds iframe-worker from unpkg.com, a shim
    for its search's Web Worker on ``file://``. No cardkb page starts a worker (the finder needs
    none), so that shim would only be a script from outside; one the site ships itself stays."""
    polyfills = config.extra.get("polyfills")
    if polyfills:
        config.extra["polyfills"] = [url for url in polyfills
                                     if not ("iframe-worker" in url and "://" in url)]


def _add_theme_overrides(config: MkDocsConfig) -> None:
    """cardkb's theme overrides (the disclaimer, an accessible nav label) after the site's own
    ``custom_dir``, which can still override them, and before the theme's files."""
    dirs: list[str] = config.theme.dirs
    overrides = str(OVERRIDES_DIR)
    if any(Path(d).resolve() == OVERRIDES_DIR.resolve() for d in dirs):
        return
    custom = config.theme.custom_dir
    dirs.insert(1 if custom and dirs and Path(dirs[0]) == Path(custom) else 0, overrides)


def _drop_retired_assets(config: MkDocsConfig, docs_dir: Path) -> None:
    """Without this, a page would ask for a file cardkb no longer ships: a failed request on
    every page (the site's own file of that name still wins)."""
    for listed in (config.extra_css, config.extra_javascript):
        for entry in list(listed):
            path = str(getattr(entry, "path", entry))
            if is_retired(path, docs_dir):
                listed.remove(entry)
                log.info("cardkb: mkdocs.yml lists %s, which cardkb no longer ships (practice "
                         "loads its own files now); it is left out, and the line can go", path)


def _add_site_assets(config: MkDocsConfig, docs_dir: Path) -> None:
    """The stylesheets and scripts every page needs, unless mkdocs.yml lists them already."""
    _drop_retired_assets(config, docs_dir)
    listed_css = {str(path) for path in config.extra_css}
    listed_js = {str(getattr(script, "path", script)) for script in config.extra_javascript}
    for asset in site_assets():
        asset_listed = asset.src_uri in listed_css or asset.src_uri in listed_js
        if asset.page_style and not asset_listed:
            config.extra_css.append(asset.src_uri)
        elif asset.page_script and not asset_listed:
            config.extra_javascript.append(asset.src_uri)


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


def report_problems(problems: list[Problem], logger: logging.Logger) -> None:
    """Each problem as one line of the build's (or the preview's) log."""
    for problem in problems:
        if problem.severity is Severity.ERROR:
            logger.error(str(problem))
        else:
            logger.warning(str(problem))


__all__ = ["CardkbPlugin", "SiteAsset", "mkdocs_nav", "report_problems"]
