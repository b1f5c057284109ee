"""The embedded espeak-ng synthesizer honours the SpeechSynthesizer contract, with exact
timings from the engine's events."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.adapters.tts.espeak_data import STEADY_VARIANT
from avatar_service.adapters.tts.espeak_library import EspeakLibrary
from avatar_service.contracts import (
    MULTILINGUAL_WORD_TEXTS,
    WORD_TEXTS,
    SpeechSynthesizerContract,
)
from avatar_service.core.errors import NotFound
from avatar_service.core.ports import SsmlSynthesisRequest, SynthesisRequest
from avatar_service.core.speech import SynthesisOptions
from avatar_service.core.ssml_parser import parse_ssml


@pytest.fixture(scope="module")
def espeak() -> EspeakSynthesizer:
    return EspeakSynthesizer()


class TestEspeakSynthesizer(SpeechSynthesizerContract):
    @pytest.fixture
    def adapter(self, espeak: EspeakSynthesizer) -> EspeakSynthesizer:
        return espeak

    @pytest.fixture
    def word_texts(self) -> tuple[tuple[str | None, str], ...]:
        return WORD_TEXTS + MULTILINGUAL_WORD_TEXTS


def test_voices_include_english_and_german(espeak: EspeakSynthesizer) -> None:
    ids = {v.voice_id for v in espeak.voices()}
    assert {"en-us", "de", "fr"} <= ids
    assert len(ids) > 50


def test_word_offsets_slice_unicode_text_and_numbers_stay_one_word(
    espeak: EspeakSynthesizer,
) -> None:
    text = "Grüße, café 42 dogs."
    speech = espeak.synthesize(SynthesisRequest(text, voice_id="en-us"))
    assert speech.words is not None
    assert [w.text for w in speech.words] == ["Grüße", "café", "42", "dogs"]
    assert [(w.char_start, w.char_end) for w in speech.words] == [
        (0, 5),
        (7, 11),
        (12, 14),
        (15, 19),
    ]


def test_phonemes_are_ipa_with_stress_separate_and_arpabet(espeak: EspeakSynthesizer) -> None:
    speech = espeak.synthesize(SynthesisRequest("Hello there", voice_id="en-us"))
    assert speech.phonemes is not None
    symbols = [p.symbol for p in speech.phonemes]
    assert symbols[:4] == ["h", "ə", "l", "oʊ"]
    assert all("ˈ" not in s and "ˌ" not in s for s in symbols)
    hello_o = speech.phonemes[3]
    assert hello_o.stress == 1
    assert hello_o.arpabet == "OW1"


def test_timings_follow_the_audio_energy(espeak: EspeakSynthesizer) -> None:
    """The leading and trailing silence carry no phoneme: the first phoneme starts where the
    audio gets loud and the last ends where it goes quiet (within 30 ms)."""
    speech = espeak.synthesize(SynthesisRequest("Good morning everyone.", voice_id="en-us"))
    assert speech.phonemes is not None
    loud = np.flatnonzero(np.abs(speech.samples) > 0.02)
    first, last = loud[0] / speech.sample_rate, loud[-1] / speech.sample_rate
    assert abs(speech.phonemes[0].start - first) < 0.03
    assert abs(speech.phonemes[-1].end - last) < 0.06


def test_rate_option_shortens_speech(espeak: EspeakSynthesizer) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    normal = espeak.synthesize(SynthesisRequest(text)).duration
    fast = espeak.synthesize(SynthesisRequest(text, options=SynthesisOptions(rate=2.0))).duration
    assert fast < 0.65 * normal


def test_german_voice_speaks_german(espeak: EspeakSynthesizer) -> None:
    words = espeak.phonemize("Schön", "de")
    assert words[0].text == "Schön"
    assert "ø" in "".join(words[0].phonemes)


def test_voice_ids_are_case_insensitive_and_unknown_ones_listed(
    espeak: EspeakSynthesizer,
) -> None:
    assert espeak.synthesize(SynthesisRequest("hi", voice_id="EN-US")).voice_id == "en-us"
    with pytest.raises(NotFound, match="en-us"):
        espeak.synthesize(SynthesisRequest("hi", voice_id="xx-nowhere"))


def test_alternating_voices_each_speak_their_own_language(espeak: EspeakSynthesizer) -> None:
    german = "".join(espeak.phonemize("Schön", "de")[0].phonemes)
    english = [
        p.symbol
        for p in espeak.synthesize(SynthesisRequest("Hello there", voice_id="en-us")).phonemes or ()
    ]
    for _ in range(2):  # a loaded voice is kept between calls; a change of voice must show
        assert "".join(espeak.phonemize("Schön", "de")[0].phonemes) == german
        assert [
            p.symbol for p in espeak.synthesize(SynthesisRequest("Hello there")).phonemes or ()
        ] == english
        espeak.synthesize_ssml(
            SsmlSynthesisRequest(parse_ssml("<speak>Guten Tag</speak>"), voice_id="de")
        )


def test_a_voice_variant_changes_the_sound_not_the_phonemes(espeak: EspeakSynthesizer) -> None:
    plain = espeak.synthesize(SynthesisRequest("Hello there", voice_id="en-us"))
    female = espeak.synthesize(SynthesisRequest("Hello there", voice_id="en-us+f3"))
    assert female.voice_id == "en-us+f3"
    assert [p.symbol for p in female.phonemes or ()] == [p.symbol for p in plain.phonemes or ()]
    assert len(female.samples) != len(plain.samples) or not np.array_equal(
        female.samples, plain.samples
    )
    with pytest.raises(NotFound, match="variant"):
        espeak.synthesize(SynthesisRequest("Hello", voice_id="en-us+nosuch"))


def test_the_same_text_gives_the_same_samples_whatever_was_spoken_before(
    espeak: EspeakSynthesizer,
) -> None:
    """espeak-ng's pitch flutter and roughness carry over from call to call; the steady
    variant every plain voice is loaded with removes both."""
    text = "The jar is on the kitchen shelf, in the morning."
    first = espeak.synthesize(SynthesisRequest(text))
    espeak.synthesize(SynthesisRequest("Hallo Welt, wie geht es dir heute?", voice_id="de"))
    espeak.synthesize(
        SynthesisRequest("A much longer sentence, to move any state the engine keeps along.")
    )
    for _ in range(3):
        again = espeak.synthesize(SynthesisRequest(text))
        assert np.array_equal(again.samples, first.samples)
        assert again.phonemes == first.phonemes and again.words == first.words


def test_variants_named_by_the_caller_still_load_and_the_steady_one_is_not_listed(
    espeak: EspeakSynthesizer,
) -> None:
    assert (
        espeak.synthesize(SynthesisRequest("Hello there.", voice_id="en-us+f3")).voice_id
        == "en-us+f3"
    )
    assert "f3" in EspeakLibrary().variants()
    assert STEADY_VARIANT not in EspeakLibrary().variants()
