"""No test may take longer than `max_test_seconds` (20 s), unless it is marked `@pytest.mark.slow(reason="...")`
saying why it needs the time: a test that quietly grows slow is what pushes the suite past its five minutes.

A test's time is the processor time its call costs (this process's threads and the child processes it waited
for), not the wall clock: on a two-core machine running four workers and a database server, a test's wall time
is as much the other tests' doing as its own, and a limit on it would fail at random.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

CPU_SECONDS = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("max_test_seconds", "processor seconds one test's call may take unless marked slow", default="20")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow(reason): may take longer than max_test_seconds; the reason says why")


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("slow")
    if marker is not None and not _reason(marker):
        pytest.fail("@pytest.mark.slow needs a reason: @pytest.mark.slow(reason=\"why this test needs the time\")",
                    pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    start = _cpu_seconds()
    try:
        return (yield)
    finally:
        item.stash[CPU_SECONDS] = _cpu_seconds() - start


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                                            pytest.TestReport]:
    report = yield
    if report.when != "call" or not report.passed:
        return report
    limit = float(item.config.getini("max_test_seconds"))
    seconds = item.stash.get(CPU_SECONDS, 0.0)
    marker = item.get_closest_marker("slow")
    if seconds > limit and not (marker is not None and _reason(marker)):
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} took {seconds:.1f} s of processor time, over the {limit:g} s one test may "
                           "take: make it cheaper, or mark it @pytest.mark.slow(reason=\"...\") saying why")
    return report


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _reason(marker: pytest.Mark) -> str:
    reason = marker.kwargs.get("reason", marker.args[0] if marker.args else "")
    return str(reason).strip()
