"""The morning huddle: everything that needs a decision today, gathered from every area."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import OPEN_STATUSES, ApptStatus, Claim, ClaimStatus, ConcernStatus
from officemgr.services import (
    billing,
    compliance,
    concerns,
    coverage,
    credentials,
    equipment,
    inventory,
    schedule,
    settings,
    staff,
    temperature,
)
from officemgr.services.format import days_from_now, money, plural


@dataclass(frozen=True)
class HuddleItem:
    text: str
    reason: str
    tab: str
    record_id: int | None = None
    urgent: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tab: str
    empty: str
    items: list[HuddleItem] = field(default_factory=list)


@dataclass(frozen=True)
class Huddle:
    today: date
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)


def previous_workday(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def huddle(session: Session, today: date) -> Huddle:
    return Huddle(
        today,
        [
            _yesterday(session, today),
            _today_schedule(session, today),
            _staffing(session, today),
            _supplies(session, today),
            _billing(session, today),
            _compliance(session, today),
        ],
    )


def _yesterday(session: Session, today: date) -> Section:
    day = previous_workday(today)
    no_shows = sorted(
        ((a, p.provider_name) for p in schedule.day_schedule(session, day).providers for a in p.appointments
         if a.status is ApptStatus.no_show),
        key=lambda pair: pair[0].start,
    )
    items = [
        HuddleItem(f"{a.start:%H:%M} {a.patient_initials} {a.type_name} ({provider})", f"no-show {day:%a %m/%d}",
                   "schedule", a.id)
        for a, provider in no_shows
    ]
    return Section("yesterday", f"Yesterday ({day:%a %m/%d})", "schedule", "No no-shows yesterday", items)


def _today_schedule(session: Session, today: date) -> Section:
    day = schedule.day_schedule(session, today)
    off = staff.time_off_on(session, today)
    items = []
    for p in day.providers:
        if not p.capacity and not p.appointments:
            continue
        if p.provider_id in off:
            # Slots of a provider who is away cannot be filled; only their bookings need a decision.
            if p.booked:
                items.append(HuddleItem(f"{p.provider_name}: off ({off[p.provider_id].kind}) but {p.booked} booked",
                                        "provider off but booked", "schedule", None, urgent=True))
            continue
        items.append(HuddleItem(
            f"{p.provider_name}: {p.booked} booked, {p.open_slots} open slots",
            "open slots to fill" if p.open_slots else "fully booked", "schedule"))
        items.extend(
            HuddleItem(f"{a.start:%H:%M} {a.patient_initials} {a.type_name} ({p.provider_name})", "double-booked",
                       "schedule", a.id, urgent=True)
            for a in p.appointments if a.double_booked
        )
    return Section("schedule", "Today's schedule", "schedule", "No appointments today", items)


def _staffing(session: Session, today: date) -> Section:
    items = [
        HuddleItem(f"{r.name} ({r.role.label})", f"out today: {r.off}", "staff", r.staff_id)
        for r in staff.roster_day(session, today) if r.off
    ]
    day = coverage.coverage_day(session, today)
    # A provider on leave but booked is already in the schedule section; here the ones without a shift.
    items.extend(HuddleItem(c.text, "provider booked but not on shift", "staff", c.provider_id, urgent=True)
                 for c in day.conflicts if c.kind != "off")
    items.extend(HuddleItem(line, "short-staffed", "staff") for line in coverage.gap_ranges(day))
    # Only a lapsed REQUIRED credential is urgent; an expired optional one (or one renewed on another row) is not.
    lapsed = credentials.lapsed_required(session, today)
    items.extend(
        HuddleItem(f"{c.staff_name}: {c.kind.label} {c.expires:%m/%d/%Y}", f"credential {c.warning}", "staff",
                   c.staff_id, urgent=c.expired and c.kind.label in lapsed.get(c.staff_id, ()))
        for c in staff.credentials_expiring(session, today, within_days=30)
    )
    items.extend(
        HuddleItem(f"{e.staff_name}: yearly evaluation {e.due:%m/%d/%Y}",
                   f"evaluation overdue, was due {days_from_now(e.days_left)}" if e.overdue
                   else f"evaluation due {days_from_now(e.days_left)}", "staff", e.staff_id)
        for e in credentials.evaluations_due(session, today, within_days=EVALUATION_HUDDLE_DAYS)
    )
    items.extend(_enrollment_item(d) for d in credentials.enrollments_due(session, today))
    return Section("staffing", "Staffing", "staff", "No staffing gaps today", items)


# Evaluations enter the huddle two weeks ahead; enrollments use the setting `enrollment_warn_days`.
EVALUATION_HUDDLE_DAYS = 14


def _enrollment_item(d: credentials.EnrollmentDue) -> HuddleItem:
    if d.kind == "caqh":
        text = f"{d.provider_name}: CAQH re-attestation" + (f" {d.due:%m/%d/%Y}" if d.due else "")
        if d.days_left is None:
            reason = "CAQH never attested"
        elif d.days_left < 0:
            reason = f"CAQH attestation lapsed {days_from_now(d.days_left)}"
        else:
            reason = f"CAQH re-attestation due {days_from_now(d.days_left)}"
    else:
        text = f"{d.provider_name}: {d.what} re-credentialing {d.due:%m/%d/%Y}"
        reason = (f"re-credentialing overdue, was due {days_from_now(d.days_left or 0)}" if d.overdue
                  else f"re-credentialing due {days_from_now(d.days_left or 0)}")
    return HuddleItem(text, reason, "staff", d.provider_id, urgent=d.overdue)


def _supplies(session: Session, today: date) -> Section:
    """Stock at or below its reorder point, expired and expiring lots, equipment due for service.

    A few queries: stock (three grouped), lots expiring, equipment due (an index read), two settings.
    """
    items = [_low_stock_item(r) for r in inventory.below_reorder_point(session, today)]
    items.extend(
        HuddleItem(f"{lot.item_name} lot {lot.lot_number}: {lot.quantity} left",
                   "expired, remove from stock" if lot.days_left < 0 else f"expires {lot.expires:%m/%d/%Y}",
                   "inventory", lot.item_id, urgent=lot.days_left < 0)
        for lot in inventory.lots_expiring(session, today, within_days=settings.get(session, "expiry_warn_days"))
    )
    items.extend(
        HuddleItem(f"{e.name}: service {e.next_due:%m/%d/%Y}" + (f" ({e.service_by})" if e.service_by else ""),
                   f"service overdue, was due {days_from_now(e.days_to_due)}" if e.days_to_due < 0
                   else f"service due {days_from_now(e.days_to_due)}",
                   "inventory", None, urgent=e.days_to_due < 0)
        for e in equipment.due(session, today)
    )
    # Urgent first (out of stock, expired lots, overdue service); otherwise stock, lots, equipment in turn.
    items.sort(key=lambda item: not item.urgent)
    return Section("supplies", "Supplies and equipment", "inventory", "No supply or equipment problems", items)


def _low_stock_item(r: inventory.StockRow) -> HuddleItem:
    where = f"{r.on_hand} on hand, reorder at {r.reorder_point}"
    if r.on_order:
        more = f"; order {r.suggested_order} more" if r.suggested_order else ""
        what = f"{r.on_order} on order{more}"
    elif r.in_draft:
        what = "on a draft order, not placed yet"
    elif r.suggested_order:
        what = f"order {r.suggested_order} " + (f"from {r.vendor}" if r.vendor else "(no vendor set)")
    else:
        what = "at par; check the reorder point"
    return HuddleItem(r.name, f"{where}; {what}", "inventory", r.item_id, urgent=r.on_hand == 0)


def _billing(session: Session, today: date) -> Section:
    items = [
        HuddleItem(f"{r.number} {r.payer_name} {money(r.balance_cents)}",
                   f"deadline passed {days_from_now(r.days_to_deadline)}" if r.days_to_deadline < 0
                   else f"deadline {days_from_now(r.days_to_deadline)}",
                   "billing", r.claim_id, urgent=r.days_to_deadline < 0)
        for r in billing.deadlines_within(session, today)
    ]
    due = billing.follow_ups_due(session, today)
    if due:
        items.append(HuddleItem(f"{plural(due, 'claim follow-up')} due today", "follow-up date reached", "billing"))
    denials = session.exec(
        select(func.count()).select_from(Claim).where(
            Claim.status == ClaimStatus.denied, col(Claim.denied_on) >= previous_workday(today),
            col(Claim.status).in_(OPEN_STATUSES))
    ).one()
    if denials:
        items.append(HuddleItem(f"{plural(denials, 'new denial')} since yesterday", "denied", "billing"))
    return Section("billing", "Billing", "billing", "No billing deadlines within 15 days", items)


def _compliance(session: Session, today: date) -> Section:
    items = [
        HuddleItem(row.title, row.when, "compliance", row.task_id, urgent=row.days < 0)
        for row in compliance.due_or_overdue(session, today)
    ]
    # Open concerns and incidents (record_id None: the tab's rows are duties, the concerns have their own window).
    items.extend(_concern_item(row) for row in concerns.open_concerns(session, today))
    # A vaccine temperature not logged on the previous workday (today's is still to do, not missed).
    yesterday = previous_workday(today)
    items.extend(
        HuddleItem(f"{unit.name}: no temperature logged {day:%a %m/%d}", "missing reading", "compliance")
        for unit, day in temperature.missing_readings(session, yesterday, yesterday)
    )
    # Urgent first (overdue duties, clocks running out today or past, temperature excursions); stable otherwise.
    items.sort(key=lambda item: not item.urgent)
    return Section("compliance", "Compliance", "compliance", "Nothing due or overdue", items)


def _concern_item(row: concerns.ConcernRow) -> HuddleItem:
    nearest = row.nearest
    if nearest is not None:
        reason = nearest.words
    elif row.status is ConcernStatus.acknowledged:
        reason = f"acknowledged, with {row.owner}" if row.owner else "acknowledged, no owner yet"
    else:
        reason = "open, not acknowledged"
    return HuddleItem(f"{row.title}: {row.summary}", reason, "compliance", None, urgent=row.urgent)
