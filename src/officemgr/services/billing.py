"""The claims follow-up work queue: deadlines, aging buckets, and follow-up notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_STATUSES,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimNote,
    ClaimNoteCreate,
    ClaimStatus,
    Patient,
    Payer,
)
from officemgr.services.common import ServiceError, StaleEdit, record

# Aging is counted in days since the date of service.
BUCKETS = ((0, 30, "0–30"), (31, 60, "31–60"), (61, 90, "61–90"), (91, 120, "91–120"), (121, None, "120+"))
DEADLINE_WARN_DAYS = 15
# Until a claim is accepted it has not been filed (a rejection does not count), so timely filing applies.
NOT_YET_FILED = (ClaimStatus.draft, ClaimStatus.submitted, ClaimStatus.rejected)
PAGE = 40


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def claim_deadline(claim: Claim, payer: Payer) -> date | None:
    """Timely-filing deadline before acceptance, appeal deadline after a denial; otherwise none."""
    if claim.status in NOT_YET_FILED:
        return next_weekday(claim.service_date + timedelta(days=payer.timely_filing_days))
    if claim.status is ClaimStatus.denied and claim.denied_on is not None:
        return next_weekday(claim.denied_on + timedelta(days=payer.appeal_days))
    return None


def aging_bucket(service_date: date, today: date) -> str:
    age = (today - service_date).days
    for low, high, label in BUCKETS:
        if age >= low and (high is None or age <= high):
            return label
    return BUCKETS[0][2]


def refresh_deadlines(session: Session) -> int:
    """Recompute the stored deadline of every open claim (after an import or a payer's limits change)."""
    payers = {p.id: p for p in session.exec(select(Payer))}
    count = 0
    for claim in session.exec(select(Claim).where(col(Claim.status).in_(OPEN_STATUSES))):
        deadline = claim_deadline(claim, payers[claim.payer_id])
        if deadline != claim.deadline:
            session.execute(update(Claim).where(Claim.id == claim.id).values(deadline=deadline))
            count += 1
    session.commit()
    return count


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


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    offset: int
    total: int


def _queue_query(today: date, text: str):  # type: ignore[no-untyped-def]
    query = (
        select(Claim, Patient, Payer)
        .join(Patient, Patient.id == Claim.patient_id)
        .join(Payer, Payer.id == Claim.payer_id)
        .where(col(Claim.status).in_(OPEN_STATUSES))
        .where(or_(col(Claim.next_follow_up).is_(None), col(Claim.next_follow_up) <= today))
    )
    for word in text.lower().split():
        query = query.where(
            or_(
                func.lower(Claim.number).contains(word, autoescape=True),
                func.lower(Patient.last_name).contains(word, autoescape=True),
                func.lower(Patient.first_name).contains(word, autoescape=True),
                func.lower(Payer.name).contains(word, autoescape=True),
                func.lower(Claim.status).contains(word, autoescape=True),
                func.lower(func.coalesce(Claim.denial_code, "")) == word,
            )
        )
    return query


def _row(claim: Claim, patient: Patient, payer: Payer, today: date) -> QueueRow:
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
        days_to_deadline=(claim.deadline - today).days if claim.deadline else None,
        bucket=aging_bucket(claim.service_date, today),
        denial_code=claim.denial_code or "",
        next_follow_up=claim.next_follow_up,
    )


def work_queue(session: Session, today: date, *, offset: int = 0, limit: int = PAGE, text: str = "") -> QueuePage:
    """Open claims due for work today: nearest deadline first, then largest balance, then oldest.

    Claims snoozed to a later follow-up date are left out until that date. One page at a time.
    """
    query = _queue_query(today, text)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    ordered = query.order_by(
        col(Claim.deadline).is_(None),
        Claim.deadline,
        (Claim.billed_cents - Claim.paid_cents).desc(),
        Claim.service_date,
        Claim.id,
    )
    rows = [_row(c, p, y, today) for c, p, y in session.exec(ordered.offset(offset).limit(limit))]
    return QueuePage(rows, offset, total)


def deadlines_within(session: Session, today: date, days: int = DEADLINE_WARN_DAYS) -> list[QueueRow]:
    """Open claims whose deadline falls within `days` (or has passed), for the huddle."""
    rows = session.exec(
        select(Claim, Patient, Payer)
        .join(Patient, Patient.id == Claim.patient_id)
        .join(Payer, Payer.id == Claim.payer_id)
        .where(col(Claim.status).in_(OPEN_STATUSES), Claim.deadline <= today + timedelta(days=days))
        .order_by(Claim.deadline, Claim.id)
    )
    return [_row(c, p, y, today) for c, p, y in rows]


def follow_ups_due(session: Session, today: date) -> int:
    return session.exec(
        select(func.count()).select_from(Claim).where(
            col(Claim.status).in_(OPEN_STATUSES), Claim.next_follow_up == today
        )
    ).one()


@dataclass(frozen=True)
class ClaimDetail:
    claim: Claim
    patient_name: str
    payer: Payer
    lines: list[ClaimLine]
    diagnoses: list[str]
    notes: list[ClaimNote]


def claim_detail(session: Session, claim_id: int) -> ClaimDetail:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ServiceError("that claim no longer exists — reload")
    patient = session.get(Patient, claim.patient_id)
    payer = session.get(Payer, claim.payer_id)
    lines = list(session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim_id).order_by(ClaimLine.id)))
    diagnoses = [d.code for d in session.exec(
        select(ClaimDiagnosis).where(ClaimDiagnosis.claim_id == claim_id).order_by(ClaimDiagnosis.position))]
    notes = list(session.exec(
        select(ClaimNote).where(ClaimNote.claim_id == claim_id).order_by(col(ClaimNote.at).desc())))
    return ClaimDetail(claim, patient.name, payer, lines, diagnoses, notes)


def add_note(
    session: Session, claim_id: int, data: ClaimNoteCreate, *, now: datetime, actor: str, expected_version: int | None
) -> ClaimNote:
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
    session.commit()
    return note

