"""The database as a file: open it plainly or with a SQLCipher key, check it, and read its schema version.

Backups, restore and `officemgr check` work on files with the DB-API directly (no engine, no migrations),
so they can look at a file without changing it.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from officemgr.audit_chain import ChainCheck, verify

# A file that is not readable as a database, or a wrong key: what SQLite and SQLCipher say.
UNREADABLE = ("not a database", "malformed", "encrypted", "disk image")


def connect(path: Path, *, key: str | None = None, readonly: bool = False) -> sqlite3.Connection:
    """A DB-API connection to `path`: sqlite3, or sqlcipher3 with `key` (the page key is set before any read).

    sqlcipher3's connection is not a subclass of sqlite3's but has the same methods, so callers treat it as one.
    """
    target = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    if key is None:
        return sqlite3.connect(target, uri=True)
    import sqlcipher3

    conn: sqlite3.Connection = sqlcipher3.connect(target, uri=True)
    # SQLCipher logs a wrong key's failed page checks to stderr; the caller reports it in words instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute("PRAGMA key = " + _quote(key))
    return conn


def default_path() -> Path:
    """The practice database when no --db or --url names one: in the user's data folder."""
    from platformdirs import user_data_path

    folder = user_data_path("officemgr", appauthor=False, ensure_exists=True)
    return folder / "office.db"


def looks_openable(path: Path, *, key: str | None) -> bool:
    """A first look at the file, in microseconds and without SQLAlchemy: its folder exists, it can be written,
    and it is SQLite (or not there yet). False means opening it will be refused; the open says why."""
    if not path.parent.is_dir() or (path.exists() and not (os.access(path, os.R_OK | os.W_OK)
                                                           and os.access(path.parent, os.W_OK))):
        return False
    return key is not None or not path.exists() or path.stat().st_size == 0 or is_plain_sqlite(path)


def is_plain_sqlite(path: Path) -> bool:
    """The file starts with SQLite's header (an encrypted one does not: SQLCipher encrypts it too)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def database_errors(key: str | None) -> tuple[type[Exception], ...]:
    if key is None:
        return (sqlite3.Error,)
    import sqlcipher3

    return (sqlite3.Error, sqlcipher3.Error)


def is_unreadable(exc: Exception) -> bool:
    return any(word in str(exc).lower() for word in UNREADABLE)


@dataclass
class FileCheck:
    """What `officemgr check` found in a database file."""

    path: Path
    readable: bool = True
    integrity: list[str] = field(default_factory=list)  # problems; empty when PRAGMA integrity_check says ok
    broken_links: int = 0  # rows whose foreign key points at nothing
    revision: str | None = None
    tables: int = 0
    error: str | None = None
    audit: ChainCheck | None = None  # the audit log's hash chain and guards (a full check of a file with the log)

    @property
    def ok(self) -> bool:
        return self.readable and not self.integrity and not self.broken_links and (self.audit is None or self.audit.ok)


def check_file(path: Path, *, key: str | None = None, quick: bool = False) -> FileCheck:
    """Integrity, foreign keys and schema version of `path`, read-only (the file is not changed)."""
    result = FileCheck(path)
    try:
        conn = connect(path, key=key, readonly=True)
    except database_errors(key) as exc:
        return FileCheck(path, readable=False, error=str(exc))
    try:
        rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
        result.integrity = [row[0] for row in rows if row[0] != "ok"]
        if not quick:
            result.broken_links = len(conn.execute("PRAGMA foreign_key_check").fetchall())
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        result.tables = len(names - {"alembic_version"})
        if "alembic_version" in names:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            result.revision = found[0] if found else None
        if not quick and "audit_event" in names:
            result.audit = verify(conn)
    except database_errors(key) as exc:
        result.readable = False
        result.error = str(exc)
    finally:
        conn.close()
    return result
