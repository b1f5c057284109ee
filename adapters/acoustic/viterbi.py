"""Forced alignment of a phone sequence to the phone model's frames (Viterbi, pure numpy).

Each phone is one state held for at least one frame; an optional pause state sits before the
first phone, between words and after the last phone. The best path maximises the summed log
posteriors of its states' classes; no transition is scored (the model's posteriors already
carry the durations it learned). A long sweep is a beam search (``BEAM``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

NEG = np.float32(-1e30)
Views = tuple[npt.NDArray[Any], ...]


@dataclass(frozen=True, slots=True)
class StatePlan:
    """The states to align: each one's column in the score matrix and whether it may be
    skipped (pauses)."""

    columns: npt.NDArray[np.intp]
    optional: npt.NDArray[np.bool_]


def best_path(scores: npt.NDArray[np.float32], plan: StatePlan) -> npt.NDArray[np.intp]:
    """The state of every frame on the best path through ``plan`` for ``(frames, columns)``
    ``scores``. ``ValueError`` when there are fewer frames than required states."""
    return best_paths(scores, (plan,))[0]


MAX_BACK_POINTER_BYTES = 64 << 20
"""Back pointers (one byte per frame and state) kept at once. A longer sweep (a long
recording with its transcript) keeps the scores at the start of each block of frames instead,
and re-runs each block once while tracing back: about twice the time, a bounded memory."""

EMISSION_BYTES = 1 << 20
"""The states' scores gathered at once for a block of frames (never frames x states)."""

PRUNE_EVERY = 8
"""Frames between two prunings of a beam search (in between, its window only grows)."""

BEAM = 2000.0
"""A long sweep (``PRUNED_FROM_STATES``) scores, at each frame, only the states whose best
score so far is within this many nats of the frame's best, so its cost grows with the frames
alone, not frames times phones. Should a plan's last state fall out of the beam, that plan is
swept again whole. On recordings of the tuning split joined into 1-3 minutes, every path and
confidence matched the whole sweep's from a beam of 100 with their transcripts and of 1000
with another sentence's (300 changed confidences there): 2000 keeps a margin, and costs
little more (a window of about 400 states). Where the audio holds a long stretch that its
transcript lacks, no beam keeps the exhaustive path (a pause over all of it, ever further
behind): the transcript's first words may then be placed otherwise (docs/limits.md)."""
PRUNED_FROM_STATES = 4000
"""States (of all plans together; about five per phone) from which each plan is swept alone
within ``BEAM``. Fewer are swept together and whole, which costs less there (measured: even at
about 4,000 states, some 60 s of speech with its transcript; 1.5x less at 2,300)."""


def best_paths(
    scores: npt.NDArray[np.float32],
    plans: Sequence[StatePlan],
    *,
    max_back_bytes: int = MAX_BACK_POINTER_BYTES,
    beam: float | None = BEAM,
    pruned_from: int = PRUNED_FROM_STATES,
) -> list[npt.NDArray[np.intp]]:
    """``best_path`` of each of ``plans`` over the same ``scores``. Few states: one sweep
    over the frames (the plans' states side by side, no transition between them): the
    per-frame cost is mostly fixed, so two plans cost little more than one. From
    ``pruned_from`` states: each plan alone, pruned to ``beam`` (``None``: never pruned). At
    most ``max_back_bytes`` of back pointers are held at once (``MAX_BACK_POINTER_BYTES``)."""
    frames = scores.shape[0]
    for plan in plans:
        required = int(np.count_nonzero(~plan.optional))
        if frames < max(required, 1):
            raise ValueError(f"{required} phones cannot fit in {frames} frames")
    if beam is None or sum(plan.columns.size for plan in plans) < pruned_from:
        return _whole(scores, plans, max_back_bytes)
    paths = []
    for plan in plans:
        found = _swept(scores, (plan,), max_back_bytes, beam)
        paths.extend(found or _whole(scores, (plan,), max_back_bytes))
    return paths


