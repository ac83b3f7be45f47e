"""The keys probe's work flows, each by its keys on the app: filter the billing queue by text (and the bare app's
table, for its ratio), open the booking form, book an appointment through it, post a claim note. Each returns
(CPU ms, next-frame ms) per attempt (after one warm-up); an attempt that did not do its work is left out and said
in `failures`."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Input, Select

from officemgr.bench.plans import booking_plan
from officemgr.tui.bench.pilot_cpu import Cost, key_cost, samples, settle


async def _tab(pilot: Any, n: int) -> None:
    await pilot.press(str(n))
    await settle(pilot)


async def billing_filter(app: Any, pilot: Any, repeats: int, failures: list[str]) -> list[Cost]:
    """`/`, a patient's name fragment, then `enter` (measured) filters the queue; escape clears it."""
    await _tab(pilot, 5)
    view = app.view("billing")
    if not view.rows:
        failures.append("filter: the billing queue is empty")
        return []
    fragment = next(iter(view.rows.values())).patient_name.replace(",", " ").split()[0][:4].lower()

    async def one(_: int) -> Cost:
        await pilot.press("slash")
        view.query_one("#filter", Input).value = fragment
        await settle(pilot)
        cost = await key_cost(pilot, "enter")
        if view.filter_text != fragment:
            failures.append(f"filter: the queue was not filtered by '{fragment}'")
        await pilot.press("escape")
        await settle(pilot)
        return cost

    return await samples(repeats, one)


async def bare_filter(pilot: Any, repeats: int) -> list[Cost]:
    """The same keys on the bare app's Billing tab: `/`, a text typed, then `enter` (measured) refills its table.
    The text is one every bare row holds, so the table is refilled whole (60 rows; the queue shows a page of
    40), as the app's filter refills its page; escape clears it."""
    from officemgr.tui.bench.bare import BareApp

    app = pilot.app
    assert isinstance(app, BareApp), "the bare app's counterpart of billing_filter"
    await _tab(pilot, 5)

    async def one(_: int) -> Cost:
        await pilot.press("slash")
        app.query_one("#filter", Input).value = "row"
        await settle(pilot)
        cost = await key_cost(pilot, "enter")
        await pilot.press("escape")
        await settle(pilot)
        return cost

    return await samples(repeats, one)


async def open_form(app: Any, pilot: Any, repeats: int, failures: list[str]) -> list[Cost]:
    """`a` on the Schedule tab (measured) opens the booking form; escape closes it."""
    from officemgr.tui.forms.appointment import AppointmentForm

    await _tab(pilot, 2)

    async def one(_: int) -> Cost | None:
        cost = await key_cost(pilot, "a")
        opened = isinstance(app.screen, AppointmentForm)
        if opened:
            await pilot.press("escape")
            await settle(pilot)
        else:
            failures.append("form: `a` on the Schedule tab did not open the booking form")
        return cost if opened else None

    return await samples(repeats, one)


async def book(app: Any, pilot: Any, repeats: int, failures: list[str], today: date) -> list[Cost]:
    """`a`, the form filled in (patient by typing the name, as a user does), then `ctrl+s` (measured)."""
    plan = booking_plan(app.engine, today, repeats + 1)
    await _tab(pilot, 2)

    async def one(i: int) -> Cost | None:
        booking = plan[i]
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-patient_id Input", Input).focus()
        await pilot.press(*booking.last_name)
        await settle(pilot)
        await pilot.press("enter")
        form.query_one("#f-provider_id", Select).value = booking.provider_id
        form.query_one("#f-type_id", Select).value = booking.type_id
        form.query_one("#f-day", Input).value = f"{booking.start:%m/%d/%Y}"
        form.query_one("#f-start_time", Input).value = f"{booking.start:%H:%M}"
        await settle(pilot)
        cost = await key_cost(pilot, "ctrl+s")
        if app.screen is form:
            failures.append(f"book: the form did not save a booking at {booking.start:%Y-%m-%d %H:%M}")
            await pilot.press("escape")
            await settle(pilot)
            return None
        return cost

    return await samples(repeats, one)


async def claim_note(app: Any, pilot: Any, repeats: int, failures: list[str]) -> list[Cost]:
    """`n` on a queue row, a note typed, then `ctrl+s` (measured) posts it."""
    from officemgr.tui.forms.claim_note import ClaimNoteForm
    from officemgr.tui.widgets.paged_table import PagedTable

    await _tab(pilot, 5)
    table = app.view("billing").query_one(PagedTable)

    async def one(i: int) -> Cost | None:
        table.move_cursor(row=min(i, max(0, table.row_count - 1)))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        if not isinstance(form, ClaimNoteForm):
            failures.append("note: `n` on the billing queue did not open the note form")
            return None
        form.query_one("#f-text", Input).value = "Called the payer: in process (bench)"
        cost = await key_cost(pilot, "ctrl+s")
        if app.screen is form:
            failures.append("note: the note form did not save")
            await pilot.press("escape")
            await settle(pilot)
            return None
        return cost

    return await samples(repeats, one)
