"""The morning huddle: everything that needs a decision today, gathered from every area.

Each section is a handful of queries (indexed reads or grouped sums); no big table is loaded whole.
Every item has a stable `key` (the same thing on two days has the same key), used for snoozing and review.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentType,
    ApptStatus,
    Claim,
    ClaimEvent,
    ConcernStatus,
    Patient,
    Payer,
    Staff,
    TimeOff,
)
from officemgr.models.huddle import ActionStatus, HuddleAction, HuddleSnooze
from officemgr.services import (
    billing,
    compliance,
    concerns,
    coverage,
    credentials,
    equipment,
    huddle_hr,
    huddle_money,
    inventory,
    ledger,
    schedule,
    secondary,
    settings,
    staff,
    statements,
    temperature,
    users,
)
from officemgr.services.access import TAB_AREA, Area, may
from officemgr.services.availability import ACTIVE
from officemgr.services.billing import balance_expr
from officemgr.services.calendar import PracticeCalendar, practice_calendar
from officemgr.services.format import days_from_now, money, plural
from officemgr.services.huddle_items import HuddleItem

LATE_CANCEL_HOURS = 24  # a cancellation this close to the slot counts as late
LONG_GAP_DAYS = 365  # a returning patient last seen longer ago than this needs attention
DENIALS_LISTED = 10  # more new denials than this are shown one line per payer
AR_OLD_DAYS = 90  # the A/R figure at the top: open balances with a date of service older than this
# A visit that happened (for "new patient" and "last visit"): arrived, roomed or checked out.
SEEN = (ApptStatus.arrived, ApptStatus.in_room, ApptStatus.checked_out)
ACCESS = "access"  # the sign-ins section: the manager's and auditor's screen only, never the printed sheet


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tab: str
    empty: str
    items: list[HuddleItem] = field(default_factory=list)


@dataclass(frozen=True)
class Numbers:
    appointments: int
    open_slots: int
    staff_out: int
    ar_over_90_cents: int | None  # None: not the reader's to see (no billing role)
    overdue_duties: int


@dataclass(frozen=True)
class Huddle:
    today: date
    sections: list[Section]
    numbers: Numbers

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)


def previous_workday(calendar: PracticeCalendar, today: date) -> date:
    """The practice's last open day before today: Friday on a Monday, Wednesday after Thanksgiving, and the day
    before a closure when the practice was closed."""
    return calendar.previous_business_day(today)


@dataclass
class _Day:
    """What more than one section (and the numbers) needs, read once."""

    today: date
    yesterday: date  # the previous business day of the practice calendar
    privacy: bool
    schedule: schedule.DaySchedule
    off: dict[int, TimeOff]
    roster: list[staff.RosterRow]
    duties: list[compliance.TaskRow]


def huddle(session: Session, today: date, *, actor: str, privacy: bool = True) -> Huddle:
    """Today's huddle: six sections in meeting order, those of the tabs `actor` may not open left out (a seventh,
    sign-ins, for those who may read the audit log), snoozed items left out, and the numbers for the top line."""
    day = _Day(today, previous_workday(practice_calendar(session), today), privacy,
               schedule.day_schedule(session, today), staff.time_off_on(session, today),
               staff.roster_day(session, today), compliance.due_or_overdue(session, today))
    sections = [
        _yesterday(session, day),
        _today_schedule(session, day),
        _staffing(session, day, actor),
        _supplies(session, today),
        _billing(session, day, actor),
        _compliance(session, day),
    ]
    # Each person sees the sections of the tabs their roles may open (the front desk: no claims or denials).
    sections = [s for s in sections if may(actor, TAB_AREA[s.tab], write=False)]
    if may(actor, Area.audit, write=False):
        sections.append(_sign_ins(session, day))
    snoozed = snoozed_keys(session, today)
    if snoozed:
        sections = [replace(s, items=[i for i in s.items if i.key not in snoozed]) for s in sections]
    return Huddle(today, sections, _numbers(session, day, billing=may(actor, Area.billing, write=False)))


def snoozed_keys(session: Session, today: date) -> set[str]:
    """Keys of items snoozed past today (an item snoozed until a date is back on that date)."""
    return set(session.exec(select(HuddleSnooze.item_key).where(HuddleSnooze.until > today)))


def _numbers(session: Session, day: _Day, *, billing: bool) -> Numbers:
    working = [p for p in day.schedule.providers if p.provider_id not in day.off]
    cutoff = day.today - timedelta(days=AR_OLD_DAYS)
    balance = balance_expr()
    old = session.exec(
        select(func.coalesce(func.sum(balance), 0)).select_from(Claim)
        .where(col(Claim.status).in_(OPEN_STATUSES), Claim.service_date < cutoff)
    ).one() if billing else None
    return Numbers(
        appointments=sum(p.booked for p in day.schedule.providers),
        open_slots=sum(p.open_slots for p in working),
        staff_out=sum(1 for r in day.roster if r.off),
        ar_over_90_cents=None if old is None else int(old),
        overdue_duties=sum(1 for row in day.duties if row.days is not None and row.days < 0),
    )


def _appt_line(privacy: bool, start: datetime, name: str, private: str, rest: str) -> tuple[str, str]:
    """(text, full_text) of an item about one appointment: "09:15 J.S. 47 Follow-up (Dr X)"; see full_text."""
    if not privacy:
        return f"{start:%H:%M} {name} {rest}", ""
    return f"{start:%H:%M} {private} {rest}", f"{start:%H:%M} {name} {rest}"


# --- yesterday ----------------------------------------------------------------------------------------


def _yesterday(session: Session, day: _Day) -> Section:
    """No-shows and late cancellations since the previous workday, and every action still open from a huddle."""
    first, last = datetime.combine(day.yesterday, time.min), datetime.combine(day.today, time.min)
    rows = session.exec(
        select(Appointment, Patient, AppointmentType, Staff)
        .join(Patient, col(Patient.id) == col(Appointment.patient_id))
        .join(AppointmentType, col(AppointmentType.id) == col(Appointment.type_id))
        .join(Staff, col(Staff.id) == col(Appointment.provider_id))
        .where(Appointment.start >= first, Appointment.start < last,
               col(Appointment.status).in_([ApptStatus.no_show, ApptStatus.cancelled]))
        .order_by(col(Appointment.start), col(Appointment.provider_id))
    ).all()
    cancelled_ids = [a.id for a, *_ in rows if a.status is ApptStatus.cancelled]
    cancelled_at: dict[int, datetime] = {}
    if cancelled_ids:
        # The last change to "cancelled" (an undone and redone cancellation counts from the redo).
        for appt_id, changed_at in session.exec(
            select(AppointmentEvent.appointment_id, func.max(AppointmentEvent.at))
            .where(col(AppointmentEvent.appointment_id).in_(cancelled_ids),
                   AppointmentEvent.to_status == ApptStatus.cancelled.value)
            .group_by(col(AppointmentEvent.appointment_id))
        ):
            if changed_at is not None:
                cancelled_at[appt_id] = changed_at
    items = []
    for appt, patient, kind, provider in rows:
        private = schedule.private_name(schedule.initials(patient.first_name, patient.last_name),
                                        schedule.age_on(patient.dob, appt.start.date()))
        text, full = _appt_line(day.privacy, appt.start, patient.name, private, f"{kind.name} ({provider.name})")
        if appt.status is ApptStatus.no_show:
            items.append(HuddleItem(text, f"no-show {appt.start:%a %m/%d}", "schedule", appt.id,
                                    key=f"noshow:appt:{appt.id}", full_text=full))
            continue
        at = cancelled_at.get(appt.id) if appt.id is not None else None
        if at is None or appt.start - at > timedelta(hours=LATE_CANCEL_HOURS):
            continue
        hours = max(0, int((appt.start - at).total_seconds() // 3600))
        reason = f"late cancellation {appt.start:%a %m/%d}, {hours} h before"
        if appt.cancel_reason:
            reason += f": {appt.cancel_reason}"
        items.append(HuddleItem(text, reason, "schedule", appt.id, key=f"latecancel:appt:{appt.id}", full_text=full))
    items.extend(_open_actions(session, day.today))
    return Section("yesterday", f"Yesterday ({day.yesterday:%a %m/%d})", "schedule",
                   "Nothing left over from yesterday", items)


def _open_actions(session: Session, today: date) -> list[HuddleItem]:
    rows = session.exec(
        select(HuddleAction, Staff).join(Staff, col(Staff.id) == col(HuddleAction.owner_id))
        .where(HuddleAction.status == ActionStatus.open, HuddleAction.created_on < today)
        .order_by(col(HuddleAction.due), col(HuddleAction.id))
    ).all()
    return [
        HuddleItem(action.what, f"open action for {owner.name}, due {action.due:%m/%d/%Y}", "huddle", action.id,
                   urgent=action.due < today, key=f"action:{action.id}")
        for action, owner in rows
    ]


# --- today's schedule ---------------------------------------------------------------------------------


def _today_schedule(session: Session, day: _Day) -> Section:
    items = []
    for p in day.schedule.providers:
        if not p.capacity and not p.appointments:
            continue
        # The Schedule's `enter` lands on a visit: a provider's line opens on their first booked visit of the day.
        first_visit = next((a.id for a in p.appointments if a.status in ACTIVE), None)
        if p.provider_id in day.off:
            # Slots of a provider who is away cannot be filled; only their bookings need a decision.
            if p.booked:
                items.append(HuddleItem(f"{p.provider_name}: off ({day.off[p.provider_id].kind}) but {p.booked} booked",
                                        "provider off but booked", "schedule", first_visit, urgent=True,
                                        key=f"offbooked:provider:{p.provider_id}"))
            continue
        items.append(HuddleItem(
            f"{p.provider_name}: {p.booked}/{p.capacity} booked, {plural(p.open_slots, 'open slot')}",
            "open slots to fill" if p.open_slots else "fully booked", "schedule", first_visit,
            key=f"slots:provider:{p.provider_id}"))
        for a in p.appointments:
            if a.double_booked:
                text, full = _appt_line(day.privacy, a.start, a.patient_name, a.private_name,
                                        f"{a.type_name} ({p.provider_name})")
                items.append(HuddleItem(text, "double-booked", "schedule", a.id, urgent=True,
                                        key=f"double:appt:{a.id}", full_text=full))
    items.extend(_attention(session, day))
    return Section("schedule", "Today's schedule", "schedule", "No appointments today", items)


def _attention(session: Session, day: _Day) -> list[HuddleItem]:
    """Patients booked today who need attention: new, not seen for over a year, or owing a balance to collect at
    check-in (their ledger's balance: their share of claims less what they paid).

    Two grouped queries over the day's patients: their last visit before today, and their balances.
    """
    first = {}
    for p in day.schedule.providers:
        if p.provider_id in day.off:
            continue
        for a in p.appointments:
            if a.status in ACTIVE and a.patient_id not in first:
                first[a.patient_id] = (a, p.provider_name)
    if not first:
        return []
    ids = list(first)
    start = datetime.combine(day.today, time.min)
    # Per patient, the newest visit before today: a backward walk of the (patient, start) index that stops at the
    # first visit seen, instead of every past appointment of every patient.
    newest = (
        select(Appointment.start)
        .where(Appointment.patient_id == Patient.id, Appointment.start < start, col(Appointment.status).in_(SEEN))
        .order_by(col(Appointment.start).desc()).limit(1)
        .correlate(Patient).scalar_subquery()
    )
    last_seen = dict(session.exec(select(Patient.id, newest).where(col(Patient.id).in_(ids))).all())
    owed = ledger.balances(session, ids)
    long_ago = day.today - timedelta(days=LONG_GAP_DAYS)
    items = []
    for patient_id, (a, provider) in sorted(first.items(), key=lambda pair: (pair[1][0].start, pair[1][1])):
        reasons = []
        seen = last_seen.get(patient_id)
        if isinstance(seen, str):
            seen = datetime.fromisoformat(seen)
        if seen is None:
            reasons.append("new patient")
        elif seen.date() < long_ago:
            reasons.append(f"last visit {seen:%m/%d/%Y}, over 12 months ago")
        if owed.get(patient_id, 0) > 0:
            reasons.append(f"balance {money(owed[patient_id])} due at check-in")
        if reasons:
            text, full = _appt_line(day.privacy, a.start, a.patient_name, a.private_name, f"{a.type_name} ({provider})")
            items.append(HuddleItem(text, "; ".join(reasons), "schedule", a.id, key=f"attention:patient:{patient_id}",
                                    full_text=full))
    return items


# --- staffing -----------------------------------------------------------------------------------------


def _staffing(session: Session, day: _Day, actor: str) -> Section:
    today = day.today
    items = [
        HuddleItem(f"{r.name} ({r.role.label})", f"out today: {r.off}", "staff", r.staff_id,
                   key=f"out:staff:{r.staff_id}")
        for r in day.roster if r.off
    ]
    cover = coverage.coverage_day(session, today)
    # A provider on leave but booked is already in the schedule section; here the ones without a shift.
    items.extend(HuddleItem(c.text, "provider booked but not on shift", "staff", c.provider_id, urgent=True,
                            key=f"noshift:provider:{c.provider_id}")
                 for c in cover.conflicts if c.kind != "off")
    items.extend(HuddleItem(line, "short-staffed", "staff", key=f"gap:{line}") for line in coverage.gap_ranges(cover))
    # Only a lapsed REQUIRED credential is urgent; an expired optional one (or one renewed on another row) is not.
    lapsed = credentials.lapsed_required(session, today)
    items.extend(
        HuddleItem(f"{c.staff_name}: {c.kind.label} {c.expires:%m/%d/%Y}", f"credential {c.warning}", "staff",
                   c.staff_id, urgent=c.expired and c.kind.label in lapsed.get(c.staff_id, ()),
                   key=f"credential:{c.credential_id}")
        for c in staff.credentials_expiring(session, today, within_days=30)
    )
    items.extend(
        HuddleItem(f"{e.staff_name}: {e.kind.label.lower()} {e.due:%m/%d/%Y}",
                   f"evaluation overdue, was due {days_from_now(e.days_left)}" if e.overdue
                   else f"evaluation due {days_from_now(e.days_left)}", "staff", e.staff_id,
                   key=f"evaluation:staff:{e.staff_id}")
        for e in credentials.evaluations_due(session, today, within_days=EVALUATION_HUDDLE_DAYS)
    )
    items.extend(_enrollment_item(d) for d in credentials.enrollments_due(session, today))
    items.extend(huddle_hr.staffing_items(session, today, actor))
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
        key = f"caqh:provider:{d.provider_id}"
    else:
        text = f"{d.provider_name}: {d.what} re-credentialing {d.due:%m/%d/%Y}"
        reason = (f"re-credentialing overdue, was due {days_from_now(d.days_left or 0)}" if d.overdue
                  else f"re-credentialing due {days_from_now(d.days_left or 0)}")
        key = f"enrollment:{d.enrollment_id}" if d.enrollment_id else f"enrollment:provider:{d.provider_id}:{d.what}"
    return HuddleItem(text, reason, "staff", d.provider_id, urgent=d.overdue, key=key)


# --- supplies and equipment ---------------------------------------------------------------------------


def _supplies(session: Session, today: date) -> Section:
    """Stock at or below its reorder point, expired and expiring lots, equipment due for service.

    A few queries: stock (three grouped), lots expiring, equipment due (an index read), two settings.
    """
    items = [_low_stock_item(r) for r in inventory.below_reorder_point(session, today)]
    items.extend(
        HuddleItem(f"{lot.item_name} lot {lot.lot_number}: {lot.quantity} left",
                   "expired, remove from stock" if lot.days_left < 0 else f"expires {lot.expires:%m/%d/%Y}",
                   "inventory", lot.item_id, urgent=lot.days_left < 0, key=f"lot:{lot.lot_id}")
        for lot in inventory.lots_expiring(session, today, within_days=settings.get(session, "expiry_warn_days"))
    )
    items.extend(
        HuddleItem(f"{e.name}: service {e.next_due:%m/%d/%Y}" + (f" ({e.service_by})" if e.service_by else ""),
                   f"service overdue, was due {days_from_now(e.days_to_due)}" if e.days_to_due < 0
                   else f"service due {days_from_now(e.days_to_due)}",
                   "inventory", None, urgent=e.days_to_due < 0, key=f"equipment:{e.equipment_id}")
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
    return HuddleItem(r.name, f"{where}; {what}", "inventory", r.item_id, urgent=r.on_hand == 0,
                      key=f"lowstock:item:{r.item_id}")


# --- billing ------------------------------------------------------------------------------------------


def _billing(session: Session, day: _Day, actor: str) -> Section:
    """Deadlines within 15 days (or passed), follow-ups due today, and claims denied since the previous workday."""
    items = [_deadline_item(r) for r in billing.deadlines_within(session, day.today)]
    due = billing.follow_ups_due(session, day.today)
    if due:
        items.append(HuddleItem(f"{plural(due, 'claim follow-up')} due today", "follow-up date reached", "billing",
                                key="followups:claims"))
    items.extend(_new_denials(session, day.yesterday))
    # A missed payment plan names the account, not the patient: the billing list is read in the meeting.
    items.extend(HuddleItem(f"Payment plan, account #{m.account}",
                            f"{money(m.amount_cents)} due {m.due:%a %m/%d} missed ({money(m.paid_cents)} paid)",
                            "billing", None, key=f"plan:patient:{m.patient_id}:{m.due.isoformat()}")
                 for m in statements.missed_plan_payments(session, day.today))
    items.extend(_secondary_item(session, day.today))
    items.extend(huddle_money.bill_items(session, day.today, actor))
    return Section("billing", "Billing", "billing", "No billing deadlines, follow-ups, new denials or missed plan "
                   "payments", items)


def _deadline_item(r: billing.QueueRow) -> HuddleItem:
    days = r.days_to_deadline
    assert days is not None, "deadlines_within gives claims with a deadline"
    return HuddleItem(f"{r.number} {r.payer_name} {money(r.balance_cents)}",
                      f"deadline passed {days_from_now(days)}" if days < 0 else f"deadline {days_from_now(days)}",
                      "billing", r.claim_id, urgent=days < 0, key=f"deadline:claim:{r.claim_id}")


def _secondary_item(session: Session, today: date) -> list[HuddleItem]:
    """One line for the claims whose secondary is still to bill, naming the oldest by claim number."""
    oldest = secondary.to_bill(session, today=today, limit=1)
    if not oldest:
        return []
    first = oldest[0]
    return [HuddleItem(f"Bill secondary: {plural(secondary.to_bill_count(session), 'claim')}",
                       f"oldest {first.number} to {first.secondary_payer}, {money(first.patient_share_cents)} "
                       f"(visit {first.service_date:%m/%d})", "billing", first.claim_id, key="secondary:claims")]


def _new_denials(session: Session, yesterday: date) -> list[HuddleItem]:
    """Claims moved to "denied" at or after the previous workday's start and still denied now (one query)."""
    since = datetime.combine(yesterday, time.min)
    denied = (
        select(ClaimEvent.claim_id, func.max(ClaimEvent.at).label("at"))
        .where(ClaimEvent.at >= since, ClaimEvent.to_status == "denied")
        .group_by(col(ClaimEvent.claim_id))
        .subquery()
    )
    rows = session.exec(
        select(Claim, Payer.name, denied.c.at)
        .join(denied, denied.c.claim_id == Claim.id)
        .join(Payer, col(Payer.id) == col(Claim.payer_id))
        .where(Claim.status == "denied")
        .order_by(denied.c.at, col(Claim.id))
    ).all()
    if len(rows) > DENIALS_LISTED:
        # Too many to go through one by one in a ten-minute meeting: one line per payer.
        by_payer: dict[int, tuple[str, int, int]] = {}
        for claim, payer, _ in rows:
            _, count, cents = by_payer.get(claim.payer_id, (payer, 0, 0))
            by_payer[claim.payer_id] = (payer, count + 1, cents + claim.balance_cents)
        return [
            HuddleItem(f"{payer}: {plural(count, 'new denial')} {money(cents)}",
                       f"denied since {since:%a %m/%d}; work them in the Billing tab", "billing", None,
                       key=f"denials:payer:{payer_id}")
            for payer_id, (payer, count, cents) in sorted(by_payer.items(), key=lambda pair: -pair[1][1])
        ]
    items = []
    for claim, payer, denied_at in rows:
        code = "-".join(part for part in (claim.denial_group, claim.denial_code) if part)
        items.append(HuddleItem(f"{claim.number} {payer} {money(claim.balance_cents)}",
                                f"denied {denied_at:%a %m/%d}" + (f" ({code})" if code else ""), "billing", claim.id,
                                key=f"denial:claim:{claim.id}"))
    return items


# --- sign-ins -----------------------------------------------------------------------------------------


def _sign_ins(session: Session, day: _Day) -> Section:
    """Logins with repeated failed sign-ins, and every emergency access, since the previous workday began."""
    # A new failure gives the item a new key, so a snoozed warning comes back when the guessing goes on.
    items = [
        HuddleItem(f"Failed sign-ins: {f.login}",
                   f"{plural(f.count, 'failed sign-in')} since {day.yesterday:%a %m/%d}, last {f.last:%a %H:%M}",
                   "huddle", urgent=True, key=f"failedsignin:{f.login}:{f.last.isoformat()}")
        for f in users.failed_sign_ins(session, since=day.yesterday)
    ]
    items.extend(
        HuddleItem(f"Emergency access: {use.who} opened {_area_words(use.area)}",
                   f"{use.at:%a %m/%d %H:%M}, reason: {use.reason}", "huddle",
                   key=f"breakglass:{use.who}:{use.at.isoformat()}")
        for use in users.emergency_uses(session, since=day.yesterday)
    )
    return Section(ACCESS, "Sign-ins and emergency access", "huddle",
                   "No repeated failed sign-ins or emergency access", items)


def _area_words(value: str) -> str:
    try:
        return Area(value).label
    except ValueError:  # an area no longer known keeps the name it was recorded with
        return value


# --- compliance ---------------------------------------------------------------------------------------


def _compliance(session: Session, day: _Day) -> Section:
    items = [
        HuddleItem(row.title, row.when, "compliance", row.task_id, urgent=row.days is not None and row.days < 0,
                   key=f"overdue:task:{row.task_id}")
        for row in day.duties
    ]
    # Open concerns and incidents (record_id None: the tab's rows are duties, the concerns have their own window).
    items.extend(_concern_item(row) for row in concerns.open_concerns(session, day.today))
    # A vaccine temperature not logged on the previous workday (today's is still to do, not missed).
    yesterday = day.yesterday
    items.extend(
        HuddleItem(f"{unit.name}: no temperature logged {missed:%a %m/%d}", "missing reading", "compliance",
                   key=f"temp:unit:{unit.id}:{missed.isoformat()}")
        for unit, missed in temperature.missing_readings(session, yesterday, yesterday)
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
    return HuddleItem(f"{row.title}: {row.summary}", reason, "compliance", None, urgent=row.urgent,
                      key=f"concern:{row.id}")
