"""Small validators shared by the input schemas. Messages are written for the office manager."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from officemgr.plaintext import unsafe_character

# ASCII digits only: \d also matches other scripts' digits, which no phone system or payer would take.
_PHONE_DIGITS = re.compile(r"[0-9]")
_MONEY = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{1,2}))?")


def _text(value: object, *, free_text: bool = False) -> str:
    # Validators run before type checks too (mode="before"): a number or a list is refused, not crashed on.
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("enter text here")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Undecodable bytes (an odd file name, a damaged file) arrive as lone surrogates the database cannot store.
        raise ValueError("this holds characters that cannot be saved; retype it") from None
    refusal = unsafe_text(value, free_text=free_text)
    if refusal is not None:
        raise ValueError(refusal)
    return value.strip()


def unsafe_text(value: str, *, free_text: bool = False) -> str | None:
    """Why `value` cannot be saved, if it holds a control character (ESC, BEL, NUL...) or a text-direction override:
    they would act on the terminal or the page that later shows the text (retitle it, repaint it, reverse a word),
    and a NUL ends text early in SQLite. None when it holds neither. `free_text` (a note) may hold line breaks."""
    found = unsafe_character(value, free_text=free_text)
    return None if found is None else f"this holds {found}, which cannot be saved; retype it"


def require_text(value: str) -> str:
    value = _text(value)
    if not value:
        raise ValueError("this field is required")
    return value


def strip_text(value: str | None) -> str:
    return _text(value)


def strip_free_text(value: str | None) -> str:
    """Free text (a note): like strip_text, but it may hold line breaks and tabs."""
    return _text(value, free_text=True)


def clean_email(value: str | None) -> str:
    """An e-mail address as pydantic's EmailStr checks it (the email-validator package, no network look-up), or ""
    when left empty."""
    text = _text(value)
    if not text:
        return ""
    try:
        return validate_email(text)[1]
    except PydanticCustomError:
        raise ValueError(f"'{text}' is not an e-mail address; one looks like name@example.com") from None


def clean_phone(value: str | None) -> str:
    """Accept any common US phone format; store it as (555) 123-4567."""
    value = _text(value)
    if not value:
        return ""
    digits = "".join(_PHONE_DIGITS.findall(value))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or re.search(r"[^0-9\s().+-]", value):
        raise ValueError("a phone number has 10 digits, e.g. 555-123-4567")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def parse_date(text: str) -> date | None:
    """A date as an office manager types it: 11/23/2026, 11/23/26 or 2026-11-23; None if it is not one."""
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_expiry(text: str) -> date | None:
    """An expiry date: a full date, or a month and year (11/2026, 11/26, 2026-11) meaning usable through
    that month's last day, as printed on vaccine and drug packages. None if it is neither."""
    full = parse_date(text)
    if full is not None:
        return full
    for fmt in ("%m/%Y", "%m/%y", "%Y-%m", "%m-%Y"):
        try:
            first = datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        after = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
        return after - timedelta(days=1)
    return None


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def npi_is_valid(npi: str) -> bool:
    """NPI: 10 digits, first 1 or 2, Luhn check digit over the number prefixed with 80840."""
    return bool(re.fullmatch(r"[12][0-9]{9}", npi)) and luhn_ok("80840" + npi)


def npi_check_digit(first_nine: str) -> str:
    """The check digit that makes `first_nine` + digit a valid NPI (used by the demo data)."""
    for d in "0123456789":
        if luhn_ok("80840" + first_nine + d):
            return d
    raise AssertionError("unreachable: one of ten digits always satisfies Luhn")


def explain(error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence for the office manager (not pydantic's wording)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing" or ("input" in error and error["input"] is None):
        return "this field is required"
    if kind.startswith(("date_", "datetime_")):
        return "a date looks like 11/23/2026 or 2026-11-23"
    if kind.startswith("int_"):
        return "enter a whole number, e.g. 12"
    if kind.startswith("float_") or kind == "finite_number":
        return "enter a number, e.g. 4.5"
    if kind.startswith("string_") and kind != "string_too_long":
        return "enter text here"
    if kind == "timezone_naive":
        return "give the local date and time, without a time zone"
    if kind.startswith("bool_"):
        return "yes or no"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind in ("enum", "literal_error"):
        return "choose one of the options"
    return str(error.get("msg", "not valid")).removeprefix("Value error, ")


def parse_time(value: str) -> str:
    """A time as typed at a front desk (09:30, 9:30, 2:15 PM, 2:15pm) as HH:MM, or ValueError."""
    text = require_text(value).upper().replace(" ", "")
    for fmt in ("%H:%M", "%I:%M%p", "%I%p"):
        try:
            return datetime.strptime(text, fmt).strftime("%H:%M")
        except ValueError:
            continue
    raise ValueError("a time looks like 09:30 or 2:15 PM")


def parse_money(text: str) -> int | None:
    """Dollars as typed (12.50, $1,250.00, 12, $.50) as cents; None if it is not an amount."""
    match = _MONEY.fullmatch(text.strip())
    if match is None or not (match.group(1) or match.group(2)):
        return None
    dollars = int((match.group(1) or "0").replace(",", ""))
    cents = int((match.group(2) or "0").ljust(2, "0"))
    return dollars * 100 + cents
