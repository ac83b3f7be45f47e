"""The hot read paths use indexes: no query reads a whole growing table (DESIGN.md: budgets on the large demo).

Each path runs on the small demo (thousands of claims, events, appointments, movements) while a listener keeps
every SELECT with its parameters; then SQLite's EXPLAIN QUERY PLAN must not SCAN a big table without an index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from officemgr import store
from officemgr.services import ar, audit, billing, huddle, inventory, schedule, secondary
from ui_support import TODAY, copy_demo

BIG = {"claim", "claim_event", "claim_note", "appointment", "appointment_event", "audit_event", "stock_movement"}
# A big-table scan some path may do on purpose, by (table, path) with the reason; none is needed today.
ALLOWED: dict[tuple[str, str], str] = {}

PATHS: dict[str, Callable[[Session], Any]] = {
    "huddle": lambda s: huddle.huddle(s, TODAY, actor="tests"),
    "work queue": lambda s: billing.work_queue(s, TODAY, actor="tests"),
    "work queue, page 3": lambda s: billing.work_queue(s, TODAY, offset=2 * billing.PAGE, actor="tests"),
    "work queue, text filter": lambda s: billing.work_queue(s, TODAY, filters=billing.QueueFilter(text="denied"),
                                                            actor="tests"),
    "day schedule": lambda s: schedule.day_schedule(s, TODAY),
    "audit log": lambda s: audit.audit_page(s, audit.AuditFilter(), actor="tests"),
    "audit log, next page": lambda s: audit.audit_page(s, audit.AuditFilter(),
                                                       before=(datetime.combine(TODAY, time()), 10**9), actor="tests"),
    "audit log, one record": lambda s: audit.audit_page(s, audit.AuditFilter(entity="claim", entity_id=1),
                                                        actor="tests"),
    "audit log, one person": lambda s: audit.audit_page(s, audit.AuditFilter(actor="manager"), actor="tests"),
    "audit log, one week": lambda s: audit.audit_page(s, audit.AuditFilter(since=date(2026, 11, 16), until=TODAY),
                                                      actor="tests"),
    "stock": lambda s: inventory.stock(s, TODAY),
    "A/R aging": lambda s: ar.aging(s, TODAY, actor="tests"),
    "A/R KPIs": lambda s: ar.kpis(s, TODAY, actor="tests"),
}
SCAN = re.compile(r"^SCAN (\w+?)(?:_\d+)?(?: |$)")


def _selects(engine, path: Callable[[Session], Any]) -> list[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with store.read_session(engine) as session:
            path(session)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen


def _full_scans(engine, statement: str, parameters: Any) -> set[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    scans = {match.group(1) for row in plan if (match := SCAN.match(row[3])) and "INDEX" not in row[3]}
    return scans & BIG


@pytest.fixture(scope="module")
def plan_engine(demo_db, tmp_path_factory):  # type: ignore[no-untyped-def]
    engine = copy_demo(demo_db, tmp_path_factory.mktemp("plans"))
    yield engine
    engine.dispose()


def test_the_demo_has_enough_rows_for_the_planner_to_matter(plan_engine) -> None:  # type: ignore[no-untyped-def]
    with plan_engine.connect() as conn:
        counts = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in
                  ("claim", "claim_event", "appointment", "audit_event", "stock_movement")}
    assert min(counts.values()) >= 1000, counts


def test_the_paths_read_every_big_table(plan_engine) -> None:  # type: ignore[no-untyped-def]
    # Otherwise the plan checks below could pass by never reaching a table.
    statements = " ".join(s for path in PATHS.values() for s, _ in _selects(plan_engine, path))
    read = {t for t in BIG if re.search(rf"\b(FROM|JOIN) {t}\b", statements)}
    assert read >= {"claim", "claim_event", "appointment", "audit_event", "stock_movement"}


@pytest.mark.parametrize("name", PATHS)
def test_no_hot_path_scans_a_big_table(plan_engine, name: str) -> None:  # type: ignore[no-untyped-def]
    problems = []
    for statement, parameters in _selects(plan_engine, PATHS[name]):
        for table in _full_scans(plan_engine, statement, parameters):
            if (table, name) not in ALLOWED:
                problems.append(f"SCAN {table}: {' '.join(statement.split())[:300]}")
    assert problems == []


@pytest.mark.parametrize("path", [lambda s: secondary.to_bill(s, today=TODAY, limit=1), secondary.to_bill_count],
                         ids=["oldest", "count"])
def test_the_secondary_claims_to_bill_are_found_by_their_own_index(plan_engine, path) -> None:  # type: ignore[no-untyped-def]
    # The status index alone would read every paid and closed claim: most of a practice's history.
    (statement, parameters), = [(s, p) for s, p in _selects(plan_engine, path) if "secondary_billed_on" in s]
    with plan_engine.connect() as conn:
        plan = " ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "USING INDEX ix_claim_secondary_to_bill" in plan, plan
