"""One error contract for every command: a bad argument is one ``error: ...`` line on stderr
that names the fix, exit code 2; a run-time failure is one line with exit code 1. The command
tree is walked, so a new command is checked without being listed here."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import click
import pytest
import uvicorn
from click.testing import CliRunner, Result

from avatar_service.entrypoints import cli


def commands(
    group: click.Group = cli.main, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """The path of every command and group under ``group``."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli.main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def typed_options() -> Iterator[tuple[tuple[str, ...], str]]:
    """(command path, option) for every option whose value has a type that can be wrong."""
    checked = (
        click.IntRange,
        click.FloatRange,
        click.Choice,
        click.types.IntParamType,
        click.types.FloatParamType,
    )
    for path in commands():
        for param in command_at(path).params:
            if isinstance(param, click.Option) and isinstance(param.type, checked):
                yield path, max(param.opts, key=len)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def assert_contract(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.output and "Usage:" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_the_tree_walk_finds_the_commands() -> None:
    found = set(commands())
    assert {("serve",), ("speak",), ("db", "upgrade"), ("keys", "create"), ("say",)} <= found


@pytest.mark.parametrize("path", list(commands()), ids=" ".join)
def test_every_command_refuses_an_unknown_option_in_one_line(path: tuple[str, ...]) -> None:
    result = run(*path, "--no-such-option")
    assert_contract(result, 2, "--no-such-option", f"avatar {' '.join(path)} --help")


@pytest.mark.parametrize(("path", "option"), list(typed_options()), ids=str)
def test_every_typed_option_refuses_a_bad_value_in_one_line(
    path: tuple[str, ...], option: str
) -> None:
    result = run(*path, option, "not-a-value")
    assert_contract(result, 2, "--help")


def test_an_unknown_command_is_one_line_naming_help() -> None:
    assert_contract(run("speek", "hi"), 2, "speek", "avatar --help")


def test_a_missing_argument_is_one_line() -> None:
    assert_contract(run("speak"), 2, "TEXT", "avatar speak --help")


def test_speak_into_a_missing_folder_exits_2_naming_the_fix() -> None:
    result = run("speak", "hi", "-o", "/nonexistent/x.wav")
    assert_contract(result, 2, "/nonexistent", "create it or write elsewhere")


def test_serve_on_a_busy_port_is_one_line_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert_contract(result, 1, f"port {port}", "in use", "--port")
    assert started == []


def test_a_server_that_fails_to_start_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise SystemExit(3)  # what uvicorn.run does when its start-up fails

    monkeypatch.setattr(uvicorn, "run", fail)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("serve", "--port", str(port))
    # start-up logged before uvicorn failed (it logs its own reason too); the verdict is one line
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: the server could not start")


def test_a_failed_write_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    def full(self: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    assert_contract(run("speak", "hi", "-o", "out.wav"), 1, "out.wav", "No space left")
