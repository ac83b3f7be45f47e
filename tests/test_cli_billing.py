"""`officemgr import era`, `import fees`, `import claims` and `export queue`: exit codes, messages, what is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from factories import EraClaim, audit_events, era_text, make_claim, make_claim_line, make_fee, make_payer, write_835
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import AuditEvent, Claim, ClaimStatus, FeeSchedule, Remittance, UserAccount


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice with one payer (Aetna, a $100 fee for 99213) and three claims: CL1 and CL2 pending, CL3 a draft."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        aetna = make_payer(session, name="Aetna")
        make_fee(session, aetna, code="99213", allowed_cents=10_000)
        for number, status in (("CL1", ClaimStatus.pending), ("CL2", ClaimStatus.pending),
                               ("CL3", ClaimStatus.draft)):
            claim = make_claim(session, number=number, payer=aetna, status=status, billed_cents=15_000)
            make_claim_line(session, claim, code="99213", charge_cents=15_000)
        # The practice's manager, linked to the account running the tests: commands act as her without a PIN.
        session.add(UserAccount(login="pat", name="Pat Manager", roles="manager", pin_hash="-",
                                os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


def read(path: Path, query):  # type: ignore[no-untyped-def]
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return session.exec(query).all()
    finally:
        engine.dispose()


def claim(path: Path, number: str) -> Claim:
    return read(path, select(Claim).where(Claim.number == number))[0]


def counts(path: Path) -> tuple[int, int]:
    return read(path, select(func.count()).select_from(Remittance))[0], \
        read(path, select(func.count()).select_from(AuditEvent))[0]


def remit(tmp_path: Path, name: str = "remit.835") -> Path:
    return write_835(tmp_path / name, [
        EraClaim("CL1", "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)]),          # paid at the fee
        EraClaim("CL2", "1", 15_000, 7_000, adjustments=[("CO", "45", 8_000)]),           # $30 underpaid
        EraClaim("CL3", "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)]),          # a draft: not posted
        EraClaim("ZZ9", "1", 5_000, 4_000, adjustments=[("CO", "45", 1_000)]),            # nobody's
    ])


# --- import era ---------------------------------------------------------------------------------------


def test_import_era_posts_and_says_what_it_did(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = remit(tmp_path)

    assert main(["import", "era", str(path), "--db", str(db), "--today", "2026-11-23"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "Posted 2 of 4 claim payments from remit.835 (ACME HEALTH PLAN, check 12345, $310.00): $170.00 paid, "
        "1 underpaid, 1 unmatched, 1 not posted.",
        "  unmatched: ZZ9 $40.00: no claim with this number (kept with the remittance)",
        "  problem: claim CL3 (draft, $100.00) was not posted: it is a draft (never sent); a draft claim can go to "
        "submitted or closed, not paid (post it by hand in the app once the claim allows it)",
    ]
    assert (claim(db, "CL1").status, claim(db, "CL2").status, claim(db, "CL3").status) == (
        ClaimStatus.paid, ClaimStatus.partly_paid, ClaimStatus.draft)
    assert claim(db, "CL2").underpaid_cents == 3_000


def test_import_era_twice_is_refused_the_second_time(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = remit(tmp_path)
    # Global options before the subcommand.
    assert main(["--db", str(db), "--today", "2026-11-23", "import", "era", str(path)]) == 0
    capsys.readouterr()
    before = counts(db)

    assert main(["import", "era", str(path), "--db", str(db), "--today", "2026-11-25"]) == 1

    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith("officemgr: remit.835 was already posted on 11/23/2026 by ")
    assert out.err.rstrip().endswith("(remit.835, check 12345); nothing was posted this time")
    assert counts(db) == before
    assert claim(db, "CL1").paid_cents == 10_000


def test_import_era_skips_a_check_posted_before_and_says_so(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    first = era_text([EraClaim("CL1", "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)])])
    (tmp_path / "first.835").write_text(first)
    assert main(["import", "era", str(tmp_path / "first.835"), "--db", str(db), "--today", "2026-11-23"]) == 0
    second = era_text([EraClaim("CL2", "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)])], check="777",
                      control=2)
    (tmp_path / "bundle.835").write_text(first + second)
    capsys.readouterr()

    assert main(["import", "era", str(tmp_path / "bundle.835"), "--db", str(db), "--today", "2026-11-23"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Posted 1 of 2 claim payments from bundle.835 (ACME HEALTH PLAN, check 12345, 777, $200.00): "
                      "$100.00 paid, 1 already posted.")
    assert out[1].startswith("  skipped: check 12345 from ACME HEALTH PLAN for $100.00 was already posted on ")
    assert (claim(db, "CL1").paid_cents, claim(db, "CL2").paid_cents) == (10_000, 10_000)


def test_import_era_refuses_a_malformed_file_and_changes_nothing(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "short.835"
    text = era_text([EraClaim("CL1", "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)])])
    path.write_text(text[: text.index("SE*")])  # cut off: no SE, GE, IEA
    before = counts(db)

    assert main(["import", "era", str(path), "--db", str(db)]) == 1

    err = capsys.readouterr().err.splitlines()
    assert err[0] == ('officemgr: short.835 is not a valid 835; nothing was posted: line 1: Mandatory segment '
                      '"Interchange Control Trailer" (IEA=000000001) missing (and 2 more problems)')
    assert err[1:] == ['  line 2: Mandatory segment "Functional Group Trailer" (GE=1) missing',
                       '  line 3: Mandatory segment "Transaction Set Trailer" (SE=0001) missing']
    assert counts(db) == before
    assert claim(db, "CL1").status is ClaimStatus.pending


def test_import_era_refuses_a_file_that_is_not_an_835(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "claims.835"
    path.write_text("claim,paid\nCL1,100.00\n")

    assert main(["import", "era", str(path), "--db", str(db)]) == 1

    assert capsys.readouterr().err == ("officemgr: claims.835 is not an X12 file (it looks like a CSV file, values "
                                       "separated by commas, not an 835 remittance); nothing was posted\n")


def test_import_era_with_a_missing_file_or_database_creates_nothing(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    fresh = tmp_path / "new.db"

    assert main(["import", "era", str(tmp_path / "nope.835"), "--db", str(fresh)]) == 1
    assert capsys.readouterr().err == f"officemgr: there is no file {tmp_path / 'nope.835'}\n"
    assert main(["import", "era", str(remit(tmp_path)), "--db", str(fresh)]) == 1
    assert capsys.readouterr().err == f"officemgr: there is no database {fresh}\n"
    assert not fresh.exists()


def test_import_era_without_a_file_is_bad_usage(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as caught:
        main(["import", "era", "--db", str(db)])

    assert caught.value.code == 2
    assert "the following arguments are required: FILE.835" in capsys.readouterr().err


def test_import_era_in_a_real_process_never_shows_a_traceback(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.835"
    bad.write_bytes(b"ISA*00*\x00\x01garbage")
    command = [sys.executable, "-m", "officemgr.cli", "import", "era"]

    done = subprocess.run([*command, str(remit(tmp_path)), "--db", str(db), "--today", "2026-11-23"],
                          capture_output=True, text=True, timeout=120)
    refused = subprocess.run([*command, str(bad), "--db", str(db)], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0 and done.stdout.startswith("Posted 2 of 4 claim payments from remit.835")
    assert done.stderr == ""  # pyx12's own logging stays quiet
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == "officemgr: bad.835 is not an X12 file (it holds binary data); nothing was posted\n"


# --- import fees --------------------------------------------------------------------------------------


def test_import_fees_replaces_the_schedule(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "aetna.csv"
    path.write_text("code,modifier,allowed\n99213,,92.00\n99213,25,88.00\n")

    assert main(["import", "fees", "aetna", str(path), "--db", str(db)]) == 0

    assert capsys.readouterr().out == "Imported the fee schedule of Aetna from aetna.csv: 2 codes (replacing the 1 " \
                                      "fee it had).\n"
    rows = read(db, select(FeeSchedule.code, FeeSchedule.modifier, FeeSchedule.allowed_cents)
                .order_by(FeeSchedule.modifier))
    assert [tuple(r) for r in rows] == [("99213", "", 9_200), ("99213", "25", 8_800)]


def test_import_fees_names_the_bad_lines_and_changes_nothing(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "aetna.csv"
    path.write_text("code,modifier,allowed\n99213,,92.00\n99214,,abc\nX,,1\n")
    before = counts(db)

    assert main(["import", "fees", "Aetna", str(path), "--db", str(db)]) == 1

    assert capsys.readouterr().err.splitlines() == [
        "officemgr: aetna.csv: nothing was imported; 2 of 3 lines have problems:",
        "line 3: allowed: 'abc' is not an amount like 85.00 or $1,250.00",
        "line 4: code 'X' is not a 5-character CPT or HCPCS code (like 99213 or J1100)",
    ]
    assert counts(db) == before
    assert [tuple(r) for r in read(db, select(FeeSchedule.code, FeeSchedule.allowed_cents))] == [("99213", 10_000)]


def test_import_fees_for_an_unknown_payer_is_refused(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fees.csv"
    path.write_text("code,allowed\n99213,92.00\n")

    assert main(["import", "fees", "Humana", str(path), "--db", str(db)]) == 1

    assert capsys.readouterr().err == "officemgr: there is no payer 'Humana' (the payers are: Aetna)\n"


def test_import_fees_without_the_payer_is_bad_usage(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as caught:
        main(["import", "fees", str(tmp_path / "fees.csv"), "--db", str(db)])

    assert caught.value.code == 2
    assert "the following arguments are required: FILE.csv" in capsys.readouterr().err


# --- import claims / export queue (services.claims_io) ------------------------------------------------

CLAIMS_HEADER = "claim,patient_last,patient_first,dob,payer,service_date,billed,status,codes,diagnoses"


def test_import_claims_posts_the_file_and_says_what_it_did(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([
        CLAIMS_HEADER,
        "CL10,Doe,Jane,1980-05-17,Aetna,2026-11-02,150.00,submitted,99213,E11.9",
        "CL11,Roe,Rick,1975-01-03,Blue Shield,2026-11-03,95.00,submitted,99212,I10",
    ]) + "\n")

    assert main(["import", "claims", str(path), "--db", str(db), "--today", "2026-11-23"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Imported 2 claims from claims.csv (2 new, 0 updated, 2 new patients, 1 new payer)."
    assert out[1:] == ["  note: Blue Shield is a new payer with a 365-day timely-filing limit: check it in the app"]
    assert claim(db, "CL11").billed_cents == 9_500


def test_import_claims_names_a_bad_row_and_saves_nothing(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([
        CLAIMS_HEADER,
        "CL10,Doe,Jane,1980-05-17,Aetna,2026-11-02,150.00,submitted,99213,E11.9",
        "CL11,Roe,Rick,1975-01-03,Aetna,2026-11-03,lots,submitted,99212,I10",
    ]) + "\n")
    before = counts(db)

    assert main(["import", "claims", str(path), "--db", str(db), "--today", "2026-11-23"]) == 1

    err = capsys.readouterr().err
    assert err.startswith("officemgr: ")
    assert "line 3" in err and "nothing" in err
    assert counts(db) == before
    assert read(db, select(func.count()).select_from(Claim))[0] == 3


def test_import_claims_from_a_missing_file_creates_no_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    fresh = tmp_path / "new.db"

    assert main(["import", "claims", str(tmp_path / "nope.csv"), "--db", str(fresh)]) == 1

    assert capsys.readouterr().err == f"officemgr: there is no file {tmp_path / 'nope.csv'}\n"
    assert not fresh.exists()


def test_export_queue_writes_the_csv_and_logs_the_export(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "queue.csv"

    assert main(["export", "queue", str(out), "--db", str(db), "--today", "2026-11-23"]) == 0

    lines = out.read_text().splitlines()
    assert lines[0].startswith("claim,patient,payer,service_date,status,balance,deadline")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["CL1", "CL2", "CL3"]
    assert capsys.readouterr().out == f"Work queue for 11/23/2026: 3 claims written to {out}.\n"
    engine = store.open_database(path=db)
    with store.read_session(engine) as session:
        [(event, changes)] = audit_events(session, "export")
    engine.dispose()
    assert (event.action, changes) == ("queue", {"file": "queue.csv", "rows": 3})


def test_export_queue_refuses_another_extension_or_a_missing_database(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    fresh = tmp_path / "new.db"

    assert main(["export", "queue", str(tmp_path / "queue.xlsx"), "--db", str(db)]) == 2
    assert "export queue writes a .csv file, not '.xlsx'" in capsys.readouterr().err
    assert main(["export", "queue", str(tmp_path / "queue.csv"), "--db", str(fresh)]) == 1
    assert capsys.readouterr().err == f"officemgr: there is no database {fresh}\n"
    assert not fresh.exists()
    assert not (tmp_path / "queue.csv").exists()
