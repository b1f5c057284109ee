"""IPA normalisation and the ARPAbet mapping."""

from __future__ import annotations

import pytest

from avatar_service.core.phonemes import (
    ARPABET_TO_IPA,
    base_symbol,
    from_arpabet,
    split_stress,
    to_arpabet,
)


def test_stress_is_split_from_the_symbol() -> None:
    assert split_stress("ˈɑː") == ("ɑ", 1)
    assert split_stress("ˌɪ") == ("ɪ", 2)
    assert split_stress("t") == ("t", 0)


def test_base_symbol_drops_length_and_diacritics() -> None:
    assert base_symbol("ãː") == "a"


@pytest.mark.parametrize(
    ("ipa", "stress", "arpa"),
    [("ə", 0, "AH0"), ("ɑ", 1, "AA1"), ("k", 0, "K"), ("tʃ", 0, "CH"), ("aɪ", 2, "AY2")],
)
def test_ipa_maps_to_arpabet_with_stress_on_vowels(ipa: str, stress: int, arpa: str) -> None:
    assert to_arpabet(ipa, stress) == arpa


def test_unmappable_symbol_has_no_arpabet() -> None:
    assert to_arpabet("☃") is None


def test_every_arpabet_symbol_round_trips_through_ipa() -> None:
    for arpa in ARPABET_TO_IPA:
        ipa, _ = from_arpabet(arpa + ("1" if arpa[0] in "AEIOU" else ""))
        expected = arpa + ("1" if arpa[0] in "AEIOU" else "")
        assert to_arpabet(ipa, 1 if arpa[0] in "AEIOU" else 0) == expected


def test_unstressed_ah_is_schwa() -> None:
    assert from_arpabet("AH0") == ("ə", 0)
