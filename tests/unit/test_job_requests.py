"""A render job's request survives its stored form with every field, nested ones included, and
data stored before a field existed still reads.

The requests here are built by walking ``dataclasses.fields``: every field of every nested
dataclass gets a value other than its default, so a field added to any of them and then lost
on the way to storage and back fails the round trip (a field whose type the walk does not know
fails it too, until the walk is taught that type).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from typing import Any

import pytest

from avatar_service.core import job_requests
from avatar_service.core.errors import Invalid
from avatar_service.core.jobs import JobKind
from avatar_service.core.speech import SynthesisOptions, VisemeCue
from avatar_service.core.usecases.render_requests import (
    Animation,
    AnimationRequest,
    SequenceRequest,
)
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.core.visemes import BUILTIN_REGISTRY
from avatar_service.core.visemesets import VisemeSetSpec

NO_DEFAULT: Any = dataclasses.MISSING
SAMPLES: dict[Any, Any] = {
    # A spec must keep its invariants, so it is a real one renamed; the walk below still
    # checks that none of its fields is at its default.
    VisemeSetSpec: lambda: dataclasses.replace(BUILTIN_REGISTRY.get("oculus"), name="own-set"),
}


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return NO_DEFAULT


def non_default(hint: Any, default: Any = NO_DEFAULT) -> Any:
    """A value of type ``hint`` that differs from ``default``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return non_default(next(a for a in args if a is not type(None)), default)
    if hint in SAMPLES:
        value = SAMPLES[hint]()
        every_field_differs_from_its_default(value)
    elif dataclasses.is_dataclass(hint):
        value = every_field_set(hint)
    elif isinstance(hint, type) and issubclass(hint, Enum):
        value = next(member for member in hint if member != default)
    elif hint is bool:
        value = not default if isinstance(default, bool) else True
    elif hint is int:
        value = default + 2 if isinstance(default, int) else 3
    elif hint is float:
        value = default * 1.5 if isinstance(default, float) and default else 0.75
    elif hint is str:
        value = f"{default}-changed" if isinstance(default, str) else "changed"
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        value = (non_default(args[0]),)
    elif origin is tuple:
        value = tuple(non_default(arg) for arg in args)
    else:
        raise TypeError(f"no non-default sample for {hint!r}: teach this test that type")
    assert value != default, f"{hint!r}: {value!r} equals the default"
    return value


def every_field_set(cls: type[Any]) -> Any:
    """An instance of dataclass ``cls`` whose every field differs from its default."""
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: non_default(hints[f.name], _default(f)) for f in dataclasses.fields(cls)})


def every_field_differs_from_its_default(value: Any) -> None:
    for field in dataclasses.fields(value):
        assert getattr(value, field.name) != _default(field), f"{field.name} is at its default"


@pytest.mark.parametrize("cls", [SequenceRequest, AnimationRequest])
def test_every_field_of_a_render_request_survives_its_stored_form(cls: type[Any]) -> None:
    request = every_field_set(cls)
    stored = json.loads(json.dumps(job_requests.to_dict(request)))
    back = job_requests.from_dict(job_requests.kind_of(request), stored)
    assert back == request
    assert back.speech is not None and back.speech.options.seed == request.speech.options.seed


def test_the_walk_sets_every_nested_field_away_from_its_default() -> None:
    request = every_field_set(SequenceRequest)
    for value in (request, request.speech, request.speech.options, request.cues[0]):
        every_field_differs_from_its_default(value)
    assert request.speech.viseme_table is not None
    every_field_differs_from_its_default(request.speech.viseme_table)


def test_a_request_stored_before_its_newer_fields_existed_reads_with_their_defaults() -> None:
    stored = {  # the form jobs were stored in before requests were stored field by field
        "avatar_id": "ava",
        "width": 64,
        "height": 48,
        "fps": 30,
        "format": "webm",
        "session_id": None,
        "preset_id": "pr",
        "speech": {
            "text": "Hi there",
            "voice_id": "en-us",
            "viseme_sets": ["oculus"],
            "avatar_id": "ava",
            "session_id": None,
            "ssml": False,
            "options": {"rate": 1.2, "pitch": 1.0, "volume": 1.0, "speaker_id": None},
        },
        "audio_id": None,
        "cues": [["sil", 0.0, 0.2], ["aa", 0.2, 0.5]],
        "expressions": [[0.1, "happy"]],
    }
    assert job_requests.from_dict(JobKind.SEQUENCE, stored) == SequenceRequest(
        "ava",
        speech=SpeechRequest(
            "Hi there", "en-us", SynthesisOptions(rate=1.2), ("oculus",), avatar_id="ava"
        ),
        cues=(VisemeCue("sil", 0.0, 0.2), VisemeCue("aa", 0.2, 0.5)),
        width=64,
        height=48,
        fps=30,
        format="webm",
        preset_id="pr",
        expressions=((0.1, "happy"),),
    )
    animation = {"avatar_id": "ava", "name": "blink", "duration": 2, "speech": None}
    assert job_requests.from_dict(JobKind.ANIMATION, animation) == AnimationRequest(
        "ava", Animation.BLINK, duration=2.0
    )


@pytest.mark.parametrize(
    "stored",
    [
        {"width": 64},  # no avatar_id
        {"avatar_id": "ava", "frames_per_second": 30},  # a field requests do not have
        {"avatar_id": "ava", "width": "64"},
        {"avatar_id": "ava", "width": True},
        {"avatar_id": "ava", "cues": [["sil", 0.0]]},
        {"avatar_id": "ava", "expressions": "happy"},
        {"avatar_id": "ava", "speech": {"voice_id": "en-us"}},
        ["ava"] * 20,
    ],
)
def test_a_stored_request_that_is_not_one_is_invalid(stored: Any) -> None:
    with pytest.raises(Invalid) as caught:
        job_requests.from_dict(JobKind.SEQUENCE, stored)
    assert caught.value.field == "request"


def test_an_animation_of_an_unknown_name_is_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        job_requests.from_dict(JobKind.ANIMATION, {"avatar_id": "ava", "name": "moonwalk"})
    assert caught.value.field == "request"
