"""The preview's editing API: read, check and save a card or pattern, and start new ones.

A local server that writes files is where dev tools get attacked (a web page the author visits
posts to it, or reads it through DNS rebinding), so every request must pass, in this order:
the preview listens on loopback only (else there is no API at all); the ``Host`` is the
preview's own; the method is POST; the body is JSON (``application/json``, so no HTML form
can send it without a CORS preflight, which is never answered); ``Origin`` is exactly the
preview's own origin; and the header :data:`TOKEN_HEADER` holds this run's random token, which
only the preview's own pages carry. No answer has a CORS header, and none may be framed.

The API takes ids, never paths: an id must be valid, its file is looked up inside ``cards/``,
and a symbolic link on the way is refused. The one validator is the build's own
(:func:`~cardkb.project.check_project`), run on the project with the draft in the file's place,
so the form shows exactly the build's words. A save writes only what changed
(:mod:`cardkb.yaml_edit`); a draft that does not pass the check yet is kept outside ``cards/``
in :data:`UNFINISHED_DIR`, where the build never looks, until it passes. New files come from
the templates of ``cardkb new`` (:mod:`cardkb.scaffold`), as drafts, and never replace a file.

Engine-agnostic: :meth:`EditApi.attach` makes it two routes of the preview's web server (the
API under :data:`API_PREFIX`, the editor's script and style under :data:`ASSETS_PREFIX`) and
adds the script, with the token, to each page the server sends.
"""

from __future__ import annotations

import difflib
import hmac
import json
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any

from .fields import form_description
from .load import PATTERN_FILE, YAML_SUFFIXES
from .markdown_text import MarkdownRenderer
from .mkdocs_config import SiteConfig
from .model import ID_PATTERN, MAX_ID_LENGTH, Card, KnowledgeBase, Pattern
from .preview_server import LOOPBACK_NAMES, Answer, PreviewServer, Request
from .problems import Problem, Problems, Severity
from .project import check_project
from .read_cache import ReadCache
from .schemas import field_names
from .urls import SECTIONS, UrlLayout
from .wikilinks import WikiLink
from .yaml_edit import (
    ConflictError,
    EditError,
    as_json,
    changed_on_disk,
    content_hash,
    edit_text,
    read_document,
    write_atomically,
)
from .yaml_source import JsonPath, YamlDocument, parse_yaml

API_PREFIX = "/.cardkb/api/"
ASSETS_PREFIX = "/.cardkb/editor/"
TOKEN_HEADER = "X-Cardkb-Token"
#: where drafts that do not pass the check yet are kept, beside ``cards/``
UNFINISHED_DIR = ".cardkb-unfinished"
#: a card is a few kilobytes; the form's JSON is bounded like a card file
MAX_BODY = 1_000_000
#: besides what the preview sends with every answer (no caching, no sniffing, no framing)
_HEADERS = (("X-Frame-Options", "DENY"),)
_ASSET_TYPES = {".js": "text/javascript", ".css": "text/css"}
#: the first line of an unfinished draft: the hash of the card's file it was made from
_BASE_LINE = "# cardkb: unfinished, made from the version {} of the file in cards/\n"
_BASE = re.compile(r"# cardkb: unfinished, made from the version ([0-9a-f]{64}) ")
_REF_FIELDS = ("instead", "also_in", "related", "replaced_by", "tell_apart")


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    payload: dict[str, Any]

    @property
    def body(self) -> bytes:
        return json.dumps(self.payload, ensure_ascii=False).encode("utf-8")


class _RefusedError(Exception):
    def __init__(self, status: HTTPStatus, message: str, **more: Any) -> None:
        super().__init__(message)
        self.answer = ApiAnswer(status, {"error": message, **more})


@dataclass(frozen=True)
class Located:
    """A card or pattern found by its id: its file, and where a draft of it is kept."""

    kind: str
    id: str
    pattern_id: str
    file: Path
    rel: str
    unfinished: Path


