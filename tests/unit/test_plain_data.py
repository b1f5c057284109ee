"""Dataclasses to plain data and back, field by field, for the types ``core.plain_data`` names."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import pytest

from avatar_service.core.plain_data import from_plain, to_plain


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Point:
    x: float
    y: float = 0.0


@dataclass(frozen=True)
class Drawing:
    name: str
    colour: Colour = Colour.RED
    points: tuple[Point, ...] = ()
    corner: tuple[int, str] | None = None
    tags: list[str] = field(default_factory=list)
    weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    origin: Point | None = None
    style: Literal["solid", "dashed"] = "solid"


def test_every_supported_type_survives_a_trip_through_json() -> None:
    drawing = Drawing(
        "d",
        Colour.BLUE,
        (Point(1.5, 2.0), Point(0.25)),
        (3, "c"),
        ["a", "b"],
        {"jaw": {"open": 0.5}},
        Point(-1.0, 1.0),
        "dashed",
    )
    plain = json.loads(json.dumps(to_plain(drawing)))
    assert plain["colour"] == "blue" and plain["points"][1] == {"x": 0.25, "y": 0.0}
    assert from_plain(Drawing, plain) == drawing


def test_absent_fields_read_as_their_defaults_and_records_may_be_lists() -> None:
    assert from_plain(Drawing, {"name": "d", "points": [[1, 2], [3]]}) == Drawing(
        "d", points=(Point(1.0, 2.0), Point(3.0))
    )


@pytest.mark.parametrize(
    "plain",
    [
        {},  # name is required
        {"name": "d", "size": 3},
        {"name": 3},
        {"name": "d", "colour": "green"},
        {"name": "d", "corner": [3]},
        {"name": "d", "corner": [True, "c"]},
        {"name": "d", "points": [[1, 2, 3]]},
        {"name": "d", "points": "none"},
        {"name": "d", "weights": {"jaw": {"open": "wide"}}},
        {"name": "d", "style": "dotted"},
        "d",
    ],
)
def test_data_that_is_not_the_type_is_refused(plain: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        from_plain(Drawing, plain)


def test_a_type_it_does_not_know_is_refused_on_writing() -> None:
    @dataclass
    class Stamped:
        at: datetime

    with pytest.raises(TypeError, match="datetime"):
        to_plain(Stamped(datetime(2024, 1, 1)))
    with pytest.raises(TypeError):
        to_plain({1: "a"})
