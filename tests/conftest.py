"""Shared fixtures: a small, valid cardkb project written into a temporary folder.

Tests build real sites with MkDocs and the installed cardkb plugin, in this process as the
``mkdocs`` command runs them (tests/in_process.py), or with the real command where the command is
what a test proves; each test that needs a broken project starts from :data:`BASE_FILES` and
replaces or adds files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from . import in_process

REPO = Path(__file__).resolve().parent.parent

MKDOCS_YML = f"""\
site_name: Test KB
docs_dir: content
site_dir: site
theme:
  name: material
  custom_dir: {REPO / "overrides"}
  font: false
  features: [navigation.indexes, navigation.prune]
# no Material search: the finder (find/) is the one search, as in the real mkdocs.yml
plugins:
  - cardkb
markdown_extensions:
  - admonition
  - attr_list
  - toc:
      permalink: true
nav:
  - Home: index.md
  - Sign finder: signs/index.md
  - Patterns: patterns/index.md
  - Curricula:
      - curricula/module.md
extra:
  cardkb:
    show_drafts: false
"""

BASE_FILES: dict[str, str] = {
    "mkdocs.yml": MKDOCS_YML,
    "content/index.md": "# Welcome\n\nStart from the patterns.\n\n<!-- cardkb:patterns -->\n",
    "content/curricula/module.md": """\
# Module one: stuckness

Read [[stuck]] first, then [[defend|what not to do]].

![[name-it]]

In code, `[[not-a-link]]` stays as written.
""",
    "cards/stuck/pattern.yml": """\
title: "The client feels stuck"
summary: "The client keeps coming, but nothing moves."
signs:
  - text: "You feel frustrated in sessions."
    seen_in: therapist
  - text: "Homework is not done."
    seen_in: process
  - "The client says it will never work."
dynamics: |
  Responsibility moves to the therapist. See [[name-it]] and [[risk|the risk pattern]].
shift: |
  Get curious about the stuckness itself.
related:
  - id: risk
    why: "Stuck can hide hopelessness."
tags: [stuckness]
sources:
  - "Miller, W. R., & Rollnick, S. (2013). *Motivational Interviewing*. Guilford Press."
review: {by: "editors", date: 2026-01-10, due: 2027-01-10}
""",
    "cards/stuck/defend.yml": """\
title: "Defend the process"
verdict: backfires
sign: "The client says therapy is not working."
move: |
  Explain that change takes time.
wording:
  - "Therapy takes time; be patient."
  - "Trust the process."
why: |
  The client hears defensiveness.
instead: [name-it, ask-small]
""",
    "cards/stuck/name-it.yml": """\
title: "Name the stuckness"
verdict: works
sign: "The same conversation comes back again."
move: |
  Make the lack of progress the topic.
wording:
  - "It must be tiring to keep coming and feel nothing shift."
why: |
  It validates the frustration.
""",
    "cards/stuck/ask-small.yml": """\
title: "Ask for the smallest sign"
verdict: works
sign: "The client cannot picture things going better."
move: |
  Ask what they would notice first if things improved a little.
wording:
  - "What would be the first small thing you'd notice?"
why: |
  The client defines progress.
also_in: [risk]
related:
  - id: defend
    why: "Answers the same complaint."
""",
    "cards/risk/pattern.yml": """\
title: "Stuck that hides hopelessness"
summary: "Stuckness can mask hopelessness."
signs:
  - text: "The client says nothing will ever change."
    seen_in: client
dynamics: |
  Hopelessness is a risk factor.
safety: |
  Assess risk under your local protocol and take it to supervision.
""",
    "cards/risk/ask-directly.yml": """\
title: "Ask directly about hopelessness"
verdict: works
sign: "The client sounds hopeless."
move: |
  Ask calmly and directly.
wording:
  - "Do you sometimes feel it's not worth going on?"
why: |
  Asking opens the door.
""",
}


#: a memory-backed file system for the temporary folders, where the machine has one with room
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_NEEDED = 2 * 1024**3
_KEY_IN_MEMORY = pytest.StashKey[Path]()
_KEY_KEEP = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Temporary folders in memory: the tests write thousands of small projects and sites, and
    on a virtual disk creating and deleting their files took half the fuzz test's time. Not
    where ``--basetemp`` names a folder, nor where no memory file system has room (macOS, a
    container's 64 MB /dev/shm): there pytest's usual folder serves."""
    if config.option.basetemp is not None or not MEMORY_FOLDER.is_dir():
        return
    if not os.access(MEMORY_FOLDER, os.W_OK) or \
            shutil.disk_usage(MEMORY_FOLDER).free < MEMORY_NEEDED:
        return
    folder = Path(tempfile.mkdtemp(prefix="cardkb-tests-", dir=MEMORY_FOLDER))
    config.option.basetemp = str(folder)
    config.stash[_KEY_IN_MEMORY] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run's folders leave memory with it, unless a test failed: then they stay for a look,
    and the summary says where."""
    folder = config.stash.get(_KEY_IN_MEMORY, None)
    if folder is not None and not config.stash.get(_KEY_KEEP, False):
        shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    folder = config.stash.get(_KEY_IN_MEMORY, None)
    if folder is not None and exitstatus not in (0, 5):
        config.stash[_KEY_KEEP] = True
        terminalreporter.write_line(f"cardkb: the temporary folders of this run are kept in "
                                    f"{folder} (in memory): remove it when done")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Every build finds cardkb through its entry point, which only installing the package
    registers: say so once, rather than fail every build with MkDocs' "not installed"."""
    if "cardkb" not in {e.name for e in entry_points(group="mkdocs.plugins")}:
        pytest.exit("the cardkb MkDocs plugin is not registered: run `make lint` (or "
                    "`.venv/bin/pip install -e .`) to install the package", returncode=4)


@dataclass
class Project:
    root: Path

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, "utf-8")

    def remove(self, name: str) -> None:
        (self.root / name).unlink()

    def build(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``mkdocs build ARGS``, in this process."""
        return in_process.mkdocs_build(self.root, args)

    def cardkb(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``cardkb ARGS``, in this process."""
        return in_process.cardkb(self.root, args)

    def build_command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real ``mkdocs build ARGS`` command, in a process of its own."""
        return _run([sys.executable, "-m", "mkdocs", "build", *args], self.root)

    def cardkb_command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real ``cardkb ARGS`` command, in a process of its own."""
        return _run([sys.executable, "-m", "cardkb.cli", *args], self.root)

    def check(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.cardkb("check", *args)

    @property
    def site(self) -> Path:
        return self.root / "site"

    def html(self, page: str) -> str:
        return (self.site / page / "index.html").read_text("utf-8")


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write a project's files (text or bytes) under ``root``, making folders as needed."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO / "hooks")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    def make(files: dict[str, str | bytes] | None = None, *, base: bool = True) -> Project:
        project = Project(tmp_path / "project")
        project.root.mkdir(exist_ok=True)
        project.write({**(BASE_FILES if base else {}), **(files or {})})
        return project

    return make


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The base project, built once for every test that only reads it (strict mode)."""
    project = Project(tmp_path_factory.mktemp("site") / "project")
    project.root.mkdir()
    project.write(dict(BASE_FILES))
    result = project.build("--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return project
