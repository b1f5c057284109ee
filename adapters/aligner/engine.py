"""The ``engine`` aligner: the synthesizer's own timings, passed through.

When speech comes from an engine that reports timings, the lip-sync use case never calls an
aligner. This one serves the other callers (``/v1/phonemes/timing`` with audio, ``avatar
align``) with the engine's timings for the transcript, stretched onto the audio's length: exact
for audio the same engine made, a rough guide for anything else (use ``dtw`` for recordings).
"""

from __future__ import annotations

import numpy as np

from avatar_service.core.errors import Invalid
from avatar_service.core.ports import Aligner, SpeechSynthesizer, SynthesisRequest
from avatar_service.core.speech import Alignment, FloatArray
from avatar_service.core.words import retime


class EngineAligner(Aligner):
    """Timings from ``synthesizer`` scaled by audio duration / synthesised duration."""

    PLUGIN_NAME = "engine"

    def __init__(self, synthesizer: SpeechSynthesizer) -> None:
        self._synthesizer = synthesizer

    def check(self) -> None:
        self._synthesizer.check()

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
            raise Invalid("sample_rate must be an integer", field="sample_rate")
        if sample_rate <= 0:
            raise Invalid(f"sample_rate must be positive, got {sample_rate}", field="sample_rate")
        count = int(np.asarray(samples).size)
        if count == 0:
            raise Invalid("the audio holds no samples", field="audio")
        if not isinstance(text, str) or not text.strip():
            raise Invalid("text must contain at least one non-space character", field="text")
        duration = count / sample_rate
        if len(text.split()) * 0.08 > 6 * duration:
            raise Invalid(
                f"the transcript is far too long for {duration:.2f} s of audio", field="text"
            )
        speech = self._synthesizer.synthesize(SynthesisRequest(text, voice_id=voice_id))
        if speech.phonemes is None or speech.words is None:
            raise Invalid(
                f"voice {speech.voice_id} reports no timings; configure the dtw aligner",
                field="voice",
            )
        scale = duration / speech.duration
        return retime(
            Alignment(speech.phonemes, speech.words), lambda t: min(t * scale, duration), duration
        )
