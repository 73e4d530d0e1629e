"""The preview's incremental rebuild gives exactly the pages a full build gives.

:class:`cardkb.live_site.LiveSite` renders again only the pages a save can change. Each test
saves one kind of change into a copy of the starter knowledge base and compares every page of
the updated preview with a preview started afresh on the same files: a page the update missed
would show the reader stale text until the next full build.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cardkb.config import Settings
from cardkb.live_site import LAGGING, LISTS, LiveSite, Snapshot
from cardkb.problems import Problems
from cardkb.urls import UrlLayout

from .conftest import REPO

CARD = "cards/stuck-client/name-the-meta-problem.yml"
CARD_PAGE = "cards/name-the-meta-problem/index.md"
PATTERN_PAGE = "patterns/stuck-client/index.md"
#: a card of another pattern that neither links to nor is linked from the card above
UNRELATED_PAGE = "cards/match-the-readiness-stage/index.md"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("cards", "content"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


#: as in a knowledge base of more than 30 patterns, the navigation lists the patterns only, so
#: a card's title or verdict is not in every page (with cards listed, see the last tests)
LARGE = Settings(nav_max_patterns=0)


def live(root: Path, settings: Settings = LARGE) -> LiveSite:
    site = LiveSite(root, settings, "content", UrlLayout(True), None)
    site.start(Problems())
    return site


def fresh(root: Path) -> Snapshot:
    return live(root).snapshot  # type: ignore[return-value]


def edit(root: Path, path: str, change: Callable[[str], str]) -> None:
    file = root / path
    before = file.read_text("utf-8")
    after = change(before)
    assert after != before, "the edit must change the file"
    file.write_text(after, "utf-8")


def assert_same_as_fresh(site: LiveSite, root: Path) -> None:
    updated, expected = site.snapshot, fresh(root)
    assert updated is not None and expected is not None
    assert set(updated.pages) == set(expected.pages)
    stale = [uri for uri in expected.pages
             if uri not in LAGGING and updated.pages[uri] != expected.pages[uri]]
    assert stale == []
    assert updated.content == expected.content
    assert updated.problems == expected.problems


def test_a_changed_move_renders_its_card_and_patterns_only(project: Path) -> None:
    site = live(project)
    before = site.snapshot
    assert before is not None
    edit(project, CARD, lambda text: text.replace("Park the original complaint",
                                                  "Set the original complaint aside"))
    update = site.update({CARD})
    assert not update.everything
    assert CARD_PAGE in update.pages and PATTERN_PAGE in update.pages
    assert "Set the original complaint aside" in update.pages[CARD_PAGE]
    assert UNRELATED_PAGE not in update.pages
    # the lists were rendered again, but none shows the move, so none is rebuilt
    assert not set(LISTS) & set(update.pages)
    # far fewer pages rendered than the site has
    assert update.rendered < len(before.pages) / 4
    assert_same_as_fresh(site, project)


def test_a_changed_sign_rebuilds_the_sign_finder(project: Path) -> None:
    site = live(project)
    edit(project, CARD, lambda text: text.replace("As the session winds down",
                                                  "Near the end of the hour"))
    update = site.update({CARD})
    assert "signs/index.md" in update.pages
    assert_same_as_fresh(site, project)


@pytest.mark.parametrize("change", [
    # a new link from a card to another pattern
    lambda text: text.replace("before anything else.",
                              "before anything else, or see [[mandated-client]]."),
    # the link removed
    lambda text: text.replace("turn to [[hopelessness-behind-stuck]]", "turn to the safety page"),
    # the card shown on a second pattern's page
    lambda text: text.replace("tags: [", "also_in: [alliance-rupture]\ntags: ["),
    # retired: off its pattern's page and the sign finder
    lambda text: text.replace("verdict: works", "verdict: works\nstatus: retired\n"
                              "replaced_by: reframe-stuck-as-a-poor-fit"),
    # a review that is overdue: the editors' page lists it
    lambda text: text.replace("due: 2027-11-21", "due: 2026-01-02"),
    # a shape problem: the preview shows the problem at the card's address
    lambda text: text.replace("verdict: works", "verdict: work"),
    # a new title, shown wherever the card is linked
    lambda text: text.replace('title: "Make the lack of progress the topic"',
                              'title: "Talk about the stuckness"'),
], ids=["link-added", "link-removed", "also-in", "retired", "overdue", "broken", "title"])
def test_every_change_to_a_card_matches_a_full_build(project: Path,
                                                     change: Callable[[str], str]) -> None:
    site = live(project)
    edit(project, CARD, change)
    update = site.update({CARD})
    assert not update.everything and update.pages
    assert_same_as_fresh(site, project)


def test_fixing_a_broken_card_restores_its_page(project: Path) -> None:
    site = live(project)
    edit(project, CARD, lambda text: text.replace("verdict: works", "verdict: work"))
    broken = site.update({CARD})
    assert broken.snapshot.problems
    edit(project, CARD, lambda text: text.replace("verdict: work", "verdict: works"))
    fixed = site.update({CARD})
    assert not fixed.everything and not fixed.snapshot.problems
    assert CARD_PAGE in fixed.pages
    assert_same_as_fresh(site, project)


def test_a_pattern_change_reaches_its_cards(project: Path) -> None:
    site = live(project)
    edit(project, "cards/stuck-client/pattern.yml",
         lambda text: text.replace("summary:", "summary: Now and then:", 1))
    update = site.update({"cards/stuck-client/pattern.yml"})
    assert not update.everything
    assert PATTERN_PAGE in update.pages and "patterns/index.md" in update.pages
    assert_same_as_fresh(site, project)


def test_a_hand_written_page_and_what_it_links_to(project: Path) -> None:
    site = live(project)
    edit(project, "content/supervision.md",
         lambda text: text + "\nSee also [[mandated-client]].\n")
    update = site.update({"content/supervision.md"})
    assert not update.everything
    assert update.content == ["supervision.md"]
    assert "patterns/mandated-client/index.md" in update.pages  # "used in" the page now
    assert_same_as_fresh(site, project)


def test_a_new_title_in_the_navigation_asks_for_everything(project: Path) -> None:
    site = live(project, Settings())
    edit(project, CARD, lambda text: text.replace(
        'title: "Make the lack of progress the topic"', 'title: "Talk about the stuckness"'))
    assert site.update({CARD}).everything


def test_a_new_card_adds_its_page_and_shows_on_its_pattern(project: Path) -> None:
    site = live(project)
    source = (project / CARD).read_text("utf-8").replace(
        'title: "Make the lack of progress the topic"', 'title: "A card just written"')
    (project / "cards/stuck-client/a-new-card.yml").write_text(source, "utf-8")
    update = site.update({"cards/stuck-client/a-new-card.yml"})
    assert not update.everything
    assert "cards/a-new-card/index.md" in update.pages
    assert "A card just written" in update.pages[PATTERN_PAGE]
    assert_same_as_fresh(site, project)


def test_a_deleted_card_takes_its_page_and_every_mention_with_it(project: Path) -> None:
    site = live(project)
    (project / CARD).unlink()
    update = site.update({CARD})
    assert not update.everything
    assert update.removed == [CARD_PAGE]
    assert PATTERN_PAGE in update.pages
    assert_same_as_fresh(site, project)


def test_with_the_cards_in_the_navigation_a_new_card_asks_for_everything(project: Path) -> None:
    site = live(project, Settings())
    source = (project / CARD).read_text("utf-8")
    (project / "cards/stuck-client/a-new-card.yml").write_text(source, "utf-8")
    assert site.update({"cards/stuck-client/a-new-card.yml"}).everything


def test_a_save_within_one_clock_tick_is_still_seen(project: Path) -> None:
    """Same size and modification time: the path the watcher names is read again anyway."""
    site = live(project)
    file = project / CARD
    stat = file.stat()
    edit(project, CARD, lambda text: text.replace("Park the", "Park The"))
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    update = site.update({CARD})
    assert "Park The" in update.pages[CARD_PAGE]


MUTATIONS: list[Callable[[str], str]] = [
    lambda text: text.replace("move: |\n", "move: |\n  First, pause.\n", 1),
    lambda text: text.replace(
        "verdict: works", "verdict: backfires\ninstead: [name-the-meta-problem]",
    ) if "verdict: works" in text else text.replace("verdict: backfires", "verdict: work"),
    lambda text: text.replace("sign: ", "sign: Again, ", 1),
    lambda text: text.replace("\ntitle: ", "\nstatus: draft\ntitle: ", 1) if text.startswith(
        "\n") else "status: draft\n" + text,
    lambda text: text + "\nrelated: [hopelessness-behind-stuck]\n" if "\nrelated:" not in text
    else text.replace("\nrelated:", "\nrelated_: "),
]


def test_a_run_of_random_saves_matches_a_full_build_after_each(project: Path) -> None:
    """A seeded walk of saves across the starter cards, some of them breaking a card and
    some mending it: after each, the updated preview equals one started afresh."""
    rng = random.Random(20261202)
    site = live(project)
    cards = sorted(p.relative_to(project).as_posix() for p in (project / "cards").rglob("*.yml")
                   if p.name != "pattern.yml")
    for _step in range(6):
        path = rng.choice(cards)
        change = rng.choice(MUTATIONS)
        file = project / path
        before = file.read_text("utf-8")
        after = change(before)
        if after == before:
            continue
        file.write_text(after, "utf-8")
        update = site.update({path})
        if update.everything:
            site.start(Problems())
        else:
            assert_same_as_fresh(site, project)


def test_a_changed_prompt_rebuilds_the_practice_sheets_that_show_it(project: Path) -> None:
    """A client's sheet holds the statements but links to no card: the preview finds it all
    the same, and the contrast a card that backfires gives on the sheets of its alternatives."""
    site = live(project)
    edit(project, CARD, lambda text: text.replace("Same as ever.", "Same as always."))
    update = site.update({CARD})
    assert "Same as always." in update.pages["practice/stuck-client/client/index.md"]
    assert "practice/stuck-client/supervisor/index.md" in update.pages
    assert "practice/index.js" in update.pages
    backfires = "cards/stuck-client/defend-the-therapy-process.yml"
    edit(project, backfires, lambda text: text.replace("Change like this is slow.",
                                                       "Change of this kind is slow."))
    update = site.update({backfires})
    supervisor = update.pages["practice/stuck-client/supervisor/index.md"]
    assert "Change of this kind is slow." in supervisor
    assert_same_as_fresh(site, project)
