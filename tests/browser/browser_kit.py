"""What the browser and deployment tests share: the fixture project and its builds, a loopback
server for a built site under a sub-path, and a browser context that records every request.

The tests build the repository's own site (its mkdocs.yml, cards, pages and theme overrides, plus
the small additions under ``fixture/``) into temporary folders. Nothing may leave the machine:
every request the browser makes is recorded, and anything not on loopback or on disk is blocked
and fails the test. (A module of its own rather than conftest.py, so that tests can import it
without ``import conftest`` meaning another folder's conftest.)
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixture"

CHROMIUM = "/usr/bin/chromium"
#: the screens a reader's page is looked at on: a phone (390 px wide, touch) and a desktop
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                         "has_touch": True}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}
NGINX = "/usr/sbin/nginx"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: the sub-path the site is served under, as on https://intranet.example/kb/
SUB_PATH = "/kb/"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
#: schemes that never leave the machine
LOCAL_SCHEMES = {"file", "data", "blob", "about"}

#: a pattern page that prints as a handout in the print test, and the outside link the fixture
#: adds to its sources
PRINT_PATTERN = "stuck-client"
OUTSIDE_SOURCE_URL = "https://guide.example/stuck-clients"
#: a sign the fixture adds to that pattern, and the words a supervisor would search it by
FIXTURE_SIGN = "The client arrives clutching a handwritten ledger of grievances about last week."
FIXTURE_SIGN_QUERY = "handwritten ledger grievances"
#: a former id the fixture gives a card, so the site has a redirect page to load too
ALIAS = ("defend-the-therapy-process", "defend-the-process")
#: the fixture's curriculum-style page
CURRICULUM_SRC = "curricula/browser-test-module.md"


# -- the fixture project and its builds ----------------------------------------------------------

#: copied instead of linked, or what a build of the repository itself left (a linked
#: .cardkb-zensical/ would put the copy's Zensical build on the repository's disk, which a
#: temporary folder in memory cannot rename across)
_NOT_COPIED = {"site", "content", "cards", "mkdocs.yml", "tests", ".git", ".venv", ".cache",
               ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", ".cardkb-zensical",
               ".venv-model", ".hypothesis"}


def make_project(target: Path) -> Path:
    """A copy of the repository's site project at ``target``, with the fixture's additions.

    ``mkdocs.yml``, ``content/`` and ``cards/`` are copied (tests change them); everything else
    the build may read (hooks, theme overrides) is linked. The fixture adds a curriculum-style
    page, a sign and an outside link in one pattern, and a former id for one card.
    """
    target.mkdir(parents=True)
    for entry in REPO.iterdir():
        if entry.name in _NOT_COPIED or entry.name.startswith((".site", ".site.")):
            continue
        if entry.is_dir() or entry.suffix in {".py", ".yml", ".yaml", ".toml"}:
            (target / entry.name).symlink_to(entry)
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    ignore = shutil.ignore_patterns("__pycache__", ".*")
    shutil.copytree(REPO / "content", target / "content", ignore=ignore)
    shutil.copytree(REPO / "cards", target / "cards", ignore=ignore)
    shutil.copytree(FIXTURE / "content", target / "content", dirs_exist_ok=True)

    pattern_file = target / "cards" / PRINT_PATTERN / "pattern.yml"
    text = pattern_file.read_text("utf-8")
    source = f'  - "A worked example: [the stuck-client guide]({OUTSIDE_SOURCE_URL})."\n'
    assert "\nsources:\n" in text, f"{pattern_file.name} of {PRINT_PATTERN} lost its sources"
    text = text.replace("\nsources:\n", "\nsources:\n" + source, 1)
    assert "\nsigns:\n" in text, f"{pattern_file.name} of {PRINT_PATTERN} lost its signs"
    sign = f'  - text: "{FIXTURE_SIGN}"\n    seen_in: client\n'
    pattern_file.write_text(text.replace("\nsigns:\n", "\nsigns:\n" + sign, 1), "utf-8")

    card_id, alias = ALIAS
    card_file = next((target / "cards").glob(f"*/{card_id}.yml"))
    card_text = card_file.read_text("utf-8")
    assert "\naliases:" not in card_text
    card_file.write_text(card_text.rstrip("\n") + f"\naliases: [{alias}]\n", "utf-8")
    return target


def build(project: Path, site: Path, *, offline: bool = False,
          in_process: bool = False) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` of ``project`` into ``site`` as a user runs it (strict, per mkdocs.yml):
    the real command, or the same build in this process (tests/in_process.py), which saves
    starting Python and importing MkDocs again where the command itself proves nothing more."""
    if in_process:
        from tests.in_process import mkdocs_build

        return mkdocs_build(project, ["--quiet", "-f", str(project / "mkdocs.yml"),
                                      "-d", str(site)],
                            env={"OFFLINE": "true" if offline else None})
    env = {k: v for k, v in os.environ.items() if k != "OFFLINE"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if offline:
        env["OFFLINE"] = "true"
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet",
               "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def built(project: Path, site: Path, *, offline: bool = False, in_process: bool = False) -> Path:
    result = build(project, site, offline=offline, in_process=in_process)
    assert result.returncode == 0, f"the build failed:\n{result.stdout}\n{result.stderr}"
    return site


def is_redirect(page: Path) -> bool:
    """Whether a built page is a redirect from a card's former id (it moves on by itself)."""
    return 'http-equiv="refresh"' in page.read_text("utf-8")


def visit(browser_page: Any, url: str, file: Path | None = None) -> None:
    """Load ``url`` and wait until it has settled, following a redirect page to its target."""
    browser_page.goto(url)
    if file is not None and is_redirect(file):
        browser_page.wait_for_url(lambda current: current != url)
        browser_page.wait_for_load_state()


#: the finder's results (the contract's "Finding" section)
RESULTS = "[data-cardkb-results]"
RESULT_LINKS = ("els => els.map(e => (e.matches('a[href]') ? e : e.querySelector('a[href]'))"
                ".href.split('?')[0].split('#')[0])")


def finder_results(browser_page: Any, query: str) -> list[str]:
    """The addresses of the results find/ shows for ``query``, best first, once final.

    Final means: the results element says they answer ``query`` (``data-cardkb-query``) and,
    for a query with words, the rest of the data and the meaning model have loaded and ranked
    them again (``data-cardkb-meaning``, which must say they loaded).
    """
    browser_page.wait_for_function(
        """query => {
            const list = document.querySelector("[data-cardkb-results]");
            return list && list.getAttribute("data-cardkb-query") === query
                && (!query.trim() || list.hasAttribute("data-cardkb-meaning"));
        }""", arg=query)
    if query.strip():
        meaning = browser_page.get_attribute(RESULTS, "data-cardkb-meaning")
        assert meaning == "ready", f"the finder's meaning model did not load: {meaning}"
    return list(browser_page.eval_on_selector_all(f"{RESULTS} [data-cardkb-result]",
                                                  RESULT_LINKS))


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def previewing(project: Path, log: Path, seconds: float = 60) -> Iterator[str]:
    """``cardkb preview`` of ``project`` on a free loopback port, once it serves: its address.
    Its output goes to ``log``; it is stopped with SIGTERM, as a closed terminal stops it."""
    address = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO / "hooks")}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "cardkb.cli", "preview", "--dev-addr",
                                    address], cwd=project, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + seconds
        while "serving the preview on" not in log.read_text("utf-8", "replace"):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield f"http://{address}/"
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for_article(browser_page: Any, *texts: str, absent: str = "") -> None:
    """Wait until the page's article holds every one of ``texts`` and, in the same document,
    nothing matches the selector ``absent``.

    The preview reloads the page by itself after a save, so between two documents there may be
    no article at all: that is "not yet", never an error (an error here was once a flaky run).
    """
    browser_page.wait_for_function(
        """([texts, absent]) => {
            const article = document.querySelector("article");
            return !!article && texts.every((text) => article.innerText.includes(text))
                && !(absent && document.querySelector(absent));
        }""", arg=[list(texts), absent])


