"""DNS rebinding against the live preview, in Chromium (issue 23).

The review's attack: a page on evil.example, whose name now resolves to 127.0.0.1, reads the
preview as its own origin, drafts included. Chromium reaches the preview for evil.example through
a proxy that is the preview itself, as a rebinding DNS answer would send it there: the request
arrives with ``Host: evil.example:PORT`` and must get nothing of the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.test_preview_attacks import running

from cardkb.preview_server import PreviewServer

SECRET = "draft card nobody may read"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[PreviewServer]:
    (tmp_path / "index.html").write_text("<html><body>home</body></html>", "utf-8")
    (tmp_path / "cards.json").write_text(f'{{"cards": "{SECRET}"}}', "utf-8")
    with running(tmp_path) as server:
        yield server


def test_a_rebound_name_reads_nothing_of_the_preview(browser: Any,
                                                     preview: PreviewServer) -> None:
    port = preview.server_address[1]
    rebound = browser.new_context(proxy={"server": f"http://127.0.0.1:{port}"})
    try:
        page = rebound.new_page()
        response = page.goto(f"http://evil.example:{port}/")
        assert response is not None and response.status == 421
        assert page.evaluate("fetch('/cards.json').then(r => r.status)") == 421
        body = page.evaluate("fetch('/cards.json').then(r => r.text())")
        assert SECRET not in body
    finally:
        rebound.close()
    # the same browser reads it at the preview's own address
    direct = browser.new_context()
    try:
        page = direct.new_page()
        page.goto(f"http://127.0.0.1:{port}/cards.json")
        assert SECRET in page.content()
    finally:
        direct.close()
