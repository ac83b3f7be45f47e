"""The CMS physician fee schedule RVU file (PPRRVU, .csv) and the practice's own list: work RVUs only, all or
nothing, a re-import replaces the year, and the rate a line earns (modifier, then the code; the year, then earlier)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from factories import NOW
from officemgr.models import AuditEvent, UserRole
from officemgr.models.finance import RvuRate
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.rvu_import import RvuRefused, import_rvu, title_year, work_rvu_for

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")

# As CMS writes it: title and copyright lines, a header over two rows, modifiers 26/TC, ".93", NA, a footer.
CMS = """\
"2026 National Physician Fee Schedule Relative Value File January Release",,,,,,
"CPT codes and descriptions only are copyright 2025 American Medical Association. All Rights Reserved.",,,,,,
"Applicable FARS/DFARS Apply.",,,,,,
,,,"STATUS","NOT USED FOR","WORK","NON-FAC"
"HCPCS","MOD","DESCRIPTION","CODE","MEDICARE PAYMENT","RVU","PE RVU"
"99213","","Office o/p est low 20 min","A","","  1.30","1.26"
"99214","","Office o/p est mod 30 min","A","",".93","1.71"
"71046","","X-ray exam chest 2 views","A","","0.22","0.71"
"71046","26","X-ray exam chest 2 views","A","","0.22","0.09"
"71046","TC","X-ray exam chest 2 views","A","","0.00","0.62"
"G0438","","Ppps, initial visit","A","","NA","3.12"
"0001F","","Heart failure composite","M","","",""

