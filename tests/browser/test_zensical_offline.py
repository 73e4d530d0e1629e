"""The Zensical build's offline copy (``OFFLINE=true make build-zensical``), opened from disk.

Built from the browser tests' project as ``make build-zensical`` builds it, with ``OFFLINE=true``
read through mkdocs.yml's ``!ENV`` as MkDocs reads it. The checks of test_offline.py that read
the copy run on it (links to files, the finder's data as scripts, nothing from outside), and the
finder is used from file:// in Chromium, with the header's one search box, the finder's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import FIXTURE_SIGN_QUERY, PRINT_PATTERN, make_project, search, watching
from test_offline import test_links_lead_to_files_not_folders

from cardkb.zensical_build import build


@pytest.fixture(scope="module")
def zensical_offline_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = make_project(tmp_path_factory.mktemp("zensical-offline") / "cardkb")
    saved = os.environ.get("OFFLINE")
    os.environ["OFFLINE"] = "true"
    try:
        assert build(project / "mkdocs.yml") == 0
    finally:
        if saved is None:
            del os.environ["OFFLINE"]
        else:
            os.environ["OFFLINE"] = saved
    yield project / "site"


def test_the_links_lead_to_files(zensical_offline_site: Path) -> None:
    test_links_lead_to_files_not_folders(zensical_offline_site)


def test_the_finder_data_are_scripts_and_nothing_comes_from_outside(
        zensical_offline_site: Path) -> None:
    for name, variable in {"index.js": "cardkbFinder", "more.js": "cardkbFinderMore",
                           "model/vocab.js": "cardkbFinderVocab",
                           "vectors.js": "cardkbFinderVectors"}.items():
        text = (zensical_offline_site / "find" / name).read_text("utf-8")
        assert text.startswith(f"window.{variable}={{"), name
    for page in zensical_offline_site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "unpkg.com" not in text and "iframe-worker" not in text, page


def test_the_finder_works_from_disk_with_one_search_box(zensical_offline_site: Path,
                                                        browser: Any) -> None:
    site = zensical_offline_site
    with watching(browser) as watch:
        page = watch.page
        page.goto((site / "index.html").as_uri())
        page.locator("#cardkb-header-q").wait_for()
        boxes = page.locator("input[type=search]:visible, input.md-search__input:visible")
        assert boxes.count() == 1  # the finder's; Zensical's own search is off
        assert page.locator("#cardkb-header-q:visible").count() == 1
        pattern = (site / "patterns" / PRINT_PATTERN / "index.html").as_uri()
        results = search(page, FIXTURE_SIGN_QUERY)
        assert pattern in results[:3], results
        assert page.url.startswith((site / "find" / "index.html").as_uri() + "?q=")
        watch.assert_clean("Zensical's offline copy, the finder from disk")
        assert all(url.startswith("file://") for url in watch.requests), watch.requests
