"""Viseme cue timelines: contiguous cues over the whole audio, silence included, in any
registered viseme set (``core.visemesets``), with every bilabial closure kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from avatar_service.core.errors import Invalid
from avatar_service.core.phonetics import is_bilabial_closure
from avatar_service.core.speech import TimedPhoneme, VisemeCue
from avatar_service.core.visemesets import VisemeSetRegistry, VisemeSetSpec
from avatar_service.core.visemesets_builtin import AZURE, BUILTIN_SETS, OCULUS, RHUBARB

VisemeSet = str
"""The name of a registered viseme set."""

BUILTIN_REGISTRY = VisemeSetRegistry(BUILTIN_SETS)
"""The built-in sets; the service's own registry (built by the plugins) starts from these."""
VISEME_SETS: tuple[VisemeSet, ...] = BUILTIN_REGISTRY.names()

OCULUS_VISEMES = OCULUS.symbols
AZURE_VISEMES = AZURE.symbols
RHUBARB_VISEMES = RHUBARB.symbols
SILENCE = {spec.name: spec.silence for spec in BUILTIN_SETS}


def check_viseme_set(name: str, registry: VisemeSetRegistry | None = None) -> VisemeSet:
    """Return ``name`` if ``registry`` (default: the built-ins) has it, or raise ``Invalid``
    listing the sets."""
    return (registry or BUILTIN_REGISTRY).get(name).name


def resolve_set(
    viseme_set: VisemeSet | VisemeSetSpec, registry: VisemeSetRegistry | None = None
) -> VisemeSetSpec:
    if isinstance(viseme_set, VisemeSetSpec):
        return viseme_set
    return (registry or BUILTIN_REGISTRY).get(viseme_set)


def viseme_for(phoneme: str, viseme_set: VisemeSet | VisemeSetSpec = "oculus") -> str:
    """The viseme for one IPA phoneme (stress, length marks, diacritics allowed).

    Silence symbols give the set's silence viseme; any sound gets a shape (the explicit
    table, else its phonetic features), never silence (except a glottal stop).
    """
    return resolve_set(viseme_set).symbol_for(phoneme)


def oculus_to(viseme: str, viseme_set: VisemeSet | VisemeSetSpec) -> str:
    """Map an ``oculus`` viseme (a shape class) onto another set."""
    return resolve_set(viseme_set).classes[viseme]


@dataclass(slots=True)
class _Cue:
    viseme: str
    start: float
    closure: bool = False
    """A bilabial closure: never merged away, only lengthened."""


def build_timeline(
    phonemes: Sequence[TimedPhoneme],
    duration: float,
    viseme_set: VisemeSet | VisemeSetSpec = "oculus",
    *,
    min_cue: float = 0.04,
    anticipation: float = 0.0,
    registry: VisemeSetRegistry | None = None,
) -> tuple[VisemeCue, ...]:
    """Viseme cues covering ``[0, duration]`` exactly.

    Guarantees: cues are contiguous (each starts where the previous ends), the first starts at
    0 and the last ends at ``duration``; gaps between phonemes become silence cues; adjacent
    cues never repeat a viseme; no cue is shorter than ``min_cue`` unless it is the only one
    (short cues are merged into a neighbour, never dropped from the covered time; one between
    two cues of one shape first borrows from them, ``_keep_sandwiched``). A bilabial
    closure (``p``, ``b``, ``m``) is never merged away: when it is too short a neighbour is
    shortened instead, so the midpoint of every bilabial lies in a cue of its closed-lips
    symbol (while the audio is at least ``min_cue`` long). Phonemes outside the audio are
    clipped, overlapping ones trimmed. ``anticipation`` moves each boundary up to that many
    seconds earlier (lips move before the sound).
    """
    spec = resolve_set(viseme_set, registry)
    if duration <= 0:
        return ()
    if min_cue < 0 or anticipation < 0:
        raise Invalid("min_cue and anticipation must be >= 0", field="min_cue")
    silence = spec.silence
    cues: list[_Cue] = []  # each cue ends where the next starts, the last at duration
    cursor = 0.0
    symbols = {p.symbol: spec.symbol_for(p.symbol) for p in phonemes}
    for ph in sorted(phonemes, key=lambda p: (p.start, p.end)):
        start, end = max(ph.start, cursor, 0.0), min(ph.end, duration)
        if end <= start:
            continue
        if start > cursor:
            cues.append(_Cue(silence, cursor))
        cues.append(_Cue(symbols[ph.symbol], start, is_bilabial_closure(ph.symbol)))
        cursor = end
    if cursor < duration or not cues:
        cues.append(_Cue(silence, cursor))
    cues = _merge_repeats(cues)
    if anticipation > 0:
        cues = _anticipate(cues, anticipation)
    cues = _keep_sandwiched(cues, duration, min(min_cue, duration))
    cues = _enforce_min_length(cues, duration, min(min_cue, duration))
    ends = [cue.start for cue in cues[1:]] + [duration]
    return tuple(VisemeCue(c.viseme, c.start, e) for c, e in zip(cues, ends, strict=True))


def _merge_repeats(cues: list[_Cue]) -> list[_Cue]:
    merged: list[_Cue] = []
    for cue in cues:
        if merged and merged[-1].viseme == cue.viseme:
            merged[-1].closure = merged[-1].closure or cue.closure
            continue
        merged.append(cue)
    return merged


