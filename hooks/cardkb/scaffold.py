"""Scaffold new pattern and card files that an editor can complete and check as you type.

Each file starts with a ``# yaml-language-server: $schema=`` line pointing at the JSON Schema, so
editors with the YAML language server (VS Code's YAML extension, Neovim, Helix...) offer the
fields, show their help on hover and underline mistakes before ``cardkb check`` runs. Every new
file is a draft and passes ``cardkb check`` as written: placeholder text never reaches the site,
and a new card never turns the preview red before the author has typed anything.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import jinja2

from .load import PATTERN_FILE, suggest_id
from .model import ID_PATTERN, MAX_ID_LENGTH
from .render import TEMPLATES


class ScaffoldError(Exception):
    """A scaffold that cannot be written, with a message for the author."""


def schema_path(kind: str) -> Path:
    return Path(str(resources.files(__package__).joinpath("schema", f"{kind}.json")))


def schema_reference(kind: str, file: Path, project_root: Path) -> str:
    """The schema as the file's modeline names it: relative inside the project, else absolute."""
    schema = schema_path(kind).resolve()
    if schema.is_relative_to(project_root.resolve()):
        return os.path.relpath(schema, file.parent.resolve()).replace(os.sep, "/")
    return schema.as_posix()


def new_pattern(root: Path, cards_dir: Path, pattern_id: str) -> Path:
    _check_id(pattern_id)
    folder = cards_dir / pattern_id
    if folder.exists() or folder.is_symlink():
        raise ScaffoldError(f"the pattern folder {folder.name} exists already")
    folder.mkdir(parents=True)
    return _write(root, folder / PATTERN_FILE, "pattern")


def new_card(root: Path, cards_dir: Path, pattern_id: str, card_id: str, verdict: str) -> Path:
    _check_id(pattern_id, "pattern id")
    _check_id(card_id)
    folder = cards_dir / pattern_id
    if folder.is_symlink() or folder.resolve().parent != cards_dir.resolve():
        raise ScaffoldError(f"the pattern folder {folder.name} is a symbolic link; new cards "
                            "are written only into a real folder inside the cards folder")
    if not (folder / PATTERN_FILE).is_file():
        raise ScaffoldError(f"there is no pattern '{pattern_id}' ({folder}/{PATTERN_FILE}); "
                            f"create it first with: cardkb new pattern {pattern_id}")
    taken = {p.stem for p in cards_dir.glob("*/*.y*ml")} | {p.name for p in cards_dir.iterdir()}
    if card_id in taken:
        raise ScaffoldError(f"the id '{card_id}' is taken already; ids of patterns and cards "
                            "must all be different")
    return _write(root, folder / f"{card_id}.yml", "card", verdict=verdict,
                  works_id=_a_card_that_works(folder))


_WORKS = re.compile(r"^verdict:\s*works\s*$", re.MULTILINE)


def _a_card_that_works(folder: Path) -> str:
    """An example for a new card's ``instead``: a card of the same pattern that works, if any."""
    for file in sorted(folder.glob("*.yml")):
        if file.name != PATTERN_FILE and _WORKS.search(file.read_text("utf-8", "replace")):
            return file.stem
    return "id-of-a-card-that-works"


def _check_id(id_: str, what: str = "id") -> None:
    if not ID_PATTERN.match(id_) or len(id_) > MAX_ID_LENGTH:
        raise ScaffoldError(f"'{id_}' is not a valid {what} (did you mean '{suggest_id(id_)}'?)")


def _write(root: Path, path: Path, kind: str, **context: str) -> Path:
    schema = schema_reference(kind, path, root)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True)
    text = env.get_template(f"new_{kind}.yml.j2").render(schema=schema, **context)
    try:
        with path.open("x", encoding="utf-8", newline="") as file:  # never over another file
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path.name} exists already; nothing was written") from None
    return path
