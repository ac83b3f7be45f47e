"""Reading 835 files as real payers send them (services.era_read.parse, services.era_x12): layouts, separators,
ISA padding, several checks and payers in one file, refusals in words, and pyx12 kept quiet.

The files are written here: factories.era_text varied one thing at a time, and files written by hand in the style
of public sample remittances.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from factories import EraClaim, era_text
from officemgr.services import era_read
from officemgr.services.era_x12 import MAX_WARNING, SEGMENTS, EraRefused

CLAIMS = [EraClaim("CL1", "1", 15_000, 10_000, 2_000, [("CO", "45", 3_000)],
                   lines=[("99213", 15_000, 10_000, [("PR", "2", 2_000)])]),
          EraClaim("CL2", "4", 20_000, 0, adjustments=[("CO", "50", 20_000)])]
PLB = [("WO:OVP77", 500)]  # a withhold with its reference after the component separator
BASE = era_text(CLAIMS, provider_adjustments=PLB)  # one segment per line, each ending "~\n"


def segments(text: str = BASE) -> list[str]:
    return text.split("~\n")[:-1]


def relayout(text: str = BASE, *, element: str = "*", component: str = ":", repetition: str = "^",
             terminator: str = "~", after: str = "\n") -> str:
    """`text` with other separators: `after` follows each terminator (a newline, CRLF, or nothing)."""
    out = []
    for segment in segments(text):
        values = segment.replace(":", component).split("*")
        if values[0] == "ISA":
            values[11] = repetition
        out.append(element.join(values))
    return "".join(segment + terminator + after for segment in out)


def wrapped(text: str, width: int = 80) -> str:
    """One long line cut every `width` characters, as some payers' mainframes send it."""
    flat = text.replace("\n", "")
    return "\n".join(flat[i:i + width] for i in range(0, len(flat), width)) + "\n"


def version_4010(text: str) -> str:
    return text.replace("*00501*", "*00401*").replace("005010X221A1", "004010X091A1")


def read(tmp_path: Path, text: str, name: str = "remit.835") -> era_read.Remit:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return era_read.parse(path)


