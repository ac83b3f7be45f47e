"""A -wal beside the database that is not its own is never replayed into it; an empty file is not a database.

SQLite replays whatever -wal sits beside a database file. The hot WALs here are real: a process writes and is
SIGKILLed before any checkpoint, and its -wal is copied beside another database, as a hand copy or a restore
from a file copy would leave it.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlmodel import Session

from factories import make_payer
from officemgr import dbfile, store
from officemgr.cli import main

# Writes and dies before a checkpoint: the -wal (and -shm) it leaves hold a committed transaction.
_KILLED_WRITER = textwrap.dedent("""
    import os, signal, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1])
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute(sys.argv[2])
    conn.commit()
    os.kill(os.getpid(), signal.SIGKILL)
""")

# Holds the database open (as another officemgr would) until its stdin closes.
_HOLDER = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1])
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE payer SET name = name || ' (held)'")
    conn.commit()
    print("ready", flush=True)
    sys.stdin.read()
""")


def _practice(path: Path, payers: int) -> Path:
    engine = store.open_database(path=path)
    with Session(engine) as session:
        for n in range(payers):
            make_payer(session, name=f"{path.stem} payer {n} " + "x" * 40)
    engine.dispose()  # this process no longer has it open, as in a new run of the app
    return path


def _killed_writer(path: Path, sql: str) -> None:
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(path), sql], capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr
    assert dbfile.beside(path, "-wal").stat().st_size > 0


