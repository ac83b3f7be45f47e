"""Payer fee schedules (the contracted allowed amount per procedure code and modifier) and underpayments.

Import (`import_fees`): a .csv file, UTF-8, with a header row naming the columns (any order, any case):
    code         required: a CPT or HCPCS code, 5 characters (99213, 90686, J1100, 0001F)
    modifier     optional: a 2-character modifier (25, 59, TC); empty means the code without a modifier
    allowed      required: the allowed amount in dollars (85.00, $1,250.00)
    description  optional, read past (fee schedules often carry one; no description is stored)
An import replaces the payer's whole schedule, or changes nothing: every row is checked first and any bad
row refuses the file, naming each bad line and what is wrong with it.

Underpayment: a claim's expected payment is, over its lines, the allowed amount of the line's code (with
the line's modifier when the schedule has that, else without one) times its units, but never more than
the line's charge (a payer pays the lower of the charge and the contracted amount). When a remittance is
posted (services.era) and the payer's payment plus the patient's responsibility falls short of that, the
claim is underpaid by the difference: it stays open (partly paid) in the work queue with the shortfall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from officemgr.models import Claim, ClaimLine, FeeSchedule, Patient, Payer, Remittance, RemittanceClaim
from officemgr.models.validation import parse_money
from officemgr.services.common import record
from officemgr.services.csv_files import FileRefused, header, read_records
from officemgr.services.format import plural

COLUMNS = ("code", "modifier", "allowed")
_IGNORED = ("description",)
_ALIASES = {
    "cpt": "code", "hcpcs": "code", "cpt_code": "code", "procedure": "code", "procedure_code": "code",
    "mod": "modifier", "allowed_amount": "allowed", "allowed_($)": "allowed", "fee": "allowed", "amount": "allowed",
    "desc": "description",
}
_CODE = re.compile(r"[0-9A-Z]{5}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
MAX_CENTS = 10_000_000  # $100,000.00 for one unit of one code: anything above is a typo
MAX_LISTED = 50
UNDERPAID_DAYS = 90


class FeesRefused(FileRefused):
    """A fee schedule not imported; the message says why (each bad row as "line N: ...")."""


@dataclass(frozen=True)
class FeeImportResult:
    payer: str
    codes: int  # rows in the new schedule
    replaced: int  # rows the payer's schedule had before


def find_payer(session: Session, name_or_id: str) -> Payer:
    """The payer by its name (any case) or its id; refused with the names to choose from."""
    text = " ".join(str(name_or_id).split())
    payer = None
    if text.isdigit():
        payer = session.get(Payer, int(text))
    if payer is None and text:
        payer = session.exec(select(Payer).where(func.lower(Payer.name) == text.lower())).first()
    if payer is None:
        names = [p.name for p in session.exec(select(Payer).order_by(Payer.name))]
        known = f" (the payers are: {', '.join(names)})" if names else " (there are no payers yet)"
        raise FeesRefused(f"there is no payer '{text}'{known}")
    return payer


def import_fees(session: Session, payer_name_or_id: str | int, path: Path, *, now: datetime,
                actor: str) -> FeeImportResult:
    """Replace the payer's fee schedule with the rows of a .csv file (format: this module's docstring), or not at all.

    Raises FeesRefused naming each bad line; then nothing is written.
    """
    path = Path(path)
    try:
        payer = find_payer(session, str(payer_name_or_id))
        fees = _read(path)
        old = session.exec(select(func.count()).select_from(FeeSchedule)
                           .where(FeeSchedule.payer_id == payer.id)).one()
        session.execute(delete(FeeSchedule).where(col(FeeSchedule.payer_id) == payer.id))
        session.add_all([FeeSchedule(payer_id=payer.id, code=code, modifier=modifier, allowed_cents=cents)
                         for (code, modifier), cents in fees.items()])
        record(session, actor=actor, entity="payer", entity_id=payer.id, action="fee_schedule",  # type: ignore[arg-type]
               changes={"file": path.name, "codes": len(fees), "replaced": old}, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return FeeImportResult(payer.name, len(fees), old)


def _read(path: Path) -> dict[tuple[str, str], int]:
    """{(code, modifier): allowed cents} from the file, or FeesRefused listing every bad line."""
    name = path.name
    records = read_records(path, command="import fees", columns=COLUMNS, refused=FeesRefused)
    header = _header(records[0][1], name)
    fees: dict[tuple[str, str], int] = {}
    first_line: dict[tuple[str, str], int] = {}
    problems: list[str] = []
    rows = 0
    for number, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        values = {column: cell.strip() for column, cell in zip(header, cells, strict=False) if column}
        found: list[str] = []
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            found.append("a value under no column (more cells than the header names)")
        key, cents = _row(values, found)
        if key is not None and key in first_line:
            shown = f"{key[0]} with modifier {key[1]}" if key[1] else f"{key[0]} (no modifier)"
            found.append(f"{shown} is also on line {first_line[key]}")
        if found:
            problems.append(f"line {number}: {'; '.join(found)}")
        elif key is not None and cents is not None:
            first_line[key] = number
            fees[key] = cents
    if problems:
        verb = "has" if len(problems) == 1 else "have"
        head = f"{name}: nothing was imported; {len(problems)} of {plural(rows, 'line')} {verb} problems:"
        more = [f"... and {len(problems) - MAX_LISTED} more"] if len(problems) > MAX_LISTED else []
        raise FeesRefused("\n".join([head, *problems[:MAX_LISTED], *more]), problems)
    if not fees:
        raise FeesRefused(f"{name} has a header but no fees")
    return fees


def _header(cells: list[str], name: str) -> list[str]:
    names = header(cells, name, known={*COLUMNS, *_IGNORED}, listed=COLUMNS, aliases=_ALIASES, refused=FeesRefused)
    missing = [column for column in ("code", "allowed") if column not in names]
    if missing:
        raise FeesRefused(f"{name}: line 1 must be a header with the columns code, modifier (optional) and allowed; "
                          f"it has no {' and no '.join(missing)} column")
    return names


def _row(values: dict[str, str], problems: list[str]) -> tuple[tuple[str, str] | None, int | None]:
    code = values.get("code", "").upper()
    modifier = values.get("modifier", "").upper()
    allowed = values.get("allowed", "")
    if not code:
        problems.append("the code is empty")
    elif not _CODE.fullmatch(code):
        problems.append(f"code '{values['code']}' is not a 5-character CPT or HCPCS code (like 99213 or J1100)")
    if modifier and not _MODIFIER.fullmatch(modifier):
        problems.append(f"modifier '{values['modifier']}' is not a 2-character modifier (like 25 or TC)")
    cents = None
    if not allowed:
        problems.append("the allowed amount is empty")
    else:
        cents = parse_money(allowed)
        if cents is None:
            if re.fullmatch(r"-\s*\$?\s*[\d,.]+|\$\s*-\s*[\d,.]+", allowed):
                problems.append(f"allowed: {allowed} is negative")
            else:
                problems.append(f"allowed: '{allowed}' is not an amount like 85.00 or $1,250.00")
        elif cents > MAX_CENTS:
            problems.append(f"allowed: {allowed} is more than $100,000.00")
            cents = None
    if problems:
        return None, None
    return (code, modifier), cents


# --- expected payment and underpayment ----------------------------------------------------------------


def line_modifiers(text: str) -> list[str]:
    """A claim line's modifiers as 2-character codes: '25', '25,59', '25 59' and '2559' all read alike."""
    return re.findall(r"[0-9A-Z]{2}", re.sub(r"[^0-9A-Z]", "", text.upper()))


