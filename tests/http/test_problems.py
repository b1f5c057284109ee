"""Every failure answers application/problem+json; internals never leak."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.core.errors import TimedOut, Unavailable
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.app import JSON_BODY_LIMIT

ProblemCheck = Callable[..., dict[str, Any]]


def test_malformed_json_is_400(client: TestClient[Litestar], assert_problem: ProblemCheck) -> None:
    response = client.post(
        "/v1/lipsync", content=b'{"text": "hi"', headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert body["instance"] == "/v1/lipsync"


def test_schema_violations_are_422_naming_the_field(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    assert_problem(client.post("/v1/lipsync", json={"text": 5}), 422, field="text")
    assert_problem(client.post("/v1/lipsync", json={}), 422, field="text")
    body = assert_problem(client.post("/v1/lipsync", json={"text": "hi", "txt": 1}), 422)
    assert body["field"] == "txt"
    assert body["errors"][0]["field"] == "txt"


def test_unknown_route_is_404(client: TestClient[Litestar], assert_problem: ProblemCheck) -> None:
    body = assert_problem(client.get("/v1/nothing-here"), 404)
    assert body["instance"] == "/v1/nothing-here"


def test_wrong_method_is_405(client: TestClient[Litestar], assert_problem: ProblemCheck) -> None:
    assert_problem(client.get("/v1/lipsync"), 405)


def test_body_over_the_limit_is_413(
    client: TestClient[Litestar], assert_problem: ProblemCheck
) -> None:
    text = "a" * (JSON_BODY_LIMIT + 1)
    assert_problem(client.post("/v1/lipsync", json={"text": text}), 413)


def test_unexpected_exception_is_500_without_internals(
    container: Container,
    client: TestClient[Litestar],
    assert_problem: ProblemCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret")

    monkeypatch.setattr(container.speech, "lipsync", explode)
    response = client.post("/v1/lipsync", json={"text": "hi"})
    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
    assert body["request_id"] in body["detail"] or "request id" in body["detail"]


def test_unavailable_is_503_with_retry_after(
    container: Container,
    client: TestClient[Litestar],
    assert_problem: ProblemCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def saturated(*args: object, **kwargs: object) -> object:
        raise Unavailable("the renderer is busy; retry", retry_after=2.5)

    monkeypatch.setattr(container.speech, "lipsync", saturated)
    response = client.post("/v1/lipsync", json={"text": "hi"})
    assert_problem(response, 503)
    assert response.headers["retry-after"] == "3"


def test_timed_out_is_504(
    container: Container,
    client: TestClient[Litestar],
    assert_problem: ProblemCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slow(*args: object, **kwargs: object) -> object:
        raise TimedOut("synthesis took over 30 s")

    monkeypatch.setattr(container.speech, "lipsync", slow)
    body = assert_problem(client.post("/v1/lipsync", json={"text": "hi"}), 504)
    assert body["detail"] == "synthesis took over 30 s"
