"""The fast schema check must agree with jsonschema on every file, valid or not.

``cardkb check`` lets a file through on fastjsonschema's word alone and asks jsonschema (which
explains errors) only when that says no, so a file the fast check wrongly accepted would never be
reported. These tests compare the two verdicts on every card of the project and on hundreds of
broken variants of a card and a pattern: each field removed, and each field given each kind of
value YAML can produce.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardkb import schemas
from cardkb.problems import Problems
from cardkb.yaml_source import read_yaml_file

REPO = Path(__file__).resolve().parent.parent

# One value of every kind a YAML file can hold, and the shapes authors get nearly right.
ODD_VALUES: list[Any] = [
    None, "", " ", "\n", "text", "Not An Id", "an-id", "an--id", "a" * 65, 0, 1, 1.5, True, False,
    datetime.date(2026, 1, 10), "2026-01-10", "2026-02-30", "10/01/2026", [], [""], ["text"],
    ["an-id", "an-id"], ["an-id", 3], [None], [[]], [{}], {}, {"text": "x"},
    [{"text": "A sign.", "seen_in": "client"}], [{"text": "A sign.", "seen_in": "elsewhere"}],
    [{"text": ""}], [{"seen_in": "client"}], [{"id": "an-id"}], [{"id": "an-id", "why": ""}],
    [{"id": "an-id", "why": "Because."}], [{"id": "Bad Id"}], [{"id": "an-id", "extra": 1}],
    {"by": "An editor", "date": "2026-01-10", "due": "2027-01-10"},
    {"by": "An editor", "date": "2026-13-10"}, {"by": ""}, {"date": "2026-01-10", "who": "x"},
    "backfires", "works", "draft", "retired", "published",
]

CARD: dict[str, Any] = {
    "title": "Defend the process", "verdict": "backfires", "sign": "The client says nothing helps.",
    "move": "The therapist explains that change takes time.", "wording": ["Give it time."],
    "why": "The client hears defensiveness.", "instead": ["name-it"], "also_in": ["other"],
    "related": [{"id": "x", "why": "Because."}], "cautions": "Watch for shame.", "tags": ["cbt"],
    "sources": ["A source."], "review": {"by": "An editor", "date": "2026-01-10",
                                         "due": "2027-01-10"},
    "status": "published", "aliases": ["old-id"],
}
PATTERN: dict[str, Any] = {
    "title": "Stuck", "summary": "Nothing moves.", "signs": ["A sign.", {"text": "B",
                                                                        "seen_in": "client"}],
    "dynamics": "Underneath.", "shift": "Curiosity.", "safety": "Assess risk.",
    "related": ["other", {"id": "more", "why": "Because."}], "tags": ["stuckness"],
    "sources": ["A source."], "review": {"by": "An editor", "date": "2026-01-10"},
}


def variants(base: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The file itself, each field removed, each field set to each odd value, one unknown field."""
    yield base
    for key in base:
        yield {k: v for k, v in base.items() if k != key}
        for value in ODD_VALUES:
            yield {**base, key: copy.deepcopy(value)}
    yield {**base, "titel": "A near miss"}


def jsonschema_accepts(data: Any, kind: str) -> bool:
    return not any(True for _ in schemas._validator(kind).iter_errors(data))


@pytest.mark.parametrize(("kind", "base"), [("card", CARD), ("pattern", PATTERN)])
def test_fast_check_agrees_with_jsonschema_on_broken_files(kind: str, base: dict[str, Any]) -> None:
    cases = list(variants(base))
    works = {**base, "verdict": "works"}
    works.pop("instead", None)
    if kind == "card":  # the rules between fields: instead, status and replaced_by
        cases += [works, {**works, "instead": ["x"]}, {**base, "status": "retired"},
                  {**base, "status": "retired", "replaced_by": "new-card"},
                  {**base, "replaced_by": "new-card"}, {**base, "verdict": "works"}]
    disagreements = [case for case in cases
                     if schemas.is_valid_shape(case, kind) != jsonschema_accepts(case, kind)]
    assert len(cases) > 300
    assert disagreements == []
    # Both verdicts occur, so the comparison above means something.
    assert {schemas.is_valid_shape(case, kind) for case in cases} == {True, False}


def test_fast_check_agrees_with_jsonschema_on_every_shipped_file() -> None:
    files = sorted((REPO / "cards").rglob("*.yml"))
    assert len(files) > 50
    for file in files:
        document = read_yaml_file(file, file.name, Problems())
        assert document is not None
        kind = "pattern" if file.name == "pattern.yml" else "card"
        data = schemas._with_review_dates(document.data)
        assert schemas.is_valid_shape(data, kind), file
        assert jsonschema_accepts(data, kind), file


def test_the_date_format_matches_jsonschemas() -> None:
    assert schemas.is_iso_date("2026-02-28")
    assert not schemas.is_iso_date("2026-02-30")
    assert not schemas.is_iso_date("2026-2-3")
    assert not schemas.is_iso_date("20260203")
    assert schemas.is_iso_date(20260203)  # a type error, which the schema's "type" reports
