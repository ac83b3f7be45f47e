"""SQLModel tables, one module per area, and the pydantic schemas that validate input."""

from officemgr.models.audit import AuditEvent
from officemgr.models.billing import (
    OPEN_STATUSES,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimNote,
    ClaimNoteCreate,
    ClaimStatus,
    NoteAction,
    Payer,
)
from officemgr.models.compliance import (
    CompletionCreate,
    ComplianceCategory,
    ComplianceCompletion,
    ComplianceTask,
)
from officemgr.models.inventory import (
    Item,
    ItemCategory,
    ItemCreate,
    MovementKind,
    StockLot,
    StockMovement,
    Vendor,
    VendorCreate,
)
from officemgr.models.people import Patient, PatientCreate, Role, Staff, StaffCreate
from officemgr.models.roster import (
    Credential,
    CredentialKind,
    Shift,
    TimeOff,
    TimeOffStatus,
)
from officemgr.models.schedule import (
    Appointment,
    AppointmentCreate,
    AppointmentType,
    ApptStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "Appointment",
    "AppointmentCreate",
    "AppointmentType",
    "ApptStatus",
    "AuditEvent",
    "Claim",
    "ClaimDiagnosis",
    "ClaimLine",
    "ClaimNote",
    "ClaimNoteCreate",
    "ClaimStatus",
    "CompletionCreate",
    "ComplianceCategory",
    "ComplianceCompletion",
    "ComplianceTask",
    "Credential",
    "CredentialKind",
    "Item",
    "ItemCategory",
    "ItemCreate",
    "MovementKind",
    "NoteAction",
    "Patient",
    "PatientCreate",
    "Payer",
    "Role",
    "Shift",
    "Staff",
    "StaffCreate",
    "StockLot",
    "StockMovement",
    "TimeOff",
    "TimeOffStatus",
    "Vendor",
    "VendorCreate",
]
