"""The demo data generator (small scale) and the compliance checklist loader."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from officemgr import store
from officemgr.checklist import ChecklistError, checklist_path, load_checklist
from officemgr.demo import DemoSummary, fill
from officemgr.models import (
    OPEN_STATUSES,
    Appointment,
    Claim,
    ClaimDiagnosis,
    ClaimEvent,
    ClaimLine,
    ClaimNote,
    ClaimStatus,
    CloseReason,
    ComplianceCategory,
    ComplianceCompletion,
    ComplianceTask,
    Credential,
    Equipment,
    EquipmentService,
    FeeSchedule,
    Item,
    Patient,
    Payer,
    PurchaseOrder,
    PurchaseOrderLine,
    Remittance,
    RemittanceClaim,
    Role,
    Shift,
    Staff,
    StockLot,
    StockMovement,
    TemperatureReading,
    TimeOff,
    TimeOffStatus,
    UserAccount,
)
from officemgr.models.validation import npi_is_valid
from officemgr.services import users

TODAY = date(2026, 11, 23)


def new_engine() -> Engine:
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    return engine


def filled_engine(seed: int = 1, today: date = TODAY) -> tuple[Engine, DemoSummary]:
    engine = new_engine()
    return engine, fill(engine, today=today, seed=seed)


@pytest.fixture(scope="module")
def demo() -> Engine:
    """One small demo database shared by the read-only tests of this module."""
    engine, _ = filled_engine()
    return engine


def rows(engine: Engine, model: type) -> list[tuple]:
    table = model.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(table.c.id))]


def rows_of(engine: Engine, model: type) -> list:
    table = model.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(table.c.id)))


def scalar(engine: Engine, query):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


# ------------------------------------------------------------------------------------------ determinism

COMPARED = (Staff, Patient, Appointment, Shift, Credential, StockLot, StockMovement, PurchaseOrder, PurchaseOrderLine,
            Equipment, EquipmentService, Claim, ClaimLine, ClaimDiagnosis, ClaimNote, ClaimEvent, FeeSchedule,
            Remittance, RemittanceClaim, ComplianceCompletion)


def test_same_seed_gives_identical_rows(demo: Engine) -> None:
    again, _ = filled_engine(seed=1)
    for model in COMPARED:
        assert rows(demo, model) == rows(again, model), model.__name__


def test_different_seeds_give_different_rows(demo: Engine) -> None:
    other, _ = filled_engine(seed=2)
    for model in (Patient, Appointment, Claim, StockMovement, PurchaseOrderLine, Equipment):
        assert rows(demo, model) != rows(other, model), model.__name__


def test_dates_follow_today() -> None:
    later = date(2027, 3, 10)
    engine, _ = filled_engine(today=later)
    starts = [r.start.date() for r in rows_of(engine, Appointment)]
    assert min(starts) >= later - timedelta(days=14) and max(starts) <= later + timedelta(days=14)
    assert any(day == later for day in starts)
    assert max(c.service_date for c in rows_of(engine, Claim)) <= later


def test_a_demo_on_a_leap_day_after_a_monday_holiday_is_made() -> None:
    # Feb 29 2028 is a Tuesday a week after Presidents' Day: a backorder's search for an earlier day stepped back
    # three days onto the weekend before the holiday, forward again to the same Tuesday, and never ended.
    engine, summary = filled_engine(today=date(2028, 2, 29))
    backordered = [o for o in rows_of(engine, PurchaseOrder) if o.status in ("ordered", "partly_received")]
    assert summary.claims > 0 and backordered


# ----------------------------------------------------------------------------------------------- counts


def test_summary_matches_the_tables(demo: Engine) -> None:
    engine, summary = filled_engine(seed=3)
    assert summary.patients == scalar(engine, select(func.count()).select_from(Patient.__table__)) == 80
    assert summary.appointments == scalar(engine, select(func.count()).select_from(Appointment.__table__))
    assert summary.claims == scalar(engine, select(func.count()).select_from(Claim.__table__))
    for model, counted in ((ClaimEvent, summary.claim_events), (FeeSchedule, summary.fee_schedules),
                           (Remittance, summary.remittances), (RemittanceClaim, summary.remittance_claims)):
        assert counted == scalar(engine, select(func.count()).select_from(model.__table__)) > 0, model.__name__
    for model, counted in ((PurchaseOrder, summary.purchase_orders), (PurchaseOrderLine, summary.purchase_order_lines),
                           (Equipment, summary.equipment), (EquipmentService, summary.equipment_services)):
        assert counted == scalar(engine, select(func.count()).select_from(model.__table__)) > 0, model.__name__
    assert summary.total == sum(summary.as_dict().values())


def test_staff_and_patients_in_spec(demo: Engine) -> None:
    staff = rows_of(demo, Staff)
    roles = Counter(s.role for s in staff)
    assert roles == {"physician": 2, "np_pa": 1, "ma": 2, "nurse": 1, "front_desk": 2, "biller": 1, "manager": 1}
    providers = [s for s in staff if s.is_provider]
    assert len(providers) == 3
    assert all(npi_is_valid(s.npi) for s in providers)
    assert all(s.npi is None for s in staff if not s.is_provider)
    patients = rows_of(demo, Patient)
    assert 70 <= len(patients) <= 90
    assert all(re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", p.phone) for p in patients)
    assert all(p.dob < TODAY for p in patients)
    assert len({(p.first_name, p.last_name) for p in patients}) > 60


def test_appointments_fill_the_working_day(demo: Engine) -> None:
    appts = rows_of(demo, Appointment)
    per_day = Counter((a.provider_id, a.start.date()) for a in appts)
    days = {d for _, d in per_day}
    assert TODAY in days
    assert min(days) >= TODAY - timedelta(days=14) and max(days) <= TODAY + timedelta(days=14)
    assert all(d.weekday() < 5 or d == TODAY for d in days)  # a weekend `today` still gets a clinic day
    average = sum(per_day.values()) / len(per_day)
    assert 17 <= average <= 23
    for a in appts:
        assert time(8) <= a.start.time() and a.end.time() <= time(17)
        assert not (a.start.time() < time(13) and a.end.time() > time(12)), "lunch stays free"
    types = {minutes for (minutes,) in _query(demo, "SELECT minutes FROM appointment_type")}
    assert types == {15, 20, 40, 45}


def test_appointment_statuses_follow_the_clock(demo: Engine) -> None:
    appts = rows_of(demo, Appointment)
    past = Counter(a.status for a in appts if a.start.date() < TODAY)
    assert set(past) == {"checked_out", "no_show", "cancelled"}
    assert 0.08 <= past["no_show"] / sum(past.values()) <= 0.22
    assert {a.status for a in appts if a.start.date() > TODAY} == {"booked"}
    today = Counter(a.status for a in appts if a.start.date() == TODAY)
    assert {"checked_out", "arrived", "in_room", "booked"} <= set(today)


def _query(engine: Engine, sql: str) -> list:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql(sql))


# ----------------------------------------------------------------------------------------- what to see


def test_double_book_today_and_nowhere_else(demo: Engine) -> None:
    by_day: dict[tuple[int, date], list] = defaultdict(list)
    for a in rows_of(demo, Appointment):
        by_day[(a.provider_id, a.start.date())].append(a)
    overlaps: Counter[date] = Counter()
    for (_, day), appts in by_day.items():
        appts.sort(key=lambda a: (a.start, a.id))
        overlaps[day] += sum(1 for x, y in zip(appts, appts[1:], strict=False) if y.start < x.end)
    assert 1 <= overlaps[TODAY] <= 2
    assert sum(n for day, n in overlaps.items() if day != TODAY) == 0


def test_someone_is_off_today_and_has_no_shift(demo: Engine) -> None:
    off = [t for t in rows_of(demo, TimeOff)
           if t.status == TimeOffStatus.approved.value and t.start_date <= TODAY <= t.end_date]
    assert off
    statuses = Counter(t.status for t in rows_of(demo, TimeOff))
    assert statuses["requested"] >= 1
    shifts_today = {s.staff_id for s in rows_of(demo, Shift) if s.start.date() == TODAY}
    staff_ids = {s.id for s in rows_of(demo, Staff)}
    assert {t.staff_id for t in off}.isdisjoint(shifts_today)
    assert len(shifts_today) >= len(staff_ids) - 2
    starts = {s.start.time() for s in rows_of(demo, Shift)}
    assert {time(8), time(7, 30)} <= starts


def test_credentials_need_attention(demo: Engine) -> None:
    creds = rows_of(demo, Credential)
    expires = [c.expires for c in creds if c.expires is not None]
    assert sum(1 for d in expires if d < TODAY) == 1
    assert any(TODAY <= d <= TODAY + timedelta(days=30) for d in expires)
    assert any(TODAY + timedelta(days=30) < d <= TODAY + timedelta(days=60) for d in expires)
    assert any(TODAY + timedelta(days=60) < d <= TODAY + timedelta(days=90) for d in expires)
    kinds = defaultdict(set)
    for c in creds:
        kinds[c.staff_id].add(c.kind)
    for s in rows_of(demo, Staff):
        assert {"hipaa_training", "bbp_training"} <= kinds[s.id]
        if s.is_provider:
            assert {"license", "dea", "board", "bls"} <= kinds[s.id]
        if s.role == Role.ma.value:
            assert {"cma", "bls"} <= kinds[s.id]


# -------------------------------------------------------------------------------------------- inventory


def test_items_below_reorder_point_and_lots_expiring(demo: Engine) -> None:
    on_hand: Counter[int] = Counter()
    for lot in rows_of(demo, StockLot):
        on_hand[lot.item_id] += lot.quantity
    items = rows_of(demo, Item)
    assert 35 <= len(items) <= 55
    assert all(i.par >= i.reorder_point and i.unit_cost_cents > 0 for i in items)
    assert sum(1 for i in items if on_hand[i.id] < i.reorder_point) >= 3
    lots = [lot for lot in rows_of(demo, StockLot) if lot.quantity > 0 and lot.expires is not None]
    assert any(TODAY <= lot.expires <= TODAY + timedelta(days=30) for lot in lots)
    assert sum(1 for lot in lots if lot.expires < TODAY) == 1


def test_lots_match_how_items_are_tracked(demo: Engine) -> None:
    tracked = {i.id: i.tracks_lots for i in rows_of(demo, Item)}
    categories = {i.id: i.category for i in rows_of(demo, Item)}
    lots_per_item: Counter[int] = Counter()
    for lot in rows_of(demo, StockLot):
        lots_per_item[lot.item_id] += 1
        if tracked[lot.item_id]:
            assert lot.lot_number and lot.expires is not None
        else:
            assert lot.lot_number is None and lot.expires is None
    assert all(tracked[i] == (categories[i] in ("vaccine", "medication")) for i in tracked)
    assert all(lots_per_item[i] == 1 for i in tracked if not tracked[i])


def test_each_lot_equals_the_sum_of_its_movements(demo: Engine) -> None:
    moved: Counter[int] = Counter()
    movements = rows_of(demo, StockMovement)
    for m in movements:
        moved[m.lot_id] += m.quantity
    lots = rows_of(demo, StockLot)
    assert all(lot.quantity == moved[lot.id] for lot in lots)
    assert all(lot.quantity >= 0 for lot in lots)
    kinds = Counter(m.kind for m in movements)
    assert kinds["receive"] > 0 and kinds["use"] > 0
    # A year of history; today's deliveries came in this morning, before the demo's mid-morning "now".
    from officemgr.demo import DEMO_NOW

    assert min(m.at for m in movements) >= datetime.combine(TODAY - timedelta(days=365), time.min)
    assert max(m.at for m in movements) < datetime.combine(TODAY, DEMO_NOW)
    assert all(m.kind == "receive" for m in movements if m.at >= datetime.combine(TODAY, time.min))


def test_reorders_are_purchase_orders_traced_by_their_deliveries(demo: Engine) -> None:
    orders = {o.id: o for o in rows_of(demo, PurchaseOrder)}
    lines: dict[int, list] = defaultdict(list)
    for line in rows_of(demo, PurchaseOrderLine):
        lines[line.order_id].append(line)
    received: Counter[tuple[int, int]] = Counter()
    for m in rows_of(demo, StockMovement):
        if m.kind == "receive":
            assert (m.order_id is None) == (m.reason == "Opening count"), m
            if m.order_id is not None:
                received[(m.order_id, m.item_id)] += m.quantity
                order = orders[m.order_id]
                assert m.reason == f"Order {order.id}" and order.ordered_on < m.at.date() <= TODAY
    statuses = Counter(o.status for o in orders.values())
    assert statuses["draft"] == 0  # the manager makes drafts from the suggestions
    assert statuses["partly_received"] == 1 and 1 <= statuses["ordered"] <= 3
    assert statuses["received"] > 100
    vendors = {item.id: item.vendor_id for item in rows_of(demo, Item)}
    costs = {item.id: item.unit_cost_cents for item in rows_of(demo, Item)}
    for order in orders.values():
        assert lines[order.id], order
        assert order.created_on == order.ordered_on and TODAY - timedelta(days=366) <= order.ordered_on < TODAY
        assert order.ordered_on.weekday() < 5
        assert len({line.item_id for line in lines[order.id]}) == len(lines[order.id])
        for line in lines[order.id]:
            assert vendors[line.item_id] == order.vendor_id and line.unit_cost_cents == costs[line.item_id]
            assert 0 <= line.received <= line.quantity and received[(order.id, line.item_id)] == line.received
        done = [line.received == line.quantity for line in lines[order.id]]
        if order.status == "received":
            assert all(done) and order.received_on is not None and order.received_on <= TODAY
        else:
            assert not all(done) and order.received_on is None
            assert any(done) == (order.status == "partly_received")
    backordered = [o for o in orders.values() if o.note.startswith("Backordered")]
    assert len(backordered) == 2 and all(o.status != "received" for o in backordered)


def test_short_items_are_low_today_some_already_on_order(demo: Engine) -> None:
    from officemgr.services import inventory
    from officemgr.store import read_session

    with read_session(demo) as session:
        low = inventory.below_reorder_point(session, TODAY)
        stock = inventory.stock(session, TODAY)
    ordinary = [r for r in low if r.daily_use > 0 and r.category.value not in ("vaccine", "medication")]
    assert sum(1 for r in ordinary if r.on_order > 0) == 2
    assert sum(1 for r in ordinary if r.on_order == 0 and r.suggested_order > 0) >= 3
    assert not any(r.in_draft for r in stock)
    # The flu vaccine placed on the last workday is on its way.
    flu = next(r for r in stock if r.name == "Influenza vaccine (Fluzone) 0.5 mL PFS")
    assert flu.on_order >= 50


def test_supplies_budget_has_spend_this_month_and_year_and_one_category_over(demo: Engine) -> None:
    from officemgr.services import purchasing
    from officemgr.store import read_session

    with read_session(demo) as session:
        budget = purchasing.budget(session, TODAY)
    month = {line.category.value: line for line in budget.month_lines}
    year = {line.category.value: line for line in budget.year_lines}
    # The operating budget's supply categories (clinical and medication items are medical supplies).
    assert set(month) == {"supplies", "medical_supplies", "vaccines", "equipment"}
    assert all(line.spent_cents > 0 for line in year.values())
    # The AED check's order takes equipment over its month (its budget is mostly the service contract's, in the
    # quarter's months); the rest stay under, the year plausible.
    assert month["equipment"].spent_cents > month["equipment"].budget_cents
    assert all(line.spent_cents < line.budget_cents for key, line in month.items() if key != "equipment")
    assert all(0.02 < line.spent_cents / line.budget_cents < 1.0 for line in year.values())
    assert year["medical_supplies"].spent_cents > 0.6 * year["medical_supplies"].budget_cents


def test_equipment_has_its_service_log_one_overdue_one_due_soon(demo: Engine) -> None:
    from officemgr.services import equipment
    from officemgr.store import read_session

    with read_session(demo) as session:
        listed = equipment.equipment(session, TODAY)
        due = equipment.due(session, TODAY)
    names = {row.name.split(" (")[0] for row in listed}
    assert {"Autoclave", "AED", "Vaccine fridge data logger", "ECG machine", "Spirometer", "Centrifuge"} <= names
    assert all(row.serial_number and row.location and row.service_by and row.last_service for row in listed)
    assert [(row.name.split(" (")[0], row.days_to_due < 0) for row in due] == [
        ("ECG machine", True), ("Vaccine fridge data logger", False)]
    assert -14 <= due[0].days_to_due <= -10 and 0 < due[1].days_to_due <= 14
    by_id = {row.equipment_id: row for row in listed}
    logs: dict[int, list] = defaultdict(list)
    for s in rows_of(demo, EquipmentService):
        logs[s.equipment_id].append(s)
    for equipment_id, row in by_id.items():
        assert row.next_due == row.last_service + timedelta(days=row.service_every_days)
        dates = [s.on for s in logs[equipment_id]]
        assert dates == sorted(dates) and dates[-1] == row.last_service and len(dates) >= 2
        assert all(d.weekday() < 5 and d <= TODAY for d in dates)
    aed = next(row for row in listed if row.name.startswith("AED"))
    assert aed.service_every_days == 30 and len(logs[aed.equipment_id]) == 12
    assert "battery" in logs[aed.equipment_id][-1].note.lower()


def test_the_demo_huddle_shows_supplies_on_order_to_order_and_equipment(demo: Engine) -> None:
    from officemgr.services.huddle import huddle
    from officemgr.store import read_session

    with read_session(demo) as session:
        section = next(s for s in huddle(session, TODAY, actor="tests").sections if s.key == "supplies")
    reasons = [item.reason for item in section.items]
    assert any(re.search(r"; \d+ on order$", r) for r in reasons)
    assert any(re.search(r"; order \d+ from ", r) for r in reasons)
    assert "expired, remove from stock" in reasons
    assert any(r.startswith("service overdue") for r in reasons)
    assert any(r.startswith("service due in") for r in reasons)


# ---------------------------------------------------------------------------------------------- billing


def test_open_claims_fill_every_aging_bucket(demo: Engine) -> None:
    claims = rows_of(demo, Claim)
    open_ = [c for c in claims if c.status in {s.value for s in OPEN_STATUSES}]
    closed = [c for c in claims if c.status in ("paid", "closed")]
    assert 100 <= len(open_) <= 140 and 950 <= len(closed) <= 1050
    buckets = Counter(_bucket((TODAY - c.service_date).days) for c in open_)
    assert set(buckets) == {"0-30", "31-60", "61-90", "91-120", "120+"}
    assert {c.status for c in open_} == {s.value for s in OPEN_STATUSES}


def _bucket(age: int) -> str:
    for high, label in ((30, "0-30"), (60, "31-60"), (90, "61-90"), (120, "91-120")):
        if age <= high:
            return label
    return "120+"


def test_claims_are_well_formed(demo: Engine) -> None:
    claims = rows_of(demo, Claim)
    lines: dict[int, list] = defaultdict(list)
    for line in rows_of(demo, ClaimLine):
        lines[line.claim_id].append(line)
    diagnoses: dict[int, list] = defaultdict(list)
    for dx in rows_of(demo, ClaimDiagnosis):
        diagnoses[dx.claim_id].append(dx)
    assert len({c.number for c in claims}) == len(claims)
    for c in claims:
        assert re.fullmatch(r"C\d{4}-\d{6}", c.number)
        assert 1 <= len(lines[c.id]) <= 3 and 1 <= len(diagnoses[c.id]) <= 3
        assert c.billed_cents == sum(line.charge_cents for line in lines[c.id])
        assert 0 <= c.paid_cents <= c.billed_cents
        assert all(re.fullmatch(r"[0-9A-Z]\d{4}", line.code) for line in lines[c.id])
        assert all(re.fullmatch(r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?", dx.code) for dx in diagnoses[c.id])
        assert [dx.position for dx in diagnoses[c.id]] == list(range(1, len(diagnoses[c.id]) + 1))
        assert c.service_date <= TODAY
        if c.status in ("denied", "appealed"):
            assert c.denial_code in {"16", "18", "22", "27", "29", "45", "50", "97", "197"}
            assert c.denial_group in {"CO", "PR", "OA"}
            assert c.denied_on is not None and c.service_date <= c.denied_on <= TODAY
        if c.status != ClaimStatus.draft.value:
            assert c.submitted_on is not None and c.service_date <= c.submitted_on <= TODAY
        if c.status in ("draft", "submitted", "rejected", "denied"):
            assert c.deadline is not None and c.deadline > c.service_date  # the work queue sorts by it
        if c.status in ("paid", "closed"):
            assert c.deadline is None and c.next_follow_up is None
    follow_ups = [c.next_follow_up for c in claims if c.next_follow_up is not None]
    assert any(d == TODAY for d in follow_ups)
    assert any(d < TODAY for d in follow_ups) and any(d > TODAY for d in follow_ups)
    assert 0 < sum(c.paper for c in claims) < len(claims) * 0.12
    assert len(rows_of(demo, ClaimNote)) > 20


def _claims_by_id(engine: Engine) -> dict[int, Any]:
    return {c.id: c for c in rows_of(engine, Claim)}


def _events_by_claim(engine: Engine) -> dict[int, list]:
    events: dict[int, list] = defaultdict(list)
    for event in sorted(rows_of(engine, ClaimEvent), key=lambda e: (e.at, e.id)):
        events[event.claim_id].append(event)
    return events


def test_claim_history_chains_end_in_the_current_status(demo: Engine) -> None:
    from officemgr.demo import DEMO_NOW
    from officemgr.services.claim_flow import TRANSITIONS

    claims = _claims_by_id(demo)
    events = _events_by_claim(demo)
    notes: dict[int, list] = defaultdict(list)
    for note in rows_of(demo, ClaimNote):
        notes[note.claim_id].append(note.at.date())
    now = datetime.combine(TODAY, DEMO_NOW)
    for c in claims.values():
        chain = events.get(c.id, [])
        if c.status == "draft":
            assert chain == []
            continue
        assert chain, c.number  # every claim that left draft has its history (the small demo covers a year)
        assert chain[0].from_status == "draft" and chain[0].to_status == "submitted"
        assert chain[0].at.date() == c.submitted_on
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status and after.at > before.at, c.number
        for event in chain:
            assert ClaimStatus(event.to_status) in TRANSITIONS[ClaimStatus(event.from_status)], (c.number, event)
            assert c.service_date <= event.at.date() and event.at <= now
        assert chain[-1].to_status == c.status, c.number
        assert sum(e.amount_cents for e in chain) == c.paid_cents, c.number
        denials = [e for e in chain if e.to_status == "denied"]
        if denials:
            assert denials[-1].code and denials[-1].at.date() == c.denied_on
        assert c.last_activity == max([e.at.date() for e in chain] + notes[c.id]), c.number


def test_denied_claims_carry_code_group_and_date(demo: Engine) -> None:
    from officemgr.demo.billing import DENIALS

    groups = {code: group for code, group, _ in DENIALS}
    denied = [c for c in rows_of(demo, Claim) if c.status in ("denied", "appealed")]
    assert len(denied) >= 15
    for c in denied:
        assert c.denial_code and c.denial_group == groups[c.denial_code] and c.denied_on is not None
        assert c.paid_cents == 0


def test_denials_in_the_last_90_days_spread_over_codes_and_payers(demo: Engine) -> None:
    since = datetime.combine(TODAY - timedelta(days=89), time())
    claims = _claims_by_id(demo)
    recent = [e for e in rows_of(demo, ClaimEvent) if e.to_status == "denied" and e.at >= since]
    codes = Counter(e.code for e in recent)
    assert set(codes) == {"16", "18", "22", "27", "29", "45", "50", "97", "197"}
    assert max(codes.values()) <= 0.3 * len(recent)  # spread, not piled on one code
    assert len({claims[e.claim_id].payer_id for e in recent}) == 6


def test_paid_claims_are_settled_and_the_kpis_look_like_a_practice(demo: Engine) -> None:
    claims = rows_of(demo, Claim)
    paid = [c for c in claims if c.status == "paid"]
    assert len(paid) > 800
    for c in paid:
        assert c.paid_cents + c.adjusted_cents + c.patient_resp_cents == c.billed_cents, c.number
        assert c.adjusted_cents > 0 and c.underpaid_cents == 0
        assert c.paid_cents > 0 or c.patient_resp_cents == c.billed_cents - c.adjusted_cents  # all to the deductible
    assert 0.05 < sum(c.patient_resp_cents > 0 for c in paid) / len(paid) < 0.3
    assert sum(c.paid_cents == 0 for c in paid) < 0.03 * len(paid)
    year = [c for c in claims if c.service_date > TODAY - timedelta(days=365)]
    open_ = [c for c in claims if c.status in {s.value for s in OPEN_STATUSES}]
    ar = sum(max(0, c.billed_cents - c.paid_cents - c.adjusted_cents - c.patient_resp_cents) for c in open_)
    days_in_ar = ar / (sum(c.billed_cents for c in year) / 365)
    assert 30 <= days_in_ar <= 45
    settled = [c for c in year if c.status in ("paid", "closed")]
    net_collection = sum(c.paid_cents for c in settled) / sum(c.billed_cents - c.adjusted_cents for c in settled)
    assert 0.9 <= net_collection <= 0.97
    submitted = [c for c in year if c.submitted_on is not None]
    denial_rate = sum(c.denied_on is not None for c in submitted) / len(submitted)
    assert 0.03 <= denial_rate <= 0.1


def test_closed_claims_show_each_close_reason_with_a_note(demo: Engine) -> None:
    events = _events_by_claim(demo)
    closed = [c for c in rows_of(demo, Claim) if c.status == "closed"]
    reasons = Counter(c.close_reason for c in closed)
    assert set(reasons) == {r.value for r in CloseReason} and min(reasons.values()) >= 3
    for c in closed:
        assert c.close_note and events[c.id][-1].text == c.close_note
        balance = c.billed_cents - c.paid_cents - c.adjusted_cents - c.patient_resp_cents
        if c.close_reason == CloseReason.paid.value:
            assert balance == 0
        else:
            assert balance > 0


def test_some_open_claims_need_investigation(demo: Engine) -> None:
    open_ = [c for c in rows_of(demo, Claim) if c.status in {s.value for s in OPEN_STATUSES} and c.status != "draft"]
    quiet = [c for c in open_ if (TODAY - c.last_activity).days > (30 if c.paper else 21)]
    assert 0.1 * len(open_) <= len(quiet) <= 0.4 * len(open_)
    assert any(c.paper for c in rows_of(demo, Claim) if c.status in {s.value for s in OPEN_STATUSES})


def test_fee_schedules_remittances_and_underpaid_claims(demo: Engine) -> None:
    from officemgr.demo.billing import CHARGES, FEE_SCHEDULE_PAYERS

    payers = {p.id: p.name for p in rows_of(demo, Payer)}
    schedules: dict[str, dict[str, int]] = defaultdict(dict)
    for fee in rows_of(demo, FeeSchedule):
        schedules[payers[fee.payer_id]][fee.code] = fee.allowed_cents
    assert set(schedules) == set(FEE_SCHEDULE_PAYERS)
    assert all(set(codes) == set(CHARGES) for codes in schedules.values())
    lines: dict[int, list] = defaultdict(list)
    for line in rows_of(demo, ClaimLine):
        lines[line.claim_id].append(line)
    claims = _claims_by_id(demo)
    underpaid = [c for c in claims.values() if c.underpaid_cents > 0]
    assert 2 <= len(underpaid) <= 3
    for c in underpaid:
        schedule = schedules[payers[c.payer_id]]
        expected = sum(min(schedule[line.code] * line.units, line.charge_cents) for line in lines[c.id])
        assert c.status == "partly_paid"
        assert c.underpaid_cents == expected - c.paid_cents - c.patient_resp_cents
    remittances = {r.id: r for r in rows_of(demo, Remittance)}
    posted = rows_of(demo, RemittanceClaim)
    assert {rc.claim_id for rc in posted if rc.claim_id} >= {c.id for c in underpaid}
    unmatched = [rc for rc in posted if rc.claim_id is None]
    assert len(unmatched) == 2
    assert not {rc.claim_number for rc in unmatched} & {c.number for c in claims.values()}
    for rc in posted:
        remittance = remittances[rc.remittance_id]
        assert TODAY - timedelta(days=90) <= remittance.imported_at.date() <= TODAY
        if rc.claim_id:
            c = claims[rc.claim_id]
            assert (rc.claim_number, rc.paid_cents, rc.charge_cents) == (c.number, c.paid_cents, c.billed_cents)
            assert payers[c.payer_id] == remittance.payer_name
    for remittance in remittances.values():
        assert remittance.paid_cents == sum(rc.paid_cents for rc in posted if rc.remittance_id == remittance.id)


def test_demo_diagnoses_are_billable_icd10_codes(demo: Engine) -> None:
    from officemgr.services import icd

    codes = {dx.code for dx in rows_of(demo, ClaimDiagnosis)}
    assert len(codes) > 20
    assert [code for code in sorted(codes) if not icd.check(code).billable] == []
    assert all(icd.check(code).code == code for code in codes)  # stored as the code set writes them


# ------------------------------------------------------------------------------------------- compliance


def test_compliance_history_leaves_a_few_overdue_and_due_today(demo: Engine) -> None:
    everything = rows_of(demo, ComplianceTask)
    tasks = [t for t in everything if not t.is_policy]
    assert len(tasks) == len(load_checklist(checklist_path()))
    # The policy register: each reviewed once in the last ~13 months, yearly.
    policies = [t for t in everything if t.is_policy]
    assert len(policies) == 5 and {t.rrule for t in policies} == {"FREQ=YEARLY"}
    last_due: dict[int, date] = {}
    policy_ids = {t.id for t in policies}
    for c in rows_of(demo, ComplianceCompletion):
        if c.task_id in policy_ids:
            continue
        last_due[c.task_id] = max(last_due.get(c.task_id, c.due_date), c.due_date)
        assert c.done_at.date() >= c.due_date
    states = Counter()
    for task in tasks:
        assert task.anchor < TODAY
        rule = rrulestr(task.rrule, dtstart=datetime.combine(task.anchor, time.min))
        after = last_due.get(task.id)
        due = rule.after(datetime.combine(after, time.min)) if after else rule.after(
            datetime.combine(task.anchor, time.min), inc=True)
        states["overdue" if due.date() < TODAY else "today" if due.date() == TODAY else "later"] += 1
    assert 2 <= states["overdue"] <= 5
    assert 1 <= states["today"] <= 5
    # The fridge/freezer duty is kept by the temperature log alone: no hand-entered completions, readings in the log.
    log_duty = {t.id for t in tasks if "temperature log" in t.title.lower()}
    assert log_duty and not [c for c in rows_of(demo, ComplianceCompletion) if c.task_id in log_duty]
    assert rows_of(demo, TemperatureReading)


# ------------------------------------------------------------------------------------------------ refuse


def test_filling_twice_is_refused() -> None:
    engine, summary = filled_engine()
    with pytest.raises(ValueError, match="already holds 80 patients"):
        fill(engine, today=TODAY, seed=5)
    assert scalar(engine, select(func.count()).select_from(Patient.__table__)) == summary.patients
    assert scalar(engine, select(func.count()).select_from(Staff.__table__)) == summary.staff


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo scale"):
        fill(new_engine(), today=TODAY, scale="huge")


def test_demo_does_not_import_textual() -> None:
    code = "import sys, officemgr.demo, officemgr.checklist; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------------------------------- checklist

HEADER = "title,category,rrule,evidence,owner_role\n"


def test_default_checklist_loads() -> None:
    rows = load_checklist(checklist_path())
    assert len(rows) == 17
    assert {r.category for r in rows} == set(ComplianceCategory)
    assert {r.owner_role for r in rows} <= {role.value for role in Role}
    by_title = {r.title: r for r in rows}
    assert by_title["OSHA 300A summary posted"].rrule == "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=1"
    assert by_title["CLIA certificate of waiver renewal"].rrule == "FREQ=YEARLY;INTERVAL=2"


def test_checklist_rejects_a_bad_rrule(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "checklist.csv"
    path.write_text(HEADER + "Fridge log,cdc,FREQ=DAILY,log,ma\nSpore test,cdc,FREQ=FORTNIGHTLY,BI,ma\n")
    with pytest.raises(ChecklistError, match=r"line 3: .*FORTNIGHTLY"):
        load_checklist(path)


def test_checklist_rejects_an_unknown_category(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "checklist.csv"
    path.write_text(HEADER + "Fridge log,vaccines,FREQ=DAILY,log,ma\n")
    with pytest.raises(ChecklistError, match=r"line 2: unknown category 'vaccines'"):
        load_checklist(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Log,cdc,FREQ=DAILY,x,janitor\n", r"line 2: unknown owner_role 'janitor'"),
        (",cdc,FREQ=DAILY,x,ma\n", r"line 2: the title is empty"),
        ("Log,cdc,FREQ=DAILY,x,ma\nlog,cdc,FREQ=WEEKLY,x,ma\n", r"line 3: the title 'log' is already used on line 2"),
        ("Log,cdc,DTSTART:20260101;FREQ=DAILY,x,ma\n", r"line 2: .*without DTSTART"),
        ("Log,cdc,FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,x,ma\n", r"line 2: .*never produces a due date"),
        ("Log,cdc,FREQ=DAILY,x,ma,extra\n", r"line 2: more fields"),
    ],
)
def test_checklist_rejects_bad_rows(tmp_path, body: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "checklist.csv"
    path.write_text(HEADER + body)
    with pytest.raises(ChecklistError, match=message):
        load_checklist(path)


def test_checklist_needs_its_columns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "checklist.csv"
    path.write_text("title,category,rrule\nLog,cdc,FREQ=DAILY\n")
    with pytest.raises(ChecklistError, match=r"line 1: missing column\(s\) evidence, owner_role"):
        load_checklist(path)


# ------------------------------------------------------------------------------------------- front desk


def test_front_desk_rows_are_deterministic(demo: Engine) -> None:
    from officemgr.models import AppointmentEvent, Recall, WaitlistEntry

    again, summary = filled_engine(seed=1)
    for model in (Recall, WaitlistEntry, AppointmentEvent):
        assert rows(demo, model) == rows(again, model), model.__name__
    assert summary.recalls == len(rows(again, Recall)) and summary.waitlist_entries == len(rows(again, WaitlistEntry))
    assert summary.appointment_events == len(rows(again, AppointmentEvent))
    other, _ = filled_engine(seed=2)
    assert rows(demo, Recall) != rows(other, Recall)


def test_front_desk_lists_have_work_in_them(demo: Engine) -> None:
    from officemgr.demo import DEMO_NOW
    from officemgr.models import Recall, WaitlistEntry
    from officemgr.services import frontdesk
    from officemgr.store import read_session

    recalls = rows_of(demo, Recall)
    assert 12 <= len(recalls) <= 18
    assert {"open", "contacted", "declined"} <= {r.status for r in recalls}
    with read_session(demo) as session:
        due = frontdesk.recalls_due(session, TODAY)
        calls = frontdesk.reminder_list(session, TODAY)
        unverified = frontdesk.unverified_today(session, TODAY)
        waiting = frontdesk.waitlist(session)
    assert 5 <= len(due) <= 9 and any(r.due < TODAY for r in due)
    # Some open, due recalls are left off the call list because the patient is booked already.
    open_due = [r for r in recalls if r.status == "open" and r.due <= TODAY + timedelta(days=30)]
    assert len(open_due) > len(due)
    assert len(rows_of(demo, WaitlistEntry)) == 6 and len(waiting) >= 4
    assert calls.day == TODAY + timedelta(days=1)
    assert 0.3 <= calls.called / len(calls.rows) <= 0.7
    now = datetime.combine(TODAY, DEMO_NOW)
    assert all(r.reminder_at.date() == TODAY and r.reminder_at < now for r in calls.rows if r.reminder)
    assert 3 <= len(unverified) <= 5


def test_todays_visits_so_far_have_timed_check_in_and_rooming(demo: Engine) -> None:
    from officemgr.demo import DEMO_NOW
    from officemgr.models import AppointmentEvent
    from officemgr.services.schedule import waiting_minutes

    events: dict[int, list] = defaultdict(list)
    for e in rows_of(demo, AppointmentEvent):
        events[e.appointment_id].append(e)
    now = datetime.combine(TODAY, DEMO_NOW)
    seen = [a for a in rows_of(demo, Appointment)
            if a.start.date() == TODAY and a.status in ("arrived", "in_room", "checked_out")]
    assert seen and set(events) == {a.id for a in seen}
    for appt in seen:
        steps = [(e.from_status, e.to_status) for e in events[appt.id]]
        expected = [("booked", "arrived"), ("arrived", "in_room"), ("in_room", "checked_out")]
        assert steps == expected[: {"arrived": 1, "in_room": 2, "checked_out": 3}[appt.status]]
        times = [e.at for e in events[appt.id]]
        assert times == sorted(times) and times[-1] <= now
        assert times[0] < appt.start
        if appt.status != "arrived":
            wait = waiting_minutes(events[appt.id])
            assert wait is not None and 5 <= wait <= 25
        if appt.status == "checked_out":
            assert times[2] - times[1] >= appt.end - appt.start


def test_friday_reminders_are_for_monday() -> None:
    from officemgr.services import frontdesk
    from officemgr.store import read_session

    friday = date(2026, 11, 27)
    engine, _ = filled_engine(today=friday)
    with read_session(engine) as session:
        calls = frontdesk.reminder_list(session, friday)
    assert calls.day == date(2026, 11, 30) and calls.rows and calls.called > 0


# ---------------------------------------------------------------------------- evaluations and enrollment


def test_evaluations_and_payer_enrollment_tell_their_story(demo: Engine) -> None:
    from officemgr.models import Evaluation, Payer, PayerEnrollment
    from officemgr.models.roster import EvaluationKind
    from officemgr.services import credentials
    from officemgr.store import read_session

    again, summary = filled_engine(seed=1)
    for model in (Evaluation, PayerEnrollment, Staff):
        assert rows(demo, model) == rows(again, model), model.__name__
    assert summary.evaluations == len(rows(again, Evaluation)) > 0
    assert summary.payer_enrollments == len(rows(again, PayerEnrollment))

    staff = {s.id: s for s in rows_of(demo, Staff)}
    evaluations = rows_of(demo, Evaluation)
    assert len(evaluations) >= len(staff) // 2  # most staff had one done
    review_days = timedelta(days=90)
    for e in evaluations:
        hire = staff[e.staff_id].hire_date
        on_time = (e.due == hire + review_days if e.kind is EvaluationKind.probation
                   else credentials.is_anniversary(hire, e.due))
        assert on_time and hire <= e.done_on <= TODAY and e.note
    with read_session(demo) as session:
        due = credentials.evaluations_due(session, TODAY, within_days=None)
        enrolled = credentials.enrollments(session, TODAY)
        to_do = credentials.enrollments_due(session, TODAY)
    # Everyone still here has a next evaluation; the person who left last month is not reminded.
    assert len(due) == sum(1 for s in staff.values() if s.end_date is None or s.end_date >= TODAY) == len(staff) - 1
    assert sum(r.overdue for r in due) == 1
    assert any(0 <= r.days_left <= 30 for r in due)

    payers = {p.id: p.name for p in rows_of(demo, Payer)}
    per_provider = Counter(e.provider_id for e in rows_of(demo, PayerEnrollment))
    providers = {s.id for s in staff.values() if s.is_provider}
    assert set(per_provider) == providers and all(3 <= n <= 5 for n in per_provider.values())
    assert all("Medicare" in {r.payer_name for r in enrolled if r.provider_id == p} for p in providers)
    assert {r.payer_name for r in enrolled} <= set(payers.values())
    for r in enrolled:
        assert r.effective <= TODAY < r.recredential_due
        assert staff[r.provider_id].hire_date < r.effective
    assert sum(1 for r in enrolled if r.recredential_days <= 30) == 1
    caqh_age = {r.provider_id: (TODAY - r.caqh_attested_on).days for r in enrolled}
    assert sum(1 for age in caqh_age.values() if age > 120) == 1
    assert sorted((d.kind, d.overdue) for d in to_do) == [("caqh", True), ("recredential", False)]


def test_evaluation_story_holds_on_other_days() -> None:
    from officemgr.services import credentials
    from officemgr.store import read_session

    for day, seed in ((date(2027, 2, 28), 2), (date(2028, 2, 29), 3), (date(2026, 1, 2), 4)):
        engine, _ = filled_engine(seed=seed, today=day)
        with read_session(engine) as session:
            due = credentials.evaluations_due(session, day, within_days=30)
            to_do = credentials.enrollments_due(session, day)
        assert sum(r.overdue for r in due) == 1, day
        assert any(r.days_left >= 0 for r in due), day
        assert sorted((d.kind, d.overdue) for d in to_do) == [("caqh", True), ("recredential", False)], day


def test_a_demo_started_on_a_holiday_weekend_books_nothing_on_closed_days() -> None:
    """Built on the Sunday after Thanksgiving: no visit, shift or temperature reading on a weekend or on
    Thanksgiving Day (the practice calendar's default: Mon–Fri, closed on federal holidays)."""
    sunday = date(2026, 11, 29)
    engine, summary = filled_engine(today=sunday)
    closed = {date(2026, 11, 26)}
    visit_days = {a.start.date() for a in rows_of(engine, Appointment)}
    shift_days = {s.start.date() for s in rows_of(engine, Shift)}
    reading_days = {r.at.date() for r in rows_of(engine, TemperatureReading)}
    for days in (visit_days, shift_days, reading_days):
        assert days and all(d.weekday() < 5 and d not in closed for d in days)
    assert date(2026, 11, 27) in visit_days and date(2026, 11, 30) in visit_days  # Friday and Monday are open
    assert summary.appointments > 0


def test_demo_data_never_goes_beside_a_practices_own_sign_ins() -> None:
    """A new practice with its manager but no patients yet: no demo manager with PIN 1234 may join them."""
    engine = new_engine()
    with Session(engine) as session:
        users.first_manager(session, first_name="Pat", last_name="Manager", login="pat", new_pin="2468",
                            workstation="setup", now=datetime(2026, 11, 23, 9))
    with pytest.raises(ValueError, match="already holds 1 staff members"):
        fill(engine, today=TODAY)
    assert scalar(engine, select(func.count()).select_from(UserAccount.__table__)) == 1
