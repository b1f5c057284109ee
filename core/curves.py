"""Weight curves for rigs: per-frame blend weights of a viseme set's channels, with
coarticulation.

Each phoneme (and each pause) is a segment with a dominance that is flat over the segment
(stretched to a minimum hold around its centre when the segment is shorter) and decays
exponentially outside it; a frame's shape is the dominance-weighted mix of the segments'
targets (Cohen and Massaro's coarticulation model). Bilabial closures dominate strongly and
hold at least ``CLOSURE_HOLD`` seconds, so the lips close fully and are seen closed; glottal
sounds barely dominate, so ``h`` takes the shape of its vowel; unstressed vowels reach less
far than stressed ones. The result is continuous in time: no frame-to-frame jump larger than
the ramps allow (``docs/visemes.md`` gives the measured bound).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import split_stress
from avatar_service.core.phonetics import (
    Consonant,
    features,
    is_bilabial_closure,
    is_silence,
    shape_class,
)
from avatar_service.core.visemesets import VisemeSetSpec

if TYPE_CHECKING:  # core.speech's Timeline carries Curves: no import back at run time
    from avatar_service.core.speech import TimedPhoneme, VisemeCue

CurveArray = npt.NDArray[np.float32]

MIN_HOLD = 0.04
"""Seconds every segment's shape is held at full dominance, however short the phoneme."""
CLOSURE_HOLD = 0.06
"""Seconds a bilabial closure is held closed (two frames at 30 fps)."""
UNSTRESSED_VOWEL_GAIN = 0.8
MAX_INTENSITY = 2.0
MAX_FRAME_STEP = 0.5
"""The largest change of any weight between two frames at 60 fps and intensity 1 (the
contract suite checks it; plain switching between cues changes weights by 1)."""
_NEIGHBOURS = 4
"""Segments each side of a frame's own that may influence it (beyond: < 1e-3 of a share)."""


@dataclass(frozen=True, slots=True, eq=False)
class Curves:
    """``frames[i, j]``: the weight of ``names[j]`` at ``i / fps`` seconds (row 0 at t = 0,
    one row per frame up to the duration), every weight in [0, 1]."""

    viseme_set: str
    fps: int
    names: tuple[str, ...]
    frames: CurveArray

    @property
    def duration(self) -> float:
        return (len(self.frames) - 1) / self.fps if len(self.frames) else 0.0


@dataclass(frozen=True, slots=True)
class Segments:
    """The segments of an utterance, ready to be sampled into any set's curves."""

    symbols: tuple[str, ...]
    """The phoneme of each segment; ``""`` for a pause."""
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    """Where each segment dominates fully (its span, stretched to its hold)."""
    start: npt.NDArray[np.float64]
    strength: npt.NDArray[np.float64]
    reach: npt.NDArray[np.float64]
    """Dominance inside the hold, and the decay time constant (s) outside it."""
    gain: npt.NDArray[np.float64]
    """How far the segment reaches toward its target (the rest goes to silence)."""
    duration: float


def frame_count(duration: float, fps: int) -> int:
    """Rows of a curve: one per frame from t = 0 up to ``duration`` inclusive."""
    return math.floor(duration * fps + 1e-9) + 1


def _dominance(symbol: str) -> tuple[float, float, float]:
    """(strength, reach in s, hold in s) of one segment."""
    if symbol == "" or is_silence(symbol):
        return 1.0, 0.04, MIN_HOLD
    if is_bilabial_closure(symbol):
        return 20.0, 0.012, CLOSURE_HOLD
    found = features(symbol)
    if isinstance(found, Consonant):
        if found.place in ("glottal", "pharyngeal"):
            return 0.25, 0.025, MIN_HOLD
        if found.place == "labiodental":
            return 3.0, 0.02, MIN_HOLD
        return 1.0, 0.025, MIN_HOLD
    return 1.0, 0.03, MIN_HOLD


