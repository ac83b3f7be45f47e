"""Purchase orders driven by keys: g turns the reorder suggestions into drafts, +/-/e change a draft line,
placing over budget needs p twice, receiving takes a lot with a month/year expiry and refuses too much,
cancelling needs a reason. Each test checks the database and what the screen shows."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from factories import make_item, make_vendor, plan_budget
from officemgr.models import (
    Item,
    ItemCategory,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceiveCreate,
    StockLot,
    StockMovement,
)
from officemgr.services import purchasing
from officemgr.services.purchasing import LineReceipt
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.orders import CancelOrderForm, QuantityForm, ReceiveOrderForm
from officemgr.tui.views.order_detail import OrderScreen
from officemgr.tui.views.orders import OrdersScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """A fresh practice database: two vendors, three low items from them and one low item with no vendor."""
    engine = practice_engine
    with write_session(engine) as session:
        schein = make_vendor(session, name="Henry Schein", phone="(555) 200-1000", account_number="HS-4471")
        staples = make_vendor(session, name="Staples")
        make_item(session, name="Nitrile gloves M", unit="box", par=20, reorder_point=5, quantity=3,
                  unit_cost_cents=1250, vendor=schein)
        make_item(session, name="Flu vaccine", category=ItemCategory.vaccine, unit="vial", par=10, reorder_point=4,
                  tracks_lots=True, lots=[("OLD1", date(2027, 1, 31), 2)], unit_cost_cents=1800, vendor=schein)
        make_item(session, name="Copy paper", category=ItemCategory.office, unit="ream", par=10, reorder_point=2,
                  quantity=1, unit_cost_cents=500, vendor=staples)
        make_item(session, name="Tongue depressors", par=5, reorder_point=1, quantity=0)
    yield engine
    engine.dispose()


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # vendor and item names are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    widget = screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def error_text(form, name: str) -> str:  # type: ignore[no-untyped-def]
    return text_of(form, f"#e-{name}")


def orders_of(engine) -> list[tuple[PurchaseOrder, dict[str, PurchaseOrderLine]]]:  # type: ignore[no-untyped-def]
    """Every order, oldest first, with its lines by item name."""
    with read_session(engine) as session:
        found = []
        for order in session.exec(select(PurchaseOrder).order_by(PurchaseOrder.id)).all():
            lines = session.exec(select(PurchaseOrderLine, Item.name).join(Item, Item.id == PurchaseOrderLine.item_id)
                                 .where(PurchaseOrderLine.order_id == order.id)).all()
            found.append((order, {name: line for line, name in lines}))
        return found


def draft(engine) -> int:  # type: ignore[no-untyped-def]
    """Draft the suggestions by the service; the Henry Schein order's id."""
    with write_session(engine) as session:
        purchasing.draft_orders(session, TODAY, now=NOW, actor="test")
    return next(o.id for o, lines in orders_of(engine) if "Nitrile gloves M" in lines)


def placed(engine) -> int:  # type: ignore[no-untyped-def]
    order_id = draft(engine)
    with write_session(engine) as session:
        purchasing.place(session, order_id, today=TODAY, now=NOW, actor="test", expected_version=None,
                         over_budget_ok=True)
    return order_id


async def push(app, pilot, screen):  # type: ignore[no-untyped-def]
    """Push `screen`, wait for its data; returns the list of what it dismissed with."""
    results: list[Any] = []
    await settle(pilot)
    app.push_screen(screen, results.append)
    await settle(pilot)
    assert app.screen is screen
    return results


async def test_g_turns_the_suggestions_into_draft_orders(office) -> None:  # type: ignore[no-untyped-def]
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = OrdersScreen(app.ctx)
        results = await push(app, pilot, screen)
        suggestions = screen.query_one("#po-suggestions", DataTable)
        shown = rows(suggestions)
        assert [r[0] for r in shown] == ["Henry Schein", "  Flu vaccine (vial)", "  Nitrile gloves M (box)",
                                         "Staples", "  Copy paper (ream)", "No vendor set",
                                         "  Tongue depressors (each)"]
        assert shown[0][7] == "$356.50"  # 8 vials at $18 + 17 boxes at $12.50
        assert shown[2][1:] == ["3", "0", "5", "20", "17", "$12.50", "$212.50", "—"]
        assert "give each a vendor with e on the Inventory tab" in text_of(screen, "#po-no-vendor")
        assert "3 items from 2 vendors, $401.50" in text_of(screen, "#po-suggest-head")
        assert screen.query_one("#po-orders", DataTable).row_count == 0

        await pilot.press("g")
        await settle(pilot)
        found = orders_of(office)
        assert [(o.status, {name: line.quantity for name, line in lines.items()}) for o, lines in found] == [
            (OrderStatus.draft, {"Nitrile gloves M": 17, "Flu vaccine": 8}),
            (OrderStatus.draft, {"Copy paper": 9}),
        ]
        assert found[0][1]["Nitrile gloves M"].unit_cost_cents == 1250
        orders_table = screen.query_one("#po-orders", DataTable)
        assert sorted(r[1] for r in rows(orders_table)) == ["Henry Schein", "Staples"]
        assert all(r[2] == "draft" for r in rows(orders_table))
        # Only the item with no vendor is left to order.
        assert [r[0] for r in rows(suggestions)] == ["No vendor set", "  Tongue depressors (each)"]
        assert said[-1][0].startswith("Draft orders made for 2 vendors")

        await pilot.press("g")  # nothing from a vendor left: refused, nothing more made
        await settle(pilot)
        assert len(orders_of(office)) == 2
        assert said[-1] == ("Nothing to order from a vendor today.", "warning")

        await pilot.press("escape")
        await settle(pilot)
        assert results == [True]


