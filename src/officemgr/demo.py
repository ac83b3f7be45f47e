"""Deterministic demo data: a small primary-care practice, every date relative to `today`.

`fill(engine, today=..., seed=..., scale=...)` writes people, schedule, roster, inventory, claims and the
compliance history of a practice into an empty database. The same seed and `today` always give the same
rows: each area draws from its own `random.Random` seeded from (seed, area), so changing one area does
not reshuffle the others. Rows are written as plain dicts with Core bulk inserts, explicit ids, one
transaction per group of tables.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from itertools import accumulate, cycle, islice
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine

from officemgr.checklist import ChecklistRow, checklist_path, load_checklist
from officemgr.models import (
    Appointment,
    AppointmentType,
    ApptStatus,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimNote,
    ClaimStatus,
    ComplianceCompletion,
    ComplianceTask,
    Credential,
    CredentialKind,
    Item,
    ItemCategory,
    MovementKind,
    NoteAction,
    Patient,
    Payer,
    Role,
    Shift,
    Staff,
    StockLot,
    StockMovement,
    TimeOff,
    TimeOffStatus,
    Vendor,
)
from officemgr.models.validation import npi_check_digit
from officemgr.services.billing import claim_deadline
from officemgr.store import write_session

BATCH = 10_000
PRACTICE_DOMAIN = "maplestreetfm.example"
PRACTICE_STATE = "OH"
# Today's schedule is drawn as it stands mid-morning: earlier visits done, some in rooms, the rest booked.
DEMO_NOW = time(10, 30)
PROVIDER_ROLES = (Role.physician, Role.np_pa)


# --------------------------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class Scale:
    physicians: int
    np_pa: int
    support: tuple[tuple[Role, int], ...]
    patients: int
    appt_days_back: int
    appt_days_ahead: int
    shift_days_back: int
    shift_days_ahead: int
    open_claims: int
    closed_claims: int
    closed_claim_days: int  # closed claims' service dates reach this far back
    extra_time_off: int  # random time-off entries on top of the fixed story


SCALES = {
    "small": Scale(
        physicians=2, np_pa=1,
        support=((Role.ma, 2), (Role.nurse, 1), (Role.front_desk, 2), (Role.biller, 1), (Role.manager, 1)),
        patients=80, appt_days_back=14, appt_days_ahead=14, shift_days_back=14, shift_days_ahead=14,
        open_claims=120, closed_claims=150, closed_claim_days=365, extra_time_off=0,
    ),
    "large": Scale(
        physicians=7, np_pa=3,
        support=((Role.ma, 10), (Role.nurse, 4), (Role.front_desk, 6), (Role.biller, 4), (Role.manager, 1)),
        patients=6000, appt_days_back=5 * 365, appt_days_ahead=28, shift_days_back=56, shift_days_ahead=28,
        open_claims=3000, closed_claims=97_000, closed_claim_days=5 * 365, extra_time_off=14,
    ),
}


@dataclass
class DemoSummary:
    """How many rows `fill` wrote, per table."""

    staff: int = 0
    patients: int = 0
    credentials: int = 0
    time_off: int = 0
    shifts: int = 0
    appointment_types: int = 0
    appointments: int = 0
    vendors: int = 0
    items: int = 0
    stock_lots: int = 0
    stock_movements: int = 0
    payers: int = 0
    claims: int = 0
    claim_lines: int = 0
    claim_diagnoses: int = 0
    claim_notes: int = 0
    compliance_tasks: int = 0
    compliance_completions: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Person:
    id: int
    first: str
    last: str
    role: Role
    npi: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def initials(self) -> str:
        return self.first[0] + self.last[0]

    @property
    def is_provider(self) -> bool:
        return self.role in PROVIDER_ROLES


@dataclass(frozen=True)
class PatientRef:
    id: int
    age: int


# ----------------------------------------------------------------------------------------------- fill


def fill(engine: Engine, *, today: date, seed: int = 1, scale: str = "small") -> DemoSummary:
    """Fill an empty practice database with demo data; refuse one that already has patients."""
    if scale not in SCALES:
        raise ValueError(f"unknown demo scale '{scale}' (use one of: {', '.join(SCALES)})")
    plan = SCALES[scale]
    checklist = load_checklist(checklist_path())

    def rng(area: str) -> random.Random:
        return random.Random(f"{seed}:{area}")

    summary = DemoSummary()
    with _transaction(engine) as conn:
        _refuse_if_filled(conn)
        staff = _add_staff(conn, rng("staff"), plan, today, summary)
        patients = _add_patients(conn, rng("patients"), plan.patients, today, summary)
        _add_credentials(conn, rng("credentials"), staff, today, summary)
    with _transaction(engine) as conn:
        off_days = _add_time_off(conn, rng("time_off"), staff, plan, today, summary)
        _add_shifts(conn, staff, plan, today, off_days, summary)
    with _transaction(engine) as conn:
        _add_appointments(conn, rng("appointments"), staff, patients, plan, today, summary)
    with _transaction(engine) as conn:
        _add_inventory(conn, rng("inventory"), staff, today, summary)
    with _transaction(engine) as conn:
        _add_claims(conn, rng("claims"), staff, patients, plan, today, summary)
    with _transaction(engine) as conn:
        _add_compliance(conn, rng("compliance"), checklist, staff, today, summary)
        _sync_sequences(conn)
    return summary


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    with write_session(engine) as session:
        yield session.connection()
        session.commit()


def _refuse_if_filled(conn: Connection) -> None:
    count = conn.execute(select(func.count()).select_from(Patient.__table__)).scalar_one()
    if count:
        raise ValueError(
            f"this database already holds {count} patients; demo data only goes into an empty database "
            "(choose a new file with --db)"
        )


def _insert(conn: Connection, model: type, rows: Sequence[dict]) -> int:
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])
    return len(rows)


def _next_id(conn: Connection, model: type) -> int:
    table = model.__table__  # type: ignore[attr-defined]
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _with_ids(conn: Connection, model: type, rows: list[dict]) -> list[dict]:
    """Explicit ids, so rows written later can point at these without reading them back."""
    first = _next_id(conn, model)
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    return rows


def _ensure_named(conn: Connection, model: type, rows: list[dict], key: str = "name") -> tuple[dict[str, int], int]:
    """Insert the rows whose name is not there yet; return {name: id} for all of them and how many were new."""
    table = model.__table__  # type: ignore[attr-defined]
    ids = {name: id_ for name, id_ in conn.execute(select(table.c[key], table.c.id))}
    new = _with_ids(conn, model, [row for row in rows if row[key] not in ids])
    _insert(conn, model, new)
    ids.update({row[key]: row["id"] for row in new})
    return ids, len(new)


def _sync_sequences(conn: Connection) -> None:
    # Explicit ids bypass PostgreSQL's serial sequences; move them past the rows we wrote.
    if conn.dialect.name != "postgresql":
        return
    for model in (Staff, Patient, Credential, TimeOff, Shift, AppointmentType, Appointment, Vendor, Item,
                  StockLot, StockMovement, Payer, Claim, ClaimLine, ClaimDiagnosis, ClaimNote,
                  ComplianceTask, ComplianceCompletion):
        name = model.__tablename__  # type: ignore[attr-defined]
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 1))"
        )


# ---------------------------------------------------------------------------------------- small helpers


def _phone(rng: random.Random, area: str = "555") -> str:
    return f"({area}) {rng.randint(200, 989)}-{rng.randint(0, 9999):04d}"


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time.min) + timedelta(minutes=minutes)


def _clinic_days(first: date, last: date, today: date) -> Iterator[date]:
    """Weekdays from first to last; today always counts, so a weekend demo still has a day to show."""
    day = first
    while day <= last:
        if day.weekday() < 5 or day == today:
            yield day
        day += timedelta(days=1)


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _end_of_month(day: date) -> date:
    return day + relativedelta(day=31)


def _working_time(rng: random.Random, day: date, earliest: int = 9 * 60, latest: int = 16 * 60 + 30) -> datetime:
    return _at(day, rng.randrange(earliest, latest, 5))


# ------------------------------------------------------------------------------------------------ names

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra "
    "Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin "
    "Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Laura Edward Helen Jeffrey "
    "Sharon Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda "
    "Larry Pamela Justin Emma Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra "
    "Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Diane Tyler "
    "Julie Aaron Joyce Jose Victoria Adam Ruth Nathan Virginia Henry Lauren Zachary Kelly Douglas Christina "
    "Peter Joan Kyle Evelyn Noah Judith Ethan Andrea Jeremy Hannah Walter Megan Christian Cheryl Keith Jacqueline "
    "Roger Martha Terry Madison Austin Teresa Sean Gloria Gerald Sara Carl Janice Harold Ann Dylan Kathryn "
    "Arthur Abigail Lawrence Sophia Jordan Frances Jesse Jean Bryan Alice Billy Judy Bruce Isabella Gabriel "
    "Julia Joe Grace Logan Amber Alan Denise Juan Danielle Albert Marilyn Willie Beverly Elijah Charlotte "
    "Wayne Natalie Randy Theresa Vincent Diana Mason Brittany Roy Doris Ralph Kayla Bobby Alexis Russell Lori "
    "Carlos Ava Luis Mia Ahmed Priya Wei Mei Hiroshi Yuki Omar Fatima Raj Anjali Minh Linh Kwame Ama"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard "
    "Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price "
    "Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton "
    "Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar "
    "Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells "
    "Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez "
    "Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone "
    "Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan "
    "Gardner Payne Grant Dunn Kowalski Novak O'Brien Schultz Yamamoto Singh Shah Okafor Mensah Haddad Wang"
).split()

PATIENT_NOTES = (
    "Needs a Spanish interpreter",
    "Hard of hearing; speak slowly, face the patient",
    "Uses a wheelchair; book exam room 1",
    "Latex allergy",
    "Prefers morning appointments",
    "Anxious about needles; allow extra time",
    "Guardian must accompany (minor)",
    "Bring medication list to every visit",
)


def _unique_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    while len(names) < count:
        name = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


# ------------------------------------------------------------------------------------------ people


def _add_staff(conn: Connection, rng: random.Random, plan: Scale, today: date, summary: DemoSummary) -> list[Person]:
    roles = [Role.physician] * plan.physicians + [Role.np_pa] * plan.np_pa
    roles += [role for role, count in plan.support for _ in range(count)]
    people: list[Person] = []
    rows: list[dict] = []
    npis: set[str] = set()
    first_id = _next_id(conn, Staff)
    for offset, (role, (first, last)) in enumerate(zip(roles, _unique_names(rng, len(roles)))):
        provider = role in PROVIDER_ROLES
        person = Person(first_id + offset, first, last, role, _new_npi(rng, npis) if provider else None)
        people.append(person)
        rows.append({
            "id": person.id,
            "first_name": first,
            "last_name": last,
            "role": role.value,
            "is_provider": person.is_provider,
            "npi": person.npi,
            "phone": _phone(rng),
            "email": re.sub(r"[^a-z.]", "", f"{first[0]}{last}".lower()) + f"@{PRACTICE_DOMAIN}",
            "hire_date": today - timedelta(days=rng.randrange(150, 15 * 365)),
            "active": True,
        })
    summary.staff = _insert(conn, Staff, rows)
    return people


def _new_npi(rng: random.Random, taken: set[str]) -> str:
    while True:
        first_nine = "1" + "".join(rng.choice(string.digits) for _ in range(8))
        npi = first_nine + npi_check_digit(first_nine)
        if npi not in taken:
            taken.add(npi)
            return npi


def _add_patients(conn: Connection, rng: random.Random, count: int, today: date,
                  summary: DemoSummary) -> list[PatientRef]:
    rows: list[dict] = []
    refs: list[PatientRef] = []
    first_id = _next_id(conn, Patient)
    for offset in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        roll = rng.random()
        years = rng.randint(0, 17) if roll < 0.15 else rng.randint(18, 64) if roll < 0.72 else rng.randint(65, 94)
        dob = today - timedelta(days=years * 365 + years // 4 + rng.randrange(365))
        email = ""
        if rng.random() < 0.55:
            email = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower()) + f"{rng.randint(1, 99)}@example.com"
        rows.append({
            "id": first_id + offset,
            "first_name": first,
            "last_name": last,
            "dob": dob,
            "phone": _phone(rng),
            "email": email,
            "note": rng.choice(PATIENT_NOTES) if rng.random() < 0.08 else "",
        })
        refs.append(PatientRef(first_id + offset, _age(dob, today)))
    summary.patients = _insert(conn, Patient, rows)
    return refs


# -------------------------------------------------------------------------------------------- roster

# Validity in days of each credential, and which roles hold it.
CREDENTIAL_YEARS = {
    CredentialKind.license: 2,
    CredentialKind.dea: 3,
    CredentialKind.board: 7,
    CredentialKind.bls: 2,
    CredentialKind.cma: 5,
    CredentialKind.hipaa_training: 1,
    CredentialKind.bbp_training: 1,
}
ROLE_CREDENTIALS = {
    Role.physician: (CredentialKind.npi, CredentialKind.license, CredentialKind.dea, CredentialKind.board,
                     CredentialKind.bls, CredentialKind.hipaa_training, CredentialKind.bbp_training),
    Role.np_pa: (CredentialKind.npi, CredentialKind.license, CredentialKind.dea, CredentialKind.board,
                 CredentialKind.bls, CredentialKind.hipaa_training, CredentialKind.bbp_training),
    Role.nurse: (CredentialKind.license, CredentialKind.bls, CredentialKind.hipaa_training,
                 CredentialKind.bbp_training),
    Role.ma: (CredentialKind.cma, CredentialKind.bls, CredentialKind.hipaa_training, CredentialKind.bbp_training),
    Role.front_desk: (CredentialKind.hipaa_training, CredentialKind.bbp_training),
    Role.biller: (CredentialKind.hipaa_training, CredentialKind.bbp_training),
    Role.manager: (CredentialKind.hipaa_training, CredentialKind.bbp_training),
}
# Offsets from today for the credentials that need attention: one lapsed, the rest within 30/60/90 days.
ATTENTION_OFFSETS = (-9, 12, 27, 44, 58, 73, 86)


def _add_credentials(conn: Connection, rng: random.Random, staff: list[Person], today: date,
                     summary: DemoSummary) -> None:
    rows: list[dict] = []
    for person in staff:
        for kind in ROLE_CREDENTIALS[person.role]:
            if kind is CredentialKind.npi:
                rows.append(_credential(person, kind, person.npi or "", "", None))
                continue
            expires = today + timedelta(days=rng.randint(100, CREDENTIAL_YEARS[kind] * 365))
            state = PRACTICE_STATE if kind in (CredentialKind.license, CredentialKind.dea) else ""
            rows.append(_credential(person, kind, _credential_number(rng, person, kind), state, expires))
    expiring = [row for row in rows if row["expires"] is not None]
    count = max(len(ATTENTION_OFFSETS), len(expiring) // 15)
    offsets = [ATTENTION_OFFSETS[0], *islice(cycle(ATTENTION_OFFSETS[1:]), count - 1)]
    for row, offset in zip(_varied(rng, expiring, count), offsets):
        row["expires"] = today + timedelta(days=offset)
    summary.credentials = _insert(conn, Credential, _with_ids(conn, Credential, rows))


def _varied(rng: random.Random, rows: list[dict], count: int) -> list[dict]:
    """`count` rows at random, one of each kind first, so the attention list is not all trainings."""
    order = rng.sample(range(len(rows)), len(rows))
    first_of_kind = {rows[i]["kind"]: i for i in reversed(order)}
    picked = sorted(first_of_kind.values(), key=order.index)
    picked += [i for i in order if i not in picked]
    return [rows[i] for i in picked[:count]]


def _credential(person: Person, kind: CredentialKind, number: str, state: str, expires: date | None) -> dict:
    return {"staff_id": person.id, "kind": kind.value, "number": number, "state": state, "expires": expires}


def _credential_number(rng: random.Random, person: Person, kind: CredentialKind) -> str:
    digits = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    if kind is CredentialKind.license:
        prefix = {Role.physician: "35.", Role.np_pa: "APRN.CNP.", Role.nurse: "RN."}[person.role]
        return prefix + digits(6)
    if kind is CredentialKind.dea:
        return _dea_number(rng, person)
    if kind is CredentialKind.board:
        return ("ABFM " if person.role is Role.physician else "AANP ") + digits(7)
    if kind is CredentialKind.bls:
        return digits(12)
    if kind is CredentialKind.cma:
        return digits(7)
    return ""


def _dea_number(rng: random.Random, person: Person) -> str:
    """DEA numbers: registrant letter (M for mid-level), last-name initial, six digits and a check digit."""
    d = [rng.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    letter = "M" if person.role is Role.np_pa else rng.choice("ABF")
    return f"{letter}{person.last[0].upper()}{''.join(map(str, d))}{check}"


TIME_OFF_KINDS = ("PTO", "Sick", "PTO", "PTO", "Jury duty", "Bereavement")


def _add_time_off(conn: Connection, rng: random.Random, staff: list[Person], plan: Scale, today: date,
                  summary: DemoSummary) -> set[tuple[int, date]]:
    """A fixed story (someone off today, requests waiting) plus random leave; returns approved (staff, day)."""
    support = [p for p in staff if not p.is_provider and p.role is not Role.manager]
    providers = [p for p in staff if p.is_provider]
    off_today, *others = rng.sample(support, len(support))
    d = lambda n: today + timedelta(days=n)  # noqa: E731
    story = [
        (off_today, "PTO", d(-1), d(1), TimeOffStatus.approved, "Family trip"),
        (others[0], "Sick", d(-5), d(-5), TimeOffStatus.approved, ""),
        (others[1], "PTO", d(-11), d(-9), TimeOffStatus.approved, ""),
        (others[2 % len(others)], "PTO", d(7), d(9), TimeOffStatus.approved, "Wedding"),
        (others[3 % len(others)], "PTO", d(3), d(4), TimeOffStatus.requested, ""),
        (others[4 % len(others)], "PTO", d(10), d(14), TimeOffStatus.requested, "Family visiting"),
        (others[0], "PTO", d(2), d(2), TimeOffStatus.denied, "Short-staffed that day; please pick another date"),
        (providers[-1], "CME", d(17), d(18), TimeOffStatus.requested, "Family medicine board review course"),
    ]
    for _ in range(plan.extra_time_off):
        person = rng.choice(support)
        start = d(rng.randint(-plan.shift_days_back, plan.shift_days_ahead))
        status = TimeOffStatus.approved
        if start >= today:
            status = rng.choice((TimeOffStatus.approved, TimeOffStatus.requested))
        story.append((person, rng.choice(TIME_OFF_KINDS), start, start + timedelta(days=rng.randint(0, 4)), status, ""))
    rows = [
        {"staff_id": p.id, "kind": kind, "start_date": start, "end_date": end, "status": status.value, "note": note}
        for p, kind, start, end, status, note in story
    ]
    summary.time_off = _insert(conn, TimeOff, _with_ids(conn, TimeOff, rows))
    off: set[tuple[int, date]] = set()
    for p, _kind, start, end, status, _note in story:
        if status is TimeOffStatus.approved:
            off.update((p.id, start + timedelta(days=n)) for n in range((end - start).days + 1))
    return off


# (start minute, end minute) of the shift patterns; openers come in early to room the first patients.
SHIFT_DAY = (8 * 60, 17 * 60)
SHIFT_EARLY = (7 * 60 + 30, 16 * 60)
SHIFT_LATE = (9 * 60, 17 * 60 + 30)
BILLER_DAYS = (0, 1, 2, 3)  # billers work Monday to Thursday


def _shift_pattern(person: Person, index_in_role: int) -> tuple[int, int]:
    if person.role is Role.ma:
        return SHIFT_EARLY if index_in_role % 2 == 0 else SHIFT_DAY
    if person.role is Role.front_desk:
        return (SHIFT_EARLY, SHIFT_LATE, SHIFT_DAY)[index_in_role % 3]
    return SHIFT_DAY


def _add_shifts(conn: Connection, staff: list[Person], plan: Scale, today: date,
                off_days: set[tuple[int, date]], summary: DemoSummary) -> None:
    days = list(_clinic_days(today - timedelta(days=plan.shift_days_back),
                             today + timedelta(days=plan.shift_days_ahead), today))
    seen: dict[Role, int] = {}
    rows: list[dict] = []
    for person in staff:
        start, end = _shift_pattern(person, seen.setdefault(person.role, 0))
        seen[person.role] += 1
        for day in days:
            if (person.id, day) in off_days:
                continue
            if person.role is Role.biller and day.weekday() not in BILLER_DAYS:
                continue
            rows.append({"staff_id": person.id, "start": _at(day, start), "end": _at(day, end)})
    summary.shifts = _insert(conn, Shift, _with_ids(conn, Shift, rows))


# -------------------------------------------------------------------------------------------- schedule

# name, minutes, share of bookings
APPT_TYPES = (("Follow-up", 15, 50), ("Acute", 20, 30), ("Physical", 40, 12), ("New patient", 45, 8))
DAY_START, LUNCH_START, LUNCH_END, DAY_END = 8 * 60, 12 * 60, 13 * 60, 17 * 60
OPEN_SLOT_CHANCE = 0.06  # a 15-minute hole left in the book, for the huddle's "slots to fill"
REASONS = {
    "Follow-up": ("Diabetes follow-up", "Blood pressure check", "Medication refill", "Lab results review",
                  "Thyroid follow-up", "Anxiety/depression follow-up", "Asthma follow-up",
                  "Cholesterol follow-up", "ER follow-up", "Wound check"),
    "Acute": ("Sore throat", "Cough and congestion", "Ear pain", "Urinary symptoms", "Low back pain", "Rash",
              "Fever", "Sinus pressure", "Ankle sprain", "Headache", "Flu-like symptoms"),
    "New patient": ("Establish care", "Transfer of care", "New patient: diabetes management",
                    "New patient: hypertension"),
}
APPT_NOTES = ("Bring medication list", "Fasting labs: nothing to eat after midnight", "Needs interpreter (Spanish)",
              "Wheelchair: exam room 1", "Forms to fill out for school", "Prior auth pending for MRI")


def _physical_reason(rng: random.Random, age: int) -> str:
    if age < 18:
        return rng.choice(("Well-child check", "Sports physical"))
    if age >= 65:
        return "Medicare annual wellness visit"
    return rng.choice(("Annual physical", "Annual physical", "Pre-employment physical"))


def _day_slots(rng: random.Random, types: Sequence[tuple[str, int]], cum: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(start minute, type index) for one provider-day: back to back, lunch kept free, a few open holes."""
    t = DAY_START
    while True:
        if rng.random() < OPEN_SLOT_CHANCE:
            t += 15
        index = rng.choices(range(len(types)), cum_weights=cum)[0]
        minutes = types[index][1]
        if t < LUNCH_START < t + minutes:
            t = LUNCH_END
        if LUNCH_START <= t < LUNCH_END:
            t = LUNCH_END
        if t + minutes > DAY_END:
            return
        yield t, index
        t += minutes


