"""The ``OFFLINE=true`` build: a copy opened from disk, a shared drive or a USB stick.

The browser scenarios of test_site_in_browser.py run on this build too (from file://); these
tests check what only the offline copy needs: links to files rather than folders, the finder's
data as scripts (a page opened from disk may load scripts but not fetch files), and no script
from outside (Material's offline plugin would add a Web Worker shim from unpkg.com).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from browser_kit import (
    FIXTURE_SIGN,
    FIXTURE_SIGN_QUERY,
    PRINT_PATTERN,
    html_pages,
    same_page,
    search,
    watching,
)

_HREF = re.compile(r"<a\b[^>]*\shref=\"(?P<href>[^\"]*)\"", re.I)


def test_links_lead_to_files_not_folders(offline_site: Path) -> None:
    """From disk a folder address opens a file listing, so every link names its page."""
    folders, broken = set(), set()
    for page in html_pages(offline_site):
        if page.name == "404.html":
            continue  # a server's error page; no server shows it from disk
        where = page.relative_to(offline_site).as_posix()
        for match in _HREF.finditer(page.read_text("utf-8")):
            href = match["href"]
            if not href or href.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", href):
                continue
            path = href.split("#")[0].split("?")[0]
            if not path.endswith(".html") and "." not in path.rsplit("/", 1)[-1]:
                folders.add(f"{where}: {href}")
            elif not (page.parent / path).resolve().is_file():
                broken.add(f"{where}: {href}")
    assert not folders, f"links to folders, not pages: {sorted(folders)}"
    assert not broken, f"links to nothing: {sorted(broken)}"


def test_the_finder_data_are_scripts(offline_site: Path) -> None:
    """A page opened from disk cannot fetch JSON: the finder's index, model and vectors are
    scripts, and Material's own search index (a second search engine) is not built at all."""
    scripts = {"index.js": "cardkbFinder", "more.js": "cardkbFinderMore",
               "model/vocab.js": "cardkbFinderVocab", "vectors.js": "cardkbFinderVectors"}
    for name, variable in scripts.items():
        text = (offline_site / "find" / name).read_text("utf-8")
        assert text.startswith(f"window.{variable}={{"), name
    assert (offline_site / "find" / "model" / "0.js").read_text("utf-8").startswith(
        "(window.cardkbFinderShards=window.cardkbFinderShards||{})[0]=")
    assert FIXTURE_SIGN in (offline_site / "find" / "index.js").read_text("utf-8")
    assert not (offline_site / "search").exists()


def test_no_web_worker_shim_from_outside(offline_site: Path, web_site: Path) -> None:
    """The offline plugin adds iframe-worker from unpkg.com for Material's search; with no
    Material search and no Web Worker in any page, the site neither loads nor carries it."""
    for site in (offline_site, web_site):
        assert not (site / "assets" / "vendor" / "iframe-worker").exists()
        for page in html_pages(site):
            text = page.read_text("utf-8")
            assert "unpkg.com" not in text, page
            assert "iframe-worker" not in text, page


def test_the_finder_works_from_disk(offline_site: Path, browser: Any) -> None:
    with watching(browser) as watch:
        page = watch.page
        page.goto((offline_site / "index.html").as_uri())
        pattern = (offline_site / "patterns" / PRINT_PATTERN / "index.html").as_uri()
        assert pattern in search(page, FIXTURE_SIGN_QUERY)[:3]
        assert page.url.startswith((offline_site / "find" / "index.html").as_uri() + "?q=")
        watch.assert_clean("the finder from disk")
        assert all(url.startswith("file://") for url in watch.requests), watch.requests


def test_a_copy_in_another_folder_still_works(offline_site: Path, browser: Any,
                                              tmp_path: Path) -> None:
    """Copied to a shared drive or a stick, under a name with spaces: nothing depends on where."""
    copy = tmp_path / "Practice share" / "Knowledge base (copy)"
    shutil.copytree(offline_site, copy)
    with watching(browser) as watch:
        page = watch.page
        page.goto((copy / "index.html").as_uri())
        pattern = (copy / "patterns" / PRINT_PATTERN / "index.html").as_uri()
        results = search(page, FIXTURE_SIGN_QUERY)
        assert pattern in results[:3], results
        page.goto((copy / "signs" / "index.html").as_uri())
        page.locator("#cardkb-filter-input").fill(FIXTURE_SIGN_QUERY)
        page.locator(".cardkb-sign-list li:visible a").first.click()
        page.wait_for_url(lambda url: same_page(url, pattern))
        watch.assert_clean("a copy in another folder")
