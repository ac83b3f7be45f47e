"""What every area of the demo shares: practice constants, the scales, the summary, and refs to people."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time
from typing import Any

from officemgr.models import Role

PRACTICE_DOMAIN = "maplestreetfm.example"
PRACTICE_STATE = "OH"
# Today's schedule is drawn as it stands mid-morning: earlier visits done, some in rooms, the rest booked.
DEMO_NOW = time(10, 30)
PROVIDER_ROLES = (Role.physician, Role.np_pa)
# A row as Core's bulk insert takes it: column name -> value.
Row = dict[str, Any]


# --------------------------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class Scale:
    physicians: int
    np_pa: int
    support: tuple[tuple[Role, int], ...]
    patients: int
    appt_days_back: int
    appt_days_ahead: int
    shift_days_back: int
    shift_days_ahead: int
    open_claims: int
    closed_claims: int
    closed_claim_days: int  # closed claims' service dates reach this far back
    extra_time_off: int  # random time-off entries on top of the fixed story


SCALES = {
    "small": Scale(
        physicians=2, np_pa=1,
        support=((Role.ma, 2), (Role.nurse, 1), (Role.front_desk, 2), (Role.biller, 1), (Role.manager, 1)),
        patients=80, appt_days_back=14, appt_days_ahead=14, shift_days_back=14, shift_days_ahead=14,
        open_claims=120, closed_claims=1000, closed_claim_days=365, extra_time_off=0,
    ),
    "large": Scale(
        physicians=7, np_pa=3,
        support=((Role.ma, 10), (Role.nurse, 4), (Role.front_desk, 6), (Role.biller, 4), (Role.manager, 1)),
        patients=6000, appt_days_back=5 * 365, appt_days_ahead=28, shift_days_back=56, shift_days_ahead=28,
        open_claims=3000, closed_claims=97_000, closed_claim_days=5 * 365, extra_time_off=14,
    ),
}


@dataclass
class DemoSummary:
    """How many rows `fill` wrote, per table."""

    staff: int = 0
    patients: int = 0
    credentials: int = 0
    time_off: int = 0
    shifts: int = 0
    provider_hours: int = 0
    schedule_blocks: int = 0
    appointment_types: int = 0
    appointments: int = 0
    appointment_events: int = 0
    recalls: int = 0
    waitlist_entries: int = 0
    vendors: int = 0
    items: int = 0
    stock_lots: int = 0
    stock_movements: int = 0
    purchase_orders: int = 0
    purchase_order_lines: int = 0
    equipment: int = 0
    equipment_services: int = 0
    payers: int = 0
    claims: int = 0
    claim_lines: int = 0
    claim_diagnoses: int = 0
    claim_notes: int = 0
    claim_events: int = 0
    fee_schedules: int = 0
    remittances: int = 0
    remittance_claims: int = 0
    compliance_tasks: int = 0
    compliance_completions: int = 0
    storage_units: int = 0
    temperature_readings: int = 0
    concerns: int = 0
    evaluations: int = 0
    payer_enrollments: int = 0
    users: int = 0
    insurance_plans: int = 0
    ledger_entries: int = 0
    drawer_closes: int = 0
    statements: int = 0
    payment_plans: int = 0
    audit_events: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Person:
    id: int
    first: str
    last: str
    role: Role
    npi: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def initials(self) -> str:
        return self.first[0] + self.last[0]

    @property
    def is_provider(self) -> bool:
        return self.role in PROVIDER_ROLES


@dataclass(frozen=True)
class PatientRef:
    id: int
    age: int
