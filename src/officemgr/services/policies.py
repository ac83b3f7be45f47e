"""Policy sign-off: each policy in the compliance register (ComplianceTask.is_policy) has versions, and everyone a
version applies to signs it within `policy_sign_days` (a setting, 30) of its effective date.

Decisions that shape it:
- Only the newest version in effect counts: once v3's effective date has come, an unsigned v2 is no longer owed.
  A version effective later than today is owed by no one yet. A retired policy is owed by no one.
- Who owes the version in effect on `today`: every staff member who is active, not ended (end_date None or on or
  after `today`), hired on or before `today` (no hire date: taken as hired long ago), whose role the version lists
  (an empty list: every role).
- When it is due: `policy_sign_days` after the effective date, or after the hire date for someone hired after the
  effective date (a new hire inherits their role's policies: onboarding's "policy sign-offs"). Due on that day
  itself (not overdue); overdue from the day after.
- Adding a version is the manager's alone (the compliance area lets clinical users write too; not this).
- A person signs for themselves (the self-service area: their own staff record, on the day they sign); the
  manager records a signature for anyone (on paper: any day from the version's creation to today).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel, field_validator
from sqlmodel import Session, col, select

from officemgr.models.compliance import ComplianceTask
from officemgr.models.lifecycle import PolicySignature, PolicyVersion
from officemgr.models.people import Role, Staff
from officemgr.models.users import UserRole
from officemgr.models.validation import strip_free_text, strip_text
from officemgr.services import settings
from officemgr.services.access import Actor, Area, NotAllowed, require
from officemgr.services.common import ServiceError, created_fields, record

HUDDLE_DAYS = 7  # a version shows on the manager's Huddle once someone's signature is due within this many days
# An effective date further than this from today is almost surely a typo (2062 for 2026).
EFFECTIVE_RANGE_DAYS = 366


class VersionCreate(BaseModel):
    task_id: int
    label: str
    effective: date
    summary: str = ""
    document: str = ""
    roles: tuple[Role, ...] = ()  # empty: every role

    _summary = field_validator("summary", "document", mode="before")(strip_free_text)

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, value: str | None) -> str:
        text = strip_text(value)
        if not text:
            raise ValueError("give the version a label, such as v2 or 2026-12")
        if len(text) > 20:
            raise ValueError("a version label is at most 20 characters")
        return text

    @field_validator("summary")
    @classmethod
    def _summary_length(cls, value: str) -> str:
        if len(value) > 1000:
            raise ValueError("a summary is at most 1,000 characters")
        return value

    @field_validator("document")
    @classmethod
    def _document_length(cls, value: str) -> str:
        if len(value) > 4000:
            raise ValueError("the document (a file path or the text) is at most 4,000 characters")
        return value

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[Role, ...]) -> tuple[Role, ...]:
        return tuple(dict.fromkeys(value))


class SignatureCreate(BaseModel):
    """A signature the manager records for someone (from paper): on which day."""

    version_id: int
    staff_id: int
    signed_on: date


@dataclass(frozen=True)
class PolicyChoice:
    task_id: int
    title: str
    active: bool


@dataclass(frozen=True)
class VersionRow:
    id: int
    task_id: int
    title: str
    label: str
    effective: date
    summary: str
    document: str
    roles: tuple[Role, ...]
    state: str  # "in effect", "not yet in effect", "superseded"
    signed: int  # of those it applies to now (in effect) or who signed it (otherwise)
    applies_to: int
    due: date | None  # the earliest signature still owed

    @property
    def name(self) -> str:
        return f"{self.title} {self.label}"

    @property
    def roles_text(self) -> str:
        return ", ".join(r.label for r in self.roles) or "everyone"


@dataclass(frozen=True)
class SignerRow:
    staff_id: int
    name: str
    role: Role
    signed_on: date | None
    recorded_by: str
    due: date | None  # when still owed


@dataclass(frozen=True)
class Owed:
    """One signature owed on `today`: the version in effect of one policy, by one person."""

    version_id: int
    task_id: int
    title: str
    label: str
    summary: str
    document: str
    staff_id: int
    staff_name: str
    due: date

    @property
    def name(self) -> str:
        return f"{self.title} {self.label}"


def sign_days(session: Session) -> int:
    return int(settings.get(session, "policy_sign_days"))


def _is_manager(actor: str) -> bool:
    """The manager, or the program itself (a plain string: the demo, a migration)."""
    return not isinstance(actor, Actor) or UserRole.manager in actor.roles


def _manager_only(actor: str, doing: str) -> None:
    if not _is_manager(actor):
        assert isinstance(actor, Actor)
        raise NotAllowed(f"{doing} needs the manager role; {actor.login} is not the manager — nothing was changed")


def _roles_of(version: PolicyVersion) -> tuple[Role, ...]:
    return tuple(Role(v) for v in version.roles.split(",") if v)


def _applies(version: PolicyVersion, person: Staff) -> bool:
    roles = _roles_of(version)
    return not roles or person.role in roles


def _on_staff(person: Staff, today: date) -> bool:
    """Working here on `today`: active, started, not ended."""
    return (person.active and (person.hire_date is None or person.hire_date <= today)
            and (person.end_date is None or person.end_date >= today))


def _due(version: PolicyVersion, person: Staff, days: int) -> date:
    start = version.effective if person.hire_date is None else max(version.effective, person.hire_date)
    return start + timedelta(days=days)


def _in_effect(session: Session, today: date) -> dict[int, PolicyVersion]:
    """The newest version in effect on `today` of each active policy, by policy id."""
    found: dict[int, PolicyVersion] = {}
    for version in session.exec(
        select(PolicyVersion).join(ComplianceTask, col(ComplianceTask.id) == PolicyVersion.task_id)
        .where(col(ComplianceTask.active), col(ComplianceTask.is_policy), PolicyVersion.effective <= today)
        .order_by(col(PolicyVersion.effective), col(PolicyVersion.id))
    ):
        found[version.task_id] = version
    return found


def _signed(session: Session, version_ids: Iterable[int]) -> dict[tuple[int, int], PolicySignature]:
    ids = list(version_ids)
    if not ids:
        return {}
    return {(s.version_id, s.staff_id): s
            for s in session.exec(select(PolicySignature).where(col(PolicySignature.version_id).in_(ids)))}


def _owed(session: Session, today: date, staff_id: int | None = None) -> list[Owed]:
    current = _in_effect(session, today)
    if not current:
        return []
    tasks = session.exec(select(ComplianceTask).where(col(ComplianceTask.id).in_(list(current))))
    titles = {t.id: t.title for t in tasks}
    people = select(Staff).where(col(Staff.active)).order_by(col(Staff.last_name), col(Staff.first_name))
    if staff_id is not None:
        people = people.where(Staff.id == staff_id)
    staff = [p for p in session.exec(people) if _on_staff(p, today)]
    signed = _signed(session, (v.id for v in current.values() if v.id is not None))
    days = sign_days(session)
    owed = []
    for version in current.values():
        assert version.id is not None
        for person in staff:
            assert person.id is not None
            if _applies(version, person) and (version.id, person.id) not in signed:
                owed.append(Owed(version.id, version.task_id, titles[version.task_id], version.label,
                                 version.summary, version.document, person.id, person.name,
                                 _due(version, person, days)))
    owed.sort(key=lambda o: (o.due, o.title.casefold(), o.staff_name.casefold()))
    return owed


# ------------------------------------------------------------------------------------------------ reads


def policy_choices(session: Session) -> list[PolicyChoice]:
    """Every policy in the register (retired ones too, marked), by title: what a corrective action may name."""
    return [PolicyChoice(t.id or 0, t.title, t.active) for t in session.exec(
        select(ComplianceTask).where(col(ComplianceTask.is_policy)).order_by(col(ComplianceTask.title)))]


def versions(session: Session, task_id: int, today: date, *, actor: str) -> list[VersionRow]:
    """`task_id`'s versions, newest first, each with how many have signed of those it applies to."""
    require(actor, Area.compliance, write=False, what="seeing policy versions")
    task = session.get(ComplianceTask, task_id)
    if task is None or not task.is_policy:
        raise ServiceError("that policy is no longer in the register — reload")
    rows = list(session.exec(select(PolicyVersion).where(PolicyVersion.task_id == task_id)
                             .order_by(col(PolicyVersion.effective).desc(), col(PolicyVersion.id).desc())))
    current = _in_effect(session, today).get(task_id)
    signed = _signed(session, (v.id for v in rows if v.id is not None))
    owed = [o for o in _owed(session, today) if current is not None and o.version_id == current.id]
    staff = [p for p in session.exec(select(Staff).where(col(Staff.active))) if _on_staff(p, today)]
    out = []
    for version in rows:
        assert version.id is not None
        signers = {sid for vid, sid in signed if vid == version.id}
        if version is current:
            state = "in effect"
            applies = {p.id for p in staff if _applies(version, p)}
            count, total = len(signers & applies), len(applies)
            due = min((o.due for o in owed), default=None)
        else:
            state = "not yet in effect" if version.effective > today else (
                "superseded" if task.active else "policy retired")
            count, total, due = len(signers), len(signers), None
        out.append(VersionRow(version.id, task_id, task.title, version.label, version.effective, version.summary,
                              version.document, _roles_of(version), state, count, total, due))
    return out


