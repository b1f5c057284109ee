"""Unbounded work is refused up front: a video whose estimated cost (width x height x fps x
seconds, the seconds estimated from the text) or length is over the limit is a ``TooLarge``
naming the limit before any speech is made or any frame is rendered, synchronously or as a
job; and each tenant's job queue is bounded (``Unavailable`` with ``retry_after``)."""

from __future__ import annotations

from typing import Any

import pytest

from avatar_service.adapters.aligner.mock import MockAligner
from avatar_service.adapters.blobs.memory import MemoryBlobStore
from avatar_service.adapters.jobs.embedded import EmbeddedJobQueue
from avatar_service.adapters.renderer.mock import MockRenderer
from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.adapters.webhooks.urllib_sender import UrllibWebhookSender
from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import TooLarge, Unavailable
from avatar_service.core.limits import Limits
from avatar_service.core.records import Avatar
from avatar_service.core.speech import Speech, SynthesisOptions
from avatar_service.core.usecases.jobs import JobPolicy, JobUseCases
from avatar_service.core.usecases.render_requests import (
    Animation,
    AnimationRequest,
    SequenceRequest,
)
from avatar_service.core.usecases.rendering import RenderUseCases
from avatar_service.core.usecases.speech import SpeechRequest, SpeechUseCases


class Counting(MockSynthesizer):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def synthesize(self, *args: Any, **kw: Any) -> Speech:
        self.calls += 1
        return super().synthesize(*args, **kw)


class CountingRenderer(MockRenderer):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def render_sequence(self, *args: Any, **kw: Any) -> Any:
        self.calls += 1
        return super().render_sequence(*args, **kw)


@pytest.fixture
def parts() -> tuple[RenderUseCases, Counting, CountingRenderer, MemoryStore]:
    store, blobs, limits = MemoryStore(), MemoryBlobStore(), Limits(max_render_cost=100.0)
    synthesizer, renderer = Counting(), CountingRenderer()
    speech = SpeechUseCases(synthesizer, MockAligner(), store, blobs, limits)
    store.create_avatar(Avatar("kim", "Kim", AvatarState()))
    return RenderUseCases(renderer, store, blobs, speech, limits), synthesizer, renderer, store


def test_text_too_long_for_a_video_is_refused_before_any_speech(parts: Any) -> None:
    rendering, synthesizer, renderer, _store = parts
    text = "A sentence of words. " * 150  # ~3150 characters: about 210 s, under the text limit
    request = SequenceRequest("kim", SpeechRequest(text), width=32, height=32, fps=5, format="gif")
    with pytest.raises(TooLarge, match="AVATAR_LIMITS__MAX_VIDEO_SECONDS") as caught:
        rendering.render_sequence(request)
    assert caught.value.field == "text"
    assert (synthesizer.calls, renderer.calls) == (0, 0)


def test_a_video_over_the_cost_cap_is_refused_before_any_speech(parts: Any) -> None:
    rendering, synthesizer, renderer, _store = parts
    text = "Hello there, how are you doing today? " * 4  # ~10 s of speech
    request = SequenceRequest(
        "kim", SpeechRequest(text), width=1024, height=1024, fps=30, format="gif"
    )
    with pytest.raises(TooLarge, match="AVATAR_LIMITS__MAX_RENDER_COST") as caught:
        rendering.render_sequence(request)
    assert caught.value.field == "text"
    with pytest.raises(TooLarge):
        rendering.check(request)  # an asynchronous job is refused when submitted
    assert (synthesizer.calls, renderer.calls) == (0, 0)
    faster = SpeechRequest(text, options=SynthesisOptions(rate=4.0))  # a quarter of the time
    small = SequenceRequest("kim", faster, width=512, height=512, fps=25, format="gif")
    assert rendering.render_sequence(small).frames > 0


def test_an_animation_over_the_cost_cap_is_refused_before_rendering(parts: Any) -> None:
    rendering, _synthesizer, renderer, _store = parts
    request = AnimationRequest("kim", Animation.NOD, duration=60, width=512, height=512, fps=25)
    with pytest.raises(TooLarge, match="megapixel-frames") as caught:
        rendering.animate(request)
    assert caught.value.field == "duration"
    assert renderer.calls == 0


def test_each_tenant_has_its_own_bounded_job_queue(parts: Any) -> None:
    rendering, _synthesizer, _renderer, store = parts
    store.scoped("acme").create_avatar(Avatar("kim", "Kim", AvatarState()))
    policy = JobPolicy(max_active_per_tenant=2, max_active=3, full_retry_after=7)
    queue = EmbeddedJobQueue()  # never started: every job stays queued
    jobs = JobUseCases(store, store, queue, rendering, UrllibWebhookSender(), policy)
    request = AnimationRequest("kim", Animation.BLINK, duration=1, width=32, height=32, fps=5)
    for _ in range(2):
        jobs.submit(request)
    with pytest.raises(Unavailable, match="AVATAR_JOB__MAX_ACTIVE_PER_TENANT") as caught:
        jobs.submit(request)
    assert caught.value.retry_after == 7
    acme = jobs.for_tenant("acme")
    acme.submit(request)  # another tenant still has room
    with pytest.raises(Unavailable, match="the service has 3"):
        acme.submit(request)  # ... until the service as a whole is full
    jobs.cancel(jobs.list_jobs().items[0].job_id)
    jobs.submit(request)  # a finished job frees its place
    queue.close()
