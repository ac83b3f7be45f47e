"""Bills to pay (issue 24, part 3a): vendors' terms into due dates, the duplicate invoice refused, a likely duplicate
flagged, the three-way match against the order and what was received, approving, paying and voiding."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from factories import audit_events, make_item, make_order, make_vendor
from officemgr.models import OrderStatus, UserRole, VendorCreate
from officemgr.models.finance import BudgetCategory, MonthClose
from officemgr.models.inventory import ItemCategory
from officemgr.models.payables import Bill, BillLine, BillPayment, BillStatus, PayoutMethod
from officemgr.models.payment_terms import parse_terms
from officemgr.services import payables_report
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.actuals import actuals_year
from officemgr.services.bills import (
    BillCreate,
    BillFilter,
    BillLineIn,
    BillPaymentCreate,
    approve_bill,
    bill_detail,
    bills_page,
    enter_bill,
    match_differences,
    order_choices,
    pay_bill,
    set_vendor_terms,
    update_bill,
    vendor_choices,
    void_bill,
)
from officemgr.services.closed_months import MonthClosed
from officemgr.services.common import ServiceError

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
BILLER = Actor("bea", {UserRole.biller}, name="Bea Biller", workstation="office")


def bill(vendor_id: int, number: str = "INV-100", **more: Any) -> BillCreate:
    values: dict[str, Any] = {"vendor_id": vendor_id, "invoice_number": number, "invoice_date": date(2026, 11, 2),
                              "amount_cents": "250.00"}
    values.update(more)
    return BillCreate.model_validate(values)


def enter(session: Session, data: BillCreate, today: date = TODAY) -> int:
    return enter_bill(session, data, today=today, now=NOW, actor=MANAGER)


def approved(session: Session, vendor_id: int, number: str = "INV-100", **more: Any) -> int:
    bill_id = enter(session, bill(vendor_id, number, **more))
    approve_bill(session, bill_id, now=NOW, actor=MANAGER)
    return bill_id


def got(session: Session, bill_id: int) -> Bill:
    row = session.get(Bill, bill_id)
    assert row is not None
    return row


def pay(session: Session, bill_id: int, *, today: date = TODAY, reason: str = "", **more: Any) -> int:
    values: dict[str, Any] = {"paid_on": TODAY, "method": PayoutMethod.ach}
    values.update(more)
    return pay_bill(session, bill_id, BillPaymentCreate.model_validate(values), today=today, now=NOW, actor=MANAGER,
                    override_reason=reason)


# --- terms into due dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("terms", "invoiced", "due"), [
    ("net 30", date(2027, 1, 31), date(2027, 3, 2)),  # Jan 31 + 30 days: past February's end
    ("net 30", date(2028, 1, 31), date(2028, 3, 1)),  # a leap year: Feb 29 is one of the 30 days
    ("net 30", date(2026, 12, 15), date(2027, 1, 14)),  # Dec -> Jan
    ("net 15 EOM", date(2026, 12, 3), date(2027, 1, 15)),
    ("EOM", date(2028, 2, 10), date(2028, 2, 29)),  # the month's end in a leap February
    ("10 prox", date(2026, 12, 31), date(2027, 1, 10)),
    ("30 prox", date(2027, 1, 5), date(2027, 2, 28)),  # no Feb 30: the month's last day
    ("30 prox", date(2028, 1, 5), date(2028, 2, 29)),
    ("due on receipt", date(2026, 11, 2), date(2026, 11, 2)),
    ("2/10 net 30", date(2026, 11, 2), date(2026, 12, 2)),
])
def test_a_bill_is_due_when_the_vendors_terms_say(session: Session, terms: str, invoiced: date, due: date) -> None:
    vendor = make_vendor(session, terms=parse_terms(terms).text)
    assert vendor.id is not None
    bill_id = enter(session, bill(vendor.id, invoice_date=invoiced), today=invoiced)
    assert got(session, bill_id).due_date == due


def test_a_typed_due_date_wins_but_not_before_the_invoice(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    bill_id = enter(session, bill(vendor.id, due_date=date(2026, 11, 20)))
    assert got(session, bill_id).due_date == date(2026, 11, 20)
    assert bill(vendor.id, "X1", due_date=date(2026, 11, 2)).due_date == date(2026, 11, 2)  # the same day is fine
    with pytest.raises(ValidationError, match="cannot be before the invoice date"):
        bill(vendor.id, "X2", due_date=date(2026, 11, 1))


def test_vendor_terms_are_read_and_kept_one_way() -> None:
    assert VendorCreate(name="Henry Schein", terms=" Net 30 days ").terms == "net 30"
    assert VendorCreate(name="Henry Schein", terms="2/10 N 30").terms == "2/10 net 30"
    assert VendorCreate(name="Henry Schein").terms == "net 30"
    with pytest.raises(ValidationError, match="not terms this app can read"):
        VendorCreate(name="Henry Schein", terms="whenever")


def test_the_manager_changes_a_vendors_terms_and_new_bills_follow_them(session: Session) -> None:
    vendor = make_vendor(session, name="Acme")
    assert vendor.id is not None
    assert set_vendor_terms(session, vendor.id, " Net 10 EOM ", expected_version=vendor.version, now=NOW,
                            actor=MANAGER) == "net 10 EOM"
    [choice] = vendor_choices(session, actor=MANAGER)
    assert (choice.name, choice.terms) == ("Acme", "net 10 EOM")
    assert got(session, enter(session, bill(vendor.id))).due_date == date(2026, 12, 10)
    [(event, changes)] = audit_events(session, "vendor")
    assert (event.action, changes) == ("update", {"terms": ["net 30", "net 10 EOM"]})
    with pytest.raises(ServiceError, match="not terms this app can read"):
        set_vendor_terms(session, vendor.id, "soon", expected_version=choice.version, now=NOW, actor=MANAGER)
    with pytest.raises(NotAllowed):
        set_vendor_terms(session, vendor.id, "net 15", expected_version=choice.version, now=NOW, actor=BILLER)
    session.refresh(vendor)
    assert vendor.terms == "net 10 EOM"


# --- what a bill must be -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), [
    ("amount_cents", "12.5.0", "write an amount like"),
    ("amount_cents", "0", "more than \\$0.00"),
    ("amount_cents", "-5", "write an amount like"),
    ("invoice_number", "  ", "invoice number is needed"),
    ("invoice_number", "A" * 41, "at most 40"),
    ("invoice_number", "INV\x1b[2J", "cannot be saved"),
    ("invoice_number", "---", "at least one letter or digit"),
])
def test_bad_input_is_refused_with_a_message(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        bill(1, **{field: value})


def test_invoice_dates_today_and_a_year_back_are_the_edges(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    enter(session, bill(vendor.id, "A1", invoice_date=TODAY))
    enter(session, bill(vendor.id, "A2", invoice_date=date(2025, 11, 23)))
    with pytest.raises(ServiceError, match="after today"):
        enter(session, bill(vendor.id, "A3", invoice_date=date(2026, 11, 24)))
    with pytest.raises(ServiceError, match="more than a year ago"):
        enter(session, bill(vendor.id, "A4", invoice_date=date(2025, 11, 22)))
    # Feb 29 a year on: relativedelta makes it Feb 28, so Feb 28 of the year before is still in.
    enter(session, bill(vendor.id, "A5", invoice_date=date(2027, 2, 28)), today=date(2028, 2, 29))
    assert len(session.exec(select(Bill)).all()) == 3


# --- duplicates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["inv 100", "INV-0100", "Inv.100", "INV100"])
def test_the_same_invoice_number_twice_is_refused_naming_the_first(session: Session, again: str) -> None:
    vendor = make_vendor(session, name="McKesson")
    assert vendor.id is not None
    enter(session, bill(vendor.id, "INV-100"))
    with pytest.raises(ServiceError, match=r"INV-100 from McKesson is already entered: dated 11/02/2026, \$250.00, "
                                           r"entered"):
        enter(session, bill(vendor.id, again, amount_cents="99.00"))
    assert len(session.exec(select(Bill)).all()) == 1


def test_a_void_bill_still_holds_its_number_and_another_vendor_may_use_it(session: Session) -> None:
    vendor, other = make_vendor(session), make_vendor(session)
    assert vendor.id is not None and other.id is not None
    first = enter(session, bill(vendor.id, "INV-100"))
    void_bill(session, first, "entered in error", now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="void"):
        enter(session, bill(vendor.id, "inv-100"))
    enter(session, bill(other.id, "INV-100"))


def test_a_likely_duplicate_is_let_in_but_flagged_within_seven_days(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    enter(session, bill(vendor.id, "A1", invoice_date=date(2026, 11, 2)))
    seven = enter(session, bill(vendor.id, "A2", invoice_date=date(2026, 11, 9)))
    eight = enter(session, bill(vendor.id, "A3", invoice_date=date(2026, 11, 10)))
    other_amount = enter(session, bill(vendor.id, "A4", invoice_date=date(2026, 11, 3), amount_cents="250.01"))
    assert "possibly a duplicate of invoice A1 of 11/02/2026, also $250.00" in got(session, seven).match_note
    assert "A1" not in got(session, eight).match_note
    assert got(session, other_amount).match_note == ""
    with pytest.raises(ServiceError, match="possibly a duplicate"):
        approve_bill(session, seven, now=NOW, actor=MANAGER)


# --- three-way match ---------------------------------------------------------------------------------------------


def order_for(session: Session, vendor: Any) -> tuple[Any, Any, Any]:
    gloves = make_item(session, name="Gloves M", unit="boxes", unit_cost_cents=875, category=ItemCategory.clinical)
    syringes = make_item(session, name="Syringes", unit="boxes", unit_cost_cents=1_200)
    order = make_order(session, vendor, [(gloves, 10, 10), (syringes, 5, 5)], status=OrderStatus.received)
    return order, gloves, syringes


def test_a_bill_for_an_order_prefills_its_received_lines_and_matches_cleanly(session: Session) -> None:
    vendor = make_vendor(session)
    order, gloves, syringes = order_for(session, vendor)
    assert vendor.id is not None
    bill_id = enter(session, bill(vendor.id, purchase_order_id=order.id, amount_cents="147.50"))
    lines = session.exec(select(BillLine).where(BillLine.bill_id == bill_id)).all()
    assert sorted((line.item_id, line.quantity, line.unit_cost_cents) for line in lines) == sorted(
        [(gloves.id, 10, 875), (syringes.id, 5, 1_200)])
    assert got(session, bill_id).category is BudgetCategory.medical_supplies
    assert match_differences(session, bill_id) == []
    assert approve_bill(session, bill_id, now=NOW, actor=MANAGER) == []
    [choice] = order_choices(session, actor=MANAGER)
    assert (choice.id, choice.received_cents) == (order.id, 14_750)
    newer = make_order(session, vendor, [(gloves, 1, 1)], status=OrderStatus.received)
    assert [c.id for c in order_choices(session, actor=MANAGER, limit=1)] == [newer.id]
    assert [c.id for c in order_choices(session, actor=MANAGER, limit=1, also=order.id)] == [newer.id, order.id]


def test_each_kind_of_difference_is_one_sentence(session: Session) -> None:
    vendor = make_vendor(session)
    order, gloves, syringes = order_for(session, vendor)
    gauze = make_item(session, name="Gauze")
    assert vendor.id is not None
    lines = [BillLineIn(item_id=gloves.id, quantity=12, unit_cost_cents=950),
             BillLineIn(item_id=gauze.id, quantity=2, unit_cost_cents=300)]
    bill_id = enter(session, bill(vendor.id, purchase_order_id=order.id, lines=lines, amount_cents="200.00"))
    texts = {d.kind: d.text for d in match_differences(session, bill_id)}
    assert texts == {
        "price": "Gloves M: billed $9.50 each, ordered at $8.75",
        "quantity": "Gloves M: billed 12 boxes, received 10",
        "not_ordered": "Gauze: billed 2 at $3.00 each, not on the order",
        "not_billed": "Syringes: on the order, not billed (5 boxes received)",
        "total": "billed total $200.00 differs from the lines' $120.00",
    }


def test_an_order_billed_twice_past_what_was_received_is_flagged(session: Session) -> None:
    vendor = make_vendor(session)
    order, _, _ = order_for(session, vendor)
    assert vendor.id is not None
    enter(session, bill(vendor.id, "A1", purchase_order_id=order.id, amount_cents="147.50"))
    second = enter(session, bill(vendor.id, "A2", purchase_order_id=order.id, amount_cents="147.50",
                                 invoice_date=date(2026, 10, 1)))
    kinds = [d.kind for d in match_differences(session, second)]
    assert kinds == ["over_billed"]
    assert "already billed by invoice A1 ($147.50)" in match_differences(session, second)[0].text


def test_an_order_must_be_this_vendors_and_received(session: Session) -> None:
    vendor, other = make_vendor(session), make_vendor(session, name="Other Co")
    item = make_item(session)
    placed = make_order(session, vendor, [(item, 3)], status=OrderStatus.ordered)
    theirs = make_order(session, other, [(item, 3, 3)], status=OrderStatus.received)
    assert vendor.id is not None
    with pytest.raises(ServiceError, match="once it is received"):
        enter(session, bill(vendor.id, purchase_order_id=placed.id))
    with pytest.raises(ServiceError, match="Other Co's"):
        enter(session, bill(vendor.id, purchase_order_id=theirs.id))


def test_approving_with_differences_is_refused_then_acknowledged_and_kept(session: Session) -> None:
    vendor = make_vendor(session)
    order, gloves, _ = order_for(session, vendor)
    assert vendor.id is not None
    bill_id = enter(session, bill(vendor.id, purchase_order_id=order.id, amount_cents="120.00",
                                  lines=[BillLineIn(item_id=gloves.id, quantity=10, unit_cost_cents=1_200)]))
    with pytest.raises(ServiceError, match="Gloves M: billed \\$12.00 each, ordered at \\$8.75"):
        approve_bill(session, bill_id, now=NOW, actor=MANAGER)
    assert got(session, bill_id).status is BillStatus.entered
    approve_bill(session, bill_id, acknowledge=True, now=NOW, actor=MANAGER)
    row = session.get(Bill, bill_id)
    assert row is not None
    assert (row.status, row.approved_by, row.approved_at) == (BillStatus.approved, "pat@office", NOW)
    assert "ordered at $8.75" in row.match_note and "Syringes: on the order, not billed" in row.match_note
    [(event, changes)] = [e for e in audit_events(session, "bill") if e[0].action == "approve"]
    assert changes["status"] == ["entered", "approved"]


# --- editing and voiding -----------------------------------------------------------------------------------------


def test_an_entered_bill_is_edited_and_an_approved_one_is_not(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    bill_id = enter(session, bill(vendor.id))
    update_bill(session, bill_id, bill(vendor.id, "INV-101", amount_cents="260.00"),
                expected_version=got(session, bill_id).version,
                today=TODAY, now=NOW, actor=MANAGER)
    row = session.get(Bill, bill_id)
    assert row is not None and (row.invoice_number, row.invoice_key, row.amount_cents) == ("INV-101", "INV101", 26_000)
    approve_bill(session, bill_id, now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="approved: only a bill not yet approved can be changed"):
        update_bill(session, bill_id, bill(vendor.id, "INV-101", amount_cents="1.00"), expected_version=row.version,
                    today=TODAY, now=NOW, actor=MANAGER)


def test_void_needs_a_reason_and_an_unpaid_bill(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    bill_id = approved(session, vendor.id)
    with pytest.raises(ServiceError, match="say why"):
        void_bill(session, bill_id, "  ", now=NOW, actor=MANAGER)
    pay(session, bill_id, amount_cents="10.00")
    with pytest.raises(ServiceError, match="\\$10.00 paid on it"):
        void_bill(session, bill_id, "duplicate", now=NOW, actor=MANAGER)
    other = enter(session, bill(vendor.id, "INV-200", amount_cents="5.00"))
    void_bill(session, other, "not ours", now=NOW, actor=MANAGER)
    row = session.get(Bill, other)
    assert row is not None and (row.status, row.note) == (BillStatus.void, "Void: not ours")


# --- paying ------------------------------------------------------------------------------------------------------


def test_partial_then_full_payment(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    bill_id = approved(session, vendor.id)
    pay(session, bill_id, amount_cents="100.00", paid_on=date(2026, 11, 20), method=PayoutMethod.check,
        reference="1001")
    row = session.get(Bill, bill_id)
    assert row is not None and (row.status, row.paid_cents, row.open_cents, row.paid_on) == (
        BillStatus.approved, 10_000, 15_000, None)
    pay(session, bill_id)  # the open balance
    row = session.get(Bill, bill_id)
    assert row is not None and (row.status, row.paid_cents, row.paid_on) == (BillStatus.paid, 25_000, TODAY)
    amounts = sorted(p.amount_cents for p in session.exec(select(BillPayment)).all())
    assert amounts == [10_000, 15_000]
    assert [e.action for e, _ in audit_events(session, "bill_payment")] == ["create", "create"]
    with pytest.raises(ServiceError, match="paid in full"):
        pay(session, bill_id, amount_cents="1.00")


def test_overpayment_future_date_and_unapproved_are_refused(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    entered = enter(session, bill(vendor.id, "E1", amount_cents="7.00"))
    with pytest.raises(ServiceError, match="approve it first"):
        pay(session, entered)
    bill_id = approved(session, vendor.id)
    with pytest.raises(ServiceError, match="\\$250.01 is more than the \\$250.00 still owed"):
        pay(session, bill_id, amount_cents="250.01")
    with pytest.raises(ServiceError, match="after today"):
        pay(session, bill_id, paid_on=date(2026, 11, 24))
    with pytest.raises(ValidationError, match="check number"):
        BillPaymentCreate(paid_on=TODAY, method=PayoutMethod.check)
    assert session.exec(select(BillPayment)).all() == []


def test_the_same_check_number_to_the_same_vendor_is_refused(session: Session) -> None:
    vendor, other = make_vendor(session), make_vendor(session)
    assert vendor.id is not None and other.id is not None
    first, second = approved(session, vendor.id, "A1"), approved(session, vendor.id, "A2", amount_cents="90.00")
    pay(session, first, method=PayoutMethod.check, reference="1001")
    with pytest.raises(ServiceError, match="check # 1001 to .* was already recorded on 11/23/2026 \\(\\$250.00, "
                                           "invoice A1\\)"):
        pay(session, second, method=PayoutMethod.check, reference="# 1001")
    pay(session, approved(session, other.id, "B1"), method=PayoutMethod.check, reference="1001")


def close_month(session: Session, month: date = date(2026, 10, 1)) -> None:
    session.add(MonthClose(month=month, closed_at=datetime(2026, 11, 5, 9), closed_by="pat"))
    session.commit()


def test_a_payment_before_the_invoice_date_is_refused(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    bill_id = approved(session, vendor.id, invoice_date=date(2026, 10, 5))
    with pytest.raises(ServiceError, match="^paid on 10/01/2026, before the invoice date 10/05/2026: .*nothing was "
                                           "saved$"):
        pay(session, bill_id, paid_on=date(2026, 10, 1))
    with pytest.raises(ServiceError, match="paid on 10/04/2026, before the invoice date 10/05/2026"):
        pay(session, bill_id, paid_on=date(2026, 10, 4))
    assert session.exec(select(BillPayment)).all() == []
    pay(session, bill_id, paid_on=date(2026, 10, 5))  # the invoice's own day is fine
    assert got(session, bill_id).status is BillStatus.paid


def test_a_payment_into_a_closed_month_is_refused_and_the_override_audited(session: Session) -> None:
    vendor = make_vendor(session, name="Acme Rent")
    assert vendor.id is not None
    bill_id = approved(session, vendor.id, invoice_date=date(2026, 10, 1))
    bill_id2 = approved(session, vendor.id, "INV-2", invoice_date=date(2026, 10, 2), amount_cents="9.00")
    close_month(session)
    with pytest.raises(MonthClosed, match="October 2026 is closed .* a payment of \\$250.00 to Acme Rent"):
        pay(session, bill_id, paid_on=date(2026, 10, 31))
    assert session.exec(select(BillPayment)).all() == []
    pay(session, bill_id, paid_on=date(2026, 11, 1))  # the next month is open
    pay(session, bill_id2, paid_on=date(2026, 10, 31), reason="check mailed Oct 31, entered late")
    [(event, changes)] = audit_events(session, "month_close")
    assert (event.action, event.entity_id, changes["reason"]) == (
        "post_into_closed", 202610, "check mailed Oct 31, entered late")


# --- who may, and reading ----------------------------------------------------------------------------------------


def test_only_the_manager_writes_and_the_biller_reads(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    with pytest.raises(NotAllowed, match="entering a bill needs the manager role"):
        enter_bill(session, bill(vendor.id), today=TODAY, now=NOW, actor=BILLER)
    bill_id = enter(session, bill(vendor.id))
    for write in (lambda: approve_bill(session, bill_id, now=NOW, actor=BILLER),
                  lambda: void_bill(session, bill_id, "no", now=NOW, actor=BILLER)):
        with pytest.raises(NotAllowed):
            write()
    assert bill_detail(session, bill_id, today=TODAY, actor=BILLER).bill.invoice_number == "INV-100"
    front = Actor("fd", {UserRole.front_desk}, name="Front", workstation="desk")
    with pytest.raises(NotAllowed):
        bills_page(session, BillFilter.all, today=TODAY, actor=front)
    [(event, changes)] = audit_events(session, "bill")
    assert (event.action, changes["amount_cents"], changes["invoice_key"]) == ("create", 25_000, "INV100")


def test_filters_and_keyset_pages(session: Session) -> None:
    vendor = make_vendor(session, name="Paper Co")
    assert vendor.id is not None
    due = {"over": date(2026, 11, 22), "today": TODAY, "week": date(2026, 11, 30), "later": date(2026, 12, 1)}
    ids = {name: enter(session, bill(vendor.id, name, due_date=day, invoice_date=date(2026, 11, 1)))
           for name, day in due.items()}
    paid = approved(session, vendor.id, "paid", invoice_date=date(2026, 11, 5), amount_cents="1.00")
    pay(session, paid)

    def numbers(which: BillFilter, **more: Any) -> list[str]:
        return [r.invoice_number for r in bills_page(session, which, today=TODAY, actor=MANAGER, **more).rows]

    assert numbers(BillFilter.open) == ["over", "today", "week", "later"]
    assert numbers(BillFilter.overdue) == ["over"]
    assert numbers(BillFilter.due_soon) == ["today", "week"]  # today through today + 7
    assert numbers(BillFilter.paid) == ["paid"]
    assert numbers(BillFilter.all, text="PAPER pai") == ["paid"]
    assert numbers(BillFilter.all, text="pa%d") == []  # a % is a character, not a wildcard
    first = bills_page(session, BillFilter.open, limit=3, today=TODAY, actor=MANAGER)
    assert [r.id for r in first.rows] == [ids["over"], ids["today"], ids["week"]]
    assert first.next_key == (date(2026, 11, 30), ids["week"])
    rest = bills_page(session, BillFilter.open, limit=3, after_key=first.next_key, today=TODAY, actor=MANAGER)
    assert ([r.invoice_number for r in rest.rows], rest.next_key) == (["later"], None)
    every = bills_page(session, BillFilter.all, limit=2, today=TODAY, actor=MANAGER)
    more = bills_page(session, BillFilter.all, limit=10, after_key=every.next_key, today=TODAY, actor=MANAGER)
    assert len(every.rows) + len(more.rows) == 5 and every.rows[0].invoice_number == "paid"
    assert every.rows[0].open_cents == 0
    other = make_vendor(session)
    assert other.id is not None
    enter(session, bill(other.id, "theirs"))
    assert numbers(BillFilter.open, vendor_id=other.id) == ["theirs"]


# --- bills and the closed month: budget vs actual counts a bill in its invoice month -------------------------------


def rent_actuals(session: Session) -> tuple[int, ...]:
    return actuals_year(session, 2026, actor=MANAGER).months.get(BudgetCategory.rent, (0,) * 12)


def owed_at_october_end(session: Session) -> tuple[str, ...]:
    section = payables_report.month_report_section(session, date(2026, 10, 1), actor=MANAGER)
    return next(row for row in section.rows if row[0].startswith("Owed on 10/31/2026"))


@pytest.mark.parametrize(("closed", "inside", "open_day"), [
    (date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 1)),  # the month's last day, then the next month's first
    (date(2026, 10, 1), date(2026, 10, 1), date(2026, 9, 30)),  # its first day, then the open month before
    (date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 1)),  # February's end
    (date(2025, 12, 1), date(2025, 12, 31), date(2026, 1, 1)),  # December into January
])
def test_a_bill_dated_in_a_closed_month_is_refused_and_its_neighbours_are_not(
        session: Session, closed: date, inside: date, open_day: date) -> None:
    vendor = make_vendor(session, name="Acme Rent")
    assert vendor.id is not None
    close_month(session, closed)
    with pytest.raises(MonthClosed, match=f"{closed:%B %Y} is closed .* invoice INV-1 from Acme Rent \\(\\$250.00\\) "
                                          f"dated {inside:%m/%d/%Y}"):
        enter(session, bill(vendor.id, "INV-1", invoice_date=inside, category=BudgetCategory.rent))
    assert session.exec(select(Bill)).all() == []
    assert audit_events(session) == []
    bill_id = enter(session, bill(vendor.id, "INV-1", invoice_date=open_day))
    assert got(session, bill_id).invoice_date == open_day


def test_a_refused_bill_leaves_the_closed_months_figures_and_the_override_is_audited(session: Session) -> None:
    vendor = make_vendor(session, name="Acme Rent")
    assert vendor.id is not None
    enter(session, bill(vendor.id, "R-9", invoice_date=date(2026, 10, 1), category=BudgetCategory.rent))
    close_month(session)
    rent, owed = rent_actuals(session), owed_at_october_end(session)
    assert (rent[9], owed[1:]) == (25_000, ("1", "$250.00"))
    late = bill(vendor.id, "R-10", invoice_date=date(2026, 10, 15), amount_cents="900.00",
                category=BudgetCategory.rent)
    with pytest.raises(MonthClosed, match="October 2026 is closed"):
        enter(session, late)
    assert (rent_actuals(session), owed_at_october_end(session)) == (rent, owed)
    with pytest.raises(MonthClosed, match="October 2026 is closed"):
        enter_bill(session, late, today=TODAY, now=NOW, actor=MANAGER, override_reason="   ")  # blank is no reason
    bill_id = enter_bill(session, late, today=TODAY, now=NOW, actor=MANAGER,
                         override_reason="October rent invoice arrived late")
    assert rent_actuals(session)[9] == 115_000
    [(event, changes)] = audit_events(session, "month_close")
    assert (event.action, event.entity_id, event.actor, changes["reason"], changes["day"]) == (
        "post_into_closed", 202610, "pat@office", "October rent invoice arrived late", "2026-10-15")
    assert changes["what"] == "invoice R-10 from Acme Rent ($900.00)"
    assert [e.entity_id for e, _ in audit_events(session, "bill")][-1] == bill_id


def test_changing_a_bill_guards_its_old_and_its_new_invoice_month(session: Session) -> None:
    vendor = make_vendor(session, name="Acme Rent")
    assert vendor.id is not None
    in_october = enter(session, bill(vendor.id, "OCT-1", invoice_date=date(2026, 10, 20)))
    in_november = enter(session, bill(vendor.id, "NOV-1", invoice_date=date(2026, 11, 2), amount_cents="80.00"))
    close_month(session)
    rent = actuals_year(session, 2026, actor=MANAGER).months

    def change(bill_id: int, data: BillCreate, reason: str = "") -> None:
        update_bill(session, bill_id, data, expected_version=got(session, bill_id).version, today=TODAY, now=NOW,
                    actor=MANAGER, override_reason=reason)

    refused = [
        (in_october, bill(vendor.id, "OCT-1", invoice_date=date(2026, 10, 20), amount_cents="1.00")),  # amount
        (in_october, bill(vendor.id, "OCT-1", invoice_date=date(2026, 11, 1))),  # moved out to the open month
        (in_november, bill(vendor.id, "NOV-1", invoice_date=date(2026, 10, 31), amount_cents="80.00")),  # moved in
    ]
    for bill_id, data in refused:
        with pytest.raises(MonthClosed, match="October 2026 is closed"):
            change(bill_id, data)
    assert [(b.invoice_date, b.amount_cents, b.version) for b in session.exec(select(Bill).order_by(Bill.id))] == [
        (date(2026, 10, 20), 25_000, 1), (date(2026, 11, 2), 8_000, 1)]
    assert actuals_year(session, 2026, actor=MANAGER).months == rent
    assert [e.action for e, _ in audit_events(session)].count("update") == 0

    change(in_november, bill(vendor.id, "NOV-1", invoice_date=date(2026, 11, 1), amount_cents="81.00"))  # all open
    change(in_october, bill(vendor.id, "OCT-1", invoice_date=date(2026, 11, 3)), reason="invoice was misdated")
    assert got(session, in_october).invoice_date == date(2026, 11, 3)
    [(event, changes)] = audit_events(session, "month_close")
    assert (event.entity_id, changes["day"], changes["reason"]) == (202610, "2026-10-20", "invoice was misdated")
    assert changes["what"] == "a change to invoice OCT-1 from Acme Rent ($250.00)"


def test_a_bill_moved_between_two_closed_months_audits_each(session: Session) -> None:
    vendor = make_vendor(session, name="Acme Rent")
    assert vendor.id is not None
    bill_id = enter(session, bill(vendor.id, "SEP-1", invoice_date=date(2026, 9, 30)))
    close_month(session, date(2026, 9, 1))
    close_month(session, date(2026, 10, 1))
    update_bill(session, bill_id, bill(vendor.id, "SEP-1", invoice_date=date(2026, 10, 1)),
                expected_version=1, today=TODAY, now=NOW, actor=MANAGER, override_reason="dated wrongly")
    assert [(e.entity_id, c["day"], c["what"]) for e, c in audit_events(session, "month_close")] == [
        (202609, "2026-09-30", "a change to invoice SEP-1 from Acme Rent ($250.00)"),
        (202610, "2026-10-01", "invoice SEP-1 from Acme Rent ($250.00) as changed")]


def test_voiding_a_bill_of_a_closed_month_needs_the_managers_reason(session: Session) -> None:
    vendor = make_vendor(session, name="Acme Rent")
    assert vendor.id is not None
    october = approved(session, vendor.id, "OCT-1", invoice_date=date(2026, 10, 31), category=BudgetCategory.rent)
    november = enter(session, bill(vendor.id, "NOV-1", invoice_date=date(2026, 11, 1), amount_cents="5.00"))
    close_month(session)
    rent, owed = rent_actuals(session), owed_at_october_end(session)
    with pytest.raises(MonthClosed, match="October 2026 is closed .* voiding invoice OCT-1 from Acme Rent "
                                          "\\(\\$250.00\\) dated 10/31/2026 .*figures. Have the manager reopen "
                                          "October 2026 or post it with a reason"):
        void_bill(session, october, "sent twice", now=NOW, actor=MANAGER)
    row = got(session, october)
    assert (row.status, row.note) == (BillStatus.approved, "")
    assert (rent_actuals(session), owed_at_october_end(session)) == (rent, owed)
    void_bill(session, november, "not ours", now=NOW, actor=MANAGER)  # November is open
    void_bill(session, october, "sent twice", now=NOW, actor=MANAGER, override_reason="Acme cancelled the invoice")
    assert got(session, october).status is BillStatus.void
    assert rent_actuals(session)[9] == 0
    [(event, changes)] = audit_events(session, "month_close")
    assert (event.action, changes["reason"]) == ("post_into_closed", "Acme cancelled the invoice")


def test_a_reopened_month_takes_bills_again(session: Session) -> None:
    vendor = make_vendor(session)
    assert vendor.id is not None
    session.add(MonthClose(month=date(2026, 10, 1), closed_at=datetime(2026, 11, 5, 9), closed_by="pat",
                           reopened_at=datetime(2026, 11, 6, 9), reopened_by="pat", reopen_reason="late EOB"))
    session.commit()
    bill_id = enter(session, bill(vendor.id, invoice_date=date(2026, 10, 15)))
    void_bill(session, bill_id, "sent twice", now=NOW, actor=MANAGER)
    assert audit_events(session, "month_close") == []
