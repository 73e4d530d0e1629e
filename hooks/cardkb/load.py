"""Stage 1, load: find the pattern folders and card files under ``cards/`` and read them.

The layout is part of the contract: a folder is a pattern (its name is the id) and must hold
``pattern.yml``; every other ``.yml``/``.yaml`` file in it is a card (its file stem is the id).
Anything that looks like content but would be ignored is reported rather than skipped silently,
and nothing is read that is not a regular file inside the project (see ``project_files``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .model import ID_PATTERN, MAX_ID_LENGTH
from .problems import Location, Problems
from .project_files import check_file, check_link
from .yaml_source import YamlDocument, read_yaml_file

YAML_SUFFIXES = (".yml", ".yaml")
PATTERN_FILE = "pattern.yml"
#: how one file is read and parsed (a live preview passes a cache's)
ReadFile = Callable[[Path, str, Problems], YamlDocument | None]


@dataclass(frozen=True)
class SourceFile:
    """One file of the knowledge base; ``document`` is None when it could not be parsed."""

    kind: Literal["pattern", "card"]
    id: str
    pattern_id: str
    document: YamlDocument | None


def suggest_id(name: str) -> str:
    """The nearest valid id to a name, for a "did you mean" ('Stuck Client' -> 'stuck-client')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:MAX_ID_LENGTH] or "my-id"


def check_id(name: str, location: Location, what: str, problems: Problems) -> bool:
    if ID_PATTERN.match(name) and len(name) <= MAX_ID_LENGTH:
        return True
    problems.error(location, f"'{name}' is not a valid {what} id: use lower-case letters and "
                   f"digits in words joined by single hyphens, at most {MAX_ID_LENGTH} characters "
                   f"(did you mean '{suggest_id(name)}'?)")
    return False


def load_cards(root: Path, cards_dir: str, problems: Problems,
               read: ReadFile = read_yaml_file) -> list[SourceFile]:
    """Read every pattern and card file under ``root/cards_dir``, in a stable order."""
    folder = root / cards_dir
    if not folder.is_dir():
        problems.error(Location(cards_dir), f"the cards folder '{cards_dir}' does not exist")
        return []
    if not check_link(folder, cards_dir, root, problems):
        return []
    sources: list[SourceFile] = []
    for entry in sorted(folder.iterdir()):
        rel = f"{cards_dir}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            if entry.suffix in YAML_SUFFIXES and check_link(entry, rel, root, problems):
                problems.error(Location(rel), "a card must be inside a pattern folder: move it "
                               f"to {cards_dir}/<pattern-id>/{entry.name}")
            continue
        if check_link(entry, rel, root, problems):
            sources.extend(_load_pattern_folder(root, entry, rel, problems, read))
    return sources


def _load_pattern_folder(root: Path, folder: Path, rel: str, problems: Problems,
                         read: ReadFile) -> list[SourceFile]:
    pattern_id = folder.name
    id_ok = check_id(pattern_id, Location(rel), "pattern", problems)
    sources: list[SourceFile] = []
    if not os.path.lexists(folder / PATTERN_FILE):
        hint = (" (rename pattern.yaml to pattern.yml)" if (folder / "pattern.yaml").is_file()
                else ": every pattern folder needs one, with its title, summary, signs and "
                "dynamics")
        problems.error(Location(rel), f"missing {PATTERN_FILE}{hint}")
        if id_ok:  # the pattern exists, broken: links to it are not reported a second time
            sources.append(SourceFile("pattern", pattern_id, pattern_id, None))
    for entry in sorted(folder.iterdir()):
        entry_rel = f"{rel}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if entry.suffix not in YAML_SUFFIXES and entry.is_dir():
            problems.error(Location(entry_rel), "folders inside a pattern folder are not read: "
                           f"move its cards up into {rel}/")
            continue
        if entry.suffix not in YAML_SUFFIXES or entry.name == "pattern.yaml":
            continue
        kind: Literal["pattern", "card"] = "pattern" if entry.name == PATTERN_FILE else "card"
        card_id = pattern_id if kind == "pattern" else entry.stem
        if kind == "card" and not check_id(card_id, Location(entry_rel), "card", problems):
            continue
        readable = check_file(entry, entry_rel, root, problems)
        document = read(entry, entry_rel, problems) if readable else None
        if id_ok:
            sources.append(SourceFile(kind, card_id, pattern_id, document))
    return sources
