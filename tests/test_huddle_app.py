"""The Huddle tab driven by keys: a whole review from the first item to the saved huddle (one action, one snooze,
a jump to a record and back to the same item), the open actions list, past huddles read-only, the sheet."""

from __future__ import annotations

import stat
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import col, select
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from officemgr.models import Appointment, AuditEvent
from officemgr.models.huddle import (
    ActionCreate,
    ActionStatus,
    HuddleAction,
    HuddleRecord,
    HuddleReview,
    HuddleSnooze,
    ReviewOutcome,
)
from officemgr.services import huddle_actions, staff
from officemgr.services.huddle import huddle
from officemgr.services.huddle_sheet import SHEET_TRIES
from officemgr.store import read_session, sqlite_file, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.huddle import ActionForm, FinishForm, SnoozeForm
from officemgr.tui.views.huddle_actions import ActionsScreen, PastHuddleScreen, PastHuddlesScreen
from officemgr.tui.views.huddle_review import ReviewScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(7, 45))


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # item texts and reasons are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


def item_count(engine) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return huddle(session, TODAY, actor="tests").total


async def test_finishing_with_items_unreviewed_asks_once_saying_how_many(demo_engine) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    total = item_count(demo_engine)
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.huddle_id is not None
        await pilot.press("space", "f")  # one reviewed, then finish
        await settle(pilot)
        finish = app.screen
        assert isinstance(finish, FinishForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is finish
        question = str(finish.query_one("#form-error", Static).render())
        assert question.startswith(f"{total - 1} of {total} items are not reviewed yet. Finish anyway?")
        assert "ctrl+s again" in question
        with read_session(demo_engine) as session:
            assert session.exec(select(HuddleRecord).where(HuddleRecord.day == TODAY)).one().finished_at is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, (ReviewScreen, FinishForm))
        assert (f"Huddle saved: 1 of {total} items reviewed", "information") in said

    with read_session(demo_engine) as session:
        record = session.exec(select(HuddleRecord).where(HuddleRecord.day == TODAY)).one()
        assert record.finished_at is not None
        assert (record.items_total, record.items_reviewed) == (total, 1)


