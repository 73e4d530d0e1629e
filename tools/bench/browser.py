"""The reader's half of ``make bench``: how soon a search answers, opened cold, in a real browser.

A supervisor opens the finder with a supervisee's words and needs the pattern at once; at 3,000
cards plain Material's search first builds its whole index in the browser. Both built sites are
served on loopback (no compression: the bytes are what the files weigh) and opened in headless
Chromium, each time in a new browser context, so nothing is cached:

- cardkb: ``find/?q=<words of the synthetic text>``, from navigation start to the first result,
  and the bytes of every response finished by then (Resource Timing's ``transferSize``);
- plain Material: the home page, its search box typed as soon as it is there, from navigation
  start to its first result;
- then, on the finder, more words typed key by key (30 keys, from right after the first result,
  while the rest loads): for each keystroke, the time from its ``input`` event to the results
  list showing that text (``data-cardkb-query``), in the page.

Every time is ``performance.now()`` in the page, from navigation start, on both sides.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "browser"))
from browser_kit import CHROMIUM, CHROMIUM_ARGS, serve

#: words of the synthetic text (generate.py: OBJECTS and TAILS), as a supervisor types them
QUERY = "an unspoken fear before anything else can move"
#: typed after the first result, one key at a time: 30 keystrokes
MORE_KEYS = " while both of you pretend tha"
#: between keystrokes, as a quick typist: each answer has time to show before the next key
KEY_DELAY_MS = 120
#: plain Material at 3,000 cards on a loaded machine takes tens of seconds
TIMEOUT_MS = 240_000

FINDER_RESULT = "[data-cardkb-result]"
MATERIAL_RESULT = ".md-search-result__item"

# Installed before any script of the page runs: notes when the first result appears, and the
# bytes of the responses finished by then.
_FIRST_RESULT = """(selector => {
  const observer = new MutationObserver(() => {
    if (window.__benchFirst !== undefined || !document.querySelector(selector)) return;
    const at = performance.now();
    const entries = [...performance.getEntriesByType('navigation'),
                     ...performance.getEntriesByType('resource')];
    window.__benchFirst = {ms: at, bytes: entries.filter(e => e.responseEnd <= at)
                                               .reduce((sum, e) => sum + e.transferSize, 0)};
    observer.disconnect();
  });
  observer.observe(document, {childList: true, subtree: true});
})(%s);"""

# Each keystroke's answer time: from its input event (captured before the finder sees it) to the
# results list naming the text it answers.
_WATCH_KEYS = """() => {
  window.__benchKeys = [];
  let typed = null;
  const box = document.getElementById('cardkb-find-q');
  const list = document.querySelector('[data-cardkb-results]');
  document.addEventListener('input', event => { typed = event.timeStamp; }, true);
  new MutationObserver(() => {
    if (typed !== null && list.getAttribute('data-cardkb-query') === box.value) {
      window.__benchKeys.push(performance.now() - typed);
      typed = null;
    }
  }).observe(list, {attributes: true, attributeFilter: ['data-cardkb-query']});
  const meaning = () => {
    const ready = list.getAttribute('data-cardkb-meaning') === 'ready';
    if (window.__benchMeaning === undefined && ready) {
      window.__benchMeaning = performance.now();
    }
  };
  new MutationObserver(meaning).observe(list, {attributes: true,
                                               attributeFilter: ['data-cardkb-meaning']});
  meaning();
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}"""

# What the finder's stages cost in the page, measured again on the warm page: indexing the first
# part (find/index.js), indexing the rest (find/more.js, in chunks that yield to typing), and
# reading the meaning model's vocabulary and decoding the build's vectors (the vectors of the
# query's words come in shards of a few kilobytes, decoded as they arrive).
_PROFILE = """async () => {
  let t = performance.now();
  const ranking = new CardkbRanking.Ranking(window.cardkbFinder, window.MiniSearch);
  const index = performance.now() - t;
  t = performance.now();
  await ranking.addMore(window.cardkbFinderMore);
  const more = performance.now() - t;
  t = performance.now();
  ranking.useMeaning(CardkbRanking.shardedModel(window.cardkbFinderVocab),
                     window.cardkbFinderVectors);
  return {index: index, more: more, model: performance.now() - t};
}"""


@dataclass(frozen=True)
class FirstResult:
    ms: float
    bytes: int  # what the page loaded until then (only the page's own requests, not workers')


@dataclass(frozen=True)
class Reading:
    """One size's browser figures; the fastest of the cold openings counts on each side."""

    cardkb: FirstResult
    plain: FirstResult
    keystrokes_ms: list[float]
    meaning_ms: float  # from navigation start to the complete ranking (all text, meaning)
    index_build_ms: float  # the first part
    more_index_ms: float  # the rest of the cards' text, in chunks
    model_decode_ms: float

    @property
    def ratio(self) -> float:
        return self.cardkb.ms / self.plain.ms

    @property
    def keystroke_p95(self) -> float:
        return percentile(self.keystrokes_ms, 95)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with ``share`` % of them at or below it."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


