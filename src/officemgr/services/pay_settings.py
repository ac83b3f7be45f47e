"""Pay settings per staff member: exempt or not, hourly or salaried (the rate or the yearly salary), the pay period
and the PTO plan. The manager alone sees and changes them (the auditor may look); each change is audited with what
it was and what it became.

Exempt status and pay type live on the staff row (payroll's overtime rule reads `exempt`); the rest on the
person's `pay_setting` row, made on the first save. A person without that row is paid on the practice's pay period
(the `pay_period` setting). The amount is the rate for hourly staff and the salary for salaried staff; the other is
cleared, so a person is never both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from officemgr.models.people import PayPeriod, PaySetting, PayType, Staff
from officemgr.models.validation import parse_money
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, StaleEdit, _plain, record
from officemgr.services.format import money

MAX_HOURLY_CENTS = 1_000 * 100  # $1,000 an hour
MAX_SALARY_CENTS = 1_000_000 * 100  # $1,000,000 a year
PTO_PLAN_LENGTH = 60


@dataclass(frozen=True)
class PaySettings:
    """What one person's pay settings are now; `version` is the pay_setting row's (0: none saved yet)."""

    staff_id: int
    name: str
    exempt: bool
    pay_type: PayType
    pay_period: PayPeriod
    hourly_rate_cents: int | None
    salary_cents: int | None
    pto_plan: str
    version: int

    @property
    def amount(self) -> str:
        """'$25.00/h', '$52,000.00/yr', or 'not set'."""
        if self.pay_type is PayType.hourly and self.hourly_rate_cents is not None:
            return f"{money(self.hourly_rate_cents)}/h"
        if self.pay_type is PayType.salaried and self.salary_cents is not None:
            return f"{money(self.salary_cents)}/yr"
        return "not set"


def practice_period(session: Session) -> PayPeriod:
    """The practice's pay period (the `pay_period` setting's kind); biweekly if it names none we know."""
    value = settings.get(session, "pay_period")
    kind = str(value.get("kind", "")).strip().lower().replace("-", "") if isinstance(value, dict) else ""
    return PayPeriod(kind) if kind in PayPeriod._value2member_map_ else PayPeriod.biweekly


def _person(session: Session, staff_id: int) -> Staff:
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    return person


def _row(session: Session, staff_id: int) -> PaySetting | None:
    return session.exec(select(PaySetting).where(PaySetting.staff_id == staff_id)).first()


def _settings(session: Session, person: Staff, row: PaySetting | None) -> PaySettings:
    assert person.id is not None
    return PaySettings(
        staff_id=person.id, name=person.name, exempt=person.exempt, pay_type=person.pay_type,
        pay_period=row.pay_period if row else practice_period(session),
        hourly_rate_cents=row.hourly_rate_cents if row else None, salary_cents=row.salary_cents if row else None,
        pto_plan=row.pto_plan if row else "", version=row.version if row else 0,
    )


def pay_settings(session: Session, staff_id: int, *, actor: str) -> PaySettings:
    """`staff_id`'s pay settings: for the manager (and the auditor) only."""
    require(actor, Area.payroll, write=False, what="seeing a person's pay settings")
    person = _person(session, staff_id)
    return _settings(session, person, _row(session, staff_id))


def amount_cents(text: str, pay_type: PayType) -> int:
    """The rate (hourly) or yearly salary (salaried) as typed, in cents: refused unless more than $0 and at most
    $1,000 an hour or $1,000,000 a year."""
    what, ceiling = (("hourly rate", MAX_HOURLY_CENTS) if pay_type is PayType.hourly
                     else ("yearly salary", MAX_SALARY_CENTS))
    if not text.strip():
        raise ServiceError(f"give the {what}, e.g. {'25.50' if pay_type is PayType.hourly else '52,000'}")
    cents = parse_money(text)
    if cents is None:
        raise ServiceError(f"the {what} '{text.strip()}' is not an amount; type it like "
                           f"{'25.50' if pay_type is PayType.hourly else '52,000'}")
    if cents <= 0:
        raise ServiceError(f"the {what} must be more than $0.00")
    if cents > ceiling:
        raise ServiceError(f"the {what} can be at most {money(ceiling)}; {money(cents)} looks like a typing slip")
    return cents


def _changes(before: PaySettings, after: PaySettings, fields: tuple[str, ...]) -> dict[str, list[object]]:
    """{field: [before, after]} of the `fields` that differ, as the audit log keeps them."""
    return {f: [_plain(getattr(before, f)), _plain(getattr(after, f))]
            for f in fields if getattr(before, f) != getattr(after, f)}


def save_pay_settings(
    session: Session, staff_id: int, *, exempt: bool, pay_type: PayType, pay_period: PayPeriod, amount: str,
    pto_plan: str, now: datetime, actor: str, expected_version: int,
) -> PaySettings:
    """Set `staff_id`'s pay settings (the manager only); `amount` is the rate or salary as typed. The staff row's
    event (exempt, pay type) and the pay_setting row's hold each field that changed, [before, after].
    `expected_version` is the pay_setting version the form showed (0: none yet)."""
    require(actor, Area.payroll, what="changing a person's pay settings")
    person = _person(session, staff_id)
    cents = amount_cents(amount, pay_type)
    plan = pto_plan.strip()
    if len(plan) > PTO_PLAN_LENGTH:
        raise ServiceError(f"the PTO plan name can be at most {PTO_PLAN_LENGTH} characters")
    if any(ord(c) < 32 for c in plan):
        raise ServiceError("the PTO plan name is one line of text")
    row = _row(session, staff_id)
    if (row.version if row else 0) != expected_version:
        raise StaleEdit()
    before = _settings(session, person, row)
    if row is None:
        row = PaySetting(staff_id=staff_id, version=0)
        session.add(row)
    person.exempt, person.pay_type = exempt, pay_type
    row.pay_period, row.pto_plan = pay_period, plan
    row.hourly_rate_cents = cents if pay_type is PayType.hourly else None
    row.salary_cents = cents if pay_type is PayType.salaried else None
    after = _settings(session, person, row)
    on_staff = _changes(before, after, ("exempt", "pay_type"))
    if on_staff:
        person.version += 1
        record(session, actor=actor, entity="staff", entity_id=staff_id, action="update", changes=on_staff, now=now)
    on_row = _changes(before, after, ("pay_period", "hourly_rate_cents", "salary_cents", "pto_plan"))
    if on_row:
        row.version += 1
        session.flush()
        assert row.id is not None, "the flush gives a new row its id"
        record(session, actor=actor, entity="pay_setting", entity_id=row.id, action="update" if row.version > 1
               else "create", changes=on_row, now=now)
    session.commit()
    return _settings(session, person, row)
