"""What the Remittances screen reads: each posted 835 (or paper EOB), one remittance's checks, provider-level
adjustments (PLB) and claim payments, the claim payments that matched no claim, and the claims that may be theirs.

Reads only (posting is services.era, matching by hand services.remittances). Every function needs the billing area
to be seen, as the Billing tab does, and returns frozen rows, never table rows.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from officemgr.models import Claim, Patient, Payer, ProviderAdjustment, Remittance, RemittanceClaim
from officemgr.models.billing import RemittanceCheck
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError
from officemgr.services.era_read import NOT_POSTED, PLB_REASONS, Adjustment
from officemgr.services.format import money

PER_PAGE = 40
NEAR_DAYS = 3  # a service date this close to the payer's scores, less than the same day
# How many claims of the same last name (or of the same date and amount) are scored at most: the nearest dates.
SCORED = 200

# CLP02, the claim status code, in words.
STATUS_WORDS = {"1": "primary", "2": "secondary", "3": "tertiary", "19": "primary, sent on to the secondary",
                "20": "secondary, sent on to the tertiary", "21": "tertiary, sent on", "4": "denied",
                "22": "reversal", **{code: f"not paid: {why}" for code, why in NOT_POSTED.items()}}


def status_words(code: str) -> str:
    return STATUS_WORDS.get(code, f"claim status code {code}")


def plb_meaning(reason: str) -> str:
    return PLB_REASONS.get(reason, "provider adjustment")


def _readable(actor: str) -> None:
    require(actor, Area.billing, write=False, what="the remittances")


# --- the list ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemittanceRow:
    remittance_id: int
    imported_at: datetime
    source: str  # the file name, or "paper EOB"
    payer: str  # the checks' payers, joined
    check_number: str  # the checks' numbers, joined
    paid_on: date | None  # the (first) check's date
    paid_cents: int  # what the checks posted from it add up to
    claims: int
    posted: int
    not_posted: int
    plb_cents: int  # provider-level adjustments: positive taken from the checks, negative added


@dataclass(frozen=True)
class RemittancePage:
    rows: tuple[RemittanceRow, ...]
    total: int
    page: int  # from 0; a page past the end is the last one
    per_page: int

    @property
    def offset(self) -> int:
        return self.page * self.per_page

    @property
    def last_page(self) -> int:
        return max(0, (self.total - 1) // self.per_page)


def remittances(session: Session, *, page: int, per_page: int = PER_PAGE, actor: str) -> RemittancePage:
    """One page of remittances, newest first (by id, the primary key), with the total."""
    _readable(actor)
    per_page = max(1, per_page)
    total = session.exec(select(func.count()).select_from(Remittance)).one()
    page = min(max(0, page), max(0, (total - 1) // per_page))
    found = list(session.exec(select(Remittance).order_by(col(Remittance.id).desc())
                              .offset(page * per_page).limit(per_page)))
    ids = [r.id for r in found if r.id is not None]
    checks: dict[int, list[RemittanceCheck]] = defaultdict(list)
    for check in session.exec(select(RemittanceCheck).where(col(RemittanceCheck.remittance_id).in_(ids))
                              .order_by(col(RemittanceCheck.id))):
        checks[check.remittance_id].append(check)
    counts: dict[int, tuple[int, int]] = {}
    for remittance_id, is_posted, number in session.exec(
            select(RemittanceClaim.remittance_id, RemittanceClaim.posted, func.count())
            .where(col(RemittanceClaim.remittance_id).in_(ids))
            .group_by(col(RemittanceClaim.remittance_id), col(RemittanceClaim.posted))):
        was = counts.get(remittance_id, (0, 0))
        counts[remittance_id] = (was[0] + number, was[1]) if is_posted else (was[0], was[1] + number)
    plb: dict[int, int] = dict(session.exec(
        select(RemittanceCheck.remittance_id, func.sum(ProviderAdjustment.amount_cents))
        .join(ProviderAdjustment, col(ProviderAdjustment.check_id) == col(RemittanceCheck.id))
        .where(col(RemittanceCheck.remittance_id).in_(ids))
        .group_by(col(RemittanceCheck.remittance_id))).all())
    rows = []
    for remittance in found:
        assert remittance.id is not None, "a row read has its id"
        own = checks.get(remittance.id, [])
        posted, not_posted = counts.get(remittance.id, (0, 0))
        rows.append(RemittanceRow(
            remittance.id, remittance.imported_at, _source(remittance),
            _joined([c.payer_name for c in own]) or remittance.payer_name,
            _joined([c.check_number for c in own]) or remittance.check_number,
            next((c.paid_on for c in own if c.paid_on), None),
            sum(c.paid_cents for c in own) if own else remittance.paid_cents,
            posted + not_posted, posted, not_posted, int(plb.get(remittance.id) or 0)))
    return RemittancePage(tuple(rows), total, page, per_page)


def _source(remittance: Remittance) -> str:
    return "paper EOB" if remittance.paper else remittance.file_name


def _joined(values: list[str]) -> str:
    return ", ".join(dict.fromkeys(v for v in values if v))


# --- one remittance --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlbLine:
    reason: str
    meaning: str
    reference: str
    cents: int  # positive: taken from the check

    def as_text(self) -> str:
        ref = f" ({self.reference})" if self.reference else ""
        return f"{self.reason} {self.meaning}{ref} {money(-self.cents)}"


@dataclass(frozen=True)
class ClaimPaymentRow:
    remittance_claim_id: int
    check_id: int | None
    claim_number: str  # as the payer sent it
    claim_id: int | None  # the claim it is on (None: matched none)
    patient_name: str  # as the payer sent it
    member_id: str  # as the payer sent it
    service_date: date | None
    status_code: str
    status: str  # the status code in words
    charge_cents: int
    paid_cents: int
    patient_resp_cents: int
    adjustments: tuple[str, ...]  # "CO 45 $20.00"
    posted: bool
    note: str  # why it was not posted, or what to check on a posted one
    matched_by: str  # who matched it by hand ("": by its number)

    @property
    def outcome(self) -> str:
        if self.posted:
            return f"posted (matched by {self.matched_by})" if self.matched_by else "posted"
        return self.note or "not posted"


@dataclass(frozen=True)
class CheckRow:
    check_id: int | None  # None: claim payments of a file posted before checks were kept
    payer: str
    number: str
    paid_on: date | None
    paid_cents: int  # the check or EFT amount (BPR02)
    claims_paid_cents: int  # its claim payments added up
    plb: tuple[PlbLine, ...]

    @property
    def plb_cents(self) -> int:
        return sum(line.cents for line in self.plb)

    def adds_up(self) -> str:
        """'claims $150.00 less provider adjustments $1.27 = check $148.73' (plus, when they add to the check), or
        what is off."""
        less = ""
        if self.plb_cents:
            less = f" {'less' if self.plb_cents > 0 else 'plus'} provider adjustments {money(abs(self.plb_cents))}"
        net = self.claims_paid_cents - self.plb_cents
        said = f"claims {money(self.claims_paid_cents)}{less} = check {money(net)}"
        return said if net == self.paid_cents else f"{said}, but the check is {money(self.paid_cents)}"


@dataclass(frozen=True)
class RemittanceDetail:
    row: RemittanceRow
    actor: str  # who posted it
    checks: tuple[CheckRow, ...]
    claims: tuple[ClaimPaymentRow, ...]

    def claims_of(self, check: CheckRow) -> list[ClaimPaymentRow]:
        return [claim for claim in self.claims if claim.check_id == check.check_id]


def remittance(session: Session, remittance_id: int, *, actor: str) -> RemittanceDetail:
    _readable(actor)
    found = session.get(Remittance, remittance_id)
    if found is None:
        raise ServiceError("that remittance no longer exists — reload")
    checks = list(session.exec(select(RemittanceCheck).where(col(RemittanceCheck.remittance_id) == remittance_id)
                               .order_by(col(RemittanceCheck.id))))
    plb: dict[int, list[PlbLine]] = defaultdict(list)
    for item in session.exec(select(ProviderAdjustment).where(
            col(ProviderAdjustment.check_id).in_([c.id for c in checks])).order_by(col(ProviderAdjustment.id))):
        plb[item.check_id].append(PlbLine(item.reason, plb_meaning(item.reason), item.reference, item.amount_cents))
    claims = tuple(_payment_row(row) for row in session.exec(
        select(RemittanceClaim).where(col(RemittanceClaim.remittance_id) == remittance_id)
        .order_by(col(RemittanceClaim.id))))
    rows = []
    for check in checks:
        assert check.id is not None, "a row read has its id"
        paid = sum(c.paid_cents for c in claims if c.check_id == check.id)
        rows.append(CheckRow(check.id, check.payer_name, check.check_number, check.paid_on, check.paid_cents, paid,
                             tuple(plb[check.id])))
    if any(c.check_id is None for c in claims) or not checks:
        loose = [c for c in claims if c.check_id is None]
        rows.append(CheckRow(None, found.payer_name, found.check_number, None,
                             found.paid_cents if not checks else sum(c.paid_cents for c in loose),
                             sum(c.paid_cents for c in loose), ()))
    posted = sum(1 for c in claims if c.posted)
    head = RemittanceRow(remittance_id, found.imported_at, _source(found),
                         _joined([c.payer_name for c in checks]) or found.payer_name,
                         _joined([c.check_number for c in checks]) or found.check_number,
                         next((c.paid_on for c in checks if c.paid_on), None),
                         sum(c.paid_cents for c in checks) if checks else found.paid_cents,
                         len(claims), posted, len(claims) - posted, sum(r.plb_cents for r in rows))
    return RemittanceDetail(head, found.actor, tuple(rows), claims)


def adjustments_text(stored: str) -> tuple[str, ...]:
    """The JSON [[group, carc, cents], ...] a claim payment keeps, as "CO 45 $20.00" each."""
    try:
        items: Any = json.loads(stored or "[]")
        return tuple(Adjustment(str(group), str(carc), int(cents)).as_text() for group, carc, cents in items)
    except (ValueError, TypeError):
        return (stored,)


def _payment_row(row: RemittanceClaim) -> ClaimPaymentRow:
    assert row.id is not None, "a row read has its id"
    return ClaimPaymentRow(row.id, row.check_id, row.claim_number, row.claim_id, row.patient_name, row.member_id,
                           row.service_date, row.status_code, status_words(row.status_code), row.charge_cents,
                           row.paid_cents, row.patient_resp_cents, adjustments_text(row.adjustments), row.posted,
                           row.note, row.matched_by)


# --- unmatched payments ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnmatchedRow:
    payment: ClaimPaymentRow
    remittance_id: int
    source: str  # the file name, or "paper EOB"
    imported_at: datetime
    payer: str
    check_number: str
    paid_on: date | None

    @property
    def why(self) -> str:
        return self.payment.note or "not posted"


@dataclass(frozen=True)
class UnmatchedList:
    rows: tuple[UnmatchedRow, ...]
    total: int  # every claim payment not posted, beyond the rows listed too


def unmatched(session: Session, *, limit: int = PER_PAGE, actor: str) -> UnmatchedList:
    """Claim payments not posted (no claim has their number, held for review, or refused), newest first."""
    _readable(actor)
    total = session.exec(select(func.count()).select_from(RemittanceClaim)
                         .where(col(RemittanceClaim.posted).is_(False))).one()
    found = session.exec(
        select(RemittanceClaim, Remittance, RemittanceCheck)
        .join(Remittance, col(Remittance.id) == col(RemittanceClaim.remittance_id))
        .outerjoin(RemittanceCheck, col(RemittanceCheck.id) == col(RemittanceClaim.check_id))
        .where(col(RemittanceClaim.posted).is_(False))
        .order_by(col(RemittanceClaim.id).desc()).limit(max(1, limit))).all()
    rows = tuple(_unmatched_row(claim, remitted, check) for claim, remitted, check in found)
    return UnmatchedList(rows, total)


def _unmatched_row(claim: RemittanceClaim, remitted: Remittance, check: RemittanceCheck | None) -> UnmatchedRow:
    assert remitted.id is not None, "a row read has its id"
    return UnmatchedRow(_payment_row(claim), remitted.id, _source(remitted), remitted.imported_at,
                        check.payer_name if check else remitted.payer_name,
                        check.check_number if check else remitted.check_number, check.paid_on if check else None)


def unmatched_payment(session: Session, remittance_claim_id: int, *, actor: str) -> UnmatchedRow:
    """One claim payment with its remittance and check (posted or not: the caller says what it means)."""
    _readable(actor)
    found = session.exec(
        select(RemittanceClaim, Remittance, RemittanceCheck)
        .join(Remittance, col(Remittance.id) == col(RemittanceClaim.remittance_id))
        .outerjoin(RemittanceCheck, col(RemittanceCheck.id) == col(RemittanceClaim.check_id))
        .where(col(RemittanceClaim.id) == remittance_claim_id)).first()
    if found is None:
        raise ServiceError("that payment no longer exists — reload")
    return _unmatched_row(*found)


# --- the claims an unmatched payment may be for -----------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    claim_id: int
    number: str
    patient_name: str  # "Doe, Jane"
    first_name: str
    last_name: str
    dob: date
    service_date: date
    billed_cents: int
    status: str
    payer: str
    score: int
    reason: str  # "same last name, same service date, billed = charge"


def name_key(text: str) -> str:
    """A name as compared: lower case, letters and digits only ("O'Brien" and "OBRIEN" are the same)."""
    return re.sub(r"[\W_]+", "", text.casefold())


def payer_name_key(text: str) -> str:
    return " ".join(text.casefold().split())


def split_name(name: str) -> tuple[str, str]:
    """The payer's "LAST, FIRST" as (last, first); a name without a comma is all last name."""
    last, _, first = name.partition(",")
    return last.strip(), first.strip()


