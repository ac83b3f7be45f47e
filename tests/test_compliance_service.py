from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    audit_events,
    make_completion,
    make_compliance_task,
)
from officemgr.models import CompletionCreate, ComplianceCategory, ComplianceCompletion
from officemgr.services import compliance
from officemgr.services.calendar import ClosedDay, PracticeCalendar
from officemgr.services.common import ServiceError

WEEKLY_MONDAY = "FREQ=WEEKLY;BYDAY=MO"
OSHA_300A = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=1"
WORKDAYS = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# --- next_due -----------------------------------------------------------------------------------------


def test_next_due_weekly():
    anchor = date(2026, 1, 5)  # a Monday
    assert compliance.next_due(WEEKLY_MONDAY, anchor, None) == anchor
    assert compliance.next_due(WEEKLY_MONDAY, anchor, date(2026, 11, 16)) == date(2026, 11, 23)
    # an anchor that is not itself an occurrence: the first Monday after it
    assert compliance.next_due(WEEKLY_MONDAY, date(2026, 1, 7), None) == date(2026, 1, 12)


def test_next_due_yearly_by_month_and_day():
    assert compliance.next_due(OSHA_300A, date(2026, 1, 1), None) == date(2026, 2, 1)
    assert compliance.next_due(OSHA_300A, date(2026, 2, 1), date(2026, 2, 1)) == date(2027, 2, 1)
    assert compliance.next_due(OSHA_300A, date(2026, 2, 1), date(2027, 2, 1)) == date(2028, 2, 1)


def test_next_due_workday_daily_skips_the_weekend():
    anchor = date(2026, 11, 2)
    assert compliance.next_due(WORKDAYS, anchor, None) == anchor
    assert compliance.next_due(WORKDAYS, anchor, date(2026, 11, 19)) == date(2026, 11, 20)  # Thu -> Fri
    assert compliance.next_due(WORKDAYS, anchor, date(2026, 11, 20)) == date(2026, 11, 23)  # Fri -> Mon
    # a Saturday anchor starts on Monday
    assert compliance.next_due(WORKDAYS, date(2026, 11, 21), None) == date(2026, 11, 23)


def test_next_due_every_other_year_and_an_exhausted_rule():
    clia = "FREQ=YEARLY;INTERVAL=2"
    assert compliance.next_due(clia, date(2025, 3, 15), date(2025, 3, 15)) == date(2027, 3, 15)
    assert compliance.next_due("FREQ=MONTHLY;COUNT=2", date(2026, 1, 10), date(2026, 2, 10)) is None


# --- month ends, leap days and the practice calendar ----------------------------------------------------


def test_monthly_on_the_31st_falls_due_every_month_on_its_last_day():
    rule, anchor = "FREQ=MONTHLY", date(2026, 10, 31)
    assert compliance.next_due(rule, anchor, date(2026, 10, 31)) == date(2026, 11, 30)  # not Dec 31
    assert compliance.next_due(rule, anchor, date(2026, 11, 30)) == date(2026, 12, 31)  # back to the 31st
    assert compliance.due_dates(rule, date(2027, 1, 31), date(2027, 1, 1), date(2027, 5, 31)) == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]
    assert compliance.due_dates(rule, date(2028, 1, 30), date(2028, 2, 1), date(2028, 3, 31)) == [
        date(2028, 2, 29), date(2028, 3, 30)]  # a leap February, and the 30th after it


def test_a_yearly_feb_29_duty_is_due_feb_28_in_other_years():
    rule, anchor = "FREQ=YEARLY", date(2028, 2, 29)
    assert compliance.next_due(rule, anchor, date(2028, 2, 29)) == date(2029, 2, 28)
    assert compliance.due_dates(rule, anchor, date(2028, 1, 1), date(2032, 12, 31)) == [
        date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28), date(2031, 2, 28), date(2032, 2, 29)]


