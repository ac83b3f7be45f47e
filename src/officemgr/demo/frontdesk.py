"""The front desk's lists: recalls, a waitlist, reminder calls for the next business day, insurance verified
for most of today, and the timed check-in / rooming / check-out history of today's visits so far.

Runs after the appointments are written (same transaction) and reads them back in id order, so it stays
deterministic. Recalls, waitlist entries and appointment events get their ids from the database: nothing
else points at them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Row as SARow
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from officemgr.demo._db import DEMO_CALENDAR, _insert, _open_on_or_before
from officemgr.demo._types import DEMO_NOW, DemoSummary, PatientRef, Person, Row
from officemgr.models import (
    Appointment,
    AppointmentEvent,
    AppointmentType,
    ApptStatus,
    EventKind,
    Recall,
    RecallStatus,
    ReminderOutcome,
    Role,
    WaitlistEntry,
    WaitlistStatus,
)
from officemgr.models.base import table_of
from officemgr.services.frontdesk import next_business_day

ACTIVE = tuple(s.value for s in (ApptStatus.booked, ApptStatus.arrived, ApptStatus.in_room, ApptStatus.checked_out))

# reason, appointment type, months between the visit that set it and the due date
RECALL_REASONS = (
    ("Annual physical", "Physical", 12),
    ("Medicare annual wellness visit", "Physical", 12),
    ("Diabetes follow-up: A1c due", "Follow-up", 3),
    ("Blood pressure recheck", "Follow-up", 2),
    ("Thyroid labs and follow-up", "Follow-up", 6),
    ("Cholesterol recheck after statin start", "Follow-up", 3),
    ("Asthma control check", "Follow-up", 6),
    ("Depression follow-up (PHQ-9)", "Follow-up", 2),
    ("Well-child check", "Physical", 12),
)
# Due dates (days from today) of the recalls the front desk should call about: a few overdue, some due soon.
DUE_OFFSETS = ((-45, -20), (-19, -1), (-19, -1), (0, 7), (0, 14), (8, 30), (15, 30))
CONTACTED_NOTES = ("Left voicemail", "Spoke with patient: will call back to book", "Sent portal message")
DECLINED_NOTES = ("Moving out of state", "Sees a cardiologist for blood pressure now", "Declined: will call when ready")
WAITLIST_NOTES = ("Wants an earlier physical", "Can come on short notice", "Mornings only", "Before work, 8:00 best",
                  "Afternoons after 2 PM", "")
REMINDER_WEIGHTS = ((ReminderOutcome.reached, 6), (ReminderOutcome.left_message, 3), (ReminderOutcome.wrong_number, 1))


def _add_frontdesk(conn: Connection, rng: random.Random, staff: list[Person], patients: list[PatientRef],
                   today: date, summary: DemoSummary) -> None:
    type_table = table_of(AppointmentType)
    types = {name: id_ for name, id_ in conn.execute(select(type_table.c.name, type_table.c.id))}
    providers = [p for p in staff if p.is_provider]
    desk = [p for p in staff if p.role is Role.front_desk] or staff
    mas = [p for p in staff if p.role is Role.ma] or desk
    recalled = _add_recalls(conn, rng, providers, patients, types, today, summary)
    _add_waitlist(conn, rng, providers, [p for p in patients if p.id not in recalled], types, today, summary)
    _add_reminders(conn, rng, today)
    _add_verification(conn, rng, desk, today)
    _add_visit_events(conn, rng, desk, mas, today, summary)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _patients_with_appointments(conn: Connection, since: datetime, until: datetime | None = None,
                                statuses: tuple[str, ...] | None = None) -> set[int]:
    table = table_of(Appointment)
    query = select(table.c.patient_id).distinct().where(table.c.start >= since)
    if until is not None:
        query = query.where(table.c.start < until)
    if statuses is not None:
        query = query.where(table.c.status.in_(statuses))
    return set(conn.execute(query).scalars())


def _hand_over_future_visits(conn: Connection, rng: random.Random, leaving: set[int], others: list[int],
                             today: date) -> None:
    """Give the later bookings of `leaving` to other patients, so those patients have nothing booked.

    The small demo books about seven future visits per patient, so without this no patient would be due for
    a recall call; the schedule keeps its shape, only who is coming changes.
    """
    table = table_of(Appointment)
    since = _midnight(today + timedelta(days=1))
    moving = conn.execute(
        select(table.c.id, table.c.start).where(table.c.patient_id.in_(sorted(leaving)), table.c.start >= since)
        .order_by(table.c.id)
    ).all()
    booked: dict[date, set[int]] = {}
    for patient_id, start in conn.execute(select(table.c.patient_id, table.c.start).where(table.c.start >= since)):
        booked.setdefault(start.date(), set()).add(patient_id)
    updates = []
    for row_id, start in moving:
        # Never give a patient a second visit the same day: the app itself refuses that booking.
        free = [p for p in others if p not in booked.setdefault(start.date(), set())] or others
        patient_id = rng.choice(free)
        booked[start.date()].add(patient_id)
        updates.append({"row_id": row_id, "to": patient_id})
    if updates:
        conn.execute(table.update().where(table.c.id == bindparam("row_id")).values(patient_id=bindparam("to")),
                     updates)


def _recall(rng: random.Random, providers: list[Person], types: dict[str, int], patient_id: int, due: date,
            today: date, status: RecallStatus = RecallStatus.open, note: str = "") -> Row:
    reason, type_name, months = rng.choice(RECALL_REASONS)
    return {
        "patient_id": patient_id,
        "provider_id": rng.choice(providers).id if rng.random() < 0.8 else None,
        "type_id": types.get(type_name),
        "reason": reason,
        "due": due,
        "status": status.value,
        "created_on": min(today, due - relativedelta(months=months)),
        "note": note,
        "version": 1,
    }


def _add_recalls(conn: Connection, rng: random.Random, providers: list[Person], patients: list[PatientRef],
                 types: dict[str, int], today: date, summary: DemoSummary) -> set[int]:
    """About 15 recalls: 7 due with nothing booked (the call list), 3 due but already booked, 2 contacted,
    1 declined, 2 not due for months. Returns the patients who got one."""
    ids = [p.id for p in patients]
    seen_today = _patients_with_appointments(conn, _midnight(today), _midnight(today + timedelta(days=1)))
    unbooked = set(rng.sample([i for i in ids if i not in seen_today], min(len(DUE_OFFSETS), len(ids) // 4)))
    _hand_over_future_visits(conn, rng, unbooked, [i for i in ids if i not in unbooked], today)
    rows = []
    for patient_id, (low, high) in zip(sorted(unbooked), DUE_OFFSETS, strict=False):
        rows.append(_recall(rng, providers, types, patient_id, today + timedelta(days=rng.randint(low, high)), today))
    booked = sorted(_patients_with_appointments(conn, _midnight(today), statuses=ACTIVE) - unbooked)
    for patient_id in rng.sample(booked, min(3, len(booked))):
        rows.append(_recall(rng, providers, types, patient_id, today + timedelta(days=rng.randint(-10, 30)), today))
    taken = {r["patient_id"] for r in rows}
    rest = [i for i in ids if i not in taken]
    picks = rng.sample(rest, min(5, len(rest)))
    for n, patient_id in enumerate(picks):
        if n < 2:
            called = today - timedelta(days=rng.randint(1, 6))
            note = f"{rng.choice(CONTACTED_NOTES)} {called:%m/%d}"
            rows.append(_recall(rng, providers, types, patient_id, today + timedelta(days=rng.randint(-30, 10)), today,
                                RecallStatus.contacted, note))
        elif n < 3:
            rows.append(_recall(rng, providers, types, patient_id, today + timedelta(days=rng.randint(-40, 5)), today,
                                RecallStatus.declined, rng.choice(DECLINED_NOTES)))
        else:
            rows.append(_recall(rng, providers, types, patient_id, today + timedelta(days=rng.randint(45, 300)), today))
    summary.recalls = _insert(conn, Recall, rows)
    return {r["patient_id"] for r in rows}


def _add_waitlist(conn: Connection, rng: random.Random, providers: list[Person], patients: list[PatientRef],
                  types: dict[str, int], today: date, summary: DemoSummary) -> None:
    """Six patients who want an earlier slot; one has been offered one already."""
    type_ids = sorted(types.values())
    rows = []
    for n, patient in enumerate(rng.sample(patients, min(6, len(patients)))):
        rows.append({
            "patient_id": patient.id,
            "provider_id": rng.choice(providers).id if n % 3 else None,
            "type_id": rng.choice(type_ids) if n != 4 else None,
            "added_on": today - timedelta(days=rng.randint(1, 40)),
            "status": (WaitlistStatus.offered if n == 5 else WaitlistStatus.waiting).value,
            "note": WAITLIST_NOTES[n % len(WAITLIST_NOTES)],
            "version": 1,
        })
    rows.sort(key=lambda r: r["added_on"])
    summary.waitlist_entries = _insert(conn, WaitlistEntry, rows)


def _day_rows(conn: Connection, day: date, statuses: tuple[str, ...] | None = None) -> list[SARow[Any]]:
    table = table_of(Appointment)
    query = select(table.c.id, table.c.start, table.c.end, table.c.status).where(
        table.c.start >= _midnight(day), table.c.start < _midnight(day + timedelta(days=1)))
    if statuses is not None:
        query = query.where(table.c.status.in_(statuses))
    return list(conn.execute(query.order_by(table.c.start, table.c.id)))


def _update(conn: Connection, values: dict[str, str], rows: list[Row]) -> None:
    if not rows:
        return
    table = table_of(Appointment)
    conn.execute(table.update().where(table.c.id == bindparam("row_id"))
                 .values({column: bindparam(param) for column, param in values.items()}), rows)


def _add_reminders(conn: Connection, rng: random.Random, today: date) -> None:
    """About half of the next business day's booked patients were called this morning, before DEMO_NOW."""
    outcomes = [outcome for outcome, _ in REMINDER_WEIGHTS]
    weights = [weight for _, weight in REMINDER_WEIGHTS]
    start = _midnight(today) + timedelta(hours=8, minutes=30)
    latest = (DEMO_NOW.hour * 60 + DEMO_NOW.minute) - (8 * 60 + 30) - 5
    rows = []
    for row in _day_rows(conn, next_business_day(today, DEMO_CALENDAR), (ApptStatus.booked.value,)):
        if rng.random() < 0.5:
            rows.append({"row_id": row.id, "outcome": rng.choices(outcomes, weights)[0].value,
                         "called": start + timedelta(minutes=rng.randrange(0, latest))})
    _update(conn, {"reminder": "outcome", "reminder_at": "called"}, rows)


