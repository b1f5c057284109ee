"""Who may call what: an app-wide guard over every ``/v1`` route.

When any API key is configured (``AVATAR_API_KEYS``) or stored (``avatar keys create``), each
``/v1`` request presents one as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` (a
WebSocket may pass ``?api_key=<key>``: browsers cannot set its headers). The scope needed:

- ``admin``: routes in ``ADMIN_ROUTES``, or a handler with ``opt={"scope": "admin"}``;
- ``read``: ``GET`` and ``HEAD``;
- ``write``: every other method, and WebSockets.

Routes outside ``/v1`` (``/health``, ``/ready``, ``/schema``, the playground ``/``) stay open;
``/metrics`` too unless ``AVATAR_HTTP__METRICS_REQUIRE_KEY`` (then: ``read``). No key: 401 with
``WWW-Authenticate``; unknown, malformed or revoked: 401; too small a scope: 403. A WebSocket
is closed instead, with code 4401 or 4403.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Litestar
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    WebSocketException,
)
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler

from avatar_service.core.auth import Principal, Scope
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.offload import reads_on_loop
from avatar_service.entrypoints.http.problems import problem_specs

ADMIN_ROUTES = ("/v1/plugins",)
"""Route templates (and everything below them) that need the ``admin`` scope."""
READ_METHODS = frozenset({"GET", "HEAD"})
PRINCIPAL_KEY = "principal"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="avatar-service"'}


def protected(path: str, metrics_require_key: bool) -> bool:
    return path == "/v1" or path.startswith("/v1/") or (metrics_require_key and path == "/metrics")


def needed_scope(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> Scope:
    """The scope a request to ``handler`` needs (see the module docstring)."""
    declared = handler.opt.get("scope")
    if isinstance(declared, str):
        return Scope.parse(declared)
    template = str(connection.scope.get("path_template") or connection.scope["path"])
    if any(template == route or template.startswith(route + "/") for route in ADMIN_ROUTES):
        return Scope.ADMIN
    if connection.scope["type"] == ScopeType.WEBSOCKET:
        return Scope.WRITE
    return Scope.READ if connection.scope.get("method") in READ_METHODS else Scope.WRITE


def presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The key the request carries, if any: Bearer token, ``X-API-Key``, or a WebSocket's
    ``api_key`` query parameter."""
    authorization = connection.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    header = connection.headers.get("x-api-key")
    if header and header.strip():
        return header.strip()
    if connection.scope["type"] == ScopeType.WEBSOCKET:
        value = connection.query_params.get("api_key")
        return value or None
    return None


def refusal(connection: ASGIConnection[Any, Any, Any, Any], exc: HTTPException) -> Exception:
    """``exc`` for an HTTP request; for a WebSocket, a close with code ``4000 + status`` and
    the detail as its reason (a WebSocket has no status line)."""
    if connection.scope["type"] == ScopeType.WEBSOCKET:
        return WebSocketException(detail=exc.detail, code=4000 + exc.status_code)
    return exc


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """Who the request authenticated as (``None``: anonymous)."""
    state = connection.scope.get("state") or {}
    found = state.get(PRINCIPAL_KEY)
    return found if isinstance(found, Principal) else None


def key_required(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether the request must present a key: a protected route while keys exist (CORS
    preflights never: they carry no credentials and reveal nothing)."""
    container: Container = connection.app.state.container
    if connection.scope.get("method") == "OPTIONS":
        return False
    if not protected(connection.scope["path"], container.settings.http.metrics_require_key):
        return False
    # Inline even on a networked store: the answer is remembered, the store is asked at most
    # once a second (``KeyUseCases.required``), and a thread hop per request would cost more.
    return container.keys.required()


async def require_api_key(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The guard: let the request through, or raise 401 / 403."""
    if not key_required(connection):
        return
    container: Container = connection.app.state.container
    keys = container.keys
    raw = presented_key(connection)
    if raw is None:
        found = None
    elif reads_on_loop(container):
        found = keys.authenticate(raw)
    else:
        found = await sync_to_thread(keys.authenticate, raw)
    if not isinstance(found, Principal):
        detail = (
            "this request needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key'"
            if raw is None
            else "the API key is not valid (unknown, malformed or revoked)"
        )
        raise refusal(connection, NotAuthorizedException(detail=detail, headers=CHALLENGE))
    connection.scope.setdefault("state", {})[PRINCIPAL_KEY] = found
    structlog.contextvars.bind_contextvars(key_id=found.key_id)
    needed = needed_scope(connection, handler)
    if not found.may(needed):
        detail = f"this request needs the '{needed.label}' scope; the key has '{found.scope.label}'"
        raise refusal(connection, PermissionDeniedException(detail=detail))


GUARDED_STATUSES = (401, 403, 429)
"""What the guards can answer on any ``/v1`` route (429: ``ratelimit``)."""


def document_guard_responses(app: Litestar) -> None:
    """List the guards' answers in the OpenAPI entry of every ``/v1`` operation (a handler's
    own entry for the same status wins)."""
    specs = problem_specs(*GUARDED_STATUSES)
    for route in app.routes:
        if not protected(route.path, metrics_require_key=False):
            continue
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler):
                handler.responses = {**specs, **(handler.responses or {})}
