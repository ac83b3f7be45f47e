"""Remittances: post an X12 835 file (electronic remittance advice) to the claims it pays.

`parse(path)` reads and checks the file and touches no database; `post_file(...)` posts what it read, in
one transaction, and returns what happened.

Reading. pyx12 reads the segments and validates the file against the 835 implementation guide. A file is
refused (nothing posted, the reason given) when it is not X12, is not an 835 (GS01 HP, ST01 835), its
envelope is broken (a missing or miscounted SE/GE/IEA trailer, mismatched control numbers: a truncated or
hand-edited file), an element the posting reads is wrong (BPR01-02, TRN02, CLP01-05, any CAS or PLB
element), or the money does not add up: each claim's charge less its payment must equal its adjustments
(claim and service-line CAS), and each check (BPR02) must equal its claim payments less the provider-level
adjustments (PLB). Whatever else pyx12 reports (a missing payer contact segment, a service line it cannot
place) does not change what is posted; it comes back as warnings with the result.

Posting, per claim payment (CLP), matched to a claim by the claim number the practice sent (CLP01):
    CLP02 1, 2, 3 (and 19-21)  processed: the payment (CLP04) adds to paid, CO adjustments to the contractual
                               adjustments, PR to the patient's responsibility (other groups are listed);
                               the claim is paid when nothing is left to collect, else partly paid; a payment
                               below the payer's fee schedule (services.fees) leaves it partly paid and underpaid
    CLP02 4                    denied: the largest adjustment gives the denial code and group (a zero CAS
                               placeholder before it does not), the remittance date
                               (DTM*405, else BPR16, else today) is the denial date, so the appeal deadline runs
    CLP02 22                   reversal of an earlier payment: its (negative) amounts are subtracted, the claim
                               goes back to pending
The status change must be a legal one (services.claim_flow.TRANSITIONS; staying in the same status is fine,
e.g. a second payment on a paid claim): a draft or rejected claim cannot be paid, a closed one only reopened by
a reversal, a denied one is paid only after an appeal. Such a payment is listed as a problem and not posted
(the manager posts it by hand in the app). Every claim payment is stored
(RemittanceClaim), matched or not: a payment for no known claim is listed, never dropped. Each posted claim
gets a history event and an audit event. The same file twice (same SHA-256) posts nothing the second time. The
repeat guard is per check and per claim payment, not per file: a check posted before (same check/EFT trace number,
payer and amount, e.g. in the file saved again or in a file that bundles it with a new check) is skipped and said
so, and so is a claim payment posted before from the same payer's check number. A claim payment that would leave
more paid and adjusted than billed, or a claim number shared by several payment loops in the file (beyond a
reversal and its correction), is held for review: listed with the unmatched payments, not posted.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from officemgr.models import (
    OPEN_STATUSES,
    Claim,
    ClaimEvent,
    ClaimStatus,
    Payer,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
)
from officemgr.models.billing import RemittanceCheck
from officemgr.plaintext import unsafe_character
from officemgr.services import fees, ledger
from officemgr.services.billing import FilingState, claim_deadline
from officemgr.services.claim_flow import allowed_next
from officemgr.services.common import ServiceError, apply_update, record
from officemgr.services.csv_files import MAX_PROBLEM, echo, read_limited
from officemgr.services.format import money, plural

PROCESSED = {"1": "primary", "2": "secondary", "3": "tertiary", "19": "primary", "20": "secondary", "21": "tertiary"}
DENIED = "4"
REVERSAL = "22"
NOT_POSTED = {"23": "the payer forwarded it to another payer", "25": "predetermination pricing only, no payment"}
GROUPS = {"CO": "contractual", "PR": "patient responsibility", "OA": "other", "PI": "payer initiated",
          "CR": "correction"}
VERSIONS = ("005010X221A1", "004010X091A1")
TRANSACTIONS = {"837": "claim", "270": "eligibility inquiry", "271": "eligibility response", "276": "claim status "
                "inquiry", "277": "claim status", "278": "authorization", "834": "enrollment", "820": "premium payment",
                "999": "acknowledgement", "997": "acknowledgement"}
# The elements the posting reads: a pyx12 error on one of these refuses the file (None: every element).
READ_ELEMENTS: dict[str, set[int] | None] = {"BPR": {1, 2}, "TRN": {2}, "CLP": {1, 2, 3, 4, 5}, "CAS": None,
                                             "PLB": None}
ENVELOPE = ("ISA", "IEA", "GS", "GE", "ST", "SE")
MAX_SEGMENT = 10_000  # characters in one segment (services.csv_files limits the file to 50 MB)
# Why a claim in these states takes no payment (the legal moves themselves are services.claim_flow's).
REFUSED_STATUSES = {
    ClaimStatus.draft: "it is a draft (never sent)",
    ClaimStatus.rejected: "it was rejected by the clearinghouse and never reached the payer",
    ClaimStatus.closed: "it is closed",
}


class EraRefused(ServiceError):
    """An 835 file not posted; the message says why (the first problem or two), `problems` lists them all."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class AlreadyPosted(EraRefused):
    """The same file (same SHA-256) was posted before."""


