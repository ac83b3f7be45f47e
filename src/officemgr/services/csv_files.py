"""Reading a CSV file a manager saved from a spreadsheet: every way it can be unreadable, said plainly."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from officemgr.services.common import ServiceError


def read_records(path: Path, *, command: str, columns: tuple[str, ...],
                 refused: type[ServiceError]) -> list[tuple[int, list[str]]]:
    """The file's records with the line each starts on; the first is a non-empty header.

    `command` names the import in messages ("import items"); `columns` are listed when the header is missing.
    Raises `refused` (the caller's ServiceError subclass) for a file that is not readable CSV.
    """
    if path.suffix.lower() != ".csv":
        raise refused(f"{path.name}: {command} reads a .csv file, not '{path.suffix or 'no extension'}'")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise refused(f"there is no file {path}") from None
    except OSError as exc:
        raise refused(f"cannot read {path}: {exc.strerror}") from None
    if not data.strip():
        raise refused(f"{path.name} is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refused(f"{path.name} is not UTF-8 text; save it as 'CSV UTF-8' and try again") from None
    if "\x00" in text:
        raise refused(f"{path.name} is not a readable CSV file (it holds binary data: save it as 'CSV UTF-8' "
                      "from the spreadsheet)")
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1  # a quoted cell may span lines: number rows by where they start
    except csv.Error as exc:
        raise refused(f"{path.name} is not a readable CSV file (line {reader.line_num}: {exc})") from None
    if not records or not any(cell.strip() for cell in records[0][1]):
        raise refused(f"{path.name}: line 1 must be a header naming the columns ({', '.join(columns)})")
    return records


class FileRefused(ServiceError):
    """A file not imported; the message lists what is wrong (each bad row as "line N: ...")."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]  # column -> stripped text, for the columns the file has


def header(cells: list[str], name: str, *, known: set[str], listed: tuple[str, ...], aliases: dict[str, str],
           refused: type[ServiceError]) -> list[str]:
    """Column names from line 1 ("Reorder point" is reorder_point); unknown or repeated ones refused.

    An alias to "" marks a column that is read past (its cells are ignored).
    """
    names = []
    for cell in cells:
        column = re.sub(r"[\s-]+", "_", cell.strip().lower())
        names.append(aliases.get(column, column))
    unknown = [cells[i].strip() for i, column in enumerate(names) if column and column not in known]
    if unknown:
        raise refused(f"{name}: line 1 has the unknown column(s) {', '.join(repr(c) for c in unknown)} "
                      f"(the columns are: {', '.join(listed)})")
    twice = sorted({column for column in names if column and names.count(column) > 1})
    if twice:
        raise refused(f"{name}: line 1 has the column(s) {', '.join(twice)} more than once")
    return names


def data_rows(records: list[tuple[int, list[str]]], names: list[str]) -> tuple[list[Row], list[tuple[int, str]]]:
    """The non-blank rows after the header, and (line, problem) for a value under no column."""
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    for number, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        stray = len(cells) > len(names) and any(cell.strip() for cell in cells[len(names):])
        values = {}
        for column, cell in zip(names, cells, strict=False):
            if column:
                values[column] = cell.strip()
            elif cell.strip():
                stray = True
        if stray:
            problems.append((number, "a value under no column (more cells than the header names)"))
        rows.append(Row(number, values))
    return rows, problems
