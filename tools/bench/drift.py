"""The curriculum drift report at scale: 40 pinned pages of 24 links each, against the build.

``cardkb drift`` reads only the pinned pages and the card files they link, so on a large
knowledge base it should answer within a tenth of a build (issue 22). The pages are written into
the cardkb side's ``content/curricula/`` after its builds and preview were measured, so they
change nothing else the benchmark times; each page links and embeds cards and patterns drawn
at random (with a fixed seed), and is pinned once before the report is timed.
"""

from __future__ import annotations

import random
from pathlib import Path

from .generate import SEED, KnowledgeBaseFiles
from .measure import Run, best_of, timed, tool

PAGES = 40
LINKS_PER_PAGE = 24
FOLDER = "curricula"


def write_curricula(docs: Path, kb: KnowledgeBaseFiles, pages: int = PAGES,
                    links: int = LINKS_PER_PAGE) -> list[Path]:
    """``pages`` curriculum pages under ``docs/curricula/``, each linking ``links`` cards and
    patterns (a third of them embedded)."""
    rng = random.Random(SEED)
    ids = [card.id for card in kb.cards] + [pattern.id for pattern in kb.patterns]
    written = []
    for number in range(pages):
        chosen = rng.sample(ids, min(links, len(ids)))
        lines = [f"# Module {number + 1}", ""]
        for index, id_ in enumerate(chosen):
            lines += [f"![[{id_}]]" if index % 3 == 0 else f"Then read [[{id_}]].", ""]
        page = docs / FOLDER / f"module-{number + 1:02d}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("\n".join(lines), "utf-8")
        written.append(page)
    return written


def measure_drift(config: Path, kb: KnowledgeBaseFiles, repeat: int) -> Run:
    """Write and pin the curricula, then time ``cardkb drift`` (the fastest of ``repeat``)."""
    pages = write_curricula(config.parent / "content", kb)
    cardkb = [*tool("cardkb", "cardkb.cli"), "-f", str(config)]
    timed([*cardkb, "pin", *map(str, pages)], config.parent / "pin.log")
    return best_of([timed([*cardkb, "drift"], config.parent / "drift.log")
                    for _ in range(repeat)])
