"""The claims follow-up work queue: deadlines, aging buckets, and follow-up notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

import sqlalchemy
from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, func, literal, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from officemgr.models import (
    OPEN_STATUSES,
    CarcCode,
    Claim,
    ClaimDiagnosis,
    ClaimEvent,
    ClaimLine,
    ClaimNote,
    ClaimNoteCreate,
    ClaimStatus,
    NoteAction,
    Patient,
    Payer,
)
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.calendar import federal_calendar
from officemgr.services.carc import parse_carc
from officemgr.services.common import ServiceError, StaleEdit, record
from officemgr.services.format import money

# Default aging buckets (the upper edge of each bucket but the last); the practice's edges are the
# `aging_bucket_edges` setting, and `aging_from` says whether age counts from the date of service or submission.
DEFAULT_EDGES = (30, 60, 90, 120)
DEADLINE_WARN_DAYS = 15
# Until a claim is accepted it has not been filed (a rejection does not count), so timely filing applies.
NOT_YET_FILED = (ClaimStatus.draft, ClaimStatus.submitted, ClaimStatus.rejected)
PAGE = 40


class FilingDates(Protocol):
    """What the deadline rule reads of a claim: a Claim, or a FilingState for a claim about to change."""

    @property
    def status(self) -> ClaimStatus: ...

    @property
    def service_date(self) -> date: ...

    @property
    def denied_on(self) -> date | None: ...


class FilingLimits(Protocol):
    """What the deadline rule reads of a payer."""

    @property
    def timely_filing_days(self) -> int | None: ...

    @property
    def timely_filing_months(self) -> int | None: ...

    @property
    def appeal_days(self) -> int: ...


@dataclass(frozen=True)
class FilingState:
    """A claim's dates and status as a change will leave them, to work out its deadline before writing it."""

    status: ClaimStatus
    service_date: date
    denied_on: date | None


def filing_limit_end(service_date: date, payer: FilingLimits) -> date:
    """The last day to file before moving off a weekend or holiday: calendar months when the payer counts in
    months (the month's last day when the day does not exist there), otherwise days."""
    if payer.timely_filing_months is not None:
        return service_date + relativedelta(months=payer.timely_filing_months)
    if payer.timely_filing_days is None:
        raise ServiceError("the payer has no timely-filing limit")
    return service_date + timedelta(days=payer.timely_filing_days)


def filing_limit_text(payer: FilingLimits) -> str:
    """The timely-filing limit as the payer states it: "365 days", "12 months"."""
    if payer.timely_filing_months is not None:
        months = payer.timely_filing_months
        return f"{months} month{'s' if months != 1 else ''}"
    days = payer.timely_filing_days
    return f"{days} day{'s' if days != 1 else ''}"


def claim_deadline(claim: FilingDates, payer: FilingLimits) -> date | None:
    """Timely-filing deadline before acceptance, appeal deadline after a denial; otherwise none. A deadline on a
    weekend or federal holiday moves to the next business day, as CMS does: the practice's own closures do not
    move a payer's deadline."""
    payers_calendar = federal_calendar()
    if claim.status in NOT_YET_FILED:
        return payers_calendar.next_business_day(filing_limit_end(claim.service_date, payer))
    if claim.status is ClaimStatus.denied and claim.denied_on is not None:
        return payers_calendar.next_business_day(claim.denied_on + timedelta(days=payer.appeal_days))
    return None


# --- aging buckets ------------------------------------------------------------------------------------


def clean_edges(edges: Sequence[Any]) -> tuple[int, ...]:
    """Bucket edges as increasing positive whole days (a bad setting falls back to the default)."""
    try:
        cleaned = tuple(sorted({int(e) for e in edges if int(e) > 0}))
    except (TypeError, ValueError):
        cleaned = ()
    return cleaned or DEFAULT_EDGES


def buckets(edges: Sequence[int] = DEFAULT_EDGES) -> list[tuple[int, int | None, str]]:
    """(lowest age, highest age or None, label) per bucket: edges 30, 60 give 0–30, 31–60, 60+."""
    edges = clean_edges(edges)
    result: list[tuple[int, int | None, str]] = []
    low = 0
    for edge in edges:
        result.append((low, edge, f"{low}–{edge}"))
        low = edge + 1
    result.append((low, None, f"{edges[-1]}+"))
    return result


BUCKETS = tuple(buckets())


