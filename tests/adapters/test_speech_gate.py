"""The recognisers' energy gate: band loudness per 10 ms frame against the recording's floor,
and against the floor heard so far in a live stream."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_service.adapters.recognizer import speech_gate
from avatar_service.adapters.recognizer.speech_gate import (
    BROADBAND_GATE,
    RATE,
    SPEECH_BAND_GATE,
    LiveSpeechFrames,
    SpeechGate,
    band_power,
)
from avatar_service.core.speech import FloatArray


def _tone(hz: float, seconds: float, amplitude: float = 0.5) -> FloatArray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t + 0.3)).astype(np.float32)


def _speech_like(quiet_gap: float) -> FloatArray:
    """Two 150 ms "vowels" (a 500 Hz tone, RMS 0.35) with a ``quiet_gap`` long consonant (white
    noise, 20 dB below them) between them, over steady white noise 23 dB below the vowels: in
    the band the consonant is 3 dB over the noise, under the floor's 6 dB."""
    rng = np.random.default_rng(5)
    vowel = _tone(500, 0.15)
    consonant = 0.035 * rng.standard_normal(int(quiet_gap * RATE)).astype(np.float32)
    pause = np.zeros(int(0.5 * RATE), np.float32)
    signal = np.concatenate([pause, vowel, consonant, vowel, pause])
    return signal + 0.025 * rng.standard_normal(len(signal)).astype(np.float32)


@pytest.mark.parametrize("length", [0, 1, 159, 160, 161, 479, 480, 481, 16000, 16001])
def test_one_frame_per_10_ms_begun(length: int) -> None:
    samples = np.random.default_rng(0).standard_normal(length).astype(np.float32)
    assert len(band_power(samples, (300.0, 3400.0))) == -(-length // 160)
    assert len(SPEECH_BAND_GATE.speech_frames(samples)) == -(-length // 160)


def test_white_noise_reads_its_variance_times_the_bands_share() -> None:
    noise = np.random.default_rng(1).standard_normal(2 * RATE).astype(np.float32)
    assert float(np.mean(band_power(noise, (0.0, RATE / 2)))) == pytest.approx(1.0, rel=0.05)
    share = (3400.0 - 300.0) / (RATE / 2)
    assert float(np.mean(band_power(noise, (300.0, 3400.0)))) == pytest.approx(share, rel=0.05)


def test_long_recordings_read_the_same_across_fft_batches() -> None:
    batch = speech_gate._BLOCK
    samples = np.random.default_rng(2).standard_normal((batch + 900) * 160).astype(np.float32)
    whole = band_power(samples, (300.0, 3400.0))
    for frame in (batch - 1, batch, batch + 1):  # either side of the first batch's end
        start = frame * 160 - 80
        alone = band_power(samples[start - 80 : start + 400], (300.0, 3400.0))
        assert whole[frame] == pytest.approx(alone[1], rel=1e-4)


@pytest.mark.parametrize("hz", [50.0, 60.0, 100.0, 120.0])
def test_a_mains_hum_is_below_the_speech_band(hz: float) -> None:
    assert not SPEECH_BAND_GATE.speech_frames(_tone(hz, 2.0)).any()


def test_a_tone_starting_at_the_first_sample_adds_no_click_at_either_end() -> None:
    power = band_power(_tone(120.0, 1.0), (300.0, 3400.0))
    assert power[0] == power[1] and power[-1] == power[-2]
    assert float(power.max()) < 2 * float(np.median(power))


def test_a_rumble_wandering_below_the_band_is_not_speech() -> None:
    walk = np.cumsum(np.random.default_rng(3).standard_normal(4 * RATE))
    walk -= np.convolve(walk, np.ones(800) / 800, mode="same")
    rumble = (0.2 * walk / np.std(walk)).astype(np.float32)
    assert BROADBAND_GATE.speech_frames(rumble).mean() > 0.2  # loud enough broadband
    assert not SPEECH_BAND_GATE.speech_frames(rumble).any()


def test_a_quiet_consonant_between_vowels_is_speech_when_smoothed() -> None:
    signal = _speech_like(quiet_gap=0.04)
    gap = slice(65, 69)  # the consonant's frames: 0.65-0.69 s
    assert SPEECH_BAND_GATE.speech_frames(signal)[gap].all()
    unsmoothed = SpeechGate(band=SPEECH_BAND_GATE.band, quiet_rms=SPEECH_BAND_GATE.quiet_rms)
    assert not unsmoothed.speech_frames(signal)[66:68].any()  # beyond the vowels' windows
    assert not SPEECH_BAND_GATE.speech_frames(signal)[:40].any()  # the noise before it


def test_a_phone_stands_where_its_share_of_frames_is_speech() -> None:
    loud = np.array([False] * 7 + [True] * 3)
    assert SPEECH_BAND_GATE.voiced(loud, 0.0, 0.1)  # 30%
    assert not SPEECH_BAND_GATE.voiced(loud, 0.0, 0.09)  # 2 of 9
    assert not SPEECH_BAND_GATE.voiced(loud, 0.2, 0.3)  # past the end


def _streamed(gate: SpeechGate, samples: FloatArray, sizes: list[int]) -> LiveSpeechFrames:
    live = LiveSpeechFrames(gate)
    at, turn = 0, 0
    while at < len(samples):
        live.push(samples[at : at + sizes[turn % len(sizes)]])
        at += sizes[turn % len(sizes)]
        turn += 1
    return live


@pytest.mark.parametrize("gate", [SPEECH_BAND_GATE, BROADBAND_GATE], ids=["band", "broadband"])
@pytest.mark.parametrize("sizes", [[320], [7, 1000, 1, 161], [10**6]], ids=["20ms", "odd", "one"])
def test_a_stream_decides_its_frames_as_the_recording_once_the_floor_is_known(
    gate: SpeechGate, sizes: list[int]
) -> None:
    signal = np.concatenate([_speech_like(quiet_gap=0.04)] * 3)
    whole = gate.speech_frames(signal)
    frames = _streamed(gate, signal, sizes).frames
    half = gate.smoothing_frames // 2
    assert len(frames) == len(signal) // 160 - 1 - half  # a window's and the smoothing's reach
    assert whole[: len(frames)].any() and not whole[: len(frames)].all()
    assert np.array_equal(frames[50:], whole[50 : len(frames)])  # the pause sets the floor


def test_a_stream_measures_its_first_frames_against_what_it_has_heard() -> None:
    room = 0.02 * np.random.default_rng(6).standard_normal(3 * RATE).astype(np.float32)
    assert not _streamed(SPEECH_BAND_GATE, room, [320]).frames.any()  # from the first frame


def test_a_streams_floor_follows_the_noise_of_the_last_seconds() -> None:
    rng = np.random.default_rng(7)
    quiet = 0.004 * rng.standard_normal(10 * RATE)
    fan = 0.05 * rng.standard_normal(60 * RATE)  # switched on: 22 dB louder
    live = _streamed(SPEECH_BAND_GATE, np.concatenate([quiet, fan]).astype(np.float32), [320])
    frames = live.frames
    assert frames[1000:1100].any()  # at first, louder than the room was
    assert not frames[-500:].any()  # 30 s on, the fan is the floor


def test_a_stream_decides_a_phone_on_its_decided_frames() -> None:
    live = _streamed(SPEECH_BAND_GATE, _speech_like(quiet_gap=0.04), [320])
    assert live.voiced(0.5, 0.65) and not live.voiced(0.1, 0.3)
    assert not live.voiced(5.0, 5.1)  # not yet heard
