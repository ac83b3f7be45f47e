"""CSV that leaves the app: text cells a spreadsheet could run as a formula are written as text, and control or
bidi characters in them are spelled out, so an exported file neither runs code nor hides what it holds.

Per OWASP's CSV-injection guidance a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets
a leading apostrophe ('=HYPERLINK(...) is shown as text). Numbers the app formats itself (money -12.50, hours,
counts) are passed as `Figure` or int and written as they are, so a spreadsheet still adds them up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from officemgr.plaintext import visible

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True)
class Figure:
    """A number the app formatted itself (money '-12.50', hours '7.25'): written unchanged."""

    text: str


def dollars(cents: int) -> Figure:
    """Cents as plain dollars a spreadsheet reads as a number: -1250 -> -12.50."""
    sign = "-" if cents < 0 else ""
    return Figure(f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}")


def stored_value(text: str) -> str | Figure:
    """A value kept as text that may be a number (an audit event's old and new): a plain number such as -1250
    stays a number (it cannot run as a formula); anything else is text."""
    return Figure(text) if _PLAIN_NUMBER.fullmatch(text) else text


Cell: TypeAlias = "str | int | Figure | None"


def text_cell(text: str, *, free_text: bool = False) -> str:
    """Text from a person or a file as it is safe to write: control characters visible, formulas made text.

    `free_text` keeps line breaks and tabs (a note); a leading tab or carriage return is still neutralised."""
    shown = visible(text, free_text=free_text)
    return "'" + shown if shown.startswith(FORMULA_STARTS) else shown


def _written(value: Cell, free_text: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, Figure):
        return value.text
    if isinstance(value, int):
        return str(value)
    return text_cell(value, free_text=free_text)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, free_text: bool = False) -> str:
    """The whole file: the header, then each row, CRLF line ends (what spreadsheets and payroll services expect).

    Every str is text (see text_cell); a Figure or an int is a number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_written(value, free_text) for value in row] for row in rows)
    return out.getvalue()
