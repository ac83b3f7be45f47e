"""Patients and money at the desk: insurance plans, the patient ledger, payments and the drawer, last month's
statement run and a payment plan.

One patient has a secondary plan that the latest claim their primary paid with a share left is still to be billed
to ("bill secondary"): that share is not on their ledger yet. Every other patient's share of a claim is on the
ledger as the services would have put it there (services.ledger's rule), dated when the payer answered; most are
paid some weeks later, some in part, some not at all, so balances of every age are there. Copays taken at check-in
over the last two weeks are credits, each day's drawer counted at close.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from officemgr.demo._db import DEMO_CALENDAR, _clinic_days, _insert, _open_on_or_before, _with_ids
from officemgr.demo._types import DemoSummary, PatientRef, Person, Row
from officemgr.models import (
    Appointment,
    ApptStatus,
    Claim,
    ClaimStatus,
    CloseReason,
    DrawerClose,
    InsurancePlan,
    LedgerEntry,
    Payer,
    PaymentPlan,
    Role,
    Statement,
)
from officemgr.models.base import table_of
from officemgr.services.statements import dunning_for, open_charges

COPAYS = (2000, 2500, 3000, 4000)
METHODS = ("cash", "card", "card", "check")


def _add_desk(conn: Connection, rng: random.Random, staff: list[Person], patients: list[PatientRef], today: date,
              summary: DemoSummary) -> None:
    desk = [p.name.split()[0].lower() for p in staff if p.role is Role.front_desk] or ["desk"]
    summary.insurance_plans = _add_plans(conn, rng, patients, today)
    entries = _shares_and_payments(conn, rng, desk, today)
    entries += _copays(conn, rng, desk, today)
    rows = _with_ids(conn, LedgerEntry, sorted(entries, key=lambda e: (e["day"], e["at"])))
    for row in rows:
        if row["kind"] == "payment":
            row["receipt"] = f"R{row['day']:%y%m%d}-{row['id']}"
    summary.ledger_entries = _insert(conn, LedgerEntry, rows)
    summary.drawer_closes = _drawers(conn, rows, desk, today)
    summary.statements = _statement_run(conn, rows, desk, today)
    summary.payment_plans = _payment_plan(conn, rows, today)


def _add_plans(conn: Connection, rng: random.Random, patients: list[PatientRef], today: date) -> int:
    payer_table = table_of(Payer).c
    payers = {name: id_ for name, id_ in conn.execute(select(payer_table.name, payer_table.id))}
    claims = table_of(Claim).c
    usual = dict(conn.execute(select(claims.patient_id, claims.payer_id).order_by(claims.service_date)).all())
    medicare = next((id_ for name, id_ in payers.items() if "medicare" in name.lower()), None)
    secondary = _secondary_claim(conn, today)
    if secondary is not None:
        usual[secondary.patient_id] = secondary.payer_id  # the plan that paid it is their primary
    rows: list[Row] = []
    for ref in patients:
        payer = usual.get(ref.id) or rng.choice(list(payers.values()))
        verified = today - timedelta(days=rng.randint(0, 28)) if rng.random() < 0.8 else None
        ended = _open_on_or_before(today - timedelta(days=rng.randint(5, 40))) if rng.random() < 0.05 else None
        rows.append(_plan(ref.id, payer, "primary", rng, verified, ended))
        if ref.age >= 65 and medicare is not None and payer != medicare and rng.random() < 0.5:
            rows.append(_plan(ref.id, medicare, "secondary", rng, verified, None))
    if secondary is not None:
        rows = [r for r in rows if (r["patient_id"], r["rank"]) != (secondary.patient_id, "secondary")]
        # Medicaid pays last: after Medicare (a dual-eligible patient) or after an employer's plan.
        second = payers.get("Medicaid") or next(i for i in payers.values() if i != secondary.payer_id)
        # Its own generator: the other patients' plans and the ledger draw as they would without it.
        rows.append(_plan(secondary.patient_id, second, "secondary", random.Random(f"secondary:{secondary.id}"),
                          today - timedelta(days=3), None))
        conn.execute(update(table_of(Claim)).where(table_of(Claim).c.id == secondary.id)
                     .values(secondary_payer_id=second))
    return _insert(conn, InsurancePlan, _with_ids(conn, InsurancePlan, rows))


class _Secondary(NamedTuple):
    id: int  # the claim's
    patient_id: int
    payer_id: int  # the primary's


def _secondary_claim(conn: Connection, today: date) -> _Secondary | None:
    """The latest claim of the last two months the primary paid with a patient share left."""
    claims = table_of(Claim).c
    found = conn.execute(select(claims.id, claims.patient_id, claims.payer_id).where(
        claims.status == ClaimStatus.paid.value, claims.patient_resp_cents > 0,
        claims.service_date >= today - timedelta(days=60)).order_by(claims.service_date.desc(), claims.id.desc())
    ).first()
    return None if found is None else _Secondary(*found)


def _plan(patient_id: int, payer_id: int, rank: str, rng: random.Random, verified: date | None,
          ended: date | None) -> Row:
    return {"patient_id": patient_id, "payer_id": payer_id, "rank": rank, "version": 1,
            "member_id": f"{rng.choice('WXYZ')}{rng.randint(100000000, 999999999)}",
            "group_number": f"G{rng.randint(1000, 9999)}" if rank == "primary" else "",
            "relationship": "self", "subscriber_name": "", "subscriber_dob": None, "effective": None,
            "termination": ended, "copay_cents": rng.choice(COPAYS) if rank == "primary" else 0,
            "deductible_cents": rng.choice((50000, 100000, 150000)) if rank == "primary" else 0,
            "verified_on": verified, "verified_by": "portal" if verified else "",
            "verified_result": "active" if verified else None, "verified_note": ""}


def _entry(patient_id: int, day: date, kind: str, cents: int, actor: str, **more: object) -> Row:
    return {"patient_id": patient_id, "day": day, "at": datetime.combine(day, time(10, 0)), "actor": actor,
            "kind": kind, "amount_cents": cents, "claim_id": None, "appointment_id": None, "method": None,
            "reference": "", "reason": "", "receipt": "", "voids_id": None, **more}


def _reference(rng: random.Random, method: str) -> str:
    if method == "check":
        return str(rng.randint(1001, 9999))
    return f"{rng.randint(0, 9999):04d} auth {rng.randint(100000, 999999)}" if method == "card" else ""


def _shares_and_payments(conn: Connection, rng: random.Random, desk: list[str], today: date) -> list[Row]:
    claims = table_of(Claim).c
    rows = conn.execute(select(claims.id, claims.number, claims.patient_id, claims.service_date, claims.billed_cents,
                               claims.paid_cents, claims.adjusted_cents, claims.patient_resp_cents,
                               claims.close_reason, claims.last_activity, claims.secondary_payer_id,
                               claims.secondary_answered_on))
    entries: list[Row] = []
    for claim_id, number, patient_id, served, billed, paid, adjusted, share, reason, last, second, answered in rows:
        kind, owed = "patient_share", share
        if reason == CloseReason.sent_to_patient.value:
            kind, owed = "sent_to_patient", share + max(0, billed - paid - adjusted - share)
        if owed <= 0 or (second is not None and answered is None):
            continue  # nothing owed, or not the patient's until the secondary plan answers
        posted = min(last or served + timedelta(days=25), today)
        entries.append(_entry(patient_id, posted, kind, owed, "biller", claim_id=claim_id, reason=f"claim {number}"))
        roll = rng.random()
        paid_on = _open_on_or_before(posted + timedelta(days=rng.randint(5, 45)))
        if roll > 0.75 or paid_on >= today:
            continue  # not paid yet: a balance that ages
        amount = owed if roll < 0.65 else max(100, owed // 2)
        method = rng.choice(METHODS)
        entries.append(_entry(patient_id, paid_on, "payment", -amount, rng.choice(desk), claim_id=claim_id,
                              method=method, reference=_reference(rng, method)))
    return entries


def _copays(conn: Connection, rng: random.Random, desk: list[str], today: date) -> list[Row]:
    appts = table_of(Appointment).c
    since = DEMO_CALENDAR.business_days(today - timedelta(days=16), today - timedelta(days=1))
    if not since:
        return []
    visits = conn.execute(select(appts.id, appts.patient_id, appts.start).where(
        appts.status == ApptStatus.checked_out.value, appts.start >= datetime.combine(since[0], time.min),
        appts.start < datetime.combine(today, time.min)))
    entries = []
    for appt_id, patient_id, start in visits:
        if rng.random() < 0.45:
            method = rng.choice(METHODS)
            entries.append(_entry(patient_id, start.date(), "payment", -rng.choice(COPAYS), rng.choice(desk),
                                  appointment_id=appt_id, method=method, reference=_reference(rng, method),
                                  at=start - timedelta(minutes=5)))
    return entries


def _drawers(conn: Connection, entries: list[Row], desk: list[str], today: date) -> int:
    """Each open day of the last two weeks counted at close; one of them $5.00 short."""
    days = _clinic_days(today - timedelta(days=16), today - timedelta(days=1))
    rows: list[Row] = []
    for n, day in enumerate(days):
        cash = -sum(e["amount_cents"] for e in entries if e["day"] == day and e["method"] == "cash")
        checks = -sum(e["amount_cents"] for e in entries if e["day"] == day and e["method"] == "check")
        short = 500 if n == len(days) - 2 and cash >= 500 else 0
        rows.append({"day": day, "at": datetime.combine(day, time(17, 15)), "actor": desk[n % len(desk)],
                     "counted_cash_cents": cash - short, "counted_checks_cents": checks, "recorded_cash_cents": cash,
                     "recorded_checks_cents": checks, "note": "$5.00 short, recounted twice" if short else ""})
    return _insert(conn, DrawerClose, _with_ids(conn, DrawerClose, rows))


def _by_patient(entries: list[Row]) -> dict[int, list[tuple[date, int]]]:
    found: dict[int, list[tuple[date, int]]] = {}
    for e in sorted(entries, key=lambda e: (e["day"], e["id"])):
        found.setdefault(e["patient_id"], []).append((e["day"], e["amount_cents"]))
    return found


def _statement_run(conn: Connection, entries: list[Row], desk: list[str], today: date) -> int:
    """Last month's run: everyone who owed $10.00 or more then, at the firmness their oldest charge called for."""
    run = _open_on_or_before(today - timedelta(days=31))
    rows: list[Row] = []
    for patient_id, items in _by_patient([e for e in entries if e["day"] <= run]).items():
        left = open_charges(items)
        owed = sum(c.cents for c in left)
        if owed >= 1000:
            oldest = (run - left[0].day).days
            rows.append({"patient_id": patient_id, "day": run, "balance_cents": owed, "oldest_days": oldest,
                         "dunning": dunning_for(oldest).value, "actor": desk[0]})
    return _insert(conn, Statement, _with_ids(conn, Statement, rows))


def _payment_plan(conn: Connection, entries: list[Row], today: date) -> int:
    """The largest balance is on a $50.00 plan due the 15th since two months ago, with no payment since."""
    balances: dict[int, int] = {}
    for e in entries:
        balances[e["patient_id"]] = balances.get(e["patient_id"], 0) + e["amount_cents"]
    if not balances or max(balances.values()) <= 5000:
        return 0
    patient_id = max(balances, key=lambda pid: (balances[pid], -pid))
    start = (today.replace(day=1) - timedelta(days=50)).replace(day=1)
    plan = {"patient_id": patient_id, "amount_cents": 5000, "day_of_month": 15, "start": start, "ended": None,
            "note": "agreed at the desk", "version": 1}
    return _insert(conn, PaymentPlan, _with_ids(conn, PaymentPlan, [plan]))

