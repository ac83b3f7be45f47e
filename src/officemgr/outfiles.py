"""Writing a file that leaves the app (an export, a report, a sheet, a backup): private, whole, and only where asked.

Each file is created 0600 from its first byte under a temporary name in the target folder (O_CREAT|O_EXCL|
O_NOFOLLOW, so a planted file or symlink is never opened), written and synced, then moved into place. An existing
file (or a symlink) at the target is replaced only with `force`; without it the move is os.link, which fails if
anything appeared there meanwhile. A failure leaves no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

_FLAGS = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class OutputRefused(Exception):
    """The file cannot be written where asked; the message says why and what to do."""


def refuse_existing(path: Path) -> None:
    """Refuse early (before any work) when `path` is already taken and --force was not given."""
    if os.path.lexists(path):
        raise OutputRefused(_taken(path))


def _create_temp(path: Path) -> tuple[Path, int]:
    temp = path.parent / f".{path.name}.{secrets.token_hex(4)}.partial"
    try:
        return temp, os.open(temp, _FLAGS, 0o600)
    except OSError as exc:
        raise OutputRefused(_cannot(path, exc)) from None


@contextmanager
def private_temp(path: Path) -> Iterator[Path]:
    """An empty 0600 file beside `path`, for a writer that needs a path (SQLite's backup); removed unless published."""
    temp, descriptor = _create_temp(path)
    os.close(descriptor)
    try:
        yield temp
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


def publish(temp: Path, path: Path, *, force: bool = False) -> None:
    """Move a finished temporary file into place (see the module's rules)."""
    try:
        if force:
            os.replace(temp, path)  # replaces a symlink itself, never the file it points at
            return
        try:
            os.link(temp, path)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                raise OutputRefused(_taken(path)) from None
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            # A file system without hard links: check, then rename (the narrow race is accepted there).
            refuse_existing(path)
            os.rename(temp, path)
            return
        os.unlink(temp)
    except OSError as exc:
        raise OutputRefused(_cannot(path, exc)) from None


@contextmanager
def open_private(path: Path, *, force: bool = False) -> Iterator[BinaryIO]:
    """A binary handle on a new private temporary file that becomes `path` when the block ends without error."""
    if not force:
        refuse_existing(path)
    temp, descriptor = _create_temp(path)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        publish(temp, path, force=force)
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


def write_private(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` as the whole of `path`, by the module's rules."""
    with open_private(path, force=force) as handle:
        handle.write(data)


def _taken(path: Path) -> str:
    return f"{path} already exists; add --force to replace it, or choose another name"


def _cannot(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ELOOP:
        reason = "it is a symbolic link"
    return f"cannot write {path}: {reason}; choose another folder or name"
