"""Recording conditions for truth clips: resampling, added noise and a room reverb (numpy only,
deterministic: every random draw comes from a seed the caller gives). None of them moves a
sound in time, so the clip's true times stay true."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]


def resample(samples: npt.NDArray[np.floating], rate: int, target: int) -> F32:
    """``samples`` at ``rate`` as ``target`` Hz: band-limited (FFT) resampling of the clip
    padded with silence to a length whose FFTs are fast and whose new length is exact, so there
    is no wrap-around and no drift; length ``round(n * target / rate)``."""
    x = np.asarray(samples, np.float64).reshape(-1)
    if rate == target:
        return x.astype(np.float32)
    common = math.gcd(rate, target)
    up, down = target // common, rate // common
    pad = down * max(1, rate // (10 * down))  # ~100 ms, a whole number of output samples
    blocks = 1 << max(0, math.ceil(math.log2((x.size + 2 * pad) / down)))
    n_in, n_out = down * blocks, up * blocks
    padded = np.zeros(n_in)
    padded[pad : pad + x.size] = x
    spectrum = np.fft.rfft(padded)
    bins = n_out // 2 + 1
    out_spectrum = np.zeros(bins, np.complex128)
    keep = min(bins, spectrum.size)
    out_spectrum[:keep] = spectrum[:keep]
    if target < rate:  # a gentle roll-off in the top 5 % of the new band, no ringing edge
        taper = max(1, keep // 20)
        out_spectrum[keep - taper : keep] *= np.linspace(1.0, 0.0, taper)
    y = np.fft.irfft(out_spectrum, n_out) * (n_out / n_in)
    start = pad * up // down
    length = round(x.size * target / rate)
    return np.clip(y[start : start + length], -1.0, 1.0).astype(np.float32)


def pink_noise(size: int, seed: int) -> F64:
    """``size`` samples of 1/f noise with unit RMS."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(size))
    spectrum[1:] /= np.sqrt(np.arange(1, spectrum.size))
    spectrum[0] = 0.0
    noise = np.fft.irfft(spectrum, size)
    rms = float(np.sqrt(np.mean(noise**2))) or 1.0
    return noise / rms


def speech_rms(samples: npt.NDArray[np.floating], rate: int) -> float:
    """RMS over the 20 ms frames louder than 1/30 of the loudest (the speech, not the pauses)."""
    x = np.asarray(samples, np.float64).reshape(-1)
    frame = max(1, rate // 50)
    count = x.size // frame
    if count == 0:
        return float(np.sqrt(np.mean(x**2))) if x.size else 0.0
    energies = np.mean(x[: count * frame].reshape(count, frame) ** 2, axis=1)
    active = energies[energies > energies.max() / 900.0]
    return float(np.sqrt(np.mean(active)))


def add_noise(samples: npt.NDArray[np.floating], rate: int, snr_db: float, seed: int) -> F32:
    """``samples`` plus pink noise ``snr_db`` below the speech level."""
    x = np.asarray(samples, np.float64).reshape(-1)
    level = speech_rms(x, rate) / (10 ** (snr_db / 20))
    return np.clip(x + level * pink_noise(x.size, seed), -1.0, 1.0).astype(np.float32)


def room_impulse(rate: int, rt60: float, seed: int) -> F64:
    """A synthetic room: the direct sound at time 0, a few early reflections (5-25 ms) and an
    exponentially decaying diffuse tail reaching -60 dB after ``rt60`` seconds."""
    rng = np.random.default_rng(seed)
    size = int(rt60 * rate)
    t = np.arange(size) / rate
    tail = rng.standard_normal(size) * np.exp(-6.9 * t / rt60)
    tail[: int(0.005 * rate)] = 0.0
    response = 0.25 * tail / (np.sqrt(np.sum(tail**2)) or 1.0)
    for delay, gain in zip(rng.uniform(0.005, 0.025, 4), rng.uniform(0.2, 0.5, 4), strict=True):
        response[int(delay * rate)] += gain * rng.choice((-1.0, 1.0))
    response[0] = 1.0
    return response


def add_reverb(samples: npt.NDArray[np.floating], rate: int, rt60: float, seed: int) -> F32:
    """``samples`` in the room of ``room_impulse`` (same length: the tail past the end is cut;
    level matched to the dry speech)."""
    x = np.asarray(samples, np.float64).reshape(-1)
    response = room_impulse(rate, rt60, seed)
    size = x.size + response.size - 1
    n_fft = 1 << (size - 1).bit_length()
    wet = np.fft.irfft(np.fft.rfft(x, n_fft) * np.fft.rfft(response, n_fft), n_fft)[: x.size]
    gain = speech_rms(x, rate) / (speech_rms(wet, rate) or 1.0)
    return np.clip(wet * gain, -1.0, 1.0).astype(np.float32)
