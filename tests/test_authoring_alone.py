"""Authoring that a clinician can do alone: every problem at once, in plain words, at the line
where the mistake starts; scaffolds that pass as written; draft patterns; ``tell_apart``; and one
description of the format (the schema) that the code cannot drift from.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from cardkb.config import Settings
from cardkb.fields import FieldKind, field_kinds
from cardkb.model import Card, Pattern
from cardkb.problems import Problems
from cardkb.project import check_project
from cardkb.schemas import field_names
from cardkb.yaml_source import parse_yaml

from .conftest import BASE_FILES, REPO, Project
from .pages import article, link_targets
from .test_preview import serving

CARD = BASE_FILES["cards/stuck/defend.yml"]
PATTERN = BASE_FILES["cards/stuck/pattern.yml"]
RISK = BASE_FILES["cards/risk/pattern.yml"]


def _problems(project: Project, settings: Settings | None = None) -> list[str]:
    checked = check_project(project.root, settings or Settings(), "content")
    return [str(problem) for problem in checked.problems.sorted()]


# -- 1. every problem of a file at once -----------------------------------------------------------

def test_a_misspelled_field_does_not_hide_a_wrong_id(make_project: Callable[..., Project]) -> None:
    card = CARD.replace("wording:", "wordng:").replace("instead: [name-it, ask-small]",
                                                       "instead: [name-itt, ask-small]")
    problems = _problems(make_project({"cards/stuck/defend.yml": card}))
    assert problems == [
        "cards/stuck/defend.yml:6:1: unknown field 'wordng' (did you mean 'wording'?); 'wording' "
        "is required, so it is missing until the name is corrected",
        "cards/stuck/defend.yml:11:11: instead: 'name-itt' is not a card (did you mean "
        "'name-it'?)",
    ]


def test_a_file_with_shape_problems_still_has_its_links_and_identifiers_checked(
        make_project: Callable[..., Project]) -> None:
    card = (CARD.replace("verdict: backfires", "verdict: backfire")
            .replace("Explain that change takes time.", "Explain it, as in [[stuk]].")
            .replace('"Trust the process."', '"Call me on 020 7946 0958."')
            .replace("instead: [name-it, ask-small]", "instead: [stuck]"))
    problems = _problems(make_project({"cards/stuck/defend.yml": card}))
    assert [p.split(": ", 2)[1] for p in problems] == [
        "verdict", "[[stuk]]", "wording", "instead"], problems
    assert "cards/stuck/defend.yml:11:11: instead: 'stuck' is a pattern, not a card" in problems


def test_a_file_with_shape_problems_still_has_its_id_checked(
        make_project: Callable[..., Project]) -> None:
    card = CARD.replace("verdict: backfires", "verdict: backfire")
    problems = _problems(make_project({"cards/stuck/risk.yml": card}))
    assert "cards/stuck/risk.yml:1:1: the id 'risk' is used more than once (also in " \
        "cards/risk/pattern.yml); ids of patterns, cards and aliases must all be different" \
        in problems
    assert "cards/stuck/risk.yml:2:10: verdict: must be 'backfires' or 'works', not 'backfire' " \
        "(did you mean 'backfires'?)" in problems


# -- 2. YAML mistakes in plain words, at the line where they start --------------------------------

YAML_MISTAKES = {
    "unclosed quote": (
        'title: "Defend the process\nverdict: works\nsign: "The client says so."\n',
        "1:8: this quotation mark is never closed"),
    "tab in indentation": (
        'title: "Defend"\nwording:\n\t- "It takes time."\n',
        "3:1: this line is indented with a tab; YAML needs spaces"),
    "list item under a text field": (
        'title: "Defend"\nwording: "It takes time."\n  - "Trust the process."\n',
        "3:3: this list item stands under a field that already holds a text"),
    "colon in unquoted text": (
        'title: "Defend"\nsign: The client says: nothing changes\n',
        "2:7: this text holds a colon followed by a space, which YAML reads as the start of "
        "another field: put the whole text in double quotes"),
    "misaligned key": (
        'title: "Defend"\nsign: "The client says so."\n  why: "Because."\n',
        "3:3: this field is not lined up with the fields above it"),
    "no space after a dash": (
        'title: "Defend"\nwording:\n  - "It takes time."\n  -"Trust the process."\nwhy: "x"\n',
        "4:3: put a space after '-'"),
    "no space after a colon": (
        'title: "Defend"\nsign:"The client says so."\nwhy: "x"\n',
        "2:5: put a space after the colon"),
}


@pytest.mark.parametrize("name", list(YAML_MISTAKES))
def test_yaml_mistakes_are_explained_where_they_start(name: str) -> None:
    text, expected = YAML_MISTAKES[name]
    problems = Problems()
    assert parse_yaml(text, "cards/stuck/defend.yml", problems) is None
    assert [str(p) for p in problems] and str(problems.items[0]).startswith(
        "cards/stuck/defend.yml:" + expected), [str(p) for p in problems]
    assert "YAML does not parse" not in str(problems.items[0])


def test_a_list_item_under_unquoted_text_is_not_silently_merged_into_it(
        make_project: Callable[..., Project]) -> None:
    # YAML reads it as more of the text: "The client says therapy is not working. - Again."
    card = CARD.replace('sign: "The client says therapy is not working."\n',
                        'sign: The client says therapy is not working.\n  - "Again."\n')
    problems = _problems(make_project({"cards/stuck/defend.yml": card}))
    assert problems == ["cards/stuck/defend.yml:4:3: this list item stands under a field that "
                        "already holds a text after its colon: a field holds either one text or "
                        "a list; for a list, leave the first line empty after the colon and start "
                        "each item on its own line with '- '"]


def test_a_first_list_item_without_its_space_is_explained(
        make_project: Callable[..., Project]) -> None:
    # '-"...' right under 'wording:' is text to YAML, not a list: the schema's turn to explain
    card = CARD.replace('  - "Therapy takes time; be patient."', '  -"Therapy takes time."')
    problems = _problems(make_project({"cards/stuck/defend.yml": card}))
    assert problems == ["cards/stuck/defend.yml:7:3: wording: put a space after '-': a list item "
                        "is written '- ' and then the text"]


# -- 3. scaffolds pass as written, and start as drafts --------------------------------------------

def test_scaffolds_pass_the_check_and_a_strict_build_and_stay_drafts(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    for command in (["new", "pattern", "first-pattern"],
                    ["new", "card", "first-pattern", "first-works", "--verdict", "works"],
                    ["new", "card", "first-pattern", "first-backfires", "--verdict", "backfires"],
                    ["new", "card", "stuck", "another-move", "--verdict", "backfires"]):
        assert project.cardkb(*command).returncode == 0
    check = project.check()
    assert check.returncode == 0, check.stdout
    assert check.stdout.splitlines() == ["cardkb: all cards are valid"]
    assert "#   - first-works" in (project.root / "cards/first-pattern/first-backfires.yml"
                                   ).read_text()
    build = project.build("--strict")
    assert build.returncode == 0, build.stdout + build.stderr
    for page in ("patterns/first-pattern", "cards/first-works", "cards/another-move"):
        assert not (project.site / page).exists(), page
    assert "The situation, as a supervisor would name it" not in project.html("patterns")
    assert "The situation" not in (project.site / "cards.json").read_text()


def test_the_preview_shows_new_drafts_marked_as_drafts(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    project.cardkb("new", "pattern", "first-pattern")
    project.cardkb("new", "card", "first-pattern", "first-works", "--verdict", "works")
    with serving(project) as server:
        for page in ("patterns/first-pattern/", "cards/first-works/"):
            status, html = server.page(page)
            assert status == 200, page
            assert "cardkb-draft" in article(html), page
            assert "cardkb-problems" not in html, page


def test_the_readme_commands_work_on_the_starter_content(tmp_path: Path) -> None:
    """A new author follows the README on a fresh clone: its commands, then its publishing steps."""
    for name in ("cards", "content"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    project = Project(tmp_path)
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"^\.venv/bin/cardkb (new .+)$", readme, re.MULTILINE)
    assert len(commands) == 3
    for command in commands:
        result = project.cardkb(*command.split())
        assert result.returncode == 0, (command, result.stdout)
    assert project.check().returncode == 0
    pattern_id = commands[0].split()[-1]
    works_id = commands[1].split()[-3]
    for file in (tmp_path / "cards" / pattern_id).glob("*.yml"):
        text = file.read_text().replace("status: draft\n", "")
        file.write_text(re.sub(r"^# instead:\n#   - .+$", f"instead:\n  - {works_id}", text,
                               flags=re.MULTILINE))
    result = project.check()
    assert result.returncode == 0, result.stdout


def test_publishing_a_scaffolded_pattern_asks_for_the_real_text_only(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    project.cardkb("new", "pattern", "first-pattern")
    project.cardkb("new", "card", "first-pattern", "first-backfires", "--verdict", "backfires")
    card = project.root / "cards/first-pattern/first-backfires.yml"
    card.write_text(card.read_text().replace("status: draft\n", ""))
    problems = _problems(project)
    assert problems == ["cards/first-pattern/first-backfires.yml:4:1: a card that backfires "
                        "needs 'instead': the ids of the cards that work instead"]


# -- 5 and 6. make: plain output, and only what each command needs ------------------------------

def _make(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO / "hooks")}
    return subprocess.run(["make", "--no-print-directory", "-f", str(REPO / "Makefile"), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_check_prints_the_problems_and_a_summary_only(
        make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/defend.yml": CARD.replace("verdict: backfires",
                                                                   "verdict: backfire")})
    (project.root / "bin").mkdir()
    (project.root / "bin/cardkb").symlink_to(Path(sys.executable).parent / "cardkb")
    shutil.copy(REPO / "pyproject.toml", project.root)
    (project.root / "installed").touch()  # newer than pyproject.toml: nothing to install
    result = _make("check", "BIN=bin", "INSTALLED=installed", cwd=project.root)
    lines = (result.stdout + result.stderr).splitlines()
    assert lines[0].startswith("cards/stuck/defend.yml:2:10: verdict: must be")
    assert lines[-1] == "cardkb: 1 problem found"
    assert len(lines) == 2, lines


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_building_installs_no_test_tools(tmp_path: Path) -> None:
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    build = _make("-n", "build", cwd=tmp_path).stdout
    assert "pip install --quiet --disable-pip-version-check -e .\n" in build
    assert "[test]" not in build
    assert "-e '.[test]'" in _make("-n", "lint", cwd=tmp_path).stdout
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    needed = " ".join(project["dependencies"])
    for tool in ("pytest", "ruff", "mypy", "playwright", "pypdf"):
        assert tool not in needed
        assert any(d.startswith(tool) for d in project["optional-dependencies"]["test"])


# -- pattern drafts --------------------------------------------------------------------------------

DRAFT_RISK = RISK + "status: draft\n"
STUCK_WITHOUT_RISK = PATTERN.replace(" and [[risk|the risk pattern]]", "").replace(
    'related:\n  - id: risk\n    why: "Stuck can hide hopelessness."\n', "")
ASK_SMALL_WITHOUT_RISK = BASE_FILES["cards/stuck/ask-small.yml"].replace("also_in: [risk]\n", "")


def _draft_risk(make_project: Callable[..., Project]) -> Project:
    return make_project({"cards/risk/pattern.yml": DRAFT_RISK,
                         "cards/stuck/pattern.yml": STUCK_WITHOUT_RISK,
                         "cards/stuck/ask-small.yml": ASK_SMALL_WITHOUT_RISK})


def test_a_draft_pattern_and_its_cards_are_left_out_everywhere(
        make_project: Callable[..., Project]) -> None:
    project = _draft_risk(make_project)
    result = project.build("--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project.site / "patterns/risk").exists()
    assert not (project.site / "cards/ask-directly").exists()
    home = project.html("")
    for page in (home, project.html("patterns"), project.html("signs"),
                 project.html("patterns/stuck")):
        assert "Stuck that hides hopelessness" not in page
        assert "Ask directly about hopelessness" not in page
    export = json.loads((project.site / "cards.json").read_text())
    assert [p["id"] for p in export["patterns"]] == ["stuck"]
    assert "ask-directly" not in [c["id"] for c in export["cards"]]


def test_references_to_a_draft_pattern_are_problems(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/risk/pattern.yml": DRAFT_RISK})
    problems = _problems(project)
    assert sorted(p.split(": ", 1)[1] for p in problems) == sorted([
        "related: 'risk' is a draft, and drafts are hidden: publish it, or set 'show_drafts: "
        "true' under extra: cardkb: in mkdocs.yml",
        "[[risk|the risk pattern]]: 'risk' is a draft, and drafts are hidden: publish it, or "
        "remove the link",
        "also_in: 'risk' is a draft, and drafts are hidden: publish it, or set 'show_drafts: "
        "true' under extra: cardkb: in mkdocs.yml",
    ]), problems
    assert _problems(project, Settings(show_drafts=True)) == []


def test_shown_draft_patterns_carry_a_banner_and_so_do_their_cards(
        make_project: Callable[..., Project]) -> None:
    project = _draft_risk(make_project)
    project.write({"mkdocs.yml": BASE_FILES["mkdocs.yml"].replace("show_drafts: false",
                                                                  "show_drafts: true")})
    assert project.build("--strict").returncode == 0
    pattern = article(project.html("patterns/risk"))
    assert "cardkb-draft" in pattern
    assert pattern.index("Stuck that hides hopelessness") < pattern.index("cardkb-draft")
    card = article(project.html("cards/ask-directly"))
    assert "cardkb-draft" in card and "pattern is a draft" in card


# -- 7. tell_apart ---------------------------------------------------------------------------------

TELL_APART = ('tell_apart:\n  - id: risk\n    how: "A stuck client still hopes the work could '
              'help; a hopeless one doubts that anything could."\n')


def test_tell_apart_shows_on_both_patterns_pages(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/pattern.yml": PATTERN + TELL_APART})
    assert project.build("--strict").returncode == 0
    for page, other in (("patterns/stuck", "Stuck that hides hopelessness"),
                        ("patterns/risk", "The client feels stuck")):
        text = article(project.html(page))
        assert "How to tell it apart from <a href" in text, page
        assert "a hopeless one doubts that anything could" in text, page
        assert other in link_targets(project.html(page), page + "/"), page
    export = json.loads((project.site / "cards.json").read_text())
    patterns = {p["id"]: p for p in export["patterns"]}
    how = ("A stuck client still hopes the work could help; a hopeless one doubts that "
           "anything could.")
    assert patterns["stuck"]["tell_apart"] == [{"id": "risk", "how": how}]
    assert patterns["risk"]["links"]["tell_apart"] == [{"id": "stuck", "how": how}]


@pytest.mark.parametrize(("target", "message"), [
    ("rsik", "tell_apart: 'rsik' is not a pattern (did you mean 'risk'?)"),
    ("name-it", "tell_apart: 'name-it' is a card, not a pattern"),
    ("stuck", "tell_apart: 'stuck' is this pattern itself"),
])
def test_tell_apart_names_another_pattern(target: str, message: str,
                                          make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/pattern.yml": PATTERN + TELL_APART.replace(
        "id: risk", f"id: {target}")})
    assert _problems(project) == [f"cards/stuck/pattern.yml:21:9: {message}"]


def test_tell_apart_to_a_hidden_draft_is_a_problem(make_project: Callable[..., Project]) -> None:
    project = _draft_risk(make_project)
    project.write({"cards/stuck/pattern.yml": STUCK_WITHOUT_RISK + TELL_APART})
    assert _problems(project) == [
        "cards/stuck/pattern.yml:18:9: tell_apart: 'risk' is a draft, and drafts are hidden: "
        "publish it, or set 'show_drafts: true' under extra: cardkb: in mkdocs.yml"]


# -- 8. one description of the format ------------------------------------------------------------

#: model fields that no author writes: the file gives them, or the link stage derives them
NOT_WRITTEN = {"id", "document", "pattern_id", "related_links", "used_in", "cards",
               "tell_apart_links", "pattern", "also_in_patterns", "alternatives", "replaces",
               "replacement"}


@pytest.mark.parametrize(("kind", "model"), [("pattern", Pattern), ("card", Card)])
def test_the_schema_and_the_model_describe_the_same_fields(kind: str, model: type) -> None:
    written = {f.name for f in dataclasses.fields(model)} - NOT_WRITTEN
    assert written == set(field_names(kind))


def test_field_kinds_come_from_the_schema() -> None:
    card = field_kinds("card")
    assert card[("move",)] is FieldKind.MARKDOWN
    assert card[("wording", "*")] is FieldKind.TEXT
    assert card[("instead", "*")] is FieldKind.CARD_REF
    assert field_kinds("pattern")[("tell_apart", "*", "id")] is FieldKind.PATTERN_REF
    assert field_kinds("pattern")[("tell_apart", "*", "how")] is FieldKind.TEXT


def test_every_written_field_is_exported(built_site: Project) -> None:
    export = json.loads((built_site.site / "cards.json").read_text())
    as_links = {"related", "instead", "also_in", "status", "replaced_by"}
    for kind, items in (("pattern", export["patterns"]), ("card", export["cards"])):
        for item in items:
            assert set(field_names(kind)) - as_links <= set(item), (kind, item["id"])


@pytest.mark.parametrize("kind", ["pattern", "card"])
def test_the_authoring_page_documents_every_field(kind: str) -> None:
    page = (REPO / "content/authoring.md").read_text()
    heading = "## A pattern" if kind == "pattern" else "## A card"
    section = page[page.index(heading):].split("\n## ", 1)[0]
    missing = [name for name in field_names(kind) if f"`{name}`" not in section]
    assert missing == []


def test_identifiers_in_tell_apart_are_flagged(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/pattern.yml": PATTERN + TELL_APART.replace(
        "A stuck client", "Mrs Patel")})
    assert [p.split(": ", 2)[1] for p in _problems(project)] == ["tell_apart"]


def test_the_editor_schema_offers_the_reference_kinds() -> None:
    schema = json.loads((Path(__file__).parent.parent / "hooks/cardkb/schema/pattern.json")
                        .read_text())
    item = schema["properties"]["tell_apart"]["items"]
    assert item["properties"]["id"] == {"$ref": "#/$defs/pattern-ref"}
    assert "description" in schema["$defs"]["pattern-ref"]
