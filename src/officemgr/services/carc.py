"""CARC codes as people type them: "CO-45", "CO 45", "CO45", "co45", "045" and "45" all mean reason 45 (with the
contractual group where one is given). Used for the meaning shown and for the work queue's denial filter."""

from __future__ import annotations

import re
from dataclasses import dataclass

GROUPS = ("CO", "PR", "OA", "PI", "CR")
# A group (optional), a separator (optional), then the reason: a number, or a letter and a number (A1, B7, P12).
_TYPED = re.compile(r"^(?:(CO|PR|OA|PI|CR)\s*[-:/ ]?\s*)?([A-Z]?)0*(\d{1,3})$")


@dataclass(frozen=True)
class TypedCarc:
    group: str | None  # "CO", "PR", "OA", "PI", "CR", or None when only the reason was typed
    code: str  # "45", "B7": the form the code set and the 835 use, without leading zeros


def parse_carc(text: str) -> TypedCarc | None:
    """The group and reason code in `text`, or None when it is not a CARC code as typed."""
    match = _TYPED.match(text.strip().upper())
    if match is None or not int(match.group(3)) and not match.group(2):
        return None
    return TypedCarc(match.group(1), f"{match.group(2)}{int(match.group(3))}")
