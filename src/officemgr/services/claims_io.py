"""Claims in from the billing system's CSV export, and the work queue out as CSV.

Import (`import_claims`): a .csv file, UTF-8, a header row naming the columns (any order, any case;
"Service Date" is the same as service_date):
    claim          required: the claim number the practice sent; a number already here updates that claim
    patient_last, patient_first, dob
                   required: the patient, found by all three (any case), else created
    payer          required: the payer's name (any case); a name not in the list yet creates the payer
                   with a 365-day timely-filing limit (check it in the app)
    service_date   required: MM/DD/YYYY or YYYY-MM-DD, not after today
    billed         required: dollars, e.g. 135.00 or $1,250.00
    paid           dollars, at most billed (empty: 0 for a new claim, unchanged for one already here)
    status         draft, submitted, rejected, accepted, pending, paid, partly paid, denied, appealed,
                   closed (empty: submitted for a new claim, unchanged for one already here)
    submitted_on   the date it went to the payer
    codes          required: CPT/HCPCS codes separated by ";": 5 characters each (99213, G0439, 3074F), never
                   a description; modifiers after "-" (99213-25, 99213-25-59), units after "x" (36415x2), and
                   optionally each line's charge after "=" (99213-25=135.00;36415x2=30.00; given for every
                   code or none: without charges the whole billed amount is kept on the first line)
    diagnoses      required: ICD-10-CM codes separated by ";" (E11.9;I10; "e119" is read as E11.9), at most 12,
                   each a billable code (a leaf of the code set: E11 is refused, E11.9 is fine)
    paper          yes/no (empty: no for a new claim)
    denial_code    the CARC code of a denial with its group if known: CO-50, PR27, 197; required for a claim that
                   becomes denied, and kept only by denied, appealed and closed claims (a claim that moves on to
                   submitted, pending or paid no longer carries it, as in the app)
    denied_on      the date of the denial (empty: today for a claim that becomes denied)
A claim already here keeps its patient, payer and date of service (a row that names others is refused);
its status, amounts, submission and denial are updated, and its lines and diagnoses replaced when they
differ. A claim closed in the billing system is closed as paid when nothing is left on it, else with no reason
(the note says where it came from). Each new claim and each change of status or payment adds a ClaimEvent to
the claim's history; every write is audited. Stored deadlines are computed as the billing service does.

An import is all or nothing: every row is checked first and any bad row refuses the whole file, naming each
bad line ("line N: ...") and what is wrong with it; otherwise everything is written in one transaction.

Export (`queue_csv`): the open claims of today's work queue, in queue order, one row each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_STATUSES,
    Claim,
    ClaimDiagnosis,
    ClaimEvent,
    ClaimLine,
    ClaimStatus,
    CloseReason,
    Patient,
    PatientCreate,
    Payer,
)
from officemgr.models.finance import PostingKind
from officemgr.services import billing, icd
from officemgr.services.access import Area, require
from officemgr.services.claim_postings import ClaimMoney, open_day, post, post_change
from officemgr.services.common import _plain, created_fields, record
from officemgr.services.csv_files import (
    Cells,
    FileRefused,
    Layout,
    Table,
    amount,
    by_line,
    cell,
    day,
    parse_cents,
    read_table,
    refusal,
    validate,
    yes_no,
)
from officemgr.services.csv_out import Cell, csv_text, dollars
from officemgr.services.format import money
from officemgr.services.patients import account_of

COLUMNS = ("claim", "patient_last", "patient_first", "dob", "payer", "service_date", "billed", "paid", "status",
           "submitted_on", "codes", "diagnoses", "paper", "denial_code", "denied_on")
REQUIRED = ("claim", "patient_last", "patient_first", "dob", "payer", "service_date", "billed", "codes",
            "diagnoses")
QUEUE_COLUMNS = ("claim", "patient", "payer", "service_date", "status", "balance", "deadline", "days_to_deadline",
                 "bucket", "denial_code", "next_follow_up", "reason")
_ALIASES = {
    "claim_number": "claim", "claim_no": "claim", "claim_id": "claim", "number": "claim",
    "last_name": "patient_last", "first_name": "patient_first", "patient_dob": "dob", "date_of_birth": "dob",
    "payer_name": "payer", "date_of_service": "service_date", "dos": "service_date",
    "billed_amount": "billed", "charges": "billed", "paid_amount": "paid", "submitted": "submitted_on",
    "procedures": "codes", "cpt": "codes", "diagnosis": "diagnoses", "dx": "diagnoses", "icd": "diagnoses",
    "carc": "denial_code", "denial": "denial_code",
}
MAX_CENTS = 100_000_000  # $1,000,000.00 on one claim: anything above is a typo
MAX_LINES = 50  # service lines on one professional claim (837P)
MAX_DIAGNOSES = 12
MAX_UNITS = 999
EXPORT_PAGE = 500
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,29}")
# One procedure on a claim: code, modifiers, units, charge ("99213-25-59x2=135.00").
_LINE = re.compile(r"(?P<code>[0-9A-Z]{5})(?P<mods>(?:-[0-9A-Z]{2}){0,4})(?:X(?P<units>\d{1,3}))?"
                   r"(?:=(?P<charge>.+))?")
# CPT category I (99213), HCPCS level II (G0439), CPT category II and III (3074F, 0042T) and PLA (0001U).
_PROCEDURE = re.compile(r"\d{5}|[A-Z]\d{4}|\d{4}[FTU]")
_DENIAL = re.compile(r"(?:(?P<group>CO|PR|OA|PI|CR)[\s-]*)?(?P<code>[A-Z]?\d{1,3}|[A-Z]\d{0,2})")
# Statuses that can carry the CARC code of a denial (as services.claim_flow keeps it: a claim appealed or closed
# after a denial keeps the code; one submitted again, in process or paid no longer carries it).
_DENIAL_STATUSES = (ClaimStatus.denied, ClaimStatus.appealed, ClaimStatus.closed)
_STATUS_WORDS = {**{s.value: s for s in ClaimStatus}, **{s.label: s for s in ClaimStatus},
                 "partially paid": ClaimStatus.partly_paid, "partial": ClaimStatus.partly_paid,
                 "written off": ClaimStatus.closed}
_PATIENT_COLUMNS = {"last_name": "patient_last", "first_name": "patient_first", "dob": "dob"}
LAYOUT = Layout("import claims", COLUMNS, "claims", required=REQUIRED, aliases=_ALIASES)
_AMOUNT = amount(MAX_CENTS, "135.00")


@dataclass(frozen=True)
class ClaimsImportResult:
    created: int
    updated: int
    payers_created: int
    patients_created: int = 0
    unchanged: int = 0
    # Payers the import created (with a 365-day timely-filing limit that may need changing).
    new_payers: list[str] = field(default_factory=list)


class ClaimsImportRefused(FileRefused):
    """A claims file not imported; the message lists what is wrong (each bad row as "line N: ...")."""


# --- import: checking ---------------------------------------------------------------------------------


def _status(text: str) -> ClaimStatus:
    status = _STATUS_WORDS.get(" ".join(text.lower().replace("_", " ").split()))
    if status is None:
        raise ValueError(f"unknown status '{text}' (use one of: {', '.join(s.label for s in ClaimStatus)})")
    return status


def _denial(text: str) -> tuple[str | None, str]:
    match = _DENIAL.fullmatch(text.strip().upper())
    if match is None:
        raise ValueError(f"'{text}' is not a CARC code (e.g. CO-50, PR-27 or 197)")
    return match["group"], match["code"]


def _one_space(value: object) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


class ClaimRow(BaseModel):
    """One row of a claims file, each cell read as its type; the checks between cells and against the database
    are `_check`'s. An optional cell left empty is None: "not given, keep what the claim has"."""

    model_config = ConfigDict(frozen=True)

    claim: str
    payer: Annotated[str, BeforeValidator(_one_space), Field(max_length=80)]
    service_date: Annotated[date, cell(day)]
    billed: Annotated[int, cell(_AMOUNT)]
    paid: Annotated[int | None, cell(_AMOUNT)] = None
    status: Annotated[ClaimStatus | None, cell(_status)] = None
    submitted_on: Annotated[date | None, cell(day)] = None
    paper: Annotated[bool | None, cell(yes_no)] = None
    denial_code: Annotated[tuple[str | None, str] | None, cell(_denial)] = None
    denied_on: Annotated[date | None, cell(day)] = None

    @field_validator("claim")
    @classmethod
    def _number(cls, value: str) -> str:
        if not _NUMBER.fullmatch(value):
            raise ValueError(f"'{value}' is not a claim number (letters, digits and - . / _, at most 30)")
        return value