# What the database compares a last name by: name_key's punctuation and spaces, removed in SQL.
_IGNORED = ("'", "\u2019", "-", " ", ".", ",")


def _last_name_key() -> ColumnElement[str]:
    expression: ColumnElement[str] = func.lower(col(Patient.last_name))
    for mark in _IGNORED:
        expression = func.replace(expression, mark, "")
    return expression


def candidates(session: Session, remittance_claim_id: int, *, limit: int = 5, actor: str) -> tuple[Candidate, ...]:
    """The claims most likely to be this payment's, best first: the patient's last (and first) name, the service date
    (the same day, or within NEAR_DAYS), the billed amount equal to the charge, the same payer. Only claims of
    that last name, or of a near date and that amount, are read."""
    paid = unmatched_payment(session, remittance_claim_id, actor=actor)
    payment = paid.payment
    last, first = split_name(payment.patient_name)
    last_key, first_key = name_key(last), name_key(first)
    day = payment.service_date
    near: dict[int, tuple[Claim, Patient, Payer]] = {}
    base = (select(Claim, Patient, Payer).join(Patient, col(Patient.id) == col(Claim.patient_id))
            .join(Payer, col(Payer.id) == col(Claim.payer_id)))
    if last_key:
        by_name = base.where(_last_name_key() == last_key)
        if day is not None:
            window = col(Claim.service_date).between(day - timedelta(days=NEAR_DAYS), day + timedelta(days=NEAR_DAYS))
            by_name = by_name.order_by(case((col(Claim.service_date) == day, 0), (window, 1), else_=2),
                                       col(Claim.service_date).desc(), col(Claim.id))
        else:
            by_name = by_name.order_by(col(Claim.service_date).desc(), col(Claim.id))
        near.update((claim.id or 0, (claim, patient, payer)) for claim, patient, payer in
                    session.exec(by_name.limit(SCORED)))
    if day is not None:
        by_day = base.where(col(Claim.service_date).between(day - timedelta(days=NEAR_DAYS),
                                                            day + timedelta(days=NEAR_DAYS)),
                            col(Claim.billed_cents) == payment.charge_cents).order_by(col(Claim.id)).limit(SCORED)
        near.update((claim.id or 0, (claim, patient, payer)) for claim, patient, payer in session.exec(by_day))
    secondary = _secondary_payers(session, [claim for claim, _, _ in near.values()])
    scored = [_score(claim, patient, payer, secondary.get(claim.secondary_payer_id or 0, ""), paid, last_key,
                     first_key) for claim, patient, payer in near.values()]
    scored.sort(key=lambda c: (-c.score, abs((c.service_date - day).days) if day else 0, c.claim_id))
    return tuple(c for c in scored if c.score > 0)[:max(0, limit)]


