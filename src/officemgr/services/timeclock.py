"""The time clock: punching in and out (the signed-in user at the front desk, or name and PIN at the kiosk), late,
early and missed punches against the shift, and fixes to punches that only the manager's approval applies.

Rules:
- A punch toggles: in when the person has no open punch today, else out (closing that open punch). An open punch
  from an earlier day is left as it is (a missed out-punch, fixed by a PunchFix) and today's punch is an in.
- A punch ends on the day it starts: overnight stretches are refused (the practice is not open overnight), so a
  forgotten out-punch never turns into a 20-hour day.
- Late: the first clock-in of a shift's day after the shift's start plus `punch_grace_minutes` (exactly the grace
  is on time). Early leave: the last clock-out before the shift's end less the grace.
- Missed: a shift already over with no punch at all that day, or a punch still open after its shift's end (after
  the end of its day when there was no shift). Only people on the time clock miss a shift without punches: those
  who punched in the 14 days before it (someone who never punches, or before they started to, is paid from shifts).
- Fixes: anyone may ask for their own punches (the manager for anyone's), with a reason; they change punches only
  when the manager approves (the punch is made or changed with source `fix`); a denial changes nothing. A fix may
  not overlap another punch or another pending fix of the person; approval checks the punches again (one made or
  fixed since the asking would pay the stretch twice). Approving a fix in a period whose timesheet is approved
  clears that approval: the timesheet is approved again with the new hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, field_validator
from sqlmodel import Session, col, select

from officemgr.models import Shift, Staff, UserAccount
from officemgr.models.timeclock import FixStatus, Punch, PunchFix, PunchSource, Timesheet
from officemgr.models.validation import parse_time
from officemgr.plaintext import unsafe_character
from officemgr.services import settings, users
from officemgr.services.access import Actor, Area, require
from officemgr.services.common import ServiceError, _plain, created_fields, record

REASON_LENGTH = 300


@dataclass(frozen=True)
class PunchResult:
    """What a punch did: `direction` "in" or "out"; `minutes` the stretch closed by an out-punch."""

    staff_id: int
    name: str
    direction: str
    at: datetime
    minutes: int = 0

    @property
    def notice(self) -> str:
        """'In at 08:03' or 'Out at 17:01, 8 h 58 min'."""
        if self.direction == "in":
            return f"In at {self.at:%H:%M}"
        return f"Out at {self.at:%H:%M}, {duration(self.minutes)}"


def duration(minutes: int) -> str:
    """'8 h 58 min', '45 min', '8 h'."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()) // 60)


def _person(session: Session, staff_id: int) -> Staff:
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    return person


def staff_names(session: Session, staff_ids: Iterable[int]) -> dict[int, str]:
    """The names of `staff_ids` (who exist), in one query."""
    ids = list(staff_ids)
    if not ids:
        return {}
    return {person.id: person.name for person in session.exec(select(Staff).where(col(Staff.id).in_(ids)))
            if person.id is not None}


def _for(actor: str, staff_id: int, what: str) -> None:
    """Anyone may act on their own punches; acting for someone else is the manager's."""
    if isinstance(actor, Actor) and actor.staff_id == staff_id:
        return
    require(actor, Area.staff, what=f"{what} for someone else")


def grace_minutes(session: Session) -> int:
    value = settings.get(session, "punch_grace_minutes")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 120:
        raise ServiceError(f"the punch_grace_minutes setting is a number of minutes 0-120, not {value!r}")
    return value


# --- punching -----------------------------------------------------------------------------------------


def _open_today(session: Session, staff_id: int, day: date) -> Punch | None:
    return session.exec(
        select(Punch).where(Punch.staff_id == staff_id, col(Punch.clock_out).is_(None),
                            col(Punch.clock_in) >= datetime.combine(day, time.min),
                            col(Punch.clock_in) < datetime.combine(day + timedelta(days=1), time.min))
        .order_by(col(Punch.clock_in).desc())
    ).first()


