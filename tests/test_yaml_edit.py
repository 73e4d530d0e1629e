"""The editor's writer: a save changes only the text of the fields that changed.

A corpus of files written every way YAML allows (comments everywhere, every quote and block
style, flow lists, long lines, CRLF, a byte-order mark, no final line break, four-space lists,
values YAML would misread, non-ASCII text) meets every single-field edit: each must succeed,
read back as intended, keep every line outside the field and every comment.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkb.schemas import field_names
from cardkb.yaml_edit import (
    ConflictError,
    EditError,
    as_json,
    content_hash,
    edit_text,
    read_document,
    save_file,
)

CARD_FIELDS = field_names("card")

CORPUS: dict[str, str] = {
    "plain": """title: Make the lack of progress the topic
verdict: works
sign: The client says nothing has changed.
move: Name how frustrating it is.
wording:
  - It sounds exhausting.
  - Can we talk about that?
why: Validation lowers the need to prove it.
""",
    "comments everywhere": """# yaml-language-server: $schema=../../schema/card.json
# A card, with comments in every place YAML allows one.

title: "Make the lack of progress the topic"  # the short name
# before verdict
verdict: works # after verdict
sign: 'The client''s cue: nothing changed.'   # quoted with ''
move: |  # a literal block
  First line of the move.

  Second paragraph, with a [[link]] and a # that is text.
# between move and wording
wording:  # the lines
  # inside the list, before the first item
  - "It sounds exhausting."  # first
  # between items
  - Can we talk about that?
  # after the last item
why: >
  Folded text that runs
  over two lines.
# before tags
tags: [stuckness, alliance]  # flow list
review: {by: "cardkb editorial team", date: 2026-11-21}  # flow mapping
# the very end
""",
    "crlf": ("title: Windows line endings\r\nverdict: works\r\nsign: A cue.\r\nmove: |\r\n"
             "  Line one.\r\n  Line two.\r\nwording:\r\n  - One.\r\n  - Two.\r\nwhy: Because.\r\n"),
    "bom and no final newline": "\ufefftitle: With a BOM\nverdict: works\nsign: A cue.\n"
                                "move: Do it.\nwording:\n  - One.\nwhy: Because.",
    "four-space lists": """title: Four spaces
verdict: backfires
sign: A cue.
move: Do it.
wording:
    - One.
    - Two.
why: Because.
instead:
    - name-it
sources:
    - "A source, 2020."
review:
    by: me
    date: 2026-01-02
    due: 2027-01-02
""",
    "indentless lists": """title: Lists at the key's column
verdict: backfires
sign: A cue.
move: Do it.
wording:
- One.
- Two.
why: Because.
instead:
- name-it
""",
    "misread values": """title: 'no'
verdict: works
sign: "1984"
move: "2026-01-01"
wording:
  - 'yes'
  - "null"
  - '3.14'
why: "~"
""",
    "non-ascii and long lines": """title: Übertragung – ein Zeichen für „Stillstand“
verdict: works
sign: >-
  Der Klient sagt am Ende der Stunde, dass sich nichts ändert, und das sehr lange, so lange \
dass die Zeile weit über achtzig Zeichen hinausgeht, ohne Umbruch.
move: "Nommer l’impasse : « rien ne bouge »."
wording:
  - 「何も変わらない」と感じているのですね。
  - "Emoji stay too: 🙂"
why: |+
  Kept trailing lines.

""",
    "block styles": """title: Block styles
verdict: works
sign: plain text
  that continues on a second line
move: |-
  Strip chomping.
wording:
  - |
    A wording line written as a block.
  - >-
    A folded wording line.
why: >+
  Keep chomping, folded.

cautions: |2
    Indented first line with an indentation indicator.
""",
    "signs as mappings": """title: A pattern
summary: One line.
signs:
  - text: Something the client says.
    seen_in: client  # where
  - Just a text sign.
  - {text: "A flow sign", seen_in: therapist}
dynamics: |
  What goes on.
