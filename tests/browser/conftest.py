"""Fixtures for the browser and deployment tests (the helpers are in browser_kit.py).

Chromium and nginx come from the distribution's packages (``make system-packages``, which
tools/system-packages.sh does for ``make test``). Where they are missing the tests skip with the
reason; under ``CI=true`` a missing browser or server is a failure, never a skip: ``missing``
below is the one place that decides.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from browser_kit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NGINX,
    SCREENS,
    BuiltSite,
    Watch,
    built,
    make_project,
    serve,
    watching,
)


def missing(what: str, reason: str) -> NoReturn:
    """Skip a test for want of a system tool, or fail it under CI=true, where nothing may skip."""
    message = f"{what}: {reason} (install it with `make system-packages`, tools/system-packages.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so a missing browser or server is a failure, not a skip",
                    pytrace=False)
    pytest.skip(message)


def require_executable(path: str, what: str) -> str:
    """The path of a system executable, or a skip (a failure under CI=true) when it is missing."""
    if os.access(path, os.X_OK):
        return path
    found = shutil.which(Path(path).name)
    if found:
        return found
    missing(what, f"{path} not found")


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("project") / "cardkb")


@pytest.fixture(scope="session")
def web_site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The normal build, for a web server."""
    return built(project, tmp_path_factory.mktemp("web") / "site")


@pytest.fixture(scope="session")
def offline_site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``OFFLINE=true`` build, for a copy opened from disk."""
    return built(project, tmp_path_factory.mktemp("offline") / "site", offline=True)


@pytest.fixture(scope="session")
def web_url(web_site: Path) -> Iterator[str]:
    """The normal build served at http://127.0.0.1:<port>/kb/."""
    with serve(web_site) as url:
        yield url


@pytest.fixture(params=["web", "offline"], ids=["web-under-kb", "offline-from-disk"])
def site(request: pytest.FixtureRequest) -> BuiltSite:
    """Each build where its readers meet it: the normal one on a web server under /kb/, and the
    ``OFFLINE=true`` one opened from disk (file://)."""
    if request.param == "web":
        return BuiltSite(request.getfixturevalue("web_site"), request.getfixturevalue("web_url"),
                         offline=False)
    root = request.getfixturevalue("offline_site")
    return BuiltSite(root, root.as_uri() + "/", offline=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, driven by Playwright (never Playwright's own download)."""
    executable = require_executable(CHROMIUM, "Chromium for the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        missing("Playwright for Python", f"cannot import it ({error}); run `make test`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def _module_context(browser: Any) -> Iterator[Watch]:
    with watching(browser) as recorded:
        yield recorded


@pytest.fixture
def watch(_module_context: Watch) -> Iterator[Watch]:
    """A fresh page with nothing recorded yet, in a browser context the module's tests share: a
    new context for every test cost about half a second, and no site page keeps anything in the
    browser's storage. A test that changes the context itself (an init script, credentials)
    opens one of its own with ``watching``."""
    shared = _module_context
    for page in shared.context.pages:
        page.close()
    shared.reset()
    shared.open()
    try:
        yield shared
    finally:
        for page in shared.context.pages:
            page.close()
        shared.reset()


@pytest.fixture(scope="session")
def nginx_executable() -> str:
    """The distribution's nginx, for the deployment tests."""
    return require_executable(NGINX, "nginx for the deployment test")


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's script, from npm (``npm ci --prefix tests/browser``, run by ``make test``)."""
    from axe import AXE_SCRIPT

    if not AXE_SCRIPT.is_file():
        missing("axe-core for the accessibility tests",
                f"{AXE_SCRIPT} not found; run `npm ci --prefix tests/browser` (make test does)")
    return AXE_SCRIPT.read_text("utf-8")


@pytest.fixture(scope="module", params=list(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Any) -> Iterator[Watch]:
    """A page on each screen in turn, a desktop and a phone (SCREENS), watched for errors."""
    with watching(browser, **SCREENS[request.param]) as watch:
        yield watch
