"""Month-end close: the checklist for a month, closing it (which makes services.closed_months refuse later postings
dated in it) and reopening it.

Decisions:
- Each checklist step is ticked (a CloseTask row: who, when, a note) or unticked (the row removed); both audited.
  A closed month's checklist is left as it was closed: reopen the month to change it.
- A hint beside each step is computed from the data where it can be (drawer closes, unposted remittance claims,
  the statement run, bills due, timesheets); A/R review is the manager's judgement, so it has none.
- Only a month that has ended can close, by the manager; unticked steps refuse it unless forced (the audit event
  then names them). The A/R at close is recorded as services.ar_rollforward.ar_through counts it on the month's
  last day (the roll-forward checks later months against it).
- Months close in order: once the books have a first close, a month cannot close while an earlier month with any
  posting is open (a reopened month counts as open). The very first close may be any ended month: history before
  it is before the books began (otherwise a practice with years of records could never start closing).
- Reopening needs a reason and goes latest first: a later closed month must be reopened before an earlier one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models.billing import Remittance, RemittanceClaim
from officemgr.models.finance import ClaimPosting, CloseTask, MonthClose
from officemgr.models.ledger import DrawerClose, LedgerEntry, Statement
from officemgr.models.payables import Bill, BillStatus
from officemgr.models.timeclock import Timesheet
from officemgr.services import payroll as pay
from officemgr.services.access import Area, may, require
from officemgr.services.ar_rollforward import ar_through
from officemgr.services.calendar import practice_calendar
from officemgr.services.closed_months import month_key
from officemgr.services.common import ServiceError, forget, record
from officemgr.services.format import money, plural

CHECKLIST: tuple[tuple[str, str], ...] = (
    ("deposits", "Deposits reconciled"),
    ("payments", "Payments posted"),
    ("statements", "Statements sent"),
    ("ar_review", "A/R reviewed"),
    ("bills", "Bills paid"),
    ("payroll", "Payroll approved"),
)
LABELS = dict(CHECKLIST)
NOTE_MAX = 300
REASON_MAX = 300
# Days a hint lists by date before it only counts them.
LISTED_DAYS = 6


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str  # what the data says about this step ("" : nothing computed)
    done_at: datetime | None
    done_by: str
    note: str

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class MonthStatus:
    month: date  # its first day
    last: date  # its last day
    ended: bool  # the month is over (today is in a later month)
    items: tuple[ChecklistItem, ...]
    closed_at: datetime | None  # the latest close (kept when reopened)
    closed_by: str
    insurance_ar_cents: int  # recorded at the latest close
    patient_ar_cents: int
    reopened_at: datetime | None
    reopened_by: str
    reopen_reason: str

    @property
    def closed(self) -> bool:
        return self.closed_at is not None and self.reopened_at is None

    @property
    def unticked(self) -> tuple[str, ...]:
        return tuple(item.label for item in self.items if not item.done)

    @property
    def state(self) -> str:
        """One line: closed, reopened or open, with who and when."""
        if self.closed and self.closed_at is not None:
            return f"Closed by {self.closed_by} on {self.closed_at:%m/%d/%Y %H:%M}"
        if self.reopened_at is not None:
            return f"Reopened by {self.reopened_by} on {self.reopened_at:%m/%d/%Y %H:%M}: {self.reopen_reason}"
        return "Open" if self.ended else "Open (the month has not ended)"


# --------------------------------------------------------------------------------------------- months


def month_end(month_first: date) -> date:
    return month_first + relativedelta(months=1) - timedelta(days=1)


def last_ended_month(today: date) -> date:
    """The first day of the month before today's: the month a close is usually about."""
    return today.replace(day=1) - relativedelta(months=1)


