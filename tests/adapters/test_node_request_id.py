"""The request id travels into the Node renderer's job, the renderer's structured error lines
are logged with it, and the worker pool counts what metrics report."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import structlog
from support import unavailable

from avatar_service.adapters.renderer import node_pool
from avatar_service.adapters.renderer.node import NodeRenderer
from avatar_service.adapters.renderer.node_package import resolve
from avatar_service.adapters.renderer.node_pool import Worker
from avatar_service.contracts.renderer import make_timeline
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.errors import Unavailable
from avatar_service.core.ports import FrameRenderRequest, SequenceRenderRequest

try:
    SETUP = resolve("node", None, None)
except Unavailable as exc:  # pragma: no cover - the tox env runs npm ci first
    unavailable(f"node renderer not set up: {exc.message}", module=True)


@pytest.fixture
def sent_jobs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every job a worker is sent (the real worker still runs it)."""
    sent: list[dict[str, Any]] = []
    real_run = Worker.run

    def spy(self: Worker, job: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        sent.append(dict(job))
        return real_run(self, job, *args, **kwargs)

    monkeypatch.setattr(Worker, "run", spy)
    return sent


def test_the_bound_request_id_is_in_the_job_the_worker_receives(
    sent_jobs: list[dict[str, Any]],
) -> None:
    renderer = NodeRenderer(workers=1)
    tokens = structlog.contextvars.bind_contextvars(request_id="req-abc123")
    try:
        assert (
            renderer.render_frame(
                FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
            )[:4]
            == b"\x89PNG"
        )
        renderer.render_frame(
            FrameRenderRequest(AvatarState(), Pose(), width=16, height=16, format="png")
        )
    finally:
        structlog.contextvars.reset_contextvars(**tokens)
    try:  # another size: the same frame again would come from the frame cache, not a worker
        renderer.render_frame(
            FrameRenderRequest(AvatarState(), Pose(), width=24, height=24, format="png")
        )
    finally:
        renderer.close()
    assert [job.get("request_id") for job in sent_jobs] == ["req-abc123", "req-abc123", None]


class _Recorder:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def __getattr__(self, level: str) -> Any:
        return lambda event, **fields: self.lines.append((level, event, fields))


def test_a_workers_structured_stderr_line_is_logged_with_its_request_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(node_pool, "renderer_log", recorder)
    script = (
        "process.stderr.write(JSON.stringify({level: 'error', event: 'render job failed', "
        "request_id: 'req-9', job: 'j1'}) + '\\nplain noise\\n')"
    )
    worker = Worker([SETUP.node, "-e", script], {"PATH": "/usr/bin:/bin"})
    worker.process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while not recorder.lines and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.kill()
    assert recorder.lines == [("error", "render job failed", {"request_id": "req-9", "job": "j1"})]


def test_pool_stats_count_busy_jobs_and_worker_restarts() -> None:
    renderer = NodeRenderer(workers=1, max_render_time=30.0)
    try:
        renderer.render_frame(
            FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
        )
        stats = renderer.pool_stats()
        assert {k: stats[k] for k in ("waiting", "busy", "restarts", "size")} == {
            "waiting": 0,
            "busy": 0,
            "restarts": 0,
            "size": 1,
        }
        assert stats["frame_cache_bytes"] == renderer.frames.bytes > 0  # the frame just made
        (worker,) = renderer.pool.workers()
        busy_seen: list[int] = []

        def kill_soon() -> None:
            time.sleep(0.3)
            busy_seen.append(renderer.pool_stats()["busy"])
            worker.process.kill()

        threading.Thread(target=kill_soon).start()
        with pytest.raises(Unavailable, match="died"):
            renderer.render_sequence(
                SequenceRenderRequest(
                    AvatarState(), make_timeline(20.0), width=256, height=256, fps=30, format="webm"
                )
            )
        assert busy_seen == [1]
        stats = renderer.pool_stats()
        assert (stats["busy"], stats["waiting"], stats["restarts"]) == (0, 0, 1)
    finally:
        renderer.close()
