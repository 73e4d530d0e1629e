"""The live preview in a real browser: an author saves, the open page shows it by itself.

``cardkb preview`` adds a small script to every page it serves, which asks the server whether a
save changed the site and reloads the page when one did; and it puts the problems at the top of
every page as it serves it. Here Chromium keeps a card's page open while the card's file is
saved, as an author with the preview beside their editor would, and never navigates itself.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_kit import REPO, Watch, make_project, wait_for_article

CARD = "cards/stuck-client/name-the-meta-problem.yml"
CARD_PAGE = "cards/name-the-meta-problem/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """``cardkb preview`` of a copy of the repository's site, once it serves; its project and
    address."""
    project = make_project(tmp_path / "cardkb")
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "preview.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO / "hooks")}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "cardkb.cli", "preview", "--dev-addr",
                                    address], cwd=project, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "serving the preview on" not in log.read_text("utf-8", "replace"):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield project, f"http://{address}/"
    finally:
        process.terminate()
        process.wait(timeout=20)


def save(project: Path, change: tuple[str, str]) -> None:
    file = project / CARD
    text = file.read_text("utf-8")
    assert change[0] in text
    file.write_text(text.replace(*change), "utf-8")


def test_the_open_page_reloads_itself_after_a_save(preview: tuple[Path, str],
                                                   watch: Watch) -> None:
    project, url = preview
    page = watch.page
    page.goto(url + CARD_PAGE)
    page.wait_for_load_state("load")
    assert "Park the original complaint" in page.inner_text("article")
    save(project, ("Park the original complaint", "Set the first complaint aside"))
    wait_for_article(page, "Set the first complaint aside")
    # a mistake: the page reloads again, and the problems stand under its title
    save(project, ("verdict: works", "verdict: work"))
    page.wait_for_selector(".cardkb-problems")
    notice = page.inner_text(".cardkb-problems")
    assert "cards/stuck-client/name-the-meta-problem.yml:2:10:" in notice
    assert "(did you mean 'works'?)" in notice
    # mended: the notice goes, without the author touching the browser
    save(project, ("verdict: work\n", "verdict: works\n"))
    page.wait_for_selector(".cardkb-problems", state="detached")
    watch.assert_clean(CARD_PAGE)
