"""Accessibility, checked in Chromium: axe-core on every kind of page, and the keyboard paths a
supervisor takes mid-session (the sign filter, the phone's side menu).

axe-core's serious and critical violations fail the test, on a desktop and on a phone screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe import axe_violations
from browser_kit import PHONE, Watch, same_page, watching
from page_types import PAGE_TYPES


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_serious_accessibility_violation(kind: str, screen: Watch, web_url: str,
                                            axe_script: str) -> None:
    page = screen.page
    page.goto(web_url + PAGE_TYPES[kind])
    page.wait_for_load_state("load")
    violations = axe_violations(page, axe_script)
    assert not violations, f"{kind} ({PAGE_TYPES[kind]}):\n" + "\n".join(map(str, violations))


def focused(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {id: el.id, tag: el.tagName, inDrawer: !!el.closest(".md-sidebar--primary"),
                text: (el.textContent || "").trim().slice(0, 60),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1};
    }"""))


def test_the_sign_filter_by_keyboard(watch: Watch, web_url: str) -> None:
    """"/" goes to the filter from anywhere on the page, the focus shows, and Enter opens the
    first sign still listed."""
    page = watch.page
    page.goto(web_url + "signs/")
    page.locator(".cardkb-filter[data-cardkb-ready]").wait_for()
    page.keyboard.press("/")
    now = focused(page)
    assert now["id"] == "cardkb-filter-input", f"'/' focused {now} instead of the sign filter"
    assert now["outline"], "the focused filter shows no focus ring"
    page.keyboard.type("cancel")
    first = page.locator(".cardkb-sign-list li:visible a").first
    expected = first.evaluate("(a) => a.href")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: same_page(url, expected))
    watch.assert_clean("the sign filter")


def test_the_sign_filter_is_the_first_stop_after_skipping_to_the_content(
        watch: Watch, web_url: str) -> None:
    page = watch.page
    page.goto(web_url + "signs/")
    page.locator(".cardkb-filter[data-cardkb-ready]").wait_for()
    page.keyboard.press("Tab")
    assert "skip" in focused(page)["text"].lower(), "the first Tab does not reach the skip link"
    page.keyboard.press("Enter")
    stops = []
    for _ in range(2):  # past the title's permalink
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1]["id"] == "cardkb-filter-input":
            break
    assert stops[-1]["id"] == "cardkb-filter-input", f"after the skip link, Tab reached {stops}"


def test_the_closed_phone_menu_is_out_of_the_tab_order(browser: Any, web_url: str) -> None:
    with watching(browser, **PHONE) as watch:
        page = watch.page
        page.goto(web_url + "patterns/stuck-client/")
        stops = []
        for _ in range(25):
            page.keyboard.press("Tab")
            stops.append(focused(page))
        in_menu = [stop["text"] for stop in stops if stop["inDrawer"]]
        assert not in_menu, f"Tab walks through the closed side menu: {in_menu}"
        # opened, the menu is reachable again
        page.locator("label.md-header__button[for='__drawer']").click()
        page.locator(".md-sidebar--primary .md-nav__link").first.wait_for(state="visible")
        page.locator(".md-sidebar--primary a.md-nav__link").first.focus()
        assert focused(page)["inDrawer"]


@pytest.mark.parametrize("kind", ["pattern", "card that backfires", "card that works"])
def test_each_navigation_landmark_has_a_name_of_its_own(kind: str, watch: Watch, web_url: str,
                                                        axe_script: str) -> None:
    """Material's sections with an index page left their <nav> nameless (axe-core's moderate
    landmark-unique); overrides/partials/nav-item.html names each after its section."""
    page = watch.page
    page.goto(web_url + PAGE_TYPES[kind])
    found = axe_violations(page, axe_script, impacts=("minor", "moderate", "serious", "critical"))
    assert not [v for v in found if v.rule == "landmark-unique"], list(map(str, found))
