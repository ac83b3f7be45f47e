"""ICD-10-CM checks against the code set shipped by simple-icd-10-cm."""

from __future__ import annotations

import subprocess
import sys

import pytest

from officemgr.services import icd


def test_a_leaf_code_is_valid_and_billable() -> None:
    result = icd.check("E11.9")
    assert result == icd.IcdCheck("E11.9", True, True, "Type 2 diabetes mellitus without complications", "")


def test_a_three_character_leaf_has_no_dot() -> None:
    result = icd.check("i10")
    assert (result.code, result.valid, result.billable) == ("I10", True, True)
    assert result.description == "Essential (primary) hypertension"


def test_a_category_is_valid_but_not_billable_and_names_a_leaf_below_it() -> None:
    result = icd.check("E11")
    assert (result.code, result.valid, result.billable) == ("E11", True, False)
    assert result.description == "Type 2 diabetes mellitus"
    assert result.message == "E11 is a category, not a billable code: use a more specific code such as E11.9"


@pytest.mark.parametrize(("code", "example"), [("J45.90", "J45.909"), ("S93.401", "S93.401A"), ("M54.5", "M54.50"),
                                               ("R05", "R05.9")])
def test_a_subcategory_suggests_a_billable_code_that_is_a_leaf_below_it(code: str, example: str) -> None:
    result = icd.check(code)
    assert result.valid and not result.billable
    assert result.message.endswith(f"such as {example}")
    suggested = icd.check(example)
    assert suggested.billable and suggested.code.startswith(code)


@pytest.mark.parametrize("text", ["e119", "E119", " e11.9 ", "E11.9"])
def test_lowercase_and_missing_dot_are_normalised(text: str) -> None:
    result = icd.check(text)
    assert (result.code, result.billable) == ("E11.9", True)


def test_seventh_character_codes_with_placeholders() -> None:
    assert icd.check("t1490xa").code == "T14.90XA"
    assert icd.check("T14.90XA").billable
    assert icd.check("S93401A").billable


@pytest.mark.parametrize(("text", "message"), [
    ("E99.9", "E99.9 is not an ICD-10-CM code"),
    ("Z99.99", "Z99.99 is not an ICD-10-CM code"),
    ("99213", "'99213' is not an ICD-10-CM code (codes look like E11.9, I10 or S93.401A)"),
    ("A00-B99", "'A00-B99' is not an ICD-10-CM code (codes look like E11.9, I10 or S93.401A)"),
    ("diabetes", "'diabetes' is not an ICD-10-CM code (codes look like E11.9, I10 or S93.401A)"),
    ("", "the diagnosis code is empty"),
])
def test_invalid_codes_are_neither_valid_nor_billable(text: str, message: str) -> None:
    result = icd.check(text)
    assert not result.valid and not result.billable and result.description == ""
    assert result.message == message


def test_a_chapter_number_is_not_a_code() -> None:
    # The package knows chapters ("4") and blocks as items; they are not diagnosis codes.
    assert not icd.check("4").valid


def test_normalise() -> None:
    assert icd.normalise("e119") == "E11.9"
    assert icd.normalise("E11.") == "E11"
    assert icd.normalise(" z 00.00 ") == "Z00.00"


def test_the_code_set_loads_lazily_and_warm_loads_it() -> None:
    code = (
        "import sys\n"
        "from officemgr.services import icd\n"
        "assert 'simple_icd_10_cm' not in sys.modules and not icd.loaded()\n"
        "icd.warm()\n"
        "assert 'simple_icd_10_cm' in sys.modules and icd.loaded()\n"
        "print(icd.check('E11.9').billable)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
