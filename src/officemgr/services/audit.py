"""Reading the audit trail (the viewer's pages, the `report audit` rows) and logging exports and reports.

The trail itself is written by services.common.record in each write's transaction; the database refuses to
change or remove an event (triggers in models/audit.py and migration 0008).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from officemgr.models import AuditEvent
from officemgr.plaintext import visible, visible_values
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, record
from officemgr.services.format import money


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show; every part optional (None: any)."""

    entity: str | None = None
    entity_id: int | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.entity, self.entity_id, self.actor, self.since, self.until))

    def describe(self) -> str:
        """The filter as the status line reads it, e.g. 'claim #12 · by manager · 11/01/2026–11/23/2026'."""
        parts = []
        if self.entity is not None or self.entity_id is not None:
            number = f" #{self.entity_id}" if self.entity_id is not None else ""
            parts.append(f"{self.entity or 'any record'}{number}")
        if self.actor is not None:
            parts.append(f"by {self.actor}")
        if self.since is not None or self.until is not None:
            first = f"{self.since:%m/%d/%Y}" if self.since else "…"
            last = f"{self.until:%m/%d/%Y}" if self.until else "…"
            parts.append(f"{first}–{last}")
        return " · ".join(parts)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: int
    action: str
    changes: dict[str, Any]
    summary: str  # the changes on one line: "status: submitted → paid; paid: $0.00 → $120.00"

    @property
    def key(self) -> tuple[datetime, int]:
        """Where the next (older) page starts: pass it as `before`."""
        return (self.at, self.id)

    @property
    def record(self) -> str:
        return f"{self.entity} #{self.entity_id}" if self.entity_id else self.entity


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int  # events matching the filter, on every page


@dataclass(frozen=True)
class AuditFieldRow:
    """One changed field of one event: a line of `report audit`."""

    at: datetime
    actor: str
    entity: str
    entity_id: int
    action: str
    field: str
    old: str
    new: str


def check_period(since: date, until: date) -> None:
    if since > until:
        raise ServiceError(f"the period starts after it ends ({since:%m/%d/%Y} is after {until:%m/%d/%Y}); "
                           "swap --from and --to")


def _where(flt: AuditFilter, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.entity is not None:
        conditions.append(col(AuditEvent.entity) == flt.entity)
    if flt.entity_id is not None:
        conditions.append(col(AuditEvent.entity_id) == flt.entity_id)
    if flt.actor is not None:
        conditions.append(by_person(flt.actor, dialect))
    if flt.since is not None:
        conditions.append(col(AuditEvent.at) >= datetime.combine(flt.since, time.min))
    if flt.until is not None:
        conditions.append(col(AuditEvent.at) < datetime.combine(flt.until + timedelta(days=1), time.min))
    return conditions


def by_person(who: str, dialect: str) -> ColumnElement[bool]:
    """Events by `who`: a login matches its bare name (older events) and login@any-workstation; a name with a
    workstation matches only itself. A range, not LIKE, so the actor index still finds them ('@' + 1 is 'A').
    The range needs byte order: SQLite's is; a PostgreSQL database's own collation (en_US...) may skip the '@'."""
    actor = col(AuditEvent.actor)
    if "@" in who:
        return actor == who
    ordered = actor.collate("C") if dialect == "postgresql" else actor
    return or_(actor == who, and_(ordered >= who + "@", ordered < who + "A"))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def person_of(actor: str) -> str:
    """The login of an event's "who" (login@workstation), or an older event's bare name."""
    return actor.split("@", 1)[0]


def _may_read(actor: str) -> None:
    require(actor, Area.audit, write=False, what="the audit log")


def audit_page(session: Session, flt: AuditFilter, *, actor: str, before: tuple[datetime, int] | None = None,
               limit: int = 50) -> AuditPage:
    """One page of events, newest first, starting after `before` (the last row's key of the previous page)."""
    _may_read(actor)
    conditions = _where(flt, _dialect(session))
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    query = select(AuditEvent).where(*conditions)
    if before is not None:
        at, event_id = before
        query = query.where(or_(col(AuditEvent.at) < at, and_(col(AuditEvent.at) == at, col(AuditEvent.id) < event_id)))
    events = session.exec(query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)).all()
    return AuditPage([_row(event) for event in events], total)


