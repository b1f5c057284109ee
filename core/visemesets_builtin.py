"""The built-in viseme sets, as declarations: ``oculus`` (15 visemes), ``azure`` (ids 0-21),
``rhubarb`` (A-H, X), ``vrm`` (five mouth vowels + rest) and ``arkit`` (52 blendshapes).

The explicit phoneme tables of the three discrete sets are the ones they always had (Azure
ids follow Microsoft's en-US table, rhubarb letters Rhubarb Lip Sync's mouth chart); every
other phoneme falls back to its shape class. ``vrm`` and ``arkit`` map shape classes only.
"""

from __future__ import annotations

from avatar_service.core.phonetics import SHAPE_CLASSES
from avatar_service.core.visemesets import VisemeSetSpec

# IPA base symbol -> (oculus, azure id, rhubarb).
_TABLE: dict[str, tuple[str, int, str]] = {
    # bilabials, labiodentals, dentals
    "p": ("PP", 21, "A"),
    "b": ("PP", 21, "A"),
    "m": ("PP", 21, "A"),
    "ɱ": ("FF", 18, "G"),
    "f": ("FF", 18, "G"),
    "v": ("FF", 18, "G"),
    "θ": ("TH", 19, "B"),
    "ð": ("TH", 17, "B"),
    # alveolars
    "t": ("DD", 19, "B"),
    "d": ("DD", 19, "B"),
    "ɾ": ("DD", 19, "B"),
    "n": ("nn", 19, "B"),
    "l": ("nn", 14, "H"),
    "ɫ": ("nn", 14, "H"),
    "ɬ": ("nn", 14, "H"),
    "s": ("SS", 15, "B"),
    "z": ("SS", 15, "B"),
    # post-alveolars and affricates
    "ʃ": ("CH", 16, "B"),
    "ʒ": ("CH", 16, "B"),
    "tʃ": ("CH", 16, "B"),
    "dʒ": ("CH", 16, "B"),
    "ʧ": ("CH", 16, "B"),
    "ʤ": ("CH", 16, "B"),
    "ɕ": ("CH", 16, "B"),
    "ʑ": ("CH", 16, "B"),
    # velars, uvulars, glottals
    "k": ("kk", 20, "B"),
    "g": ("kk", 20, "B"),
    "ɡ": ("kk", 20, "B"),
    "ŋ": ("kk", 20, "B"),
    "x": ("kk", 20, "B"),
    "ɣ": ("kk", 20, "B"),
    "q": ("kk", 20, "B"),
    "χ": ("kk", 20, "B"),
    "h": ("E", 12, "B"),
    "ɦ": ("E", 12, "B"),
    # approximants and rhotics
    "ɹ": ("RR", 13, "B"),
    "r": ("RR", 13, "B"),
    "ʁ": ("RR", 13, "B"),
    "ɻ": ("RR", 13, "B"),
    "j": ("ih", 6, "B"),
    "w": ("ou", 7, "F"),
    "ɥ": ("ou", 7, "F"),
    "ɲ": ("nn", 19, "B"),
    # vowels
    "i": ("ih", 6, "B"),
    "ɪ": ("ih", 6, "B"),
    "y": ("ou", 7, "F"),
    "ᵻ": ("ih", 6, "B"),
    "ɨ": ("ih", 6, "B"),
    "e": ("E", 4, "C"),
    "ɛ": ("E", 4, "C"),
    "æ": ("aa", 1, "C"),
    "a": ("aa", 2, "D"),
    "ɑ": ("aa", 2, "D"),
    "ɒ": ("oh", 3, "E"),
    "ɐ": ("aa", 1, "C"),
    "ʌ": ("aa", 1, "C"),
    "ə": ("E", 1, "C"),
    "ɜ": ("E", 5, "E"),
    "ɝ": ("RR", 5, "E"),
    "ɚ": ("RR", 5, "E"),
    "ɔ": ("oh", 3, "E"),
    "o": ("oh", 8, "F"),
    "ø": ("oh", 8, "F"),
    "œ": ("E", 4, "C"),
    "ʊ": ("ou", 4, "F"),
    "u": ("ou", 7, "F"),
    "ɯ": ("ou", 7, "F"),
    # diphthongs
    "aɪ": ("aa", 11, "D"),
    "aʊ": ("aa", 9, "D"),
    "ɔɪ": ("oh", 10, "E"),
    "eɪ": ("E", 4, "C"),
    "oʊ": ("oh", 8, "F"),
    "əʊ": ("oh", 8, "F"),
    "ɪə": ("ih", 6, "B"),
    "eə": ("E", 4, "C"),
    "ʊə": ("ou", 4, "F"),
}

