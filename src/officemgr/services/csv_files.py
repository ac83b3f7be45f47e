"""Reading a CSV file a manager saved from a spreadsheet: the one path every CSV import takes.

`read_table` reads the file (.csv, UTF-8 with or without a byte-order mark) and checks its header; the data rows
come numbered by the line each starts on, as a spreadsheet shows them. The cell parsers read money (cents),
dates, whole numbers and yes/no the same way in every import: each raises ValueError saying what is wrong with the
value, and `Cells.read` (or a schema field made with `cell`) puts the column in front ("unit_cost: -4.00 is
negative"). `validate` runs a row through a pydantic schema and words its errors the same way, and `refusal` is
the all-or-nothing message that lists each bad line ("line N: ...").

Limits (`read_limited`, `read_table`): a file of at most 50 MB and 100,000 rows, a line (and a cell) of at most
100,000 characters, at most 10,000 columns. The file's size is checked before it is read, and never more than the
limit is read, so a file a spreadsheet never writes (a 1 GB export, a header of a million columns) is refused at
once with the limit it is over. A cell holding a control character (ESC, BEL, NUL, DEL, C1) or a text-direction
override is refused with its line and column named (plaintext.unsafe_character); text a message echoes from a
file goes through `echo` (control characters spelled out, at most 300 characters).

Money has one parser, `parse_cents`. A minus sign (-12.00, -$12.00, $-12.00) and accounting parentheses ((12.00),
($12.00)) both mean a negative amount. No column an import reads can be negative (a unit cost, a charge, what a
claim was paid to date, an allowed amount), so `amount` refuses either form as "is negative", never as "not an
amount" in one import and "negative" in another.
"""

from __future__ import annotations

import csv
import io
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from officemgr.models.validation import explain, parse_date
from officemgr.plaintext import clipped, unsafe_character
from officemgr.services.common import ServiceError
from officemgr.services.csv_out import FORMULA_STARTS
from officemgr.services.format import money as dollars
from officemgr.services.format import plural

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
# What a file-level refusal is raised as: the caller's exception class, given the message.
Refusal = Callable[[str], Exception]

MAX_LISTED = 50
# What an import reads at most: far beyond any practice's file, well short of exhausting memory.
MAX_FILE_BYTES = 50_000_000
MAX_FILE_TEXT = "50 MB"
MAX_ROWS = 100_000
MAX_LINE = 100_000  # characters on one line, and in one cell
MAX_COLUMNS = 10_000
MAX_ECHO = 300  # characters of file text a message repeats
MAX_PROBLEM = 600  # characters of one listed problem (it may echo a cell or two)
_AMOUNT = re.compile(r"(?P<minus>-?)\s*\$?\s*(?P<minus2>-?)\s*"
                     r"(?P<dollars>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<cents>\d{1,2}))?")
_WHOLE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_NEGATIVE_WHOLE = re.compile(r"-\s*[\d,.]+")
_YES = frozenset({"yes", "y", "true", "1", "x"})
_NO = frozenset({"no", "n", "false", "0"})
_NAMED = "named"  # a schema error whose message already names its column


