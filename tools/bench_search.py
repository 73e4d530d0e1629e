"""Search quality: the finder against Material's own search, on the same content, in one run.

Why this exists: a supervisor types a supervisee's words and needs the pattern behind them. This
builds the starter knowledge base twice into temporary folders, as shipped (the finder, ``find/``)
and with Material's ``search`` plugin switched back on, serves both on loopback, runs every query
of ``tests/search/queries.yml`` through each in headless Chromium, and prints top-1, top-3 and
MRR for both. It is a report, not a test: it exits 0 whatever the figures.

"Risk first" (README): the same run also asks the finder, and the finder as it was at the end of
the risk step's first round (the whole project at :data:`OLD_RECOGNISER` but the cards, built
beside it from the same cards), every report of ``tests/search/risk.yml`` (halves ``tune`` and
``held``) and of ``tests/search/risk-held2.yml`` to ``risk-held11.yml`` (the later held-out
sets, ``held2`` to ``held11``), and prints
for each half how often the right safety pattern comes first, how often the notice shows for a
risk report, and how often an everyday report raises a false alarm (the notice, or a safety
pattern first); the old finder is asked the 72 queries too, so the table shows them before and
after.

    make bench-search
    .venv/bin/python tools/bench_search.py --keep /tmp/bs    # keep the two builds

Both sides are scored the same way: the results are read in order, each page is mapped to its
pattern (a pattern's page to itself, a card's page to the card's own pattern, by the build's
``cards.json``), other pages are skipped, and each pattern counts at its first place.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "tests" / "search" / "queries.yml"
RISK_SET = REPO / "tests" / "search" / "risk.yml"
#: the later held-out sets, each written before a round of the risk step (the second before
#: round two, the third before round three), each scored once at that round's end; the split
#: their reports carry
RISK_HELD_OUT = (("held2", REPO / "tests" / "search" / "risk-held2.yml"),
                 ("held3", REPO / "tests" / "search" / "risk-held3.yml"),
                 ("held4", REPO / "tests" / "search" / "risk-held4.yml"),
                 ("held5", REPO / "tests" / "search" / "risk-held5.yml"),
                 ("held6", REPO / "tests" / "search" / "risk-held6.yml"),
                 ("held7", REPO / "tests" / "search" / "risk-held7.yml"),
                 ("held8", REPO / "tests" / "search" / "risk-held8.yml"),
                 ("held9", REPO / "tests" / "search" / "risk-held9.yml"),
                 ("held10", REPO / "tests" / "search" / "risk-held10.yml"),
                 ("held11", REPO / "tests" / "search" / "risk-held11.yml"))
#: main at the end of the risk step's first round (issue 19): "the old recogniser". Its whole
#: project but the cards is built (its finder with the hooks, page and model loading it had)
OLD_RECOGNISER = "4c5036e11360f366d6a03ab4a9f2dd64766d95bf"
#: the halves of the risk sets, in the table's order
HALVES = (("tune", "tuning"), ("held", "first held-out, tuned on in round two"),
          ("held2", "second held-out, tuned on in round three"),
          ("held3", "third held-out, tuned on in round four"),
          ("held4", "fourth held-out, tuned on in round five"),
          ("held5", "fifth held-out, tuned on in round five"),
          ("held6", "sixth held-out, tuned on in round six"),
          ("held7", "seventh held-out, learnt from in round six"),
          ("held8", "eighth held-out, learnt from in round seven"),
          ("held9", "ninth held-out, learnt from in round eight"),
          ("held10", "tenth held-out, scored at round eight's end"),
          ("held11", "eleventh held-out, to be scored once at round nine's end"))
#: the notice of risk on find/: the contract's mark
NOTICE = "[data-cardkb-risk]"
OLD_NOTICE = NOTICE
SAFETY_TAG = "safety"
sys.path.insert(0, str(REPO / "tests" / "browser"))
sys.path.insert(0, str(REPO / "tools"))

# The browser, the loopback server and Material's search box, as the browser tests drive them.
from bench.config import ConfigDumper as _Dumper  # noqa: E402
from bench.config import ConfigLoader as _Loader  # noqa: E402
from browser_kit import CHROMIUM, CHROMIUM_ARGS, RESULTS, finder_results, serve  # noqa: E402

#: how long one page may take to show results for one query
TIMEOUT_MS = 30_000
#: Material's results come from a Web Worker as the keys arrive: read once unchanged this long
MATERIAL_SETTLED_MS = 250


# -- the pure parts: queries, pages to patterns, scores ------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str
    expect: str  # the pattern whose page, or one of whose own cards, is the right answer


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = yaml.safe_load(path.read_text("utf-8"))
    return [Query(str(item["q"]), str(item["expect"])) for item in data["queries"]]


def pattern_of_page(export: dict[str, Any]) -> dict[str, str]:
    """Each pattern's and card's page (``patterns/x/``, ``cards/y/``) and the pattern it counts
    for, from the build's ``cards.json``: a card counts for its own pattern."""
    pages = {_site_path(p["url"]): p["id"] for p in export["patterns"]}
    pages.update({_site_path(c["url"]): c["pattern"] for c in export["cards"]})
    return pages


