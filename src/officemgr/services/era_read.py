"""Read an 835 file into payments: `parse(path)` checks the file (services.era_x12) and touches no database.

Each check (BPR02) must equal its claim payments less the provider-level adjustments (PLB), and each claim's charge
less its payment must equal its adjustments (claim and service-line CAS); otherwise the file is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from officemgr.services.csv_files import MAX_PROBLEM, echo, read_limited
from officemgr.services.era_x12 import (
    MAX_WARNING,
    EraRefused,
    Seg,
    check_kind,
    line_of,
    prepare,
    quiet_pyx12,
    read_segments,
    unsafe_values,
    validate,
)
from officemgr.services.format import money, plural

PROCESSED = {"1": "primary", "2": "secondary", "3": "tertiary", "19": "primary", "20": "secondary", "21": "tertiary"}
DENIED = "4"
REVERSAL = "22"
NOT_POSTED = {"23": "the payer forwarded it to another payer", "25": "predetermination pricing only, no payment"}
# Where a claim payment gives the date of service, best first: the claim statement period's start, the older
# service-line period start, a service line's date.
SERVICE_DATES = ("232", "150", "472")
GROUPS = {"CO": "contractual", "PR": "patient responsibility", "OA": "other", "PI": "payer initiated",
          "CR": "correction"}



@dataclass(frozen=True)
class Adjustment:
    group: str  # CO, PR, OA, PI, CR
    carc: str  # claim adjustment reason code
    cents: int

    def as_text(self) -> str:
        return f"{self.group} {self.carc} {money(self.cents)}"


@dataclass(frozen=True)
class ClaimPayment:
    """One CLP loop: the payer's answer on one claim."""

    line: int  # where the CLP segment is in the file
    number: str  # CLP01: the claim number the practice sent
    status_code: str  # CLP02
    charge_cents: int  # CLP03
    paid_cents: int  # CLP04
    patient_resp_cents: int  # CLP05 (0 when empty)
    adjustments: tuple[Adjustment, ...]  # claim-level and service-line CAS, in file order
    # Who and when, to find the claim when its number matches none: NM1*QC (last, first; NM109 member id) and
    # the service date (DTM*232 claim statement start, else DTM*150 or the first service line's DTM*472).
    patient_name: str = ""
    member_id: str = ""
    service_date: date | None = None

    def total(self, group: str) -> int:
        return sum(a.cents for a in self.adjustments if a.group == group)


# PLB03-1 adjustment reason codes a small practice meets (X12 5010 835 code list).
PLB_REASONS = {"L6": "interest", "WO": "overpayment recovery", "FB": "forward balance", "72": "authorized return",
               "CS": "adjustment", "J1": "nonreimbursable", "WU": "unspecified recovery", "L3": "penalty",
               "50": "late charge", "90": "early payment allowance", "AH": "origination fee"}


@dataclass(frozen=True)
class PlbItem:
    """One provider-level adjustment (PLB03/04 pair): positive taken from the check, negative added (interest)."""

    reason: str
    reference: str
    cents: int

    def as_text(self) -> str:
        meaning = PLB_REASONS.get(self.reason, "provider adjustment")
        ref = f" ({self.reference})" if self.reference else ""
        return f"{self.reason} {meaning}{ref} {money(-self.cents)}"


@dataclass(frozen=True)
class Payment:
    """One transaction (ST..SE): one check or EFT from one payer."""

    payer_name: str
    check_number: str
    paid_cents: int  # BPR02
    paid_on: date | None  # DTM*405 production date, else BPR16
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[PlbItem, ...] = ()  # PLB: kept with the check, not only checked in the totals

    @property
    def provider_adjustment_cents(self) -> int:
        """The PLB total (positive: withheld from the check)."""
        return sum(item.cents for item in self.provider_adjustments)


@dataclass(frozen=True)
class Remit:
    file_name: str
    file_hash: str
    payments: tuple[Payment, ...]
    warnings: tuple[str, ...] = ()

    @property
    def claims(self) -> list[ClaimPayment]:
        return [claim for payment in self.payments for claim in payment.claims]

    @property
    def payer_name(self) -> str:
        return ", ".join(dict.fromkeys(p.payer_name for p in self.payments if p.payer_name))

    @property
    def check_number(self) -> str:
        return ", ".join(dict.fromkeys(p.check_number for p in self.payments if p.check_number))

    @property
    def paid_cents(self) -> int:
        return sum(p.paid_cents for p in self.payments)



# --- reading ------------------------------------------------------------------------------------------


