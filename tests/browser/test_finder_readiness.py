"""find/ says which ranking its results come from, so a benchmark reads the finished answer.

The finder shows results from words first and ranks again once its meaning model has loaded;
``make bench-search`` (tools/bench_search.py) waits for ``data-cardkb-meaning="ready"`` beside
``data-cardkb-query`` before it reads the results.
"""

from __future__ import annotations

from urllib.parse import quote

from browser_kit import Watch

QUERY = "homework never gets done"


def test_results_say_when_words_and_meaning_have_both_ranked(watch: Watch, web_url: str) -> None:
    page = watch.page
    page.goto(f"{web_url}find/?q={quote(QUERY)}")
    results = page.locator("[data-cardkb-results]")
    page.wait_for_function(
        "q => { const list = document.querySelector('[data-cardkb-results]');"
        " return list.getAttribute('data-cardkb-query') === q"
        " && list.getAttribute('data-cardkb-meaning') === 'ready'; }", arg=QUERY)
    assert results.locator("[data-cardkb-result]").count() > 0
    assert "meaning is still loading" not in page.locator("#cardkb-find-status").inner_text()
    watch.assert_clean("find/ with its meaning model")
