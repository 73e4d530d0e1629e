"""Build into a staging folder and swap it in only when the build succeeded.

A failed build must never leave a half-written site nor delete the last good one, but MkDocs
cleans ``site_dir`` early and, in strict mode, aborts only after writing every page. Building into
a sibling folder and renaming it into place at the very end keeps the promise for any engine.
"""

from __future__ import annotations

import shutil
from pathlib import Path


class StagedSite:
    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.staging_dir = site_dir.with_name(f".{site_dir.name}.cardkb-staging")
        self._previous_dir = site_dir.with_name(f".{site_dir.name}.cardkb-previous")

    def begin(self) -> Path:
        """A fresh, empty staging folder to build into."""
        shutil.rmtree(self.staging_dir, ignore_errors=True)
        self.staging_dir.mkdir(parents=True)
        return self.staging_dir

    def commit(self) -> None:
        """Put the staged site in place of the old one (two renames, no copying)."""
        shutil.rmtree(self._previous_dir, ignore_errors=True)
        if self.site_dir.exists():
            self.site_dir.rename(self._previous_dir)
        self.staging_dir.rename(self.site_dir)
        shutil.rmtree(self._previous_dir, ignore_errors=True)

    def abandon(self) -> None:
        """Throw the staged site away; the last good site stays as it was."""
        shutil.rmtree(self.staging_dir, ignore_errors=True)
