"""The configuration ``cardkb init`` writes keeps step with this repository's own.

``hooks/cardkb/starter/mkdocs.yml`` is what a practice starts from; this repository's
``mkdocs.yml`` is where the theme's features and the plugins are tried and tested. A feature or
plugin added here (privacy, offline, a navigation feature) and forgotten there would leave every
new knowledge base without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .conftest import REPO

STARTER = REPO / "hooks" / "cardkb" / "starter" / "mkdocs.yml"


class _Loader(yaml.SafeLoader):
    """Reads ``!ENV`` values (MkDocs' tag) as their plain form."""


_Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)
                        if isinstance(node, yaml.SequenceNode) else loader.construct_scalar(node))


def config(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text("utf-8"), Loader=_Loader)
    return data


def test_the_starter_has_the_repositorys_theme_plugins_and_settings() -> None:
    ours, starter = config(REPO / "mkdocs.yml"), config(STARTER)
    # this repository's own: its overrides folder (the package carries them for a practice)
    ours_theme = {k: v for k, v in ours["theme"].items() if k != "custom_dir"}
    assert starter["theme"] == ours_theme
    assert starter["plugins"] == ours["plugins"]
    assert starter["extra"]["scope"] == ours["extra"]["scope"]
    assert set(starter["extra"]["cardkb"]) == set(ours["extra"]["cardkb"])
    # every extension the starter needs is one this repository builds with
    names = [e if isinstance(e, str) else next(iter(e)) for e in starter["markdown_extensions"]]
    ours_names = [e if isinstance(e, str) else next(iter(e)) for e in ours["markdown_extensions"]]
    assert set(names) <= set(ours_names)
