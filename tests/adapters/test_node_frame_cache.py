"""Encoded frames asked for again come from the Node renderer's frame cache: the same bytes,
no worker involved; the cache is bounded in bytes and can be turned off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from avatar_service.adapters.renderer.frame_cache import FrameCache, frame_key
from avatar_service.adapters.renderer.node import NodeRenderer
from avatar_service.adapters.renderer.node_package import resolve
from avatar_service.adapters.renderer.node_pool import Worker
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.errors import Unavailable
from avatar_service.core.ports import FrameRenderRequest


def test_the_key_ignores_field_order() -> None:
    assert frame_key({"a": 1, "b": [2]}) == frame_key({"b": [2], "a": 1})
    assert frame_key({"a": 1}) != frame_key({"a": 2})


def test_least_recently_used_frames_go_first_past_the_byte_budget() -> None:
    cache = FrameCache(max_bytes=80)
    cache.put("a", b"x" * 10)
    cache.put("b", b"y" * 10)
    assert cache.get("a") == b"x" * 10  # "b" is now the least recently used
    for index in range(7):  # one more than fits: the oldest goes
        cache.put(f"c{index}", b"z" * 10)
    assert cache.bytes <= 80
    assert cache.get("b") is None
    assert cache.get("a") == b"x" * 10


def test_a_frame_over_its_share_of_the_budget_is_not_kept() -> None:
    cache = FrameCache(max_bytes=80)
    cache.put("big", b"x" * 11)
    assert cache.get("big") is None and cache.bytes == 0


def test_a_zero_budget_keeps_nothing() -> None:
    cache = FrameCache(max_bytes=0)
    cache.put("a", b"x")
    assert cache.get("a") is None


try:
    resolve("node", None, None)
    NODE_MISSING = None
except Unavailable as exc:  # pragma: no cover - the tox env runs npm ci first
    NODE_MISSING = exc.message
needs_node = pytest.mark.skipif(
    NODE_MISSING is not None, reason=f"no node renderer: {NODE_MISSING}"
)


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every job a worker is sent (the real worker still runs it)."""
    sent: list[dict[str, Any]] = []
    real_run = Worker.run

    def spy(self: Worker, job: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        sent.append(dict(job))
        return real_run(self, job, *args, **kwargs)

    monkeypatch.setattr(Worker, "run", spy)
    return sent


@pytest.fixture
def renderer() -> Iterator[NodeRenderer]:
    renderer = NodeRenderer(workers=1, max_render_time=30.0)
    yield renderer
    renderer.close()


@needs_node
def test_the_same_frame_again_is_the_same_bytes_without_a_worker(
    renderer: NodeRenderer, jobs: list[dict[str, Any]]
) -> None:
    state = AvatarState(background_to="#112233")
    first = renderer.render_frame(
        FrameRenderRequest(state, Pose(viseme="aa"), width=48, height=40, format="png")
    )
    again = renderer.render_frame(
        FrameRenderRequest(state, Pose(viseme="aa"), width=48, height=40, format="png")
    )
    assert again == first
    assert len(jobs) == 1
    uncached = NodeRenderer(workers=1, frame_cache_bytes=0)
    try:
        assert (
            uncached.render_frame(
                FrameRenderRequest(state, Pose(viseme="aa"), width=48, height=40, format="png")
            )
            == first
        )
    finally:
        uncached.close()


@needs_node
def test_any_other_pose_size_or_format_is_rendered(
    renderer: NodeRenderer, jobs: list[dict[str, Any]]
) -> None:
    state = AvatarState()
    renderer.render_frame(
        FrameRenderRequest(state, Pose(viseme="aa"), width=32, height=32, format="png")
    )
    renderer.render_frame(
        FrameRenderRequest(state, Pose(viseme="E"), width=32, height=32, format="png")
    )
    renderer.render_frame(
        FrameRenderRequest(state, Pose(viseme="aa", blink=0.5), width=32, height=32, format="png")
    )
    renderer.render_frame(
        FrameRenderRequest(state, Pose(viseme="aa"), width=32, height=34, format="png")
    )
    renderer.render_frame(
        FrameRenderRequest(state, Pose(viseme="aa"), width=32, height=32, format="jpeg")
    )
    renderer.render_frame(
        FrameRenderRequest(
            AvatarState(hair_color="#aa3300"), Pose(viseme="aa"), width=32, height=32, format="png"
        )
    )
    assert len(jobs) == 6


@needs_node
def test_with_the_cache_off_every_frame_goes_to_a_worker(jobs: list[dict[str, Any]]) -> None:
    renderer = NodeRenderer(workers=1, frame_cache_bytes=0)
    try:
        for _ in range(2):
            renderer.render_frame(
                FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
            )
    finally:
        renderer.close()
    assert len(jobs) == 2