def expected_cents(session: Session, claim: Claim) -> int | None:
    """What the payer's fee schedule says it should pay in all (with the patient's share), or None.

    Per line: the allowed amount for the code with the line's modifier (the first one the schedule has),
    else for the code alone, times the units, capped at the line's charge. None when the claim has no lines
    or a line's code is not on the schedule (nothing to compare with).
    """
    lines = list(session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim.id)))
    if not lines:
        return None
    codes = {line.code.upper() for line in lines}
    fees = {(fee.code, fee.modifier): fee.allowed_cents for fee in session.exec(
        select(FeeSchedule).where(FeeSchedule.payer_id == claim.payer_id, col(FeeSchedule.code).in_(codes)))}
    total = 0
    for line in lines:
        code = line.code.upper()
        allowed = next((fees[(code, m)] for m in line_modifiers(line.modifiers) if (code, m) in fees),
                       fees.get((code, "")))
        if allowed is None:
            return None
        total += min(allowed * line.units, line.charge_cents)
    return total


def shortfall_cents(session: Session, claim: Claim) -> int:
    """How much less than its fee schedule the payer paid on the claim (after patient responsibility); 0 if not."""
    expected = expected_cents(session, claim)
    if expected is None:
        return 0
    return max(0, expected - claim.paid_cents - claim.patient_resp_cents)


