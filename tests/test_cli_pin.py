"""`officemgr set-pin --user LOGIN`: a person changes their own PIN, the current one first (counted like a sign-in),
the new one twice; exit 0 done, 1 refused and nothing changed, never a traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from factories import NOW, audit_events
from officemgr import store
from officemgr.cli import main
from officemgr.models import UserAccount
from officemgr.services import pin, users

HOST = socket.gethostname()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A practice whose manager is pat, PIN 2468; no PIN in the environment."""
    monkeypatch.delenv("OFFICEMGR_PIN", raising=False)
    monkeypatch.delenv("OFFICEMGR_NEW_PIN", raising=False)
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        users.first_manager(session, first_name="Pat", last_name="Manager", login="pat", new_pin="2468",
                            workstation="setup", now=NOW)
    engine.dispose()
    return path


def answers(monkeypatch: pytest.MonkeyPatch, *typed: str) -> list[str]:
    """Feed getpass the typed lines (ctrl+d after the last); returns the prompts it showed."""
    prompts: list[str] = []
    lines: Iterator[str] = iter(typed)

    def fake(prompt: str = "") -> str:
        prompts.append(prompt)
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("getpass.getpass", fake)
    return prompts


def signs_in(db: Path, typed: str) -> bool:
    engine = store.open_database(path=db)
    try:
        with store.write_session(engine) as session:
            return users.sign_in(session, "pat", typed, workstation="test", now=NOW).actor is not None
    finally:
        engine.dispose()


def test_a_person_changes_their_own_pin(db: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    prompts = answers(monkeypatch, "2468", "8642", "8642")

    assert main(["set-pin", "--user", "pat", "--db", str(db)]) == 0

    assert prompts == ["PIN for pat: ", "New PIN for pat (4 to 12 digits): ", "The same PIN again: "]
    assert capsys.readouterr().out == "PIN changed for pat: sign in with the new one from now on.\n"
    engine = store.open_database(path=db)
    with store.read_session(engine) as session:
        changed = [(e.actor, c) for e, c in audit_events(session, "user_account") if e.action == "pin"]
    engine.dispose()
    assert changed == [(f"pat@{HOST}", {"pin": "changed"})]
    assert signs_in(db, "8642") and not signs_in(db, "2468")


def test_the_pins_may_come_from_the_environment(db: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    prompts = answers(monkeypatch)
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    monkeypatch.setenv("OFFICEMGR_NEW_PIN", "97531")

    assert main(["set-pin", "--user", "pat", "--db", str(db)]) == 0

    assert prompts == [] and signs_in(db, "97531")


@pytest.mark.parametrize(("typed", "says"), [
    (("2468", "4321", "4322"), "the two PINs differ; nothing was changed"),
    (("2468", "12"), "a PIN is 4 to 12 digits; this one has 2; nothing was changed"),
    (("2468", "abcd"), "a PIN is 4 to 12 digits (0-9), nothing else; nothing was changed"),
    (("2468", "4321"), "no PIN was typed; nothing was changed"),  # ctrl+d at the second prompt
    (("1111",), "the login pat and that PIN do not match an active user; nothing was changed"),
])
def test_refusals_are_one_line_and_change_nothing(db: Path, monkeypatch, capsys, typed, says) -> None:  # type: ignore[no-untyped-def]
    answers(monkeypatch, *typed)

    assert main(["set-pin", "--user", "pat", "--db", str(db)]) == 1

    assert capsys.readouterr().err == f"officemgr: {says}\n"
    assert signs_in(db, "2468")


def test_without_user_it_asks_whose_pin(db: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    prompts = answers(monkeypatch)

    assert main(["set-pin", "--db", str(db)]) == 1

    assert prompts == []
    assert capsys.readouterr().err == ("officemgr: say whose PIN to change with --user LOGIN (the current PIN is "
                                       "asked, or read from OFFICEMGR_PIN)\n")


def test_wrong_current_pins_start_the_same_wait_as_the_sign_in_screen(db: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                                       capsys) -> None:
    for _ in range(pin.FREE_TRIES):
        answers(monkeypatch, "1111")
        assert main(["set-pin", "--user", "pat", "--db", str(db), "--today", "2026-11-23"]) == 1
    capsys.readouterr()
    prompts = answers(monkeypatch, "2468", "5555", "5555")  # even the right PIN waits now

    assert main(["set-pin", "--user", "pat", "--db", str(db), "--today", "2026-11-23"]) == 1

    assert prompts == ["PIN for pat: "]
    assert capsys.readouterr().err.startswith("officemgr: too many wrong PINs for pat: try again in ")
    engine = store.open_database(path=db)
    with store.read_session(engine) as session:
        assert session.exec(select(UserAccount)).one().failures == pin.FREE_TRIES
    engine.dispose()


def test_the_app_run_from_the_command_line_is_the_secure_one(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from officemgr.tui import app as tui_app

    started = []
    # No one is handed in: the open decides (the demo's manager, the first start, or the sign-in screen).
    monkeypatch.setattr(tui_app.OfficeApp, "run", lambda self: started.append(self.given_actor))
    assert main(["--db", str(tmp_path / "office.db")]) == 0
    assert started == [None]
