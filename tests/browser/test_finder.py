"""The finder (``find/``) in a real browser, as a supervisor uses it.

Most scenarios run on the repository's own knowledge base (the session's builds: the normal one
served under /kb/, the offline one opened from disk); two need words of their own, so a fixture
project adds them and is built once for this module: a card and a heard_as phrase whose text
holds HTML, and a made-up word that four patterns hold strongly and the safety pattern (tag
``safety``) only weakly. Every scenario records every request and error (browser_kit.Watch).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from axe import axe_violations
from browser_kit import (
    FIXTURE_SIGN_QUERY,
    PRINT_PATTERN,
    RESULTS,
    BuiltSite,
    Watch,
    built,
    finder_results,
    make_project,
    search,
    serve,
)

PATTERN_URL = re.compile(r"/patterns/[a-z0-9-]+/(index\.html)?$")
CARD_URL = re.compile(r"/cards/[a-z0-9-]+/(index\.html)?$")
BOX = "#cardkb-find-q"
STATUS = "#cardkb-find-status"
NOTICE = "#cardkb-find-safety"
RISK = "[data-cardkb-risk]"

#: the fixture's card and heard_as phrase with HTML in their text, and the words that find them
HOSTILE_PATTERN = "tasks-not-done"
HOSTILE_CARD = "praise-the-unfinished-pages"
HOSTILE_TITLE = "Praise <script>window.__xss = 1</script> the effort"
HOSTILE_SIGN = 'She brings the pages back <img src=x onerror="window.__xss = 2"> unfinished.'
HOSTILE_HEARD = "the sheet came back with <b>never</b> <script>window.__xss = 3</script> scrawled"
HOSTILE_QUERY = "unfinished pages scrawled"
#: a made-up word: strong in four patterns' heard_as, once in the safety pattern's
RARE_WORD = "quillwort"
STRONG_PATTERNS = ("alliance-rupture", "stuck-client", "tasks-not-done", "mandated-client")
SAFETY_PATTERN = "hopelessness-behind-stuck"
#: the safety pattern a plain report of suicidal thoughts belongs to (tags safety, suicide)
DISCLOSURE_PATTERN = "disclosed-suicidal-thoughts-or-self-harm"


def _add_heard_as(pattern_file: Path, phrases: list[str]) -> None:
    text = pattern_file.read_text("utf-8")
    assert "\nheard_as:\n" in text, f"{pattern_file} lost its heard_as"
    added = "".join(f"  - {json.dumps(phrase)}\n" for phrase in phrases)
    pattern_file.write_text(text.replace("\nheard_as:\n", "\nheard_as:\n" + added, 1), "utf-8")


@pytest.fixture(scope="module")
def fixture_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture project's normal build, served at http://127.0.0.1:<port>/kb/."""
    root = tmp_path_factory.mktemp("finder")
    project = make_project(root / "project")
    cards = project / "cards"
    (cards / HOSTILE_PATTERN / f"{HOSTILE_CARD}.yml").write_text(f"""\
title: {json.dumps(HOSTILE_TITLE)}
verdict: works
sign: {json.dumps(HOSTILE_SIGN)}
move: |
  Thank the client for the part they did.
wording:
  - "Which part did you manage?"
why: |
  Effort that is noticed tends to come back.
""", "utf-8")
    _add_heard_as(cards / HOSTILE_PATTERN / "pattern.yml", [HOSTILE_HEARD])
    for pattern in STRONG_PATTERNS:
        _add_heard_as(cards / pattern / "pattern.yml",
                      [f"the {RARE_WORD} again, {RARE_WORD} every week",
                       f"{RARE_WORD} is all she talks about"])
    _add_heard_as(cards / SAFETY_PATTERN / "pattern.yml",
                  [f"something about {RARE_WORD} and the future"])
    with serve(built(project, root / "site", in_process=True)) as url:
        yield url


def _find(base: str, query: str | None = None) -> str:
    return f"{base}find/" + ("" if query is None else "?q=" + quote(query))


def _result_links(page: Any) -> list[str]:
    """The first link of every result, as written in the page (relative), best first."""
    return [str(href) for href in page.eval_on_selector_all(
        f"{RESULTS} [data-cardkb-result]", "els => els.map(e => e.querySelector('a[href]')"
        ".getAttribute('href'))")]


