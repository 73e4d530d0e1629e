"""Curricula that know when their cards changed: ``cardkb pin``, ``cardkb drift`` and the banner.

A fixture knowledge base's curriculum page is pinned, then one card or pattern is changed in each
of the ways a trainer must hear about, and the report gives each its level, its fields and a
word-level diff; the site carries a banner exactly when a link changed at ``major`` or above.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cardkb.config import Settings
from cardkb.drift import LEVELS, field_levels
from cardkb.drift_sources import FileSources, KnowledgeBaseSources, snapshot
from cardkb.live_site import LiveSite
from cardkb.pins import read_pin
from cardkb.problems import Problems
from cardkb.project import check_project
from cardkb.schemas import load_schema
from cardkb.urls import UrlLayout
from cardkb.wikilinks import find_wikilinks

from .conftest import REPO, Project

PAGE = "content/curricula/module.md"
PIN = "pins/curricula/module.yml"
MODULE = """\
# Module one: stuckness

Read [[stuck]] first, then [[defend|what not to do]].

![[name-it]]

Then [[ask-small]] and [[ask-directly]], and the pattern [[risk]].

In code, `[[not-a-link]]` stays as written.
"""
LINKED = ["stuck", "defend", "name-it", "ask-small", "ask-directly", "risk"]
#: the day each project of the tests below was pinned: the day ``cardkb pin`` ran, which is not
#: the day the module was imported when a run crosses midnight
PINNED_ON: dict[Path, str] = {}


def replace(path: str, old: str, new: str) -> Callable[[Project], None]:
    def change(project: Project) -> None:
        file = project.root / path
        text = file.read_text("utf-8")
        assert old in text, f"{old!r} is not in {path}"
        file.write_text(text.replace(old, new, 1), "utf-8")
    return change


def add(path: str, lines: str) -> Callable[[Project], None]:
    def change(project: Project) -> None:
        file = project.root / path
        file.write_text(file.read_text("utf-8") + lines, "utf-8")
    return change


def rename(project: Project) -> None:
    old = project.root / "cards/stuck/name-it.yml"
    new = project.root / "cards/stuck/name-the-stuckness.yml"
    new.write_text(old.read_text("utf-8") + "aliases: [name-it]\n", "utf-8")
    old.unlink()


def both(*changes: Callable[[Project], None]) -> Callable[[Project], None]:
    def change(project: Project) -> None:
        for one in changes:
            one(project)
    return change


NAME_IT, STUCK, RISK = ("cards/stuck/name-it.yml", "cards/stuck/pattern.yml",
                        "cards/risk/pattern.yml")
#: each change, and the level and fields of every link it changes (the others are unchanged)
CHANGES: dict[str, tuple[Callable[[Project], None], dict[str, tuple[str, list[str]]]]] = {
    "nothing": (lambda project: None, {}),
    "punctuation and case": (
        replace(NAME_IT, "It validates the frustration.", "it validates  the Frustration!"),
        {"name-it": ("editorial", ["why"])}),
    "tags and review": (
        both(replace(STUCK, "tags: [stuckness]", "tags: [stuckness, alliance]"),
             replace(STUCK, "date: 2026-01-10", "date: 2026-02-01")),
        {"stuck": ("minor", ["tags", "review"])}),
    "sources": (add(NAME_IT, "sources:\n  - \"A new textbook (2025).\"\n"),
                {"name-it": ("minor", ["sources"])}),
    "wording": (replace(NAME_IT, "tiring", "exhausting"), {"name-it": ("major", ["wording"])}),
    "a pattern's summary": (replace(STUCK, "nothing moves", "little moves"),
                            {"stuck": ("major", ["summary"])}),
    "verdict": (
        both(replace("cards/stuck/defend.yml", "verdict: backfires", "verdict: works"),
             replace("cards/stuck/defend.yml", "instead: [name-it, ask-small]\n", "")),
        {"defend": ("critical", ["verdict", "instead"])}),
    "safety of a pattern, and of an also_in pattern": (
        replace(RISK, "Assess risk", "Assess the risk"),
        {"risk": ("critical", ["safety"]), "ask-small": ("critical", ["safety"]),
         "ask-directly": ("critical", ["safety"])}),
    "retired": (add(NAME_IT, "status: retired\nreplaced_by: ask-small\n"),
                {"name-it": ("critical", ["status", "replaced_by"])}),
    "retired, where nothing names it in instead": (
        add("cards/risk/ask-directly.yml", "status: retired\nreplaced_by: ask-small\n"),
        {"ask-directly": ("critical", ["status", "replaced_by"])}),
    "made a draft": (add(NAME_IT, "status: draft\n"), {"name-it": ("critical", ["status"])}),
    "its pattern made a draft": (
        add(STUCK, "status: draft\n"),
        {"stuck": ("critical", ["status"]), "defend": ("critical", ["status"]),
         "name-it": ("critical", ["status"]), "ask-small": ("critical", ["status"])}),
    "gone": (lambda project: project.remove("cards/risk/ask-directly.yml"),
             {"ask-directly": ("critical", [])}),
    "renamed with an alias": (rename, {}),
    "renamed with an alias, and reworded": (
        both(rename, replace("cards/stuck/name-the-stuckness.yml", "tiring", "exhausting")),
        {"name-the-stuckness": ("major", ["wording"])}),
}


@pytest.fixture
def pinned(make_project: Callable[..., Project]) -> Project:
    project = make_project({PAGE: MODULE})
    before = datetime.date.today().isoformat()
    result = project.cardkb("pin", PAGE)
    assert result.returncode == 0, result.stdout
    after = datetime.date.today().isoformat()
    reviewed = re.search(r"^reviewed: (\S+)$", (project.root / PIN).read_text("utf-8"), re.M)
    assert reviewed and reviewed[1] in {before, after}, "the pin records the day it was made"
    PINNED_ON[project.root] = reviewed[1]
    return project


def drift_json(project: Project, *args: str) -> dict[str, object]:
    result = project.cardkb("drift", "--json", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


# -- cardkb pin -----------------------------------------------------------------------------


def test_pin_records_each_linked_field_beside_the_page_and_leaves_the_page_alone(
        pinned: Project) -> None:
    assert (pinned.root / PAGE).read_text("utf-8") == MODULE
    text = (pinned.root / PIN).read_text("utf-8")
    day = PINNED_ON[pinned.root]
    assert f"page: {PAGE}\nreviewed: {day}\nlinks:\n- id: stuck\n  kind: pattern\n" in text
    # one field per key, in the schema's order; long text as a block; dates as dates
    assert text.index("    title: The client feels stuck") < text.index("    summary:") < \
        text.index("    signs:") < text.index("    dynamics: |")
    assert "      date: '2026-01-10'" in text
    ids = re.findall(r"^- id: (\S+)", text, re.MULTILINE)
    assert ids == LINKED
    assert "not-a-link" not in text  # code is not a link
    # a card records what its page shows from its patterns: the safety note of also_in's risk
    ask_small = text[text.index("- id: ask-small"):text.index("- id: ask-directly")]
    assert "    pattern: stuck\n    safety:\n      risk: |\n        Assess risk" in ask_small


def test_pinning_again_moves_the_pin(pinned: Project) -> None:
    replace(NAME_IT, "tiring", "exhausting")(pinned)
    assert pinned.cardkb("drift", "--fail-on", "major").returncode == 1
    assert pinned.cardkb("pin", PAGE).returncode == 0
    result = pinned.cardkb("drift", "--fail-on", "editorial")
    assert result.returncode == 0, result.stdout
    assert "all 6 unchanged" in result.stdout


def test_pin_refuses_a_link_to_nothing_and_says_where(make_project: Callable[..., Project]
                                                      ) -> None:
    project = make_project({PAGE: MODULE + "\nAnd [[nope]].\n"})
    result = project.cardkb("pin", PAGE)
    assert result.returncode == 1
    assert f"{PAGE}: [[nope]] is not a card or pattern" in result.stdout
    assert not (project.root / PIN).exists()


def test_a_page_without_links_is_not_pinned(make_project: Callable[..., Project]) -> None:
    project = make_project({PAGE: MODULE})
    result = project.cardkb("pin", "content/index.md")
    assert result.returncode == 0
    assert "links no card or pattern, nothing to pin" in result.stdout
    assert not (project.root / "pins").exists()


# -- cardkb drift ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CHANGES))
def test_each_change_gets_its_level_fields_and_exit_codes(pinned: Project, name: str) -> None:
    change, expected = CHANGES[name]
    change(pinned)
    report = drift_json(pinned)
    [page] = report["pages"]  # type: ignore[misc]
    assert set(page) == {"page", "reviewed", "cards"}
    assert (page["page"], page["reviewed"]) == (PAGE, PINNED_ON[pinned.root])
    assert all(set(card) == {"id", "level", "fields"} for card in page["cards"])
    got = {card["id"]: (card["level"], card["fields"]) for card in page["cards"]}
    ids = [("name-the-stuckness" if id_ == "name-it" and "renamed" in name else id_)
           for id_ in LINKED]
    assert list(got) == ids
    assert got == {id_: expected.get(id_, ("unchanged", [])) for id_ in ids}
    worst = max((level for level, _ in got.values()), key=LEVELS.index)
    if worst != "unchanged":
        assert pinned.cardkb("drift", "--fail-on", worst).returncode == 1
    if worst != "critical":
        above = LEVELS[LEVELS.index(worst) + 1]
        assert pinned.cardkb("drift", "--fail-on", above).returncode == 0


def test_the_report_for_people_shows_each_change_word_by_word(pinned: Project) -> None:
    replace(NAME_IT, "tiring", "exhausting")(pinned)
    add(NAME_IT, "status: retired\nreplaced_by: ask-small\n")(pinned)
    replace(RISK, "Assess risk", "Assess the risk")(pinned)
    result = pinned.cardkb("drift")
    assert result.returncode == 0
    out = result.stdout
    assert f"{PAGE} (reviewed {PINNED_ON[pinned.root]}): 4 of 6 changed, 4 critically" in out
    assert "critical   card name-it: Name the stuckness" in out
    assert "retired: its page sends readers to 'ask-small' (Ask for the smallest sign)" in out
    assert "wording (major): • It must be [-tiring-] {+exhausting+} to keep coming" in out
    assert "safety (critical): risk: Assess {+the+} risk under your local protocol" in out
    assert "unchanged  stuck, defend" in out
    assert f"after reviewing them: cardkb pin {PAGE}" in out


def test_gone_says_so(pinned: Project) -> None:
    pinned.remove("cards/risk/ask-directly.yml")
    out = pinned.cardkb("drift").stdout
    assert "gone: no card has the id 'ask-directly' now, nor lists it among its former ids" in out


def test_a_page_with_links_and_no_pin_is_listed_as_not_pinned(
        make_project: Callable[..., Project]) -> None:
    project = make_project({PAGE: MODULE})
    assert drift_json(project) == {"pages": [{"page": PAGE, "pinned": False}]}
    assert drift_json(project, PAGE) == {"pages": [{"page": PAGE, "pinned": False}]}
    assert drift_json(project, PAGE, "content/index.md") == {
        "pages": [{"page": PAGE, "pinned": False}]}  # the home page links nothing
    assert project.cardkb("drift", "--fail-on", "editorial").returncode == 0
    assert f"{PAGE}: links cards but has no pin" in project.cardkb("drift").stdout


def test_a_project_whose_check_fails_still_reports(pinned: Project) -> None:
    """A card made a draft under a page that links it, and an unrelated file that does not
    parse: the build stops, and that is when the trainer needs the report."""
    add(NAME_IT, "status: draft\n")(pinned)
    pinned.write({"cards/stuck/broken.yml": "title: [unclosed\n"})
    assert pinned.check().returncode == 1
    cards = drift_json(pinned)["pages"][0]["cards"]  # type: ignore[index]
    assert {"id": "name-it", "level": "critical", "fields": ["status"]} in cards
    assert pinned.cardkb("drift", "--fail-on", "critical").returncode == 1


def test_a_card_whose_file_has_problems_is_critical(pinned: Project) -> None:
    add(NAME_IT, "colour: blue\n")(pinned)
    cards = drift_json(pinned)["pages"][0]["cards"]  # type: ignore[index]
    assert {"id": "name-it", "level": "critical", "fields": []} in cards
    assert "its file has problems" in pinned.cardkb("drift").stdout


def test_a_link_added_since_the_review_is_not_passed_as_unchanged(pinned: Project) -> None:
    pinned.write({PAGE: MODULE + "\nFinally, [[ask-small]] again and [[defend]].\n"})
    assert drift_json(pinned)["pages"][0]["cards"][-1]["level"] == "unchanged"  # type: ignore[index]
    pinned.write({"cards/stuck/extra.yml": (pinned.root / NAME_IT).read_text("utf-8"),
                  PAGE: MODULE + "\nFinally, [[extra]].\n"})
    cards = drift_json(pinned)["pages"][0]["cards"]  # type: ignore[index]
    assert cards[-1] == {"id": "extra", "level": "major", "fields": []}
    assert "linked since the review: not in the pin" in pinned.cardkb("drift").stdout


@pytest.mark.parametrize(("args", "pin_text"), [
    (["content/nope.md"], None),
    (["mkdocs.yml"], None),
    ([PAGE], "links: [\n"),
    ([PAGE], "page: x\nreviewed: soon\nlinks: []\n"),
    ([PAGE], "reviewed: 2026-01-01\nlinks:\n- {id: a, kind: card, fields: {b: &x [1], c: *x}}\n"),
    (["--fail-on", "severe"], None),
    (["-f", "nope.yml"], None),
])
def test_an_error_of_its_own_exits_2(pinned: Project, args: list[str],
                                     pin_text: str | None) -> None:
    if pin_text is not None:
        pinned.write({PIN: pin_text})
    if args[0] == "-f":
        result = pinned.cardkb(*args, "drift", "--fail-on", "critical")
    else:
        result = pinned.cardkb("drift", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "cardkb" in result.stdout + result.stderr or "usage" in result.stderr


# -- the levels are data beside the schemas -------------------------------------------------


@pytest.mark.parametrize("kind", ["card", "pattern"])
def test_every_schema_field_states_its_drift_level(kind: str) -> None:
    levels = field_levels()
    properties = set(load_schema(kind)["properties"])
    missing = properties - set(levels[kind])
    assert not missing, (f"add a level for {sorted(missing)} to schema/drift-levels.json "
                         f"under {kind!r}: one of {LEVELS[2:]}")
    assert set(levels[kind]) <= properties, "a level for a field the schema does not have"
    derived = levels["derived"][kind]
    assert not properties & set(derived)
    assert {*levels[kind].values(), *derived.values()} <= set(LEVELS[2:])


def test_the_site_and_the_command_read_a_card_the_same_way(make_project: Callable[..., Project]
                                                          ) -> None:
    project = make_project({PAGE: MODULE})
    add(NAME_IT, "aliases: [old-name]\n")(project)
    checked = check_project(project.root, Settings(), "content")
    assert checked.ok, checked.problems.sorted()
    from_kb = KnowledgeBaseSources(checked.knowledge_base)
    from_files = FileSources(project.root, "cards")
    for id_ in LINKED + ["old-name"]:
        kb_found = from_kb.pattern(id_) or from_kb.card(id_)
        file_found = from_files.pattern(id_) or from_files.card(id_)
        if id_ == "old-name":
            assert from_kb.former(id_) == from_files.former(id_) == "name-it"
            continue
        assert kb_found is not None and file_found is not None
        assert snapshot(kb_found, from_kb) == snapshot(file_found, from_files)


# -- the banner -----------------------------------------------------------------------------


BANNER = re.compile(r'<div class="admonition (?:warning|danger) cardkb-drift" '
                    r'data-cardkb-drift="(\d+)".*?</div>', re.DOTALL)


@pytest.mark.parametrize(("name", "shown"), [
    ("nothing", False),
    ("punctuation and case", False),
    ("tags and review", False),
    ("wording", True),
    ("safety of a pattern, and of an also_in pattern", True),
    ("retired, where nothing names it in instead", True),
])
def test_the_site_shows_a_banner_under_the_title_at_major_and_above(
        pinned: Project, name: str, shown: bool) -> None:
    CHANGES[name][0](pinned)
    result = pinned.build()  # not strict: a link to a retired card is a warning
    assert result.returncode == 0, result.stdout + result.stderr
    html = pinned.html("curricula/module")
    banner = BANNER.search(html)
    assert (banner is not None) == shown
    assert "data-cardkb-drift" not in pinned.html("")  # the home page has no pin
    assert not (pinned.site / "pins").exists()
    if banner is None:
        return
    assert html.index("</h1>") < banner.start() < html.index("Read <a")
    expected = CHANGES[name][1]
    assert banner.group(1) == str(len(expected))
    critical = sum(level == "critical" for level, _ in expected.values())
    assert (f", {critical} critically" in banner.group(0)) == bool(critical)
    for id_, (level, _fields) in expected.items():
        kind = "patterns" if id_ in ("stuck", "risk") else "cards"
        assert re.search(rf'cardkb-drift-level--{level}">{level}</span> '
                         rf'<a href="\.\./\.\./{kind}/{id_}/">', banner.group(0)), id_


def test_the_banner_escapes_author_text(pinned: Project) -> None:
    replace(NAME_IT, '"Name the stuckness"', '"Name <b>it</b> & [[stuck]]"')(pinned)
    result = pinned.build("--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    banner = BANNER.search(pinned.html("curricula/module"))
    assert banner is not None
    assert "Name &lt;b&gt;it&lt;/b&gt; &amp; [[stuck]]</a>: changed: title" in banner.group(0)


def test_cardkb_render_writes_the_banner_for_any_engine(pinned: Project, tmp_path: Path) -> None:
    replace(NAME_IT, "tiring", "exhausting")(pinned)
    result = pinned.cardkb("render", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout
    page = (tmp_path / "out/docs/curricula/module.md").read_text("utf-8")
    assert page.startswith("# Module one: stuckness\n\n<div class=\"admonition warning "
                           'cardkb-drift" data-cardkb-drift="1"')
    assert not (tmp_path / "out/docs/pins").exists()


def test_the_live_preview_updates_the_banner_after_a_save(pinned: Project) -> None:
    site = LiveSite(pinned.root, Settings(), "content", UrlLayout(True), None)
    site.start(Problems())
    assert site.snapshot is not None
    assert "data-cardkb-drift" not in site.snapshot.content["curricula/module.md"]
    replace(NAME_IT, "tiring", "exhausting")(pinned)
    update = site.update({NAME_IT})
    assert not update.everything
    assert "curricula/module.md" in update.content
    assert 'data-cardkb-drift="1"' in update.snapshot.content["curricula/module.md"]
    # the trainer reviews the page and pins it again: the banner goes
    assert pinned.cardkb("pin", PAGE).returncode == 0
    update = site.update({PIN})
    assert "curricula/module.md" in update.content
    assert "data-cardkb-drift" not in update.snapshot.content["curricula/module.md"]


def test_the_starter_curricula_are_pinned() -> None:
    """The repository's own curriculum pages that link cards carry pins (the lead pins them
    again after content changes: ``cardkb pin content/curricula/*.md``)."""
    pages = [page for page in (REPO / "content/curricula").glob("*.md")
             if find_wikilinks(page.read_text("utf-8"))]
    assert pages
    for page in pages:
        src_uri = page.relative_to(REPO / "content").as_posix()
        pin = read_pin(REPO, src_uri)
        assert pin is not None, f"pin it: cardkb pin content/{src_uri}"
        assert pin.page == f"content/{src_uri}"