def _anticipate(cues: list[_Cue], lead: float) -> list[_Cue]:
    shifted = [cues[0]]
    for cue in cues[1:]:
        shifted.append(_Cue(cue.viseme, max(shifted[-1].start, cue.start - lead), cue.closure))
    kept = [c for i, c in enumerate(shifted) if _length(shifted, i, None) > 0 or c.closure]
    # A closure squeezed to nothing by its successor's anticipation keeps its own start.
    for i in range(1, len(kept)):
        kept[i].start = max(kept[i].start, kept[i - 1].start)
    return _merge_repeats([c for i, c in enumerate(kept) if _length(kept, i, None) > 0])


def _length(cues: list[_Cue], i: int, duration: float | None) -> float:
    end = cues[i + 1].start if i + 1 < len(cues) else (duration if duration is not None else 1e18)
    return end - cues[i].start


def _keep_sandwiched(cues: list[_Cue], duration: float, min_cue: float) -> list[_Cue]:
    """Lengthen each too-short cue between two cues of one other shape towards ``min_cue``
    with up to half of each neighbour (closures give nothing, the longer neighbour first):
    merged away, it would join them into one shape held over three sounds ("garden"'s
    schwa between d and n)."""
    for i in range(1, len(cues) - 1):
        if cues[i].closure or cues[i - 1].viseme != cues[i + 1].viseme:
            continue
        starts = [cue.start for cue in cues[i - 1 : i + 2]]
        end = cues[i + 2].start if i + 2 < len(cues) else duration
        need = min_cue - (starts[2] - starts[1])
        if need > 0:
            halves = [0.0] * len(cues)
            halves[i - 1], halves[i + 1] = (starts[1] - starts[0]) / 2, (end - starts[2]) / 2
            _grow(cues, i, halves, need)
    return cues


def _enforce_min_length(cues: list[_Cue], duration: float, min_cue: float) -> list[_Cue]:
    """Until no cue is too short: a too-short closure grows into its neighbours (the longer
    first); any other too-short cue grows into what its neighbours have beyond ``min_cue``
    when that is enough (a short vowel between long consonants stays seen), else merges into
    its shorter neighbour."""
    while len(cues) > 1:
        starts = [cue.start for cue in cues]
        lengths = [end - start for start, end in zip(starts, [*starts[1:], duration], strict=True)]
        shortest = min(lengths)
        if shortest >= min_cue - 1e-12:
            break
        i = lengths.index(shortest)
        need = min_cue - shortest
        if cues[i].closure:
            grown = _grow(cues, i, lengths, need)
        else:
            grown = _grow(cues, i, _spare(cues, i, lengths, min_cue), need, whole=True)
        if not grown:
            cues = _merge_short(cues, i, lengths)
        _tidy_around(cues, i, duration)
    return cues


def _tidy_around(cues: list[_Cue], i: int, duration: float) -> None:
    """Near index ``i`` (the only place a step changed): drop cues left empty, then merge
    neighbours that show the same viseme."""
    for j in range(min(len(cues) - 1, i + 1), max(-1, i - 2), -1):
        end = cues[j + 1].start if j + 1 < len(cues) else duration
        if end - cues[j].start <= 0 and len(cues) > 1:
            if j + 1 < len(cues) and j == 0:
                cues[1].start = 0.0
            del cues[j]
    for j in range(min(len(cues) - 1, i + 2), max(0, i - 2), -1):
        if cues[j].viseme == cues[j - 1].viseme:
            cues[j - 1].closure = cues[j - 1].closure or cues[j].closure
            del cues[j]


def _spare(cues: list[_Cue], i: int, lengths: list[float], min_cue: float) -> list[float]:
    """``lengths`` with the neighbours of cue ``i`` cut to what they have beyond ``min_cue``."""
    spare = list(lengths)
    for j in (i - 1, i + 1):
        if 0 <= j < len(cues):
            spare[j] = max(0.0, lengths[j] - min_cue)
    return spare


def _grow(
    cues: list[_Cue], i: int, lengths: list[float], need: float, *, whole: bool = False
) -> bool:
    """Lengthen cue ``i`` by ``need`` seconds (or as much as they have, unless ``whole``)
    taken from neighbours that are not closures, the longer one first; ``False`` if none can
    give (or, with ``whole``, not all of ``need``)."""
    before = lengths[i - 1] if i > 0 and not cues[i - 1].closure else 0.0
    after = lengths[i + 1] if i + 1 < len(cues) and not cues[i + 1].closure else 0.0
    if before + after <= 0 or (whole and before + after < need - 1e-12):
        return False
    need = min(need, before + after)
    take_after = min(after, need) if after >= before else max(0.0, need - before)
    take_before = need - take_after
    if take_after > 0:
        cues[i + 1].start += take_after
    if take_before > 0:
        cues[i].start -= take_before
    return True


def _merge_short(cues: list[_Cue], i: int, lengths: list[float]) -> list[_Cue]:
    if i == 0:
        # The first cue must keep starting at 0: the next cue takes over its span.
        return [_Cue(cues[1].viseme, 0.0, cues[1].closure or cues[0].closure), *cues[2:]]
    if i == len(cues) - 1 or lengths[i - 1] <= lengths[i + 1]:
        cues[i - 1].closure = cues[i - 1].closure or cues[i].closure
        return [*cues[:i], *cues[i + 1 :]]  # the previous cue extends over this span
    nxt = cues[i + 1]
    return [
        *cues[:i],
        _Cue(nxt.viseme, cues[i].start, nxt.closure or cues[i].closure),
        *cues[i + 2 :],
    ]
