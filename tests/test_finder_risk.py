"""The finder's risk step, from the build's side: its data (hooks/cardkb/finder_risk.yml) reaches
find/index.js whole and well formed, each safety pattern says which kinds of risk it covers and
the first steps of its note, and the risk set (tests/search/risk.yml) never leaks into the rules.

The step itself runs in the browser and is tested in Node (tests/finder/risk.test.js).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cardkb.config import Settings
from cardkb.finder import STOP_WORDS, finder_data, risk_data, risk_kinds
from cardkb.model import KnowledgeBase
from cardkb.project import check_project
from cardkb.urls import UrlLayout

from .conftest import BASE_FILES, REPO, write_files

RISK_SET = REPO / "tests" / "search" / "risk.yml"
#: written before round two's changes, scored once at its end (issue 19)
RISK_HELD2 = REPO / "tests" / "search" / "risk-held2.yml"
RISK_HELD3 = REPO / "tests" / "search" / "risk-held3.yml"
RISK_HELD4 = REPO / "tests" / "search" / "risk-held4.yml"
RISK_HELD5 = REPO / "tests" / "search" / "risk-held5.yml"
RISK_HELD6 = REPO / "tests" / "search" / "risk-held6.yml"
RISK_HELD7 = REPO / "tests" / "search" / "risk-held7.yml"
RISK_HELD8 = REPO / "tests" / "search" / "risk-held8.yml"
RISK_HELD9 = REPO / "tests" / "search" / "risk-held9.yml"
RISK_HELD10 = REPO / "tests" / "search" / "risk-held10.yml"
RISK_HELD11 = REPO / "tests" / "search" / "risk-held11.yml"
#: a slot of a phrase: choices of words (``*`` for a prefix), or a gap of up to N words
_SLOT = r"(~\d+|[a-z0-9]+\*?(\|[a-z0-9]+\*?)*)"
_PHRASE = re.compile(rf"{_SLOT}( {_SLOT})*")


def _first(kb: KnowledgeBase) -> dict[str, Any]:
    script = finder_data(kb, UrlLayout()).first
    data: dict[str, Any] = json.loads(script.removeprefix("window.cardkbFinder=").rstrip(";\n"))
    return data


def _patterns(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    names = data["fields"]["pattern"]
    return {row[0]: dict(zip(names, row, strict=True)) for row in data["patterns"]}


def test_the_kinds_are_the_contract_s_tags() -> None:
    assert risk_kinds() == ["suicide", "self-harm", "harm-to-others", "abuse"]


def test_every_phrase_is_written_as_the_browser_reads_it() -> None:
    data = risk_data()
    rules = [p for kind in data["rules"].values() for p in kind]
    cues = [p for kind in data["cues"].values() for p in kind]
    assert set(data["cues"]) <= set(risk_kinds())
    phrases = rules + cues + data["harmless"] + data["jokes"]
    assert len(phrases) >= 60
    for phrase in phrases:
        assert _PHRASE.fullmatch(phrase), phrase  # lower case, no apostrophes, no stray spaces
        slots = phrase.split(" ")
        assert not slots[0].startswith("~") and not slots[-1].startswith("~"), phrase
    for kind in [*risk_kinds(), "everyday"]:
        assert len(data["meaning"][kind]) >= 8, kind


def test_the_finder_data_carries_the_risk_step_whole_but_its_statements() -> None:
    """find/index.js has every rule, cue, harmless phrase and joke word; the statements come
    read by the build, with their words' vectors, in find/risk-vectors.js after the first
    results (the first results need not wait for them)."""
    data = _first(KnowledgeBase())
    assert data["format"] == 3
    whole = json.loads(json.dumps(risk_data()))
    assert whole["meaning"] and "meaning" not in data["risk"]
    # every phrase, its words already stemmed by the build (the Node tests check the stems)
    assert data["risk"].pop("stemmed") is True
    assert {name: (sorted(part) if isinstance(part, dict) else len(part))
            for name, part in data["risk"].items()} == {
        name: (sorted(part) if isinstance(part, dict) else len(part))
        for name, part in whole.items() if name != "meaning"}
    for section in ("rules", "cues"):
        for kind, phrases in whole[section].items():
            assert len(data["risk"][section][kind]) == len(phrases), (section, kind)
    assert data["risk"]["unheard"] == whole["unheard"]
    assert "riskPhrases" not in data


SAFETY_WITH_STEPS = """\
safety: |
  1. Act now under your emergency procedure if the client has a plan, the means
     or has acted on it: **do not** leave them alone.
  2. Otherwise ask directly today, see [[ask-directly]].
  3. Consult your supervisor the same day.
  4. A fourth step the notice leaves out.

  Prose after the list: what the pattern [[stuck]] has to do with it.