def _secondary_payers(session: Session, claims: list[Claim]) -> dict[int, str]:
    ids = sorted({c.secondary_payer_id for c in claims if c.secondary_payer_id is not None})
    if not ids:
        return {}
    return {payer.id or 0: payer.name for payer in session.exec(select(Payer).where(col(Payer.id).in_(ids)))}


# The date weighs more than the amount and the payer together: a patient's visits are often billed the same.
def _score(claim: Claim, patient: Patient, payer: Payer, secondary: str, paid: UnmatchedRow, last_key: str,
           first_key: str) -> Candidate:
    points, why = 0, []
    if last_key and name_key(patient.last_name) == last_key:
        points += 40
        why.append("same last name")
        if first_key and _same_first(patient.first_name, first_key):
            points += 20
            why.append("same first name")
    day = paid.payment.service_date
    if day is not None:
        off = abs((claim.service_date - day).days)
        if off == 0:
            points += 45
            why.append("same service date")
        elif off <= NEAR_DAYS:
            points += 30
            why.append(f"service date {off} day{'s' if off > 1 else ''} apart")
    if claim.billed_cents == paid.payment.charge_cents:
        points += 15
        why.append("billed = charge")
    payer_key = payer_name_key(paid.payer)
    if payer_key and payer_key == payer_name_key(payer.name):
        points += 10
        why.append("same payer")
    elif payer_key and payer_key == payer_name_key(secondary):
        points += 10
        why.append("same payer (the secondary)")
    assert claim.id is not None, "a row read has its id"
    return Candidate(claim.id, claim.number, patient.name, patient.first_name, patient.last_name, patient.dob,
                     claim.service_date, claim.billed_cents, claim.status.label, payer.name, points, ", ".join(why))


def _same_first(first_name: str, first_key: str) -> bool:
    """The first name, or its first word ("Mary Ann" is the payer's "MARY")."""
    words = first_name.split()
    return name_key(first_name) == first_key or (bool(words) and name_key(words[0]) == first_key)