def aging_bucket(basis: date, today: date, edges: Sequence[int] = DEFAULT_EDGES) -> str:
    """The bucket label of a claim whose age counts from `basis` (service or submission date).

    With the default edges: 30 days is in 0–30, 31 in 31–60, 120 in 91–120, 121 in 120+. A date in the
    future counts as age 0.
    """
    age = (today - basis).days
    table = buckets(edges)
    for _low, high, label in table:
        if high is None or age <= high:
            return label
    return table[-1][2]


def aging_edges(session: Session) -> tuple[int, ...]:
    return clean_edges(settings.get(session, "aging_bucket_edges"))


def aging_from(session: Session) -> str:
    """'service' or 'submission' (the `aging_from` setting; anything else counts as 'service')."""
    return "submission" if settings.get(session, "aging_from") == "submission" else "service"


def bucket_labels(session: Session) -> list[str]:
    return [label for _, _, label in buckets(aging_edges(session))]


def aging_basis_column(counted_from: str) -> SQLColumnExpression[date]:
    """The SQL date age counts from: the date of service, or the submission date (service date until submitted)."""
    if counted_from == "submission":
        return func.coalesce(col(Claim.submitted_on), col(Claim.service_date))
    return col(Claim.service_date)


def aging_basis(claim: Claim, counted_from: str) -> date:
    if counted_from == "submission":
        return claim.submitted_on or claim.service_date
    return claim.service_date


def balance_expr() -> ColumnElement[int]:
    """Claim.balance_cents in SQL: billed less paid (primary and secondary), contractual adjustments, patient share
    and write-off, never below 0."""
    raw = (col(Claim.billed_cents) - col(Claim.paid_cents) - col(Claim.secondary_paid_cents) - col(Claim.adjusted_cents)
           - col(Claim.patient_resp_cents) - col(Claim.written_off_cents))
    return case((raw > 0, raw), else_=literal(0))


def split_denial_code(text: str) -> tuple[str, str]:
    """'CO-197', 'CO 197', 'co197' -> ('CO', '197'); '197', '0197' -> ('', '197'), as services.carc reads a code
    as typed. Text that is no CARC code is split at its dash for the caller to refuse."""
    typed = parse_carc(text)
    if typed is not None:
        return typed.group or "", typed.code
    text = text.strip().upper().replace(" ", "")
    if "-" in text:
        group, _, code = text.partition("-")
        return group, code
    return "", text


# --- the work queue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    claim_id: int
    version: int
    number: str
    patient_name: str
    payer_name: str
    service_date: date
    status: ClaimStatus
    balance_cents: int
    deadline: date | None
    days_to_deadline: int | None
    bucket: str
    denial_code: str
    next_follow_up: date | None
    # Why the claim is in today's queue: "deadline passed", "deadline in 9 days", "needs investigation: no
    # activity for 25 days", "underpaid by $12.00", "follow-up due", "new" (never worked) or "no follow-up date".
    reason: str = ""
    escalated: bool = False  # within deadline_escalate_days of its deadline (or past it): top of the queue
    payer_id: int = 0
    paper: bool = False
    denial_meaning: str = ""
    denial_group: str = ""
    underpaid_cents: int = 0
    last_activity: date | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    offset: int
    total: int


@dataclass(frozen=True)
class QueueFilter:
    payer_id: int | None = None
    status: ClaimStatus | None = None
    bucket: str | None = None  # a label from bucket_labels()
    denial_code: str | None = None  # "197" or "CO-197"
    text: str = ""  # words matched against claim number, patient, payer, status, denial code


@dataclass(frozen=True)
class QueueRules:
    """The settings the queue works by, read once per call."""

    today: date
    edges: tuple[int, ...] = DEFAULT_EDGES
    counted_from: str = "service"
    investigate_electronic: int = 21
    investigate_paper: int = 30
    escalate_days: int = DEADLINE_WARN_DAYS
    buckets: tuple[tuple[int, int | None, str], ...] = ()

    @classmethod
    def load(cls, session: Session, today: date) -> QueueRules:
        investigate = settings.get(session, "investigate_after_days")
        edges = aging_edges(session)
        return cls(
            today=today,
            edges=edges,
            counted_from=aging_from(session),
            investigate_electronic=int(investigate.get("electronic", 21)),
            investigate_paper=int(investigate.get("paper", 30)),
            escalate_days=int(settings.get(session, "deadline_escalate_days")),
            buckets=tuple(buckets(edges)),
        )

    def activity_column(self) -> ColumnElement[date]:
        return func.coalesce(col(Claim.last_activity), col(Claim.submitted_on), col(Claim.service_date))

    def stale_condition(self) -> ColumnElement[bool]:
        activity = self.activity_column()
        return or_(
            and_(col(Claim.paper).is_(True), activity <= self.today - timedelta(days=self.investigate_paper)),
            and_(col(Claim.paper).is_(False), activity <= self.today - timedelta(days=self.investigate_electronic)),
        )

    def escalated_condition(self) -> ColumnElement[bool]:
        return and_(col(Claim.deadline).is_not(None),
                    col(Claim.deadline) <= self.today + timedelta(days=self.escalate_days))

    def bucket_condition(self, label: str) -> ColumnElement[bool]:
        for low, high, name in self.buckets:
            if name == label:
                basis = aging_basis_column(self.counted_from)
                conditions: list[ColumnElement[bool]] = []
                if low > 0:
                    conditions.append(basis <= self.today - timedelta(days=low))
                if high is not None:
                    conditions.append(basis >= self.today - timedelta(days=high))
                return and_(true(), *conditions)
        raise ServiceError(f"there is no aging bucket {label!r}; the buckets are "
                           + ", ".join(name for *_, name in self.buckets))


