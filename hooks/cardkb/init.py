"""``cardkb init DIR``: a new knowledge base that builds as it is.

The files come from ``starter/`` in the package: one example pattern with two cards, a home page,
an ``mkdocs.yml`` with ``plugins: - cardkb``, and a README and Makefile with the two commands a
practice needs. ``requirements.txt`` names the cardkb that ran the command (the same git
address, folder or version), so the new repository installs and upgrades that engine with pip.
"""

from __future__ import annotations

import json
import os
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path

from . import __version__

#: files whose name in the package differs from their name in a knowledge base (a leading dot
#: would keep them out of the package's data)
RENAMED = {"gitignore": ".gitignore"}


class InitError(Exception):
    """A knowledge base that cannot be created, with a message for the author."""


def init_knowledge_base(target: Path, engine: str | None = None) -> list[Path]:
    """Write a new knowledge base into ``target`` (new or empty); return the files written."""
    if target.is_symlink() and not target.exists():
        raise InitError(f"{target} is a symbolic link to {os.readlink(target)}, which does not "
                        "exist; name a new folder, or create that folder first")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"{target} already exists and is not an empty folder; "
                        "name a new folder")
    written: list[Path] = []
    requirement = engine or engine_requirement()
    for relative, source in _starter_files(resources.files(__package__).joinpath("starter")):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text("utf-8")
        if path.name == "requirements.txt":
            text = text.replace("{engine}", requirement)
        path.write_text(text, "utf-8")
        written.append(path)
    return written


def engine_requirement() -> str:
    """The pip requirement for the cardkb running now (see :func:`requirement_for`)."""
    try:
        direct_url = metadata.distribution("cardkb").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct_url = None
    return requirement_for(direct_url, __version__)


def requirement_for(direct_url: str | None, version: str) -> str:
    """Where cardkb was installed from (a git address, a folder or a file), as pip recorded it
    in ``direct_url.json``; else this version or newer by name. Never a pinned commit or
    version: ``pip install -U`` must be able to bring a newer engine."""
    info = json.loads(direct_url) if direct_url else {}
    url = info.get("url")
    if isinstance(url, str) and url:
        vcs = info.get("vcs_info") or {}
        if vcs.get("vcs") == "git":
            revision = vcs.get("requested_revision")  # a branch or tag, not the commit
            return f"cardkb @ git+{url}" + (f"@{revision}" if revision else "")
        return f"cardkb @ {url}"
    return f"cardkb>={version}"


def _starter_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    files: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        name = RENAMED.get(entry.name, entry.name) if not prefix else entry.name
        if entry.is_dir():
            files += _starter_files(entry, f"{prefix}{entry.name}/")
        else:
            files.append((prefix + name, entry))
    return files