@dataclass(frozen=True)
class _Line:
    code: str
    modifiers: str  # stored as on the claim form: "25 59"
    units: int
    charge_cents: int | None


@dataclass
class _Draft:
    """A checked row: the claim as the file gives it. None means "not given: keep what the claim has"."""

    line: int
    number: str
    person: PatientCreate
    patient: Patient | None  # None: created by the import (unless an earlier row creates it)
    payer_name: str
    service_date: date
    billed_cents: int
    paid_cents: int | None
    status: ClaimStatus | None
    submitted_on: date | None
    lines: list[_Line]
    diagnoses: list[str]
    paper: bool | None
    denial: tuple[str | None, str] | None  # (group, CARC code)
    denied_on: date | None
    claim: Claim | None  # None: a new claim

    @property
    def patient_key(self) -> tuple[str, str, date]:
        return (self.person.last_name.lower(), self.person.first_name.lower(), self.person.dob)


@dataclass
class _Lookup:
    """What the database has, read once per import (claims only for the numbers the file names)."""

    claims: dict[str, Claim]
    payers: dict[str, Payer]
    patient_names: dict[int, str]

    @classmethod
    def read(cls, session: Session, numbers: list[str]) -> _Lookup:
        claims: dict[str, Claim] = {}
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            claims.update({c.number.lower(): c for c in session.exec(
                select(Claim).where(func.lower(Claim.number).in_([n.lower() for n in chunk])))})
        payers = {payer.name.lower(): payer for payer in session.exec(select(Payer))}
        ids = {claim.patient_id for claim in claims.values()}
        names = {_id(p): f"{p.name} (born {p.dob:%m/%d/%Y})"
                 for p in session.exec(select(Patient).where(col(Patient.id).in_(ids)))} if ids else {}
        return cls(claims, payers, names)