def _add_verification(conn: Connection, rng: random.Random, desk: list[Person], today: date) -> None:
    """Insurance verified the business day before for all of today's visits but three to five later ones."""
    todays = _day_rows(conn, today)
    later = [r.id for r in todays if r.status == ApptStatus.booked.value]
    left = set(rng.sample(later, min(len(later), rng.randint(3, 5))))
    before = _open_on_or_before(today - timedelta(days=1))
    rows = [{"row_id": r.id, "on": before, "by": rng.choice(desk).name} for r in todays if r.id not in left]
    _update(conn, {"verified_on": "on", "verified_by": "by"}, rows)


def _add_visit_events(conn: Connection, rng: random.Random, desk: list[Person], mas: list[Person], today: date,
                      summary: DemoSummary) -> None:
    """Check-in, rooming and check-out times of today's visits so far (arrived a few minutes early, roomed
    5–25 minutes later, out after the visit's length), never later than DEMO_NOW."""
    now = datetime.combine(today, DEMO_NOW)
    seen = (ApptStatus.arrived.value, ApptStatus.in_room.value, ApptStatus.checked_out.value)
    rows: list[Row] = []

    def event(appt_id: int, at: datetime, actor: Person, old: ApptStatus, new: ApptStatus) -> None:
        rows.append({"appointment_id": appt_id, "at": at, "actor": actor.name, "kind": EventKind.status.value,
                     "from_status": old.value, "to_status": new.value, "from_start": None, "to_start": None,
                     "note": ""})

    for appt in _day_rows(conn, today, seen):
        status = ApptStatus(appt.status)
        arrived = min(appt.start - timedelta(minutes=rng.randint(2, 15)), now - timedelta(minutes=1))
        event(appt.id, arrived, rng.choice(desk), ApptStatus.booked, ApptStatus.arrived)
        if status is ApptStatus.arrived:
            continue
        length = appt.end - appt.start
        # A visit already checked out was roomed early enough to have run its full length by now.
        latest = now - (length + timedelta(minutes=5) if status is ApptStatus.checked_out else timedelta(minutes=1))
        roomed = max(arrived + timedelta(minutes=5), min(arrived + timedelta(minutes=rng.randint(5, 25)), latest))
        event(appt.id, roomed, rng.choice(mas), ApptStatus.arrived, ApptStatus.in_room)
        if status is ApptStatus.checked_out:
            out = min(roomed + length + timedelta(minutes=rng.randint(0, 8)), now)
            event(appt.id, max(out, roomed + length), rng.choice(desk), ApptStatus.in_room, ApptStatus.checked_out)
    summary.appointment_events = _insert(conn, AppointmentEvent, rows)
