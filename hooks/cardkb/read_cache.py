"""Parsed card files kept between checks, for a live preview that answers in a second.

Reading and parsing every YAML file is most of a check's time (1.7 s of 2.5 s at 3,000 cards),
while a save changes one file. A file is parsed again only when its size, modification time or
inode changed; the problems it had are replayed, so a check with the cache reports exactly what
a check without it reports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, Problems
from .yaml_source import YamlDocument, read_yaml_file

#: what tells that a file changed without reading it
FileKey = tuple[int, int, int]


@dataclass(frozen=True)
class _Parsed:
    key: FileKey
    document: YamlDocument | None
    problems: tuple[Problem, ...]


@dataclass
class ReadCache:
    """Documents by project-relative path; :attr:`reread` names the files parsed by the last
    check (every file, the first time)."""

    _parsed: dict[str, _Parsed] = field(default_factory=dict)
    reread: set[str] = field(default_factory=set)
    #: the files the last check found gone (deleted, renamed, or no longer read)
    gone: set[str] = field(default_factory=set)
    _seen: set[str] = field(default_factory=set)

    def begin(self) -> None:
        """Start a check: what it does not read again is forgotten at :meth:`finish`."""
        self.reread.clear()
        self._seen.clear()

    def finish(self) -> None:
        """End a check: forget the files it did not read (:attr:`gone`)."""
        self.gone = set(self._parsed) - self._seen
        for path in self.gone:
            del self._parsed[path]

    def forget(self, rel_paths: set[str]) -> None:
        """Parse these files again at the next check, whatever their keys say: a file saved
        twice within the file system's clock tick can keep its time and size."""
        for path in rel_paths:
            self._parsed.pop(path, None)

    def read(self, file: Path, rel_path: str, problems: Problems) -> YamlDocument | None:
        """Like :func:`read_yaml_file`, from the cache when the file is unchanged."""
        self._seen.add(rel_path)
        try:
            stat = os.stat(file)
            key: FileKey | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            key = None
        cached = self._parsed.get(rel_path)
        if key is not None and cached is not None and cached.key == key:
            problems.extend(cached.problems)
            return cached.document
        own = Problems()
        document = read_yaml_file(file, rel_path, own)
        problems.extend(own)
        self.reread.add(rel_path)
        if key is not None:
            self._parsed[rel_path] = _Parsed(key, document, tuple(own))
        else:
            self._parsed.pop(rel_path, None)
        return document
