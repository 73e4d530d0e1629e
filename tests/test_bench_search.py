"""The pure parts of ``make bench-search`` (tools/bench_search.py): which pattern a search result
stands for, and the scores. The benchmark itself takes minutes; these take a fraction of a second,
so a slip in the scoring cannot quietly flatter either search."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import bench_search
from bench_search import Answer, Query, Scores, patterns_in_order, rank_of

EXPORT = {
    "patterns": [{"id": "stuck", "url": "patterns/stuck/"},
                 {"id": "risk", "url": "patterns/risk/"}],
    "cards": [{"id": "name-it", "url": "cards/name-it/", "pattern": "stuck"},
              {"id": "ask-directly", "url": "cards/ask-directly/", "pattern": "risk"}],
}
BASE = "http://127.0.0.1:8123/kb/"


def test_a_card_counts_for_its_own_pattern_and_each_pattern_counts_once() -> None:
    pages = bench_search.pattern_of_page(EXPORT)
    hrefs = [BASE + "cards/ask-directly/?h=ask#the-move",  # Material adds ?h= and anchors
             BASE + "signs/",  # a page of no pattern: skipped
             BASE + "patterns/risk/#signs",  # the same pattern again: counted once
             BASE + "patterns/stuck/index.html",
             "http://127.0.0.1:9999/elsewhere/patterns/stuck/"]  # another site: skipped
    assert patterns_in_order(hrefs, BASE, pages) == ["risk", "stuck"]


def test_relative_results_of_the_finder_resolve_against_the_site() -> None:
    pages = bench_search.pattern_of_page(EXPORT)
    assert patterns_in_order([BASE + "patterns/stuck/", BASE + "cards/name-it/"], BASE,
                             pages) == ["stuck"]


def test_ranks_and_scores() -> None:
    assert rank_of("risk", ["stuck", "risk"]) == 2
    assert rank_of("risk", ["stuck"]) is None
    scores = Scores.of([1, 2, 4, None])
    assert scores.top1 == 0.25
    assert scores.top3 == 0.5
    assert scores.mrr == pytest.approx((1 + 1 / 2 + 1 / 4) / 4)
    assert Scores.of([]) == Scores(0.0, 0.0, 0.0)


def test_the_table_and_the_misses() -> None:
    hit = Answer(Query("we keep going round in circles", "stuck"), ["stuck", "risk"])
    missed = Answer(Query("she talked about not being here", "risk"), ["stuck"])
    lines = bench_search.table([hit, missed], [missed, missed])
    assert lines[2] == "| cardkb finder (`find/`) | 0.50 | 0.50 | 0.50 |"
    assert lines[3] == "| Material's search (lunr) | 0.00 | 0.00 | 0.00 |"
    assert bench_search.misses([hit, missed]) == [
        "- 'she talked about not being here': not listed (want risk; got stuck)"]


def test_the_query_set_is_read_whole() -> None:
    queries = bench_search.load_queries()
    assert len(queries) >= 60
    assert all(q.text and q.expect for q in queries)


def test_the_material_variant_adds_search_and_nothing_else(tmp_path: Path) -> None:
    import yaml

    shipped = yaml.load(bench_search.write_project(tmp_path / "a", False).read_text("utf-8"),
                        Loader=bench_search._Loader)
    material = yaml.load(bench_search.write_project(tmp_path / "b", True).read_text("utf-8"),
                         Loader=bench_search._Loader)
    assert "search" not in shipped["plugins"]
    assert material["plugins"] == ["search", *shipped["plugins"]]
    assert {k: v for k, v in material.items() if k != "plugins"} == {
        k: v for k, v in shipped.items() if k != "plugins"}


def test_make_bench_takes_sizes_with_commas_or_spaces() -> None:
    from bench.cli import parse_args

    assert parse_args(["--sizes", "1000", "3000"]).sizes == [1000, 3000]
    assert parse_args(["--sizes", "3000,1000"]).sizes == [1000, 3000]
    assert parse_args([]).sizes == [1000, 3000]
    with pytest.raises(SystemExit):
        parse_args(["--sizes", "many"])


def test_queries_that_fell_between_two_runs() -> None:
    query = Query("q", "risk")
    before = [Answer(query, ["risk"]), Answer(query, ["a", "risk"]),
              Answer(query, ["a", "b", "risk"])]
    after = [Answer(query, ["a", "risk"]), Answer(query, ["a", "b", "c", "risk"]),
             Answer(query, ["risk"])]
    assert [(b.rank, a.rank) for b, a in bench_search.fell(before, after)] == [(1, 2), (2, 4)]


def test_risk_first_scores() -> None:
    from bench_search import Report, RiskAnswer, RiskScores

    safety = bench_search.safety_kinds({"patterns": [
        {"id": "hopeless", "tags": ["safety", "suicide"]},
        {"id": "others", "tags": ["safety", "harm-to-others", "abuse"]},
        {"id": "stuck", "tags": ["stuckness"]}]})
    assert safety == {"hopeless": {"safety", "suicide"},
                      "others": {"safety", "harm-to-others", "abuse"}}

    def answer(kind: str, first: str | None, notice: bool) -> RiskAnswer:
        return RiskAnswer(Report("words", kind, "tune"), first, notice)

    answers = [answer("suicide", "hopeless", True),
               answer("abuse", "hopeless", True),  # a safety pattern, but not the one for abuse
               answer("self-harm", "others", False),  # no pattern covers self-harm: any serves
               answer("suicide", "stuck", False),
               answer("everyday", "stuck", False),
               answer("everyday", "hopeless", False),  # a safety pattern first: a false alarm
               answer("everyday", "stuck", True),  # the notice: a false alarm
               answer("everyday", None, False)]
    scores = RiskScores.of(answers, safety)
    assert (scores.risk, scores.everyday) == (4, 4)
    assert scores.right == 0.5
    assert scores.notice == 0.5
    assert scores.false_alarms == 0.5
    assert len(bench_search.risk_misses(answers, safety)) == 5
    table = bench_search.risk_table(answers, answers, safety, safety)
    assert table[2] == "| tuning (4 risk, 4 everyday) | old | 0.50 | 0.50 | 0.50 |"


def test_the_risk_set_loads_with_both_halves() -> None:
    reports = bench_search.load_risk_set()
    # every held-out set in tests/search/ is asked, each as its own half
    sets = bench_search.QUERIES.parent.glob("risk-held*.yml")
    held = {path.stem.removeprefix("risk-") for path in sets}
    assert len(held) >= 7
    assert {r.split for r in reports} == {"tune", "held", *held}
    assert sum(r.risk for r in reports) >= 60 and sum(not r.risk for r in reports) >= 60
