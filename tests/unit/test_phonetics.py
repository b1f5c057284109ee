"""Phonetic features and the shape classes they give: every sound of every language lands on
a mouth shape, explicit tables first."""

from __future__ import annotations

import pytest

from avatar_service.core.phonetics import (
    Consonant,
    Vowel,
    features,
    is_bilabial_closure,
    is_silence,
    shape_class,
)
from avatar_service.core.visemes import viseme_for


@pytest.mark.parametrize(
    ("symbol", "shape"),
    [
        ("dʲ", "DD"),  # Russian palatalised consonants
        ("tʲ", "DD"),
        ("ʲ", "ih"),  # a lone palatalisation mark sounds like j
        ("ʷ", "ou"),
        ("ʁ", "RR"),  # French
        ("ɛ̃", "E"),
        ("ɔ̃", "oh"),
        ("ɥ", "ou"),
        ("β", "PP"),  # Spanish
        ("ɣ", "kk"),
        ("ɲ", "nn"),
        ("ʎ", "nn"),
        ("tɕ", "CH"),  # an affricate shows its release
        ("ts", "SS"),
        ("pf", "FF"),
        ("ç", "CH"),
        ("ɑu", "aa"),  # a diphthong starts on its first vowel
        ("s.", "SS"),  # boundary marks do not matter
        ("ʋ", "FF"),
        ("ɯ", "ou"),
        ("ʈ", "DD"),
    ],
)
def test_sounds_of_many_languages_get_a_shape(symbol: str, shape: str) -> None:
    assert shape_class(symbol) == shape


@pytest.mark.parametrize("symbol", ["", "_", "sil", "pau", "˥˩", "|", "ʔ"])
def test_silence_and_the_glottal_stop_are_sil(symbol: str) -> None:
    assert shape_class(symbol) == "sil"


def test_a_symbol_with_no_known_letter_is_a_neutral_shape_not_silence() -> None:
    assert shape_class("☃") == "E"
    assert not is_silence("☃")


def test_features_read_place_manner_rounding_and_height() -> None:
    assert features("ˈpʲ") == Consonant("bilabial", "stop")
    assert features("yː") == Vowel(0, 0, True)
    assert features("ɔ̃") == Vowel(4, 2, True)
    assert features("☃") is None


def test_bilabial_closures_are_p_b_m_with_any_marks() -> None:
    assert all(is_bilabial_closure(s) for s in ("p", "b", "m", "pʲ", "mː", "ɓ", "pʰ"))
    assert not any(is_bilabial_closure(s) for s in ("f", "β", "w", "ɱ"))


def test_the_explicit_table_wins_over_features() -> None:
    assert viseme_for("ɔɪ", "azure") == "10"  # a diphthong of its own in Azure's table
    assert viseme_for("tɕ", "azure") == "16"  # not "19" of its first letter t
    assert viseme_for("dʲ", "rhubarb") == "B"
    assert viseme_for("ʲ", "oculus") == "ih"
