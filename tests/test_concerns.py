"""The concerns and incidents log: acknowledge-by in business days, the breach (60 days) and OSHA 301
(7 days) clocks, closing rules (a possible breach needs its outcome), ordering, the huddle, demo rows."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from factories import ACTOR, NOW, TODAY, at, audit_events, make_completion, make_compliance_task, make_staff
from officemgr import store
from officemgr.demo._db import _transaction
from officemgr.demo.concerns import _add_concerns
from officemgr.models import ClosureCreate, Concern, ConcernCategory, ConcernKind, ConcernStatus, Role, StorageKind
from officemgr.services import calendar, concerns, settings, temperature
from officemgr.services.calendar import PracticeCalendar
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.concerns import (
    ACKNOWLEDGE,
    ACTION,
    BREACH_NOTICE,
    OSHA_301,
    BreachOutcome,
    ConcernCreate,
    Deadline,
    acknowledge_by,
)
from officemgr.services.huddle import huddle
from officemgr.services.temperature import ReadingCreate, UnitCreate

FRIDAY, SATURDAY, THURSDAY = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 19)
TUESDAY = date(2026, 11, 24)
SENTENCE = "Letters mailed to the two affected patients on 11/20 with the required content."


def log(session: Session, *, today: date = TODAY, **values: Any) -> Concern:
    data = {"kind": ConcernKind.complaint, "category": ConcernCategory.wait_time, "summary": "Waited 40 minutes",
            "discovered_on": today, **values}
    return concerns.log_concern(session, ConcernCreate.model_validate(data), today=today, now=NOW, actor=ACTOR)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {str(e["loc"][0]): e["msg"].removeprefix("Value error, ") for e in exc.value.errors()}


def compliance_items(session: Session, today: date = TODAY) -> list[tuple[str, str, bool]]:
    section = next(s for s in huddle(session, today, actor="tests").sections if s.key == "compliance")
    return [(i.text, i.reason, i.urgent) for i in section.items]


# -------------------------------------------------------------------------------------- logging


def test_acknowledge_setting_is_two_business_days(session):
    assert settings.get(session, "concern_ack_business_days") == 2


@pytest.mark.parametrize(("discovered", "ack_by"), [
    (TODAY, date(2026, 11, 25)),          # Monday -> Wednesday
    (THURSDAY, TODAY),                    # Thursday -> Monday, over the weekend
    (FRIDAY, TUESDAY),                    # Friday -> Tuesday
    (SATURDAY, TUESDAY),                  # a weekend day counts from the Monday after
    (date(2026, 11, 22), TUESDAY),        # Sunday
])
def test_acknowledge_by_counts_business_days_across_a_weekend(session, discovered, ack_by):
    assert acknowledge_by(PracticeCalendar(), discovered, 2) == ack_by
    row = log(session, discovered_on=discovered)
    assert row.due == ack_by


@pytest.mark.parametrize(("discovered", "ack_by"), [
    (date(2026, 11, 25), date(2026, 11, 30)),   # Wednesday before Thanksgiving: Friday, then Monday
    (date(2026, 11, 26), date(2026, 11, 30)),   # found on Thanksgiving itself: counts from the Friday
    (date(2026, 12, 31), date(2027, 1, 5)),     # over the year end and New Year's Day (a Friday)
    (date(2028, 2, 28), date(2028, 3, 1)),      # Monday over Feb 29 of a leap year
])
def test_acknowledge_by_skips_federal_holidays(session, discovered, ack_by):
    row = log(session, discovered_on=discovered, today=date(2028, 3, 1))
    assert row.due == ack_by


def test_acknowledge_by_skips_the_practices_own_closure_and_follows_the_setting(session):
    calendar.add_closure(session, ClosureCreate(day=date(2026, 11, 17), reason="Staff training"), now=NOW,
                         actor=ACTOR)
    assert log(session, discovered_on=date(2026, 11, 16)).due == date(2026, 11, 19)  # Mon: Tue closed; Wed, Thu
    settings.put(session, "concern_ack_business_days", 3, now=NOW, actor=ACTOR)
    assert log(session, discovered_on=FRIDAY).due == date(2026, 11, 25)  # Fri + 3: Mon, Tue, Wed
    settings.put(session, "concern_ack_business_days", 1, now=NOW, actor=ACTOR)
    assert log(session, discovered_on=FRIDAY).due == TODAY  # Fri + 1: Monday


def test_logging_opens_the_concern_and_audits_it(session):
    row = log(session, summary="  Waited 40 minutes  ", detail=" at the front desk ", reporter="Patient, by phone",
              discovered_on=FRIDAY)
    saved = session.get(Concern, row.id)
    assert (saved.kind, saved.category, saved.status, saved.summary, saved.detail) == (
        ConcernKind.complaint, ConcernCategory.wait_time, ConcernStatus.open, "Waited 40 minutes", "at the front desk")
    assert (saved.reported_on, saved.discovered_on, saved.due, saved.version) == (TODAY, FRIDAY, TUESDAY, 1)
    [(event, changes)] = audit_events(session, "concern")
    assert (event.action, event.actor, event.entity_id, event.at) == ("create", ACTOR, row.id, NOW)
    assert changes["summary"] == "Waited 40 minutes" and changes["due"] == "2026-11-24"


def test_the_schema_refuses_a_missing_summary_a_future_date_a_temperature_kind_and_a_misplaced_injury():
    with pytest.raises(ValidationError) as exc:
        ConcernCreate.model_validate(
            {"kind": ConcernKind.temperature, "category": ConcernCategory.other, "summary": "  ",
             "discovered_on": TUESDAY},
            context={"today": TODAY})
    errors = errors_of(exc)
    assert errors["summary"] == "this field is required"
    assert errors["discovered_on"] == "cannot be later than today (11/23/2026)"
    assert "temperature log" in errors["kind"]
    with pytest.raises(ValidationError) as exc:
        ConcernCreate(kind=ConcernKind.near_miss, category=ConcernCategory.safety, summary="Label",
                      discovered_on=TODAY, work_injury=True)
    assert "logged as an incident" in errors_of(exc)["work_injury"]


def test_the_service_refuses_a_discovery_date_still_to_come_without_the_schema_context(session):
    data = ConcernCreate(kind=ConcernKind.complaint, category=ConcernCategory.billing, summary="Bill",
                         discovered_on=TUESDAY)
    with pytest.raises(ServiceError, match="cannot be later than today"):
        concerns.log_concern(session, data, today=TODAY, now=NOW, actor=ACTOR)
    assert session.exec(select(Concern)).all() == []


# -------------------------------------------------------------------------------------- deadlines


def test_breach_notice_is_due_60_calendar_days_after_discovery(session):
    discovered = date(2026, 10, 1)
    row = log(session, category=ConcernCategory.privacy, possible_breach=True, discovered_on=discovered, today=TODAY)
    found = concerns.deadlines(row, TODAY)
    assert found == [Deadline(ACKNOWLEDGE, date(2026, 10, 5), -49), Deadline(BREACH_NOTICE, date(2026, 11, 30), 7)]
    assert found[1].words == "breach notice due in 7 days"
    assert found[0].words == "acknowledgement overdue, was due 49 days ago"

    concerns.acknowledge(session, row.id, now=NOW, actor=ACTOR, expected_version=1)
    assert concerns.deadlines(session.get(Concern, row.id), TODAY) == [Deadline(BREACH_NOTICE, date(2026, 11, 30), 7)]
    late = concerns.deadlines(session.get(Concern, row.id), date(2026, 12, 2))
    assert [d.words for d in late] == ["breach notice overdue, was due 2 days ago"]


def test_osha_301_is_due_7_calendar_days_after_learning_of_the_injury(session):
    row = log(session, kind=ConcernKind.incident, category=ConcernCategory.safety, summary="Needlestick",
              work_injury=True, discovered_on=FRIDAY)
    concerns.acknowledge(session, row.id, now=NOW, actor=ACTOR, expected_version=1)
    [osha] = concerns.deadlines(session.get(Concern, row.id), TODAY)
    assert osha == Deadline(OSHA_301, date(2026, 11, 27), 4)
    assert osha.words == "OSHA 301 due in 4 days"
    assert concerns.deadlines(session.get(Concern, row.id), date(2026, 11, 26))[0].words == "OSHA 301 due tomorrow"


def test_deadlines_stop_once_closed_and_a_temperature_excursion_keeps_its_action_date(session):
    row = log(session, kind=ConcernKind.incident, category=ConcernCategory.privacy, possible_breach=True,
              work_injury=True, discovered_on=FRIDAY)
    assert [d.label for d in concerns.deadlines(row, TODAY)] == [ACKNOWLEDGE, OSHA_301, BREACH_NOTICE]
    concerns.close(session, row.id, SENTENCE, now=NOW, actor=ACTOR, expected_version=1,
                   breach_outcome=BreachOutcome.notified)
    assert concerns.deadlines(session.get(Concern, row.id), TODAY) == []

    excursion = excursion_concern(session)
    concerns.acknowledge(session, excursion.id, now=NOW, actor=ACTOR, expected_version=1)
    assert concerns.deadlines(session.get(Concern, excursion.id), TODAY) == [Deadline(ACTION, TODAY, 0)]


def excursion_concern(session: Session) -> Concern:
    unit = temperature.add_unit(session, UnitCreate(name="Fridge A", kind=StorageKind.fridge),
                                now=NOW - timedelta(days=30), actor=ACTOR)
    result = temperature.log_reading(session, ReadingCreate.model_validate(
        {"unit_id": unit.id, "at": at(8, 5), "reading_c": "9.1", "initials": "MJ"}), now=NOW, actor=ACTOR)
    assert result.concern is not None
    return result.concern


# -------------------------------------------------------------------------------------- writes


def test_acknowledge_and_assign_bump_the_version_and_are_audited(session):
    row = log(session)
    concerns.acknowledge(session, row.id, now=NOW, actor=ACTOR, expected_version=1)
    concerns.assign(session, row.id, "  Ann Lee ", now=NOW, actor=ACTOR, expected_version=2)
    saved = session.get(Concern, row.id)
    assert (saved.status, saved.owner, saved.version) == (ConcernStatus.acknowledged, "Ann Lee", 3)
    events = [(e.action, c) for e, c in audit_events(session, "concern")][1:]
    assert events == [("acknowledge", {"status": ["open", "acknowledged"]}), ("assign", {"owner": ["", "Ann Lee"]})]
    with pytest.raises(ServiceError, match="already acknowledged"):
        concerns.acknowledge(session, row.id, now=NOW, actor=ACTOR, expected_version=3)
    with pytest.raises(ServiceError, match="who owns it"):
        concerns.assign(session, row.id, "   ", now=NOW, actor=ACTOR, expected_version=3)
    with pytest.raises(StaleEdit):
        concerns.assign(session, row.id, "Ken", now=NOW, actor=ACTOR, expected_version=1)


def test_close_refuses_an_empty_resolution_and_then_closes(session):
    row = log(session)
    for empty in ("", "   "):
        with pytest.raises(ServiceError, match="^write what was done$"):
            concerns.close(session, row.id, empty, now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(ServiceError, match="only a concern marked as a possible breach"):
        concerns.close(session, row.id, "Apologised", now=NOW, actor=ACTOR, expected_version=1,
                       breach_outcome=BreachOutcome.notified)
    session.expire_all()
    assert session.get(Concern, row.id).status is ConcernStatus.open

    concerns.close(session, row.id, " Apologised; reminders added. ", now=NOW + timedelta(days=1), actor=ACTOR,
                   expected_version=1)
    saved = session.get(Concern, row.id)
    assert (saved.status, saved.resolution, saved.closed_on, saved.version) == (
        ConcernStatus.closed, "Apologised; reminders added.", TUESDAY, 2)
    event, changes = audit_events(session, "concern")[-1]
    assert event.action == "close" and changes["status"] == ["open", "closed"]
    with pytest.raises(ServiceError, match="already closed"):
        concerns.close(session, row.id, "again", now=NOW, actor=ACTOR, expected_version=2)
    with pytest.raises(ServiceError, match="already closed"):
        concerns.acknowledge(session, row.id, now=NOW, actor=ACTOR, expected_version=2)


def test_a_possible_breach_needs_its_outcome_and_a_sentence(session):
    row = log(session, category=ConcernCategory.privacy, possible_breach=True, discovered_on=FRIDAY)
    with pytest.raises(ServiceError, match="closes with its outcome"):
        concerns.close(session, row.id, SENTENCE, now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(ServiceError, match="at least a sentence"):
        concerns.close(session, row.id, "Done.", now=NOW, actor=ACTOR, expected_version=1,
                       breach_outcome=BreachOutcome.notified)
    with pytest.raises(ServiceError, match="choose notified, or low probability"):
        concerns.close(session, row.id, SENTENCE, now=NOW, actor=ACTOR, expected_version=1, breach_outcome="maybe")
    problems = concerns.close_problems(row, "ok", None)
    assert set(problems) == {"resolution", "breach_outcome"}

    concerns.close(session, row.id, "Risk assessment: the email went to our own billing service under a BAA; "
                   "low probability of compromise.", now=NOW, actor=ACTOR, expected_version=1,
                   breach_outcome="low probability (risk assessment)")
    saved = session.get(Concern, row.id)
    assert saved.resolution.startswith("Breach outcome: low probability (risk assessment). Risk assessment: ")
    [closed] = [r for r in concerns.concern_log(session, TODAY, TODAY) if r.id == row.id]
    assert closed.breach_outcome is BreachOutcome.low_probability
    event, changes = audit_events(session, "concern")[-1]
    assert changes["breach_outcome"] == "low probability (risk assessment)"


def test_a_notified_breach_reads_notified_in_the_log(session):
    row = log(session, category=ConcernCategory.privacy, possible_breach=True, discovered_on=FRIDAY)
    concerns.close(session, row.id, SENTENCE, now=NOW, actor=ACTOR, expected_version=1,
                   breach_outcome=BreachOutcome.notified)
    [closed] = concerns.concern_log(session, TODAY, TODAY)
    assert closed.resolution == f"Breach outcome: notified. {SENTENCE}"
    assert closed.breach_outcome is BreachOutcome.notified


def test_a_temperature_excursion_closes_only_with_the_action_taken(session):
    excursion = excursion_concern(session)
    with pytest.raises(ServiceError, match="write what was done: the action taken"):
        concerns.close(session, excursion.id, "", now=NOW, actor=ACTOR, expected_version=1)
    concerns.close(session, excursion.id, "Vaccines quarantined; manufacturer says all usable.", now=NOW,
                   actor=ACTOR, expected_version=1)
    assert session.get(Concern, excursion.id).status is ConcernStatus.closed


# -------------------------------------------------------------------------------------- reading


def test_open_concerns_come_nearest_deadline_first(session):
    # acknowledged, no clock running: last
    quiet = log(session, summary="Quiet", discovered_on=date(2026, 11, 2))
    concerns.acknowledge(session, quiet.id, now=NOW, actor=ACTOR, expected_version=1)
    breach = log(session, summary="Breach", category=ConcernCategory.privacy, possible_breach=True,
                 discovered_on=date(2026, 10, 1))
    concerns.acknowledge(session, breach.id, now=NOW, actor=ACTOR, expected_version=1)  # due 11/30
    fresh = log(session, summary="Fresh")  # acknowledge by 11/25
    overdue = log(session, summary="Overdue", discovered_on=date(2026, 11, 16))  # acknowledge by 11/18
    injury = log(session, summary="Injury", kind=ConcernKind.incident, category=ConcernCategory.safety,
                 work_injury=True, discovered_on=THURSDAY)  # acknowledge 11/23, OSHA 11/26
    done = log(session, summary="Done")
    concerns.close(session, done.id, "Fixed", now=NOW, actor=ACTOR, expected_version=1)

    rows = concerns.open_concerns(session, TODAY)
    assert [r.summary for r in rows] == ["Overdue", "Injury", "Fresh", "Breach", "Quiet"]
    assert [r.nearest.words if r.nearest else None for r in rows] == [
        "acknowledgement overdue, was due 5 days ago", "acknowledge today", "acknowledge in 2 days",
        "breach notice due in 7 days", None]
    assert [r.urgent for r in rows] == [True, True, False, False, False]
    assert {r.id for r in rows} == {quiet.id, breach.id, fresh.id, overdue.id, injury.id}
    assert [r.summary for r in concerns.closed_concerns(session)] == ["Done"]


def test_concern_log_holds_every_kind_open_during_the_period(session):
    before = log(session, summary="Closed before", discovered_on=date(2026, 9, 1), today=date(2026, 9, 1))
    concerns.close(session, before.id, "x", now=NOW.replace(month=9, day=5), actor=ACTOR, expected_version=1)
    early = log(session, summary="Still open from September", discovered_on=date(2026, 9, 10),
                today=date(2026, 9, 10))
    inside = log(session, summary="Closed inside", kind=ConcernKind.near_miss, category=ConcernCategory.safety,
                 discovered_on=date(2026, 11, 2), today=date(2026, 11, 2))
    concerns.close(session, inside.id, "y", now=NOW.replace(day=3), actor=ACTOR, expected_version=1)
    excursion_concern(session)
    log(session, summary="After", today=date(2026, 12, 1), discovered_on=date(2026, 12, 1))

    rows = concerns.concern_log(session, date(2026, 11, 1), TODAY)
    assert [(r.summary[:12], r.kind, r.status) for r in rows] == [
        ("Still open f", ConcernKind.complaint, ConcernStatus.open),
        ("Closed insid", ConcernKind.near_miss, ConcernStatus.closed),
        ("Fridge A 9.1", ConcernKind.temperature, ConcernStatus.open),
    ]
    assert early.id == rows[0].id


# -------------------------------------------------------------------------------------- huddle


def test_the_huddle_lists_each_open_concern_with_its_nearest_deadline(session):
    assert compliance_items(session) == []
    breach = log(session, summary="Chart seen by a neighbour", category=ConcernCategory.privacy,
                 possible_breach=True, discovered_on=date(2026, 11, 3))
    concerns.acknowledge(session, breach.id, now=NOW, actor=ACTOR, expected_version=1)
    injury = log(session, summary="Needlestick", kind=ConcernKind.incident, category=ConcernCategory.safety,
                 work_injury=True, discovered_on=date(2026, 11, 14))
    concerns.acknowledge(session, injury.id, now=NOW, actor=ACTOR, expected_version=1)
    log(session, summary="Rude on the phone", category=ConcernCategory.conduct, discovered_on=THURSDAY)
    log(session, summary="Waited an hour", discovered_on=FRIDAY)
    quiet = log(session, summary="Parking", category=ConcernCategory.other)
    concerns.acknowledge(session, quiet.id, now=NOW, actor=ACTOR, expected_version=1)
    closed = log(session, summary="Closed one")
    concerns.close(session, closed.id, "done", now=NOW, actor=ACTOR, expected_version=1)
    excursion_concern(session)

    assert compliance_items(session) == [
        ("Incident (safety, work injury): Needlestick", "OSHA 301 overdue, was due 2 days ago", True),
        ("Complaint (conduct): Rude on the phone", "acknowledge today", True),
        ("Temperature excursion: Fridge A 9.1 °C at 08:05 (range 2–8 °C)", "action due today", True),
        ("Complaint (wait time): Waited an hour", "acknowledge tomorrow", False),
        ("Complaint (privacy, possible breach): Chart seen by a neighbour", "breach notice due in 40 days", False),
        ("Complaint (other): Parking", "acknowledged, no owner yet", False),
        # The excursion's fridge has no reading on the previous workday: the huddle says so too.
        ("Fridge A: no temperature logged Fri 11/20", "missing reading", False),
    ]
    section = next(s for s in huddle(session, TODAY, actor="tests").sections if s.key == "compliance")
    assert {(i.tab, i.record_id) for i in section.items} == {("compliance", None)}
    assert section.empty == "Nothing due or overdue"


def test_the_huddle_keeps_the_duties_and_puts_urgent_items_first(session):
    overdue = make_compliance_task(session, title="Eyewash activation", anchor=date(2026, 11, 2))
    make_completion(session, overdue, due_date=date(2026, 11, 9))
    make_compliance_task(session, title="Spore test", anchor=date(2026, 11, 2))  # never done: overdue too
    make_compliance_task(session, title="AED check", anchor=TODAY)  # due today: not urgent
    log(session, summary="Waited an hour", discovered_on=FRIDAY)
    log(session, summary="Rude on the phone", category=ConcernCategory.conduct, discovered_on=THURSDAY)

    assert compliance_items(session) == [
        ("Spore test", "21 days overdue", True),
        ("Eyewash activation", "7 days overdue", True),
        ("Complaint (conduct): Rude on the phone", "acknowledge today", True),
        ("AED check", "today", False),
        ("Complaint (wait time): Waited an hour", "acknowledge tomorrow", False),
    ]


def test_huddle_urgency_moves_with_the_day(session):
    log(session, summary="Waited an hour", discovered_on=FRIDAY)  # acknowledge by Tuesday
    assert compliance_items(session, TODAY) == [("Complaint (wait time): Waited an hour", "acknowledge tomorrow",
                                                 False)]
    assert compliance_items(session, TUESDAY) == [("Complaint (wait time): Waited an hour", "acknowledge today",
                                                   True)]
    assert compliance_items(session, date(2026, 11, 26))[0][1:] == ("acknowledgement overdue, was due 2 days ago",
                                                                     True)


# -------------------------------------------------------------------------------------- demo


def demo_rows(seed: int, with_staff: bool = True) -> tuple[int, list[tuple]]:
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    if with_staff:
        with store.write_session(engine) as session:
            for first, last, role in (("Mary", "Jones", Role.ma), ("Ken", "Ito", Role.nurse),
                                      ("Ann", "Lee", Role.manager), ("Bo", "Park", Role.biller),
                                      ("Cy", "Diaz", Role.front_desk)):
                make_staff(session, first_name=first, last_name=last, role=role)
    with _transaction(engine) as conn:
        written = _add_concerns(conn, random.Random(f"{seed}:concerns"), TODAY)
    table = Concern.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa_select(table).order_by(table.c.id))]
    with store.read_session(engine) as session:
        open_rows = concerns.open_concerns(session, TODAY)
    engine.dispose()
    return written, rows, open_rows  # type: ignore[return-value]


def test_demo_concerns_are_deterministic_and_tell_the_story():
    written, rows, open_rows = demo_rows(1)
    again, rows_again, _ = demo_rows(1)
    assert (again, rows_again) == (written, rows)
    assert demo_rows(2)[1] != rows
    assert written == len(rows) == 8
    table = Concern.__table__  # type: ignore[attr-defined]
    columns = [c.name for c in table.columns]
    records = [dict(zip(columns, r, strict=True)) for r in rows]
    assert all(TODAY - timedelta(days=60) <= date.fromisoformat(str(r["discovered_on"])) <= TODAY for r in records)
    assert sum(r["status"] == "closed" for r in records) == 4
    assert [r["reported_on"] for r in records] == sorted(r["reported_on"] for r in records)

    by_words = {r.summary.split()[0]: r for r in open_rows}
    assert [r.nearest.words if r.nearest else None for r in open_rows] == [
        "acknowledge tomorrow", "OSHA 301 due in 4 days", "breach notice due in 40 days", None]
    assert by_words["Waited"].status is ConcernStatus.open and by_words["Waited"].category is ConcernCategory.wait_time
    assert by_words["Needlestick"].work_injury and by_words["Needlestick"].discovered_on == TODAY - timedelta(days=3)
    assert by_words["Patient"].possible_breach and by_words["Patient"].discovered_on == TODAY - timedelta(days=20)
    assert by_words["Front"].category is ConcernCategory.conduct
    assert by_words["Front"].status is ConcernStatus.acknowledged
    assert by_words["Front"].owner == "Ann Lee"
    closed = {r["category"]: r for r in records if r["status"] == "closed"}
    assert set(closed) == {"billing", "safety", "privacy"}
    assert closed["privacy"]["resolution"].startswith("Breach outcome: low probability (risk assessment). ")
    assert all(r["resolution"] and r["closed_on"] for r in closed.values())


def test_demo_concerns_work_without_staff():
    written, rows, _ = demo_rows(1, with_staff=False)
    owner = [c.name for c in Concern.__table__.columns].index("owner")  # type: ignore[attr-defined]
    assert written == 8
    assert {r[owner] for r in rows if r[owner]} == {"Office manager", "Billing office"}
