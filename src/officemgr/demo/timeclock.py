"""A week of time-clock punches up to yesterday for the hourly staff, matching their shifts within a few minutes
(out and back in around the unpaid lunch), with one arrival 12 minutes late and one missed out-punch whose fix
waits for the manager, both on the last working day so the Huddle shows them."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert, _with_ids
from officemgr.demo._types import Person, Row
from officemgr.models import Shift, Staff
from officemgr.models.base import table_of
from officemgr.models.people import PayType
from officemgr.models.timeclock import FixStatus, Punch, PunchFix, PunchSource

DAYS_BACK = 7


def _add_punches(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> None:
    people, shifts = table_of(Staff), table_of(Shift)
    hourly = {row.id for row in conn.execute(select(people.c.id).where(people.c.pay_type == PayType.hourly.value,
                                                                       people.c.exempt.is_(False)))}
    hourly &= {p.id for p in staff}
    first = datetime.combine(today - timedelta(days=DAYS_BACK), datetime.min.time())
    rows = conn.execute(select(shifts.c.staff_id, shifts.c.start, shifts.c.end, shifts.c.break_minutes)
                        .where(shifts.c.start >= first, shifts.c.start < datetime.combine(today, datetime.min.time()))
                        .order_by(shifts.c.start, shifts.c.staff_id)).all()
    rows = [r for r in rows if r.staff_id in hourly]
    if not rows:
        return
    last_day = max(r.start.date() for r in rows)
    on_last = sorted({r.staff_id for r in rows if r.start.date() == last_day})
    late_id = on_last[0]
    missed_id = on_last[1] if len(on_last) > 1 else None
    punches: list[Row] = []
    missed_in: datetime | None = None
    for shift in rows:
        drift = timedelta(minutes=rng.randint(-4, 3))
        clock_in = shift.start + drift
        if shift.staff_id == late_id and shift.start.date() == last_day:
            clock_in = shift.start + timedelta(minutes=12)
        lunch = shift.start + timedelta(hours=4, minutes=rng.randint(-5, 5))
        back = lunch + timedelta(minutes=shift.break_minutes + rng.randint(-2, 2))
        clock_out: datetime | None = shift.end + timedelta(minutes=rng.randint(-3, 5))
        if shift.staff_id == missed_id and shift.start.date() == last_day:
            clock_out, missed_in = None, back
        stretches = [(clock_in, lunch), (back, clock_out)] if shift.break_minutes else [(clock_in, clock_out)]
        for start, end in stretches:
            punches.append({"version": 1, "staff_id": shift.staff_id, "clock_in": start, "clock_out": end,
                            "source": PunchSource.desk.value})
    _insert(conn, Punch, _with_ids(conn, Punch, punches))
    if missed_id is None or missed_in is None:
        return
    open_id = next(p["id"] for p in punches if p["staff_id"] == missed_id and p["clock_out"] is None)
    end = next(r.end for r in rows if r.staff_id == missed_id and r.start.date() == last_day)
    name = next(p.name for p in staff if p.id == missed_id)
    _insert(conn, PunchFix, [{
        "version": 1, "staff_id": missed_id, "punch_id": open_id, "clock_in": missed_in, "clock_out": end,
        "reason": "Forgot to punch out at closing; left with the manager at the usual time.",
        "requested_by": name.split()[0].lower(), "requested_on": today, "status": FixStatus.pending.value,
        "decided_by": "", "decided_on": None}])