# The queue's count and its page are the same query but for what they select.
Q = TypeVar("Q", bound=sqlalchemy.Select[*tuple[Any, ...]])


def _apply_filters(query: Q, filters: QueueFilter, rules: QueueRules) -> Q:
    if filters.payer_id is not None:
        query = query.where(col(Claim.payer_id) == filters.payer_id)
    if filters.status is not None:
        query = query.where(col(Claim.status) == filters.status)
    if filters.bucket:
        query = query.where(rules.bucket_condition(filters.bucket))
    if filters.denial_code:
        group, code = split_denial_code(filters.denial_code)
        query = query.where(col(Claim.denial_code) == code)
        if group:
            query = query.where(col(Claim.denial_group) == group)
    for word in filters.text.lower().split():
        query = query.where(
            or_(
                func.lower(col(Claim.number)).contains(word, autoescape=True),
                func.lower(col(Patient.last_name)).contains(word, autoescape=True),
                func.lower(col(Patient.first_name)).contains(word, autoescape=True),
                func.lower(col(Payer.name)).contains(word, autoescape=True),
                func.lower(col(Claim.status)).contains(word, autoescape=True),
                _denial_matches(word),
            )
        )
    return query


def _denial_matches(word: str) -> ColumnElement[bool]:
    """A searched word that is a CARC code as typed ("co45", "045") finds the claims denied with it."""
    typed = parse_carc(word)
    if typed is None:
        return sqlalchemy.false()
    same_code = col(Claim.denial_code) == typed.code
    return and_(same_code, col(Claim.denial_group) == typed.group) if typed.group else same_code


def _queue_where(query: Q, rules: QueueRules, filters: QueueFilter) -> Q:
    query = (
        query.join(Patient, col(Patient.id) == col(Claim.patient_id))
        .join(Payer, col(Payer.id) == col(Claim.payer_id))
        .where(col(Claim.status).in_(OPEN_STATUSES))
        .where(
            or_(
                col(Claim.next_follow_up).is_(None),
                col(Claim.next_follow_up) <= rules.today,
                rules.escalated_condition(),
                rules.stale_condition(),
            )
        )
    )
    return _apply_filters(query, filters, rules)


def _reason(claim: Claim, rules: QueueRules, escalated: bool) -> str:
    today = rules.today
    if escalated and claim.deadline is not None:
        days = (claim.deadline - today).days
        if days < 0:
            return "deadline passed"
        if days == 0:
            return "deadline today"
        return f"deadline in {days} day{'s' if days != 1 else ''}"
    activity = claim.last_activity or claim.submitted_on or claim.service_date
    idle = (today - activity).days
    limit = rules.investigate_paper if claim.paper else rules.investigate_electronic
    if idle >= limit:
        return f"needs investigation: no activity for {idle} days"
    if claim.underpaid_cents > 0:
        return f"underpaid by {money(claim.underpaid_cents)}"
    if claim.next_follow_up is not None and claim.next_follow_up <= today:
        return "follow-up due"
    if claim.next_follow_up is None and claim.last_activity is None:
        return "new"
    if claim.next_follow_up is None:
        return "no follow-up date"
    return f"follow-up on {claim.next_follow_up:%m/%d}"  # only for rows listed outside the queue


