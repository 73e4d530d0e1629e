"""Build the base project for real and check the HTML MkDocs wrote."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from cardkb.finder import MeaningModel

from .conftest import BASE_FILES, Project
from .pages import article, link_targets, links, resolve


def test_every_pattern_and_card_has_a_page_at_the_contract_path(built_site: Project) -> None:
    for page in ["patterns/stuck", "patterns/risk", "cards/defend", "cards/name-it",
                 "cards/ask-small", "cards/ask-directly", "signs", "patterns"]:
        assert (built_site.site / page / "index.html").is_file(), page


def test_every_link_in_every_page_leads_to_a_page_that_exists(built_site: Project) -> None:
    checked = 0
    for file in built_site.site.rglob("index.html"):
        folder = file.parent.relative_to(built_site.site).as_posix()
        page_url = "" if folder == "." else folder + "/"
        for href, _text in links(file.read_text("utf-8")):
            url = urljoin("http://site/" + page_url, href)
            if not url.startswith("http://site/") or href.startswith("#"):
                continue
            target = resolve(built_site.site, url.removeprefix("http://site/"))
            assert target.exists(), f"{page_url}: {href} -> {target}"
            checked += 1
    assert checked > 100


def test_a_backfires_card_links_to_the_cards_that_work_instead(built_site: Project) -> None:
    targets = link_targets(built_site.html("cards/defend"), "cards/defend/")
    assert targets["Name the stuckness"] == "cards/name-it/"
    assert targets["Ask for the smallest sign"] == "cards/ask-small/"
    assert "Tends to backfire" in article(built_site.html("cards/defend"))


def test_a_works_card_shows_what_it_is_used_instead_of(built_site: Project) -> None:
    page = article(built_site.html("cards/name-it"))
    assert 'id="instead-of"' in page
    assert link_targets(built_site.html("cards/name-it"), "cards/name-it/")[
        "Defend the process"] == "cards/defend/"


def test_also_in_puts_a_card_on_the_other_pattern_page(built_site: Project) -> None:
    risk = article(built_site.html("patterns/risk"))
    assert 'id="ask-small"' in risk and "from <a" in risk
    card = built_site.html("cards/ask-small")
    assert link_targets(card, "cards/ask-small/")["Stuck that hides hopelessness"] == \
        "patterns/risk/#ask-small"


def test_related_shows_on_both_ends_with_its_why(built_site: Project) -> None:
    for page in ["cards/ask-small", "cards/defend"]:
        assert "Answers the same complaint." in article(built_site.html(page)), page
    for page in ["patterns/stuck", "patterns/risk"]:
        assert "Stuck can hide hopelessness." in article(built_site.html(page)), page


def test_wikilinks_resolve_to_titles_or_own_text(built_site: Project) -> None:
    targets = link_targets(built_site.html("patterns/stuck"), "patterns/stuck/")
    assert ("../../cards/name-it/", "Name the stuckness") in links(
        article(built_site.html("patterns/stuck")))
    assert targets["the risk pattern"] == "patterns/risk/"


def test_pattern_page_sections_in_order(built_site: Project) -> None:
    page = article(built_site.html("patterns/stuck"))
    ids = re.findall(r'<h[23] id="([^"]+)"', page)
    assert ids[:6] == ["at-a-glance", "signs", "dynamics", "shift", "backfires", "defend"]
    assert ids.index("works") < ids.index("name-it") < ids.index("related") < ids.index("sources")
    assert "Defend the process" in page and "Therapy takes time; be patient." in page
    assert "Reviewed by editors on 2026-01-10; next review due 2027-01-10." in page


UNREVIEWED = "Not yet reviewed by a qualified clinician"


def test_every_page_says_whether_a_qualified_clinician_has_reviewed_it(built_site: Project) -> None:
    """A practice's reviewer shows once named; until then the page says nobody qualified has."""
    # a review without a qualification (the pattern), and no review at all (the card)
    pattern = article(built_site.html("patterns/stuck"))
    assert "Reviewed by editors on 2026-01-10" in pattern and UNREVIEWED in pattern
    for page in ["cards/defend", "cards/name-it", "patterns/risk"]:
        assert UNREVIEWED in article(built_site.html(page)), page


