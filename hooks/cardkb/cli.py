"""The ``cardkb`` command: check the cards without building the site (for pre-commit hooks)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .mkdocs_config import read_site_config
from .problems import Problems
from .project import check_project


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cardkb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate every card, pattern and [[link]]")
    check.add_argument("-f", "--config-file", default="mkdocs.yml",
                       help="the site's configuration (default: mkdocs.yml)")
    args = parser.parse_args(argv)
    return run_check(Path(args.config_file))


def run_check(config_file: Path) -> int:
    problems = Problems()
    site = read_site_config(config_file, problems)
    if site is None:
        return _report(problems)
    check_project(site.root, site.settings, site.docs_dir, problems)
    return _report(problems, checked=True)


def _report(problems: Problems, checked: bool = False) -> int:
    for problem in problems.sorted():
        print(problem)
    errors, warnings = len(problems.errors), len(problems.warnings)
    if errors:
        print(f"cardkb: {errors} problem{'s' * (errors != 1)} found"
              + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""))
        return 1
    if checked:
        print("cardkb: all cards are valid" + (f" ({warnings} warnings)" if warnings else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
