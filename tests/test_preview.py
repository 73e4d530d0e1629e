"""The live preview shows problems in the page, recovers when they are fixed, and answers fast.

Authors are clinicians: while they edit a card, the preview in their browser is where they look.
A real preview runs on a loopback port: ``cardkb preview`` (what ``make serve`` runs) and
``mkdocs serve`` (which still works with the plugin). A broken card must not leave the browser
waiting (MkDocs' behaviour when a rebuild fails) but serve the rest of the site with every
problem listed at the top of each page, and the list must go away once the file is fixed.
``cardkb preview`` also rebuilds only the pages a save changed, and never holds a request while
it rebuilds.
"""

from __future__ import annotations

import html as html_text
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cardkb.config import Settings
from cardkb.model import KnowledgeBase
from cardkb.problems import Location, Problems
from cardkb.render import SiteRenderer
from cardkb.urls import UrlLayout

from .conftest import BASE_FILES, REPO, Project
from .pages import article

BROKEN_CARD = BASE_FILES["cards/stuck/name-it.yml"].replace("verdict: works", "verdict: work")
PROBLEM = ("cards/stuck/name-it.yml:2:10: verdict: must be 'backfires' or 'works', not 'work' "
           "(did you mean 'works'?)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def text_of(html: str) -> str:
    """The page's text, tags removed, as a reader sees it."""
    return html_text.unescape(re.sub(r"<[^>]+>", "", html))


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


#: each preview's command, and what it prints once it serves
COMMANDS = {
    "cardkb": (["-m", "cardkb.cli", "preview", "--dev-addr"], "serving the preview on"),
    "mkdocs": (["-m", "mkdocs", "serve", "--dev-addr"], "Serving on"),
}


class Preview:
    def __init__(self, project: Project, *options: str, command: str = "cardkb",
                 host: str = "127.0.0.1", env: dict[str, str] | None = None) -> None:
        self.project = project
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = project.root / "serve.log"
        arguments, self.ready = COMMANDS[command]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO / "hooks"),
               **(env or {})}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, *arguments, f"{host}:{self.port}", *options],
                cwd=project.root, env=env, stdout=out, stderr=subprocess.STDOUT)

    def page(self, path: str) -> tuple[int, str]:
        return fetch(self.url + path)

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@contextmanager
def serving(project: Project, *options: str, command: str = "cardkb",
            host: str = "127.0.0.1") -> Iterator[Preview]:
    """A preview of the project, once it has built and listens; stopped afterwards."""
    server = Preview(project, *options, command=command, host=host)
    try:
        assert wait_for(lambda: server.ready in server.output()), server.output()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=list(COMMANDS))
def preview(request: pytest.FixtureRequest,
            make_project: Callable[..., Project]) -> Iterator[Preview]:
    with serving(make_project({"cards/stuck/name-it.yml": BROKEN_CARD}),
                 command=request.param) as server:
        yield server


def test_the_preview_lists_the_problems_on_every_page(preview: Preview) -> None:
    for path in ("", "patterns/stuck/", "cards/defend/", "curricula/module/", "signs/"):
        status, html = preview.page(path)
        assert status == 200, path
        assert 'class="admonition danger cardkb-problems"' in html, path
        assert PROBLEM in text_of(html), path
        assert "&lt;" not in html, path  # the page itself is still HTML, not escaped text
    _, card = preview.page("cards/defend/")
    notice, title, wording = (card.index(s) for s in (
        "cardkb-problems", '<h1 id="defend-the-process"', '<blockquote class="cardkb-wording'))
    assert title < notice < wording  # under the page's title, above its content
    assert PROBLEM in preview.output()
    assert "Traceback" not in preview.output()


