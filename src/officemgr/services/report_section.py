"""One table of the month-end report, as an area's service gives it; services.month_close writes it as Markdown
and as printable HTML (escaping every cell)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSection:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # each as long as `columns`; money already written as $1,234.56
    note: str = ""  # a sentence under the table (where the figures come from, what is left out)
