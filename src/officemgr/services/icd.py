"""ICD-10-CM diagnosis codes checked against the official code set (the `simple-icd-10-cm` package, offline).

Loading the code set takes about 1.5 s, so the package is imported on first use, never when this module is
imported: the UI calls `warm()` in a worker after its first paint, and `check()` loads it if nobody has.

A billable code is a leaf of the classification (E11.9, I10, S93.401A). A category or subcategory that has
more specific codes below it (E11, J45.90, S93.401) is a valid code but not billable: the check says so and
names a more specific code to use.
"""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

# A letter, a digit, a digit or letter, then up to four more characters after the dot (7th-character
# extensions and their X placeholders included): the shape of every ICD-10-CM code.
_SHAPE = re.compile(r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?")


class _CodeSet(Protocol):
    """The part of `simple_icd_10_cm` used here (the package is annotated but ships no py.typed)."""

    def is_valid_item(self, code: str) -> bool: ...

    def is_category_or_subcategory(self, code: str) -> bool: ...

    def is_category(self, code: str) -> bool: ...

    def is_leaf(self, code: str) -> bool: ...

    def get_description(self, code: str) -> str: ...

    def get_children(self, code: str) -> list[str]: ...


_lock = threading.Lock()
_module: _CodeSet | None = None


@dataclass(frozen=True)
class IcdCheck:
    code: str  # normalised: upper case, a dot after the third character
    valid: bool  # in the ICD-10-CM code set
    billable: bool  # valid and a leaf (nothing more specific below it)
    description: str  # the code set's description ("" when not valid)
    message: str  # what is wrong, for the user ("" when billable)


def _icd() -> _CodeSet:
    """The code set, imported (and parsed) once."""
    global _module
    if _module is None:
        with _lock:
            if _module is None:
                with warnings.catch_warnings():
                    # The package reads its data with importlib.resources' legacy read_text.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    import simple_icd_10_cm

                _module = simple_icd_10_cm
    return _module


def warm() -> None:
    """Load the code set now (slow: call it off the UI thread) so later checks are instant."""
    _icd()


def loaded() -> bool:
    return _module is not None


def normalise(code: str) -> str:
    """'e119' and ' E11.9 ' both give 'E11.9'; a code of three characters has no dot."""
    text = "".join(code.split()).upper().replace(".", "")
    return f"{text[:3]}.{text[3:]}" if len(text) > 3 else text


@lru_cache(maxsize=4096)
def check(code: str) -> IcdCheck:
    """Whether `code` is an ICD-10-CM code, and whether it is billable (a leaf)."""
    normal = normalise(code)
    if not normal:
        return IcdCheck(normal, False, False, "", "the diagnosis code is empty")
    if not _SHAPE.fullmatch(normal):
        return IcdCheck(code.strip().upper(), False, False, "",
                        f"'{code.strip()}' is not an ICD-10-CM code (codes look like E11.9, I10 or S93.401A)")
    icd = _icd()
    if not (icd.is_valid_item(normal) and icd.is_category_or_subcategory(normal)):
        return IcdCheck(normal, False, False, "", f"{normal} is not an ICD-10-CM code")
    description = icd.get_description(normal)
    if icd.is_leaf(normal):
        return IcdCheck(normal, True, True, description, "")
    kind = "a category" if icd.is_category(normal) else "a subcategory"
    example = _example_leaf(icd, normal)
    return IcdCheck(normal, True, False, description,
                    f"{normal} is {kind}, not a billable code: use a more specific code such as {example}")


def _example_leaf(icd: _CodeSet, code: str) -> str:
    """A billable code below `code` to suggest: the nearest level with a leaf, preferring the unspecified one."""
    level = icd.get_children(code)
    while level:
        leaves = [child for child in level if icd.is_leaf(child)]
        if leaves:
            return min(leaves, key=lambda child: _preference(icd, child))
        level = [grandchild for child in level for grandchild in icd.get_children(child)]
    return code  # not reached: a code that is not a leaf has children


def _preference(icd: _CodeSet, code: str) -> int:
    if icd.get_description(code).lower().endswith("unspecified"):
        return 0
    return 1 if code.endswith("9") else 2
