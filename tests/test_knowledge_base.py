"""The starter knowledge base the repository ships keeps the bar it was written to.

A practice sees these cards first and copies from them, so the bar is checked on every run, and
without a browser: every file valid and free of identifiers, at least ten patterns and 45
published cards, signs seen in the client, the therapist and the process, two moves that backfire
and two that work on every pattern, a source on every pattern, a route to safety from every
published pattern (its own safety note, or a link to a pattern tagged ``safety``), cautions that
point to the safety pattern on the moves that can land badly on hopelessness, supervisee phrases for
the finder on every pattern, a way to tell apart the patterns that share signs, and the stuck-client
pattern complete. The README's counts are held to the cards too, so they cannot drift.

Safety content has rules of its own (issue 20): every safety note opens with what to do, in at most
three numbered steps of at most 25 words, before any explanation (a supervisor on a phone reads the
steps first, and the finder's risk notice quotes them); the safety patterns cover suicide and
self-harm and harm to others; each has a works card tagged ``safety-plan``; and no card that works
recommends a promise to stay safe or a risk score or level as the decision.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cardkb.config import Settings
from cardkb.model import Card, KnowledgeBase, Pattern, Status
from cardkb.project import check_project

REPO = Path(__file__).resolve().parent.parent
SAFETY_PATTERN = "hopelessness-behind-stuck"
#: the patterns the finder's risk notice leads to (tagged `safety`)
SAFETY_PATTERNS = ["hopelessness-behind-stuck", "disclosed-suicidal-thoughts-or-self-harm",
                   "risk-to-others-and-safeguarding"]
SAFETY_TAG = "safety"
SAFETY_PLAN_TAG = "safety-plan"
WIKILINK = re.compile(r"!?\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")
STEP = re.compile(r"(\d+)\. (.+)")
#: wording that asks for a promise to stay safe, or lets a score or a risk level decide
NOT_A_PLAN = re.compile(
    r"\bpromise (me|us|that you|you('ll| will| won't)|not to|to (stay|keep|be))\b"
    r"|\b(no[- ]suicide|no[- ]harm|safety) contract|\bcontract (for|of) safety"
    r"|\b(low|medium|moderate|high)[- ]risk\b|\brisk (score|level|rating|category)\b"
    r"|\bscore (is|was|came out) (low|high)",
    re.IGNORECASE)

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


def safety_patterns(kb: KnowledgeBase) -> list[Pattern]:
    return [pattern for pattern in kb.patterns.values() if SAFETY_TAG in pattern.tags]


def links_to_a_safety_pattern(pattern: Pattern, kb: KnowledgeBase) -> bool:
    """A related pattern, or a [[link]] in the pattern's own Markdown, that is a safety pattern."""
    targets = {ref.id for ref in pattern.related}
    for text in (pattern.dynamics, pattern.shift or "", pattern.safety or ""):
        targets |= {found[1] for found in WIKILINK.finditer(text)}
    return any(target in targets for target in (p.id for p in safety_patterns(kb)))


def test_every_published_pattern_has_a_route_to_safety(kb: KnowledgeBase) -> None:
    """A reader who lands on any pattern is one step from a risk note, wherever they came in."""
    without = [pattern.id for pattern in kb.patterns.values()
               if pattern.status is Status.PUBLISHED and SAFETY_TAG not in pattern.tags
               and not pattern.safety and not links_to_a_safety_pattern(pattern, kb)]
    assert without == []


def test_the_safety_patterns_cover_suicide_self_harm_and_harm_to_others(kb: KnowledgeBase) -> None:
    """The finder's risk notice leads to these by their tags; each kind of risk needs a pattern."""
    covered = {tag for pattern in safety_patterns(kb) for tag in pattern.tags}
    assert set(SAFETY_PATTERNS) <= {pattern.id for pattern in safety_patterns(kb)}
    assert {"suicide", "self-harm", "harm-to-others", "abuse"} <= covered
    assert "suicide-risk" not in covered, "the tag is `suicide`, as the finder reads it"


def leading_steps(safety: str) -> tuple[list[str], str]:
    """A safety note's opening numbered list (each step's text) and the explanation after it."""
    lines = safety.strip("\n").splitlines()
    steps: list[str] = []
    at = 0
    while at < len(lines) and lines[at].strip():
        step = STEP.fullmatch(lines[at])
        if step and int(step[1]) == len(steps) + 1:
            steps.append(step[2])
        elif steps and lines[at].startswith("   "):  # a step that wraps onto the next line
            steps[-1] += " " + lines[at].strip()
        else:
            break
        at += 1
    return steps, "\n".join(lines[at:]).strip()


