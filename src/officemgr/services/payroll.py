"""Payroll preparation: pay periods, hours per person for a period, the payroll service CSV (leave balances:
services.leave).

Rules (all tunable in settings, none hard-coded here):

- Pay periods (`pay_period`): weekly or biweekly periods aligned to an anchor date that is a period start,
  or semimonthly periods (the 1st to the 15th, the 16th to the month's last day).
- Worked hours, per person and day: from that day's time-clock punches when it has any (closed ones; a punch with
  no out time counts 0 until a fix puts it right), else from its shifts (end - start, less the unpaid break), each
  counted on the day it starts. Each row says where its hours came from (`source`: punches, shifts or mixed).
- An approved timesheet (services.timesheets) fixes the person's worked minutes for the period; a row whose hours
  changed since the approval keeps the approved minutes and says so in its notes.
- Days after a person's end date are not paid (worked or leave).
- Overtime (FLSA): non-exempt staff earn overtime for hours actually worked beyond `overtime_after_hours`
  in a workweek, a fixed 7-day week starting on `workweek_start` (0 = Monday). Paid time off is paid but
  is not hours worked, so it never counts toward the threshold. Exempt staff get no overtime.
- Paid time off: approved absences whose kind is in `paid_time_off_kinds`; other kinds, and absences taken
  as unpaid (`TimeOff.unpaid`, over the balance by the person's choice), are listed as unpaid leave.
  Requested (not yet approved) and denied absences are not counted; pending requests in the
  period are pointed out in the row's notes so they can be decided before payroll is sent.
- Never both worked and on leave: approving time off removes the shifts on its days; a shift left on such a day
  (entered before the rule) is paid as worked, and that day's leave only for the hours beyond it, with a note.
- Time off counts on the practice's business days (services.calendar): a holiday in a week off costs no PTO.

Functions take a Session and explicit dates; nothing here reads the clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, select

from officemgr.models import Role, Shift, Staff, TimeOff, TimeOffStatus
from officemgr.models.timeclock import Punch, Timesheet
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.common import ServiceError
from officemgr.services.csv_out import Figure, csv_text

PERIOD_KINDS = ("weekly", "biweekly", "semimonthly")
HOURS_PER_WEEKDAY = 8.0  # a business day of time off recorded without its hours

CSV_HEADER = (
    "employee_id",
    "last_name",
    "first_name",
    "role",
    "regular_hours",
    "overtime_hours",
    "pto_hours",
    "sick_hours",
    "other_paid_leave_hours",
    "unpaid_leave_hours",
    "total_paid_hours",
    "hours_source",
)


# --- pay periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A pay period, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


@dataclass(frozen=True)
class PeriodRule:
    """The practice's pay period setting: payroll pays, and leave accrues, on the periods it makes."""

    kind: str
    anchor: date | None

    def describe(self) -> str:
        if self.kind == "semimonthly":
            return "semimonthly: periods start on the 1st and the 16th"
        return f"{self.kind} from {_day_name(self.anchor)}" if self.anchor else self.kind


def _day_name(day: date | None) -> str:
    return f"{day:%A} {day:%Y-%m-%d}" if day else ""


def period_rule(session: Session) -> PeriodRule:
    """The `pay_period` setting, checked: a kind we know and, for weekly/biweekly, an anchor date."""
    value = settings.get(session, "pay_period")
    kind = str(value.get("kind", "")).strip().lower().replace("-", "") if isinstance(value, dict) else ""
    if kind not in PERIOD_KINDS:
        raise ServiceError(f"the pay_period setting must be one of {', '.join(PERIOD_KINDS)}, not '{kind}'")
    anchor_text = value.get("anchor")
    anchor: date | None = None
    if anchor_text:
        try:
            anchor = date.fromisoformat(str(anchor_text))
        except ValueError:
            raise ServiceError(f"the pay_period anchor must be a date like 2026-01-05, not '{anchor_text}'") from None
    if kind == "biweekly" and anchor is None:
        raise ServiceError("a biweekly pay_period setting needs an anchor: the first day of any one pay period")
    if kind == "weekly" and anchor is None:
        # No anchor: weekly pay periods follow the FLSA workweek.
        start = _workweek_start(session)
        anchor = date(2026, 1, 5) + timedelta(days=start)  # 2026-01-05 is a Monday
    return PeriodRule(kind, anchor)


