"""Where ``cardkb drift`` reads the cards as they are now: a checked knowledge base, or the files.

A site build has checked every card already, so the banner reads the knowledge base
(:class:`KnowledgeBaseSources`). The ``cardkb drift`` and ``cardkb pin`` commands read only the
files the pinned pages need (:class:`FileSources`): a curriculum of a few dozen links should not
wait for a check of thousands of cards, and a project whose check fails (a card made a draft, or
deleted, under a page that links it) is exactly when a trainer needs the report. Both answer the
same questions the same way, and :func:`snapshot` turns either answer into a pin's fields.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from .load import PATTERN_FILE, YAML_SUFFIXES
from .model import KnowledgeBase
from .pins import PinnedLink, snapshot_fields
from .problems import Problems
from .project_files import check_file, check_link, decode_utf8, read_limited
from .schemas import check_shape
from .yaml_source import YamlDocument, parse_yaml

_STATUSES = ("published", "draft", "retired")


@dataclass(frozen=True)
class Found:
    """A card or pattern as its file reads now."""

    kind: str
    id: str
    data: Mapping[str, Any]
    #: a card's own pattern (its folder)
    pattern_id: str | None = None
    #: its file has problems (a build stops, and the site leaves it out until they are fixed)
    broken: bool = False

    @property
    def title(self) -> str:
        title = self.data.get("title")
        return title if isinstance(title, str) else self.id


class Sources(Protocol):
    def pattern(self, id_: str) -> Found | None: ...

    def card(self, id_: str) -> Found | None: ...

    def former(self, id_: str) -> str | None:
        """The id of the card that lists ``id_`` among its ``aliases``."""


def resolve(target: str, sources: Sources) -> Found | None:
    """What a ``[[target]]`` names, as the site resolves it: a pattern, a card, a former id."""
    found = sources.pattern(target) or sources.card(target)
    if found is None and (card_id := sources.former(target)) is not None:
        found = sources.card(card_id)
    return found


def current(link: PinnedLink, sources: Sources) -> Found | None:
    """The pinned card or pattern now: under its pinned id, or any id it had then, or as the
    card that lists one of them among its former ids (a rename)."""
    for id_ in link.ids:
        found = sources.pattern(id_) if link.kind == "pattern" else sources.card(id_)
        if found is None and link.kind == "card" and (card_id := sources.former(id_)):
            found = sources.card(card_id)
        if found is not None:
            return found
    return None


def snapshot(found: Found, sources: Sources) -> dict[str, Any]:
    """The fields a pin records for ``found``: see :func:`pins.snapshot_fields`."""
    status = _status(found.data)
    if found.kind == "pattern":
        return snapshot_fields("pattern", found.data, status=status)
    own = sources.pattern(found.pattern_id) if found.pattern_id else None
    if status != "draft" and own is not None and _status(own.data) == "draft":
        status = "draft"  # as the site shows it: a card of a draft pattern is a draft
    also_in = found.data.get("also_in")
    pattern_ids = [found.pattern_id, *(also_in if isinstance(also_in, list) else [])]
    safety: dict[str, str] = {}
    for pattern_id in pattern_ids:
        pattern = sources.pattern(pattern_id) if isinstance(pattern_id, str) else None
        note = pattern.data.get("safety") if pattern is not None else None
        if isinstance(note, str) and pattern is not None:
            safety[pattern.id] = note
    return snapshot_fields("card", found.data, status=status, pattern_id=found.pattern_id,
                           safety=safety)


def _status(data: Mapping[str, Any]) -> str:
    status = data.get("status", "published")
    return status if status in _STATUSES else "published"


class KnowledgeBaseSources:
    """The cards of a checked knowledge base, and what could be read of its broken files."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._broken: dict[tuple[str, str], Found] = {}
        for kind, document in kb.invalid_documents:
            path = PurePosixPath(document.path)
            id_ = path.parent.name if kind == "pattern" else path.stem
            data = document.data if isinstance(document.data, Mapping) else {}
            self._broken.setdefault((kind, id_), Found(kind, id_, data, path.parent.name, True))

    def pattern(self, id_: str) -> Found | None:
        pattern = self.kb.patterns.get(id_)
        if pattern is not None:
            return Found("pattern", id_, _data(pattern.document))
        return self._broken.get(("pattern", id_))

    def card(self, id_: str) -> Found | None:
        card = self.kb.cards.get(id_)
        if card is not None:
            return Found("card", id_, _data(card.document), card.pattern_id)
        return self._broken.get(("card", id_))

    def former(self, id_: str) -> str | None:
        card = self.kb.aliases.get(id_)
        return card.id if card is not None else None


