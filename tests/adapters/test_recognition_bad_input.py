"""Lip sync from audio alone on each real recogniser, fed what users send besides clean speech:
silence, noise, a rumble, music, a hum, clipped and telephone-rate speech, too long a file, as
recordings and as live streams. Each gives a clear error or a valid timeline, and the mouth
never sticks open."""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile
from support import IN_MEMORY, MOCK_SPEECH

from avatar_service.core.errors import TooLarge
from avatar_service.core.phonemes import base_symbol
from avatar_service.core.speech import FloatArray, Speech, VisemeCue
from avatar_service.core.usecases.listening import LiveCue
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


def _melody() -> FloatArray:
    return np.concatenate([_tones([f], 0.5) for f in (220, 277, 330, 440, 392, 330, 294, 262)])


def _live_cues(container: Container, samples: FloatArray, rate: int = RATE) -> list[LiveCue]:
    """The cues a client of a live stream holds at its end, the audio sent in 20 ms chunks.
    Neither they nor what the client showed as the audio came (its newest cue that has begun)
    hold one shape other than rest for longer than ``STUCK_SECONDS``."""
    session = container.recognition.listen(rate, "rhubarb")
    held: list[LiveCue] = []
    step = rate // 50
    shown, shown_for, shown_longest = None, 0.0, 0.0
    for start in range(0, len(samples), step):
        for cue in session.feed(samples[start : start + step].astype(np.float32)).cues:
            held = [c for c in held if c.start < cue.start] + [cue]
        now = session.heard
        newest = next((c for c in reversed(held) if c.start <= now), None)
        now_shown = (newest.viseme, newest.start) if newest and newest.viseme != "X" else None
        shown_for = shown_for + step / rate if now_shown and now_shown == shown else 0.0
        shown, shown_longest = now_shown, max(shown_longest, shown_for)
    session.close()
    assert shown_longest <= STUCK_SECONDS, "the mouth was shown stuck while the audio came"
    duration = len(samples) / rate
    ends = [c.start for c in held[1:]] + [duration]
    held_longest = max(
        (e - c.start for c, e in zip(held, ends, strict=True) if c.viseme != "X"), default=0.0
    )
    assert held_longest <= STUCK_SECONDS
    return held


