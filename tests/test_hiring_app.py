"""Hiring by keys (issue 23, item 1) at 80x24 on the demo practice: the manager adds an opening, moves an applicant
with a note, hires one into a staff record and purges the applicant past retention; bad input in each field shows by
it with nothing saved; no other role is offered the screen."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from officemgr.models import AuditEvent, Role, Staff, UserRole
from officemgr.models.hiring import Applicant, ApplicantNote, ApplicantStage, JobOpening
from officemgr.services.access import Actor
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.base import FieldsForm
from officemgr.tui.forms.hiring import ApplicantForm, HireForm, MoveForm, NoteForm, OpeningForm
from officemgr.tui.views.hiring import ApplicantsScreen, HiringScreen
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
SMALL = (80, 24)


def _app(engine: Engine, actor: Actor = MANAGER) -> App[None]:
    return make_app(engine, today=TODAY, clock=lambda: APP_NOW, actor=actor)


async def _hiring(app: App[None], pilot: Pilot[None]) -> HiringScreen:
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    assert isinstance(app.screen, HiringScreen)
    return app.screen


async def _applicants(app: App[None], pilot: Pilot[None]) -> ApplicantsScreen:
    await _hiring(app, pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ApplicantsScreen)
    return app.screen


def _cursor_on(table: DataTable[Any], text: str) -> None:
    for n in range(table.row_count):
        if text in str(table.get_row_at(n)[0]):
            table.move_cursor(row=n)
            return
    raise AssertionError(f"{text} is not in the table")


def _applicant(engine: Engine, first: str) -> Applicant:
    with read_session(engine) as session:
        found = session.exec(select(Applicant).where(Applicant.first_name == first)).one()
        session.expunge(found)
        return found


def _error(form: FieldsForm[Any], name: str) -> str:
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


async def _type(pilot: Pilot[None], form: FieldsForm[Any], name: str, text: str) -> None:
    box = form.query_one(f"#f-{name}", Input)
    box.value = ""
    box.focus()
    if text:
        await pilot.press(*text)


async def _save(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_the_manager_adds_an_opening_by_keys(demo_engine: Engine) -> None:
    app = _app(demo_engine)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _hiring(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OpeningForm)
        await _save(pilot)  # no role chosen yet
        assert app.screen is form and _error(form, "role")
        await _type(pilot, form, "title", "Billing specialist")
        form.query_one("#f-role", Select).value = Role.biller
        await _type(pilot, form, "hours_per_week", "32")
        await _save(pilot)
        assert app.screen is screen
        table = screen.query_one("#openings", DataTable)
        assert "Billing specialist" in {str(table.get_row_at(n)[0]) for n in range(table.row_count)}
    with read_session(demo_engine) as session:
        row = session.exec(select(JobOpening).where(JobOpening.title == "Billing specialist")).one()
        assert (row.role, row.hours_per_week, row.posted_on, row.closed_on) == (Role.biller, 32, TODAY, None)


async def test_the_manager_moves_an_applicant_with_a_note_by_keys(demo_engine: Engine) -> None:
    app = _app(demo_engine)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _applicants(app, pilot)
        table = screen.query_one("#applicants", DataTable)
        _cursor_on(table, "Luis Ferreira")
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MoveForm)
        # The next stage is offered first.
        assert form.query_one("#f-stage", Select).value is ApplicantStage.interview
        assert form.query_one("#f-interviewer", Input).value == "Pat Boss"
        await _type(pilot, form, "note", "Booked for Thursday 2 pm")
        await _save(pilot)
        assert app.screen is screen
        _cursor_on(table, "Luis Ferreira")
        row = table.get_row_at(table.cursor_row)
        assert (str(row[1]), str(row[2]), str(row[4])) == ("Interview", "0", "Booked for Thursday 2 pm")
        await pilot.press("enter")
        await settle(pilot)
        shown = str(screen.query_one("#applicants-status", Static).render())
        assert "11/23/2026 interview (Pat Boss): Booked for Thursday 2 pm" in shown
    luis = _applicant(demo_engine, "Luis")
    assert luis.stage is ApplicantStage.interview
    with read_session(demo_engine) as session:
        note = session.exec(select(ApplicantNote).where(ApplicantNote.applicant_id == luis.id)
                            .order_by(col(ApplicantNote.id).desc())).first()
        assert note is not None
        assert (note.stage, note.noted_on, note.interviewer, note.note) == (
            ApplicantStage.interview, TODAY, "Pat Boss", "Booked for Thursday 2 pm")


async def test_hiring_from_interview_asks_first_then_makes_the_staff_record(demo_engine: Engine) -> None:
    app = _app(demo_engine)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _applicants(app, pilot)
        _cursor_on(screen.query_one("#applicants", DataTable), "Maya Okafor")
        await pilot.press("H")
        await settle(pilot)
        assert app.screen is screen
        assert "not offer. Press H again" in str(screen.query_one("#applicants-status", Static).render())
        # Another key forgets the question: H asks again rather than hiring.
        await pilot.press("up", "down", "H")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("H")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, HireForm)
        assert not form.query("#f-npi")  # a medical assistant needs no NPI
        await _type(pilot, form, "start_date", f"{TODAY + timedelta(days=14):%m/%d/%Y}")
        await _save(pilot)
        assert app.screen is screen
    maya = _applicant(demo_engine, "Maya")
    assert (maya.stage, maya.closed_on) == (ApplicantStage.hired, TODAY)
    with read_session(demo_engine) as session:
        person = session.get(Staff, maya.staff_id)
        assert person is not None
        assert (person.first_name, person.last_name, person.email, person.role, person.hire_date) == (
            "Maya", "Okafor", "maya.okafor@example.com", Role.ma, TODAY + timedelta(days=14))


async def test_the_purge_asks_with_the_count_then_purges(demo_engine: Engine) -> None:
    dana = _applicant(demo_engine, "Dana")
    app = _app(demo_engine)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _hiring(app, pilot)
        status = screen.query_one("#hiring-status", Static)
        await pilot.press("P")
        await settle(pilot)
        assert "Purge 1 applicant declined or withdrawn before 11/23/2025" in str(status.render())
        await pilot.press("down", "P")  # another key in between: asks again, purges nothing
        await settle(pilot)
        assert "Press P again" in str(status.render())
        with read_session(demo_engine) as session:
            assert session.get(Applicant, dana.id) is not None
        await pilot.press("P")
        await settle(pilot)
        assert "Purged 1 applicant" in str(status.render())
        await pilot.press("P")
        await settle(pilot)
        assert "Nothing to purge" in str(status.render())
    with read_session(demo_engine) as session:
        assert session.get(Applicant, dana.id) is None
        assert session.exec(select(ApplicantNote).where(ApplicantNote.applicant_id == dana.id)).all() == []
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "purge")).one()
        assert (event.actor, json.loads(event.changes)["ids"]) == ("pat@office", [dana.id])
        assert "Dana" not in event.changes
        # The two in the pipeline stay.
        assert {a.first_name for a in session.exec(select(Applicant))} == {"Maya", "Luis"}


def _counts(engine: Engine) -> list[int]:
    with read_session(engine) as session:
        return [len(session.exec(select(m)).all()) for m in (JobOpening, Applicant, ApplicantNote, Staff, AuditEvent)]


async def test_bad_input_in_each_field_shows_by_it_and_saves_nothing(demo_engine: Engine) -> None:
    before = _counts(demo_engine)
    app = _app(demo_engine)
    async with app.run_test(size=SMALL) as pilot:
        await _hiring(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OpeningForm)
        form.query_one("#f-role", Select).value = Role.ma
        for name, typed, message in (
                ("title", "", "required"), ("title", "x" * 81, "at most 80"), ("title", "MA\u001b", "cannot be saved"),
                ("hours_per_week", "abc", "whole number"), ("hours_per_week", "0", "at least 1"),
                ("hours_per_week", "81", "at most 80"), ("posted_on", "02/30/2026", "date")):
            await _type(pilot, form, "title", "MA")
            await _type(pilot, form, "hours_per_week", "40")
            await _type(pilot, form, "posted_on", f"{TODAY:%m/%d/%Y}")
            form.query_one(f"#f-{name}", Input).value = typed
            await _save(pilot)
            assert app.screen is form and message in _error(form, name), (name, typed, _error(form, name))
        form.query_one("#f-posted_on", Input).value = f"{TODAY + timedelta(days=1):%m/%d/%Y}"
        await _save(pilot)
        assert app.screen is form
        assert "cannot be after today" in str(form.query_one("#form-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("enter")
        await settle(pilot)
        applicants = app.screen
        assert isinstance(applicants, ApplicantsScreen)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ApplicantForm)
        for name, typed, message in (
                ("first_name", "", "required"), ("last_name", "x" * 61, "at most 60"),
                ("phone", "555-12", "10 digits"), ("email", "maya@", "not an e-mail address"),
                ("applied_on", "tomorrow", "date")):
            for field, good in (("first_name", "Ann"), ("last_name", "Lee"), ("phone", ""), ("email", ""),
                                ("applied_on", f"{TODAY:%m/%d/%Y}")):
                form.query_one(f"#f-{field}", Input).value = good
            form.query_one(f"#f-{name}", Input).value = typed
            await _save(pilot)
            assert app.screen is form and message in _error(form, name), (name, typed, _error(form, name))
        form.query_one("#f-applied_on", Input).value = f"{TODAY - timedelta(days=13):%m/%d/%Y}"
        await _save(pilot)
        assert "before the opening was posted" in str(form.query_one("#form-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)

        _cursor_on(applicants.query_one("#applicants", DataTable), "Luis Ferreira")
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MoveForm)
        for name, typed, message in (("noted_on", "11/31/2026", "date"), ("interviewer", "x" * 61, "at most 60"),
                                     ("note", "x" * 2001, "at most 2000"), ("note", "bell\u0007", "cannot be saved")):
            for field, good in (("noted_on", f"{TODAY:%m/%d/%Y}"), ("interviewer", ""), ("note", "")):
                form.query_one(f"#f-{field}", Input).value = good
            form.query_one(f"#f-{name}", Input).value = typed
            await _save(pilot)
            assert app.screen is form and message in _error(form, name), (name, typed, _error(form, name))
        form.query_one("#f-noted_on", Input).value = f"{TODAY - timedelta(days=30):%m/%d/%Y}"
        form.query_one("#f-note", Input).value = ""
        await _save(pilot)
        assert "before the day they applied" in str(form.query_one("#form-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteForm)
        await _save(pilot)
        assert app.screen is form and "write the note" in _error(form, "note")
        await pilot.press("escape")
        await settle(pilot)

        _cursor_on(applicants.query_one("#applicants", DataTable), "Maya Okafor")
        await pilot.press("H", "H")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, HireForm)
        form.query_one("#f-start_date", Input).value = "13/01/2026"
        await _save(pilot)
        assert app.screen is form and "date" in _error(form, "start_date")
        form.query_one("#f-start_date", Input).value = f"{TODAY - timedelta(days=31):%m/%d/%Y}"
        await _save(pilot)
        assert "cannot be before 10/24/2026 (30 days ago)" in str(form.query_one("#form-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is applicants
    assert _counts(demo_engine) == before


async def test_a_provider_hire_asks_for_the_npi(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        maya = session.exec(select(Applicant).where(Applicant.first_name == "Maya")).one()
        opening = session.get(JobOpening, maya.opening_id)
        assert opening is not None
    # The demo's opening is for a medical assistant: make it a nurse practitioner's for this test.
    with write_session(demo_engine) as session:
        row = session.get(JobOpening, opening.id)
        assert row is not None
        row.role = Role.np_pa
        session.commit()
    app = _app(demo_engine)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _applicants(app, pilot)
        _cursor_on(screen.query_one("#applicants", DataTable), "Maya Okafor")
        await pilot.press("H", "H")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, HireForm)
        for typed, message in (("", "needs an NPI"), ("1234567890", "last digit must check out")):
            form.query_one("#f-npi", Input).value = typed
            await _save(pilot)
            assert app.screen is form and message in _error(form, "npi")
        form.query_one("#f-npi", Input).value = "1234567893"
        await _save(pilot)
        assert app.screen is screen
    with read_session(demo_engine) as session:
        person = session.exec(select(Staff).where(Staff.first_name == "Maya", Staff.last_name == "Okafor")).one()
        assert (person.role, person.npi, person.is_provider) == (Role.np_pa, "1234567893", True)


async def test_no_other_role_is_offered_hiring(demo_engine: Engine) -> None:
    for role in (UserRole.front_desk, UserRole.clinical, UserRole.auditor):
        app = _app(demo_engine, Actor("kim", {role}))
        async with app.run_test(size=SMALL) as pilot:
            await pilot.press("3")
            await settle(pilot)
            assert "staff_hiring" not in {b.binding.id for b in app.active_bindings.values()}
            await pilot.press("h")
            await settle(pilot)
            assert not isinstance(app.screen, HiringScreen)
