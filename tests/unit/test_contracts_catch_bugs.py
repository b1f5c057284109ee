"""Each contract suite fails a deliberately broken adapter, naming the test that caught it.

Every case writes a small test module (a broken subclass of one of our mock adapters plus a
subclass of the port's contract) into a scratch directory and runs pytest on it in-process.
"""

from __future__ import annotations

import textwrap

import pytest
from broken_adapters import (
    ADAPTER_IMPORTS,
    ALIGNER_CASES,
    CONTROLS,
    MODULE_TEMPLATE,
    RECOGNIZER_CASES,
    RENDERER_CASES,
    SYNTHESIZER_CASES,
    Case,
)
from broken_stores import BLOB_CASES, STORE_CASES

pytest_plugins = ["pytester"]


# Inner runs skip the cache and the plugins the generated modules do not use (hypothesis's
# start-up alone costs half a second per run).
_ARGS = ("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:hypothesispytest", "-q")


def _module(suite: str, source: str) -> str:
    return MODULE_TEMPLATE.format(
        suite=suite, adapter_import=ADAPTER_IMPORTS[suite], source=textwrap.dedent(source)
    )


ALL_CASES = (
    SYNTHESIZER_CASES + ALIGNER_CASES + RENDERER_CASES + RECOGNIZER_CASES + STORE_CASES + BLOB_CASES
)


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.name for case in ALL_CASES])
def test_contract_suite_fails_a_broken_adapter(pytester: pytest.Pytester, case: Case) -> None:
    pytester.makepyfile(test_broken=_module(case.suite, case.source))
    result = pytester.runpytest_inprocess(*_ARGS, "-rf")
    assert result.ret != 0
    assert result.parseoutcomes().get("failed", 0) >= 1
    result.stdout.fnmatch_lines([f"FAILED *::TestBroken::{case.expected_failure}*"])


@pytest.mark.parametrize(("suite", "construct"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_contract_suite_passes_the_real_mock_adapter(
    pytester: pytest.Pytester, suite: str, construct: str
) -> None:
    source = f"def Broken():\n    return {construct}\n"  # the unbroken adapter
    pytester.makepyfile(test_control=_module(suite, source))
    result = pytester.runpytest_inprocess(*_ARGS)
    assert result.ret == 0, result.stdout.str()
    assert result.parseoutcomes().get("passed", 0) > 0
