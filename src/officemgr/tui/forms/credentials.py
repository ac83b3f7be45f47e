"""Forms for credentials (add, renew), a yearly evaluation done, and a payer enrollment (add, edit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from officemgr.models import CredentialKind
from officemgr.services.credentials import (
    RECREDENTIAL_YEARS,
    CredentialCreate,
    CredentialLine,
    CredentialRenewal,
    EnrollmentCreate,
    EnrollmentRow,
    EnrollmentUpdate,
)
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

KIND_OPTIONS = [(kind.label, kind) for kind in CredentialKind]


class CredentialForm(RecordForm[CredentialCreate]):
    """Add a credential or training; a person and kind may be chosen ahead (e.g. a missing required one)."""

    FORM_TITLE = "New credential or training"

    def __init__(self, ctx: AppContext, save: SaveCall[CredentialCreate], staff_options: list[tuple[str, int]], *,
                 staff_id: int | None = None, kind: CredentialKind | None = None) -> None:
        self.staff_options, self.staff_id, self.kind = staff_options, staff_id, kind
        super().__init__(ctx, save)

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

    def build(self, values: dict[str, Any]) -> CredentialCreate:
        return CredentialCreate.model_validate(values)


class RenewForm(RecordForm[CredentialRenewal]):
    """A renewal on the same row: the new expiry, and the new number if it changed."""

    def __init__(self, ctx: AppContext, save: SaveCall[CredentialRenewal], line: CredentialLine) -> None:
        self.line = line
        current = f"expires {line.expires:%m/%d/%Y}" if line.expires else "no expiry"
        self.FORM_TITLE = f"Renew {line.kind.label} of {line.staff_name} ({current})"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("number", "Number (empty keeps the current one)", optional=True),
            FieldSpec("expires", "New expiry", kind="date", placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"number": self.line.number}

    def build(self, values: dict[str, Any]) -> CredentialRenewal:
        if isinstance(values["expires"], date) and values["expires"] <= self.ctx.today:
            raise FieldErrors({"expires": "a renewed credential must expire after today"})
        return CredentialRenewal.model_validate(values)


def _enrollment_dates() -> list[FieldSpec]:
    return [
        FieldSpec("effective", "Effective from", kind="date", placeholder="MM/DD/YYYY"),
        FieldSpec("recredential_due", "Re-credentialing due", kind="date", optional=True,
                  placeholder=f"empty: {RECREDENTIAL_YEARS} years after effective"),
    ]


class EnrollmentForm(RecordForm[EnrollmentCreate]):
    """Enroll a provider with a payer."""

    FORM_TITLE = "New payer enrollment"

    def __init__(self, ctx: AppContext, save: SaveCall[EnrollmentCreate], provider_options: list[tuple[str, int]],
                 payer_options: list[tuple[str, int]], *, provider_id: int | None = None) -> None:
        self.provider_options, self.payer_options = provider_options, payer_options
        self.provider_id = provider_id
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("provider_id", "Provider", kind="select", options=self.provider_options),
            FieldSpec("payer_id", "Payer", kind="select", options=self.payer_options),
            *_enrollment_dates(),
            FieldSpec("caqh_attested_on", "CAQH last attested", kind="date", optional=True,
                      placeholder="empty: the provider's latest"),
            FieldSpec("note", "Note", optional=True),
        ]

    def initial(self) -> dict[str, Any]:
        return {"provider_id": self.provider_id}

    def build(self, values: dict[str, Any]) -> EnrollmentCreate:
        values = {**values, "note": values["note"] or ""}
        attested = values["caqh_attested_on"]
        if isinstance(attested, date) and attested > self.ctx.today:
            raise FieldErrors({"caqh_attested_on": "the attestation date cannot be in the future"})
        return EnrollmentCreate.model_validate(values)


class EnrollmentEditForm(RecordForm[EnrollmentUpdate]):
    """An enrollment's dates and note (CAQH is the provider's: `c` on the list)."""

    def __init__(self, ctx: AppContext, save: SaveCall[EnrollmentUpdate], row: EnrollmentRow) -> None:
        self.row = row
        self.FORM_TITLE = f"{row.provider_name}: enrollment with {row.payer_name}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [*_enrollment_dates(), FieldSpec("note", "Note", optional=True)]

    def initial(self) -> dict[str, Any]:
        return {"effective": self.row.effective, "recredential_due": self.row.recredential_due, "note": self.row.note}

    def build(self, values: dict[str, Any]) -> EnrollmentUpdate:
        return EnrollmentUpdate.model_validate({**values, "note": values["note"] or ""})
