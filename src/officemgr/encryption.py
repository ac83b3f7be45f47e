"""Encrypting a plain database at rest (SQLCipher), verified before the plain file is moved aside."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from officemgr import backups, dbfile, outfiles

MIN_KEY_LENGTH = 8


class EncryptRefused(Exception):
    """The database was not encrypted; the message says why. Nothing was changed."""


def encrypt_file(database: Path, *, key: str, now: datetime) -> Path:
    """Replace the plain `database` with an encrypted copy under `key`; returns where the plain original went."""
    if len(key.strip()) < MIN_KEY_LENGTH:
        raise EncryptRefused(f"choose a key of at least {MIN_KEY_LENGTH} characters")
    dbfile.set_aside_foreign_wal(database, key=None)  # the encrypted copy must not take in another database's WAL
    found = dbfile.check_file(database)
    if not found.readable or found.revision is None:
        raise EncryptRefused(f"{database} is not a plain officemgr database (is it encrypted already?)")
    if not found.ok:
        raise EncryptRefused(f"{database} fails its integrity check; run officemgr check")
    if dbfile.leave_wal_mode(database, key=None) != "done":
        raise EncryptRefused("the database is open in officemgr somewhere; close it on every workstation first")
    # Built under a private temporary name (0600 from its first byte), removed unless it is moved in.
    with backups.building(database) as encrypted:
        _export(database, encrypted, key)
        _verify(database, encrypted, key)
        folder = backups.folder_for(database)
        folder.mkdir(mode=0o700, exist_ok=True)
        plain_copy = folder / f"{database.stem}-{now:%Y-%m-%d-%H%M%S}-before-encrypt.db"
        # Linked, then replaced in one rename: a kill at any point leaves a whole database at its path.
        os.link(database, plain_copy)
        outfiles.publish(encrypted, database, force=True)
    return plain_copy


def _export(database: Path, encrypted: Path, key: str) -> None:
    import sqlcipher3

    conn = sqlcipher3.connect(str(database))
    try:
        conn.execute(f"ATTACH DATABASE ? AS encrypted KEY {dbfile.sql_literal(key)}", (str(encrypted),))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        # sqlcipher_export copies schema and rows but not the schema version number Alembic does not use;
        # user_version is copied by hand so the copy is the same database in every respect.
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()


def _verify(database: Path, encrypted: Path, key: str) -> None:
    """The encrypted copy opens with the key, passes its integrity check and holds as many rows in every table."""
    found = dbfile.check_file(encrypted, key=key)
    if not found.ok:
        raise EncryptRefused(f"the encrypted copy failed its check ({found.damage(1)})")
    if _row_counts(dbfile.connect(database, readonly=True)) != _row_counts(dbfile.connect(encrypted, key=key)):
        raise EncryptRefused("the encrypted copy does not hold every row")


def _row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}
    finally:
        conn.close()