def _past_status(rng: random.Random) -> ApptStatus:
    roll = rng.random()
    if roll < 0.15:
        return ApptStatus.no_show
    if roll < 0.20:
        return ApptStatus.cancelled
    return ApptStatus.checked_out


def _today_status(rng: random.Random, start: int, end: int) -> ApptStatus:
    now = DEMO_NOW.hour * 60 + DEMO_NOW.minute
    if end <= now - 10:
        return ApptStatus.no_show if rng.random() < 0.1 else ApptStatus.checked_out
    if start <= now - 15:
        return ApptStatus.in_room
    if start <= now + 10:
        return ApptStatus.arrived
    return ApptStatus.booked


def _add_appointments(conn: Connection, rng: random.Random, staff: list[Person], patients: list[PatientRef],
                      plan: Scale, today: date, summary: DemoSummary) -> None:
    type_rows = [{"name": name, "minutes": minutes} for name, minutes, _ in APPT_TYPES]
    type_ids, summary.appointment_types = _ensure_named(conn, AppointmentType, type_rows)
    types = [(name, minutes) for name, minutes, _ in APPT_TYPES]
    cum = list(accumulate(share for *_, share in APPT_TYPES))
    providers = [p for p in staff if p.is_provider]
    first = today - timedelta(days=plan.appt_days_back)
    last = today + timedelta(days=plan.appt_days_ahead)
    rows: list[dict] = []
    todays: list[dict] = []
    for day in _clinic_days(first, last, today):
        midnight = datetime.combine(day, time.min)
        for provider in providers:
            for start, index in _day_slots(rng, types, cum):
                name, minutes = types[index]
                patient = patients[rng.randrange(len(patients))]
                if day < today:
                    status = _past_status(rng)
                elif day > today:
                    status = ApptStatus.booked
                else:
                    status = _today_status(rng, start, start + minutes)
                reason = _physical_reason(rng, patient.age) if name == "Physical" else rng.choice(REASONS[name])
                row = {
                    "patient_id": patient.id,
                    "provider_id": provider.id,
                    "type_id": type_ids[name],
                    "start": midnight + timedelta(minutes=start),
                    "end": midnight + timedelta(minutes=start + minutes),
                    "status": status.value,
                    "reason": reason,
                    "note": rng.choice(APPT_NOTES) if rng.random() < 0.03 else "",
                }
                rows.append(row)
                if day == today:
                    todays.append(row)
    rows += _double_books(rng, todays, patients)
    rows.sort(key=lambda r: (r["start"], r["provider_id"]))
    summary.appointments = _insert(conn, Appointment, _with_ids(conn, Appointment, rows))


