"""Loudness of speech (ITU-R BS.1770-4): K-weighted, gated integrated loudness in LUFS, true
peak in dBTP (4x oversampled), and one gain that brings speech to a target level without its
true peak passing a ceiling. Pure numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from avatar_service.core.speech import FloatArray

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
BLOCK_SECONDS, STEP_SECONDS = 0.4, 0.1  # 400 ms blocks, 75 % overlap
SILENCE = float("-inf")


@dataclass(frozen=True, slots=True)
class LoudnessTarget:
    """Speech is scaled to ``lufs`` integrated, unless that would put its true peak above
    ``peak_dbtp``; then the peak sets the gain (the result is quieter than ``lufs``)."""

    lufs: float = -16.0
    peak_dbtp: float = -1.0


@dataclass(frozen=True, slots=True)
class Measured:
    """Integrated loudness (LUFS, ``-inf`` for silence) and true peak (dBTP) of a signal."""

    lufs: float
    peak_dbtp: float


def _impulse_response(
    sections: tuple[tuple[tuple[float, float, float], tuple[float, float]], ...], tail: float
) -> npt.NDArray[np.float64]:
    """The impulse response of cascaded biquads ``b / (1, *a)``, cut where its remaining
    energy is below ``tail`` of the total (the filters are stable: it decays geometrically)."""
    h = np.zeros(1 << 14)
    h[0] = 1.0
    for b, a in sections:
        out = np.empty_like(h)
        x1 = x2 = y1 = y2 = 0.0
        for n, x in enumerate(h.tolist()):
            y = b[0] * x + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2
            out[n] = y
            x2, x1, y2, y1 = x1, x, y1, y
        h = out
    energy = np.cumsum(h[::-1] ** 2)[::-1]
    keep = int(np.argmax(energy < tail * energy[0])) or len(h)
    return h[:keep]


@lru_cache(maxsize=16)
def _k_weighting(rate: int) -> npt.NDArray[np.float64]:
    """The K-weighting filter (high shelf, then high pass) for ``rate`` as an impulse
    response, from the BS.1770 analogue prototypes (bilinear transform with pre-warping)."""
    gain_db, q, fc = 3.999843853973347, 0.7071752369554196, 1681.974450955533
    k = math.tan(math.pi * fc / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
        (2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0),
    )
    q2, fc2 = 0.5003270373238773, 38.13547087602444
    k2 = math.tan(math.pi * fc2 / rate)
    a02 = 1 + k2 / q2 + k2 * k2
    highpass = ((1.0, -2.0, 1.0), (2 * (k2 * k2 - 1) / a02, (1 - k2 / q2 + k2 * k2) / a02))
    return _impulse_response((shelf, highpass), 1e-14)


def _k_weighted(x: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    h = _k_weighting(rate)
    size = 1 << (len(x) + len(h) - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[: len(x)]


def integrated_loudness(samples: FloatArray, rate: int) -> float:
    """BS.1770-4 integrated loudness of mono ``samples`` in LUFS (``-inf`` when every block
    is below the absolute gate, or the signal is shorter than one 400 ms block)."""
    x = _k_weighted(np.asarray(samples, np.float64), rate)
    block, step = round(BLOCK_SECONDS * rate), round(STEP_SECONDS * rate)
    if len(x) < block:
        return SILENCE
    energy = np.concatenate(([0.0], np.cumsum(x * x)))
    starts = np.arange(0, len(x) - block + 1, step)
    power = (energy[starts + block] - energy[starts]) / block
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(power)
    kept = power[loud > ABSOLUTE_GATE]
    if kept.size == 0:
        return SILENCE
    relative = -0.691 + 10 * math.log10(float(kept.mean())) + RELATIVE_GATE
    with np.errstate(divide="ignore"):
        kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return -0.691 + 10 * math.log10(float(kept.mean()))


@lru_cache(maxsize=1)
def _interpolator() -> tuple[npt.NDArray[np.float64], ...]:
    """The four phases of a 48-tap windowed-sinc interpolator for 4x oversampling (the
    length and factor of BS.1770-4 Annex 2)."""
    taps = np.arange(48) - 23.5
    h = np.sinc(taps / 4) * np.kaiser(48, 8.0)
    return tuple(h[k::4] / h[k::4].sum() for k in range(4))


def true_peak(samples: FloatArray) -> float:
    """True peak in dBTP: the largest magnitude of the signal oversampled 4x (BS.1770-4
    Annex 2), never below the sample peak; ``-inf`` for silence."""
    x = np.asarray(samples, np.float64)
    if x.size == 0:
        return SILENCE
    peak = float(np.max(np.abs(x)))
    for phase in _interpolator():
        peak = max(peak, float(np.max(np.abs(np.convolve(x, phase)))))
    return SILENCE if peak == 0 else 20 * math.log10(peak)


def measure(samples: FloatArray, rate: int) -> Measured:
    return Measured(integrated_loudness(samples, rate), true_peak(samples))


def gain_db(found: Measured, target: LoudnessTarget, level_db: float | None = None) -> float:
    """The gain (dB) that brings a signal measured as ``found`` to ``target``: to
    ``target.lufs``, or ``level_db`` when given (a gain chosen earlier, e.g. for the first
    part of a stream), never putting the true peak above ``target.peak_dbtp``; speech too
    short to measure is not made louder."""
    if found.peak_dbtp == SILENCE:
        return 0.0
    ceiling = target.peak_dbtp - found.peak_dbtp
    if level_db is not None:
        return min(level_db, ceiling)
    if found.lufs == SILENCE:
        return min(0.0, ceiling)
    return min(target.lufs - found.lufs, ceiling)


def scaled(samples: FloatArray, gain: float) -> FloatArray:
    """``samples`` times ``10^(gain/20)``, float32 within [-1, 1]."""
    out: FloatArray = np.asarray(samples, np.float32) * np.float32(10 ** (gain / 20))
    np.clip(out, -1.0, 1.0, out=out)
    return out


LIMITER_SECONDS = 0.005
"""Half-width of the limiter's window: gain reduction starts this long before a peak."""


