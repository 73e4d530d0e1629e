"""A pattern page prints as a handout a supervisee can take away, checked on the PDF Chromium
prints.

Content only (no header, navigation or search); compact (about half the ten A4 sheets it once
took, with no text under 10 pt); every sheet headed by the pattern's title and the date and
footed by the disclaimer; each card's title kept with its card; wording labelled by verdict;
links spelled out: outside ones inline, cards on the same handout as "(below)", other pages of
the site as numbered references listed with their addresses. Every pattern's handout, not only the
one examined closely, keeps to the same limits of length and text size, and prints its safety note
as the page shows it: the numbered steps first, then the explanation.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import unicodedata
from collections import Counter
from typing import Any

import pytest
from browser_kit import OUTSIDE_SOURCE_URL, PRINT_PATTERN, REPO, Watch, watching
from pypdf import PdfReader

#: Material's page furniture that a handout leaves out
FURNITURE = [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
             ".md-search", ".md-footer", ".md-top", ".md-content__button", ".headerlink",
             ".cardkb-open"]
#: the pattern page printed on ten A4 sheets before the handout was made compact
SHEETS_BEFORE = 10
SMALLEST_TEXT_PT = 10
#: every pattern the repository ships, each printed as a handout
PATTERNS = sorted(folder.name for folder in (REPO / "cards").iterdir()
                  if (folder / "pattern.yml").is_file())


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
                        start: whole.slice(0, 40)};
            });
            const articleText = text(article);
            const nav = [...document.querySelectorAll(".md-nav--primary .md-nav__link")]
                .map((link) => link.textContent.trim())
                .filter((label) => label && !articleText.includes(label));
            const shown = furniture.filter((selector) =>
                [...document.querySelectorAll(selector)].some((el) => el.checkVisibility()));
            const elsewhere = [...article.querySelectorAll("a[data-cardkb-ref]")]
                .filter((a) => a.checkVisibility()).map((a) => a.href.replace(/index\\.html$/, ""));
            return {title: text(article.querySelector("h1")).trim(), cards, nav, shown, elsewhere,
                    disclaimer: text(document.querySelector(".cardkb-disclaimer")).trim()};
        }""", FURNITURE)
        pdf = page.pdf(format="A4", print_background=True)
        watch.assert_clean("printing")
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    return expected, pages, reader


def test_the_handout_is_content_only(handout: Any) -> None:
    expected, pages, _ = handout
    assert expected["shown"] == [], f"printed although a handout leaves it out: {expected['shown']}"
    assert expected["nav"], "no navigation labels found to look for"
    printed = "\n".join(pages)
    for label in expected["nav"]:
        assert label not in printed, f"the navigation ({label!r}) was printed"
    assert squeeze(expected["disclaimer"]) in squeeze(printed), "the disclaimer was not printed"


def test_every_sheet_carries_the_title_the_date_and_the_disclaimer(handout: Any) -> None:
    expected, pages, _ = handout
    today = datetime.date.today().isoformat()
    for number, text in enumerate(pages, 1):
        where = f"sheet {number} of {len(pages)}"
        assert squeeze(expected["title"]) in squeeze(text), f"{where} has no title"
        assert today in text, f"{where} has no date"
        assert squeeze(expected["disclaimer"]) in squeeze(text), f"{where} has no disclaimer"
        assert f"{number}/{len(pages)}" in squeeze(text), f"{where} has no page number"


def test_the_handout_is_compact_and_readable(handout: Any) -> None:
    _, pages, reader = handout
    assert_compact_and_readable(pages, reader)


