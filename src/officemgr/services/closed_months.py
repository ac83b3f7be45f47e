"""The guard every dated money posting passes: a month closed at month-end takes no posting dated inside it.

A closed month's figures were reported and its A/R recorded; a payment, adjustment, charge or bill payment dated in
it afterwards would change what was reported. It is refused with a message that says how to go on (date it today,
or reopen the month); the manager may post it anyway with a reason, and that override is audited.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from officemgr.models.finance import MonthClose
from officemgr.services.access import Area, may
from officemgr.services.common import ServiceError, per_transaction, record


class MonthClosed(ServiceError):
    """A posting dated in a closed month, refused; the message names the month and what to do."""


def month_key(day: date) -> int:
    """A month as the audit log's entity id: 202610 for October 2026."""
    return day.year * 100 + day.month


def closed_month(session: Session, day: date) -> MonthClose | None:
    """The close of the month holding `day`, when that month is closed (and not reopened). Read once per month and
    transaction: an 835 posting thousands of claims asks for the same few months again and again."""
    month = day.replace(day=1)
    return per_transaction(session, f"closed month {month:%Y-%m}", lambda: session.exec(
        select(MonthClose).where(MonthClose.month == month, col(MonthClose.reopened_at).is_(None))).first())


def guard(session: Session, day: date, *, what: str, actor: str, now: datetime, override_reason: str = "",
          redate: bool = True) -> None:
    """Refuse `what` (e.g. "a payment of $40.00") dated `day` in a closed month, unless the manager gives a reason
    to post it anyway (audited in the caller's transaction). `redate`: whether dating it in an open month is a way
    on (not for voiding a record that keeps its date)."""
    closed = closed_month(session, day)
    if closed is None:
        return
    month = f"{day:%B %Y}"
    reason = " ".join(override_reason.split())
    if not reason:
        raise MonthClosed(
            f"{month} is closed (by {closed.closed_by} on {closed.closed_at:%m/%d/%Y}): {what} dated {day:%m/%d/%Y} "
            f"would change its reported figures. {'Date it in an open month, or have' if redate else 'Have'} the "
            f"manager reopen {month} or post it with a reason — nothing was changed")
    if not may(actor, Area.finance):
        raise MonthClosed(f"{month} is closed: only the manager may post into it — nothing was changed")
    record(session, actor=actor, entity="month_close", entity_id=month_key(day), action="post_into_closed",
           changes={"what": what, "day": day, "reason": reason[:300]}, now=now)
