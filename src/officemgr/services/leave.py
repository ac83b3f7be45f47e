"""PTO and sick-leave balances: what a person has accrued, carried over, used and asked for, on a given day.

Rules:

- The plan for a kind of leave is the person's own LeavePlan row, else their role's, else everyone's (both
  empty). Without any row, PTO keeps the staff record's yearly allowance (`pto_hours_per_year`, granted whole at
  the start of each leave year from January 1, nothing carried over) and sick leave follows the
  `sick_leave_default` setting (1 hour per 30 worked, 40 carried, from January 1).
- The leave year starts on the plan's reset date (month/day; February 29 is refused when a plan is saved).
- Per pay period (services.payroll's periods): the plan's hours are credited on each period's last day, so a
  period straddling the reset date counts in the leave year holding its last day; a period only partly
  employed (hired or ended inside it) earns its share by calendar days.
- Per hour worked: hours worked are what payroll pays (services.payroll.worked_minutes_by_day: a day's
  punches when it has any, else its shifts less breaks), grouped by pay period inside the leave year; each group
  earns worked / per_hours_worked * hours, rounded to 2 decimals (30 h -> 1.00, 29.5 h -> 0.98).
- Nothing accrues before the hire date nor after the end date.
- At each reset the balance carries over up to the plan's cap (None: all of it; 0: use it or lose it); a
  negative balance carries whole.
- Used: approved time off of the kinds that draw on it (the `pto_kinds` setting for PTO, "Sick" for sick
  leave) inside the leave year, whatever its day in that year; time off flagged unpaid never draws.
  Requested: the same for requests not yet decided.
- Adjustments (LeaveAdjustment, services.leave_edit) count from their day.

A balance reads only that person's rows (shifts, punches, time off, adjustments; each indexed by staff_id), and
only from the leave year holding their hire date (the first one computed, so carry-over stays exact). The
balances of many people are read together: a handful of queries, whatever their number.
"""

from __future__ import annotations

import calendar as monthdays
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from officemgr.models import Staff, TimeOff, TimeOffStatus
from officemgr.models.people import employed_on
from officemgr.models.timeclock import AccrualMethod, LeaveAdjustment, LeaveKind, LeavePlan
from officemgr.services import settings
from officemgr.services.access import Actor, Area, may, require
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.common import ServiceError
from officemgr.services.payroll import (
    HOURS_PER_WEEKDAY,
    Period,
    PeriodRule,
    leave_hours_between,
    period_containing,
    period_rule,
    worked_minutes_by_day,
)

PER_YEAR = "per_year"  # no plan row: the staff record's yearly PTO allowance


def hours(value: float) -> float:
    """Hours to 2 decimals (adding 0.0 turns a -0.0 into 0.0, so nothing shows as "-0.00")."""
    return round(value + 0.0, 2)


@dataclass(frozen=True)
class Plan:
    """How one kind of leave accrues for one person, and where that rule comes from (`applies_to`)."""

    kind: LeaveKind
    method: str  # an AccrualMethod value, or PER_YEAR
    hours: float
    per_hours_worked: float | None
    carry_over_cap: float | None
    reset_month: int
    reset_day: int
    applies_to: str  # "this person", "their role", "everyone", "the default"
    plan_id: int | None = None

    def describe(self) -> str:
        if self.method == PER_YEAR:
            rate = f"{self.hours:g} h a year"
        elif self.method == AccrualMethod.per_period.value:
            rate = f"{self.hours:g} h each pay period"
        else:
            rate = f"{self.hours:g} h per {self.per_hours_worked or 0:g} h worked"
        cap = ("all unused hours carry over" if self.carry_over_cap is None
               else "use it or lose it" if self.carry_over_cap == 0 else f"up to {self.carry_over_cap:g} h carry over")
        return f"{rate}, {cap}, year from {self.reset_month:02d}/{self.reset_day:02d} ({self.applies_to})"


@dataclass(frozen=True)
class LedgerLine:
    day: date
    what: str
    hours: float  # + adds to the balance, - takes from it


