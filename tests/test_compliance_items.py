"""Adding and retiring duties and policies, corrections that never erase, and the month calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError
from sqlmodel import select
from textual.widgets import DataTable, Input, Select

from factories import NOW, TODAY, audit_events, make_completion, make_compliance_task
from officemgr.models import CompletionCreate, ComplianceCategory, ComplianceCompletion, ComplianceTask, TaskCreate
from officemgr.services import compliance
from officemgr.services.common import ServiceError
from officemgr.store import read_session
from officemgr.tui.app import make_app
from ui_support import SIZE, settle

ACTOR = "manager"


def policy(**overrides) -> TaskCreate:
    values = dict(title="HIPAA privacy policy", category=ComplianceCategory.hipaa, rrule="FREQ=YEARLY",
                  anchor=date(2026, 1, 15), owner="Pat Lee", is_policy=True)
    return TaskCreate(**{**values, **overrides})


def test_a_policy_is_added_and_falls_due_yearly(session):
    task = compliance.add_task(session, policy(), now=NOW, actor=ACTOR)
    [row] = compliance.task_status(session, TODAY)
    assert (row.task_id, row.is_policy, row.owner, row.due, row.state) == (
        task.id, True, "Pat Lee", date(2026, 1, 15), "overdue")
    make_completion(session, task, due_date=date(2026, 1, 15))
    assert compliance.task_status(session, TODAY)[0].due == date(2027, 1, 15)
    assert [e.action for e, _ in audit_events(session, "compliance_task")] == ["create"]


@pytest.mark.parametrize(("rule", "message"), [
    ("FREQ=SOMETIMES", "could not be read: choose one from Repeats"),
    ("DTSTART=20260101T000000;FREQ=YEARLY", "leave DTSTART out"),
    ("FREQ=YEARLY;UNTIL=20250101", "never falls due"),
])
def test_bad_rules_are_refused(session, rule, message):
    with pytest.raises(ServiceError, match=message):
        compliance.add_task(session, policy(rrule=rule), now=NOW, actor=ACTOR)
    assert session.exec(select(ComplianceTask)).all() == []


def test_a_rule_over_two_lines_is_refused_by_its_field(session):
    # An iCalendar block pasted whole (DTSTART on one line, the RRULE on the next) is not one rule.
    with pytest.raises(ValidationError, match=r"rrule\n.*a line break \(\\x0a\)"):
        policy(rrule="DTSTART:20260101T000000\nFREQ=YEARLY")


def test_titles_stay_unique_even_against_retired_items(session):
    task = compliance.add_task(session, policy(), now=NOW, actor=ACTOR)
    compliance.retire_task(session, task.id, now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(ServiceError, match="already an item called"):
        compliance.add_task(session, policy(title="hipaa PRIVACY policy"), now=NOW, actor=ACTOR)


def test_a_retired_item_no_longer_falls_due_but_keeps_its_history(session):
    task = make_compliance_task(session, title="Old autoclave log")
    done = make_completion(session, task, due_date=date(2026, 11, 16))
    compliance.retire_task(session, task.id, now=NOW, actor=ACTOR, expected_version=1)
    assert compliance.task_status(session, TODAY) == []
    assert [c.id for c in compliance.history(session, task.id)] == [done.id]
    with pytest.raises(ServiceError, match="already retired"):
        compliance.retire_task(session, task.id, now=NOW, actor=ACTOR, expected_version=2)


def test_a_correction_is_a_new_entry_pointing_at_the_old_one(session):
    task = make_compliance_task(session, title="Fridge log", evidence="reading")
    wrong = make_completion(session, task, due_date=TODAY, evidence="", reading="45 C", done_by="XX")
    fixed = compliance.correct(session, wrong.id, CompletionCreate(task_id=task.id, due_date=TODAY, done_by="MJ",
                                                                   reading="4.5 C"), now=NOW, actor=ACTOR)
    entries = session.exec(select(ComplianceCompletion).order_by(ComplianceCompletion.id)).all()
    assert [(e.id, e.reading, e.done_by, e.corrects_id) for e in entries] == [
        (wrong.id, "45 C", "XX", None), (fixed.id, "4.5 C", "MJ", wrong.id)]
    other = make_compliance_task(session, title="Other")
    with pytest.raises(ServiceError, match="same item"):
        compliance.correct(session, wrong.id, CompletionCreate(task_id=other.id, due_date=TODAY, done_by="MJ"),
                           now=NOW, actor=ACTOR)


def test_month_due_lists_every_occurrence_with_done_late_and_open(session):
    weekly = make_compliance_task(session, title="Eyewash", rrule="FREQ=WEEKLY;BYDAY=MO", anchor=date(2026, 1, 5))
    make_completion(session, weekly, due_date=date(2026, 11, 2))
    make_completion(session, weekly, due_date=date(2026, 11, 9), done_at=datetime(2026, 11, 11, 9))
    days = compliance.month_due(session, date(2026, 11, 1), date(2026, 11, 30), TODAY)
    mondays = [date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
    assert sorted(days) == mondays
    assert [(days[d][0].done, days[d][0].late) for d in mondays] == [
        (True, False), (True, True), (False, False), (False, False), (False, False)]


async def test_adding_a_policy_by_form_and_the_month_view(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-title", Input).value = "Infection control policy"
        form.query_one("#f-category", Select).value = ComplianceCategory.osha
        form.query_one("#f-rrule", Input).value = "FREQ=NEVER"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "could not be read" in str(form.query_one("#form-error").render())
        form.query_one("#f-rrule", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        await pilot.press("v")
        await settle(pilot)
        table = app.query_one("#tasks", DataTable)
        assert [str(c.label) for c in table.columns.values()][:2] == ["Mon", "Tue"]
        assert "November 2026" in str(app.query_one("#compliance-title").render())
    with read_session(demo_engine) as session:
        added = session.exec(select(ComplianceTask).where(ComplianceTask.title == "Infection control policy")).one()
    assert (added.is_policy, added.rrule, added.anchor) == (True, "FREQ=YEARLY", TODAY)