def _whole(
    scores: npt.NDArray[np.float32], plans: Sequence[StatePlan], max_back_bytes: int
) -> list[npt.NDArray[np.intp]]:
    paths = _swept(scores, plans, max_back_bytes, None)
    if paths is None:  # only a beam can lose an end: every plan fits in the frames
        raise AssertionError("a whole Viterbi sweep reached no plan's end")
    return paths


def _swept(
    scores: npt.NDArray[np.float32],
    plans: Sequence[StatePlan],
    max_back_bytes: int,
    beam: float | None,
) -> list[npt.NDArray[np.intp]] | None:
    """The plans' best paths from one sweep, or ``None`` when ``beam`` pruned an end."""
    frames = scores.shape[0]
    sweep = _Sweep(scores, plans, beam)
    delta = sweep.start()
    block = max(1, max_back_bytes // sweep.states)
    starts = list(range(1, frames, block))
    checkpoints = []  # the scores and the window before each block but the last
    for begin in starts[:-1]:
        checkpoints.append((delta.copy(), sweep.window))
        sweep.advance(delta, begin, begin + block)
    back = np.zeros((min(block, frames - 1), sweep.states), np.int8)  # one block's, reused
    if starts:
        sweep.advance(delta, starts[-1], frames, back)
    states = []
    for first, plan in zip(sweep.firsts, plans, strict=True):
        last = first + plan.columns.size - 1
        if plan.columns.size > 1 and plan.optional[-1] and delta[last - 1] > delta[last]:
            last -= 1
        if delta[last] <= NEG / 2:
            return None
        states.append(int(last))
    paths = [np.empty(frames, np.intp) for _ in plans]
    for index in range(len(starts) - 1, -1, -1):
        begin = starts[index]
        end = min(begin + block, frames)
        if index < len(starts) - 1:  # the last block's pointers are there already
            checkpoint, sweep.window = checkpoints[index]
            sweep.advance(checkpoint, begin, end, back)
        for t in range(end - 1, begin - 1, -1):
            for k, first in enumerate(sweep.firsts):
                paths[k][t] = states[k] - first
                states[k] -= int(back[t - begin, states[k]])
    for k, first in enumerate(sweep.firsts):
        paths[k][0] = states[k] - first
    return paths


class _Sweep:
    """The plans' states side by side and how each may be entered; ``advance`` moves the best
    scores on by frames. ``window``: the states ``[lo, hi)`` whose scores may be above
    ``NEG`` (all of them unless ``beam`` prunes)."""

    def __init__(
        self, scores: npt.NDArray[np.float32], plans: Sequence[StatePlan], beam: float | None
    ) -> None:
        self.plans = plans
        self.beam = beam
        self.columns = np.concatenate([plan.columns for plan in plans])
        optional = np.concatenate([plan.optional for plan in plans])
        self.firsts = [int(f) for f in np.cumsum([0, *(p.columns.size for p in plans)])[:-1]]
        self.states = states = self.columns.size
        self.window = (0, states)
        self.scores = np.ascontiguousarray(scores, dtype=np.float32)
        self.enter = np.zeros(states, np.float32)  # j may be entered from j - 1 ...
        self.enter[self.firsts] = NEG  # ... unless it starts a plan
        self.skip = np.full(states, NEG, np.float32)  # j may be entered from j - 2 ...
        self.skip[2:] = np.where(optional[1:-1], 0.0, NEG)  # ... when j - 1 is optional ...
        self.skip[self.firsts] = NEG  # ... within one plan
        self.skip[np.minimum(np.array(self.firsts) + 1, states - 1)] = NEG
        self.candidates = np.full((2, states), NEG, np.float32)  # entered, skipped
        self.moved = np.zeros(states, np.bool_)
        self.jumped = np.zeros(states, np.bool_)

    def start(self) -> npt.NDArray[np.float32]:
        """The best scores at frame 0: each plan's first state, or its second past an optional
        first."""
        delta = np.full(self.states, NEG, np.float32)
        emit = np.take(self.scores[0], self.columns)
        for first, plan in zip(self.firsts, self.plans, strict=True):
            delta[first] = emit[first]
            if plan.columns.size > 1 and plan.optional[0]:
                delta[first + 1] = emit[first + 1]
        if self.beam is not None:
            self.window = (0, min(2, self.states))
        return delta

    def advance(
        self,
        delta: npt.NDArray[np.float32],
        begin: int,
        end: int,
        back: npt.NDArray[np.int8] | None = None,
    ) -> None:
        """Move ``delta`` (the best scores at frame ``begin - 1``) on through frames
        ``[begin, end)``, in place; ``back[t - begin]``: how each state of the window was
        entered at frame t (0 stay, 1 from j - 1, 2 from j - 2; the first best on a tie; states
        beyond the window's reach are left as they were). States the window does not reach
        score ``NEG`` or about it (a ``NEG`` plus a frame's scores)."""
        states, scores, columns = self.states, self.scores, self.columns
        lo, hi = self.window
        stop = min(end, scores.shape[0])
        t = begin
        while t < stop:  # a stretch of frames over one set of states, [lo, reach)
            if self.beam is None:
                count, reach = stop - t, states
            else:  # pruned every PRUNE_EVERY frames; a state moves on by two at most
                count = min(stop - t, PRUNE_EVERY - t % PRUNE_EVERY)
                reach = min(states, hi + 2 * count)
            count = max(1, min(count, EMISSION_BYTES // (4 * (reach - lo))))
            emitted = np.take(scores[t : t + count], columns[lo:reach], axis=1)
            reads, writes, (live, entered, skipped, moved, jumped) = self._views(delta, lo, reach)
            for k in range(count):
                np.add(reads[0], reads[1], out=writes[0])
                np.add(reads[2], reads[3], out=writes[1])
                if back is None:
                    np.maximum(live, entered, out=live)
                else:
                    row = back[t + k - begin, lo:reach]
                    np.greater(entered, live, out=moved)
                    np.maximum(live, entered, out=live)
                    np.greater(skipped, live, out=jumped)
                    np.left_shift(jumped.view(np.int8), 1, out=row)
                    np.maximum(row, moved.view(np.int8), out=row)
                np.maximum(live, skipped, out=live)
                live += emitted[k]
            t += count
            hi = min(states, hi + 2 * count)
            if self.beam is not None and t % PRUNE_EVERY == 0:
                lo, hi = self._pruned(delta, lo, hi)
        self.window = (lo, hi)

    def _views(
        self, delta: npt.NDArray[np.float32], lo: int, hi: int
    ) -> tuple[Views, Views, Views]:
        """What a frame of the window ``[lo, hi)`` reads (the scores one state back and the
        cost of entering from there, the same two states back), where it writes their sums
        (from the window's first state that has such a predecessor: before it, they stay
        ``NEG``), and the window's own scores, both candidates and two flags."""
        one, two = max(lo, 1), max(lo, 2)
        candidates = self.candidates
        reads = (
            delta[one - 1 : hi - 1],
            self.enter[one:hi],
            delta[two - 2 : hi - 2],
            self.skip[two:hi],
        )
        writes = (candidates[0, one:hi], candidates[1, two:hi])
        window = (
            delta[lo:hi],
            candidates[0, lo:hi],
            candidates[1, lo:hi],
            self.moved[lo:hi],
            self.jumped[lo:hi],
        )
        return reads, writes, window

    def _pruned(self, delta: npt.NDArray[np.float32], lo: int, hi: int) -> tuple[int, int]:
        """The window's states within ``beam`` of its best; the others' scores set to NEG."""
        assert self.beam is not None
        live = delta[lo:hi]
        kept = np.flatnonzero(live >= live.max() - self.beam)
        first, last = lo + int(kept[0]), lo + int(kept[-1]) + 1
        delta[lo:first] = NEG
        delta[last:hi] = NEG
        return first, last
