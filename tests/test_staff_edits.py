"""Issue 19, workflows 6, 7 and 12: editing a staff member changes only what the user changed; a physician or NP/PA
with an NPI is a provider unless the user says not; a bad e-mail is refused next to its field."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import select
from textual.app import App
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from factories import ACTOR, NOW, VALID_NPIS, make_provider
from officemgr.models import Role, Staff, StaffCreate
from officemgr.models.people import PayType
from officemgr.services import staff
from officemgr.services.schedule import provider_choices
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.staff import StaffForm
from ui_support import SIZE, TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))


# --- workflow 6: an update changes only what it was given ----------------------------------------------------


def test_a_phone_fix_keeps_exempt_pay_type_and_pto(session):
    doctor = make_provider(session, exempt=True, pay_type=PayType.salaried, pto_hours_per_year=160)
    fix = StaffCreate.model_validate({"first_name": doctor.first_name, "last_name": doctor.last_name,
                                      "role": doctor.role, "is_provider": True, "npi": doctor.npi,
                                      "phone": "555 201 3344"})
    person = staff.update_staff(session, doctor.id, fix, now=NOW, actor=ACTOR, expected_version=doctor.version)
    assert (person.phone, person.exempt, person.pay_type, person.pto_hours_per_year) == (
        "(555) 201-3344", True, PayType.salaried, 160)


def test_exempt_pay_type_and_pto_are_edited_when_given(session):
    doctor = make_provider(session)
    change = StaffCreate.model_validate({"first_name": doctor.first_name, "last_name": doctor.last_name,
                                         "role": doctor.role, "is_provider": True, "npi": doctor.npi, "exempt": True,
                                         "pay_type": "salaried", "pto_hours_per_year": 120})
    person = staff.update_staff(session, doctor.id, change, now=NOW, actor=ACTOR, expected_version=doctor.version)
    assert (person.exempt, person.pay_type, person.pto_hours_per_year) == (True, PayType.salaried, 120)


# --- workflow 7: providers by role ---------------------------------------------------------------------------


def _new(role: Role, npi: str | None, **more: object) -> StaffCreate:
    return StaffCreate.model_validate({"first_name": "Ada", "last_name": "Byron", "role": role, "npi": npi, **more})


def test_a_new_physician_or_np_pa_with_an_npi_is_a_provider_offered_for_booking(session):
    doctor = staff.add_staff(session, _new(Role.physician, VALID_NPIS[0]), now=NOW, actor=ACTOR)
    np_pa = staff.add_staff(session, _new(Role.np_pa, VALID_NPIS[1]), now=NOW, actor=ACTOR)
    assert doctor.is_provider and np_pa.is_provider
    offered = {c.id for c in provider_choices(session)}
    assert {doctor.id, np_pa.id} <= offered


def test_the_user_can_still_say_not_a_provider_and_other_roles_are_not(session):
    unticked = staff.add_staff(session, _new(Role.physician, VALID_NPIS[0], is_provider=False), now=NOW, actor=ACTOR)
    no_npi = staff.add_staff(session, _new(Role.np_pa, None), now=NOW, actor=ACTOR)
    nurse = staff.add_staff(session, _new(Role.nurse, VALID_NPIS[1]), now=NOW, actor=ACTOR)
    assert not (unticked.is_provider or no_npi.is_provider or nurse.is_provider)


# --- the form, by keys on the demo ------------------------------------------------------------------------------


def _cursor_on(app: App[None], staff_id: int) -> None:
    table = app.query_one("#roster", DataTable)
    keys = [table.coordinate_to_cell_key((n, 0)).row_key.value for n in range(table.row_count)]
    table.move_cursor(row=keys.index(str(staff_id)))


async def test_the_form_shows_pay_settings_and_a_phone_fix_keeps_them(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(demo_engine) as session:
        target = session.exec(select(Staff).where(Staff.active, Staff.is_provider)).first()
        assert target is not None
        target.exempt, target.pay_type, target.pto_hours_per_year = True, PayType.salaried, 160
        session.add(target)
        session.commit()
        target_id = target.id
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        _cursor_on(app, target_id)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StaffForm)
        assert form.query_one("#f-exempt", Checkbox).value is True
        assert form.query_one("#f-pay_type", Select).value is PayType.salaried
        assert form.query_one("#f-pto_hours_per_year", Input).value == "160"
        form.query_one("#f-phone", Input).value = "555 201 3344"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        stored = session.get(Staff, target_id)
        assert stored is not None
        assert (stored.phone, stored.exempt, stored.pay_type, stored.pto_hours_per_year) == (
            "(555) 201-3344", True, PayType.salaried, 160)


async def test_a_new_physician_starts_ticked_and_a_bad_email_shows_by_its_field(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StaffForm)
        box = form.query_one("#f-is_provider", Checkbox)
        assert box.value is False
        form.query_one("#f-role", Select).value = Role.np_pa
        await settle(pilot)
        assert box.value is True
        form.query_one("#f-role", Select).value = Role.front_desk
        await settle(pilot)
        assert box.value is False
        form.query_one("#f-role", Select).value = Role.physician
        await settle(pilot)
        form.query_one("#f-first_name", Input).value = "Ada"
        form.query_one("#f-last_name", Input).value = "Byron"
        form.query_one("#f-email", Input).value = "not-an-email"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "NPI" in str(form.query_one("#e-npi", Static).render())
        form.query_one("#f-npi", Input).value = VALID_NPIS[1]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "mail" in str(form.query_one("#e-email", Static).render()).lower()
        form.query_one("#f-email", Input).value = "ada@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        ada = session.exec(select(Staff).where(Staff.last_name == "Byron")).one()
        assert ada.is_provider and ada.npi == VALID_NPIS[1]
        assert {c.id for c in provider_choices(session)} >= {ada.id}
