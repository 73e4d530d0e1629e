"""``cardkb init``: a new knowledge base that holds only cards/, content/ and mkdocs.yml (with a
README and Makefile), and builds with the installed package's plugin (``plugins: - cardkb``).

The build is one real ``mkdocs build --strict`` in a subprocess, without the repository's
``hooks/`` on the path: MkDocs must find the plugin through the package's entry point, and the
stylesheets, scripts and theme overrides must come from the package, since the new knowledge
base has none of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cardkb.cli import main
from cardkb.init import requirement_for

from . import in_process


@pytest.fixture(scope="module")
def new_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "our-kb"
    assert main(["init", str(folder)]) == 0
    return folder


def test_init_writes_only_what_a_practice_keeps(new_kb: Path) -> None:
    files = sorted(p.relative_to(new_kb).as_posix() for p in new_kb.rglob("*") if p.is_file())
    assert files == [
        ".gitignore", "Makefile", "README.md",
        "cards/late-to-sessions/ask-about-the-lateness.yml",
        "cards/late-to-sessions/lecture-about-punctuality.yml",
        "cards/late-to-sessions/pattern.yml",
        "content/index.md", "mkdocs.yml", "requirements.txt"]
    config = (new_kb / "mkdocs.yml").read_text("utf-8")
    assert "  - cardkb\n" in config and "hooks:" not in config
    requirement = (new_kb / "requirements.txt").read_text("utf-8").splitlines()[-1]
    assert requirement.startswith("cardkb")
    assert "make serve" in (new_kb / "README.md").read_text("utf-8")


def test_the_new_knowledge_base_passes_the_check(new_kb: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-f", str(new_kb / "mkdocs.yml"), "check"]) == 0
    assert "all cards are valid" in capsys.readouterr().out


def test_init_refuses_a_folder_that_holds_files(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    assert main(["init", str(tmp_path)]) == 1
    assert "not an empty folder" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_new_knowledge_base_builds_from_the_installed_package(new_kb: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=new_kb,
                            env={**env, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    site = new_kb / "site"
    card = (site / "cards/ask-about-the-lateness/index.html").read_text("utf-8")
    assert "Ask about the lateness together" in card
    assert "The client keeps arriving late" in card  # its pattern, in the navigation
    assert 'class="cardkb-disclaimer"' in card  # the package's theme overrides
    home = (site / "index.html").read_text("utf-8")
    assert 'href="cards/ask-about-the-lateness/"' in home  # [[link]] filled in
    for asset in ("cardkb.css", "cardkb-finder.css", "cardkb.js", "cardkb-finder.js"):
        assert (site / "assets" / asset).is_file()
        assert f"assets/{asset}" in home
    assert (site / "assets/vendor/minisearch/minisearch.js").is_file()
    assert (site / "find/index.html").is_file()
    assert not list(new_kb.glob(".site.cardkb-*"))  # staged, then swapped in


@pytest.mark.parametrize(("direct_url", "requirement"), [
    (None, "cardkb>=0.1.0"),
    ({"url": "file:///src/cardkb", "dir_info": {"editable": True}}, "cardkb @ file:///src/cardkb"),
    ({"url": "https://git.example/cardkb.git",
      "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": "0" * 40}},
     "cardkb @ git+https://git.example/cardkb.git@main"),
])
def test_requirements_name_the_engine_so_that_upgrades_move_on(
        direct_url: dict[str, object] | None, requirement: str) -> None:
    """A git install follows its branch, not its commit, and an index install is not pinned:
    otherwise `make upgrade` (pip install -U) could never bring a newer engine."""
    recorded = json.dumps(direct_url) if direct_url else None
    assert requirement_for(recorded, "0.1.0") == requirement


def test_the_offline_copy_loads_nothing_from_outside(new_kb: Path, tmp_path: Path) -> None:
    """``OFFLINE=true``: Material's offline plugin would add a Web Worker shim from unpkg.com,
    which the new knowledge base does not ship; the plugin leaves it out (in process: the
    configuration reads OFFLINE when it is loaded)."""
    result = in_process.mkdocs_build(new_kb, ["--strict", "-d", str(tmp_path / "site")],
                                     env={"OFFLINE": "true"})
    assert result.returncode == 0, result.stdout + result.stderr
    home = (tmp_path / "site/index.html").read_text("utf-8")
    assert 'href="cards/ask-about-the-lateness/index.html"' in home
    assert "iframe-worker" not in home and "unpkg.com" not in home
