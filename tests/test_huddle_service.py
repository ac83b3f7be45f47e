from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    VALID_NPIS,
    at,
    make_appointment,
    make_appointment_type,
    make_claim,
    make_claim_event,
    make_completion,
    make_compliance_task,
    make_credential,
    make_equipment,
    make_item,
    make_order,
    make_patient,
    make_payer,
    make_provider,
    make_staff,
    make_time_off,
    make_vendor,
)
from officemgr.models import (
    AppointmentEvent,
    ApptStatus,
    ClaimStatus,
    ClosureCreate,
    CredentialKind,
    EntryKind,
    ItemCategory,
    LedgerEntry,
    OrderStatus,
    Patient,
    Role,
    UserRole,
)
from officemgr.models.billing import CloseReason
from officemgr.models.huddle import ActionStatus, HuddleAction, HuddleSnooze
from officemgr.models.schedule import EventKind
from officemgr.services import calendar, huddle_sheet, ledger, settings, statements, users
from officemgr.services.access import Actor, Area
from officemgr.services.calendar import PracticeCalendar
from officemgr.services.huddle import Numbers, huddle, previous_workday

FRIDAY = date(2026, 11, 20)
SECTION_KEYS = ["yesterday", "schedule", "staffing", "supplies", "billing", "compliance"]
# The Huddle everyone sees: the sign-ins section is the manager's and the auditor's (tests at the end).
DESK = Actor("kim", {UserRole.front_desk}, workstation="desk1")
# Every tab but no audit log: the six sections, not the sign-ins one (a person may hold several roles).
TEAM = Actor("max", {UserRole.front_desk, UserRole.biller, UserRole.clinical}, workstation="office")


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def section(result, key):
    return next(s for s in result.sections if s.key == key)


def reasons(result, key):
    return [i.reason for i in section(result, key).items]


def test_previous_workday_skips_the_weekend():
    assert TODAY.weekday() == 0
    cal = PracticeCalendar()
    assert previous_workday(cal, TODAY) == FRIDAY
    assert previous_workday(cal, date(2026, 11, 24)) == TODAY
    assert previous_workday(cal, date(2026, 11, 22)) == FRIDAY  # Sunday


@pytest.mark.parametrize(("today", "yesterday"), [
    (date(2026, 11, 27), date(2026, 11, 25)),  # the Friday after Thanksgiving: Wednesday
    (date(2027, 1, 4), date(2026, 12, 31)),    # Monday after New Year's Day (a Friday): back over the year end
    (date(2028, 3, 1), date(2028, 2, 29)),     # a leap year's Feb 29 is a workday
    (date(2026, 7, 6), date(2026, 7, 2)),      # Monday after Independence Day observed on Friday 7/3
])
def test_previous_workday_skips_federal_holidays(today, yesterday):
    assert previous_workday(PracticeCalendar(), today) == yesterday


def test_yesterday_is_the_business_day_before_a_holiday_with_its_no_shows(session):
    wednesday = date(2026, 11, 25)
    missed = make_appointment(session, start=at(10, day=wednesday), status=ApptStatus.no_show)
    result = section(huddle(session, date(2026, 11, 27), actor=TEAM), "yesterday")
    assert result.title == "Yesterday (Wed 11/25)"
    assert [i.record_id for i in result.items] == [missed.id]


def test_yesterday_skips_the_practices_own_closure(session):
    calendar.add_closure(session, ClosureCreate(day=FRIDAY, reason="Inventory day"), now=NOW, actor=ACTOR)
    assert section(huddle(session, TODAY, actor=TEAM), "yesterday").title == "Yesterday (Thu 11/19)"


def test_an_empty_practice_has_every_section_in_order_each_saying_its_empty_text(session):
    result = huddle(session, TODAY, actor=TEAM)

    assert result.today == TODAY
    assert [s.key for s in result.sections] == SECTION_KEYS
    assert [(s.title, s.tab, s.empty, s.items) for s in result.sections] == [
        ("Yesterday (Fri 11/20)", "schedule", "Nothing left over from yesterday", []),
        ("Today's schedule", "schedule", "No appointments today", []),
        ("Staffing", "staff", "No staffing gaps today", []),
        ("Supplies and equipment", "inventory", "No supply or equipment problems", []),
        ("Billing", "billing", "No billing deadlines, follow-ups, new denials or missed plan payments", []),
        ("Compliance", "compliance", "Nothing due or overdue", []),
    ]
    assert result.total == 0
    assert result.numbers == Numbers(appointments=0, open_slots=0, staff_out=0, ar_over_90_cents=0,
                                     overdue_duties=0)


