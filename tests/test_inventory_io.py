"""Inventory files: importing items from CSV (all or nothing), exporting stock, and the count sheet."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, func, select

from factories import ACTOR, NOW, TODAY, audit_events, make_item, make_order, make_vendor
from officemgr import store
from officemgr.models import (
    AuditEvent,
    Item,
    ItemCategory,
    MovementKind,
    OrderStatus,
    StockLot,
    StockMovement,
    Vendor,
)
from officemgr.models.validation import parse_money
from officemgr.services import inventory_export, inventory_io, movements
from officemgr.services.common import ServiceError
from officemgr.services.inventory_export import count_sheet_csv, count_sheet_markdown, inventory_csv
from officemgr.services.inventory_io import EXPORT_COLUMNS, ImportRefused, import_items

HEADER = "name,category,unit,par,reorder_point,vendor,sku,unit_cost,location,tracks_lots,quantity"
GOOD = "Exam table paper,clinical supply,roll,24,6,Henry Schein,HS-1,$8.50,Supply room,no,12"


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def write(tmp_path: Path, text: str, name: str = "items.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    return write(tmp_path, "\n".join([header, *rows]) + "\n")


def run(session: Session, path: Path) -> inventory_io.ImportResult:
    return import_items(session, path, today=TODAY, now=NOW, actor=ACTOR)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def snapshot(session: Session) -> tuple[int, ...]:
    return tuple(count(session, model) for model in (Item, Vendor, StockLot, StockMovement, AuditEvent))


def refusal(session: Session, path: Path) -> ImportRefused:
    before = snapshot(session)
    with pytest.raises(ImportRefused) as caught:
        run(session, path)
    assert snapshot(session) == before, "a refused import must save nothing"
    return caught.value


# --- import: good files -------------------------------------------------------------------------------


def test_a_good_file_creates_new_items_updates_known_ones_and_audits_each(session: Session, tmp_path: Path) -> None:
    medline = make_vendor(session, name="Medline")
    gloves = make_item(session, name="Nitrile gloves, medium", unit="box of 100", par=20, reorder_point=5,
                       vendor=medline, quantity=7)
    path = csv_file(
        tmp_path,
        GOOD,
        # Same item, other case: updated (par, reorder point, cost), its stock left alone.
        '"NITRILE GLOVES, MEDIUM",Clinical,box of 100,30,8,medline,ML-77,12.50,Supply room,,',
        # A vaccine with tracks_lots left empty tracks lots.
        "Tdap (Adacel),VACCINE,dose,10,2,Sanofi Pasteur,,\"$1,054.00\",Vaccine fridge,,",
    )

    result = run(session, path)

    assert (result.items, result.created, result.updated, result.unchanged, result.vendors_created) == (3, 2, 1, 0, 2)
    assert result.notes == []
    items = {i.name: i for i in session.exec(select(Item))}
    assert set(items) == {"Exam table paper", "NITRILE GLOVES, MEDIUM", "Tdap (Adacel)"}
    paper, tdap = items["Exam table paper"], items["Tdap (Adacel)"]
    vendors = {v.name: v.id for v in session.exec(select(Vendor))}
    assert set(vendors) == {"Medline", "Henry Schein", "Sanofi Pasteur"}
    assert (paper.category, paper.unit, paper.par, paper.reorder_point, paper.sku, paper.unit_cost_cents,
            paper.location, paper.tracks_lots, paper.vendor_id) == (
        ItemCategory.clinical, "roll", 24, 6, "HS-1", 850, "Supply room", False, vendors["Henry Schein"])
    assert (tdap.category, tdap.tracks_lots, tdap.unit_cost_cents, tdap.vendor_id) == (
        ItemCategory.vaccine, True, 105_400, vendors["Sanofi Pasteur"])
    session.refresh(gloves)
    assert (gloves.par, gloves.reorder_point, gloves.sku, gloves.unit_cost_cents, gloves.vendor_id, gloves.version) == (
        30, 8, "ML-77", 1250, medline.id, 2)
    # The opening quantity of the new item without lots is received into its one lot, as a movement.
    [paper_lot] = session.exec(select(StockLot).where(StockLot.item_id == paper.id)).all()
    assert (paper_lot.lot_number, paper_lot.quantity, paper_lot.received_on) == (None, 12, TODAY)
    [move] = session.exec(select(StockMovement).where(StockMovement.item_id == paper.id)).all()
    assert (move.kind, move.quantity, move.reason, move.actor, move.at) == (
        MovementKind.receive, 12, "Opening quantity (import)", ACTOR, NOW)
    assert session.exec(select(StockLot).where(StockLot.item_id == tdap.id)).all() == []
    assert sum(lot.quantity for lot in session.exec(select(StockLot).where(StockLot.item_id == gloves.id))) == 7

    events = [(e.entity, e.entity_id, e.action) for e, _ in audit_events(session)]
    assert events == [
        ("vendor", vendors["Henry Schein"], "create"), ("item", paper.id, "create"), ("item", paper.id, "receive"),
        ("item", gloves.id, "update"), ("vendor", vendors["Sanofi Pasteur"], "create"), ("item", tdap.id, "create"),
    ]
    [(update, changes)] = [(e, c) for e, c in audit_events(session, "item") if e.action == "update"]
    assert changes == {"name": ["Nitrile gloves, medium", "NITRILE GLOVES, MEDIUM"], "par": [20, 30],
                       "reorder_point": [5, 8], "sku": ["", "ML-77"], "unit_cost_cents": [0, 1250],
                       "location": ["", "Supply room"]}
    assert (update.actor, update.at) == (ACTOR, NOW)


@pytest.mark.parametrize(
    ("text", "category"),
    [("clinical supply", ItemCategory.clinical), ("Clinical", ItemCategory.clinical),
     ("OFFICE SUPPLY", ItemCategory.office), ("office", ItemCategory.office), ("Vaccine", ItemCategory.vaccine),
     ("medication", ItemCategory.medication), ("Equipment", ItemCategory.equipment),
     ("  clinical   supply ", ItemCategory.clinical)],
)
def test_both_spellings_of_a_category_in_any_case(session: Session, tmp_path: Path, text: str,
                                                 category: ItemCategory) -> None:
    run(session, csv_file(tmp_path, f"Thing,{text},each,2,1,,,,,,", header=HEADER))
    assert session.exec(select(Item)).one().category is category


@pytest.mark.parametrize(("text", "tracks"), [("yes", True), ("Y", True), ("TRUE", True), ("1", True),
                                              ("no", False), ("False", False), ("0", False)])
def test_tracks_lots_reads_yes_no_true_false_one_zero(session: Session, tmp_path: Path, text: str,
                                                      tracks: bool) -> None:
    run(session, csv_file(tmp_path, f"Thing,clinical,each,2,1,,,,,{text},"))
    assert session.exec(select(Item)).one().tracks_lots is tracks


def test_columns_in_any_order_and_case_and_only_a_few_of_them(session: Session, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Lot 7,3,Clinical,$2", header="Name,Reorder Point,CATEGORY,unit cost")
    result = run(session, path)
    item = session.exec(select(Item)).one()
    # A new item's par is its reorder point when the file has none.
    assert (result.created, item.name, item.reorder_point, item.par, item.unit, item.unit_cost_cents) == (
        1, "Lot 7", 3, 3, "each", 200)


def test_empty_cells_keep_what_a_known_item_has(session: Session, tmp_path: Path) -> None:
    vendor = make_vendor(session, name="McKesson")
    item = make_item(session, name="Syringe 3 mL", unit="box of 100", par=10, reorder_point=3, vendor=vendor,
                     sku="MK-1", unit_cost_cents=1899, location="Supply room")
    path = csv_file(tmp_path, "syringe 3 mL,,,12,,,,,,,", header=HEADER)

    result = run(session, path)

    session.refresh(item)
    assert (result.updated, result.vendors_created) == (1, 0)
    assert (item.name, item.unit, item.par, item.reorder_point, item.vendor_id, item.sku, item.unit_cost_cents,
            item.location) == ("syringe 3 mL", "box of 100", 12, 3, vendor.id, "MK-1", 1899, "Supply room")


def test_an_unchanged_item_is_counted_apart_and_not_audited(session: Session, tmp_path: Path) -> None:
    make_item(session, name="Gauze", par=10, reorder_point=2, quantity=4)
    result = run(session, csv_file(tmp_path, "Gauze,clinical,each,10,2,,,,,no,4"))
    assert (result.created, result.updated, result.unchanged, result.notes) == (0, 0, 1, [])
    assert audit_events(session) == []


def test_quantities_that_are_not_imported_are_reported_back(session: Session, tmp_path: Path) -> None:
    make_item(session, name="Gauze", par=10, reorder_point=2, quantity=4)
    path = csv_file(tmp_path, "Gauze,clinical,each,10,2,,,,,no,9", "MMR,vaccine,dose,5,1,,,,,,6")

    result = run(session, path)

    assert result.notes == [
        "Gauze: quantity 9 in the file, 4 in stock; stock left as it is (count it in the app to change it)",
        "quantities not imported for 1 lot-tracked item (MMR): receive their lots with number and expiry in the app",
    ]
    assert sum(lot.quantity for lot in session.exec(select(StockLot))) == 4


# --- import: refused files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (",clinical,each,5,1,,,,,,", "the name is empty"),
        ("Gowns,surgical,each,5,1,,,,,,", "unknown category 'surgical' (use clinical supply, office supply, vaccine, "
                                          "medication or equipment)"),
        ("Gowns,,each,5,1,,,,,,", "the category is empty (a new item needs one"),
        ("Gowns,clinical,each,2,5,,,,,,", "par 2 is below the reorder point 5"),
        ("Gowns,clinical,each,-1,0,,,,,,", "par: -1 is negative"),
        ("Gowns,clinical,each,5,ten,,,,,,", "reorder_point: 'ten' is not a whole number"),
        ("Gowns,clinical,each,5,1.5,,,,,,", "reorder_point: '1.5' is not a whole number"),
        ("Gowns,clinical,each,5,1,,,,,,-3", "quantity: -3 is negative"),
        ("Gowns,clinical,each,5,1,,,,,,200000", "quantity: 200000 is more than 100,000"),
        ("Gowns,clinical,each,5,1,,,12.345,,,", "unit_cost: '12.345' is not an amount like 12.50 or $1,250.00"),
        ("Gowns,clinical,each,5,1,,,twelve,,,", "unit_cost: 'twelve' is not an amount"),
        ("Gowns,clinical,each,5,1,,,-$4.00,,,", "unit_cost: -$4.00 is negative"),
        ("Gowns,clinical,each,5,1,,,,,maybe,", "tracks_lots: 'maybe' is not yes or no"),
        ("gauze,clinical,each,5,1,,,,,,", "duplicate name: gauze is also on line 2"),
        ("G" * 81 + ",clinical,each,5,1,,,,,,", "name: at most 80 characters"),
        ("Gowns,clinical,each,5,1,,,,,,,extra", "more fields than the header has columns"),
    ],
)
def test_a_bad_row_is_refused_naming_its_line_and_nothing_is_saved(session: Session, tmp_path: Path, row: str,
                                                                   problem: str) -> None:
    path = csv_file(tmp_path, "Gauze,clinical,each,10,2,Medline,,1.00,,,5", row)

    error = refusal(session, path)

    lines = str(error).splitlines()
    assert lines[0] == "items.csv: nothing was imported; 1 of 2 lines has problems:"
    assert lines[1].startswith(f"line 3: {problem}")
    assert error.problems == lines[1:]


def test_every_bad_line_is_listed_in_file_order(session: Session, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "A,clinical,each,1,5,,,,,,", GOOD, "", "B,nope,each,1,0,,,x,,,")

    error = refusal(session, path)

    # Blank lines are skipped but still counted, as a spreadsheet numbers them.
    assert str(error).splitlines() == [
        "items.csv: nothing was imported; 2 of 3 lines have problems:",
        "line 2: par 1 is below the reorder point 5",
        "line 5: unknown category 'nope' (use clinical supply, office supply, vaccine, medication or equipment); "
        "unit_cost: 'x' is not an amount like 12.50 or $1,250.00",
    ]


def test_a_known_item_is_checked_with_the_values_it_keeps(session: Session, tmp_path: Path) -> None:
    make_item(session, name="Gauze", par=10, reorder_point=6)
    error = refusal(session, csv_file(tmp_path, "Gauze,,,4,,,,,,,"))
    assert error.problems == ["line 2: par 4 is below the reorder point 6 (with the item's current values)"]


def test_an_import_cannot_change_whether_a_known_item_tracks_lots(session: Session, tmp_path: Path) -> None:
    make_item(session, name="MMR", category=ItemCategory.vaccine, tracks_lots=True, lots=[("L1", days(90), 3)])
    error = refusal(session, csv_file(tmp_path, "MMR,,,,,,,,,no,"))
    assert error.problems == ["line 2: tracks_lots: MMR is kept by lot; an import cannot change that"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "items.csv", "items.csv is empty"),
        (b"  \n\n", "items.csv", "items.csv is empty"),
        (HEADER.encode() + b"\n\n", "items.csv", "items.csv has a header but no items"),
        (b"name,colour\nGauze,red\n", "items.csv",
         "items.csv: line 1 has the unknown column(s) 'colour' (the columns are: name, category, unit, par, "
         "reorder_point, vendor, sku, unit_cost, location, tracks_lots, quantity)"),
        (b"name,par,Par\nGauze,1,2\n", "items.csv", "items.csv: line 1 has the column(s) par more than once"),
        (b"category,par\nclinical,1\n", "items.csv",
         "items.csv: line 1: missing column(s) name (the columns are: name,"),
        ("name,category\nGaze caf\u00e9,clinical\n".encode("latin-1"), "items.csv",
         "items.csv is not UTF-8 text; save it as 'CSV UTF-8' and try again"),
        (b"name,category\nGauze\x00,clinical\n", "items.csv", "items.csv is not a readable CSV file (it holds binary"),
        (b"name,category\nGauze,clinical\n", "items.xlsx", "items.xlsx: import items reads a .csv file, not '.xlsx'"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(session: Session, tmp_path: Path, content: bytes,
                                                         name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    error = refusal(session, path)
    assert str(error).startswith(message)


def test_a_missing_file_is_refused(session: Session, tmp_path: Path) -> None:
    error = refusal(session, tmp_path / "nope.csv")
    assert str(error) == f"there is no file {tmp_path / 'nope.csv'}"


def test_a_utf8_file_with_a_byte_order_mark_and_crlf_lines_imports(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffname,category\r\nCaf\u00e9 filters,office supply\r\n".encode())
    assert run(session, path).created == 1
    assert session.exec(select(Item.name)).one() == "Caf\u00e9 filters"


def test_a_failure_while_writing_leaves_nothing(session: Session, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ServiceError("the disk is full")

    monkeypatch.setattr(inventory_io, "receive_into", broken)
    path = csv_file(tmp_path, "Gauze,clinical,each,10,2,New vendor,,,,,", GOOD)
    before = snapshot(session)

    with pytest.raises(ServiceError, match="the disk is full"):
        run(session, path)

    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12.50", 1250), ("$1,250.00", 125_000), ("12", 1200), ("$ 7.5", 750), ("0.99", 99), ("$.50", 50),
     ("1,000,000", 100_000_000), ("12.345", None), ("1,25.00", None), ("abc", None), ("$", None), ("", None),
     ("-1.00", None), ("12.", None)],
)
def test_parse_money(text: str, cents: int | None) -> None:
    assert parse_money(text) == cents


# --- export -------------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def stocked(session: Session) -> dict:
    medline = make_vendor(session, name="Medline")
    sanofi = make_vendor(session, name="Sanofi Pasteur")
    gloves = make_item(session, name="Gloves, medium", unit="box of 100", par=20, reorder_point=5, vendor=medline,
                       sku="ML-1", unit_cost_cents=899, quantity=3, location="Supply room")
    flu = make_item(session, name="Flu vaccine", category=ItemCategory.vaccine, tracks_lots=True, par=40,
                    reorder_point=10, vendor=sanofi, unit="dose", unit_cost_cents=2150, location="Vaccine fridge",
                    lots=[("LATE", days(200), 4), ("OLD", days(-2), 1), ("SOON", days(20), 6), ("GONE", days(9), 0)])
    mmr = make_item(session, name="MMR", category=ItemCategory.vaccine, tracks_lots=True, par=5, reorder_point=1,
                    unit="dose", location="Vaccine fridge")
    make_item(session, name="Retired", quantity=9, active=False)
    make_order(session, medline, [(gloves, 12, 2)], status=OrderStatus.partly_received)
    make_order(session, sanofi, [(flu, 30)])  # a draft is not on order
    return {"gloves": gloves, "flu": flu, "mmr": mmr}


def test_export_has_a_row_per_lot_with_stock_and_one_for_an_item_without(session: Session, stocked: dict) -> None:
    text, rows, items = inventory_csv(session, TODAY)

    assert text.startswith(",".join(EXPORT_COLUMNS) + "\r\n")
    assert (rows, items) == (5, 3)
    got = [[r[c] for c in ("name", "lot", "expires", "quantity", "unit_cost", "value", "on_order")]
           for r in read_csv(text)]
    assert got == [
        ["Gloves, medium", "", "", "3", "8.99", "26.97", "10"],
        # Lots first-expiring first; the expired lot still on the shelf is stock and is listed.
        ["Flu vaccine", "OLD", days(-2).isoformat(), "1", "21.50", "21.50", "0"],
        ["Flu vaccine", "SOON", days(20).isoformat(), "6", "21.50", "129.00", "0"],
        ["Flu vaccine", "LATE", days(200).isoformat(), "4", "21.50", "86.00", "0"],
        ["MMR", "", "", "0", "0.00", "0.00", "0"],
    ]
    first = read_csv(text)[0]
    assert first == {"name": "Gloves, medium", "category": "clinical supply", "location": "Supply room",
                     "unit": "box of 100", "lot": "", "expires": "", "quantity": "3", "unit_cost": "8.99",
                     "value": "26.97", "vendor": "Medline", "sku": "ML-1", "reorder_point": "5", "par": "20",
                     "on_order": "10", "tracks_lots": "no"}


def item_fields(session: Session) -> list[tuple]:
    vendors = {v.id: v.name for v in session.exec(select(Vendor))}
    return sorted((i.name, i.category, i.unit, i.par, i.reorder_point, vendors.get(i.vendor_id), i.sku,
                   i.unit_cost_cents, i.location, i.tracks_lots)
                  for i in session.exec(select(Item).where(Item.active)))


def test_an_export_imports_again_into_the_same_practice_unchanged(session: Session, stocked: dict,
                                                                  tmp_path: Path) -> None:
    text, _, _ = inventory_csv(session, TODAY)
    before = item_fields(session)

    result = run(session, write(tmp_path, text, "export.csv"))

    assert (result.items, result.created, result.updated, result.unchanged, result.notes) == (3, 0, 0, 3, [])
    assert item_fields(session) == before
    assert audit_events(session) == []


def test_an_export_imports_into_a_new_practice_with_the_same_items(session: Session, stocked: dict,
                                                                  tmp_path: Path) -> None:
    text, _, _ = inventory_csv(session, TODAY)
    path = write(tmp_path, text, "export.csv")
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    try:
        with store.write_session(engine) as other:
            result = run(other, path)
            assert item_fields(other) == item_fields(session)
            # Items without lots come with their quantity; lots are received in the app.
            assert {i.name: sum(lot.quantity for lot in other.exec(select(StockLot).where(StockLot.item_id == i.id)))
                    for i in other.exec(select(Item))} == {"Gloves, medium": 3, "Flu vaccine": 0, "MMR": 0}
    finally:
        engine.dispose()
    assert (result.created, result.vendors_created) == (3, 2)
    assert result.notes == ["quantities not imported for 1 lot-tracked item (Flu vaccine): receive their lots with "
                            "number and expiry in the app"]


def test_export_lot_rows_must_agree_on_the_item(session: Session, tmp_path: Path) -> None:
    header = "name,category,lot,expires,quantity,par,reorder_point"
    path = csv_file(tmp_path, "Flu,vaccine,A1,2027-01-31,3,10,2", "Flu,vaccine,B2,2027-03-31,4,12,2",
                    "Flu,vaccine,A1,2027-01-31,1,10,2", header=header)
    assert refusal(session, path).problems == [
        "line 3: Flu is also on line 2 with a different par",
        "line 4: duplicate lot: Flu lot A1 is also on line 2",
    ]


def test_export_is_logged(session: Session) -> None:
    inventory_export.record_export(session, "inventory", file="stock.csv", rows=12, now=NOW, actor=ACTOR)
    [(event, changes)] = audit_events(session, "export")
    assert (event.action, event.entity_id, event.actor, event.at, changes) == (
        "inventory", 0, ACTOR, NOW, {"file": "stock.csv", "rows": 12})


# --- count sheet --------------------------------------------------------------------------------------


@pytest.fixture
def shelves(session: Session) -> None:
    make_item(session, name="Tongue depressors", quantity=4, location="Supply room", unit="box of 500")
    make_item(session, name="Copy paper", category=ItemCategory.office, quantity=10, location="Front office",
              unit="ream")
    make_item(session, name="Alcohol pads", quantity=0, location="Supply room", unit="box of 200")
    make_item(session, name="Toner", category=ItemCategory.office, quantity=1, location="Supply room")
    make_item(session, name="Naloxone 4 mg nasal spray", category=ItemCategory.medication, tracks_lots=True,
              location="Crash cart", unit="carton of 2",
              lots=[("N2", days(300), 1), ("N1", days(-3), 2), ("N0", days(30), 0)])
    make_item(session, name="Loose item", quantity=2)


def test_count_sheet_markdown_walks_location_then_category(session: Session, shelves: None) -> None:
    lines = movements.count_sheet(session)

    text = count_sheet_markdown(lines, TODAY)

    rows = text.splitlines()
    assert rows[0] == "# Inventory count sheet, Monday 11/23/2026"
    assert "Counted by: ______________________________    Date counted: ______________" in rows
    headings = [r for r in rows if r.startswith("#")][1:]
    assert headings == ["## Crash cart", "### Medication", "## Front office", "### Office supply",
                        "## Supply room", "### Clinical supply", "### Office supply", "## No location set",
                        "### Clinical supply"]
    crash = rows[rows.index("### Medication") + 2:rows.index("## Front office") - 1]
    assert crash == [
        "| Item                      | Lot | Expires      | Unit        | Expected | Counted  |",
        "|---------------------------|-----|--------------|-------------|---------:|----------|",
        "| Naloxone 4 mg nasal spray | N1  | 11/20/2026 * | carton of 2 |        2 |          |",
        "| Naloxone 4 mg nasal spray | N2  | 09/19/2027   | carton of 2 |        1 |          |",
    ]
    supply = rows[rows.index("### Clinical supply") + 2:rows.index("### Clinical supply") + 6]
    # No lot columns where nothing has lots; an empty shelf is listed (worth a look).
    assert supply == [
        "| Item              | Unit       | Expected | Counted  |",
        "|-------------------|------------|---------:|----------|",
        "| Alcohol pads      | box of 200 |        0 |          |",
        "| Tongue depressors | box of 500 |        4 |          |",
    ]
    assert "\\* expired: do not use; count it, then record it as waste." in rows
    assert rows[-1] == "7 lines in 4 locations."


def test_count_sheet_fits_a_printed_page_and_clips_only_when_it_must(session: Session) -> None:
    make_item(session, name="Hepatitis B vaccine (Recombivax HB) adult, 10 mcg/mL, 1 mL single-dose vial",
              category=ItemCategory.vaccine, tracks_lots=True, location="Vaccine fridge", unit="single-dose vial",
              lots=[("LOTNUMBER-123456", days(100), 3)])
    make_item(session, name="Short", category=ItemCategory.vaccine, tracks_lots=True, location="Vaccine fridge",
              lots=[("S1", days(50), 1)])

    text = count_sheet_markdown(movements.count_sheet(session), TODAY)

    assert max(len(line) for line in text.splitlines()) <= inventory_export.PAGE_WIDTH
    [long_row] = [line for line in text.splitlines() if "LOTNUMBER-123456" in line]
    # The unit is clipped first, then the name; the lot, expiry and quantity are never clipped.
    assert long_row.startswith("| Hepatitis B vaccine (Recom… |")
    assert "| LOTNUMBER-123456 | 03/03/2027 | single-dose… |        3 |" in long_row
    [short_row] = [line for line in text.splitlines() if "| S1 " in line]
    assert short_row.startswith("| Short ")


def test_an_empty_count_sheet_says_so(session: Session) -> None:
    text = count_sheet_markdown([], TODAY)
    assert "Nothing to count: no items with stock." in text
    assert text.splitlines()[-1] == "0 lines in 0 locations."


def test_count_sheet_csv_has_the_same_lines_with_an_empty_counted_column(session: Session, shelves: None) -> None:
    lines = movements.count_sheet(session)

    rows = read_csv(count_sheet_csv(lines))

    assert [(r["location"], r["category"], r["item"], r["lot"], r["expires"], r["expected"], r["counted"])
            for r in rows] == [
        ("Crash cart", "medication", "Naloxone 4 mg nasal spray", "N1", days(-3).isoformat(), "2", ""),
        ("Crash cart", "medication", "Naloxone 4 mg nasal spray", "N2", days(300).isoformat(), "1", ""),
        ("Front office", "office supply", "Copy paper", "", "", "10", ""),
        ("Supply room", "clinical supply", "Alcohol pads", "", "", "0", ""),
        ("Supply room", "clinical supply", "Tongue depressors", "", "", "4", ""),
        ("Supply room", "office supply", "Toner", "", "", "1", ""),
        ("No location set", "clinical supply", "Loose item", "", "", "2", ""),
    ]
    assert [int(r["lot_id"]) for r in rows] == [line.lot_id for line in lines]



def test_a_retired_item_in_the_file_is_updated_and_said_to_stay_retired(session: Session, tmp_path: Path) -> None:
    old = make_item(session, name="Mercury thermometer", par=2, reorder_point=1, active=False)

    result = run(session, csv_file(tmp_path, "Mercury thermometer,clinical,each,3,1,,,,,,"))

    session.refresh(old)
    assert (result.updated, old.par, old.active) == (1, 3, False)
    assert result.notes == ["Mercury thermometer is retired: updated, but it stays off the lists"]
