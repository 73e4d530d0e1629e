"""``render``, ``new`` and ``init`` never touch what the author wrote (issue 23).

The security review reproduced each of these on a copy: ``cardkb render .`` replaced the
hand-written pages, a ``docs`` link sent the output elsewhere, ``cardkb new card`` wrote
wherever ``../`` led and overwrote a file there, an absolute pattern ended in a traceback, and
``cardkb init`` on a dangling link did too. In process: the commands read and write files, and a
subprocess would prove nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import BASE_FILES, Project

HOME = BASE_FILES["content/index.md"]


def _unchanged(project: Project) -> None:
    assert (project.root / "content/index.md").read_text("utf-8") == HOME
    assert (project.root / "cards/stuck/pattern.yml").read_text("utf-8") == \
        BASE_FILES["cards/stuck/pattern.yml"]


@pytest.mark.parametrize("out", [".", "content", "content/curricula", "cards", "cards/stuck",
                                 ".."])
def test_render_refuses_the_authors_own_folders(make_project: Callable[..., Project],
                                                out: str) -> None:
    project = make_project()
    result = project.cardkb("render", out)
    assert result.returncode == 1
    assert "name a new folder" in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    _unchanged(project)
    assert not (project.root / "content/docs").exists()


def test_render_refuses_the_docs_folder_under_another_name(make_project: Callable[..., Project]
                                                           ) -> None:
    """``docs_dir: docs``: ``cardkb render .`` would replace the project's own pages."""
    project = make_project({"mkdocs.yml": (project_yml := BASE_FILES["mkdocs.yml"]
                                           .replace("docs_dir: content", "docs_dir: docs"))})
    assert "docs_dir: docs" in project_yml
    (project.root / "content").rename(project.root / "docs")
    result = project.cardkb("render", ".")
    assert result.returncode == 1 and "name a new folder" in result.stdout
    assert (project.root / "docs/index.md").read_text("utf-8") == HOME


def test_render_refuses_a_docs_folder_that_is_a_link(make_project: Callable[..., Project],
                                                     tmp_path: Path) -> None:
    project = make_project()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.md").write_text("keep me", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "docs").symlink_to(elsewhere)
    result = project.cardkb("render", str(out))
    assert result.returncode == 1 and "symbolic link" in result.stdout, result.stdout
    assert [p.name for p in elsewhere.iterdir()] == ["precious.md"]


def test_render_swaps_a_whole_new_folder_in(make_project: Callable[..., Project],
                                            tmp_path: Path) -> None:
    project = make_project()
    out = tmp_path / "out"
    (out / "docs").mkdir(parents=True)
    (out / "docs/left-over.md").write_text("from the last render", "utf-8")
    assert project.cardkb("render", str(out)).returncode == 0
    assert not (out / "docs/left-over.md").exists()
    assert (out / "docs/index.md").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["docs", "navigation.json"]  # no leftovers


def test_a_render_that_fails_leaves_the_last_output(make_project: Callable[..., Project],
                                                    tmp_path: Path) -> None:
    project = make_project()
    out = tmp_path / "out"
    assert project.cardkb("render", str(out)).returncode == 0
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    project.write({"content/signs/index.md": "# hides the sign finder\n"})
    result = project.cardkb("render", str(out))
    assert result.returncode == 1 and "would hide a generated cardkb page" in result.stdout
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


@pytest.mark.parametrize("pattern", ["../../elsewhere/folder", "../stuck", "/tmp/absolute",
                                     "stuck/..", "Stuck"])
def test_new_card_checks_the_pattern_id(make_project: Callable[..., Project], tmp_path: Path,
                                        pattern: str) -> None:
    project = make_project()
    victim = tmp_path / "elsewhere/folder"
    victim.mkdir(parents=True)
    (victim / "pattern.yml").write_text("theirs", "utf-8")
    (victim / "try-it.yml").write_text("theirs too", "utf-8")
    result = project.cardkb("new", "card", pattern, "try-it", "--verdict", "works")
    assert result.returncode == 1
    assert f"'{pattern}' is not a valid pattern id" in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (victim / "try-it.yml").read_text("utf-8") == "theirs too"
    assert not list(project.root.rglob("try-it.yml"))


def test_new_card_refuses_a_pattern_folder_that_links_elsewhere(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    project = make_project()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pattern.yml").write_text("theirs", "utf-8")
    (project.root / "cards/linked").symlink_to(elsewhere)
    result = project.cardkb("new", "card", "linked", "try-it", "--verdict", "works")
    assert result.returncode == 1 and "symbolic link" in result.stdout, result.stdout
    assert sorted(p.name for p in elsewhere.iterdir()) == ["pattern.yml"]


def test_new_never_overwrites_a_file(make_project: Callable[..., Project],
                                     tmp_path: Path) -> None:
    project = make_project()
    # a dangling link where the new file would go: writing through it would create its target
    target = tmp_path / "target.yml"
    (project.root / "cards/stuck/try-it.yml").symlink_to(target)
    result = project.cardkb("new", "card", "stuck", "try-it", "--verdict", "works")
    assert result.returncode == 1, result.stdout
    assert not target.exists()
    (project.root / "cards/fresh").symlink_to(tmp_path / "nowhere")
    result = project.cardkb("new", "pattern", "fresh")
    assert result.returncode == 1 and "exists already" in result.stdout
    assert not (tmp_path / "nowhere").exists()


def test_init_explains_a_dangling_link_in_one_line(tmp_path: Path,
                                                   make_project: Callable[..., Project]) -> None:
    link = tmp_path / "our-kb"
    link.symlink_to(tmp_path / "missing")
    result = make_project().cardkb("init", str(link))
    assert result.returncode == 1
    assert result.stdout.strip().count("\n") == 0
    assert "is a symbolic link to" in result.stdout and "does not exist" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