class _DraftCache(ReadCache):
    """The preview's check, with one file's text replaced by a draft."""

    draft: tuple[str, str] | None = None

    def read(self, file: Path, rel_path: str, problems: Problems) -> YamlDocument | None:
        if self.draft is not None and rel_path == self.draft[0]:
            return parse_yaml(self.draft[1], rel_path, problems)
        return super().read(file, rel_path, problems)


@dataclass
class EditApi:
    """Answers the editor's requests for one preview run (see the module's docstring)."""

    site: SiteConfig
    #: the ``Host`` values it answers: the preview's own loopback address, by any name
    hosts: frozenset[str]
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    #: the folder of the site the preview serves now (set by the preview's web server)
    served_site: Callable[[], Path | None] = lambda: None
    _cache: _DraftCache = field(default_factory=_DraftCache)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root(self) -> Path:
        return self.site.root

    @property
    def cards_dir(self) -> Path:
        return self.site.root / self.site.settings.cards_dir

    @property
    def unfinished_dir(self) -> Path:
        return self.site.root / UNFINISHED_DIR

    # -- the page side -----------------------------------------------------------------------

    def attach(self, server: PreviewServer) -> None:
        """Answer the editor's requests on ``server``, and add the editor to its pages."""
        server.add_route(API_PREFIX, ("POST",), self.route)
        server.add_route(ASSETS_PREFIX, ("GET", "HEAD"), self.asset_route)
        server.page_parts = self.page_tags()

    def route(self, request: Request) -> Answer:
        answer = self.handle(request.method, request.path, dict(request.headers), request.body)
        return Answer(answer.status, "application/json", answer.body, _HEADERS)

    def asset_route(self, request: Request) -> Answer:
        asset = self.asset(request.path)
        if asset is None:
            return Answer(HTTPStatus.NOT_FOUND, "text/plain", b"404 - Not found")
        return Answer(HTTPStatus.OK, *asset, _HEADERS)

    def page_tags(self) -> bytes:
        """What the preview adds to each page: the editor's style and script, with the token."""
        return (f'<link rel="stylesheet" href="{ASSETS_PREFIX}editor.css">'
                f'<script src="{ASSETS_PREFIX}editor.js" data-cardkb-token="{self.token}" '
                f'data-cardkb-api="{API_PREFIX}" defer></script>').encode()

    @staticmethod
    def asset(path: str) -> tuple[str, bytes] | None:
        """One of the editor's own files (script, style), served by the preview only."""
        name = path.removeprefix(ASSETS_PREFIX)
        kind = _ASSET_TYPES.get(Path(name).suffix)
        if kind is None or not re.fullmatch(r"[a-z-]+\.[a-z]+", name):
            return None
        file = resources.files(__package__).joinpath("editor", name)
        return (kind, file.read_bytes()) if file.is_file() else None

    # -- requests ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> ApiAnswer:
        """The answer to one request under :data:`API_PREFIX` (``headers`` lower-cased)."""
        try:
            self._check_request(method, headers)
            payload = self._json(body)
            endpoint = path.removeprefix(API_PREFIX)
            action = _ENDPOINTS.get(endpoint)
            if action is None:
                raise _RefusedError(HTTPStatus.NOT_FOUND, f"no such request: {endpoint}")
            with self._lock:  # one writer, and the check's cache is not shared across threads
                return action(self, payload)
        except _RefusedError as refused:
            return refused.answer
        except OSError as error:  # a full disk, a folder without permission: said, not raised
            reason = error.strerror or type(error).__name__
            return ApiAnswer(HTTPStatus.INTERNAL_SERVER_ERROR, {
                "error": f"the file could not be read or written ({reason}); nothing was "
                         "changed"})

    def _check_request(self, method: str, headers: dict[str, str]) -> None:
        host = headers.get("host", "")
        if host not in self.hosts:
            raise _RefusedError(HTTPStatus.MISDIRECTED_REQUEST,
                                "this preview answers to its own address only")
        if method != "POST":
            raise _RefusedError(HTTPStatus.METHOD_NOT_ALLOWED, "the editor's requests are POST")
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise _RefusedError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the editor sends JSON only")
        if headers.get("origin") != f"http://{host}":
            raise _RefusedError(HTTPStatus.FORBIDDEN, "only the preview's own pages may edit")
        if not hmac.compare_digest(headers.get(TOKEN_HEADER.lower(), ""), self.token):
            raise _RefusedError(HTTPStatus.FORBIDDEN, "this page is from an earlier run of the "
                           "preview: reload it")

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        if len(body) > MAX_BODY:
            raise _RefusedError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the request is too large")
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "the request is not JSON") from None
        if not isinstance(payload, dict):
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "the request must be a JSON object")
        return payload

    # -- finding files by id -----------------------------------------------------------------

    def locate(self, id_: Any) -> Located:
        """The card or pattern ``id_`` names, inside ``cards/``; links are refused."""
        _check_id(id_)
        cards = self.cards_dir
        _no_link(cards)
        folder = cards / id_
        if _is_real_folder(folder) and os.path.lexists(folder / PATTERN_FILE):
            return self._located("pattern", id_, id_, folder / PATTERN_FILE)
        for folder in sorted(cards.iterdir()):
            if folder.name.startswith(".") or not _is_real_folder(folder):
                continue
            for suffix in YAML_SUFFIXES:
                file = folder / f"{id_}{suffix}"
                if os.path.lexists(file) and file.name != PATTERN_FILE:
                    return self._located("card", id_, folder.name, file)
        raise _RefusedError(HTTPStatus.NOT_FOUND, f"there is no card or pattern '{id_}'")

    def _located(self, kind: str, id_: str, pattern_id: str, file: Path) -> Located:
        _no_link(file)
        if not stat.S_ISREG(file.lstat().st_mode) or not file.resolve().is_relative_to(
                self.cards_dir.resolve()):
            raise _RefusedError(HTTPStatus.FORBIDDEN, f"{id_} is not an ordinary file in cards/")
        rel = file.relative_to(self.root).as_posix()
        inside = file.relative_to(self.cards_dir)
        return Located(kind, id_, pattern_id, file, rel, self.unfinished_dir / inside)

    # -- checking ----------------------------------------------------------------------------

    def _check(self, draft: tuple[str, str] | None = None) -> tuple[KnowledgeBase, list[Problem]]:
        self._cache.draft = draft
        try:
            checked = check_project(self.root, self.site.settings, self.site.docs_dir,
                                    cache=self._cache)
        finally:
            self._cache.draft = None
        return checked.knowledge_base, checked.problems.sorted()

    def _draft_problems(self, located: Located, text: str) -> list[dict[str, Any]]:
        """The build's problems with the draft in the file's place: the file's own, and any
        that the draft would add elsewhere."""
        _, before = self._check()
        _, after = self._check((located.rel, text))
        known = {(p.location.path, p.message) for p in before}
        document = parse_yaml(text, located.rel, Problems())
        return [_problem_json(problem, document if problem.location.path == located.rel
                              else None)
                for problem in after
                if problem.location.path == located.rel or (
                    problem.severity is Severity.ERROR and
                    (problem.location.path, problem.message) not in known)]

    def _draft(self, located: Located, data: Any) -> tuple[bytes, bytes]:
        """The file's bytes, and the same with the form's data written in."""
        if not isinstance(data, dict):
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "data must be the fields, as a mapping")
        original = located.file.read_bytes()
        try:
            return original, edit_text(original, data, located.rel, field_names(located.kind))
        except EditError as error:  # with the diff it refused to write, if it made one
            raise _RefusedError(HTTPStatus.UNPROCESSABLE_ENTITY, error.message,
                                diff=error.diff) from None

    # -- endpoints ---------------------------------------------------------------------------

    def read(self, payload: dict[str, Any]) -> ApiAnswer:
        """A card or pattern's fields (its unfinished version, if one is kept), the hash of its
        file in cards/, the schema's form, and what links to it."""
        located = self.locate(payload.get("id"))
        original = located.file.read_bytes()
        base, shown = content_hash(original), original
        unfinished = _is_plain_file(located.unfinished)
        if unfinished:
            shown = located.unfinished.read_bytes()
            # the version of the card it was made from: if the card changed since, saving it
            # is a conflict, never a silent undoing of the other change
            found = _BASE.match(shown.decode("utf-8", "replace"))
            base = found[1] if found else base
        try:
            _, document = read_document(shown, located.rel)
        except EditError as error:
            raise _RefusedError(HTTPStatus.UNPROCESSABLE_ENTITY, error.message) from None
        data = as_json(document.data)
        problems = []
        if unfinished:
            _, draft = self._draft(located, data)
            problems = self._draft_problems(located, draft.decode("utf-8-sig"))
        kb, _ = self._check()
        return ApiAnswer(HTTPStatus.OK, {
            "id": located.id, "kind": located.kind, "pattern": located.pattern_id,
            "file": located.rel, "hash": base, "unfinished": unfinished, "data": data,
            "fields": form_description(located.kind), "problems": problems,
            "links_here": _links_here(kb, located.id)})

    def check(self, payload: dict[str, Any]) -> ApiAnswer:
        located = self.locate(payload.get("id"))
        _, new = self._draft(located, payload.get("data"))
        text = new.decode("utf-8-sig")
        problems = self._draft_problems(located, text)
        return ApiAnswer(HTTPStatus.OK, {"problems": problems, "passes": _passes(problems)})

    def save(self, payload: dict[str, Any]) -> ApiAnswer:
        located = self.locate(payload.get("id"))
        original, new = self._draft(located, payload.get("data"))
        if content_hash(original) != payload.get("hash"):
            raise _RefusedError(HTTPStatus.CONFLICT, changed_on_disk(located.rel).message)
        problems = self._draft_problems(located, new.decode("utf-8-sig"))
        diff = _diff(original, new, located.rel)
        if not _passes(problems):
            located.unfinished.parent.mkdir(parents=True, exist_ok=True)
            _write_new_or_replace(located.unfinished, _BASE_LINE.format(
                content_hash(original)).encode() + new.removeprefix(b"\xef\xbb\xbf"))
            return ApiAnswer(HTTPStatus.OK, {
                "saved": "unfinished", "problems": problems, "diff": diff,
                "file": (Path(UNFINISHED_DIR) / located.unfinished.relative_to(
                    self.unfinished_dir)).as_posix()})
        changed = new != original
        if changed:
            try:
                write_atomically(located.file, new, content_hash(original))
            except ConflictError as error:
                raise _RefusedError(HTTPStatus.CONFLICT, error.message) from None
        located.unfinished.unlink(missing_ok=True)
        return ApiAnswer(HTTPStatus.OK, {"saved": "cards" if changed else "unchanged",
                                      "problems": problems, "diff": diff, "file": located.rel,
                                      "hash": content_hash(new)})

    def discard(self, payload: dict[str, Any]) -> ApiAnswer:
        """Forget the unfinished draft of a card or pattern (its file in cards/ stays)."""
        located = self.locate(payload.get("id"))
        located.unfinished.unlink(missing_ok=True)
        return ApiAnswer(HTTPStatus.OK, {"discarded": located.id})

    def entities(self, payload: dict[str, Any]) -> ApiAnswer:
        """Every card and pattern, for the id pickers and the list of unfinished work."""
        kb, _ = self._check()
        items: list[dict[str, Any]] = []
        for pattern in kb.patterns.values():
            items.append({"id": pattern.id, "kind": "pattern", "title": pattern.title,
                          "status": pattern.status.value})
        for card in kb.cards.values():
            items.append({"id": card.id, "kind": "card", "title": card.title,
                          "pattern": card.pattern_id, "verdict": card.verdict,
                          "status": card.status.value,
                          "pattern_title": card.pattern.title if card.pattern else ""})
        for kind, ids in (("invalid", kb.invalid_ids),):
            for id_ in ids:
                items.append({"id": id_, "kind": kind, "title": id_})
        return ApiAnswer(HTTPStatus.OK, {"entities": items, "unfinished": self._unfinished()})

    def ready(self, payload: dict[str, Any]) -> ApiAnswer:
        """Whether the preview serves the page of a new card or pattern yet."""
        kind, id_ = payload.get("kind"), _check_id(payload.get("id"))
        if kind not in SECTIONS:
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "kind must be 'card' or 'pattern'")
        site = self.served_site()
        page = site / UrlLayout().folder(kind, id_) / "index.html" if site else None
        return ApiAnswer(HTTPStatus.OK, {"ready": bool(page and page.is_file())})

    def render(self, payload: dict[str, Any]) -> ApiAnswer:
        """A Markdown field as the site shows it, by the build's own renderer, for the form's
        preview beside the text area (no second Markdown in the browser)."""
        text = payload.get("text")
        if not isinstance(text, str):
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "text must be a text")
        kb, _ = self._check()
        layout = UrlLayout()

        def link_for(link: WikiLink) -> tuple[str, str]:
            target = kb.resolve(link.target)
            if target is None:
                return "", link.raw
            return "/" + layout.entity_url(target), target.title

        return ApiAnswer(HTTPStatus.OK, {"html": MarkdownRenderer(link_for)(text)})

    def _unfinished(self) -> list[dict[str, str]]:
        found = []
        folder = self.unfinished_dir
        if not _is_real_folder(folder):
            return []
        for file in sorted(folder.glob("*/*.y*ml")):
            if _is_plain_file(file):
                kind = "pattern" if file.name == PATTERN_FILE else "card"
                id_ = file.parent.name if kind == "pattern" else file.stem
                found.append({"id": id_, "kind": kind})
        return found

    def new_pattern(self, payload: dict[str, Any]) -> ApiAnswer:
        from .scaffold import ScaffoldError, new_pattern

        id_ = self._check_new_id(payload.get("id"))
        try:
            file = new_pattern(self.root, self.cards_dir, id_)
        except (ScaffoldError, FileExistsError) as error:
            raise _RefusedError(HTTPStatus.CONFLICT, str(error)) from None
        return ApiAnswer(HTTPStatus.CREATED, {"id": id_, "kind": "pattern",
                                           "file": file.relative_to(self.root).as_posix()})

    def new_card(self, payload: dict[str, Any]) -> ApiAnswer:
        from .scaffold import ScaffoldError, new_card

        pattern_id, verdict = payload.get("pattern"), payload.get("verdict")
        id_ = self._check_new_id(payload.get("id"))
        pattern = self.locate(pattern_id)
        if pattern.kind != "pattern":
            raise _RefusedError(HTTPStatus.BAD_REQUEST, f"'{pattern_id}' is a card, not a pattern")
        if verdict not in ("works", "backfires"):
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "verdict must be 'works' or 'backfires'")
        try:
            file = new_card(self.root, self.cards_dir, pattern.id, id_, verdict)
        except (ScaffoldError, FileExistsError) as error:
            raise _RefusedError(HTTPStatus.CONFLICT, str(error)) from None
        return ApiAnswer(HTTPStatus.CREATED, {"id": id_, "kind": "card",
                                           "file": file.relative_to(self.root).as_posix()})

    def _check_new_id(self, id_: Any) -> str:
        new_id = _check_id(id_)
        try:
            self.locate(new_id)
        except _RefusedError as refused:
            if refused.answer.status == HTTPStatus.NOT_FOUND:
                return new_id
            raise
        raise _RefusedError(HTTPStatus.CONFLICT, f"the id '{id_}' is taken already; ids of "
                       "patterns and cards must all be different")


