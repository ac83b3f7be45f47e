"""One snapshot per tab, per schedule view and per key form: small demo, seed 1, today 2026-11-23, 160x48."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from textual.widgets import Input

from officemgr.tui.app import make_app
from ui_support import SIZE, TODAY, settle

SCREENS = {
    "huddle": ["1"],
    "huddle_review": ["1", "r"],
    "schedule": ["2"],
    "schedule_list": ["2", "w"],
    "schedule_week": ["2", "w", "w"],
    "slot_finder": ["2", "f"],
    "staff": ["3"],
    "staff_week": ["3", "v"],
    "staff_records": ["3", "k"],
    "inventory": ["4"],
    "purchase_orders": ["4", "o"],
    "equipment": ["4", "m"],
    "receive_form": ["4", "ctrl+end", "r"],
    "billing": ["5"],
    "billing_ar": ["5", "v"],
    "claim_detail": ["5", "enter"],
    "claim_status_form": ["5", "s"],
    "compliance": ["6"],
    "compliance_month": ["6", "v"],
    "temperature_log": ["6", "l"],
    "concerns": ["6", "i"],
    "keys": ["question_mark"],
    "appointment_form": ["2", "a"],
    "staff_form": ["3", "a"],
    "item_form": ["4", "a"],
    "claim_note_form": ["5", "n"],
    "completion_form": ["6", "d"],
}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_screen(name: str, sqlite_demo_engine, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in SCREENS[name]:
            await pilot.press(key)
            await settle(pilot)
        # A focused field's cursor blinks: on a slow run the picture would catch it off.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    # The slot finder and the forms read the time of day: pin it, like the date, so snapshots do not drift.
    app = make_app(sqlite_demo_engine, today=TODAY, clock=lambda: datetime.combine(TODAY, time(10, 30)),
                   actor="manager")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sign_in_screen(sqlite_demo_engine, snap_compare) -> None:  # type: ignore[no-untyped-def]
    from officemgr.services import settings
    from officemgr.store import write_session

    with write_session(sqlite_demo_engine) as session:  # a practice's own database: a demo opens signed in
        settings.put(session, "demo_data", False, now=datetime.combine(TODAY, time(8)), actor="manager")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        # The filter's blinking cursor would make the picture depend on when it is taken.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    # A secure start (the command line's) opens on the sign-in screen: the names and nothing of the practice.
    app = make_app(sqlite_demo_engine, today=TODAY, secure=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_demo_footer_at_80_columns(sqlite_demo_engine, snap_compare) -> None:  # type: ignore[no-untyped-def]
    # A demo opens signed in as its manager, and the footer says so even on the smallest terminal.
    app = make_app(sqlite_demo_engine, today=TODAY, secure=True, clock=lambda: datetime.combine(TODAY, time(10, 30)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