def assert_compact_and_readable(pages: list[str], reader: Any) -> None:
    """About half the sheets the page once took, none but the last mostly blank, no text under
    10 pt."""
    assert len(pages) <= math.ceil(SHEETS_BEFORE * 0.6), f"{len(pages)} sheets"
    sizes: Counter[float] = Counter()

    def measure(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
            sizes[round(size * scale, 1)] += len(text.strip())

    for number, page in enumerate(reader.pages, 1):
        page.extract_text(visitor_text=measure)
        if number < len(pages):  # no sheet but the last is left mostly blank
            assert len(pages[number - 1]) > 0.6 * max(map(len, pages)), (
                f"sheet {number} is mostly blank")
    assert sizes and min(sizes) >= SMALLEST_TEXT_PT, f"text sizes in pt: {sorted(sizes)}"


def test_each_cards_title_stays_with_its_card(handout: Any) -> None:
    expected, pages, _ = handout
    assert len(expected["cards"]) >= 4
    squeezed = [squeeze(text) for text in pages]
    for card in expected["cards"]:
        parts = [squeeze(card["title"]), squeeze(card["start"])]
        assert any(all(part in text for part in parts) for text in squeezed), (
            f"the card {card['title']!r} is cut off from its title (or missing)")


def test_printed_wording_is_labelled(handout: Any) -> None:
    _, pages, _ = handout
    printed = "\n".join(pages)
    assert re.search(r"Tends to backfire: “", printed), "no backfiring wording is labelled"
    assert re.search(r"Try: “", printed), "no wording to try is labelled"


def test_links_are_shown_usefully(handout: Any) -> None:
    expected, pages, _ = handout
    printed = squeeze("\n".join(pages))
    # an outside link is spelled out next to its text, so it can be typed from paper
    assert squeeze(f"({OUTSIDE_SOURCE_URL})") in printed
    # a card on the same handout is referred to there
    assert "(below)" in printed
    # a page elsewhere on the site is a numbered reference, its address listed once at the end
    assert expected["elsewhere"], "no link to another page of the site to check"
    assert "Linksinthishandout" in printed
    for address in set(expected["elsewhere"]):
        assert squeeze(address) in printed, f"{address} is not printed"
    assert "../" not in printed and "index.html" not in printed


def test_printing_requests_nothing(watch: Watch, web_url: str) -> None:
    """Print styles load nothing of their own (no print-only fonts or images from outside)."""
    page = watch.page
    page.emulate_media(media="print")
    page.goto(f"{web_url}patterns/{PRINT_PATTERN}/")
    page.pdf(format="A4")
    watch.assert_clean("printing")


def test_a_copy_opened_from_disk_prints_the_same_running_head_and_foot(
        offline_site: Any, browser: Any) -> None:
    """From a shared drive (file://) the site's style sheets are closed to scripts; the running
    head and foot still print, and nothing fails."""
    with watching(browser) as watch:
        page = watch.page
        page.goto((offline_site / "patterns" / PRINT_PATTERN / "index.html").as_uri())
        title = page.locator("article h1").evaluate(
            "(h1) => [...h1.childNodes].filter((n) => !n.classList?.contains('headerlink'))"
            ".map((n) => n.textContent).join('').trim()")
        pdf = page.pdf(format="A4")
        watch.assert_clean("printing from disk")
    pages = [sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages]
    today = datetime.date.today().isoformat()
    assert all(squeeze(title) in squeeze(text) and today in text for text in pages)


@pytest.mark.parametrize("sheet", ["client", "supervisor"])
def test_practice_sheets_carry_the_title_the_date_and_the_disclaimer_on_every_sheet(
        sheet: str, web_url: str, browser: Any) -> None:
    """The practice sheets of a pattern (practice/<pattern>/client/ and .../supervisor/), for
    practice in threes: every printed sheet says what it is, when it was printed, and the
    disclaimer; the client's sheet holds the statements only, the supervisor's the answers."""
    with watching(browser) as watch:
        page = watch.page
        page.goto(f"{web_url}practice/{PRINT_PATTERN}/{sheet}/")
        page.emulate_media(media="print")
        title = page.locator("article h1").evaluate(
            "(h1) => [...h1.childNodes].filter((n) => !n.classList?.contains('headerlink'))"
            ".map((n) => n.textContent).join('').trim()")
        disclaimer = page.locator(".cardkb-disclaimer").inner_text().strip()
        statements = page.locator(".cardkb-sheet__says").all_inner_texts()
        pdf = page.pdf(format="A4", print_background=True)
        watch.assert_clean(f"printing the {sheet}'s practice sheet")
    pages = [text.extract_text() for text in PdfReader(io.BytesIO(pdf)).pages]
    today = datetime.date.today().isoformat()
    assert sheet in title and len(statements) >= 3
    for number, text in enumerate(pages, 1):
        where = f"sheet {number} of {len(pages)}"
        assert squeeze(title) in squeeze(text), f"{where} has no title"
        assert today in text, f"{where} has no date"
        assert squeeze(disclaimer) in squeeze(text), f"{where} has no disclaimer"
    printed = squeeze("\n".join(pages))
    assert all(squeeze(statement) in printed for statement in statements)
    assert ("Agoodreply:" in printed) == (sheet == "supervisor")


@pytest.fixture(scope="module")
def every_handout(web_url: str, browser: Any) -> dict[str, Any]:
    """Each pattern page printed to PDF, with its safety note as the page shows it."""
    printed: dict[str, Any] = {}
    with watching(browser) as watch:
        page = watch.page
        page.emulate_media(media="print")
        for pattern_id in PATTERNS:
            page.goto(f"{web_url}patterns/{pattern_id}/")
            note = page.evaluate("""() => {
                const note = document.querySelector("article .cardkb-safety");
                if (!note) return null;
                const first = note.querySelector(":scope > .admonition-title + *");
                const list = note.querySelector(":scope > ol");
                const after = list ? [...note.querySelectorAll(":scope > ol ~ details > p")] : [];
                return {first: first ? first.tagName : "",
                        steps: list ? [...list.children].map((li) => li.innerText.trim()) : [],
                        explanation: after.length ? after[0].innerText.trim() : ""};
            }""")
            pdf = page.pdf(format="A4", print_background=True)
            reader = PdfReader(io.BytesIO(pdf))
            printed[pattern_id] = (note, [sheet.extract_text() for sheet in reader.pages], reader)
        watch.assert_clean("printing every pattern")
    return printed


@pytest.mark.parametrize("pattern_id", PATTERNS)
def test_every_patterns_handout_is_compact_and_readable(every_handout: dict[str, Any],
                                                         pattern_id: str) -> None:
    _, pages, reader = every_handout[pattern_id]
    assert_compact_and_readable(pages, reader)


@pytest.mark.parametrize("pattern_id", PATTERNS)
def test_a_printed_safety_note_keeps_its_steps_first(every_handout: dict[str, Any],
                                                     pattern_id: str) -> None:
    note, pages, _ = every_handout[pattern_id]
    if note is None:
        pytest.skip("no safety note")
    assert note["first"] == "OL", "the note does not open with its numbered steps"
    assert 1 <= len(note["steps"]) <= 3 and note["explanation"]
    printed = squeeze("\n".join(pages))
    places = [printed.find(squeeze(text)[:60]) for text in [*note["steps"], note["explanation"]]]
    assert -1 not in places, f"not printed whole: {places}"
    assert places == sorted(places), "the steps are not printed first, in order"
    assert places[0] < printed.find("Signs"), "the safety note is not printed before the signs"
