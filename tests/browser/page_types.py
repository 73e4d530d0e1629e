"""One page of each kind the site has, for checks that must hold on every kind of page.

A new kind of page (the finder, ``find/``) is checked by adding it here: the accessibility,
phone-width and other every-page checks take their pages from ``PAGE_TYPES``.
"""

from __future__ import annotations

from browser_kit import ALIAS, CURRICULUM_SRC, PRINT_PATTERN

#: a pattern with a safety note, and a card that backfires and one that works
SAFETY_PATTERN = "hopelessness-behind-stuck"
BACKFIRES_CARD = ALIAS[0]
WORKS_CARD = "name-the-meta-problem"

#: kind of page -> its directory URL, relative to the site's root
PAGE_TYPES: dict[str, str] = {
    "home": "",
    "finder": "find/",
    "practice": "practice/",
    "practice sheet": "practice/stuck-client/supervisor/",
    "sign finder": "signs/",
    "patterns": "patterns/",
    "pattern": f"patterns/{PRINT_PATTERN}/",
    "pattern with a safety note": f"patterns/{SAFETY_PATTERN}/",
    "card that backfires": f"cards/{BACKFIRES_CARD}/",
    "card that works": f"cards/{WORKS_CARD}/",
    "curricula": "curricula/",
    "curriculum": "curricula/working-with-stuckness/",
    "curriculum with embeds": CURRICULUM_SRC.removesuffix(".md") + "/",
    "authoring": "authoring/",
    "supervision": "supervision/",
    "editors": "editors/",
    "finder, with results": "find/?q=she%20keeps%20cancelling",
}
