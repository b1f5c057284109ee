"""A talking video's frame of time: a short rest before the speech, a settle to a closed
mouth after it, and the mouth curves the renderer blends over the whole of it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from avatar_service.core.audio import decode_wav, encode_wav
from avatar_service.core.curves import build_curves
from avatar_service.core.speech import TimedPhoneme, Timeline, VisemeCue
from avatar_service.core.visemes import resolve_set

LEAD_IN = 0.15
"""Seconds of rest before the first sound of a talking video."""
SETTLE = 0.35
"""Seconds after the last sound in which the mouth settles closed."""


def framed(
    wav: bytes, timeline: Timeline, phonemes: Sequence[TimedPhoneme], fps: int
) -> tuple[bytes, Timeline]:
    """The audio and timeline of a talking video: ``LEAD_IN`` seconds of rest before the
    speech and ``SETTLE`` after it (silence in the audio, a closing mouth in the picture),
    with ``oculus`` mouth curves at ``fps`` over the whole of it."""
    samples, rate = decode_wav(wav)
    lead, settle = round(LEAD_IN * rate), round(SETTLE * rate)
    padded = np.concatenate(
        [np.zeros(lead, np.float32), samples.astype(np.float32), np.zeros(settle, np.float32)]
    )
    offset = lead / rate
    duration = len(padded) / rate
    cues = [VisemeCue(c.viseme, c.start + offset, c.end + offset) for c in timeline.visemes]
    if cues and cues[0].viseme == "sil":
        cues[0] = VisemeCue("sil", 0.0, cues[0].end)
    else:
        cues.insert(0, VisemeCue("sil", 0.0, offset))
    if cues[-1].viseme == "sil":
        cues[-1] = VisemeCue("sil", cues[-1].start, duration)
    else:
        cues.append(VisemeCue("sil", cues[-1].end, duration))
    shifted = [
        TimedPhoneme(p.symbol, p.start + offset, p.end + offset, p.arpabet, p.stress)
        for p in phonemes
    ]
    oculus = resolve_set("oculus")
    mouth = build_curves(shifted, duration, [oculus], fps)["oculus"]
    framed = Timeline(
        duration,
        tuple(cues),
        tuple((start + offset, name) for start, name in timeline.expressions),
        tuple((start + offset, name) for start, name in timeline.gestures),
        mouth=mouth,
    )
    return encode_wav(padded, rate), framed
