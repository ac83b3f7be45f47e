"""Small factories that insert one row each, with sensible defaults and keyword overrides.

Plain functions taking a session (service tests, UI tests and snapshot tests share them). Each commits,
so the row is visible to any other session on the same engine. Names that must be unique (appointment
types, payers, claim numbers, items, compliance tasks) get a counter suffix unless given.

Dates default relative to TODAY (Monday 2026-11-23) so a test reads the same every day.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from officemgr.models import (
    Appointment,
    AppointmentType,
    ApptStatus,
    AuditEvent,
    Claim,
    ClaimStatus,
    ComplianceCategory,
    ComplianceCompletion,
    ComplianceTask,
    Credential,
    CredentialKind,
    Item,
    ItemCategory,
    Patient,
    Payer,
    Role,
    Shift,
    Staff,
    StockLot,
    TimeOff,
    TimeOffStatus,
    Vendor,
)
from officemgr.services.availability import default_template

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 8, 30)
ACTOR = "manager"
VALID_NPIS = ("1234567893", "1558598797")

_seq = itertools.count(1)
_UNSET: Any = object()


def _next() -> int:
    return next(_seq)


def _save(session: Session, row: Any) -> Any:
    session.add(row)
    session.commit()
    return row


def at(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """A naive local datetime on `day` (default TODAY): at(9, 30) is 09:30 today."""
    return datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)


# --- people -------------------------------------------------------------------------------------------


def make_patient(
    session: Session,
    *,
    first_name: str = "Ada",
    last_name: str = "Lovelace",
    dob: date = date(1980, 5, 17),
    phone: str = "(555) 123-4567",
    **overrides: Any,
) -> Patient:
    return _save(session, Patient(first_name=first_name, last_name=last_name, dob=dob, phone=phone, **overrides))


def make_staff(
    session: Session,
    *,
    first_name: str = "Mary",
    last_name: str = "Jones",
    role: Role = Role.ma,
    is_provider: bool = False,
    npi: str | None = None,
    **overrides: Any,
) -> Staff:
    return _save(
        session,
        Staff(first_name=first_name, last_name=last_name, role=role, is_provider=is_provider, npi=npi, **overrides),
    )


def make_provider(
    session: Session,
    *,
    first_name: str = "Grace",
    last_name: str = "Hopper",
    role: Role = Role.physician,
    npi: str = VALID_NPIS[0],
    template: bool = True,
    **overrides: Any,
) -> Staff:
    """An active provider with a valid NPI (1234567893 by default; 1558598797 is the other valid one).

    With `template=True` (the default) they work weekdays 08:00-17:00 with lunch 12:00-13:00.
    """
    person = make_staff(session, first_name=first_name, last_name=last_name, role=role, is_provider=True, npi=npi,
                        **overrides)
    if template:
        hours, blocks = default_template(person.id)
        session.add_all([*hours, *blocks])
        session.commit()
    return person


# --- roster -------------------------------------------------------------------------------------------


def make_shift(
    session: Session,
    staff: Staff,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    **overrides: Any,
) -> Shift:
    start = start or at(8)
    end = end or start.replace(hour=17, minute=0)
    return _save(session, Shift(staff_id=staff.id, start=start, end=end, **overrides))


def make_time_off(
    session: Session,
    staff: Staff,
    *,
    start_date: date = TODAY,
    end_date: date | None = None,
    kind: str = "PTO",
    status: TimeOffStatus = TimeOffStatus.approved,
    **overrides: Any,
) -> TimeOff:
    return _save(
        session,
        TimeOff(staff_id=staff.id, kind=kind, start_date=start_date, end_date=end_date or start_date, status=status,
                **overrides),
    )


def make_credential(
    session: Session,
    staff: Staff,
    *,
    kind: CredentialKind = CredentialKind.license,
    expires: date | None = TODAY + timedelta(days=365),
    number: str = "",
    **overrides: Any,
) -> Credential:
    return _save(
        session,
        Credential(staff_id=staff.id, kind=kind, expires=expires, number=number or f"C-{_next()}", **overrides),
    )


# --- schedule -----------------------------------------------------------------------------------------


def make_appointment_type(
    session: Session, *, name: str | None = None, minutes: int = 15, **overrides: Any
) -> AppointmentType:
    return _save(session, AppointmentType(name=name or f"Follow-up {_next()}", minutes=minutes, **overrides))


def make_appointment(
    session: Session,
    *,
    patient: Patient | None = None,
    provider: Staff | None = None,
    appt_type: AppointmentType | None = None,
    start: datetime | None = None,
    minutes: int | None = None,
    status: ApptStatus = ApptStatus.booked,
    **overrides: Any,
) -> Appointment:
    """An appointment at 09:00 today; patient, provider and type are created when not given."""
    patient = patient or make_patient(session)
    provider = provider or make_provider(session)
    appt_type = appt_type or make_appointment_type(session)
    start = start or at(9)
    length = minutes if minutes is not None else appt_type.minutes
    return _save(
        session,
        Appointment(patient_id=patient.id, provider_id=provider.id, type_id=appt_type.id, start=start,
                    end=start + timedelta(minutes=length), status=status, **overrides),
    )


# --- billing ------------------------------------------------------------------------------------------


def make_payer(
    session: Session,
    *,
    name: str | None = None,
    timely_filing_days: int = 365,
    appeal_days: int = 180,
    **overrides: Any,
) -> Payer:
    return _save(
        session,
        Payer(name=name or f"Payer {_next()}", timely_filing_days=timely_filing_days, appeal_days=appeal_days,
              **overrides),
    )


def make_claim(
    session: Session,
    *,
    patient: Patient | None = None,
    payer: Payer | None = None,
    number: str | None = None,
    service_date: date = TODAY - timedelta(days=20),
    billed_cents: int = 15_000,
    paid_cents: int = 0,
    status: ClaimStatus = ClaimStatus.submitted,
    deadline: date | None = _UNSET,
    **overrides: Any,
) -> Claim:
    """A claim; its stored deadline is derived with services.billing.claim_deadline unless given."""
    from officemgr.services.billing import claim_deadline

    patient = patient or make_patient(session)
    payer = payer or make_payer(session)
    claim = Claim(
        number=number or f"CL{_next():06d}",
        patient_id=patient.id,
        payer_id=payer.id,
        service_date=service_date,
        billed_cents=billed_cents,
        paid_cents=paid_cents,
        status=status,
        **overrides,
    )
    claim.deadline = claim_deadline(claim, payer) if deadline is _UNSET else deadline
    return _save(session, claim)


# --- inventory ----------------------------------------------------------------------------------------


def make_vendor(session: Session, *, name: str | None = None, **overrides: Any) -> Vendor:
    return _save(session, Vendor(name=name or f"Vendor {_next()}", **overrides))


def make_lot(
    session: Session,
    item: Item,
    *,
    quantity: int = 10,
    lot_number: str | None = None,
    expires: date | None = None,
    received_on: date | None = None,
    **overrides: Any,
) -> StockLot:
    return _save(
        session,
        StockLot(item_id=item.id, lot_number=lot_number, expires=expires, quantity=quantity, received_on=received_on,
                 **overrides),
    )


def make_item(
    session: Session,
    *,
    name: str | None = None,
    category: ItemCategory = ItemCategory.clinical,
    par: int = 0,
    reorder_point: int = 0,
    tracks_lots: bool = False,
    quantity: int = 0,
    lots: list[tuple[str, date | None, int]] | None = None,
    vendor: Vendor | None = None,
    **overrides: Any,
) -> Item:
    """An item with its stock.

    Lot-tracked items get one lot per (lot_number, expires, quantity) in `lots`. Items without lots get the
    single unnamed lot holding `quantity` (as services.inventory.add_item keeps them).
    """
    item = _save(
        session,
        Item(name=name or f"Item {_next()}", category=category, par=par, reorder_point=reorder_point,
             tracks_lots=tracks_lots, vendor_id=vendor.id if vendor else None, **overrides),
    )
    if tracks_lots:
        for lot_number, expires, qty in lots or []:
            make_lot(session, item, lot_number=lot_number, expires=expires, quantity=qty)
    else:
        if lots:
            raise ValueError("an item that does not track lots keeps one unnamed lot; pass quantity=")
        make_lot(session, item, quantity=quantity)
    return item


# --- compliance ---------------------------------------------------------------------------------------


def make_compliance_task(
    session: Session,
    *,
    title: str | None = None,
    category: ComplianceCategory = ComplianceCategory.osha,
    rrule: str = "FREQ=WEEKLY;BYDAY=MO",
    anchor: date = date(2026, 1, 5),
    evidence: str = "",
    **overrides: Any,
) -> ComplianceTask:
    return _save(
        session,
        ComplianceTask(title=title or f"Task {_next()}", category=category, rrule=rrule, anchor=anchor,
                       evidence=evidence, **overrides),
    )


def make_completion(
    session: Session,
    task: ComplianceTask,
    *,
    due_date: date,
    done_at: datetime | None = None,
    done_by: str = "MJ",
    evidence: str = "done",
    **overrides: Any,
) -> ComplianceCompletion:
    return _save(
        session,
        ComplianceCompletion(task_id=task.id, due_date=due_date,
                             done_at=done_at or datetime.combine(due_date, datetime.min.time()).replace(hour=9),
                             done_by=done_by, evidence=evidence, **overrides),
    )


# --- reading back -------------------------------------------------------------------------------------


def audit_events(session: Session, entity: str | None = None) -> list[tuple[AuditEvent, dict[str, Any]]]:
    """The audit trail, oldest first, each event with its changes decoded from JSON."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    return [(event, json.loads(event.changes)) for event in session.exec(query)]


