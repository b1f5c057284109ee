"""What a web page on another site cannot make the service do through the user's browser.

Loopback is not a boundary: any page the user visits can send requests to ``127.0.0.1``.

- ``Host`` must name this service (``AVATAR_HTTP__ALLOWED_HOSTS``; by default the loopback
  names and the configured host): a DNS-rebinding page, whose requests carry its own name,
  gets 421 (a WebSocket: closed with 4403).
- ``Origin``, when a browser sends one with a WebSocket or a state-changing request (POST,
  PUT, PATCH, DELETE), must be this service's own origin (same host and port as ``Host``) or
  one of ``AVATAR_HTTP__CORS_ORIGINS``: a cross-site form, upload or socket gets 403 (4403).
- A JSON route takes only a JSON body (``application/json`` or a ``+json`` type): 415
  otherwise, so a cross-site ``text/plain`` form cannot reach it without a CORS preflight.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from avatar_service.entrypoints.http.problems import (
    PROBLEM_MEDIA_TYPE,
    TYPE_PREFIX,
    Problem,
    problem_specs,
)
from avatar_service.entrypoints.settings import Settings

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::", "[::]"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MISDIRECTED = 421
FORBIDDEN = 403
UNSUPPORTED = 415
JSON_BODY = "json_body"
"""``opt`` flag of a handler whose body is JSON (set by ``mark_json_routes``)."""
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """Host names the service answers to (lowercase, no port); ``None``: any.

    ``AVATAR_HTTP__ALLOWED_HOSTS`` when set (``*`` admits any; ``.example.com`` admits that
    domain and its subdomains), else the loopback names plus ``AVATAR_SERVER__HOST``; a
    wildcard bind (``0.0.0.0``, ``::``) without the setting admits any host."""
    configured = [h.strip().lower() for h in settings.http.allowed_hosts if h.strip()]
    if "*" in configured:
        return None
    if configured:
        return frozenset(configured)
    bind = settings.server.host.strip().lower()
    if bind in WILDCARD_BINDS:
        return None
    return frozenset({*LOOPBACK_NAMES, bind.strip("[]")})


def host_name(header: str) -> tuple[str, int | None] | None:
    """``Host`` as (lowercase name without a trailing dot, port); ``None`` when malformed."""
    parts = urlsplit(f"//{header.strip()}")
    try:
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not name or parts.username is not None or parts.path or parts.query:
        return None
    return name.rstrip("."), port


def host_allowed(header: str, hosts: frozenset[str] | None) -> bool:
    if hosts is None:
        return True
    parsed = host_name(header)
    if parsed is None:
        return False
    name = parsed[0]
    return name in hosts or any(
        h.startswith(".") and (name.endswith(h) or name == h[1:]) for h in hosts
    )


def same_origin(origin: str, host: str | None) -> bool:
    """Whether ``origin`` (``scheme://host[:port]``) is the site ``host`` names."""
    if host is None:
        return False
    parts = urlsplit(origin)
    parsed = host_name(host)
    try:
        origin_port = parts.port
    except ValueError:
        return False
    if parsed is None or not parts.hostname or parts.scheme not in _DEFAULT_PORTS:
        return False
    default = _DEFAULT_PORTS[parts.scheme]
    if _canonical(parts.hostname) != _canonical(parsed[0]):
        return False
    return (origin_port or default) == (parsed[1] or default)


def _canonical(name: str) -> str:
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        return name.lower().rstrip(".")


def origin_allowed(origin: str, host: str | None, cors_origins: Iterable[str]) -> bool:
    allowed = {o.rstrip("/").lower() for o in cors_origins}
    return "*" in allowed or origin.rstrip("/").lower() in allowed or same_origin(origin, host)


class CrossSiteMiddleware:
    """Pure ASGI wrapper: the ``Host`` and ``Origin`` checks above, before any routing."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self._hosts = allowed_hosts(settings)
        self._cors = tuple(settings.http.cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        host = origin = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
            elif name == b"origin":
                origin = value.decode("latin-1")
        if host is not None and not host_allowed(host, self._hosts):
            detail = (
                "this service does not answer to that Host name; add it to "
                "AVATAR_HTTP__ALLOWED_HOSTS if it is yours"
            )
            await _refuse(scope, send, MISDIRECTED, "misdirected-request", detail)
            return
        checks_origin = kind == ScopeType.WEBSOCKET or scope.get("method") in UNSAFE_METHODS
        if checks_origin and origin is not None and not origin_allowed(origin, host, self._cors):
            detail = (
                f"requests from the origin {origin[:100]!r} are not allowed; add it to "
                "AVATAR_HTTP__CORS_ORIGINS if it is yours"
            )
            await _refuse(scope, send, FORBIDDEN, "forbidden", detail)
            return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, kind: str, detail: str) -> None:
    """A problem+json answer, or for a WebSocket a close with ``4403`` and the detail (the
    close-after-accept wrapper turns it into a proper close frame)."""
    if scope["type"] == ScopeType.WEBSOCKET:
        await send({"type": "websocket.close", "code": 4403, "reason": detail})
        return
    state = scope.get("state") or {}
    request_id = state.get("request_id")
    problem = Problem(
        type=TYPE_PREFIX + kind,
        title=_TITLES[status],
        status=status,
        detail=detail,
        instance=scope["path"],
        request_id=request_id if isinstance(request_id, str) else None,
    )
    body = msgspec.json.encode(problem)
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


_TITLES = {MISDIRECTED: "Misdirected Request", FORBIDDEN: "Forbidden"}


def is_json_media_type(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def mark_json_routes(app: Litestar) -> None:
    """Mark every handler that takes a JSON body: ``JSON_BODY`` in its ``opt`` is the body's
    type."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None and _body_media_type(data.kwarg_definition) == "application/json":
                handler.opt[JSON_BODY] = data.annotation


def _body_media_type(kwarg: object) -> str:
    """The media type a ``data`` parameter declares (``Body(media_type=...)``); JSON when it
    declares none."""
    media_type = getattr(kwarg, "media_type", None)
    return str(getattr(media_type, "value", media_type) or "application/json")


def document_cross_site_responses(app: Litestar) -> None:
    """List the answers above in the OpenAPI entry of every operation: 421 everywhere, 403
    on state-changing methods, 415 on JSON routes (a handler's own entry wins)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            statuses = [MISDIRECTED]
            if UNSAFE_METHODS & set(handler.http_methods):
                statuses.append(FORBIDDEN)
            if JSON_BODY in handler.opt:
                statuses.append(UNSUPPORTED)
            handler.responses = {**problem_specs(*statuses), **(handler.responses or {})}


def require_json_body(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """415 when a JSON route is sent a body of another media type."""
    if JSON_BODY not in handler.opt or connection.scope.get("method") not in UNSAFE_METHODS:
        return
    content_type = connection.headers.get("content-type", "")
    if not is_json_media_type(content_type):
        raise unsupported_media_type(content_type)


def unsupported_media_type(content_type: str, expected: str = "application/json") -> HTTPException:
    shown = content_type.partition(";")[0].strip()[:100] or "none"
    return HTTPException(
        status_code=UNSUPPORTED,
        detail=f"this route takes a {expected} body (Content-Type: {shown})",
    )
