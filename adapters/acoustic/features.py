"""Log-mel features of 16 kHz audio at a 5 ms hop: what the phone model reads.

Training and inference both call ``log_mel`` (the training script imports this module), so the
two never drift apart. Frame ``k`` is centred on sample ``k * HOP``: its time is ``k * 5 ms``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

RATE = 16000
HOP = 80
"""5 ms at 16 kHz."""
WINDOW = 400
"""25 ms analysis window."""
FFT = 512
MELS = 64
LOW_HZ, HIGH_HZ = 60.0, 7600.0
FRAME_SECONDS = HOP / RATE
FloatMatrix = npt.NDArray[np.float32]


def fast_size(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= ``n``: sizes pocketfft transforms quickly."""
    best = 1 << max(0, (n - 1).bit_length())
    five = 1
    while five < best:
        three = five
        while three < best:
            size = three
            while size < n:
                size *= 2
            best = min(best, size)
            three *= 3
        five *= 5
    return best


def resample(samples: npt.NDArray[np.floating], rate: int, target: int = RATE) -> FloatMatrix:
    """Band-limited (FFT, float32) resampling of mono ``samples`` from ``rate`` to ``target``."""
    x = np.asarray(samples, np.float32).reshape(-1)
    if rate == target or x.size == 0:
        return x
    n_out = max(1, round(x.size * target / rate))
    pad = fast_size(x.size + rate // 10)  # room against the circular wrap
    spectrum = np.fft.rfft(x, pad)
    out_size = max(2, round(pad * target / rate))
    bins = out_size // 2 + 1
    kept = np.zeros(bins, np.complex64)
    keep = min(bins, spectrum.size)
    kept[:keep] = spectrum[:keep]
    y = np.fft.irfft(kept, out_size) * np.float32(out_size / pad)
    return np.asarray(y[:n_out], np.float32)


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


@cache
def mel_filters() -> FloatMatrix:
    """``(FFT // 2 + 1, MELS)`` triangular filters, equally spaced on the mel scale."""
    edges_mel = np.linspace(_hz_to_mel(np.array(LOW_HZ)), _hz_to_mel(np.array(HIGH_HZ)), MELS + 2)
    edges = 700.0 * (10.0 ** (edges_mel / 2595.0) - 1.0)
    freqs = np.arange(FFT // 2 + 1) * RATE / FFT
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None, :] - low) / (centre - low)
    falling = (high - freqs[None, :]) / (high - centre)
    return np.maximum(0.0, np.minimum(rising, falling)).T.astype(np.float32)


@cache
def _band_bins() -> tuple[tuple[int, int], ...]:
    """Each band's contiguous run of bins ``[lo, hi)`` in ``mel_filters``."""
    filters = mel_filters()
    runs = []
    for band in range(MELS):
        bins = np.flatnonzero(filters[:, band])
        runs.append((int(bins[0]), int(bins[-1]) + 1))
    return tuple(runs)


MEL_BLOCK = 4096
"""Frames per block of ``mel_energies``."""


def mel_energies(power: FloatMatrix) -> FloatMatrix:
    """``power @ mel_filters()`` as one matrix-vector product per band and block of
    ``MEL_BLOCK`` frames over that band's bins only (a tenth of the filters' entries are not
    zero). Products this size run on the calling thread; one product over all frames would
    wake BLAS's threads, which spin after each call (it doubled the CPU time a minute of audio
    cost), and summing without BLAS took five times as long."""
    filters = mel_filters()
    out = np.empty((power.shape[0], MELS), np.float32)
    column = np.empty(min(MEL_BLOCK, power.shape[0]), np.float32)
    for first in range(0, power.shape[0], MEL_BLOCK):
        block = power[first : first + MEL_BLOCK]
        for band, (lo, hi) in enumerate(_band_bins()):
            np.matmul(block[:, lo:hi], filters[lo:hi, band], out=column[: len(block)])
            out[first : first + len(block), band] = column[: len(block)]
    return out


@cache
def _window64() -> npt.NDArray[np.float64]:
    """The analysis window (Hann, zero ends left out), at the precision it was trained with,
    for a float64 transform."""
    return np.hanning(WINDOW + 2)[1:-1].astype(np.float32).astype(np.float64)


def frame_count(samples: int) -> int:
    """Frames for ``samples`` 16 kHz samples: one per started hop."""
    return max(1, -(-samples // HOP))


def log_mel(audio: npt.NDArray[np.floating]) -> FloatMatrix:
    """``(frames, MELS)`` natural-log mel energies of 16 kHz ``audio`` (float, [-1, 1]),
    ``frame_count(len(audio))`` frames; silence floors at log(1e-6)."""
    x = np.asarray(audio, np.float32).reshape(-1)
    count = frame_count(x.size)
    half = WINDOW // 2
    padded = np.zeros(count * HOP + WINDOW, np.float32)
    padded[half : half + x.size] = x
    return log_mel_of_padded(padded, count)


def log_mel_of_padded(padded: FloatMatrix, count: int) -> FloatMatrix:
    """``count`` frames of ``padded``, whose frame ``k`` spans ``padded[k * HOP : k * HOP +
    WINDOW]`` (``len(padded) >= (count - 1) * HOP + WINDOW``)."""
    if count <= 0:
        return np.zeros((0, MELS), np.float32)
    strides = (padded.strides[0] * HOP, padded.strides[0])
    frames = np.lib.stride_tricks.as_strided(padded, (count, WINDOW), strides, writeable=False)
    # numpy's float64 transform takes half the time of its float32 one
    spectrum = np.fft.rfft(frames * _window64(), FFT, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    energies: FloatMatrix = np.log(mel_energies(power) + 1e-6).astype(np.float32)
    return energies


def normalise(features: FloatMatrix) -> FloatMatrix:
    """Per-band mean removed (the recording channel) and one overall scale, over all frames."""
    if features.shape[0] == 0:
        return features
    centred = features - features.mean(axis=0, keepdims=True)
    scale = float(centred.std()) or 1.0
    scaled: FloatMatrix = (centred / scale).astype(np.float32)
    return scaled