def _check_all(session: Session, table: Table, today: date) -> tuple[list[_Draft], _Lookup]:
    problems = list(table.problems)
    bad = {line for line, _ in problems}
    lookup = _Lookup.read(session, [row.cells["claim"] for row in table.rows if row.cells.get("claim")])
    first_line: dict[str, int] = {}
    drafts: list[_Draft] = []
    for row in table.rows:
        number = row.cells.get("claim", "")
        if number:
            earlier = first_line.setdefault(number.lower(), row.line)
            if earlier != row.line:
                problems.append((row.line, f"claim {number} is also on line {earlier}"))
                continue
        if row.line in bad:
            continue
        draft, found = _check(session, Cells(row), lookup, today)
        if found:
            problems.append((row.line, "; ".join(found)))
        elif draft is not None:
            drafts.append(draft)
    if problems:
        listed = by_line(problems)
        raise ClaimsImportRefused(refusal(table.name, listed, len(table.rows)), listed)
    return drafts, lookup


def _check(session: Session, cells: Cells, lookup: _Lookup, today: date) -> tuple[_Draft | None, list[str]]:
    if not cells.required(*REQUIRED):
        return None, cells.problems
    problems = cells.problems
    person = _patient(cells)
    row, found = validate(ClaimRow, {column: cells.text(column) for column in ClaimRow.model_fields})
    problems.extend(found)
    service_date = row.service_date if row else None
    if service_date and service_date > today:
        problems.append(f"service_date: {service_date:%m/%d/%Y} is after today")
    if person and service_date and person.dob > service_date:
        problems.append(f"dob: {person.dob:%m/%d/%Y} is after the date of service")
    if row and row.paid is not None and row.paid > row.billed:
        problems.append(f"paid {cells.text('paid')} is more than billed {cells.text('billed')}")
    if row and row.submitted_on:
        if row.submitted_on < row.service_date:
            problems.append(f"submitted_on: {row.submitted_on:%m/%d/%Y} is before the date of service")
        if row.submitted_on > today:
            problems.append(f"submitted_on: {row.submitted_on:%m/%d/%Y} is after today")
        if row.status is ClaimStatus.draft:
            problems.append("a draft has not been submitted: leave submitted_on empty or give the status")
    lines = _procedures(cells.text("codes"), row.billed if row else None, problems)
    diagnoses = _diagnoses(cells.text("diagnoses"), problems)
    if row is None or person is None:
        return None, problems
    if row.denied_on and (row.denied_on > today or row.denied_on < row.service_date):
        problems.append(f"denied_on: {row.denied_on:%m/%d/%Y} is not between the date of service and today")
    claim = lookup.claims.get(row.claim.lower())
    effective = row.status or (claim.status if claim else ClaimStatus.submitted)
    if row.denial_code and effective not in _DENIAL_STATUSES:
        problems.append(f"denial_code: a {effective.label} claim has no denial (leave it empty, or give the "
                        "status denied)")
    if row.denied_on and effective is not ClaimStatus.denied:
        problems.append(f"denied_on: the claim is {effective.label}, not denied")
    if effective is ClaimStatus.denied and not row.denial_code and not (claim and claim.denial_code):
        problems.append("denial_code: a denied claim needs its CARC code from the remittance (e.g. CO-50 or 197)")
    if problems:
        return None, problems
    patient = _find_patient(session, person, problems)
    if claim is not None:
        _same_claim(claim, patient, row.payer, row.service_date, lookup, problems)
    if problems:
        return None, problems
    return _Draft(cells.row.line, row.claim, person, patient, row.payer, row.service_date, row.billed, row.paid,
                  row.status, row.submitted_on, lines, diagnoses, row.paper, row.denial_code, row.denied_on,
                  claim), []