def _status(page: Any) -> str:
    return str(page.locator(STATUS).inner_text()).strip()


# -- typing, the deep link, the keyboard, the header box ------------------------------------------


def test_typing_shows_ranked_results(web_url: str, watch: Watch) -> None:
    page = watch.page
    page.goto(_find(web_url))
    page.locator(BOX).press_sequentially(FIXTURE_SIGN_QUERY, delay=15)
    results = finder_results(page, FIXTURE_SIGN_QUERY)
    assert results and results[0] == f"{web_url}patterns/{PRINT_PATTERN}/", results
    assert all(PATTERN_URL.search(url) for url in results), results
    assert len(results) == len(set(results))
    # each result says why it is there: the sign that matched, its words marked
    first = page.locator(f"{RESULTS} [data-cardkb-result]").first
    marked = [text.lower() for text in first.locator(".cardkb-result__why mark").all_inner_texts()]
    assert {"handwritten", "ledger", "grievances"} <= set(marked), marked
    # patterns first, their best cards under them, each a link to the card
    cards = first.locator(".cardkb-result__cards a[href]")
    assert cards.count() >= 1
    assert all(CARD_URL.search(str(href)) for href in
               cards.evaluate_all("links => links.map(a => a.href)"))
    # the address now holds the words, so the results can be bookmarked or shared
    assert page.url == _find(web_url, FIXTURE_SIGN_QUERY).replace("%20", "+")
    # nothing was requested from outside the site, not even from elsewhere on this machine
    assert watch.requests and all(url.startswith(web_url) for url in watch.requests), \
        [url for url in watch.requests if not url.startswith(web_url)]
    watch.assert_clean("typing into the finder")


def test_the_deep_link_shows_results_with_no_input(site: BuiltSite, watch: Watch) -> None:
    """find/?q=... opens with the results shown, served under a sub-path and from disk."""
    page = watch.page
    query = "she’s cancelling again & says it's pointless?"
    page.goto(site.url("find/") + "?q=" + quote(query))
    results = finder_results(page, query)
    assert page.locator(BOX).input_value() == query
    assert len(results) >= 3, results
    assert site.url("patterns/cancellations-and-no-shows/") in results[:3], results
    watch.assert_clean("the finder's deep link")


