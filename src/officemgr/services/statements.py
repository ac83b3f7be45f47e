"""Patient statements, their age, collections and payment plans.

Age is first in, first out: a payment pays the patient's oldest charge first (one taken for a claim pays that
claim's charge first, then the oldest), so what is left is the newest charges, each as old as the day it was
posted. A statement asks for what insurance is no longer working on (the patient's share of claims still open with
their payer is left out until the payer is done), once per cycle, and more firmly as the oldest unpaid charge ages:
a statement, 30/60/90 days past due, then a final notice, after which the manager may send the balance to
collections (no more statements then).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_STATUSES,
    Claim,
    CollectionReferral,
    Dunning,
    EntryKind,
    LedgerEntry,
    Patient,
    PaymentPlan,
    Statement,
)
from officemgr.outfiles import OutputRefused, write_private
from officemgr.plaintext import html_text, unsafe_character
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, created_fields, record
from officemgr.services.csv_out import Cell, csv_text, dollars
from officemgr.services.format import money
from officemgr.services.ledger import Receipt

AGE_BANDS = ((120, Dunning.final_notice), (90, Dunning.past_due_90), (60, Dunning.past_due_60),
             (30, Dunning.past_due_30), (0, Dunning.statement))
BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")


@dataclass(frozen=True)
class OpenCharge:
    day: date
    cents: int  # what is left of it after payments, oldest paid first


@dataclass
class _Open:
    day: date
    cents: int
    claim_id: int | None


# A ledger entry as the age reads it: its day, signed cents, and the claim it is for (None: the account).
Posting = tuple[date, int, int | None]


def open_charges(entries: Sequence[tuple[date, int] | Posting]) -> list[OpenCharge]:
    """What is left unpaid of each charge (`entries`: (day, signed cents) or (day, signed cents, claim id), by
    day). What reduces the balance pays the charges of its own claim first, then the oldest; a credit pays the
    next charge as it comes."""
    charges: list[_Open] = []  # oldest first
    credit = 0
    for day, cents, *rest in entries:
        claim = rest[0] if rest else None
        if cents > 0:
            use = min(credit, cents)
            credit -= use
            if cents > use:
                charges.append(_Open(day, cents - use, claim))
            continue
        credit -= cents
        for charge in [c for c in charges if claim is not None and c.claim_id == claim] + charges:
            use = min(credit, charge.cents)
            credit, charge.cents = credit - use, charge.cents - use
        charges = [c for c in charges if c.cents]
    return [OpenCharge(c.day, c.cents) for c in charges]


def bucket_of(days: int) -> str:
    for edge, name in zip((30, 60, 90, 120), BUCKETS, strict=False):
        if days <= edge:
            return name
    return BUCKETS[-1]


@dataclass(frozen=True)
class StatementDue:
    patient_id: int
    name: str
    account: str
    balance_cents: int  # what the statement asks for
    oldest_days: int
    dunning: Dunning
    last_sent: date | None


def _entries_by_patient(session: Session, patient_ids: list[int] | None = None) -> dict[int, list[Posting]]:
    query = select(col(LedgerEntry.patient_id), col(LedgerEntry.day), col(LedgerEntry.amount_cents),
                   col(LedgerEntry.claim_id)).order_by(col(LedgerEntry.day), col(LedgerEntry.id))
    if patient_ids is not None:
        query = query.where(col(LedgerEntry.patient_id).in_(patient_ids))
    found: dict[int, list[Posting]] = defaultdict(list)
    for patient_id, day, cents, claim_id in session.exec(query):
        found[patient_id].append((day, cents, claim_id))
    return found


def _pending_with_insurance(session: Session, patient_ids: list[int]) -> dict[int, int]:
    """The patient share on the ledger of claims still open with their payer, per patient."""
    rows = session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                        .join(Claim, col(Claim.id) == LedgerEntry.claim_id)
                        .where(col(LedgerEntry.patient_id).in_(patient_ids), col(Claim.status).in_(OPEN_STATUSES),
                               col(LedgerEntry.kind).in_((EntryKind.patient_share, EntryKind.sent_to_patient)))
                        .group_by(col(LedgerEntry.patient_id)))
    return {pid: int(total or 0) for pid, total in rows}


def dunning_for(oldest_days: int) -> Dunning:
    return next(level for edge, level in AGE_BANDS if oldest_days >= edge)


def statements_due(session: Session, today: date) -> list[StatementDue]:
    """Every patient a statement should go to today: a billable balance of at least the setting
    statement_min_cents, no statement within statement_cycle_days, not sent to collections. By name."""
    minimum = int(settings.get(session, "statement_min_cents"))
    cycle = int(settings.get(session, "statement_cycle_days"))
    owing = [pid for pid, total in session.exec(
        select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents)).group_by(col(LedgerEntry.patient_id))
    ) if total and total >= minimum]
    if not owing:
        return []
    referred = set(session.exec(select(CollectionReferral.patient_id).where(
        col(CollectionReferral.patient_id).in_(owing))))
    last_sent = dict(session.exec(select(Statement.patient_id, func.max(Statement.day))
                                  .where(col(Statement.patient_id).in_(owing)).group_by(col(Statement.patient_id)))
                     .all())
    pending = _pending_with_insurance(session, owing)
    entries = _entries_by_patient(session, owing)
    patients = {p.id: p for p in session.exec(select(Patient).where(col(Patient.id).in_(owing)))}
    due = []
    for pid in owing:
        sent = last_sent.get(pid)
        if pid in referred or (sent is not None and sent > today - timedelta(days=cycle)):
            continue
        left = open_charges(entries[pid])
        billable = sum(c.cents for c in left) - pending.get(pid, 0)
        if billable < minimum:
            continue
        oldest = (today - left[0].day).days if left else 0
        patient = patients[pid]
        due.append(StatementDue(pid, patient.name, patient.account or f"{pid:06d}", billable, oldest,
                                dunning_for(oldest), sent))
    return sorted(due, key=lambda d: (d.name, d.patient_id))


@dataclass(frozen=True)
class StatementRun:
    count: int
    total_cents: int
    files: list[Path]
    mailing_csv: Path | None



MESSAGES = {
    Dunning.statement: "Thank you for choosing our practice. This is your balance after insurance.",
    Dunning.past_due_30: "Your balance is 30 days past due. Please pay it, or call us to set up a payment plan.",
    Dunning.past_due_60: "Your balance is 60 days past due. Please pay now or call us today.",
    Dunning.past_due_90: "Your balance is 90 days past due. Please call us: we want to work this out with you.",
    Dunning.final_notice: "FINAL NOTICE. Unless paid or arranged within 14 days, this balance may be sent to a "
                          "collection agency.",
}


def statement_html(due: StatementDue, patient: Patient, practice: dict[str, str], today: date,
                   lines: list[tuple[date, str, int]]) -> str:
    """One printable statement page (`lines`: recent ledger lines, (day, what, signed cents))."""
    address = ", ".join(p for p in (patient.address, patient.city, f"{patient.state} {patient.zip_code}".strip()) if p)
    rows = "".join(f"<tr><td>{day:%m/%d/%Y}</td><td>{html_text(what)}</td>"
                   f"<td class=n>{html_text(money(cents))}</td></tr>" for day, what, cents in lines)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Statement {html_text(due.account)}</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}td.n{text-align:right}"
        "table{width:100%;border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.2em}"
        ".due{font-size:1.4em;font-weight:bold}.notice{border:2px solid #000;padding:.5em}</style></head><body>"
        f"<h1>{html_text(practice.get('name') or 'Statement')}</h1>"
        f"<p>{html_text(practice.get('address', ''))}<br>{html_text(practice.get('phone', ''))}</p>"
        f"<p>Statement date {today:%m/%d/%Y} · Account #{html_text(due.account)}</p>"
        f"<p>{html_text(patient.guarantor_name or f'{patient.first_name} {patient.last_name}')}<br>"
        f"{html_text(address)}</p>"
        f"<table><tr><th>Date</th><th>Description</th><th>Amount</th></tr>{rows}</table>"
        f'<p class="due">Amount due: {html_text(money(due.balance_cents))}</p>'
        f'<p class="notice">{html_text(MESSAGES[due.dunning])}</p>'
        "</body></html>\n"
    )


_WHAT = {EntryKind.patient_share: "Your share after insurance", EntryKind.sent_to_patient: "Not paid by insurance",
         EntryKind.payment: "Payment, thank you", EntryKind.refund: "Refund", EntryKind.small_balance: "Adjustment",
         EntryKind.courtesy: "Courtesy discount", EntryKind.void: "Correction"}


def run_statements(session: Session, folder: Path, *, today: date, actor: str, now: datetime) -> StatementRun:
    """Write a statement page for every patient due one (statement-ACCOUNT-DAY.html) and mailing.csv for a mailing
    service in `folder`, and mark them sent. All or nothing: a file that cannot be written sends none. Commits."""
    require(actor, Area.desk_money, what="the statement run")
    due = statements_due(session, today)
    practice = practice_details(session)
    written: list[Path] = []
    try:
        for d in due:
            patient = session.get(Patient, d.patient_id)
            assert patient is not None
            recent = session.exec(select(LedgerEntry).where(LedgerEntry.patient_id == d.patient_id)
                                  .order_by(col(LedgerEntry.id).desc()).limit(12)).all()
            lines = [(e.day, _WHAT[e.kind], e.amount_cents) for e in reversed(recent)]
            path = folder / f"statement-{d.account}-{today:%Y-%m-%d}.html"
            write_private(path, statement_html(d, patient, practice, today, lines).encode("utf-8"))
            written.append(path)
            row = Statement(patient_id=d.patient_id, day=today, balance_cents=d.balance_cents,
                            oldest_days=d.oldest_days, dunning=d.dunning, actor=actor)
            session.add(row)
            session.flush()
            assert row.id is not None
            record(session, actor=actor, entity="statement", entity_id=row.id, action="create",
                   changes=created_fields(row), now=now)
        mailing = None
        if due:
            mailing = folder / f"mailing-{today:%Y-%m-%d}.csv"
            write_private(mailing, _mailing_csv(session, due).encode("utf-8"))
            written.append(mailing)
        session.commit()
    except (OutputRefused, OSError) as exc:
        session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise ServiceError(f"no statement was sent: {exc}") from exc
    return StatementRun(len(due), sum(d.balance_cents for d in due), written, mailing)


def _mailing_csv(session: Session, due: list[StatementDue]) -> str:
    patients = {p.id: p for p in session.exec(select(Patient).where(col(Patient.id).in_([d.patient_id for d in due])))}
    header = ["account", "name", "address", "city", "state", "zip", "amount_due", "notice"]
    rows: list[list[Cell]] = []
    for d in due:
        p = patients[d.patient_id]
        rows.append([d.account, p.guarantor_name or f"{p.first_name} {p.last_name}", p.address, p.city, p.state,
                     p.zip_code, dollars(d.balance_cents), d.dunning.label])
    return csv_text(header, rows)


def send_to_collections(session: Session, patient_id: int, agency: str, *, today: date, actor: str,
                        now: datetime) -> int:
    """The manager sends the patient's balance to a collection agency, after a final notice. Returns the amount.
    Commits."""
    require(actor, Area.money_corrections, what="sending a balance to collections")
    name = " ".join((agency or "").split())
    if not name or len(name) > 80 or unsafe_character(name, free_text=False):
        raise ServiceError("agency: name the collection agency (up to 80 characters)")
    owed = int(session.exec(select(func.sum(LedgerEntry.amount_cents))
                            .where(LedgerEntry.patient_id == patient_id)).one() or 0)
    if owed <= 0:
        raise ServiceError("the patient owes nothing; there is nothing to send to collections")
    final = session.exec(select(Statement).where(Statement.patient_id == patient_id,
                                                 Statement.dunning == Dunning.final_notice)).first()
    if final is None:
        raise ServiceError("send a final notice first (the statement run sends one once the oldest charge is 120 "
                           "days old)")
    row = CollectionReferral(patient_id=patient_id, day=today, amount_cents=owed, agency=name, actor=actor)
    session.add(row)
    session.flush()
    assert row.id is not None
    record(session, actor=actor, entity="collection_referral", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return owed


def _due_day(year: int, month: int, day_of_month: int) -> date:
    return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def add_payment_plan(session: Session, patient_id: int, amount_cents: int, day_of_month: int, *, start: date,
                     note: str = "", actor: str, now: datetime) -> int:
    """A monthly payment plan; one active plan per patient. Returns its id. Commits."""
    require(actor, Area.desk_money, what="a payment plan")
    if session.get(Patient, patient_id) is None:
        raise ServiceError("that patient is no longer on file; reload")
    if not 0 < amount_cents <= 10_000_000:
        raise ServiceError("amount: between $0.01 and $100,000.00 a month")
    if not 1 <= day_of_month <= 31:
        raise ServiceError("day: a day of the month, 1 to 31 (29-31 fall on a shorter month's last day)")
    if session.exec(select(PaymentPlan).where(PaymentPlan.patient_id == patient_id,
                                              col(PaymentPlan.ended).is_(None))).first() is not None:
        raise ServiceError("the patient already has a payment plan; end it first")
    text = " ".join((note or "").split())
    if unsafe_character(text, free_text=False) or len(text) > 300:
        raise ServiceError("note: at most 300 characters, no control characters")
    plan = PaymentPlan(patient_id=patient_id, amount_cents=amount_cents, day_of_month=day_of_month, start=start,
                       note=text)
    session.add(plan)
    session.flush()
    assert plan.id is not None
    record(session, actor=actor, entity="payment_plan", entity_id=plan.id, action="create",
           changes=created_fields(plan), now=now)
    session.commit()
    return plan.id


def end_payment_plan(session: Session, plan_id: int, *, today: date, actor: str, now: datetime) -> None:
    require(actor, Area.desk_money, what="a payment plan")
    plan = session.get(PaymentPlan, plan_id)
    if plan is None or plan.ended is not None:
        raise ServiceError("that payment plan is not running")
    plan.ended, plan.version = today, plan.version + 1
    record(session, actor=actor, entity="payment_plan", entity_id=plan_id, action="update",
           changes={"ended": [None, today.isoformat()]}, now=now)
    session.commit()


@dataclass(frozen=True)
class MissedPayment:
    patient_id: int
    name: str
    account: str
    due: date
    amount_cents: int
    paid_cents: int  # paid in the month before the due day (through it)


def _previous_month(day: date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def last_due(plan: PaymentPlan, today: date) -> date | None:
    """The plan's most recent due day before today (a payment may come in on the due day itself)."""
    this = _due_day(today.year, today.month, plan.day_of_month)
    due = this if this < today else _due_day(*_previous_month(today), plan.day_of_month)
    return due if due >= plan.start else None


