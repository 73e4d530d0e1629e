"""``cardkb export anki``, imported by Anki's own importer (the ``anki`` package from PyPI,
``Collection.import_anki_package`` with its default options) into a fresh collection.

A trainee's progress must survive every update: an edit updates exactly the notes of the edited
card, a rename keeps its notes, nothing is ever added twice, and a review made between two
imports is still there after the second.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer

from cardkb.anki_export import RECORD_FILE, export_anki
from cardkb.mkdocs_config import read_site_config
from cardkb.problems import Problems
from cardkb.project import check_project
from cardkb.urls import UrlLayout

from .conftest import BASE_FILES, Project

NAME_IT = BASE_FILES["cards/stuck/name-it.yml"] + """\
practice:
  - id: months
    level: beginner
    client_says: "I've been coming for months. Nothing's <b>different</b>."
  - id: why-bother
    level: advanced
    client_says: "Why do I even bother?"
    context: "Coat already on."
"""
ASK_SMALL = BASE_FILES["cards/stuck/ask-small.yml"] + """\
criteria: "Invites the client to name one small, visible sign."
practice:
  - id: same-words
    level: intermediate
    client_says: "Why do I even bother?"
  - id: no-future
    level: beginner
    client_says: "I can't even picture next week."
"""
FILES = {"cards/stuck/name-it.yml": NAME_IT, "cards/stuck/ask-small.yml": ASK_SMALL}
PROMPTS = 4
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def _export(project: Project, out: Path, hours: int) -> int:
    problems = Problems()
    site = read_site_config(project.root / "mkdocs.yml", problems)
    assert site is not None
    checked = check_project(site.root, site.settings, site.docs_dir, problems)
    assert not problems.errors, [str(p) for p in problems.sorted()]
    count = export_anki(site.root, checked.knowledge_base, UrlLayout(), None, "Test KB", out,
                        problems, now=START + datetime.timedelta(hours=hours))
    assert count is not None
    return count


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Any]:
    (tmp_path / "trainee").mkdir()
    col = Collection(str(tmp_path / "trainee" / "collection.anki2"))
    yield col
    col.close()


def _import(col: Any, package: Path) -> Any:
    """Anki's importer with its default options (update a note if the file's is newer, never
    merge note types, leave scheduling alone)."""
    return col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions())).log


def _notes(col: Any) -> dict[str, Any]:
    return {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}


def _review(col: Any, note: Any) -> int:
    """Answer the note's card once (Good) and return its card id."""
    card = note.cards()[0]
    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states,
                                                 rating=CardAnswer.GOOD))
    card_id: int = card.id
    return card_id


def _guids(col: Any, logged: Any) -> set[str]:
    """The GUIDs of the notes an import log lists."""
    return {col.get_note(note.id.nid).guid for note in logged}


def _by_statement(col: Any, words: str) -> list[Any]:
    return [note for note in _notes(col).values() if words in note.fields[0]]


def test_updates_reach_a_deck_without_costing_progress(
        make_project: Callable[..., Project], collection: Any, tmp_path: Path) -> None:
    project = make_project(FILES)
    package = tmp_path / "deck.apkg"
    assert _export(project, package, 0) == PROMPTS
    log = _import(collection, package)
    assert len(log.new) == PROMPTS and collection.note_count() == PROMPTS
    first = _notes(collection)
    # two prompts with the same words are two notes
    assert len(_by_statement(collection, "Why do I even bother?")) == 2
    # author text is escaped: Anki shows fields as HTML
    months = _by_statement(collection, "coming for months")[0]
    assert "&lt;b&gt;different&lt;/b&gt;" in months.fields[0]
    assert set(months.tags) == {"level::beginner", "pattern::stuck"}
    reviewed = _review(collection, months)
    reviews = collection.db.scalar("select count() from revlog where cid = ?", reviewed)
    assert reviews == 1

    # the same export again changes nothing at all
    assert _export(project, package, 1) == PROMPTS
    log = _import(collection, package)
    assert (len(log.new), len(log.updated)) == (0, 0)

    # one card's example wording changes: exactly its notes are updated
    project.write({"cards/stuck/name-it.yml": NAME_IT.replace(
        "It must be tiring", "It sounds exhausting")})
    _export(project, package, 2)
    log = _import(collection, package)
    name_it = {guid for guid, note in _notes(collection).items()
               if "It sounds exhausting" in note.fields[3]}
    assert len(name_it) == 2
    assert _guids(collection, log.updated) == name_it
    assert len(log.new) == 0 and collection.note_count() == PROMPTS
    assert set(_notes(collection)) == set(first)
    assert collection.db.scalar("select count() from revlog where cid = ?", reviewed) == 1
    assert collection.get_card(reviewed).reps == 1

    # a second edit, of another card, does the same, even where a client statement changes
    project.write({"cards/stuck/ask-small.yml": ASK_SMALL.replace(
        "first small thing", "very first small thing").replace(
        "I can't even picture next week.", "Next week? I can't picture it.")})
    _export(project, package, 3)
    log = _import(collection, package)
    ask_small = {guid for guid, note in _notes(collection).items()
                 if "very first small thing" in note.fields[3]}
    assert len(ask_small) == 2 and not ask_small & name_it
    assert _by_statement(collection, "Next week? I can't picture it.")
    assert _guids(collection, log.updated) == ask_small
    assert len(log.new) == 0 and collection.note_count() == PROMPTS
    assert collection.get_card(reviewed).reps == 1

    # the card that was reviewed is renamed (its old id kept in aliases): its notes stay
    renamed = NAME_IT.replace("It must be tiring", "It sounds exhausting") + \
        "aliases: [name-it]\n"
    project.remove("cards/stuck/name-it.yml")
    project.write({
        "cards/stuck/name-the-stuckness.yml": renamed,
        "cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"].replace(
            "[name-it, ask-small]", "[name-the-stuckness, ask-small]"),
        "content/curricula/module.md": BASE_FILES["content/curricula/module.md"].replace(
            "![[name-it]]", "![[name-the-stuckness]]")})
    _export(project, package, 4)
    log = _import(collection, package)
    assert len(log.new) == 0 and collection.note_count() == PROMPTS
    assert set(_notes(collection)) == set(first)
    assert collection.get_card(reviewed).reps == 1


