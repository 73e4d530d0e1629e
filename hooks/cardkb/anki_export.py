"""``cardkb export anki FILE.apkg``: every published practice prompt as an Anki note.

A trainee who imports a newer export must keep every review they made. Anki's importer (with its
default options) matches a note by its GUID and replaces it only when the note in the file is
newer than the one in the collection, and only while the note type keeps its fields. So:

- a note's GUID comes from the knowledge base's namespace, its card's first id (the first of its
  ``aliases``, else its id) and the prompt's id, never from its text: an edit or a rename updates
  the note in place, and two prompts with the same words stay two notes;
- the namespace, the note type's id and the deck's id are made once and kept in the project's
  ``anki.yml`` (commit it with the cards), never regenerated;
- a note's modification time is when its content last changed, from the record of content hashes
  in ``anki.yml``, not the time of the export: an export that changes one card's wording makes
  only that card's notes newer, and a re-import leaves the rest alone;
- the note type's fields never change (a change would make Anki refuse the updates as "note type
  has changed"); its templates may, and then its own modification time moves.

Author text is escaped: Anki shows fields as HTML.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import genanki
import yaml

from .finder import plain_text
from .mkdocs_config import read_config_mapping, read_site_config
from .model import Card, KnowledgeBase
from .practice import PracticeItem, practice_items
from .problems import Location, Problems
from .project import check_project
from .urls import UrlLayout

RECORD_FILE = "anki.yml"
FIELDS = ["Statement", "Context", "Criteria", "Wording", "Why", "Contrast", "Card"]
FRONT = """\
<div class="cardkb-context">{{Context}}</div>
<div class="cardkb-statement">{{Statement}}</div>
<p class="cardkb-task">Answer out loud, then turn the card.</p>"""
BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="cardkb-criteria"><b>A good reply:</b> {{Criteria}}</div>
<div class="cardkb-wording"><b>How it can sound:</b> {{Wording}}</div>
<div class="cardkb-why"><b>Why it works:</b> {{Why}}</div>
{{#Contrast}}
<div class="cardkb-contrast"><b>What tends to backfire here:</b> {{Contrast}}</div>
{{/Contrast}}
{{#Card}}<div class="cardkb-card">{{Card}}</div>{{/Card}}"""
CSS = """\
.card { font-family: sans-serif; font-size: 18px; text-align: left; line-height: 1.4; }
.cardkb-context { font-style: italic; color: #555; }
.cardkb-statement { font-size: 1.2em; margin: .5em 0; }
.cardkb-task { color: #555; font-size: .85em; }
.cardkb-criteria, .cardkb-wording, .cardkb-why, .cardkb-contrast, .cardkb-card { margin: .6em 0; }
.cardkb-contrast { border-left: 3px solid #b3261e; padding-left: .6em; }
"""
_RECORD_HEADER = """\
# Written by `cardkb export anki`: commit it with the cards. The namespace and the ids below are
# made once and must never change (Anki would see new notes and new note types); each note's
# entry says when its content last changed, which is what lets a re-import update only the notes
# that changed and keep every review.
"""


@dataclass
class NoteRecord:
    hash: str
    first_seen: datetime.datetime
    changed: datetime.datetime


@dataclass
class AnkiRecord:
    """``anki.yml``: the fixed ids and each note's content history."""

    namespace: str
    deck_id: int
    model_id: int
    deck_name: str
    model_hash: str = ""
    model_changed: datetime.datetime | None = None
    notes: dict[str, NoteRecord] = field(default_factory=dict)

    @classmethod
    def new(cls, deck_name: str) -> AnkiRecord:
        # Anki's ids are milliseconds since 1970 by habit; any positive 63-bit number works, and
        # random ones in this range never meet the ids Anki gives itself.
        def random_id() -> int:
            return (1 << 40) + secrets.randbelow(1 << 40)

        return cls(uuid.uuid4().hex, random_id(), random_id(), deck_name)

    @classmethod
    def read(cls, path: Path, problems: Problems) -> AnkiRecord | None:
        where = Location(path.name)
        try:
            data: Any = yaml.safe_load(path.read_text("utf-8"))
            notes = {key: NoteRecord(str(value["hash"]), _time(value["first_seen"]),
                                     _time(value["changed"]))
                     for key, value in (data.get("notes") or {}).items()}
            changed = data.get("model_changed")
            return cls(str(data["namespace"]), int(data["deck_id"]), int(data["model_id"]),
                       str(data["deck_name"]), str(data.get("model_hash") or ""),
                       _time(changed) if changed else None, notes)
        except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError):
            problems.error(where, f"{path.name} is not as cardkb export wrote it: restore it from "
                           "version control (a new one would make every trainee's notes new)")
            return None

    def write(self, path: Path) -> None:
        data = {
            "namespace": self.namespace, "deck_id": self.deck_id, "model_id": self.model_id,
            "deck_name": self.deck_name, "model_hash": self.model_hash,
            "model_changed": _iso(self.model_changed) if self.model_changed else None,
            "notes": {key: {"hash": note.hash, "first_seen": _iso(note.first_seen),
                            "changed": _iso(note.changed)}
                      for key, note in sorted(self.notes.items())},
        }
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(_RECORD_HEADER + text, "utf-8")

    def stamp(self, key: str, content_hash: str, now: datetime.datetime) -> datetime.datetime:
        """When the content under ``key`` last changed, recording ``now`` if it just did."""
        note = self.notes.get(key)
        if note is None:
            self.notes[key] = NoteRecord(content_hash, now, now)
        elif note.hash != content_hash:
            note.hash, note.changed = content_hash, now
        return self.notes[key].changed


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    return datetime.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.UTC)


