"""Schedule tab by keys: book a free slot, a refused then confirmed double-book, status and undo, move."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from officemgr.models import Appointment, AppointmentCreate, ApptStatus, InsurancePlan, Patient, Role, Staff
from officemgr.services import schedule
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.appointment import AppointmentForm
from officemgr.tui.widgets.patient_picker import PatientPicker
from ui_support import SIZE, TODAY, settle

FAR = TODAY + timedelta(days=28)  # a Monday past the demo's bookings: the whole day is free


def text_of(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


async def open_day(pilot, app, day) -> DataTable:  # type: ignore[no-untyped-def]
    await pilot.press("2")
    await settle(pilot)
    app.query_one("#view-schedule").go_to(day)
    await settle(pilot)
    return app.query_one("#schedule-table", DataTable)


async def pick_patient(pilot, form, last_name: str) -> None:  # type: ignore[no-untyped-def]
    form.query_one("#f-patient_id Input", Input).focus()
    await pilot.press(*last_name)
    await settle(pilot)
    await pilot.press("enter")


def first_patient_and_second_provider(engine):  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(Patient).order_by(Patient.id)).first(), schedule.providers(session)[1]


async def book_at_nine_with_second_provider(pilot, app, grid):  # type: ignore[no-untyped-def]
    """`n` on FAR's 09:00 slot of the second provider: the booking form, prefilled."""
    grid.cursor_coordinate = (4, 2)
    await pilot.press("n")
    await settle(pilot)
    return app.screen


