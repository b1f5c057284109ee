"""The ``avatar`` commands against the default (mock and in-memory) adapters."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import wave
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from support import MOCK

from avatar_service.entrypoints.cli import main

COMMANDS = ("serve", "plugins", "config", "doctor", "voices", "phonemes", "lipsync", "speak")


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def run_json(runner: CliRunner, *args: str) -> Any:
    result = run(runner, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = run(runner, "--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"  {command} " in result.stdout
    assert "--env-file" in result.stdout
    assert "--log-level" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner: CliRunner, command: str) -> None:
    result = run(runner, command, "--help")
    assert result.exit_code == 0
    assert f"Usage: main {command}" in result.stdout or f"Usage: avatar {command}" in result.stdout


def test_version_names_the_distribution_version(runner: CliRunner) -> None:
    from importlib.metadata import version

    result = run(runner, "--version")
    assert result.exit_code == 0
    assert version("avatar-service") in result.stdout


def test_installed_console_script_prints_help() -> None:
    script = shutil.which("avatar", path=sysconfig.get_path("scripts")) or shutil.which("avatar")
    assert script is not None, "the avatar console script is not installed"
    done = subprocess.run(
        [script, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: avatar" in done.stdout
    assert "doctor" in done.stdout


def test_module_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "avatar_service.entrypoints.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "speak" in done.stdout


# -- config ---------------------------------------------------------------------------------


def test_config_masks_the_database_password(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://avatar:s3cret@db.example:5432/avatar")
    result = run(runner, "config")
    assert result.exit_code == 0
    assert "s3cret" not in result.output
    assert "database_url = postgresql://avatar:***@db.example:5432/avatar" in result.stdout
    assert "server.port = 8000" in result.stdout  # nested keys are dotted

    data = run_json(runner, "config")
    assert data["database_url"] == "postgresql://avatar:***@db.example:5432/avatar"
    assert data["server"]["host"] == "127.0.0.1"


def test_env_file_and_log_level_options_apply(runner: CliRunner, tmp_path: Path) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text("AVATAR_SERVER__PORT=9123\nAVATAR_TTS=mock\n")
    data = run_json(runner, "--env-file", str(env_file), "--log-level", "DEBUG", "config")
    assert data["server"]["port"] == 9123
    assert data["log"]["level"] == "debug"


def test_environment_wins_over_the_env_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_SERVER__PORT", "9000")
    env_file = tmp_path / "custom.env"
    env_file.write_text("AVATAR_SERVER__PORT=9123\n")
    assert run_json(runner, "--env-file", str(env_file), "config")["server"]["port"] == 9000


# -- plugins, doctor ------------------------------------------------------------------------


def test_plugins_lists_the_builtin_plugin_and_its_adapters(runner: CliRunner) -> None:
    plugins = {p["name"]: p for p in run_json(runner, "plugins")["plugins"]}
    builtin = plugins["avatar_service.builtin"]
    assert MOCK in builtin["registered"]["tts"]
    assert "avatar_register_synthesizers" in builtin["hooks"]
    assert builtin["version"]

    text = run(runner, "plugins").stdout
    assert "avatar_service.builtin" in text
    assert "tts" in text


def test_doctor_reports_each_configured_adapter_ok(runner: CliRunner) -> None:
    report = run_json(runner, "doctor")
    assert report["ok"] is True
    assert {c["port"] for c in report["adapters"]} == {
        "tts",
        "aligner",
        "renderer",
        "store",
        "blobs",
        "jobs",
        "webhooks",
        "websocket",
        "recognizer",
    }
    assert all(c["ok"] for c in report["adapters"])
    tools = {t["name"]: t for t in report["tools"]}
    assert set(tools) == {"node", "ffmpeg"}
    assert not any(t["required"] for t in tools.values())  # the mock renderer runs no tool

    text = run(runner, "doctor")
    assert text.exit_code == 0
    assert "OK" in text.stdout
    assert "node" in text.stdout
    assert "ffmpeg" in text.stdout


# -- speech ---------------------------------------------------------------------------------


def test_voices_lists_the_synthesizer_voices(runner: CliRunner) -> None:
    voices = run_json(runner, "voices")["voices"]
    assert voices
    assert {"voice_id", "name", "language", "engine", "sample_rate"} <= set(voices[0])
    assert voices[0]["voice_id"] in run(runner, "voices").stdout


def test_speak_writes_a_readable_wav(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    result = run(runner, "speak", "Hello there", "-o", str(out), "--rate", "1.2")
    assert result.exit_code == 0, result.output
    with wave.open(str(out), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.getnframes() / wav.getframerate() > 0
    assert str(out) in result.stdout


def test_phonemes_in_arpabet_as_json(runner: CliRunner) -> None:
    data = run_json(runner, "phonemes", "think big", "--alphabet", "arpabet")
    assert data["alphabet"] == "arpabet"
    assert [w["word"] for w in data["words"]] == ["think", "big"]
    symbols = [p for w in data["words"] for p in w["phonemes"]]
    assert symbols
    assert all(s.rstrip("012").isalpha() and s.upper() == s for s in symbols)

    text = run(runner, "phonemes", "think big")
    assert text.exit_code == 0
    assert "think" in text.stdout


def test_lipsync_json_has_phonemes_and_visemes_covering_the_audio(runner: CliRunner) -> None:
    data = run_json(runner, "lipsync", "Hello there", "--viseme-set", "rhubarb")
    assert data["duration"] > 0
    assert data["phonemes"]
    assert {"phoneme", "start", "end"} <= set(data["phonemes"][0])
    assert data["viseme_set"] == "rhubarb"
    cues = data["visemes"]
    assert cues[0]["start"] == 0
    assert cues[-1]["end"] == pytest.approx(data["duration"])


def test_lipsync_prints_a_summary(runner: CliRunner) -> None:
    result = run(runner, "lipsync", "Hello there")
    assert result.exit_code == 0
    for label in ("duration", "phonemes", "visemes", "words"):
        assert label in result.stdout
