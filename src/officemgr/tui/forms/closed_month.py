"""A form whose date may fall in a closed month (a bill's payment, a paper EOB): the save is refused, and the manager
is then shown a reason field to post it anyway (services.closed_months audits the override)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.dom import DOMNode
from textual.widgets import Input

from officemgr.services.access import Area, may
from officemgr.services.closed_months import MonthClosed
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.base import FieldSpec

REASON = "override_reason"
T = TypeVar("T")
R = TypeVar("R")


def reason_field() -> FieldSpec:
    return FieldSpec(REASON, "Reason to post into the closed month", optional=True)


class ClosedMonthWatch(Generic[T, R]):
    """Wraps a form's save so the form knows (on its refusal) that the month was closed: the save runs in a worker,
    the refusal arrives on the UI thread as text only."""

    def __init__(self, save: Callable[[Session, T], R]) -> None:
        self.closed = False
        self._save = save

    def __call__(self, session: Session, data: T) -> R:
        try:
            return self._save(session, data)
        except MonthClosed:
            self.closed = True
            raise


def show_reason(form: DOMNode, shown: bool) -> None:
    row = form.query_one(f"#f-{REASON}").parent
    if row is not None:
        row.display = shown


def offer_reason(form: DOMNode, ctx: AppContext, watch: ClosedMonthWatch[T, R]) -> None:
    """After a refusal: the manager gets the reason field when the refusal was a closed month."""
    if watch.closed and may(ctx.actor, Area.finance):
        show_reason(form, True)
        form.query_one(f"#f-{REASON}", Input).focus()
