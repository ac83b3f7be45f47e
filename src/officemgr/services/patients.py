"""Registering, finding, editing and merging patients: the front desk's first job.

A new patient is checked against the records already there (same name and date of birth, or same date of birth
and phone) before it is saved; the desk either picks the existing record or says it is a different person.
Merging moves one record's appointments, recalls, waitlist entries and claims to the other and keeps the merged
record (hidden from search, pointing at the one kept); every moved row's audit event holds its old patient, so
`unmerge` can put them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Text, and_, cast, func, or_, update
from sqlmodel import Session, col, select

from officemgr.models import (
    Appointment,
    AuditEvent,
    Claim,
    CollectionReferral,
    InsurancePlan,
    LedgerEntry,
    Patient,
    PatientCreate,
    PaymentPlan,
    Recall,
    Statement,
    WaitlistEntry,
)
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, apply_update, created_fields, first_error, record

ADULT_AGE = 18  # a younger patient needs a guarantor (parent or guardian) on file
SEARCH_LIMIT = 20
# The tables whose rows follow a patient into a merge (table name as the audit log names it, the model): their
# visits and claims, and with the claims the money (ledger, plans, statements, collections), so a balance moves whole.
FOLLOWERS: tuple[tuple[str, Any], ...] = (
    ("appointment", Appointment), ("recall", Recall), ("waitlist_entry", WaitlistEntry), ("claim", Claim),
    ("ledger_entry", LedgerEntry), ("insurance_plan", InsurancePlan), ("statement", Statement),
    ("payment_plan", PaymentPlan), ("collection_referral", CollectionReferral))


@dataclass(frozen=True)
class PatientHit:
    """One line of a search: enough to tell two people apart at the desk."""

    id: int
    name: str
    preferred_name: str
    dob: date
    phone: str
    account: str

    def label(self, today: date) -> str:
        known_as = f' "{self.preferred_name}"' if self.preferred_name else ""
        return f"{self.name}{known_as} · {self.dob:%m/%d/%Y} ({age_on(self.dob, today)}) · {self.phone or 'no phone'}" \
               f" · #{self.account}"


class DuplicatePatient(ServiceError):
    """Refused: someone with the same name and date of birth (or date of birth and phone) is already registered."""

    def __init__(self, matches: list[PatientHit]) -> None:
        first = matches[0]
        more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
        super().__init__(f"{first.name}, born {first.dob:%m/%d/%Y}, is already registered as #{first.account}{more}:"
                         " use that record, or save again saying this is a different person")
        self.matches = matches


def age_on(dob: date, day: date) -> int:
    """Whole years on `day`; born on Feb 29, a year is complete on March 1 in a year without one."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def account_of(patient_id: int) -> str:
    """The account number a patient gets when none was given: the id as six digits."""
    return f"{patient_id:06d}"


def give_accounts(session: Session) -> None:
    """Number the patients a bulk import added without an account number (as `register` numbers one)."""
    padded = func.lpad(cast(col(Patient.id), Text), 6, "0") \
        if session.get_bind().dialect.name == "postgresql" else func.printf("%06d", col(Patient.id))
    session.execute(update(Patient).where(col(Patient.account).is_(None)).values(account=padded))


def _hit(p: Patient) -> PatientHit:
    assert p.id is not None
    return PatientHit(p.id, p.name, p.preferred_name, p.dob, p.phone or p.mobile, p.account or account_of(p.id))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def possible_duplicates(session: Session, data: PatientCreate, *, besides: int | None = None) -> list[PatientHit]:
    """Registered patients who may be this one: same first and last name (any case) and date of birth, or same
    date of birth and the same phone (home or mobile)."""
    phones = {p for p in (data.phone, data.mobile) if p}
    same_dob = session.exec(select(Patient).where(Patient.dob == data.dob, col(Patient.merged_into).is_(None)))
    found = []
    for p in same_dob:
        if p.id == besides:
            continue
        same_name = (p.first_name.casefold(), p.last_name.casefold()) == (data.first_name.casefold(),
                                                                           data.last_name.casefold())
        if same_name or phones & {p.phone, p.mobile}:
            found.append(_hit(p))
    return found


def check_registration(data: PatientCreate, today: date) -> None:
    """What registering by hand refuses beyond the schema: a birth date after today, a minor without a guarantor."""
    if data.dob > today:
        raise ServiceError("dob: the date of birth is after today; check the year")
    if age_on(data.dob, today) < ADULT_AGE and not data.guarantor_name:
        raise ServiceError(f"guarantor_name: a patient under {ADULT_AGE} needs a guarantor (the parent or guardian "
                           "who pays); give their name and relation")


def _validated(values: dict[str, Any] | PatientCreate) -> PatientCreate:
    if isinstance(values, PatientCreate):
        return values
    try:
        return PatientCreate.model_validate(values)
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from exc


