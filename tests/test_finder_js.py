"""The finder's ranking, tested in Node: the very script the site ships, with the libraries npm
installs into tools/js/ (``make test`` runs ``npm ci --prefix tools/js``).

The tests themselves are in tests/finder/*.test.js (``node --test``); this runs them all in one
Node process. Without Node.js or those libraries it skips, except under CI=true, where it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import NoReturn

import pytest

from .conftest import REPO

TESTS = sorted((REPO / "tests" / "finder").glob("*.test.js"))
MODULES = REPO / "tools" / "js" / "node_modules"


def _missing(message: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(message)


def _require_modules() -> None:
    if not (MODULES / "minisearch").is_dir():
        _missing("tools/js/node_modules is missing: run npm ci --prefix tools/js (make test does)")


def test_the_ranking_in_node() -> None:
    node = shutil.which("node")
    if node is None:
        _missing("Node.js is missing (make system-packages installs it)")
    _require_modules()
    assert len(TESTS) >= 3, TESTS
    # the Python end of the model check: this interpreter, which has cardkb installed
    env = {**os.environ, "CARDKB_PYTHON": sys.executable}
    result = subprocess.run([str(node), "--test", *map(str, TESTS)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "# fail 0" in report and "# skipped 0" in report, report


def test_the_vendored_libraries_are_exactly_npm_s() -> None:
    """The site's copies in content/assets/vendor/ (tools/vendor_js.py) match what npm installed:
    the browser runs the same code as the Node tests."""
    _require_modules()
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import vendor_js
    finally:
        sys.path.remove(str(REPO / "tools"))
    stale = [path.relative_to(REPO).as_posix() for path, text in vendor_js.vendored_files().items()
             if not path.is_file() or path.read_text("utf-8") != text]
    assert not stale, f"differ from npm's: {stale}; run make vendor"
