"""Mono float audio at any rate to the 16 kHz signed 16-bit PCM the acoustic models expect."""

from __future__ import annotations

import numpy as np

from avatar_service.core.speech import FloatArray

MODEL_RATE = 16000


def _smoothed(samples: FloatArray, ratio: float) -> FloatArray:
    """A moving average over about ``ratio`` samples: a cheap low-pass before decimation."""
    width = int(ratio)
    if width < 2:
        return samples
    kernel = np.full(width, 1.0 / width, dtype=np.float32)
    return np.convolve(samples, kernel, mode="same").astype(np.float32)


def to_model_rate(samples: FloatArray, sample_rate: int) -> FloatArray:
    """``samples`` resampled to ``MODEL_RATE`` (linear interpolation, low-passed when
    decimating); returned as is when already at that rate."""
    if sample_rate == MODEL_RATE or len(samples) == 0:
        return samples
    ratio = sample_rate / MODEL_RATE
    source = _smoothed(samples, ratio)
    count = max(1, round(len(samples) / ratio))
    positions = np.arange(count, dtype=np.float64) * ratio
    return np.interp(positions, np.arange(len(source)), source).astype(np.float32)


def pcm16(samples: FloatArray) -> bytes:
    return bytes((np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes())


class StreamResampler:
    """``to_model_rate`` for audio arriving in chunks: output samples fall on one grid across
    chunk boundaries (the last input sample is carried over), so nothing drifts."""

    def __init__(self, sample_rate: int) -> None:
        self._ratio = sample_rate / MODEL_RATE
        self._next = 0.0  # position of the next output sample, in input samples
        self._consumed = 0  # input samples before ``_tail``
        self._tail = np.zeros(0, dtype=np.float32)

    def push(self, samples: FloatArray) -> FloatArray:
        if self._ratio == 1.0:
            return samples
        joined = np.concatenate([self._tail, samples]).astype(np.float32)
        base = self._consumed
        last = base + len(joined) - 1
        if last < self._next:
            self._tail, self._consumed = joined, base
            return np.zeros(0, dtype=np.float32)
        positions = np.arange(self._next, last + 1e-9, self._ratio)
        out: FloatArray = np.interp(positions - base, np.arange(len(joined)), joined).astype(
            np.float32
        )
        self._next = float(positions[-1] + self._ratio)
        keep = max(0, int(self._next) - base - 1)
        self._tail, self._consumed = joined[keep:], base + keep
        return out
