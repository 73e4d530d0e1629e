"""The files a cardkb site needs besides its pages, shipped inside the package.

The stylesheets, the scripts (the finder, the header's search box) and their vendored libraries,
and the theme overrides: a practice that installs cardkb with pip gets them with the engine and
upgrades them with it. In this repository ``site/assets`` and ``site/overrides`` are links to
``content/assets/`` and ``overrides/``, so there is one copy to edit; building the package copies
their files in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import rjsmin

SITE_DIR = Path(__file__).parent / "site"
#: page assets that earlier cardkb versions shipped and a mkdocs.yml copied from cardkb's own may
#: still list: practice's own, now loaded by cardkb.js on practice/ alone. Left out of a build
#: unless the site has a file of that name (a failed request on every page otherwise).
RETIRED_ASSETS = frozenset({"assets/cardkb-practice.css", "assets/cardkb-practice.js"})


def is_retired(path: str, docs_dir: Path) -> bool:
    """Whether a page asset a config lists is one cardkb no longer ships (RETIRED_ASSETS) and the
    site has no file of that name: both engines leave such entries out."""
    return path in RETIRED_ASSETS and not (docs_dir / path).is_file()
ASSETS_DIR = SITE_DIR / "assets"
OVERRIDES_DIR = SITE_DIR / "overrides"


@dataclass(frozen=True)
class SiteAsset:
    """One file to publish under ``assets/``, at ``src_uri`` relative to the site's root."""

    src_uri: str
    path: Path

    @property
    def page_style(self) -> bool:
        """A stylesheet every page loads (the vendored libraries' own files are loaded by
        cardkb's scripts, where they need them)."""
        return self._own and self.src_uri.endswith(".css")

    @property
    def page_script(self) -> bool:
        return self._own and self.src_uri.endswith(".js")

    @property
    def _own(self) -> bool:
        return self.src_uri.count("/") == 1 and Path(self.src_uri).name.startswith("cardkb")

    def published(self) -> bytes:
        """The file as the site publishes it: a script without its comments and spaces (a
        phone on a slow line paints the finder's first results ~0.1 s sooner; a licence's
        ``/*! */`` comment stays), any other file as it is."""
        stat = self.path.stat()  # an edit during a live preview is a new key, never stale
        return _published(self.path, stat.st_mtime_ns, stat.st_size)

    def is_source_of(self, path: Path) -> bool:
        """Whether ``path`` holds this file: the file itself (cardkb's own docs folder holds the
        assets) or a copy of it. A site's own file of the same name is another file."""
        return path.resolve() == self.path.resolve() or (
            path.stat().st_size == self.path.stat().st_size
            and path.read_bytes() == self.path.read_bytes())


@lru_cache(maxsize=64)
def _published(path: Path, mtime_ns: int, size: int) -> bytes:
    content = path.read_bytes()
    if path.suffix != ".js":
        return content
    minified: str = rjsmin.jsmin(content.decode("utf-8"), keep_bang_comments=True)
    return minified.encode("utf-8")


@cache
def site_assets() -> tuple[SiteAsset, ...]:
    """Every shipped asset, in a stable order (cardkb.css before cardkb-finder.css, as the
    finder's styles build on the site's)."""
    files = sorted((p for p in ASSETS_DIR.rglob("*") if p.is_file()),
                   key=lambda p: (len(p.relative_to(ASSETS_DIR).parts), p.stem != "cardkb",
                                  p.as_posix()))
    return tuple(SiteAsset("assets/" + p.relative_to(ASSETS_DIR).as_posix(), p) for p in files)
