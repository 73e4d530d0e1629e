#!/usr/bin/env python3
"""Print the CSP hashes of the inline scripts in a built cardkb site.

The site runs no inline script of its own, but Material for MkDocs writes two small start-up
scripts into every page. The Content-Security-Policy in deploy/nginx/cardkb-site.conf allows
exactly those, by their SHA-256 hashes. After upgrading Material, build the site and run

    python3 deploy/csp_hashes.py site

then put the hashes it prints into the `script-src` of cardkb-site.conf (with your sub-path
in place of /kb/) (``make test`` fails
until they match). A site built with Zensical (``make build-zensical``) has scripts of its own,
allowed in cardkb-site-zensical.conf. Only the standard library is used.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

_SCRIPT = re.compile(r"<script(?P<attrs>\s[^>]*)?>(?P<body>.*?)</script>", re.S | re.I)


def inline_script_hashes(site: Path) -> dict[str, str]:
    """``'sha256-…'`` of every inline script of the site, each with the first page that has it."""
    found: dict[str, str] = {}
    for page in sorted(site.rglob("*.html")):
        for match in _SCRIPT.finditer(page.read_text("utf-8")):
            attrs = match["attrs"] or ""
            if re.search(r"\ssrc\s*=", attrs) or re.search(
                    r"\stype\s*=\s*[\"']?application/(?:ld\+)?json", attrs):
                continue  # a script file, or data that is never run
            digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
            found.setdefault(f"'sha256-{base64.b64encode(digest).decode()}'",
                             page.relative_to(site).as_posix())
    return found


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "site")
    if not (site / "index.html").is_file():
        print(f"{site} is not a built site: run `make build` (or `make build-zensical`) first",
              file=sys.stderr)
        return 2
    found = inline_script_hashes(site)
    for digest, page in sorted(found.items(), key=lambda item: item[1]):
        print(f"{digest}    # first in {page}", file=sys.stderr)
    # the site's own path on the host the browser asked for (see cardkb-site.conf)
    print("script-src $http_host/kb/ " + " ".join(sorted(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
