"""The Zensical build behind the real nginx, with deploy/nginx/cardkb-site-zensical.conf.

The nginx checks of test_nginx.py that concern the pages run here again, on the site
``make build-zensical`` builds from the same project: the login, the security headers, every
kind of page and the finder in Chromium with no CSP violation, and the CSP's refusal of an
injected script. The snippet's hashes must be exactly those of Zensical's inline scripts, and the
snippet must differ from cardkb-site.conf in nothing but its CSP.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_kit import make_project, watching
from test_external_requests import outside_references
from test_nginx import (
    CREDENTIALS,
    DEPLOY,
    Server,
    _csp_tool,
    csp_directives,
    nginx,
    test_every_kind_of_page_and_the_finder_work_under_the_csp,
    test_security_headers,
    test_the_csp_blocks_inline_scripts,
    test_without_the_login_nothing_is_served,
)

from cardkb.zensical_build import build

SNIPPET = "cardkb-site-zensical.conf"
_CSP_LINE = re.compile(r'^\s*add_header Content-Security-Policy "(?P<policy>[^"]+)"', re.M)

__all__ = ["nginx", "test_every_kind_of_page_and_the_finder_work_under_the_csp",
           "test_security_headers", "test_the_csp_blocks_inline_scripts",
           "test_without_the_login_nothing_is_served"]


@pytest.fixture(scope="module")
def site_snippet() -> str:
    return SNIPPET


@pytest.fixture(scope="module")
def web_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The browser tests' project, built by Zensical as ``make build-zensical`` builds it."""
    project = make_project(tmp_path_factory.mktemp("zensical") / "cardkb")
    assert build(project / "mkdocs.yml") == 0
    return project / "site"


def test_the_csp_allows_exactly_zensicals_inline_scripts(web_site: Path) -> None:
    """Fails after a Zensical upgrade that changes its inline scripts: refresh the hashes with
    deploy/csp_hashes.py, as the snippet says."""
    header = _CSP_LINE.search((DEPLOY / SNIPPET).read_text("utf-8"))
    assert header
    allowed = {s for s in csp_directives(header["policy"])["script-src"]
               if s.startswith("'sha256-")}
    in_site = _csp_tool().inline_script_hashes(web_site)
    assert set(in_site) == allowed, f"in the site (first page with each): {in_site}"


def test_no_inline_style_is_allowed(nginx: Server, browser: Any) -> None:
    """Zensical's own search box wrote an inline style into its shadow DOM; with that search
    off there is none, and the policy allows none (as for MkDocs)."""
    header = _CSP_LINE.search((DEPLOY / SNIPPET).read_text("utf-8"))
    assert header
    mkdocs_header = _CSP_LINE.search((DEPLOY / "cardkb-site.conf").read_text("utf-8"))
    assert mkdocs_header
    style_src = csp_directives(header["policy"])["style-src"]
    assert not [s for s in style_src if s.startswith("'sha")]
    assert style_src == csp_directives(mkdocs_header["policy"])["style-src"]
    with watching(browser, http_credentials=CREDENTIALS) as watch:
        watch.page.goto(nginx.base + "patterns/")
        watch.page.locator("#cardkb-header-q").wait_for()
        shadow_styles = watch.page.evaluate("""() => [...document.querySelectorAll("*")]
            .filter(element => element.shadowRoot)
            .flatMap(element => [...element.shadowRoot.querySelectorAll("style")]).length""")
        watch.assert_clean("a page without Zensical's search box")
    assert shadow_styles == 0


def test_the_snippet_differs_from_the_mkdocs_one_only_in_its_csp() -> None:
    def settings(name: str) -> list[str]:
        lines = (DEPLOY / name).read_text("utf-8").splitlines()
        return [line for line in lines if not line.lstrip().startswith("#")
                and not _CSP_LINE.match(line)]

    assert settings(SNIPPET) == settings("cardkb-site.conf")
    mkdocs_csp = _CSP_LINE.search((DEPLOY / "cardkb-site.conf").read_text("utf-8"))
    zensical_csp = _CSP_LINE.search((DEPLOY / SNIPPET).read_text("utf-8"))
    assert mkdocs_csp and zensical_csp
    hashed = ("script-src", "style-src")
    unhashed = [{k: v if k not in hashed else [s for s in v if not s.startswith("'sha")]
                 for k, v in csp_directives(csp["policy"]).items()}
                for csp in (mkdocs_csp, zensical_csp)]
    assert unhashed[0] == unhashed[1]


def test_no_page_loads_anything_from_outside(web_site: Path) -> None:
    assert outside_references(web_site) == []
