"""Forced alignment of a phone sequence to the phone model's frames (Viterbi, pure numpy).

Each phone is one state held for at least one frame; an optional pause state sits before the
first phone, between words and after the last phone. The best path maximises the summed log
posteriors of its states' classes; no transition is scored (the model's posteriors already
carry the durations it learned).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

NEG = np.float32(-1e30)


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


def best_paths(
    scores: npt.NDArray[np.float32], plans: Sequence[StatePlan]
) -> list[npt.NDArray[np.intp]]:
    """``best_path`` of each of ``plans`` over the same ``scores``, in one sweep over the
    frames (the plans' states side by side, no transition between them): the per-frame cost
    is mostly fixed, so two plans cost little more than one."""
    frames = scores.shape[0]
    for plan in plans:
        required = int(np.count_nonzero(~plan.optional))
        if frames < max(required, 1):
            raise ValueError(f"{required} phones cannot fit in {frames} frames")
    columns = np.concatenate([plan.columns for plan in plans])
    optional = np.concatenate([plan.optional for plan in plans])
    firsts = np.cumsum([0, *(plan.columns.size for plan in plans)])[:-1]
    states = columns.size
    scores = np.ascontiguousarray(scores, dtype=np.float32)
    emit = np.empty(states, np.float32)  # one frame's, gathered as it comes: never frames x states
    enter_penalty = np.zeros(states, np.float32)  # j may be entered from j - 1 ...
    enter_penalty[firsts] = NEG  # ... unless it starts a plan
    skip_penalty = np.full(states, NEG, np.float32)  # j may be entered from j - 2 ...
    skip_penalty[2:] = np.where(optional[1:-1], 0.0, NEG)  # ... when j - 1 is optional ...
    skip_penalty[firsts] = NEG  # ... within one plan
    skip_penalty[np.minimum(firsts + 1, states - 1)] = NEG
    delta = np.full(states, NEG, np.float32)
    np.take(scores[0], columns, out=emit)
    for first, plan in zip(firsts, plans, strict=True):
        delta[first] = emit[first]
        if plan.columns.size > 1 and plan.optional[0]:
            delta[first + 1] = emit[first + 1]
    back = np.zeros((frames, states), np.int8)  # 0 stay, 1 from j-1, 2 from j-2
    candidates = np.full((3, states), NEG, np.float32)
    for t in range(1, frames):
        candidates[0] = delta
        np.add(delta[:-1], enter_penalty[1:], out=candidates[1, 1:])
        np.add(delta[:-2], skip_penalty[2:], out=candidates[2, 2:])
        back[t] = candidates.argmax(axis=0)
        np.maximum.reduce(candidates, axis=0, out=delta)
        delta += np.take(scores[t], columns, out=emit)
    paths = []
    for first, plan in zip(firsts, plans, strict=True):
        last = first + plan.columns.size - 1
        if plan.columns.size > 1 and plan.optional[-1] and delta[last - 1] > delta[last]:
            last -= 1
        path = np.empty(frames, np.intp)
        state = int(last)
        for t in range(frames - 1, -1, -1):
            path[t] = state - first
            state -= int(back[t, state])
        paths.append(path)
    return paths
