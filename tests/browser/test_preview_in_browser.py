"""The live preview in a real browser: an author saves, the open page shows it by itself.

``cardkb preview`` adds a small script to every page it serves, which asks the server whether a
save changed the site and reloads the page when one did; and it puts the problems at the top of
every page as it serves it. Here Chromium keeps a card's page open while the card's file is
saved, as an author with the preview beside their editor would, and never navigates itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_kit import Watch, make_project, previewing, wait_for_article

CARD = "cards/stuck-client/name-the-meta-problem.yml"
CARD_PAGE = "cards/name-the-meta-problem/"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """``cardkb preview`` of a copy of the repository's site, once it serves; its project and
    address."""
    project = make_project(tmp_path / "cardkb")
    with previewing(project, tmp_path / "preview.log") as url:
        yield project, url


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