@dataclass(frozen=True)
class Balance:
    """One kind of leave for one person in the leave year holding `on`."""

    kind: LeaveKind
    staff_id: int
    name: str
    on: date
    year_start: date
    year_end: date
    carried: float
    accrued: float
    adjusted: float
    used: float
    requested: float
    plan: Plan

    @property
    def left(self) -> float:
        return hours(self.carried + self.accrued + self.adjusted - self.used)

    @property
    def left_if_approved(self) -> float:
        return hours(self.left - self.requested)

    def line(self) -> str:
        """'PTO left on 12/14: 24.0 h (8.0 h more requested)'."""
        pending = f" ({self.requested:.1f} h more requested)" if self.requested else ""
        return f"{self.kind.label} left on {self.on:%m/%d}: {self.left:.1f} h{pending}"


@dataclass(frozen=True)
class Ledger:
    balance: Balance
    lines: tuple[LedgerLine, ...]


@dataclass(frozen=True)
class BalanceRow:
    staff_id: int
    name: str
    role_label: str
    pto: Balance
    sick: Balance


# --- dates ---------------------------------------------------------------------------------------------


def reset_on(year: int, month: int, day: int) -> date:
    """The reset date in `year`; a day past the month's end (a row saved before the check) is its last day."""
    return date(year, month, min(day, monthdays.monthrange(year, month)[1]))


def leave_year(day: date, month: int, reset_day: int) -> Period:
    """The leave year holding `day` for a plan reset on month/reset_day."""
    start = reset_on(day.year, month, reset_day)
    if start > day:
        start = reset_on(day.year - 1, month, reset_day)
    return Period(start, reset_on(start.year + 1, month, reset_day) - timedelta(days=1))


def request_hours(calendar: PracticeCalendar, start: date, end: date, typed: float | None) -> float:
    """A request's hours: as typed, else 8 per day the practice is open between start and end."""
    if typed is not None:
        return float(typed)
    return HOURS_PER_WEEKDAY * len(calendar.business_days(start, end)) if end >= start else 0.0


# --- plans ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setup:
    """What every balance reads once: the pay periods' rule, the calendar, the PTO kinds, the plans."""

    rule: PeriodRule
    calendar: PracticeCalendar
    pto_kinds: tuple[str, ...]
    plans: tuple[LeavePlan, ...]
    sick_default: Plan


def _setup(session: Session) -> _Setup:
    return _Setup(period_rule(session), practice_calendar(session),
                  tuple(str(k) for k in settings.get(session, "pto_kinds")),
                  tuple(session.exec(select(LeavePlan))), _sick_default(session))


def _sick_default(session: Session) -> Plan:
    value = settings.get(session, "sick_leave_default")
    try:
        month, day = (int(part) for part in str(value.get("reset", "01-01")).split("-"))
        cap = value.get("carry_over_cap")
        return Plan(LeaveKind.sick, AccrualMethod.per_hour.value, float(value["hours"]),
                    float(value["per_hours_worked"]), None if cap is None else float(cap), month, day, "the default")
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ServiceError("the sick_leave_default setting needs hours, per_hours_worked, carry_over_cap and "
                           "reset like 01-01") from None


def _plan_of(row: LeavePlan, applies_to: str) -> Plan:
    return Plan(row.kind, row.method.value, row.hours, row.per_hours_worked, row.carry_over_cap, row.reset_month,
                row.reset_day, applies_to, row.id)


def plan_for(setup: _Setup, person: Staff, kind: LeaveKind) -> Plan:
    """The person's own plan, else their role's, else everyone's, else the default."""
    found = {(r.staff_id, r.role): r for r in setup.plans if r.kind is kind}
    for key, applies_to in (((person.id, ""), "this person"), ((None, person.role.value), "their role"),
                            ((None, ""), "everyone")):
        if key in found:
            return _plan_of(found[key], applies_to)
    if kind is LeaveKind.pto:
        return Plan(kind, PER_YEAR, float(person.pto_hours_per_year), None, 0, 1, 1, "the staff record")
    return setup.sick_default


