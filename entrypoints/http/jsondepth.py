"""A limit on how deeply a JSON request body nests (``AVATAR_LIMITS__MAX_JSON_DEPTH``).

The decoder recurses once per level: a body of a few thousand brackets would exhaust the
interpreter's stack (a 500) and a merely deep one would be stored and echoed back. The raw
body is measured before it is decoded: in one C-speed count when it holds fewer brackets than
the limit (almost always), else by a scan that skips string contents.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request

from avatar_service.core.errors import Invalid

DEPTH_SETTING = "AVATAR_LIMITS__MAX_JSON_DEPTH"
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPEN = frozenset(b"[{")


def json_depth(body: bytes, stop_past: int) -> int:
    """The nesting depth of the JSON text ``body``, counted up to ``stop_past + 1``."""
    if body.count(b"[") + body.count(b"{") <= stop_past:
        return 0  # cannot exceed the limit; the exact figure is not needed
    depth = deepest = 0
    for token in _TOKEN.finditer(body):
        first = token.group()[0]
        if first in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_past:
                    break
        elif first != ord('"'):
            depth -= 1
    return deepest


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def json_depth_guard(limit: int) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """A ``before_request`` hook refusing a JSON body nested deeper than ``limit`` (422 naming
    ``body``). The body it reads is cached for the handler."""

    async def check(request: Request[Any, Any, Any]) -> None:
        if request.method in ("GET", "HEAD", "DELETE", "OPTIONS"):
            return
        if not _is_json(request.content_type[0]):
            return
        if json_depth(await request.body(), limit) > limit:
            raise Invalid(
                f"the JSON body nests deeper than {limit} levels ({DEPTH_SETTING})", field="body"
            )

    return check
