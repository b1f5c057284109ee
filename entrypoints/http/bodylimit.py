"""Request body limits per route, from the settings.

- ``POST /v1/phonemes/timing``: ``AVATAR_HTTP__AUDIO_UPLOAD_LIMIT``;
- ``POST /v1/assets/upload``: limited by the route itself while it streams (``MAX_FILE_SIZE``
  plus the form's overhead, ``upload.py``);
- ``PUT /v1/assets/{name}``: limited by the route itself while it streams (``MAX_FILE_SIZE``,
  ``rawbody.py``);
- every other route: ``AVATAR_HTTP__JSON_BODY_LIMIT``.

A ``Content-Length`` over the limit is answered 413 (problem+json, naming the setting) before
the application reads anything; a body without one (chunked) is counted as it arrives and
fails with 413 when it crosses the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

import msgspec
from litestar.enums import ScopeType
from litestar.exceptions import ClientException
from litestar.types import ASGIApp, HTTPScope, Receive, ReceiveMessage, Scope, Send

from avatar_service.entrypoints.http.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX, Problem
from avatar_service.entrypoints.settings import Settings

TOO_LARGE = 413
JSON_SETTING = "AVATAR_HTTP__JSON_BODY_LIMIT"
AUDIO_SETTING = "AVATAR_HTTP__AUDIO_UPLOAD_LIMIT"


Limit = tuple[int, str] | None
"""Bytes and the setting that sets them; ``None``: the route limits its body itself."""


def route_limits(settings: Settings) -> dict[str, Limit]:
    """Paths with a limit of their own."""
    return {
        "/v1/assets/upload": None,
        "/v1/phonemes/timing": (settings.http.audio_upload_limit, AUDIO_SETTING),
        "/v1/lipsync/audio": (settings.http.audio_upload_limit, AUDIO_SETTING),
    }


STREAMED_PUTS = ("/v1/assets/",)
"""Path prefixes whose ``PUT`` routes limit their bodies themselves."""


class BodyLimitMiddleware:
    """Pure ASGI wrapper enforcing ``limits`` by path (``PUT`` under ``STREAMED_PUTS``: none),
    ``default`` elsewhere."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, Limit], default: int) -> None:
        self.app = app
        self._limits = dict(limits)
        self._default: Limit = (default, JSON_SETTING)

    def _limit(self, scope: HTTPScope) -> Limit:
        path = scope["path"]
        if scope["method"] == "PUT" and path.startswith(STREAMED_PUTS):
            return None
        return self._limits.get(path, self._default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        chosen = self._limit(scope)
        if chosen is None:
            await self.app(scope, receive, send)
            return
        limit, setting = chosen
        detail = f"the request body is over the limit of {limit} bytes ({setting})"
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, detail)
            return
        received = 0

        async def counted() -> ReceiveMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ClientException(status_code=TOO_LARGE, detail=detail)
            return message

        await self.app(scope, receive if declared is not None else counted, send)


def _content_length(scope: HTTPScope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: HTTPScope, send: Send, detail: str) -> None:
    state = scope.get("state") or {}
    request_id = state.get("request_id")
    problem = Problem(
        type=TYPE_PREFIX + "too-large",
        title=HTTPStatus(TOO_LARGE).phrase,
        status=TOO_LARGE,
        detail=detail,
        instance=scope["path"],
        request_id=request_id if isinstance(request_id, str) else None,
    )
    body = msgspec.json.encode(problem)
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": TOO_LARGE, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
