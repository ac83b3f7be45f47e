"""Credentials and trainings, yearly evaluations, and payer enrollment (re-credentialing and CAQH).

Reads take an explicit `today`; writes take `now` (their "today" is `now.date()`), validate with the schemas
below, write one transaction with its audit event, and commit.

Decisions that shape the rules:
- A required credential (setting `required_credentials`, per role) that has *expired* makes its holder
  "lapsed": `lapsed_required` is what every screen uses to show a person in red. A required credential the
  person does not hold at all is a gap, reported by `missing_required`, but does not make them red (a new hire's
  paperwork is often still on its way). A kind counts as lapsed only if every credential of that kind has
  expired (a renewed DEA on a new row, or a second state license, keeps it valid). A credential is valid
  through its expiry date.
- A new hire's first evaluation is the probation review, due `probation_review_days` (a setting) after the hire
  date, until any evaluation is done or the first anniversary comes (the yearly evaluation then takes its place).
  After it, evaluations are due on the hire anniversary (a Feb 29 hire is due Feb 28 in other years): the next
  one due is the first anniversary after the due date of the last evaluation done.
- The CAQH ProView profile belongs to the provider, not to an enrollment; the table keeps the date on each of
  the provider's enrollment rows, so `attest_caqh` stamps every enrollment of the provider, a new enrollment
  inherits the provider's latest attestation, and `enrollments_due` reports CAQH once per provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator
from sqlmodel import Session, col, select

from officemgr.models import Credential, CredentialKind, Evaluation, Payer, PayerEnrollment, Role, Staff
from officemgr.models.people import employed_on
from officemgr.models.roster import EvaluationKind
from officemgr.models.validation import npi_is_valid, strip_free_text, strip_text
from officemgr.services import settings
from officemgr.services.access import Actor, Area, NotAllowed, may, require, who_may
from officemgr.services.common import ServiceError, apply_update, create, created_fields, first_error, record

# The expiry bands the manager watches, in days; past the last one a credential is "ok".
BANDS = (30, 60, 90)
# Re-credentialing due date of a new enrollment when none is given (payers mostly re-credential every 3 years).
RECREDENTIAL_YEARS = 3
# Kinds whose number identifies the credential, so it cannot be left empty.
NUMBERED = (CredentialKind.license, CredentialKind.dea, CredentialKind.board, CredentialKind.npi)
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI".split()
)


# ----------------------------------------------------------------------------------------------- schemas


def npi_problem(value: str) -> str | None:
    """Why `value` is not a valid NPI, in words, or None when it is one."""
    if not value.isdigit():
        return "an NPI is 10 digits and nothing else"
    if len(value) != 10:
        return f"an NPI is exactly 10 digits (this has {len(value)})"
    if value[0] not in "12":
        return "an NPI starts with 1 or 2"
    if not npi_is_valid(value):
        return "not a valid NPI: the last digit (the check digit) does not match the first nine; check for a typo"
    return None


def _clean_note(value: Any) -> str:
    return strip_free_text(None if value is None else str(value))


def _due_after_effective(value: date | None, info: ValidationInfo) -> date | None:
    effective = info.data.get("effective")
    if value is not None and effective is not None and value <= effective:
        raise ValueError("re-credentialing comes after the effective date")
    return value


class CredentialCreate(BaseModel):
    """A credential or training on file for a staff member."""

    staff_id: int
    kind: CredentialKind
    number: str = Field(default="", max_length=40, validate_default=True)
    state: str = Field(default="", max_length=2, validate_default=True)
    expires: date | None = Field(default=None, validate_default=True)

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: Any, info: ValidationInfo) -> str:
        text = strip_text(None if value is None else str(value))
        kind = info.data.get("kind")
        if kind is CredentialKind.npi:
            text = text.replace(" ", "").replace("-", "")
            if not text:
                raise ValueError("this field is required")
            problem = npi_problem(text)
            if problem:
                raise ValueError(problem)
        elif kind in NUMBERED and not text:
            raise ValueError("this field is required")
        return text

    @field_validator("state", mode="before")
    @classmethod
    def _state(cls, value: Any, info: ValidationInfo) -> str:
        text = "" if value is None else str(value).strip().upper()
        if info.data.get("kind") is CredentialKind.license and not text:
            raise ValueError("a license is issued by a state: enter its 2-letter code, e.g. OH")
        if text and text not in US_STATES:
            raise ValueError("a state is its 2-letter postal code, e.g. OH")
        return text

    @field_validator("expires")
    @classmethod
    def _expires(cls, value: date | None, info: ValidationInfo) -> date | None:
        kind = info.data.get("kind")
        if kind is CredentialKind.npi:
            if value is not None:
                raise ValueError("an NPI does not expire; leave this empty")
            return None
        if value is None and kind is not None:
            raise ValueError("this field is required")
        return value


class CredentialRenewal(BaseModel):
    """A renewed credential: the new expiry, and the new number if it changed (empty keeps the old one)."""

    number: str | None = Field(default=None, max_length=40)
    expires: date

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: Any) -> str | None:
        text = strip_text(None if value is None else str(value))
        return text or None


class EvaluationCreate(BaseModel):
    """The evaluation due on `due` (the probation review's date or a hire anniversary), done on `done_on`."""

    staff_id: int
    due: date
    done_on: date
    note: str = Field(default="", max_length=500)

    _note = field_validator("note", mode="before")(_clean_note)


class EnrollmentCreate(BaseModel):
    provider_id: int
    payer_id: int
    effective: date
    recredential_due: date | None = None
    caqh_attested_on: date | None = None
    note: str = Field(default="", max_length=200)

    _note = field_validator("note", mode="before")(_clean_note)

    _due = field_validator("recredential_due")(_due_after_effective)


class EnrollmentUpdate(BaseModel):
    """What changes on an enrollment (CAQH is per provider: use `attest_caqh`)."""

    effective: date
    recredential_due: date | None = None
    note: str = Field(default="", max_length=200)

    _note = field_validator("note", mode="before")(_clean_note)

    _due = field_validator("recredential_due")(_due_after_effective)


# ------------------------------------------------------------------------------------------ read models


def band(days_left: int | None) -> str:
    """"expired", "30", "60" or "90" (the band the expiry falls in), "ok", or "none" (never expires)."""
    if days_left is None:
        return "none"
    if days_left < 0:
        return "expired"
    return next((str(d) for d in BANDS if days_left <= d), "ok")


@dataclass(frozen=True)
class CredentialLine:
    """A credential on file, or (credential_id None) a required credential the person does not hold."""

    credential_id: int | None
    version: int
    staff_id: int
    staff_name: str
    role: Role
    kind: CredentialKind
    number: str
    state: str
    expires: date | None
    days_left: int | None
    required: bool

    @property
    def missing(self) -> bool:
        return self.credential_id is None

    @property
    def expired(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def band(self) -> str:
        """"missing", "expired", "30", "60", "90", "ok" or "none"."""
        return "missing" if self.missing else band(self.days_left)


@dataclass(frozen=True)
class EvaluationDue:
    staff_id: int
    staff_name: str
    role: Role
    hire_date: date
    due: date
    days_left: int
    last_done_on: date | None
    # The evaluation row already kept for this due date (a note written ahead), if any.
    evaluation_id: int | None = None
    note: str = ""
    kind: EvaluationKind = EvaluationKind.yearly

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class EnrollmentRow:
    enrollment_id: int
    version: int
    provider_id: int
    provider_name: str
    payer_id: int
    payer_name: str
    effective: date
    recredential_due: date | None
    recredential_days: int | None
    caqh_attested_on: date | None
    caqh_due: date | None
    caqh_days: int | None
    note: str


@dataclass(frozen=True)
class EnrollmentDue:
    """Something to do for payer enrollment: re-credential with a payer, or re-attest the provider's CAQH."""

    kind: str  # "recredential" | "caqh"
    provider_id: int
    provider_name: str
    what: str  # the payer's name, or "CAQH ProView"
    due: date | None  # None: CAQH never attested
    days_left: int | None
    enrollment_id: int | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left is None or self.days_left < 0


@dataclass(frozen=True)
class CredentialRecord:
    """A credential as written: what a write returns instead of the live row."""

    id: int
    version: int
    staff_id: int
    kind: CredentialKind
    number: str
    state: str
    expires: date | None

    @classmethod
    def of(cls, row: Credential) -> CredentialRecord:
        assert row.id is not None, "a credential read or flushed has an id"
        return cls(row.id, row.version, row.staff_id, row.kind, row.number, row.state, row.expires)


@dataclass(frozen=True)
class EvaluationRecord:
    id: int
    version: int
    staff_id: int
    due: date
    done_on: date | None
    note: str
    kind: EvaluationKind = EvaluationKind.yearly

    @classmethod
    def of(cls, row: Evaluation) -> EvaluationRecord:
        assert row.id is not None, "an evaluation read or flushed has an id"
        return cls(row.id, row.version, row.staff_id, row.due, row.done_on, row.note, row.kind)


@dataclass(frozen=True)
class EnrollmentRecord:
    id: int
    version: int
    provider_id: int
    payer_id: int
    effective: date
    recredential_due: date | None
    caqh_attested_on: date | None
    note: str

    @classmethod
    def of(cls, row: PayerEnrollment) -> EnrollmentRecord:
        assert row.id is not None, "an enrollment read or flushed has an id"
        return cls(row.id, row.version, row.provider_id, row.payer_id, row.effective, row.recredential_due,
                   row.caqh_attested_on, row.note)


# ---------------------------------------------------------------------------------------- credentials


def required_kinds(session: Session) -> dict[Role, set[CredentialKind]]:
    """The `required_credentials` setting as kinds per role (unknown names in the setting are ignored)."""
    setting = settings.get(session, "required_credentials")
    known = {k.value for k in CredentialKind}
    roles = {r.value: r for r in Role}
    return {
        roles[role]: {CredentialKind(k) for k in kinds if k in known}
        for role, kinds in setting.items() if role in roles
    }


def _required_state(
    session: Session, today: date, staff_id: int | None = None
) -> tuple[dict[int, list[CredentialKind]], dict[int, list[CredentialKind]]]:
    """(lapsed, missing) required kinds per active staff id, in the setting's order."""
    required = required_kinds(session)
    people = select(Staff).where(Staff.active, employed_on(today))
    creds = select(Credential).join(Staff, col(Staff.id) == Credential.staff_id).where(Staff.active,
                                                                                       employed_on(today))
    if staff_id is not None:
        people = people.where(Staff.id == staff_id)
        creds = creds.where(Credential.staff_id == staff_id)
    held: dict[tuple[int, CredentialKind], bool] = {}  # (staff, kind) -> valid today?
    for c in session.exec(creds):
        valid = c.expires is None or c.expires >= today
        held[(c.staff_id, c.kind)] = held.get((c.staff_id, c.kind), False) or valid
    lapsed: dict[int, list[CredentialKind]] = {}
    missing: dict[int, list[CredentialKind]] = {}
    for person in session.exec(people):
        assert person.id is not None, "rows read have ids"
        for kind in sorted(required.get(person.role, ()), key=list(CredentialKind).index):
            if (person.id, kind) not in held:
                missing.setdefault(person.id, []).append(kind)
            elif not held[(person.id, kind)]:
                lapsed.setdefault(person.id, []).append(kind)
    return lapsed, missing


def lapsed_required(session: Session, today: date) -> dict[int, list[str]]:
    """Active staff with a required credential expired (before `today`): staff id -> credential labels.

    Every screen shows these people in red."""
    lapsed, _ = _required_state(session, today)
    return {staff_id: [k.label for k in kinds] for staff_id, kinds in lapsed.items()}


def missing_required(session: Session) -> dict[int, list[str]]:
    """Active staff who hold no credential at all of a kind their role requires: staff id -> labels."""
    _, missing = _required_state(session, date.min)
    return {staff_id: [k.label for k in kinds] for staff_id, kinds in missing.items()}


def credential_list(session: Session, today: date, staff_id: int | None = None) -> list[CredentialLine]:
    """Credentials of one person, or of all active staff, with the required ones they lack.

    Order: missing first, then by expiry (expired first), credentials that never expire last."""
    required = required_kinds(session)
    query = (select(Credential, Staff).join(Staff, col(Staff.id) == Credential.staff_id).where(Staff.active))
    if staff_id is not None:
        query = query.where(Staff.id == staff_id)
    lines = [
        CredentialLine(c.id, c.version, c.staff_id, s.name, s.role, c.kind, c.number, c.state, c.expires,
                       None if c.expires is None else (c.expires - today).days,
                       c.kind in required.get(s.role, set()))
        for c, s in session.exec(query)
    ]
    _, missing = _required_state(session, today, staff_id)
    if missing:
        people = {p.id: p for p in session.exec(select(Staff).where(col(Staff.id).in_(list(missing))))}
        for sid, kinds in missing.items():
            person = people[sid]
            lines.extend(CredentialLine(None, 0, sid, person.name, person.role, k, "", "", None, None, True)
                         for k in kinds)
    lines.sort(key=lambda line: (not line.missing, line.expires is None, line.expires or date.max,
                                 line.staff_name, line.kind.label))
    return lines


def _may_keep(actor: str, staff_id: int, what: str) -> None:
    """A clinical user keeps their own credentials; whoever keeps the staff records (the manager), anyone's."""
    require(actor, Area.credentials, what=what)
    if isinstance(actor, Actor) and actor.staff_id != staff_id and not may(actor, Area.staff):
        raise NotAllowed(f"{what} for someone else needs {who_may(Area.staff)}; {actor.login} may keep only "
                         "their own credentials — nothing was changed")


def add_credential(session: Session, data: CredentialCreate, *, now: datetime, actor: str) -> CredentialRecord:
    _may_keep(actor, data.staff_id, "adding a credential")
    person = session.get(Staff, data.staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    same = session.exec(
        select(Credential).where(Credential.staff_id == data.staff_id, Credential.kind == data.kind,
                                 Credential.number == data.number, Credential.state == data.state)
    ).first()
    if same is not None and data.number:
        raise ServiceError(f"{person.name} already has this {data.kind.label} on file; renew it instead")
    if data.kind is CredentialKind.npi:
        held = session.exec(select(Credential.number).where(Credential.staff_id == data.staff_id,
                                                            Credential.kind == CredentialKind.npi)).first()
        if held is not None:
            raise ServiceError(f"{person.name} already has an NPI on file ({held}); a person has only one")
    credential = Credential(staff_id=data.staff_id, kind=data.kind, number=data.number, state=data.state,
                            expires=data.expires)
    create(session, credential, entity="credential", actor=actor, now=now)
    return CredentialRecord.of(credential)


def renew_credential(
    session: Session, credential_id: int, data: CredentialRenewal, *, now: datetime, actor: str,
    expected_version: int | None = None,
) -> CredentialRecord:
    """Record a renewal on the same row: the new expiry (after today) and the new number if it changed."""
    credential = session.get(Credential, credential_id)
    if credential is None:
        raise ServiceError("that credential no longer exists — reload")
    _may_keep(actor, credential.staff_id, "renewing a credential")
    if credential.kind is CredentialKind.npi:
        raise ServiceError("an NPI does not expire: there is nothing to renew")
    if data.expires <= now.date():
        raise ServiceError("a renewed credential must expire after today")
    values: dict[str, Any] = {"expires": data.expires}
    if data.number is not None:
        values["number"] = data.number
    changes = apply_update(credential, values, expected_version=expected_version)
    if not changes:
        raise ServiceError("nothing changed: enter the new expiry date")
    record(session, actor=actor, entity="credential", entity_id=credential_id, action="renew", changes=changes,
           now=now)
    session.commit()
    return CredentialRecord.of(credential)


# ---------------------------------------------------------------------------------------- evaluations


def anniversary(hire: date, year: int) -> date:
    """The hire anniversary in `year`; a Feb 29 hire has theirs on Feb 28 in years without one."""
    try:
        return hire.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def is_anniversary(hire: date, day: date) -> bool:
    return day.year > hire.year and anniversary(hire, day.year) == day


def first_anniversary_after(hire: date, day: date) -> date:
    """The first hire anniversary strictly after `day` (and after the hire date itself)."""
    day = max(day, hire)
    found = anniversary(hire, day.year)
    return found if found > day else anniversary(hire, day.year + 1)


def next_evaluation_due(hire: date, last_done_due: date | None) -> date:
    """The anniversary after the last evaluation done, or the first anniversary of the hire."""
    return first_anniversary_after(hire, last_done_due or hire)


def probation_due(hire: date, review_days: int) -> date:
    """The day a new hire's probation review is due: `review_days` calendar days after the hire date."""
    return hire + timedelta(days=review_days)


def pending_evaluation(hire: date, last_done_due: date | None, today: date, review_days: int
                       ) -> tuple[date, EvaluationKind]:
    """The evaluation due next and its kind: the probation review while none is done and the first anniversary
    is still ahead (and after the review's date), else the yearly one (`next_evaluation_due`)."""
    if last_done_due is None:
        review = probation_due(hire, review_days)
        first = first_anniversary_after(hire, hire)
        if review < first and today < first:
            return review, EvaluationKind.probation
    return next_evaluation_due(hire, last_done_due), EvaluationKind.yearly


def evaluations_due(
    session: Session, today: date, within_days: int | None = 60, staff_id: int | None = None
) -> list[EvaluationDue]:
    """The next evaluation of each active staff member with a hire date, when it is overdue or due within
    `within_days` (None: whenever it is due); soonest first."""
    people = select(Staff).where(Staff.active, employed_on(today), col(Staff.hire_date).is_not(None))
    if staff_id is not None:
        people = people.where(Staff.id == staff_id)
    staff = list(session.exec(people))
    if not staff:
        return []
    by_staff: dict[int, list[Evaluation]] = {}
    for e in session.exec(select(Evaluation).where(col(Evaluation.staff_id).in_([p.id for p in staff]))):
        by_staff.setdefault(e.staff_id, []).append(e)
    review_days = int(settings.get(session, "probation_review_days"))
    rows = []
    for person in staff:
        assert person.id is not None and person.hire_date is not None, "the query keeps only these"
        evaluations = by_staff.get(person.id, [])
        done = [e for e in evaluations if e.done_on is not None]
        last = max(done, key=lambda e: e.due) if done else None
        due, kind = pending_evaluation(person.hire_date, last.due if last else None, today, review_days)
        days_left = (due - today).days
        if within_days is not None and days_left > within_days:
            continue
        pending = next((e for e in evaluations if e.due == due and e.done_on is None), None)
        rows.append(EvaluationDue(person.id, person.name, person.role, person.hire_date, due, days_left,
                                  last.done_on if last else None, pending.id if pending else None,
                                  pending.note if pending else "", kind))
    rows.sort(key=lambda r: (r.due, r.staff_name))
    return rows


def record_evaluation(
    session: Session, staff_id: int, due: date, done_on: date, note: str = "", *, now: datetime, actor: str
) -> EvaluationRecord:
    """Mark the evaluation due on `due` (the probation review's date or a hire anniversary) done on `done_on`,
    creating its row if needed."""
    require(actor, Area.staff, what="recording an evaluation")
    try:
        data = EvaluationCreate(staff_id=staff_id, due=due, done_on=done_on, note=note)
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from None
    row = mark_evaluation_done(session, data, now=now, actor=actor)
    session.commit()
    return EvaluationRecord.of(row)


def evaluation_kind(session: Session, person: Staff, due: date) -> EvaluationKind:
    """Which evaluation falls on `due` for `person`; refused when none does."""
    if person.hire_date is None:
        raise ServiceError(f"{person.name} has no hire date; evaluations fall on the hire anniversary")
    if due == probation_due(person.hire_date, int(settings.get(session, "probation_review_days"))):
        return EvaluationKind.probation
    if not is_anniversary(person.hire_date, due):
        raise ServiceError(f"{due:%m/%d/%Y} is not an anniversary of {person.name}'s hire date "
                           f"({person.hire_date:%m/%d/%Y}) nor the day of the 90-day review")
    return EvaluationKind.yearly


def mark_evaluation_done(session: Session, data: EvaluationCreate, *, now: datetime, actor: str,
                         reviewer: str = "") -> Evaluation:
    """Write the evaluation as done and audit it, without committing (the caller may add its ratings)."""
    person = session.get(Staff, data.staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    kind = evaluation_kind(session, person, data.due)
    assert person.hire_date is not None, "evaluation_kind refuses a person without one"
    if data.done_on > now.date():
        raise ServiceError("an evaluation cannot be done in the future")
    if data.done_on < person.hire_date:
        raise ServiceError("an evaluation cannot be done before the hire date")
    row = session.exec(select(Evaluation).where(Evaluation.staff_id == data.staff_id,
                                                Evaluation.due == data.due)).first()
    values: dict[str, Any] = {"done_on": data.done_on, "note": data.note, "kind": kind}
    if reviewer:
        values["reviewer"] = reviewer
    if row is None:
        row = Evaluation(staff_id=data.staff_id, due=data.due, **values)
        session.add(row)
        session.flush()
        assert row.id is not None, "the flush gives the new row its id"
        record(session, actor=actor, entity="evaluation", entity_id=row.id, action="done",
               changes=created_fields(row), now=now)
    else:
        changes = apply_update(row, values, expected_version=None)
        if changes:
            assert row.id is not None, "rows read have ids"
            record(session, actor=actor, entity="evaluation", entity_id=row.id, action="done", changes=changes,
                   now=now)
    return row


# ------------------------------------------------------------------------------------ payer enrollment


def _caqh_days(session: Session) -> int:
    return int(settings.get(session, "caqh_reattest_days"))


def _latest_caqh(session: Session, provider_id: int) -> date | None:
    dates = session.exec(
        select(col(PayerEnrollment.caqh_attested_on)).where(PayerEnrollment.provider_id == provider_id)
    ).all()
    return max((d for d in dates if d is not None), default=None)


def enrollments(session: Session, today: date, provider_id: int | None = None) -> list[EnrollmentRow]:
    """Payer enrollments of active providers (or of one), with re-credentialing and CAQH due dates;
    by provider, then payer."""
    query = (
        select(PayerEnrollment, Staff, Payer)
        .join(Staff, col(Staff.id) == PayerEnrollment.provider_id)
        .join(Payer, col(Payer.id) == PayerEnrollment.payer_id)
        .where(Staff.active, employed_on(today))
    )
    if provider_id is not None:
        query = query.where(PayerEnrollment.provider_id == provider_id)
    found = session.exec(query).all()
    cycle = _caqh_days(session)
    latest: dict[int, date] = {}
    for e, _s, _p in found:
        if e.caqh_attested_on is not None:
            latest[e.provider_id] = max(latest.get(e.provider_id, e.caqh_attested_on), e.caqh_attested_on)
    rows = []
    for e, s, p in found:
        assert e.id is not None and p.id is not None, "rows read have ids"
        attested = latest.get(e.provider_id)
        caqh_due = attested + timedelta(days=cycle) if attested else None
        rows.append(EnrollmentRow(
            e.id, e.version, e.provider_id, s.name, p.id, p.name, e.effective, e.recredential_due,
            None if e.recredential_due is None else (e.recredential_due - today).days,
            attested, caqh_due, None if caqh_due is None else (caqh_due - today).days, e.note))
    rows.sort(key=lambda r: (r.provider_name, r.payer_name))
    return rows


def enrollments_due(
    session: Session, today: date, within_days: int | None = None, provider_id: int | None = None
) -> list[EnrollmentDue]:
    """Re-credentialing due within `within_days` (setting `enrollment_warn_days`) or past, and CAQH
    re-attestation (attested + `caqh_reattest_days`) due within the same window, past, or never done;
    one CAQH line per provider. Most urgent first."""
    if within_days is None:
        within_days = int(settings.get(session, "enrollment_warn_days"))
    rows = enrollments(session, today, provider_id)
    due: list[EnrollmentDue] = [
        EnrollmentDue("recredential", r.provider_id, r.provider_name, r.payer_name, r.recredential_due,
                      r.recredential_days, r.enrollment_id)
        for r in rows if r.recredential_days is not None and r.recredential_days <= within_days
    ]
    seen: set[int] = set()
    for r in rows:
        if r.provider_id in seen:
            continue
        seen.add(r.provider_id)
        if r.caqh_days is None or r.caqh_days <= within_days:
            due.append(EnrollmentDue("caqh", r.provider_id, r.provider_name, "CAQH ProView", r.caqh_due,
                                     r.caqh_days))
    due.sort(key=lambda d: (d.days_left is not None, d.days_left or 0, d.provider_name, d.kind, d.what))
    return due


def _check_provider(session: Session, provider_id: int) -> Staff:
    person = session.get(Staff, provider_id)
    if person is None:
        raise ServiceError("that provider no longer exists — reload")
    if not person.is_provider:
        raise ServiceError(f"{person.name} does not see patients; only providers enroll with payers")
    return person


def add_enrollment(session: Session, data: EnrollmentCreate, *, now: datetime, actor: str) -> EnrollmentRecord:
    """Enroll a provider with a payer. Re-credentialing defaults to 3 years after the effective date; the CAQH
    attestation defaults to the provider's latest one (the profile is per provider)."""
    person = _check_provider(session, data.provider_id)
    payer = session.get(Payer, data.payer_id)
    if payer is None:
        raise ServiceError("that payer no longer exists — reload")
    taken = session.exec(
        select(PayerEnrollment).where(PayerEnrollment.provider_id == data.provider_id,
                                      PayerEnrollment.payer_id == data.payer_id)
    ).first()
    if taken is not None:
        raise ServiceError(f"{person.name} is already enrolled with {payer.name}; edit that enrollment instead")
    if data.caqh_attested_on is not None and data.caqh_attested_on > now.date():
        raise ServiceError("the CAQH attestation date cannot be in the future")
    latest = _latest_caqh(session, data.provider_id)
    attested = max((d for d in (data.caqh_attested_on, latest) if d is not None), default=None)
    row = PayerEnrollment(
        provider_id=data.provider_id, payer_id=data.payer_id, effective=data.effective,
        recredential_due=data.recredential_due or data.effective + relativedelta(years=RECREDENTIAL_YEARS),
        caqh_attested_on=attested, note=data.note,
    )
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="payer_enrollment", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    if data.caqh_attested_on is not None and latest is not None and data.caqh_attested_on > latest:
        _stamp_caqh(session, data.provider_id, data.caqh_attested_on, now=now, actor=actor)
    session.commit()
    return EnrollmentRecord.of(row)


def update_enrollment(
    session: Session, enrollment_id: int, data: EnrollmentUpdate, *, now: datetime, actor: str,
    expected_version: int | None = None,
) -> EnrollmentRecord:
    row = session.get(PayerEnrollment, enrollment_id)
    if row is None:
        raise ServiceError("that enrollment no longer exists — reload")
    changes = apply_update(row, data.model_dump(), expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="payer_enrollment", entity_id=enrollment_id, action="update",
               changes=changes, now=now)
    session.commit()
    return EnrollmentRecord.of(row)


def _stamp_caqh(session: Session, provider_id: int, on: date, *, now: datetime, actor: str) -> int:
    count = 0
    for row in session.exec(select(PayerEnrollment).where(PayerEnrollment.provider_id == provider_id)):
        changes = apply_update(row, {"caqh_attested_on": on}, expected_version=None)
        if changes:
            assert row.id is not None, "rows read have ids"
            record(session, actor=actor, entity="payer_enrollment", entity_id=row.id, action="caqh_attest",
                   changes=changes, now=now)
            count += 1
    return count


def attest_caqh(session: Session, provider_id: int, on: date, *, now: datetime, actor: str) -> int:
    """The provider re-attested their CAQH profile on `on`: every one of their enrollments gets the date.
    Returns how many enrollment rows changed."""
    person = _check_provider(session, provider_id)
    if on > now.date():
        raise ServiceError("the CAQH attestation date cannot be in the future")
    has_any = session.exec(select(PayerEnrollment.id).where(PayerEnrollment.provider_id == provider_id)).first()
    if has_any is None:
        raise ServiceError(f"{person.name} has no payer enrollments yet; add one first")
    latest = _latest_caqh(session, provider_id)
    if latest is not None and on < latest:
        raise ServiceError(f"{person.name} last attested on {latest:%m/%d/%Y}, after {on:%m/%d/%Y}")
    count = _stamp_caqh(session, provider_id, on, now=now, actor=actor)
    session.commit()
    return count


# ------------------------------------------------------------------------------------------------ choices


@dataclass(frozen=True)
class Choices:
    """What the forms offer: (label, id) of active staff, of active providers, and of payers."""

    staff: list[tuple[str, int]]
    providers: list[tuple[str, int]]
    payers: list[tuple[str, int]]


def choices(session: Session) -> Choices:
    staff: list[tuple[str, int]] = []
    providers: list[tuple[str, int]] = []
    for p in session.exec(select(Staff).where(Staff.active).order_by(col(Staff.last_name), col(Staff.first_name))):
        assert p.id is not None, "rows read have ids"
        staff.append((f"{p.name} ({p.role.label})", p.id))
        if p.is_provider:
            providers.append((p.name, p.id))
    payers = [(p.name, p.id) for p in session.exec(select(Payer).order_by(col(Payer.name))) if p.id is not None]
    return Choices(staff, providers, payers)