def _site_path(url: str) -> str:
    """A page's address within the site, without query, fragment or surrounding slashes."""
    path = urlsplit(url).path
    return path.removesuffix("index.html").strip("/")


def patterns_in_order(hrefs: Sequence[str], base: str, pages: dict[str, str]) -> list[str]:
    """The patterns that results lead to, best first, each once; pages of no pattern skipped."""
    site = _site_path(base)
    order: list[str] = []
    for href in hrefs:
        path = _site_path(href)
        if site:
            if path != site and not path.startswith(site + "/"):
                continue
            path = path[len(site):].strip("/")
        pattern = pages.get(path)
        if pattern and pattern not in order:
            order.append(pattern)
    return order


def rank_of(expected: str, patterns: Sequence[str]) -> int | None:
    """1 for the first place; None when the right pattern is not among the results."""
    return patterns.index(expected) + 1 if expected in patterns else None


@dataclass(frozen=True)
class Scores:
    top1: float
    top3: float
    mrr: float  # mean reciprocal rank: 1 for first, 1/2 for second, 0 when missing

    @classmethod
    def of(cls, ranks: Sequence[int | None]) -> Scores:
        if not ranks:
            return cls(0.0, 0.0, 0.0)
        n = len(ranks)
        return cls(sum(r == 1 for r in ranks) / n,
                   sum(r is not None and r <= 3 for r in ranks) / n,
                   sum(1 / r for r in ranks if r) / n)


@dataclass(frozen=True)
class Answer:
    query: Query
    patterns: list[str]

    @property
    def rank(self) -> int | None:
        return rank_of(self.query.expect, self.patterns)


def table(finder: Sequence[Answer], material: Sequence[Answer]) -> list[str]:
    rows = [("cardkb finder (`find/`)", Scores.of([a.rank for a in finder])),
            ("Material's search (lunr)", Scores.of([a.rank for a in material]))]
    return ["| search | top-1 | top-3 | MRR |", "|---|---:|---:|---:|",
            *(f"| {name} | {s.top1:.2f} | {s.top3:.2f} | {s.mrr:.2f} |" for name, s in rows)]


def misses(answers: Sequence[Answer]) -> list[str]:
    """The queries whose pattern is not in the top three, with what came first instead."""
    return [f"- {a.query.text!r}: {'rank ' + str(a.rank) if a.rank else 'not listed'} "
            f"(want {a.query.expect}; got {', '.join(a.patterns[:3]) or 'nothing'})"
            for a in answers if not (a.rank and a.rank <= 3)]


def _top3(rank: int | None) -> bool:
    return rank is not None and rank <= 3


def fell(before: Sequence[Answer], after: Sequence[Answer]) -> list[tuple[Answer, Answer]]:
    """The queries that left first place, or the top three, between two runs of one set."""
    return [(b, a) for b, a in zip(before, after, strict=True)
            if (b.rank == 1 and a.rank != 1) or (_top3(b.rank) and not _top3(a.rank))]


# -- risk first: the risk set and its scores -------------------------------------------------------


@dataclass(frozen=True)
class Report:
    text: str
    kind: str  # suicide, self-harm, harm-to-others, abuse, or everyday
    split: str  # tune, held, held2 to held6

    @property
    def risk(self) -> bool:
        return self.kind != "everyday"


