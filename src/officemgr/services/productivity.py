"""Provider productivity for a day, an ISO week (Monday to Sunday) or a calendar month, per provider (staff whose
role is physician or NP/PA, employed on the period's first day or later):

- visits completed (checked out), no-shows and cancellations, by the appointment's start;
- new vs established: a completed visit is NEW when the patient had no completed visit with the practice (any
  provider) in the 3 years before it: an earlier completed visit on or after the same date 3 years back (Feb 29
  goes to Feb 28) makes it established (the CPT new-patient rule);
- slot use: booked minutes (appointments not cancelled, no-shows included: the slot was taken) of capacity (the
  provider's weekly hours less their blocks, approved time off and the practice calendar's closures, as the
  schedule works them out in services.availability);
- charges: what their claims billed, by date of service; collections: the payments posted to their claims dated in
  the period (claim postings of kind payment); while nothing has posted dated payments yet (an older database), what
  their claims of the period were paid, primary and secondary, by date of service;
- work RVUs: each claim line's code (with its modifiers) times its units, at the rate of the year of service
  (services.rvu_import.lookup); lines whose code has no rate are counted, not guessed.

Every figure is one grouped query over the period (bounded by it); the finance area's readers may see it.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from officemgr.models import (
    Appointment,
    ApptStatus,
    Claim,
    ClaimLine,
    ProviderHours,
    Role,
    ScheduleBlock,
    Staff,
    TimeOff,
    TimeOffStatus,
)
from officemgr.models.finance import ClaimPosting, PostingKind
from officemgr.models.people import employed_on
from officemgr.services import rvu_import
from officemgr.services.access import Area, require
from officemgr.services.availability import Block, closed_blocks, read_calendar
from officemgr.services.fees import line_modifiers
from officemgr.services.format import money, plural
from officemgr.services.report_section import ReportSection

PROVIDER_ROLES = (Role.physician, Role.np_pa)
NEW_PATIENT_YEARS = 3
MAX_PROVIDERS = 200


class Span(str, enum.Enum):
    day = "day"
    week = "week"
    month = "month"


@dataclass(frozen=True)
class Period:
    span: Span
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.span is Span.day:
            return f"{self.first:%a %m/%d/%Y}"
        if self.span is Span.week:
            iso = self.first.isocalendar()
            return f"week {iso.week} of {iso.year}: {self.first:%m/%d} – {self.last:%m/%d/%Y}"
        return f"{self.first:%B %Y}"

    def moved(self, steps: int) -> Period:
        """The period `steps` spans later (earlier when negative)."""
        if self.span is Span.day:
            return period_of(Span.day, self.first + timedelta(days=steps))
        if self.span is Span.week:
            return period_of(Span.week, self.first + timedelta(weeks=steps))
        return period_of(Span.month, self.first + relativedelta(months=steps))


def period_of(span: Span, day: date) -> Period:
    """The day, ISO week (Monday to Sunday) or calendar month holding `day`."""
    if span is Span.day:
        return Period(span, day, day)
    if span is Span.week:
        monday = day - timedelta(days=day.weekday())
        return Period(span, monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    return Period(span, first, first + relativedelta(months=1, days=-1))


@dataclass(frozen=True)
class ProviderFigures:
    provider_id: int | None  # None: the total row
    name: str
    visits: int = 0
    no_shows: int = 0
    cancellations: int = 0
    new: int = 0
    established: int = 0
    booked_minutes: int = 0
    capacity_minutes: int = 0
    charges_cents: int = 0
    collections_cents: int = 0
    work_rvus: float = 0.0
    unrated_lines: int = 0  # claim lines whose code has no work RVU rate

    @property
    def slot_use(self) -> float | None:
        """Booked of capacity (may pass 1.0 with double bookings); None without capacity."""
        return self.booked_minutes / self.capacity_minutes if self.capacity_minutes else None


@dataclass
class _Tally:
    """A provider's figures while the queries add them up (ProviderFigures' counted fields)."""

    visits: int = 0
    no_shows: int = 0
    cancellations: int = 0
    new: int = 0
    established: int = 0
    booked_minutes: int = 0
    capacity_minutes: int = 0
    charges_cents: int = 0
    collections_cents: int = 0
    work_rvus: float = 0.0
    unrated_lines: int = 0


@dataclass(frozen=True)
class Productivity:
    period: Period
    providers: tuple[ProviderFigures, ...]
    total: ProviderFigures
    collections_posted: bool  # False: collections are claims' paid amounts by date of service (no dated payments)


def productivity(session: Session, period: Period, *, actor: str) -> Productivity:
    """Every provider's figures for `period`, with a total row."""
    require(actor, Area.finance, write=False, what="seeing provider productivity")
    providers = session.exec(select(Staff).where(col(Staff.role).in_(PROVIDER_ROLES), employed_on(period.first))
                             .order_by(col(Staff.last_name), col(Staff.first_name), col(Staff.id))
                             .limit(MAX_PROVIDERS)).all()
    ids = [p.id for p in providers if p.id is not None]
    figures = {pid: _Tally() for pid in ids}
    if ids:
        _visits(session, period, ids, figures)
        _new_patients(session, period, ids, figures)
        _booked(session, period, ids, figures)
        _capacity(session, period, ids, figures)
        _charges(session, period, ids, figures)
        posted = _collections(session, period, ids, figures)
        _rvus(session, period, ids, figures)
    else:
        posted = _has_payment_postings(session)
    rows = tuple(ProviderFigures(p.id, p.name, **asdict(figures[p.id])) for p in providers if p.id is not None)
    return Productivity(period, rows, _total(rows), posted)


