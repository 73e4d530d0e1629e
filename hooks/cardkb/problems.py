"""Problems are data: a location and a message, collected and reported once, in one format.

Every stage of the pipeline adds to one :class:`Problems` collection instead of raising, so an
author sees every mistake in one run, each as ``path:line:col: message``.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum

#: how many problems of one file are shown (the rest are counted)
MAX_PER_FILE = 100

#: Characters that would break a problem line in two or rewrite a terminal: control characters,
#: line and paragraph separators, and the bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """Text with every character that could break its line shown as an escape, such as \\x07."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                            else f"\\u{ord(m[0]):04x}", text)


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file of the project; ``path`` is relative to the project root."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{one_line(self.path)}:{self.line}:{self.column}"


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    severity: Severity = Severity.ERROR

    @property
    def text(self) -> str:
        """The message as reported, with ``warning:`` before a warning's."""
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return prefix + one_line(self.message)

    def __str__(self) -> str:
        return f"{self.location}: {self.text}"


@dataclass
class Problems:
    """An ordered collection of problems; stages append, the front end reports."""

    items: list[Problem] = field(default_factory=list)

    def error(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message))

    def warning(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message, Severity.WARNING))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    def sorted(self) -> list[Problem]:
        """Problems in reading order (by file, then line), each reported once.

        A file with more than :data:`MAX_PER_FILE` problems shows that many and one line that
        counts the rest: 450,000 lines of the same mistake help nobody, and would fill a
        preview page. Every problem still counts.
        """
        unique = sorted(dict.fromkeys(self.items), key=lambda p: (p.location, p.message))
        shown: list[Problem] = []
        per_file: Counter[str] = Counter()
        for problem in unique:
            per_file[problem.location.path] += 1
            if per_file[problem.location.path] <= MAX_PER_FILE:
                shown.append(problem)
        for path, count in per_file.items():
            if count > MAX_PER_FILE:
                more = count - MAX_PER_FILE
                shown.append(Problem(Location(path), f"and {more:,} more problem"
                                     f"{'s' if more > 1 else ''} in this file, not shown: fix "
                                     "the ones above first"))
        return sorted(shown, key=lambda p: p.location.path)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix for a near miss, or an empty string."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