def _double_books(rng: random.Random, todays: list[dict], patients: list[PatientRef]) -> list[dict]:
    """One or two same-day sick visits squeezed in on top of a booked slot later today."""
    later = [r for r in todays if r["status"] == ApptStatus.booked.value]
    extra = []
    for row in rng.sample(later, min(len(later), rng.choice((1, 2)))):
        extra.append({
            **row,
            "patient_id": patients[rng.randrange(len(patients))].id,
            "reason": "Work-in: " + rng.choice(REASONS["Acute"]).lower(),
            "note": "Double-booked: same-day sick visit, OK'd by provider",
        })
    return extra


# ------------------------------------------------------------------------------------------- inventory

VENDORS = (
    ("Henry Schein", "(800) 555-0141", "orders@henryschein.example", "HS-204881"),
    ("McKesson", "(800) 555-0142", "medsurg@mckesson.example", "MCK-7731902"),
    ("Medline", "(800) 555-0143", "customerservice@medline.example", "ML-5520418"),
    ("Sanofi Pasteur", "(800) 555-0144", "vaccineshoppe@sanofi.example", "VS-0093317"),
    ("Merck", "(800) 555-0145", "merckvaccines@merck.example", "MV-4410276"),
    ("Staples Business", "(800) 555-0146", "business@staples.example", "SB-118230"),
)


