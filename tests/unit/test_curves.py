"""Weight curves: rows per frame from t = 0, coarticulation, closures, jaw peaks, intensity."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_service.core.curves import (
    CLOSURE_HOLD,
    build_curves,
    closed_lips,
    frame_count,
)
from avatar_service.core.errors import Invalid
from avatar_service.core.speech import TimedPhoneme
from avatar_service.core.visemes import BUILTIN_REGISTRY

ARKIT = BUILTIN_REGISTRY.get("arkit")
VRM = BUILTIN_REGISTRY.get("vrm")
OCULUS = BUILTIN_REGISTRY.get("oculus")


def _word(spec: list[tuple[str, float]], start: float = 0.2) -> list[TimedPhoneme]:
    out, t = [], start
    for symbol, length in spec:
        stress = 1 if symbol.startswith("ˈ") else 0
        out.append(TimedPhoneme(symbol.lstrip("ˈ"), t, t + length, stress=stress))
        t += length
    return out


def test_one_row_per_frame_from_zero_to_the_duration() -> None:
    curves = build_curves([], 1.0, [VRM], 30)["vrm"]
    assert curves.frames.shape == (31, 5) == (frame_count(1.0, 30), len(VRM.channels))
    assert not curves.frames.any(), "silence is rest"


def test_a_short_bilabial_closes_the_lips_for_at_least_the_closure_hold() -> None:
    phonemes = _word([("ˈa", 0.15), ("p", 0.015), ("a", 0.15)])
    curves = build_curves(phonemes, 0.7, [ARKIT], 200)["arkit"]
    lips = closed_lips(curves, ARKIT)
    closed_frames = int((lips >= 0.9).sum())
    assert closed_frames / 200 >= CLOSURE_HOLD - 0.01


def test_vrm_lips_close_to_rest_on_a_bilabial() -> None:
    phonemes = _word([("ˈa", 0.15), ("m", 0.02), ("a", 0.15)])
    curves = build_curves(phonemes, 0.7, [VRM], 60)["vrm"]
    middle = round((phonemes[1].start + phonemes[1].end) / 2 * 60)
    assert closed_lips(curves, VRM)[middle] >= 0.9


def test_every_stressed_vowel_is_a_jaw_open_peak() -> None:
    phonemes = _word(
        [
            ("h", 0.06),
            ("ˈɛ", 0.12),
            ("l", 0.05),
            ("ˈoʊ", 0.18),
            ("s", 0.08),
            ("ˈi", 0.1),
            ("k", 0.06),
            ("ˈu", 0.12),
            ("n", 0.05),
            ("ˈɪ", 0.09),
            ("t", 0.06),
        ]
    )
    curves = build_curves(phonemes, 1.5, [ARKIT], 60)["arkit"]
    jaw = curves.frames[:, ARKIT.channels.index("jawOpen")]
    for i, vowel in enumerate(phonemes):
        if vowel.stress != 1:
            continue
        inside = jaw[round(vowel.start * 60) : round(vowel.end * 60) + 1].max()
        for neighbour in (phonemes[i - 1], phonemes[i + 1]):
            middle = round((neighbour.start + neighbour.end) / 2 * 60)
            assert inside > jaw[middle], f"{vowel.symbol} is no peak against {neighbour.symbol}"


def test_neighbours_blend_instead_of_switching() -> None:
    phonemes = _word([("ˈa", 0.2), ("u", 0.2)])
    curves = build_curves(phonemes, 0.8, [VRM], 100)["vrm"]
    aa, ou = VRM.channels.index("aa"), VRM.channels.index("ou")
    boundary = round(phonemes[0].end * 100)
    blended = curves.frames[boundary - 2 : boundary + 3]
    assert (blended[:, aa] > 0.05).all() and (blended[:, ou] > 0.05).all()
    assert np.abs(np.diff(curves.frames, axis=0)).max() < 0.5


def test_intensity_scales_shapes_but_not_the_closure() -> None:
    phonemes = _word([("ˈa", 0.15), ("b", 0.03), ("a", 0.15)])
    full = build_curves(phonemes, 0.7, [ARKIT, OCULUS], 60)
    half = build_curves(phonemes, 0.7, [ARKIT, OCULUS], 60, intensity=0.5)
    jaw = ARKIT.channels.index("jawOpen")
    assert half["arkit"].frames[:, jaw].max() == pytest.approx(
        full["arkit"].frames[:, jaw].max() / 2, abs=1e-4
    )
    assert np.allclose(closed_lips(half["arkit"], ARKIT), closed_lips(full["arkit"], ARKIT))
    assert np.allclose(half["oculus"].frames.sum(axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("intensity", [-0.1, 2.5])
def test_intensity_out_of_range_is_invalid(intensity: float) -> None:
    with pytest.raises(Invalid) as caught:
        build_curves([], 1.0, [VRM], 30, intensity=intensity)
    assert caught.value.field == "intensity"
