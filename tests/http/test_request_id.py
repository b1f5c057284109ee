"""Request ids: honoured when sane, generated otherwise, echoed, and bound into the logs."""

from __future__ import annotations

import logging
import re

import pytest
import structlog
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.middleware import ACCESS_LOGGER


def test_a_sane_incoming_request_id_is_echoed(client: TestClient[Litestar]) -> None:
    response = client.get("/health", headers={"X-Request-ID": "abc.DEF_123-x"})
    assert response.headers["x-request-id"] == "abc.DEF_123-x"


@pytest.mark.parametrize("given", [None, "has spaces", "x" * 129, "semi;colon"])
def test_a_missing_or_insane_request_id_is_replaced(
    client: TestClient[Litestar], given: str | None
) -> None:
    headers = {"X-Request-ID": given} if given is not None else {}
    response = client.get("/health", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_problem_responses_carry_the_request_id(client: TestClient[Litestar]) -> None:
    response = client.get("/nowhere", headers={"X-Request-ID": "trace-1"})
    assert response.headers["x-request-id"] == "trace-1"
    assert response.json()["request_id"] == "trace-1"


def test_logs_during_a_request_carry_its_id(
    container: Container,
    client: TestClient[Litestar],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)  # access lines are INFO
    voices = container.speech.voices

    def logging_voices() -> object:
        structlog.get_logger("test").info("inside the use case")
        return voices()

    monkeypatch.setattr(container.speech, "voices", logging_voices)
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        client.get("/v1/voices", headers={"X-Request-ID": "trace-2"})
    inside = next(e for e in logs if e["event"] == "inside the use case")
    assert inside["request_id"] == "trace-2"
    access = next(e for e in logs if e["event"] == "request")
    assert access["request_id"] == "trace-2"
    assert access["method"] == "GET"
    assert access["path"] == "/v1/voices"
    assert access["status"] == 200
    assert access["duration_ms"] >= 0
    assert structlog.contextvars.get_contextvars().get("request_id") is None
