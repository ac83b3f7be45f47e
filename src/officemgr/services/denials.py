"""Denials: CARC codes with their meanings (editable by the practice), and denial counts by code and by payer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, literal, union_all
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from officemgr.models import CarcCode, Claim, ClaimEvent, ClaimStatus, Payer
from officemgr.services.access import Area, require
from officemgr.services.carc import parse_carc
from officemgr.services.common import ServiceError, StaleEdit, apply_update, record

CARC_PATTERN = re.compile(r"^(\d{1,3}|[A-Z]\d{1,2})$")
MEANING_MAX = 300


def clean_code(code: str) -> str:
    """A CARC code as stored: '197', 'B7'; however it is typed ('CO-197', 'CO 197', 'co197', '0197'), a group
    prefix is dropped. Refuses anything else."""
    typed = parse_carc(code or "")
    if typed is None or not CARC_PATTERN.match(typed.code):
        raise ServiceError("a CARC code is a number like 197, or a letter and a number like B7")
    return typed.code


def _sort_key(code: str) -> tuple[str, int, str]:
    digits = code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return (code[: len(code) - len(digits)], int(digits) if digits.isdigit() else 0, code)


def meaning(session: Session, code: str | None) -> str:
    """What a CARC code means ('' when the code is empty or unknown)."""
    try:
        key = clean_code(code or "")
    except ServiceError:
        return ""
    row = session.get(CarcCode, key)
    return row.meaning if row is not None else ""


@dataclass(frozen=True)
class CodeRow:
    """A CARC code and what it means to the practice."""

    code: str
    meaning: str
    version: int


def codes(session: Session) -> list[CodeRow]:
    """Every known CARC code, in code order (numbers first, then A1, B7, ...)."""
    rows = [CodeRow(c.code, c.meaning, c.version) for c in session.exec(select(CarcCode))]
    return sorted(rows, key=lambda c: _sort_key(c.code))


def set_meaning(
    session: Session, code: str, meaning: str, *, now: datetime, actor: str, expected_version: int | None = None
) -> CodeRow:
    """Change what a code means, or add a code the practice meets that is not listed yet (audited)."""
    key = clean_code(code)
    text = (meaning or "").strip()
    if not text:
        raise ServiceError("write what the code means")
    if len(text) > MEANING_MAX:
        raise ServiceError(f"keep the meaning under {MEANING_MAX} characters")
    row = session.get(CarcCode, key)
    if row is None:
        if expected_version is not None:
            raise StaleEdit()
        row = CarcCode(code=key, meaning=text)
        session.add(row)
        session.flush()
        record(session, actor=actor, entity="carc_code", entity_id=0, action="create",
               changes={"code": key, "meaning": text}, now=now)
    else:
        changes = apply_update(row, {"meaning": text}, expected_version=expected_version)
        if not changes:
            return CodeRow(row.code, row.meaning, row.version)
        record(session, actor=actor, entity="carc_code", entity_id=0, action="update",
               changes={"code": key, **changes}, now=now)
    saved = CodeRow(row.code, row.meaning, row.version)
    session.commit()
    return saved


@dataclass(frozen=True)
class DenialStats:
    by_code: list[tuple[str, str, int, int]]  # (code, meaning, denials, billed cents of the denied claims)
    by_payer: list[tuple[str, int, int]]  # (payer, denials, billed cents)
    days: int
    since: date | None = None  # the first day counted (the window ends today, included)


def window(today: date, days: int) -> tuple[datetime, datetime]:
    """The last `days` days, today included, as [start, end) datetimes."""
    first = today - timedelta(days=days - 1)
    return datetime.combine(first, time()), datetime.combine(today + timedelta(days=1), time())


def denial_counts(session: Session, today: date, days: int = 90, *, actor: str) -> DenialStats:
    """Denials in the last `days` days (today included), by CARC code and by payer, most frequent first.

    A denial is a status change to denied in the claim history (each one counts, so a claim denied again
    after an appeal counts twice). Claims denied without a history row (imported, or demo data) count once by
    their denial date. Amounts are the billed charges of the denied claims.
    """
    require(actor, Area.billing, write=False, what="the denial counts")
    if days < 1:
        raise ServiceError("count denials over at least one day")
    start, end = window(today, days)
    first_day = start.date()
    from_events: Select[str, int, int] = (
        select(
            func.coalesce(func.nullif(col(ClaimEvent.code), ""), col(Claim.denial_code), "").label("code"),
            col(Claim.payer_id).label("payer_id"),
            col(Claim.billed_cents).label("cents"),
        )
        .select_from(ClaimEvent)
        .join(Claim, col(Claim.id) == col(ClaimEvent.claim_id))
        .where(col(ClaimEvent.to_status) == ClaimStatus.denied.value, col(ClaimEvent.at) >= start,
               col(ClaimEvent.at) < end)
    )
    has_event = exists().where(and_(col(ClaimEvent.claim_id) == col(Claim.id),
                                    col(ClaimEvent.to_status) == ClaimStatus.denied.value))
    from_claims: Select[str, int, int] = select(
        func.coalesce(col(Claim.denial_code), literal("")).label("code"),
        col(Claim.payer_id).label("payer_id"),
        col(Claim.billed_cents).label("cents"),
    ).where(col(Claim.denied_on) >= first_day, col(Claim.denied_on) <= today, ~has_event)
    denials = union_all(from_events, from_claims).subquery()

    count = func.count().label("n")
    cents = func.sum(denials.c.cents).label("cents")
    by_code = session.exec(
        select(denials.c.code, func.coalesce(col(CarcCode.meaning), ""), count, cents)
        .select_from(denials)
        .outerjoin(CarcCode, col(CarcCode.code) == denials.c.code)
        .group_by(denials.c.code, col(CarcCode.meaning))
        .order_by(count.desc(), cents.desc(), denials.c.code)
    ).all()
    by_payer = session.exec(
        select(col(Payer.name), count, cents)
        .select_from(denials)
        .join(Payer, col(Payer.id) == denials.c.payer_id)
        .group_by(col(Payer.id), col(Payer.name))
        .order_by(count.desc(), cents.desc(), col(Payer.name))
    ).all()
    return DenialStats(
        by_code=[(c, m or "", int(n), int(s or 0)) for c, m, n, s in by_code],
        by_payer=[(p, int(n), int(s or 0)) for p, n, s in by_payer],
        days=days,
        since=first_day,
    )
