"""The day's drawer as the desk closes it: what was taken by method, the count at close and who made it, and the
deposit slip (cash and checks to the bank) as a small printable page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, select

from officemgr.models import DrawerClose, PayMethod
from officemgr.outfiles import OutputRefused, write_private
from officemgr.plaintext import html_text
from officemgr.services.access import Area, require
from officemgr.services.format import money
from officemgr.services.ledger import DayTakings, DrawerCount, day_takings, drawer_count

SLIP_TRIES = 20  # deposit-DAY.html, then -2 … -20: a slip printed earlier is never replaced


@dataclass(frozen=True)
class ClosedBy:
    actor: str
    at: datetime
    note: str


@dataclass(frozen=True)
class DrawerDay:
    day: date
    takings: DayTakings
    count: DrawerCount | None  # None: the drawer is not closed for the day
    closed: ClosedBy | None

    @property
    def checks(self) -> list[tuple[str, int]]:
        """The day's checks for the slip: (check number, cents)."""
        return [(e.reference, -e.amount_cents) for e in self.takings.payments if e.method is PayMethod.check]


def drawer_day(session: Session, day: date, *, actor: str) -> DrawerDay:
    """What the drawer close screen and the deposit slip show for `day`."""
    require(actor, Area.desk_money, write=False, what="the drawer")
    row = session.exec(select(DrawerClose).where(DrawerClose.day == day)).first()
    closed = ClosedBy(row.actor, row.at, row.note) if row is not None else None
    return DrawerDay(day, day_takings(session, day), drawer_count(session, day), closed)


def over_short(cents: int) -> str:
    """A count's difference in words: 'over by $2.00', 'short by $0.50', 'balanced'."""
    if cents == 0:
        return "balanced"
    return f"{'over' if cents > 0 else 'short'} by {money(abs(cents))}"


def paid_out_lines(takings: DayTakings) -> list[str]:
    """What left the practice on the day, a line each: 'Paid out: refund by check #5001, $50.00' (apart from the
    deposit), 'Paid from the drawer's cash: refund in cash, $10.00' (already taken off the cash)."""
    lines = []
    for p in takings.paid_out:
        where = "Paid from the drawer's cash" if p.from_drawer else "Paid out"
        lines.append(f"{where}: {p.what}, {money(p.cents)}")
    return lines


def slip_html(drawer: DrawerDay, practice: dict[str, str]) -> str:
    """The deposit slip: each check by number, the cash, the total to deposit, and the count if closed."""
    takings = drawer.takings
    cash, checks = takings.by_method[PayMethod.cash], takings.by_method[PayMethod.check]
    rows = "".join(f"<tr><td>Check {html_text(number or '(no number)')}</td><td class=n>{html_text(money(cents))}"
                   "</td></tr>" for number, cents in drawer.checks)
    paid_out = "".join(f"<p>{html_text(line)}</p>" for line in paid_out_lines(takings))
    count = ""
    if drawer.count is not None and drawer.closed is not None:
        c = drawer.count
        count = (f"<p>Counted at close by {html_text(drawer.closed.actor.split('@', 1)[0])}, "
                 f"{drawer.closed.at:%m/%d/%Y %H:%M}: cash {html_text(money(c.counted_cash_cents))} "
                 f"({over_short(c.cash_over_cents)}), checks {html_text(money(c.counted_checks_cents))} "
                 f"({over_short(c.checks_over_cents)})</p>")
        if drawer.closed.note:
            count += f"<p>Note: {html_text(drawer.closed.note)}</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Deposit slip {drawer.day:%m/%d/%Y}</title>"
        "<style>body{font-family:sans-serif;max-width:30em;margin:1em auto}td.n{text-align:right}"
        "table{width:100%;border-collapse:collapse}td{border-bottom:1px solid #ccc;padding:.2em}"
        ".total td{font-weight:bold;border-top:2px solid #000}</style></head><body>"
        f"<h2>{html_text(practice.get('name') or 'Deposit slip')}</h2>"
        f"<p>Deposit slip for {drawer.day:%A %m/%d/%Y}</p><table>"
        f"<tr><td>Cash</td><td class=n>{html_text(money(cash))}</td></tr>{rows}"
        f"<tr><td>Checks ({len(drawer.checks)})</td><td class=n>{html_text(money(checks))}</td></tr>"
        f'<tr class="total"><td>To deposit</td><td class=n>{html_text(money(takings.deposit_cents))}</td></tr>'
        f"</table><p>Card payments (settled by the processor, not deposited): "
        f"{html_text(money(takings.by_method[PayMethod.card]))}</p>{paid_out}{count}</body></html>\n"
    )


def save_slip(folder: Path, drawer: DrawerDay, practice: dict[str, str]) -> Path:
    """Write deposit-DAY.html in `folder` (private), or the next free name when a slip of the day was printed.
    OutputRefused says why it could not be written."""
    page = slip_html(drawer, practice).encode("utf-8")
    for number in range(1, SLIP_TRIES + 1):
        path = folder / (f"deposit-{drawer.day:%Y-%m-%d}" + (f"-{number}" if number > 1 else "") + ".html")
        if os.path.lexists(path):
            continue
        write_private(path, page)
        return path
    raise OutputRefused(f"{SLIP_TRIES} deposit slips of {drawer.day:%m/%d/%Y} are already in {folder}; "
                        "move some away")
