"""Hiring: job openings and the applicants moving through their stages, the manager's alone (the auditor may read).

An applicant moves applied -> phone screen -> interview -> references -> offer, in any order among the open stages,
until hired, declined or withdrawn: a closed stage is final. Each move may carry a dated note with the interviewer.
Hiring makes the staff record from the applicant (no retyping) in the same transaction as the applicant's change.

Applicants are not staff: their audit events name the fields written, never their names, contact details or the
notes' text, so a purge after the retention period (the setting applicant_retention_days, counted from the day the
applicant was declined or withdrew) leaves nothing of them behind. A hired applicant's row is kept: it is how the
staff record came to be, and its personal data is the staff record's own from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import delete
from sqlmodel import Session, col, select

from officemgr.models import Staff, StaffCreate
from officemgr.models.hiring import Applicant, ApplicantNote, ApplicantStage, JobOpening
from officemgr.models.lifecycle import ChecklistKind
from officemgr.models.people import PROVIDER_ROLES, Role
from officemgr.models.validation import clean_email, clean_phone, require_text, strip_free_text, strip_text
from officemgr.services import checklists, settings
from officemgr.services.access import Area, require
from officemgr.services.availability import default_template
from officemgr.services.common import ServiceError, StaleEdit, created_fields, first_error, record

# An applicant in one open stage longer than this is on the manager's Huddle.
STALE_STAGE_DAYS = 7
# A start date may be a little in the past (the paperwork caught up after the first day), not more.
HIRE_BACKDATE_DAYS = 30
OPEN_STAGES = tuple(s for s in ApplicantStage if not s.closed)


class OpeningCreate(BaseModel):
    title: str = Field(max_length=80)
    role: Role
    hours_per_week: int = Field(ge=1, le=80)
    posted_on: date

    _title = field_validator("title", mode="before")(require_text)


class ApplicantCreate(BaseModel):
    opening_id: int
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60)
    phone: str = ""
    email: str = Field(default="", max_length=120)
    applied_on: date

    _names = field_validator("first_name", "last_name", mode="before")(require_text)
    _phone = field_validator("phone", mode="before")(clean_phone)
    _email = field_validator("email", mode="before")(clean_email)


class StageNote(BaseModel):
    """A note at a stage: when, who interviewed or called, what was said. For a move, the day of the move."""

    noted_on: date
    interviewer: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=2000)

    _interviewer = field_validator("interviewer", mode="before")(strip_text)
    _note = field_validator("note", mode="before")(strip_free_text)


class StageMove(StageNote):
    stage: ApplicantStage


class HireInput(BaseModel):
    start_date: date
    npi: str | None = None


@dataclass(frozen=True)
class OpeningRow:
    id: int
    version: int
    title: str
    role: Role
    hours_per_week: int
    posted_on: date
    closed_on: date | None
    by_stage: dict[ApplicantStage, int]

    @property
    def summary(self) -> str:
        """'2 applied, 1 interview': the applicants by stage, in the pipeline's order."""
        return ", ".join(f"{n} {s.label.lower()}" for s in ApplicantStage if (n := self.by_stage.get(s, 0))) or "none"


@dataclass(frozen=True)
class ApplicantRow:
    id: int
    version: int
    opening_id: int
    name: str
    stage: ApplicantStage
    applied_on: date
    stage_since: date
    days_in_stage: int
    closed_on: date | None
    staff_id: int | None
    last_note: str


@dataclass(frozen=True)
class NoteRow:
    stage: ApplicantStage
    noted_on: date
    interviewer: str
    note: str


@dataclass(frozen=True)
class HireFacts:
    """What the hire form needs to know of the applicant: whom, for which role, and whether an NPI is asked."""

    applicant_id: int
    version: int
    name: str
    stage: ApplicantStage
    role: Role

    @property
    def needs_npi(self) -> bool:
        return self.role in PROVIDER_ROLES


@dataclass(frozen=True)
class Purgeable:
    ids: list[int]
    retention_days: int
    cutoff: date  # closed before this day: purged


def _reader(actor: str) -> None:
    require(actor, Area.hiring, write=False, what="seeing applicants")


def _opening(session: Session, opening_id: int) -> JobOpening:
    row = session.get(JobOpening, opening_id)
    if row is None:
        raise ServiceError("that job opening no longer exists — reload")
    return row


def _applicant(session: Session, applicant_id: int, expected_version: int | None) -> Applicant:
    row = session.get(Applicant, applicant_id)
    if row is None:
        raise ServiceError("that applicant no longer exists — reload")
    if expected_version is not None and row.version != expected_version:
        raise StaleEdit()
    return row


def _not_after_today(day: date, today: date, what: str) -> None:
    if day > today:
        raise ServiceError(f"{what} cannot be after today ({today:%m/%d/%Y})")


