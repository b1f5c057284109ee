"""The render use case's additions: prompts, built-in characters, presets per render,
scheduled expressions and named animations (over the mock renderer: it records nothing, so a
recording renderer stands in where the timeline itself is asserted)."""

from __future__ import annotations

from typing import Any

import pytest

from avatar_service.adapters.aligner.mock import MockAligner
from avatar_service.adapters.blobs.memory import MemoryBlobStore
from avatar_service.adapters.renderer.mock import MockRenderer
from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.core.avatar import AvatarState, Expression, Pose
from avatar_service.core.errors import Invalid, NotFound
from avatar_service.core.limits import Limits
from avatar_service.core.ports import ProgressCallback, RenderedVideo, SequenceRenderRequest
from avatar_service.core.prompt import read_prompt
from avatar_service.core.records import Avatar, Preset
from avatar_service.core.speech import Timeline
from avatar_service.core.usecases.framing import LEAD_IN, SETTLE
from avatar_service.core.usecases.render_requests import (
    Animation,
    AnimationRequest,
    FrameRequest,
    SequenceRequest,
)
from avatar_service.core.usecases.rendering import RenderUseCases
from avatar_service.core.usecases.speech import SpeechRequest, SpeechUseCases

CHARACTERS = {"zed": {"name": "Zed", "state": {"hair_style": "bald", "clothing_color": "#112233"}}}