def _punch(session: Session, person: Staff, *, now: datetime, actor: str, source: PunchSource) -> PunchResult:
    assert person.id is not None, "rows read have ids"
    if person.end_date is not None and now.date() > person.end_date:
        raise ServiceError(f"{person.name} left on {person.end_date:%m/%d/%Y}; there is nothing to punch")
    at = now.replace(second=0, microsecond=0)
    open_punch = _open_today(session, person.id, at.date())
    if open_punch is not None:
        assert open_punch.id is not None
        if at < open_punch.clock_in:
            raise ServiceError(f"{person.name} punched in at {open_punch.clock_in:%H:%M}, after this time")
        open_punch.clock_out = at
        open_punch.version += 1
        record(session, actor=actor, entity="punch", entity_id=open_punch.id, action="update",
               changes={"clock_out": [None, _plain(at)]}, now=now)
        session.commit()
        return PunchResult(person.id, person.name, "out", at, _minutes(open_punch.clock_in, at))
    punch = Punch(staff_id=person.id, clock_in=at, source=source)
    session.add(punch)
    session.flush()
    assert punch.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="punch", entity_id=punch.id, action="create",
           changes=created_fields(punch), now=now)
    session.commit()
    return PunchResult(person.id, person.name, "in", at)


def punch_self(session: Session, *, now: datetime, actor: Actor) -> PunchResult:
    """The signed-in user punches in, or out when they are in: at the front-desk PC."""
    if actor.staff_id is None:
        raise ServiceError(f"{actor.name} has no staff record, so there is nothing to punch; "
                           "the manager can link the user account to a staff member")
    return _punch(session, _person(session, actor.staff_id), now=now, actor=actor, source=PunchSource.desk)


@dataclass(frozen=True)
class KioskName:
    """One name on the kiosk's list: a staff member with an active user account."""

    staff_id: int
    name: str


def kiosk_names(session: Session, today: date) -> list[KioskName]:
    """Who may punch at the kiosk: active staff (not past their end date) with an active user account."""
    rows = session.exec(
        select(Staff).join(UserAccount, col(UserAccount.staff_id) == col(Staff.id))
        .where(col(Staff.active), col(UserAccount.active)).order_by(col(Staff.first_name), col(Staff.last_name))
    ).all()
    return [KioskName(s.id, s.name) for s in rows
            if s.id is not None and (s.end_date is None or s.end_date >= today)]


def kiosk_punch(session: Session, staff_id: int, typed_pin: str, *, now: datetime, workstation: str,
                wall: datetime | None = None) -> PunchResult:
    """Punch `staff_id` in or out at the kiosk with their own user account's PIN. A wrong PIN counts as a failed
    sign-in (and its wait); a person with no active user account cannot use the kiosk."""
    person = _person(session, staff_id)
    account = session.exec(select(UserAccount).where(UserAccount.staff_id == staff_id,
                                                     col(UserAccount.active))).first()
    if account is None:
        raise ServiceError(f"{person.name} has no user account, so cannot use the kiosk; "
                           "punch at the front desk signed in, or ask the manager for an account")
    tried = users.sign_in(session, account.login, typed_pin, workstation=workstation, now=now, wall=wall)
    if tried.actor is None:
        left = tried.wait.seconds_left(wall or now)
        if not tried.checked:
            raise ServiceError(f"too many wrong PINs: wait {int(left) + 1} seconds and try again")
        wait = f"; wait {int(left) + 1} seconds before the next try" if left > 0 else ""
        raise ServiceError(f"wrong PIN for {person.name} — nothing was punched{wait}")
    return _punch(session, person, now=now, actor=tried.actor, source=PunchSource.kiosk)


# --- late, early, missed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PunchLine:
    punch_id: int
    clock_in: datetime
    clock_out: datetime | None
    source: PunchSource

    @property
    def minutes(self) -> int:
        return _minutes(self.clock_in, self.clock_out) if self.clock_out else 0


@dataclass(frozen=True)
class DayCheck:
    """One person's day: the shifts, the punches, and what is wrong with them."""

    staff_id: int
    day: date
    shift_start: datetime | None
    shift_end: datetime | None
    scheduled_minutes: int
    punches: tuple[PunchLine, ...]
    late_minutes: int  # 0: on time (or no shift / no punch)
    early_minutes: int
    missed: bool

    @property
    def punched_minutes(self) -> int:
        return sum(p.minutes for p in self.punches)


