"""The path a supervisor takes mid-session, on a laptop and on a phone: from a sign to the safety
note to what works, at a glance; wording that cannot be mistaken; embeds; no sideways scrolling;
the Authoring page documenting itself. Served under /kb/ like an intranet copy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import CURRICULUM_SRC, PHONE, PRINT_PATTERN, Watch, same_page, watching
from page_types import BACKFIRES_CARD, PAGE_TYPES

LABELS = {"backfires": "Tends to backfire", "works": "Try"}


@pytest.fixture(scope="module")
def kb(web_site: Path) -> dict[str, Any]:
    """The knowledge base as the site serves it as data (cards.json)."""
    data = json.loads((web_site / "cards.json").read_text("utf-8"))
    return {"patterns": {p["id"]: p for p in data["patterns"]},
            "cards": {c["id"]: c for c in data["cards"]}}



def test_a_sign_leads_to_its_patterns_safety_note(screen: Watch, web_url: str,
                                                  kb: dict[str, Any]) -> None:
    """From the sign finder, a pattern with a safety note opens with that note on the screen,
    whole, at the size of the text around it."""
    page = screen.page
    safety_patterns = [p for p in kb["patterns"].values() if p.get("safety")]
    assert len(safety_patterns) >= 2
    for pattern in safety_patterns:
        page.goto(web_url + "signs/")
        sign = page.locator(".cardkb-sign-list a").filter(
            has_text=pattern["signs"][0]["text"]).first
        target = sign.evaluate("(a) => a.href")
        assert f"/patterns/{pattern['id']}/" in target
        sign.click()
        page.wait_for_url(lambda url, t=target: same_page(url, t.split("#")[0]))
        page.wait_for_load_state()
        page.wait_for_timeout(100)  # an anchor's scroll lands after the load
        note = page.evaluate("""() => {
            const note = document.querySelector(".cardkb-safety");
            const box = note.getBoundingClientRect();
            const header = document.querySelector(".md-header").getBoundingClientRect().bottom;
            const text = note.querySelector("p:not(.admonition-title)");
            const body = document.querySelector("article .cardkb-summary") ||
                document.querySelector("article > p");
            return {top: box.top, bottom: box.bottom, header, height: innerHeight,
                    size: parseFloat(getComputedStyle(text).fontSize),
                    body: parseFloat(getComputedStyle(document.querySelector(
                        ".md-content .md-typeset")).fontSize)};
        }""")
        where = f"{pattern['id']} from the sign {pattern['signs'][0]['text']!r}: {note}"
        assert note["top"] >= note["header"] - 1 and note["bottom"] <= note["height"], where
        assert note["size"] >= note["body"], f"the safety note is smaller than body text: {where}"


def test_what_works_is_at_a_glance_near_the_top(browser: Any, web_url: str,
                                                kb: dict[str, Any]) -> None:
    """On a phone, every card that works on a pattern's page is a tap away within the first two
    screens, each backfiring move is paired with its alternatives, and those links stay on the
    page."""
    with watching(browser, **PHONE) as watch:
        page = watch.page
        for pattern_id in kb["patterns"]:
            page.goto(f"{web_url}patterns/{pattern_id}/")
            seen = page.evaluate("""() => {
                const cards = [...document.querySelectorAll("section.cardkb-card")].map((card) => ({
                    id: card.previousElementSibling.id,
                    works: card.classList.contains("cardkb-card--works")}));
                const glance = [...document.querySelectorAll(".cardkb-glance a")].map((a) => ({
                    href: a.getAttribute("href"), bottom: a.getBoundingClientRect().bottom
                        + scrollY}));
                const pairs = [...document.querySelectorAll(".cardkb-glance-pair")].map((li) => ({
                    backfires: [...li.querySelectorAll(".cardkb-glance-backfires a")]
                        .map((a) => a.getAttribute("href")),
                    works: [...li.querySelectorAll(".cardkb-glance-works a")]
                        .map((a) => a.getAttribute("href"))}));
                return {cards, glance, pairs, screen: innerHeight};
            }""")
            reachable = {link["href"]: link["bottom"] for link in seen["glance"]}
            for card in seen["cards"]:
                anchor = "#" + card["id"]
                assert anchor in reachable, f"{pattern_id}: {card['id']} is not in the glance"
                if card["works"]:
                    assert reachable[anchor] <= 2 * seen["screen"], (
                        f"{pattern_id}: {card['id']} is {reachable[anchor]:.0f} px down")
                else:
                    pair = next(p for p in seen["pairs"] if p["backfires"] == [anchor])
                    expected = kb["cards"][card["id"]]["links"]
                    assert pair["works"], f"{pattern_id}: {card['id']} has nothing to try instead"
                    assert len(pair["works"]) == len(expected["alternatives"]), card["id"]
        # a backfire's alternative opens the card further down the same page
        page.goto(f"{web_url}patterns/{PRINT_PATTERN}/")
        link = page.locator(".cardkb-glance-works a[href^='#']").first
        anchor = link.get_attribute("href")
        link.click()
        page.wait_for_function("(hash) => location.hash === hash", arg=anchor)
        assert same_page(page.url, f"{web_url}patterns/{PRINT_PATTERN}/")
        box = page.locator(anchor).bounding_box()
        assert box is not None and 0 <= box["y"] < PHONE["viewport"]["height"]
        watch.assert_clean("the glance")


def test_each_card_block_shows_its_move_and_cautions(watch: Watch, web_url: str,
                                                     kb: dict[str, Any]) -> None:
    page = watch.page
    checked = 0
    for pattern_id in kb["patterns"]:
        page.goto(f"{web_url}patterns/{pattern_id}/")
        blocks = page.evaluate("""() => Object.fromEntries(
            [...document.querySelectorAll("section.cardkb-card")].map((card) => [
                card.previousElementSibling.id,
                {move: card.querySelector(".cardkb-move")?.innerText || "",
                 cautions: card.querySelector(".cardkb-cautions")?.innerText || ""}]))""")
        for card_id, block in blocks.items():
            card = kb["cards"][card_id]
            assert first_words(card["move"]) in squeeze(block["move"]), f"{pattern_id}/{card_id}"
            if card.get("cautions"):
                assert first_words(card["cautions"]) in squeeze(block["cautions"]), card_id
                checked += 1
    assert checked >= 5, "too few cards with cautions to show anything"


def squeeze(text: str) -> str:
    return " ".join(text.split())


def first_words(markdown: str) -> str:
    """The first words of a Markdown field, as plain text shows them (no links or emphasis)."""
    words = []
    for word in markdown.split():
        word = word.strip("*_`")  # emphasis shows as plain text
        if any(mark in word for mark in "[]*_`(){}"):
            break
        words.append(word)
        if len(words) == 6:
            break
    assert words, markdown
    return " ".join(words)


def test_the_sidebar_shows_each_cards_verdict(watch: Watch, web_url: str,
                                              kb: dict[str, Any]) -> None:
    page = watch.page
    page.goto(f"{web_url}patterns/{PRINT_PATTERN}/")
    shown = page.evaluate("""() => [...document.querySelectorAll(
            ".md-sidebar--primary a.md-nav__link[href*='cards/']")].map((a) => {
        const status = a.querySelector(".md-status");
        return {href: a.getAttribute("href"), title: a.querySelector(".md-ellipsis").innerText,
                marker: status ? getComputedStyle(status, "::after").content : "",
                hover: status ? status.title : ""};
    })""")
    own = [c for c in kb["cards"].values() if c["pattern"] == PRINT_PATTERN]
    assert len(shown) == len(own) >= 4
    words = {"backfires": "backfires", "works": "works"}
    for link in shown:
        card_id = link["href"].rstrip("/").split("/")[-1].removesuffix("index.html").rstrip("/")
        card = kb["cards"][card_id or link["href"].split("/")[-2]]
        assert words[card["verdict"]] in link["marker"], link
        assert link["hover"] == {"backfires": "Tends to backfire", "works": "Works"}[
            card["verdict"]], link
        assert card["title"] in link["title"]  # the title itself stays plain text


def test_a_backfires_card_puts_what_to_do_instead_on_the_first_screen(
        screen: Watch, web_url: str, kb: dict[str, Any]) -> None:
    page = screen.page
    for card in kb["cards"].values():
        if card["verdict"] != "backfires":
            continue
        page.goto(f"{web_url}cards/{card['id']}/")
        bottom = page.evaluate("""() => {
            const links = document.querySelectorAll("ul.cardkb-alternatives a");
            return [links.length, links.length ?
                links[0].getBoundingClientRect().bottom : Infinity, innerHeight];
        }""")
        assert bottom[0] >= 1, card["id"]
        assert bottom[1] <= bottom[2], f"{card['id']}: what to do instead starts below the screen"


def wordings(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate("""() => [...document.querySelectorAll(
            "article blockquote.cardkb-wording")].map((quote) => {
        const card = quote.closest(".cardkb-card, .cardkb-embed, article");
        const verdict = card.matches(".cardkb-card--backfires") ? "backfires" :
            card.matches(".cardkb-card--works") ? "works" :
            document.querySelector("article .cardkb-verdict--backfires") ? "backfires" : "works";
        const style = getComputedStyle(quote);
        return {verdict, text: quote.innerText.trim(), border: style.borderLeftStyle};
    })"""))


@pytest.mark.parametrize("path", [
    f"patterns/{PRINT_PATTERN}/", f"cards/{BACKFIRES_CARD}/", "cards/name-the-meta-problem/",
    CURRICULUM_SRC.removesuffix(".md") + "/", "curricula/working-with-stuckness/"])
def test_wording_says_whether_it_backfires(path: str, watch: Watch, web_url: str) -> None:
    """Each quotation says in words whether it tends to backfire or is one to try, and the two
    look different in shape, not only in colour."""
    page = watch.page
    page.goto(web_url + path)
    found = wordings(page)
    assert found, path
    borders: dict[str, set[str]] = {"backfires": set(), "works": set()}
    for quote in found:
        assert quote["text"].lstrip("✗✓ ").startswith(LABELS[quote["verdict"]] + ":"), quote
        assert LABELS["works" if quote["verdict"] == "backfires" else "backfires"] + ":" \
            not in quote["text"], quote
        borders[quote["verdict"]].add(quote["border"])
    if borders["backfires"] and borders["works"]:
        assert not borders["backfires"] & borders["works"], borders


def test_embeds_show_alternatives_and_can_show_every_wording(watch: Watch, web_url: str,
                                                             kb: dict[str, Any]) -> None:
    page = watch.page
    page.goto(web_url + CURRICULUM_SRC.removesuffix(".md") + "/")
    embeds = page.evaluate("""() => [...document.querySelectorAll(".cardkb-embed--card")].map(
        (embed) => ({title: embed.querySelector(".cardkb-embed-title").innerText.trim(),
                     wordings: embed.querySelectorAll(".cardkb-wording").length,
                     alternatives: [...embed.querySelectorAll(".cardkb-alternatives a")]
                        .map((a) => a.innerText.trim())}))""")
    by_title = {embed["title"]: embed for embed in embeds}
    backfires = kb["cards"][BACKFIRES_CARD]
    works = kb["cards"]["name-the-meta-problem"]
    # ![[defend-the-therapy-process#wording]]: every wording, and what to try instead
    embed = by_title[backfires["title"]]
    assert embed["wordings"] == len(backfires["wording"]) >= 2
    assert embed["alternatives"] == [kb["cards"][i]["title"]
                                     for i in backfires["links"]["alternatives"]]
    # ![[name-the-meta-problem]]: the first wording only
    assert by_title[works["title"]]["wordings"] == 1 < len(works["wording"])
    watch.assert_clean("embeds")


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Watch]:
    """One phone for every kind of page. Each page is loaded afresh (routing every request, to
    block outside ones, keeps the browser's cache off), and its width depends on nothing the last
    page left behind; a new browser context for each page cost about half a second."""
    with watching(browser, **PHONE) as watch:
        yield watch


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_page_scrolls_sideways_on_a_phone(kind: str, phone: Watch, web_url: str) -> None:
    page = phone.page
    page.goto(web_url + PAGE_TYPES[kind])
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{kind} is {width} px wide on a 390 px screen"
    placeholder = page.evaluate("""() => {
        const input = document.querySelector("#cardkb-filter-input");
        if (!input || input.closest("[hidden]")) return null;
        const probe = document.createElement("span");
        const style = getComputedStyle(input);
        probe.style.font = style.font;
        probe.style.whiteSpace = "pre";
        probe.style.position = "absolute";
        probe.textContent = input.placeholder;
        document.body.append(probe);
        const needed = probe.getBoundingClientRect().width;
        probe.remove();
        return [needed, input.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight)];
    }""")
    if placeholder:
        assert placeholder[0] <= placeholder[1], "the filter's placeholder is cut off"


def test_the_authoring_page_shows_the_pattern_list_marker_as_written(
        watch: Watch, web_url: str) -> None:
    page = watch.page
    page.goto(web_url + "authoring/")
    codes = page.locator("article code").all_inner_texts()
    assert "<!-- cardkb:patterns -->" in codes
    assert page.locator("article .cardkb-pattern-list").count() == 0

