"""Counts the generated requests of the fuzz run and reports them at the end."""

from __future__ import annotations

from collections import Counter

import pytest

_CASES: Counter[str] = Counter()


@pytest.fixture(scope="session")
def fuzz_cases() -> Counter[str]:
    """Requests sent, by operation label."""
    return _CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _CASES:
        terminalreporter.write_line(
            f"fuzz: {sum(_CASES.values())} generated requests over {len(_CASES)} operations"
        )
