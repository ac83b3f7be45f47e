"""The patient ledger: their share of each visit, payments at the desk, refunds, write-offs, and the drawer.

A balance is always the sum of the patient's entries (models.ledger). The patient's share of a claim follows the
claim: `follow_claim` adds whatever entry makes the ledger's share of that claim equal the claim's patient
responsibility (posted from remittances) plus, once the claim is closed as sent to the patient, what the payers
left unpaid; while a secondary plan is still to bill or to answer (Claim.secondary_owed) the share is nothing yet.
Voids, refunds and courtesy discounts are the manager's; every entry is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import Claim, CloseReason, DrawerClose, EntryKind, LedgerEntry, Patient, PayMethod
from officemgr.plaintext import unsafe_character
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.calendar import practice_calendar
from officemgr.services.closed_months import closed_month, guard
from officemgr.services.common import ServiceError, created_fields, record
from officemgr.services.format import money

MAX_PAYMENT_CENTS = 10_000_000  # $100,000.00: more is a typing slip, not a copay
MAX_DRAWER_CENTS = 10_000_000  # $100,000.00 in one drawer: more is a typing slip
CLAIM_SHARE = (EntryKind.patient_share, EntryKind.sent_to_patient)
CORRECTABLE = (EntryKind.payment, EntryKind.refund, EntryKind.small_balance, EntryKind.courtesy)


@dataclass(frozen=True)
class EntryRow:
    id: int
    day: date
    kind: EntryKind
    amount_cents: int
    balance_cents: int  # the balance after this entry
    claim_id: int | None
    method: PayMethod | None
    reference: str
    reason: str
    receipt: str
    actor: str
    voided: bool

    @property
    def what(self) -> str:
        how = f" ({self.method.value}{' ' + self.reference if self.reference else ''})" if self.method else ""
        return f"{self.kind.label}{how}"


@dataclass(frozen=True)
class Receipt:
    """What a payment's receipt shows."""

    number: str
    entry_id: int
    patient: str
    account: str
    day: date
    amount_cents: int
    method: PayMethod
    reference: str
    balance_cents: int  # after the payment (negative: a credit)
    taken_by: str


@dataclass(frozen=True)
class PaidOut:
    """Money that left the practice on the day: a refund, or a payment of an earlier, closed day given back (a
    returned check, a card payment reversed). Only cash comes out of the drawer; a refund by the practice's own check
    or to a card is paid out apart from it, never in the deposit."""

    entry_id: int
    method: PayMethod
    what: str  # "refund by check #5001", "returned check #3301", "refund in cash"
    cents: int  # paid out (negative: a refund voided once its day was closed, the money back in)
    actor: str

    @property
    def from_drawer(self) -> bool:
        return self.method is PayMethod.cash


@dataclass(frozen=True)
class DayTakings:
    """by_method: the cash the drawer should hold (cash taken less cash paid back out of it), the patients' checks
    taken and the card payments taken, each less what was voided while the day was open."""

    day: date
    by_method: dict[PayMethod, int]
    payments: list[EntryRow] = field(default_factory=list)
    paid_out: list[PaidOut] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(self.by_method.values())

    @property
    def paid_apart_cents(self) -> int:
        """Paid out by check or to a card: not in the drawer, not in the deposit."""
        return sum(p.cents for p in self.paid_out if not p.from_drawer)

    @property
    def deposit_cents(self) -> int:
        """What goes to the bank: cash and checks (card payments settle through the processor)."""
        return self.by_method[PayMethod.cash] + self.by_method[PayMethod.check]


@dataclass(frozen=True)
class DrawerCount:
    day: date
    counted_cash_cents: int
    counted_checks_cents: int
    recorded_cash_cents: int
    recorded_checks_cents: int

    @property
    def cash_over_cents(self) -> int:
        """Counted less recorded: positive over, negative short."""
        return self.counted_cash_cents - self.recorded_cash_cents

    @property
    def checks_over_cents(self) -> int:
        return self.counted_checks_cents - self.recorded_checks_cents

    @property
    def balanced(self) -> bool:
        return self.cash_over_cents == 0 and self.checks_over_cents == 0