def search(browser_page: Any, query: str) -> list[str]:
    """Search as a reader does from any page: type ``query`` into the box in the header and
    press Enter; the finder (find/) opens with the words. The results' addresses, best first."""
    box = browser_page.locator("#cardkb-header-q")
    box.fill(query)
    box.press("Enter")
    browser_page.wait_for_url(lambda url: "/find/" in url and "q=" in url)
    return finder_results(browser_page, query)


def html_pages(site: Path) -> list[Path]:
    """Every HTML page of a built site, the error page last."""
    pages = sorted(site.rglob("*.html"), key=lambda p: (p.name == "404.html", str(p)))
    assert len(pages) > 20, f"only {len(pages)} pages in {site}"
    return pages


# -- serving a built site on loopback under a sub-path -------------------------------------------


class _SubPathHandler(SimpleHTTPRequestHandler):
    """Serves ``directory`` at ``SUB_PATH`` and nothing anywhere else, like an intranet server."""

    def send_head(self) -> Any:
        path = urlsplit(self.path).path
        if path == SUB_PATH.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", SUB_PATH)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(SUB_PATH):
            self.send_error(404, "Outside the site's sub-path")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path.removeprefix(SUB_PATH))

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # the browser hangs up on downloads it no longer needs when a test moves on
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site on a free loopback port; yields its address (ending in ``/kb/``)."""
    handler = functools.partial(_SubPathHandler, directory=str(site))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass(frozen=True)
class BuiltSite:
    """A build as the browser reaches it: served under /kb/, or opened from disk."""

    root: Path
    base: str
    offline: bool

    def url(self, path: str = "") -> str:
        """The address of a page given by its directory URL (``patterns/x/``), in this build."""
        if self.offline and (not path or path.endswith("/")):
            path += "index.html"
        return self.base + path

    def content_url(self, src: str) -> str:
        """The address of a hand-written page given by its source (``curricula/a.md``)."""
        stem = src.removesuffix(".md")
        if stem == "index" or stem.endswith("/index"):
            return self.url(stem.removesuffix("index"))
        return self.base + stem + (".html" if self.offline else "/")

    def url_of(self, file: Path) -> str:
        """The address a reader uses for a built file."""
        relative = file.relative_to(self.root).as_posix()
        return self.base + (relative if self.offline else relative.removesuffix("index.html"))


def same_page(url: str, expected: str) -> bool:
    """Whether ``url`` is the page ``expected``, whatever query or fragment it carries."""
    return url.split("#")[0].split("?")[0] == expected


# -- the browser ---------------------------------------------------------------------------------


def is_local(url: str) -> bool:
    """Whether a request for ``url`` stays on this machine (loopback or disk)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOOPBACK_HOSTS


