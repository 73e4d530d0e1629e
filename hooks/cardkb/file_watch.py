"""Which files were saved, for the live preview: the operating system tells (inotify on Linux,
through watchdog), so a save is noticed at once however many cards there are; where it cannot,
the folders are scanned twice a second."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from watchdog.events import DirModifiedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

#: a save is often several events (an editor writes a new file, then renames it): wait until
#: the files have been quiet this long before rebuilding
QUIET_SECONDS = 0.02


class ChangeWatcher(FileSystemEventHandler):
    def __init__(self, paths: Iterable[Path]) -> None:
        self._changed: set[Path] = set()
        self._event = threading.Condition()
        self._watched: set[Path] = set()
        self._observer = self._start(paths)

    def _start(self, paths: Iterable[Path]) -> BaseObserver:
        wanted = list(paths)
        for kind in (Observer, PollingObserver):
            observer = kind()
            try:
                observer.start()
                self._observer = observer
                self.add(wanted)
                return observer
            except OSError:  # no inotify here, or too many folders for it
                observer.stop()
                self._watched.clear()
        raise OSError("cannot watch the project's files")

    def add(self, paths: Iterable[Path]) -> None:
        """Watch these files and folders too (those that exist, each once)."""
        for path in paths:
            path = path.resolve()
            if path.exists() and path not in self._watched:
                self._observer.schedule(self, str(path), recursive=path.is_dir())
                self._watched.add(path)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, DirModifiedEvent) or event.event_type in ("opened", "closed_no_write"):
            return  # a folder whose files changed, or a file only read: nothing was saved
        with self._event:
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    self._changed.add(Path(_text(path)))
            self._event.notify_all()

    def next_changes(self) -> set[Path]:
        """Wait for the next save and return every path it touched."""
        with self._event:
            self._event.wait_for(lambda: bool(self._changed))
            while self._event.wait(timeout=QUIET_SECONDS):
                pass  # more events: wait until they stop
            changed, self._changed = self._changed, set()
            return changed

    def stop(self) -> None:
        self._observer.stop()


def _text(path: str | bytes) -> str:
    return path.decode() if isinstance(path, bytes) else path
