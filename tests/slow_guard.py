"""No test may take longer than `max_test_seconds` (20 s) of wall time, unless it is marked
`@pytest.mark.slow(reason="...")` saying why it needs the time: a test that quietly grows slow is what pushes the
suite past its five minutes."""

from __future__ import annotations

from collections.abc import Generator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("max_test_seconds", "wall seconds one test's call may take unless marked slow", default="20")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow(reason): may take longer than max_test_seconds; the reason says why")


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("slow")
    if marker is not None and not _reason(marker):
        pytest.fail("@pytest.mark.slow needs a reason: @pytest.mark.slow(reason=\"why this test needs the time\")",
                    pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.passed:
        return
    limit = float(item.config.getini("max_test_seconds"))
    marker = item.get_closest_marker("slow")
    if report.duration <= limit or (marker is not None and _reason(marker)):
        return
    report.outcome = "failed"
    report.longrepr = (f"{item.nodeid} took {report.duration:.1f} s, over the {limit:g} s one test may take: make it "
                       "cheaper, or mark it @pytest.mark.slow(reason=\"...\") saying why it needs the time")


def _reason(marker: pytest.Mark) -> str:
    reason = marker.kwargs.get("reason", marker.args[0] if marker.args else "")
    return str(reason).strip()