# --- stock movements, purchase orders, equipment ------------------------------------------------------


def make_movement(
    session: Session,
    item: Item,
    *,
    kind: Any = None,
    quantity: int = -1,
    at: datetime = NOW,
    lot: StockLot | None = None,
    **overrides: Any,
) -> Any:
    """A stock movement row as it stands (no lot quantity is changed): a use of 1 at NOW unless told."""
    from officemgr.models import MovementKind, StockMovement

    return _save(
        session,
        StockMovement(item_id=item.id, lot_id=lot.id if lot else None, kind=kind or MovementKind.use,
                      quantity=quantity, at=at, **overrides),
    )


def make_order(
    session: Session,
    vendor: Vendor,
    lines: list[tuple[Item, int] | tuple[Item, int, int]],
    *,
    status: Any = None,
    created_on: date = TODAY,
    ordered_on: date | None = _UNSET,
    **overrides: Any,
) -> Any:
    """A purchase order with (item, quantity[, received]) lines at each item's unit cost.

    Placed statuses get ordered_on TODAY unless given; a draft gets none.
    """
    from officemgr.models import OrderStatus, PurchaseOrder, PurchaseOrderLine

    status = status or OrderStatus.draft
    if ordered_on is _UNSET:
        ordered_on = None if status == OrderStatus.draft else TODAY
    order = _save(session, PurchaseOrder(vendor_id=vendor.id, status=status, created_on=created_on,
                                         ordered_on=ordered_on, **overrides))
    for item, quantity, *received in lines:
        session.add(PurchaseOrderLine(order_id=order.id, item_id=item.id, quantity=quantity,
                                      received=received[0] if received else 0,
                                      unit_cost_cents=item.unit_cost_cents))
    session.commit()
    return order


