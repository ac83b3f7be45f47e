"""The Billing tab's A/R view (key v): aging by payer as a table and a bar chart, what patients owe by age under
it (for those who may see the desk's money), the KPIs against their targets, denials over 90 days by CARC code and
by payer, and underpayments by payer. On a narrow terminal the chart gives its room to the tables.

Everything is read by `fetch_ar` in the tab's one load worker. The panel is mounted the first time it is
shown, and only then is textual-plotext imported, so the app starts as fast without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Static

from officemgr.services import ar, denials, fees, statements
from officemgr.services.access import Area, may
from officemgr.services.ar import AgingTable, Kpi
from officemgr.services.denials import DenialStats
from officemgr.services.fees import UnderpaidRow
from officemgr.services.format import money
from officemgr.tui.dbwork import Session
from officemgr.tui.widgets.base import plain

MEANING_WIDTH = 24
CHART_MIN_WIDTH = 110  # narrower, the chart would squeeze the aging tables' columns off the screen


@dataclass(frozen=True)
class ArData:
    aging: AgingTable
    kpis: list[Kpi]
    denials: DenialStats
    underpaid: list[UnderpaidRow]
    patients: dict[str, int] | None  # patient A/R by age bucket; None: not the user's to see


def fetch_ar(session: Session, today: date, actor: str) -> ArData:
    owed = statements.patient_aging(session, today) if may(actor, Area.desk_money, write=False) else None
    return ArData(ar.aging(session, today, actor=actor), ar.kpis(session, today, actor=actor),
                  denials.denial_counts(session, today, days=90, actor=actor),
                  fees.underpayments(session, today, days=90, actor=actor), owed)


def _number(value: float | int | None, unit: str) -> str:
    if value is None:
        return "—"
    whole = isinstance(value, int) or float(value).is_integer()
    shown = f"{int(value):,}" if whole else f"{value:,.1f}"
    return f"{shown}%" if unit == "%" else f"{shown} {unit}".rstrip()


def kpi_line(kpi: Kpi) -> Text:
    """'✓ Days in A/R  32.4 days  (target ≤ 40 days)' in green when on target, red when not."""
    sign = "≤" if kpi.better == "lower" else "≥"
    ok = kpi.ok
    style = "dim" if ok is None or kpi.value is None else ("green" if ok else "bold red")
    mark = "·" if ok is None or kpi.value is None else ("✓" if ok else "✗")
    line = Text(f"{mark} {kpi.name}: {_number(kpi.value, kpi.unit)}", style=style)
    line.append(f"  (target {sign} {_number(kpi.target, kpi.unit)})")
    if kpi.detail:
        line.append(f"  {kpi.detail}", style="dim")
    return line


def _cents(cents: int) -> Text:
    return Text(money(cents) if cents else "—", style="" if cents else "dim", justify="right")


class ArPanel(Vertical):
    DEFAULT_CSS = """
    ArPanel {
        height: 1fr;
    }
    ArPanel .ar-top {
        height: 12;
    }
    ArPanel .ar-tables {
        width: 3fr;
    }
    ArPanel #aging {
        height: auto;
        max-height: 12;
    }
    ArPanel .ar-tables.with-patients #aging {
        height: 1fr;
    }
    ArPanel #ar-chart {
        width: 2fr;
        height: 12;
        margin-left: 1;
    }
    ArPanel #kpis {
        height: auto;
        margin-top: 1;
    }
    ArPanel .ar-bottom {
        height: 1fr;
    }
    ArPanel .ar-bottom > Vertical {
        width: 1fr;
        margin-right: 1;
    }
    ArPanel .ar-bottom DataTable {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # here, not at the top: only when the A/R view is first shown

        yield Label("A/R aging by payer: loading…", classes="subtitle", id="ar-title")
        with Horizontal(classes="ar-top"):
            with Vertical(classes="ar-tables"):
                yield DataTable(id="aging", cursor_type="row", zebra_stripes=True)
                yield Label("", classes="subtitle", id="patient-title")
                yield DataTable(id="patient-aging", cursor_type="none", show_cursor=False)
            yield PlotextPlot(id="ar-chart")
        yield Static("", id="kpis")
        with Horizontal(classes="ar-bottom"):
            with Vertical():
                yield Label("Denials by CARC code, last 90 days", classes="subtitle", id="by-code-title")
                yield DataTable(id="denials-code", cursor_type="row")
            with Vertical():
                yield Label("Denials by payer, last 90 days", classes="subtitle", id="by-payer-title")
                yield DataTable(id="denials-payer", cursor_type="row")
            with Vertical():
                yield Label("Underpayments by payer, last 90 days", classes="subtitle", id="underpaid-title")
                yield DataTable(id="underpaid", cursor_type="row")

    def table(self, selector: str, *columns: str) -> DataTable[Any]:
        """A table emptied for new rows, its columns added on first use (data may come before on_mount)."""
        table = self.query_one(selector, DataTable)
        table.clear()
        if not table.columns:
            table.add_columns(*columns)
        return table

    def on_mount(self) -> None:
        # Set here: the app's stylesheet (every DataTable 1fr, a subtitle a line below the last) outranks DEFAULT_CSS.
        self.query_one("#patient-aging", DataTable).styles.height = 2
        self.query_one("#patient-title", Label).styles.margin = 0

    def on_resize(self) -> None:
        self.query_one("#ar-chart").display = self.size.width >= CHART_MIN_WIDTH

    def show(self, data: ArData) -> None:
        self._show_aging(data.aging)
        self._show_patients(data.patients, data.aging.total)
        self._show_chart(data.aging)
        kpis = self.query_one("#kpis", Static)
        kpis.update(Text("\n").join(kpi_line(k) for k in data.kpis) if data.kpis
                    else Text("No KPIs yet: no claims in the last 12 months.", style="dim"))
        kpis.tooltip = "\n".join(f"{k.name} = {k.how}" for k in data.kpis)
        self._show_denials(data.denials)
        table = self.table("#underpaid", "Payer", "Claims", "Shortfall")
        for row in data.underpaid:
            table.add_row(plain(row.payer), Text(str(row.claims), justify="right"), _cents(row.shortfall_cents))
        if not data.underpaid:
            table.add_row(Text("no underpaid claims", style="dim"), Text(""), Text(""))
        total = sum(row.shortfall_cents for row in data.underpaid)
        self.query_one("#underpaid-title", Label).update(
            Text(f"Underpayments by payer, last 90 days · {money(total)}"))

    def _show_aging(self, aging: AgingTable) -> None:
        table = self.query_one("#aging", DataTable)
        table.clear(columns=True)
        table.add_columns("Payer", *aging.labels, "Total")
        for row in aging.rows:
            table.add_row(plain(row.payer), *(_cents(c) for c in row.cents), _cents(row.total),
                          key=str(row.payer_id))
        totals = [Text(money(c), style="bold", justify="right") for c in aging.totals]
        table.add_row(Text("Total", style="bold"), *totals, Text(money(aging.total), style="bold", justify="right"),
                      key="total")
        self.query_one("#ar-title", Label).update(Text(
            f"A/R aging by payer · {money(aging.total)} open · age counted from {aging.counted_from}"))

    def _show_patients(self, owed: dict[str, int] | None, insurance_cents: int) -> None:
        """What patients owe by the age of each unpaid charge, under what payers owe, with both together."""
        self.query_one(".ar-tables").set_class(owed is not None, "with-patients")
        title, table = self.query_one("#patient-title", Label), self.query_one("#patient-aging", DataTable)
        title.display = table.display = owed is not None
        if owed is None:
            return
        table.clear(columns=True)
        table.add_columns("Owed by", *(label.replace("-", "–") for label in owed), "Total")  # as the payers' dash
        total = sum(owed.values())
        table.add_row(Text("Patients", style="bold"), *(_cents(c) for c in owed.values()),
                      Text(money(total), style="bold", justify="right"))
        title.update(Text(f"Owed by patients, by age of charge · {money(total)} · all A/R "
                          f"{money(total + insurance_cents)}"))

    def _show_chart(self, aging: AgingTable) -> None:
        chart: Any = self.query_one("#ar-chart")
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        dollars = [c / 100 for c in aging.totals]
        plt.bar(list(aging.labels), dollars, marker="hd")
        top = max(dollars, default=0) or 1
        ticks = [top * i / 3 for i in range(4)]
        plt.yticks(ticks, [f"${t / 1000:,.1f}k" if top >= 1000 and t else f"${t:,.0f}" for t in ticks])
        plt.title("Open A/R by age")
        plt.xlabel(f"days since {aging.counted_from}")
        chart.refresh()

    def _show_denials(self, stats: DenialStats) -> None:
        by_code = self.table("#denials-code", "Code", "Meaning", "Claims", "Amount")
        for code, meaning, count, cents in stats.by_code:
            # Clipped so the counts stay in view; the CARC codes screen (c) shows each meaning whole.
            short = meaning if len(meaning) <= MEANING_WIDTH else meaning[: MEANING_WIDTH - 1] + "…"
            by_code.add_row(plain(code), plain(short or "—"), Text(str(count), justify="right"), _cents(cents))
        if not stats.by_code:
            by_code.add_row(Text("no denials", style="dim"), Text(""), Text(""), Text(""))
        by_payer = self.table("#denials-payer", "Payer", "Claims", "Amount")
        for payer, count, cents in stats.by_payer:
            by_payer.add_row(plain(payer), Text(str(count), justify="right"), _cents(cents))
        if not stats.by_payer:
            by_payer.add_row(Text("no denials", style="dim"), Text(""), Text(""))
        count = sum(row[2] for row in stats.by_code)
        self.query_one("#by-code-title", Label).update(
            Text(f"Denials by CARC code, last {stats.days} days · {count} claims"))
        self.query_one("#by-payer-title", Label).update(Text(f"Denials by payer, last {stats.days} days"))
