"""Bills to pay driven by keys: from the Practice money screen, enter a bill (a bad amount shows its message and
saves nothing), approve it, pay it; a payment dated in a closed month is refused and then posted with a reason."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from officemgr.models import AuditEvent, Vendor
from officemgr.models.finance import MonthClose
from officemgr.models.payables import Bill, BillLine, BillPayment, BillStatus, PayoutMethod
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.bill import ApproveForm, BillForm, PaymentForm, TermsForm
from officemgr.tui.views.bills import BillDetailScreen, BillsScreen
from officemgr.tui.views.finances import FinancesScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


def error_text(form, name: str) -> str:  # type: ignore[no-untyped-def]
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


def bills_in(engine) -> list[Bill]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return list(session.exec(select(Bill).order_by(Bill.id)).all())


def new_vendor(engine, terms: str = "net 30") -> int:  # type: ignore[no-untyped-def]
    """A vendor whose name is markup, on a demo copy cleared of the demo's bills: each test's rows are then the
    only ones on the screen's first page."""
    with write_session(engine) as session:
        for table in (BillPayment, BillLine, Bill):
            session.execute(delete(table))
        vendor = Vendor(name="Paper & [bold]Co[/bold]", terms=terms)
        session.add(vendor)
        session.commit()
        assert vendor.id is not None
        return vendor.id


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


async def open_bills(app, pilot) -> BillsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.push_screen(FinancesScreen(app.ctx))
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, BillsScreen)
    return screen


async def test_enter_approve_and_pay_a_bill(demo_engine) -> None:  # type: ignore[no-untyped-def]
    vendor_id = new_vendor(demo_engine, terms="net 15 EOM")
    before = bills_in(demo_engine)
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bills(app, pilot)
        table = screen.query_one("#bills-table", DataTable)

        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BillForm)
        form.query_one("#f-vendor_id", Select).value = vendor_id
        form.query_one("#f-invoice_number", Input).value = "INV-0042"
        form.query_one("#f-invoice_date", Input).value = "11/02/2026"
        form.query_one("#f-amount_cents", Input).value = "12.5.0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert error_text(form, "amount_cents") == "write an amount like 1,250.00"
        assert bills_in(demo_engine) == before

        form.query_one("#f-amount_cents", Input).value = "$1,250.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        [bill] = bills_in(demo_engine)[len(before):]
        assert (bill.invoice_number, bill.amount_cents, bill.due_date, bill.status) == (
            "INV-0042", 125_000, date(2026, 12, 15), BillStatus.entered)
        row = table.get_row(str(bill.id))
        # Clipped to fit 80 columns, the markup shown as typed.
        assert [str(c) for c in row] == ["Paper & [bold…", "INV-0042", "12/15/26", "$1,250.00", "$1,250.00",
                                         "Entered", "11/02/26"]

        table.move_cursor(row=table.get_row_index(str(bill.id)))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BillDetailScreen)
        assert "Invoice date: 11/02/2026   Due: 12/15/2026" in str(app.screen.query_one("#bill-detail-text",
                                                                                        Static).render())
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("A")
        await settle(pilot)
        approve = app.screen
        assert isinstance(approve, ApproveForm) and approve.query_one("#f-acknowledge", Checkbox).value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert bills_in(demo_engine)[-1].status is BillStatus.approved

        table.move_cursor(row=table.get_row_index(str(bill.id)))
        await pilot.press("y")
        await settle(pilot)
        pay = app.screen
        assert isinstance(pay, PaymentForm)
        assert pay.query_one("#f-amount_cents", Input).value == "1250.00"
        pay.query_one("#f-amount_cents", Input).value = "250"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(pay, "reference") == "a check payment needs the check number"
        pay.query_one("#f-reference", Input).value = "1001"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert [str(c) for c in table.get_row(str(bill.id))][4:6] == ["$1,000.00", "Approved"]

        await pilot.press("p")
        await settle(pilot)
        assert str(bill.id) not in {k.value for k in table.rows}

    with read_session(demo_engine) as session:
        [payment] = session.exec(select(BillPayment).where(BillPayment.bill_id == bill.id)).all()
        assert (payment.amount_cents, payment.method, payment.reference, payment.paid_on) == (
            25_000, PayoutMethod.check, "1001", TODAY)
        assert bills_in(demo_engine)[-1].paid_cents == 25_000