def _row(claim: Claim, patient: Patient, payer: Payer, meaning: str | None, rules: QueueRules) -> QueueRow:
    today = rules.today
    days_to_deadline = (claim.deadline - today).days if claim.deadline else None
    escalated = days_to_deadline is not None and days_to_deadline <= rules.escalate_days
    assert claim.id is not None, "a row read from the database has its id"
    return QueueRow(
        claim_id=claim.id,
        version=claim.version,
        number=claim.number,
        patient_name=patient.name,
        payer_name=payer.name,
        service_date=claim.service_date,
        status=claim.status,
        balance_cents=claim.balance_cents,
        deadline=claim.deadline,
        days_to_deadline=days_to_deadline,
        bucket=aging_bucket(aging_basis(claim, rules.counted_from), today, rules.edges),
        denial_code=claim.denial_code or "",
        next_follow_up=claim.next_follow_up,
        reason=_reason(claim, rules, escalated),
        escalated=escalated,
        payer_id=claim.payer_id,
        paper=claim.paper,
        denial_meaning=meaning or "",
        denial_group=claim.denial_group or "",
        underpaid_cents=claim.underpaid_cents,
        last_activity=claim.last_activity,
    )


def _rows_with_meaning() -> Select[Claim, Patient, Payer, str]:
    """Claims with their patient, payer and denial meaning (None, whatever the type says, when the code is not in
    the CARC list: an outer join)."""
    return (select(Claim, Patient, Payer, col(CarcCode.meaning)).select_from(Claim)
            .outerjoin(CarcCode, col(CarcCode.code) == col(Claim.denial_code)))


def work_queue(
    session: Session, today: date, *, actor: str, offset: int = 0, limit: int = PAGE,
    filters: QueueFilter | None = None, total: int | None = None,
) -> QueuePage:
    """Open claims due for work today, one page at a time (one query for the page, one for the count; `total`:
    the count the caller already has for these filters, nothing written since, which is then not counted again).

    In the queue: claims whose follow-up date is empty or reached; claims with no activity for
    investigate_after_days (electronic or paper), whatever their follow-up date ("needs investigation");
    claims within deadline_escalate_days of their filing or appeal deadline, whatever their follow-up date
    (escalated). Order: escalated first by deadline, then the nearest deadline, then the largest balance,
    then the oldest.
    """
    require(actor, Area.billing, write=False, what="the billing work queue")
    filters = filters or QueueFilter()
    rules = QueueRules.load(session, today)
    if total is None:
        total = session.exec(_queue_where(select(func.count(col(Claim.id))).select_from(Claim), rules, filters)).one()
    escalated = case((rules.escalated_condition(), 0), else_=1)
    ordered = _queue_where(_rows_with_meaning(), rules, filters).order_by(
        escalated,
        col(Claim.deadline).is_(None),
        col(Claim.deadline),
        balance_expr().desc(),
        aging_basis_column(rules.counted_from),
        col(Claim.id),
    )
    rows = [_row(c, p, y, m, rules) for c, p, y, m in session.exec(ordered.offset(offset).limit(limit))]
    return QueuePage(rows, offset, total)


def deadlines_within(session: Session, today: date, days: int = DEADLINE_WARN_DAYS) -> list[QueueRow]:
    """Open claims whose deadline falls within `days` (or has passed), for the huddle."""
    rules = QueueRules.load(session, today)
    rows = session.exec(
        _rows_with_meaning()
        .join(Patient, col(Patient.id) == col(Claim.patient_id))
        .join(Payer, col(Payer.id) == col(Claim.payer_id))
        .where(col(Claim.status).in_(OPEN_STATUSES), col(Claim.deadline) <= today + timedelta(days=days))
        .order_by(col(Claim.deadline), col(Claim.id))
    )
    return [_row(c, p, y, m, rules) for c, p, y, m in rows]


def follow_ups_due(session: Session, today: date) -> int:
    return session.exec(
        select(func.count()).select_from(Claim).where(
            col(Claim.status).in_(OPEN_STATUSES), col(Claim.next_follow_up) == today
        )
    ).one()


# --- one claim ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimInfo:
    """A claim as it stands: what the claim view shows and a claim form needs to know."""

    id: int
    version: int
    number: str
    status: ClaimStatus
    service_date: date
    billed_cents: int
    paid_cents: int
    balance_cents: int
    deadline: date | None
    denial_code: str  # "" when not denied
    denial_group: str
    paper: bool
    written_off_cents: int

    @classmethod
    def of(cls, claim: Claim) -> ClaimInfo:
        assert claim.id is not None, "a claim read or flushed has its id"
        return cls(claim.id, claim.version, claim.number, claim.status, claim.service_date, claim.billed_cents,
                   claim.paid_cents, claim.balance_cents, claim.deadline, claim.denial_code or "",
                   claim.denial_group or "", claim.paper, claim.written_off_cents)


