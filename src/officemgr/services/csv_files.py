"""Reading a CSV file a manager saved from a spreadsheet: every way it can be unreadable, said plainly."""

from __future__ import annotations

import csv
import io
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
