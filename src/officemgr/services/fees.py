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
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import delete, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from officemgr.models import Claim, ClaimLine, FeeSchedule, Patient, Payer, Remittance, RemittanceClaim
from officemgr.services.access import Area, require
from officemgr.services.common import record
from officemgr.services.csv_files import (
    Cells,
    FileRefused,
    Layout,
    amount,
    by_line,
    cell,
    echo,
    named,
    read_table,
    refusal,
    validate,
)

COLUMNS = ("code", "modifier", "allowed")
_ALIASES = {
    "cpt": "code", "hcpcs": "code", "cpt_code": "code", "procedure": "code", "procedure_code": "code",
    "mod": "modifier", "allowed_amount": "allowed", "allowed_($)": "allowed", "fee": "allowed", "amount": "allowed",
    "desc": "description",
}
LAYOUT = Layout("import fees", COLUMNS, "fees", required=("code", "allowed"), aliases=_ALIASES,
                read_past=("description",))
_CODE = re.compile(r"[0-9A-Z]{5}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
MAX_CENTS = 10_000_000  # $100,000.00 for one unit of one code: anything above is a typo
UNDERPAID_DAYS = 90
_CHUNK = 500  # claim ids in one IN (...) query


class FeesRefused(FileRefused):
    """A fee schedule not imported; the message says why (each bad row as "line N: ...")."""


class FeeRow(BaseModel):
    """One line of a fee schedule file: the allowed amount of a code, with a modifier or without one ("")."""

    model_config = ConfigDict(frozen=True)

    code: str
    modifier: str = ""
    allowed_cents: Annotated[int, cell(amount(MAX_CENTS, "85.00"))]

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.fullmatch(value.upper()):
            raise named(f"code '{value}' is not a 5-character CPT or HCPCS code (like 99213 or J1100)")
        return value.upper()

    @field_validator("modifier")
    @classmethod
    def _modifier(cls, value: str) -> str:
        if value and not _MODIFIER.fullmatch(value.upper()):
            raise named(f"modifier '{value}' is not a 2-character modifier (like 25 or TC)")
        return value.upper()

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.modifier)


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
        raise FeesRefused(f"there is no payer '{echo(text)}'{known}")
    return payer


