"""Issue 20, items 7 and 8: files that leave the app.

Every export and report is written private (0600) under a temporary name and moved into place, never through a
symbolic link and never over an existing file without --force (refused before any database work); CSV cells that a
spreadsheet would run as a formula are written as text, numbers the app formats stay numbers; control characters
in stored text show as \\x1b in every export and in what the command prints.
"""

from __future__ import annotations

import csv
import io
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from officemgr import store
from officemgr.cli import main
from officemgr.models import AuditEvent
from officemgr.services.csv_out import Figure, csv_text, dollars, stored_value, text_cell
from ui_support import TODAY, copy_demo

DAY = TODAY.isoformat()
PERIOD = "2026-11-23"  # the demo's pay period starting today
PROVIDER = "Fatima Garcia"
ESC_NAME = "Bad\x1b]0;owned\x07Name"


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the small demo practice."""
    copy_demo(demo_db, tmp_path).dispose()
    return tmp_path / "office.db"


def sql(db: Path, statement: str, **params: object) -> None:
    """Change stored data behind the app's back: data from before input was checked, or from elsewhere."""
    engine = store.open_database(path=db)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def audit_count(db: Path) -> int:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return session.exec(select(func.count()).select_from(AuditEvent)).one()
    finally:
        engine.dispose()


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


# Each writing command, given the folder its file goes in: (argv, the files it writes).
Command = Callable[[Path], tuple[list[str], list[Path]]]
COMMANDS: dict[str, Command] = {
    "huddle": lambda d: (["huddle", "--out", str(d / "sheet.md")], [d / "sheet.md"]),
    "huddle both": lambda d: (["huddle", "--out", str(d / "sheet")], [d / "sheet.md", d / "sheet.html"]),
    "payroll": lambda d: (["export", "payroll", "--period", PERIOD, "--out", str(d / "pay.csv")], [d / "pay.csv"]),
    "inventory": lambda d: (["export", "inventory", str(d / "stock.csv")], [d / "stock.csv"]),
    "count sheet csv": lambda d: (["export", "count-sheet", str(d / "count.csv")], [d / "count.csv"]),
    "count sheet md": lambda d: (["export", "count-sheet", str(d / "count.md")], [d / "count.md"]),
    "queue": lambda d: (["export", "queue", str(d / "queue.csv")], [d / "queue.csv"]),
    "ics": lambda d: (["export", "ics", "--provider", PROVIDER, "--week", DAY, "--out", str(d / "week.ics")],
                      [d / "week.ics"]),
    "compliance": lambda d: (["report", "compliance", "--from", "2026-11-01", "--to", DAY, "--out",
                              str(d / "comp.md"), "--csv", str(d / "comp.csv")], [d / "comp.md", d / "comp.csv"]),
    "audit": lambda d: (["report", "audit", "--from", "2026-01-01", "--to", DAY, "--out", str(d / "audit.csv")],
                        [d / "audit.csv"]),
}


def run(db: Path, argv: list[str], *extra: str) -> int:
    return main([*argv, *extra, "--db", str(db), "--today", DAY])


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


# --- item 7: private, whole, never over a file or through a link ---------------------------------------