async def test_a_payment_in_a_closed_month_is_offered_a_reason_then_posted(demo_engine) -> None:  # type: ignore[no-untyped-def]
    vendor_id = new_vendor(demo_engine)
    with write_session(demo_engine) as session:
        if session.get(MonthClose, date(2026, 10, 1)) is None:
            session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 3, 9), closed_by="kim"))
        bill = Bill(vendor_id=vendor_id, invoice_number="R-10", invoice_key="R10", invoice_date=date(2026, 10, 1),
                    due_date=date(2026, 10, 31), amount_cents=90_000, category="rent", status=BillStatus.approved,
                    entered_at=NOW, entered_by="kim")
        session.add(bill)
        session.commit()
        bill_id = bill.id
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bills(app, pilot)
        table = screen.query_one("#bills-table", DataTable)
        assert table.get_row(str(bill_id))[2].style == "red"  # overdue
        table.move_cursor(row=table.get_row_index(str(bill_id)))
        await pilot.press("y")
        await settle(pilot)
        pay = app.screen
        assert isinstance(pay, PaymentForm)
        reason_row = pay.query_one("#f-override_reason", Input).parent
        assert reason_row is not None and not reason_row.display
        pay.query_one("#f-paid_on", Input).value = "10/31/2026"
        pay.query_one("#f-method", Select).value = PayoutMethod.ach
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is pay
        assert "October 2026 is closed" in str(pay.query_one("#form-error", Static).render())
        assert reason_row.display
        pay.query_one("#f-override_reason", Input).value = "paid by transfer on Oct 31, entered late"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen

    with read_session(demo_engine) as session:
        [payment] = session.exec(select(BillPayment).where(BillPayment.bill_id == bill_id)).all()
        assert (payment.paid_on, payment.amount_cents) == (date(2026, 10, 31), 90_000)
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "post_into_closed")
                             .order_by(col(AuditEvent.id).desc())).first()
        assert event is not None and json.loads(event.changes)["reason"] == "paid by transfer on Oct 31, entered late"
        paid = session.get(Bill, bill_id)
        assert paid is not None and paid.status is BillStatus.paid