def refusal(tmp_path: Path, text: str, name: str = "remit.835") -> str:
    with pytest.raises(EraRefused) as refused:
        read(tmp_path, text, name)
    message = str(refused.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def summary(remit: era_read.Remit) -> list[tuple[object, ...]]:
    """What the posting takes from a file: each check and its claim payments, amounts and adjustments."""
    return [(p.payer_name, p.check_number, p.paid_cents, p.paid_on,
             [(c.number, c.status_code, c.charge_cents, c.paid_cents, c.patient_resp_cents,
               [a.as_text() for a in c.adjustments], c.patient_name, c.member_id) for c in p.claims],
             [(i.reason, i.reference, i.cents) for i in p.provider_adjustments]) for p in remit.payments]


@pytest.fixture
def expected(tmp_path: Path) -> list[tuple[object, ...]]:
    remit = read(tmp_path, BASE, "base.835")
    assert remit.warnings == ()
    assert summary(remit)[0][5] == [("WO", "OVP77", 500)]
    return summary(remit)


# --- 1. segment terminators and line breaks -------------------------------------------------------------


@pytest.mark.parametrize("text", [
    pytest.param(BASE.replace("\n", "\r\n"), id="CRLF after each terminator"),
    pytest.param(BASE.replace("\n", ""), id="one long line"),
    pytest.param(BASE.rstrip("\n"), id="no newline at the end"),
    pytest.param(BASE.replace("\n", "") + "\n", id="one long line and a newline"),
    pytest.param(wrapped(BASE), id="wrapped at 80 columns"),
    pytest.param(wrapped(BASE, 80).replace("\n", "\r\n"), id="wrapped at 80 columns with CRLF"),
    pytest.param(wrapped(BASE, 37), id="wrapped inside the ISA"),
    pytest.param(wrapped(BASE, 105), id="wrapped just before the ISA's terminator"),
    pytest.param(wrapped(BASE, 104), id="wrapped just before ISA16"),
    pytest.param(relayout(terminator="\n", after=""), id="a newline is the terminator"),
    pytest.param(relayout(terminator="\r\n", after=""), id="CRLF is the terminator"),
    pytest.param(relayout(terminator="\n", after="").rstrip("\n"), id="newline terminator, none at the end"),
    pytest.param(relayout(terminator="\n", after="  "), id="newline terminator, lines indented"),
    pytest.param(BASE.replace("~\n", "~\n\n"), id="blank lines between segments"),
    pytest.param(BASE.replace("~\n", "~    \r\n"), id="spaces after each terminator"),
    pytest.param(BASE.replace("~\n", "~\n  "), id="each segment indented"),
    pytest.param(BASE.replace("LX*1~", "LX*1~~"), id="a doubled terminator"),
    pytest.param(BASE + "\x1a", id="an end-of-file mark after the last segment"),
    pytest.param(BASE.rstrip("~\n"), id="no terminator after IEA"),
    pytest.param("\ufeff" + BASE, id="a byte-order mark"),
])
def test_every_layout_reads_the_same_payments_without_warnings(tmp_path: Path, expected: list[tuple[object, ...]],
                                                                text: str) -> None:
    remit = read(tmp_path, text)

    assert summary(remit) == expected
    assert remit.warnings == ()


def test_a_finding_names_the_line_of_the_file_when_segments_are_one_per_line(tmp_path: Path) -> None:
    spaced = BASE.replace("N3*1 MAIN ST~\n", "N3*1 MAIN ST ~\n").replace("~\n", "~\n\n")  # a blank line after each

    warned = read(tmp_path, spaced).warnings

    assert warned == ('line 15: Data element "Payer Address Line" (N301) ends with spaces ("1 MAIN ST ")',)


def test_a_finding_names_the_segment_number_when_the_file_is_one_line(tmp_path: Path) -> None:
    one_line = BASE.replace("N3*1 MAIN ST~", "N3*1 MAIN ST ~").replace("\n", "")

    assert read(tmp_path, one_line).warnings == (
        'line 8: Data element "Payer Address Line" (N301) ends with spaces ("1 MAIN ST ")',)
    assert read(tmp_path, wrapped(one_line)).warnings == read(tmp_path, one_line).warnings


# --- 2. separators --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    pytest.param(relayout(component=">"), id="component >"),
    pytest.param(relayout(component="\\"), id="component backslash"),
    pytest.param(relayout(component="^", repetition="{"), id="component ^, repetition {"),
    pytest.param(relayout(component="!", repetition="|"), id="component !, repetition |"),
    pytest.param(relayout(element="|"), id="element |"),
    pytest.param(relayout(element="^", repetition="{"), id="element ^"),
    pytest.param(relayout(element="\x1d", component="\x1f", terminator="\x1c", after=""), id="control characters"),
    pytest.param(relayout(element="|", component=">", terminator="\n", after="\r"), id="| > and CR line ends"),
])
def test_any_separators_the_isa_names_read_the_same_payments(tmp_path: Path, expected: list[tuple[object, ...]],
                                                              text: str) -> None:
    remit = read(tmp_path, text)

    assert summary(remit) == expected
    assert remit.warnings == ()


@pytest.mark.parametrize("repetition", ["U", "^", "!"])
def test_a_4010_file_reads_whatever_its_isa11_holds(tmp_path: Path, expected: list[tuple[object, ...]],
                                                    repetition: str) -> None:
    remit = read(tmp_path, relayout(version_4010(BASE), component=">", repetition=repetition))

    assert summary(remit) == expected


# --- 3. ISA padding ---------------------------------------------------------------------------------------


def trimmed(text: str = BASE) -> str:
    """The ISA without its padding (ISA02/04 empty, ISA06/08 trimmed, ISA13 and IEA02 without leading zeros)."""
    isa = segments(text)[0].split("*")
    isa[2] = isa[4] = ""
    isa[6], isa[8], isa[13] = isa[6].strip(), isa[8].strip(), str(int(isa[13]))
    rest = text.split("~\n", 1)[1].replace("IEA*1*000000001", "IEA*1*1")
    return "*".join(isa) + "~\n" + rest


