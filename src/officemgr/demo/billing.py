"""Payers and claims: open claims across the aging buckets with notes and follow-ups, closed history, and the
history the billing views read.

Every claim that left draft has its status history (ClaimEvent rows: submitted, accepted or rejected,
pending, paid / partly paid / denied, appealed, closed) with dates and payments, ending in the claim's
current status. Paid claims carry the payer's contractual adjustment and the patient's share, so the KPIs
read like a practice's: about a year of closed claims against the open A/R puts days in A/R near 30–45.
Denials carry their CARC group and code, spread over the common codes and the payers. A few claims are closed
with each close reason and a note; some are on paper; some have had no activity for weeks ("needs
investigation"). Two payers have fee schedules, and their latest remittances left two or three claims underpaid
against the schedule; each of the two also paid a claim whose number matches none of the practice's (the payer's
own number), naming a patient and a day of an open claim of that payer, to match by hand.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate, cycle

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from officemgr.demo._db import (
    _ensure_named,
    _insert,
    _next_id,
    _open,
    _open_on_or_before,
    _with_ids,
    _working_time,
)
from officemgr.demo._types import DEMO_NOW, DemoSummary, PatientRef, Person, Row, Scale
from officemgr.models import (
    Claim,
    ClaimDiagnosis,
    ClaimEvent,
    ClaimLine,
    ClaimNote,
    ClaimStatus,
    CloseReason,
    FeeSchedule,
    NoteAction,
    Patient,
    Payer,
    Remittance,
    RemittanceClaim,
    Role,
)
from officemgr.models.base import table_of
from officemgr.models.billing import RemittanceCheck
from officemgr.services.billing import claim_deadline

S = ClaimStatus

# --------------------------------------------------------------------------------------------- billing

# name, timely filing in days or in calendar months (one of the two), appeal days, phone, portal note, share of claims
PAYERS = (
    ("Medicare", None, 12, 120, "(800) 555-0101", "MAC portal; redetermination within 120 days of the notice", 30),
    ("Medicaid", 365, None, 120, "(800) 555-0102", "State Medicaid portal", 10),
    ("BlueCross BlueShield", 180, None, 180, "(800) 555-0103", "Availity", 20),
    ("Aetna", 120, None, 180, "(800) 555-0104", "Availity", 12),
    ("UnitedHealthcare", 90, None, 180, "(800) 555-0105", "UHC Provider Portal", 15),
    ("Cigna", 90, None, 180, "(800) 555-0106", "Cigna for HCP portal", 13),
)
# What each payer allows of the practice's charges, on average (the rest is the contractual adjustment, CO-45).
ALLOWED_SHARE = {"Medicare": 0.58, "Medicaid": 0.46, "BlueCross BlueShield": 0.72, "Aetna": 0.70,
                 "UnitedHealthcare": 0.68, "Cigna": 0.69}
# Payers whose contracted fee schedule the practice keeps (allowed amount per code, no modifier).
FEE_SCHEDULE_PAYERS = ("BlueCross BlueShield", "Aetna")
CHARGES = {  # practice fee schedule, cents
    "99212": 9500, "99213": 13500, "99214": 19500, "99215": 26500, "99203": 17500, "99204": 26500,
    "99391": 21000, "99392": 21500, "99393": 21500, "99394": 22500, "99395": 23500, "99396": 25000,
    "99397": 26500, "G0439": 21500, "90686": 3500, "90471": 2800, "36415": 1500, "81002": 1200,
    "87880": 3500, "87804": 3800, "93000": 6000, "94640": 4500, "96372": 3500,
}
PREVENTIVE = {"99391", "99392", "99393", "99394", "99395", "99396", "99397", "G0439"}
EM_CODES = ("99212", "99213", "99214", "99215", "99203", "99204")
EM_CUM = tuple(accumulate((8, 44, 32, 6, 6, 4)))
ACUTE_DX = ("J06.9", "J02.9", "R05.9", "J01.90", "N39.0", "H66.90", "M54.50", "R51.9", "J20.9", "R21",
            "S93.401A", "J11.1", "B34.9", "R10.9")
CHRONIC_DX = ("E11.9", "I10", "E78.5", "J45.909", "K21.9", "F41.1", "E03.9", "E66.9", "F32.A", "E55.9",
              "E11.65", "G47.00", "M17.11")
# (CARC, group, what the remittance said)
DENIALS = (
    ("16", "CO", "claim lacks information needed for adjudication"),
    ("18", "CO", "exact duplicate claim"),
    ("22", "OA", "other payer may be primary (COB)"),
    ("27", "PR", "coverage terminated before date of service"),
    ("29", "CO", "time limit for filing has expired"),
    ("45", "CO", "charge exceeds fee schedule"),
    ("50", "CO", "not deemed a medical necessity"),
    ("97", "CO", "bundled into another service"),
    ("197", "CO", "precertification/authorization absent"),
)
# Denials that an appeal or a corrected claim usually turns into a payment.
APPEALABLE = ("16", "22", "50", "97", "197")
REJECTIONS = ("subscriber ID not found", "invalid rendering provider NPI", "patient date of birth mismatch",
              "missing diagnosis pointer")
# Open claims per aging bucket (days since service): range and share, and the statuses likely at that age.
OPEN_BUCKETS = (
    ((0, 30), 0.34, {"draft": 25, "submitted": 30, "accepted": 15, "rejected": 8, "pending": 15, "denied": 5,
                     "partly_paid": 2}),
    ((31, 60), 0.22, {"draft": 5, "submitted": 10, "accepted": 10, "rejected": 8, "pending": 30, "denied": 20,
                      "partly_paid": 10, "appealed": 7}),
    ((61, 90), 0.16, {"draft": 3, "submitted": 5, "rejected": 5, "pending": 25, "denied": 25, "partly_paid": 15,
                      "appealed": 22}),
    ((91, 120), 0.12, {"rejected": 5, "pending": 20, "denied": 30, "partly_paid": 15, "appealed": 30}),
    ((121, 200), 0.16, {"draft": 5, "pending": 10, "denied": 30, "partly_paid": 20, "appealed": 35}),
)
FOLLOW_UP_SHARE = 0.55
FOLLOW_UP_KINDS = ("today", "past", "future", "future", "past", "future", "today", "future")
# Share of open claims, quiet for longer than the investigation window, that someone touched lately anyway
# (the rest come back to the queue as "needs investigation").
RECENTLY_WORKED = 0.7
# Closed claims: how they ended (the rest were paid in full by the payer, less adjustments and patient share).
CLOSED_OUTCOMES = (("appeal_paid", 0.03), ("written_off", 0.02), ("sent_to_patient", 0.02), ("closed_paid", 0.02))
# Closed claims keep their status history this far back (days since service); older ones predate it, as if
# brought in from the billing system without their history. Keeps the large demo quick to write.
HISTORY_DAYS = 400
# A growing practice: this share of closed claims is drawn from the last year on top of the spread over the whole
# history, so 12-month charges stay in proportion to the open A/R at every scale.
RECENT_EXTRA = 0.08
WRITE_OFF_NOTES = (
    "Timely filing limit passed before the corrected claim went out; written off per policy",
    "Small balance under $10 after the remittance; written off per policy",
    "Duplicate of a claim already paid; written off",
)
PATIENT_NOTES = (
    "Coverage ended before the visit; statement sent to the patient for the full charge",
    "Deductible not met; statement sent to the patient for the balance",
    "Patient's plan does not cover the service; self-pay statement sent",
)
CLOSED_PAID_NOTES = (
    "Zero balance: the patient paid the coinsurance at check-out",
    "Zero balance after the secondary payer's remittance",
)


# A claim line: CPT/HCPCS code, modifiers, charge in cents.
Line = tuple[str, str, int]


@dataclass
class _ClaimDraft:
    """A claim with its lines, diagnoses, notes and history, before ids and numbers are given out."""

    row: Row
    lines: list[Line]
    diagnoses: list[str]
    notes: list[Row]
    events: list[Row] = field(default_factory=list)
    remit: Row | None = None  # its RemittanceClaim fields when paid on a demo remittance (ids filled in on writing)


# A demo 835: payer name, when it was posted, check number, and the RemittanceClaim fields of the claims it paid.
_Remitted = tuple[str, datetime, str, list[Row]]


class _Story:
    """One claim's history as it happened: status changes (ClaimEvent) and follow-up notes, in time order."""

    def __init__(self, ctx: _ClaimContext, row: Row, *, history: bool = True) -> None:
        self.ctx, self.row = ctx, row
        self.history = history  # False: only the dates (the claim predates the history kept)
        self.status = S.draft
        self.events: list[Row] = []
        self.notes: list[Row] = []
        self.last: datetime | None = None
        self.day: date | None = None  # the last day, when no history is kept

    def _at(self, day: date) -> datetime:
        ctx = self.ctx
        day = min(day, ctx.today)
        if self.last is not None and day < self.last.date():
            day = self.last.date()
        latest = ctx.now_minutes - 5 if day == ctx.today else 16 * 60 + 30
        at = _working_time(ctx.rng, day, 8 * 60, max(8 * 60 + 5, latest))
        if self.last is not None and at <= self.last:
            at = self.last + timedelta(minutes=5)
        self.last = at
        return at

    def to(self, status: ClaimStatus, day: date, *, actor: str | None = None, amount: int = 0, code: str = "",
           text: str = "") -> date:
        if not self.history:
            day = min(day, self.ctx.today)
            self.day = day if self.day is None or day > self.day else self.day
            self.status = status
            return self.day
        at = self._at(day)
        self.events.append({"at": at, "actor": actor or self.ctx.biller(), "from_status": self.status.value,
                            "to_status": status.value, "amount_cents": amount, "code": code, "text": text[:300]})
        self.status = status
        return at.date()

    def note(self, day: date, action: NoteAction, text: str) -> date:
        at = self._at(day)
        self.notes.append({"at": at, "actor": self.ctx.biller(), "action": action.value, "text": text,
                           "next_follow_up": None})
        return at.date()

    def last_day(self) -> date | None:
        return self.last.date() if self.last else self.day


