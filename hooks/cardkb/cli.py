"""The ``cardkb`` command: check, list and scaffold cards without building the site.

``cardkb check`` is fast enough for a pre-commit hook; ``cardkb new`` writes a file an editor with
the YAML language server can complete and validate; ``cardkb ids`` lists what can be linked;
``cardkb init DIR`` starts a new knowledge base; ``cardkb preview`` serves the site while you edit
(``make serve``); ``cardkb pin`` and ``cardkb drift`` tell a trainer what changed in the cards a
reviewed curriculum page links.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .drift import LEVELS as DRIFT_LEVELS
from .mkdocs_config import SiteConfig, read_site_config
from .problems import Problems, one_line
from .project import CheckedProject, check_project
from .review import overdue_reviews


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; a closed pipe (``cardkb ids | head``) or Ctrl-C ends it quietly."""
    try:
        return _main(argv)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="cardkb", description=__doc__)
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", type=Path,
                        help="the site's configuration (default: mkdocs.yml)")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate every card, pattern and [[link]]")
    check.add_argument("--due", action="store_true",
                       help="also list patterns and cards whose review is overdue")
    commands.add_parser("ids", help="list every id that can be linked, with its title")
    new = commands.add_parser("new", help="scaffold a new pattern or card")
    kinds = new.add_subparsers(dest="kind", required=True)
    new_pattern_parser = kinds.add_parser("pattern", help="cardkb new pattern ID")
    new_pattern_parser.add_argument("id")
    new_card_parser = kinds.add_parser("card", help="cardkb new card PATTERN ID --verdict ...")
    new_card_parser.add_argument("pattern")
    new_card_parser.add_argument("id")
    new_card_parser.add_argument("--verdict", choices=["works", "backfires"], required=True)
    render = commands.add_parser(
        "render", help="write every page and the navigation into a folder, for any site engine")
    render.add_argument("out", type=Path, help="the folder to write (its docs/ is replaced)")
    render.add_argument("--offline", action="store_true",
                        help="links for a copy opened from disk (explicit index.html files)")
    preview = commands.add_parser(
        "preview", help="serve the site and rebuild only the pages a save changed (make serve)")
    preview.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT",
                         help="where to serve it (default: 127.0.0.1:8000)")
    preview.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                         help="a host name the preview also answers to (only needed with a "
                              "--dev-addr beyond this computer); may be repeated")
    init = commands.add_parser("init", help="create a new knowledge base in a new folder")
    init.add_argument("folder", type=Path)
    # curricula that know when their cards changed (cardkb pin / cardkb drift)
    pin = commands.add_parser(
        "pin", help="record what the cards and patterns a reviewed page links say now")
    pin.add_argument("pages", nargs="+", type=Path, metavar="PAGE", help="a page under content/")
    drift = commands.add_parser(
        "drift", help="what changed in the cards each pinned page links, since its review")
    drift.add_argument("pages", nargs="*", type=Path, metavar="PAGE",
                       help="pages under content/ (default: every page that links a card)")
    drift.add_argument("--json", action="store_true", help="print the report as JSON")
    drift.add_argument("--fail-on", choices=DRIFT_LEVELS, metavar="LEVEL",
                       help="exit 1 when a link changed at LEVEL or above: "
                       + ", ".join(DRIFT_LEVELS))
    args = parser.parse_args(argv)

    if args.command == "init":
        return _init(args.folder)
    if args.command == "preview":
        return _preview(args.config_file, args.dev_addr, args.allow_host)
    problems = Problems()
    site = read_site_config(args.config_file, problems)
    if site is None:
        status = _report(problems)
        return 2 if args.command == "drift" else status  # drift's 1 means "changed"
    if args.command == "pin":
        return _pin(site, args.pages)
    if args.command == "drift":
        return _drift(site, args.pages, args.json, args.fail_on)
    if args.command == "new":
        return _new(site, args)
    if args.command == "render":
        return _render(site, args.out, args.offline, problems)
    checked = check_project(site.root, site.settings, site.docs_dir, problems)
    if args.command == "ids":
        return _ids(checked)
    status = _report(problems, checked=True)
    if args.due:
        _due(checked)
    return status


def _report(problems: Problems, checked: bool = False) -> int:
    for problem in problems.sorted():
        print(problem)
    errors, warnings = len(problems.errors), len(problems.warnings)
    also = f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
    if errors:
        print(f"cardkb: {errors} problem{'s' * (errors != 1)} found{also}")
        return 1
    if checked:
        print(f"cardkb: all cards are valid{also}")
    return 0


def _due(checked: CheckedProject) -> None:
    today = datetime.date.today()
    overdue = overdue_reviews(checked.knowledge_base, today)
    for item in overdue:
        print(f"{item.entity.source_path}:1:1: review was due on {item.due.isoformat()} "
              f"({item.days_overdue(today)} days ago): {item.entity.title}")
    print(f"cardkb: {len(overdue)} overdue for review" if overdue
          else "cardkb: nothing is overdue for review")


