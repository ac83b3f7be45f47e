"""The month-end report: charges, payments, adjustments, the A/R roll-forward and the month's KPIs, then the other
areas' sections (EXTRA_SECTIONS), as Markdown and as one printable HTML page.

Where the figures come from:
- Charges: the claims' billed amounts by date of service in the month.
- Payments, adjustments and the roll-forward: services.ar_rollforward.roll_forward (the claims' dated postings for
  the insurance A/R, the patient ledger for the patient A/R), its lines gathered on the report's rows: opening +
  charges − payments − adjustments ± transfers (insurance to patient) = closing. Its notes are the balance check:
  "Balances", or "Does not balance by $X" and why.
- KPIs for the month, as of its last day (services.ar's definitions): days in A/R = A/R at month end ÷ (charges for
  services in the 365 days to month end ÷ 365); denial rate = claims denied in the month ÷ claims submitted in it;
  net collection rate = payments in the month ÷ (charges in the month − contractual (CO) adjustments in it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import func
from sqlmodel import Session, col, select

from officemgr.models import Claim, ClaimStatus
from officemgr.models.finance import PostingKind
from officemgr.models.ledger import EntryKind
from officemgr.outfiles import OutputRefused, write_private
from officemgr.plaintext import html_text, visible
from officemgr.services import actuals, ar, audit, payables_report, productivity, settings
from officemgr.services.access import Area, require
from officemgr.services.ar_rollforward import INSURANCE_LINES, PATIENT_LINES, RollForward, roll_forward, row_of
from officemgr.services.common import ServiceError
from officemgr.services.format import money, plural
from officemgr.services.month_close import month_status
from officemgr.services.report_section import ReportSection


class SectionMaker(Protocol):
    def __call__(self, session: Session, month_first: date, *, actor: str) -> ReportSection: ...


# The other areas' tables, in the report's order: (what it is, to name it when it cannot be shown; its maker).
EXTRA_SECTIONS: tuple[tuple[str, SectionMaker], ...] = (
    ("Budget vs actual", actuals.month_report_section),
    ("Bills paid and owed", payables_report.month_report_section),
    ("Provider productivity", productivity.month_report_section),
)

# An adjustment line of the roll-forward as the report names it (a CARC group's: "Payer adjustments, group CO").
ADJUSTMENT_NAMES = {
    INSURANCE_LINES[PostingKind.write_off]: "Claim balances written off",
    PATIENT_LINES[EntryKind.small_balance]: "Patient small balances written off",
    PATIENT_LINES[EntryKind.courtesy]: "Patient courtesy discounts",
}
CONTRACTUAL = "Payer adjustments, group CO"


@dataclass(frozen=True)
class MonthKpi:
    name: str
    value: float | None
    target: float
    unit: str
    detail: str

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:.1f} days" if self.unit == "days" else f"{self.value:.1f}%"


@dataclass(frozen=True)
class MonthReport:
    practice: str
    month: date
    last: date
    today: date
    ended: bool
    status: str  # closed (by whom, when), reopened, or open
    charges_cents: int
    claims: int
    insurance_payments_cents: int
    patient_payments_cents: int
    adjustments: tuple[tuple[str, int], ...]  # (what, cents taken off), insurance by CARC group then the ledger's
    roll_forward: RollForward
    kpis: tuple[MonthKpi, ...]
    sections: tuple[ReportSection, ...]  # the other areas' (EXTRA_SECTIONS)

    @property
    def title(self) -> str:
        return f"Month-end report — {self.month:%B %Y}"

    @property
    def period_note(self) -> str:
        if self.ended:
            return f"{self.month:%m/%d/%Y} to {self.last:%m/%d/%Y}"
        return f"month not yet ended (figures to {self.today:%m/%d/%Y})"


# ------------------------------------------------------------------------------------------------ figures


def _adjustment_name(label: str) -> str:
    group = label.removeprefix("Adjustments ")
    return f"Payer adjustments, group {group}" if group != label else ADJUSTMENT_NAMES.get(label, label)


def _adjustments_of(roll: RollForward) -> tuple[tuple[str, int], ...]:
    """(what, cents taken off) of each adjustment line, the insurance's (by CARC group) then the ledger's."""
    return tuple((_adjustment_name(line.label), -line.cents) for side in (roll.insurance, roll.patient)
                 for line in side.lines if row_of(line.label) == "adjustments")


def _charges(session: Session, first: date, last: date) -> tuple[int, int]:
    cents, claims = session.exec(select(func.coalesce(func.sum(Claim.billed_cents), 0), func.count())
                                 .select_from(Claim)
                                 .where(col(Claim.service_date) >= first, col(Claim.service_date) <= last)).one()
    return int(cents), int(claims)


def _kpis(session: Session, first: date, last: date, ar_total: int, payments: int, charges: int,
          contractual: int) -> tuple[MonthKpi, ...]:
    targets = settings.get(session, "kpi_targets")
    year_first = last - timedelta(days=ar.YEAR_DAYS - 1)
    year_charges = _charges(session, year_first, last)[0]
    days = ar_total / (year_charges / ar.YEAR_DAYS) if year_charges > 0 else None
    submitted = ar._claims_reaching(session, ClaimStatus.submitted, col(Claim.submitted_on), first, last)
    denied = ar._claims_reaching(session, ClaimStatus.denied, col(Claim.denied_on), first, last)
    net = charges - contractual
    return (
        MonthKpi("Days in A/R", days, float(targets.get("days_in_ar", 40)), "days",
                 f"A/R at month end {money(ar_total)}; charges in the 365 days to {last:%m/%d/%Y} "
                 f"{money(year_charges)}"),
        MonthKpi("Denial rate", denied / submitted * 100 if submitted else None,
                 float(targets.get("denial_rate_pct", 5.0)), "%",
                 f"{denied:,} denied of {submitted:,} submitted in the month"),
        MonthKpi("Net collection rate", payments / net * 100 if net > 0 else None,
                 float(targets.get("net_collection_pct", 95.0)), "%",
                 f"payments {money(payments)} of charges less contractual adjustments {money(net)}"),
    )


def _extra(session: Session, first: date, actor: str) -> tuple[ReportSection, ...]:
    out = []
    for name, make in EXTRA_SECTIONS:
        try:
            out.append(make(session, first, actor=actor))
        except ServiceError as exc:
            out.append(ReportSection(name, (), (), f"Not shown: {exc}"))
    return tuple(out)


def month_report(session: Session, month_first: date, *, today: date, actor: str) -> MonthReport:
    """The month's report as the acting person may see it (the finance area's readers)."""
    require(actor, Area.finance, write=False, what="the month-end report")
    status = month_status(session, month_first, today=today, actor=actor)
    roll = roll_forward(session, status.month, actor=actor)
    first, last = roll.month, roll.last_day
    practice = str(settings.get(session, "practice").get("name", "")) or "The practice"
    charges, claims = _charges(session, first, last)
    insurance_payments = -roll.insurance.row_cents("payments")
    patient_payments = -roll.patient.row_cents("payments")
    adjustments = _adjustments_of(roll)
    contractual = sum(cents for what, cents in adjustments if what == CONTRACTUAL)
    kpis = _kpis(session, first, last, roll.closing_cents, insurance_payments + patient_payments, charges,
                 contractual)
    return MonthReport(
        practice=practice, month=first, last=last, today=today, ended=status.ended, status=status.state,
        charges_cents=charges, claims=claims, insurance_payments_cents=insurance_payments,
        patient_payments_cents=patient_payments, adjustments=adjustments, roll_forward=roll, kpis=kpis,
        sections=_extra(session, first, actor))


# ------------------------------------------------------------------------------------------------ sections


def _summary(report: MonthReport) -> ReportSection:
    total = report.insurance_payments_cents + report.patient_payments_cents
    return ReportSection("Charges and payments", ("", "Amount"), (
        (f"Charges ({plural(report.claims, 'claim')}, by date of service)", money(report.charges_cents)),
        ("Insurance payments", money(report.insurance_payments_cents)),
        ("Patient payments (net of refunds)", money(report.patient_payments_cents)),
        ("Payments in all", money(total)),
    ))


def _adjustments(report: MonthReport) -> ReportSection:
    rows = tuple((what, money(cents)) for what, cents in report.adjustments)
    total = sum(cents for _, cents in report.adjustments)
    return ReportSection("Adjustments", ("", "Amount"), (*rows, ("Adjustments in all", money(total))),
                         "" if rows else "No adjustments in the month.")


def _roll_section(report: MonthReport) -> ReportSection:
    roll = report.roll_forward
    ins, pat = roll.insurance, roll.patient

    def row(label: str, a: int, b: int) -> tuple[str, str, str, str]:
        return label, money(a), money(b), money(a + b)

    def taken_off(what: str) -> tuple[str, str, str, str]:
        return row(f"− {what.capitalize()}", -ins.row_cents(what), -pat.row_cents(what))

    return ReportSection("A/R roll-forward", ("", "Insurance", "Patient", "Total"), (
        row(f"Opening ({report.month:%m/%d/%Y})", ins.opening_cents, pat.opening_cents),
        row("+ Charges", ins.row_cents("charges"), pat.row_cents("charges")),
        taken_off("payments"),
        taken_off("adjustments"),
        row("± Transfers (insurance to patient)", ins.row_cents("transfers"), pat.row_cents("transfers")),
        row(f"= Closing ({report.last:%m/%d/%Y})", ins.closing_cents, pat.closing_cents),
    ), " ".join(part for part in (roll.line, roll.held_line) if part))


def _kpi_section(report: MonthReport) -> ReportSection:
    rows = tuple((k.name, k.shown, f"{k.target:g}{' days' if k.unit == 'days' else '%'}", k.detail)
                 for k in report.kpis)
    return ReportSection("Billing KPIs for the month", ("", "Value", "Target", "Figures"), rows)


def all_sections(report: MonthReport) -> tuple[ReportSection, ...]:
    return (_summary(report), _adjustments(report), _roll_section(report), _kpi_section(report), *report.sections)


# ------------------------------------------------------------------------------------------------ Markdown


_MD_SPECIAL = set("\\`*_[]<>#|~!")


def _md_text(text: str) -> str:
    """Text from users or files made literal in Markdown (a table cell too): punctuation that means something
    escaped, line breaks flattened, control characters spelled out."""
    flat = visible(" ".join(str(text).split()))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in flat)


def _md_table(columns: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    headings = list(columns)
    out = ["| " + " | ".join(_md_text(c) or " " for c in headings) + " |", "|" + "---|" * len(headings)]
    out.extend("| " + " | ".join(_md_text(cell) for cell in row) + " |" for row in rows)
    return out


def report_markdown(report: MonthReport) -> str:
    out = [f"# {_md_text(report.practice)}: {report.title}", "", f"{_md_text(report.period_note)}  ",
           f"{_md_text(report.status)}", ""]
    for section in all_sections(report):
        out.append(f"## {_md_text(section.title)}")
        out.append("")
        if section.columns:
            out.extend(_md_table(section.columns, section.rows))
            out.append("")
        if section.note:
            out.append(_md_text(section.note))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------------------------ HTML

_CSS = """
@page { size: letter; margin: 0.6in; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; line-height: 1.3; margin: 1em; color: #000; }
h1 { font-size: 14pt; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; margin: 12pt 0 3pt 0; border-bottom: 1px solid #999; }
.meta { margin: 0 0 8pt 0; color: #333; }
table { border-collapse: collapse; margin: 0 0 4pt 0; }
th, td { border: 1px solid #bbb; padding: 2pt 6pt; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
.note { margin: 2pt 0 0 0; font-style: italic; }
section { break-inside: avoid; }
@media print { body { margin: 0; } th { background: none; } }
"""


def _is_figure(text: str) -> bool:
    return text.lstrip("-").startswith("$") or (text.endswith(("%", " days")) and text[:1].isdigit())


def report_html(report: MonthReport) -> str:
    title = f"{report.practice}: {report.title}"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{html_text(title)}</title>",
           f"<style>{_CSS}</style>", "</head><body>", f"<h1>{html_text(title)}</h1>",
           f'<p class="meta">{html_text(report.period_note)}<br>{html_text(report.status)}</p>']
    for section in all_sections(report):
        out.append(f"<section><h2>{html_text(section.title)}</h2>")
        if section.columns:
            out.append("<table><thead><tr>" + "".join(f"<th>{html_text(c)}</th>" for c in section.columns)
                       + "</tr></thead><tbody>")
            for row in section.rows:
                out.append("<tr>" + "".join(
                    f'<td class="num">{html_text(cell)}</td>' if _is_figure(cell) else f"<td>{html_text(cell)}</td>"
                    for cell in row) + "</tr>")
            out.append("</tbody></table>")
        if section.note:
            out.append(f'<p class="note">{html_text(section.note)}</p>')
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"



# ------------------------------------------------------------------------------------------------ file


def save_report(session: Session, month_first: date, path: Path, fmt: str, *, today: date, now: datetime, actor: str,
                replace: bool = False) -> Path:
    """Write the month's report to `path` (private, never over a file unless `replace`) and log it as a report."""
    report = month_report(session, month_first, today=today, actor=actor)
    text = report_html(report) if fmt == "html" else report_markdown(report)
    try:
        write_private(path, text.encode("utf-8"), force=replace)
    except OutputRefused as exc:
        raise ServiceError(f"{exc} — nothing was written") from None
    except OSError as exc:
        raise ServiceError(f"cannot write {visible(str(path))}: {exc.strerror or exc} — nothing was written") from None
    audit.record_export(session, what="month", actor=actor, now=now,
                        details={"file": str(path), "month": report.month, "format": fmt}, report=True)
    return path