class FileRefused(ServiceError):
    """A file not imported; the message lists what is wrong (each bad row as "line N: ...")."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


# --- the file and its header --------------------------------------------------------------------------


def echo(text: str, limit: int = MAX_ECHO) -> str:
    """Text from a file as a message repeats it: control and bidi characters spelled out, cut at `limit` with "…"."""
    return clipped(text, limit)


def read_limited(path: Path, refused: Refusal, what: str) -> bytes:
    """The file's bytes, refused (`refused(message)`) when it is missing, not a file, or over MAX_FILE_BYTES.

    The size is checked before reading, and at most the limit (plus one byte) is ever read, so a file that grows
    meanwhile, or a device, cannot fill memory. `what` names the import in the message ("import items")."""
    where = echo(str(path))
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise refused(f"cannot read {where}: it is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise refused(f"cannot read {where}: it is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise refused(_too_big(path, info.st_size, what))
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise refused(f"there is no file {where}") from None
    except OSError as exc:
        raise refused(f"cannot read {where}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise refused(_too_big(path, len(data), what))
    return data


def _too_big(path: Path, size: int, what: str) -> str:
    return (f"{echo(path.name)} is {size / 1_000_000:,.0f} MB; {what} reads a file of at most {MAX_FILE_TEXT} "
            "(split it into smaller files)")


@dataclass(frozen=True)
class Layout:
    """The columns an import reads, as its header may name them."""

    command: str  # names the import in messages: "import items"
    columns: tuple[str, ...]  # what a message lists as "the columns are: ..."
    noun: str  # what the rows are: "... has a header but no items"
    required: tuple[str, ...] = ()  # line 1 must name these
    aliases: Mapping[str, str] = field(default_factory=dict)  # "cpt" -> "code" (after lower case and "_")
    read_past: tuple[str, ...] = ()  # known too (e.g. the export's extra columns), never listed
    other_columns: bool = False  # True: a column it does not know is ignored; False: refused
    free_text: tuple[str, ...] = ()  # columns that may hold line breaks and tabs (a reason); no other control

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.columns) | frozenset(self.read_past)


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file (line 1 is the header; blank lines count)
    cells: dict[str, str]  # known column -> stripped text, for the columns the file has


@dataclass(frozen=True)
class Table:
    name: str  # the file's name, as messages give it
    rows: list[Row]  # the non-blank rows after the header
    problems: list[tuple[int, str]]  # (line, problem) found while reading: values under no column


def read_table(path: Path, layout: Layout, refused: Refusal) -> Table:
    """The file's data rows under a checked header; `refused(message)` is raised for a file that cannot be read.

    Refused: not a .csv, missing, unreadable, over a limit (this module's docstring), empty, not UTF-8 (a BOM is
    fine), binary, broken quoting, a first line that is not a header, unknown (unless the layout allows others),
    repeated or missing required columns, and a header with no rows under it. A cell holding a control or
    text-direction character is a problem of its line (`Table.problems`), so the import refuses it by line and column.
    """
    name = echo(path.name)
    records = _records(path, layout, refused)
    line, header = next(records)
    names = _header(header, name, layout, refused)
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise refused(f"{name} has more than {MAX_ROWS:,} {layout.noun} (line {line}); {layout.command} reads "
                          f"at most {MAX_ROWS:,} at a time (split the file)")
        values: dict[str, str] = {}
        unnamed = False
        unsafe: list[str] = []
        for column, cell in zip(names, cells, strict=False):
            if column:
                values[column] = _as_typed(cell.strip())
                found = unsafe_character(cell, free_text=column in layout.free_text)
                if found:
                    unsafe.append(f"{column}: holds {found}")
            elif column == "" and cell.strip():
                unnamed = True
        if any(cell.strip() for cell in cells[len(names):]):
            problems.append((line, "more fields than the header has columns"))
        elif unnamed:
            problems.append((line, "a value under a column line 1 gives no name"))
        elif unsafe:
            problems.append((line, "; ".join(unsafe) + " (retype it: such characters can change what a screen "
                                                       "or a printout shows)"))
        rows.append(Row(line, values))
    if not rows:
        raise refused(f"{name} has a header but no {layout.noun}")
    return Table(name, rows, problems)


def _as_typed(cell: str) -> str:
    """A cell as the person typed it: our exports write text such as '=SUM(1) with a leading apostrophe so a
    spreadsheet shows it instead of running it (services/csv_out.py); reading it back drops that apostrophe."""
    if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def _records(path: Path, layout: Layout, refused: Refusal) -> Iterator[tuple[int, list[str]]]:
    """Every record with the line it starts on; the first is a non-empty header. Checked before anything is
    yielded: the file's type, size and encoding; checked as it is read: each line's and cell's length, the
    number of columns."""
    name = echo(path.name)
    if path.suffix.lower() != ".csv":
        raise refused(f"{name}: {layout.command} reads a .csv file, not '{echo(path.suffix) or 'no extension'}'")
    data = read_limited(path, refused, layout.command)
    if not data.strip():
        raise refused(f"{name} is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refused(f"{name} is not UTF-8 text; save it as 'CSV UTF-8' and try again") from None
    del data
    if "\x00" in text:
        raise refused(f"{name} is not a readable CSV file (it holds binary data: save it as 'CSV UTF-8' "
                      "from the spreadsheet)")
    if not text.strip():
        raise refused(f"{name} is empty")  # a byte-order mark and nothing else
    return _parsed(text, name, layout, refused)


def _parsed(text: str, name: str, layout: Layout, refused: Refusal) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_lines(text, name, refused))
    line = 1
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise refused(f"{name}: line {line} has {len(cells):,} columns; {layout.command} reads at most "
                              f"{MAX_COLUMNS:,}")
            if any(len(cell) > MAX_LINE for cell in cells):
                raise refused(_cell_too_long(name, line))
            if line == 1 and not any(cell.strip() for cell in cells):
                break
            yield line, cells
            line = reader.line_num + 1  # a quoted cell may span lines: number rows by where they start
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # a quoted cell running on over many lines
            raise refused(_cell_too_long(name, line)) from None
        raise refused(f"{name} is not a readable CSV file (line {reader.line_num}: {exc})") from None
    if line == 1:
        raise refused(f"{name}: line 1 must be a header naming the columns ({', '.join(layout.columns)})")


def _cell_too_long(name: str, line: int) -> str:
    return f"{name}: line {line} has a cell of more than {MAX_LINE:,} characters (the longest a cell may be)"


def _lines(text: str, name: str, refused: Refusal) -> Iterator[str]:
    """The text's lines (each with its own line ending), refused at the first over MAX_LINE characters."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        length = len(line.rstrip("\r\n"))
        if length > MAX_LINE:
            raise refused(f"{name}: line {number} is {length:,} characters long; a line may hold at most "
                          f"{MAX_LINE:,}")
        yield line


SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "bars (|)"}


def column_name(text: str, aliases: Mapping[str, str]) -> str:
    """A header cell as a column: any case, spaces or hyphens for "_" ("Reorder point" is reorder_point)."""
    column = re.sub(r"[\s-]+", "_", text.strip().lower())
    return aliases.get(column, column)


def _header(cells: list[str], name: str, layout: Layout, refused: Refusal) -> list[str | None]:
    """Line 1 as the column of each cell: "" for a cell with no name, None for a column that is ignored (any
    column the import does not know, with or without a name, when the layout allows other columns)."""
    names = [column_name(cell, layout.aliases) for cell in cells]
    listed = ", ".join(layout.columns)
    for separator, called in SEPARATORS.items():
        # A spreadsheet set to another locale saves "CSV" with semicolons (or tabs): one cell holds the columns.
        split = [column_name(part, layout.aliases) for cell in cells for part in cell.split(separator)]
        if not layout.known & set(names) and len(layout.known & set(split)) >= 2:
            raise refused(f"{name} is separated by {called}, not commas: save it again as CSV with commas (in a "
                          "spreadsheet: Save As, CSV UTF-8 (comma delimited)); nothing was imported")
    if not layout.known & set(names):
        raise refused(f"{name}: line 1 must be a header naming the columns ({listed})")
    for number, (cell, column) in enumerate(zip(cells, names, strict=True), start=1):
        found = unsafe_character(cell)
        if found and (column in layout.known or not layout.other_columns):
            raise refused(f"{name}: line 1: the name of column {number} ({echo(cell)}) holds {found}")
    unknown = [cells[i].strip() for i, column in enumerate(names) if column and column not in layout.known]
    if unknown and not layout.other_columns:
        raise refused(echo(f"{name}: line 1 has the unknown column(s) {', '.join(repr(c) for c in unknown)}",
                           MAX_PROBLEM) + f" (the columns are: {listed})")
    counted = Counter(names)
    twice = sorted(column for column, times in counted.items() if column in layout.known and times > 1)
    if twice:
        raise refused(f"{name}: line 1 has the column(s) {', '.join(twice)} more than once")
    missing = [column for column in layout.required if column not in names]
    if missing:
        raise refused(f"{name}: line 1: missing column(s) {', '.join(missing)} (the columns are: {listed})")
    return [_kept(column, layout) for column in names]


def _kept(column: str, layout: Layout) -> str | None:
    if column in layout.known:
        return column
    if not column and not layout.other_columns:
        return ""  # a value under a header cell with no name is a problem of its line
    return None  # ignored


def refusal(name: str, listed: list[str], total: int, noun: str = "line") -> str:
    """The message of a refused import: a head line, then each bad row (at most MAX_LISTED of them)."""
    verb = "has" if len(listed) == 1 else "have"
    head = f"{name}: nothing was imported; {len(listed)} of {plural(total, noun)} {verb} problems:"
    more = [f"... and {len(listed) - MAX_LISTED} more"] if len(listed) > MAX_LISTED else []
    return "\n".join([head, *listed[:MAX_LISTED], *more])


def by_line(problems: list[tuple[int, str]]) -> list[str]:
    """(line, problem) pairs as "line N: problem", in file order, each as `echo` shows file text."""
    return [f"line {line}: {echo(text, MAX_PROBLEM)}" for line, text in sorted(problems, key=lambda p: p[0])]