def first_id(card: Card) -> str:
    """The id a card was first published under: the first of its former ids, else its id."""
    return card.aliases[0].id if card.aliases else card.id


def note_key(item: PracticeItem) -> str:
    return f"{first_id(item.card)}/{item.prompt.id}"


@dataclass(frozen=True)
class NoteContent:
    fields: list[str]
    tags: list[str]

    @property
    def hash(self) -> str:
        payload = json.dumps([self.fields, self.tags], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _text(text: str) -> str:
    """Author text as the content of an HTML element (never inside an attribute)."""
    return html.escape(text, quote=False)


def _quotes(wording: list[str]) -> str:
    return "<br>".join(f"“{_text(text)}”" for text in wording)


def note_content(item: PracticeItem, kb: KnowledgeBase, layout: UrlLayout,
                 site_url: str | None) -> NoteContent:
    """The note's fields, as HTML with every piece of author text escaped, and its tags."""
    card = item.card
    contrast = "".join(
        f"<div><b>{_text(other.title)}</b>: {_quotes(other.wording)}<br>"
        f"{_text(plain_text(other.why, kb))}</div>" for other in item.contrast)
    link = ""
    if site_url:
        address = site_url.rstrip("/") + "/" + layout.entity_url(card)
        link = f'<a href="{html.escape(address)}">{_text(card.title)}</a>'
    fields = [_text(item.prompt.client_says), _text(item.prompt.context or ""),
              _text(item.criteria), _quotes(card.wording), _text(plain_text(card.why, kb)),
              contrast, link]
    tags = [f"level::{item.prompt.level}", *(f"pattern::{p.id}" for p in card.patterns)]
    return NoteContent(fields, tags)


class _DatedNote(genanki.Note):  # type: ignore[misc]
    """A note whose modification time is when its content last changed (genanki gives every
    note the time of the export, which makes every re-import overwrite every note)."""

    def __init__(self, *, changed: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.changed = changed

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: Any, id_gen: Any) -> None:
        super().write_to_db(cursor, self.changed, deck_id, id_gen)


def _model_hash() -> str:
    return hashlib.sha256(json.dumps([FIELDS, FRONT, BACK, CSS]).encode()).hexdigest()[:16]


def export_anki(root: Path, kb: KnowledgeBase, layout: UrlLayout, site_url: str | None,
                site_name: str, out: Path, problems: Problems,
                now: datetime.datetime | None = None) -> int | None:
    """Write the package to ``out`` and update ``anki.yml``; the number of notes, or None when
    the record could not be read."""
    now = (now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    record_path = root / RECORD_FILE
    record = (AnkiRecord.read(record_path, problems) if record_path.exists()
              else AnkiRecord.new(f"{site_name}: practice"))
    if record is None:
        return None
    if record.model_hash != _model_hash() or record.model_changed is None:
        record.model_hash, record.model_changed = _model_hash(), now
    model = genanki.Model(
        record.model_id, "cardkb practice prompt", fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Answer out loud", "qfmt": FRONT, "afmt": BACK}], css=CSS)
    deck = genanki.Deck(record.deck_id, record.deck_name,
                        description="Client statements to answer out loud; turn the card to "
                                    "compare with what works and what tends to backfire.")
    items = practice_items(kb, published_only=True)
    for item in items:
        key = note_key(item)
        content = note_content(item, kb, layout, site_url)
        changed = record.stamp(key, content.hash, now)
        deck.add_note(_DatedNote(
            changed=int(changed.timestamp()), model=model, fields=content.fields,
            tags=content.tags, guid=genanki.guid_for(record.namespace, key)))
    out.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(deck).write_to_file(str(out), timestamp=record.model_changed.timestamp())
    record.write(record_path)
    return len(items)


def export_command(config_file: Path, out: Path) -> int:
    """``cardkb export anki FILE``: check the project, then export; 1 on any problem."""
    problems = Problems()
    site = read_site_config(config_file, problems)
    raw = read_config_mapping(config_file, problems) if site is not None else None
    checked = check_project(site.root, site.settings, site.docs_dir, problems) if site else None
    if site is None or raw is None or checked is None or problems.errors:
        for problem in problems.sorted():
            print(problem)
        print("cardkb: nothing was exported")
        return 1
    site_url = raw.get("site_url")
    if not (isinstance(site_url, str) and site_url.startswith(("https://", "http://"))):
        site_url = None
    count = export_anki(site.root, checked.knowledge_base, UrlLayout(site.directory_urls),
                        site_url, str(raw.get("site_name") or "cardkb"), out, problems)
    for problem in problems.sorted():
        print(problem)
    if count is None:
        print("cardkb: nothing was exported")
        return 1
    print(f"cardkb: wrote {count} notes into {out}; commit {RECORD_FILE} with the cards")
    return 0