def _patient(cells: Cells) -> PatientCreate | None:
    dob = cells.read("dob", day)
    if dob is None:
        return None
    values: dict[str, Any] = {"last_name": cells.text("patient_last"), "first_name": cells.text("patient_first"),
                              "dob": dob}
    person, found = validate(PatientCreate, values, _PATIENT_COLUMNS)
    cells.problems.extend(found)
    return person


def _find_patient(session: Session, person: PatientCreate, problems: list[str]) -> Patient | None:
    found = session.exec(
        select(Patient).where(func.lower(Patient.last_name) == person.last_name.lower(),
                              func.lower(Patient.first_name) == person.first_name.lower(),
                              Patient.dob == person.dob).limit(2)
    ).all()
    if len(found) > 1:
        problems.append(f"more than one patient is {person.last_name}, {person.first_name} born "
                        f"{person.dob:%m/%d/%Y}; merge them in the app first")
        return None
    return found[0] if found else None


def _same_claim(claim: Claim, patient: Patient | None, payer_name: str, service_date: date, lookup: _Lookup,
                problems: list[str]) -> None:
    """A claim already here keeps its patient, payer and date of service."""
    if patient is None or patient.id != claim.patient_id:
        problems.append(f"claim {claim.number} is on file for {lookup.patient_names.get(claim.patient_id, '?')}, "
                        "not this patient")
    payer = lookup.payers.get(payer_name.lower())
    if payer is None or payer.id != claim.payer_id:
        on_file = next((p.name for p in lookup.payers.values() if p.id == claim.payer_id), "?")
        problems.append(f"claim {claim.number} is on file with {on_file}, not {payer_name} (a claim sent to "
                        "another payer needs its own number)")
    if service_date != claim.service_date:
        problems.append(f"claim {claim.number} is on file for service on {claim.service_date:%m/%d/%Y}, "
                        f"not {service_date:%m/%d/%Y}")


def _procedures(text: str, billed: int | None, problems: list[str]) -> list[_Line]:
    lines: list[_Line] = []
    found: list[str] = []
    for part in (p.strip() for p in re.split(r"[;,]", text)):
        if not part:
            continue
        match = _LINE.fullmatch(part.upper())
        if match is None or not _PROCEDURE.fullmatch(match["code"]):
            found.append(f"codes: '{part}' is not a CPT/HCPCS code (5 characters such as 99213, G0439 or 3074F, "
                         "with -modifier and xunits: 99213-25, 36415x2; never a description)")
            continue
        units = int(match["units"] or 1)
        if not 1 <= units <= MAX_UNITS:
            found.append(f"codes: {part}: units must be 1 to {MAX_UNITS}")
            continue
        charge = None
        if match["charge"] is not None:
            charge = parse_cents(match["charge"])
            if charge is None or not 0 <= charge <= MAX_CENTS:
                found.append(f"codes: {part}: '{match['charge']}' is not a charge like 135.00")
                continue
        mods = " ".join(m for m in match["mods"].split("-") if m)
        lines.append(_Line(match["code"], mods, units, charge))
    if found:
        problems.extend(found)
        return []
    if not lines:
        problems.append("codes: no procedure code")
    elif len(lines) > MAX_LINES:
        problems.append(f"codes: {len(lines)} lines; a claim has at most {MAX_LINES}")
    else:
        given = [line.charge_cents for line in lines if line.charge_cents is not None]
        if given and len(given) != len(lines):
            problems.append("codes: give a charge for every code or for none")
        elif given and billed is not None and sum(given) != billed:
            problems.append(f"codes: the line charges add up to {money(sum(given))}, not the billed "
                            f"{money(billed)}")
    return lines


