"""`officemgr import items`, `export inventory` and `export count-sheet`: exit codes, messages, what is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from factories import audit_events, make_item, make_vendor
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import AuditEvent, Item, ItemCategory, UserAccount, Vendor

HEADER = "name,category,unit,par,reorder_point,vendor,sku,unit_cost,location,tracks_lots,quantity"
GOOD = [
    "Exam table paper,clinical supply,roll,24,6,Henry Schein,HS-1,$8.50,Supply room,no,12",
    "Gloves,clinical,box of 100,30,8,Medline,,12.50,Supply room,,",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice database with one vendor (Medline) and one item (Gloves) on a shelf in the supply room."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        medline = make_vendor(session, name="Medline")
        make_item(session, name="Gloves", unit="box of 100", par=20, reorder_point=5, vendor=medline, quantity=7,
                  location="Supply room")
        make_item(session, name="MMR", category=ItemCategory.vaccine, tracks_lots=True, location="Vaccine fridge",
                  lots=[("M1", None, 3)])
        # The practice's manager, linked to the account running the tests: commands act as her without a PIN.
        session.add(UserAccount(login="pat", name="Pat Manager", roles="manager", pin_hash="-",
                                os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


def read(path: Path, query):  # type: ignore[no-untyped-def]
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return session.exec(query).all()
    finally:
        engine.dispose()


def counts(path: Path) -> tuple[int, int, int]:
    return tuple(read(path, select(func.count()).select_from(model))[0] for model in (Item, Vendor, AuditEvent))


def csv_file(tmp_path: Path, *rows: str, name: str = "items.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# --- import items -------------------------------------------------------------------------------------


def test_import_items_says_what_it_did_in_one_line(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, *GOOD)

    # Global options after the subcommand's own arguments.
    assert main(["import", "items", str(path), "--db", str(db), "--today", "2026-11-23"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "Imported 2 items from items.csv (1 new, 1 updated, 1 new vendor)."]
    assert counts(db) == (3, 2, 4)  # audit: vendor, item, opening quantity, update
    gloves = read(db, select(Item).where(Item.name == "Gloves"))[0]
    assert (gloves.par, gloves.reorder_point, gloves.unit_cost_cents) == (30, 8, 1250)


def test_import_items_with_global_options_first_prints_notes(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "Gloves,clinical,box of 100,20,5,Medline,,,Supply room,no,9")

    assert main(["--db", str(db), "--today", "2026-11-23", "import", "items", str(path)]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "Imported 1 item from items.csv (0 new, 0 updated, 1 unchanged).",
        "  note: Gloves: quantity 9 in the file, 7 in stock; stock left as it is (count it in the app to change it)",
    ]


def test_a_refused_import_exits_1_names_the_lines_and_changes_nothing(
        db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, *GOOD, "Gowns,surgical,each,5,1,,,,,,", "Gauze,clinical,each,2,5,,,,,,")
    before = counts(db)

    assert main(["import", "items", str(path), "--db", str(db)]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "officemgr: items.csv: nothing was imported; 2 of 4 lines have problems:",
        "line 4: unknown category 'surgical' (use clinical supply, office supply, vaccine, medication or equipment)",
        "line 5: par 2 is below the reorder point 5",
    ]
    assert counts(db) == before


def test_an_unreadable_file_exits_1(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "items.csv"
    path.write_bytes("name,category\nCaf\u00e9,clinical\n".encode("latin-1"))

    assert main(["import", "items", str(path), "--db", str(db)]) == 1

    assert capsys.readouterr().err.strip() == (
        "officemgr: items.csv is not UTF-8 text; save it as 'CSV UTF-8' and try again")


def test_a_missing_file_exits_1_without_creating_a_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    fresh = tmp_path / "new.db"

    assert main(["import", "items", str(tmp_path / "nope.csv"), "--db", str(fresh)]) == 1

    assert capsys.readouterr().err.strip() == f"officemgr: there is no file {tmp_path / 'nope.csv'}"
    assert not fresh.exists()


def test_import_items_without_a_file_is_bad_usage(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as caught:
        main(["import", "items", "--db", str(db)])
    assert caught.value.code == 2
    assert "the following arguments are required: FILE.csv" in capsys.readouterr().err


def test_import_in_a_real_process_never_shows_a_traceback(db: Path, tmp_path: Path) -> None:
    good = csv_file(tmp_path, *GOOD)
    bad = csv_file(tmp_path, "Gowns,clinical,each,-1,0,,,,,,", name="bad.csv")
    command = [sys.executable, "-m", "officemgr.cli", "import", "items"]

    done = subprocess.run([*command, str(good), "--db", str(db)], capture_output=True, text=True, timeout=120)
    refused = subprocess.run([*command, str(bad), "--db", str(db)], capture_output=True, text=True, timeout=120)

    assert (done.returncode, done.stdout) == (0, "Imported 2 items from items.csv (1 new, 1 updated, 1 new vendor).\n")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1] == "line 2: par: -1 is negative"
    assert "Traceback" not in refused.stderr


# --- export inventory ---------------------------------------------------------------------------------


def test_export_inventory_writes_the_csv_and_logs_the_export(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "stock.csv"

    assert main(["export", "inventory", str(out), "--db", str(db), "--today", "2026-11-23"]) == 0

    assert capsys.readouterr().out.strip() == f"Inventory on 11/23/2026: 2 items in 2 rows written to {out}."
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ("name,category,location,unit,lot,expires,quantity,unit_cost,value,vendor,sku,reorder_point,"
                        "par,on_order,tracks_lots")
    assert lines[1:] == ["Gloves,clinical supply,Supply room,box of 100,,,7,0.00,0.00,Medline,,5,20,0,no",
                         "MMR,vaccine,Vaccine fridge,each,M1,,3,0.00,0.00,,,0,0,0,yes"]
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            [(event, changes)] = audit_events(session, "export")
    finally:
        engine.dispose()
    assert (event.action, changes) == ("inventory", {"file": "stock.csv", "rows": 2})


def test_an_exported_inventory_imports_again(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "stock.csv"
    assert main(["export", "inventory", str(out), "--db", str(db)]) == 0
    capsys.readouterr()

    assert main(["import", "items", str(out), "--db", str(db)]) == 0

    assert capsys.readouterr().out.strip() == "Imported 2 items from stock.csv (0 new, 0 updated, 2 unchanged)."


def test_export_from_a_missing_database_exits_1_and_creates_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "typo.db"

    assert main(["export", "inventory", str(tmp_path / "stock.csv"), "--db", str(missing)]) == 1

    assert capsys.readouterr().err.strip() == f"officemgr: there is no database {missing}"
    assert not missing.exists() and not (tmp_path / "stock.csv").exists()


def test_export_to_a_folder_that_does_not_exist_exits_1_and_logs_nothing(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    before = counts(db)

    assert main(["export", "inventory", str(tmp_path / "no" / "stock.csv"), "--db", str(db)]) == 1

    assert capsys.readouterr().err.startswith(f"officemgr: cannot write {tmp_path / 'no' / 'stock.csv'}: ")
    assert counts(db) == before


def test_export_inventory_to_another_extension_is_bad_usage(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "inventory", str(tmp_path / "stock.xlsx"), "--db", str(db)]) == 2
    assert capsys.readouterr().err.strip() == (
        "officemgr: export inventory writes a .csv file, not '.xlsx' (see officemgr --help)")
    assert not (tmp_path / "stock.xlsx").exists()


# --- export count-sheet -------------------------------------------------------------------------------


def test_count_sheet_as_markdown(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "count.md"

    assert main(["export", "count-sheet", str(out), "--today", "2026-11-23", "--db", str(db)]) == 0

    assert capsys.readouterr().out.strip() == f"Count sheet for 11/23/2026: 2 lines in 2 locations written to {out}."
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Inventory count sheet, Monday 11/23/2026\n")
    assert "## Supply room" in text and "| Gloves | box of 100 |        7 |          |" in text
    assert counts(db)[2] == 1  # the export is logged


def test_count_sheet_as_csv(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "count.CSV"

    assert main(["--db", str(db), "export", "count-sheet", str(out)]) == 0

    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "location,category,item,lot,expires,unit,expected,counted,item_id,lot_id"
    assert [line.split(",")[:8] for line in lines[1:]] == [
        ["Supply room", "clinical supply", "Gloves", "", "", "box of 100", "7", ""],
        ["Vaccine fridge", "vaccine", "MMR", "M1", "", "each", "3", ""],
    ]


def test_count_sheet_in_another_format_is_bad_usage(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    before = counts(db)

    assert main(["export", "count-sheet", str(tmp_path / "count.txt"), "--db", str(db)]) == 2

    assert capsys.readouterr().err.strip() == (
        "officemgr: export count-sheet writes .md (to print) or .csv, not '.txt' (see officemgr --help)")
    assert not (tmp_path / "count.txt").exists()
    assert counts(db) == before


def test_export_needs_a_file(db: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "count-sheet", "--db", str(db)])
    assert caught.value.code == 2