def test_keyboard_only(web_url: str, watch: Watch) -> None:
    """Arrive, type, arrow down into the results, Enter opens the one in focus."""
    page = watch.page
    page.goto(_find(web_url))
    page.wait_for_function("document.activeElement?.id === 'cardkb-find-q'")  # focus on arrival
    query = "he agrees to everything and nothing happens"
    page.keyboard.type(query, delay=5)
    finder_results(page, query)
    links = page.eval_on_selector_all(f"{RESULTS} a[href]", "links => links.map(a => a.href)")
    assert len(links) >= 3
    focused = "() => document.activeElement.href || document.activeElement.id"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links[0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links[2]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == "cardkb-find-q", "ArrowUp from the first result returns"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(links[1])
    watch.assert_clean("the finder by keyboard")


def test_the_first_results_come_before_the_files_they_do_not_need(web_url: str,
                                                                   watch: Watch) -> None:
    """find/?q=: the cards' other text and the risk step's statements are asked for only once
    the first results are on the screen (a phone's largest paint does not wait for them), and
    the ranking is marked final only once they are in."""
    page = watch.page
    page.add_init_script("""
        window.__shown = null;
        new MutationObserver(() => {
          const list = document.querySelector("[data-cardkb-results]");
          if (window.__shown === null && list && list.children.length) {
            window.__shown = performance.now();
          }
        }).observe(document, {childList: true, subtree: true});""")
    query = "she keeps cancelling"
    page.goto(_find(web_url, query))
    assert finder_results(page, query)
    shown = page.evaluate("window.__shown")
    for name in ("find/more.js", "find/risk-vectors.js"):
        started = page.evaluate(
            "name => performance.getEntriesByType('resource')"
            ".filter(e => e.name.endsWith(name)).map(e => e.startTime)", name)
        assert len(started) == 1 and started[0] > shown, (name, started, shown)


def test_a_result_that_stays_is_not_drawn_again(web_url: str, watch: Watch) -> None:
    """Showing the same ranking again (a refinement that changed nothing) keeps each result's
    element: nothing is repainted under the reader."""
    page = watch.page
    query = "she keeps cancelling"
    page.goto(_find(web_url, query))
    assert finder_results(page, query)
    first = f"document.querySelector('{RESULTS} [data-cardkb-result]')"
    page.evaluate(f"{first}.keptSince = 'the first paint'")  # a property: not in its HTML
    page.locator(BOX).dispatch_event("input")
    page.wait_for_function(f"{first} && document.querySelector('{RESULTS}')"
                           ".hasAttribute('data-cardkb-meaning')")
    assert page.evaluate(f"{first}.keptSince") == "the first paint"


def test_the_header_box_hands_its_words_to_the_finder(web_url: str, watch: Watch) -> None:
    page = watch.page
    page.goto(f"{web_url}patterns/{PRINT_PATTERN}/")
    assert page.locator("#cardkb-header-q").is_visible()
    # "/" goes to the box, as the home page says
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "cardkb-header-q"
    assert page.locator("#cardkb-header-q").input_value() == ""
    assert page.locator(".md-search").count() == 0 or not page.locator(".md-search").is_visible()
    results = search(page, FIXTURE_SIGN_QUERY)
    assert page.url.startswith(_find(web_url) + "?q=")
    assert page.locator(BOX).input_value() == FIXTURE_SIGN_QUERY
    assert results[0] == f"{web_url}patterns/{PRINT_PATTERN}/"
    # on find/ itself, the header box types into the big one
    page.locator("#cardkb-header-q").fill("cancelled sessions")
    page.locator("#cardkb-header-q").press("Enter")
    assert f"{web_url}patterns/cancellations-and-no-shows/" in finder_results(
        page, "cancelled sessions")[:3]
    assert page.locator(BOX).input_value() == "cancelled sessions"
    watch.assert_clean("the header box")


# -- what the box is given ------------------------------------------------------------------------


def test_bad_input_gives_a_sensible_answer(web_url: str, watch: Watch) -> None:
    page = watch.page
    page.goto(_find(web_url))
    box = page.locator(BOX)
    long_text = ("My supervisee says the client cancels, then comes back upset, and the "
                 "sessions go round in circles. ") * 60
    cases = {
        "a whole page of text": long_text[:5000],
        "emoji": "😩😩 🙃",
        "only stop words": "she said that it was the same as it is",
        "a web address": "https://intranet.example/kb/patterns/stuck-client/?x=1#top",
        "markup": "<script>window.__xss = 9</script><img src=x onerror=\"window.__xss = 10\">",
        "spaces": "    ",
    }
    for name, text in cases.items():
        box.fill(text)
        results = finder_results(page, text)
        status = _status(page)
        assert status, f"{name}: no status"
        if results:
            assert re.fullmatch(rf"{len(results)} patterns? fits?, best first\.", status), \
                f"{name}: {status}"
        if name == "a whole page of text":
            assert results and box.input_value() == text
        if name == "only stop words":
            assert not results and status.startswith("These words are too common"), status
        if name == "emoji":
            assert not results and status.startswith("There are no words here"), status
        if name == "spaces":
            assert not results and status.startswith("Type what the supervisee says"), status
    box.fill("")
    assert finder_results(page, "") == []
    assert _status(page).startswith("Type what the supervisee says")
    assert page.evaluate("window.__xss") is None
    watch.assert_clean("bad input to the finder")


# -- the fixture's own words ----------------------------------------------------------------------


def test_author_text_with_html_is_shown_as_text(fixture_url: str, watch: Watch) -> None:
    page = watch.page
    page.goto(_find(fixture_url, HOSTILE_QUERY))
    finder_results(page, HOSTILE_QUERY)
    assert _result_links(page)[0] == f"../patterns/{HOSTILE_PATTERN}/"
    first = page.locator(f"{RESULTS} [data-cardkb-result]").first
    text = first.inner_text()
    for written in (HOSTILE_TITLE, HOSTILE_SIGN, HOSTILE_HEARD):
        assert written in text, f"{written!r} is not shown as written in {text!r}"
    results = page.locator(RESULTS)
    assert results.locator("script, img, b").count() == 0
    card = first.locator(f'a[href="../cards/{HOSTILE_CARD}/"]')
    assert card.inner_text() == HOSTILE_TITLE
    assert page.evaluate("window.__xss") is None
    watch.assert_clean("author text with HTML in the finder")


def test_a_safety_pattern_that_merely_fits_keeps_its_place_and_raises_no_notice(
        fixture_url: str, watch: Watch) -> None:
    """No risk heard: the safety pattern the words match is listed with its safety label, below
    the patterns that fit better, and no notice is shown (README, "Risk first")."""
    page = watch.page
    page.goto(_find(fixture_url, RARE_WORD))
    links = finder_results(page, RARE_WORD)
    safety = f"{fixture_url}patterns/{SAFETY_PATTERN}/"
    assert safety in links and links.index(safety) >= 3, links
    item = page.locator(f"{RESULTS} [data-cardkb-result]").nth(links.index(safety))
    assert item.locator(".cardkb-result__safety").inner_text().startswith("Safety:")
    assert page.locator(RISK).count() == 0
    assert page.locator(NOTICE).is_hidden()
    watch.assert_clean("a safety pattern that merely fits")


#: a report whose words carry the risk, one only the meaning step hears, and an idiom
RISK_BY_WORDS = "my supervisee says her client wants to kill herself"
#: heard by the meaning step alone (tests/finder/risk.test.js checks that no rule or cue hears it)
RISK_BY_MEANING = "she looked into which of her tablets would be deadly"
EVERYDAY = "my client says the commute is killing her"



def _notice_above_the_first_result(page: Any, safety: str, links: list[str]) -> str:
    """The notice's text, once checked: visible, above every result, its safety pattern first."""
    notice = page.locator(RISK)
    assert notice.count() == 1 and notice.is_visible()
    assert links[0] == safety, links
    notice_box = notice.bounding_box()
    first_box = page.locator(f"{RESULTS} [data-cardkb-result]").first.bounding_box()
    assert notice_box and first_box
    assert notice_box["y"] + notice_box["height"] <= first_box["y"], "the notice is not above"
    pattern_id = safety.rstrip("/").rsplit("/", 1)[1]
    assert notice.locator(f'a[href="../patterns/{pattern_id}/"]').count() == 1
    return str(notice.inner_text())


def test_risk_shows_the_notice_above_the_first_result(web_url: str, screen: Watch) -> None:
    """On a phone and a desktop: words of risk raise the notice with the first results; the
    meaning step's own hearing raises it by the time the page marks the ranking final; an
    idiom of killing raises none."""
    page = screen.page
    safety = f"{web_url}patterns/{DISCLOSURE_PATTERN}/"
    page.goto(_find(web_url, RISK_BY_WORDS))
    text = _notice_above_the_first_result(page, safety, finder_results(page, RISK_BY_WORDS))
    assert text.startswith("Check for risk of suicide now."), text
    assert page.locator(f"{RISK} q").all_inner_texts() == ["kill herself"], text
    # the first steps, from the safety pattern's note, inline
    assert 1 <= page.locator(f"{RISK} ol > li").count() <= 3, text
    page.locator(BOX).fill(RISK_BY_MEANING)
    text = _notice_above_the_first_result(page, safety, finder_results(page, RISK_BY_MEANING))
    assert "The meaning raised it: close to" in text, text
    assert page.locator(f"{RISK} q").all_inner_texts() == [
        "she has been searching for which tablets are most dangerous"], text
    page.locator(BOX).fill(EVERYDAY)
    links = finder_results(page, EVERYDAY)
    assert links and links[0] != safety, links
    assert page.locator(RISK).count() == 0
    assert page.locator(NOTICE).is_hidden()
    screen.assert_clean("the risk notice")


def test_the_results_are_accessible(web_url: str, watch: Watch, axe_script: str) -> None:
    """axe-core on find/ with results, a safety note among them, and the header box."""
    page = watch.page
    query = "he said his family would manage fine without him"
    page.goto(_find(web_url, query))
    assert f"{web_url}patterns/{SAFETY_PATTERN}/" in finder_results(page, query)
    assert page.locator(".cardkb-result__safety").count() >= 1
    violations = axe_violations(page, axe_script)
    assert not violations, "\n".join(map(str, violations))
    page.locator(BOX).fill(RISK_BY_WORDS)  # and with the risk notice above them
    finder_results(page, RISK_BY_WORDS)
    assert page.locator(RISK).is_visible()
    violations = axe_violations(page, axe_script)
    assert not violations, "\n".join(map(str, violations))
    watch.assert_clean("the finder's results under axe")