def segments(phonemes: Sequence[TimedPhoneme], duration: float) -> Segments:
    """Phonemes clipped to ``[0, duration]`` and ordered, with the pauses between them."""
    spans: list[tuple[str, float, float, int]] = []
    cursor = 0.0
    for ph in sorted(phonemes, key=lambda p: (p.start, p.end)):
        start, end = max(ph.start, cursor, 0.0), min(ph.end, duration)
        if end <= start:
            continue
        if start > cursor:
            spans.append(("", cursor, start, 0))
        spans.append((ph.symbol, start, end, ph.stress))
        cursor = end
    if cursor < duration or not spans:
        spans.append(("", cursor, max(cursor, duration), 0))
    kinds = {symbol: _kind(symbol) for symbol in {s[0] for s in spans}}
    rows = [(*kinds[symbol], start, end, stress) for symbol, start, end, stress in spans]
    table = np.array(rows, dtype=np.float64)
    strength, reach, hold, vowel, lexical, start, end, stress = table.T
    centre = (start + end) / 2
    unstressed = (vowel > 0) & (stress == 0) & (lexical == 0)
    return Segments(
        symbols=tuple(s[0] for s in spans),
        low=np.minimum(start, centre - hold / 2),
        high=np.maximum(end, centre + hold / 2),
        start=start,
        strength=strength,
        reach=reach,
        gain=np.where(unstressed, UNSTRESSED_VOWEL_GAIN, 1.0),
        duration=duration,
    )


def _kind(symbol: str) -> tuple[float, float, float, float, float]:
    """(strength, reach, hold, is a vowel, stress marked in the symbol) of a segment."""
    strength, reach, hold = _dominance(symbol)
    vowel = bool(symbol) and shape_class(symbol) in ("aa", "E", "ih", "oh", "ou")
    return strength, reach, hold, float(vowel), float(split_stress(symbol)[1] if symbol else 0)


@dataclass(frozen=True, slots=True)
class Mix:
    """Per frame, the share of each of its neighbouring segments (rows sum to 1)."""

    index: npt.NDArray[np.intp]
    """``(frames, neighbours)``: segment indices."""
    share: npt.NDArray[np.float64]
    """``(frames, neighbours)``: their shares (0 for an index past either end)."""


def mix(segs: Segments, fps: int) -> Mix:
    """The coarticulation mix of every frame: shared by all sets' curves."""
    count = len(segs.symbols)
    t = np.arange(frame_count(segs.duration, fps)) / fps
    own = np.clip(np.searchsorted(segs.start, t, side="right") - 1, 0, count - 1)
    raw = own[:, None] + np.arange(-_NEIGHBOURS, _NEIGHBOURS + 1)[None, :]
    valid = (raw >= 0) & (raw < count)
    index = np.clip(raw, 0, count - 1)
    distance = np.maximum(
        0.0, np.maximum(segs.low[index] - t[:, None], t[:, None] - segs.high[index])
    )
    weight = segs.strength[index] * np.exp(-distance / segs.reach[index]) * valid
    share = weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-300)
    return Mix(index, share)


def check_fps(fps: int, max_fps: int) -> int:
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= max_fps:
        raise Invalid(f"fps must be an integer from 1 to {max_fps}, got {fps!r}", field="fps")
    return fps


def check_intensity(intensity: float) -> float:
    if not 0.0 <= intensity <= MAX_INTENSITY:
        raise Invalid(f"intensity must be between 0 and {MAX_INTENSITY}", field="intensity")
    return float(intensity)


