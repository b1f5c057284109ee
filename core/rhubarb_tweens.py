"""Rhubarb Lip Sync's in-between shapes for the ``rhubarb`` set: a short shape inserted where the
mouth would jump between two distant ones (wide open D to closed A, B, G or X goes through C;
C, D or H to F through E), so that a rig that swaps drawings moves smoothly. The rules and
their timing are Rhubarb 1.14's (``insertTweens``); most work one way only, as a mouth pops
open without in-betweens and closes slowly.

Times are centiseconds, as in ``core.cue_formats``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

Timing = Literal["early", "centred", "late"]
TWEENS: dict[tuple[str, str], tuple[str, Timing]] = {
    ("D", "A"): ("C", "early"),
    ("D", "B"): ("C", "centred"),
    ("D", "G"): ("C", "early"),
    ("D", "X"): ("C", "late"),
    ("C", "F"): ("E", "centred"),
    ("F", "C"): ("E", "centred"),
    ("D", "F"): ("E", "centred"),
    ("H", "F"): ("E", "late"),
    ("F", "H"): ("E", "early"),
}
"""(from, to) -> the shape between them and where it sits: at the end of the first shape, over
the change, or at the start of the second."""
MIN_TWEEN, MAX_TWEEN = 4, 8
"""Centiseconds an in-between lasts: shorter ones are left out."""

Cue = tuple[str, int, int]
"""``(shape, start, end)`` in centiseconds."""


def with_tweens(cues: Sequence[Cue]) -> list[Cue]:
    """Contiguous ``cues`` with Rhubarb's in-betweens set over them (each taken from the
    shapes either side of its change; neighbours of one shape joined)."""
    if not cues:
        return []
    origin, end = cues[0][1], cues[-1][2]
    shapes = [shape for shape, start, stop in cues for _ in range(start, stop)]
    for first, second in pairwise(cues):
        tween = _tween(first, second)
        if tween is not None:
            shape, start, stop = tween
            shapes[start - origin : stop - origin] = [shape] * (stop - start)
    out: list[Cue] = []
    for offset, shape in enumerate(shapes):
        if out and out[-1][0] == shape:
            out[-1] = (shape, out[-1][1], origin + offset + 1)
        else:
            out.append((shape, origin + offset, origin + offset + 1))
    assert out[-1][2] == end
    return out


def _tween(first: Cue, second: Cue) -> Cue | None:
    rule = TWEENS.get((first[0], second[0]))
    if rule is None:
        return None
    shape, timing = rule
    first_length, second_length = first[2] - first[1], second[2] - second[1]
    if timing == "early":
        length = min(first_length // 3, MAX_TWEEN)
        start = first[2] - length
    elif timing == "centred":
        length = min(first_length // 4, second_length // 4, MAX_TWEEN)
        start = first[2] - length // 2
    else:
        length = min(second_length // 3, MAX_TWEEN)
        start = second[1]
    return None if length < MIN_TWEEN else (shape, start, start + length)
