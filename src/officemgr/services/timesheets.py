"""Timesheets: per pay period, each person's scheduled and punched hours, late, early and missed punches, and the
manager's approval, which fixes the minutes payroll pays (services.payroll) and the timesheet export writes.

Approval is refused until the period is over (its last day is before today) and while the person has a missed punch
or a pending punch fix in it: the hours are not known yet. A punch fix approved later in the period clears the
approval (services.timeclock), so it is approved again with the hours as they are then; the audit keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from officemgr.models import Role
from officemgr.models.timeclock import Timesheet
from officemgr.services import payroll as pay
from officemgr.services import timeclock
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, _plain, created_fields, record
from officemgr.services.csv_out import Cell, Figure, csv_text

CSV_HEADER = ("name", "role", "period", "worked_hours", "regular_hours", "overtime_hours", "source", "approved_by",
              "approved_at")


@dataclass(frozen=True)
class TimesheetRow:
    """One person's period: `worked_minutes` as recorded now; `approved_minutes` what was approved (None: not)."""

    staff_id: int
    name: str
    role: Role
    scheduled_minutes: int
    punched_minutes: int
    worked_minutes: int
    source: str
    late: int
    early: int
    missed: int
    pending_fixes: int
    approved_by: str
    approved_at: datetime | None
    approved_minutes: int | None

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def blocked(self) -> str:
        """Why it cannot be approved yet ("" : it can)."""
        parts = []
        if self.missed:
            parts.append(f"{self.missed} missed punch{'es' if self.missed > 1 else ''}")
        if self.pending_fixes:
            parts.append(f"{self.pending_fixes} punch fix{'es' if self.pending_fixes > 1 else ''} to decide")
        return " and ".join(parts)


def timesheet_rows(session: Session, period: pay.Period, *, now: datetime, actor: str) -> list[TimesheetRow]:
    """Everyone payroll lists for `period`, by last name: the manager's (and the auditor's) to see."""
    require(actor, Area.payroll, write=False, what="seeing timesheets")
    live = pay.payroll(session, period, actor=actor, use_timesheets=False)
    checks = timeclock.day_checks(session, period.start, period.end, now=now, actor=actor)
    fixes = timeclock.pending_fix_days(session, period.start, period.end)
    approved = {t.staff_id: t for t in session.exec(select(Timesheet).where(Timesheet.period_start == period.start))}
    rows = []
    for row in live:
        mine = [c for c in checks if c.staff_id == row.staff_id]
        sheet = approved.get(row.staff_id)
        rows.append(TimesheetRow(
            staff_id=row.staff_id, name=row.name, role=row.role,
            scheduled_minutes=sum(c.scheduled_minutes for c in mine),
            punched_minutes=sum(c.punched_minutes for c in mine), worked_minutes=row.worked_minutes,
            source=row.source, late=sum(1 for c in mine if c.late_minutes),
            early=sum(1 for c in mine if c.early_minutes), missed=sum(1 for c in mine if c.missed),
            pending_fixes=len(fixes.get(row.staff_id, [])),
            approved_by=sheet.approved_by if sheet else "", approved_at=sheet.approved_at if sheet else None,
            approved_minutes=sheet.worked_minutes if sheet else None))
    return rows


def approve_timesheet(session: Session, staff_id: int, period: pay.Period, *, now: datetime, actor: str) -> int:
    """The manager approves `staff_id`'s hours for `period` as recorded now; returns the timesheet's id."""
    require(actor, Area.payroll, what="approving a timesheet")
    if pay.period_starting(session, period.start, actor=actor) != period:
        raise ServiceError(f"{period} is not one pay period — reload")
    if period.end >= now.date():
        raise ServiceError(f"the pay period {period.start:%m/%d}–{period.end:%m/%d} is not over yet: approve it "
                           f"from {period.end + timedelta(days=1):%m/%d}")
    row = next((r for r in timesheet_rows(session, period, now=now, actor=actor) if r.staff_id == staff_id), None)
    if row is None:
        raise ServiceError("that person has no hours in this period — reload")
    if row.blocked:
        raise ServiceError(f"{row.name}'s timesheet cannot be approved yet: {row.blocked} in {period}; "
                           "fix or decide them first")
    sheet = session.exec(select(Timesheet).where(Timesheet.staff_id == staff_id,
                                                 Timesheet.period_start == period.start)).first()
    new = Timesheet(staff_id=staff_id, period_start=period.start, period_end=period.end,
                    worked_minutes=row.worked_minutes, from_punches=row.source in ("punches", "mixed"),
                    approved_by=str(actor)[:60], approved_at=now.replace(microsecond=0))
    if sheet is None:
        sheet = new
        session.add(sheet)
        session.flush()
        assert sheet.id is not None, "the flush gives the new row its id"
        record(session, actor=actor, entity="timesheet", entity_id=sheet.id, action="create",
               changes=created_fields(sheet), now=now)
    else:
        assert sheet.id is not None
        changes = {}
        for key in ("worked_minutes", "from_punches", "approved_by", "approved_at"):
            before, after = getattr(sheet, key), getattr(new, key)
            if before != after:
                changes[key] = [_plain(before), _plain(after)]
                setattr(sheet, key, after)
        record(session, actor=actor, entity="timesheet", entity_id=sheet.id, action="update", changes=changes,
               now=now)
    session.commit()
    return sheet.id


def timesheet_csv(session: Session, period: pay.Period, *, actor: str) -> tuple[str, int]:
    """The approved timesheets of `period` as CSV (CSV_HEADER) and how many rows; refused, naming them, while anyone
    with hours in the period is not approved."""
    require(actor, Area.payroll, write=False, what="the timesheet export")
    rows = [r for r in pay.payroll(session, period, actor=actor) if r.worked_minutes or r.approved_by]
    waiting = [r.name for r in rows if not r.approved_by]
    if waiting:
        raise ServiceError(f"not every timesheet for {period} is approved; still to approve: {', '.join(waiting)} "
                           "(Staff tab, T) — no file was written")
    sheets = {t.staff_id: t for t in session.exec(select(Timesheet).where(Timesheet.period_start == period.start))}
    lines: list[list[Cell]] = []
    for r in sorted(rows, key=lambda r: (r.last_name.casefold(), r.first_name.casefold(), r.staff_id)):
        sheet = sheets[r.staff_id]
        lines.append([r.name, r.role.label, str(period), Figure(f"{r.worked_hours:.2f}"),
                      Figure(f"{r.regular_hours:.2f}"), Figure(f"{r.overtime_hours:.2f}"),
                      "punches" if sheet.from_punches else "shifts", sheet.approved_by,
                      f"{sheet.approved_at:%Y-%m-%d %H:%M}"])
    return csv_text(CSV_HEADER, lines), len(lines)
