"""JSON bodies are read with strict types: ``"width": "32"`` is a string, not a number.

Litestar converts a decoded body into the handler's type leniently (it does the same for query
strings, where ``"32"`` must become 32), so a string would pass for a number. This
``before_request`` hook measures the body's nesting first (``jsondepth``), then decodes it
strictly against the handler's body type; a value of the wrong type is 422 naming the field,
as Litestar's own schema errors are (which it still reports: missing and unknown fields). A
body that is not JSON at all is left to Litestar (400).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from avatar_service.entrypoints.http.crosssite import JSON_BODY, UNSAFE_METHODS
from avatar_service.entrypoints.http.jsondepth import json_depth_guard

_AT = re.compile(r" - at `\$\.?([^`]*)`$")


def strict_body_guard(max_depth: int) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """The app's ``before_request`` hook: the depth limit, then strict types."""
    depth = json_depth_guard(max_depth)

    async def check(request: Request[Any, Any, Any]) -> None:
        await depth(request)
        body_type = request.route_handler.opt.get(JSON_BODY)
        if body_type is None or request.method not in UNSAFE_METHODS:
            return
        body = await request.body()
        if not body:
            return  # Litestar says what is missing
        try:
            msgspec.json.decode(body, type=body_type, strict=True)
        except msgspec.ValidationError as exc:
            message = str(exc)
            if not message.startswith("Expected `"):
                return  # missing, unknown or out-of-range fields: Litestar says which
            found = _AT.search(message)
            field = found.group(1) if found and found.group(1) else "body"
            error = {"key": field, "message": _AT.sub("", message), "source": "body"}
            raise ValidationException(detail=message, extra=[error]) from None
        except msgspec.DecodeError:
            return  # malformed: Litestar answers 400

    return check