# --- what a file says ---------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Unmatched:
    """A claim payment not posted for someone to look at: no claim has its number, or it is held for review."""

    claim_number: str
    paid_cents: int
    reason: str = "no claim with this number"


@dataclass
class EraResult:
    file_name: str
    payer_name: str
    check_number: str
    check_cents: int  # what the checks in the file add up to (BPR02)
    claims: int  # claim payments in the file
    posted: int = 0  # claims posted
    paid_cents: int = 0  # payments posted, net (reversals subtract)
    reversed_cents: int = 0  # what the reversals took back (positive)
    denied: int = 0
    reversals: int = 0
    underpaid: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)  # no claim, or held for review (the reason says)
    held: int = 0  # of `unmatched`, the claim payments held for review
    skipped: list[str] = field(default_factory=list)  # checks and claim payments already posted from earlier files
    skipped_claims: int = 0  # claim payments not posted because they were posted before
    problems: list[str] = field(default_factory=list)  # claims matched but not posted (or posted with a caveat)
    warnings: list[str] = field(default_factory=list)  # pyx12 findings that did not change what was posted
    provider_adjustments: list[PlbItem] = field(default_factory=list)  # PLB on the checks posted (kept, shown)


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
    _check_lengths(text, name)
    _quiet_pyx12()
    segments = _segments(text, name)
    _check_kind(segments, name)
    fatal, warnings = _validate(text, name)
    fatal += _unsafe_values(segments)
    payments = _read_payments(segments, fatal)
    if fatal:
        fatal = sorted(dict.fromkeys(echo(problem, MAX_PROBLEM) for problem in fatal), key=_line_of)
        more = f" (and {plural(len(fatal) - 1, 'more problem')})" if len(fatal) > 1 else ""
        raise EraRefused(f"{name} is not a valid 835; nothing was posted: {fatal[0]}{more}", fatal)
    return Remit(name, hashlib.sha256(data).hexdigest(), tuple(payments), tuple(warnings))


def _check_lengths(text: str, name: str) -> None:
    """Refuse a segment longer than MAX_SEGMENT before pyx12 reads the file (a real one is a few hundred characters).

    The segment terminator is the ISA's last character (position 106); an 835 is often one long line."""
    terminator = text[105] if text.startswith("ISA") and len(text) > 105 else "~"
    start = 0
    while start < len(text):
        end = text.find(terminator, start)
        end = len(text) if end < 0 else end
        if end - start > MAX_SEGMENT:
            line = text.count("\n", 0, start) + 1
            raise EraRefused(f"{name}: a segment on line {line:,} is {end - start:,} characters long; an 835 segment "
                             f"may be at most {MAX_SEGMENT:,}; nothing was posted")
        start = end + 1


def _unsafe_values(segments: list[_Seg]) -> list[str]:
    """An element holding a control or text-direction character, as "line N: N102 holds ...", each one."""
    found = []
    for seg in segments:
        for position, value in enumerate(seg.values, start=1):
            what = unsafe_character(value)
            if what:
                found.append(f"line {seg.line}: {seg.id}{position:02d} holds {what}")
    return found


