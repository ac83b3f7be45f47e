"""One line on the Huddle: its own module so each area's lines can be built where that area lives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HuddleItem:
    text: str
    reason: str
    tab: str
    record_id: int | None = None
    urgent: bool = False
    # Stable id of the item across days ("noshow:appt:123", "action:7"): snoozes and reviews refer to it.
    key: str = ""
    # With privacy on, `text` names a patient by initials and age; this is the same line with the full name, for a
    # reveal on screen (never printed). Empty when the line names no patient or privacy is off.
    full_text: str = ""