_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(text: str) -> date:
    """"2026-11" as its first day; anything else refused with an example."""
    found = _MONTH.fullmatch(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise ServiceError(f"'{text}' is not a month: write it as year-month, e.g. 2026-11 for November 2026")
    return date(int(found.group(1)), int(found.group(2)), 1)


def _first_of(month_first: date) -> date:
    if month_first.day != 1:
        raise ServiceError(f"{month_first:%m/%d/%Y} is not the first day of a month")
    return month_first


# ------------------------------------------------------------------------------------------------ hints


def _days_list(days: list[date]) -> str:
    shown = ", ".join(f"{d:%m/%d}" for d in days[:LISTED_DAYS])
    return shown + (f" and {len(days) - LISTED_DAYS} more" if len(days) > LISTED_DAYS else "")


def _deposits_hint(session: Session, first: date, last: date, today: date) -> str:
    # A day still under way may not be closed yet: only days before today count as missing.
    upto = min(last, today - timedelta(days=1))
    open_days = practice_calendar(session).business_days(first, upto) if upto >= first else []
    closes = session.exec(select(DrawerClose).where(col(DrawerClose.day) >= first, col(DrawerClose.day) <= last)
                          .order_by(col(DrawerClose.day))).all()
    closed_days = {c.day for c in closes}
    missing = [d for d in open_days if d not in closed_days]
    off = [c.day for c in closes if c.counted_cash_cents + c.counted_checks_cents
           != c.recorded_cash_cents + c.recorded_checks_cents]
    parts = []
    if missing:
        parts.append(f"{plural(len(missing), 'open day')} without a drawer close ({_days_list(missing)})")
    if off:
        parts.append(f"{plural(len(off), 'drawer close')} counted ≠ recorded ({_days_list(off)})")
    if parts:
        return "; ".join(parts)
    return f"every open day has a drawer close, all balanced ({plural(len(closes), 'close')})"


def _payments_hint(session: Session, first: date, last: date) -> str:
    start, end = datetime.combine(first, datetime.min.time()), datetime.combine(last + timedelta(days=1),
                                                                                 datetime.min.time())
    waiting = session.exec(
        select(func.count()).select_from(RemittanceClaim)
        .join(Remittance, col(Remittance.id) == RemittanceClaim.remittance_id)
        .where(col(RemittanceClaim.posted).is_(False), col(Remittance.imported_at) >= start,
               col(Remittance.imported_at) < end)).one()
    if waiting:
        return f"{plural(int(waiting), 'remittance claim')} received in the month not posted"
    return "every remittance claim received in the month is posted"


def _statements_hint(session: Session, first: date, last: date) -> str:
    count, latest = session.exec(select(func.count(), func.max(Statement.day))
                                 .where(col(Statement.day) >= first, col(Statement.day) <= last)).one()
    if not count:
        return "no statement run in the month"
    return f"yes: {plural(int(count), 'statement')} sent, the last on {latest:%m/%d}"


def _bills_hint(session: Session, first: date, last: date) -> str:
    rows = session.exec(select(Bill.amount_cents, Bill.paid_cents)
                        .where(col(Bill.due_date) >= first, col(Bill.due_date) <= last,
                               col(Bill.status).in_([BillStatus.entered, BillStatus.approved]))).all()
    if not rows:
        return "no bill due in the month is open"
    owed = sum(max(0, amount - paid) for amount, paid in rows)
    return f"{plural(len(rows), 'bill')} due in the month still open ({money(owed)})"


def _payroll_hint(session: Session, first: date, last: date, actor: str) -> str:
    if not may(actor, Area.payroll, write=False):
        return "(timesheets are the manager's to see)"
    try:
        rule = pay.period_rule(session)
    except ServiceError as exc:
        return str(exc)
    periods = []
    period = pay.period_containing(rule, first)
    while period.start <= last:
        if first <= period.end <= last:
            periods.append(period)
        period = pay.period_containing(rule, period.end + timedelta(days=1))
    if not periods:
        return "no pay period ends in the month"
    short = []
    for period in periods:
        people = {row.staff_id for row in pay.payroll(session, period, actor=actor, use_timesheets=False)}
        approved = set(session.exec(select(Timesheet.staff_id).where(Timesheet.period_start == period.start)).all())
        if people - approved:
            short.append(f"{period.start:%m/%d}–{period.end:%m/%d} ({len(people - approved)} not approved)")
    if short:
        return "timesheets to approve: " + ", ".join(short)
    return f"every timesheet approved ({plural(len(periods), 'pay period')} ending in the month)"


def _hints(session: Session, first: date, last: date, today: date, actor: str) -> dict[str, str]:
    return {"deposits": _deposits_hint(session, first, last, today),
            "payments": _payments_hint(session, first, last),
            "statements": _statements_hint(session, first, last),
            "ar_review": "",
            "bills": _bills_hint(session, first, last),
            "payroll": _payroll_hint(session, first, last, actor)}


# ------------------------------------------------------------------------------------------------ reads


def _close_row(session: Session, month_first: date) -> MonthClose | None:
    return session.get(MonthClose, month_first)


def month_status(session: Session, month_first: date, *, today: date, actor: str) -> MonthStatus:
    """The month's checklist with its hints, and whether (and by whom) it is closed."""
    require(actor, Area.finance, write=False, what="seeing the month-end close")
    first = _first_of(month_first)
    last = month_end(first)
    hints = _hints(session, first, last, today, actor)
    done = {t.key: t for t in session.exec(select(CloseTask).where(CloseTask.month == first))}
    items = tuple(ChecklistItem(key, label, hints[key], done[key].done_at if key in done else None,
                                done[key].done_by if key in done else "", done[key].note if key in done else "")
                  for key, label in CHECKLIST)
    close = _close_row(session, first)
    return MonthStatus(
        month=first, last=last, ended=last < today, items=items,
        closed_at=close.closed_at if close else None, closed_by=close.closed_by if close else "",
        insurance_ar_cents=close.insurance_ar_cents if close else 0,
        patient_ar_cents=close.patient_ar_cents if close else 0,
        reopened_at=close.reopened_at if close else None, reopened_by=close.reopened_by if close else "",
        reopen_reason=close.reopen_reason if close else "")


def is_closed(session: Session, month_first: date) -> bool:
    close = _close_row(session, month_first)
    return close is not None and close.reopened_at is None


# ------------------------------------------------------------------------------------------------ writes


def _clean(text: str, limit: int, what: str) -> str:
    flat = " ".join(text.split())
    if any(ord(ch) < 32 or 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in flat):
        raise ServiceError(f"the {what} holds a control character; type it again — nothing was changed")
    if len(flat) > limit:
        raise ServiceError(f"the {what} is at most {limit} characters (this one is {len(flat)}) — nothing was changed")
    return flat


def _open_for_changes(session: Session, first: date, today: date) -> None:
    if first > today:
        raise ServiceError(f"{first:%B %Y} has not begun — nothing was changed")
    if is_closed(session, first):
        raise ServiceError(f"{first:%B %Y} is closed: reopen it to change its checklist — nothing was changed")


def tick(session: Session, month_first: date, key: str, note: str = "", *, today: date, now: datetime,
         actor: str) -> None:
    """Tick the step `key` of the month's checklist, with an optional note."""
    require(actor, Area.finance, what="ticking the close checklist")
    first = _first_of(month_first)
    if key not in LABELS:
        raise ServiceError(f"there is no close step '{key}' — reload")
    text = _clean(note, NOTE_MAX, "note")
    _open_for_changes(session, first, today)
    if session.exec(select(CloseTask).where(CloseTask.month == first, CloseTask.key == key)).first() is not None:
        raise ServiceError(f"'{LABELS[key]}' is already ticked — reload")
    row = CloseTask(month=first, key=key, done_at=now.replace(microsecond=0), done_by=str(actor)[:60], note=text)
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="close_task", entity_id=row.id, action="tick",
           changes={"month": first, "key": key, "note": text}, now=now)
    session.commit()


