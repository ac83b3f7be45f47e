"""Staff, patients, credentials, time off and shifts."""

from __future__ import annotations

import random
import re
import string
from datetime import date, timedelta
from itertools import cycle, islice

from sqlalchemy.engine import Connection

from officemgr.demo._db import _at, _clinic_days, _insert, _next_id, _phone, _with_ids
from officemgr.demo._types import (
    PRACTICE_DOMAIN,
    PRACTICE_STATE,
    PROVIDER_ROLES,
    DemoSummary,
    PatientRef,
    Person,
    Row,
    Scale,
)
from officemgr.models import Credential, CredentialKind, Patient, Role, Shift, Staff, TimeOff, TimeOffStatus
from officemgr.models.validation import npi_check_digit
from officemgr.services.patients import age_on
from officemgr.services.settings import DEFAULTS

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
    rows: list[Row] = []
    npis: set[str] = set()
    first_id = _next_id(conn, Staff)
    for offset, (role, (first, last)) in enumerate(zip(roles, _unique_names(rng, len(roles)), strict=False)):
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
            # Providers and the manager are salaried (FLSA exempt): no overtime.
            "exempt": provider or role is Role.manager,
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
    rows: list[Row] = []
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
            "account": f"{first_id + offset:06d}",
            **_details(random.Random(f"{first_id + offset}:details"), last, years),
            "sex": "M" if FIRST_NAMES.index(first) % 2 == 0 else "F",  # the list alternates a man's and a woman's
        })
        refs.append(PatientRef(first_id + offset, age_on(dob, today)))
    summary.patients = _insert(conn, Patient, rows)
    return refs


STREETS = ("Maple St", "Oak Ave", "High St", "Elm St", "Main St", "Park Rd", "Lincoln Ave", "Church St")
TOWNS = (("Columbus", "43215"), ("Worthington", "43085"), ("Dublin", "43017"), ("Westerville", "43081"))
PARENTS = ("Laura", "Mark", "Angela", "Chris", "Nicole", "David")


def _details(rng: random.Random, last: str, years: int) -> Row:
    """The registration details beyond name and birth date (their own RNG: the demo's patients stay the same)."""
    town, zip_code = rng.choice(TOWNS)
    details: Row = {"address": f"{rng.randint(10, 2999)} {rng.choice(STREETS)}",
                    "city": town, "state": "OH", "zip_code": zip_code,
                    "mobile": _phone(rng, "614") if rng.random() < 0.6 else "",
                    "contact_by": rng.choice(("phone", "phone", "text", "email")),
                    **dict.fromkeys(("guarantor_name", "guarantor_relation", "guarantor_phone", "emergency_name",
                                     "emergency_relation", "emergency_phone", "preferred_name"), "")}
    if years < 18:  # a minor: a parent is the guarantor and the emergency contact
        parent = f"{rng.choice(PARENTS)} {last}"
        phone = _phone(rng, "614")
        details.update(guarantor_name=parent, guarantor_relation="parent", guarantor_phone=phone,
                       emergency_name=parent, emergency_relation="parent", emergency_phone=phone)
    elif rng.random() < 0.5:
        details.update(emergency_name=f"{rng.choice(PARENTS)} {last}", emergency_relation="spouse",
                       emergency_phone=_phone(rng, "614"))
    return details


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
    rows: list[Row] = []
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
    picked = _varied(rng, expiring, count)
    # The expired one is a credential the person's role requires, so the demo shows someone in red.
    roles = {p.id: p.role.value for p in staff}
    required = DEFAULTS["required_credentials"]
    lapsed = next((r for r in picked if r["kind"] in required[roles[r["staff_id"]]]), picked[0])
    picked.remove(lapsed)
    for row, offset in zip([lapsed, *picked], offsets, strict=False):
        row["expires"] = today + timedelta(days=offset)
    summary.credentials = _insert(conn, Credential, _with_ids(conn, Credential, rows))


def _varied(rng: random.Random, rows: list[Row], count: int) -> list[Row]:
    """`count` rows at random, one of each kind first, so the attention list is not all trainings."""
    order = rng.sample(range(len(rows)), len(rows))
    first_of_kind = {rows[i]["kind"]: i for i in reversed(order)}
    picked = sorted(first_of_kind.values(), key=order.index)
    picked += [i for i in order if i not in picked]
    return [rows[i] for i in picked[:count]]


def _credential(person: Person, kind: CredentialKind, number: str, state: str, expires: date | None) -> Row:
    return {"staff_id": person.id, "kind": kind.value, "number": number, "state": state, "expires": expires}


def _credential_number(rng: random.Random, person: Person, kind: CredentialKind) -> str:
    def digits(n: int) -> str:
        return "".join(rng.choice(string.digits) for _ in range(n))

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

    def d(n: int) -> date:
        return today + timedelta(days=n)

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
    days = _clinic_days(today - timedelta(days=plan.shift_days_back), today + timedelta(days=plan.shift_days_ahead))
    seen: dict[Role, int] = {}
    rows: list[Row] = []
    for person in staff:
        start, end = _shift_pattern(person, seen.setdefault(person.role, 0))
        seen[person.role] += 1
        for day in days:
            if (person.id, day) in off_days:
                continue
            if person.role is Role.biller and day.weekday() not in BILLER_DAYS:
                continue
            # A one-hour unpaid lunch on a full day, half an hour on a shorter one.
            rows.append({"staff_id": person.id, "start": _at(day, start), "end": _at(day, end),
                         "break_minutes": 60 if end - start >= 9 * 60 else 30})
    summary.shifts = _insert(conn, Shift, _with_ids(conn, Shift, rows))