class _ClaimContext:
    def __init__(self, rng: random.Random, today: date, staff: list[Person], patients: list[PatientRef],
                 payer_ids: dict[str, int], payer_limits: dict[int, Payer]) -> None:
        self.rng = rng
        self.payer_limits = payer_limits
        # The deadline rule reads a Claim: one scratch claim, never added to a session, carries each draft's dates.
        self.deadline_claim = Claim(number="", patient_id=0, payer_id=0, service_date=today, billed_cents=0)
        self.today = today
        self.now_minutes = DEMO_NOW.hour * 60 + DEMO_NOW.minute
        self.providers = [p.id for p in staff if p.is_provider]
        self.billers = [p.name for p in staff if p.role in (Role.biller, Role.manager)]
        self.seniors = [p for p in patients if p.age >= 65] or patients
        self.others = [p for p in patients if p.age < 65] or patients
        self.payers = [(payer_ids[name], name) for name, *_ in PAYERS]
        self.payer_names = {pid: name for pid, name in self.payers}
        self.payer_cum = list(accumulate(share for *_, share in PAYERS))
        self.fees = {name: fee_schedule(name) for name in FEE_SCHEDULE_PAYERS}
        # Denials go round the common codes, so each shows up in the 90-day counts.
        shuffled = list(DENIALS)
        rng.shuffle(shuffled)
        self.denials = cycle(shuffled)
        self.appealable = cycle([d for d in shuffled if d[0] in APPEALABLE])
        self.unfixable = cycle([d for d in shuffled if d[0] in ("29", "18", "16")])
        self.outcome_cum = list(accumulate(share for _, share in CLOSED_OUTCOMES))

    def biller(self) -> str:
        return self.rng.choice(self.billers) if self.billers else "billing"

    def _service_date(self, low: int, high: int) -> date:
        """A day the practice was open whose age in days lies in [low, high] (the open day before, if none does)."""
        if not any(_open(self.today - timedelta(days=age)) for age in range(low, high + 1)):
            return _open_on_or_before(self.today - timedelta(days=low))
        while True:
            day = self.today - timedelta(days=self.rng.randint(low, high))
            if _open(day):
                return day

    def _base(self, service: date, payer_name: str | None = None) -> tuple[Row, list[Line], list[str]]:
        rng = self.rng
        if payer_name is None:
            payer_id, payer_name = rng.choices(self.payers, cum_weights=self.payer_cum)[0]
        else:
            payer_id = next(pid for pid, name in self.payers if name == payer_name)
        pool = self.seniors if payer_name == "Medicare" else self.others
        patient = pool[rng.randrange(len(pool))]
        lines, diagnoses = _claim_content(rng, patient.age, payer_name == "Medicare", service)
        row = {
            "patient_id": patient.id, "payer_id": payer_id, "provider_id": rng.choice(self.providers),
            "service_date": service, "billed_cents": sum(charge for _, _, charge in lines), "paid_cents": 0,
            "submitted_on": None, "denial_code": None, "denial_group": None, "denied_on": None,
            "next_follow_up": None, "last_activity": None, "paper": rng.random() < 0.05, "deadline": None,
            "close_reason": None, "close_note": "", "adjusted_cents": 0, "patient_resp_cents": 0,
            "underpaid_cents": 0,
        }
        return row, lines, diagnoses

    # --- the steps every claim goes through ---------------------------------------------------------------

    def _submit(self, story: _Story, service: date) -> date:
        """Sent a few days after the visit; accepted by the clearinghouse (electronic) and then in process."""
        row = story.row
        submitted = min(self.today, service + timedelta(days=self.rng.randint(1, 6)))
        row["submitted_on"] = submitted
        return story.to(S.submitted, submitted,
                        text="Mailed on paper (CMS-1500)" if row["paper"] else "Sent electronically (837P)")

    def _accept(self, story: _Story, submitted: date) -> None:
        if story.row["paper"]:
            return  # a paper claim goes straight to the payer: no clearinghouse acknowledgment
        story.to(S.accepted, submitted + timedelta(days=self.rng.randint(0, 2)), actor="clearinghouse",
                 text="Accepted by the clearinghouse (999/277CA)")

    def _pend(self, story: _Story, submitted: date) -> None:
        payer = self.payer_names[story.row["payer_id"]]
        story.to(S.pending, submitted + timedelta(days=self.rng.randint(3, 10)), actor="clearinghouse",
                 text=f"In process at {payer} (277 status)")

    def _deny(self, story: _Story, day: date, code: str, group: str, text: str) -> date:
        row = story.row
        denied_on = story.to(S.denied, day, code=code, text=f"Denied {group}-{code}: {text}")
        row.update(denial_code=code, denial_group=group, denied_on=denied_on)
        return denied_on

    def adjudicate(self, row: Row, lines: list[Line]) -> tuple[int, int]:
        """What the payer allows (its fee schedule, else its usual share of the charge) and the patient's share."""
        rng = self.rng
        payer = self.payer_names[row["payer_id"]]
        schedule = self.fees.get(payer)
        if schedule is not None:
            allowed = sum(min(schedule[code], charge) for code, _, charge in lines)
        else:
            allowed = int(row["billed_cents"] * ALLOWED_SHARE[payer] * rng.uniform(0.96, 1.04))
        allowed = min(allowed, row["billed_cents"])
        preventive = lines[0][0] in PREVENTIVE
        roll = rng.random()
        if payer == "Medicaid" or preventive or roll >= 0.2:
            share = 0
        elif payer == "Medicare":
            share = allowed // 5  # Part B coinsurance, 20%
        elif roll < 0.02:
            share = allowed  # deductible not met
        else:
            share = min(allowed // 3, rng.choice((2000, 2500, 3000, 4000)))  # co-pay
        return allowed, share

    def _pay(self, story: _Story, day: date, lines: list[Line], *, status: ClaimStatus = S.paid,
             fraction: float = 1.0) -> int:
        row = story.row
        allowed, share = self.adjudicate(row, lines)
        if fraction < 1 and share >= allowed:
            share = allowed // 5  # a partial payment leaves something open: not all of it went to the deductible
        paid = int((allowed - share) * fraction)
        row.update(adjusted_cents=row["billed_cents"] - allowed, patient_resp_cents=share,
                   paid_cents=row["paid_cents"] + paid)
        if not story.history:
            story.to(status, day)
            return paid
        parts = [f"paid ${paid / 100:,.2f}", f"CO-45 ${(row['billed_cents'] - allowed) / 100:,.2f}"]
        if share:
            parts.append(f"PR ${share / 100:,.2f}")
        story.to(status, day, amount=paid, text=f"835 check #{self.rng.randint(10**6, 10**7 - 1)}: "
                                                 + ", ".join(parts))
        return paid

    # --- open claims ------------------------------------------------------------------------------------

    def open_claim(self, age_range: tuple[int, int], statuses: dict[str, int]) -> _ClaimDraft:
        rng = self.rng
        service = self._service_date(*age_range)
        row, lines, diagnoses = self._base(service)
        status = ClaimStatus(rng.choices(list(statuses), weights=list(statuses.values()))[0])
        if row["paper"] and status is S.accepted:
            status = S.pending  # no clearinghouse acknowledges a paper claim: it is in process at the payer
        row["status"] = status.value
        payer = self.payer_names[row["payer_id"]]
        story = _Story(self, row)
        if status is S.draft:
            if rng.random() < 0.3:
                story.note(service + timedelta(days=1), NoteAction.note,
                           "Waiting on the provider to sign the visit note")
        else:
            submitted = self._submit(story, service)
            if status is S.rejected:
                reason = rng.choice(REJECTIONS)
                day = story.to(S.rejected, submitted + timedelta(days=1), actor="clearinghouse",
                               text=f"Rejected: {reason}")
                story.note(day, NoteAction.note, f"Clearinghouse rejected: {reason}")
            elif status is not S.submitted:
                self._accept(story, submitted)
                if status is not S.accepted:
                    self._pend(story, submitted)
                    self._open_outcome(story, status, submitted, lines, payer)
        self._recent_touch(story, status, payer)
        return self._finish(story, lines, diagnoses)

    def _open_outcome(self, story: _Story, status: ClaimStatus, submitted: date, lines: list[Line], payer: str) -> None:
        rng = self.rng
        if status is S.pending:
            if rng.random() < 0.6:
                story.note(submitted + timedelta(days=rng.randint(25, 45)), NoteAction.called_payer,
                           f"Called {payer}: claim in process, ref #{rng.randint(10**7, 10**8 - 1)}")
        elif status is S.partly_paid:
            self._pay(story, submitted + timedelta(days=rng.randint(14, 30)), lines, status=S.partly_paid,
                      fraction=rng.uniform(0.4, 0.8))
            story.note(story.last_day() or submitted, NoteAction.note,
                       "Partial payment posted; one line still in process at the payer")
        elif status in (S.denied, S.appealed):
            code, group, text = next(self.denials)
            denied_on = self._deny(story, submitted + timedelta(days=rng.randint(14, 35)), code, group, text)
            story.note(denied_on, NoteAction.note, f"Denied {group}-{code}: {text}")
            if status is S.appealed:
                day = story.to(S.appealed, denied_on + timedelta(days=rng.randint(3, 20)),
                               text="Appeal sent with visit notes and a letter of medical necessity")
                story.note(day, NoteAction.appealed, "Appeal sent with visit notes and a letter of medical necessity")
            elif rng.random() < 0.5:
                story.note(denied_on + timedelta(days=rng.randint(1, 10)), NoteAction.called_payer,
                           f"Called {payer} about the denial; rep confirmed CARC {code}")

    def _recent_touch(self, story: _Story, status: ClaimStatus, payer: str) -> None:
        """Most open claims quiet for three weeks were looked at lately; the rest need investigation."""
        rng, today = self.rng, self.today
        last = story.last_day()
        if status is S.draft or last is None or (today - last).days < 21 or rng.random() >= RECENTLY_WORKED:
            return
        day = today - timedelta(days=rng.randint(1, 18))
        if day <= last:
            return
        if status is S.partly_paid:
            story.note(day, NoteAction.called_payer, f"Called {payer} about the unpaid line: reprocessing")
        elif status is S.rejected:
            story.note(day, NoteAction.note, "Asked the front desk to confirm the subscriber ID")
        else:
            story.note(day, NoteAction.called_payer,
                       f"Checked the {payer} portal: {status.label}, ref #{rng.randint(10**7, 10**8 - 1)}")

    def _finish(self, story: _Story, lines: list[Line], diagnoses: list[str]) -> _ClaimDraft:
        row = story.row
        assert story.status.value == row["status"] or not story.events, (story.status, row["status"])
        row["last_activity"] = story.last_day()
        # The same rule the billing service applies on every write, so the work queue sorts right.
        claim = self.deadline_claim
        claim.status, claim.service_date = ClaimStatus(row["status"]), row["service_date"]
        claim.denied_on = row["denied_on"]
        row["deadline"] = claim_deadline(claim, self.payer_limits[row["payer_id"]])
        return _ClaimDraft(row, lines, diagnoses, story.notes, story.events)

    # --- closed claims ----------------------------------------------------------------------------------

    def closed_claim(self, max_age: int) -> _ClaimDraft:
        rng = self.rng
        oldest = min(max_age, 365) if rng.random() < RECENT_EXTRA else max_age
        service = self._service_date(25, max(25, oldest))
        row, lines, diagnoses = self._base(service)
        history = (self.today - service).days <= HISTORY_DAYS
        roll = rng.random()
        outcome = next((name for (name, _), cum in zip(CLOSED_OUTCOMES, self.outcome_cum, strict=True)
                        if roll < cum), "paid")
        if outcome == "paid" and not history:
            return self._paid_without_history(row, lines, diagnoses)
        story = _Story(self, row, history=history)
        submitted = self._submit(story, service)
        self._accept(story, submitted)
        decided = submitted + timedelta(days=rng.randint(12, 30))
        if outcome == "appeal_paid":
            code, group, text = next(self.appealable)
            denied_on = self._deny(story, decided, code, group, text)
            appealed = story.to(S.appealed, denied_on + timedelta(days=rng.randint(3, 15)),
                                text="Appeal sent with visit notes")
            self._pay(story, appealed + timedelta(days=rng.randint(20, 45)), lines)
            row.update(denial_code=None, denial_group=None)  # paid after the appeal: the history keeps the denial
            row["status"] = S.paid.value
        elif outcome == "written_off":
            if rng.random() < 0.5:
                code, group, text = next(self.unfixable)
                denied_on = self._deny(story, decided, code, group, text)
                note = WRITE_OFF_NOTES[0] if code == "29" else WRITE_OFF_NOTES[2] if code == "18" else (
                    "Corrected claim not accepted after two tries; written off per policy")
                story.to(S.closed, denied_on + timedelta(days=rng.randint(10, 40)), text=note)
            else:
                self._pay(story, decided, lines, status=S.partly_paid, fraction=rng.uniform(0.9, 0.97))
                note = WRITE_OFF_NOTES[1]
                story.to(S.closed, decided + timedelta(days=rng.randint(5, 20)), text=note)
            row.update(status=S.closed.value, close_reason=CloseReason.written_off.value, close_note=note)
        elif outcome == "sent_to_patient":
            if rng.random() < 0.5:
                denied_on = self._deny(story, decided, "27", "PR", "coverage terminated before date of service")
                note = PATIENT_NOTES[0]
                story.to(S.closed, denied_on + timedelta(days=rng.randint(5, 20)), text=note)
            else:
                self._pay(story, decided, lines, status=S.partly_paid, fraction=rng.uniform(0.3, 0.6))
                note = rng.choice(PATIENT_NOTES[1:])
                story.to(S.closed, decided + timedelta(days=rng.randint(5, 20)), text=note)
            row.update(status=S.closed.value, close_reason=CloseReason.sent_to_patient.value, close_note=note)
        elif outcome == "closed_paid":
            paid = self._pay(story, decided, lines)
            note = rng.choice(CLOSED_PAID_NOTES)
            story.to(S.closed, decided + timedelta(days=rng.randint(3, 20)), text=note)
            row.update(status=S.closed.value, close_reason=CloseReason.paid.value, close_note=note)
            # The patient's share came in too: nothing is left open on it.
            assert row["paid_cents"] == paid
        else:
            self._pay(story, decided, lines)
            row["status"] = S.paid.value
        draft = self._finish(story, lines, diagnoses)
        if row["status"] in (S.paid.value, S.closed.value):
            row["deadline"] = None
        return draft

    def _paid_without_history(self, row: Row, lines: list[Line], diagnoses: list[str]) -> _ClaimDraft:
        """The bulk of an old history, written quickly: paid in full, dates and amounts only."""
        rng = self.rng
        submitted = row["service_date"] + timedelta(days=1 + int(rng.random() * 5))
        allowed, share = self.adjudicate(row, lines)
        row.update(status=S.paid.value, submitted_on=submitted, paid_cents=allowed - share,
                   adjusted_cents=row["billed_cents"] - allowed, patient_resp_cents=share,
                   last_activity=submitted + timedelta(days=12 + int(rng.random() * 19)))
        return _ClaimDraft(row, lines, diagnoses, [], [])

    # --- remittances and underpayments ------------------------------------------------------------------

    def remitted_claim(self, payer_name: str, posted: datetime, check: str, *,
                       underpaid: bool) -> tuple[_ClaimDraft, Row]:
        """A claim paid on the demo remittance from `payer_name` (in full, or short of the fee schedule), and its
        RemittanceClaim fields."""
        rng = self.rng
        service = self._service_date((self.today - posted.date()).days + 14, (self.today - posted.date()).days + 40)
        row, lines, diagnoses = self._base(service, payer_name)
        story = _Story(self, row)
        submitted = self._submit(story, service)
        self._accept(story, submitted)
        schedule = self.fees[payer_name]
        expected = sum(min(schedule[code], charge) for code, _, charge in lines)
        share = 0 if lines[0][0] in PREVENTIVE or rng.random() < 0.5 else min(expected // 3, 2500)
        shortfall = max(100, int(expected * rng.uniform(0.06, 0.15))) if underpaid else 0
        paid = expected - share - shortfall
        # The payer allowed less than its contract: its own CO-45 covers the rest, leaving no balance to bill
        # but a shortfall against the fee schedule to appeal.
        adjusted = row["billed_cents"] - paid - share
        row.update(paid_cents=paid, adjusted_cents=adjusted, patient_resp_cents=share, underpaid_cents=shortfall,
                   status=(S.partly_paid if underpaid else S.paid).value)
        story.last = None  # the remittance's own time
        text = f"835 check {check}: paid ${paid / 100:,.2f}, CO-45 ${adjusted / 100:,.2f}"
        if share:
            text += f", PR-3 ${share / 100:,.2f}"
        if underpaid:
            text += f"; underpaid by ${shortfall / 100:,.2f} against the fee schedule"
        story.events.append({"at": posted, "actor": self.biller(), "from_status": story.status.value,
                             "to_status": row["status"], "amount_cents": paid, "code": "", "text": text[:300]})
        story.status = ClaimStatus(row["status"])
        story.last = posted
        draft = self._finish(story, lines, diagnoses)
        adjustments = [["CO", "45", adjusted]] + ([["PR", "3", share]] if share else [])
        draft.remit = {"status_code": "1", "charge_cents": row["billed_cents"], "paid_cents": paid,
                       "patient_resp_cents": share, "adjustments": json.dumps(adjustments),
                       "note": f"underpaid by ${shortfall / 100:,.2f} against the fee schedule" if underpaid else ""}
        return draft, draft.remit


def fee_schedule(payer_name: str) -> dict[str, int]:
    """A payer's contracted allowed amount per code (cents): its usual share of the practice's charge."""
    share = ALLOWED_SHARE[payer_name]
    return {code: round(charge * share) for code, charge in CHARGES.items()}


# (payer, days before today the remittance was posted, claims paid on it: underpaid, in full)
REMITTANCES = (("BlueCross BlueShield", 3, 2, 1), ("Aetna", 10, 1, 1))


def _add_claims(conn: Connection, rng: random.Random, staff: list[Person], patients: list[PatientRef],
                plan: Scale, today: date, summary: DemoSummary) -> None:
    payer_rows = [{"name": n, "timely_filing_days": days, "timely_filing_months": months, "appeal_days": ap,
                   "phone": ph, "portal_note": note}
                  for n, days, months, ap, ph, note, _ in PAYERS]
    payer_ids, summary.payers = _ensure_named(conn, Payer, payer_rows)
    table = table_of(Payer)
    limits = {row.id: Payer(id=row.id, name=row.name, timely_filing_days=row.timely_filing_days,
                            timely_filing_months=row.timely_filing_months, appeal_days=row.appeal_days)
              for row in conn.execute(select(table.c.id, table.c.name, table.c.timely_filing_days,
                                             table.c.timely_filing_months, table.c.appeal_days))}
    ctx = _ClaimContext(rng, today, staff, patients, payer_ids, limits)
    drafts = [ctx.open_claim(age_range, statuses) for age_range, statuses in _open_claim_plan(rng, plan.open_claims)]
    _assign_follow_ups(rng, drafts, today)
    drafts += [ctx.closed_claim(plan.closed_claim_days) for _ in range(plan.closed_claims)]
    remittances: list[_Remitted] = []
    for payer_name, days_ago, underpaid, in_full in REMITTANCES:
        day = _open_on_or_before(today - timedelta(days=days_ago))
        posted = _working_time(rng, day, 13 * 60, 16 * 60)
        check = f"#{rng.randint(10**7, 10**8 - 1)}"
        paid_here = [ctx.remitted_claim(payer_name, posted, check, underpaid=i < underpaid)
                     for i in range(underpaid + in_full)]
        drafts += [draft for draft, _ in paid_here]
        remittances.append((payer_name, posted, check, [remit for _, remit in paid_here]))
    drafts.sort(key=lambda d: (d.row["service_date"], d.row["patient_id"]))
    _write_claims(conn, drafts, summary)
    summary.fee_schedules = _add_fee_schedules(conn, payer_ids)
    summary.remittances, summary.remittance_claims = _add_remittances(conn, rng, remittances, today)


def _open_claim_plan(rng: random.Random, count: int) -> list[tuple[tuple[int, int], dict[str, int]]]:
    """Every bucket gets its share (at least one claim), so each aging bucket is populated."""
    counts = [max(1, int(count * share)) for _, share, _ in OPEN_BUCKETS]
    counts[0] += max(0, count - sum(counts))
    plan = [
        (age_range, statuses)
        for (age_range, _, statuses), n in zip(OPEN_BUCKETS, counts, strict=True)
        for _ in range(n)
    ]
    rng.shuffle(plan)
    return plan


def _preventive_code(age: int, medicare: bool) -> str:
    if medicare and age >= 65:
        return "G0439"  # Medicare pays the annual wellness visit, not 99397
    for limit, code in ((1, "99391"), (5, "99392"), (12, "99393"), (18, "99394"), (40, "99395"), (65, "99396")):
        if age < limit:
            return code
    return "99397"


def _claim_content(rng: random.Random, age: int, medicare: bool, service: date) -> tuple[list[Line], list[str]]:
    """1-3 CPT/HCPCS lines (code, modifiers, charge) and 1-3 ICD-10-CM codes that fit the kind of visit."""
    roll = rng.random()
    flu_season = service.month in (9, 10, 11, 12, 1, 2, 3)
    if roll < 0.2:
        codes = [_preventive_code(age, medicare)]
        diagnoses = ["Z00.00" if rng.random() < 0.6 else "Z00.01"]
        if rng.random() < 0.4:
            diagnoses.append(rng.choice(CHRONIC_DX))
        if rng.random() < 0.35:
            codes.append("36415")
    else:
        codes = [rng.choices(EM_CODES, cum_weights=EM_CUM)[0]]
        if roll < 0.55:
            diagnoses = [rng.choice(ACUTE_DX)]
            if diagnoses[0] == "J02.9":
                codes.append("87880")
            elif diagnoses[0] == "J11.1":
                codes.append("87804")
            elif diagnoses[0] == "N39.0":
                codes.append("81002")
        else:
            diagnoses = rng.sample(CHRONIC_DX, rng.randint(1, 3))
            extra = rng.random()
            if extra < 0.3:
                codes.append("36415")
            elif extra < 0.36:
                codes.append("93000")
    if flu_season and len(codes) == 1 and rng.random() < 0.3:
        codes += ["90686", "90471"]
        diagnoses = diagnoses[:2] + ["Z23"]
    modifier = "25" if len(codes) > 1 and codes[0] in EM_CODES and codes[1] in ("90686", "93000") else ""
    lines = [(code, modifier if i == 0 else "", CHARGES[code]) for i, code in enumerate(codes[:3])]
    return lines, list(dict.fromkeys(diagnoses))[:3]


def _assign_follow_ups(rng: random.Random, drafts: list[_ClaimDraft], today: date) -> None:
    """About half the open claims have a follow-up date: some today, some missed, some ahead."""
    kinds = cycle(FOLLOW_UP_KINDS)
    for draft in drafts:
        if rng.random() >= FOLLOW_UP_SHARE:
            continue
        kind = next(kinds)
        if kind == "today":
            follow_up = today
        elif kind == "past":
            follow_up = today - timedelta(days=rng.randint(1, 12))
        else:
            follow_up = today + timedelta(days=rng.randint(1, 30))
        follow_up = max(follow_up, draft.row["service_date"])
        draft.row["next_follow_up"] = follow_up
        if draft.notes and draft.notes[-1]["at"].date() < follow_up:
            draft.notes[-1]["next_follow_up"] = follow_up


def _write_claims(conn: Connection, drafts: list[_ClaimDraft], summary: DemoSummary) -> None:
    next_id = _next_id(conn, Claim)
    seq = conn.execute(select(func.count()).select_from(table_of(Claim))).scalar_one()
    claims, lines, diagnoses, notes, events = [], [], [], [], []
    for offset, draft in enumerate(drafts):
        claim_id = next_id + offset
        row = draft.row
        row["id"] = claim_id
        row["number"] = f"C{row['service_date'].year}-{seq + offset + 1:06d}"
        claims.append(row)
        lines += [{"claim_id": claim_id, "code": code, "modifiers": mod, "units": 1, "charge_cents": charge}
                  for code, mod, charge in draft.lines]
        diagnoses += [{"claim_id": claim_id, "position": i, "code": code}
                      for i, code in enumerate(draft.diagnoses, start=1)]
        notes += [{**note, "claim_id": claim_id} for note in draft.notes]
        # No explicit ids: nothing points at these rows, and the database's own sequence stays right.
        events += [{**event, "claim_id": claim_id} for event in draft.events]
        if draft.remit is not None:
            draft.remit.update(claim_id=claim_id, claim_number=row["number"])
    summary.claims = _insert(conn, Claim, claims)
    summary.claim_lines = _insert(conn, ClaimLine, _with_ids(conn, ClaimLine, lines))
    summary.claim_diagnoses = _insert(conn, ClaimDiagnosis, _with_ids(conn, ClaimDiagnosis, diagnoses))
    notes.sort(key=lambda n: (n["at"], n["claim_id"]))
    summary.claim_notes = _insert(conn, ClaimNote, _with_ids(conn, ClaimNote, notes))
    summary.claim_events = _insert(conn, ClaimEvent, events)


def _add_fee_schedules(conn: Connection, payer_ids: dict[str, int]) -> int:
    table = table_of(FeeSchedule)
    have = {payer_id for (payer_id,) in conn.execute(select(table.c.payer_id).distinct())}
    rows = [{"payer_id": payer_ids[name], "code": code, "modifier": "", "allowed_cents": allowed}
            for name in FEE_SCHEDULE_PAYERS if payer_ids[name] not in have
            for code, allowed in sorted(fee_schedule(name).items())]
    return _insert(conn, FeeSchedule, rows)


def _add_remittances(conn: Connection, rng: random.Random, remittances: list[_Remitted],
                     today: date) -> tuple[int, int]:
    """The payers' latest 835 files as imported, each with one claim payment the practice cannot match."""
    claim_rows = 0
    for payer_name, posted, check, paid in sorted(remittances, key=lambda remitted: remitted[1]):  # as they came
        rows = _as_sent(conn, paid) + [_unmatched(conn, rng, payer_name, posted, paid)]
        name = f"{payer_name.split()[0].upper()}_{posted:%Y%m%d}.835"
        check_number, check_cents = check.lstrip("#"), sum(row["paid_cents"] for row in rows)
        result = conn.execute(table_of(Remittance).insert().values(
            file_hash=hashlib.sha256(f"demo 835 {name} {check}".encode()).hexdigest(), file_name=name,
            imported_at=posted, actor="billing", payer_name=payer_name, check_number=check_number,
            paid_cents=check_cents))
        key = result.inserted_primary_key
        assert key is not None, "an insert returns its new row's key"
        remittance_id = key[0]
        # The check as posting records it, so the repeat guard knows it.
        result = conn.execute(table_of(RemittanceCheck).insert().values(
            remittance_id=remittance_id, payer_name=payer_name, check_number=check_number, paid_cents=check_cents,
            paid_on=posted.date()))
        key = result.inserted_primary_key
        assert key is not None, "an insert returns its new row's key"
        claim_rows += _insert(conn, RemittanceClaim, [
            {**row, "remittance_id": remittance_id, "check_id": key[0], "posted": row["claim_id"] is not None}
            for row in rows])
    return len(remittances), claim_rows


def _as_sent(conn: Connection, paid: list[Row]) -> list[Row]:
    """The claim payments with the patient ("LAST, FIRST") and the service day the payer sent with each."""
    claims, patients = table_of(Claim), table_of(Patient)
    sent = {claim_id: (f"{last}, {first}".upper(), served) for claim_id, last, first, served in conn.execute(
        select(claims.c.id, patients.c.last_name, patients.c.first_name, claims.c.service_date)
        .join(patients, patients.c.id == claims.c.patient_id)
        .where(claims.c.id.in_([row["claim_id"] for row in paid])))}
    return [{**row, "patient_name": sent[row["claim_id"]][0], "member_id": "", "service_date": sent[row["claim_id"]][1]}
            for row in paid]


def _unmatched(conn: Connection, rng: random.Random, payer_name: str, posted: datetime, paid: list[Row]) -> Row:
    """A payment under the payer's own claim number, for an open claim of that payer sent at least two weeks
    before: the patient ("LAST, FIRST") and the day are the claim's, so the Remittances screen can offer it."""
    claims, payers, patients = table_of(Claim), table_of(Payer), table_of(Patient)
    lines = table_of(ClaimLine).c
    of_payer = (select(claims.c.id, claims.c.service_date, patients.c.last_name, patients.c.first_name)
                .join(payers, payers.c.id == claims.c.payer_id).join(patients, patients.c.id == claims.c.patient_id)
                .where(payers.c.name == payer_name, claims.c.submitted_on <= posted.date() - timedelta(days=14),
                       claims.c.id.not_in([row["claim_id"] for row in paid]))
                .order_by(claims.c.id))
    waiting = (S.submitted.value, S.accepted.value, S.pending.value)
    found = conn.execute(of_payer.where(claims.c.status.in_(waiting), claims.c.paid_cents == 0)).all()
    claim_id, served, last, first = rng.choice(found or conn.execute(of_payer).all())
    schedule = fee_schedule(payer_name)
    charges = conn.execute(select(lines.code, lines.charge_cents).where(lines.claim_id == claim_id)).all()
    charge = sum(cents for _, cents in charges)
    allowed = sum(min(schedule[code], cents) for code, cents in charges)
    return {"claim_number": f"A{rng.randint(100000, 999999)}", "claim_id": None, "status_code": "1",
            "charge_cents": charge, "paid_cents": allowed, "patient_resp_cents": 0,
            "adjustments": json.dumps([["CO", "45", charge - allowed]]), "note": "no claim with this number",
            "patient_name": f"{last}, {first}".upper(), "member_id": "", "service_date": served}