# --- what one person has on file ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    person: Staff
    worked: dict[date, int]  # minutes worked a day, up to the balance's day
    time_off: list[TimeOff]
    adjustments: list[LeaveAdjustment]


def _facts(session: Session, people: list[Staff], on: date) -> dict[int, _Facts]:
    """Each person's rows that a balance on `on` can count, read together for all of them."""
    ids = [p.id for p in people if p.id is not None]
    hired = [p.hire_date for p in people]
    # The first leave year computed holds the hire date, so it starts less than a year before it; without a
    # hire date the first year holds the earliest row, so everything is read.
    since = None if None in hired or not hired else min(d for d in hired if d is not None) - timedelta(days=366)
    time_off = select(TimeOff).where(col(TimeOff.staff_id).in_(ids))
    adjustments = select(LeaveAdjustment).where(col(LeaveAdjustment.staff_id).in_(ids),
                                                col(LeaveAdjustment.adjusted_on) <= on)
    if since is not None:
        time_off = time_off.where(col(TimeOff.end_date) >= since)
        adjustments = adjustments.where(col(LeaveAdjustment.adjusted_on) >= since)
    offs: dict[int, list[TimeOff]] = defaultdict(list)
    for off in session.exec(time_off):
        offs[off.staff_id].append(off)
    adjusts: dict[int, list[LeaveAdjustment]] = defaultdict(list)
    for adj in session.exec(adjustments):
        adjusts[adj.staff_id].append(adj)
    worked = worked_minutes_by_day(session, ids, since or date.min, on)
    return {p.id: _Facts(p, worked.get(p.id, {}), offs[p.id], adjusts[p.id]) for p in people if p.id is not None}


def _first_day(facts: _Facts, on: date) -> date:
    if facts.person.hire_date is not None:
        return facts.person.hire_date
    days = [*facts.worked, *(t.start_date for t in facts.time_off), *(a.adjusted_on for a in facts.adjustments)]
    return min([*days, on])


def drawing_kind(kind_text: str, pto_kinds: Iterable[str]) -> LeaveKind | None:
    """The balance a kind of time off draws on: PTO for the `pto_kinds`, sick leave for "Sick", else none."""
    folded = kind_text.strip().casefold()
    if folded in {str(k).strip().casefold() for k in pto_kinds}:
        return LeaveKind.pto
    return LeaveKind.sick if folded == "sick" else None


# --- the computation ----------------------------------------------------------------------------------


def _employed_days(period: Period, hired: date | None, ended: date | None) -> int:
    first = max(period.start, hired) if hired else period.start
    last = min(period.end, ended) if ended else period.end
    return max(0, (last - first).days + 1)


def _accruals(rule: PeriodRule, plan: Plan, facts: _Facts, year: Period, on: date) -> list[LedgerLine]:
    person = facts.person
    hired, ended = person.hire_date, person.end_date
    if plan.method == PER_YEAR:
        granted = max(year.start, hired) if hired else year.start
        if granted > on or granted > year.end or (ended is not None and ended < year.start):
            return []
        return [LedgerLine(granted, "Yearly allowance", hours(plan.hours))]
    lines = []
    if plan.method == AccrualMethod.per_period.value:
        period = period_containing(rule, year.start)
        while period.end <= min(year.end, on):
            if days := _employed_days(period, hired, ended):
                lines.append(LedgerLine(period.end, f"Pay period {period.start:%m/%d}–{period.end:%m/%d}",
                                        hours(plan.hours * days / period.days)))
            period = period_containing(rule, period.end + timedelta(days=1))
        return lines
    worked: dict[Period, int] = defaultdict(int)
    for day, minutes in facts.worked.items():
        if year.start <= day <= min(year.end, on) and (hired is None or day >= hired) and \
                (ended is None or day <= ended):
            period = period_containing(rule, day)
            worked[Period(max(period.start, year.start), min(period.end, year.end))] += minutes
    per = plan.per_hours_worked or 1.0
    for period, minutes in sorted(worked.items(), key=lambda item: item[0].start):
        lines.append(LedgerLine(period.end, f"Worked {minutes / 60:.2f} h, {period.start:%m/%d}–{period.end:%m/%d}",
                                hours(minutes / 60 / per * plan.hours)))
    return lines


