"""Asynchronous renders over HTTP with the embedded queue: 202 + job, polling to the result,
listing, cancelling, failure as a problem, and a signed webhook to a real local receiver."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.core.webhooks import verify_signature
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.jobs_wiring import start_embedded_workers
from avatar_service.entrypoints.settings import JobSettings, Settings
from avatar_service.plugins.manager import make_plugin_manager

ProblemCheck = Callable[..., dict[str, Any]]
SECRET = "hook-secret"
SMALL = {"width": 32, "height": 32, "fps": 10}


@pytest.fixture
def jobs_container(settings: Settings) -> Iterator[Container]:
    job = JobSettings(
        webhook_secret=SECRET,
        webhook_backoff=0.05,
        webhook_attempts=3,
        webhook_allowed_networks=["127.0.0.1/32"],  # the test receiver is on this machine
    )
    settings = settings.model_copy(update={"job": job})
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    start_embedded_workers(container.jobs, settings)
    yield container
    container.close()


@pytest.fixture
def jobs_client(jobs_container: Container) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(jobs_container), base_url="http://127.0.0.1") as client:
        yield client


def _wait(client: TestClient[Litestar], url: str, *final: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        body: dict[str, Any] = client.get(url).json()
        if body["status"] in final:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.02)


def test_async_sequence_answers_202_then_the_job_reports_the_render(
    jobs_client: TestClient[Litestar],
) -> None:
    response = jobs_client.post(
        "/v1/render/sequence",
        json={"avatar_id": "ava", "text": "Hello there", "format": "gif", "async": True, **SMALL},
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "queued" and accepted["job_id"].startswith("job_")
    assert response.headers["location"] == accepted["status_url"]
    job = _wait(jobs_client, accepted["status_url"], "done", "failed")
    assert job["status"] == "done" and job["progress"] == 1.0 and job["kind"] == "sequence"
    video = jobs_client.get(job["result"]["video_url"])
    assert video.status_code == 200 and video.content.startswith(b"GIF8")


def test_prefer_respond_async_makes_an_animation_a_job(
    jobs_client: TestClient[Litestar],
) -> None:
    response = jobs_client.post(
        "/v1/avatars/ava/animations",
        json={"name": "blink", "duration": 1.0, **SMALL},
        headers={"Prefer": "respond-async, wait=10"},
    )
    assert response.status_code == 202, response.text
    job = _wait(jobs_client, response.json()["status_url"], "done", "failed")
    assert job["kind"] == "animation" and job["result"]["frames"] == 10


def test_without_async_the_render_stays_synchronous(jobs_client: TestClient[Litestar]) -> None:
    response = jobs_client.post(
        "/v1/avatars/ava/animations", json={"name": "nod", "duration": 1.0, **SMALL}
    )
    assert response.status_code == 200 and "render_id" in response.json()


def test_a_request_a_render_would_refuse_is_refused_before_it_is_queued(
    jobs_client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    for body, status, field in (
        ({"avatar_id": "ava", "text": "Hi", "format": "mp4"}, 422, "format"),
        ({"avatar_id": "nobody", "text": "Hi", "format": "gif"}, 404, "avatar_id"),
        ({"avatar_id": "ava", "audio_id": "au_nope", "format": "gif"}, 404, "audio_id"),
    ):
        response = jobs_client.post("/v1/render/sequence", json={**body, "async": True, **SMALL})
        assert_problem(response, status, field)
    assert jobs_client.get("/v1/jobs").json()["count"] == 0


def test_a_failed_job_carries_a_problem(
    jobs_client: TestClient[Litestar],
) -> None:
    late = [{"start": 60.0, "expression": "happy"}]  # only the speech's length shows it wrong
    response = jobs_client.post(
        "/v1/render/sequence",
        json={
            "avatar_id": "ava",
            "text": "Hi",
            "format": "gif",
            "async": True,
            "expressions": late,
            **SMALL,
        },
    )
    assert response.status_code == 202, response.text
    job = _wait(jobs_client, response.json()["status_url"], "done", "failed")
    assert job["status"] == "failed" and job["result"] is None
    error = job["error"]
    assert error["status"] == 422 and error["field"] == "expressions"
    assert error["type"] == "urn:avatar-service:problem:invalid"


def test_listing_filters_by_status_and_kind_in_pages(jobs_client: TestClient[Litestar]) -> None:
    for _ in range(3):
        response = jobs_client.post(
            "/v1/avatars/ava/animations",
            json={"name": "idle", "duration": 0.5, "async": True, **SMALL},
        )
        _wait(jobs_client, response.json()["status_url"], "done")
    first = jobs_client.get("/v1/jobs", params={"status": "done", "limit": 2}).json()
    assert first["count"] == 2 and first["next_cursor"]
    rest = jobs_client.get("/v1/jobs", params={"limit": 2, "cursor": first["next_cursor"]})
    assert rest.json()["count"] == 1 and rest.json()["next_cursor"] is None
    assert jobs_client.get("/v1/jobs", params={"kind": "sequence"}).json()["count"] == 0
    assert jobs_client.get("/v1/jobs", params={"avatar_id": "ava"}).json()["count"] == 3


def test_bad_filters_and_unknown_jobs_are_problems(
    jobs_client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(jobs_client.get("/v1/jobs", params={"status": "nope"}), 422, "status")
    assert_problem(jobs_client.get("/v1/jobs", params={"kind": "frame"}), 422, "kind")
    assert_problem(jobs_client.get("/v1/jobs", params={"cursor": "%%%"}), 422, "cursor")
    assert_problem(jobs_client.get("/v1/jobs/job_nope"), 404, "job_id")
    assert_problem(jobs_client.delete("/v1/jobs/job_nope"), 404, "job_id")


def test_cancelling_a_finished_job_is_a_conflict(
    jobs_client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = jobs_client.post(
        "/v1/avatars/ava/animations", json={"name": "blink", "async": True, **SMALL}
    )
    url = response.json()["status_url"]
    _wait(jobs_client, url, "done")
    assert_problem(jobs_client.delete(url), 409, "job_id")


def test_a_bad_webhook_url_is_refused_before_anything_is_queued(
    jobs_client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    response = jobs_client.post(
        "/v1/avatars/ava/animations",
        json={"name": "blink", "webhook_url": "file:///etc/passwd", **SMALL},
    )
    assert_problem(response, 422, "webhook_url")
    assert jobs_client.get("/v1/jobs").json()["count"] == 0


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_a_webhook_reaches_a_real_receiver_signed(jobs_client: TestClient[Litestar]) -> None:
    _Receiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
        response = jobs_client.post(
            "/v1/avatars/ava/animations", json={"name": "blink", "webhook_url": hook, **SMALL}
        )
        assert response.status_code == 202
        url = response.json()["status_url"]
        deadline = time.monotonic() + 10
        while jobs_client.get(url).json()["webhook_state"] != "delivered":
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        server.shutdown()
        server.server_close()
    [(headers, body)] = _Receiver.received
    verify_signature(SECRET, headers["Avatar-Signature"], body)
    deliveries = jobs_client.get(f"{url}/deliveries").json()
    assert deliveries["count"] == 1 and deliveries["deliveries"][0]["status_code"] == 204
