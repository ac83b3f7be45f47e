"""`officemgr report month`, `close month` and `reopen month` (issue 24, part 5)."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from factories import make_claim, make_payer
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import AuditEvent
from officemgr.models.finance import ClaimPosting, MonthClose, PostingKind
from officemgr.models.users import UserAccount


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice with one claim charged in October ($150, by Acme <Health>) and a manager linked to this account."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        claim = make_claim(session, payer=make_payer(session, name="Acme <Health>"), service_date=date(2026, 10, 5))
        assert claim.id is not None
        session.add(ClaimPosting(claim_id=claim.id, day=date(2026, 10, 5), kind=PostingKind.charge,
                                 amount_cents=15000, at=datetime(2026, 10, 5, 9), actor="t"))
        session.add(UserAccount(login="pat", name="Pat Manager", roles="manager", pin_hash="-",
                                os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


def closes(path: Path) -> list[MonthClose]:
    engine = store.open_database(path=path)
    with store.read_session(engine) as session:
        rows = list(session.exec(select(MonthClose)).all())
    engine.dispose()
    return rows


def events(path: Path, entity: str) -> list[tuple[str, dict[str, object]]]:
    engine = store.open_database(path=path)
    with store.read_session(engine) as session:
        rows = [(e.action, json.loads(e.changes)) for e in session.exec(
            select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id))]
    engine.dispose()
    return rows


def test_the_report_goes_to_standard_output_as_markdown(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "month", "--month", "2026-10", "--db", str(db), "--today", "2026-11-23"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# The practice: Month-end report — October 2026\n")
    assert "| + Charges | $150.00 | $0.00 | $150.00 |" in captured.out
    assert "October 2026: Balances; written to standard output." in captured.err
    assert events(db, "report")[-1] == ("month", {"file": "stdout", "month": "2026-10-01", "format": "md"})


def test_the_html_report_is_written_private_and_never_over_a_file(db: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "october.html"
    args = ["report", "month", "--month", "2026-10", "--format", "html", "--out", str(out), "--db", str(db),
            "--today", "2026-11-23"]
    assert main(args) == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Month-end report — October 2026" in page
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "written to" in capsys.readouterr().out
    out.write_text("mine")
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err and out.read_text() == "mine"
    assert main([*args, "--force"]) == 0 and out.read_text().startswith("<!DOCTYPE html>")


def test_a_month_not_yet_ended_is_reported_as_such(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "month", "--month", "2026-11", "--db", str(db), "--today", "2026-11-23"]) == 0
    assert "month not yet ended (figures to 11/23/2026)" in capsys.readouterr().out


@pytest.mark.parametrize("month", ["2026-13", "Nov", "2026-1-1"])
def test_a_bad_month_is_bad_usage_with_an_example(db: Path, month: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "month", "--month", month, "--db", str(db)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"'{month}' is not a month: write it as year-month, e.g. 2026-11" in err and "Traceback" not in err


def test_a_missing_database_is_refused_and_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.db"
    assert main(["report", "month", "--month", "2026-10", "--db", str(path)]) == 1
    assert not path.exists() and "there is no database" in capsys.readouterr().err


def test_close_refuses_unticked_steps_then_closes_with_force_and_reopens(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", str(db), "--today", "2026-11-02"]
    assert main(["close", "month", "--month", "2026-10", *base]) == 1
    assert "6 steps of the checklist not ticked" in capsys.readouterr().err
    assert closes(db) == []
    assert main(["close", "month", "--month", "2026-11", "--force", *base]) == 1
    assert "November 2026 has not ended" in capsys.readouterr().err
    assert main(["close", "month", "--month", "2026-10", "--force", *base]) == 0
    out = capsys.readouterr().out
    assert "October 2026 closed: insurance A/R $150.00, patient A/R $0.00" in out
    assert "Closed with steps not ticked: Deposits reconciled," in out
    [row] = closes(db)
    assert (row.month, row.insurance_ar_cents, row.reopened_at) == (date(2026, 10, 1), 15000, None)
    assert main(["report", "month", "--month", "2026-10", *base]) == 0
    assert "Closed by pat@" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["reopen", "month", "--month", "2026-10", *base])
    assert exited.value.code == 2 and "--reason" in capsys.readouterr().err
    assert main(["reopen", "month", "--month", "2026-10", "--reason", "late EOB", *base]) == 0
    assert "October 2026 reopened" in capsys.readouterr().out
    [row] = closes(db)
    assert row.reopen_reason == "late EOB" and row.reopened_at is not None
    assert [a for a, _ in events(db, "month_close")] == ["close", "reopen"]
    assert main(["reopen", "month", "--month", "2026-10", "--reason", "again", *base]) == 1
    assert "is not closed" in capsys.readouterr().err
