"""`avatar lipsync --audio` and `avatar say --audio`: lip sync and video from a recording."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import soundfile
from click.testing import CliRunner
from support import require

from avatar_service.adapters.renderer.ffmpeg import locate_ffmpeg
from avatar_service.adapters.renderer.node_package import resolve
from avatar_service.contracts._media import sniff_format
from avatar_service.contracts.aligner import synthetic_speech
from avatar_service.core.errors import Unavailable
from avatar_service.core.usecases.framing import LEAD_IN, SETTLE
from avatar_service.entrypoints.cli import main

try:  # found now, from the directory pytest started in: the tests run in empty directories
    RENDERER_DIR: Path | None = resolve("node", None, None).node_modules.parent
    NO_RENDERER = ""
except Unavailable as exc:  # pragma: no cover - the tox env runs npm ci first
    RENDERER_DIR, NO_RENDERER = None, exc.message


@pytest.fixture
def take(tmp_path: Path) -> Path:
    path = tmp_path / "take.wav"
    soundfile.write(path, synthetic_speech(16000), 16000)
    return path


def test_lipsync_audio_json_gives_phonemes_and_visemes(runner: CliRunner, take: Path) -> None:
    result = runner.invoke(
        main, ["lipsync", "--audio", str(take), "--json", "--viseme-set", "rhubarb"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["voice"] == "recording"
    assert body["duration"] == 1.5
    assert body["words"] == []
    assert body["transcript"] is False
    assert [p["phoneme"] for p in body["phonemes"][:2]] == ["m", "ɑ"]
    first = body["visemes"][0]
    # rest until the first sound (a short closure may take a little of the rest before it)
    assert (first["viseme"], first["start"]) == ("X", 0.0)
    assert 0.0 < first["end"] <= body["phonemes"][0]["start"]


def test_lipsync_audio_with_a_transcript_gives_its_words(runner: CliRunner, take: Path) -> None:
    result = runner.invoke(
        main, ["lipsync", "--audio", str(take), "--text", "hello world", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["transcript"] is True  # the mock recogniser follows a hint where it heard something
    words = body["words"]
    assert [(w["word"], w["start_char"], w["end_char"]) for w in words] == [
        ("hello", 0, 5),
        ("world", 6, 11),
    ]


def test_lipsync_audio_with_word_times_gives_them_back_as_given(
    runner: CliRunner, take: Path, tmp_path: Path
) -> None:
    said = tmp_path / "words.json"
    hello, world = {"word": "hello", "start": 0.2, "end": 0.6}, {"word": "world", "start": 0.7}
    said.write_text(json.dumps([hello, {**world, "end": 1.2}]))
    result = runner.invoke(main, ["lipsync", "--audio", str(take), "--words", str(said), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["transcript"] is True
    assert [(w["word"], w["start"], w["end"]) for w in body["words"]] == [
        ("hello", 0.2, 0.6),
        ("world", 0.7, 1.2),
    ]
    assert all(0.2 - 1e-6 <= p["start"] <= 1.2 for p in body["phonemes"])


def test_lipsync_audio_summary(runner: CliRunner, take: Path) -> None:
    result = runner.invoke(main, ["lipsync", "--audio", str(take)])
    assert result.exit_code == 0, result.output
    assert "recording" in result.stdout and "1.500 s" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lipsync"], "give TEXT, or --audio"),
        (["lipsync", "Hello", "--audio", "{take}"], "give TEXT, or --audio"),
        (["lipsync", "Hello", "--text", "Hello"], "--text goes with --audio"),
        (["lipsync", "--audio", "{junk}"], "not a readable audio file"),
        (["lipsync", "Hello", "--words", "{junk}"], "--words goes with --audio"),
        (["lipsync", "--audio", "{take}", "--words", "{junk}"], "words: "),
        (["lipsync", "--audio", "{take}", "--words", "{late}"], "within the 1.500 s"),
        (["lipsync", "--audio", "{take}", "--words", "{late}", "--text", "a"], "not both"),
        (["say", "-o", "out.mp4"], "give TEXT, or --audio"),
    ],
)
def test_bad_recording_input_is_one_error_line_and_exit_2(
    runner: CliRunner, take: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all")
    late = tmp_path / "late.json"
    late.write_text(json.dumps([{"word": "late", "start": 1.0, "end": 2.0}]))
    argv = [a.format(take=take, junk=junk, late=late) for a in args]
    result = runner.invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_say_audio_makes_a_video_with_the_recordings_sound(
    runner: CliRunner, take: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(RENDERER_DIR is not None, f"node renderer not set up: {NO_RENDERER}")
    monkeypatch.setenv("AVATAR_RENDERER", "node")
    monkeypatch.setenv("AVATAR_NODE_RENDERER__WORKERS", "1")
    monkeypatch.setenv("AVATAR_NODE_RENDERER__DIR", str(RENDERER_DIR))
    out = tmp_path / "take.mp4"
    result = runner.invoke(
        main, ["say", "--audio", str(take), "-o", str(out), "--size", "64", "--fps", "10", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    # the recording's 1.5 s, with the video's rest before the speech and settle after it
    assert body["frames"] == round((LEAD_IN + 1.5 + SETTLE) * 10)
    assert body["voice"] == "recording"  # no synthetic voice spoke it
    assert sniff_format(out.read_bytes()[:16]) == "mp4"
    ffmpeg = locate_ffmpeg(None)
    assert ffmpeg is not None
    probe = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(out)], capture_output=True, text=True, check=False
    )
    assert "Audio:" in probe.stderr
