"""`officemgr import budget FILE --year Y` and `officemgr export budget --year Y [--out F] [--force]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from factories import plan_budget
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import AuditEvent, UserAccount
from officemgr.models.finance import BudgetAmount

HEADER = "category,jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec,total"


def practice(tmp_path: Path, roles: str) -> Path:
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        plan_budget(session, 2026, {"rent": 450_000})
        # Linked to the account running the tests: commands act as this user without a PIN.
        session.add(UserAccount(login="pat", name="Pat", roles=roles, pin_hash="-", os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return practice(tmp_path, "manager")


def read(path: Path, query):  # type: ignore[no-untyped-def]
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return session.exec(query).all()
    finally:
        engine.dispose()


def amounts(path: Path, year: int) -> dict[tuple[str, int], int]:
    rows = read(path, select(BudgetAmount).where(BudgetAmount.year == year))
    return {(str(r.category.value), r.month): r.amount_cents for r in rows}


def test_export_to_standard_output_and_to_a_file_refusing_to_overwrite(db: Path, tmp_path: Path,
                                                                       capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "budget", "--year", "2026", "--db", str(db), "--today", "2026-11-23"]) == 0
    out, err = capsys.readouterr()
    assert out.split("\r\n")[0] == HEADER
    assert out.split("\r\n")[2] == "Rent," + ",".join(["4500.00"] * 12) + ",54000.00"
    assert err.strip().endswith("Budget 2026 written to standard output.")

    target = tmp_path / "budget.csv"
    assert main(["export", "budget", "--year", "2026", "--out", str(target), "--db", str(db)]) == 0
    assert target.read_bytes().decode().startswith(HEADER + "\r\n")
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    target.write_text("mine", encoding="utf-8")
    assert main(["export", "budget", "--year", "2026", "--out", str(target), "--db", str(db)]) == 1
    assert target.read_text(encoding="utf-8") == "mine"
    assert main(["export", "budget", "--year", "2026", "--out", str(target), "--force", "--db", str(db)]) == 0
    assert target.read_bytes().decode().startswith(HEADER)
    logged = read(db, select(AuditEvent).where(AuditEvent.entity == "export", AuditEvent.action == "budget"))
    assert [json.loads(e.changes)["file"] for e in logged] == ["stdout", str(target), str(target)]


@pytest.mark.parametrize("argv", [["--year", "1999"], ["--year", "next"], []])
def test_export_needs_a_year_in_range(db: Path, argv: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stopped:
        main(["export", "budget", *argv, "--db", str(db)])
    assert stopped.value.code == 2


def test_export_refuses_a_file_that_is_not_csv(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "budget", "--year", "2026", "--out", str(tmp_path / "b.xlsx"), "--db", str(db)]) == 2
    assert "writes a .csv file, not '.xlsx'" in capsys.readouterr().err


def test_import_plans_the_year_and_says_how_many_amounts_changed(db: Path, tmp_path: Path,
                                                                 capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "\nRent,\"$4,600.00\",4600,4600,4600,4600,4600,4600,4600,4600,4600,4600,4600,\n",
                    encoding="utf-8")
    assert main(["import", "budget", str(path), "--year", "2027", "--db", str(db)]) == 0
    assert capsys.readouterr().out.strip() == "Budget 2027 imported from plan.csv: 12 amounts changed."
    assert amounts(db, 2027) == {("rent", m): 460_000 for m in range(1, 13)}


def test_import_refuses_bad_lines_and_writes_nothing(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "\nRent,1,1,1,1,1,1,1,1,1,1,1,1,\nLunch,1,1,1,1,1,1,1,1,1,1,1,1,\n"
                    "Software,(5),1,1,1,1,1,1,1,1,1,1,1,\n", encoding="utf-8")
    assert main(["import", "budget", str(path), "--year", "2027", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "plan.csv: nothing was imported; 2 of 3 lines have problems:" in err
    assert "line 3: category: 'Lunch' is not a budget category" in err
    assert "line 4: jan: (5) is negative" in err
    assert amounts(db, 2027) == {}


def test_only_the_manager_imports_and_finance_readers_export(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = practice(tmp_path, "biller")
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "\nRent,1,1,1,1,1,1,1,1,1,1,1,1,\n", encoding="utf-8")
    assert main(["import", "budget", str(path), "--year", "2027", "--db", str(db)]) == 1
    assert "importing a budget needs the manager role" in capsys.readouterr().err
    assert main(["export", "budget", "--year", "2026", "--db", str(db)]) == 0
    assert amounts(db, 2027) == {}
