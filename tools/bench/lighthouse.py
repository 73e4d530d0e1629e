"""The phone's half of ``make bench``: Lighthouse on the starter site and on a generated one.

Issue 24 asks that ``find/?q=…`` paint no more than twice as late on a 3,000-card site as on the
starter site, on a phone. Both sites are served by the real nginx configuration (deploy/nginx/:
login, headers, gzip, caching), started as the deployment test starts it (tests/browser/
test_nginx.py), and audited by Lighthouse as the Lighthouse test audits them (tests/browser/
auditors.py: its default mobile emulation, a mid-range phone on slow 4G, several runs of each
page in one Debian Chromium; the medians count, as a shared machine varies):

- the starter site, the repository's own cards in a normal ``mkdocs build``: one page of each
  kind the Lighthouse test audits;
- the generated cardkb site of the largest size, as the bench built it: the home page, a pattern,
  a card, ``find/`` and ``find/?q=`` with words of the synthetic text (browser.py's query).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "browser"))
from auditors import LIGHTHOUSE, NODE, THRESHOLDS, LighthouseRuns, audited_pages, lighthouse
from browser_kit import CHROMIUM, NGINX, build
from test_nginx import running_nginx

from .browser import QUERY
from .config import REPO
from .generate import KnowledgeBaseFiles

STARTER = "starter"
#: the kind of page whose paint the issue holds to the starter site's
FINDER_WITH_RESULTS = "finder, with results"
#: Lighthouse's categories, in the report's order, and the least median each must reach
CATEGORIES = tuple(THRESHOLDS)
TARGETS = ", ".join(f"{category} >= {least * 100:.0f}" for category, least in THRESHOLDS.items())


@dataclass(frozen=True)
class Audit:
    """One page of one site, and Lighthouse's runs of it."""

    site: str
    kind: str
    address: str
    runs: LighthouseRuns


@dataclass(frozen=True)
class LighthouseReading:
    """The audits of the starter site and of the generated site of ``cards`` cards."""

    cards: int
    audits: list[Audit]
    seconds: float

    @property
    def generated(self) -> str:
        return generated_site(self.cards)

    def find(self, site: str, kind: str) -> Audit | None:
        return next((a for a in self.audits if a.site == site and a.kind == kind), None)


def generated_site(cards: int) -> str:
    """The generated site's name in the report."""
    return f"{cards:,} cards"


def missing_tool() -> str | None:
    """Why Lighthouse cannot run here, or None when Node.js, Lighthouse, Chromium and nginx are
    all installed."""
    tools = {"Node.js": NODE, "Chromium": CHROMIUM, "nginx": NGINX}
    absent = [f"{name} ({path})" for name, path in tools.items()
              if not (os.access(path, os.X_OK) or shutil.which(Path(path).name))]
    if not LIGHTHOUSE.is_file():
        absent.append(f"Lighthouse ({LIGHTHOUSE.parent}; make tests/audit/node_modules/"
                      ".package-lock.json installs it)")
    return f"missing: {', '.join(absent)}" if absent else None


def generated_pages(kb: KnowledgeBaseFiles) -> dict[str, str]:
    """Kind of page -> its address on a generated site (kinds named as in page_types.py)."""
    pattern = kb.patterns[0]
    return {
        "home": "",
        "pattern": f"patterns/{pattern.id}/",
        "card": f"cards/{pattern.cards[0].id}/",
        "finder": "find/",
        FINDER_WITH_RESULTS: f"find/?q={quote(QUERY)}",
    }


def audit_site(name: str, site: Path, pages: dict[str, str], workdir: Path) -> list[Audit]:
    """Each page of ``site`` served by nginx at /kb/, audited by Lighthouse."""
    def new_prefix() -> Path:
        return Path(tempfile.mkdtemp(prefix="nginx-", dir=workdir))

    with running_nginx(NGINX, site, new_prefix) as server:
        base = server.logged_in_base
        found = lighthouse([base + address for address in pages.values()], chrome=CHROMIUM,
                           node=NODE)
    return [Audit(name, kind, address, found[base + address]) for kind, address in pages.items()]


def measure(root: Path, cards: int, cardkb_site: Path,
            kb: KnowledgeBaseFiles) -> LighthouseReading | str:
    """Lighthouse on the starter site (built into ``root``) and the generated site; or why not."""
    reason = missing_tool()
    if reason:
        return reason
    started = time.monotonic()
    starter = root / STARTER / "site"
    built = build(REPO, starter)
    if built.returncode != 0:
        return f"the starter site did not build: {(built.stderr or built.stdout).strip()}"
    workdir = root / "lighthouse"
    workdir.mkdir(exist_ok=True)
    try:
        audits = (audit_site(STARTER, starter, audited_pages(starter), workdir)
                  + audit_site(generated_site(cards), cardkb_site, generated_pages(kb), workdir))
    except RuntimeError as error:
        return str(error)
    return LighthouseReading(cards, audits, time.monotonic() - started)
