"""Appointments in and out: an iCalendar file of a provider's days, and imports from other schedulers.

Import formats (chosen by the file's extension):

CSV (.csv), UTF-8, a header row naming the columns (any order, any case; "Patient Last" is patient_last; other
columns are ignored), read as every CSV import is (services.csv_files):
    date           MM/DD/YYYY or YYYY-MM-DD
    time           09:30 or 2:15 PM
    minutes        optional; the appointment type's length when empty
    provider       the provider's full name "First Last", or the NPI
    patient_last, patient_first, dob   who the appointment is for (found by all three, else created)
    phone          optional; used only when the patient is created
    type           an appointment type name, e.g. Follow-up
    reason         optional

iCalendar (.ics): one VEVENT per appointment. DTSTART is the start and DTEND (or DURATION) the length;
without either the type's length is used. Floating times are read as they are; zoned times (UTC or TZID)
are converted to this computer's local time, taken to be the practice's. The rest comes from
DESCRIPTION, as "Key: value" fields on their own lines or separated by semicolons:
    Patient: Lovelace, Ada
    DOB: 05/17/1980
    Phone: 555-123-4567        (optional)
    Provider: 1234567893       (NPI, or "First Last"; "Provider NPI:" works too)
    Type: Follow-up
    Reason: cough for a week   (optional; runs to the next field)
Events with STATUS:CANCELLED are skipped; repeating events (RRULE) are refused.

An import is all or nothing: every row is checked first (values, provider, type, conflicts with the
schedule and with the file's other rows, duplicates) and any bad row refuses the whole file, naming each
bad line ("line N: ...") or event ("event N (UID ...): ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

from icalendar import Calendar, Event
from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import (
    Appointment,
    AppointmentCreate,
    AppointmentEvent,
    AppointmentType,
    Patient,
    PatientCreate,
    Staff,
)
from officemgr.plaintext import visible
from officemgr.services import availability
from officemgr.services.availability import ACTIVE
from officemgr.services.common import ServiceError, created_fields, record
from officemgr.services.csv_files import Cells, FileRefused, Layout, Row, day, read_table, refusal, validate, whole
from officemgr.services.schedule import _add as add_appointment
from officemgr.services.schedule import initials

PRODID = "-//officemgr//Schedule export//EN"
COLUMNS = ("date", "time", "minutes", "provider", "patient_last", "patient_first", "dob", "phone", "type", "reason")
REQUIRED = ("date", "time", "provider", "patient_last", "patient_first", "dob", "type")
LAYOUT = Layout("import appointments", COLUMNS, "appointments", required=REQUIRED, other_columns=True)
MAX_MINUTES = 480
# Model field -> the column the user wrote it in, so a validation message names the column.
_APPT_COLUMNS = {"day": "date", "start_time": "time", "minutes": "minutes", "reason": "reason"}
_PATIENT_COLUMNS = {"last_name": "patient_last", "first_name": "patient_first", "dob": "dob", "phone": "phone"}
_DESCRIPTION_KEY = re.compile(r"(?:^|[;\n])\s*(patient|dob|phone|provider(?:\s+npi)?|type|reason)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class ImportResult:
    booked: int
    patients_created: int
    skipped: int = 0  # cancelled events in an .ics file


class ImportRefused(FileRefused):
    """A file not imported; the message lists what is wrong (each bad row as "line N: ...", event as "event N")."""


# --- export -------------------------------------------------------------------------------------------


def export_ics(session: Session, *, provider_id: int, first_day: date, days: int) -> bytes:
    """An iCalendar file of the provider's active appointments from `first_day` for `days` days.

    Each appointment is one VEVENT with UID appt-<id>@officemgr (stable, so a calendar that imports the
    file again updates events instead of duplicating them) and floating local times. The file names
    patients by initials only, so it is a view of the schedule, not meant to be re-imported as patients:
    `import_appointments` refuses it because it has no "Patient:" and "DOB:" fields.
    """
    provider = session.get(Staff, provider_id)
    if provider is None or not provider.is_provider:
        raise ServiceError("no such provider")
    if days < 1:
        raise ServiceError("export at least one day")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname",
                 f"{visible(provider.name)} {first_day:%m/%d/%Y}" + (f" +{days - 1} days" if days > 1 else ""))
    rows = _active_appointments(session, provider_id, first_day, days)
    stamps = _last_changed(session, [appt.id for appt, _, _ in rows])
    for appt, patient, kind in rows:
        calendar.add_component(_vevent(appt, patient, kind, provider, stamps.get(appt.id, appt.start)))
    data: bytes = calendar.to_ical()
    return data


def _active_appointments(session: Session, provider_id: int, first_day: date, days: int
                         ) -> list[tuple[Appointment, Patient, AppointmentType]]:
    first = datetime.combine(first_day, time.min)
    return list(session.exec(
        select(Appointment, Patient, AppointmentType)
        .join(Patient, col(Patient.id) == Appointment.patient_id)
        .join(AppointmentType, col(AppointmentType.id) == Appointment.type_id)
        .where(Appointment.provider_id == provider_id, Appointment.start >= first,
               Appointment.start < first + timedelta(days=days), col(Appointment.status).in_(ACTIVE))
        .order_by(col(Appointment.start))
    ).all())


def _last_changed(session: Session, appt_ids: list[int | None]) -> dict[int | None, datetime]:
    rows = session.exec(
        select(AppointmentEvent.appointment_id, func.max(AppointmentEvent.at))
        .where(col(AppointmentEvent.appointment_id).in_(appt_ids))
        .group_by(col(AppointmentEvent.appointment_id))
    ).all()
    return {appt_id: at for appt_id, at in rows}


def _vevent(appt: Appointment, patient: Patient, kind: AppointmentType, provider: Staff, changed: datetime) -> Event:
    event = Event()
    event.add("uid", f"appt-{appt.id}@officemgr")
    # RFC 5545 wants DTSTAMP in UTC; naive local times are converted with this computer's zone.
    event.add("dtstamp", changed.astimezone(UTC))
    event.add("sequence", appt.version - 1)
    event.add("dtstart", appt.start)
    event.add("dtend", appt.end)
    # Minimum necessary (HIPAA): calendar files end up on phones and in cloud calendars outside the
    # practice's safeguards, so they carry initials only; never the full name, date of birth or phone.
    # Stored text is shown with control characters spelled out: a calendar app would pass an ESC to its screen.
    event.add("summary", visible(f"{kind.name}: {initials(patient.first_name, patient.last_name)}"))
    event.add("description", f"Type: {visible(kind.name)}\nProvider: {visible(provider.npi or provider.name)}\n"
                             f"Reason: {visible(appt.reason, free_text=True)}")
    event.add("status", "CONFIRMED")
    event.add("x-officemgr-status", appt.status.value)
    return event


# --- providers ----------------------------------------------------------------------------------------


def find_provider(session: Session, text: str) -> Staff:
    """The active provider with this NPI or full name ("First Last", "Last, First"); ServiceError if none."""
    return _Lookup(session).provider(text)


class _Lookup:
    """Providers and appointment types, read once per import."""

    def __init__(self, session: Session) -> None:
        self.providers = list(session.exec(select(Staff).where(Staff.is_provider)))
        self.types = {t.name.strip().lower(): t for t in session.exec(select(AppointmentType))}

    def provider(self, text: str) -> Staff:
        text = " ".join(text.split())
        if text.isdigit():
            found = [p for p in self.providers if p.npi == text]
            if not found:
                raise ServiceError(f"no provider with NPI {text}")
        else:
            wanted = _full_name(text)
            found = [p for p in self.providers if _full_name(p.name) == wanted]
            if not found:
                raise ServiceError(f"no provider named '{text}' (give 'First Last' or the NPI)")
            if len(found) > 1:
                raise ServiceError(f"{len(found)} providers are named '{text}'; give the NPI instead")
        if not found[0].active:
            raise ServiceError(f"{found[0].name} is no longer an active provider")
        return found[0]

    def appointment_type(self, text: str) -> AppointmentType:
        found = self.types.get(" ".join(text.split()).lower())
        if found is None:
            known = ", ".join(sorted(t.name for t in self.types.values()))
            raise ServiceError(f"no appointment type '{text}' (the types are: {known})")
        return found


def _full_name(text: str) -> str:
    text = re.sub(r"^dr\.?\s+", "", text.strip(), flags=re.IGNORECASE)
    if "," in text:
        last, first = text.split(",", 1)
        text = f"{first} {last}"
    return " ".join(text.lower().split())


# --- import -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    """One row or event as read, before any checks: its cells (an event's as CSV columns), plus problems found
    while reading."""

    label: str
    row: Row
    problems: list[str]


@dataclass(frozen=True)
class _Source:
    name: str
    noun: str  # what a record is: "line" or "event"
    records: list[_Record]
    skipped: int = 0


@dataclass(frozen=True)
class _Draft:
    """A checked record, ready to book; `patient` is None when the import will create them."""

    label: str
    data: AppointmentCreate
    person: PatientCreate
    patient: Patient | None

    @property
    def patient_key(self) -> tuple[str, str, date]:
        return (self.person.last_name.lower(), self.person.first_name.lower(), self.person.dob)

    @property
    def start(self) -> datetime:
        return self.data.start

    @property
    def end(self) -> datetime:
        return self.data.start + timedelta(minutes=self.data.minutes)


def import_appointments(session: Session, path: Path, *, now: datetime, actor: str) -> ImportResult:
    """Book every appointment in a .csv or .ics file (formats: this module's docstring), or none.

    Patients not found by last name, first name and date of birth are created. A file with any bad row
    raises ImportRefused listing every bad row, and nothing is written. The whole import is one
    transaction, with the same appointment history and audit events as booking by hand.
    """
    source = _read(Path(path))
    try:
        drafts = _check_all(session, source)
        result = _book_all(session, drafts, now=now, actor=actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return replace(result, skipped=source.skipped)


def _read(path: Path) -> _Source:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix != ".ics":
        raise ImportRefused(f"{path.name}: import reads .csv or .ics files, not '{suffix or 'no extension'}'")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportRefused(f"there is no file {path}") from None
    except OSError as exc:
        raise ImportRefused(f"cannot read {path}: {exc.strerror}") from None
    if not data.strip():
        raise ImportRefused(f"{path.name} is empty")
    return _read_ics(data, path.name)


def _read_csv(path: Path) -> _Source:
    table = read_table(path, LAYOUT, ImportRefused)
    stray: dict[int, list[str]] = {}
    for line, problem in table.problems:
        stray.setdefault(line, []).append(problem)
    records = [_Record(f"line {row.line}", row, stray.get(row.line, [])) for row in table.rows]
    return _Source(table.name, "line", records)


def _read_ics(data: bytes, name: str) -> _Source:
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as exc:
        raise ImportRefused(f"{name} is not a readable iCalendar file ({exc})") from None
    if str(calendar.get("PRODID", "")) == PRODID:
        raise ImportRefused(f"{name} is an officemgr export: it names patients by initials only, so it is not "
                            "meant to be imported")
    events = [event for event in calendar.walk("VEVENT") if isinstance(event, Event)]
    if not events:
        raise ImportRefused(f"{name} has no events (VEVENT) in it")
    records, skipped = [], 0
    for number, event in enumerate(events, start=1):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            skipped += 1
            continue
        uid = str(event.get("UID", "")).strip()
        records.append(_event_record(event, number, f"event {number}" + (f" (UID {uid})" if uid else "")))
    return _Source(name, "event", records, skipped)


def _event_record(event: Event, number: int, label: str) -> _Record:
    problems = [f"{prop}: {message}" for prop, message in event.errors]
    cells = _description_fields(str(event.get("DESCRIPTION", "")))
    if event.get("RRULE") is not None:
        problems.append("a repeating event (RRULE) is not imported; book the series in the app")
    if "patient" not in cells:
        problems.append("DESCRIPTION has no 'Patient: Last, First' (an officemgr export has initials only "
                        "and is not meant to be re-imported)")
    if not problems:
        problems.extend(_event_times(event, cells))
    return _Record(label, Row(number, cells), problems)


def _description_fields(text: str) -> dict[str, str]:
    """`Key: value` fields of an event's DESCRIPTION, as CSV columns."""
    matches = list(_DESCRIPTION_KEY.finditer(text))
    fields: dict[str, str] = {}
    bounds = [m.start() for m in matches] + [len(text)]
    for i, match in enumerate(matches):
        fields[match.group(1).lower().split()[0]] = text[match.end(): bounds[i + 1]].strip().rstrip(";").strip()
    if "patient" in fields:
        last, _, first = fields["patient"].partition(",")
        fields["patient_last"], fields["patient_first"] = last.strip(), first.strip()
    return fields


def _event_times(event: Event, cells: dict[str, str]) -> list[str]:
    """Fill date, time and minutes from DTSTART and DTEND/DURATION; the problems, if any."""
    try:
        start = event.start
    except ValueError:
        return ["no start time (DTSTART)"]
    if not isinstance(start, datetime):
        return ["an all-day event has no appointment time"]
    local = _local(start)
    cells["date"], cells["time"] = f"{local:%Y-%m-%d}", f"{local:%H:%M}"
    if event.get("DTEND") is not None or event.get("DURATION") is not None:
        try:
            cells["minutes"] = str(int(event.duration.total_seconds() // 60))
        except ValueError as exc:
            return [f"the end time cannot be read ({exc})"]
    return []


def _local(moment: datetime) -> datetime:
    # Appointments are naive local times; a zoned time is taken to this computer's (the practice's) zone.
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo is not None else moment


# --- checking -----------------------------------------------------------------------------------------


def _check_all(session: Session, source: _Source) -> list[_Draft]:
    lookup = _Lookup(session)
    drafts: list[_Draft] = []
    bad: list[str] = []
    for rec in source.records:
        draft, problems = _check(session, lookup, rec)
        if draft is not None:
            problems += _clashes(session, draft, drafts)
            drafts.append(draft)
        if problems:
            bad.append(f"{rec.label}: {'; '.join(problems)}")
    if bad:
        raise ImportRefused(refusal(source.name, bad, len(source.records), source.noun), bad)
    return drafts


def _check(session: Session, lookup: _Lookup, rec: _Record) -> tuple[_Draft | None, list[str]]:
    """The record as a bookable draft, or None and what is wrong with it (schedule clashes not included)."""
    if rec.problems:
        return None, list(rec.problems)
    cells = Cells(rec.row)
    if not cells.required(*REQUIRED):
        return None, cells.problems
    problems = cells.problems
    provider = _attempt(problems, lookup.provider, cells.text("provider"))
    kind = _attempt(problems, lookup.appointment_type, cells.text("type"))
    person = _patient_input(cells)
    data = _appointment_input(cells, provider, kind)
    patient = _attempt(problems, _find_patient, session, person) if person else None
    if problems or data is None or person is None:
        return None, problems
    return _Draft(rec.label, data, person, patient), []


T = TypeVar("T")


def _attempt(problems: list[str], fn: Callable[..., T], *args: Any) -> T | None:
    try:
        return fn(*args)
    except ServiceError as exc:
        problems.append(str(exc))
        return None


def _patient_input(cells: Cells) -> PatientCreate | None:
    dob = cells.read("dob", day)
    values = {"last_name": cells.text("patient_last"), "first_name": cells.text("patient_first"), "dob": dob,
              "phone": cells.text("phone")}
    person, found = validate(PatientCreate, values, _PATIENT_COLUMNS)
    if dob is not None:  # an unreadable date of birth is already a problem
        cells.problems.extend(found)
    else:
        cells.problems.extend(p for p in found if not p.startswith("dob:"))
    return person


def _appointment_input(cells: Cells, provider: Staff | None, kind: AppointmentType | None
                       ) -> AppointmentCreate | None:
    # Unknown provider or type is already reported; placeholders let the date and time be checked too.
    first_day = cells.read("date", day)
    minutes = cells.read("minutes", whole(MAX_MINUTES))
    values = {"patient_id": 0, "provider_id": provider.id if provider else 0, "type_id": kind.id if kind else 0,
              "day": first_day, "start_time": cells.text("time"),
              "minutes": minutes if minutes is not None else (kind.minutes if kind else 15),
              "reason": cells.text("reason")}
    data, found = validate(AppointmentCreate, values, _APPT_COLUMNS)
    cells.problems.extend(p for p in found if first_day is not None or not p.startswith("date:"))
    return data


def _find_patient(session: Session, person: PatientCreate) -> Patient | None:
    found = session.exec(
        select(Patient).where(func.lower(Patient.last_name) == person.last_name.lower(),
                              func.lower(Patient.first_name) == person.first_name.lower(),
                              Patient.dob == person.dob).limit(2)
    ).all()
    if len(found) > 1:
        # Booking for the wrong one of two same-named records is worse than asking.
        raise ServiceError(f"more than one patient is {person.last_name}, {person.first_name} born "
                           f"{person.dob:%m/%d/%Y}; book this one in the app")
    return found[0] if found else None


def _clashes(session: Session, draft: _Draft, earlier: list[_Draft]) -> list[str]:
    """Duplicates and conflicts with the schedule and with the file's earlier rows."""
    duplicate = _duplicate(session, draft, earlier)
    if duplicate:
        return [duplicate]
    problems = availability.conflicts(
        session, provider_id=draft.data.provider_id,
        patient_id=draft.patient.id if draft.patient and draft.patient.id is not None else -1,
        start=draft.start, end=draft.end,
    )
    for other in earlier:
        if other.data.provider_id == draft.data.provider_id and other.start < draft.end and other.end > draft.start:
            problems.append(f"overlaps {other.label} with the same provider (double-book)")
        if other.patient_key == draft.patient_key and other.start.date() == draft.start.date():
            problems.append(f"this patient is also booked on {other.label} that day")
    return problems


def _duplicate(session: Session, draft: _Draft, earlier: list[_Draft]) -> str | None:
    for other in earlier:
        if (other.patient_key, other.data.provider_id, other.start) == (
                draft.patient_key, draft.data.provider_id, draft.start):
            return f"the same appointment as {other.label} (duplicate)"
    if draft.patient is None:
        return None
    existing = session.exec(
        select(Appointment).where(Appointment.patient_id == draft.patient.id,
                                  Appointment.provider_id == draft.data.provider_id,
                                  Appointment.start == draft.start, col(Appointment.status).in_(ACTIVE))
    ).first()
    return f"already booked at {draft.start:%m/%d/%Y %H:%M} (duplicate)" if existing else None


# --- booking ------------------------------------------------------------------------------------------


def _book_all(session: Session, drafts: list[_Draft], *, now: datetime, actor: str) -> ImportResult:
    created: dict[tuple[str, str, date], Patient] = {}
    for draft in drafts:
        patient = draft.patient or created.get(draft.patient_key)
        if patient is None:
            patient = created[draft.patient_key] = _create_patient(session, draft.person, now=now, actor=actor)
        data = draft.data.model_copy(update={"patient_id": patient.id})
        # schedule.book's own path without its commit, so the whole file is one transaction.
        add_appointment(session, data, data.start, [], now=now, actor=actor)
    return ImportResult(booked=len(drafts), patients_created=len(created))


def _create_patient(session: Session, person: PatientCreate, *, now: datetime, actor: str) -> Patient:
    patient = Patient(**person.model_dump())
    session.add(patient)
    session.flush()
    assert patient.id is not None
    record(session, actor=actor, entity="patient", entity_id=patient.id, action="create",
           changes=created_fields(patient), now=now)
    return patient
