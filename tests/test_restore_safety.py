"""Backup and restore keep a practice's data as it is kept: the hint for an encrypted database asks for its key (never
a plain backup from before the encryption), restore never mixes plain and encrypted silently, a copy is built under
a temporary name (0600 from its first byte) and never leaves one behind, even killed, and `backup --to` follows the
rules of every file leaving the app. `encrypt` and `restore` are in the audit log of the database they leave."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session

import officemgr
from factories import make_payer
from officemgr import backups, encryption, store
from officemgr.cli import main

KEY = "correct horse battery"
NOW = datetime(2026, 11, 23, 7, 45)
SRC = Path(officemgr.__file__).resolve().parents[1]  # the code under test, in the subprocess too


def _database(folder: Path, *names: str, key: str | None = None) -> Path:
    path = folder / "office.db"
    engine = store.open_database(path=path, key=key)
    with Session(engine) as session:
        for name in names or ("Aetna",):
            make_payer(session, name=name)
    engine.dispose()
    return path


def _payers(path: Path, key: str | None = None) -> set[str]:
    engine = store.open_database(path=path, key=key)
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.exec_driver_sql("SELECT name FROM payer")}
    finally:
        engine.dispose()


def _last_event(path: Path, key: str | None = None) -> tuple[str, str, str]:
    engine = store.open_database(path=path, key=key)
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT entity, action, changes FROM audit_event ORDER BY id DESC").first()
    finally:
        engine.dispose()
    assert row is not None
    return row[0], row[1], row[2]


def _temporaries(*folders: Path) -> list[str]:
    return sorted(p.name for folder in folders if folder.is_dir() for p in folder.iterdir() if ".partial" in p.name)


# --- item 3: the hint for an encrypted database ---------------------------------------------------------------


def test_an_encrypted_database_opened_without_its_key_asks_for_the_key_not_a_plain_backup(tmp_path: Path) -> None:
    database = _database(tmp_path, "Before encryption")
    plain_copy = encryption.encrypt_file(database, key=KEY, now=NOW)
    assert backups.newest_good(database) is not None  # the plain copy from before the encryption is a good backup

    with pytest.raises(store.StoreError) as refused:
        store.open_database(path=database)

    message = str(refused.value)
    assert "--encrypt" in message
    assert str(plain_copy) not in message and "officemgr restore" not in message


def test_check_with_a_wrong_key_names_no_backup_of_another_kind(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    plain_copy = encryption.encrypt_file(database, key=KEY, now=NOW)
    monkeypatch.setenv("OFFICEMGR_KEY", "a wrong key!")

    assert main(["check", "--db", str(database)]) == 1

    said = capsys.readouterr().err
    assert "check the key" in said and str(plain_copy) not in said


def test_the_hint_for_an_encrypted_database_names_its_encrypted_backup_with_the_key(tmp_path: Path) -> None:
    database = _database(tmp_path, key=KEY)
    copy = backups.make_backup(database, now=NOW, why="daily", key=KEY)

    assert backups.restore_hint(database, key=KEY).endswith(f"officemgr restore {copy} --db {database} --encrypt")


# --- item 3: restore never mixes plain and encrypted silently -------------------------------------------------


def test_restore_refuses_a_plain_backup_over_an_encrypted_database_unless_mixed(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path, "Before encryption")
    plain_copy = encryption.encrypt_file(database, key=KEY, now=NOW)
    before = database.read_bytes()

    assert main(["restore", str(plain_copy), "--yes", "--db", str(database)]) == 1

    said = capsys.readouterr().err
    assert "encrypted" in said and "--mixed" in said and "nothing was changed" in said
    assert database.read_bytes() == before

    assert main(["restore", str(plain_copy), "--yes", "--mixed", "--db", str(database)]) == 0
    assert _payers(database) == {"Before encryption"}


def test_restore_refuses_an_encrypted_backup_over_a_plain_database_unless_mixed(tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                                                 capsys) -> None:
    (tmp_path / "other").mkdir()
    encrypted_copy = _database(tmp_path / "other", "Encrypted", key=KEY)
    database = _database(tmp_path, "Plain")
    before = database.read_bytes()
    monkeypatch.setenv("OFFICEMGR_KEY", KEY)

    assert main(["restore", str(encrypted_copy), "--yes", "--db", str(database)]) == 1

    assert "--mixed" in capsys.readouterr().err
    assert database.read_bytes() == before
    assert main(["restore", str(encrypted_copy), "--yes", "--mixed", "--db", str(database)]) == 0
    assert _payers(database, key=KEY) == {"Encrypted"}
    [aside] = [path for _, path in backups.backups(database) if path.name.endswith("-before-restore.db")]
    assert _payers(aside) == {"Plain"}  # the plain database is kept, still plain


# --- item 3: no temporary file left, 0600 from the first byte ---------------------------------------------------


def test_a_failed_backup_leaves_no_temporary_file(tmp_path: Path) -> None:
    not_a_database = tmp_path / "office.db"
    not_a_database.write_bytes(b"not a database at all" * 100)
    target = tmp_path / "copy.db"

    with pytest.raises(sqlite3.DatabaseError):
        backups.make_backup(not_a_database, now=NOW, why="manual", target=target)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.db"]


def test_backups_and_restores_are_private_from_the_first_byte_never_chmod_after(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    old_umask = os.umask(0)
    try:
        def no_chmod(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("a file made readable by others first and narrowed after")

        monkeypatch.setattr(os, "chmod", no_chmod)
        copy = backups.make_backup(database, now=NOW, why="manual")
        target = tmp_path / "usb.db"
        backups.make_backup(database, now=NOW, why="manual", target=target)
        backups.restore(copy, database, now=NOW)
    finally:
        os.umask(old_umask)
    for path in (copy, target, database):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert _temporaries(tmp_path, backups.folder_for(database)) == []


def _killed_while_building(target: Path) -> None:
    """A process that starts a copy to `target` and is killed (SIGKILL) before it finishes."""
    script = ("import sys, time\nfrom pathlib import Path\nfrom officemgr import backups\n"
              "with backups.building(Path(sys.argv[1])) as temp:\n"
              "    temp.with_name(temp.name + '-journal').write_bytes(b'half')\n"
              "    print('building', flush=True)\n    time.sleep(60)\n")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, env=env) as child:
        assert child.stdout is not None and child.stdout.readline() == b"building\n"
        child.send_signal(signal.SIGKILL)
        child.wait()


def test_the_temporary_file_of_a_killed_backup_or_restore_is_gone_after_the_next_one(tmp_path: Path) -> None:
    database = _database(tmp_path)
    folder = backups.folder_for(database)
    folder.mkdir()
    _killed_while_building(folder / f"{database.stem}-2026-11-22-080000-daily.db")
    _killed_while_building(database)
    _killed_while_building(tmp_path / "usb.db")
    assert len(_temporaries(tmp_path, folder)) == 6  # each copy and its journal

    copy = backups.make_backup(database, now=NOW, why="manual")
    backups.restore(copy, database, now=NOW)
    assert main(["backup", "--to", str(tmp_path / "usb.db"), "--db", str(database)]) == 0

    assert _temporaries(tmp_path, folder) == []


def test_a_copy_another_process_is_building_is_left_alone(tmp_path: Path) -> None:
    with backups.building(tmp_path / "usb.db") as temp:
        assert backups.sweep(tmp_path, ".usb.db.") == []
        assert temp.exists()
    assert not temp.exists()


# --- backup --to: the export rules ----------------------------------------------------------------------------


def test_backup_to_never_writes_through_a_symlink_and_replaces_a_file_only_with_force(tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                                      capsys) -> None:
    database = _database(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    planted = tmp_path / "usb.db"
    planted.symlink_to(elsewhere / "stolen.db")  # dangling: a copy written through it would land elsewhere

    assert main(["backup", "--to", str(planted), "--db", str(database)]) == 1

    assert "already exists" in capsys.readouterr().err
    assert planted.is_symlink() and list(elsewhere.iterdir()) == []
    existing = tmp_path / "old.db"
    existing.write_bytes(b"an older copy")
    assert main(["backup", "--to", str(existing), "--db", str(database)]) == 1
    assert existing.read_bytes() == b"an older copy"

    assert main(["backup", "--to", str(existing), "--force", "--db", str(database)]) == 0
    assert _payers(existing) == {"Aetna"} and stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert main(["backup", "--to", str(planted), "--force", "--db", str(database)]) == 0
    assert not planted.is_symlink() and list(elsewhere.iterdir()) == []  # the link itself was replaced


# --- restore: the replaced database leaves with its -wal and -shm ------------------------------------------------


def test_a_restored_database_never_has_the_replaced_ones_wal_beside_it(tmp_path: Path) -> None:
    database = _database(tmp_path, "Backed up")
    copy = backups.make_backup(database, now=NOW, why="manual")
    # The replaced database as a crashed app leaves it: its newest rows only in its -wal file.
    engine = store.open_database(path=database)
    with Session(engine) as session:
        make_payer(session, name="Only in the WAL")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):
        (crashed / f"office.db{suffix}").write_bytes(database.with_name(database.name + suffix).read_bytes())
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        (crashed / f"office.db{suffix}").replace(database.with_name(database.name + suffix))
    assert database.with_name("office.db-wal").stat().st_size > 0

    aside = backups.restore(copy, database, now=NOW)

    assert not database.with_name("office.db-wal").exists() and not database.with_name("office.db-shm").exists()
    assert _payers(database) == {"Backed up"}
    assert aside is not None and "Only in the WAL" in _payers(aside)


def test_a_stale_wal_without_its_database_is_moved_aside_not_replayed_into_the_restored_one(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other = _database(tmp_path / "other", "Another practice")
    copy = backups.make_backup(other, now=NOW, why="manual")
    (tmp_path / "crashed").mkdir()
    stale = _database(tmp_path / "crashed", "Gone")
    engine = store.open_database(path=stale)
    with Session(engine) as session:
        make_payer(session, name="Only in the stale WAL")
    database = tmp_path / "office.db"
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).write_bytes(stale.with_name(stale.name + suffix).read_bytes())
    engine.dispose()

    aside = backups.restore(copy, database, now=NOW)

    assert _payers(database) == {"Another practice"}
    assert aside is not None and aside.with_name(aside.name + "-wal").exists()


def test_restore_refuses_a_symlinked_database(tmp_path: Path) -> None:
    database = _database(tmp_path)
    copy = backups.make_backup(database, now=NOW, why="manual")
    link = tmp_path / "link.db"
    link.symlink_to(database)

    with pytest.raises(backups.RestoreRefused, match="symbolic link"):
        backups.restore(copy, link, now=NOW)

    assert link.is_symlink()


def test_restore_refuses_while_another_program_has_the_database_open(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path, "Backed up")
    copy = backups.make_backup(database, now=NOW, why="manual")
    engine = store.open_database(path=database)
    try:
        with Session(engine) as session:
            make_payer(session, name="Saved while open")

        assert main(["restore", str(copy), "--yes", "--db", str(database)]) == 1

        assert "open in officemgr somewhere" in capsys.readouterr().err
        with Session(engine) as session:
            make_payer(session, name="Still saved in the database")
    finally:
        engine.dispose()
    assert {"Saved while open", "Still saved in the database"} <= _payers(database)
    assert _temporaries(tmp_path, backups.folder_for(database)) == []


# --- item 11: encrypt and restore are audited in the database they leave ----------------------------------------


def test_encrypt_and_restore_write_audit_events(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)
    monkeypatch.setenv("OFFICEMGR_KEY", KEY)

    assert main(["encrypt", "--db", str(database)]) == 0

    entity, action, changes = _last_event(database, key=KEY)
    assert (entity, action) == ("database", "encrypt") and "before-encrypt" in changes
    copy = backups.make_backup(database, now=NOW, why="manual", key=KEY)
    assert main(["restore", str(copy), "--yes", "--db", str(database)]) == 0
    entity, action, changes = _last_event(database, key=KEY)
    assert (entity, action) == ("database", "restore") and str(copy) in changes
