"""Stock in and out (services.movements): FEFO use, waste, counts, receiving into lots."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from factories import ACTOR, NOW, TODAY, audit_events, make_item
from officemgr.models import ItemCategory, MovementKind, ReceiveCreate, StockLot, StockMovement, UseCreate
from officemgr.models.validation import parse_expiry
from officemgr.services import movements
from officemgr.services.common import ServiceError, StaleEdit


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def quantities(session, item) -> dict[str, int]:
    """Every lot of the item as {lot number: quantity}, read from the database."""
    return {lot.lot_number or "-": lot.quantity
            for lot in session.exec(select(StockLot).where(StockLot.item_id == item.id))}


def moves(session, item=None) -> list[tuple]:
    query = select(StockMovement).order_by(StockMovement.id)
    if item is not None:
        query = query.where(StockMovement.item_id == item.id)
    return [(m.kind, m.quantity, session.get(StockLot, m.lot_id).lot_number if m.lot_id else None, m.reason)
            for m in session.exec(query)]


def snapshot(session) -> tuple:
    """Everything a refused write must leave alone: lots (with versions), movements and the audit trail."""
    session.rollback()
    lots = sorted((lot.id, lot.quantity, lot.version, lot.lot_number, lot.expires)
                  for lot in session.exec(select(StockLot)))
    return lots, moves(session), [(e.action, c) for e, c in audit_events(session)]


def vaccine(session, **overrides):
    """A lot-tracked vaccine whose lots are created out of expiry order (so FEFO is not lot id order)."""
    values = dict(name="Tdap vaccine", category=ItemCategory.vaccine, tracks_lots=True, unit="dose",
                  lots=[("LATE", days(100), 2), ("MID", days(40), 5), ("SOON", days(10), 3), ("OLD", days(-1), 4)])
    values.update(overrides)
    return make_item(session, **values)


def use(quantity: int, **kw) -> UseCreate:
    return UseCreate(quantity=quantity, **kw)


# --- use: first-expiring first ------------------------------------------------------------------------


def test_use_draws_from_the_first_expiring_usable_lot_and_spills_into_the_next(session):
    item = vaccine(session)

    taken = movements.take(session, item.id, use(5), today=TODAY, now=NOW, actor=ACTOR)

    assert taken == [("SOON", 3), ("MID", 2)]
    assert quantities(session, item) == {"LATE": 2, "MID": 3, "SOON": 0, "OLD": 4}
    assert moves(session, item) == [(MovementKind.use, -3, "SOON", "Clinic use"),
                                    (MovementKind.use, -2, "MID", "Clinic use")]
    stored = session.exec(select(StockMovement)).all()
    assert {(m.at, m.actor, m.item_id, m.order_id) for m in stored} == {(NOW, ACTOR, item.id, None)}
    [(event, changes)] = audit_events(session)
    assert (event.entity, event.entity_id, event.action, event.actor, event.at) == ("item", item.id, "use", ACTOR, NOW)
    assert changes == {"quantity": 5, "lots": ["SOON: 3", "MID: 2"], "reason": "Clinic use"}


def test_use_of_everything_usable_empties_the_lots_and_keeps_the_reason_given(session):
    item = vaccine(session)

    taken = movements.take(session, item.id, use(10, reason=" Flu clinic "), today=TODAY, now=NOW, actor=ACTOR)

    assert taken == [("SOON", 3), ("MID", 5), ("LATE", 2)]
    assert quantities(session, item) == {"LATE": 0, "MID": 0, "SOON": 0, "OLD": 4}
    assert [m[3] for m in moves(session)] == ["Flu clinic"] * 3


def test_a_lot_expiring_today_is_still_used_first(session):
    item = vaccine(session, lots=[("LATER", days(30), 5), ("TODAY", TODAY, 1)])

    assert movements.take(session, item.id, use(2), today=TODAY, now=NOW, actor=ACTOR) == [("TODAY", 1), ("LATER", 1)]


def test_a_chosen_lot_draws_only_from_that_lot(session):
    item = vaccine(session)
    late = session.exec(select(StockLot).where(StockLot.lot_number == "LATE")).one()

    taken = movements.take(session, item.id, use(2, lot_id=late.id), today=TODAY, now=NOW, actor=ACTOR)

    assert taken == [("LATE", 2)]
    assert quantities(session, item) == {"LATE": 0, "MID": 5, "SOON": 3, "OLD": 4}
    assert session.get(StockLot, late.id).version == 2


def test_a_chosen_lot_with_too_little_is_refused_naming_what_it_holds(session):
    item = vaccine(session)
    late = session.exec(select(StockLot).where(StockLot.lot_number == "LATE")).one()
    before = snapshot(session)

    with pytest.raises(ServiceError, match=r"^only 2 on hand in lot LATE \(unit: dose\); nothing was recorded$"):
        movements.take(session, item.id, use(3, lot_id=late.id), today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_a_chosen_empty_lot_or_a_lot_of_another_item_is_refused(session):
    item = vaccine(session, lots=[("EMPTY", days(10), 0), ("FULL", days(20), 5)])
    other = vaccine(session, name="MMR vaccine", lots=[("MMR1", days(20), 5)])
    empty = session.exec(select(StockLot).where(StockLot.lot_number == "EMPTY")).one()
    foreign = session.exec(select(StockLot).where(StockLot.item_id == other.id)).one()
    before = snapshot(session)

    for lot in (empty, foreign):
        with pytest.raises(ServiceError, match="that lot has nothing left — reload"):
            movements.take(session, item.id, use(1, lot_id=lot.id), today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_expired_lots_are_never_used(session):
    item = vaccine(session, lots=[("OLD", days(-1), 4), ("NEW", days(30), 2)])
    before = snapshot(session)

    with pytest.raises(ServiceError, match=r"^only 2 usable on hand \(unit: dose\); nothing was recorded$"):
        movements.take(session, item.id, use(3), today=TODAY, now=NOW, actor=ACTOR)
    assert snapshot(session) == before

    assert movements.take(session, item.id, use(2), today=TODAY, now=NOW, actor=ACTOR) == [("NEW", 2)]
    assert quantities(session, item) == {"OLD": 4, "NEW": 0}


def test_a_chosen_expired_lot_is_refused_with_a_message_to_waste_it(session):
    item = vaccine(session)
    old = session.exec(select(StockLot).where(StockLot.lot_number == "OLD")).one()
    before = snapshot(session)

    with pytest.raises(ServiceError) as refused:
        movements.take(session, item.id, use(1, lot_id=old.id), today=TODAY, now=NOW, actor=ACTOR)

    assert str(refused.value) == "lot OLD expired on 11/22/2026: do not use it; record it as waste instead"
    assert snapshot(session) == before


# --- waste --------------------------------------------------------------------------------------------


def test_waste_takes_expired_lots_first_then_first_expiring(session):
    item = vaccine(session, lots=[("NEW", days(30), 5), ("OLDEST", days(-20), 1), ("OLD", days(-1), 2)])

    taken = movements.take(session, item.id, use(4, waste=True, reason="Expired"), today=TODAY, now=NOW, actor=ACTOR)

    assert taken == [("OLDEST", 1), ("OLD", 2), ("NEW", 1)]
    assert quantities(session, item) == {"NEW": 4, "OLDEST": 0, "OLD": 0}
    assert moves(session, item) == [(MovementKind.waste, -1, "OLDEST", "Expired"),
                                    (MovementKind.waste, -2, "OLD", "Expired"),
                                    (MovementKind.waste, -1, "NEW", "Expired")]
    [(event, changes)] = audit_events(session)
    assert event.action == "waste"
    assert changes == {"quantity": 4, "lots": ["OLDEST: 1", "OLD: 2", "NEW: 1"], "reason": "Expired"}


def test_waste_of_a_chosen_expired_lot_is_how_it_leaves_the_shelf(session):
    item = vaccine(session)
    old = session.exec(select(StockLot).where(StockLot.lot_number == "OLD")).one()

    taken = movements.take(session, item.id, use(4, lot_id=old.id, waste=True, reason="Expired"), today=TODAY,
                           now=NOW, actor=ACTOR)

    assert taken == [("OLD", 4)]
    assert quantities(session, item) == {"LATE": 2, "MID": 5, "SOON": 3, "OLD": 0}


def test_waste_of_more_than_on_hand_counts_expired_stock_in_what_there_is(session):
    item = vaccine(session)  # 10 usable + 4 expired
    before = snapshot(session)

    with pytest.raises(ServiceError, match=r"^only 14 on hand \(unit: dose\); nothing was recorded$"):
        movements.take(session, item.id, use(15, waste=True, reason="Broken"), today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


def test_waste_needs_a_reason():
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            UseCreate(quantity=1, waste=True, reason=reason)
        assert "say why it was wasted" in str(refused.value)
    assert UseCreate(quantity=1, reason="").reason == ""  # use needs none
    with pytest.raises(ValidationError):
        UseCreate(quantity=0)
    with pytest.raises(ValidationError):
        UseCreate(quantity=100_001)


# --- negative stock refused ---------------------------------------------------------------------------


def test_using_more_than_on_hand_of_an_item_without_lots_is_refused_and_changes_nothing(session):
    gloves = make_item(session, name="Gloves M", unit="box", quantity=3)
    before = snapshot(session)

    with pytest.raises(ServiceError) as refused:
        movements.take(session, gloves.id, use(4), today=TODAY, now=NOW, actor=ACTOR)

    assert str(refused.value) == "only 3 usable on hand (unit: box); nothing was recorded"
    assert snapshot(session) == before
    assert quantities(session, gloves) == {"-": 3}

    assert movements.take(session, gloves.id, use(3), today=TODAY, now=NOW, actor=ACTOR) == [("", 3)]
    assert quantities(session, gloves) == {"-": 0}
    assert [event.action for event, _ in audit_events(session)] == ["use"]


def test_using_more_than_usable_counts_only_unexpired_lots_and_changes_nothing(session):
    item = vaccine(session)  # 10 usable (SOON 3, MID 5, LATE 2), OLD 4 expired
    before = snapshot(session)

    with pytest.raises(ServiceError, match=r"only 10 usable on hand"):
        movements.take(session, item.id, use(11), today=TODAY, now=NOW, actor=ACTOR)

    assert snapshot(session) == before
    assert session.exec(select(StockMovement)).all() == []
    assert audit_events(session) == []


def test_a_retired_item_is_refused(session):
    item = make_item(session, name="Old gauze", quantity=5, active=False)
    with pytest.raises(ServiceError, match="that item no longer exists"):
        movements.take(session, item.id, use(1), today=TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="that item no longer exists"):
        movements.receive(session, item.id, ReceiveCreate(quantity=1), today=TODAY, now=NOW, actor=ACTOR)
    session.rollback()
    assert quantities(session, item) == {"-": 5}


# --- counts -------------------------------------------------------------------------------------------


def test_count_sets_the_quantity_and_records_the_signed_difference(session):
    item = vaccine(session)
    mid = session.exec(select(StockLot).where(StockLot.lot_number == "MID")).one()

    assert movements.count(session, mid.id, 3, expected_version=1, now=NOW, actor=ACTOR) == -2
    assert movements.count(session, mid.id, 6, expected_version=2, now=NOW, actor=ACTOR) == 3

    stored = session.get(StockLot, mid.id)
    assert (stored.quantity, stored.version) == (6, 3)
    assert moves(session, item) == [(MovementKind.adjust, -2, "MID", "Count: 3 (was 5)"),
                                    (MovementKind.adjust, 3, "MID", "Count: 6 (was 3)")]
    assert [(e.action, e.entity_id, c) for e, c in audit_events(session)] == [
        ("count", item.id, {"lot": "MID", "counted": 3, "difference": -2}),
        ("count", item.id, {"lot": "MID", "counted": 6, "difference": 3}),
    ]


def test_a_count_that_matches_is_recorded_too(session):
    gloves = make_item(session, name="Gloves M", quantity=12)
    [lot] = session.exec(select(StockLot)).all()

    assert movements.count(session, lot.id, 12, expected_version=None, now=NOW, actor=ACTOR) == 0

    assert moves(session, gloves) == [(MovementKind.adjust, 0, None, "Count: 12 (was 12)")]
    assert session.get(StockLot, lot.id).quantity == 12
    [(event, changes)] = audit_events(session)
    assert (event.action, changes) == ("count", {"lot": None, "counted": 12, "difference": 0})


def test_a_count_of_an_expired_lot_to_zero_empties_it(session):
    item = vaccine(session)
    old = session.exec(select(StockLot).where(StockLot.lot_number == "OLD")).one()

    assert movements.count(session, old.id, 0, expected_version=1, now=NOW, actor=ACTOR) == -4
    assert quantities(session, item)["OLD"] == 0


def test_a_count_on_a_stale_lot_version_is_refused(session):
    vaccine(session)
    mid = session.exec(select(StockLot).where(StockLot.lot_number == "MID")).one()
    movements.take(session, mid.item_id, use(1, lot_id=mid.id), today=TODAY, now=NOW, actor=ACTOR)  # version 2
    before = snapshot(session)

    with pytest.raises(StaleEdit):
        movements.count(session, mid.id, 9, expected_version=1, now=NOW, actor=ACTOR)

    assert snapshot(session) == before
    assert session.get(StockLot, mid.id).quantity == 4


def test_a_negative_count_or_a_missing_lot_is_refused(session):
    vaccine(session)
    mid = session.exec(select(StockLot).where(StockLot.lot_number == "MID")).one()
    before = snapshot(session)

    with pytest.raises(ServiceError, match="a count cannot be negative"):
        movements.count(session, mid.id, -1, expected_version=1, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="that lot no longer exists"):
        movements.count(session, 9999, 1, expected_version=None, now=NOW, actor=ACTOR)

    assert snapshot(session) == before


# --- receiving ----------------------------------------------------------------------------------------


def test_receive_a_new_lot_of_a_lot_tracked_item(session):
    item = vaccine(session, lots=[])

    lot = movements.receive(session, item.id, ReceiveCreate(quantity=10, lot_number=" AB123 ", expires=days(200),
                                                            manufacturer=" Sanofi "),
                            today=TODAY, now=NOW, actor=ACTOR)

    stored = session.get(StockLot, lot.id)
    assert (stored.item_id, stored.lot_number, stored.expires, stored.quantity, stored.manufacturer,
            stored.received_on) == (item.id, "AB123", days(200), 10, "Sanofi", TODAY)
    [movement] = session.exec(select(StockMovement)).all()
    assert (movement.kind, movement.quantity, movement.lot_id, movement.reason, movement.at, movement.actor,
            movement.order_id) == (MovementKind.receive, 10, lot.id, "Received", NOW, ACTOR, None)
    [(event, changes)] = audit_events(session)
    assert (event.entity, event.entity_id, event.action) == ("item", item.id, "receive")
    assert changes == {"lot": "AB123", "quantity": 10, "expires": "2027-06-11"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (dict(quantity=5, expires=days(100)), "Tdap vaccine is tracked by lot: enter the lot number from the package"),
        (dict(quantity=5, lot_number="AB1"), "Tdap vaccine is tracked by lot: enter the expiry date from the package"),
        (dict(quantity=5, lot_number="AB1", expires=days(-1)),
         "lot AB1 expired on 11/22/2026: do not receive it, return it to the vendor"),
    ],
)
def test_receive_of_a_lot_tracked_item_needs_a_lot_number_and_an_unexpired_expiry(session, data, message):
    item = vaccine(session)
    before = snapshot(session)

    with pytest.raises(ServiceError) as refused:
        movements.receive(session, item.id, ReceiveCreate(**data), today=TODAY, now=NOW, actor=ACTOR)

    assert str(refused.value) == message
    assert snapshot(session) == before


def test_receive_of_a_lot_expiring_today_is_accepted(session):
    item = vaccine(session, lots=[])
    movements.receive(session, item.id, ReceiveCreate(quantity=1, lot_number="T1", expires=TODAY), today=TODAY,
                      now=NOW, actor=ACTOR)
    assert quantities(session, item) == {"T1": 1}


def test_receive_of_the_same_lot_number_adds_to_that_lot(session):
    item = vaccine(session)
    mid = session.exec(select(StockLot).where(StockLot.lot_number == "MID")).one()

    lot = movements.receive(session, item.id, ReceiveCreate(quantity=7, lot_number="MID", expires=days(40)),
                            today=TODAY, now=NOW, actor=ACTOR)

    assert lot.id == mid.id
    assert quantities(session, item) == {"LATE": 2, "MID": 12, "SOON": 3, "OLD": 4}
    stored = session.get(StockLot, mid.id)
    assert (stored.version, stored.received_on) == (2, TODAY)
    assert moves(session, item) == [(MovementKind.receive, 7, "MID", "Received")]


def test_receive_of_the_same_lot_number_with_another_expiry_is_refused(session):
    item = vaccine(session)
    before = snapshot(session)

    with pytest.raises(ServiceError) as refused:
        movements.receive(session, item.id, ReceiveCreate(quantity=7, lot_number="MID", expires=days(41)),
                          today=TODAY, now=NOW, actor=ACTOR)

    assert str(refused.value) == "lot MID is already on hand with expiry 01/02/2027; check the expiry on the package"
    assert snapshot(session) == before


def test_receive_of_an_item_without_lots_goes_into_its_single_lot(session):
    gloves = make_item(session, name="Gloves M", quantity=4)
    [single] = session.exec(select(StockLot)).all()

    lot = movements.receive(session, gloves.id, ReceiveCreate(quantity=20, reason="Found in back room"), today=TODAY,
                            now=NOW, actor=ACTOR)

    assert lot.id == single.id
    assert session.exec(select(StockLot)).all() == [single]
    assert (single.quantity, single.lot_number, single.expires, single.received_on) == (24, None, None, TODAY)
    assert moves(session) == [(MovementKind.receive, 20, None, "Found in back room")]


def test_receive_of_an_item_without_lots_and_without_its_lot_row_creates_it(session):
    gloves = make_item(session, name="Gloves L")
    session.delete(session.exec(select(StockLot)).one())
    session.commit()

    movements.receive(session, gloves.id, ReceiveCreate(quantity=5), today=TODAY, now=NOW, actor=ACTOR)

    assert quantities(session, gloves) == {"-": 5}


@pytest.mark.parametrize(("typed", "expires"), [("12/2026", date(2026, 12, 31)), ("02/28", date(2028, 2, 29)),
                                                ("2027-02", date(2027, 2, 28)), ("4/2027", date(2027, 4, 30))])
def test_a_month_and_year_expiry_is_received_as_the_months_last_day(session, typed, expires):
    item = vaccine(session, lots=[])

    lot = movements.receive(session, item.id, ReceiveCreate(quantity=2, lot_number="MY1", expires=parse_expiry(typed)),
                            today=TODAY, now=NOW, actor=ACTOR)

    assert session.get(StockLot, lot.id).expires == expires
    # the package's month/year form of the same expiry adds to the lot; usable through that last day
    movements.receive(session, item.id, ReceiveCreate(quantity=1, lot_number="MY1", expires=parse_expiry(typed)),
                      today=TODAY, now=NOW, actor=ACTOR)
    assert quantities(session, item) == {"MY1": 3}
    assert movements.take(session, item.id, use(3), today=expires, now=NOW, actor=ACTOR) == [("MY1", 3)]


def test_receive_create_refuses_a_quantity_that_is_not_positive():
    for quantity in (0, -3, 100_001):
        with pytest.raises(ValidationError):
            ReceiveCreate(quantity=quantity)


# --- reading: lots, history, count sheet -------------------------------------------------------------


def test_lots_lists_first_expiring_first_with_no_expiry_last(session):
    item = vaccine(session, lots=[("B", days(40), 1), ("NONE", None, 2), ("A", days(10), 3), ("EMPTY", days(5), 0)])

    assert [(x.lot_number, x.quantity) for x in movements.lots(session, item.id)] == [("A", 3), ("B", 1), ("NONE", 2)]
    assert [x.lot_number for x in movements.lots(session, item.id, with_empty=True)] == ["EMPTY", "A", "B", "NONE"]
    first = movements.lots(session, item.id)[0]
    assert (first.expires, first.version, first.expired(TODAY), first.expired(days(11))) == (days(10), 1, False, True)


def test_history_lists_the_latest_movements_newest_first(session):
    item = vaccine(session, lots=[("A", days(30), 10)])
    for hour in (9, 10, 11):
        movements.take(session, item.id, use(1, reason=f"at {hour}"), today=TODAY, now=NOW.replace(hour=hour),
                       actor=ACTOR)

    rows = movements.history(session, item.id, limit=2)

    assert [(r.at.hour, r.kind, r.quantity, r.lot_number, r.reason, r.actor) for r in rows] == [
        (11, MovementKind.use, -1, "A", "at 11", ACTOR), (10, MovementKind.use, -1, "A", "at 10", ACTOR)]


def test_count_sheet_walks_by_location_category_item_and_lot(session):
    make_item(session, name="Paper", category=ItemCategory.office, location="Closet", quantity=0)
    make_item(session, name="Gauze", category=ItemCategory.clinical, location="closet B", quantity=5)
    make_item(session, name="Tdap", category=ItemCategory.vaccine, tracks_lots=True, location="Fridge",
              lots=[("L2", days(60), 1), ("L1", days(30), 2), ("GONE", days(10), 0)])
    make_item(session, name="Bandages", category=ItemCategory.clinical, quantity=9)  # no location: last
    make_item(session, name="Retired", quantity=3, location="Closet", active=False)

    sheet = movements.count_sheet(session)

    assert [(x.location, x.item_name, x.lot_number, x.expected) for x in sheet] == [
        ("Closet", "Paper", "", 0),
        ("closet B", "Gauze", "", 5),
        ("Fridge", "Tdap", "L1", 2),
        ("Fridge", "Tdap", "L2", 1),
        ("", "Bandages", "", 9),
    ]
    lot = session.get(StockLot, sheet[2].lot_id)
    assert (lot.lot_number, sheet[2].lot_version) == ("L1", lot.version)



def test_a_chosen_unnamed_lot_with_too_little_is_refused_without_naming_a_lot(session):
    gloves = make_item(session, name="Gloves M", unit="box", quantity=3)
    [lot] = session.exec(select(StockLot)).all()

    with pytest.raises(ServiceError) as refused:
        movements.take(session, gloves.id, use(4, lot_id=lot.id), today=TODAY, now=NOW, actor=ACTOR)

    assert str(refused.value) == "only 3 on hand (unit: box); nothing was recorded"


def test_receive_of_an_item_no_longer_tracked_by_lot_goes_into_an_unnamed_lot_not_an_old_one(session):
    item = vaccine(session, name="Gauze", lots=[("OLD", days(-30), 2)])
    item.tracks_lots = False  # as update_item leaves it when lot tracking is switched off
    session.add(item)
    session.commit()

    lot = movements.receive(session, item.id, ReceiveCreate(quantity=10), today=TODAY, now=NOW, actor=ACTOR)

    assert (lot.lot_number, lot.expires, lot.quantity) == (None, None, 10)
    assert quantities(session, item) == {"OLD": 2, "-": 10}
    assert movements.take(session, item.id, use(10), today=TODAY, now=NOW, actor=ACTOR) == [("", 10)]