def _diagnoses(text: str, problems: list[str]) -> list[str]:
    codes: list[str] = []
    for part in (p.strip() for p in re.split(r"[;,]", text)):
        if not part:
            continue
        result = icd.check(part)
        if not result.billable:
            problems.append(f"diagnoses: {result.message}")
        elif result.code in codes:
            problems.append(f"diagnoses: {result.code} is listed twice")
        else:
            codes.append(result.code)
    if not codes and not any(p.startswith("diagnoses:") for p in problems):
        problems.append("diagnoses: no diagnosis code")
    if len(codes) > MAX_DIAGNOSES:
        problems.append(f"diagnoses: {len(codes)} codes; a claim has at most {MAX_DIAGNOSES}")
    return codes


# --- import: writing ----------------------------------------------------------------------------------


def import_claims(session: Session, path: Path, *, today: date, now: datetime, actor: str) -> ClaimsImportResult:
    """Create or update every claim in a .csv file (format: this module's docstring), or none of them.

    Raises ClaimsImportRefused naming each bad line; then nothing is written.
    """
    table = read_table(Path(path), LAYOUT, ClaimsImportRefused)
    try:
        drafts, lookup = _check_all(session, table, today)
        result = _Writer(session, lookup, table.name, today=today, now=now, actor=actor).write(drafts)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


