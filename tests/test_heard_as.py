"""``heard_as``: how supervisees put a pattern, shown on its page, exported, and documented."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from .conftest import BASE_FILES, REPO, Project
from .pages import article

PHRASES = [
    "we seem to have the same session every week",
    "she says <script>alert(1)</script> it's pointless & <img src=x onerror=alert(2)>",
    "*nothing* I try lands, see [[risk]]",
]


def _with_heard_as(make_project: Callable[..., Project]) -> Project:
    stuck = BASE_FILES["cards/stuck/pattern.yml"].replace(
        "dynamics: |", "heard_as:\n" + "".join(f"  - {json.dumps(p)}\n" for p in PHRASES)
        + "dynamics: |")
    project = make_project({"cards/stuck/pattern.yml": stuck})
    result = project.build("--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_heard_as_is_shown_under_the_signs_as_text_and_exported(
        make_project: Callable[..., Project]) -> None:
    project = _with_heard_as(make_project)
    page = article(project.html("patterns/stuck"))
    signs, heard, dynamics = (page.index(f'id="{anchor}"')
                              for anchor in ("signs", "heard-as", "dynamics"))
    assert signs < heard < dynamics, "How supervisees put it belongs right after the signs"
    assert "How supervisees put it" in page[heard:dynamics]
    shown = re.findall(r"<li><q>(.*?)</q></li>", page[heard:dynamics], re.S)
    assert [html.unescape(text) for text in shown] == PHRASES  # each phrase as written, as text
    assert "<script>" not in page and "<img" not in page
    # a pattern without heard_as has no such heading
    assert 'id="heard-as"' not in article(project.html("patterns/risk"))

    export = json.loads((project.site / "cards.json").read_text("utf-8"))
    patterns = {p["id"]: p for p in export["patterns"]}
    assert patterns["stuck"]["heard_as"] == PHRASES
    assert patterns["risk"]["heard_as"] == []


def test_the_authoring_page_documents_heard_as() -> None:
    text = (REPO / "content" / "authoring.md").read_text("utf-8")
    patterns = text.split("## A pattern", 1)[1].split("\n## ", 1)[0]
    row = next((line for line in patterns.splitlines() if line.startswith("| `heard_as` |")), "")
    assert row, "the pattern fields table of the Authoring page lacks heard_as"
    assert "| no |" in row and "How supervisees put it" in row