def missed_plan_payments(session: Session, today: date) -> list[MissedPayment]:
    """Running plans whose last due day passed with less than the monthly amount paid since the due day before."""
    missed = []
    for plan in session.exec(select(PaymentPlan).where(col(PaymentPlan.ended).is_(None))):
        due = last_due(plan, today)
        owed = session.exec(select(func.sum(LedgerEntry.amount_cents))
                            .where(LedgerEntry.patient_id == plan.patient_id)).one()
        if due is None or not owed or owed <= 0:
            continue  # not due yet, or paid off: nothing is missed
        before = _due_day(*_previous_month(due), plan.day_of_month)
        paid = -int(session.exec(select(func.sum(LedgerEntry.amount_cents)).where(
            LedgerEntry.patient_id == plan.patient_id, col(LedgerEntry.kind).in_((EntryKind.payment, EntryKind.void)),
            col(LedgerEntry.day) > before, col(LedgerEntry.day) <= due)).one() or 0)
        if paid < plan.amount_cents:
            patient = session.get(Patient, plan.patient_id)
            missed.append(MissedPayment(plan.patient_id, patient.name if patient else "?",
                                        (patient.account if patient else None) or f"{plan.patient_id:06d}", due,
                                        plan.amount_cents, max(0, paid)))
    return sorted(missed, key=lambda m: (m.due, m.name))


