"""The site in a real browser, as its readers meet it.

Each scenario runs twice: on the normal build served on loopback under a sub-path
(http://127.0.0.1:<port>/kb/), and on the ``OFFLINE=true`` build opened from disk (file://). Each
records every request and fails on one that would leave the machine, on a JavaScript error, and on
an error in the console.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    ALIAS,
    CURRICULUM_SRC,
    FIXTURE_SIGN,
    FIXTURE_SIGN_QUERY,
    OUTSIDE_SOURCE_URL,
    PRINT_PATTERN,
    BuiltSite,
    Watch,
    built,
    html_pages,
    is_redirect,
    make_project,
    same_page,
    search,
    serve,
    visit,
)
from page_types import PAGE_TYPES


def wait_for_page(page: Any, expected: str) -> None:
    page.wait_for_url(lambda url: same_page(url, expected))
    page.wait_for_load_state()


def heading(page: Any) -> str:
    """The page's title as shown (its first heading, without the permalink mark)."""
    return str(page.evaluate("""() => {
        const h1 = document.querySelector("article h1").cloneNode(true);
        h1.querySelectorAll(".headerlink").forEach((link) => link.remove());
        return h1.textContent.trim();
    }"""))


def test_search_finds_a_pattern_by_the_words_of_its_sign(site: BuiltSite, watch: Watch) -> None:
    page = watch.page
    page.goto(site.url())
    pattern = site.url(f"patterns/{PRINT_PATTERN}/")
    results = search(page, FIXTURE_SIGN_QUERY)
    assert pattern in results[:3], f"{pattern} is not among the first results: {results[:5]}"
    result = page.locator("[data-cardkb-results] [data-cardkb-result]").nth(results.index(pattern))
    result.locator("a[href]").first.click()
    wait_for_page(page, pattern)
    assert FIXTURE_SIGN in page.locator("ul.cardkb-signs").inner_text()
    watch.assert_clean("search")


def test_a_backfires_card_leads_to_its_alternatives(site: BuiltSite, watch: Watch) -> None:
    page = watch.page
    pattern = site.url(f"patterns/{PRINT_PATTERN}/")
    page.goto(pattern)
    # on the pattern page: a backfires card's "Instead, try:" link leads to the card that works
    # instead, further down the same page when it is there (and to its own page when not)
    backfires = page.locator(".cardkb-card--backfires").first
    alternative = backfires.locator(".cardkb-alternatives a[href^='#']").first
    title, anchor = alternative.inner_text(), alternative.get_attribute("href")
    alternative.click()
    page.wait_for_function("(hash) => location.hash === hash", arg=anchor)
    assert same_page(page.url, pattern)
    assert page.locator(str(anchor)).inner_text().strip().startswith(title)
    assert page.locator(f"{anchor} + .cardkb-card--works").count() == 1

    # on a card's own page: "What to do instead" opens each alternative
    page.goto(pattern)
    page.locator(".cardkb-card--backfires .cardkb-open a").first.click()
    page.wait_for_load_state()
    assert page.locator(".cardkb-verdict--backfires").count() >= 1
    card = page.url
    links = page.locator("ul.cardkb-alternatives a")
    assert links.count() >= 1, "a backfires card without alternatives"
    for index in range(links.count()):
        link = page.locator("ul.cardkb-alternatives a").nth(index)
        title = link.inner_text()
        link.click()
        page.wait_for_url(lambda url: url != card)
        page.wait_for_load_state()
        assert heading(page) == title
        assert page.locator(".cardkb-verdict--works").count() >= 1
        page.goto(card)
    watch.assert_clean("cards and their alternatives")


def visible_signs(page: Any) -> list[str]:
    return [str(text) for text in
            page.locator(".cardkb-sign-list li:visible a").all_inner_texts()]


