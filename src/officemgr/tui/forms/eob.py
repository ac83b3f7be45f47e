"""A paper EOB typed in by hand: the payer, its check, the claim, what kind of answer, the charge, the payment and
the adjustments as the EOB lists them ("CO 45 20.00, PR 1 30.00"). It posts through the same rules as an 835
(services.remittances.post_paper_eob); each problem shows beside its field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from officemgr.models.validation import parse_money
from officemgr.services.era_read import GROUPS
from officemgr.services.remittances import PaperEob
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused, Session
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, validation_errors
from officemgr.tui.forms.closed_month import ClosedMonthWatch, offer_reason, reason_field, show_reason

KINDS = [("processed as primary", "1"), ("processed as secondary", "2"), ("denied", "4"),
         ("reversal (takes back a payment)", "22")]
AMOUNT_ERROR = "an amount in dollars, e.g. 120.00 (a reversal's is negative: -120.00)"
ADJUSTMENT_HELP = "group, reason code and amount, e.g. CO 45 20.00"
_CARC = re.compile(r"[A-Za-z0-9]{1,5}")
# Where a refusal that names a field ("claim_number: no claim is numbered X") shows.
FIELD_OF = {"payer_id": "payer_id", "check_number": "check_number", "paid_on": "paid_on",
            "claim_number": "claim_number", "status_code": "status_code", "charge_cents": "charge",
            "paid_cents": "paid", "adjustments": "adjustments"}


def signed_cents(text: str) -> int | None:
    """Dollars as typed, with a leading minus for money taken back; None if it is not an amount."""
    text = text.strip()
    negative = text.startswith("-")
    cents = parse_money(text[1:] if negative else text)
    return None if cents is None else (-cents if negative else cents)


def parse_adjustments(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """"CO 45 20.00, PR 1 30.00" as [{group, carc, cents}, ...], or the first problem, naming the adjustment."""
    found: list[dict[str, Any]] = []
    for n, item in enumerate((part.strip() for part in re.split(r"[,;\n]", text)), start=1):
        if not item:
            continue
        words = item.split()
        where = f"adjustment {n} ('{item}')"
        if len(words) != 3:
            return [], f"{where}: write each as {ADJUSTMENT_HELP}"
        group, carc, amount = words[0].upper(), words[1].upper(), signed_cents(words[2])
        if group not in GROUPS:
            return [], f"{where}: the group is one of {', '.join(GROUPS)}"
        if not _CARC.fullmatch(carc):
            return [], f"{where}: the reason code is 1 to 5 letters or digits, e.g. 45"
        if amount is None:
            return [], f"{where}: '{words[2]}' is not an amount in dollars, e.g. 20.00"
        found.append({"group": group, "carc": carc, "cents": amount})
    return found, None


class EobIn(BaseModel):
    eob: PaperEob
    override_reason: str = ""  # the manager's, to post a check dated in a closed month


PostCall = Callable[[Session, PaperEob, str], str]


class EobForm(RecordForm[EobIn]):
    """Dismisses with True once posted; `result` then holds what was posted, in one line. A check date in a closed
    month is refused; the manager is then offered a reason to post it anyway."""

    FORM_TITLE = "Paper EOB: post a payer's answer on one claim"

    def __init__(self, ctx: AppContext, post: PostCall, *, payers: list[tuple[str, int]], today: date) -> None:
        self.payers = payers
        self.today = today
        self.month_watch: ClosedMonthWatch[EobIn, str] = ClosedMonthWatch(
            lambda session, data: post(session, data.eob, data.override_reason))
        super().__init__(ctx, self.month_watch)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("payer_id", "Payer", kind="select", options=self.payers),
            FieldSpec("check_number", "Check/EFT number"),
            FieldSpec("paid_on", "Check date", kind="date"),
            FieldSpec("claim_number", "Claim number", placeholder="the practice's, e.g. CL000123"),
            FieldSpec("status_code", "Kind", kind="select", options=KINDS),
            FieldSpec("charge", "Charge ($)", optional=True, placeholder="blank: the claim's billed amount"),
            FieldSpec("paid", "Paid ($)", placeholder="e.g. 120.00; a reversal's is negative"),
            FieldSpec("adjustments", "Adjustments", optional=True,
                      placeholder="e.g. CO 45 20.00, PR 1 30.00"),
            reason_field(),
        ]

    def on_mount(self) -> None:
        show_reason(self, False)

    def initial(self) -> dict[str, Any]:
        return {"status_code": "1", "paid_on": self.today}

    def build(self, values: dict[str, Any]) -> EobIn:
        errors: dict[str, str] = {}
        charge: int | None = None
        if values.get("charge"):
            charge = signed_cents(str(values["charge"]))
            if charge is None:
                errors["charge"] = AMOUNT_ERROR
        paid = signed_cents(str(values.get("paid") or ""))
        if paid is None:
            errors["paid"] = AMOUNT_ERROR
        adjustments, problem = parse_adjustments(str(values.get("adjustments") or ""))
        if problem:
            errors["adjustments"] = problem
        data = {k: ("" if v is None and k in ("check_number", "claim_number") else v) for k, v in values.items()
                if k not in ("charge", "paid", "adjustments", "override_reason")}
        try:
            eob = PaperEob.model_validate({**data, "charge_cents": charge, "paid_cents": paid or 0,
                                           "adjustments": adjustments})
        except ValidationError as exc:
            typed_wrong = bool(errors)
            for name, message in validation_errors(exc).items():
                if name == "__form__" and typed_wrong:
                    continue  # amounts checked against each other mean nothing while one is not an amount
                field, said = _placed(name, message)
                errors.setdefault(field, said)
        if errors:
            raise FieldErrors(errors)
        return EobIn(eob=eob, override_reason=values.get("override_reason") or "")

    def when_refused(self, message: Refused) -> None:
        self.saving = False
        self.show_errors(dict([_placed("__form__", message.message)]))
        offer_reason(self, self.ctx, self.month_watch)


def _placed(name: str, message: str) -> tuple[str, str]:
    """The form field a problem belongs to, and its words: a message starting "paid_cents: " is the Paid field's."""
    head, _, rest = message.partition(": ")
    if name == "__form__" and head in FIELD_OF and rest:
        return FIELD_OF[head], rest
    return FIELD_OF.get(name, name), message
