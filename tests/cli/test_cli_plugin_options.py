"""``avatar plugins`` and ``avatar config`` show adapters' typed options (type, default, current
value, secrets masked); a configured adapter's bad option is one ``error:`` line and exit 2, as
a bad built-in setting is, and an unused adapter's is only reported."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pluggy
import pytest
from click.testing import CliRunner, Result
from pydantic import BaseModel, Field, SecretStr

from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.entrypoints import cli
from avatar_service.plugins import Register, hookimpl

KEY = "chime-key-31337"
TOKEN = "chime-token-4242"


class ChimeOptions(BaseModel):
    volume: float = Field(0.5, ge=0, le=1)
    key: SecretStr = SecretStr("")  # masked for its type, whatever its name
    api_token: str = ""  # masked for its name
    endpoint: str = "https://chime.example/v1"


class CloudOptions(BaseModel):
    account: str  # required: only a problem while the adapter is not configured


def _chime(options: ChimeOptions) -> MockSynthesizer:
    return MockSynthesizer()


def _cloud(options: CloudOptions) -> MockSynthesizer:
    return MockSynthesizer()


@hookimpl
def avatar_register_synthesizers(register: Register) -> None:
    register("chime", _chime, options=ChimeOptions)
    register("cloud", _cloud, options=CloudOptions)


@pytest.fixture(autouse=True)
def chime_plugin_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module above stands in for the installed plugins (none of the real ones load)."""

    def load(pm: pluggy.PluginManager, group: str, name: str | None = None) -> int:
        pm.register(sys.modules[__name__], name="chime-plugin")
        return 1

    monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints", load)


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli.main, list(args), catch_exceptions=False)


def one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def chime_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_TTS", "chime")
    monkeypatch.setenv("AVATAR_OPTIONS__CHIME__VOLUME", "0.25")
    monkeypatch.setenv("AVATAR_OPTIONS__CHIME__KEY", KEY)
    monkeypatch.setenv("AVATAR_OPTIONS__CHIME__API_TOKEN", TOKEN)
    monkeypatch.setenv("AVATAR_OPTIONS__CHIME__ENDPOINT", f"https://me:{KEY}@chime.example/v1")


@pytest.mark.usefixtures("chime_configured")
def test_config_json_shows_typed_options_with_secrets_masked(runner: CliRunner) -> None:
    result = run(runner, "config", "--json")
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and TOKEN not in result.output
    assert json.loads(result.stdout)["options"]["chime"] == {
        "volume": 0.25,
        "key": "**********",
        "api_token": "**********",
        "endpoint": "https://me:***@chime.example/v1",
    }


@pytest.mark.usefixtures("chime_configured")
def test_config_text_follows_each_option_with_its_type_and_default(runner: CliRunner) -> None:
    result = run(runner, "config")
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and TOKEN not in result.output
    lines = result.stdout.splitlines()
    assert "options.chime.volume = 0.25  # float, default 0.5" in lines
    assert 'options.chime.key = **********  # SecretStr, default ""' in lines
    assert "options.cloud.account = null  # str, required; invalid: Field required" in lines


@pytest.mark.usefixtures("chime_configured")
def test_plugins_json_lists_each_option(runner: CliRunner) -> None:
    result = run(runner, "plugins", "--json")
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and TOKEN not in result.output
    plugin = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}["chime-plugin"]
    options = {(o["adapter"], o["name"]): o for o in plugin["options"]}
    assert options["chime", "volume"] == {
        "port": "tts",
        "adapter": "chime",
        "plugin": "chime-plugin",
        "name": "volume",
        "env": "AVATAR_OPTIONS__CHIME__VOLUME",
        "type": "float",
        "required": False,
        "default": 0.5,
        "value": 0.25,
        "problem": None,
    }
    assert options["chime", "key"]["value"] == "**********"
    assert options["cloud", "account"]["required"] is True
    assert options["cloud", "account"]["problem"] == "Field required"


@pytest.mark.usefixtures("chime_configured")
def test_plugins_text_has_a_table_of_options_per_adapter(runner: CliRunner) -> None:
    result = run(runner, "plugins")
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and TOKEN not in result.output
    text = result.stdout
    assert "tts chime options (AVATAR_OPTIONS__CHIME__*)" in text
    assert [line.split() for line in text.splitlines() if line.strip().startswith("volume")] == [
        ["volume", "float", "0.5", "0.25"]
    ]


@pytest.mark.parametrize("command", [("config",), ("plugins",), ("voices",), ("doctor",)])
def test_a_configured_adapters_bad_option_is_one_named_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("AVATAR_TTS", "chime")
    monkeypatch.setenv("AVATAR_OPTIONS__CHIME__VOLUME", "11")
    line = one_error_line(run(runner, *command))
    assert line == (
        "error: invalid settings: options.chime.volume: Input should be less than or equal to 1"
    )


def test_a_bad_option_reads_like_a_bad_built_in_setting(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_SERVER__PORT", "many")
    built_in = one_error_line(run(runner, "config"))
    monkeypatch.delenv("AVATAR_SERVER__PORT")
    monkeypatch.setenv("AVATAR_TTS", "chime")
    monkeypatch.setenv("AVATAR_OPTIONS__CHIME__VOLUME", "many")
    plugin = one_error_line(run(runner, "config"))
    assert built_in.split(": ")[:2] == ["error", "invalid settings"] == plugin.split(": ")[:2]
    assert built_in.endswith(
        "server.port: Input should be a valid integer, unable to parse string as an integer"
    )
    assert plugin.endswith(
        "options.chime.volume: Input should be a valid number, unable to parse string as a number"
    )


def test_an_unused_adapters_bad_option_does_not_stop_the_cli(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_OPTIONS__CHIME__VOLUME", "11")  # AVATAR_TTS is mock
    result = run(runner, "config")
    assert result.exit_code == 0, result.output
    assert "options.chime.volume = null  # float, default 0.5; invalid: Input should be less " in (
        result.stdout
    )
    assert run(runner, "voices").exit_code == 0


def test_a_plugin_without_options_keeps_its_raw_options_in_config(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_OPTIONS__UNTYPED__LEVEL", "3")
    data: dict[str, Any] = json.loads(run(runner, "config", "--json").stdout)
    assert data["options"]["untyped"] == {"level": "3"}


def test_options_are_read_from_the_dot_env_file_too(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("AVATAR_TTS=chime\nAVATAR_OPTIONS__CHIME__VOLUME=0.75\n")
    monkeypatch.delenv("AVATAR_TTS")  # the CLI tests set mock adapters in the environment
    data: dict[str, Any] = json.loads(run(runner, "config", "--json").stdout)
    assert (data["tts"], data["options"]["chime"]["volume"]) == ("chime", 0.75)
    (tmp_path / ".env").write_text("AVATAR_TTS=chime\nAVATAR_OPTIONS__CHIME__VOLUME=loud\n")
    assert "options.chime.volume: Input should be a valid number" in one_error_line(
        run(runner, "config")
    )
