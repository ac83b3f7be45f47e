"""`officemgr bills generate`, `officemgr export bills` and `officemgr report ap-aging` (issue 24, part 3)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from factories import NOW, make_ap_bill, make_staff, make_vendor, pay_ap_bill
from officemgr import store
from officemgr.cli import main
from officemgr.models import AuditEvent, Role
from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import Bill, Frequency, RecurringBill
from officemgr.services import users

TODAY = "2026-11-23"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """No users yet (the program acts): a rent bill recurring from October, an overdue bill partly paid."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        landlord = make_vendor(session, name="Main Street Properties", terms="net 5")
        session.add(RecurringBill(vendor_id=landlord.id or 0, description="Rent", category=BudgetCategory.rent,
                                  amount_cents=450_000, frequency=Frequency.monthly, day_of_month=1,
                                  start=date(2026, 10, 1)))
        acme = make_vendor(session, name="=Acme Medical")
        bill = make_ap_bill(session, acme, due=date(2026, 10, 20), amount_cents=20_000, number="A-1")
        pay_ap_bill(session, bill, 5_000, paid_on=date(2026, 11, 2), reference="1001")
    engine.dispose()
    return path


def events(path: Path, entity: str) -> list[AuditEvent]:
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return list(session.exec(select(AuditEvent).where(AuditEvent.entity == entity)
                                     .order_by(col(AuditEvent.id))))
    finally:
        engine.dispose()


def bill_numbers(path: Path) -> list[str]:
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return [b.invoice_number for b in session.exec(select(Bill).order_by(col(Bill.id)))]
    finally:
        engine.dispose()


def test_generate_makes_the_due_bills_once(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bills", "generate", "--db", str(db), "--today", TODAY]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == [
        "Made 2 bills for $9,000.00, waiting for approval:",
        "  Main Street Properties RENT 2026-10 dated 10/01/2026, due 10/06/2026: $4,500.00",
        "  Main Street Properties RENT 2026-11 dated 11/01/2026, due 11/06/2026: $4,500.00"]
    assert bill_numbers(db) == ["A-1", "RENT 2026-10", "RENT 2026-11"]
    assert [e.action for e in events(db, "bill")] == ["generate", "generate"]
    assert main(["bills", "generate", "--db", str(db), "--today", TODAY]) == 0
    assert capsys.readouterr().out == "No recurring bill is due within the next 7 days.\n"
    assert len(bill_numbers(db)) == 3


def test_aging_report_prints_the_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "ap-aging", "--db", str(db), "--today", TODAY]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "A/P aging on 11/23/2026 (days past the due date)"
    assert lines[2].split() == ["Vendor", "Current", "1–30", "31–60", "61–90", "90+", "Total"]
    assert lines[4].split() == ["=Acme", "Medical", "$0.00", "$0.00", "$150.00", "$0.00", "$0.00", "$150.00"]
    assert lines[-1].split()[0] == "Total" and lines[-1].split()[-1] == "$150.00"


def test_export_to_a_file_refuses_to_overwrite_without_force(db: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "paid.csv"
    args = ["export", "bills", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out), "--db", str(db),
            "--today", TODAY]
    assert main(args) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[1] == ["2026-11-02", "'=Acme Medical", "A-1", "2026-09-20", "Supplies", "50.00", "Check", "1001",
                       "200.00"]
    assert "Exported 1 payment made 11/01/2026 to 11/30/2026" in capsys.readouterr().out
    out.write_text("keep me", encoding="utf-8")
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert main([*args, "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("paid_on,vendor")
    assert [e.action for e in events(db, "export")] == ["bills", "bills"]


def test_export_to_standard_output_and_a_backwards_range(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "bills", "--from", "2026-10-01", "--to", "2026-10-31", "--db", str(db),
                 "--today", TODAY]) == 0
    assert capsys.readouterr().out == ",".join(
        ["paid_on", "vendor", "invoice_number", "invoice_date", "category", "amount_paid", "method", "reference",
         "bill_total"]) + "\r\n"
    assert main(["export", "bills", "--from", "2026-11-30", "--to", "2026-11-01", "--db", str(db),
                 "--today", TODAY]) == 1
    assert "before the first" in capsys.readouterr().err


def test_the_biller_may_report_but_not_generate_and_the_front_desk_neither(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    engine = store.open_database(path=db)
    with store.write_session(engine) as session:
        users.first_manager(session, first_name="Pat", last_name="Manager", login="pat", new_pin="2468",
                            workstation="setup", now=NOW)
        for first, login, role in (("Fran", "fran", "front_desk"), ("Bo", "bo", "biller")):
            make_staff(session, first_name=first, last_name="Staff", role=Role.front_desk)
            users.add_user(session, login, staff_name=f"{first} Staff", roles=role, new_pin="1357", actor="setup",
                           now=NOW)
    engine.dispose()
    monkeypatch.setenv("OFFICEMGR_PIN", "1357")
    common = ["--db", str(db), "--today", TODAY]
    assert main(["report", "ap-aging", "--user", "bo", *common]) == 0
    assert main(["bills", "generate", "--user", "bo", *common]) == 1
    assert "generating recurring bills needs the manager role" in capsys.readouterr().err
    assert main(["report", "ap-aging", "--user", "fran", *common]) == 1
    assert "fran is front desk" in capsys.readouterr().err
    assert bill_numbers(db) == ["A-1"]
