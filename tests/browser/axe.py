"""axe-core in the browser tests: the accessibility rules a page must pass, as one helper.

axe-core comes from npm into ``tests/browser/node_modules`` (``make test`` runs ``npm ci``; the
version is pinned in package.json and its lock). It is injected into a page Playwright has
opened, and run there; nothing is loaded from anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
#: the impacts a page must never have
BLOCKING = ("serious", "critical")
#: parts of pages left out of the check: none (Material's search dialog, once excluded, has left
#: the pages: the finder's header box replaces it and is checked with every page)
NOT_CHECKED_HERE: tuple[str, ...] = ()


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help}, at {', '.join(self.targets[:5])}"


def axe_violations(page: Any, script: str, *, impacts: tuple[str, ...] = BLOCKING,
                   exclude: tuple[str, ...] = NOT_CHECKED_HERE) -> list[Violation]:
    """The violations of ``impacts`` on the page as it is now (run after it has settled)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=script)
    found = page.evaluate("""async (exclude) => {
        const context = {exclude: exclude.map((selector) => [selector])};
        const result = await axe.run(context, {resultTypes: ["violations"]});
        return result.violations.map((v) => ({
            rule: v.id, impact: v.impact || "", help: v.help,
            targets: v.nodes.map((node) => node.target.join(" "))}));
    }""", list(exclude))
    return [Violation(**item) for item in found if item["impact"] in impacts]
