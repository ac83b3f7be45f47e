"""Every practice setting as the manager sees it: its area, a plain-English label and meaning, how its value is
typed, and the check that turns what was typed into the stored value (with a message that names the field).

A value is typed as text: a number, yes/no, a list with commas ("PTO, Sick"), weekdays by name ("Mon, Tue"), or,
for the structured ones, JSON text checked field by field. `set_setting` (the manager only) checks the typed text,
refuses an edit of a value changed since it was read, and writes through settings.put, audited with the old and new
values; the services read settings afresh on each call, so a change takes effect at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from officemgr.models import Setting
from officemgr.models.people import Role
from officemgr.models.roster import CredentialKind
from officemgr.models.validation import clean_phone, unsafe_text
from officemgr.plaintext import clipped
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.calendar import federal_holidays
from officemgr.services.common import ServiceError, StaleEdit

# The other settings, as they stand, for a check that depends on one (paid kinds must be kinds of time off).
Lookup = Callable[[str], Any]
Reader = Callable[[str, Lookup], Any]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PRIVACY_TABS = ("huddle", "schedule")  # the tabs that know privacy mode
MAX_WORDS, MAX_WORD = 20, 40
MAX_DEPTH = 8  # no setting nests deeper than 3; a deeper value is refused before anything walks it
SHOWN = 40  # how much of what was typed a message repeats


class BadValue(ServiceError):
    """What the manager typed is not a value the setting may hold; the message says why."""


@dataclass(frozen=True)
class Entry:
    area: str
    label: str
    meaning: str
    kind: str  # how the value is shown and typed: number | yes_no | choice | words | weekdays | json
    read: Reader | None  # None: shown, never changed here (`read_only` says why)
    hint: str = ""  # what to type
    read_only: str = ""


@dataclass(frozen=True)
class SettingRow:
    key: str
    area: str
    label: str
    meaning: str
    hint: str
    value: str  # as the form takes it
    default: str
    changed: bool  # differs from the default
    editable: bool
    read_only: str  # why it is not editable here
    version: int  # 0: never changed (no stored row)


# -- readers: text -> value, or BadValue


def _shown(text: str) -> str:
    """What was typed, as a message may repeat it: control characters spelled out, cut short."""
    return clipped(text, SHOWN)


def _as_json(value: object) -> str:
    return _shown(json.dumps(value))


def _whole(text: str, low: int, high: int, unit: str) -> int:
    cleaned = text.strip().replace(",", "")
    try:
        number = int(cleaned)
    except ValueError:
        raise BadValue(f"type a whole number of {unit} from {low} to {high}, not '{_shown(text.strip())}'") from None
    if not low <= number <= high:
        raise BadValue(f"{_shown(str(number))} is out of range: type a whole number of {unit} from {low} to {high}")
    return number


def _number(text: object, low: float, high: float, what: str) -> float:
    if isinstance(text, bool) or not isinstance(text, (int, float, str)):
        raise BadValue(f"{what} must be a number from {low:g} to {high:g}")
    try:
        number = float(str(text).strip())
    except ValueError:
        raise BadValue(f"{what} must be a number from {low:g} to {high:g}, not '{_shown(str(text))}'") from None
    if not low <= number <= high:
        raise BadValue(f"{what} must be from {low:g} to {high:g}, not {number:g}")
    return number


def whole(low: int, high: int, unit: str) -> Reader:
    return lambda text, _: _whole(text, low, high, unit)


def yes_no(text: str, _: Lookup) -> bool:
    answer = text.strip().lower()
    if answer in {"yes", "y", "on", "true"}:
        return True
    if answer in {"no", "n", "off", "false"}:
        return False
    raise BadValue(f"type yes or no, not '{_shown(text.strip())}'")


def one_of(*choices: str) -> Reader:
    def read(text: str, _: Lookup) -> str:
        answer = text.strip().lower()
        if answer not in choices:
            raise BadValue(f"type {' or '.join(choices)}, not '{_shown(text.strip())}'")
        return answer

    return read


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _safe(text: str, what: str) -> str:
    refusal = unsafe_text(text)
    if refusal is not None:
        raise BadValue(f"{what}: {refusal}")
    if _SURROGATE.search(text):  # a JSON \ud800 escape or undecodable argv bytes: not UTF-8, so not printable
        raise BadValue(f"{what}: this holds a broken character (half of a UTF-16 pair); retype it")
    return text


def words(*, at_least: int = 0, within: str = "") -> Reader:
    """A list typed with commas; `within`: another setting every word must be one of (case as there)."""

    def read(text: str, others: Lookup) -> list[str]:
        parts = _split(_safe(text, "the list"))
        if len(parts) < at_least:
            raise BadValue("type at least one, separated by commas" if at_least == 1
                           else f"type at least {at_least}, separated by commas")
        if len(parts) > MAX_WORDS:
            raise BadValue(f"at most {MAX_WORDS} entries, not {len(parts)}")
        seen: set[str] = set()
        for part in parts:
            if len(part) > MAX_WORD:
                raise BadValue(f"'{_shown(part[:MAX_WORD])}…' is too long: at most {MAX_WORD} characters each")
            if part.lower() in seen:
                raise BadValue(f"'{_shown(part)}' is listed twice")
            seen.add(part.lower())
        if within:
            known = {str(k).lower(): str(k) for k in others(within)}
            unknown = [p for p in parts if p.lower() not in known]
            if unknown:
                raise BadValue(f"'{_shown(unknown[0])}' is not a kind of time off; the kinds are: "
                               f"{', '.join(known.values())} (setting {within})")
            parts = [known[p.lower()] for p in parts]
        return parts

    return read


def _weekday(part: str) -> int:
    word = part.strip().lower()
    if word.isascii() and word.isdigit() and int(word) < 7:  # not "²" or "٣", which int() reads or refuses
        return int(word)
    for index in range(7):
        full = date(2026, 1, 5 + index).strftime("%A").lower()
        if len(word) >= 2 and full.startswith(word):
            return index
    raise BadValue(f"'{_shown(part)}' is not a weekday: type names like Mon, Tue, Wed "
                   "(or 0 for Monday to 6 for Sunday)")


def weekdays(text: str, _: Lookup) -> list[int]:
    days = [_weekday(part) for part in _split(text)]
    if not days:
        raise BadValue("type at least one weekday, e.g. Mon, Tue, Wed, Thu, Fri")
    if len(set(days)) != len(days):
        raise BadValue("a weekday is listed twice")
    return sorted(days)


def _holiday_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for year in (2025, 2026, 2027, 2028):
        for name in federal_holidays(year).values():
            base = name.removesuffix(" (observed)")
            names[base.lower()] = base
    return names


def holiday_names(text: str, _: Lookup) -> list[str]:
    known = _holiday_names()
    chosen: list[str] = []
    for part in _split(text):
        name = known.get(part.lower())
        if name is None:
            raise BadValue(f"'{_shown(part)}' is not a federal holiday's name; the names are: "
                           f"{', '.join(known.values())}")
        if name in chosen:
            raise BadValue(f"'{name}' is listed twice")
        chosen.append(name)
    return chosen


def privacy_tabs(text: str, _: Lookup) -> list[str]:
    chosen: list[str] = []
    for part in _split(text):
        if part.lower() not in PRIVACY_TABS:
            raise BadValue(f"'{_shown(part)}' is not a tab with privacy mode: type huddle, schedule or both with a "
                           "comma; empty for none")
        if part.lower() not in chosen:
            chosen.append(part.lower())
    return chosen


def aging_edges(text: str, _: Lookup) -> list[int]:
    parts = _split(text)
    if not parts:
        raise BadValue("type the days that end each bucket but the last, e.g. 30, 60, 90, 120")
    edges = [_whole(p, 1, 3650, "days") for p in parts]
    if len(edges) > 8:
        raise BadValue(f"at most 8 edges (9 buckets), not {len(edges)}")
    for before, after in zip(edges, edges[1:], strict=False):
        if after <= before:
            raise BadValue(f"each edge must be larger than the one before it: {after} follows {before}")
    return edges


# -- structured values: JSON text, checked field by field


def _json(text: str, shape: type, example: str) -> Any:
    try:
        value = json.loads(_safe(text, "the value"))
    except json.JSONDecodeError as exc:
        raise BadValue(f"this is not readable as JSON (at character {exc.pos + 1}); it looks like {example}") from None
    except (RecursionError, ValueError):  # nested past Python's limit, or a number of thousands of digits
        raise BadValue(f"this is not readable as JSON; it looks like {example}") from None
    if not isinstance(value, shape):
        raise BadValue(f"type it like {example}")
    if _depth(value) > MAX_DEPTH:
        raise BadValue(f"this nests lists or {{…}} too deeply; it looks like {example}")
    return value


def _depth(value: object) -> int:
    """How deeply lists and objects nest in decoded JSON (1: neither), walked without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        pending.extend((child, level + 1) for child in children)
    return deepest


