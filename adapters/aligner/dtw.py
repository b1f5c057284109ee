"""Forced alignment by resynthesis and dynamic time warping (the aeneas method, phoneme-level).

The transcript is spoken by a reference synthesizer whose phoneme and word timings are exact;
MFCCs of the reference and of the audio are warped onto each other (banded DTW), and every
reference boundary is carried across the warp path into the audio's time.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.aligner.dtw_features import (
    HOP_SECONDS,
    banded_dtw,
    mfcc,
    upper_frequency,
)
from avatar_service.adapters.aligner.inputs import checked_samples
from avatar_service.core.errors import Invalid, NotFound
from avatar_service.core.ports import Aligner, SpeechSynthesizer, SynthesisRequest
from avatar_service.core.speech import (
    Alignment,
    FloatArray,
    Speech,
    check_timings,
)
from avatar_service.core.words import retime

MIN_WORD_SECONDS = 0.08
"""No one speaks a word faster: checked before any synthesis, so a huge transcript for a short
clip fails at once."""
MAX_DURATION_RATIO = 6.0

"""Transcript spoken by the reference vs the audio: beyond this factor either way the
transcript cannot be this audio's."""
_WORDS = re.compile(r"\w+")


class DtwAligner(Aligner):
    """Aligns audio to its transcript through a reference ``SpeechSynthesizer`` (espeak by
    default) that reports exact timings. Stateless apart from the synthesizer; thread-safe when
    it is."""

    PLUGIN_NAME = "dtw"

    def __init__(
        self,
        reference: SpeechSynthesizer,
        reference_voice: str | None = None,
        band_seconds: float = 1.5,
    ) -> None:
        self._reference = reference
        self._voice = reference_voice
        self._band = max(1, round(band_seconds / HOP_SECONDS))

    def check(self) -> None:
        self._reference.check()

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment:
        """Phonemes and words of ``text`` in ``samples``. ``voice_id`` picks the reference
        voice when the reference synthesizer has it; otherwise the configured one is used."""
        audio = checked_samples(samples, sample_rate, 2 * HOP_SECONDS)
        if not isinstance(text, str) or not text.strip():
            raise Invalid("text must contain at least one non-space character", field="text")
        duration = audio.size / sample_rate
        if len(_WORDS.findall(text)) * MIN_WORD_SECONDS > MAX_DURATION_RATIO * duration:
            raise Invalid(
                f"the transcript has too many words for {duration:.2f} s of audio; "
                "it cannot be this audio's text",
                field="text",
            )
        speech = self._speak(text, voice_id)
        if speech.phonemes is None or speech.words is None:
            raise Invalid("the reference voice gives no timings to carry over", field="voice")
        ratio = speech.duration / duration
        if not 1 / MAX_DURATION_RATIO <= ratio <= MAX_DURATION_RATIO:
            raise Invalid(
                f"the transcript takes {speech.duration:.2f} s to say but the audio lasts "
                f"{duration:.2f} s; it cannot be this audio's text",
                field="text",
            )
        upper = upper_frequency(speech.sample_rate, sample_rate)
        ref_features = mfcc(speech.samples, speech.sample_rate, upper)
        audio_features = mfcc(audio, sample_rate, upper)
        path = banded_dtw(ref_features, audio_features, self._band)
        warp = _warp_function(path, len(ref_features))

        def carry(seconds: float) -> float:
            frame = np.interp(seconds / HOP_SECONDS, np.arange(len(warp)), warp)
            return float(min(max(frame * HOP_SECONDS, 0.0), duration))

        alignment = retime(Alignment(speech.phonemes, speech.words), carry, duration)
        check_timings(alignment.phonemes, duration)
        check_timings(alignment.words, duration)
        return alignment

    def _speak(self, text: str, voice_id: str | None) -> Speech:
        """The transcript in the reference voice: ``voice_id`` if the reference has it, else
        its language (``de_DE-thorsten-medium`` -> ``de-de``, ``de``), else the configured
        voice."""
        candidates: list[str] = []
        if voice_id:
            language = voice_id.split("-")[0].replace("_", "-").lower()
            candidates = [voice_id, language, language.split("-")[0]]
        for candidate in dict.fromkeys(candidates):
            try:
                return self._reference.synthesize(SynthesisRequest(text, voice_id=candidate))
            except NotFound:
                continue
        return self._reference.synthesize(SynthesisRequest(text, voice_id=self._voice))


def _warp_function(path: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.float64]:
    """For each reference frame, the audio frame it maps to: the middle of the run of audio
    frames the path pairs with it. Non-decreasing because the path is monotonic."""
    first = np.full(n, np.inf)
    last = np.full(n, -np.inf)
    np.minimum.at(first, path[:, 0], path[:, 1])
    np.maximum.at(last, path[:, 0], path[:, 1])
    result: npt.NDArray[np.float64] = (first + last) / 2.0
    return result