@dataclass(frozen=True)
class ItemSpec:
    name: str
    category: ItemCategory
    unit: str
    daily_use: float  # average units used per clinic day
    cost_cents: int
    vendor: str
    location: str
    lead_days: int = 3
    shelf_days: int = 720  # lot-tracked items: typical shelf life of a new lot
    kit_expiry: int | None = None  # emergency kit: a single lot expiring this many days from today
    seasonal: bool = False  # influenza: used heavily September to February

    @property
    def tracks_lots(self) -> bool:
        return self.category in (ItemCategory.vaccine, ItemCategory.medication)

    @property
    def reorder_point(self) -> int:
        if self.kit_expiry is not None:
            return 1
        # average daily use x lead time + safety stock (three days' use), at least one unit
        return max(1, round(self.daily_use * (self.lead_days + 3) + 0.49))

    @property
    def par(self) -> int:
        if self.kit_expiry is not None:
            return 2
        return self.reorder_point + max(1, round(self.daily_use * 15))


_C, _O, _V, _M, _E = (ItemCategory.clinical, ItemCategory.office, ItemCategory.vaccine,
                      ItemCategory.medication, ItemCategory.equipment)
ITEMS = (
    ItemSpec("Exam table paper 18 in x 225 ft", _C, "roll", 3.0, 850, "Henry Schein", "Supply room"),
    ItemSpec("Nitrile exam gloves, small", _C, "box of 100", 0.6, 899, "Medline", "Supply room"),
    ItemSpec("Nitrile exam gloves, medium", _C, "box of 100", 1.5, 899, "Medline", "Supply room"),
    ItemSpec("Nitrile exam gloves, large", _C, "box of 100", 1.0, 899, "Medline", "Supply room"),
    ItemSpec("Alcohol prep pads", _C, "box of 200", 0.4, 349, "McKesson", "Supply room"),
    ItemSpec("Syringe 3 mL Luer-Lock", _C, "box of 100", 0.15, 1899, "McKesson", "Supply room"),
    ItemSpec("Syringe 1 mL tuberculin", _C, "box of 100", 0.1, 2150, "McKesson", "Supply room"),
    ItemSpec("Needle 25G x 1 in", _C, "box of 100", 0.12, 1250, "McKesson", "Supply room"),
    ItemSpec("Safety needle 23G x 1 in", _C, "box of 100", 0.1, 2395, "Henry Schein", "Supply room"),
    ItemSpec("Specimen cups 4 oz, sterile", _C, "box of 100", 0.12, 2499, "Medline", "Lab"),
    ItemSpec("Urinalysis reagent strips", _C, "bottle of 100", 0.08, 4295, "Henry Schein", "Lab"),
    ItemSpec("Tongue depressors", _C, "box of 500", 0.03, 695, "Medline", "Supply room"),
    ItemSpec("Otoscope specula 4 mm", _C, "bag of 500", 0.05, 2895, "Henry Schein", "Supply room"),
    ItemSpec("Patient exam gowns", _C, "case of 50", 0.2, 3450, "Medline", "Supply room"),
    ItemSpec("Sharps container 2 gal", _C, "each", 0.1, 675, "McKesson", "Supply room"),
    ItemSpec("Adhesive bandages 1 x 3 in", _C, "box of 100", 0.1, 450, "Medline", "Supply room"),
    ItemSpec("Gauze sponges 2 x 2 in", _C, "sleeve of 200", 0.15, 525, "Medline", "Supply room"),
    ItemSpec("Blood collection tubes, lavender top", _C, "box of 100", 0.08, 2850, "Henry Schein", "Lab"),
    ItemSpec("Blood collection tubes, gold top", _C, "box of 100", 0.08, 3150, "Henry Schein", "Lab"),
    ItemSpec("Butterfly needles 23G", _C, "box of 50", 0.05, 3995, "Henry Schein", "Lab"),
    ItemSpec("Rapid strep A tests", _C, "kit of 25", 0.12, 11250, "Henry Schein", "Lab"),
    ItemSpec("Influenza A/B rapid tests", _C, "kit of 25", 0.15, 19500, "Henry Schein", "Lab"),
    ItemSpec("Thermometer probe covers", _C, "box of 200", 0.15, 1295, "McKesson", "Supply room"),
    ItemSpec("Disinfectant wipes (Sani-Cloth)", _C, "canister of 160", 0.5, 1150, "Medline", "Supply room"),
    ItemSpec("Hand sanitizer 12 oz", _C, "bottle", 0.3, 575, "Medline", "Supply room"),
    ItemSpec("Spore test biological indicators", _C, "box of 25", 0.04, 6900, "Henry Schein", "Sterilization"),
    ItemSpec("AED pads, adult", _E, "pair", 0.01, 4995, "Henry Schein", "Crash cart"),
    ItemSpec("Copy paper, letter", _O, "ream", 0.5, 899, "Staples Business", "Front office"),
    ItemSpec("Printer toner HP 58A", _O, "cartridge", 0.05, 11500, "Staples Business", "Front office"),
    ItemSpec("Specimen labels", _O, "roll", 0.1, 1850, "Staples Business", "Lab"),
    ItemSpec("Influenza vaccine (Fluzone) 0.5 mL PFS", _V, "dose", 4.0, 2150, "Sanofi Pasteur", "Vaccine fridge",
             lead_days=5, seasonal=True),
    ItemSpec("Influenza vaccine (Fluzone High-Dose) PFS", _V, "dose", 2.0, 7350, "Sanofi Pasteur",
             "Vaccine fridge", lead_days=5, seasonal=True),
    ItemSpec("Tdap vaccine (Adacel) 0.5 mL PFS", _V, "dose", 0.4, 5450, "Sanofi Pasteur", "Vaccine fridge",
             lead_days=5, shelf_days=540),
    ItemSpec("MMR vaccine (M-M-R II) SDV", _V, "dose", 0.15, 8990, "Merck", "Vaccine fridge", lead_days=5,
             shelf_days=540),
    ItemSpec("Hepatitis B vaccine (Recombivax HB) adult", _V, "dose", 0.2, 6250, "Merck", "Vaccine fridge",
             lead_days=5, shelf_days=720),
    ItemSpec("Pneumococcal vaccine (Capvaxive) PFS", _V, "dose", 0.2, 28750, "Merck", "Vaccine fridge",
             lead_days=5, shelf_days=540),
    ItemSpec("Zoster vaccine (Shingrix)", _V, "dose", 0.25, 19950, "McKesson", "Vaccine fridge", lead_days=5,
             shelf_days=720),
    ItemSpec("Epinephrine 1 mg/mL, 1 mL vial", _M, "vial", 0.0, 2450, "Henry Schein", "Crash cart",
             kit_expiry=20),
    ItemSpec("Naloxone 4 mg nasal spray", _M, "carton of 2", 0.0, 4495, "McKesson", "Crash cart", kit_expiry=52),
    ItemSpec("Glucagon 1 mg emergency kit", _M, "kit", 0.0, 28500, "McKesson", "Crash cart", kit_expiry=81),
    ItemSpec("Diphenhydramine 50 mg/mL, 1 mL vial", _M, "vial", 0.0, 395, "Henry Schein", "Crash cart",
             kit_expiry=-6),
    ItemSpec("Aspirin 81 mg chewable", _M, "bottle of 36", 0.0, 325, "McKesson", "Crash cart", kit_expiry=210),
    ItemSpec("Albuterol 2.5 mg/3 mL nebulizer solution", _M, "vial", 0.3, 65, "Henry Schein", "Med cabinet",
             shelf_days=540),
    ItemSpec("Ceftriaxone 1 g vial", _M, "vial", 0.1, 350, "Henry Schein", "Med cabinet", shelf_days=720),
    ItemSpec("Ketorolac 30 mg/mL, 1 mL vial", _M, "vial", 0.15, 185, "Henry Schein", "Med cabinet",
             shelf_days=540),
    ItemSpec("Lidocaine 1%, 20 mL vial", _M, "vial", 0.05, 425, "Henry Schein", "Med cabinet", shelf_days=720),
)
INVENTORY_DAYS = 90
# Items whose last order is backordered at the vendor, so they sit below their reorder point today.
SHORT_ITEMS = 5
SHORT_WINDOW = 21  # days before today in which their reorders are not delivered