def period_containing(rule: PeriodRule, day: date) -> Period:
    if rule.kind == "semimonthly":
        if day.day <= 15:
            return Period(day.replace(day=1), day.replace(day=15))
        return Period(day.replace(day=16), _month_end(day))
    assert rule.anchor is not None
    length = 7 if rule.kind == "weekly" else 14
    start = rule.anchor + timedelta(days=((day - rule.anchor).days // length) * length)
    return Period(start, start + timedelta(days=length - 1))


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def _may_read(actor: str, what: str) -> None:
    require(actor, Area.payroll, write=False, what=what)


def pay_period(session: Session, containing: date, *, actor: str) -> Period:
    """The pay period (per the `pay_period` setting) that holds `containing`."""
    _may_read(actor, "payroll")
    return period_containing(period_rule(session), containing)


def period_holding(session: Session, day: date) -> Period:
    """The pay period holding `day`, for anyone: its dates are no secret (a person's own punches are shown by it)."""
    return period_containing(period_rule(session), day)


def period_starting(session: Session, start: date, *, actor: str) -> Period:
    """The pay period that starts on `start`; refuses a date that is not a period start.

    The refusal names the nearest valid start (both on a tie) and the period holding `start`.
    """
    _may_read(actor, "payroll")
    rule = period_rule(session)
    period = period_containing(rule, start)
    if period.start == start:
        return period
    following = period.end + timedelta(days=1)
    before, after = (start - period.start).days, (following - start).days
    if before == after:
        nearest = f"the nearest starts are {_day_name(period.start)} and {_day_name(following)}"
    else:
        nearest = f"the nearest start is {_day_name(period.start if before < after else following)}"
    raise ServiceError(
        f"{start:%Y-%m-%d} is not the start of a pay period ({rule.describe()}); {nearest} "
        f"(the period holding {start:%Y-%m-%d} runs {period})"
    )


# --- hours --------------------------------------------------------------------------------------------


def _workweek_start(session: Session) -> int:
    value = settings.get(session, "workweek_start")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6:
        raise ServiceError(f"the workweek_start setting is a weekday number 0-6 (0 = Monday), not {value!r}")
    return value


def workweek_of(day: date, workweek_start: int) -> date:
    """The first day of the workweek holding `day`."""
    return day - timedelta(days=(day.weekday() - workweek_start) % 7)


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def leave_hours_between(absence: TimeOff, first: date, last: date, calendar: PracticeCalendar) -> float:
    """Hours of `absence` that fall on days first..last (both included).

    The absence's `hours` are spread evenly over the business days of the practice `calendar` it covers; an
    absence whose `hours` is 0 counts 8 hours per business day. An absence covering only days the practice is
    closed spreads its `hours` over those days (and counts nothing when `hours` is 0).
    """
    covered = list(_days(absence.start_date, absence.end_date))
    open_days = [d for d in covered if calendar.is_business_day(d)]
    if absence.hours and absence.hours > 0:
        basis = open_days or covered
        if not basis:
            return 0.0
        inside = sum(1 for d in basis if first <= d <= last)
        return absence.hours * inside / len(basis)
    return HOURS_PER_WEEKDAY * sum(1 for d in open_days if first <= d <= last)


def _hours(value: float) -> float:
    """Hours rounded half-up to 2 decimals (what the CSV shows, so the columns add up)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _fold(kinds: Iterable[str]) -> set[str]:
    return {str(k).strip().casefold() for k in kinds}


@dataclass(frozen=True)
class PayRow:
    """One person's hours for one pay period (hours rounded to 2 decimals).

    `paid_leave` and `unpaid_leave` map a time-off kind to its hours; `pto_hours`, `sick_hours` and
    `other_paid_leave_hours` split the paid ones for the payroll service: a kind in the `pto_kinds` setting
    is PTO, a kind called "Sick" is sick leave, any other paid kind is other paid leave.
    """

    period: Period
    staff_id: int
    last_name: str
    first_name: str
    role: Role
    exempt: bool
    active: bool
    regular_hours: float
    overtime_hours: float
    paid_leave: dict[str, float] = field(default_factory=dict)
    unpaid_leave: dict[str, float] = field(default_factory=dict)
    pto_hours: float = 0.0
    sick_hours: float = 0.0
    other_paid_leave_hours: float = 0.0
    notes: tuple[str, ...] = ()
    worked_minutes: int = 0  # regular + overtime, unrounded
    source: str = ""  # where worked hours came from: "punches", "shifts", "mixed", or "" (none worked)
    approved_by: str = ""  # who approved the period's timesheet ("": not approved)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def worked_hours(self) -> float:
        return _hours(self.regular_hours + self.overtime_hours)

    @property
    def paid_leave_hours(self) -> float:
        return _hours(self.pto_hours + self.sick_hours + self.other_paid_leave_hours)

    @property
    def unpaid_leave_hours(self) -> float:
        return _hours(sum(self.unpaid_leave.values()))

    @property
    def total_paid_hours(self) -> float:
        return _hours(self.regular_hours + self.overtime_hours + self.paid_leave_hours)

    @property
    def flagged(self) -> bool:
        """Something to look at before the payroll goes out (the notes say what)."""
        return bool(self.notes)


@dataclass(frozen=True)
class _Stretch:
    """A stretch of work: a shift, or a punch (an open punch is 0 minutes)."""

    start: datetime
    end: datetime
    worked_minutes: int
    id: int

    @staticmethod
    def of_shift(shift: Shift) -> _Stretch:
        return _Stretch(shift.start, shift.end, shift.worked_minutes, shift.id or 0)

    @staticmethod
    def of_punch(punch: Punch) -> _Stretch:
        end = punch.clock_out or punch.clock_in
        return _Stretch(punch.clock_in, end, max(0, int((end - punch.clock_in).total_seconds()) // 60),
                        punch.id or 0)


def _split_by_threshold(
    stretches: list[_Stretch], threshold_minutes: int, exempt: bool
) -> list[tuple[_Stretch, int, int]]:
    """(stretch, regular minutes, overtime minutes) for one person's work in one workweek.

    Hours are counted chronologically: the stretch during which the running total passes the threshold
    is split, and every later one that week is all overtime.
    """
    out = []
    running = 0
    for shift in sorted(stretches, key=lambda s: (s.start, s.end, s.id)):
        minutes = shift.worked_minutes
        if exempt:
            out.append((shift, minutes, 0))
            continue
        regular = min(minutes, max(0, threshold_minutes - running))
        out.append((shift, regular, minutes - regular))
        running += minutes
    return out


def worked_minutes_by_day(session: Session, staff_ids: Iterable[int], first: date, last: date
                          ) -> dict[int, dict[date, int]]:
    """Minutes worked per person and day from `first` to `last`, by payroll's rule: a day's punches when it has
    any (an open one counts 0), else its shifts less their breaks; each counted on the day it starts. Two
    queries for everyone asked for; days with nothing worked are left out. No timesheet, no end date: the
    caller bounds the days it counts."""
    wanted = set(staff_ids)
    after = datetime.combine(last + timedelta(days=1), time.min)
    since = datetime.combine(first, time.min)
    punches: dict[int, list[Punch]] = defaultdict(list)
    for punch in session.exec(select(Punch).where(col(Punch.staff_id).in_(wanted), col(Punch.clock_in) >= since,
                                                  col(Punch.clock_in) < after)):
        punches[punch.staff_id].append(punch)
    stretches: dict[int, list[_Stretch]] = {
        staff_id: [_Stretch.of_punch(p) for p in rows] for staff_id, rows in punches.items()}
    punch_days = {(p.staff_id, p.clock_in.date()) for rows in punches.values() for p in rows}
    for shift in session.exec(select(Shift).where(col(Shift.staff_id).in_(wanted), col(Shift.start) >= since,
                                                  col(Shift.start) < after)):
        if (shift.staff_id, shift.start.date()) not in punch_days:  # the day's punches say what was worked
            stretches.setdefault(shift.staff_id, []).append(_Stretch.of_shift(shift))
    result: dict[int, dict[date, int]] = {}
    for staff_id, rows in stretches.items():
        days: dict[date, int] = defaultdict(int)
        for stretch in rows:
            if stretch.worked_minutes:
                days[stretch.start.date()] += stretch.worked_minutes
        result[staff_id] = dict(days)
    return result


def payroll(session: Session, period: Period, *, actor: str, use_timesheets: bool = True) -> list[PayRow]:
    """Hours for `period`, one row per staff member, sorted by last name, first name.

    Everyone active is listed (with a note when nothing is recorded); someone no longer active is listed
    only when they have hours in the period (their last paycheck).

    Overtime across a period boundary: overtime belongs to the FLSA workweek, and a workweek may straddle
    the start or end of the pay period. Each workweek overlapping the period is computed whole: its shifts
    are taken in chronological order and the minutes beyond `overtime_after_hours` are overtime (a shift
    that crosses the threshold is split). Each shift's regular and overtime minutes then belong to the pay
    period holding the day the shift starts. So hours worked before the period still push later hours in
    the same workweek into overtime, and overtime that fell on days before the period is not paid again.

    `use_timesheets` False: the hours as recorded now, ignoring approved timesheets (what approving one takes).
    """
    _may_read(actor, "payroll")
    workweek_start = _workweek_start(session)
    threshold = settings.get(session, "overtime_after_hours")
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or threshold < 0:
        raise ServiceError(f"the overtime_after_hours setting must be a number of hours, not {threshold!r}")
    threshold_minutes = round(threshold * 60)
    paid_kinds = _fold(settings.get(session, "paid_time_off_kinds"))
    pto_kinds = _fold(settings.get(session, "pto_kinds"))

    first_week = workweek_of(period.start, workweek_start)
    after_last_week = workweek_of(period.end, workweek_start) + timedelta(days=7)
    shifts_by_person: dict[int, list[Shift]] = {}
    for shift in session.exec(
        select(Shift).where(Shift.start >= datetime.combine(first_week, time.min),
                            Shift.start < datetime.combine(after_last_week, time.min))
    ):
        shifts_by_person.setdefault(shift.staff_id, []).append(shift)
    punches_by_person: dict[int, list[Punch]] = {}
    for punch in session.exec(
        select(Punch).where(col(Punch.clock_in) >= datetime.combine(first_week, time.min),
                            col(Punch.clock_in) < datetime.combine(after_last_week, time.min))
    ):
        punches_by_person.setdefault(punch.staff_id, []).append(punch)
    timesheets = {t.staff_id: t for t in session.exec(select(Timesheet).where(Timesheet.period_start == period.start))
                  if use_timesheets}

    absences_by_person: dict[int, list[TimeOff]] = {}
    for absence in session.exec(
        select(TimeOff).where(TimeOff.start_date <= period.end, TimeOff.end_date >= period.start,
                              TimeOff.status != TimeOffStatus.denied)
        .order_by(col(TimeOff.start_date), col(TimeOff.id))
    ):
        absences_by_person.setdefault(absence.staff_id, []).append(absence)

    calendar = practice_calendar(session)
    people = session.exec(select(Staff).order_by(col(Staff.last_name), col(Staff.first_name), col(Staff.id))).all()
    rows = []
    for person in people:
        assert person.id is not None, "rows read have ids"
        row = _row(person, period, shifts_by_person.get(person.id, []), absences_by_person.get(person.id, []),
                   punches_by_person.get(person.id, []), timesheets.get(person.id), workweek_start=workweek_start,
                   threshold_minutes=threshold_minutes, paid_kinds=paid_kinds,
                   pto_kinds=pto_kinds, calendar=calendar)
        # Someone who left before the period is listed only if something is still paid in it.
        still_here = person.active and (person.end_date is None or person.end_date >= period.start)
        if still_here or row.worked_hours or row.paid_leave_hours or row.unpaid_leave_hours:
            rows.append(row)
    return rows


def _row(
    person: Staff,
    period: Period,
    shifts: list[Shift],
    absences: list[TimeOff],
    punches: list[Punch],
    timesheet: Timesheet | None,
    *,
    workweek_start: int,
    threshold_minutes: int,
    paid_kinds: set[str],
    pto_kinds: set[str],
    calendar: PracticeCalendar,
) -> PayRow:
    assert person.id is not None, "rows read have ids"
    staff_id = person.id
    notes: list[str] = []
    last_day = person.end_date  # nothing is paid after it
    if last_day is not None:
        shifts = [s for s in shifts if s.start.date() <= last_day]
        punches = [p for p in punches if p.clock_in.date() <= last_day]
    punch_days = {p.clock_in.date() for p in punches}
    stretches = [_Stretch.of_punch(p) for p in punches]
    for punch in punches:
        if punch.clock_out is None and punch.clock_in.date() in period:
            notes.append(f"the punch in at {punch.clock_in:%Y-%m-%d %H:%M} has no out time "
                         "(counted as 0 h until fixed)")
    shift_days = set()
    for shift in shifts:
        if shift.start.date() in punch_days:
            continue  # the day's punches say what was worked
        shift_days.add(shift.start.date())
        stretches.append(_Stretch.of_shift(shift))
        if shift.end <= shift.start and shift.start.date() in period:
            notes.append(f"the shift on {shift.start:%Y-%m-%d} ends before it starts (counted as 0 h)")
    weeks: dict[date, list[_Stretch]] = {}
    for stretch in stretches:
        weeks.setdefault(workweek_of(stretch.start.date(), workweek_start), []).append(stretch)
    regular = overtime = 0
    worked: dict[date, float] = {}  # hours worked a day, not yet set against that day's leave
    for week_stretches in weeks.values():
        for stretch, reg, over in _split_by_threshold(week_stretches, threshold_minutes, person.exempt):
            if stretch.start.date() in period:
                regular += reg
                overtime += over
                worked[stretch.start.date()] = worked.get(stretch.start.date(), 0.0) + (reg + over) / 60
    by_punch = any(d in period for d in punch_days)
    by_shift = any(d in period for d in shift_days)
    source = "mixed" if by_punch and by_shift else "punches" if by_punch else "shifts" if by_shift else ""
    if timesheet is not None:
        if timesheet.worked_minutes != regular + overtime:
            notes.append(f"hours changed since the timesheet was approved ({_hours(timesheet.worked_minutes / 60):.2f}"
                         f" h approved, {_hours((regular + overtime) / 60):.2f} h now): paid as approved")
        overtime = min(overtime, timesheet.worked_minutes)
        regular = timesheet.worked_minutes - overtime
    worked_days = set(worked)

    paid: dict[str, float] = {}
    unpaid: dict[str, float] = {}
    pto = sick = other = 0.0
    pending = 0.0
    for absence in absences:
        if absence.status != TimeOffStatus.approved:
            pending += leave_hours_between(absence, period.start, period.end, calendar)
            continue
        hours = 0.0
        through = min(absence.end_date, period.end, last_day or period.end)
        for day in _days(max(absence.start_date, period.start), through):
            on_day = leave_hours_between(absence, day, day, calendar)
            already_paid = min(on_day, worked.get(day, 0.0))
            if already_paid:
                worked[day] -= already_paid
            hours += on_day - already_paid
        kind = absence.kind.strip()
        if kind.casefold() in paid_kinds and not absence.unpaid:
            paid[kind] = paid.get(kind, 0.0) + hours
            if kind.casefold() in pto_kinds:
                pto += hours
            elif kind.casefold() == "sick":
                sick += hours
            else:
                other += hours
        else:
            unpaid[kind] = unpaid.get(kind, 0.0) + hours
        clash = sorted(d for d in worked_days if absence.start_date <= d <= absence.end_date)
        if clash:
            days = ", ".join(f"{d:%Y-%m-%d}" for d in clash)
            notes.append(f"worked a shift during approved {kind} ({days}): paid as worked, leave only beyond it")

    if not person.active:
        notes.append("no longer active")
    if pending:
        notes.append(f"{_hours(pending):.2f} h of time off requested but not approved (not counted)")
    if not (regular or overtime or paid or unpaid):
        notes.append("no shifts or time off recorded in this period")
    return PayRow(
        period=period,
        staff_id=staff_id,
        last_name=person.last_name,
        first_name=person.first_name,
        role=person.role,
        exempt=person.exempt,
        active=person.active,
        regular_hours=_hours(regular / 60),
        overtime_hours=_hours(overtime / 60),
        paid_leave={k: _hours(v) for k, v in paid.items()},
        unpaid_leave={k: _hours(v) for k, v in unpaid.items()},
        pto_hours=_hours(pto),
        sick_hours=_hours(sick),
        other_paid_leave_hours=_hours(other),
        notes=tuple(notes),
        worked_minutes=regular + overtime,
        source=source,
        approved_by=timesheet.approved_by if timesheet else "",
    )


# --- CSV for the payroll service ----------------------------------------------------------------------


def payroll_csv(rows: Iterable[PayRow], period: Period, *, actor: str) -> str:
    """The payroll service's CSV: a header, then one row per person sorted by last name, hours to 2 decimals.

    Columns: CSV_HEADER (hours_source: where the worked hours came from, punches, shifts or mixed). The role
    is its label ("Medical assistant"). The period is not a column (the
    payroll service takes one file per period); every row must belong to `period`.
    """
    _may_read(actor, "the payroll export")
    rows = list(rows)
    stray = [r for r in rows if r.period != period]
    if stray:
        raise ValueError(f"{stray[0].name}'s row is for {stray[0].period}, not {period}")
    return csv_text(CSV_HEADER, (
        [r.staff_id, r.last_name, r.first_name, r.role.label,
         *(Figure(f"{h:.2f}") for h in (r.regular_hours, r.overtime_hours, r.pto_hours, r.sick_hours,
                                        r.other_paid_leave_hours, r.unpaid_leave_hours, r.total_paid_hours)),
         r.source]
        for r in sorted(rows, key=lambda r: (r.last_name.casefold(), r.first_name.casefold(), r.staff_id))
    ))
