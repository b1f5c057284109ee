"""Errors end as one ``error: ...`` line on stderr with exit 2 (input, configuration) or 1 (a
dependency failed), never a traceback; ``serve`` validates before it starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import pytest
import uvicorn
from click.testing import CliRunner, Result
from support import MOCK

from avatar_service.core.errors import TimedOut, Unavailable
from avatar_service.core.usecases.speech import SpeechUseCases
from avatar_service.entrypoints import cli
from avatar_service.entrypoints.bootstrap import CheckResult, Container
from avatar_service.entrypoints.cli import tools as cli_tools
from avatar_service.entrypoints.cli.tools import ToolReport


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli.main, list(args), catch_exceptions=False)


def assert_one_error_line(result: Result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_unknown_adapter_exits_2_listing_the_available_ones(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_TTS", "nope")
    result = run(runner, "voices")
    assert_one_error_line(result, 2, "'nope'", "AVATAR_TTS", "available: ", MOCK)
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("phonemes", "   "),
        ("lipsync", ""),
        ("speak", "", "-o", "out.wav"),
    ],
)
def test_empty_text_exits_2(runner: CliRunner, args: tuple[str, ...]) -> None:
    assert_one_error_line(run(runner, *args), 2, "text")
    assert not Path("out.wav").exists()


def test_out_of_range_option_exits_2(runner: CliRunner) -> None:
    assert_one_error_line(run(runner, "speak", "hi", "-o", "out.wav", "--rate", "9"), 2, "rate")


def test_unknown_voice_exits_2(runner: CliRunner) -> None:
    assert_one_error_line(run(runner, "phonemes", "hi", "--voice", "no-such-voice"), 2)


def test_unknown_voice_names_the_closest_not_all_141(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_TTS", "espeak")
    line = assert_one_error_line(
        run(runner, "speak", "hi", "-o", "x.wav", "--voice", "en-uss"),
        2,
        "closest: en-us",
        "`avatar voices`",
    )
    assert len(line) < 250


def test_invalid_setting_exits_2_naming_it(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_SERVER__PORT", "not-a-port")
    assert_one_error_line(run(runner, "config"), 2, "invalid settings", "server.port")


@pytest.mark.parametrize("error", [Unavailable("the engine is down"), TimedOut("too slow")])
def test_runtime_failure_exits_1(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def fail(self: SpeechUseCases) -> NoReturn:
        raise error

    monkeypatch.setattr(SpeechUseCases, "voices", fail)
    assert_one_error_line(run(runner, "voices"), 1, str(error))


def test_an_output_in_a_missing_folder_exits_2_before_any_work(runner: CliRunner) -> None:
    result = run(runner, "speak", "hi", "-o", "missing-dir/out.wav")
    assert_one_error_line(result, 2, "missing-dir", "does not exist", "--output")


# -- doctor exit codes ----------------------------------------------------------------------


def test_doctor_exits_1_when_an_adapter_fails(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def check(self: Container) -> list[CheckResult]:
        return [CheckResult("store", "memory", False, "database unreachable")]

    monkeypatch.setattr(Container, "check", check)
    result = run(runner, "doctor")
    assert result.exit_code == 1
    assert "FAIL" in result.stdout
    assert "database unreachable" in result.stdout


def test_doctor_exits_1_only_for_a_missing_tool_an_adapter_needs(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def tools(required: bool) -> Any:
        return lambda settings: [ToolReport("ffmpeg", False, required, None, "not found", "fix it")]

    monkeypatch.setattr(cli_tools, "check_tools", tools(required=False))
    optional = run(runner, "doctor")
    assert optional.exit_code == 0
    assert "MISSING" in optional.stdout
    assert "warning only" in optional.stdout
    assert "fix: fix it" in optional.stdout

    monkeypatch.setattr(cli_tools, "check_tools", tools(required=True))
    required = run(runner, "doctor", "--json")
    assert required.exit_code == 1
    assert '"ok": false' in required.stdout


# -- serve ----------------------------------------------------------------------------------


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_serve_with_an_unknown_adapter_exits_2_without_starting(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, uvicorn_calls: list[Any]
) -> None:
    monkeypatch.setenv("AVATAR_RENDERER", "nope")
    assert_one_error_line(run(runner, "serve"), 2, "renderer", "'nope'", MOCK)
    assert uvicorn_calls == []


def test_serve_runs_the_app_factory_with_the_settings(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, uvicorn_calls: list[Any]
) -> None:
    monkeypatch.setenv("AVATAR_SERVER__PORT", "9001")
    assert run(runner, "serve").exit_code == 0
    [(args, kwargs)] = uvicorn_calls
    assert args == ("avatar_service.entrypoints.http.app:app_from_environment",)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["workers"]) == ("127.0.0.1", 9001, 1)
    assert kwargs["reload"] is False


def test_serve_options_override_the_settings(
    runner: CliRunner, uvicorn_calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_API_KEYS", "a-configured-key-0123456789")  # 0.0.0.0 needs one
    args = ("serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "3")
    assert run(runner, *args).exit_code == 0
    kwargs = uvicorn_calls[0][1]
    assert (kwargs["host"], kwargs["port"], kwargs["workers"]) == ("0.0.0.0", 8080, 3)


def test_doctor_fails_without_a_websocket_library(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn.protocols.websockets.auto as auto

    monkeypatch.setattr(auto, "AutoWebSocketsProtocol", None)
    monkeypatch.setattr(cli_tools, "check_tools", lambda settings: [])
    result = run(runner, "doctor")
    assert result.exit_code == 1
    assert "websocket" in result.stdout
    assert "pip install websockets" in result.stdout