def test_a_named_qualified_reviewer_shows_and_the_unreviewed_notice_goes(
        make_project: Callable[..., Project]) -> None:
    reviewed = BASE_FILES["cards/stuck/name-it.yml"] + (
        'review: {by: "A. Reviewer", qualification: "Clinical psychologist", '
        "date: 2026-02-01, due: 2027-02-01}\n")
    project = make_project({"cards/stuck/name-it.yml": reviewed})
    assert project.build("--strict").returncode == 0
    page = article(project.html("cards/name-it"))
    assert ("Reviewed by A. Reviewer (Clinical psychologist) on 2026-02-01; "
            "next review due 2027-02-01.") in page
    assert UNREVIEWED not in page
    assert UNREVIEWED in article(project.html("cards/defend"))


def test_safety_note_comes_first_on_the_pattern_and_on_its_cards(built_site: Project) -> None:
    pattern = article(built_site.html("patterns/risk"))
    assert pattern.index("cardkb-safety") < pattern.index('id="signs"')
    for card in ["cards/ask-directly", "cards/ask-small"]:  # its own, and via also_in
        assert "Assess risk under your local protocol" in built_site.html(card), card
    assert "cardkb-safety" not in built_site.html("cards/defend")


def test_card_page_shows_every_wording_as_a_quotation_with_an_anchor(built_site: Project) -> None:
    page = article(built_site.html("cards/defend"))
    quotes = re.findall(
        r'<blockquote class="cardkb-wording[^"]*" id="(wording-\d)"><p>.*?<q[^>]*>([^<]+)</q></p>',
        page)
    assert [(a, t.strip()) for a, t in quotes] == [
        ("wording-1", "Therapy takes time; be patient."), ("wording-2", "Trust the process.")]
    assert 'id="sign"' in page and 'id="move"' in page and 'id="why"' in page


def test_signs_page_lists_every_sign_grouped_and_linked(built_site: Project) -> None:
    html = built_site.html("signs")
    page = article(html)
    assert re.findall(r"<h2 [^>]*>([^<]+)", page)[:4] == [
        "In the client", "In yourself, the therapist", "In the process", "General signs"]
    targets = link_targets(html, "signs/")
    for sign, pattern in [("You feel frustrated in sessions.", "stuck"),
                          ("Homework is not done.", "stuck"),
                          ("The client says it will never work.", "stuck"),
                          ("The client says nothing will ever change.", "risk")]:
        assert targets[sign] == f"patterns/{pattern}/"  # the top: its safety note shows
    assert targets["The client says therapy is not working."] == "cards/defend/"


def test_home_page_lists_the_patterns_with_their_summaries(built_site: Project) -> None:
    page = article((built_site.site / "index.html").read_text("utf-8"))
    assert "The client keeps coming, but nothing moves." in page
    assert link_targets((built_site.site / "index.html").read_text(), "")[
        "The client feels stuck"] == "patterns/stuck/"


def test_curriculum_links_embeds_and_code(built_site: Project) -> None:
    html = built_site.html("curricula/module")
    page = article(html)
    targets = link_targets(html, "curricula/module/")
    assert targets["The client feels stuck"] == "patterns/stuck/"
    assert targets["what not to do"] == "cards/defend/"
    assert 'class="cardkb-embed cardkb-embed--card' in page
    assert "It must be tiring to keep coming and feel nothing shift." in page
    assert "<code>[[not-a-link]]</code>" in page


