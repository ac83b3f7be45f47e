"""Interaction tests: the real app on a copy of the demo database, driven by keys."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import select
from textual.widgets import DataTable, Input, Label, Select, Static, TabbedContent

from officemgr.models import (
    Appointment,
    ApptStatus,
    AuditEvent,
    Claim,
    ClaimNote,
    ComplianceCompletion,
    Item,
    Patient,
    Staff,
)
from officemgr.services import billing, schedule
from officemgr.store import read_session
from officemgr.tui.app import make_app
from ui_support import SIZE, TODAY, settle


def text_of(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


async def test_every_tab_shows_the_demo_data(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        todays = len(schedule.day_schedule(session, TODAY).rows)
        queue_total = billing.work_queue(session, TODAY, actor="tests").total
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Huddle for Monday November 23" in text_of(app.query_one("#huddle-title", Label))
        huddle_rows = app.query_one("#huddle-table", DataTable)
        first_cells = [str(huddle_rows.get_row_at(i)[0]) for i in range(huddle_rows.row_count)]
        assert any(c.startswith("Yesterday") for c in first_cells)
        assert any(c.startswith("Compliance") for c in first_cells)

        await pilot.press("2")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "schedule"
        grid = app.query_one("#schedule-table", DataTable)
        # Day view: 08:00-17:00 in 15-minute slots (plus a row for each visit off the quarter hour), a column per
        # provider after the time.
        times = [str(grid.get_row_at(n)[0]).strip() for n in range(grid.row_count)]
        assert {"08:00", "12:00", "16:45"} <= set(times) and grid.row_count >= 36 and len(grid.columns) == 4
        await pilot.press("w")
        await settle(pilot)
        assert app.query_one("#schedule-table", DataTable).row_count == todays > 0

        await pilot.press("3")
        await settle(pilot)
        # Everyone on staff but the person whose last day was last month.
        assert app.query_one("#roster", DataTable).row_count == count(demo_engine, Staff) - 1
        assert app.query_one("#credentials", DataTable).row_count > 0

        await pilot.press("4")
        await settle(pilot)
        assert app.query_one("#stock", DataTable).row_count == count(demo_engine, Item)

        await pilot.press("5")
        await settle(pilot)
        queue = app.query_one("#queue", DataTable)
        assert queue.row_count == min(billing.PAGE, queue_total)
        assert f"rows 1–{queue.row_count} of {queue_total:,}" in text_of(app.query_one("#view-billing #status"))

        await pilot.press("6")
        await settle(pilot)
        assert app.query_one("#tasks", DataTable).row_count > 10


async def test_schedule_moves_by_day_and_back_to_today(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        title = app.query_one("#schedule-title", Label)
        assert "Tuesday November 24, 2026 (+1 days)" in text_of(title)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert "Sunday November 22" in text_of(title)
        assert app.query_one("#view-schedule").rows == {}
        await pilot.press("t")
        await settle(pilot)
        assert "Monday November 23, 2026 (today)" in text_of(title)


async def test_advancing_an_appointment_status_is_saved_and_audited(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        rows = schedule.day_schedule(session, TODAY).rows
    target = next(i for i, r in enumerate(rows) if r.status is ApptStatus.booked)
    app = make_app(demo_engine, today=TODAY, actor="pat")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "w")
        await settle(pilot)
        app.query_one("#schedule-table", DataTable).move_cursor(row=target)
        await pilot.press("d")
        await settle(pilot)
    with read_session(demo_engine) as session:
        appt = session.get(Appointment, rows[target].id)
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "appointment")
                             .order_by(AuditEvent.id.desc())).first()
    assert appt.status is ApptStatus.arrived
    assert appt.version == rows[target].version + 1
    assert event.actor == "pat" and event.entity_id == appt.id and '"arrived"' in event.changes


async def test_booking_form_books_a_free_slot(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        patient = session.exec(select(Patient).order_by(Patient.id)).first()
        provider = schedule.providers(session)[0]
        kind = schedule.appointment_types(session)[0]
    day = TODAY + timedelta(days=28)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "a")
        await settle(pilot)
        form = app.screen
        await pilot.press(*patient.last_name)
        await settle(pilot)
        await pilot.press("enter")
        assert form.query_one("#f-patient_id").value is not None
        form.query_one("#f-provider_id", Select).value = provider.id
        form.query_one("#f-type_id", Select).value = kind.id
        await pilot.pause()
        assert form.query_one("#f-minutes", Input).value == str(kind.minutes)
        form.query_one("#f-day", Input).value = day.isoformat()
        form.query_one("#f-start_time", Input).value = "7:00 AM"
        before = count(demo_engine, Appointment)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # 07:00 is before opening: explained, not booked.
        assert "outside Fatima Garcia's hours (08:00–17:00)" in text_of(form.query_one("#form-error", Static))
        assert count(demo_engine, Appointment) == before
        form.query_one("#f-start_time", Input).value = "12:00 AM"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        # Four weeks out is past the demo's bookings, so 08:00 is free.
        chosen = datetime.combine(day, time(8, 0))
        form.query_one("#f-start_time", Input).value = f"{chosen:%H:%M}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        booked = session.exec(select(Appointment).where(Appointment.start == chosen,
                                                        Appointment.provider_id == provider.id)).one()
    assert booked.patient_id == patient.id and booked.end == chosen + timedelta(minutes=kind.minutes)


async def test_staff_form_refuses_a_bad_npi_and_saves_nothing(demo_engine) -> None:  # type: ignore[no-untyped-def]
    before = count(demo_engine, Staff)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-first_name", Input).value = "Ana"
        form.query_one("#f-last_name", Input).value = "[bold]Ruiz[/bold]"
        form.query_one("#f-role", Select).value = form.specs[2].options[0][1]
        form.query_one("#f-npi", Input).value = "1234567890"
        form.query_one("#f-phone", Input).value = "12345"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "last digit must check out" in text_of(form.query_one("#e-npi", Static))
        assert "10 digits" in text_of(form.query_one("#e-phone", Static))
        assert count(demo_engine, Staff) == before
        form.query_one("#f-npi", Input).value = "1558598797"
        form.query_one("#f-phone", Input).value = "555 201 3344"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        added = session.exec(select(Staff).where(Staff.npi == "1558598797")).one()
    # Markup-looking text is kept as typed, never interpreted.
    assert added.last_name == "[bold]Ruiz[/bold]" and added.phone == "(555) 201-3344"
    assert count(demo_engine, Staff) == before + 1


async def test_item_form_refuses_bad_numbers(demo_engine) -> None:  # type: ignore[no-untyped-def]
    before = count(demo_engine, Item)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-name", Input).value = "Nitrile gloves XL"
        form.query_one("#f-category", Select).value = form.specs[1].options[0][1]
        form.query_one("#f-par", Input).value = "ten"
        form.query_one("#f-unit_cost", Input).value = "12.505"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "dollars and cents" in text_of(form.query_one("#e-unit_cost", Static))
        form.query_one("#f-unit_cost", Input).value = "12.50"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number" in text_of(form.query_one("#e-par", Static))
        form.query_one("#f-par", Input).value = "2"
        form.query_one("#f-reorder_point", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "at least the reorder point" in text_of(form.query_one("#form-error", Static))
        assert count(demo_engine, Item) == before
        form.query_one("#f-par", Input).value = "20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        item = session.exec(select(Item).where(Item.name == "Nitrile gloves XL")).one()
    assert (item.par, item.reorder_point, item.unit_cost_cents) == (20, 5, 1250)


async def test_claim_follow_up_note_takes_the_claim_out_of_todays_queue(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        rows = billing.work_queue(session, TODAY, actor="tests").rows
    # A claim near its deadline stays in the queue whatever its follow-up date: snooze one that is not.
    index, first = next((i, row) for i, row in enumerate(rows) if not row.escalated)
    notes_before = count(demo_engine, ClaimNote)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        app.query_one("#queue", DataTable).move_cursor(row=index)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-next_follow_up", Input).value = "2026-11-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "write what happened" in text_of(form.query_one("#form-error", Static))
        form.query_one("#f-text", Input).value = "Called payer, claim in review"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "cannot be in the past" in text_of(form.query_one("#form-error", Static))
        assert count(demo_engine, ClaimNote) == notes_before
        form.query_one("#f-next_follow_up", Input).value = "2026-12-07"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        keys = [k.value for k in app.query_one("#queue", DataTable).rows]
        assert str(first.claim_id) not in keys
    with read_session(demo_engine) as session:
        claim = session.get(Claim, first.claim_id)
        note = session.exec(select(ClaimNote).where(ClaimNote.claim_id == claim.id)
                            .order_by(ClaimNote.id.desc())).first()
    assert claim.next_follow_up.isoformat() == "2026-12-07" and claim.last_activity == TODAY
    assert note.text == "Called payer, claim in review"


async def test_billing_pages_and_filters(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        total = billing.work_queue(session, TODAY, actor="tests").total
        payer = billing.work_queue(session, TODAY, actor="tests").rows[0].payer_name
        payer_total = billing.work_queue(session, TODAY, filters=billing.QueueFilter(text=payer), actor="tests").total
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        status = app.query_one("#view-billing #status")
        await pilot.press("pagedown")
        await settle(pilot)
        assert f"rows 41–{min(80, total)} of {total}" in text_of(status)
        await pilot.press("pageup")
        await settle(pilot)
        assert "rows 1–40" in text_of(status)
        await pilot.press("slash")
        await pilot.press(*payer, "enter")
        await settle(pilot)
        assert f"of {payer_total} matching '{payer}'" in text_of(status)
        assert all(app.query_one("#queue", DataTable).get_row_at(i)[4].plain == payer
                   for i in range(app.query_one("#queue", DataTable).row_count))
        await pilot.press("escape")
        await settle(pilot)
        assert f"of {total:,}" in text_of(status)


async def test_marking_a_compliance_duty_done_needs_evidence(demo_engine) -> None:  # type: ignore[no-untyped-def]
    before = count(demo_engine, ComplianceCompletion)
    app = make_app(demo_engine, today=TODAY, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        view = app.query_one("#view-compliance")
        duty = view.selected()
        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        if duty.evidence:
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "required" in text_of(form.query_one("#e-evidence", Static))
            assert count(demo_engine, ComplianceCompletion) == before
        form.query_one("#f-evidence", Input).value = "Checked, log signed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        done = session.exec(select(ComplianceCompletion).order_by(ComplianceCompletion.id.desc())).first()
    assert count(demo_engine, ComplianceCompletion) == before + 1
    assert (done.task_id, done.due_date, done.done_by) == (duty.task_id, duty.due, "kim")


async def test_enter_on_a_huddle_item_opens_its_tab(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one("#view-huddle")
        table = app.query_one("#huddle-table", DataTable)
        row = next(i for i in range(table.row_count)
                   if (table.coordinate_to_cell_key((i, 0)).row_key.value or "").startswith("supplies:"))
        table.move_cursor(row=row)
        item = view.items[table.coordinate_to_cell_key((row, 0)).row_key.value]
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "inventory"
        stock = app.query_one("#stock", DataTable)
        assert stock.coordinate_to_cell_key(stock.cursor_coordinate).row_key.value == str(item.record_id)


async def test_question_mark_lists_every_tab_key(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        keys_screen = app.screen
        table = keys_screen.query_one(DataTable)
        rows = [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[1]), str(table.get_row_at(i)[2]))
                for i in range(table.row_count)]
        assert ("Schedule", "]", "Forward") in rows
        assert ("Schedule", "u", "Undo last change") in rows
        assert ("Billing", "n", "Follow-up note") in rows
        assert ("Compliance", "d", "Mark done") in rows
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not keys_screen


async def test_the_command_palette_opens_an_action_by_name(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.tui.views.temperature import TemperatureScreen

    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"temperature")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "compliance"
        assert isinstance(app.screen, TemperatureScreen)


async def test_a_demo_opened_on_a_closed_day_opens_on_the_next_open_day(sqlite_demo_engine) -> None:
    """`make run` on a Sunday (no --today): the demo shows Monday, says why, and the views work on Monday."""
    sunday = TODAY - timedelta(days=1)
    app = make_app(sqlite_demo_engine, today=sunday, skip_closed_demo_day=True)
    said: list[str] = []
    app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.ctx.today == TODAY and app.ctx.now().date() == TODAY
        assert app.sub_title == f"{TODAY:%A %B %-d, %Y}"
        assert "Sunday November 22 the practice is closed: the demo opens on Monday November 23." in said
    # Told the day (--today), the app keeps it, closed or not.
    kept = make_app(sqlite_demo_engine, today=sunday)
    assert kept.ctx.today == sunday


async def test_at_80_columns_the_huddle_reason_and_the_queue_deadline_stay_in_view(sqlite_demo_engine) -> None:
    """A front-desk terminal of 80x24: the Huddle's "Why" and the queue's deadline with its year are on screen."""
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        huddle_table = app.view("huddle").query_one(DataTable)
        lines = ["".join(s.text for s in huddle_table.render_line(y)) for y in range(1, 6)]
        assert any("no-show Fri 11/20" in line for line in lines), lines
        await pilot.press("5")
        await settle(pilot)
        queue = app.query_one("#queue", DataTable)
        header = "".join(s.text for s in queue.render_line(0))
        assert header.split()[:3] == ["Claim", "Deadline", "Balance"]
        first = "".join(s.text for s in queue.render_line(1))
        assert re.search(r"\d\d/\d\d/\d\d · (passed|\d+ d)", first) and "$" in first
