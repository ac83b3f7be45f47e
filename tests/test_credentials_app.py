"""The people-records window (credentials, evaluations, payer enrollment) on the demo data, driven by keys."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from officemgr.models import AuditEvent, Credential, CredentialKind, Evaluation, Payer, PayerEnrollment, Role, Staff
from officemgr.services import credentials
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.credentials import CredentialForm, EnrollmentForm, RenewForm
from officemgr.tui.forms.evaluation import EvaluationForm
from officemgr.tui.views.credentials import PeopleRecordsScreen
from officemgr.tui.views.evaluation import EvaluationScreen
from ui_support import SIZE, TODAY, settle


def cell(table: DataTable, row: int, column: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[column])


def keys(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [str(k.value) for k in table.rows]


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def error_text(form, name: str) -> str:  # type: ignore[no-untyped-def]
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


async def test_a_wrong_npi_is_refused_next_to_its_field_and_nothing_is_saved(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        nurse = session.exec(select(Staff).where(Staff.role == Role.nurse)).first()
    before = count(demo_engine, Credential)
    app = make_app(demo_engine, today=TODAY, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PeopleRecordsScreen(app.ctx, nurse.id))
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#pr-credentials", DataTable)
        assert table.row_count == 4 and {cell(table, i, 0) for i in range(4)} == {nurse.name}
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CredentialForm)
        assert form.query_one("#f-staff_id", Select).value == nurse.id
        form.query_one("#f-kind", Select).value = CredentialKind.npi
        form.query_one("#f-number", Input).value = "1234567890"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "check digit" in error_text(form, "number")
        assert count(demo_engine, Credential) == before

        form.query_one("#f-number", Input).value = "1558598797"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert table.row_count == 5
        npi_row = next(i for i in range(5) if cell(table, i, 1) == "NPI")
        assert (cell(table, npi_row, 3), cell(table, npi_row, 6)) == ("1558598797", "no expiry")
    assert count(demo_engine, Credential) == before + 1
    with read_session(demo_engine) as session:
        saved = session.exec(select(Credential).where(Credential.number == "1558598797")).one()
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (saved.staff_id, saved.kind, saved.expires) == (nurse.id, CredentialKind.npi, None)
    assert (event.actor, event.entity, event.entity_id, event.action) == ("kim", "credential", saved.id, "create")


async def test_renewing_the_selected_credential_keeps_its_row(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        soonest = next(line for line in credentials.credential_list(session, TODAY) if line.expires)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PeopleRecordsScreen(app.ctx))
        await settle(pilot)
        table = app.screen.query_one("#pr-credentials", DataTable)
        assert keys(table)[0] == str(soonest.credential_id)
        assert cell(table, 0, 6) in ("EXPIRED", "≤30 days")
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RenewForm)
        form.query_one("#f-expires", Input).value = f"{TODAY:%m/%d/%Y}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(form, "expires") == "a renewed credential must expire after today"
        form.query_one("#f-expires", Input).value = (TODAY + timedelta(days=365)).isoformat()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RenewForm)
        assert keys(table)[0] != str(soonest.credential_id)  # it moved down the list
    with read_session(demo_engine) as session:
        row = session.get(Credential, soonest.credential_id)
    assert (row.expires, row.version, row.number) == (TODAY + timedelta(days=365), soonest.version + 1,
                                                      soonest.number)


async def test_recording_the_overdue_evaluation(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        overdue = credentials.evaluations_due(session, TODAY)[0]
    assert overdue.overdue
    app = make_app(demo_engine, today=TODAY, actor="kim")
    results: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PeopleRecordsScreen(app.ctx), results.append)
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#pr-evaluations", DataTable)
        assert keys(table)[0] == str(overdue.staff_id)
        assert cell(table, 0, 4).startswith("overdue")
        await pilot.press("v")
        await settle(pilot)
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EvaluationForm)  # the evaluation's own form, over the person's evaluations
        assert form.query_one("#f-done_on", Input).value == f"{TODAY:%m/%d/%Y}"
        form.query_one("#f-note", Input).value = "[bold]Meets[/bold] expectations"
        form.query_one("#f-reviewer", Input).value = "Kim"
        for n in range(len(form.competencies)):
            form.query_one(f"#f-rating_{n}", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EvaluationScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert str(overdue.staff_id) not in keys(table)  # the next one is a year on
        await pilot.press("escape")
        await settle(pilot)
    assert results == [True]
    with read_session(demo_engine) as session:
        row = session.exec(select(Evaluation).where(Evaluation.staff_id == overdue.staff_id,
                                                    Evaluation.due == overdue.due)).one()
        [after] = credentials.evaluations_due(session, TODAY, within_days=None, staff_id=overdue.staff_id)
    assert (row.done_on, row.note) == (TODAY, "[bold]Meets[/bold] expectations")
    assert after.due.year == overdue.due.year + 1 and after.last_done_on == TODAY


async def test_caqh_attested_today_for_the_selected_provider(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        rows = credentials.enrollments(session, TODAY)
    lapsed = next(r for r in rows if r.caqh_days is not None and r.caqh_days < 0)
    theirs = [r.enrollment_id for r in rows if r.provider_id == lapsed.provider_id]
    app = make_app(demo_engine, today=TODAY, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PeopleRecordsScreen(app.ctx))
        await settle(pilot)
        table = app.screen.query_one("#pr-enrollments", DataTable)
        index = keys(table).index(str(lapsed.enrollment_id))
        assert cell(table, index, 7).endswith("days ago")
        table.focus()
        table.move_cursor(row=index)
        await pilot.press("c")
        await settle(pilot)
        assert cell(table, index, 5) == f"{TODAY:%m/%d/%Y}" and cell(table, index, 7) == "in 120 days"
    with read_session(demo_engine) as session:
        stamped = session.exec(select(PayerEnrollment).where(PayerEnrollment.provider_id == lapsed.provider_id)).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "caqh_attest")).all()
        due = credentials.enrollments_due(session, TODAY)
    assert sorted(e.id for e in stamped) == sorted(theirs)
    assert all(e.caqh_attested_on == TODAY and e.version == 2 for e in stamped)
    assert sorted(e.entity_id for e in events) == sorted(theirs) and {e.actor for e in events} == {"kim"}
    assert [d.kind for d in due] == ["recredential"]


async def test_adding_an_enrollment_shows_its_note_as_typed(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        provider = session.exec(select(Staff).where(Staff.is_provider).order_by(Staff.id)).first()
        held = {e.payer_id for e in session.exec(select(PayerEnrollment).where(
            PayerEnrollment.provider_id == provider.id))}
        payer = next(p for p in session.exec(select(Payer).order_by(Payer.id)) if p.id not in held)
    before = count(demo_engine, PayerEnrollment)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PeopleRecordsScreen(app.ctx, provider.id))
        await settle(pilot)
        table = app.screen.query_one("#pr-enrollments", DataTable)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EnrollmentForm)
        assert form.query_one("#f-provider_id", Select).value == provider.id
        form.query_one("#f-payer_id", Select).value = payer.id
        form.query_one("#f-effective", Input).value = "11/01/2026"
        form.query_one("#f-recredential_due", Input).value = "10/01/2026"
        form.query_one("#f-note", Input).value = "[red]ask for Tue[/red]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(form, "recredential_due") == "re-credentialing comes after the effective date"
        assert count(demo_engine, PayerEnrollment) == before
        form.query_one("#f-recredential_due", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        index = next(i for i in range(table.row_count) if cell(table, i, 1) == payer.name)
        assert cell(table, index, 3) == "11/01/2029"
        assert cell(table, index, 8) == "[red]ask for Tue[/red]"
    assert count(demo_engine, PayerEnrollment) == before + 1
