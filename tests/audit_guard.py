"""A guard that checks, at every commit issued by service code, that each row the transaction inserted, updated or
deleted has its audit event in that same transaction (tests/test_audit_completeness.py uses it).

It also records which service functions committed, so the test can tell which writes it exercised.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from officemgr.models import AuditEvent

SERVICES = Path(__file__).resolve().parent.parent / "src" / "officemgr" / "services"

# Tables whose rows are recorded through their parent's event (a line of an order, a lot and its movement under
# the item's "receive"), or that are themselves a trail or a derived cache. A change to one of these needs some
# audit event in its transaction, not one naming its own id.
RECORDED_BY_PARENT = {
    "appointment_event": "the appointment's own history, written beside the appointment's audit event",
    "claim_event": "the claim's status history, written beside the claim's audit event",
    "claim_posting": "a claim's dated balance changes (its journal), in the claim's event of the change",
    "claim_note": "a note is audited on its claim (action note)",
    "claim_line": "a claim's lines, in the claim's import event",
    "claim_diagnosis": "a claim's diagnoses, in the claim's import event",
    "remittance_claim": "a remittance's claim payments, in the remittance's event",
    "provider_adjustment": "a check's provider-level adjustments (PLB), in the check's event",
    "fee_schedule": "a payer's fee schedule rows, in the payer's import event",
    "purchase_order_line": "an order's lines, in the purchase order's events",
    "bill_line": "a bill's lines, in the bill's create/update events",
    "stock_lot": "an item's lots, in the item's receive/use/waste/count events",
    "stock_movement": "an item's stock movements, in the item's receive/use/waste/count events",
    "equipment_service": "a service visit, in the equipment's log_service event",
    "huddle_review": "an item's outcome in a huddle, audited on the huddle (action mark)",
}


@dataclass
class _Transaction:
    changed: set[tuple[str, Any, str]] = field(default_factory=set)  # (table, id or None for bulk, how)
    audited: set[tuple[str, int]] = field(default_factory=set)


@dataclass
class AuditGuard:
    problems: list[str] = field(default_factory=list)
    committed_by: set[str] = field(default_factory=set)  # "module.function" of service code that committed

    def __enter__(self) -> AuditGuard:
        event.listen(Session, "after_flush", self._flushed)
        event.listen(Session, "do_orm_execute", self._bulk)
        event.listen(Session, "before_commit", self._committing)
        event.listen(Session, "after_rollback", self._forget)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Session, "after_flush", self._flushed)
        event.remove(Session, "do_orm_execute", self._bulk)
        event.remove(Session, "before_commit", self._committing)
        event.remove(Session, "after_rollback", self._forget)

    @staticmethod
    def _tx(session: Session) -> _Transaction:
        return session.info.setdefault("audit_guard", _Transaction())  # type: ignore[no-any-return]

    def _flushed(self, session: Session, _context: object) -> None:
        tx = self._tx(session)
        for obj in session.new:
            if isinstance(obj, AuditEvent):
                tx.audited.add((obj.entity, obj.entity_id))
            else:
                tx.changed.add((obj.__tablename__, _key(obj), "inserted"))
        for obj in session.dirty:
            if session.is_modified(obj):
                tx.changed.add((obj.__tablename__, _key(obj), "updated"))
        for obj in session.deleted:
            tx.changed.add((obj.__tablename__, _key(obj), "deleted"))

    def _bulk(self, state: ORMExecuteState) -> None:
        if (state.is_update or state.is_delete) and state.bind_mapper is not None:
            how = "bulk-updated" if state.is_update else "bulk-deleted"
            self._tx(state.session).changed.add((state.bind_mapper.local_table.name, None, how))

    def _forget(self, session: Session) -> None:
        session.info.pop("audit_guard", None)

    def _committing(self, session: Session) -> None:
        session.flush()  # whatever is pending is part of this commit
        tx = session.info.pop("audit_guard", _Transaction())
        callers = _service_callers()
        if not callers:
            return  # test set-up (factories), not a service write
        self.committed_by.update(callers)
        for table, row_id, how in sorted(tx.changed, key=repr):
            if (table, row_id) in tx.audited:
                continue
            if (table in RECORDED_BY_PARENT or row_id is None) and tx.audited:
                continue
            self.problems.append(f"{'/'.join(sorted(callers))}: {table} #{row_id} {how} without its audit event")


def _key(obj: Any) -> int:
    # Rows keyed by text (a CARC code, a setting) are logged with entity_id 0 and their key among the changes; a
    # month's close by its month as 202610 (services.closed_months.month_key).
    if getattr(obj, "__tablename__", "") == "month_close":
        return int(obj.month.year * 100 + obj.month.month)
    return getattr(obj, "id", 0)


def _service_callers() -> set[str]:
    """The service functions on the stack, as 'module.function' (empty when no service code is committing)."""
    names = set()
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.parent == SERVICES:
            names.add(f"{path.stem}.{frame.f_code.co_name}")
        frame = frame.f_back  # type: ignore[assignment]
    return names


def committing_functions() -> set[str]:
    """Every top-level service function that commits: calls .commit(), create() or record_export() itself."""
    found = set()
    for path in SERVICES.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(_commits(call) for call in ast.walk(node)):
                found.add(f"{path.stem}.{node.name}")
    return found


def _commits(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name in {"commit", "create", "record_export"}