def _quiet_pyx12() -> None:
    # pyx12 logs every validation error; without a handler Python prints them on stderr. We report them ourselves.
    logger = logging.getLogger("pyx12")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    logger.propagate = False


@dataclass(frozen=True)
class _Seg:
    line: int
    id: str
    values: list[str]  # element 1.. as text ("" when empty); composites keep their separator
    component: str = ":"  # the file's component separator (ISA16)

    def get(self, position: int) -> str:
        return self.values[position - 1].strip() if position <= len(self.values) else ""


def _segments(text: str, name: str) -> list[_Seg]:
    import pyx12.errors
    import pyx12.x12file

    found: list[_Seg] = []
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        for seg in reader:
            # Each element as get_value(f"{id}{i:02d}") gives it, without parsing that reference per element.
            values = [element.format() for element in seg.elements]
            found.append(_Seg(reader.get_cur_line(), seg.get_seg_id() or "", values, reader.subele_term or ":"))
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        raise EraRefused(f"{name} is not an X12 file ({echo(_not_x12(str(exc)))}); nothing was posted") from None
    except Exception:  # noqa: BLE001 - pyx12 on arbitrary bytes may fail any way; refuse, never crash
        where = f"line {found[-1].line + 1}" if found else "the start"
        raise EraRefused(f"{name} could not be read as X12 (a malformed segment at {where}: is there a stray ~, * "
                         "or : inside a value?); nothing was posted") from None
    if not found or found[0].id != "ISA":
        raise EraRefused(f"{name} is not an X12 file (it does not begin with an ISA segment); nothing was posted")
    return found


def _check_kind(segments: list[_Seg], name: str) -> None:
    groups = [s for s in segments if s.id == "GS"]
    sets = [s for s in segments if s.id == "ST"]
    if not groups or not sets:
        raise EraRefused(f"{name} holds no X12 transaction (no {'GS' if not groups else 'ST'} segment); "
                         "nothing was posted")
    for st in sets:
        kind = st.get(1)
        if kind != "835":
            what = TRANSACTIONS.get(kind, "transaction")
            raise EraRefused(f"{name} is an X12 {echo(kind, 20)} ({what}), not an 835 remittance; nothing was posted")
    for gs in groups:
        if gs.get(1) != "HP":
            raise EraRefused(f"{name} is not an 835 remittance (line {gs.line}: its functional group is "
                             f"'{echo(gs.get(1), 20)}', an 835's is HP); nothing was posted")
        if gs.get(8) not in VERSIONS:
            raise EraRefused(f"{name} is an 835 of version '{echo(gs.get(8), 20)}', which cannot be read "
                             f"(line {gs.line}; the versions read are {' and '.join(VERSIONS)}); nothing was posted")


def _validate(text: str, name: str) -> tuple[list[str], list[str]]:
    """pyx12's findings as (fatal, warnings), each "line N: what"."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    out = io.StringIO()
    try:
        pyx12.x12n_document.x12n_document(pyx12.params.ParamsBase(), io.StringIO(text), None, None, fd_json=out)
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        raise EraRefused(f"{name} is not a valid 835 ({echo(_readable(str(exc)))}); nothing was posted") from None
    except Exception:  # noqa: BLE001 - a validator crash on odd input is a refusal, not a traceback
        raise EraRefused(f"{name} could not be validated as an 835 (the checker stopped on a malformed segment); "
                         "nothing was posted") from None
    try:
        doc = json.loads(out.getvalue() or "{}")
    except ValueError:
        doc = {}
    fatal: list[str] = []
    warnings: list[str] = []
    for interchange in doc.get("interchanges", []):
        fatal += _envelope_errors(interchange)
        for group in interchange.get("groups", []):
            fatal += _envelope_errors(group)
            for transaction in group.get("transactions", []):
                fatal += _envelope_errors(transaction)
                for seg in transaction.get("segments", []):
                    where = f"line {seg.get('cur_line')}: "
                    seg_id = seg.get("seg_id") or ""
                    for err in seg.get("errors", []):
                        (fatal if seg_id in ENVELOPE else warnings).append(where + _readable(err["err_str"]))
                    read = READ_ELEMENTS.get(seg_id, set())
                    for ele in seg.get("elements", []):
                        hit = read is None or ele.get("ele_pos") in read
                        for err in ele.get("errors", []):
                            (fatal if hit else warnings).append(where + _readable(err["err_str"]))
    return fatal, warnings


def _envelope_errors(node: dict[str, Any]) -> list[str]:
    line = node.get("cur_line")
    where = f"line {line}: " if line else ""
    return [where + _readable(err["err_str"]) for err in node.get("errors", [])]


def _not_x12(message: str) -> str:
    """pyx12's reason a file is not X12, as a sentence."""
    if message.startswith("First line does not begin with 'ISA'"):
        return "it does not begin with an ISA segment"
    found = re.match(r"ISA line is only (\d+) characters", message)
    if found:
        return f"its ISA segment is cut short: {found.group(1)} characters where an ISA has 106"
    if message.startswith("ISA Interchange Control Version Number is unknown"):
        return "its ISA segment names an unknown X12 version (ISA12 should be 00501 or 00401)"
    return _readable(message)


