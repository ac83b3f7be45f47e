"""Payer fee schedules (services.fees): the CSV import, the expected payment of a claim, underpayments by payer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    audit_events,
    make_claim,
    make_claim_line,
    make_fee,
    make_patient,
    make_payer,
    write_835,
)
from officemgr.models import ClaimStatus, FeeSchedule
from officemgr.services import era, fees
from officemgr.services.fees import FeesRefused


def csv_file(tmp_path: Path, *rows: str, header: str = "code,modifier,allowed", name: str = "fees.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def schedule(session: Session, payer) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {(f.code, f.modifier): f.allowed_cents
            for f in session.exec(select(FeeSchedule).where(FeeSchedule.payer_id == payer.id))}


# --- import -------------------------------------------------------------------------------------------


def test_import_replaces_the_payers_schedule(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session, name="Aetna")
    other = make_payer(session, name="Cigna")
    make_fee(session, payer, code="99212", allowed_cents=5_000)
    make_fee(session, other, code="99213", allowed_cents=9_000)
    path = csv_file(tmp_path, "99213,,85.00", "99213,25,$90.50", "j1100,,1,250", " 93000 , , 22 ",
                    header="Code,Modifier,Allowed")
    path.write_text(path.read_text().replace("1,250", '"$1,250.00"'))

    result = fees.import_fees(session, "aetna", path, now=NOW, actor=ACTOR)

    assert result == fees.FeeImportResult("Aetna", 4, 1)
    assert schedule(session, payer) == {("99213", ""): 8_500, ("99213", "25"): 9_050, ("J1100", ""): 125_000,
                                        ("93000", ""): 2_200}
    assert schedule(session, other) == {("99213", ""): 9_000}  # another payer's schedule is left alone
    [(event, changes)] = audit_events(session, "payer")
    assert (event.entity_id, event.action, event.actor) == (payer.id, "fee_schedule", ACTOR)
    assert changes == {"file": "fees.csv", "codes": 4, "replaced": 1}


def test_import_finds_the_payer_by_id_and_reads_past_a_description(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session, name="Medicare")
    path = csv_file(tmp_path, "99213,Office visit est. 20-29 min,92.03", header="CPT,Description,Allowed amount")

    result = fees.import_fees(session, str(payer.id), path, now=NOW, actor=ACTOR)

    assert (result.payer, result.codes) == ("Medicare", 1)
    assert schedule(session, payer) == {("99213", ""): 9_203}


def test_bad_rows_are_named_by_line_and_nothing_changes(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session, name="Aetna")
    make_fee(session, payer, code="99212", allowed_cents=5_000)
    path = csv_file(tmp_path,
                    "99213,,85.00",            # line 2: fine
                    "9921,,50.00",             # line 3: not a code
                    "99214,2X5,60.00",         # line 4: not a modifier
                    "99215,,-10.00",           # line 5: negative
                    "",                        # line 6: blank lines are skipped
                    "99203,,ten dollars",      # line 7: not an amount
                    "99204,,",                 # line 8: empty amount
                    "99213,,86.00",            # line 9: the same code again
                    "99205,,150.00,extra")     # line 10: a stray cell

    with pytest.raises(FeesRefused) as refused:
        fees.import_fees(session, "Aetna", path, now=NOW, actor=ACTOR)

    assert refused.value.problems == [
        "line 3: code '9921' is not a 5-character CPT or HCPCS code (like 99213 or J1100)",
        "line 4: modifier '2X5' is not a 2-character modifier (like 25 or TC)",
        "line 5: allowed: -10.00 is negative",
        "line 7: allowed: 'ten dollars' is not an amount like 85.00 or $1,250.00",
        "line 8: the allowed is empty",
        "line 9: 99213 (no modifier) is also on line 2",
        "line 10: more fields than the header has columns",
    ]
    assert str(refused.value).splitlines()[0] == "fees.csv: nothing was imported; 7 of 8 lines have problems:"
    assert schedule(session, payer) == {("99212", ""): 5_000}
    assert audit_events(session, "payer") == []


@pytest.mark.parametrize(("header", "rows", "message"), [
    ("code,allowed,price", ["99213,85,90"], "fees.csv: line 1 has the unknown column(s) 'price' (the columns are: "
                                            "code, modifier, allowed)"),
    ("code,modifier", ["99213,25"], "fees.csv: line 1: missing column(s) allowed (the columns are: code, modifier, "
                                    "allowed)"),
    ("code,allowed,allowed", ["99213,1,2"], "fees.csv: line 1 has the column(s) allowed more than once"),
    ("code,modifier,allowed", [], "fees.csv has a header but no fees"),
])
def test_a_file_without_a_usable_header_is_refused(session: Session, tmp_path: Path, header: str, rows: list[str],
                                                   message: str) -> None:
    make_payer(session, name="Aetna")

    with pytest.raises(FeesRefused) as refused:
        fees.import_fees(session, "Aetna", csv_file(tmp_path, *rows, header=header), now=NOW, actor=ACTOR)

    assert str(refused.value) == message


def test_an_unknown_payer_is_refused_with_the_names(session: Session, tmp_path: Path) -> None:
    make_payer(session, name="Cigna")
    make_payer(session, name="Aetna")

    with pytest.raises(FeesRefused) as refused:
        fees.import_fees(session, "Humana", csv_file(tmp_path, "99213,,85"), now=NOW, actor=ACTOR)

    assert str(refused.value) == "there is no payer 'Humana' (the payers are: Aetna, Cigna)"


def test_a_file_that_is_not_csv_is_refused(session: Session, tmp_path: Path) -> None:
    make_payer(session, name="Aetna")
    path = tmp_path / "fees.xlsx"
    path.write_bytes(b"PK\x03\x04")

    with pytest.raises(FeesRefused, match=r"fees.xlsx: import fees reads a .csv file, not '.xlsx'"):
        fees.import_fees(session, "Aetna", path, now=NOW, actor=ACTOR)


# --- expected payment ---------------------------------------------------------------------------------


def test_expected_payment_is_allowed_times_units_per_line(session: Session) -> None:
    payer = make_payer(session)
    make_fee(session, payer, code="99213", allowed_cents=10_000)
    make_fee(session, payer, code="99213", modifier="25", allowed_cents=9_000)
    make_fee(session, payer, code="J1100", allowed_cents=300)
    make_fee(session, payer, code="93000", allowed_cents=4_000)
    claim = make_claim(session, payer=payer, billed_cents=0)
    make_claim_line(session, claim, code="99213", modifiers="25,59", charge_cents=15_000)  # the modifier's fee
    make_claim_line(session, claim, code="J1100", units=4, charge_cents=2_000)  # 4 x $3.00
    make_claim_line(session, claim, code="93000", modifiers="59", charge_cents=2_500)  # no 59 fee: the plain one,
    # capped at the line's charge ($25.00 charged, $40.00 allowed)

    assert fees.expected_cents(session, claim) == 9_000 + 1_200 + 2_500


def test_no_expected_payment_without_lines_or_with_a_code_not_on_the_schedule(session: Session) -> None:
    payer = make_payer(session)
    make_fee(session, payer, code="99213", allowed_cents=10_000)
    bare = make_claim(session, payer=payer)
    partial = make_claim(session, payer=payer)
    make_claim_line(session, partial, code="99213")
    make_claim_line(session, partial, code="90686")
    elsewhere = make_claim(session)  # another payer: its schedule is empty
    make_claim_line(session, elsewhere, code="99213")

    assert fees.expected_cents(session, bare) is None
    assert fees.expected_cents(session, partial) is None
    assert fees.expected_cents(session, elsewhere) is None


def test_line_modifiers_read_any_way_they_are_written() -> None:
    assert fees.line_modifiers("25,59") == fees.line_modifiers("25 59") == fees.line_modifiers("2559") == ["25", "59"]
    assert fees.line_modifiers("") == []


# --- underpayments by payer ---------------------------------------------------------------------------


def _underpaid(session: Session, tmp_path: Path, payer, number: str, paid: int, *, now=NOW) -> None:  # type: ignore[no-untyped-def]
    claim = make_claim(session, number=number, payer=payer, patient=make_patient(session, last_name=number),
                       status=ClaimStatus.pending, billed_cents=10_000)
    make_claim_line(session, claim, code="99213", charge_cents=10_000)
    path = write_835(tmp_path / f"{number}.835", [EraClaim(number, "1", 10_000, paid,
                                                           adjustments=[("CO", "45", 10_000 - paid)])], check=number)
    era.post_file(session, path, today=now.date(), now=now, actor=ACTOR)


def test_underpayments_by_payer_over_90_days(session: Session, tmp_path: Path) -> None:
    aetna = make_payer(session, name="Aetna")
    cigna = make_payer(session, name="Cigna")
    for payer in (aetna, cigna):
        make_fee(session, payer, code="99213", allowed_cents=8_000)
    _underpaid(session, tmp_path, aetna, "A1", 7_000)  # $10 short
    _underpaid(session, tmp_path, aetna, "A2", 5_000)  # $30 short
    _underpaid(session, tmp_path, cigna, "C1", 3_000)  # $50 short
    _underpaid(session, tmp_path, cigna, "C2", 8_000)  # paid in full: not underpaid
    _underpaid(session, tmp_path, cigna, "C3", 1_000, now=NOW - timedelta(days=91))  # too long ago

    rows = fees.underpayments(session, TODAY, actor="tests")

    assert rows == [fees.UnderpaidRow(cigna.id, "Cigna", 1, 5_000), fees.UnderpaidRow(aetna.id, "Aetna", 2, 4_000)]
    claims = fees.underpaid_claims(session, TODAY, payer_id=aetna.id)
    assert [(c.number, c.shortfall_cents, c.paid_cents, c.posted_on) for c in claims] == [
        ("A2", 3_000, 5_000, TODAY), ("A1", 1_000, 7_000, TODAY)]
    assert [c.number for c in fees.underpaid_claims(session, TODAY, days=120)] == ["C3", "C1", "A2", "A1"]
    assert fees.underpaid_claims(session, TODAY)[0].patient_name == "C1, Ada"


def test_shortfall_of_a_claim(session: Session) -> None:
    payer = make_payer(session)
    make_fee(session, payer, code="99213", allowed_cents=10_000)
    claim = make_claim(session, payer=payer, paid_cents=6_000, patient_resp_cents=1_500)
    make_claim_line(session, claim, code="99213")

    assert fees.shortfall_cents(session, claim) == 2_500
    claim.paid_cents = 9_000
    assert fees.shortfall_cents(session, claim) == 0