def test_a_calm_day_keeps_the_problem_sections_empty(session):
    """Healthy stock, far deadlines, valid credentials and tasks done leave those sections empty."""
    person = make_staff(session)
    make_credential(session, person, expires=days(200))
    make_item(session, name="Gloves", quantity=50, reorder_point=10, par=60)
    make_claim(session, deadline=days(60))
    task = make_compliance_task(session, anchor=date(2026, 11, 16))
    make_completion(session, task, due_date=TODAY)

    result = huddle(session, TODAY, actor=TEAM)

    for key in ("yesterday", "staffing", "supplies", "billing", "compliance"):
        assert section(result, key).items == [], key


@pytest.fixture
def busy_monday(session):
    """One of each huddle item, plus near-misses that must stay out."""
    hopper = make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0])
    babbage = make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1])
    ada = make_patient(session, first_name="Ada", last_name="Lovelace")
    alan = make_patient(session, first_name="Alan", last_name="Turing")
    visit = make_appointment_type(session, name="Follow-up", minutes=15)
    rows = {}

    # yesterday = Friday: one no-show; a checked-out visit on Friday, a no-show on Thursday and on today stay out
    rows["no_show"] = make_appointment(session, patient=alan, provider=hopper, appt_type=visit,
                                       start=at(10, 15, day=FRIDAY), status=ApptStatus.no_show)
    make_appointment(session, patient=ada, provider=hopper, appt_type=visit, start=at(9, day=FRIDAY),
                     status=ApptStatus.checked_out)
    make_appointment(session, patient=ada, provider=hopper, appt_type=visit, start=at(9, day=FRIDAY - timedelta(1)),
                     status=ApptStatus.no_show)

    # today: Hopper double-booked at 09:00; Babbage off (approved PTO) but booked
    make_appointment(session, patient=ada, provider=hopper, appt_type=visit, start=at(9))
    rows["double"] = make_appointment(session, patient=alan, provider=hopper, appt_type=visit, start=at(9, 5))
    make_appointment(session, patient=ada, provider=babbage, appt_type=visit, start=at(14))
    make_time_off(session, babbage, kind="PTO", start_date=days(-1), end_date=days(1))
    rows["hopper"], rows["babbage"] = hopper, babbage

    # staffing: an expired credential; one valid for a year stays out
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)
    make_credential(session, mary, kind=CredentialKind.bls, expires=days(-2))
    make_credential(session, hopper, kind=CredentialKind.license, expires=days(365))
    rows["mary"] = mary

    # supplies: one item below its reorder point; a well-stocked one stays out
    rows["low"] = make_item(session, name="Exam table paper", quantity=2, reorder_point=6, par=24)
    make_item(session, name="Gowns", quantity=40, reorder_point=10, par=50)
    make_item(session, name="Tdap", category=ItemCategory.vaccine, tracks_lots=True, reorder_point=1, par=10,
              lots=[("T1", days(200), 8)])

    # billing: a deadline in 10 days; one in 16 days and a paid claim stay out
    payer = make_payer(session, name="Aetna")
    rows["deadline"] = make_claim(session, number="CL-10", payer=payer, patient=ada, deadline=days(10),
                                  billed_cents=123_456)
    make_claim(session, number="CL-16", payer=payer, patient=ada, deadline=days(16))
    make_claim(session, number="CL-PAID", payer=payer, patient=ada, deadline=days(3), status=ClaimStatus.paid)

    # compliance: a weekly task last done two weeks ago is 7 days overdue; one done this week stays out
    rows["overdue"] = make_compliance_task(session, title="Eyewash activation", anchor=date(2026, 11, 2))
    make_completion(session, rows["overdue"], due_date=date(2026, 11, 9))
    fine = make_compliance_task(session, title="Spore test", anchor=date(2026, 11, 2))
    make_completion(session, fine, due_date=TODAY)
    return rows