class _Writer:
    def __init__(self, session: Session, lookup: _Lookup, file: str, *, today: date, now: datetime,
                 actor: str) -> None:
        self.session, self.lookup, self.file = session, lookup, file
        self.today, self.now, self.actor = today, now, actor
        self.new_payers: list[str] = []
        self.new_patients: dict[tuple[str, str, date], Patient] = {}

    def write(self, drafts: list[_Draft]) -> ClaimsImportResult:
        created = updated = unchanged = 0
        for draft in drafts:
            payer = self._payer(draft.payer_name)
            if draft.claim is None:
                self._create(draft, self._patient(draft), payer)
                created += 1
            elif self._update(draft, draft.claim, payer):
                updated += 1
            else:
                unchanged += 1
        self.session.flush()
        return ClaimsImportResult(created, updated, len(self.new_payers), len(self.new_patients), unchanged,
                                  list(self.new_payers))

    def _audit(self, entity: str, entity_id: int, action: str, changes: dict) -> None:
        record(self.session, actor=self.actor, entity=entity, entity_id=entity_id, action=action,
               changes=changes, now=self.now)

    def _payer(self, name: str) -> Payer:
        payer = self.lookup.payers.get(name.lower())
        if payer is None:
            payer = Payer(name=name, timely_filing_days=365)
            self.session.add(payer)
            self.session.flush()
            self._audit("payer", _id(payer), "create", {**created_fields(payer), "file": self.file})
            self.lookup.payers[name.lower()] = payer
            self.new_payers.append(name)
        return payer

    def _patient(self, draft: _Draft) -> Patient:
        patient = draft.patient or self.new_patients.get(draft.patient_key)
        if patient is None:
            patient = Patient(**draft.person.model_dump())
            self.session.add(patient)
            self.session.flush()
            patient.account = account_of(_id(patient))
            self._audit("patient", _id(patient), "create", {**created_fields(patient), "file": self.file})
            self.new_patients[draft.patient_key] = patient
        return patient

    def _event(self, claim: Claim, old: str, paid_change: int) -> None:
        self.session.add(ClaimEvent(
            claim_id=_id(claim), at=self.now, actor=self.actor, from_status=old, to_status=claim.status.value,
            amount_cents=paid_change, code=(claim.denial_code or "") if claim.status is ClaimStatus.denied else "",
            text=f"imported from {self.file}"[:300],
        ))

    def _create(self, draft: _Draft, patient: Patient, payer: Payer) -> None:
        status = draft.status or ClaimStatus.submitted
        group, code = draft.denial or (None, None)
        denied_on = draft.denied_on or (self.today if status is ClaimStatus.denied else None)
        claim = Claim(
            number=draft.number, patient_id=_id(patient), payer_id=_id(payer), service_date=draft.service_date,
            billed_cents=draft.billed_cents, paid_cents=draft.paid_cents or 0, status=status,
            submitted_on=draft.submitted_on, denial_code=code, denial_group=group, denied_on=denied_on,
            paper=bool(draft.paper),
        )
        if status is ClaimStatus.closed:
            _closed_by_import(claim, self.file)
        known = [d for d in (draft.service_date, draft.submitted_on, denied_on) if d]
        claim.last_activity = max(known)
        claim.deadline = billing.claim_deadline(claim, payer)
        self.session.add(claim)
        self.session.flush()
        self._post_new(claim)
        self._write_lines(claim, draft)
        self._event(claim, "", claim.paid_cents)
        changes = created_fields(claim)
        changes.update(lines=[_line_text(line) for line in draft.lines], diagnoses=draft.diagnoses, file=self.file)
        self._audit("claim", _id(claim), "create", changes)

    def _post_new(self, claim: Claim) -> None:
        """A new claim's journal: its charge on the date of service, what the file says was paid on its last
        activity; a day in a closed month (a claim the billing system had before the close) counts today."""
        charged, _ = open_day(self.session, claim.service_date, self.today)
        post(self.session, claim, charged, PostingKind.charge, claim.billed_cents, source="import", now=self.now,
             actor=self.actor)
        answered, _ = open_day(self.session, claim.last_activity, self.today)
        post_change(self.session, claim, ClaimMoney(claim.billed_cents, 0, 0, 0, 0, 0), day=answered,
                    source="import", now=self.now, actor=self.actor)

    def _update(self, draft: _Draft, claim: Claim, payer: Payer) -> bool:
        """Apply the file's values to a claim already here; False when nothing changed."""
        old_status, old_paid = claim.status, claim.paid_cents
        money_before = ClaimMoney.of(claim)
        status = draft.status or claim.status
        values: dict = {"status": status, "billed_cents": draft.billed_cents}
        if draft.paid_cents is not None:
            values["paid_cents"] = draft.paid_cents
        if draft.submitted_on is not None:
            values["submitted_on"] = draft.submitted_on
        if draft.paper is not None:
            values["paper"] = draft.paper
        if draft.denial is not None:
            values["denial_group"], values["denial_code"] = draft.denial
        elif status not in _DENIAL_STATUSES:
            values["denial_group"] = values["denial_code"] = None  # the history keeps the old denial
        if draft.denied_on is not None:
            values["denied_on"] = draft.denied_on
        elif status is ClaimStatus.denied and (old_status is not ClaimStatus.denied or claim.denied_on is None):
            values["denied_on"] = self.today  # denied (again) since the claim was last seen
        if status not in OPEN_STATUSES:
            values["next_follow_up"] = None
        changes: dict = {}
        for name, new in values.items():
            old = getattr(claim, name)
            if old != new:
                changes[name] = [_plain(old), _plain(new)]
                setattr(claim, name, new)
        if status is ClaimStatus.closed and old_status is not ClaimStatus.closed:
            before = (claim.close_reason, claim.close_note)
            _closed_by_import(claim, self.file)
            if (claim.close_reason, claim.close_note) != before:
                changes["close_reason"] = [_plain(before[0]), _plain(claim.close_reason)]
                changes["close_note"] = [before[1], claim.close_note]
        lines_changed = self._lines_differ(claim, draft)
        if not changes and not lines_changed:
            return False
        if "status" in changes or "paid_cents" in changes:
            claim.last_activity = self.today
        deadline = billing.claim_deadline(claim, payer)
        if deadline != claim.deadline:
            changes["deadline"] = [claim.deadline, deadline]
            claim.deadline = deadline
        claim.version += 1
        self.session.add(claim)
        post_change(self.session, claim, money_before, day=self.today, source="import", now=self.now,
                    actor=self.actor)
        if lines_changed:
            self.session.execute(delete(ClaimLine).where(col(ClaimLine.claim_id) == claim.id))
            self.session.execute(delete(ClaimDiagnosis).where(col(ClaimDiagnosis.claim_id) == claim.id))
            self._write_lines(claim, draft)
            changes.update(lines=[_line_text(line) for line in draft.lines], diagnoses=draft.diagnoses)
        if claim.status is not old_status or claim.paid_cents != old_paid:
            self._event(claim, old_status.value, claim.paid_cents - old_paid)
        self._audit("claim", _id(claim), "update", {**changes, "file": self.file})
        return True

    def _lines_differ(self, claim: Claim, draft: _Draft) -> bool:
        have = [(line.code, line.modifiers, line.units, line.charge_cents) for line in self.session.exec(
            select(ClaimLine).where(ClaimLine.claim_id == claim.id).order_by(col(ClaimLine.id)))]
        dx = [d.code for d in self.session.exec(
            select(ClaimDiagnosis).where(ClaimDiagnosis.claim_id == claim.id).order_by(col(ClaimDiagnosis.position)))]
        want = [(line.code, line.modifiers, line.units, charge) for line, charge in _charges(draft)]
        return have != want or dx != draft.diagnoses

    def _write_lines(self, claim: Claim, draft: _Draft) -> None:
        for line, charge in _charges(draft):
            self.session.add(ClaimLine(claim_id=_id(claim), code=line.code, modifiers=line.modifiers,
                                       units=line.units, charge_cents=charge))
        for position, code in enumerate(draft.diagnoses, start=1):
            self.session.add(ClaimDiagnosis(claim_id=_id(claim), position=position, code=code))


