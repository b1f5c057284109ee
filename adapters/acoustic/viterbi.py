"""Forced alignment of a phone sequence to the phone model's frames (Viterbi, pure numpy).

Each phone is one state held for at least one frame; an optional pause state sits before the
first phone, between words and after the last phone. The best path maximises the summed log
posteriors of its states' classes; no transition is scored (the model's posteriors already
carry the durations it learned).
"""

from __future__ import annotations

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
    frames = scores.shape[0]
    states = plan.columns.size
    required = int(np.count_nonzero(~plan.optional))
    if frames < max(required, 1):
        raise ValueError(f"{required} phones cannot fit in {frames} frames")
    emit = np.ascontiguousarray(scores[:, plan.columns], dtype=np.float32)
    skip_penalty = np.full(states, NEG, np.float32)  # j may be entered from j - 2 ...
    skip_penalty[2:] = np.where(plan.optional[1:-1], 0.0, NEG)  # ... when j - 1 is optional
    delta = np.full(states, NEG, np.float32)
    delta[0] = emit[0, 0]
    if states > 1 and plan.optional[0]:
        delta[1] = emit[0, 1]
    back = np.zeros((frames, states), np.intp)  # 0 stay, 1 from j-1, 2 from j-2
    candidates = np.full((3, states), NEG, np.float32)
    columns = np.arange(states)
    for t in range(1, frames):
        candidates[0] = delta
        candidates[1, 1:] = delta[:-1]
        np.add(delta[:-2], skip_penalty[2:], out=candidates[2, 2:])
        step = candidates.argmax(axis=0)
        back[t] = step
        delta = candidates[step, columns] + emit[t]
    last = states - 1
    if states > 1 and plan.optional[last] and delta[last - 1] > delta[last]:
        last -= 1
    path = np.empty(frames, np.intp)
    state = last
    for t in range(frames - 1, -1, -1):
        path[t] = state
        state -= int(back[t, state])
    return path