def make_equipment(
    session: Session,
    *,
    name: str | None = None,
    service_every_days: int = 365,
    last_service: date | None = None,
    next_due: date | None = None,
    **overrides: Any,
) -> Any:
    """Equipment; next_due defaults to last service (or TODAY) plus the interval, as services.equipment stores it."""
    from officemgr.models import Equipment

    if next_due is None:
        next_due = (last_service or TODAY) + timedelta(days=service_every_days)
    return _save(
        session,
        Equipment(name=name or f"Equipment {_next()}", service_every_days=service_every_days,
                  last_service=last_service, next_due=next_due, **overrides),
    )


# --- claim history and CARC codes (billing core) ------------------------------------------------------


def make_carc_codes(session: Session, codes: dict[str, str] | None = None) -> list[Any]:
    """CARC codes with their meanings (the in-memory test database has none: the migration seeds them)."""
    from officemgr.models import CarcCode

    codes = codes or {"1": "Deductible amount", "16": "Claim lacks information or has billing errors",
                      "45": "Charge exceeds fee schedule", "197": "Precertification or authorization absent"}
    rows = [CarcCode(code=code, meaning=meaning) for code, meaning in codes.items()]
    session.add_all(rows)
    session.commit()
    return rows


def make_claim_event(
    session: Session,
    claim: Claim,
    *,
    to_status: str,
    from_status: str = "pending",
    at: datetime = NOW,
    amount_cents: int = 0,
    code: str = "",
    **overrides: Any,
) -> Any:
    """A row of a claim's status history as it stands (the claim itself is not changed)."""
    from officemgr.models import ClaimEvent

    return _save(session, ClaimEvent(claim_id=claim.id, at=at, actor=overrides.pop("actor", ACTOR),
                                     from_status=from_status, to_status=to_status, amount_cents=amount_cents,
                                     code=code, **overrides))