_ENDPOINTS = {"read": EditApi.read, "check": EditApi.check, "save": EditApi.save,
              "discard": EditApi.discard, "entities": EditApi.entities,
              "render": EditApi.render, "ready": EditApi.ready,
              "new-pattern": EditApi.new_pattern, "new-card": EditApi.new_card}


def _check_id(id_: Any) -> str:
    if not isinstance(id_, str) or not ID_PATTERN.match(id_) or len(id_) > MAX_ID_LENGTH:
        raise _RefusedError(HTTPStatus.BAD_REQUEST, "an id is lower-case letters and digits "
                            "in words joined by single hyphens, at most "
                            f"{MAX_ID_LENGTH} characters")
    return id_


def _no_link(path: Path) -> None:
    try:
        if stat.S_ISLNK(path.lstat().st_mode):
            raise _RefusedError(HTTPStatus.FORBIDDEN, f"{path.name} is a symbolic link; the editor "
                           "writes only ordinary files")
    except FileNotFoundError:
        raise _RefusedError(HTTPStatus.NOT_FOUND, f"{path.name} does not exist") from None


def _is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _is_plain_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _write_new_or_replace(file: Path, content: bytes) -> None:
    """An unfinished draft: a new file, or the last draft replaced in one step."""
    if _is_plain_file(file):
        write_atomically(file, content)
        return
    _no_link(file.parent)
    with open(file, "xb") as stream:
        stream.write(content)


