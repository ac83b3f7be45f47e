"""Issue 19: the coverage rules (and copying last week's shifts) follow the practice calendar. A closed day
(weekend, federal holiday, the practice's own closure) reports no gap; a half day's hours end at its closing time;
a provider's own closure counts them out."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlmodel import col, select

from factories import ACTOR, NOW, VALID_NPIS, at, make_appointment, make_provider, make_shift, make_staff
from officemgr.models import ClosureCreate, Role, Shift
from officemgr.services import calendar, coverage, roster

D = date.fromisoformat
THANKSGIVING = D("2026-11-26")
FRIDAY = D("2026-11-27")


def close(session, day: date, *, provider_id: int | None = None, closes_at: time | None = None,
          reason: str = "Staff training") -> None:
    calendar.add_closure(session, ClosureCreate(day=day, provider_id=provider_id, closes_at=closes_at, reason=reason),
                         now=NOW, actor=ACTOR)


@pytest.fixture
def doctor_alone(session):
    """A provider on shift with no front desk and no MA: every open hour is short on both."""
    doc = make_provider(session)
    for day in (THANKSGIVING, FRIDAY, D("2026-11-28")):
        make_shift(session, doc, start=at(8, day=day), end=at(17, day=day), break_minutes=60)
    return doc


def test_a_federal_holiday_reports_no_gap(session, doctor_alone):
    day = coverage.coverage_day(session, THANKSGIVING)
    assert (day.open_hours, day.gaps) == (None, [])


def test_a_weekend_reports_no_gap_even_with_a_shift(session, doctor_alone):
    saturday = D("2026-11-28")
    make_provider(session, first_name="Sat", last_name="Urday", npi=VALID_NPIS[1])  # hours Mon-Fri only
    assert coverage.coverage_day(session, saturday).gaps == []


def test_the_practices_own_closure_reports_no_gap_and_the_day_after_does(session, doctor_alone):
    close(session, FRIDAY)
    assert coverage.coverage_day(session, FRIDAY).gaps == []
    monday = D("2026-11-30")
    make_shift(session, doctor_alone, start=at(8, day=monday), end=at(17, day=monday), break_minutes=60)
    assert coverage.gap_ranges(coverage.coverage_day(session, monday)) == [
        "08:00–17:00 Front desk: 0 of 1", "08:00–17:00 MA or nurse: 0 of 1"]


def test_a_half_days_hours_end_at_its_closing_time(session, doctor_alone):
    close(session, FRIDAY, closes_at=time(12, 30), reason="Half day")
    day = coverage.coverage_day(session, FRIDAY)
    assert day.open_hours == (time(8), time(12, 30))
    assert coverage.gap_ranges(day) == ["08:00–12:30 Front desk: 0 of 1", "08:00–12:30 MA or nurse: 0 of 1"]


def test_a_providers_own_closure_counts_them_out(session):
    doc = make_provider(session)
    other = make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1])
    make_staff(session, first_name="Dee", last_name="Desk", role=Role.front_desk)
    ma = make_staff(session, first_name="Ma", last_name="One", role=Role.ma)
    monday = D("2026-11-30")
    for person in (doc, other, ma):
        make_shift(session, person, start=at(8, day=monday), end=at(17, day=monday), break_minutes=60)
    desk = make_staff(session, first_name="Fran", last_name="Front", role=Role.front_desk)
    make_shift(session, desk, start=at(8, day=monday), end=at(17, day=monday), break_minutes=60)
    # Two providers working need two MAs: one short all day.
    assert coverage.gap_ranges(coverage.coverage_day(session, monday)) == ["08:00–17:00 MA or nurse: 1 of 2"]

    make_appointment(session, provider=other, start=at(9, day=monday))
    close(session, monday, provider_id=other.id, reason="Conference")
    day = coverage.coverage_day(session, monday)
    assert day.gaps == []
    assert [str(c) for c in day.conflicts] == ["Charles Babbage is out (Conference) with 1 appointments"]


def test_copy_last_week_leaves_a_holiday_and_a_providers_closure_empty(session):
    ma = make_staff(session)
    doc = make_provider(session)
    for n in range(6):  # Monday to Saturday
        day = D(f"2026-11-{16 + n}")
        for person in (ma, doc):
            make_shift(session, person, start=at(8, day=day), end=at(17, day=day), break_minutes=60)
    close(session, D("2026-11-24"), provider_id=doc.id, reason="Conference")

    assert roster.copy_last_week(session, D("2026-11-23"), now=NOW, actor=ACTOR) == 9
    copied = session.exec(select(Shift).where(col(Shift.start) >= at(0, day=D("2026-11-23")))).all()
    days = {(s.staff_id, s.start.date()) for s in copied}
    assert (ma.id, THANKSGIVING) not in days and (doc.id, THANKSGIVING) not in days
    assert (doc.id, D("2026-11-24")) not in days and (ma.id, D("2026-11-24")) in days
    assert (ma.id, D("2026-11-28")) in days  # Saturday was worked last week too