def add_opening(session: Session, data: OpeningCreate, *, today: date, now: datetime, actor: str) -> int:
    require(actor, Area.hiring, what="adding a job opening")
    _not_after_today(data.posted_on, today, "the posted date")
    row = JobOpening(**data.model_dump())
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="job_opening", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return row.id


def close_opening(session: Session, opening_id: int, *, today: date, now: datetime, actor: str,
                  expected_version: int) -> None:
    """Close an opening today; refused while applicants are still open (decline or withdraw them first, so none is
    left waiting on the Huddle for an opening that is gone)."""
    require(actor, Area.hiring, what="closing a job opening")
    row = _opening(session, opening_id)
    if row.version != expected_version:
        raise StaleEdit()
    if row.closed_on is not None:
        raise ServiceError(f"this opening was already closed on {row.closed_on:%m/%d/%Y}")
    waiting = session.exec(select(Applicant).where(Applicant.opening_id == opening_id,
                                                   col(Applicant.stage).in_(OPEN_STAGES))).all()
    if waiting:
        names = ", ".join(a.name for a in waiting[:3]) + (" …" if len(waiting) > 3 else "")
        raise ServiceError(f"{len(waiting)} applicant(s) still open ({names}): hire, decline or mark them "
                           "withdrawn first")
    row.closed_on, row.version = today, row.version + 1
    record(session, actor=actor, entity="job_opening", entity_id=opening_id, action="close",
           changes={"closed_on": [None, today.isoformat()]}, now=now)
    session.commit()


def add_applicant(session: Session, data: ApplicantCreate, *, today: date, now: datetime, actor: str) -> int:
    require(actor, Area.hiring, what="adding an applicant")
    opening = _opening(session, data.opening_id)
    if opening.closed_on is not None:
        raise ServiceError(f"this opening was closed on {opening.closed_on:%m/%d/%Y}; it takes no new applicants")
    _not_after_today(data.applied_on, today, "the date applied")
    if data.applied_on < opening.posted_on:
        raise ServiceError(f"the date applied cannot be before the opening was posted ({opening.posted_on:%m/%d/%Y})")
    row = Applicant(**data.model_dump())
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    # No name or contact details in the audit log: it outlives the purge.
    record(session, actor=actor, entity="applicant", entity_id=row.id, action="create",
           changes={"opening_id": row.opening_id, "applied_on": row.applied_on, "stage": row.stage,
                    "personal": ["first_name", "last_name", "phone", "email"]}, now=now)
    session.commit()
    return row.id


def _check_date(applicant: Applicant, day: date, today: date) -> None:
    _not_after_today(day, today, "the note's date")
    if day < applicant.applied_on:
        raise ServiceError(f"the note's date cannot be before the day they applied ({applicant.applied_on:%m/%d/%Y})")


def _add_note(session: Session, applicant: Applicant, stage: ApplicantStage, data: StageNote, *, now: datetime,
              actor: str) -> None:
    assert applicant.id is not None
    note = ApplicantNote(applicant_id=applicant.id, stage=stage, noted_on=data.noted_on,
                         interviewer=data.interviewer, note=data.note)
    session.add(note)
    session.flush()
    assert note.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="applicant_note", entity_id=note.id, action="create",
           changes={"applicant_id": applicant.id, "stage": stage, "noted_on": data.noted_on,
                    "interviewer": data.interviewer, "note": "(written)" if data.note else ""}, now=now)


def _set_stage(applicant: Applicant, stage: ApplicantStage, day: date) -> dict[str, list[object]]:
    """Move to `stage` on `day` (a closed stage sets closed_on); the audit's changes."""
    changes: dict[str, list[object]] = {"stage": [applicant.stage.value, stage.value]}
    applicant.stage = stage
    if stage.closed:
        changes["closed_on"] = [None, day.isoformat()]
        applicant.closed_on = day
    applicant.version += 1
    return changes


def move_stage(session: Session, applicant_id: int, move: StageMove, *, today: date, now: datetime, actor: str,
               expected_version: int) -> None:
    """Move an open applicant to another stage (any open one, or declined/withdrawn), with the move's dated note."""
    require(actor, Area.hiring, what="moving an applicant")
    applicant = _applicant(session, applicant_id, expected_version)
    if applicant.stage.closed:
        raise ServiceError(f"{applicant.name} is {applicant.stage.label.lower()}: that is final")
    if move.stage is ApplicantStage.hired:
        raise ServiceError("hiring makes the staff record: use Hire (H) instead")
    if move.stage is applicant.stage:
        raise ServiceError(f"{applicant.name} is already at {applicant.stage.label.lower()}")
    _check_date(applicant, move.noted_on, today)
    since = _stage_since(applicant, _notes(session, [applicant_id]).get(applicant_id, []))
    if move.noted_on < since:
        raise ServiceError(f"the move cannot be dated before {applicant.name} reached "
                           f"{applicant.stage.label.lower()} ({since:%m/%d/%Y})")
    _add_note(session, applicant, move.stage, move, now=now, actor=actor)
    record(session, actor=actor, entity="applicant", entity_id=applicant_id, action="move",
           changes=_set_stage(applicant, move.stage, move.noted_on), now=now)
    session.commit()


