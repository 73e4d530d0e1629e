"""The second engine: ``make build-zensical`` builds the same site with Zensical (issue 15, item 3).

Zensical builds in process, through the code ``make build-zensical`` runs
(:func:`cardkb.zensical_build.build`). Every check of tests/test_site.py that reads only the built
base project runs here too, on the Zensical build of that project: the same pages at the same
URLs with the same derived links. The repository's own starter knowledge base is built once more,
for its pages, its finder and what Zensical adds (its search index, its look).
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cardkb import zensical_build

from . import test_site
from .browser.browser_kit import make_project as make_starter_project
from .conftest import BASE_FILES, Project
from .test_errors import CASES
from .test_site import finder_script

#: test_site.py checks that hold for MkDocs only, with the reason
MKDOCS_ONLY: dict[str, str] = {}
# Every other test_site.py check that needs nothing but the built base project, collected here
# so that it runs on this module's ``built_site``: the Zensical build.
globals().update({
    name: check for name, check in vars(test_site).items()
    if name.startswith("test_") and name not in MKDOCS_ONLY and callable(check)
    and list(inspect.signature(check).parameters) == ["built_site"]})


def zensical(project: Path) -> int:
    return zensical_build.build(project / "mkdocs.yml")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The base project of tests/test_site.py, built by Zensical once for this module."""
    project = Project(tmp_path_factory.mktemp("zensical") / "project")
    project.root.mkdir()
    project.write(dict(BASE_FILES))
    assert zensical(project.root) == 0
    return project


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """This repository's cards and pages (as the browser tests copy them), built by Zensical."""
    project = Project(make_starter_project(tmp_path_factory.mktemp("starter") / "cardkb"))
    assert zensical(project.root) == 0
    return project


def test_the_shared_checks_are_collected() -> None:
    """The checks borrowed from test_site.py are really here (a rename there cannot empty it)."""
    borrowed = [name for name in globals() if name.startswith("test_") and
                getattr(globals()[name], "__module__", "") == test_site.__name__]
    assert len(borrowed) >= 10, borrowed


def test_every_starter_pattern_and_card_has_its_page(starter: Project) -> None:
    cards = starter.root / "cards"
    patterns = [folder.name for folder in cards.iterdir() if folder.is_dir()]
    card_ids = [file.stem for file in cards.glob("*/*.yml") if file.name != "pattern.yml"]
    assert len(patterns) >= 10 and len(card_ids) >= 50
    for page in [*(f"patterns/{p}" for p in patterns), *(f"cards/{c}" for c in card_ids),
                 "signs", "patterns", "find", "editors", "curricula"]:
        assert (starter.site / page / "index.html").is_file(), page


def test_every_link_of_the_starter_leads_to_a_page(starter: Project) -> None:
    test_site.test_every_link_in_every_page_leads_to_a_page_that_exists(starter)


def test_the_disclaimer_is_on_every_starter_page(starter: Project) -> None:
    test_site.test_disclaimer_on_every_page(starter)


def test_the_classic_look_and_the_sites_own_files(starter: Project) -> None:
    page = starter.html("signs")
    assert "assets/stylesheets/classic/" in page  # not Zensical's "modern" variant
    for asset in ("assets/cardkb.css", "assets/cardkb-finder.css", "assets/cardkb.js",
                  "assets/cardkb-finder.js"):
        assert f'"../{asset}"' in page, asset
        assert (starter.site / asset).is_file(), asset


def test_the_finder_and_its_data(starter: Project) -> None:
    assert 'id="cardkb-find-q"' in starter.html("find")
    first = finder_script(starter.site, "index.js", "cardkbFinder")
    assert len(first["patterns"]) >= 10 and len(first["cards"]) >= 50
    finder_script(starter.site, "more.js", "cardkbFinderMore")
    finder_script(starter.site, "model/vocab.js", "cardkbFinderVocab")
    assert (starter.site / "find" / "model" / "0.js").is_file()
    finder_script(starter.site, "vectors.js", "cardkbFinderVectors")
    for vendored in ("minisearch/minisearch.js", "wink-porter2-stemmer/stemmer.js"):
        assert (starter.site / "assets" / "vendor" / vendored).is_file(), vendored


def test_one_search_the_finders(starter: Project) -> None:
    """As under MkDocs, the finder is the one search: Zensical's own is off, so it indexes
    nothing and puts no second box in the header (cardkb-finder.js adds the finder's)."""
    index: dict[str, Any] = json.loads((starter.site / "search.json").read_text("utf-8"))
    assert index["items"] == []
    for page in ("index.html", "signs/index.html", "find/index.html"):
        assert 'class="md-search"' not in (starter.site / page).read_text("utf-8"), page


