"""Nothing from outside: the build itself fails when a page would load anything from elsewhere.

Material's privacy plugin, with fetching off (mkdocs.yml), reports every outside script, style
sheet, image or font a page or an asset would load as a warning, and strict mode makes a warning
fatal. Each case below adds one outside asset to a copy of the project, the way an author or a
maintainer might; one build takes them all (a full build of the site costs seconds), and must
fail, name every address, and leave the last good site as it was. These tests need no browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_kit import (
    CURRICULUM_SRC,
    OUTSIDE_SOURCE_URL,
    PRINT_PATTERN,
    build,
    html_pages,
    make_project,
)


def add_page(name: str, markup: str) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        (project / "content" / f"{name}.md").write_text(
            f"# A page with something from outside\n\n{markup}\n", "utf-8")
    return change


def edit_config(old: str, new: str) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        config = project / "mkdocs.yml"
        text = config.read_text("utf-8")
        assert text.count(old) == 1, f"mkdocs.yml no longer has {old!r}"
        config.write_text(text.replace(old, new), "utf-8")
    return change


def add_to_style_sheet(line: str) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        sheet = project / "content" / "assets" / "cardkb.css"
        sheet.write_text(line + "\n" + sheet.read_text("utf-8"), "utf-8")
    return change


#: each way to add something from outside, and the address the build must name (two of them
#: load from the same host, so each names what tells it from the other)
CASES = {
    "image in a page": (add_page("outside-image", "![A chart](https://cdn.example/chart.png)"),
                        "https://cdn.example/chart.png"),
    "script in a page": (
        add_page("outside-script", '<script src="https://cdn.example/widget.js"></script>'),
        "https://cdn.example/widget.js"),
    "style sheet in a page": (
        add_page("outside-style",
                 '<link rel="stylesheet" href="https://cdn.example/look.css">'),
        "https://cdn.example/look.css"),
    "style sheet in extra_css": (
        edit_config("extra_css:\n", "extra_css:\n  - https://cdn.example/theme.css\n"),
        "https://cdn.example/theme.css"),
    "Google Fonts switched on": (
        edit_config("  font: false\n", "  font:\n    text: Roboto\n"),
        "https://fonts.googleapis.com/css?family=Roboto"),
    "web font imported by a style sheet": (
        add_to_style_sheet('@import url("https://fonts.googleapis.com/css?family=Lato");'),
        "https://fonts.googleapis.com/css?family=Lato"),
}


#: every case in the normal build; the offline build shares the configuration, two show it
BUILDS = {"normal": (list(CASES), False),
          "offline": (["image in a page", "script in a page"], True)}


@pytest.mark.parametrize("name", BUILDS)
def test_the_build_fails_on_anything_from_outside(name: str, tmp_path: Path) -> None:
    """Every case in one build: strict mode counts each warning and stops only at the end, so
    each address the build names is a case that fails the build on its own."""
    cases, offline = BUILDS[name]
    project = make_project(tmp_path / "project")
    for case in cases:
        CASES[case][0](project)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the last good site", "utf-8")

    result = build(project, site, offline=offline)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"the build let something through:\n{output}"
    for case in cases:
        address = CASES[case][1]
        assert re.search(rf"External file: {re.escape(address)}", output), (case, output)
    assert "strict mode" in output, output
    # a failed build leaves the last good site as it was, and no half-written one
    assert (site / "index.html").read_text("utf-8") == "the last good site"
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]


def test_an_outside_link_is_not_an_outside_request(web_site: Path) -> None:
    """Links to elsewhere are fine: reading them is the reader's choice, nothing is loaded. The
    fixture's strict build holds two (a curriculum page's, a pattern's source)."""
    curriculum = (web_site / CURRICULUM_SRC.removesuffix(".md") / "index.html").read_text("utf-8")
    assert 'href="https://handbook.example/stuck"' in curriculum
    pattern = (web_site / "patterns" / PRINT_PATTERN / "index.html").read_text("utf-8")
    assert f'href="{OUTSIDE_SOURCE_URL}"' in pattern


#: markup that makes a browser load something by itself: the attribute holding the address
_LOADING = re.compile(
    r"<(?P<tag>script|img|iframe|frame|audio|video|source|track|embed|object|input|link|image|use)"
    r"\b[^>]*?\s(?P<attr>src|srcset|href|poster|data|xlink:href)\s*=\s*"
    r"(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'|(?P<bare>[^\s>]+))", re.I)
