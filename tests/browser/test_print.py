"""A pattern page prints as a clean handout, checked on the PDF Chromium prints.

Content only (no header, navigation or search), every card whole on one page, outside links
spelled out, the disclaimer kept.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pytest
from browser_kit import OUTSIDE_SOURCE_URL, PRINT_PATTERN, Watch, watching
from pypdf import PdfReader

#: Material's page furniture that a handout leaves out
FURNITURE = [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
             ".md-search", ".md-footer", ".md-top", ".md-content__button", ".headerlink",
             ".cardkb-open"]


def squeeze(text: str) -> str:
    """Text compared across HTML and PDF: no spacing, no quotation marks, ligatures undone."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u00ad“”\"]+", "", text)


@pytest.fixture(scope="module")
def handout(web_url: str, browser: Any) -> Any:
    """The pattern page, printed to PDF in Chromium, and what the page said it should hold."""
    with watching(browser) as watch:
        page = watch.page
        page.goto(f"{web_url}patterns/{PRINT_PATTERN}/")
        page.emulate_media(media="print")
        expected = page.evaluate("""(furniture) => {
            const article = document.querySelector("article");
            const text = (el) => el ? el.innerText : "";
            const cards = [...article.querySelectorAll(".cardkb-card")].map((card) => {
                const title = card.previousElementSibling;
                const whole = text(card).trim();
                return {title: title && title.tagName === "H3" ? text(title) : "",
                        start: whole.slice(0, 60), end: whole.slice(-60),
                        breakInside: getComputedStyle(card).breakInside};
            });
            const articleText = text(article);
            const nav = [...document.querySelectorAll(".md-nav--primary .md-nav__link")]
                .map((link) => link.textContent.trim())
                .filter((label) => label && !articleText.includes(label));
            const shown = furniture.filter((selector) =>
                [...document.querySelectorAll(selector)].some((el) => el.checkVisibility()));
            return {title: text(article.querySelector("h1")).trim(), cards, nav, shown,
                    disclaimer: text(document.querySelector(".cardkb-disclaimer")).trim()};
        }""", FURNITURE)
        pdf = page.pdf(format="A4", print_background=True)
        watch.assert_clean("printing")
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    return expected, pages


def test_the_handout_is_content_only(handout: Any) -> None:
    expected, pages = handout
    assert expected["shown"] == [], f"printed although a handout leaves it out: {expected['shown']}"
    assert expected["nav"], "no navigation labels found to look for"
    printed = "\n".join(pages)
    for label in expected["nav"]:
        assert label not in printed, f"the navigation ({label!r}) was printed"
    # the handout starts with the pattern's title: nothing printed above it
    assert pages[0].lstrip().startswith(expected["title"]), pages[0][:200]
    assert squeeze(expected["disclaimer"]) in squeeze(printed), "the disclaimer was not printed"


def test_no_card_is_split_across_pages(handout: Any) -> None:
    expected, pages = handout
    assert len(pages) >= 3, "too short a handout to show anything about page breaks"
    assert len(expected["cards"]) >= 4
    squeezed = [squeeze(text) for text in pages]
    for card in expected["cards"]:
        assert card["breakInside"] == "avoid", card["title"]
        parts = [squeeze(card[key]) for key in ("title", "start", "end") if card[key]]
        holding = [index for index, text in enumerate(squeezed)
                   if all(part in text for part in parts)]
        assert holding, f"the card {card['title']!r} is split across pages (or missing)"


def test_links_are_shown_usefully(handout: Any) -> None:
    _, pages = handout
    printed = squeeze("\n".join(pages))
    # an outside link is spelled out next to its text, so it can be typed from paper
    assert squeeze(f"({OUTSIDE_SOURCE_URL})") in printed
    # links within the site print as their titles, never as bare relative addresses
    assert "../" not in printed and "index.html" not in printed


def test_printing_requests_nothing(watch: Watch, web_url: str) -> None:
    """Print styles load nothing of their own (no print-only fonts or images from outside)."""
    page = watch.page
    page.emulate_media(media="print")
    page.goto(f"{web_url}patterns/{PRINT_PATTERN}/")
    page.pdf(format="A4")
    watch.assert_clean("printing")
