"""Fuzz the core with mutations of the shipped cards and pages (Hypothesis).

Each case takes one shipped file (a pattern, a card or a content page), breaks it in a few ways
an author, an editor or an attacker might (lines deleted, duplicated, re-indented or truncated;
values swapped for other YAML types and impossible dates; control characters, invalid UTF-8,
byte-order marks, anchors, deep nesting, stray brackets) and may add an odd file beside it (links
inside and outside the project, a dangling link, a named pipe, a folder named like a card). Then
``cardkb check`` runs in process, and the promise of the contract must hold: no traceback, exit
status 0 or 1, and every problem line ``path:line:col: message`` on one line, with a path that
exists, a line inside the file and a column inside the line.

``CARDKB_FUZZ_CASES`` sets the number of cases (default 2,000, about 30 s); ``make fuzz`` runs
a long one. A failure prints the smallest case Hypothesis found and how to replay it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkb.cli import main

from .conftest import REPO

CASES = int(os.environ.get("CARDKB_FUZZ_CASES", "2000"))
#: a case that takes longer than this is a hang
CASE_SECONDS = 10
LINE = re.compile(r"^(?P<path>[^\n:]+):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>[^\n]+)$")
SUMMARY = re.compile(r"^cardkb: (all cards are valid|\d+ problems? found|.*)$")

SHIPPED = sorted([*REPO.glob("cards/*/*.yml"), *REPO.glob("content/**/*.md")])
MKDOCS_YML = "site_name: Fuzz\ndocs_dir: content\nextra:\n  cardkb:\n    show_drafts: false\n"
OUTSIDE = REPO / "README.md"  # a file outside each fuzz project, which must never be read

OTHER_VALUES = ["no", "yes", "1984", "2026-01-10", "2026-02-30", "2026-13-01",
                "2026-01-10 10:00:00 +99:00", "0b_", "0x_", "1_000", "~", "null", "[]", "{}",
                "1.0", ".nan", "[1, 1.0]", "[{a: 1}, {a: 1.0}]", "&anchor x", "*anchor",
                "!!python/object/apply:os.system [x]", "!custom x", '"\\x07"', '"\\ud800"',
                "|", ">-", "'unclosed", '"unclosed', "[unclosed", "{a: 1", "- item", "? key",
                "x: y: z", "@at", "`tick", "%directive", "<<: {a: 1}", "=", "---", "...",
                "[[", "]]", "[[x", "[[[x]]]", "![[x]]", "[x](java&#115;cript:alert(1))"]
INSERTIONS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ufffe", "\ufeff", "\u2028", "\u202e",
              "\r", "\r\n", "\t", "\n", " ", ":", "- ", "#", "&a ", "*a", "[[", "]]", "[[[",
              "]]]", "|", "`", "```\n", "    ", "\\", '"', "'", "{", "[", "%", "!"]
BAD_BYTES = [b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x80"]
ODD_FILES = ["none", "fifo card", "fifo page", "folder card", "dangling link", "outside link",
             "outside folder link", "inside link", "loop link", "empty card", "card at top"]


@dataclass(frozen=True)
class Mutation:
    kind: str
    at: int
    value: str
    amount: int


def _mutation() -> st.SearchStrategy[Mutation]:
    kinds = st.sampled_from(["delete line", "duplicate line", "indent line", "dedent line",
                             "tab line", "truncate", "truncate line", "swap value", "insert",
                             "insert text", "nest", "anchor", "swap lines"])
    values = st.one_of(st.sampled_from(OTHER_VALUES), st.sampled_from(INSERTIONS),
                       st.text(max_size=12))
    return st.builds(Mutation, kinds, st.integers(0, 10_000), values, st.integers(1, 45))


def apply(text: str, mutation: Mutation) -> str:
    """The text with one mutation applied (positions wrap around the text's length)."""
    lines = text.split("\n")
    index = mutation.at % max(len(lines), 1)
    position = mutation.at % (len(text) + 1)
    line = lines[index]
    match mutation.kind:
        case "delete line":
            del lines[index]
        case "duplicate line":
            lines.insert(index, line)
        case "indent line":
            lines[index] = " " * (mutation.amount % 9) + line
        case "dedent line":
            lines[index] = line.lstrip()
        case "tab line":
            lines[index] = "\t" + line
        case "truncate":
            return text[:position]
        case "truncate line":
            lines[index] = line[: mutation.at % (len(line) + 1)]
        case "swap value":
            key, colon, _value = line.partition(": ")
            lines[index] = f"{key}: {mutation.value}" if colon else f"{line} {mutation.value}"
        case "insert" | "insert text":
            return text[:position] + mutation.value + text[position:]
        case "nest":
            depth = mutation.amount
            lines.insert(index, "tags: " + "[" * depth + "x" + "]" * depth)
        case "anchor":
            key, colon, value = line.partition(": ")
            if colon:
                lines[index] = f"{key}: &a {value}"
                lines.append(f"cautions: *a{mutation.value[:3]}")
        case "swap lines":
            other = (index + mutation.amount) % len(lines)
            lines[index], lines[other] = lines[other], line
    return "\n".join(lines)


@dataclass(frozen=True)
class Case:
    source: Path
    mutations: list[Mutation]
    bad_bytes: tuple[int, bytes] | None
    bom: bool
    odd_file: str


cases = st.builds(
    Case,
    st.sampled_from(SHIPPED),
    st.lists(_mutation(), min_size=1, max_size=4),
    st.one_of(st.none(), st.tuples(st.integers(0, 10_000), st.sampled_from(BAD_BYTES))),
    st.booleans(),
    st.sampled_from(ODD_FILES),
)


def write_case(root: Path, case: Case) -> None:
    """A small project: the mutated file, its pattern (for a card) and one page."""
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML, "utf-8")
    (root / "content/index.md").write_text("# Home\n", "utf-8")
    relative = case.source.relative_to(REPO)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if relative.parts[0] == "cards" and relative.name != "pattern.yml":
        shutil.copyfile(case.source.parent / "pattern.yml", target.parent / "pattern.yml")
    text = case.source.read_text("utf-8")
    for mutation in case.mutations:
        text = apply(text, mutation)
    data = text.encode("utf-8", errors="surrogatepass")
    if case.bad_bytes:
        at, bad = case.bad_bytes
        at %= len(data) + 1
        data = data[:at] + bad + data[at:]
    if case.bom:
        data = b"\xef\xbb\xbf" + data
    target.write_bytes(data)
    _odd_file(root, target.parent, case.odd_file)


