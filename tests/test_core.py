"""Unit tests of the engine-agnostic core, in process: no MkDocs, no subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cardkb.config import Settings
from cardkb.problems import Location, Problems
from cardkb.project import check_project
from cardkb.urls import UrlLayout, relative_href
from cardkb.wikilinks import find_wikilinks, mask_code
from cardkb.yaml_source import parse_yaml

from .conftest import BASE_FILES, write_files
from .test_errors import CASES


@pytest.mark.parametrize("name", list(CASES))
def test_the_core_reports_each_problem_class(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    write_files(tmp_path, {**BASE_FILES, **case.files})
    if case.remove:
        (tmp_path / case.remove).unlink()
    checked = check_project(tmp_path, Settings(), "content")
    assert not checked.ok
    assert any(str(p).startswith(case.expected) for p in checked.problems), \
        [str(p) for p in checked.problems]


def test_the_base_project_is_valid(tmp_path: Path) -> None:
    write_files(tmp_path, BASE_FILES)
    checked = check_project(tmp_path, Settings(), "content")
    assert [str(p) for p in checked.problems] == []
    kb = checked.knowledge_base
    assert [c.id for c in kb.cards["defend"].alternatives] == ["name-it", "ask-small"]
    assert [c.id for c in kb.cards["name-it"].replaces] == ["defend"]
    assert [p.id for p in kb.cards["ask-small"].patterns] == ["stuck", "risk"]


def _links(markdown: str) -> list[str]:
    return [link.raw for link in find_wikilinks(markdown)]


@pytest.mark.parametrize(("markdown", "expected"), [
    ("See [[a]] and [[b|text]].", ["[[a]]", "[[b|text]]"]),
    ("Inline `[[code]]` and ``a `[[x]]` b`` but [[real]]", ["[[real]]"]),
    ("```\n[[fenced]]\n```\n[[after]]", ["[[after]]"]),
    ("~~~~yaml\n[[fenced]]\n~~~\nstill code [[x]]\n~~~~\n[[after]]", ["[[after]]"]),
    ("Text\n\n    [[indented code]]\n\n[[after]]", ["[[after]]"]),
    ("- item\n\n    continued [[in the list]]\n", ["[[in the list]]"]),
    ("![[embed]]\n", ["![[embed]]"]),
    ("unclosed `tick [[link]]", ["[[link]]"]),
])
def test_wikilinks_are_found_outside_code_only(markdown: str, expected: list[str]) -> None:
    assert _links(markdown) == expected


def test_masking_keeps_offsets() -> None:
    text = "a `[[x]]` b\n```\n[[y]]\n```\n"
    assert len(mask_code(text)) == len(text)
    assert mask_code(text).count("\n") == text.count("\n")


def test_embed_alone_on_its_line() -> None:
    alone, inline = find_wikilinks("![[a]]\nsee ![[b]] here")
    assert alone.embed and alone.alone_on_line
    assert inline.embed and not inline.alone_on_line


@pytest.mark.parametrize(("from_url", "to_url", "href"), [
    ("cards/a/", "cards/b/", "../b/"),
    ("", "cards/b/", "cards/b/"),
    ("signs/", "patterns/p/", "../patterns/p/"),
    ("curricula/m.html", "cards/b/index.html", "../cards/b/index.html"),
    ("index.html", "cards/b/index.html", "cards/b/index.html"),
    ("cards/a/", "cards/a/", "./"),
    ("cards/a/", "", "../../"),
])
def test_relative_links(from_url: str, to_url: str, href: str) -> None:
    assert relative_href(from_url, to_url) == href


def test_layouts_for_server_and_disk() -> None:
    assert UrlLayout(True).url("card", "x") == "cards/x/"
    assert UrlLayout(False).url("card", "x") == "cards/x/index.html"
    assert UrlLayout(True).content_url("curricula/m.md") == "curricula/m/"
    assert UrlLayout(False).content_url("curricula/m.md") == "curricula/m.html"
    assert UrlLayout(True).content_url("index.md") == ""
    assert UrlLayout(False).content_url("curricula/index.md") == "curricula/index.html"
    assert UrlLayout(False).content_url("index.md") == "index.html"  # from disk, never a folder


def _parse(text: str) -> tuple[object, list[str]]:
    problems = Problems()
    document = parse_yaml(text, "f.yml", problems)
    return (document.data if document else None), [str(p) for p in problems]


def test_yaml_reads_values_and_positions() -> None:
    document = parse_yaml('a: 1\nb:\n  - "x"\n  - {c: no}\n', "f.yml", Problems())
    assert document is not None
    assert document.data == {"a": 1, "b": ["x", {"c": False}]}
    assert str(document.value_location(("b", 1, "c"))) == "f.yml:4:9"
    assert str(document.key_location(("b",))) == "f.yml:2:1"
    assert document.raw[("b", 1, "c")] == "no"


@pytest.mark.parametrize(("text", "problem"), [
    ("", "f.yml:1:1: the file is empty"),
    ("a: 1\n---\nb: 2\n", "f.yml:2:1: only one YAML document per file"),
    ("a:\n  b: 1\n  b: 2\n", "f.yml:3:3: duplicate key 'b' (first written on line 2)"),
    ("a: !!python/object:os.system x\n", "f.yml:1:4: YAML tags such as"),
    ("a: *nothing\n", "f.yml:1:4: YAML aliases (*nothing) are not allowed"),
    ("? [a, b]\n: c\n", "f.yml:1:3: a key must be a plain word"),
])
def test_yaml_refuses(text: str, problem: str) -> None:
    data, problems = _parse(text)
    assert data is None or problems
    assert any(p.startswith(problem) for p in problems), problems


def test_keys_that_yaml_would_read_as_booleans_stay_words() -> None:
    data, problems = _parse("no: 1\nyes: 2\n")
    assert data == {"no": 1, "yes": 2} and problems == []


@pytest.mark.parametrize(("setting", "message"), [
    ("show_drafts: 'yes'", "extra: cardkb: show_drafts must be true or false"),
    ("nav_max_patterns: many", "extra: cardkb: nav_max_patterns must be a whole number"),
    ("nav_max_patterns: true", "extra: cardkb: nav_max_patterns must be a whole number"),
    ("disclaimer: 3", "extra: cardkb: disclaimer must be text"),
    ("show_draft: true", "extra: cardkb: unknown setting 'show_draft' (did you mean "
                         "'show_drafts'?)"),
])
def test_settings_of_the_wrong_type_are_reported(setting: str, message: str) -> None:
    problems = Problems()
    Settings.from_mapping(yaml.safe_load(setting), problems, Location("mkdocs.yml"))
    assert [str(p) for p in problems.sorted()] == [f"mkdocs.yml:1:1: {message}"]
