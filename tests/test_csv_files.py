"""The one CSV reading path (services.csv_files): the file and its header, line numbers, and the cell parsers every
import uses for money, dates, whole numbers and yes/no."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel, field_validator

from officemgr.services.csv_files import (
    Cells,
    FileRefused,
    Layout,
    Row,
    Table,
    amount,
    by_line,
    cell,
    day,
    named,
    parse_cents,
    read_table,
    refusal,
    validate,
    whole,
    yes_no,
)

LAYOUT = Layout("import things", ("name", "cost", "count"), "things", required=("name",),
                aliases={"item": "name"}, read_past=("note",))


def write(tmp_path: Path, data: bytes | str, name: str = "things.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read(tmp_path: Path, data: bytes | str, layout: Layout = LAYOUT, name: str = "things.csv") -> Table:
    return read_table(write(tmp_path, data, name), layout, FileRefused)


def refused(tmp_path: Path, data: bytes | str, layout: Layout = LAYOUT, name: str = "things.csv") -> str:
    with pytest.raises(FileRefused) as caught:
        read(tmp_path, data, layout, name)
    return str(caught.value)


# --- the file -----------------------------------------------------------------------------------------


def test_rows_are_numbered_by_the_line_they_start_on(tmp_path: Path) -> None:
    # A line break inside a cell is fine only in a free-text column (any other refuses it: test_import_limits).
    table = read(tmp_path, 'name,cost\nGauze,1.00\n\n"Tape\nwide",2.00\nGloves,3\n',
                 replace(LAYOUT, free_text=("name",)))

    assert [(row.line, row.cells) for row in table.rows] == [
        (2, {"name": "Gauze", "cost": "1.00"}),
        (4, {"name": "Tape\nwide", "cost": "2.00"}),  # a quoted cell over two lines: the next row is line 6
        (6, {"name": "Gloves", "cost": "3"}),
    ]
    assert table.name == "things.csv" and table.problems == []


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_byte_order_mark_is_read_past(tmp_path: Path, bom: bytes) -> None:
    table = read(tmp_path, bom + "Name,Cost\r\nGaze café,1.00\r\n".encode())

    assert [row.cells for row in table.rows] == [{"name": "Gaze café", "cost": "1.00"}]


def test_header_cells_are_read_in_any_case_with_spaces_and_aliases(tmp_path: Path) -> None:
    table = read(tmp_path, " ITEM , Count,note\nGauze,2,for the exam rooms\n")

    assert table.rows[0].cells == {"name": "Gauze", "count": "2", "note": "for the exam rooms"}


@pytest.mark.parametrize(("data", "message"), [
    ("name,cost\nGauze,1,extra\n", "more fields than the header has columns"),
    ("name,,cost\nGauze,oops,1\n", "a value under a column line 1 gives no name"),
])
def test_a_value_under_no_column_is_a_problem_of_its_line(tmp_path: Path, data: str, message: str) -> None:
    table = read(tmp_path, data)

    assert table.problems == [(2, message)]
    assert [row.line for row in table.rows] == [2]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("things.xlsx", "name\nGauze\n", "things.xlsx: import things reads a .csv file, not '.xlsx'"),
    ("things.csv", b"", "things.csv is empty"),
    ("things.csv", b" \r\n\n", "things.csv is empty"),
    ("things.csv", b"\xef\xbb\xbf", "things.csv is empty"),
    ("things.csv", "name\nGaze café\n".encode("cp1252"), "things.csv is not UTF-8 text; save it as 'CSV UTF-8'"),
    ("things.csv", "name\nGauze\n".encode("utf-16"), "things.csv is not UTF-8 text"),
    ("things.csv", b"name\nGau\x00ze\n", "things.csv is not a readable CSV file (it holds binary data"),
    ("things.csv", '\nname\n', "things.csv: line 1 must be a header naming the columns (name, cost, count)"),
    ("things.csv", "Gauze,1.00\n", "things.csv: line 1 must be a header naming the columns (name, cost, count)"),
    ("things.csv", "name,colour\nGauze,red\n",
     "things.csv: line 1 has the unknown column(s) 'colour' (the columns are: name, cost, count)"),
    ("things.csv", "name,Name\nGauze,Tape\n", "things.csv: line 1 has the column(s) name more than once"),
    ("things.csv", "cost,count\n1,2\n", "things.csv: line 1: missing column(s) name (the columns are: name, cost, "
                                        "count)"),
    ("things.csv", "name,cost\n\n,\n", "things.csv has a header but no things"),
])
def test_a_file_that_cannot_be_read_is_refused_saying_why(tmp_path: Path, name: str, data: bytes | str,
                                                          message: str) -> None:
    assert refused(tmp_path, data, name=name).startswith(message)


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="there is no file"):
        read_table(tmp_path / "nope.csv", LAYOUT, FileRefused)
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(FileRefused, match="cannot read"):
        read_table(tmp_path / "folder.csv", LAYOUT, FileRefused)


def test_an_import_that_allows_other_columns_ignores_them(tmp_path: Path) -> None:
    layout = Layout("import things", ("name", "cost"), "things", required=("name",), other_columns=True)

    table = read(tmp_path, "name,Room,cost\nGauze,2B,1.00\n", layout)

    assert table.rows[0].cells == {"name": "Gauze", "cost": "1.00"}


def test_the_refusal_lists_each_bad_line_in_file_order() -> None:
    listed = by_line([(7, "cost: 'x' is not an amount like 12.50 or $1,250.00"), (3, "the name is empty")])

    assert listed == ["line 3: the name is empty", "line 7: cost: 'x' is not an amount like 12.50 or $1,250.00"]
    assert refusal("things.csv", listed, 9).splitlines() == [
        "things.csv: nothing was imported; 2 of 9 lines have problems:", *listed]
    assert refusal("things.csv", listed[:1], 1).splitlines()[0] == (
        "things.csv: nothing was imported; 1 of 1 line has problems:")
    many = refusal("things.csv", [f"line {n}: bad" for n in range(2, 62)], 60).splitlines()
    assert len(many) == 1 + 50 + 1 and many[-1] == "... and 10 more"


# --- money ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cents"), [
    ("12.50", 1250), ("12.5", 1250), ("12", 1200), ("$1,250.00", 125_000), ("1,250", 125_000), ("$.50", 50),
    (" $ 7.05 ", 705), ("0", 0),
    ("-12.00", -1200), ("-$12.00", -1200), ("$-12.00", -1200), ("(12.00)", -1200), ("($1,250.00)", -125_000),
    ("( 3 )", -300),
])
def test_the_money_parser_reads_every_form_of_an_amount(text: str, cents: int) -> None:
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["", "$", ".", "twelve", "12.345", "1,25", "12,50", "--1", "(-12)", "-(12)",
                                  "(12", "1e3", "12 50", "€12"])
def test_the_money_parser_refuses_what_is_not_an_amount(text: str) -> None:
    assert parse_cents(text) is None


@pytest.mark.parametrize(("text", "message"), [
    ("-4.00", "-4.00 is negative"),
    ("(4.00)", "(4.00) is negative"),  # accounting parentheses are a negative amount, refused as one
    ("$-4", "$-4 is negative"),
    ("4.001", "'4.001' is not an amount like 12.50 or $1,250.00"),
    ("$1,000,000.01", "$1,000,000.01 is more than $1,000,000.00 a unit"),
])
def test_an_amount_column_refuses_negatives_and_typos(text: str, message: str) -> None:
    parse = amount(100_000_000, "12.50", " a unit")

    with pytest.raises(ValueError) as caught:
        parse(text)

    assert str(caught.value) == message
    assert parse("$1,000,000.00") == 100_000_000


# --- dates, whole numbers, yes/no -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("11/23/2026", date(2026, 11, 23)), ("2026-11-23", date(2026, 11, 23)), ("1/2/2026", date(2026, 1, 2)),
    ("02/29/2024", date(2024, 2, 29)), ("2024-02-29", date(2024, 2, 29)), ("12/31/1999", date(1999, 12, 31)),
])
def test_a_date_is_read_in_either_form(text: str, expected: date) -> None:
    assert day(text) == expected


@pytest.mark.parametrize("text", ["02/29/2025", "2025-02-29", "02/30/2024", "13/01/2026", "23/11/2026", "2026-11",
                                  "11/23", "tomorrow", "2026-11-23T09:00"])
def test_a_date_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        day(text)
    assert str(caught.value) == f"'{text}' is not a date (11/23/2026 or 2026-11-23)"


@pytest.mark.parametrize(("text", "result"), [
    ("0", 0), ("12", 12), ("1,200", 1200), ("100000", 100_000),
    ("-3", "-3 is negative"), ("- 3", "- 3 is negative"), ("1.5", "'1.5' is not a whole number"),
    ("ten", "'ten' is not a whole number"), ("1,20", "'1,20' is not a whole number"),
    ("100001", "100001 is more than 100,000"),
])
def test_a_whole_number_column(text: str, result: int | str) -> None:
    parse = whole(100_000)
    if isinstance(result, int):
        assert parse(text) == result
    else:
        with pytest.raises(ValueError, match=f"^{result}$"):
            parse(text)


@pytest.mark.parametrize(("text", "result"), [
    ("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True),
    ("no", False), ("n", False), ("False", False), ("0", False),
])
def test_yes_or_no(text: str, result: bool) -> None:
    assert yes_no(text) is result


def test_yes_or_no_refuses_anything_else() -> None:
    with pytest.raises(ValueError, match="^'maybe' is not yes or no$"):
        yes_no("maybe")


# --- a row's cells and a row schema -------------------------------------------------------------------


def test_cells_name_the_column_of_each_problem() -> None:
    cells = Cells(Row(4, {"name": "", "cost": "(1.00)", "count": "3"}))

    assert cells.required("name") is False
    assert cells.read("cost", amount(10_000, "12.50")) is None
    assert cells.read("count", whole(10)) == 3
    assert cells.read("note", whole(10)) is None  # a column the file does not have is empty
    assert cells.problems == ["the name is empty", "cost: (1.00) is negative"]


class Thing(BaseModel):
    name: str
    cost_cents: Annotated[int, cell(amount(10_000, "12.50"))]
    counted_on: Annotated[date | None, cell(day)] = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value.isdigit():
            raise named(f"name '{value}' is a number, not a name")
        return value


def test_a_row_schema_reads_cells_with_the_same_parsers_and_names_the_columns() -> None:
    thing, problems = validate(Thing, {"name": "Gauze", "cost_cents": "$1.50", "counted_on": ""})
    assert thing == Thing(name="Gauze", cost_cents=150, counted_on=None)
    assert problems == []

    thing, problems = validate(Thing, {"name": "42", "cost_cents": "(1.50)", "counted_on": "02/29/2025"},
                               {"cost_cents": "cost"})
    assert thing is None
    assert problems == ["name '42' is a number, not a name", "cost: (1.50) is negative",
                        "counted_on: '02/29/2025' is not a date (11/23/2026 or 2026-11-23)"]


def test_an_import_that_allows_other_columns_ignores_one_with_no_name_too(tmp_path: Path) -> None:
    layout = Layout("import things", ("name", "cost"), "things", required=("name",), other_columns=True)

    table = read(tmp_path, "name,,cost\nGauze,2B,1.00\n", layout)

    assert (table.rows[0].cells, table.problems) == ({"name": "Gauze", "cost": "1.00"}, [])


@pytest.mark.parametrize(("separator", "called"), [(";", "semicolons (;)"), ("\t", "tabs"), ("|", "bars (|)")])
def test_a_file_separated_by_something_else_is_named_as_such(tmp_path, separator, called) -> None:  # type: ignore[no-untyped-def]
    from officemgr.services import inventory_io

    path = tmp_path / "items.csv"
    path.write_text(separator.join(["name", "category", "par"]) + "\n" + separator.join(["Gloves", "clinical", "10"])
                    + "\n", encoding="utf-8")
    with pytest.raises(inventory_io.ImportRefused, match=f"items.csv is separated by {re.escape(called)}, not commas"):
        read_table(path, inventory_io.LAYOUT, inventory_io.ImportRefused)