def _punches(session: Session, first: date, last: date, staff_id: int | None = None) -> list[Punch]:
    query = select(Punch).where(col(Punch.clock_in) >= datetime.combine(first, time.min),
                                col(Punch.clock_in) < datetime.combine(last + timedelta(days=1), time.min))
    if staff_id is not None:
        query = query.where(Punch.staff_id == staff_id)
    return list(session.exec(query.order_by(col(Punch.clock_in), col(Punch.id))))


def _shifts(session: Session, first: date, last: date, staff_id: int | None = None) -> list[Shift]:
    query = select(Shift).where(col(Shift.start) >= datetime.combine(first, time.min),
                                col(Shift.start) < datetime.combine(last + timedelta(days=1), time.min))
    if staff_id is not None:
        query = query.where(Shift.staff_id == staff_id)
    return list(session.exec(query.order_by(col(Shift.start))))


ON_THE_CLOCK_DAYS = 14


def check_day(shifts: list[Shift], punches: list[Punch], *, staff_id: int, day: date, now: datetime,
              grace: int, on_the_clock: bool = True) -> DayCheck:
    """The rules of the module's note for one person's `day` (its shifts and punches as read); `on_the_clock`
    False: the person does not punch, so a shift without punches is not missed."""
    lines = tuple(PunchLine(p.id or 0, p.clock_in, p.clock_out, p.source)
                  for p in sorted(punches, key=lambda p: p.clock_in))
    start = min((s.start for s in shifts), default=None)
    end = max((s.end for s in shifts), default=None)
    late = early = 0
    missed = False
    allowed = timedelta(minutes=grace)
    if start is not None and end is not None:
        if lines and lines[0].clock_in > start + allowed:
            late = _minutes(start, lines[0].clock_in)
        closed = [p.clock_out for p in lines if p.clock_out is not None]
        if closed and len(closed) == len(lines) and max(closed) < end - allowed:
            early = _minutes(max(closed), end)
        missed = (not lines and on_the_clock and now >= end) or any(p.clock_out is None and now >= end for p in lines)
    else:
        day_over = now >= datetime.combine(day + timedelta(days=1), time.min)
        missed = day_over and any(p.clock_out is None for p in lines)
    return DayCheck(staff_id, day, start, end, sum(s.worked_minutes for s in shifts), lines, late, early, missed)


def day_checks(session: Session, first: date, last: date, *, now: datetime, actor: str,
               staff_id: int | None = None) -> list[DayCheck]:
    """Every person-day from `first` to `last` with a shift or a punch, by day then staff id. Only the days up to
    `now` can be late, early or missed. Days after a person's end date are left out."""
    if staff_id is None:
        require(actor, Area.payroll, write=False, what="seeing everyone's punches")
    else:
        _for(actor, staff_id, "seeing punches")
    grace = grace_minutes(session)
    shifts: dict[tuple[int, date], list[Shift]] = {}
    for shift in _shifts(session, first, last, staff_id):
        shifts.setdefault((shift.staff_id, shift.start.date()), []).append(shift)
    punches: dict[tuple[int, date], list[Punch]] = {}
    for punch in _punches(session, first, last, staff_id):
        punches.setdefault((punch.staff_id, punch.clock_in.date()), []).append(punch)
    punch_days: dict[int, set[date]] = {}
    for recent in _punches(session, first - timedelta(days=ON_THE_CLOCK_DAYS), last, staff_id):
        punch_days.setdefault(recent.staff_id, set()).add(recent.clock_in.date())

    def on_the_clock(sid: int, day: date) -> bool:
        return any(day - timedelta(days=ON_THE_CLOCK_DAYS) <= d < day for d in punch_days.get(sid, ()))

    ends = {s.id: s.end_date for s in session.exec(select(Staff))}
    out = []
    for sid, day in sorted(set(shifts) | set(punches), key=lambda k: (k[1], k[0])):
        end_date = ends.get(sid)
        if end_date is not None and day > end_date:
            continue
        out.append(check_day(shifts.get((sid, day), []), punches.get((sid, day), []), staff_id=sid, day=day,
                             now=now, grace=grace, on_the_clock=on_the_clock(sid, day)))
    return out


# --- fixes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixRow:
    id: int
    staff_id: int
    name: str
    punch_id: int | None
    clock_in: datetime
    clock_out: datetime
    reason: str
    requested_by: str
    requested_on: date
    status: FixStatus
    decided_by: str
    decided_on: date | None


