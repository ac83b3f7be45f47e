"""`officemgr copy`: a practice moved into a new, empty database with every row and the audit log, or not at all."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from factories import NOW, make_payer
from officemgr import store, transfer
from officemgr.cli import main
from officemgr.models import AuditEvent, Payer, PayerCreate
from officemgr.models.audit import REFUSAL
from officemgr.services import payers

KEY = "correct horse battery"


@pytest.fixture
def source(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the small demo practice's file (the shared one stays as built)."""
    path = tmp_path / "office.db"
    shutil.copy(demo_db, path)
    return path


def contents(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, in key order."""
    engine = store.create_engine_for(url)
    try:
        with engine.connect() as conn:
            return {table.name: [tuple(row) for row in conn.execute(
                select(table).order_by(*table.primary_key.columns))] for table in transfer.tables()}
    finally:
        engine.dispose()


def copied(before: dict[str, list[tuple]], after: dict[str, list[tuple]], origin: str) -> bool:
    """`after` is `before` plus the copy's own audit event at the end, naming where the rows came from."""
    *log, event = after["audit_event"]
    assert (event[3], event[5], json.loads(event[6])["from"]) == ("database", "copy", origin)
    assert json.loads(event[6])["rows"] == sum(map(len, before.values()))
    return {**after, "audit_event": log} == before


def counts(url: str) -> dict[str, int]:
    return {name: len(rows) for name, rows in contents(url).items() if rows}


def test_copy_to_a_new_file_holds_every_row_and_the_audit_log(source: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "copy.db"

    assert main(["copy", "--from", str(source), "--to", str(target)]) == 0

    before, after = contents(store.sqlite_url(source)), contents(store.sqlite_url(target))
    assert copied(before, after, str(source))
    assert len(after["audit_event"]) > 1000 and len(after["appointment"]) > 1000
    out = capsys.readouterr().out
    assert f"Copied {source} to {target}" in out
    assert re.search(rf"\n  audit event +{len(before['audit_event']):,}\n", out)
    assert f"{sum(map(len, before.values())):,} rows in" in out and "counts verified" in out


def test_copy_to_the_server_keeps_ids_and_moves_the_sequences(source: Path, server_url: str) -> None:
    assert main(["copy", "--from", str(source), "--to", server_url]) == 0

    assert copied(contents(store.sqlite_url(source)), contents(server_url), str(source))
    engine = store.open_database(url=server_url)
    try:
        with store.read_session(engine) as session:
            last_payer = max(session.exec(select(Payer.id)).scalars())
            last_event = max(session.exec(select(AuditEvent.id)).scalars())
        with store.write_session(engine) as session:
            payer = payers.add_payer(session, PayerCreate(name="Tricare West", timely_filing_days=365), now=NOW,
                                     actor="manager")
        assert payer.id == last_payer + 1
        with store.read_session(engine) as session:
            assert max(session.exec(select(AuditEvent.id)).scalars()) == last_event + 1  # the payer's
        with engine.begin() as conn, pytest.raises(DBAPIError, match=REFUSAL):
            conn.execute(update(AuditEvent).where(AuditEvent.id == 1).values(actor="someone else"))
    finally:
        engine.dispose()


def test_an_encrypted_file_copies_to_the_server_with_its_key(tmp_path: Path, server_url: str, monkeypatch,  # type: ignore[no-untyped-def]
                                                             capsys) -> None:
    secret = tmp_path / "secret.db"
    engine = store.open_database(path=secret, key=KEY)
    with store.write_session(engine) as session:
        make_payer(session, name="Aetna")
    engine.dispose()
    monkeypatch.setenv("OFFICEMGR_KEY", KEY)

    assert main(["copy", "--from", str(secret), "--to", server_url]) == 0, capsys.readouterr().err

    assert [row[2] for row in contents(server_url)["payer"]] == ["Aetna"]


def test_a_target_that_holds_rows_is_refused_and_left_as_it_was(source: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "in-use.db"
    engine = store.open_database(path=target)
    with store.write_session(engine) as session:
        make_payer(session, name="Aetna")
    engine.dispose()
    before = contents(store.sqlite_url(target))

    assert main(["copy", "--from", str(source), "--to", str(target)]) == 1

    notice, refusal = capsys.readouterr().err.splitlines()
    # A demo practice is copied as its demo manager, said once.
    assert notice == "officemgr: demo database: acting as the demo manager (manager); pass --user to act as another"
    assert refusal.startswith("officemgr: the target already holds 1 row in payer: copy only into a new, empty "
                              "database")
    # The seeded reason codes the copy replaces are back too: the whole transaction was rolled back.
    assert contents(store.sqlite_url(target)) == before
    assert len(before["carc_code"]) > 0


@pytest.mark.parametrize("on", ["sqlite", "postgresql"])
def test_counts_that_differ_roll_the_whole_copy_back(on: str, source: Path, tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                     request, capsys) -> None:
    target = str(tmp_path / "copy.db") if on == "sqlite" else request.getfixturevalue("server_url")
    url = store.sqlite_url(target) if on == "sqlite" else target
    real = transfer.count_rows

    def miscount(conn, table):  # type: ignore[no-untyped-def]
        found = real(conn, table)
        return found + 1 if table.name == "patient" and found else found

    monkeypatch.setattr(transfer, "count_rows", miscount)

    assert main(["copy", "--from", str(source), "--to", target]) == 1

    assert "the counts of patient differ (source 81, copied 80, target 81); nothing was kept" in capsys.readouterr().err
    assert counts(url) == {"carc_code": 28}


def test_a_new_database_holds_rows_only_in_the_seeded_tables(tmp_path: Path) -> None:
    # The emptiness check lets these through (and the copy replaces them); any other seeded table would be refused.
    store.open_database(path=tmp_path / "new.db").dispose()

    assert set(counts(store.sqlite_url(tmp_path / "new.db"))) == transfer.SEEDED


def test_a_missing_source_is_refused_and_no_file_is_created(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    missing, target = tmp_path / "ofice.db", tmp_path / "copy.db"

    assert main(["copy", "--from", str(missing), "--to", str(target)]) == 1

    assert capsys.readouterr().err == f"officemgr: there is no database {missing}; nothing was copied\n"
    assert not missing.exists() and not target.exists()


@pytest.mark.parametrize("first, second", [
    ("{dir}/office.db", "sqlite:///{dir}/sub/../office.db"),
    ("postgresql+psycopg://manager@localhost/office", "postgresql+psycopg://manager:pw@127.0.0.1:5432/office"),
])
def test_the_same_database_on_both_sides_is_refused(first: str, second: str, source: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (source.parent / "sub").mkdir()
    first, second = (text.format(dir=source.parent) for text in (first, second))
    before = source.read_bytes()

    assert main(["copy", "--from", first, "--to", second]) == 1

    assert "--from and --to both name" in capsys.readouterr().err
    assert source.read_bytes() == before


@pytest.mark.parametrize("argv, code, says", [
    (["--to", "mysql://manager@server/office"], 1, "officemgr runs on SQLite or PostgreSQL, not mysql"),
    (["--to", "postgresql+psycopg://manager@127.0.0.1:1/office"], 1, "cannot reach the PostgreSQL server"),
    (["--to", "postgresql+psycopg://manager@server:port/office"], 2, "--to is neither a database URL"),
    (["--to", "sqlite://"], 2, "--to names no file"),
    (["--to", "{dir}/copy.db", "--db", "{dir}/office.db"], 2, "not --db or --url"),
])
def test_a_bad_target_is_refused_in_words(argv: list[str], code: int, says: str, source: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = [arg.format(dir=source.parent) for arg in argv]

    assert main(["copy", "--from", str(source), *argv]) == code

    err = capsys.readouterr().err
    assert err.startswith("officemgr: ") and says in err and "Traceback" not in err
    assert not (source.parent / "copy.db").exists()


def test_text_is_copied_as_stored_not_as_shown(source: Path, tmp_path: Path) -> None:
    """A name another program stored with an ESC in it reads back spelled out, but the copy holds the stored bytes
    (and so its audit chain still verifies)."""
    import sqlite3

    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE payer SET name = 'Acme\x1b[2J' WHERE id = (SELECT min(id) FROM payer)")
    target = tmp_path / "copy.db"

    assert main(["copy", "--from", str(source), "--to", str(target)]) == 0

    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name FROM payer ORDER BY id LIMIT 1").fetchone() == ("Acme\x1b[2J",)
    engine = store.create_engine_for(store.sqlite_url(target))
    try:
        with engine.connect() as conn:
            assert conn.execute(select(Payer.name).order_by(Payer.id).limit(1)).scalar_one() == "Acme\\x1b[2J"
    finally:
        engine.dispose()
