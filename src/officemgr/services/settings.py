"""Practice settings with their defaults: what a practice tunes (rules of thumb), not constants in code."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from officemgr.models import Setting
from officemgr.plaintext import visible_values
from officemgr.services.common import ServiceError, forget, per_transaction, record

DEFAULTS: dict[str, Any] = {
    # Kinds of absence the roster offers; the paid ones count as hours worked for payroll.
    "time_off_kinds": ["PTO", "Sick", "Unpaid", "Bereavement", "Jury duty", "FMLA"],
    "paid_time_off_kinds": ["PTO", "Sick", "Bereavement", "Jury duty"],
    # Kinds that draw down the yearly PTO allowance.
    "pto_kinds": ["PTO"],
    # Minimum people on shift for each hour the office is open: base + per working provider, for a group of
    # roles that can stand in for each other (a nurse can room patients like an MA).
    "min_staffing": [
        {"label": "Front desk", "roles": ["front_desk"], "base": 1, "per_provider": 0},
        {"label": "MA or nurse", "roles": ["ma", "nurse"], "base": 0, "per_provider": 1},
    ],
    # Pay periods: weekly, biweekly (from anchor, a period start) or semimonthly (1st–15th, 16th–end).
    "pay_period": {"kind": "biweekly", "anchor": "2026-01-05"},
    # FLSA workweek: a fixed 7-day period; 0 = Monday.
    "workweek_start": 0,
    "overtime_after_hours": 40,
    # Credentials a role must hold while active; an expired one is shown red wherever the person appears.
    "required_credentials": {
        "physician": ["license", "dea", "board", "npi", "bls", "hipaa_training", "bbp_training"],
        "np_pa": ["license", "dea", "npi", "bls", "hipaa_training", "bbp_training"],
        "ma": ["bls", "hipaa_training", "bbp_training"],
        "nurse": ["license", "bls", "hipaa_training", "bbp_training"],
        "front_desk": ["hipaa_training"],
        "biller": ["hipaa_training"],
        "manager": ["hipaa_training", "bbp_training"],
    },
    "caqh_reattest_days": 120,
    # Vaccine storage: acceptable range per kind of unit in °C, ends included (CDC toolkit: fridge 2–8,
    # freezer −50 to −15); the weekdays (0 = Monday) a reading is due; days to act on an excursion.
    "temperature_ranges": {"fridge": [2.0, 8.0], "freezer": [-50.0, -15.0]},
    "temperature_log_weekdays": [0, 1, 2, 3, 4],
    "temperature_concern_due_days": 0,
    "enrollment_warn_days": 30,
    # Lots expiring within this many days are listed on the huddle; equipment due within this many days too.
    "expiry_warn_days": 30,
    "equipment_due_warn_days": 14,
    # A/R aging: the upper edge (days) of each bucket but the last, and whether age counts from the date of
    # service ("service") or from submission ("submission").
    "aging_bucket_edges": [30, 60, 90, 120],
    "aging_from": "service",
    # A claim with no activity this many days comes back into the queue as "needs investigation".
    "investigate_after_days": {"electronic": 21, "paper": 30},
    # A claim this close to its filing or appeal deadline goes to the top of the queue whatever its follow-up.
    "deadline_escalate_days": 15,
    # Billing KPI targets (domain rules of thumb): days in A/R under, denial rate under, net collection over.
    "kpi_targets": {"days_in_ar": 40, "denial_rate_pct": 5.0, "net_collection_pct": 95.0},
    # The app locks after this many minutes without a key or mouse input, when a PIN is set; 0 = never.
    # (The PIN hash lives in the same table under "pin_hash", written only by services/pin.py, never here.)
    "lock_idle_minutes": 5,
    # Tabs that show patients as initials and age until `v` reveals one row for a few seconds.
    "privacy_tabs": ["huddle", "schedule"],
    # A demo practice (made-up patients, written by `officemgr demo`): opening it does not ask for a PIN.
    "demo_data": False,
    # An eligibility check counts for a visit this many days after it (a check on the 1st covers visits to the 31st).
    "eligibility_valid_days": 30,
    # A patient balance at or under this (cents) may be written off at the desk instead of billed: a statement
    # costs more to send than it would collect (rule of thumb).
    "small_balance_cents": 500,
    # Statements: at least this balance (cents), at most one per cycle (days). The practice as they name it.
    "statement_min_cents": 1000,
    "statement_cycle_days": 30,
    "practice": {"name": "", "address": "", "phone": ""},
    # Emergency access ("break glass"): a signed-in person may open a part their roles do not, after giving a
    # reason; audited and listed on the next Huddle. The manager turns it off where the practice has no need.
    "emergency_access": True,
    # The practice calendar (services/calendar.py): weekdays open (0 = Monday) and the federal holidays it works
    # anyway, by name as the holidays package gives them ("Columbus Day", "Veterans Day"); closures are rows.
    "open_weekdays": [0, 1, 2, 3, 4],
    "open_on_holidays": [],
    # Complaints, incidents and near misses are acknowledged within this many business days of their discovery
    # (domain notes: "within a couple of business days" is common practice, not a rule).
    "concern_ack_business_days": 2,
    # Applicants not hired are purged this many days after they were declined or withdrew (EEOC: keep a year).
    "applicant_retention_days": 365,
    # A punch this many minutes after the shift's start (or before its end) is not late (or early).
    "punch_grace_minutes": 5,
    # A new policy version is signed by everyone it applies to within this many days of its effective date.
    "policy_sign_days": 30,
    # A new hire's probation review, this many days after the start date; yearly evaluations after it.
    "probation_review_days": 90,
    # Sick leave for anyone without a plan of their own or their role's: hours accrued per hours worked
    # (many states mandate 1 per 30), the most that carries into a new year, and the day the year starts.
    "sick_leave_default": {"hours": 1, "per_hours_worked": 30, "carry_over_cap": 40, "reset": "01-01"},
}


def get(session: Session, key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(key)
    text = _stored(session).get(key)
    return visible_values(json.loads(text)) if text is not None else copy.deepcopy(DEFAULTS[key])


def _stored(session: Session) -> dict[str, str]:
    """Every stored setting's text by key, read in one query per transaction (most keys are not stored: their
    defaults apply, and a lookup by key could not remember that it found nothing)."""
    return per_transaction(session, "settings",
                           lambda: {row.key: row.value for row in session.exec(select(Setting))})


def put(session: Session, key: str, value: Any, *, now: datetime, actor: str) -> None:
    """Change a setting; the value must have the same shape as its default (checked loosely: same type)."""
    if key not in DEFAULTS:
        raise ServiceError(f"there is no setting called {key}")
    if type(value) is not type(DEFAULTS[key]):
        raise ServiceError(f"{key} must be a {type(DEFAULTS[key]).__name__}")
    row = session.get(Setting, key)
    old = json.loads(row.value) if row is not None else DEFAULTS[key]
    store_raw(session, key, json.dumps(value, sort_keys=True), actor=actor, now=now, action=key,
              changes={"value": [old, value]})
    session.commit()


def store_raw(session: Session, key: str, text: str, *, actor: str, now: datetime, action: str,
              changes: dict[str, Any]) -> None:
    """Write `text` as the setting's stored value (a new row, or the next version) and audit `changes`, which
    say what happened without the value where it is a secret (the PIN's hash). The caller commits."""
    forget(session)
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        session.add(row)
    else:
        row.version += 1
    row.value = text
    session.flush()
    record(session, actor=actor, entity="setting", entity_id=0, action=action, changes=changes, now=now)
