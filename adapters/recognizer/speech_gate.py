"""The energy gate the phone recognisers put on what they heard: a phone model or a phone loop
reads phones into noise and hums too, so a phone stands only where the recording is loud
enough to be speech, per 10 ms frame, against the recording's own noise floor.

Each recogniser's gate (``SpeechGate``) was chosen on the truth corpus' tuning split
(``python bench/run.py recognise``) with the bad inputs of
``tests/adapters/test_recognition_bad_input.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from avatar_service.core.speech import FloatArray

RATE = 16000
"""The sample rate the gate reads (the recognisers' model rate)."""
FRAME_SECONDS = 0.01
_HOP = round(RATE * FRAME_SECONDS)
_WINDOW = 2 * _HOP  # Hann, 20 ms, centred on its frame
_BLOCK = 4096  # frames per FFT batch: bounds the memory of long recordings
_HANN = np.hanning(_WINDOW).astype(np.float32)
_FREQUENCIES = np.fft.rfftfreq(_WINDOW, 1.0 / RATE)
_SCALE = 2.0 / (_WINDOW * float(np.square(_HANN, dtype=np.float64).sum()))


@dataclass(frozen=True, slots=True)
class SpeechGate:
    """``band``: the frequencies (Hz) whose loudness counts; ``smoothing_frames``: frames
    (centred; an even count reads as the next odd one) over which loudness is averaged; a
    frame is speech when that loudness reaches ``quiet_rms`` and ``over_floor`` x the
    recording's floor (its 10th-percentile frame: steady noise alone is not speech); a phone
    stands when ``voiced_share`` of its frames are speech."""

    band: tuple[float, float] = (0.0, RATE / 2)
    smoothing_frames: int = 1
    quiet_rms: float = 0.003
    over_floor: float = 2.0
    voiced_share: float = 0.3

    def speech_frames(self, samples: FloatArray) -> npt.NDArray[np.bool_]:
        """Per 10 ms frame of ``samples`` (mono, ``RATE``; frame ``k`` is samples
        ``[160 k, 160 k + 160)``): loud enough to be speech."""
        power = band_power(samples, self.band)
        if not len(power):
            return np.zeros(0, np.bool_)
        floor = float(np.percentile(np.sqrt(power), 10))
        if self.smoothing_frames > 1:
            half = self.smoothing_frames // 2
            kernel = np.ones(2 * half + 1) / (2 * half + 1)
            power = np.convolve(np.pad(power, half, mode="edge"), kernel, mode="valid")
        loud: npt.NDArray[np.bool_] = np.sqrt(power) >= max(self.quiet_rms, self.over_floor * floor)
        return loud

    def voiced(self, loud: npt.NDArray[np.bool_], start: float, end: float) -> bool:
        """At least ``voiced_share`` of the frames of ``[start, end)`` seconds are speech."""
        first = int(start / FRAME_SECONDS)
        last = max(first + 1, round(end / FRAME_SECONDS))
        frames = loud[first:last]
        return bool(len(frames)) and float(frames.mean()) >= self.voiced_share


SPEECH_BAND_GATE = SpeechGate(band=(300.0, 3400.0), smoothing_frames=5)
"""The telephone band, where speech is intelligible and rumble, hum and wind mostly are not,
averaged over 50 ms (a quiet consonant beside a vowel is speech). For the ``phonenet``
recogniser: against the whole band frame by frame, a rumble (brown noise) moved the mouth for
half its length, and 11.8% of the tuning split's true phones showed the rest shape mid-speech
(now 9.8%; lips closed, vowels open and shapes held no worse). Smoothing over 70 ms showed
rest at 7.8% but closed the lips at fewer bilabials (92.1%, against 92.9%): a quiet
stop closure shown as rest is a closed mouth, right for p and b."""
BROADBAND_GATE = SpeechGate()
"""Every frequency, frame by frame. For the ``pocketsphinx`` recogniser, whose phone loop
closed the lips at fewer bilabials through the speech band gate (83% of the tuning split's
against 87%)."""


def band_power(samples: FloatArray, band: tuple[float, float]) -> npt.NDArray[np.float64]:
    """Mean square of ``samples`` within ``band`` per 10 ms frame, scaled so that white noise
    of variance v reads v x the band's share of the spectrum. A frame whose window would run
    past either end of the recording takes the nearest whole window's value: padding would
    add a click there."""
    count = -(-len(samples) // _HOP)
    audio = np.asarray(samples, np.float32)
    if len(audio) < _WINDOW + _HOP:
        padded = np.pad(audio, (0, _WINDOW))[None, :_WINDOW]
        return np.full(count, _window_powers(padded, band)[0])
    first, last = 1, (len(audio) - _WINDOW + _HOP // 2) // _HOP  # frames of whole windows
    out = np.empty(count, np.float64)
    for block in range(first, last + 1, _BLOCK):
        frames = np.arange(block, min(last + 1, block + _BLOCK))
        starts = frames * _HOP - _HOP // 2
        out[frames] = _window_powers(audio[starts[:, None] + np.arange(_WINDOW)[None, :]], band)
    out[:first], out[last + 1 :] = out[first], out[last]
    return out


def _window_powers(
    rows: npt.NDArray[np.float32], band: tuple[float, float]
) -> npt.NDArray[np.float64]:
    inside = (band[0] <= _FREQUENCIES) & (band[1] >= _FREQUENCIES)
    spectra = np.square(np.abs(np.fft.rfft(rows * _HANN, axis=1)[:, inside]))
    powers: npt.NDArray[np.float64] = spectra.sum(axis=1, dtype=np.float64) * _SCALE
    return powers
