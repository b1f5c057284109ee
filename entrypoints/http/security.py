"""Security headers on every response, and the CORS configuration.

The Content-Security-Policy suits JSON answers and the playground page (``/``): scripts as ES
modules from this origin only, a WebSocket to this origin, images and audio from ``blob:`` and
``data:`` URLs, no framing. The OpenAPI pages under ``/schema`` load their viewer from a CDN,
so they get no CSP. ``Strict-Transport-Security`` is sent only when ``hsts_seconds`` is set.
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from avatar_service.entrypoints.settings import HttpSettings

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
CSP_BYTES = CONTENT_SECURITY_POLICY.encode()
NO_CSP_PREFIX = "/schema"


def security_headers(settings: HttpSettings) -> list[tuple[bytes, bytes]]:
    headers = {
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.hsts_seconds > 0:
        headers["strict-transport-security"] = f"max-age={settings.hsts_seconds}"
    return [(name.encode(), value.encode()) for name, value in headers.items()]


class SecurityHeadersMiddleware:
    """Pure ASGI wrapper adding the headers to every HTTP response (errors and 404s too);
    a header the handler set itself is kept."""

    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self._headers = security_headers(settings)
        self._with_csp = [*self._headers, (b"content-security-policy", CSP_BYTES)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        extra = self._headers if scope["path"].startswith(NO_CSP_PREFIX) else self._with_csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                added = [header for header in extra if header[0] not in present]
                message["headers"] = [*message.get("headers", ()), *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cors_config(settings: HttpSettings) -> CORSConfig | None:
    """Litestar's CORS for ``cors_origins`` (``None``: no CORS headers at all)."""
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "X-API-Key",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Range",
            "X-Request-ID",
            "X-Avatar-Tenant",
        ],
        expose_headers=["X-Request-ID", "ETag", "Retry-After", "Location", "Content-Range"],
        allow_credentials=settings.cors_allow_credentials,
        max_age=settings.cors_max_age,
    )