@dataclass
class _Stock:
    """One item's lots while its last 90 days are replayed; collects lot rows and movement rows."""

    spec: ItemSpec
    item_id: int
    lots: list[dict]
    movements: list[dict]

    def on_hand(self, day: date) -> int:
        return sum(lot["quantity"] for lot in self.usable(day))

    def usable(self, day: date) -> list[dict]:
        """Lots with stock that have not expired, first-expiring first (FEFO)."""
        lots = [lot for lot in self.lots if lot["quantity"] > 0 and (lot["expires"] is None or lot["expires"] >= day)]
        return sorted(lots, key=lambda lot: (lot["expires"] or date.max, lot["id"]))

    def move(self, lot: dict, kind: MovementKind, quantity: int, at: datetime, reason: str, actor: str) -> None:
        lot["quantity"] += quantity
        self.movements.append({"item_id": self.item_id, "lot_id": lot["id"], "kind": kind.value,
                               "quantity": quantity, "at": at, "reason": reason, "actor": actor})


def _add_inventory(conn: Connection, rng: random.Random, staff: list[Person], today: date,
                   summary: DemoSummary) -> None:
    vendor_rows = [{"name": n, "phone": p, "email": e, "account_number": a} for n, p, e, a in VENDORS]
    vendor_ids, summary.vendors = _ensure_named(conn, Vendor, vendor_rows)
    item_rows = [_item_row(rng, spec, vendor_ids) for spec in ITEMS]
    item_ids, summary.items = _ensure_named(conn, Item, item_rows)
    actors = [p.name for p in staff if p.role in (Role.ma, Role.nurse)] or [staff[0].name]
    shorts = set(rng.sample([s.name for s in ITEMS if not s.tracks_lots and s.daily_use >= 0.1], SHORT_ITEMS))
    next_lot = iter(range(_next_id(conn, StockLot), 10**9))
    lots: list[dict] = []
    movements: list[dict] = []
    for spec in ITEMS:
        stock = _Stock(spec, item_ids[spec.name], [], [])
        _replay_item(rng, stock, next_lot, today, actors, spec.name in shorts)
        lots += stock.lots
        movements += stock.movements
    summary.stock_lots = _insert(conn, StockLot, lots)
    movements.sort(key=lambda m: (m["at"], m["item_id"]))
    summary.stock_movements = _insert(conn, StockMovement, _with_ids(conn, StockMovement, movements))


def _item_row(rng: random.Random, spec: ItemSpec, vendor_ids: dict[str, int]) -> dict:
    return {
        "name": spec.name,
        "category": spec.category.value,
        "unit": spec.unit,
        "par": spec.par,
        "reorder_point": spec.reorder_point,
        "vendor_id": vendor_ids[spec.vendor],
        "sku": str(rng.randint(1_000_000, 9_999_999)),
        "unit_cost_cents": spec.cost_cents,
        "tracks_lots": spec.tracks_lots,
        "location": spec.location,
        "active": True,
    }


def _lot_number(rng: random.Random) -> str:
    return rng.choice("UVWXYZ") + str(rng.randint(1000, 9999)) + "".join(rng.choices(string.ascii_uppercase, k=2))


def _new_expiry(rng: random.Random, spec: ItemSpec, received: date) -> date:
    if spec.seasonal:  # influenza vaccine expires June 30 at the end of its season
        return date(received.year + (received.month >= 7), 6, 30)
    return _end_of_month(received + timedelta(days=int(spec.shelf_days * rng.uniform(0.6, 1.0))))


def _replay_item(rng: random.Random, stock: _Stock, next_lot: Iterator[int], today: date, actors: list[str],
                 short: bool) -> None:
    """Opening count 90 days ago, then each day: deliveries, expired lots discarded, use, reorders."""
    spec = stock.spec
    start = today - timedelta(days=INVENTORY_DAYS)

    def receive(day: date, quantity: int, reason: str, expires: date | None) -> None:
        # A lot-tracked item gets a lot per delivery; any other item keeps its one unnumbered lot.
        if spec.tracks_lots or not stock.lots:
            stock.lots.append({"id": next(next_lot), "item_id": stock.item_id, "quantity": 0,
                               "lot_number": _lot_number(rng) if spec.tracks_lots else None, "expires": expires})
        lot = stock.lots[-1]
        lot["received_on"] = day
        stock.move(lot, MovementKind.receive, quantity, _working_time(rng, day, 9 * 60, 14 * 60), reason,
                   rng.choice(actors))

    opening_expiry = None
    if spec.kit_expiry is not None:
        opening_expiry = today + timedelta(days=spec.kit_expiry)
    elif spec.tracks_lots:
        opening_expiry = _new_expiry(rng, spec, start) if spec.seasonal else _end_of_month(
            today + timedelta(days=rng.randint(45, 400)))
    receive(start, spec.par, "Opening count", opening_expiry)

    pending: tuple[date, int] | None = None
    for offset in range(1, INVENTORY_DAYS):
        day = start + timedelta(days=offset)
        if pending and pending[0] == day:
            expiry = _new_expiry(rng, spec, day) if spec.tracks_lots else None
            receive(day, pending[1], f"Delivery from {spec.vendor}", expiry)
            pending = None
        _discard_expired(stock, day, rng.choice(actors))
        if day.weekday() < 5:
            _use(rng, stock, day, rng.choice(actors))
        backordered = short and day >= today - timedelta(days=SHORT_WINDOW)
        on_hand = stock.on_hand(day)
        if pending is None and not backordered and spec.kit_expiry is None and on_hand <= spec.reorder_point:
            quantity = spec.par - on_hand + round(_daily_use(spec, day) * spec.lead_days)
            pending = (day + timedelta(days=spec.lead_days), quantity)
    if short:
        _draw_below_reorder_point(rng, stock, today, rng.choice(actors))


