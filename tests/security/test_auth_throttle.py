"""Failed authentication is throttled per client address: after the allowed failures, 429
with Retry-After, before any key is checked (a correct guess is refused too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from attack_kit import assert_problem

from avatar_service.entrypoints.settings import HttpSettings

KEY = "throttle-test-key-0123456789"
Serve = Callable[..., Any]


def test_guessing_keys_is_throttled_with_retry_after(serve_with: Serve) -> None:
    http = HttpSettings(auth_failure_limit=3, auth_failure_window=60)
    with serve_with(api_keys=KEY, http=http) as (client, _):
        for attempt in range(3):
            guess = {"X-API-Key": f"wrong-guess-{attempt:016d}"}
            assert_problem(client.get("/v1/voices", headers=guess), 401)
        throttled = client.get("/v1/voices", headers={"X-API-Key": "wrong-guess-again-000"})
        body = assert_problem(throttled, 429)
        assert int(throttled.headers["retry-after"]) >= 1 and "failed" in body["detail"]
        # The limiter runs before the key check: even the right key waits.
        assert_problem(client.get("/v1/voices", headers={"X-API-Key": KEY}), 429)
        # Routes that need no key are not affected.
        assert client.get("/health").status_code == 200


def test_successes_do_not_count_as_failures(serve_with: Serve) -> None:
    http = HttpSettings(auth_failure_limit=2, auth_failure_window=60)
    with serve_with(api_keys=KEY, http=http) as (client, _):
        for _ in range(10):
            assert client.get("/v1/voices", headers={"X-API-Key": KEY}).status_code == 200
        assert_problem(client.get("/v1/voices"), 401)
        assert client.get("/v1/voices", headers={"X-API-Key": KEY}).status_code == 200


def test_a_zero_limit_turns_the_throttle_off(serve_with: Serve) -> None:
    http = HttpSettings(auth_failure_limit=0)
    with serve_with(api_keys=KEY, http=http) as (client, _):
        for _ in range(30):
            assert_problem(
                client.get("/v1/voices", headers={"X-API-Key": "nope-nope-nope-nope"}), 401
            )
