"""``cardkb preview``: the live preview on MkDocs, answering a save in about a second.

``mkdocs serve`` builds every page again after each save, and holds every request meanwhile:
35-42 s at 3,000 cards. Here MkDocs builds the whole site once, with the cardkb plugin keeping
its knowledge base (:class:`~cardkb.live_site.LiveSite`); after a save, the live site names the
pages whose text changed, and only those go through MkDocs' own page machinery again (Markdown,
the theme's template, the plugins' page events), each written whole and moved into place. A
save that changes the set of pages or the navigation builds a whole new site in a new folder,
while the last one is still served. :class:`~cardkb.preview_server.PreviewServer` serves it all
without ever waiting for a rebuild, with the problems shown at the top of every page.

The finder's index and the JSON export keep their state until the next full build.

This module is MkDocs' side of the preview, like ``mkdocs_plugin.py``; it uses two functions of
``mkdocs.commands.build`` that build one page, which MkDocs' own build calls for every page.
ProperDocs has the same functions under its own name: for a ``properdocs.yml`` (or ``--engine
properdocs``) the ``cardkb`` command points ``mkdocs.*`` at them first (:mod:`cardkb.engines`).
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.commands.build import _build_page, _populate_page, build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page

from .edit_api import EditApi, loopback_hosts
from .file_watch import ChangeWatcher
from .live_site import Update
from .mkdocs_config import read_site_config
from .mkdocs_plugin import CardkbPlugin, report_problems
from .pins import PINS_DIR
from .preview_server import PreviewServer
from .problems import Problems, one_line
from .read_cache import ReadCache

log = logging.getLogger("cardkb.preview")


@dataclass
class _Built:
    """One full build: its folder, and the MkDocs objects its pages are rebuilt with."""

    site_dir: Path
    config: MkDocsConfig
    plugin: CardkbPlugin
    doc_files: Sequence[File] = ()
    #: the generated pages ``doc_files`` was listed with
    generated: set[str] = field(default_factory=set)


class MkDocsPreview:
    def __init__(self, config_file: Path, host: str, port: int,
                 allowed_hosts: Sequence[str] = ()) -> None:
        self.config_file = config_file.resolve()
        self.root = self.config_file.parent
        self.server = PreviewServer(host, port, allowed_hosts)
        if self.server.is_loopback:  # the editor writes files: for this computer's browser only
            site = read_site_config(self.config_file, Problems())
            if site is not None:
                EditApi(site, loopback_hosts(self.server),
                        served_site=lambda: self.server.root).attach(self.server)
        self.cache = ReadCache()
        self.built: _Built | None = None
        #: set by Ctrl-C or SIGTERM: the interrupt they raise can be lost (see :meth:`run`)
        self.stopping = threading.Event()

    # -- full builds ------------------------------------------------------------------------

    def build_everything(self) -> bool:
        """Build the whole site into a new folder and serve it; on failure keep the last one."""
        site_dir = Path(tempfile.mkdtemp(prefix="cardkb-preview-"))
        started = time.monotonic()
        gc.unfreeze()  # the last build's objects may go once this one replaces them
        try:
            config = load_config(str(self.config_file), site_dir=str(site_dir))
            config.site_url = self.server.url
            plugin = config.plugins.get("cardkb")
            if not isinstance(plugin, CardkbPlugin):
                raise Abort("mkdocs.yml must list the cardkb plugin under plugins:")
            plugin.read_cache = self.cache
            config.plugins.on_startup(command="serve", dirty=False)
            build(config, serve_url=self.server.url)
        except BaseException as error:  # whatever stopped it, the preview goes on
            shutil.rmtree(site_dir, ignore_errors=True)
            if not isinstance(error, Exception):  # Ctrl-C or SIGTERM while building
                raise
            log.error("cardkb: the preview could not be built (%s)%s", _describe(error),
                      "; the last one is still shown" if self.built else
                      "; fix it and start the preview again")
            return False
        state = plugin.state
        assert state.files is not None
        built = _Built(site_dir, config, plugin,
                       state.files.documentation_pages(inclusion=InclusionLevel.is_in_serve),
                       set(state.generated))
        previous, self.built = self.built, built
        self.server.publish(site_dir, state.notice_html)
        if previous is not None:
            previous.config.plugins.on_shutdown()
            shutil.rmtree(previous.site_dir, ignore_errors=True)
        # What the build made lives until the next full build: out of the garbage collector's
        # reach, a collection during a save (or a reader's request) no longer walks all of it.
        gc.collect()
        gc.freeze()
        log.info("cardkb: built the whole preview in %.1f s", time.monotonic() - started)
        return True

    # -- one save ---------------------------------------------------------------------------

    def saved(self, paths: set[Path]) -> None:
        """Rebuild what the saves of ``paths`` changed."""
        built = self.built
        live = built.plugin.state.live if built is not None else None
        relative = {_relative(path, self.root) for path in paths}
        if built is None or live is None or any(
                not _inside(path, live.settings.cards_dir) and
                not _inside(path, live.docs_dir) and not _inside(path, PINS_DIR)
                for path in relative):
            self.build_everything()  # mkdocs.yml, the theme's overrides, or no site yet
            return
        started = time.monotonic()
        update = live.update(relative)
        if update.everything or not self._rebuild(built, update):
            self.build_everything()  # which lists the problems
            return
        report_problems(update.snapshot.problems, log)
        built.plugin.state.notice_html = str(update.snapshot.renderer.problems_notice(
            update.snapshot.problems))
        self.server.publish(built.site_dir, built.plugin.state.notice_html)
        count = len(update.pages) + len(update.content)
        log.info("cardkb: %d page%s rebuilt in %.2f s (%d looked at); the finder's index "
                 "catches up at the next full build", count, "s" * (count != 1),
                 time.monotonic() - started, update.rendered)

    def _rebuild(self, built: _Built, update: Update) -> bool:
        """Build the changed pages again; False when a page's title moved the navigation."""
        config, state = built.config, built.plugin.state
        files = state.files
        assert files is not None and state.nav is not None and state.env is not None
        state.renderer = update.snapshot.renderer
        for src_uri in update.removed:
            file = files.get_file_from_path(src_uri)
            if file is not None:
                files.remove(file)
                state.generated.discard(src_uri)
                Path(file.abs_dest_path).unlink(missing_ok=True)
        for src_uri, text in update.pages.items():
            if files.get_file_from_path(src_uri) is None:  # a new card, pattern or former id
                file = File.generated(config, src_uri, content=text,
                                      inclusion=InclusionLevel.NOT_IN_NAV)
                files.append(file)
                state.generated.add(src_uri)
                if file.is_documentation_page():
                    Page(None, file, config)
        if state.generated != built.generated:
            built.doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
            built.generated = set(state.generated)
        for src_uri, text in update.pages.items():
            file = files.get_file_from_path(src_uri)
            assert file is not None
            file.content_string = text
            if file.page is None:  # not a page: a redirect, the finder's data
                _replace(Path(file.abs_dest_path), text.encode("utf-8"))
            else:
                self._build(built, file)
        for src_uri in update.content:
            file = files.get_file_from_path(src_uri)
            if file is None or file.page is None:
                return False
            title = file.page.title
            self._build(built, file)
            if file.page.title != title:
                return False
        return True

    def _build(self, built: _Built, file: File) -> None:
        """One page through MkDocs, written to a new file that then replaces the old one."""
        config, state = built.config, built.plugin.state
        assert file.page is not None and state.files and state.nav and state.env
        final = file.abs_dest_path
        partial = f"{final}.cardkb-new"
        file.abs_dest_path = partial  # cached per file: set back below
        try:
            _populate_page(file.page, config, state.files)
            _build_page(file.page, config, built.doc_files, state.nav, state.env)
        finally:
            file.abs_dest_path = final
        os.replace(partial, final)

    # -- the whole preview ------------------------------------------------------------------

    def run(self) -> int:
        # Watched before the first build, so that a file saved while it runs is not missed.
        watcher = ChangeWatcher(self._source_folders())
        serving = threading.Thread(target=self.server.serve_forever, daemon=True)
        try:
            if not self.server.is_loopback:
                log.warning("cardkb: the preview listens on %s, beyond this computer: anyone on "
                            "the network can read it, drafts and unpublished cards included",
                            self.server.url)
            if not self.build_everything():
                return 1
            self._stop_if_asked()
            if self.built is not None:
                watcher.add(Path(path) for path in self.built.config.watch)
            serving.start()
            log.info("cardkb: serving the preview on %s (Ctrl-C to stop)", self.server.url)
            while True:
                self._stop_if_asked()
                changes = watcher.next_changes()
                try:
                    self.saved(changes)
                except Exception as error:  # a page MkDocs cannot build, say
                    log.error("cardkb: this save could not be shown (%s); building the whole "
                              "preview again", _describe(error))
                    self.build_everything()
        finally:
            watcher.stop()
            if serving.is_alive():
                self.server.shutdown()  # waits for serve_forever, so only once it runs
            self.server.server_close()
            if self.built is not None:
                self.built.config.plugins.on_shutdown()
                shutil.rmtree(self.built.site_dir, ignore_errors=True)

    def _stop_if_asked(self) -> None:
        """An interrupt raised while Python runs a finalizer (a weak reference's callback
        during a build, say) is printed and dropped, and the preview would wait for the next
        save for ever; the flag its signal set is never lost."""
        if self.stopping.is_set():
            raise KeyboardInterrupt

    def _source_folders(self) -> list[Path]:
        """mkdocs.yml, the cards and the docs folder (read as ``cardkb check`` reads them), and
        the curricula's pins (a page pinned again drops its drift banner)."""
        site = read_site_config(self.config_file, Problems())
        if site is None:
            return [self.config_file]
        pins = [site.root / PINS_DIR] if (site.root / PINS_DIR).is_dir() else []
        return [self.config_file, site.root / site.settings.cards_dir, site.root / site.docs_dir,
                *pins]