# A representative phoneme of each shape class: the class fallback of azure and rhubarb.
_EXAMPLE = {
    "sil": "",
    "PP": "p",
    "FF": "f",
    "TH": "θ",
    "DD": "d",
    "kk": "k",
    "CH": "ʃ",
    "SS": "s",
    "nn": "n",
    "RR": "ɹ",
    "aa": "ɑ",
    "E": "ɛ",
    "ih": "ɪ",
    "oh": "ɔ",
    "ou": "u",
}


def _column(index: int, silence: str) -> tuple[dict[str, str], dict[str, str]]:
    phonemes = {ipa: str(row[index]) for ipa, row in _TABLE.items()}
    classes = {c: phonemes[_EXAMPLE[c]] if c != "sil" else silence for c in SHAPE_CLASSES}
    return phonemes, classes


_OCULUS_PHONEMES, _ = _column(0, "sil")
OCULUS = VisemeSetSpec(
    name="oculus",
    symbols=SHAPE_CLASSES,
    silence="sil",
    classes={c: c for c in SHAPE_CLASSES},
    phonemes=_OCULUS_PHONEMES,
    channels=SHAPE_CLASSES,
    targets={c: {c: 1.0} for c in SHAPE_CLASSES},
    closure="PP",
    description="Meta/OpenXR visemes; curves: one weight per viseme, each frame sums to 1",
)

_AZURE_PHONEMES, _AZURE_CLASSES = _column(1, "0")
AZURE = VisemeSetSpec(
    name="azure",
    symbols=tuple(str(i) for i in range(22)),
    silence="0",
    classes=_AZURE_CLASSES,
    phonemes=_AZURE_PHONEMES,
    description="Azure Speech viseme ids 0-21",
)

_RHUBARB_PHONEMES, _RHUBARB_CLASSES = _column(2, "X")
RHUBARB = VisemeSetSpec(
    name="rhubarb",
    symbols=("A", "B", "C", "D", "E", "F", "G", "H", "X"),
    silence="X",
    classes=_RHUBARB_CLASSES,
    phonemes=_RHUBARB_PHONEMES,
    description="Rhubarb Lip Sync mouth shapes A-H and X (rest)",
)

VRM_CHANNELS = ("aa", "ih", "ou", "ee", "oh")
VRM = VisemeSetSpec(
    name="vrm",
    symbols=(*VRM_CHANNELS, "rest"),
    silence="rest",
    # VRM has no closed-lips expression: its rest (all weights 0) is closed lips.
    classes={
        "sil": "rest",
        "PP": "rest",
        "FF": "ih",
        "TH": "ee",
        "DD": "ee",
        "kk": "aa",
        "CH": "ou",
        "SS": "ih",
        "nn": "ee",
        "RR": "ou",
        "aa": "aa",
        "E": "ee",
        "ih": "ih",
        "oh": "oh",
        "ou": "ou",
    },
    channels=VRM_CHANNELS,
    targets={
        "PP": {},
        "FF": {"ih": 0.2},
        "TH": {"ee": 0.25, "aa": 0.1},
        "DD": {"ee": 0.2, "aa": 0.15},
        "kk": {"aa": 0.25, "ee": 0.1},
        "CH": {"ou": 0.4, "ih": 0.1},
        "SS": {"ih": 0.35},
        "nn": {"ee": 0.2, "aa": 0.1},
        "RR": {"ou": 0.35, "oh": 0.1},
        "aa": {"aa": 1.0},
        "E": {"ee": 0.8, "aa": 0.2},
        "ih": {"ih": 0.9},
        "oh": {"oh": 0.9},
        "ou": {"ou": 0.9},
        "ee": {"ee": 1.0},
        "rest": {},
    },
    closure=None,
    description="VRM 1.0 mouth expressions aa ih ou ee oh; rest (all 0) is closed lips",
)

