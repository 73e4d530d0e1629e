"""Every problem class of the contract is rejected by both front ends, at the right place.

Each case breaks the base project in one way and names the line it expects, as
``path:line:col: message``. The same case runs through ``cardkb check`` and ``mkdocs build``;
the build must also leave the previous site untouched and print no traceback.

Both front ends run in this process (tests/in_process.py), where a traceback fails the test as an
exception. Every problem stops the build at the same place (cardkb reports it before MkDocs writes
anything, then aborts); one case of each stage that finds problems (reading a file, parsing YAML,
the schema, ids and folders, links between cards, links in pages, the identifier lint) also runs
both real commands, for their exit status, their output and the staging seen from outside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from .conftest import BASE_FILES, Project

CARD = BASE_FILES["cards/stuck/name-it.yml"]
WORDING = '"It must be tiring to keep coming and feel nothing shift."'


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes]
    expected: str
    remove: str | None = None
    #: run the real commands too (one case per stage that finds problems)
    command: bool = False


CASES: dict[str, Case] = {
    "yaml does not parse": Case(
        {"cards/stuck/name-it.yml": CARD.replace('sign: "The same', 'sign: "The same\n  bad: "')},
        "cards/stuck/name-it.yml:3:7: this quotation mark is never closed",
        command=True),
    "tab indentation": Case(
        {"cards/stuck/name-it.yml": CARD.replace('  - "It must', '\t- "It must')},
        "cards/stuck/name-it.yml:7:1: this line is indented with a tab; YAML needs spaces"),
    "duplicate key": Case(
        {"cards/stuck/name-it.yml": CARD + 'title: "Again"\n'},
        "cards/stuck/name-it.yml:10:1: duplicate key 'title' (first written on line 1)"),
    "unknown field with a near miss": Case(
        {"cards/stuck/name-it.yml": CARD + "cautons: |\n  Careful.\n"},
        "cards/stuck/name-it.yml:10:1: unknown field 'cautons' (did you mean 'cautions'?)"),
    "missing required field": Case(
        {"cards/stuck/name-it.yml": CARD.replace(
            'sign: "The same conversation comes back again."\n', "")},
        "cards/stuck/name-it.yml:1:1: missing required field 'sign'"),
    "wrong type": Case(
        {"cards/stuck/name-it.yml": CARD.replace(f"wording:\n  - {WORDING}",
                                                 f"wording: {WORDING}")},
        "cards/stuck/name-it.yml:6:10: wording: must be a list"),
    "yaml reads no as false": Case(
        {"cards/stuck/name-it.yml": CARD.replace('title: "Name the stuckness"', "title: no")},
        'cards/stuck/name-it.yml:1:8: title: YAML reads no as a yes/no value; put it in quotes '
        'if you mean the text: "no"'),
    "a date where text was meant": Case(
        {"cards/stuck/name-it.yml": CARD.replace('sign: "The same conversation comes back again."',
                                                 "sign: 2026-01-10")},
        "cards/stuck/name-it.yml:3:7: sign: YAML reads 2026-01-10 as a date"),
    "wrong value": Case(
        {"cards/stuck/name-it.yml": CARD.replace("verdict: works", "verdict: work")},
        "cards/stuck/name-it.yml:2:10: verdict: must be 'backfires' or 'works', not 'work' "
        "(did you mean 'works'?)",
        command=True),
    "empty string where content is required": Case(
        {"cards/stuck/name-it.yml": CARD.replace('sign: "The same conversation comes back again."',
                                                 'sign: ""')},
        "cards/stuck/name-it.yml:3:7: sign: is empty"),
    "empty list where content is required": Case(
        {"cards/stuck/name-it.yml": CARD.replace(f"wording:\n  - {WORDING}",
                                                 "wording: []")},
        "cards/stuck/name-it.yml:6:10: wording: is an empty list"),
    "optional field present but empty": Case(
        {"cards/stuck/name-it.yml": CARD + "cautions:\n"},
        "cards/stuck/name-it.yml:10:10: cautions: is empty"),
    "bad card id": Case(
        {"cards/stuck/Name_It.yml": CARD},
        "cards/stuck/Name_It.yml:1:1: 'Name_It' is not a valid card id"),
    "bad pattern id": Case(
        {"cards/Stuck Client/pattern.yml": BASE_FILES["cards/risk/pattern.yml"]},
        "cards/Stuck Client:1:1: 'Stuck Client' is not a valid pattern id: use lower-case "
        "letters and digits in words joined by single hyphens, at most 64 characters "
        "(did you mean 'stuck-client'?)"),
    "duplicate id across pattern and card": Case(
        {"cards/stuck/risk.yml": CARD},
        "cards/stuck/risk.yml:1:1: the id 'risk' is used more than once (also in "
        "cards/risk/pattern.yml)"),
    "reference to nothing": Case(
        {"cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"].replace(
            "instead: [name-it, ask-small]", "instead:\n  - name-itt\n  - ask-small")},
        "cards/stuck/defend.yml:12:5: instead: 'name-itt' is not a card "
        "(did you mean 'name-it'?)",
        command=True),
    "reference to the wrong kind": Case(
        {"cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"].replace(
            "instead: [name-it, ask-small]", "instead: [stuck, ask-small]")},
        "cards/stuck/defend.yml:11:11: instead: 'stuck' is a pattern, not a card"),
    "also_in names a card": Case(
        {"cards/stuck/ask-small.yml": BASE_FILES["cards/stuck/ask-small.yml"].replace(
            "also_in: [risk]", "also_in: [name-it]")},
        "cards/stuck/ask-small.yml:10:11: also_in: 'name-it' is a card, not a pattern"),
    "instead names a card that backfires": Case(
        {"cards/stuck/reassure.yml": BASE_FILES["cards/stuck/defend.yml"].replace(
            "instead: [name-it, ask-small]", "instead: [defend]")},
        "cards/stuck/reassure.yml:11:11: instead: 'defend' backfires too"),
    "backfires without instead": Case(
        {"cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"].replace(
            "instead: [name-it, ask-small]\n", "")},
        "cards/stuck/defend.yml:1:1: a card that backfires needs 'instead'"),
    "works with instead": Case(
        {"cards/stuck/name-it.yml": CARD + "instead: [ask-small]\n"},
        "cards/stuck/name-it.yml:10:1: 'instead' is only for cards that backfire"),
    "broken link in a card field": Case(
        {"cards/stuck/name-it.yml": CARD.replace("Make the lack of progress the topic.",
                                                 "Make it the topic, as in [[ask-smal]].")},
        "cards/stuck/name-it.yml:5:28: [[ask-smal]]: 'ask-smal' is not a card or pattern "
        "(did you mean 'ask-small'?)"),
    "broken link in a content page": Case(
        {"content/curricula/module.md": "# Module\n\nSee also [[stuk]].\n"},
        "content/curricula/module.md:3:10: [[stuk]]: 'stuk' is not a card or pattern "
        "(did you mean 'stuck'?)",
        command=True),
    "embed not on a line of its own": Case(
        {"content/curricula/module.md": "# Module\n\nSee ![[name-it]] here.\n"},
        "content/curricula/module.md:3:5: ![[name-it]]: an embed must stand on a line of its own"),
    "not utf-8": Case(
        {"cards/stuck/name-it.yml": CARD.encode("utf-8").replace(b"tiring", b"tir\xe9ing")},
        "cards/stuck/name-it.yml:7:20: the file is not UTF-8 text (byte 0xe9 here)",
        command=True),
    "file over 1 MB": Case(
        {"cards/stuck/name-it.yml": CARD + "# " + "x" * 1_000_001 + "\n"},
        "cards/stuck/name-it.yml:1:1: the file is 1.0 MB; files over 1 MB are refused"),
    "nesting deeper than 20 levels": Case(
        {"cards/stuck/name-it.yml": CARD + "tags: " + "[" * 25 + "]" * 25 + "\n"},
        "cards/stuck/name-it.yml:10:26: nesting is deeper than 20 levels"),
    "anchors and aliases": Case(
        {"cards/stuck/name-it.yml": CARD.replace('sign: "The same', 'sign: &cue "The same')
         + "cautions: *cue\n"},
        "cards/stuck/name-it.yml:3:7: YAML anchors (&cue) are not allowed in cards"),
    "something that identifies a person": Case(
        {"cards/stuck/name-it.yml": CARD.replace(WORDING, '"Write to me at someone@example.org."')},
        "cards/stuck/name-it.yml:7:21: wording: this looks like an email address "
        "('someone@example.org')",
        command=True),
    "missing pattern.yml": Case(
        {}, "cards/risk:1:1: missing pattern.yml", remove="cards/risk/pattern.yml", command=True),
}


def _project(make_project: Callable[..., Project], case: Case) -> Project:
    project = make_project(case.files)
    if case.remove:
        project.remove(case.remove)
    return project


@pytest.mark.parametrize("name", list(CASES))
def test_cardkb_check_reports_the_problem(name: str, make_project: Callable[..., Project]) -> None:
    case = CASES[name]
    project = _project(make_project, case)
    result = project.cardkb_command("check") if case.command else project.check()
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(case.expected) for line in lines), result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", list(CASES))
def test_mkdocs_build_reports_the_problem_and_keeps_the_last_site(
        name: str, make_project: Callable[..., Project]) -> None:
    case = CASES[name]
    project = _project(make_project, case)
    last_good = project.site / "index.html"
    last_good.parent.mkdir()
    last_good.write_text("the last good site")
    result = project.build_command() if case.command else project.build()
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert case.expected in output
    assert "Traceback" not in output
    assert [p.name for p in project.site.iterdir()] == ["index.html"]
    assert last_good.read_text() == "the last good site"


def test_all_problems_are_reported_at_once(make_project: Callable[..., Project]) -> None:
    broken = {
        "cards/stuck/name-it.yml": CARD.replace("verdict: works", "verdict: work"),
        "cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"] + "titel: x\n",
        "content/curricula/module.md": "# Module\n\n[[nowhere]]\n",
    }
    result = make_project(broken).check()
    problems = [line for line in result.stdout.splitlines()
                if line.startswith(("cards/", "content/"))]
    assert len(problems) == 3, result.stdout
    assert result.stdout.splitlines()[-1] == "cardkb: 3 problems found"


def test_links_to_a_pattern_without_its_file_are_not_reported_twice(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    project.remove("cards/risk/pattern.yml")
    lines = project.check().stdout.splitlines()
    assert lines == ["cards/risk:1:1: missing pattern.yml: every pattern folder needs one, with "
                     "its title, summary, signs and dynamics", "cardkb: 1 problem found"]
