"""The report: what the machine was, the tables for the README, and PASS or FAIL per target.

It is a report, not a test: the command exits 0 even when a target fails.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .browser import Reading
from .lighthouse import CATEGORIES, FINDER_WITH_RESULTS, STARTER, TARGETS, LighthouseReading
from .measure import Run, Side
from .preview import PreviewReading

# The targets of the issues.
MAX_RATIO = 1.25  # cardkb build / plain Material build, at every size
MAX_GROWTH_PER_LINEAR = 1.2  # 3.6x from 1,000 to 3,000 cards: 1.2 times linear
MAX_CHECK_SHARE = 0.10  # cardkb check / cardkb build
MAX_DRIFT_SHARE = 0.10  # cardkb drift on 40 pinned pages / cardkb build (issue 22)
DRIFT_PAGES = "40 pinned pages of 24 links"
MAX_SITE_KB_PER_CARD = 80.0
MAX_FIRST_RESULT_RATIO = 0.3  # the finder's first result / plain Material search's, opened cold
MAX_FIRST_RESULT_MB = 1.5  # bytes the finder's page loads until its first result
MAX_KEYSTROKE_P95_MS = 50.0  # each later keystroke's answer, in the browser
MAX_PREVIEW_RATIO = 0.05  # an edit shown by the preview / a full build (issue 15, item 1)
# find/?q='s median largest contentful paint on a phone (Lighthouse): the generated site's / the
# starter site's (issue 24, item 1), and the starter site's own paint and layout shift
MAX_FINDER_PAINT_RATIO = 2.0
MAX_FINDER_PAINT_MS = 2500.0
MAX_FINDER_LAYOUT_SHIFT = 0.1


@dataclass(frozen=True)
class Result:
    """Everything measured at one size."""

    cards: int
    cardkb: Side
    plain: Side
    floor: Side  # cardkb's rendered output built by Material alone: what MkDocs itself costs
    check: Run
    browser: Reading | None
    #: the preview's reading, or why there is none
    preview: PreviewReading | str
    #: ``cardkb drift`` on 40 pinned curriculum pages (tools/bench/drift.py)
    drift: Run | None = None
    #: Lighthouse on the starter site and this size's cardkb site (the largest size only), or
    #: why it was not measured; None at the other sizes
    lighthouse: LighthouseReading | str | None = None

    @property
    def ratio(self) -> float:
        return self.cardkb.build.seconds / self.plain.build.seconds

    @property
    def floor_ratio(self) -> float:
        return self.cardkb.build.seconds / self.floor.build.seconds

    @property
    def cpu_ratio(self) -> float:
        return self.cardkb.build.cpu / self.plain.build.cpu

    @property
    def check_share(self) -> float:
        return self.check.seconds / self.cardkb.build.seconds

    def kb_per_card(self, side: Side, index: bool = False) -> float:
        return (side.index_bytes if index else side.site_bytes) / 1024 / self.cards


def machine() -> list[str]:
    """What the numbers were measured on: they mean little without it."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((line.split()[1] for line in _read("/proc/meminfo").splitlines()
                if line.startswith("MemTotal")), "")
    memory = f", {int(mem) / 1024 / 1024:.0f} GB memory" if mem else ""
    versions = ", ".join(f"{name} {_version(name)}"
                         for name in ("mkdocs", "mkdocs-material", "Markdown", "Jinja2"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [f"CPU: {cpu}, {os.cpu_count()} cores{memory}; load average now {load}",
            f"System: {platform.platform()}",
            f"Python {platform.python_version()}, {versions}"]


def _read(path: str) -> str:
    try:
        return Path(path).read_text("utf-8", "replace")
    except OSError:
        return ""


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def build_table(results: list[Result]) -> list[str]:
    """Build seconds are the fastest of the repeats; "floor" is cardkb's rendered output built
    by Material alone, with cardkb's navigation: what MkDocs and Material cost without cardkb."""
    lines = [
        "| cards | cardkb build s | plain Material s | ratio | floor s | ratio to floor "
        "| cardkb check s | check / build | site KB per card (cardkb, plain, floor) "
        "| search index KB per card (cardkb, plain) | peak MB (cardkb, plain) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.cards:,} | {r.cardkb.build.seconds:.1f} | {r.plain.build.seconds:.1f} "
            f"| {r.ratio:.2f} | {r.floor.build.seconds:.1f} | {r.floor_ratio:.2f} "
            f"| {r.check.seconds:.2f} | {r.check_share:.3f} "
            f"| {r.kb_per_card(r.cardkb):.1f}, {r.kb_per_card(r.plain):.1f}, "
            f"{r.kb_per_card(r.floor):.1f} "
            f"| {r.kb_per_card(r.cardkb, True):.1f}, {r.kb_per_card(r.plain, True):.1f} "
            f"| {r.cardkb.build.peak_mb:.0f}, {r.plain.build.peak_mb:.0f} |")
    return lines


def browser_table(results: list[Result]) -> list[str]:
    """The reader's side: opened cold, the fastest opening of each side counts."""
    lines = [
        "| cards | finder first result ms | plain Material search first result ms | ratio "
        "| finder MB until then | finder index KB per card | keystroke p95 ms (max) "
        "| complete ranking ms | first part indexed ms | rest indexed ms | model decoded ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r.browser
        if b is None:
            continue
        lines.append(
            f"| {r.cards:,} | {b.cardkb.ms:.0f} | {b.plain.ms:.0f} | {b.ratio:.3f} "
            f"| {b.cardkb.bytes / 1e6:.2f} | {r.kb_per_card(r.cardkb, True):.2f} "
            f"| {b.keystroke_p95:.1f} ({max(b.keystrokes_ms):.1f}) | {b.meaning_ms:.0f} "
            f"| {b.index_build_ms:.0f} | {b.more_index_ms:.0f} | {b.model_decode_ms:.0f} |")
    return lines


def preview_table(results: list[Result]) -> list[str]:
    """The author's side: a save in the live preview, against a full build in the same run."""
    lines = [
        "| cards | preview command | first page s | save to page s (median of moves) "
        "| cue save to card and sign finder s | full build s | preview: save to page / full "
        "build | unaffected request max s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r.preview
        if isinstance(p, str):
            lines.append(f"| {r.cards:,} | not measured: {p.splitlines()[0]} "
                         "| | | | | | |")
            continue
        build = r.cardkb.build.seconds
        lines.append(
            f"| {r.cards:,} | `{p.command.split(' --')[0]}` | {p.start_s:.1f} "
            f"| {p.move_median_s:.2f} | {p.cue_s:.2f} | {build:.1f} | {p.ratio(build):.3f} "
            f"| {p.held_max_s:.2f} |")
    return lines


def lighthouse_table(results: list[Result]) -> list[str]:
    """The phone's side: Lighthouse's medians for each site and kind of page, behind nginx."""
    lines = [
        "| site | page | performance | accessibility | best practices | SEO "
        "| largest contentful paint ms | layout shift | KB loaded | runs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if not isinstance(r.lighthouse, LighthouseReading):
            continue
        for audit in r.lighthouse.audits:
            runs = audit.runs
            scores = " | ".join(_score(runs.median_score(c)) for c in CATEGORIES)
            lcp, cls, size = (runs.median_metric(m) for m in ("lcp_ms", "cls", "bytes"))
            failed = f", {len(runs.errors)} failed" if runs.errors else ""
            lines.append(
                f"| {audit.site} | {audit.kind} (`{audit.address or '/'}`) | {scores} "
                f"| {_number(lcp, '.0f')} | {_number(cls, '.3f')} "
                f"| {_number(None if size is None else size / 1024, '.0f')} "
                f"| {len(runs.scores)}{failed} |")
    return lines


def _score(score: float | None) -> str:
    """A category's score as Lighthouse shows it, 0 to 100."""
    return "n/a" if score is None else f"{score * 100:.0f}"


def _number(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def lighthouse_verdicts(r: Result) -> list[str]:
    """Each audited page against the Lighthouse test's thresholds, and find/?q='s paint on the
    generated site against the starter site's."""
    reading = r.lighthouse
    if reading is None:
        return []
    if isinstance(reading, str):
        return [f"{mark(False)}  {r.cards:,} cards: Lighthouse not measured ({reading})"]
    lines = []
    for audit in reading.audits:
        short = audit.runs.shortfalls()
        medians = ", ".join(f"{c} {_score(audit.runs.median_score(c))}" for c in CATEGORIES)
        lines.append(f"{mark(not short)}  Lighthouse, {audit.site}, {audit.kind}: medians "
                     f"{medians} (targets {TARGETS})" + "".join(f"\n      {s}" for s in short))
    paint, shift = (_finder_metric(reading, STARTER, m) for m in ("lcp_ms", "cls"))
    if paint is not None and shift is not None:
        lines.append(f"{mark(paint <= MAX_FINDER_PAINT_MS and shift <= MAX_FINDER_LAYOUT_SHIFT)}"
                     f"  Lighthouse, {STARTER}, find/?q=: largest contentful paint {paint:.0f} "
                     f"ms, layout shift {shift:.3f} (targets <= {MAX_FINDER_PAINT_MS:.0f} ms, "
                     f"<= {MAX_FINDER_LAYOUT_SHIFT})")
    large = _finder_metric(reading, reading.generated, "lcp_ms")
    if paint and large is not None:
        ratio = large / paint
        lines.append(f"{mark(ratio <= MAX_FINDER_PAINT_RATIO)}  Lighthouse, find/?q=: largest "
                     f"contentful paint at {reading.generated} / on the {STARTER} site = "
                     f"{ratio:.2f} ({large:.0f} / {paint:.0f} ms, medians; target <= "
                     f"{MAX_FINDER_PAINT_RATIO:.0f})")
    else:
        lines.append(f"{mark(False)}  Lighthouse, find/?q=: no paint to compare "
                     f"({STARTER}: {paint}, {reading.generated}: {large})")
    return lines


def _finder_metric(reading: LighthouseReading, site: str, metric: str) -> float | None:
    """A median metric of find/?q= on ``site``, or None when it was not audited."""
    audit = reading.find(site, FINDER_WITH_RESULTS)
    return None if audit is None else audit.runs.median_metric(metric)


def mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL <<<"


def verdicts(results: list[Result]) -> list[str]:
    """PASS or FAIL for each target of the issues."""
    lines = []
    for r in results:
        lines.append(f"{mark(r.ratio <= MAX_RATIO)}  {r.cards:,} cards: cardkb build / plain "
                     f"Material build = {r.ratio:.2f} (target <= {MAX_RATIO}; "
                     f"in CPU time {r.cpu_ratio:.2f})")
        lines.append(f"info  {r.cards:,} cards: cardkb build / the floor (cardkb's rendered "
                     f"output built by Material alone) = {r.floor_ratio:.2f} (in CPU time "
                     f"{r.cardkb.build.cpu / r.floor.build.cpu:.2f})")
    small, large = results[0], results[-1]
    if large.cards > small.cards:
        scale = large.cards / small.cards
        target = MAX_GROWTH_PER_LINEAR * scale
        grow_kb = large.cardkb.build.seconds / small.cardkb.build.seconds
        grow_plain = large.plain.build.seconds / small.plain.build.seconds
        grow_floor = large.floor.build.seconds / small.floor.build.seconds
        grow_cpu = large.cardkb.build.cpu / small.cardkb.build.cpu
        lines.append(f"{mark(grow_kb <= target)}  growth {small.cards:,} -> {large.cards:,} cards: "
                     f"cardkb x{grow_kb:.2f} (CPU x{grow_cpu:.2f}), plain Material "
                     f"x{grow_plain:.2f}, floor x{grow_floor:.2f} (linear x{scale:.1f}, "
                     f"target <= x{target:.1f})")
    for r in results:
        lines.append(f"{mark(r.check_share < MAX_CHECK_SHARE)}  {r.cards:,} cards: cardkb check "
                     f"= {r.check_share:.3f} of the build (target < {MAX_CHECK_SHARE})")
        kb = r.kb_per_card(r.cardkb)
        lines.append(f"{mark(kb < MAX_SITE_KB_PER_CARD)}  {r.cards:,} cards: site {kb:.1f} KB "
                     f"per card (target < {MAX_SITE_KB_PER_CARD:.0f})")
    for r in results:
        if r.drift is not None:
            share = r.drift.seconds / r.cardkb.build.seconds
            lines.append(f"{mark(share < MAX_DRIFT_SHARE)}  {r.cards:,} cards: cardkb drift "
                         f"({DRIFT_PAGES}) = {r.drift.seconds:.2f} s, {share:.3f} of the build "
                         f"(target < {MAX_DRIFT_SHARE}; in CPU time "
                         f"{r.drift.cpu / r.cardkb.build.cpu:.3f})")
    for r in results:
        lines += _browser_verdicts(r)
    for r in results:
        lines.append(preview_verdict(r))
    for r in results:
        lines += lighthouse_verdicts(r)
    return lines


def _browser_verdicts(r: Result) -> list[str]:
    b = r.browser
    if b is None:
        return []
    mb = b.cardkb.bytes / 1e6
    p95 = b.keystroke_p95
    return [
        f"{mark(b.ratio <= MAX_FIRST_RESULT_RATIO)}  {r.cards:,} cards, opened cold: the "
        f"finder's first result / plain Material search's = {b.ratio:.3f} ({b.cardkb.ms:.0f} / "
        f"{b.plain.ms:.0f} ms; target <= {MAX_FIRST_RESULT_RATIO})",
        f"{mark(mb <= MAX_FIRST_RESULT_MB)}  {r.cards:,} cards: {mb:.2f} MB loaded until the "
        f"finder's first result (target <= {MAX_FIRST_RESULT_MB})",
        f"{mark(p95 < MAX_KEYSTROKE_P95_MS)}  {r.cards:,} cards: each keystroke after the first "
        f"result answers in {p95:.1f} ms at p95, {len(b.keystrokes_ms)} keystrokes "
        f"(target < {MAX_KEYSTROKE_P95_MS:.0f})",
    ]


def preview_verdict(r: Result) -> str:
    """The row "preview: save to page / full build", with the longest held request beside it."""
    p = r.preview
    if isinstance(p, str):
        return (f"{mark(False)}  {r.cards:,} cards: preview: save to page / full build not "
                f"measured ({p.splitlines()[0]})")
    build = r.cardkb.build.seconds
    ratio = p.ratio(build)
    return (f"{mark(ratio <= MAX_PREVIEW_RATIO)}  {r.cards:,} cards: preview: save to page / "
            f"full build = {ratio:.3f} ({max(p.move_median_s, p.cue_s):.2f} / {build:.1f} s; "
            f"target <= {MAX_PREVIEW_RATIO}); a page the save does not touch took up to "
            f"{p.held_max_s:.2f} s meanwhile")
