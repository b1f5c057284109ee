"""BS.1770 loudness on signals of known loudness, and the normalisation built on it."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_service.core.loudness import (
    LoudnessTarget,
    integrated_loudness,
    measure,
    normalised,
    true_peak,
)


def sine(freq: float, amplitude: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_a_full_scale_997_hz_sine_reads_minus_3_01_lufs(rate: int) -> None:
    """The reference of BS.1770-4: a 0 dBFS 997 Hz sine in one channel is -3.01 LUFS."""
    assert integrated_loudness(sine(997, 1.0, 5, rate), rate) == pytest.approx(-3.01, abs=0.05)


def test_twenty_db_quieter_reads_twenty_lu_lower() -> None:
    loud = integrated_loudness(sine(997, 1.0, 4, 48000), 48000)
    quiet = integrated_loudness(sine(997, 0.1, 4, 48000), 48000)
    assert loud - quiet == pytest.approx(20.0, abs=0.01)


def test_k_weighting_lifts_treble_and_cuts_bass() -> None:
    """The shelf weighs 8 kHz ~3.3 dB above 1 kHz (+4.0 vs +0.7 dB); the high pass removes
    deep bass."""
    mid = integrated_loudness(sine(997, 0.5, 4, 48000), 48000)
    high = integrated_loudness(sine(8000, 0.5, 4, 48000), 48000)
    assert high - mid == pytest.approx(3.3, abs=0.15)
    assert integrated_loudness(sine(20, 0.5, 4, 48000), 48000) < mid - 10


# A 4 s tone followed by a part under a gate: 37 whole 400 ms blocks of tone, and 3 blocks
# that hold 3/4, 1/2 and 1/4 of tone (above the gates, so they count).
STRADDLING = 10 * np.log10((37 + 0.75 + 0.5 + 0.25) / 40)


def test_silence_after_is_gated_out() -> None:
    """Absolute gate (-70 LUFS): silent blocks do not count, only blocks with tone do."""
    rate = 48000
    tone = sine(997, 0.5, 4, rate)
    padded = np.concatenate([tone, np.zeros(4 * rate, np.float32)])
    assert integrated_loudness(padded, rate) == pytest.approx(
        integrated_loudness(tone, rate) + STRADDLING, abs=0.01
    )


def test_relative_gate_ignores_a_much_quieter_part() -> None:
    """A part 30 dB down is under the relative gate (-10 LU): it barely moves the result."""
    rate = 48000
    loud, quiet = sine(997, 0.5, 4, rate), sine(997, 0.5 * 10 ** (-30 / 20), 4, rate)
    both = integrated_loudness(np.concatenate([loud, quiet]), rate)
    assert both == pytest.approx(integrated_loudness(loud, rate) + STRADDLING, abs=0.01)
    ungated = 10 * np.log10((1 + 10**-3) / 2)  # what a plain average would read
    assert both - integrated_loudness(loud, rate) > ungated + 2


def test_silence_and_short_signals_measure_minus_infinity() -> None:
    assert integrated_loudness(np.zeros(48000, np.float32), 48000) == float("-inf")
    assert integrated_loudness(sine(997, 0.5, 0.2, 48000), 48000) == float("-inf")


def test_true_peak_finds_the_peak_between_samples() -> None:
    """A sine at a quarter of the rate, sampled 45 degrees off its crests: the samples peak
    3 dB below the waveform's true peak."""
    n = np.arange(48000)
    signal = (0.5 * np.sin(2 * np.pi * n / 4 + np.pi / 4)).astype(np.float32)
    sample_peak = 20 * np.log10(np.abs(signal).max())
    assert sample_peak == pytest.approx(-9.03, abs=0.01)
    assert true_peak(signal) == pytest.approx(-6.02, abs=0.2)


def test_speech_like_noise_is_brought_to_minus_16_lufs_under_minus_1_dbtp() -> None:
    rate = 22050
    rng = np.random.default_rng(1)
    envelope = np.repeat(rng.uniform(0.0, 1.0, 50), rate // 10)
    quiet = (0.02 * rng.standard_normal(envelope.size) * envelope).astype(np.float32)
    levelled = measure(normalised(quiet, rate, LoudnessTarget()), rate)
    assert levelled.lufs == pytest.approx(-16.0, abs=0.05)
    assert levelled.peak_dbtp <= -1.0 + 1e-6


def test_peaky_speech_stops_at_the_true_peak_ceiling() -> None:
    rate = 22050
    clicks = np.zeros(rate * 3, np.float32)
    clicks[:: rate // 4] = 0.05  # sparse clicks: quiet in loudness, loud in peak
    clicks += sine(300, 0.005, 3, rate)
    out = measure(normalised(clicks, rate, LoudnessTarget(-16.0, -1.0)), rate)
    assert out.peak_dbtp == pytest.approx(-1.0, abs=0.01)
    assert out.lufs < -16.0


def test_silence_stays_silent() -> None:
    assert not normalised(np.zeros(1000, np.float32), 16000, LoudnessTarget()).any()
