"""Card text is data (issue 11): payloads in every field never run, in a real browser.

A payload goes into every plain-text and Markdown field of a pattern and of one of its cards,
and into the link texts of a content page; the site is built as users build it and every page
that shows them is opened in Chromium. The test fails if any script runs (``alert`` and its
kin are replaced by recorders before any page script, and dialogs are recorded too), or if any
``on*`` attribute or any ``javascript:``, ``data:`` or ``vbscript:`` URL reaches the DOM. URLs
are judged as the browser reads them: the DOM holds attribute values with character references
already decoded, and control characters and whitespace are dropped before the scheme is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    RESULTS,
    BuiltSite,
    Watch,
    built,
    make_project,
    search,
    serve,
    watching,
)

PATTERN = "stuck-client"
#: a word of the payload title, to find it by search
MARKER = "Payloadmarker"
#: every way out of plain text the engine, Markdown, MkDocs or Material might miss
TEXT = (f'{MARKER} A & B "q" \'s\' <img src=x onerror=alert(1)><script>alert(2)</script>'
        "<svg onload=alert(3)> &lt;script&gt;alert(4)&lt;/script&gt; {: onclick=alert(5) } "
        "</title></textarea></style>--> {{ 7*7 }} &#60;img src=x onerror=alert(6)&#62;")
#: and links that a careless guard would let through
MARKDOWN = (TEXT + " [a](java&#115;cript:alert(7)) [b](&#106;avascript:alert(8)) "
            "[c](javascript&#58;alert(9)) [d](data:text/html,<script>alert(10)</script>) "
            "[e](vbscript:msgbox(11)) <javascript:alert(12)> ![f](javascript:alert(13)) "
            "[g](JaVaScRiPt:alert(14)) [h](java&Tab;script:alert(15)) "
            "[i](javascript&colon;alert(16)) [j][ref]\n\n[ref]: java&#x73;cript:alert(17)\n")
#: link texts cannot hold brackets or a line break
LINK_TEXT = TEXT.replace("[", "(").replace("]", ")")

RECORDER = """
window.__cardkbScripts = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__cardkbScripts.push(name + "(" + args.join(",") + ")"); };
}
"""

FIND_ACTIVE = """() => {
  const found = [];
  const clean = (value) => value.replace(/[\\u0000-\\u0020\\u007f]+/g, "").toLowerCase();
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = clean(attribute.value);
      if (name.startsWith("on")) {
        found.push(`${element.tagName} ${name}="${attribute.value}"`);
      }
      if (/^(javascript|data|vbscript):/.test(value)
          && ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc",
              "poster", "background", "content"].includes(name)) {
        found.push(`${element.tagName} ${name}="${attribute.value}"`);
      }
      if (name === "srcset" && /(javascript|data|vbscript):/.test(value)) {
        found.push(`${element.tagName} ${name}="${attribute.value}"`);
      }
    }
    if (["SCRIPT", "IFRAME", "OBJECT", "EMBED"].includes(element.tagName)
        && (element.textContent.includes("alert") || (element.src || "").includes("alert"))) {
      found.push(`${element.tagName}: ${element.outerHTML.slice(0, 120)}`);
    }
  }
  return found;
}"""


def _quoted(text: str) -> str:
    return json.dumps(text)


def _with_payloads(project: Path) -> tuple[str, str]:
    """Payloads in every field of one pattern and one of its cards; their ids."""
    folder = project / "cards" / PATTERN
    card = sorted(p for p in folder.glob("*.yml") if p.name != "pattern.yml")[0]
    text, markdown = _quoted(TEXT), _quoted(MARKDOWN)
    (folder / "pattern.yml").write_text(f"""\
title: {text}
summary: {text}
signs:
  - text: {text}
    seen_in: client
  - {text}
dynamics: {markdown}
shift: {markdown}
safety: {markdown}
related:
  - id: tasks-not-done
    why: {text}
tell_apart:
  - id: hopelessness-behind-stuck
    how: {text}
heard_as: [{text}]
sources: [{markdown}]
review: {{by: {text}, date: 2026-01-10, due: 2026-02-10}}
""", "utf-8")
    original = card.read_text("utf-8")
    verdict = "backfires" if "verdict: backfires" in original else "works"
    instead = re.search(r"^instead:.*(?:\n  - .*)*", original, re.MULTILINE)
    card.write_text(f"""\
