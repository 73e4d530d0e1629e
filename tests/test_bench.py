"""``make bench`` in miniature (tools/bench/): the benchmark takes many minutes, so it is never
run whole in the suite; these run its parts on a knowledge base of twenty cards in about a
second, so that a change to cardkb that breaks the benchmark fails here, not in a long run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from bench import report
from bench.cli import measure_lighthouse, parse_args
from bench.config import repo_config
from bench.drift import FOLDER, PAGES, measure_drift
from bench.generate import generate
from bench.lighthouse import (
    FINDER_WITH_RESULTS,
    STARTER,
    Audit,
    LighthouseReading,
    LighthouseRuns,
    generated_pages,
)
from bench.measure import SEARCH_INDEX, Side, timed
from bench.preview import (
    CARDKB_PREVIEW,
    PreviewReading,
    measure_preview,
    resolve_command,
)
from bench.sites import write_cardkb_project, write_projects

from .conftest import REPO

CARDS = 20


def _nav_pages(nav: list[object]) -> list[str]:
    pages: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += _nav_pages(value) if isinstance(value, list) else [str(value)]
    return pages


def test_the_generator_the_three_sites_and_a_report(tmp_path: Path) -> None:
    """The same rendered pages on the plain and floor sides; the plain side with every card in
    its navigation and Material's search instead of the finder; a measurement and its report."""
    kb = generate(CARDS)
    assert len(list(kb.cards)) == CARDS
    configs = write_projects(tmp_path, CARDS, kb, repo_config())
    cards = sorted((tmp_path / f"cardkb-{CARDS}" / "cards").glob("*/*.yml"))
    assert len(cards) == CARDS + 1  # and the pattern

    plain, floor = (yaml.load(configs[side].read_text("utf-8"), Loader=yaml.BaseLoader)
                    for side in ("plain", "floor"))
    assert "cardkb" not in plain["plugins"] and "cardkb" not in floor["plugins"]
    assert plain["plugins"][0] == "search" and "search" not in floor["plugins"]
    card_pages = {f"cards/{card.id}/index.md" for card in kb.cards}
    assert card_pages <= set(_nav_pages(plain["nav"]))
    plain_docs, floor_docs = (configs[side].parent / "docs" for side in ("plain", "floor"))
    for page in card_pages:  # cardkb's own page, on both sides
        assert (plain_docs / page).read_text("utf-8") == (floor_docs / page).read_text("utf-8")
    assert (floor_docs / "find/index.js").is_file()
    assert not (plain_docs / "find").exists()

    run = timed([sys.executable, "-c", "pass"], tmp_path / "timed.log")
    assert 0 < run.seconds < 10 and run.peak_mb > 1
    side = Side(run, CARDS * 10 * 1024, 0)  # 10 KB per card
    result = report.Result(CARDS, side, side, side, run, None, "left out")
    assert report.build_table([result])[2].startswith(f"| {CARDS} | {run.seconds:.1f} |")
    assert [line.split()[0] for line in report.verdicts([result])] == [
        "PASS", "info", "FAIL", "PASS", "FAIL"]  # check = build; the preview not measured
    assert "not measured (left out)" in report.verdicts([result])[-1]
    assert set(SEARCH_INDEX) == {"cardkb", "plain"}


# A preview that re-reads the card files on every request: each page is the text of its file.
FAKE_PREVIEW = textwrap.dedent("""\
    import sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = self.path.strip("/").split("/")
            files = {p.stem: p for p in Path("cards").glob("*/*.yml")}
            if parts[0] == "cards" and parts[1] in files:
                body = files[parts[1]].read_text("utf-8")
            elif parts[0] == "signs":
                body = "".join(p.read_text("utf-8") for p in files.values())
            else:
                body = "home"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body.encode("utf-8"))

        def log_message(self, *args):
            pass

    host, port = sys.argv[sys.argv.index("--dev-addr") + 1].split(":")
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
""")


def test_the_preview_is_timed_from_the_save_to_the_page(tmp_path: Path) -> None:
    kb = generate(CARDS)
    config = write_cardkb_project(tmp_path / "kb", kb, repo_config())
    before = {p: p.read_bytes() for p in (config.parent / "cards").glob("*/*.yml")}
    script = tmp_path / "fake_preview.py"
    script.write_text(FAKE_PREVIEW, "utf-8")
    reading = measure_preview(config, kb, f"{sys.executable} {script} --dev-addr "
                                          "127.0.0.1:{port}", start_timeout_s=20,
                              edit_timeout_s=20)
    assert isinstance(reading, PreviewReading)
    assert [e.field for e in reading.edits] == ["move", "move", "move", "sign"]
    assert len({e.card for e in reading.edits}) == 4
    assert all(0 < e.seconds < 5 and 0 < e.held_max_s < 5 for e in reading.edits)
    assert reading.ratio(100.0) == max(reading.move_median_s, reading.cue_s) / 100
    assert {p: p.read_bytes() for p in before} == before  # the cards as generated again


