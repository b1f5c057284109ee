"""WebSocket refusals as close codes: a socket refused before its handshake (401, 403, 429
from the guards as 4401, 4403, 4429; a foreign ``Host`` or ``Origin`` as 4403) is accepted
and then closed with the code and the detail as its reason. Without this, the server turns a
close before the handshake into a bare HTTP 403, and a browser sees neither code nor reason.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send, WebSocketAcceptEvent

MAX_REASON_BYTES = 123
"""A close frame carries at most 125 bytes: the code and 123 bytes of UTF-8 reason."""


def close_reason(text: str | None) -> str:
    """``text`` cut to fit a close frame (on a character boundary)."""
    data = (text or "").encode("utf-8")
    if len(data) <= MAX_REASON_BYTES:
        return text or ""
    return data[: MAX_REASON_BYTES - 3].decode("utf-8", "ignore") + "..."


class CloseAfterAcceptMiddleware:
    """Pure ASGI wrapper: a ``websocket.close`` sent before ``websocket.accept`` is preceded
    by an accept; every close reason is cut to fit its frame."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.WEBSOCKET:
            await self.app(scope, receive, send)
            return
        accepted = False

        async def send_accepting_first(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept":
                accepted = True
            elif message["type"] == "websocket.close":
                if not accepted:
                    accepted = True
                    accept: WebSocketAcceptEvent = {
                        "type": "websocket.accept",
                        "subprotocol": None,
                        "headers": [],
                    }
                    await send(accept)
                message["reason"] = close_reason(message.get("reason"))
            await send(message)

        await self.app(scope, receive, send_accepting_first)
