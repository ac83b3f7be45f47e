"""The Inventory tab driven by keys: receive into a lot (month/year expiry = the month's last day), use first
to expire first, refusals that save nothing (over-use, waste without a reason, bad entries), the count walk,
the expiry window, and an item's detail with its movements."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Label, Select, Static

from factories import make_item, make_vendor
from officemgr.models import Item, ItemCategory, MovementKind, ReceiveCreate, StockLot, StockMovement, UseCreate
from officemgr.services import movements
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.stock import ReceiveForm, UseForm
from officemgr.tui.views.count import CountScreen
from officemgr.tui.views.equipment import EquipmentScreen
from officemgr.tui.views.item_detail import ItemDetailScreen
from officemgr.tui.views.orders import OrdersScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def engine(practice_engine):  # type: ignore[no-untyped-def]
    """A fresh database file (the app's workers use their own connections, as in real use)."""
    engine = practice_engine
    yield engine
    engine.dispose()


def add_flu(engine, **overrides: Any) -> int:  # type: ignore[no-untyped-def]
    """A lot-tracked vaccine: lot LATE (5, +200 days), SOON (3, +20 days) and OLD (4, expired 3 days ago)."""
    lots = overrides.pop("lots", [("LATE", days(200), 5), ("SOON", days(20), 3), ("OLD", days(-3), 4)])
    with write_session(engine) as session:
        item = make_item(session, name="Influenza vaccine", category=ItemCategory.vaccine, unit="dose",
                         tracks_lots=True, par=20, reorder_point=5, lots=lots, **overrides)
        return item.id  # type: ignore[return-value]


def lot_quantities(engine, item_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return {lot.lot_number or "": lot.quantity
                for lot in session.exec(select(StockLot).where(StockLot.item_id == item_id))}


def moves(engine, item_id: int) -> list[tuple[MovementKind, int, str, str]]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        rows = session.exec(select(StockMovement, StockLot.lot_number)
                            .join(StockLot, StockLot.id == StockMovement.lot_id)
                            .where(StockMovement.item_id == item_id).order_by(StockMovement.id)).all()
        return [(m.kind, m.quantity, number or "", m.reason) for m, number in rows]


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """The app at 10:30 on TODAY, recording its notifications (message, severity)."""
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # item names, lot numbers and reasons are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


async def open_tab(app, pilot, item_id: int | None = None):  # type: ignore[no-untyped-def]
    """Show the Inventory tab with `item_id` selected; returns the view."""
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    view = app.query_one("#view-inventory")
    if item_id is not None:
        view.focus_record(item_id)
    return view


async def press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*keys)
    await settle(pilot)


async def fill(pilot, form, **values: Any) -> None:  # type: ignore[no-untyped-def]
    for name, value in values.items():
        form.query_one(f"#f-{name}").value = value
    await press(pilot, "ctrl+s")


def error_text(form, name: str) -> str:  # type: ignore[no-untyped-def]
    line = form.query_one(f"#e-{name}" if name != "form" else "#form-error", Static)
    return str(line.render()) if line.display else ""


def cell(table: DataTable, key: object, column: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row(str(key))[column])


async def test_receiving_into_a_lot_tracked_item_by_keys(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine, lots=[])
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot, flu)
        stock = view.query_one("#stock", DataTable)
        assert cell(stock, flu, 2) == "0 dose"
        await press(pilot, "r")
        form = app.screen
        assert isinstance(form, ReceiveForm)
        await fill(pilot, form, quantity="abc", lot_number="", expires="13/2026")
        assert app.screen is form
        assert error_text(form, "quantity") == "enter a whole number, e.g. 12"
        assert error_text(form, "lot_number") == "enter the lot number printed on the package"
        assert error_text(form, "expires") == "a date like 11/30/2026 or a month like 11/2026"
        await fill(pilot, form, quantity="10", lot_number="FLU-9", expires="10/2026")
        assert error_text(form, "expires") == "this lot expired on 10/31/2026: do not receive it, return it"
        assert lot_quantities(engine, flu) == {}

        await fill(pilot, form, expires="11/2027", manufacturer="Sanofi [b]Pasteur[/b]")
        assert app.screen is not form
        assert cell(stock, flu, 2) == "10 dose"
        assert cell(stock, flu, 10) == "11/30/2027"
    assert said[-1] == ("Received 10 dose of Influenza vaccine into lot FLU-9 (expires 11/30/2027)", "information")
    with read_session(engine) as session:
        lot = session.exec(select(StockLot).where(StockLot.item_id == flu)).one()
        move = session.exec(select(StockMovement).where(StockMovement.item_id == flu)).one()
    assert (lot.lot_number, lot.expires, lot.quantity, lot.manufacturer, lot.received_on) == (
        "FLU-9", date(2027, 11, 30), 10, "Sanofi [b]Pasteur[/b]", TODAY)
    assert (move.kind, move.quantity, move.lot_id, move.at, move.actor) == (MovementKind.receive, 10, lot.id, NOW,
                                                                             "kim")


