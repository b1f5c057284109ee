"""espeak-ng reading SSML natively: marks come back as timed events, breaks and prosody change
the audio, say-as spells, and word offsets point into the SSML the caller sent."""

from __future__ import annotations

import pytest

from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.core.errors import NotFound
from avatar_service.core.ports import SsmlSynthesisRequest, SsmlSynthesizer
from avatar_service.core.speech import check_timings
from avatar_service.core.ssml_parser import parse_ssml


@pytest.fixture(scope="module")
def espeak() -> EspeakSynthesizer:
    return EspeakSynthesizer()


def _duration(espeak: EspeakSynthesizer, source: str) -> float:
    return espeak.synthesize_ssml(SsmlSynthesisRequest(parse_ssml(source))).speech.duration


def test_espeak_declares_the_whole_subset(espeak: EspeakSynthesizer) -> None:
    assert isinstance(espeak, SsmlSynthesizer)
    support = espeak.ssml_support("en-us")
    assert support.elements == {"break", "prosody", "say-as", "mark"}
    assert "characters" in support.say_as
    with pytest.raises(NotFound):
        espeak.ssml_support("no-such-voice")


def test_marks_are_timed_events_in_order_even_where_espeak_drops_one(
    espeak: EspeakSynthesizer,
) -> None:
    source = '<speak><mark name="start"/>Hello there. <mark name="mid"/>Good bye.</speak>'
    marked = espeak.synthesize_ssml(SsmlSynthesisRequest(parse_ssml(source), voice_id="en-us"))
    names = [m.name for m in marked.marks]
    assert names == ["start", "mid"]
    start, mid = marked.marks
    assert start.time == pytest.approx(0.0, abs=0.02)
    bye = next(w for w in marked.speech.words or () if w.text == "Good")
    there = next(w for w in marked.speech.words or () if w.text.startswith("there"))
    assert there.end - 0.01 <= mid.time <= bye.start + 0.01
    assert mid.time <= marked.speech.duration


def test_words_point_into_the_ssml_source(espeak: EspeakSynthesizer) -> None:
    source = (
        '<speak>Tom <break time="200ms"/>&amp; <prosody rate="slow">Jerry</prosody> '
        '<say-as interpret-as="characters">AB</say-as> ran.</speak>'
    )
    speech = espeak.synthesize_ssml(SsmlSynthesisRequest(parse_ssml(source))).speech
    words = speech.words or ()
    # "&" is a symbol, not a word: its "and" is timed with the word before it
    assert [source[w.char_start : w.char_end] for w in words] == ["Tom", "Jerry", "AB", "ran"]
    check_timings(words, speech.duration)
    check_timings(speech.phonemes or (), speech.duration)


def test_breaks_and_prosody_change_the_audio(espeak: EspeakSynthesizer) -> None:
    plain = _duration(espeak, "<speak>One two.</speak>")
    paused = _duration(espeak, '<speak>One <break time="1s"/>two.</speak>')
    slow = _duration(espeak, '<speak><prosody rate="x-slow">One two.</prosody></speak>')
    assert paused - plain == pytest.approx(1.0, abs=0.25)
    assert slow > plain * 1.3


def test_say_as_characters_spells_the_word_out(espeak: EspeakSynthesizer) -> None:
    word = _duration(espeak, "<speak>cat</speak>")
    spelt = espeak.synthesize_ssml(
        SsmlSynthesisRequest(
            parse_ssml('<speak><say-as interpret-as="characters">cat</say-as></speak>')
        )
    )
    symbols = "".join(p.symbol for p in spelt.speech.phonemes or ())
    assert spelt.speech.duration > word * 1.2
    assert "eɪ" in symbols and "iː" in symbols  # "see ay tee", not "cat"
