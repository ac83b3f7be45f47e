"""Yearly evaluations and payer enrollment (re-credentialing, CAQH), with a few that need attention.

The story: most staff had last year's evaluation done around their hire anniversary; one person's evaluation is
overdue (the anniversary passed a few weeks ago) and one is due within 30 days (those two get their hire day
moved so the story holds for any `today`). Each provider is enrolled with 3–5 of the demo's payers (Medicare
always); one enrollment is due for re-credentialing within 30 days and one provider's CAQH attestation is older
than 120 days. Runs after the claims step, which creates the payers. Nothing points at these rows, so they are
inserted without explicit ids (no sequence to move on PostgreSQL).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert
from officemgr.demo._types import DemoSummary, Person, Row
from officemgr.models import Evaluation, Payer, PayerEnrollment, Role, Staff
from officemgr.models.base import table_of
from officemgr.models.people import CorrectiveAction, CorrectiveKind, PayPeriod, PaySetting, PayType
from officemgr.services.credentials import RECREDENTIAL_YEARS, anniversary

EVALUATION_NOTES = (
    "Meets expectations",
    "Meets expectations; goals set for next year",
    "Exceeds expectations",
    "Exceeds expectations; discussed a lead role",
    "Meets expectations; wants cross-training at the front desk",
    "Needs improvement on charting timeliness; follow-up in 90 days",
)


def _add_staffing(conn: Connection, rng: random.Random, staff: list[Person], today: date,
                  summary: DemoSummary) -> None:
    hired, overdue = _hire_dates(conn, rng, staff, today)
    summary.evaluations = _add_evaluations(conn, rng, staff, hired, overdue, today)
    summary.payer_enrollments = _add_enrollments(conn, rng, staff, hired, today)
    _add_pay_settings(conn)
    _add_written_warning(conn, staff, today)


def _add_written_warning(conn: Connection, staff: list[Person], today: date) -> None:
    """One open written warning at the front desk, its follow-up a week ahead (on the Huddle from that day)."""
    desk = sorted(p.id for p in staff if p.role is Role.front_desk)
    if not desk:
        return
    _insert(conn, CorrectiveAction, [{
        "version": 1, "staff_id": desk[0], "happened_on": today - timedelta(days=21),
        "kind": CorrectiveKind.written_warning.value, "policy": "HIPAA privacy policy",
        "detail": "Read a patient's diagnosis aloud at the check-in window with the waiting room full.",
        "resolution": "Redo the HIPAA privacy training this week; confirm details quietly or on the screen.",
        "follow_up": today + timedelta(days=7), "closed_on": None, "closed_by": ""}])


# Typical pay by role for the demo, in cents: an hourly rate, or a yearly salary for salaried staff.
HOURLY_CENTS = {Role.ma: 2050, Role.nurse: 3900, Role.front_desk: 1875, Role.biller: 2400, Role.manager: 3600,
                Role.np_pa: 6000, Role.physician: 11000}
SALARY_CENTS = {Role.physician: 24_500_000, Role.np_pa: 12_800_000, Role.manager: 7_400_000}


def _add_pay_settings(conn: Connection) -> None:
    """Every demo staff member's pay settings on the practice's biweekly period, from the role and pay type the
    staff step gave them; no random draw, so the rest of the demo is the same as before."""
    table = table_of(Staff)
    rows: list[Row] = []
    for sid, role, pay_type in conn.execute(select(table.c.id, table.c.role, table.c.pay_type).order_by(table.c.id)):
        role, salaried = Role(role), PayType(pay_type) is PayType.salaried
        rows.append({"version": 1, "staff_id": sid, "pay_period": PayPeriod.biweekly.value,
                     "hourly_rate_cents": None if salaried else HOURLY_CENTS[role],
                     "salary_cents": SALARY_CENTS.get(role, 5_200_000) if salaried else None,
                     "pto_plan": "Provider" if role in (Role.physician, Role.np_pa) else "Full-time standard"})
    _insert(conn, PaySetting, rows)


def _last_anniversary(hire: date, today: date) -> date | None:
    """The latest hire anniversary on or before today, or None in the first year."""
    found = anniversary(hire, today.year)
    if found > today:
        found = anniversary(hire, today.year - 1)
    return found if found > hire else None


def _moved(hire: date, target: date, today: date) -> date:
    """`hire` with its month and day moved to those of `target` (Feb 29 becomes Feb 28), at least 3 years ago."""
    day = 28 if (target.month, target.day) == (2, 29) else target.day
    return date(min(hire.year, today.year - 3), target.month, day)


def _hire_dates(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> tuple[dict[int, date], int]:
    """Every person's hire date, and who has the overdue evaluation: two long-serving people get their hire day
    moved, one to a few weeks ago (overdue), one to a few weeks ahead (due within 30 days)."""
    table = table_of(Staff)
    hired = {sid: day for sid, day in conn.execute(select(table.c.id, table.c.hire_date)) if day is not None}
    people = sorted((p.id for p in staff if p.id in hired), key=lambda sid: (hired[sid], sid))
    veterans = [sid for sid in people if hired[sid] <= today - timedelta(days=3 * 365)]
    overdue, soon = rng.sample(veterans, 2) if len(veterans) >= 2 else people[:2]
    hired[overdue] = _moved(hired[overdue], today - timedelta(days=rng.randint(10, 40)), today)
    hired[soon] = _moved(hired[soon], today + timedelta(days=rng.randint(6, 26)), today)
    for sid in (overdue, soon):
        conn.execute(update(table).where(table.c.id == sid).values(hire_date=hired[sid]))
    return hired, overdue


def _add_evaluations(conn: Connection, rng: random.Random, staff: list[Person], hired: dict[int, date],
                     overdue: int, today: date) -> int:
    """Last year's evaluation, done around the anniversary, for everyone past their first year; the overdue
    person's last one is from the year before."""
    rows: list[Row] = []
    for person in staff:
        hire = hired.get(person.id)
        last = _last_anniversary(hire, today) if hire else None
        if hire is None or last is None:
            continue  # in their first year: the first evaluation is on the first anniversary
        if person.id == overdue:
            last = anniversary(hire, last.year - 1)  # this year's anniversary went by without one
        done_on = min(last + timedelta(days=rng.randint(-10, 21)), today - timedelta(days=1))
        rows.append({"staff_id": person.id, "due": last, "done_on": max(done_on, hire),
                     "note": rng.choice(EVALUATION_NOTES)})
    return _insert(conn, Evaluation, rows)


