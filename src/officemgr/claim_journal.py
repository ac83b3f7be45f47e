"""Dated postings for claims that have none, derived from their running totals (SQLAlchemy Core only).

Migration 0021 runs this on an existing practice's claims, and the demo after writing its claims; both must derive
the same journal, so this module names its tables itself (not the app's models) and is kept stable: a change to
what it derives is a new migration, not an edit here.

A claim's journal (services.claim_postings) sums to what the A/R aging counts of it: its balance (billed less
paid, adjusted, patient share and written off, never below zero: an overpayment's excess is a credit held apart,
posted as an adjustment with no CARC group), nothing once it is closed (a balance sent to the patient moved to the
patient's ledger, posted as a patient share; any other closed claim's balance posted as written off: a claim
written off before written_off_cents existed, or closed by the billing system with no reason).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

BATCH = 500  # claims read per round: a practice's whole history is never loaded at once

_claim = sa.table(
    "claim", sa.column("id", sa.Integer), sa.column("service_date", sa.Date), sa.column("billed_cents", sa.Integer),
    sa.column("paid_cents", sa.Integer), sa.column("secondary_paid_cents", sa.Integer),
    sa.column("adjusted_cents", sa.Integer), sa.column("patient_resp_cents", sa.Integer),
    sa.column("written_off_cents", sa.Integer), sa.column("status", sa.String), sa.column("close_reason", sa.String),
    sa.column("submitted_on", sa.Date), sa.column("last_activity", sa.Date))
_posting = sa.table(
    "claim_posting", sa.column("claim_id", sa.Integer), sa.column("day", sa.Date), sa.column("kind", sa.String),
    sa.column("carc_group", sa.String), sa.column("amount_cents", sa.Integer), sa.column("source", sa.String),
    sa.column("at", sa.DateTime), sa.column("actor", sa.String))
_event = sa.table(
    "claim_event", sa.column("claim_id", sa.Integer), sa.column("at", sa.DateTime),
    sa.column("to_status", sa.String), sa.column("amount_cents", sa.Integer))
_remittance_claim = sa.table(
    "remittance_claim", sa.column("claim_id", sa.Integer), sa.column("check_id", sa.Integer),
    sa.column("posted", sa.Boolean))
_check = sa.table("remittance_check", sa.column("id", sa.Integer), sa.column("paid_on", sa.Date))
_ledger = sa.table("ledger_entry", sa.column("claim_id", sa.Integer), sa.column("day", sa.Date),
                   sa.column("kind", sa.String))

SENT_TO_PATIENT = "sent_to_patient"
CLOSED_STATUS = "closed"
CLOSED = ("closed", "written_off")  # a close's history event: to closed, or to written_off (services.claim_flow)


def claim_postings(money: dict[str, Any], *, charged: date, answered: date, closed: date, shared: date | None = None,
                   sent: date | None = None) -> list[tuple[date, str, str, int]]:
    """(day, kind, CARC group, cents) of the postings that bring a claim's journal from nothing to its totals. The
    patient share moves on the day the patient's ledger took it (`shared`, `sent`; a share the ledger only took
    with the balance sent to the patient moves then) where it did, so a month's transfer out of insurance A/R is the
    ledger's transfer in."""
    raw = (money["billed_cents"] - money["paid_cents"] - money["secondary_paid_cents"] - money["adjusted_cents"]
           - money["patient_resp_cents"] - money["written_off_cents"])
    rest = max(0, raw) if money["status"] == CLOSED_STATUS else 0
    sent_cents = rest if money["close_reason"] == SENT_TO_PATIENT else 0
    rows = [(charged, "charge", "", money["billed_cents"]),
            (answered, "payment", "", -(money["paid_cents"] + money["secondary_paid_cents"])),
            (answered, "adjustment", "CO", -money["adjusted_cents"]),
            (shared or answered, "patient_share", "", -money["patient_resp_cents"]),
            (closed, "write_off", "", -(money["written_off_cents"] + rest - sent_cents)),
            (answered, "adjustment", "", max(0, -raw)),  # an overpayment: the excess is no A/R
            (sent or closed, "patient_share", "", -sent_cents)]
    return [row for row in rows if row[3]]