""",
}
PATTERNS = {"signs as mappings"}

#: values for a text field: each must be written so that it reads back as itself
HOSTILE_TEXTS = [
    "no", "yes", "on", "null", "~", "1984", "0x1F", "3.14", "2026-01-01", "2026-02-30",
    "a: b", "a #b", "#start", "- item", "[a, b]", "{a: b}", "* star", "& anchor", "! tag",
    "|", ">", "'single'", '"double"', "it's", " leading space", "trailing space ",
    "tab\there", "@at", "`tick`", "%percent", "line one\nline two", "ends with newline\n",
    "two\n\nparagraphs\n", "\nstarts with a newline", "  indented\nfirst line",
    "x" * 300, "Übergang „Zitat“ 🙂", "back\\slash", "bell\x07", "---", "...", "?", "key:",
]


def data_of(text: str) -> dict[str, Any]:
    _, document = read_document(text.encode("utf-8"), "x.yml")
    data: dict[str, Any] = as_json(document.data)
    return data


def field_lines(text: str, name: str) -> tuple[int, int]:
    """The first and last line (0-based) of a top-level field: its key's line to the line
    before the next top-level key (comments and blank lines before that key excluded)."""
    lines = text.replace("\ufeff", "").split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(rf"{re.escape(name)}\s*:", line))
    end = start
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if re.match(r"[A-Za-z_][\w-]*\s*:", line):
            break
        if line.strip() and (not line.lstrip().startswith("#") or line.startswith(" ")):
            end = index  # a value's line, or a comment indented inside the value
    return start, end


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def check_single_field_edit(original: str, name: str, new_value: Any) -> str:
    """Edit one top-level field; assert it reads back, and that only its lines changed."""
    data = data_of(original)
    intended = copy.deepcopy(data)
    if new_value is None:
        intended.pop(name)
    else:
        intended[name] = new_value
    written = edit_text(original.encode("utf-8"), intended, "x.yml", CARD_FIELDS)
    new_text = written.decode("utf-8")
    assert data_of(new_text) == intended
    assert new_text.startswith("\ufeff") == original.startswith("\ufeff")
    assert new_text.endswith("\n") == original.endswith("\n") or name not in data
    if "\r\n" in original:
        assert "\n" not in new_text.replace("\r\n", "")
    if name in data:
        first, last = field_lines(original, name)
        old_lines = original.removeprefix("\ufeff").split("\n")
        new_lines = new_text.removeprefix("\ufeff").split("\n")
        assert new_lines[:first] == old_lines[:first]
        tail = len(old_lines) - last - 1
        assert tail == 0 or new_lines[-tail:] == old_lines[-tail:]
        kept = [c for c in comments("\n".join(old_lines[:first] + old_lines[last + 1:]))]
        assert all(comment in comments(new_text) for comment in kept)
    return new_text


def edits_for(value: Any) -> list[Any]:
    """Every kind of edit a form makes to a field holding ``value``."""
    if isinstance(value, list):
        first = value[0]
        changed: Any = dict(first, text="Changed: #1") if isinstance(first, dict) else \
            "Changed: #1"
        added: Any = {"text": "A new one", "seen_in": "client"} if isinstance(first, dict) \
            else "A new line: with 'quotes'"
        return [[changed, *value[1:]], [*value, added], [added, *value], value[:-1] or None,
                [*value[:1], added, *value[1:]], list(reversed(value))]
    if isinstance(value, dict):
        return [{**value, "by": "someone: else"}, {**value, "due": "2030-01-01"},
                {key: item for key, item in list(value.items())[:-1]} or None]
    return [*HOSTILE_TEXTS[:12], "line one\nline two\n", None]


CASES = [(name, field) for name, text in CORPUS.items() for field in data_of(text)]


@pytest.mark.parametrize(("corpus", "name"), CASES, ids=[f"{c}-{f}" for c, f in CASES])
def test_every_single_field_edit_succeeds_and_touches_only_its_lines(corpus: str,
                                                                      name: str) -> None:
    original = CORPUS[corpus]
    for new_value in edits_for(data_of(original)[name]):
        check_single_field_edit(original, name, new_value)


@pytest.mark.parametrize("value", HOSTILE_TEXTS)
@pytest.mark.parametrize("corpus", sorted(set(CORPUS) - PATTERNS))
def test_values_yaml_would_misread_are_written_to_read_back(corpus: str, value: str) -> None:
    for name in ("title", "why", "wording"):
        check_single_field_edit(CORPUS[corpus], name, [value] if name == "wording" else value)


@pytest.mark.parametrize("corpus", sorted(CORPUS))
def test_a_new_field_goes_in_the_schemas_place(corpus: str) -> None:
    original = CORPUS[corpus]
    data = data_of(original)
    for name, value in (("cautions", "Not while: in crisis #1"), ("tags", ["a-tag"]),
                        ("review", {"by": "me", "date": "2026-01-01"}),
                        ("related", ["x", {"id": "y", "why": "Because: z"}])):
        if name not in data:
            new_text = check_single_field_edit(original, name, value)
            assert set(original.splitlines()) <= set(new_text.splitlines())


@pytest.mark.parametrize("corpus", sorted(CORPUS))
def test_an_unchanged_form_gives_the_same_bytes(corpus: str) -> None:
    original = CORPUS[corpus].encode("utf-8")
    data = data_of(CORPUS[corpus])
    assert edit_text(original, data, "x.yml", CARD_FIELDS) is original


def test_an_unchanged_save_leaves_the_file_and_its_time(tmp_path: Path) -> None:
    file = tmp_path / "card.yml"
    file.write_bytes(CORPUS["comments everywhere"].encode("utf-8"))
    os.utime(file, ns=(1_000_000_000, 1_000_000_000))
    before = file.read_bytes()
    assert not save_file(file, data_of(before.decode()), content_hash(before), "card.yml")
    assert file.read_bytes() == before
    assert file.stat().st_mtime_ns == 1_000_000_000


def test_a_save_writes_only_the_change(tmp_path: Path) -> None:
    file = tmp_path / "card.yml"
    original = CORPUS["comments everywhere"]
    file.write_bytes(original.encode("utf-8"))
    data = data_of(original)
    data["verdict"] = "backfires"
    data["instead"] = ["name-it"]
    assert save_file(file, data, content_hash(original.encode()), "card.yml", CARD_FIELDS)
    new = file.read_text("utf-8")
    assert "verdict: backfires # after verdict" in new
    assert comments(new) == comments(original)
    assert len(new.splitlines()) == len(original.splitlines()) + 2
    assert list(tmp_path.iterdir()) == [file]  # no temporary file left behind


def test_a_conflict_leaves_the_file_untouched(tmp_path: Path) -> None:
    file = tmp_path / "card.yml"
    file.write_text(CORPUS["plain"], "utf-8")
    opened = content_hash(file.read_bytes())
    file.write_text(CORPUS["plain"].replace("It sounds exhausting.", "A colleague's edit."))
    colleagues = file.read_bytes()
    data = data_of(CORPUS["plain"])
    data["title"] = "Mine"
    with pytest.raises(ConflictError, match="changed on disk"):
        save_file(file, data, opened, "card.yml")
    assert file.read_bytes() == colleagues


def test_a_failed_write_leaves_the_file_intact(tmp_path: Path) -> None:
    folder = tmp_path / "pattern"
    folder.mkdir()
    file = folder / "card.yml"
    file.write_text(CORPUS["plain"], "utf-8")
    before = file.read_bytes()
    data = data_of(CORPUS["plain"])
    data["title"] = "Mine"
    folder.chmod(0o500)  # no new file can be made beside it
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who may write anywhere")
        with pytest.raises(OSError):
            save_file(file, data, content_hash(before), "card.yml")
    finally:
        folder.chmod(0o700)
    assert file.read_bytes() == before
    assert list(folder.iterdir()) == [file]


def test_a_write_that_fails_at_the_last_step_leaves_the_file_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "card.yml"
    file.write_text(CORPUS["plain"], "utf-8")
    before = file.read_bytes()
    data = data_of(CORPUS["plain"])
    data["title"] = "Mine"

    def disk_full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cardkb.yaml_edit.os.replace", disk_full)
    with pytest.raises(OSError):
        save_file(file, data, content_hash(before), "card.yml")
    assert file.read_bytes() == before
    assert list(tmp_path.iterdir()) == [file]


def test_a_file_that_does_not_parse_is_refused() -> None:
    with pytest.raises(EditError, match="text editor"):
        edit_text(b"title: 'open\nverdict: works\n", {"title": "x"}, "x.yml")


TRICKY = st.text(alphabet=st.sampled_from(list("ab :#'\"\n-\\{}[],|>&*!%@`?é🙂\t")),
                 min_size=1, max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=st.sampled_from(sorted(set(CORPUS) - PATTERNS)),
       name=st.sampled_from(["title", "sign", "move", "why"]), value=TRICKY)
def test_any_text_changes_only_its_field(corpus: str, name: str, value: str) -> None:
    check_single_field_edit(CORPUS[corpus], name, value)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=st.sampled_from(sorted(set(CORPUS) - PATTERNS)),
       lines=st.lists(TRICKY, min_size=1, max_size=4))
def test_any_wording_lines_change_only_the_wording(corpus: str, lines: list[str]) -> None:
    check_single_field_edit(CORPUS[corpus], "wording", lines)


REPOSITORY_CARDS = sorted((Path(__file__).resolve().parent.parent / "cards").glob("*/*.yml"))


@pytest.mark.parametrize("file", REPOSITORY_CARDS,
                         ids=[f"{f.parent.name}/{f.name}" for f in REPOSITORY_CARDS])
def test_every_file_of_the_knowledge_base_takes_every_kind_of_edit(file: Path) -> None:
    """The real corpus: each field of each card and pattern changed, cleared and added."""
    original = file.read_text("utf-8")
    data = data_of(original)
    for name, value in data.items():
        for new_value in edits_for(value)[:2] + [None]:
            check_single_field_edit(original, name, new_value)
    for name, value in (("cautions", "Not while: in crisis #1"), ("tags", ["a-tag"])):
        if name not in data:
            check_single_field_edit(original, name, value)
