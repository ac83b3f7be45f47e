"""Payers: their timely-filing and appeal limits, phone and portal note, with open claims and balance per payer.

A change to a payer's limits moves the stored deadline of that payer's open claims in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, update
from sqlmodel import Session, col, select

from officemgr.models import OPEN_STATUSES, Claim, Payer, PayerCreate
from officemgr.services.billing import PayerInfo, balance_expr, claim_deadline
from officemgr.services.common import ServiceError, apply_update, create, record

LIMIT_FIELDS = ("timely_filing_days", "timely_filing_months", "appeal_days")


@dataclass(frozen=True)
class PayerRow:
    payer_id: int
    version: int
    name: str
    timely_filing_days: int | None
    timely_filing_months: int | None
    appeal_days: int
    phone: str
    portal_note: str
    open_claims: int
    open_balance_cents: int


def payers(session: Session) -> list[PayerRow]:
    """Every payer by name, with its open claims' count and balance (one grouped query)."""
    balance = balance_expr()
    query = (
        select(Payer, func.count(col(Claim.id)), func.coalesce(func.sum(balance), 0))
        .outerjoin(Claim, and_(col(Claim.payer_id) == col(Payer.id), col(Claim.status).in_(OPEN_STATUSES)))
        .group_by(col(Payer.id))
        .order_by(func.lower(col(Payer.name)), col(Payer.id))
    )
    rows = []
    for p, count, owed_cents in session.exec(query):
        assert p.id is not None, "a payer read from the database has its id"
        rows.append(PayerRow(p.id, p.version, p.name, p.timely_filing_days, p.timely_filing_months, p.appeal_days,
                             p.phone, p.portal_note, int(count), int(owed_cents)))
    return rows


def _check_name(session: Session, name: str, payer_id: int | None = None) -> None:
    clash = session.exec(select(Payer).where(func.lower(col(Payer.name)) == name.lower(),
                                             col(Payer.id) != payer_id)).first()
    if clash:
        raise ServiceError(f"there is already a payer called {clash.name}")


def refresh_payer_deadlines(session: Session, payer: Payer) -> int:
    """Recompute the stored deadline of this payer's open claims (no commit); returns how many moved."""
    moved = 0
    claims = session.exec(select(Claim).where(col(Claim.payer_id) == payer.id, col(Claim.status).in_(OPEN_STATUSES)))
    for claim in claims.all():
        deadline = claim_deadline(claim, payer)
        if deadline != claim.deadline:
            session.execute(update(Claim).where(col(Claim.id) == claim.id).values(deadline=deadline))
            moved += 1
    return moved


def add_payer(session: Session, data: PayerCreate, *, now: datetime, actor: str) -> PayerInfo:
    _check_name(session, data.name)
    row = Payer.model_validate(data.model_dump())
    create(session, row, entity="payer", actor=actor, now=now)
    return PayerInfo.of(row)


def update_payer(session: Session, payer_id: int, data: PayerCreate, *, now: datetime, actor: str,
                 expected_version: int | None) -> PayerInfo:
    """Save a payer's edit; if its limits changed, its open claims' deadlines move with them (one transaction)."""
    row = session.get(Payer, payer_id)
    if row is None:
        raise ServiceError("that payer no longer exists — reload")
    _check_name(session, data.name, payer_id)
    changes = apply_update(row, data.model_dump(), expected_version=expected_version)
    if changes:
        if any(field in changes for field in LIMIT_FIELDS):
            session.flush()
            refresh_payer_deadlines(session, row)
        record(session, actor=actor, entity="payer", entity_id=payer_id, action="update", changes=changes, now=now)
    saved = PayerInfo.of(row)
    session.commit()
    return saved