def test_the_preview_leaves_out_what_is_wrong(preview: Preview) -> None:
    # at the broken card's own address, the problems instead of a bare "404 - Not found"
    status, html = preview.page("cards/name-it/")
    assert status == 200
    assert PROBLEM in text_of(html)
    assert "This card has problems, listed above, so the preview leaves it out: fix them in " \
        "cards/stuck/name-it.yml and save" in text_of(html)
    assert "Name the stuckness" not in article(html)
    status, html = preview.page("cards/defend/")
    assert status == 200
    assert "Ask for the smallest sign" in html


def test_fixing_the_file_clears_the_problems(preview: Preview) -> None:
    preview.project.write({"cards/stuck/name-it.yml": BASE_FILES["cards/stuck/name-it.yml"]})
    assert wait_for(lambda: "Name the stuckness" in preview.page("cards/name-it/")[1]), \
        preview.output()
    status, html = preview.page("patterns/stuck/")
    assert status == 200
    assert "cardkb-problems" not in html


def test_a_build_still_stops_on_the_same_problem(make_project: Callable[..., Project]) -> None:
    result = make_project({"cards/stuck/name-it.yml": BROKEN_CARD}).build()
    assert result.returncode == 1
    assert PROBLEM in result.stdout + result.stderr


def test_the_preview_survives_a_card_whose_pattern_is_broken(
        make_project: Callable[..., Project]) -> None:
    # ask-directly belongs to the broken pattern, and is shown on the stuck pattern's page too
    project = make_project({"cards/risk/ask-directly.yml": BASE_FILES["cards/risk/ask-directly.yml"]
                            + "also_in: [stuck]\n"})
    project.remove("cards/risk/pattern.yml")
    with serving(project) as server:
        status, html = server.page("patterns/stuck/")
        assert status == 200
        assert "cards/risk:1:1: missing pattern.yml" in text_of(html)
        assert "Traceback" not in server.output()


def test_serve_clean_serves_the_site(make_project: Callable[..., Project]) -> None:
    """``mkdocs serve --clean`` tells the plugin it is a build; it must not be built into a
    staging folder that the server never sees."""
    with serving(make_project(), "--clean", command="mkdocs") as server:
        assert server.page("cards/name-it/")[0] == 200
        assert server.page("")[0] == 200


def test_the_notice_marks_warnings_and_shows_messages_as_text() -> None:
    problems = Problems()
    problems.error(Location("cards/a/b.yml", 3, 7), "title: YAML reads <script>x</script>")
    problems.warning(Location("content/x.md", 2, 1), "[[old]]: 'old' is retired")
    renderer = SiteRenderer(KnowledgeBase(), UrlLayout(), Settings())
    notice = renderer.problems_notice(problems.sorted())
    assert "<script>" not in notice
    assert "cards/a/b.yml:3:7: title: YAML reads <script>x</script>" in text_of(notice)
    assert "content/x.md:2:1: warning: [[old]]: 'old' is retired" in text_of(notice)
    assert "2 problems" in text_of(notice)
    assert renderer.problems_notice([]) == ""


# -- cardkb preview: only what a save changed, and never a held request -------------------------

def without_reload_script(html: str) -> str:
    """The page as built: the server adds a script that changes with every save."""
    return re.sub(r"<script>/\* cardkb preview.*?</script>", "", html, flags=re.DOTALL)


def rebuilt_counts(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"cardkb: (\d+) pages? rebuilt in", output)]


def test_a_save_rebuilds_only_the_pages_it_changed(make_project: Callable[..., Project]) -> None:
    project = make_project()
    with serving(project) as server:
        untouched = without_reload_script(server.page("cards/ask-directly/")[1])
        project.write({"cards/stuck/name-it.yml": BASE_FILES["cards/stuck/name-it.yml"].replace(
            "Make the lack of progress the topic.", "Make the stalemate itself the topic.")})
        assert wait_for(lambda: "stalemate itself" in server.page("cards/name-it/")[1], 10), \
            server.output()
        assert "stalemate itself" in server.page("patterns/stuck/")[1]
        # the card's page and its pattern's page, and none of the others
        assert wait_for(lambda: rebuilt_counts(server.output()) == [2], 5), server.output()
        assert without_reload_script(server.page("cards/ask-directly/")[1]) == untouched
        assert "built the whole preview" in server.output()
        assert server.output().count("built the whole preview") == 1