def load_risk_set(path: Path = RISK_SET,
                  held_out: Sequence[tuple[str, Path]] = RISK_HELD_OUT) -> list[Report]:
    data = yaml.safe_load(path.read_text("utf-8"))
    reports = [Report(str(r["q"]), str(r["kind"]), str(r["split"])) for r in data["reports"]]
    for split, held in held_out:
        more = yaml.safe_load(held.read_text("utf-8"))["reports"]
        reports += [Report(str(r["q"]), str(r["kind"]), split) for r in more]
    return reports


@dataclass(frozen=True)
class RiskAnswer:
    report: Report
    first: str | None  # the pattern of the first result
    notice: bool  # the notice of risk was visible


def safety_kinds(export: dict[str, Any]) -> dict[str, set[str]]:
    """Each safety pattern (tag ``safety``) and its tags, from the build's ``cards.json``."""
    return {p["id"]: set(p.get("tags") or []) for p in export["patterns"]
            if SAFETY_TAG in (p.get("tags") or [])}


def right_first(answer: RiskAnswer, safety: dict[str, set[str]]) -> bool:
    """A safety pattern first that covers the report's kind; when no safety pattern covers the
    kind, any safety pattern (the finder's fallback)."""
    if answer.first not in safety:
        return False
    covering = [p for p, tags in safety.items() if answer.report.kind in tags]
    return answer.first in covering or not covering


@dataclass(frozen=True)
class RiskScores:
    right: float  # risk reports with the right safety pattern first
    notice: float  # risk reports with the notice
    false_alarms: float  # everyday reports with the notice or a safety pattern first
    risk: int
    everyday: int

    @classmethod
    def of(cls, answers: Sequence[RiskAnswer], safety: dict[str, set[str]]) -> RiskScores:
        risk = [a for a in answers if a.report.risk]
        everyday = [a for a in answers if not a.report.risk]
        return cls(sum(right_first(a, safety) for a in risk) / max(len(risk), 1),
                   sum(a.notice for a in risk) / max(len(risk), 1),
                   sum(a.notice or a.first in safety for a in everyday) / max(len(everyday), 1),
                   len(risk), len(everyday))


def risk_table(new: Sequence[RiskAnswer], old: Sequence[RiskAnswer],
               safety: dict[str, set[str]], old_safety: dict[str, set[str]]) -> list[str]:
    rows = ["| half | recogniser | right safety pattern first | notice on risk | false alarms |",
            "|---|---|---:|---:|---:|"]
    for split, name in HALVES:
        if not any(a.report.split == split for a in new):
            continue
        for who, answers, tags in (("old", old, old_safety), ("new", new, safety)):
            s = RiskScores.of([a for a in answers if a.report.split == split], tags)
            rows.append(f"| {name} ({s.risk} risk, {s.everyday} everyday) | {who} | "
                        f"{s.right:.2f} | {s.notice:.2f} | {s.false_alarms:.2f} |")
    return rows


def risk_misses(answers: Sequence[RiskAnswer], safety: dict[str, set[str]]) -> list[str]:
    """Risk reports without the notice or the right pattern first, and false alarms."""
    lines = []
    for a in answers:
        if a.report.risk and not (a.notice and right_first(a, safety)):
            lines.append(f"- [{a.report.split}] {a.report.kind}: {a.report.text!r} "
                         f"(notice: {'yes' if a.notice else 'no'}; first: {a.first})")
        elif not a.report.risk and (a.notice or a.first in safety):
            lines.append(f"- [{a.report.split}] false alarm: {a.report.text!r} "
                         f"(notice: {'yes' if a.notice else 'no'}; first: {a.first})")
    return lines


# -- building the sites ----------------------------------------------------------------------------


