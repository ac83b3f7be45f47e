"""A patient's insurance plans and eligibility checks, and what the desk is warned of when booking a visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from officemgr.models import Eligibility, EligibilityCheck, InsurancePlan, Patient, Payer, PlanCreate
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, apply_update, created_fields, first_error, record
from officemgr.services.format import money


@dataclass(frozen=True)
class PlanRow:
    id: int
    version: int
    rank: str
    payer: str
    payer_id: int
    member_id: str
    group_number: str
    effective: date | None
    termination: date | None
    copay_cents: int
    deductible_cents: int
    verified_on: date | None
    verified_by: str
    verified_result: Eligibility | None

    @property
    def dates(self) -> str:
        start = f"{self.effective:%m/%d/%Y}" if self.effective else "…"
        end = f"{self.termination:%m/%d/%Y}" if self.termination else "…"
        return f"{start} – {end}"

    @property
    def summary(self) -> str:
        copay = f", copay {money(self.copay_cents)}" if self.copay_cents else ""
        return f"{self.rank}: {self.payer} #{self.member_id}{copay}"


def _validated(values: dict[str, Any] | PlanCreate) -> PlanCreate:
    if isinstance(values, PlanCreate):
        return values
    try:
        return PlanCreate.model_validate(values)
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from exc


def _overlaps(a: InsurancePlan | PlanCreate, b: InsurancePlan | PlanCreate) -> bool:
    return (a.termination is None or b.effective is None or b.effective <= a.termination) and (
        b.termination is None or a.effective is None or a.effective <= b.termination)


def _check(session: Session, patient_id: int, data: PlanCreate, *, besides: int | None = None) -> None:
    if session.get(Patient, patient_id) is None:
        raise ServiceError("that patient is no longer on file; reload")
    if session.get(Payer, data.payer_id) is None:
        raise ServiceError("payer_id: choose a payer from the list (add a new one under Billing → payers)")
    same_rank = select(InsurancePlan).where(InsurancePlan.patient_id == patient_id, InsurancePlan.rank == data.rank)
    for other in session.exec(same_rank):
        if other.id != besides and _overlaps(other, data):
            payer = session.get(Payer, other.payer_id)
            raise ServiceError(f"rank: the patient already has a {data.rank.value} plan ({payer.name if payer else '?'}"
                               f" #{other.member_id}) for those dates; give that one a termination date first, or "
                               "rank this one differently")


def add_coverage(session: Session, patient_id: int, values: dict[str, Any] | PlanCreate, *, actor: str,
                 now: datetime) -> PlanRow:
    """A plan for the patient; refused when another plan of the same rank covers any of the same days. Commits."""
    require(actor, Area.schedule, what="recording a patient's insurance")
    data = _validated(values)
    _check(session, patient_id, data)
    plan = InsurancePlan(**data.model_dump(), patient_id=patient_id)
    session.add(plan)
    session.flush()
    assert plan.id is not None
    record(session, actor=actor, entity="insurance_plan", entity_id=plan.id, action="create",
           changes=created_fields(plan), now=now)
    session.commit()
    return _row(session, plan)


def update_coverage(session: Session, coverage_id: int, values: dict[str, Any] | PlanCreate, *, actor: str,
                    now: datetime, expected_version: int | None = None) -> PlanRow:
    """Save an edit of a plan (a termination date ends it). Commits."""
    require(actor, Area.schedule, what="changing a patient's insurance")
    plan = _plan(session, coverage_id)
    data = _validated(values)
    _check(session, plan.patient_id, data, besides=coverage_id)
    changes = apply_update(plan, data.model_dump(), expected_version=expected_version)
    if changes:
        record(session, actor=actor, entity="insurance_plan", entity_id=coverage_id, action="update", changes=changes,
               now=now)
    session.commit()
    return _row(session, plan)


def record_eligibility(session: Session, coverage_id: int, check: dict[str, Any] | EligibilityCheck, *, today: date,
                       actor: str, now: datetime) -> PlanRow:
    """The result of today's eligibility check of a plan (portal or phone), by whom. Commits."""
    require(actor, Area.schedule, what="recording an eligibility check")
    try:
        data = check if isinstance(check, EligibilityCheck) else EligibilityCheck.model_validate(check)
    except ValidationError as exc:
        raise ServiceError(first_error(exc)) from exc
    plan = _plan(session, coverage_id)
    changes = apply_update(plan, {"verified_on": today, "verified_by": data.by, "verified_result": data.result,
                                  "verified_note": data.note}, expected_version=None)
    record(session, actor=actor, entity="insurance_plan", entity_id=coverage_id, action="eligibility", changes=changes,
           now=now)
    session.commit()
    return _row(session, plan)


