"""Vendors' payment terms as they print them ("net 30", "2/10 net 30", "net 15 EOM", "10 prox", "due on receipt"),
read into a bill's due date and, where the terms give one, the last day of the early-payment discount; and a vendor
invoice number as the duplicate check compares it.

Days are calendar days, as terms count them: a due date on a weekend stays there (the bill is paid before it).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MAX_DAYS = 180
EXAMPLES = '"net 30", "2/10 net 30", "net 15 EOM", "10 prox" or "due on receipt"'

_RECEIPT = re.compile(r"(due (on|upon) receipt|on receipt|receipt|cod|c\.o\.d\.|cash on delivery|net 0)")
_NET = re.compile(r"(?:(?P<pct>\d{1,2}(?:\.\d{1,2})?)\s*%?\s*/\s*(?P<within>\d{1,3})\s*,?\s*)?"
                  r"(?:n|net)\s*/?\s*(?P<days>\d{1,3})(?:\s*(?:days?))?(?P<eom>\s*eom)?")
_EOM = re.compile(r"(?:net\s*)?eom")
_PROX = re.compile(r"(?:net\s*)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*prox(?:imo)?")


class BadTerms(ValueError):
    """Terms that cannot be read; the message gives examples of what can (the services say it as a refusal)."""


@dataclass(frozen=True)
class Terms:
    days: int = 30  # after the invoice date, or after the invoice month's end when `end_of_month`
    end_of_month: bool = False
    prox_day: int | None = None  # due on this day of the month after the invoice ("10 prox")
    discount_pct: float = 0.0
    discount_days: int = 0

    @property
    def text(self) -> str:
        """The terms written the one way this app writes them."""
        if self.prox_day is not None:
            return f"{self.prox_day} prox"
        if self.end_of_month:
            return f"net {self.days} EOM" if self.days else "EOM"
        base = f"net {self.days}" if self.days else "due on receipt"
        if self.discount_pct:
            return f"{self.discount_pct:g}/{self.discount_days} {base}"
        return base

    def due_date(self, invoice_date: date) -> date:
        if self.prox_day is not None:
            year, month = (invoice_date.year + 1, 1) if invoice_date.month == 12 else (
                invoice_date.year, invoice_date.month + 1)
            return date(year, month, min(self.prox_day, calendar.monthrange(year, month)[1]))
        if self.end_of_month:
            month_end = invoice_date.replace(day=calendar.monthrange(invoice_date.year, invoice_date.month)[1])
            return month_end + timedelta(days=self.days)
        return invoice_date + timedelta(days=self.days)

    def discount_until(self, invoice_date: date) -> date | None:
        """The last day a payment earns the discount, or None when the terms give no discount."""
        return invoice_date + timedelta(days=self.discount_days) if self.discount_pct else None


def parse_terms(text: str) -> Terms:
    """Read terms as a vendor prints them; refuse anything else with examples (BadTerms)."""
    said = " ".join(text.strip().lower().split())
    if not said:
        raise BadTerms(f"payment terms are needed: for example {EXAMPLES}")
    if _RECEIPT.fullmatch(said):
        return Terms(days=0)
    if _EOM.fullmatch(said):
        return Terms(days=0, end_of_month=True)
    if (prox := _PROX.fullmatch(said)) is not None:
        day = int(prox["day"])
        if not 1 <= day <= 31:
            raise BadTerms(f'"{text.strip()}": the day of the next month must be 1 to 31')
        return Terms(days=0, prox_day=day)
    net = _NET.fullmatch(said)
    if net is None:
        raise BadTerms(f'"{text.strip()}" are not terms this app can read: write them as {EXAMPLES}')
    days = int(net["days"])
    if days > MAX_DAYS:
        raise BadTerms(f'"{text.strip()}": {days} days is more than the {MAX_DAYS} days terms run to')
    pct = float(net["pct"]) if net["pct"] else 0.0
    within = int(net["within"]) if net["within"] else 0
    if net["pct"] is not None:
        if not 0 < pct < 100:
            raise BadTerms(f'"{text.strip()}": the discount must be more than 0% and less than 100%')
        if within >= days or within == 0:
            raise BadTerms(f'"{text.strip()}": the discount days must be fewer than the {days} days to pay')
        if net["eom"]:
            raise BadTerms(f'"{text.strip()}": a discount with EOM terms is not supported; enter the net terms')
    return Terms(days=days, end_of_month=bool(net["eom"]), discount_pct=pct, discount_days=within)


def invoice_key(number: str) -> str:
    """An invoice number as the duplicate check compares it: letters and digits only, upper case, each number's
    leading zeros dropped ("INV-0012", "inv 12" and "INV12" are one invoice)."""
    kept = "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", kept)[:40]
