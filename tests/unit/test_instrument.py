"""The timing stand-ins the use cases get: same methods, attributes and optional capabilities
as the adapter, and one observation per timed call, failures included."""

from __future__ import annotations

from typing import Any

import pytest
from support import MOCK

from avatar_service.adapters.renderer.mock import MockRenderer
from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.errors import Invalid
from avatar_service.core.ports import (
    FrameRenderRequest,
    Renderer,
    SpeechSynthesizer,
    SsmlSynthesizer,
    SynthesisRequest,
)
from avatar_service.entrypoints.instrument import timed, timed_renderer
from avatar_service.entrypoints.metrics import ServiceMetrics


def test_capability_checks_answer_as_for_the_adapter() -> None:
    for adapter in (MockSynthesizer(), EspeakSynthesizer()):
        proxy = timed(adapter, {})
        assert isinstance(proxy, SpeechSynthesizer)
        assert isinstance(proxy, SsmlSynthesizer) == isinstance(adapter, SsmlSynthesizer)
    assert isinstance(timed(MockRenderer(), {}), Renderer)


def test_attributes_read_and_write_through() -> None:
    renderer = MockRenderer()
    proxy: Any = timed(renderer, {})
    assert proxy.image_formats == renderer.image_formats
    assert proxy.PLUGIN_NAME == MOCK
    proxy.max_render_time = 5.0
    assert renderer.max_render_time == 5.0
    renderer.frame_delay = 0.25
    assert proxy.frame_delay == 0.25


def test_timed_calls_are_observed_with_their_outcome() -> None:
    seen: list[tuple[float, bool]] = []
    proxy = timed(MockSynthesizer(), {"synthesize": lambda s, ok: seen.append((s, ok))})
    proxy.synthesize(SynthesisRequest("hello"))
    with pytest.raises(Invalid):
        proxy.synthesize(SynthesisRequest("   "))
    proxy.voices()  # not timed
    assert [ok for _, ok in seen] == [True, False]
    assert all(seconds >= 0 for seconds, _ in seen)


def test_render_durations_land_in_the_histogram() -> None:
    metrics = ServiceMetrics()
    renderer = timed_renderer(MockRenderer(), metrics)
    renderer.render_frame(
        FrameRenderRequest(AvatarState(), Pose(), width=16, height=16, format="png")
    )
    with pytest.raises(Invalid):
        renderer.render_frame(
            FrameRenderRequest(AvatarState(), Pose(), width=16, height=16, format="bmp")
        )
    text = metrics.exposition().decode()
    assert 'avatar_render_duration_seconds_count{kind="frame",outcome="ok"} 1.0' in text
    assert 'avatar_render_duration_seconds_count{kind="frame",outcome="error"} 1.0' in text
