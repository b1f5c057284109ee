"""Every error as an RFC 9457 problem (``application/problem+json``).

The core's error family maps one way (``NotFound`` 404, ``Invalid`` 422, ``TooLarge`` 413,
``Conflict`` 409, ``PreconditionFailed`` 412, ``Unavailable`` 503 + ``Retry-After``,
``TimedOut`` 504); Litestar's own errors keep their status (a body that fails the schema is
422 naming the field, malformed JSON 400); anything else is a 500 that is logged with its
traceback and says nothing about internals.
"""

from __future__ import annotations

import math
import re
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap

from avatar_service.core.errors import (
    AvatarServiceError,
    Conflict,
    Forbidden,
    InsufficientStorage,
    Invalid,
    NotFound,
    PreconditionFailed,
    TimedOut,
    TooLarge,
    Unavailable,
)
from avatar_service.entrypoints.http.middleware import request_id_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:avatar-service:problem:"
INTERNAL_DETAIL = "An unexpected error occurred. Quote the request id if you report it."

log = structlog.get_logger("avatar_service.http")

_DOMAIN: dict[type[AvatarServiceError], tuple[int, str]] = {
    NotFound: (404, "not-found"),
    Invalid: (422, "invalid"),
    TooLarge: (413, "too-large"),
    Conflict: (409, "conflict"),
    PreconditionFailed: (412, "precondition-failed"),
    Forbidden: (403, "forbidden"),
    Unavailable: (503, "unavailable"),
    InsufficientStorage: (507, "insufficient-storage"),
    TimedOut: (504, "timed-out"),
}
_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")


class FieldError(msgspec.Struct, omit_defaults=True):
    """One schema violation: the input at fault and what is wrong with it."""

    field: str
    message: str
    source: str | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, plus ``field`` (the input at fault) and ``request_id``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    kind: str,
    title: str,
    detail: str,
    field: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    """A problem response for ``request``, its path as ``instance``."""
    problem = Problem(
        type=TYPE_PREFIX + kind,
        title=title,
        status=status,
        detail=detail,
        instance=request.scope.get("path"),
        field=field,
        request_id=request_id_of(request),
        errors=errors,
    )
    return Response(problem, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def domain_status(exc: AvatarServiceError) -> tuple[int, str] | None:
    """The HTTP status and problem kind of a core error, ``None`` for an unmapped subclass."""
    for cls in type(exc).__mro__:
        if cls in _DOMAIN:
            return _DOMAIN[cls]
    return None


def domain_error_handler(
    request: Request[Any, Any, Any], exc: AvatarServiceError
) -> Response[Problem]:
    """The core's errors, by class; an unmapped subclass of the base is a 500."""
    mapped = domain_status(exc)
    if mapped is None:
        return internal_error_handler(request, exc)
    status, kind = mapped
    headers = None
    if isinstance(exc, Unavailable) and exc.retry_after is not None:
        headers = {"Retry-After": str(max(0, math.ceil(exc.retry_after)))}
    return problem_response(
        request,
        status=status,
        kind=kind,
        title=exc.title,
        detail=exc.message,
        field=exc.field,
        headers=headers,
    )


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    """Litestar's errors (unknown route, wrong method, bad body, too large) keep their status."""
    status = exc.status_code
    if status >= 500:
        return internal_error_handler(request, exc)
    headers = dict(exc.headers or {})
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra:
        errors = [_field_error(item) for item in exc.extra if isinstance(item, dict)]
        first = errors[0] if errors else None
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or str(exc.detail)
        return problem_response(
            request,
            status=422,
            kind="validation",
            title="Invalid request",
            detail=detail,
            field=first.field if first else None,
            errors=errors,
            headers=headers,
        )
    phrase = _phrase(status)
    kind = phrase.lower().replace(" ", "-").replace("'", "")
    return problem_response(
        request,
        status=status,
        kind=kind,
        title=phrase,
        detail=str(exc.detail or phrase),
        headers=headers,
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """Log the traceback; tell the client only that something broke, and the request id."""
    log.error(
        "unhandled exception",
        method=request.scope.get("method"),
        path=request.scope.get("path"),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem_response(
        request, status=500, kind="internal", title="Internal server error", detail=INTERNAL_DETAIL
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    AvatarServiceError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


BODY_ERRORS = (400, 413, 422)
"""What any JSON body can meet: malformed (400), over the size limit (413), off-schema (422)."""


def problem_specs(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries documenting that ``statuses`` (and 500) answer with a problem body.

    Listing 400 also replaces Litestar's own default 400 schema with the problem one.
    """
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_phrase(status),
            generate_examples=False,
        )
        for status in sorted({*statuses, 500})
    }


def _field_error(item: dict[str, Any]) -> FieldError:
    """Litestar reports a missing or unknown body field under the key ``data``; name it."""
    message = str(item.get("message", "invalid value"))
    key = str(item.get("key") or "")
    named = _FIELD_IN_MESSAGE.search(message)
    if (not key or key == "data") and named:
        key = named.group(1)
    source = item.get("source")
    return FieldError(
        field=key or "body", message=message, source=str(source) if source is not None else None
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