def signers(session: Session, version_id: int, today: date, *, actor: str) -> list[SignerRow]:
    """Who signed `version_id` (with when and who recorded it) and, for the version in effect, who still owes it:
    those still to sign first, by due date, then those who signed, by name."""
    require(actor, Area.compliance, write=False, what="seeing who signed a policy")
    version = session.get(PolicyVersion, version_id)
    if version is None:
        raise ServiceError("that policy version no longer exists — reload")
    rows = [SignerRow(o.staff_id, o.staff_name, _role(session, o.staff_id), None, "", o.due)
            for o in _owed(session, today) if o.version_id == version_id]
    done = session.exec(select(PolicySignature, Staff).join(Staff, col(Staff.id) == PolicySignature.staff_id)
                        .where(PolicySignature.version_id == version_id)
                        .order_by(col(Staff.last_name), col(Staff.first_name)))
    rows.extend(SignerRow(person.id or 0, person.name, person.role, sig.signed_on, sig.recorded_by, None)
                for sig, person in done)
    return rows


def _role(session: Session, staff_id: int) -> Role:
    person = session.get(Staff, staff_id)
    assert person is not None, "an owed signature is by someone on staff"
    return person.role


def my_policies(session: Session, today: date, *, actor: str) -> list[Owed]:
    """The signed-in person's own unsigned policies in effect (due soonest first)."""
    require(actor, Area.self_service, write=False, what="signing policies")
    staff_id = actor.staff_id if isinstance(actor, Actor) else None
    if staff_id is None:
        raise ServiceError("your sign-in is not linked to a staff record, so there are no policies for you to sign; "
                           "the manager can link it under Settings")
    return _owed(session, today, staff_id)


