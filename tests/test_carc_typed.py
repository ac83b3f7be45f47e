"""CARC codes however a person types them ("CO-45", "CO 45", "CO45", "co45", "045", "45") mean the same: for the
meaning shown (services.denials), the work queue's denial filter (the filter form and billing.work_queue) and the
claim-status form's denial code (issue 19)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import TODAY, make_carc_codes, make_claim
from officemgr.models import ClaimStatus
from officemgr.services import billing, denials
from officemgr.services.billing import QueueFilter
from officemgr.services.claim_flow import StatusChange
from officemgr.tui.forms.base import FieldErrors
from officemgr.tui.forms.claim_status import Filters, QueueFilterForm

WITH_GROUP = ["CO-45", "CO 45", "CO45", "co45", "co-045", " Co:45 "]
REASON_ONLY = ["045", "45", " 45 "]


@pytest.mark.parametrize("typed", WITH_GROUP + REASON_ONLY)
def test_the_meaning_is_the_same_however_the_code_is_typed(session, typed: str) -> None:
    make_carc_codes(session)
    assert denials.meaning(session, typed) == "Charge exceeds fee schedule"
    assert denials.clean_code(typed) == "45"


@pytest.mark.parametrize("typed", WITH_GROUP + REASON_ONLY)
def test_the_queue_filter_finds_the_same_claims_however_typed(session, typed: str) -> None:
    denied_on = TODAY - timedelta(days=3)
    make_claim(session, number="D45", status=ClaimStatus.denied, denial_code="45", denial_group="CO",
               denied_on=denied_on)
    make_claim(session, number="D145", status=ClaimStatus.denied, denial_code="145", denial_group="CO",
               denied_on=denied_on)
    make_claim(session, number="PR45", status=ClaimStatus.denied, denial_code="45", denial_group="PR",
               denied_on=denied_on)
    page = billing.work_queue(session, TODAY, filters=QueueFilter(denial_code=typed), actor="tests")
    expected = {"D45"} if typed in WITH_GROUP else {"D45", "PR45"}
    assert {row.number for row in page.rows} == expected


@pytest.mark.parametrize(("typed", "shown"), [(t, "CO-45") for t in WITH_GROUP] + [(t, "45") for t in REASON_ONLY])
def test_the_filter_form_keeps_one_spelling(typed: str, shown: str) -> None:
    form = QueueFilterForm(Filters(), payers=[], buckets=[])
    built = form.build({"payer_id": None, "status": None, "bucket": None, "denial_code": typed.strip()})
    assert built.denial_code == shown


@pytest.mark.parametrize("typed", ["CO-", "4567", "XX-45", "45a", "0"])
def test_the_filter_form_refuses_what_is_no_carc_code(typed: str) -> None:
    form = QueueFilterForm(Filters(), payers=[], buckets=[])
    with pytest.raises(FieldErrors) as refused:
        form.build({"payer_id": None, "status": None, "bucket": None, "denial_code": typed})
    assert refused.value.errors == {"denial_code": "a CARC code, e.g. 50, B7, CO-50 or CO 50"}


@pytest.mark.parametrize("typed", WITH_GROUP)
def test_a_denial_entered_on_the_status_form_reads_the_group_however_typed(typed: str) -> None:
    change = StatusChange(to=ClaimStatus.denied, denial_code=typed)
    assert (change.denial_code, change.denial_group) == ("45", "CO")


@pytest.mark.parametrize("typed", REASON_ONLY)
def test_a_denial_code_without_a_group_keeps_the_group_field(typed: str) -> None:
    change = StatusChange(to=ClaimStatus.denied, denial_code=typed, denial_group="PR")
    assert (change.denial_code, change.denial_group) == ("45", "PR")


@pytest.mark.parametrize(("typed", "expected"), [("co45", {"D45"}), ("045", {"D45", "PR45"}), ("pr-45", {"PR45"}),
                                                 ("co-145", {"D145"})])
def test_the_search_words_read_a_carc_code_as_typed(session, typed: str, expected: set[str]) -> None:
    denied_on = TODAY - timedelta(days=3)
    for number, code, group in (("D45", "45", "CO"), ("D145", "145", "CO"), ("PR45", "45", "PR")):
        make_claim(session, number=number, status=ClaimStatus.denied, denial_code=code, denial_group=group,
                   denied_on=denied_on)
    page = billing.work_queue(session, TODAY, filters=QueueFilter(text=typed), actor="tests")
    assert {row.number for row in page.rows} == expected
