"""How soon the live preview shows an author's edit, against a full build (issue 15, item 1).

An author saves a card and looks at the browser. This starts a preview command on a free loopback
port in the generated cardkb project, waits until it serves, then saves edits the way an editor
does (the file rewritten in place) and polls the edited card's page until the served HTML holds
the new text: a few edits of a card's ``move``, each on a different card, and one of a card's
``sign`` (its cue), which the sign finder page lists too, so that edit counts once both pages show
it. Meanwhile another thread asks again and again for a page the edit does not touch: the
longest of those requests is how long the preview holds a reader while it rebuilds (MkDocs'
own server holds every request until the whole site is rebuilt).

The command is a template with ``{port}``: :data:`PREVIEW_COMMAND`, or ``--preview-command``
(``mkdocs``, ``cardkb`` or a whole command line).
"""

from __future__ import annotations

import contextlib
import secrets
import shlex
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import dump_yaml
from .generate import CardFile, KnowledgeBaseFiles, card_path
from .measure import BIN, bench_env

#: what ``make serve`` runs today: every save rebuilds the whole site
MKDOCS_SERVE = "mkdocs serve --dev-addr 127.0.0.1:{port}"
#: cardkb's own preview server (issue 15, item 1), with the same flag
CARDKB_PREVIEW = "cardkb preview --dev-addr 127.0.0.1:{port}"
#: the preview measured by default; ``--preview-command`` chooses another for one run
PREVIEW_COMMAND = CARDKB_PREVIEW
PREVIEW_COMMANDS = {"mkdocs": MKDOCS_SERVE, "cardkb": CARDKB_PREVIEW}

MOVE_EDITS = 3
#: at 3,000 cards on a busy machine MkDocs' first build and each rebuild take minutes
START_TIMEOUT_S = 1200.0
EDIT_TIMEOUT_S = 900.0
POLL_S = 0.02
REQUEST_TIMEOUT_S = 900.0


class PreviewError(Exception):
    """The preview did not start, stopped, or never showed an edit."""


@dataclass(frozen=True)
class Edit:
    card: str
    field: str  # "move" or "sign"
    seconds: float  # from the save to the last affected page served with the new text
    held_max_s: float  # the longest request for an unaffected page meanwhile


@dataclass(frozen=True)
class PreviewReading:
    command: str
    start_s: float  # from starting the command to its first page
    edits: list[Edit]

    @property
    def move_median_s(self) -> float:
        return statistics.median(e.seconds for e in self.edits if e.field == "move")

    @property
    def cue_s(self) -> float:
        return max(e.seconds for e in self.edits if e.field == "sign")

    @property
    def held_max_s(self) -> float:
        return max(e.held_max_s for e in self.edits)

    def ratio(self, full_build_s: float) -> float:
        """The slower of the median move edit and the cue edit, over a full build."""
        return max(self.move_median_s, self.cue_s) / full_build_s


def resolve_command(choice: str) -> str:
    """A name of :data:`PREVIEW_COMMANDS`, or a command line that contains ``{port}``."""
    template = PREVIEW_COMMANDS.get(choice, choice)
    if "{port}" not in template:
        raise ValueError(f"the preview command must contain {{port}}: {choice!r}")
    return template


def command_line(template: str, port: int) -> list[str]:
    """The command's words, its program taken from this virtual environment when it is there."""
    words = shlex.split(template.format(port=port))
    if (BIN / words[0]).exists():
        words[0] = str(BIN / words[0])
    return words


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> str:
    """The page's HTML; empty when the server answers with an error or not at all."""
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as response:
            body: bytes = response.read()
            return body.decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


