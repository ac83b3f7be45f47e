"""Sign-in: each person's login, PIN, roles and wrong-PIN wait; the accounts the manager keeps.

Every sign-in, failed sign-in, sign-out, lock and emergency access is an audit event on the person's own account
row (entity `user_account`), so the audit viewer's filter by person and the Huddle's "failed sign-ins" read them
back. A person may always write their own account's events (access.check_write); anyone else's is the manager's.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import AuditEvent, Role, Staff, UserAccount, UserCreate, UserRole
from officemgr.models.users import clean_login, parse_roles, roles_text
from officemgr.plaintext import clipped, unsafe_character
from officemgr.services import pin, settings
from officemgr.services.access import Actor, Area, require
from officemgr.services.common import ServiceError, first_error, record

ENTITY = "user_account"
REASON_MIN = 10  # characters an emergency-access reason must have: a word or two is not a reason


@dataclass(frozen=True)
class SignInName:
    """One line of the sign-in screen's list (no PHI: a name and a login)."""

    login: str
    name: str


@dataclass(frozen=True)
class UserRow:
    login: str
    name: str
    roles: frozenset[UserRole]
    active: bool
    os_user: str | None
    staff_id: int | None

    @property
    def roles_label(self) -> str:
        return ", ".join(r.label for r in UserRole if r in self.roles)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a try: `actor` when the PIN was right; `wait` the state after the try."""

    actor: Actor | None
    checked: bool  # False: not checked at all, because a wait was running
    wait: pin.PinWait


def roles_of(user: UserAccount) -> frozenset[UserRole]:
    return parse_roles(user.roles)


def actor_of(user: UserAccount, workstation: str) -> Actor:
    return Actor(user.login, roles_of(user), name=user.name, staff_id=user.staff_id, workstation=workstation,
                 user_id=user.id)


def has_users(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(UserAccount)).one() > 0


def sign_in_names(session: Session) -> list[SignInName]:
    """Active users by name, for the sign-in screen."""
    rows = session.exec(select(UserAccount).where(col(UserAccount.active)).order_by(col(UserAccount.name)))
    return [SignInName(u.login, u.name) for u in rows]


def waits(session: Session) -> dict[str, pin.PinWait]:
    """Each active user's wrong-PIN count and wait, by login (the sign-in screen shows a running wait before the
    first try, whichever app or workstation started it)."""
    return {u.login: _wait_of(u) for u in session.exec(select(UserAccount).where(col(UserAccount.active),
                                                                                col(UserAccount.failures) > 0))}


def _user(session: Session, login: str) -> UserAccount | None:
    return session.exec(select(UserAccount).where(UserAccount.login == login.strip().lower())).first()


def _known(session: Session, login: str) -> UserAccount:
    user = _user(session, login)
    if user is None:
        raise ServiceError(f"there is no user {clipped(login, 30)!r}; `officemgr users list` shows them")
    return user


def _wait_of(user: UserAccount) -> pin.PinWait:
    return pin.PinWait(user.failures, user.wait_until)


def _verify(user: UserAccount, typed: str) -> bool:
    if not typed:
        return False
    try:
        return pin.hasher().verify(user.pin_hash, typed)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(session: Session, login: str, typed: str, *, workstation: str, now: datetime,
            wall: datetime | None = None) -> SignIn:
    """Check `typed` against `login`'s PIN unless their wait runs. Right: the person as an Actor; wrong: counted on
    their row (and may start a wait). An unknown or disabled login is refused the same way as a wrong PIN, so the
    screen never tells which logins exist. Audited either way, never the PIN. Commits.

    `now` is when it happened, as the audit log keeps it (the app's day); `wall` (default `now`) the real time the
    wait after wrong PINs is counted in, which a different --today cannot move."""
    user = _user(session, login)
    if user is None or not user.active or _left(session, user, now.date()):
        why = "left the practice" if user is not None and user.active else "no such active user"
        record(session, actor=f"{clipped(login, 30)}@{workstation}", entity=ENTITY, entity_id=0,
               action="sign_in_failed", changes={"login": clipped(login, 30), "why": why}, now=now)
        session.commit()
        return SignIn(None, True, pin.PinWait())
    tried = _try(session, user, typed, workstation=workstation, now=now, wall=wall or now)
    if tried.actor is not None:
        record(session, actor=tried.actor, entity=ENTITY, entity_id=_id(user), action="sign_in",
               changes={"after_wrong": tried.wait.failures} if tried.wait.failures else {}, now=now)
        session.commit()
        return SignIn(tried.actor, True, pin.PinWait())
    return tried


def _left(session: Session, user: UserAccount, today: date) -> bool:
    """Whether the person's last day has passed: their sign-in stops with their employment, whether or not the
    leaving checklist's "access removed" task was ticked."""
    person = session.get(Staff, user.staff_id) if user.staff_id is not None else None
    return person is not None and person.end_date is not None and person.end_date < today


def _try(session: Session, user: UserAccount, typed: str, *, workstation: str, now: datetime,
         wall: datetime) -> SignIn:
    """Check `typed` against `user`'s PIN unless their wait runs; a wrong one is counted, audited and committed.
    A right one clears the count (the caller records what it was for); its SignIn's wait holds the failures it
    cleared."""
    before = _wait_of(user)
    if before.seconds_left(wall) > 0:
        return SignIn(None, False, before)
    person = actor_of(user, workstation)
    if _verify(user, typed):
        user.failures, user.wait_until = 0, None
        return SignIn(person, True, pin.PinWait(before.failures))
    failures = before.failures + 1
    wait = pin.wait_after(failures)
    user.failures, user.wait_until = failures, (wall + timedelta(seconds=wait) if wait else None)
    record(session, actor=person, entity=ENTITY, entity_id=_id(user), action="sign_in_failed",
           changes={"wrong_in_a_row": failures}, now=now)
    session.commit()
    return SignIn(None, True, _wait_of(user))


def _id(user: UserAccount) -> int:
    assert user.id is not None, "a stored user has an id"
    return user.id


def signed_out(session: Session, actor: Actor, *, action: str, now: datetime) -> None:
    """Audit a sign-out, or a lock ("lock": the screen locked, by ctrl+l or left idle). Commits."""
    if action not in ("sign_out", "lock"):
        raise ValueError(action)
    record(session, actor=actor, entity=ENTITY, entity_id=actor.user_id or 0, action=action, changes={}, now=now)
    session.commit()


def os_user_actor(session: Session, os_user: str, *, workstation: str, today: date) -> Actor | None:
    """The active user linked to the operating-system account `os_user`, who acts without a PIN; None if none (or
    if their last day at the practice has passed)."""
    user = session.exec(select(UserAccount).where(UserAccount.os_user == os_user, col(UserAccount.active))).first()
    return None if user is None or _left(session, user, today) else actor_of(user, workstation)


def demo_manager(session: Session, *, workstation: str) -> Actor | None:
    """On a demo database only: its manager, who is signed in when the demo opens."""
    if not settings.get(session, "demo_data"):
        return None
    user = _user(session, "manager")
    return None if user is None or not user.active else actor_of(user, workstation)


def break_glass(session: Session, actor: Actor, area: Area, reason: str, *, now: datetime) -> Actor:
    """Emergency access: open `area` for `actor` after they give a reason, when the manager allows it. Audited as
    such (the next Huddle lists it). Returns the person with the area opened. Commits."""
    if not settings.get(session, "emergency_access"):
        raise ServiceError("emergency access is turned off for this practice; ask the manager")
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise ServiceError(f"say why you need {area.label} (at least {REASON_MIN} characters): it goes in the "
                           "audit log and on tomorrow's Huddle")
    if unsafe_character(reason, free_text=False):
        raise ServiceError("the reason has a control character in it; type it again")
    record(session, actor=actor, entity=ENTITY, entity_id=actor.user_id or 0, action="break_glass",
           changes={"area": area.value, "reason": clipped(reason, 300)}, now=now)
    session.commit()
    return actor.opened(area)


# -- the manager's accounts


def list_users(session: Session, actor: str) -> list[UserRow]:
    """Every account, for the manager and the auditor (who reads the log that names them)."""
    require(actor, Area.audit, write=False, what="the list of users")
    rows = session.exec(select(UserAccount).order_by(col(UserAccount.login)))
    return [UserRow(u.login, u.name, roles_of(u), u.active, u.os_user, u.staff_id) for u in rows]


def _staff_named(session: Session, name: str) -> Staff:
    wanted = " ".join(name.split()).lower()
    found = [s for s in session.exec(select(Staff).where(col(Staff.active)))
             if f"{s.first_name} {s.last_name}".lower() == wanted]
    if not found:
        raise ServiceError(f"no active staff member is named {clipped(name, 60)!r}; add them on the Staff tab "
                           "first (a user is a staff member with a sign-in)")
    if len(found) > 1:
        raise ServiceError(f"{len(found)} staff members are named {clipped(name, 60)!r}; tell them apart first")
    return found[0]


def add_user(session: Session, login: str, *, staff_name: str, roles: str | frozenset[UserRole], new_pin: str,
             os_user: str | None = None, actor: str, now: datetime) -> UserRow:
    """A new sign-in for a staff member (by name). Manager only. Commits."""
    require(actor, Area.settings, what="adding a user")
    try:
        data = UserCreate.model_validate({"login": login, "roles": roles, "os_user": os_user or None})
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from exc
    pin.check_format(new_pin)
    staff = _staff_named(session, staff_name)
    if _user(session, data.login) is not None:
        raise ServiceError(f"the login {data.login!r} is taken; choose another")
    if session.exec(select(UserAccount).where(UserAccount.staff_id == staff.id)).first() is not None:
        raise ServiceError(f"{staff.first_name} {staff.last_name} already has a sign-in; `officemgr users list`")
    _check_os_user(session, data.os_user)
    user = UserAccount(login=data.login, staff_id=staff.id, name=f"{staff.first_name} {staff.last_name}",
                       roles=roles_text(data.roles), pin_hash=pin.hasher().hash(new_pin), os_user=data.os_user)
    _create(session, user, actor=actor, now=now)
    return UserRow(user.login, user.name, data.roles, True, user.os_user, user.staff_id)


def _check_os_user(session: Session, os_user: str | None) -> None:
    if os_user is None:
        return
    if unsafe_character(os_user, free_text=False) or len(os_user) > 64:
        raise ServiceError("that operating-system account name has characters an account name cannot have")
    if session.exec(select(UserAccount).where(UserAccount.os_user == os_user)).first() is not None:
        raise ServiceError(f"the operating-system account {os_user!r} is already linked to a user")


def _create(session: Session, user: UserAccount, *, actor: str, now: datetime) -> None:
    session.add(user)
    session.flush()
    record(session, actor=actor, entity=ENTITY, entity_id=_id(user), action="create",
           changes={"login": user.login, "name": user.name, "roles": user.roles, "staff_id": user.staff_id,
                    "os_user": user.os_user}, now=now)
    session.commit()


def check_first_roles(text: str) -> None:
    """A new practice's first user is its manager, who then adds the others: refuse any other roles in words."""
    try:
        roles = parse_roles(text)
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc
    if roles != {UserRole.manager}:
        raise ServiceError("this practice has no users yet: add its manager first (--role manager), who then adds "
                           "the others; nothing was changed")


def first_manager(session: Session, *, first_name: str, last_name: str, login: str, new_pin: str,
                  workstation: str, now: datetime) -> Actor:
    """The first start of a practice: the manager's own account (and staff record, unless one has the name).
    Refused once any user exists. Returns the manager, signed in. Commits."""
    if has_users(session):
        raise ServiceError("this practice already has users; sign in, and the manager adds more")
    login = _clean(login)
    pin.check_format(new_pin)
    first, last = " ".join(first_name.split()), " ".join(last_name.split())
    if not first or not last:
        raise ServiceError("give the manager's first and last name")
    if unsafe_character(first + last, free_text=False) or len(first) > 60 or len(last) > 60:
        raise ServiceError("a name is up to 60 letters, without control characters")
    actor = Actor(login, {UserRole.manager}, name=f"{first} {last}", workstation=workstation)
    staff = session.exec(select(Staff).where(Staff.first_name == first, Staff.last_name == last)).first()
    if staff is None:
        staff = Staff(first_name=first, last_name=last, role=Role.manager, hire_date=now.date())
        session.add(staff)
        session.flush()
        record(session, actor=actor, entity="staff", entity_id=staff.id or 0, action="create",
               changes={"first_name": first, "last_name": last, "role": Role.manager.value}, now=now)
    user = UserAccount(login=login, staff_id=staff.id, name=f"{first} {last}", roles=UserRole.manager.value,
                       pin_hash=pin.hasher().hash(new_pin))
    _create(session, user, actor=actor, now=now)
    return actor_of(user, workstation)


def _clean(login: str) -> str:
    try:
        return clean_login(login)
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc


def disable_user(session: Session, login: str, *, actor: str, now: datetime) -> None:
    """No more sign-ins for `login`; their history stays. The last active manager cannot be disabled. Commits."""
    require(actor, Area.settings, what="disabling a user")
    user = _known(session, login)
    if not user.active:
        raise ServiceError(f"{user.login} is already disabled")
    if UserRole.manager in roles_of(user) and _active_managers(session) == 1:
        raise ServiceError(f"{user.login} is the only active manager; add another manager first")
    user.active = False
    user.version += 1
    record(session, actor=actor, entity=ENTITY, entity_id=_id(user), action="update",
           changes={"active": [True, False]}, now=now)
    session.commit()


def _active_managers(session: Session) -> int:
    return sum(UserRole.manager in roles_of(u) for u in session.exec(select(UserAccount).where(
        col(UserAccount.active))))


def reset_pin(session: Session, login: str, new_pin: str, *, actor: str, now: datetime) -> None:
    """The manager sets a new PIN for `login` (forgotten, or locked out by wrong PINs: the wait ends). Commits."""
    require(actor, Area.settings, what="resetting a PIN")
    user = _known(session, login)
    _store_pin(session, user, new_pin, actor=actor, now=now, why="reset")


def change_own_pin(session: Session, actor: Actor, current: str, new_pin: str, *, now: datetime,
                   wall: datetime | None = None) -> SignIn:
    """A person changes their own PIN: the current one first, counted like a sign-in (a wrong one is a failed
    sign-in; a right one is recorded as the change, not as a sign-in). Commits."""
    pin.check_format(new_pin)
    user = _known(session, actor.login)
    tried = _try(session, user, current, workstation=actor.workstation, now=now, wall=wall or now)
    if tried.actor is not None:
        _store_pin(session, user, new_pin, actor=tried.actor, now=now, why="changed")
    return tried


def link_os_user(session: Session, login: str, os_user: str | None, *, actor: str, now: datetime) -> None:
    """Let the operating-system account `os_user` act as `login` without a PIN (a script's account), or end the
    link (None). Manager only. Commits."""
    require(actor, Area.settings, what="linking an operating-system account")
    user = _known(session, login)
    wanted = (os_user or "").strip() or None
    if wanted == user.os_user:
        return
    _check_os_user(session, wanted)
    record(session, actor=actor, entity=ENTITY, entity_id=_id(user), action="update",
           changes={"os_user": [user.os_user, wanted]}, now=now)
    user.os_user, user.version = wanted, user.version + 1
    session.commit()


def _store_pin(session: Session, user: UserAccount, new_pin: str, *, actor: str, now: datetime, why: str) -> None:
    pin.check_format(new_pin)
    user.pin_hash = pin.hasher().hash(new_pin)
    user.failures, user.wait_until = 0, None
    user.version += 1
    record(session, actor=actor, entity=ENTITY, entity_id=_id(user), action="pin", changes={"pin": why}, now=now)
    session.commit()


# -- what the Huddle shows


@dataclass(frozen=True)
class FailedSignIns:
    login: str
    count: int
    last: datetime


@dataclass(frozen=True)
class EmergencyUse:
    at: datetime
    who: str
    area: str
    reason: str


REPEATED_FAILURES = 3  # failed sign-ins for one login since yesterday that the Huddle names


def failed_sign_ins(session: Session, since: date) -> list[FailedSignIns]:
    """Logins with repeated failed sign-ins since the start of `since`, most first (any workstation)."""
    rows = session.exec(
        select(AuditEvent.actor, func.count(), func.max(AuditEvent.at))
        .where(AuditEvent.entity == ENTITY, AuditEvent.action == "sign_in_failed",
               col(AuditEvent.at) >= datetime.combine(since, time()))
        .group_by(AuditEvent.actor))
    counts: Counter[str] = Counter()
    last: dict[str, datetime] = {}
    for who, count, newest in rows:
        login = who.split("@", 1)[0]
        counts[login] += count
        last[login] = max(last.get(login, newest), newest)
    found = [FailedSignIns(login, n, last[login]) for login, n in counts.items() if n >= REPEATED_FAILURES]
    return sorted(found, key=lambda f: (-f.count, f.login))


def emergency_uses(session: Session, since: date) -> list[EmergencyUse]:
    """Every emergency access since the start of `since`, oldest first."""
    rows = session.exec(select(AuditEvent).where(
        AuditEvent.entity == ENTITY, AuditEvent.action == "break_glass",
        col(AuditEvent.at) >= datetime.combine(since, time())).order_by(col(AuditEvent.at)))
    uses = []
    for event in rows:
        changes = json.loads(event.changes or "{}")
        uses.append(EmergencyUse(event.at, event.actor, str(changes.get("area", "")), str(changes.get("reason", ""))))
    return uses