def untick(session: Session, month_first: date, key: str, *, today: date, now: datetime, actor: str) -> None:
    """Take the tick off the step `key` (the audit keeps who ticked it, and when)."""
    require(actor, Area.finance, what="unticking the close checklist")
    first = _first_of(month_first)
    _open_for_changes(session, first, today)
    row = session.exec(select(CloseTask).where(CloseTask.month == first, CloseTask.key == key)).first()
    if row is None:
        raise ServiceError(f"'{LABELS.get(key, key)}' is not ticked — reload")
    assert row.id is not None
    record(session, actor=actor, entity="close_task", entity_id=row.id, action="untick",
           changes={"month": first, "key": key, "done_by": row.done_by, "done_at": row.done_at, "note": row.note},
           now=now)
    session.delete(row)
    session.commit()


def _earliest_posting(session: Session) -> date | None:
    days = [session.exec(select(func.min(ClaimPosting.day))).one(),
            session.exec(select(func.min(LedgerEntry.day))).one()]
    found = [d for d in days if d is not None]
    return min(found) if found else None


def _has_posting(session: Session, first: date, last: date) -> bool:
    claims = session.exec(select(ClaimPosting.id).where(col(ClaimPosting.day) >= first,
                                                        col(ClaimPosting.day) <= last).limit(1)).first()
    if claims is not None:
        return True
    return session.exec(select(LedgerEntry.id).where(col(LedgerEntry.day) >= first,
                                                     col(LedgerEntry.day) <= last).limit(1)).first() is not None


