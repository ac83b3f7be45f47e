"""Restore and check, and every kind of bad database refused with the file left as it was, byte for byte."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from factories import make_payer
from officemgr import backups, store
from officemgr.cli import main
from test_backups import _database

NOW = datetime(2026, 11, 23, 7, 45)


def _payer_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM payer")}


def _damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk would; the header stays valid."""
    with open(path, "r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\xff" * 4096 * 20)


def _damaged_database(tmp_path: Path) -> Path:
    path = _database(tmp_path, payers=200)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one file, so the damage is in what SQLite reads
    _damage(path)
    return path


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    copy = backups.make_backup(database, now=NOW, why="manual")
    engine = store.open_database(path=database)
    with Session(engine) as session:
        make_payer(session, name="Added after the backup")
    engine.dispose()

    assert main(["restore", str(copy), "--yes", "--db", str(database)]) == 0

    assert _payer_names(database) == {"Payer 0", "Payer 1", "Payer 2"}
    [aside] = [path for _, path in backups.backups(database) if path.name.endswith("-before-restore.db")]
    assert "Added after the backup" in _payer_names(aside)
    assert f"kept as {aside}" in capsys.readouterr().out
    with sqlite3.connect(database) as conn:
        logged = conn.execute("SELECT entity, action, changes FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    assert logged[:2] == ("database", "restore") and str(copy) in logged[2] and str(aside) in logged[2]


def test_restore_asks_first_and_changes_nothing_without_a_yes(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    copy = backups.make_backup(database, now=NOW, why="manual")
    before = database.read_bytes()
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    assert main(["restore", str(copy), "--db", str(database)]) == 1

    assert "nothing was changed" in capsys.readouterr().err
    assert database.read_bytes() == before
    assert [path.name for _, path in backups.backups(database)] == [copy.name]


def test_restore_brings_an_older_schema_up_to_date(tmp_path: Path) -> None:
    from alembic import command

    database = _database(tmp_path)
    old = tmp_path / "old.db"
    backups.make_backup(database, now=NOW, why="manual", target=old)
    engine = store.create_engine_for(store.sqlite_url(old))
    with engine.begin() as conn:
        command.downgrade(store._alembic_config(conn), "0006")
    engine.dispose()

    assert main(["restore", str(old), "--yes", "--db", str(database)]) == 0

    engine = store.open_database(path=database)
    assert store.schema_revision(engine) == store.head_revision()
    engine.dispose()
    assert len(_payer_names(database)) == 3


@pytest.mark.parametrize("kind", ["damaged", "not a database", "newer", "not officemgr", "missing"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path: Path, capsys, kind: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "office").mkdir()
    database = _database(tmp_path / "office")
    before = database.read_bytes()
    bad = tmp_path / "bad.db"
    if kind == "damaged":
        bad = _damaged_database(tmp_path)
    elif kind == "not a database":
        bad.write_bytes(b"Quarterly report\n" * 300)
    elif kind == "newer":
        backups.make_backup(database, now=NOW, why="manual", target=bad)
        with sqlite3.connect(bad) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    elif kind == "not officemgr":
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")

    assert main(["restore", str(bad), "--yes", "--db", str(database)]) == 1

    err = capsys.readouterr().err
    assert "nothing was changed" in err and "Traceback" not in err
    assert database.read_bytes() == before
    assert backups.backups(database) == []


def test_check_reports_a_healthy_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    backups.make_backup(database, now=NOW, why="manual")

    assert main(["check", "--db", str(database)]) == 0

    out = capsys.readouterr().out
    assert "integrity: ok" in out and "links between records: ok" in out
    assert f"schema: {store.head_revision()}, up to date" in out
    assert "backups: 1 in" in out


def test_check_finds_broken_links_and_names_the_newest_good_backup(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    good = backups.make_backup(database, now=NOW, why="daily")
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("INSERT INTO claim_event (claim_id, at, actor, from_status, to_status, amount_cents, code, text) "
                     "VALUES (999, '2026-11-20', 'x', 'draft', 'submitted', 0, '', '')")

    assert main(["check", "--db", str(database)]) == 1

    captured = capsys.readouterr()
    assert "1 broken" in captured.out
    assert f"officemgr restore {good} --db {database}" in captured.err


def test_check_on_a_damaged_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _damaged_database(tmp_path)
    before = database.read_bytes()

    assert main(["check", "--db", str(database)]) == 1

    assert "integrity: ok" not in capsys.readouterr().out
    assert database.read_bytes() == before


def test_check_names_an_older_and_a_newer_schema(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    assert main(["check", "--db", str(database)]) == 1
    assert "from a newer version of officemgr" in capsys.readouterr().out


# --- opening a bad database -------------------------------------------------------------------------


def test_a_damaged_database_is_refused_on_the_days_first_open_naming_the_newest_good_backup(tmp_path: Path) -> None:
    database = _damaged_database(tmp_path)
    (tmp_path / "clean").mkdir()
    good_source = _database(tmp_path / "clean")
    folder = backups.folder_for(database)
    folder.mkdir()
    good = folder / "office-2026-11-20-080000-daily.db"
    backups.make_backup(good_source, now=NOW, why="daily", target=good)
    newer_but_bad = folder / "office-2026-11-22-080000-daily.db"
    newer_but_bad.write_bytes(database.read_bytes())
    before = database.read_bytes()

    with pytest.raises(store.StoreError) as refused:
        backups.daily_backup(database, now=NOW)

    message = str(refused.value)
    assert "damaged" in message and "left untouched" in message
    assert f"officemgr restore {good} --db {database}" in message  # the newest *good* one, not the newest
    assert database.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [good.name, newer_but_bad.name]


def test_a_file_that_is_not_a_database_names_the_newest_good_backup(tmp_path: Path) -> None:
    database = _database(tmp_path)
    good = backups.make_backup(database, now=NOW, why="daily")
    database.write_bytes(b"\x00garbage" * 1000)
    for extra in ("-wal", "-shm"):
        database.with_name(database.name + extra).unlink(missing_ok=True)
    before = database.read_bytes()

    with pytest.raises(store.StoreError) as refused:
        store.open_database(path=database)

    assert f"officemgr restore {good} --db {database}" in str(refused.value)
    # Not whole pages, so not taken for an encrypted database: the plain backup is the way back.
    assert "--encrypt" not in str(refused.value)
    assert database.read_bytes() == before


def test_a_newer_database_names_a_backup_this_version_can_open(tmp_path: Path) -> None:
    database = _database(tmp_path)
    good = backups.make_backup(database, now=NOW, why="daily")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = database.read_bytes()

    with pytest.raises(store.StoreError) as refused:
        store.open_database(path=database)

    assert f"officemgr restore {good} --db {database}" in str(refused.value)
    assert database.read_bytes() == before


def test_a_read_only_database_is_refused_before_anything_starts(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    database.chmod(0o400)
    before = database.read_bytes()
    if os.geteuid() == 0:
        # root may write anything; stand in for the office manager's own account
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == database and mode == os.W_OK
                            else real_access(p, mode))

    with pytest.raises(store.StoreError, match="is read-only") as refused:
        store.open_database(path=database)

    assert "left untouched" in str(refused.value)
    assert database.read_bytes() == before


def test_a_database_locked_by_another_program_is_refused_with_what_to_do(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    before = database.read_bytes()
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    try:
        with pytest.raises(store.StoreError, match="locked by another program"):
            store.open_database(path=database)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert database.read_bytes() == before


def test_daily_and_special_backups_are_pruned_apart(tmp_path: Path) -> None:
    database = _database(tmp_path)
    folder = backups.folder_for(database)
    folder.mkdir()
    for day in range(1, 31):
        (folder / f"office-2026-10-{day:02d}-080000-daily.db").touch()
    special = folder / "office-2026-10-02-090000-before-restore.db"
    special.touch()

    removed = backups.prune(database)

    assert len(removed) == 30 - 14
    assert special.exists()
