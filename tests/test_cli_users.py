"""`officemgr users list|add|disable|reset-pin` (issue 21, item 5): the manager keeps the sign-ins, the auditor may
list them, anyone else is refused and nothing changes."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlmodel import select

from factories import NOW, audit_events, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.models import AuditEvent, Role, Staff, UserAccount
from officemgr.services import settings, users
from officemgr.services.access import Area
from officemgr.services.common import ServiceError

HOST = socket.gethostname()


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """pat the manager (PIN 2468), bo the biller and al the auditor (1357); Kim Lee on staff with no sign-in."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        users.first_manager(session, first_name="Pat", last_name="Manager", login="pat", new_pin="2468",
                            workstation="setup", now=NOW)
        for first, login, role in (("Bo", "bo", "biller"), ("Al", "al", "auditor")):
            make_staff(session, first_name=first, last_name="Staff", role=Role.biller)
            users.add_user(session, login, staff_name=f"{first} Staff", roles=role, new_pin="1357", actor="setup",
                           now=NOW)
        make_staff(session, first_name="Kim", last_name="Lee", role=Role.front_desk)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No PIN in the environment; a prompt is recorded and answered as ctrl+d unless a test says otherwise."""
    monkeypatch.delenv("OFFICEMGR_PIN", raising=False)
    monkeypatch.delenv("OFFICEMGR_NEW_PIN", raising=False)
    prompts: list[str] = []

    def ctrl_d(prompt: str = "") -> str:
        prompts.append(prompt)
        raise EOFError

    monkeypatch.setattr("getpass.getpass", ctrl_d)
    return prompts


def as_user(monkeypatch: pytest.MonkeyPatch, typed: str, new: str | None = None) -> None:
    monkeypatch.setenv("OFFICEMGR_PIN", typed)
    if new is not None:
        monkeypatch.setenv("OFFICEMGR_NEW_PIN", new)


def accounts(db: Path) -> dict[str, UserAccount]:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return {u.login: u for u in session.exec(select(UserAccount))}
    finally:
        engine.dispose()


def signs_in(db: Path, login: str, typed: str) -> bool:
    engine = store.open_database(path=db)
    try:
        with store.write_session(engine) as session:
            return users.sign_in(session, login, typed, workstation="test", now=NOW).actor is not None
    finally:
        engine.dispose()


def events(db: Path) -> list[AuditEvent]:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return [event for event, _ in audit_events(session)]
    finally:
        engine.dispose()


def test_the_manager_adds_a_user_who_then_signs_in(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "2468", new="8642")

    assert main(["users", "add", "kim", "--staff", "Kim Lee", "--role", "front_desk,clinical", "--user", "pat",
                 "--db", str(practice)]) == 0

    assert capsys.readouterr().out == ("Added kim (front desk, clinical): they sign in with that login and the PIN "
                                       "just set.\n")
    kim = accounts(practice)["kim"]
    assert (kim.name, kim.roles, kim.active) == ("Kim Lee", "front_desk,clinical", True)
    assert signs_in(practice, "kim", "8642")
    created = [e for e in events(practice) if e.entity == "user_account" and e.action == "create"][-1]
    assert created.actor == f"pat@{HOST}"


def test_the_new_pin_is_asked_twice(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    prompts: list[str] = []
    typed = iter(["8642", "8643"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or next(typed))

    assert main(["users", "add", "kim", "--staff", "Kim Lee", "--role", "front_desk", "--user", "pat",
                 "--db", str(practice)]) == 1

    assert prompts == ["New PIN for kim (4 to 12 digits): ", "The same PIN again: "]
    assert capsys.readouterr().err == "officemgr: the two PINs differ; nothing was changed\n"
    assert "kim" not in accounts(practice)


def test_list_shows_who_may_sign_in_and_never_a_hash(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "1357")

    assert main(["users", "list", "--user", "al", "--db", str(practice)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["LOGIN", "NAME", "ROLES", "ACTIVE", "OS", "ACCOUNT"]
    assert [line.split()[0] for line in lines[1:]] == ["al", "bo", "pat"]
    assert lines[2].split() == ["bo", "Bo", "Staff", "biller", "yes", "-"]
    assert "argon2" not in "\n".join(lines)


def test_a_biller_may_not_list_or_add_users(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "1357", new="8642")
    before = events(practice)

    assert main(["users", "list", "--user", "bo", "--db", str(practice)]) == 1
    assert main(["users", "add", "kim", "--staff", "Kim Lee", "--role", "manager", "--user", "bo",
                 "--db", str(practice)]) == 1

    assert capsys.readouterr().err.splitlines() == [
        "officemgr: the list of users needs the manager or read-only (auditor) role; bo is biller",
        "officemgr: adding a user needs the manager role; bo is biller — nothing was changed",
    ]
    assert "kim" not in accounts(practice)
    # Only the two sign-ins were recorded.
    assert [(e.action, e.actor) for e in events(practice)[len(before):]] == [("sign_in", f"bo@{HOST}")] * 2


def test_disable_stops_the_sign_in_and_keeps_the_history(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "2468")
    assert signs_in(practice, "bo", "1357")

    assert main(["users", "disable", "bo", "--user", "pat", "--db", str(practice)]) == 0

    assert "Disabled bo" in capsys.readouterr().out
    assert not accounts(practice)["bo"].active and not signs_in(practice, "bo", "1357")
    assert any(e.actor == "bo@test" and e.action == "sign_in" for e in events(practice))
    assert main(["users", "list", "--user", "pat", "--db", str(practice)]) == 0
    assert "bo  " in (out := capsys.readouterr().out) and "no (disabled)" in out


def test_the_only_manager_cannot_be_disabled(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "2468")

    assert main(["users", "disable", "pat", "--user", "pat", "--db", str(practice)]) == 1

    assert capsys.readouterr().err == ("officemgr: pat is the only active manager; add another manager first; "
                                       "nothing was changed\n")
    assert accounts(practice)["pat"].active


def test_reset_pin_sets_a_new_pin_and_ends_the_wait(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert not signs_in(practice, "bo", "0000")
    assert accounts(practice)["bo"].wait_until is not None
    as_user(monkeypatch, "2468", new="5555")

    assert main(["users", "reset-pin", "bo", "--user", "pat", "--db", str(practice)]) == 0

    assert capsys.readouterr().out.startswith("New PIN set for bo")
    bo = accounts(practice)["bo"]
    assert (bo.failures, bo.wait_until) == (0, None)
    assert signs_in(practice, "bo", "5555") and not signs_in(practice, "bo", "1357")


def test_a_bad_new_pin_is_refused(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "2468", new="12")

    assert main(["users", "reset-pin", "bo", "--user", "pat", "--db", str(practice)]) == 1

    assert capsys.readouterr().err == "officemgr: a PIN is 4 to 12 digits; this one has 2; nothing was changed\n"
    assert signs_in(practice, "bo", "1357")


def test_the_first_user_of_a_new_practice_is_its_manager_added_without_a_sign_in(  # type: ignore[no-untyped-def]
        tmp_path: Path, monkeypatch, capsys) -> None:
    db = tmp_path / "office.db"
    store.open_database(path=db).dispose()
    monkeypatch.setenv("OFFICEMGR_NEW_PIN", "2468")

    assert main(["users", "add", "frontdesk", "--staff", "Fran Desk", "--role", "front_desk", "--db", str(db)]) == 1
    assert main(["users", "add", "pat", "--staff", "Pat Q Manager", "--role", "manager", "--db", str(db)]) == 0

    assert capsys.readouterr().err == ("officemgr: this practice has no users yet: add its manager first (--role "
                                       "manager), who then adds the others; nothing was changed\n")
    assert list(accounts(db)) == ["pat"] and signs_in(db, "pat", "2468")
    engine = store.open_database(path=db)
    with store.read_session(engine) as session:
        staff = session.exec(select(Staff)).one()
    engine.dispose()
    assert (staff.first_name, staff.last_name) == ("Pat Q", "Manager")


def test_users_of_a_missing_database_is_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["users", "list", "--db", str(tmp_path / "nope.db")]) == 1

    assert capsys.readouterr().err == f"officemgr: there is no database {tmp_path / 'nope.db'}\n"
    assert not (tmp_path / "nope.db").exists()



def test_a_manager_links_and_unlinks_an_os_account_and_a_biller_cannot(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "2468")
    assert main(["users", "link", "bo", "--os-user", "backupsvc", "--user", "pat", "--db", str(practice)]) == 0
    assert accounts(practice)["bo"].os_user == "backupsvc"
    [event] = [e for e in events(practice) if e.action == "update"]
    assert (event.actor, event.changes) == (f"pat@{HOST}", '{"os_user": [null, "backupsvc"]}')
    assert main(["users", "link", "bo", "--os-user", "", "--user", "pat", "--db", str(practice)]) == 0
    assert accounts(practice)["bo"].os_user is None
    capsys.readouterr()
    as_user(monkeypatch, "1357")
    assert main(["users", "link", "pat", "--os-user", "x", "--user", "bo", "--db", str(practice)]) == 1
    assert "needs the manager role" in capsys.readouterr().err
    assert accounts(practice)["pat"].os_user is None


def test_the_manager_turns_emergency_access_off_and_a_biller_cannot(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    as_user(monkeypatch, "1357")
    assert main(["users", "emergency-access", "off", "--user", "bo", "--db", str(practice)]) == 1
    assert "needs the manager role" in capsys.readouterr().err
    as_user(monkeypatch, "2468")
    assert main(["users", "emergency-access", "off", "--user", "pat", "--db", str(practice)]) == 0
    engine = store.open_database(path=practice)
    try:
        with store.write_session(engine) as session:
            assert settings.get(session, "emergency_access") is False
            bo = users.sign_in(session, "bo", "1357", workstation="t", now=NOW).actor
            assert bo is not None
            with pytest.raises(ServiceError, match="turned off"):
                users.break_glass(session, bo, Area.audit, "auditor asked for the log", now=NOW)
    finally:
        engine.dispose()