async def test_n_on_a_free_slot_books_it_prefilled(demo_engine) -> None:  # type: ignore[no-untyped-def]
    patient, second = first_patient_and_second_provider(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_day(pilot, app, FAR)
        form = await book_at_nine_with_second_provider(pilot, app, grid)
        assert form.query_one("#f-provider_id", Select).value == second.id
        assert form.query_one("#f-start_time", Input).value == "09:00"
        await pick_patient(pilot, form, patient.last_name)
        form.query_one("#f-type_id", Select).value = form.specs[2].options[0][1]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        booked = session.exec(select(Appointment).where(Appointment.start == datetime.combine(FAR, time(9)))).one()
    assert (booked.provider_id, booked.patient_id, booked.double_booked) == (second.id, patient.id, False)


async def test_a_booking_says_what_the_patients_insurance_lacks_for_that_day(demo_engine) -> None:  # type: ignore[no-untyped-def]
    patient, _ = first_patient_and_second_provider(demo_engine)
    with write_session(demo_engine) as session:
        for plan in session.exec(select(InsurancePlan).where(InsurancePlan.patient_id == patient.id)):
            plan.verified_on = None  # never checked
        session.commit()
    said: list[tuple[str, str]] = []
    app = make_app(demo_engine, today=TODAY)
    app.notify = lambda message, *, severity="information", **_: said.append((message, severity))  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_day(pilot, app, FAR)
        form = await book_at_nine_with_second_provider(pilot, app, grid)
        await pick_patient(pilot, form, patient.last_name)
        form.query_one("#f-type_id", Select).value = form.specs[2].options[0][1]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert ("Booked. Insurance: insurance not verified within 30 days before the visit", "warning") in said


async def test_a_double_book_is_refused_until_confirmed(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        first, other = session.exec(select(Patient).order_by(Patient.id).limit(2)).all()
        provider = schedule.providers(session)[0]
        kind = schedule.appointment_types(session)[0]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_day(pilot, app, FAR)
        grid.cursor_coordinate = (8, 1)  # 10:00, first provider
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        await pick_patient(pilot, form, first.last_name)
        form.query_one("#f-type_id", Select).value = kind.id
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        # The slot is taken now, so `n` refuses; `a` books anywhere, and explains the overlap.
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        await pick_patient(pilot, form, other.last_name)
        form.query_one("#f-provider_id", Select).value = provider.id
        form.query_one("#f-type_id", Select).value = kind.id
        form.query_one("#f-start_time", Input).value = "10:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The second booking overlaps: explained, nothing saved yet.
        assert app.screen is form
        assert "double-book" in text_of(form.query_one("#form-error", Static))
        with read_session(demo_engine) as session:
            at_ten = session.exec(select(Appointment).where(
                Appointment.start == datetime.combine(FAR, time(10)), Appointment.provider_id == provider.id)).all()
        assert len(at_ten) == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        assert "2×" in str(grid.get_cell_at((8, 1)))
    with read_session(demo_engine) as session:
        at_ten = session.exec(select(Appointment).where(
            Appointment.start == datetime.combine(FAR, time(10)), Appointment.provider_id == provider.id)
            .order_by(Appointment.id)).all()
    assert [a.double_booked for a in at_ten] == [False, True]


async def test_status_change_then_undo(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        booked = next(r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        assert view._select(booked.id)
        await pilot.press("d")
        await settle(pilot)
        with read_session(demo_engine) as session:
            assert session.get(Appointment, booked.id).status is ApptStatus.arrived
        assert view._select(booked.id)
        await pilot.press("u")
        await settle(pilot)
    with read_session(demo_engine) as session:
        appt = session.get(Appointment, booked.id)
        kinds = [e.kind.value for e in schedule.history(session, booked.id)]
    assert appt.status is ApptStatus.booked and kinds[-2:] == ["status", "undo"]


async def test_the_grid_is_redrawn_only_when_the_shown_day_changed(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        booked = next(r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked)
        patient = session.exec(select(Patient).order_by(Patient.id)).first()
        kind = schedule.appointment_types(session)[0]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        before = [grid.get_row_at(r) for r in range(grid.row_count)]
        with write_session(demo_engine) as session:  # a booking four weeks on: nothing on this day changed
            schedule.book(session, AppointmentCreate(patient_id=patient.id, provider_id=booked.provider_id,
                                                     type_id=kind.id, day=FAR, start_time="09:00",
                                                     minutes=kind.minutes), now=app.ctx.now(), actor="desk")
        view.reload()
        await settle(pilot)
        assert all(a is b for old, new in zip(before, [grid.get_row_at(r) for r in range(grid.row_count)],
                                              strict=True) for a, b in zip(old, new, strict=True))
        assert view._select(booked.id)
        cell = grid.cursor_coordinate
        assert " B " in f" {grid.get_cell_at(cell)} "  # the status letter, after any start time
        await pilot.press("d")
        await settle(pilot)
        assert " A " in f" {grid.get_cell_at(cell)} "


async def test_the_booking_form_offers_what_the_database_holds_when_it_opens(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        with write_session(demo_engine) as session:  # hired after the tab was loaded
            session.add(Staff(first_name="Nia", last_name="Newhire", role=Role.physician, is_provider=True))
            session.commit()
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AppointmentForm)
        assert "Nia Newhire" in [label for label, _ in form.specs[1].options]
        assert form.query_one("#f-patient_id Input", Input).has_focus


async def test_cancel_asks_why_and_move_keeps_the_appointment(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.tui.views.frontdesk import FrontDeskScreen

    with read_session(demo_engine) as session:
        rows = [r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked]
    to_cancel, to_move = rows[0], rows[1]
    wait_for_any_slot(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        view._select(to_cancel.id)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-why", Select).value = "Other"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "say what happened" in text_of(form.query_one("#e-detail", Static))
        form.query_one("#f-detail", Input).value = "Car trouble"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The demo's waitlist has a patient for any provider: the freed slot is offered to them.
        assert isinstance(app.screen, FrontDeskScreen)
        await pilot.press("escape")
        await settle(pilot)
        view._select(to_move.id)
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-day", Input).value = FAR.strftime("%m/%d/%Y")
        form.query_one("#f-start_time", Input).value = "3:30 PM"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        cancelled = session.get(Appointment, to_cancel.id)
        moved = session.get(Appointment, to_move.id)
    assert (cancelled.status, cancelled.cancel_reason) == (ApptStatus.cancelled, "Other: Car trouble")
    assert moved.start == datetime.combine(FAR, time(15, 30))
    assert moved.end - moved.start == to_move.end - to_move.start


async def test_slot_finder_lists_open_slots_and_books_one(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "f")
        await settle(pilot)
        finder = app.screen
        table = finder.query_one(DataTable)
        assert table.row_count == 12
        first = finder.slots[0]
        assert first.start >= app.ctx.now()
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#f-start_time", Input).value == f"{first.start:%H:%M}"
        assert form.query_one("#f-provider_id", Select).value == first.provider_id


def wait_for_any_slot(engine) -> None:  # type: ignore[no-untyped-def]
    """Put a patient with nothing booked today on the waitlist for any provider and any length."""
    from officemgr.models.schedule import WaitlistCreate
    from officemgr.services import frontdesk
    from officemgr.store import write_session

    with write_session(engine) as session:
        busy = {r.patient_id for r in schedule.day_schedule(session, TODAY).rows}
        waiting = {r.patient_id for r in frontdesk.waitlist(session, include_offered=True)}
        free = next(p for p in session.exec(select(Patient).order_by(Patient.id)) if p.id not in busy | waiting)
        frontdesk.add_to_waitlist(session, WaitlistCreate(patient_id=free.id), now=datetime.combine(TODAY, time(8)),
                                  actor="test")


async def test_cancelling_offers_the_freed_slot_to_the_waitlist(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.tui.views.frontdesk import FrontDeskScreen

    with read_session(demo_engine) as session:
        target = next(r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked)
    wait_for_any_slot(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        app.query_one("#view-schedule")._select(target.id)
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#f-why", Select).value = "Patient is sick"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FrontDeskScreen)


async def test_recall_at_checkout_by_key(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.models import Recall

    with read_session(demo_engine) as session:
        row = next(r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.checked_out)
        before = len(session.exec(select(Recall).where(Recall.patient_id == row.patient_id)).all())
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        app.query_one("#view-schedule")._select(row.id)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-interval", Input).value = "sometime"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(form.query_one("#e-interval", Static).render())
        form.query_one("#f-interval", Input).value = "12 months"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        recalls = session.exec(select(Recall).where(Recall.patient_id == row.patient_id)
                               .order_by(Recall.id)).all()
    assert len(recalls) == before + 1
    assert recalls[-1].due == TODAY.replace(year=TODAY.year + 1)


async def test_the_booking_form_is_kept_but_each_booking_starts_afresh(demo_engine) -> None:  # type: ignore[no-untyped-def]
    patient, second = first_patient_and_second_provider(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_day(pilot, app, FAR)
        form = await book_at_nine_with_second_provider(pilot, app, grid)
        assert isinstance(form, AppointmentForm)
        await pick_patient(pilot, form, patient.last_name)
        form.query_one("#f-day", Input).value = "13/45/2026"
        form.query_one("#f-reason", Input).value = "left from last time"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and text_of(form.query_one("#e-day", Static))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is form  # the same form, composed once
        assert form.query_one("#f-provider_id", Select).value is Select.NULL  # `a` prefills no provider
        assert form.query_one("#f-start_time", Input).value == ""
        assert form.query_one("#f-reason", Input).value == ""
        assert form.query_one("#f-day", Input).value == f"{FAR:%m/%d/%Y}"
        assert form.query_one("#f-patient_id", PatientPicker).value is None
        assert form.query_one("#f-patient_id Input", Input).value == "" and form.query_one(
            "#f-patient_id Input", Input).has_focus
        assert not any(line.display for line in form.query(".field-error"))
        assert not form.saving and form.refused is None
        await pilot.press("escape")
        await settle(pilot)
        assert await book_at_nine_with_second_provider(pilot, app, grid) is form
        assert form.query_one("#f-provider_id", Select).value == second.id
        assert form.query_one("#f-start_time", Input).value == "09:00"


async def test_enter_opens_the_appointment_with_its_history(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.tui.views.appointment_detail import AppointmentScreen

    with read_session(demo_engine) as session:
        roomed = next(r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.in_room)
        detail = schedule.appointment_detail(session, roomed.id)
    assert detail is not None
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        assert view._select(roomed.id)
        view.query_one(DataTable).action_select_cursor()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AppointmentScreen)
        assert text_of(screen.query_one("#appt-title")) == (
            f"{detail.patient_name} · {detail.type_name} with {detail.provider_name}")
        summary = text_of(screen.query_one("#appt-summary", Static))
        assert f"{roomed.start:%H:%M}–{roomed.end:%H:%M} · R in room" in summary
        assert f"Waited {schedule.waiting_minutes(detail.events)} min from arrival to room" in summary
        history = screen.query_one(DataTable)
        assert history.row_count == len(detail.events) >= 2
        assert str(history.get_row_at(history.row_count - 1)[2]) == "arrived → in room"


async def test_a_move_onto_a_booked_slot_is_explained_then_made_on_a_second_save(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        rows = [r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked]
    mover = rows[0]
    taken = next(r for r in rows if r.provider_id == mover.provider_id and r.patient_id != mover.patient_id
                 and r.start != mover.start)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        assert view._select(mover.id)
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-start_time", Input).value = f"{taken.start:%H:%M}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = text_of(form.query_one("#form-error", Static))
        assert "double-book" in error and error.endswith("Press ctrl+s again to move it anyway, or change it.")
        with read_session(demo_engine) as session:
            assert session.get(Appointment, mover.id).start == mover.start
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        moved = session.get(Appointment, mover.id)
    assert (moved.start, moved.double_booked, moved.version) == (taken.start, True, mover.version + 1)
