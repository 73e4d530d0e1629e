"""The whole pipeline for one project: load, validate, link and check the content pages.

Both front ends (the MkDocs plugin and the ``cardkb`` command) call :func:`check_project`, so a
pre-commit check and a site build can never disagree about what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .content import check_content
from .link import link
from .lint import lint_identifiers
from .load import load_cards
from .model import KnowledgeBase
from .problems import Problems
from .read_cache import ReadCache
from .validate import validate


@dataclass
class CheckedProject:
    knowledge_base: KnowledgeBase
    problems: Problems

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def check_project(root: Path, settings: Settings, docs_dir: str | None,
                  problems: Problems | None = None, *,
                  cache: ReadCache | None = None) -> CheckedProject:
    """Run load → validate → link (and the content pages' links) for the project at ``root``;
    with a ``cache`` (a live preview's), only files changed since its last check are parsed."""
    problems = problems if problems is not None else Problems()
    if cache is None:
        sources = load_cards(root, settings.cards_dir, problems)
    else:
        cache.begin()
        sources = load_cards(root, settings.cards_dir, problems, cache.read)
        cache.finish()
    files = validate(sources, problems)
    kb = link(files, problems, show_drafts=settings.show_drafts)
    if settings.lint_identifiers:
        lint_identifiers(kb, problems)
    if docs_dir is not None:
        check_content(root, docs_dir, kb, problems)
    return CheckedProject(kb, problems)
