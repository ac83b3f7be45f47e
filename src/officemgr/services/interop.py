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
bad line ("line N: ...") or event ("event N (UID ...): ..."). A name or other field holding a control character
or a text-direction override is such a problem (the reason may hold line breaks and tabs). Either file is read
within services.csv_files' limits (50 MB, 100,000 rows or events, lines of 100,000 characters).

The checks cost the same for every row, however long the file: the schedule is read once per day the file
books (the providers' plans, the appointments already there), the file's own rows are indexed by provider
and day, by patient and day, and by slot, and the patients are looked up in batches; the booking is written
in a few flushes, not one per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from icalendar import Calendar, Event
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from officemgr.models import (
    Appointment,
    AppointmentCreate,
    AppointmentEvent,
    AppointmentType,
    EventKind,
    Patient,
    PatientCreate,
    Staff,
)
from officemgr.plaintext import unsafe_character, visible
from officemgr.services import availability
from officemgr.services.access import Area, require
from officemgr.services.availability import ACTIVE, ProviderDayPlan
from officemgr.services.common import ServiceError, created_values, record
from officemgr.services.csv_files import (
    MAX_LINE,
    MAX_PROBLEM,
    MAX_ROWS,
    Cells,
    FileRefused,
    Layout,
    Row,
    day,
    echo,
    read_limited,
    read_table,
    refusal,
    validate,
    whole,
)
from officemgr.services.patients import give_accounts
from officemgr.services.schedule import initials

PRODID = "-//officemgr//Schedule export//EN"
COLUMNS = ("date", "time", "minutes", "provider", "patient_last", "patient_first", "dob", "phone", "type", "reason")
REQUIRED = ("date", "time", "provider", "patient_last", "patient_first", "dob", "type")
LAYOUT = Layout("import appointments", COLUMNS, "appointments", required=REQUIRED, other_columns=True,
                free_text=("reason",))
MAX_MINUTES = 480
# Model field -> the column the user wrote it in, so a validation message names the column.
_APPT_COLUMNS = {"day": "date", "start_time": "time", "minutes": "minutes", "reason": "reason"}
_PATIENT_COLUMNS = {"last_name": "patient_last", "first_name": "patient_first", "dob": "dob", "phone": "phone"}
_CHUNK = 500  # values in one IN (...) query
# A file repeats its days and dates of birth on many rows: each text is parsed once.
_day = lru_cache(maxsize=4096)(day)
_DESCRIPTION_KEY = re.compile(r"(?:^|[;\n])\s*(patient|dob|phone|provider(?:\s+npi)?|type|reason)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class ImportResult:
    booked: int
    patients_created: int
    skipped: int = 0  # cancelled events in an .ics file


class ImportRefused(FileRefused):
    """A file not imported; the message lists what is wrong (each bad row as "line N: ...", event as "event N")."""


# --- export -------------------------------------------------------------------------------------------


def export_ics(session: Session, *, provider_id: int, first_day: date, days: int, actor: str) -> bytes:
    """An iCalendar file of the provider's active appointments from `first_day` for `days` days.

    Each appointment is one VEVENT with UID appt-<id>@officemgr (stable, so a calendar that imports the
    file again updates events instead of duplicating them) and floating local times. The file names
    patients by initials only, so it is a view of the schedule, not meant to be re-imported as patients:
    `import_appointments` refuses it because it has no "Patient:" and "DOB:" fields.
    """
    require(actor, Area.schedule, write=False, what="exporting a provider's calendar")
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
    """A checked record, ready to book; `patient` is None when the import will create them. The start, end and
    patient key are worked out once here: the checks compare them many times."""

    number: int  # its place in the file, from 0
    label: str
    data: AppointmentCreate
    person: PatientCreate
    patient: Patient | None
    patient_key: tuple[str, str, date]
    start: datetime
    end: datetime

    @classmethod
    def of(cls, number: int, label: str, data: AppointmentCreate, person: PatientCreate,
           patient: Patient | None) -> _Draft:
        # data.start parses the time with strptime on every call; the schema has made it "HH:MM" already.
        start = datetime.combine(data.day, time.fromisoformat(data.start_time))
        return cls(number, label, data, person, patient, _patient_key(person.last_name, person.first_name, person.dob),
                   start, start + timedelta(minutes=data.minutes))


def _patient_key(last: str, first: str, dob: date) -> tuple[str, str, date]:
    return (last.lower(), first.lower(), dob)


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
    name = echo(path.name)
    if suffix != ".ics":
        raise ImportRefused(f"{name}: import reads .csv or .ics files, not '{echo(suffix) or 'no extension'}'")
    data = read_limited(path, ImportRefused, LAYOUT.command)
    if not data.strip():
        raise ImportRefused(f"{name} is empty")
    for number, line in enumerate(data.splitlines(), start=1):
        if len(line) > MAX_LINE:
            raise ImportRefused(f"{name}: line {number} is {len(line):,} characters long; a line may hold at most "
                                f"{MAX_LINE:,}")
    return _read_ics(data, name)


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
        raise ImportRefused(f"{name} is not a readable iCalendar file ({echo(str(exc))})") from None
    if str(calendar.get("PRODID", "")) == PRODID:
        raise ImportRefused(f"{name} is an officemgr export: it names patients by initials only, so it is not "
                            "meant to be imported")
    events = [event for event in calendar.walk("VEVENT") if isinstance(event, Event)]
    if not events:
        raise ImportRefused(f"{name} has no events (VEVENT) in it")
    if len(events) > MAX_ROWS:
        raise ImportRefused(f"{name} has {len(events):,} events; {LAYOUT.command} reads at most {MAX_ROWS:,} at a time "
                            "(split the file)")
    records, skipped = [], 0
    for number, event in enumerate(events, start=1):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            skipped += 1
            continue
        uid = str(event.get("UID", "")).strip()
        records.append(_event_record(event, number, f"event {number}" + (f" (UID {echo(uid, 80)})" if uid else "")))
    return _Source(name, "event", records, skipped)


def _event_record(event: Event, number: int, label: str) -> _Record:
    problems = [f"{prop}: {message}" for prop, message in event.errors]
    cells = _description_fields(str(event.get("DESCRIPTION", "")))
    problems += [f"DESCRIPTION {column}: holds {found}" for column, value in cells.items() if column != "patient"
                 for found in [unsafe_character(value, free_text=column in LAYOUT.free_text)] if found]
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
    patients = _Patients.read(session, source.records)
    schedule = _Schedule(session, lookup)
    drafts: list[_Draft] = []
    bad: list[str] = []
    for rec in source.records:
        draft, problems = _check(lookup, patients, rec, len(drafts))
        if draft is not None:
            problems += schedule.clashes(draft)
            schedule.add(draft)
            drafts.append(draft)
        if problems:
            bad.append(echo(f"{rec.label}: {'; '.join(problems)}", MAX_PROBLEM))
    if bad:
        raise ImportRefused(refusal(source.name, bad, len(source.records), source.noun), bad)
    return drafts


def _check(lookup: _Lookup, patients: _Patients, rec: _Record, number: int) -> tuple[_Draft | None, list[str]]:
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
    patient = _attempt(problems, patients.find, person) if person else None
    if problems or data is None or person is None:
        return None, problems
    return _Draft.of(number, rec.label, data, person, patient), []


T = TypeVar("T")


def _attempt(problems: list[str], fn: Callable[..., T], *args: Any) -> T | None:
    try:
        return fn(*args)
    except ServiceError as exc:
        problems.append(str(exc))
        return None


def _patient_input(cells: Cells) -> PatientCreate | None:
    dob = cells.read("dob", _day)
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
    first_day = cells.read("date", _day)
    minutes = cells.read("minutes", whole(MAX_MINUTES))
    values = {"patient_id": 0, "provider_id": provider.id if provider else 0, "type_id": kind.id if kind else 0,
              "day": first_day, "start_time": cells.text("time"),
              "minutes": minutes if minutes is not None else (kind.minutes if kind else 15),
              # Another system's reason may run over lines; here it is one line (as the booking form keeps it).
              "reason": " ".join(cells.text("reason").split())}
    data, found = validate(AppointmentCreate, values, _APPT_COLUMNS)
    cells.problems.extend(p for p in found if first_day is not None or not p.startswith("date:"))
    return data


class _Patients:
    """The patients the file may name, read in a few queries (by the dates of birth in the file), not per row."""

    def __init__(self, found: dict[tuple[str, str, date], list[Patient]]) -> None:
        self.found = found

    @classmethod
    def read(cls, session: Session, records: list[_Record]) -> _Patients:
        births = set()
        for rec in records:
            try:
                births.add(_day(rec.row.cells.get("dob", "")))
            except ValueError:
                continue  # an unreadable date of birth is the row's problem; no patient to find
        found: dict[tuple[str, str, date], list[Patient]] = {}
        ordered = sorted(births)
        for start in range(0, len(ordered), _CHUNK):
            for patient in session.exec(select(Patient).where(col(Patient.dob).in_(ordered[start:start + _CHUNK]))
                                        .order_by(col(Patient.id))):
                found.setdefault(_patient_key(patient.last_name, patient.first_name, patient.dob), []).append(patient)
        return cls(found)

    def find(self, person: PatientCreate) -> Patient | None:
        found = self.found.get(_patient_key(person.last_name, person.first_name, person.dob), [])
        if len(found) > 1:
            # Booking for the wrong one of two same-named records is worse than asking.
            raise ServiceError(f"more than one patient is {person.last_name}, {person.first_name} born "
                               f"{person.dob:%m/%d/%Y}; book this one in the app")
        return found[0] if found else None


@dataclass(frozen=True)
class _Booked:
    """An active appointment already in the schedule, as the checks need it."""

    provider_id: int
    patient_id: int
    start: datetime
    end: datetime
    patient_name: str


@dataclass(frozen=True)
class _Day:
    """The bookings around one day, by start, under their provider and under their patient."""

    by_provider: dict[int, list[_Booked]]
    by_patient: dict[int, list[_Booked]]


class _Schedule:
    """The schedule around the file's days and the file's own rows, indexed so each row's checks look only at its
    provider's and its patient's day: the cost of a row does not grow with the rows before it.

    The schedule's words are availability.conflicts' own (a parity test holds them together); what it reads per
    row there, it reads here once per day: the practice calendar, the providers' day plans, the day's bookings."""

    def __init__(self, session: Session, lookup: _Lookup) -> None:
        self.session = session
        self.calendar = availability.read_calendar(session)
        self.names = {p.id: p.name for p in lookup.providers if p.id is not None}
        self.plans: dict[date, dict[int, ProviderDayPlan]] = {}
        self.booked: dict[date, _Day] = {}
        self.by_provider: dict[tuple[int, date], list[_Draft]] = {}
        self.by_patient: dict[tuple[tuple[str, str, date], date], list[_Draft]] = {}
        self.slots: dict[tuple[tuple[str, str, date], int, datetime], _Draft] = {}

    def clashes(self, draft: _Draft) -> list[str]:
        """Duplicates and conflicts with the schedule and with the file's earlier rows."""
        provider_id = draft.data.provider_id
        same = self.slots.get((draft.patient_key, provider_id, draft.start))
        if same is not None:
            return [f"the same appointment as {same.label} (duplicate)"]
        patient_id = draft.patient.id if draft.patient and draft.patient.id is not None else -1
        if any(b.patient_id == patient_id and b.start == draft.start
               for b in self._day(draft.start.date()).by_provider.get(provider_id, [])):
            return [f"already booked at {draft.start:%m/%d/%Y %H:%M} (duplicate)"]
        problems = self.conflicts(provider_id=provider_id, patient_id=patient_id, start=draft.start, end=draft.end)
        day_ = draft.start.date()
        near = {other.number: other for key in ((provider_id, day_), (provider_id, day_ - timedelta(days=1)))
                for other in self.by_provider.get(key, [])}
        near.update((other.number, other) for other in self.by_patient.get((draft.patient_key, day_), []))
        for _, other in sorted(near.items()):
            if other.data.provider_id == provider_id and other.start < draft.end and other.end > draft.start:
                problems.append(f"overlaps {other.label} with the same provider (double-book)")
            if other.patient_key == draft.patient_key and other.start.date() == day_:
                problems.append(f"this patient is also booked on {other.label} that day")
        return problems

    def add(self, draft: _Draft) -> None:
        self.by_provider.setdefault((draft.data.provider_id, draft.start.date()), []).append(draft)
        self.by_patient.setdefault((draft.patient_key, draft.start.date()), []).append(draft)
        self.slots.setdefault((draft.patient_key, draft.data.provider_id, draft.start), draft)

    def conflicts(self, *, provider_id: int, patient_id: int, start: datetime, end: datetime) -> list[str]:
        """availability.conflicts for a new booking, from what was read for the day."""
        name = self.names.get(provider_id, "the provider")
        day_ = start.date()
        problems = availability.plan_problems(self.calendar, self._plan(provider_id, day_), name, start, end)
        booked = self._day(day_)
        problems += [f"overlaps {b.patient_name} at {b.start:%H:%M} with the same provider (double-book)"
                     for b in booked.by_provider.get(provider_id, []) if b.start < end and b.end > start]
        other = next((b for b in booked.by_patient.get(patient_id, []) if b.start.date() == day_), None)
        if other is not None:
            problems.append(f"this patient is already booked at {other.start:%H:%M} that day")
        return problems

    def _plan(self, provider_id: int, day_: date) -> ProviderDayPlan:
        plans = self.plans.get(day_)
        if plans is None:
            plans = self.plans[day_] = availability.day_plans(self.session, day_, list(self.names), self.calendar)
        return plans[provider_id]

    def _day(self, day_: date) -> _Day:
        """The active bookings that can touch `day_` (from the day before: none runs past midnight)."""
        found = self.booked.get(day_)
        if found is None:
            first = datetime.combine(day_, time.min)
            rows = self.session.exec(
                select(Appointment, Patient).join(Patient, col(Patient.id) == Appointment.patient_id)
                .where(Appointment.start >= first - timedelta(days=1), Appointment.start < first + timedelta(days=1),
                       col(Appointment.status).in_(ACTIVE))
                .order_by(col(Appointment.start), col(Appointment.id))
            ).all()
            found = self.booked[day_] = _Day({}, {})
            for a, p in rows:
                booked = _Booked(a.provider_id, a.patient_id, a.start, a.end, p.name)
                found.by_provider.setdefault(a.provider_id, []).append(booked)
                found.by_patient.setdefault(a.patient_id, []).append(booked)
        return found


# --- booking ------------------------------------------------------------------------------------------


def _book_all(session: Session, drafts: list[_Draft], *, now: datetime, actor: str) -> ImportResult:
    """Book every draft as schedule.book does (the appointment, its history event, audit events of it and of each new
    patient), with one INSERT of many rows per table: building an ORM object per row costs more than the checks."""
    people: dict[tuple[str, str, date], dict[str, Any]] = {}
    for draft in drafts:
        if draft.patient is None:
            people.setdefault(draft.patient_key, draft.person.model_dump())
    new = _insert(session, Patient, "patient", list(people.values()), ("last_name", "first_name", "dob"), now=now,
                  actor=actor)
    give_accounts(session)
    patient_ids = {key: new[(person["last_name"], person["first_name"], person["dob"])]
                   for key, person in people.items()}
    rows = [{"patient_id": draft.patient.id if draft.patient else patient_ids[draft.patient_key],
             "provider_id": draft.data.provider_id, "type_id": draft.data.type_id, "start": draft.start,
             "end": draft.end, "reason": draft.data.reason, "note": draft.data.note} for draft in drafts]
    # A provider's start is one appointment: the checks refuse two at once.
    ids = _insert(session, Appointment, "appointment", rows, ("provider_id", "start"), now=now, actor=actor)
    # schedule._event's history row for a booking: created, with its status and start.
    event = AppointmentEvent(appointment_id=0, at=now, actor=actor, kind=EventKind.create,
                             to_status=_defaults(Appointment)["status"].value).model_dump(exclude={"id"})
    if rows:
        session.execute(insert(AppointmentEvent), [{**event, "appointment_id": ids[(row["provider_id"], row["start"])],
                                                    "to_start": row["start"]} for row in rows])
    return ImportResult(booked=len(drafts), patients_created=len(people))


def _defaults(table: type[Patient] | type[Appointment]) -> dict[str, Any]:
    """Every column's value on a new row of `table` that sets nothing (the required ones are placeholders)."""
    if table is Patient:
        return Patient(first_name="", last_name="", dob=date.min).model_dump(exclude={"id"})
    return Appointment(patient_id=0, provider_id=0, type_id=0, start=datetime.min,
                       end=datetime.min).model_dump(exclude={"id"})


def _insert(session: Session, table: type[Patient] | type[Appointment], entity: str, rows: list[dict[str, Any]],
            key: tuple[str, ...], *, now: datetime, actor: str) -> dict[tuple[Any, ...], int]:
    """Insert `rows` (each the columns it sets; the others as on a new row) and audit each as created, as
    common.created_fields words it; the new ids by the values of `key` (unique among the rows).

    The ids come back with their key: SQLite gives a multi-row INSERT's RETURNING rows in no promised order, and
    asking SQLAlchemy for them in order makes it insert one row per statement."""
    if not rows:
        return {}
    defaults = _defaults(table)
    full = [{**defaults, **row} for row in rows]
    returned = session.execute(insert(table).returning(col(table.id), *(getattr(table, name) for name in key)), full)
    ids = {tuple(found[1:]): found[0] for found in returned}
    for values in full:
        entity_id = ids[tuple(values[name] for name in key)]
        record(session, actor=actor, entity=entity, entity_id=entity_id, action="create",
               changes=created_values(values), now=now)
    return ids
