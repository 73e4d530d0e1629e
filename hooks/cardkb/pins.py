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
from .project_files import check_link, decode_utf8
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


class _SharedError(Exception):
    """The same list or mapping twice: what a YAML alias makes (and a "billion laughs")."""


def _plain(value: Any, seen: set[int] | None = None) -> Any:
    """Plain data: dates as text, each list and mapping copied (and, given ``seen``, refused
    when met twice, so an alias in a hand-edited pin cannot make the walk explode)."""
    if isinstance(value, (Mapping, list)) and seen is not None:
        if id(value) in seen:
            raise _SharedError
        seen.add(id(value))
    if isinstance(value, Mapping):
        return {str(key): _plain(item, seen) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, seen) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# -- the file -------------------------------------------------------------------------------


#: pins are read by the C parser where PyYAML has it: a large curriculum's pins are megabytes
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
#: a pin holds a few kilobytes per link; a page of hundreds of long cards stays far below this
MAX_PIN_BYTES = 20_000_000


class _PinDumper(_Dumper):  # type: ignore[misc]
    """Long text as literal blocks, so a changed sentence is a changed line in a diff; never an
    anchor (``&id001``), which nobody could read in a diff."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: Any, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text.rstrip("\n") or (text.endswith("\n") and len(text) > 60) else None
    node: yaml.ScalarNode = dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)
    return node


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
    path = root / rel
    if not os.path.lexists(path):
        return None
    problems = Problems()
    if not check_link(path, rel, root, problems) or not path.is_file():
        raise PinError(f"{rel}: not an ordinary file of the project")
    if path.stat().st_size > MAX_PIN_BYTES:
        raise PinError(f"{rel}: over {MAX_PIN_BYTES // 1_000_000} MB, more than any page's "
                       "links need; pin the page again")
    text = decode_utf8(path.read_bytes(), rel, problems)
    if text is None:
        raise PinError(str(problems.sorted()[0]))
    return parse_pin(text, rel)


def parse_pin(text: str, rel: str) -> Pin:
    try:
        data = yaml.load(text, Loader=_Loader)
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
    try:
        return Pin(str(data.get("page", "")), reviewed, tuple(_links(data["links"], rel)))
    except _SharedError:
        raise PinError(f"{rel}: uses YAML anchors or aliases, which a pin never needs; pin the "
                       "page again") from None


def _links(items: list[Any], rel: str) -> Iterator[PinnedLink]:
    for index, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str)
                and item.get("kind") in ("card", "pattern")
                and isinstance(item.get("fields"), dict)):
            raise PinError(f"{rel}: link {index + 1} needs an id, a kind (card or pattern) and "
                           "its fields; pin the page again")
        yield PinnedLink(item["id"], item["kind"], _plain(item["fields"], set()))


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