def _daily_use(spec: ItemSpec, day: date) -> float:
    if spec.seasonal and day.month not in (9, 10, 11, 12, 1, 2):
        return spec.daily_use * 0.1
    return spec.daily_use


def _use(rng: random.Random, stock: _Stock, day: date, actor: str) -> None:
    """Draw the day's use first-expiring lot first; int(x + U) has mean x, so fractional rates work."""
    wanted = int(_daily_use(stock.spec, day) * rng.uniform(0.5, 1.5) + rng.random())
    reason = "Administered" if stock.spec.category is ItemCategory.vaccine else "Clinic use"
    at = _at(day, 17 * 60)
    for lot in stock.usable(day):
        if wanted <= 0:
            break
        taken = min(wanted, lot["quantity"])
        stock.move(lot, MovementKind.use, -taken, at, reason, actor)
        wanted -= taken


def _discard_expired(stock: _Stock, day: date, actor: str) -> None:
    if stock.spec.kit_expiry is not None:
        return  # the expired emergency-kit vial stays on the shelf: the huddle should catch it
    for lot in stock.lots:
        if lot["expires"] is not None and lot["expires"] < day and lot["quantity"] > 0:
            stock.move(lot, MovementKind.waste, -lot["quantity"], _at(day, 8 * 60), "Expired; discarded", actor)


