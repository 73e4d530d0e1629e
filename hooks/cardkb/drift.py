"""How far each card a curriculum page links has drifted from what its pin recorded.

Each link gets one level, the highest of its changed fields' levels:

- ``unchanged``;
- ``editorial``: only whitespace, case or punctuation changed (in any field);
- ``minor``: only fields that leave the advice as it was (sources, tags, review, related...);
- ``major``: the advice changed (sign, move, wording, why, cautions, a pattern's signs...);
- ``critical``: the verdict or a safety note changed, the card was retired or made a draft, its
  file has problems the site cannot show, or it is gone.

Each field's level is data beside the schemas (``schema/drift-levels.json``), so a field added
to the format states its own. Engine-agnostic: the ``cardkb drift`` command and the site's
banner both call :func:`page_drift`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .drift_sources import Found, Sources, current, resolve, snapshot
from .pins import Pin, PinnedLink

LEVELS = ("unchanged", "editorial", "minor", "major", "critical")
LEVELS_FILE = "drift-levels.json"
#: a field a pin has but the level file does not know (a pin from another version): the advice
#: may have changed, so it is not played down
UNKNOWN_FIELD_LEVEL = "major"
_WORD = re.compile(r"\w+")


def rank(level: str) -> int:
    return LEVELS.index(level)


@cache
def field_levels() -> dict[str, Any]:
    """The level file: ``{"card": {field: level}, "pattern": {...}, "derived": {...}}``."""
    text = resources.files(__package__).joinpath("schema", LEVELS_FILE).read_text("utf-8")
    levels: dict[str, Any] = json.loads(text)
    return levels


def field_level(kind: str, name: str) -> str:
    levels = field_levels()
    level = levels[kind].get(name) or levels["derived"][kind].get(name)
    return level if isinstance(level, str) else UNKNOWN_FIELD_LEVEL


@dataclass(frozen=True)
class FieldChange:
    name: str
    level: str
    #: the field's values, as the pin and the file hold them
    before: Any
    after: Any

    def words(self) -> list[tuple[str, str]]:
        """The change word by word: ``(" ", same)``, ``("-", removed)``, ``("+", added)``; in
        a list, item by item first (an added source is one added item, not a word salad)."""
        if isinstance(self.before, list) and isinstance(self.after, list):
            return list_diff(self.before, self.after)
        return word_diff(value_text(self.before), value_text(self.after))


@dataclass(frozen=True)
class LinkDrift:
    """One card or pattern a page links, and how it changed since the pin."""

    #: its id now (its pinned id when it is gone)
    id: str
    kind: str
    title: str
    level: str
    changes: tuple[FieldChange, ...] = ()
    notes: tuple[str, ...] = ()
    #: what it is now (None when it is gone)
    found: Found | None = None

    @property
    def fields(self) -> list[str]:
        return [change.name for change in self.changes]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "fields": self.fields}


@dataclass(frozen=True)
class PageDrift:
    #: the page's path from the project's root
    page: str
    pin: Pin | None
    links: tuple[LinkDrift, ...] = field(default_factory=tuple)

    def at_least(self, level: str) -> list[LinkDrift]:
        return [link for link in self.links if rank(link.level) >= rank(level)]

    def as_json(self) -> dict[str, Any]:
        if self.pin is None:
            return {"page": self.page, "pinned": False}
        return {"page": self.page, "reviewed": self.pin.reviewed.isoformat(),
                "cards": [link.as_json() for link in self.links]}


def page_drift(page: str, targets: Sequence[str], pin: Pin | None,
               sources: Sources) -> PageDrift:
    """The drift of every card and pattern the page links now (``targets``: its links' ids,
    in order), against its pin: pinned ones compared field by field, ones linked since the
    pin listed as not reviewed. Pinned ones the page no longer links are left out."""
    if pin is None:
        return PageDrift(page, None)
    linked: dict[tuple[str, str], Found] = {}
    for target in targets:
        found = resolve(target, sources)
        if found is not None:
            linked.setdefault((found.kind, found.id), found)
    wanted = set(targets)
    links: list[LinkDrift] = []
    seen: set[tuple[str, str]] = set()
    for pinned in pin.links:
        now = current(pinned, sources)
        key = (now.kind, now.id) if now is not None else (pinned.kind, pinned.id)
        if key in seen or (wanted.isdisjoint(pinned.ids) and key not in linked):
            continue
        seen.add(key)
        links.append(compare(pinned, now, sources))
    for key, found in linked.items():
        if key not in seen:
            links.append(LinkDrift(found.id, found.kind, found.title, "major", (), (
                "linked since the review: not in the pin",), found))
    return PageDrift(page, pin, tuple(links))


def compare(pinned: PinnedLink, now: Found | None, sources: Sources) -> LinkDrift:
    """One pinned card or pattern against what it is now (``now``, None when it is gone)."""
    if now is None:
        return LinkDrift(pinned.id, pinned.kind, pinned.title, "critical", (), (
            f"gone: no {pinned.kind} has the id '{pinned.id}' now, nor lists it among its "
            "former ids (aliases)",))
    after = snapshot(now, sources)
    notes: list[str] = []
    if now.id != pinned.id:
        notes.append(f"renamed from '{pinned.id}'")
        # the rename's own bookkeeping: the old id joins the former ids
        listed = after.get("aliases")
        aliases = [a for a in listed if a != pinned.id] if isinstance(listed, list) else listed
        if aliases:
            after["aliases"] = aliases
        else:
            after.pop("aliases", None)
    changes = [change for name in _union(pinned.fields, after)
               if (change := _change(pinned.kind, name, pinned.fields.get(name),
                                     after.get(name))) is not None]
    status = next((c for c in changes if c.name == "status"), None)
    if status is not None:
        notes.append(_status_note(after, sources))
    level = max((change.level for change in changes), key=rank, default="unchanged")
    if now.broken:
        level = "critical"
        notes.append("its file has problems, so a build stops and the site leaves it out: "
                     "`cardkb check` lists them")
    return LinkDrift(now.id, now.kind, now.title, level, tuple(changes), tuple(notes), now)


def _union(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return [*before, *(name for name in after if name not in before)]


def _change(kind: str, name: str, before: Any, after: Any) -> FieldChange | None:
    if before == after:
        return None
    level = field_level(kind, name)
    if name == "status" and after == "published":
        level = "major"  # published again: worth a look, not an alarm
    if _words(before) == _words(after):
        level = "editorial"
    return FieldChange(name, level, before, after)


def _words(value: Any) -> list[str]:
    """The words of a value, without case, punctuation or spacing: what editorial leaves."""
    return _WORD.findall(value_text(value).casefold())


def _status_note(after: Mapping[str, Any], sources: Sources) -> str:
    status = after.get("status")
    if status == "retired":
        replacement = after.get("replaced_by")
        found = sources.card(replacement) if isinstance(replacement, str) else None
        where = f"'{replacement}' ({found.title})" if found is not None else f"'{replacement}'"
        return f"retired: its page sends readers to {where}"
    if status == "draft":
        return "made a draft: the published site leaves it out"
    return "published again"


def value_text(value: Any) -> str:
    """A field's value as words, for comparing and showing: list items marked with ``•``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(f"• {value_text(item)}" for item in value)
    if isinstance(value, Mapping):
        return " ".join(f"{key}: {value_text(item)}" for key, item in value.items())
    return str(value)


def list_diff(before: list[Any], after: list[Any]) -> list[tuple[str, str]]:
    """Two lists compared item by item; an item replaced by one item is compared word by word."""
    old, new = [value_text(item) for item in before], [value_text(item) for item in after]
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            for removed, added in zip(old[i1:i2], new[j1:j2], strict=True):
                parts += [(" ", "•"), *word_diff(removed, added)]
            continue
        for op, items in (("-", old[i1:i2]), ("+", new[j1:j2])) if tag != "equal" else (
                (" ", old[i1:i2]),):
            if items:
                parts.append((op, " ".join(f"• {item}" for item in items)))
    return _merged(parts)


def _merged(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Neighbouring parts of the same kind joined, so unchanged text is shortened once."""
    merged: list[tuple[str, str]] = []
    for op, text in parts:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, f"{merged[-1][1]} {text}")
        else:
            merged.append((op, text))
    return merged


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The change from ``before`` to ``after``, word by word (words are split at whitespace)."""
    old, new = before.split(), after.split()
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append((" ", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("-", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("+", " ".join(new[j1:j2])))
    return parts
