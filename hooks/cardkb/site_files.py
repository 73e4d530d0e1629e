"""The files a cardkb site needs besides its pages, shipped inside the package.

The stylesheets, the scripts (the finder, the header's search box) and their vendored libraries,
and the theme overrides: a practice that installs cardkb with pip gets them with the engine and
upgrades them with it. In this repository ``site/assets`` and ``site/overrides`` are links to
``content/assets/`` and ``overrides/``, so there is one copy to edit; building the package copies
their files in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

SITE_DIR = Path(__file__).parent / "site"
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


@cache
def site_assets() -> tuple[SiteAsset, ...]:
    """Every shipped asset, in a stable order (cardkb.css before cardkb-finder.css, as the
    finder's styles build on the site's)."""
    files = sorted((p for p in ASSETS_DIR.rglob("*") if p.is_file()),
                   key=lambda p: (len(p.relative_to(ASSETS_DIR).parts), p.stem != "cardkb",
                                  p.as_posix()))
    return tuple(SiteAsset("assets/" + p.relative_to(ASSETS_DIR).as_posix(), p) for p in files)
