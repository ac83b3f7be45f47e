"""`officemgr import rvu FILE [--year]` and `officemgr report productivity --month`: exit codes, messages, and what
the database holds afterwards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from factories import make_appointment, make_claim, make_claim_line, make_provider
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import ApptStatus, UserAccount
from officemgr.models.finance import RvuRate
from test_rvu_import import CMS, SIMPLE


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice with Dr Hopper's one visit and claim in November 2026; the manager is this OS account."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        doc = make_provider(session)
        make_appointment(session, provider=doc, status=ApptStatus.checked_out)
        claim = make_claim(session, service_date=date(2026, 11, 23), billed_cents=15_000, provider_id=doc.id)
        make_claim_line(session, claim, code="99213", units=2)
        session.add(UserAccount(login="pat", name="Pat Manager", roles="manager", pin_hash="-",
                                os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


def rates(path: Path) -> list[tuple[int, str, str, float]]:
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return [(r.year, r.code, r.modifier, r.work_rvu)
                    for r in session.exec(select(RvuRate).order_by(col(RvuRate.year), col(RvuRate.code),
                                                                   col(RvuRate.modifier)))]
    finally:
        engine.dispose()


def test_import_takes_the_year_from_the_title(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "PPRRVU26_JAN.csv"
    # CMS's files are Windows-1252: a dash in a description is not UTF-8.
    file.write_text(CMS.replace("Office o/p est low", "Office o/p est low \u2014"), encoding="cp1252")
    assert main(["import", "rvu", str(file), "--db", str(db), "--today", "2026-11-23"]) == 0
    assert capsys.readouterr().out == ("Imported 5 work RVU rates for 2026 from PPRRVU26_JAN.csv; 2 rows without a "
                                       "work RVU (NA or blank) skipped.\n")
    assert [r[:3] for r in rates(db)] == [(2026, "71046", ""), (2026, "71046", "26"), (2026, "71046", "TC"),
                                          (2026, "99213", ""), (2026, "99214", "")]


def test_import_without_a_title_takes_year_or_today(db: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "ours.csv"
    file.write_text(SIMPLE, encoding="utf-8")
    assert main(["import", "rvu", str(file), "--db", str(db), "--today", "2027-01-04"]) == 0
    assert main(["import", "rvu", str(file), "--year", "2025", "--db", str(db)]) == 0
    assert main(["import", "rvu", str(file), "--year", "2025", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "Imported 2 work RVU rates for 2025 from ours.csv, replacing 2."
    assert {r[0] for r in rates(db)} == {2025, 2027}


def test_bad_rows_exit_1_listing_them_and_nothing_is_saved(db: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(SIMPLE + "ABCDE,,1\n99215,,-1\n", encoding="utf-8")
    assert main(["import", "rvu", str(file), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported; 2 lines have problems:" in err
    assert "line 4: code 'ABCDE' is not a CPT/HCPCS code" in err
    assert "line 5: work RVU -1 is negative" in err
    assert rates(db) == []


def test_a_workbook_is_refused_with_what_to_do(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "PPRRVU26.xlsx"
    file.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert main(["import", "rvu", str(file), "--db", str(db)]) == 1
    assert "is a spreadsheet workbook (.xlsx); use the .csv file" in capsys.readouterr().err
    assert rates(db) == []


@pytest.mark.parametrize("argv, said", [
    (["--year", "26"], "a year from 2000 to 2100"),
    (["--year", "twenty"], "a year from 2000 to 2100"),
])
def test_bad_usage_exits_2(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                           said: str) -> None:
    file = tmp_path / "ours.csv"
    file.write_text(SIMPLE, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["import", "rvu", str(file), *argv, "--db", str(db)])
    assert done.value.code == 2
    assert said in capsys.readouterr().err


def test_the_month_report_is_a_text_table(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "ours.csv"
    file.write_text(SIMPLE, encoding="utf-8")
    assert main(["import", "rvu", str(file), "--year", "2026", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", "productivity", "--month", "2026-11", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Provider productivity, November 2026"
    assert lines[2].split() == ["Provider", "Visits", "No-shows", "Cancelled", "New", "Estab.", "Slot", "use",
                                "Charges", "Collections", "Work", "RVUs"]
    doc = next(line for line in lines if line.startswith("Grace Hopper"))
    assert doc.split()[2:7] == ["1", "0", "0", "1", "0"]
    assert doc.split()[-3:] == ["$150.00", "$0.00", "2.60"]
    assert lines[-3].startswith("Total")
    assert lines[-1] == ("Note: collections are what the period's claims were paid (no dated payments posted "
                         "yet).")


def test_a_bad_month_exits_2(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["report", "productivity", "--month", "2026-13", "--db", str(db)])
    assert done.value.code == 2
    assert "'2026-13' is not a month: write it as year-month, e.g. 2026-11" in capsys.readouterr().err
