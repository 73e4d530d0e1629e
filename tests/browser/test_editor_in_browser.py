"""The editor in the live preview, played in Chromium by a clinician who never opens a YAML file.

``cardkb preview`` runs on a copy of the repository's site, kept in git as a team would keep it.
The clinician adds a pattern and three cards, links them and publishes them, all in the form;
edits a card's verdict, adds a wording line, picks an id by keyboard, sees the build's problem
beside its field, saves, and sees the page update and the file's diff. ``git diff`` then shows
exactly the lines of the fields that changed, so a colleague's hand edit of the same file shows
only theirs. Requests from anywhere but the preview's own pages are refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe import axe_violations
from browser_kit import REPO, Watch, make_project, previewing, serve, wait_for_article, watching

CARD = "cards/stuck-client/revise-the-treatment-plan.yml"
CARD_PAGE = "cards/revise-the-treatment-plan/"
#: building a page that is new (a new card or pattern) is a whole build
SLOW = 120_000


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@invalid",
                           *args], cwd=project, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """``cardkb preview`` of a copy of the repository's site, in git; its project and address."""
    folder = tmp_path_factory.mktemp("editor")
    project = make_project(folder / "cardkb")
    git(project, "init", "-q")
    git(project, "add", "cards", "content", "mkdocs.yml")
    git(project, "commit", "-qm", "the knowledge base")
    with previewing(project, folder / "preview.log", seconds=120) as url:
        yield project, url


def open_form(page: Any, url: str) -> None:
    page.goto(url)
    page.click("[data-cardkb-edit]")
    page.wait_for_selector("form.cardkb-editor [data-cardkb-save]")


def save(page: Any) -> None:
    """Save, and wait for the preview to show the saved page (with the file's diff)."""
    page.click("[data-cardkb-save]")
    page.wait_for_function("""() => !document.querySelector("form.cardkb-editor")
        || document.querySelector("form.cardkb-editor .cardkb-editor__status")
           .textContent.startsWith("Saved into")""")
    page.wait_for_selector(".cardkb-editor__saved .cardkb-editor__diff", timeout=SLOW)


def create(page: Any, kind: str, title: str, verdict: str | None = None) -> str:
    """New card (on a pattern page) or new pattern (on the patterns list), by its title."""
    page.click(f"[data-cardkb-new={kind}]")
    page.fill(".cardkb-editor__new [name=title]", title)
    if verdict:
        page.select_option(".cardkb-editor__new [name=verdict]", verdict)
    new_id: str = page.input_value(".cardkb-editor__new [name=id]")
    page.click(f"[data-cardkb-create={kind}]")
    page.wait_for_url(f"**/{'cards' if kind == 'card' else 'patterns'}/{new_id}/#edit",
                      timeout=SLOW)
    page.wait_for_selector("form.cardkb-editor [data-cardkb-save]", timeout=SLOW)
    return new_id


def pick(page: Any, name: str, typed: str) -> None:
    """Choose an id in a picker with the keyboard only: type, arrow down, Enter."""
    page.focus(f"[name='{name}']")
    page.keyboard.type(typed)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def fill_card(page: Any, sign: str, move: str, wording: str, why: str) -> None:
    page.fill("[name=sign]", sign)
    page.fill("[name=move]", move)
    page.fill("[name='wording.0']", wording)
    page.fill("[name=why]", why)


