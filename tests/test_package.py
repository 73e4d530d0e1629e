"""The package as a practice installs it: a wheel, installed (not editable) into a clean virtual
environment, with nothing of this repository on the path.

The rest of the suite runs on an editable install, which reads every file from the source tree,
so a file left out of the package data only shows here. The wheel is held to the package folder
itself (every file under ``hooks/cardkb/``, links followed), not to a list, so a template, word
list or data file added there is checked the day it lands.

The clean environment is made once per test session (the ``installed_venv`` fixture, marked
``installed``: about a minute, most of it pip installing the dependencies from its cache); the
knowledge base made by ``cardkb init`` there is built with ``make build``, served with
``make serve`` (one page fetched) and built again with Zensical.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "hooks" / "cardkb"
#: what the wheel is built from, besides what the package's links point to
PROJECT_FILES = ("pyproject.toml", "README.md", "hooks")
#: compiled files Python writes beside the sources; never package data
_CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")

pytestmark = pytest.mark.installed


def package_folder_files(folder: Path) -> set[str]:
    """Every file under the package folder as the wheel names it (``cardkb/...``), following
    links as setuptools does, without Python's caches."""
    files: set[str] = set()
    for current, folders, names in os.walk(folder, followlinks=True):
        folders[:] = [f for f in folders if f != "__pycache__"]
        here = Path(current)
        files |= {"cardkb/" + (here / n).relative_to(folder).as_posix()
                  for n in names if not n.endswith(".pyc")}
    return files


def _clean_env() -> dict[str, str]:
    """The environment a practice has: none of this repository on the path, and Material's
    notice left as it is."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NO_MKDOCS_2_WARNING")}


def _run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


def _linked_folders(folder: Path) -> list[str]:
    """What the links under ``folder`` point to (site/assets and site/overrides point into
    content/ and overrides/), relative to the repository, so the copy's links resolve too."""
    return sorted({path.resolve().relative_to(REPO).as_posix()
                   for path in folder.rglob("*") if path.is_symlink()})


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the project: setuptools keeps a ``build/`` folder
    between builds in place, and an old file there would end up in the wheel."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in [*PROJECT_FILES, *_linked_folders(REPO / "hooks")]:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, symlinks=True, ignore=_CACHES)
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / name, source / name)
    result = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                   "--disable-pip-version-check", "-w", str(work / "dist"), str(source)], work)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = (work / "dist").glob("cardkb-*.whl")
    return built


@pytest.fixture(scope="session")
def installed_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ONE clean virtual environment for the whole session, with the wheel installed as a
    practice installs it (not editable) and Zensical beside it."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    result = _run([sys.executable, "-m", "venv", str(venv)], venv.parent)
    assert result.returncode == 0, result.stderr
    result = _run([str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check",
                   f"cardkb[zensical] @ {wheel.as_uri()}"], venv.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    return venv


def test_no_file_of_the_package_is_hidden_from_the_wheel() -> None:
    """setuptools' ``**/*`` skips names with a leading dot: such a file would be left out."""
    hidden = sorted(f for f in package_folder_files(PACKAGE)
                    if any(part.startswith(".") for part in f.split("/")))
    assert not hidden, f"{hidden}: a leading dot keeps these out of the package (see init.RENAMED)"


def test_the_wheel_holds_every_file_of_the_package_folder(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if n.startswith("cardkb/")}
    expected = package_folder_files(PACKAGE)
    assert expected - shipped == set(), "files the package has but the wheel leaves out"
    assert shipped - expected == set(), "files in the wheel that are not in the package folder"
    # the files read at run time are among them (a rule that matched nothing would pass above
    # only if the folder were empty too)
    for name in ("finder_risk.yml", "finder_stopwords.txt", "finder_model.json",
                 "schema/card.json", "templates/card.md.j2", "starter/mkdocs.yml",
                 "site/assets/cardkb.js", "site/overrides/main.html"):
        assert f"cardkb/{name}" in shipped


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def practice_kb(installed_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cardkb init our-kb`` from the installed package, its ``.venv`` the session's clean
    environment (what ``make`` would install there from requirements.txt is exactly it)."""
    parent = tmp_path_factory.mktemp("practice")
    result = _run([str(installed_venv / "bin/cardkb"), "init", "our-kb"], parent)
    assert result.returncode == 0, result.stdout + result.stderr
    kb = parent / "our-kb"
    requirement = (kb / "requirements.txt").read_text("utf-8").splitlines()[-1]
    assert requirement.startswith("cardkb @ file://") and requirement.endswith(".whl")
    result = _run([str(installed_venv / "bin/pip"), "install", "--disable-pip-version-check",
                   "-r", "requirements.txt"], kb)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully installed" not in result.stdout  # the file names what is installed
    (kb / ".venv").symlink_to(installed_venv)
    (installed_venv / ".installed").touch()  # newer than requirements.txt: make installs nothing
    return kb


def test_make_build_in_a_new_knowledge_base(practice_kb: Path) -> None:
    result = _run(["make", "build"], practice_kb)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    assert output.count("Material for MkDocs reaches end of life") <= 1
    assert "cardkb recommends ProperDocs" in output
    card = (practice_kb / "site/cards/ask-about-the-lateness/index.html").read_text("utf-8")
    assert "Ask about the lateness together" in card
    assert 'class="cardkb-disclaimer"' in card
    assert (practice_kb / "site/find/index.html").is_file()
    assert (practice_kb / "site/assets/vendor/minisearch/minisearch.js").is_file()


@pytest.fixture
def served(practice_kb: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(["make", "serve", f"DEV_ADDR=127.0.0.1:{port}"], cwd=practice_kb,
                              env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        assert server.stdout is not None
        output = server.stdout.read()
        assert "Traceback" not in output, output


def fetch_when_up(url: str, timeout: float = 180) -> str:
    """The page at ``url``, once a server just started answers (within ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body: str = response.read().decode("utf-8")
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_make_serve_in_a_new_knowledge_base(served: str) -> None:
    page = fetch_when_up(served + "cards/ask-about-the-lateness/")
    assert "Ask about the lateness together" in page
    assert 'class="cardkb-disclaimer"' in page


def test_zensical_builds_a_new_knowledge_base(practice_kb: Path) -> None:
    result = _run([str(practice_kb / ".venv/bin/python"), "-m", "cardkb.zensical_build"],
                  practice_kb, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    card = (practice_kb / "site/cards/ask-about-the-lateness/index.html").read_text("utf-8")
    assert "Ask about the lateness together" in card
    assert (practice_kb / "site/find/index.html").is_file()
