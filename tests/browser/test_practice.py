"""``practice/`` in Chromium, as a trainee uses it on a phone and at a desk.

A statement appears at the chosen level; the trainee types a reply; "Show" reveals the answer one
step at a time (what a good reply does, how it can sound and why, what tends to backfire), and
nothing of it is visible before; a rating moves the level. What is typed stays in the browser,
kept only when the trainee asks. Runs on the repository's own knowledge base.
"""

from __future__ import annotations

import json
from typing import Any

from axe import axe_violations
from browser_kit import DESKTOP, PHONE, BuiltSite, Watch, watching

PROMPT = "[data-cardkb-prompt]"
REVEAL = "[data-cardkb-reveal]"
ANSWERS = "[data-cardkb-answer]"
PATTERN = "stuck-client"
#: a card of that pattern with prompts, and its criteria (README's example of a card's practice)
CARD = "name-the-meta-problem"
STORE = "cardkb-practice-replies"



def _data(site_root: Any) -> dict[str, Any]:
    text = (site_root / "practice" / "index.js").read_text("utf-8")
    data: dict[str, Any] = json.loads(text.removeprefix("window.cardkbPractice=").rstrip()[:-1])
    return data


def _shown(page: Any) -> list[bool]:
    return [bool(x) for x in page.locator(ANSWERS).evaluate_all(
        "els => els.map((el) => el.checkVisibility())")]


def _prompt(page: Any) -> tuple[str, str]:
    prompt = page.locator(PROMPT)
    return (str(prompt.get_attribute("data-cardkb-prompt")),
            str(prompt.get_attribute("data-cardkb-level")))


def _wait_for_prompt(page: Any) -> None:
    page.wait_for_function("""() => {
        const p = document.querySelector("[data-cardkb-prompt]");
        return p && p.getAttribute("data-cardkb-prompt") !== "";
    }""")


def test_a_prompt_typing_reveal_in_order_and_rating(screen: Watch, web_url: str,
                                                    web_site: Any) -> None:
    data = _data(web_site)
    page = screen.page
    screen.reset()
    page.goto(web_url + "practice/")
    _wait_for_prompt(page)
    page.select_option("#cardkb-practice-pattern", PATTERN)
    page.select_option("#cardkb-practice-level", "beginner")
    key, level = _prompt(page)
    assert level == "beginner"
    card_id, prompt_id = key.split("/")
    card = data["cards"][card_id]
    pattern_index = next(i for i, p in enumerate(data["patterns"]) if p["id"] == PATTERN)
    assert pattern_index in card["patterns"]
    prompt = next(p for p in data["prompts"] if (p["card"], p["id"]) == (card_id, prompt_id))
    assert prompt["level"] == "beginner"
    assert prompt["says"] in page.locator(PROMPT).inner_text()

    # nothing of the answer shows before it is revealed
    assert _shown(page) == [False, False, False]
    before = page.locator("body").inner_text()
    assert card["criteria"] not in before and card["wording"][0] not in before

    reply = page.locator("#cardkb-practice-reply")
    reply.click()
    reply.press_sequentially("That sounds really discouraging.", delay=5)
    assert reply.input_value() == "That sounds really discouraging."
    page.locator(REVEAL).click()
    assert _shown(page) == [True, False, False]
    assert card["criteria"] in page.locator('[data-cardkb-answer="criteria"]').inner_text()
    assert card["wording"][0] not in page.locator("body").inner_text()
    page.locator(REVEAL).click()
    assert _shown(page) == [True, True, False]
    assert card["wording"][0] in page.locator('[data-cardkb-answer="example"]').inner_text()
    page.locator(REVEAL).click()
    assert _shown(page) == [True, True, True]
    contrast = page.locator('[data-cardkb-answer="contrast"]').inner_text()
    for other in card["contrast"]:
        assert data["contrasts"][other]["title"] in contrast
    assert page.locator(REVEAL).is_disabled()
    # nothing typed was kept
    assert page.evaluate(f"() => localStorage.getItem('{STORE}')") is None

    # too easy: the next statement is a level up, its answer hidden again
    page.get_by_role("button", name="Too easy").click()
    key_2, level_2 = _prompt(page)
    assert level_2 == "intermediate" and key_2 != key
    assert _shown(page) == [False, False, False]
    assert reply.input_value() == ""
    page.get_by_role("button", name="About right").click()
    assert _prompt(page)[1] == "intermediate"
    page.get_by_role("button", name="Too hard").click()
    assert _prompt(page)[1] == "beginner"
    screen.assert_clean("practising")