def open_month_before(session: Session, month_first: date) -> date | None:
    """The earliest month before `month_first` that holds a posting and is open, where the order of closing
    requires it closed first (see the module's note); None when there is none."""
    closes = session.exec(select(MonthClose).where(col(MonthClose.month) < month_first)).all()
    if not closes:
        return None
    earliest = _earliest_posting(session)
    books_begin = min(c.month for c in closes)
    start = max(books_begin, earliest.replace(day=1)) if earliest else month_first
    closed = {c.month for c in closes if c.reopened_at is None}
    month = start
    while month < month_first:
        if month not in closed and _has_posting(session, month, month_end(month)):
            return month
        month += relativedelta(months=1)
    return None


def close_month(session: Session, month_first: date, *, today: date, now: datetime, actor: str,
                force: bool = False) -> MonthStatus:
    """Close the month: its A/R recorded, and postings dated in it refused from now on (services.closed_months)."""
    require(actor, Area.finance, what="closing a month")
    first = _first_of(month_first)
    name = f"{first:%B %Y}"
    if first >= today.replace(day=1):
        raise ServiceError(f"{name} has not ended: it can be closed from {first + relativedelta(months=1):%m/%d/%Y}"
                           " — nothing was changed")
    status = month_status(session, first, today=today, actor=actor)
    if status.closed:
        raise ServiceError(f"{name} is already closed ({status.state}) — nothing was changed")
    earlier = open_month_before(session, first)
    if earlier is not None:
        raise ServiceError(f"{earlier:%B %Y} is still open: close the months in order — nothing was changed")
    unticked = status.unticked
    if unticked and not force:
        raise ServiceError(f"{plural(len(unticked), 'step')} of the checklist not ticked: {', '.join(unticked)}. "
                           "Tick them, or close anyway (the audit log names them) — nothing was changed")
    recorded = ar_through(session, status.last)
    insurance, patient = recorded.insurance_cents, recorded.patient_cents
    at = now.replace(microsecond=0)
    row = _close_row(session, first)
    if row is None:
        row = MonthClose(month=first, closed_at=at, closed_by=str(actor)[:60], insurance_ar_cents=insurance,
                         patient_ar_cents=patient)
        session.add(row)
    else:
        row.closed_at, row.closed_by = at, str(actor)[:60]
        row.insurance_ar_cents, row.patient_ar_cents = insurance, patient
        row.reopened_at, row.reopened_by, row.reopen_reason = None, "", ""
        row.version += 1
    record(session, actor=actor, entity="month_close", entity_id=month_key(first), action="close",
           changes={"month": first, "insurance_ar_cents": insurance, "patient_ar_cents": patient,
                    "forced": bool(unticked), "unticked": list(unticked)}, now=now)
    forget(session)
    session.commit()
    return month_status(session, first, today=today, actor=actor)


def reopen_month(session: Session, month_first: date, reason: str, *, now: datetime, actor: str) -> None:
    """Reopen a closed month (the manager, with a reason); a later closed month must be reopened first."""
    require(actor, Area.finance, what="reopening a month")
    first = _first_of(month_first)
    name = f"{first:%B %Y}"
    why = _clean(reason, REASON_MAX, "reason")
    if not why:
        raise ServiceError("say why the month is reopened — nothing was changed")
    row = _close_row(session, first)
    if row is None or row.reopened_at is not None:
        raise ServiceError(f"{name} is not closed — nothing was changed")
    later = session.exec(select(MonthClose).where(col(MonthClose.month) > first,
                                                  col(MonthClose.reopened_at).is_(None))
                         .order_by(col(MonthClose.month).desc())).first()
    if later is not None:
        raise ServiceError(f"{later.month:%B %Y} is closed too: reopen the latest month first — nothing was changed")
    row.reopened_at, row.reopened_by, row.reopen_reason = now.replace(microsecond=0), str(actor)[:60], why
    row.version += 1
    record(session, actor=actor, entity="month_close", entity_id=month_key(first), action="reopen",
           changes={"month": first, "reason": why}, now=now)
    forget(session)
    session.commit()