def backfill_claims(conn: sa.Connection, *, at: datetime, actor: str = "backfill") -> int:
    """Write the postings of every claim that has none, dated from the best dates on file, none after `at`'s day:
    the charge on the date of service; payments, adjustments and the patient share on the day the claim was
    answered (its latest remittance check's date, else its latest history event with an amount, else its last
    activity, else the day it was submitted, else the date of service); a write-off (or a balance sent to the
    patient) on the day it was closed (its latest history event to closed, else its last activity). Returns how
    many claims got postings. The caller commits."""
    run_day = at.date()
    done = 0
    last_id = 0
    while True:
        claims = conn.execute(
            sa.select(_claim).where(
                _claim.c.id > last_id,
                ~sa.exists().where(_posting.c.claim_id == _claim.c.id))
            .order_by(_claim.c.id).limit(BATCH)).mappings().all()
        if not claims:
            return done
        last_id = claims[-1]["id"]
        ids = [row["id"] for row in claims]
        checks: dict[int, date] = _pairs(conn.execute(
            sa.select(_remittance_claim.c.claim_id, sa.func.max(_check.c.paid_on))
            .join(_check, _check.c.id == _remittance_claim.c.check_id)
            .where(_remittance_claim.c.claim_id.in_(ids), _remittance_claim.c.posted)
            .group_by(_remittance_claim.c.claim_id)))
        paid_events: dict[int, datetime] = _pairs(conn.execute(
            sa.select(_event.c.claim_id, sa.func.max(_event.c.at))
            .where(_event.c.claim_id.in_(ids), _event.c.amount_cents != 0)
            .group_by(_event.c.claim_id)))
        closes: dict[int, datetime] = _pairs(conn.execute(
            sa.select(_event.c.claim_id, sa.func.max(_event.c.at))
            .where(_event.c.claim_id.in_(ids), _event.c.to_status.in_(CLOSED))
            .group_by(_event.c.claim_id)))
        shares = _ledger_days(conn, ids, "patient_share")
        sends = _ledger_days(conn, ids, SENT_TO_PATIENT)
        rows = []
        for claim in claims:
            event = paid_events.get(claim["id"])
            answered = _first(checks.get(claim["id"]), event.date() if event else None, claim["last_activity"],
                              claim["submitted_on"], claim["service_date"])
            close = closes.get(claim["id"])
            closed = _first(close.date() if close else None, claim["last_activity"], answered)
            for day, kind, group, cents in claim_postings(
                    dict(claim), charged=min(claim["service_date"], run_day), answered=min(answered, run_day),
                    closed=min(closed, run_day),
                    shared=_capped(shares.get(claim["id"]) or sends.get(claim["id"]), run_day),
                    sent=_capped(sends.get(claim["id"]), run_day)):
                rows.append({"claim_id": claim["id"], "day": day, "kind": kind, "carc_group": group,
                             "amount_cents": cents, "source": "backfill", "at": at, "actor": actor})
            done += 1 if rows and rows[-1]["claim_id"] == claim["id"] else 0
        if rows:
            conn.execute(sa.insert(_posting), rows)


def _ledger_days(conn: sa.Connection, ids: list[int], kind: str) -> dict[int, date]:
    """The first day each claim's share of `kind` reached its patient's ledger."""
    return _pairs(conn.execute(
        sa.select(_ledger.c.claim_id, sa.func.min(_ledger.c.day))
        .where(_ledger.c.claim_id.in_(ids), _ledger.c.kind == kind).group_by(_ledger.c.claim_id)))


def _capped(day: date | None, run_day: date) -> date | None:
    return None if day is None else min(day, run_day)


def _pairs(rows: sa.Result[int, Any]) -> dict[int, Any]:
    return {row[0]: row[1] for row in rows}


def _first(*days: date | None) -> date:
    for day in days:
        if day is not None:
            return day
    raise AssertionError("a claim always has its date of service")
