"""The engines under the site: MkDocs 1.x, ProperDocs (its maintained fork), and the guards
around them.

ProperDocs runs the same ``plugins: - cardkb``: the starter knowledge base (``cardkb init``) is
built by both, from ``mkdocs.yml`` (``-f``) and from ``properdocs.yml``, and every file of the
sites must agree, pages compared as HTML with the one line that names the engine taken out. The
builds run as the real commands, each in its own process: ProperDocs redirects every ``mkdocs.*``
import in its process to its own modules, which must not happen to this one.
"""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cardkb.cli import main
from cardkb.mkdocs_plugin import ENGINE_RECOMMENDATION

from .conftest import REPO, Project
from .test_package import fetch_when_up, free_port

BIN = Path(sys.executable).parent
#: versions a requirement on MkDocs must refuse: MkDocs 2 runs no plugins at all
MKDOCS_2 = ("2.0.0.dev0", "2.0.0a1", "2.0.0rc1", "2.0", "2.0.1", "2.1", "3.0")
MATERIAL_NOTICE = "Material for MkDocs reaches end of life"
#: the one line of a page that names the engine that built it
_GENERATOR = re.compile(r'^\s*<meta name="generator" content="[^"]*">\n', re.MULTILINE)
_PROBLEM_LINE = re.compile(r"\S+:\d+:\d+: .*")


def admits_mkdocs_2(requirement: Requirement) -> bool:
    return canonicalize_name(requirement.name) == "mkdocs" and any(
        requirement.specifier.contains(v, prereleases=True) for v in MKDOCS_2)


def _applies(requirement: Requirement) -> bool:
    """Installed with the distribution itself (not only with one of its extras)."""
    return requirement.marker is None or requirement.marker.evaluate({"extra": ""})


def test_the_guard_sees_a_requirement_that_admits_mkdocs_2() -> None:
    assert admits_mkdocs_2(Requirement("mkdocs>=1.6"))
    assert admits_mkdocs_2(Requirement("mkdocs"))
    assert admits_mkdocs_2(Requirement("MkDocs!=2.0,>=1.5"))
    assert not admits_mkdocs_2(Requirement("mkdocs>=1.6,<2"))
    assert not admits_mkdocs_2(Requirement("mkdocs-material>=9"))


def test_no_installed_package_would_let_mkdocs_2_in() -> None:
    """MkDocs 2 has no plugins and refuses a mkdocs.yml: one unbounded requirement (cardkb's
    own, Material's, any plugin's) and ``pip install -U`` could bring it."""
    admitting = sorted(f"{dist.metadata['Name']}: {text}"
                       for dist in metadata.distributions() for text in dist.requires or []
                       if admits_mkdocs_2(Requirement(text)) and _applies(Requirement(text)))
    assert admitting == []
    assert metadata.version("mkdocs").split(".")[0] == "1"
    cardkb = [Requirement(r) for r in metadata.requires("cardkb") or []]
    assert any(canonicalize_name(r.name) == "mkdocs" for r in cardkb)  # checked above, bounded


def _clean_env() -> dict[str, str]:
    """As a shell runs the commands: cardkb from the installed package, Material's notice on."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NO_MKDOCS_2_WARNING")}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_mkdocs_command_prints_the_end_of_life_notice_once_and_what_cardkb_recommends(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    result = _run([str(BIN / "mkdocs"), "build", "--strict"], project.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(MATERIAL_NOTICE) == 1
    assert result.stderr.count(ENGINE_RECOMMENDATION) == 1
    assert result.stderr.index(MATERIAL_NOTICE) < result.stderr.index(ENGINE_RECOMMENDATION)
    quiet = _run([str(BIN / "properdocs"), "build", "--strict", "-f", "mkdocs.yml"],
                 project.root)
    assert quiet.returncode == 0, quiet.stderr
    assert MATERIAL_NOTICE not in quiet.stderr and ENGINE_RECOMMENDATION not in quiet.stderr


def test_make_build_no_longer_silences_the_notice() -> None:
    assert "NO_MKDOCS_2_WARNING" not in (REPO / "Makefile").read_text("utf-8")


# -- ProperDocs and MkDocs build the same site --------------------------------------------


def _starter(folder: Path, config_name: str = "mkdocs.yml") -> Path:
    assert main(["init", str(folder)]) == 0
    if config_name != "mkdocs.yml":
        (folder / "mkdocs.yml").rename(folder / config_name)
    return folder


BUILDS = {
    "mkdocs": ("mkdocs.yml", [str(BIN / "mkdocs"), "build", "--strict"]),
    "properdocs -f mkdocs.yml": ("mkdocs.yml",
                                 [str(BIN / "properdocs"), "build", "--strict", "-f",
                                  "mkdocs.yml"]),
    "properdocs": ("properdocs.yml", [str(BIN / "properdocs"), "build", "--strict"]),
}


@pytest.fixture(scope="module")
def starter_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The starter knowledge base, built by each command into its own folder."""
    sites = {}
    for name, (config_name, command) in BUILDS.items():
        kb = _starter(tmp_path_factory.mktemp("engine") / "kb", config_name)
        result = _run(command, kb)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
        assert not list(kb.glob(".site.cardkb-*")), name  # staged, then swapped in
        sites[name] = kb / "site"
    return sites