async def test_approving_a_bill_that_differs_lists_the_differences_and_needs_a_tick(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from factories import make_item, make_order
    from officemgr.models import OrderStatus
    from officemgr.services.bills import BillCreate, BillLineIn, enter_bill

    with write_session(demo_engine) as session:
        vendor = session.get(Vendor, new_vendor(demo_engine))
        assert vendor is not None and vendor.id is not None
        gloves = make_item(session, name="Gloves test M", unit="boxes", unit_cost_cents=875)
        order = make_order(session, vendor, [(gloves, 10, 10)], status=OrderStatus.received)
        bill_id = enter_bill(session, BillCreate(
            vendor_id=vendor.id, invoice_number="G-1", invoice_date=TODAY, amount_cents=11_400,
            purchase_order_id=order.id, lines=[BillLineIn(item_id=gloves.id, quantity=12, unit_cost_cents=950)]),
            today=TODAY, now=NOW, actor="kim")
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bills(app, pilot)
        table = screen.query_one("#bills-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(bill_id)))
        await pilot.press("A")
        await settle(pilot)
        approve = app.screen
        assert isinstance(approve, ApproveForm)
        assert approve.FORM_TITLE == ("Approve invoice G-1 from Paper & [bold]Co[/bold]? It differs:\n"
                                      "• Gloves test M: billed $9.50 each, ordered at $8.75\n"
                                      "• Gloves test M: billed 12 boxes, received 10")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(approve, "acknowledge") == "tick this once the differences are checked (or escape)"
        assert bills_in(demo_engine)[-1].status is BillStatus.entered
        approve.query_one("#f-acknowledge", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    approved = bills_in(demo_engine)[-1]
    assert (approved.status, approved.match_note) == (
        BillStatus.approved, "Gloves test M: billed $9.50 each, ordered at $8.75; Gloves test M: billed 12 boxes, "
                             "received 10")
    assert ("Approved for payment", "information") in said



async def test_a_vendors_terms_are_changed_from_the_bills_screen(demo_engine) -> None:  # type: ignore[no-untyped-def]
    vendor_id = new_vendor(demo_engine)
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bills(app, pilot)
        await pilot.press("t")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TermsForm)
        form.query_one("#f-vendor_id", Select).value = vendor_id
        await settle(pilot)
        terms = form.query_one("#f-terms", Input)
        assert terms.value == "net 30"
        terms.value = "whenever"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(form, "terms").startswith('"whenever" are not terms this app can read')
        terms.value = "2/10 N30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    with read_session(demo_engine) as session:
        vendor = session.get(Vendor, vendor_id)
        assert vendor is not None and vendor.terms == "2/10 net 30"
    assert ("Terms saved", "information") in said


async def test_change_an_entered_bill_then_void_it_with_a_reason(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.services.bills import BillCreate, enter_bill

    vendor_id = new_vendor(demo_engine)
    with write_session(demo_engine) as session:
        bill_id = enter_bill(session, BillCreate(vendor_id=vendor_id, invoice_number="E-1", invoice_date=TODAY,
                                                 amount_cents=5_000), today=TODAY, now=NOW, actor="kim")
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bills(app, pilot)
        table = screen.query_one("#bills-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(bill_id)))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BillForm)
        assert form.query_one("#f-amount_cents", Input).value == "50.00"
        form.query_one("#f-amount_cents", Input).value = "55.25"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert [str(c) for c in table.get_row(str(bill_id))][3:6] == ["$55.25", "$55.25", "Entered"]

        table.move_cursor(row=table.get_row_index(str(bill_id)))
        await pilot.press("x")
        await settle(pilot)
        void = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(void, "reason") == "say why the bill is void"
        assert bills_in(demo_engine)[-1].status is BillStatus.entered
        void.query_one("#f-reason", Input).value = "sent twice"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert str(bill_id) not in {k.value for k in table.rows}  # the open list holds no void bill
    last = bills_in(demo_engine)[-1]
    assert (last.status, last.amount_cents, last.note) == (BillStatus.void, 5_525, "Void: sent twice")
    assert ("Bill voided", "information") in said


async def test_pages_of_bills_and_the_filters(demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from officemgr.services.bills import BillCreate, enter_bill
    from officemgr.tui.views import bills as view

    monkeypatch.setattr(view, "PAGE", 1)
    vendor_id = new_vendor(demo_engine)
    with write_session(demo_engine) as session:
        for number, due in (("P-1", date(2026, 11, 20)), ("P-2", date(2026, 11, 27))):
            enter_bill(session, BillCreate(vendor_id=vendor_id, invoice_number=number, invoice_date=date(2026, 11, 1),
                                           due_date=due, amount_cents=1_000), today=TODAY, now=NOW, actor="kim")
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bills(app, pilot)
        table = screen.query_one("#bills-table", DataTable)
        title = screen.query_one("#bills-title")

        async def shown(key: str) -> tuple[str, list[str]]:
            await pilot.press(key)
            await settle(pilot)
            return str(title.render()), [str(table.get_row_at(i)[1]) for i in range(table.row_count)]

        assert await shown("u") == ("Bills to pay: overdue, page 1", ["P-1"])
        assert table.get_row_at(0)[5].style == "red"
        assert await shown("d") == ("Bills to pay: due in the next 7 days, page 1", ["P-2"])
        assert table.get_row_at(0)[5].style == "yellow"
        assert await shown("o") == ("Bills to pay: open, page 1  ·  n next page", ["P-1"])
        assert await shown("n") == ("Bills to pay: open, page 2", ["P-2"])
        assert await shown("n") == ("Bills to pay: open, page 2", ["P-2"])
        assert said[-1] == ("This is the last page", "information")
        assert await shown("f") == ("Bills to pay: open, page 1  ·  n next page", ["P-1"])


async def test_a_bill_in_a_closed_month_is_offered_a_reason_then_entered_and_voided(demo_engine) -> None:  # type: ignore[no-untyped-def]
    vendor_id = new_vendor(demo_engine)
    with write_session(demo_engine) as session:
        if session.get(MonthClose, date(2026, 10, 1)) is None:
            session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 3, 9), closed_by="kim"))
            session.commit()
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bills(app, pilot)
        table = screen.query_one("#bills-table", DataTable)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BillForm)
        reason_row = form.query_one("#f-override_reason", Input).parent
        assert reason_row is not None and not reason_row.display
        form.query_one("#f-vendor_id", Select).value = vendor_id
        form.query_one("#f-invoice_number", Input).value = "OCT-77"
        form.query_one("#f-invoice_date", Input).value = "10/15/2026"
        form.query_one("#f-amount_cents", Input).value = "300.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "October 2026 is closed" in str(form.query_one("#form-error", Static).render())
        assert reason_row.display
        assert bills_in(demo_engine) == []
        form.query_one("#f-override_reason", Input).value = "October's invoice arrived in November"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        [bill] = bills_in(demo_engine)
        assert (bill.invoice_number, bill.invoice_date, bill.amount_cents) == ("OCT-77", date(2026, 10, 15), 30_000)
        assert ("Bill entered", "information") in said

        table.move_cursor(row=table.get_row_index(str(bill.id)))
        await pilot.press("x")
        await settle(pilot)
        void = app.screen
        void_reason = void.query_one("#f-override_reason", Input).parent
        assert void_reason is not None and not void_reason.display
        void.query_one("#f-reason", Input).value = "sent twice"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is void
        assert "voiding invoice OCT-77" in str(void.query_one("#form-error", Static).render())
        assert void_reason.display
        assert bills_in(demo_engine)[0].status is BillStatus.entered
        void.query_one("#f-override_reason", Input).value = "vendor cancelled it"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen

    [voided] = bills_in(demo_engine)
    assert (voided.status, voided.note) == (BillStatus.void, "Void: sent twice")
    with read_session(demo_engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "post_into_closed")
                              .order_by(col(AuditEvent.id).desc()).limit(2)).all()
        assert [json.loads(e.changes)["reason"] for e in events] == [
            "vendor cancelled it", "October's invoice arrived in November"]