def set_curves(
    spec: VisemeSetSpec, segs: Segments, frames_mix: Mix, fps: int, intensity: float = 1.0
) -> Curves:
    """The curves of ``spec`` (which must have channels) for the segments' mix.

    ``intensity`` scales every shape's distance from the silence shape (1: as declared, 0:
    always at rest; weights clipped to [0, 1]); the ``closure`` channel is never scaled, so
    the lips still close fully. A set whose silence symbol has a single channel at 1 (one
    weight per viseme, like ``oculus``) keeps every frame summing to 1: the silence channel
    takes what the others leave.
    """
    if not spec.has_curves:
        raise Invalid(f"viseme set {spec.name!r} has no curves", field="curves")
    resolved = {s: spec.resolve(s)[1] if s else spec.silence for s in set(segs.symbols)}
    distinct = sorted(set(resolved.values()))
    position = {key: i for i, key in enumerate(distinct)}
    table = np.array([spec.target(key) for key in distinct], dtype=np.float64)
    rows = np.fromiter((position[resolved[s]] for s in segs.symbols), np.intp, len(segs.symbols))
    silence = np.array(spec.target(spec.silence))
    # Each frame's share of each distinct target (a segment short of full gain gives the rest
    # of its share to silence), then one product with the targets.
    rest = position.get(spec.silence)
    if rest is None:
        rest = len(distinct)
        table = np.vstack([table, silence])
    count = len(table)
    frame_rows = np.arange(len(frames_mix.share))[:, None] * count
    gain = segs.gain[frames_mix.index]
    weights = np.bincount(
        (frame_rows + rows[frames_mix.index]).ravel(),
        (frames_mix.share * gain).ravel(),
        minlength=len(frames_mix.share) * count,
    ).reshape(-1, count)
    weights[:, rest] += (frames_mix.share * (1.0 - gain)).sum(axis=1)
    frames = np.einsum("fk,kc->fc", weights, table)  # no BLAS threads for a small product
    if intensity != 1.0:
        scaled = silence[None, :] + intensity * (frames - silence[None, :])
        if spec.closure is not None:
            column = spec.channels.index(spec.closure)
            scaled[:, column] = frames[:, column]
        frames = scaled
    frames = np.clip(frames, 0.0, 1.0)
    partition = np.flatnonzero(silence)
    if len(partition) == 1 and silence[partition[0]] == 1.0:
        rest = int(partition[0])
        others = frames.sum(axis=1) - frames[:, rest]
        over = others > 1.0
        frames[over] /= others[over, None]
        frames[:, rest] = np.where(over, 0.0, 1.0 - others)
    return Curves(spec.name, fps, spec.channels, frames.astype(np.float32))


def build_curves(
    phonemes: Sequence[TimedPhoneme],
    duration: float,
    specs: Sequence[VisemeSetSpec],
    fps: int,
    intensity: float = 1.0,
) -> dict[str, Curves]:
    """Curves of each set in ``specs`` over ``[0, duration]`` at ``fps`` frames a second."""
    check_intensity(intensity)
    if duration <= 0:
        raise Invalid("curves need audio longer than 0 s", field="duration")
    segs = segments(phonemes, duration)
    frames_mix = mix(segs, fps)
    return {spec.name: set_curves(spec, segs, frames_mix, fps, intensity) for spec in specs}


def closed_lips(curves: Curves, spec: VisemeSetSpec) -> CurveArray:
    """Per frame, how closed the lips are in [0, 1]: the ``closure`` channel, or (a set
    without one, whose rest is closed lips) one minus the largest weight."""
    if spec.closure is not None:
        return curves.frames[:, spec.channels.index(spec.closure)]
    if not len(spec.channels):
        raise Invalid(f"viseme set {spec.name!r} has no curves", field="curves")
    return np.asarray(1.0 - curves.frames.max(axis=1), dtype=np.float32)


CUE_PHONEMES = {
    "PP": "p",
    "FF": "f",
    "TH": "θ",
    "DD": "d",
    "kk": "k",
    "CH": "ʃ",
    "SS": "s",
    "nn": "n",
    "RR": "ɹ",
    "aa": "ˈɑ",
    "E": "ˈɛ",
    "ih": "ˈɪ",
    "oh": "ˈɔ",
    "ou": "ˈu",
}
"""A phoneme standing for each ``oculus`` viseme (vowels stressed), to read cues as speech."""


def cue_phonemes(cues: Sequence[VisemeCue]) -> list[TimedPhoneme]:
    """``oculus`` cues as the phonemes they stand for (silence cues are the gaps), so cues
    given without phonemes animate through the same coarticulation as speech."""
    from avatar_service.core.speech import TimedPhoneme

    out = []
    for cue in cues:
        symbol = CUE_PHONEMES.get(cue.viseme)
        if symbol is not None:
            stress = 1 if symbol.startswith("ˈ") else 0
            out.append(TimedPhoneme(symbol.lstrip("ˈ"), cue.start, cue.end, stress=stress))
    return out