def _data(document: YamlDocument) -> Mapping[str, Any]:
    return document.data if isinstance(document.data, Mapping) else {}


class FileSources:
    """The cards read from their files, only those asked for, each checked against the schema
    on its own (a file that fails is still read, as far as it can be)."""

    def __init__(self, root: Path, cards_dir: str) -> None:
        self.root, self.cards_dir = root, cards_dir
        self._read: dict[str, Found | None] = {}

    @cached_property
    def _files(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Every pattern and card file by kind and id: its path and its pattern's id."""
        files: dict[tuple[str, str], tuple[str, str]] = {}
        folder = self.root / self.cards_dir
        problems = Problems()
        if not folder.is_dir() or not check_link(folder, self.cards_dir, self.root, problems):
            return files
        for pattern_dir in sorted(os.scandir(folder), key=lambda entry: entry.name):
            rel_dir = f"{self.cards_dir}/{pattern_dir.name}"
            if pattern_dir.name.startswith(".") or not pattern_dir.is_dir() or \
                    not check_link(Path(pattern_dir.path), rel_dir, self.root, problems):
                continue
            for entry in sorted(os.scandir(pattern_dir.path), key=lambda entry: entry.name):
                name = entry.name
                if name.startswith(".") or not name.endswith(YAML_SUFFIXES) or \
                        name == "pattern.yaml":
                    continue
                kind, id_ = ("pattern", pattern_dir.name) if name == PATTERN_FILE else (
                    "card", PurePosixPath(name).stem)
                files.setdefault((kind, id_), (f"{rel_dir}/{name}", pattern_dir.name))
        return files

    def pattern(self, id_: str) -> Found | None:
        return self._found("pattern", id_)

    def card(self, id_: str) -> Found | None:
        return self._found("card", id_)

    def _found(self, kind: str, id_: str) -> Found | None:
        key = f"{kind}:{id_}"
        if key not in self._read:
            self._read[key] = self._read_file(kind, id_)
        return self._read[key]

    def _read_file(self, kind: str, id_: str) -> Found | None:
        entry = self._files.get((kind, id_))
        if entry is None:
            return None
        rel, pattern_id = entry
        document = self._document(rel)
        if document is None:
            return Found(kind, id_, {}, pattern_id, broken=True)
        data = document.data if isinstance(document.data, Mapping) else {}
        broken = not check_shape(document, kind, Problems())
        return Found(kind, id_, data, pattern_id, broken)

    def _document(self, rel: str) -> YamlDocument | None:
        problems = Problems()
        path = self.root / rel
        if not check_file(path, rel, self.root, problems):
            return None
        data = read_limited(path, rel, problems)
        text = decode_utf8(data, rel, problems) if data is not None else None
        return parse_yaml(text, rel, problems) if text is not None else None

    @cached_property
    def _former_ids(self) -> dict[str, str]:
        """Every former id, to its card: only files that mention ``aliases`` are parsed."""
        formers: dict[str, str] = {}
        for (kind, id_), (rel, _pattern) in self._files.items():
            if kind != "card":
                continue
            path, problems = self.root / rel, Problems()
            data = read_limited(path, rel, problems) if check_file(
                path, rel, self.root, problems) else None
            if data is None or b"aliases" not in data:
                continue
            found = self.card(id_)
            aliases = found.data.get("aliases") if found is not None else None
            for alias in aliases if isinstance(aliases, list) else []:
                if isinstance(alias, str):
                    formers.setdefault(alias, id_)
        return formers

    def former(self, id_: str) -> str | None:
        return self._former_ids.get(id_)