def _names(path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM payer")}
    finally:
        conn.close()


def _foreign_wal_beside(database: Path, other: Path) -> bytes:
    """Another practice's hot WAL, copied beside `database`; returns its bytes."""
    _killed_writer(other, "UPDATE payer SET name = name || ' changed'")
    wal = dbfile.beside(other, "-wal").read_bytes()
    dbfile.beside(database, "-wal").write_bytes(wal)
    return wal


def _set_aside(database: Path) -> list[Path]:
    folder = database.parent / "backups"
    return sorted(folder.glob("*-set-aside*.db-wal")) if folder.is_dir() else []


def test_another_practices_wal_is_set_aside_and_the_database_opens_as_it_was(tmp_path: Path) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    other = _practice(tmp_path / "B.db", payers=300)
    mine = _names(database)
    wal = _foreign_wal_beside(database, other)
    notes: list[str] = []

    engine = store.open_database(path=database, notify=notes.append)
    try:
        with store.read_session(engine) as session:
            names = {row[0] for row in session.connection().exec_driver_sql("SELECT name FROM payer")}
    finally:
        engine.dispose()

    assert names == mine
    [aside] = _set_aside(database)
    assert aside.name.endswith("-set-aside.db-wal") and aside.read_bytes() == wal
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    [note] = notes
    assert str(aside) in note and "was not this database's" in note and "opened as it was" in note
    assert dbfile.check_file(database).ok and _names(database) == mine


def test_a_foreign_wal_the_headers_cannot_tell_is_found_by_reading_private_copies(tmp_path: Path) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA user_version = 0")  # a database from before identity numbers
    conn.close()
    other = _practice(tmp_path / "B.db", payers=300)
    _killed_writer(other, "UPDATE payer SET name = upper(name)")
    shutil.copyfile(dbfile.beside(other, "-wal"), dbfile.beside(database, "-wal"))
    before = database.read_bytes()

    found = dbfile.wal_state(database)

    assert found.kind == "foreign" and "reads as damaged" in found.why
    assert database.read_bytes() == before and not dbfile.beside(database, "-shm").exists()
    mine = _names(database)
    store.open_database(path=database, notify=lambda note: None).dispose()
    assert _names(database) == mine and len(_set_aside(database)) == 1


def test_a_wal_of_another_page_size_is_foreign(tmp_path: Path) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("PRAGMA page_size = 1024")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE notes (body TEXT)")
    _killed_writer(other, "INSERT INTO notes VALUES ('not the practice')")
    shutil.copyfile(dbfile.beside(other, "-wal"), dbfile.beside(database, "-wal"))

    assert dbfile.wal_state(database) == dbfile.WalState("foreign", "its pages are 1024 bytes, the database's 4096")


def test_the_databases_own_wal_after_a_crash_is_kept_and_replayed(tmp_path: Path) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    _killed_writer(database, "UPDATE payer SET name = name || ' saved before the crash'")

    assert dbfile.wal_state(database).kind == "ours"
    notes: list[str] = []
    store.open_database(path=database, notify=notes.append).dispose()

    assert notes == [] and _set_aside(database) == []
    assert all(name.endswith("saved before the crash") for name in _names(database))


def test_a_wal_another_program_has_open_is_never_moved(tmp_path: Path) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(database)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        assert dbfile.wal_state(database).kind == "live"
        conn = sqlite3.connect(database)
        conn.execute("PRAGMA user_version = 7")  # as if the WAL were another database's: still not moved
        conn.close()
        assert dbfile.wal_state(database).kind == "live"
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert _set_aside(database) == []


def test_the_command_line_says_what_was_moved_where(tmp_path: Path) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    _foreign_wal_beside(database, _practice(tmp_path / "B.db", payers=300))

    done = subprocess.run([sys.executable, "-m", "officemgr.cli", "huddle", "--db", str(database), "--today",
                           "2026-11-23"], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    [aside] = _set_aside(database)
    assert f"moved to {aside}" in done.stderr and "Traceback" not in done.stderr
    assert all(name.startswith("A payer") for name in _names(database))


def test_no_wal_costs_one_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = _practice(tmp_path / "A.db", payers=1)
    looked: list[str] = []
    real_stat = dbfile.os.stat
    monkeypatch.setattr(dbfile.os, "stat", lambda path, *a, **k: looked.append(str(path)) or real_stat(path, *a, **k))
    monkeypatch.setattr(dbfile, "open", lambda *a, **k: pytest.fail("opened a file"), raising=False)

    assert dbfile.wal_state(database) == dbfile.WalState("none")
    assert looked == [f"{database}-wal"]


# --- an empty file ---------------------------------------------------------------------------------------------


def test_an_empty_file_is_refused_and_left_empty(tmp_path: Path) -> None:
    empty = tmp_path / "office.db"
    empty.touch()

    with pytest.raises(store.StoreError) as refused:
        store.open_database(path=empty)

    message = str(refused.value)
    assert "is empty (0 bytes)" in message and "delete the empty file" in message and "--db" in message
    assert empty.stat().st_size == 0 and sorted(tmp_path.iterdir()) == [empty]
    assert not dbfile.looks_openable(empty, key=None) and not dbfile.looks_openable(empty, key="a key")


def test_the_command_line_refuses_an_empty_file_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "office.db"
    empty.touch()

    assert main(["huddle", "--db", str(empty), "--today", "2026-11-23"]) == 2

    assert "is empty (0 bytes)" in capsys.readouterr().err and empty.stat().st_size == 0


def test_a_file_the_app_creates_itself_still_becomes_a_new_practice(tmp_path: Path) -> None:
    new = tmp_path / "office.db"
    assert dbfile.looks_openable(new, key=None)

    engine = store.open_database(path=new)
    try:
        assert store.schema_revision(engine) == store.head_revision()
    finally:
        engine.dispose()


def test_a_backup_copied_over_the_database_by_hand_leaves_the_stale_wal_unapplied(tmp_path: Path) -> None:
    from datetime import datetime

    from officemgr import backups

    database = _practice(tmp_path / "office.db", payers=3)
    copy = backups.make_backup(database, now=datetime(2026, 11, 23, 7, 45), why="manual")
    _killed_writer(database, "UPDATE payer SET name = name || ' after the backup'")
    shutil.copyfile(copy, database)  # the -wal of the database as it was stays beside the backup's bytes

    found = dbfile.wal_state(database)
    store.open_database(path=database, notify=lambda note: None).dispose()

    assert found.kind == "foreign" and "not in WAL mode" in found.why
    assert not any(name.endswith("after the backup") for name in _names(database))
    assert dbfile.check_file(database).ok and len(_set_aside(database)) == 1
    [shm] = (tmp_path / "backups").glob("*-set-aside.db-shm")  # the stale WAL's index went with it
    assert stat.S_IMODE(shm.stat().st_mode) == 0o600


def test_a_backup_never_copies_another_databases_wal_in(tmp_path: Path) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    mine = _names(database)
    _foreign_wal_beside(database, _practice(tmp_path / "B.db", payers=300))
    copy = tmp_path / "usb" / "A-copy.db"
    copy.parent.mkdir()

    done = subprocess.run([sys.executable, "-m", "officemgr.cli", "backup", "--to", str(copy), "--db", str(database)],
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    [aside] = _set_aside(database)
    assert f"moved to {aside}" in done.stderr
    assert _names(copy) == mine and _names(database) == mine


# The app's own write, killed after it committed: its -wal is what a crash of officemgr leaves.
_KILLED_APP_WRITE = textwrap.dedent("""
    import os, signal, sys
    from officemgr import store
    engine = store.open_database(path=sys.argv[1])
    with store.write_session(engine) as session:
        session.connection().exec_driver_sql("UPDATE payer SET name = name || ' (edited)' WHERE id = 1")
        session.commit()
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_every_write_of_the_app_leaves_its_databases_identity_in_the_wal(tmp_path: Path) -> None:
    """A small edit does not touch page 1 by itself; the app writes page 1 on every commit, so any WAL it leaves
    names its database, and one beside another database is known as foreign from its header alone."""
    database = _practice(tmp_path / "A.db", payers=3)
    other = _practice(tmp_path / "B.db", payers=3)
    done = subprocess.run([sys.executable, "-c", _KILLED_APP_WRITE, str(other)], capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr
    assert dbfile.wal_state(other).kind == "ours"
    shutil.copy(dbfile.beside(other, "-wal"), dbfile.beside(database, "-wal"))

    found = dbfile.wal_state(database)

    assert found.kind == "foreign" and "identity number" in found.why


def test_a_restore_keeps_the_replaced_database_as_it_was_beside_a_foreign_wal(tmp_path: Path) -> None:
    from datetime import datetime

    from officemgr import backups

    database = _practice(tmp_path / "A.db", payers=3)
    mine = _names(database)
    good = backups.make_backup(database, now=datetime(2026, 11, 23, 7, 45), why="manual")
    _foreign_wal_beside(database, _practice(tmp_path / "B.db", payers=300))

    done = subprocess.run([sys.executable, "-m", "officemgr.cli", "restore", str(good), "--yes", "--db",
                           str(database)], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "set-aside" in done.stderr
    [kept] = sorted((tmp_path / "backups").glob("*before-restore*.db"))
    assert _names(kept) == mine and dbfile.check_file(kept).ok
    assert _names(database) == mine and dbfile.check_file(database).ok
