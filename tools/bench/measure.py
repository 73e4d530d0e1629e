"""Timing and memory of the builds and of ``cardkb check``, each in a fresh process.

On a shared machine noise only ever adds time, so each side is built ``repeat`` times in turn
(A/B/C, then C/B/A) and the fastest counts; CPU seconds, which other work inflates less, are kept
beside the wall-clock ones, and peak memory is the resident set of the build's process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .config import REPO

BIN = Path(sys.executable).parent
#: what each side's search loads before it can answer (the floor has no search, as cardkb has no
#: Material search)
SEARCH_INDEX = {"cardkb": "find/index.js", "plain": "search/search_index.json"}


@dataclass(frozen=True)
class Run:
    seconds: float  # wall-clock
    cpu: float  # user + system seconds: what other work on a shared machine cannot inflate as much
    peak_mb: float


@dataclass(frozen=True)
class Side:
    """One side's build (the fastest of the repeats) and what it wrote."""

    build: Run
    site_bytes: int
    index_bytes: int


def bench_env() -> dict[str, str]:
    """The subprocess environment: the repository's ``cardkb`` first, MkDocs 2 notice off."""
    env = {k: v for k, v in os.environ.items() if k != "OFFLINE"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "hooks"),
                                                      env.get("PYTHONPATH")]))
    return env


def tool(name: str, module: str) -> list[str]:
    """A command of the virtual environment that runs the benchmark, else its module."""
    script = BIN / name
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


def timed(command: list[str], log: Path) -> Run:
    """Wall-clock seconds and peak memory (resident set) of one command; stop on failure."""
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=bench_env())
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed ({process.returncode}):\n"
                 + log.read_text("utf-8", "replace")[-4000:])
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def build(config: Path) -> Run:
    """One ``mkdocs build`` from an empty site folder, so no side pays for cleaning up."""
    shutil.rmtree(config.parent / "site", ignore_errors=True)
    return timed([*tool("mkdocs", "mkdocs"), "build", "-q", "-f", str(config)],
                 config.parent / "build.log")


def check(config: Path) -> Run:
    """``cardkb check`` on the project, as a pre-commit hook runs it."""
    return timed([*tool("cardkb", "cardkb.cli"), "-f", str(config), "check"],
                 config.parent / "check.log")


def best_of(runs: list[Run]) -> Run:
    """The fastest run (noise only ever adds time), with the highest peak memory seen."""
    return Run(min(r.seconds for r in runs), min(r.cpu for r in runs),
               max(r.peak_mb for r in runs))


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def build_sides(configs: dict[str, Path], repeat: int, label: str) -> dict[str, Side]:
    """Build every side ``repeat`` times, in turn and alternating the order; the fastest counts."""
    sides = list(configs)
    runs: dict[str, list[Run]] = {side: [] for side in sides}
    for attempt in range(repeat):
        for side in sides if attempt % 2 == 0 else sides[::-1]:
            last = build(configs[side])
            runs[side].append(last)
            print(f"  {label}, {side} build {attempt + 1}: {last.seconds:.1f} s "
                  f"(CPU {last.cpu:.1f} s), {last.peak_mb:.0f} MB", flush=True)
    result = {}
    for side, config in configs.items():
        site = config.parent / "site"
        index = site / SEARCH_INDEX[side] if side in SEARCH_INDEX else None
        result[side] = Side(best_of(runs[side]), folder_bytes(site),
                            index.stat().st_size if index else 0)
    return result
