"""``cardkb render OUT``: the seam for any site engine (issue 15, item 2).

Run in process: the command reads mkdocs.yml without MkDocs, so a subprocess would prove nothing
more. The MkDocs plugin builds its navigation with the same :func:`build_navigation`; the last
test checks the plugin's conversion of that tree into MkDocs' shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cardkb.cli import main
from cardkb.mkdocs_plugin import mkdocs_nav
from cardkb.navigation import NavLink, NavPage, NavSection

from .conftest import Project


def _render(project: Project, out: Path, *args: str) -> int:
    return main(["-f", str(project.root / "mkdocs.yml"), "render", str(out), *args])


def _section(nodes: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    section = next(node for node in nodes if node["title"] == title)
    children: list[dict[str, Any]] = section["children"]
    return children


def test_render_writes_a_docs_folder_and_the_navigation(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    project = make_project()
    out = tmp_path / "out"
    assert _render(project, out) == 0
    docs = out / "docs"
    assert "Defend the process" in (docs / "cards/defend/index.md").read_text("utf-8")
    assert (docs / "signs/index.md").is_file() and (docs / "cards.json").is_file()
    module = (docs / "curricula/module.md").read_text("utf-8")
    assert 'href="../../patterns/stuck/"' in module  # [[stuck]] from curricula/module/
    assert 'href="../../cards/defend/">what not to do</a>' in module
    assert "`[[not-a-link]]`" in module  # in code: as written
    home = (docs / "index.md").read_text("utf-8")
    assert "<!-- cardkb:patterns -->" not in home and 'href="patterns/stuck/"' in home
    assert (docs / "assets/cardkb.css").is_file()  # from the package: the docs folder has none
    assert (docs / "assets/vendor/minisearch/minisearch.js").is_file()

    nav = json.loads((out / "navigation.json").read_text("utf-8"))
    assert [node["title"] for node in nav] == ["Home", "Sign finder", "Patterns", "Curricula"]
    stuck = _section(_section(nav, "Patterns"), "The client feels stuck")
    assert [(node["url"], node.get("status")) for node in stuck] == [
        ("patterns/stuck/", None), ("cards/defend/", "backfires"),
        ("cards/ask-small/", "works"), ("cards/name-it/", "works")]
    assert _section(nav, "Curricula") == [
        {"title": None, "url": "curricula/module/", "src": "curricula/module.md"}]


def test_render_offline_writes_links_that_work_from_disk(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    project = make_project()
    out = tmp_path / "out"
    assert _render(project, out, "--offline") == 0
    module = (out / "docs/curricula/module.md").read_text("utf-8")
    assert 'href="../cards/defend/index.html"' in module  # from curricula/module.html
    nav = json.loads((out / "navigation.json").read_text("utf-8"))
    stuck = _section(_section(nav, "Patterns"), "The client feels stuck")
    assert stuck[1]["url"] == "cards/defend/index.html"
    assert nav[0]["url"] == "index.html"


def test_render_stops_on_a_problem_and_writes_nothing(
        make_project: Callable[..., Project], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"cards/stuck/name-it.yml": "title: Name it\nverdict: works\n"})
    out = tmp_path / "out"
    assert _render(project, out) == 1
    output = capsys.readouterr().out
    assert "cards/stuck/name-it.yml:1:1:" in output and "nothing was rendered" in output
    assert not out.exists()


def test_render_refuses_a_page_that_would_hide_a_generated_one(
        make_project: Callable[..., Project], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"content/signs/index.md": "# My signs\n"})
    assert _render(project, tmp_path / "out") == 1
    assert "content/signs/index.md: this page would hide a generated" in capsys.readouterr().out


def test_the_plugin_gives_mkdocs_the_same_tree_with_titles_escaped() -> None:
    tree = [NavPage("index.md", ""),
            NavSection("Patterns", (NavPage("patterns/index.md", "patterns/"),
                                    NavSection("A <b> & B", (
                                        NavPage("cards/x/index.md", "cards/x/", "X & <i>",
                                                "works"),)))),
            NavLink("Intranet", "https://intranet.example/")]
    assert mkdocs_nav(tree) == [
        "index.md",
        {"Patterns": ["patterns/index.md", {"A &lt;b&gt; &amp; B": [
            {"X &amp; &lt;i&gt;": "cards/x/index.md"}]}]},
        {"Intranet": "https://intranet.example/"}]


def _mkdocs_shape(nodes: list[dict[str, Any]]) -> list[Any]:
    """navigation.json as another engine's configuration would take it: here, MkDocs' own."""
    return [{node["title"]: _mkdocs_shape(node["children"])} if "children" in node
            else {node["title"]: node["src"]} if node["title"] else node["src"]
            for node in nodes]


def test_what_render_writes_builds_with_mkdocs_alone(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    """No cardkb plugin, no hooks: the rendered folder and navigation are all an engine needs
    (in strict mode, so a link left unresolved or a page missing from the nav would fail)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path / "out"
    assert _render(make_project(), out) == 0
    nav = _mkdocs_shape(json.loads((out / "navigation.json").read_text("utf-8")))
    (out / "mkdocs.yml").write_text(json.dumps({
        "site_name": "Plain", "docs_dir": "docs", "site_dir": "site", "plugins": [],
        "theme": {"name": "material", "font": False},
        "markdown_extensions": ["admonition", "attr_list", "tables", "toc"],
        "extra_css": ["assets/cardkb.css"], "extra_javascript": ["assets/cardkb.js"],
        "nav": nav}), "utf-8")
    build(load_config(str(out / "mkdocs.yml"), strict=True))
    card = (out / "site/cards/defend/index.html").read_text("utf-8")
    assert "Defend the process" in card and 'href="../name-it/"' in card
    assert (out / "site/patterns/stuck/index.html").is_file()