@pytest.mark.parametrize("name", COMMANDS)
def test_written_private_and_logged(name: str, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv, files = COMMANDS[name](out)
    before = audit_count(db)
    assert run(db, argv) == 0
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert path.stat().st_size > 0
    assert leftovers(out) == []
    assert audit_count(db) == before + 1  # the export is logged


@pytest.mark.parametrize("name", COMMANDS)
def test_an_existing_file_is_refused_before_any_work_and_kept(
        name: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv, files = COMMANDS[name](out)
    files[-1].write_text("keep me")
    before = audit_count(db)
    assert run(db, argv) == 1
    err = capsys.readouterr().err
    assert f"{files[-1]} already exists; add --force to replace it" in err
    assert "Traceback" not in err
    assert files[-1].read_text() == "keep me"
    assert all(not p.exists() for p in files[:-1])  # nothing half-way: not even the other file
    assert audit_count(db) == before  # nothing logged: nothing left the app
    assert leftovers(out) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_a_file_that_appears_during_the_work_is_kept(
        name: str, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv, files = COMMANDS[name](out)
    files[-1].write_text("written meanwhile")
    monkeypatch.setattr("officemgr.cli.exports.refuse_existing", lambda path: None)  # the early check saw nothing
    before = audit_count(db)
    assert run(db, argv) == 1
    err = capsys.readouterr().err
    assert f"{files[-1]} already exists" in err and "Traceback" not in err
    assert files[-1].read_text() == "written meanwhile"
    assert all(not p.exists() for p in files[:-1])  # all or nothing: the first of two files is taken back
    assert audit_count(db) == before and leftovers(out) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_force_replaces_the_file_privately(name: str, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv, files = COMMANDS[name](out)
    for path in files:
        path.write_text("old")
        path.chmod(0o644)
    assert run(db, argv, "--force") == 0
    for path in files:
        assert path.read_text(encoding="utf-8") != "old"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("name", COMMANDS)
def test_a_planted_symlink_is_never_written_through(name: str, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    victim.chmod(0o644)
    argv, files = COMMANDS[name](out)
    files[0].symlink_to(victim)
    assert run(db, argv) == 1
    assert victim.read_text() == "precious"
    # --force replaces the link itself with a private file; what it pointed at is untouched.
    assert run(db, argv, "--force") == 0
    assert not files[0].is_symlink() and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert victim.read_text() == "precious" and stat.S_IMODE(victim.stat().st_mode) == 0o644


def test_an_output_name_with_an_escape_is_printed_visibly(db: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "stock\x1b[2J.csv"
    assert run(db, ["export", "inventory", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "stock\\x1b[2J.csv" in out
    assert run(db, ["export", "inventory", str(path)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "stock\\x1b[2J.csv already exists" in err


def test_compliance_refuses_one_file_for_both(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    same = str(tmp_path / "report.txt")
    assert run(db, ["report", "compliance", "--from", "2026-11-01", "--to", DAY, "--out", same, "--csv", same]) == 2
    assert "the same file" in capsys.readouterr().err
    assert not Path(same).exists()


# --- item 8: formulas become text; numbers stay numbers ------------------------------------------------


def test_the_csv_helper_neutralises_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t"):
        assert text_cell(f"{start}1+1", free_text=True) == f"'{start}1+1"
    # A carriage return (anywhere), or a tab in a name, is spelled out, which disarms it as well.
    assert text_cell("\r1+1", free_text=True) == text_cell("\r1+1") == "\\x0d1+1"
    assert text_cell("\t1+1") == "\\x091+1"
    assert text_cell("Gauze 4x4 - sterile = 2") == "Gauze 4x4 - sterile = 2"  # only the first character counts
    assert text_cell("a\x1bb\u202ec") == "a\\x1bb\\u202ec"
    assert dollars(-1250) == Figure("-12.50") and dollars(5) == Figure("0.05")
    assert stored_value("-1250") == Figure("-1250") and stored_value("-1+2") == "-1+2"
    assert csv_text(("a", "b", "c", "d"), [["=cmd", -3, dollars(-1250), None]]) == "a,b,c,d\r\n'=cmd,-3,-12.50,\r\n"


def test_a_hyperlink_staff_name_lands_in_payroll_as_text(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE staff SET last_name = :name WHERE first_name = 'Ruth' AND last_name = 'Bailey'",
        name='=HYPERLINK("http://x","y")')
    sql(db, "UPDATE staff SET first_name = :name WHERE first_name = 'Carlos'", name=ESC_NAME)
    path = tmp_path / "pay.csv"
    assert run(db, ["export", "payroll", "--period", PERIOD, "--out", str(path)]) == 0
    table = rows(path)
    header, body = table[0], table[1:]
    [hostile] = [r for r in body if "HYPERLINK" in r[1]]
    assert hostile[1] == '\'=HYPERLINK("http://x","y")'
    assert any(r[2] == "Bad\\x1b]0;owned\\x07Name" for r in body)
    assert "\x1b" not in path.read_text(encoding="utf-8")
    hours = [header.index(c) for c in header if c.endswith("hours")]
    assert hours and all(float(r[i]) >= 0 for r in body for i in hours)  # hours are still plain numbers


@pytest.mark.parametrize("name", ["+cmd", "@SUM(1)", "-2+3", "=1+1"])
def test_formula_item_names_are_text_in_the_inventory_and_the_count_sheet(name: str, db: Path,
                                                                            tmp_path: Path) -> None:
    sql(db, "UPDATE item SET name = :name WHERE name = 'AED pads, adult'", name=name)
    stock, count = tmp_path / "stock.csv", tmp_path / "count.csv"
    assert run(db, ["export", "inventory", str(stock)]) == 0
    assert run(db, ["export", "count-sheet", str(count)]) == 0
    stock_rows, count_rows = rows(stock), rows(count)
    assert ["'" + name] == [r[0] for r in stock_rows if r[0].endswith(name)]
    item = count_rows[0].index("item")
    assert ["'" + name] == [r[item] for r in count_rows if r[item].endswith(name)]
    # The app's own numbers are not touched: quantities, money and ids are plain numbers.
    header = stock_rows[0]
    for row in stock_rows[1:]:
        for column in ("quantity", "unit_cost", "par"):
            if column in header:
                float(row[header.index(column)])


def test_the_inventory_export_imports_again_as_the_names_were(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE item SET name = 'Gauze 4x4 - sterile' WHERE name = 'AED pads, adult'")
    sql(db, "UPDATE item SET name = '+cmd' WHERE id = (SELECT min(id) FROM item WHERE name != 'Gauze 4x4 - sterile')")
    stock = tmp_path / "stock.csv"
    assert run(db, ["export", "inventory", str(stock)]) == 0
    fresh = tmp_path / "fresh.db"
    store.open_database(path=fresh).dispose()
    assert run(fresh, ["import", "items", str(stock)]) == 0
    engine = store.open_database(path=fresh)
    try:
        with engine.connect() as conn:
            names = set(conn.execute(text("SELECT name FROM item")).scalars())
    finally:
        engine.dispose()
    # The apostrophe that kept '+cmd from running in a spreadsheet is dropped again on the way back in.
    assert "'+cmd" in {r[0] for r in rows(stock)[1:]}
    assert names == {r[0].removeprefix("'") for r in rows(stock)[1:]} and {"Gauze 4x4 - sterile", "+cmd"} <= names


def test_queue_cells_are_text_and_balances_numbers(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE payer SET name = '@SUM(1)' WHERE name = 'UnitedHealthcare'")
    sql(db, "UPDATE patient SET last_name = :name WHERE last_name = 'Soto'", name=ESC_NAME)
    path = tmp_path / "queue.csv"
    assert run(db, ["export", "queue", str(path)]) == 0
    table = rows(path)
    header, body = table[0], table[1:]
    payer, patient = header.index("payer"), header.index("patient")
    assert "'@SUM(1)" in {r[payer] for r in body} and "@SUM(1)" not in {r[payer] for r in body}
    assert any("Bad\\x1b]0;owned\\x07Name" in r[patient] for r in body)
    days = header.index("days_to_deadline")
    assert any(r[days].startswith("-") for r in body)  # a passed deadline stays a negative number
    for row in body:
        float(row[header.index("balance")])  # money is a plain number a spreadsheet adds up


def test_audit_report_cells_are_text_and_plain_numbers_stay(db: Path, tmp_path: Path) -> None:
    # The export's file name is logged, so it comes back in the audit report: as text.
    assert run(db, ["export", "inventory", str(tmp_path / "=1+1.csv")]) == 0
    path = tmp_path / "audit.csv"
    assert run(db, ["report", "audit", "--from", "2020-01-01", "--to", DAY, "--out", str(path)]) == 0
    table = rows(path)
    header, body = table[0], table[1:]
    field, new = header.index("field"), header.index("new")
    logged = [r for r in body if r[header.index("entity")] == "export"]
    assert [r[new] for r in logged if r[field] == "file"] == ["'=1+1.csv"]
    [count] = [r[new] for r in logged if r[field] == "rows"]
    assert count.isdigit()  # a number stays a number
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)


def test_compliance_csv_and_markdown_show_hostile_titles_safely(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE compliance_task SET title = :title || id", title="=cmd|' /C calc'!A0 \x1b[31m")
    md, table = tmp_path / "comp.md", tmp_path / "comp.csv"
    assert run(db, ["report", "compliance", "--from", "2026-11-01", "--to", DAY, "--out", str(md),
                    "--csv", str(table)]) == 0
    body = rows(table)[1:]
    assert body and all(r[1].startswith("'=cmd|' /C calc'!A0 \\x1b[31m") for r in body)
    assert "\x1b" not in md.read_text(encoding="utf-8") and "\\x1b[31m" in md.read_text(encoding="utf-8")


def test_huddle_sheet_and_ics_show_control_characters(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE appointment_type SET name = :name || id", name=ESC_NAME)
    sql(db, "UPDATE appointment SET reason = :reason", reason="cough\u202eexe.gpj")
    sheet, ics = tmp_path / "sheet", tmp_path / "week.ics"
    assert run(db, ["huddle", "--out", str(sheet)]) == 0
    assert run(db, ["export", "ics", "--provider", PROVIDER, "--week", DAY, "--out", str(ics)]) == 0
    for path in (sheet.with_suffix(".md"), sheet.with_suffix(".html"), ics):
        written = path.read_text(encoding="utf-8")
        assert "\x1b" not in written and "\u202e" not in written, path
    calendar = ics.read_text(encoding="utf-8")
    assert "Bad\\\\x1b]0" in calendar and "cough\\\\u202eexe.gpj" in calendar  # ICS escapes the backslash


@pytest.mark.parametrize("command", [["export", "payroll", "--period", "2026-11-16"],
                                     ["export", "ics", "--provider", "Patel"]])
def test_an_export_never_creates_a_mistyped_database(tmp_path: Path, command: list[str],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "ofice.db"
    assert main([*command, "--db", str(missing)]) == 1
    assert capsys.readouterr().err.strip() == f"officemgr: there is no database {missing}"
    assert not missing.exists()
