"""What a patient's record shows beside the balance: the running payment plan (the desk may end it) and the
balance sent to collections, if any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from officemgr.models import CollectionReferral, PaymentPlan
from officemgr.services.access import Area, require
from officemgr.services.format import money


@dataclass(frozen=True)
class RunningPlan:
    id: int
    amount_cents: int
    day_of_month: int
    start: date

    @property
    def summary(self) -> str:
        return f"{money(self.amount_cents)} a month on day {self.day_of_month}, since {self.start:%m/%d/%Y}"


@dataclass(frozen=True)
class Referral:
    day: date
    agency: str
    amount_cents: int


@dataclass(frozen=True)
class MoneyStanding:
    plan: RunningPlan | None
    referral: Referral | None  # the latest


def money_standing(session: Session, patient_id: int, *, actor: str) -> MoneyStanding:
    require(actor, Area.desk_money, write=False, what="a patient's account")
    plan = session.exec(select(PaymentPlan).where(PaymentPlan.patient_id == patient_id,
                                                  col(PaymentPlan.ended).is_(None))).first()
    sent = session.exec(select(CollectionReferral).where(CollectionReferral.patient_id == patient_id)
                        .order_by(col(CollectionReferral.id).desc())).first()
    running = None
    if plan is not None:
        assert plan.id is not None
        running = RunningPlan(plan.id, plan.amount_cents, plan.day_of_month, plan.start)
    return MoneyStanding(running, Referral(sent.day, sent.agency, sent.amount_cents) if sent is not None else None)