@pytest.mark.parametrize("typed", ["02/2027", "2/27", "2027-02", "02/28/2027"])
async def test_a_month_and_year_expiry_is_the_months_last_day(engine, typed: str) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine, lots=[])
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, flu)
        await press(pilot, "r")
        await fill(pilot, app.screen, quantity="4", lot_number="FEB", expires=typed)
    with read_session(engine) as session:
        lot = session.exec(select(StockLot).where(StockLot.item_id == flu)).one()
    assert (lot.lot_number, lot.expires, lot.quantity) == ("FEB", date(2027, 2, 28), 4)


async def test_use_draws_the_first_expiring_usable_lot_first(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine)
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot, flu)
        stock = view.query_one("#stock", DataTable)
        assert (cell(stock, flu, 2), cell(stock, flu, 3)) == ("8 dose", "4")  # usable, expired
        await press(pilot, "u")
        form = app.screen
        assert isinstance(form, UseForm)
        select_box = form.query_one("#f-lot_id", Select)
        assert [str(label) for label, _ in select_box._options if _ is not Select.NULL] == [
            "First to expire (FEFO)", f"SOON · {days(20):%m/%d/%Y} · 3 left", f"LATE · {days(200):%m/%d/%Y} · 5 left"]
        await fill(pilot, form, quantity="4")
        assert app.screen is not form
        assert cell(stock, flu, 2) == "4 dose"
    assert lot_quantities(engine, flu) == {"LATE": 4, "SOON": 0, "OLD": 4}
    assert moves(engine, flu) == [(MovementKind.use, -3, "SOON", "Clinic use"), (MovementKind.use, -1, "LATE",
                                                                                 "Clinic use")]
    assert said[-1] == ("Used 4 dose of Influenza vaccine (lot SOON: 3, lot LATE: 1)", "information")


async def test_using_more_than_is_usable_is_refused_and_saves_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine)
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, flu)
        await press(pilot, "u")
        form = app.screen
        await fill(pilot, form, quantity="9")
        assert app.screen is form
        assert error_text(form, "form") == "only 8 usable on hand (unit: dose); nothing was recorded"
        await fill(pilot, form, quantity="0")
        assert error_text(form, "quantity") == "must be more than 0"
    assert lot_quantities(engine, flu) == {"LATE": 5, "SOON": 3, "OLD": 4}
    assert moves(engine, flu) == []


async def test_waste_needs_a_reason_and_may_take_an_expired_lot(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine)
    with read_session(engine) as session:
        old = session.exec(select(StockLot).where(StockLot.lot_number == "OLD")).one()
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot, flu)
        await press(pilot, "w")
        form = app.screen
        assert isinstance(form, UseForm) and form.waste
        labels = {value: str(label) for label, value in form.query_one("#f-lot_id", Select)._options}
        assert labels[old.id] == f"OLD · {days(-3):%m/%d/%Y} · 4 left · EXPIRED"
        await fill(pilot, form, quantity="4", lot_id=old.id)
        assert app.screen is form
        assert error_text(form, "reason") == "say why it was wasted (expired, broken, temperature excursion…)"
        assert error_text(form, "form") == ""
        assert moves(engine, flu) == []

        await fill(pilot, form, reason="expired on the shelf")
        assert app.screen is not form
        assert cell(view.query_one("#stock", DataTable), flu, 3) == ""  # nothing expired left
    assert lot_quantities(engine, flu) == {"LATE": 5, "SOON": 3, "OLD": 0}
    assert moves(engine, flu) == [(MovementKind.waste, -4, "OLD", "expired on the shelf")]


