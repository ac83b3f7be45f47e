"""`officemgr set-pin`: asks twice (the current PIN first once one is set); exit 0 done, 1 refused, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import audit_events
from officemgr import store
from officemgr.cli import main
from officemgr.services import pin


def answers(monkeypatch: pytest.MonkeyPatch, *typed: str) -> list[str]:
    """Feed getpass the typed lines; returns the prompts it showed."""
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


def stored(db: Path, typed: str) -> bool:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return pin.check_pin(session, typed)
    finally:
        engine.dispose()


def test_set_then_change_the_pin(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "office.db"
    prompts = answers(monkeypatch, "4321", "4321")
    assert main(["set-pin", "--db", str(db)]) == 0
    assert prompts == ["New PIN (4 to 12 digits): ", "New PIN again: "]
    assert "PIN set" in capsys.readouterr().out and stored(db, "4321")

    prompts = answers(monkeypatch, "4321", "8765", "8765")
    assert main(["set-pin", "--db", str(db)]) == 0
    assert prompts[0] == "Current PIN: " and "PIN changed." in capsys.readouterr().out
    assert stored(db, "8765") and not stored(db, "4321")
    engine = store.open_database(path=db)
    with store.read_session(engine) as session:
        assert [changes for _, changes in audit_events(session, "setting")] == [{"pin": "set"}, {"pin": "changed"}]
    engine.dispose()


@pytest.mark.parametrize(("typed", "says"), [
    (("4321", "4322"), "the two PINs differ; nothing was changed"),
    (("12",), "a PIN is 4 to 12 digits; this one has 2; nothing was changed"),
    (("abcd",), "a PIN is 4 to 12 digits (0-9), nothing else; nothing was changed"),
    (("4321",), "no PIN was typed; nothing was changed"),  # ctrl+d at the second prompt
])
def test_refusals_are_one_line_and_change_nothing(tmp_path: Path, monkeypatch, capsys, typed, says) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "office.db"
    answers(monkeypatch, *typed)
    assert main(["set-pin", "--db", str(db)]) == 1
    assert capsys.readouterr().err == f"officemgr: {says}\n"
    engine = store.open_database(path=db)
    with store.read_session(engine) as session:
        assert not pin.pin_is_set(session)
    engine.dispose()


def test_a_wrong_current_pin_is_refused(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "office.db"
    answers(monkeypatch, "4321", "4321")
    assert main(["set-pin", "--db", str(db)]) == 0
    prompts = answers(monkeypatch, "1111", "9999", "9999")
    assert main(["set-pin", "--db", str(db)]) == 1
    assert prompts == ["Current PIN: "]
    assert "not the current PIN" in capsys.readouterr().err and stored(db, "4321")


def test_wrong_current_pins_count_toward_the_same_wait_as_the_lock_screen(tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                                          capsys) -> None:
    db = tmp_path / "office.db"
    answers(monkeypatch, "4321", "4321")
    assert main(["set-pin", "--db", str(db), "--today", "2026-11-23"]) == 0
    for _ in range(pin.FREE_TRIES):
        answers(monkeypatch, "1111")
        assert main(["set-pin", "--db", str(db), "--today", "2026-11-23"]) == 1
    capsys.readouterr()
    prompts = answers(monkeypatch, "4321", "5555", "5555")  # even the right PIN waits now

    assert main(["set-pin", "--db", str(db), "--today", "2026-11-23"]) == 1

    assert prompts == ["Current PIN: "]
    assert "too many wrong PINs: try again in" in capsys.readouterr().err and stored(db, "4321")
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            assert pin.pin_wait(session).failures == pin.FREE_TRIES
    finally:
        engine.dispose()


def test_the_app_run_from_the_command_line_is_the_secure_one(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from officemgr.tui import app as tui_app

    started = []
    monkeypatch.setattr(tui_app.OfficeApp, "run", lambda self: started.append(self.secure))
    assert main(["--db", str(tmp_path / "office.db")]) == 0
    assert started == [True]