def _compute(setup: _Setup, facts: _Facts, kind: LeaveKind, on: date) -> Ledger:
    person, plan, calendar = facts.person, plan_for(setup, facts.person, kind), setup.calendar
    assert person.id is not None, "a person read has an id"
    year = leave_year(_first_day(facts, on), plan.reset_month, plan.reset_day)
    draws = [t for t in facts.time_off if not t.unpaid and drawing_kind(t.kind, setup.pto_kinds) is kind]
    carried = 0.0
    while True:
        lines = _accruals(setup.rule, plan, facts, year, on)
        accrued = sum(line.hours for line in lines)
        adjusted = 0.0
        for adj in facts.adjustments:
            if adj.kind is kind and year.start <= adj.adjusted_on <= min(year.end, on):
                adjusted += adj.hours
                lines.append(LedgerLine(adj.adjusted_on, f"Adjustment: {adj.reason} ({adj.actor})", hours(adj.hours)))
        used = requested = 0.0
        for off in draws:
            if off.end_date < year.start or off.start_date > year.end:
                continue
            inside = leave_hours_between(off, year.start, year.end, calendar)
            if off.status is TimeOffStatus.approved:
                used += inside
                lines.append(LedgerLine(off.start_date, f"{off.kind} {off.start_date:%m/%d}–{off.end_date:%m/%d}",
                                        hours(-inside)))
            elif off.status is TimeOffStatus.requested:
                requested += inside
        balance = Balance(kind, person.id, person.name, on, year.start, year.end, hours(carried), hours(accrued),
                          hours(adjusted), hours(used), hours(requested), plan)
        if year.end >= on:
            opening = [LedgerLine(year.start, "Carried over from last leave year", balance.carried)] \
                if balance.carried else []
            return Ledger(balance, tuple(opening + sorted(lines, key=lambda line: line.day)))
        closing = balance.left
        cap = plan.carry_over_cap
        carried = closing if cap is None or closing <= cap else cap
        year = leave_year(year.end + timedelta(days=1), plan.reset_month, plan.reset_day)


def ledger_of(session: Session, person: Staff, kind: LeaveKind, on: date) -> Ledger:
    """No access check: for the services that must weigh a request against the balance."""
    assert person.id is not None, "a person read has an id"
    return _compute(_setup(session), _facts(session, [person], on)[person.id], kind, on)


def _may_see(actor: str, staff_id: int) -> None:
    if isinstance(actor, Actor) and actor.staff_id == staff_id:
        return
    require(actor, Area.payroll, write=False, what="seeing another person's leave balance")


def may_see(actor: str, staff_id: int) -> bool:
    return (isinstance(actor, Actor) and actor.staff_id == staff_id) or may(actor, Area.payroll, write=False)


def _person(session: Session, staff_id: int) -> Staff:
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member is no longer on file — reload")
    return person


def ledger(session: Session, staff_id: int, kind: LeaveKind, on: date, *, actor: str) -> Ledger:
    """`staff_id`'s ledger of `kind` for the leave year holding `on`: their own, or anyone's for payroll."""
    _may_see(actor, staff_id)
    return ledger_of(session, _person(session, staff_id), kind, on)


def balances_of(session: Session, staff_id: int, on: date, *, actor: str) -> tuple[Balance, Balance]:
    """(PTO, sick leave) for one person on `on`."""
    _may_see(actor, staff_id)
    setup, facts = _setup(session), _facts(session, [_person(session, staff_id)], on)[staff_id]
    return _compute(setup, facts, LeaveKind.pto, on).balance, _compute(setup, facts, LeaveKind.sick, on).balance


