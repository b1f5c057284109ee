"""IPA phonetic features (place, manner, rounding, height) and the mouth shape class they imply.

The shape classes are the fifteen articulatory groups of the ``oculus`` inventory (``sil``,
``PP`` bilabial closure, ``FF`` lip to teeth, ..., ``ou`` close rounded vowel); every viseme
set maps them onto its own symbols. ``shape_class`` gives any symbol a class: an explicit
exception first, then the symbol's features, so a phoneme of any language espeak-ng speaks
(palatalised ``dʲ``, a lone ``ʲ``, nasal vowels, clicks, tones) lands on a shape. Only silence
symbols and the glottal stop give ``sil``: they make no sound and need no mouth shape.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from avatar_service.core.phonemes import SILENCE_SYMBOLS, split_stress

SHAPE_CLASSES = (
    "sil",
    "PP",
    "FF",
    "TH",
    "DD",
    "kk",
    "CH",
    "SS",
    "nn",
    "RR",
    "aa",
    "E",
    "ih",
    "oh",
    "ou",
)
VOWEL_CLASSES = frozenset({"aa", "E", "ih", "oh", "ou"})

Place = Literal[
    "bilabial",
    "labiodental",
    "dental",
    "alveolar",
    "postalveolar",
    "retroflex",
    "palatal",
    "velar",
    "uvular",
    "pharyngeal",
    "glottal",
    "labiovelar",
]
Manner = Literal[
    "stop",
    "nasal",
    "trill",
    "tap",
    "fricative",
    "sibilant",
    "approximant",
    "lateral",
    "click",
    "implosive",
]


@dataclass(frozen=True, slots=True)
class Consonant:
    place: Place
    manner: Manner


@dataclass(frozen=True, slots=True)
class Vowel:
    """``height`` 0 close .. 6 open; ``backness`` 0 front, 1 central, 2 back."""

    height: int
    backness: int
    rounded: bool


Features = Consonant | Vowel

_C = Consonant
CONSONANTS: dict[str, Consonant] = {
    **{ch: _C("bilabial", "stop") for ch in "pbʘ"},
    "m": _C("bilabial", "nasal"),
    "ʙ": _C("bilabial", "trill"),
    "ɓ": _C("bilabial", "implosive"),
    "ɸ": _C("bilabial", "fricative"),
    "β": _C("bilabial", "fricative"),
    "ɱ": _C("labiodental", "nasal"),
    "f": _C("labiodental", "fricative"),
    "v": _C("labiodental", "fricative"),
    "ʋ": _C("labiodental", "approximant"),
    "ⱱ": _C("labiodental", "tap"),
    "θ": _C("dental", "fricative"),
    "ð": _C("dental", "fricative"),
    "ǀ": _C("dental", "click"),
    **{ch: _C("alveolar", "stop") for ch in "td"},
    "n": _C("alveolar", "nasal"),
    "r": _C("alveolar", "trill"),
    "ɾ": _C("alveolar", "tap"),
    "ɹ": _C("alveolar", "approximant"),
    "ɗ": _C("alveolar", "implosive"),
    **{ch: _C("alveolar", "sibilant") for ch in "sz"},
    **{ch: _C("alveolar", "lateral") for ch in "lɫɬɮɺ"},
    "ǁ": _C("alveolar", "click"),
    "ǃ": _C("alveolar", "click"),
    **{ch: _C("postalveolar", "sibilant") for ch in "ʃʒɕʑʧʤ"},
    "ǂ": _C("palatal", "click"),
    **{ch: _C("retroflex", "stop") for ch in "ʈɖ"},
    "ɳ": _C("retroflex", "nasal"),
    "ɽ": _C("retroflex", "tap"),
    "ɻ": _C("retroflex", "approximant"),
    **{ch: _C("retroflex", "sibilant") for ch in "ʂʐ"},
    "ɭ": _C("retroflex", "lateral"),
    **{ch: _C("palatal", "stop") for ch in "cɟ"},
    "ʄ": _C("palatal", "implosive"),
    "ɲ": _C("palatal", "nasal"),
    "ç": _C("palatal", "fricative"),
    "ʝ": _C("palatal", "fricative"),
    "j": _C("palatal", "approximant"),
    "ʎ": _C("palatal", "lateral"),
    **{ch: _C("velar", "stop") for ch in "kgɡ"},
    "ɠ": _C("velar", "implosive"),
    "ŋ": _C("velar", "nasal"),
    "x": _C("velar", "fricative"),
    "ɣ": _C("velar", "fricative"),
    "ɰ": _C("velar", "approximant"),
    "ʟ": _C("velar", "lateral"),
    **{ch: _C("uvular", "stop") for ch in "qɢ"},
    "ʛ": _C("uvular", "implosive"),
    "ɴ": _C("uvular", "nasal"),
    "ʀ": _C("uvular", "trill"),
    "χ": _C("uvular", "fricative"),
    "ʁ": _C("uvular", "approximant"),
    **{ch: _C("pharyngeal", "fricative") for ch in "ħʕʜʢ"},
    "ʡ": _C("pharyngeal", "stop"),
    "h": _C("glottal", "fricative"),
    "ɦ": _C("glottal", "fricative"),
    "ʔ": _C("glottal", "stop"),
    **{ch: _C("labiovelar", "approximant") for ch in "wʍɥ"},
    "ɧ": _C("postalveolar", "sibilant"),
}

_V = Vowel
VOWELS: dict[str, Vowel] = {
    "i": _V(0, 0, False),
    "y": _V(0, 0, True),
    "ɨ": _V(0, 1, False),
    "ʉ": _V(0, 1, True),
    "ɯ": _V(0, 2, False),
    "u": _V(0, 2, True),
    "ɪ": _V(1, 0, False),
    "ʏ": _V(1, 0, True),
    "ᵻ": _V(1, 1, False),
    "ᵿ": _V(1, 1, True),
    "ʊ": _V(1, 2, True),
    "e": _V(2, 0, False),
    "ø": _V(2, 0, True),
    "ɘ": _V(2, 1, False),
    "ɵ": _V(2, 1, True),
    "ɤ": _V(2, 2, False),
    "o": _V(2, 2, True),
    "ə": _V(3, 1, False),
    "ɚ": _V(3, 1, False),
    "ɛ": _V(4, 0, False),
    "œ": _V(4, 0, True),
    "ɜ": _V(4, 1, False),
    "ɝ": _V(4, 1, False),
    "ɞ": _V(4, 1, True),
    "ʌ": _V(4, 2, False),
    "ɔ": _V(4, 2, True),
    "æ": _V(5, 0, False),
    "ɐ": _V(5, 1, False),
    "a": _V(6, 0, False),
    "ɶ": _V(6, 0, True),
    "ä": _V(6, 1, False),
    "ɑ": _V(6, 2, False),
    "ɒ": _V(6, 2, True),
}

_KNOWN = frozenset(CONSONANTS) | frozenset(VOWELS)

MODIFIER_LETTERS = {
    "ʲ": "j",
    "ʷ": "w",
    "ʰ": "h",
    "ʱ": "ɦ",
    "ˠ": "ɣ",
    "ˤ": "ʕ",
    "ⁿ": "n",
    "ˡ": "l",
    "ᶣ": "ɥ",
    "ᵝ": "β",
    "ᶿ": "θ",
    "ˀ": "ʔ",
}
"""Superscript letters espeak-ng may emit on their own (``ʲ`` after a Russian consonant):
alone, each is the sound of its full-size letter."""

# Symbols whose shape class is not the one their features give: kept as the tables of the
# discrete sets had them, so existing cue timelines do not change.
_EXCEPTIONS = {
    "ʔ": "sil",
    "h": "E",
    "ɦ": "E",
    "ɲ": "nn",
    "ç": "CH",
    "ʝ": "CH",
    "ʎ": "nn",
    "ɯ": "ou",
    "œ": "E",
    "ɚ": "RR",
    "ɝ": "RR",
    "ʁ": "RR",
    "ʀ": "RR",
    "ə": "E",
    "ɐ": "aa",
    "ʌ": "aa",
    "ɜ": "E",
    "ɒ": "oh",
    "ɶ": "oh",
    "ʊ": "ou",
    "ø": "oh",
    "y": "ou",
    "ɾ": "DD",
    "j": "ih",
    "ɱ": "FF",
    "ʋ": "FF",
}

_PROSODY = set("˥˦˧˨˩ꜛꜜ↗↘|‖0123456789")
"""Tone letters and digits, boundaries: marks on a phoneme, never a sound of their own."""


@lru_cache(maxsize=4096)
def features(symbol: str) -> Features | None:
    """The features of the first letter of ``symbol`` (its base, marks removed) that has any;
    a lone modifier letter stands for its full-size letter. ``None``: no letter is known."""
    base, _ = split_stress(symbol)
    known = [ch for ch in unicodedata.normalize("NFC", symbol) + base if ch in _KNOWN]
    if known:
        letter = known[1] if known[0] == "ʔ" and len(set(known)) > 1 else known[0]
        return CONSONANTS.get(letter) or VOWELS[letter]
    for ch in unicodedata.normalize("NFD", symbol):
        full = MODIFIER_LETTERS.get(ch)
        if full is not None:
            return CONSONANTS.get(full) or VOWELS.get(full)
    return None


@lru_cache(maxsize=4096)
def is_silence(symbol: str) -> bool:
    """Silence: a pause symbol, or nothing left once stress, length, tone and boundary marks
    are removed (and no modifier letter stands alone)."""
    if symbol in SILENCE_SYMBOLS:
        return True
    base, _ = split_stress(symbol)
    if any(ch not in _PROSODY and not ch.isspace() for ch in base):
        return False
    return not any(ch in MODIFIER_LETTERS for ch in unicodedata.normalize("NFD", symbol))


def class_of_features(found: Features) -> str:
    """The shape class a feature bundle implies."""
    if isinstance(found, Vowel):
        if found.height <= 1:
            return "ou" if found.rounded else "ih"
        if found.height <= 4:
            return "oh" if found.rounded else "E"
        return "oh" if found.rounded else "aa"
    place, manner = found.place, found.manner
    if place == "bilabial":
        return "PP"
    if place == "labiodental":
        return "FF"
    if place == "labiovelar":
        return "ou"
    if place in ("pharyngeal", "glottal"):
        return "sil" if manner == "stop" and place == "glottal" else "E"
    if manner == "sibilant":
        return "SS" if place == "alveolar" else "CH"
    if place == "dental":
        return "TH" if manner == "fricative" else "DD"
    if manner in ("nasal", "lateral"):
        return "kk" if place in ("velar", "uvular") and manner == "nasal" else "nn"
    if place in ("alveolar", "retroflex"):
        return "RR" if manner in ("trill", "approximant") else "DD"
    if place == "palatal":
        return "ih" if manner in ("approximant", "fricative") else "kk"
    return "RR" if manner in ("trill", "approximant") and place == "uvular" else "kk"


@lru_cache(maxsize=4096)
def shape_class(symbol: str) -> str:
    """The shape class of an IPA phoneme (stress, length, diacritics and tones allowed).

    Silence gives ``sil``; a sound never does, except the glottal stop (a closure of the
    glottis, not of the mouth). A symbol with no known letter gets ``E``, a neutral half-open
    mouth, so a sound is never shown as a shut mouth.
    """
    if is_silence(symbol):
        return "sil"
    base, _ = split_stress(symbol)
    letters = [ch for ch in unicodedata.normalize("NFC", symbol) if ch in _KNOWN] or list(base)
    if len(letters) > 1 and letters[0] == "ʔ":
        # A glottalised onset (Danish stød, ``ʔo``): the sound after it shows.
        return shape_class(symbol.replace("ʔ", "", 1))
    if not letters:  # a lone modifier letter (is_silence ruled out everything else)
        nfd = unicodedata.normalize("NFD", symbol)
        letters = [MODIFIER_LETTERS[ch] for ch in nfd if ch in MODIFIER_LETTERS][:1]
    exception = _EXCEPTIONS.get("".join(letters)) or _EXCEPTIONS.get(letters[0])
    if exception is not None:
        return exception
    found = features(symbol)
    if found is None:
        return "E"
    if len(letters) > 1 and _is_affricate(found, letters[1]):
        return class_of_features(CONSONANTS[letters[1]])
    return class_of_features(found)


def _is_affricate(first: Features, second: str) -> bool:
    """A stop released into a fricative (``ts``, ``tɕ``, ``pf``): the fricative shows."""
    release = CONSONANTS.get(second)
    return (
        isinstance(first, Consonant)
        and first.manner == "stop"
        and release is not None
        and release.manner in ("sibilant", "fricative")
    )


def is_vowel(symbol: str) -> bool:
    return isinstance(features(symbol), Vowel)


@lru_cache(maxsize=4096)
def is_bilabial_closure(symbol: str) -> bool:
    """``p``, ``b``, ``m`` and kin (any diacritics): the lips close fully and must be seen."""
    found = features(symbol)
    return (
        isinstance(found, Consonant)
        and found.place == "bilabial"
        and found.manner in ("stop", "nasal", "trill", "implosive")
    )
