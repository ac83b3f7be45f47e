"""The practice calendar: weekends, federal holidays with observed days, the practice's own closures and half days,
and the day arithmetic every rule shares."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlmodel import Session

from factories import audit_events, make_appointment, make_provider
from officemgr.models import ApptStatus, ClosureCreate
from officemgr.services import calendar, settings
from officemgr.services.calendar import PracticeCalendar, federal_calendar
from officemgr.services.common import ServiceError

NOW = datetime(2026, 11, 20, 9, 0)


def test_federal_holidays_come_from_the_package_with_observed_days():
    cal = federal_calendar()
    assert cal.holiday(date(2026, 11, 26)) == "Thanksgiving Day"
    # July 4 2026 is a Saturday: the federal holiday is observed on Friday July 3.
    assert cal.holiday(date(2026, 7, 3)) == "Independence Day (observed)"
    assert not cal.is_business_day(date(2026, 7, 3))
    assert cal.is_business_day(date(2026, 7, 2))
    # Dec 25 2027 is a Saturday: observed Friday Dec 24.
    assert not cal.is_business_day(date(2027, 12, 24))


def test_next_and_previous_business_day_skip_weekends_and_holidays():
    cal = federal_calendar()
    assert cal.next_business_day(date(2026, 11, 26)) == date(2026, 11, 27)  # Thanksgiving -> Friday
    assert cal.next_business_day(date(2026, 11, 27)) == date(2026, 11, 27)  # already open
    assert cal.next_business_day(date(2026, 12, 5)) == date(2026, 12, 7)  # Saturday -> Monday
    assert cal.next_business_day(date(2026, 12, 25)) == date(2026, 12, 28)  # Christmas Friday -> Monday
    assert cal.previous_business_day(date(2026, 11, 30)) == date(2026, 11, 27)  # Monday -> Friday
    assert cal.previous_business_day(date(2026, 1, 20)) == date(2026, 1, 16)  # past MLK Monday 1/19
    assert cal.previous_business_day(date(2026, 1, 2)) == date(2025, 12, 31)  # past New Year's Day


def test_adding_business_days_counts_open_days_after_the_start():
    cal = federal_calendar()
    assert cal.add_business_days(date(2026, 11, 25), 2) == date(2026, 11, 30)  # Wed + Fri, Mon
    assert cal.add_business_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert cal.add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # past New Year's Friday
    assert cal.add_business_days(date(2026, 12, 5), 0) == date(2026, 12, 5)
    assert cal.business_days(date(2026, 11, 23), date(2026, 11, 29)) == [
        date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)]


def test_a_holiday_the_practice_works_is_a_business_day_observed_days_included():
    cal = PracticeCalendar(open_on_holidays=frozenset({"Columbus Day", "Independence Day"}))
    assert cal.is_business_day(date(2026, 10, 12))
    assert cal.is_business_day(date(2026, 7, 3))  # the observed day goes with its holiday
    assert not cal.is_business_day(date(2026, 11, 26))


def test_a_practice_that_opens_saturdays():
    cal = PracticeCalendar(open_weekdays=frozenset(range(6)))
    assert cal.is_business_day(date(2026, 12, 5))
    assert cal.next_business_day(date(2026, 12, 6)) == date(2026, 12, 7)
    assert cal.closed_reason(date(2026, 12, 6)) == "closed on Sundays"


def test_a_calendar_with_no_open_day_says_so_in_words():
    cal = PracticeCalendar(open_weekdays=frozenset())
    with pytest.raises(ServiceError, match="no open day"):
        cal.next_business_day(date(2026, 12, 7))


def test_the_practice_calendar_reads_settings_and_closures(session: Session):
    provider = make_provider(session)
    settings.put(session, "open_on_holidays", ["Veterans Day"], now=NOW, actor="kim")
    session.commit()
    calendar.add_closure(session, ClosureCreate(day=date(2026, 12, 24), closes_at=time(12), reason="Christmas Eve"),
                         now=NOW, actor="kim")
    calendar.add_closure(session, ClosureCreate(day=date(2026, 12, 30), reason="Staff retreat"), now=NOW, actor="kim")
    calendar.add_closure(session, ClosureCreate(day=date(2026, 12, 29), provider_id=provider.id, reason="Conference"),
                         now=NOW, actor="kim")
    cal = calendar.practice_calendar(session)
    assert cal.is_business_day(date(2026, 11, 11))  # Veterans Day worked
    assert cal.is_business_day(date(2026, 12, 24)) and cal.closes_early(date(2026, 12, 24)) == time(12)
    assert cal.closed_reason(date(2026, 12, 30)) == "Staff retreat"
    assert cal.next_business_day(date(2026, 12, 30)) == date(2026, 12, 31)
    assert cal.is_business_day(date(2026, 12, 29))
    assert not cal.provider_works(provider.id, date(2026, 12, 29))
    assert cal.closed_reason(date(2026, 12, 29), provider.id) == "Conference"
    rows = calendar.closures(session, date(2026, 12, 1), date(2026, 12, 31))
    assert [(r.day, r.provider, r.reason) for r in rows] == [
        (date(2026, 12, 24), "", "Christmas Eve"), (date(2026, 12, 29), provider.name, "Conference"),
        (date(2026, 12, 30), "", "Staff retreat")]
    assert [e.action for e, _ in audit_events(session, "practice_closure")] == ["create", "create", "create"]


def test_a_second_closure_for_the_same_day_is_refused_and_removal_is_audited(session: Session):
    closure_id = calendar.add_closure(session, ClosureCreate(day=date(2026, 12, 30), reason="Retreat"),
                                      now=NOW, actor="kim")
    with pytest.raises(ServiceError, match="already has a closure"):
        calendar.add_closure(session, ClosureCreate(day=date(2026, 12, 30), reason="Again"), now=NOW, actor="kim")
    calendar.remove_closure(session, closure_id, now=NOW, actor="kim")
    assert calendar.practice_calendar(session).is_business_day(date(2026, 12, 30))
    assert [e.action for e, _ in audit_events(session, "practice_closure")] == ["create", "delete"]


def test_a_half_day_closes_at_a_working_hour():
    with pytest.raises(ValueError, match="between 06:00 and 20:00"):
        ClosureCreate(day=date(2026, 12, 24), closes_at=time(23), reason="Late")
    with pytest.raises(ValueError):
        ClosureCreate(day=date(2026, 12, 24), reason="   ")


def test_stranded_bookings_are_the_active_ones_the_closure_covers(session: Session):
    provider = make_provider(session)
    other = make_provider(session, first_name="Ada", last_name="Lovelace", npi="1558598797")
    day = date(2026, 12, 29)
    morning = make_appointment(session, provider=provider, start=datetime(2026, 12, 29, 9))
    afternoon = make_appointment(session, provider=provider, start=datetime(2026, 12, 29, 14))
    make_appointment(session, provider=provider, start=datetime(2026, 12, 29, 15), status=ApptStatus.cancelled)
    theirs = make_appointment(session, provider=other, start=datetime(2026, 12, 29, 10))
    own = calendar.stranded_bookings(session, ClosureCreate(day=day, provider_id=provider.id, reason="Conference"))
    assert [b.appointment_id for b in own] == [morning.id, afternoon.id]
    half = calendar.stranded_bookings(session, ClosureCreate(day=day, closes_at=time(12), reason="Half day"))
    assert [b.appointment_id for b in half] == [afternoon.id]
    whole = calendar.stranded_bookings(session, ClosureCreate(day=day, reason="Snow"))
    assert [b.appointment_id for b in whole] == [morning.id, theirs.id, afternoon.id]