def _readable(message: str) -> str:
    message = re.sub(r"\s*Started at /\S*", "", message)
    return " ".join(message.split()).rstrip(".")


def _line_of(problem: str) -> int:
    found = re.match(r"line (\d+)", problem)
    return int(found.group(1)) if found else 0


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


def _read_payments(segments: list[_Seg], problems: list[str]) -> list[Payment]:
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
                                    tuple(c["adjustments"])) for c in draft.claims)
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


def _clp(seg: _Seg, problems: list[str]) -> dict[str, Any]:
    number = seg.get(1)
    status = seg.get(2)
    if not number:
        problems.append(f"line {seg.line}: a claim payment (CLP) without the claim number (CLP01)")
    elif len(number) > 38:
        problems.append(f"line {seg.line}: claim number '{number[:20]}...' is longer than 38 characters")
    known = status in PROCESSED or status in (DENIED, REVERSAL) or status in NOT_POSTED
    if not known:
        problems.append(f"line {seg.line}: claim {number}: '{status}' is not a claim status code (CLP02)")
    return {
        "line": seg.line, "number": number, "status": status,
        "charge": _cents(seg.get(3), f"claim {number}: the charge (CLP03)", seg.line, problems),
        "paid": _cents(seg.get(4), f"claim {number}: the payment (CLP04)", seg.line, problems),
        "patient": _cents(seg.get(5), f"claim {number}: the patient responsibility (CLP05)", seg.line, problems,
                          required=False),
        "adjustments": [],
    }


def _cas(seg: _Seg, problems: list[str]) -> list[Adjustment]:
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


def _plb(seg: _Seg, problems: list[str]) -> list[PlbItem]:
    items = []
    for start in range(3, 15, 2):  # up to six reason/amount pairs
        identifier, amount = seg.get(start), seg.get(start + 1)
        if identifier or amount:
            reason, _, reference = identifier.partition(seg.component)
            items.append(PlbItem(reason[:5], reference[:50], _cents(amount, "a provider adjustment (PLB)", seg.line,
                                                                  problems)))
    return items


# --- posting ------------------------------------------------------------------------------------------


