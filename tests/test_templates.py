"""Editing provider hours, blocks and visit types: validated, audited, and obeyed by booking."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from factories import (
    NOW,
    TODAY,
    at,
    audit_events,
    make_appointment,
    make_appointment_type,
    make_patient,
    make_provider,
)
from officemgr.models import AppointmentType, ProviderHours, ScheduleBlock
from officemgr.services import availability, schedule, templates
from officemgr.services.common import ServiceError
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.views.practice_calendar import StrandedScreen
from officemgr.tui.views.provider_template import TemplateScreen
from ui_support import SIZE, settle

ACTOR = "desk"


def test_hours_input_rules():
    assert templates.HoursInput(weekday=0, start="7:30 AM", end="4 PM").end == time(16)
    assert templates.HoursInput(weekday=5, start=None, end=None).start is None
    with pytest.raises(ValidationError, match="both a start and an end"):
        templates.HoursInput(weekday=0, start="08:00", end=None)
    with pytest.raises(ValidationError, match="end must be after the start"):
        templates.HoursInput(weekday=0, start="17:00", end="08:00")
    with pytest.raises(ValidationError, match="a time looks like"):
        templates.HoursInput(weekday=0, start="noonish", end="17:00")


def test_block_input_needs_exactly_one_of_weekday_or_date():
    with pytest.raises(ValidationError, match="either every given weekday or on one date"):
        templates.BlockInput(start="12:00", end="13:00", reason="Lunch")
    with pytest.raises(ValidationError, match="either every given weekday or on one date"):
        templates.BlockInput(weekday=1, day=TODAY, start="12:00", end="13:00", reason="Lunch")
    with pytest.raises(ValidationError, match="required"):
        templates.BlockInput(weekday=1, start="12:00", end="13:00", reason=" ")


def test_setting_a_day_off_and_new_hours_changes_booking(session):
    hopper = make_provider(session)
    patient = make_patient(session)
    templates.set_hours(session, hopper.id, templates.HoursInput(weekday=0), now=NOW, actor=ACTOR)
    assert availability.conflicts(session, provider_id=hopper.id, patient_id=patient.id, start=at(9),
                                  end=at(9, 15)) == ["Grace Hopper does not work on Mondays"]
    templates.set_hours(session, hopper.id, templates.HoursInput(weekday=0, start="10:00", end="14:00"), now=NOW,
                        actor=ACTOR)
    assert availability.conflicts(session, provider_id=hopper.id, patient_id=patient.id, start=at(9),
                                  end=at(9, 15)) == ["outside Grace Hopper's hours (10:00–14:00)"]
    assert [e.action for e, _ in audit_events(session, "provider_hours")] == ["delete", "create"]


def test_an_exception_added_and_removed(session):
    hopper = make_provider(session)
    tuesday = TODAY + timedelta(days=1)
    block = templates.add_block(session, hopper.id, templates.BlockInput(day=tuesday, start="08:00", end="12:00",
                                                                         reason="Out: dentist"), now=NOW, actor=ACTOR)
    plan = availability.day_plans(session, tuesday, [hopper.id])[hopper.id]
    assert [(b.reason, b.start, b.end) for b in plan.blocks] == [
        ("Out: dentist", at(8, day=tuesday), at(12, day=tuesday)), ("Lunch", at(12, day=tuesday), at(13, day=tuesday))]
    assert block == templates.BlockRow(block.id, None, tuesday, time(8), time(12), "Out: dentist")
    view = templates.template(session, hopper.id, TODAY)
    assert view.exceptions == [block] and len(view.weekly_blocks) == 5
    assert view.weekly_blocks[0] == templates.BlockRow(view.weekly_blocks[0].id, 0, None, time(12), time(13), "Lunch")
    assert view.hours[0] == templates.Hours(0, time(8), time(17)) and 5 not in view.hours
    templates.remove_block(session, block.id, now=NOW, actor=ACTOR)
    assert session.get(ScheduleBlock, block.id) is None
    with pytest.raises(ServiceError, match="no longer exists"):
        templates.remove_block(session, block.id, now=NOW, actor=ACTOR)


def test_visit_types_are_added_renamed_and_kept_unique(session):
    kind = templates.save_type(session, templates.TypeInput(name="Telehealth", minutes=20), type_id=None, now=NOW,
                               actor=ACTOR)
    renamed = templates.save_type(session, templates.TypeInput(name="Telehealth", minutes=25), type_id=kind.id,
                                  now=NOW, actor=ACTOR)
    assert renamed == schedule.TypeChoice(kind.id, "Telehealth", 25)
    stored = session.get(AppointmentType, kind.id)
    assert (stored.minutes, stored.version) == (25, 2)
    templates.save_type(session, templates.TypeInput(name="Follow-up", minutes=15), type_id=None, now=NOW,
                        actor=ACTOR)
    with pytest.raises(ServiceError, match="already a type called Follow-up"):
        templates.save_type(session, templates.TypeInput(name="Follow-up", minutes=10), type_id=kind.id, now=NOW,
                            actor=ACTOR)
    assert [t.name for t in schedule.appointment_types(session)] == ["Follow-up", "Telehealth"]


async def test_template_screen_edits_hours_and_refuses_a_bad_block(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        provider = schedule.providers(session)[0]
        blocks_before = len(session.exec(select(ScheduleBlock)).all())
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TemplateScreen(app.ctx, provider.id))
        await settle(pilot)
        screen = app.screen
        hours = screen.query_one("#hours", DataTable)
        hours.focus()
        hours.move_cursor(row=2)  # Wednesday
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-start", Input).value = "9:00 AM"
        form.query_one("#f-end", Input).value = "1:00 PM"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "09:00–13:00" in str(hours.get_row_at(2)[1])
        screen.query_one("#blocks", DataTable).focus()
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-day", Input).value = "01/05/2027"
        form.query_one("#f-start", Input).value = "14:00"
        form.query_one("#f-end", Input).value = "13:00"
        form.query_one("#f-reason", Input).value = "Out"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "end must be after the start" in str(form.query_one("#form-error", Static).render())
    with read_session(demo_engine) as session:
        wednesday = session.exec(select(ProviderHours).where(ProviderHours.provider_id == provider.id,
                                                             ProviderHours.weekday == 2)).one()
        assert (wednesday.start, wednesday.end) == (time(9), time(13))
        assert len(session.exec(select(ScheduleBlock)).all()) == blocks_before
        assert session.exec(select(AppointmentType)).first() is not None


# --- a block over existing bookings lists them (issue 19) -------------------------------------------------------


def _stranded_desk(session):  # type: ignore[no-untyped-def]
    doc = make_provider(session)
    ann, bo = make_patient(session, last_name="Ng"), make_patient(session, last_name="Li")
    visit = make_appointment_type(session, name="Visit", minutes=30)
    monday, next_monday = TODAY, TODAY + timedelta(days=7)
    under = make_appointment(session, patient=ann, provider=doc, appt_type=visit, start=at(14, day=next_monday))
    ends_as_it_starts = make_appointment(session, patient=bo, provider=doc, appt_type=visit,
                                         start=at(13, 30, day=next_monday))
    already_past = make_appointment(session, patient=bo, provider=doc, appt_type=visit, start=at(8, day=monday))
    return doc, under, ends_as_it_starts, already_past


def test_a_dated_block_lists_the_bookings_it_sits_over(session):
    doc, under, edge, _ = _stranded_desk(session)
    block = templates.BlockInput(day=TODAY + timedelta(days=7), start=time(14), end=time(17), reason="Out")
    stranded = templates.stranded_by_block(session, doc.id, block, now=NOW)
    # The 13:30 visit ends at 14:00 exactly, as the block starts: not under it.
    assert [s.appointment_id for s in stranded] == [under.id]
    assert stranded[0].patient.startswith("Ng")


def test_a_weekly_block_lists_coming_bookings_on_that_weekday_only(session):
    doc, under, edge, past = _stranded_desk(session)
    block = templates.BlockInput(weekday=0, start=time(8), end=time(17), reason="Admin")
    found = [s.appointment_id for s in templates.stranded_by_block(session, doc.id, block, now=NOW)]
    # 08:00 today is before NOW (08:30): gone by, not to call.
    assert found == [edge.id, under.id] and past.id not in found
    tuesday = templates.BlockInput(weekday=1, start=time(8), end=time(17), reason="Admin")
    assert templates.stranded_by_block(session, doc.id, tuesday, now=NOW) == []


async def test_a_block_over_bookings_opens_the_reschedule_list(demo_engine) -> None:  # type: ignore[no-untyped-def]
    day = TODAY + timedelta(days=1)
    with read_session(demo_engine) as session:
        provider = schedule.providers(session)[0]
        booked = [r for r in schedule.day_schedule(session, day).rows
                  if r.provider_id == provider.id and r.status in availability.ACTIVE]
    assert booked
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TemplateScreen(app.ctx, provider.id))
        await settle(pilot)
        app.screen.query_one("#blocks", DataTable).focus()
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-day", Input).value = f"{day:%m/%d/%Y}"
        form.query_one("#f-start", Input).value = "07:00"
        form.query_one("#f-end", Input).value = "18:00"
        form.query_one("#f-reason", Input).value = "Out sick"
        await pilot.press("ctrl+s")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, StrandedScreen)
        table = listing.query_one(DataTable)
        in_order = sorted(booked, key=lambda r: (r.start, r.id))
        assert [int(key.value or 0) for key in table.rows] == [r.id for r in in_order]
        assert "blocked:" in str(listing.query_one(".form-title").render())
