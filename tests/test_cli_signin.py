"""Who the command line acts as (issue 21, items 5 and 8): --user and a PIN, a linked OS account, the demo manager,
the program on a practice with no users yet; anything else is refused before a record is read."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from factories import NOW, TODAY, audit_events, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import AuditEvent, Role, UserAccount
from officemgr.services import pin, users

HOST = socket.gethostname()
PERIOD = ["--period", TODAY.isoformat()]


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """A practice with three sign-ins: pat the manager (PIN 2468), fran at the front desk (1357), bo the biller."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        users.first_manager(session, first_name="Pat", last_name="Manager", login="pat", new_pin="2468",
                            workstation="setup", now=NOW)
        for first, login, role in (("Fran", "fran", "front_desk"), ("Bo", "bo", "biller")):
            make_staff(session, first_name=first, last_name="Staff", role=Role.front_desk)
            users.add_user(session, login, staff_name=f"{first} Staff", roles=role, new_pin="1357", actor="setup",
                           now=NOW)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def no_prompt(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No PIN in the environment, and a prompt is recorded and answered as ctrl+d unless a test says otherwise."""
    monkeypatch.delenv("OFFICEMGR_PIN", raising=False)
    monkeypatch.delenv("OFFICEMGR_NEW_PIN", raising=False)
    prompts: list[str] = []

    def ctrl_d(prompt: str = "") -> str:
        prompts.append(prompt)
        raise EOFError

    monkeypatch.setattr("getpass.getpass", ctrl_d)
    return prompts


def events(db: Path) -> list[AuditEvent]:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return [event for event, _ in audit_events(session)]
    finally:
        engine.dispose()


def account(db: Path, login: str) -> UserAccount:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return session.exec(select(UserAccount).where(UserAccount.login == login)).one()
    finally:
        engine.dispose()


def test_a_practice_with_users_refuses_a_command_without_user_and_changes_nothing(  # type: ignore[no-untyped-def]
        practice: Path, tmp_path: Path, capsys) -> None:
    before = events(practice)
    out = tmp_path / "pay.csv"

    assert main(["export", "payroll", *PERIOD, "--out", str(out), "--db", str(practice)]) == 1

    assert capsys.readouterr().err == ("officemgr: this command reads patient data: say who you are with --user LOGIN "
                                       "(the PIN is asked, or read from OFFICEMGR_PIN)\n")
    assert not out.exists() and events(practice) == before


def test_user_with_the_pin_from_the_environment_is_the_audit_log_s_actor(  # type: ignore[no-untyped-def]
        practice: Path, tmp_path: Path, monkeypatch, capsys, no_prompt) -> None:
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    out = tmp_path / "pay.csv"

    assert main(["export", "payroll", *PERIOD, "--out", str(out), "--user", "pat", "--db", str(practice)]) == 0

    assert out.is_file() and no_prompt == [] and capsys.readouterr().err == ""
    sign_in, export = events(practice)[-2:]
    assert (sign_in.entity, sign_in.action, sign_in.actor) == ("user_account", "sign_in", f"pat@{HOST}")
    assert (export.entity, export.action, export.actor) == ("export", "payroll", f"pat@{HOST}")


def test_the_pin_is_asked_when_the_environment_has_none(practice: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch) -> None:
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or "2468")

    assert main(["--user", "pat", "export", "payroll", *PERIOD, "--out", str(tmp_path / "p.csv"),
                 "--db", str(practice)]) == 0

    assert prompts == ["PIN for pat: "]


def test_wrong_pins_are_refused_counted_and_their_wait_outlives_the_run(  # type: ignore[no-untyped-def]
        practice: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OFFICEMGR_PIN", "1111")
    out = tmp_path / "pay.csv"
    command = ["export", "payroll", *PERIOD, "--out", str(out), "--user", "pat", "--db", str(practice)]
    for _ in range(pin.FREE_TRIES):
        assert main(command) == 1
    said = capsys.readouterr().err.splitlines()
    assert said[0] == ("officemgr: the login pat and that PIN do not match an active user; nothing was changed")
    assert said[-1].startswith("officemgr: the login pat and that PIN do not match an active user; wait 30 s "
                               "before the next try")
    assert account(practice, "pat").failures == pin.FREE_TRIES
    failed = [e for e in events(practice) if e.action == "sign_in_failed"]
    assert [e.actor for e in failed] == [f"pat@{HOST}"] * pin.FREE_TRIES

    # A new process, with the right PIN: the wait stored on pat's account still runs.
    done = subprocess.run([sys.executable, "-m", "officemgr.cli", *command], capture_output=True, text=True,
                          env={**_env(), "OFFICEMGR_PIN": "2468"}, check=False, timeout=120)

    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("officemgr: too many wrong PINs for pat: try again in ")
    assert not out.exists() and account(practice, "pat").failures == pin.FREE_TRIES


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("OFFICEMGR_PIN", "OFFICEMGR_NEW_PIN")}


def test_an_unknown_login_is_refused_like_a_wrong_pin(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")

    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-30", "--user", "nobody",
                 "--db", str(practice)]) == 1

    assert capsys.readouterr().err == ("officemgr: the login nobody and that PIN do not match an active user; "
                                       "nothing was changed\n")


def test_no_pin_typed_is_refused(practice: Path, capsys, no_prompt) -> None:  # type: ignore[no-untyped-def]
    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-30", "--user", "pat",
                 "--db", str(practice)]) == 1

    assert no_prompt == ["PIN for pat: "]
    assert capsys.readouterr().err == "officemgr: no PIN was typed; nothing was changed\n"


def linked_practice(tmp_path: Path, os_user: str) -> Path:
    """pat the manager, and script (a manager too) linked to the operating-system account `os_user`."""
    db = tmp_path / "office.db"
    engine = store.open_database(path=db)
    with store.write_session(engine) as session:
        users.first_manager(session, first_name="Pat", last_name="Manager", login="pat", new_pin="2468",
                            workstation="setup", now=NOW)
        make_staff(session, first_name="Sam", last_name="Script", role=Role.manager)
        users.add_user(session, "script", staff_name="Sam Script", roles="manager", new_pin="9999",
                       os_user=os_user, actor="setup", now=NOW)
    engine.dispose()
    return db


def test_an_account_linked_to_the_os_user_needs_no_pin(tmp_path: Path, capsys, no_prompt) -> None:  # type: ignore[no-untyped-def]
    db = linked_practice(tmp_path, os_account())
    out = tmp_path / "pay.csv"

    assert main(["export", "payroll", *PERIOD, "--out", str(out), "--db", str(db)]) == 0

    assert no_prompt == [] and capsys.readouterr().err == ""
    assert events(db)[-1].actor == f"script@{HOST}"


def test_setting_user_in_the_environment_does_not_act_as_a_linked_account(  # type: ignore[no-untyped-def]
        tmp_path: Path, monkeypatch, capsys, no_prompt) -> None:
    db = linked_practice(tmp_path, "backupsvc")
    for name in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "backupsvc")  # what getpass.getuser() would believe

    assert main(["export", "payroll", *PERIOD, "--out", str(tmp_path / "pay.csv"), "--db", str(db)]) == 1

    assert "say who you are with --user" in capsys.readouterr().err
    assert not (tmp_path / "pay.csv").exists()


def test_a_demo_acts_as_its_manager_and_says_so_once(demo_db: Path, tmp_path: Path, capsys,  # type: ignore[no-untyped-def]
                                                      no_prompt) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)

    # Two sessions on the database (the sheet, then its log): the notice is said once all the same.
    assert main(["export", "ics", "--provider", _first_provider(db), "--out", str(tmp_path / "day.ics"),
                 "--db", str(db), "--today", TODAY.isoformat()]) == 0

    err = capsys.readouterr().err
    assert err.count("officemgr: demo database: acting as the demo manager (manager); pass --user to act as "
                     "another\n") == 1
    assert no_prompt == [] and events(db)[-1].actor == f"manager@{HOST}"


def _first_provider(db: Path) -> str:
    from officemgr.models import Staff

    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            doctor = session.exec(select(Staff).where(Staff.is_provider).order_by(Staff.id)).first()
            assert doctor is not None
            return f"{doctor.first_name} {doctor.last_name}"
    finally:
        engine.dispose()


def test_a_demo_command_with_user_acts_as_that_user(demo_db: Path, tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                     capsys) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("OFFICEMGR_PIN", "1234")

    assert main(["export", "payroll", *PERIOD, "--out", str(tmp_path / "p.csv"), "--user", "frontdesk",
                 "--db", str(db)]) == 1

    assert "demo database" not in (err := capsys.readouterr().err)
    assert "needs the manager" in err and "frontdesk is front desk" in err


def test_a_front_desk_user_cannot_export_payroll(practice: Path, tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                 capsys) -> None:
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")
    out = tmp_path / "pay.csv"

    assert main(["export", "payroll", *PERIOD, "--out", str(out), "--user", "fran", "--db", str(practice)]) == 1

    assert capsys.readouterr().err == ("officemgr: exporting payroll needs the manager or read-only (auditor) role; "
                                       "fran is front desk\n")
    assert not out.exists()
    assert [e.action for e in events(practice) if e.entity == "export"] == []


def test_a_biller_may_export_the_work_queue_but_not_the_audit_report(  # type: ignore[no-untyped-def]
        practice: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")

    assert main(["export", "queue", str(tmp_path / "q.csv"), "--user", "bo", "--db", str(practice)]) == 0
    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "a.csv"),
                 "--user", "bo", "--db", str(practice)]) == 1

    assert capsys.readouterr().err.endswith("officemgr: the audit report needs the manager or read-only (auditor) "
                                            "role; bo is biller\n")
    assert not (tmp_path / "a.csv").exists()


def test_a_practice_with_no_users_yet_runs_as_the_program_and_says_how_to_add_the_manager(  # type: ignore[no-untyped-def]
        tmp_path: Path, capsys, no_prompt) -> None:
    db = tmp_path / "office.db"
    store.open_database(path=db).dispose()

    assert main(["export", "payroll", *PERIOD, "--out", str(tmp_path / "p.csv"), "--db", str(db)]) == 0

    err = capsys.readouterr().err
    assert err.count("this practice has no users yet") == 1
    assert 'officemgr users add LOGIN --staff "First Last" --role manager' in err
    assert no_prompt == [] and events(db)[-1].actor == os_account()


def test_commands_that_read_no_record_ask_nobody(practice: Path, capsys, no_prompt) -> None:  # type: ignore[no-untyped-def]
    assert main(["check", "--db", str(practice)]) == 0
    assert main(["backup", "--db", str(practice)]) == 0

    assert no_prompt == [] and "--user" not in capsys.readouterr().err


def test_the_user_option_is_counted_once_with_the_database_on_either_side(  # type: ignore[no-untyped-def]
        practice: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")

    assert main(["--user", "pat", "--db", str(practice), "export", "payroll", *PERIOD,
                 "--out", str(tmp_path / "p.csv")]) == 0

    engine = store.open_database(path=practice)
    with store.read_session(engine) as session:
        signed = session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sign_in")).one()
    engine.dispose()
    assert signed == 1


def test_a_copy_of_the_database_elsewhere_needs_a_person_who_may_export(  # type: ignore[no-untyped-def]
        practice: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    copy = tmp_path / "usb.db"

    assert main(["backup", "--to", str(copy), "--db", str(practice)]) == 1
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")
    assert main(["backup", "--to", str(copy), "--user", "fran", "--db", str(practice)]) == 1
    assert not copy.exists()
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    assert main(["backup", "--to", str(copy), "--user", "pat", "--db", str(practice)]) == 0

    err = capsys.readouterr().err.splitlines()
    assert err == ["officemgr: this command reads patient data: say who you are with --user LOGIN (the PIN is asked, "
                   "or read from OFFICEMGR_PIN)",
                   "officemgr: copying the database to another place needs the manager role; fran is "
                   "front desk — nothing was changed"]
    logged = events(practice)[-1]
    assert copy.is_file() and (logged.entity, logged.action, logged.actor) == ("export", "backup", f"pat@{HOST}")


def test_a_restore_is_the_manager_s(practice: Path, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    backup = tmp_path / "old.db"
    shutil.copy(practice, backup)
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")

    assert main(["restore", str(backup), "--yes", "--user", "bo", "--db", str(practice)]) == 1

    assert capsys.readouterr().err.endswith("officemgr: restoring a backup needs the manager role; bo is biller — "
                                            "nothing was changed\n")
    # Not replaced: the database still ends with bo's sign-in, which the backup does not hold.
    assert (events(practice)[-1].action, events(practice)[-1].actor) == ("sign_in", f"bo@{HOST}")
    assert not (practice.parent / "backups").exists()  # where a restore keeps the database it replaces
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    assert main(["restore", str(backup), "--yes", "--user", "pat", "--db", str(practice)]) == 0
    assert events(practice)[-1].actor == f"pat@{HOST}"


def test_an_import_is_recorded_as_the_signed_in_person(practice: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    items = tmp_path / "items.csv"
    items.write_text("name,category,unit,par,reorder_point\nGauze,clinical,box,10,2\n", encoding="utf-8")
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")

    assert main(["import", "items", str(items), "--user", "fran", "--db", str(practice)]) == 1
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    assert main(["import", "items", str(items), "--user", "pat", "--db", str(practice)]) == 0

    created = [e for e in events(practice) if e.entity == "item"]
    assert [(e.action, e.actor) for e in created] == [("create", f"pat@{HOST}")]


def test_the_audit_report_s_actor_filter_is_not_who_is_acting(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")

    # --actor names whose changes to show; it signs nobody in.
    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-30", "--actor", "pat@setup",
                 "--db", str(practice), "--today", "2026-11-23"]) == 1
    assert "say who you are with --user LOGIN" in capsys.readouterr().err
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    assert main(["report", "audit", "--from", "2026-11-01", "--to", "2026-11-30", "--actor", "pat@setup",
                 "--user", "pat", "--db", str(practice), "--today", "2026-11-23"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert rows and {row.split(",")[1] for row in rows} == {"pat@setup"}
