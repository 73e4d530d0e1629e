"""What a reader on a phone sees first on ``find/?q=...``, against what stays: the 72 queries.

For each query of tests/search/queries.yml, Chromium opens ``find/?q=<query>`` on a built site
served on loopback, on an emulated phone on slow 4G (150 ms round trip, 1.6 Mbit/s, the processor
slowed four times: Lighthouse's mobile settings, applied for real rather than simulated), and
records the first result at the first paint of any result, the first result once the page marks
the ranking final (``data-cardkb-meaning``), the layout shift and when the first results
appeared. Prints how often the two first results differ.

    .venv/bin/python tools/finder_first_paint.py SITE_DIR [--limit N]

SITE_DIR is a normal build (``mkdocs build``), served here under /kb/ as on an intranet.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from browser_kit import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

#: Lighthouse's default mobile throttling
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8,
           "uploadThroughput": 750 * 1024 / 8}
CPU_SLOWDOWN = 4

RECORDER = """
window.__firstPaint = null; window.__shift = 0;
new PerformanceObserver((list) => list.getEntries().forEach((e) => {
  if (!e.hadRecentInput) window.__shift += e.value;
})).observe({type: "layout-shift", buffered: true});
document.addEventListener("DOMContentLoaded", () => {
  const results = document.querySelector("[data-cardkb-results]");
  if (!results) return;
  new MutationObserver(() => {
    const first = results.querySelector("[data-cardkb-result] a[href]");
    if (first && !window.__firstPaint) {
      window.__firstPaint = {href: first.href.split("?")[0], ms: performance.now()};
    }
  }).observe(results, {childList: true, subtree: true});
});
"""


def measure(site: Path, queries: list[str]) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for query in queries:
            context = browser.new_context(viewport={"width": 412, "height": 823},
                                          device_scale_factor=1.75, is_mobile=True,
                                          has_touch=True)
            context.add_init_script(RECORDER)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
            page.goto(f"{base}find/?q={quote(query)}")
            page.wait_for_function(
                """query => {
                    const list = document.querySelector("[data-cardkb-results]");
                    return list && list.getAttribute("data-cardkb-query") === query
                        && list.getAttribute("data-cardkb-meaning");
                }""", arg=query, timeout=120_000)
            final = page.eval_on_selector(
                "[data-cardkb-results]",
                "l => { const a = l.querySelector('[data-cardkb-result] a[href]');"
                " return a ? a.href.split('?')[0] : null; }")
            first = page.evaluate("window.__firstPaint")
            rows.append({"query": query, "first": first and first["href"], "final": final,
                         "first_ms": first and first["ms"],
                         "meaning": page.get_attribute("[data-cardkb-results]",
                                                       "data-cardkb-meaning"),
                         "shift": page.evaluate("window.__shift")})
            context.close()
        browser.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries")
    args = parser.parse_args()
    queries = [q["q"] for q in yaml.safe_load(
        (REPO / "tests" / "search" / "queries.yml").read_text("utf-8"))["queries"]]
    if args.limit:
        queries = queries[: args.limit]
    started = time.monotonic()
    rows = measure(args.site, queries)
    differ = [r for r in rows if r["first"] != r["final"]]
    for row in differ:
        print(f"  differs: {row['query']!r}: first {row['first']}, then {row['final']}")
    for row in rows:
        if row["shift"] > 0.01:
            print(f"  layout shift {row['shift']:.3f}: {row['query']!r}")
    times = [r["first_ms"] for r in rows if r["first_ms"] is not None]
    print(f"{len(differ)} of {len(rows)} queries ({100 * len(differ) / len(rows):.1f}%): the first "
          f"result at first paint is not the final one; layout shift max "
          f"{max(r['shift'] for r in rows):.3f}; first results at median "
          f"{statistics.median(times):.0f} ms after navigation (slow 4G, CPU x{CPU_SLOWDOWN}); "
          f"meaning {sorted({r['meaning'] for r in rows})}; {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
