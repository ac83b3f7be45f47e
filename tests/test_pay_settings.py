"""Pay settings per staff member (issue 23, item 9): the manager's alone, validated at the edges, audited."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from factories import NOW, make_staff
from officemgr import store
from officemgr.models import AuditEvent, Staff, UserRole
from officemgr.models.people import PayPeriod, PaySetting, PayType
from officemgr.services import settings
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.pay_settings import PaySettings, pay_settings, save_pay_settings

MANAGER = Actor("pat", {UserRole.manager}, workstation="office")
AUDITOR = Actor("aud", {UserRole.auditor})


def save(session: Session, staff_id: int, amount: str, *, pay_type: PayType = PayType.hourly, version: int = 0,
         actor: str = MANAGER, exempt: bool = False, pay_period: PayPeriod = PayPeriod.biweekly,
         pto_plan: str = "") -> PaySettings:
    return save_pay_settings(session, staff_id, exempt=exempt, pay_type=pay_type, pay_period=pay_period,
                             amount=amount, pto_plan=pto_plan, now=NOW, actor=actor, expected_version=version)


def test_a_first_save_makes_the_row_and_audits_before_and_after(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    shown = pay_settings(session, person.id, actor=MANAGER)
    assert (shown.pay_period, shown.hourly_rate_cents, shown.version, shown.amount) == (
        PayPeriod.biweekly, None, 0, "not set")
    save(session, person.id, "$25.50", pay_period=PayPeriod.weekly, pto_plan="  Full-time  ")
    row = session.exec(select(PaySetting).where(PaySetting.staff_id == person.id)).one()
    assert (row.pay_period, row.hourly_rate_cents, row.salary_cents, row.pto_plan, row.version) == (
        PayPeriod.weekly, 2550, None, "Full-time", 1)
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "pay_setting")).one()
    assert (event.actor, event.entity_id, event.action) == ("pat@office", row.id, "create")
    assert json.loads(event.changes) == {"hourly_rate_cents": [None, 2550], "pay_period": ["biweekly", "weekly"],
                                         "pto_plan": ["", "Full-time"]}


def test_going_salaried_clears_the_rate_and_marks_the_staff_row(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    save(session, person.id, "30")
    save(session, person.id, "72,000", pay_type=PayType.salaried, exempt=True, version=1)
    row = session.exec(select(PaySetting).where(PaySetting.staff_id == person.id)).one()
    staff = session.get(Staff, person.id)
    assert staff is not None
    assert (row.hourly_rate_cents, row.salary_cents, staff.exempt, staff.pay_type) == (
        None, 7_200_000, True, PayType.salaried)
    assert pay_settings(session, person.id, actor=AUDITOR).amount == "$72,000.00/yr"
    on_staff = session.exec(select(AuditEvent).where(AuditEvent.entity == "staff")).one()
    assert (on_staff.entity_id, json.loads(on_staff.changes)) == (
        person.id, {"exempt": [False, True], "pay_type": ["hourly", "salaried"]})
    last = session.exec(select(AuditEvent).where(AuditEvent.entity == "pay_setting")
                        .order_by(col(AuditEvent.id).desc())).first()
    assert last is not None and (last.action, json.loads(last.changes)) == (
        "update", {"hourly_rate_cents": [3000, None], "salary_cents": [None, 7_200_000]})


@pytest.mark.parametrize(("amount", "pay_type", "cents"), [
    ("0.01", PayType.hourly, 1), ("1,000.00", PayType.hourly, 100_000),
    ("$0.01", PayType.salaried, 1), ("$1,000,000", PayType.salaried, 100_000_000)])
def test_the_bounds_themselves_are_accepted(session: Session, amount: str, pay_type: PayType, cents: int) -> None:
    person = make_staff(session)
    assert person.id is not None
    saved = save(session, person.id, amount, pay_type=pay_type)
    assert getattr(saved, "hourly_rate_cents" if pay_type is PayType.hourly else "salary_cents") == cents


@pytest.mark.parametrize(("amount", "pay_type", "message"), [
    ("0", PayType.hourly, "more than \\$0.00"), ("1000.01", PayType.hourly, "at most \\$1,000.00"),
    ("0.00", PayType.salaried, "more than \\$0.00"), ("1000000.01", PayType.salaried, "at most \\$1,000,000.00"),
    ("", PayType.hourly, "give the hourly rate"), ("  ", PayType.salaried, "give the yearly salary"),
    ("twenty", PayType.hourly, "'twenty' is not an amount"), ("-5", PayType.hourly, "not an amount"),
    ("12.345", PayType.hourly, "not an amount")])
def test_bad_amounts_are_refused_and_nothing_is_saved(session: Session, amount: str, pay_type: PayType,
                                                      message: str) -> None:
    person = make_staff(session)
    assert person.id is not None
    with pytest.raises(ServiceError, match=message):
        save(session, person.id, amount, pay_type=pay_type)
    session.rollback()
    assert session.exec(select(PaySetting)).first() is None
    assert session.exec(select(AuditEvent).where(AuditEvent.entity == "pay_setting")).first() is None


def test_a_pto_plan_name_is_one_line_of_at_most_60_characters(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    assert save(session, person.id, "20", pto_plan="x" * 60).pto_plan == "x" * 60
    for bad, message in (("x" * 61, "at most 60"), ("two\nlines", "one line")):
        with pytest.raises(ServiceError, match=message):
            save(session, person.id, "20", pto_plan=bad, version=1)
        session.rollback()
    row = session.exec(select(PaySetting)).one()
    assert row.pto_plan == "x" * 60


@pytest.mark.parametrize("role", [UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor])
def test_only_the_manager_changes_pay_settings(session: Session, role: UserRole) -> None:
    person = make_staff(session)
    assert person.id is not None
    with pytest.raises(NotAllowed, match="changing a person's pay settings needs the manager role; .* nothing"):
        save(session, person.id, "25", actor=Actor("someone", {role}))
    session.rollback()
    assert session.exec(select(PaySetting)).first() is None


@pytest.mark.parametrize("role", [UserRole.front_desk, UserRole.biller, UserRole.clinical])
def test_other_roles_do_not_see_pay_settings(session: Session, role: UserRole) -> None:
    person = make_staff(session)
    assert person.id is not None
    with pytest.raises(NotAllowed, match="seeing a person's pay settings"):
        pay_settings(session, person.id, actor=Actor("someone", {role}))


def test_a_stale_form_is_refused(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    save(session, person.id, "20")
    with pytest.raises(StaleEdit):
        save(session, person.id, "21", version=0)
    session.rollback()
    row = session.exec(select(PaySetting)).one()
    assert row.hourly_rate_cents == 2000


def test_without_a_row_the_practice_pay_period_is_shown(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    settings.put(session, "pay_period", {"kind": "semimonthly"}, now=NOW, actor="root")
    assert pay_settings(session, person.id, actor=MANAGER).pay_period is PayPeriod.semimonthly


def test_the_migration_gives_every_staff_member_the_practice_pay_period(blank_engine: Engine) -> None:
    with blank_engine.begin() as conn:
        command.upgrade(store._alembic_config(conn), "0018")
        conn.execute(text("INSERT INTO setting (key, value, version) VALUES ('pay_period', :v, 1)"),
                     {"v": json.dumps({"kind": "Semi-Monthly"})})
        for first, exempt, pay_type in (("Ann", False, "hourly"), ("Bo", True, "salaried")):
            conn.execute(text("INSERT INTO staff (first_name, last_name, role, is_provider, phone, email, active, "
                              "exempt, pay_type, pto_hours_per_year, version) VALUES (:f, 'Lee', 'ma', false, '', "
                              "'', true, :e, :p, 80, 1)"), {"f": first, "e": exempt, "p": pay_type})
    store.migrate(blank_engine)
    with blank_engine.connect() as conn:
        rows = conn.execute(text("SELECT s.first_name, p.pay_period, p.hourly_rate_cents, p.salary_cents, "
                                 "p.pto_plan, p.version FROM pay_setting p JOIN staff s ON s.id = p.staff_id "
                                 "ORDER BY s.first_name")).all()
    assert [tuple(r) for r in rows] == [("Ann", "semimonthly", None, None, "", 1),
                                        ("Bo", "semimonthly", None, None, "", 1)]


def test_the_migration_falls_back_to_biweekly_without_the_setting(blank_engine: Engine) -> None:
    with blank_engine.begin() as conn:
        command.upgrade(store._alembic_config(conn), "0018")
        conn.execute(text("INSERT INTO staff (first_name, last_name, role, is_provider, phone, email, active, "
                          "exempt, pay_type, pto_hours_per_year, version) VALUES ('Ann', 'Lee', 'ma', false, '', "
                          "'', true, false, 'hourly', 80, 1)"))
    store.migrate(blank_engine)
    with blank_engine.connect() as conn:
        assert conn.execute(text("SELECT pay_period FROM pay_setting")).scalar() == "biweekly"


def test_every_demo_staff_member_has_pay_settings_with_an_amount(demo_engine: Engine) -> None:
    with store.read_session(demo_engine) as session:
        people = session.exec(select(Staff)).all()
        shown = [pay_settings(session, p.id, actor=MANAGER) for p in people if p.id is not None]
    assert people and all(s.version == 1 and s.amount != "not set" and s.pto_plan for s in shown)
