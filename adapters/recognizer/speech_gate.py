"""The energy gate the phone recognisers put on what they heard: a phone model or a phone loop
reads phones into noise and hums too, so a phone stands only where the recording is loud
enough to be speech, per 10 ms frame, against the recording's own noise floor
(``SpeechGate``), or a live stream against the floor heard so far (``LiveSpeechFrames``).

Each recogniser's gate (``SpeechGate``) was chosen on the truth corpus' tuning split
(``python bench/run.py recognise``) with the bad inputs of
``tests/adapters/test_recognition_bad_input.py``.
"""

from __future__ import annotations

from collections import deque
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
_HANN = np.hanning(_WINDOW).astype(np.float32).astype(np.float64)
"""The window at the precision the gates were chosen with, for a float64 transform (numpy's
float32 one takes twice as long)."""
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
        threshold = self.threshold(np.sqrt(power))
        if self.smoothing_frames > 1:
            half = self.half_width
            kernel = np.ones(2 * half + 1) / (2 * half + 1)
            power = np.convolve(np.pad(power, half, mode="edge"), kernel, mode="valid")
        loud: npt.NDArray[np.bool_] = np.sqrt(power) >= threshold
        return loud

    @property
    def half_width(self) -> int:
        """Frames the smoothing reaches on either side of a frame."""
        return self.smoothing_frames // 2

    def threshold(self, levels: npt.NDArray[np.float64]) -> float:
        """The rms a frame's smoothed loudness must reach, given the rms ``levels`` of the
        frames that set the floor."""
        return max(self.quiet_rms, self.over_floor * float(np.percentile(levels, 10)))

    def voiced(self, loud: npt.NDArray[np.bool_], start: float, end: float) -> bool:
        """At least ``voiced_share`` of the frames of ``[start, end)`` seconds are speech."""
        frames = loud[slice(*frame_span(start, end))]
        return bool(len(frames)) and float(frames.mean()) >= self.voiced_share


def frame_span(start: float, end: float) -> tuple[int, int]:
    """The 10 ms frames ``[first, last)`` that ``[start, end)`` seconds cover (at least one)."""
    first = int(start / FRAME_SECONDS)
    return first, max(first + 1, round(end / FRAME_SECONDS))


SPEECH_BAND_GATE = SpeechGate(band=(300.0, 3400.0), smoothing_frames=5)
"""The telephone band, where speech is intelligible and rumble, hum and wind mostly are not,
averaged over 50 ms (a quiet consonant beside a vowel is speech). For the ``phonenet``
recogniser: against the whole band frame by frame, a rumble (brown noise) moved the mouth for
half its length, and 11.8% of the tuning split's true phones showed the rest shape mid-speech
(now 9.8%; lips closed, vowels open and shapes held no worse). Smoothing over 70 ms showed
rest at 7.8% but closed the lips at fewer bilabials (92.1%, against 92.9%): a quiet
stop closure shown as rest is a closed mouth, right for p and b."""
BROADBAND_GATE = SpeechGate()
"""Every frequency, frame by frame. For the ``pocketsphinx`` recogniser's recordings: its phone
loop closed the lips at fewer bilabials through the speech band gate (83% of the tuning split's
against 87%). Its live streams take the speech band gate: through this one a rumble moved the
mouth of a live stream."""


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


class LiveSpeechFrames:
    """``SpeechGate.speech_frames`` for audio that arrives in chunks (mono, ``RATE``). Each
    frame is decided once, as soon as its window and its smoothing have been heard (for
    ``SPEECH_BAND_GATE``, 35 ms after the frame ends), against the floor of the frames heard
    so far, at most ``history_seconds`` back: nothing decided changes later, and the floor
    follows a room whose noise changes. A stream's first frames are measured against the
    floor of what little has been heard; as in a recording, steady noise alone is not speech."""

    def __init__(self, gate: SpeechGate, history_seconds: float = 30.0) -> None:
        self._gate = gate
        self._history = max(1, round(history_seconds / FRAME_SECONDS))
        self._skip = _HOP // 2  # frame 1's window starts here; frame 0 takes its value
        self._pending = np.zeros(0, np.float32)  # from the next whole window's first sample
        # the band powers the next frame to decide is smoothed over
        self._recent: deque[float] = deque(maxlen=2 * gate.half_width + 1)
        self._levels = np.zeros(0, np.float64)  # the last ``_history`` frames' rms
        self._loud_before = [0]  # per frame decided, and one past: loud frames before it

    @property
    def frames(self) -> npt.NDArray[np.bool_]:
        """Per 10 ms frame decided so far (frame ``k`` is samples ``[160 k, 160 k + 160)`` of
        the stream): loud enough to be speech."""
        return np.diff(np.array(self._loud_before)) > 0

    @property
    def decided_seconds(self) -> float:
        """How much of the stream's start is decided."""
        return (len(self._loud_before) - 1) * FRAME_SECONDS

    def quiet(self, start: float, end: float) -> bool:
        """No frame of ``[start, end)`` seconds is speech, and all of them are decided."""
        first, last = frame_span(start, end)
        if first < 0 or last >= len(self._loud_before):
            return False
        return self._loud_before[last] == self._loud_before[first]

    def voiced(self, start: float, end: float) -> bool:
        """``SpeechGate.voiced`` over the frames of ``[start, end)`` seconds decided so far
        (``False`` when none is)."""
        decided = len(self._loud_before) - 1
        first, last = (min(frame, decided) for frame in frame_span(start, end))
        loud = self._loud_before[last] - self._loud_before[first]
        return last > first and loud >= self._gate.voiced_share * (last - first)

    def push(self, samples: FloatArray) -> None:
        """Add the next samples of the stream and decide the frames they complete."""
        audio = np.asarray(samples, np.float32)
        skipped = min(self._skip, len(audio))
        self._skip -= skipped
        self._pending = np.concatenate([self._pending, audio[skipped:]])
        count = (len(self._pending) - _WINDOW) // _HOP + 1
        if count <= 0:
            return
        starts = np.arange(count) * _HOP
        powers = _window_powers(
            self._pending[starts[:, None] + np.arange(_WINDOW)[None, :]], self._gate.band
        ).tolist()
        self._pending = self._pending[count * _HOP :]
        self._levels = np.concatenate([self._levels, np.sqrt(powers)])[-self._history :]
        if not self._recent:
            powers.insert(0, powers[0])  # frame 0 takes frame 1's window
            # the smoothing pads the stream's start with frame 0's power, as a recording's
            self._recent.extend([powers[0]] * self._gate.half_width)
        threshold = self._gate.threshold(self._levels) ** 2  # a power
        for power in powers:
            self._recent.append(power)
            if len(self._recent) == self._recent.maxlen:
                loud = sum(self._recent) / len(self._recent) >= threshold
                self._loud_before.append(self._loud_before[-1] + loud)
