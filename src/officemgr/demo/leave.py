"""Demo leave plans: PTO 3.08 h each biweekly pay period for everyone (80 h a year), 40 h carried; sick leave 1 h
per 30 worked, 40 h carried; an opening PTO balance brought over by hand for one person, and everyone's sick
leave carried from the paper log (the demo's shifts cover only recent weeks, so little is accrued by hours)."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert
from officemgr.demo._types import Person
from officemgr.models import Role
from officemgr.models.timeclock import AccrualMethod, LeaveAdjustment, LeaveKind, LeavePlan


def _add_leave(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> None:
    plan = {"version": 1, "staff_id": None, "role": "", "carry_over_cap": 40.0, "reset_month": 1, "reset_day": 1}
    _insert(conn, LeavePlan, [
        {**plan, "kind": LeaveKind.pto.value, "method": AccrualMethod.per_period.value, "hours": 3.08,
         "per_hours_worked": None},
        {**plan, "kind": LeaveKind.sick.value, "method": AccrualMethod.per_hour.value, "hours": 1.0,
         "per_hours_worked": 30.0},
    ])
    opened = date(today.year, 1, 2)
    rows = [{"staff_id": p.id, "kind": LeaveKind.sick.value, "adjusted_on": opened,
             "hours": float(rng.choice((16, 24, 32))), "reason": "Sick leave carried over, from the paper log",
             "actor": "Demo manager"} for p in staff]
    support = sorted(p.id for p in staff if p.role in (Role.ma, Role.nurse, Role.front_desk))
    if support:
        rows.append({"staff_id": rng.choice(support), "kind": LeaveKind.pto.value, "adjusted_on": opened,
                     "hours": 16.0, "reason": "Opening balance brought over from the paper PTO log",
                     "actor": "Demo manager"})
    _insert(conn, LeaveAdjustment, rows)
