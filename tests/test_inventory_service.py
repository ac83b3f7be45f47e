from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, at, audit_events, make_item, make_lot, make_movement, make_order, make_vendor
from officemgr.models import Item, ItemCategory, ItemCreate, MovementKind, OrderStatus, StockLot
from officemgr.services import inventory
from officemgr.services.common import ServiceError, StaleEdit


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_stock_on_hand_is_the_sum_of_lots_and_next_expiry_ignores_empty_lots(session):
    vendor = make_vendor(session, name="McKesson")
    flu = make_item(
        session, name="Influenza vaccine", category=ItemCategory.vaccine, tracks_lots=True, par=20, reorder_point=5,
        vendor=vendor,
        lots=[("EMPTY1", days(5), 0), ("B2", days(40), 3), ("C3", days(200), 4), ("EMPTY2", days(-3), 0)],
    )
    gloves = make_item(session, name="Gloves M", category=ItemCategory.clinical, quantity=12, par=10,
                       reorder_point=4)
    make_item(session, name="Retired thing", quantity=1, active=False)

    rows = {r.name: r for r in inventory.stock(session, TODAY)}

    assert set(rows) == {"Influenza vaccine", "Gloves M"}
    flu_row = rows["Influenza vaccine"]
    assert (flu_row.item_id, flu_row.on_hand, flu_row.next_expiry, flu_row.vendor) == (flu.id, 7, days(40), "McKesson")
    assert (flu_row.par, flu_row.reorder_point, flu_row.category, flu_row.unit) == (20, 5, ItemCategory.vaccine, "each")
    glove_row = rows["Gloves M"]
    assert (glove_row.item_id, glove_row.on_hand, glove_row.next_expiry, glove_row.vendor) == (gloves.id, 12, None, "")


def test_stock_counts_an_item_without_lots_as_zero_and_orders_by_category_then_name(session):
    make_item(session, name="Zeta pads", category=ItemCategory.clinical, quantity=3)
    make_item(session, name="Alpha paper", category=ItemCategory.office, quantity=3)
    bare = make_item(session, name="Alpha swabs", category=ItemCategory.clinical, tracks_lots=True)  # no lots yet

    rows = inventory.stock(session, TODAY)

    assert [r.name for r in rows] == ["Alpha swabs", "Zeta pads", "Alpha paper"]
    assert (rows[0].item_id, rows[0].on_hand, rows[0].next_expiry) == (bare.id, 0, None)


def test_below_reorder_point_and_suggested_order(session):
    make_item(session, name="Under", quantity=2, reorder_point=5, par=20)
    make_item(session, name="At", quantity=5, reorder_point=5, par=20)
    make_item(session, name="Above", quantity=6, reorder_point=5, par=20)
    make_item(session, name="Lots", tracks_lots=True, reorder_point=10, par=30,
              lots=[("L1", days(30), 4), ("L2", days(60), 5)])

    low = {r.name: r for r in inventory.below_reorder_point(session, TODAY)}

    assert set(low) == {"Under", "At", "Lots"}
    assert {name: (r.on_hand, r.suggested_order) for name, r in low.items()} == {
        "Under": (2, 18), "At": (5, 15), "Lots": (9, 21)}
    above = next(r for r in inventory.stock(session, TODAY) if r.name == "Above")
    assert (above.low, above.suggested_order) == (False, 0)


def test_lots_expiring_lists_lots_on_hand_soonest_first(session):
    vax = make_item(session, name="Tdap", category=ItemCategory.vaccine, tracks_lots=True,
                    lots=[("LATE", days(120), 5), ("SOON", days(10), 2), ("PAST", days(-1), 1), ("EMPTY", days(3), 0),
                          ("EDGE", days(90), 1)])
    epi = make_item(session, name="Epinephrine", category=ItemCategory.medication, tracks_lots=True,
                    lots=[("E1", days(30), 2)])
    make_item(session, name="Paper", quantity=100)  # no expiry

    rows = inventory.lots_expiring(session, TODAY)

    assert [(r.item_name, r.lot_number, r.days_left, r.quantity) for r in rows] == [
        ("Tdap", "PAST", -1, 1),
        ("Tdap", "SOON", 10, 2),
        ("Epinephrine", "E1", 30, 2),
        ("Tdap", "EDGE", 90, 1),
    ]
    assert rows[0].item_id == vax.id and rows[2].item_id == epi.id
    assert rows[1].expires == days(10)
    assert [r.lot_number for r in inventory.lots_expiring(session, TODAY, within_days=10)] == ["PAST", "SOON"]