def import_fees(session: Session, payer_name_or_id: str | int, path: Path, *, now: datetime,
                actor: str) -> FeeImportResult:
    """Replace the payer's fee schedule with the rows of a .csv file (format: this module's docstring), or not at all.

    Raises FeesRefused naming each bad line; then nothing is written.
    """
    path = Path(path)
    try:
        payer = find_payer(session, str(payer_name_or_id))
        assert payer.id is not None  # read from the database
        fees = _read(path)
        old = session.exec(select(func.count()).select_from(FeeSchedule)
                           .where(FeeSchedule.payer_id == payer.id)).one()
        session.execute(delete(FeeSchedule).where(col(FeeSchedule.payer_id) == payer.id))
        session.add_all([FeeSchedule(payer_id=payer.id, code=code, modifier=modifier, allowed_cents=cents)
                         for (code, modifier), cents in fees.items()])
        record(session, actor=actor, entity="payer", entity_id=payer.id, action="fee_schedule",
               changes={"file": path.name, "codes": len(fees), "replaced": old}, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return FeeImportResult(payer.name, len(fees), old)


def _read(path: Path) -> dict[tuple[str, str], int]:
    """{(code, modifier): allowed cents} from the file, or FeesRefused listing every bad line."""
    table = read_table(path, LAYOUT, FeesRefused)
    problems = list(table.problems)
    bad = {line for line, _ in problems}
    fees: dict[tuple[str, str], int] = {}
    first_line: dict[tuple[str, str], int] = {}
    for row in table.rows:
        if row.line in bad:
            continue
        fee, found = _row(Cells(row))
        if fee is not None and fee.key in first_line:
            shown = f"{fee.code} with modifier {fee.modifier}" if fee.modifier else f"{fee.code} (no modifier)"
            found.append(f"{shown} is also on line {first_line[fee.key]}")
        if found:
            problems.append((row.line, "; ".join(found)))
        elif fee is not None:
            first_line[fee.key] = row.line
            fees[fee.key] = fee.allowed_cents
    if problems:
        listed = by_line(problems)
        raise FeesRefused(refusal(table.name, listed, len(table.rows)), listed)
    return fees


def _row(cells: Cells) -> tuple[FeeRow | None, list[str]]:
    if not cells.required("code", "allowed"):
        return None, cells.problems
    values = {"code": cells.text("code"), "modifier": cells.text("modifier"), "allowed_cents": cells.text("allowed")}
    return validate(FeeRow, values, {"allowed_cents": "allowed"})


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
    return expected_for(session, [claim]).get(claim.id or 0)


def expected_for(session: Session, claims: list[Claim]) -> dict[int, int | None]:
    """`expected_cents` of each claim by its id, in a few queries for any number of claims (an 835 posts thousands)."""
    ids = [claim.id for claim in claims if claim.id is not None]
    lines: dict[int, list[ClaimLine]] = {}
    for start in range(0, len(ids), _CHUNK):
        for line in session.exec(select(ClaimLine).where(col(ClaimLine.claim_id).in_(ids[start:start + _CHUNK]))
                                 .order_by(col(ClaimLine.id))):
            lines.setdefault(line.claim_id, []).append(line)
    payers = {claim.payer_id for claim in claims if claim.id in lines}
    fees: dict[int, dict[tuple[str, str], int]] = {}
    if payers:
        for fee in session.exec(select(FeeSchedule).where(col(FeeSchedule.payer_id).in_(payers))):
            fees.setdefault(fee.payer_id, {})[(fee.code, fee.modifier)] = fee.allowed_cents
    return {claim.id: _expected(lines.get(claim.id, []), fees.get(claim.payer_id, {}))
            for claim in claims if claim.id is not None}


def _expected(lines: list[ClaimLine], fees: dict[tuple[str, str], int]) -> int | None:
    if not lines:
        return None
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


def _underpaid_query(today: date, days: int) -> Select[Claim, Patient, Payer, Any]:
    since = datetime.combine(today - timedelta(days=days), datetime.min.time())
    posted = (select(col(RemittanceClaim.claim_id), func.max(Remittance.imported_at).label("posted_at"))
              .join(Remittance, col(Remittance.id) == RemittanceClaim.remittance_id)
              .where(col(RemittanceClaim.claim_id).is_not(None))
              .group_by(col(RemittanceClaim.claim_id))
              .subquery())
    return (select(Claim, Patient, Payer, posted.c.posted_at)
            .join(posted, posted.c.claim_id == Claim.id)
            .join(Patient, col(Patient.id) == Claim.patient_id)
            .join(Payer, col(Payer.id) == Claim.payer_id)
            .where(Claim.underpaid_cents > 0, posted.c.posted_at >= since))


def underpaid_claims(session: Session, today: date, days: int = UNDERPAID_DAYS,
                     payer_id: int | None = None) -> list[UnderpaidClaim]:
    """Claims still underpaid whose last remittance was posted in the last `days` days, largest shortfall first."""
    query = _underpaid_query(today, days)
    if payer_id is not None:
        query = query.where(Claim.payer_id == payer_id)
    rows = session.exec(query.order_by(col(Claim.underpaid_cents).desc(), col(Claim.service_date), col(Claim.id)))
    return [UnderpaidClaim(_id(claim), claim.number, patient.name, _id(payer), payer.name,
                           claim.service_date, claim.billed_cents, claim.paid_cents, claim.patient_resp_cents,
                           claim.underpaid_cents, _day(posted_at))
            for claim, patient, payer, posted_at in rows]


def _id(row: Claim | Payer) -> int:
    assert row.id is not None  # read from the database
    return row.id


def _day(value: object) -> date:
    # func.max() over a datetime column comes back as text from SQLite.
    return value.date() if isinstance(value, datetime) else datetime.fromisoformat(str(value)).date()


def underpayments(session: Session, today: date, days: int = UNDERPAID_DAYS, *, actor: str) -> list[UnderpaidRow]:
    """Underpaid claims by payer over the last `days` days (by when the remittance was posted), largest total first."""
    require(actor, Area.billing, write=False, what="the underpayments report")
    totals: dict[int, UnderpaidRow] = {}
    for row in underpaid_claims(session, today, days):
        before = totals.get(row.payer_id, UnderpaidRow(row.payer_id, row.payer, 0, 0))
        totals[row.payer_id] = UnderpaidRow(row.payer_id, row.payer, before.claims + 1,
                                            before.shortfall_cents + row.shortfall_cents)
    return sorted(totals.values(), key=lambda r: (-r.shortfall_cents, r.payer))