def patient_aging(session: Session, today: date) -> dict[str, int]:
    """Patient A/R by the age of each unpaid charge (first in, first out), in the insurance A/R's buckets."""
    totals = dict.fromkeys(BUCKETS, 0)
    for entries in _entries_by_patient(session).values():
        for charge in open_charges(entries):
            totals[bucket_of((today - charge.day).days)] += charge.cents
    return totals


def receipt_html(receipt: Receipt, practice: dict[str, str]) -> str:
    """A payment's receipt as a small printable page."""
    left = "credit on account" if receipt.balance_cents < 0 else "balance"
    how = receipt.method.value + (f" {receipt.reference}" if receipt.reference else "")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Receipt {html_text(receipt.number)}</title>"
        "<style>body{font-family:sans-serif;max-width:24em;margin:1em auto}p{margin:.3em 0}"
        ".paid{font-size:1.3em;font-weight:bold}</style></head><body>"
        f"<h2>{html_text(practice.get('name') or 'Receipt')}</h2><p>{html_text(practice.get('address', ''))}</p>"
        f"<p>Receipt {html_text(receipt.number)} · {receipt.day:%m/%d/%Y}</p>"
        f"<p>{html_text(receipt.patient)} · account #{html_text(receipt.account)}</p>"
        f'<p class="paid">Paid {html_text(money(receipt.amount_cents))} by {html_text(how)}</p>'
        f"<p>Your {left} now: {html_text(money(abs(receipt.balance_cents)))}</p>"
        f"<p>Taken by {html_text(receipt.taken_by.split('@', 1)[0])}. Thank you.</p></body></html>\n"
    )


def save_receipt(folder: Path, receipt: Receipt, practice: dict[str, str]) -> Path:
    """Write receipt-NUMBER.html in `folder` (private; a receipt number is never reused). OutputRefused says why
    it could not be written."""
    path = folder / f"receipt-{receipt.number}.html"
    write_private(path, receipt_html(receipt, practice).encode("utf-8"))
    return path


def practice_details(session: Session) -> dict[str, str]:
    return {k: str(v) for k, v in settings.get(session, "practice").items()}
