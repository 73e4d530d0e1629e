"""Rendering for the reader, in process: the pattern-list marker only where it stands as a line
of its own outside code, and card embeds (their alternatives, and ``![[id#wording]]``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardkb.config import Settings
from cardkb.project import check_project
from cardkb.render import PATTERN_LIST_MARKER, SiteRenderer
from cardkb.urls import UrlLayout

from .conftest import BASE_FILES

PAGE_URL = "curricula/module/"


def _renderer(tmp_path: Path,
              extra: dict[str, str] | None = None) -> tuple[SiteRenderer, list[str]]:
    for name, content in {**BASE_FILES, **(extra or {})}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, "utf-8")
    checked = check_project(tmp_path, Settings(), "content")
    return (SiteRenderer(checked.knowledge_base, UrlLayout(), Settings()),
            [str(problem) for problem in checked.problems])


@pytest.mark.parametrize(("markdown", "lists"), [
    (f"# Home\n\n{PATTERN_LIST_MARKER}\n", 1),
    (f"# Home\n\n  {PATTERN_LIST_MARKER}  \n\nMore.\n", 1),
    (f"A line `{PATTERN_LIST_MARKER}` in a page is replaced.\n", 0),
    (f"```html\n{PATTERN_LIST_MARKER}\n```\n", 0),
    (f"Some text\n\n    {PATTERN_LIST_MARKER}\n", 0),
    (f"Text then {PATTERN_LIST_MARKER} on the same line.\n", 0),
])
def test_the_pattern_list_marker_only_on_a_line_of_its_own_outside_code(
        markdown: str, lists: int, tmp_path: Path) -> None:
    renderer, problems = _renderer(tmp_path)
    assert problems == []
    page = renderer.content_page(markdown, PAGE_URL)
    assert page.count('<ul class="cardkb-pattern-list">') == lists
    if not lists:
        assert PATTERN_LIST_MARKER in page  # left as written, for Markdown to show


def test_an_embedded_backfires_card_shows_what_to_try_instead(tmp_path: Path) -> None:
    renderer, _ = _renderer(tmp_path)
    page = renderer.content_page("![[defend]]\n", PAGE_URL)
    assert 'class="cardkb-alternatives"' in page
    assert 'href="../../cards/name-it/"' in page and 'href="../../cards/ask-small/"' in page
    assert page.count("cardkb-wording--backfires") == 1  # the first wording only
    assert "Tends to backfire:" in page


def test_an_embed_can_ask_for_every_wording(tmp_path: Path) -> None:
    renderer, problems = _renderer(tmp_path, {
        "content/curricula/module.md": "# Module\n\n![[defend#wording]]\n"})
    assert problems == []
    page = renderer.content_page("![[defend#wording]]\n", PAGE_URL)
    assert page.count("cardkb-wording--backfires") == 2
    assert "Therapy takes time; be patient." in page and "Trust the process." in page


@pytest.mark.parametrize(("line", "message"), [
    ("![[defend#why]]", "after '#' an embed takes only 'wording'"),
    ("![[stuck#wording]]", "after '#' an embed takes only 'wording'"),
    ("![[nothing#wording]]", "'nothing' is not a card or pattern"),
    ("See [[defend#wording]].", "'defend#wording' is not a card or pattern"),
])
def test_a_wrong_embed_section_is_reported_where_it_is_written(
        line: str, message: str, tmp_path: Path) -> None:
    _, problems = _renderer(tmp_path, {"content/curricula/module.md": f"# Module\n\n{line}\n"})
    assert any(p.startswith("content/curricula/module.md:3:") and message in p
               for p in problems), problems
