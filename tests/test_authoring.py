"""Curricula and authoring: renames, retirement, drafts, schemas, scaffolds, export, review."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker

from .conftest import BASE_FILES, REPO, Project
from .pages import article, link_targets, links

RENAMED = {
    "cards/stuck/name-it.yml": None,
    "cards/stuck/name-the-stuckness.yml": BASE_FILES["cards/stuck/name-it.yml"]
    + "aliases: [name-it]\n",
}


def _files(changes: dict[str, str | None]) -> dict[str, str | bytes]:
    return {k: v for k, v in changes.items() if v is not None}


def test_renaming_with_an_alias_keeps_every_old_url_and_link(
        make_project: Callable[..., Project]) -> None:
    project = make_project(_files(RENAMED))
    project.remove("cards/stuck/name-it.yml")
    result = project.build("--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    redirect = (project.site / "cards/name-it/index.html").read_text()
    assert 'http-equiv="refresh" content="0; url=../name-the-stuckness/"' in redirect
    assert '<a href="../name-the-stuckness/">Name the stuckness</a>' in redirect
    # [[name-it]] in the pattern, the curriculum's embed and defend's instead all still resolve
    assert ("../../cards/name-the-stuckness/", "Name the stuckness") in links(
        article(project.html("patterns/stuck")))
    assert link_targets(project.html("curricula/module"), "curricula/module/")[
        "Open the card"] == "cards/name-the-stuckness/"
    assert "Module one: stuckness" in article(project.html("cards/name-the-stuckness"))


def test_an_alias_that_clashes_with_an_id_is_an_error(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/name-it.yml": BASE_FILES["cards/stuck/name-it.yml"]
                            + "aliases: [defend]\n"})
    result = project.check()
    assert result.returncode == 1
    assert "cards/stuck/name-it.yml:10:11: the id 'defend' is used more than once" in result.stdout


RETIRED = BASE_FILES["cards/stuck/ask-small.yml"].replace(
    "also_in: [risk]\n", "") + "status: retired\nreplaced_by: name-it\n"


def test_a_retired_card_keeps_its_page_pointing_to_its_replacement(
        make_project: Callable[..., Project]) -> None:
    project = make_project({
        "cards/stuck/ask-small.yml": RETIRED,
        "cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"].replace(
            "instead: [name-it, ask-small]", "instead: [name-it]"),
    })
    assert project.build("--strict").returncode == 0
    page = article(project.html("cards/ask-small"))
    assert "cardkb-retired" in page
    assert link_targets(project.html("cards/ask-small"), "cards/ask-small/")[
        "Name the stuckness"] == "cards/name-it/"
    assert 'id="ask-small"' not in article(project.html("patterns/stuck"))


def test_a_link_to_a_retired_card_from_a_page_is_a_warning(
        make_project: Callable[..., Project]) -> None:
    project = make_project({
        "cards/stuck/ask-small.yml": RETIRED,
        "cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"].replace(
            "instead: [name-it, ask-small]", "instead: [name-it]"),
        "content/curricula/module.md": "# Module\n\nTry [[ask-small]].\n",
    })
    result = project.check()
    assert result.returncode == 0
    assert ("content/curricula/module.md:3:5: warning: [[ask-small]]: 'ask-small' is retired: "
            "link 'name-it' instead") in result.stdout
    assert project.build("--strict").returncode == 1  # strict builds do not let it pass either


def test_instead_naming_a_retired_card_is_an_error(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/ask-small.yml": RETIRED})
    result = project.check()
    assert "cards/stuck/defend.yml:11:20: instead: 'ask-small' is retired: use 'name-it'" \
        in result.stdout


DRAFT = BASE_FILES["cards/stuck/ask-small.yml"] + "status: draft\n"
DEFEND_WITHOUT_DRAFT = BASE_FILES["cards/stuck/defend.yml"].replace(
    "instead: [name-it, ask-small]", "instead: [name-it]")


def test_drafts_are_left_out_by_default(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/ask-small.yml": DRAFT,
                            "cards/stuck/defend.yml": DEFEND_WITHOUT_DRAFT})
    assert project.build("--strict").returncode == 0
    assert not (project.site / "cards/ask-small").exists()
    risk_page = (project.site / "patterns/risk/index.html").read_text()
    assert "Ask for the smallest sign" not in risk_page
    export = json.loads((project.site / "cards.json").read_text())
    assert "ask-small" not in [card["id"] for card in export["cards"]]


def test_a_link_to_a_hidden_draft_is_an_error(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/ask-small.yml": DRAFT})
    result = project.check()
    assert result.returncode == 1
    assert ("cards/stuck/defend.yml:11:20: instead: 'ask-small' is a draft, and drafts are "
            "hidden") in result.stdout


def test_drafts_can_be_shown_with_a_banner(make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/ask-small.yml": DRAFT})
    project.write({"mkdocs.yml": BASE_FILES["mkdocs.yml"].replace("show_drafts: false",
                                                                  "show_drafts: true")})
    assert project.build("--strict").returncode == 0
    assert "cardkb-draft" in article(project.html("cards/ask-small"))


def _schema(site: Path, name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((site / "schema" / name).read_text()),
                                format_checker=FormatChecker())


def _yaml(path: Path) -> object:
    data = yaml.safe_load(path.read_text("utf-8"))
    review = data.get("review") if isinstance(data, dict) else None
    if isinstance(review, dict):  # a YAML 1.2 editor reads dates as text
        data["review"] = {k: str(v) for k, v in review.items()}
    return data


def test_served_schemas_validate_every_card_of_the_project(built_site: Project) -> None:
    cards = _schema(built_site.site, "card.json")
    patterns = _schema(built_site.site, "pattern.json")
    files = sorted((REPO / "cards").glob("*/*.yml"))
    assert len(files) > 50
    for file in files:
        validator = patterns if file.name == "pattern.yml" else cards
        errors = [e.message for e in validator.iter_errors(_yaml(file))]
        assert errors == [], file


def test_served_schemas_reject_a_bad_verdict_and_an_unknown_field(built_site: Project) -> None:
    cards = _schema(built_site.site, "card.json")
    card = yaml.safe_load(BASE_FILES["cards/stuck/name-it.yml"])
    assert cards.is_valid(card)
    assert not cards.is_valid({**card, "verdict": "maybe"})
    assert not cards.is_valid({**card, "colour": "blue"})
    for name in ["card.json", "pattern.json"]:
        served = json.loads((built_site.site / "schema" / name).read_text())
        for field, spec in served["properties"].items():
            assert spec.get("description") or "$ref" in spec, (name, field)


def test_scaffolds_carry_the_schema_line_and_validate(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    assert project.cardkb("new", "pattern", "new-pattern").returncode == 0
    result = project.cardkb("new", "card", "new-pattern", "try-it", "--verdict", "backfires")
    assert "wrote cards/new-pattern/try-it.yml" in result.stdout
    card = project.root / "cards/new-pattern/try-it.yml"
    first_line = card.read_text().splitlines()[0]
    assert first_line.startswith("# yaml-language-server: $schema=")
    schema_file = (card.parent / first_line.split("$schema=")[1]).resolve()
    assert schema_file == (REPO / "hooks/cardkb/schema/card.json").resolve()
    validator = Draft202012Validator(json.loads(schema_file.read_text()))
    assert list(validator.iter_errors(_yaml(card))) == []
    pattern = project.root / "cards/new-pattern/pattern.yml"
    assert _schema(REPO / "hooks/cardkb", "pattern.json").is_valid(_yaml(pattern))


def test_scaffold_refuses_a_taken_id(make_project: Callable[..., Project]) -> None:
    result = make_project().cardkb("new", "card", "stuck", "defend", "--verdict", "works")
    assert result.returncode == 1
    assert "the id 'defend' is taken already" in result.stdout


def test_ids_lists_every_id_with_its_title(make_project: Callable[..., Project]) -> None:
    lines = make_project().cardkb("ids").stdout.splitlines()
    assert "stuck\tpattern\tThe client feels stuck" in lines
    assert "defend\tcard (backfires, published)\tDefend the process" in lines


def test_cards_json_holds_every_published_card_and_pattern_with_links(
        built_site: Project) -> None:
    export = json.loads((built_site.site / "cards.json").read_text())
    assert export["format"] == "cardkb/1"
    assert {p["id"] for p in export["patterns"]} == {"stuck", "risk"}
    cards = {c["id"]: c for c in export["cards"]}
    assert set(cards) == {"defend", "name-it", "ask-small", "ask-directly"}
    assert cards["defend"]["links"]["alternatives"] == ["name-it", "ask-small"]
    assert cards["name-it"]["links"]["use_instead_of"] == ["defend"]
    assert cards["ask-small"]["links"]["also_in"] == ["risk"]
    assert cards["ask-small"]["links"]["related"] == [
        {"id": "defend", "kind": "card", "why": "Answers the same complaint."}]
    assert cards["name-it"]["links"]["used_in"][0]["url"] == "curricula/module/"
    assert cards["name-it"]["url"] == "cards/name-it/"
    stuck = next(p for p in export["patterns"] if p["id"] == "stuck")
    assert "[Name the stuckness](cards/name-it/)" in stuck["dynamics"]


def test_overdue_reviews_are_listed_but_never_fail_the_build(
        make_project: Callable[..., Project]) -> None:
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    project = make_project({"cards/stuck/pattern.yml": BASE_FILES["cards/stuck/pattern.yml"]
                            .replace("due: 2027-01-10", f"due: {yesterday}")
                            .replace("date: 2026-01-10", "date: 2025-01-10")})
    assert project.build("--strict").returncode == 0
    editors = article(project.html("editors"))
    assert yesterday in editors and "The client feels stuck" in editors
    result = project.check("--due")
    assert result.returncode == 0
    assert (f"cards/stuck/pattern.yml:1:1: review was due on {yesterday} (1 days ago): "
            "The client feels stuck") in result.stdout


def test_identifier_lint_flags_wording_but_allows_links_in_markdown(
        make_project: Callable[..., Project]) -> None:
    card = BASE_FILES["cards/stuck/name-it.yml"].replace(
        "Make the lack of progress the topic.",
        "Make it the topic ([background](https://example.org/stuck)).").replace(
        '  - "It must be tiring to keep coming and feel nothing shift."',
        '  - "Mrs Patel, you can call me on 020 7946 0958."')
    result = make_project({"cards/stuck/name-it.yml": card}).check()
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("cards/")]
    assert lines == [
        "cards/stuck/name-it.yml:7:6: wording: this looks like a name after an honorific "
        "('Mrs Patel'); example text must not identify anyone: use a placeholder such as "
        "[partner] or leave it out",
        "cards/stuck/name-it.yml:7:36: wording: this looks like a phone number ('020 7946 0958'); "
        "example text must not identify anyone: use a placeholder such as [partner] or leave it "
        "out",
    ]


def test_every_schema_field_has_help_for_the_editor() -> None:
    for name in ["card.json", "pattern.json"]:
        schema = json.loads((REPO / "hooks/cardkb/schema" / name).read_text())
        defs = schema["$defs"]
        for field, spec in schema["properties"].items():
            target = defs.get(spec.get("$ref", "").removeprefix("#/$defs/"), {})
            for key in ["description", "examples"]:
                assert key in spec or key in target, (name, field, key)
