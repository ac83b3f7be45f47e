"""The Staff tab's edits, driven by keys on the demo data: each form opens filled from what the tab read, and its
save runs as the signed-in person at the app's clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import col, select
from textual.widgets import DataTable, Input, Select

from officemgr.models import AuditEvent, PayerEnrollment, Shift, Staff, TimeOff, TimeOffStatus
from officemgr.services import credentials, roster, staff
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.credentials import EnrollmentEditForm
from officemgr.tui.forms.shift import ShiftForm, TimeOffForm
from officemgr.tui.forms.staff import StaffForm
from officemgr.tui.views.credentials import PeopleRecordsScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


def last_event(engine, entity: str) -> AuditEvent:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(AuditEvent).where(AuditEvent.entity == entity)
                            .order_by(col(AuditEvent.id).desc())).first()


async def test_e_edits_the_selected_person_from_what_was_read(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        table = app.query_one("#roster", DataTable)
        table.move_cursor(row=1)
        person_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        with read_session(demo_engine) as session:
            person = staff.staff_record(session, person_id)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StaffForm) and form.person == person
        assert form.query_one("#f-last_name", Input).value == person.last_name
        assert form.query_one("#f-role", Select).value is person.role
        form.query_one("#f-phone", Input).value = "555 201 3344"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        stored = session.get(Staff, person_id)
    assert (stored.phone, stored.version) == ("(555) 201-3344", person.version + 1)
    event = last_event(demo_engine, "staff")
    assert (event.entity_id, event.action, event.actor, event.at) == (person_id, "update", "kim", NOW)


async def test_s_on_a_shift_edits_it_and_delete_removes_it(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "v")
        await settle(pilot)
        grid = app.query_one("#roster", DataTable)
        view = app.query_one("#view-staff")
        row, column = next((r, d + 1) for r, week in enumerate(view.week) for d, cell in enumerate(week.days)
                           if len(cell.shifts) == 1)
        shift = view.week[row].days[column - 1].shifts[0]
        grid.cursor_coordinate = (row, column)
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftForm) and form.shift == shift
        assert form.query_one("#f-start_time", Input).value == f"{shift.start:%H:%M}"
        assert form.query_one("#f-staff_id", Select).value == shift.staff_id
        form.query_one("#f-end_time", Input).value = f"{shift.end + timedelta(hours=1):%H:%M}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        with read_session(demo_engine) as session:
            stored = session.get(Shift, shift.id)
            assert (stored.end, stored.version) == (shift.end + timedelta(hours=1), shift.version + 1)
        event = last_event(demo_engine, "shift")
        assert (event.entity_id, event.action, event.actor, event.at) == (shift.id, "update", "kim", NOW)
        grid.cursor_coordinate = (row, column)
        await pilot.press("delete")
        await settle(pilot)
    with read_session(demo_engine) as session:
        assert session.get(Shift, shift.id) is None
    assert (last_event(demo_engine, "shift").action, last_event(demo_engine, "shift").entity_id) == ("delete", shift.id)


async def test_o_requests_time_off_from_the_practices_kinds(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        table = app.query_one("#roster", DataTable)
        person_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        with read_session(demo_engine) as session:
            people = staff.staff_options(session, TODAY)
            kinds = roster.time_off_kinds(session)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TimeOffForm) and (form.people, form.kinds) == (people, kinds)
        assert form.query_one("#f-staff_id", Select).value == person_id
        form.query_one("#f-kind", Select).value = "Jury duty"
        form.query_one("#f-start_date", Input).value = "12/07/2026"
        form.query_one("#f-end_date", Input).value = "12/08/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    event = last_event(demo_engine, "time_off")
    with read_session(demo_engine) as session:
        off = session.get(TimeOff, event.entity_id)
    assert (off.staff_id, off.kind, off.hours, off.status) == (person_id, "Jury duty", 16, TimeOffStatus.requested)
    assert (event.action, event.actor, event.at) == ("request", "kim", NOW)


async def test_e_on_an_enrollment_edits_its_dates_and_note(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        first = credentials.enrollments(session, TODAY)[0]
    app = make_app(demo_engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PeopleRecordsScreen(app.ctx))
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#pr-enrollments", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(str(first.enrollment_id)))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EnrollmentEditForm)
        assert [spec.name for spec in form.specs] == ["effective", "recredential_due", "note"]
        assert form.query_one("#f-effective", Input).value == f"{first.effective:%m/%d/%Y}"
        form.query_one("#f-note", Input).value = "panel closed to new patients"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        row = table.get_row_index(str(first.enrollment_id))
        assert str(table.get_row_at(row)[8]) == "panel closed to new patients"
    with read_session(demo_engine) as session:
        stored = session.get(PayerEnrollment, first.enrollment_id)
    assert (stored.note, stored.version) == ("panel closed to new patients", first.version + 1)
    event = last_event(demo_engine, "payer_enrollment")
    assert (event.entity_id, event.action, event.actor, event.at) == (first.enrollment_id, "update", "kim", NOW)
