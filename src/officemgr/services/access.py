"""Who acts, and what their roles let them do: the check every service makes, whatever the screen offered.

An `Actor` is the signed-in person as the services see them. It is a `str` (the name the audit log and every
record's history keep: `login@workstation`) that also carries the login, roles and staff id, so the many rows that
record who did something keep working unchanged. A plain `str` actor is the program itself (building a demo,
a migration, a test's fixture): no person signed in, so no role applies. The app and the CLI always hand the
services an `Actor` (their types say so), made only by a sign-in (services.users).

Writes are checked twice: the service says what it needs up front (`require`), and `common.record`, which every
write calls for its audit event, refuses a table the actor's roles may not write (`check_write`): a service that
forgets its check cannot write outside the actor's roles.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlmodel import Session

from officemgr.models.users import UserAccount, UserRole
from officemgr.services.common import ServiceError


class Area(str, enum.Enum):
    """A part of the practice's data that roles are granted."""

    huddle = "huddle"
    schedule = "schedule"  # appointments, patients, the waitlist and recalls, reminders
    time_off = "time_off"  # asking for time off (approving it is staff)
    concerns = "concerns"  # patient complaints, incidents, possible breaches
    staff = "staff"  # the roster, shifts, time off decisions, checklists, evaluations, staff meetings
    hiring = "hiring"  # job openings and applicants: kept apart from staff records
    self_service = "self_service"  # a person's own punches, punch fixes asked for, policies signed
    payroll = "payroll"
    inventory = "inventory"  # items, lots, use and receipt, purchase orders, equipment
    temperature = "temperature"  # the vaccine fridge log
    compliance = "compliance"  # recurring duties and their evidence
    credentials = "credentials"  # licences and trainings (a clinical user: their own only)
    billing = "billing"  # claims, payers, fees, remittances, denials, A/R
    desk_money = "desk_money"  # taking patients' payments, their balances, the drawer at close
    money_corrections = "money_corrections"  # voids, refunds, courtesy discounts, collections
    audit = "audit"  # reading the audit log
    settings = "settings"  # the practice calendar, settings, users
    finance = "finance"  # the practice's own money: budget, bills to pay, month-end close, provider productivity

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


M, F, B, C, A = UserRole.manager, UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor

# Who may change each area. The manager may change everything; the auditor nothing.
WRITE: dict[Area, frozenset[UserRole]] = {
    Area.huddle: frozenset({M, F, B, C}),
    Area.schedule: frozenset({M, F}),
    Area.time_off: frozenset({M, F, B, C}),
    Area.concerns: frozenset({M, F, C}),
    Area.staff: frozenset({M}),
    Area.hiring: frozenset({M}),
    Area.self_service: frozenset({M, F, B, C}),
    Area.payroll: frozenset({M}),
    Area.inventory: frozenset({M, C}),
    Area.temperature: frozenset({M, C}),
    Area.compliance: frozenset({M, C}),
    Area.credentials: frozenset({M, C}),
    Area.billing: frozenset({M, B}),
    Area.desk_money: frozenset({M, F, B}),
    Area.money_corrections: frozenset({M}),
    Area.audit: frozenset({M}),
    Area.settings: frozenset({M}),
    Area.finance: frozenset({M}),
}
# Who may see each area: those who change it, the auditor, and those whose work needs to look at it.
READ: dict[Area, frozenset[UserRole]] = {area: roles | {A} for area, roles in WRITE.items()} | {
    Area.schedule: frozenset({M, F, B, C, A}),
    Area.staff: frozenset({M, F, B, C, A}),  # the roster, and asking for time off there
    Area.inventory: frozenset({M, C, A}),
    Area.settings: frozenset({M, F, B, C, A}),  # the practice calendar and settings shape everyone's screens
    Area.finance: frozenset({M, B, A}),  # the biller looks at productivity and the month-end figures
}

# Every table a service writes, by area: `check_write` looks the audit event's entity up here.
ENTITY_AREA: dict[str, Area] = {
    "appointment": Area.schedule, "appointment_type": Area.settings, "patient": Area.schedule,
    "waitlist_entry": Area.schedule, "recall": Area.schedule, "schedule_block": Area.schedule,
    "insurance_plan": Area.schedule, "ledger_entry": Area.desk_money, "drawer_close": Area.desk_money,
    "statement": Area.desk_money, "payment_plan": Area.desk_money, "collection_referral": Area.money_corrections,
    "provider_hours": Area.settings,
    "huddle": Area.huddle, "huddle_action": Area.huddle, "huddle_snooze": Area.huddle,
    "time_off": Area.time_off, "concern": Area.concerns,
    "staff": Area.staff, "shift": Area.staff, "evaluation": Area.staff, "pay_setting": Area.payroll,
    "corrective_action": Area.staff, "staff_task": Area.staff, "checklist_template_item": Area.staff,
    "evaluation_template": Area.staff, "evaluation_rating": Area.staff, "evaluation_goal": Area.staff,
    "staff_meeting": Area.staff, "meeting_attendee": Area.staff,
    "job_opening": Area.hiring, "applicant": Area.hiring, "applicant_note": Area.hiring,
    "punch": Area.self_service, "punch_fix": Area.self_service, "policy_signature": Area.self_service,
    "timesheet": Area.payroll, "leave_plan": Area.payroll, "leave_adjustment": Area.payroll,
    "policy_version": Area.compliance,
    "credential": Area.credentials,
    "item": Area.inventory, "purchase_order": Area.inventory, "vendor": Area.inventory, "equipment": Area.inventory,
    "storage_unit": Area.temperature, "temperature_reading": Area.temperature,
    "compliance_task": Area.compliance, "compliance_completion": Area.compliance,
    "claim": Area.billing, "payer": Area.billing, "payer_enrollment": Area.billing, "carc_code": Area.billing,
    "remittance": Area.billing, "remittance_check": Area.billing, "remittance_claim": Area.billing,
    "practice_closure": Area.settings, "setting": Area.settings, "user_account": Area.settings,
    "database": Area.settings,
    "audit_log": Area.audit,
    "budget_amount": Area.finance, "bill": Area.finance, "bill_payment": Area.finance, "recurring_bill": Area.finance,
    "month_close": Area.finance, "close_task": Area.finance, "rvu_rate": Area.finance,
    # A claim's dated postings are written with the claim's own change (a remittance, a write-off).
    "claim_posting": Area.billing,
}

