"""Payers and claims: open claims across the aging buckets with notes and follow-ups, and closed history."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate, cycle
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from officemgr.demo._db import _ensure_named, _insert, _next_id, _with_ids, _working_time
from officemgr.demo._types import DemoSummary, PatientRef, Person, Scale
from officemgr.models import Claim, ClaimDiagnosis, ClaimLine, ClaimNote, ClaimStatus, NoteAction, Payer, Role
from officemgr.services.billing import claim_deadline

# --------------------------------------------------------------------------------------------- billing

# name, timely filing days, appeal days, phone, portal note, share of claims
PAYERS = (
    ("Medicare", 365, 120, "(800) 555-0101", "MAC portal; redetermination within 120 days of the notice", 30),
    ("Medicaid", 365, 120, "(800) 555-0102", "State Medicaid portal", 10),
    ("BlueCross BlueShield", 180, 180, "(800) 555-0103", "Availity", 20),
    ("Aetna", 120, 180, "(800) 555-0104", "Availity", 12),
    ("UnitedHealthcare", 90, 180, "(800) 555-0105", "UHC Provider Portal", 15),
    ("Cigna", 90, 180, "(800) 555-0106", "Cigna for HCP portal", 13),
)
CHARGES = {  # practice fee schedule, cents
    "99212": 9500, "99213": 13500, "99214": 19500, "99215": 26500, "99203": 17500, "99204": 26500,
    "99391": 21000, "99392": 21500, "99393": 21500, "99394": 22500, "99395": 23500, "99396": 25000,
    "99397": 26500, "G0439": 21500, "90686": 3500, "90471": 2800, "36415": 1500, "81002": 1200,
    "87880": 3500, "87804": 3800, "93000": 6000, "94640": 4500, "96372": 3500,
}
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


@dataclass
class _ClaimDraft:
    """A claim with its lines, diagnoses and notes, before ids and numbers are given out."""

    row: dict
    lines: list[tuple[str, str, int]]
    diagnoses: list[str]
    notes: list[dict]


def _add_claims(conn: Connection, rng: random.Random, staff: list[Person], patients: list[PatientRef],
                plan: Scale, today: date, summary: DemoSummary) -> None:
    payer_rows = [{"name": n, "timely_filing_days": tf, "appeal_days": ap, "phone": ph, "portal_note": note}
                  for n, tf, ap, ph, note, _ in PAYERS]
    payer_ids, summary.payers = _ensure_named(conn, Payer, payer_rows)
    table = Payer.__table__
    limits = {row.id: row for row in conn.execute(select(table.c.id, table.c.timely_filing_days, table.c.appeal_days))}
    ctx = _ClaimContext(rng, today, staff, patients, payer_ids, limits)
    drafts = [ctx.open_claim(age_range, statuses) for age_range, statuses in _open_claim_plan(rng, plan.open_claims)]
    _assign_follow_ups(rng, drafts, today)
    drafts += [ctx.closed_claim(plan.closed_claim_days) for _ in range(plan.closed_claims)]
    drafts.sort(key=lambda d: (d.row["service_date"], d.row["patient_id"]))
    _write_claims(conn, drafts, summary)


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


class _ClaimContext:
    def __init__(self, rng: random.Random, today: date, staff: list[Person], patients: list[PatientRef],
                 payer_ids: dict[str, int], payer_limits: dict) -> None:
        self.rng = rng
        self.payer_limits = payer_limits
        self.today = today
        self.providers = [p.id for p in staff if p.is_provider]
        self.billers = [p.name for p in staff if p.role in (Role.biller, Role.manager)]
        self.seniors = [p for p in patients if p.age >= 65] or patients
        self.others = [p for p in patients if p.age < 65] or patients
        self.payers = [(payer_ids[name], name) for name, *_ in PAYERS]
        self.payer_cum = list(accumulate(share for *_, share in PAYERS))

    def _service_date(self, low: int, high: int) -> date:
        """A weekday (or today) whose age in days lies in [low, high]."""
        while True:
            day = self.today - timedelta(days=self.rng.randint(low, high))
            if day.weekday() < 5 or day == self.today:
                return day

    def _base(self, service: date) -> tuple[dict, list, list]:
        rng = self.rng
        payer_id, payer_name = rng.choices(self.payers, cum_weights=self.payer_cum)[0]
        pool = self.seniors if payer_name == "Medicare" else self.others
        patient = pool[rng.randrange(len(pool))]
        lines, diagnoses = _claim_content(rng, patient.age, payer_name == "Medicare", service)
        row = {
            "patient_id": patient.id, "payer_id": payer_id, "provider_id": rng.choice(self.providers),
            "service_date": service, "billed_cents": sum(charge for _, _, charge in lines), "paid_cents": 0,
            "submitted_on": None, "denial_code": None, "denied_on": None, "next_follow_up": None,
            "last_activity": None, "paper": rng.random() < 0.05, "deadline": None,
        }
        return row, lines, diagnoses

    def open_claim(self, age_range: tuple[int, int], statuses: dict[str, int]) -> _ClaimDraft:
        rng, today = self.rng, self.today
        service = self._service_date(*age_range)
        row, lines, diagnoses = self._base(service)
        status = ClaimStatus(rng.choices(list(statuses), weights=list(statuses.values()))[0])
        row["status"] = status.value
        notes: list[dict] = []
        note = lambda day, action, text: notes.append(self._note(day, action, text))  # noqa: E731
        payer = next(name for pid, name in self.payers if pid == row["payer_id"])
        if status is ClaimStatus.draft:
            if rng.random() < 0.3:
                note(service + timedelta(days=1), NoteAction.note, "Waiting on the provider to sign the visit note")
        else:
            row["submitted_on"] = min(today, service + timedelta(days=rng.randint(1, 6)))
        submitted = row["submitted_on"]
        if status is ClaimStatus.rejected:
            note(submitted + timedelta(days=1), NoteAction.note, f"Clearinghouse rejected: {rng.choice(REJECTIONS)}")
        elif status is ClaimStatus.pending and rng.random() < 0.6:
            note(submitted + timedelta(days=rng.randint(25, 45)), NoteAction.called_payer,
                 f"Called {payer}: claim in process, ref #{rng.randint(10**7, 10**8 - 1)}")
        elif status is ClaimStatus.partly_paid:
            row["paid_cents"] = int(row["billed_cents"] * rng.uniform(0.35, 0.8))
            note(submitted + timedelta(days=rng.randint(14, 30)), NoteAction.sent_to_patient,
                 "Partial payment posted; coinsurance balance billed to the patient")
        elif status in (ClaimStatus.denied, ClaimStatus.appealed):
            code, group, text = rng.choice(DENIALS)
            row["denial_code"] = code
            row["denied_on"] = min(today, submitted + timedelta(days=rng.randint(14, 35)))
            note(row["denied_on"], NoteAction.note, f"Denied {group}-{code}: {text}")
            if status is ClaimStatus.appealed:
                note(row["denied_on"] + timedelta(days=rng.randint(3, 20)), NoteAction.appealed,
                     "Appeal sent with visit notes and a letter of medical necessity")
            elif rng.random() < 0.5:
                note(row["denied_on"] + timedelta(days=rng.randint(1, 10)), NoteAction.called_payer,
                     f"Called {payer} about the denial; rep confirmed CARC {code}")
        notes.sort(key=lambda n: n["at"])
        dates = [d for d in (submitted, row["denied_on"], *(n["at"].date() for n in notes)) if d]
        row["last_activity"] = max(dates) if dates else None
        # The same rule the billing service applies on every write, so the work queue sorts right.
        claim = SimpleNamespace(status=status, service_date=service, denied_on=row["denied_on"])
        row["deadline"] = claim_deadline(claim, self.payer_limits[row["payer_id"]])  # type: ignore[arg-type]
        return _ClaimDraft(row, lines, diagnoses, notes)

    def closed_claim(self, max_age: int) -> _ClaimDraft:
        rng, today = self.rng, self.today
        service = self._service_date(25, max_age)
        row, lines, diagnoses = self._base(service)
        row["submitted_on"] = service + timedelta(days=rng.randint(1, 5))
        row["last_activity"] = min(today - timedelta(days=1), row["submitted_on"] + timedelta(days=rng.randint(12, 40)))
        if rng.random() < 0.85:
            row["status"] = ClaimStatus.paid.value
            row["paid_cents"] = int(row["billed_cents"] * rng.uniform(0.55, 0.92))
        else:  # written off after review, sometimes with a little paid
            row["status"] = ClaimStatus.closed.value
            row["paid_cents"] = int(row["billed_cents"] * rng.choice((0, 0, 0.2, 0.4)))
        return _ClaimDraft(row, lines, diagnoses, [])

    def _note(self, day: date, action: NoteAction, text: str) -> dict:
        day = min(day, self.today)
        return {"at": _working_time(self.rng, day), "actor": self.rng.choice(self.billers), "action": action.value,
                "text": text, "next_follow_up": None}


def _preventive_code(age: int, medicare: bool) -> str:
    if medicare and age >= 65:
        return "G0439"  # Medicare pays the annual wellness visit, not 99397
    for limit, code in ((1, "99391"), (5, "99392"), (12, "99393"), (18, "99394"), (40, "99395"), (65, "99396")):
        if age < limit:
            return code
    return "99397"


def _claim_content(rng: random.Random, age: int, medicare: bool, service: date) -> tuple[list, list]:
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
    seq = conn.execute(select(func.count()).select_from(Claim.__table__)).scalar_one()
    claims, lines, diagnoses, notes = [], [], [], []
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
    summary.claims = _insert(conn, Claim, claims)
    summary.claim_lines = _insert(conn, ClaimLine, _with_ids(conn, ClaimLine, lines))
    summary.claim_diagnoses = _insert(conn, ClaimDiagnosis, _with_ids(conn, ClaimDiagnosis, diagnoses))
    notes.sort(key=lambda n: (n["at"], n["claim_id"]))
    summary.claim_notes = _insert(conn, ClaimNote, _with_ids(conn, ClaimNote, notes))
