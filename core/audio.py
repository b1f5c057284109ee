"""PCM WAV encoding and decoding (standard library ``wave``; no codec dependency in the core),
and the sample rates a recording may have."""

from __future__ import annotations

import io
import wave

import numpy as np

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import FloatArray

MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 192_000
"""The sample rates a recording or a live stream may have (Hz): telephone audio runs at 8 kHz,
studio audio at most at 192 kHz. A rate outside them comes from a damaged or hostile file:
2 KB declaring 2 Hz would be 500 s of audio to recognise."""


def check_sample_rate(rate: int, field: str) -> None:
    """``Invalid`` (``field``) unless ``rate`` lies within the sample rates recorders use."""
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise Invalid(
            f"the sample rate is {rate} Hz; it must be between {MIN_SAMPLE_RATE} and "
            f"{MAX_SAMPLE_RATE} Hz",
            field=field,
        )


def pcm16(samples: FloatArray) -> bytes:
    """Raw signed 16-bit little-endian PCM; samples are clipped to [-1, 1]."""
    return bytes((np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes())


def encode_wav(samples: FloatArray, sample_rate: int) -> bytes:
    """Mono 16-bit PCM WAV bytes; samples are clipped to [-1, 1]."""
    pcm = pcm16(samples)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def decode_wav(data: bytes) -> tuple[FloatArray, int]:
    """Samples (mono float32, channels averaged) and rate of a PCM WAV; ``Invalid`` otherwise."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise Invalid(f"not a readable PCM WAV file: {exc}", field="audio") from None
    if width not in (1, 2, 4):
        raise Invalid(f"unsupported WAV sample width {width * 8} bits", field="audio")
    if width == 1:
        ints = np.frombuffer(frames, dtype=np.uint8).astype(np.float32) - 128.0
        scale = 128.0
    else:
        ints = np.frombuffer(frames, dtype=f"<i{width}").astype(np.float32)
        scale = float(2 ** (8 * width - 1))
    samples = (ints / scale).reshape(-1, channels).mean(axis=1).astype(np.float32)
    return samples, rate