# Events that record a read (a file of the practice's data written, a report printed): the service that reads
# checks the area it reads before any file is written, so the record itself is anyone's to write.
READ_RECORDS = frozenset({"export", "report"})

# What each tab shows, so a role that may not see it is not offered it.
TAB_AREA = {"huddle": Area.huddle, "schedule": Area.schedule, "staff": Area.staff, "inventory": Area.inventory,
            "billing": Area.billing, "compliance": Area.compliance}


class NotAllowed(ServiceError):
    """Refused for the actor's roles; the message names the roles that may."""


class Actor(str):
    """The signed-in person, as a string of the name the audit log keeps (see the module's note)."""

    login: str
    name: str
    roles: frozenset[UserRole]
    staff_id: int | None
    workstation: str
    emergency: frozenset[Area]  # areas opened by emergency access since this person signed in
    user_id: int | None

    def __new__(cls, login: str, roles: Iterable[UserRole], *, name: str = "", staff_id: int | None = None,
                workstation: str = "", emergency: Iterable[Area] = (), user_id: int | None = None) -> Actor:
        shown = f"{login}@{workstation}" if workstation else login
        actor = super().__new__(cls, shown[:60])
        actor.login, actor.name, actor.roles = login, name or login, frozenset(roles)
        actor.staff_id, actor.workstation, actor.emergency = staff_id, workstation, frozenset(emergency)
        actor.user_id = user_id
        return actor

    def opened(self, area: Area) -> Actor:
        """The same person with `area` opened by emergency access."""
        return Actor(self.login, self.roles, name=self.name, staff_id=self.staff_id, workstation=self.workstation,
                     emergency=self.emergency | {area}, user_id=self.user_id)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.login, tuple(self.roles), self.name, self.staff_id, self.workstation,
                           tuple(self.emergency), self.user_id))


def _rebuild(login: str, roles: tuple[UserRole, ...], name: str, staff_id: int | None, workstation: str,
             emergency: tuple[Area, ...], user_id: int | None) -> Actor:
    return Actor(login, roles, name=name, staff_id=staff_id, workstation=workstation, emergency=emergency,
                 user_id=user_id)


def may(actor: str, area: Area, *, write: bool = True) -> bool:
    """Whether `actor` may change (or, `write=False`, see) `area`. A plain string is the program: always."""
    if not isinstance(actor, Actor):
        return True
    # Emergency access is to see what is needed in the moment, not to change it (approving one's own time off).
    return bool(actor.roles & (WRITE if write else READ)[area]) or (not write and area in actor.emergency)


def who_may(area: Area, *, write: bool = True) -> str:
    """'the biller or manager role': the roles that may, in words."""
    names = [r.label for r in UserRole if r in (WRITE if write else READ)[area] and r is not UserRole.auditor]
    if not write and UserRole.auditor in READ[area]:
        names.append(UserRole.auditor.label)
    words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"the {words} role"


def require(actor: str, area: Area, *, write: bool = True, what: str = "") -> None:
    """Refuse, naming the roles that may, unless `actor` may change (or see) `area`."""
    if may(actor, area, write=write):
        return
    assert isinstance(actor, Actor)
    doing = what or (f"changing {area.label}" if write else f"seeing {area.label}")
    held = ", ".join(r.label for r in UserRole if r in actor.roles) or "no role"
    raise NotAllowed(f"{doing} needs {who_may(area, write=write)}; {actor.login} is {held} — nothing was changed"
                     if write else f"{doing} needs {who_may(area, write=False)}; {actor.login} is {held}")


def check_write(actor: str, entity: str, entity_id: int, action: str = "") -> None:
    """The backstop every audited write passes through (common.record): the table's area must be the actor's.
    Anyone may write their own account's events (their sign-in, lock, PIN change, emergency access)."""
    if entity == "user_account" and isinstance(actor, Actor) and actor.user_id == entity_id:
        return
    if entity in READ_RECORDS:
        return
    if entity == "patient" and action == "create" and may(actor, Area.billing):
        return  # a claims import brings the patients its claims name (the biller's own work)
    area = ENTITY_AREA.get(entity)
    if area is None:
        # A table not in the map is one no role was granted: only the manager (or the program) may write it.
        area = Area.settings
    require(actor, area)


def check_active(session: Session, actor: str) -> None:
    """Refuse a write by a person whose sign-in was disabled since they signed in (on another workstation, or
    before their lock): the account is read once per transaction (the session keeps it)."""
    if not isinstance(actor, Actor) or actor.user_id is None:
        return
    account = session.get(UserAccount, actor.user_id)
    if account is not None and not account.active:
        raise NotAllowed(f"{actor.login}'s sign-in was disabled by the manager; nothing was changed")


def tabs_for(actor: str) -> list[str]:
    """The tabs `actor` may see, in order."""
    return [tab for tab, area in TAB_AREA.items() if may(actor, area, write=False)]
