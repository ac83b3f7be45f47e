"""`officemgr check-list --validate [FILE]` and `officemgr report compliance` on the command line."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from officemgr.checklist import ChecklistError, checklist_path, load_checklist
from officemgr.cli import main
from officemgr.services.compliance_report import COLUMNS

HEADER = "title,category,rrule,evidence,owner_role\n"


@pytest.fixture
def bad_checklist(tmp_path: Path) -> Path:
    path = tmp_path / "checklist.csv"
    path.write_text(
        HEADER
        + "Fridge log,cdc,FREQ=DAILY,log,ma\n"  # line 2
        + "Spore test,cdc,FREQ=FORTNIGHTLY,BI,ma\n"  # line 3: bad RRULE
        + "AED check,safety,FREQ=MONTHLY,log,nurse\n"  # line 4
        + "Vaccine count,vaccines,FREQ=MONTHLY,count,ma\n"  # line 5: unknown category
    )
    return path


# ---------------------------------------------------------------------------------------------- check-list


def test_every_bad_line_is_reported_with_its_line_and_exit_1(bad_checklist: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "office.db"

    assert main(["check-list", "--validate", str(bad_checklist), "--db", str(db)]) == 1

    err = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"checklist\.csv line 3: 'FREQ=FORTNIGHTLY' is not a valid RRULE .*", err[0])
    assert err[1].startswith("checklist.csv line 5: unknown category 'vaccines' (use one of cdc, clia,")
    assert "2 problems" in err[2]
    assert len(err) == 3
    assert not db.exists()  # no database is opened


def test_load_checklist_lists_every_problem(bad_checklist: Path) -> None:
    with pytest.raises(ChecklistError) as caught:
        load_checklist(bad_checklist)
    assert [p.split(":")[0] for p in caught.value.problems] == ["checklist.csv line 3", "checklist.csv line 5"]
    assert str(caught.value) == "\n".join(caught.value.problems)


def test_the_projects_checklist_is_valid(capsys) -> None:
    count = len(load_checklist(checklist_path()))

    assert main(["check-list", "--validate"]) == 0

    out = capsys.readouterr().out
    assert out.strip() == f"{checklist_path()}: {count} items, all valid"


def test_check_list_without_validate_is_bad_usage(capsys) -> None:
    assert main(["check-list"]) == 2
    assert "--validate" in capsys.readouterr().err


def test_a_missing_checklist_file_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["check-list", "--validate", str(tmp_path / "nope.csv")]) == 1
    assert "there is no file" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- report


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database (filled by officemgr.demo.fill for 2026-11-23, seed 1)."""
    target = tmp_path / "office.db"
    shutil.copy(demo_db, target)
    return target


def test_report_compliance_writes_markdown_and_csv(demo_copy: Path, tmp_path: Path, capsys) -> None:
    md, sheet = tmp_path / "rep.md", tmp_path / "rep.csv"

    code = main(["report", "compliance", "--db", str(demo_copy), "--today", "2026-11-23",
                 "--from", "2026-10-01", "--to", "2026-11-23", "--out", str(md), "--csv", str(sheet)])

    assert code == 0
    text = md.read_text()
    assert text.startswith("# Compliance report: 2026-10-01 to 2026-11-23\n")
    match = re.search(r"^\*\*Summary:\*\* (\d+) due, (\d+) on time, (\d+) late, (\d+) missed", text, re.M)
    assert match is not None
    due, on_time, late, missed = map(int, match.groups())
    assert due > 0 and on_time + late + missed <= due
    assert "## Staff training (as of 11/23/2026)" in text
    rows = list(csv.reader(sheet.open(newline="")))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 1 + due
    assert f"{due} due" in capsys.readouterr().out


def test_report_to_standard_output(demo_copy: Path, capsys) -> None:
    assert main(["--db", str(demo_copy), "--today", "2026-11-23", "report", "compliance",
                 "--from", "2026-11-01", "--to", "2026-11-07"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# Compliance report: 2026-11-01 to 2026-11-07")
    assert "Compliance 2026-11-01 to 2026-11-07:" in captured.err


def test_report_refuses_a_period_that_ends_before_it_starts(demo_copy: Path, capsys) -> None:
    assert main(["report", "compliance", "--db", str(demo_copy), "--from", "2026-11-23", "--to", "2026-11-01"]) == 1
    assert "--from 2026-11-23 is after --to 2026-11-01" in capsys.readouterr().err


def test_report_with_a_malformed_date_is_bad_usage(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "compliance", "--db", str(tmp_path / "x.db"), "--from", "2026-02-30", "--to", "2026-03-01"])
    assert exited.value.code == 2
    assert "not '2026-02-30'" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_report_on_a_missing_database_is_refused_and_creates_nothing(tmp_path: Path, capsys) -> None:
    db = tmp_path / "typo.db"
    assert main(["report", "compliance", "--db", str(db), "--from", "2026-11-01", "--to", "2026-11-07"]) == 1
    assert "there is no database" in capsys.readouterr().err
    assert not db.exists()
