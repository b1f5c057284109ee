"""One catalogue over Piper and espeak-ng: requests go to the engine of the voice they name,
the default is the neural voice, and espeak stands in (saying so) when there is none."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.adapters.tts.piper import PiperSynthesizer
from avatar_service.adapters.tts.voice_router import VoiceRouter
from avatar_service.contracts import SpeechSynthesizerContract
from avatar_service.core.errors import Invalid, NotFound
from avatar_service.core.ports import SsmlSynthesisRequest, SsmlSynthesizer, SynthesisRequest
from avatar_service.core.ssml_parser import parse_ssml

sys.path.insert(0, str(Path(__file__).parent))
from piper_voice import build_voice

NOTICE = "no neural voice: speaking with {voice}"


@pytest.fixture(scope="module")
def espeak() -> EspeakSynthesizer:
    return EspeakSynthesizer()


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory, espeak: EspeakSynthesizer) -> VoiceRouter:
    folder = tmp_path_factory.mktemp("voices")
    build_voice(folder, "en_US-tiny-test")
    piper = PiperSynthesizer(voices_dir=folder, cache_dir=folder / ".cache")
    return VoiceRouter([(piper, None), (espeak, "en-us")], fallback_notice=NOTICE)


class TestVoiceRouter(SpeechSynthesizerContract):
    @pytest.fixture
    def adapter(self, router: VoiceRouter) -> VoiceRouter:
        return router


def test_the_neural_voice_is_the_default_and_says_nothing(router: VoiceRouter) -> None:
    assert router.default_voice().voice_id == "en_US-tiny-test"
    assert router.synthesize(SynthesisRequest("Hello")).voice_id == "en_US-tiny-test"
    assert router.notices() == ()


def test_a_request_names_a_voice_of_either_engine(router: VoiceRouter) -> None:
    assert router.synthesize(SynthesisRequest("Hello", voice_id="en-us")).voice_id == "en-us"
    assert router.synthesize(SynthesisRequest("Hello", voice_id="en-us+f3")).voice_id == "en-us+f3"
    klatt = router.synthesize(SynthesisRequest("Hello", voice_id="en-us+klatt"))  # not listed
    assert klatt.voice_id == "en-us+klatt"
    voices = {v.voice_id: v for v in router.voices()}
    assert voices["en-us+f3"].gender == "female" and voices["en-us"].gender == "male"
    assert voices["en_US-tiny-test"].neural and not voices["en-us"].neural


def test_an_unknown_voice_lists_both_engines_voices(router: VoiceRouter) -> None:
    with pytest.raises(NotFound) as caught:
        router.synthesize(SynthesisRequest("Hello", voice_id="xx-nobody"))
    assert "en_US-tiny-test" in caught.value.message and "en-us+f3" in caught.value.message


def test_ssml_goes_to_espeak_and_plain_ssml_to_piper(router: VoiceRouter) -> None:
    assert isinstance(router, SsmlSynthesizer)
    marked = router.synthesize_ssml(
        SsmlSynthesisRequest(
            parse_ssml('<speak>Hi <break time="200ms"/> there</speak>'), voice_id="en-us"
        )
    )
    assert [w.text for w in marked.speech.words or ()] == ["Hi", "there"]
    assert "break" not in router.ssml_support(None).elements
    plain = parse_ssml("<speak>Hello there</speak>")
    spoken = router.synthesize_ssml(SsmlSynthesisRequest(plain))
    assert [(w.char_start, w.char_end) for w in spoken.speech.words or ()] == [(7, 12), (13, 18)]
    with pytest.raises(NotFound):
        router.ssml_support("xx-nobody")


def test_without_a_neural_voice_espeak_speaks_and_says_so(
    tmp_path: Path, espeak: EspeakSynthesizer
) -> None:
    piper = PiperSynthesizer(voices_dir=tmp_path)
    fallback = VoiceRouter([(piper, None), (espeak, "en-us")], fallback_notice=NOTICE)
    assert fallback.default_voice().voice_id == "en-us"
    assert fallback.synthesize(SynthesisRequest("Hello")).voice_id == "en-us"
    assert fallback.notices() == ("no neural voice: speaking with en-us",)
    fallback.check()


def test_a_default_voice_setting_wins(router: VoiceRouter, espeak: EspeakSynthesizer) -> None:
    piper = router._engines[0][0]
    chosen = VoiceRouter([(piper, None), (espeak, "en-us")], default_voice="de")
    assert chosen.synthesize(SynthesisRequest("Hallo")).voice_id == "de"
    with pytest.raises(Invalid):
        router.synthesize(SynthesisRequest("   "))