def test_huddle_puts_each_item_in_its_section(session, busy_monday):
    rows = busy_monday

    result = huddle(session, TODAY, actor=TEAM)

    assert [s.key for s in result.sections] == SECTION_KEYS

    yesterday = section(result, "yesterday")
    assert yesterday.title == "Yesterday (Fri 11/20)"
    assert [(i.text, i.reason, i.tab, i.record_id) for i in yesterday.items] == [
        ("10:15 A.T. 46 Follow-up (Grace Hopper)", "no-show Fri 11/20", "schedule", rows["no_show"].id)]

    schedule_items = section(result, "schedule").items
    double = [i for i in schedule_items if i.reason == "double-booked"]
    assert [(i.text, i.record_id, i.urgent) for i in double] == [
        ("09:05 A.T. 46 Follow-up (Grace Hopper)", rows["double"].id, True)]
    off = [i for i in schedule_items if i.reason == "provider off but booked"]
    assert [(i.text, i.urgent) for i in off] == [("Charles Babbage: off (PTO) but 1 booked", True)]

    staffing = section(result, "staffing").items
    assert [(i.text, i.reason, i.record_id, i.urgent) for i in staffing] == [
        ("Charles Babbage (Physician)", "out today: PTO", rows["babbage"].id, False),
        # Nobody in this fixture has a shift: Hopper is booked but not on shift, and no one is at the desk.
        ("Grace Hopper has 2 appointments but no shift", "provider booked but not on shift", rows["hopper"].id, True),
        ("08:00–17:00 Front desk: 0 of 1", "short-staffed", None, False),
        ("Mary Jones: BLS/CPR 11/21/2026", "credential expired", rows["mary"].id, True),
    ]

    supplies = section(result, "supplies").items
    assert [(i.text, i.reason, i.tab, i.record_id) for i in supplies] == [
        ("Exam table paper", "2 on hand, reorder at 6; order 22 (no vendor set)", "inventory", rows["low"].id)]

    billing_items = section(result, "billing").items
    assert [(i.text, i.reason, i.record_id, i.urgent) for i in billing_items] == [
        ("CL-10 Aetna $1,234.56", "deadline in 10 days", rows["deadline"].id, False)]

    compliance_items = section(result, "compliance").items
    assert [(i.text, i.reason, i.record_id, i.urgent) for i in compliance_items] == [
        ("Eyewash activation", "7 days overdue", rows["overdue"].id, True)]

    assert result.total == sum(len(s.items) for s in result.sections)


def test_huddle_schedule_summarises_each_provider(session, busy_monday):
    schedule_items = section(huddle(session, TODAY, actor=TEAM), "schedule").items
    summaries = [i.text for i in schedule_items if i.reason in ("open slots to fill", "fully booked")]
    # Hopper's double-booked visit takes no extra slot: 32 - 1
    assert "Grace Hopper: 2/32 booked, 31 open slots" in summaries
    # Babbage is away: his slots cannot be filled, so he shows only as "off but booked".
    assert not any(text.startswith("Charles Babbage") for text in summaries)
    assert "Charles Babbage: off (PTO) but 1 booked" in [i.text for i in schedule_items]


def test_a_provider_who_is_off_has_no_open_slots_to_fill(session):
    """Slots of a provider on approved leave cannot be filled; the huddle must not ask to fill them."""
    away = make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1])
    make_time_off(session, away, kind="PTO")
    items = section(huddle(session, TODAY, actor=TEAM), "schedule").items
    assert [i for i in items if i.reason == "open slots to fill"] == []


def test_huddle_billing_flags_passed_deadlines_follow_ups_and_new_denials(session):
    payer = make_payer(session, name="Cigna")
    make_claim(session, number="LATE", payer=payer, deadline=days(-1), billed_cents=5_000)
    make_claim(session, number="DUE", payer=payer, deadline=TODAY, billed_cents=700)
    make_claim(session, number="F1", payer=payer, deadline=None, status=ClaimStatus.pending, next_follow_up=TODAY)
    new = make_claim(session, number="NEW-DENIAL", payer=payer, status=ClaimStatus.denied, denied_on=FRIDAY,
                     deadline=days(100), denial_group="CO", denial_code="197")
    make_claim_event(session, new, to_status="denied", at=at(0, day=FRIDAY))
    old = make_claim(session, number="OLD-DENIAL", payer=payer, status=ClaimStatus.denied, denied_on=days(-10),
                     deadline=days(100))
    make_claim_event(session, old, to_status="denied", at=at(23, 59, day=FRIDAY - timedelta(days=1)))
    # Denied on Friday but appealed since: no longer a new denial to work.
    appealed = make_claim(session, number="APPEALED", payer=payer, status=ClaimStatus.appealed, deadline=days(100))
    make_claim_event(session, appealed, to_status="denied", at=at(9, day=FRIDAY))

    items = section(huddle(session, TODAY, actor=TEAM), "billing").items

    assert [(i.text, i.reason, i.urgent) for i in items] == [
        ("LATE Cigna $50.00", "deadline passed yesterday", True),
        ("DUE Cigna $7.00", "deadline today", False),
        ("1 claim follow-up due today", "follow-up date reached", False),
        ("NEW-DENIAL Cigna $150.00", "denied Fri 11/20 (CO-197)", False),
    ]


def test_huddle_supplies_flags_expired_and_expiring_lots(session):
    vax = make_item(session, name="MMR", category=ItemCategory.vaccine, tracks_lots=True, reorder_point=0, par=10,
                    lots=[("OLD", days(-1), 2), ("SOON", days(20), 3), ("FAR", days(31), 4)])
    items = section(huddle(session, TODAY, actor=TEAM), "supplies").items
    assert [(i.text, i.reason, i.record_id, i.urgent) for i in items] == [
        ("MMR lot OLD: 2 left", "expired, remove from stock", vax.id, True),
        ("MMR lot SOON: 3 left", "expires 12/13/2026", vax.id, False),
    ]


