from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from officemgr.models import (
    AppointmentCreate,
    ClaimNoteCreate,
    CompletionCreate,
    ItemCategory,
    ItemCreate,
    PatientCreate,
    Role,
    StaffCreate,
    VendorCreate,
)
from officemgr.models.validation import clean_phone, npi_check_digit, npi_is_valid, parse_expiry
from officemgr.services.common import first_error

# --- NPI ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("npi", "valid"), [("1234567893", True), ("1558598797", True), ("1234567890", False)])
def test_npi_check_digit_domain_vectors(npi, valid):
    assert npi_is_valid(npi) is valid


@pytest.mark.parametrize("npi", ["123456789", "12345678933", "3234567893", "0234567893", "12345678a3", " 1234567893"])
def test_npi_shape(npi):
    assert not npi_is_valid(npi)


def test_npi_check_digit_completes_the_vectors():
    assert npi_check_digit("123456789") == "3"
    assert npi_check_digit("155859879") == "7"
    # every single-digit typo in a valid NPI is caught
    for i in range(10):
        for d in "0123456789":
            typo = "1234567893"[:i] + d + "1234567893"[i + 1:]
            if typo != "1234567893":
                assert not npi_is_valid(typo), typo


# --- phone --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["5551234567", "555-123-4567", "(555) 123-4567", "555.123.4567", "555 123 4567", "+1 555 123 4567",
     "1-555-123-4567", "  (555)123-4567  "],
)
def test_clean_phone_accepts_common_us_formats(raw):
    assert clean_phone(raw) == "(555) 123-4567"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_clean_phone_leaves_an_empty_phone_empty(raw):
    assert clean_phone(raw) == ""


@pytest.mark.parametrize("raw", ["555-1234", "55512345678", "2555123456 7", "555-123-4567 x12", "call me"])
def test_clean_phone_refuses_anything_else(raw):
    with pytest.raises(ValueError, match="a phone number has 10 digits, e.g. 555-123-4567"):
        clean_phone(raw)


# --- *Create schemas ----------------------------------------------------------------------------------


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [e["msg"].removeprefix("Value error, ") for e in exc.value.errors()]


def test_patient_create_cleans_and_refuses():
    patient = PatientCreate(first_name=" Ada ", last_name="Lovelace", dob=date(1980, 5, 17), phone="555.123.4567",
                            email=" ada@example.com ")
    assert (patient.first_name, patient.phone, patient.email) == ("Ada", "(555) 123-4567", "ada@example.com")

    with pytest.raises(ValidationError) as refused:
        PatientCreate(first_name="  ", last_name="Lovelace", dob=date(1980, 5, 17), phone="12345")
    assert _messages(refused) == ["this field is required", "a phone number has 10 digits, e.g. 555-123-4567"]
    assert first_error(refused.value) == "first_name: this field is required"


def _staff(**overrides):
    values = dict(first_name="Grace", last_name="Hopper", role=Role.physician, is_provider=True, npi="1234567893")
    values.update(overrides)
    return StaffCreate(**values)


def test_staff_create_accepts_valid_npis_and_blank_npi_for_non_providers():
    assert _staff().npi == "1234567893"
    assert _staff(npi=" 1558598797 ").npi == "1558598797"
    assert _staff(is_provider=False, role=Role.ma, npi="  ").npi is None


def test_staff_create_refuses_a_bad_npi_with_a_readable_message():
    with pytest.raises(ValidationError) as refused:
        _staff(npi="1234567890")
    assert _messages(refused) == [
        "an NPI is 10 digits starting with 1 or 2, and its last digit must check out"]
    assert first_error(refused.value).startswith("npi: an NPI is 10 digits")


def test_staff_create_refuses_a_provider_without_npi():
    with pytest.raises(ValidationError) as refused:
        _staff(npi=None)
    assert _messages(refused) == ["a provider needs an NPI"]
    assert first_error(refused.value) == "a provider needs an NPI"


def test_staff_create_refuses_an_unknown_role():
    with pytest.raises(ValidationError):
        _staff(role="janitor")


def _appt(**overrides):
    values = dict(patient_id=1, provider_id=2, type_id=3, day=date(2026, 11, 23), start_time="09:30", minutes=15)
    values.update(overrides)
    return AppointmentCreate(**values)


@pytest.mark.parametrize(("raw", "clean"), [("09:30", "09:30"), ("9:30", "09:30"), ("2:15 PM", "14:15"),
                                            ("2:15pm", "14:15"), ("12:00 AM", "00:00"), ("16:45", "16:45")])
def test_appointment_create_reads_times(raw, clean):
    assert _appt(start_time=raw).start_time == clean