# --- cells --------------------------------------------------------------------------------------------


def parse_cents(text: str) -> int | None:
    """Dollars as typed (12.50, $1,250.00, 12, $.50) as cents, negative for -12.00, -$12.00, $-12.00 or (12.00);
    None if it is not an amount."""
    text = text.strip()
    sign = 1
    if len(text) > 1 and text[0] == "(" and text[-1] == ")":
        text, sign = text[1:-1].strip(), -1
    match = _AMOUNT.fullmatch(text)
    if match is None or not (match["dollars"] or match["cents"]):
        return None
    minus = match["minus"] + match["minus2"]
    if len(minus) > 1 or (minus and sign < 0):
        return None
    cents = int((match["dollars"] or "0").replace(",", "")) * 100 + int((match["cents"] or "0").ljust(2, "0"))
    return -cents if minus or sign < 0 else cents


def amount(most: int, example: str, per: str = "") -> Callable[[str], int]:
    """A parser of an amount in cents from 0 to `most`; `example` is a typical amount for the message."""

    def read(text: str) -> int:
        cents = parse_cents(text)
        if cents is None:
            raise ValueError(f"'{text}' is not an amount like {example} or $1,250.00")
        if cents < 0:
            raise ValueError(f"{text} is negative")
        if cents > most:
            raise ValueError(f"{text} is more than {dollars(most)}{per}")
        return cents

    return read


def whole(most: int) -> Callable[[str], int]:
    """A parser of a whole number from 0 to `most` (1,200 is fine)."""

    def read(text: str) -> int:
        if _WHOLE.fullmatch(text):
            value = int(text.replace(",", ""))
            if value > most:
                raise ValueError(f"{text} is more than {most:,}")
            return value
        if _NEGATIVE_WHOLE.fullmatch(text):
            raise ValueError(f"{text} is negative")
        raise ValueError(f"'{text}' is not a whole number")

    return read


def day(text: str) -> date:
    """A date as 11/23/2026 (or 11/23/26) or 2026-11-23."""
    found = parse_date(text)
    if found is None:
        raise ValueError(f"'{text}' is not a date (11/23/2026 or 2026-11-23)")
    return found


def yes_no(text: str) -> bool:
    """yes/no, y/n, true/false, 1/0 (and x for yes, as a ticked cell), any case."""
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"'{text}' is not yes or no")


class Cells:
    """One row's cells read by the typed parsers; each problem is kept as "column: what is wrong"."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.problems: list[str] = []

    def text(self, column: str) -> str:
        return self.row.cells.get(column, "")

    def required(self, *columns: str) -> bool:
        """True when every one of `columns` has a value; else each empty one is a problem."""
        empty = [column for column in columns if not self.text(column)]
        self.problems.extend(f"the {column} is empty" for column in empty)
        return not empty

    def read(self, column: str, parse: Callable[[str], T]) -> T | None:
        """The cell read by `parse`; None when it is empty or (with the problem kept) when it is not valid."""
        text = self.text(column)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            self.problems.append(f"{column}: {exc}")
            return None


# --- schemas ------------------------------------------------------------------------------------------


def cell(parse: Callable[[str], Any]) -> BeforeValidator:
    """A schema field's validator reading a cell with `parse`; an empty cell is None (the field's default)."""

    def read(value: object) -> object:
        if not isinstance(value, str):
            return value  # a value already typed, or None: the field's type decides
        text = value.strip()
        return parse(text) if text else None

    return BeforeValidator(read)


def named(message: str) -> PydanticCustomError:
    """A schema error whose message names its column itself ("code 'X' is not ..."), so it is not prefixed."""
    return PydanticCustomError(_NAMED, message)


def validate(schema: type[M], values: Mapping[str, Any], columns: Mapping[str, str] | None = None
             ) -> tuple[M | None, list[str]]:
    """`schema` validated from `values`, or None and each error as "column: what is wrong".

    `columns` maps a schema field to the column it was read from when the names differ (unit_cost_cents ->
    unit_cost); an error of the whole record (no field) is given as it is.
    """
    try:
        return schema.model_validate(dict(values)), []
    except ValidationError as exc:
        return None, [_problem(error, columns or {}) for error in exc.errors()]


def _problem(error: Any, columns: Mapping[str, str]) -> str:
    if error["type"] == _NAMED:
        return str(error["msg"])
    where = str(error["loc"][0]) if error["loc"] else ""
    where = columns.get(where, where)
    return f"{where}: {explain(error)}" if where else explain(error)