def test_the_record_is_written_once_and_kept(
        make_project: Callable[..., Project], tmp_path: Path) -> None:
    project = make_project(FILES)
    package = tmp_path / "deck.apkg"
    _export(project, package, 0)
    record = yaml.safe_load((project.root / RECORD_FILE).read_text())
    _export(project, package, 5)
    again = yaml.safe_load((project.root / RECORD_FILE).read_text())
    assert again == record  # nothing changed: not even a time
    assert set(record["notes"]) == {"name-it/months", "name-it/why-bother",
                                    "ask-small/same-words", "ask-small/no-future"}
    project.write({"cards/stuck/ask-small.yml": ASK_SMALL.replace("name one small", "name a")})
    _export(project, package, 6)
    changed = yaml.safe_load((project.root / RECORD_FILE).read_text())
    for key in ("namespace", "deck_id", "model_id", "deck_name"):
        assert changed[key] == record[key]
    later = (START + datetime.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {key for key, note in changed["notes"].items() if note["changed"] == later} == {
        "ask-small/same-words", "ask-small/no-future"}
    assert changed["notes"]["ask-small/no-future"]["first_seen"] == \
        record["notes"]["ask-small/no-future"]["first_seen"]


def test_the_command_exports_and_links_back_when_the_site_has_an_address(
        make_project: Callable[..., Project], collection: Any) -> None:
    project = make_project({**FILES, "mkdocs.yml": "site_url: https://kb.example/team/\n" +
                            BASE_FILES["mkdocs.yml"]})
    result = project.cardkb("export", "anki", "practice.apkg")
    assert result.returncode == 0, result.stdout
    assert "wrote 4 notes" in result.stdout
    with zipfile.ZipFile(project.root / "practice.apkg") as package:
        assert "collection.anki2" in package.namelist()
    _import(collection, project.root / "practice.apkg")
    note = _by_statement(collection, "picture next week")[0]
    assert note.fields[6] == '<a href="https://kb.example/team/cards/ask-small/">' \
        "Ask for the smallest sign</a>"
    assert "Invites the client to name one small" in note.fields[2]


def test_the_command_refuses_a_project_with_problems(
        make_project: Callable[..., Project]) -> None:
    project = make_project({"cards/stuck/defend.yml": BASE_FILES["cards/stuck/defend.yml"] +
                            "practice: []\n"})
    result = project.cardkb("export", "anki", "practice.apkg")
    assert result.returncode == 1
    assert "cards/stuck/defend.yml:" in result.stdout and "nothing was exported" in result.stdout
    assert not (project.root / "practice.apkg").exists()


def test_only_published_prompts_are_exported(make_project: Callable[..., Project],
                                             tmp_path: Path) -> None:
    draft = NAME_IT.replace("Name the stuckness", "Not yet") + "status: draft\n"
    project = make_project({**FILES, "cards/stuck/not-yet.yml": draft})
    assert _export(project, tmp_path / "deck.apkg", 0) == PROMPTS
    notes = yaml.safe_load((project.root / RECORD_FILE).read_text())["notes"]
    assert not any(key.startswith("not-yet/") for key in notes)