def _site_files(site: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":  # the sitemap, whose gzip header holds the time it was written
            data = gzip.decompress(data)
        elif path.suffix == ".html":
            data = _GENERATOR.sub("", data.decode("utf-8")).encode("utf-8")
        files[path.relative_to(site).as_posix()] = data
    return files


def test_properdocs_builds_the_same_site_as_mkdocs(starter_sites: dict[str, Path]) -> None:
    expected = _site_files(starter_sites["mkdocs"])
    assert "cards/ask-about-the-lateness/index.html" in expected
    assert "find/index.html" in expected
    for name, site in starter_sites.items():
        files = _site_files(site)
        assert sorted(files) == sorted(expected), name
        differing = [uri for uri in expected if files[uri] != expected[uri]]
        assert differing == [], name
    home = (starter_sites["properdocs"] / "index.html").read_text("utf-8")
    assert "ProperDocs" in home  # really built by ProperDocs
    assert 'href="cards/ask-about-the-lateness/"' in home  # a [[link]] filled in


def test_the_same_problem_lines_and_the_last_site_kept(tmp_path: Path) -> None:
    lines = {}
    for name, (config_name, command) in BUILDS.items():
        kb = _starter(tmp_path / name.replace(" ", "_"), config_name)
        (kb / "site").mkdir()
        (kb / "site/index.html").write_text("the last good site", "utf-8")
        with (kb / "content/index.md").open("a", encoding="utf-8") as page:
            page.write("\nSee [[no-such-card]].\n")
        result = _run(command, kb)
        output = result.stdout + result.stderr
        assert result.returncode == 1, f"{name}: {output}"
        assert "Traceback" not in output
        found = [m.group(0).split("-  ", 1)[-1] for m in _PROBLEM_LINE.finditer(output)]
        lines[name] = [line.replace(config_name, "CONFIG") for line in found]
        assert (kb / "site/index.html").read_text("utf-8") == "the last good site"
        assert not list(kb.glob(".site.cardkb-*"))
    assert lines["mkdocs"], "no problem line"
    assert any("no-such-card" in line for line in lines["mkdocs"])
    assert lines["properdocs"] == lines["properdocs -f mkdocs.yml"] == lines["mkdocs"]


def test_cardkb_finds_properdocs_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``cardkb check`` (and every cardkb command) reads ``properdocs.yml`` where there is one,
    as ProperDocs does, and its problem lines name it."""
    kb = _starter(tmp_path / "kb", "properdocs.yml")
    monkeypatch.chdir(kb)
    capsys.readouterr()
    assert main(["check"]) == 0
    assert "all cards are valid" in capsys.readouterr().out
    config = kb / "properdocs.yml"
    text = config.read_text("utf-8")
    assert "    show_drafts: false\n" in text
    config.write_text(text.replace("    show_drafts: false\n", "    show_drafts: maybe\n"),
                      "utf-8")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^properdocs\.yml:\S* .*show_drafts", out, re.MULTILINE), out


# -- serving and previewing under ProperDocs -----------------------------------------------


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[Callable[[list[str], Path], str]]:
    """Start a server command in the starter's folder; its address. Stopped with Ctrl-C."""
    started: list[subprocess.Popen[str]] = []

    def serve(command: list[str], kb: Path) -> str:
        port = free_port()
        server = subprocess.Popen([*command, "--dev-addr", f"127.0.0.1:{port}"], cwd=kb,
                                  env=_clean_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, start_new_session=True)
        started.append(server)
        return f"http://127.0.0.1:{port}/"

    yield serve
    for server in started:
        os.killpg(server.pid, signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output, _ = server.communicate()
        assert "Traceback" not in output, output


SERVERS = {
    "mkdocs serve": ("mkdocs.yml", [str(BIN / "mkdocs"), "serve"]),
    "properdocs serve": ("properdocs.yml", [str(BIN / "properdocs"), "serve"]),
    "cardkb preview (mkdocs)": ("mkdocs.yml", [str(BIN / "cardkb"), "preview"]),
    "cardkb preview (properdocs)": ("properdocs.yml", [str(BIN / "cardkb"), "preview"]),
}


@pytest.mark.parametrize("server", list(SERVERS))
def test_serve_and_preview_under_both_engines(
        server: str, tmp_path: Path, serving: Callable[[list[str], Path], str]) -> None:
    """The same page with the same problems notice, whichever engine serves the preview; a
    ``properdocs.yml`` makes ``cardkb preview`` run on ProperDocs."""
    config_name, command = SERVERS[server]
    kb = _starter(tmp_path / "kb", config_name)
    with (kb / "content/index.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [[no-such-card]].\n")
    url = serving(command, kb)
    page = fetch_when_up(url + "cards/ask-about-the-lateness/")
    assert "Ask about the lateness together" in page
    assert 'class="cardkb-disclaimer"' in page
    assert 'class="admonition danger cardkb-problems"' in page
    assert "no-such-card" in page
    assert ("ProperDocs" in page) is ("properdocs" in server)  # the engine the page names
    assert not (kb / "site").exists()  # served from elsewhere, nothing published


def test_properdocs_is_chosen_only_before_mkdocs_is_loaded() -> None:
    script = ("import mkdocs.config; from cardkb.engines import EngineError, use_properdocs\n"
              "try:\n    use_properdocs()\nexcept EngineError as e:\n    print(e)\n")
    result = _run([sys.executable, "-c", script], REPO)
    assert "MkDocs is loaded already" in result.stdout, result.stdout + result.stderr
