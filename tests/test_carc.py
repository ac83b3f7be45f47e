"""CARC codes are understood however a person types them."""

from __future__ import annotations

import pytest

from officemgr.services.carc import TypedCarc, parse_carc


@pytest.mark.parametrize("typed", ["CO-45", "CO 45", "CO45", "co45", "co-045", " CO - 45 ", "CO:45"])
def test_a_group_and_reason_read_the_same_however_typed(typed: str) -> None:
    assert parse_carc(typed) == TypedCarc("CO", "45")


@pytest.mark.parametrize("typed", ["45", "045", "0045"])
def test_a_reason_alone_has_no_group(typed: str) -> None:
    assert parse_carc(typed) == TypedCarc(None, "45")


def test_lettered_reasons_and_every_group() -> None:
    assert parse_carc("PR-1") == TypedCarc("PR", "1")
    assert parse_carc("oa23") == TypedCarc("OA", "23")
    assert parse_carc("PI 197") == TypedCarc("PI", "197")
    assert parse_carc("CR-B7") == TypedCarc("CR", "B7")
    assert parse_carc("b7") == TypedCarc(None, "B7")
    assert parse_carc("P1") == TypedCarc(None, "P1")  # a reason code, not the PI group


@pytest.mark.parametrize("typed", ["", "CO", "CO-", "XX-45", "4500", "0", "CO-0", "forty-five", "45a"])
def test_what_is_not_a_carc_code_reads_as_none(typed: str) -> None:
    assert parse_carc(typed) is None