def unsigned(session: Session, today: date) -> list[Owed]:
    """Every signature owed on `today` (signed or not yet due alike), soonest due first."""
    return _owed(session, today)


# ----------------------------------------------------------------------------------------------- writes


def add_version(session: Session, data: VersionCreate, *, today: date, now: datetime, actor: str) -> int:
    """Add a version to a policy (the manager only). Its effective date comes after every earlier version's and
    within a year of today; its label is new for the policy."""
    require(actor, Area.compliance, what="adding a policy version")
    _manager_only(actor, "adding a policy version")
    task = session.get(ComplianceTask, data.task_id)
    if task is None or not task.is_policy:
        raise ServiceError("that policy is no longer in the register — reload")
    if not task.active:
        raise ServiceError(f"'{task.title}' was retired; a retired policy takes no new versions")
    if abs((data.effective - today).days) > EFFECTIVE_RANGE_DAYS:
        raise ServiceError(f"the effective date {data.effective:%m/%d/%Y} is more than a year from today "
                           f"({today:%m/%d/%Y}); check the year")
    earlier = list(session.exec(select(PolicyVersion).where(PolicyVersion.task_id == data.task_id)))
    if any(v.label.casefold() == data.label.casefold() for v in earlier):
        raise ServiceError(f"'{task.title}' already has a version {data.label}; give this one a new label")
    latest = max(earlier, key=lambda v: v.effective, default=None)
    if latest is not None and data.effective <= latest.effective:
        raise ServiceError(f"a new version takes effect after the latest one ({latest.label}, effective "
                           f"{latest.effective:%m/%d/%Y})")
    row = PolicyVersion(task_id=data.task_id, label=data.label, effective=data.effective, summary=data.summary,
                        document=data.document, roles=",".join(r.value for r in data.roles), created_on=today,
                        created_by=getattr(actor, "name", str(actor))[:60])
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="policy_version", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return row.id


