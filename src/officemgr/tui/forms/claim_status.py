"""Move a claim along its status flow: only the legal next statuses are offered, and each asks for what it
needs (a denial its CARC code and group, a payment its amount, a closing its reason). The service refuses
anything else, and its reason shows in the form; nothing is saved until the whole change is valid.

Also here: the work queue's filter form (key f), which writes nothing and dismisses with the chosen `Filters`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from rich.text import Text
from textual import on
from textual.widgets import Input, Select, Static

from officemgr.models import OPEN_STATUSES, ClaimStatus, CloseReason
from officemgr.models.validation import parse_money
from officemgr.services import claim_flow
from officemgr.services.billing import split_denial_code
from officemgr.services.carc import parse_carc
from officemgr.services.claim_flow import StatusChange
from officemgr.services.format import money
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldsForm, FieldSpec, RecordForm, SaveCall
from officemgr.tui.forms.claim_note import ClaimRef

# CARC group codes: who the adjustment is on.
GROUPS = [(f"{code} {meaning}", code) for code, meaning in claim_flow.DENIAL_GROUPS.items()]
PAID = (ClaimStatus.paid, ClaimStatus.partly_paid)
# A payment can be taken back (a negative amount) when a paid or closed claim goes back to pending.
REVERSIBLE = (ClaimStatus.paid, ClaimStatus.partly_paid, ClaimStatus.closed)
OPTIONAL_FIELDS = ("denial_code", "denial_group", "paid_cents", "close_reason")


def needs(old: ClaimStatus, to: ClaimStatus | None) -> tuple[str, ...]:
    """The fields a move from `old` to `to` asks for (the note and next follow-up are always there)."""
    if to is ClaimStatus.denied:
        return ("denial_code", "denial_group")
    if to in PAID or (to is ClaimStatus.pending and old in REVERSIBLE):
        return ("paid_cents",)
    if to is ClaimStatus.closed:
        return ("close_reason",)
    return ()


def dollars(text: str) -> int | None:
    """An amount as cents, negative for a take-back ('-84.20'); None if it is not one."""
    text = text.strip()
    if text.startswith("-"):
        cents = parse_money(text[1:])
        return None if cents is None else -cents
    return parse_money(text)


class ClaimStatusForm(RecordForm[StatusChange]):
    DEFAULT_CSS = """
    ClaimStatusForm #carc-meaning {
        padding-left: 34;
        color: $text-muted;
        height: auto;
    }
    """

    def __init__(self, ctx: AppContext, save: SaveCall[StatusChange], ref: ClaimRef, *,
                 carc: dict[str, str] | None = None) -> None:
        """`carc`: code -> meaning, read by the caller off the UI thread, to name the code as it is typed."""
        self.ref = ref
        self.carc = carc or {}
        self.choices = claim_flow.allowed_next(ref.status)
        self.FORM_TITLE = (f"Status of claim {ref.number} ({ref.patient_name}, {ref.payer_name}): "
                           f"now {ref.status.label} · balance {money(ref.balance_cents)}")
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("to", "New status", kind="select", options=[(s.label, s) for s in self.choices]),
            FieldSpec("denial_code", "Denial: CARC code", placeholder="e.g. 50, 197 or CO-197"),
            FieldSpec("denial_group", "Denial: group", kind="select", optional=True, options=GROUPS),
            FieldSpec("paid_cents", "Amount paid ($)",
                      placeholder="e.g. 84.20" + (" · negative takes a payment back" if self.ref.status in REVERSIBLE
                                                  else "")),
            FieldSpec("close_reason", "Close as", kind="select", options=[(r.label, r) for r in CloseReason]),
            FieldSpec("note", "Note", optional=True, placeholder="needed to write off or send to the patient"),
            FieldSpec("next_follow_up", "Next follow-up date", kind="date", optional=True,
                      placeholder="MM/DD/YYYY (blank: it stays in the queue)"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"to": self.choices[0]} if len(self.choices) == 1 else {}

    def on_mount(self) -> None:
        self.mount(Static("", id="carc-meaning", classes="field-hint"), after="#e-denial_code")
        self._show_fields(self.initial().get("to"))

    @on(Select.Changed, "#f-to")
    def _status_chosen(self, event: Select.Changed) -> None:
        to = None if event.value is Select.NULL else ClaimStatus(event.value)
        self._show_fields(to)
        paid = self.query_one("#f-paid_cents", Input)
        if to is ClaimStatus.paid and not paid.value:
            paid.value = f"{self.ref.balance_cents / 100:.2f}"

    def _show_fields(self, to: ClaimStatus | None) -> None:
        wanted = needs(self.ref.status, to)
        for name in OPTIONAL_FIELDS:
            self._show_row(name, name in wanted)
            if name not in wanted:
                self._error_line(f"#e-{name}", "")
        self._show_row("next_follow_up", to is not ClaimStatus.closed)
        self.query_one("#carc-meaning", Static).display = "denial_code" in wanted
        self._name_code(self.query_one("#f-denial_code", Input).value)

    def _show_row(self, name: str, shown: bool) -> None:
        """Show or hide a field with its label (the row that holds both)."""
        row = self.query_one(f"#f-{name}").parent
        if row is not None:
            row.display = shown

    @on(Input.Changed, "#f-denial_code")
    def _code_typed(self, event: Input.Changed) -> None:
        self._name_code(event.value)

    def _name_code(self, text: str) -> None:
        code = split_denial_code(text)[1]
        meaning = self.carc.get(code)
        hint = (meaning if meaning else "not in the CARC list (c on the Billing tab adds it)") if code else ""
        self.query_one("#carc-meaning", Static).update(Text(hint, style="" if meaning else "italic"))

    def build(self, values: dict[str, Any]) -> StatusChange:
        # collect() strips text, which turns a str-enum choice into a plain str: make it the enum again.
        if values["to"] is None:
            raise FieldErrors({"to": "choose the new status"})
        to = ClaimStatus(values["to"])
        wanted = needs(self.ref.status, to)
        errors: dict[str, str] = {}
        follow_up = values["next_follow_up"] if to is not ClaimStatus.closed else None
        data: dict[str, Any] = {"to": to, "note": values["note"] or "", "next_follow_up": follow_up}
        if to is ClaimStatus.denied:
            if not values["denial_code"]:
                errors["denial_code"] = "the CARC code on the denial, e.g. 50 or CO-50"
            data.update(denial_code=values["denial_code"], denial_group=values["denial_group"] or "")
        if "paid_cents" in wanted and values["paid_cents"]:
            data["paid_cents"] = cents = dollars(values["paid_cents"])
            if cents is None:
                errors["paid_cents"] = "an amount in dollars and cents, e.g. 84.20"
            elif to in PAID and cents <= 0:
                errors["paid_cents"] = "more than $0.00, or leave it empty if nothing was paid"
            elif to is ClaimStatus.pending and cents >= 0:
                errors["paid_cents"] = "a take-back is a negative amount, e.g. -84.20; or leave it empty"
        if to is ClaimStatus.closed:
            reason = None if values["close_reason"] is None else CloseReason(values["close_reason"])
            if reason is None:
                errors["close_reason"] = "choose how the claim is closed"
            elif reason is not CloseReason.paid and not values["note"]:
                errors["note"] = ("say why the balance is written off" if reason is CloseReason.written_off
                                  else "say what the patient was sent")
            data["close_reason"] = reason
        if errors:
            raise FieldErrors(errors)
        return StatusChange.model_validate(data)


class Filters(BaseModel):
    """The `f` filters (the `/` text is the tab's filter_text)."""

    model_config = ConfigDict(frozen=True)

    payer_id: int | None = None
    status: ClaimStatus | None = None
    bucket: str | None = None
    denial_code: str | None = None

    def describe(self, payer_names: dict[int, str]) -> str:
        parts = []
        if self.payer_id is not None:
            parts.append(f"payer {payer_names.get(self.payer_id, self.payer_id)}")
        if self.status is not None:
            parts.append(f"status {self.status.label}")
        if self.bucket:
            parts.append(f"age {self.bucket}")
        if self.denial_code:
            parts.append(f"denial {self.denial_code}")
        return ", ".join(parts)


class QueueFilterForm(FieldsForm[Filters]):
    """Pick the queue's filters; ctrl+s applies them (nothing is written: `result` holds the chosen Filters),
    escape leaves them as they were."""

    FORM_TITLE = "Filter the work queue (blank = any)"

    def __init__(self, current: Filters, *, payers: list[tuple[str, int]], buckets: list[str]) -> None:
        self.current, self.payers, self.buckets = current, payers, buckets
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("payer_id", "Payer", kind="select", optional=True, options=self.payers),
            FieldSpec("status", "Status", kind="select", optional=True,
                      options=[(s.label, s) for s in OPEN_STATUSES]),
            FieldSpec("bucket", "Age (days)", kind="select", optional=True, options=[(b, b) for b in self.buckets]),
            FieldSpec("denial_code", "Denial code (CARC)", optional=True, placeholder="e.g. 50"),
        ]

    def initial(self) -> dict[str, Any]:
        return {k: v for k, v in self.current.model_dump().items() if v is not None}

    def on_mount(self) -> None:
        self.query_one(".form-hint", Static).update(Text("ctrl+s apply · escape leaves the filters as they were · "
                                                         "tab next field"))

    def build(self, values: dict[str, Any]) -> Filters:
        typed = values["denial_code"] or ""
        code = parse_carc(typed) if typed else None
        if typed and code is None:
            raise FieldErrors({"denial_code": "a CARC code, e.g. 50, B7, CO-50 or CO 50"})
        # One spelling however it was typed ("co45", "CO 45" and "CO-45" filter alike; "045" is 45).
        shown = None if code is None else f"{code.group}-{code.code}" if code.group else code.code
        status = None if values["status"] is None else ClaimStatus(values["status"])  # collect() made it a str
        return Filters(payer_id=values["payer_id"], status=status, bucket=values["bucket"], denial_code=shown)