class Preview:
    """A running preview command, its output in a log file."""

    def __init__(self, template: str, root: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log = root / "preview.log"
        self.command = command_line(template, self.port)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(self.command, cwd=root, stdout=out,
                                            stderr=subprocess.STDOUT, env=bench_env())

    def wait_until_serving(self, timeout_s: float) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout_s:
            if self.process.poll() is not None:
                raise PreviewError(f"{shlex.join(self.command)} stopped "
                                   f"({self.process.returncode}):\n{self.log_tail()}")
            if fetch(self.base):
                return time.perf_counter() - start
            time.sleep(0.2)
        raise PreviewError(f"{shlex.join(self.command)} served nothing in {timeout_s:.0f} s")

    def log_tail(self) -> str:
        return self.log.read_text("utf-8", "replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def running(template: str, root: Path) -> Iterator[Preview]:
    preview = Preview(template, root)
    try:
        yield preview
    finally:
        preview.stop()


class UnaffectedRequests:
    """A reader on a page the edit does not touch: each request's seconds, until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seconds: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            fetch(self.url)
            self.seconds.append(time.perf_counter() - start)
            self._stop.wait(POLL_S)

    def __enter__(self) -> UnaffectedRequests:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def edit_card(cards_dir: Path, card: CardFile, field: str, word: str) -> None:
    """Save the card with ``word`` in ``field`` (its move or its cue), as an editor saves it."""
    path = card_path(cards_dir, card)
    fields = yaml.safe_load(path.read_text("utf-8"))
    if field == "move":
        fields["move"] = fields["move"].rstrip("\n") + f"\n\nEdited in the preview: {word}.\n"
    else:
        fields["sign"] = fields["sign"].rstrip(".") + f", {word}."
    dump_yaml(fields, path)


def wait_for_word(urls: list[str], word: str, saved: float, timeout_s: float) -> float:
    """Seconds from ``saved`` until every page in ``urls`` is served holding ``word``."""
    pending = list(urls)
    while pending:
        if time.perf_counter() - saved > timeout_s:
            raise PreviewError(f"{', '.join(pending)} did not show the edit in {timeout_s:.0f} s")
        pending = [url for url in pending if word not in fetch(url)]
        if pending:
            time.sleep(POLL_S)
    return time.perf_counter() - saved


def chosen_cards(kb: KnowledgeBaseFiles, count: int) -> list[CardFile]:
    """``count`` different cards spread over the knowledge base (different patterns when it has
    enough of them)."""
    cards = list(kb.cards)
    step = max(1, len(cards) // count)
    chosen = cards[::step][:count]
    if len(chosen) < count:
        raise PreviewError(f"the knowledge base has fewer than {count} cards")
    return chosen


def unaffected_page(kb: KnowledgeBaseFiles, edited: list[CardFile]) -> str:
    """A pattern page none of the edited cards appears on; else the home page."""
    touched = {c.pattern for c in edited} | {p for c in edited
                                             for p in c.fields.get("also_in", [])}
    return next((f"patterns/{p.id}/" for p in reversed(kb.patterns) if p.id not in touched), "")


def measure_preview(config: Path, kb: KnowledgeBaseFiles, template: str,
                    move_edits: int = MOVE_EDITS, start_timeout_s: float = START_TIMEOUT_S,
                    edit_timeout_s: float = EDIT_TIMEOUT_S) -> PreviewReading:
    """Start the preview in the project of ``config``, time each edit, stop it, and put the
    edited card files back as they were."""
    root = config.parent
    cards_dir = root / "cards"
    cards = chosen_cards(kb, move_edits + 1)
    fields = ["move"] * move_edits + ["sign"]
    originals = {card.id: card_path(cards_dir, card).read_bytes() for card in cards}
    run_tag = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))
    edits: list[Edit] = []
    try:
        with running(template, root) as preview:
            start_s = preview.wait_until_serving(start_timeout_s)
            unaffected = preview.base + unaffected_page(kb, cards)
            for number, (card, field) in enumerate(zip(cards, fields, strict=True)):
                word = f"quokka{run_tag}{'abcdefghij'[number]}"
                pages = [f"{preview.base}cards/{card.id}/"]
                if field == "sign":
                    pages.append(f"{preview.base}signs/")
                with UnaffectedRequests(unaffected) as reader:
                    edit_card(cards_dir, card, field, word)
                    seconds = wait_for_word(pages, word, time.perf_counter(), edit_timeout_s)
                edits.append(Edit(card.id, field, seconds, max(reader.seconds, default=0.0)))
                print(f"    preview: {field} of {card.id} shown after {seconds:.2f} s; a page it "
                      f"does not touch took up to {edits[-1].held_max_s:.2f} s", flush=True)
            if preview.process.poll() is not None:
                raise PreviewError(f"the preview stopped:\n{preview.log_tail()}")
    finally:
        for card in cards:
            card_path(cards_dir, card).write_bytes(originals[card.id])
    return PreviewReading(template, start_s, edits)
