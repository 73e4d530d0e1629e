"""``mkdocs build`` and ``cardkb`` run inside the test process, as their commands run them.

A subprocess spends most of a small build starting Python and importing MkDocs and Material
again (about 0.4 s of 0.75 s), and most of a ``cardkb check`` (0.16 s of it, against 5 ms in
process). In process, the same plugin events run in the same order as ``mkdocs build`` runs them
(``on_startup``, the build, ``on_shutdown``, which commits or abandons the staged site), the log
reads as the command prints it, and an error the command would print as a traceback fails the
test as an exception. MkDocs keeps one instance of a plugin with ``on_startup`` for the whole
process, so an in-process build that skipped those events would inherit the last build's state:
build through :func:`mkdocs_build`, never ``build(load_config(...))`` alone. The result has the
command's shape (exit status, standard output and
error), so a test reads the same either way. Where the command itself is what a test proves
(its exit status, the staging seen from outside, a signal), the test runs the real command.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path


class _CommandLineFormatter(logging.Formatter):
    """MkDocs' own line format on the command line, without colours or wrapping."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname:<8}-  {super().format(record)}"


@contextlib.contextmanager
def _environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables for the duration, then restore them."""
    saved = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _mkdocs_log(stream: io.StringIO, level: int) -> Iterator[None]:
    """MkDocs' logger writing to ``stream`` at ``level``, as the command sets it up."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_CommandLineFormatter())
    saved = logger.level, logger.propagate
    logger.setLevel(level)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


_BUILD_OPTIONS = argparse.ArgumentParser(add_help=False, exit_on_error=False)
_BUILD_OPTIONS.add_argument("--strict", action="store_true")
_BUILD_OPTIONS.add_argument("-q", "--quiet", action="store_true")
_BUILD_OPTIONS.add_argument("-f", "--config-file")
_BUILD_OPTIONS.add_argument("-d", "--site-dir")


def mkdocs_build(cwd: Path, args: Sequence[str] = (), *,
                 env: Mapping[str, str | None] | None = None
                 ) -> subprocess.CompletedProcess[str]:
    """``mkdocs build [--strict] [-q] [-f FILE] [-d DIR]`` in ``cwd``, in this process.

    ``env`` sets (or, for None, removes) environment variables while the configuration is read
    and the site built (mkdocs.yml reads ``OFFLINE`` with ``!ENV``).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    assert "mkdocs.commands.serve" not in sys.modules, (
        "mkdocs.commands.serve is imported in the test process: the cardkb plugin would take an "
        "in-process build for a preview")
    options = _BUILD_OPTIONS.parse_args(list(args))
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with (contextlib.chdir(cwd), _environment({"NO_MKDOCS_2_WARNING": "1", **(env or {})}),
          contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
          _mkdocs_log(err, logging.ERROR if options.quiet else logging.INFO)):
        try:
            config = load_config(options.config_file, strict=options.strict or None,
                                 site_dir=options.site_dir)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config, dirty=False)
            finally:
                config.plugins.on_shutdown()
        except Abort as error:  # printed by click as the command prints it, with exit status 1
            print("\n" + error.format_message())
            status = 1
        except MkDocsException as error:
            print(f"Error: {error.format_message()}", file=sys.stderr)
            status = 1
    return subprocess.CompletedProcess(["mkdocs", "build", *args], status, out.getvalue(),
                                       err.getvalue())


def cardkb(cwd: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """``cardkb ARGS`` in ``cwd``, in this process: :func:`cardkb.cli.main`, which the command
    calls and whose return value is its exit status."""
    from cardkb.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse's answer to a wrong command line
            status = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(["cardkb", *args], status, out.getvalue(), err.getvalue())
