"""Real neural speech with true timings for recognition tests: the truth corpus voice
(``contracts.truth_corpus.TruthVoice``, Piper en_US-joe-medium, deterministic) as a ``Speech``
whose phonemes and words are the true ones."""

from __future__ import annotations

import numpy as np

from avatar_service.contracts.truth_corpus import TruthVoice
from avatar_service.core.speech import Speech, TimedPhoneme, TimedWord


def joe_speech(text: str, length_scale: float = 1.0) -> Speech:
    voice = TruthVoice()
    samples, phones, words = voice.speak(text, length_scale)
    return Speech(
        np.asarray(samples, dtype=np.float32),
        voice.sample_rate,
        "en_US-joe-medium",
        phonemes=tuple(TimedPhoneme(p.symbol, p.onset, p.end) for p in phones),
        words=tuple(TimedWord(w.text, w.onset, w.end, w.char_start, w.char_end) for w in words),
    )
