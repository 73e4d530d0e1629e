"""Build into a staging folder and swap it in only when the build succeeded.

A failed build must never leave a half-written site nor delete the last good one, but MkDocs
cleans ``site_dir`` early and, in strict mode, aborts only after writing every page. Building into
a sibling folder and renaming it into place at the very end keeps the promise for any engine.

A build stopped by SIGTERM or SIGHUP (a CI timeout, a closed terminal) removes its staging folder
before it ends; SIGKILL cannot be caught, so the next build (or ``make clean``) removes it then.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

_CLEANUP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class StagedSite:
    def __init__(self, site_dir: Path, staging_dir: Path | None = None) -> None:
        """``staging_dir`` (default: a hidden sibling of the site) must be on the same file
        system as the site, so that swapping it in is a rename; an engine that builds only
        inside its own project folder (Zensical) names a folder there."""
        self.site_dir = site_dir
        self.staging_dir = staging_dir or site_dir.with_name(f".{site_dir.name}.cardkb-staging")
        self._previous_dir = site_dir.with_name(f".{site_dir.name}.cardkb-previous")
        self._handlers: dict[int, Any] = {}

    def begin(self) -> Path:
        """A fresh, empty staging folder to build into, removed again if the build is killed."""
        shutil.rmtree(self.staging_dir, ignore_errors=True)
        self.staging_dir.mkdir(parents=True)
        self._catch_signals()
        return self.staging_dir

    def _catch_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set handlers; the next build cleans up instead
        for number in _CLEANUP_SIGNALS:
            if signal.getsignal(number) is not signal.SIG_IGN:  # nohup's choice stands
                self._handlers[number] = signal.signal(number, self._on_signal)

    def _release_signals(self) -> None:
        for number, handler in self._handlers.items():
            signal.signal(number, handler)
        self._handlers.clear()

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        """Remove the staged site, then end as the signal would have ended the process."""
        previous = self._handlers.get(number, signal.SIG_DFL)
        self.abandon()
        if callable(previous):
            previous(number, frame)
            return
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    def commit(self) -> None:
        """Put the staged site in place of the old one (two renames, no copying)."""
        self._release_signals()
        shutil.rmtree(self._previous_dir, ignore_errors=True)
        if self.site_dir.exists():
            self.site_dir.rename(self._previous_dir)
        self.staging_dir.rename(self.site_dir)
        shutil.rmtree(self._previous_dir, ignore_errors=True)

    def abandon(self) -> None:
        """Throw the staged site away; the last good site stays as it was."""
        self._release_signals()
        shutil.rmtree(self.staging_dir, ignore_errors=True)