def test_huddle_is_relative_to_the_day_passed_in(session):
    result = huddle(session, date(2026, 11, 25), actor=TEAM)
    assert section(result, "yesterday").title == "Yesterday (Tue 11/24)"


def test_yesterdays_no_shows_are_in_time_order_across_providers(session):
    first = make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0])
    second = make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1])
    make_appointment(session, provider=first, start=at(15, day=FRIDAY), status=ApptStatus.no_show)
    make_appointment(session, provider=second, start=at(8, day=FRIDAY), status=ApptStatus.no_show)
    make_appointment(session, provider=first, start=at(11, day=FRIDAY), status=ApptStatus.no_show)
    texts = [i.text[:5] for i in section(huddle(session, TODAY, actor=TEAM), "yesterday").items]
    assert texts == ["08:00", "11:00", "15:00"]


# --- supplies and equipment ---------------------------------------------------------------------------


def test_low_stock_says_what_is_on_order_or_what_to_order_from_whom(session):
    medline = make_vendor(session, name="Medline")
    to_order = make_item(session, name="A gloves", quantity=2, reorder_point=6, par=24, vendor=medline)
    covered = make_item(session, name="B gowns", quantity=2, reorder_point=6, par=12, vendor=medline)
    partly = make_item(session, name="C gauze", quantity=2, reorder_point=6, par=24, vendor=medline)
    drafted = make_item(session, name="D cups", quantity=2, reorder_point=6, par=24, vendor=medline)
    make_item(session, name="E labels", quantity=0, reorder_point=1, par=3)
    make_order(session, medline, [(covered, 10)], status=OrderStatus.ordered)
    make_order(session, medline, [(partly, 8, 3)], status=OrderStatus.partly_received)
    make_order(session, medline, [(drafted, 22)])
    make_order(session, medline, [(to_order, 5)], status=OrderStatus.cancelled)

    items = section(huddle(session, TODAY, actor=TEAM), "supplies").items

    assert [(i.text, i.reason, i.record_id, i.urgent) for i in items] == [
        # Out of stock is urgent, and comes first.
        ("E labels", "0 on hand, reorder at 1; order 3 (no vendor set)", items[0].record_id, True),
        ("A gloves", "2 on hand, reorder at 6; order 22 from Medline", to_order.id, False),
        ("B gowns", "2 on hand, reorder at 6; 10 on order", covered.id, False),
        ("C gauze", "2 on hand, reorder at 6; 5 on order; order 17 more", partly.id, False),
        ("D cups", "2 on hand, reorder at 6; on a draft order, not placed yet", drafted.id, False),
    ]
    assert {i.tab for i in items} == {"inventory"}


def test_expired_lots_are_always_listed_and_expiring_ones_within_the_setting(session):
    settings.put(session, "expiry_warn_days", 10, now=NOW, actor=ACTOR)
    vax = make_item(session, name="Tdap", category=ItemCategory.vaccine, tracks_lots=True, reorder_point=0, par=10,
                    lots=[("GONE", days(-200), 0), ("OLD", days(-90), 1), ("TEN", days(10), 2),
                          ("ELEVEN", days(11), 3)])

    items = section(huddle(session, TODAY, actor=TEAM), "supplies").items

    assert [(i.text, i.reason, i.record_id, i.urgent) for i in items] == [
        ("Tdap lot OLD: 1 left", "expired, remove from stock", vax.id, True),
        ("Tdap lot TEN: 2 left", "expires 12/03/2026", vax.id, False),
    ]


def test_equipment_overdue_is_urgent_and_due_within_the_setting_is_listed(session):
    make_equipment(session, name="Centrifuge", next_due=days(-3), service_by="Tri-State Biomedical")
    make_equipment(session, name="AED", service_every_days=30, next_due=days(14))
    make_equipment(session, name="Autoclave", next_due=days(15))
    make_equipment(session, name="Old ECG", next_due=days(-100), active=False)

    items = section(huddle(session, TODAY, actor=TEAM), "supplies").items

    assert [(i.text, i.reason, i.tab, i.record_id, i.urgent) for i in items] == [
        ("Centrifuge: service 11/20/2026 (Tri-State Biomedical)", "service overdue, was due 3 days ago", "inventory",
         None, True),
        ("AED: service 12/07/2026", "service due in 14 days", "inventory", None, False),
    ]

    settings.put(session, "equipment_due_warn_days", 30, now=NOW, actor=ACTOR)
    texts = [i.text for i in section(huddle(session, TODAY, actor=TEAM), "supplies").items]
    assert texts[-1] == "Autoclave: service 12/08/2026"