class FixEntry(BaseModel):
    """A fix as typed on the form: the day, the in and out times, the reason (checked again by ask_fix)."""

    staff_id: int
    day: date
    start_time: str
    end_time: str
    reason: str
    punch_id: int | None = None

    _times = field_validator("start_time", "end_time")(parse_time)

    @property
    def clock_in(self) -> datetime:
        return datetime.combine(self.day, time.fromisoformat(self.start_time))

    @property
    def clock_out(self) -> datetime:
        return datetime.combine(self.day, time.fromisoformat(self.end_time))


def _fix_row(fix: PunchFix, name: str) -> FixRow:
    assert fix.id is not None
    return FixRow(fix.id, fix.staff_id, name, fix.punch_id, fix.clock_in, fix.clock_out, fix.reason,
                  fix.requested_by, fix.requested_on, fix.status, fix.decided_by, fix.decided_on)


def _no_punch_overlap(session: Session, staff_id: int, punch_id: int | None, clock_in: datetime,
                      clock_out: datetime, advice: str) -> None:
    """Refuses clock_in..clock_out when it overlaps one of the person's punches other than `punch_id`."""
    day = clock_in.date()
    for other in _punches(session, day, day, staff_id):
        if other.id != punch_id and other.clock_in < clock_out and (other.clock_out or other.clock_in) > clock_in:
            shown = f"{other.clock_out:%H:%M}" if other.clock_out else "?"
            raise ServiceError(f"{clock_in:%H:%M}-{clock_out:%H:%M} overlaps the punch {other.clock_in:%H:%M}-{shown} "
                               f"{advice}")


def _check_fix(session: Session, staff_id: int, punch_id: int | None, clock_in: datetime, clock_out: datetime,
               reason: str, now: datetime) -> str:
    text = reason.strip()
    if not text:
        raise ServiceError("give the reason for the fix (e.g. 'forgot to punch out, left at 17:00')")
    if len(text) > REASON_LENGTH:
        raise ServiceError(f"the reason can be at most {REASON_LENGTH} characters")
    if unsafe_character(text) is not None:
        raise ServiceError("the reason is one line of plain text")
    if clock_out <= clock_in:
        raise ServiceError(f"the out time {clock_out:%H:%M} must be after the in time {clock_in:%H:%M}")
    if clock_out.date() != clock_in.date():
        raise ServiceError("a punch ends on the day it starts; enter a stretch past midnight as two fixes")
    if clock_out > now:
        raise ServiceError(f"the out time {clock_out:%m/%d %H:%M} has not happened yet")
    _no_punch_overlap(session, staff_id, punch_id, clock_in, clock_out,
                      "that day; fix that punch instead, or choose times around it")
    other = session.exec(select(PunchFix).where(
        PunchFix.staff_id == staff_id, PunchFix.status == FixStatus.pending,
        col(PunchFix.clock_in) < clock_out, col(PunchFix.clock_out) > clock_in)).first()
    if other is not None:
        raise ServiceError(f"{clock_in:%H:%M}-{clock_out:%H:%M} overlaps the fix {other.clock_in:%H:%M}-"
                           f"{other.clock_out:%H:%M} already waiting for that day (asked by {other.requested_by}); "
                           "the manager decides that one first, or choose times around it")
    if punch_id is not None:
        punch = session.get(Punch, punch_id)
        if punch is None or punch.staff_id != staff_id:
            raise ServiceError("that punch no longer exists — reload")
        if punch.clock_in.date() != clock_in.date():
            raise ServiceError(f"the punch being fixed is on {punch.clock_in:%m/%d/%Y}; keep that date, or fix "
                               "another day from its own line")
    return text


def ask_fix(session: Session, staff_id: int, *, clock_in: datetime, clock_out: datetime, reason: str,
            punch_id: int | None = None, today: date, now: datetime, actor: str) -> int:
    """Ask for a punch to be made (`punch_id` None) or changed to clock_in..clock_out; pending until the manager
    decides. Anyone for their own punches, the manager for anyone's."""
    _for(actor, staff_id, "asking for a punch fix")
    _person(session, staff_id)
    text = _check_fix(session, staff_id, punch_id, clock_in, clock_out, reason, now)
    fix = PunchFix(staff_id=staff_id, punch_id=punch_id, clock_in=clock_in, clock_out=clock_out, reason=text,
                   requested_by=str(actor)[:60], requested_on=today)
    session.add(fix)
    session.flush()
    assert fix.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="punch_fix", entity_id=fix.id, action="create",
           changes=created_fields(fix), now=now)
    session.commit()
    return fix.id