def _draw_below_reorder_point(rng: random.Random, stock: _Stock, today: date, actor: str) -> None:
    yesterday = today - timedelta(days=1)
    lot = stock.lots[0]
    target = max(0, stock.spec.reorder_point - 1 - rng.randint(0, stock.spec.reorder_point // 2))
    if lot["quantity"] > target:
        stock.move(lot, MovementKind.use, target - lot["quantity"], _at(yesterday, 17 * 60), "Clinic use", actor)


# --------------------------------------------------------------------------------------------- billing

# name, timely filing days, appeal days, phone, portal note, share of claims
PAYERS = (
    ("Medicare", 365, 120, "(800) 555-0101", "MAC portal; redetermination within 120 days of the notice", 30),
    ("Medicaid", 365, 120, "(800) 555-0102", "State Medicaid portal", 10),
    ("BlueCross BlueShield", 180, 180, "(800) 555-0103", "Availity", 20),
    ("Aetna", 120, 180, "(800) 555-0104", "Availity", 12),
    ("UnitedHealthcare", 90, 180, "(800) 555-0105", "UHC Provider Portal", 15),
    ("Cigna", 90, 180, "(800) 555-0106", "Cigna for HCP portal", 13),
)
CHARGES = {  # practice fee schedule, cents
    "99212": 9500, "99213": 13500, "99214": 19500, "99215": 26500, "99203": 17500, "99204": 26500,
    "99391": 21000, "99392": 21500, "99393": 21500, "99394": 22500, "99395": 23500, "99396": 25000,
    "99397": 26500, "G0439": 21500, "90686": 3500, "90471": 2800, "36415": 1500, "81002": 1200,
    "87880": 3500, "87804": 3800, "93000": 6000, "94640": 4500, "96372": 3500,
}
EM_CODES = ("99212", "99213", "99214", "99215", "99203", "99204")
EM_CUM = tuple(accumulate((8, 44, 32, 6, 6, 4)))
ACUTE_DX = ("J06.9", "J02.9", "R05.9", "J01.90", "N39.0", "H66.90", "M54.50", "R51.9", "J20.9", "R21",
            "S93.401A", "J11.1", "B34.9", "R10.9")
CHRONIC_DX = ("E11.9", "I10", "E78.5", "J45.909", "K21.9", "F41.1", "E03.9", "E66.9", "F32.A", "E55.9",
              "E11.65", "G47.00", "M17.11")
# (CARC, group, what the remittance said)
DENIALS = (
    ("16", "CO", "claim lacks information needed for adjudication"),
    ("18", "CO", "exact duplicate claim"),
    ("22", "OA", "other payer may be primary (COB)"),
    ("27", "PR", "coverage terminated before date of service"),
    ("29", "CO", "time limit for filing has expired"),
    ("45", "CO", "charge exceeds fee schedule"),
    ("50", "CO", "not deemed a medical necessity"),
    ("97", "CO", "bundled into another service"),
    ("197", "CO", "precertification/authorization absent"),
)
REJECTIONS = ("subscriber ID not found", "invalid rendering provider NPI", "patient date of birth mismatch",
              "missing diagnosis pointer")
# Open claims per aging bucket (days since service): range and share, and the statuses likely at that age.
OPEN_BUCKETS = (
    ((0, 30), 0.34, {"draft": 25, "submitted": 30, "accepted": 15, "rejected": 8, "pending": 15, "denied": 5,
                     "partly_paid": 2}),
    ((31, 60), 0.22, {"draft": 5, "submitted": 10, "accepted": 10, "rejected": 8, "pending": 30, "denied": 20,
                      "partly_paid": 10, "appealed": 7}),
    ((61, 90), 0.16, {"draft": 3, "submitted": 5, "rejected": 5, "pending": 25, "denied": 25, "partly_paid": 15,
                      "appealed": 22}),
    ((91, 120), 0.12, {"rejected": 5, "pending": 20, "denied": 30, "partly_paid": 15, "appealed": 30}),
    ((121, 200), 0.16, {"draft": 5, "pending": 10, "denied": 30, "partly_paid": 20, "appealed": 35}),
)
FOLLOW_UP_SHARE = 0.55
FOLLOW_UP_KINDS = ("today", "past", "future", "future", "past", "future", "today", "future")


@dataclass
class _ClaimDraft:
    """A claim with its lines, diagnoses and notes, before ids and numbers are given out."""

    row: dict
    lines: list[tuple[str, str, int]]
    diagnoses: list[str]
    notes: list[dict]


def _add_claims(conn: Connection, rng: random.Random, staff: list[Person], patients: list[PatientRef],
                plan: Scale, today: date, summary: DemoSummary) -> None:
    payer_rows = [{"name": n, "timely_filing_days": tf, "appeal_days": ap, "phone": ph, "portal_note": note}
                  for n, tf, ap, ph, note, _ in PAYERS]
    payer_ids, summary.payers = _ensure_named(conn, Payer, payer_rows)
    table = Payer.__table__
    limits = {row.id: row for row in conn.execute(select(table.c.id, table.c.timely_filing_days, table.c.appeal_days))}
    ctx = _ClaimContext(rng, today, staff, patients, payer_ids, limits)
    drafts = [ctx.open_claim(age_range, statuses) for age_range, statuses in _open_claim_plan(rng, plan.open_claims)]
    _assign_follow_ups(rng, drafts, today)
    drafts += [ctx.closed_claim(plan.closed_claim_days) for _ in range(plan.closed_claims)]
    drafts.sort(key=lambda d: (d.row["service_date"], d.row["patient_id"]))
    _write_claims(conn, drafts, summary)


def _open_claim_plan(rng: random.Random, count: int) -> list[tuple[tuple[int, int], dict[str, int]]]:
    """Every bucket gets its share (at least one claim), so each aging bucket is populated."""
    counts = [max(1, int(count * share)) for _, share, _ in OPEN_BUCKETS]
    counts[0] += max(0, count - sum(counts))
    plan = [(age_range, statuses) for (age_range, _, statuses), n in zip(OPEN_BUCKETS, counts) for _ in range(n)]
    rng.shuffle(plan)
    return plan


class _ClaimContext:
    def __init__(self, rng: random.Random, today: date, staff: list[Person], patients: list[PatientRef],
                 payer_ids: dict[str, int], payer_limits: dict) -> None:
        self.rng = rng
        self.payer_limits = payer_limits
        self.today = today
        self.providers = [p.id for p in staff if p.is_provider]
        self.billers = [p.name for p in staff if p.role in (Role.biller, Role.manager)]
        self.seniors = [p for p in patients if p.age >= 65] or patients
        self.others = [p for p in patients if p.age < 65] or patients
        self.payers = [(payer_ids[name], name) for name, *_ in PAYERS]
        self.payer_cum = list(accumulate(share for *_, share in PAYERS))

    def _service_date(self, low: int, high: int) -> date:
        """A weekday (or today) whose age in days lies in [low, high]."""
        while True:
            day = self.today - timedelta(days=self.rng.randint(low, high))
            if day.weekday() < 5 or day == self.today:
                return day

    def _base(self, service: date) -> tuple[dict, list, list]:
        rng = self.rng
        payer_id, payer_name = rng.choices(self.payers, cum_weights=self.payer_cum)[0]
        pool = self.seniors if payer_name == "Medicare" else self.others
        patient = pool[rng.randrange(len(pool))]
        lines, diagnoses = _claim_content(rng, patient.age, payer_name == "Medicare", service)
        row = {
            "patient_id": patient.id, "payer_id": payer_id, "provider_id": rng.choice(self.providers),
            "service_date": service, "billed_cents": sum(charge for _, _, charge in lines), "paid_cents": 0,
            "submitted_on": None, "denial_code": None, "denied_on": None, "next_follow_up": None,
            "last_activity": None, "paper": rng.random() < 0.05, "deadline": None,
        }
        return row, lines, diagnoses

    def open_claim(self, age_range: tuple[int, int], statuses: dict[str, int]) -> _ClaimDraft:
        rng, today = self.rng, self.today
        service = self._service_date(*age_range)
        row, lines, diagnoses = self._base(service)
        status = ClaimStatus(rng.choices(list(statuses), weights=list(statuses.values()))[0])
        row["status"] = status.value
        notes: list[dict] = []
        note = lambda day, action, text: notes.append(self._note(day, action, text))  # noqa: E731
        payer = next(name for pid, name in self.payers if pid == row["payer_id"])
        if status is ClaimStatus.draft:
            if rng.random() < 0.3:
                note(service + timedelta(days=1), NoteAction.note, "Waiting on the provider to sign the visit note")
        else:
            row["submitted_on"] = min(today, service + timedelta(days=rng.randint(1, 6)))
        submitted = row["submitted_on"]
        if status is ClaimStatus.rejected:
            note(submitted + timedelta(days=1), NoteAction.note, f"Clearinghouse rejected: {rng.choice(REJECTIONS)}")
        elif status is ClaimStatus.pending and rng.random() < 0.6:
            note(submitted + timedelta(days=rng.randint(25, 45)), NoteAction.called_payer,
                 f"Called {payer}: claim in process, ref #{rng.randint(10**7, 10**8 - 1)}")
        elif status is ClaimStatus.partly_paid:
            row["paid_cents"] = int(row["billed_cents"] * rng.uniform(0.35, 0.8))
            note(submitted + timedelta(days=rng.randint(14, 30)), NoteAction.sent_to_patient,
                 "Partial payment posted; coinsurance balance billed to the patient")
        elif status in (ClaimStatus.denied, ClaimStatus.appealed):
            code, group, text = rng.choice(DENIALS)
            row["denial_code"] = code
            row["denied_on"] = min(today, submitted + timedelta(days=rng.randint(14, 35)))
            note(row["denied_on"], NoteAction.note, f"Denied {group}-{code}: {text}")
            if status is ClaimStatus.appealed:
                note(row["denied_on"] + timedelta(days=rng.randint(3, 20)), NoteAction.appealed,
                     "Appeal sent with visit notes and a letter of medical necessity")
            elif rng.random() < 0.5:
                note(row["denied_on"] + timedelta(days=rng.randint(1, 10)), NoteAction.called_payer,
                     f"Called {payer} about the denial; rep confirmed CARC {code}")
        notes.sort(key=lambda n: n["at"])
        dates = [d for d in (submitted, row["denied_on"], *(n["at"].date() for n in notes)) if d]
        row["last_activity"] = max(dates) if dates else None
        # The same rule the billing service applies on every write, so the work queue sorts right.
        claim = SimpleNamespace(status=status, service_date=service, denied_on=row["denied_on"])
        row["deadline"] = claim_deadline(claim, self.payer_limits[row["payer_id"]])  # type: ignore[arg-type]
        return _ClaimDraft(row, lines, diagnoses, notes)

    def closed_claim(self, max_age: int) -> _ClaimDraft:
        rng, today = self.rng, self.today
        service = self._service_date(25, max_age)
        row, lines, diagnoses = self._base(service)
        row["submitted_on"] = service + timedelta(days=rng.randint(1, 5))
        row["last_activity"] = min(today - timedelta(days=1), row["submitted_on"] + timedelta(days=rng.randint(12, 40)))
        if rng.random() < 0.85:
            row["status"] = ClaimStatus.paid.value
            row["paid_cents"] = int(row["billed_cents"] * rng.uniform(0.55, 0.92))
        else:  # written off after review, sometimes with a little paid
            row["status"] = ClaimStatus.closed.value
            row["paid_cents"] = int(row["billed_cents"] * rng.choice((0, 0, 0.2, 0.4)))
        return _ClaimDraft(row, lines, diagnoses, [])

    def _note(self, day: date, action: NoteAction, text: str) -> dict:
        day = min(day, self.today)
        return {"at": _working_time(self.rng, day), "actor": self.rng.choice(self.billers), "action": action.value,
                "text": text, "next_follow_up": None}


def _preventive_code(age: int, medicare: bool) -> str:
    if medicare and age >= 65:
        return "G0439"  # Medicare pays the annual wellness visit, not 99397
    for limit, code in ((1, "99391"), (5, "99392"), (12, "99393"), (18, "99394"), (40, "99395"), (65, "99396")):
        if age < limit:
            return code
    return "99397"


def _claim_content(rng: random.Random, age: int, medicare: bool, service: date) -> tuple[list, list]:
    """1-3 CPT/HCPCS lines (code, modifiers, charge) and 1-3 ICD-10-CM codes that fit the kind of visit."""
    roll = rng.random()
    flu_season = service.month in (9, 10, 11, 12, 1, 2, 3)
    if roll < 0.2:
        codes = [_preventive_code(age, medicare)]
        diagnoses = ["Z00.00" if rng.random() < 0.6 else "Z00.01"]
        if rng.random() < 0.4:
            diagnoses.append(rng.choice(CHRONIC_DX))
        if rng.random() < 0.35:
            codes.append("36415")
    else:
        codes = [rng.choices(EM_CODES, cum_weights=EM_CUM)[0]]
        if roll < 0.55:
            diagnoses = [rng.choice(ACUTE_DX)]
            if diagnoses[0] == "J02.9":
                codes.append("87880")
            elif diagnoses[0] == "J11.1":
                codes.append("87804")
            elif diagnoses[0] == "N39.0":
                codes.append("81002")
        else:
            diagnoses = rng.sample(CHRONIC_DX, rng.randint(1, 3))
            extra = rng.random()
            if extra < 0.3:
                codes.append("36415")
            elif extra < 0.36:
                codes.append("93000")
    if flu_season and len(codes) == 1 and rng.random() < 0.3:
        codes += ["90686", "90471"]
        diagnoses = diagnoses[:2] + ["Z23"]
    modifier = "25" if len(codes) > 1 and codes[0] in EM_CODES and codes[1] in ("90686", "93000") else ""
    lines = [(code, modifier if i == 0 else "", CHARGES[code]) for i, code in enumerate(codes[:3])]
    return lines, list(dict.fromkeys(diagnoses))[:3]


def _assign_follow_ups(rng: random.Random, drafts: list[_ClaimDraft], today: date) -> None:
    """About half the open claims have a follow-up date: some today, some missed, some ahead."""
    kinds = cycle(FOLLOW_UP_KINDS)
    for draft in drafts:
        if rng.random() >= FOLLOW_UP_SHARE:
            continue
        kind = next(kinds)
        if kind == "today":
            follow_up = today
        elif kind == "past":
            follow_up = today - timedelta(days=rng.randint(1, 12))
        else:
            follow_up = today + timedelta(days=rng.randint(1, 30))
        follow_up = max(follow_up, draft.row["service_date"])
        draft.row["next_follow_up"] = follow_up
        if draft.notes and draft.notes[-1]["at"].date() < follow_up:
            draft.notes[-1]["next_follow_up"] = follow_up


def _write_claims(conn: Connection, drafts: list[_ClaimDraft], summary: DemoSummary) -> None:
    next_id = _next_id(conn, Claim)
    seq = conn.execute(select(func.count()).select_from(Claim.__table__)).scalar_one()
    claims, lines, diagnoses, notes = [], [], [], []
    for offset, draft in enumerate(drafts):
        claim_id = next_id + offset
        row = draft.row
        row["id"] = claim_id
        row["number"] = f"C{row['service_date'].year}-{seq + offset + 1:06d}"
        claims.append(row)
        lines += [{"claim_id": claim_id, "code": code, "modifiers": mod, "units": 1, "charge_cents": charge}
                  for code, mod, charge in draft.lines]
        diagnoses += [{"claim_id": claim_id, "position": i, "code": code}
                      for i, code in enumerate(draft.diagnoses, start=1)]
        notes += [{**note, "claim_id": claim_id} for note in draft.notes]
    summary.claims = _insert(conn, Claim, claims)
    summary.claim_lines = _insert(conn, ClaimLine, _with_ids(conn, ClaimLine, lines))
    summary.claim_diagnoses = _insert(conn, ClaimDiagnosis, _with_ids(conn, ClaimDiagnosis, diagnoses))
    notes.sort(key=lambda n: (n["at"], n["claim_id"]))
    summary.claim_notes = _insert(conn, ClaimNote, _with_ids(conn, ClaimNote, notes))


# ------------------------------------------------------------------------------------------ compliance

# How far back each kind of rule's history reaches.
HISTORY_DAYS = {"DAILY": 365, "WEEKLY": 365, "MONTHLY": 730, "YEARLY": 3 * 365}
LATE_CHANCE = 0.1


def _add_compliance(conn: Connection, rng: random.Random, checklist: list[ChecklistRow], staff: list[Person],
                    today: date, summary: DemoSummary) -> None:
    """Tasks from the checklist with anchors in the past, and a history in which a few are overdue today
    and a few are due today (plain yearly/monthly rules are phased to make that so)."""
    plain = [row.title for row in checklist if _is_plain(row.rrule)]
    yearly = [t for t in plain if "YEARLY" in _rule_of(checklist, t)]
    monthly = [t for t in plain if "MONTHLY" in _rule_of(checklist, t)]
    overdue = rng.sample(monthly, min(2, len(monthly))) + rng.sample(yearly, min(1, len(yearly)))
    candidates = [t for t in yearly if t not in overdue]
    due_today = rng.sample(candidates, min(1, len(candidates)))
    phases: dict[str, int] = {}
    for title in plain:
        if title in overdue:
            phases[title] = -rng.randint(3, 20)
        elif title in due_today:
            phases[title] = 0
        elif title in monthly:
            phases[title] = rng.randint(2, 27)
        else:
            phases[title] = rng.randint(20, 330)
    anchors = {row.title: _anchor(row.rrule, today, phases.get(row.title)) for row in checklist}
    task_ids = _ensure_tasks(conn, checklist, anchors, summary)
    rows: list[dict] = []
    for row in checklist:
        missed_from = today + timedelta(days=phases[row.title]) if row.title in overdue else today
        for due in _occurrences(row.rrule, anchors[row.title], missed_from):
            rows.append(_completion(rng, row, due, today, staff, task_ids[row.title]))
    rows.sort(key=lambda r: (r["done_at"], r["task_id"]))
    summary.compliance_completions = _insert(conn, ComplianceCompletion, _with_ids(conn, ComplianceCompletion, rows))


def _rule_of(checklist: list[ChecklistRow], title: str) -> str:
    return next(row.rrule for row in checklist if row.title == title).upper()


def _is_plain(rule: str) -> bool:
    """A rule without BY* parts repeats on its anchor's day, so the anchor sets when it falls due."""
    upper = rule.upper()
    return "BY" not in upper and ("YEARLY" in upper or "MONTHLY" in upper)


def _freq(rule: str) -> str:
    match = re.search(r"FREQ=(\w+)", rule.upper())
    return match.group(1) if match else "YEARLY"


def _interval(rule: str) -> int:
    match = re.search(r"INTERVAL=(\d+)", rule.upper())
    return int(match.group(1)) if match else 1


def _anchor(rule: str, today: date, phase: int | None) -> date:
    freq = _freq(rule)
    earliest = today - timedelta(days=HISTORY_DAYS.get(freq, 3 * 365) * _interval(rule))
    if phase is None:  # BY* rules: the first occurrence on or after the start of the history
        found = rrulestr(rule, dtstart=datetime.combine(earliest, time.min)).after(
            datetime.combine(earliest, time.min), inc=True)
        return found.date() if found else earliest
    target = today + timedelta(days=phase)
    if freq == "MONTHLY":
        target = target.replace(day=min(target.day, 28))  # every month has the day
        step = relativedelta(months=_interval(rule))
    else:
        if (target.month, target.day) == (2, 29):
            target -= timedelta(days=1)
        step = relativedelta(years=_interval(rule))
    anchor = target
    while anchor > earliest:
        anchor -= step
    return anchor


def _occurrences(rule: str, anchor: date, before: date) -> list[date]:
    start = datetime.combine(anchor, time.min)
    if anchor >= before:
        return []
    end = datetime.combine(before, time.min) - timedelta(seconds=1)
    return [d.date() for d in rrulestr(rule, dtstart=start).between(start, end, inc=True)]


def _ensure_tasks(conn: Connection, checklist: list[ChecklistRow], anchors: dict[str, date],
                  summary: DemoSummary) -> dict[str, int]:
    table = ComplianceTask.__table__
    existing = set(conn.execute(select(table.c.title)).scalars())
    rows = [{"title": row.title, "category": row.category.value, "rrule": row.rrule, "anchor": anchors[row.title],
             "evidence": row.evidence, "owner_role": row.owner_role, "active": True} for row in checklist]
    ids, summary.compliance_tasks = _ensure_named(conn, ComplianceTask, rows, key="title")
    # Tasks that were already there (a checklist loaded at setup) take the demo's anchors and rules.
    for row in (r for r in rows if r["title"] in existing):
        conn.execute(update(table).where(table.c.id == ids[row["title"]])
                     .values(anchor=row["anchor"], rrule=row["rrule"]))
    return ids


def _completion(rng: random.Random, row: ChecklistRow, due: date, today: date, staff: list[Person],
                task_id: int) -> dict:
    daily = _freq(row.rrule) == "DAILY"
    done_day = due
    if done_day.weekday() >= 5:
        done_day += timedelta(days=7 - done_day.weekday())
    elif not daily and rng.random() < LATE_CHANCE:
        done_day += timedelta(days=rng.randint(1, 3))
    if done_day >= today:
        done_day = due
    doers = [p for p in staff if p.role.value == row.owner_role] or staff
    doer = rng.choice(doers)
    reading, evidence = _evidence(rng, row, due)
    return {
        "task_id": task_id,
        "due_date": due,
        "done_at": _at(done_day, rng.randrange(7 * 60 + 40, 8 * 60 + 20)) if daily else _working_time(rng, done_day),
        "done_by": doer.initials if daily else doer.name,
        "evidence": evidence,
        "reading": reading,
        "corrects_id": None,
    }


def _evidence(rng: random.Random, row: ChecklistRow, due: date) -> tuple[str, str]:
    """(reading, evidence) in the words a practice would log them."""
    title = row.title.lower()
    if "temperature" in title:
        if rng.random() < 0.006:
            return "8.6 C", ("Out of range at opening (max 9.1 C): door left ajar. Closed door, vaccines "
                             "bagged 'do not use', manufacturer called; 5.0 C at 08:45")
        fridge = min(7.4, max(2.6, rng.gauss(4.8, 0.6)))
        low, high = fridge - rng.uniform(0.4, 1.2), fridge + rng.uniform(0.4, 1.4)
        return f"{fridge:.1f} C", f"Fridge min {low:.1f} C / max {high:.1f} C; freezer {rng.uniform(-24, -17):.1f} C"
    if "spore" in title:
        return "", f"BI lot {_lot_number(rng)}: test negative, control positive (pass)"
    if "eyewash" in title and "weekly" in title:
        return "", "Flushed 3 minutes; water clear and tepid"
    if "aed" in title:
        return "", "Status light green; pads and battery in date"
    if "drug kit" in title:
        return "", "All items present; expiry dates logged"
    if "leie" in title or "exclusion" in title:
        return "", f"LEIE search saved {due:%Y-%m-%d}: no matches"
    if "fire extinguisher" in title and "monthly" in title:
        return "", "Gauge in green, pin and seal intact; tag initialled"
    return "", f"{row.evidence} ({due:%b %Y})"[:500]
