"""Which short pauses the phonenet recogniser bridges (``bridged_bounds``): a pause that may
be a bilabial's closure stays a rest, which shows closed lips; any other short pause between
two phones is shared out between them, so the mouth does not snap shut mid-word."""

from __future__ import annotations

import numpy as np

from avatar_service.adapters.acoustic.phone_loop import Segment
from avatar_service.adapters.recognizer.phonenet_phones import (
    LIPS_HEARD,
    RECORDING_LOOP,
    bridged_bounds,
)

SIL, A, T, P = 0, 1, 2, 3
LABIALS = (P,)
SETTINGS = RECORDING_LOOP  # bridge 20 ms (4 frames), lips_bridge 50 ms (10 frames)


def _posteriors(frames: int, labial_at: dict[int, float] | None = None) -> np.ndarray:
    """Log posteriors that hear the pause class, with ``labial_at`` frames giving P that
    probability."""
    probs = np.full((frames, 4), 1e-4, np.float32)
    probs[:, SIL] = 1.0
    for frame, prob in (labial_at or {}).items():
        probs[frame, P] = prob
    return np.log(probs / probs.sum(axis=1, keepdims=True))


def _vowel_pause(pause: int, after: int = T) -> list[Segment]:
    return [Segment(A, 0, 20), Segment(SIL, 20, 20 + pause), Segment(after, 20 + pause, 40 + pause)]


def _bridged(segments: list[Segment], logp: np.ndarray | None) -> bool:
    bounds = bridged_bounds(segments, SIL, SETTINGS, LABIALS, logp)
    return bounds[0][1] == bounds[2][0]


def test_a_pause_of_a_few_frames_is_always_bridged() -> None:
    segments = _vowel_pause(4, after=P)
    assert _bridged(segments, _posteriors(44, {22: 0.9}))


def test_a_short_pause_that_nothing_says_is_closed_lips_is_bridged_in_its_middle() -> None:
    segments = _vowel_pause(8)
    bounds = bridged_bounds(segments, SIL, SETTINGS, LABIALS, _posteriors(48))
    assert bounds == [[0, 24], [20, 28], [24, 48]]


def test_a_short_pause_beside_a_bilabial_stays_a_rest() -> None:
    assert not _bridged(_vowel_pause(8, after=P), _posteriors(48))


def test_a_short_pause_in_which_the_model_hears_closed_lips_stays_a_rest() -> None:
    assert not _bridged(_vowel_pause(8), _posteriors(48, {25: 2 * LIPS_HEARD}))
    assert _bridged(_vowel_pause(8), _posteriors(48, {25: LIPS_HEARD / 2}))


def test_without_posteriors_a_short_pause_may_be_closed_lips_and_stays_a_rest() -> None:
    assert not _bridged(_vowel_pause(8), None)


def test_a_pause_longer_than_the_lips_bridge_stays_a_rest() -> None:
    assert not _bridged(_vowel_pause(11), _posteriors(51))
