"""MFCC features and banded dynamic time warping, in numpy.

MFCC: pre-emphasis, 25 ms Hamming frames every ``HOP_SECONDS``, power spectrum, mel filter
bank, log, DCT-II; then per-utterance mean and variance normalisation so that two voices (or a
voice and a recording) compare on spectral shape, not level.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic.features import fast_size

F64 = npt.NDArray[np.float64]
HOP_SECONDS = 0.01
WINDOW_SECONDS = 0.025
MIN_HZ = 60.0
MAX_HZ = 8000.0
N_MELS = 40
N_CEPSTRA = 13
PRE_EMPHASIS = 0.97


def upper_frequency(*rates: int) -> float:
    """The highest frequency the filter bank may use so that audio at every one of ``rates``
    gets the same bands (features of different rates are then comparable)."""
    return min(MAX_HZ, 0.95 * min(rates) / 2)


@lru_cache(maxsize=8)
def _mel_filters(rate: int, n_fft: int, upper_hz: float) -> F64:
    def mel(hz: F64 | float) -> F64:
        return np.asarray(2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0))

    edges_mel = np.linspace(mel(MIN_HZ), mel(upper_hz), N_MELS + 2)
    edges_hz = 700.0 * (10.0 ** (edges_mel / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(n_fft, 1.0 / rate)
    filters = np.zeros((N_MELS, bins.size))
    for k in range(N_MELS):
        low, centre, high = edges_hz[k : k + 3]
        rising = (bins - low) / (centre - low)
        falling = (high - bins) / (high - centre)
        filters[k] = np.maximum(0.0, np.minimum(rising, falling))
    return filters


@lru_cache(maxsize=1)
def _dct() -> F64:
    n = np.arange(N_MELS)
    k = np.arange(N_CEPSTRA)[:, None]
    basis: F64 = np.cos(math.pi / N_MELS * (n + 0.5) * k) * math.sqrt(2.0 / N_MELS)
    basis[0] /= math.sqrt(2.0)
    return basis


def mfcc(samples: npt.NDArray[np.floating], rate: int, upper_hz: float | None = None) -> F64:
    """``(frames, N_CEPSTRA)`` normalised MFCCs of mono audio, one frame per ``HOP_SECONDS``
    (frame ``i`` centred at ``i * HOP_SECONDS``), computed at the audio's own rate with mel
    bands from ``MIN_HZ`` to ``upper_hz`` (default: ``upper_frequency(rate)``), so no
    resampling is needed."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    hop = HOP_SECONDS * rate
    width = round(WINDOW_SECONDS * rate)
    n_fft = fast_size(width)
    frames_count = max(1, math.ceil(x.size / hop))
    emphasised = np.append(x[:1], x[1:] - PRE_EMPHASIS * x[:-1]) if x.size else np.zeros(1)
    starts = np.round(hop * np.arange(frames_count)).astype(np.int64)
    padded = np.zeros(int(starts[-1]) + width, np.float32)
    padded[width // 2 : width // 2 + emphasised.size] = emphasised[: padded.size - width // 2]
    # Rows of a strided view: one copy of the frames, no index matrix.
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)[starts]
    spectrum = np.fft.rfft(windows * np.hamming(width), n_fft)  # float64: faster in pocketfft
    power = spectrum.real**2 + spectrum.imag**2
    upper = upper_frequency(rate) if upper_hz is None else upper_hz
    energies = power @ _mel_filters(rate, n_fft, upper).T
    cepstra = np.log(energies + 1e-10) @ _dct().T
    mean = cepstra.mean(axis=0)
    std = cepstra.std(axis=0) + 1e-8
    result: F64 = (cepstra - mean) / std
    return result


_BLOCK_ROWS = 128


def banded_dtw(reference: F64, query: F64, band: int) -> npt.NDArray[np.int64]:
    """The minimal-cost monotonic path from ``(0, 0)`` to ``(n-1, m-1)`` between feature rows
    (Euclidean frame distances), searched within ``band`` frames of the straight diagonal; as
    ``(k, 2)`` index pairs.

    Row ``i`` depends on itself through the horizontal step; with prefix sums ``S`` of the row's
    costs, ``D[i, j] = S[j] + cummin(A - S)[j]`` where ``A`` is the best entry from row ``i-1``,
    so each row is a handful of vector operations; costs come a block of rows at a time, and
    each cell keeps the step it came by, so the way back is a walk.
    """
    n, m = len(reference), len(query)
    band = max(band, math.ceil(max(m / n, n / m)) + 2)
    centre = np.arange(n) * ((m - 1) / max(n - 1, 1))
    lo = np.clip(np.floor(centre - band).astype(np.int64), 0, m - 1)
    hi = np.clip(np.ceil(centre + band).astype(np.int64) + 1, 1, m)
    lo[0], hi[-1] = 0, m
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # monotone band edges
    hi = np.maximum.accumulate(hi)
    width = int((hi - lo).max())
    lefts = np.zeros((n, width), bool)  # the cell came from (i, j-1)
    ups = np.zeros((n, width), bool)  # else from (i-1, j) if set, else (i-1, j-1)
    ref_sq = (reference**2).sum(axis=1)
    query_sq = (query**2).sum(axis=1)
    # The previous row by absolute column, shifted by one: index 0 is column -1 (always inf).
    previous = np.full(m + 1, np.inf)
    prev_a = prev_b = 0
    for first in range(0, n, _BLOCK_ROWS):
        last = min(first + _BLOCK_ROWS, n)
        a0, b0 = int(lo[first]), int(hi[last - 1])
        block = ref_sq[first:last, None] + query_sq[None, a0:b0]
        block -= 2.0 * (reference[first:last] @ query[a0:b0].T)
        costs = np.sqrt(np.maximum(block, 0.0))
        for i in range(first, last):
            a, b = int(lo[i]), int(hi[i])
            cost = costs[i - first, a - a0 : b - a0]
            if i == 0:
                entry = np.full(b - a, np.inf)
                entry[0] = cost[0]
                up = np.zeros(b - a, bool)
            else:
                vertical, diagonal = previous[a + 1 : b + 1], previous[a:b]
                up = vertical < diagonal
                entry = cost + np.minimum(vertical, diagonal)
            prefix = np.cumsum(cost)
            shifted = entry - prefix
            best = np.minimum.accumulate(shifted)
            np.less(best, shifted, out=lefts[i, : b - a])
            ups[i, : b - a] = up
            previous[prev_a + 1 : prev_b + 1] = np.inf
            previous[a + 1 : b + 1] = prefix + best
            prev_a, prev_b = a, b
    return _backtrack(lefts, ups, lo, m)


def _backtrack(
    lefts: npt.NDArray[np.bool_], ups: npt.NDArray[np.bool_], lo: npt.NDArray[np.int64], m: int
) -> npt.NDArray[np.int64]:
    i, j = len(lefts) - 1, m - 1
    path = [(i, j)]
    starts = lo.tolist()
    while i > 0 or j > 0:
        k = j - starts[i]
        if i == 0 or lefts[i, k]:
            j -= 1
        elif ups[i, k]:
            i -= 1
        else:
            i, j = i - 1, j - 1
        path.append((i, j))
    return np.asarray(path[::-1], dtype=np.int64)
