"""The audit log is tamper-evident: each event's hash chains it to the one before it, `officemgr check` finds the first
event changed or removed outside the app, INSERT OR REPLACE cannot rewrite one, and an open puts back guards someone
removed and says so."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from factories import NOW, TODAY
from officemgr import audit_chain, dbfile, store, transfer
from officemgr.cli import main
from officemgr.services.common import record
from officemgr.tui.app import make_app

ON = ["sqlite", "postgresql"]


def add(engine: Engine, count: int, *, actor: str = "ann", per_transaction: int = 1) -> None:
    """`count` events, `per_transaction` of them to each write (a write may log several)."""
    for start in range(0, count, per_transaction):
        with store.write_session(engine) as session:
            for n in range(start, min(count, start + per_transaction)):
                record(session, actor=actor, entity="claim", entity_id=n + 1, action="update",
                       changes={"status": ["submitted", f"paid {n}"]}, now=NOW + timedelta(minutes=n))
            session.commit()


def chain(engine: Engine) -> audit_chain.ChainCheck:
    raw = engine.raw_connection()
    try:
        return audit_chain.verify(raw, engine.dialect.name)
    finally:
        raw.close()


def stored(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(
            "SELECT id, at, actor, entity, entity_id, action, changes, hash FROM audit_event ORDER BY id")]


def guards(engine: Engine) -> list[audit_chain.GuardProblem]:
    raw = engine.raw_connection()
    try:
        return audit_chain.guard_problems(raw, engine.dialect.name)
    finally:
        raw.close()


@pytest.fixture(params=ON)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new practice database's URL (opened as the app opens it), on each engine in turn."""
    if request.param == "sqlite":
        return store.sqlite_url(tmp_path / "office.db")
    server_url: str = request.getfixturevalue("server_url")
    return server_url


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    """A practice file holding five events, closed (the tests tamper with it as another program would)."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    add(engine, 5)
    engine.dispose()
    yield path


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


DROP_GUARDS = ("DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete",
               "DROP TRIGGER audit_event_no_replace")
PUT_GUARDS_BACK = tuple(audit_chain.SQLITE_GUARDS.values())


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "officemgr.cli", "--db", str(path), "check"],
                          capture_output=True, text=True, timeout=120)


# --- the chain ------------------------------------------------------------------------------------------------------


def test_each_event_is_hashed_over_its_fields_and_the_hash_before_it(engine: Engine) -> None:
    add(engine, 3, per_transaction=3)  # one write, three events: chained in id order
    add(engine, 2)
    rows = stored(engine)
    previous = audit_chain.GENESIS
    for _id, at, actor, entity, entity_id, action, changes, digest in rows:
        previous = audit_chain.event_hash(previous, at, actor, entity, entity_id, action, changes)
        assert digest == previous and len(digest) == 64
    assert len({row[-1] for row in rows}) == 5
    assert chain(engine) == audit_chain.ChainCheck(events=5)
    assert chain(engine).lines() == ["5 events, the chain and its guards are intact"]


def test_the_log_is_read_a_page_at_a_time_in_id_order(engine: Engine) -> None:
    add(engine, 5, per_transaction=5)
    raw = engine.raw_connection()
    try:
        ids = [row[0] for row in audit_chain.events(raw, columns="id", page=2)]
    finally:
        raw.close()
    assert ids == [row[0] for row in stored(engine)] and len(ids) == 5


def test_two_workstations_writing_at_once_keep_one_chain(two: tuple[Engine, Engine]) -> None:
    writers = [threading.Thread(target=add, args=(engine, 15), kwargs={"actor": name})
               for engine, name in zip(two, ("ann", "bob"), strict=True)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert chain(two[0]) == audit_chain.ChainCheck(events=30)


def test_a_changed_event_is_named_on_either_engine(url: str) -> None:
    engine = store.open_database(url=url)
    try:
        add(engine, 5)
        ids = [row[0] for row in stored(engine)]
        guard = "audit_event_no_update" if engine.dialect.name == "sqlite" else "audit_event_no_change ON audit_event"
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TRIGGER {guard}")
            conn.execute(text("UPDATE audit_event SET changes = '{\"status\": [\"submitted\", \"denied\"]}' "
                              "WHERE id = :id"), {"id": ids[2]})
        found = chain(engine)
        assert found.broken == audit_chain.Broken(
            ids[2], "does not match its hash: it, or the event before it, was changed outside officemgr")
        assert [problem.what for problem in found.guards] == ["missing"] and not found.ok
    finally:
        engine.dispose()


def test_check_on_the_server_verifies_the_chain_and_exits_1_when_broken(server_url: str,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    engine = store.open_database(url=server_url)
    try:
        add(engine, 3)
        assert main(["check", "--url", server_url]) == 0
        assert "  audit log: 3 events, the chain and its guards are intact" in capsys.readouterr().out
        ids = [row[0] for row in stored(engine)]
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
            conn.exec_driver_sql(f"UPDATE audit_event SET actor = 'someone else' WHERE id = {ids[1]}")
            conn.exec_driver_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
    finally:
        engine.dispose()

    assert main(["check", "--url", server_url]) == 1

    said = capsys.readouterr()
    assert f"  audit log: event {ids[1]} does not match its hash" in said.out
    assert said.err.startswith("officemgr: the audit log was changed outside officemgr")


def test_check_names_an_event_changed_behind_the_guards_and_exits_1(db: Path) -> None:
    before = check(db)
    assert before.returncode == 0 and "  audit log: 5 events, the chain and its guards are intact" in before.stdout
    # Another program drops the guards, edits event 3, and puts the guards back: only the chain can tell.
    tamper(db, *DROP_GUARDS, "UPDATE audit_event SET changes = '{}' WHERE id = 3", *PUT_GUARDS_BACK)

    done = check(db)

    assert done.returncode == 1
    assert ("  audit log: event 3 does not match its hash: it, or the event before it, was changed outside officemgr"
            in done.stdout.splitlines())
    assert done.stderr.startswith("officemgr: the audit log was changed outside officemgr")
    assert done.stderr.endswith("officemgr: the database needs attention (check changed nothing)\n")
    assert "Traceback" not in done.stderr and "is damaged" not in done.stderr


def test_check_names_the_event_after_a_removed_one(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(db, *DROP_GUARDS, "DELETE FROM audit_event WHERE id = 3", *PUT_GUARDS_BACK)

    assert main(["--db", str(db), "check"]) == 1

    assert ("  audit log: event 4 does not follow event 2: the events between them were removed, or event 4 was "
            "changed") in capsys.readouterr().out.splitlines()


def test_an_event_slipped_in_by_another_program_is_named(db: Path) -> None:
    tamper(db, "INSERT INTO audit_event (at, actor, entity, entity_id, action, changes) "
               "VALUES ('2026-11-23 09:00:00.000000', 'ann', 'claim', 1, 'update', '{}')")

    found = dbfile.check_file(db)

    assert found.audit is not None and found.audit.broken == audit_chain.Broken(
        6, "has no hash: another program added it")
    assert not found.ok


def test_check_reports_missing_changed_and_foreign_triggers(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(db, "DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete",
           "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT 1; END",
           "CREATE TRIGGER hide BEFORE INSERT ON audit_event BEGIN SELECT RAISE(IGNORE); END")

    assert main(["--db", str(db), "check"]) == 1

    lines = [line for line in capsys.readouterr().out.splitlines() if "audit log" in line]
    assert lines == [
        "  audit log: its guard audit_event_no_delete is changed (the app puts it back when it opens the database)",
        "  audit log: its guard audit_event_no_update is missing (the app puts it back when it opens the database)",
        "  audit log: a trigger that is not officemgr's (hide) is on the audit log (the app removes it when it "
        "opens the database)",
    ]


def test_an_older_file_is_not_called_broken(db: Path) -> None:
    engine = store.create_engine_for(store.sqlite_url(db))
    with engine.begin() as conn:
        command.downgrade(store._alembic_config(conn), "0014")
    engine.dispose()

    found = dbfile.check_file(db)

    assert found.ok and found.audit is not None and not found.audit.chained
    assert found.audit.lines() == ["5 events, not chained yet (an older schema: the app adds the chain when it opens "
                                   "this database)"]


# --- REPLACE cannot rewrite an event --------------------------------------------------------------------------------

REWRITES = {
    "sqlite": ["INSERT OR REPLACE INTO audit_event (id, at, actor, entity, entity_id, action, changes, hash) "
               "VALUES (1, '2026-11-23 09:00:00.000000', 'mallory', 'claim', 1, 'update', '{}', '')",
               "REPLACE INTO audit_event (id, at, actor, entity, entity_id, action, changes) "
               "VALUES (2, '2026-11-23 09:00:00.000000', 'mallory', 'claim', 1, 'update', '{}')"],
    "postgresql": ["INSERT INTO audit_event (id, at, actor, entity, entity_id, action, changes, hash) "
                   "VALUES (1, '2026-11-23 09:00:00', 'mallory', 'claim', 1, 'update', '{}', '') "
                   "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'"],
}


def test_replacing_an_event_is_refused(practice_engine: Engine) -> None:
    _refuses_rewrites(practice_engine)


def test_a_new_database_from_the_models_refuses_it_too(engine: Engine) -> None:
    _refuses_rewrites(engine)


def _refuses_rewrites(engine: Engine) -> None:
    add(engine, 2)
    before = stored(engine)
    for sql in REWRITES[engine.dialect.name]:
        with engine.connect() as conn, pytest.raises(DatabaseError, match=audit_chain.REFUSAL):
            conn.exec_driver_sql(sql)
            conn.commit()
    assert stored(engine) == before
    add(engine, 1)  # the guard lets the app's own inserts through
    assert chain(engine).ok and len(stored(engine)) == 3


# --- an open puts the guards back and says so -----------------------------------------------------------------------

def _remove_guards(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for sql in DROP_GUARDS:
                conn.exec_driver_sql(sql)
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_change ON audit_event")
            conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate")


def test_an_open_puts_removed_guards_back_logs_it_and_says_so(url: str) -> None:
    engine = store.open_database(url=url)
    add(engine, 3)
    _remove_guards(engine)
    assert guards(engine) and audit_chain.notices(engine) == []
    engine.dispose()

    engine = store.open_database(url=url)
    try:
        assert guards(engine) == []
        [notice] = audit_chain.notices(engine)
        assert notice.startswith("The audit log was tampered with: its guard audit_event_no_")
        assert "run officemgr check" in notice
        *_, (_id, _at, actor, entity, entity_id, action, changes, _hash) = stored(engine)
        expected = ({"audit_event_no_delete": "missing", "audit_event_no_replace": "missing",
                     "audit_event_no_update": "missing"} if engine.dialect.name == "sqlite" else
                    {"audit_event_no_change": "missing", "audit_event_no_truncate": "changed"})
        assert (actor, entity, entity_id, action, json.loads(changes)) == (
            "officemgr", "audit_log", 0, "guards_restored", expected)
        assert chain(engine) == audit_chain.ChainCheck(events=4)
        add(engine, 1)  # the app's next event follows the one the open appended
        assert chain(engine) == audit_chain.ChainCheck(events=5)
        with engine.connect() as conn, pytest.raises(DatabaseError, match=audit_chain.REFUSAL):
            conn.exec_driver_sql("DELETE FROM audit_event")
    finally:
        engine.dispose()
    again = store.open_database(url=url)
    try:
        assert audit_chain.notices(again) == [] and len(stored(again)) == 5
    finally:
        again.dispose()


def test_a_command_says_on_stderr_that_it_put_the_guards_back(db: Path) -> None:
    tamper(db, *DROP_GUARDS)
    done = subprocess.run([sys.executable, "-m", "officemgr.cli", "report", "audit", "--from", "2026-01-01",
                           "--to", "2026-12-31", "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "officemgr: The audit log was tampered with" in done.stderr
    assert "tampered" not in done.stdout


def test_an_open_replaces_a_changed_guard_and_drops_a_foreign_trigger(db: Path) -> None:
    tamper(db, "DROP TRIGGER audit_event_no_delete",
           "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT 1; END",
           "CREATE TRIGGER hide BEFORE INSERT ON audit_event BEGIN SELECT RAISE(IGNORE); END")
    engine = store.open_database(path=db)
    try:
        [notice] = audit_chain.notices(engine)
        assert "its guard audit_event_no_delete is changed; a trigger that is not officemgr's (hide)" in notice
        add(engine, 1)  # the foreign trigger would have dropped it
        assert len(stored(engine)) == 7 and chain(engine) == audit_chain.ChainCheck(events=7)
    finally:
        engine.dispose()


async def test_the_app_shows_the_notice_when_it_starts(db: Path) -> None:
    tamper(db, "DROP TRIGGER audit_event_no_update")
    engine = store.open_database(path=db)
    try:
        app = make_app(engine, today=TODAY)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            shown = [(n.title, n.message, n.severity) for n in app._notifications]
        assert shown == [("Audit log", audit_chain.notices(engine)[0], "error")]
        assert "its guard audit_event_no_update is missing" in shown[0][1]
    finally:
        engine.dispose()


# --- the migration, the demo and a copy -----------------------------------------------------------------------------

def test_migration_0015_chains_the_events_already_there(blank_engine: Engine) -> None:
    store.migrate(blank_engine)
    add(blank_engine, 4, per_transaction=2)
    hashes = [row[-1] for row in stored(blank_engine)]
    with blank_engine.begin() as conn:
        command.downgrade(store._alembic_config(conn), "0014")
    assert [len(row) for row in stored_without_hash(blank_engine)] == [7] * 4

    store.migrate(blank_engine)

    assert [row[-1] for row in stored(blank_engine)] == hashes
    assert chain(blank_engine) == audit_chain.ChainCheck(events=4)
    assert audit_chain.notices(blank_engine) == []  # the migration put every guard back


def stored_without_hash(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(
            "SELECT id, at, actor, entity, entity_id, action, changes FROM audit_event ORDER BY id")]


def test_the_demo_writes_a_valid_chain(demo_engine: Engine) -> None:
    found = chain(demo_engine)
    assert found.ok and found.events > 1000


def test_a_copy_keeps_every_hash_and_chains_its_own_event(sqlite_demo_engine: Engine, tmp_path: Path) -> None:
    target = store.open_database(path=tmp_path / "copy.db")
    try:
        transfer.copy_database(sqlite_demo_engine, target, actor="ann", now=NOW, origin="office.db")
        source, copied = stored(sqlite_demo_engine), stored(target)
        assert copied[:-1] == source and copied[-1][5] == "copy"
        assert chain(target) == audit_chain.ChainCheck(events=len(source) + 1)
    finally:
        target.dispose()
