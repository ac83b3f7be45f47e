"""The front-desk window on the demo data, driven by keys: what each key saves in the database."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Static, TabbedContent

from officemgr.models import (
    Appointment,
    AuditEvent,
    Patient,
    Recall,
    RecallStatus,
    ReminderOutcome,
    WaitlistEntry,
    WaitlistStatus,
)
from officemgr.services import frontdesk
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.context import AppContext, Desk
from officemgr.tui.views.frontdesk import FrontDeskScreen
from ui_support import SIZE, TODAY, settle

TUESDAY = datetime(2026, 11, 24).date()


def cell(table: DataTable, row: int, column: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[column])


def keys(table: DataTable) -> list[int]:  # type: ignore[type-arg]
    return [int(k.value) for k in table.rows]


async def test_reminder_keys_record_the_call(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        calls = frontdesk.reminder_list(session, TODAY)
    assert calls.day == TUESDAY
    index, target = next((i, r) for i, r in enumerate(calls.rows) if r.reminder is None)
    app = make_app(demo_engine, today=TODAY, actor="kim")
    results: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx), results.append)
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#fd-reminders", DataTable)
        assert keys(table) == [r.id for r in calls.rows]
        assert "Reminders for Tue 11/24" in str(screen.query_one(TabbedContent).get_tab("reminders").label)
        table.move_cursor(row=index)
        await pilot.press("l")
        await settle(pilot)
        assert cell(table, index, 3).startswith("left message")
        assert f"{calls.called + 1} of {len(calls.rows)} called" in str(screen.query_one("#fd-hint", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
    assert results == [True]
    with read_session(demo_engine) as session:
        appt = session.get(Appointment, target.id)
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert appt.reminder is ReminderOutcome.left_message and appt.reminder_at.date() == TODAY
    assert appt.version == target.version + 1
    assert (event.actor, event.entity, event.entity_id, event.action) == ("kim", "appointment", target.id, "reminder")


async def test_a_stale_row_is_refused_and_reloaded(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        target = frontdesk.reminder_list(session, TODAY).rows[0]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx))
        await settle(pilot)
        # Someone else records the call while the list is open.
        with write_session(demo_engine) as session:
            frontdesk.mark_reminder(session, target.id, ReminderOutcome.reached, now=datetime.combine(TODAY, time(9)),
                                    actor="lee", expected_version=target.version)
        await pilot.press("w")
        await settle(pilot)
        table = app.screen.query_one("#fd-reminders", DataTable)
        assert cell(table, 0, 3).startswith("reached")  # reloaded with the other person's outcome
        assert app.screen.rows["reminders"][target.id].version == target.version + 1
    with read_session(demo_engine) as session:
        assert session.get(Appointment, target.id).reminder is ReminderOutcome.reached


async def test_recall_keys_mark_contacted_and_declined(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        due = frontdesk.recalls_due(session, TODAY)
    assert len(due) >= 2
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx))
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#fd-recalls", DataTable)
        assert app.screen.focused is table
        assert keys(table) == [r.id for r in due]
        await pilot.press("c")
        await settle(pilot)
        assert keys(table) == [r.id for r in due[1:]]
        await pilot.press("x")
        await settle(pilot)
        assert keys(table) == [r.id for r in due[2:]]
    with read_session(demo_engine) as session:
        first, second = session.get(Recall, due[0].id), session.get(Recall, due[1].id)
    assert (first.status, first.version) == (RecallStatus.contacted, due[0].version + 1)
    assert second.status is RecallStatus.declined


async def test_waitlist_keys_offer_and_remove(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        rows = frontdesk.waitlist(session, include_offered=True)
    first = rows[0]
    assert first.status is WaitlistStatus.waiting
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx, "waitlist"))
        await settle(pilot)
        table = app.screen.query_one("#fd-waitlist", DataTable)
        assert keys(table) == [r.id for r in rows]
        await pilot.press("o")
        await settle(pilot)
        assert cell(table, 0, 3) == "offered"
        with read_session(demo_engine) as session:
            assert session.get(WaitlistEntry, first.id).status is WaitlistStatus.offered
        await pilot.press("x")
        await settle(pilot)
        assert first.id not in keys(table)
    with read_session(demo_engine) as session:
        assert session.get(WaitlistEntry, first.id).status is WaitlistStatus.removed


async def test_verified_key_records_who_and_when(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        unverified = frontdesk.unverified_today(session, TODAY)
    assert 3 <= len(unverified) <= 5
    app = make_app(demo_engine, today=TODAY, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx))
        await settle(pilot)
        await pilot.press("4", "v")
        await settle(pilot)
        assert app.screen.query_one(TabbedContent).active == "unverified"
        assert keys(app.screen.query_one("#fd-unverified", DataTable)) == [r.id for r in unverified[1:]]
        # A key of another list does nothing here.
        await pilot.press("r")
        await settle(pilot)
    with read_session(demo_engine) as session:
        appt = session.get(Appointment, unverified[0].id)
        assert len(frontdesk.unverified_today(session, TODAY)) == len(unverified) - 1
    assert (appt.verified_on, appt.verified_by) == (TODAY, "kim")
    assert appt.reminder is None


async def test_names_are_shown_as_typed_and_rates_are_listed(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        target = frontdesk.reminder_list(session, TODAY).rows[0]
        report = frontdesk.no_show_rates(session, TODAY)
    with write_session(demo_engine) as session:
        patient = session.get(Patient, target.patient_id)
        patient.last_name = "[bold]Ruiz[/bold]"
        session.commit()
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx))
        await settle(pilot)
        table = app.screen.query_one("#fd-reminders", DataTable)
        assert cell(table, 0, 1).startswith("[bold]Ruiz[/bold], ")
        rates = str(app.screen.query_one("#fd-noshow", Static).render())
    first = report.by_provider[0]
    assert f"{first.label} {first.percent_label} ({first.no_shows}/{first.due})" in rates
    assert f"all {report.overall.percent_label}" in rates


async def test_waitlist_offer_for_a_freed_slot_lists_only_fitting_entries(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        everyone = frontdesk.waitlist(session)
        provider_id = next(r.provider_id for r in everyone if r.provider_id is not None)
        # Four weeks out nobody is booked yet, so only the slot's length and provider decide who fits.
        free_day = TODAY + timedelta(days=28)
        start, end = datetime.combine(free_day, time(16, 30)), datetime.combine(free_day, time(16, 45))
        fits = frontdesk.waitlist_matches(session, provider_id=provider_id, start=start, end=end)
    assert fits and len(fits) < len(everyone)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(FrontDeskScreen(app.ctx, "waitlist", slot=(provider_id, start, end)))
        await settle(pilot)
        assert app.screen.query_one(TabbedContent).active == "waitlist"
        assert keys(app.screen.query_one("#fd-waitlist", DataTable)) == [r.id for r in fits]


def test_unknown_initial_list_is_refused(demo_engine) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext(demo_engine, TODAY, lambda: datetime.combine(TODAY, time(9)), Desk("desk"))
    with pytest.raises(ValueError, match="unknown front-desk list"):
        FrontDeskScreen(ctx, "billing")


async def test_at_80_columns_the_call_and_waitlist_status_stay_in_view(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name, key_column in (("reminders", "Reminder call"), ("waitlist", "Status")):
            app.push_screen(FrontDeskScreen(app.ctx, name))
            await settle(pilot)
            table = app.screen.query_one(f"#fd-{name}", DataTable)
            widths = [(str(c.label), c.get_render_width(table)) for c in table.columns.values()]
            labels = [label for label, _ in widths]
            through = sum(width for _, width in widths[: labels.index(key_column) + 1])
            assert through <= table.region.width, (name, widths, table.region.width)
            app.pop_screen()
            await settle(pilot)