async def test_changing_a_closed_months_bill_at_80x24_scrolls_to_the_reason_then_saves(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.services.bills import BillCreate, enter_bill

    vendor_id = new_vendor(demo_engine)
    with write_session(demo_engine) as session:
        bill_id = enter_bill(session, BillCreate(vendor_id=vendor_id, invoice_number="OCT-5",
                                                 invoice_date=date(2026, 10, 20), amount_cents=5_000),
                             today=TODAY, now=NOW, actor="kim", override_reason="set up for the test")
        if session.get(MonthClose, date(2026, 10, 1)) is None:
            session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 3, 9), closed_by="kim"))
            session.commit()
    app = fixed_app(demo_engine, [])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_bills(app, pilot)
        table = screen.query_one("#bills-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(bill_id)))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BillForm)
        form.query_one("#f-amount_cents", Input).value = "55.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "a change to invoice OCT-5" in str(form.query_one("#form-error", Static).render())
        assert bills_in(demo_engine)[0].amount_cents == 5_000
        reason = form.query_one("#f-override_reason", Input)
        row, fields = reason.parent, form.query_one(".form-fields", VerticalScroll)
        assert row is not None and row.display and app.focused is reason
        assert fields.region.contains_region(row.region)  # scrolled into view below the many fields
        reason.value = "amount misread"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    [changed] = bills_in(demo_engine)
    assert (changed.amount_cents, changed.invoice_date) == (5_500, date(2026, 10, 20))