def write_project(target: Path, material_search: bool, old_finder: bool = False) -> Path:
    """The repository's site project at ``target``, with Material's ``search`` plugin added to a
    copy of mkdocs.yml when ``material_search``. The cards and pages are copied (a build refuses
    folders that lead outside the project); the hooks and theme overrides are linked. With
    ``old_finder`` the project is as it was at :data:`OLD_RECOGNISER` (hooks, pages, overrides
    and mkdocs.yml from ``git archive``; ``build`` then imports cardkb from that copy) but for
    the cards, which are today's."""
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".*")
    source = REPO
    if old_finder:
        source = target.parent / f"{target.name}-tree"
        source.mkdir()
        archive = subprocess.run(["git", "archive", OLD_RECOGNISER, "hooks", "content",
                                  "overrides", "mkdocs.yml"], cwd=REPO, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
        shutil.copytree(source / "hooks", target / "hooks", symlinks=True)
        shutil.copytree(source / "overrides", target / "overrides", symlinks=True)
    else:
        (target / "hooks").symlink_to(REPO / "hooks")
        (target / "overrides").symlink_to(REPO / "overrides")
    shutil.copytree(REPO / "cards", target / "cards", ignore=ignore)
    shutil.copytree(source / "content", target / "content", ignore=ignore)
    config = yaml.load((source / "mkdocs.yml").read_text("utf-8"), Loader=_Loader)
    if material_search:
        config["plugins"] = ["search", *config.get("plugins", [])]
    config["site_dir"] = "site"
    (target / "mkdocs.yml").write_text(
        yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True), "utf-8")
    return target / "mkdocs.yml"


def build(config: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if k != "OFFLINE"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if not (config.parent / "hooks").is_symlink():  # the old finder's own copy of cardkb
        env["PYTHONPATH"] = os.pathsep.join([str(config.parent / "hooks"),
                                             env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f",
                             str(config)], cwd=config.parent, env=env, capture_output=True,
                            text=True, check=False)
    if result.returncode:
        sys.exit(f"bench-search: the build of {config} failed:\n{result.stdout}{result.stderr}")
    return config.parent / "site"


# -- asking each search --------------------------------------------------------------------------

def ask_finder(page: Any, base: str, query: Query, pages: dict[str, str]) -> Answer:
    """Open ``find/?q=...`` and read its results once the whole ranking has answered: the rest
    of the data and the meaning model loaded (``data-cardkb-meaning``), as the tests read it."""
    page.goto(f"{base}find/?q={quote(query.text)}")
    page.wait_for_selector(RESULTS, state="attached")
    return Answer(query, patterns_in_order(finder_results(page, query.text), base, pages))


def ask_finder_risk(page: Any, base: str, report: Report, pages: dict[str, str],
                    notice: str) -> RiskAnswer:
    """The first result's pattern and whether the notice (``notice``, a selector) shows, read
    once the whole ranking has answered, as the tests read them."""
    page.goto(f"{base}find/?q={quote(report.text)}")
    page.wait_for_selector(RESULTS, state="attached")
    order = patterns_in_order(finder_results(page, report.text), base, pages)
    shown = page.eval_on_selector_all(notice, "els => els.some(e => e.getClientRects().length > 0)")
    return RiskAnswer(report, order[0] if order else None, bool(shown))


_MATERIAL_LINKS = ("items => items.map(i => i.querySelector('a').href"
                   ".split('?')[0].split('#')[0])")


def ask_material(page: Any, base: str, query: Query, pages: dict[str, str]) -> Answer:
    """Type the query into Material's own search box key by key, as a reader does (its search
    listens for keys), and read its results once they stop changing."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.press_sequentially(query.text, delay=20)
    page.locator(".md-search-result__item").first.wait_for(state="attached")
    previous: list[str] = []
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        current = list(page.eval_on_selector_all(".md-search-result__item", _MATERIAL_LINKS))
        if current and current == previous:
            break
        previous = current
        page.wait_for_timeout(MATERIAL_SETTLED_MS)
    return Answer(query, patterns_in_order(previous, base, pages))


@dataclass
class Site:
    root: Path
    pages: dict[str, str]
    safety: dict[str, set[str]]


def built_sites(root: Path) -> tuple[Site, Site, Site]:
    sites = []
    for name, material, old in (("finder", False, False), ("material", True, False),
                                ("old-finder", False, True)):
        started = time.perf_counter()
        site = build(write_project(root / name, material, old))
        print(f"  built {name} site in {time.perf_counter() - started:.1f} s", flush=True)
        export = json.loads((site / "cards.json").read_text("utf-8"))
        sites.append(Site(site, pattern_of_page(export), safety_kinds(export)))
    return sites[0], sites[1], sites[2]


@dataclass
class Run:
    finder: list[Answer]
    material: list[Answer]
    old_finder: list[Answer]
    risk: list[RiskAnswer]
    old_risk: list[RiskAnswer]


def run_queries(finder_site: Site, material_site: Site, old_site: Site, queries: list[Query],
                reports: list[Report]) -> Run:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, serve(finder_site.root) as finder_base, \
            serve(material_site.root) as material_base, serve(old_site.root) as old_base:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            with fresh_page(browser) as page:
                finder = [ask_finder(page, finder_base, q, finder_site.pages) for q in queries]
                risk = [ask_finder_risk(page, finder_base, r, finder_site.pages, NOTICE)
                        for r in reports]
            with fresh_page(browser) as page:
                old = [ask_finder(page, old_base, q, old_site.pages) for q in queries]
                old_risk = [ask_finder_risk(page, old_base, r, old_site.pages, OLD_NOTICE)
                            for r in reports]
            with fresh_page(browser) as page:
                page.goto(material_base)
                material = [ask_material(page, material_base, q, material_site.pages)
                            for q in queries]
        finally:
            browser.close()
    return Run(finder, material, old, risk, old_risk)


@contextlib.contextmanager
def fresh_page(browser: Any) -> Iterator[Any]:
    """A page in a new browser context (its own cache), closed afterwards."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def risk_report(result: Run, finder_site: Site, old_site: Site,
                reports: list[Report]) -> Iterator[str]:
    yield f"{sum(r.risk for r in reports)} risk reports and "
    yield f"{sum(not r.risk for r in reports)} everyday ones from {RISK_SET.relative_to(REPO)} "
    yield f"and {', '.join(str(path.relative_to(REPO)) for _, path in RISK_HELD_OUT)}; "
    yield f"old = the finder at {OLD_RECOGNISER[:7]}, the risk step's first round\n\n"
    yield "\n".join(risk_table(result.risk, result.old_risk, finder_site.safety,
                               old_site.safety)) + "\n\n"
    old = Scores.of([a.rank for a in result.old_finder])
    new = Scores.of([a.rank for a in result.finder])
    yield (f"The {len(result.finder)} queries, old finder then new: "
           f"top-1 {old.top1:.2f} -> {new.top1:.2f}, "
           f"top-3 {old.top3:.2f} -> {new.top3:.2f}, MRR {old.mrr:.2f} -> {new.mrr:.2f}.\n")
    dropped = [f"- {n.query.text!r}: {o.rank} -> {n.rank}"
               for o, n in fell(result.old_finder, result.finder)]
    yield "Fell (out of first place, or out of the top three):\n"
    yield "\n".join(dropped) + "\n" if dropped else "(none)\n"
    missed = risk_misses(result.risk, finder_site.safety)
    yield f"\nThe new finder misses on {len(missed)} reports:\n"
    yield "\n".join(missed) + "\n" if missed else "(none)\n"