def words(text: str) -> int:
    return len(WIKILINK.sub(lambda link: link[2] or link[1], text).split())


@pytest.mark.parametrize("pattern_id", sorted(p.name for p in (REPO / "cards").iterdir()))
def test_a_safety_note_opens_with_at_most_three_short_steps(kb: KnowledgeBase,
                                                            pattern_id: str) -> None:
    """Steps first, numbered, at most three of at most 25 words; then a blank line; then why."""
    safety = kb.patterns[pattern_id].safety
    if safety is None:
        pytest.skip("no safety note (its route to safety is tested above)")
    assert safety.lstrip().startswith("1. "), f"the note opens with prose: {safety[:60]!r}"
    steps, explanation = leading_steps(safety)
    assert 1 <= len(steps) <= 3, steps
    for step in steps:
        assert words(step) <= 25, f"{words(step)} words: {step!r}"
    assert explanation, "the steps are followed by a blank line and the explanation"
    assert not STEP.match(explanation), "more than three steps, or a list without a blank line"


def test_the_leading_steps_are_read_as_an_author_writes_them() -> None:
    note = ("1. Act now if the client has the means at hand.\n2. Otherwise ask today, and\n"
            "   consult [[someone|your supervisor]].\n\nWhy it matters.")
    steps, explanation = leading_steps(note)
    assert steps == ["Act now if the client has the means at hand.",
                     "Otherwise ask today, and consult [[someone|your supervisor]]."]
    assert explanation == "Why it matters."
    assert words("consult [[someone|your supervisor]] today") == 4
    assert leading_steps("Prose first.\n\n1. A step.") == ([], "Prose first.\n\n1. A step.")
    assert leading_steps("1. One.\n3. Three.\n\nWhy.")[0] == ["One."]


@pytest.mark.parametrize("pattern_id", sorted(p.name for p in (REPO / "cards").iterdir()))
def test_each_safety_pattern_has_a_safety_plan_card(kb: KnowledgeBase, pattern_id: str) -> None:
    """A works card tagged `safety-plan`: its own, or one it shares through `also_in`."""
    pattern = kb.patterns[pattern_id]
    if SAFETY_TAG not in pattern.tags:
        pytest.skip("not a safety pattern")
    plans = [card.id for card in pattern.cards
             if card.verdict == "works" and SAFETY_PLAN_TAG in card.tags
             and card.status is Status.PUBLISHED]
    assert plans, f"{pattern_id} has no works card tagged {SAFETY_PLAN_TAG}"


def test_safety_patterns_name_the_moves_that_backfire_in_a_crisis(kb: KnowledgeBase) -> None:
    """The promise to stay safe and the score as the decision are there, as moves that backfire."""
    disclosure = kb.patterns["disclosed-suicidal-thoughts-or-self-harm"]
    backfires = {card.id for card in disclosure.cards if card.verdict == "backfires"}
    assert {"ask-for-a-promise-to-stay-safe", "let-a-risk-score-make-the-decision"} <= backfires


def test_no_card_that_works_recommends_a_promise_or_a_score_as_the_decision(
        kb: KnowledgeBase) -> None:
    """What a works card tells the therapist to do or say never asks for a promise to stay safe
    (no-suicide contracts) nor lets a risk score or level decide (NICE NG225)."""
    found = [(card.id, match[0]) for card in published(kb) if card.verdict == "works"
             for text in [card.move, card.title, *card.wording]
             for match in [NOT_A_PLAN.search(text)] if match]
    assert found == []


@pytest.mark.parametrize("text", [
    "Can you promise me you won't do anything before next week?",
    "Ask the client to sign a no-suicide contract.",
    "Agree a contract for safety.",
    "Your score is low, so there's nothing to worry about.",
    "I've put you down as medium risk.",
    "Let the risk level decide the referral.",
    "Promise to keep yourself safe until Monday.",
])
def test_the_check_recognises_a_promise_or_a_score(text: str) -> None:
    assert NOT_A_PLAN.search(text)


@pytest.mark.parametrize("text", [
    "Build the safety plan together, in the client's words.",
    "I can't keep this just between us if your life is in danger.",
    "Thank you for telling me. How often do these thoughts come?",
])
def test_the_check_leaves_a_plan_alone(text: str) -> None:
    assert not NOT_A_PLAN.search(text)


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
