"""Phoneme symbols: IPA normalisation and the ARPAbet mapping for English."""

from __future__ import annotations

import unicodedata

STRESS_MARKS = {"ˈ": 1, "ˌ": 2}
# Length, tie and syllable marks that never change which mouth shape a phoneme needs.
_DROPPED = set("ːˑ͡‿.'̩̯̃ʰʲʷ-")

SILENCE_SYMBOLS = frozenset({"", "_", "sil", "sp", "spn", "pau", "#", " "})

ARPABET_TO_IPA: dict[str, str] = {
    "AA": "ɑ",
    "AE": "æ",
    "AH": "ʌ",
    "AO": "ɔ",
    "AW": "aʊ",
    "AY": "aɪ",
    "B": "b",
    "CH": "tʃ",
    "D": "d",
    "DH": "ð",
    "EH": "ɛ",
    "ER": "ɝ",
    "EY": "eɪ",
    "F": "f",
    "G": "ɡ",
    "HH": "h",
    "IH": "ɪ",
    "IY": "i",
    "JH": "dʒ",
    "K": "k",
    "L": "l",
    "M": "m",
    "N": "n",
    "NG": "ŋ",
    "OW": "oʊ",
    "OY": "ɔɪ",
    "P": "p",
    "R": "ɹ",
    "S": "s",
    "SH": "ʃ",
    "T": "t",
    "TH": "θ",
    "UH": "ʊ",
    "UW": "u",
    "V": "v",
    "W": "w",
    "Y": "j",
    "Z": "z",
    "ZH": "ʒ",
}

IPA_TO_ARPABET: dict[str, str] = {ipa: arpa for arpa, ipa in ARPABET_TO_IPA.items()} | {
    "ə": "AH",
    "ɐ": "AH",
    "ɚ": "ER",
    "ɜ": "ER",
    "r": "R",
    "ɾ": "T",
    "g": "G",
    "e": "EY",
    "o": "OW",
    "a": "AA",
    "ɒ": "AA",
    "əʊ": "OW",
    "ᵻ": "IH",
    "ɨ": "IH",
    "i": "IY",
    "ʔ": "T",
    "eə": "EH",
    "ɪə": "IH",
    "ʊə": "UH",
    "aɪə": "AY",
    "x": "HH",
    "ɬ": "L",
    "ɫ": "L",
}


def split_stress(symbol: str) -> tuple[str, int]:
    """Split an IPA symbol into (symbol without marks, stress: 0 none, 1 primary, 2 secondary)."""
    stress = 0
    kept = []
    for ch in unicodedata.normalize("NFD", symbol):
        if ch in STRESS_MARKS:
            stress = STRESS_MARKS[ch]
        elif ch not in _DROPPED and not unicodedata.combining(ch):
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), stress


def base_symbol(symbol: str) -> str:
    """The IPA symbol with stress, length and diacritics removed (``"ˈaː"`` -> ``"a"``)."""
    return split_stress(symbol)[0]


def to_arpabet(symbol: str, stress: int = 0) -> str | None:
    """The ARPAbet symbol for an English IPA phoneme, vowels with a stress digit; else ``None``."""
    base = base_symbol(symbol)
    arpa = IPA_TO_ARPABET.get(base) or IPA_TO_ARPABET.get(base[:1])
    if arpa is None:
        return None
    if arpa[0] in "AEIOU":
        return f"{arpa}{stress}"
    return arpa


def from_arpabet(symbol: str) -> tuple[str, int]:
    """IPA and stress for an ARPAbet symbol such as ``AH0`` or ``K``; ``KeyError`` if unknown."""
    letters = symbol.rstrip("012").upper()
    digit = symbol[len(letters) :]
    stress = int(digit) if digit else 0
    if letters == "AH" and stress == 0:
        return "ə", 0
    return ARPABET_TO_IPA[letters], stress