class Recording(MockRenderer):
    """The mock renderer, remembering each state and timeline it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[AvatarState, Timeline]] = []

    def render_sequence(
        self, request: SequenceRenderRequest, progress: ProgressCallback | None = None
    ) -> RenderedVideo:
        self.calls.append((request.state, request.timeline))
        return super().render_sequence(request, progress)


@pytest.fixture
def world() -> tuple[RenderUseCases, MemoryStore, Recording]:
    store, blobs, limits = MemoryStore(), MemoryBlobStore(), Limits()
    speech = SpeechUseCases(MockSynthesizer(), MockAligner(), store, blobs, limits)
    renderer = Recording()
    rendering = RenderUseCases(renderer, store, blobs, speech, limits, characters=CHARACTERS)
    store.create_avatar(Avatar("kim", "Kim", AvatarState()))
    return rendering, store, renderer


def test_prompt_words_become_pose_changes_and_the_rest_are_listed() -> None:
    reading = read_prompt("A smiling face, looking up, eyes closed, in Paris")
    assert reading.changes["expression"] == Expression.HAPPY
    assert reading.changes["gaze_y"] < 0
    assert reading.changes["blink"] == 1.0
    assert reading.ignored == ("paris",)
    assert "paris" in reading.warnings[0]
    assert read_prompt("angry").warnings == ()


def test_prompt_never_overrides_what_the_pose_sets() -> None:
    pose = read_prompt("sad, looking left").apply(Pose(expression=Expression.SURPRISED))
    assert pose.expression == Expression.SURPRISED
    assert pose.gaze_x < 0


def test_frame_with_a_prompt_reports_pose_and_warnings(world: Any) -> None:
    rendering, _, _ = world
    result = rendering.frame(FrameRequest("kim", 32, 32, prompt="thinking about lunch"))
    assert result.pose.expression == Expression.THINKING
    assert "lunch" in result.warnings[0]
    assert rendering.render_frame(FrameRequest("kim", 32, 32)).width == 32  # unchanged API


def test_an_overlong_prompt_is_invalid(world: Any) -> None:
    with pytest.raises(Invalid) as caught:
        world[0].frame(FrameRequest("kim", 32, 32, prompt="x" * 5000))
    assert caught.value.field == "prompt"


def test_a_builtin_character_becomes_an_avatar_on_first_use(world: Any) -> None:
    rendering, store, _ = world
    record = rendering.render_frame(FrameRequest("zed", 32, 32))
    assert record.avatar_id == "zed"
    assert store.get_avatar("zed").state.hair_style == "bald"
    rendering.render_frame(FrameRequest("zed", 32, 32))  # second use: already there
    with pytest.raises(NotFound):
        rendering.render_frame(FrameRequest("nobody", 32, 32))


def test_a_preset_applies_to_one_render_only(world: Any) -> None:
    rendering, store, renderer = world
    store.create_preset(Preset("red", "Red", {"clothing_color": "#aa0000"}))
    rendering.render_sequence(
        SequenceRequest("kim", speech=SpeechRequest("Hi"), format="gif", preset_id="red")
    )
    assert renderer.calls[-1][0].clothing_color == "#aa0000"
    assert store.get_avatar("kim").state.clothing_color == AvatarState().clothing_color


def test_expressions_are_scheduled_on_the_timeline(world: Any) -> None:
    rendering, _, renderer = world
    request = SequenceRequest(
        "kim",
        speech=SpeechRequest("Hello there"),
        format="gif",
        expressions=((0.3, "happy"), (0.1, "surprised")),
    )
    rendering.render_sequence(request)
    # Times are the speech's own; the video plays them after its lead-in of rest.
    scheduled = renderer.calls[-1][1].expressions
    assert [name for _, name in scheduled] == ["surprised", "happy"]
    assert [start for start, _ in scheduled] == pytest.approx(
        [0.1 + LEAD_IN, 0.3 + LEAD_IN], abs=1e-3
    )
    with pytest.raises(Invalid) as caught:
        rendering.render_sequence(
            SequenceRequest(
                "kim", speech=SpeechRequest("Hi"), format="gif", expressions=((0.1, "bored"),)
            )
        )
    assert caught.value.field == "expressions"


@pytest.mark.parametrize(
    ("name", "gesture"),
    [
        (Animation.NOD, "nod"),
        (Animation.HEAD_SHAKE, "shake"),
        (Animation.BLINK, "blink"),
        (Animation.IDLE, None),
    ],
)
def test_animations_are_silent_timelines_with_their_gesture(
    world: Any, name: Animation, gesture: str | None
) -> None:
    rendering, _, renderer = world
    record = rendering.animate(AnimationRequest("kim", name, duration=4.0, fps=10))
    timeline = renderer.calls[-1][1]
    assert (record.duration, timeline.duration) == (4.0, 4.0)
    assert [c.viseme for c in timeline.visemes] == ["sil"]
    assert {g for _, g in timeline.gestures} == ({gesture} if gesture else set())


def test_talk_animation_needs_text_and_an_unknown_name_is_invalid(world: Any) -> None:
    rendering, _, _ = world
    with pytest.raises(Invalid, match="text"):
        rendering.animate(AnimationRequest("kim", Animation.TALK))
    talk = rendering.animate(AnimationRequest("kim", Animation.TALK, speech=SpeechRequest("Hi")))
    assert talk.duration is not None
    with pytest.raises(Invalid) as caught:
        rendering.animate(AnimationRequest("kim", "dance"))  # type: ignore[arg-type]
    assert caught.value.field == "name"


@pytest.mark.parametrize("duration", [0.1, 0.2, 0.3, 0.5])
def test_a_short_animation_keeps_its_gesture_inside_the_video(world: Any, duration: float) -> None:
    rendering, _, renderer = world
    rendering.animate(AnimationRequest("kim", Animation.BLINK, duration=duration, fps=10))
    timeline = renderer.calls[-1][1]
    assert timeline.gestures
    assert all(0 <= start < duration for start, _ in timeline.gestures)


def test_a_talking_video_starts_at_rest_and_settles_closed_after_the_last_sound(
    world: Any,
) -> None:
    rendering, _, renderer = world
    rendering.render_sequence(
        SequenceRequest("kim", speech=SpeechRequest("Hello there"), format="gif", fps=20)
    )
    timeline = renderer.calls[-1][1]
    spoken = [c for c in timeline.visemes if c.viseme != "sil"]
    assert timeline.visemes[0].viseme == timeline.visemes[-1].viseme == "sil"
    assert spoken[0].start >= LEAD_IN - 1e-3
    assert timeline.duration - spoken[-1].end >= SETTLE - 1e-3
    mouth = timeline.mouth
    assert mouth is not None and mouth.fps == 20 and mouth.names[0] == "sil"
    assert mouth.frames[0, 0] > 0.99 and mouth.frames[-1, 0] > 0.99  # at rest, closed
    assert mouth.frames[:, 1:].max() > 0.5  # and it speaks in between
