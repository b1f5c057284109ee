"""The one streaming download responder behind asset, audio and render downloads.

Validators (``ETag`` = the sha256, ``Last-Modified``), ``If-None-Match`` (wins over
``If-Modified-Since``) -> 304, a single byte range (``Range``, honoured only while ``If-Range``
names the current ETag) -> 206, or 416 with ``Content-Range: bytes */size``; several ranges
are answered with the whole object (RFC 9110 allows ignoring ``Range``). ``HEAD`` gets the
same headers and no body. Bytes are streamed in chunks straight from the blob store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from litestar import Response
from litestar.exceptions import HTTPException
from litestar.response import Stream

from avatar_service.core.records import BlobInfo
from avatar_service.entrypoints.http.conditional import checksum_etag, none_match

CACHE_FOREVER = "public, max-age=31536000, immutable"
"""For objects whose names never change (audio and renders)."""

Reader = Callable[[int, int | None], Iterator[bytes]]
"""``read(start, end)``: the bytes ``[start, end)`` of the object being downloaded."""

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9!#$&+.^_`|~ -]")


class RangeNotSatisfiable(HTTPException):
    status_code = 416


class BlobStream(Stream):
    """A ``Stream`` whose own media type wins over the route's (Litestar 2's ``Stream`` lets
    the route's default override it, against its documentation)."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["media_type"] = self.media_type
        return super().to_asgi_response(*args, **kwargs)


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266 with an ASCII ``filename`` fallback and the exact name as RFC 5987
    ``filename*``."""
    base = name.rsplit("/", 1)[-1]
    fallback = _FALLBACK_UNSAFE.sub("_", base.encode("ascii", "replace").decode()) or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(base, safe='')}"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[start, end)`` of a single ``bytes=`` range, ``None`` to serve the whole object
    (absent, several ranges or malformed); raises ``RangeNotSatisfiable``."""
    if header is None:
        return None
    match = _RANGE.match(header)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - length), size
    start = int(first)
    if last != "" and int(last) < start:
        return None
    if start >= size:
        raise _unsatisfiable(size)
    return start, size if last == "" else min(int(last) + 1, size)


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        detail=f"the range is outside the object's {size} bytes",
        headers={"Content-Range": f"bytes */{size}"},
    )


def _not_modified_since(header: str | None, modified: datetime) -> bool:
    if header is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return modified.replace(microsecond=0) <= since


def download_response(
    info: BlobInfo,
    read: Reader,
    request_headers: Mapping[str, str],
    *,
    cache_control: str,
    disposition: str = "inline",
    head: bool = False,
) -> Response[Any]:
    """The response for a GET (or ``head``) of ``info``'s object, honouring the request's
    conditional and range headers."""
    etag = checksum_etag(info.checksum)
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(info.modified, usegmt=True),
        "Cache-Control": cache_control,
        "Accept-Ranges": "bytes",
    }
    if_none_match = request_headers.get("if-none-match")
    if none_match(if_none_match, etag) or (
        if_none_match is None
        and _not_modified_since(request_headers.get("if-modified-since"), info.modified)
    ):
        return Response(b"", status_code=304, headers=headers)
    headers["Content-Disposition"] = content_disposition(disposition, info.name)
    headers["X-Content-Type-Options"] = "nosniff"
    if_range = request_headers.get("if-range")
    byte_range = None
    if if_range is None or if_range.strip() == etag:
        byte_range = parse_range(request_headers.get("range"), info.size)
    status = 200
    start, end = 0, info.size
    if byte_range is not None:
        status, (start, end) = 206, byte_range
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{info.size}"
    headers["Content-Length"] = str(end - start)
    if head:
        return Response(b"", status_code=status, headers=headers, media_type=info.content_type)
    return BlobStream(
        read(start, end), status_code=status, media_type=info.content_type, headers=headers
    )