def _ids(checked: CheckedProject) -> int:
    kb = checked.knowledge_base
    # Titles are author text: shown with one_line, so a title cannot send the terminal a
    # control sequence (or split the line a script reads).
    for pattern in kb.patterns.values():
        print(f"{pattern.id}\tpattern\t{one_line(pattern.title)}")
        for card in pattern.cards:
            if card.pattern is pattern:
                print(f"{card.id}\tcard ({card.verdict}, {card.status.value})\t"
                      f"{one_line(card.title)}")
    for alias, card in kb.aliases.items():
        print(f"{alias}\tformer id of {card.id}\t{one_line(card.title)}")
    return 0 if checked.ok else _report(checked.problems)


def _new(site: SiteConfig, args: argparse.Namespace) -> int:
    # Imported here: scaffolding needs the templates, and a pre-commit check should not wait
    # for them to load.
    from .scaffold import ScaffoldError, new_card, new_pattern

    cards_dir = site.root / site.settings.cards_dir
    try:
        if args.kind == "pattern":
            path = new_pattern(site.root, cards_dir, args.id)
        else:
            path = new_card(site.root, cards_dir, args.pattern, args.id, args.verdict)
    except ScaffoldError as error:
        print(f"cardkb: {error}")
        return 1
    except OSError as error:
        print(f"cardkb: could not write the new file: {error.strerror or error} "
              f"({error.filename})")
        return 1
    print(f"cardkb: wrote {path.relative_to(site.root).as_posix()}, a draft; fill in the "
          "fields, check them with cardkb check, and delete the 'status: draft' line to publish it")
    return 0


def _render(site: SiteConfig, out: Path, offline: bool, problems: Problems) -> int:
    from .engine_files import (
        DOCS_FOLDER,
        NAVIGATION_FILE,
        OutputRefusedError,
        refuse_unsafe_output,
        render_site,
        write_site,
    )
    from .urls import UrlLayout

    try:
        refuse_unsafe_output(site, out)
    except OutputRefusedError as error:
        print(f"cardkb: {error}")
        return 1
    rendered = render_site(site, UrlLayout(site.directory_urls and not offline), problems)
    if rendered is None:
        _report(problems)
        print("cardkb: nothing was rendered")
        return 1
    try:
        count = write_site(rendered, site, out)
    except OutputRefusedError as error:
        print(f"cardkb: {error}")
        return 1
    except OSError as error:
        print(f"cardkb: could not write {out / DOCS_FOLDER}: {error.strerror or error} "
              f"({error.filename or out})")
        return 1
    for problem in problems.sorted():  # warnings only: an error stopped above
        print(problem)
    print(f"cardkb: wrote {count} files into {out / DOCS_FOLDER} and the navigation into "
          f"{out / NAVIGATION_FILE}")
    return 0


def _preview(config_file: Path, dev_addr: str, allowed_hosts: Sequence[str]) -> int:
    # MkDocs is imported only here: `cardkb check` must stay quick for pre-commit hooks.
    import logging

    from .mkdocs_preview import preview

    logging.basicConfig(format="%(levelname)-8s-  %(message)s", level=logging.INFO)
    if not config_file.is_file():
        print(f"cardkb: {config_file} not found: run this in the knowledge base's folder")
        return 1
    return preview(config_file, dev_addr, allowed_hosts)


def _pin(site: SiteConfig, pages: list[Path]) -> int:
    from .drift_command import DriftError, named_pages, pin_pages

    try:
        for line in pin_pages(site, named_pages(site, pages)):
            print(line)
    except DriftError as error:
        print(f"cardkb: {error}")
        return 1
    return 0


def _drift(site: SiteConfig, pages: list[Path], as_json: bool, fail_on: str | None) -> int:
    """0, or 1 when a link changed at ``fail_on`` or above; 2 on a problem of its own."""
    from .drift import rank
    from .drift_command import (
        DriftError,
        drift_pages,
        linking_pages,
        named_pages,
        report_json,
        report_text,
        worst,
    )

    try:
        report = drift_pages(site, named_pages(site, pages) if pages else linking_pages(site))
    except DriftError as error:
        print(f"cardkb: {error}", file=sys.stderr)
        return 2
    print(report_json(report) if as_json else "\n".join(report_text(report)))
    return 1 if fail_on is not None and rank(worst(report)) >= rank(fail_on) else 0


def _init(folder: Path) -> int:
    from .init import InitError, init_knowledge_base

    try:
        init_knowledge_base(folder)
    except InitError as error:
        print(f"cardkb: {error}")
        return 1
    except OSError as error:
        print(f"cardkb: could not create the knowledge base in {folder}: "
              f"{error.strerror or error} ({error.filename or folder})")
        return 1
    print(f"cardkb: created a knowledge base in {folder}; `make serve` there to see it, "
          "`make build` to build it (see its README.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