@contextlib.contextmanager
def cold_page(browser: Any, selector: str) -> Iterator[Any]:
    """A page in a new browser context: an empty cache, the first-result watch installed."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_FIRST_RESULT % f'"{selector}"')
    try:
        yield context.new_page()
    finally:
        context.close()


def first_result(page: Any) -> FirstResult:
    page.wait_for_function("() => window.__benchFirst !== undefined", polling=50)
    found = page.evaluate("() => window.__benchFirst")
    return FirstResult(float(found["ms"]), int(found["bytes"]))


def open_finder(browser: Any, base: str,
                keystrokes: list[float]) -> tuple[FirstResult, Any]:
    with cold_page(browser, FINDER_RESULT) as page:
        page.goto(f"{base}find/?q={quote(QUERY)}", wait_until="commit")
        first = first_result(page)
        page.evaluate(_WATCH_KEYS)
        page.keyboard.type(MORE_KEYS, delay=KEY_DELAY_MS)
        page.wait_for_function(
            "text => document.querySelector('[data-cardkb-results]')"
            ".getAttribute('data-cardkb-query') === text", arg=QUERY + MORE_KEYS)
        keystrokes += page.evaluate("() => window.__benchKeys")
        page.wait_for_function("() => window.__benchMeaning !== undefined")
        meaning = page.evaluate("() => window.__benchMeaning")
        profile = page.evaluate(_PROFILE)
        return first, (float(meaning), float(profile["index"]), float(profile["more"]),
                       float(profile["model"]))


def open_material(browser: Any, base: str) -> FirstResult:
    with cold_page(browser, MATERIAL_RESULT) as page:
        page.goto(base, wait_until="domcontentloaded")
        box = page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(QUERY, delay=10)  # Material's search listens for keys
        return first_result(page)


def read(cardkb_site: Path, plain_site: Path, repeat: int) -> Reading:
    """Open each site cold ``repeat`` times, in turn; the fastest first result counts."""
    from playwright.sync_api import sync_playwright

    finder: list[FirstResult] = []
    plain: list[FirstResult] = []
    keystrokes: list[float] = []
    profiles: list[tuple[float, float, float, float]] = []
    with sync_playwright() as playwright, serve(cardkb_site) as cardkb_base, \
            serve(plain_site) as plain_base:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            for attempt in range(repeat):
                sides = ["cardkb", "plain"] if attempt % 2 == 0 else ["plain", "cardkb"]
                for side in sides:
                    if side == "cardkb":
                        first, profile = open_finder(browser, cardkb_base, keystrokes)
                        finder.append(first)
                        profiles.append(profile)
                    else:
                        plain.append(open_material(browser, plain_base))
        finally:
            browser.close()
    fastest = min(range(len(finder)), key=lambda i: finder[i].ms)
    return Reading(finder[fastest], min(plain, key=lambda r: r.ms), keystrokes,
                   *profiles[fastest])