def test_urgent_supply_items_come_first(session):
    make_equipment(session, name="AED", next_due=days(5))
    make_item(session, name="Paper", quantity=1, reorder_point=3, par=10)
    make_item(session, name="MMR", category=ItemCategory.vaccine, tracks_lots=True, reorder_point=0, par=10,
              lots=[("X", days(-1), 1), ("Y", days(20), 5)])
    make_equipment(session, name="ECG", next_due=days(-1))

    items = section(huddle(session, TODAY, actor=TEAM), "supplies").items

    assert [(i.text.split(":")[0], i.urgent) for i in items] == [
        ("MMR lot X", True), ("ECG", True), ("Paper", False), ("MMR lot Y", False), ("AED", False)]


# --- yesterday: late cancellations and open actions ---------------------------------------------------


def _action(session, owner, *, what="Call the alarm company", due=TODAY, created_on=FRIDAY, status=None):
    action = HuddleAction(what=what, owner_id=owner.id, due=due, created_on=created_on,
                          **({"status": status} if status else {}))
    session.add(action)
    session.commit()
    return action


def _snooze(session, key, until):
    session.add(HuddleSnooze(item_key=key, until=until, created_on=TODAY, actor=ACTOR))
    session.commit()


def _cancelled(session, *, start, cancelled_at, reason="", **kwargs):
    appt = make_appointment(session, start=start, status=ApptStatus.cancelled, cancel_reason=reason, **kwargs)
    session.add(AppointmentEvent(appointment_id=appt.id, at=cancelled_at, actor=ACTOR, kind=EventKind.status,
                                 from_status="booked", to_status="cancelled"))
    session.commit()
    return appt


def test_a_cancellation_within_24_hours_of_the_slot_is_late_and_an_earlier_one_is_not(session):
    hopper = make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0])
    alan = make_patient(session, first_name="Alan", last_name="Turing")
    visit = make_appointment_type(session, name="Follow-up", minutes=15)
    late = _cancelled(session, start=at(10, day=FRIDAY), cancelled_at=at(7, 30, day=FRIDAY), reason="car trouble",
                      provider=hopper, patient=alan, appt_type=visit)
    _cancelled(session, start=at(11, day=FRIDAY), cancelled_at=at(10, 59, day=FRIDAY - timedelta(days=1)),
               provider=hopper, patient=alan, appt_type=visit)

    items = section(huddle(session, TODAY, actor=TEAM), "yesterday").items

    assert [(i.text, i.reason, i.tab, i.record_id, i.key) for i in items] == [
        ("10:00 A.T. 46 Follow-up (Grace Hopper)", "late cancellation Fri 11/20, 2 h before: car trouble", "schedule",
         late.id, f"latecancel:appt:{late.id}")]


def test_open_actions_come_back_under_yesterday_until_done(session):
    owner = make_staff(session, first_name="Mary", last_name="Jones")
    overdue = _action(session, owner, what="Order more gloves", due=FRIDAY)
    later = _action(session, owner, what="Call the alarm company", due=days(3))
    _action(session, owner, what="Created at today's huddle", created_on=TODAY)
    _action(session, owner, what="Finished", status=ActionStatus.done)

    items = section(huddle(session, TODAY, actor=TEAM), "yesterday").items
    assert [(i.text, i.reason, i.tab, i.record_id, i.urgent, i.key) for i in items] == [
        ("Order more gloves", "open action for Mary Jones, due 11/20/2026", "huddle", overdue.id, True,
         f"action:{overdue.id}"),
        ("Call the alarm company", "open action for Mary Jones, due 11/26/2026", "huddle", later.id, False,
         f"action:{later.id}"),
    ]

    # Still open the next day (and today's new action now carries over too) ...
    tomorrow = [i.text for i in section(huddle(session, days(1), actor=TEAM), "yesterday").items]
    assert tomorrow == ["Order more gloves", "Created at today's huddle", "Call the alarm company"]

    # ... until it is done.
    overdue.status = ActionStatus.done
    session.add(overdue)
    session.commit()
    assert "Order more gloves" not in [i.text for i in section(huddle(session, days(1), actor=TEAM), "yesterday").items]


# --- today's schedule: patients needing attention ------------------------------------------------------