@dataclass(frozen=True)
class PayerInfo:
    """A payer's own fields (PayerRow adds its open claims)."""

    id: int
    version: int
    name: str
    timely_filing_days: int | None
    timely_filing_months: int | None
    appeal_days: int
    phone: str
    portal_note: str

    @classmethod
    def of(cls, payer: Payer) -> PayerInfo:
        assert payer.id is not None, "a payer read or flushed has its id"
        return cls(payer.id, payer.version, payer.name, payer.timely_filing_days, payer.timely_filing_months,
                   payer.appeal_days, payer.phone,
                   payer.portal_note)


@dataclass(frozen=True)
class LineRow:
    code: str
    modifiers: str
    units: int
    charge_cents: int


@dataclass(frozen=True)
class NoteRow:
    """A follow-up note on a claim."""

    id: int
    at: datetime
    actor: str
    action: NoteAction
    text: str
    next_follow_up: date | None

    @classmethod
    def of(cls, note: ClaimNote) -> NoteRow:
        assert note.id is not None, "a note read or flushed has its id"
        return cls(note.id, note.at, note.actor, note.action, note.text, note.next_follow_up)


@dataclass(frozen=True)
class EventRow:
    """A status change or a posted payment in a claim's history."""

    at: datetime
    actor: str
    from_status: str
    to_status: str
    amount_cents: int
    code: str
    text: str


@dataclass(frozen=True)
class ClaimDetail:
    claim: ClaimInfo
    patient_name: str
    payer: PayerInfo
    lines: tuple[LineRow, ...]
    diagnoses: tuple[str, ...]
    notes: tuple[NoteRow, ...]  # newest first
    events: tuple[EventRow, ...] = ()  # status changes and payments, newest first
    denial_meaning: str = ""


def claim_detail(session: Session, claim_id: int, *, actor: str) -> ClaimDetail:
    require(actor, Area.billing, write=False, what="a claim's detail")
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ServiceError("that claim no longer exists — reload")
    patient = session.get(Patient, claim.patient_id)
    payer = session.get(Payer, claim.payer_id)
    assert patient is not None and payer is not None, "a claim's patient and payer are foreign keys"
    lines = tuple(LineRow(line.code, line.modifiers, line.units, line.charge_cents) for line in session.exec(
        select(ClaimLine).where(col(ClaimLine.claim_id) == claim_id).order_by(col(ClaimLine.id))))
    diagnoses = tuple(session.exec(
        select(col(ClaimDiagnosis.code)).where(col(ClaimDiagnosis.claim_id) == claim_id)
        .order_by(col(ClaimDiagnosis.position))))
    notes = tuple(NoteRow.of(note) for note in session.exec(
        select(ClaimNote).where(col(ClaimNote.claim_id) == claim_id).order_by(col(ClaimNote.at).desc(),
                                                                               col(ClaimNote.id).desc())))
    events = tuple(EventRow(e.at, e.actor, e.from_status, e.to_status, e.amount_cents, e.code, e.text)
                   for e in session.exec(
        select(ClaimEvent).where(col(ClaimEvent.claim_id) == claim_id).order_by(col(ClaimEvent.at).desc(),
                                                                                 col(ClaimEvent.id).desc())))
    meaning = ""
    if claim.denial_code:
        carc = session.get(CarcCode, claim.denial_code)
        meaning = carc.meaning if carc is not None else ""
    return ClaimDetail(ClaimInfo.of(claim), patient.name, PayerInfo.of(payer), lines, diagnoses, notes, events,
                       meaning)


def add_note(
    session: Session, claim_id: int, data: ClaimNoteCreate, *, now: datetime, actor: str, expected_version: int | None
) -> NoteRow:
    """Record a follow-up on a claim; a next follow-up date takes it out of the queue until then."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ServiceError("that claim no longer exists — reload")
    if expected_version is not None and claim.version != expected_version:
        raise StaleEdit()
    note = ClaimNote(claim_id=claim_id, at=now, actor=actor, action=data.action, text=data.text,
                     next_follow_up=data.next_follow_up)
    session.add(note)
    old_follow_up = claim.next_follow_up
    claim.next_follow_up = data.next_follow_up
    claim.last_activity = now.date()
    claim.version += 1
    session.flush()
    changes: dict[str, object] = {"action": data.action, "note_id": note.id}
    if old_follow_up != data.next_follow_up:
        changes["next_follow_up"] = [old_follow_up, data.next_follow_up]
    record(session, actor=actor, entity="claim", entity_id=claim_id, action="note", changes=changes, now=now)
    saved = NoteRow.of(note)
    session.commit()
    return saved
