"""The A/R roll-forward of a month: opening + charges − payments − adjustments = closing, for the insurance A/R
(claims' postings, services.claim_postings) and the patient A/R (the patient ledger), and their total.

Every figure is a grouped sum in SQL (no row per claim or entry is loaded). The closing is computed on its own
(the postings' sum through the month's last day) and checked three ways, each failure a sentence in `notes`:
every posting falls on a line of the roll-forward; what the claims moved to patients in the month is what the
patients' ledgers received in it; and, for a closed month, the A/R recorded when it (and the month before) closed
(MonthClose) still stands: a posting dated into the month after its close (the manager's override) shows as a
difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from officemgr.models import Claim, ClaimStatus, EntryKind, LedgerEntry
from officemgr.models.finance import ClaimPosting, MonthClose, PostingKind
from officemgr.services.access import Area, require
from officemgr.services.billing import balance_expr
from officemgr.services.format import money

ADJUSTMENT_GROUPS = ("CO", "OA", "PI", "CR", "PR")
MISMATCH_LIMIT = 200  # claim ids listed by journal_matches_claims (a sign of a writer that does not post)

# A ledger entry's line in the roll-forward, by its kind (a void counts on the line of the entry it undoes).
PATIENT_LINES = {
    EntryKind.patient_share: "From insurance (patient share)",
    EntryKind.sent_to_patient: "From insurance (sent to patient)",
    EntryKind.payment: "Patient payments",
    EntryKind.refund: "Refunds to patients",
    EntryKind.small_balance: "Small-balance write-offs",
    EntryKind.courtesy: "Courtesy discounts",
}
OVERPAID = "Overpaid (credit to refund)"  # an overpayment's excess: held apart, no A/R (services.claim_postings)
INSURANCE_LINES = {
    PostingKind.charge: "Charges",
    PostingKind.payment: "Insurance payments",
    PostingKind.patient_share: "To patients (PR and sent to patient)",
    PostingKind.write_off: "Written off",
}
TO_PATIENTS = INSURANCE_LINES[PostingKind.patient_share]
FROM_INSURANCE = (PATIENT_LINES[EntryKind.patient_share], PATIENT_LINES[EntryKind.sent_to_patient])


@dataclass(frozen=True)
class Line:
    label: str
    cents: int  # signed as it moves the A/R: + raises it, − lowers it


@dataclass(frozen=True)
class Side:
    """One A/R (insurance or patient) over the month."""

    name: str
    opening_cents: int  # every posting before the month's first day
    lines: tuple[Line, ...]
    closing_cents: int  # every posting through the month's last day, summed on its own
    recorded_opening_cents: int | None  # the A/R recorded when the month before closed, None when it is not closed
    recorded_closing_cents: int | None  # the A/R recorded when this month closed, None when it is not closed

    @property
    def movement_cents(self) -> int:
        return sum(line.cents for line in self.lines)

    @property
    def difference_cents(self) -> int:
        """Closing less (opening + movements): 0 when the journal adds up."""
        return self.closing_cents - self.opening_cents - self.movement_cents

    def cents(self, label: str) -> int:
        return sum(line.cents for line in self.lines if line.label == label)

    def row_cents(self, row: str) -> int:
        """The sum of the lines on one row of the roll-forward (row_of), signed as it moves the A/R."""
        return sum(line.cents for line in self.lines if row_of(line.label) == row)


@dataclass(frozen=True)
class RollForward:
    month: date  # the first day
    last_day: date
    insurance: Side
    patient: Side
    notes: tuple[str, ...]  # what does not add up, in sentences (empty: it balances)
    # Patient shares held for a secondary plan at the month's start and end: out of insurance A/R, and not on the
    # patient's ledger until the secondary answers (services.ledger: nothing is billed to the patient before).
    held_opening_cents: int = 0
    held_closing_cents: int = 0

    @property
    def opening_cents(self) -> int:
        return self.insurance.opening_cents + self.patient.opening_cents

    @property
    def closing_cents(self) -> int:
        return self.insurance.closing_cents + self.patient.closing_cents

    @property
    def balances(self) -> bool:
        return not self.notes

    @property
    def line(self) -> str:
        """The balance check in one line: "Balances", or by how much it does not and why."""
        if self.balances:
            return "Balances"
        return f"Does not balance by {money(abs(self.difference_cents))}: {'; '.join(self.notes)}"

    @property
    def unreceived_cents(self) -> int:
        """What the claims moved to patients in the month less what the patients' ledgers received in it and what
        came to be held for secondary plans."""
        return _unreceived(self.insurance, self.patient) - (self.held_closing_cents - self.held_opening_cents)

    @property
    def held_line(self) -> str:
        """A sentence on the shares held for secondary plans at the month's end ("" when none)."""
        if not self.held_closing_cents:
            return ""
        return (f"Patient shares held for secondary plans on {self.last_day:%m/%d/%Y}: "
                f"{money(self.held_closing_cents)} (in neither A/R until the secondary plan answers)")

    @property
    def difference_cents(self) -> int:
        """What the first note is about, in the order of `notes`: the closing's difference from opening +
        movements, else from the A/R recorded at close; else what moved to patients and did not reach them."""
        for side in (self.insurance, self.patient):
            if side.difference_cents:
                return side.difference_cents
            for recorded, computed in ((side.recorded_opening_cents, side.opening_cents),
                                       (side.recorded_closing_cents, side.closing_cents)):
                if recorded is not None and recorded != computed:
                    return computed - recorded
        return self.unreceived_cents