def _id(row: Claim | Patient | Payer) -> int:
    """The id of a row read from the database or flushed to it."""
    assert row.id is not None
    return row.id


def _closed_by_import(claim: Claim, file: str) -> None:
    """A claim the billing system closed: paid when nothing is left on it; otherwise the reason is not known."""
    claim.close_reason = CloseReason.paid if claim.balance_cents == 0 else None
    claim.close_note = f"closed in the billing system (imported from {file})"[:300]


def _charges(draft: _Draft) -> list[tuple[_Line, int]]:
    """Each line with its charge: as given, else the whole billed amount on the first line."""
    given = [(line, line.charge_cents) for line in draft.lines if line.charge_cents is not None]
    if len(given) == len(draft.lines):
        return given
    return [(line, draft.billed_cents if i == 0 else 0) for i, line in enumerate(draft.lines)]


def _line_text(line: _Line) -> str:
    text = line.code + "".join(f"-{m}" for m in line.modifiers.split())
    return text + (f"x{line.units}" if line.units != 1 else "")


# --- export -------------------------------------------------------------------------------------------


def queue_csv(session: Session, today: date, *, actor: str) -> tuple[str, int]:
    """Today's work queue as CSV text (header QUEUE_COLUMNS, CRLF lines) in queue order, and its row count.

    Every open claim the queue shows today (all pages, no filter): the denial as group-code (CO-50) and the
    reason the claim is in the queue (deadline, needs investigation, underpaid, follow-up due...).

    Amounts are plain dollars (1250.00) and dates ISO, so a spreadsheet reads them as numbers and dates.
    """
    require(actor, Area.billing, write=False, what="exporting the work queue")
    rows: list[list[Cell]] = []
    offset = 0
    while True:
        page = billing.work_queue(session, today=today, actor=actor, offset=offset, limit=EXPORT_PAGE)
        rows.extend([
            row.number, row.patient_name, row.payer_name, row.service_date.isoformat(), row.status.label,
            dollars(row.balance_cents), row.deadline.isoformat() if row.deadline else "",
            None if row.days_to_deadline is None else row.days_to_deadline, row.bucket, _denial_text(row),
            row.next_follow_up.isoformat() if row.next_follow_up else "", getattr(row, "reason", ""),
        ] for row in page.rows)
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            break
    return csv_text(QUEUE_COLUMNS, rows), len(rows)


def _denial_text(row: billing.QueueRow) -> str:
    """The CARC code with its group when known: CO-50."""
    group = getattr(row, "denial_group", "")
    return f"{group}-{row.denial_code}" if group and row.denial_code else row.denial_code