@dataclass
class Watch:
    """A browser context whose every request, JavaScript error and console error is recorded.

    Requests that would leave loopback are blocked before they are sent, and recorded as
    ``outside``; ``assert_clean`` fails on them and on any error.
    """

    context: Any
    page: Any = None
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def open(self) -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"JavaScript error: {error}"))
        page.on("console", self._console)
        self.page = page
        return page

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(text)
        if message.type == "error":
            self.errors.append(f"console error: {text} ({message.location.get('url', '')})")

    def _request(self, request: Any) -> None:
        self.requests.append(request.url)
        if not is_local(request.url):
            self.outside.append(request.url)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _route(self, route: Any) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def attach(self) -> Watch:
        self.context.on("request", self._request)
        self.context.on("response", self._response)
        self.context.route("**/*", self._route)
        return self

    def reset(self) -> None:
        for record in (self.requests, self.outside, self.failed, self.errors,
                       self.csp_violations):
            record.clear()

    def assert_clean(self, where: str = "") -> None:
        where = f" on {where}" if where else ""
        assert not self.outside, f"requests left the machine{where}: {self.outside}"
        assert not self.errors, f"errors{where}: {self.errors}"
        assert not self.csp_violations, f"CSP violations{where}: {self.csp_violations}"
        assert not self.failed, f"failed requests{where}: {self.failed}"


@contextlib.contextmanager
def watching(browser: Any, **context_options: Any) -> Iterator[Watch]:
    """A fresh browser context with a page, every request and error recorded."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(15_000)
    watch = Watch(context).attach()
    watch.open()
    try:
        yield watch
    finally:
        context.close()