def add_note(session: Session, applicant_id: int, data: StageNote, *, today: date, now: datetime, actor: str) -> None:
    """A note at the applicant's current stage (a second interview, a reference called)."""
    require(actor, Area.hiring, what="noting on an applicant")
    if not data.note:
        raise ServiceError("write the note")
    applicant = _applicant(session, applicant_id, None)
    _check_date(applicant, data.noted_on, today)
    _add_note(session, applicant, applicant.stage, data, now=now, actor=actor)
    session.commit()


def hire_facts(session: Session, applicant_id: int, *, actor: str) -> HireFacts:
    _reader(actor)
    applicant = _applicant(session, applicant_id, None)
    opening = _opening(session, applicant.opening_id)
    assert applicant.id is not None
    return HireFacts(applicant.id, applicant.version, applicant.name, applicant.stage, opening.role)


def hire(session: Session, applicant_id: int, data: HireInput, *, today: date, now: datetime, actor: str,
         expected_version: int) -> int:
    """Make the staff record from the applicant (names, phone, e-mail, the opening's role, the start date as hire
    date) and mark the applicant hired, in one transaction; the new staff member's id."""
    require(actor, Area.hiring, what="hiring an applicant")
    require(actor, Area.staff, what="adding a staff member")
    applicant = _applicant(session, applicant_id, expected_version)
    if applicant.stage.closed:
        raise ServiceError(f"{applicant.name} is {applicant.stage.label.lower()}: that is final")
    earliest = today - timedelta(days=HIRE_BACKDATE_DAYS)
    if data.start_date < earliest:
        raise ServiceError(f"the start date cannot be before {earliest:%m/%d/%Y} ({HIRE_BACKDATE_DAYS} days ago)")
    role = _opening(session, applicant.opening_id).role
    provider = role in PROVIDER_ROLES
    try:
        staff = StaffCreate.model_validate({
            "first_name": applicant.first_name, "last_name": applicant.last_name, "phone": applicant.phone,
            "email": applicant.email, "role": role, "hire_date": data.start_date, "is_provider": provider,
            "npi": data.npi if provider else None})
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    # services.staff.add_staff's rules, without its commit: the staff row and the applicant's change are one write.
    person = Staff.model_validate(staff.model_dump())
    session.add(person)
    session.flush()
    assert person.id is not None, "the flush gives the new row its id"
    if person.is_provider:
        hours, blocks = default_template(person.id)
        session.add_all([*hours, *blocks])
    record(session, actor=actor, entity="staff", entity_id=person.id, action="create",
           changes=created_fields(person), now=now)
    changes = _set_stage(applicant, ApplicantStage.hired, today)
    changes["staff_id"] = [None, person.id]
    applicant.staff_id = person.id
    record(session, actor=actor, entity="applicant", entity_id=applicant_id, action="hire", changes=changes, now=now)
    # Onboarding starts from the start date in this same transaction: a hire is never left without its checklist.
    checklists.add_checklist(session, person.id, ChecklistKind.onboarding, data.start_date, now=now, actor=actor)
    session.commit()
    return person.id


def openings(session: Session, *, actor: str, include_closed: bool = False) -> list[OpeningRow]:
    """Openings, open ones first and newest posted first, with their applicants counted by stage."""
    _reader(actor)
    query = select(JobOpening)
    if not include_closed:
        query = query.where(col(JobOpening.closed_on).is_(None))
    rows = session.exec(query.order_by(col(JobOpening.closed_on).is_not(None), col(JobOpening.posted_on).desc(),
                                       col(JobOpening.id).desc())).all()
    counts: dict[int, dict[ApplicantStage, int]] = {}
    for applicant in session.exec(select(Applicant)):
        by_stage = counts.setdefault(applicant.opening_id, {})
        by_stage[applicant.stage] = by_stage.get(applicant.stage, 0) + 1
    found = []
    for r in rows:
        assert r.id is not None
        found.append(OpeningRow(r.id, r.version, r.title, r.role, r.hours_per_week, r.posted_on, r.closed_on,
                                counts.get(r.id, {})))
    return found