def test_the_cues_come_one_section_per_pattern(starter: Project) -> None:
    """The signs page's cues come one section per pattern, never one section that grows with
    the knowledge base (at 3,000 cards that one was too large for Zensical's search to index,
    while it had one): each pattern's cues have an anchor of their own."""
    signs = starter.html("signs")
    with_cards = {file.parent.name for file in (starter.root / "cards").glob("*/*.yml")
                  if file.name != "pattern.yml"}
    assert set(re.findall(r'id="cues-([a-z0-9-]+)"', signs)) == with_cards
    assert 'id="cues"' in signs  # the anchor other pages link to stays


def test_the_site_asks_nothing_from_outside(starter: Project) -> None:
    """Pages load only the site's own files (Zensical's script names outside files only for
    what cardkb pages never hold, excluded in cardkb.zensical_build by exact address)."""
    loading = re.compile(r"<(?:script|img|link|iframe|source)\b[^>]*\s(?:src|href)=[\"']?"
                         r"(?P<url>(?:https?:)?//[^\"'\s>]+)", re.I)
    for page in starter.site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert not [m["url"] for m in loading.finditer(text)], page
        for host in ("unpkg.com", "googleapis.com", "gstatic.com", "jsdelivr.net"):
            assert host not in text, f"{page}: mentions {host}"
    for sheet in starter.site.rglob("*.css"):
        assert not re.search(r"url\(\s*[\"']?(?:https?:)?//|@import\s", sheet.read_text("utf-8"))


def test_a_card_problem_stops_the_build_and_keeps_the_last_site(
        make_project: Any, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["wrong value"]
    project = make_project(case.files)
    last_good = project.site / "index.html"
    last_good.parent.mkdir()
    last_good.write_text("the last good site")
    assert zensical(project.root) == 1
    output = capsys.readouterr().out
    assert case.expected in output.splitlines()
    assert output.splitlines()[-1] == ("cardkb: 1 problem in the cards or their links; nothing "
                                       "was built and the last site is unchanged")
    assert [p.name for p in project.site.iterdir()] == ["index.html"]
    assert last_good.read_text() == "the last good site"
    assert not (project.root / zensical_build.WORK_FOLDER).exists()


def test_analytics_are_refused_as_by_the_mkdocs_build(
        make_project: Any, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"mkdocs.yml": BASE_FILES["mkdocs.yml"].replace(
        "extra:\n", "extra:\n  analytics:\n    provider: google\n    property: G-XXXX\n")})
    assert zensical(project.root) == 1
    assert "mkdocs.yml:1:1: extra: analytics would send every reader's visits outside the " \
        "practice; a cardkb site requests nothing from outside, so remove it" in \
        capsys.readouterr().out.splitlines()


def test_a_failed_zensical_build_keeps_the_last_site(
        make_project: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Zensical writes pages before its strict mode gives up; the staging folder keeps them
    away from the site."""
    project = make_project()
    assert zensical(project.root) == 0
    before = {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()}
    project.write({"content/index.md": "# Home\n\n[broken](missing.md)\n"})
    capsys.readouterr()
    assert zensical(project.root) == 1
    output = capsys.readouterr().out
    assert "the last good site was left as it was" in output
    assert {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()} == before
    assert not (project.root / zensical_build.WORK_FOLDER / "site").exists()


def test_author_text_in_the_navigation_is_text(make_project: Any) -> None:
    """Zensical prints navigation titles as HTML, as MkDocs does: cardkb escapes them."""
    named = BASE_FILES["cards/stuck/name-it.yml"].replace('"Name the stuckness"',
                                                          '"Name <b>it</b> & *now*"')
    project = make_project({"cards/stuck/name-it.yml": named})
    assert zensical(project.root) == 0
    for page in ("patterns/stuck", "cards/name-it"):
        html = project.html(page)
        assert "<b>it</b>" not in html, page
        assert "Name &lt;b&gt;it&lt;/b&gt; &amp; *now*" in html.split(
            '<div class="md-content"')[0], page


@pytest.mark.parametrize(("plugins", "offline"), [
    (None, False), (["privacy"], False), (["offline"], True), ([{"offline": None}], True),
    ([{"offline": {"enabled": True}}], True), ([{"offline": {"enabled": False}}], False),
])
def test_the_offline_plugin_is_read_from_mkdocs_yml(plugins: Any, offline: bool) -> None:
    assert zensical_build.offline_copy(plugins) is offline


def test_offline_true_reaches_the_zensical_build_through_env(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``enabled: !ENV [OFFLINE, false]`` reads the environment as MkDocs does."""
    from cardkb.mkdocs_config import read_config_mapping
    from cardkb.problems import Problems

    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - offline:\n      enabled: !ENV [OFFLINE, false]\n", "utf-8")
    for value, offline in (("true", True), ("false", False), (None, False)):
        if value is None:
            monkeypatch.delenv("OFFLINE", raising=False)
        else:
            monkeypatch.setenv("OFFLINE", value)
        raw = read_config_mapping(config, Problems())
        assert raw is not None
        assert zensical_build.offline_copy(raw["plugins"]) is offline, value
