"""The site's cardkb settings, read from ``extra: cardkb:`` in mkdocs.yml and typed once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .problems import Location, Problems, did_you_mean

DEFAULT_DISCLAIMER = (
    "Educational material for trained professionals. It is not clinical advice and is no "
    "substitute for supervision or your own clinical judgement."
)

_TYPE_NAMES = {bool: "true or false", int: "a whole number", str: "text"}


def _is_of_type(value: Any, expected: type) -> bool:
    """``isinstance``, except that YAML's true and false are not numbers here."""
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


@dataclass(frozen=True)
class Settings:
    #: the folder of pattern folders, relative to the project root
    cards_dir: str = "cards"
    #: show draft cards (with a Draft banner) instead of leaving them out
    show_drafts: bool = False
    #: the short disclaimer shown on every page
    disclaimer: str = DEFAULT_DISCLAIMER
    #: report text that looks like it could identify a person (names, dates, phone numbers...)
    lint_identifiers: bool = True
    #: list each pattern with its cards in the navigation while there are at most this many
    #: patterns; above that the navigation links the Patterns page, so every page stays small
    nav_max_patterns: int = 30

    @classmethod
    def from_mapping(cls, raw: Any, problems: Problems, where: Location) -> Settings:
        """Settings from the ``extra: cardkb:`` mapping; unknown or mistyped keys are problems."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            problems.error(where, "extra: cardkb: must be a mapping of settings")
            return cls()
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            spec = known.get(key)
            if spec is None:
                problems.error(where, f"extra: cardkb: unknown setting '{key}'"
                               + did_you_mean(str(key), known))
            elif not _is_of_type(value, type(spec.default)):
                problems.error(where, f"extra: cardkb: {key} must be "
                               f"{_TYPE_NAMES[type(spec.default)]}")
            else:
                values[key] = value
        return cls(**values)
