"""What the ``cardkb`` command prints of author text cannot drive the terminal.

A title is author text; a control character in it (an escape sequence, a carriage return) would
reach the terminal as a command, or hide or rewrite the line before it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardkb.cli import main

from .conftest import BASE_FILES, Project


def test_ids_shows_control_characters_in_titles_as_escapes(
        make_project: Callable[..., Project], capsys: pytest.CaptureFixture[str]) -> None:
    card = BASE_FILES["cards/stuck/name-it.yml"].replace(
        'title: "Name the stuckness"', 'title: "Name \\e]0;owned\\a the\\rstuckness"')
    project = make_project({"cards/stuck/name-it.yml": card})
    main(["-f", str(project.root / "mkdocs.yml"), "ids"])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "name-it\tcard (works, published)\tName \\x1b]0;owned\\x07 the\\x0dstuckness" in \
        out.splitlines()
