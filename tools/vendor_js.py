"""Copy the finder's browser libraries from npm (tools/js/node_modules) into the site's assets.

The site must request nothing from outside and must work opened from disk, so its scripts are
plain files under ``content/assets/vendor/``, each with its licence. This script is how they get
there (``make vendor``, after a version change in ``tools/js/package.json``); ``--check`` reports a
vendored file that differs from what npm installed, and the test suite runs it.

wink-porter2-stemmer is a CommonJS module: it is wrapped, unchanged, in a function that hands its
export to ``window.cardkbStem``, because a page opened from disk cannot load modules.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODULES = REPO / "tools" / "js" / "node_modules"
VENDOR = REPO / "content" / "assets" / "vendor"

COMMONJS_WRAPPER = (
    "/* {name} {version} from npm, wrapped for a plain <script> by tools/vendor_js.py */\n"
    "(function (module) {{\n{source}\nwindow.{name_global} = module.exports;\n"
    "}})({{ exports: {{}} }});\n"
)


def _version(package: str) -> str:
    import json

    data = json.loads((MODULES / package / "package.json").read_text("utf-8"))
    return str(data["version"])


def vendored_files() -> dict[Path, str]:
    """Each vendored file and the text it must hold."""
    stemmer = MODULES / "wink-porter2-stemmer"
    return {
        VENDOR / "minisearch" / "minisearch.js":
            (MODULES / "minisearch" / "dist" / "umd" / "index.js").read_text("utf-8"),
        VENDOR / "minisearch" / "LICENSE.txt":
            (MODULES / "minisearch" / "LICENSE.txt").read_text("utf-8"),
        VENDOR / "wink-porter2-stemmer" / "stemmer.js": COMMONJS_WRAPPER.format(
            name="wink-porter2-stemmer", version=_version("wink-porter2-stemmer"),
            source=(stemmer / "src" / "wink-porter2-stemmer.js").read_text("utf-8"),
            name_global="cardkbStem"),
        VENDOR / "wink-porter2-stemmer" / "LICENSE":
            (stemmer / "LICENSE").read_text("utf-8"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="report vendored files that differ from npm's, change nothing")
    args = parser.parse_args(argv)
    if not MODULES.is_dir():
        print("tools/js/node_modules is missing: run npm ci --prefix tools/js", file=sys.stderr)
        return 2
    stale = []
    for path, text in vendored_files().items():
        current = path.read_text("utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path.relative_to(REPO).as_posix())
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
    for name in stale:
        print(("differs from npm: " if args.check else "vendored: ") + name)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