def test_every_6_months_from_aug_31_is_feb_28():
    rule, anchor = "FREQ=MONTHLY;INTERVAL=6", date(2026, 8, 31)
    assert compliance.next_due(rule, anchor, date(2026, 8, 31)) == date(2027, 2, 28)
    assert compliance.next_due(rule, anchor, date(2027, 2, 28)) == date(2027, 8, 31)


def test_month_end_rules_keep_count_and_until():
    assert compliance.due_dates("FREQ=MONTHLY;COUNT=3", date(2026, 12, 31), date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)]
    assert compliance.next_due("FREQ=MONTHLY;UNTIL=20270301", date(2026, 12, 31), date(2027, 2, 28)) is None


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=29",
                                  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=MONTHLY;BYMONTHDAY=1,30"])
def test_a_rule_that_would_skip_months_is_refused_saying_what_to_do(session, rule):
    with pytest.raises(ServiceError, match="would skip the months without a .* leave BYMONTHDAY out"):
        compliance.validate_rrule(rule, date(2026, 1, 1))


def test_the_last_day_of_every_month_is_accepted():
    assert compliance.validate_rrule("FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, 1, 1)) == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert compliance.next_due("FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, 1, 1), date(2026, 1, 31)) == date(2026, 2, 28)


def test_a_workday_duty_is_not_due_on_a_holiday_or_closure():
    cal = PracticeCalendar(closures={date(2026, 11, 24): ClosedDay(date(2026, 11, 24), "Flooded")})
    anchor = date(2026, 1, 5)
    assert compliance.due_dates(WORKDAYS, anchor, TODAY, date(2026, 11, 30), cal) == [
        TODAY, date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 30)]  # not Tue (closed) nor Thanksgiving
    assert compliance.next_due(WORKDAYS, anchor, date(2026, 11, 25), cal) == date(2026, 11, 27)
    assert compliance.next_due(WORKDAYS, anchor, date(2026, 12, 31), cal) == date(2027, 1, 4)  # over New Year's


def test_a_weekly_duty_on_a_holiday_is_due_the_next_business_day():
    cal = PracticeCalendar()
    # Monday 1/18/2027 is Martin Luther King Jr. Day; Monday 5/31/2027 Memorial Day (the month's last day).
    assert compliance.due_dates(WEEKLY_MONDAY, date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 25), cal) == [
        date(2027, 1, 11), date(2027, 1, 19), date(2027, 1, 25)]
    assert compliance.next_due(WEEKLY_MONDAY, date(2027, 1, 4), date(2027, 5, 24), cal) == date(2027, 6, 1)


def test_monthly_and_yearly_deadlines_stay_on_their_date_whatever_the_calendar():
    cal = PracticeCalendar()
    assert compliance.next_due("FREQ=YEARLY", date(2026, 11, 26), None, cal) == date(2026, 11, 26)  # Thanksgiving


def test_the_checklist_follows_the_practice_calendar(session):
    task = make_compliance_task(session, rrule=WORKDAYS, anchor=date(2026, 11, 2))
    make_completion(session, task, due_date=date(2026, 11, 25))
    [row] = compliance.task_status(session, date(2026, 11, 27))
    assert (row.due, row.state) == (date(2026, 11, 27), "due today")  # Thanksgiving is not a missed day


# --- task_status --------------------------------------------------------------------------------------


