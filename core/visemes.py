"""Phoneme -> viseme tables for the ``oculus``, ``azure`` and ``rhubarb`` sets, and the builder
of viseme timelines (contiguous cues over the whole audio, silence included)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import SILENCE_SYMBOLS, base_symbol
from avatar_service.core.speech import TimedPhoneme, VisemeCue

VisemeSet = Literal["oculus", "azure", "rhubarb"]
VISEME_SETS: tuple[VisemeSet, ...] = ("oculus", "azure", "rhubarb")

OCULUS_VISEMES = (
    "sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "ih", "oh", "ou",
)  # fmt: skip
AZURE_VISEMES = tuple(str(i) for i in range(22))
RHUBARB_VISEMES = ("A", "B", "C", "D", "E", "F", "G", "H", "X")

SILENCE = {"oculus": "sil", "azure": "0", "rhubarb": "X"}

# IPA base symbol -> (oculus, azure id, rhubarb). Azure ids follow Microsoft's en-US table,
# rhubarb letters Rhubarb Lip Sync's mouth chart.
_TABLE: dict[str, tuple[str, int, str]] = {
    # bilabials, labiodentals, dentals
    "p": ("PP", 21, "A"), "b": ("PP", 21, "A"), "m": ("PP", 21, "A"), "ɱ": ("FF", 18, "G"),
    "f": ("FF", 18, "G"), "v": ("FF", 18, "G"), "θ": ("TH", 19, "B"), "ð": ("TH", 17, "B"),
    # alveolars
    "t": ("DD", 19, "B"), "d": ("DD", 19, "B"), "ɾ": ("DD", 19, "B"), "n": ("nn", 19, "B"),
    "l": ("nn", 14, "H"), "ɫ": ("nn", 14, "H"), "ɬ": ("nn", 14, "H"), "s": ("SS", 15, "B"),
    "z": ("SS", 15, "B"),
    # post-alveolars and affricates
    "ʃ": ("CH", 16, "B"), "ʒ": ("CH", 16, "B"), "tʃ": ("CH", 16, "B"), "dʒ": ("CH", 16, "B"),
    "ʧ": ("CH", 16, "B"), "ʤ": ("CH", 16, "B"), "ɕ": ("CH", 16, "B"), "ʑ": ("CH", 16, "B"),
    # velars, uvulars, glottals
    "k": ("kk", 20, "B"), "g": ("kk", 20, "B"), "ɡ": ("kk", 20, "B"), "ŋ": ("kk", 20, "B"),
    "x": ("kk", 20, "B"), "ɣ": ("kk", 20, "B"), "q": ("kk", 20, "B"), "χ": ("kk", 20, "B"),
    "h": ("E", 12, "B"), "ɦ": ("E", 12, "B"), "ʔ": ("sil", 0, "X"),
    # approximants and rhotics
    "ɹ": ("RR", 13, "B"), "r": ("RR", 13, "B"), "ʁ": ("RR", 13, "B"), "ɻ": ("RR", 13, "B"),
    "j": ("ih", 6, "B"), "w": ("ou", 7, "F"), "ɥ": ("ou", 7, "F"), "ɲ": ("nn", 19, "B"),
    # vowels
    "i": ("ih", 6, "B"), "ɪ": ("ih", 6, "B"), "y": ("ou", 7, "F"), "ᵻ": ("ih", 6, "B"),
    "ɨ": ("ih", 6, "B"), "e": ("E", 4, "B"), "ɛ": ("E", 4, "C"), "æ": ("aa", 1, "C"),
    "a": ("aa", 2, "D"), "ɑ": ("aa", 2, "D"), "ɒ": ("oh", 3, "E"), "ɐ": ("aa", 1, "C"),
    "ʌ": ("aa", 1, "C"), "ə": ("E", 1, "C"), "ɜ": ("E", 5, "E"), "ɝ": ("RR", 5, "E"),
    "ɚ": ("RR", 5, "E"), "ɔ": ("oh", 3, "E"), "o": ("oh", 8, "F"), "ø": ("oh", 8, "F"),
    "œ": ("E", 4, "C"), "ʊ": ("ou", 4, "F"), "u": ("ou", 7, "F"), "ɯ": ("ou", 7, "F"),
    # diphthongs
    "aɪ": ("aa", 11, "D"), "aʊ": ("aa", 9, "D"), "ɔɪ": ("oh", 10, "E"), "eɪ": ("E", 4, "B"),
    "oʊ": ("oh", 8, "F"), "əʊ": ("oh", 8, "F"), "ɪə": ("ih", 6, "B"), "eə": ("E", 4, "C"),
    "ʊə": ("ou", 4, "F"),
}  # fmt: skip

_FALLBACK = ("E", 4, "B")


def viseme_sets() -> tuple[VisemeSet, ...]:
    return VISEME_SETS


def check_viseme_set(name: str) -> VisemeSet:
    """Return ``name`` as a viseme set, or raise ``Invalid`` listing the sets."""
    if name not in VISEME_SETS:
        raise Invalid(
            f"unknown viseme set {name!r}; choose one of {', '.join(VISEME_SETS)}",
            field="viseme_set",
        )
    return name


def viseme_for(phoneme: str, viseme_set: VisemeSet = "oculus") -> str:
    """The viseme for one IPA phoneme (stress and length marks allowed) in ``viseme_set``.

    Silence symbols give the set's silence viseme; an unknown symbol falls back to its first
    character, then to a neutral half-open mouth.
    """
    index = VISEME_SETS.index(viseme_set)
    base = base_symbol(phoneme)
    if base in SILENCE_SYMBOLS:
        return SILENCE[viseme_set]
    entry = _TABLE.get(base) or _TABLE.get(base[:2]) or _TABLE.get(base[:1]) or _FALLBACK
    return str(entry[index])


def oculus_to(viseme: str, viseme_set: VisemeSet) -> str:
    """Map an ``oculus`` viseme onto another set (by its representative phoneme)."""
    if viseme_set == "oculus":
        return viseme
    return viseme_for(_OCULUS_EXAMPLE[viseme], viseme_set)


_OCULUS_EXAMPLE = {
    "sil": "_", "PP": "p", "FF": "f", "TH": "θ", "DD": "d", "kk": "k", "CH": "ʃ", "SS": "s",
    "nn": "n", "RR": "ɹ", "aa": "ɑ", "E": "ɛ", "ih": "ɪ", "oh": "ɔ", "ou": "u",
}  # fmt: skip


def build_timeline(
    phonemes: Sequence[TimedPhoneme],
    duration: float,
    viseme_set: VisemeSet = "oculus",
    *,
    min_cue: float = 0.04,
    anticipation: float = 0.0,
) -> tuple[VisemeCue, ...]:
    """Viseme cues covering ``[0, duration]`` exactly.

    Guarantees: cues are contiguous (each starts where the previous ends), the first starts at
    0 and the last ends at ``duration``; gaps between phonemes become silence cues; adjacent
    cues never repeat a viseme; no cue is shorter than ``min_cue`` unless it is the only one
    (short cues are merged into a neighbour, never dropped from the covered time). Phonemes
    outside the audio are clipped, overlapping ones trimmed. ``anticipation`` moves each
    boundary up to that many seconds earlier (lips move before the sound).
    """
    check_viseme_set(viseme_set)
    if duration <= 0:
        return ()
    if min_cue < 0 or anticipation < 0:
        raise Invalid("min_cue and anticipation must be >= 0", field="min_cue")
    silence = SILENCE[viseme_set]
    # A list of (viseme, start); each cue ends where the next starts, the last at duration.
    cues: list[tuple[str, float]] = []
    cursor = 0.0
    for ph in sorted(phonemes, key=lambda p: (p.start, p.end)):
        start, end = max(ph.start, cursor, 0.0), min(ph.end, duration)
        if end <= start:
            continue
        if start > cursor:
            cues.append((silence, cursor))
        cues.append((viseme_for(ph.symbol, viseme_set), start))
        cursor = end
    if cursor < duration or not cues:
        cues.append((silence, cursor))
    cues = _merge_repeats(cues)
    if anticipation > 0:
        cues = _anticipate(cues, anticipation)
    cues = _enforce_min_length(cues, duration, min_cue)
    ends = [start for _, start in cues[1:]] + [duration]
    return tuple(VisemeCue(v, s, e) for (v, s), e in zip(cues, ends, strict=True))


def _merge_repeats(cues: list[tuple[str, float]]) -> list[tuple[str, float]]:
    merged: list[tuple[str, float]] = []
    for viseme, start in cues:
        if merged and merged[-1][0] == viseme:
            continue
        merged.append((viseme, start))
    return merged


def _anticipate(cues: list[tuple[str, float]], lead: float) -> list[tuple[str, float]]:
    shifted = [cues[0]]
    for viseme, start in cues[1:]:
        shifted.append((viseme, max(shifted[-1][1], start - lead)))
    return _merge_repeats([c for i, c in enumerate(shifted) if _length(shifted, i, None) > 0])


def _length(cues: list[tuple[str, float]], i: int, duration: float | None) -> float:
    end = cues[i + 1][1] if i + 1 < len(cues) else (duration if duration is not None else 1e18)
    return end - cues[i][1]


def _enforce_min_length(
    cues: list[tuple[str, float]], duration: float, min_cue: float
) -> list[tuple[str, float]]:
    """Merge the shortest too-short cue into its shorter neighbour until none is too short."""
    while len(cues) > 1:
        lengths = [_length(cues, i, duration) for i in range(len(cues))]
        i = min(range(len(cues)), key=lengths.__getitem__)
        if lengths[i] >= min_cue:
            break
        if i == 0:
            # The first cue must keep starting at 0: the next cue takes over its span.
            cues = [(cues[1][0], 0.0), *cues[2:]]
        elif i == len(cues) - 1 or lengths[i - 1] <= lengths[i + 1]:
            del cues[i]  # the previous cue extends over this span
        else:
            cues = [*cues[:i], (cues[i + 1][0], cues[i][1]), *cues[i + 2 :]]
        cues = _merge_repeats(cues)
    return cues
