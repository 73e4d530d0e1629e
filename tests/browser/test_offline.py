"""The ``OFFLINE=true`` build: a copy opened from disk, a shared drive or a USB stick.

The browser scenarios of test_site_in_browser.py run on this build too (from file://); these
tests check what only the offline copy needs: links to files rather than folders, the search
index inlined as a script, and the Web Worker shim shipped with the site instead of fetched from
unpkg.com.
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
    REPO,
    html_pages,
    same_page,
    search,
    watching,
)

SHIM = "assets/vendor/iframe-worker/shim.js"
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


def test_the_search_index_is_a_script(offline_site: Path) -> None:
    """A page opened from disk cannot fetch JSON, so the index also comes as a script."""
    index = (offline_site / "search" / "search_index.js").read_text("utf-8")
    assert index.startswith("var __index = {")
    assert FIXTURE_SIGN in index


def test_the_web_worker_shim_is_shipped_not_fetched(offline_site: Path, web_site: Path) -> None:
    """The offline plugin would load iframe-worker from unpkg.com; the site carries its own."""
    vendored = (REPO / "content" / SHIM).read_bytes()
    for site in (offline_site, web_site):
        assert (site / SHIM).read_bytes() == vendored
        assert (site / "assets/vendor/iframe-worker/LICENSE").is_file()
        for page in html_pages(site):
            text = page.read_text("utf-8")
            assert "unpkg.com" not in text, page
            if page.name != "404.html" and "http-equiv=\"refresh\"" not in text:
                assert re.search(r'<script src="(\.\./)*' + re.escape(SHIM) + '"', text), page


def test_search_works_from_disk_through_the_shim(offline_site: Path, browser: Any) -> None:
    with watching(browser) as watch:
        page = watch.page
        page.goto((offline_site / "index.html").as_uri())
        # Chromium cannot start a Web Worker from file://: the local shim stands in for it
        assert page.evaluate("window.Worker === window.IFrameWorker") is True
        pattern = (offline_site / "patterns" / PRINT_PATTERN / "index.html").as_uri()
        assert pattern in search(page, FIXTURE_SIGN_QUERY)[:3]
        watch.assert_clean("search from disk")
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
