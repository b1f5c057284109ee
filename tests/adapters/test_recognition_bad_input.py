"""Lip sync from audio alone on each real recogniser, fed what users send besides clean speech:
silence, noise, a rumble, music, a hum, clipped and telephone-rate speech, too long a file.
Each gives a clear error or a valid timeline, and the mouth never sticks open."""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from support import IN_MEMORY, MOCK_SPEECH

from avatar_service.core.errors import TooLarge
from avatar_service.core.phonemes import base_symbol
from avatar_service.core.speech import FloatArray, Speech, VisemeCue
from avatar_service.core.usecases.recognition import RecordingRequest
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

sys.path.insert(0, str(Path(__file__).parent))
from joe_speech import joe_speech

RATE = 16000
STUCK_SECONDS = 1.0
"""A mouth shape other than rest held longer than this, on audio with no long vowel, is stuck."""


@pytest.fixture(scope="module", params=["phonenet", "pocketsphinx"])
def container(request: pytest.FixtureRequest) -> Container:
    settings = Settings(
        **MOCK_SPEECH,
        **IN_MEMORY,
        recognizer=request.param,
        limits={"max_recording_seconds": 20.0},
        _env_file=None,
    )
    return bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))


@pytest.fixture(scope="module")
def speech() -> Speech:
    return joe_speech("Bob bought a map of Memphis, maybe by the pub.")


def _cues(container: Container, samples: FloatArray, rate: int = RATE) -> tuple[VisemeCue, ...]:
    request = RecordingRequest(samples.astype(np.float32), rate, viseme_sets=("rhubarb",))
    cues = container.recognition.timed_recording(request).visemes["rhubarb"]
    assert cues[0].start == 0.0 and cues[-1].end == pytest.approx(len(samples) / rate)
    assert all(a.end == b.start for a, b in pairwise(cues))
    assert max((c.end - c.start for c in cues if c.viseme != "X"), default=0.0) <= STUCK_SECONDS
    return cues


def _closed_at_bilabials(speech: Speech, cues: tuple[VisemeCue, ...]) -> float:
    assert speech.phonemes is not None
    onsets = [p.start for p in speech.phonemes if base_symbol(p.symbol) in ("p", "b", "m")]
    closed = [
        any(c.viseme in "AX" and c.start < t + 0.04 and c.end > t - 0.04 for c in cues)
        for t in onsets
    ]
    return sum(closed) / len(closed)


def _rumble(seconds: float) -> FloatArray:
    """Brown noise (traffic, wind, a fan): its loudness wanders as speech's does, but below
    the speech band."""
    steps = np.random.default_rng(4).standard_normal(int(seconds * RATE))
    walk = np.cumsum(steps)
    walk -= np.convolve(walk, np.ones(800) / 800, mode="same")  # no drift below 20 Hz
    return 0.2 * walk / np.std(walk)  # type: ignore[no-any-return]


def _tones(freqs: list[float], seconds: float) -> FloatArray:
    t = np.arange(int(seconds * RATE)) / RATE
    return sum((0.25 / h) * np.sin(2 * np.pi * f * h * t) for f in freqs for h in (1, 2, 3, 4))  # type: ignore[return-value]


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(2 * RATE),
        0.001 * np.random.default_rng(1).standard_normal(3 * RATE),
        0.3 * np.random.default_rng(2).standard_normal(3 * RATE),
        0.5 * np.sin(2 * np.pi * 120 * np.arange(3 * RATE) / RATE),
        _rumble(4.0),
    ],
    ids=["digital-silence", "quiet-room", "loud-noise-only", "mains-hum", "rumble"],
)
def test_sound_that_is_not_speech_is_an_all_rest_timeline(
    container: Container, samples: FloatArray
) -> None:
    assert [c.viseme for c in _cues(container, samples)] == ["X"]


def test_music_never_sticks_the_mouth(container: Container) -> None:
    melody = np.concatenate([_tones([f], 0.5) for f in (220, 277, 330, 440, 392, 330, 294, 262)])
    _cues(container, melody)


def test_clipped_speech_still_closes_the_lips_at_bilabials(
    container: Container, speech: Speech
) -> None:
    clipped = np.clip(speech.samples * 8.0, -1.0, 1.0)
    cues = _cues(container, clipped, speech.sample_rate)
    assert _closed_at_bilabials(speech, cues) >= 0.7


def test_telephone_rate_speech_still_closes_the_lips_at_bilabials(
    container: Container, speech: Speech
) -> None:
    ratio = speech.sample_rate / 8000
    positions = np.arange(int(len(speech.samples) / ratio)) * ratio
    narrow = np.interp(positions, np.arange(len(speech.samples)), speech.samples)
    cues = _cues(container, narrow, 8000)
    assert _closed_at_bilabials(speech, cues) >= 0.6


def test_speech_in_noise_still_moves_the_mouth(container: Container, speech: Speech) -> None:
    rng = np.random.default_rng(3)
    level = float(np.sqrt(np.mean(np.square(speech.samples)))) / 3.0  # about 10 dB SNR
    noisy = speech.samples + level * rng.standard_normal(len(speech.samples))
    cues = _cues(container, noisy, speech.sample_rate)
    assert sum(c.viseme != "X" for c in cues) >= 10
    assert _closed_at_bilabials(speech, cues) >= 0.6


def test_a_recording_over_the_length_limit_is_too_large(container: Container) -> None:
    with pytest.raises(TooLarge) as caught:
        _cues(container, np.zeros(21 * RATE))
    assert caught.value.field == "audio"
