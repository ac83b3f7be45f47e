from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from factories import make_patient
from officemgr import store
from officemgr.models import Patient

# These tests are about the migrations themselves: every new database runs them all.
pytestmark = pytest.mark.real_migrations


def alembic_head() -> str:
    config = Config()
    config.set_main_option("script_location", str(store.MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "office.db"


def test_open_database_creates_a_private_wal_database_at_the_head_revision(db_path):
    engine = store.open_database(path=db_path)
    try:
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.BUSY_TIMEOUT_MS
        assert store.schema_revision(engine) == alembic_head()
    finally:
        engine.dispose()


def test_reopening_keeps_the_data(db_path):
    engine = store.open_database(path=db_path)
    with store.write_session(engine) as session:
        patient = make_patient(session, last_name="Kept")
    engine.dispose()

    engine = store.open_database(path=db_path)
    try:
        with store.read_session(engine) as session:
            assert [p.id for p in session.exec(select(Patient).where(Patient.last_name == "Kept"))] == [patient.id]
        assert store.schema_revision(engine) == alembic_head()
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    finally:
        engine.dispose()


def test_open_database_by_url(db_path):
    engine = store.open_database(url=store.sqlite_url(db_path))
    try:
        assert store.schema_revision(engine) == alembic_head()
    finally:
        engine.dispose()
    assert db_path.exists()


def test_foreign_keys_are_enforced(db_path):
    engine = store.open_database(path=db_path)
    try:
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            with engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO appointment (version, patient_id, provider_id, type_id, start, \"end\", status,"
                    " reason, note) VALUES (1, 99, 99, 99, '2026-11-23 09:00:00', '2026-11-23 09:15:00', 'booked',"
                    " '', '')"))
    finally:
        engine.dispose()


def test_a_file_that_is_not_a_database_is_refused_and_left_unchanged(db_path):
    content = b"Patient list, do not lose\n" * 200
    db_path.write_bytes(content)

    with pytest.raises(store.StoreError) as refused:
        store.open_database(path=db_path)

    assert "is not a readable officemgr database" in str(refused.value)
    assert db_path.read_bytes() == content


def _set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def test_a_database_from_a_newer_version_is_refused_and_left_unchanged(db_path):
    store.open_database(path=db_path).dispose()
    _set_revision(db_path, "9999_from_the_future")
    before = db_path.read_bytes()

    with pytest.raises(store.StoreError) as refused:
        store.open_database(path=db_path)

    message = str(refused.value)
    assert "newer version of officemgr" in message and "9999_from_the_future" in message
    assert "left untouched" in message
    assert db_path.read_bytes() == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999_from_the_future",)]
    conn.close()


def test_a_database_with_foreign_tables_is_refused_and_left_unchanged(db_path):
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        conn.execute("INSERT INTO invoices (total) VALUES (42)")
    conn.close()
    before = db_path.read_bytes()

    with pytest.raises(store.StoreError) as refused:
        store.open_database(path=db_path)

    assert "tables that are not officemgr's" in str(refused.value)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("invoices",)]
    conn.close()
    assert db_path.read_bytes() == before


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.open_database(path=tmp_path / "nowhere" / "office.db")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("url", ["not a url at all", "postgresql+psycopg://office:s3cret@server:port/office"])
def test_a_bad_url_is_refused_without_echoing_it(url):
    with pytest.raises(store.StoreError, match="is not a database URL") as refused:
        store.create_engine_for(url)
    assert "s3cret" not in str(refused.value)


def test_the_migration_produces_the_models_schema(blank_engine):
    store.migrate(blank_engine)
    with blank_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
        tables = set(inspect(conn).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_the_newest_migration_goes_down_and_up_again(blank_engine):
    store.migrate(blank_engine)
    with blank_engine.begin() as conn:
        command.downgrade(store._alembic_config(conn), "-1")
    assert store.schema_revision(blank_engine) != store.SCHEMA_HEAD
    store.migrate(blank_engine)
    assert store.schema_revision(blank_engine) == store.SCHEMA_HEAD
    with blank_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata) == []


def test_migrate_twice_is_a_no_op():
    engine = store.create_engine_for("sqlite://")
    try:
        store.migrate(engine)
        store.migrate(engine)
        assert store.schema_revision(engine) == alembic_head()
    finally:
        engine.dispose()


def _other_connection(path: Path) -> sqlite3.Connection:
    """A second writer that gives up after 0.1 s instead of waiting out the busy timeout."""
    return sqlite3.connect(path, timeout=0.1, isolation_level=None)


def test_a_write_session_takes_the_write_lock_at_begin(db_path):
    engine = store.open_database(path=db_path)
    other = _other_connection(db_path)
    try:
        # a read session does not block writers
        with store.read_session(engine) as session:
            session.exec(select(Patient)).all()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        # a write session holds the write lock from its first statement, before it writes anything
        with store.write_session(engine) as session:
            session.exec(select(Patient)).all()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            session.rollback()
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_an_uncommitted_write_blocks_a_second_writer_until_commit(db_path):
    engine = store.open_database(path=db_path)
    other = _other_connection(db_path)
    try:
        with store.write_session(engine) as session:
            session.add(Patient(first_name="Ada", last_name="Lovelace", dob=date(1980, 5, 17)))
            session.flush()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            # readers still see the last committed state (WAL)
            assert other.execute("SELECT count(*) FROM patient").fetchone() == (0,)
            session.commit()
        other.execute("BEGIN IMMEDIATE")
        assert other.execute("SELECT count(*) FROM patient").fetchone() == (1,)
        other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_schema_head_is_the_newest_migration():
    # The fast open trusts SCHEMA_HEAD: a new migration that forgot it would never run on existing databases.
    assert store.SCHEMA_HEAD == alembic_head()


def test_reopening_a_current_database_does_not_load_alembic(db_path):
    store.open_database(path=db_path).dispose()
    code = ("import sys; from officemgr import store; store.open_database(path=sys.argv[1]).dispose(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    out = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_database_one_revision_behind_is_still_upgraded(db_path):
    engine = store.open_database(path=db_path)
    with engine.begin() as conn:
        command.downgrade(store._alembic_config(conn), "-1")
    engine.dispose()
    engine = store.open_database(path=db_path)
    try:
        assert store.schema_revision(engine) == store.SCHEMA_HEAD
        with engine.connect() as conn:
            triggers = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'").scalars())
            action = next(c for c in inspect(conn).get_columns("audit_event") if c["name"] == "action")
        # The upgrade from one revision behind keeps the audit log's guards (0015 drops and puts them back).
        assert action["type"].length == 40
        assert triggers == {"audit_event_no_update", "audit_event_no_delete", "audit_event_no_replace"}
    finally:
        engine.dispose()
