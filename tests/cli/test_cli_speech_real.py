"""The speech commands over the real engines (espeak, dtw, Piper's downloader)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner, Result

from avatar_service.core.audio import decode_wav
from avatar_service.entrypoints.cli import main

SENTENCE = "The quick brown fox jumps over the lazy dog."


@pytest.fixture(autouse=True)
def real_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_TTS", "espeak")
    monkeypatch.setenv("AVATAR_ALIGNER", "dtw")


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_speak_then_align_recovers_the_words(runner: CliRunner, tmp_path: Path) -> None:
    wav = tmp_path / "fox.wav"
    assert run(runner, "speak", SENTENCE, "-o", str(wav), "--rate", "1.2").exit_code == 0
    samples, rate = decode_wav(wav.read_bytes())
    flac = tmp_path / "fox.flac"
    soundfile.write(flac, samples, rate)
    result = run(runner, "align", str(flac), SENTENCE, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    words = body["words"]
    assert [w["word"] for w in words] == [w.strip(".") for w in SENTENCE.split()]
    assert all(SENTENCE[w["start_char"] : w["end_char"]] == w["word"] for w in words)
    assert 0 <= words[0]["start"] < words[-1]["end"] <= body["duration"]
    text = run(runner, "align", str(flac), SENTENCE).stdout
    assert "quick" in text and "WORD" in text


def test_align_rejects_an_unreadable_file_with_one_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    result = run(runner, "align", str(bad), "hello")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: not a readable audio file")
    assert len(result.stderr.strip().splitlines()) == 1


def test_align_rejects_a_transcript_that_cannot_match(runner: CliRunner, tmp_path: Path) -> None:
    clip = tmp_path / "short.wav"
    soundfile.write(clip, np.zeros(1600, np.float32), 16000)
    result = run(runner, "align", str(clip), "word " * 300)
    assert result.exit_code == 2
    assert "cannot be this audio's text" in result.stderr


def test_lipsync_json_has_arpabet_phonemes(runner: CliRunner) -> None:
    result = run(runner, "lipsync", "Hello world", "--json", "--alphabet", "arpabet")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["voice"] == "en-us"
    assert [p["phoneme"] for p in body["phonemes"]][:4] == ["HH", "AH0", "L", "OW1"]


JOINED = "The jar is on the kitchen shelf, in the morning."


def test_lipsync_json_has_every_word_even_those_espeak_joins(runner: CliRunner) -> None:
    """espeak speaks "on the" and "in the" as one unit each; both words still come back."""
    result = run(runner, "lipsync", JOINED, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    words = body["words"]
    assert [w["word"] for w in words] == [w.strip(",.") for w in JOINED.split()]
    assert all(JOINED[w["start_char"] : w["end_char"]] == w["word"] for w in words)
    assert all(w["end"] > w["start"] for w in words)
    assert all(p["end"] > p["start"] for p in body["phonemes"])
    indices = [p["word_index"] for p in body["phonemes"] if p["word_index"] is not None]
    assert indices == sorted(indices) and set(indices) == set(range(len(words)))


def test_phonemes_json_names_offsets_as_the_http_api_does(runner: CliRunner) -> None:
    result = run(runner, "phonemes", JOINED, "--json")
    assert result.exit_code == 0, result.output
    words = json.loads(result.stdout)["words"]
    assert len(words) == 10
    assert all(JOINED[w["start_char"] : w["end_char"]] == w["word"] for w in words)


def test_voices_lists_espeak_languages(runner: CliRunner) -> None:
    result = run(runner, "voices")
    assert result.exit_code == 0
    assert "en-us" in result.stdout and "German" in result.stdout


def test_voices_download_offline_is_one_clear_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    result = run(runner, "voices", "download", "en_US-lessac-medium", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot download Piper voice 'en_US-lessac-medium'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())
