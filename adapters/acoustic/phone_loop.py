"""Phone recognition without a transcript: Viterbi over a loop of the phone model's classes
with a phone bigram, online, with a fixed-lag decision.

Staying in a class costs nothing; moving from class ``a`` to ``b`` scores
``language_weight * log P(b | a) + insertion`` (``insertion`` < 0 curbs spurious short
phones). Frames are pushed as the model produces them; ``segments()`` traces the best path
back from the newest frame. Frames more than ``lag`` behind the newest are committed: later
audio never changes them, and each push costs the same however long the stream has run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Segment:
    """One decoded class held over frames ``[start, end)``."""

    label: int
    start: int
    end: int


class LoopDecoder:
    """Online phone-loop Viterbi over ``log_bigram`` (``(classes, classes)``, from-row
    to-column log probabilities)."""

    def __init__(
        self,
        log_bigram: npt.NDArray[np.float32],
        *,
        language_weight: float = 1.0,
        insertion: float = -2.0,
        lag: int = 40,
    ) -> None:
        moves = language_weight * np.asarray(log_bigram, np.float32) + np.float32(insertion)
        np.fill_diagonal(moves, 0.0)
        self._moves = moves.astype(np.float32)
        self._lag = lag
        self._delta: npt.NDArray[np.float32] | None = None
        self._backs: list[npt.NDArray[np.int16]] = []  # per uncommitted frame (after the first)
        self._base = 0  # frame index of the first uncommitted frame
        self._committed: list[Segment] = []
        self._frames = 0

    def push(self, logp: npt.NDArray[np.float32]) -> None:
        """Add ``(frames, classes)`` log posteriors."""
        rows = np.asarray(logp, np.float32)
        columns = np.arange(self._moves.shape[0])
        for row in rows:
            if self._delta is None:
                self._delta = row.copy()
            else:
                scores = self._delta[:, None] + self._moves
                best = scores.argmax(axis=0)
                self._backs.append(best.astype(np.int16))
                self._delta = scores[best, columns] + row
            self._frames += 1
        if self._frames - self._base > 2 * self._lag:
            self._commit(self._frames - self._lag)

    def _path(self) -> npt.NDArray[np.intp]:
        """Classes of the uncommitted frames on the best path to the newest frame."""
        count = self._frames - self._base
        path = np.empty(count, np.intp)
        if count == 0 or self._delta is None:
            return path
        state = int(self._delta.argmax())
        for k in range(count - 1, -1, -1):
            path[k] = state
            if k:
                state = int(self._backs[k - 1][state])
        return path

    def _commit(self, upto: int) -> None:
        path = self._path()
        keep = upto - self._base
        fresh = _segments(path[:keep], self._base)
        if self._committed and fresh and self._committed[-1].label == fresh[0].label:
            held = self._committed.pop()  # in place: committing costs the same all stream long
            fresh[0] = Segment(held.label, held.start, fresh[0].end)
        self._committed.extend(fresh)
        # The first kept frame's back-pointer led into the committed part: it is dropped too.
        self._backs = self._backs[keep:]
        self._base = upto

    @property
    def committed(self) -> int:
        """How many segments are committed (the last of them may still grow)."""
        return len(self._committed)

    def segments(self, first: int = 0) -> list[Segment]:
        """The best path so far as segments, from committed segment ``first`` on: committed
        ones, then the newest (tentative)."""
        return _merged(self._committed[first:], _segments(self._path(), self._base))


def _segments(path: npt.NDArray[np.intp], offset: int) -> list[Segment]:
    if path.size == 0:
        return []
    changes = np.flatnonzero(np.diff(path)) + 1
    starts = np.concatenate([[0], changes])
    ends = np.concatenate([changes, [path.size]])
    return [
        Segment(int(path[s]), int(s) + offset, int(e) + offset)
        for s, e in zip(starts, ends, strict=True)
    ]


def _merged(first: list[Segment], second: list[Segment]) -> list[Segment]:
    if first and second and first[-1].label == second[0].label:
        joined = Segment(first[-1].label, first[-1].start, second[0].end)
        return [*first[:-1], joined, *second[1:]]
    return [*first, *second]