def test_cards_list_the_pages_they_are_used_in(built_site: Project) -> None:
    targets = link_targets(built_site.html("cards/name-it"), "cards/name-it/")
    assert targets["Module one: stuckness"] == "curricula/module/"


def test_navigation_holds_patterns_not_every_card(built_site: Project) -> None:
    nav = built_site.html("cards/ask-directly").split('<div class="md-content"')[0]
    assert "Ask directly about hopelessness" in nav  # its own pattern's cards
    assert "Defend the process" not in nav  # another pattern's cards are pruned


def finder_script(site: Path, name: str, variable: str) -> Any:
    """The data a finder script (``find/<name>``) assigns to ``window.<variable>``."""
    script = (site / "find" / name).read_text("utf-8")
    prefix, suffix = f"window.{variable}=", ";\n"
    assert script.startswith(prefix) and script.endswith(suffix), name
    return json.loads(script.removeprefix(prefix).removesuffix(suffix))


def test_the_finder_indexes_cards_by_title_sign_and_wording(built_site: Project) -> None:
    first = finder_script(built_site.site, "index.js", "cardkbFinder")
    more = finder_script(built_site.site, "more.js", "cardkbFinderMore")
    names = first["fields"]
    patterns = {row[0]: dict(zip(names["pattern"], row, strict=True))
                for row in first["patterns"]}
    cards = {row[0]: {**dict(zip(names["card"], row, strict=True)),
                      **dict(zip(more["fields"], rest, strict=True))}
             for row, rest in zip(first["cards"], more["cards"], strict=True)}
    defend = cards["defend"]
    assert defend["title"] == "Defend the process"
    assert defend["sign"] == "The client says therapy is not working."
    assert "Therapy takes time; be patient." in defend["wording"]
    assert first["urls"]["card"].replace("{id}", "defend") == "../cards/defend/"
    assert first["urls"]["pattern"].replace("{id}", "stuck") == "../patterns/stuck/"
    assert set(patterns) == {"stuck", "risk"}
    assert "You feel frustrated in sessions." in patterns["stuck"]["signs"]
    # a card is found as itself, under its pattern, not a second time inside the pattern's text
    assert "Therapy takes time" not in json.dumps(patterns["stuck"])
    assert [list(patterns)[i] for i in cards["ask-small"]["patterns"]] == ["stuck", "risk"]
    # Markdown is plain text: a [[link]] is its title
    assert "Name the stuckness" in patterns["stuck"]["body"]
    assert "[[" not in patterns["stuck"]["body"]
    assert patterns["risk"]["safety"].startswith("Assess risk under your local protocol")
    # the meaning model and the vectors the build computed
    vectors = finder_script(built_site.site, "vectors.js", "cardkbFinderVectors")
    assert vectors["owners"] and set(vectors["owners"]) == {0, 1}