def parse(path: Path | str) -> Remit:
    """Read and check an 835 file; raises EraRefused with the reason when it cannot be posted as it is."""
    path = Path(path)
    name = echo(path.name)
    data = read_limited(path, EraRefused, "import era")
    if not data.strip():
        raise EraRefused(f"{name} is empty; nothing was posted")
    if b"\x00" in data:
        raise EraRefused(f"{name} is not an X12 file (it holds binary data); nothing was posted")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = text.lstrip("\ufeff \t\r\n")
    prepared = prepare(text, name)
    quiet_pyx12()
    found = read_segments(prepared, name)
    check_kind(found, prepared, name)
    fatal, warnings = validate(prepared, name)
    fatal += [*prepared.unknown, *unsafe_values(found)]
    payments = _read_payments(found, fatal)
    if fatal:
        fatal = sorted(dict.fromkeys(echo(problem, MAX_PROBLEM) for problem in fatal), key=line_of)
        more = f" (and {plural(len(fatal) - 1, 'more problem')})" if len(fatal) > 1 else ""
        raise EraRefused(f"{name} is not a valid 835; nothing was posted: {fatal[0]}{more}", fatal)
    return Remit(name, hashlib.sha256(data).hexdigest(), tuple(payments),
                 tuple(dict.fromkeys(echo(warning, MAX_WARNING) for warning in warnings)))


def _cents(text: str, what: str, line: int, problems: list[str], *, required: bool = True) -> int:
    if not text:
        if required:
            problems.append(f"line {line}: {what} is empty")
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.append(f"line {line}: {what} '{text}' is not an amount")
        return 0
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) >= 10**9:
        problems.append(f"line {line}: {what} '{text}' is not an amount in dollars and cents")
        return 0
    return int(amount * 100)