def test_a_clinician_adds_a_pattern_and_three_cards_without_yaml(
        preview: tuple[Path, str], watch: Watch) -> None:
    project, url = preview
    page = watch.page
    page.goto(url + "patterns/")
    pattern = create(page, "pattern", "The client falls silent")
    assert pattern == "the-client-falls-silent"
    page.fill("[name=summary]", "Long silences fill the session, and the therapist rushes in.")
    for index, sign in enumerate(["The client looks away and says nothing for a minute.",
                                  "You feel an urge to fill every pause.",
                                  "Sessions end with little said."]):
        page.fill(f"[name='signs.{index}.text']", sign)
    page.fill("[name=dynamics]", "A silence can be thinking, shame or protest; rushing in "
              "decides for the client which it is.")
    page.fill("[name=shift]", "Let the silence be, and wonder about it aloud.")
    save(page)

    cards = {}
    for title, verdict, text in [
            ("Name the silence gently", "works", "Name the pause without pressing."),
            ("Wait with interest", "works", "Stay with the pause, open and unhurried."),
            ("Fill the silence with questions", "backfires", "Ask one question after another.")]:
        page.goto(url + f"patterns/{pattern}/")
        card = create(page, "card", title, verdict)
        cards[card] = verdict
        fill_card(page, "The client stops talking and looks down.", text,
                  "Take your time; I'm here when you're ready.",
                  "It leaves the client room to decide what the silence is.")
        if verdict == "backfires":
            page.click("[data-cardkb-add=instead]")
            pick(page, "instead.0", "Name the silence")
            page.click("[data-cardkb-add=instead]")
            pick(page, "instead.1", "Wait with")
            assert page.input_value("[name='instead.1']") == "wait-with-interest"
        save(page)

    for card in [*cards, pattern]:  # publish: the status cleared, its line removed
        open_form(page, url + ("patterns" if card == pattern else "cards") + f"/{card}/")
        page.select_option("[name=status]", "")
        save(page)

    checked = subprocess.run([sys.executable, "-m", "cardkb.cli", "check"], cwd=project,
                             capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO / "hooks")})
    assert checked.returncode == 0, checked.stdout
    page.goto(url + f"patterns/{pattern}/")
    wait_for_article(page, "Name the silence gently", "Fill the silence with questions",
                     absent=".cardkb-draft, .cardkb-draft-tag")
    backfires = (project / f"cards/{pattern}/fill-the-silence-with-questions.yml").read_text()
    assert "instead:\n  - name-the-silence-gently\n  - wait-with-interest\n" in backfires
    assert "status:" not in backfires and "# yaml-language-server" in backfires
    assert not (project / ".cardkb-unfinished").exists() or not any(
        (project / ".cardkb-unfinished").rglob("*.yml"))
    watch.assert_clean("the clinician's pages")