def _fields(value: Mapping[str, Any], required: tuple[str, ...], optional: tuple[str, ...] = (), *,
            where: str = "") -> None:
    prefix = f"{where}: " if where else ""
    unknown = [k for k in value if k not in required + optional]
    if unknown:
        raise BadValue(f"{prefix}'{unknown[0]}' is not a field here; the fields are "
                       f"{', '.join(required + optional)}")
    missing = [k for k in required if k not in value]
    if missing:
        raise BadValue(f"{prefix}the field '{missing[0]}' is missing")


def _int_field(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadValue(f"{what} must be a whole number from {low} to {high}, not {_as_json(value)}")
    return value


def _text_field(value: object, most: int, what: str) -> str:
    if not isinstance(value, str):
        raise BadValue(f"{what} must be text in quotes, not {_as_json(value)}")
    text = _safe(value.strip(), what)
    if len(text) > most:
        raise BadValue(f"{what} is at most {most} characters")
    return text


def _role(name: object, where: str) -> str:
    roles = {r.value for r in Role}
    if not isinstance(name, str) or name not in roles:  # a list or {…} is not a role (nor hashable)
        shown = _shown(name) if isinstance(name, str) else _as_json(name)
        raise BadValue(f"{where}: '{shown}' is not a role; the roles are {', '.join(sorted(roles))}")
    return name


def min_staffing(text: str, _: Lookup) -> list[dict[str, Any]]:
    example = '[{"label": "Front desk", "roles": ["front_desk"], "base": 1, "per_provider": 0}]'
    rows = _json(text, list, example)
    if len(rows) > 10:
        raise BadValue("at most 10 rows")
    result = []
    for number, row in enumerate(rows, 1):
        where = f"row {number}"
        if not isinstance(row, dict):
            raise BadValue(f"{where} must be like {example[1:-1]}")
        _fields(row, ("label", "roles", "base", "per_provider"), where=where)
        label = _text_field(row["label"], 40, f"{where}'s label")
        if not label:
            raise BadValue(f"{where}'s label is empty")
        where = f"row {number} ({label})"
        if not isinstance(row["roles"], list) or not row["roles"]:
            raise BadValue(f"{where}: roles must be a list of at least one role, like [\"ma\", \"nurse\"]")
        roles = [_role(r, where) for r in row["roles"]]
        result.append({"label": label, "roles": roles, "base": _int_field(row["base"], 0, 20, f"{where}: base"),
                       "per_provider": _int_field(row["per_provider"], 0, 10, f"{where}: per_provider")})
    return result


def pay_period(text: str, others: Lookup) -> dict[str, str]:
    value = _json(text, dict, '{"kind": "biweekly", "anchor": "2026-01-05"}')
    _fields(value, ("kind",), ("anchor",))
    kind = value["kind"]
    if kind not in ("weekly", "biweekly", "semimonthly"):
        raise BadValue(f"kind must be weekly, biweekly or semimonthly, not {_as_json(kind)}")
    if kind == "semimonthly":
        return {"kind": kind}  # the 1st–15th and the 16th–month end: an anchor means nothing
    anchor_text = value.get("anchor")
    if kind == "biweekly" and not anchor_text:
        raise BadValue("a biweekly pay period needs an anchor: the first day of any one pay period, like 2026-01-05")
    if not anchor_text:
        return {"kind": kind}
    try:
        if not isinstance(anchor_text, str):
            raise ValueError(anchor_text)
        anchor = date.fromisoformat(anchor_text)
    except ValueError:
        raise BadValue(f"anchor must be a real date like 2026-01-05, not {_as_json(anchor_text)}") from None
    start = int(others("workweek_start"))
    if anchor.weekday() != start:
        raise BadValue(f"anchor must start a pay period, which starts on the workweek's first day "
                       f"({date(2026, 1, 5 + start):%A}); {anchor.isoformat()} is a {anchor:%A}")
    return {"kind": kind, "anchor": anchor.isoformat()}


def required_credentials(text: str, _: Lookup) -> dict[str, list[str]]:
    value = _json(text, dict, '{"ma": ["bls", "hipaa_training"], "front_desk": ["hipaa_training"]}')
    kinds = {k.value for k in CredentialKind}
    result: dict[str, list[str]] = {}
    for role, needed in value.items():
        _role(role, "a key")
        if not isinstance(needed, list):
            raise BadValue(f"{role}: the credentials must be a list, like [\"bls\", \"hipaa_training\"]")
        for kind in needed:
            if not isinstance(kind, str) or kind not in kinds:  # a list or {…} is not a kind (nor hashable)
                shown = _shown(kind) if isinstance(kind, str) else _as_json(kind)
                raise BadValue(f"{role}: '{shown}' is not a kind of credential; the kinds are "
                               f"{', '.join(sorted(kinds))}")
        if len(set(needed)) != len(needed):
            raise BadValue(f"{role}: a credential is listed twice")
        result[role] = list(needed)
    return result


RANGE_LIMITS = {"fridge": (-10.0, 20.0), "freezer": (-90.0, 0.0)}


def temperature_ranges(text: str, _: Lookup) -> dict[str, list[float]]:
    value = _json(text, dict, '{"fridge": [2.0, 8.0], "freezer": [-50.0, -15.0]}')
    _fields(value, tuple(RANGE_LIMITS))
    result = {}
    for unit, (lowest, highest) in RANGE_LIMITS.items():
        ends = value[unit]
        if not isinstance(ends, list) or len(ends) != 2:
            raise BadValue(f"{unit} must be two numbers [low, high] in °C, like [2.0, 8.0]")
        low = _number(ends[0], lowest, highest, f"{unit}'s low end (°C)")
        high = _number(ends[1], lowest, highest, f"{unit}'s high end (°C)")
        if low >= high:
            raise BadValue(f"{unit}'s low end ({low:g} °C) must be below its high end ({high:g} °C)")
        result[unit] = [low, high]
    return result


def investigate_days(text: str, _: Lookup) -> dict[str, int]:
    value = _json(text, dict, '{"electronic": 21, "paper": 30}')
    _fields(value, ("electronic", "paper"))
    return {k: _int_field(value[k], 1, 365, f"{k} (days)") for k in ("electronic", "paper")}


def kpi_targets(text: str, _: Lookup) -> dict[str, float | int]:
    value = _json(text, dict, '{"days_in_ar": 40, "denial_rate_pct": 5.0, "net_collection_pct": 95.0}')
    _fields(value, ("days_in_ar", "denial_rate_pct", "net_collection_pct"))
    return {"days_in_ar": _int_field(value["days_in_ar"], 1, 365, "days_in_ar (days)"),
            "denial_rate_pct": _number(value["denial_rate_pct"], 0, 100, "denial_rate_pct (%)"),
            "net_collection_pct": _number(value["net_collection_pct"], 0, 100, "net_collection_pct (%)")}


def practice(text: str, _: Lookup) -> dict[str, str]:
    value = _json(text, dict, '{"name": "Main Street Family Medicine", "address": "1 Main St", '
                              '"phone": "555-123-4567"}')
    _fields(value, ("name", "address", "phone"))
    name = _text_field(value["name"], 80, "name")
    address = _text_field(value["address"], 200, "address")
    try:
        phone = clean_phone(_text_field(value["phone"], 30, "phone"))
    except ValueError as exc:
        raise BadValue(f"phone: {exc}") from None
    return {"name": name, "address": address, "phone": phone}


def sick_leave(text: str, _: Lookup) -> dict[str, Any]:
    value = _json(text, dict, '{"hours": 1, "per_hours_worked": 30, "carry_over_cap": 40, "reset": "01-01"}')
    _fields(value, ("hours", "per_hours_worked", "carry_over_cap", "reset"))
    hours = _number(value["hours"], 0, 40, "hours (accrued)")
    per = _number(value["per_hours_worked"], 1, 200, "per_hours_worked")
    cap = None if value["carry_over_cap"] is None else _number(value["carry_over_cap"], 0, 2080, "carry_over_cap")
    reset = value["reset"]
    # Two digits each: a longer number would overflow date() instead of being refused by it.
    parts = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", reset, re.ASCII) if isinstance(reset, str) else None
    try:
        if parts is None:
            raise ValueError(reset)
        month, day = int(parts[1]), int(parts[2])
        date(2025, month, day)  # not a leap year: a year cannot start on Feb 29
    except ValueError:
        raise BadValue(f"reset must be a month and day like 01-01 (Feb 29 is not one every year), "
                       f"not {_as_json(reset)}") from None
    return {"hours": _tidy(hours), "per_hours_worked": _tidy(per),
            "carry_over_cap": None if cap is None else _tidy(cap), "reset": f"{month:02d}-{day:02d}"}


def _tidy(number: float) -> float | int:
    """30.0 stored as 30, as the default has it."""
    return int(number) if number == int(number) else number


S, P, INV, B, C, Y, R = ("Schedule", "Staff & payroll", "Inventory", "Billing", "Compliance", "Security", "Practice")
DAYS = "days"

CATALOGUE: dict[str, Entry] = {
    # Practice
    "practice": Entry(R, "Practice name, address and phone",
                      "The practice as they name it, on statements and printed reports.", "json", practice,
                      'JSON: {"name": "…", "address": "…", "phone": "555-123-4567"}'),
    "open_weekdays": Entry(R, "Days the practice is open",
                           "The weekdays the office is open (the practice calendar; closures are separate).",
                           "weekdays", weekdays, "weekdays, e.g. Mon, Tue, Wed, Thu, Fri"),
    "open_on_holidays": Entry(R, "Federal holidays worked",
                              "Federal holidays the practice works anyway, by name (e.g. Columbus Day).",
                              "words", holiday_names, "holiday names with commas, or empty for none"),
    # Schedule
    "eligibility_valid_days": Entry(S, "Eligibility check valid for",
                                    "An insurance eligibility check counts for a visit this many days after it.",
                                    "number", whole(1, 365, DAYS), "days, 1–365"),
    "privacy_tabs": Entry(S, "Tabs in privacy mode",
                          "Tabs that show patients as initials and age until v reveals one row for a few seconds.",
                          "words", privacy_tabs, "huddle, schedule or both with a comma; empty for none"),
    # Staff & payroll
    "min_staffing": Entry(P, "Minimum staffing",
                          "People on shift for each open hour: base plus per working provider, for a group of "
                          "roles that can stand in for each other.", "json", min_staffing,
                          'JSON rows: [{"label": "…", "roles": ["ma"], "base": 0, "per_provider": 1}]'),
    "pay_period": Entry(P, "Pay period",
                        "Weekly, biweekly (counted from the anchor, the first day of any one period) or "
                        "semimonthly (1st–15th, 16th–month end).", "json", pay_period,
                        'JSON: {"kind": "biweekly", "anchor": "2026-01-05"}'),
    "workweek_start": Entry(P, "Workweek starts on",
                            "The FLSA workweek, a fixed 7-day period for overtime: the day it starts (move a weekly or "
                            "biweekly pay period's anchor to this day after changing it).",
                            "weekdays", lambda text, others: _one_weekday(text), "one weekday, e.g. Mon"),
    "overtime_after_hours": Entry(P, "Overtime after (hours a week)",
                                  "Hours worked in a workweek beyond this are overtime.", "number",
                                  whole(1, 80, "hours"), "hours, 1–80"),
    "time_off_kinds": Entry(P, "Kinds of time off", "The kinds of absence the roster offers.", "words",
                            words(at_least=1), "kinds with commas, e.g. PTO, Sick, Unpaid"),
    "paid_time_off_kinds": Entry(P, "Paid kinds of time off",
                                 "Kinds of time off counted as hours worked for payroll.", "words",
                                 words(within="time_off_kinds"), "kinds of time off, with commas"),
    "pto_kinds": Entry(P, "Kinds drawing on the PTO allowance",
                       "Kinds of time off that draw down the yearly PTO allowance.", "words",
                       words(within="time_off_kinds"), "kinds of time off, with commas"),
    "sick_leave_default": Entry(P, "Default sick leave",
                                "For anyone without a plan of their own or their role's: hours accrued per hours "
                                "worked, the most that carries into a new year, and the day the year starts.",
                                "json", sick_leave,
                                'JSON: {"hours": 1, "per_hours_worked": 30, "carry_over_cap": 40, "reset": "01-01"}'),
    "punch_grace_minutes": Entry(P, "Punch grace (minutes)",
                                 "A punch this many minutes after the shift's start (or before its end) is not late "
                                 "(or early).", "number", whole(0, 60, "minutes"), "minutes, 0–60"),
    "required_credentials": Entry(P, "Required credentials per role",
                                  "Credentials a role must hold while active; an expired one shows red wherever "
                                  "the person appears.", "json", required_credentials,
                                  'JSON: {"ma": ["bls", "hipaa_training"], …}'),
    "caqh_reattest_days": Entry(P, "CAQH re-attestation every",
                                "Days between a provider's CAQH re-attestations.", "number", whole(1, 365, DAYS),
                                "days, 1–365"),
    "enrollment_warn_days": Entry(P, "Payer enrollment warning",
                                  "Days ahead a payer enrollment's renewal is listed.", "number",
                                  whole(0, 365, DAYS), "days, 0–365"),
    "probation_review_days": Entry(P, "Probation review after",
                                   "A new hire's probation review, this many days after the start date; yearly "
                                   "evaluations after it.", "number", whole(1, 365, DAYS), "days, 1–365"),
    "applicant_retention_days": Entry(P, "Keep declined applicants for",
                                      "Applicants not hired are purged this many days after they were declined or "
                                      "withdrew (EEOC: keep a year).", "number", whole(365, 3650, DAYS),
                                      "days, 365–3650"),
    # Inventory
    "expiry_warn_days": Entry(INV, "Expiry warning", "Lots expiring within this many days are listed on the Huddle.",
                              "number", whole(0, 365, DAYS), "days, 0–365"),
    "equipment_due_warn_days": Entry(INV, "Equipment service warning",
                                     "Equipment due for service within this many days is listed on the Huddle.",
                                     "number", whole(0, 365, DAYS), "days, 0–365"),
    # Billing
    "aging_bucket_edges": Entry(B, "A/R aging buckets",
                                "The upper edge (days) of each aging bucket but the last.", "words", aging_edges,
                                "increasing days with commas, e.g. 30, 60, 90, 120"),
    "aging_from": Entry(B, "A/R age counts from",
                        "Whether a claim's age counts from the date of service or from submission.", "choice",
                        one_of("service", "submission"), "service or submission"),
    "investigate_after_days": Entry(B, "Investigate a quiet claim after",
                                    "A claim with no activity this many days comes back into the queue as needing "
                                    "investigation, electronic and paper.", "json", investigate_days,
                                    'JSON: {"electronic": 21, "paper": 30}'),
    "deadline_escalate_days": Entry(B, "Escalate near a deadline",
                                    "A claim this many days from its filing or appeal deadline goes to the top of "
                                    "the queue.", "number", whole(0, 180, DAYS), "days, 0–180"),
    "kpi_targets": Entry(B, "Billing targets",
                         "Days in A/R under, denial rate under, net collection rate over.", "json", kpi_targets,
                         'JSON: {"days_in_ar": 40, "denial_rate_pct": 5.0, "net_collection_pct": 95.0}'),
    "small_balance_cents": Entry(B, "Small balance write-off (cents)",
                                 "A patient balance at or under this may be written off at the desk instead of "
                                 "billed.", "number", whole(0, 10_000, "cents"), "cents, 0–10000"),
    "statement_min_cents": Entry(B, "Statement minimum (cents)", "Statements go to balances of at least this.",
                                 "number", whole(0, 100_000, "cents"), "cents, 0–100000"),
    "statement_cycle_days": Entry(B, "Statement cycle", "At most one statement per patient in this many days.",
                                  "number", whole(1, 120, DAYS), "days, 1–120"),
    # Compliance
    "temperature_ranges": Entry(C, "Vaccine storage ranges (°C)",
                                "Acceptable range per kind of unit, ends included (CDC: fridge 2–8, freezer −50 "
                                "to −15).", "json", temperature_ranges,
                                'JSON: {"fridge": [2.0, 8.0], "freezer": [-50.0, -15.0]}'),
    "temperature_log_weekdays": Entry(C, "Temperature readings due on",
                                      "The weekdays a vaccine fridge reading is due.", "weekdays", weekdays,
                                      "weekdays, e.g. Mon, Tue, Wed, Thu, Fri"),
    "temperature_concern_due_days": Entry(C, "Act on an excursion within",
                                          "Days to act on a temperature excursion.", "number", whole(0, 30, DAYS),
                                          "days, 0–30"),
    "concern_ack_business_days": Entry(C, "Acknowledge a concern within",
                                       "Complaints, incidents and near misses are acknowledged within this many "
                                       "business days of their discovery.", "number",
                                       whole(0, 30, "business days"), "business days, 0–30"),
    "policy_sign_days": Entry(C, "Sign a new policy within",
                              "A new policy version is signed by everyone it applies to within this many days of "
                              "its effective date.", "number", whole(1, 365, DAYS), "days, 1–365"),
    # Security
    "lock_idle_minutes": Entry(Y, "Lock after idle (minutes)",
                               "The app locks after this many minutes without a key or mouse input; 0 = never.",
                               "number", whole(0, 240, "minutes"), "minutes, 0–240 (0 never locks)"),
    "emergency_access": Entry(Y, "Emergency access allowed",
                              "A signed-in person may open a part their roles do not after giving a reason; "
                              "audited and listed on the next Huddle.", "yes_no", yes_no, "yes or no"),
    "demo_data": Entry(Y, "Demo practice", "Made-up patients written by officemgr demo: opening it asks no PIN.",
                       "yes_no", None,
                       read_only="set only by officemgr demo: turning it on would let anyone in without a PIN"),
}
AREAS = (R, S, P, INV, B, C, Y)


def _one_weekday(text: str) -> int:
    days = _split(text)
    if len(days) != 1:
        raise BadValue("type one weekday, e.g. Mon")
    return _weekday(days[0])


# -- showing values as the form takes them


def as_text(key: str, value: Any) -> str:
    kind = CATALOGUE[key].kind
    if kind == "yes_no":
        return "yes" if value else "no"
    if kind == "weekdays":
        days = value if isinstance(value, list) else [value]
        return ", ".join(WEEKDAYS[int(d)] if str(d).isdigit() and int(d) < 7 else str(d) for d in days)
    if kind == "words":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else json.dumps(value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_value(key: str, text: str, others: Lookup) -> Any:
    """The value `text` stands for, checked (BadValue says why); refused for a setting not changed here."""
    entry = CATALOGUE.get(key)
    if entry is None:
        raise BadValue(f"there is no setting called {key}")
    if entry.read is None:
        raise BadValue(f"{entry.label} is not changed here: {entry.read_only}")
    if len(text) > 4000:
        raise BadValue("this is too long: at most 4,000 characters")
    return entry.read(text, others)


# -- reading and changing


def _stored_version(session: Session, key: str) -> int:
    row = session.get(Setting, key)
    return 0 if row is None else row.version


def _row(session: Session, key: str) -> SettingRow:
    entry = CATALOGUE[key]
    value = settings.get(session, key)
    default = settings.DEFAULTS[key]
    return SettingRow(key, entry.area, entry.label, entry.meaning, entry.hint, as_text(key, value),
                      as_text(key, default), value != default, entry.read is not None, entry.read_only,
                      _stored_version(session, key))


def list_settings(session: Session, *, actor: str) -> list[SettingRow]:
    """Every catalogued setting, by area (in AREAS' order), in the catalogue's order within one."""
    require(actor, Area.settings, write=False, what="seeing the practice's settings")
    keys = sorted(CATALOGUE, key=lambda k: AREAS.index(CATALOGUE[k].area))
    return [_row(session, key) for key in keys]


def setting_row(session: Session, key: str, *, actor: str) -> SettingRow:
    require(actor, Area.settings, write=False, what="seeing the practice's settings")
    if key not in CATALOGUE:
        raise BadValue(f"there is no setting called {key}")
    return _row(session, key)


def _write(session: Session, key: str, value: Any, *, now: datetime, actor: str,
           expected_version: int | None) -> SettingRow:
    if expected_version is not None and _stored_version(session, key) != expected_version:
        raise StaleEdit()
    if value != settings.get(session, key):
        settings.put(session, key, value, now=now, actor=actor)  # audited with the old and new values; commits
    return _row(session, key)


def set_setting(session: Session, key: str, text: str, *, now: datetime, actor: str,
                expected_version: int | None = None) -> SettingRow:
    """Change `key` to the value `text` stands for (the manager only); `expected_version` (the row's version as
    read, 0 when never changed) refuses an edit made stale by another. Nothing is written when it is unchanged."""
    require(actor, Area.settings, what="changing the practice's settings")
    value = read_value(key, text, lambda other: settings.get(session, other))
    return _write(session, key, value, now=now, actor=actor, expected_version=expected_version)


def reset_setting(session: Session, key: str, *, now: datetime, actor: str,
                  expected_version: int | None = None) -> SettingRow:
    """Put `key` back to its default (the manager only)."""
    require(actor, Area.settings, what="changing the practice's settings")
    entry = CATALOGUE.get(key)
    if entry is None:
        raise BadValue(f"there is no setting called {key}")
    if entry.read is None:
        raise BadValue(f"{entry.label} is not changed here: {entry.read_only}")
    return _write(session, key, settings.DEFAULTS[key], now=now, actor=actor, expected_version=expected_version)
