"""Formatting shared by every view and report."""

from __future__ import annotations


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 claim', '2 claims'."""
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"


def days_from_now(days: int) -> str:
    """How a deadline reads: 'today', 'tomorrow', 'in 5 days', '3 days ago'."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 1:
        return f"in {days} days"
    return "yesterday" if days == -1 else f"{-days} days ago"