def balance(session: Session, patient_id: int) -> int:
    """What the patient owes now, in cents (negative: a credit)."""
    total = session.exec(select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.patient_id == patient_id)).one()
    return int(total or 0)


def balances(session: Session, patient_ids: list[int]) -> dict[int, int]:
    """Balances of several patients in one query (0 for those with no entries)."""
    if not patient_ids:
        return {}
    rows = session.exec(select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount_cents))
                        .where(col(LedgerEntry.patient_id).in_(patient_ids)).group_by(col(LedgerEntry.patient_id)))
    found = {pid: int(total or 0) for pid, total in rows}
    return {pid: found.get(pid, 0) for pid in patient_ids}


def _add(session: Session, entry: LedgerEntry, *, actor: str, now: datetime) -> LedgerEntry:
    guard(session, entry.day, what=f"a {entry.kind.label} of {money(abs(entry.amount_cents))}", actor=actor, now=now)
    session.add(entry)
    session.flush()
    assert entry.id is not None
    record(session, actor=actor, entity="ledger_entry", entity_id=entry.id, action="create",
           changes=created_fields(entry), now=now)
    return entry


def _claim_share(claim: Claim) -> int:
    """What the patient owes on this claim: their posted responsibility, and the payers' unpaid rest once the
    claim was closed as sent to the patient; nothing while a secondary plan may still pay part of it."""
    if claim.secondary_owed:
        return 0
    share = claim.patient_resp_cents
    if claim.close_reason is CloseReason.sent_to_patient:
        share += claim.balance_cents
    return share


def follow_claim(session: Session, claim: Claim, *, day: date, actor: str, now: datetime) -> int:
    """Bring the ledger's share of `claim` to what the claim says the patient owes (after a remittance posted, a
    reversal, a close sent to the patient, or the secondary's answer). A claim waiting on its secondary plan has
    none on the ledger: what was there is taken back, and comes back as the secondary leaves it. Returns the change
    in cents (0: already equal). The caller commits."""
    return follow_claims(session, [claim], day=day, actor=actor, now=now)


def follow_claims(session: Session, claims: list[Claim], *, day: date, actor: str, now: datetime,
                  override_reason: str = "") -> int:
    """follow_claim for many claims (an 835's), in one read of what the ledger holds for them and one insert of
    what changed. Returns the total change in cents. The caller commits."""
    once = {claim.id: claim for claim in claims if claim.id is not None}  # a claim paid twice in one file
    ids = list(once)
    if not ids:
        return 0
    on_ledger = dict(session.exec(
        select(LedgerEntry.claim_id, func.sum(LedgerEntry.amount_cents))
        .where(col(LedgerEntry.claim_id).in_(ids), col(LedgerEntry.kind).in_(CLAIM_SHARE))
        .group_by(col(LedgerEntry.claim_id))).all())
    entries = []
    for claim in once.values():
        change = _claim_share(claim) - int(on_ledger.get(claim.id) or 0)
        if change:
            kind = EntryKind.sent_to_patient if claim.close_reason is CloseReason.sent_to_patient \
                else EntryKind.patient_share
            why = f"claim {claim.number}" + (": billed to the secondary plan first" if claim.secondary_owed else "")
            entries.append(LedgerEntry(patient_id=claim.patient_id, day=day, at=now, actor=actor, kind=kind,
                                       amount_cents=change, claim_id=claim.id, reason=why))
    if entries:
        guard(session, day, what=f"a patient share of {money(sum(e.amount_cents for e in entries))}", actor=actor,
              now=now, override_reason=override_reason)
    session.add_all(entries)
    session.flush()
    for entry in entries:
        assert entry.id is not None
        record(session, actor=actor, entity="ledger_entry", entity_id=entry.id, action="create",
               changes=created_fields(entry), now=now)
    return sum(entry.amount_cents for entry in entries)