def _plan(session: Session, coverage_id: int) -> InsurancePlan:
    plan = session.get(InsurancePlan, coverage_id)
    if plan is None:
        raise ServiceError("that plan is no longer on file; reload")
    return plan


def _row(session: Session, plan: InsurancePlan) -> PlanRow:
    assert plan.id is not None
    payer = session.get(Payer, plan.payer_id)
    return PlanRow(plan.id, plan.version, plan.rank.value, payer.name if payer else "?", plan.payer_id,
                   plan.member_id, plan.group_number, plan.effective, plan.termination, plan.copay_cents,
                   plan.deductible_cents, plan.verified_on, plan.verified_by, plan.verified_result)


_RANKS = {"primary": 0, "secondary": 1, "tertiary": 2}


def plans(session: Session, patient_id: int) -> list[PlanRow]:
    """Every plan the patient has had, those in force first by rank, then ended ones, newest first."""
    rows = [_row(session, p) for p in session.exec(select(InsurancePlan).where(InsurancePlan.patient_id == patient_id)
                                                   .order_by(col(InsurancePlan.id).desc()))]
    return sorted(rows, key=lambda r: (r.termination is not None, _RANKS[r.rank]))


def plans_on(session: Session, patient_id: int, day: date) -> list[PlanRow]:
    """The plans that cover `day`, primary first."""
    found = session.exec(select(InsurancePlan).where(InsurancePlan.patient_id == patient_id))
    return sorted((_row(session, p) for p in found if p.covers(day)), key=lambda r: _RANKS[r.rank])


def warning(session: Session, patient_id: int, day: date) -> str | None:
    """What the desk should know about the patient's insurance for a visit on `day`, or None when the primary plan
    covers the day and was verified active within the practice's window (setting eligibility_valid_days)."""
    every = session.exec(select(InsurancePlan).where(InsurancePlan.patient_id == patient_id)).all()
    if not every:
        return "no insurance on file: add the patient's plan, or mark the visit self-pay"
    covering = sorted((p for p in every if p.covers(day)), key=lambda p: _RANKS[p.rank.value])
    if not covering:
        ended = [p for p in every if p.termination is not None and p.termination < day]
        if ended:
            last = max(ended, key=lambda p: p.termination or date.min)
            return f"coverage ended {last.termination:%m/%d/%Y}: ask for the patient's new insurance"
        first = min((p for p in every if p.effective is not None), key=lambda p: p.effective or date.max)
        return f"coverage starts {first.effective:%m/%d/%Y}, after this visit"
    primary = covering[0]
    window = int(settings.get(session, "eligibility_valid_days"))
    if primary.verified_result is not None and primary.verified_result is not Eligibility.active \
            and primary.verified_on is not None and primary.verified_on >= day - timedelta(days=window):
        return f"the eligibility check on {primary.verified_on:%m/%d/%Y} said {primary.verified_result.label}"
    if primary.verified_on is None or primary.verified_on < day - timedelta(days=window) or primary.verified_on > day:
        return f"insurance not verified within {window} days before the visit"
    return None
