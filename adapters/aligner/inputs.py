"""Checks every aligner makes on its input before any work."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import FloatArray
from avatar_service.core.words import text_words


def checked_samples(
    samples: FloatArray, sample_rate: int, min_seconds: float
) -> npt.NDArray[np.float64]:
    """``samples`` as a flat float64 array (NaN and infinities zeroed); ``Invalid`` for a
    non-integer or non-positive rate, or audio under ``min_seconds``."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
        raise Invalid(f"sample_rate must be an integer, got {sample_rate!r}", field="sample_rate")
    if sample_rate <= 0:
        raise Invalid(f"sample_rate must be positive, got {sample_rate}", field="sample_rate")
    audio = np.nan_to_num(np.asarray(samples, dtype=np.float64).reshape(-1))
    if audio.size == 0:
        raise Invalid("the audio holds no samples", field="audio")
    if audio.size < min_seconds * sample_rate:
        raise Invalid(
            f"the audio is too short to align (under {min_seconds * 1000:g} ms)", field="audio"
        )
    return audio


def checked_audio(samples: FloatArray, sample_rate: int, text: str) -> npt.NDArray[np.float64]:
    """``checked_samples`` of at least 100 ms; ``Invalid`` too for a text without words."""
    audio = checked_samples(samples, sample_rate, 0.1)
    if not isinstance(text, str) or not text.strip() or not text_words(text):
        raise Invalid("text must contain at least one word", field="text")
    return audio
