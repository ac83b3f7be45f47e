"""Staff meetings by keys (issue 23, part 7): Staff m lists them; a plans one, enter opens it, e edits minutes and
attendees, a adds an action (back on the Huddle's open actions), f finishes it and it is read-only afterwards."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.app import App
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from officemgr.models import UserRole
from officemgr.models.huddle import ActionStatus, HuddleAction
from officemgr.models.lifecycle import MeetingAttendee, StaffMeeting
from officemgr.services import huddle_actions
from officemgr.services.access import Actor
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.huddle import ActionForm
from officemgr.tui.forms.meeting import MeetingForm
from officemgr.tui.views.meetings import MeetingScreen, MeetingsScreen
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
SMALL = (80, 24)


def _meetings(engine: Engine) -> list[StaffMeeting]:
    with read_session(engine) as session:
        return list(session.exec(select(StaffMeeting).order_by(col(StaffMeeting.id))))


async def _type(screen, pilot, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = screen.query_one(f"#f-{name}", Input)
    field.value = ""
    field.focus()
    if text:
        await pilot.press(*text)


def _error(form: MeetingForm, name: str) -> str:
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


async def _meetings_screen(app: App[None], pilot) -> MeetingsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, MeetingsScreen)
    return screen


async def test_plan_hold_and_finish_a_meeting_by_keys_at_80x24(demo_engine: Engine) -> None:
    before = len(_meetings(demo_engine))
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        listing = await _meetings_screen(app, pilot)
        table = listing.query_one("#meetings-list", DataTable)
        assert table.row_count == before
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MeetingForm)
        await _type(form, pilot, "title", "Safety meeting")
        await _type(form, pilot, "agenda", "Fire drill; sharps")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is listing
        [new] = [m for m in _meetings(demo_engine) if m.title == "Safety meeting"]
        assert (new.day, new.agenda, new.finished_at) == (TODAY, "Fire drill; sharps", None)

        table.move_cursor(row=table.get_row_index(str(new.id)))
        await pilot.press("enter")
        await settle(pilot)
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen)
        await pilot.press("f")
        await settle(pilot)
        assert _meetings(demo_engine)[-1].finished_at is None  # no minutes yet: refused

        await pilot.press("e")
        await settle(pilot)
        edit = app.screen
        assert isinstance(edit, MeetingForm)
        await _type(edit, pilot, "minutes", "Drill on Friday")
        first_box = edit.query(Checkbox).first()
        first_box.value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is meeting

        await pilot.press("a")
        await settle(pilot)
        action = app.screen
        assert isinstance(action, ActionForm)
        await _type(action, pilot, "what", "Check the extinguishers")
        action.query_one("#f-owner_id", Select).value = edit.staff[0][1]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is meeting

        await pilot.press("f")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is meeting  # finished: read-only, no form

    [held] = [m for m in _meetings(demo_engine) if m.id == new.id]
    assert held.finished_at == APP_NOW and held.minutes == "Drill on Friday"
    with read_session(demo_engine) as session:
        attendees = session.exec(select(MeetingAttendee.staff_id).where(MeetingAttendee.meeting_id == new.id)).all()
        [agreed] = session.exec(select(HuddleAction).where(HuddleAction.meeting_id == new.id)).all()
        assert attendees == [edit.staff[0][1]]
        assert (agreed.what, agreed.status, agreed.huddle_id) == ("Check the extinguishers", ActionStatus.open, None)
        assert "Check the extinguishers" in [a.what for a in huddle_actions.open_actions(session, TODAY)]


async def test_bad_input_in_every_field_shows_next_to_it_and_saves_nothing(demo_engine: Engine) -> None:
    before = _meetings(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await _meetings_screen(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MeetingForm)
        cases = [("title", "", "required"), ("title", "t" * 121, "120"), ("day", "02/30/2027", "date"),
                 ("day", "", "a date looks like"), ("agenda", "a" * 4001, "4000"), ("minutes", "m" * 8001, "8000")]
        for name, text, message in cases:
            good = form.query_one(f"#f-{name}", Input).value
            form.query_one(f"#f-{name}", Input).value = text
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert message in _error(form, name), (name, _error(form, name))
            form.query_one(f"#f-{name}", Input).value = good
    assert len(_meetings(demo_engine)) == len(before)


async def test_a_finished_meeting_from_the_demo_is_read_only_by_keys(demo_engine: Engine) -> None:
    finished = next(m for m in _meetings(demo_engine) if m.finished_at is not None)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        listing = await _meetings_screen(app, pilot)
        table = listing.query_one("#meetings-list", DataTable)
        table.move_cursor(row=table.get_row_index(str(finished.id)))
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        body = str(screen.query_one("#meeting-body", Static).render())
        assert finished.minutes[:30] in body.replace("\n", " ")
        assert screen.query_one("#meeting-actions", DataTable).row_count == 2
        for key in ("e", "a", "f"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen
    [again] = [m for m in _meetings(demo_engine) if m.id == finished.id]
    assert (again.version, again.minutes) == (finished.version, finished.minutes)


async def test_others_see_meetings_without_the_keys_to_change_them(demo_engine: Engine) -> None:
    desk = Actor("fd", {UserRole.front_desk}, name="Front Desk", workstation="desk")
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=desk)
    async with app.run_test(size=SMALL) as pilot:
        listing = await _meetings_screen(app, pilot)
        assert listing.query_one("#meetings-list", DataTable).row_count == len(_meetings(demo_engine))
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is listing