def test_the_sign_finder_narrows_as_you_type(site: BuiltSite, watch: Watch) -> None:
    page = watch.page
    page.goto(site.url("signs/"))
    box = page.locator("#cardkb-filter-input")
    assert box.is_visible(), "the filter box stayed hidden: cardkb.js did not run"
    everything = visible_signs(page)
    assert FIXTURE_SIGN in everything

    # typed as a person types, letter by letter ("s", "/" and "f" are Material's search keys)
    box.press_sequentially(FIXTURE_SIGN_QUERY, delay=10)
    assert visible_signs(page) == [FIXTURE_SIGN]
    assert page.locator("#__search").is_checked() is False, "typing opened the search instead"
    headings = page.locator("article h2:visible").all_inner_texts()
    assert [h.replace("¶", "").strip() for h in headings] == ["In the client"]
    assert page.locator(".cardkb-filter-empty").is_hidden()

    # a few letters of one word: the signs shown are exactly those that hold it, in their own
    # words or in their pattern's name
    entries = page.locator(".cardkb-sign-list li").all_inner_texts()
    box.fill("cancel")
    shown = page.locator(".cardkb-sign-list li:visible").all_inner_texts()
    assert shown
    assert shown == [entry for entry in entries if "cancel" in entry.lower()]

    # nothing matches: the list is empty and says so
    box.fill("xylophone")
    assert visible_signs(page) == []
    assert page.locator(".cardkb-filter-empty").is_visible()

    # Escape clears the filter and brings everything back
    box.press("Escape")
    assert box.input_value() == ""
    assert visible_signs(page) == everything

    # a filtered sign leads to its pattern
    box.fill(FIXTURE_SIGN_QUERY)
    page.locator(".cardkb-sign-list li:visible a").first.click()
    wait_for_page(page, site.url(f"patterns/{PRINT_PATTERN}/"))
    assert FIXTURE_SIGN in page.locator("ul.cardkb-signs").inner_text()
    watch.assert_clean("the sign finder")


def test_every_sign_leads_to_its_pattern(site: BuiltSite, watch: Watch) -> None:
    page = watch.page
    page.goto(site.url("signs/"))
    signs = page.eval_on_selector_all(
        ".cardkb-sign-list:not(.cardkb-cue-list) li",
        """items => items.map(item => ({
            text: item.querySelector("a").textContent,
            href: item.querySelector("a").href,
            pattern: item.querySelector(".cardkb-sign-pattern").textContent}))""")
    assert len(signs) > 20
    by_page: dict[str, list[dict[str, str]]] = {}
    for sign in signs:
        by_page.setdefault(sign["href"].split("#")[0], []).append(sign)
    for address, its_signs in by_page.items():
        assert re.search(r"/patterns/[a-z0-9-]+/(index\.html)?$", address), address
        page.goto(address)
        assert {s["pattern"] for s in its_signs} == {heading(page)}, address
        listed = page.locator("ul.cardkb-signs").inner_text()
        for sign in its_signs:
            assert sign["text"] in listed, f"{sign['text']!r} is not on {address}"
    # the cues that prompt a move lead to their cards
    page.goto(site.url("signs/"))
    cues = page.eval_on_selector_all(".cardkb-cue-list a", "links => links.map(a => a.href)")
    assert cues
    for cue in cues:
        assert re.search(r"/cards/[a-z0-9-]+/(index\.html)?$", cue), cue
        file = site.root / cue.removeprefix(site.base)
        assert (file / "index.html" if not site.offline else file).is_file(), cue
    watch.assert_clean("the signs' patterns")


def click_link_to(page: Any, selector: str, target: str) -> None:
    """Click the first of the links ``selector`` that leads to ``target``, and wait for it."""
    index = page.eval_on_selector_all(
        selector, "(links, target) => links.findIndex("
                  "(a) => a.href.split('#')[0].split('?')[0] === target)", target)
    assert index >= 0, f"no link to {target} among {selector}"
    page.locator(selector).nth(index).click()
    wait_for_page(page, target)


def test_a_curriculum_page_links_and_embeds_cards(site: BuiltSite, watch: Watch) -> None:
    page = watch.page
    module = site.content_url(CURRICULUM_SRC)
    for target in ("patterns/stuck-client/", "cards/defend-the-therapy-process/",
                   "patterns/hopelessness-behind-stuck/"):
        page.goto(module)
        click_link_to(page, "article a.cardkb-link", site.url(target))
        assert heading(page)
    page.goto(module)
    assert page.locator("a.cardkb-link", has_text="defending the therapy").count() == 1
    # the embedded card shows its sign and opens the card
    embed = page.locator(".cardkb-embed--card").first
    assert page.locator(".cardkb-embed--card").count() == 2
    assert embed.locator(".cardkb-cue").inner_text().startswith("The sign:")
    click_link_to(page, ".cardkb-embed--card .cardkb-embed-title a >> nth=0",
                  site.url("cards/name-the-meta-problem/"))
    # an outside link stays a link: it is there, and nothing was loaded from it
    page.goto(module)
    assert page.locator('a[href="https://handbook.example/stuck"]').count() == 1
    watch.assert_clean("the curriculum page")