async def test_the_count_walks_the_sheet_and_refuses_bad_entries(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine, location="Fridge", lots=[("LATE", days(200), 5), ("SOON", days(20), 3)])
    with write_session(engine) as session:
        gloves = make_item(session, name="Gloves, medium", unit="box", quantity=12, location="Supply closet").id
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot)
        await press(pilot, "c")
        screen = app.screen
        assert isinstance(screen, CountScreen)
        box = screen.query_one("#count-input", Input)

        def shown(selector: str) -> str:
            widget = screen.query_one(selector, Static)
            return str(widget.render()) if widget.display else ""

        assert "Line 1 of 3" in shown("#count-current") and "Lot: SOON" in shown("#count-current")
        assert shown("#count-progress") == "0 of 3 counted · 0 differences"
        await press(pilot, "ctrl+n")  # skip to LATE, then back
        assert "Lot: LATE" in shown("#count-current")
        await press(pilot, "up")
        assert "Lot: SOON" in shown("#count-current")
        await press(pilot, "=")
        assert box.value == "3"
        await press(pilot, "enter")
        assert "Lot: LATE · expires" in shown("#count-current") and "Expected: 5 dose" in shown("#count-current")

        for bad in ("abc", "-3", "2.5"):
            box.value = bad
            await press(pilot, "enter")
            assert shown("#count-error") == "a count is a whole number, 0 or more (e.g. 12); nothing was saved"
            assert "Lot: LATE" in shown("#count-current")
        assert lot_quantities(engine, flu) == {"LATE": 5, "SOON": 3}

        box.value = "2"
        await press(pilot, "enter")
        assert shown("#count-error") == ""
        assert "Item: Gloves, medium (box)" in shown("#count-current")
        box.value = "15"
        await press(pilot, "enter")
        assert "End of the count sheet. 3 lines counted." in shown("#count-current")
        assert shown("#count-progress") == "3 of 3 counted · 2 differences"
        diffs = screen.query_one("#count-diffs", DataTable)
        assert [[str(c) for c in diffs.get_row_at(n)] for n in range(diffs.row_count)] == [
            ["Influenza vaccine", "LATE", "5", "2", "-3"], ["Gloves, medium", "—", "12", "15", "+3"]]
        await press(pilot, "escape")
        assert app.screen is not screen
        assert cell(view.query_one("#stock", DataTable), gloves, 2) == "15 box"
    assert lot_quantities(engine, flu) == {"LATE": 2, "SOON": 3}
    assert lot_quantities(engine, gloves) == {"": 15}
    assert moves(engine, flu) == [(MovementKind.adjust, 0, "SOON", "Count: 3 (was 3)"),
                                  (MovementKind.adjust, -3, "LATE", "Count: 2 (was 5)")]
    assert moves(engine, gloves) == [(MovementKind.adjust, 3, "", "Count: 15 (was 12)")]


async def test_l_cycles_the_expiry_window_of_the_lots_panel(engine) -> None:  # type: ignore[no-untyped-def]
    add_flu(engine, lots=[("D20", days(20), 1), ("D45", days(45), 1), ("D80", days(80), 1), ("D200", days(200), 1),
                          ("GONE", days(-3), 2)])
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot)
        lots = view.query_one("#lots", DataTable)
        title = view.query_one("#lots-title", Label)

        def listed() -> list[str]:
            return [str(lots.get_row_at(n)[1]) for n in range(lots.row_count)]

        assert listed() == ["GONE", "D20"]
        assert "within 30 days" in str(title.render())
        assert str(lots.get_row_at(0)[4]) == "EXPIRED: waste it"
        assert "1 expired lot on hand" in str(view.query_one("#inventory-title", Label).render())
        await press(pilot, "l")
        assert listed() == ["GONE", "D20", "D45"] and "within 60 days" in str(title.render())
        await press(pilot, "l")
        assert listed() == ["GONE", "D20", "D45", "D80"] and "within 90 days" in str(title.render())
        await press(pilot, "l")
        assert listed() == ["GONE", "D20"]


