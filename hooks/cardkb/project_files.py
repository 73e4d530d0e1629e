"""What the project may read: its own regular files, of bounded size, never anything outside.

A knowledge base must be what its folder holds. A symbolic link that leads outside the project
would publish a file from elsewhere (or read ``/dev/zero`` until memory runs out), a named pipe
blocks a reader forever, and a device is not text. So every entry is judged by ``lstat``/``stat``
before anything is opened: links must stay inside the project and lead somewhere, files must be
regular and at most :data:`MAX_BYTES`. Reading then opens without blocking, checks the opened
file once more (it may have been swapped meanwhile) and reads at most ``MAX_BYTES + 1`` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .problems import Location, Problems

MAX_BYTES = 1_000_000
_BOM = b"\xef\xbb\xbf"

_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def check_link(entry: Path, rel: str, root: Path, problems: Problems) -> bool:
    """Whether ``entry``, if it is a symbolic link, leads to something inside ``root``."""
    try:
        if not stat.S_ISLNK(entry.lstat().st_mode):
            return True
        target = entry.resolve(strict=True)
    except FileNotFoundError:
        problems.error(Location(rel), "this is a link to a file that does not exist: remove the "
                       "link, or put the file itself here")
        return False
    except (OSError, RuntimeError) as error:  # a loop of links, or no permission
        problems.error(Location(rel), f"this link cannot be followed ({_reason(error)}): put the "
                       "file itself here")
        return False
    if not target.is_relative_to(root.resolve()):
        problems.error(Location(rel), "this is a link to a file outside the project; a "
                       "knowledge base publishes only what its own folder holds: copy the file "
                       "here instead")
        return False
    return True


def is_ordinary_file(entry: Path, root: Path) -> bool:
    """Whether an engine may read and publish ``entry``: a regular file inside the project."""
    try:
        return stat.S_ISREG(entry.stat().st_mode) and entry.resolve(strict=True).is_relative_to(
            root.resolve())
    except (OSError, RuntimeError):
        return False


def check_file(entry: Path, rel: str, root: Path, problems: Problems) -> bool:
    """Whether ``entry`` may be read: a regular file in the project, at most MAX_BYTES."""
    if not check_link(entry, rel, root, problems):
        return False
    try:
        status = entry.stat()
    except OSError as error:
        problems.error(Location(rel), f"cannot be read: {_reason(error)}")
        return False
    return _check_status(status, rel, problems)


def _check_status(status: os.stat_result, rel: str, problems: Problems) -> bool:
    if stat.S_ISDIR(status.st_mode):
        problems.error(Location(rel), "this is a folder with a file's name: rename it, or move "
                       "what it holds up one level")
        return False
    if not stat.S_ISREG(status.st_mode):
        problems.error(Location(rel), f"this is {_kind(status.st_mode)}, not a file: only "
                       "ordinary files are read; remove it")
        return False
    if status.st_size > MAX_BYTES:
        problems.error(Location(rel), _too_large(status.st_size))
        return False
    return True


def read_limited(file: Path, rel: str, problems: Problems) -> bytes | None:
    """The bytes of a regular file of at most MAX_BYTES, or None with the problem recorded.

    Opened without blocking (a named pipe put in the file's place meanwhile cannot hang the
    read) and never read past ``MAX_BYTES + 1`` bytes, whatever the file claims to be.
    """
    try:
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        problems.error(Location(rel), f"cannot be read: {_reason(error)}")
        return None
    try:
        with os.fdopen(descriptor, "rb", closefd=True) as stream:
            if not _check_status(os.fstat(stream.fileno()), rel, problems):
                return None
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        problems.error(Location(rel), f"cannot be read: {_reason(error)}")
        return None
    if len(data) > MAX_BYTES:
        problems.error(Location(rel), _too_large(len(data)))
        return None
    return data


def decode_utf8(data: bytes, rel: str, problems: Problems) -> str | None:
    """The text of a file (a leading byte-order mark dropped), or None with the bad byte's place."""
    body = data.removeprefix(_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        before = body[: error.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        problems.error(
            Location(rel, before.count(b"\n") + 1, column),
            f"the file is not UTF-8 text (byte 0x{body[error.start]:02x} here): "
            "save it as UTF-8 in your editor")
        return None


def _too_large(size: int) -> str:
    shown = f"{size / 1_000_000:.1f} MB" if size > MAX_BYTES + 1 else "over 1 MB"
    return (f"the file is {shown}; files over 1 MB are refused (a card is a few kilobytes: "
            "split it up)")


def _reason(error: BaseException) -> str:
    return (error.strerror if isinstance(error, OSError) and error.strerror else str(error)) or \
        type(error).__name__
