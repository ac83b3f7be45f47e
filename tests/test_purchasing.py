"""Reorder suggestions, purchase orders from draft to received, and the supplies budget (services.purchasing)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, audit_events, make_item, make_order, make_vendor, plan_budget
from officemgr.models import (
    Item,
    ItemCategory,
    MovementKind,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceiveCreate,
    StockLot,
    StockMovement,
)
from officemgr.models.finance import BudgetAmount, BudgetCategory
from officemgr.services import inventory, purchasing
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.purchasing import LineReceipt, OverBudget


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def snapshot(session) -> tuple:
    """What a refused write must leave alone: orders, lines, lots, movements and the audit trail."""
    session.rollback()
    return (
        sorted((o.id, o.status, o.version, o.ordered_on, o.received_on, o.note)
               for o in session.exec(select(PurchaseOrder))),
        sorted((x.id, x.order_id, x.item_id, x.quantity, x.received) for x in session.exec(select(PurchaseOrderLine))),
        sorted((x.id, x.item_id, x.lot_number, x.quantity) for x in session.exec(select(StockLot))),
        sorted((m.id, m.quantity, m.order_id) for m in session.exec(select(StockMovement))),
        [(e.entity, e.action) for e, _ in audit_events(session)],
    )


def lines_of(session, order_id: int) -> dict[str, tuple[int, int]]:
    """{item name: (quantity, received)} of an order, through order_detail."""
    return {x.name: (x.quantity, x.received) for x in purchasing.order_detail(session, order_id).lines}


# --- reorder suggestions ------------------------------------------------------------------------------


@pytest.fixture
def shelf(session):
    """Vendors and items covering every reorder case; returns the vendors by name."""
    acme = make_vendor(session, name="Acme Medical")
    beta = make_vendor(session, name="beta Labs")  # lower case: sorted without regard to case
    zeta = make_vendor(session, name="Zeta Supply")
    make_item(session, name="Gloves", vendor=zeta, quantity=2, reorder_point=5, par=20, unit_cost_cents=900)
    gauze = make_item(session, name="Gauze", vendor=acme, quantity=3, reorder_point=5, par=20, unit_cost_cents=250)
    make_item(session, name="Flu vaccine", vendor=acme, category=ItemCategory.vaccine, tracks_lots=True,
              reorder_point=5, par=10, unit_cost_cents=2000,
              lots=[("EXPIRED", days(-1), 50), ("GOOD", days(90), 2)])  # the expired 50 are not on hand
    make_item(session, name="Masks", vendor=beta, quantity=0, reorder_point=0, par=4, unit_cost_cents=100)
    tape = make_item(session, name="Tape", vendor=acme, quantity=0, reorder_point=5, par=10)  # on a draft
    covered = make_item(session, name="Covered", vendor=acme, quantity=1, reorder_point=5, par=10)  # on order
    make_item(session, name="Paper", quantity=0, reorder_point=2, par=6, unit_cost_cents=500)  # no vendor
    make_item(session, name="Plenty", vendor=zeta, quantity=6, reorder_point=5, par=20)
    make_item(session, name="Retired", vendor=zeta, quantity=0, reorder_point=5, par=20, active=False)
    make_order(session, acme, [(gauze, 10, 4), (covered, 9, 0)], status=OrderStatus.partly_received)
    make_order(session, beta, [(tape, 3)])  # a draft at another vendor still takes Tape out of the suggestions
    return {"acme": acme, "beta": beta, "zeta": zeta}


def test_reorder_suggests_par_less_on_hand_and_on_order_grouped_by_vendor_no_vendor_last(session, shelf):
    groups = purchasing.reorder(session, TODAY)

    assert [(g.vendor_id, g.vendor) for g in groups] == [
        (shelf["acme"].id, "Acme Medical"), (shelf["beta"].id, "beta Labs"), (shelf["zeta"].id, "Zeta Supply"),
        (None, "No vendor set")]
    summary = [[(x.name, x.on_hand, x.on_order, x.quantity) for x in g.lines] for g in groups]
    assert summary == [
        [("Flu vaccine", 2, 0, 8), ("Gauze", 3, 6, 11)],
        [("Masks", 0, 0, 4)],
        [("Gloves", 2, 0, 18)],
        [("Paper", 0, 0, 6)],
    ]
    acme = groups[0]
    assert [x.cost_cents for x in acme.lines] == [16_000, 2_750]
    assert acme.total_cents == 18_750
    assert (acme.lines[1].reorder_point, acme.lines[1].par, acme.lines[1].unit_cost_cents) == (5, 20, 250)


def test_reorder_is_empty_when_nothing_is_low(session):
    make_item(session, name="Gloves", vendor=make_vendor(session), quantity=9, reorder_point=5, par=20)
    assert purchasing.reorder(session, TODAY) == []


def test_draft_orders_makes_one_draft_per_vendor_adds_to_an_open_draft_and_skips_items_without_vendor(session, shelf):
    acme, beta, zeta = shelf["acme"], shelf["beta"], shelf["zeta"]
    [tape_draft] = session.exec(select(PurchaseOrder).where(PurchaseOrder.status == OrderStatus.draft)).all()
    events_before = len(audit_events(session))

    order_ids = purchasing.draft_orders(session, TODAY, now=NOW, actor=ACTOR)

    drafts = {o.vendor_id: o for o in session.exec(select(PurchaseOrder).where(PurchaseOrder.status == "draft"))}
    assert set(drafts) == {acme.id, beta.id, zeta.id}
    assert order_ids == [drafts[acme.id].id, tape_draft.id, drafts[zeta.id].id]
    assert lines_of(session, drafts[acme.id].id) == {"Flu vaccine": (8, 0), "Gauze": (11, 0)}
    assert lines_of(session, tape_draft.id) == {"Masks": (4, 0), "Tape": (3, 0)}
    assert lines_of(session, drafts[zeta.id].id) == {"Gloves": (18, 0)}
    assert (tape_draft.version, drafts[acme.id].version, drafts[acme.id].created_on) == (2, 1, TODAY)
    line_costs = {x.name: x.unit_cost_cents for x in purchasing.order_detail(session, drafts[acme.id].id).lines}
    assert line_costs == {"Flu vaccine": 2000, "Gauze": 250}
    events = audit_events(session)[events_before:]
    assert [(e.entity, e.entity_id, e.action, c) for e, c in events] == [
        ("purchase_order", drafts[acme.id].id, "draft", {"lines": {"Flu vaccine": 8, "Gauze": 11}}),
        ("purchase_order", tape_draft.id, "draft", {"lines": {"Masks": 4}}),
        ("purchase_order", drafts[zeta.id].id, "draft", {"lines": {"Gloves": 18}}),
    ]
    # what is left: only the item without a vendor; a second run drafts nothing more
    assert [(g.vendor, [x.name for x in g.lines]) for g in purchasing.reorder(session, TODAY)] == [
        ("No vendor set", ["Paper"])]
    assert purchasing.draft_orders(session, TODAY, now=NOW, actor=ACTOR) == []
    assert len(session.exec(select(PurchaseOrderLine)).all()) == 7


# --- orders -------------------------------------------------------------------------------------------


@pytest.fixture
def order(session):
    """A draft at Acme: 10 Tdap (lot-tracked, $30.00) and 100 gloves ($0.10)."""
    acme = make_vendor(session, name="Acme Medical", phone="(555) 010-0000", account_number="AC-7")
    tdap = make_item(session, name="Tdap", category=ItemCategory.vaccine, tracks_lots=True, unit_cost_cents=3000)
    gloves = make_item(session, name="Gloves", quantity=5, unit_cost_cents=10)
    return make_order(session, acme, [(tdap, 10), (gloves, 100)])


def line_ids(session, order) -> dict[str, int]:
    return {x.name: x.line_id for x in purchasing.order_detail(session, order.id).lines}


def test_order_detail_and_orders_list(session, order):
    detail = purchasing.order_detail(session, order.id)

    assert (detail.order.vendor, detail.order.status, detail.order.lines, detail.order.total_cents) == (
        "Acme Medical", OrderStatus.draft, 2, 31_000)
    assert (detail.vendor_phone, detail.account_number) == ("(555) 010-0000", "AC-7")
    assert [(x.name, x.quantity, x.cost_cents, x.remaining, x.tracks_lots) for x in detail.lines] == [
        ("Gloves", 100, 1000, 100, False), ("Tdap", 10, 30_000, 10, True)]
    done = make_order(session, make_vendor(session, name="Old"), [], status=OrderStatus.received)
    assert [o.order_id for o in purchasing.orders(session)] == [order.id]
    assert [o.order_id for o in purchasing.orders(session, open_only=False)] == [done.id, order.id]
    with pytest.raises(ServiceError, match="that order no longer exists"):
        purchasing.order_detail(session, 9999)


def test_place_marks_a_draft_ordered_today(session, order):
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)

    session.rollback()  # what was committed
    stored = session.get(PurchaseOrder, order.id)
    assert (stored.status, stored.ordered_on, stored.version) == (OrderStatus.ordered, TODAY, 2)
    [(event, changes)] = audit_events(session)
    assert (event.entity, event.entity_id, event.action) == ("purchase_order", order.id, "place")
    assert changes == {"status": ["draft", "ordered"], "over_budget": []}
    tdap = next(r for r in inventory.stock(session, TODAY) if r.name == "Tdap")
    assert (tdap.on_order, tdap.in_draft) == (10, False)


def test_place_refuses_an_empty_order_a_placed_one_and_a_stale_version(session, order):
    empty = make_order(session, order_vendor(session, order), [])
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=None)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="^this order has no lines; add an item or cancel it$"):
        purchasing.place(session, empty.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    with pytest.raises(ServiceError, match="^this order is already ordered$"):
        purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=2)
    with pytest.raises(StaleEdit):
        purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)

    assert snapshot(session) == before


def order_vendor(session, order):
    from officemgr.models import Vendor

    return session.get(Vendor, order.vendor_id)


def test_place_over_the_months_budget_raises_overbudget_unless_confirmed(session, order):
    plan_budget(session, 2026, {"medical_supplies": 10_000, "vaccines": 30_000})
    vendor = order_vendor(session, order)
    earlier = make_item(session, name="Flu", category=ItemCategory.vaccine, tracks_lots=True, unit_cost_cents=1250)
    make_order(session, vendor, [(earlier, 4)], status=OrderStatus.ordered, ordered_on=date(2026, 11, 2))  # $50
    before = snapshot(session)

    assert purchasing.over_budget(session, order.id, TODAY) == [
        "Vaccines: $50.00 of $300.00 spent in November; this order adds $300.00, $50.00 over budget"]
    with pytest.raises(OverBudget) as refused:
        purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    assert str(refused.value) == (
        "Vaccines: $50.00 of $300.00 spent in November; this order adds $300.00, $50.00 over budget")
    assert isinstance(refused.value, ServiceError)
    assert snapshot(session) == before

    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1, over_budget_ok=True)

    session.rollback()
    assert session.get(PurchaseOrder, order.id).status == OrderStatus.ordered
    event, changes = audit_events(session)[-1]
    assert (event.action, changes["over_budget"]) == ("place", [str(refused.value)])
    vaccine = next(x for x in purchasing.budget(session, TODAY).month_lines if x.category == BudgetCategory.vaccines)
    assert (vaccine.spent_cents, vaccine.left_cents) == (35_000, -5_000)


def set_plan(session, category, cents, month=11):
    row = session.exec(select(BudgetAmount).where(BudgetAmount.category == category, BudgetAmount.month == month)
                       ).first() or BudgetAmount(year=2026, month=month, category=category, amount_cents=0)
    row.amount_cents = cents
    session.add(row)
    session.commit()


def test_over_budget_names_each_category_and_ignores_those_without_a_budget(session, order):
    set_plan(session, BudgetCategory.medical_supplies, 500)
    set_plan(session, BudgetCategory.vaccines, 0)
    set_plan(session, BudgetCategory.vaccines, 100, month=12)  # another month's plan is not this month's
    assert purchasing.over_budget(session, order.id, TODAY) == [
        "Medical supplies: $0.00 of $5.00 spent in November; this order adds $10.00, $5.00 over budget"]
    set_plan(session, BudgetCategory.medical_supplies, 1_000)
    set_plan(session, BudgetCategory.vaccines, 30_000)
    assert purchasing.over_budget(session, order.id, TODAY) == []  # exactly at budget is not over


def test_no_operating_budget_for_the_month_means_no_warning(session, order):
    plan_budget(session, 2026, {"vaccines": 1}, months=range(10, 11))  # October only
    summary = purchasing.budget(session, TODAY)
    assert not summary.planned
    assert purchasing.over_budget(session, order.id, TODAY) == []
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    assert session.get(PurchaseOrder, order.id).status == OrderStatus.ordered


def receive(session, order, **quantities_and_data):
    ids = line_ids(session, order)
    receipts = [LineReceipt(ids[name], data if isinstance(data, ReceiveCreate) else ReceiveCreate(quantity=data))
                for name, data in quantities_and_data.items()]
    return purchasing.receive(session, order.id, receipts, today=TODAY, now=NOW, actor=ACTOR)


def test_receive_part_then_the_rest(session, order):
    purchasing.place(session, order.id, today=days(-7), now=NOW, actor=ACTOR, expected_version=1)

    status = receive(session, order, Tdap=ReceiveCreate(quantity=4, lot_number="T1", expires=days(300)), Gloves=100)

    assert status == OrderStatus.partly_received
    session.rollback()
    stored = session.get(PurchaseOrder, order.id)
    assert (stored.status, stored.received_on, stored.version) == (OrderStatus.partly_received, None, 3)
    assert lines_of(session, order.id) == {"Gloves": (100, 100), "Tdap": (10, 4)}
    assert sorted((lot.lot_number, lot.quantity, lot.received_on) for lot in session.exec(select(StockLot))
                  if lot.lot_number) == [("T1", 4, TODAY)]
    [gloves_lot] = [lot for lot in session.exec(select(StockLot)) if lot.lot_number is None]
    assert gloves_lot.quantity == 105
    assert sorted((m.kind, m.quantity, m.order_id, m.reason) for m in session.exec(select(StockMovement))) == [
        (MovementKind.receive, 4, order.id, f"Order {order.id}"),
        (MovementKind.receive, 100, order.id, f"Order {order.id}")]
    event, changes = audit_events(session)[-1]
    assert (event.entity, event.entity_id, event.action) == ("purchase_order", order.id, "receive")
    assert changes == {"status": ["ordered", "partly_received"], "received": {"Gloves": 100, "Tdap": 4}}
    tdap = next(r for r in inventory.stock(session, TODAY) if r.name == "Tdap")
    assert (tdap.on_hand, tdap.on_order) == (4, 6)
    assert [o.order_id for o in purchasing.orders(session)] == [order.id]

    status = receive(session, order, Tdap=ReceiveCreate(quantity=6, lot_number="T2", expires=days(400)))

    assert status == OrderStatus.received
    session.rollback()
    stored = session.get(PurchaseOrder, order.id)
    assert (stored.status, stored.received_on, stored.ordered_on) == (OrderStatus.received, TODAY, days(-7))
    assert lines_of(session, order.id) == {"Gloves": (100, 100), "Tdap": (10, 10)}
    tdap = next(r for r in inventory.stock(session, TODAY) if r.name == "Tdap")
    assert (tdap.on_hand, tdap.on_order) == (10, 0)
    assert purchasing.orders(session) == []
    assert audit_events(session)[-1][1]["status"] == ["partly_received", "received"]


def test_over_receipt_is_refused_and_nothing_is_saved(session, order):
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    receive(session, order, Gloves=60)
    before = snapshot(session)

    with pytest.raises(ServiceError) as refused:
        receive(session, order, Tdap=ReceiveCreate(quantity=10, lot_number="T1", expires=days(300)), Gloves=41)

    assert str(refused.value) == "Gloves: only 40 still expected on this order, not 41; nothing was received"
    assert snapshot(session) == before


def test_a_lot_problem_on_one_line_saves_no_line(session, order):
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="Tdap is tracked by lot: enter the lot number"):
        receive(session, order, Gloves=100, Tdap=5)

    assert snapshot(session) == before


def test_receiving_a_draft_a_cancelled_or_a_received_order_is_refused(session, order):
    vendor = order_vendor(session, order)
    gloves = next(x for x in purchasing.order_detail(session, order.id).lines if x.name == "Gloves")
    cancelled = make_order(session, vendor, [(make_item(session, name="Gauze"), 5)], status=OrderStatus.cancelled)
    received = make_order(session, vendor, [(make_item(session, name="Tape"), 5, 5)], status=OrderStatus.received)
    before = snapshot(session)

    for target, state in ((order, "draft"), (cancelled, "cancelled"), (received, "received")):
        [line] = [x.line_id for x in purchasing.order_detail(session, target.id).lines][:1]
        with pytest.raises(ServiceError, match=f"^this order is {state}; only an ordered one can be received$"):
            purchasing.receive(session, target.id, [LineReceipt(line, ReceiveCreate(quantity=1))], today=TODAY,
                               now=NOW, actor=ACTOR)
    assert gloves.received == 0
    assert snapshot(session) == before


def test_receive_refuses_no_lines_and_a_line_of_another_order(session, order):
    vendor = order_vendor(session, order)
    other = make_order(session, vendor, [(make_item(session, name="Gauze"), 5)], status=OrderStatus.ordered)
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    foreign = purchasing.order_detail(session, other.id).lines[0].line_id
    before = snapshot(session)

    with pytest.raises(ServiceError, match="enter the quantity received for at least one line"):
        purchasing.receive(session, order.id, [], today=TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="that line is no longer on the order"):
        purchasing.receive(session, order.id, [LineReceipt(foreign, ReceiveCreate(quantity=1))], today=TODAY,
                           now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_cancel_needs_a_reason_and_keeps_what_was_received(session, order):
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    receive(session, order, Gloves=30)
    before = snapshot(session)

    for reason in ("", "   "):
        with pytest.raises(ServiceError, match="say why the order is cancelled"):
            purchasing.cancel(session, order.id, reason=reason, now=NOW, actor=ACTOR, expected_version=3)
    with pytest.raises(StaleEdit):
        purchasing.cancel(session, order.id, reason="Backordered", now=NOW, actor=ACTOR, expected_version=2)
    assert snapshot(session) == before

    purchasing.cancel(session, order.id, reason=" Backordered ", now=NOW, actor=ACTOR, expected_version=3)

    session.rollback()
    stored = session.get(PurchaseOrder, order.id)
    assert (stored.status, stored.note, stored.version) == (OrderStatus.cancelled, "Backordered", 4)
    assert lines_of(session, order.id) == {"Gloves": (100, 30), "Tdap": (10, 0)}
    rows = {r.name: r for r in inventory.stock(session, TODAY)}
    assert (rows["Gloves"].on_hand, rows["Gloves"].on_order) == (35, 0)
    assert (rows["Tdap"].on_hand, rows["Tdap"].on_order) == (0, 0)
    event, changes = audit_events(session)[-1]
    assert (event.action, changes) == ("cancel", {"status": ["partly_received", "cancelled"], "reason": "Backordered"})
    with pytest.raises(ServiceError, match="^this order is already cancelled$"):
        purchasing.cancel(session, order.id, reason="again", now=NOW, actor=ACTOR, expected_version=None)


def test_a_draft_can_be_cancelled_and_a_received_order_cannot(session, order):
    purchasing.cancel(session, order.id, reason="Ordered elsewhere", now=NOW, actor=ACTOR, expected_version=1)
    assert session.get(PurchaseOrder, order.id).status == OrderStatus.cancelled
    done = make_order(session, order_vendor(session, order), [(make_item(session, name="Tape"), 5, 5)],
                      status=OrderStatus.received)
    with pytest.raises(ServiceError, match="^this order is already received$"):
        purchasing.cancel(session, done.id, reason="too late", now=NOW, actor=ACTOR, expected_version=None)


def test_set_quantity_changes_a_draft_line_and_zero_removes_it(session, order):
    ids = line_ids(session, order)

    purchasing.set_quantity(session, ids["Gloves"], 250, now=NOW, actor=ACTOR)
    purchasing.set_quantity(session, ids["Tdap"], 0, now=NOW, actor=ACTOR)

    session.rollback()
    assert lines_of(session, order.id) == {"Gloves": (250, 0)}
    assert session.get(PurchaseOrderLine, ids["Tdap"]) is None
    assert session.get(PurchaseOrder, order.id).version == 3
    gloves_id = session.get(PurchaseOrderLine, ids["Gloves"]).item_id
    tdap_id = session.exec(select(Item).where(Item.name == "Tdap")).one().id
    assert [(e.entity_id, e.action, c) for e, c in audit_events(session)] == [
        (order.id, "update", {f"item {gloves_id}": [100, 250]}), (order.id, "update", {f"item {tdap_id}": [10, 0]})]


def test_set_quantity_refuses_a_line_someone_else_changed_since_it_was_read(session, order):
    ids = line_ids(session, order)
    purchasing.set_quantity(session, ids["Gloves"], 150, now=NOW, actor="other desk", was=100)

    with pytest.raises(StaleEdit):
        purchasing.set_quantity(session, ids["Gloves"], 120, now=NOW, actor=ACTOR, was=100)

    session.rollback()
    assert lines_of(session, order.id)["Gloves"] == (150, 0)


def test_set_quantity_refuses_a_bad_quantity_a_missing_line_and_a_placed_order(session, order):
    ids = line_ids(session, order)
    for quantity in (-1, 100_001):
        with pytest.raises(ServiceError, match="a quantity is a whole number from 0 to 100,000"):
            purchasing.set_quantity(session, ids["Gloves"], quantity, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="that line is no longer on the order"):
        purchasing.set_quantity(session, 9999, 1, now=NOW, actor=ACTOR)
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="^this order is ordered; only a draft can be changed$"):
        purchasing.set_quantity(session, ids["Gloves"], 5, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="^this order is ordered; only a draft can be changed$"):
        purchasing.set_quantity(session, ids["Gloves"], 0, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_add_line_adds_an_item_at_its_cost_or_to_its_line(session, order):
    gauze = make_item(session, name="Gauze", unit_cost_cents=325)
    gloves_id = next(x.item_id for x in purchasing.order_detail(session, order.id).lines if x.name == "Gloves")

    purchasing.add_line(session, order.id, gauze.id, 12, now=NOW, actor=ACTOR)
    purchasing.add_line(session, order.id, gloves_id, 50, now=NOW, actor=ACTOR)

    session.rollback()
    detail = purchasing.order_detail(session, order.id)
    assert [(x.name, x.quantity, x.unit_cost_cents) for x in detail.lines] == [
        ("Gauze", 12, 325), ("Gloves", 150, 10), ("Tdap", 10, 3000)]
    assert (detail.order.version, detail.order.total_cents) == (3, 12 * 325 + 1500 + 30_000)
    assert [c for _, c in audit_events(session)] == [{f"item {gauze.id}": 12}, {f"item {gloves_id}": 150}]


def test_add_line_refuses_a_bad_quantity_a_retired_item_and_a_placed_order(session, order):
    gauze = make_item(session, name="Gauze")
    retired = make_item(session, name="Old gauze", active=False)
    before = snapshot(session)
    for quantity in (0, -2, 100_001):
        with pytest.raises(ServiceError, match="a quantity is a whole number from 1 to 100,000"):
            purchasing.add_line(session, order.id, gauze.id, quantity, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="that item no longer exists"):
        purchasing.add_line(session, order.id, retired.id, 1, now=NOW, actor=ACTOR)
    assert snapshot(session) == before
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="only a draft can be changed"):
        purchasing.add_line(session, order.id, gauze.id, 1, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


# --- budget -------------------------------------------------------------------------------------------


def test_budget_rolls_up_placed_orders_by_budget_category_for_the_month_and_the_year(session):
    plan_budget(session, 2026, {"medical_supplies": 100_000, "vaccines": 500_000, "supplies": 5_000, "rent": 9})
    vendor = make_vendor(session)
    gloves = make_item(session, name="Gloves", unit_cost_cents=1_000)  # clinical, $10
    tdap = make_item(session, name="Tdap", category=ItemCategory.vaccine, tracks_lots=True, unit_cost_cents=5_000)
    ibuprofen = make_item(session, name="Ibuprofen", category=ItemCategory.medication, unit_cost_cents=100)
    make_order(session, vendor, [(gloves, 7), (tdap, 2)], status=OrderStatus.ordered, ordered_on=date(2026, 11, 1))
    make_order(session, vendor, [(gloves, 5, 2)], status=OrderStatus.partly_received, ordered_on=date(2026, 11, 30))
    make_order(session, vendor, [(ibuprofen, 30)], status=OrderStatus.ordered, ordered_on=date(2026, 11, 15))
    make_order(session, vendor, [(gloves, 100)])  # draft: not spent
    make_order(session, vendor, [(tdap, 10, 3)], status=OrderStatus.cancelled, ordered_on=TODAY)  # only 3 arrived
    make_order(session, vendor, [(tdap, 4)], status=OrderStatus.cancelled, ordered_on=None)  # a cancelled draft
    make_order(session, vendor, [(gloves, 20, 20)], status=OrderStatus.received, ordered_on=date(2026, 10, 31))
    make_order(session, vendor, [(tdap, 1, 1)], status=OrderStatus.received, ordered_on=date(2026, 1, 1))
    make_order(session, vendor, [(gloves, 1000, 1000)], status=OrderStatus.received, ordered_on=date(2025, 12, 31))
    make_order(session, vendor, [(gloves, 1000)], status=OrderStatus.ordered, ordered_on=date(2026, 12, 1))

    summary = purchasing.budget(session, TODAY)

    assert (summary.month, summary.planned) == (date(2026, 11, 1), True)
    month = {x.category: (x.budget_cents, x.spent_cents) for x in summary.month_lines}
    year = {x.category: (x.budget_cents, x.spent_cents) for x in summary.year_lines}
    # Clinical and medication both count against medical supplies; rent is no supply category.
    assert month == {BudgetCategory.supplies: (5_000, 0), BudgetCategory.medical_supplies: (100_000, 15_000),
                     BudgetCategory.vaccines: (500_000, 25_000)}
    assert year == {BudgetCategory.supplies: (60_000, 0),
                    BudgetCategory.medical_supplies: (1_200_000, 35_000 + 1_000_000),
                    BudgetCategory.vaccines: (6_000_000, 30_000)}
    assert [x.category for x in summary.month_lines] == [BudgetCategory.supplies, BudgetCategory.medical_supplies,
                                                         BudgetCategory.vaccines]
    total = purchasing.BudgetSummary.total(summary.month_lines)
    assert (total.budget_cents, total.spent_cents, total.left_cents) == (605_000, 40_000, 565_000)
    assert purchasing.BudgetSummary.total([]) is None


def test_budget_in_december_ends_with_the_year(session):
    plan_budget(session, 2026, {"medical_supplies": 250_000}, months=range(12, 13))
    plan_budget(session, 2027, {"medical_supplies": 7})
    vendor = make_vendor(session)
    gloves = make_item(session, name="Gloves", unit_cost_cents=100)
    make_order(session, vendor, [(gloves, 3)], status=OrderStatus.ordered, ordered_on=date(2026, 12, 31))
    make_order(session, vendor, [(gloves, 5)], status=OrderStatus.ordered, ordered_on=date(2027, 1, 1))

    summary = purchasing.budget(session, date(2026, 12, 15))

    [medical] = summary.month_lines
    assert (medical.category, medical.budget_cents, medical.spent_cents) == (
        BudgetCategory.medical_supplies, 250_000, 300)
    [year] = summary.year_lines
    assert (year.budget_cents, year.spent_cents) == (250_000, 300)


def test_without_an_operating_budget_spend_is_shown_against_nothing(session):
    vendor = make_vendor(session)
    gloves = make_item(session, name="Gloves", unit_cost_cents=100)
    make_order(session, vendor, [(gloves, 3)], status=OrderStatus.ordered, ordered_on=date(2026, 11, 1))

    summary = purchasing.budget(session, TODAY)

    assert not summary.planned
    assert [(x.category, x.budget_cents, x.spent_cents) for x in summary.month_lines] == [
        (BudgetCategory.medical_supplies, 0, 300)]


def test_one_delivery_of_a_line_in_two_lots(session, order):
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    tdap = line_ids(session, order)["Tdap"]
    receipts = [LineReceipt(tdap, ReceiveCreate(quantity=4, lot_number="A1", expires=days(100))),
                LineReceipt(tdap, ReceiveCreate(quantity=6, lot_number="B2", expires=days(200)))]

    assert purchasing.receive(session, order.id, receipts, today=TODAY, now=NOW, actor=ACTOR) == (
        OrderStatus.partly_received)

    session.rollback()
    assert lines_of(session, order.id)["Tdap"] == (10, 10)
    assert sorted((lot.lot_number, lot.quantity) for lot in session.exec(select(StockLot)) if lot.lot_number) == [
        ("A1", 4), ("B2", 6)]
    assert audit_events(session)[-1][1]["received"] == {"Tdap": 10}
    with pytest.raises(ServiceError, match="^Tdap: only 0 still expected on this order, not 4; nothing was received$"):
        purchasing.receive(session, order.id, receipts[:1], today=TODAY, now=NOW, actor=ACTOR)


def test_two_receipts_for_one_line_together_may_not_exceed_what_is_expected(session, order):
    purchasing.place(session, order.id, today=TODAY, now=NOW, actor=ACTOR, expected_version=1)
    tdap = line_ids(session, order)["Tdap"]
    before = snapshot(session)

    with pytest.raises(ServiceError, match="^Tdap: only 4 still expected on this order, not 6; nothing was received$"):
        purchasing.receive(session, order.id, [
            LineReceipt(tdap, ReceiveCreate(quantity=6, lot_number="A1", expires=days(100))),
            LineReceipt(tdap, ReceiveCreate(quantity=6, lot_number="B2", expires=days(200)))],
            today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before
