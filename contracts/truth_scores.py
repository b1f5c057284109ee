"""How close an alignment is to a truth clip: phone-boundary F1 within a tolerance, word-onset
errors, and whether every word is there in order. Pure; for benchmarks and tests of any
``Aligner`` against ``truth_corpus`` clips."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from avatar_service.contracts.truth_corpus import TruthClip
from avatar_service.core.speech import Alignment

TOLERANCE_SECONDS = 0.02


def boundaries(spans: Sequence[tuple[float, float]], merge: float = 0.001) -> list[float]:
    """Every start and end of ``spans``, sorted, with times closer than ``merge`` taken once
    (a phone's end is the next one's start)."""
    times = sorted(t for span in spans for t in span)
    merged: list[float] = []
    for t in times:
        if not merged or t - merged[-1] >= merge:
            merged.append(t)
    return merged


def matched(truth: Sequence[float], found: Sequence[float], tolerance: float) -> int:
    """How many of ``found`` pair one-to-one with a ``truth`` time within ``tolerance`` (both
    sorted; greedy in time order, which is optimal for points on a line)."""
    i = j = count = 0
    while i < len(truth) and j < len(found):
        if abs(truth[i] - found[j]) <= tolerance:
            count, i, j = count + 1, i + 1, j + 1
        elif truth[i] < found[j]:
            i += 1
        else:
            j += 1
    return count


@dataclass(frozen=True, slots=True)
class ClipScore:
    """One alignment of one clip: boundary counts (for F1 pooled over clips), each true word's
    signed onset error in seconds (aligned minus true; ``None`` for a word the alignment lacks)
    and whether every word is present, in order, with the text's offsets."""

    truth_boundaries: int
    found_boundaries: int
    matched_boundaries: int
    onset_errors: tuple[float | None, ...]
    words_present: bool


def score(clip: TruthClip, alignment: Alignment, tolerance: float = TOLERANCE_SECONDS) -> ClipScore:
    truth = boundaries([(p.onset, p.end) for p in clip.phones])
    found = boundaries([(p.start, p.end) for p in alignment.phonemes])
    by_offsets = {(w.char_start, w.char_end): w for w in alignment.words}
    errors = tuple(
        (by_offsets[(w.char_start, w.char_end)].start - w.onset)
        if (w.char_start, w.char_end) in by_offsets
        else None
        for w in clip.words
    )
    in_order = [(w.char_start, w.char_end) for w in alignment.words] == [
        (w.char_start, w.char_end) for w in clip.words
    ]
    return ClipScore(len(truth), len(found), matched(truth, found, tolerance), errors, in_order)


def f1(scores: Sequence[ClipScore]) -> float:
    """Boundary F1 pooled over ``scores``."""
    hits = sum(s.matched_boundaries for s in scores)
    precision = hits / max(1, sum(s.found_boundaries for s in scores))
    recall = hits / max(1, sum(s.truth_boundaries for s in scores))
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
