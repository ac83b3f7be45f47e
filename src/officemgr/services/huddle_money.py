"""The practice's bills on the Huddle's billing section, for those who may see the practice's money (the manager,
the biller, the auditor): bills overdue and bills due within a week (one line each: how many, their open total,
the most urgent named), and, for the manager who makes them, recurring bills waiting to be generated."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from officemgr.services import payables_report, recurring_bills
from officemgr.services.access import Area, may
from officemgr.services.format import money, plural
from officemgr.services.huddle_items import HuddleItem

TAB = "billing"  # the Huddle's tab for these lines: the billing section, read by the same roles as the money


def bill_items(session: Session, today: date, actor: str) -> list[HuddleItem]:
    if not may(actor, Area.finance, write=False):
        return []
    late, soon = payables_report.due_and_overdue(session, today=today, actor=actor)
    items: list[HuddleItem] = []
    if late.count:
        first = late.first[0]
        items.append(HuddleItem(
            f"Bills overdue: {late.count}, {money(late.open_cents)}",
            f"oldest {first.vendor} {first.invoice_number} {money(first.open_cents)}, was due {first.due_date:%m/%d}",
            TAB, None, urgent=True, key="bills:overdue"))
    if soon.count:
        first = soon.first[0]
        when = "today" if first.due_date == today else f"{first.due_date:%a %m/%d}"
        items.append(HuddleItem(
            f"Bills due in the next {payables_report.DUE_SOON_DAYS} days: {soon.count}, {money(soon.open_cents)}",
            f"first {first.vendor} {first.invoice_number} {money(first.open_cents)} due {when}",
            TAB, None, key="bills:due-soon"))
    if may(actor, Area.finance):
        waiting = recurring_bills.waiting(session, today, actor=actor)
        if waiting:
            items.append(HuddleItem(f"Recurring bills: {plural(waiting, 'bill')} to generate",
                                    "rent, contracts, software: $ then r, then g", TAB, None,
                                    key="bills:recurring"))
    return items
