"""Issue 19's Schedule workflows by keys: booking from the waitlist, undo of one's own change, a stale move that
reloads, and a double-book confirmed on an 80x24 terminal."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from officemgr.models import Appointment, ApptStatus, Patient, WaitlistEntry, WaitlistStatus
from officemgr.services import frontdesk, schedule
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.appointment import AppointmentForm
from officemgr.tui.forms.move import MoveForm
from officemgr.tui.views.frontdesk import FrontDeskScreen
from officemgr.tui.widgets.patient_picker import PatientPicker
from test_schedule_app import open_day, pick_patient
from ui_support import SIZE, TODAY, settle

FREE_DAY = TODAY + timedelta(days=28)  # four weeks out nobody is booked yet
NOW = datetime.combine(TODAY, time(10, 30))


def _freed_slot(engine):  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        everyone = frontdesk.waitlist(session)
        provider_id = next(r.provider_id for r in everyone if r.provider_id is not None)
        start, end = datetime.combine(FREE_DAY, time(16, 30)), datetime.combine(FREE_DAY, time(16, 45))
        fits = frontdesk.waitlist_matches(session, provider_id=provider_id, start=start, end=end)
    # One that names its appointment type, so the form starts complete.
    return provider_id, start, end, next(r for r in fits if r.type_id is not None)


def _booked(engine, patient_id: int) -> list[Appointment]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return list(session.exec(select(Appointment).where(
            Appointment.patient_id == patient_id, Appointment.start >= datetime.combine(FREE_DAY, time.min),
            Appointment.start < datetime.combine(FREE_DAY + timedelta(days=1), time.min))))


async def test_waitlist_b_opens_the_booking_form_and_marks_booked_only_when_it_saves(demo_engine) -> None:  # type: ignore[no-untyped-def]
    provider_id, start, end, entry = _freed_slot(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx, "waitlist", slot=(provider_id, start, end)))
        await settle(pilot)
        table = app.screen.query_one("#fd-waitlist", DataTable)
        table.move_cursor(row=table.get_row_index(str(entry.id)))
        await pilot.press("b")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AppointmentForm)
        assert form.query_one(PatientPicker).value == entry.patient_id
        assert form.query_one("#f-start_time", Input).value == "16:30"
        assert form.query_one("#f-day", Input).value == f"{FREE_DAY:%m/%d/%Y}"
        # Not booked yet: the form is open, nothing saved.
        with read_session(demo_engine) as session:
            assert session.get(WaitlistEntry, entry.id).status is WaitlistStatus.waiting
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FrontDeskScreen)
        with read_session(demo_engine) as session:
            assert session.get(WaitlistEntry, entry.id).status is WaitlistStatus.waiting
        assert _booked(demo_engine, entry.patient_id) == []
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FrontDeskScreen), [
            str(w.render()) for w in app.screen.query(".field-error")]
    booked = _booked(demo_engine, entry.patient_id)
    assert [(a.start, a.provider_id, a.status) for a in booked] == [(start, provider_id, ApptStatus.booked)]
    with read_session(demo_engine) as session:
        assert session.get(WaitlistEntry, entry.id).status is WaitlistStatus.booked


async def test_u_undoes_my_own_last_change_not_anothers(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        booked = [r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked]
    mine, theirs = booked[0], booked[1]
    app = make_app(demo_engine, today=TODAY, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        assert view._select(mine.id)
        await pilot.press("d")
        await settle(pilot)
        # Someone else checks in another patient after that, at another workstation.
        with write_session(demo_engine) as session:
            schedule.set_status(session, theirs.id, ApptStatus.arrived, now=app.ctx.now(), actor="lee",
                                expected_version=theirs.version)
        assert view._select(theirs.id)
        await pilot.press("u")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Undone: ") and "is booked again (you had made it arrived" in m for m in said)
        with read_session(demo_engine) as session:
            assert session.get(Appointment, mine.id).status is ApptStatus.booked
            assert session.get(Appointment, theirs.id).status is ApptStatus.arrived


async def test_a_stale_move_offers_reload_and_ctrl_r_reloads_it(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        row = next(r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked)
    app = make_app(demo_engine, today=TODAY, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        assert view._select(row.id)
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MoveForm)
        # Someone else checks the patient in and back out meanwhile: the form's version is stale.
        with write_session(demo_engine) as session:
            saved = schedule.set_status(session, row.id, ApptStatus.arrived, now=app.ctx.now(), actor="lee",
                                        expected_version=row.version)
            schedule.set_status(session, row.id, ApptStatus.booked, now=app.ctx.now(), actor="lee",
                                expected_version=saved.version)
        form.query_one("#f-day", Input).value = f"{FREE_DAY:%m/%d/%Y}"
        form.query_one("#f-start_time", Input).value = "16:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(form.query_one("#form-error", Static).render())
        assert "ctrl+r to reload" in message and "anyway" not in message
        await pilot.press("ctrl+s")  # a second save is not an override: still refused
        await settle(pilot)
        assert app.screen is form
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert form.row.version == row.version + 2
        form.query_one("#f-day", Input).value = f"{FREE_DAY:%m/%d/%Y}"
        form.query_one("#f-start_time", Input).value = "16:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form, str(form.query_one("#form-error", Static).render())
    with read_session(demo_engine) as session:
        assert session.get(Appointment, row.id).start == datetime.combine(FREE_DAY, time(16, 30))


def _inside(widget, size) -> bool:  # type: ignore[no-untyped-def]
    """Shown whole on the screen: not clipped by the form's scroll or the terminal's edge."""
    region = widget.region
    width, height = size
    return widget.display and region.height > 0 and region.y >= 0 and region.bottom <= height and region.right <= width


async def test_a_double_book_by_keys_at_80x24_shows_the_question_where_the_user_looks(demo_engine) -> None:  # type: ignore[no-untyped-def]
    size = (80, 24)
    with read_session(demo_engine) as session:
        taken = next(r for r in schedule.day_schedule(session, FREE_DAY - timedelta(days=21)).rows
                     if r.status is ApptStatus.booked)
        other = next(p for p in session.exec(select(Patient).order_by(Patient.id)) if p.id != taken.patient_id)
    day = taken.start.date()
    app = make_app(demo_engine, today=TODAY, actor="kim")
    async with app.run_test(size=size) as pilot:
        await open_day(pilot, app, day)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AppointmentForm)
        await pick_patient(pilot, form, other.last_name)
        await settle(pilot)
        form.query_one("#f-provider_id", Select).value = taken.provider_id
        form.query_one("#f-type_id", Select).value = next(t.id for t in form.types.values()
                                                          if t.name == taken.type_name)
        await settle(pilot)
        form.query_one("#f-start_time", Input).focus()
        await pilot.press(*f"{taken.start:%H:%M}")
        # The field being typed in is on the screen.
        assert _inside(form.query_one("#f-start_time", Input), size)
        await pilot.press("ctrl+s")
        await settle(pilot)
        question = form.query_one("#form-error", Static)
        assert "double-book" in str(question.render()) and "Press ctrl+s again" in str(question.render())
        assert _inside(question, size), question.region
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        again = session.exec(select(Appointment).where(Appointment.patient_id == other.id,
                                                       Appointment.start == taken.start)).one()
        assert again.double_booked


def _quarter(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15)


async def test_focus_record_lands_on_a_visit_that_shares_its_quarter_hour(demo_engine) -> None:  # type: ignore[no-untyped-def]
    # The Huddle's enter calls focus_record: a visit off the quarter hour beside another must be reachable.
    with read_session(demo_engine) as session:
        for back in range(1, 15):
            day = TODAY - timedelta(days=back)
            rows = schedule.day_schedule(session, day).rows
            # Off the quarter hour, in a quarter hour another visit of that provider also fills.
            hidden = [r for r in rows if r.start.minute % 15 and any(
                o.id != r.id and o.provider_id == r.provider_id
                and o.start < _quarter(r.start) + timedelta(minutes=15) and o.end > _quarter(r.start) for o in rows)]
            if hidden:
                break
    assert hidden, "the demo has a visit starting inside another's quarter hour"
    target = hidden[0]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app, TODAY)
        view = app.query_one("#view-schedule")
        view.focus_record(target.id)
        await settle(pilot)
        table = app.query_one("#schedule-table", DataTable)
        cursor = table.cursor_coordinate
        assert view.grid.appointments[(cursor.row, cursor.column)].id == target.id