async def test_item_detail_shows_settings_lots_and_movements(engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        vendor = make_vendor(session, name="McKesson")
        item = make_item(session, name="Syringe 3 mL", unit="box", quantity=2, sku="MK-301", vendor=vendor,
                         unit_cost_cents=1250, location="Room 2")
        movements.receive(session, item.id, ReceiveCreate(quantity=5, reason="Delivery slip [42]"), today=TODAY,
                          now=NOW - timedelta(hours=1), actor="pat")
        item_id = item.id
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot, item_id)
        assert cell(view.query_one("#stock", DataTable), item_id, 11) == "McKesson"
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, ItemDetailScreen)
        settings = str(screen.query_one("#detail-settings", Static).render())
        assert ("Vendor: McKesson · SKU: MK-301 · Unit cost: $12.50 · Location: Room 2 · Par: 0 · Reorder at: 0"
                in settings)
        assert "On hand: 7 box" in settings
        history = screen.query_one("#detail-moves", DataTable)
        assert [str(c) for c in history.get_row_at(0)] == [
            f"{TODAY:%m/%d/%Y} 09:30", "receive", "+5", "", "Delivery slip [42]", "pat"]

        await press(pilot, "u")  # use from the detail screen; it reloads and shows the new movement
        await fill(pilot, app.screen, quantity="3", reason="Room 2 restock")
        assert app.screen is screen
        assert [str(c) for c in history.get_row_at(0)][1:] == ["use", "-3", "", "Room 2 restock", "kim"]
        await press(pilot, "escape")
        assert app.screen is not screen
        assert cell(view.query_one("#stock", DataTable), item_id, 2) == "4 box"
    with read_session(engine) as session:
        assert session.get(Item, item_id).sku == "MK-301"


async def test_o_and_m_open_purchase_orders_and_equipment(engine) -> None:  # type: ignore[no-untyped-def]
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot)
        budget = str(app.query_one("#inventory-budget", Static).render())
        assert budget == "No budget for November 2026 — set one in Practice money → Budget"
        await press(pilot, "o")
        assert isinstance(app.screen, OrdersScreen)
        app.pop_screen()
        await settle(pilot)
        await press(pilot, "m")
        assert isinstance(app.screen, EquipmentScreen)


async def test_a_lot_that_moved_during_the_count_is_shown_again_not_overwritten(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine, lots=[("SOON", days(20), 3)])
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot)
        await press(pilot, "c")
        screen = app.screen
        with write_session(engine) as session:  # a dose given while the count is under way
            movements.take(session, flu, UseCreate(quantity=1), today=TODAY, now=NOW, actor="pat")
        screen.query_one("#count-input", Input).value = "3"
        await press(pilot, "enter")
        assert "Expected: 2 dose" in str(screen.query_one("#count-current", Static).render())
        assert str(screen.query_one("#count-error", Static).render()).startswith(
            "stock of this lot changed while counting (now 2 expected)")
        assert lot_quantities(engine, flu) == {"SOON": 2}
        await press(pilot, "=", "enter")
        assert "End of the count sheet. 1 line counted." in str(screen.query_one("#count-current", Static).render())
    assert moves(engine, flu) == [(MovementKind.use, -1, "SOON", "Clinic use"),
                                  (MovementKind.adjust, 0, "SOON", "Count: 2 (was 2)")]


async def test_a_refused_count_says_why_under_the_box_and_saves_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine, lots=[("SOON", days(20), 3)])
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot)
        await press(pilot, "c")
        screen = app.screen
        with write_session(engine) as session:  # retired on another workstation while the count is under way
            session.get(Item, flu).active = False  # type: ignore[union-attr]
            session.commit()
        screen.query_one("#count-input", Input).value = "2"
        await press(pilot, "enter")
        assert app.screen is screen
        assert str(screen.query_one("#count-error", Static).render()) == "that item no longer exists — reload"
        assert "Lot: SOON" in str(screen.query_one("#count-current", Static).render())
        assert str(screen.query_one("#count-progress", Static).render()) == "0 of 1 counted · 0 differences"
        assert [severity for _, severity in said] == []
    assert lot_quantities(engine, flu) == {"SOON": 3}
    assert moves(engine, flu) == []


async def test_e_edits_the_selected_item(engine) -> None:  # type: ignore[no-untyped-def]
    flu = add_flu(engine)
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot, flu)
        await press(pilot, "e")
        form = app.screen
        assert form.query_one("#f-name", Input).value == "Influenza vaccine"
        await fill(pilot, form, par="30")
        assert app.screen is not form
        assert cell(view.query_one("#stock", DataTable), flu, 5) == "30"
    with read_session(engine) as session:
        assert session.get(Item, flu).par == 30