def test_the_meaning_model_ships_whole_in_shards(built_site: Project) -> None:
    """find/model/: the vocabulary in alphabetical order, and every row of the table in exactly
    one shard (row r of that order in shard r % shards, in order), so a query fetches only its
    words' rows and loses none."""
    vocab = finder_script(built_site.site, "model/vocab.js", "cardkbFinderVocab")
    raw = MeaningModel.shipped().raw
    tokens: list[str] = []
    for line in vocab["tokens"].split("\n"):  # front-coded: letters shared with the word before
        tokens.append((tokens[-1] if tokens else "")[:int(line[0])] + line[1:])
    assert tokens == sorted(raw["tokens"]) and vocab["scales"] == raw["scales"]
    order = sorted(range(len(raw["tokens"])), key=raw["tokens"].__getitem__)
    shards, row_bytes = vocab["shards"], vocab["dims"] // 2
    shard_rows = []
    for shard in range(shards):
        script = (built_site.site / "find" / "model" / f"{shard}.js").read_text("utf-8")
        prefix = f"(window.cardkbFinderShards=window.cardkbFinderShards||{{}})[{shard}]="
        assert script.startswith(prefix) and script.endswith(";\n"), shard
        shard_rows.append(base64.b64decode(json.loads(script.removeprefix(prefix)[:-2])))
    assert not (built_site.site / "find" / "model" / f"{shards}.js").exists()
    at = [(r // shards) * row_bytes for r in range(len(tokens))]
    shipped = b"".join(shard_rows[r % shards][at[r]:at[r] + row_bytes] for r in range(len(tokens)))
    packed = base64.b64decode(raw["vectors"])
    table = b"".join(packed[r * row_bytes:(r + 1) * row_bytes] for r in order)
    assert shipped == table
    assert sum(map(len, shard_rows)) == len(table)


def test_one_search_engine_the_finder(built_site: Project) -> None:
    """Material's search (a second ranking) is not built; every page's header hands its words
    to find/ (assets/cardkb-finder.js adds the box)."""
    assert not (built_site.site / "search").exists()
    assert "md-search__input" not in built_site.html("patterns/stuck")
    assert (built_site.site / "find" / "index.html").is_file()


def test_disclaimer_on_every_page(built_site: Project) -> None:
    pages = list(built_site.site.rglob("index.html"))
    assert len(pages) > 8
    for page in pages:
        if 'http-equiv="refresh"' not in page.read_text():
            assert "cardkb-disclaimer" in page.read_text(), page


def test_card_text_is_data(make_project: Callable[..., Project]) -> None:
    hostile = BASE_FILES["cards/stuck/name-it.yml"].replace(
        "Make the lack of progress the topic.",
        "<script>alert(1)</script> [x](javascript:alert(1)) [y](JAVASCRIPT:alert(2)) "
        "<img src=x onerror=alert(3)> ![pic](https://tracker.example/p.png)").replace(
        '"Name the stuckness"', '"Name <b>it</b> *now*"')
    project = make_project({"cards/stuck/name-it.yml": hostile})
    assert project.build("--strict").returncode == 0
    page = article(project.html("cards/name-it"))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in page.lower()
    assert "<img" not in page and "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "Name &lt;b&gt;it&lt;/b&gt; *now*" in page
    # in the finder's data too, the text stays text and cannot end the script that holds it
    finder = (project.site / "find" / "more.js").read_text("utf-8")
    assert "</" not in finder and "alert(1)<\\/script" in finder


def test_a_failed_strict_build_keeps_the_last_good_site(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    assert project.build("--strict").returncode == 0
    before = {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()}
    # A broken ordinary Markdown link only fails at the end of a strict build, after MkDocs
    # has written every page: the staging folder must keep it away from the site. The real
    # command, for its exit status and what it leaves behind.
    project.write({"content/index.md": "# Home\n\n[broken](missing.md)\n"})
    result = project.build_command("--strict")
    assert result.returncode == 1
    assert "missing.md" in result.stdout + result.stderr
    after = {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()}
    assert after == before
    assert not list(project.root.glob(".site.cardkb-*"))


def test_a_good_build_replaces_the_site(make_project: Callable[..., Project]) -> None:
    project = make_project()
    project.site.mkdir()
    (project.site / "stale.html").write_text("old")
    assert project.build().returncode == 0
    assert not (project.site / "stale.html").exists()
    assert (project.site / "cards/defend/index.html").exists()


def test_a_large_site_keeps_every_page_navigation_the_same_size(
        make_project: Callable[..., Project]) -> None:
    project = make_project({"mkdocs.yml": BASE_FILES["mkdocs.yml"].replace(
        "show_drafts: false", "show_drafts: false\n    nav_max_patterns: 1")})
    result = project.build("--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not included in the" not in result.stderr
    navs = {}
    for page in ["cards/defend", "cards/ask-directly", "patterns/stuck", "signs"]:
        html = project.html(page)
        nav = html.split("md-nav--primary")[1].split("md-nav--secondary")[0]
        assert "Stuck that hides hopelessness" not in nav  # no pattern is listed in the nav
        assert "Defend the process" not in nav
        navs[page] = re.sub(r'(class|href)="[^"]*"', "", nav)
    assert len(set(map(len, navs.values()))) <= 2, {k: len(v) for k, v in navs.items()}
    assert link_targets(project.html("patterns"), "patterns/")[
        "Stuck that hides hopelessness"] == "patterns/risk/"


def test_analytics_are_refused(make_project: Callable[..., Project]) -> None:
    config = BASE_FILES["mkdocs.yml"].replace(
        "extra:\n", "extra:\n  analytics:\n    provider: google\n    property: G-XXXX\n")
    project = make_project({"mkdocs.yml": config})
    result = project.build()
    assert result.returncode == 1
    assert "mkdocs.yml:1:1: extra: analytics would send every reader's visits outside" \
        in result.stderr


def test_the_site_publishes_its_scripts_minified_and_each_still_parses(
        built_site: Project) -> None:
    """Every shipped script, the vendored ones with it, without its comments and spaces: a phone
    on a slow line paints find/'s first results about 0.1 s sooner (Lighthouse, median of five
    pairs). Node parses each as published, and a licence's /*! */ comment would stay."""
    import shutil
    import subprocess

    from cardkb.site_files import site_assets

    scripts = [asset for asset in site_assets() if asset.src_uri.endswith(".js")]
    assert {"assets/cardkb-finder.js", "assets/vendor/minisearch/minisearch.js"} <= {
        asset.src_uri for asset in scripts}
    node = shutil.which("node")
    for asset in scripts:
        published = (built_site.site / asset.src_uri).read_bytes()
        assert published == asset.published(), asset.src_uri
        assert len(published) < 0.8 * asset.path.stat().st_size, asset.src_uri
        assert b"\n/*" not in published and b"\n  //" not in published, asset.src_uri
        if node:
            checked = subprocess.run([node, "--check", str(built_site.site / asset.src_uri)],
                                     capture_output=True, text=True)
            assert checked.returncode == 0, (asset.src_uri, checked.stderr)


def test_a_copy_of_a_shipped_script_is_minified_and_a_site_s_own_script_is_not(
        make_project: Callable[..., Project]) -> None:
    """A docs folder may hold the shipped assets (cardkb's own does; an older project copied
    them): those are published minified too. A site's own file of the same name is its
    author's, published as written."""
    from cardkb.site_files import ASSETS_DIR

    own = "/* the practice's own */\nwindow.ownScript = true;\n"
    shipped = ASSETS_DIR / "finder" / "risk.js"
    project = make_project({"content/assets/cardkb.js": own,
                            "content/assets/finder/risk.js": shipped.read_text("utf-8")})
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project.site / "assets" / "cardkb.js").read_text("utf-8") == own
    published = (project.site / "assets" / "finder" / "risk.js").read_bytes()
    assert len(published) < 0.7 * shipped.stat().st_size


def test_a_mkdocs_yml_listing_practice_s_old_files_builds_without_asking_for_them(
        make_project: Callable[..., Project]) -> None:
    """A mkdocs.yml copied from this repository before practice loaded its own files lists
    assets/cardkb-practice.css and .js: no page may ask for files cardkb no longer ships."""
    from .conftest import MKDOCS_YML

    old = MKDOCS_YML + ("extra_css:\n  - assets/cardkb.css\n  - assets/cardkb-practice.css\n"
                        "extra_javascript:\n  - assets/cardkb.js\n  - assets/cardkb-practice.js\n")
    project = make_project({"mkdocs.yml": old})
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cardkb no longer ships" in result.stdout + result.stderr
    for page in ("", "find/"):
        html = (project.site / page / "index.html").read_text("utf-8")
        assert "cardkb-practice" not in html, page
        assert "assets/cardkb.js" in html and "assets/cardkb.css" in html, page