def _total(rows: tuple[ProviderFigures, ...]) -> ProviderFigures:
    total = ProviderFigures(None, "Total")
    for row in rows:
        total = replace(total, **{name: getattr(total, name) + getattr(row, name) for name in _SUMMED})
    return total


_SUMMED = tuple(_Tally.__dataclass_fields__)


def _starts(period: Period) -> tuple[datetime, datetime]:
    return datetime.combine(period.first, time.min), datetime.combine(period.last + timedelta(days=1), time.min)


_COUNTED = {ApptStatus.checked_out: "visits", ApptStatus.no_show: "no_shows", ApptStatus.cancelled: "cancellations"}


def _visits(session: Session, period: Period, ids: list[int], figures: dict[int, _Tally]) -> None:
    start, end = _starts(period)
    for provider_id, status, n in session.exec(
            select(Appointment.provider_id, Appointment.status, func.count())
            .where(col(Appointment.provider_id).in_(ids), col(Appointment.start) >= start,
                   col(Appointment.start) < end, col(Appointment.status).in_(list(_COUNTED)))
            .group_by(col(Appointment.provider_id), col(Appointment.status))):
        tally = figures[provider_id]
        field = _COUNTED[ApptStatus(status)]
        setattr(tally, field, getattr(tally, field) + n)


def _new_patients(session: Session, period: Period, ids: list[int],
                  figures: dict[int, _Tally]) -> None:
    """Each completed visit of the period with the patient's last completed visit before it (any provider)."""
    start, end = _starts(period)
    prior = aliased(Appointment)
    last_before = (select(func.max(prior.start))
                   .where(prior.patient_id == Appointment.patient_id, prior.status == ApptStatus.checked_out,
                          prior.start < Appointment.start)
                   .correlate(Appointment).scalar_subquery())
    for provider_id, visit, before in session.exec(
            select(Appointment.provider_id, Appointment.start, last_before)
            .where(col(Appointment.provider_id).in_(ids), col(Appointment.start) >= start,
                   col(Appointment.start) < end, Appointment.status == ApptStatus.checked_out)):
        if is_established(visit.date(), before):
            figures[provider_id].established += 1
        else:
            figures[provider_id].new += 1