def test_an_isa_whose_padding_was_trimmed_is_padded_again(tmp_path: Path, expected: list[tuple[object, ...]]) -> None:
    text = trimmed()
    assert len(segments(text)[0]) < 105

    for variant in (text, text.replace("\n", ""), wrapped(text), relayout(text, terminator="\n", after="")):
        remit = read(tmp_path, variant)
        assert summary(remit) == expected
        assert remit.warnings == ()


@pytest.mark.parametrize(("damage", "reason"), [
    (lambda text: text.replace("*PAYERID        *", "*PAYERID-WITH-A-LONG-NAME*"),
     "remit.835: line 1: ISA06 of the interchange header is 'PAYERID-WITH-A-LONG-NAME', 24 characters where it "
     "must have 15; nothing was posted"),
    (lambda text: text.replace("*261120*", "*20261120*"),
     "remit.835: line 1: ISA09 of the interchange header is '20261120', 8 characters where it must have 6; "
     "nothing was posted"),
    (lambda text: text.replace("*P*:", "*P*X*:"),
     "remit.835 is not an X12 file (its ISA segment gives 'X' as its component separator (ISA16), which cannot be "
     "one); nothing was posted"),
    (lambda text: text[:40],
     "remit.835 is not an X12 file (its ISA segment is cut short or does not have its 16 elements); nothing was "
     "posted"),
    (lambda text: text.replace("*P*:", "*P*A"),
     "remit.835 is not an X12 file (its ISA segment gives 'A' as its component separator (ISA16), which cannot be "
     "one); nothing was posted"),
    (lambda text: text.replace("ISA*", "ISA7"),
     "remit.835 is not an X12 file (its first segment, ISA, is followed by '7' where the element separator should "
     "be); nothing was posted"),
])
def test_an_isa_that_cannot_be_read_is_refused_in_words(tmp_path: Path, damage: Callable[[str], str],
                                                        reason: str) -> None:
    assert refusal(tmp_path, damage(BASE)) == reason


# --- 4. several transactions, groups, interchanges and payers ---------------------------------------------


def transaction(text: str, control: str) -> list[str]:
    found = segments(text)
    start = next(i for i, s in enumerate(found) if s.startswith("ST*"))
    end = next(i for i, s in enumerate(found) if s.startswith("SE*"))
    return [s.replace("*0001", f"*{control}") for s in found[start:end + 1]]


OTHER = era_text([EraClaim("CL3", "1", 5_000, 5_000, name=("ROE", "RICHARD"), member="Z99")], payer="OTHER MUTUAL",
                 check="EFT777")


def test_two_transactions_in_one_group_are_two_payments_from_their_own_payers(tmp_path: Path) -> None:
    head = segments()[:2]
    text = "~\n".join([*head, *transaction(BASE, "0001"), *transaction(OTHER, "0002"), "GE*2*1",
                       "IEA*1*000000001"]) + "~\n"

    remit = read(tmp_path, text)

    assert [(p.payer_name, p.check_number, p.paid_cents, [c.number for c in p.claims])
            for p in remit.payments] == [("ACME HEALTH PLAN", "12345", 9_500, ["CL1", "CL2"]),
                                         ("OTHER MUTUAL", "EFT777", 5_000, ["CL3"])]
    assert remit.payments[1].claims[0].patient_name == "ROE, RICHARD"
    assert remit.warnings == ()


def test_two_groups_and_two_interchanges_in_one_file_are_read_in_order(tmp_path: Path) -> None:
    head = segments()[:2]
    groups = "~\n".join([*head, *transaction(BASE, "0001"), "GE*1*1",
                         "GS*HP*PAYERID*PRACTICE*20261120*1200*2*X*005010X221A1", *transaction(OTHER, "0002"),
                         "GE*1*2", "IEA*2*000000001"]) + "~\n"
    third = era_text([EraClaim("CL4", "1", 7_000, 7_000)], payer="THIRD PAYER", check="C3", control=3)

    remit = read(tmp_path, groups + third.replace("\n", ""))

    assert [(p.payer_name, p.check_number) for p in remit.payments] == [
        ("ACME HEALTH PLAN", "12345"), ("OTHER MUTUAL", "EFT777"), ("THIRD PAYER", "C3")]
    assert remit.paid_cents == 21_500
    assert remit.warnings == ()