# --- add_item / update_item ---------------------------------------------------------------------------


def _item_input(**overrides) -> ItemCreate:
    values = dict(name=" Exam table paper ", category=ItemCategory.clinical, unit="roll", par=24, reorder_point=6,
                  sku=" ETP-21 ", unit_cost_cents=1250)
    values.update(overrides)
    return ItemCreate(**values)


def test_add_item_creates_the_unnamed_lot_for_an_item_without_lots_and_audits(session):
    item = inventory.add_item(session, _item_input(), now=NOW, actor=ACTOR)

    stored = session.exec(select(Item)).one()
    assert (stored.id, stored.name, stored.sku, stored.unit, stored.version) == (
        item.id, "Exam table paper", "ETP-21", "roll", 1)
    [lot] = session.exec(select(StockLot)).all()
    assert (lot.item_id, lot.lot_number, lot.expires, lot.quantity) == (item.id, None, None, 0)
    [row] = inventory.stock(session, TODAY)
    assert (row.on_hand, row.low, row.suggested_order) == (0, True, 24)
    [(event, changes)] = audit_events(session)
    assert (event.actor, event.entity, event.entity_id, event.action, event.at) == (
        ACTOR, "item", item.id, "create", NOW)
    assert changes["name"] == "Exam table paper"
    assert changes["category"] == "clinical"
    assert changes["par"] == 24 and changes["reorder_point"] == 6
    assert changes["unit_cost_cents"] == 1250
    assert changes["tracks_lots"] is False


def test_an_item_is_read_as_a_frozen_record_of_its_settings(session):
    vendor = make_vendor(session, name="Henry Schein")
    added = inventory.add_item(session, _item_input(vendor_id=vendor.id, location=" Closet B "), now=NOW, actor=ACTOR)

    record = inventory.item(session, added.id)

    assert record == added
    assert record == inventory.ItemRecord(added.id, 1, "Exam table paper", ItemCategory.clinical, "roll", 24, 6,
                                          vendor.id, "ETP-21", 1250, False, "Closet B", True)
    with pytest.raises(FrozenInstanceError):
        record.par = 30  # type: ignore[misc]
    assert inventory.item(session, added.id + 1) is None


def test_vendors_are_listed_by_name_as_plain_rows(session):
    zeta = make_vendor(session, name="Zeta Supply")
    acme = make_vendor(session, name="Acme Medical")

    assert inventory.vendors(session) == [inventory.VendorRow(acme.id, "Acme Medical"),
                                          inventory.VendorRow(zeta.id, "Zeta Supply")]


def test_add_item_that_tracks_lots_starts_with_no_lot(session):
    item = inventory.add_item(session, _item_input(name="MMR vaccine", category=ItemCategory.vaccine,
                                                   tracks_lots=True), now=NOW, actor=ACTOR)
    assert session.exec(select(StockLot)).all() == []
    make_lot(session, item, lot_number="X1", expires=days(100), quantity=10)
    [row] = inventory.stock(session, TODAY)
    assert (row.on_hand, row.next_expiry) == (10, days(100))


def test_add_item_refuses_a_duplicate_name_whatever_the_case(session):
    inventory.add_item(session, _item_input(), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="there is already an item called EXAM TABLE PAPER"):
        inventory.add_item(session, _item_input(name="EXAM TABLE PAPER"), now=NOW, actor=ACTOR)
    session.rollback()
    assert len(session.exec(select(Item)).all()) == 1
    assert len(session.exec(select(StockLot)).all()) == 1
    assert len(audit_events(session)) == 1


