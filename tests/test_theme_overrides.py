"""cardkb's copy of Material's base.html (overrides/base.html) stays Material's, but for its change.

The copy names Material's own files by their hashed names (``main.<hash>.min.css``, the bundle),
so a Material release that changed them would leave every page without its style sheet: this
fails first, and says to copy the new base.html and make the one change again (it is marked
``cardkb:`` and explained at the top of the file).
"""

from __future__ import annotations

import re
from pathlib import Path

import material

REPO = Path(__file__).resolve().parents[1]
MATERIAL_BASE = Path(material.__file__).parent / "templates" / "base.html"
OURS = REPO / "overrides" / "base.html"
HEADER = re.compile(r"\A\{#-.*?-#\}\n", re.S)
#: the two toggles as Material writes them, and as cardkb does
_TOGGLE = '    <input class="md-toggle" data-md-toggle="{0}" type="checkbox" id="__{0}" {1}>\n'
MATERIAL_TOGGLES = "".join(_TOGGLE.format(name, 'autocomplete="off"')
                           for name in ("drawer", "search"))
CARDKB_TOGGLES = ('    {#- cardkb: -#}\n'
                  '    <form id="__toggles" autocomplete="off" hidden></form>\n'
                  + "".join(_TOGGLE.format(name, 'form="__toggles"')
                            for name in ("drawer", "search")))


def test_the_base_template_is_materials_but_for_the_toggles() -> None:
    material_text = HEADER.sub("", MATERIAL_BASE.read_text("utf-8"), count=1)
    ours = HEADER.sub("", OURS.read_text("utf-8"), count=1)
    assert ours.count(CARDKB_TOGGLES) == 1, "the change marked cardkb: in overrides/base.html"
    assert material_text.count(MATERIAL_TOGGLES) == 1, (
        f"Material's base.html ({MATERIAL_BASE}) no longer writes its toggles as the copy "
        "expects: copy it into overrides/base.html again and redo the change marked cardkb:")
    assert ours.replace(CARDKB_TOGGLES, MATERIAL_TOGGLES) == material_text, (
        f"overrides/base.html is not Material's installed base.html ({MATERIAL_BASE}) but for "
        "the toggles: copy it again and redo the change marked cardkb:")
