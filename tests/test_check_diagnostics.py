"""`officemgr check` says what is actually wrong, each with its own message and exit 1, and changes nothing:
no -wal, -shm or -journal left beside the file, its bytes and modification time as they were."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from officemgr import dbfile, store
from officemgr.cli import main
from test_wal_safety import _foreign_wal_beside, _killed_writer, _practice

# Root may read and write any file, so permissions only show without its file-access capabilities: as root, the
# check runs without them (setpriv, util-linux).
AS_ROOT = os.geteuid() == 0
WITHOUT_ROOTS_ACCESS = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if AS_ROOT else []

# Stops in the middle of a write that changes every page: the -journal it leaves is hot (synchronous=OFF writes the
# journal's header at once), so the database file itself is half-written until an open rolls it back.
_STOPPED_MIDWAY = textwrap.dedent("""
    import os, signal, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = 1")
    conn.execute("BEGIN")
    conn.execute("UPDATE audit_event SET actor = upper(actor) || ' half-written'")
    conn.execute("UPDATE payer SET name = upper(name) || ' half-written'")
    os.kill(os.getpid(), signal.SIGKILL)
""")


def _state(database: Path) -> tuple[list[str], bytes, int]:
    """Everything check must leave as it was: the folder's files, the database's bytes and time."""
    return sorted(p.name for p in database.parent.iterdir()), database.read_bytes(), database.stat().st_mtime_ns


def _check(database: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`officemgr check` in a process of its own, to which file permissions apply even when the tests run as root."""
    if AS_ROOT and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions would not apply")
    return subprocess.run([*WITHOUT_ROOTS_ACCESS, sys.executable, "-m", "officemgr.cli", "check", "--db",
                           str(database), *options], capture_output=True, text=True, timeout=120)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A folder whose permissions a test may take away: they are given back for the clean-up."""
    yield tmp_path
    for path in (tmp_path, *tmp_path.iterdir()):
        path.chmod(0o700)


def test_a_healthy_database_is_checked_without_a_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = _practice(tmp_path / "office.db", payers=3)
    before = _state(database)

    assert main(["check", "--db", str(database)]) == 0

    assert "integrity: ok" in capsys.readouterr().out
    assert _state(database) == before


def test_a_read_only_folder(folder: Path) -> None:
    database = _practice(folder / "office.db", payers=3)
    folder.chmod(0o555)
    before = _state(database)

    done = _check(database)

    assert done.returncode == 1 and "integrity: ok" in done.stdout
    assert f"the folder {folder} is read-only" in done.stderr and "Traceback" not in done.stderr
    assert _state(database) == before


def test_a_file_without_permission_to_read(folder: Path) -> None:
    database = _practice(folder / "office.db", payers=3)
    database.chmod(0o200)

    done = _check(database)

    assert done.returncode == 1 and f"you have no permission to read {database}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_without_permission_to_write(folder: Path) -> None:
    database = _practice(folder / "office.db", payers=3)
    database.chmod(0o400)
    before = _state(database)

    done = _check(database)

    assert done.returncode == 1 and "integrity: ok" in done.stdout
    assert f"{database} is read-only: the app needs to write to it" in done.stderr
    assert _state(database) == before


def test_a_hot_rollback_journal_is_named_and_left_for_the_open_to_roll_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = _practice(tmp_path / "office.db", payers=200)
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    done = subprocess.run([sys.executable, "-c", _STOPPED_MIDWAY, str(database)], capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr
    journal = dbfile.beside(database, "-journal")
    held = journal.read_bytes()
    before = _state(database)

    assert main(["check", "--db", str(database)]) == 1

    captured = capsys.readouterr()
    assert "office.db-journal beside it holds a write that did not finish" in captured.err
    assert "rolls that write back" in captured.err
    # What the open will see once it has rolled the write back: a sound database.
    assert "integrity: ok" in captured.out and "is damaged" not in captured.err
    assert _state(database) == before and journal.read_bytes() == held


def test_another_programs_database_with_an_alembic_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "books.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('3f2a9c1b7d10')")
        conn.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total INTEGER)")
        conn.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    assert "3f2a9c1b7d10" not in store.known_revisions()

    assert main(["check", "--db", str(database)]) == 1

    captured = capsys.readouterr()
    assert "schema: not an officemgr database" in captured.out
    assert (f"{database} is another program's database (its Alembic version 3f2a9c1b7d10 is not one of "
            "officemgr's), with tables customer, invoice") in captured.err
    assert "newer version" not in captured.out + captured.err


def test_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--db", str(tmp_path)]) == 1

    assert f"{tmp_path} is a folder, not a database file" in capsys.readouterr().err


def test_an_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "office.db"
    empty.touch()

    assert main(["check", "--db", str(empty)]) == 1

    assert "is empty (0 bytes), so it is not a practice database" in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == [empty] and empty.stat().st_size == 0


def _encrypted(tmp_path: Path) -> Path:
    pytest.importorskip("sqlcipher3")
    database = tmp_path / "secret.db"
    store.open_database(path=database, key="the right key").dispose()
    return database


def test_a_wrong_key(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    database = _encrypted(tmp_path)
    before = _state(database)
    monkeypatch.setenv("OFFICEMGR_KEY", "a wrong key")

    assert main(["check", "--db", str(database)]) == 1

    assert f"the key does not open {database}: check the key" in capsys.readouterr().err
    assert _state(database) == before


def test_an_encrypted_file_without_its_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    database = _encrypted(tmp_path)
    monkeypatch.delenv("OFFICEMGR_KEY", raising=False)

    assert main(["check", "--db", str(database)]) == 1

    err = capsys.readouterr().err
    assert f"{database} looks encrypted" in err and "check it with --encrypt and its key" in err


def test_a_plain_file_checked_with_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlcipher3")
    database = _practice(tmp_path / "office.db", payers=1)
    monkeypatch.setenv("OFFICEMGR_KEY", "a key")

    assert main(["check", "--db", str(database)]) == 1

    assert f"{database} is not encrypted: check it without --encrypt" in capsys.readouterr().err


def test_a_foreign_wal_is_named_and_left_where_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = _practice(tmp_path / "A.db", payers=3)
    wal = _foreign_wal_beside(database, _practice(tmp_path / "B.db", payers=300))
    before = _state(database)

    assert main(["check", "--db", str(database)]) == 1

    captured = capsys.readouterr()
    assert "A.db-wal beside" in captured.err and "is not this database's" in captured.err
    assert f"opening the app moves it into {tmp_path / 'backups'}" in captured.err
    assert "integrity: ok" in captured.out
    assert _state(database) == before and dbfile.beside(database, "-wal").read_bytes() == wal


def test_the_wal_a_crash_left_is_read_as_the_open_will_and_left_as_it_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = _practice(tmp_path / "office.db", payers=3)
    _killed_writer(database, "UPDATE payer SET name = name || ' saved'")
    wal = dbfile.beside(database, "-wal").read_bytes()
    before = _state(database)

    assert main(["check", "--db", str(database)]) == 0

    assert "integrity: ok" in capsys.readouterr().out
    assert _state(database) == before and dbfile.beside(database, "-wal").read_bytes() == wal
