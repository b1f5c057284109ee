"""Slow clients cannot hold a connection forever.

- Headers: ``HeaderTimeoutProtocol`` (uvicorn's httptools protocol, as ``avatar serve`` runs
  it) closes a connection whose request line and headers are not complete
  ``AVATAR_SERVER__HEADER_TIMEOUT`` seconds after the connection opened or the request began,
  answering 408. Between requests, uvicorn's keep-alive timeout
  (``AVATAR_SERVER__KEEP_ALIVE_TIMEOUT``) applies.
- Bodies: ``BodyTimeoutMiddleware`` fails a request whose body stalls, no bytes arriving for
  ``AVATAR_SERVER__BODY_TIMEOUT`` seconds, with 408 (a large upload that keeps flowing is not
  cut off).
"""

from __future__ import annotations

import asyncio
import functools
from typing import ClassVar

import anyio
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from avatar_service.entrypoints.settings import Settings

REQUEST_TIMEOUT = 408
_TOO_SLOW = b"the request headers came too slowly"
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TOO_SLOW), _TOO_SLOW)
)


@functools.cache
def _configured_header_timeout() -> float:
    return Settings().server.header_timeout


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol with a bound on the time to receive a request's headers;
    ``header_timeout`` (seconds) defaults to the setting."""

    header_timeout: ClassVar[float | None] = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _arm(self) -> None:
        seconds = self.header_timeout
        if seconds is None:
            seconds = _configured_header_timeout()
        self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(_TIMED_OUT)
            self.transport.close()


class BodyTimeoutMiddleware:
    """Pure ASGI wrapper: while a request's body is still arriving, each wait for more of it
    is bounded by ``seconds``; past it the request fails with 408."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self._seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        complete = False

        async def bounded() -> ReceiveMessage:
            nonlocal complete
            if complete:  # afterwards only a disconnect can come: no bound
                return await receive()
            try:
                with anyio.fail_after(self._seconds):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(
                    status_code=REQUEST_TIMEOUT,
                    detail=f"no part of the request body arrived for {self._seconds:g} s "
                    "(AVATAR_SERVER__BODY_TIMEOUT)",
                ) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        await self.app(scope, bounded, send)