# --- remittances (835) and fee schedules --------------------------------------------------------------


def make_claim_line(session: Session, claim: Claim, *, code: str = "99213", charge_cents: int = 15_000,
                    units: int = 1, modifiers: str = "") -> Any:
    from officemgr.models import ClaimLine

    return _save(session, ClaimLine(claim_id=claim.id, code=code, modifiers=modifiers, units=units,
                                    charge_cents=charge_cents))


def make_fee(session: Session, payer: Payer, *, code: str = "99213", allowed_cents: int = 10_000,
             modifier: str = "") -> Any:
    from officemgr.models import FeeSchedule

    return _save(session, FeeSchedule(payer_id=payer.id, code=code, modifier=modifier, allowed_cents=allowed_cents))


def _dollars(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


class EraClaim:
    """One claim payment (CLP loop) of a test 835: claim-level adjustments, and service lines with their own.

    status: CLP02 (1 processed as primary, 4 denied, 22 reversal). adjustments: [(group, carc, cents)].
    lines: [(code, charge cents, paid cents, [(group, carc, cents)])].
    """

    def __init__(self, number: str, status: str = "1", charge: int = 15_000, paid: int = 0, patient: int = 0,
                 adjustments: list[tuple[str, str, int]] | None = None,
                 lines: list[tuple[str, int, int, list[tuple[str, str, int]]]] | None = None,
                 name: tuple[str, str] = ("DOE", "JANE"), member: str = "W123456789",
                 service: date | None = None) -> None:
        self.number, self.status, self.charge, self.paid, self.patient = number, status, charge, paid, patient
        self.adjustments = adjustments or []
        self.lines = lines or []
        self.name, self.member, self.service = name, member, service


def era_text(claims: list[EraClaim], *, payer: str = "ACME HEALTH PLAN", check: str = "12345",
             check_cents: int | None = None, produced: date = date(2026, 11, 20), control: int = 1,
             provider_adjustments: list[tuple[str, int]] | None = None) -> str:
    """A 5010 835 (ISA/GS/ST/BPR/TRN/DTM/N1/LX/CLP/CAS/NM1/SVC/PLB/SE/GE/IEA) with the right segment counts.

    The check amount (BPR02) is the claim payments less the provider adjustments unless given.
    """
    plb = provider_adjustments or []
    total = sum(c.paid for c in claims) - sum(cents for _, cents in plb) if check_cents is None else check_cents
    d8 = produced.strftime("%Y%m%d")
    body = [
        "ST*835*0001",
        f"BPR*{'I' if total else 'H'}*{_dollars(total)}*C*CHK************{d8}",
        f"TRN*1*{check}*1512345678",
        f"DTM*405*{d8}",
        f"N1*PR*{payer}",
        "N3*1 MAIN ST",
        "N4*SPRINGFIELD*IL*62701",
        "PER*BL*CLAIMS*TE*8005551212",
        "N1*PE*SMALL PRACTICE*XX*1234567893",
        "LX*1",
    ]
    for c in claims:
        patient = _dollars(c.patient) if c.patient else ""
        body.append(f"CLP*{c.number}*{c.status}*{_dollars(c.charge)}*{_dollars(c.paid)}*{patient}*12*P{c.number}")
        body += [f"CAS*{group}*{carc}*{_dollars(cents)}" for group, carc, cents in c.adjustments]
        body.append(f"NM1*QC*1*{c.name[0]}*{c.name[1]}****MI*{c.member}")
        if c.service:
            body.append(f"DTM*232*{c.service:%Y%m%d}")
        for code, charge, paid, adjustments in c.lines:
            body.append(f"SVC*HC:{code}*{_dollars(charge)}*{_dollars(paid)}**1")
            body += [f"CAS*{group}*{carc}*{_dollars(cents)}" for group, carc, cents in adjustments]
    body += [f"PLB*1234567893*{produced.year}1231*{reason}*{_dollars(cents)}" for reason, cents in plb]
    body.append(f"SE*{len(body) + 1}*0001")
    isa = (f"ISA*00*{'':10}*00*{'':10}*ZZ*{'PAYERID':<15}*ZZ*{'PRACTICE':<15}*{produced:%y%m%d}*1200*^*00501*"
           f"{control:09d}*0*P*:")
    segments = [isa, f"GS*HP*PAYERID*PRACTICE*{d8}*1200*{control}*X*005010X221A1", *body, f"GE*1*{control}",
                f"IEA*1*{control:09d}"]
    return "~\n".join(segments) + "~\n"


def write_835(path: Any, claims: list[EraClaim], **options: Any) -> Any:
    """Write era_text(claims, **options) to `path` (a pathlib.Path) and return the path."""
    path.write_text(era_text(claims, **options), encoding="ascii")
    return path


# --- insurance plans ----------------------------------------------------------------------------------


def make_plan(session: Session, patient: Patient, payer: Payer, *, rank: str = "secondary", member_id: str = "M1",
              **overrides: Any) -> Any:
    """One of the patient's insurance plans (by default their secondary), covering every day unless given dates."""
    from officemgr.models import InsurancePlan, PlanRank

    return _save(session, InsurancePlan(patient_id=patient.id, payer_id=payer.id, rank=PlanRank(rank),
                                        member_id=member_id, **overrides))


# --- bills to pay (accounts payable) ------------------------------------------------------------------


def make_ap_bill(session: Session, vendor: Vendor, *, due: date, amount_cents: int = 10_000,
                 number: str | None = None, **overrides: Any) -> Any:
    """A vendor's bill (entered, unpaid unless told), dated 30 days before it is due unless given."""
    from officemgr.models.finance import BudgetCategory
    from officemgr.models.payables import Bill
    from officemgr.models.payment_terms import invoice_key

    number = number or f"INV-{_next()}"
    values: dict[str, Any] = {"vendor_id": vendor.id, "invoice_number": number, "invoice_key": invoice_key(number),
                              "invoice_date": due - timedelta(days=30), "due_date": due,
                              "amount_cents": amount_cents, "category": BudgetCategory.supplies,
                              "entered_at": NOW, "entered_by": ACTOR}
    values.update(overrides)
    return _save(session, Bill(**values))


def pay_ap_bill(session: Session, bill: Any, amount_cents: int, *, paid_on: date = TODAY, method: str = "check",
                reference: str = "") -> Any:
    """A payment on `bill`, its paid total (and status, once paid in full) kept in step."""
    from officemgr.models.payables import BillPayment, BillStatus, PayoutMethod

    payment = BillPayment(bill_id=bill.id, paid_on=paid_on, amount_cents=amount_cents, method=PayoutMethod(method),
                          reference=reference, at=NOW, actor=ACTOR)
    bill.paid_cents += amount_cents
    if bill.paid_cents >= bill.amount_cents:
        bill.status, bill.paid_on = BillStatus.paid, paid_on
    session.add(bill)
    return _save(session, payment)


# --- operating budget ---------------------------------------------------------------------------------
def plan_budget(session: Session, year: int, plans: dict[str, int], months: range = range(1, 13)) -> None:
    """The operating budget: `plans` maps a BudgetCategory value to cents planned in each of `months`."""
    from officemgr.models.finance import BudgetAmount, BudgetCategory

    for category, cents in plans.items():
        for month in months:
            session.add(BudgetAmount(year=year, month=month, category=BudgetCategory(category), amount_cents=cents))
    session.commit()
