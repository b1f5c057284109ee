"""Request ids and access logging, around everything (unknown routes and errors included).

The id comes from a sane incoming ``X-Request-ID`` (1-128 of ``[A-Za-z0-9._-]``) or is a fresh
uuid4 hex; it is echoed in the response header, kept in the ASGI scope state for problem
bodies, and bound into structlog's context vars so every log line of the request carries it.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any, cast

import structlog
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_STATE_KEY = "request_id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

access_log = structlog.get_logger("avatar_service.http.access")


def incoming_request_id(value: str | None) -> str | None:
    """``value`` if it is a sane request id to honour, else ``None``."""
    if value is not None and _SANE_ID.match(value):
        return value
    return None


def request_id_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The id the middleware gave this request (``None`` outside the middleware)."""
    state = connection.scope.get("state") or {}
    value = state.get(_STATE_KEY)
    return value if isinstance(value, str) else None


class RequestIdMiddleware:
    """Pure ASGI wrapper; install it around ``Litestar.asgi_handler`` so it sees every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        http_scope: HTTPScope = scope
        header = _header(http_scope, REQUEST_ID_HEADER.lower().encode("latin-1"))
        request_id = incoming_request_id(header) or uuid.uuid4().hex
        state = cast(dict[str, object], scope.setdefault("state", {}))
        state[_STATE_KEY] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                access_log.info(
                    "request",
                    method=http_scope["method"],
                    path=http_scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


def _header(scope: HTTPScope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None
