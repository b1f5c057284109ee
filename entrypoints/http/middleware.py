"""Request ids and access logging, around everything (unknown routes and errors included).

The id comes from a sane incoming ``X-Request-ID`` (1-128 of ``[A-Za-z0-9._-]``) or is a fresh
random 32-digit hex; it is echoed in the response header, kept in the ASGI scope state for
problem bodies, and bound into structlog's context vars so every log line of the request
carries it.

This wrapper runs on every request, so it stays lean: plain ASGI dicts (no ``Request`` or
header objects), one context-var bind, and ids from ``random`` rather than ``os.urandom`` (a
request id needs uniqueness, not secrecy; the syscall also releases the GIL, which hands it to
a worker thread mid-request under load).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from typing import Any, cast

import structlog
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, ReceiveMessage, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")
_STATE_KEY = "request_id"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

ACCESS_LOGGER = "avatar_service.http.access"
access_log = structlog.get_logger(ACCESS_LOGGER)
_access_level = logging.getLogger(ACCESS_LOGGER)


def incoming_request_id(value: str | None) -> str | None:
    """``value`` if it is a sane request id to honour, else ``None``."""
    if value is not None and _SANE_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    """A fresh id: 128 random bits as 32 lowercase hex digits."""
    return f"{random.getrandbits(128):032x}"


def request_id_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The id the middleware gave this request (``None`` outside the middleware)."""
    state = connection.scope.get("state") or {}
    value = state.get(_STATE_KEY)
    return value if isinstance(value, str) else None


class RequestIdMiddleware:
    """Pure ASGI wrapper; install it around ``Litestar.asgi_handler`` so it sees every request."""

    def __init__(
        self, app: ASGIApp, observe: Callable[[HTTPScope, int, float], None] | None = None
    ) -> None:
        self.app = app
        self._observe = observe  # given each finished request's scope, status and seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._websocket(scope, receive, send)
            return
        http_scope: HTTPScope = scope
        request_id = incoming_request_id(_header(http_scope, _HEADER_KEY)) or new_request_id()
        header = (_HEADER_KEY, request_id.encode("latin-1"))
        state = cast(dict[str, object], scope.setdefault("state", {}))
        state[_STATE_KEY] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            if self._observe is not None:
                self._observe(http_scope, status, seconds)
            # Asked first: a dropped structlog line still costs a few % of a small request.
            if _access_level.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    method=http_scope["method"],
                    path=http_scope["path"],
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                )
            structlog.contextvars.reset_contextvars(**tokens)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket gets a request id too, and one access line when it ends: ``status``
        is its close code (1000 when the client closed it; 1006 when it went away)."""
        if scope["type"] != ScopeType.WEBSOCKET:
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        cast(dict[str, object], scope.setdefault("state", {}))[_STATE_KEY] = request_id
        code = 1006
        started = time.perf_counter()

        async def noted_send(message: Message) -> None:
            nonlocal code
            if message["type"] == "websocket.close":
                code = int(message.get("code", 1000))
            await send(message)

        async def noted_receive() -> ReceiveMessage:
            nonlocal code
            message = await receive()
            if message["type"] == "websocket.disconnect":
                code = int(message.get("code", 1000))
            return message

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, noted_receive, noted_send)
        finally:
            if _access_level.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    method="WEBSOCKET",
                    path=scope["path"],
                    status=code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.reset_contextvars(**tokens)


def _header(scope: HTTPScope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:  # ASGI header names are lowercase
            return value.decode("latin-1")
    return None
