"""The outside auditors a practice's web team runs on the site: Lighthouse and the Nu Html Checker.

Both come from npm into ``tests/audit/node_modules`` (``make test`` runs ``npm ci`` there, without
install scripts: vnu-jar's would download a Java of its own), pinned in tests/audit/package.json
and its lock. Lighthouse runs on Debian's Chromium (``CHROME_PATH``), the Nu Html Checker on
Debian's Java (``default-jre-headless``, tools/system-packages.sh). Used by test_lighthouse.py,
test_nu_html_checker.py and ``make bench`` (tools/bench/).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from page_types import PAGE_TYPES

AUDIT = Path(__file__).resolve().parents[1] / "audit"
NODE_MODULES = AUDIT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE_RUNS = AUDIT / "lighthouse-runs.mjs"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "package.json"
JAVA = "/usr/bin/java"
NODE = "/usr/bin/node"

#: Lighthouse's categories, and the least median score each must reach on every kind of page
THRESHOLDS: Mapping[str, float] = {
    "performance": 0.90,
    "accessibility": 0.95,
    "best-practices": 0.95,
    "seo": 0.95,
}
#: runs of each page; scores are judged on their median (a shared machine varies)
RUNS = 3

#: the kinds of page Lighthouse audits, keys of PAGE_TYPES (a new kind: add its key here; a
#: kind whose page the build does not have, such as a practice page before it lands, is left out)
AUDITED_KINDS = (
    "home",
    "pattern",
    "card that works",
    "sign finder",
    "finder",
    "finder, with results",
    "curriculum",
    "practice",
)


def audited_pages(site: Path) -> dict[str, str]:
    """Kind of page -> its address under the site, for each audited kind the build has."""
    pages = {}
    for kind in AUDITED_KINDS:
        address = PAGE_TYPES.get(kind)
        if address is not None and (site / address.split("?")[0] / "index.html").is_file():
            pages[kind] = address
    return pages


# -- the Nu Html Checker --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckerMessage:
    """One message of the Nu Html Checker, where it was found."""

    page: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.kind}: {self.text}"


def nu_html_checker(*roots: Path, java: str = JAVA) -> list[CheckerMessage]:
    """The errors the Nu Html Checker reports on every HTML page under ``roots`` (folders or
    files), in one run of it: all of them, none filtered (``--errors-only`` leaves out its
    warnings and information, not errors)."""
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json",
         "--exit-zero-always", "--stdout", *map(str, roots)],
        capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"the Nu Html Checker did not run: {result.stderr.strip()}")
    messages = []
    for message in json.loads(result.stdout)["messages"]:
        page = url = str(message.get("url", ""))
        for root in roots:
            prefix = root.as_uri().removeprefix("file://")
            if url.removeprefix("file:").startswith(prefix):
                page = url.removeprefix("file:").removeprefix(prefix).lstrip("/") or root.name
        messages.append(CheckerMessage(page, int(message.get("lastLine", 0)),
                                       str(message.get("type")), str(message.get("message"))))
    return messages


# -- Lighthouse ------------------------------------------------------------------------------------


@dataclass
class LighthouseRuns:
    """The runs of one page: each run's category scores, metrics and failed audits."""

    url: str
    scores: list[dict[str, float | None]] = field(default_factory=list)
    metrics: list[dict[str, float | None]] = field(default_factory=list)
    failing: list[list[str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def median_score(self, category: str) -> float | None:
        values = [s.get(category) for s in self.scores]
        present = [v for v in values if v is not None]
        return statistics.median(present) if present and len(present) == len(values) else None

    def median_metric(self, metric: str) -> float | None:
        values = [m.get(metric) for m in self.metrics]
        present = [v for v in values if v is not None]
        return statistics.median(present) if present else None

    def shortfalls(self, thresholds: Mapping[str, float] = THRESHOLDS) -> list[str]:
        """Each category whose median is under its threshold, with what held it down."""
        found = []
        for category, least in thresholds.items():
            median = self.median_score(category)
            if median is None or median < least:
                audits = sorted({a for run in self.failing for a in run})
                found.append(f"{category} {median} < {least} (runs: "
                             f"{[s.get(category) for s in self.scores]}; audits not passed in "
                             f"some run: {audits})")
        return found


def lighthouse(urls: Sequence[str], *, runs: int = RUNS, headers: Mapping[str, str] | None = None,
               chrome: str = "/usr/bin/chromium", node: str = NODE) -> dict[str, LighthouseRuns]:
    """``runs`` Lighthouse runs of each address, mobile emulation (its default), in one Chromium."""
    environment = dict(os.environ, CHROME_PATH=chrome)
    process = subprocess.Popen(
        [node, str(LIGHTHOUSE_RUNS), str(runs), json.dumps(dict(headers or {})), *urls],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment, cwd=AUDIT)
    try:
        # a guard against a hang, not a budget
        stdout, stderr = process.communicate(timeout=120 + 240 * runs * len(urls))
    except subprocess.TimeoutExpired:
        process.terminate()  # the script then stops its browser, which would outlive a kill
        process.communicate(timeout=30)
        raise
    if process.returncode != 0:
        raise RuntimeError(f"Lighthouse failed ({process.returncode}): {stderr.strip()}")
    found = {url: LighthouseRuns(url) for url in urls}
    for run in json.loads(stdout):
        page = found[run["url"]]
        page.scores.append(run["scores"])
        page.metrics.append(run["metrics"])
        page.failing.append(run["failing"])
        if run.get("runtime_error"):
            page.errors.append(run["runtime_error"])
    return found
