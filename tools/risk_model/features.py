"""The learnt risk step's features, in Python (tools/risk_model/train.py learns from them; the
browser's copy is in content/assets/finder/risk.js, held equal to this one by a Node test): a
report's words and neighbouring word pairs, each hashed into a bucket."""

from __future__ import annotations

import base64
import math
import re
from itertools import pairwise
from typing import Any

#: what the step reads of a report, as the finder gives it
RISK_CHARS = 2000
_APOSTROPHES = re.compile(r"['\u2019]")
_WORD = re.compile(r"[^\W]+")


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over the UTF-8 bytes: simple enough to write twice, the same in both."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def grams(text: str) -> list[str]:
    """The first 2,000 characters' words (lower case, no apostrophes), then each pair."""
    words = _WORD.findall(_APOSTROPHES.sub("", text[:RISK_CHARS].lower()))
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def learnt_score(text: str, model: dict[str, Any]) -> float:
    """The risk logit of finder_risk_learned.json for a report, in plain Python: what risk.js's
    byLearning computes, for the test that holds the two equal (the trainer's own path is numpy)."""
    idf = [b * model["idfScale"] for b in base64.b64decode(model["idf"])]
    weights = [(b - 256 if b > 127 else b) * model["weightScale"]
               for b in base64.b64decode(model["weights"])]
    counts: dict[int, int] = {}
    for gram in grams(text):
        bucket = fnv1a(gram) % model["buckets"]
        counts[bucket] = counts.get(bucket, 0) + 1
    values = {b: (1 + math.log(n)) * idf[b] for b, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    return float(model["bias"] + sum(weights[b] * v / norm for b, v in values.items()))

