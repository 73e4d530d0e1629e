"""What cardkb asks of any engine's Markdown and theme, in one place for every adapter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .problems import Location, Problems

#: the Markdown extensions cardkb's pages are written for (attribute lists, anchors, notes)
REQUIRED_EXTENSIONS = ("attr_list", "toc", "admonition")
#: a card page's ``status`` (its verdict) as the theme's navigation names it on hover
VERDICT_STATUS = {"backfires": "Tends to backfire", "works": "Works"}


def refuse_analytics(extra: Any, where: Location, problems: Problems) -> None:
    """``extra: analytics`` in the site's configuration is a problem for every engine: the theme
    loads analytics from a script at run time, where the privacy plugin cannot see it, and a
    practice's site must request nothing from outside."""
    if isinstance(extra, Mapping) and extra.get("analytics"):
        problems.error(where, "extra: analytics would send every reader's visits outside the "
                       "practice; a cardkb site requests nothing from outside, so remove it")