#: an address written in a script's code (the way Material adds analytics or Mermaid)
_SCRIPT_URL = re.compile(r"[\"'`](?P<url>(?:https?:)?//[^\"'`\s]+)")
_CSS_URL = re.compile(r"url\(\s*[\"']?(?P<url>[^\"')\s]+)|@import\s+[\"'](?P<imported>[^\"']+)",
                      re.I)


def _outside(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)) and not url.startswith(
        "file:")


def outside_references(site: Path) -> list[str]:
    """Every address outside the site that a page or a style sheet of the site would load."""
    found = []
    for page in html_pages(site):
        text = page.read_text("utf-8")
        for match in _LOADING.finditer(text):
            value = match["double"] or match["single"] or match["bare"] or ""
            urls = ([u.strip().split()[0] for u in value.split(",") if u.strip()]
                    if match["attr"].lower() == "srcset" else [value])
            found += [f"{page.relative_to(site)}: <{match['tag']}> {u}" for u in urls
                      if _outside(u)]
        for style in re.findall(r"<style\b.*?</style>|\sstyle=\"[^\"]*\"", text, re.S | re.I):
            found += [f"{page.relative_to(site)}: style {m['url'] or m['imported']}"
                      for m in _CSS_URL.finditer(style) if _outside(m["url"] or m["imported"])]
        if re.search(r"""\sclass\s*=\s*["']?[^"'>]*\bmermaid\b""", text, re.I):
            # Material fetches Mermaid from unpkg.com for such an element (mkdocs.yml excludes
            # that address from the privacy plugin, so the build does not see it)
            found.append(f"{page.relative_to(site)}: Mermaid diagram, loads Mermaid from unpkg.com")
        for script in re.findall(r"<script\b(?![^>]*\ssrc=)[^>]*>(.*?)</script>", text,
                                 re.S | re.I):
            found += [f"{page.relative_to(site)}: <script> {m['url']}"
                      for m in _SCRIPT_URL.finditer(script)]
    for sheet in site.rglob("*.css"):
        found += [f"{sheet.relative_to(site)}: {m['url'] or m['imported']}"
                  for m in _CSS_URL.finditer(sheet.read_text("utf-8"))
                  if _outside(m["url"] or m["imported"])]
    return found


def test_no_page_of_either_build_loads_anything_from_outside(web_site: Path,
                                                             offline_site: Path) -> None:
    for site in (web_site, offline_site):
        assert outside_references(site) == []
        for page in html_pages(site):
            text = page.read_text("utf-8")
            for host in ("unpkg.com", "googleapis.com", "gstatic.com", "jsdelivr.net",
                         "googletagmanager.com", "cdnjs"):
                assert host not in text, f"{page}: mentions {host}"


def test_the_outside_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The static scan above is a real check: it catches each kind of outside reference."""
    site = tmp_path / "site"
    site.mkdir()
    markup = [
        '<img src="https://a.example/i.png">', "<script src=//b.example/s.js></script>",
        '<link rel="stylesheet" href="https://c.example/s.css">',
        '<img srcset="local.png 1x, https://d.example/i2.png 2x">',
        '<iframe src="https://e.example/v"></iframe>', '<video poster="https://f.example/p.jpg">',
        '<div style="background: url(https://g.example/b.png)"></div>',
        '<style>@import "https://h.example/f.css";</style>',
        '<script>var s = document.createElement("script"); s.src = "https://i.example/a.js"</script>',
        '<pre class="mermaid">graph LR; A --> B</pre>',
        '<a href="https://fine.example/">a link is fine</a>', '<img src="local.png">',
    ]
    for index in range(21):  # html_pages wants a site of some size
        (site / f"p{index}.html").write_text("\n".join(markup) if index == 0 else "", "utf-8")
    found = outside_references(site)
    assert [f.split()[-1] for f in found] == [
        "https://a.example/i.png", "//b.example/s.js", "https://c.example/s.css",
        "https://d.example/i2.png", "https://e.example/v", "https://f.example/p.jpg",
        "https://g.example/b.png", "https://h.example/f.css", "unpkg.com",
        "https://i.example/a.js"]


def test_analytics_are_refused_by_the_build(tmp_path: Path) -> None:
    """Material adds analytics from an inline script, which the privacy plugin does not read, so
    the cardkb hooks refuse ``extra.analytics`` themselves, and the last good site stays."""
    project = make_project(tmp_path / "project")
    edit_config("\nextra:\n",
                "\nextra:\n  analytics:\n    provider: google\n    property: G-TEST1234\n")(project)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("last good site")
    result = build(project, site)
    assert result.returncode == 1
    assert "extra: analytics would send every reader's visits outside" in result.stderr
    assert [p.name for p in site.iterdir()] == ["index.html"]
