"""`officemgr import patients FILE.csv`: patients from another system, with their primary insurance, all or none.

Columns (a header row, any order, other spellings in ALIASES): last_name, first_name, dob (required); account
(the other system's number: kept), preferred_name, sex (F/M/U), phone, mobile, email, contact_by, address, city,
state, zip, emergency_name, emergency_phone, emergency_relation, guarantor_name, guarantor_relation,
guarantor_phone, note; payer, member_id, group_number, copay (the primary plan: payer by name, as on the Billing
tab's payers). Every row is checked first, as registering by hand would (a minor needs a guarantor), and against
the practice and the rest of the file: a patient already registered, or on another line of the file (same name and
date of birth, or date of birth and phone), or an account number taken refuses the file, naming the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from officemgr.models import InsurancePlan, Patient, PatientCreate, Payer, PlanCreate
from officemgr.services import patients
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, created_fields, record
from officemgr.services.csv_files import (
    Cells,
    FileRefused,
    Layout,
    Row,
    amount,
    by_line,
    day,
    read_table,
    refusal,
    validate,
)

PATIENT_COLUMNS = ("last_name", "first_name", "dob", "account", "preferred_name", "sex", "phone", "mobile", "email",
                   "contact_by", "address", "city", "state", "zip", "emergency_name", "emergency_phone",
                   "emergency_relation", "guarantor_name", "guarantor_relation", "guarantor_phone", "note")
PLAN_COLUMNS = ("payer", "member_id", "group_number", "copay")
ALIASES = {"last": "last_name", "surname": "last_name", "first": "first_name", "given_name": "first_name",
           "birth_date": "dob", "date_of_birth": "dob", "birthdate": "dob", "mrn": "account",
           "account_number": "account",
           "zip_code": "zip", "postal_code": "zip", "gender": "sex", "cell": "mobile", "mobile_phone": "mobile",
           "home_phone": "phone", "insurance": "payer", "member": "member_id", "subscriber_id": "member_id",
           "group": "group_number"}
LAYOUT = Layout("import patients", PATIENT_COLUMNS + PLAN_COLUMNS, "patients",
                required=("last_name", "first_name", "dob"), aliases=ALIASES, free_text=("note",))
_COPAY = amount(1_000_000, "25.00")
_SEXES = {"f": "F", "female": "F", "m": "M", "male": "M", "u": "U", "unknown": "U", "": "U"}


class PatientsImportRefused(FileRefused):
    """A patients file not imported; the message lists each bad line."""


@dataclass(frozen=True)
class PatientsImportResult:
    patients: int
    plans: int


@dataclass
class _Draft:
    line: int
    data: PatientCreate
    account: str | None
    plan: PlanCreate | None


def import_patients(session: Session, path: Path, *, today: date, now: datetime,
                    actor: str) -> PatientsImportResult:
    """Register every patient in the file (and their primary plan), or none. Raises PatientsImportRefused."""
    require(actor, Area.schedule, what="importing patients")
    table = read_table(Path(path), LAYOUT, PatientsImportRefused)
    payers = {p.name.lower(): p.id for p in session.exec(select(Payer)) if p.id is not None}
    problems = list(table.problems)
    bad = {line for line, _ in problems}
    drafts: list[_Draft] = []
    seen: dict[tuple[str, ...], int] = {}
    accounts: dict[str, int] = {}
    for row in table.rows:
        if row.line in bad:
            continue
        draft, found = _check(row, payers, today)
        if draft is not None:
            found += _clashes(session, draft, seen, accounts)
        if found:
            problems.append((row.line, "; ".join(found)))
        elif draft is not None:
            drafts.append(draft)
    if problems:
        listed = by_line(problems)
        raise PatientsImportRefused(refusal(table.name, listed, len(table.rows)), listed)
    try:
        plans = sum(_write(session, draft, actor=actor, now=now) for draft in drafts)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return PatientsImportResult(len(drafts), plans)


def _check(row: Row, payers: dict[str, int], today: date) -> tuple[_Draft | None, list[str]]:
    cells = Cells(row)
    if not cells.required("last_name", "first_name", "dob"):
        return None, cells.problems
    born = cells.read("dob", day)
    copay = cells.read("copay", _COPAY)
    sex = _SEXES.get(cells.text("sex").lower())
    if sex is None:
        cells.problems.append(f"sex: '{cells.text('sex')}' is not F, M or U")
    if cells.problems:
        return None, cells.problems
    values: dict[str, Any] = {name: cells.text(name) for name in PATIENT_COLUMNS if name not in ("dob", "account",
                                                                                                    "zip", "sex")}
    values.update(dob=born, zip_code=cells.text("zip"), sex=sex,
                  contact_by=cells.text("contact_by").lower() or "phone")
    data, found = validate(PatientCreate, values, {"zip_code": "zip"})
    if data is None:
        return None, found
    try:
        patients.check_registration(data, today)
    except ServiceError as exc:
        return None, [str(exc)]
    plan = None
    if cells.text("payer") or cells.text("member_id"):
        payer_id = payers.get(" ".join(cells.text("payer").split()).lower())
        if payer_id is None:
            return None, [f"payer: no payer is named '{cells.text('payer')}'; add it under Billing → payers first"
                          if cells.text("payer") else "payer: a member_id needs its payer"]
        plan, found = validate(PlanCreate, {"payer_id": payer_id, "member_id": cells.text("member_id"),
                                            "group_number": cells.text("group_number"), "copay_cents": copay or 0},
                               {"copay_cents": "copay"})
        if plan is None:
            return None, found
    return _Draft(row.line, data, cells.text("account") or None, plan), []


def _clashes(session: Session, draft: _Draft, seen: dict[tuple[str, ...], int],
             accounts: dict[str, int]) -> list[str]:
    data = draft.data
    found = []
    # The database's duplicate rule within the file: same name and date of birth, or date of birth and a phone
    # (stored as (555) 123-4567: the same digits read the same).
    born = data.dob.isoformat()
    keys: dict[tuple[str, ...], str] = {
        ("name", data.last_name.casefold(), data.first_name.casefold(), born): "same name and date of birth"}
    keys.update({("phone", born, phone): f"same date of birth and phone {phone}"
                 for phone in (data.phone, data.mobile) if phone})
    earlier = next(((seen[key], why) for key, why in keys.items() if key in seen), None)
    if earlier is not None:
        found.append(f"the same patient is on line {earlier[0]} ({earlier[1]}); keep one of the two lines "
                     "(two people, such as twins: register the second by hand)")
    for key in keys:
        seen.setdefault(key, draft.line)
    matches = patients.possible_duplicates(session, data)
    if matches:
        found.append(f"{matches[0].name}, born {matches[0].dob:%m/%d/%Y}, is already registered as "
                     f"#{matches[0].account} (register a different person by hand)")
    if draft.account:
        if draft.account in accounts:
            found.append(f"account {draft.account} is also on line {accounts[draft.account]}")
        accounts.setdefault(draft.account, draft.line)
        try:
            patients.clean_account(session, draft.account)
        except ServiceError as exc:
            found.append(str(exc))
    return found


def _write(session: Session, draft: _Draft, *, actor: str, now: datetime) -> int:
    patient = Patient(**draft.data.model_dump(), account=draft.account)
    session.add(patient)
    session.flush()
    assert patient.id is not None
    patient.account = patient.account or patients.account_of(patient.id)
    record(session, actor=actor, entity="patient", entity_id=patient.id, action="import",
           changes=created_fields(patient), now=now)
    if draft.plan is None:
        return 0
    plan = InsurancePlan(**draft.plan.model_dump(), patient_id=patient.id)
    session.add(plan)
    session.flush()
    assert plan.id is not None
    record(session, actor=actor, entity="insurance_plan", entity_id=plan.id, action="import",
           changes=created_fields(plan), now=now)
    return 1
