"""``practice/``, its data and the print sheets, in a real build (the browser test drives the
page itself: tests/browser/test_practice.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

from .conftest import BASE_FILES, Project
from .pages import article

PROMPTS = """\
criteria: "Names the lack of change without defending the therapy."
practice:
  - id: months-and-nothing
    level: beginner
    client_says: "I've been coming for months. Nothing's <b>different</b>."
  - id: why-bother
    level: advanced
    client_says: "Why do I even bother coming?"
    context: "Said at the door, coat already on."
"""
FILES = {"cards/stuck/name-it.yml": BASE_FILES["cards/stuck/name-it.yml"] + PROMPTS}


def _data(project: Project) -> dict[str, object]:
    text = (project.site / "practice/index.js").read_text("utf-8")
    prefix = "window.cardkbPractice="
    assert text.startswith(prefix)
    data: dict[str, object] = json.loads(text.removeprefix(prefix).rstrip().removesuffix(";"))
    return data


def test_practice_page_data_and_sheets(make_project: Callable[..., Project]) -> None:
    project = make_project(FILES)
    result = project.build("--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    page = project.html("practice")
    for marker in ("data-cardkb-prompt", "data-cardkb-reveal", "data-cardkb-level"):
        assert marker in page
    assert page.count("data-cardkb-answer=") == 3
    assert page.count(" hidden tabindex") == 3  # every answer step starts hidden
    assert '<option value="stuck">The client feels stuck</option>' in page
    data = _data(project)
    assert [(p["card"], p["id"], p["level"]) for p in data["prompts"]] == [  # type: ignore[index]
        ("name-it", "months-and-nothing", "beginner"), ("name-it", "why-bother", "advanced")]
    card = data["cards"]["name-it"]  # type: ignore[index]
    assert card["contrast"] == ["defend"]
    assert card["criteria"] == "Names the lack of change without defending the therapy."
    assert data["contrasts"]["defend"]["wording"] == [  # type: ignore[index]
        "Therapy takes time; be patient.", "Trust the process."]
    assert "<\\/b>" in (project.site / "practice/index.js").read_text()  # inert in a script

    # the card that works links to its own practice; the others have none
    assert 'href="../../practice/?card=name-it"' in project.html("cards/name-it")
    assert "?card=" not in project.html("cards/ask-small")

    client = article(project.html("practice/stuck/client"))
    supervisor = article(project.html("practice/stuck/supervisor"))
    for sheet in (client, supervisor):
        assert "The client feels stuck" in sheet
        assert "&lt;b&gt;different&lt;/b&gt;" in sheet and "<b>different" not in sheet
        assert sheet.index('id="beginner"') < sheet.index('id="advanced"')
        assert "Said at the door, coat already on." in sheet
        assert "cardkb-disclaimer" in sheet
    assert "Names the lack of change" not in client and "Trust the process" not in client
    assert "Names the lack of change" in supervisor and "Trust the process" in supervisor
    assert 'href="stuck/client/"' in page and 'href="stuck/supervisor/"' in page


def test_a_site_opened_from_disk_links_practice_as_files(
        make_project: Callable[..., Project]) -> None:
    project = make_project({**FILES, "mkdocs.yml": BASE_FILES["mkdocs.yml"] +
                            "use_directory_urls: false\n"})
    assert project.build("--strict").returncode == 0
    card = (project.site / "cards/name-it/index.html").read_text()
    assert 'href="../../practice/index.html?card=name-it"' in card
    page = (project.site / "practice/index.html").read_text()
    assert 'href="stuck/client/index.html"' in page


def test_drafts_and_retired_cards_are_not_practised(make_project: Callable[..., Project]) -> None:
    draft = FILES["cards/stuck/name-it.yml"].replace("Name the stuckness", "Later") + \
        "status: draft\n"
    project = make_project({"cards/stuck/later.yml": draft})
    assert project.build("--strict").returncode == 0
    assert _data(project)["prompts"] == []
    assert not (project.site / "practice/stuck").exists()


#: the patterns the starter prompts were written for (issue 21); a pattern added since gets its
#: prompts from its own author, and is then held to every level like these
STARTER_PATTERNS = {
    "alliance-rupture", "cancellations-and-no-shows", "hopelessness-behind-stuck",
    "mandated-client", "not-on-track", "over-reliance-on-therapist", "stuck-client",
    "talking-without-feeling", "tasks-not-done", "therapist-reactions", "yes-but-ambivalence"}


def test_every_pattern_has_prompts_at_every_level() -> None:
    """The knowledge base: a pattern with prompts has at least one at every level, the starter
    patterns all have them, and there are 40 in all."""
    from cardkb.mkdocs_config import read_site_config
    from cardkb.model import LEVELS
    from cardkb.practice import practice_items
    from cardkb.problems import Problems
    from cardkb.project import check_project

    from .conftest import REPO

    problems = Problems()
    site = read_site_config(REPO / "mkdocs.yml", problems)
    assert site is not None
    kb = check_project(site.root, site.settings, site.docs_dir, problems).knowledge_base
    assert not problems.errors
    items = practice_items(kb, published_only=True)
    assert len(items) >= 40
    for pattern in kb.patterns.values():
        levels = {item.prompt.level for item in items if item.card.pattern is pattern}
        if levels or pattern.id in STARTER_PATTERNS:
            assert levels == set(LEVELS), (pattern.id, levels)