def _passes(problems: list[dict[str, Any]]) -> bool:
    return not any(problem["severity"] == "error" for problem in problems)


def _diff(old: bytes, new: bytes, rel: str) -> str:
    return "".join(difflib.unified_diff(
        old.decode("utf-8-sig").splitlines(keepends=True),
        new.decode("utf-8-sig").splitlines(keepends=True), f"a/{rel}", f"b/{rel}"))


def _problem_json(problem: Problem, document: YamlDocument | None) -> dict[str, Any]:
    """A problem as the build reports it, and the field of the form it belongs beside."""
    return {"text": str(problem), "message": problem.text, "path": problem.location.path,
            "line": problem.location.line, "column": problem.location.column,
            "severity": problem.severity.value,
            "field": _field_at(problem, document) if document is not None else None}


_MISSING = re.compile(r"missing required field '([^']+)'|needs '([^']+)'|^'([^']+)' is only")


def _field_at(problem: Problem, document: YamlDocument) -> str | None:
    """The form's name (``wording.0``) of the value a problem points at."""
    named = _MISSING.search(problem.message)
    if named:
        return next(group for group in named.groups() if group)
    lines = document.source.split("\n")
    line = problem.location.line
    if line > len(lines):
        return None
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + problem.location.column - 1
    best: JsonPath | None = None
    for spans in (document.keys, document.values):
        for path, span in spans.items():
            if path and span.start <= offset <= max(span.end, span.start) and (
                    best is None or len(path) > len(best)):
                best = path
    return ".".join(str(part) for part in best) if best else None


def _links_here(kb: KnowledgeBase, target: str) -> list[dict[str, str]]:
    """The cards and patterns whose fields name ``target``, for the form's "links here"."""
    found = []
    entities: list[Pattern | Card] = [*kb.patterns.values(), *kb.cards.values()]
    for entity in entities:
        data = entity.document.data if isinstance(entity.document.data, dict) else {}
        for name in _REF_FIELDS:
            value = data.get(name)
            values = value if isinstance(value, list) else [value]
            ids = {item.get("id") if isinstance(item, dict) else item for item in values}
            if target in ids:
                found.append({"id": entity.id, "kind": entity.kind, "title": entity.title,
                              "field": name})
        if f"[[{target}]]" in entity.document.source and entity.id != target:
            found.append({"id": entity.id, "kind": entity.kind, "title": entity.title,
                          "field": "text"})
    return found


def loopback_hosts(server: PreviewServer) -> frozenset[str]:
    """The ``Host`` values of the preview on this computer: never an ``--allow-host`` name."""
    host, port = server.server_address
    own = f"[{host}]" if ":" in host else host
    return frozenset(f"{name}:{port}" for name in {own, *LOOPBACK_NAMES})