tags: [safety, self-harm, abuse, hopelessness]
"""


def _project(tmp_path: Path, risk_safety: str, stuck_tags: str = "") -> KnowledgeBase:
    files = dict(BASE_FILES)
    risk = files["cards/risk/pattern.yml"]
    files["cards/risk/pattern.yml"] = risk[:risk.index("safety: |")] + risk_safety
    if stuck_tags:
        files["cards/stuck/pattern.yml"] = files["cards/stuck/pattern.yml"].replace(
            "tags: [stuckness]", f"tags: [{stuck_tags}]")
    write_files(tmp_path, files)
    checked = check_project(tmp_path, Settings(), "content")
    assert checked.ok, [str(p) for p in checked.problems]
    return checked.knowledge_base


def test_a_safety_pattern_s_kinds_steps_and_first_card(tmp_path: Path) -> None:
    data = _first(_project(tmp_path, SAFETY_WITH_STEPS))
    risk = _patterns(data)["risk"]
    assert risk["isSafety"] == 1
    assert risk["kinds"] == ["self-harm", "abuse"]  # the kinds among its tags, in their order
    assert risk["steps"] == [
        "Act now under your emergency procedure if the client has a plan, the means or has "
        "acted on it: do not leave them alone.",
        "Otherwise ask directly today, see Ask directly about hopelessness.",
        "Consult your supervisor the same day.",
    ]
    cards = [row[0] for row in data["cards"]]
    assert cards[risk["safetyCard"]] == "ask-directly"
    stuck = _patterns(data)["stuck"]
    assert (stuck["isSafety"], stuck["kinds"], stuck["steps"]) == (0, [], [])
    assert stuck["safetyCard"] == -1


def test_a_note_without_a_list_gives_its_first_sentence_after_a_bold_label(
        tmp_path: Path) -> None:
    note = ('safety: |\n  **This is a safety pattern.** Assess risk under your protocol today. '
            'Then consult.\ntags: [safety]\n')
    patterns = _patterns(_first(_project(tmp_path, note, stuck_tags="suicide")))
    risk = patterns["risk"]
    assert risk["steps"] == ["Assess risk under your protocol today."]
    assert risk["safety"] == "Assess risk under your protocol today.", "the result's label too"
    assert patterns["stuck"]["kinds"] == [], "a kind's tag makes no safety pattern of a pattern"
    assert risk["kinds"] == []  # no kind's tag: the finder falls back to it for every kind
    assert risk["safetyCard"] == -1


# -- the risk set stays out of the rules and the meaning statements -----------------------------

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("'", "").replace("’", ""))


def _content(text: str) -> set[str]:
    return {w for w in _words(text) if w not in STOP_WORDS}


def _runs(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_no_report_of_the_sets_nor_a_near_copy_is_in_the_rules_or_statements() -> None:
    reports = [str(r["q"]) for r in yaml.safe_load(RISK_SET.read_text("utf-8"))["reports"]]
    assert len(reports) >= 120
    for held in (RISK_HELD2, RISK_HELD3, RISK_HELD4, RISK_HELD5, RISK_HELD6, RISK_HELD7,
                 RISK_HELD8, RISK_HELD9, RISK_HELD10):
        more = [str(r["q"]) for r in yaml.safe_load(held.read_text("utf-8"))["reports"]]
        assert len(more) >= 120, held
        reports += more
    queries = REPO / "tests" / "search" / "queries.yml"  # the quality set, likewise
    reports += [str(q["q"]) for q in yaml.safe_load(queries.read_text("utf-8"))["queries"]]
    data = risk_data()
    statements = [s for kind in data["meaning"].values() for s in kind]
    rules = [p for section in ("rules", "cues") for kind in data[section].values() for p in kind]
    rules += data["harmless"]
    source = " ".join(_words((REPO / "hooks" / "cardkb" / "finder_risk.yml").read_text("utf-8")))
    for report in reports:
        words = _words(report)
        assert " ".join(words) not in source, report
        content = _content(report)
        for statement in statements:
            other = _content(statement)
            overlap = len(content & other) / len(content | other)
            assert overlap < 0.5, (report, statement)
            assert not _runs(words, 5) & _runs(_words(statement), 5), (report, statement)
        for rule in rules:  # a rule as long as a sentence would be a sentence in disguise
            assert len(rule.split(" ")) <= 8, rule


def test_the_statements_words_are_read_at_build_time(tmp_path: Path) -> None:
    """find/risk-vectors.js carries the risk step's statements as words' rows and their vectors,
    so the browser needs the model only for the report's own words."""
    from cardkb.finder import MeaningModel, risk_statements, risk_vectors

    kb = _project(tmp_path, SAFETY_WITH_STEPS)
    data = risk_vectors(kb, MeaningModel.shipped())
    assert data["kinds"] == [*risk_kinds(), "everyday"]
    statements = risk_statements(kb)
    assert len(data["examples"]) == len(statements)  # every statement has a word the model reads
    for (kind, text), (kind_index, shown, rows) in zip(statements, data["examples"], strict=True):
        assert data["kinds"][kind_index] == kind
        assert shown == ("" if kind == "everyday" else text)  # only risk statements are quoted
        assert rows and all(0 <= row < data["rows"] for row in rows)
    everyday = {text for kind, text in statements if kind == "everyday"}
    assert {s.text for s in kb.patterns["stuck"].signs} <= everyday
    assert not {s.text for s in kb.patterns["risk"].signs} & everyday, "a safety pattern's signs"
    assert len(data["vectors"]) * 3 // 4 >= data["rows"] * data["dims"] // 2


