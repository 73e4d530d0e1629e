"""Pins: what the cards and patterns a curriculum page links said when a trainer reviewed it.

``cardkb pin content/curricula/week-3.md`` writes ``pins/curricula/week-3.yml`` at the project's
root: the date, and for each card or pattern the page links or embeds, its id and every field
as it read then. A pin sits beside the page in the repository, so it is committed with it and
reads as a plain diff (one field per key, in the schema's order, long text as blocks), but it
lies outside the docs folder, so no engine publishes it, and the trainer's page is never
rewritten. ``cardkb drift`` compares each pinned field with the card as it is now.

What is recorded is what a reader of the card saw, so a card's ``status`` is the one it is shown
with (a card of a draft pattern is a draft), and a card also records its pattern and the safety
notes of its own and its ``also_in`` patterns, which its page shows at the top.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .problems import Problems
from .project_files import check_file, decode_utf8, read_limited
from .schemas import load_schema

PINS_DIR = "pins"
PIN_SUFFIX = ".yml"
_HEADER = """\
# Pinned by `cardkb pin`: what each card and pattern linked or embedded by
#   {page}
# said when the page was reviewed. `cardkb drift` compares them with the cards as they are now;
# pin the page again after its next review to move the pin. Never published with the site.
"""


class PinError(Exception):
    """A pin file that cannot be read: its path and what is wrong, in plain words."""


@dataclass(frozen=True)
class PinnedLink:
    """One card or pattern as the reviewer saw it."""

    id: str
    kind: str
    fields: dict[str, Any]

    @property
    def title(self) -> str:
        title = self.fields.get("title")
        return title if isinstance(title, str) else self.id

    @property
    def ids(self) -> tuple[str, ...]:
        """Its id, and the former ids it listed: a page may link it by any of them."""
        aliases = self.fields.get("aliases")
        return (self.id, *(a for a in aliases if isinstance(a, str))) if isinstance(
            aliases, list) else (self.id,)


@dataclass(frozen=True)
class Pin:
    #: the page, from the project's root (``content/curricula/week-3.md``)
    page: str
    reviewed: datetime.date
    links: tuple[PinnedLink, ...]


def pin_path(src_uri: str) -> str:
    """Where the pin of the page at ``src_uri`` (relative to the docs folder) lives, from the
    project's root: the page's path under ``pins/``, ending in ``.yml``."""
    return f"{PINS_DIR}/{PurePosixPath(src_uri).with_suffix(PIN_SUFFIX).as_posix()}"


def snapshot_fields(kind: str, data: Mapping[str, Any], *, status: str,
                    pattern_id: str | None = None,
                    safety: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every field of a card or pattern file the schema knows, in the schema's order, as plain
    data (dates as text), with the status it is shown with and, for a card, what its page shows
    from its patterns."""
    fields: dict[str, Any] = {}
    for name in load_schema(kind)["properties"]:
        if name == "status":
            fields[name] = status
        elif name in data:
            fields[name] = _plain(data[name])
    if kind == "card":
        fields["pattern"] = pattern_id
        if safety:
            fields["safety"] = dict(safety)
    return fields


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# -- the file -------------------------------------------------------------------------------


class _PinDumper(yaml.SafeDumper):
    """Long text as literal blocks, so a changed sentence is a changed line in a diff."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text.rstrip("\n") or (text.endswith("\n") and len(text) > 60) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_PinDumper.add_representer(str, _represent_text)


def dump_pin(pin: Pin) -> str:
    data = {
        "page": pin.page,
        "reviewed": pin.reviewed,
        "links": [{"id": link.id, "kind": link.kind, "fields": link.fields}
                  for link in pin.links],
    }
    text = yaml.dump(data, Dumper=_PinDumper, sort_keys=False, allow_unicode=True,
                     width=1_000_000, default_flow_style=False)
    return _HEADER.format(page=pin.page) + text


def write_pin(root: Path, src_uri: str, pin: Pin) -> str:
    """Write the pin; return its path from the project's root."""
    rel = pin_path(src_uri)
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_pin(pin), "utf-8")
    return rel


def read_pin(root: Path, src_uri: str) -> Pin | None:
    """The pin of the page at ``src_uri``; None when it has none. A pin that cannot be read
    raises :class:`PinError`."""
    rel = pin_path(src_uri)
    if not os.path.lexists(root / rel):
        return None
    problems = Problems()
    data = read_limited(root / rel, rel, problems) if check_file(
        root / rel, rel, root, problems) else None
    text = decode_utf8(data, rel, problems) if data is not None else None
    if text is None:
        reason = problems.sorted()[0].message if problems.errors else "cannot be read"
        raise PinError(f"{rel}: {reason}")
    return parse_pin(text, rel)


def parse_pin(text: str, rel: str) -> Pin:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PinError(f"{rel}: does not parse as YAML ({' '.join(str(error).split())}); "
                       "pin the page again") from None
    if not isinstance(data, dict) or not isinstance(data.get("links"), list):
        raise PinError(f"{rel}: not a pin (no 'links' list); pin the page again")
    reviewed = data.get("reviewed")
    if isinstance(reviewed, str):
        try:
            reviewed = datetime.date.fromisoformat(reviewed)
        except ValueError:
            reviewed = None
    if not isinstance(reviewed, datetime.date):
        raise PinError(f"{rel}: 'reviewed' is not a date (YYYY-MM-DD); pin the page again")
    return Pin(str(data.get("page", "")), reviewed, tuple(_links(data["links"], rel)))


def _links(items: list[Any], rel: str) -> Iterator[PinnedLink]:
    for index, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str)
                and item.get("kind") in ("card", "pattern")
                and isinstance(item.get("fields"), dict)):
            raise PinError(f"{rel}: link {index + 1} needs an id, a kind (card or pattern) and "
                           "its fields; pin the page again")
        yield PinnedLink(item["id"], item["kind"], _plain(item["fields"]))


def read_pins(root: Path) -> dict[str, Pin]:
    """Every readable pin under ``pins/``, by its page's path relative to the docs folder; for
    the site, where a pin that cannot be read shows nothing (``cardkb drift`` says why)."""
    folder = root / PINS_DIR
    pins: dict[str, Pin] = {}
    if not folder.is_dir() or folder.is_symlink():
        return pins
    for file in sorted(folder.rglob(f"*{PIN_SUFFIX}")):
        src_uri = file.relative_to(folder).with_suffix(".md").as_posix()
        if any(part.startswith(".") for part in PurePosixPath(src_uri).parts):
            continue
        try:
            pin = read_pin(root, src_uri)
        except PinError:
            continue
        if pin is not None:
            pins[src_uri] = pin
    return pins
