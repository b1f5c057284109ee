"""An avatar's voice: the best installed voice for its gender and language, neural first."""

from __future__ import annotations

from avatar_service.core.speech import Voice
from avatar_service.core.voice_choice import choose_voice, language_match

JOE = Voice(
    "en_US-joe-medium", "joe", "en_US", "piper", 22050, "male", neural=True, quality="medium"
)
AMY = Voice("en_US-amy-low", "amy", "en_US", "piper", 16000, "female", neural=True, quality="low")
ESPEAK_M = Voice("en-us", "English (America)", "en-us", "espeak", 22050, "male", quality="formant")
ESPEAK_F = Voice(
    "en-us+f3", "English (America) (female)", "en-us", "espeak", 22050, "female", quality="formant"
)
GERMAN_F = Voice("de+f3", "German (female)", "de", "espeak", 22050, "female", quality="formant")


def test_neural_comes_before_formant_even_of_the_other_gender() -> None:
    assert choose_voice([ESPEAK_M, ESPEAK_F, JOE], "female", "en") == JOE


def test_a_neural_voice_of_the_wanted_gender_wins() -> None:
    assert choose_voice([ESPEAK_F, JOE, AMY], "female", "en") == AMY
    assert choose_voice([ESPEAK_F, JOE, AMY], "male", "en") == JOE


def test_among_formant_voices_the_gender_decides() -> None:
    assert choose_voice([ESPEAK_M, ESPEAK_F], "female", "en") == ESPEAK_F
    assert choose_voice([ESPEAK_F, ESPEAK_M], "male", "en") == ESPEAK_M


def test_the_language_comes_first() -> None:
    assert choose_voice([JOE, GERMAN_F], "female", "de") == GERMAN_F
    assert choose_voice([JOE, ESPEAK_F], None, "fr") is None


def test_quality_breaks_a_tie_between_neural_voices() -> None:
    better = Voice(
        "en_US-x-high", "x", "en_US", "piper", 22050, "male", neural=True, quality="high"
    )
    assert choose_voice([JOE, better], "male", "en") == better


def test_language_codes_match_across_spellings() -> None:
    assert language_match("en_US", "en-us") == 2
    assert language_match("en-gb", "en") == 2
    assert language_match("en-gb", "en-us") == 1
    assert language_match("de", "en") == 0


def test_the_region_decides_between_otherwise_equal_voices() -> None:
    british = Voice(
        "en-gb+f3", "English (female)", "en-gb", "espeak", 22050, "female", quality="formant"
    )
    assert choose_voice([british, ESPEAK_F], "female", "en-us") == ESPEAK_F
    assert choose_voice([ESPEAK_F, british], "female", "en-gb") == british


def test_a_female_neural_voice_of_another_region_beats_a_male_one_of_the_region() -> None:
    alba = Voice(
        "en_GB-alba-medium",
        "alba",
        "en_GB",
        "piper",
        22050,
        "female",
        neural=True,
        quality="medium",
    )
    assert choose_voice([JOE, alba], "female", "en-us") == alba
