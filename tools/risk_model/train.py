"""Train the risk step's learnt part: word and word-pair features of every labelled report.

Why (issue 19): six rounds of phrase rules heard about three risk reports in four from a writer
they had never seen, however many the rules grew; the same reports, learnt from, generalise.
Left out one writer at a time, a logistic regression on hashed words and word pairs of the
project's labelled reports heard 0.72 to 0.93 of that writer's risk at about 5% false alarms
(README, "Risk first"). This trains it on every labelled set but the last held-out one and
writes ``hooks/cardkb/finder_risk_learned.json``, which the build ships to the browser
(find/risk-vectors.js) and ``content/assets/finder/risk.js`` reads.

The features, exactly as risk.js computes them (one specification, two implementations; a test
holds them equal on every labelled report):

- the text's first 2,000 characters, lower case, apostrophes removed; its words are the runs of
  letters, digits and underscores;
- each word, and each two neighbouring words joined by a space, hashed (32-bit FNV-1a over the
  UTF-8 bytes) into ``buckets``;
- a bucket's value is (1 + ln count) times its idf (ln((1 + n) / (1 + df)) + 1 over the training
  reports), the vector scaled to unit length;
- risk: ``bias + sum(weight * value)`` against ``threshold`` (a logit); kind: the largest of
  four such sums over ``kindBuckets`` buckets, learnt from the risk reports alone.

Weights and idf are stored as bytes (int8 and uint8 with a scale each), and the threshold is
computed with those same rounded numbers: where 5% of the everyday reports of a writer left out
would raise the notice, each writer's reports scored by a model learnt from the others.

    make risk-model     # installs scikit-learn into .venv-model, trains, writes the JSON
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from features import fnv1a, grams

REPO = Path(__file__).resolve().parents[2]
SETS = REPO / "tests" / "search"
OUT = REPO / "hooks" / "cardkb" / "finder_risk_learned.json"
RISK_RULES = REPO / "hooks" / "cardkb" / "finder_risk.yml"
CARDS = REPO / "cards"
#: held-out sets not learnt from: the tenth, scored at round eight's end and not yet learnt from,
#: and the eleventh, written blind for round nine and scored once at its end
HELD_OUT = ("risk-held10.yml", "risk-held11.yml")
KINDS = ("suicide", "self-harm", "harm-to-others", "abuse")
BUCKETS = 2 ** 14
KIND_BUCKETS = 2 ** 12
FALSE_ALARMS = 0.02
#: below the score where this share of risk reports fall (out of fold), the learnt part is sure
#: enough a report is everyday to quiet cues and the meaning, weak signals that no phrase backs
QUIET_MISSES = 0.01
C = 4.0


def writers() -> dict[str, list[dict[str, str]]]:
    """Every labelled set but the last held-out one, by file: each file is one writer. And, as
    one more, what the meaning step compares with: the statements of ``finder_risk.yml`` and, as
    everyday, the signs and heard-as phrases of the starter's patterns that are not safety
    patterns (how supervisors describe the everyday problems a finder is mostly asked about)."""
    found = {}
    for path in sorted(SETS.glob("risk*.yml")):
        if path.name in HELD_OUT or path.name.startswith("risk-rules"):
            continue
        found[path.stem] = yaml.safe_load(path.read_text("utf-8"))["reports"]
    statements = yaml.safe_load(RISK_RULES.read_text("utf-8"))["meaning"]
    said = [{"q": text, "kind": kind} for kind, texts in statements.items() for text in texts]
    for pattern in sorted(CARDS.glob("*/pattern.yml")):
        data = yaml.safe_load(pattern.read_text("utf-8"))
        if "safety" in (data.get("tags") or []):
            continue
        said += [{"q": sign["text"] if isinstance(sign, dict) else sign, "kind": "everyday"}
                 for sign in data.get("signs") or []]
        said += [{"q": text, "kind": "everyday"} for text in data.get("heard_as") or []]
    found["statements and starter phrases"] = said
    return found


def counts(texts: list[str], buckets: int) -> csr_matrix:
    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        seen: dict[int, int] = {}
        for gram in grams(text):
            b = fnv1a(gram) % buckets
            seen[b] = seen.get(b, 0) + 1
        for b, n in seen.items():
            rows.append(i)
            cols.append(b)
            vals.append(n)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), buckets), dtype=np.float64)


def idf_of(tf: csr_matrix) -> np.ndarray:
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    return np.log((1 + tf.shape[0]) / (1 + df)) + 1


def features(tf: csr_matrix, idf: np.ndarray) -> csr_matrix:
    x = tf.copy()
    x.data = 1 + np.log(x.data)
    x = x.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return csr_matrix(x.multiply(1 / norms[:, None]))


def quantised(values: np.ndarray, signed: bool) -> tuple[np.ndarray, float]:
    top = float(np.max(np.abs(values))) or 1.0
    scale = top / (127 if signed else 255)
    q = np.rint(values / scale).astype(np.int8 if signed else np.uint8)
    return q, scale


class Model:
    """One learnt model: idf and weights of ``buckets`` buckets, rounded as shipped."""

    def __init__(self, texts: list[str], labels: np.ndarray, buckets: int, classes: int) -> None:
        tf = counts(texts, buckets)
        idf_q, self.idf_scale = quantised(idf_of(tf), signed=False)
        self.idf = idf_q.astype(np.float64) * self.idf_scale
        self.idf_q = idf_q
        fit = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
        fit.fit(features(tf, self.idf), labels)
        coef = fit.coef_ if classes > 2 else fit.coef_[:1]
        self.w_q, self.w_scale = quantised(coef, signed=True)
        self.w = self.w_q.astype(np.float64) * self.w_scale
        self.bias = fit.intercept_ if classes > 2 else fit.intercept_[:1]
        self.buckets = buckets

    def logits(self, texts: list[str]) -> np.ndarray:
        x = features(counts(texts, self.buckets), self.idf)
        return np.asarray(x @ self.w.T) + self.bias


def main() -> int:
    sets = writers()
    texts = [r["q"] for reps in sets.values() for r in reps]
    labels = np.array([r["kind"] != "everyday" for reps in sets.values() for r in reps], int)
    names = np.array([name for name, reps in sets.items() for _ in reps])
    # the threshold, out of fold: each writer scored by a model learnt from the others
    out_of_fold = np.zeros(len(texts))
    for name in sets:
        held = names == name
        model = Model([t for t, h in zip(texts, held, strict=True) if not h], labels[~held],
                      BUCKETS, 2)
        out_of_fold[held] = model.logits([t for t, h in zip(texts, held, strict=True) if h])[:, 0]
    threshold = float(np.quantile(out_of_fold[labels == 0], 1 - FALSE_ALARMS))
    heard = float(np.mean(out_of_fold[labels == 1] >= threshold))
    quiet = float(np.quantile(out_of_fold[labels == 1], QUIET_MISSES))
    quieted = float(np.mean(out_of_fold[labels == 0] < quiet))
    risk = Model(texts, labels, BUCKETS, 2)
    risky = [r for reps in sets.values() for r in reps if r["kind"] != "everyday"]
    kind = Model([r["q"] for r in risky], np.array([KINDS.index(r["kind"]) for r in risky]),
                 KIND_BUCKETS, len(KINDS))

    def b64(values: np.ndarray) -> str:
        return base64.b64encode(values.tobytes()).decode("ascii")

    data = {
        "format": 1,
        "learntFrom": sorted(name if " " in name else f"{name}.yml" for name in sets),
        "reports": len(texts),
        "outOfFold": {"heard": round(heard, 4), "falseAlarms": FALSE_ALARMS,
                      "quietMisses": QUIET_MISSES, "quieted": round(quieted, 4)},
        "buckets": BUCKETS,
        "idf": b64(risk.idf_q), "idfScale": risk.idf_scale,
        "weights": b64(risk.w_q[0]), "weightScale": risk.w_scale,
        "bias": float(risk.bias[0]), "threshold": round(threshold, 6), "quiet": round(quiet, 6),
        "kinds": list(KINDS), "kindBuckets": KIND_BUCKETS,
        "kindIdf": b64(kind.idf_q), "kindIdfScale": kind.idf_scale,
        "kindWeights": b64(kind.w_q.ravel()), "kindWeightScale": kind.w_scale,
        "kindBias": [float(b) for b in kind.bias],
    }
    OUT.write_text(json.dumps(data, indent=0) + "\n", "utf-8")
    print(f"{OUT.relative_to(REPO)}: {len(texts)} reports from {len(sets)} writers; out of fold, "
          f"{heard:.2f} of risk heard at {FALSE_ALARMS:.0%} false alarms "
          f"(threshold {threshold:.3f}); below {quiet:.3f}, {QUIET_MISSES:.0%} of risk and "
          f"{quieted:.2f} of everyday reports (quiet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
