"""Rate limits: a token bucket per API key (per client address for anonymous requests).

Each bucket holds ``burst`` tokens and refills at ``rate`` per second; a request takes one.
An empty bucket answers 429 with ``Retry-After`` (whole seconds until a token is back; a
WebSocket is closed with code 4429). The
buckets live in the process: with ``--workers N`` or N replicas each keeps its own, so the
effective limit is up to N times higher. ``/health``, ``/ready`` and ``/metrics`` are exempt.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import (
    NotAuthorizedException,
    TooManyRequestsException,
    WebSocketException,
)
from litestar.handlers.base import BaseRouteHandler

from avatar_service.entrypoints.http.auth import (
    key_required,
    principal_of,
    refusal,
    require_api_key,
)

EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics"})
MAX_BUCKETS = 10_000
"""Beyond this many callers, buckets that have refilled completely are forgotten."""


class TokenBuckets:
    """Thread-safe buckets by caller; ``rate <= 0`` lets everything through."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """Take a token for ``caller``: 0.0 when granted, else the seconds until one is due."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(caller, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[caller] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if len(self._buckets) > MAX_BUCKETS:
                self._forget_full(now)
            return wait

    def wait(self, caller: str) -> float:
        """Seconds until ``caller`` has a token again (0.0: now), taking nothing."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            found = self._buckets.get(caller)
        if found is None:
            return 0.0
        tokens, at = found
        tokens = min(float(self.burst), tokens + (self._clock() - at) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        for caller, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.rate >= self.burst:
                del self._buckets[caller]


def caller_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The bucket a request draws from: its key, else its client address."""
    principal = principal_of(connection)
    if principal is not None:
        return f"key:{principal.key_id}"
    return address_of(connection)


def address_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    client = connection.scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


def _too_many(
    connection: ASGIConnection[Any, Any, Any, Any], wait: float, detail: str
) -> Exception:
    seconds = max(1, math.ceil(wait))
    return refusal(
        connection,
        TooManyRequestsException(
            detail=f"{detail}; retry in {seconds} s", headers={"Retry-After": str(seconds)}
        ),
    )


def rate_limit_guard(
    buckets: TokenBuckets,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard (run after ``require_api_key``) that answers 429 when the caller's bucket is
    empty."""

    def rate_limit(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope["path"] in EXEMPT_PATHS:
            return
        wait = buckets.take(caller_of(connection))
        if wait > 0:
            detail = (
                f"too many requests: at most {buckets.rate:g} per second "
                f"(bursts of {buckets.burst})"
            )
            raise _too_many(connection, wait, detail)

    return rate_limit


def auth_failure_buckets(limit: int, window: float) -> TokenBuckets:
    """Buckets of failed authentications per client address: ``limit`` at once, then one
    per ``window / limit`` seconds; ``limit`` 0 turns the throttle off."""
    return TokenBuckets(limit / window if limit > 0 else 0.0, max(1, limit))


def access_guard(
    buckets: TokenBuckets,
    failures: TokenBuckets | None = None,
    check_media_type: Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]
    | None = None,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """The app's one guard: the failed-authentication throttle, ``require_api_key``, the rate
    limit, then ``check_media_type``. One coroutine, because Litestar copies the route handler
    for every guard it calls and runs a plain function guard in a worker thread: two guards
    cost a GET a quarter of its throughput.

    A client address that failed authentication too often (``failures``) gets 429 with
    ``Retry-After`` (a WebSocket: 4429) on every route that needs a key, before its key is
    looked at: guessing keys costs time, whatever the guesses."""
    rate_limit = rate_limit_guard(buckets)

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        if failures is not None and failures.rate > 0 and key_required(connection):
            address = address_of(connection)
            wait = failures.wait(address)
            if wait > 0:
                detail = (
                    f"too many failed authentications from this address: at most "
                    f"{failures.burst} per {failures.burst / failures.rate:g} s"
                )
                raise _too_many(connection, wait, detail)
            try:
                await require_api_key(connection, handler)
            except (NotAuthorizedException, WebSocketException) as exc:
                if isinstance(exc, NotAuthorizedException) or exc.code == 4401:
                    failures.take(address)
                raise
        else:
            await require_api_key(connection, handler)
        rate_limit(connection, handler)
        if check_media_type is not None:
            check_media_type(connection, handler)

    return guard