def _pending(session: Session, fix_id: int) -> PunchFix:
    fix = session.get(PunchFix, fix_id)
    if fix is None:
        raise ServiceError("that punch fix no longer exists — reload")
    if fix.status is not FixStatus.pending:
        raise ServiceError(f"that fix was already {fix.status.value} by {fix.decided_by}")
    return fix


def _decide(session: Session, fix: PunchFix, status: FixStatus, *, today: date, now: datetime, actor: str) -> None:
    assert fix.id is not None
    fix.status, fix.decided_by, fix.decided_on = status, str(actor)[:60], today
    fix.version += 1
    record(session, actor=actor, entity="punch_fix", entity_id=fix.id, action=status.value,
           changes={"status": ["pending", status.value], "decided_by": ["", fix.decided_by],
                    "decided_on": [None, today.isoformat()]}, now=now)


@dataclass(frozen=True)
class FixApproved:
    """What approving a fix did: the punch made or changed, and the approved timesheet it cleared (if any)."""

    punch_id: int
    cleared_start: date | None = None
    cleared_end: date | None = None

    @property
    def notice(self) -> str:
        if self.cleared_start is None or self.cleared_end is None:
            return "Fix approved"
        return (f"Fix approved; the timesheet for {self.cleared_start:%m/%d}–{self.cleared_end:%m/%d} was approved "
                "before it and needs approving again")


def _clear_timesheet(session: Session, staff_id: int, day: date, *, now: datetime,
                     actor: str) -> tuple[date, date] | None:
    """Deletes the approved timesheet of the period holding `day`, if there is one, so payroll and the timesheet
    export do not pay hours that no longer hold; audited with the minutes it had approved."""
    sheet = session.exec(select(Timesheet).where(Timesheet.staff_id == staff_id, col(Timesheet.period_start) <= day,
                                                 col(Timesheet.period_end) >= day)).first()
    if sheet is None:
        return None
    assert sheet.id is not None
    record(session, actor=actor, entity="timesheet", entity_id=sheet.id, action="unapprove",
           changes={"worked_minutes": [sheet.worked_minutes, None], "approved_by": [sheet.approved_by, None],
                    "approved_at": [_plain(sheet.approved_at), None]}, now=now)
    session.delete(sheet)
    return sheet.period_start, sheet.period_end


def approve_fix(session: Session, fix_id: int, *, today: date, now: datetime, actor: str) -> FixApproved:
    """The manager approves a pending fix: the punch is made, or changed, to the fix's times (source `fix`); the
    punch's before and after are audited. Refused when a punch made or fixed since the asking now overlaps it.
    An approved timesheet of the fix's period is cleared (it is approved again with the new hours)."""
    require(actor, Area.staff, what="approving a punch fix")
    fix = _pending(session, fix_id)
    _no_punch_overlap(session, fix.staff_id, fix.punch_id, fix.clock_in, fix.clock_out,
                      "made or fixed since this fix was asked; deny this fix, or ask again with other times")
    punch = session.get(Punch, fix.punch_id) if fix.punch_id is not None else None
    if punch is None:
        punch = Punch(staff_id=fix.staff_id, clock_in=fix.clock_in, clock_out=fix.clock_out, source=PunchSource.fix)
        session.add(punch)
        session.flush()
        assert punch.id is not None, "the flush gives the new row its id"
        record(session, actor=actor, entity="punch", entity_id=punch.id, action="create",
               changes=created_fields(punch) | {"fix_id": fix_id}, now=now)
    else:
        assert punch.id is not None
        changes = {name: [_plain(getattr(punch, name)), _plain(new)]
                   for name, new in (("clock_in", fix.clock_in), ("clock_out", fix.clock_out),
                                     ("source", PunchSource.fix)) if getattr(punch, name) != new}
        punch.clock_in, punch.clock_out, punch.source = fix.clock_in, fix.clock_out, PunchSource.fix
        punch.version += 1
        record(session, actor=actor, entity="punch", entity_id=punch.id, action="update",
               changes=changes | {"fix_id": fix_id}, now=now)
    fix.punch_id = punch.id
    _decide(session, fix, FixStatus.approved, today=today, now=now, actor=actor)
    cleared = _clear_timesheet(session, fix.staff_id, fix.clock_in.date(), now=now, actor=actor)
    session.commit()
    return FixApproved(punch.id, *(cleared or (None, None)))


