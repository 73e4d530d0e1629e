"""``make bench``: generate, build, open, preview, report, for each size in turn."""

from __future__ import annotations

import argparse
import pstats
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import browser, lighthouse, report
from .config import REPO, plugin_names, repo_config
from .drift import PAGES, measure_drift
from .generate import CARDS_PER_PATTERN, KnowledgeBaseFiles, generate
from .measure import best_of, build_sides, check, timed
from .preview import (
    PREVIEW_COMMAND,
    PreviewError,
    PreviewReading,
    measure_preview,
    resolve_command,
)
from .sites import write_projects


def measure_size(n_cards: int, root: Path, args: argparse.Namespace,
                 base: dict[str, Any]) -> report.Result:
    """The three sites of one size, built in turn; then the browser and the preview."""
    kb = generate(n_cards)
    configs = write_projects(root, n_cards, kb, base)
    sides = build_sides(configs, args.repeat, f"{n_cards} cards")
    checks = [check(configs["cardkb"]) for _ in range(args.repeat)]
    reading = None
    if not args.no_browser:
        reading = browser.read(configs["cardkb"].parent / "site",
                               configs["plain"].parent / "site", args.repeat)
        print(f"  {n_cards} cards, first result: cardkb {reading.cardkb.ms:.0f} ms, plain "
              f"Material {reading.plain.ms:.0f} ms; keystrokes p95 {reading.keystroke_p95:.1f} "
              "ms", flush=True)
    preview: PreviewReading | str = "left out (--no-preview)"
    if not args.no_preview:
        print(f"  {n_cards} cards, preview: {args.preview_command}", flush=True)
        try:
            preview = measure_preview(configs["cardkb"], kb, args.preview_command)
        except PreviewError as error:
            preview = str(error)
            print(f"  {n_cards} cards, preview not measured: {error}", flush=True)
    phone: lighthouse.LighthouseReading | str | None = None
    if n_cards == args.sizes[-1]:
        phone = measure_lighthouse(root, n_cards, configs["cardkb"].parent / "site", kb, args)
    drift = measure_drift(configs["cardkb"], kb, args.repeat)  # last: it adds pages
    print(f"  {n_cards} cards, cardkb drift on {PAGES} pinned pages: {drift.seconds:.2f} s",
          flush=True)
    return report.Result(n_cards, sides["cardkb"], sides["plain"], sides["floor"],
                         best_of(checks), reading, preview, drift, phone)


def measure_lighthouse(root: Path, n_cards: int, site: Path, kb: KnowledgeBaseFiles,
                       args: argparse.Namespace) -> lighthouse.LighthouseReading | str:
    """Lighthouse on the starter site and this size's cardkb site, or why it was left out."""
    if args.no_lighthouse:
        return "left out (--no-lighthouse)"
    print(f"  {n_cards} cards, Lighthouse: the starter site and this one, behind nginx",
          flush=True)
    reading = lighthouse.measure(root, n_cards, site, kb)
    if isinstance(reading, str):
        print(f"  {n_cards} cards, Lighthouse not measured: {reading}", flush=True)
    else:
        print(f"  {n_cards} cards, Lighthouse: {len(reading.audits)} pages in "
              f"{reading.seconds:.0f} s", flush=True)
    return reading


def profile(config: Path, top: int = 25) -> None:
    """One cardkb build under cProfile: where the time goes, by cumulative and by own time."""
    shutil.rmtree(config.parent / "site", ignore_errors=True)
    out = config.parent / "build.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "-q",
               "-f", str(config)]
    timed(command, config.parent / "profile.log")
    for order in ("cumulative", "tottime"):
        print(f"\n### cProfile of one cardkb build ({config.parent.name}), top {top} by {order}\n")
        stats = pstats.Stats(str(out), stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(top)
    print(f"\n### cardkb's own functions (hooks/), top {top} by cumulative\n")
    pstats.Stats(str(out), stream=sys.stdout).sort_stats("cumulative").print_stats(
        str(REPO / "hooks"), top)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench",
                                     description="cardkb against plain Material for MkDocs, "
                                                 "on the same knowledge base")
    parser.add_argument("--sizes", nargs="+", default=["1000,3000"],
                        help="numbers of cards, separated by commas or spaces "
                             "(default: 1000,3000)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="builds per side and size; the fastest counts (default: 2)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate the projects in DIR and keep them")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one cardkb build (the largest size) with cProfile")
    parser.add_argument("--preview-command", default=PREVIEW_COMMAND, metavar="COMMAND",
                        help="the live preview to time: 'mkdocs', 'cardkb', or a command line "
                             "with {port} (default: %(default)r)")
    parser.add_argument("--no-browser", action="store_true",
                        help="leave out opening the sites in Chromium")
    parser.add_argument("--no-preview", action="store_true",
                        help="leave out timing the live preview")
    parser.add_argument("--no-lighthouse", action="store_true",
                        help="leave out Lighthouse on a phone (the starter site and the largest "
                             "size's cardkb site, behind nginx)")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(s) for item in args.sizes for s in item.split(",") if s.strip()})
    except ValueError:
        parser.error("sizes are numbers of cards, such as --sizes 1000 3000")
    if not args.sizes or min(args.sizes) < CARDS_PER_PATTERN or args.repeat < 1:
        parser.error(f"sizes must be at least {CARDS_PER_PATTERN} cards, repeat at least 1")
    try:
        args.preview_command = resolve_command(args.preview_command)
    except ValueError as error:
        parser.error(str(error))
    return args


def run(args: argparse.Namespace, root: Path) -> list[report.Result]:
    base = repo_config()
    print(f"bench: generating and building in {root}", flush=True)
    results = [measure_size(n, root, args, base) for n in args.sizes]
    print("\n## Results\n")
    print(*report.machine(), sep="\n")
    others = [name for name in plugin_names(base.get("plugins") or []) if name != "cardkb"]
    print(f"Plugins on every side: {', '.join(others) or 'none'}; cardkb on the cardkb side, "
          f"search on plain Material; builds per side: {args.repeat}, fastest counts\n")
    for table in (report.build_table(results), report.browser_table(results),
                  report.preview_table(results), report.lighthouse_table(results)):
        if len(table) > 2:
            print(*table, sep="\n")
            print()
    print(*report.verdicts(results), sep="\n")
    print(f"\nRepeat with: make bench   (or: {Path(sys.executable).name} tools/bench "
          f"--sizes {','.join(map(str, args.sizes))} --repeat {args.repeat})")
    if args.profile:
        profile(root / f"cardkb-{args.sizes[-1]}" / "mkdocs.yml")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args, args.keep.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="cardkb-bench-") as tmp:
            run(args, Path(tmp))
    return 0