def test_a_cards_own_practice_and_the_keyboard(site: BuiltSite, browser: Any) -> None:
    """practice/?card=ID starts with that card's prompts, served or opened from disk; the
    keyboard alone reaches the reply, the reveal and the ratings."""
    with watching(browser, **DESKTOP) as watch:
        page = watch.page
        page.goto(site.url("practice/") + f"?card={CARD}")
        _wait_for_prompt(page)
        assert _prompt(page)[0].startswith(f"{CARD}/")
        page.locator("#cardkb-practice-reply").focus()
        page.keyboard.type("I hear you.")
        page.keyboard.press("Tab")  # the box that keeps replies
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.hasAttribute('data-cardkb-reveal')")
        page.keyboard.press("Enter")
        assert _shown(page) == [True, False, False]
        page.keyboard.press("Enter")
        assert _shown(page) == [True, True, False]
        # the card page links here
        page.goto(site.url(f"cards/{CARD}/"))
        link = page.locator(".cardkb-practice-link a")
        link.click()
        _wait_for_prompt(page)
        assert _prompt(page)[0].startswith(f"{CARD}/")
        watch.assert_clean("a card's own practice")


def test_replies_are_kept_only_when_the_trainee_asks(web_url: str, browser: Any) -> None:
    with watching(browser, **PHONE) as watch:
        page = watch.page
        page.goto(web_url + f"practice/?card={CARD}")
        _wait_for_prompt(page)
        reply = page.locator("#cardkb-practice-reply")
        reply.fill("Not kept")
        reply.dispatch_event("input")
        assert page.evaluate(f"() => localStorage.getItem('{STORE}')") is None
        page.locator("#cardkb-practice-keep").check()
        reply.fill("Kept on this device")
        reply.dispatch_event("input")
        page.reload()
        _wait_for_prompt(page)
        assert page.locator("#cardkb-practice-keep").is_checked()
        assert reply.input_value() == "Kept on this device"
        page.locator("#cardkb-practice-keep").uncheck()
        assert page.evaluate(f"() => localStorage.getItem('{STORE}')") is None
        watch.assert_clean("keeping replies")


def test_practice_is_accessible_with_every_step_shown(screen: Watch, web_url: str,
                                                      axe_script: str) -> None:
    page = screen.page
    page.goto(web_url + "practice/")
    _wait_for_prompt(page)
    for _ in range(3):
        page.locator(REVEAL).click()
    violations = axe_violations(page, axe_script)
    assert not violations, "\n".join(map(str, violations))


def test_only_the_practice_page_asks_for_the_practice_script(screen: Watch,
                                                             web_url: str) -> None:
    """The script is practice/'s alone: on the finder, in the header's path of every search, it
    cost a phone about 0.15 s before the first results (Lighthouse, median of three)."""
    page = screen.page
    for address in ("", "find/?q=she%20keeps%20cancelling", f"cards/{CARD}/"):
        screen.reset()
        page.goto(web_url + address)
        page.wait_for_load_state("load")
        assert not [url for url in screen.requests if "practice" in url], address
    screen.reset()
    page.goto(web_url + "practice/")
    _wait_for_prompt(page)
    assert any(url.endswith("/assets/practice/practice.js") for url in screen.requests)
    screen.assert_clean("practice/")
