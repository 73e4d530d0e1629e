"""Scaffolded files validate in an editor: the real YAML language server, spoken to over LSP.

This is the server behind VS Code's YAML extension and most other editors' YAML support. It is
installed from npm into tests/editor/ by ``make test``; without Node.js the test skips, except
in CI, where it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, Project

SERVER = REPO / "tests/editor/node_modules/yaml-language-server/bin/yaml-language-server"


class LanguageServer:
    """A minimal LSP client: enough to open documents and read their diagnostics."""

    def __init__(self, root: Path) -> None:
        node = shutil.which("node")
        if node is None or not SERVER.exists():
            message = "Node.js or the YAML language server (make test installs it) is missing"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        self.process = subprocess.Popen([node, str(SERVER), "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.settings = {"yaml": {"validate": True, "completion": True, "hover": True,
                                  "schemaStore": {"enable": False}, "schemas": {}}}
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                    "capabilities": {"workspace": {"configuration": True}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while line := self.process.stdout.readline().strip():
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        if "id" in message and "method" in message:  # a request from the server: answer it
            result = ([self.settings["yaml"]] * len(message["params"]["items"])
                      if message["method"] == "workspace/configuration" else None)
            self._send({"id": message["id"], "result": result})
        return message

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self._send({"id": self.next_id, "method": method, "params": params})
        while (message := self._receive()).get("id") != self.next_id or "method" in message:
            pass
        return message.get("result")

    def diagnostics(self, file: Path, text: str | None = None) -> list[str]:
        """Open a document and return the messages the server publishes for it."""
        uri = file.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1,
            "text": file.read_text("utf-8") if text is None else text}})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message = self._receive()
            if (message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri):
                return [d["message"] for d in message["params"]["diagnostics"]]
        raise AssertionError(f"no diagnostics for {file}")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def language_server(tmp_path: Path) -> Any:
    server = LanguageServer(tmp_path)
    yield server
    server.close()


def test_scaffolded_files_validate_in_the_yaml_language_server(
        make_project: Callable[..., Project], language_server: LanguageServer) -> None:
    project = make_project()
    assert project.cardkb("new", "pattern", "new-pattern").returncode == 0
    assert project.cardkb("new", "card", "new-pattern", "a-move", "--verdict",
                          "works").returncode == 0
    card = project.root / "cards/new-pattern/a-move.yml"
    pattern = project.root / "cards/new-pattern/pattern.yml"
    assert language_server.diagnostics(pattern) == []
    assert language_server.diagnostics(card) == []
    # The same server, on the same file with two mistakes, underlines both: the schema is in use.
    broken = card.read_text().replace("verdict: works", "verdict: maybe") + "colour: blue\n"
    broken_copy = card.with_name("broken.yml")
    problems = language_server.diagnostics(broken_copy, broken)
    assert any("maybe" in p or "backfires" in p for p in problems), problems
    assert any("colour" in p for p in problems), problems


def test_the_repository_cards_validate_through_the_editor_settings(
        language_server: LanguageServer) -> None:
    """The mapping in .vscode/settings.json covers cards/** without a schema line."""
    mapping = json.loads((REPO / ".vscode/settings.json").read_text())["yaml.schemas"]
    language_server.settings["yaml"]["schemas"] = {
        (REPO / schema).resolve().as_uri(): globs for schema, globs in mapping.items()}
    language_server.notify("workspace/didChangeConfiguration",
                           {"settings": language_server.settings})
    for file in [REPO / "cards/stuck-client/pattern.yml",
                 REPO / "cards/stuck-client/name-the-meta-problem.yml"]:
        assert language_server.diagnostics(file) == [], file
    wrong = (REPO / "cards/stuck-client/name-the-meta-problem.yml").read_text() + "colour: x\n"
    assert language_server.diagnostics(REPO / "cards/stuck-client/zz-probe.yml", wrong) != []