def test_the_preview_command_is_one_option() -> None:
    assert resolve_command("cardkb") == CARDKB_PREVIEW
    assert resolve_command("x serve -a 127.0.0.1:{port}") == "x serve -a 127.0.0.1:{port}"
    with pytest.raises(ValueError, match="port"):
        resolve_command("mkdocs serve")


def test_make_bench_runs_the_package_from_its_folder() -> None:
    """``make bench`` runs ``python tools/bench``: the folder, not a module on the path."""
    result = subprocess.run([sys.executable, str(REPO / "tools" / "bench"), "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "--preview-command" in result.stdout and "--no-lighthouse" in result.stdout


def test_cardkb_drift_is_timed_on_forty_pinned_pages(tmp_path: Path) -> None:
    """The drift step of ``make bench``: forty curriculum pages, each pinned, then reported on."""
    kb = generate(CARDS)
    config = write_cardkb_project(tmp_path / "kb", kb, repo_config())
    run = measure_drift(config, kb, repeat=1)
    assert run.seconds > 0
    pins = sorted((config.parent / "pins" / FOLDER).glob("*.yml"))
    assert len(pins) == PAGES
    assert "all 21 unchanged" in (config.parent / "drift.log").read_text("utf-8")


def _runs(url: str, performance: list[float], lcp_ms: list[float]) -> LighthouseRuns:
    """Three Lighthouse runs of a page, as tests/audit/lighthouse-runs.mjs reports them."""
    return LighthouseRuns(
        url,
        scores=[{"performance": p, "accessibility": 1.0, "best-practices": 1.0, "seo": 0.92}
                for p in performance],
        metrics=[{"lcp_ms": ms, "cls": 0.02, "bytes": 300 * 1024.0} for ms in lcp_ms],
        failing=[["meta-description: Document does not have a meta description"]] * 3)


def test_the_lighthouse_report_shows_medians_and_the_paint_ratio(tmp_path: Path) -> None:
    """The table holds each page's medians; the verdicts hold find/?q='s paint on the generated
    site to at most twice the starter site's, and each page to the Lighthouse test's targets."""
    kb = generate(CARDS)
    pages = generated_pages(kb)
    assert pages[FINDER_WITH_RESULTS].startswith("find/?q=") and set(pages) >= {"finder",
                                                                                "pattern"}
    reading = LighthouseReading(CARDS, [
        Audit(STARTER, FINDER_WITH_RESULTS, "find/?q=x", _runs("a", [0.9, 0.99, 0.95],
                                                               [2400, 1000, 2000])),
        Audit(f"{CARDS} cards", FINDER_WITH_RESULTS, pages[FINDER_WITH_RESULTS],
              _runs("b", [0.5, 0.7, 0.6], [9000, 5000, 4400])),
        Audit(f"{CARDS} cards", "home", "", _runs("c", [1.0, 1.0, 1.0], [900, 800, 1000])),
    ], seconds=1.0)
    run = timed([sys.executable, "-c", "pass"], tmp_path / "timed.log")
    side = Side(run, CARDS * 10 * 1024, 0)
    result = report.Result(CARDS, side, side, side, run, None, "left out", lighthouse=reading)

    table = report.lighthouse_table([result])
    assert len(table) == 2 + 3
    assert table[2] == ("| starter | finder, with results (`find/?q=x`) | 95 | 100 | 100 | 92 "
                        "| 2000 | 0.020 | 300 | 3 |")
    assert table[4].startswith(f"| {CARDS} cards | home (`/`) | 100 |")
    lines = report.lighthouse_verdicts(result)
    assert [line.split()[0] for line in lines] == ["FAIL", "FAIL", "FAIL", "PASS", "FAIL"]
    assert "seo 0.92 < 0.95" in lines[0] and "meta-description" in lines[0]
    assert "performance 0.6 < 0.9" in lines[1]
    assert "paint 2000 ms, layout shift 0.020" in lines[3]
    assert lines[4].startswith(f"FAIL <<<  Lighthouse, find/?q=: largest contentful paint at "
                               f"{CARDS} cards / on the starter site = 2.50 (5000 / 2000 ms")
    assert lines[-1] in report.verdicts([result])


def test_the_lighthouse_part_is_left_out_on_request(tmp_path: Path) -> None:
    args = parse_args(["--sizes", str(CARDS), "--no-lighthouse"])
    reading = measure_lighthouse(tmp_path, CARDS, tmp_path / "site", generate(CARDS), args)
    assert reading == "left out (--no-lighthouse)"
    run = timed([sys.executable, "-c", "pass"], tmp_path / "timed.log")
    side = Side(run, CARDS * 10 * 1024, 0)
    result = report.Result(CARDS, side, side, side, run, None, "left out", lighthouse=reading)
    assert report.lighthouse_table([result]) == report.lighthouse_table([])
    assert report.lighthouse_verdicts(result) == [
        f"FAIL <<<  {CARDS} cards: Lighthouse not measured (left out (--no-lighthouse))"]