def test_a_second_interchange_that_cannot_be_read_is_refused_in_words(tmp_path: Path) -> None:
    second = era_text([EraClaim("CL4", "1", 7_000, 7_000)], control=2)

    assert refusal(tmp_path, BASE + second.replace("*0*P*:", "*0P*:")) == (
        "remit.835: line 25: the interchange header (ISA) has 15 elements where it must have 16; nothing was posted")
    assert refusal(tmp_path, BASE + relayout(second, element="|")) == (
        "remit.835: line 25: this interchange (ISA) separates its elements with '|' where the first one in the "
        "file uses '*'; nothing was posted (import each interchange as a file of its own)")


# A clearinghouse file written by hand in the style of the public 5010 samples: two payers in one group, an ACH
# payment and a check, '>' as component separator, claim-level CAS before NM1, interest and a withhold (PLB).
TWO_PAYERS = """\
ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*SMALLPRACTICE  *261120*0930*^*00501*000000042*0*P*>~
GS*HP*CLEARINGHOUSE*SMALLPRACTICE*20261120*0930*42*X*005010X221A1~
ST*835*0001~
BPR*I*80.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*20261120~
TRN*1*EFT1001*1512345678~
DTM*405*20261119~
N1*PR*BLUE RIVER HEALTH~
N3*PO BOX 100~
N4*RIVERTON*WY*82501~
PER*BL*PROVIDER SERVICES*TE*8005550100~
N1*PE*SMALL PRACTICE*XX*1234567893~
LX*1~
CLP*A100*1*120.00*80.00*20.00*12*RIV0001~
CAS*CO*45*20.00~
NM1*QC*1*RIVERS*ANNA****MI*BR555~
DTM*232*20261102~
SVC*HC>99213>25*120.00*80.00**1~
CAS*PR*2*20.00~
SE*17*0001~
ST*835*0002~
BPR*I*45.00*C*CHK************20261118~
TRN*1*CHK77*1999999999~
DTM*405*20261118~
N1*PR*PRAIRIE MUTUAL~
N3*1 PLAINS RD~
N4*OMAHA*NE*68102~
PER*BL*CLAIMS*TE*8005550199~
N1*PE*SMALL PRACTICE*XX*1234567893~
LX*1~
CLP*A200*2*90.00*50.00**12*PM0002~
CAS*OA*23*40.00~
NM1*QC*1*PLAINS*BEN****MI*PM777~
DTM*232*20261020~
PLB*1234567893*20261231*L6*-2.00*WO>OVP123*7.00~
SE*16*0002~
GE*2*42~
IEA*1*000000042~
"""


@pytest.mark.parametrize("layout", [lambda t: t, lambda t: t.replace("\n", ""), wrapped], ids=["lines", "one line",
                                                                                             "wrapped"])
def test_a_hand_written_file_from_two_payers_gives_each_check_its_payer(tmp_path: Path,
                                                                       layout: Callable[[str], str]) -> None:
    remit = read(tmp_path, layout(TWO_PAYERS))

    river, prairie = remit.payments
    assert (river.payer_name, river.check_number, river.paid_cents) == ("BLUE RIVER HEALTH", "EFT1001", 8_000)
    assert [(c.number, c.status_code, c.patient_resp_cents, [a.as_text() for a in c.adjustments])
            for c in river.claims] == [("A100", "1", 2_000, ["CO 45 $20.00", "PR 2 $20.00"])]
    assert (prairie.payer_name, prairie.check_number, prairie.paid_cents) == ("PRAIRIE MUTUAL", "CHK77", 4_500)
    assert prairie.claims[0].status_code == "2"
    assert [(i.reason, i.reference, i.cents) for i in prairie.provider_adjustments] == [("L6", "", -200),
                                                                                       ("WO", "OVP123", 700)]
    assert remit.warnings == ()


