"""The ``practice`` and ``criteria`` card fields: accepted where they belong, and every mistake
reported as ``path:line:col: message`` in plain words, like every other field."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from .conftest import BASE_FILES, Project

CARD = BASE_FILES["cards/stuck/name-it.yml"]  # works; 9 lines
BACKFIRES = BASE_FILES["cards/stuck/defend.yml"]  # 11 lines

PRACTICE = """\
criteria: "Names the lack of change without defending the therapy."
practice:
  - id: months-and-nothing
    level: beginner
    client_says: "I've been coming for months. Nothing's different."
  - id: why-bother
    level: advanced
    client_says: "Why do I even bother coming?"
    context: "Said at the door, coat already on."
"""


def _lines(project: Project) -> list[str]:
    result = project.check()
    assert "Traceback" not in result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("cards/")]


def test_a_card_that_works_may_carry_prompts_and_criteria(
        make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/name-it.yml": CARD + PRACTICE})
    assert project.check().returncode == 0
    assert project.build("--strict").returncode == 0
    exported = json.loads((project.site / "cards.json").read_text())
    card = next(c for c in exported["cards"] if c["id"] == "name-it")
    assert card["criteria"] == "Names the lack of change without defending the therapy."
    assert card["practice"][1] == {"id": "why-bother", "level": "advanced",
                                   "client_says": "Why do I even bother coming?",
                                   "context": "Said at the door, coat already on."}


CASES: dict[str, tuple[dict[str, str], str]] = {
    "practice on a card that backfires": (
        {"cards/stuck/defend.yml": BACKFIRES + PRACTICE.split("\n", 1)[1]},
        "cards/stuck/defend.yml:12:1: 'practice' is only for cards that work: a card that "
        "backfires is shown, with its wording and why, as the contrast"),
    "criteria on a card that backfires": (
        {"cards/stuck/defend.yml": BACKFIRES + "criteria: \"Stays calm.\"\n"},
        "cards/stuck/defend.yml:12:1: 'criteria' is only for cards that work"),
    "a prompt id used twice in one card": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace("id: why-bother",
                                                            "id: months-and-nothing")},
        "cards/stuck/name-it.yml:15:9: practice item 2: id: 'months-and-nothing' is used by "
        "another prompt of this card (line 12)"),
    "a level that does not exist": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace("level: advanced", "level: expert")},
        "cards/stuck/name-it.yml:16:12: practice: item 2: level: must be 'beginner' or "
        "'intermediate' or 'advanced', not 'expert'"),
    "a prompt id that is not a slug": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace("id: why-bother", "id: Why Bother")},
        "cards/stuck/name-it.yml:15:9: practice: item 2: id: 'Why Bother' is not a valid id"),
    "a prompt without client_says": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace(
            '    client_says: "Why do I even bother coming?"\n', "")},
        "cards/stuck/name-it.yml:15:5: missing required field 'client_says'"),
    "an empty client_says": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace('"Why do I even bother coming?"',
                                                            '""')},
        "cards/stuck/name-it.yml:17:18: practice: item 2: client_says: is empty"),
    "client_says that YAML reads as a yes/no": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace('"Why do I even bother coming?"',
                                                            "no")},
        "cards/stuck/name-it.yml:17:18: practice: item 2: client_says: YAML reads no as a "
        "yes/no value; put it in quotes if you mean the text: \"no\""),
    "an unknown field in a prompt": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace("    context:", "    contxt:")},
        "cards/stuck/name-it.yml:18:5: unknown field 'contxt' (did you mean 'context'?)"),
    "an empty practice": (
        {"cards/stuck/name-it.yml": CARD + "practice:\n"},
        "cards/stuck/name-it.yml:10:10: practice: is empty"),
    "an empty practice list": (
        {"cards/stuck/name-it.yml": CARD + "practice: []\n"},
        "cards/stuck/name-it.yml:10:11: practice: is an empty list"),
    "an empty criteria": (
        {"cards/stuck/name-it.yml": CARD + "criteria:\n"},
        "cards/stuck/name-it.yml:10:10: criteria: is empty"),
    "criteria on two lines": (
        {"cards/stuck/name-it.yml": CARD + "criteria: |\n  Names it.\n  Then asks.\n"},
        "cards/stuck/name-it.yml:10:11: criteria: write it on one line"),
    "a context that identifies someone": (
        {"cards/stuck/name-it.yml": CARD + PRACTICE.replace(
            "Said at the door", "Mrs Patel, at the door")},
        "cards/stuck/name-it.yml:18:15: practice: this looks like a name after an honorific "
        "('Mrs Patel')"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_practice_mistakes_are_reported_in_plain_words(
        name: str, make_project: Callable[..., Project]) -> None:
    files, expected = CASES[name]
    lines = _lines(make_project(files))
    assert any(line.startswith(expected) for line in lines), lines
