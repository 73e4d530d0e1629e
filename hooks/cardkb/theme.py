"""What cardkb asks of any engine's Markdown and theme, in one place for every adapter."""

from __future__ import annotations

#: the Markdown extensions cardkb's pages are written for (attribute lists, anchors, notes)
REQUIRED_EXTENSIONS = ("attr_list", "toc", "admonition")
#: a card page's ``status`` (its verdict) as the theme's navigation names it on hover
VERDICT_STATUS = {"backfires": "Tends to backfire", "works": "Works"}