@dataclass(frozen=True)
class UnderpaidRow:
    payer_id: int
    payer: str
    claims: int
    shortfall_cents: int


@dataclass(frozen=True)
class UnderpaidClaim:
    claim_id: int
    number: str
    patient_name: str
    payer_id: int
    payer: str
    service_date: date
    billed_cents: int
    paid_cents: int
    patient_resp_cents: int
    shortfall_cents: int
    posted_on: date  # when the underpaying remittance was imported


def _underpaid_query(today: date, days: int):  # type: ignore[no-untyped-def]
    since = datetime.combine(today - timedelta(days=days), datetime.min.time())
    posted = (select(RemittanceClaim.claim_id, func.max(Remittance.imported_at).label("posted_at"))
              .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
              .where(col(RemittanceClaim.claim_id).is_not(None))
              .group_by(RemittanceClaim.claim_id)
              .subquery())
    return (select(Claim, Patient, Payer, posted.c.posted_at)
            .join(posted, posted.c.claim_id == Claim.id)
            .join(Patient, Patient.id == Claim.patient_id)
            .join(Payer, Payer.id == Claim.payer_id)
            .where(Claim.underpaid_cents > 0, posted.c.posted_at >= since))


def underpaid_claims(session: Session, today: date, days: int = UNDERPAID_DAYS,
                     payer_id: int | None = None) -> list[UnderpaidClaim]:
    """Claims still underpaid whose last remittance was posted in the last `days` days, largest shortfall first."""
    query = _underpaid_query(today, days)
    if payer_id is not None:
        query = query.where(Claim.payer_id == payer_id)
    rows = session.exec(query.order_by(col(Claim.underpaid_cents).desc(), Claim.service_date, Claim.id))
    return [UnderpaidClaim(claim.id, claim.number, patient.name, payer.id, payer.name,  # type: ignore[arg-type]
                           claim.service_date, claim.billed_cents, claim.paid_cents, claim.patient_resp_cents,
                           claim.underpaid_cents, _day(posted_at))
            for claim, patient, payer, posted_at in rows]


def _day(value: object) -> date:
    # func.max() over a datetime column comes back as text from SQLite.
    return value.date() if isinstance(value, datetime) else datetime.fromisoformat(str(value)).date()


def underpayments(session: Session, today: date, days: int = UNDERPAID_DAYS) -> list[UnderpaidRow]:
    """Underpaid claims by payer over the last `days` days (by when the remittance was posted), largest total first."""
    totals: dict[int, UnderpaidRow] = {}
    for row in underpaid_claims(session, today, days):
        before = totals.get(row.payer_id, UnderpaidRow(row.payer_id, row.payer, 0, 0))
        totals[row.payer_id] = UnderpaidRow(row.payer_id, row.payer, before.claims + 1,
                                            before.shortfall_cents + row.shortfall_cents)
    return sorted(totals.values(), key=lambda r: (-r.shortfall_cents, r.payer))
