"""The ``auto`` aligner sends each voice's speech to its language's aligner (English to
phonenet, every other language to dtw) and honours the Aligner contract as a whole."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from avatar_service.adapters.aligner.dtw import DtwAligner
from avatar_service.adapters.aligner.mock import MockAligner
from avatar_service.adapters.aligner.phonenet import PhoneNetAligner
from avatar_service.adapters.aligner.router import LanguageRouter, voice_language
from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.contracts import MULTILINGUAL_WORD_TEXTS, AlignerContract
from avatar_service.contracts.aligner import SpeechSample, VoicedSample, synthetic_speech
from avatar_service.contracts.truth_corpus import SENTENCES, Condition, TruthClip, truth_clips

sys.path.insert(0, str(Path(__file__).parent))
from joe_speech import joe_word_samples


@pytest.mark.parametrize(
    ("voice", "language"),
    [
        ("en_US-joe-medium", "en"),
        ("en-us", "en"),
        ("en-gb-scotland+f3", "en"),
        ("de+f3", "de"),
        ("cmn-latn-pinyin", "cmn"),
        ("fr", "fr"),
        ("", ""),
        ("x", ""),
    ],
)
def test_a_voice_ids_leading_subtag_is_its_language(voice: str, language: str) -> None:
    assert voice_language(voice) == language


def test_english_voices_go_to_the_english_aligner_and_others_to_the_fallback() -> None:
    english, other = MockAligner(), MockAligner()
    router = LanguageRouter({"en": english}, other, default_voice="en-us")
    assert router.chosen("en_US-joe-medium") is english
    assert router.chosen(None) is english
    assert router.chosen("de") is other
    assert LanguageRouter({"en": english}, other, default_voice="de").chosen(None) is other


@pytest.fixture(scope="module")
def clip() -> TruthClip:
    heldout = [s for s in SENTENCES if s.sentence_id == "h03"]
    return truth_clips("heldout", [Condition(1.0, 16000)], sentences=heldout)[0]


class TestAutoAligner(AlignerContract):
    """English words spoken by joe go to phonenet (which rightly refuses the contract's
    synthetic tone bursts as English words); the other languages' to dtw."""

    @pytest.fixture(scope="class")
    @classmethod
    def word_samples(cls) -> list[VoicedSample]:
        other = [
            (np.tile(synthetic_speech(16000), 1 + len(text.split()) // 3), 16000, text, voice)
            for voice, text in MULTILINGUAL_WORD_TEXTS
        ]
        return [*joe_word_samples(), *other]

    @pytest.fixture
    def adapter(self) -> LanguageRouter:
        return LanguageRouter(
            {"en": PhoneNetAligner()}, DtwAligner(EspeakSynthesizer(), "en-us"), "en-us"
        )

    @pytest.fixture
    def speech_sample(self, clip: TruthClip) -> SpeechSample:
        return clip.samples, clip.sample_rate, clip.text