def _patient(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise ServiceError("that patient is no longer on file; reload")
    return patient


def _words(text: str, *, what: str, limit: int = 300) -> str:
    clean = " ".join((text or "").split())
    if unsafe_character(clean, free_text=False):
        raise ServiceError(f"{what}: it has a control character in it; type it again")
    if len(clean) > limit:
        raise ServiceError(f"{what}: at most {limit} characters")
    return clean


def _reference(method: PayMethod, reference: str) -> str:
    text = _words(reference, what="reference", limit=60)
    if method is PayMethod.check and not text:
        raise ServiceError("reference: give the check number")
    if method is PayMethod.card and not re.match(r"\d{4}\b", text):
        raise ServiceError("reference: start with the card's last four digits (e.g. '4242 auth 0815')")
    return text


def _amount(cents: int) -> int:
    if not 0 < cents <= MAX_PAYMENT_CENTS:
        raise ServiceError(f"amount: between $0.01 and {money(MAX_PAYMENT_CENTS)}")
    return cents


def take_payment(session: Session, patient_id: int, cents: int, method: PayMethod | str, reference: str = "", *,
                 claim_id: int | None = None, appointment_id: int | None = None, today: date, actor: str,
                 now: datetime) -> Receipt:
    """A payment at the desk (copay, balance, prepayment): applied to a visit's claim when given, else held on
    account (a credit when it is more than the balance). Commits; returns the receipt."""
    require(actor, Area.desk_money, what="taking a payment")
    how = PayMethod(method)
    patient = _patient(session, patient_id)
    if claim_id is not None:
        claim = session.get(Claim, claim_id)
        if claim is None or claim.patient_id != patient_id:
            raise ServiceError("that claim is not this patient's; choose one of theirs or leave it on account")
    entry = _add(session, LedgerEntry(patient_id=patient_id, day=drawer_day(session, today), at=now, actor=actor,
                                      kind=EntryKind.payment,
                                      amount_cents=-_amount(cents), claim_id=claim_id, appointment_id=appointment_id,
                                      method=how, reference=_reference(how, reference)), actor=actor, now=now)
    assert entry.id is not None
    entry.receipt = f"R{today:%y%m%d}-{entry.id}"
    session.commit()
    return Receipt(entry.receipt, entry.id, patient.name, patient.account or f"{patient_id:06d}", today, cents, how,
                   entry.reference, balance(session, patient_id), actor)


def void(session: Session, entry_id: int, reason: str, *, today: date, actor: str, now: datetime) -> None:
    """Undo a payment, refund or adjustment by an entry of the opposite amount (the manager's, with a reason).
    Commits.

    The day the void counts on keeps every closed drawer as it was counted. While the voided payment's (or
    refund's) day is not closed, the void counts on that same day: the payment leaves that day's takings and deposit
    slip as if it was never taken. Once that day is closed, its figures never change: the void counts on the day it
    is made, as money paid back out of that day's drawer (the next open day, when today's drawer is closed too). A
    void of an adjustment counts on the day it is made.
    """
    require(actor, Area.money_corrections, what="voiding a ledger entry")
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise ServiceError("that entry is no longer on file; reload")
    if entry.kind not in CORRECTABLE:
        raise ServiceError(f"a {entry.kind.label} entry follows its claim: change the claim, not the ledger")
    if session.exec(select(LedgerEntry).where(LedgerEntry.voids_id == entry_id)).first() is not None:
        raise ServiceError("that entry was already voided")
    why = _words(reason, what="reason")
    if not why:
        raise ServiceError("reason: say why the entry is voided")
    _add(session, LedgerEntry(patient_id=entry.patient_id, day=_void_day(session, entry, today), at=now, actor=actor,
                              kind=EntryKind.void, amount_cents=-entry.amount_cents, claim_id=entry.claim_id,
                              method=entry.method, reason=why, voids_id=entry_id), actor=actor, now=now)
    session.commit()


def _void_day(session: Session, entry: LedgerEntry, today: date) -> date:
    """The day a void of `entry` counts on (void's rule; an entry in a closed month is voided in the open one)."""
    if entry.method is None:
        return today
    if drawer_count(session, entry.day) is None and closed_month(session, entry.day) is None:
        return entry.day
    return drawer_day(session, today)


def drawer_day(session: Session, today: date) -> date:
    """The day money through the drawer now counts on: today, or the next business day once today's drawer is
    closed (its count stands as counted)."""
    if drawer_count(session, today) is None:
        return today
    return practice_calendar(session).next_business_day(today + timedelta(days=1))


def refund(session: Session, patient_id: int, cents: int, method: PayMethod | str, reason: str, *,
           reference: str = "", today: date, actor: str, now: datetime) -> None:
    """Give back (part of) a patient's credit (the manager's, with a reason). Commits."""
    require(actor, Area.money_corrections, what="refunding a patient")
    _patient(session, patient_id)
    credit = -balance(session, patient_id)
    if _amount(cents) > credit:
        raise ServiceError(f"amount: the patient's credit is {money(max(0, credit))}; a refund cannot be more")
    why = _words(reason, what="reason")
    if not why:
        raise ServiceError("reason: say why the money is refunded")
    how = PayMethod(method)
    _add(session, LedgerEntry(patient_id=patient_id, day=drawer_day(session, today), at=now, actor=actor,
                              kind=EntryKind.refund,
                              amount_cents=cents, method=how, reference=_words(reference, what="reference", limit=60),
                              reason=why), actor=actor, now=now)
    session.commit()


def write_off_small(session: Session, patient_id: int, *, today: date, actor: str, now: datetime) -> int:
    """Write off a balance too small to bill (at most setting small_balance_cents). Returns the amount. Commits."""
    require(actor, Area.desk_money, what="writing off a small balance")
    _patient(session, patient_id)
    owed, limit = balance(session, patient_id), int(settings.get(session, "small_balance_cents"))
    if owed <= 0:
        raise ServiceError("the patient owes nothing; there is nothing to write off")
    if owed > limit:
        raise ServiceError(f"{money(owed)} is more than a small balance ({money(limit)} or less): bill it, or ask "
                           "the manager for a courtesy discount")
    _add(session, LedgerEntry(patient_id=patient_id, day=today, at=now, actor=actor, kind=EntryKind.small_balance,
                              amount_cents=-owed, reason=f"small balance (up to {money(limit)})"), actor=actor, now=now)
    session.commit()
    return owed


def courtesy(session: Session, patient_id: int, cents: int, reason: str, *, today: date, actor: str,
             now: datetime) -> None:
    """A discount the practice chooses to give, up to what the patient owes (the manager's, with a reason). Commits."""
    require(actor, Area.money_corrections, what="a courtesy discount")
    _patient(session, patient_id)
    owed = balance(session, patient_id)
    if _amount(cents) > owed:
        raise ServiceError(f"amount: the patient owes {money(max(0, owed))}; a discount cannot be more")
    why = _words(reason, what="reason")
    if not why:
        raise ServiceError("reason: say why the discount is given")
    _add(session, LedgerEntry(patient_id=patient_id, day=today, at=now, actor=actor, kind=EntryKind.courtesy,
                              amount_cents=-cents, reason=why), actor=actor, now=now)
    session.commit()


def entries(session: Session, patient_id: int, *, limit: int = 200) -> list[EntryRow]:
    """The patient's newest entries (at most `limit`), newest first, each with the balance after it."""
    rows = session.exec(select(LedgerEntry).where(LedgerEntry.patient_id == patient_id)
                        .order_by(col(LedgerEntry.id).desc()).limit(limit)).all()
    voided = {v for v in session.exec(select(LedgerEntry.voids_id).where(
        LedgerEntry.patient_id == patient_id, col(LedgerEntry.voids_id).is_not(None))) if v is not None}
    running = balance(session, patient_id)
    found = []
    for e in rows:
        assert e.id is not None
        found.append(EntryRow(e.id, e.day, e.kind, e.amount_cents, running, e.claim_id, e.method, e.reference,
                              e.reason, e.receipt, e.actor, e.id in voided))
        running -= e.amount_cents
    return found


def day_takings(session: Session, day: date) -> DayTakings:
    """The day's payments by method, and what was paid out (refunds, voids of payments of an earlier, closed day).
    A payment voided while its day was open is neither listed nor counted (void's rule). Cash paid out comes out of
    the drawer's cash; a check or card paid out is listed apart and leaves the checks and cards as taken."""
    query = select(LedgerEntry).where(LedgerEntry.day == day, col(LedgerEntry.method).is_not(None),
                                      col(LedgerEntry.kind).in_((EntryKind.payment, EntryKind.refund,
                                                                 EntryKind.void)))
    rows = session.exec(query.order_by(col(LedgerEntry.id))).all()
    here = {e.id for e in rows}
    undone = {e.voids_id for e in rows if e.voids_id in here}
    earlier = [e.voids_id for e in rows if e.voids_id is not None and e.voids_id not in here]
    voided = {e.id: e for e in session.exec(select(LedgerEntry).where(col(LedgerEntry.id).in_(earlier)))} \
        if earlier else {}
    totals = dict.fromkeys(PayMethod, 0)
    payments, paid_out = [], []
    for e in rows:
        assert e.method is not None and e.id is not None
        if e.id in undone or e.voids_id in undone:
            continue
        if e.kind is EntryKind.payment:
            totals[e.method] -= e.amount_cents  # a payment is negative on the ledger, positive in the drawer
            payments.append(EntryRow(e.id, e.day, e.kind, e.amount_cents, 0, e.claim_id, e.method, e.reference,
                                     e.reason, e.receipt, e.actor, False))
            continue
        if e.method is PayMethod.cash:
            totals[PayMethod.cash] -= e.amount_cents
        original = voided.get(e.voids_id) if e.voids_id is not None else None
        paid_out.append(PaidOut(e.id, e.method, _paid_out_what(e, original), e.amount_cents, e.actor))
    return DayTakings(day, totals, payments, paid_out)


def _paid_out_what(entry: LedgerEntry, original: LedgerEntry | None) -> str:
    """What a refund, or a void of an earlier day's payment or refund, was, in the drawer's words."""
    source = original or entry
    method, number = source.method, source.reference
    assert method is not None, "day_takings reads entries with a method; a void has its original's"
    if source.kind is EntryKind.refund:
        what = {PayMethod.cash: "refund in cash",
                PayMethod.check: "refund by check" + (f" #{number}" if number else ""),
                PayMethod.card: "refund to card" + (f" {number}" if number else "")}[method]
        return what + (" voided" if original is not None else "")
    return {PayMethod.cash: f"cash payment of {source.day:%m/%d/%Y} given back",
            PayMethod.check: "returned check" + (f" #{number}" if number else ""),
            PayMethod.card: "card payment" + (f" {number}" if number else "") + " reversed"}[method]


def close_drawer(session: Session, day: date, counted_cash_cents: int, counted_checks_cents: int, *, note: str = "",
                 actor: str, now: datetime) -> DrawerCount:
    """Record the count of the day's cash and checks beside what was recorded; once per day. Commits."""
    require(actor, Area.desk_money, what="closing the drawer")
    for what, cents in (("cash", counted_cash_cents), ("checks", counted_checks_cents)):
        if not 0 <= cents <= MAX_DRAWER_CENTS:
            raise ServiceError(f"{what}: a count from $0.00 to {money(MAX_DRAWER_CENTS)}")
    if session.exec(select(DrawerClose).where(DrawerClose.day == day)).first() is not None:
        raise ServiceError(f"the drawer for {day:%m/%d/%Y} was already closed")
    takings = day_takings(session, day)
    off = (counted_cash_cents, counted_checks_cents) != (takings.by_method[PayMethod.cash],
                                                         takings.by_method[PayMethod.check])
    if off and not _words(note, what="note"):
        raise ServiceError("note: the count does not match what was recorded; say why (e.g. a check left in the safe)")
    row = DrawerClose(day=day, at=now, actor=actor, counted_cash_cents=counted_cash_cents,
                      counted_checks_cents=counted_checks_cents,
                      recorded_cash_cents=takings.by_method[PayMethod.cash],
                      recorded_checks_cents=takings.by_method[PayMethod.check], note=_words(note, what="note"))
    session.add(row)
    session.flush()
    assert row.id is not None
    record(session, actor=actor, entity="drawer_close", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return DrawerCount(day, counted_cash_cents, counted_checks_cents, row.recorded_cash_cents,
                       row.recorded_checks_cents)


def drawer_count(session: Session, day: date) -> DrawerCount | None:
    """The day's drawer count at close, or None when the drawer was not closed that day."""
    row = session.exec(select(DrawerClose).where(DrawerClose.day == day)).first()
    if row is None:
        return None
    return DrawerCount(day, row.counted_cash_cents, row.counted_checks_cents, row.recorded_cash_cents,
                       row.recorded_checks_cents)
