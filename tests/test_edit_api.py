"""The preview's editing API, through the preview's real web server on loopback.

Every refusal a local write server needs (a foreign ``Host`` or ``Origin``, no token, a body
that is not JSON, a path instead of an id, a symbolic link) is answered with 4xx and writes
nothing; a save writes only what changed; a draft that does not pass the check is kept outside
``cards/`` with the build's own words, until it passes.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cardkb.edit_api import API_PREFIX, TOKEN_HEADER, UNFINISHED_DIR, EditApi, loopback_hosts
from cardkb.mkdocs_config import read_site_config
from cardkb.preview_server import PreviewServer
from cardkb.problems import Problems

from .conftest import Project

CARD = "cards/stuck/name-it.yml"


@dataclass
class Preview:
    project: Project
    server: PreviewServer
    api: EditApi

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def request(self, endpoint: str, payload: Any = None, *, method: str = "POST",
                headers: dict[str, str] | None = None,
                body: bytes | None = None) -> tuple[int, dict[str, str], Any]:
        sent = {"Host": self.host, "Origin": f"http://{self.host}",
                "Content-Type": "application/json", TOKEN_HEADER: self.api.token,
                **(headers or {})}
        sent = {name: value for name, value in sent.items() if value is not None}
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_address[1],
                                                timeout=10)
        try:
            connection.putrequest(method, API_PREFIX + endpoint, skip_host=True)
            data = body if body is not None else json.dumps(payload or {}).encode()
            for name, value in {**sent, "Content-Length": str(len(data))}.items():
                connection.putheader(name, value)
            connection.endheaders(data)
            answer = connection.getresponse()
            content = answer.read()
            is_json = answer.getheader("Content-Type", "").startswith("application/json")
            return answer.status, dict(answer.getheaders()), json.loads(content) if is_json \
                else content.decode()
        finally:
            connection.close()

    def ok(self, endpoint: str, payload: Any) -> Any:
        status, _, answer = self.request(endpoint, payload)
        assert status in (200, 201), answer
        return answer


@pytest.fixture
def preview(make_project: Callable[..., Project]) -> Iterator[Preview]:
    project = make_project()
    site = read_site_config(project.root / "mkdocs.yml", Problems())
    assert site is not None
    server = PreviewServer("127.0.0.1", 0)
    api = EditApi(site, loopback_hosts(server), served_site=lambda: server.root)
    api.attach(server)
    (project.root / "built").mkdir()
    (project.root / "built/index.html").write_text("<html><body>home</body></html>")
    server.publish(project.root / "built", "")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Preview(project, server, api)
    finally:
        server.shutdown()
        server.server_close()


def test_a_card_reads_as_its_fields_with_the_schemas_form(preview: Preview) -> None:
    answer = preview.ok("read", {"id": "name-it"})
    assert answer["kind"] == "card" and answer["pattern"] == "stuck"
    assert answer["data"]["wording"] == ["It must be tiring to keep coming and feel nothing shift."]
    names = [field["name"] for field in answer["fields"]]
    assert names[:6] == ["title", "verdict", "sign", "move", "wording", "why"]
    verdict = next(field for field in answer["fields"] if field["name"] == "verdict")
    assert verdict["choices"] == ["backfires", "works"]
    assert {"id": "defend", "kind": "card", "title": "Defend the process",
            "field": "instead"} in answer["links_here"]


def test_a_save_writes_only_the_change_and_an_unchanged_one_nothing(preview: Preview) -> None:
    file = preview.project.root / CARD
    original = file.read_text("utf-8")
    opened = preview.ok("read", {"id": "name-it"})
    same = preview.ok("save", {"id": "name-it", "hash": opened["hash"], "data": opened["data"]})
    assert same["saved"] == "unchanged" and file.read_text("utf-8") == original
    data = {**opened["data"], "wording": [*opened["data"]["wording"], "A second: line"]}
    saved = preview.ok("save", {"id": "name-it", "hash": opened["hash"], "data": data})
    assert saved["saved"] == "cards"
    assert file.read_text("utf-8") == original.replace(
        "feel nothing shift.\"\n", "feel nothing shift.\"\n  - \"A second: line\"\n")
    assert "+  - \"A second: line\"" in saved["diff"]


def test_a_draft_is_checked_with_the_builds_own_words(preview: Preview) -> None:
    opened = preview.ok("read", {"id": "name-it"})
    data = {**opened["data"], "verdict": "work"}
    checked = preview.ok("check", {"id": "name-it", "data": data})
    assert not checked["passes"]
    problem = checked["problems"][0]
    assert problem["field"] == "verdict"
    assert problem["text"] == ("cards/stuck/name-it.yml:2:10: verdict: must be 'backfires' or "
                               "'works', not 'work' (did you mean 'works'?)")
    build = preview.project.root / CARD
    build.write_text(build.read_text("utf-8").replace("verdict: works", "verdict: work"))
    assert problem["text"] in preview.project.check().stdout


def test_an_unfinished_draft_waits_outside_cards_until_it_passes(preview: Preview) -> None:
    file = preview.project.root / "cards/risk/ask-directly.yml"
    original = file.read_bytes()
    opened = preview.ok("read", {"id": "ask-directly"})
    data = {**opened["data"], "verdict": "backfires"}  # published, but no 'instead'
    saved = preview.ok("save", {"id": "ask-directly", "hash": opened["hash"], "data": data})
    assert saved["saved"] == "unfinished"
    assert [p["field"] for p in saved["problems"]] == ["instead"]
    assert file.read_bytes() == original
    draft = preview.project.root / UNFINISHED_DIR / "risk/ask-directly.yml"
    assert "verdict: backfires" in draft.read_text("utf-8")
    assert preview.project.check().returncode == 0  # the build never sees it
    listed = preview.ok("entities", {})
    assert listed["unfinished"] == [{"id": "ask-directly", "kind": "card"}]
    again = preview.ok("read", {"id": "ask-directly"})
    assert again["unfinished"] and again["data"]["verdict"] == "backfires"
    data["instead"] = ["name-it"]
    done = preview.ok("save", {"id": "ask-directly", "hash": again["hash"], "data": data})
    assert done["saved"] == "cards" and not draft.exists(), done["problems"]
    assert file.read_text("utf-8") == original.decode().replace(
        "verdict: works", "verdict: backfires") + "instead:\n  - name-it\n"


def test_an_unfinished_draft_never_undoes_a_later_change_to_the_card(preview: Preview) -> None:
    file = preview.project.root / "cards/risk/ask-directly.yml"
    opened = preview.ok("read", {"id": "ask-directly"})
    data = {**opened["data"], "verdict": "backfires", "title": "Mine"}
    assert preview.ok("save", {"id": "ask-directly", "hash": opened["hash"],
                               "data": data})["saved"] == "unfinished"
    file.write_text(file.read_text("utf-8").replace("Asking opens the door.", "A colleague's."))
    colleagues = file.read_bytes()
    again = preview.ok("read", {"id": "ask-directly"})
    assert again["unfinished"] and again["data"]["title"] == "Mine"
    status, _, answer = preview.request("save", {
        "id": "ask-directly", "hash": again["hash"],
        "data": {**again["data"], "verdict": "works"}})
    assert status == 409 and "changed on disk" in answer["error"]
    assert file.read_bytes() == colleagues
    preview.ok("discard", {"id": "ask-directly"})
    assert preview.ok("read", {"id": "ask-directly"})["data"]["why"] == "A colleague's.\n"


def test_a_draft_that_would_break_another_file_is_unfinished_too(preview: Preview) -> None:
    opened = preview.ok("read", {"id": "name-it"})
    data = {**opened["data"], "verdict": "backfires", "instead": ["ask-small"]}
    saved = preview.ok("save", {"id": "name-it", "hash": opened["hash"], "data": data})
    assert saved["saved"] == "unfinished"
    assert [p["text"] for p in saved["problems"]] == [
        "cards/stuck/defend.yml:11:11: instead: 'name-it' backfires too; 'instead' names cards "
        "that work"]


def test_a_file_changed_on_disk_is_a_conflict_and_stays(preview: Preview) -> None:
    file = preview.project.root / CARD
    opened = preview.ok("read", {"id": "name-it"})
    file.write_text(file.read_text("utf-8").replace("Name the stuckness", "A colleague's"))
    colleagues = file.read_bytes()
    status, _, answer = preview.request("save", {"id": "name-it", "hash": opened["hash"],
                                                 "data": {**opened["data"], "title": "Mine"}})
    assert status == 409 and "changed on disk" in answer["error"]
    assert file.read_bytes() == colleagues


def test_new_cards_and_patterns_come_from_the_template_and_never_overwrite(
        preview: Preview) -> None:
    made = preview.ok("new-pattern", {"id": "silent-client"})
    assert made["file"] == "cards/silent-client/pattern.yml"
    card = preview.ok("new-card", {"pattern": "silent-client", "id": "wait-it-out",
                                   "verdict": "backfires"})
    text = (preview.project.root / card["file"]).read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=") and "status: draft" in text
    assert preview.project.check().returncode == 0
    for endpoint, payload in (("new-pattern", {"id": "silent-client"}),
                              ("new-card", {"pattern": "stuck", "id": "name-it",
                                            "verdict": "works"}),
                              ("new-card", {"pattern": "stuck", "id": "silent-client",
                                            "verdict": "works"})):
        status, _, answer = preview.request(endpoint, payload)
        assert status == 409, answer
    assert (preview.project.root / CARD).read_text("utf-8").startswith('title: "Name the')


REFUSALS: list[tuple[str, dict[str, Any], int]] = [
    ("foreign Host", {"headers": {"Host": "attacker.example"}}, 421),
    ("rebound Host", {"headers": {"Host": "attacker.example:8000"}}, 421),
    ("foreign Origin", {"headers": {"Origin": "http://attacker.example"}}, 403),
    ("no Origin", {"headers": {"Origin": None}}, 403),
    ("null Origin", {"headers": {"Origin": "null"}}, 403),
    ("no token", {"headers": {TOKEN_HEADER: None}}, 403),
    ("wrong token", {"headers": {TOKEN_HEADER: "guess"}}, 403),
    ("text/plain", {"headers": {"Content-Type": "text/plain"}}, 415),
    ("a form", {"headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 415),
    ("GET", {"method": "GET"}, 405),
    ("not JSON", {"body": b"title=x"}, 400),
]


@pytest.mark.parametrize(("case", "how", "status"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_every_foreign_or_malformed_request_is_refused(preview: Preview, case: str,
                                                       how: dict[str, Any], status: int) -> None:
    file = preview.project.root / CARD
    before = file.read_bytes()
    opened = preview.ok("read", {"id": "name-it"})
    got, headers, answer = preview.request(
        "save", {"id": "name-it", "hash": opened["hash"],
                 "data": {**opened["data"], "title": "Written by an attacker"}}, **how)
    assert got == status, answer
    assert file.read_bytes() == before
    assert not any(name.lower().startswith("access-control-") for name in headers)
    assert headers["Content-Security-Policy"] == "frame-ancestors 'none'"


@pytest.mark.parametrize("id_", ["../stuck/name-it", "stuck/name-it", "/etc/passwd", "..",
                                 "cards/stuck/name-it.yml", "Name-It", "", 7, None])
def test_ids_never_paths(preview: Preview, id_: Any) -> None:
    status, _, answer = preview.request("read", {"id": id_})
    assert status == 400, answer


def test_symbolic_links_are_refused(preview: Preview, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text((preview.project.root / CARD).read_text("utf-8"))
    os.symlink(outside, preview.project.root / "cards/stuck/linked.yml")
    os.symlink(preview.project.root / "cards/stuck", preview.project.root / "cards/alias")
    status, _, _ = preview.request("read", {"id": "linked"})
    assert status == 403
    status, _, _ = preview.request("read", {"id": "alias"})  # a linked pattern folder
    assert status == 404
    opened = preview.ok("read", {"id": "name-it"})
    assert opened["file"] == CARD  # found in the real folder, never through the link


def test_the_editor_is_only_in_the_preview_pages(preview: Preview) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", preview.server.server_address[1])
    connection.request("GET", "/")
    answer = connection.getresponse()
    assert answer.getheader("Content-Security-Policy") == "frame-ancestors 'none'"
    page = answer.read().decode()
    assert f'data-cardkb-token="{preview.api.token}"' in page
    connection.request("GET", "/.cardkb/editor/editor.js")
    answer = connection.getresponse()
    assert answer.status == 200 and answer.getheader("Content-Type", "").startswith(
        "text/javascript")
    answer.read()
    connection.request("GET", "/.cardkb/editor/../../mkdocs.yml")
    assert connection.getresponse().status == 404
    connection.close()


def test_no_editor_unless_the_preview_listens_on_loopback(
        make_project: Callable[..., Project]) -> None:
    from cardkb.mkdocs_preview import MkDocsPreview

    project = make_project()
    for host, editing in (("127.0.0.1", True), ("0.0.0.0", False)):
        session = MkDocsPreview(project.root / "mkdocs.yml", host, 0)
        try:
            assert (API_PREFIX in session.server.routes) is editing
            assert bool(session.server.page_parts) is editing
        finally:
            session.server.server_close()


def test_a_built_site_has_no_editor_and_no_write_endpoint(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    assert project.build("--strict").returncode == 0
    for file in project.site.rglob("*"):
        if file.is_file() and file.suffix in (".html", ".js", ".json", ".css"):
            text = file.read_text("utf-8", "replace")
            assert "data-cardkb-edit" not in text and API_PREFIX not in text, file
            assert TOKEN_HEADER not in text, file


def test_the_form_has_every_field_of_the_schema() -> None:
    from cardkb.fields import form_description
    from cardkb.schemas import load_schema

    for kind in ("card", "pattern"):
        schema = load_schema(kind)
        described = form_description(kind)
        assert [field["name"] for field in described] == list(schema["properties"])
        assert {field["name"] for field in described if field["required"]} == set(
            schema["required"])
    wording = next(f for f in form_description("card") if f["name"] == "wording")
    assert wording["type"] == "list" and wording["item"]["type"] == "text"
    signs = next(f for f in form_description("pattern") if f["name"] == "signs")
    assert signs["item"]["type"] == "either"
    assert [sub["name"] for sub in signs["item"]["fields"]] == ["text", "seen_in"]


def test_markdown_is_shown_by_the_builds_own_renderer(preview: Preview) -> None:
    shown = preview.ok("render", {"text": "See [[name-it]], **now**. <script>alert(1)</script>"})
    assert '<a href="/cards/name-it/">Name the stuckness</a>' in shown["html"]
    assert "<strong>now</strong>" in shown["html"]
    assert "<script>" not in shown["html"]  # raw HTML is text, as on the site