def _day(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date() if len(text) == 8 else None
    except ValueError:
        return None


@dataclass
class _PaymentDraft:
    start: int
    payer_name: str = ""
    check_number: str = ""
    paid_cents: int = 0
    bpr_line: int = 0
    produced: date | None = None
    effective: date | None = None
    claims: list[dict[str, Any]] = field(default_factory=list)
    plb: list[PlbItem] = field(default_factory=list)

    @property
    def plb_cents(self) -> int:
        return sum(item.cents for item in self.plb)


def _read_payments(segments: list[Seg], problems: list[str]) -> list[Payment]:
    """The payments (transactions) in the file; problems with the money go to `problems`."""
    drafts: list[_PaymentDraft] = []
    current: _PaymentDraft | None = None
    claim: dict[str, Any] | None = None
    for seg in segments:
        if seg.id == "ST":
            current, claim = _PaymentDraft(seg.line), None
            drafts.append(current)
        elif current is None:
            continue
        elif seg.id == "BPR":
            current.bpr_line = seg.line
            current.paid_cents = _cents(seg.get(2), "the check amount (BPR02)", seg.line, problems)
            current.effective = _day(seg.get(16))
        elif seg.id == "TRN" and not current.check_number:
            current.check_number = seg.get(2)[:50]
        elif seg.id == "DTM" and seg.get(1) == "405" and claim is None:
            current.produced = _day(seg.get(2))
        elif seg.id == "DTM" and claim is not None and seg.get(1) in SERVICE_DATES:
            found = _day(seg.get(2))
            rank = SERVICE_DATES.index(seg.get(1))
            if found and rank < claim["service_rank"]:
                claim["service_date"], claim["service_rank"] = found, rank
        elif seg.id == "NM1" and seg.get(1) == "QC" and claim is not None:
            claim["patient_name"] = ", ".join(part for part in (seg.get(3), seg.get(4)) if part)[:80]
            claim["member_id"] = seg.get(9)[:50]
        elif seg.id == "N1" and seg.get(1) == "PR":
            current.payer_name = " ".join(seg.get(2).split())[:80]
        elif seg.id == "CLP":
            before = len(problems)
            claim = _clp(seg, problems)
            claim["readable"] = len(problems) == before
            current.claims.append(claim)
        elif seg.id == "CAS":
            if claim is None:
                problems.append(f"line {seg.line}: an adjustment (CAS) outside any claim payment (CLP)")
            else:
                before = len(problems)
                claim["adjustments"] += _cas(seg, problems)
                claim["readable"] &= len(problems) == before
        elif seg.id == "PLB":
            claim = None
            current.plb += _plb(seg, problems)
        elif seg.id == "SE":
            current, claim = None, None
    payments = []
    for draft in drafts:
        if not draft.bpr_line:
            problems.append(f"line {draft.start}: the transaction has no payment segment (BPR)")
        claims = tuple(ClaimPayment(c["line"], c["number"], c["status"], c["charge"], c["paid"], c["patient"],
                                    tuple(c["adjustments"]), c["patient_name"], c["member_id"], c["service_date"])
                       for c in draft.claims)
        if not all(c["readable"] for c in draft.claims):
            payments.append(Payment(draft.payer_name, draft.check_number, draft.paid_cents, None, claims))
            continue  # the sums of unreadable amounts mean nothing: the problems found say what is wrong
        for c in claims:
            adjusted = sum(a.cents for a in c.adjustments)
            if c.charge_cents - c.paid_cents != adjusted:
                problems.append(f"line {c.line}: claim {c.number} does not balance: charge {money(c.charge_cents)} "
                                f"less payment {money(c.paid_cents)} is {money(c.charge_cents - c.paid_cents)}, "
                                f"but its adjustments add up to {money(adjusted)}")
        expected = sum(c.paid_cents for c in claims) - draft.plb_cents
        if draft.bpr_line and expected != draft.paid_cents:
            problems.append(f"line {draft.bpr_line}: the check is for {money(draft.paid_cents)} but its claim payments"
                            f"{' less provider adjustments' if draft.plb_cents else ''} add up to {money(expected)}")
        payments.append(Payment(draft.payer_name, draft.check_number, draft.paid_cents,
                                draft.produced or draft.effective, claims, tuple(draft.plb)))
    return payments


def _clp(seg: Seg, problems: list[str]) -> dict[str, Any]:
    number = seg.get(1)
    status = seg.get(2)
    if not number:
        problems.append(f"line {seg.line}: a claim payment (CLP) without the claim number (CLP01)")
    elif len(number) > 38:
        problems.append(f"line {seg.line}: claim number '{number[:20]}...' is longer than 38 characters")
    known = status in PROCESSED or status in (DENIED, REVERSAL) or status in NOT_POSTED
    if not known:
        problems.append(f"line {seg.line}: claim {number}: '{status}' is not a claim status code (CLP02)")
    charge = _cents(seg.get(3), f"claim {number}: the charge (CLP03)", seg.line, problems)
    paid = _cents(seg.get(4), f"claim {number}: the payment (CLP04)", seg.line, problems)
    # A reversal negates the original payment: posted with positive amounts it would pay the claim twice.
    for cents, what in ((charge, "charge (CLP03)"), (paid, "payment (CLP04)")):
        if status == REVERSAL and cents > 0:
            problems.append(f"line {seg.line}: claim {number} is a reversal (CLP02 22) but its {what} is "
                            f"{money(cents)}; a reversal takes an earlier payment back with amounts of zero or "
                            "less")
    return {
        "line": seg.line, "number": number, "status": status, "charge": charge, "paid": paid,
        "patient": _cents(seg.get(5), f"claim {number}: the patient responsibility (CLP05)", seg.line, problems,
                          required=False),
        "adjustments": [], "patient_name": "", "member_id": "", "service_date": None,
        "service_rank": len(SERVICE_DATES),
    }


def _cas(seg: Seg, problems: list[str]) -> list[Adjustment]:
    group = seg.get(1)
    if group not in GROUPS:
        problems.append(f"line {seg.line}: '{group}' is not an adjustment group (CAS01: CO, PR, OA, PI or CR)")
        return []
    found = []
    for start in range(2, 20, 3):  # up to six reason/amount/quantity triplets
        carc, amount = seg.get(start), seg.get(start + 1)
        if not carc and not amount:
            continue
        if not carc:
            problems.append(f"line {seg.line}: an adjustment of {amount} without a reason code")
            continue
        if len(carc) > 5:
            problems.append(f"line {seg.line}: '{carc}' is not an adjustment reason code")
            continue
        found.append(Adjustment(group, carc, _cents(amount, f"adjustment {group} {carc}", seg.line, problems)))
    if not found:
        problems.append(f"line {seg.line}: an adjustment (CAS) with no reason code and amount")
    return found


def _plb(seg: Seg, problems: list[str]) -> list[PlbItem]:
    items = []
    for start in range(3, 15, 2):  # up to six reason/amount pairs
        identifier, amount = seg.get(start), seg.get(start + 1)
        if identifier or amount:
            reason, _, reference = identifier.partition(seg.component)
            items.append(PlbItem(reason[:5], reference[:50], _cents(amount, "a provider adjustment (PLB)", seg.line,
                                                                  problems)))
    return items