"Note: the RVUs above are for the January release.",,,,,,
"""

ONE_ROW = """\
"2025 National Physician Fee Schedule Relative Value File",,,
"HCPCS","MOD","DESCRIPTION","STATUS CODE","WORK RVU","NON-FAC PE RVU"
"99213","","Office visit","A","0.97","1.10"
"""

SIMPLE = "code,modifier,work_rvu\n99213,,1.3\n99213,25,1.5\n"


def rates(session: Session, year: int) -> dict[tuple[str, str], float]:
    return {(r.code, r.modifier): r.work_rvu
            for r in session.exec(select(RvuRate).where(RvuRate.year == year).order_by(col(RvuRate.id)))}


def test_the_cms_file_with_a_two_row_header_keeps_code_modifier_and_work_rvu(session: Session) -> None:
    result = import_rvu(session, CMS, year=2026, now=NOW, actor=MANAGER)
    assert rates(session, 2026) == {("99213", ""): 1.30, ("99214", ""): 0.93, ("71046", ""): 0.22,
                                    ("71046", "26"): 0.22, ("71046", "TC"): 0.0}
    # NA and blank are skipped (not stored as 0), so a line with G0438 counts as without a rate.
    assert (result.rates, result.replaced, result.skipped) == (5, 0, 2)


def test_the_title_names_the_year() -> None:
    assert title_year(CMS) == 2026
    assert title_year(ONE_ROW) == 2025
    assert title_year(SIMPLE) is None


def test_a_one_row_header_and_the_simple_list_are_read(session: Session) -> None:
    import_rvu(session, ONE_ROW, year=2025, now=NOW, actor=MANAGER)
    import_rvu(session, SIMPLE, year=2026, now=NOW, actor=MANAGER)
    assert rates(session, 2025) == {("99213", ""): 0.97}
    assert rates(session, 2026) == {("99213", ""): 1.3, ("99213", "25"): 1.5}


def test_bad_rows_are_listed_with_their_lines_and_nothing_is_saved(session: Session) -> None:
    bad = (SIMPLE + "9921,,1.0\n99215,,-0.5\n99215,,lots\n99213,,1.4\n99213,2,1.0\n"
           "99202,,0.93\n0001F,,0\n99202,,0.930\n")
    with pytest.raises(RvuRefused) as refused:
        import_rvu(session, bad, year=2026, now=NOW, actor=MANAGER)
    message = str(refused.value)
    assert message.splitlines()[0] == "nothing was imported; 5 lines have problems:"
    assert "line 4: code '9921' is not a CPT/HCPCS code" in message
    assert "line 5: work RVU -0.5 is negative" in message
    assert "line 6: work RVU 'lots' is not a number" in message
    assert "line 7: 99213 (no modifier) is also on line 2 with another work RVU (1.3, here 1.4)" in message
    assert "line 8: modifier '2' is not 2 letters or digits" in message
    assert "line 11" not in message  # the same value twice is one rate, not a problem
    assert rates(session, 2026) == {}
    assert session.exec(select(AuditEvent).where(AuditEvent.entity == "rvu_rate")).all() == []


def test_a_refusal_lists_the_first_20_bad_lines_and_counts_the_rest(session: Session) -> None:
    bad = "code,modifier,work_rvu\n" + "".join(f"9{n:03d},,1\n" for n in range(25))
    with pytest.raises(RvuRefused) as refused:
        import_rvu(session, bad, year=2026, now=NOW, actor=MANAGER)
    lines = str(refused.value).splitlines()
    assert lines[0] == "nothing was imported; 25 lines have problems:"
    assert lines[1].startswith("line 2: ") and lines[20].startswith("line 21: ")
    assert lines[21:] == ["... and 5 more"]


@pytest.mark.parametrize("text, said", [
    ("just,some,columns\n1,2,3\n", "no column header was found"),
    ('"HCPCS","MOD","DESCRIPTION"\n"99213","","x"\n', "the header has no WORK RVU column"),
    ("code,modifier,work_rvu\n", "the file has no row with a work RVU"),
])
def test_a_file_without_the_columns_or_rows_is_refused(session: Session, text: str, said: str) -> None:
    with pytest.raises(RvuRefused, match=said):
        import_rvu(session, text, year=2026, now=NOW, actor=MANAGER)


def test_a_reimport_replaces_the_year_and_is_audited_once(session: Session) -> None:
    import_rvu(session, CMS, year=2026, now=NOW, actor=MANAGER)
    import_rvu(session, ONE_ROW, year=2025, now=NOW, actor=MANAGER)
    result = import_rvu(session, SIMPLE, year=2026, now=NOW, actor=MANAGER)
    assert (result.rates, result.replaced) == (2, 5)
    assert rates(session, 2026) == {("99213", ""): 1.3, ("99213", "25"): 1.5}
    assert rates(session, 2025) == {("99213", ""): 0.97}  # another year is left alone
    events = session.exec(select(AuditEvent).where(AuditEvent.entity == "rvu_rate")
                          .order_by(col(AuditEvent.id))).all()
    assert len(events) == 3
    assert (events[-1].entity_id, events[-1].action, json.loads(events[-1].changes)) == (
        2026, "import", {"year": 2026, "rates": 2, "replaced": 5, "skipped": 0})


def test_only_the_manager_imports(session: Session) -> None:
    biller = Actor("bo", {UserRole.biller}, name="Bo Biller", workstation="office")
    with pytest.raises(NotAllowed):
        import_rvu(session, SIMPLE, year=2026, now=NOW, actor=biller)
    assert rates(session, 2026) == {}


def test_the_year_must_be_one_the_table_holds(session: Session) -> None:
    with pytest.raises(RvuRefused, match="between 2000 and 2100"):
        import_rvu(session, SIMPLE, year=1999, now=NOW, actor=MANAGER)


def test_the_lookup_tries_the_modifier_then_the_code_then_earlier_years(session: Session) -> None:
    import_rvu(session, "code,modifier,work_rvu\n99213,,0.97\n99213,25,1.1\n71046,,0.5\n", year=2024, now=NOW,
               actor=MANAGER)
    import_rvu(session, CMS, year=2026, now=NOW, actor=MANAGER)
    assert work_rvu_for(session, "99213", "", 2026) == 1.30
    assert work_rvu_for(session, "71046", "26", 2026) == 0.22
    assert work_rvu_for(session, "71046", "59", 2026) == 0.22  # no rate with 59: the code's own
    assert work_rvu_for(session, "99213", "25", 2026) == 1.30  # 2026 has 99213 (no 25): not 2024's 25
    assert work_rvu_for(session, "99213", "25", 2025) == 1.1  # 2025 has no file: 2024's
    assert work_rvu_for(session, "99213", "", 2023) is None  # no file that early
    assert work_rvu_for(session, "G0438", "", 2026) is None  # NA was not stored


def test_a_header_whose_second_row_ends_the_names(session: Session) -> None:
    text = ('"HCPCS","MOD","DESCRIPTION","STATUS","WORK"\n'
            ',,,"CODE","RVU"\n'
            '"99213","","Office visit","A","1.3"\n')
    import_rvu(session, text, year=2026, now=NOW, actor=MANAGER)
    assert rates(session, 2026) == {("99213", ""): 1.3}


def test_line_numbers_count_a_description_over_two_lines(session: Session) -> None:
    text = ('"HCPCS","MOD","DESCRIPTION","WORK RVU"\n'
            '"99213","","Office visit,\nlow complexity","1.3"\n'
            '"99214","","Office visit","x"\n')
    with pytest.raises(RvuRefused, match="line 4: work RVU 'x' is not a number"):
        import_rvu(session, text, year=2026, now=NOW, actor=MANAGER)


def test_a_file_that_is_not_csv_is_refused_with_its_line(session: Session) -> None:
    with pytest.raises(RvuRefused, match="line 4: this is not a CSV file as CMS writes it"):
        import_rvu(session, SIMPLE + '99214,,"' + "9" * 200_000 + '"\n', year=2026, now=NOW, actor=MANAGER)
    assert rates(session, 2026) == {}


def test_a_control_character_is_shown_not_sent(session: Session) -> None:
    with pytest.raises(RvuRefused) as refused:
        import_rvu(session, SIMPLE + "99214,,\x1b[31m1.0\n", year=2026, now=NOW, actor=MANAGER)
    assert "\x1b" not in str(refused.value)
    assert "line 4: work RVU" in str(refused.value)


def test_cpts_lettered_codes_are_codes_and_other_shapes_are_not(session: Session) -> None:
    listed = "code,modifier,work_rvu\n0001A,,0.00\n0002U,,0\n0545T,,1.2\nG0438,,2.43\n99213,,1.3\n"
    import_rvu(session, listed, year=2026, now=NOW, actor=MANAGER)
    assert set(rates(session, 2026)) == {("0001A", ""), ("0002U", ""), ("0545T", ""), ("G0438", ""), ("99213", "")}
    for wrong in ("A001A", "99A13", "992130", "G043"):
        with pytest.raises(RvuRefused, match=f"code '{wrong}' is not a CPT/HCPCS code"):
            import_rvu(session, f"code,modifier,work_rvu\n{wrong},,1.0\n", year=2027, now=NOW, actor=MANAGER)
