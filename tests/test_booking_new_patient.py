"""The booking form by keys: a name that finds nobody is registered on the spot (ctrl+n) and booked, a look-alike
on file is used instead, escape leaves the booking as it was; the line under the patient says their balance and
insurance for the day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import select
from textual.widgets import DataTable, Input, OptionList, Select, Static

from officemgr.models import Appointment, Patient
from officemgr.services import ledger, schedule
from officemgr.services.access import Actor, UserRole
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.appointment import AppointmentForm, BookingPatientPicker
from officemgr.tui.forms.patient import PatientForm
from ui_support import SIZE, TODAY, settle

FAR = TODAY + timedelta(days=28)  # a Monday past the demo's bookings: the whole day is free


def text_of(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


async def booking_at_nine(pilot, app) -> AppointmentForm:  # type: ignore[no-untyped-def]
    """`n` on FAR's 09:00 slot of the second provider: the booking form, prefilled."""
    await pilot.press("2")
    await settle(pilot)
    app.query_one("#view-schedule").go_to(FAR)
    await settle(pilot)
    app.query_one("#schedule-table", DataTable).cursor_coordinate = (4, 2)
    await pilot.press("n")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, AppointmentForm)
    return form


async def type_patient(pilot, form: AppointmentForm, text: str) -> BookingPatientPicker:  # type: ignore[no-untyped-def]
    picker = form.query_one(BookingPatientPicker)
    picker.query_one(Input).focus()
    await pilot.press(*text)
    await settle(pilot)
    return picker


def patients_named(engine, last_name: str) -> list[Patient]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return list(session.exec(select(Patient).where(Patient.last_name == last_name)))


async def test_a_name_that_finds_nobody_is_registered_and_booked_with_the_rest_kept(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        second = schedule.providers(session)[1]
    said: list[str] = []
    app = make_app(demo_engine, today=TODAY)
    app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        form = await booking_at_nine(pilot, app)
        form.query_one("#f-reason", Input).value = "knee pain"
        picker = await type_patient(pilot, form, "Jane Quixotely")
        assert picker.query_one("#new-patient").display  # nobody found: offered
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "ctrl+n to register" in text_of(form.query_one("#e-patient_id", Static))

        await pilot.press("ctrl+n")
        await settle(pilot)
        registration = app.screen
        assert isinstance(registration, PatientForm)
        assert registration.query_one("#f-last_name", Input).value == "Quixotely"
        assert registration.query_one("#f-first_name", Input).value == "Jane"
        registration.query_one("#f-dob", Input).value = "03/04/1990"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert app.screen is form
        [jane] = patients_named(demo_engine, "Quixotely")
        assert picker.value == jane.id
        assert "Quixotely, Jane" in text_of(picker.query_one(".chosen", Static))
        assert not picker.query_one("#new-patient").display
        facts = text_of(picker.query_one(".patient-facts", Static))
        assert facts == "No balance due · Insurance: no insurance on file: add the patient's plan, or mark the " \
                        "visit self-pay"
        # The rest of the booking is as it was typed.
        assert form.query_one("#f-provider_id", Select).value == second.id
        assert form.query_one("#f-start_time", Input).value == "09:00"
        assert form.query_one("#f-reason", Input).value == "knee pain"
        form.query_one("#f-type_id", Select).value = form.specs[2].options[0][1]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert any(m.startswith("Quixotely, Jane registered (account #") for m in said)
    with read_session(demo_engine) as session:
        booked = session.exec(select(Appointment).where(Appointment.start == datetime.combine(FAR, time(9)))).one()
    assert (booked.patient_id, booked.provider_id, booked.reason) == (jane.id, second.id, "knee pain")
    assert (jane.first_name, jane.dob, jane.account) == ("Jane", date(1990, 3, 4), f"{jane.id:06d}")


async def test_escape_from_the_registration_leaves_the_booking_unchanged(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form = await booking_at_nine(pilot, app)
        form.query_one("#f-reason", Input).value = "follow-up"
        picker = await type_patient(pilot, form, "Quixotely, Jane")
        await pilot.press("ctrl+n")
        await settle(pilot)
        registration = app.screen
        assert isinstance(registration, PatientForm)
        assert (registration.query_one("#f-last_name", Input).value,
                registration.query_one("#f-first_name", Input).value) == ("Quixotely", "Jane")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form
        assert picker.value is None and picker.query_one(Input).value == "Quixotely, Jane"
        assert picker.query_one("#new-patient").display
        assert form.query_one("#f-reason", Input).value == "follow-up"
    assert patients_named(demo_engine, "Quixotely") == []


async def test_a_look_alike_on_file_is_used_instead_of_registered_again(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        every = session.exec(select(Patient).order_by(Patient.id)).all()
        owed = ledger.balances(session, [p.id for p in every if p.id is not None])
        someone = next(p for p in every if owed[p.id or 0] > 0 and p.dob.year < 2000 and sum(
            q.last_name == p.last_name for q in every) == 1)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form = await booking_at_nine(pilot, app)
        picker = await type_patient(pilot, form, f"{someone.first_name} {someone.last_name}")
        await pilot.press("ctrl+n")
        await settle(pilot)
        registration = app.screen
        assert isinstance(registration, PatientForm)
        registration.query_one("#f-dob", Input).value = f"{someone.dob:%m/%d/%Y}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is registration  # refused: the same person is on file
        assert f"already registered as #{someone.account}" in text_of(registration.query_one("#form-error", Static))
        assert registration.query_one("#look-alikes", OptionList).has_focus
        await pilot.press("enter")  # use this one
        await settle(pilot)
        assert app.screen is form
        assert picker.value == someone.id
        facts = text_of(picker.query_one(".patient-facts", Static))
        assert facts.startswith(f"Balance due ${owed[someone.id or 0] / 100:,.2f} · Insurance")
    assert len(patients_named(demo_engine, someone.last_name)) == 1


async def test_a_clinical_user_sees_the_insurance_but_not_the_balance(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        someone = session.exec(select(Patient).order_by(Patient.id)).first()
    assert someone is not None
    app = make_app(demo_engine, today=TODAY, actor=Actor("cal", {UserRole.clinical}))
    async with app.run_test(size=SIZE) as pilot:
        form = await booking_at_nine(pilot, app)
        picker = await type_patient(pilot, form, someone.last_name)
        await pilot.press("enter")
        await settle(pilot)
        assert picker.value is not None
        facts = text_of(picker.query_one(".patient-facts", Static))
        assert facts.startswith("Insurance") and "Balance" not in facts
        form.query_one("#f-day", Input).value = "not a day"
        await settle(pilot)
        assert text_of(picker.query_one(".patient-facts", Static)) == "Insurance: give the date to check it"