@dataclass(frozen=True)
class ArBalance:
    insurance_cents: int
    patient_cents: int

    @property
    def total_cents(self) -> int:
        return self.insurance_cents + self.patient_cents


def ar_through(session: Session, day: date) -> ArBalance:
    """The A/R as the journals stand through `day` (what a month's close records)."""
    return ArBalance(_insurance_sum(session, day), _patient_sum(session, day))


def ar_now(session: Session) -> ArBalance:
    """The A/R as the journals stand, every posting counted."""
    return ArBalance(_insurance_sum(session, None), _patient_sum(session, None))


def _insurance_sum(session: Session, through: date | None) -> int:
    query = select(func.coalesce(func.sum(ClaimPosting.amount_cents), 0))
    if through is not None:
        query = query.where(col(ClaimPosting.day) <= through)
    return int(session.exec(query).one())


def _patient_sum(session: Session, through: date | None) -> int:
    query = select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
    if through is not None:
        query = query.where(col(LedgerEntry.day) <= through)
    return int(session.exec(query).one())


def roll_forward(session: Session, month_first: date, *, actor: str) -> RollForward:
    """The month starting `month_first` rolled forward, for the insurance and the patient A/R."""
    require(actor, Area.finance, write=False, what="the A/R roll-forward")
    first = month_first.replace(day=1)
    last = first + relativedelta(months=1, days=-1)
    before = first - relativedelta(days=1)
    closed = _recorded(session, first)
    closed_before = _recorded(session, first - relativedelta(months=1))
    insurance = Side("Insurance", _insurance_sum(session, before), _insurance_lines(session, first, last),
                     _insurance_sum(session, last),
                     closed_before.insurance_ar_cents if closed_before else None,
                     closed.insurance_ar_cents if closed else None)
    patient = Side("Patient", _patient_sum(session, before), _patient_lines(session, first, last),
                   _patient_sum(session, last),
                   closed_before.patient_ar_cents if closed_before else None,
                   closed.patient_ar_cents if closed else None)
    held_opening, held_closing = _held_for_secondary(session, before), _held_for_secondary(session, last)
    return RollForward(first, last, insurance, patient, _notes(first, insurance, patient, held_closing - held_opening),
                       held_opening, held_closing)


def _held_for_secondary(session: Session, day: date) -> int:
    """What claims still waiting on their secondary plan on `day` had moved out of insurance A/R by then, less
    what their patients' ledgers had taken."""
    waiting = select(Claim.id).where(
        col(Claim.secondary_payer_id).is_not(None),
        or_(col(Claim.secondary_answered_on).is_(None), col(Claim.secondary_answered_on) > day))
    moved = session.exec(select(func.coalesce(func.sum(ClaimPosting.amount_cents), 0)).where(
        col(ClaimPosting.kind) == PostingKind.patient_share, col(ClaimPosting.day) <= day,
        col(ClaimPosting.claim_id).in_(waiting))).one()
    taken = session.exec(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
        col(LedgerEntry.kind).in_((EntryKind.patient_share, EntryKind.sent_to_patient)),
        col(LedgerEntry.day) <= day, col(LedgerEntry.claim_id).in_(waiting))).one()
    return -int(moved) - int(taken)


def row_of(label: str) -> str:
    """The roll-forward's row a line falls on: charges, payments, adjustments or transfers (insurance to
    patient)."""
    if label == INSURANCE_LINES[PostingKind.charge]:
        return "charges"
    if label in (INSURANCE_LINES[PostingKind.payment], PATIENT_LINES[EntryKind.payment],
                 PATIENT_LINES[EntryKind.refund]):
        return "payments"
    if label == TO_PATIENTS or label in FROM_INSURANCE:
        return "transfers"
    return "adjustments"


def _recorded(session: Session, first: date) -> MonthClose | None:
    return session.exec(select(MonthClose).where(col(MonthClose.month) == first,
                                                 col(MonthClose.reopened_at).is_(None))).first()