def pages_of_every_kind(site: Path) -> list[Path]:
    """Every page of a build but the pattern and card pages beyond one of each kind.

    Each pattern page comes from one template, and so does each card page; their text is
    rendered with raw HTML switched off, so a pattern, a pattern with a safety note, a card that
    backfires and one that works (page_types.py) load what all of them load. Every other page
    (hand-written ones may hold raw HTML), every redirect page and the error page stay.
    """
    kinds = {PAGE_TYPES[kind].rstrip("/") for kind in
             ("pattern", "pattern with a safety note", "card that backfires", "card that works")}
    chosen = []
    for file in html_pages(site):
        parts = file.relative_to(site).parts
        one_of_many = len(parts) == 3 and parts[0] in {"patterns", "cards"}
        if not one_of_many or "/".join(parts[:2]) in kinds or is_redirect(file):
            chosen.append(file)
    return chosen


def test_every_kind_of_page_loads_with_nothing_from_outside(site: BuiltSite,
                                                            watch: Watch) -> None:
    page = watch.page
    pages = pages_of_every_kind(site.root)
    assert len([file for file in pages if file.parent.parent.name in {"patterns", "cards"}
                and not is_redirect(file)]) == 4, "a kind of pattern or card page is missing"
    error_page = site.root / "404.html"
    loaded = 0
    for file in pages:
        if file == error_page:
            continue
        visit(page, site.url_of(file), file)
        loaded += 1
    assert loaded == len(pages) - 1
    assert any(is_redirect(file) for file in pages), "the fixture's redirect page is missing"
    watch.assert_clean("every kind of page")
    if not site.offline:
        strays = [url for url in watch.requests if not url.startswith(site.base)]
        assert not strays, f"requests outside the site's sub-path {site.base}: {strays}"
    # the former id of a card sends its readers on
    visit(page, site.url(f"cards/{ALIAS[1]}/"),
          site.root / "cards" / ALIAS[1] / "index.html")
    assert same_page(page.url, site.url(f"cards/{ALIAS[0]}/"))

    # MkDocs writes 404.html for a server's root (it loads /assets/...), so under a sub-path or
    # from disk only this holds: it asks nothing of the outside world either.
    watch.reset()
    page.goto(site.url_of(error_page))
    page.wait_for_load_state()
    assert not watch.outside, watch.outside


def test_the_outside_link_of_a_source_is_a_link_only(site: BuiltSite, watch: Watch) -> None:
    page = watch.page
    page.goto(site.url(f"patterns/{PRINT_PATTERN}/"))
    assert page.locator(f'a[href="{OUTSIDE_SOURCE_URL}"]').count() == 1
    assert not [url for url in watch.requests if "guide.example" in url]
    watch.assert_clean()


@pytest.fixture(scope="module")
def instant_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A build with Material's instant navigation on, served under /kb/.

    Instant navigation follows only the site's own addresses, which it reads from sitemap.xml,
    so this build knows where it is served (``site_url``).
    """
    project = make_project(tmp_path_factory.mktemp("instant") / "cardkb")
    site = project.parent / "site"
    with serve(site) as url:
        config = project / "mkdocs.yml"
        text = config.read_text("utf-8")
        assert text.count("  features:\n") == 1
        config.write_text(f"site_url: {url}\n" + text.replace(
            "  features:\n", "  features:\n    - navigation.instant\n"), "utf-8")
        built(project, site, in_process=True)
        yield url


def test_the_sign_finder_works_with_instant_navigation(instant_url: str, watch: Watch) -> None:
    """With instant navigation pages are swapped in without a reload: the filter still appears
    on the signs page, however the reader gets there."""
    page = watch.page
    page.goto(instant_url)
    page.evaluate("window.__sameDocument = true")
    page.locator(".md-nav--primary a", has_text="Sign finder").first.click()
    page.wait_for_url(f"{instant_url}signs/")
    box = page.locator("#cardkb-filter-input")
    box.wait_for()
    assert page.evaluate("window.__sameDocument") is True, "instant navigation did not engage"
    box.press_sequentially(FIXTURE_SIGN_QUERY, delay=10)
    assert visible_signs(page) == [FIXTURE_SIGN]
    page.locator(".cardkb-sign-list li:visible a").first.click()
    page.wait_for_url(lambda url: same_page(url, f"{instant_url}patterns/{PRINT_PATTERN}/"))
    page.go_back()
    page.wait_for_url(f"{instant_url}signs/")
    # As a reader would: type once the page has settled and the filter is wired up again.
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".cardkb-filter[data-cardkb-ready=true] #cardkb-filter-input")
    box.fill("xylophone")
    page.wait_for_function(
        "document.querySelector('.cardkb-filter').dataset.cardkbShown === '0'")
    assert visible_signs(page) == []
    assert page.evaluate("window.__sameDocument") is True
    watch.assert_clean("instant navigation")