async def test_enter_opens_an_order_and_h_shows_closed_ones(office) -> None:  # type: ignore[no-untyped-def]
    order_id = draft(office)
    with write_session(office) as session:
        purchasing.cancel(session, order_id, reason="ordered elsewhere", now=NOW, actor="test", expected_version=None)
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = OrdersScreen(app.ctx)
        await push(app, pilot, screen)
        table = screen.query_one("#po-orders", DataTable)
        assert [r[1] for r in rows(table)] == ["Staples"]
        await pilot.press("h")
        await settle(pilot)
        assert [(r[1], r[2]) for r in rows(table)] == [
            ("Staples", "draft"), ("Henry Schein", "cancelled · ordered elsewhere")]
        table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, OrderScreen) and detail.order_id == order_id
        head = text_of(detail, "#order-head")
        assert "Status: cancelled" in head and "phone (555) 200-1000" in head and "account HS-4471" in head
        assert "Note: ordered elsewhere" in head
        await pilot.press("p", "r")  # neither applies to a cancelled order
        await settle(pilot)
        assert app.screen is detail and orders_of(office)[0][0].status is OrderStatus.cancelled


async def test_changing_a_draft_line(office) -> None:  # type: ignore[no-untyped-def]
    order_id = draft(office)
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = OrderScreen(app.ctx, order_id)
        results = await push(app, pilot, screen)
        table = screen.query_one("#order-lines", DataTable)
        assert [r[0] for r in rows(table)] == ["Flu vaccine", "Nitrile gloves M"]
        table.move_cursor(row=1)
        await pilot.press("plus", "plus", "plus", "minus")  # quick presses each count once
        await settle(pilot)

        def gloves() -> PurchaseOrderLine | None:
            return dict(orders_of(office)[0][1]).get("Nitrile gloves M")

        assert gloves().quantity == 19  # type: ignore[union-attr]
        assert rows(table)[1][2:] == ["19", "0", "—", "$12.50", "$237.50"]

        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, QuantityForm)
        assert form.query_one("#f-quantity", Input).value == "19"
        form.query_one("#f-quantity", Input).value = "-3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(form, "quantity") == "enter a whole number from 0 to 100,000"
        assert gloves().quantity == 19  # type: ignore[union-attr]
        form.query_one("#f-quantity", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert gloves() is None
        assert [r[0] for r in rows(table)] == ["Flu vaccine"]

        await pilot.press("minus")  # 8 → 7, then refuse to go below 1
        await settle(pilot)
        assert orders_of(office)[0][1]["Flu vaccine"].quantity == 7
        await pilot.press("escape")
        await settle(pilot)
        assert results == [True]


async def test_placing_over_budget_needs_p_twice(office) -> None:  # type: ignore[no-untyped-def]
    order_id = draft(office)
    with write_session(office) as session:
        plan_budget(session, 2026, {"medical_supplies": 10_000, "supplies": 40_000, "vaccines": 1_200_000,
                                    "equipment": 50_000})
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = OrderScreen(app.ctx, order_id)
        await push(app, pilot, screen)
        budget = text_of(screen, "#order-budget")
        assert budget.startswith("Placing it today would go over the monthly supplies budget")
        assert ("Medical supplies: $0.00 of $100.00 spent in November; this order adds $212.50, $112.50 over budget"
                in budget)

        await pilot.press("p")
        await settle(pilot)
        assert orders_of(office)[0][0].status is OrderStatus.draft
        assert text_of(screen, "#order-budget").startswith("Over budget — press p again to place it anyway")

        await pilot.press("p")
        await settle(pilot)
        order = orders_of(office)[0][0]
        assert (order.status, order.ordered_on) == (OrderStatus.ordered, TODAY)
        assert text_of(screen, "#order-head").startswith("Status: ordered")
        assert not screen.query_one("#order-budget", Static).display
        assert said[-1][0] == "Order #1 placed with Henry Schein (over budget)"


async def test_a_draft_within_budget_is_placed_with_one_p(office) -> None:  # type: ignore[no-untyped-def]
    order_id = draft(office)
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = OrderScreen(app.ctx, order_id)
        await push(app, pilot, screen)
        assert not screen.query_one("#order-budget", Static).display
        await pilot.press("p")
        await settle(pilot)
        assert orders_of(office)[0][0].status is OrderStatus.ordered


async def test_receiving_in_two_deliveries(office) -> None:  # type: ignore[no-untyped-def]
    order_id = placed(office)
    lines = orders_of(office)[0][1]
    gloves, flu = lines["Nitrile gloves M"].id, lines["Flu vaccine"].id
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = OrderScreen(app.ctx, order_id)
        await push(app, pilot, screen)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReceiveOrderForm)

        def fill(**values: str) -> None:
            for name, value in values.items():
                form.query_one(f"#f-{name}", Input).value = value

        await pilot.press("ctrl+s")  # everything blank: nothing received
        await settle(pilot)
        assert text_of(form, "#form-error") == "enter the quantity received for at least one line"

        fill(**{f"qty_{gloves}": "18", f"qty_{flu}": "8", f"exp_{flu}": "13/2027"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(form, f"qty_{gloves}") == "a whole number from 0 to 17 (what is still expected)"
        assert error_text(form, f"lot_{flu}") == "the lot number from the package"
        assert error_text(form, f"exp_{flu}") == "an expiry looks like 11/2026 (month and year) or 11/30/2026"
        fill(**{f"qty_{gloves}": "10", f"lot_{flu}": "FL123", f"exp_{flu}": "10/2026"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(form, f"exp_{flu}").startswith("expired on 10/31/2026")
        with read_session(office) as session:
            assert session.exec(select(StockMovement).where(StockMovement.order_id == order_id)).all() == []

        fill(**{f"exp_{flu}": "11/2027", f"mfr_{flu}": "Sanofi"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        with read_session(office) as session:
            lot = session.exec(select(StockLot).where(StockLot.lot_number == "FL123")).one()
            assert (lot.expires, lot.quantity, lot.manufacturer, lot.received_on) == (
                date(2027, 11, 30), 8, "Sanofi", TODAY)
            moved = session.exec(select(StockMovement).where(StockMovement.order_id == order_id)).all()
            assert sorted(m.quantity for m in moved) == [8, 10]
        order, stored = orders_of(office)[0]
        assert order.status is OrderStatus.partly_received
        assert (stored["Nitrile gloves M"].received, stored["Flu vaccine"].received) == (10, 8)
        assert said[-1][0] == f"Received: order #{order_id} is now partly received"
        assert [r[3:5] for r in rows(screen.query_one("#order-lines", DataTable))] == [["8", "0"], ["10", "7"]]

        await pilot.press("r")  # the second delivery: only the gloves are still expected
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReceiveOrderForm)
        assert [line.name for line in form.lines] == ["Nitrile gloves M"]
        fill(**{f"qty_{gloves}": "7"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        order, stored = orders_of(office)[0]
        assert (order.status, order.received_on, stored["Nitrile gloves M"].received) == (
            OrderStatus.received, TODAY, 17)
        assert text_of(screen, "#order-hint") == "escape close"


async def test_a_receipt_the_order_no_longer_expects_is_refused(office) -> None:  # type: ignore[no-untyped-def]
    order_id = placed(office)
    gloves = orders_of(office)[0][1]["Nitrile gloves M"].id
    app = fixed_app(office, [])
    async with app.run_test(size=SIZE) as pilot:
        screen = OrderScreen(app.ctx, order_id)
        await push(app, pilot, screen)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReceiveOrderForm)
        # Meanwhile someone else receives 15 of the 17 boxes.
        with write_session(office) as session:
            purchasing.receive(session, order_id, [LineReceipt(gloves, ReceiveCreate(quantity=15))], today=TODAY,
                               now=NOW, actor="other")
        form.query_one(f"#f-qty_{gloves}", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert text_of(form, "#form-error") == ("Nitrile gloves M: only 2 still expected on this order, not 5; "
                                                "nothing was received")
        assert orders_of(office)[0][1]["Nitrile gloves M"].received == 15
        with read_session(office) as session:
            assert len(session.exec(select(StockMovement).where(StockMovement.order_id == order_id)).all()) == 1


async def test_cancelling_needs_a_reason(office) -> None:  # type: ignore[no-untyped-def]
    order_id = draft(office)
    said: list[tuple[str, str]] = []
    app = fixed_app(office, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = OrderScreen(app.ctx, order_id)
        await push(app, pilot, screen)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CancelOrderForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(form, "reason") == "say why the order is cancelled"
        assert orders_of(office)[0][0].status is OrderStatus.draft
        form.query_one("#f-reason", Input).value = "[b]backordered[/b] until January"
        await pilot.press("ctrl+s")
        await settle(pilot)
        order = orders_of(office)[0][0]
        assert (order.status, order.note) == (OrderStatus.cancelled, "[b]backordered[/b] until January")
        assert "Note: [b]backordered[/b] until January" in text_of(screen, "#order-head")
        assert said[-1][0] == f"Order #{order_id} cancelled"