def deny_fix(session: Session, fix_id: int, *, today: date, now: datetime, actor: str) -> None:
    """The manager denies a pending fix: the punches stay as they were."""
    require(actor, Area.staff, what="denying a punch fix")
    _decide(session, _pending(session, fix_id), FixStatus.denied, today=today, now=now, actor=actor)
    session.commit()


def fix_directly(session: Session, staff_id: int, *, clock_in: datetime, clock_out: datetime, reason: str,
                 punch_id: int | None = None, today: date, now: datetime, actor: str) -> FixApproved:
    """The manager enters a fix and approves it in one step (still with a reason), as approve_fix."""
    require(actor, Area.staff, what="fixing someone's punches")
    fix_id = ask_fix(session, staff_id, clock_in=clock_in, clock_out=clock_out, reason=reason, punch_id=punch_id,
                     today=today, now=now, actor=actor)
    return approve_fix(session, fix_id, today=today, now=now, actor=actor)


def enter_fix(session: Session, entry: FixEntry, *, today: date, now: datetime, actor: str) -> int:
    """A fix from the form: the manager's for someone else is applied at once (fix_directly, returning the punch's
    id); anyone's own is asked for (returning the fix's id)."""
    if not (isinstance(actor, Actor) and actor.staff_id == entry.staff_id):
        return fix_directly(session, entry.staff_id, clock_in=entry.clock_in, clock_out=entry.clock_out,
                            reason=entry.reason, punch_id=entry.punch_id, today=today, now=now,
                            actor=actor).punch_id
    return ask_fix(session, entry.staff_id, clock_in=entry.clock_in, clock_out=entry.clock_out, reason=entry.reason,
                   punch_id=entry.punch_id, today=today, now=now, actor=actor)


def fixes(session: Session, *, actor: str, pending_only: bool = True,
          staff_ids: Iterable[int] | None = None) -> list[FixRow]:
    """Punch fixes, oldest first: everyone's for the manager (and those who may see staff records' decisions)."""
    require(actor, Area.staff, what="seeing punch fixes")
    query = select(PunchFix, Staff).join(Staff, col(Staff.id) == col(PunchFix.staff_id))
    if pending_only:
        query = query.where(PunchFix.status == FixStatus.pending)
    if staff_ids is not None:
        query = query.where(col(PunchFix.staff_id).in_(list(staff_ids)))
    return [_fix_row(f, s.name) for f, s in session.exec(query.order_by(col(PunchFix.requested_on),
                                                                         col(PunchFix.id)))]


def person_fixes(session: Session, staff_id: int, *, actor: str) -> list[FixRow]:
    """Every fix asked for `staff_id`, newest first: their own to see, or the manager's."""
    _for(actor, staff_id, "seeing punch fixes")
    name = _person(session, staff_id).name
    return [_fix_row(f, name) for f in session.exec(
        select(PunchFix).where(PunchFix.staff_id == staff_id).order_by(col(PunchFix.clock_in).desc(),
                                                                       col(PunchFix.id).desc()))]


def pending_fix_days(session: Session, first: date, last: date) -> dict[int, list[date]]:
    """Pending fixes touching `first`..`last`, as the days they are for, by staff id (for timesheet approval)."""
    out: dict[int, list[date]] = {}
    for fix in session.exec(select(PunchFix).where(PunchFix.status == FixStatus.pending,
                                                   col(PunchFix.clock_in) >= datetime.combine(first, time.min),
                                                   col(PunchFix.clock_in) < datetime.combine(
                                                       last + timedelta(days=1), time.min))):
        out.setdefault(fix.staff_id, []).append(fix.clock_in.date())
    return out