def register(session: Session, values: dict[str, Any] | PatientCreate, *, today: date, actor: str, now: datetime,
             different_person: bool = False, account: str | None = None) -> PatientHit:
    """A new patient. Refused as DuplicatePatient when one may already be registered, unless the desk said this is
    a different person. Commits."""
    require(actor, Area.schedule, what="registering a patient")
    data = _validated(values)
    check_registration(data, today)
    if not different_person:
        matches = possible_duplicates(session, data)
        if matches:
            raise DuplicatePatient(matches)
    account = clean_account(session, account)
    patient = Patient(**data.model_dump(), account=account)
    session.add(patient)
    session.flush()
    assert patient.id is not None
    if patient.account is None:
        patient.account = account_of(patient.id)
    record(session, actor=actor, entity="patient", entity_id=patient.id, action="create",
           changes=created_fields(patient), now=now)
    session.commit()
    return _hit(patient)


def clean_account(session: Session, account: str | None, *, besides: int | None = None) -> str | None:
    """An account number as kept (None when empty), refused when malformed or another patient's."""
    text = (account or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[A-Za-z0-9-]{1,20}", text):
        raise ServiceError("account: an account number is up to 20 letters, digits or '-'")
    if re.fullmatch(r"[0-9]{6}", text) and text != (account_of(besides) if besides else None):
        # Six digits are the numbers the practice gives (a patient's id): another system's would collide later.
        raise ServiceError(f"account: six-digit numbers are the practice's own; give {text} with its system's "
                           f"letters (e.g. MRN{text})")
    taken = session.exec(select(Patient).where(Patient.account == text)).first()
    if taken is not None and taken.id != besides:
        raise ServiceError(f"account: #{text} is {taken.name}'s account number")
    return text


def update_patient(session: Session, patient_id: int, values: dict[str, Any] | PatientCreate, *, today: date,
                   actor: str, now: datetime, expected_version: int | None = None) -> PatientHit:
    """Save an edit of a patient's details (refused when someone changed them since they were opened). Commits."""
    require(actor, Area.schedule, what="editing a patient")
    patient = _patient(session, patient_id)
    data = _validated(values)
    check_registration(data, today)
    changes = apply_update(patient, data.model_dump(), expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="patient", entity_id=patient_id, action="update", changes=changes,
               now=now)
    session.commit()
    return _hit(patient)


def _patient(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise ServiceError("that patient is no longer on file; reload")
    return patient


def details(session: Session, patient_id: int) -> tuple[PatientCreate, int]:
    """The patient's details as the form edits them, and the version they were read at."""
    patient = _patient(session, patient_id)
    return PatientCreate.model_validate(patient.model_dump()), patient.version


PHONE_DIGITS_MIN = 3  # fewer digits would match nearly every phone number


def search(session: Session, text: str, *, limit: int = SEARCH_LIMIT) -> list[PatientHit]:
    """Patients matching what the desk typed, as they type it: a date of birth (YYYY-MM-DD or MM/DD/YYYY), digits
    (an account number, or a run of a home or mobile phone's digits), words that each begin a first, last or
    preferred name ("smi", "smith, jo", "jo smith"), or an account number with letters ("MRN123", any case).
    Merged records are left out. In name order, at most `limit`."""
    text = " ".join((text or "").split())
    if not text:
        return []
    rows = session.exec(_matching(select(Patient).where(col(Patient.merged_into).is_(None)), text).limit(limit))
    return [_hit(p) for p in rows]


@dataclass(frozen=True)
class MergedHit:
    """A record merged into another (hidden from `search`): who it was, and the record that holds its rows now."""

    hit: PatientHit
    into: PatientHit


def search_merged(session: Session, text: str, *, limit: int = SEARCH_LIMIT) -> list[MergedHit]:
    """The merged records matching `text` as `search` reads it, or merged into a record it finds (all of them
    when it is empty), by name: where to find one whose merge should be undone."""
    text = " ".join((text or "").split())
    query = select(Patient).where(col(Patient.merged_into).is_not(None))
    if text:
        kept = [hit.id for hit in search(session, text, limit=limit)]
        found = {p.id: p for p in session.exec(_matching(query, text).limit(limit))}
        found.update((p.id, p) for p in session.exec(query.where(col(Patient.merged_into).in_(kept)).limit(limit)))
        merged = sorted(found.values(), key=lambda p: (p.last_name, p.first_name, p.dob))[:limit]
    else:
        merged = list(session.exec(query.order_by(col(Patient.last_name), col(Patient.first_name),
                                                  col(Patient.dob)).limit(limit)))
    into = {p.id: p for p in session.exec(select(Patient).where(
        col(Patient.id).in_({p.merged_into for p in merged})))}
    return [MergedHit(_hit(p), _hit(into[p.merged_into])) for p in merged if p.merged_into in into]


def _matching(query: Any, text: str) -> Any:
    """`query` narrowed to the patients `text` finds (see `search`), in name order."""
    digits = _digits(text)
    born = _parse_dob(text)
    if born:
        query = query.where(Patient.dob == born)
    elif digits and re.fullmatch(r"[0-9()+. -]+", text):
        query = query.where(or_(*_number_terms(text, digits)))
    else:
        # Words begin names; the whole text may also be an account number with letters (an imported MRN).
        words = [or_(*(func.lower(name).startswith(word, autoescape=True) for name in (
            col(Patient.last_name), col(Patient.first_name), col(Patient.preferred_name))))
            for word in text.lower().replace(",", " ").split()]
        account = func.upper(col(Patient.account)) == text.upper()
        query = query.where(or_(account, and_(*words)) if words else account)
    return query.order_by(col(Patient.last_name), col(Patient.first_name), col(Patient.dob))


def follower_counts(session: Session, patient_id: int) -> dict[str, int]:
    """How many rows of each table that follows a patient into a merge are theirs (by the audit log's table
    name, e.g. "appointment", "claim"): what a merge would move."""
    return {entity: int(session.exec(select(func.count()).select_from(model)
                                     .where(model.patient_id == patient_id)).one())
            for entity, model in FOLLOWERS}


def _parse_dob(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _number_terms(text: str, digits: str) -> list[Any]:
    """An account number as typed or as six digits; from three digits on, a run of a phone's digits."""
    terms: list[Any] = [Patient.account == text, Patient.account == digits.zfill(6)]
    if len(digits) >= PHONE_DIGITS_MIN:
        for phone in (col(Patient.phone), col(Patient.mobile)):
            bare: Any = phone
            for ch in "()- ":
                bare = func.replace(bare, ch, "")
            terms.append(bare.contains(digits[-10:] if len(digits) == 11 and digits[0] == "1" else digits,
                                       autoescape=True))
    return terms


def merge(session: Session, keep_id: int, merge_id: int, *, actor: str, now: datetime) -> int:
    """Move everything of patient `merge_id` to `keep_id` and hide `merge_id` (kept, pointing at `keep_id`).
    Returns the number of rows moved. Each move is audited with its old patient. Commits."""
    # Claims move too: the person merging must be allowed to change billing as well as the schedule.
    require(actor, Area.schedule, what="merging patients")
    require(actor, Area.billing, what="merging patients (their claims move too)")
    if keep_id == merge_id:
        raise ServiceError("choose two different patients to merge")
    keep, gone = _patient(session, keep_id), _patient(session, merge_id)
    if keep.merged_into is not None or gone.merged_into is not None:
        raise ServiceError("one of these records was already merged into another; search again")
    moved = 0
    for entity, model in FOLLOWERS:
        for row in session.exec(select(model).where(model.patient_id == merge_id)):
            row.patient_id = keep_id
            if hasattr(row, "version"):
                row.version += 1
            record(session, actor=actor, entity=entity, entity_id=row.id, action="merge",
                   changes={"patient_id": [merge_id, keep_id]}, now=now)
            moved += 1
    gone.merged_into = keep_id
    gone.version += 1
    record(session, actor=actor, entity="patient", entity_id=merge_id, action="merge",
           changes={"merged_into": [None, keep_id], "moved": moved}, now=now)
    session.commit()
    return moved


def unmerge(session: Session, merged_id: int, *, actor: str, now: datetime) -> int:
    """Undo a merge from its audit trail: the rows the merge moved go back to `merged_id`, which shows again.
    Rows added to the kept record since stay there. Returns the number moved back. Commits."""
    require(actor, Area.schedule, what="undoing a merge")
    require(actor, Area.billing, what="undoing a merge (claims move back too)")
    gone = _patient(session, merged_id)
    if gone.merged_into is None:
        raise ServiceError(f"{gone.name} is not merged into another record")
    keep_id = gone.merged_into
    back = 0
    for entity, model in FOLLOWERS:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.action == "merge",
                                                       col(AuditEvent.changes).contains(f"[{merged_id}, {keep_id}]")))
        for row_id in sorted({e.entity_id for e in events}):
            row = session.get(model, row_id)
            if row is None or row.patient_id != keep_id:
                continue
            row.patient_id = merged_id
            if hasattr(row, "version"):
                row.version += 1
            record(session, actor=actor, entity=entity, entity_id=row_id, action="unmerge",
                   changes={"patient_id": [keep_id, merged_id]}, now=now)
            back += 1
    gone.merged_into = None
    gone.version += 1
    record(session, actor=actor, entity="patient", entity_id=merged_id, action="unmerge",
           changes={"merged_into": [keep_id, None], "moved_back": back}, now=now)
    session.commit()
    return back
