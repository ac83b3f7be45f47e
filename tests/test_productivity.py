"""Provider productivity: a week worked out by hand (visits, no-shows, cancellations, new vs established at the
3-year edge, slot use around Thanksgiving and a half day, charges, collections from dated payments, work RVUs with
units and modifiers), the periods' edges, and the month-end report's table."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from factories import (
    NOW,
    at,
    make_appointment,
    make_appointment_type,
    make_claim,
    make_claim_line,
    make_patient,
    make_provider,
    make_staff,
)
from officemgr.models import ApptStatus, Role, ScheduleBlock, UserRole
from officemgr.models.calendar import Closure
from officemgr.models.finance import ClaimPosting, PostingKind
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.availability import Block
from officemgr.services.productivity import (
    Period,
    Span,
    is_established,
    month_report_section,
    open_minutes,
    period_of,
    productivity,
)
from officemgr.services.rvu_import import import_rvu

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
BILLER = Actor("bo", {UserRole.biller}, name="Bo Biller", workstation="office")
MONDAY = date(2026, 11, 23)  # the week of Thanksgiving (Thursday 11/26)
WEEK = period_of(Span.week, MONDAY)
RATES = "code,modifier,work_rvu\n99213,,1.30\n99214,,0.93\n71046,,0.50\n71046,26,0.22\n"


def post(session: Session, claim_id: int | None, day: date, cents: int, kind: PostingKind = PostingKind.payment
         ) -> None:
    assert claim_id is not None
    session.add(ClaimPosting(claim_id=claim_id, day=day, kind=kind, amount_cents=cents, source="era", at=NOW,
                             actor="test"))
    session.commit()


def the_week(session: Session) -> tuple[int, int]:
    """Dr Hopper's week and Dr Curie's one visit, as the test below works them out."""
    hopper = make_provider(session)
    curie = make_provider(session, first_name="Marie", last_name="Curie", role=Role.np_pa, template=False)
    make_staff(session, first_name="Mo", last_name="Assistant")  # an MA: not a provider
    make_provider(session, first_name="Old", last_name="Doc", end_date=MONDAY - timedelta(days=1))
    kind = make_appointment_type(session, minutes=15)
    p1, p2, p3, p4, p5, p6 = (make_patient(session, first_name=f"P{n}") for n in range(1, 7))
    # P2 was last seen exactly 3 years before (by another provider): established. P3 3 years and a day: new,
    # and P3's no-show this year is no visit.
    make_appointment(session, patient=p2, provider=curie, appt_type=kind, start=at(9, day=date(2023, 11, 23)),
                     status=ApptStatus.checked_out)
    make_appointment(session, patient=p3, provider=curie, appt_type=kind, start=at(9, day=date(2023, 11, 23)),
                     status=ApptStatus.checked_out)
    make_appointment(session, patient=p3, provider=hopper, appt_type=kind, start=at(9, day=date(2026, 1, 10)),
                     status=ApptStatus.no_show)
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    make_appointment(session, patient=p1, provider=hopper, appt_type=kind, start=at(9), minutes=30,
                     status=ApptStatus.checked_out)
    make_appointment(session, patient=p2, provider=hopper, appt_type=kind, start=at(10),
                     status=ApptStatus.checked_out)
    make_appointment(session, patient=p3, provider=hopper, appt_type=kind, start=at(9, day=tuesday),
                     status=ApptStatus.checked_out)
    make_appointment(session, patient=p4, provider=hopper, appt_type=kind, start=at(10, day=tuesday), minutes=20,
                     status=ApptStatus.no_show)
    make_appointment(session, patient=p5, provider=hopper, appt_type=kind, start=at(9, day=wednesday),
                     status=ApptStatus.cancelled)
    make_appointment(session, patient=p6, provider=curie, appt_type=kind, start=at(11),
                     status=ApptStatus.checked_out)
    # Capacity: 8-17 less lunch = 480 a day; Tuesday a 14-15 block; Thursday Thanksgiving; Friday closes at 12.
    session.add(ScheduleBlock(provider_id=hopper.id, day=tuesday, start=time(14), end=time(15), reason="meeting"))
    session.add(Closure(day=MONDAY + timedelta(days=4), closes_at=time(12), reason="Half day", at=NOW))
    session.commit()
    # Charges and RVUs: 99213 x1 = 1.30 and 71046-26 x2 = 0.44 on Monday; 99214 = 0.93 and two lines without a
    # rate on Friday; a claim of the Monday after is not in the week.
    monday = make_claim(session, patient=p1, service_date=MONDAY, billed_cents=15_000, provider_id=hopper.id)
    make_claim_line(session, monday, code="99213", charge_cents=10_000)
    make_claim_line(session, monday, code="71046", modifiers="26", units=2, charge_cents=5_000)
    friday = make_claim(session, patient=p2, service_date=MONDAY + timedelta(days=4), billed_cents=10_000,
                        provider_id=hopper.id)
    make_claim_line(session, friday, code="99214", charge_cents=8_000)
    make_claim_line(session, friday, code="G0438", charge_cents=1_000)
    make_claim_line(session, friday, code="99999", charge_cents=1_000)
    later = make_claim(session, patient=p3, service_date=MONDAY + timedelta(days=7), billed_cents=99_900,
                       provider_id=hopper.id)
    make_claim_line(session, later, code="99213", units=5, charge_cents=99_900)
    # Collections: a payment and its partial reversal in the week; an adjustment and a later payment are not.
    post(session, monday.id, MONDAY + timedelta(days=1), -8_000)
    post(session, monday.id, MONDAY + timedelta(days=2), 1_000)
    post(session, monday.id, MONDAY + timedelta(days=1), -2_000, PostingKind.adjustment)
    post(session, friday.id, MONDAY + timedelta(days=7), -5_000)
    import_rvu(session, RATES, year=2026, now=NOW, actor=MANAGER)
    assert hopper.id is not None and curie.id is not None
    return hopper.id, curie.id


def test_a_week_worked_out_by_hand(session: Session) -> None:
    hopper, curie = the_week(session)
    result = productivity(session, WEEK, actor=BILLER)
    assert [r.provider_id for r in result.providers] == [curie, hopper]  # by last name; no MA, no one who left
    doc = result.providers[1]
    assert (doc.visits, doc.no_shows, doc.cancellations, doc.new, doc.established) == (3, 1, 1, 2, 1)
    assert (doc.booked_minutes, doc.capacity_minutes) == (30 + 15 + 15 + 20, 480 + 420 + 480 + 0 + 240)
    assert doc.slot_use == pytest.approx(80 / 1620)
    assert (doc.charges_cents, doc.collections_cents) == (25_000, 7_000)
    assert doc.work_rvus == pytest.approx(1.30 + 2 * 0.22 + 0.93)
    assert doc.unrated_lines == 2
    np = result.providers[0]
    assert (np.visits, np.new, np.capacity_minutes, np.slot_use) == (1, 1, 0, None)
    assert (result.total.visits, result.total.new, result.total.booked_minutes, result.total.work_rvus) == (
        4, 3, 95, pytest.approx(2.67))
    assert result.collections_posted


def test_without_dated_payments_collections_are_what_the_claims_were_paid(session: Session) -> None:
    doc = make_provider(session)
    make_claim(session, service_date=MONDAY, billed_cents=15_000, paid_cents=5_000, secondary_paid_cents=1_000,
               provider_id=doc.id)
    make_claim(session, service_date=MONDAY - timedelta(days=1), paid_cents=7_000, provider_id=doc.id)
    result = productivity(session, WEEK, actor=MANAGER)
    assert (result.providers[0].collections_cents, result.collections_posted) == (6_000, False)


@pytest.mark.parametrize("visit, before, established", [
    (date(2026, 11, 23), date(2023, 11, 23), True),  # exactly 3 years
    (date(2026, 11, 23), date(2023, 11, 22), False),  # a day more
    (date(2027, 2, 28), date(2024, 2, 29), True),  # Feb 29 is within 3 years of Feb 28
    (date(2027, 3, 1), date(2024, 2, 29), False),  # 3 years back from Mar 1 is Mar 1
    (date(2028, 2, 29), date(2025, 2, 28), True),  # Feb 29 goes back to Feb 28
    (date(2028, 2, 29), date(2025, 2, 27), False),
    (date(2026, 11, 23), None, False),
])
def test_new_patients_by_the_3_year_rule(visit: date, before: date | None, established: bool) -> None:
    last = datetime.combine(before, time(9)) if before else None
    assert is_established(visit, last) is established


def test_the_feb_29_edge_in_the_database(session: Session) -> None:
    doc = make_provider(session)
    kind = make_appointment_type(session)
    seen, unseen = make_patient(session), make_patient(session)
    for patient, day in ((seen, date(2025, 2, 28)), (unseen, date(2025, 2, 27))):
        make_appointment(session, patient=patient, provider=doc, appt_type=kind, start=at(9, day=day),
                         status=ApptStatus.checked_out)
        make_appointment(session, patient=patient, provider=doc, appt_type=kind,
                         start=at(10, day=date(2028, 2, 29)), status=ApptStatus.checked_out)
    row = productivity(session, period_of(Span.day, date(2028, 2, 29)), actor=MANAGER).providers[0]
    assert (row.visits, row.new, row.established) == (2, 1, 1)


def test_a_week_over_new_year_uses_the_last_file_before_it(session: Session) -> None:
    doc = make_provider(session)
    claim = make_claim(session, service_date=date(2027, 1, 2), provider_id=doc.id)
    make_claim_line(session, claim, code="99213", units=3)
    import_rvu(session, RATES, year=2026, now=NOW, actor=MANAGER)
    period = period_of(Span.week, date(2026, 12, 31))
    assert (period.first, period.last, period.label) == (date(2026, 12, 28), date(2027, 1, 3),
                                                         "week 53 of 2026: 12/28 – 01/03/2027")
    assert productivity(session, period, actor=MANAGER).providers[0].work_rvus == pytest.approx(3.90)


@pytest.mark.parametrize("span, day, first, last", [
    (Span.day, date(2028, 2, 29), date(2028, 2, 29), date(2028, 2, 29)),
    (Span.week, date(2026, 11, 29), date(2026, 11, 23), date(2026, 11, 29)),  # Sunday ends the ISO week
    (Span.month, date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
    (Span.month, date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
])
def test_periods(span: Span, day: date, first: date, last: date) -> None:
    assert period_of(span, day) == Period(span, first, last)


def test_moving_a_month_goes_by_calendar_months() -> None:
    december = period_of(Span.month, date(2026, 12, 1))
    assert december.moved(1) == Period(Span.month, date(2027, 1, 1), date(2027, 1, 31))
    assert december.moved(-10) == Period(Span.month, date(2026, 2, 1), date(2026, 2, 28))
    assert period_of(Span.day, date(2028, 2, 28)).moved(1).first == date(2028, 2, 29)


def test_overlapping_blocks_count_once() -> None:
    day = date(2026, 11, 27)
    hours = (datetime.combine(day, time(8)), datetime.combine(day, time(17)))
    lunch = Block(datetime.combine(day, time(12)), datetime.combine(day, time(13)), "Lunch")
    closed = Block(datetime.combine(day, time(12)), datetime.combine(day, time.max), "closed", closed=True)
    late = Block(datetime.combine(day, time(18)), datetime.combine(day, time(19)), "after hours")
    assert open_minutes(hours, [lunch, closed, late]) == 240
    assert open_minutes(hours, [late]) == 540


def test_the_month_end_section(session: Session) -> None:
    the_week(session)
    section = month_report_section(session, date(2026, 11, 1), actor=MANAGER)
    assert section.title == "Provider productivity, November 2026"
    assert section.columns[0] == "Provider" and section.columns[-1] == "Work RVUs"
    assert section.rows[-1][0] == "Total"
    hopper = next(r for r in section.rows if r[0] == "Grace Hopper")
    # The month holds Monday 11/30 too: its claim (5 x 99213 = 6.50 RVUs) and its payment.
    assert hopper[1:] == ("3", "1", "1", "2", "1", hopper[6], "$1,249.00", "$120.00", "9.17")
    assert "2 lines without an RVU rate" in section.note


def test_the_front_desk_may_not_see_it(session: Session) -> None:
    desk = Actor("fd", {UserRole.front_desk}, name="Fran Desk", workstation="office")
    with pytest.raises(NotAllowed):
        productivity(session, WEEK, actor=desk)