def test_a_new_problem_shows_on_every_page_without_rebuilding_them(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    with serving(project) as server:
        project.write({"cards/stuck/name-it.yml": BASE_FILES["cards/stuck/name-it.yml"].replace(
            "Make the lack of progress the topic.", "Make [[no-such-card]] the topic.")})
        assert wait_for(lambda: "no-such-card" in text_of(server.page("")[1]), 10), \
            server.output()
        for path in ("", "patterns/risk/", "cards/ask-directly/", "signs/"):
            assert "cardkb-problems" in server.page(path)[1], path
        assert max(rebuilt_counts(server.output())) <= 2
        project.write({"cards/stuck/name-it.yml": BASE_FILES["cards/stuck/name-it.yml"]})
        assert wait_for(lambda: "cardkb-problems" not in server.page("")[1], 10), server.output()
        assert server.output().count("built the whole preview") == 1


def test_requests_are_answered_while_the_whole_site_is_rebuilt(
        make_project: Callable[..., Project]) -> None:
    """A new card changes the set of pages, so the whole site is built again; meanwhile the
    last site is served at once (``mkdocs serve`` holds every request until it is done)."""
    project = make_project()
    with serving(project) as server:
        project.write({"cards/stuck/new-card.yml": BASE_FILES["cards/stuck/name-it.yml"]
                       .replace("Name the stuckness", "A brand new card")})
        slowest, served_old = 0.0, 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, _ = server.page("cards/new-card/")
            assert server.page("patterns/stuck/")[0] == 200
            slowest = max(slowest, time.monotonic() - started)
            if status == 200:
                break
            served_old += 1
        assert status == 200, server.output()
        assert served_old > 0  # the old site was served while the new one was built
        assert slowest < 1.0, f"a request waited {slowest:.2f} s"
        assert wait_for(lambda: server.output().count("built the whole preview") == 2, 5)


def test_a_new_card_and_a_deleted_one_without_rebuilding_everything(
        make_project: Callable[..., Project]) -> None:
    """With more patterns than the navigation lists cards for (here: none), a card's own
    page comes and goes like any other change."""
    project = make_project({"mkdocs.yml": BASE_FILES["mkdocs.yml"].replace(
        "    show_drafts: false", "    show_drafts: false\n    nav_max_patterns: 0")})
    with serving(project) as server:
        project.write({"cards/stuck/brand-new.yml": BASE_FILES["cards/stuck/name-it.yml"]
                       .replace("Name the stuckness", "A card just written")})
        assert wait_for(lambda: server.page("cards/brand-new/")[0] == 200, 10), server.output()
        assert "A card just written" in server.page("cards/brand-new/")[1]
        assert "A card just written" in server.page("patterns/stuck/")[1]
        project.remove("cards/stuck/brand-new.yml")
        assert wait_for(lambda: server.page("cards/brand-new/")[0] == 404, 10), server.output()
        assert "A card just written" not in server.page("patterns/stuck/")[1]
        assert server.output().count("built the whole preview") == 1


NO_SUCH_TEMPLATE = "---\ntemplate: no-such-template.html\n---\n\n# Module one\n"


def test_a_page_mkdocs_cannot_build_is_one_line_never_a_traceback(
        make_project: Callable[..., Project]) -> None:
    # at the start: the preview says what stopped it, and ends
    project = make_project({"content/curricula/module.md": NO_SUCH_TEMPLATE})
    server = Preview(project)
    assert server.process.wait(timeout=60) == 1
    assert "cardkb: the preview could not be built (TemplateNotFound: 'no-such-template.html' " \
        "not found" in server.output()
    assert "; fix it and start the preview again" in server.output()
    assert "Traceback" not in server.output()
    # while it runs: the last site is still served, and the mended page shows
    project.write({"content/curricula/module.md": BASE_FILES["content/curricula/module.md"]})
    with serving(project) as server:
        project.write({"content/curricula/module.md": NO_SUCH_TEMPLATE})
        assert wait_for(lambda: "the last one is still shown" in server.output(), 20), \
            server.output()
        assert server.page("")[0] == 200
        project.write({"content/curricula/module.md": BASE_FILES["content/curricula/module.md"]
                       .replace("# Module one", "# Module one, mended")})
        assert wait_for(lambda: "Module one, mended" in server.page("curricula/module/")[1], 20), \
            server.output()
        assert "Traceback" not in server.output()


def _status(port: int, request: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), 10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 "), answer
    return int(answer[9:12])


def test_malformed_requests_get_a_4xx_and_sigterm_removes_the_temporary_site(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    """Issue 23: each of these ended in a traceback and no answer; SIGTERM left the temporary
    site behind in /tmp."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    server = Preview(make_project(), env={"TMPDIR": str(temporary)})
    try:
        assert wait_for(lambda: server.ready in server.output()), server.output()
        assert list(temporary.glob("cardkb-preview-*"))
        host = f"Host: 127.0.0.1:{server.port}\r\n\r\n".encode()
        for target in ("/.cardkb/changes?after=\u00b2", "/.cardkb/changes?after=" + "9" * 5000,
                       "/" + "a" * 300 + "/"):
            request = f"GET {target} HTTP/1.1\r\n".encode() + host
            assert 400 <= _status(server.port, request) < 500, target
        assert _status(server.port, b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n") == 421
    finally:
        server.stop()  # SIGTERM
    assert server.process.returncode is not None
    assert not list(temporary.glob("cardkb-preview-*")), server.output()
    assert "Traceback" not in server.output()


#: an MkDocs hook that has SIGTERM arrive while Python runs a finalizer, at the end of every
#: build: Python prints the interrupt raised there and drops it
SIGTERM_IN_A_FINALIZER = """\
import os, signal


class Finalized:
    def __del__(self):
        signal.raise_signal(signal.SIGTERM)
        sum(range(1000))  # the handler runs here, inside the finalizer


def on_post_build(config):
    if os.environ.get("CARDKB_TEST_SIGTERM_IN_FINALIZER"):
        Finalized()
"""


def test_sigterm_that_lands_in_a_finalizer_still_stops_the_preview(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    """Once, in CI, the preview's SIGTERM landed while Python ran a weak reference's callback:
    the interrupt was printed ("Exception ignored in") and dropped, the preview went on
    serving, and the test that started it failed waiting for it to end."""
    project = make_project({"drop.py": SIGTERM_IN_A_FINALIZER})
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "hooks:\n  - drop.py\n", "utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    server = Preview(project, env={"TMPDIR": str(temporary),
                                   "CARDKB_TEST_SIGTERM_IN_FINALIZER": "1"})
    try:
        server.process.wait(timeout=60)
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
    assert "Exception ignored" in server.output()  # the interrupt was dropped, as in CI
    assert "serving the preview" not in server.output()
    assert not list(temporary.glob("cardkb-preview-*")), server.output()


def test_a_preview_for_the_network_warns_once_and_answers_the_names_it_is_given(
        make_project: Callable[..., Project]) -> None:
    with serving(make_project(), "--allow-host", "kb.practice.example",
                 host="0.0.0.0") as server:
        assert server.output().count("anyone on the network can read it") == 1
        assert _status(server.port, f"GET / HTTP/1.1\r\nHost: kb.practice.example:{server.port}"
                       "\r\n\r\n".encode()) == 200
        assert _status(server.port, f"GET / HTTP/1.1\r\nHost: other.example:{server.port}"
                       "\r\n\r\n".encode()) == 421
    with serving(make_project()) as server:
        assert "anyone on the network" not in server.output()