def post_file(session: Session, path: Path | str, *, today: date, now: datetime, actor: str) -> EraResult:
    """Post every claim payment of an 835 file in one transaction; EraRefused (nothing posted) when it cannot.

    A check (payer, check/EFT number, amount) or a claim payment posted from an earlier file is skipped and said
    so; when every check was, the file is AlreadyPosted."""
    remit = parse(path)
    try:
        _refuse_the_same_file(session, remit)
        earlier = [_earlier_check(session, payment) for payment in remit.payments]
        if remit.payments and all(earlier):
            said = "; ".join(_already(payment, check) for payment, check in zip(remit.payments, earlier, strict=True)
                             if check is not None)
            raise AlreadyPosted(f"{remit.file_name}: {said}; nothing was posted this time")
        remittance = Remittance(file_hash=remit.file_hash, file_name=remit.file_name[:200], imported_at=now,
                                actor=actor, payer_name=remit.payer_name[:80], check_number=remit.check_number[:50],
                                paid_cents=remit.paid_cents)
        session.add(remittance)
        session.flush()
        assert remittance.id is not None, "the flush gives the remittance its id"
        result = EraResult(remit.file_name, remit.payer_name, remit.check_number, remit.paid_cents,
                           len(remit.claims), warnings=list(remit.warnings))
        claims = _match(session, remit.claims)
        known = _Known.read(session, claims, remit.payments)
        shared = _shared_numbers([paid for payment, check in zip(remit.payments, earlier, strict=True)
                                  if check is None for paid in payment.claims])
        for payment, check in zip(remit.payments, earlier, strict=True):
            if check is not None:
                result.skipped.append(_already(payment, check))
                result.skipped_claims += len(payment.claims)
                continue
            check_row = RemittanceCheck(remittance_id=remittance.id, payer_name=payment.payer_name[:80],
                                        check_number=payment.check_number[:50], paid_cents=payment.paid_cents)
            session.add(check_row)
            session.flush()
            assert check_row.id is not None
            for item in payment.provider_adjustments:
                session.add(ProviderAdjustment(check_id=check_row.id, reason=item.reason, reference=item.reference,
                                               amount_cents=item.cents))
            result.provider_adjustments += payment.provider_adjustments
            record(session, actor=actor, entity="remittance_check", entity_id=check_row.id, action="create",
                   changes={"remittance_id": remittance.id, "payer_name": check_row.payer_name,
                            "check_number": check_row.check_number, "paid_cents": check_row.paid_cents,
                            **({"provider_adjustments": [[i.reason, i.reference, i.cents]
                                                         for i in payment.provider_adjustments]}
                               if payment.provider_adjustments else {})}, now=now)
            posted_before = known.posted_before(session, payment)
            for paid in payment.claims:
                if (paid.number[:38].upper(), paid.status_code, paid.paid_cents) in posted_before:
                    result.skipped.append(f"claim {paid.number}: its {money(paid.paid_cents)} payment on check "
                                          f"{payment.check_number} was already posted from an earlier file")
                    result.skipped_claims += 1
                    continue
                held = shared.get(paid.number.upper())
                _post(session, known, remittance, check_row, payment, paid, claims.get(paid.number.upper()), result,
                      held=held, today=today, now=now, actor=actor)
        known.audit(session, now=now, actor=actor)
        ledger.follow_claims(session, known.followed, day=today, actor=actor, now=now)
        record(session, actor=actor, entity="remittance", entity_id=remittance.id,
               action="import", changes={"file": remit.file_name, "sha256": remit.file_hash,
                                         "check": remit.check_number, "payer": remit.payer_name,
                                         "check_cents": remit.paid_cents, "claims": result.claims,
                                         "posted": result.posted, "paid_cents": result.paid_cents,
                                         "unmatched": len(result.unmatched) - result.held, "held": result.held,
                                         "skipped": result.skipped}, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _refuse_the_same_file(session: Session, remit: Remit) -> None:
    """AlreadyPosted when these very bytes were posted before."""
    earlier = session.exec(select(Remittance).where(col(Remittance.file_hash) == remit.file_hash)).first()
    if earlier is not None:
        check = f", check {earlier.check_number}" if earlier.check_number else ""
        raise AlreadyPosted(f"{remit.file_name} was already posted on {earlier.imported_at:%m/%d/%Y} by "
                            f"{earlier.actor} ({earlier.file_name}{check}); nothing was posted this time")


@dataclass(frozen=True)
class _EarlierCheck:
    imported_at: datetime
    actor: str
    file_name: str


def _earlier_check(session: Session, payment: Payment) -> _EarlierCheck | None:
    """Where this check was posted before: the same check or EFT trace number (TRN02) from the same payer for the
    same amount is the same payment, whichever file (or copy of a file, with other line endings) it came in."""
    if not payment.check_number:
        return None
    found = session.exec(
        select(Remittance)
        .join(RemittanceCheck, col(RemittanceCheck.remittance_id) == col(Remittance.id))
        .where(col(RemittanceCheck.check_number) == payment.check_number[:50],
               col(RemittanceCheck.payer_name) == payment.payer_name[:80],
               col(RemittanceCheck.paid_cents) == payment.paid_cents)
        .order_by(col(Remittance.id))
    ).first()
    return None if found is None else _EarlierCheck(found.imported_at, found.actor, found.file_name)


def _already(payment: Payment, earlier: _EarlierCheck) -> str:
    payer = f" from {payment.payer_name}" if payment.payer_name else ""
    return (f"check {payment.check_number}{payer} for {money(payment.paid_cents)} was already posted on "
            f"{earlier.imported_at:%m/%d/%Y} by {earlier.actor} (from {earlier.file_name})")


class _Known:
    """What posting reads from the database, read once per file (per check for the repeat guard), not once per
    claim payment; and the claims' audit events, written after one flush gives their history events ids."""

    def __init__(self, payers: dict[int, Payer], expected: dict[int, int | None]) -> None:
        self.payers = payers
        self.expected = expected
        self.pending: list[tuple[int, ClaimEvent, dict[str, Any]]] = []
        self.followed: list[Claim] = []  # claims posted: the ledger follows their patient share
        self.rows: list[dict[str, Any]] = []  # RemittanceClaim rows, inserted many a statement

    @classmethod
    def read(cls, session: Session, claims: dict[str, Claim], payments: tuple[Payment, ...]) -> _Known:
        matched = list(claims.values())
        ids = sorted({claim.payer_id for claim in matched})
        payers = {payer.id: payer for payer in session.exec(select(Payer).where(col(Payer.id).in_(ids)))
                  if payer.id is not None}
        return cls(payers, fees.expected_for(session, matched))

    def posted_before(self, session: Session, payment: Payment) -> set[tuple[str, str, int]]:
        """(claim number upper-cased, claim status code, payment) of each claim payment posted before from this
        payer's check number: a check re-sent for another amount (a claim added to it) must not pay its claims
        twice."""
        if not payment.check_number:
            return set()
        self.write_rows(session)  # an earlier check of this file may have posted them
        rows = session.exec(
            select(RemittanceClaim.claim_number, RemittanceClaim.status_code, RemittanceClaim.paid_cents)
            .join(RemittanceCheck, col(RemittanceCheck.id) == col(RemittanceClaim.check_id))
            .where(col(RemittanceCheck.check_number) == payment.check_number[:50],
                   col(RemittanceCheck.payer_name) == payment.payer_name[:80],
                   col(RemittanceClaim.posted))
        ).all()
        return {(number.upper(), status, cents) for number, status, cents in rows}

    def write_rows(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(RemittanceClaim), self.rows)
            self.rows.clear()

    def audit(self, session: Session, *, now: datetime, actor: str) -> None:
        self.write_rows(session)
        session.flush()
        for claim_id, event, changes in self.pending:
            changes["event_id"] = event.id
            record(session, actor=actor, entity="claim", entity_id=claim_id, action="remittance",
                   changes=changes, now=now)
        self.pending.clear()


def _shared_numbers(payments: list[ClaimPayment]) -> dict[str, str]:
    """Why each claim number paid by several loops in the checks to post is held for review. A reversal (CLP02 22)
    and its correction is how payers correct a payment; more than one loop besides reversals is not."""
    loops = Counter(paid.number.upper() for paid in payments if paid.number)
    besides_reversals = Counter(paid.number.upper() for paid in payments
                                if paid.number and paid.status_code != REVERSAL)
    return {number: f"{loops[number]} payment loops in this file share the claim number"
            for number, count in besides_reversals.items() if count > 1}


def _match(session: Session, payments: list[ClaimPayment]) -> dict[str, Claim]:
    """Claims by upper-cased number (the claim number the practice sent; payers may change its case)."""
    numbers = {p.number.upper() for p in payments if p.number}
    if not numbers:
        return {}
    found: dict[str, Claim] = {}
    exact = {p.number for p in payments}
    for claim in session.exec(select(Claim).where(func.upper(col(Claim.number)).in_(numbers)).order_by(col(Claim.id))):
        key = claim.number.upper()
        if key not in found or claim.number in exact:
            found[key] = claim
    return found


def _post(session: Session, known: _Known, remittance: Remittance, check_row: RemittanceCheck, payment: Payment,
          paid: ClaimPayment, claim: Claim | None, result: EraResult, *, held: str | None, today: date, now: datetime,
          actor: str) -> None:
    assert remittance.id is not None, "post_file flushed the remittance"
    row: dict[str, Any] = {
        "remittance_id": remittance.id, "check_id": check_row.id, "posted": False, "claim_number": paid.number[:38],
        "claim_id": claim.id if claim else None, "status_code": paid.status_code, "charge_cents": paid.charge_cents,
        "paid_cents": paid.paid_cents, "patient_resp_cents": paid.total("PR") or paid.patient_resp_cents,
        "adjustments": json.dumps([[a.group, a.carc, a.cents] for a in paid.adjustments]), "note": ""}
    known.rows.append(row)
    if claim is None:
        row["note"] = "no claim with this number"
        result.unmatched.append(Unmatched(paid.number, paid.paid_cents))
        return
    values, notes = _outcome(known.expected.get(claim.id or 0), claim, paid, payment.paid_on or today)
    held = held or _over_billed(claim, paid, values)
    if held is not None:
        row["note"] = f"held for review: {held}"[:300]
        result.unmatched.append(Unmatched(paid.number, paid.paid_cents, f"held for review: {held}"))
        result.held += 1
        return
    refusal = _refusal(claim, paid, values)
    if refusal is not None:
        row["note"] = f"not posted: {refusal}"[:300]
        result.problems.append(f"claim {claim.number} ({claim.status.label}, {money(paid.paid_cents)}) was not "
                               f"posted: {refusal}")
        return
    assert claim.id is not None, "a claim read from the database has its id"
    payer = known.payers[claim.payer_id]  # a claim's payer is a foreign key
    old_status = claim.status
    new_status: ClaimStatus = values["status"]
    if new_status in _CLEARS_DENIAL:
        values.update(denial_code=None, denial_group=None)
    if old_status is ClaimStatus.closed and new_status is not ClaimStatus.closed:
        values.update(close_reason=None, close_note="", written_off_cents=0)
    after = FilingState(status=new_status, service_date=claim.service_date,
                        denied_on=values.get("denied_on", claim.denied_on))
    values["deadline"] = claim_deadline(after, payer)
    if new_status in OPEN_STATUSES:
        values["next_follow_up"] = None  # the remittance is news: the claim is back in today's queue
    values["last_activity"] = today
    changes = apply_update(claim, values, expected_version=None)
    if not changes:
        claim.version += 1
    row["posted"] = True
    known.followed.append(claim)  # its patient share goes on the ledger with the others, once all are posted
    result.posted += 1
    result.paid_cents += paid.paid_cents
    if paid.status_code == DENIED:
        result.denied += 1
    elif paid.status_code == REVERSAL:
        result.reversals += 1
        result.reversed_cents -= paid.paid_cents
    elif claim.underpaid_cents:
        result.underpaid += 1
    if paid.status_code != REVERSAL and paid.charge_cents != claim.billed_cents:
        notes.append(f"the remittance's charge {money(paid.charge_cents)} is not the claim's "
                     f"{money(claim.billed_cents)}: posted, but check the claim number")
    result.problems += [f"claim {claim.number}: {note}" for note in notes if not note.startswith("underpaid")]
    row["note"] = "; ".join(notes)[:300]
    check = f"835 check {payment.check_number}" if payment.check_number else f"835 {remittance.file_name}"
    listed = ", ".join(a.as_text() for a in paid.adjustments)
    text = "; ".join([check, *([listed] if listed else []), *notes])
    event = ClaimEvent(claim_id=claim.id, at=now, actor=actor, from_status=old_status.value,
                       to_status=new_status.value, amount_cents=paid.paid_cents,
                       code=(claim.denial_code or "")[:10] if paid.status_code == DENIED else "",
                       text=_clip(text, 300))
    session.add(event)
    changes.update({"remittance_id": remittance.id, "check": payment.check_number,
                    "claim_status_code": paid.status_code, "amount_cents": paid.paid_cents})
    known.pending.append((claim.id, event, changes))  # audited once the flush has given the event its id


def _over_billed(claim: Claim, paid: ClaimPayment, values: dict[str, Any]) -> str | None:
    """Why a payment that would leave more paid and adjusted than was billed is held, or None."""
    if paid.status_code not in PROCESSED:
        return None
    settled = sum(values[name] for name in ("paid_cents", "adjusted_cents", "patient_resp_cents"))
    if settled <= claim.billed_cents:
        return None
    return (f"it would leave {money(settled)} paid and adjusted on a claim billed at {money(claim.billed_cents)}; "
            "was it posted already?")


def _refusal(claim: Claim, paid: ClaimPayment, values: dict[str, Any]) -> str | None:
    """Why this payment cannot be posted on the claim, or None: the status change must be a legal one."""
    if paid.status_code in NOT_POSTED:
        return f"{NOT_POSTED[paid.status_code]} (claim status code {paid.status_code})"
    old, new = claim.status, values["status"]
    if new == old or new in allowed_next(old):
        return None
    why = f"{REFUSED_STATUSES[old]}; " if old in REFUSED_STATUSES else ""
    legal = allowed_next(old)
    moves = f"a {old.label} claim can go to {_labels(legal)}, not {new.label}" if legal else \
        f"a {old.label} claim cannot change status"
    return f"{why}{moves} (post it by hand in the app once the claim allows it)"


def _labels(statuses: tuple[ClaimStatus, ...]) -> str:
    names = [s.label for s in statuses]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def denial_reason(adjustments: tuple[Adjustment, ...]) -> Adjustment | None:
    """Why a claim was denied: the largest adjustment (the first of equals), not a zero placeholder (CO*42*0*0)
    before the real reason; the first adjustment when all are zero."""
    if not adjustments:
        return None
    largest = max(adjustments, key=lambda a: abs(a.cents))
    return largest if largest.cents else adjustments[0]


def _outcome(expected: int | None, claim: Claim, paid: ClaimPayment, remitted_on: date
             ) -> tuple[dict[str, Any], list[str]]:
    """The claim's new values after this payment (nothing changed yet), and notes on anything odd. `expected` is
    what the payer's fee schedule says the claim should be paid (fees.expected_for), None when it says nothing."""
    if paid.status_code == DENIED:
        # The adjustments of a denial are what is disputed: they are listed (history, remittance), not posted.
        reason = denial_reason(paid.adjustments)
        return {"status": ClaimStatus.denied, "paid_cents": max(0, claim.paid_cents + paid.paid_cents),
                "denial_code": reason.carc if reason else None, "denial_group": reason.group if reason else None,
                "denied_on": remitted_on, "underpaid_cents": 0}, []
    notes: list[str] = []
    amounts = {}
    for attribute, amount, what in (("paid_cents", paid.paid_cents, "paid"),
                                    ("adjusted_cents", paid.total("CO"), "contractual adjustments"),
                                    ("patient_resp_cents", paid.total("PR"), "patient responsibility")):
        had = getattr(claim, attribute)
        if had + amount < 0:
            notes.append(f"the {'reversal' if paid.status_code == REVERSAL else 'remittance'} takes back "
                         f"{money(-amount)} of {what} but only {money(had)} was posted; set to $0.00, check this claim")
        amounts[attribute] = max(0, had + amount)
    if paid.status_code == REVERSAL:
        return {"status": ClaimStatus.pending, **amounts, "underpaid_cents": 0}, notes
    shortfall = 0 if expected is None else max(0, expected - amounts["paid_cents"] - amounts["patient_resp_cents"])
    balance = claim.billed_cents - sum(amounts.values())
    status = ClaimStatus.paid if balance <= 0 and shortfall == 0 else ClaimStatus.partly_paid
    if shortfall:
        notes.append(f"underpaid by {money(shortfall)} against the fee schedule")
    return {"status": status, **amounts, "underpaid_cents": shortfall}, notes


# Leaving a denial behind: the claim no longer carries the denial code (its history keeps it), as in claim_flow.
_CLEARS_DENIAL = (ClaimStatus.pending, ClaimStatus.paid, ClaimStatus.partly_paid)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
