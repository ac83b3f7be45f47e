"""Each person's PIN: an argon2id hash on their account, checked at sign-in, with a wait after wrong PINs that is
theirs alone and outlives a restart; changed by its owner, reset by the manager; never in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher, Type
from sqlmodel import Session, select

from factories import NOW, audit_events, make_staff
from officemgr.models import UserAccount, UserRole
from officemgr.services import pin, users
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError


def add(session: Session, login: str, first: str, new_pin: str, roles: str = "front_desk") -> UserAccount:
    make_staff(session, first_name=first, last_name="Test")
    users.add_user(session, login, staff_name=f"{first} Test", roles=roles, new_pin=new_pin, actor="tests", now=NOW)
    return session.exec(select(UserAccount).where(UserAccount.login == login)).one()


def test_a_pin_is_stored_as_an_argon2id_hash_and_only_the_right_one_signs_in(session: Session) -> None:
    kim = add(session, "kim", "Kim", "482913")
    assert kim.pin_hash.startswith("$argon2id$") and "482913" not in kim.pin_hash
    assert users.sign_in(session, "kim", "482914", workstation="desk1", now=NOW).actor is None
    assert users.sign_in(session, "kim", "", workstation="desk1", now=NOW).actor is None
    signed = users.sign_in(session, "KIM ", "482913", workstation="desk1", now=NOW)
    assert signed.actor is not None and signed.checked
    assert (str(signed.actor), signed.actor.roles, signed.actor.user_id) == (
        "kim@desk1", frozenset({UserRole.front_desk}), kim.id)


def test_the_app_hashes_pins_at_argon2s_recommended_cost(real_pin_hasher: PasswordHasher) -> None:
    # The tests hash at the lowest cost (conftest.real_pin_hasher); the app keeps the library's recommendation.
    recommended = PasswordHasher()
    assert (real_pin_hasher.time_cost, real_pin_hasher.memory_cost, real_pin_hasher.parallelism) == (
        recommended.time_cost, recommended.memory_cost, recommended.parallelism)
    assert real_pin_hasher.memory_cost >= 65536 and real_pin_hasher.type is Type.ID


@pytest.mark.parametrize(("bad", "says"), [
    ("123", "has 3"), ("1234567890123", "has 13"), ("12a4", "nothing else"), ("", "nothing else"),
    ("12 34", "nothing else"),
])
def test_a_pin_is_4_to_12_digits(session: Session, bad: str, says: str) -> None:
    make_staff(session, first_name="Kim", last_name="Test")
    with pytest.raises(ServiceError, match=says):
        users.add_user(session, "kim", staff_name="Kim Test", roles="front_desk", new_pin=bad, actor="tests",
                       now=NOW)
    session.rollback()
    assert session.exec(select(UserAccount)).all() == []
    assert audit_events(session, "user_account") == []


def test_the_wait_after_wrong_pins_is_per_person_and_kept_on_their_account(session: Session) -> None:
    add(session, "kim", "Kim", "1111")
    add(session, "bea", "Bea", "2222")
    for _ in range(pin.FREE_TRIES):
        tried = users.sign_in(session, "kim", "9999", workstation="desk1", now=NOW)
        assert tried.checked and tried.actor is None
    assert tried.wait.failures == 3 and tried.wait.seconds_left(NOW) == pin.FIRST_WAIT
    # Kim waits, even with the right PIN: it is not checked at all.
    early = users.sign_in(session, "kim", "1111", workstation="desk2", now=NOW + timedelta(seconds=10))
    assert (early.actor, early.checked, early.wait.seconds_left(NOW + timedelta(seconds=10))) == (None, False, 20)
    # Bea, at the same desk, does not.
    assert users.sign_in(session, "bea", "2222", workstation="desk1", now=NOW).actor is not None
    # The count is on the row: a new session (a restart) sees it.
    session.expire_all()
    assert session.exec(select(UserAccount.failures).where(UserAccount.login == "kim")).one() == 3
    later = users.sign_in(session, "kim", "1111", workstation="desk1", now=NOW + timedelta(seconds=31))
    assert later.actor is not None and later.wait == pin.PinWait()
    assert session.exec(select(UserAccount.failures).where(UserAccount.login == "kim")).one() == 0


def test_the_wait_rule_doubles_to_a_ceiling() -> None:
    assert [pin.wait_after(n) for n in range(1, 7)] == [0, 0, 30, 60, 120, 240]
    assert pin.wait_after(40) == pin.MAX_WAIT


def test_an_unknown_or_disabled_login_is_refused_like_a_wrong_pin(session: Session) -> None:
    add(session, "kim", "Kim", "1111")
    add(session, "max", "Max", "3333", roles="manager")
    users.disable_user(session, "kim", actor="tests", now=NOW)
    for login in ("kim", "nobody"):
        tried = users.sign_in(session, login, "1111", workstation="desk1", now=NOW)
        assert (tried.actor, tried.checked, tried.wait) == (None, True, pin.PinWait())


def test_a_person_changes_their_own_pin_after_typing_the_current_one(session: Session) -> None:
    add(session, "kim", "Kim", "1111")
    kim = users.sign_in(session, "kim", "1111", workstation="desk1", now=NOW).actor
    assert kim is not None
    wrong = users.change_own_pin(session, kim, "0000", "5555", now=NOW)
    assert wrong.actor is None
    assert users.sign_in(session, "kim", "5555", workstation="desk1", now=NOW).actor is None
    assert users.change_own_pin(session, kim, "1111", "5555", now=NOW).actor is not None
    assert users.sign_in(session, "kim", "1111", workstation="desk1", now=NOW).actor is None
    assert users.sign_in(session, "kim", "5555", workstation="desk1", now=NOW).actor is not None
    with pytest.raises(ServiceError, match="4 to 12 digits"):
        users.change_own_pin(session, kim, "5555", "55", now=NOW)


def test_the_manager_resets_a_forgotten_pin_and_the_wait_ends(session: Session) -> None:
    add(session, "kim", "Kim", "1111")
    for _ in range(5):
        users.sign_in(session, "kim", "0000", workstation="desk1", now=NOW)
    boss = Actor("max", {UserRole.manager}, workstation="office")
    desk = Actor("bea", {UserRole.front_desk}, workstation="desk2")
    with pytest.raises(NotAllowed, match="resetting a PIN needs the manager role; bea is front desk"):
        users.reset_pin(session, "kim", "7777", actor=desk, now=NOW)
    users.reset_pin(session, "kim", "7777", actor=boss, now=NOW)
    assert users.sign_in(session, "kim", "7777", workstation="desk1", now=NOW).actor is not None


def test_the_audit_says_what_happened_to_a_pin_and_never_holds_it_or_its_hash(session: Session) -> None:
    kim_row = add(session, "kim", "Kim", "1111")
    users.sign_in(session, "kim", "0000", workstation="desk1", now=NOW)
    kim = users.sign_in(session, "kim", "1111", workstation="desk1", now=NOW).actor
    assert kim is not None
    users.change_own_pin(session, kim, "1111", "5555", now=NOW)
    users.reset_pin(session, "kim", "7777", actor="max@office", now=NOW)
    events = audit_events(session, "user_account")
    assert [(e.actor, e.action, changes) for e, changes in events] == [
        ("tests", "create", {"login": "kim", "name": "Kim Test", "roles": "front_desk",
                             "staff_id": kim_row.staff_id, "os_user": None}),
        ("kim@desk1", "sign_in_failed", {"wrong_in_a_row": 1}),
        ("kim@desk1", "sign_in", {"after_wrong": 1}),
        ("kim@desk1", "pin", {"pin": "changed"}),
        ("max@office", "pin", {"pin": "reset"}),
    ]
    session.refresh(kim_row)
    assert all(p not in e.changes for e, _ in events for p in ("1111", "5555", "7777", "argon2", kim_row.pin_hash))