def _odd_file(root: Path, folder: Path, kind: str) -> None:
    cards = folder if folder.parent.name == "cards" else root / "cards/odd"
    cards.mkdir(parents=True, exist_ok=True)
    match kind:
        case "fifo card":
            os.mkfifo(cards / "pipe.yml")
        case "fifo page":
            os.mkfifo(root / "content/pipe.md")
        case "folder card":
            (cards / "folder.yml").mkdir()
        case "dangling link":
            (cards / "gone.yml").symlink_to(root / "nowhere.yml")
        case "outside link":
            (cards / "outside.yml").symlink_to(OUTSIDE)
        case "outside folder link":
            (root / "cards/elsewhere").symlink_to(REPO / "cards/stuck-client")
        case "inside link":
            (root / "shared.yml").write_text("title: x\n", "utf-8")
            (cards / "inside.yml").symlink_to(root / "shared.yml")
        case "loop link":
            (cards / "loop.yml").symlink_to(cards / "loop.yml")
        case "empty card":
            (cards / "empty.yml").write_bytes(b"")
        case "card at top":
            (root / "cards/top.yml").write_text("title: x\n", "utf-8")


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail a case that runs too long (a hang) instead of stalling the whole suite."""
    def expire(number: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"the check ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_check(root: Path) -> tuple[int, list[str]]:
    """``cardkb check`` in process: its exit status and its output lines."""
    output = io.StringIO()
    with time_limit(CASE_SECONDS), contextlib.redirect_stdout(output):
        status = main(["-f", str(root / "mkdocs.yml"), "check"])
    return status, output.getvalue().splitlines()


def assert_problem_lines(root: Path, status: int, output: list[str]) -> None:
    assert status in (0, 1), (status, output)
    assert output and SUMMARY.match(output[-1]), output
    for line in output[:-1]:
        match = LINE.match(line)
        assert match, f"not one problem line: {line!r}"
        path = root / match["path"]
        assert os.path.lexists(path), f"no such path: {line!r}"
        number, column = int(match["line"]), int(match["col"])
        if path.is_dir() or path.is_symlink() or not path.is_file() or number == column == 1:
            assert (number, column) == (1, 1) or path.is_file(), line
            continue
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
        lines = text.split("\n")
        assert number <= len(lines), f"line {number} of a {len(lines)}-line file: {line!r}"
        assert column <= len(lines[number - 1]) + 1, \
            f"column {column} of a {len(lines[number - 1])}-character line: {line!r}"


def test_the_shipped_files_check_clean_on_their_own(tmp_path: Path) -> None:
    """Without mutations the fuzz projects are valid (bar links to the rest of the base)."""
    for source in SHIPPED[:8]:
        write_case(tmp_path / "p", Case(source, [], None, False, "none"))
        status, output = run_check(tmp_path / "p")
        assert_problem_lines(tmp_path / "p", status, output)
        assert not [line for line in output if "YAML" in line], output


@settings(max_examples=CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(case=cases)
def test_mutated_cards_and_pages_end_in_problem_lines(case: Case,
                                                      tmp_path_factory: pytest.TempPathFactory
                                                      ) -> None:
    root = _scratch(tmp_path_factory)
    write_case(root, case)
    status, output = run_check(root)
    assert_problem_lines(root, status, output)


_SCRATCH: list[Path] = []


def _scratch(factory: pytest.TempPathFactory) -> Path:
    """One folder for every case (each case empties it first): cheaper than a folder each."""
    if not _SCRATCH:
        _SCRATCH.append(factory.mktemp("fuzz") / "project")
    return _SCRATCH[0]
