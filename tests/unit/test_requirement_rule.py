"""The suite's rule for a missing requirement: skipped with the reason, failed under CI=true."""

from __future__ import annotations

import pytest
from support import MOCK_ADAPTERS, as_env, require


def test_a_missing_requirement_skips_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="no widget here"):
        require(False, "no widget here")


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_under_ci_a_missing_requirement_fails(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="no widget here"):
        require(None, "no widget here")


def test_a_met_requirement_lets_the_test_go_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require("/usr/bin/widget", "no widget here")


def test_the_mock_adapters_as_settings_variables() -> None:
    env = as_env(MOCK_ADAPTERS)
    assert env["AVATAR_TTS"] == "mock"
    assert env["AVATAR_STORE"] == "memory"
    assert set(env) == {f"AVATAR_{port.upper()}" for port in MOCK_ADAPTERS}