def test_task_status_states_sorted_most_urgent_first(session):
    overdue = make_compliance_task(session, title="Eyewash weekly", rrule=WEEKLY_MONDAY, anchor=date(2026, 11, 2))
    make_completion(session, overdue, due_date=date(2026, 11, 2))
    make_completion(session, overdue, due_date=date(2026, 11, 9), done_at=datetime(2026, 11, 10, 16, 45))
    today_task = make_compliance_task(session, title="Autoclave spore test", rrule=WEEKLY_MONDAY,
                                      anchor=date(2026, 11, 2))
    make_completion(session, today_task, due_date=date(2026, 11, 16))
    tomorrow = make_compliance_task(session, title="Tuesday check", rrule="FREQ=WEEKLY;BYDAY=TU",
                                    anchor=date(2026, 11, 24))
    week = make_compliance_task(session, title="AED check", rrule="FREQ=MONTHLY;BYMONTHDAY=26",
                                anchor=date(2026, 11, 26))
    month = make_compliance_task(session, title="Extinguisher", rrule="FREQ=MONTHLY;BYMONTHDAY=1",
                                 anchor=date(2026, 12, 1), category=ComplianceCategory.safety)
    later = make_compliance_task(session, title="OSHA 300A", rrule=OSHA_300A, anchor=date(2027, 2, 1))
    done = make_compliance_task(session, title="One-off", rrule="FREQ=DAILY;COUNT=1", anchor=date(2026, 1, 5))
    make_completion(session, done, due_date=date(2026, 1, 5))
    make_compliance_task(session, title="Retired", anchor=date(2026, 1, 5), active=False)

    rows = compliance.task_status(session, TODAY)

    assert [(r.title, r.due, r.days, r.state, r.when) for r in rows] == [
        ("Eyewash weekly", date(2026, 11, 16), -7, "overdue", "7 days overdue"),
        ("Autoclave spore test", TODAY, 0, "due today", "today"),
        ("Tuesday check", date(2026, 11, 24), 1, "due this week", "tomorrow"),
        ("AED check", date(2026, 11, 26), 3, "due this week", "in 3 days"),
        ("Extinguisher", date(2026, 12, 1), 8, "due within 30 days", "in 8 days"),
        ("OSHA 300A", date(2027, 2, 1), 70, "later", "in 70 days"),
        ("One-off", None, None, "no further dates", "—"),
    ]
    by_title = {r.title: r for r in rows}
    assert by_title["Eyewash weekly"].last_done == date(2026, 11, 10)
    assert by_title["Eyewash weekly"].task_id == overdue.id
    assert by_title["OSHA 300A"].last_done is None
    assert by_title["Extinguisher"].category is ComplianceCategory.safety
    assert {r.task_id for r in rows} == {overdue.id, today_task.id, tomorrow.id, week.id, month.id, later.id, done.id}


def test_task_status_one_day_overdue_and_never_done(session):
    make_compliance_task(session, title="Temp log", rrule=WORKDAYS, anchor=date(2026, 11, 20))  # Friday, never done
    [row] = compliance.task_status(session, TODAY)
    assert (row.due, row.days, row.state, row.when) == (date(2026, 11, 20), -3, "overdue", "3 days overdue")
    [row] = compliance.task_status(session, date(2026, 11, 21))
    assert (row.days, row.when) == (-1, "1 day overdue")


def test_due_or_overdue(session):
    overdue = make_compliance_task(session, title="A", anchor=date(2026, 11, 16))
    due = make_compliance_task(session, title="B", anchor=TODAY)
    make_compliance_task(session, title="C", anchor=days(7))
    assert [r.task_id for r in compliance.due_or_overdue(session, TODAY)] == [overdue.id, due.id]


# --- complete -----------------------------------------------------------------------------------------


