"""Avatar state and pose validation, and the merge-patch rule."""

from __future__ import annotations

import pytest

from avatar_service.core.avatar import AvatarState, Expression, Pose
from avatar_service.core.errors import Invalid


def test_defaults_are_valid_and_round_trip_through_dicts() -> None:
    state = AvatarState()
    assert AvatarState.from_dict(state.to_dict()) == state


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("skin_tone", "red"),
        ("hair_color", "#12345"),
        ("eye_color", "#zzzzzz"),
        ("background", "<svg>"),
        ("hair_style", "mohawk"),
        ("expression", "smug"),
        ("accessories", ["glasses", "cape"]),
        ("accessories", "glasses"),
        ("accessories", ["glasses", "glasses"]),
    ],
)
def test_bad_values_are_invalid_and_name_the_field(field: str, value: object) -> None:
    with pytest.raises(Invalid) as caught:
        AvatarState.from_dict({field: value})
    assert caught.value.field == f"state.{field}"


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(Invalid, match="unknown state field"):
        AvatarState.from_dict({"hair_colour": "#000000"})


def test_colours_are_lowercased_and_transparent_background_allowed() -> None:
    state = AvatarState.from_dict({"hair_color": "#ABCDEF", "background": "transparent"})
    assert state.hair_color == "#abcdef" and state.background == "transparent"


def test_merge_patch_changes_named_fields_and_null_resets_to_default() -> None:
    state = AvatarState.from_dict({"hair_color": "#111111", "expression": "happy"})
    patched = state.merged({"expression": None, "accessories": ["glasses"]})
    assert patched.expression is Expression.NEUTRAL
    assert patched.hair_color == "#111111"
    assert patched.to_dict()["accessories"] == ["glasses"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("viseme", "XX"),
        ("blink", 1.5),
        ("gaze_x", -2),
        ("head_tilt", 45),
        ("blink", True),
        ("expression", "meh"),
    ],
)
def test_pose_ranges_are_enforced(field: str, value: object) -> None:
    with pytest.raises(Invalid) as caught:
        Pose.from_dict({field: value})
    assert caught.value.field == f"pose.{field}"