ARKIT_CHANNELS = (
    "eyeBlinkLeft",
    "eyeLookDownLeft",
    "eyeLookInLeft",
    "eyeLookOutLeft",
    "eyeLookUpLeft",
    "eyeSquintLeft",
    "eyeWideLeft",
    "eyeBlinkRight",
    "eyeLookDownRight",
    "eyeLookInRight",
    "eyeLookOutRight",
    "eyeLookUpRight",
    "eyeSquintRight",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawRight",
    "jawOpen",
    "mouthClose",
    "mouthFunnel",
    "mouthPucker",
    "mouthLeft",
    "mouthRight",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "noseSneerLeft",
    "noseSneerRight",
    "tongueOut",
)


def _pair(name: str, weight: float) -> dict[str, float]:
    return {f"{name}Left": weight, f"{name}Right": weight}


ARKIT = VisemeSetSpec(
    name="arkit",
    symbols=SHAPE_CLASSES,
    silence="sil",
    classes={c: c for c in SHAPE_CLASSES},
    channels=ARKIT_CHANNELS,
    # Mouth and jaw only; eyes, brows, cheeks and nose stay at rest. Vowels open the jaw
    # more than any consonant, so each vowel is a jaw-open peak.
    targets={
        "sil": {},
        "PP": {"mouthClose": 1.0, **_pair("mouthPress", 0.5), "mouthRollLower": 0.2},
        "FF": {"jawOpen": 0.06, "mouthRollLower": 0.7, **_pair("mouthUpperUp", 0.25)},
        "TH": {"jawOpen": 0.15, "tongueOut": 0.5, **_pair("mouthLowerDown", 0.2)},
        "DD": {"jawOpen": 0.15, **_pair("mouthLowerDown", 0.15), **_pair("mouthStretch", 0.1)},
        "kk": {"jawOpen": 0.2, **_pair("mouthStretch", 0.15)},
        "CH": {"jawOpen": 0.15, "mouthFunnel": 0.6, "mouthPucker": 0.3, "mouthShrugUpper": 0.2},
        "SS": {"jawOpen": 0.08, **_pair("mouthSmile", 0.3), **_pair("mouthStretch", 0.3)},
        "nn": {"jawOpen": 0.12, **_pair("mouthLowerDown", 0.1)},
        "RR": {"jawOpen": 0.15, "mouthFunnel": 0.4, "mouthPucker": 0.3},
        "aa": {"jawOpen": 0.8, **_pair("mouthLowerDown", 0.3), **_pair("mouthUpperUp", 0.1)},
        "E": {"jawOpen": 0.45, **_pair("mouthStretch", 0.3), **_pair("mouthSmile", 0.2)},
        "ih": {"jawOpen": 0.3, **_pair("mouthSmile", 0.4), **_pair("mouthStretch", 0.2)},
        "oh": {"jawOpen": 0.55, "mouthFunnel": 0.7, "mouthPucker": 0.2},
        "ou": {"jawOpen": 0.3, "mouthPucker": 0.9, "mouthFunnel": 0.3},
    },
    closure="mouthClose",
    description="Apple ARKit's 52 blendshapes; mouth and jaw driven, the rest at rest",
)

BUILTIN_SETS = (OCULUS, AZURE, RHUBARB, VRM, ARKIT)
