"""What the ``cardkb`` command prints: author text cannot drive the terminal, and a mistake
in how it is called is explained in one line, never a traceback.

A title is author text; a control character in it (an escape sequence, a carriage return) would
reach the terminal as a command, or hide or rewrite the line before it.
"""

from __future__ import annotations

import socket
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


def test_a_busy_port_is_explained(make_project: Callable[..., Project],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status = main(["-f", str(project.root / "mkdocs.yml"), "preview",
                       "--dev-addr", f"127.0.0.1:{port}"])
    out = capsys.readouterr().out
    assert status == 1
    assert f"cardkb: cannot serve the preview on 127.0.0.1:{port}" in out
    assert f"--dev-addr 127.0.0.1:{port + 1}" in out
    assert main(["-f", str(project.root / "mkdocs.yml"), "preview", "--dev-addr", "here"]) == 1
    assert "give a host and a port, such as 127.0.0.1:8000" in capsys.readouterr().out
