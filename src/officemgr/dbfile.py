"""The database as a file: open it plainly or with a SQLCipher key, check it, and read its schema version.

Backups, restore and `officemgr check` work on files with the DB-API directly (no engine, no migrations),
so they can look at a file without changing it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal
from urllib.parse import quote

from officemgr.audit_chain import ChainCheck, verify
from officemgr.errors import StoreError
from officemgr.plaintext import visible

_SQLITE_HEADER = b"SQLite format 3\x00"  # a plain file's first bytes (SQLCipher encrypts them too)
# A file that is not readable as a database, or a wrong key: what SQLite and SQLCipher say.
UNREADABLE = ("not a database", "malformed", "encrypted", "disk image")


def connect(path: Path, *, key: str | None = None, readonly: bool = False,
            immutable: bool = False) -> sqlite3.Connection:
    """A DB-API connection to `path`: sqlite3, or sqlcipher3 with `key` (the page key is set before any read).

    `immutable` reads the file alone, as it is: no lock, no -wal/-shm created, any -wal or -journal ignored.
    sqlcipher3's connection is not a subclass of sqlite3's but has the same methods, so callers treat it as one.
    """
    # Quoted: a '?' or '#' in a folder name would otherwise end the path inside the URI.
    target = f"file:{quote(str(path))}"
    if immutable:
        target += "?mode=ro&immutable=1"
    elif readonly:
        target += "?mode=ro"
    if key is None:
        return sqlite3.connect(target, uri=True)
    import sqlcipher3

    conn: sqlite3.Connection = sqlcipher3.connect(target, uri=True)
    # SQLCipher logs a wrong key's failed page checks to stderr; the caller reports it in words instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute("PRAGMA key = " + sql_literal(key))
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
    if not path.exists():
        return True
    # An empty file is refused too: only a file the app creates itself becomes a new practice.
    return path.stat().st_size > 0 and (key is not None or is_plain_sqlite(path))


def is_plain_sqlite(path: Path) -> bool:
    """The file starts with SQLite's header (an encrypted one does not: SQLCipher encrypts it too)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def sql_literal(text: str) -> str:
    """`text` as an SQL string literal (for the few statements, like PRAGMA key, that take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def leave_wal_mode(path: Path, *, key: str | None) -> Literal["done", "in use", "unreadable"]:
    """Switch the file to a rollback journal, folding its WAL in: SQLite does that only with every other connection
    closed, so "done" proves no workstation has the file open. "unreadable": damaged, or under another key."""
    own_key = None if is_plain_sqlite(path) else key
    try:
        conn = connect(path, key=own_key)
    except database_errors(own_key):
        return "unreadable"
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except database_errors(own_key) as exc:
        return "in use" if "locked" in str(exc).lower() or "busy" in str(exc).lower() else "unreadable"
    finally:
        conn.close()
    return "done" if mode == "delete" else "in use"


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
    table_names: set[str] = field(default_factory=set)  # without alembic_version
    error: str | None = None
    audit: ChainCheck | None = None  # the audit log's hash chain and guards (a full check of a file with the log)

    @property
    def ok(self) -> bool:
        return self.readable and not self.integrity and not self.broken_links and (self.audit is None or self.audit.ok)

    def damage(self, most: int = 2) -> str:
        """What is wrong with the file's data, in a few words: the first integrity problems, broken links, or why it
        could not be read ("" when none of these)."""
        found = self.integrity[:most] + ([f"{self.broken_links} broken links"] if self.broken_links else [])
        return "; ".join(found) or (self.error or "")


def check_file(path: Path, *, key: str | None = None, quick: bool = False, immutable: bool = False) -> FileCheck:
    """Integrity, foreign keys and schema version of `path`, read-only (the file is not changed).

    `immutable` reads the file alone and leaves nothing beside it (see `connect`)."""
    result = FileCheck(path)
    try:
        conn = connect(path, key=key, readonly=True, immutable=immutable)
    except database_errors(key) as exc:
        return FileCheck(path, readable=False, error=str(exc))
    try:
        rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
        result.integrity = [row[0] for row in rows if row[0] != "ok"]
        if not quick:
            result.broken_links = len(conn.execute("PRAGMA foreign_key_check").fetchall())
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        result.table_names = names - {"alembic_version"}
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


def check_untouched(path: Path, *, key: str | None = None, wal: WalState | None = None) -> FileCheck:
    """`check_file` for `officemgr check`: the database as an open would read it, with nothing made or changed
    beside it (no -wal, -shm or -journal, the file's bytes and time as they were). `wal`: its `wal_state`."""
    wal = wal or wal_state(path, key=key)
    if wal.kind == "live":
        # The program that has it open keeps its -wal and -shm; a read-only look adds nothing to them.
        return check_file(path, key=key)
    left = [suffix for suffix, present in (("-wal", wal.kind == "ours"), ("-journal", hot_journal(path))) if present]
    if not left:
        return check_file(path, key=key, immutable=True)
    # A crash left a WAL to replay or a journal to roll back: read the file as the next open will, from a private
    # copy that a read-write open recovers first.
    with _private_copy(path, left) as copy:
        try:
            conn = connect(copy, key=key)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except database_errors(key):
            pass  # check_file says what is wrong with it
        result = check_file(copy, key=key)
    result.path = path
    return result


def empty_file(path: Path) -> bool:
    """`path` is a file of 0 bytes: not a database (only a file the app creates itself becomes a new practice)."""
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def looks_encrypted(path: Path) -> bool:
    """No SQLite header, but whole pages of scrambled bytes: most likely a database encrypted with SQLCipher."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return size >= 1024 and size % 1024 == 0 and len(set(head)) > 200 and not head.startswith(_SQLITE_HEADER)


_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def beside(path: Path, suffix: str) -> Path:
    """A file SQLite keeps beside the database: `-wal`, `-shm` or `-journal`."""
    return path.with_name(path.name + suffix)


def hot_journal(path: Path) -> bool:
    """A rollback journal beside the database that the next open rolls back: a write that did not finish."""
    try:
        with open(beside(path, "-journal"), "rb") as handle:
            return handle.read(8) == _JOURNAL_MAGIC and not in_use(path)
    except OSError:
        return False


# --- a -wal beside the database that is not its own ----------------------------------------------------------
#
# SQLite replays a -wal into whatever database sits beside it; nothing in the WAL format names that database.
# Before anything opens the file, wal_state tells a WAL that cannot be this database's (SQLite's WAL header:
# https://www.sqlite.org/fileformat2.html#walformat) and set_aside_wal moves it into the backups folder.

_WAL_MAGIC = (0x377F0682, 0x377F0683)  # the low bit: the checksums are big-endian
_WAL_VERSION = 3007000
_WAL_HEADER = 32
_FRAME_HEADER = 24
# SQLite's unix locks: a connection holds a shared lock in this range of the database file while it has the file
# open in WAL mode, and on this byte of the -shm ("dead man switch"): another program's open shows here.
_DATABASE_LOCKS = (0x40000000, 512)
_SHM_LOCK = (128, 1)


@dataclass(frozen=True)
class WalState:
    """The -wal beside a database. `kind`: none (no WAL whose frames SQLite would replay: the usual case),
    live (a program has the database open: its WAL is never touched), ours (it belongs to the database, or
    nothing shows it does not), foreign (another database's or an older copy's: `why` says how that shows)."""

    kind: Literal["none", "live", "ours", "foreign"]
    why: str = ""


@dataclass(frozen=True)
class _WalHeader:
    page_size: int
    salts: bytes
    big_endian: bool
    checksum: tuple[int, int]


def wal_state(path: Path, *, key: str | None = None) -> WalState:
    """Whether the -wal beside `path` belongs to it, without opening it with SQLite (which would replay it).

    No WAL, the usual case after a clean close, costs one stat. A caller in a process that has the database open
    itself must not call this: it would not see its own locks (and closing a file drops them)."""
    if not has_wal(path):
        return WalState("none")
    if in_use(path):
        return WalState("live")
    try:
        with open(beside(path, "-wal"), "rb") as handle:
            header = _wal_header(handle.read(_WAL_HEADER))
            if header is None or not _first_frame_valid(handle, header):
                return WalState("none")  # SQLite replays nothing from it: it starts the WAL afresh
            database = _database_header(path)
            if database is not None:
                size = int.from_bytes(database[16:18], "big")
                size = 65536 if size == 1 else size
                if size != header.page_size:
                    return WalState("foreign", f"its pages are {header.page_size} bytes, the database's {size}")
                # SQLite marks the file as WAL before a WAL exists, and unmarks it only after deleting its WAL.
                if database[18:20] == b"\x01\x01":
                    return WalState("foreign", "the database is not in WAL mode, as a backup copied over it is not, "
                                               "so no WAL beside it can be its own")
                identity = database[60:64]
                found = _identity_in_wal(handle, header)
                if identity != bytes(4) and found is not None and found != identity:
                    return WalState("foreign", "it was written for another database: the identity number in its "
                                               f"first page is {found.hex()}, this database's is {identity.hex()}")
    except OSError:
        return WalState("ours")  # unreadable here: left as it is, and the open says what is wrong
    return _trial(path, key=key)


# The driver connections this process has open, by SQLite file (store counts them): while there are any, the file's
# -wal is this process's own, and looking at its locks from here would not see them (POSIX locks are per process,
# and closing any handle on the file drops them).
_open_here: dict[Path, set[int]] = {}


def connections_here(path: Path) -> set[int]:
    """The ids of this process's open connections to `path`: the store adds and removes them."""
    return _open_here.setdefault(Path(os.path.realpath(path)), set())


def _to_stderr(message: str) -> None:
    print(f"officemgr: {visible(message)}", file=sys.stderr)


def set_aside_foreign_wal(path: Path, *, key: str | None, notify: Callable[[str], None] | None = None) -> None:
    """SQLite replays any -wal beside the file into it: one that is not this database's is moved aside first. Every
    open, backup, restore and encryption goes through here before SQLite touches the file; `notify` (default:
    standard error) is told what was moved where."""
    if not has_wal(path) or _open_here.get(Path(os.path.realpath(path))):
        return  # no WAL (the usual open, one stat), or this process has the database open: its WAL is its own
    found = wal_state(path, key=key)
    if found.kind != "foreign":
        return
    try:
        (notify or _to_stderr)(set_aside_wal(path, why=found.why, now=datetime.now()))
    except OSError as exc:
        raise StoreError(f"{path.name}-wal beside {path} is not this database's ({found.why}), and it could not be "
                         f"moved into {path.parent / 'backups'} ({exc.strerror or exc}): move it away yourself, then "
                         "open the database again. The database was left untouched.") from None


def has_wal(path: Path) -> bool:
    """A -wal with something in it is beside the database: one stat, and none is there after a clean close."""
    try:
        return os.stat(beside(path, "-wal")).st_size > 0
    except OSError:
        return False


def in_use(path: Path) -> bool:
    """Another program holds SQLite's locks on the database or its -shm: it has the file open now."""
    return any(_locked(file, *span) for file, span in ((path, _DATABASE_LOCKS), (beside(path, "-shm"), _SHM_LOCK)))


def _locked(path: Path, start: int, length: int) -> bool:
    try:
        import fcntl
    except ImportError:
        return True  # no way to look: taken as in use, so nothing is ever moved
    if sys.platform.startswith("linux"):
        layout, fields = "hh4xqqi4x", (fcntl.F_WRLCK, os.SEEK_SET, start, length, 0)
    elif sys.platform == "darwin":
        layout, fields = "qqihh", (start, length, 0, fcntl.F_WRLCK, os.SEEK_SET)
    else:
        return True
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        # F_GETLK only asks who holds a lock; it takes none, so the other program is never held up.
        answer = struct.unpack(layout, fcntl.fcntl(descriptor, fcntl.F_GETLK, struct.pack(layout, *fields)))
    except OSError:
        return True
    finally:
        os.close(descriptor)
    kind = answer[0] if sys.platform.startswith("linux") else answer[3]
    return bool(kind != fcntl.F_UNLCK)


def _wal_header(data: bytes) -> _WalHeader | None:
    """SQLite's 32-byte WAL header, or None when SQLite would ignore the WAL (wrong magic, version or checksum)."""
    if len(data) < _WAL_HEADER:
        return None
    magic, version, page_size = struct.unpack(">III", data[:12])
    if magic not in _WAL_MAGIC or version != _WAL_VERSION:
        return None
    big_endian = magic == _WAL_MAGIC[1]
    checksum = _checksum(data[:24], big_endian, (0, 0))
    if checksum != struct.unpack(">II", data[24:32]):
        return None
    return _WalHeader(page_size=page_size, salts=data[16:24], big_endian=big_endian, checksum=checksum)


def _first_frame_valid(handle: BinaryIO, header: _WalHeader) -> bool:
    """The first frame carries the header's salts and checksum: SQLite replays at least that far."""
    handle.seek(_WAL_HEADER)
    frame = handle.read(_FRAME_HEADER + header.page_size)
    if len(frame) < _FRAME_HEADER + header.page_size or frame[8:16] != header.salts:
        return False
    checksum = _checksum(frame[:8] + frame[_FRAME_HEADER:], header.big_endian, header.checksum)
    return checksum == struct.unpack(">II", frame[16:24])


def _identity_in_wal(handle: BinaryIO, header: _WalHeader) -> bytes | None:
    """The identity number (user_version) in the WAL's last copy of page 1, or None when it holds none."""
    found = None
    offset = _WAL_HEADER
    while True:
        handle.seek(offset)
        frame = handle.read(_FRAME_HEADER)
        if len(frame) < _FRAME_HEADER or frame[8:16] != header.salts:
            return found
        if int.from_bytes(frame[:4], "big") == 1:
            page = handle.read(64)
            if len(page) == 64:
                found = page[60:64]
        offset += _FRAME_HEADER + header.page_size


def _checksum(data: bytes, big_endian: bool, start: tuple[int, int]) -> tuple[int, int]:
    """SQLite's WAL checksum: two running sums over pairs of 32-bit words."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    s0, s1 = start
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _database_header(path: Path) -> bytes | None:
    """The plain database's 100-byte header (None for an encrypted file: its header is encrypted too)."""
    with open(path, "rb") as handle:
        header = handle.read(100)
    return header if len(header) == 100 and header.startswith(_SQLITE_HEADER) else None


def _trial(path: Path, *, key: str | None) -> WalState:
    """Where the headers cannot tell: read private copies of the database without and with the WAL. A WAL that
    turns a sound database into a damaged one is not its own."""
    try:
        with _private_copy(path, ()) as copy:
            if _damage(copy, key) is not None:
                return WalState("ours")  # damaged without it too: the open says so, and the WAL stays with it
            shutil.copyfile(beside(path, "-wal"), beside(copy, "-wal"))
            damage = _damage(copy, key)
    except OSError:
        return WalState("ours")
    if damage is None:
        return WalState("ours")
    return WalState("foreign", f"with it the database reads as damaged ({damage}); without it, as sound")


@contextmanager
def _private_copy(path: Path, suffixes: Iterable[str]) -> Iterator[Path]:
    """A copy of the database (and the files beside it with these suffixes) in a new temporary folder only its
    owner can open (0700)."""
    folder = Path(tempfile.mkdtemp(prefix="officemgr-"))
    try:
        copy = folder / path.name
        shutil.copyfile(path, copy)
        for suffix in suffixes:
            shutil.copyfile(beside(path, suffix), beside(copy, suffix))
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _damage(path: Path, key: str | None) -> str | None:
    """What a quick check finds wrong with `path` (a private copy: the check may write its -shm), or None."""
    try:
        conn = connect(path, key=key, readonly=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except database_errors(key) as exc:
        return str(exc)
    problems = [row[0] for row in rows if row[0] != "ok"]
    return "; ".join(problems[:2]) or None


def move_aside(path: Path, *, label: str, now: datetime, suffixes: tuple[str, ...]) -> tuple[Path, list[Path]]:
    """Move the files `path`+suffix that exist into the backups folder, owner-only, under one free name
    (`stem-time-label.db`, with "-again" added while that is taken); returns that name and where each file went."""
    from officemgr.backups import folder_for

    folder = folder_for(path)
    folder.mkdir(mode=0o700, exist_ok=True)
    # Two in one second: the second must not move its files over the first one's.
    while any(os.path.lexists(folder / f"{path.stem}-{now:%Y-%m-%d-%H%M%S}-{label}.db{suffix}") for suffix in suffixes):
        label += "-again"
    aside = folder / f"{path.stem}-{now:%Y-%m-%d-%H%M%S}-{label}.db"
    moved = []
    for suffix in suffixes:
        part = beside(path, suffix)
        if os.path.lexists(part):
            # A file from elsewhere is made private before it joins the backups (a link is moved, never followed).
            if not part.is_symlink() and os.lstat(part).st_mode & 0o077:
                os.chmod(part, 0o600)
            target = beside(aside, suffix)
            part.replace(target)
            moved.append(target)
    return aside, moved


def set_aside_wal(path: Path, *, why: str, now: datetime) -> str:
    """Move the foreign -wal beside `path` (and its -shm) into the backups folder, readable by its owner only;
    returns what to tell the user. The database itself is not touched."""
    _, moved = move_aside(path, label="set-aside", now=now, suffixes=("-wal", "-shm"))
    if not moved or not moved[0].name.endswith("-wal"):
        # Another program checkpointed it away meanwhile: nothing foreign is left to apply.
        return f"{path.name}-wal beside {path} was gone before it could be moved; {path} was opened as it was."
    also = f" (with its -shm, {moved[1].name})" if len(moved) > 1 else ""
    return (f"{path.name}-wal beside {path} was not this database's ({why}), so it was not applied: it was moved to "
            f"{moved[0]}{also}, and {path} was opened as it was. Keep that file until you are sure the practice's "
            "data is right.")