def balance_list(session: Session, on: date, *, actor: str) -> list[BalanceRow]:
    """The PTO and sick leave on `on` of every active staff member still employed that day, by last name."""
    require(actor, Area.payroll, write=False, what="seeing everyone's leave balances")
    setup = _setup(session)
    people = list(session.exec(select(Staff).where(Staff.active, employed_on(on))
                               .order_by(col(Staff.last_name), col(Staff.first_name))))
    everyone = _facts(session, people, on)
    result = []
    for person in people:
        assert person.id is not None, "rows read have ids"
        facts = everyone[person.id]
        result.append(BalanceRow(person.id, person.name, person.role.label,
                                 _compute(setup, facts, LeaveKind.pto, on).balance,
                                 _compute(setup, facts, LeaveKind.sick, on).balance))
    return result


@dataclass(frozen=True)
class RequestBalances:
    """What the time-off form shows: the balances the actor may see, by (staff_id, kind), and the calendar that
    turns a request's days into hours."""

    balances: dict[tuple[int, LeaveKind], Balance]
    pto_kinds: tuple[str, ...]
    calendar: PracticeCalendar

    def line(self, staff_id: int | None, kind_text: str | None, hours_asked: float | None) -> str:
        kind = drawing_kind(kind_text or "", self.pto_kinds)
        if staff_id is None or kind is None:
            return "This kind of time off does not draw on a balance" if kind_text else ""
        balance = self.balances.get((staff_id, kind))
        shown = balance.line() if balance else f"{kind.label} balance: the manager's to see"
        return shown + (f"; this request: {hours_asked:.1f} h" if hours_asked is not None else "")


def request_balances(session: Session, staff_ids: Iterable[int], on: date, *, actor: str) -> RequestBalances:
    """The balances on `on` of those of `staff_ids` the actor may see, read together."""
    seen = [staff_id for staff_id in staff_ids if may_see(actor, staff_id)]
    people = list(session.exec(select(Staff).where(col(Staff.id).in_(seen)))) if seen else []
    setup, everyone = _setup(session), _facts(session, people, on)
    found: dict[tuple[int, LeaveKind], Balance] = {}
    for staff_id, facts in everyone.items():
        for kind in LeaveKind:
            found[(staff_id, kind)] = _compute(setup, facts, kind, on).balance
    return RequestBalances(found, setup.pto_kinds, setup.calendar)


@dataclass(frozen=True)
class ApprovalCheck:
    """A request weighed against the balance before approval: left now (approved only) and after."""

    kind: LeaveKind
    left: float
    asked: float
    shown: bool = True  # False: the actor may not see the balance, so the text does not give it

    @property
    def after(self) -> float:
        return hours(self.left - self.asked)

    @property
    def over(self) -> bool:
        return self.asked > self.left + 0.005

    def text(self) -> str:
        if not self.shown:
            return over_text(self.kind, self.asked)
        return f"{self.kind.label} left: {self.left:.1f} h; this request: {self.asked:.1f} h"


def over_text(kind: LeaveKind, asked: float) -> str:
    """A request over its balance, said without the balance (for those who may not see it)."""
    return f"this request: {asked:.1f} h is more {kind.label} than is left"


def approval_check(session: Session, off_id: int, *, actor: str | None = None) -> ApprovalCheck | None:
    """The balance request `off_id` draws on, before it is approved; None when it draws on none (or is unpaid).
    With `actor`, its text gives the balance only when they may see it (their own, or payroll readers)."""
    off = session.get(TimeOff, off_id)
    if off is None:
        raise ServiceError("that request no longer exists — reload")
    kind = drawing_kind(off.kind, settings.get(session, "pto_kinds"))
    if kind is None or off.unpaid:
        return None
    balance = ledger_of(session, _person(session, off.staff_id), kind, off.start_date).balance
    # Its hours as the balance counts them: none recorded is 8 per day the practice is open.
    asked = leave_hours_between(off, off.start_date, off.end_date, practice_calendar(session))
    left = balance.left + (asked if off.status is TimeOffStatus.approved else 0.0)
    shown = actor is None or may_see(actor, off.staff_id)
    return ApprovalCheck(kind, hours(left), hours(asked), shown)