def report(result: Run, queries: list[Query]) -> Iterator[str]:
    yield f"{len(queries)} queries from {QUERIES.relative_to(REPO)}, "
    yield f"{len({q.expect for q in queries})} patterns\n\n"
    yield "\n".join(table(result.finder, result.material)) + "\n\n"
    missed = misses(result.finder)
    yield f"The finder misses the top three for {len(missed)} queries:\n"
    yield "\n".join(missed) + "\n" if missed else "(none)\n"
    first = [a for a in result.finder if a.rank != 1]
    yield f"Not first: {len(first)} queries.\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build in DIR and keep it")
    args = parser.parse_args(argv)
    queries = load_queries()
    reports = load_risk_set()
    with tempfile.TemporaryDirectory(prefix="cardkb-bench-search-") as tmp:
        root = (args.keep or Path(tmp)).resolve()
        if args.keep:
            shutil.rmtree(root, ignore_errors=True)
        print(f"bench-search: building in {root}; {load()}", flush=True)
        finder_site, material_site, old_site = built_sites(root)
        started = time.perf_counter()
        result = run_queries(finder_site, material_site, old_site, queries, reports)
        print(f"  asked all three in {time.perf_counter() - started:.0f} s; {load()}\n",
              flush=True)
    print("## Search quality\n")
    print("".join(report(result, queries)))
    print("## Risk first\n")
    print("".join(risk_report(result, finder_site, old_site, reports)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