def _stage_since(applicant: Applicant, notes: list[ApplicantNote]) -> date:
    """The day the applicant entered their current stage: the first of the latest run of notes at that stage (a
    move writes one), or the day they applied."""
    since = None
    for note in reversed(notes):
        if note.stage is not applicant.stage:
            break
        since = note.noted_on
    else:
        if applicant.stage is ApplicantStage.applied:  # never moved: notes at applied came after applying
            return applicant.applied_on
    return since or applicant.applied_on


def _notes(session: Session, ids: list[int | None]) -> dict[int, list[ApplicantNote]]:
    """The applicants' notes in the order they were written, by applicant."""
    notes: dict[int, list[ApplicantNote]] = {}
    for note in session.exec(select(ApplicantNote).where(col(ApplicantNote.applicant_id).in_(ids))
                             .order_by(col(ApplicantNote.id))):
        notes.setdefault(note.applicant_id, []).append(note)
    return notes


def _rows(session: Session, applicants: list[Applicant], today: date) -> list[ApplicantRow]:
    notes = _notes(session, [a.id for a in applicants])
    found = []
    for a in applicants:
        assert a.id is not None
        mine = notes.get(a.id, [])
        since = _stage_since(a, mine)
        last = next((n.note for n in reversed(mine) if n.note), "")
        end = a.closed_on or today
        found.append(ApplicantRow(a.id, a.version, a.opening_id, a.name, a.stage, a.applied_on, since,
                                  (end - since).days, a.closed_on, a.staff_id, last))
    return found


def applicants(session: Session, opening_id: int, today: date, *, actor: str) -> list[ApplicantRow]:
    """An opening's applicants: open ones first in the pipeline's order, then closed ones, latest closed first."""
    _reader(actor)
    rows = session.exec(select(Applicant).where(Applicant.opening_id == opening_id)
                        .order_by(col(Applicant.last_name), col(Applicant.first_name))).all()
    order = {s: n for n, s in enumerate(ApplicantStage)}
    found = _rows(session, list(rows), today)
    return sorted(found, key=lambda r: (r.closed_on is not None, order[r.stage] if r.closed_on is None else 0,
                                        -(r.closed_on.toordinal() if r.closed_on else 0)))


def notes_of(session: Session, applicant_id: int, *, actor: str) -> list[NoteRow]:
    """An applicant's notes, oldest first."""
    _reader(actor)
    rows = session.exec(select(ApplicantNote).where(ApplicantNote.applicant_id == applicant_id)
                        .order_by(col(ApplicantNote.noted_on), col(ApplicantNote.id)))
    return [NoteRow(n.stage, n.noted_on, n.interviewer, n.note) for n in rows]


def stale_applicants(session: Session, today: date, *, actor: str) -> list[ApplicantRow]:
    """Open applicants in one stage more than STALE_STAGE_DAYS days, longest waiting first."""
    _reader(actor)
    rows = session.exec(select(Applicant).where(col(Applicant.stage).in_(OPEN_STAGES))).all()
    stale = [r for r in _rows(session, list(rows), today) if r.days_in_stage > STALE_STAGE_DAYS]
    return sorted(stale, key=lambda r: (-r.days_in_stage, r.id))


def purgeable(session: Session, today: date, *, actor: str) -> Purgeable:
    """Applicants declined or withdrawn more than the retention period ago: closed exactly `days` days ago is kept,
    a day more is purged. Open and hired applicants never are."""
    _reader(actor)
    days = int(settings.get(session, "applicant_retention_days"))
    cutoff = today - timedelta(days=days)
    ids = session.exec(select(Applicant.id).where(
        col(Applicant.stage).in_((ApplicantStage.declined, ApplicantStage.withdrawn)),
        col(Applicant.closed_on) < cutoff).order_by(col(Applicant.id))).all()
    return Purgeable([i for i in ids if i is not None], days, cutoff)


def purge_applicants(session: Session, *, today: date, now: datetime, actor: str) -> int:
    """Delete the applicants past retention and their notes; one audit event with the count and the ids."""
    require(actor, Area.hiring, what="purging applicants")
    due = purgeable(session, today, actor=actor)
    if not due.ids:
        return 0
    notes = len(session.exec(select(ApplicantNote.id).where(col(ApplicantNote.applicant_id).in_(due.ids))).all())
    session.execute(delete(ApplicantNote).where(col(ApplicantNote.applicant_id).in_(due.ids)))
    session.execute(delete(Applicant).where(col(Applicant.id).in_(due.ids)))
    record(session, actor=actor, entity="applicant", entity_id=0, action="purge",
           changes={"count": len(due.ids), "ids": due.ids, "notes": notes,
                    "retention_days": due.retention_days, "closed_before": due.cutoff}, now=now)
    session.commit()
    return len(due.ids)
