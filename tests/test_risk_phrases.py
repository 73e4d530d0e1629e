"""The finder's words of risk: shipped with every site, in the form the browser reads them.

The ranking's use of them (the safety pattern kept among the results and named above them) is
tested in Node (tests/finder/ranking.test.js); here, that the list reaches find/index.js whole.
"""

from __future__ import annotations

import json
import re

from cardkb.finder import RISK_PHRASES, finder_data
from cardkb.model import KnowledgeBase
from cardkb.urls import UrlLayout


def test_every_phrase_is_written_as_the_browser_compares_it() -> None:
    assert len(RISK_PHRASES) >= 40
    for phrase in RISK_PHRASES:
        assert re.fullmatch(r"[a-z]+( [a-z]+)*\*?", phrase), phrase  # lower case, no apostrophes
    assert {"suicid*", "no way out", "self harm*", "a burden"} <= RISK_PHRASES


def test_the_finder_data_carries_the_phrases() -> None:
    first = finder_data(KnowledgeBase(), UrlLayout()).first
    data = json.loads(first.removeprefix("window.cardkbFinder=").rstrip(";\n"))
    assert data["riskPhrases"] == sorted(RISK_PHRASES)
