"""The per-test time limit (tests/slow_guard.py), tried on a tiny suite with a 0.2 s limit."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SUITE = """
import time
import pytest

def busy(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass

def test_quick():
    pass

def test_over_the_limit():
    busy(0.3)

def test_waiting_is_not_working():
    time.sleep(0.3)

@pytest.mark.slow(reason="reads a large file")
def test_marked_slow_with_a_reason():
    busy(0.3)

@pytest.mark.slow
def test_marked_slow_without_a_reason():
    pass

def test_failing_on_its_own():
    busy(0.3)
    assert False, "its own failure"
"""


def test_a_test_over_the_limit_fails_unless_marked_slow_with_a_reason(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("pytest_plugins = ['slow_guard']")
    pytester.makeini("[pytest]\nmax_test_seconds = 0.2\n")
    pytester.makepyfile(test_timed=SUITE)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:xdist", "-p", "no:textual-snapshot", "-rf")
    result.assert_outcomes(passed=3, failed=2, errors=1)
    result.stdout.fnmatch_lines([  # in the report's order: errors, then failures
        "*ERROR at setup of test_marked_slow_without_a_reason*",
        "@pytest.mark.slow needs a reason*",
        "*test_over_the_limit took 0.* s of processor time, over the 0.2 s one test may take*",
        "*its own failure*",
    ])
