"""Whether a transcript fits the audio, judged from its words' confidences on a forced
alignment (``forced.force_align``): the ``phonenet`` aligner refuses a transcript that does
not fit, and the ``phonenet`` recogniser does not follow such a hint."""

from __future__ import annotations

from collections.abc import Sequence

MIN_CONFIDENCE = 0.2
"""Under this confidence a word is weak (the default of
``AVATAR_SPEECH__PHONENET_MIN_CONFIDENCE``)."""
MISMATCH_RUN = 3
RUN_CONFIDENCE = 0.35
"""Three consecutive words whose mean confidence is under this, one of them under the minimum
confidence, mark where a transcript goes wrong (one weak word alone may be a mumble)."""
WEAK_SHARE = 0.2
"""A transcript with at least two words, and this share of all its words, under the minimum
confidence does not fit the audio, even when its weak words are scattered (another sentence
can fit a few of its words by chance). On the tuning split right transcripts have at most an
eighth of their words so weak, other sentences' transcripts at least a tenth, mostly far more."""


def mismatch_at(confidences: Sequence[float], min_confidence: float) -> int | None:
    """The index of the word where a transcript stops fitting, given its words' confidences:
    the first word under ``min_confidence`` in a run of ``MISMATCH_RUN`` words whose mean
    confidence is under ``RUN_CONFIDENCE``, or after which no word reaches 0.5; else the
    first of the weak words when they are ``WEAK_SHARE`` of all; ``None`` when it fits."""
    for index, value in enumerate(confidences):
        if value >= min_confidence:
            continue
        rest = confidences[index:]
        runs = [
            confidences[start : start + MISMATCH_RUN]
            for start in range(max(0, index - MISMATCH_RUN + 1), index + 1)
        ]
        weak_run = any(
            len(run) == MISMATCH_RUN and sum(run) / len(run) < RUN_CONFIDENCE for run in runs
        )
        if weak_run or (len(rest) >= 2 and max(rest) < 0.5):
            return index
    weak = [i for i, value in enumerate(confidences) if value < min_confidence]
    if len(weak) >= 2 and len(weak) >= WEAK_SHARE * len(confidences):
        return weak[0]
    return None
