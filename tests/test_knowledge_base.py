"""The starter knowledge base the repository ships keeps the bar it was written to.

A practice sees these cards first and copies from them, so the bar is checked on every run, and
without a browser: every file valid and free of identifiers, at least ten patterns and 45
published cards, signs seen in the client, the therapist and the process, two moves that backfire
and two that work on every pattern, a source on every pattern, a route to safety from every
published pattern (its own safety note, or a related link to the safety pattern), cautions that
point to the safety pattern on the moves that can land badly on hopelessness, supervisee phrases for
the finder on every pattern, a way to tell apart the patterns that share signs, and the stuck-client
pattern complete. The README's counts are held to the cards too, so they cannot drift.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cardkb.config import Settings
from cardkb.model import Card, KnowledgeBase, Status
from cardkb.project import check_project

REPO = Path(__file__).resolve().parent.parent
SAFETY_PATTERN = "hopelessness-behind-stuck"

# The moves of the domain brief's stuck-client section, each the card that carries it.
STUCK_CLIENT_MOVES = {
    "backfires": ["defend-the-therapy-process", "add-more-techniques-and-worksheets",
                  "confront-the-resistance-head-on"],
    "works": ["name-the-meta-problem", "agree-and-ask-for-the-smallest-sign",
              "stuckness-as-a-protective-part", "reframe-stuck-as-a-poor-fit",
              "share-what-you-observe", "revise-the-treatment-plan",
              "refer-when-the-fit-is-wrong"],
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    checked = check_project(REPO, Settings(), "content")
    assert [str(problem) for problem in checked.problems.sorted()] == []
    return checked.knowledge_base


def published(kb: KnowledgeBase) -> list[Card]:
    return [card for card in kb.cards.values() if card.status is Status.PUBLISHED]


def test_at_least_ten_patterns_and_45_published_cards(kb: KnowledgeBase) -> None:
    assert len(kb.patterns) >= 10
    assert len(published(kb)) >= 45


@pytest.mark.parametrize("pattern_id", sorted(p.name for p in (REPO / "cards").iterdir()))
def test_every_pattern_meets_the_bar(kb: KnowledgeBase, pattern_id: str) -> None:
    pattern = kb.patterns[pattern_id]
    assert {"client", "therapist", "process"} <= {sign.seen_in for sign in pattern.signs}
    assert pattern.shift
    own = [card for card in pattern.cards if card.pattern is pattern]
    assert sum(card.verdict == "backfires" for card in own) >= 2
    assert sum(card.verdict == "works" for card in own) >= 2
    assert pattern.sources
    assert all(len(card.wording) >= 2 for card in own)
    assert all(card.alternatives for card in own if card.verdict == "backfires")


def test_the_safety_pattern_points_to_risk_assessment_and_supervision(kb: KnowledgeBase) -> None:
    safety = kb.patterns[SAFETY_PATTERN].safety or ""
    assert all(word in safety.lower() for word in ("assess", "protocol", "supervision"))


@pytest.mark.parametrize("pattern_id", ["stuck-client", "cancellations-and-no-shows",
                                        "not-on-track", "over-reliance-on-therapist"])
def test_patterns_that_can_mask_risk_link_to_the_safety_pattern(kb: KnowledgeBase,
                                                                pattern_id: str) -> None:
    linked = {link.target.id for link in kb.patterns[pattern_id].related_links}
    assert SAFETY_PATTERN in linked


def test_every_published_pattern_has_a_route_to_safety(kb: KnowledgeBase) -> None:
    """A reader who lands on any pattern is one step from the risk note, wherever they came in."""
    without = [pattern.id for pattern in kb.patterns.values()
               if pattern.status is Status.PUBLISHED and pattern.id != SAFETY_PATTERN
               and not pattern.safety
               and SAFETY_PATTERN not in {ref.id for ref in pattern.related}]
    assert without == []


@pytest.mark.parametrize("card_id", ["agree-and-ask-for-the-smallest-sign",
                                     "externalise-the-stuckness",
                                     "ask-why-the-number-is-not-lower"])
def test_moves_that_can_land_badly_on_hopelessness_warn_and_point_there(kb: KnowledgeBase,
                                                                       card_id: str) -> None:
    assert f"[[{SAFETY_PATTERN}]]" in (kb.cards[card_id].cautions or "")


@pytest.mark.parametrize("pattern_id", sorted(p.name for p in (REPO / "cards").iterdir()))
def test_every_pattern_says_how_supervisees_put_it(kb: KnowledgeBase, pattern_id: str) -> None:
    phrases = kb.patterns[pattern_id].heard_as
    assert 5 <= len(phrases) <= 10
    assert len({phrase.lower() for phrase in phrases}) == len(phrases)


# Patterns that share signs, and so need a note on how to tell them apart (on either side).
LOOK_ALIKES = [("stuck-client", "hopelessness-behind-stuck"),
               ("stuck-client", "yes-but-ambivalence"),
               ("talking-without-feeling", "alliance-rupture"),
               ("over-reliance-on-therapist", "therapist-reactions"),
               ("tasks-not-done", "cancellations-and-no-shows")]


@pytest.mark.parametrize(("one", "other"), LOOK_ALIKES)
def test_patterns_that_share_signs_say_how_to_tell_them_apart(kb: KnowledgeBase, one: str,
                                                             other: str) -> None:
    notes = [ref.why or "" for side, seen_from in [(one, other), (other, one)]
             for ref in kb.patterns[side].tell_apart if ref.id == seen_from]
    assert len(notes) == 1
    assert len(notes[0]) > 80


def test_the_stuck_client_pattern_has_every_move_of_the_brief(kb: KnowledgeBase) -> None:
    for verdict, ids in STUCK_CLIENT_MOVES.items():
        for card_id in ids:
            card = kb.cards[card_id]
            assert (card.pattern_id, card.verdict, card.status) == (
                "stuck-client", verdict, Status.PUBLISHED), card_id


def test_the_readme_counts_the_cards_it_ships(kb: KnowledgeBase) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    found = re.search(r"has (\d+) patterns and (\d+) cards", readme)
    assert found, "the README no longer says how many patterns and cards it ships"
    assert (int(found[1]), int(found[2])) == (len(kb.patterns), len(published(kb)))