def _add_enrollments(conn: Connection, rng: random.Random, staff: list[Person], hired: dict[int, date],
                     today: date) -> int:
    table = table_of(Payer)
    payers = [(pid, name) for pid, name in conn.execute(select(table.c.id, table.c.name).order_by(table.c.id))]
    providers = [p for p in staff if p.is_provider]
    if not payers or not providers:
        return 0
    medicare = [p for p in payers if p[1] == "Medicare"][:1]
    others = [p for p in payers if p not in medicare]
    lapsed_caqh = rng.choice(providers).id
    rows: list[Row] = []
    for person in providers:
        count = min(rng.randint(3, 5), len(payers))
        chosen = medicare + rng.sample(others, count - len(medicare))
        age = rng.randint(125, 170) if person.id == lapsed_caqh else rng.randint(5, 80)
        attested = today - timedelta(days=age)
        start = hired.get(person.id, today - timedelta(days=365))
        for payer_id, _name in sorted(chosen):
            effective = min(start + timedelta(days=rng.randint(45, 120)), today - timedelta(days=20))
            due = effective + relativedelta(years=RECREDENTIAL_YEARS)
            while due <= today + timedelta(days=45):
                due += relativedelta(years=RECREDENTIAL_YEARS)
            rows.append({"provider_id": person.id, "payer_id": payer_id, "effective": effective,
                         "recredential_due": due, "caqh_attested_on": attested, "note": ""})
    soon = rng.choice(rows)
    soon["recredential_due"] = today + timedelta(days=rng.randint(8, 28))
    soon["note"] = "Re-credentialing packet requested"
    return _insert(conn, PayerEnrollment, rows)

