"""Unbounded work over HTTP: a video over the cost cap is a 413 naming the limit before
anything runs (synchronously or as a job), and a tenant's full job queue is a 503 with
Retry-After while synchronous renders go on."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.entrypoints.bootstrap import Container

ProblemCheck = Callable[..., dict[str, Any]]
Serve = Callable[..., AbstractContextManager[tuple[TestClient[Litestar], Container]]]
SMALL = {"width": 32, "height": 32, "fps": 5, "format": "gif"}


def test_a_video_over_the_cost_cap_is_413_before_anything_runs(
    serve_with: Serve, assert_problem: ProblemCheck
) -> None:
    with serve_with(limits={"max_render_cost": 50}) as (client, _container):
        body = {
            "avatar_id": "ava",
            "text": "Hello there, friend. " * 5,
            "width": 1024,
            "height": 1024,
            "fps": 30,
            "format": "gif",
        }
        problem = assert_problem(client.post("/v1/render/sequence", json=body), 413, "text")
        assert "AVATAR_LIMITS__MAX_RENDER_COST" in problem["detail"]
        queued = client.post("/v1/render/sequence", json={**body, "async": True})
        assert_problem(queued, 413, "text")
        assert client.get("/v1/jobs").json()["jobs"] == []
        assert client.get("/v1/audios").json()["audios"] == [], "no speech was made"
        long_nod = {"name": "nod", "duration": 60, "width": 512, "height": 512, "fps": 25}
        animation = client.post("/v1/avatars/ava/animations", json=long_nod)
        assert_problem(animation, 413, "duration")


def test_a_full_tenant_queue_is_503_with_retry_after_and_sync_renders_go_on(
    serve_with: Serve, assert_problem: ProblemCheck
) -> None:
    job = {"max_active_per_tenant": 2, "full_retry_after": 9}
    with serve_with(job=job) as (client, _container):  # workers not started: jobs stay queued
        body = {"avatar_id": "ava", "text": "Hi", "async": True, **SMALL}
        for _ in range(2):
            assert client.post("/v1/render/sequence", json=body).status_code == 202
        refused = client.post("/v1/render/sequence", json=body)
        assert_problem(refused, 503)
        assert refused.headers["retry-after"] == "9"
        assert len(client.get("/v1/jobs").json()["jobs"]) == 2
        done = client.post("/v1/render/sequence", json={**body, "async": False})
        assert done.status_code == 200, done.text
