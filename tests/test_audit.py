"""The audit log: paging and filtering, the readable changes, the read-only table, export events, `report audit`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from factories import NOW, TODAY, audit_events, make_provider
from officemgr import store
from officemgr.cli import main
from officemgr.models import AuditEvent, UserRole
from officemgr.services import audit
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.audit import AuditFilter, audit_page
from officemgr.services.common import ServiceError, record

START = datetime(2026, 11, 1, 8, 0)


def add_events(session: Session, count: int, *, same_time_every: int = 1) -> None:
    """`count` events, an hour apart except that each run of `same_time_every` shares one time (ties by id)."""
    for i in range(count):
        record(session, actor=("ann", "bob", "cy")[i % 3], entity=("claim", "item")[i % 2], entity_id=i % 5 + 1,
               action="update", changes={"n": [i, i + 1]}, now=START + timedelta(hours=i // same_time_every))
    session.commit()


def all_ids(session: Session) -> list[int]:
    """Every event id, newest first, as the viewer orders them."""
    return [e.id for e in session.exec(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))]


# --- paging -------------------------------------------------------------------------------------------


def test_pages_walk_every_event_once_newest_first_across_equal_times(session: Session) -> None:
    add_events(session, 120, same_time_every=7)  # pages end in the middle of runs of equal times
    pages, before = [], None
    while True:
        page = audit_page(session, AuditFilter(), before=before, limit=50, actor="tests")
        pages.append(page)
        if not page.rows:
            break
        before = page.rows[-1].key
    assert [len(p.rows) for p in pages] == [50, 50, 20, 0]
    assert {p.total for p in pages} == {120}
    assert [r.id for p in pages for r in p.rows] == all_ids(session)


def test_a_page_in_the_middle_starts_right_after_the_key(session: Session) -> None:
    add_events(session, 30, same_time_every=3)
    ids = all_ids(session)
    first = audit_page(session, AuditFilter(), limit=10, actor="tests")
    middle = audit_page(session, AuditFilter(), before=first.rows[-1].key, limit=10, actor="tests")
    assert [r.id for r in middle.rows] == ids[10:20]


def test_filters_by_record_person_and_inclusive_dates(session: Session) -> None:
    add_events(session, 60)  # one an hour from 11/01 08:00 to 11/03 19:00
    claim3 = audit_page(session, AuditFilter(entity="claim", entity_id=3), actor="tests")
    assert claim3.total == 6 and {(r.entity, r.entity_id) for r in claim3.rows} == {("claim", 3)}
    bob = audit_page(session, AuditFilter(actor="bob"), actor="tests")
    assert bob.total == 20 and {r.actor for r in bob.rows} == {"bob"}
    second = audit_page(session, AuditFilter(since=date(2026, 11, 2), until=date(2026, 11, 2)), actor="tests")
    assert second.total == 24 and {r.at.date() for r in second.rows} == {date(2026, 11, 2)}
    assert audit_page(session, AuditFilter(since=date(2026, 11, 3)), actor="tests").total == 60 - 16 - 24
    assert audit_page(session, AuditFilter(until=date(2026, 11, 1)), actor="tests").total == 16
    both = audit_page(session, AuditFilter(entity="item", actor="bob", since=date(2026, 11, 2)), actor="tests")
    assert both.total == 7 and all(r.entity == "item" and r.actor == "bob" for r in both.rows)


def test_the_person_filter_takes_a_login_from_every_workstation_and_older_bare_names(session: Session) -> None:
    for i, who in enumerate(["bob", "bob@desk1", "bob@back-office", "bobby@desk1", "bo@desk1", "bob.k@desk2",
                             "bob@desk1"]):
        record(session, actor=who, entity="item", entity_id=1, action="update", changes={"n": [i, i + 1]},
               now=START + timedelta(minutes=i))
    session.commit()
    bob = audit_page(session, AuditFilter(actor="bob"), actor="tests")
    assert bob.total == 4
    assert sorted(r.actor for r in bob.rows) == ["bob", "bob@back-office", "bob@desk1", "bob@desk1"]
    # A "who" with its workstation is that one only.
    assert audit_page(session, AuditFilter(actor="bob@desk1"), actor="tests").total == 2
    assert [r.actor for r in audit_page(session, AuditFilter(actor="bo"), actor="tests").rows] == ["bo@desk1"]
    rows = audit.audit_rows(session, date(2026, 11, 1), date(2026, 11, 1), actor="tests", person="bob")
    assert {r.actor for r in rows} == {"bob", "bob@desk1", "bob@back-office"}
    # The filter form offers each person once, whatever workstations they wrote from.
    entities, people = audit.choices(session, actor="tests")
    assert entities == ["item"] and people == ["bo", "bob", "bob.k", "bobby"]


def test_only_the_manager_and_the_auditor_read_the_log(session: Session) -> None:
    add_events(session, 3)
    desk = Actor("kim", {UserRole.front_desk}, workstation="desk1")
    biller = Actor("bea", {UserRole.biller, UserRole.clinical}, workstation="desk2")
    for actor in (desk, biller):
        with pytest.raises(NotAllowed, match="the audit log needs the manager or read-only .auditor. role"):
            audit_page(session, AuditFilter(), actor=actor)
        with pytest.raises(NotAllowed, match="the audit log needs"):
            audit.choices(session, actor=actor)
        with pytest.raises(NotAllowed, match="the audit log needs"):
            audit.audit_rows(session, date(2026, 11, 1), date(2026, 11, 1), actor=actor)
    for role in (UserRole.manager, UserRole.auditor):
        reader = Actor("max", {role}, workstation="desk1")
        assert audit_page(session, AuditFilter(), actor=reader).total == 3
        assert audit.choices(session, actor=reader)[1] == ["ann", "bob", "cy"]
        assert len(audit.audit_rows(session, date(2026, 11, 1), date(2026, 11, 1), actor=reader)) == 3


def test_filtered_queries_use_an_index(sqlite_engine: Engine) -> None:
    # SQLite's plans: PostgreSQL's planner rightly scans a table of ten rows, so there is nothing to learn there.
    with store.write_session(sqlite_engine) as session:
        _assert_index_plans(sqlite_engine, session)


def _assert_index_plans(engine: Engine, session: Session) -> None:
    add_events(session, 10)
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    for flt in (AuditFilter(entity="claim", entity_id=3), AuditFilter(actor="bob")):
        statements.clear()
        event.listen(engine, "before_cursor_execute", keep)
        try:
            audit_page(session, flt, before=(NOW, 5), actor="tests")
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert len(statements) == 2  # the count and the page
        for statement, parameters in statements:
            plan = " ".join(row[3] for row in session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters).all())  # type: ignore[arg-type]
            assert "SCAN" not in plan and "USING" in plan and "INDEX" in plan, plan


# --- readable changes ---------------------------------------------------------------------------------


def test_summary_reads_money_old_to_new_and_creates(session: Session) -> None:
    record(session, actor="ann", entity="claim", entity_id=7, action="update",
           changes={"status": ["submitted", "paid"], "paid_cents": [0, 12000], "note": [None, "called"]}, now=NOW)
    record(session, actor="ann", entity="item", entity_id=2, action="create",
           changes={"name": "Gauze", "par": 10, "unit_cost_cents": 1999, "tracks_lots": False}, now=NOW)
    session.commit()
    created, updated = audit_page(session, AuditFilter(), actor="tests").rows
    assert updated.summary == "note: none → called; paid: $0.00 → $120.00; status: submitted → paid"
    assert created.summary == "name: Gauze; par: 10; tracks_lots: no; unit_cost: $19.99"
    assert (updated.record, created.record) == ("claim #7", "item #2")
    assert audit.field_lines(updated) == [("note", "none", "called"), ("paid", "$0.00", "$120.00"),
                                          ("status", "submitted", "paid")]
    assert audit.field_lines(created)[0] == ("name", None, "Gauze")


# --- the log cannot be changed ------------------------------------------------------------------------


def _try_to_change(engine: Engine) -> list[str]:
    refusals = []
    for sql in ("UPDATE audit_event SET actor = 'mallory', changes = '{}'", "DELETE FROM audit_event"):
        with engine.connect() as conn, pytest.raises(DatabaseError) as caught:
            conn.execute(text(sql))
            conn.commit()
        refusals.append(str(caught.value.orig).splitlines()[0])  # PostgreSQL adds a CONTEXT line
    return refusals


def test_an_opened_database_refuses_to_change_or_delete_the_log(practice_engine) -> None:
    engine = practice_engine  # opened as the app opens it: the migrations made the triggers
    try:
        with store.write_session(engine) as session:
            record(session, actor="ann", entity="claim", entity_id=1, action="update",
                   changes={"status": ["submitted", "paid"]}, now=NOW)
            session.commit()
        assert _try_to_change(engine) == ["the audit log cannot be changed"] * 2
        with store.read_session(engine) as session:
            [(row, changes)] = audit_events(session)
        assert (row.actor, changes) == ("ann", {"status": ["submitted", "paid"]})
    finally:
        engine.dispose()


def test_a_new_database_from_the_models_refuses_too(engine: Engine, session: Session) -> None:
    record(session, actor="ann", entity="claim", entity_id=1, action="create", changes={}, now=NOW)
    session.commit()
    assert _try_to_change(engine) == ["the audit log cannot be changed"] * 2
    assert [e.actor for e, _ in audit_events(session)] == ["ann"]


def test_nothing_in_the_app_updates_or_deletes_audit_rows() -> None:
    source = Path(store.__file__).parent
    offenders = [str(path) for path in source.rglob("*.py") if "migrations" not in path.parts
                 for line in path.read_text(encoding="utf-8").splitlines()
                 if ("AuditEvent" in line or "audit_event" in line) and "TRIGGER" not in line
                 and any(verb in line for verb in ("delete(", "update(", "DELETE", "UPDATE", ".delete"))]
    assert offenders == []


# --- exports and reports are logged -------------------------------------------------------------------


def test_record_export_logs_and_commits(engine: Engine, session: Session) -> None:
    audit.record_export(session, what="payroll", actor="ann", now=NOW, details={"file": "pay.csv", "rows": 4})
    with Session(engine) as other:  # committed: another session sees it
        [(event_, changes)] = audit_events(other, "export")
    assert (event_.action, event_.entity_id, event_.actor, changes) == ("payroll", 0, "ann", {"file": "pay.csv",
                                                                                             "rows": 4})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice with one provider and three audited changes on 11/20, 11/21 and 11/23."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        make_provider(session)
        for day, actor, changes in ((20, "ann", {"status": ["submitted", "paid"], "paid_cents": [0, 12000]}),
                                    (21, "bob", {"note": ["", "[bold]x[/bold], \"quoted\""]}),
                                    (23, "ann", {})):
            record(session, actor=actor, entity="claim", entity_id=day, action="update", changes=changes,
                   now=datetime(2026, 11, day, 9))
        session.commit()
    engine.dispose()
    return path


def events(path: Path, entity: str) -> list[tuple[AuditEvent, dict[str, object]]]:
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return audit_events(session, entity)
    finally:
        engine.dispose()


def test_cli_exports_and_reports_are_logged(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", str(db), "--today", TODAY.isoformat()]
    assert main(["export", "ics", "--provider", "Grace Hopper", "--out", str(tmp_path / "day.ics"), *base]) == 0
    assert main(["export", "ics", "--provider", "Grace Hopper", *base]) == 0
    assert main(["export", "payroll", "--period", "2026-11-23", *base]) == 0
    assert main(["report", "compliance", "--from", "2026-11-01", "--to", "2026-11-23",
                 "--out", str(tmp_path / "c.md"), *base]) == 0
    capsys.readouterr()
    exports = [(e.action, c["file"], c["rows"]) for e, c in events(db, "export")]
    assert exports == [("ics", str(tmp_path / "day.ics"), 0), ("ics", "stdout", 0), ("payroll", "stdout", 1)]
    [(report, details)] = events(db, "report")
    assert (report.action, report.at.date(), details["file"], details["from"], details["to"]) == (
        "compliance", TODAY, str(tmp_path / "c.md"), "2026-11-01", "2026-11-23")


# --- report audit -------------------------------------------------------------------------------------


def test_report_audit_writes_one_row_per_field_and_is_logged(db: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "audit.csv"
    assert main(["report", "audit", "--from", "2026-11-20", "--to", "2026-11-21", "--out", str(out),
                 "--db", str(db), "--today", TODAY.isoformat()]) == 0
    assert "3 rows written to" in capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["at", "actor", "entity", "entity_id", "action", "field", "old", "new"]
    assert rows[1:] == [
        ["2026-11-20 09:00:00", "ann", "claim", "20", "update", "paid_cents", "0", "12000"],
        ["2026-11-20 09:00:00", "ann", "claim", "20", "update", "status", "submitted", "paid"],
        ["2026-11-21 09:00:00", "bob", "claim", "21", "update", "note", "", "[bold]x[/bold], \"quoted\""],
    ]
    [(logged, details)] = events(db, "report")
    assert (logged.action, details["file"], details["rows"], details["from"], details["to"]) == (
        "audit", str(out), 3, "2026-11-20", "2026-11-21")


def test_report_audit_to_stdout_filtered_by_person_keeps_empty_events(db: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-23", "--actor", "ann",
                 "--entity", "claim", "--db", str(db), "--today", TODAY.isoformat()]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["ann"] * 3
    assert lines[-1] == "2026-11-23 09:00:00,ann,claim,23,update,,,"  # an event with no fields still shows
    assert "written to standard output" in err


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--from", "2026-11-23", "--to", "2026-11-20"], 1, "starts after it ends"),
    (["--from", "2026-11-31", "--to", "2026-12-01"], 2, "--from"),
    (["--from", "2026-11-01"], 2, "--to"),
])
def test_report_audit_refuses_bad_periods(db: Path, args: list[str], code: int, message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = events(db, "report")
    try:
        assert main(["report", "audit", *args, "--db", str(db)]) == code
    except SystemExit as exc:  # argparse's bad usage
        assert exc.code == code
    out, err = capsys.readouterr()
    assert message in err and "Traceback" not in err and out == ""
    assert events(db, "report") == before


def test_report_audit_never_overwrites_a_file(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "audit.csv"
    out.write_text("keep me", encoding="utf-8")
    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-23", "--out", str(out),
                 "--db", str(db)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me" and events(db, "report") == []


def test_report_audit_refuses_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-23", "--db", str(missing)]) == 1
    assert "there is no database" in capsys.readouterr().err and not missing.exists()


def test_audit_rows_refuse_a_reversed_period(session: Session) -> None:
    with pytest.raises(ServiceError, match="swap --from and --to"):
        audit.audit_rows(session, date(2026, 11, 2), date(2026, 11, 1), actor="tests")


def test_changes_that_are_not_json_still_read(session: Session) -> None:
    session.add(AuditEvent(at=NOW, actor="ann", entity="claim", entity_id=1, action="update", changes="oops"))
    session.commit()
    [row] = audit_page(session, AuditFilter(), actor="tests").rows
    assert row.summary == "changes: oops" and json.dumps(row.changes) == '{"changes": "oops"}'


def test_migration_0008_downgrades_and_upgrades_again() -> None:
    from alembic import command

    engine = store.create_engine_for("sqlite://")
    query = ("SELECT name FROM sqlite_master WHERE tbl_name = 'audit_event' AND type IN ('trigger', 'index') "
             "AND name NOT LIKE 'sqlite_%'")
    try:
        store.migrate(engine)
        with engine.begin() as conn:
            assert set(conn.exec_driver_sql(query).scalars()) == {
                "ix_audit_event_at", "ix_audit_event_record", "ix_audit_event_actor", "audit_event_no_update",
                "audit_event_no_delete", "audit_event_no_replace"}
            command.downgrade(store._alembic_config(conn), "0007")
            assert set(conn.exec_driver_sql(query).scalars()) == {"ix_audit_event_at"}
        store.migrate(engine)
        with store.write_session(engine) as session:  # triggers fire per row: the log needs one
            record(session, actor="ann", entity="claim", entity_id=1, action="create", changes={}, now=NOW)
            session.commit()
        assert _try_to_change(engine) == ["the audit log cannot be changed"] * 2
    finally:
        engine.dispose()
