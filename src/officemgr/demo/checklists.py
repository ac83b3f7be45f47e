"""Onboarding and leaving checklists: the default templates; one medical assistant is a new hire five business days
into onboarding (I-9, W-4 and the rest due by now done, HIPAA training overdue, the later ones open), and one
front-desk person's last day was last month (the leaving checklist done but for the exit interview), so the roster
and coverage show them gone while their past shifts stay.

Both are people the demo already has (its staff counts and stories stay as they are), chosen away from the
evaluation story (whose anniversaries fall near today): the new hire's shifts and evaluations from before the hire
date go, and so do the leaver's shifts after the last day.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert
from officemgr.demo._types import Person, Row
from officemgr.models import Evaluation, Role, Shift, Staff
from officemgr.models.base import table_of
from officemgr.models.lifecycle import ChecklistKind, ChecklistTemplateItem, StaffTask
from officemgr.services import settings
from officemgr.services.calendar import federal_calendar
from officemgr.services.checklists import DEFAULTS, PROBATION, due_date
from officemgr.services.credentials import anniversary

LEAVING_REASON = "Resigned: moved out of state"


def _add_checklists(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> int:
    """Write the templates and both stories; returns how many evaluations went (the new hire's, from before)."""
    templates = _templates()
    _insert(conn, ChecklistTemplateItem, templates)
    calendar = federal_calendar()
    manager = next((p.name for p in staff if p.role is Role.manager), "Manager")
    hires = _hire_dates(conn)
    tasks: list[Row] = []
    removed = 0
    new_hire = _pick(staff, Role.ma, hires, today, rng)
    if new_hire is not None:
        start = today
        for _ in range(5):
            start = calendar.previous_business_day(start)
        removed = _rehire(conn, new_hire.id, start)
        for row in _tasks(templates, new_hire.id, Role.ma, ChecklistKind.onboarding, start):
            # Everything due by now is done but the HIPAA training: the one overdue task on the Huddle.
            if row["due"] < today and not row["what"].startswith("HIPAA"):
                row.update(done_on=row["due"], done_by=manager)
            tasks.append(row)
    leaver = _pick(staff, Role.front_desk, hires, today, rng, last=True)
    if leaver is not None:
        last_month = today.replace(day=1) - timedelta(days=1)
        last_day = last_month if calendar.is_business_day(last_month) else calendar.previous_business_day(last_month)
        _end(conn, leaver.id, last_day)
        for row in _tasks(templates, leaver.id, Role.front_desk, ChecklistKind.leaving, last_day):
            if not row["what"].startswith("Exit interview"):
                row.update(done_on=min(row["due"], today), done_by=manager)
            tasks.append(row)
    _insert(conn, StaffTask, tasks)
    return removed


def _hire_dates(conn: Connection) -> dict[int, date]:
    table = table_of(Staff)
    return {sid: day for sid, day in conn.execute(table.select().with_only_columns(table.c.id, table.c.hire_date))
            if day is not None}


def _near_anniversary(hire: date, today: date) -> bool:
    """An anniversary within 60 days either side of today: a person the evaluation story may be about."""
    return any(abs((anniversary(hire, year) - today).days) <= 60 for year in (today.year - 1, today.year,
                                                                               today.year + 1))


def _pick(staff: list[Person], role: Role, hires: dict[int, date], today: date, rng: random.Random, *,
          last: bool = False) -> Person | None:
    """One person of `role` away from the evaluation story; the last of them (`last`: not the first, whom the
    written warning and the demo's sign-in are about) when there are more."""
    people = [p for p in sorted(staff, key=lambda p: p.id) if p.role is role]
    if last:
        people = people[1:]
    calm = [p for p in people if p.id in hires and not _near_anniversary(hires[p.id], today)]
    choices = calm or people
    return (choices[-1] if last else rng.choice(choices)) if choices else None


def _rehire(conn: Connection, staff_id: int, start: date) -> int:
    """Make `staff_id` a hire of `start`; returns how many evaluations (all from before it) were removed."""
    first = datetime.combine(start, time.min)
    conn.execute(update(table_of(Staff)).where(table_of(Staff).c.id == staff_id).values(hire_date=start))
    conn.execute(delete(table_of(Shift)).where(table_of(Shift).c.staff_id == staff_id,
                                               table_of(Shift).c.start < first))
    gone = conn.execute(delete(table_of(Evaluation)).where(table_of(Evaluation).c.staff_id == staff_id))
    return gone.rowcount


def _end(conn: Connection, staff_id: int, last_day: date) -> None:
    after = datetime.combine(last_day + timedelta(days=1), time.min)
    conn.execute(update(table_of(Staff)).where(table_of(Staff).c.id == staff_id)
                 .values(end_date=last_day, end_reason=LEAVING_REASON))
    conn.execute(delete(table_of(Shift)).where(table_of(Shift).c.staff_id == staff_id,
                                               table_of(Shift).c.start >= after))


def _templates() -> list[Row]:
    probation = int(settings.DEFAULTS["probation_review_days"])
    return [{"version": 1, "kind": kind.value, "role": role, "what": what, "owner": owner,
             "due_days": probation if days == PROBATION else days, "business_days": business, "position": position}
            for position, (kind, roles, what, owner, days, business) in enumerate(DEFAULTS) for role in roles]


def _tasks(templates: list[Row], staff_id: int, role: Role, kind: ChecklistKind, start: date) -> list[Row]:
    calendar = federal_calendar()
    mine = [t for t in templates if t["kind"] == kind.value and t["role"] in ("", role.value)]
    return [{"version": 1, "staff_id": staff_id, "kind": kind.value, "what": t["what"], "owner": t["owner"],
             "due": due_date(calendar, start, t["due_days"], t["business_days"]), "done_on": None, "done_by": "",
             "note": "", "position": n} for n, t in enumerate(mine)]