def is_established(visit_day: date, last_before: datetime | date | None) -> bool:
    """An established patient: a completed visit before, on or after the date 3 years back (Feb 29 -> Feb 28)."""
    if last_before is None:
        return False
    day = last_before.date() if isinstance(last_before, datetime) else last_before
    return day >= visit_day - relativedelta(years=NEW_PATIENT_YEARS)


def _booked(session: Session, period: Period, ids: list[int], figures: dict[int, _Tally]) -> None:
    start, end = _starts(period)
    for provider_id, begins, ends in session.exec(
            select(Appointment.provider_id, Appointment.start, Appointment.end)
            .where(col(Appointment.provider_id).in_(ids), col(Appointment.start) >= start,
                   col(Appointment.start) < end, Appointment.status != ApptStatus.cancelled)):
        figures[provider_id].booked_minutes += max(0, int((ends - begins).total_seconds()) // 60)


def _capacity(session: Session, period: Period, ids: list[int], figures: dict[int, _Tally]) -> None:
    """Bookable minutes per day as the schedule works them out (availability.day_plans' hours and blocks, time off
    and the calendar's closures), read in a few queries for the whole period."""
    cal = read_calendar(session)
    hours = {(h.provider_id, h.weekday): h for h in session.exec(
        select(ProviderHours).where(col(ProviderHours.provider_id).in_(ids)))}
    blocks = session.exec(select(ScheduleBlock).where(
        col(ScheduleBlock.provider_id).in_(ids),
        or_(col(ScheduleBlock.weekday).is_not(None),
            (col(ScheduleBlock.day) >= period.first) & (col(ScheduleBlock.day) <= period.last)))).all()
    time_off = session.exec(select(TimeOff).where(
        col(TimeOff.staff_id).in_(ids), TimeOff.status == TimeOffStatus.approved,
        col(TimeOff.start_date) <= period.last, col(TimeOff.end_date) >= period.first)).all()
    day = period.first
    while day <= period.last:
        for pid in ids:
            h = hours.get((pid, day.weekday()))
            if h is None:
                continue
            own = [Block(datetime.combine(day, b.start), datetime.combine(day, b.end), b.reason)
                   for b in blocks if b.provider_id == pid and (b.weekday == day.weekday() or b.day == day)]
            own += [Block(datetime.combine(day, time.min), datetime.combine(day, time.max), "off")
                    for t in time_off if t.staff_id == pid and t.start_date <= day <= t.end_date]
            span = (datetime.combine(day, h.start), datetime.combine(day, h.end))
            figures[pid].capacity_minutes += open_minutes(span, own + closed_blocks(cal, day, pid))
        day += timedelta(days=1)


def open_minutes(hours: tuple[datetime, datetime], blocks: list[Block]) -> int:
    """The minutes of `hours` outside every block; blocks that overlap (lunch inside a half day's close) count once."""
    free, at = 0, hours[0]
    for block in sorted(blocks, key=lambda b: b.start):
        start, end = min(max(block.start, at), hours[1]), min(block.end, hours[1])
        if start > at:
            free += int((start - at).total_seconds()) // 60
        at = max(at, end)
        if at >= hours[1]:
            return free
    return free + int((hours[1] - at).total_seconds()) // 60


def _charges(session: Session, period: Period, ids: list[int], figures: dict[int, _Tally]) -> None:
    for provider_id, cents in session.exec(
            select(Claim.provider_id, func.sum(Claim.billed_cents))
            .where(col(Claim.provider_id).in_(ids), col(Claim.service_date) >= period.first,
                   col(Claim.service_date) <= period.last)
            .group_by(col(Claim.provider_id))):
        if provider_id is not None:
            figures[provider_id].charges_cents += int(cents or 0)


def _has_payment_postings(session: Session) -> bool:
    return session.exec(select(ClaimPosting.id).where(ClaimPosting.kind == PostingKind.payment).limit(1)).first() \
        is not None


def _collections(session: Session, period: Period, ids: list[int],
                 figures: dict[int, _Tally]) -> bool:
    """Payments dated in the period (a payment posting reduces the balance: its amount is negative); True when
    they came from postings, False from the fallback."""
    posted = _has_payment_postings(session)
    if posted:
        query = (select(Claim.provider_id, -func.sum(ClaimPosting.amount_cents))
                 .join(Claim, col(Claim.id) == ClaimPosting.claim_id)
                 .where(col(Claim.provider_id).in_(ids), ClaimPosting.kind == PostingKind.payment,
                        col(ClaimPosting.day) >= period.first, col(ClaimPosting.day) <= period.last)
                 .group_by(col(Claim.provider_id)))
    else:
        query = (select(Claim.provider_id, func.sum(col(Claim.paid_cents) + col(Claim.secondary_paid_cents)))
                 .where(col(Claim.provider_id).in_(ids), col(Claim.service_date) >= period.first,
                        col(Claim.service_date) <= period.last)
                 .group_by(col(Claim.provider_id)))
    for provider_id, cents in session.exec(query):
        if provider_id is not None:
            figures[provider_id].collections_cents += int(cents or 0)
    return posted


def _rvus(session: Session, period: Period, ids: list[int], figures: dict[int, _Tally]) -> None:
    grouped = session.execute(
        sql_select(col(Claim.provider_id), col(Claim.service_date), col(ClaimLine.code), col(ClaimLine.modifiers),
                   func.sum(ClaimLine.units), func.count())
        .join(Claim, col(Claim.id) == ClaimLine.claim_id)
        .where(col(Claim.provider_id).in_(ids), col(Claim.service_date) >= period.first,
               col(Claim.service_date) <= period.last)
        .group_by(col(Claim.provider_id), col(Claim.service_date), col(ClaimLine.code),
                  col(ClaimLine.modifiers))).all()
    rates = rvu_import.rates_for(session, {row[2].upper() for row in grouped}, period.last.year)
    for provider_id, service_date, code, modifiers, units, lines in grouped:
        if provider_id is None:
            continue
        rate = rvu_import.lookup(rates, code, line_modifiers(modifiers), service_date.year)
        if rate is None:
            figures[provider_id].unrated_lines += lines
        else:
            figures[provider_id].work_rvus += rate * units


COLUMNS = ("Provider", "Visits", "No-shows", "Cancelled", "New", "Estab.", "Slot use", "Charges", "Collections",
           "Work RVUs")


def row_cells(row: ProviderFigures) -> tuple[str, ...]:
    """A provider's (or the total's) figures as the table and the report show them (COLUMNS)."""
    use = "—" if row.slot_use is None else f"{row.slot_use:.0%}"
    return (row.name, f"{row.visits:,}", f"{row.no_shows:,}", f"{row.cancellations:,}", f"{row.new:,}",
            f"{row.established:,}", use, money(row.charges_cents), money(row.collections_cents),
            f"{row.work_rvus:,.2f}")


def notes(result: Productivity) -> str:
    """What the figures leave out or where they come from, in a sentence or two ('' when nothing to say)."""
    said = []
    if result.total.unrated_lines:
        said.append(f"{plural(result.total.unrated_lines, 'line')} without an RVU rate (import the CMS RVU file "
                    "for the year)")
    if not result.collections_posted:
        said.append("collections are what the period's claims were paid (no dated payments posted yet)")
    return "; ".join(said)


def month_report_section(session: Session, month_first: date, *, actor: str) -> ReportSection:
    """Provider productivity for the month holding `month_first`, as a table of the month-end report."""
    result = productivity(session, period_of(Span.month, month_first), actor=actor)
    rows = tuple(row_cells(r) for r in (*result.providers, result.total))
    base = ("Visits completed, no-shows and cancellations by appointment; new patients by the 3-year rule; slot use "
            "is booked minutes of the schedule's capacity; work RVUs from the CMS fee schedule of the year of "
            "service")
    extra = notes(result)
    return ReportSection(f"Provider productivity, {result.period.label}", COLUMNS, rows,
                         f"{base}. {extra[:1].upper()}{extra[1:]}." if extra else f"{base}.")
