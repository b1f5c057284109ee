"""Uploaded recordings to samples: libsndfile first (WAV, FLAC, OGG), ffmpeg for the rest (MP3,
...). Shared by the HTTP routes and the CLI."""

from __future__ import annotations

import numpy as np

from avatar_service.adapters.aligner.dtw_audio import read_audio
from avatar_service.adapters.tts.transcode import decode_to_pcm
from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.speech import FloatArray

FFMPEG_RATE = 16000
"""Rate of audio decoded by ffmpeg (what the recogniser works at)."""


def decode_recording(
    data: bytes, max_seconds: float, ffmpeg_path: str | None = None
) -> tuple[FloatArray, int]:
    """Mono float32 samples and their rate. ``Invalid`` (field ``audio``) for an empty file or
    one that is not audio, ``TooLarge`` past ``max_seconds``."""
    try:
        return read_audio(data, max_seconds)
    except Invalid:
        if not data:
            raise
    pcm = decode_to_pcm(data, FFMPEG_RATE, ffmpeg_path)
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
    seconds = len(samples) / FFMPEG_RATE
    if seconds > max_seconds:
        raise TooLarge(
            f"the audio lasts {seconds:.1f} s; the limit is {max_seconds:g} s", field="audio"
        )
    return samples, FFMPEG_RATE
