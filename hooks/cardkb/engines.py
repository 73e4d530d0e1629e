"""Which MkDocs-compatible engine runs cardkb's MkDocs side: MkDocs 1.x or ProperDocs.

ProperDocs is a maintained fork of MkDocs 1.x: the same configuration, plugins and theme API
under the module name ``properdocs``. Its command makes every ``mkdocs.*`` import load its own
module of the same name (``properdocs.replacement``), so the plugin and the preview, written
against ``mkdocs.*``, run on it unchanged. ``cardkb preview`` does the same before it imports
anything of MkDocs. This module imports neither engine until asked.
"""

from __future__ import annotations

import sys
from pathlib import Path

ENGINES = ("mkdocs", "properdocs")


class EngineError(Exception):
    """The engine asked for cannot be used, with a message for the author."""


def preview_engine(config_file: Path) -> str:
    """ProperDocs for a ``properdocs.yml`` (a site that chose it), else MkDocs."""
    return "properdocs" if config_file.name.startswith("properdocs.") else "mkdocs"


def use_properdocs() -> None:
    """From now on, ``mkdocs.*`` imports in this process load ProperDocs' modules. Only before
    MkDocs itself was imported: two engines' objects must never meet in one build."""
    if "mkdocs" in sys.modules and "properdocs" not in sys.modules:
        raise EngineError("MkDocs is loaded already; ProperDocs can only be chosen before it")
    try:
        import properdocs.replacement  # noqa: F401  (installs the redirection)
    except ImportError as error:
        raise EngineError("ProperDocs is not installed: pip install properdocs") from error