def test_the_cards_own_vectors_are_left_out_past_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """find/vectors.js: each card's own vector (eight bits, ordering the cards under a result) up
    to CARD_VECTORS_MAX_CARDS cards; beyond, none, for each card's cue among the phrases orders
    it (README, "Outside auditors")."""
    from cardkb import finder

    kb = _project(tmp_path, SAFETY_WITH_STEPS)
    model = finder.MeaningModel.shipped()

    def vectors() -> dict[str, Any]:
        script = finder.finder_vectors(kb, model)
        return dict(json.loads(script[script.index("=") + 1:].rstrip().rstrip(";")))

    _, cards = finder.searched(kb)
    within = vectors()
    assert within["cards"]["rows"] == len(cards) and within["cards"]["scale"] == 1 / 127
    monkeypatch.setattr(finder, "CARD_VECTORS_MAX_CARDS", len(cards) - 1)
    beyond = vectors()
    assert "cards" not in beyond and beyond["phrases"] == within["phrases"]


def test_the_learnt_part_never_learnt_from_the_held_out_set_scored_last() -> None:
    """finder_risk_learned.json (tools/risk_model/train.py) learns from the labelled sets, so the
    held-out set scored last must stay out of it, and every other set must be in it."""
    learned_file = REPO / "hooks" / "cardkb" / "finder_risk_learned.json"
    learned = json.loads(learned_file.read_text("utf-8"))
    sets = {path.name for path in (REPO / "tests" / "search").glob("risk*.yml")
            if not path.name.startswith("risk-rules")}
    # the tenth, scored at round eight's end, is learnt from when round nine begins; the eleventh
    # is that round's blind set (tests/search/next-round/ holds its tuning sets until then)
    held_out = {RISK_HELD10.name, RISK_HELD11.name}
    assert not held_out & set(learned["learntFrom"])
    learnt_sets = set(learned["learntFrom"]) - {"statements and starter phrases"}
    assert learnt_sets == sets - held_out
    assert learned["reports"] > 3000 and learned["threshold"] > 0
    # quiet only where a few risk reports of a writer never seen score (out of fold)
    assert learned["quiet"] < learned["threshold"] and learned["outOfFold"]["quietMisses"] <= 0.01