def choices(session: Session, *, actor: str) -> tuple[list[str], list[str]]:
    """The record kinds and the people in the log (each login once, whatever workstations it wrote from), for the
    filter form (each read from its index)."""
    _may_read(actor)
    entities = session.exec(select(AuditEvent.entity).distinct().order_by(col(AuditEvent.entity))).all()
    actors = session.exec(select(AuditEvent.actor).distinct().order_by(col(AuditEvent.actor))).all()
    return list(entities), sorted({person_of(who) for who in actors})


def audit_rows(session: Session, since: date, until: date, *, actor: str, entity: str | None = None,
               person: str | None = None) -> list[AuditFieldRow]:
    """Every event of the period (both days included), oldest first, one row per changed field; `person`: only
    that login's events (see by_person)."""
    _may_read(actor)
    check_period(since, until)
    flt = AuditFilter(entity=entity, actor=person, since=since, until=until)
    events = session.exec(select(AuditEvent).where(*_where(flt, _dialect(session)))
                          .order_by(col(AuditEvent.at), col(AuditEvent.id))).all()
    rows: list[AuditFieldRow] = []
    for event in events:
        base = (event.at, event.actor, event.entity, event.entity_id, event.action)
        fields = _fields(event.action, _decode(event.changes))
        if not fields:
            rows.append(AuditFieldRow(*base, field="", old="", new=""))
        rows.extend(AuditFieldRow(*base, field=name, old=_raw(old), new=_raw(new)) for name, old, new in fields)
    return rows


def record_export(session: Session, *, what: str, actor: str, now: datetime, details: dict[str, Any],
                  report: bool = False) -> None:
    """Log that practice data left the app (entity "export", or "report" for a report; action: which one), and
    commit. `details` says where it went and how much: {"file": path or "stdout", "rows": n, ...filters}."""
    record(session, actor=actor, entity="report" if report else "export", entity_id=0, action=what,
           changes=details, now=now)
    session.commit()


# --- reading the changes --------------------------------------------------------------------------------


def _decode(text: str) -> dict[str, Any]:
    """The changes as stored, every text in them (names, values) with control characters spelled out: JSON keeps an
    ESC escaped, and decoding it gives the raw character back."""
    try:
        value = visible_values(json.loads(text))
    except ValueError:
        return {"changes": visible(text)}
    return value if isinstance(value, dict) else {"changes": value}


def _fields(action: str, changes: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, old, new) per changed field; old is None where the event has only a value (a create)."""
    return [(name, *value) if _is_pair(action, value) else (name, None, value) for name, value in changes.items()]


def _raw(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def readable(name: str, value: Any) -> str:
    """A value as the manager reads it: money in dollars, yes/no, 'none' for nothing."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name.endswith("_cents") and isinstance(value, int):
        return money(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def field_lines(row: AuditRow) -> list[tuple[str, str | None, str]]:
    """(field, old or None when the event has only a value, new) per field, readable: the detail view's lines."""
    return [(_label(name), readable(name, value[0]) if _is_pair(row.action, value) else None,
             readable(name, value[1] if _is_pair(row.action, value) else value))
            for name, value in row.changes.items()]


def _is_pair(action: str, value: Any) -> bool:
    # Updates store [old, new]; a create (or a one-off action's detail) stores the value alone.
    return action != "create" and isinstance(value, list) and len(value) == 2


def _label(name: str) -> str:
    return name[: -len("_cents")] if name.endswith("_cents") else name


def _summary(action: str, changes: dict[str, Any]) -> str:
    parts = []
    for name, value in changes.items():
        if _is_pair(action, value):
            parts.append(f"{_label(name)}: {readable(name, value[0])} → {readable(name, value[1])}")
        else:
            parts.append(f"{_label(name)}: {readable(name, value)}")
    return "; ".join(parts)


def _row(event: AuditEvent) -> AuditRow:
    changes = _decode(event.changes)
    return AuditRow(event.id or 0, event.at, event.actor, event.entity, event.entity_id, event.action, changes,
                    _summary(event.action, changes))