async def test_enter_on_a_visit_opens_the_schedule_on_its_day_asking_for_that_visit(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """The Huddle's side of workflow 3: the visit's id goes to the Schedule, which shows the visit's day (landing the
    cursor on any visit of the grid is the Schedule's `focus_record`)."""
    with read_session(demo_engine) as session:
        result = huddle(session, TODAY, actor="tests")
    visits = [(item.key, item.record_id) for s in result.sections for item in s.items
              if item.tab == "schedule" and item.key.split(":")[1] == "appt"]
    yesterday = next(s for s in result.sections if s.key == "yesterday")
    missed = next(item for item in yesterday.items if item.key.startswith(("noshow:", "latecancel:")))
    assert visits and missed.record_id is not None
    app = fixed_app(demo_engine, [])
    jumps: list[tuple[str, int | None]] = []
    jump_to = app.jump_to

    def recorded(tab: str, record_id: int | None) -> None:
        jumps.append((tab, record_id))
        jump_to(tab, record_id)

    app.jump_to = recorded  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, appt_id in [(missed.key, missed.record_id), visits[-1]]:
            app.action_show_tab("huddle")
            await settle(pilot)
            view = app.view("huddle")
            table = view.query_one(DataTable)
            table.focus()
            table.move_cursor(row=table.get_row_index(next(k for k, item in view.items.items() if item.key == key)))
            await pilot.press("enter")
            await settle(pilot)
            assert jumps[-1] == ("schedule", appt_id)
            assert app.query_one(TabbedContent).active == "schedule"
            with read_session(demo_engine) as session:
                visit = session.get(Appointment, appt_id)
                assert visit is not None and app.view("schedule").day == visit.start.date()


def test_a_providers_schedule_line_opens_on_their_first_visit_not_an_appointment_with_their_id(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        result = huddle(session, TODAY, actor="tests")
        lines = [item for s in result.sections for item in s.items if item.key.startswith(("slots:", "offbooked:"))]
        assert lines
        for item in lines:
            provider_id = int(item.key.rsplit(":", 1)[1])
            visit = session.get(Appointment, item.record_id) if item.record_id is not None else None
            assert visit is None or (visit.provider_id, visit.start.date()) == (provider_id, TODAY)


async def test_tab_shows_numbers_and_every_item(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.view("huddle")
        numbers = str(view.query_one("#huddle-numbers", Static).render())
        assert "appointment" in numbers and "open slot" in numbers and "A/R over 90 days $" in numbers
        table = view.query_one(DataTable)
        shown = [k for k in view.items if k.split(":")[-1].isdigit()]
        assert len(shown) == item_count(demo_engine)
        assert table.row_count >= len(shown) + len(view.data.sections)


async def test_whole_review_by_keys(demo_engine) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    total = item_count(demo_engine)
    assert total >= 4
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.huddle_id is not None
        assert "0 of" in str(review.query_one("#review-progress", Static).render())
        first = review.steps[0].item

        # Item 1: an action, owner picked from the staff list by keys.
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ActionForm)
        assert form.query_one("#f-what", Input).value == first.text[:200]
        await pilot.press("tab", "enter", "down", "enter")
        owner = form.query_one("#f-owner_id", Select).value
        assert isinstance(owner, int)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is review and review.index == 1

        # Item 2: snoozed to next week (the default).
        second = review.steps[1].item
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SnoozeForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is review and review.index == 2

        # Item 3: open the record in its tab, come back with escape to the same item.
        third = review.steps[2]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not review
        assert app.query_one(TabbedContent).active == third.item.tab
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is review and review.index == 2
        assert third.item.text in str(review.query_one("#review-item", Static).render())

        # The rest: reviewed one by one; after the last comes the finish form.
        for _ in range(total - 2):
            await pilot.press("space")
        await settle(pilot)
        finish = app.screen
        assert isinstance(finish, FinishForm)
        await pilot.click("#f-notes")
        await pilot.press(*"Flu clinic Friday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, (ReviewScreen, FinishForm))
        assert any(m.startswith("Huddle saved") for m, _ in said)
        assert not app.is_screen_installed("huddle-review")

    with read_session(demo_engine) as session:
        record = session.exec(select(HuddleRecord).where(HuddleRecord.day == TODAY)).one()
        assert record.finished_at is not None and record.notes == "Flu clinic Friday"
        assert record.items_total == total and record.items_reviewed == total and record.actions_created == 1
        outcomes = {r.item_key: r.outcome for r in session.exec(select(HuddleReview)
                                                                 .where(HuddleReview.huddle_id == record.id))}
        assert len(outcomes) == total
        assert outcomes[first.key] is ReviewOutcome.action and outcomes[second.key] is ReviewOutcome.snoozed
        assert outcomes[third.item.key] is ReviewOutcome.reviewed
        action = session.exec(select(HuddleAction).where(col(HuddleAction.meeting_id).is_(None))).one()
        assert (action.what, action.owner_id, action.item_key, action.huddle_id) == (
            first.text[:200], owner, first.key, record.id)
        assert action.due > TODAY and action.due.weekday() < 5
        snoozed = session.exec(select(HuddleSnooze)).one()
        assert (snoozed.item_key, snoozed.until) == (second.key, TODAY + timedelta(days=7))


async def test_review_leaves_and_resumes_where_it_was(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("space", "space", "n", "p")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.index == 2
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, ReviewScreen) and again is not review
        assert again.index == 2 and len(again.outcomes) == 2  # the decisions were saved as they were made


def add_actions(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        people = staff.active_staff(session)
        late = huddle_actions.add_action(session, ActionCreate(what="Call the fridge vendor", owner_id=people[0].id,
                                                               due=TODAY), today=TODAY - timedelta(days=3),
                                         now=NOW - timedelta(days=3), actor="kim")
        soon = huddle_actions.add_action(session, ActionCreate(what="Order gloves", owner_id=people[1].id,
                                                               due=TODAY + timedelta(days=2)),
                                         today=TODAY, now=NOW, actor="kim")
        return late.id, soon.id  # type: ignore[return-value]


async def test_actions_list_marks_done(demo_engine) -> None:  # type: ignore[no-untyped-def]
    late, soon = add_actions(demo_engine)
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ActionsScreen)
        table = screen.query_one(DataTable)
        # With the demo's open action from last month's staff meeting.
        assert table.row_count == 3
        meeting = set(screen.rows) - {str(late), str(soon)}
        table.move_cursor(row=table.get_row_index(str(soon)))
        await pilot.press("d")
        await settle(pilot)
        assert table.row_count == 2 and set(screen.rows) == {str(late)} | meeting
    with read_session(demo_engine) as session:
        assert session.get(HuddleAction, soon).status is ActionStatus.done  # type: ignore[union-attr]
        assert session.get(HuddleAction, late).status is ActionStatus.open  # type: ignore[union-attr]


async def test_past_huddle_opens_read_only(demo_engine) -> None:  # type: ignore[no-untyped-def]
    day = TODAY - timedelta(days=3)
    with write_session(demo_engine) as session:
        h = huddle(session, day, actor="tests")
        record = huddle_actions.start(session, day, now=datetime.combine(day, time(7, 30)), actor="kim")
        key = h.sections[0].items[0].key if h.sections[0].items else next(i.key for s in h.sections for i in s.items)
        huddle_actions.mark(session, record.id, key, ReviewOutcome.reviewed, now=datetime.combine(day, time(7, 31)))
        from officemgr.models.huddle import HuddleFinish

        huddle_actions.finish(session, record.id, HuddleFinish(attendees="Dr. Lee, Kim", notes="Short one"), h,
                              now=datetime.combine(day, time(7, 40)), actor="kim")
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, PastHuddlesScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, PastHuddleScreen)
        text = str(detail.query_one("#past-detail", Static).render())
        assert "Dr. Lee, Kim" in text and "Short one" in text and "Reviewed 1 of" in text
        assert not detail.query(Input) and not detail.query(Select)  # read-only
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PastHuddlesScreen)


async def test_sheet_written_beside_the_database(demo_engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    database = sqlite_file(demo_engine)
    # A server's database has no folder of its own here: the sheet goes to officemgr's data folder.
    folder = database.parent if database is not None else tmp_path / "data" / "officemgr"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
    md, html = folder / f"huddle-{TODAY:%Y-%m-%d}.md", folder / f"huddle-{TODAY:%Y-%m-%d}.html"
    assert md.exists() and html.exists()
    assert "<html" in html.read_text().lower()
    assert any(str(html) in m for m, _ in said)
    with read_session(demo_engine) as session:
        [logged] = session.exec(select(AuditEvent).where(AuditEvent.entity == "export")).all()
    assert logged.action == "huddle" and str(html) in logged.changes and logged.actor == app.actor


async def test_a_second_sheet_keeps_the_first_and_never_follows_a_link(demo_engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    database = sqlite_file(demo_engine)
    folder = database.parent if database is not None else tmp_path / "data" / "officemgr"
    folder.mkdir(parents=True, exist_ok=True)
    day = f"{TODAY:%Y-%m-%d}"
    (folder / f"huddle-{day}.md").write_text("the morning's sheet, with notes")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (folder / f"huddle-{day}-2.html").symlink_to(victim)  # planted where the next sheet would go
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
    assert (folder / f"huddle-{day}.md").read_text() == "the morning's sheet, with notes"
    assert victim.read_text() == "precious" and not (folder / f"huddle-{day}-2.md").exists()
    md, html = folder / f"huddle-{day}-3.md", folder / f"huddle-{day}-3.html"
    assert "# Daily huddle" in md.read_text() and "<html" in html.read_text().lower()
    assert stat.S_IMODE(md.stat().st_mode) == stat.S_IMODE(html.stat().st_mode) == 0o600
    assert any(f"Huddle sheet written: {html} (and {md.name})" in m for m, _ in said)
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial")]


async def test_a_sheet_that_cannot_be_written_says_why_and_logs_no_export(demo_engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    database = sqlite_file(demo_engine)
    folder = database.parent if database is not None else tmp_path / "data" / "officemgr"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"huddle-{TODAY:%Y-%m-%d}.md").mkdir()  # a folder where the first sheet would go
    for number in range(2, SHEET_TRIES + 1):  # and every later name taken
        (folder / f"huddle-{TODAY:%Y-%m-%d}-{number}.html").write_text("")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
    assert (f"Could not write the sheet: {folder} already holds {SHEET_TRIES} huddle sheets for "
            f"{TODAY:%m/%d/%Y}; move some of them elsewhere", "error") in said
    assert not (folder / f"huddle-{TODAY:%Y-%m-%d}.html").exists()
    with read_session(demo_engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.entity == "export")).all() == []