def _describe(error: Exception) -> str:
    """An error in one line: MkDocs' own messages as they are, others with their kind."""
    if isinstance(error, (Abort, ConfigurationError)):
        return one_line(str(error))
    return one_line(f"{type(error).__name__}: {error}")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip("/") + "/")


def _replace(target: Path, content: bytes) -> None:
    partial = target.with_name(target.name + ".cardkb-new")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(content)
    os.replace(partial, target)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _stopped_by_signals(stopping: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM end the preview, so its temporary site folder is removed; each also
    sets ``stopping``, which outlives an interrupt Python had to drop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        stopping.set()
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt) for number in _STOP_SIGNALS
                if signal.getsignal(number) is not signal.SIG_IGN}  # nohup's choice stands
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def preview(config_file: Path, dev_addr: str, allowed_hosts: Sequence[str] = ()) -> int:
    """Run the preview until Ctrl-C or SIGTERM."""
    host, _, port = dev_addr.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        print(f"cardkb: --dev-addr {dev_addr}: give a host and a port, such as 127.0.0.1:8000")
        return 1
    try:
        session = MkDocsPreview(config_file, host or "127.0.0.1", int(port), allowed_hosts)
    except OSError as error:
        print(f"cardkb: cannot serve the preview on {dev_addr} ({error.strerror}): is another "
              f"preview running? Stop it, or give another port, such as --dev-addr "
              f"{host or '127.0.0.1'}:{int(port) + 1}")
        return 1
    with _stopped_by_signals(session.stopping):
        return session.run()
