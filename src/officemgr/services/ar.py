"""Accounts receivable: open balances by payer and aging bucket, and the billing KPIs with their targets.

Every figure is one grouped SQL query; no claim rows are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from officemgr.models import OPEN_STATUSES, Claim, ClaimEvent, ClaimStatus, Payer
from officemgr.services import settings
from officemgr.services.access import Area, require
from officemgr.services.billing import aging_basis_column, aging_edges, aging_from, balance_expr, buckets

YEAR_DAYS = 365
SETTLE_DAYS = 90  # the net collection rate leaves out services younger than this (not settled yet)
COUNTED_FROM = {"service": "date of service", "submission": "submission"}


@dataclass(frozen=True)
class AgingRow:
    payer_id: int
    payer: str
    cents: list[int]  # one amount per bucket, in label order
    total: int


@dataclass(frozen=True)
class AgingTable:
    labels: list[str]
    rows: list[AgingRow]  # largest total first
    totals: list[int]  # per bucket, all payers
    total: int
    counted_from: str  # "date of service" or "submission": what the age of a claim counts from


def aging(session: Session, today: date, *, actor: str) -> AgingTable:
    """Open claims' balances (billed less paid, adjustments and patient share) by payer and aging bucket."""
    require(actor, Area.billing, write=False, what="the A/R aging")
    table = buckets(aging_edges(session))
    counted = aging_from(session)
    basis = aging_basis_column(counted)
    bucket = case(
        *[(basis >= today - timedelta(days=high), index) for index, (_, high, _) in enumerate(table)
          if high is not None],
        else_=literal(len(table) - 1),
    )
    balance = balance_expr()
    inner = (
        select(col(Claim.payer_id).label("payer_id"), bucket.label("bucket"), balance.label("balance"))
        .where(col(Claim.status).in_(OPEN_STATUSES), balance > 0)
        .subquery()
    )
    grouped = session.exec(
        select(inner.c.payer_id, Payer.name, inner.c.bucket, func.sum(inner.c.balance))
        .join(Payer, col(Payer.id) == inner.c.payer_id)
        .group_by(inner.c.payer_id, col(Payer.name), inner.c.bucket)
    ).all()
    by_payer: dict[int, tuple[str, list[int]]] = {}
    for payer_id, name, index, cents in grouped:
        by_payer.setdefault(payer_id, (name, [0] * len(table)))[1][int(index)] += int(cents or 0)
    rows = sorted(
        (AgingRow(payer_id, name, cents, sum(cents)) for payer_id, (name, cents) in by_payer.items()),
        key=lambda r: (-r.total, r.payer),
    )
    totals = [sum(r.cents[i] for r in rows) for i in range(len(table))]
    return AgingTable([label for *_, label in table], rows, totals, sum(totals), COUNTED_FROM[counted])


@dataclass(frozen=True)
class Kpi:
    name: str
    value: float | None  # None when there is nothing to measure yet
    target: float
    unit: str  # "days" or "%"
    better: str  # "lower" or "higher"
    ok: bool | None  # None when value is None
    how: str  # the formula, in words
    detail: str = ""  # the figures that went in, e.g. "3 of 60 claims"


def _kpi(name: str, value: float | None, target: float, unit: str, better: str, how: str, detail: str) -> Kpi:
    if value is None:
        ok = None
    else:
        ok = value <= target if better == "lower" else value >= target
    return Kpi(name, value, float(target), unit, better, ok, how, detail)


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.0f}"


def kpis(session: Session, today: date, *, actor: str) -> list[Kpi]:
    """Days in A/R, denial rate and net collection rate over the last 12 months (365 days, today included)."""
    require(actor, Area.billing, write=False, what="the billing figures")
    targets = settings.get(session, "kpi_targets")
    first = today - timedelta(days=YEAR_DAYS - 1)
    in_year = and_(col(Claim.service_date) >= first, col(Claim.service_date) <= today)
    is_open = col(Claim.status).in_(OPEN_STATUSES)
    ar = int(session.exec(select(func.coalesce(func.sum(balance_expr()), 0)).where(is_open)).one())
    charges = int(session.exec(select(func.coalesce(func.sum(Claim.billed_cents), 0)).where(in_year)).one())

    per_day = charges / YEAR_DAYS
    days_in_ar = ar / per_day if charges > 0 else None
    submitted = _claims_reaching(session, ClaimStatus.submitted, col(Claim.submitted_on), first, today)
    denied = _claims_reaching(session, ClaimStatus.denied, col(Claim.denied_on), first, today)
    denial_rate = denied / submitted * 100 if submitted else None
    # Collections lag charges: counting last month's services (not yet paid, not yet adjusted) would make every
    # practice look short, so the rate is taken over services old enough to have settled.
    settled = and_(col(Claim.service_date) >= first, col(Claim.service_date) <= today - timedelta(days=SETTLE_DAYS))
    settled_charges, paid, adjusted = (int(v) for v in session.exec(
        select(func.coalesce(func.sum(Claim.billed_cents), 0),
               func.coalesce(func.sum(Claim.paid_cents + Claim.secondary_paid_cents), 0),
               func.coalesce(func.sum(Claim.adjusted_cents), 0)).where(settled)
    ).one())
    net = settled_charges - adjusted
    net_collection = paid / net * 100 if net > 0 else None
    return [
        _kpi("Days in A/R", days_in_ar, targets.get("days_in_ar", 40), "days", "lower",
             "open balances ÷ average charges per day (charges for services in the last 12 months ÷ 365)",
             f"A/R {_dollars(ar)}; 12-month charges {_dollars(charges)}"),
        _kpi("Denial rate", denial_rate, targets.get("denial_rate_pct", 5.0), "%", "lower",
             "claims denied ÷ claims submitted, in the last 12 months",
             f"{denied:,} of {submitted:,} claims"),
        _kpi("Net collection rate", net_collection, targets.get("net_collection_pct", 95.0), "%", "higher",
             f"payments ÷ (charges − contractual adjustments), for services in the last 12 months "
             f"older than {SETTLE_DAYS} days",
             f"paid {_dollars(paid)} of {_dollars(net)}"),
    ]


def _claims_reaching(session: Session, status: ClaimStatus, field: Mapped[date | None], first: date,
                     today: date) -> int:
    """Distinct claims that reached `status` between `first` and `today`: from the claim history, and from the
    claim's own date field for claims that came in without history (imported or demo data)."""
    start, end = datetime.combine(first, time()), datetime.combine(today + timedelta(days=1), time())
    in_window = and_(field >= first, field <= today)
    by_field = session.exec(select(func.count()).select_from(Claim).where(in_window)).one()
    # claims whose history shows it but whose own date field does not (changed since, or outside the window)
    by_history = session.exec(
        select(func.count(func.distinct(ClaimEvent.claim_id)))
        .select_from(ClaimEvent)
        .join(Claim, col(Claim.id) == col(ClaimEvent.claim_id))
        .where(col(ClaimEvent.to_status) == status.value, col(ClaimEvent.at) >= start, col(ClaimEvent.at) < end)
        .where(or_(field.is_(None), ~in_window))
    ).one()
    return int(by_field) + int(by_history)
