"""Reading uploaded recordings: any format libsndfile reads (WAV, FLAC, OGG Vorbis/Opus, ...)
to mono float32 at the file's own rate (the aligner copes with any rate)."""

from __future__ import annotations

import io

import numpy as np
import soundfile

from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.speech import FloatArray

FORMATS = "WAV, FLAC or OGG"


def read_audio(data: bytes, max_seconds: float | None = None) -> tuple[FloatArray, int]:
    """Samples (channels averaged) and sample rate of an audio file's bytes. ``Invalid`` for
    an empty or unreadable file or one with no samples; ``TooLarge`` past ``max_seconds``."""
    if not data:
        raise Invalid("the audio file is empty", field="audio")
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sound:
            rate = int(sound.samplerate)
            if max_seconds is not None and sound.frames > max_seconds * rate:
                raise TooLarge(
                    f"the audio lasts {sound.frames / rate:.1f} s; the limit is {max_seconds:g} s",
                    field="audio",
                )
            frames = sound.read(dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        detail = getattr(exc, "error_string", None) or str(exc)
        raise Invalid(f"unreadable audio file ({detail}); send {FORMATS}", field="audio") from None
    if frames.size == 0:
        raise Invalid("the audio file holds no samples", field="audio")
    mono: FloatArray = np.ascontiguousarray(frames.mean(axis=1), dtype=np.float32)
    return mono, rate
