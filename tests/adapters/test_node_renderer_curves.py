"""The Node renderer draws mouths from the core's weight curves: the job carries them, the
renderer accepts them, and the mouth follows them (a closed frame differs from an open one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import unavailable

from avatar_service.adapters.renderer.node import NodeRenderer, timeline_to_job
from avatar_service.adapters.renderer.node_package import resolve
from avatar_service.core.avatar import AvatarState
from avatar_service.core.curves import build_curves, cue_phonemes
from avatar_service.core.errors import Unavailable
from avatar_service.core.ports import SequenceRenderRequest
from avatar_service.core.speech import Timeline, VisemeCue
from avatar_service.core.visemes import BUILTIN_REGISTRY

try:
    resolve("node", None, None)
except Unavailable as exc:  # pragma: no cover - the tox env runs npm ci first
    unavailable(f"node renderer not set up: {exc.message}", module=True)

CUES = (
    VisemeCue("sil", 0.0, 0.3),
    VisemeCue("aa", 0.3, 0.7),
    VisemeCue("PP", 0.7, 0.8),
    VisemeCue("aa", 0.8, 1.2),
    VisemeCue("sil", 1.2, 1.6),
)


@pytest.fixture(scope="module")
def renderer() -> Iterator[NodeRenderer]:
    node = NodeRenderer(workers=1, max_render_time=60.0)
    yield node
    node.close()


def _timeline(fps: int) -> Timeline:
    oculus = BUILTIN_REGISTRY.get("oculus")
    mouth = build_curves(cue_phonemes(CUES), 1.6, [oculus], fps)["oculus"]
    return Timeline(1.6, CUES, mouth=mouth)


def test_the_job_carries_the_oculus_weights_per_frame() -> None:
    job = timeline_to_job(_timeline(10))
    mouths = job["mouths"]
    assert mouths["fps"] == 10 and mouths["names"][:2] == ["sil", "PP"]
    assert len(mouths["frames"]) == 17 and all(len(row) == 15 for row in mouths["frames"])
    assert "mouths" not in timeline_to_job(Timeline(1.6, CUES))


def test_a_sequence_with_curves_renders_every_frame(renderer: NodeRenderer) -> None:
    video = renderer.render_sequence(
        SequenceRenderRequest(
            AvatarState(), _timeline(10), width=64, height=64, fps=10, format="gif"
        )
    )
    try:
        assert video.frames == 16 and video.path.stat().st_size > 0
    finally:
        video.path.unlink()


def test_the_mouth_follows_the_weights(renderer: NodeRenderer) -> None:
    timeline = timeline_to_job(_timeline(10))
    job = {"kind": "sequence", "state": {}, "width": 72, "height": 72, "fps": 10}
    job |= {"format": "gif", "timeline": timeline, "output": "/dev/null", "seed": 1}
    answer = renderer._run(job)
    assert answer["frames"] == 16
    # Rest, opening, open, closing on PP, open, settling: many mouths (a size no other test
    # renders, so the frame cache starts empty).
    assert answer["rasterised"] > 3, answer