def test_an_edit_changes_only_its_lines_and_shows_the_diff(preview: tuple[Path, str],
                                                           watch: Watch) -> None:
    project, url = preview
    page = watch.page
    open_form(page, url + CARD_PAGE)
    page.select_option("[name=verdict]", "backfires")
    problem = page.locator("[data-field=instead] .cardkb-editor__problem").first
    problem.wait_for(state="visible")
    assert problem.inner_text() == (f"{CARD}:1:1: a card that backfires needs 'instead': the "
                                    "ids of the cards that work instead")
    page.click("[data-cardkb-add=wording]")
    page.keyboard.type("What would you most like to be different by the summer?")
    page.click("[data-cardkb-add=instead]")
    pick(page, "instead.0", "smallest sign")
    assert page.input_value("[name='instead.0']") == "agree-and-ask-for-the-smallest-sign"
    problem.wait_for(state="hidden")
    save(page)
    wait_for_article(page, "What would you most like to be different by the summer?")
    diff = page.inner_text(".cardkb-editor__diff")
    assert "+verdict: backfires" in diff
    changed = [line for line in git(project, "diff", "--unified=0", "--", CARD).splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [
        "-verdict: works", "+verdict: backfires",
        '+  - "What would you most like to be different by the summer?"',
        "+instead:", "+  - agree-and-ask-for-the-smallest-sign"]
    git(project, "commit", "-qam", "the clinician's edit")
    # a colleague's hand edit of the same file: git shows theirs, and nothing else moved
    file = project / CARD
    file.write_text(file.read_text("utf-8").replace("revisit the goals", "look again at the goals"))
    changed = [line for line in git(project, "diff", "--unified=0", "--", CARD).splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 2 and "look again at the goals" in changed[1]
    watch.assert_clean(CARD_PAGE)


def test_an_unchanged_form_writes_nothing(preview: tuple[Path, str], watch: Watch) -> None:
    """Every field kind read into the form and back gives the file's own data: mapping and text
    signs, flow lists and mappings, former ids, Markdown blocks."""
    project, url = preview
    before = {file: file.read_bytes() for file in (project / "cards").rglob("*.yml")}
    page = watch.page
    for address in ("patterns/stuck-client/", "cards/defend-the-therapy-process/",
                    "patterns/hopelessness-behind-stuck/", "cards/name-the-meta-problem/"):
        open_form(page, url + address)
        page.click("[data-cardkb-save]")
        page.wait_for_function("document.querySelector('.cardkb-editor__status')"
                               ".textContent.startsWith('Nothing changed')")
    assert {file: file.read_bytes() for file in (project / "cards").rglob("*.yml")} == before
    watch.assert_clean()


def test_the_form_is_accessible_on_a_desktop_and_a_phone(preview: tuple[Path, str],
                                                         browser: Any, axe_script: str) -> None:
    _, url = preview
    for options in ({"viewport": {"width": 1280, "height": 900}},
                    {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                     "has_touch": True}):
        with watching(browser, **options) as phone:
            open_form(phone.page, url + "cards/name-the-meta-problem/")
            phone.page.select_option("[name=verdict]", "backfires")  # a problem on show
            phone.page.wait_for_selector("[data-field=instead] .cardkb-editor__problem:not(:empty)")
            violations = axe_violations(phone.page, axe_script)
            assert not violations, "\n".join(map(str, violations))
            width = phone.page.evaluate("document.documentElement.scrollWidth")
            assert width <= options["viewport"]["width"]  # type: ignore[index]
            phone.page.goto(url + "patterns/stuck-client/")
            phone.page.click("[data-cardkb-new=card]")
            phone.page.wait_for_selector(".cardkb-editor__new [name=title]")
            violations = axe_violations(phone.page, axe_script)
            assert not violations, "\n".join(map(str, violations))


def test_requests_from_elsewhere_are_refused(preview: tuple[Path, str], watch: Watch,
                                             tmp_path: Path) -> None:
    project, url = preview
    before = (project / CARD).read_bytes()
    page = watch.page
    page.goto(url + CARD_PAGE)
    token = page.get_attribute("script[data-cardkb-token]", "data-cardkb-token")
    payload = {"id": "revise-the-treatment-plan", "hash": "x", "data": {"title": "Hacked"}}
    statuses = page.evaluate("""async ([payload]) => {
        const ask = (headers, body) => fetch("/.cardkb/api/save", {method: "POST", headers,
                                               body}).then((answer) => answer.status);
        return [await ask({"Content-Type": "application/json"}, JSON.stringify(payload)),
                await ask({"Content-Type": "text/plain"}, JSON.stringify(payload))];
    }""", [payload])
    assert statuses == [403, 415]
    (tmp_path / "index.html").write_text("<!doctype html><title>elsewhere</title><p>hi</p>")
    with serve(tmp_path) as elsewhere:
        other = watch.context.new_page()
        other.goto(elsewhere)
        outcome = other.evaluate("""async ([api, token, payload]) => {
            try {
                const answer = await fetch(api, {method: "POST", body: JSON.stringify(payload),
                    headers: {"Content-Type": "application/json", "X-Cardkb-Token": token}});
                return "answered " + answer.status;
            } catch (error) { return "blocked"; }
        }""", [url + ".cardkb/api/save", token, payload])
        assert outcome == "blocked"  # no CORS answer: the browser never lets the page post
        other.close()
    assert (project / CARD).read_bytes() == before
    watch.failed.clear()  # the refused requests above are the point of this test
    watch.errors.clear()