@pytest.fixture
def patients_today(session):
    hopper = make_provider(session, first_name="Grace", last_name="Hopper", npi=VALID_NPIS[0])
    visit = make_appointment_type(session, name="Follow-up", minutes=15)
    rows = {"hopper": hopper}

    def patient(first, last, hour, *, seen_days_ago=None, status=ApptStatus.checked_out):
        person = make_patient(session, first_name=first, last_name=last)
        if seen_days_ago is not None:
            make_appointment(session, patient=person, provider=hopper, appt_type=visit,
                             start=at(9, day=days(-seen_days_ago)), status=status)
        rows[first] = make_appointment(session, patient=person, provider=hopper, appt_type=visit, start=at(hour))
        return person

    patient("Ada", "Lovelace", 9)  # never seen: new
    patient("Alan", "Turing", 10, seen_days_ago=400)  # long gap
    patient("Edsger", "Dijkstra", 11, seen_days_ago=30)  # seen lately: nothing to flag
    patient("Barbara", "Liskov", 12, seen_days_ago=10, status=ApptStatus.no_show)  # only a no-show: still new
    owes = patient("Donald", "Knuth", 13, seen_days_ago=60)
    payer = make_payer(session, name="Aetna")
    sent = make_claim(session, patient=owes, payer=payer, status=ClaimStatus.closed,
                      close_reason=CloseReason.sent_to_patient, billed_cents=20_000, paid_cents=12_000, deadline=None)
    # His co-pay share on a paid claim, paid at the desk: only the $80.00 sent to him is owed.
    shared = make_claim(session, payer=payer, status=ClaimStatus.paid, patient_resp_cents=2_500, deadline=None,
                        patient=owes)
    edsger = session.exec(select(Patient).where(Patient.first_name == "Edsger")).one()
    paid_up = make_claim(session, patient=edsger, payer=payer, status=ClaimStatus.paid, patient_resp_cents=4_000,
                         deadline=None)
    for claim in (sent, shared, paid_up):
        ledger.follow_claim(session, claim, day=days(-5), actor=ACTOR, now=NOW)
    session.commit()
    ledger.take_payment(session, owes.id, 2_500, "cash", today=days(-5), actor=ACTOR, now=NOW)
    ledger.take_payment(session, edsger.id, 4_000, "card", "4242", today=days(-5), actor=ACTOR, now=NOW)
    return rows


def test_patients_needing_attention_are_new_long_unseen_or_owing(session, patients_today):
    rows = patients_today
    items = [i for i in section(huddle(session, TODAY, actor=DESK), "schedule").items if i.key.startswith("attention:")]

    assert [(i.text, i.reason, i.record_id) for i in items] == [
        ("09:00 A.L. 46 Follow-up (Grace Hopper)", "new patient", rows["Ada"].id),
        ("10:00 A.T. 46 Follow-up (Grace Hopper)", "last visit 10/19/2025, over 12 months ago", rows["Alan"].id),
        ("12:00 B.L. 46 Follow-up (Grace Hopper)", "new patient", rows["Barbara"].id),
        ("13:00 D.K. 46 Follow-up (Grace Hopper)", "balance $80.00 due at check-in", rows["Donald"].id),
    ]
    assert [i.key for i in items] == [f"attention:patient:{rows[n].patient_id}"
                                      for n in ("Ada", "Alan", "Barbara", "Donald")]


def test_privacy_off_shows_patient_names_everywhere(session, patients_today):
    make_appointment(session, patient=make_patient(session, first_name="Alan", last_name="Turing"),
                     provider=patients_today["hopper"], start=at(10, day=FRIDAY), status=ApptStatus.no_show)

    masked = huddle(session, TODAY, actor=TEAM)
    named = huddle(session, TODAY, privacy=False, actor=TEAM)

    assert section(masked, "yesterday").items[0].text.startswith("10:00 A.T. 46 ")
    assert section(named, "yesterday").items[0].text.startswith("10:00 Turing, Alan ")
    texts = [i.text for i in section(named, "schedule").items if i.key.startswith("attention:")]
    assert texts[0] == "09:00 Lovelace, Ada Follow-up (Grace Hopper)"
    assert not any("Lovelace" in i.text for s in masked.sections for i in s.items)
    # The masked line carries the named one for a reveal on screen; with privacy off there is nothing to reveal.
    assert section(masked, "yesterday").items[0].full_text == section(named, "yesterday").items[0].text
    assert all(i.full_text == "" for s in named.sections for i in s.items)


def test_privacy_shows_initials_and_the_age_on_the_visit_day(session, patients_today):
    # Born 11/21/1979: 46 on Friday 11/20, 47 from Saturday; Monday's double-book shows 47.
    alan = make_patient(session, first_name="alan", last_name="turing", dob=date(1979, 11, 21))
    make_appointment(session, patient=alan, provider=patients_today["hopper"], start=at(10, day=FRIDAY),
                     status=ApptStatus.no_show)
    make_appointment(session, patient=alan, provider=patients_today["hopper"], start=at(9, 5))

    result = huddle(session, TODAY, actor=TEAM)

    assert section(result, "yesterday").items[0].text.startswith("10:00 A.T. 46 ")
    double = [i.text for i in section(result, "schedule").items if i.key.startswith("double:")]
    assert len(double) == 1 and double[0].startswith("09:05 A.T. 47 ")


