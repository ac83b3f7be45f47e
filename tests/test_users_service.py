"""services.users: the first manager, the manager's accounts, the operating-system link, the demo's manager,
emergency access, and the sign-in events the Huddle and the audit viewer read back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from factories import NOW, TODAY, at, audit_events, make_staff
from officemgr.models import Role, Staff, UserAccount, UserRole
from officemgr.services import settings, users
from officemgr.services.access import Actor, Area, NotAllowed
from officemgr.services.common import ServiceError

BOSS = Actor("max", {UserRole.manager}, workstation="office")


def accounts(session: Session) -> int:
    return session.exec(select(func.count()).select_from(UserAccount)).one()


def staffed(session: Session, first: str, last: str = "Test") -> Staff:
    return make_staff(session, first_name=first, last_name=last)


# --- the first manager --------------------------------------------------------------------------------


def test_the_first_start_makes_the_managers_account_and_staff_record_and_only_once(session: Session) -> None:
    manager = users.first_manager(session, first_name=" Pat ", last_name="Boss", login="Pat", new_pin="1234",
                                  workstation="desk1", now=NOW)
    assert (str(manager), manager.roles, manager.name) == ("pat@desk1", frozenset({UserRole.manager}), "Pat Boss")
    staff = session.get(Staff, manager.staff_id)
    assert staff is not None and (staff.first_name, staff.last_name, staff.role) == ("Pat", "Boss", Role.manager)
    assert users.sign_in(session, "pat", "1234", workstation="desk2", now=NOW).actor is not None
    with pytest.raises(ServiceError, match="already has users"):
        users.first_manager(session, first_name="Eve", last_name="Other", login="eve", new_pin="1234",
                            workstation="desk1", now=NOW)
    assert accounts(session) == 1


@pytest.mark.parametrize(("first", "last", "login", "new_pin", "says"), [
    ("Pat", "Boss", "p", "1234", "a login is 2 to 30 letters"),
    ("Pat", "Boss", "pat", "12", "4 to 12 digits"),
    ("", "Boss", "pat", "1234", "first and last name"),
    ("Pat\x1b[2J", "Boss", "pat", "1234", "control characters"),
])
def test_the_first_manager_refuses_bad_input_saving_nothing(session: Session, first: str, last: str, login: str,
                                                            new_pin: str, says: str) -> None:
    with pytest.raises(ServiceError, match=says):
        users.first_manager(session, first_name=first, last_name=last, login=login, new_pin=new_pin,
                            workstation="desk1", now=NOW)
    session.rollback()
    assert accounts(session) == 0 and session.exec(select(Staff)).all() == []


# --- the manager's accounts ---------------------------------------------------------------------------


def test_the_manager_adds_a_user_for_a_staff_member_and_lists_them(session: Session) -> None:
    kim = staffed(session, "Kim", "Lee")
    row = users.add_user(session, "kim", staff_name="kim  lee", roles="front desk, biller", new_pin="2468",
                         actor=BOSS, now=NOW)
    assert (row.login, row.name, row.roles, row.staff_id) == (
        "kim", "Kim Lee", frozenset({UserRole.front_desk, UserRole.biller}), kim.id)
    assert row.roles_label == "front desk, biller"
    assert [(u.login, u.active) for u in users.list_users(session, BOSS)] == [("kim", True)]
    [(event, changes)] = audit_events(session, "user_account")
    assert event.actor == "max@office" and changes["roles"] == "front_desk,biller"


@pytest.mark.parametrize(("login", "staff_name", "roles", "says"), [
    ("kim", "Nobody Here", "front_desk", "no active staff member is named 'Nobody Here'"),
    ("k", "Kim Lee", "front_desk", "a login is 2 to 30"),
    ("kim", "Kim Lee", "doctor", "no role named 'doctor'"),
    ("bea", "Kim Lee", "front_desk", "the login 'bea' is taken"),
    ("kim2", "Bea Park", "biller", "Bea Park already has a sign-in"),
])
def test_adding_a_user_refuses_what_cannot_be_with_a_clear_message(session: Session, login: str, staff_name: str,
                                                                   roles: str, says: str) -> None:
    staffed(session, "Kim", "Lee")
    staffed(session, "Bea", "Park")
    users.add_user(session, "bea", staff_name="Bea Park", roles="biller", new_pin="1357", actor=BOSS, now=NOW)
    with pytest.raises(ServiceError, match=says):
        users.add_user(session, login, staff_name=staff_name, roles=roles, new_pin="2468", actor=BOSS, now=NOW)
    session.rollback()
    assert accounts(session) == 1


def test_only_the_manager_keeps_the_accounts(session: Session) -> None:
    staffed(session, "Kim", "Lee")
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", actor=BOSS, now=NOW)
    for role in (UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor):
        someone = Actor("pat", {role}, workstation="desk1")
        with pytest.raises(NotAllowed, match="adding a user needs the manager role"):
            users.add_user(session, "pat", staff_name="Kim Lee", roles="manager", new_pin="2468", actor=someone,
                           now=NOW)
        with pytest.raises(NotAllowed, match="disabling a user needs the manager role"):
            users.disable_user(session, "kim", actor=someone, now=NOW)
    # The list of users is read by everyone whose screens the settings shape; only the manager changes it.
    assert [u.login for u in users.list_users(session, Actor("aud", {UserRole.auditor}))] == ["kim"]


def test_a_disabled_user_cannot_sign_in_and_keeps_their_history(session: Session) -> None:
    staffed(session, "Kim", "Lee")
    staffed(session, "Max", "Boss")
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", actor=BOSS, now=NOW)
    users.add_user(session, "max", staff_name="Max Boss", roles="manager", new_pin="1357", actor=BOSS, now=NOW)
    assert users.sign_in(session, "kim", "2468", workstation="desk1", now=NOW).actor is not None
    users.disable_user(session, "kim", actor=BOSS, now=NOW)
    assert users.sign_in(session, "kim", "2468", workstation="desk1", now=NOW).actor is None
    assert [n.login for n in users.sign_in_names(session)] == ["max"]
    assert [(u.login, u.active) for u in users.list_users(session, BOSS)] == [("kim", False), ("max", True)]
    assert "sign_in" in [e.action for e, _ in audit_events(session, "user_account") if e.actor == "kim@desk1"]
    with pytest.raises(ServiceError, match="kim is already disabled"):
        users.disable_user(session, "kim", actor=BOSS, now=NOW)
    with pytest.raises(ServiceError, match="max is the only active manager; add another manager first"):
        users.disable_user(session, "max", actor=BOSS, now=NOW)
    with pytest.raises(ServiceError, match="there is no user 'zed'"):
        users.disable_user(session, "zed", actor=BOSS, now=NOW)


def test_sign_in_stops_the_day_after_the_last_day(session: Session) -> None:
    kim = staffed(session, "Kim", "Lee")
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", os_user="kimlee",
                   actor=BOSS, now=NOW)
    kim.end_date = TODAY
    session.add(kim)
    session.commit()
    on_last_day = users.sign_in(session, "kim", "2468", workstation="desk", now=NOW)
    assert on_last_day.actor is not None
    day_after = NOW + timedelta(days=1)
    assert users.sign_in(session, "kim", "2468", workstation="desk", now=day_after).actor is None
    assert audit_events(session)[-1][1]["why"] == "left the practice"
    assert users.os_user_actor(session, "kimlee", workstation="server", today=TODAY) is not None
    assert users.os_user_actor(session, "kimlee", workstation="server", today=TODAY + timedelta(days=1)) is None


# --- the operating-system link and the demo -----------------------------------------------------------


def test_a_user_linked_to_an_operating_system_account_acts_without_a_pin(session: Session) -> None:
    staffed(session, "Kim", "Lee")
    staffed(session, "Bea", "Park")
    users.add_user(session, "kim", staff_name="Kim Lee", roles="biller", new_pin="2468", os_user="kimlee",
                   actor=BOSS, now=NOW)
    kim = users.os_user_actor(session, "kimlee", workstation="server", today=TODAY)
    assert kim is not None and (str(kim), kim.roles) == ("kim@server", frozenset({UserRole.biller}))
    assert users.os_user_actor(session, "root", workstation="server", today=TODAY) is None
    with pytest.raises(ServiceError, match="'kimlee' is already linked"):
        users.add_user(session, "bea", staff_name="Bea Park", roles="biller", new_pin="2468", os_user="kimlee",
                       actor=BOSS, now=NOW)
    session.rollback()
    users.disable_user(session, "kim", actor="tests", now=NOW)
    assert users.os_user_actor(session, "kimlee", workstation="server", today=TODAY) is None


def test_only_a_demo_database_opens_as_its_manager(session: Session) -> None:
    staffed(session, "Max", "Boss")
    users.add_user(session, "manager", staff_name="Max Boss", roles="manager", new_pin="1234", actor="tests",
                   now=NOW)
    assert users.demo_manager(session, workstation="desk1") is None
    settings.put(session, "demo_data", True, now=NOW, actor="tests")
    demo = users.demo_manager(session, workstation="desk1")
    assert demo is not None and str(demo) == "manager@desk1" and UserRole.manager in demo.roles


# --- emergency access and sign-in events ----------------------------------------------------------------


def test_emergency_access_needs_a_reason_is_audited_and_listed(session: Session) -> None:
    staffed(session, "Kim", "Lee")
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", actor="tests",
                   now=NOW)
    kim = users.sign_in(session, "kim", "2468", workstation="desk1", now=NOW).actor
    assert kim is not None
    with pytest.raises(ServiceError, match="at least 10 characters"):
        users.break_glass(session, kim, Area.billing, "  need  ", now=NOW)
    opened = users.break_glass(session, kim, Area.billing, "patient disputes a bill at the desk", now=NOW)
    assert Area.billing in opened.emergency and str(opened) == "kim@desk1"
    assert [(u.who, u.area, u.reason) for u in users.emergency_uses(session, TODAY)] == [
        ("kim@desk1", "billing", "patient disputes a bill at the desk")]
    settings.put(session, "emergency_access", False, now=NOW, actor="tests")
    with pytest.raises(ServiceError, match="emergency access is turned off"):
        users.break_glass(session, kim, Area.payroll, "need the hours for a claim", now=NOW)


def test_sign_out_and_lock_are_audited_on_the_persons_own_account(session: Session) -> None:
    staffed(session, "Kim", "Lee")
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", actor="tests",
                   now=NOW)
    kim = users.sign_in(session, "kim", "2468", workstation="desk1", now=NOW).actor
    assert kim is not None
    users.signed_out(session, kim, action="lock", now=NOW)
    users.signed_out(session, kim, action="sign_out", now=NOW)
    assert [(e.actor, e.entity_id, e.action) for e, _ in audit_events(session, "user_account")][-2:] == [
        ("kim@desk1", kim.user_id, "lock"), ("kim@desk1", kim.user_id, "sign_out")]


def test_failed_sign_ins_are_counted_per_login_across_workstations_since_a_day(session: Session) -> None:
    staffed(session, "Kim", "Lee")
    users.add_user(session, "kim", staff_name="Kim Lee", roles="front_desk", new_pin="2468", actor="tests",
                   now=NOW)
    yesterday = TODAY - timedelta(days=1)
    users.sign_in(session, "kim", "0000", workstation="desk1", now=at(9, day=yesterday - timedelta(days=1)))
    users.sign_in(session, "kim", "0000", workstation="desk1", now=at(9, day=yesterday))
    users.sign_in(session, "kim", "0000", workstation="desk2", now=at(10, day=yesterday))
    assert users.failed_sign_ins(session, since=yesterday) == []  # two are not "repeated"
    users.sign_in(session, "kim", "0000", workstation="desk2", now=at(8))
    [kim] = users.failed_sign_ins(session, since=yesterday)
    assert (kim.login, kim.count, kim.last) == ("kim", 3, at(8))


def test_a_disabled_person_still_signed_in_elsewhere_can_change_nothing(session: Session) -> None:
    manager = users.first_manager(session, first_name="Max", last_name="Boss", login="max", new_pin="2468",
                                  workstation="office", now=NOW)
    staffed(session, "Kim")
    users.add_user(session, "kim", staff_name="Kim Test", roles="front_desk,clinical", new_pin="1357",
                   actor=manager, now=NOW)
    kim = users.sign_in(session, "kim", "1357", workstation="desk1", now=NOW).actor
    assert kim is not None
    users.disable_user(session, "kim", actor=manager, now=NOW)
    with pytest.raises(NotAllowed, match="kim's sign-in was disabled"):
        users.signed_out(session, kim, action="lock", now=NOW)
    session.rollback()
    with pytest.raises(NotAllowed, match="disabled"):
        users.break_glass(session, kim, Area.billing, "a patient at the desk asks about a bill", now=NOW)