def test_update_item_records_changes_and_refuses_clashes_and_stale_versions(session):
    paper = inventory.add_item(session, _item_input(), now=NOW, actor=ACTOR)
    inventory.add_item(session, _item_input(name="Gowns"), now=NOW, actor=ACTOR)

    updated = inventory.update_item(session, paper.id, _item_input(par=30, reorder_point=10), now=NOW, actor="owner",
                                    expected_version=1)
    assert (updated.par, updated.reorder_point, updated.version) == (30, 10, 2)
    event, changes = audit_events(session, "item")[-1]
    assert (event.action, event.actor, event.entity_id) == ("update", "owner", paper.id)
    assert changes == {"par": [24, 30], "reorder_point": [6, 10]}

    with pytest.raises(ServiceError, match="already an item called gowns"):
        inventory.update_item(session, paper.id, _item_input(name="gowns"), now=NOW, actor=ACTOR,
                              expected_version=2)
    session.rollback()
    with pytest.raises(StaleEdit):
        inventory.update_item(session, paper.id, _item_input(par=50), now=NOW, actor=ACTOR, expected_version=1)
    session.rollback()
    stored = session.get(Item, paper.id)
    assert (stored.name, stored.par, stored.version) == ("Exam table paper", 30, 2)
    assert len(audit_events(session)) == 3


# --- stock: expired, on order, in draft, daily use ----------------------------------------------------


def test_stock_counts_only_unexpired_lots_as_on_hand_and_shows_the_expired_apart(session):
    make_item(session, name="Tdap", category=ItemCategory.vaccine, tracks_lots=True, par=10, reorder_point=5,
              lots=[("OLD", days(-1), 30), ("TODAY", TODAY, 2), ("NEW", days(60), 1), ("GONE", days(-9), 0)])

    [row] = inventory.stock(session, TODAY)

    assert (row.on_hand, row.expired, row.next_expiry) == (3, 30, TODAY)
    assert (row.low, row.suggested_order) == (True, 7)
    [tomorrow] = inventory.stock(session, days(1))
    assert (tomorrow.on_hand, tomorrow.expired, tomorrow.next_expiry) == (1, 32, days(60))


def test_stock_on_order_is_what_placed_orders_still_expect_and_drafts_only_flag_the_item(session):
    vendor = make_vendor(session)
    gauze = make_item(session, name="Gauze", quantity=2, par=30, reorder_point=5)
    tape = make_item(session, name="Tape", quantity=1, par=10, reorder_point=5)
    pads = make_item(session, name="Pads", quantity=0, par=10, reorder_point=5)
    make_order(session, vendor, [(gauze, 10)], status=OrderStatus.ordered)
    make_order(session, vendor, [(gauze, 8, 5), (tape, 4, 4)], status=OrderStatus.partly_received)
    make_order(session, vendor, [(gauze, 50, 20)], status=OrderStatus.cancelled)
    make_order(session, vendor, [(gauze, 70, 70)], status=OrderStatus.received)
    make_order(session, vendor, [(tape, 99), (pads, 3)])  # a draft

    rows = {r.name: r for r in inventory.stock(session, TODAY)}

    assert {n: (r.on_order, r.in_draft) for n, r in rows.items()} == {
        "Gauze": (13, False), "Tape": (0, True), "Pads": (0, True)}
    # par - on hand - on order; a draft is not on order yet
    assert {n: r.suggested_order for n, r in rows.items()} == {"Gauze": 15, "Tape": 9, "Pads": 10}
    assert rows["Gauze"].low


def test_suggested_order_is_zero_when_what_is_on_order_reaches_par(session):
    gauze = make_item(session, name="Gauze", quantity=2, par=10, reorder_point=5)
    make_order(session, make_vendor(session), [(gauze, 9)], status=OrderStatus.ordered)

    [row] = inventory.stock(session, TODAY)

    assert (row.low, row.on_order, row.suggested_order) == (True, 9, 0)


