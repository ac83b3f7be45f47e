"""Policy sign-off by keys (issue 23, item 8), at 80x24: the manager opens a policy's versions from the Compliance tab
(s), adds a version (a), sees who signed (enter) and records a paper signature (s); a person signs their own from the
palette ("Sign a policy"); the corrective-action form picks its policy from the register. Bad input in each field
shows by it and saves nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.app import App
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from officemgr.models import ComplianceTask, Role, Staff, UserRole
from officemgr.models.lifecycle import PolicySignature, PolicyVersion
from officemgr.models.people import CorrectiveAction
from officemgr.services import policies
from officemgr.services.access import Actor
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.base import FieldsForm
from officemgr.tui.forms.corrective import CorrectiveForm
from officemgr.tui.forms.policy import SignatureForm, VersionForm
from officemgr.tui.views.policies import MyPoliciesScreen, PolicyVersionsScreen, SignersScreen
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
SMALL = (80, 24)
PRIVACY = "HIPAA privacy policy"


def _privacy(engine: Engine) -> int:
    with read_session(engine) as session:
        task = session.exec(select(ComplianceTask).where(ComplianceTask.title == PRIVACY)).one()
        assert task.id is not None
        return task.id


def _pending(engine: Engine) -> list[int]:
    with read_session(engine) as session:
        return [o.staff_id for o in policies.unsigned(session, TODAY)]


def _versions(engine: Engine, task_id: int) -> list[PolicyVersion]:
    with read_session(engine) as session:
        return list(session.exec(select(PolicyVersion).where(PolicyVersion.task_id == task_id)
                                 .order_by(col(PolicyVersion.id))))


def _signature(engine: Engine, staff_id: int) -> PolicySignature | None:
    with read_session(engine) as session:
        return session.exec(select(PolicySignature).where(PolicySignature.staff_id == staff_id)
                            .order_by(col(PolicySignature.id).desc())).first()


def _error(form: FieldsForm[object], name: str) -> str:
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


def _cells(table: DataTable[object]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def _open_versions(app: App[None], pilot, task_id: int) -> PolicyVersionsScreen:  # type: ignore[no-untyped-def]
    await pilot.press("6")
    await settle(pilot)
    table = app.query_one("#tasks", DataTable)
    table.move_cursor(row=table.get_row_index(str(task_id)))
    await pilot.press("s")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, PolicyVersionsScreen)
    return screen


async def test_the_manager_sees_the_versions_and_adds_one_by_keys(demo_engine: Engine) -> None:
    task_id = _privacy(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_versions(app, pilot, task_id)
        rows = _cells(screen.query_one("#policy-versions", DataTable))
        effective = TODAY - timedelta(days=10)
        due = effective + timedelta(days=30)
        # Nine people owe it (the one who left last month no longer does); two have not signed.
        assert rows[0] == ["v2", f"{effective:%m/%d/%Y}", "everyone", "7/9", f"{due:%m/%d/%Y}", "in effect"]
        assert rows[1][0] == "v1" and rows[1][-1] == "superseded"
        assert "policies/hipaa-privacy-policy-v2.pdf" in str(screen.query_one("#policy-summary", Static).render())
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, VersionForm)
        label, effective_box = form.query_one("#f-label", Input), form.query_one("#f-effective", Input)
        label.focus()
        await pilot.press(*"v3")
        effective_box.value = "12/01/2026"
        form.query_one("#f-summary", Input).value = "Adds the fax rules"
        form.query_one("#f-role_nurse", Checkbox).value = True
        form.query_one("#f-role_ma", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen, str(form.query_one("#form-error", Static).render())
        assert _cells(screen.query_one("#policy-versions", DataTable))[0][:3] == ["v3", "12/01/2026",
                                                                                  "Medical assistant, Nurse"]
    new = _versions(demo_engine, task_id)[-1]
    assert (new.label, new.effective, new.summary, new.roles, new.created_by) == (
        "v3", date(2026, 12, 1), "Adds the fax rules", "ma,nurse", "Pat Boss")


async def test_bad_input_into_the_version_form_shows_by_the_field(demo_engine: Engine) -> None:
    task_id = _privacy(demo_engine)
    before = len(_versions(demo_engine, task_id))
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await _open_versions(app, pilot, task_id)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, VersionForm)
        boxes = {n: form.query_one(f"#f-{n}", Input) for n in ("label", "effective", "summary", "document")}
        for name, typed, message in (
                ("label", "", "give the version a label"), ("label", "x" * 21, "at most 20 characters"),
                ("effective", "13/45/2026", "a date looks like"), ("summary", "x" * 1001, "at most 1,000"),
                ("document", "x" * 4001, "at most 4,000"), ("document", "a\u001bb", "")):
            for other, box in boxes.items():
                box.value = {"label": "v3", "effective": "12/01/2026"}.get(other, "")
            boxes[name].value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and _error(form, name) and message in _error(form, name), name
        for box, value in zip(boxes.values(), ("V2", "12/01/2026", "", ""), strict=True):
            box.value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "already has a version V2" in str(form.query_one("#form-error", Static).render())
    assert len(_versions(demo_engine, task_id)) == before


async def test_the_manager_records_a_paper_signature_for_someone_not_signed(demo_engine: Engine) -> None:
    task_id = _privacy(demo_engine)
    first, second = _pending(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await _open_versions(app, pilot, task_id)
        await pilot.press("enter")
        await settle(pilot)
        signers = app.screen
        assert isinstance(signers, SignersScreen)
        table = signers.query_one("#policy-signers", DataTable)
        rows = _cells(table)
        # The new hire (started after the version took effect) owes it 30 days from her start, not from its date.
        due, new_hire_due = (f"due {TODAY + timedelta(days=days):%m/%d/%Y}" for days in (20, 23))
        assert [r[1] for r in rows[:2]] == [due, new_hire_due] and len(rows) == 10  # and who signed, left since
        assert all(not r[1].startswith("due") for r in rows[2:])
        table.move_cursor(row=table.get_row_index(str(first)))
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SignatureForm)
        box = form.query_one("#f-signed_on", Input)
        for typed, message in (("13/45/2026", "a date looks like"), ("", "")):
            box.value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and _error(form, "signed_on") and message in _error(form, "signed_on")
        box.value = f"{TODAY + timedelta(days=1):%m/%d/%Y}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "cannot be after today" in str(form.query_one("#form-error", Static).render())
        assert first in _pending(demo_engine)
        box.value = f"{TODAY - timedelta(days=2):%m/%d/%Y}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is signers
        assert [r[1] for r in _cells(table)].count(due) == 0 and new_hire_due in [r[1] for r in _cells(table)]
    row = _signature(demo_engine, first)
    assert row is not None and (row.signed_on, row.recorded_by) == (TODAY - timedelta(days=2), "Pat Boss")
    assert _pending(demo_engine) == [second]


async def test_no_one_else_is_offered_adding_a_version_or_recording_a_signature(demo_engine: Engine) -> None:
    task_id = _privacy(demo_engine)
    nurse = Actor("cal", {UserRole.clinical}, workstation="exam")
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=nurse)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_versions(app, pilot, task_id)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SignersScreen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SignersScreen)
    assert len(_versions(demo_engine, task_id)) == 2


def test_the_palette_offers_signing_to_everyone_signed_in_but_the_auditor() -> None:
    from officemgr.tui.commands import offered

    for role in (UserRole.manager, UserRole.front_desk, UserRole.biller, UserRole.clinical):
        assert "Sign a policy" in [title for title, _, _ in offered(Actor("x", {role}))]
    assert "Sign a policy" not in [title for title, _, _ in offered(Actor("x", {UserRole.auditor}))]


async def test_a_person_signs_their_own_policy_from_the_palette(demo_engine: Engine) -> None:
    mine, other = _pending(demo_engine)
    with read_session(demo_engine) as session:
        person = session.get(Staff, mine)
        assert person is not None
    desk = Actor("kim", {UserRole.front_desk}, name=person.name, staff_id=mine, workstation="desk1")
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=desk)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Sign a policy")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MyPoliciesScreen)
        assert _cells(screen.query_one("#my-policies", DataTable)) == [
            [PRIVACY, "v2", f"{TODAY + timedelta(days=20):%m/%d/%Y}"]]
        assert "policies/hipaa-privacy-policy-v2.pdf" in str(screen.query_one("#my-policy-text", Static).render())
        confirm = screen.query_one("#my-policy-confirm", Static)
        await pilot.press("s")
        await settle(pilot)
        assert confirm.display and "Press s again to sign" in str(confirm.render())
        await pilot.press("down")  # any other key: the question goes, nothing is signed
        await settle(pilot)
        assert not confirm.display and mine in _pending(demo_engine)
        await pilot.press("s", "s")
        await settle(pilot)
        assert _cells(screen.query_one("#my-policies", DataTable)) == [
            ["Nothing to sign: you are up to date", "", ""]]
    row = _signature(demo_engine, mine)
    assert row is not None and (row.signed_on, row.recorded_by) == (TODAY, person.name)
    assert _pending(demo_engine) == [other]


async def test_the_corrective_form_picks_a_policy_from_the_register(demo_engine: Engine) -> None:
    from officemgr.tui.views.corrective import CorrectiveScreen

    task_id = _privacy(demo_engine)
    with read_session(demo_engine) as session:
        target = session.exec(select(Staff).where(Staff.role == Role.ma)).first()
        assert target is not None and target.id is not None
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        roster = app.query_one("#roster", DataTable)
        roster.move_cursor(row=roster.get_row_index(str(target.id)))
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, CorrectiveScreen)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CorrectiveForm)
        picker: Select[int] = form.query_one("#f-policy_task_id", Select)
        picker.value = task_id  # refused unless the register's policies are among its options
        assert picker.value == task_id
        form.query_one("#f-policy", Input).value = "Dress code"
        form.query_one("#f-detail", Input).value = "Read a chart aloud at the desk"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "choose Other (type it)" in _error(form, "policy")
        form.query_one("#f-policy", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CorrectiveScreen)
        assert PRIVACY in str(app.screen.query_one("#corrective-log", DataTable).get_row_at(0)[2])
    with read_session(demo_engine) as session:
        new = session.exec(select(CorrectiveAction).where(CorrectiveAction.staff_id == target.id)
                           .order_by(col(CorrectiveAction.id).desc())).first()
    assert new is not None and (new.policy_task_id, new.policy) == (task_id, PRIVACY)