def test_complete_requires_evidence_when_the_task_asks_for_it(session):
    task = make_compliance_task(session, title="Vaccine fridge log", rrule=WORKDAYS, anchor=date(2026, 11, 2),
                                evidence="min/max reading and initials")
    data = CompletionCreate(task_id=task.id, due_date=TODAY, done_by="MJ")

    with pytest.raises(ServiceError) as refused:
        compliance.complete(session, data, now=NOW, actor=ACTOR)
    assert str(refused.value) == "evidence is required: min/max reading and initials"
    session.rollback()
    assert session.exec(select(ComplianceCompletion)).all() == []
    assert audit_events(session) == []

    done = compliance.complete(session, data.model_copy(update={"reading": "4.8 C (3.9-5.6)"}), now=NOW,
                               actor=ACTOR)

    stored = session.exec(select(ComplianceCompletion)).one()
    assert (stored.id, stored.task_id, stored.due_date, stored.done_at, stored.done_by, stored.reading) == (
        done.id, task.id, TODAY, NOW, "MJ", "4.8 C (3.9-5.6)")
    [(event, changes)] = audit_events(session)
    assert (event.actor, event.entity, event.entity_id, event.action, event.at) == (
        ACTOR, "compliance_completion", done.id, "create", NOW)
    assert changes == {"corrects_id": None, "done_at": "2026-11-23T08:30:00", "done_by": "MJ",
                       "due_date": "2026-11-23", "evidence": "", "reading": "4.8 C (3.9-5.6)", "task_id": task.id}
    # the next workday is now due
    [row] = compliance.task_status(session, TODAY)
    assert (row.due, row.last_done) == (date(2026, 11, 24), TODAY)


def test_complete_without_required_evidence_is_fine_when_the_task_asks_none(session):
    task = make_compliance_task(session, title="Eyewash", evidence="")
    done = compliance.complete(session, CompletionCreate(task_id=task.id, due_date=TODAY, done_by=" MJ "),
                               now=NOW, actor=ACTOR)
    assert (done.done_by, done.evidence) == ("MJ", "")


def test_complete_refuses_a_retired_or_missing_task(session):
    retired = make_compliance_task(session, active=False)
    for task_id in (retired.id, 999):
        with pytest.raises(ServiceError, match="retired or no longer exists"):
            compliance.complete(session, CompletionCreate(task_id=task_id, due_date=TODAY, done_by="MJ",
                                                          evidence="x"), now=NOW, actor=ACTOR)
        session.rollback()
    assert session.exec(select(ComplianceCompletion)).all() == []


def test_completion_input_needs_a_name():
    with pytest.raises(ValidationError, match="this field is required"):
        CompletionCreate(task_id=1, due_date=TODAY, done_by="  ")


def test_a_late_completion_stays_marked_late(session):
    task = make_compliance_task(session, title="Spore test")
    late = compliance.complete(session, CompletionCreate(task_id=task.id, due_date=date(2026, 11, 16), done_by="MJ"),
                               now=NOW, actor=ACTOR)
    on_time = compliance.complete(session, CompletionCreate(task_id=task.id, due_date=TODAY, done_by="MJ"),
                                  now=datetime(2026, 11, 23, 23, 59), actor=ACTOR)
    early = compliance.complete(session, CompletionCreate(task_id=task.id, due_date=days(7), done_by="MJ"),
                                now=NOW, actor=ACTOR)
    assert (compliance.is_late(late), compliance.is_late(on_time), compliance.is_late(early)) == (True, False, False)
    history = compliance.history(session, task.id)
    assert history[0].id == on_time.id  # newest first
    assert {c.id for c in history[1:]} == {late.id, early.id}


def test_last_entry_is_the_one_recorded_last_as_a_read_model(session):
    task = make_compliance_task(session, title="Eyewash flush")
    assert compliance.last_entry(session, task.id) is None
    first = compliance.complete(session, CompletionCreate(task_id=task.id, due_date=TODAY, done_by="MJ",
                                                          evidence="Flushed"), now=NOW, actor=ACTOR)
    fixed = compliance.correct(session, first.id, CompletionCreate(task_id=task.id, due_date=TODAY, done_by="RB",
                                                                   reading="ok"), now=NOW, actor=ACTOR)
    last = compliance.last_entry(session, task.id)
    assert last == compliance.CompletionRow(fixed.id, task.id, TODAY, NOW, "RB", "", "ok", first.id)
    assert {c.id: c for c in compliance.history(session, task.id)}[first.id] == compliance.CompletionRow(
        first.id, task.id, TODAY, NOW, "MJ", "Flushed", "", None)
