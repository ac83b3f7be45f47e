"""Encryption at rest: SQLCipher files opened with a key, a plain database converted, backups kept encrypted."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from factories import make_payer
from officemgr import backups, dbfile, encryption, store
from officemgr.cli import main
from officemgr.models import Payer

KEY = "correct horse battery"
NOW = datetime(2026, 11, 23, 7, 45)


def _names(engine) -> set[str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {p.name for p in session.exec(select(Payer))}


def _plain(tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with Session(engine) as session:
        make_payer(session, name="Aetna")
        make_payer(session, name="Cigna")
    engine.dispose()
    return path


def _plain_sqlite_reads(path: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.DatabaseError:
        return False


def test_a_new_database_opened_with_a_key_is_encrypted_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    engine = store.open_database(path=path, key=KEY)
    with Session(engine) as session:
        make_payer(session, name="Blue Shield")
    engine.dispose()

    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert not _plain_sqlite_reads(path)
    assert b"Blue Shield" not in path.read_bytes()
    engine = store.open_database(path=path, key=KEY)
    assert _names(engine) == {"Blue Shield"}
    assert store.schema_revision(engine) == store.head_revision()
    engine.dispose()


def test_a_wrong_key_is_refused_in_words_and_the_file_is_unchanged(tmp_path: Path, capfd) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "secret.db"
    store.open_database(path=path, key=KEY).dispose()
    before = path.read_bytes()

    with pytest.raises(store.StoreError, match="the key does not open"):
        store.open_database(path=path, key="not the key")
    with pytest.raises(store.StoreError, match="--encrypt"):
        store.open_database(path=path)  # no key at all

    assert path.read_bytes() == before
    assert "ERROR CORE" not in capfd.readouterr().err  # SQLCipher's own log stays quiet


def test_the_plain_default_still_works_beside_an_encrypted_one(tmp_path: Path) -> None:
    plain = _plain(tmp_path)
    engine = store.open_database(path=plain)
    assert _names(engine) == {"Aetna", "Cigna"}
    engine.dispose()
    assert _plain_sqlite_reads(plain)


def test_encrypting_a_plain_database_keeps_every_row_and_moves_the_original_aside(tmp_path: Path) -> None:
    plain = _plain(tmp_path)

    original = encryption.encrypt_file(plain, key=KEY, now=NOW)

    assert not _plain_sqlite_reads(plain)
    engine = store.open_database(path=plain, key=KEY)
    assert _names(engine) == {"Aetna", "Cigna"}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    assert original == backups.folder_for(plain) / "office-2026-11-23-074500-before-encrypt.db"
    assert _plain_sqlite_reads(original)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary copy left


@pytest.mark.parametrize("case", ["short key", "already encrypted", "open elsewhere"])
def test_encrypt_refuses_and_changes_nothing(tmp_path: Path, case: str) -> None:
    plain = _plain(tmp_path)
    key = KEY
    holder = None
    if case == "short key":
        key = "1234"
    elif case == "already encrypted":
        encryption.encrypt_file(plain, key=KEY, now=NOW)
    else:
        holder = store.open_database(path=plain)
        holder.connect().close()  # the pool keeps the connection open, as a running app does
    before = plain.read_bytes()
    try:
        with pytest.raises(encryption.EncryptRefused):
            encryption.encrypt_file(plain, key=key, now=NOW)
    finally:
        if holder is not None:
            holder.dispose()
    assert plain.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary copy left


def test_backups_of_an_encrypted_database_are_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    engine = store.open_database(path=path, key=KEY)
    with Session(engine) as session:
        make_payer(session, name="Humana")
    engine.dispose()

    copy = backups.daily_backup(path, now=NOW, key=KEY)

    assert copy is not None and not _plain_sqlite_reads(copy)
    assert dbfile.check_file(copy, key=KEY).ok
    assert backups.newest_good(path, key=KEY) == (NOW, copy)


def test_cli_encrypt_then_open_with_the_key_from_the_environment(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    plain = _plain(tmp_path)
    monkeypatch.setenv("OFFICEMGR_KEY", KEY)

    assert main(["encrypt", "--db", str(plain)]) == 0
    assert "kept as" in capsys.readouterr().out
    assert main(["check", "--db", str(plain)]) == 0
    assert "integrity: ok" in capsys.readouterr().out

    monkeypatch.setenv("OFFICEMGR_KEY", "a different key")
    assert main(["huddle", "--db", str(plain), "--today", "2026-11-23"]) == 2
    assert "the key does not open" in capsys.readouterr().err


def test_cli_encrypt_asks_the_key_once_per_command(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "secret.db"
    store.open_database(path=path, key=KEY).dispose()
    monkeypatch.delenv("OFFICEMGR_KEY", raising=False)
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or KEY)

    assert main(["huddle", "--encrypt", "--db", str(path), "--today", "2026-11-23"]) == 0
    assert asked == ["Database key: "]


def test_cli_encrypt_refuses_two_different_keys(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    plain = _plain(tmp_path)
    before = plain.read_bytes()
    monkeypatch.delenv("OFFICEMGR_KEY", raising=False)
    answers = iter(["first key 123", "second key 456"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    assert main(["encrypt", "--db", str(plain)]) == 1
    assert "differ" in capsys.readouterr().err
    assert plain.read_bytes() == before


def test_restore_of_an_encrypted_backup(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    engine = store.open_database(path=path, key=KEY)
    with Session(engine) as session:
        make_payer(session, name="Kept")
    engine.dispose()
    copy = backups.make_backup(path, now=NOW, why="manual", key=KEY)
    engine = store.open_database(path=path, key=KEY)
    with Session(engine) as session:
        make_payer(session, name="Later")
    engine.dispose()

    backups.restore(copy, path, now=NOW, key=KEY)

    engine = store.open_database(path=path, key=KEY)
    assert _names(engine) == {"Kept"}
    engine.dispose()