title: {text}
verdict: {verdict}
sign: {text}
move: {markdown}
wording: [{text}, {text}]
why: {markdown}
cautions: {markdown}
related:
  - id: tasks-not-done
    why: {text}
sources: [{markdown}]
review: {{by: {text}, date: 2026-01-10, due: 2026-02-10}}
{instead.group(0) if instead else ""}
""", "utf-8")
    page = project / "content" / "curricula" / "payloads.md"
    page.write_text(f"# Payloads\n\nSee [[{PATTERN}]] and [[{card.stem}]], then "
                    f"[[{PATTERN}|{LINK_TEXT}]] and [[{card.stem}|{LINK_TEXT}]].\n\n"
                    f"![[{card.stem}]]\n\n![[{PATTERN}]]\n", "utf-8")
    config = project / "mkdocs.yml"
    settings = config.read_text("utf-8")
    # the payloads look like addresses and numbers: the privacy lint is not what is tested here
    config.write_text(settings.replace("    show_drafts: false\n",
                                       "    show_drafts: false\n    lint_identifiers: false\n"),
                      "utf-8")
    nav = "      - curricula/working-with-stuckness.md\n"
    assert nav in settings
    config.write_text(config.read_text("utf-8").replace(
        nav, nav + "      - curricula/payloads.md\n"), "utf-8")
    return PATTERN, card.stem


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltSite, str]]:
    project = make_project(tmp_path_factory.mktemp("payloads") / "cardkb")
    _pattern, card = _with_payloads(project)
    site = built(project, tmp_path_factory.mktemp("payloads-site") / "site", in_process=True)
    with serve(site) as url:
        yield BuiltSite(site, url, offline=False), card


def _pages(card: str) -> list[str]:
    return ["", f"patterns/{PATTERN}/", f"cards/{card}/", "signs/", "patterns/", "editors/",
            "curricula/payloads/", "curricula/", f"find/?q={MARKER}",
            *[f"cards/{other}/" for other in _siblings(card)]]


def _siblings(card: str) -> list[str]:
    from browser_kit import REPO  # the shipped cards of the pattern, beside the payload card

    return [p.stem for p in sorted((REPO / "cards" / PATTERN).glob("*.yml"))
            if p.name != "pattern.yml" and p.stem != card][:2]


def _recorded(page: Any) -> list[str]:
    return list(page.evaluate("() => window.__cardkbScripts || []"))


def test_payloads_never_run_nor_reach_the_dom(payload_site: tuple[BuiltSite, str],
                                              browser: Any) -> None:
    """In a browser context of its own: the recorder is an init script of the context."""
    with watching(browser) as watch:
        site, card = payload_site
        dialogs: list[str] = []
        watch.context.add_init_script(RECORDER)
        page = watch.context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        problems: dict[str, list[str]] = {}
        shown = 0
        for path in _pages(card):
            page.goto(site.url(path))
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # Material and the finder render after load
            found = [*_recorded(page), *page.evaluate(FIND_ACTIVE)]
            if found:
                problems[path] = found
            shown += MARKER in page.content()
        # the finder draws what it finds in the page: search for the payload's marker from the
        # header box, and wait for its final results (the payload card among them)
        page.goto(site.url(f"patterns/{PATTERN}/"))
        results = search(page, MARKER)
        assert site.url(f"patterns/{PATTERN}/") in results, results
        assert MARKER in page.locator(RESULTS).inner_text()
        if found := [*_recorded(page), *page.evaluate(FIND_ACTIVE)]:
            problems["search"] = found
        assert not dialogs, f"dialogs opened: {dialogs}"
        assert not problems, f"active content reached the page: {problems}"
        assert shown >= 8, f"the payload was shown on only {shown} pages"


def test_payload_text_reads_as_written(payload_site: tuple[BuiltSite, str], watch: Watch) -> None:
    """Escaped once, never twice: a reader sees "A & B", not "A &amp; B"."""
    site, card = payload_site
    page = watch.page
    page.goto(site.url(f"cards/{card}/"))
    title = page.title()
    assert title.startswith(TEXT.split(" {{")[0][:60]), title
    assert "&amp;" not in title
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert description == TEXT
    nav = page.locator(".md-nav__link", has_text=MARKER).first.inner_text()
    assert "A & B" in nav and "&amp;" not in nav
    page.goto(site.url("curricula/payloads/"))
    links = page.locator("a.cardkb-link", has_text="onerror").all_inner_texts()
    assert any(text.strip() == LINK_TEXT.strip() for text in links), links
