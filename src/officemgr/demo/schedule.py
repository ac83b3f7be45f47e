"""Appointments: types, full provider days, statuses that follow the clock, a double-book or two today."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy.engine import Connection

from officemgr.demo._db import _clinic_days, _ensure_named, _insert, _open_on_or_after, _with_ids
from officemgr.demo._types import DEMO_NOW, DemoSummary, PatientRef, Person, Row, Scale
from officemgr.models import Appointment, AppointmentType, ApptStatus, ProviderHours, ScheduleBlock

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
    rows: list[Row] = []
    todays: list[Row] = []
    for day in _clinic_days(first, last):
        midnight = datetime.combine(day, time.min)
        seen_today: set[int] = set()
        for provider in providers:
            for start, index in _day_slots(rng, types, cum):
                name, minutes = types[index]
                patient = _patient_not_seen(rng, patients, seen_today)
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
                    "double_booked": False,
                }
                rows.append(row)
                if day == today:
                    todays.append(row)
    rows += _double_books(rng, todays, patients)
    rows.sort(key=lambda r: (r["start"], r["provider_id"]))
    summary.appointments = _insert(conn, Appointment, _with_ids(conn, Appointment, rows))


def _patient_not_seen(rng: random.Random, patients: list[PatientRef], seen: set[int]) -> PatientRef:
    """A patient not yet booked that day (the app refuses a patient twice a day; the demo should not do it)."""
    for _ in range(50):
        patient = patients[rng.randrange(len(patients))]
        if patient.id not in seen:
            break
    seen.add(patient.id)
    return patient


def _double_books(rng: random.Random, todays: list[Row], patients: list[PatientRef]) -> list[Row]:
    """One or two same-day sick visits squeezed in on top of a booked slot later today."""
    later = [r for r in todays if r["status"] == ApptStatus.booked.value]
    seen_today = {r["patient_id"] for r in todays}
    extra = []
    for row in rng.sample(later, min(len(later), rng.choice((1, 2)))):
        extra.append({
            **row,
            "patient_id": _patient_not_seen(rng, patients, seen_today).id,
            "reason": "Work-in: " + rng.choice(REASONS["Acute"]).lower(),
            "note": "Double-booked: same-day sick visit, OK'd by provider",
            "double_booked": True,
        })
    return extra


def _add_templates(conn: Connection, staff: list[Person], plan: Scale, today: date, summary: DemoSummary) -> None:
    """Provider templates: weekdays 08:00–17:00 with lunch, and two dated exceptions past the booked weeks."""
    providers = [p for p in staff if p.is_provider]
    opens, closes = time(DAY_START // 60, DAY_START % 60), time(DAY_END // 60, DAY_END % 60)
    lunch = (time(LUNCH_START // 60), time(LUNCH_END // 60))
    hours: list[Row] = [{"provider_id": p.id, "weekday": d, "start": opens, "end": closes, "version": 1}
             for p in providers for d in range(5)]
    blocks: list[Row] = [{"provider_id": p.id, "weekday": d, "day": None, "start": lunch[0], "end": lunch[1],
               "reason": "Lunch", "version": 1} for p in providers for d in range(5)]
    # Exceptions fall after the demo's bookings so they never contradict an existing appointment.
    out_day = _open_on_or_after(today + timedelta(days=plan.appt_days_ahead + 7))
    half_day = _open_on_or_after(today + timedelta(days=plan.appt_days_ahead + 10))
    blocks.append({"provider_id": providers[0].id, "weekday": None, "day": out_day, "start": opens,
                   "end": closes, "reason": "Out: CME conference", "version": 1})
    blocks.append({"provider_id": providers[-1].id, "weekday": None, "day": half_day, "start": lunch[1],
                   "end": closes, "reason": "Out: afternoon off", "version": 1})
    summary.provider_hours = _insert(conn, ProviderHours, hours)
    summary.schedule_blocks = _insert(conn, ScheduleBlock, blocks)