# --- keys and snoozing --------------------------------------------------------------------------------


def test_every_item_has_a_unique_key_and_the_same_thing_keeps_its_key_the_next_day(session, busy_monday):
    rows = busy_monday
    owner = make_staff(session, first_name="Sam", last_name="Lee")
    action = _action(session, owner)
    monday, tuesday = huddle(session, TODAY, actor=TEAM), huddle(session, days(1), actor=TEAM)

    for result in (monday, tuesday):
        keys = [i.key for s in result.sections for i in s.items]
        assert all(keys) and len(keys) == len(set(keys))
    both = {i.key for s in monday.sections for i in s.items} & {i.key for s in tuesday.sections for i in s.items}
    assert {f"action:{action.id}", f"lowstock:item:{rows['low'].id}", f"deadline:claim:{rows['deadline'].id}",
            f"overdue:task:{rows['overdue'].id}", f"out:staff:{rows['babbage'].id}"} <= both
    assert f"noshow:appt:{rows['no_show'].id}" in {i.key for i in section(monday, "yesterday").items}


def test_a_snoozed_item_stays_off_every_section_until_its_date(session, busy_monday):
    rows = busy_monday
    low, deadline = f"lowstock:item:{rows['low'].id}", f"deadline:claim:{rows['deadline'].id}"
    _snooze(session, low, until=days(2))
    _snooze(session, deadline, until=days(1))

    def keys(day):
        return {i.key for s in huddle(session, day, actor=TEAM).sections for i in s.items}

    assert low not in keys(TODAY) and deadline not in keys(TODAY)
    assert low not in keys(days(1)) and deadline in keys(days(1))
    assert low in keys(days(2))
    assert section(huddle(session, TODAY, actor=TEAM), "supplies").items == []


# --- numbers ------------------------------------------------------------------------------------------


def test_numbers_count_todays_appointments_open_slots_staff_out_old_ar_and_overdue_duties(session, busy_monday):
    payer = make_payer(session, name="Cigna")
    make_claim(session, payer=payer, service_date=days(-91), billed_cents=10_000, paid_cents=2_500, deadline=None)
    make_claim(session, payer=payer, service_date=days(-120), billed_cents=5_000, deadline=None,
               status=ClaimStatus.paid)
    make_claim(session, payer=payer, service_date=days(-90), billed_cents=7_000, deadline=None)

    numbers = huddle(session, TODAY, actor=TEAM).numbers

    # Hopper: 2 booked (one double-booked), 31 open; Babbage is off, so his slots are not open to fill.
    assert numbers == Numbers(appointments=3, open_slots=31, staff_out=1, ar_over_90_cents=7_500,
                              overdue_duties=1)


def test_many_new_denials_are_summed_up_per_payer(session):
    big, small = make_payer(session, name="Aetna"), make_payer(session, name="Cigna")
    for n in range(9):
        claim = make_claim(session, payer=big, status=ClaimStatus.denied, billed_cents=1_000, deadline=None)
        make_claim_event(session, claim, to_status="denied", at=at(9, n, day=FRIDAY))
    for _ in range(2):
        claim = make_claim(session, payer=small, status=ClaimStatus.denied, billed_cents=500, deadline=None)
        make_claim_event(session, claim, to_status="denied", at=at(8))

    items = section(huddle(session, TODAY, actor=TEAM), "billing").items

    assert [(i.text, i.reason, i.record_id, i.key) for i in items] == [
        ("Aetna: 9 new denials $90.00", "denied since Fri 11/20; work them in the Billing tab", None,
         f"denials:payer:{big.id}"),
        ("Cigna: 2 new denials $10.00", "denied since Fri 11/20; work them in the Billing tab", None,
         f"denials:payer:{small.id}"),
    ]


# --- sign-ins and emergency access: the manager's and the auditor's ---------------------------------------


def _sign_in_trouble(session):
    """Since Friday (the previous workday): kim mistyped 3 times, a guessed login failed 3 times, bea once and once
    on Thursday; kim used emergency access to Billing. Thursday's break-glass is before the window."""
    make_staff(session, first_name="Kim", last_name="Lee", role=Role.front_desk)
    make_staff(session, first_name="Bea", last_name="Park", role=Role.biller)
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", actor=ACTOR, now=NOW)
    users.add_user(session, "bea", staff_name="Bea Park", roles="biller", new_pin="1357", actor=ACTOR, now=NOW)
    thursday = FRIDAY - timedelta(days=1)
    users.sign_in(session, "bea", "0000", workstation="desk2", now=at(16, day=thursday))
    users.sign_in(session, "bea", "0000", workstation="desk2", now=at(9, day=FRIDAY))
    for minute in (0, 5, 10):
        users.sign_in(session, "kim", "0000", workstation="desk1", now=at(8, minute, day=FRIDAY))
        users.sign_in(session, "ghost", "1111", workstation="desk2", now=at(7, minute))
    kim = users.sign_in(session, "kim", "2468", workstation="desk1", now=at(8, 20, day=FRIDAY)).actor
    assert kim is not None
    users.break_glass(session, kim, Area.billing, "old reason from Thursday", now=at(12, day=thursday))
    users.break_glass(session, kim, Area.billing, "patient at the desk disputes a denied claim",
                      now=at(8, 30, day=FRIDAY))


