"""Rate limits (429 + Retry-After), CORS, security headers, per-route body limits and the
Prometheus metrics of the HTTP API."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import structlog
from litestar import Litestar
from litestar.testing import TestClient
from support import MOCK

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.ratelimit import TokenBuckets

ProblemCheck = Callable[..., dict[str, Any]]
Serve = Callable[..., AbstractContextManager[tuple[TestClient[Litestar], Container]]]


# -- rate limits ----------------------------------------------------------------------------


def test_a_caller_past_its_burst_gets_429_with_retry_after(
    assert_problem: ProblemCheck, serve_with: Serve
) -> None:
    with serve_with(http={"rate_per_second": 0.1, "rate_burst": 2}) as (client, _):
        assert [client.get("/v1/voices").status_code for _ in range(2)] == [200, 200]
        refused = client.get("/v1/voices")
        assert_problem(refused, 429)
        assert 1 <= int(refused.headers["retry-after"]) <= 10
        assert [client.get(p).status_code for p in ("/health", "/ready", "/metrics")] == [200] * 3


def test_each_key_has_its_own_bucket(serve_with: Serve) -> None:
    keys = "first-key-0123456789:read second-key-0123456789:read"
    with serve_with(api_keys=keys, http={"rate_per_second": 0.1, "rate_burst": 1}) as (client, _):
        first = {"X-API-Key": "first-key-0123456789"}
        second = {"X-API-Key": "second-key-0123456789"}
        assert client.get("/v1/voices", headers=first).status_code == 200
        assert client.get("/v1/voices", headers=first).status_code == 429
        assert client.get("/v1/voices", headers=second).status_code == 200


def test_a_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=2, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == 0.5
    now[0] = 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("b") == 0.0  # another caller is unaffected
    assert TokenBuckets(rate=0, burst=1).take("a") == 0.0  # rate 0: off


# -- CORS and headers -----------------------------------------------------------------------


def test_cors_preflight_allows_a_configured_origin_even_with_keys(serve_with: Serve) -> None:
    overrides: dict[str, Any] = {
        "api_keys": "some-key-0123456789",
        "http": {"cors_origins": "https://app.example"},
    }
    with serve_with(**overrides) as (client, _):
        preflight = client.options(
            "/v1/avatars",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code in (200, 204), preflight.text
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        other = client.options(
            "/v1/avatars",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_without_cors_origins_no_cors_headers_are_sent(client: TestClient[Litestar]) -> None:
    response = client.get("/v1/voices", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in response.headers


def test_every_response_carries_the_security_headers(client: TestClient[Litestar]) -> None:
    for response in (client.get("/v1/voices"), client.get("/v1/nope"), client.get("/health")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "strict-transport-security" not in response.headers
    assert "content-security-policy" not in client.get("/schema/openapi.json").headers


def test_hsts_is_sent_only_when_configured(serve_with: Serve) -> None:
    with serve_with(http={"hsts_seconds": 31536000}) as (client, _):
        assert client.get("/health").headers["strict-transport-security"] == "max-age=31536000"


# -- body limits ----------------------------------------------------------------------------


def test_a_json_body_over_its_route_limit_is_413_before_reading(
    assert_problem: ProblemCheck, serve_with: Serve
) -> None:
    with serve_with(http={"json_body_limit": 2048}) as (client, _):
        body = assert_problem(client.post("/v1/lipsync", json={"text": "a" * 3000}), 413)
        assert "AVATAR_HTTP__JSON_BODY_LIMIT" in body["detail"]
        assert client.post("/v1/lipsync", json={"text": "hello"}).status_code == 200


def test_a_chunked_body_is_cut_off_at_the_limit(
    assert_problem: ProblemCheck, serve_with: Serve
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"a" * 1000
        yield b'"}'

    with serve_with(http={"json_body_limit": 4096}) as (client, _):
        response = client.post(
            "/v1/avatars", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 413)


def _wav(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\0\0" * int(16000 * seconds))
    return out.getvalue()


def test_the_audio_upload_route_has_its_own_limit(
    assert_problem: ProblemCheck, serve_with: Serve
) -> None:
    with serve_with(http={"audio_upload_limit": 40_000, "json_body_limit": 2048}) as (client, _):
        small = client.post(
            "/v1/phonemes/timing", files={"audio": ("a.wav", _wav(0.5))}, data={"text": "hi"}
        )
        assert small.status_code == 200, small.text  # 16 kB: over the JSON limit, under its own
        big = client.post(
            "/v1/phonemes/timing", files={"audio": ("a.wav", _wav(2.0))}, data={"text": "hi"}
        )
        body = assert_problem(big, 413)
        assert "AVATAR_HTTP__AUDIO_UPLOAD_LIMIT" in body["detail"]


# -- metrics --------------------------------------------------------------------------------


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of series ``name`` whose labels include ``labels`` (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_expose_the_named_series_and_count_a_request(client: TestClient[Litestar]) -> None:
    before = client.get("/metrics").text
    assert client.post("/v1/lipsync", json={"text": "hello there"}).status_code == 200
    assert client.get("/v1/avatars/ghost/state").status_code == 404
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    for family in (
        "avatar_http_request_duration_seconds",
        "avatar_http_requests_total",
        "avatar_synthesis_duration_seconds",
        "avatar_render_duration_seconds",
        "avatar_http_rejected_requests_total",
    ):
        assert f"# TYPE {family} " in text, family
    route = {"method": "POST", "route": "/v1/lipsync"}
    count = "avatar_http_request_duration_seconds_count"
    assert _sample(text, count, **route) == _sample(before, count, **route) + 1
    state = {"route": "/v1/avatars/{avatar_id}/state", "status": "404"}
    assert _sample(text, "avatar_http_requests_total", **state) == 1
    assert "ghost" not in text  # raw paths are never labels
    assert _sample(text, "avatar_synthesis_duration_seconds_count", engine=MOCK) >= 1
    assert "\navatar_jobs_queue_depth " in text


def test_rejected_requests_are_counted_by_reason(serve_with: Serve) -> None:
    limits = {"rate_per_second": 0.1, "rate_burst": 1}
    with serve_with(api_keys="only-key-0123456789", http=limits) as (client, _):
        client.get("/v1/voices")
        client.get("/v1/voices", headers={"X-API-Key": "only-key-0123456789"})
        client.get("/v1/voices", headers={"X-API-Key": "only-key-0123456789"})
        text = client.get("/metrics").text
    rejected = "avatar_http_rejected_requests_total"
    assert _sample(text, rejected, reason="unauthenticated") == 1
    assert _sample(text, rejected, reason="rate_limited") == 1


def test_render_durations_are_recorded(client: TestClient[Litestar]) -> None:
    avatar = client.post("/v1/avatars", json={}).json()["avatar_id"]
    response = client.post("/v1/render", json={"avatar_id": avatar, "width": 32, "height": 32})
    assert response.status_code in (200, 201), response.text
    text = client.get("/metrics").text
    assert _sample(text, "avatar_render_duration_seconds_count", kind="frame", outcome="ok") == 1


def test_the_request_id_is_bound_where_the_renderer_runs(
    client: TestClient[Litestar], container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Node adapter reads the id from the context vars (see the Node adapter test); they
    must survive the hop to the worker thread the render runs on."""
    renderer = container.adapters.renderer
    seen: list[object] = []
    real = renderer.render_frame

    def spy(*args: Any, **kwargs: Any) -> bytes:
        seen.append(structlog.contextvars.get_contextvars().get("request_id"))
        return real(*args, **kwargs)

    monkeypatch.setattr(renderer, "render_frame", spy)
    avatar = client.post("/v1/avatars", json={}).json()["avatar_id"]
    response = client.post(
        "/v1/render",
        json={"avatar_id": avatar, "width": 32, "height": 32},
        headers={"X-Request-ID": "trace-me-42"},
    )
    assert response.status_code in (200, 201), response.text
    assert seen == ["trace-me-42"]
