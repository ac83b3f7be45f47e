"""`officemgr report deposits` and `officemgr statements` (cli/desk.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from factories import make_patient, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.models import EntryKind, LedgerEntry, Role, Statement
from officemgr.services import ledger, users

DAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 10, 0)


@pytest.fixture
def practice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pat the manager (PIN 2468) and cam, clinical (1357); Ada paid cash, a check and a card on DAY, owes $45.00
    from 40 days ago, and the drawer was counted $5.00 short in cash."""
    db = tmp_path / "office.db"
    engine = store.open_database(path=db)
    with store.write_session(engine) as session:
        pat = users.first_manager(session, first_name="Pat", last_name="Boss", login="pat", new_pin="2468",
                                  workstation="setup", now=AT)
        make_staff(session, first_name="Cam", last_name="Nurse", role=Role.nurse)
        users.add_user(session, "cam", staff_name="Cam Nurse", roles="clinical", new_pin="1357", actor=pat, now=AT)
        ada = make_patient(session, account="000042")
        session.add(LedgerEntry(patient_id=ada.id, day=DAY - timedelta(days=40), at=AT, actor="t",
                                kind=EntryKind.patient_share, amount_cents=10_000))
        session.commit()
        for cents, method, ref in ((2_500, "cash", ""), (3_000, "check", "1042"), (2_500, "card", "4242")):
            ledger.take_payment(session, ada.id, cents, method, ref, today=DAY, actor=pat, now=AT)
        ledger.close_drawer(session, DAY, 2_000, 3_000, note="$5 short: not found", actor=pat, now=AT)
    engine.dispose()
    monkeypatch.delenv("OFFICEMGR_PIN", raising=False)
    return db


def test_the_days_deposit_lists_checks_by_number_and_the_drawer_short(practice: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    assert main(["report", "deposits", "--day", "2026-11-20", "--user", "pat", "--db", str(practice)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Desk payments 11/20/2026: $80.00 in 3 payments"
    assert "Deposit (cash and checks): $55.00" in out
    assert any(line.startswith("  check 1042: $30.00  R261120-") for line in out)
    assert out[-1] == "Drawer counted: cash $20.00, checks $30.00: cash $5.00 short"
    assert "Lovelace" not in "\n".join(out)  # a deposit slip names checks, not patients


def test_the_statement_run_sends_once_and_a_clinical_user_cannot_run_it(practice: Path, tmp_path: Path,
                                                                         monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "statements"
    out.mkdir()
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")
    assert main(["statements", "--out", str(out), "--user", "cam", "--db", str(practice), "--today",
                 "2026-11-23"]) == 1
    assert "needs the manager, front desk or biller role" in capsys.readouterr().err
    assert list(out.iterdir()) == []
    monkeypatch.setenv("OFFICEMGR_PIN", "2468")
    args = ["statements", "--out", str(out), "--user", "pat", "--db", str(practice), "--today", "2026-11-23"]
    assert main(args) == 0
    assert "1 statement for $20.00" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["mailing-2026-11-23.csv", "statement-000042-2026-11-23.html"]
    assert main(args) == 0
    assert "No statements are due today" in capsys.readouterr().out
    engine = store.open_database(path=practice)
    with store.read_session(engine) as session:
        [sent] = session.exec(select(Statement)).all()
    engine.dispose()
    assert (sent.balance_cents, sent.oldest_days, sent.actor.split("@")[0]) == (2_000, 43, "pat")


def test_a_missing_folder_is_refused_before_anything(practice: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["statements", "--out", str(tmp_path / "nowhere"), "--db", str(practice)]) == 1
    assert "is not a folder; make it first" in capsys.readouterr().err
