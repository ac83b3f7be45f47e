"""Compliance duties owed per staff member: the yearly trainings, and the monthly OIG exclusion screening.

- Yearly trainings are credentials (HIPAA workforce training, bloodborne pathogens training) whose expiry is the
  date the training is valid through. A person owes one when their role requires it (setting
  `required_credentials`) and they have no record of it, or its latest valid-through date is past or within
  `within_days`. Several records of one kind (a training done again on a new row) count by the latest.
- The OIG LEIE screening is one checklist item (the active task whose title mentions OIG) done for every active
  staff member at once; its completion form says how many people the search covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from officemgr.models import Credential, CredentialKind, Role, Staff
from officemgr.models.people import employed_on
from officemgr.services.compliance import task_status
from officemgr.services.credentials import required_kinds

# The trainings repeated every year, in the order they are listed.
TRAINING_KINDS = (CredentialKind.hipaa_training, CredentialKind.bbp_training)
DUE_WITHIN_DAYS = 30
_OIG = re.compile(r"\bOIG\b", re.IGNORECASE)


@dataclass(frozen=True)
class TrainingDue:
    """One yearly training of one active staff member and where it stands on `today`."""

    staff_id: int
    staff_name: str
    role: Role
    kind: CredentialKind
    credential_id: int | None  # the latest record of this training, None when there is none
    expires: date | None  # valid through (None: no record, or a record without an end date)
    days_left: int | None

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def missing(self) -> bool:
        return self.credential_id is None

    @property
    def expired(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    def is_due(self, within_days: int = DUE_WITHIN_DAYS) -> bool:
        return self.missing or (self.days_left is not None and self.days_left <= within_days)

    def status(self, within_days: int = DUE_WITHIN_DAYS) -> str:
        """"missing", "expired", "due in N days" / "due today", or "current"."""
        if self.missing:
            return "missing"
        if self.days_left is None:
            return "current"
        if self.days_left < 0:
            return "expired"
        if self.days_left <= within_days:
            return "due today" if self.days_left == 0 else f"due in {self.days_left} days"
        return "current"


def training_status(session: Session, today: date) -> list[TrainingDue]:
    """Every yearly training each active staff member's role requires, due or not; by name, then kind."""
    required = required_kinds(session)
    people = [p for p in session.exec(select(Staff).where(Staff.active, employed_on(today)))
              if any(k in required.get(p.role, set()) for k in TRAINING_KINDS)]
    if not people:
        return []
    latest: dict[tuple[int, CredentialKind], Credential] = {}
    for c in session.exec(select(Credential).where(col(Credential.staff_id).in_([p.id for p in people]),
                                                   col(Credential.kind).in_(TRAINING_KINDS))):
        held = latest.get((c.staff_id, c.kind))
        if held is None or _later(c.expires, held.expires):
            latest[(c.staff_id, c.kind)] = c
    rows = []
    for person in people:
        assert person.id is not None
        for kind in TRAINING_KINDS:
            if kind not in required.get(person.role, set()):
                continue
            record = latest.get((person.id, kind))
            expires = record.expires if record else None
            rows.append(TrainingDue(person.id, person.name, person.role, kind, record.id if record else None,
                                    expires, None if expires is None else (expires - today).days))
    rows.sort(key=lambda r: (r.staff_name, TRAINING_KINDS.index(r.kind)))
    return rows


def training_due(session: Session, today: date, within_days: int = DUE_WITHIN_DAYS) -> list[TrainingDue]:
    """The yearly trainings owed now: none on record, expired, or expiring within `within_days`.

    Most urgent first: missing, then by valid-through date."""
    rows = [r for r in training_status(session, today) if r.is_due(within_days)]
    rows.sort(key=lambda r: (not r.missing, r.expires or date.min, r.staff_name, TRAINING_KINDS.index(r.kind)))
    return rows


def _later(a: date | None, b: date | None) -> bool:
    """Whether a valid-through date `a` outlasts `b` (no end date outlasts any)."""
    if a is None:
        return b is not None
    return b is not None and a > b


@dataclass(frozen=True)
class StaffRef:
    staff_id: int
    name: str
    role: Role


@dataclass(frozen=True)
class OigScreening:
    """The monthly OIG exclusion screening: when it is next due, and whom it must cover."""

    task_id: int
    title: str
    due: date | None
    days: int | None  # negative: overdue by that many days
    last_done: date | None
    staff: list[StaffRef]

    @property
    def covers(self) -> str:
        n = len(self.staff)
        return f"covers {n} active staff" if n != 1 else "covers 1 active staff member"

    @property
    def overdue(self) -> bool:
        return self.days is not None and self.days < 0


def oig_screening(session: Session, today: date) -> OigScreening | None:
    """The active checklist item whose title mentions OIG, with its next due date and the active staff it
    covers (by last name); None when the checklist has no such item."""
    row = next((r for r in task_status(session, today) if _OIG.search(r.title)), None)
    if row is None:
        return None
    people = session.exec(select(Staff).where(Staff.active).order_by(Staff.last_name, Staff.first_name)).all()
    return OigScreening(row.task_id, row.title, row.due, row.days, row.last_done,
                        [StaffRef(p.id, p.name, p.role) for p in people if p.id is not None])
