"""The Nu Html Checker (the W3C's validator, vnu-jar from npm on Debian's Java) on every page.

Every HTML page of the normal build is checked in one run of the checker, with one page known
to be wrong beside them: the checker must find that page's error (it really ran and read the
files) and nothing on the site's pages. Nothing is filtered: no ``--filterpattern``, no
message left out. Material's own markup is fixed through the theme's overrides
(overrides/base.html, overrides/partials/toc.html), with no feature of Material removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from auditors import JAVA, VNU_JAR, nu_html_checker
from browser_kit import html_pages

from conftest import missing, require_executable

#: a page with the error Material's template had on every page: autocomplete on a checkbox
KNOWN_WRONG = """<!doctype html>
<html lang="en"><head><title>A page the checker must refuse</title></head>
<body><input type="checkbox" id="toggle" autocomplete="off"></body></html>
"""


@pytest.fixture(scope="module")
def java() -> str:
    executable = require_executable(JAVA, "Java for the Nu Html Checker")
    if not VNU_JAR.is_file():
        missing("the Nu Html Checker", f"{VNU_JAR} not found; run `make test`, which installs "
                "tests/audit/ with npm")
    return executable


def test_no_page_has_an_error_under_the_nu_html_checker(web_site: Path, java: str,
                                                        tmp_path: Path) -> None:
    known_wrong = tmp_path / "known-wrong.html"
    known_wrong.write_text(KNOWN_WRONG, "utf-8")
    pages = html_pages(web_site)
    messages = nu_html_checker(web_site, known_wrong, java=java)

    # the negative control: the checker ran, read the files and reports what is wrong
    control = [m for m in messages if m.page == known_wrong.name]
    assert any("autocomplete" in m.text for m in control), messages[:5]
    on_site = [str(m) for m in messages if m.page != known_wrong.name]
    assert not on_site, (f"{len(on_site)} errors on {len({m.split(':')[0] for m in on_site})} of "
                         f"{len(pages)} pages:\n" + "\n".join(on_site[:40]))
