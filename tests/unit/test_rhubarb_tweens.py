"""Rhubarb Lip Sync's in-between shapes (core.rhubarb_tweens): where each sits, how long it
lasts, and where none goes."""

from __future__ import annotations

import pytest

from avatar_service.core.cue_formats import CueExportOptions, export_cues
from avatar_service.core.errors import Invalid
from avatar_service.core.rhubarb_tweens import with_tweens
from avatar_service.core.speech import VisemeCue
from avatar_service.core.visemes import BUILTIN_REGISTRY


def test_a_centred_in_between_straddles_the_change() -> None:
    # D to B through C: a quarter of the shorter side, at most 8 cs, half on each side
    assert with_tweens([("D", 0, 40), ("B", 40, 80)]) == [
        ("D", 0, 36),
        ("C", 36, 44),
        ("B", 44, 80),
    ]
    assert with_tweens([("D", 0, 20), ("B", 20, 80)]) == [
        ("D", 0, 18),
        ("C", 18, 23),
        ("B", 23, 80),
    ]


def test_an_early_in_between_ends_the_first_shape_and_a_late_one_starts_the_second() -> None:
    assert with_tweens([("D", 0, 30), ("A", 30, 40)]) == [
        ("D", 0, 22),
        ("C", 22, 30),
        ("A", 30, 40),
    ]
    assert with_tweens([("D", 0, 30), ("X", 30, 45)]) == [
        ("D", 0, 30),
        ("C", 30, 35),
        ("X", 35, 45),
    ]
    assert with_tweens([("F", 0, 12), ("H", 12, 30)]) == [("F", 0, 8), ("E", 8, 12), ("H", 12, 30)]


def test_no_in_between_where_the_mouth_pops_open_or_the_shapes_are_too_short() -> None:
    opening = [("X", 0, 30), ("A", 30, 60), ("D", 60, 90)]
    assert with_tweens(opening) == opening
    brief = [("D", 0, 11), ("A", 11, 40)]  # a third of 11 cs is under 4 cs
    assert with_tweens(brief) == brief
    assert with_tweens([]) == []


def test_every_change_gets_its_own_in_between() -> None:
    cues = [("C", 0, 40), ("F", 40, 80), ("C", 80, 120), ("D", 120, 160), ("X", 160, 200)]
    assert with_tweens(cues) == [
        ("C", 0, 36),
        ("E", 36, 44),
        ("F", 44, 76),
        ("E", 76, 84),
        ("C", 84, 120),
        ("D", 120, 160),
        ("C", 160, 168),
        ("X", 168, 200),
    ]


def test_exported_cues_take_in_betweens_before_the_shapes_left_out_are_replaced() -> None:
    rhubarb = BUILTIN_REGISTRY.get("rhubarb")
    cues = [VisemeCue("D", 0.0, 0.3), VisemeCue("G", 0.3, 0.6)]
    tweened = CueExportOptions(tweens=True, extended_shapes="")
    # D to G goes through C (early); G then shows as A, and X as A at the end
    assert export_cues(cues, 0.6, rhubarb, "tsv", options=tweened) == (
        "0.00\tD\n0.22\tC\n0.30\tA\n0.60\tA\n"
    )
    assert "C" not in export_cues(cues, 0.6, rhubarb, "tsv")  # only when asked for
    with pytest.raises(Invalid) as caught:
        export_cues(
            cues, 0.6, BUILTIN_REGISTRY.get("oculus"), "tsv", options=CueExportOptions(tweens=True)
        )
    assert caught.value.field == "tweens"