def test_appointment_create_start_and_refusals():
    assert _appt(start_time="2:15 PM").start.isoformat() == "2026-11-23T14:15:00"
    with pytest.raises(ValidationError) as refused:
        _appt(start_time="half past nine")
    assert _messages(refused) == ["a time looks like 09:30 or 2:15 PM"]
    with pytest.raises(ValidationError) as refused:
        _appt(start_time="23:30", minutes=60)
    assert _messages(refused) == ["the appointment would run past midnight"]
    with pytest.raises(ValidationError) as refused:
        _appt(start_time="")
    assert _messages(refused) == ["this field is required"]
    with pytest.raises(ValidationError):
        _appt(minutes=0)
    with pytest.raises(ValidationError):
        _appt(minutes=481)


def test_item_create_refuses_par_below_reorder_point_and_blank_names():
    item = ItemCreate(name=" Gloves M ", category=ItemCategory.clinical, par=10, reorder_point=10, sku=" G-1 ")
    assert (item.name, item.sku) == ("Gloves M", "G-1")
    with pytest.raises(ValidationError) as refused:
        ItemCreate(name="Gloves", category=ItemCategory.clinical, par=5, reorder_point=10)
    assert _messages(refused) == ["par level must be at least the reorder point"]
    with pytest.raises(ValidationError) as refused:
        ItemCreate(name=" ", category=ItemCategory.clinical)
    assert _messages(refused) == ["this field is required"]
    with pytest.raises(ValidationError):
        ItemCreate(name="Gloves", category="food")


def test_vendor_create():
    assert VendorCreate(name=" McKesson ", phone="800 555 0100").phone == "(800) 555-0100"
    with pytest.raises(ValidationError) as refused:
        VendorCreate(name="", phone="")
    assert _messages(refused) == ["this field is required"]


def test_claim_note_and_completion_create():
    with pytest.raises(ValidationError) as refused:
        ClaimNoteCreate(text="x", next_follow_up=date(2026, 11, 22), today=date(2026, 11, 23))
    assert _messages(refused) == ["the next follow-up date cannot be in the past"]
    with pytest.raises(ValidationError) as refused:
        CompletionCreate(task_id=1, due_date=date(2026, 11, 23), done_by="")
    assert _messages(refused) == ["this field is required"]
    assert CompletionCreate(task_id=1, due_date=date(2026, 11, 23), done_by="MJ", evidence=" ok ").evidence == "ok"


# --- expiry dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expires"),
    [
        ("11/2026", date(2026, 11, 30)),
        ("11/26", date(2026, 11, 30)),
        ("2026-11", date(2026, 11, 30)),
        ("11-2026", date(2026, 11, 30)),
        (" 4/2027 ", date(2027, 4, 30)),
        ("12/2026", date(2026, 12, 31)),  # December rolls into the next year
        ("2026-12", date(2026, 12, 31)),
        ("01/27", date(2027, 1, 31)),
        ("02/2028", date(2028, 2, 29)),  # leap year
        ("02/2027", date(2027, 2, 28)),
        ("2100-02", date(2100, 2, 28)),  # not a leap year
    ],
)
def test_parse_expiry_reads_a_month_and_year_as_the_months_last_day(typed, expires):
    assert parse_expiry(typed) == expires


@pytest.mark.parametrize(
    ("typed", "expires"),
    [("11/15/2026", date(2026, 11, 15)), ("11/15/26", date(2026, 11, 15)), ("2026-11-15", date(2026, 11, 15)),
     ("2/29/2028", date(2028, 2, 29))],
)
def test_parse_expiry_takes_a_full_date_as_it_is(typed, expires):
    assert parse_expiry(typed) == expires


@pytest.mark.parametrize("typed", ["", "   ", "junk", "13/2026", "00/2026", "2026/11", "11/2026/1", "2/30/2028",
                                   "Nov 2026", "11.2026", "2026-13"])
def test_parse_expiry_refuses_anything_else(typed):
    assert parse_expiry(typed) is None


@pytest.mark.parametrize("typed", ["not-an-email", "kim@", "@example.com", "kim@example", "kim smith@example.com"])
def test_an_email_that_is_not_one_is_refused_in_words(typed: str) -> None:
    with pytest.raises(ValidationError, match="is not an e-mail address; one looks like name@example.com"):
        StaffCreate(first_name="Kim", last_name="Lee", role=Role.front_desk, email=typed)
    with pytest.raises(ValidationError, match="is not an e-mail address"):
        VendorCreate(name="Henry Schein", email=typed)


def test_an_email_is_kept_trimmed_and_may_be_left_empty() -> None:
    assert StaffCreate(first_name="Kim", last_name="Lee", role=Role.front_desk, email=" kim@example.com ").email \
        == "kim@example.com"
    assert StaffCreate(first_name="Kim", last_name="Lee", role=Role.front_desk, email="").email == ""