# A 4010 payer file by hand: one long line, '|' between elements, '^' between components (4010 has no
# repetition separator: ISA11 is U), a check with a forward balance.
OLD_PAYER = ("ISA|00|          |00|          |ZZ|OLDPAYER       |ZZ|SMALLPRACTICE  |261116|2359|U|00401|000000007|0|"
             "P|^~"
             "GS|HP|OLDPAYER|SMALLPRACTICE|20261116|2359|7|X|004010X091A1~ST|835|7001~"
             "BPR|I|60.00|C|CHK|||||||||||20261116~TRN|1|000123456|1999999999~DTM|405|20261116~"
             "N1|PR|HERITAGE CASUALTY~N3|PO BOX 9~N4|TOPEKA|KS|66601~N1|PE|SMALL PRACTICE|XX|1234567893~LX|1~"
             "CLP|H1|1|100.00|70.00||12|HC1~CAS|CO|45|30.00~NM1|QC|1|HILL|HOLLY||||MI|H77~"
             "SVC|HC^99213|100.00|70.00||1~DTM|472|20261101~PLB|1234567893|20261231|FB^PRIOR1|10.00~SE|16|7001~"
             "GE|1|7~IEA|1|000000007~")


def test_a_hand_written_4010_file_on_one_line_is_read(tmp_path: Path) -> None:
    remit = read(tmp_path, OLD_PAYER)

    payment, = remit.payments
    assert (payment.payer_name, payment.check_number, payment.paid_cents) == ("HERITAGE CASUALTY", "000123456",
                                                                               6_000)
    assert [(i.reason, i.reference, i.cents) for i in payment.provider_adjustments] == [("FB", "PRIOR1", 1_000)]
    claim, = payment.claims
    assert (claim.number, claim.paid_cents, claim.patient_name, str(claim.service_date)) == ("H1", 7_000,
                                                                                            "HILL, HOLLY",
                                                                                            "2026-11-01")


# --- 5. refused in words ----------------------------------------------------------------------------------


def test_an_unknown_segment_is_named_with_its_line(tmp_path: Path) -> None:
    text = BASE.replace("CAS*CO*45*30.00~", "XYZ*1*2~\nCAS*CO*45*30.00~").replace("SE*20*", "SE*21*")
    assert segments(text)[13] == "XYZ*1*2"

    message = refusal(tmp_path, text)

    assert message == "remit.835 is not a valid 835; nothing was posted: line 14: 'XYZ' is not a segment of an 835"
    assert "XYZ" not in SEGMENTS and {"CLP", "CAS", "PLB", "SVC", "NM1"} <= SEGMENTS


def test_an_unknown_segment_on_one_long_line_is_named_by_its_number(tmp_path: Path) -> None:
    text = BASE.replace("LX*1~", "LX*1~\nHL*1**20*1~").replace("SE*20*", "SE*21*").replace("\n", "")

    assert refusal(tmp_path, text).endswith("line 13: 'HL' is not a segment of an 835")


def test_a_mistyped_envelope_segment_is_named_not_reported_as_unreadable(tmp_path: Path) -> None:
    text = BASE.replace("ST*835*0001~", "S*835*0001~").replace("GE*1*1~", "GX*1*1~")

    with pytest.raises(EraRefused) as refused:
        read(tmp_path, text)

    assert str(refused.value) == ("remit.835 is not a valid 835; nothing was posted: line 3: 'S' is not a segment of "
                                  "an 835 (and 1 more problem)")
    assert refused.value.problems == ["line 3: 'S' is not a segment of an 835",
                                      "line 23: 'GX' is not a segment of an 835"]


def test_a_segment_without_its_name_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("LX*1~", "LX*1~\n*1*2~").replace("SE*20*", "SE*21*")

    assert refusal(tmp_path, text).endswith(
        "nothing was posted: line 13: a segment without its name (it begins with a separator)")


@pytest.mark.parametrize(("text", "looks"), [
    ("Claim,Paid,Date\nCL1,60.00,11/20/2026\nCL2,15.00,11/20/2026\n", "values separated by commas"),
    ("Claim;Paid;Date\nCL1;60,00;20.11.2026\nCL2;15,00;20.11.2026\n", "values separated by semicolons"),
    ("Claim\tPaid\nCL1\t60.00\n", "values separated by tabs"),
])
def test_a_csv_is_named_as_a_csv(tmp_path: Path, text: str, looks: str) -> None:
    assert refusal(tmp_path, text) == (f"remit.835 is not an X12 file (it looks like a CSV file, {looks}, not an 835 "
                                       "remittance); nothing was posted")