NOT_SPEECH = pytest.mark.parametrize(
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


@NOT_SPEECH
def test_sound_that_is_not_speech_is_an_all_rest_timeline(
    container: Container, samples: FloatArray
) -> None:
    assert [c.viseme for c in _cues(container, samples)] == ["X"]


@NOT_SPEECH
def test_sound_that_is_not_speech_rests_the_mouth_of_a_live_stream(
    container: Container, samples: FloatArray
) -> None:
    assert {c.viseme for c in _live_cues(container, samples)} <= {"X"}


def test_music_never_sticks_the_mouth(container: Container) -> None:
    _cues(container, _melody())


def test_music_never_sticks_the_mouth_of_a_live_stream(container: Container) -> None:
    _live_cues(container, _melody())


def _saw(frequency: float, seconds: float) -> FloatArray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.3 * (2 * ((t * frequency) % 1) - 1)  # type: ignore[no-any-return]


HELD_NOTES = pytest.mark.parametrize(
    "note",
    [
        np.concatenate([np.zeros(RATE // 2), _tones([330], 2.0), np.zeros(RATE // 2)]),
        np.concatenate([np.zeros(RATE // 2), _saw(220, 2.0), np.zeros(RATE // 2)]),
    ],
    ids=["harmonics-330-hz", "sawtooth-220-hz"],
)


@HELD_NOTES
def test_a_note_held_for_seconds_never_sticks_the_mouth(
    container: Container, note: FloatArray
) -> None:
    """The phone model hears a held note as one long vowel: over ``AVATAR_LIMITS__MAX_PHONE_
    SECONDS`` it is taken for no speech."""
    _cues(container, note)


@HELD_NOTES
def test_a_note_held_for_seconds_never_sticks_the_mouth_of_a_live_stream(
    container: Container, note: FloatArray
) -> None:
    _live_cues(container, note)


@pytest.mark.parametrize(("text", "length_scale"), [("Oh.", 10.0), ("Me.", 8.0)])
def test_with_a_higher_phone_limit_a_drawn_out_vowel_keeps_the_mouth_open(
    container: Container, text: str, length_scale: float
) -> None:
    """Singing: with ``max_phone_seconds`` raised to 3 s, a vowel the voice draws out over
    more than a second shows a shape other than rest for most of its length."""
    recognizer = container.settings.recognizer
    singing = Settings(
        **MOCK_SPEECH,
        **IN_MEMORY,
        recognizer=recognizer,
        limits={"max_phone_seconds": 3.0},
        _env_file=None,
    )
    sung = bootstrap(singing, plugin_manager=make_plugin_manager(load_entrypoints=False))
    speech = joe_speech(text, length_scale)
    request = RecordingRequest(speech.samples, speech.sample_rate, viseme_sets=("rhubarb",))
    cues = sung.recognition.timed_recording(request).visemes["rhubarb"]
    vowel = max(speech.phonemes or (), key=lambda p: p.end - p.start)
    assert vowel.end - vowel.start > 1.0
    times = np.arange(vowel.start, vowel.end, 0.01)
    shown = [any(c.start <= t < c.end and c.viseme != "X" for c in cues) for t in times]
    assert np.mean(shown) >= 0.8


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


def test_speech_in_a_live_stream_still_moves_the_mouth(
    container: Container, speech: Speech
) -> None:
    room = 0.002 * np.random.default_rng(8).standard_normal(speech.sample_rate // 2)
    held = _live_cues(container, np.concatenate([room, speech.samples]), speech.sample_rate)
    shifted = [
        VisemeCue(c.viseme, c.start - 0.5, end - 0.5)
        for c, end in zip(held, [c.start for c in held[1:]] + [0.5 + speech.duration], strict=True)
    ]
    assert sum(c.viseme != "X" for c in held) >= 10
    assert _closed_at_bilabials(speech, tuple(shifted)) >= 0.6


HUMAN = Path(__file__).parents[1] / "fixtures" / "human" / "austen-0870.wav"
HUMAN_SPEECH = (0.2, 6.8)
"""Where the human sentence's speech lies (seconds); no pause inside it lasts over 50 ms."""


def _longest_rest_inside(cues: list[VisemeCue], span: tuple[float, float]) -> float:
    rests = [
        min(c.end, span[1]) - max(c.start, span[0])
        for c in cues
        if c.viseme == "X" and c.end > span[0] and c.start < span[1]
    ]
    return max(rests, default=0.0)


@pytest.fixture(scope="module")
def human() -> FloatArray:
    samples, rate = soundfile.read(HUMAN, dtype="float32")
    assert rate == RATE
    return samples  # type: ignore[no-any-return]


def test_a_human_voice_never_rests_the_mouth_mid_sentence(
    container: Container, human: FloatArray
) -> None:
    cues = list(_cues(container, human))
    assert _longest_rest_inside(cues, HUMAN_SPEECH) <= 0.5
    assert sum(c.viseme != "X" for c in cues) >= 30


def test_a_human_voice_never_rests_the_mouth_of_a_live_stream_mid_sentence(
    container: Container, human: FloatArray
) -> None:
    held = _live_cues(container, human)
    ends = [c.start for c in held[1:]] + [len(human) / RATE]
    cues = [VisemeCue(c.viseme, c.start, end) for c, end in zip(held, ends, strict=True)]
    assert _longest_rest_inside(cues, HUMAN_SPEECH) <= 0.5
    assert sum(c.viseme != "X" for c in cues) >= 30


def test_a_recording_over_the_length_limit_is_too_large(container: Container) -> None:
    with pytest.raises(TooLarge) as caught:
        _cues(container, np.zeros(21 * RATE))
    assert caught.value.field == "audio"