def test_repeated_failed_sign_ins_and_emergency_access_are_on_the_managers_huddle(session):
    _sign_in_trouble(session)
    for role in (UserRole.manager, UserRole.auditor):
        result = huddle(session, TODAY, actor=Actor("max", {role}, workstation="office"))
        assert [s.key for s in result.sections] == [*SECTION_KEYS, "access"]
        access = section(result, "access")
        assert (access.title, access.tab) == ("Sign-ins and emergency access", "huddle")
        assert [(i.text, i.reason, i.urgent) for i in access.items] == [
            ("Failed sign-ins: ghost", "3 failed sign-ins since Fri 11/20, last Mon 07:10", True),
            ("Failed sign-ins: kim", "3 failed sign-ins since Fri 11/20, last Fri 08:10", True),
            ("Emergency access: kim@desk1 opened billing",
             "Fri 11/20 08:30, reason: patient at the desk disputes a denied claim", False),
        ]


def test_the_sign_ins_section_is_not_shown_to_others_nor_printed(session):
    _sign_in_trouble(session)
    seen = {UserRole.front_desk: ["yesterday", "schedule", "staffing"],
            UserRole.biller: ["yesterday", "schedule", "staffing", "billing"],
            UserRole.clinical: ["yesterday", "schedule", "staffing", "supplies", "compliance"]}
    for role, keys in seen.items():
        result = huddle(session, TODAY, actor=Actor("pat", {role}, workstation="desk1"))
        assert [s.key for s in result.sections] == keys  # the sections of the tabs the role may open
    managers = huddle(session, TODAY, actor=Actor("max", {UserRole.manager}, workstation="office"))
    access = section(managers, "access").items
    paper = huddle_sheet.for_paper(managers)
    assert [s.key for s in paper.sections] == SECTION_KEYS
    assert len(access) == 3 and paper.total == managers.total - 3
    sheet = huddle_sheet.markdown(managers, []) + huddle_sheet.html(managers, [])
    assert "ghost" not in sheet and "emergency" not in sheet.lower() and "Sign-ins" not in sheet


def test_an_empty_sign_ins_section_says_so(session):
    access = section(huddle(session, TODAY, actor=Actor("max", {UserRole.manager}, workstation="office")), "access")
    assert (access.items, access.empty) == ([], "No repeated failed sign-ins or emergency access")


def test_the_front_desk_numbers_leave_out_the_ar_figure(session):
    payer = make_payer(session)
    make_claim(session, payer=payer, service_date=TODAY - timedelta(days=120), status=ClaimStatus.pending)
    assert huddle(session, TODAY, actor=TEAM).numbers.ar_over_90_cents == 15_000
    desk = huddle(session, TODAY, actor=DESK)
    assert desk.numbers.ar_over_90_cents is None
    assert "A/R" not in huddle_sheet.numbers_line(desk) and "Overdue duties" in huddle_sheet.numbers_line(desk)


def test_a_missed_payment_plan_is_on_the_billing_list_by_account(session):
    patient = make_patient(session, account="000314")
    session.add(LedgerEntry(patient_id=patient.id, day=date(2026, 8, 20), at=NOW, actor="t",
                            kind=EntryKind.sent_to_patient, amount_cents=30_000))
    session.commit()
    statements.add_payment_plan(session, patient.id, 5_000, 31, start=date(2026, 9, 1), actor=ACTOR, now=NOW)
    ledger.take_payment(session, patient.id, 5_000, "cash", today=date(2026, 10, 30), actor=ACTOR, now=NOW)
    items = [i for i in section(huddle(session, TODAY, actor=TEAM), "billing").items if i.key.startswith("plan:")]
    # Due the 31st: October's payment came in (on the 30th); November's falls due on the 30th, after TODAY.
    assert items == []
    items = [i for i in section(huddle(session, date(2026, 12, 1), actor=TEAM), "billing").items
             if i.key.startswith("plan:")]
    assert [(i.text, i.reason) for i in items] == [
        ("Payment plan, account #000314", "$50.00 due Mon 11/30 missed ($0.00 paid)")]