def test_daily_use_counts_use_in_the_90_days_before_today_only(session):
    gloves = make_item(session, name="Gloves", quantity=45)
    counted = [at(9, day=days(-1)), datetime.combine(days(-90), datetime.min.time()), at(23, 59, day=days(-45))]
    for when, quantity in zip(counted, (-9, -6, -3), strict=True):
        make_movement(session, gloves, at=when, quantity=quantity)
    make_movement(session, gloves, at=at(23, 59, day=days(-91)), quantity=-500)  # before the window
    make_movement(session, gloves, at=at(8), quantity=-100)  # today: not a whole day yet
    make_movement(session, gloves, kind=MovementKind.waste, at=at(9, day=days(-5)), quantity=-40)
    make_movement(session, gloves, kind=MovementKind.receive, at=at(9, day=days(-10)), quantity=200)
    make_movement(session, gloves, kind=MovementKind.adjust, at=at(9, day=days(-10)), quantity=-7)
    other = make_item(session, name="Gowns", quantity=8)
    make_movement(session, other, kind=MovementKind.receive, at=at(9, day=days(-120)), quantity=98)
    make_movement(session, other, at=at(9, day=days(-1)), quantity=-90)

    rows = {r.name: r for r in inventory.stock(session, TODAY)}

    assert rows["Gloves"].daily_use == pytest.approx(18 / 90)
    assert rows["Gloves"].days_left == pytest.approx(45 / (18 / 90))  # 225 days
    assert rows["Gowns"].daily_use == pytest.approx(1.0)
    assert rows["Gowns"].days_left == pytest.approx(8.0)


def test_daily_use_of_an_item_stocked_recently_is_averaged_over_the_days_since(session):
    new = make_item(session, name="New gloves", quantity=30)
    make_movement(session, new, kind=MovementKind.receive, at=at(9, day=days(-10)), quantity=50)
    make_movement(session, new, at=at(17, day=days(-2)), quantity=-20)

    [row] = inventory.stock(session, TODAY)

    assert row.daily_use == pytest.approx(20 / 10)
    assert row.days_left == pytest.approx(15.0)


def test_days_left_is_none_without_use_and_zero_when_nothing_is_left(session):
    make_item(session, name="Unused", quantity=12)
    empty = make_item(session, name="Empty", quantity=0)
    make_movement(session, empty, at=at(9, day=days(-3)), quantity=-9)

    rows = {r.name: r for r in inventory.stock(session, TODAY)}

    assert (rows["Unused"].daily_use, rows["Unused"].days_left) == (0, None)
    assert (rows["Empty"].daily_use, rows["Empty"].days_left) == (pytest.approx(9 / 3), 0)


def test_stock_can_be_limited_to_some_items(session):
    keep = make_item(session, name="Keep", quantity=1)
    make_item(session, name="Skip", quantity=1)
    assert [r.item_id for r in inventory.stock(session, TODAY, item_ids=[keep.id])] == [keep.id]


def test_an_item_with_stock_cannot_switch_between_lots_and_no_lots(session):
    gloves = inventory.add_item(session, _item_input(name="Gloves"), now=NOW, actor=ACTOR)
    lot = session.exec(select(StockLot).where(StockLot.item_id == gloves.id)).one()
    lot.quantity = 4
    session.commit()
    with pytest.raises(ServiceError, match="has stock; count it down to 0"):
        inventory.update_item(session, gloves.id, _item_input(name="Gloves", tracks_lots=True), now=NOW,
                              actor=ACTOR, expected_version=1)
    session.rollback()
    assert session.get(Item, gloves.id).tracks_lots is False

    lot.quantity = 0  # an empty lot does not block the switch
    session.commit()
    switched = inventory.update_item(session, gloves.id, _item_input(name="Gloves", tracks_lots=True), now=NOW,
                                     actor=ACTOR, expected_version=1)
    assert (switched.tracks_lots, switched.version) == (True, 2)


def test_par_zero_means_not_kept_at_a_level_and_never_low(session):
    make_item(session, name="Bought when needed", quantity=0, par=0, reorder_point=0)
    [row] = inventory.stock(session, TODAY)
    assert (row.low, row.suggested_order) == (False, 0)
