"""Lighthouse on a phone: one page of each kind, behind the real nginx configuration with gzip.

Lighthouse (from npm, pinned in tests/audit/) runs on Debian's Chromium with its default mobile
emulation (a mid-range phone on slow 4G, simulated), three runs of each page in one browser,
each from a cold cache. Scores vary on a shared machine, so each category is judged on the
median of the three: accessibility, best practices and SEO at least 95, performance at least 90.
The server is the one test_nginx.py starts from deploy/nginx/ (login, headers, gzip, caching).
The login is in the addresses Lighthouse opens (``http://user:password@host/``): Chromium then
answers the server's challenge for every request of the site, Lighthouse's own fetches included
(with the login sent only as a header, those were refused and each run waited minutes on them).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from auditors import LIGHTHOUSE, RUNS, THRESHOLDS, audited_pages, lighthouse
from browser_kit import CHROMIUM
from test_nginx import Server, nginx, site_snippet

from conftest import missing, require_executable

__all__ = ["nginx", "site_snippet"]


@pytest.fixture(scope="module")
def node() -> str:
    executable = require_executable("/usr/bin/node", "Node.js for Lighthouse")
    if not LIGHTHOUSE.is_file():
        missing("Lighthouse", f"{LIGHTHOUSE} not found; run `make test`, which installs "
                "tests/audit/ with npm")
    return executable


#: the finder's pages, where the meaning half of the ranking arrives after the page: what is
#: painted first must stay where it is (the issue's layout shift at most 0.1)
FINDER_KINDS = ("finder", "finder, with results")
MAX_LAYOUT_SHIFT = 0.1


def test_every_kind_of_page_scores_well_on_a_phone(nginx: Server, web_site: Path,
                                                   node: str) -> None:
    chrome = require_executable(CHROMIUM, "Chromium for Lighthouse")
    pages = audited_pages(web_site)
    assert {"home", "pattern", "finder", "finder, with results"} <= set(pages), pages
    base = nginx.logged_in_base
    started = time.monotonic()
    found = lighthouse([base + address for address in pages.values()], chrome=chrome, node=node)
    seconds = time.monotonic() - started
    report, problems = [], []
    for kind, address in pages.items():
        runs = found[base + address]
        assert len(runs.scores) == RUNS, (kind, runs)
        assert not runs.errors, f"{kind}: Lighthouse could not audit the page: {runs.errors}"
        medians = {c: runs.median_score(c) for c in THRESHOLDS}
        lcp, cls = runs.median_metric("lcp_ms"), runs.median_metric("cls")
        report.append(f"{kind}: {medians}, LCP {lcp:.0f} ms, CLS {cls:.3f}")
        problems += [f"{kind} ({address}): {shortfall}" for shortfall in runs.shortfalls()]
        if kind in FINDER_KINDS and (cls is None or cls > MAX_LAYOUT_SHIFT):
            problems.append(f"{kind} ({address}): layout shift {cls} > {MAX_LAYOUT_SHIFT}")
    print(f"Lighthouse, median of {RUNS} runs ({seconds:.0f} s):\n" + "\n".join(report))
    assert not problems, "\n".join(problems + ["", *report])