def _insurance_lines(session: Session, first: date, last: date) -> tuple[Line, ...]:
    rows = session.exec(
        select(ClaimPosting.kind, ClaimPosting.carc_group, func.sum(ClaimPosting.amount_cents))
        .where(col(ClaimPosting.day) >= first, col(ClaimPosting.day) <= last)
        .group_by(col(ClaimPosting.kind), col(ClaimPosting.carc_group))).all()
    sums: dict[str, int] = {}
    for kind, group, cents in rows:
        label = _insurance_label(PostingKind(kind), group)
        sums[label] = sums.get(label, 0) + int(cents or 0)
    order = [INSURANCE_LINES[PostingKind.charge], INSURANCE_LINES[PostingKind.payment],
             *(f"Adjustments {group}" for group in ADJUSTMENT_GROUPS), OVERPAID,
             INSURANCE_LINES[PostingKind.patient_share], INSURANCE_LINES[PostingKind.write_off]]
    labels = order + sorted(label for label in sums if label not in order)
    return tuple(Line(label, sums.get(label, 0)) for label in labels if label in order[:2] or sums.get(label))


def _insurance_label(kind: PostingKind, group: str) -> str:
    if kind is not PostingKind.adjustment:
        return INSURANCE_LINES[kind]
    return f"Adjustments {group}" if group else OVERPAID


def _patient_lines(session: Session, first: date, last: date) -> tuple[Line, ...]:
    voided = aliased(LedgerEntry)
    counted_as = case((col(LedgerEntry.kind) == EntryKind.void, col(voided.kind)), else_=col(LedgerEntry.kind))
    rows = session.exec(
        select(counted_as, func.sum(LedgerEntry.amount_cents))
        .select_from(LedgerEntry)
        .outerjoin(voided, col(voided.id) == col(LedgerEntry.voids_id))
        .where(col(LedgerEntry.day) >= first, col(LedgerEntry.day) <= last)
        .group_by(counted_as)).all()
    sums = {EntryKind(kind): int(cents or 0) for kind, cents in rows if kind is not None}
    always = (EntryKind.payment,)
    return tuple(Line(label, sums.get(kind, 0)) for kind, label in PATIENT_LINES.items()
                 if kind in always or sums.get(kind))


def _notes(first: date, insurance: Side, patient: Side, held_change: int) -> tuple[str, ...]:
    notes = []
    month, before = f"{first:%B %Y}", f"{first - relativedelta(months=1):%B %Y}"
    for side in (insurance, patient):
        a_r = f"The {side.name.lower()} A/R"
        if side.difference_cents:
            notes.append(f"{a_r}: opening {money(side.opening_cents)} and the month's movements do not "
                         f"reach the closing {money(side.closing_cents)} (off by {money(side.difference_cents)}): "
                         "a posting of a kind the report does not list")
        if side.recorded_opening_cents is not None and side.recorded_opening_cents != side.opening_cents:
            notes.append(f"{a_r} opens at {money(side.opening_cents)}, but {before} closed with "
                         f"{money(side.recorded_opening_cents)}: postings of "
                         f"{money(side.opening_cents - side.recorded_opening_cents)} were dated into it or earlier "
                         "after it closed (the manager's override, in the audit log)")
        if side.recorded_closing_cents is not None and side.recorded_closing_cents != side.closing_cents:
            notes.append(f"{a_r} closes at {money(side.closing_cents)}, but {month} closed with "
                         f"{money(side.recorded_closing_cents)}: postings of "
                         f"{money(side.closing_cents - side.recorded_closing_cents)} were dated into it or earlier "
                         "after it closed (the manager's override, in the audit log)")
    if _unreceived(insurance, patient) != held_change:
        held = f" and shares held for secondary plans changed by {money(held_change)}" if held_change else ""
        notes.append(f"Claims moved {money(-insurance.cents(TO_PATIENTS))} to patients in {month}, but the "
                     f"patients' ledgers received {money(_received(patient))}{held}: a share the ledger took in "
                     "another month")
    return tuple(notes)


def _received(patient: Side) -> int:
    return sum(patient.cents(label) for label in FROM_INSURANCE)


def _unreceived(insurance: Side, patient: Side) -> int:
    return -insurance.cents(TO_PATIENTS) - _received(patient)


def journal_matches_claims(session: Session, *, limit: int = MISMATCH_LIMIT) -> list[int]:
    """Ids of claims whose postings do not sum to what the A/R aging counts of them (their balance, nothing once
    closed: services.claim_postings): empty when every writer posted. At most `limit`, lowest first."""
    posted = (select(ClaimPosting.claim_id, func.sum(ClaimPosting.amount_cents).label("cents"))
              .group_by(col(ClaimPosting.claim_id)).subquery())
    due = case((col(Claim.status) == ClaimStatus.closed, 0), else_=balance_expr())
    rows = session.exec(
        select(Claim.id)
        .outerjoin(posted, posted.c.claim_id == col(Claim.id))
        .where(func.coalesce(posted.c.cents, 0) != due)
        .order_by(col(Claim.id)).limit(limit)).all()
    return [claim_id for claim_id in rows if claim_id is not None]