@pytest.mark.parametrize(("text", "reason"), [
    ("Dear provider, your remittance is attached.\nRegards\n", "(it does not begin with an ISA segment); nothing "
                                                                "was posted"),
    ("<html><body>Remittance</body></html>\n", "(it looks like a web page or an XML file); nothing was posted"),
    ("%PDF-1.7 remittance advice\n", "(it is a PDF document, not the 835 file itself); nothing was posted"),
    (BASE.replace("ST*835", "ST*837"), "is an X12 837 (claim), not an 835 remittance; nothing was posted"),
    (BASE.replace("ST*835", "ST*270"), "is an X12 270 (eligibility inquiry), not an 835 remittance"),
    (BASE.replace("ST*835", "ST*999"), "is an X12 999 (acknowledgement), not an 835 remittance"),
])
def test_other_text_and_other_x12_are_named_by_kind(tmp_path: Path, text: str, reason: str) -> None:
    assert reason in refusal(tmp_path, text)


def test_a_file_cut_off_in_the_middle_of_a_segment_says_so(tmp_path: Path) -> None:
    cut = BASE[:BASE.index("CAS*CO*45") + 9]

    for text in (cut, cut.replace("\n", "\r\n"), cut + "\n"):
        assert refusal(tmp_path, text) == ("remit.835 is cut off in the middle of line 14 ('CAS*CO*45'): the file "
                                           "ends before its last segments; nothing was posted (ask the payer or "
                                           "clearinghouse to send it again)")


def test_a_file_cut_off_between_segments_names_the_missing_trailers(tmp_path: Path) -> None:
    message = refusal(tmp_path, BASE[:BASE.index("CAS*CO*45")])

    assert message.startswith('remit.835 is not a valid 835; nothing was posted: line 1: Mandatory segment '
                              '"Interchange Control Trailer" (IEA=000000001) missing')


# --- 6. pyx12 kept quiet, its findings in plain words ---------------------------------------------------


COMPLAINED = (BASE.replace("N3*1 MAIN ST~", f"N3*1 MAIN ST {'X' * 400}~")
              .replace("TRN*1*12345*1512345678~", "TRN*1*12345*1512345678~\nTRN*1*12346*1512345678~")
              .replace("SE*20*", "SE*21*")
              .replace("N4*SPRINGFIELD*IL*62701", "N4*SPRINGFIELD*ZZ*62701 ")
              .replace("DTM*405*20261120", "DTM*405*20261120*"))


def test_pyx12_prints_and_logs_nothing_and_its_findings_are_plain_sentences(
        tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        remit = read(tmp_path, COMPLAINED)

    assert capfd.readouterr() == ("", "")
    assert caplog.records == []
    assert caught == []
    assert remit.warnings == (
        "line 6: segment TRN comes 2 times where an 835 has it at most once",
        "line 7: the segment ends with an empty element (a separator right before its end)",
        'line 9: Data element "Payer Address Line" (N301) is too long: 410 characters where at most 55 are allowed '
        '("1 MAIN ST XXXXXXXXXXXXXXXXXXXXXXXXXXXXX…")',
        "line 10: 'ZZ' is not a valid code for Payer State Code (N402)",
        'line 10: Data element "Payer Postal Zone or ZIP Code" (N403) ends with spaces ("62701 ")',
    )
    for warning in remit.warnings:
        assert warning.startswith("line ") and len(warning) <= MAX_WARNING
        assert "Started at" not in warning and "/ISA_LOOP" not in warning and "len(" not in warning


def test_common_pyx12_findings_read_as_sentences(tmp_path: Path) -> None:
    text = (BASE.replace("N3*1 MAIN ST~", "N3*1 MAIN ST ~")
            .replace("N1*PE*SMALL PRACTICE*XX*1234567893~", "N1*PE*SMALL PRACTICE*XX*1234567893~\nTS3*1*11*20261231*1*"
                     "100.00~")
            .replace("SE*20*", "SE*21*").replace("DTM*405*20261120", "DTM*405*20261340"))

    assert read(tmp_path, text).warnings == (
        'line 6: Data element "Production Date" (DTM02) holds "20261340", which is not a date',
        'line 8: Data element "Payer Address Line" (N301) ends with spaces ("1 MAIN ST ")',
        "line 12: segment TS3 is not expected at this place in an 835",
    )