def sign(session: Session, version_id: int, staff_id: int, signed_on: date, *, today: date, now: datetime,
         actor: str) -> int:
    """Record `staff_id`'s signature of `version_id`: by the person themselves (today), or by the manager for anyone
    (a paper signature, on any day from the version's creation to today)."""
    require(actor, Area.self_service, what="signing a policy")
    manager = _is_manager(actor)
    if not manager:
        assert isinstance(actor, Actor)
        if actor.staff_id != staff_id:
            raise NotAllowed("you can sign only your own policies; the manager records a signature for someone "
                             "else — nothing was changed")
        if signed_on != today:
            raise ServiceError(f"you sign on the day you sign: today ({today:%m/%d/%Y})")
    version = session.get(PolicyVersion, version_id)
    if version is None:
        raise ServiceError("that policy version no longer exists — reload")
    task = session.get(ComplianceTask, version.task_id)
    assert task is not None, "a version belongs to a policy"
    person = session.get(Staff, staff_id)
    if person is None:
        raise ServiceError("that staff member no longer exists — reload")
    name = f"{task.title} {version.label}"
    if not task.active:
        raise ServiceError(f"'{task.title}' was retired; nothing is signed for it any more")
    if not _applies(version, person):
        raise ServiceError(f"{name} applies to {', '.join(r.label for r in _roles_of(version))} only, "
                           f"not to {person.name} ({person.role.label})")
    if not _on_staff(person, today):
        raise ServiceError(f"{person.name} is not on staff today, so owes no signature")
    current = _in_effect(session, today).get(task.id or 0)
    if current is not None and current.effective > version.effective and not manager:
        raise ServiceError(f"{name} was replaced by {current.label}; sign that one instead")
    if signed_on > today:
        raise ServiceError(f"the signing date cannot be after today ({today:%m/%d/%Y})")
    if signed_on < version.created_on:
        raise ServiceError(f"the signing date cannot be before {version.label} was added "
                           f"({version.created_on:%m/%d/%Y})")
    done = session.exec(select(PolicySignature).where(PolicySignature.version_id == version_id,
                                                      PolicySignature.staff_id == staff_id)).first()
    if done is not None:
        raise ServiceError(f"{person.name} already signed {name} on {done.signed_on:%m/%d/%Y}")
    row = PolicySignature(version_id=version_id, staff_id=staff_id, signed_on=signed_on,
                          recorded_by=getattr(actor, "name", str(actor))[:60])
    session.add(row)
    session.flush()
    assert row.id is not None, "the flush gives the new row its id"
    record(session, actor=actor, entity="policy_signature", entity_id=row.id, action="create",
           changes=created_fields(row), now=now)
    session.commit()
    return row.id