def _sliding_min(x: npt.NDArray[np.float64], radius: int) -> npt.NDArray[np.float64]:
    """The minimum of ``x`` over ``[i - radius, i + radius]`` for every ``i`` (edges: over
    the part that exists), by doubling windows (sparse-table style): O(n log radius)."""
    size = 2 * radius + 1
    m = np.pad(x, radius, mode="edge")
    length = 1
    while length * 2 <= size:
        m[: len(m) - length] = np.minimum(m[: len(m) - length], m[length:])
        length *= 2
    rest = size - length
    window = np.minimum(m[: len(x)], m[rest : rest + len(x)])
    return window


def limited(samples: FloatArray, rate: int, ceiling_dbtp: float) -> FloatArray:
    """``samples`` with their peaks brought under ``ceiling_dbtp`` by a look-ahead limiter:
    the gain each sample needs, held at its minimum over +-``LIMITER_SECONDS`` and smoothed
    over the same window (so it never rises above what a peak needs), then a final static
    trim for what is left between the samples (true peak)."""
    ceiling = 10 ** (ceiling_dbtp / 20)
    x = np.asarray(samples, np.float64)
    with np.errstate(divide="ignore"):
        need = np.minimum(1.0, ceiling / np.maximum(np.abs(x), 1e-12))
    radius = max(1, round(LIMITER_SECONDS * rate))
    held = _sliding_min(need, radius)
    padded = np.concatenate(([0.0], np.cumsum(np.pad(held, radius, mode="edge"))))
    smooth = (padded[2 * radius + 1 :] - padded[: -2 * radius - 1]) / (2 * radius + 1)
    out = x * np.minimum(smooth[: len(x)], held)
    peak = true_peak(out.astype(np.float32))
    if peak > ceiling_dbtp:
        out *= 10 ** ((ceiling_dbtp - peak) / 20)
    result: FloatArray = out.astype(np.float32)
    return result


def normalised(samples: FloatArray, rate: int, target: LoudnessTarget) -> FloatArray:
    """``samples`` brought to ``target``: scaled to ``target.lufs`` (measured on the same
    signal), peaks above ``target.peak_dbtp`` limited (``limited``), then trimmed once more
    towards ``target.lufs`` within the ceiling. Speech too short to measure is only kept
    under the ceiling. Float32, within [-1, 1]."""
    found = measure(samples, rate)
    if found.lufs == SILENCE:
        return scaled(samples, gain_db(found, target))
    gain = target.lufs - found.lufs
    if found.peak_dbtp + gain <= target.peak_dbtp:  # the true peak scales with the gain
        return scaled(samples, gain)
    louder = np.asarray(samples, np.float32) * np.float32(10 ** (gain / 20))
    out = louder
    for _ in range(3):  # limiting lowers the loudness a little: raise and limit again
        out = limited(out, rate, target.peak_dbtp)
        found = measure(out, rate)
        if found.lufs >= target.lufs - 0.2:
            break
        out = out * np.float32(10 ** ((target.lufs - found.lufs) / 20))
    return scaled(out, gain_db(found, target))
