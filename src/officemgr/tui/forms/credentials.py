"""Forms for credentials (add, renew), a yearly evaluation done, and a payer enrollment (add, edit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from officemgr.models import CredentialKind
from officemgr.services import credentials
from officemgr.services.credentials import (
    CredentialCreate,
    CredentialLine,
    CredentialRenewal,
    EnrollmentCreate,
    EnrollmentRow,
    EnrollmentUpdate,
    EvaluationCreate,
    EvaluationDue,
)
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm

KIND_OPTIONS = [(kind.label, kind) for kind in CredentialKind]


class CredentialForm(RecordForm):
    """Add a credential or training; a person and kind may be chosen ahead (e.g. a missing required one)."""

    FORM_TITLE = "New credential or training"

    def __init__(self, staff_options: list[tuple[str, int]], *, staff_id: int | None = None,
                 kind: CredentialKind | None = None) -> None:
        self.staff_options, self.staff_id, self.kind = staff_options, staff_id, kind
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("staff_id", "Staff member", kind="select", options=self.staff_options),
            FieldSpec("kind", "Credential", kind="select", options=KIND_OPTIONS),
            FieldSpec("number", "Number (required for license, DEA, board, NPI)", optional=True),
            FieldSpec("state", "State (license: required)", optional=True, placeholder="OH"),
            FieldSpec("expires", "Expires (empty for an NPI)", kind="date", optional=True,
                      placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"staff_id": self.staff_id, "kind": self.kind}

    def build(self, values: dict[str, Any]) -> BaseModel:
        return CredentialCreate.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, CredentialCreate)
        credentials.add_credential(session, model, now=self.app.now(),  # type: ignore[attr-defined]
                                   actor=self.app.actor)  # type: ignore[attr-defined]


class RenewForm(RecordForm):
    """A renewal on the same row: the new expiry, and the new number if it changed."""

    def __init__(self, line: CredentialLine, today: date) -> None:
        self.line, self.today = line, today
        current = f"expires {line.expires:%m/%d/%Y}" if line.expires else "no expiry"
        self.FORM_TITLE = f"Renew {line.kind.label} of {line.staff_name} ({current})"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("number", "Number (empty keeps the current one)", optional=True),
            FieldSpec("expires", "New expiry", kind="date", placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"number": self.line.number}

    def build(self, values: dict[str, Any]) -> BaseModel:
        if isinstance(values["expires"], date) and values["expires"] <= self.today:
            raise FieldErrors({"expires": "a renewed credential must expire after today"})
        return CredentialRenewal.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, CredentialRenewal) and self.line.credential_id is not None
        credentials.renew_credential(session, self.line.credential_id, model, now=self.app.now(),  # type: ignore[attr-defined]
                                     actor=self.app.actor, expected_version=self.line.version)  # type: ignore[attr-defined]


class EvaluationForm(RecordForm):
    """The evaluation due on a hire anniversary, done: when, and a note."""

    def __init__(self, row: EvaluationDue, today: date) -> None:
        self.row, self.today = row, today
        self.FORM_TITLE = f"{row.staff_name}: yearly evaluation due {row.due:%m/%d/%Y} done"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("done_on", "Done on", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("note", "Note (goals, follow-up)", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        return {"done_on": self.today, "note": self.row.note}

    def build(self, values: dict[str, Any]) -> BaseModel:
        done_on = values["done_on"]
        if isinstance(done_on, date) and done_on > self.today:
            raise FieldErrors({"done_on": "an evaluation cannot be done in the future"})
        if isinstance(done_on, date) and done_on < self.row.hire_date:
            raise FieldErrors({"done_on": f"that is before the hire date ({self.row.hire_date:%m/%d/%Y})"})
        return EvaluationCreate.model_validate({**values, "staff_id": self.row.staff_id, "due": self.row.due})

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, EvaluationCreate)
        credentials.record_evaluation(session, model.staff_id, model.due, model.done_on, model.note,
                                      now=self.app.now(), actor=self.app.actor)  # type: ignore[attr-defined]


class EnrollmentForm(RecordForm):
    """Enroll a provider with a payer, or (with `row`) edit an enrollment's dates and note."""

    def __init__(self, provider_options: list[tuple[str, int]], payer_options: list[tuple[str, int]], today: date,
                 *, provider_id: int | None = None, row: EnrollmentRow | None = None) -> None:
        self.provider_options, self.payer_options = provider_options, payer_options
        self.today, self.provider_id, self.row = today, provider_id, row
        self.FORM_TITLE = (f"{row.provider_name}: enrollment with {row.payer_name}" if row
                           else "New payer enrollment")
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        dates = [
            FieldSpec("effective", "Effective from", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("recredential_due", "Re-credentialing due", kind="date", optional=True,
                      placeholder=f"empty: {credentials.RECREDENTIAL_YEARS} years after effective"),
        ]
        note = [FieldSpec("note", "Note", optional=True)]
        if self.row is not None:
            return [*dates, *note]
        return [
            FieldSpec("provider_id", "Provider", kind="select", options=self.provider_options),
            FieldSpec("payer_id", "Payer", kind="select", options=self.payer_options),
            *dates,
            FieldSpec("caqh_attested_on", "CAQH last attested", kind="date", optional=True,
                      placeholder="empty: the provider's latest"),
            *note,
        ]

    def initial(self) -> dict[str, Any]:
        if self.row is not None:
            return {"effective": self.row.effective, "recredential_due": self.row.recredential_due,
                    "note": self.row.note}
        return {"provider_id": self.provider_id}

    def build(self, values: dict[str, Any]) -> BaseModel:
        values = {**values, "note": values["note"] or ""}
        if self.row is not None:
            return EnrollmentUpdate.model_validate(values)
        attested = values["caqh_attested_on"]
        if isinstance(attested, date) and attested > self.today:
            raise FieldErrors({"caqh_attested_on": "the attestation date cannot be in the future"})
        return EnrollmentCreate.model_validate(values)

    def write(self, session: Session, model: BaseModel) -> None:
        now, actor = self.app.now(), self.app.actor  # type: ignore[attr-defined]
        if isinstance(model, EnrollmentUpdate):
            assert self.row is not None
            credentials.update_enrollment(session, self.row.enrollment_id, model, now=now, actor=actor,
                                          expected_version=self.row.version)
        else:
            assert isinstance(model, EnrollmentCreate)
            credentials.add_enrollment(session, model, now=now, actor=actor)
